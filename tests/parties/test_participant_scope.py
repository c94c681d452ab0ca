"""Who may be added to a case, and what adding them tells whom (issue 14).

- A prosecutor works in the courts of their office's jurisdiction: one of another jurisdiction
  added to a case would read its prosecution's wall and drafts. The same holds for defense
  counsel and duty lawyers whose firm or legal-aid centre is of another jurisdiction
  (cases.permissions.participation_refusal).
- A possible conflict of interest is told with the connected case named by its docket number
  only to a reader who may see that case: the clerk's 409, and after an override everyone on the
  case (the defendant, API clients included) in the participants list, the API, the history
  and its exports.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from cases import party_services
from cases import services as case_services
from core.exceptions import Conflict
from parties.models import CaseParticipant, Role
from parties.services import profile_set
from tests import factories
from tests.conftest import World, api_as, make_user
from tests.integration_helpers import bearer, court_client

FOREIGN = "2:26-cr-00003"  # the world's case in the other court


def _cn_office(kind: str) -> object:
    return factories.OrganizationFactory.create(
        name=f"Haidian {kind}", kind=kind, jurisdiction=factories.jurisdiction("cn")
    )


@pytest.mark.parametrize(
    ("role", "kind"),
    [
        (Role.PROSECUTOR, "prosecutor_office"),
        (Role.DEFENSE_COUNSEL, "private_firm"),
        (Role.DUTY_LAWYER, "legal_aid"),
    ],
)
def test_a_lawyer_of_another_jurisdiction_is_not_added(world: World, role: str, kind: str) -> None:
    outsider = make_user(f"cn_{role}", role, _cn_office(kind))  # type: ignore[arg-type]
    before = CaseParticipant.objects.count()

    with pytest.raises(ValidationError) as refused:
        party_services.participant_add(
            case=world.case, by=world.user(Role.COURT_STAFF), role=role, user=outsider
        )

    assert refused.value.message_dict == {
        "user": [
            f"{outsider.username} works for Haidian {kind} (People's Republic of China); "
            "this court is of United States federal courts."
        ]
    }
    assert CaseParticipant.objects.count() == before


def test_the_api_refuses_a_prosecutor_of_another_jurisdiction_with_a_400(world: World) -> None:
    outsider = make_user("cn_prosecutor", Role.PROSECUTOR, _cn_office("prosecutor_office"))  # type: ignore[arg-type]

    response = api_as(world.user(Role.PROSECUTOR)).post(
        "/api/v1/participants/",
        {"case": world.case.pk, "role": Role.PROSECUTOR, "user": outsider.pk},
        format="json",
    )

    assert response.status_code == 400
    assert "this court is of United States federal courts" in response.json()["user"][0]
    assert not CaseParticipant.objects.filter(user=outsider).exists()


def test_a_prosecutor_of_no_office_is_not_added(world: World) -> None:
    loner = make_user("loner", Role.PROSECUTOR, None)

    with pytest.raises(ValidationError) as refused:
        party_services.participant_add(
            case=world.case, by=world.user(Role.PROSECUTOR), role=Role.PROSECUTOR, user=loner
        )

    assert refused.value.message_dict == {"user": ["loner belongs to no prosecutor's office."]}


def test_a_prosecutor_of_the_same_jurisdiction_is_added(world: World) -> None:
    colleague = make_user("colleague", Role.PROSECUTOR, world.orgs["da"])

    part = party_services.participant_add(
        case=world.case, by=world.user(Role.PROSECUTOR), role=Role.PROSECUTOR, user=colleague
    )

    assert part.is_active


# --- conflicts of interest name only the cases the reader sees ------------------------------


@pytest.fixture
def turncoat(world: World) -> User:
    """Ann prosecuted Jane Doe on the other court's case, then became a federal defender."""
    foreign = world.foreign_case
    stranger = world.strangers[Role.PROSECUTOR]
    party_services.participant_add(
        case=foreign,
        by=stranger,
        role=Role.DEFENDANT,
        defendant=world.defendant,
        start_date=foreign.opened_on,
    )
    ann = make_user("ann", Role.PROSECUTOR, world.orgs["da"])
    party_services.participant_add(
        case=foreign, by=stranger, role=Role.PROSECUTOR, user=ann, start_date=foreign.opened_on
    )
    profile_set(user=ann, role_kind=Role.DEFENSE_COUNSEL, organization=world.orgs["pd"])
    return User.objects.select_related("profile").get(pk=ann.pk)


def test_the_clerks_409_does_not_name_a_connected_case_they_cannot_see(
    world: World, turncoat: User
) -> None:
    clerk = world.user(Role.COURT_STAFF)

    with pytest.raises(Conflict) as refused:
        party_services.participant_add(
            case=world.case, by=clerk, role=Role.DEFENSE_COUNSEL, user=turncoat
        )

    (sentence,) = refused.value.details["conflicts"]
    assert sentence == (
        f"On another case that shares a defendant with this one, {turncoat.get_full_name()} "
        "is prosecutor."
    )
    assert FOREIGN not in refused.value.message


def test_a_connected_case_the_reader_sees_is_named(world: World) -> None:
    """The same check, when the connected case is one of the clerk's own court."""
    clerk = world.user(Role.COURT_STAFF)
    connected = case_services.case_open(
        court=world.court,
        docket_number="1:26-cr-00050",
        caption="United States v. Doe and Roe",
        by=clerk,
        opened_on=dt.date(2026, 1, 8),
    )
    party_services.participant_add(
        case=connected,
        by=clerk,
        role=Role.DEFENDANT,
        defendant=world.defendant,
        start_date=dt.date(2026, 1, 8),
    )
    bob = make_user("bob", Role.PROSECUTOR, world.orgs["da"])
    party_services.participant_add(
        case=connected, by=clerk, role=Role.PROSECUTOR, user=bob, start_date=dt.date(2026, 1, 8)
    )
    profile_set(user=bob, role_kind=Role.DEFENSE_COUNSEL, organization=world.orgs["pd"])
    bob = User.objects.select_related("profile").get(pk=bob.pk)

    with pytest.raises(Conflict) as refused:
        party_services.participant_add(
            case=world.case, by=clerk, role=Role.DEFENSE_COUNSEL, user=bob
        )

    assert refused.value.details["conflicts"] == [
        f"On 1:26-cr-00050, a case that shares a defendant with this one, "
        f"{bob.get_full_name()} is prosecutor."
    ]


def test_after_an_override_nobody_on_the_case_reads_the_connected_docket(
    world: World, turncoat: User
) -> None:
    clerk = world.user(Role.COURT_STAFF)
    party_services.participant_add(
        case=world.case,
        by=clerk,
        role=Role.DEFENSE_COUNSEL,
        user=turncoat,
        conflict_override_reason="The defendant asked for her; she left that office in 2025.",
    )
    _client, key = court_client(world)
    # Jane Doe is a defendant on both cases: she may read which one.
    named = (
        f"On {FOREIGN}, a case that shares a defendant with this one, "
        f"{turncoat.get_full_name()} is prosecutor."
    )
    defendant = api_as(world.user(Role.DEFENDANT)).get(
        "/api/v1/participants/", {"case": world.case.pk}
    )
    assert [p["conflicts"] for p in defendant.json()["results"] if p["user"] == turncoat.pk] == [
        [named]
    ]
    readers = [
        ("prosecutor", api_as(world.user(Role.PROSECUTOR))),
        ("judge", api_as(world.user(Role.JUDGE))),
        ("clerk", api_as(clerk)),
        ("docket system", bearer(key)),
    ]
    for name, api in readers:
        participants = api.get("/api/v1/participants/", {"case": world.case.pk}).json()
        (hers,) = [p for p in participants["results"] if p["user"] == turncoat.pk]
        assert hers["conflicts"] == [
            f"On another case that shares a defendant with this one, "
            f"{turncoat.get_full_name()} is prosecutor."
        ], name
        history = api.get(f"/api/v1/cases/{world.case.pk}/history/", {"page_size": 200})
        csv = api.get(f"/api/v1/cases/{world.case.pk}/history/export/", {"as": "csv"})
        jsonl = api.get(f"/api/v1/cases/{world.case.pk}/history/export/", {"as": "jsonl"})
        for response in (history, csv, jsonl):
            text = (
                b"".join(response.streaming_content)  # type: ignore[attr-defined]
                if getattr(response, "streaming", False)
                else response.content
            ).decode()
            assert FOREIGN not in text, name
    for user in (world.user(Role.PROSECUTOR), clerk):
        page = Client()
        page.force_login(user)
        html = page.get(reverse("cases:detail", args=[world.case.pk])).content.decode()
        assert "Conflict overridden" in html
        assert "another case that shares a defendant" in html
        assert FOREIGN not in html


def test_the_stored_conflicts_are_facts_not_sentences(world: World, turncoat: User) -> None:
    part = party_services.participant_add(
        case=world.case,
        by=world.user(Role.COURT_STAFF),
        role=Role.DEFENSE_COUNSEL,
        user=turncoat,
        conflict_override_reason="Asked for by the defendant.",
    )

    assert part.conflicts == [
        {"kind": "other_side", "case": world.foreign_case.pk, "role": "prosecutor", "until": None}
    ]
