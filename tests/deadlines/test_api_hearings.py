"""/api/v1/hearings/ and /api/v1/courtrooms/: the court schedules, continues, cancels and marks
hearings held; everyone who sees the case reads them; strangers are told they do not exist."""

from __future__ import annotations

import base64
import datetime as dt
import json
import threading
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from cases import services as case_services
from core.api.pagination import INVALID_CURSOR
from deadlines import alerts, services
from deadlines.models import Courtroom, Hearing, HearingKind, HearingStatus, Notification
from parties.models import Role
from tests.api_date_helpers import (
    COURT_KEEPS_CALENDAR,
    COURT_STAFF_ONLY_COURTROOMS,
    HUGE,
    KEEPERS,
    NO_HEARING,
    NOW,
    PARTIES,
    date_rows,
    table,
)
from tests.api_helpers import MISSING_ID, PERSONA_IDS, PERSONAS, counting_queries, ids, persona
from tests.api_negotiation_helpers import Answer, answer_of, expected, succeeded, url
from tests.conftest import World, api_as
from tests.deadline_helpers import at, clerk, courtroom, hearing


@pytest.fixture(autouse=True)
def frozen() -> Iterator[time_machine.Traveller]:
    """Every test here runs at NOW, with the clock stopped."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


# One SELECT: the page of hearings with case, court, courtroom and judge.
HEARING_LIST_QUERIES = 1
# The hearing, then its history with courtrooms and who changed it.
HEARING_DETAIL_QUERIES = 2
# The ids of the courts the user sits in or has cases in (cases.selectors.court_ids_of_user),
# then their courtrooms with their court.
COURTROOM_LIST_QUERIES = 2


def schedule_body(world: World, **changes: Any) -> dict[str, Any]:
    """An arraignment on Thursday 10 December 2026, 10:00-10:30 in New York."""
    body: dict[str, Any] = {
        "case": world.case.pk,
        "kind": "arraignment",
        "starts_at": "2026-12-10T15:00:00Z",
        "ends_at": "2026-12-10T15:30:00Z",
        "courtroom": courtroom(world).pk,
        "notes": "Interpreter (Spanish).",
    }
    body.update(changes)
    return body


def name_of(user: Any) -> str:
    return str(user.get_full_name() or user.get_username())


# --- reading -------------------------------------------------------------------------------------

READ: dict[str, Answer] = table(200, 200)


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_who_reads_a_hearing(world: World, who: str, role: str) -> None:
    plea = hearing(world)
    client = api_as(persona(world, who, role))

    detail = client.get(url("hearing-detail", plea.pk))
    listed = client.get(url("hearing-list"))

    answer = expected(READ, who, role)
    assert answer_of(detail) == answer
    if answer == 200:
        assert (detail.json()["id"], detail.json()["kind"]) == (plea.pk, "plea_hearing")
        assert ids(listed) == [plea.pk]
    else:
        assert detail.json() == NO_HEARING
        assert (listed.status_code, ids(listed)) == (200, [])


def test_hearing_is_shown_in_utc_with_the_court_time_zone_and_its_history(world: World) -> None:
    room = courtroom(world)
    judge = world.user(Role.JUDGE)
    plea = hearing(world, judge_user=judge, notes="Bring the plea agreement.")

    body = api_as(world.user(Role.DEFENSE_COUNSEL)).get(url("hearing-detail", plea.pk)).json()

    assert body == {
        "id": plea.pk,
        "case": world.case.pk,
        "docket_number": "1:26-cr-00001",
        "court": world.court.pk,
        "time_zone": "America/New_York",
        "kind": "plea_hearing",
        "kind_display": "Plea hearing",
        # 09:00 in New York in December (EST, UTC-5).
        "starts_at": "2026-12-15T14:00:00Z",
        "ends_at": "2026-12-15T15:00:00Z",
        "courtroom": room.pk,
        "courtroom_name": "Courtroom 1",
        "judge": judge.pk,
        "judge_name": name_of(judge),
        "status": "scheduled",
        "status_display": "Scheduled",
        "notes": "Bring the plea agreement.",
        "sequence": 0,
        "external_id": None,
        "created_by": clerk(world).pk,
        "created_at": "2026-12-01T12:00:00Z",
        "updated_at": "2026-12-01T12:00:00Z",
        "changes": [
            {
                "id": plea.changes.get().pk,
                "from_status": "",
                "to_status": "scheduled",
                "from_starts_at": None,
                "to_starts_at": "2026-12-15T14:00:00Z",
                "from_courtroom": None,
                "from_courtroom_name": None,
                "to_courtroom": room.pk,
                "to_courtroom_name": "Courtroom 1",
                "reason": "",
                "changed_by": clerk(world).pk,
                "changed_by_name": name_of(clerk(world)),
                "changed_at": "2026-12-01T12:00:00Z",
            }
        ],
    }


def test_a_hearing_id_that_is_not_a_number_is_not_found(world: World) -> None:
    client = api_as(clerk(world))

    response = client.get(reverse("hearing-detail", args=["abc"]))
    action = client.post(reverse("hearing-cancel", args=["abc"]), {"reason": "x"}, format="json")

    assert (response.status_code, response.json()) == (404, NO_HEARING)
    assert (action.status_code, action.json()) == (404, NO_HEARING)


# --- scheduling ----------------------------------------------------------------------------------

SCHEDULE: dict[str, Answer] = table(201, (403, COURT_KEEPS_CALENDAR))


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_who_may_schedule_a_hearing(world: World, who: str, role: str) -> None:
    body = schedule_body(world)
    user = persona(world, who, role)
    before = date_rows()

    response = api_as(user).post(url("hearing-list"), body, format="json")

    # Strangers may not see the case: it is as unknown as a missing one (400 for the field).
    answer = expected(SCHEDULE, who, role, stranger=400)
    assert answer_of(response) == answer
    if succeeded(answer):
        created = response.json()
        assert (
            created["kind"],
            created["starts_at"],
            created["ends_at"],
            created["status"],
            created["created_by"],
            created["notes"],
            [c["to_status"] for c in created["changes"]],
        ) == (
            "arraignment",
            "2026-12-10T15:00:00Z",
            "2026-12-10T15:30:00Z",
            "scheduled",
            user.pk,
            "Interpreter (Spanish).",
            ["scheduled"],
        )
        assert Hearing.objects.filter(pk=created["id"], case=world.case).exists()
    else:
        assert date_rows() == before
    if answer == 400:
        assert list(response.json()) == ["case"]


def test_scheduling_into_a_taken_courtroom_is_a_conflict_naming_the_other_hearing(
    world: World,
) -> None:
    taken = hearing(world)  # 09:00-10:00 New York on 15 December
    before = date_rows()

    response = api_as(clerk(world)).post(
        url("hearing-list"),
        schedule_body(world, starts_at="2026-12-15T14:30:00Z", ends_at="2026-12-15T15:30:00Z"),
        format="json",
    )

    assert response.status_code == 409
    assert response.json() == {
        "detail": "Courtroom 1 is taken from 2026-12-15 09:00 (America/New_York) to "
        "2026-12-15 10:00 (America/New_York) by the plea hearing in 1:26-cr-00001 "
        f"(hearing {taken.pk}).",
        "code": "hearing_overlap",
    }
    assert date_rows() == before


def test_back_to_back_hearings_and_another_courtroom_do_not_conflict(world: World) -> None:
    hearing(world)  # 09:00-10:00 New York
    client = api_as(clerk(world))

    after = client.post(
        url("hearing-list"),
        schedule_body(world, starts_at="2026-12-15T15:00:00Z", ends_at="2026-12-15T15:30:00Z"),
        format="json",
    )
    elsewhere = client.post(
        url("hearing-list"),
        schedule_body(
            world,
            starts_at="2026-12-15T14:00:00Z",
            ends_at="2026-12-15T15:00:00Z",
            courtroom=courtroom(world, "Courtroom 2").pk,
        ),
        format="json",
    )

    assert (after.status_code, elsewhere.status_code) == (201, 201)


BAD_SCHEDULES: list[tuple[str, dict[str, Any], dict[str, list[str]] | list[str]]] = [
    (
        "ends_before_it_starts",
        {"starts_at": "2026-12-10T15:00:00Z", "ends_at": "2026-12-10T14:00:00Z"},
        {"ends_at": ["The hearing must end after it starts."]},
    ),
    (
        "ends_when_it_starts",
        {"starts_at": "2026-12-10T15:00:00Z", "ends_at": "2026-12-10T15:00:00Z"},
        {"ends_at": ["The hearing must end after it starts."]},
    ),
    ("words_for_a_time", {"starts_at": "next Tuesday"}, ["starts_at"]),
    ("a_number_for_a_time", {"ends_at": 20261210}, ["ends_at"]),
    ("year_ten_thousand", {"ends_at": "10000-01-01T00:00:00Z"}, ["ends_at"]),
    (
        "far_future",
        {"starts_at": "9999-12-31T23:00:00Z", "ends_at": "9999-12-31T23:30:00Z"},
        ["starts_at", "ends_at"],
    ),
    ("unknown_courtroom", {"courtroom": MISSING_ID}, ["courtroom"]),
    ("huge_courtroom", {"courtroom": HUGE}, ["courtroom"]),
    ("text_courtroom", {"courtroom": "4B"}, ["courtroom"]),
    ("no_courtroom", {"courtroom": None}, ["courtroom"]),
    ("unknown_kind", {"kind": "brunch"}, ["kind"]),
    ("huge_case", {"case": HUGE}, ["case"]),
    ("unknown_judge", {"judge": MISSING_ID}, ["judge"]),
    ("huge_judge", {"judge": HUGE}, ["judge"]),
    ("notes_as_object", {"notes": {"a": 1}}, ["notes"]),
]


@pytest.mark.parametrize(
    ("changes", "errors"),
    [(changes, errors) for _, changes, errors in BAD_SCHEDULES],
    ids=[name for name, _, _ in BAD_SCHEDULES],
)
def test_bad_schedule_is_a_400_for_the_field(
    world: World, changes: dict[str, Any], errors: dict[str, list[str]] | list[str]
) -> None:
    body = schedule_body(world, **changes)
    before = date_rows()

    response = api_as(clerk(world)).post(url("hearing-list"), body, format="json")

    assert response.status_code == 400
    if isinstance(errors, dict):
        assert response.json() == errors
    else:
        assert sorted(response.json()) == sorted(errors)
    assert date_rows() == before


def test_a_courtroom_of_another_court_is_refused(world: World) -> None:
    foreign_room = courtroom(world, "Courtroom 9", court=world.other_court)
    body = schedule_body(world, courtroom=foreign_room.pk)

    response = api_as(clerk(world)).post(url("hearing-list"), body, format="json")

    assert (response.status_code, response.json()) == (
        400,
        {"courtroom": ["Courtroom 9 is not a courtroom of District Court."]},
    )


def test_the_judge_must_be_a_judge_of_the_court(world: World) -> None:
    prosecutor = world.user(Role.PROSECUTOR)
    body = schedule_body(world, judge=prosecutor.pk)

    response = api_as(clerk(world)).post(url("hearing-list"), body, format="json")

    assert (response.status_code, response.json()) == (
        400,
        {"judge": [f"{name_of(prosecutor)} is not a judge of District Court."]},
    )


@pytest.mark.parametrize(
    "body", [{}, [], "", [1, 2], {"case": None}], ids=["empty", "list", "string", "numbers", "null"]
)
def test_garbage_bodies_are_a_400_not_a_500(world: World, body: Any) -> None:
    plea = hearing(world)
    client = api_as(clerk(world))
    before = date_rows()

    created = client.post(url("hearing-list"), body, format="json")
    moved = client.post(url("hearing-reschedule", plea.pk), body, format="json")
    cancelled = client.post(url("hearing-cancel", plea.pk), body, format="json")
    patched = client.patch(url("hearing-detail", plea.pk), body, format="json")

    assert created.status_code == 400
    assert moved.status_code == 400
    # A reason is required to cancel: every body without one is a 400.
    assert cancelled.status_code == 400
    # PATCH naming nothing it changes changes nothing; anything not an object is a 400.
    assert patched.status_code == (200 if isinstance(body, dict) else 400)
    assert date_rows() == before


def test_malformed_json_is_a_400(world: World) -> None:
    response = api_as(clerk(world)).post(
        url("hearing-list"), data="{not json", content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def race(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run each call in its own thread and connection, all released at once."""
    barrier = threading.Barrier(len(calls), timeout=30)
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[index] = call()
        except BaseException as exc:  # reported to the test, whatever it is
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread is still waiting"
    return results


@pytest.mark.django_db(transaction=True)
def test_two_clerks_booking_one_courtroom_at_once_one_wins(world: World) -> None:
    # Two cases: their rows are locked separately, so only the exclusion constraint stands
    # between the two bookings; the loser gets a 409, never a 500.
    bodies = [schedule_body(world), schedule_body(world, case=world.other_case.pk)]

    def book(body: dict[str, Any]) -> Any:
        return api_as(clerk(world)).post(url("hearing-list"), body, format="json")

    responses = race([partial(book, body) for body in bodies])

    assert sorted(r.status_code for r in responses) == [201, 409]
    loser = next(r for r in responses if r.status_code == 409)
    assert loser.json()["code"] == "hearing_overlap"
    assert Hearing.objects.count() == 1


# --- continuances --------------------------------------------------------------------------------

RESCHEDULE_BODY = {
    "starts_at": "2026-12-17T19:00:00Z",
    "ends_at": "2026-12-17T20:00:00Z",
    "reason": "Defense counsel in trial in another district.",
}
ACT: dict[str, Answer] = table(200, (403, COURT_KEEPS_CALENDAR))


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_who_may_reschedule_a_hearing(world: World, who: str, role: str) -> None:
    plea = hearing(world)
    user = persona(world, who, role)
    before = date_rows()

    response = api_as(user).post(url("hearing-reschedule", plea.pk), RESCHEDULE_BODY, format="json")

    answer = expected(ACT, who, role)
    assert answer_of(response) == answer
    if succeeded(answer):
        body = response.json()
        assert (body["status"], body["starts_at"], body["ends_at"], body["sequence"]) == (
            "continued",
            "2026-12-17T19:00:00Z",
            "2026-12-17T20:00:00Z",
            1,
        )
        last = body["changes"][-1]
        assert (
            last["from_status"],
            last["to_status"],
            last["from_starts_at"],
            last["to_starts_at"],
            last["reason"],
            last["changed_by"],
        ) == (
            "scheduled",
            "continued",
            "2026-12-15T14:00:00Z",
            "2026-12-17T19:00:00Z",
            "Defense counsel in trial in another district.",
            user.pk,
        )
    else:
        assert date_rows() == before
    if answer == 404:
        assert response.json() == NO_HEARING


def test_reschedule_may_move_the_courtroom(world: World) -> None:
    plea = hearing(world)
    room = courtroom(world, "Courtroom 2")

    response = api_as(clerk(world)).post(
        url("hearing-reschedule", plea.pk), {**RESCHEDULE_BODY, "courtroom": room.pk}, format="json"
    )

    body = response.json()
    assert (response.status_code, body["courtroom"], body["courtroom_name"]) == (
        200,
        room.pk,
        "Courtroom 2",
    )
    assert (
        body["changes"][-1]["from_courtroom_name"],
        body["changes"][-1]["to_courtroom_name"],
    ) == (
        "Courtroom 1",
        "Courtroom 2",
    )


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"reason": ""}, {"reason": ["Give the reason for the continuance."]}),
        ({"reason": "   "}, {"reason": ["Give the reason for the continuance."]}),
        (
            {"ends_at": "2026-12-17T18:00:00Z"},
            {"ends_at": ["The hearing must end after it starts."]},
        ),
        ({"starts_at": "soon"}, ["starts_at"]),
        ({"courtroom": MISSING_ID}, ["courtroom"]),
        ({"courtroom": HUGE}, ["courtroom"]),
    ],
    ids=["no_reason", "blank_reason", "ends_before_start", "bad_time", "unknown_room", "huge_room"],
)
def test_bad_reschedule_is_a_400(
    world: World, changes: dict[str, Any], errors: dict[str, list[str]] | list[str]
) -> None:
    plea = hearing(world)
    before = date_rows()

    response = api_as(clerk(world)).post(
        url("hearing-reschedule", plea.pk), {**RESCHEDULE_BODY, **changes}, format="json"
    )

    assert response.status_code == 400
    if isinstance(errors, dict):
        assert response.json() == errors
    else:
        assert list(response.json()) == errors
    assert date_rows() == before


def test_rescheduling_onto_another_hearing_is_a_conflict(world: World) -> None:
    plea = hearing(world)
    other = hearing(world, starts_at=at(2026, 12, 17, 14), case=world.other_case)
    before = date_rows()

    response = api_as(clerk(world)).post(
        url("hearing-reschedule", plea.pk), RESCHEDULE_BODY, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "hearing_overlap"
    assert response.json()["detail"].endswith(
        f"by the plea hearing in 1:26-cr-00002 (hearing {other.pk})."
    )
    assert date_rows() == before


def test_a_continuance_tells_everyone_on_the_case_at_the_next_sweep(world: World) -> None:
    plea = hearing(world)
    api_as(clerk(world)).post(url("hearing-reschedule", plea.pk), RESCHEDULE_BODY, format="json")

    alerts.sweep(now=NOW + dt.timedelta(minutes=1))

    inbox = api_as(world.user(Role.DEFENSE_COUNSEL)).get(url("notification-list")).json()
    assert [row["subject"] for row in inbox["results"]] == ["hearing_changed"]
    assert inbox["results"][0]["case"] == world.case.pk
    # Strangers hear nothing.
    assert not Notification.objects.filter(recipient=world.strangers[Role.DEFENSE_COUNSEL]).exists()


# --- cancelling, holding, editing ----------------------------------------------------------------


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_who_may_cancel_a_hearing(world: World, who: str, role: str) -> None:
    plea = hearing(world)
    before = date_rows()

    response = api_as(persona(world, who, role)).post(
        url("hearing-cancel", plea.pk), {"reason": "Plea accepted; vacated."}, format="json"
    )

    answer = expected(ACT, who, role)
    assert answer_of(response) == answer
    if succeeded(answer):
        body = response.json()
        assert (body["status"], body["sequence"], body["changes"][-1]["reason"]) == (
            "cancelled",
            1,
            "Plea accepted; vacated.",
        )
    else:
        assert date_rows() == before


def test_cancel_needs_a_reason(world: World) -> None:
    plea = hearing(world)
    before = date_rows()

    response = api_as(clerk(world)).post(url("hearing-cancel", plea.pk), {}, format="json")

    assert (response.status_code, response.json()) == (
        400,
        {"reason": ["Give the reason for the cancellation."]},
    )
    assert date_rows() == before


def test_a_cancelled_hearing_frees_its_courtroom(world: World) -> None:
    plea = hearing(world)
    client = api_as(clerk(world))
    client.post(url("hearing-cancel", plea.pk), {"reason": "Vacated."}, format="json")

    response = client.post(
        url("hearing-list"),
        schedule_body(world, starts_at="2026-12-15T14:00:00Z", ends_at="2026-12-15T15:00:00Z"),
        format="json",
    )

    assert response.status_code == 201


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_who_may_mark_a_hearing_held(world: World, who: str, role: str) -> None:
    yesterday = hearing(world, starts_at=at(2026, 11, 30, 9))
    before = date_rows()

    response = api_as(persona(world, who, role)).post(url("hearing-held", yesterday.pk))

    answer = expected(ACT, who, role)
    assert answer_of(response) == answer
    if succeeded(answer):
        assert (response.json()["status"], response.json()["changes"][-1]["to_status"]) == (
            "held",
            "held",
        )
    else:
        assert date_rows() == before


PATCH: dict[str, Answer] = ACT


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_who_may_assign_the_judge_and_edit_notes(world: World, who: str, role: str) -> None:
    plea = hearing(world)
    judge = world.user(Role.JUDGE)
    before = date_rows()

    response = api_as(persona(world, who, role)).patch(
        url("hearing-detail", plea.pk),
        {"judge": judge.pk, "notes": "Sealed exhibits."},
        format="json",
    )

    answer = expected(PATCH, who, role)
    assert answer_of(response) == answer
    if succeeded(answer):
        body = response.json()
        assert (body["judge"], body["judge_name"], body["notes"], body["sequence"]) == (
            judge.pk,
            name_of(judge),
            "Sealed exhibits.",
            1,
        )
    else:
        assert date_rows() == before


def test_patch_keeps_what_it_does_not_name_and_null_removes_the_judge(world: World) -> None:
    judge = world.user(Role.JUDGE)
    plea = hearing(world, judge_user=judge, notes="Keep me.")
    client = api_as(clerk(world))

    response = client.patch(url("hearing-detail", plea.pk), {"judge": None}, format="json")

    assert (response.status_code, response.json()["judge"], response.json()["notes"]) == (
        200,
        None,
        "Keep me.",
    )


ILLEGAL_MOVES = [
    (
        "cancel",
        "cancelled",
        "hearing-cancel",
        {"reason": "Again."},
        "This hearing is cancelled; it cannot be cancelled.",
    ),
    (
        "reschedule",
        "cancelled",
        "hearing-reschedule",
        RESCHEDULE_BODY,
        "This hearing is cancelled; it cannot be rescheduled.",
    ),
    (
        "held",
        "cancelled",
        "hearing-held",
        {},
        "This hearing is cancelled; it cannot be marked held.",
    ),
    (
        "reschedule",
        "held",
        "hearing-reschedule",
        RESCHEDULE_BODY,
        "This hearing is held; it cannot be rescheduled.",
    ),
    (
        "cancel",
        "held",
        "hearing-cancel",
        {"reason": "Too late."},
        "This hearing is held; it cannot be cancelled.",
    ),
]


@pytest.mark.parametrize(
    ("state", "route", "body", "detail"),
    [move[1:] for move in ILLEGAL_MOVES],
    ids=[f"{m[0]}_when_{m[1]}" for m in ILLEGAL_MOVES],
)
def test_illegal_moves_are_409_and_change_nothing(
    world: World, state: str, route: str, body: dict[str, Any], detail: str
) -> None:
    past = hearing(world, starts_at=at(2026, 11, 30, 9))
    if state == HearingStatus.CANCELLED:
        services.hearing_cancel(hearing=past, by=clerk(world), reason="Vacated.")
    else:
        services.hearing_mark_held(hearing=past, by=clerk(world))
    before = date_rows()

    response = api_as(clerk(world)).post(url(route, past.pk), body, format="json")

    assert (response.status_code, response.json()) == (
        409,
        {"detail": detail, "code": f"hearing_{state}"},
    )
    assert date_rows() == before


def test_a_hearing_is_marked_held_only_once_it_has_begun(world: World) -> None:
    plea = hearing(world)

    response = api_as(clerk(world)).post(url("hearing-held", plea.pk))

    assert (response.status_code, response.json()) == (
        409,
        {
            "detail": "This hearing starts at 2026-12-15 09:00 (America/New_York); it is marked "
            "held once it has begun.",
            "code": "hearing_not_begun",
        },
    )


def test_no_hearing_is_set_on_a_dismissed_case(world: World) -> None:
    body = schedule_body(world)
    case_services.case_transition(
        case=world.case, by=world.user(Role.PROSECUTOR), to_status="dismissed", reason="Nolle."
    )
    before = date_rows()

    response = api_as(clerk(world)).post(url("hearing-list"), body, format="json")

    assert (response.status_code, response.json()) == (
        409,
        {
            "detail": "No court dates are set on a case that is “Dismissed”.",
            "code": "case_ended",
        },
    )
    assert date_rows() == before


# --- the list: filters and queries ---------------------------------------------------------------


def test_list_filters(world: World) -> None:
    judge = world.user(Role.JUDGE)
    room2 = courtroom(world, "Courtroom 2")
    plea = hearing(world, judge_user=judge)  # 15 December
    arraignment = hearing(
        world, kind=HearingKind.ARRAIGNMENT, starts_at=at(2026, 12, 10, 10), room=room2
    )
    other = hearing(world, case=world.other_case, starts_at=at(2026, 12, 20, 10))
    gone = hearing(world, starts_at=at(2026, 12, 21, 10))
    services.hearing_cancel(hearing=gone, by=clerk(world), reason="Vacated.")
    client = api_as(clerk(world))

    def listed(**params: Any) -> list[int]:
        response = client.get(url("hearing-list", **params))
        assert response.status_code == 200, response.json()
        return ids(response)

    assert listed() == [arraignment.pk, plea.pk, other.pk, gone.pk]
    assert listed(case=world.case.pk) == [arraignment.pk, plea.pk, gone.pk]
    assert listed(case=world.foreign_case.pk) == []
    assert listed(court=world.court.pk) == [arraignment.pk, plea.pk, other.pk, gone.pk]
    assert listed(court=world.other_court.pk) == []
    assert listed(courtroom=room2.pk) == [arraignment.pk]
    assert listed(judge=judge.pk) == [plea.pk]
    assert listed(status="cancelled") == [gone.pk]
    assert listed(status=["scheduled", "cancelled"]) == [arraignment.pk, plea.pk, other.pk, gone.pk]
    assert listed(kind="arraignment") == [arraignment.pk]
    assert listed(starts_at__gte="2026-12-15T14:00:00Z") == [plea.pk, other.pk, gone.pk]
    assert listed(starts_at__lte="2026-12-15T14:00:00Z") == [arraignment.pk, plea.pk]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"case": "x"}, "case"),
        ({"court": "1.5"}, "court"),
        ({"courtroom": "room"}, "courtroom"),
        ({"judge": "judge"}, "judge"),
        ({"status": "postponed"}, "status"),
        ({"kind": "brunch"}, "kind"),
        ({"starts_at__gte": "tomorrow"}, "starts_at__gte"),
        ({"starts_at__lte": "2026-13-45"}, "starts_at__lte"),
    ],
)
def test_bad_filters_are_a_400_for_the_parameter(
    world: World, params: dict[str, str], field: str
) -> None:
    response = api_as(clerk(world)).get(url("hearing-list", **params))

    assert (response.status_code, list(response.json())) == (400, [field])


def test_huge_filter_ids_find_nothing(world: World) -> None:
    hearing(world)

    response = api_as(clerk(world)).get(url("hearing-list", case=HUGE, courtroom=HUGE))

    assert (response.status_code, ids(response)) == (200, [])


def test_list_pages_in_date_order(world: World) -> None:
    made = [hearing(world, starts_at=at(2026, 12, 14 - i, 9)) for i in range(3)]
    client = api_as(world.user(Role.DEFENDANT))

    first = client.get(url("hearing-list", page_size=2)).json()
    second = client.get(first["next"]).json()

    assert [r["id"] for r in first["results"]] == [made[2].pk, made[1].pk]
    assert [r["id"] for r in second["results"]] == [made[0].pk]
    assert second["next"] is None


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage!",
        base64.b64encode(b"p=not-a-time").decode(),
        base64.b64encode(b"p=2026-12-15 14:00:00+00:00&o=-5").decode(),
    ],
    ids=["not_base64", "bad_position", "negative_offset"],
)
def test_a_bad_cursor_is_not_a_500(world: World, cursor: str) -> None:
    hearing(world)

    response = api_as(clerk(world)).get(url("hearing-list", cursor=cursor))

    assert (response.status_code, response.json()) == (400, {"cursor": [INVALID_CURSOR]})


def test_list_query_count_does_not_grow_with_hearings(world: World) -> None:
    judge = world.user(Role.JUDGE)
    hearing(world, judge_user=judge)
    client = api_as(world.user(Role.DEFENSE_COUNSEL))

    one, queries_for_one = counting_queries(lambda: client.get(url("hearing-list")))
    for day in range(1, 13):
        for room in ("Courtroom 1", "Courtroom 2"):
            hearing(
                world,
                starts_at=at(2027, 1, day, 9),
                room=courtroom(world, room),
                judge_user=judge,
            )
    many, queries_for_many = counting_queries(lambda: client.get(url("hearing-list")))

    assert (len(one.json()["results"]), len(many.json()["results"])) == (1, 25)
    assert queries_for_one == queries_for_many == HEARING_LIST_QUERIES


def test_list_query_count_with_filters(world: World, django_assert_num_queries: Any) -> None:
    for day in range(1, 6):
        hearing(world, starts_at=at(2027, 1, day, 9))
    client = api_as(clerk(world))

    with django_assert_num_queries(HEARING_LIST_QUERIES):
        response = client.get(
            url("hearing-list", case=world.case.pk, status="scheduled", court=world.court.pk)
        )

    assert len(response.json()["results"]) == 5


def test_detail_query_count_does_not_grow_with_history(
    world: World, django_assert_num_queries: Any
) -> None:
    plea = hearing(world)
    for day in (16, 17, 18):
        services.hearing_reschedule(
            hearing=plea,
            by=clerk(world),
            starts_at=at(2026, 12, day, 9),
            ends_at=at(2026, 12, day, 10),
            reason=f"Continued to the {day}th.",
        )
    client = api_as(world.user(Role.PROSECUTOR))

    with django_assert_num_queries(HEARING_DETAIL_QUERIES):
        response = client.get(url("hearing-detail", plea.pk))

    assert len(response.json()["changes"]) == 4


# --- courtrooms ----------------------------------------------------------------------------------

# Courtrooms of the courts a persona comes across: the courts they sit in or have cases in.
SEES_ROOMS_OF: dict[tuple[str, str], set[str]] = {
    **{("party", role): {"court"} for role in [*PARTIES, *KEEPERS]},
    # The stranger prosecutor leads the other case (this court) and the foreign case.
    ("stranger", Role.PROSECUTOR): {"court", "other_court"},
    ("stranger", Role.DEFENSE_COUNSEL): set(),
    ("stranger", Role.DUTY_LAWYER): set(),
    ("stranger", Role.DEFENDANT): set(),
    ("stranger", Role.JUDGE): {"other_court"},
    ("stranger", Role.COURT_STAFF): {"other_court"},
}


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_who_sees_which_courtrooms(world: World, who: str, role: str) -> None:
    rooms = {
        "court": courtroom(world, "Courtroom 1"),
        "other_court": courtroom(world, "Courtroom 9", court=world.other_court),
    }
    client = api_as(persona(world, who, role))

    listed = client.get(url("courtroom-list"))
    detail = client.get(url("courtroom-detail", rooms["court"].pk))

    assert sorted(ids(listed)) == sorted(rooms[c].pk for c in SEES_ROOMS_OF[(who, role)])
    assert detail.status_code == (200 if "court" in SEES_ROOMS_OF[(who, role)] else 404)


def test_courtroom_list_query_count(world: World, django_assert_num_queries: Any) -> None:
    for i in range(12):
        courtroom(world, f"Courtroom {i}")
    client = api_as(world.user(Role.DEFENDANT))

    with django_assert_num_queries(COURTROOM_LIST_QUERIES):
        response = client.get(url("courtroom-list"))

    assert len(response.json()["results"]) == 12


ADD_ROOM: dict[str, Answer] = {
    Role.COURT_STAFF: 201,
    **dict.fromkeys([*PARTIES, Role.JUDGE], (403, COURT_STAFF_ONLY_COURTROOMS)),
}


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_who_may_add_a_courtroom(world: World, who: str, role: str) -> None:
    before = date_rows()

    response = api_as(persona(world, who, role)).post(
        url("courtroom-list"), {"court": world.court.pk, "name": "4B"}, format="json"
    )

    answer = expected(ADD_ROOM, who, role, stranger=(403, COURT_STAFF_ONLY_COURTROOMS))
    assert answer_of(response) == answer
    if succeeded(answer):
        assert response.json() == {
            "id": Courtroom.objects.get(name="4B").pk,
            "court": world.court.pk,
            "court_name": "District Court",
            "name": "4B",
        }
    else:
        assert date_rows() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"court": MISSING_ID, "name": "4B"}, "court"),
        ({"court": HUGE, "name": "4B"}, "court"),
        ({"name": "4B"}, "court"),
        ({"court": "first", "name": "4B"}, "court"),
        ({"court": "OWN", "name": "x" * 101}, "name"),
        ({"court": "OWN", "name": ""}, "name"),
        ({"court": "OWN"}, "name"),
    ],
    ids=["missing_court", "huge_court", "no_court", "text_court", "long_name", "blank", "no_name"],
)
def test_bad_courtroom_is_a_400(world: World, body: dict[str, Any], field: str) -> None:
    if body.get("court") == "OWN":
        body = {**body, "court": world.court.pk}
    before = date_rows()

    response = api_as(clerk(world)).post(url("courtroom-list"), body, format="json")

    assert (response.status_code, list(response.json())) == (400, [field])
    assert date_rows() == before


def test_a_courtroom_name_is_unique_within_its_court(world: World) -> None:
    courtroom(world, "4B")

    response = api_as(clerk(world)).post(
        url("courtroom-list"), {"court": world.court.pk, "name": "4b"}, format="json"
    )

    assert (response.status_code, response.json()) == (
        400,
        {"name": ["District Court already has a courtroom “4b”."]},
    )


# --- the schema ----------------------------------------------------------------------------------

COURT_DATE_PATHS = {
    "/api/v1/hearings/",
    "/api/v1/hearings/{id}/",
    "/api/v1/hearings/{id}/cancel/",
    "/api/v1/hearings/{id}/held/",
    "/api/v1/hearings/{id}/reschedule/",
    "/api/v1/deadlines/",
    "/api/v1/deadlines/{id}/",
    "/api/v1/deadlines/{id}/cancel/",
    "/api/v1/deadlines/{id}/complete/",
    "/api/v1/deadlines/{id}/override/",
    "/api/v1/deadlines/{id}/remove-override/",
    "/api/v1/deadlines/{id}/reopen/",
    "/api/v1/rules/",
    "/api/v1/rules/{id}/",
    "/api/v1/rules/{id}/preview/",
    "/api/v1/courtrooms/",
    "/api/v1/courtrooms/{id}/",
    "/api/v1/closures/",
    "/api/v1/closures/{id}/",
    "/api/v1/notifications/",
    "/api/v1/notifications/{id}/",
    "/api/v1/notifications/{id}/read/",
    "/api/v1/notifications/read-all/",
    "/api/v1/notifications/unread-count/",
    "/api/v1/alert-preferences/",
    "/api/v1/alert-preferences/{kind}/",
    "/api/v1/alert-settings/",
}


def test_schema_describes_the_court_date_endpoints_without_warnings(
    db: None, tmp_path: Path
) -> None:
    # Raises SchemaGenerationError on any warning (an enum name collision, an unnamed
    # component), SchemaValidationError on an invalid schema.
    call_command(
        "spectacular",
        "--fail-on-warn",
        "--validate",
        "--format",
        "openapi-json",
        "--file",
        str(tmp_path / "s.json"),
    )
    schema = json.loads((tmp_path / "s.json").read_text())

    assert set(schema["paths"]) >= COURT_DATE_PATHS
    tags = {
        tag
        for path in COURT_DATE_PATHS
        for operation in schema["paths"][path].values()
        for tag in operation["tags"]
    }
    assert tags == {"court dates", "alerts"}
    assert schema["components"]["schemas"]["HearingStatusEnum"]["enum"] == [
        "scheduled",
        "continued",
        "held",
        "cancelled",
    ]
