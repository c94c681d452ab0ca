"""My cases: the cases a person is on now (for the court: its recent cases), counted by status."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from cases import party_services
from cases import services as case_services
from cases.models import CaseStatus
from parties.models import CaseParticipant, Role
from tests.conftest import ROLES, World, make_user

COURT_ROLES = {Role.JUDGE, Role.COURT_STAFF}


def dashboard(client: Client) -> str:
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    return response.content.decode()


def listed(html: str) -> set[str]:
    return set(re.findall(r'href="/cases/(\d+)/"', html))


def counts(client: Client) -> dict[str, int]:
    response = client.get(reverse("dashboard"))
    return {item["status"]: item["count"] for item in response.context["status_counts"]}


@pytest.mark.parametrize("role", ROLES)
def test_my_cases_lists_the_case_i_am_on(client: Client, world: World, role: Role) -> None:
    client.force_login(world.user(role))
    ids = listed(dashboard(client))
    assert str(world.case.pk) in ids
    # The court follows its whole docket; parties only their own cases.
    assert (str(world.other_case.pk) in ids) == (role in COURT_ROLES)
    assert str(world.foreign_case.pk) not in ids


@pytest.mark.parametrize("role", ROLES)
def test_strangers_do_not_see_the_case_on_my_cases(
    client: Client, world: World, role: Role
) -> None:
    client.force_login(world.strangers[role])
    ids = listed(dashboard(client))
    assert str(world.case.pk) not in ids
    if role in COURT_ROLES:  # they sit in the other court
        assert ids == {str(world.foreign_case.pk)}


def test_party_without_cases_is_told_how_cases_arrive(client: Client, world: World) -> None:
    client.force_login(world.strangers[Role.DEFENSE_COUNSEL])
    html = dashboard(client)
    assert listed(html) == set()
    assert "You are not on any case at the moment" in html


def test_ended_participation_leaves_my_cases(client: Client, world: World) -> None:
    duty = world.user(Role.DUTY_LAWYER)
    participation = CaseParticipant.objects.get(case=world.case, user=duty)
    # Duty lawyers are released by the court (cases.permissions.PARTICIPANT_ROLE_MANAGERS).
    party_services.participant_end(participant=participation, by=world.user(Role.COURT_STAFF))
    client.force_login(duty)
    assert str(world.case.pk) not in listed(dashboard(client))


def test_my_cases_shows_my_part_status_and_next_step(client: Client, world: World) -> None:
    client.force_login(world.user(Role.DEFENSE_COUNSEL))
    html = dashboard(client)
    row = html[html.index("1:26-cr-00001") :]
    row = row[: row.index("</tr>")]
    assert "Defense counsel" in row
    assert ">Lead<" in row
    assert ">Intake<" in row
    assert "Negotiating, Trial, Dismissed" in row  # where intake may go next
    assert "District Court" in row
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d (EST|EDT)", row)  # court time, labelled


def test_defendant_sees_their_case_as_defendant(client: Client, world: World) -> None:
    client.force_login(world.user(Role.DEFENDANT))
    html = dashboard(client)
    row = html[html.index("1:26-cr-00001") :]
    assert "Defendant" in row[: row.index("</tr>")]


def test_counts_by_status(client: Client, world: World) -> None:
    clerk = world.user(Role.COURT_STAFF)
    case_services.case_transition(case=world.other_case, to_status=CaseStatus.TRIAL, by=clerk)
    client.force_login(clerk)
    assert counts(client) == {
        "intake": 1,
        "negotiating": 0,
        "agreement": 0,
        "plea_entered": 0,
        "trial": 1,
        "sentenced": 0,
        "dismissed": 0,
        "closed": 0,
    }
    client.force_login(world.user(Role.DEFENSE_COUNSEL))
    assert counts(client)["intake"] == 1
    assert counts(client)["trial"] == 0  # not their case


def test_open_a_case_link_only_for_those_who_may(client: Client, world: World) -> None:
    link = f'href="{reverse("cases:open")}"'
    for role in ROLES:
        client.force_login(world.user(role))
        assert (link in dashboard(client)) == (role in {Role.PROSECUTOR, Role.COURT_STAFF}), role


def open_cases(by: object, court: object, n: int) -> None:
    for i in range(n):
        case_services.case_open(
            court=court,  # type: ignore[arg-type]
            docket_number=f"9:26-cr-{i:05d}",
            caption=f"United States v. Many {i}",
            by=by,  # type: ignore[arg-type]
            opened_on=dt.date(2026, 2, 1),
        )


@pytest.mark.parametrize("rows", [1, 50])
def test_my_cases_query_count_does_not_grow_for_a_prosecutor(
    client: Client, world: World, django_assert_num_queries: object, rows: int
) -> None:
    prosecutor = make_user("busy_prosecutor", Role.PROSECUTOR, world.orgs["da"])
    open_cases(prosecutor, world.other_court, rows)
    client.force_login(prosecutor)
    # session, user, profile, organization (header), counts, rows; the header's unread
    # notifications badge (1); "Upcoming": hearings, the reader's courts, deadlines (3)
    with django_assert_num_queries(10):  # type: ignore[operator]
        html = dashboard(client)
    assert len(listed(html)) == rows


@pytest.mark.parametrize("rows", [1, 50])
def test_my_cases_query_count_does_not_grow_for_a_clerk(
    client: Client, world: World, django_assert_num_queries: object, rows: int
) -> None:
    clerk = make_user("busy_clerk", Role.COURT_STAFF, world.orgs["court"])
    case_services.court_member_add(court=world.other_court, user=clerk)
    open_cases(clerk, world.other_court, rows - 1)  # plus the world's foreign case
    client.force_login(clerk)
    # as above: 6, the unread badge, "Upcoming" (3)
    with django_assert_num_queries(10):  # type: ignore[operator]
        html = dashboard(client)
    assert len(listed(html)) == rows
