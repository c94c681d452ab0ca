"""Deadline arithmetic: which days a court sits, and where a period counted from a trigger ends.

Pure functions over dates. The only database read is `calendar_for_court`, which gathers a
court's holiday calendar (its country's and its subdivision's), its closure days and its
jurisdiction's way of counting (`Counting`, profile data) into a `CourtCalendar`; everything
else can be called with a calendar built by hand.

Counting follows Fed. R. Crim. P. 45(a)(1), which applies "in computing any time period
specified in these rules, in any local rule or court order, or in any statute that does not
specify a method of computing time" (so the Speedy Trial Act limits too): exclude the day of
the trigger, count every day (or, for court-day rules, every court day), include the last day,
and when the last day is a Saturday, Sunday or legal holiday keep going to the "next day" that
is not. Rule 45(a)(5) makes the "next day" the one after for periods measured after an event
and the one before for periods measured before an event, which is why a rule carries its own
roll direction: "forward" for "after" periods, "backward" for "before" periods (a brief due 7
days before a hearing that lands on a Saturday is due the Friday before, never the Monday
after), and "none" for limits that end on the day they end whatever it is (a statute with its
own method). What else a jurisdiction does is a `Counting` switch: a closure day extending the
time forward (45(a)(3)), a state's holidays counting only after an event (45(a)(6)(C)), no
extension while the defendant is in custody (CPL art. 105).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, Literal

import holidays
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deadlines.models import CourtClosure

if TYPE_CHECKING:
    from cases.models import Court

Unit = Literal["calendar_days", "court_days"]
Direction = Literal["after", "before"]
Roll = Literal["forward", "backward", "none"]

UNITS: tuple[Unit, ...] = ("calendar_days", "court_days")
DIRECTIONS: tuple[Direction, ...] = ("after", "before")
ROLLS: tuple[Roll, ...] = ("forward", "backward", "none")

WEEKDAY_NAMES = (
    gettext_lazy("Monday"),
    gettext_lazy("Tuesday"),
    gettext_lazy("Wednesday"),
    gettext_lazy("Thursday"),
    gettext_lazy("Friday"),
    gettext_lazy("Saturday"),
    gettext_lazy("Sunday"),
)
SATURDAY, SUNDAY = 5, 6

# Days Parley counts with. A date outside is refused (400 for the field) before any arithmetic,
# which would otherwise overflow near datetime.date's limits (year 9999).
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2199, 12, 31)


def _out_of_range() -> str:
    return _("Must be between %(first)s and %(last)s.") % {
        "first": FIRST_DAY.isoformat(),
        "last": LAST_DAY.isoformat(),
    }


# Worded when it is shown, in the reader's language.
OUT_OF_RANGE = lazy(_out_of_range, str)()

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
class Counting:
    """How a jurisdiction counts, beyond a rule's own offset, unit and roll: its profile's
    `deadline_counting` parameters (cases.profiles). Each difference between legal systems is
    a switch here with the provision it comes from, never a branch on the country."""

    # The provision that leaves the trigger day out, named in every explanation.
    counting_citation: str = "Rule 45(a)(1)(A)"
    # Fed. R. Crim. P. 45(a)(3)(A): when the clerk's office is inaccessible on the last day
    # (a closure day), "the time for filing is extended to the first accessible day that is
    # not a Saturday, Sunday, or legal holiday", forward even for a period counted backward
    # (2009 committee note to (a)(5)). False: a closure is one more day the court does not
    # sit, rolled over in the rule's own direction.
    closure_extends_forward: bool = False
    closure_citation: str = ""
    # Fed. R. Crim. P. 45(a)(6)(C): the holidays of the state where the court sits are legal
    # holidays only "for periods that are measured after an event". False: they count for
    # every period.
    subdivision_holidays_after_only: bool = False
    # CPL art. 105: while the suspect or defendant is in custody a period "应当至期满之日为止，
    # 不得因节假日而延长" (ends on its last day, and is not extended for holidays).
    holiday_extension_suspended_in_custody: bool = False
    custody_citation: str = ""

    @classmethod
    def from_parameters(cls, parameters: Mapping[str, Any] | None) -> Counting:
        """The counting of a profile's `parameters["deadline_counting"]` (defaults when it
        has none); an unknown key is refused, so a typo in profile data fails loudly."""
        values = dict((parameters or {}).get("deadline_counting") or {})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown deadline_counting parameters: {', '.join(unknown)}")
        return cls(**values)


@dataclass(frozen=True)
class _HolidayYear:
    # Holidays of the whole country.
    names: Mapping[dt.date, str]
    # Holidays of the subdivision (a US state, D.C.) only, not of the whole country.
    local_names: Mapping[dt.date, str]
    # Weekend days that are working days (China's 调休 make-up days).
    weekend_workdays: frozenset[dt.date]


@functools.lru_cache(maxsize=256)
def _holiday_year(country: str, subdivision: str | None, year: int) -> _HolidayYear:
    national = holidays.country_holidays(country, years=year)
    local = (
        holidays.country_holidays(country, subdiv=subdivision, years=year)
        if subdivision
        else national
    )
    workdays: set[dt.date] = getattr(local, "weekend_workdays", set())
    return _HolidayYear(
        names=dict(national.items()),
        local_names={d: name for d, name in local.items() if d not in national},
        weekend_workdays=frozenset(d for d in workdays if d.year == year),
    )


class CourtCalendar:
    """The days one court sits: not a weekend (unless the country works it), not a public
    holiday of its country or its subdivision, not a closure day.

    A subdivision's holidays may count only for periods measured after an event
    (`Counting.subdivision_holidays_after_only`), so the questions take the direction of the
    period; "after" (every holiday) is the answer for a court's calendar shown on its own."""

    def __init__(
        self,
        country: str | None,
        subdivision: str | None = None,
        closures: Mapping[dt.date, str] | Iterable[dt.date] = (),
        counting: Counting | None = None,
    ) -> None:
        self.country = country or None
        self.subdivision = subdivision or None
        self.counting = counting or Counting()
        if self.country is not None:
            # Fail on an unknown calendar or subdivision now, not on the first date asked.
            holidays.country_holidays(self.country, subdiv=self.subdivision)
        elif self.subdivision is not None:
            raise ValueError("a subdivision needs a country calendar")
        if isinstance(closures, Mapping):
            self.closures: dict[dt.date, str] = dict(closures)
        else:
            self.closures = {d: "" for d in closures}

    def _year(self, day: dt.date) -> _HolidayYear | None:
        if self.country is None:
            return None
        return _holiday_year(self.country, self.subdivision, day.year)

    def why_closed(self, day: dt.date) -> str | None:
        """Why the court is closed on `day` by a closure day (its clerk's office is
        inaccessible), or None when it is not."""
        if day not in self.closures:
            return None
        reason = self.closures[day]
        if reason:
            return _("Court closed: %(reason)s") % {"reason": reason}
        return _("Court closed")

    def why_weekend_or_holiday(self, day: dt.date, direction: Direction = "after") -> str | None:
        """Why `day` is a Saturday, a Sunday or a legal holiday for a period measured
        `direction` an event, or None when it is none of them (closures aside)."""
        year = self._year(day)
        if year is not None:
            if day in year.names:
                return year.names[day]
            if day in year.local_names and (
                direction == "after" or not self.counting.subdivision_holidays_after_only
            ):
                return _("%(holiday)s (%(subdivision)s)") % {
                    "holiday": year.local_names[day],
                    "subdivision": self.subdivision,
                }
        if day.weekday() in (SATURDAY, SUNDAY):
            if year is not None and day in year.weekend_workdays:
                return None
            return _weekday_name(day)
        return None

    def why_not_court_day(self, day: dt.date, direction: Direction = "after") -> str | None:
        """Why the court does not sit on `day` (for a period measured `direction` an event),
        or None when it does."""
        return self.why_closed(day) or self.why_weekend_or_holiday(day, direction)

    def is_court_day(self, day: dt.date, direction: Direction = "after") -> bool:
        return self.why_not_court_day(day, direction) is None

    def next_court_day(self, day: dt.date, direction: Direction = "after") -> dt.date:
        """The first court day after `day`."""
        return self.walk(day, 1, direction=direction, closures=True)

    def previous_court_day(self, day: dt.date, direction: Direction = "before") -> dt.date:
        """The last court day before `day`."""
        return self.walk(day, -1, direction=direction, closures=True)

    def walk(self, day: dt.date, step: int, *, direction: Direction, closures: bool) -> dt.date:
        """The first day from `day` in the direction of `step` that is not a weekend or a
        legal holiday, nor a closure day when `closures`."""
        for _n in range(MAX_STEPS):
            day += dt.timedelta(days=step)
            if self.why_weekend_or_holiday(day, direction) is None and not (
                closures and day in self.closures
            ):
                return day
        raise ValueError(f"no court day within {MAX_STEPS} days of {day}")


def _weekday_name(day: dt.date) -> str:
    return str(WEEKDAY_NAMES[day.weekday()])


def compute(
    trigger: dt.date, rule: Rule, calendar: CourtCalendar, *, in_custody: bool = False
) -> Computed:
    """The last day of the period `rule` measures from `trigger`, with the steps that got
    there. `in_custody`: a defendant on the case is in custody (what the calendar's counting
    may make of it, CPL art. 105)."""
    step = 1 if rule.direction == "after" else -1
    direction_label = _("after") if rule.direction == "after" else _("before")
    steps = [
        _("Trigger %(trigger)s excluded (%(citation)s)")
        % {"trigger": trigger.isoformat(), "citation": rule.counting_citation}
    ]

    if rule.unit == "calendar_days":
        end = trigger + dt.timedelta(days=step * rule.offset)
        steps.append(
            _("%(offset)s calendar days %(direction)s → %(end)s")
            % {"offset": rule.offset, "direction": direction_label, "end": end.isoformat()}
        )
    else:
        end, skipped = _count_court_days(trigger, rule.offset, rule.direction, calendar)
        line = _("%(offset)s court days %(direction)s → %(end)s") % {
            "offset": rule.offset,
            "direction": direction_label,
            "end": end.isoformat(),
        }
        if skipped:
            line += " " + _("(skipped %(days)s)") % {
                "days": ", ".join(f"{d.isoformat()} {why}" for d, why in skipped)
            }
        steps.append(line)

    why = calendar.why_not_court_day(end, rule.direction)
    if why is None:
        return Computed(date=end, rolled_from=None, explanation=tuple(steps))
    not_court_day = _("%(day)s is not a court day (%(why)s)") % {
        "day": end.isoformat(),
        "why": why,
    }
    if rule.roll == "none":
        steps.append(_("%(fact)s; the rule does not roll") % {"fact": not_court_day})
        return Computed(date=end, rolled_from=None, explanation=tuple(steps))
    counting = calendar.counting
    if rule.roll == "forward" and in_custody and counting.holiday_extension_suspended_in_custody:
        steps.append(
            _("%(fact)s; not extended, a defendant is in custody (%(citation)s)")
            % {"fact": not_court_day, "citation": counting.custody_citation}
        )
        return Computed(date=end, rolled_from=None, explanation=tuple(steps))
    if not counting.closure_extends_forward:
        rolled = (
            calendar.next_court_day(end, rule.direction)
            if rule.roll == "forward"
            else calendar.previous_court_day(end, rule.direction)
        )
        steps.append(_rolled_line(not_court_day, rule.roll, rolled))
        return Computed(date=rolled, rolled_from=end, explanation=tuple(steps))

    # Rule 45(a)(1)(C) and (a)(5): a last day that is a weekend or legal holiday runs on to
    # the "next day" that is neither, counted in the rule's direction; closures play no part.
    day = end
    off = calendar.why_weekend_or_holiday(end, rule.direction)
    if off is not None:
        day = calendar.walk(
            end, 1 if rule.roll == "forward" else -1, direction=rule.direction, closures=False
        )
        fact = _("%(day)s is not a court day (%(why)s)") % {"day": end.isoformat(), "why": off}
        steps.append(_rolled_line(fact, rule.roll, day))
    # Rule 45(a)(3)(A): the clerk's office inaccessible on that day extends the time forward,
    # whichever way the period was counted.
    closed = calendar.why_closed(day)
    if closed is not None:
        extended = calendar.walk(day, 1, direction=rule.direction, closures=True)
        steps.append(
            _(
                "%(day)s: the clerk's office is inaccessible (%(why)s); time extended to "
                "%(extended)s, the first accessible day that is not a Saturday, Sunday or "
                "legal holiday (%(citation)s)"
            )
            % {
                "day": day.isoformat(),
                "why": closed,
                "extended": extended.isoformat(),
                "citation": counting.closure_citation,
            }
        )
        day = extended
    return Computed(date=day, rolled_from=end, explanation=tuple(steps))


def _rolled_line(fact: str, roll: Roll, rolled: dt.date) -> str:
    if roll == "forward":
        return _("%(fact)s; rolled forward to %(day)s") % {"fact": fact, "day": rolled.isoformat()}
    return _("%(fact)s; rolled backward to %(day)s") % {"fact": fact, "day": rolled.isoformat()}


def _count_court_days(
    trigger: dt.date, offset: int, direction: Direction, calendar: CourtCalendar
) -> tuple[dt.date, list[tuple[dt.date, str]]]:
    step = 1 if direction == "after" else -1
    day, counted = trigger, 0
    skipped: list[tuple[dt.date, str]] = []
    for _n in range(offset + MAX_STEPS):
        if counted == offset:
            return day, skipped
        day += dt.timedelta(days=step)
        why = calendar.why_not_court_day(day, direction)
        if why is None:
            counted += 1
        else:
            skipped.append((day, why))
    raise ValueError(f"fewer than {offset} court days within {MAX_STEPS} days of {trigger}")


def calendar_for_court(court: Court) -> CourtCalendar:
    """The court's calendar: its jurisdiction's holidays and those of the court's subdivision
    (the state where it sits), its closure days, and its jurisdiction's way of counting, in
    one query (pass a court with `jurisdiction` selected, or that is a second)."""
    rows = CourtClosure.objects.filter(court=court).values_list("date", "reason")
    closures = dict(rows)
    jurisdiction = court.jurisdiction
    return CourtCalendar(
        jurisdiction.holiday_calendar,
        subdivision=court.subdivision or None,
        closures=closures,
        counting=Counting.from_parameters(jurisdiction.parameters),
    )
