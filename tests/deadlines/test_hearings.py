"""Hearings through deadlines.services and deadlines.selectors: scheduling, the courtroom
no-overlap rule, continuances with their history, held and cancelled hearings, courtrooms, who
may do each of these, what every role sees, and the docket.

The clock is frozen at Tuesday 2026-11-24 10:00 in New York (15:00 UTC).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from core.exceptions import Conflict
from deadlines import selectors, services
from deadlines.models import (
    Alert,
    AlertSubject,
    Courtroom,
    Hearing,
    HearingChange,
    HearingKind,
    HearingStatus,
)
from parties.models import Role
from tests.conftest import ROLES, World
from tests.deadline_helpers import at, clerk, courtroom, ensure_seeded_rules, hearing, judge

NOW = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)
KEEPERS = [Role.JUDGE, Role.COURT_STAFF]
NOT_KEEPERS = [r for r in ROLES if r not in KEEPERS]


@pytest.fixture(autouse=True)
def seeded_rules(db: Any) -> None:
    ensure_seeded_rules()


@pytest.fixture(autouse=True)
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def hearing_rows() -> dict[str, list[Any]]:
    return {
        "Hearing": list(Hearing.objects.order_by("pk").values()),
        "HearingChange": list(HearingChange.objects.order_by("pk").values()),
        "Courtroom": list(Courtroom.objects.order_by("pk").values()),
    }


def people(world: World) -> list[tuple[str, Any]]:
    """Every persona: the six on the case and the six strangers."""
    return [(f"case {r}", world.users[r]) for r in ROLES] + [
        (f"stranger {r}", world.strangers[r]) for r in ROLES
    ]


# --- scheduling ---------------------------------------------------------------------------


def test_clerk_schedules_a_hearing_with_its_first_history_row(world: World) -> None:
    room = courtroom(world)
    h = services.hearing_schedule(
        case=world.case,
        by=clerk(world),
        kind=HearingKind.PLEA_HEARING,
        starts_at=at(2026, 12, 15, 9),
        ends_at=at(2026, 12, 15, 10),
        courtroom=room,
        judge=judge(world),
        notes="  Interpreter booked.  ",
    )
    h.refresh_from_db()
    assert (h.status, h.sequence, h.judge_id, h.notes) == (
        HearingStatus.SCHEDULED,
        0,
        judge(world).pk,
        "Interpreter booked.",
    )
    assert h.starts_at == dt.datetime(2026, 12, 15, 14, 0, tzinfo=dt.UTC)
    [change] = h.changes.all()
    assert (change.from_status, change.to_status, change.to_starts_at, change.to_courtroom_id) == (
        "",
        HearingStatus.SCHEDULED,
        h.starts_at,
        room.pk,
    )
    assert change.changed_by == clerk(world)


@pytest.mark.parametrize("role", KEEPERS)
def test_the_court_schedules_hearings(world: World, role: Role) -> None:
    h = hearing(world, by=world.users[role])
    assert h.created_by == world.users[role]


@pytest.mark.parametrize("role", NOT_KEEPERS)
def test_parties_cannot_schedule_hearings(world: World, role: Role) -> None:
    room = courtroom(world)
    before = hearing_rows()
    with pytest.raises(PermissionDenied):
        hearing(world, by=world.users[role], room=room)
    assert hearing_rows() == before


@pytest.mark.parametrize("role", ROLES)
def test_strangers_cannot_schedule_hearings(world: World, role: Role) -> None:
    room = courtroom(world)
    before = hearing_rows()
    with pytest.raises(PermissionDenied):
        hearing(world, by=world.strangers[role], room=room)
    assert hearing_rows() == before


def test_clerk_of_the_court_schedules_on_a_case_she_is_not_on(world: World) -> None:
    h = hearing(world, case=world.other_case)
    assert h.case == world.other_case


def test_hearing_must_end_after_it_starts(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        services.hearing_schedule(
            case=world.case,
            by=clerk(world),
            kind=HearingKind.TRIAL,
            starts_at=at(2026, 12, 15, 9),
            ends_at=at(2026, 12, 15, 9),
            courtroom=courtroom(world),
        )
    assert exc.value.message_dict == {"ends_at": ["The hearing must end after it starts."]}
    assert not Hearing.objects.exists()


def test_hearing_fields_are_checked_each_under_its_name(world: World) -> None:
    foreign_room = courtroom(world, "Room A", court=world.other_court)
    with pytest.raises(ValidationError) as exc:
        services.hearing_schedule(
            case=world.case,
            by=clerk(world),
            kind="duel",
            starts_at=dt.datetime(2026, 12, 15, 9),  # naive: no zone
            ends_at=at(2026, 12, 15, 10),
            courtroom=foreign_room,
            judge=world.user(Role.PROSECUTOR),
        )
    errors = exc.value.message_dict
    assert sorted(errors) == ["courtroom", "judge", "kind", "starts_at"]
    assert errors["courtroom"] == ["Room A is not a courtroom of District Court."]
    assert errors["kind"] == ["'duel' is not a kind of hearing."]
    assert errors["starts_at"] == ["Give the time with its time zone."]
    assert "is not a judge of District Court" in errors["judge"][0]
    assert not Hearing.objects.exists()


def test_judge_of_another_court_cannot_preside(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        hearing(world, judge_user=world.strangers[Role.JUDGE])
    assert list(exc.value.message_dict) == ["judge"]


def test_clerk_is_not_a_judge(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        hearing(world, judge_user=clerk(world))
    assert list(exc.value.message_dict) == ["judge"]


# --- the courtroom is booked once ---------------------------------------------------------


def test_overlapping_hearing_in_the_same_courtroom_is_refused_naming_the_other(
    world: World,
) -> None:
    first = hearing(world, case=world.other_case, starts_at=at(2026, 12, 15, 9), minutes=90)
    before = hearing_rows()
    with pytest.raises(Conflict) as exc:
        hearing(world, starts_at=at(2026, 12, 15, 10))
    assert exc.value.code == "hearing_overlap"
    assert exc.value.message == (
        "Courtroom 1 is taken from 2026-12-15 09:00 (America/New_York) to 2026-12-15 10:30 "
        f"(America/New_York) by the plea hearing in 1:26-cr-00002 (hearing {first.pk})."
    )
    assert hearing_rows() == before


def test_back_to_back_hearings_do_not_overlap(world: World) -> None:
    hearing(world, starts_at=at(2026, 12, 15, 9))
    second = hearing(world, starts_at=at(2026, 12, 15, 10), case=world.other_case)
    assert second.pk is not None


def test_same_time_in_another_courtroom_is_fine(world: World) -> None:
    hearing(world, starts_at=at(2026, 12, 15, 9))
    other = hearing(world, starts_at=at(2026, 12, 15, 9), room=courtroom(world, "Courtroom 2"))
    assert other.courtroom.name == "Courtroom 2"


def test_a_cancelled_hearing_does_not_block_its_courtroom(world: World) -> None:
    first = hearing(world, starts_at=at(2026, 12, 15, 9))
    services.hearing_cancel(hearing=first, by=clerk(world), reason="Defendant hospitalised.")
    second = hearing(world, starts_at=at(2026, 12, 15, 9), case=world.other_case)
    assert second.status == HearingStatus.SCHEDULED


def test_the_database_refuses_an_overlap_the_service_did_not_see(world: World) -> None:
    first = hearing(world, starts_at=at(2026, 12, 15, 9))
    with pytest.raises(IntegrityError), transaction.atomic():
        Hearing.objects.create(
            case=world.other_case,
            kind=HearingKind.TRIAL,
            starts_at=at(2026, 12, 15, 9, 30),
            ends_at=at(2026, 12, 15, 11),
            courtroom=first.courtroom,
            created_by=clerk(world),
        )


# --- continuances ---------------------------------------------------------------------------


def test_reschedule_continues_the_hearing_and_records_why(world: World) -> None:
    h = hearing(world)
    room2 = courtroom(world, "Courtroom 2")
    moved = services.hearing_reschedule(
        hearing=h,
        by=judge(world),
        starts_at=at(2026, 12, 17, 14),
        ends_at=at(2026, 12, 17, 15),
        courtroom=room2,
        reason="Defense needs time to review discovery.",
    )
    moved.refresh_from_db()
    assert (moved.status, moved.sequence, moved.courtroom_id) == (
        HearingStatus.CONTINUED,
        1,
        room2.pk,
    )
    assert moved.starts_at == at(2026, 12, 17, 14)
    change = moved.changes.last()
    assert change is not None
    assert (
        change.from_starts_at,
        change.to_starts_at,
        change.from_courtroom_id,
        change.to_courtroom_id,
        change.from_status,
        change.to_status,
        change.reason,
        change.changed_by,
    ) == (
        at(2026, 12, 15, 9),
        at(2026, 12, 17, 14),
        courtroom(world).pk,
        room2.pk,
        HearingStatus.SCHEDULED,
        HearingStatus.CONTINUED,
        "Defense needs time to review discovery.",
        judge(world),
    )


def test_second_continuance_raises_the_sequence_again(world: World) -> None:
    h = hearing(world)
    for day, expected in ((16, 1), (17, 2)):
        h = services.hearing_reschedule(
            hearing=h,
            by=clerk(world),
            starts_at=at(2026, 12, day, 9),
            ends_at=at(2026, 12, day, 10),
            reason="Witness unavailable.",
        )
        assert h.sequence == expected
    assert h.changes.count() == 3
    assert h.courtroom == courtroom(world)


def test_reschedule_needs_a_reason(world: World) -> None:
    h = hearing(world)
    before = hearing_rows()
    with pytest.raises(ValidationError) as exc:
        services.hearing_reschedule(
            hearing=h,
            by=clerk(world),
            starts_at=at(2026, 12, 16, 9),
            ends_at=at(2026, 12, 16, 10),
            reason="   ",
        )
    assert exc.value.message_dict == {"reason": ["Give the reason for the continuance."]}
    assert hearing_rows() == before


def test_reschedule_to_the_same_time_is_refused(world: World) -> None:
    h = hearing(world)
    with pytest.raises(ValidationError) as exc:
        services.hearing_reschedule(
            hearing=h,
            by=clerk(world),
            starts_at=h.starts_at,
            ends_at=h.ends_at,
            reason="No change.",
        )
    assert list(exc.value.message_dict) == ["starts_at"]


def test_reschedule_into_a_taken_slot_is_refused_and_changes_nothing(world: World) -> None:
    taken = hearing(world, case=world.other_case, starts_at=at(2026, 12, 16, 9))
    h = hearing(world)
    before = hearing_rows()
    with pytest.raises(Conflict) as exc:
        services.hearing_reschedule(
            hearing=h,
            by=clerk(world),
            starts_at=at(2026, 12, 16, 9, 30),
            ends_at=at(2026, 12, 16, 10, 30),
            reason="Judge's calendar.",
        )
    assert f"(hearing {taken.pk})" in exc.value.message
    assert hearing_rows() == before


def test_a_hearing_may_move_within_its_own_slot(world: World) -> None:
    h = hearing(world, starts_at=at(2026, 12, 15, 9), minutes=120)
    moved = services.hearing_reschedule(
        hearing=h,
        by=clerk(world),
        starts_at=at(2026, 12, 15, 10),
        ends_at=at(2026, 12, 15, 11),
        reason="Starts an hour later.",
    )
    assert moved.starts_at == at(2026, 12, 15, 10)


def test_a_cancelled_hearing_cannot_be_rescheduled(world: World) -> None:
    h = services.hearing_cancel(hearing=hearing(world), by=clerk(world), reason="Plea withdrawn.")
    before = hearing_rows()
    with pytest.raises(Conflict) as exc:
        services.hearing_reschedule(
            hearing=h,
            by=clerk(world),
            starts_at=at(2026, 12, 16, 9),
            ends_at=at(2026, 12, 16, 10),
            reason="Back on.",
        )
    assert exc.value.code == "hearing_cancelled"
    assert exc.value.message == "This hearing is cancelled; it cannot be rescheduled."
    assert hearing_rows() == before


def test_a_held_hearing_cannot_be_rescheduled(world: World, frozen: time_machine.Traveller) -> None:
    h = hearing(world)
    frozen.move_to(dt.datetime(2026, 12, 15, 14, 30, tzinfo=dt.UTC))
    services.hearing_mark_held(hearing=h, by=clerk(world))
    with pytest.raises(Conflict) as exc:
        services.hearing_reschedule(
            hearing=h,
            by=clerk(world),
            starts_at=at(2026, 12, 16, 9),
            ends_at=at(2026, 12, 16, 10),
            reason="Again.",
        )
    assert exc.value.code == "hearing_held"


@pytest.mark.parametrize("role", NOT_KEEPERS)
def test_parties_cannot_reschedule(world: World, role: Role) -> None:
    h = hearing(world)
    before = hearing_rows()
    with pytest.raises(PermissionDenied):
        services.hearing_reschedule(
            hearing=h,
            by=world.users[role],
            starts_at=at(2026, 12, 16, 9),
            ends_at=at(2026, 12, 16, 10),
            reason="We would prefer Wednesday.",
        )
    assert hearing_rows() == before


@pytest.mark.parametrize("role", ROLES)
def test_strangers_cannot_reschedule(world: World, role: Role) -> None:
    h = hearing(world)
    before = hearing_rows()
    with pytest.raises(PermissionDenied):
        services.hearing_reschedule(
            hearing=h,
            by=world.strangers[role],
            starts_at=at(2026, 12, 16, 9),
            ends_at=at(2026, 12, 16, 10),
            reason="Mine now.",
        )
    assert hearing_rows() == before


def test_a_continuance_tells_everyone_on_the_case(world: World) -> None:
    h = hearing(world)
    services.hearing_reschedule(
        hearing=h,
        by=clerk(world),
        starts_at=at(2026, 12, 16, 9),
        ends_at=at(2026, 12, 16, 10),
        reason="Courtroom repairs.",
    )
    told = set(
        Alert.objects.filter(hearing=h, subject=AlertSubject.HEARING_CHANGED).values_list(
            "recipient__username", flat=True
        )
    )
    assert {"prosecutor", "defense", "duty", "defendant", "judge"} <= told
    assert not told & {"other_prosecutor", "other_defense", "other_judge", "other_clerk"}


# --- held, cancelled, edited ----------------------------------------------------------------


def test_a_hearing_is_marked_held_once_it_has_begun(
    world: World, frozen: time_machine.Traveller
) -> None:
    h = hearing(world)
    with pytest.raises(Conflict) as exc:
        services.hearing_mark_held(hearing=h, by=judge(world))
    assert exc.value.code == "hearing_not_begun"
    frozen.move_to(dt.datetime(2026, 12, 15, 14, 5, tzinfo=dt.UTC))
    held = services.hearing_mark_held(hearing=h, by=judge(world))
    assert (held.status, held.sequence) == (HearingStatus.HELD, 1)
    change = held.changes.last()
    assert change is not None
    assert (change.from_status, change.to_status) == (HearingStatus.SCHEDULED, HearingStatus.HELD)
    with pytest.raises(Conflict):
        services.hearing_mark_held(hearing=h, by=judge(world))
    with pytest.raises(Conflict):
        services.hearing_cancel(hearing=h, by=judge(world), reason="Too late.")


def test_cancel_needs_a_reason_and_is_kept_in_history(world: World) -> None:
    h = hearing(world)
    before = hearing_rows()
    with pytest.raises(ValidationError) as exc:
        services.hearing_cancel(hearing=h, by=clerk(world), reason="")
    assert exc.value.message_dict == {"reason": ["Give the reason for the cancellation."]}
    assert hearing_rows() == before
    cancelled = services.hearing_cancel(hearing=h, by=clerk(world), reason="Case dismissed.")
    assert (cancelled.status, cancelled.sequence) == (HearingStatus.CANCELLED, 1)
    change = cancelled.changes.last()
    assert change is not None
    assert (change.to_status, change.reason) == (HearingStatus.CANCELLED, "Case dismissed.")
    with pytest.raises(Conflict) as again:
        services.hearing_cancel(hearing=h, by=clerk(world), reason="Again.")
    assert again.value.code == "hearing_cancelled"


def test_cancel_stops_pending_reminders(world: World) -> None:
    h = hearing(world)
    assert Alert.objects.filter(hearing=h, subject=AlertSubject.REMINDER, status="pending")
    services.hearing_cancel(hearing=h, by=clerk(world), reason="Case dismissed.")
    assert not Alert.objects.filter(
        hearing=h, subject=AlertSubject.REMINDER, status="pending"
    ).exists()


@pytest.mark.parametrize("role", NOT_KEEPERS)
def test_parties_cannot_cancel_or_mark_held_or_edit(world: World, role: Role) -> None:
    h = hearing(world)
    before = hearing_rows()
    user = world.users[role]
    with pytest.raises(PermissionDenied):
        services.hearing_cancel(hearing=h, by=user, reason="No.")
    with pytest.raises(PermissionDenied):
        services.hearing_mark_held(hearing=h, by=user)
    with pytest.raises(PermissionDenied):
        services.hearing_update(hearing=h, by=user, notes="Mine.")
    assert hearing_rows() == before


@pytest.mark.parametrize("role", ROLES)
def test_strangers_cannot_cancel(world: World, role: Role) -> None:
    h = hearing(world)
    before = hearing_rows()
    with pytest.raises(PermissionDenied):
        services.hearing_cancel(hearing=h, by=world.strangers[role], reason="No.")
    assert hearing_rows() == before


def test_assigning_a_judge_raises_the_sequence_and_is_recorded(world: World) -> None:
    h = hearing(world)
    updated = services.hearing_update(hearing=h, by=clerk(world), judge=judge(world))
    assert (updated.judge_id, updated.sequence) == (judge(world).pk, 1)
    change = updated.changes.last()
    assert change is not None
    assert change.reason.startswith("Judge: no judge → ")
    same = services.hearing_update(hearing=h, by=clerk(world), judge=judge(world), notes="")
    assert same.sequence == 1
    noted = services.hearing_update(hearing=h, by=clerk(world), notes="Bring the exhibits.")
    assert (noted.notes, noted.sequence, noted.judge_id) == (
        "Bring the exhibits.",
        2,
        judge(world).pk,
    )
    unassigned = services.hearing_update(hearing=h, by=clerk(world), judge=None)
    assert (unassigned.judge_id, unassigned.sequence) == (None, 3)


def test_update_refuses_someone_who_is_not_a_judge(world: World) -> None:
    h = hearing(world)
    with pytest.raises(ValidationError) as exc:
        services.hearing_update(hearing=h, by=clerk(world), judge=world.user(Role.DEFENSE_COUNSEL))
    assert list(exc.value.message_dict) == ["judge"]
    h.refresh_from_db()
    assert (h.judge_id, h.sequence) == (None, 0)


# --- courtrooms -----------------------------------------------------------------------------


def test_clerk_adds_courtrooms_with_unique_names(world: World) -> None:
    room = services.courtroom_create(court=world.court, by=clerk(world), name=" Courtroom 4B ")
    assert room.name == "Courtroom 4B"
    with pytest.raises(ValidationError) as exc:
        services.courtroom_create(court=world.court, by=clerk(world), name="courtroom 4b")
    assert exc.value.message_dict == {
        "name": ["District Court already has a courtroom “courtroom 4b”."]
    }
    with pytest.raises(ValidationError) as empty:
        services.courtroom_create(court=world.court, by=clerk(world), name=" ")
    assert empty.value.message_dict == {"name": ["Name the courtroom."]}
    # Another court may use the same name.
    other = services.courtroom_create(
        court=world.other_court, by=world.strangers[Role.COURT_STAFF], name="Courtroom 4B"
    )
    assert other.court == world.other_court
    assert Courtroom.objects.count() == 2


def test_only_the_courts_staff_add_courtrooms(world: World) -> None:
    for label, user in people(world):
        if user == clerk(world):
            continue
        with pytest.raises(PermissionDenied):
            services.courtroom_create(court=world.court, by=user, name=f"Room of {label}")
    assert not Courtroom.objects.exists()


# --- who sees hearings ----------------------------------------------------------------------


def test_everyone_on_the_case_and_the_court_see_its_hearings(world: World) -> None:
    own = hearing(world)
    other = hearing(world, case=world.other_case, starts_at=at(2026, 12, 15, 11))
    foreign = hearing(
        world,
        case=world.foreign_case,
        room=courtroom(world, "Room A", court=world.other_court),
        by=world.strangers[Role.COURT_STAFF],
    )
    seen = {
        label: set(selectors.hearings_visible_to(user).values_list("pk", flat=True))
        for label, user in people(world)
    }
    assert seen == {
        "case prosecutor": {own.pk},
        "case defense_counsel": {own.pk},
        "case duty_lawyer": {own.pk},
        "case defendant": {own.pk},
        "case judge": {own.pk, other.pk},
        "case court_staff": {own.pk, other.pk},
        "stranger prosecutor": {other.pk, foreign.pk},  # opened both of those cases
        "stranger defense_counsel": set(),
        "stranger duty_lawyer": set(),
        "stranger defendant": set(),
        "stranger judge": {foreign.pk},
        "stranger court_staff": {foreign.pk},
    }


def test_hearing_get_for_user_is_404_for_who_may_not_see_it(world: World) -> None:
    from django.http import Http404

    h = hearing(world)
    assert selectors.hearing_get_for_user(world.user(Role.DEFENDANT), h.pk) == h
    with pytest.raises(Http404):
        selectors.hearing_get_for_user(world.strangers[Role.DEFENSE_COUNSEL], h.pk)
    with pytest.raises(Http404):
        selectors.hearing_get_for_user(world.user(Role.DEFENDANT), "nope")


def test_hearings_of_case_has_a_fixed_number_of_queries(
    world: World, django_assert_num_queries: Any
) -> None:
    for day in (14, 15, 16, 17):
        hearing(world, starts_at=at(2026, 12, day, 9), judge_user=judge(world))
    with django_assert_num_queries(1):
        rows = list(selectors.hearings_of_case(world.user(Role.DEFENSE_COUNSEL), world.case))
        labels = [
            (h.courtroom.name, h.judge.username if h.judge else "", h.case.court.name) for h in rows
        ]
    assert len(labels) == 4


# --- the docket -----------------------------------------------------------------------------


def test_docket_shows_court_local_days_with_filters(
    world: World, django_assert_num_queries: Any
) -> None:
    room1, room2 = courtroom(world), courtroom(world, "Courtroom 2")
    morning = hearing(world, starts_at=at(2026, 12, 15, 9), judge_user=judge(world))
    # 23:30 in New York is already the next day in UTC; it is still the 15th on the docket.
    late = hearing(world, starts_at=at(2026, 12, 15, 23, 30), minutes=20, room=room2)
    next_day = hearing(world, starts_at=at(2026, 12, 16, 9), case=world.other_case)
    cancelled = hearing(world, starts_at=at(2026, 12, 15, 13), case=world.other_case)
    services.hearing_cancel(hearing=cancelled, by=clerk(world), reason="Vacated.")
    foreign = hearing(
        world,
        case=world.foreign_case,
        starts_at=at(2026, 12, 15, 10),
        room=courtroom(world, "Room A", court=world.other_court),
        by=world.strangers[Role.COURT_STAFF],
    )

    def ids(**kwargs: Any) -> list[int]:
        return [h.pk for h in selectors.docket(world.court, **kwargs)]

    assert ids(start=dt.date(2026, 12, 15), days=1) == [morning.pk, cancelled.pk, late.pk]
    assert ids(start=dt.date(2026, 12, 15), days=7) == [
        morning.pk,
        cancelled.pk,
        late.pk,
        next_day.pk,
    ]
    assert ids(start=dt.date(2026, 12, 15), days=7, courtroom=room2) == [late.pk]
    assert ids(start=dt.date(2026, 12, 15), days=7, judge=judge(world)) == [morning.pk]
    assert ids(start=dt.date(2026, 12, 16), days=1, courtroom=room1) == [next_day.pk]
    assert foreign.pk not in ids(start=dt.date(2026, 12, 15), days=7)
    with django_assert_num_queries(1):
        shown = [
            (h.case.docket_number, h.courtroom.name, h.judge_id)
            for h in selectors.docket(world.court, start=dt.date(2026, 12, 15), days=7)
        ]
    assert len(shown) == 4


# --- two bookings at the same moment --------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_bookings_of_one_slot_at_once_leave_one_and_a_409_naming_it(world: World) -> None:
    """Two cases, so the case locks do not serialize the bookings: both may pass the service's
    own check, and then the exclusion constraint decides. The loser is told which hearing won."""
    import threading

    from django.db import connection

    room = courtroom(world)
    barrier = threading.Barrier(2, timeout=30)
    results: list[Any] = [None, None]

    def book(index: int, case: Any, by: Any) -> None:
        try:
            barrier.wait()
            results[index] = hearing(world, case=case, by=by, room=room)
        except BaseException as exc:  # reported to the test
            results[index] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=book, args=(0, world.case, clerk(world))),
        threading.Thread(target=book, args=(1, world.other_case, judge(world))),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    winners = [r for r in results if isinstance(r, Hearing)]
    losers = [r for r in results if isinstance(r, Conflict)]
    assert (len(winners), len(losers)) == (1, 1), results
    assert losers[0].code == "hearing_overlap"
    assert f"(hearing {winners[0].pk})" in losers[0].message
    assert list(Hearing.objects.values_list("pk", flat=True)) == [winners[0].pk]
