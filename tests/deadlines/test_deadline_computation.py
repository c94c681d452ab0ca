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
from deadlines.computation import CourtCalendar, Rule, calendar_for_court, compute
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
        "2026-12-08 is not a court day (Court closed: snow); rolled forward to 2026-12-09"
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
