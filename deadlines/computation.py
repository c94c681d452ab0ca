"""Deadline arithmetic: which days a court sits, and where a period counted from a trigger ends.

Pure functions over dates. The only database read is `calendar_for_court`, which gathers a
court's holiday calendar and closure days into a `CourtCalendar`; everything else can be
called with a calendar built by hand.

Counting follows Fed. R. Crim. P. 45(a)(1): exclude the day of the trigger, count every day
(or, for court-day rules, every court day), include the last day, and when the last day is not
a court day keep going to the "next day" that is one. Rule 45(a)(5) makes the "next day" the
one after for periods measured after an event and the one before for periods measured before
an event, which is why a rule carries its own roll direction: "forward" for "after" periods,
"backward" for "before" periods (a brief due 7 days before a hearing that lands on a Saturday
is due the Friday before, never the Monday after), and "none" for limits that end on the day
they end whatever it is.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import holidays

from deadlines.models import CourtClosure

if TYPE_CHECKING:
    from cases.models import Court

Unit = Literal["calendar_days", "court_days"]
Direction = Literal["after", "before"]
Roll = Literal["forward", "backward", "none"]

UNITS: tuple[Unit, ...] = ("calendar_days", "court_days")
DIRECTIONS: tuple[Direction, ...] = ("after", "before")
ROLLS: tuple[Roll, ...] = ("forward", "backward", "none")

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SATURDAY, SUNDAY = 5, 6

# Days Parley counts with. A date outside is refused (400 for the field) before any arithmetic,
# which would otherwise overflow near datetime.date's limits (year 9999).
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2199, 12, 31)
OUT_OF_RANGE = f"Must be between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}."

# A court-day count walks day by day; no real rule needs more than this many steps, and a
# calendar with no court days at all must not loop for ever.
MAX_STEPS = 10 * 366


@dataclass(frozen=True)
class Rule:
    offset: int
    unit: Unit
    direction: Direction
    roll: Roll
    citation: str
    # How the period is counted: the trigger day is left out (45(a)(1)(A)).
    counting_citation: str = "Rule 45(a)(1)(A)"

    def __post_init__(self) -> None:
        if self.offset < 0:
            raise ValueError(f"offset must be 0 or more, not {self.offset}")
        if self.unit not in UNITS:
            raise ValueError(f"unit must be one of {UNITS}, not {self.unit!r}")
        if self.direction not in DIRECTIONS:
            raise ValueError(f"direction must be one of {DIRECTIONS}, not {self.direction!r}")
        if self.roll not in ROLLS:
            raise ValueError(f"roll must be one of {ROLLS}, not {self.roll!r}")


@dataclass(frozen=True)
class Computed:
    date: dt.date
    # The last day of the period before it rolled, when it did.
    rolled_from: dt.date | None
    explanation: tuple[str, ...]


@dataclass(frozen=True)
class _HolidayYear:
    names: Mapping[dt.date, str]
    # Weekend days that are working days (China's 调休 make-up days).
    weekend_workdays: frozenset[dt.date]


@functools.lru_cache(maxsize=256)
def _holiday_year(country: str, subdivision: str | None, year: int) -> _HolidayYear:
    table = holidays.country_holidays(country, subdiv=subdivision, years=year)
    workdays: set[dt.date] = getattr(table, "weekend_workdays", set())
    return _HolidayYear(
        names=dict(table.items()),
        weekend_workdays=frozenset(d for d in workdays if d.year == year),
    )


class CourtCalendar:
    """The days one court sits: not a weekend (unless the country works it), not a public
    holiday of its calendar, not a closure day."""

    def __init__(
        self,
        country: str | None,
        subdivision: str | None = None,
        closures: Mapping[dt.date, str] | Iterable[dt.date] = (),
    ) -> None:
        self.country = country or None
        self.subdivision = subdivision or None
        if self.country is not None:
            # Fail on an unknown calendar now, not on the first date asked.
            holidays.country_holidays(self.country, subdiv=self.subdivision)
        if isinstance(closures, Mapping):
            self.closures: dict[dt.date, str] = dict(closures)
        else:
            self.closures = {d: "" for d in closures}

    def _year(self, day: dt.date) -> _HolidayYear | None:
        if self.country is None:
            return None
        return _holiday_year(self.country, self.subdivision, day.year)

    def why_not_court_day(self, day: dt.date) -> str | None:
        """Why the court does not sit on `day`, or None when it does."""
        if day in self.closures:
            reason = self.closures[day]
            return f"Court closed: {reason}" if reason else "Court closed"
        year = self._year(day)
        if year is not None and day in year.names:
            return year.names[day]
        if day.weekday() in (SATURDAY, SUNDAY):
            if year is not None and day in year.weekend_workdays:
                return None
            return WEEKDAY_NAMES[day.weekday()]
        return None

    def is_court_day(self, day: dt.date) -> bool:
        return self.why_not_court_day(day) is None

    def next_court_day(self, day: dt.date) -> dt.date:
        """The first court day after `day`."""
        return self._step_to_court_day(day, 1)

    def previous_court_day(self, day: dt.date) -> dt.date:
        """The last court day before `day`."""
        return self._step_to_court_day(day, -1)

    def _step_to_court_day(self, day: dt.date, step: int) -> dt.date:
        for _ in range(MAX_STEPS):
            day += dt.timedelta(days=step)
            if self.is_court_day(day):
                return day
        raise ValueError(f"no court day within {MAX_STEPS} days of {day}")


def compute(trigger: dt.date, rule: Rule, calendar: CourtCalendar) -> Computed:
    """The last day of the period `rule` measures from `trigger`, with the steps that got there."""
    step = 1 if rule.direction == "after" else -1
    steps = [f"Trigger {trigger.isoformat()} excluded ({rule.counting_citation})"]

    if rule.unit == "calendar_days":
        end = trigger + dt.timedelta(days=step * rule.offset)
        steps.append(f"{rule.offset} calendar days {rule.direction} → {end.isoformat()}")
    else:
        end, skipped = _count_court_days(trigger, rule.offset, step, calendar)
        line = f"{rule.offset} court days {rule.direction} → {end.isoformat()}"
        if skipped:
            line += " (skipped " + ", ".join(f"{d.isoformat()} {why}" for d, why in skipped) + ")"
        steps.append(line)

    why = calendar.why_not_court_day(end)
    if why is None:
        return Computed(date=end, rolled_from=None, explanation=tuple(steps))
    if rule.roll == "none":
        steps.append(f"{end.isoformat()} is not a court day ({why}); the rule does not roll")
        return Computed(date=end, rolled_from=None, explanation=tuple(steps))
    rolled = (
        calendar.next_court_day(end) if rule.roll == "forward" else calendar.previous_court_day(end)
    )
    steps.append(
        f"{end.isoformat()} is not a court day ({why}); rolled {rule.roll} to {rolled.isoformat()}"
    )
    return Computed(date=rolled, rolled_from=end, explanation=tuple(steps))


def _count_court_days(
    trigger: dt.date, offset: int, step: int, calendar: CourtCalendar
) -> tuple[dt.date, list[tuple[dt.date, str]]]:
    day, counted = trigger, 0
    skipped: list[tuple[dt.date, str]] = []
    for _ in range(offset + MAX_STEPS):
        if counted == offset:
            return day, skipped
        day += dt.timedelta(days=step)
        why = calendar.why_not_court_day(day)
        if why is None:
            counted += 1
        else:
            skipped.append((day, why))
    raise ValueError(f"fewer than {offset} court days within {MAX_STEPS} days of {trigger}")


def calendar_for_court(court: Court) -> CourtCalendar:
    """The court's calendar: its jurisdiction's holidays and its closure days, in one query
    (pass a court with `jurisdiction` selected, or that is a second)."""
    rows = CourtClosure.objects.filter(court=court).values_list("date", "reason")
    closures = dict(rows)
    return CourtCalendar(court.jurisdiction.holiday_calendar, closures=closures)
