"""Every form POST of the case pages, for every role: on their own case, on another case of
the same court, and as a stranger; then what bad input and illegal moves get.

A POST on a case the user may not see is 404 and a POST they may not make is 403; neither writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from cases import services as case_services
from cases.models import Case, CaseStatus, Charge
from parties.models import CaseParticipant, Role
from tests import factories
from tests.conftest import ROLES, World, make_user

COURT_ROLES = {Role.JUDGE, Role.COURT_STAFF}
CASE_OPENERS = {Role.PROSECUTOR, Role.COURT_STAFF}

# What each action of the matrix below answers, by role: DONE (302, written), or the refusal
# status (nothing written). A role a table leaves out gets 403 where it sees the case.
DONE = 302
# On the own case. The court group holds view and status moves only: the judge rules, while
# court staff keep the docket (cases.permissions.COURT_STAFF_PERMISSIONS). Duty lawyers are
# assigned and released by the court alone (PARTICIPANT_ROLE_MANAGERS); the prosecutor's
# add-participant form does not offer the role, so posting it is refused on the field (400).
ON_OWN_CASE: dict[str, dict[Role, int]] = {
    "add charge": {Role.PROSECUTOR: DONE, Role.COURT_STAFF: DONE},
    "add participant": {Role.PROSECUTOR: 400, Role.COURT_STAFF: DONE},
    "end participant": {Role.COURT_STAFF: DONE},
    "edit case": {Role.PROSECUTOR: DONE, Role.COURT_STAFF: DONE},
    "move status": {Role.PROSECUTOR: DONE, Role.JUDGE: DONE, Role.COURT_STAFF: DONE},
}
# On another case of the court, which only the court sees (the others get 404).
ON_COURT_CASE: dict[str, dict[Role, int]] = {
    "add charge": {Role.COURT_STAFF: DONE},
    "add participant": {Role.COURT_STAFF: DONE},
    "end participant": {Role.COURT_STAFF: DONE},
    "edit case": {Role.COURT_STAFF: DONE},
    "move status": {Role.JUDGE: DONE, Role.COURT_STAFF: DONE},
}


@dataclass
class Action:
    """One form of the case page: where it posts, what it sends, how to tell it wrote."""

    name: str
    url: Callable[[World, Case], str]
    data: Callable[[World, Case], dict[str, Any]]
    wrote: Callable[[World, Case], bool]


def _participation_to_end(world: World, case: Case) -> CaseParticipant:
    # On the world's case, the duty lawyer; on the other case, its only party (its prosecutor).
    active = CaseParticipant.objects.filter(case=case, end_date__isnull=True)
    return active.filter(role=Role.DUTY_LAWYER).first() or active.get(role=Role.PROSECUTOR)


def _end_url(world: World, case: Case) -> str:
    participant = _participation_to_end(world, case)
    return reverse("cases:participant-end", args=[case.pk, participant.pk])


def _newcomer(world: World) -> Any:
    return world.strangers[Role.DUTY_LAWYER]


ACTIONS = [
    Action(
        "add charge",
        lambda w, c: reverse("cases:charge-add", args=[c.pk]),
        lambda w, c: {"charge-statute": w.lesser_statute.pk, "charge-description": "Added here"},
        lambda w, c: Charge.objects.filter(case=c, description="Added here").exists(),
    ),
    Action(
        "add participant",
        lambda w, c: reverse("cases:participant-add", args=[c.pk]),
        lambda w, c: {"participant-role": Role.DUTY_LAWYER, "participant-user": _newcomer(w).pk},
        lambda w, c: CaseParticipant.objects.filter(case=c, user=_newcomer(w)).exists(),
    ),
    Action(
        "end participant",
        _end_url,
        lambda w, c: {},
        lambda w, c: CaseParticipant.objects.filter(case=c, end_date__isnull=False).exists(),
    ),
    Action(
        "edit case",
        lambda w, c: reverse("cases:update", args=[c.pk]),
        lambda w, c: {"edit-caption": "United States v. Renamed", "edit-sealed": "on"},
        lambda w, c: Case.objects.filter(pk=c.pk, caption="United States v. Renamed").exists(),
    ),
    Action(
        "move status",
        lambda w, c: reverse("cases:transition", args=[c.pk]),
        lambda w, c: {"move-to_status": CaseStatus.NEGOTIATING, "move-reason": "Ready"},
        lambda w, c: Case.objects.filter(pk=c.pk, status=CaseStatus.NEGOTIATING).exists(),
    ),
]
ACTION_IDS = [action.name for action in ACTIONS]


def post(client: Client, world: World, action: Action, case: Case) -> Any:
    return client.post(action.url(world, case), action.data(world, case))


# --- every action, every role, three situations ------------------------------------------


@pytest.mark.parametrize("action", ACTIONS, ids=ACTION_IDS)
@pytest.mark.parametrize("role", ROLES)
def test_action_on_own_case(client: Client, world: World, role: Role, action: Action) -> None:
    client.force_login(world.user(role))
    response = post(client, world, action, world.case)
    expected = ON_OWN_CASE[action.name].get(role, 403)
    assert response.status_code == expected
    if expected == DONE:
        assert response["Location"].startswith(reverse("cases:detail", args=[world.case.pk]))
        assert action.wrote(world, world.case)
    else:
        if expected == 403:
            assert "You may not do this" in response.content.decode()
        assert not action.wrote(world, world.case)


@pytest.mark.parametrize("action", ACTIONS, ids=ACTION_IDS)
@pytest.mark.parametrize("role", ROLES)
def test_action_on_another_case_of_the_court(
    client: Client, world: World, role: Role, action: Action
) -> None:
    client.force_login(world.user(role))
    response = post(client, world, action, world.other_case)
    expected = ON_COURT_CASE[action.name].get(role, 403 if role in COURT_ROLES else 404)
    assert response.status_code == expected
    assert action.wrote(world, world.other_case) == (expected == DONE)


@pytest.mark.parametrize("action", ACTIONS, ids=ACTION_IDS)
@pytest.mark.parametrize("role", ROLES)
def test_action_by_a_stranger(client: Client, world: World, role: Role, action: Action) -> None:
    client.force_login(world.strangers[role])
    response = post(client, world, action, world.case)
    assert response.status_code == 404
    assert not action.wrote(world, world.case)


FORBIDDEN = [
    (role, action)
    for role in (Role.DEFENSE_COUNSEL, Role.JUDGE)
    for action in ACTIONS
    if ON_OWN_CASE[action.name].get(role) != DONE
]


@pytest.mark.parametrize(
    ("role", "action"), FORBIDDEN, ids=[f"{role}-{action.name}" for role, action in FORBIDDEN]
)
def test_forbidden_role_gets_403_before_its_input_is_judged(
    client: Client, world: World, role: Role, action: Action
) -> None:
    # Empty input would be a 400 for someone allowed; they are told "not yours" first.
    client.force_login(world.user(role))
    data = {key: "" for key in action.data(world, world.case)} or {"end0-end_date": "x"}
    response = client.post(action.url(world, world.case), data)
    assert response.status_code == 403
    assert not action.wrote(world, world.case)


# --- who adds and ends whom: the prosecution its own side and the defendant ------------------


def _participant_add(client: Client, world: World, data: dict[str, Any]) -> Any:
    return client.post(reverse("cases:participant-add", args=[world.case.pk]), data)


def test_prosecutor_adds_a_second_prosecutor_through_the_page(client: Client, world: World) -> None:
    second = make_user("second_prosecutor", Role.PROSECUTOR, world.orgs["da"])
    client.force_login(world.user(Role.PROSECUTOR))
    response = _participant_add(
        client, world, {"participant-role": Role.PROSECUTOR, "participant-user": second.pk}
    )
    assert response.status_code == 302
    assert CaseParticipant.objects.filter(
        case=world.case, user=second, role=Role.PROSECUTOR, end_date__isnull=True
    ).exists()


def test_prosecutor_adds_a_co_defendant_through_the_page(client: Client, world: World) -> None:
    prosecutor = world.user(Role.PROSECUTOR)
    co_defendant = factories.DefendantFactory.create(created_by=prosecutor)
    client.force_login(prosecutor)
    response = _participant_add(
        client,
        world,
        {"participant-role": Role.DEFENDANT, "participant-defendant": co_defendant.pk},
    )
    assert response.status_code == 302
    assert CaseParticipant.objects.filter(case=world.case, defendant=co_defendant).exists()


@pytest.mark.parametrize(
    ("role", "person"),
    [
        (Role.DEFENSE_COUNSEL, "other_defense"),
        (Role.DUTY_LAWYER, "other_duty"),
        (Role.JUDGE, "new_judge"),
        (Role.COURT_STAFF, "new_clerk"),
    ],
)
def test_prosecutor_may_not_add_whom_the_court_assigns(
    client: Client, world: World, role: Role, person: str
) -> None:
    # The form does not offer these roles: a crafted POST is refused on the role field.
    if person.startswith("new_"):
        user = make_user(person, role, world.orgs["court"])
        case_services.court_member_add(court=world.court, user=user)
    else:
        user = User.objects.get(username=person)
    before = list(CaseParticipant.objects.values().order_by("pk"))
    client.force_login(world.user(Role.PROSECUTOR))
    response = _participant_add(
        client, world, {"participant-role": role, "participant-user": user.pk}
    )
    assert response.status_code == 400
    assert_field_error(response.content.decode(), "id_participant-role", "Select a valid choice")
    assert list(CaseParticipant.objects.values().order_by("pk")) == before


@pytest.mark.parametrize("role", [Role.DEFENSE_COUNSEL, Role.DUTY_LAWYER, Role.JUDGE])
def test_prosecutor_may_not_end_a_part_the_court_assigned(
    client: Client, world: World, role: Role
) -> None:
    part = CaseParticipant.objects.get(case=world.case, user=world.user(role))
    client.force_login(world.user(Role.PROSECUTOR))
    response = client.post(
        reverse("cases:participant-end", args=[world.case.pk, part.pk]),
        {f"end{part.pk}-end_date": "not a date"},  # refused before the input is judged
    )
    assert response.status_code == 403
    label = Role(role).label.lower()
    assert f"Only the court adds or removes a {label} on a case." in response.content.decode()
    part.refresh_from_db()
    assert part.end_date is None


def test_prosecutor_ends_the_defendants_part_through_the_page(client: Client, world: World) -> None:
    part = CaseParticipant.objects.get(case=world.case, defendant=world.defendant)
    client.force_login(world.user(Role.PROSECUTOR))
    response = client.post(reverse("cases:participant-end", args=[world.case.pk, part.pk]))
    assert response.status_code == 302
    part.refresh_from_db()
    assert part.end_date is not None


@pytest.mark.parametrize("role", [Role.DEFENSE_COUNSEL, Role.DUTY_LAWYER, Role.JUDGE])
def test_court_staff_end_a_part_the_court_assigned(
    client: Client, world: World, role: Role
) -> None:
    part = CaseParticipant.objects.get(case=world.case, user=world.user(role))
    client.force_login(world.user(Role.COURT_STAFF))
    response = client.post(reverse("cases:participant-end", args=[world.case.pk, part.pk]))
    assert response.status_code == 302
    part.refresh_from_db()
    assert part.end_date is not None


def test_ending_a_participant_of_another_case_through_this_case_is_not_found(
    client: Client, world: World
) -> None:
    clerk = world.user(Role.COURT_STAFF)
    elsewhere = CaseParticipant.objects.get(case=world.other_case)
    client.force_login(clerk)
    url = reverse("cases:participant-end", args=[world.case.pk, elsewhere.pk])
    assert client.post(url).status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.end_date is None


def test_successful_action_says_what_it_did(client: Client, world: World) -> None:
    client.force_login(world.user(Role.PROSECUTOR))
    response = client.post(
        reverse("cases:charge-add", args=[world.case.pk]),
        {"charge-statute": world.lesser_statute.pk},
        follow=True,
    )
    assert "Count 2 added: 21 U.S.C. 844." in response.content.decode()


def test_prosecutor_ending_own_part_lands_on_the_case_list(client: Client, world: World) -> None:
    prosecutor = world.user(Role.PROSECUTOR)
    own = CaseParticipant.objects.get(case=world.case, user=prosecutor)
    client.force_login(prosecutor)
    response = client.post(reverse("cases:participant-end", args=[world.case.pk, own.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:list")


# --- bad input: the field says why, nothing is written ---------------------------------------


def assert_field_error(html: str, field_id: str, message: str) -> None:
    """The error sits next to the field and the field points at it."""
    assert f'id="{field_id}_error"' in html
    error = html[html.index(f'id="{field_id}_error"') :]
    assert message in error[: error.index("</p>")]
    control = html[html.index(f'id="{field_id}"') - 300 : html.index(f'id="{field_id}"') + 300]
    assert f"{field_id}_error" in control  # aria-describedby
    assert 'aria-invalid="true"' in control


def test_charge_with_statute_of_another_jurisdiction_is_refused(
    client: Client, world: World
) -> None:
    client.force_login(world.user(Role.PROSECUTOR))
    response = client.post(
        reverse("cases:charge-add", args=[world.case.pk]),
        {"charge-statute": world.foreign_statute.pk},
    )
    assert response.status_code == 400
    assert_field_error(response.content.decode(), "id_charge-statute", "Select a valid choice")
    assert world.case.charges.count() == 1


def test_charge_with_a_taken_count_number_is_refused(client: Client, world: World) -> None:
    client.force_login(world.user(Role.COURT_STAFF))
    response = client.post(
        reverse("cases:charge-add", args=[world.case.pk]),
        {"charge-statute": world.statute.pk, "charge-count_number": "1"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert_field_error(html, "id_charge-count_number", "Count 1 already exists on this case.")
    assert '<details class="disclosure" id="charge-add" open>' in html
    assert world.case.charges.count() == 1


def test_charge_on_a_dismissed_case_is_a_conflict(client: Client, world: World) -> None:
    clerk = world.user(Role.COURT_STAFF)
    case_services.case_transition(case=world.case, to_status=CaseStatus.DISMISSED, by=clerk)
    client.force_login(clerk)
    response = client.post(
        reverse("cases:charge-add", args=[world.case.pk]), {"charge-statute": world.statute.pk}
    )
    assert response.status_code == 409
    assert "Charges cannot be added to a case that is dismissed." in response.content.decode()
    assert world.case.charges.count() == 1


def test_participant_whose_profile_does_not_match_the_role_is_refused(
    client: Client, world: World
) -> None:
    client.force_login(world.user(Role.PROSECUTOR))
    newcomer = world.strangers[Role.DEFENSE_COUNSEL]
    response = client.post(
        reverse("cases:participant-add", args=[world.case.pk]),
        {"participant-role": Role.PROSECUTOR, "participant-user": newcomer.pk},
    )
    assert response.status_code == 400
    assert_field_error(response.content.decode(), "id_participant-role", "not prosecutor")
    assert not CaseParticipant.objects.filter(user=newcomer).exists()


def test_defendant_role_without_a_defendant_is_refused(client: Client, world: World) -> None:
    client.force_login(world.user(Role.PROSECUTOR))
    before = CaseParticipant.objects.count()
    response = client.post(
        reverse("cases:participant-add", args=[world.case.pk]),
        {"participant-role": Role.DEFENDANT},
    )
    assert response.status_code == 400
    assert_field_error(response.content.decode(), "id_participant-defendant", "Name the defendant.")
    assert CaseParticipant.objects.count() == before


def test_participation_cannot_end_before_it_started(client: Client, world: World) -> None:
    duty = CaseParticipant.objects.get(case=world.case, role=Role.DUTY_LAWYER)
    client.force_login(world.user(Role.COURT_STAFF))
    response = client.post(
        reverse("cases:participant-end", args=[world.case.pk, duty.pk]),
        {f"end{duty.pk}-end_date": (duty.start_date - dt.timedelta(days=1)).isoformat()},
    )
    assert response.status_code == 400
    assert_field_error(
        response.content.decode(),
        f"id_end{duty.pk}-end_date",
        "The end date cannot be before the start date.",
    )
    duty.refresh_from_db()
    assert duty.end_date is None


def test_ending_a_part_that_has_ended_is_a_conflict_shown_on_its_row(
    client: Client, world: World
) -> None:
    duty = CaseParticipant.objects.get(case=world.case, role=Role.DUTY_LAWYER)
    clerk = world.user(Role.COURT_STAFF)
    url = reverse("cases:participant-end", args=[world.case.pk, duty.pk])
    client.force_login(clerk)
    assert client.post(url).status_code == 302
    duty.refresh_from_db()
    ended_on = duty.end_date

    response = client.post(url)  # a second tab, or a double click
    assert response.status_code == 409
    html = response.content.decode()
    row = html[html.index(f'action="{url}"') - 1500 : html.index(f'action="{url}"') + 1500]
    assert "This participation has already ended." in row
    duty.refresh_from_db()
    assert duty.end_date == ended_on


def test_blank_caption_is_refused(client: Client, world: World) -> None:
    client.force_login(world.user(Role.PROSECUTOR))
    response = client.post(reverse("cases:update", args=[world.case.pk]), {"edit-caption": "  "})
    assert response.status_code == 400
    html = response.content.decode()
    assert_field_error(html, "id_edit-caption", "This field is required.")
    assert "<h1>United States v. Doe</h1>" in html
    world.case.refresh_from_db()
    assert world.case.caption == "United States v. Doe"


def test_illegal_move_is_a_conflict_that_says_where_the_case_can_go(
    client: Client, world: World
) -> None:
    client.force_login(world.user(Role.COURT_STAFF))
    response = client.post(
        reverse("cases:transition", args=[world.case.pk]), {"move-to_status": "sentenced"}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "cannot move to “Sentenced”" in html
    assert 'role="alert"' in html
    world.case.refresh_from_db()
    assert world.case.status == CaseStatus.INTAKE


def test_prosecutor_may_not_make_the_courts_move(client: Client, world: World) -> None:
    client.force_login(world.user(Role.PROSECUTOR))
    response = client.post(
        reverse("cases:transition", args=[world.case.pk]), {"move-to_status": "trial"}
    )
    assert response.status_code == 403
    world.case.refresh_from_db()
    assert world.case.status == CaseStatus.INTAKE


def test_move_without_choosing_a_status_is_refused(client: Client, world: World) -> None:
    # No move is preselected, so a stray press of "Move case" moves nothing.
    client.force_login(world.user(Role.COURT_STAFF))
    response = client.post(reverse("cases:transition", args=[world.case.pk]), {"move-reason": "x"})
    assert response.status_code == 400
    assert_field_error(response.content.decode(), "id_move-to_status", "This field is required.")
    world.case.refresh_from_db()
    assert world.case.status == CaseStatus.INTAKE


def test_unknown_status_is_refused_next_to_the_field(client: Client, world: World) -> None:
    client.force_login(world.user(Role.COURT_STAFF))
    response = client.post(
        reverse("cases:transition", args=[world.case.pk]), {"move-to_status": "limbo"}
    )
    assert response.status_code == 400
    assert_field_error(response.content.decode(), "id_move-to_status", "Select a valid choice")


# --- htmx: adding a charge without a reload ----------------------------------------------------


def test_htmx_charge_add_answers_with_the_charges_section(client: Client, world: World) -> None:
    client.force_login(world.user(Role.PROSECUTOR))
    response = client.post(
        reverse("cases:charge-add", args=[world.case.pk]),
        {"charge-statute": world.lesser_statute.pk},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="charges"')
    assert "<html" not in html
    assert "21 U.S.C. 844" in html
    assert "Count 2 added" in html
    assert world.case.charges.count() == 2


def test_htmx_charge_add_with_bad_input_answers_400_with_the_error(
    client: Client, world: World
) -> None:
    client.force_login(world.user(Role.PROSECUTOR))
    response = client.post(
        reverse("cases:charge-add", args=[world.case.pk]),
        {"charge-statute": ""},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="charges"')
    assert_field_error(html, "id_charge-statute", "This field is required.")
    assert world.case.charges.count() == 1


def test_htmx_charge_add_by_defense_is_forbidden(client: Client, world: World) -> None:
    client.force_login(world.user(Role.DEFENSE_COUNSEL))
    response = client.post(
        reverse("cases:charge-add", args=[world.case.pk]),
        {"charge-statute": world.statute.pk},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 403
    assert world.case.charges.count() == 1


# --- opening a case ----------------------------------------------------------------------------


def open_form(world: World, **overrides: Any) -> dict[str, Any]:
    return {
        "court": world.court.pk,
        "docket_number": "1:26-cr-00099",
        "caption": "United States v. New",
        **overrides,
    }


@pytest.mark.parametrize("role", ROLES)
def test_open_case_page_only_for_openers(client: Client, world: World, role: Role) -> None:
    # Opening is decided by the kind of user, so the strangers of each kind fare the same.
    for person in (world.user(role), world.strangers[role]):
        client.force_login(person)
        response = client.get(reverse("cases:open"))
        html = response.content.decode()
        assert response.status_code == (200 if role in CASE_OPENERS else 403), person
        assert ('name="docket_number"' in html) == (role in CASE_OPENERS)


@pytest.mark.parametrize("role", ROLES)
def test_open_case_post(client: Client, world: World, role: Role) -> None:
    client.force_login(world.user(role))
    response = client.post(reverse("cases:open"), open_form(world))
    created = Case.objects.filter(docket_number="1:26-cr-00099")
    if role in CASE_OPENERS:
        assert response.status_code == 302
        assert response["Location"] == reverse("cases:detail", args=[created.get().pk])
    else:
        assert response.status_code == 403
        assert not created.exists()


@pytest.mark.parametrize("role", [Role.PROSECUTOR, Role.COURT_STAFF])
def test_open_case_as_a_stranger_opener(client: Client, world: World, role: Role) -> None:
    # A clerk of the other court may open cases there, not in this court.
    client.force_login(world.strangers[role])
    response = client.post(reverse("cases:open"), open_form(world))
    created = Case.objects.filter(docket_number="1:26-cr-00099").exists()
    if role == Role.PROSECUTOR:  # same office, same jurisdiction
        assert response.status_code == 302
        assert created
    else:
        assert response.status_code == 400
        assert not created


def test_clerk_is_offered_only_the_court_they_sit_in(client: Client, world: World) -> None:
    client.force_login(world.user(Role.COURT_STAFF))
    html = client.get(reverse("cases:open")).content.decode()
    assert f'value="{world.court.pk}"' in html
    assert f'value="{world.other_court.pk}"' not in html
    response = client.post(reverse("cases:open"), open_form(world, court=world.other_court.pk))
    assert response.status_code == 400
    assert_field_error(response.content.decode(), "id_court", "Select a valid choice")
    assert not Case.objects.filter(docket_number="1:26-cr-00099").exists()


def test_open_case_with_a_taken_docket_number_is_refused(client: Client, world: World) -> None:
    client.force_login(world.user(Role.PROSECUTOR))
    response = client.post(
        reverse("cases:open"), open_form(world, docket_number=world.case.docket_number)
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert_field_error(html, "id_docket_number", "already has a case with docket number")
    assert 'href="#id_docket_number"' in html  # the summary links to the field
    assert Case.objects.filter(docket_number=world.case.docket_number).count() == 1


def test_open_case_without_caption_is_refused(client: Client, world: World) -> None:
    client.force_login(world.user(Role.PROSECUTOR))
    response = client.post(reverse("cases:open"), open_form(world, caption=""))
    assert response.status_code == 400
    assert_field_error(response.content.decode(), "id_caption", "This field is required.")
    assert not Case.objects.filter(docket_number="1:26-cr-00099").exists()


def test_open_case_in_the_future_is_refused_next_to_the_date(client: Client, world: World) -> None:
    client.force_login(world.user(Role.PROSECUTOR))
    tomorrow = dt.date.today() + dt.timedelta(days=2)
    response = client.post(reverse("cases:open"), open_form(world, opened_on=tomorrow.isoformat()))
    assert response.status_code == 400
    assert_field_error(response.content.decode(), "id_opened_on", "cannot be opened in the future")
    assert not Case.objects.filter(docket_number="1:26-cr-00099").exists()
