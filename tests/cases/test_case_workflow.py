"""The case workflow and case access, at the service layer.

Every status move for every role; what a participation grants and what ending it takes away;
the defendant's read-only access. The API tests check that these answers reach HTTP unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError

from cases import party_selectors, party_services, permissions, selectors
from cases import services as case_services
from cases.models import (
    Case,
    CaseStatus,
    CaseStatusChange,
    CaseUserObjectPermission,
    Charge,
)
from core.exceptions import Conflict
from parties.models import CaseParticipant, Defendant, Role, Side
from tests import factories
from tests.conftest import ROLES, World, make_user

S = CaseStatus
PROSECUTION, COURT = Side.PROSECUTION, Side.COURT

# The workflow, written out from the court rules rather than read from the code:
# each legal move and the sides that may make it. Every other pair of statuses is illegal.
WORKFLOW: dict[tuple[str, str], set[str]] = {
    (S.INTAKE, S.NEGOTIATING): {PROSECUTION, COURT},
    (S.INTAKE, S.TRIAL): {COURT},
    (S.INTAKE, S.DISMISSED): {PROSECUTION, COURT},
    (S.NEGOTIATING, S.AGREEMENT): {PROSECUTION, COURT},
    (S.NEGOTIATING, S.TRIAL): {COURT},
    (S.NEGOTIATING, S.DISMISSED): {PROSECUTION, COURT},
    (S.AGREEMENT, S.PLEA_ENTERED): {COURT},
    (S.AGREEMENT, S.NEGOTIATING): {COURT},
    (S.AGREEMENT, S.TRIAL): {COURT},
    (S.PLEA_ENTERED, S.SENTENCED): {COURT},
    (S.TRIAL, S.SENTENCED): {COURT},
    (S.TRIAL, S.DISMISSED): {COURT},
    (S.TRIAL, S.CLOSED): {COURT},
    (S.SENTENCED, S.CLOSED): {COURT},
    (S.DISMISSED, S.CLOSED): {COURT},
}
ILLEGAL_MOVES = {a: [b for b in S.values if (a, b) not in WORKFLOW] for a in S.values}

SIDE_OF = {
    Role.PROSECUTOR: Side.PROSECUTION,
    Role.DEFENSE_COUNSEL: Side.DEFENSE,
    Role.DUTY_LAWYER: Side.DEFENSE,
    Role.DEFENDANT: Side.DEFENSE,
    Role.JUDGE: Side.COURT,
    Role.COURT_STAFF: Side.COURT,
}
# Roles that may move a case at all; the others only read it.
MOVERS = [Role.PROSECUTOR, Role.JUDGE, Role.COURT_STAFF]
READERS = [Role.DEFENSE_COUNSEL, Role.DUTY_LAWYER, Role.DEFENDANT]

ALL_PERMISSIONS = {
    "view_case",
    "change_case",
    "manage_charges",
    "manage_participants",
    "transition_case",
}
# What a participation writes into the user permission table, by role.
GRANTED_BY_ROLE: dict[str, set[str]] = {
    Role.PROSECUTOR: ALL_PERMISSIONS,
    Role.DEFENSE_COUNSEL: {"view_case"},
    Role.DUTY_LAWYER: {"view_case"},
    Role.DEFENDANT: {"view_case"},
    Role.JUDGE: {"view_case", "transition_case"},
    Role.COURT_STAFF: ALL_PERMISSIONS,
}
# What a member of the court holds on every case of the court, on it or not: the judge sees
# and rules; court staff also keep the docket (record, charges, parties).
HELD_BY_THE_COURT: dict[str, set[str]] = {
    Role.JUDGE: {"view_case", "transition_case"},
    Role.COURT_STAFF: ALL_PERMISSIONS,
}
# Who may add and end a participation in each role: the prosecution its own prosecutors and
# the defendant; the court (court staff) everyone. Nobody else adds or ends anyone.
ROLES_MANAGED_BY: dict[str, set[str]] = {
    Role.PROSECUTOR: {Role.PROSECUTOR, Role.DEFENDANT},
    Role.DEFENSE_COUNSEL: set(),
    Role.DUTY_LAWYER: set(),
    Role.DEFENDANT: set(),
    Role.JUDGE: set(),
    Role.COURT_STAFF: set(ROLES),
}


def put_in_status(case: Case, status: str) -> None:
    """Place the case in `status` directly: the move under test starts from there."""
    closed_on = case.opened_on if status == S.CLOSED else None
    Case.objects.filter(pk=case.pk).update(status=status, closed_on=closed_on)
    case.refresh_from_db()


def illegal_move_message(from_status: str, to_status: str) -> str:
    allowed = sorted(str(S(b).label) for (a, b) in WORKFLOW if a == from_status)
    tail = f" From here it can move to: {', '.join(allowed)}." if allowed else " It is final."
    return f"A case in status “{S(from_status).label}” cannot move to “{S(to_status).label}”.{tail}"


def history(case: Case) -> list[tuple[str, str]]:
    return list(case.status_changes.values_list("from_status", "to_status"))


def status_in_db(case: Case) -> str:
    return Case.objects.get(pk=case.pk).status


def new_person(username: str, role: str, world: World) -> User:
    org = {
        Role.PROSECUTOR: world.orgs["da"],
        Role.DEFENSE_COUNSEL: world.orgs["pd"],
        Role.DUTY_LAWYER: world.orgs["aid"],
    }.get(Role(role))
    user = make_user(username, role, org)
    if role in (Role.JUDGE, Role.COURT_STAFF):
        case_services.court_member_add(court=world.court, user=user)
    return user


def manager_of(world: World, role: str) -> User:
    """Who adds and ends a participation in `role` in the world: the prosecutor their own side
    and the defendant, the clerk everyone else."""
    if role in ROLES_MANAGED_BY[Role.PROSECUTOR]:
        return world.user(Role.PROSECUTOR)
    return world.user(Role.COURT_STAFF)


def add_participant(
    world: World, role: str, person: User, by: User | None = None
) -> CaseParticipant:
    """Add `person` to the own case in `role`; a defendant takes part through a Defendant."""
    by = by or manager_of(world, role)
    if role == Role.DEFENDANT:
        defendant = factories.DefendantFactory.create(user=person)
        return party_services.participant_add(
            case=world.case, by=by, role=role, defendant=defendant
        )
    return party_services.participant_add(case=world.case, by=by, role=role, user=person)


def user_table_permissions(user: User, case: Case) -> set[str]:
    return set(
        CaseUserObjectPermission.objects.filter(user=user, content_object=case).values_list(
            "permission__codename", flat=True
        )
    )


def sees(user: User, case: Case) -> bool:
    return selectors.cases_visible_to(user).filter(pk=case.pk).exists()


# --- status moves ------------------------------------------------------------------------

ALLOWED = [
    (a, b, role) for (a, b), sides in WORKFLOW.items() for role in ROLES if SIDE_OF[role] in sides
]
# Read-only roles are refused every move (test_read_only_roles_may_not_move_a_case_anywhere).
REFUSED = [
    (a, b, role)
    for (a, b), sides in WORKFLOW.items()
    for role in MOVERS
    if SIDE_OF[role] not in sides
]


@pytest.mark.parametrize(("from_status", "to_status", "role"), ALLOWED)
def test_side_may_make_its_legal_move(
    world: World, from_status: str, to_status: str, role: str
) -> None:
    put_in_status(world.case, from_status)
    by = world.user(role)

    case = case_services.case_transition(
        case=world.case, to_status=to_status, by=by, reason="Per the hearing."
    )

    assert case.status == to_status
    change = CaseStatusChange.objects.get(case=world.case)
    assert (change.from_status, change.to_status) == (from_status, to_status)
    assert change.changed_by == by
    assert change.reason == "Per the hearing."
    assert (case.closed_on is not None) == (to_status == S.CLOSED)


@pytest.mark.parametrize(("from_status", "to_status", "role"), REFUSED)
def test_other_sides_may_not_make_a_legal_move(
    world: World, from_status: str, to_status: str, role: str
) -> None:
    put_in_status(world.case, from_status)

    with pytest.raises(PermissionDenied):
        case_services.case_transition(case=world.case, to_status=to_status, by=world.user(role))

    assert status_in_db(world.case) == from_status
    assert history(world.case) == []


@pytest.mark.parametrize("from_status", S.values)
def test_illegal_move_is_a_conflict_for_every_role_that_moves_cases(
    world: World, from_status: str
) -> None:
    put_in_status(world.case, from_status)

    for to_status in ILLEGAL_MOVES[from_status]:
        for role in MOVERS:
            with pytest.raises(Conflict) as refused:
                case_services.case_transition(
                    case=world.case, to_status=to_status, by=world.user(role)
                )
            assert refused.value.message == illegal_move_message(from_status, to_status), role
            assert refused.value.code == "illegal_status_move"

    assert status_in_db(world.case) == from_status
    assert history(world.case) == []


@pytest.mark.parametrize("role", READERS)
def test_read_only_roles_may_not_move_a_case_anywhere(world: World, role: str) -> None:
    # Refused as "not yours to do" (403) before the move's legality is even considered.
    for from_status in S.values:
        put_in_status(world.case, from_status)
        for to_status in S.values:
            with pytest.raises(PermissionDenied):
                case_services.case_transition(
                    case=world.case, to_status=to_status, by=world.user(role)
                )
    assert history(world.case) == []


def test_illegal_move_message_names_the_moves_that_are_allowed(world: World) -> None:
    with pytest.raises(Conflict) as refused:
        case_services.case_transition(
            case=world.case, to_status=S.SENTENCED, by=world.user(Role.JUDGE)
        )
    assert refused.value.message == (
        "A case in status “Intake” cannot move to “Sentenced”. "
        "From here it can move to: Dismissed, Negotiating, Trial."
    )


def test_closed_case_is_final(world: World) -> None:
    put_in_status(world.case, S.CLOSED)
    with pytest.raises(Conflict, match="It is final"):
        case_services.case_transition(
            case=world.case, to_status=S.NEGOTIATING, by=world.user(Role.COURT_STAFF)
        )


def test_unknown_status_is_a_validation_error(world: World) -> None:
    with pytest.raises(ValidationError) as refused:
        case_services.case_transition(
            case=world.case, to_status="appealed", by=world.user(Role.JUDGE)
        )
    assert "to_status" in refused.value.message_dict
    assert history(world.case) == []


def test_move_from_a_stale_copy_is_judged_on_the_current_status(world: World) -> None:
    stale = Case.objects.get(pk=world.case.pk)
    case_services.case_transition(
        case=world.case, to_status=S.NEGOTIATING, by=world.user(Role.PROSECUTOR)
    )

    with pytest.raises(Conflict, match="“Negotiating” cannot move to “Negotiating”"):
        case_services.case_transition(
            case=stale, to_status=S.NEGOTIATING, by=world.user(Role.COURT_STAFF)
        )
    assert len(history(world.case)) == 1


def test_history_records_every_move_in_order(world: World) -> None:
    judge = world.user(Role.JUDGE)
    path = [S.NEGOTIATING, S.AGREEMENT, S.PLEA_ENTERED, S.SENTENCED, S.CLOSED]
    for to_status in path:
        case_services.case_transition(case=world.case, to_status=to_status, by=judge)

    assert history(world.case) == list(zip([S.INTAKE, *path[:-1]], path, strict=True))


def test_closing_date_is_the_courts_calendar_day(world: World) -> None:
    put_in_status(world.case, S.SENTENCED)
    # 02:00 UTC on 2 March is still 1 March in New York, where the court sits.
    with time_machine.travel(dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC), tick=False):
        case = case_services.case_transition(
            case=world.case, to_status=S.CLOSED, by=world.user(Role.JUDGE)
        )
    assert case.closed_on == dt.date(2026, 3, 1)


def test_case_opened_today_in_a_court_ahead_of_utc_can_be_closed_the_same_day(
    world: World,
) -> None:
    clerk = world.user(Role.COURT_STAFF)
    tokyo = case_services.court_create(
        name="Tokyo Court", jurisdiction=world.court.jurisdiction, time_zone="Asia/Tokyo"
    )
    case_services.court_member_add(court=tokyo, user=clerk)
    # 08:00 in Tokyo on 10 March is still 9 March in UTC.
    with time_machine.travel(dt.datetime(2026, 3, 9, 23, 0, tzinfo=dt.UTC), tick=False):
        case = case_services.case_open(
            court=tokyo, docket_number="T-1", caption="State v. Sato", by=clerk
        )
        for to_status in (S.TRIAL, S.CLOSED):
            case = case_services.case_transition(case=case, to_status=to_status, by=clerk)

    assert (case.opened_on, case.closed_on) == (dt.date(2026, 3, 10), dt.date(2026, 3, 10))


def test_case_cannot_be_opened_in_the_future(world: World) -> None:
    # Its closing date would come before its opening date.
    with (
        time_machine.travel(dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC), tick=False),
        pytest.raises(ValidationError) as refused,
    ):
        case_services.case_open(
            court=world.court,
            docket_number="1:26-cr-00099",
            caption="United States v. Later",
            by=world.user(Role.COURT_STAFF),
            opened_on=dt.date(2026, 3, 3),
        )
    assert set(refused.value.message_dict) == {"opened_on"}
    assert not Case.objects.filter(docket_number="1:26-cr-00099").exists()


# --- what a participation grants and what ending it takes away ---------------------------


@pytest.mark.parametrize("role", ROLES)
def test_participation_grants_what_the_role_may_do(world: World, role: str) -> None:
    person = new_person("newcomer", role, world)
    assert user_table_permissions(person, world.case) == set()

    add_participant(world, role, person)

    assert user_table_permissions(person, world.case) == GRANTED_BY_ROLE[role]
    assert sees(person, world.case)


@pytest.mark.parametrize("role", [Role.PROSECUTOR, *READERS])
def test_ending_a_participation_revokes_access(world: World, role: str) -> None:
    person = new_person("newcomer", role, world)
    participant = add_participant(world, role, person)

    party_services.participant_end(participant=participant, by=manager_of(world, role))

    assert user_table_permissions(person, world.case) == set()
    assert permissions.case_permissions_of(person, world.case) == frozenset()
    assert not sees(person, world.case)


@pytest.mark.parametrize("role", [Role.JUDGE, Role.COURT_STAFF])
def test_court_member_keeps_seeing_the_case_after_their_participation_ends(
    world: World, role: str
) -> None:
    person = new_person("newcomer", role, world)
    participant = add_participant(world, role, person)

    party_services.participant_end(participant=participant, by=world.user(Role.COURT_STAFF))

    assert user_table_permissions(person, world.case) == set()
    assert sees(person, world.case)
    assert permissions.case_permissions_of(person, world.case) == HELD_BY_THE_COURT[role]


@pytest.mark.parametrize("role", [Role.JUDGE, Role.COURT_STAFF])
@pytest.mark.parametrize("name", ["case", "other_case"])
def test_court_member_holds_the_courts_permissions_on_every_case_of_the_court(
    world: World, role: str, name: str
) -> None:
    # The judge takes part in the own case, not the other; the clerk in neither.
    case = getattr(world, name)

    assert permissions.case_permissions_of(world.user(role), case) == HELD_BY_THE_COURT[role]


def test_court_staff_of_another_court_hold_nothing_on_the_case(world: World) -> None:
    clerk = world.strangers[Role.COURT_STAFF]

    assert permissions.case_permissions_of(clerk, world.case) == frozenset()
    assert permissions.case_permissions_of(clerk, world.foreign_case) == ALL_PERMISSIONS


def _judge_actions(world: World) -> dict[str, Callable[[User], Any]]:
    case = world.case
    charge = case.charges.get()
    counsel = CaseParticipant.objects.get(case=case, role=Role.DEFENSE_COUNSEL)
    return {
        "case_update": lambda by: case_services.case_update(case=case, by=by, caption="Mine"),
        "charge_add": lambda by: case_services.charge_add(
            case=case, statute=world.lesser_statute, by=by
        ),
        "charge_update": lambda by: case_services.charge_update(
            charge=charge, by=by, description="Amended from the bench"
        ),
        "charge_dispose": lambda by: case_services.charge_update(
            charge=charge, by=by, disposition="dismissed"
        ),
        "participant_add": lambda by: party_services.participant_add(
            case=case, by=by, role=Role.DUTY_LAWYER, user=world.strangers[Role.DUTY_LAWYER]
        ),
        "participant_end": lambda by: party_services.participant_end(participant=counsel, by=by),
    }


JUDGE_ACTIONS = [
    "case_update",
    "charge_add",
    "charge_update",
    "charge_dispose",
    "participant_add",
    "participant_end",
]


def snapshot() -> tuple[Any, ...]:
    return (
        list(Case.objects.values().order_by("pk")),
        list(Charge.objects.values().order_by("pk")),
        list(CaseParticipant.objects.values().order_by("pk")),
        list(Defendant.objects.values().order_by("pk")),
        CaseStatusChange.objects.count(),
    )


@pytest.mark.parametrize("action", JUDGE_ACTIONS)
def test_judge_rules_but_does_not_keep_the_docket_and_the_clerk_does(
    world: World, action: str
) -> None:
    before = snapshot()

    with pytest.raises(PermissionDenied) as refused:
        _judge_actions(world)[action](world.user(Role.JUDGE))

    assert str(refused.value) == "You may not do this on this case."

    assert snapshot() == before
    _judge_actions(world)[action](world.user(Role.COURT_STAFF))
    assert snapshot() != before


def test_leaving_the_court_ends_access_to_its_cases(world: World) -> None:
    clerk = world.user(Role.COURT_STAFF)
    case_services.court_member_remove(court=world.court, user=clerk)

    assert not sees(clerk, world.case)
    assert not sees(clerk, world.other_case)


def test_participant_added_again_after_ending_sees_the_case_again(world: World) -> None:
    counsel = world.user(Role.DEFENSE_COUNSEL)
    clerk = world.user(Role.COURT_STAFF)
    participant = CaseParticipant.objects.get(case=world.case, user=counsel)
    party_services.participant_end(participant=participant, by=clerk)
    assert not sees(counsel, world.case)

    party_services.participant_add(
        case=world.case, by=clerk, role=Role.DEFENSE_COUNSEL, user=counsel
    )

    assert sees(counsel, world.case)
    assert user_table_permissions(counsel, world.case) == {"view_case"}


def test_ending_the_defendants_participation_revokes_the_defendants_login(world: World) -> None:
    participant = CaseParticipant.objects.get(case=world.case, defendant=world.defendant)

    party_services.participant_end(participant=participant, by=world.user(Role.COURT_STAFF))

    assert not sees(world.user(Role.DEFENDANT), world.case)


def test_ending_an_ended_participation_is_a_conflict(world: World) -> None:
    participant = CaseParticipant.objects.get(case=world.case, role=Role.DUTY_LAWYER)
    party_services.participant_end(participant=participant, by=world.user(Role.COURT_STAFF))

    with pytest.raises(Conflict, match="already ended"):
        party_services.participant_end(participant=participant, by=world.user(Role.COURT_STAFF))


def test_participation_cannot_end_before_it_started(world: World) -> None:
    participant = CaseParticipant.objects.get(case=world.case, role=Role.DUTY_LAWYER)

    with pytest.raises(ValidationError) as refused:
        party_services.participant_end(
            participant=participant,
            by=world.user(Role.COURT_STAFF),
            end_date=participant.start_date - dt.timedelta(days=1),
        )

    assert set(refused.value.message_dict) == {"end_date"}
    participant.refresh_from_db()
    assert participant.end_date is None
    assert sees(world.user(Role.DUTY_LAWYER), world.case)


@pytest.mark.parametrize("role", [Role.DEFENSE_COUNSEL, Role.JUDGE, Role.PROSECUTOR])
def test_participant_must_take_the_role_of_their_profile(world: World, role: str) -> None:
    duty_lawyer = world.strangers[Role.DUTY_LAWYER]

    with pytest.raises(ValidationError) as refused:
        party_services.participant_add(
            case=world.case, by=manager_of(world, role), role=role, user=duty_lawyer
        )

    assert "role" in refused.value.message_dict
    assert not sees(duty_lawyer, world.case)


# --- who adds and ends whom ---------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("by", ROLES)
def test_who_may_add_a_participant_in_which_role(world: World, by: str, role: str) -> None:
    person = new_person("newcomer", role, world)
    before = list(CaseParticipant.objects.values().order_by("pk"))

    if role in ROLES_MANAGED_BY[by]:
        participant = add_participant(world, role, person, by=world.user(by))
        assert (participant.role, participant.end_date) == (role, None)
        assert sees(person, world.case)
        return
    with pytest.raises(PermissionDenied) as refused:
        add_participant(world, role, person, by=world.user(by))
    if by == Role.PROSECUTOR:  # a manager of the case, but not of this role
        label = Role(role).label.lower()
        assert str(refused.value) == f"Only the court adds or removes a {label} on a case."
    else:
        assert str(refused.value) == "You may not do this on this case."
    assert list(CaseParticipant.objects.values().order_by("pk")) == before
    assert user_table_permissions(person, world.case) == set()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("by", ROLES)
def test_who_may_end_a_participation_in_which_role(world: World, by: str, role: str) -> None:
    person = new_person("newcomer", role, world)
    participant = add_participant(world, role, person)
    before = snapshot()

    if role in ROLES_MANAGED_BY[by]:
        ended = party_services.participant_end(participant=participant, by=world.user(by))
        assert ended.end_date is not None
        assert sees(person, world.case) == (role in HELD_BY_THE_COURT)
        return
    with pytest.raises(PermissionDenied) as refused:
        party_services.participant_end(participant=participant, by=world.user(by))
    if by == Role.PROSECUTOR:
        label = Role(role).label.lower()
        assert str(refused.value) == f"Only the court adds or removes a {label} on a case."
    else:
        assert str(refused.value) == "You may not do this on this case."
    assert snapshot() == before
    assert sees(person, world.case)


def test_prosecution_may_add_a_second_prosecutor_who_may_then_manage_the_prosecution(
    world: World,
) -> None:
    second = new_person("second_prosecutor", Role.PROSECUTOR, world)

    party_services.participant_add(
        case=world.case, by=world.user(Role.PROSECUTOR), role=Role.PROSECUTOR, user=second
    )

    assert permissions.case_permissions_of(second, world.case) == ALL_PERMISSIONS
    assert permissions.participant_roles_managed_by(second, world.case) == [
        Role.PROSECUTOR,
        Role.DEFENDANT,
    ]
    first = CaseParticipant.objects.get(case=world.case, user=world.user(Role.PROSECUTOR))
    party_services.participant_end(participant=first, by=second)
    assert not sees(world.user(Role.PROSECUTOR), world.case)


def test_prosecution_may_add_a_co_defendant(world: World) -> None:
    prosecutor = world.user(Role.PROSECUTOR)
    co_defendant = party_services.defendant_create(
        by=prosecutor, first_name="John", last_name="Roe"
    )

    participant = party_services.participant_add(
        case=world.case, by=prosecutor, role=Role.DEFENDANT, defendant=co_defendant
    )

    assert (participant.defendant, participant.side) == (co_defendant, Side.DEFENSE)


@pytest.mark.parametrize("role", ROLES)
def test_roles_each_user_may_manage_on_the_case(world: World, role: str) -> None:
    managed = permissions.participant_roles_managed_by(world.user(role), world.case)

    assert managed == [r for r in Role.values if r in ROLES_MANAGED_BY[role]]


def test_judge_of_another_court_cannot_sit_on_the_case(world: World) -> None:
    judge = world.strangers[Role.JUDGE]

    with pytest.raises(ValidationError) as refused:
        party_services.participant_add(
            case=world.case, by=world.user(Role.COURT_STAFF), role=Role.JUDGE, user=judge
        )

    assert refused.value.message_dict["user"] == ["other_judge does not sit in District Court."]
    assert not sees(judge, world.case)


# --- the defendant reads, and only reads ------------------------------------------------


def test_defendant_sees_their_case_its_charges_and_its_participants(world: World) -> None:
    defendant = world.user(Role.DEFENDANT)

    assert list(selectors.cases_visible_to(defendant)) == [world.case]
    assert set(selectors.charges_visible_to(defendant)) == set(world.case.charges.all())
    assert set(party_selectors.participants_visible_to(defendant)) == set(
        world.case.participants.all()
    )
    assert permissions.case_permissions_of(defendant, world.case) == {"view_case"}


def _defendant_actions(world: World) -> dict[str, Callable[[User], Any]]:
    case = world.case
    charge = case.charges.get()
    participant = CaseParticipant.objects.get(case=case, role=Role.DUTY_LAWYER)
    return {
        "case_open": lambda by: case_services.case_open(
            court=world.court, docket_number="X-1", caption="Mine", by=by
        ),
        "case_update": lambda by: case_services.case_update(case=case, by=by, caption="Mine"),
        "case_transition": lambda by: case_services.case_transition(
            case=case, to_status=S.DISMISSED, by=by
        ),
        "charge_add": lambda by: case_services.charge_add(
            case=case, statute=world.lesser_statute, by=by
        ),
        "charge_update": lambda by: case_services.charge_update(
            charge=charge, by=by, disposition="dismissed"
        ),
        "participant_add": lambda by: party_services.participant_add(
            case=case, by=by, role=Role.DUTY_LAWYER, user=world.strangers[Role.DUTY_LAWYER]
        ),
        "participant_end": lambda by: party_services.participant_end(
            participant=participant, by=by
        ),
        "defendant_create": lambda by: party_services.defendant_create(
            by=by, first_name="A", last_name="B"
        ),
        "defendant_update": lambda by: party_services.defendant_update(
            defendant=world.defendant, by=by, custody_status="released"
        ),
    }


DEFENDANT_ACTIONS = [
    "case_open",
    "case_update",
    "case_transition",
    "charge_add",
    "charge_update",
    "participant_add",
    "participant_end",
    "defendant_create",
    "defendant_update",
]


@pytest.mark.parametrize("action", DEFENDANT_ACTIONS)
def test_defendant_may_not_change_anything(world: World, action: str) -> None:
    before = snapshot()

    with pytest.raises(PermissionDenied):
        _defendant_actions(world)[action](world.user(Role.DEFENDANT))

    assert snapshot() == before
