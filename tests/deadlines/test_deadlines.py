"""Deadlines through deadlines.services and deadlines.selectors: rule arithmetic as the court
sees it (weekends, US federal holidays, closure days entered by the clerk, court days, periods
counted back from a hearing), moved triggers, overrides and their history, who may set,
override, complete and cancel deadlines, the sweep that marks them missed, what every role
sees, and the "upcoming" list.

The clock is frozen at Tuesday 2026-11-24 10:00 in New York (15:00 UTC).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from cases import party_services
from cases.models import Case, CaseStatus
from core.exceptions import Conflict
from deadlines import selectors, services
from deadlines.models import (
    Alert,
    AlertSubject,
    CourtClosure,
    Deadline,
    DeadlineChange,
    DeadlineChangeKind,
    DeadlineKind,
    DeadlineRule,
    DeadlineStatus,
    HearingKind,
)
from parties.models import CustodyStatus, Defendant, Role, Side
from tests import factories
from tests.conftest import ROLES, World
from tests.deadline_helpers import (
    CN_EXPEDITED_TRIAL_10,
    US_CORRECTION_14,
    US_INDICTMENT_30,
    US_PSR_35_BEFORE,
    US_PSR_OBJECTIONS_14,
    US_SUGGESTION_7,
    US_TRIAL_70,
    at,
    clerk,
    courtroom,
    ensure_seeded_rules,
    event_deadline,
    hearing,
    hearing_deadline,
    judge,
    manual_deadline,
    rule,
    sentencing,
)
from tests.negotiation_helpers import cn_case

D = dt.date
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


def deadline_rows() -> dict[str, list[Any]]:
    return {
        "Deadline": list(Deadline.objects.order_by("pk").values()),
        "DeadlineChange": list(DeadlineChange.objects.order_by("pk").values()),
        "CourtClosure": list(CourtClosure.objects.order_by("pk").values()),
    }


def history(deadline: Deadline) -> list[tuple[str, D | None, D | None]]:
    return [(c.kind, c.from_date, c.to_date) for c in deadline.changes.order_by("changed_at", "pk")]


def court_days_rule(offset: int = 5) -> DeadlineRule:
    """A local rule counted in court days (none is seeded for the US)."""
    return DeadlineRule.objects.create(
        code=f"test-court-days-{offset}",
        jurisdiction=factories.jurisdiction("us-fed"),
        name=f"Reply within {offset} court days",
        kind=DeadlineKind.MOTION_DUE,
        responsible_side=Side.DEFENSE,
        trigger="event",
        trigger_label="Motion served",
        offset=offset,
        unit="court_days",
        direction="after",
        roll="forward",
        citation="L. Cr. R. 47.1 (test)",
    )


def court_day_deadline(world: World, trigger: D) -> Deadline:
    r = court_days_rule()
    return services.deadline_create(
        case=world.case, by=clerk(world), kind=r.kind, title="", rule=r, trigger_date=trigger
    )


# --- rule arithmetic, as the services store it --------------------------------------------


def test_period_ending_on_a_weekday_stays(world: World) -> None:
    d = event_deadline(world, code=US_PSR_OBJECTIONS_14, trigger_date=D(2026, 12, 1))
    assert (d.due_date, d.computed_date, d.trigger_date) == (
        D(2026, 12, 15),
        D(2026, 12, 15),
        D(2026, 12, 1),
    )
    assert d.citation == "Fed. R. Crim. P. 32(f)(1)"
    assert d.title == "Objections to the presentence report within 14 days of receiving it"
    assert d.responsible_side == ""
    assert d.explanation.splitlines()[1:] == [
        "Trigger 2026-12-01 excluded (Rule 45(a)(1)(A))",
        "14 calendar days after → 2026-12-15",
    ]
    assert history(d) == [(DeadlineChangeKind.CREATED, None, D(2026, 12, 15))]


def test_period_ending_on_a_saturday_rolls_to_monday(world: World) -> None:
    d = event_deadline(world, code=US_PSR_OBJECTIONS_14, trigger_date=D(2026, 12, 5))
    assert (d.due_date, d.computed_date) == (D(2026, 12, 21), D(2026, 12, 21))
    assert d.explanation.splitlines()[-1] == (
        "2026-12-19 is not a court day (Saturday); rolled forward to 2026-12-21"
    )


def test_period_ending_on_thanksgiving_rolls_to_friday(world: World) -> None:
    d = event_deadline(world, code=US_PSR_OBJECTIONS_14, trigger_date=D(2026, 11, 12))
    assert d.due_date == D(2026, 11, 27)
    assert "Thanksgiving" in d.explanation.splitlines()[-1]


def test_period_ending_on_christmas_rolls_past_the_weekend(world: World) -> None:
    d = event_deadline(world, code=US_PSR_OBJECTIONS_14, trigger_date=D(2026, 12, 11))
    assert d.due_date == D(2026, 12, 28)


def test_speedy_trial_limit_ending_on_a_saturday_rolls_to_monday(world: World) -> None:
    """Fed. R. Crim. P. 45(a) applies "in computing any time period specified ... in any
    statute that does not specify a method of computing time", and 18 U.S.C. 3161(c)(1)
    specifies none: "if the last day is a Saturday, Sunday, or legal holiday, the period
    continues to run until the end of the next day that is not" (45(a)(1)(C)).

    2026 calendar: indictment Saturday 3 October; 28 days to 31 October, 30 more to
    30 November, 12 more to Saturday 12 December = day 70; the next day that is neither a
    weekend nor a holiday is Monday 14 December."""
    d = event_deadline(world, code=US_TRIAL_70, trigger_date=D(2026, 10, 3))
    assert (d.due_date, d.computed_date) == (D(2026, 12, 14), D(2026, 12, 14))
    assert (d.kind, d.responsible_side) == (DeadlineKind.SPEEDY_TRIAL, Side.COURT)
    assert d.explanation.splitlines()[-1] == (
        "2026-12-12 is not a court day (Saturday); rolled forward to 2026-12-14"
    )


def test_thirty_days_to_indictment_ending_on_a_sunday_rolls_to_monday(world: World) -> None:
    """18 U.S.C. 3161(b): an indictment "within thirty days from the date on which such
    individual was arrested", counted under Fed. R. Crim. P. 45(a)(1).

    2027 calendar: arrest Friday 8 January; day 30 is Sunday 7 February (23 days to
    31 January, 7 more); the period runs to Monday 8 February."""
    d = event_deadline(world, code=US_INDICTMENT_30, trigger_date=D(2027, 1, 8))
    assert d.due_date == D(2027, 2, 8)
    assert d.explanation.splitlines()[-1] == (
        "2027-02-07 is not a court day (Sunday); rolled forward to 2027-02-08"
    )


def test_period_before_a_hearing_rolls_back_over_a_holiday(world: World) -> None:
    s = sentencing(world, starts_at=at(2027, 1, 29, 10))
    d = hearing_deadline(world, s)
    # 35 days before Friday 29 January 2027 is Christmas Day: the report is due the day before.
    assert (d.due_date, d.computed_date) == (D(2026, 12, 24), D(2026, 12, 24))
    assert (d.trigger_hearing_id, d.trigger_date) == (s.pk, None)
    assert "rolled backward to 2026-12-24" in d.explanation


def test_hearing_trigger_counts_from_the_court_local_day(world: World) -> None:
    # 20:00 in New York on 9 February is 01:00 UTC on the 10th; the court's day is the 9th.
    s = sentencing(world, starts_at=at(2027, 2, 9, 20))
    d = hearing_deadline(world, s, code=US_CORRECTION_14)
    assert d.due_date == D(2027, 2, 23)


def test_court_days_skip_weekends_and_holidays(world: World) -> None:
    # From Friday 20 November: 23, 24, 25, (26 Thanksgiving), 27, 30 November.
    d = court_day_deadline(world, D(2026, 11, 20))
    assert d.due_date == D(2026, 11, 30)
    assert "2026-11-26 Thanksgiving Day" in d.explanation


def test_rule_preview_computes_without_saving(world: World) -> None:
    result = services.rule_preview(
        case=world.case, rule=rule(US_PSR_OBJECTIONS_14), trigger_date=D(2026, 12, 5)
    )
    assert (result.date, result.rolled_from) == (D(2026, 12, 21), D(2026, 12, 19))
    assert not Deadline.objects.exists()
    with pytest.raises(ValidationError) as exc:
        services.rule_preview(
            case=world.case, rule=rule(CN_EXPEDITED_TRIAL_10), trigger_date=D(2026, 12, 5)
        )
    assert list(exc.value.message_dict) == ["rule"]


# --- closure days ----------------------------------------------------------------------------


def test_a_closure_on_the_last_day_moves_the_deadline_and_removing_it_moves_it_back(
    world: World,
) -> None:
    d = event_deadline(world, code=US_PSR_OBJECTIONS_14, trigger_date=D(2026, 12, 1))
    closure = services.closure_add(
        court=world.court, by=clerk(world), date=D(2026, 12, 15), reason="  Snow emergency. "
    )
    assert (closure.reason, closure.created_by) == ("Snow emergency.", clerk(world))
    d.refresh_from_db()
    assert (d.due_date, d.computed_date, d.sequence) == (D(2026, 12, 16), D(2026, 12, 16), 1)
    assert "Court closed: Snow emergency." in d.explanation
    change = d.changes.last()
    assert change is not None
    assert (change.kind, change.from_date, change.to_date, change.changed_by) == (
        DeadlineChangeKind.RECOMPUTED,
        D(2026, 12, 15),
        D(2026, 12, 16),
        clerk(world),
    )
    assert change.reason == "Recomputed: Court closed on 2026-12-15: Snow emergency."
    services.closure_remove(closure=closure, by=clerk(world))
    d.refresh_from_db()
    assert (d.due_date, d.computed_date, d.sequence) == (D(2026, 12, 15), D(2026, 12, 15), 2)
    assert not CourtClosure.objects.exists()


def test_a_closure_on_the_last_day_of_a_backward_period_extends_it_forward(
    world: World, frozen: time_machine.Traveller
) -> None:
    """Fed. R. Crim. P. 45(a)(3)(A): the clerk's office inaccessible "on the last day for
    filing ... the time for filing is extended to the first accessible day that is not a
    Saturday, Sunday, or legal holiday" (forward, the 2009 committee note says, even for a
    period counted backward from an event).

    2027 calendar: the presentence report is due 35 days before sentencing on Tuesday
    9 February 2027 (Rule 32(e)(2)), that is Tuesday 5 January; the court closes that day, so
    the time runs to Wednesday 6 January, not back to Monday 4 January."""
    d = hearing_deadline(world, sentencing(world, starts_at=at(2027, 2, 9, 10)))
    assert d.due_date == D(2027, 1, 5)
    services.closure_add(court=world.court, by=clerk(world), date=D(2027, 1, 5), reason="Snow.")
    d.refresh_from_db()
    assert (d.due_date, d.computed_date) == (D(2027, 1, 6), D(2027, 1, 6))
    assert "time extended to 2027-01-06" in d.explanation
    assert d.changes.filter(kind=DeadlineChangeKind.RECOMPUTED).get().to_date == D(2027, 1, 6)


def _cn_deadline(world: World, *, custody: str) -> Deadline:
    cn = cn_case(world)
    Defendant.objects.filter(participations__case=cn.case).update(custody_status=custody)
    return services.deadline_create(
        case=cn.case,
        by=cn.clerk,
        kind=DeadlineKind.SPEEDY_TRIAL,
        title="",
        rule=rule(CN_EXPEDITED_TRIAL_10),
        trigger_date=D(2026, 12, 22),
    )


def test_cn_period_ending_on_a_holiday_is_extended_for_a_defendant_at_liberty(
    world: World,
) -> None:
    """CPL art. 105: "期间的最后一日为节假日的，以节假日后的第一日为期满日期" (a period whose
    last day is a holiday ends on the first day after the holiday). Holidays package calendar
    for 2027: the case is accepted Tuesday 22 December 2026; the 10th day (CPL art. 225) is
    New Year's Day, Friday 1 January 2027, followed by the weekend; the period ends Monday
    4 January."""
    d = _cn_deadline(world, custody=CustodyStatus.RELEASED)
    assert d.due_date == D(2027, 1, 4)
    assert d.explanation.splitlines()[1] == "Trigger 2026-12-22 excluded (CPL art. 105)"


def test_cn_period_ending_on_a_holiday_is_not_extended_in_custody(world: World) -> None:
    """CPL art. 105: "但犯罪嫌疑人、被告人或者罪犯在押期间，应当至期满之日为止，不得因节假日而
    延长" (while the suspect or defendant is in custody the period ends on the day it expires
    and is not extended for holidays). Same dates, the defendant detained: Friday 1 January
    2027."""
    d = _cn_deadline(world, custody=CustodyStatus.DETAINED)
    assert d.due_date == D(2027, 1, 1)
    assert d.explanation.splitlines()[-1].endswith(
        "not extended, a defendant is in custody (《刑事诉讼法》第一百零五条 (CPL art. 105))"
    )


def test_detaining_and_releasing_the_defendant_moves_a_cn_deadline(
    world: World, frozen: time_machine.Traveller
) -> None:
    """CPL art. 105 depends on custody now: detained after the deadline was set, the period
    of the two tests above ends on New Year's Day 2027 (not extended); released again, it
    runs to Monday 4 January 2027. Each move is in the deadline's history."""
    d = _cn_deadline(world, custody=CustodyStatus.RELEASED)
    defendant = Defendant.objects.get(participations__case=d.case)
    prosecutor = d.case.participants.get(role=Role.PROSECUTOR).user
    assert prosecutor is not None

    party_services.defendant_update(
        defendant=defendant, by=prosecutor, custody_status=CustodyStatus.DETAINED
    )
    d.refresh_from_db()
    assert (d.due_date, d.computed_date) == (D(2027, 1, 1), D(2027, 1, 1))

    party_services.defendant_update(
        defendant=defendant, by=prosecutor, custody_status=CustodyStatus.RELEASED
    )
    d.refresh_from_db()
    assert d.due_date == D(2027, 1, 4)
    moves = d.changes.filter(kind=DeadlineChangeKind.RECOMPUTED).order_by("pk")
    assert [(c.from_date, c.to_date) for c in moves] == [
        (D(2027, 1, 4), D(2027, 1, 1)),
        (D(2027, 1, 1), D(2027, 1, 4)),
    ]
    assert moves[0].reason == f"Recomputed: {defendant} is now detained."


def test_custody_does_not_move_a_us_deadline(world: World, frozen: time_machine.Traveller) -> None:
    """The us-fed profile has no custody rule: 14 days after Friday 11 December 2026 is
    Christmas Day, and the period runs to Monday 28 December (Rule 45(a)(1)(C)) whether or
    not the defendant is detained."""
    d = event_deadline(world, code=US_PSR_OBJECTIONS_14, trigger_date=D(2026, 12, 11))
    assert d.due_date == D(2026, 12, 28)
    party_services.defendant_update(
        defendant=world.defendant, by=world.users[Role.PROSECUTOR], custody_status="detained"
    )
    d.refresh_from_db()
    assert d.due_date == D(2026, 12, 28)
    assert not d.changes.filter(kind=DeadlineChangeKind.RECOMPUTED).exists()


def test_recompute_deadlines_brings_a_limit_counted_without_rule_45a_up_to_date(
    world: World, frozen: time_machine.Traveller
) -> None:
    """A Speedy Trial Act limit set while its rule did not roll (as shipped before Rule 45(a)
    was applied to 18 U.S.C. 3161) moves when `recompute_deadlines` runs after the release.
    2026 calendar: 70 days after Saturday 3 October is Saturday 12 December; under
    45(a)(1)(C) the limit runs to Monday 14 December."""
    DeadlineRule.objects.filter(code=US_TRIAL_70).update(roll="none")
    d = event_deadline(world, code=US_TRIAL_70, trigger_date=D(2026, 10, 3))
    assert d.due_date == D(2026, 12, 12)
    DeadlineRule.objects.filter(code=US_TRIAL_70).update(roll="forward")

    out = StringIO()
    call_command("recompute_deadlines", stdout=out)
    d.refresh_from_db()
    assert d.due_date == D(2026, 12, 14)
    change = d.changes.get(kind=DeadlineChangeKind.RECOMPUTED)
    assert (change.from_date, change.to_date, change.changed_by) == (
        D(2026, 12, 12),
        D(2026, 12, 14),
        None,
    )
    assert out.getvalue().splitlines()[-1] == "Deadlines moved in all: 1."


def test_recompute_deadlines_after_a_court_gets_its_state(
    world: World, frozen: time_machine.Traveller
) -> None:
    """45(a)(6)(C), 2027 calendar: objections due 14 days after Friday 29 January 2027 end on
    Friday 12 February, Lincoln's Birthday, a New York public holiday (N.Y. Gen. Constr. Law
    § 24); Monday 15 February is Washington's Birthday; once the court is marked as sitting in
    New York the period runs to Tuesday 16 February. Other courts are left alone."""
    d = event_deadline(world, code=US_PSR_OBJECTIONS_14, trigger_date=D(2027, 1, 29))
    assert d.due_date == D(2027, 2, 12)
    world.court.subdivision = "NY"
    world.court.save(update_fields=["subdivision"])

    call_command("recompute_deadlines", "--court", str(world.court.pk), stdout=StringIO())
    d.refresh_from_db()
    assert d.due_date == D(2027, 2, 16)
    assert "Lincoln's Birthday (NY)" in d.explanation
    with pytest.raises(CommandError):
        call_command("recompute_deadlines", "--court", "0", stdout=StringIO())


def test_a_closure_inside_a_court_day_period_adds_a_day(world: World) -> None:
    d = court_day_deadline(world, D(2026, 11, 20))
    services.closure_add(
        court=world.court, by=clerk(world), date=D(2026, 11, 27), reason="Power outage."
    )
    d.refresh_from_db()
    assert d.due_date == D(2026, 12, 1)


def test_a_closure_leaves_overrides_limits_that_do_not_roll_past_deadlines_and_other_courts(
    world: World, frozen: time_machine.Traveller
) -> None:
    overridden = event_deadline(world, code=US_PSR_OBJECTIONS_14, trigger_date=D(2026, 12, 1))
    services.deadline_override(
        deadline=overridden, by=judge(world), due_date=D(2026, 12, 18), reason="Agreed extension."
    )
    # A limit whose statute sets its own counting (roll "none"): Tuesday 15 December.
    fixed = rule(US_TRIAL_70)
    fixed.pk, fixed.code, fixed.roll = None, "test-fixed-70", "none"
    fixed.save()
    limit = services.deadline_create(
        case=world.case,
        by=clerk(world),
        kind=fixed.kind,
        title="",
        rule=fixed,
        trigger_date=D(2026, 10, 6),
    )
    foreign = event_deadline(
        world,
        code=US_PSR_OBJECTIONS_14,
        trigger_date=D(2026, 12, 1),
        case=world.foreign_case,
        by=world.strangers[Role.COURT_STAFF],
    )
    assert limit.due_date == D(2026, 12, 15)
    before = {d.pk: d.due_date for d in Deadline.objects.all()}
    services.closure_add(court=world.court, by=clerk(world), date=D(2026, 12, 15), reason="Flood.")
    after = {d.pk: d.due_date for d in Deadline.objects.all()}
    assert after == before
    assert DeadlineChange.objects.filter(kind=DeadlineChangeKind.EDITED).count() == 0
    assert {overridden.pk, limit.pk, foreign.pk} == set(after)


def test_a_closure_does_not_reach_back_to_a_deadline_already_past(
    world: World, frozen: time_machine.Traveller
) -> None:
    d = event_deadline(world, code=US_PSR_OBJECTIONS_14, trigger_date=D(2026, 12, 1))
    frozen.move_to(dt.datetime(2026, 12, 17, 15, tzinfo=dt.UTC))
    services.closure_add(court=world.court, by=clerk(world), date=D(2026, 12, 15), reason="Late.")
    d.refresh_from_db()
    assert d.due_date == D(2026, 12, 15)


def test_closure_needs_a_reason_and_one_per_day(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        services.closure_add(court=world.court, by=clerk(world), date=D(2026, 12, 15), reason=" ")
    assert exc.value.message_dict == {"reason": ["Say why the court is closed."]}
    services.closure_add(court=world.court, by=clerk(world), date=D(2026, 12, 15), reason="Snow.")
    with pytest.raises(ValidationError) as twice:
        services.closure_add(
            court=world.court, by=clerk(world), date=D(2026, 12, 15), reason="Ice."
        )
    assert twice.value.message_dict == {"date": ["The court is already closed on 2026-12-15."]}
    assert CourtClosure.objects.count() == 1


def test_only_the_courts_staff_manage_closures(world: World) -> None:
    closure = services.closure_add(
        court=world.court, by=clerk(world), date=D(2026, 12, 15), reason="Snow."
    )
    before = deadline_rows()
    everyone = [world.users[r] for r in ROLES] + [world.strangers[r] for r in ROLES]
    for user in everyone:
        if user == clerk(world):
            continue
        with pytest.raises(PermissionDenied):
            services.closure_add(court=world.court, by=user, date=D(2026, 12, 16), reason="Mine.")
        with pytest.raises(PermissionDenied):
            services.closure_remove(closure=closure, by=user)
    assert deadline_rows() == before


# --- moved triggers ------------------------------------------------------------------------


def test_rescheduling_the_sentencing_moves_the_deadlines_counted_from_it(world: World) -> None:
    s = sentencing(world, starts_at=at(2027, 2, 9, 10))
    psr = hearing_deadline(world, s)
    correction = hearing_deadline(world, s, code=US_CORRECTION_14)
    unrelated = manual_deadline(world)
    assert (psr.due_date, correction.due_date) == (D(2027, 1, 5), D(2027, 2, 23))
    services.hearing_reschedule(
        hearing=s,
        by=clerk(world),
        starts_at=at(2027, 1, 29, 10),
        ends_at=at(2027, 1, 29, 11),
        reason="Probation needs the earlier date.",
    )
    psr.refresh_from_db()
    correction.refresh_from_db()
    unrelated.refresh_from_db()
    assert (psr.due_date, psr.computed_date, psr.sequence) == (
        D(2026, 12, 24),
        D(2026, 12, 24),
        1,
    )
    assert correction.due_date == D(2027, 2, 12)
    assert history(psr)[-1] == (DeadlineChangeKind.TRIGGER_MOVED, D(2027, 1, 5), D(2026, 12, 24))
    last = psr.changes.last()
    assert last is not None
    assert (last.changed_by, last.reason) == (
        None,
        "The hearing moved: Probation needs the earlier date.",
    )
    assert history(unrelated) == [(DeadlineChangeKind.CREATED, None, D(2026, 12, 18))]


def test_a_same_day_move_of_the_trigger_leaves_the_deadline_alone(world: World) -> None:
    s = sentencing(world, starts_at=at(2027, 2, 9, 10))
    psr = hearing_deadline(world, s)
    services.hearing_reschedule(
        hearing=s,
        by=clerk(world),
        starts_at=at(2027, 2, 9, 14),
        ends_at=at(2027, 2, 9, 15),
        reason="Afternoon.",
    )
    psr.refresh_from_db()
    assert (psr.due_date, psr.sequence) == (D(2027, 1, 5), 0)
    assert len(history(psr)) == 1


def test_editing_the_trigger_date_moves_the_computed_date(world: World) -> None:
    d = event_deadline(world, code=US_PSR_OBJECTIONS_14, trigger_date=D(2026, 12, 1))
    moved = services.deadline_update(
        deadline=d, by=clerk(world), trigger_date=D(2026, 12, 5), reason="Report served late."
    )
    assert (moved.trigger_date, moved.computed_date, moved.due_date) == (
        D(2026, 12, 5),
        D(2026, 12, 21),
        D(2026, 12, 21),
    )
    assert history(moved)[-1] == (
        DeadlineChangeKind.TRIGGER_MOVED,
        D(2026, 12, 15),
        D(2026, 12, 21),
    )
    last = moved.changes.last()
    assert last is not None
    assert last.reason == "Trigger date 2026-12-01 → 2026-12-05. Report served late."
    assert last.changed_by == clerk(world)


def test_an_override_survives_a_moved_trigger(world: World) -> None:
    s = sentencing(world, starts_at=at(2027, 2, 9, 10))
    psr = hearing_deadline(world, s)
    services.deadline_override(
        deadline=psr, by=judge(world), due_date=D(2027, 1, 8), reason="Probation office backlog."
    )
    services.hearing_reschedule(
        hearing=s,
        by=clerk(world),
        starts_at=at(2027, 2, 16, 10),
        ends_at=at(2027, 2, 16, 11),
        reason="Judge away.",
    )
    psr.refresh_from_db()
    assert (psr.due_date, psr.computed_date, psr.override_reason) == (
        D(2027, 1, 8),
        D(2027, 1, 12),
        "Probation office backlog.",
    )
    assert history(psr) == [
        (DeadlineChangeKind.CREATED, None, D(2027, 1, 5)),
        (DeadlineChangeKind.OVERRIDDEN, D(2027, 1, 5), D(2027, 1, 8)),
        (DeadlineChangeKind.TRIGGER_MOVED, D(2027, 1, 5), D(2027, 1, 12)),
    ]
    last = psr.changes.last()
    assert last is not None
    assert "the override to 2027-01-08 stays" in last.reason
    # Removing the override returns to the date computed from the moved hearing.
    back = services.deadline_override_remove(deadline=psr, by=clerk(world))
    assert (back.due_date, back.override_reason) == (D(2027, 1, 12), "")
    assert history(back)[-1] == (
        DeadlineChangeKind.OVERRIDE_REMOVED,
        D(2027, 1, 8),
        D(2027, 1, 12),
    )


# --- overrides --------------------------------------------------------------------------------


def test_override_needs_a_reason_and_changes_nothing_without_one(world: World) -> None:
    d = event_deadline(world)
    before = deadline_rows()
    with pytest.raises(ValidationError) as exc:
        services.deadline_override(deadline=d, by=judge(world), due_date=D(2027, 2, 1), reason="")
    assert exc.value.message_dict == {
        "reason": ["Give the reason for overriding the computed date."]
    }
    assert deadline_rows() == before


def test_override_keeps_the_computed_date_and_the_reason(world: World) -> None:
    d = event_deadline(world)  # 70 days from 2026-11-02: 2027-01-11
    o = services.deadline_override(
        deadline=d, by=judge(world), due_date=D(2027, 2, 1), reason="Ends-of-justice continuance."
    )
    assert (o.due_date, o.computed_date, o.override_reason, o.sequence) == (
        D(2027, 2, 1),
        D(2027, 1, 11),
        "Ends-of-justice continuance.",
        1,
    )
    last = o.changes.last()
    assert last is not None
    assert (last.kind, last.from_date, last.to_date, last.reason, last.changed_by) == (
        DeadlineChangeKind.OVERRIDDEN,
        D(2027, 1, 11),
        D(2027, 2, 1),
        "Ends-of-justice continuance.",
        judge(world),
    )


def test_override_to_the_computed_date_or_of_a_manual_deadline_is_refused(world: World) -> None:
    d = event_deadline(world)
    with pytest.raises(ValidationError) as same:
        services.deadline_override(deadline=d, by=judge(world), due_date=D(2027, 1, 11), reason="x")
    assert same.value.message_dict == {"due_date": ["That is already the computed date."]}
    m = manual_deadline(world)
    with pytest.raises(ValidationError) as manual:
        services.deadline_override(deadline=m, by=judge(world), due_date=D(2027, 1, 4), reason="x")
    assert manual.value.message_dict == {
        "due_date": ["This deadline was set by hand; change its date instead."]
    }


def test_removing_an_override_that_is_not_there_is_a_conflict(world: World) -> None:
    d = event_deadline(world)
    with pytest.raises(Conflict) as exc:
        services.deadline_override_remove(deadline=d, by=judge(world))
    assert exc.value.code == "not_overridden"


# --- creating deadlines ------------------------------------------------------------------------


def test_manual_deadline_is_stored_as_given(world: World) -> None:
    d = manual_deadline(world, title=" Rule 16 discovery ", due_date=D(2026, 12, 18))
    assert (d.kind, d.title, d.due_date, d.responsible_side, d.rule_id, d.computed_date) == (
        DeadlineKind.DISCOVERY_DUE,
        "Rule 16 discovery",
        D(2026, 12, 18),
        Side.PROSECUTION,
        None,
        None,
    )
    assert (d.status, d.created_by) == (DeadlineStatus.OPEN, clerk(world))


def test_manual_deadline_needs_a_due_date_and_a_title(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        services.deadline_create(
            case=world.case, by=clerk(world), kind=DeadlineKind.MOTION_DUE, title=" "
        )
    assert exc.value.message_dict == {
        "title": ["Give the deadline a title."],
        "due_date": ["Enter the due date."],
    }


@pytest.mark.parametrize(
    ("kind", "what"),
    [(DeadlineKind.OFFER_EXPIRY, "offer"), (DeadlineKind.SUGGESTION_RESPONSE_DUE, "suggestion")],
)
def test_negotiation_kinds_are_not_set_by_hand(world: World, kind: str, what: str) -> None:
    with pytest.raises(ValidationError) as exc:
        manual_deadline(world, kind=kind)
    assert list(exc.value.message_dict) == ["kind"]
    assert f"follows the {what}" in exc.value.message_dict["kind"][0]
    assert not Deadline.objects.exists()


def test_unknown_kind_and_side_are_refused(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        manual_deadline(world, kind="nap", responsible_side="jury")
    assert sorted(exc.value.message_dict) == ["kind", "responsible_side"]


def test_rule_of_another_jurisdiction_or_inactive_is_refused(world: World) -> None:
    cn_rule = rule(CN_EXPEDITED_TRIAL_10)
    with pytest.raises(ValidationError) as exc:
        services.deadline_create(
            case=world.case,
            by=clerk(world),
            kind=cn_rule.kind,
            title="",
            rule=cn_rule,
            trigger_date=D(2026, 12, 1),
        )
    assert exc.value.message_dict == {
        "rule": ["Choose an active rule of this case's jurisdiction."]
    }
    DeadlineRule.objects.filter(code=US_TRIAL_70).update(active=False)
    with pytest.raises(ValidationError) as inactive:
        event_deadline(world)
    assert list(inactive.value.message_dict) == ["rule"]


def test_rule_and_kind_must_agree(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        services.deadline_create(
            case=world.case,
            by=clerk(world),
            kind=DeadlineKind.MOTION_DUE,
            title="",
            rule=rule(US_TRIAL_70),
            trigger_date=D(2026, 12, 1),
        )
    assert exc.value.message_dict == {"kind": ["The rule sets the kind: speedy-trial limit."]}


def test_event_rule_needs_a_date_not_a_hearing_nor_a_due_date(world: World) -> None:
    s = sentencing(world)
    r = rule(US_TRIAL_70)
    with pytest.raises(ValidationError) as exc:
        services.deadline_create(
            case=world.case,
            by=clerk(world),
            kind=r.kind,
            title="",
            rule=r,
            trigger_hearing=s,
            due_date=D(2027, 1, 1),
        )
    assert sorted(exc.value.message_dict) == ["due_date", "trigger_date", "trigger_hearing"]
    assert exc.value.message_dict["trigger_date"] == [
        "Enter the date: Indictment filed or first appearance, whichever is later."
    ]


def test_hearing_rule_needs_a_hearing_of_its_kind_on_the_same_case(world: World) -> None:
    r = rule(US_PSR_35_BEFORE)
    plea = hearing(world, kind=HearingKind.PLEA_HEARING)
    elsewhere = sentencing(world, case=world.other_case)
    cancelled = sentencing(world, starts_at=at(2027, 3, 2, 10))
    services.hearing_cancel(hearing=cancelled, by=clerk(world), reason="Vacated.")
    for trigger in (None, plea, elsewhere, cancelled):
        with pytest.raises(ValidationError) as exc:
            services.deadline_create(
                case=world.case,
                by=clerk(world),
                kind=r.kind,
                title="",
                rule=r,
                trigger_hearing=trigger,
            )
        assert list(exc.value.message_dict) == ["trigger_hearing"]
    with pytest.raises(ValidationError) as dated:
        services.deadline_create(
            case=world.case,
            by=clerk(world),
            kind=r.kind,
            title="",
            rule=r,
            trigger_date=D(2027, 2, 9),
        )
    assert sorted(dated.value.message_dict) == ["trigger_date", "trigger_hearing"]
    assert not Deadline.objects.exists()


def test_no_deadlines_on_a_closed_case(world: World) -> None:
    Case.objects.filter(pk=world.case.pk).update(
        status=CaseStatus.CLOSED, closed_on=D(2026, 11, 20)
    )
    with pytest.raises(Conflict) as exc:
        manual_deadline(world)
    assert exc.value.code == "case_ended"


# --- editing --------------------------------------------------------------------------------


def test_editing_a_manual_date_is_recorded(world: World) -> None:
    d = manual_deadline(world)
    edited = services.deadline_update(
        deadline=d,
        by=judge(world),
        due_date=D(2027, 1, 8),
        title="Discovery (extended)",
        reason="Stipulated.",
    )
    assert (edited.due_date, edited.title, edited.sequence) == (
        D(2027, 1, 8),
        "Discovery (extended)",
        1,
    )
    assert history(edited)[-1] == (DeadlineChangeKind.EDITED, D(2026, 12, 18), D(2027, 1, 8))


def test_a_computed_date_is_overridden_not_edited(world: World) -> None:
    d = event_deadline(world)
    with pytest.raises(ValidationError) as exc:
        services.deadline_update(deadline=d, by=judge(world), due_date=D(2027, 1, 20))
    assert list(exc.value.message_dict) == ["due_date"]
    s = sentencing(world)
    psr = hearing_deadline(world, s)
    with pytest.raises(ValidationError) as hearing_trigger:
        services.deadline_update(deadline=psr, by=judge(world), trigger_date=D(2027, 1, 20))
    assert list(hearing_trigger.value.message_dict) == ["trigger_date"]


# --- who may do what ------------------------------------------------------------------------


@pytest.mark.parametrize("role", KEEPERS)
def test_the_court_sets_overrides_and_cancels_deadlines(world: World, role: Role) -> None:
    user = world.users[role]
    d = event_deadline(world, by=user)
    services.deadline_override(deadline=d, by=user, due_date=D(2027, 2, 1), reason="Continuance.")
    done = services.deadline_cancel(deadline=d, by=user, reason="Charges dismissed.")
    assert (done.status, done.closed_by) == (DeadlineStatus.CANCELLED, user)
    assert done.closed_at == NOW


@pytest.mark.parametrize("role", NOT_KEEPERS)
def test_parties_cannot_set_override_edit_or_cancel_deadlines(world: World, role: Role) -> None:
    d = event_deadline(world)
    before = deadline_rows()
    user = world.users[role]
    with pytest.raises(PermissionDenied):
        manual_deadline(world, by=user)
    with pytest.raises(PermissionDenied):
        services.deadline_override(deadline=d, by=user, due_date=D(2027, 2, 1), reason="x")
    with pytest.raises(PermissionDenied):
        services.deadline_update(deadline=d, by=user, title="Mine")
    with pytest.raises(PermissionDenied):
        services.deadline_cancel(deadline=d, by=user, reason="x")
    assert deadline_rows() == before


@pytest.mark.parametrize("role", ROLES)
def test_strangers_cannot_touch_deadlines(world: World, role: Role) -> None:
    d = manual_deadline(world, responsible_side="")
    before = deadline_rows()
    user = world.strangers[role]
    with pytest.raises(PermissionDenied):
        manual_deadline(world, by=user)
    with pytest.raises(PermissionDenied):
        services.deadline_cancel(deadline=d, by=user, reason="x")
    with pytest.raises(PermissionDenied):
        services.deadline_complete(deadline=d, by=user)
    assert deadline_rows() == before


# Who may mark met a deadline binding each side ("" = every side).
COMPLETERS = {
    Side.PROSECUTION: {Role.PROSECUTOR, Role.JUDGE, Role.COURT_STAFF},
    Side.DEFENSE: {Role.DEFENSE_COUNSEL, Role.DUTY_LAWYER, Role.JUDGE, Role.COURT_STAFF},
    Side.COURT: {Role.JUDGE, Role.COURT_STAFF},
    "": {Role.PROSECUTOR, Role.DEFENSE_COUNSEL, Role.DUTY_LAWYER, Role.JUDGE, Role.COURT_STAFF},
}


@pytest.mark.parametrize("side", list(COMPLETERS))
@pytest.mark.parametrize("role", ROLES)
def test_who_marks_a_deadline_met(world: World, side: str, role: Role) -> None:
    d = manual_deadline(world, responsible_side=side)
    user = world.users[role]
    if role in COMPLETERS[side]:
        met = services.deadline_complete(deadline=d, by=user)
        assert (met.status, met.closed_by, met.closed_at) == (DeadlineStatus.MET, user, NOW)
        assert history(met)[-1] == (DeadlineChangeKind.MET, None, None)
    else:
        before = deadline_rows()
        with pytest.raises(PermissionDenied):
            services.deadline_complete(deadline=d, by=user)
        assert deadline_rows() == before


def test_closed_deadlines_are_reopened_with_a_reason(world: World) -> None:
    d = manual_deadline(world)
    services.deadline_complete(deadline=d, by=world.user(Role.PROSECUTOR))
    with pytest.raises(Conflict) as twice:
        services.deadline_complete(deadline=d, by=world.user(Role.PROSECUTOR))
    assert twice.value.code == "deadline_met"
    with pytest.raises(Conflict):
        services.deadline_update(deadline=d, by=clerk(world), title="Changed")
    with pytest.raises(ValidationError) as exc:
        services.deadline_reopen(deadline=d, by=clerk(world), reason="")
    assert list(exc.value.message_dict) == ["reason"]
    with pytest.raises(PermissionDenied):
        services.deadline_reopen(deadline=d, by=world.user(Role.PROSECUTOR), reason="Oops.")
    opened = services.deadline_reopen(deadline=d, by=clerk(world), reason="Production incomplete.")
    assert (opened.status, opened.closed_at, opened.closed_by) == (DeadlineStatus.OPEN, None, None)
    assert [k for k, _f, _t in history(opened)] == [
        DeadlineChangeKind.CREATED,
        DeadlineChangeKind.MET,
        DeadlineChangeKind.REOPENED,
    ]
    with pytest.raises(Conflict) as open_again:
        services.deadline_reopen(deadline=d, by=clerk(world), reason="Again.")
    assert open_again.value.code == "deadline_open"


def test_cancel_needs_a_reason(world: World) -> None:
    d = manual_deadline(world)
    before = deadline_rows()
    with pytest.raises(ValidationError) as exc:
        services.deadline_cancel(deadline=d, by=clerk(world), reason="  ")
    assert exc.value.message_dict == {"reason": ["Give the reason for cancelling the deadline."]}
    assert deadline_rows() == before


# --- the sweep: missed deadlines --------------------------------------------------------------


def test_a_deadline_is_missed_one_second_after_midnight_ending_its_day(
    world: World, frozen: time_machine.Traveller
) -> None:
    d = manual_deadline(world, due_date=D(2026, 12, 18))
    met = manual_deadline(world, due_date=D(2026, 12, 18), title="Met in time")
    services.deadline_complete(deadline=met, by=clerk(world))
    end = dt.datetime(2026, 12, 19, 5, 0, tzinfo=dt.UTC)  # midnight in New York
    assert selectors.deadline_moment(d) == end
    frozen.move_to(end - dt.timedelta(seconds=1))
    assert services.deadlines_mark_missed() == 0
    d.refresh_from_db()
    assert d.status == DeadlineStatus.OPEN
    frozen.move_to(end + dt.timedelta(seconds=1))
    assert services.deadlines_mark_missed() == 1
    d.refresh_from_db()
    met.refresh_from_db()
    assert (d.status, d.closed_at, d.closed_by, d.sequence) == (
        DeadlineStatus.MISSED,
        end + dt.timedelta(seconds=1),
        None,
        1,
    )
    assert history(d)[-1] == (DeadlineChangeKind.MISSED, D(2026, 12, 18), None)
    assert met.status == DeadlineStatus.MET
    assert Alert.objects.filter(deadline=d, subject=AlertSubject.ESCALATION).exists()
    # A second sweep finds nothing more to do and escalates nothing twice.
    escalations = Alert.objects.filter(subject=AlertSubject.ESCALATION).count()
    assert services.deadlines_mark_missed() == 0
    assert Alert.objects.filter(subject=AlertSubject.ESCALATION).count() == escalations


def test_the_sweep_uses_each_courts_midnight(world: World) -> None:
    chicago = manual_deadline(
        world,
        case=world.foreign_case,
        by=world.strangers[Role.COURT_STAFF],
        due_date=D(2026, 12, 18),
    )
    new_york = manual_deadline(world, due_date=D(2026, 12, 18))
    # 05:30 UTC: past midnight in New York, still 23:30 on the 18th in Chicago.
    assert services.deadlines_mark_missed(now=dt.datetime(2026, 12, 19, 5, 30, tzinfo=dt.UTC)) == 1
    chicago.refresh_from_db()
    new_york.refresh_from_db()
    assert (new_york.status, chicago.status) == (DeadlineStatus.MISSED, DeadlineStatus.OPEN)
    assert services.deadlines_mark_missed(now=dt.datetime(2026, 12, 19, 6, 1, tzinfo=dt.UTC)) == 1


def test_a_deadline_with_a_time_is_missed_at_that_time(world: World) -> None:
    d = manual_deadline(world, due_date=D(2026, 12, 18), due_at=at(2026, 12, 18, 17))
    assert services.deadlines_mark_missed(now=at(2026, 12, 18, 16, 59)) == 0
    assert services.deadlines_mark_missed(now=at(2026, 12, 18, 17, 1)) == 1
    d.refresh_from_db()
    assert d.status == DeadlineStatus.MISSED


# --- who sees deadlines ---------------------------------------------------------------------


def test_everyone_who_sees_the_case_sees_its_court_deadlines(world: World) -> None:
    own = manual_deadline(world)
    other = manual_deadline(world, case=world.other_case)
    foreign = manual_deadline(world, case=world.foreign_case, by=world.strangers[Role.COURT_STAFF])
    seen = {
        (kind, role): set(selectors.deadlines_visible_to(user).values_list("pk", flat=True))
        for kind, people in (("case", world.users), ("stranger", world.strangers))
        for role, user in people.items()
    }
    expected_own = {own.pk}
    for role in (Role.PROSECUTOR, Role.DEFENSE_COUNSEL, Role.DUTY_LAWYER, Role.DEFENDANT):
        assert seen[("case", role)] == expected_own
    for role in KEEPERS:
        assert seen[("case", role)] == {own.pk, other.pk}
        assert seen[("stranger", role)] == {foreign.pk}
    assert seen[("stranger", Role.PROSECUTOR)] == {other.pk, foreign.pk}
    for role in (Role.DEFENSE_COUNSEL, Role.DUTY_LAWYER, Role.DEFENDANT):
        assert seen[("stranger", role)] == set()


def test_deadlines_of_case_has_a_fixed_number_of_queries(
    world: World, django_assert_num_queries: Any
) -> None:
    s = sentencing(world)
    hearing_deadline(world, s)
    event_deadline(world)
    for day in (14, 15, 16):
        manual_deadline(world, due_date=D(2026, 12, day))
    with django_assert_num_queries(1):
        rows = [
            (d.title, d.case.court.time_zone, d.rule.citation if d.rule else "")
            for d in selectors.deadlines_of_case(world.user(Role.DEFENDANT), world.case)
        ]
    assert len(rows) == 5


def test_deadline_history_reads_in_one_query(world: World, django_assert_num_queries: Any) -> None:
    d = event_deadline(world)
    services.deadline_override(deadline=d, by=judge(world), due_date=D(2027, 2, 1), reason="x")
    services.deadline_override_remove(deadline=d, by=judge(world))
    with django_assert_num_queries(1):
        rows = [
            (c.kind, c.changed_by.username if c.changed_by else "")
            for c in selectors.deadline_history(d)
        ]
    assert rows == [
        (DeadlineChangeKind.CREATED, "clerk"),
        (DeadlineChangeKind.OVERRIDDEN, "judge"),
        (DeadlineChangeKind.OVERRIDE_REMOVED, "judge"),
    ]


# --- upcoming -------------------------------------------------------------------------------


def test_upcoming_merges_hearings_and_open_deadlines_by_moment(
    world: World, django_assert_num_queries: Any
) -> None:
    overdue = manual_deadline(world, due_date=D(2026, 11, 20), title="Overdue brief")
    soon = manual_deadline(world, due_date=D(2026, 11, 30), title="Motions")
    plea = hearing(world, starts_at=at(2026, 11, 27, 9))
    cancelled = hearing(world, starts_at=at(2026, 11, 25, 9), room=courtroom(world, "Courtroom 2"))
    services.hearing_cancel(hearing=cancelled, by=clerk(world), reason="Vacated.")
    done = manual_deadline(world, due_date=D(2026, 11, 26), title="Done")
    services.deadline_complete(deadline=done, by=clerk(world))
    manual_deadline(world, due_date=D(2026, 12, 30), title="Too far")
    hearing(world, starts_at=at(2026, 12, 30, 9))
    user = world.user(Role.DEFENSE_COUNSEL)
    # The hearings' page, the reader's courts, the deadlines.
    with django_assert_num_queries(3):
        items = selectors.upcoming_for(user, days=14)
        shown = [(i.kind, i.title, i.is_overdue, i.url, i.case.court.name) for i in items]
    assert shown == [
        ("deadline", "Overdue brief", True, f"/cases/{world.case.pk}/", "District Court"),
        (
            "hearing",
            "Plea hearing — Courtroom 1",
            False,
            f"/cases/{world.case.pk}/",
            "District Court",
        ),
        ("deadline", "Motions", False, f"/cases/{world.case.pk}/", "District Court"),
    ]
    assert [i.when for i in items] == [
        selectors.deadline_moment(overdue),
        plea.starts_at,
        selectors.deadline_moment(soon),
    ]
    assert selectors.upcoming_for(user, days=14, limit=1)[0].title == "Overdue brief"
    assert selectors.upcoming_for(world.strangers[Role.DEFENSE_COUNSEL]) == []


# --- the seeded rules -----------------------------------------------------------------------


def test_rules_for_lists_the_active_rules_of_a_jurisdiction(world: World) -> None:
    us = {r.code for r in selectors.rules_for(factories.jurisdiction("us-fed"))}
    assert US_TRIAL_70 in us and US_SUGGESTION_7 in us and CN_EXPEDITED_TRIAL_10 not in us
    cn = {r.code for r in selectors.rules_for(factories.jurisdiction("cn"))}
    assert cn == {
        "cn-cpl-172-expedited-review",
        "cn-cpl-225-expedited-trial",
        "cn-cpl-220-summary-trial",
        "cn-cpl-187-indictment-service",
    }
    for r in DeadlineRule.objects.all():
        assert r.citation and r.unit in ("calendar_days", "court_days")
        assert (r.direction, r.roll) in {
            ("after", "forward"),
            ("after", "none"),
            ("before", "backward"),
        }


def test_cancelling_the_trigger_hearing_cancels_the_deadlines_counted_from_it(
    world: World,
) -> None:
    s = sentencing(world, starts_at=at(2027, 2, 9, 10))
    psr = hearing_deadline(world, s)
    services.deadline_complete(
        deadline=hearing_deadline(world, s, code=US_CORRECTION_14), by=clerk(world)
    )
    unrelated = manual_deadline(world)
    services.hearing_cancel(hearing=s, by=judge(world), reason="Plea withdrawn.")
    psr.refresh_from_db()
    unrelated.refresh_from_db()
    assert (psr.status, psr.closed_by) == (DeadlineStatus.CANCELLED, judge(world))
    last = psr.changes.last()
    assert last is not None
    assert (last.kind, last.reason) == (
        DeadlineChangeKind.CANCELLED,
        "The sentencing it counts from was cancelled: Plea withdrawn.",
    )
    assert unrelated.status == DeadlineStatus.OPEN
    met = Deadline.objects.get(rule__code=US_CORRECTION_14)
    assert met.status == DeadlineStatus.MET
