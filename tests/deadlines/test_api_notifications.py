"""/api/v1/notifications/, /api/v1/alert-preferences/ and /api/v1/alert-settings/: each person's
own inbox, lead times and digest. Nobody reads or changes anyone else's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.urls import reverse
from rest_framework.test import APIClient

from cases.models import Case
from deadlines.models import (
    Alert,
    AlertPreference,
    AlertSettings,
    AlertStatus,
    AlertSubject,
    Notification,
)
from parties.models import Role
from records.models import Note, Visibility
from tests.api_date_helpers import (
    HUGE,
    NO_NOTIFICATION,
    NOW,
    date_rows,
)
from tests.api_helpers import (
    MISSING_ID,
    PERSONA_IDS,
    PERSONAS,
    SEES,
    counting_queries,
    ids,
    persona,
)
from tests.api_negotiation_helpers import url
from tests.conftest import World, api_as
from tests.deadline_helpers import hearing

OWN_DOCKET = "1:26-cr-00001"


@pytest.fixture(autouse=True)
def frozen() -> Iterator[time_machine.Traveller]:
    """Every test here runs at NOW, with the clock stopped."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


# The page of notifications (with their case and alert); the reader's walls on their cases
# (visible cases, participations, the profile); the notes they name. The count: one SELECT.
NOTIFICATION_LIST_QUERIES = 4
UNREAD_COUNT_QUERIES = 1

KINDS = [
    "arraignment",
    "pretrial_conference",
    "plea_hearing",
    "sentencing",
    "trial",
    "status_conference",
    "offer_expiry",
    "discovery_due",
    "motion_due",
    "suggestion_response_due",
    "speedy_trial",
    "custom",
]
DEFAULT_LEADS = [10080, 2880, 1440, 120]


def everyone(world: World) -> list[User]:
    return [persona(world, who, role) for who, role in PERSONAS]


def notify(user: User, text: str = "Plea hearing moved to Tuesday", **fields: Any) -> Notification:
    """A notification to `user` of a shared note (with `text`) on the world's own case."""
    case = fields.pop("case", None) or Case.objects.get(docket_number=OWN_DOCKET)
    author = User.objects.get(username="prosecutor")
    note = Note.objects.create(case=case, visibility=Visibility.SHARED, body=text, author=author)
    values: dict[str, Any] = {
        "recipient": user,
        "subject": AlertSubject.RECORD,
        "case": case,
        "params": {"note": note.pk},
    }
    values.update(fields)
    return Notification.objects.create(**values)


def inbox_rows() -> list[Any]:
    return list(Notification.objects.order_by("pk").values())


# --- the inbox -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_each_person_reads_only_their_own_notifications(world: World, who: str, role: str) -> None:
    mine_by_user = {user.pk: notify(user, f"For {user.username}") for user in everyone(world)}
    user = persona(world, who, role)
    mine = mine_by_user[user.pk]
    someone_elses = next(n for pk, n in mine_by_user.items() if pk != user.pk)
    client = api_as(user)
    before = inbox_rows()

    listed = client.get(url("notification-list"))
    own = client.get(url("notification-detail", mine.pk))
    other = client.get(url("notification-detail", someone_elses.pk))
    read_other = client.post(url("notification-read", someone_elses.pk))

    assert ids(listed) == [mine.pk]
    assert (own.status_code, own.json()["id"]) == (200, mine.pk)
    # Strangers are told of nothing on a case they do not see, even in their own inbox.
    sees_case = "case" in SEES[(who, role)]
    assert own.json()["body"].endswith(f"For {user.username}") == sees_case
    assert (other.status_code, other.json()) == (404, NO_NOTIFICATION)
    assert (read_other.status_code, read_other.json()) == (404, NO_NOTIFICATION)
    assert inbox_rows() == before


def test_notification_body(world: World) -> None:
    defense = world.user(Role.DEFENSE_COUNSEL)
    note = notify(defense, "Plea hearing moved to Tuesday.")

    body = api_as(defense).get(url("notification-detail", note.pk)).json()

    note_id = note.params["note"]
    assert body == {
        "id": note.pk,
        "subject": "record",
        "subject_display": "Case record",
        "case": world.case.pk,
        "title": f"New note (shared with all parties) on {world.case.docket_number}",
        "body": f"{world.user(Role.PROSECUTOR).get_full_name()}: Plea hearing moved to Tuesday.",
        "url": f"/cases/{world.case.pk}/notes/#note-{note_id}",
        "available": True,
        "created_at": "2026-12-01T12:00:00Z",
        "read_at": None,
        "unread": True,
    }


def test_newest_first_and_unread_filter(world: World, frozen: time_machine.Traveller) -> None:
    defense = world.user(Role.DEFENSE_COUNSEL)
    first = notify(defense, "First")
    frozen.shift(dt.timedelta(minutes=5))
    second = notify(defense, "Second", read_at=NOW)
    frozen.shift(dt.timedelta(minutes=5))
    third = notify(defense, "Third")
    client = api_as(defense)

    assert ids(client.get(url("notification-list"))) == [third.pk, second.pk, first.pk]
    assert ids(client.get(url("notification-list", unread="true"))) == [third.pk, first.pk]
    assert ids(client.get(url("notification-list", unread="false"))) == [second.pk]
    page = client.get(url("notification-list", page_size=2)).json()
    assert [r["id"] for r in page["results"]] == [third.pk, second.pk]
    assert [r["id"] for r in client.get(page["next"]).json()["results"]] == [first.pk]


def test_mark_read_once(world: World, frozen: time_machine.Traveller) -> None:
    defense = world.user(Role.DEFENSE_COUNSEL)
    note = notify(defense)
    client = api_as(defense)

    first = client.post(url("notification-read", note.pk))
    frozen.shift(dt.timedelta(hours=1))
    again = client.post(url("notification-read", note.pk))

    assert (first.status_code, first.json()["read_at"], first.json()["unread"]) == (
        200,
        "2026-12-01T12:00:00Z",
        False,
    )
    # Reading it again changes nothing: it was read at noon.
    assert (again.status_code, again.json()["read_at"]) == (200, "2026-12-01T12:00:00Z")


def test_missing_or_garbage_notification_ids_are_404(world: World) -> None:
    client = api_as(world.user(Role.DEFENSE_COUNSEL))

    answers = [
        client.get(reverse("notification-detail", args=[MISSING_ID])),
        client.get(reverse("notification-detail", args=["abc"])),
        client.post(reverse("notification-read", args=[HUGE])),
    ]

    assert [(r.status_code, r.json()) for r in answers] == [(404, NO_NOTIFICATION)] * 3


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_read_all_marks_only_your_own(world: World, who: str, role: str) -> None:
    user = persona(world, who, role)
    for person in everyone(world):
        notify(person, "One")
        notify(person, "Two")
    notify(user, "Old", read_at=NOW - dt.timedelta(days=1))
    client = api_as(user)

    before = client.get(url("notification-unread-count")).json()
    response = client.post(url("notification-read-all"))
    after = client.get(url("notification-unread-count")).json()

    assert (before, response.status_code, response.json(), after) == (
        {"unread": 2},
        200,
        {"marked": 2},
        {"unread": 0},
    )
    others = Notification.objects.exclude(recipient=user)
    assert others.filter(read_at__isnull=True).count() == 2 * (len(PERSONAS) - 1)


def test_list_and_count_queries_do_not_grow_with_notifications(world: World) -> None:
    defense = world.user(Role.DEFENSE_COUNSEL)
    notify(defense, case=world.case)
    client = api_as(defense)

    one, list_for_one = counting_queries(lambda: client.get(url("notification-list")))
    count_one, count_for_one = counting_queries(
        lambda: client.get(url("notification-unread-count"))
    )
    for i in range(30):
        notify(defense, f"Note {i}", case=world.case if i % 2 else world.other_case)
    many, list_for_many = counting_queries(lambda: client.get(url("notification-list")))
    count_many, count_for_many = counting_queries(
        lambda: client.get(url("notification-unread-count"))
    )

    assert (len(one.json()["results"]), len(many.json()["results"])) == (1, 31)
    assert (count_one.json(), count_many.json()) == ({"unread": 1}, {"unread": 31})
    assert list_for_one == list_for_many == NOTIFICATION_LIST_QUERIES
    assert count_for_one == count_for_many == UNREAD_COUNT_QUERIES


# --- lead times per kind -------------------------------------------------------------------------


def defaults() -> list[dict[str, Any]]:
    return [
        {
            "kind": kind,
            "kind_display": label,
            "lead_minutes": DEFAULT_LEADS,
            "in_app": True,
            "email": True,
            "is_default": True,
        }
        for kind, label in zip(
            KINDS,
            [
                "Arraignment",
                "Pretrial conference",
                "Plea hearing",
                "Sentencing",
                "Trial",
                "Status conference",
                "Offer expiry",
                "Discovery due",
                "Motion due",
                "Response due to a defense suggestion",
                "Speedy-trial limit",
                "Other deadline",
            ],
            strict=True,
        )
    ]


def test_preferences_list_every_kind_with_the_defaults(world: World) -> None:
    response = api_as(world.user(Role.DEFENDANT)).get(url("alert-preference-list"))

    assert (response.status_code, response.json()) == (200, defaults())


def test_preferences_and_settings_are_one_query_each(
    world: World, django_assert_num_queries: Any
) -> None:
    user = world.user(Role.DEFENDANT)
    AlertPreference.objects.create(user=user, kind="trial", lead_minutes=[60], email=False)
    client = api_as(user)

    with django_assert_num_queries(1):
        preferences = client.get(url("alert-preference-list"))
    with django_assert_num_queries(1):
        settings = client.get(url("alert-settings"))

    assert (len(preferences.json()), settings.status_code) == (12, 200)


PREFERENCE = {"lead_minutes": [120, 4320], "in_app": True, "email": False}


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_each_person_sets_their_own_lead_times(world: World, who: str, role: str) -> None:
    user = persona(world, who, role)
    client = api_as(user)

    response = client.put(url("alert-preference-detail", "trial"), PREFERENCE, format="json")
    listed = client.get(url("alert-preference-list")).json()

    expected_trial = {
        "kind": "trial",
        "kind_display": "Trial",
        "lead_minutes": [4320, 120],
        "in_app": True,
        "email": False,
        "is_default": False,
    }
    assert (response.status_code, response.json()) == (200, expected_trial)
    assert listed == [expected_trial if row["kind"] == "trial" else row for row in defaults()]
    assert list(AlertPreference.objects.values_list("user_id", "kind")) == [(user.pk, "trial")]


def test_patch_keeps_the_values_it_does_not_name(world: World) -> None:
    client = api_as(world.user(Role.PROSECUTOR))

    response = client.patch(
        url("alert-preference-detail", "offer_expiry"), {"email": False}, format="json"
    )

    assert (response.status_code, response.json()["lead_minutes"], response.json()["email"]) == (
        200,
        DEFAULT_LEADS,
        False,
    )


def test_new_lead_times_replan_the_pending_reminders(world: World) -> None:
    defense = world.user(Role.DEFENSE_COUNSEL)
    plea = hearing(world)  # 15 December, two weeks away

    response = api_as(defense).put(
        url("alert-preference-detail", "plea_hearing"),
        {"lead_minutes": [4320], "in_app": True, "email": False},
        format="json",
    )

    pending = Alert.objects.filter(
        recipient=defense, hearing=plea, status=AlertStatus.PENDING
    ).values_list("lead_minutes", "channel")
    assert response.status_code == 200
    assert list(pending) == [(4320, "in_app")]


BAD_PREFERENCES: list[tuple[str, dict[str, Any], str]] = [
    ("no_leads", {"lead_minutes": []}, "lead_minutes"),
    ("zero", {"lead_minutes": [0]}, "lead_minutes"),
    ("negative", {"lead_minutes": [-60]}, "lead_minutes"),
    ("huge", {"lead_minutes": [HUGE]}, "lead_minutes"),
    ("sixty_one_days", {"lead_minutes": [61 * 24 * 60]}, "lead_minutes"),
    ("words", {"lead_minutes": ["a week"]}, "lead_minutes"),
    ("not_a_list", {"lead_minutes": 60}, "lead_minutes"),
    ("twice_the_same", {"lead_minutes": [60, 60]}, "lead_minutes"),
    ("nine", {"lead_minutes": list(range(1, 10))}, "lead_minutes"),
    ("in_app_maybe", {"in_app": "maybe"}, "in_app"),
    ("email_null", {"email": None}, "email"),
]


@pytest.mark.parametrize(
    ("changes", "field"),
    [case[1:] for case in BAD_PREFERENCES],
    ids=[case[0] for case in BAD_PREFERENCES],
)
def test_bad_preference_is_a_400_for_the_field(
    world: World, changes: dict[str, Any], field: str
) -> None:
    before = date_rows()

    response = api_as(world.user(Role.JUDGE)).put(
        url("alert-preference-detail", "trial"), {**PREFERENCE, **changes}, format="json"
    )

    assert (response.status_code, list(response.json())) == (400, [field])
    assert date_rows() == before


def test_put_needs_every_value_and_garbage_is_a_400(world: World) -> None:
    client = api_as(world.user(Role.JUDGE))
    before = date_rows()

    empty = client.put(url("alert-preference-detail", "trial"), {}, format="json")
    listed = client.put(url("alert-preference-detail", "trial"), [1], format="json")

    assert (empty.status_code, sorted(empty.json())) == (400, ["email", "in_app", "lead_minutes"])
    assert (listed.status_code, list(listed.json())) == (400, ["non_field_errors"])
    assert date_rows() == before


def test_an_unknown_kind_is_not_found(world: World) -> None:
    client = api_as(world.user(Role.JUDGE))

    got = client.get(url("alert-preference-detail", "brunch"))
    put = client.put(url("alert-preference-detail", "brunch"), PREFERENCE, format="json")

    expected = (404, {"detail": "Not found.", "code": "not_found"})
    assert (got.status_code, got.json()) == expected
    assert (put.status_code, put.json()) == expected
    assert not AlertPreference.objects.exists()


# --- the daily digest ----------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_each_person_sets_their_own_digest(world: World, who: str, role: str) -> None:
    user = persona(world, who, role)
    client = api_as(user)
    wanted = {"daily_digest": True, "digest_hour": 6, "time_zone": "America/Chicago"}

    before = client.get(url("alert-settings"))
    response = client.put(url("alert-settings"), wanted, format="json")
    after = client.get(url("alert-settings"))

    assert before.json() == {"daily_digest": False, "digest_hour": 7, "time_zone": "UTC"}
    assert (response.status_code, response.json(), after.json()) == (200, wanted, wanted)
    assert list(AlertSettings.objects.values_list("user_id", "daily_digest")) == [(user.pk, True)]


def test_patch_settings_keeps_what_it_does_not_name(world: World) -> None:
    client = api_as(world.user(Role.DEFENDANT))

    response = client.patch(url("alert-settings"), {"daily_digest": True}, format="json")

    assert (response.status_code, response.json()) == (
        200,
        {"daily_digest": True, "digest_hour": 7, "time_zone": "UTC"},
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"digest_hour": 24}, "digest_hour"),
        ({"digest_hour": -1}, "digest_hour"),
        ({"digest_hour": HUGE}, "digest_hour"),
        ({"digest_hour": "seven"}, "digest_hour"),
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
        ({"time_zone": ""}, "time_zone"),
        ({"time_zone": "x" * 65}, "time_zone"),
        ({"daily_digest": "sometimes"}, "daily_digest"),
    ],
)
def test_bad_settings_are_a_400_for_the_field(
    world: World, changes: dict[str, Any], field: str
) -> None:
    before = date_rows()
    body = {"daily_digest": True, "digest_hour": 7, "time_zone": "UTC", **changes}

    response = api_as(world.user(Role.DEFENDANT)).put(url("alert-settings"), body, format="json")

    assert (response.status_code, list(response.json())) == (400, [field])
    assert date_rows() == before


def test_put_settings_needs_every_value(world: World) -> None:
    response = api_as(world.user(Role.DEFENDANT)).put(url("alert-settings"), {}, format="json")

    assert (response.status_code, sorted(response.json())) == (
        400,
        ["daily_digest", "digest_hour", "time_zone"],
    )


# --- anonymous -----------------------------------------------------------------------------------


def anonymous_requests(world: World) -> list[tuple[str, str]]:
    return [
        ("get", url("hearing-list")),
        ("post", url("hearing-list")),
        ("get", url("hearing-detail", 1)),
        ("patch", url("hearing-detail", 1)),
        ("post", url("hearing-reschedule", 1)),
        ("post", url("hearing-cancel", 1)),
        ("post", url("hearing-held", 1)),
        ("get", url("deadline-list")),
        ("post", url("deadline-list")),
        ("get", url("deadline-detail", 1)),
        ("patch", url("deadline-detail", 1)),
        ("post", url("deadline-override", 1)),
        ("post", url("deadline-remove-override", 1)),
        ("post", url("deadline-complete", 1)),
        ("post", url("deadline-cancel", 1)),
        ("post", url("deadline-reopen", 1)),
        ("get", url("deadline-rule-list")),
        ("get", url("deadline-rule-detail", 1)),
        ("get", url("deadline-rule-preview", 1)),
        ("get", url("courtroom-list")),
        ("post", url("courtroom-list")),
        ("get", url("courtroom-detail", 1)),
        ("get", url("closure-list")),
        ("post", url("closure-list")),
        ("get", url("closure-detail", 1)),
        ("delete", url("closure-detail", 1)),
        ("get", url("notification-list")),
        ("get", url("notification-detail", 1)),
        ("post", url("notification-read", 1)),
        ("post", url("notification-read-all")),
        ("get", url("notification-unread-count")),
        ("get", url("alert-preference-list")),
        ("get", url("alert-preference-detail", "trial")),
        ("put", url("alert-preference-detail", "trial")),
        ("patch", url("alert-preference-detail", "trial")),
        ("get", url("alert-settings")),
        ("put", url("alert-settings")),
        ("patch", url("alert-settings")),
    ]


def test_anonymous_is_refused_everywhere_and_writes_nothing(world: World) -> None:
    client = APIClient()
    notify(world.user(Role.DEFENSE_COUNSEL))
    before = date_rows()

    answers = {
        (method, path): getattr(client, method)(path, {}, format="json")
        for method, path in anonymous_requests(world)
    }

    assert {key: (r.status_code, r.get("WWW-Authenticate")) for key, r in answers.items()} == {
        key: (401, "Token") for key in answers
    }
    assert date_rows() == before
