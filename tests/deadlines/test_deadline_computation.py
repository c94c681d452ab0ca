"""Deadline arithmetic: Fed. R. Crim. P. 45(a) counting over weekends, US and Chinese public
holidays and court closures; court-day rules; backward periods; the Speedy Trial Act.

The functions are pure (no clock), so every date here is fixed in the test itself.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError

from cases.models import Court
from cases.profiles import PROFILES
from deadlines.computation import Counting, CourtCalendar, Rule, calendar_for_court, compute
from deadlines.models import CourtClosure
from parties.models import Role
from tests import factories
from tests.conftest import World

D = dt.date
US = CourtCalendar("US")
CN = CourtCalendar("CN")


def after(days: int, unit: Any = "calendar_days", roll: Any = "forward") -> Rule:
    return Rule(offset=days, unit=unit, direction="after", roll=roll, citation="test")


def before(days: int, unit: Any = "calendar_days", roll: Any = "backward") -> Rule:
    return Rule(offset=days, unit=unit, direction="before", roll=roll, citation="test")


# Weekends


def test_period_ending_on_a_weekday_does_not_roll() -> None:
    result = compute(D(2026, 11, 20), after(14), US)
    assert result.date == D(2026, 12, 4)
    assert result.rolled_from is None


def test_period_ending_on_a_saturday_rolls_to_monday_with_its_reasons() -> None:
    result = compute(D(2026, 11, 21), after(14), US)
    assert result.date == D(2026, 12, 7)
    assert result.rolled_from == D(2026, 12, 5)
    assert result.explanation == (
        "Trigger 2026-11-21 excluded (Rule 45(a)(1)(A))",
        "14 calendar days after → 2026-12-05",
        "2026-12-05 is not a court day (Saturday); rolled forward to 2026-12-07",
    )


def test_weekend_days_are_named() -> None:
    assert US.why_not_court_day(D(2026, 12, 5)) == "Saturday"
    assert US.why_not_court_day(D(2026, 12, 6)) == "Sunday"
    assert US.why_not_court_day(D(2026, 12, 7)) is None


# US federal holidays


def test_period_ending_on_thanksgiving_rolls_to_the_friday() -> None:
    result = compute(D(2026, 11, 12), after(14), US)
    assert result.date == D(2026, 11, 27)
    assert "2026-11-26 is not a court day (Thanksgiving Day)" in result.explanation[-1]


def test_period_ending_on_christmas_friday_rolls_over_the_weekend() -> None:
    result = compute(D(2026, 12, 11), after(14), US)
    assert result.rolled_from == D(2026, 12, 25)
    assert result.date == D(2026, 12, 28)


def test_new_years_day_on_a_saturday_is_observed_the_friday_before() -> None:
    # 1 January 2022 was a Saturday: federal courts closed on Friday 31 December 2021.
    assert US.why_not_court_day(D(2021, 12, 31)) == "New Year's Day (observed)"
    result = compute(D(2021, 12, 17), after(14), US)
    assert result.rolled_from == D(2021, 12, 31)
    assert result.date == D(2022, 1, 3)


def test_a_saturday_before_a_sunday_new_year_is_only_a_saturday() -> None:
    # 1 January 2023 was a Sunday: observed on Monday 2 January, not on Saturday 31 December.
    assert US.why_not_court_day(D(2022, 12, 31)) == "Saturday"
    assert US.why_not_court_day(D(2023, 1, 2)) == "New Year's Day (observed)"


def test_a_calendar_without_holidays_still_skips_weekends() -> None:
    bare = CourtCalendar(None)
    assert bare.is_court_day(D(2026, 11, 26))
    assert not bare.is_court_day(D(2026, 11, 28))


def test_an_unknown_holiday_calendar_is_refused_when_built() -> None:
    with pytest.raises(NotImplementedError):
        CourtCalendar("XX")


# Chinese public holidays and make-up working days


def test_period_ending_in_national_day_golden_week_rolls_past_it() -> None:
    # 2026: 1-7 October off (with substituted days), 10 October (a Saturday) worked.
    rule = Rule(
        offset=15,
        unit="calendar_days",
        direction="after",
        roll="forward",
        citation="刑事诉讼法第105条",
        counting_citation="CPL art. 105",
    )
    result = compute(D(2026, 9, 16), rule, CN)
    assert result.rolled_from == D(2026, 10, 1)
    assert result.date == D(2026, 10, 8)
    assert result.explanation[0] == "Trigger 2026-09-16 excluded (CPL art. 105)"
    assert "(National Day)" in result.explanation[-1]


def test_chinese_make_up_saturday_is_a_court_day() -> None:
    assert CN.is_court_day(D(2026, 10, 10))
    assert not US.is_court_day(D(2026, 10, 10))
    assert CN.why_not_court_day(D(2026, 10, 6)) == "Day off (substituted from 09/20/2026)"


def test_court_days_in_china_count_the_make_up_saturday() -> None:
    assert compute(D(2026, 9, 30), after(2, unit="court_days"), CN).date == D(2026, 10, 9)
    assert compute(D(2026, 9, 30), after(3, unit="court_days"), CN).date == D(2026, 10, 10)


# Court-day rules


def test_court_days_skip_thanksgiving_and_the_weekend() -> None:
    result = compute(D(2026, 11, 24), after(5, unit="court_days"), US)
    assert result.date == D(2026, 12, 2)
    assert result.rolled_from is None
    assert result.explanation[1] == (
        "5 court days after → 2026-12-02 (skipped 2026-11-26 Thanksgiving Day, "
        "2026-11-28 Saturday, 2026-11-29 Sunday)"
    )


def test_court_days_counted_backward_skip_the_holiday() -> None:
    result = compute(D(2026, 11, 30), before(3, unit="court_days"), US)
    assert result.date == D(2026, 11, 24)


# Backward periods and roll directions


def test_backward_period_on_a_holiday_rolls_backward_to_the_day_before() -> None:
    # A paper due 7 days before a hearing on Thursday 3 December 2026 lands on Thanksgiving:
    # it is due the Wednesday before, not the Friday after (Rule 45(a)(5)).
    result = compute(D(2026, 12, 3), before(7), US)
    assert result.rolled_from == D(2026, 11, 26)
    assert result.date == D(2026, 11, 25)
    assert result.explanation[1] == "7 calendar days before → 2026-11-26"
    assert result.explanation[2].endswith("rolled backward to 2026-11-25")


def test_backward_period_rolls_over_a_whole_weekend() -> None:
    result = compute(D(2026, 12, 14), before(8), US)
    assert result.rolled_from == D(2026, 12, 6)
    assert result.date == D(2026, 12, 4)


def test_roll_none_keeps_a_saturday_and_says_so() -> None:
    result = compute(D(2026, 11, 21), after(14, roll="none"), US)
    assert result.date == D(2026, 12, 5)
    assert result.rolled_from is None
    assert result.explanation[-1] == (
        "2026-12-05 is not a court day (Saturday); the rule does not roll"
    )


# Offset 0


def test_offset_zero_on_a_court_day_is_the_trigger_day() -> None:
    result = compute(D(2026, 11, 25), after(0), US)
    assert result.date == D(2026, 11, 25)
    assert result.rolled_from is None


def test_offset_zero_on_a_holiday_rolls() -> None:
    assert compute(D(2026, 11, 26), after(0), US).date == D(2026, 11, 27)
    assert compute(D(2026, 11, 26), after(0, unit="court_days"), US).date == D(2026, 11, 27)


# Speedy Trial Act, 18 U.S.C. 3161 (excludable delay under 3161(h) is not modelled here)


ARREST_TO_INDICTMENT = Rule(
    offset=30,
    unit="calendar_days",
    direction="after",
    roll="forward",
    citation="18 U.S.C. 3161(b)",
)
INDICTMENT_TO_TRIAL = Rule(
    offset=70,
    unit="calendar_days",
    direction="after",
    roll="forward",
    citation="18 U.S.C. 3161(c)(1)",
)


def test_speedy_trial_indictment_due_thirty_days_after_arrest() -> None:
    # Arrested Tuesday 27 October 2026; day 30 is Thanksgiving.
    result = compute(D(2026, 10, 27), ARREST_TO_INDICTMENT, US)
    assert result.rolled_from == D(2026, 11, 26)
    assert result.date == D(2026, 11, 27)


def test_speedy_trial_trial_due_seventy_days_after_indictment() -> None:
    result = compute(D(2026, 11, 27), INDICTMENT_TO_TRIAL, US)
    assert result.date == D(2027, 2, 5)
    assert result.explanation[1] == "70 calendar days after → 2027-02-05"


# Rules


@pytest.mark.parametrize(
    "changes",
    [{"offset": -1}, {"unit": "weeks"}, {"direction": "around"}, {"roll": "sideways"}],
    ids=["negative-offset", "unit", "direction", "roll"],
)
def test_a_malformed_rule_is_refused(changes: dict[str, Any]) -> None:
    fields: dict[str, Any] = {
        "offset": 1,
        "unit": "calendar_days",
        "direction": "after",
        "roll": "forward",
        "citation": "test",
    }
    with pytest.raises(ValueError):
        Rule(**(fields | changes))


# Court closures


def test_closure_days_passed_as_dates_are_not_court_days() -> None:
    calendar = CourtCalendar("US", closures={D(2026, 12, 8)})
    assert calendar.why_not_court_day(D(2026, 12, 8)) == "Court closed"
    assert calendar.next_court_day(D(2026, 12, 7)) == D(2026, 12, 9)
    assert calendar.previous_court_day(D(2026, 12, 9)) == D(2026, 12, 7)


def close(court: Court, day: dt.date, reason: str, world: World) -> CourtClosure:
    return CourtClosure.objects.create(
        court=court, date=day, reason=reason, created_by=world.users[Role.COURT_STAFF]
    )


@pytest.mark.django_db
def test_period_ending_on_a_closure_day_rolls_past_it(world: World) -> None:
    close(world.court, D(2026, 12, 8), "snow", world)
    result = compute(D(2026, 11, 24), after(14), calendar_for_court(world.court))
    assert result.rolled_from == D(2026, 12, 8)
    assert result.date == D(2026, 12, 9)
    assert result.explanation[-1] == (
        "2026-12-08: the clerk's office is inaccessible (Court closed: snow); time extended to "
        "2026-12-09, the first accessible day that is not a Saturday, Sunday or legal holiday "
        "(Rule 45(a)(3)(A))"
    )


@pytest.mark.django_db
def test_a_closure_closes_only_its_own_court(world: World) -> None:
    close(world.court, D(2026, 12, 8), "snow", world)
    assert calendar_for_court(world.other_court).is_court_day(D(2026, 12, 8))


@pytest.mark.django_db
def test_calendar_for_court_reads_closures_in_one_query(
    world: World, django_assert_num_queries: Any
) -> None:
    close(world.court, D(2026, 12, 8), "snow", world)
    close(world.court, D(2026, 12, 9), "snow", world)
    court = Court.objects.select_related("jurisdiction").get(pk=world.court.pk)
    with django_assert_num_queries(1):
        calendar = calendar_for_court(court)
    assert calendar.closures == {D(2026, 12, 8): "snow", D(2026, 12, 9): "snow"}


@pytest.mark.django_db
def test_a_court_closes_a_day_only_once(world: World) -> None:
    close(world.court, D(2026, 12, 8), "snow", world)
    with pytest.raises(IntegrityError):
        close(world.court, D(2026, 12, 8), "ice", world)


@pytest.mark.django_db
def test_a_closure_needs_a_reason(world: World) -> None:
    with pytest.raises(IntegrityError):
        close(world.court, D(2026, 12, 8), "", world)


@pytest.mark.django_db
def test_a_courts_calendar_has_its_jurisdictions_holidays(world: World) -> None:
    chinese_court = factories.CourtFactory.create(jurisdiction=factories.jurisdiction("cn"))
    assert calendar_for_court(world.court).why_not_court_day(D(2026, 11, 26)) == "Thanksgiving Day"
    assert calendar_for_court(chinese_court).why_not_court_day(D(2026, 10, 1)) == "National Day"
    assert calendar_for_court(chinese_court).is_court_day(D(2026, 11, 26))


# Fed. R. Crim. P. 45(a)(3): inaccessibility of the clerk's office (a closure day)
#
# "Unless the court orders otherwise, if the clerk's office is inaccessible: (A) on the last
# day for filing under Rule 45(a)(1), then the time for filing is extended to the first
# accessible day that is not a Saturday, Sunday, or legal holiday". The 2009 committee note
# to (a)(5): "if a filing is due 10 days before an event, and the tenth day falls on Saturday,
# September 1, then the filing is due on Friday, August 31. If the clerk's office is
# inaccessible on August 31, then subdivision (a)(3) extends the filing deadline forward to
# the next accessible day that is not a Saturday, Sunday or legal holiday—no earlier than
# Tuesday, September 4." The counting is the us-fed profile's own data.

US_COUNTING = Counting.from_parameters(PROFILES["us-fed"]["parameters"])
CN_COUNTING = Counting.from_parameters(PROFILES["cn"]["parameters"])


def us_court(closures: Any = (), subdivision: str | None = None) -> CourtCalendar:
    return CourtCalendar("US", subdivision=subdivision, closures=closures, counting=US_COUNTING)


def test_committee_note_example_backward_period_closed_friday_extends_to_tuesday() -> None:
    """The committee note's own example, on the 2007 calendar: the event is Tuesday
    11 September 2007, 10 days before it is Saturday 1 September; the "next day" counted
    backward (45(a)(5)) is Friday 31 August; the clerk's office is inaccessible that day, so
    the time is extended forward past the weekend and Labor Day (Monday 3 September) to
    Tuesday 4 September."""
    open_court = compute(D(2007, 9, 11), before(10), us_court())
    assert open_court.date == D(2007, 8, 31)

    closed = compute(D(2007, 9, 11), before(10), us_court(closures={D(2007, 8, 31): "storm"}))
    assert closed.rolled_from == D(2007, 9, 1)
    assert closed.date == D(2007, 9, 4)
    assert closed.explanation[-2] == (
        "2007-09-01 is not a court day (Saturday); rolled backward to 2007-08-31"
    )
    assert closed.explanation[-1].startswith(
        "2007-08-31: the clerk's office is inaccessible (Court closed: storm); time extended to "
        "2007-09-04"
    )


def test_backward_period_ending_on_a_closure_day_extends_forward_not_back() -> None:
    """45(a)(3)(A) on the 2026 calendar: a paper due 7 days before a hearing on Thursday
    17 December 2026 is due Thursday 10 December; the clerk's office is inaccessible that
    day, so the time is extended to the first accessible day after it, Friday 11 December
    (not Wednesday 9 December, as a backward roll would have it)."""
    result = compute(D(2026, 12, 17), before(7), us_court(closures={D(2026, 12, 10): "flood"}))
    assert result.rolled_from == D(2026, 12, 10)
    assert result.date == D(2026, 12, 11)


def test_backward_period_on_a_sunday_before_a_closed_friday_goes_to_monday() -> None:
    """2026 calendar: 8 days before Monday 14 December 2026 is Sunday 6 December; counted
    backward (45(a)(5)) the next day that is not a weekend is Friday 4 December; the office
    is closed that day, so the time runs forward to Monday 7 December."""
    result = compute(D(2026, 12, 14), before(8), us_court(closures={D(2026, 12, 4): "outage"}))
    assert result.date == D(2026, 12, 7)


def test_forward_period_closure_on_the_rolled_monday_extends_to_tuesday() -> None:
    """2026 calendar: 14 days after Saturday 21 November 2026 is Saturday 5 December; the
    next day that is not a weekend is Monday 7 December (45(a)(1)(C)); closed that day, the
    first accessible day is Tuesday 8 December (45(a)(3)(A))."""
    result = compute(D(2026, 11, 21), after(14), us_court(closures={D(2026, 12, 7): "snow"}))
    assert result.rolled_from == D(2026, 12, 5)
    assert result.date == D(2026, 12, 8)


def test_extension_for_a_closure_skips_christmas_and_the_weekend() -> None:
    """2026 calendar: 14 days after Thursday 10 December 2026 is Thursday 24 December; closed
    that day, the first accessible day that is not a Saturday, Sunday or legal holiday is
    past Christmas (Friday 25) and the weekend: Monday 28 December."""
    result = compute(D(2026, 12, 10), after(14), us_court(closures={D(2026, 12, 24): "order"}))
    assert result.date == D(2026, 12, 28)


def test_a_profile_without_the_closure_rule_rolls_a_closure_with_the_rule() -> None:
    """The cn profile carries no 45(a)(3): a closure day is one more day the court does not
    sit, and a backward period rolls backward over it (2026 calendar: 7 days before Thursday
    17 December is Thursday 10 December, closed; the day before is Wednesday 9 December)."""
    calendar = CourtCalendar(None, closures={D(2026, 12, 10): "flood"}, counting=CN_COUNTING)
    assert compute(D(2026, 12, 17), before(7), calendar).date == D(2026, 12, 9)


def test_unknown_counting_parameters_are_refused() -> None:
    with pytest.raises(ValueError, match="closure_extends_forwards"):
        Counting.from_parameters({"deadline_counting": {"closure_extends_forwards": True}})


# Fed. R. Crim. P. 45(a)(6)(C): the holidays of the state where the district court sits
#
# "'Legal holiday' means: ... (C) for periods that are measured after an event, any other day
# declared a holiday by the state where the district court is located." The 2009 committee
# note: "state legal holidays are not recognized in computing backward-counted periods."


def test_new_york_election_day_ends_a_forward_period_in_a_new_york_court_only() -> None:
    """2026 calendar: the general election is Tuesday 3 November 2026, a public holiday in New
    York (N.Y. Gen. Constr. Law § 24) but not a federal one. 14 days after Tuesday 20 October
    is 3 November: in a New York court the period runs to Wednesday 4 November; in a court
    with no state holidays it ends on 3 November."""
    new_york = compute(D(2026, 10, 20), after(14), us_court(subdivision="NY"))
    assert new_york.rolled_from == D(2026, 11, 3)
    assert new_york.date == D(2026, 11, 4)
    assert new_york.explanation[-1] == (
        "2026-11-03 is not a court day (Election Day (NY)); rolled forward to 2026-11-04"
    )
    assert compute(D(2026, 10, 20), after(14), us_court()).date == D(2026, 11, 3)


def test_a_state_holiday_does_not_move_a_backward_period() -> None:
    """2026 calendar: 14 days before Tuesday 17 November 2026 is Tuesday 3 November, Election
    Day in New York; for a period measured before an event it is not a legal holiday
    (45(a)(6)(C)), so the paper is due that day."""
    result = compute(D(2026, 11, 17), before(14), us_court(subdivision="NY"))
    assert result.date == D(2026, 11, 3)
    assert result.rolled_from is None


def test_california_and_dc_holidays_end_forward_periods_in_their_courts() -> None:
    """2026 calendar: Cesar Chavez Day, Tuesday 31 March 2026, is a California state holiday
    (Cal. Gov. Code § 6700); 14 days after Tuesday 17 March is 31 March, so a California court
    runs to Wednesday 1 April. D.C. Emancipation Day, Thursday 16 April 2026, is a holiday of
    the District (D.C. Code § 1-612.02); 14 days after Thursday 2 April, a D.C. court runs to
    Friday 17 April."""
    assert compute(D(2026, 3, 17), after(14), us_court(subdivision="CA")).date == D(2026, 4, 1)
    assert compute(D(2026, 3, 17), after(14), us_court(subdivision="NY")).date == D(2026, 3, 31)
    assert compute(D(2026, 4, 2), after(14), us_court(subdivision="DC")).date == D(2026, 4, 17)


def test_court_days_after_an_event_skip_the_state_holiday_and_before_do_not() -> None:
    """2026 calendar, New York: 2 court days after Monday 2 November 2026 skip Election Day
    (Tuesday 3 November) and end Thursday 5 November; 2 court days before Wednesday
    4 November count Election Day (not a legal holiday for a backward period) and end on
    Monday 2 November."""
    ny = us_court(subdivision="NY")
    assert compute(D(2026, 11, 2), after(2, unit="court_days"), ny).date == D(2026, 11, 5)
    assert compute(D(2026, 11, 4), before(2, unit="court_days"), ny).date == D(2026, 11, 2)


def test_an_unknown_subdivision_is_refused_when_the_calendar_is_built() -> None:
    with pytest.raises(NotImplementedError):
        CourtCalendar("US", subdivision="XX")


@pytest.mark.django_db
def test_a_courts_calendar_has_the_holidays_of_its_state(world: World) -> None:
    new_york = factories.CourtFactory.create(subdivision="NY")
    assert calendar_for_court(new_york).why_not_court_day(D(2026, 11, 3)) == "Election Day (NY)"
    assert calendar_for_court(world.court).is_court_day(D(2026, 11, 3))


# CPL art. 105: no extension for holidays while the suspect is in custody
#
# "期间的最后一日为节假日的，以节假日后的第一日为期满日期，但犯罪嫌疑人、被告人或者罪犯在押期间，
# 应当至期满之日为止，不得因节假日而延长。" (When the last day of a period is a holiday, the
# first day after the holiday is the last day; but while the suspect, defendant or offender is
# in custody, the period ends on the day it expires and is not extended for holidays.)

CPL_225 = Rule(
    offset=10,
    unit="calendar_days",
    direction="after",
    roll="forward",
    citation="CPL art. 225",
    counting_citation="CPL art. 105",
)


def test_a_period_ending_in_golden_week_is_extended_when_the_defendant_is_free() -> None:
    """2026 calendar: case accepted Monday 21 September 2026; the 10th day is Thursday
    1 October, National Day; the holiday runs to 7 October (2026 State Council notice), so
    the period ends on the first day after it, Thursday 8 October."""
    cn = CourtCalendar("CN", counting=CN_COUNTING)
    result = compute(D(2026, 9, 21), CPL_225, cn, in_custody=False)
    assert (result.rolled_from, result.date) == (D(2026, 10, 1), D(2026, 10, 8))


def test_a_period_ending_in_golden_week_is_not_extended_in_custody() -> None:
    """Same dates, the defendant in custody: the period ends on its last day, 1 October 2026,
    holiday or not (CPL art. 105)."""
    cn = CourtCalendar("CN", counting=CN_COUNTING)
    result = compute(D(2026, 9, 21), CPL_225, cn, in_custody=True)
    assert result.date == D(2026, 10, 1)
    assert result.rolled_from is None
    assert result.explanation[-1] == (
        "2026-10-01 is not a court day (National Day); not extended, a defendant is in custody "
        "(《刑事诉讼法》第一百零五条 (CPL art. 105))"
    )


def test_custody_does_not_stop_a_us_period_from_rolling() -> None:
    """The us-fed profile has no such rule: 14 days after Thursday 12 November 2026 is
    Thanksgiving, and the period runs to Friday 27 November whether or not the defendant is
    detained (Rule 45(a)(1)(C))."""
    assert compute(D(2026, 11, 12), after(14), us_court(), in_custody=True).date == D(2026, 11, 27)


def test_a_closure_on_a_weekend_last_day_changes_nothing() -> None:
    """45(a)(3) reaches the day the time would otherwise end: 8 days before Monday 14 December
    2026 is Sunday 6 December, and a closure entered for that Sunday does not matter; counted
    backward (45(a)(1)(C), (a)(5)) the paper is due Friday 4 December (2026 calendar)."""
    result = compute(D(2026, 12, 14), before(8), us_court(closures={D(2026, 12, 6): "order"}))
    assert result.date == D(2026, 12, 4)
    assert result.explanation[-1] == (
        "2026-12-06 is not a court day (Sunday); rolled backward to 2026-12-04"
    )
