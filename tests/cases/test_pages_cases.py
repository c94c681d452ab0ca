"""The case list and the case page: who sees which case, what the page shows, which forms.

Expectations are written out per role (below) rather than read from cases.permissions, so that
a change of rule shows up here as a failing page test, not as a silent change of the pages.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from cases import party_services
from cases import services as case_services
from cases.models import Case, CaseStatus
from parties.models import CaseParticipant, Role
from tests.conftest import ROLES, World, make_user

# Judges and clerks see every case of their court through the court's group.
COURT_ROLES = {Role.JUDGE, Role.COURT_STAFF}
# Who may change a case they see, charge it and add to its parties: the prosecution, and court
# staff, who keep the court's docket (cases.permissions.COURT_STAFF_PERMISSIONS). Judges see
# and rule only: the court group holds view and status moves (COURT_GROUP_PERMISSIONS).
CASE_MANAGERS = {Role.PROSECUTOR, Role.COURT_STAFF}
# Who may move the case out of intake: the prosecution and the court.
INTAKE_MOVERS = {Role.PROSECUTOR, Role.JUDGE, Role.COURT_STAFF}
# The roles whose participations each role may add and end (PARTICIPANT_ROLE_MANAGERS): the
# prosecution its own prosecutors and the defendant; the court everyone. In Role order, as the
# add-participant form offers them.
ROLES_MANAGED_BY: dict[Role, list[Role]] = {
    Role.PROSECUTOR: [Role.PROSECUTOR, Role.DEFENDANT],
    Role.COURT_STAFF: list(Role),
}


def page(client: Client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def detail_url(case: Case) -> str:
    return reverse("cases:detail", args=[case.pk])


def form_actions(world: World, case: Case) -> dict[str, str]:
    """The action attribute of each form a case page may show."""
    return {
        "charge": reverse("cases:charge-add", args=[case.pk]),
        "participant": reverse("cases:participant-add", args=[case.pk]),
        "edit": reverse("cases:update", args=[case.pk]),
        "move": reverse("cases:transition", args=[case.pk]),
    }


def open_cases(court_member_or_prosecutor: object, court: object, n: int) -> list[Case]:
    return [
        case_services.case_open(
            court=court,  # type: ignore[arg-type]
            docket_number=f"9:26-cr-{i:05d}",
            caption=f"United States v. Many {i}",
            by=court_member_or_prosecutor,  # type: ignore[arg-type]
            opened_on=dt.date(2026, 2, 1),
        )
        for i in range(n)
    ]


# --- the case page: who sees it ------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_the_page_of_its_own_case(client: Client, world: World, role: Role) -> None:
    client.force_login(world.user(role))
    html = page(client, detail_url(world.case))
    assert "United States v. Doe" in html
    assert "1:26-cr-00001" in html


@pytest.mark.parametrize("role", ROLES)
def test_only_the_court_sees_the_page_of_another_case_in_its_court(
    client: Client, world: World, role: Role
) -> None:
    client.force_login(world.user(role))
    if role in COURT_ROLES:
        assert "United States v. Roe" in page(client, detail_url(world.other_case))
    else:
        html = page(client, detail_url(world.other_case), 404)
        assert "United States v. Roe" not in html
        assert "Page not found" in html


@pytest.mark.parametrize("role", ROLES)
def test_strangers_get_not_found_for_the_case(client: Client, world: World, role: Role) -> None:
    client.force_login(world.strangers[role])
    html = page(client, detail_url(world.case), 404)
    assert "United States v. Doe" not in html


def test_a_missing_case_looks_like_one_you_may_not_see(client: Client, world: World) -> None:
    client.force_login(world.user(Role.DEFENSE_COUNSEL))
    missing = page(client, reverse("cases:detail", args=[999_999]), 404)
    hidden = page(client, detail_url(world.other_case), 404)
    csrf = re.compile(r'(X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+')
    assert csrf.sub("", missing) == csrf.sub("", hidden)


def test_ended_participation_closes_the_page(client: Client, world: World) -> None:
    counsel = world.user(Role.DEFENSE_COUNSEL)
    participation = CaseParticipant.objects.get(case=world.case, user=counsel)
    # Counsel is released by the court (cases.permissions.PARTICIPANT_ROLE_MANAGERS).
    party_services.participant_end(participant=participation, by=world.user(Role.COURT_STAFF))
    client.force_login(counsel)
    page(client, detail_url(world.case), 404)


# --- the case page: what it shows ----------------------------------------------------------


def test_case_page_shows_court_time_zone_and_charges(client: Client, world: World) -> None:
    client.force_login(world.user(Role.DEFENSE_COUNSEL))
    html = page(client, detail_url(world.case))
    assert "District Court" in html
    assert "America/New_York" in html
    charges = html[html.index('id="charges"') : html.index('id="parties"')]
    assert "21 U.S.C. 841(a)(1)" in charges
    assert "Distribution of fentanyl" in charges
    assert "60\N{EN DASH}240" in charges  # statutory range in months
    assert re.search(r"<td[^>]*>60</td>", charges)  # mandatory minimum
    assert "Felony" in charges
    assert "Pending" in charges


def test_case_page_groups_parties_by_side_with_lead_and_organization(
    client: Client, world: World
) -> None:
    client.force_login(world.user(Role.COURT_STAFF))
    html = page(client, detail_url(world.case))
    parties = html[html.index('id="parties"') :]
    prosecution = parties.index(">Prosecution<")
    defense = parties.index(">Defense<")
    court = parties.index(">Court<")
    assert prosecution < defense < court
    counsel = world.user(Role.DEFENSE_COUNSEL).get_full_name()
    assert defense < parties.index(counsel) < court
    assert "Federal Defender" in parties
    assert "Jane Doe" in parties
    assert 'class="tag">Lead<' in parties


def test_sealed_case_says_so_in_words(client: Client, world: World) -> None:
    case_services.case_update(case=world.case, by=world.user(Role.PROSECUTOR), sealed=True)
    client.force_login(world.user(Role.DEFENSE_COUNSEL))
    assert ">Sealed<" in page(client, detail_url(world.case))
    assert ">Sealed<" in page(client, reverse("cases:list"))


def test_unsealed_case_has_no_sealed_badge(client: Client, world: World) -> None:
    client.force_login(world.user(Role.DEFENSE_COUNSEL))
    assert ">Sealed<" not in page(client, detail_url(world.case))


def test_status_history_is_shown_in_court_time(client: Client, world: World) -> None:
    with time_machine.travel(dt.datetime(2026, 1, 20, 15, 30, tzinfo=dt.UTC), tick=False):
        case_services.case_transition(
            case=world.case,
            to_status=CaseStatus.NEGOTIATING,
            by=world.user(Role.PROSECUTOR),
            reason="Discovery complete",
        )
    client.force_login(world.user(Role.DUTY_LAWYER))
    html = page(client, detail_url(world.case))
    history = html[html.index("History") :]
    assert "2026-01-20 10:30 EST" in history  # 15:30 UTC in New York
    assert "Discovery complete" in history
    assert ">Negotiating<" in html


# --- the case page: which forms ------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_forms_are_shown_only_to_roles_that_may_use_them(
    client: Client, world: World, role: Role
) -> None:
    client.force_login(world.user(role))
    html = page(client, detail_url(world.case))
    actions = form_actions(world, world.case)
    for name in ("charge", "participant", "edit"):
        shown = f'action="{actions[name]}"' in html
        assert shown == (role in CASE_MANAGERS), (name, role)
    assert (f'action="{actions["move"]}"' in html) == (role in INTAKE_MOVERS)
    on_the_case = set(
        CaseParticipant.objects.filter(case=world.case).values_list("role", flat=True)
    )
    assert ended_roles_offered(html, world.case) == on_the_case & set(
        ROLES_MANAGED_BY.get(role, [])
    )


def ended_roles_offered(html: str, case: Case) -> set[str]:
    """The roles of the participations the page offers to end (an "End" form on their row)."""
    ids = re.findall(rf'action="/cases/{case.pk}/participants/(\d+)/end/"', html)
    roles = CaseParticipant.objects.filter(pk__in=ids).values_list("role", flat=True)
    assert len(ids) == len(set(ids)) == len(roles)
    return set(roles)


def role_choices(html: str) -> list[str]:
    start = html.index('name="participant-role"')
    select = html[start : html.index("</select>", start)]
    return re.findall(r'<option value="([^"]*)"', select)


@pytest.mark.parametrize("role", sorted(ROLES_MANAGED_BY))
def test_add_participant_form_offers_only_the_roles_the_user_may_add(
    client: Client, world: World, role: Role
) -> None:
    client.force_login(world.user(role))
    html = page(client, detail_url(world.case))
    assert role_choices(html) == ["", *ROLES_MANAGED_BY[role]]


def test_prosecutors_form_offers_only_prosecutor_and_defendant(
    client: Client, world: World
) -> None:
    client.force_login(world.user(Role.PROSECUTOR))
    html = page(client, detail_url(world.case))
    start = html.index('name="participant-role"')
    select = html[start : html.index("</select>", start)]
    assert re.findall(r"<option [^>]*>([^<]+)</option>", select) == [
        "Choose a role",
        "Prosecutor",
        "Defendant",
    ]
    for role in ("defense_counsel", "duty_lawyer", "judge", "court_staff"):
        assert f'value="{role}"' not in select


def test_prosecutor_may_end_only_the_prosecution_and_the_defendant(
    client: Client, world: World
) -> None:
    client.force_login(world.user(Role.PROSECUTOR))
    html = page(client, detail_url(world.case))
    parties = html[html.index('id="parties"') :]
    for role, label in (
        (Role.DEFENSE_COUNSEL, "Defense counsel"),
        (Role.DUTY_LAWYER, "Duty lawyer"),
    ):
        name = world.user(role).get_full_name()
        row = parties[parties.index(name) : parties.index("</tr>", parties.index(name))]
        assert f"<td>{label}</td>" in row
        assert "End participation" not in row
    defendant_row = parties[parties.index("Jane Doe") :]
    assert "End participation" in defendant_row[: defendant_row.index("</tr>")]


@pytest.mark.parametrize("case_name", ["case", "other_case"])
def test_judge_sees_no_edit_charge_or_participant_forms(
    client: Client, world: World, case_name: str
) -> None:
    # On their own case and on another of their court: the judge rules, the clerk keeps the
    # docket. The move form is the one form the judge gets.
    case = getattr(world, case_name)
    client.force_login(world.user(Role.JUDGE))
    html = page(client, detail_url(case))
    actions = form_actions(world, case)
    for name in ("charge", "participant", "edit"):
        assert f'action="{actions[name]}"' not in html, name
    assert 'name="participant-role"' not in html
    assert 'name="charge-statute"' not in html
    assert 'name="edit-caption"' not in html
    assert "End participation" not in html
    assert ended_roles_offered(html, case) == set()
    assert f'action="{actions["move"]}"' in html


@pytest.mark.parametrize("case_name", ["case", "other_case"])
def test_clerk_sees_every_form_on_every_case_of_the_court(
    client: Client, world: World, case_name: str
) -> None:
    case = getattr(world, case_name)
    client.force_login(world.user(Role.COURT_STAFF))
    html = page(client, detail_url(case))
    for name, action in form_actions(world, case).items():
        assert f'action="{action}"' in html, name
    assert ended_roles_offered(html, case) == set(
        CaseParticipant.objects.filter(case=case).values_list("role", flat=True)
    )


def test_prosecutor_is_offered_only_the_moves_of_the_prosecution(
    client: Client, world: World
) -> None:
    client.force_login(world.user(Role.PROSECUTOR))
    html = page(client, detail_url(world.case))
    start = html.index('name="move-to_status"')
    select = html[start : html.index("</select>", start)]
    assert '<option value="" selected>Choose a status</option>' in select
    assert 'value="negotiating"' in select
    assert 'value="dismissed"' in select
    assert 'value="trial"' not in select  # the court's move
    assert "by court" in html  # but the page says who may make it


def test_clerk_is_offered_every_move_of_the_court(client: Client, world: World) -> None:
    client.force_login(world.user(Role.COURT_STAFF))
    html = page(client, detail_url(world.case))
    start = html.index('name="move-to_status"')
    select = html[start : html.index("</select>", start)]
    for status in ("negotiating", "trial", "dismissed"):
        assert f'value="{status}"' in select


def test_charge_form_offers_only_the_statutes_of_the_court(client: Client, world: World) -> None:
    client.force_login(world.user(Role.PROSECUTOR))
    html = page(client, detail_url(world.case))
    start = html.index('name="charge-statute"')
    select = html[start : html.index("</select>", start)]
    assert f'value="{world.statute.pk}"' in select
    assert f'value="{world.lesser_statute.pk}"' in select
    assert f'value="{world.foreign_statute.pk}"' not in select


def test_closed_case_offers_no_moves(client: Client, world: World) -> None:
    clerk = world.user(Role.COURT_STAFF)
    for status in (CaseStatus.DISMISSED, CaseStatus.CLOSED):
        case_services.case_transition(case=world.case, to_status=status, by=clerk)
    client.force_login(clerk)
    html = page(client, detail_url(world.case))
    assert f'action="{reverse("cases:transition", args=[world.case.pk])}"' not in html
    assert "None: this case is closed." in html


# --- the case list -------------------------------------------------------------------------


def listed(html: str) -> set[str]:
    return set(re.findall(r'href="/cases/(\d+)/"', html))


@pytest.mark.parametrize("role", ROLES)
def test_case_list_shows_own_case_and_the_courts_cases_to_the_court(
    client: Client, world: World, role: Role
) -> None:
    client.force_login(world.user(role))
    ids = listed(page(client, reverse("cases:list")))
    expected = {str(world.case.pk)}
    if role in COURT_ROLES:
        expected.add(str(world.other_case.pk))
    assert ids == expected


@pytest.mark.parametrize("role", ROLES)
def test_case_list_of_strangers_does_not_show_the_case(
    client: Client, world: World, role: Role
) -> None:
    client.force_login(world.strangers[role])
    assert str(world.case.pk) not in listed(page(client, reverse("cases:list")))


def test_case_list_searches_docket_number_and_caption(client: Client, world: World) -> None:
    client.force_login(world.user(Role.COURT_STAFF))
    url = reverse("cases:list")
    assert listed(page(client, f"{url}?q=00002")) == {str(world.other_case.pk)}
    assert listed(page(client, f"{url}?q=v.+doe")) == {str(world.case.pk)}
    html = page(client, f"{url}?q=nothing-like-this")
    assert listed(html) == set()
    assert "No case matches" in html


def test_case_list_filters_by_status_and_court(client: Client, world: World) -> None:
    case_services.case_transition(
        case=world.other_case, to_status=CaseStatus.NEGOTIATING, by=world.user(Role.COURT_STAFF)
    )
    client.force_login(world.user(Role.COURT_STAFF))
    url = reverse("cases:list")
    assert listed(page(client, f"{url}?status=negotiating")) == {str(world.other_case.pk)}
    assert listed(page(client, f"{url}?status=intake&court={world.court.pk}")) == {
        str(world.case.pk)
    }


def test_case_list_offers_only_courts_of_cases_you_see(client: Client, world: World) -> None:
    client.force_login(world.user(Role.DEFENSE_COUNSEL))
    html = page(client, reverse("cases:list"))
    start = html.index('name="court"')
    select = html[start : html.index("</select>", start)]
    assert "District Court" in select
    assert "Other District Court" not in select


def test_case_list_pages_by_fifty(client: Client, world: World) -> None:
    clerk = world.user(Role.COURT_STAFF)
    open_cases(clerk, world.court, 49)  # with the world's two: 51
    client.force_login(clerk)
    first = page(client, reverse("cases:list"))
    assert len(listed(first)) == 50
    assert 'rel="next"' in first and 'rel="prev"' not in first
    oldest_shown = min(int(pk) for pk in listed(first))
    second = page(client, reverse("cases:list") + f"?before={oldest_shown}")
    assert len(listed(second)) == 1
    assert 'rel="prev"' in second and 'rel="next"' not in second
    back = page(client, reverse("cases:list") + f"?after={min(int(pk) for pk in listed(second))}")
    assert listed(back) == listed(first)


def test_case_list_answers_htmx_with_the_results_only(client: Client, world: World) -> None:
    client.force_login(world.user(Role.COURT_STAFF))
    response = client.get(
        reverse("cases:list") + "?q=Roe", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="case-results"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="case-results"')
    assert "<html" not in html
    assert listed(html) == {str(world.other_case.pk)}


@pytest.mark.parametrize("rows", [1, 50])
def test_case_list_query_count_does_not_grow_with_rows(
    client: Client, world: World, django_assert_num_queries: object, rows: int
) -> None:
    clerk = make_user("busy_clerk", Role.COURT_STAFF, world.orgs["court"])
    case_services.court_member_add(court=world.other_court, user=clerk)
    open_cases(clerk, world.other_court, rows - 1)  # plus the world's foreign case
    client.force_login(clerk)
    # session, user, profile and organization (header and "open a case"), courts for the
    # filter (their ids, then the rows), the page of rows (no total: see cases.views.case_list),
    # the header's unread notifications badge
    with django_assert_num_queries(8):  # type: ignore[operator]
        html = page(client, reverse("cases:list"))
    assert len(listed(html)) == rows
