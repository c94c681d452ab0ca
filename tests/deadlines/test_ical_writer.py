"""The feeds' own iCalendar writer (deadlines/ical.py) against the `icalendar` library and
RFC 5545's own rules.

The library is the oracle: the same hearings and deadlines built as `icalendar` components
(the way the feeds were written before) must serialise to the same bytes, apart from two
lines the writer gets right where the library does not (listed in INTENDED). The folding rule
is also checked directly against RFC 5545 3.1 on text of every script, with hypothesis.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
from hypothesis import given
from hypothesis import strategies as st
from icalendar import Calendar, Event, vDuration
from icalendar.enums import STATUS, TRANSP
from icalendar.parser.content_line import Contentline

from cases.models import Case, Court
from deadlines import feeds, ical
from deadlines.models import (
    CalendarFeed,
    Courtroom,
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    Hearing,
    HearingKind,
    HearingStatus,
)
from parties.models import Role

MOMENT = dt.datetime(2026, 3, 2, 14, 0, 7, tzinfo=dt.UTC)

# Where the writer departs from the library, on purpose:
# - RFC 7986 5.7: REFRESH-INTERVAL "refreshparam = ... VALUE=DURATION ... is REQUIRED";
#   `icalendar` leaves it out.
# - X-WR-CALDESC is TEXT (as Apple and Google write it): its commas and semicolons are escaped
#   like DESCRIPTION's; `icalendar` writes it raw, and a comma reads as a list separator.
INTENDED = ("REFRESH-INTERVAL", "X-WR-CALDESC")


def court(name: str, zone: str) -> Court:
    return Court(name=name, time_zone=zone)


def a_hearing(
    pk: int,
    court_: Court,
    starts_at: dt.datetime,
    *,
    caption: str = "United States v. Rivera",
    docket: str = "1:26-cr-00042",
    room: str = "Courtroom 4B",
    status: str = HearingStatus.SCHEDULED,
) -> Hearing:
    case = Case(caption=caption, docket_number=docket, court=court_)
    return Hearing(
        pk=pk,
        case=case,
        courtroom=Courtroom(name=room, court=court_),
        kind=HearingKind.ARRAIGNMENT,
        status=status,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=1),
        sequence=pk % 3,
        created_at=MOMENT - dt.timedelta(days=pk),
        updated_at=MOMENT,
    )


def a_deadline(
    pk: int,
    court_: Court,
    due: dt.date,
    *,
    title: str = "Pretrial motions",
    status: str = DeadlineStatus.OPEN,
    due_at: dt.datetime | None = None,
    citation: str = "",
) -> Deadline:
    case = Case(caption="People v. Chen, Li; et al.", docket_number="2026-CR-7", court=court_)
    return Deadline(
        pk=pk,
        case=case,
        kind=DeadlineKind.MOTION_DUE,
        title=title,
        status=status,
        due_date=due,
        due_at=due_at,
        responsible_side=Role.DEFENSE_COUNSEL,
        citation=citation,
        sequence=pk,
        created_at=MOMENT - dt.timedelta(days=3),
        updated_at=MOMENT,
    )


def _row_properties(kind: str, row: Hearing | Deadline) -> dict[str, Any]:
    """What an event takes from its row, hearing or deadline alike."""
    return {
        "uid": f"{kind}-{row.pk}@parley",
        "sequence": row.sequence,
        "stamp": row.updated_at.astimezone(dt.UTC),
        "last_modified": row.updated_at.astimezone(dt.UTC),
        "created": row.created_at.astimezone(dt.UTC),
    }


def by_the_library(feed: CalendarFeed, hearings: list[Hearing], deadlines: list[Deadline]) -> bytes:
    """The same calendar built with `icalendar`'s components (the feeds' code before
    deadlines/ical.py)."""
    calendar = Calendar.new(
        prodid=feeds.PRODID,
        method="PUBLISH",
        name=feeds.calendar_name(feed),
        description=feeds.calendar_description(),
        refresh_interval=feeds.REFRESH_INTERVAL,
        uid=f"feed-{feed.pk}@{feeds.UID_DOMAIN}",
    )
    calendar.add("X-PUBLISHED-TTL", vDuration(feeds.REFRESH_INTERVAL))
    for hearing in hearings:
        zone = ZoneInfo(hearing.case.court.time_zone)
        calendar.add_component(
            Event.new(
                **_row_properties("hearing", hearing),
                start=hearing.starts_at.astimezone(zone),
                end=hearing.ends_at.astimezone(zone),
                summary=feeds.hearing_summary(hearing),
                location=f"{hearing.courtroom.name}, {hearing.case.court.name}",
                description=feeds.hearing_description(hearing),
                status=STATUS.CANCELLED
                if hearing.status == HearingStatus.CANCELLED
                else STATUS.CONFIRMED,
            )
        )
    for deadline in deadlines:
        calendar.add_component(
            Event.new(
                **_row_properties("deadline", deadline),
                start=deadline.due_date,
                end=deadline.due_date + dt.timedelta(days=1),
                summary=feeds.deadline_summary(deadline),
                description=feeds.deadline_description(deadline),
                status=STATUS.CANCELLED
                if deadline.status == DeadlineStatus.CANCELLED
                else STATUS.CONFIRMED,
                transparency=TRANSP.TRANSPARENT,
            )
        )
    if hearings:
        years = [hearing.starts_at.year for hearing in hearings]
        calendar.add_missing_timezones(
            first_date=dt.date(min(years) - 1, 1, 1), last_date=dt.date(max(years) + 2, 1, 1)
        )
        # The library adds the zones in the order of a set, which differs between processes
        # (and so did the feed's ETag between web workers); the writer lists them by name.
        zones = sorted(calendar.timezones, key=lambda zone: str(zone["TZID"]))
        events = [c for c in calendar.subcomponents if c.name != "VTIMEZONE"]
        calendar.subcomponents[:] = [*zones, *events]
    return calendar.to_ical()


def _lines_without_intended(document: bytes) -> list[bytes]:
    """The content lines, still folded, but for those the writer writes differently on
    purpose."""
    return [
        line
        for line in re.split(rb"\r\n(?! )", document)
        if not line.startswith(tuple(name.encode() for name in INTENDED))
    ]


NEW_YORK = court("U.S. District Court for the District of Columbia", "America/New_York")
SHANGHAI = court("上海市浦东新区人民法院", "Asia/Shanghai")
LONDON = court("Crown Court at Southwark, London", "Europe/London")
UTC_COURT = court("Court of the Ship, UTC", "UTC")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_document_is_the_librarys_byte_for_byte(language: str) -> None:
    from django.utils import translation

    hearings = [
        a_hearing(1, NEW_YORK, dt.datetime(2026, 3, 16, 14, tzinfo=dt.UTC)),
        # Daylight time in New York starts on 2026-03-08: 10:00 local is 14:00 UTC after it.
        a_hearing(2, NEW_YORK, dt.datetime(2026, 3, 5, 15, tzinfo=dt.UTC), room="Room 1; annex"),
        a_hearing(
            3,
            SHANGHAI,
            dt.datetime(2027, 1, 4, 1, 30, tzinfo=dt.UTC),
            caption="上海市浦东新区人民检察院诉张三危险驾驶案（认罪认罚从宽，适用速裁程序审理）",
            docket="（2026）沪0115刑初1234号",
            room="第三法庭",
            status=HearingStatus.CANCELLED,
        ),
        a_hearing(
            4, LONDON, dt.datetime(2026, 10, 25, 9, tzinfo=dt.UTC), caption="R v. O'Neil, J."
        ),
        a_hearing(5, UTC_COURT, dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC)),
    ]
    deadlines = [
        a_deadline(10, NEW_YORK, dt.date(2026, 3, 20), citation="Fed. R. Crim. P. 12(b)(3)"),
        a_deadline(
            11,
            SHANGHAI,
            dt.date(2026, 3, 23),
            title="提交量刑建议书，并附认罪认罚具结书\\副本；" * 3,
            status=DeadlineStatus.CANCELLED,
            due_at=dt.datetime(2026, 3, 23, 9, 30, tzinfo=dt.UTC),
        ),
        a_deadline(12, NEW_YORK, dt.date(2026, 4, 1), title="x" * 73 + "\\" + "y" * 200),
    ]
    feed = CalendarFeed(pk=7)
    with translation.override(language):
        ours = feeds.calendar_build(feed, hearings, deadlines)
        theirs = by_the_library(feed, hearings, deadlines)
        description = feeds.calendar_description()
    assert _lines_without_intended(ours) == _lines_without_intended(theirs)
    # ...and the two intended lines say what they should.
    parsed = icalendar.Calendar.from_ical(ours)
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT15M\r\n" in ours
    assert parsed["REFRESH-INTERVAL"].dt == dt.timedelta(minutes=15)  # type: ignore[union-attr]
    caldesc = ours.replace(b"\r\n ", b"").split(b"X-WR-CALDESC:")[1].split(b"\r\n")[0].decode()
    assert caldesc == ical.text(description)
    # Four zones, each defined once, in name order; the UTC court's hearing is in UTC.
    assert [str(zone["TZID"]) for zone in parsed.walk("VTIMEZONE")] == [
        "America/New_York",
        "Asia/Shanghai",
        "Europe/London",
    ]
    assert b"DTSTART:20260601T090000Z\r\n" in ours


def test_a_calendar_with_no_hearings_has_no_time_zones() -> None:
    ours = feeds.calendar_build(
        CalendarFeed(pk=1), [], [a_deadline(1, NEW_YORK, dt.date(2026, 3, 20))]
    )
    theirs = by_the_library(CalendarFeed(pk=1), [], [a_deadline(1, NEW_YORK, dt.date(2026, 3, 20))])
    assert _lines_without_intended(ours) == _lines_without_intended(theirs)
    assert b"VTIMEZONE" not in ours


# --- folding and escaping, from RFC 5545's text -----------------------------------------------


@given(st.text(alphabet=st.characters(exclude_categories=["Cs"]), min_size=40, max_size=400))
def test_folded_lines_follow_rfc_5545_3_1(value: str) -> None:
    """3.1: "Lines of text SHOULD NOT be longer than 75 octets, excluding the line break. Long
    content lines SHOULD be split into a multiple line representations using a line "folding"
    technique ... a CRLF immediately followed by a single linear white-space character."
    Unfolding ("removing any CRLF character that is immediately followed by a single linear
    white-space character") gives the line back; and a multi-octet character is never split."""
    line = "DESCRIPTION:" + ical.text(value)
    folded = ical.fold(line).encode()
    assert folded.replace(b"\r\n ", b"") == line.encode()
    physical = folded.split(b"\r\n")
    for number, octets in enumerate(physical):
        assert len(octets) <= 75
        assert number == 0 or octets.startswith(b" ")
        octets.decode()  # raises on a UTF-8 sequence cut in two
    # The library's own folding agrees.
    assert folded == Contentline(line).to_ical()


@given(st.text(alphabet="ab\\;,^\n认", min_size=100, max_size=300))
def test_escapes_at_a_fold_are_carried_over_like_the_librarys(value: str) -> None:
    """Some calendar programs do not join a line that ends in the backslash of an escape
    (icalendar issue #1501): a fold that would leave a backslash or caret at the end of a
    line moves it to the next, as the library does."""
    line = "SUMMARY:" + ical.text(value)
    folded = ical.fold(line)
    assert folded.encode() == Contentline(line).to_ical()


@pytest.mark.parametrize(
    ("value", "escaped"),
    [
        # 3.3.11: "ESCAPED-CHAR = ("\\" / "\;" / "\," / "\N" / "\n")"
        ("a\\b", "a\\\\b"),
        ("a;b", "a\\;b"),
        ("a,b", "a\\,b"),
        ("line\nnext", "line\\nnext"),
        ("line\r\nnext", "line\\nnext"),
        ("认罪认罚，从宽；", "认罪认罚，从宽；"),  # full-width punctuation is not a separator
        ("plain: text", "plain: text"),
    ],
)
def test_text_escaping_follows_rfc_5545_3_3_11(value: str, escaped: str) -> None:
    assert ical.text(value) == escaped


def test_date_and_date_time_forms_of_rfc_5545() -> None:
    moment = dt.datetime(2026, 3, 16, 14, 0, tzinfo=dt.UTC)
    assert ical.utc(moment) == "20260316T140000Z"  # 3.3.5 form 2
    assert ical.day(dt.date(2026, 3, 16)) == "20260316"  # 3.3.4
    # 3.3.5 form 3: local time with a TZID (daylight time in New York since 2026-03-08).
    assert ical.local("DTSTART", moment, "America/New_York") == (
        "DTSTART;TZID=America/New_York:20260316T100000"
    )
    assert ical.local("DTSTART", moment, "Etc/UTC") == "DTSTART:20260316T140000Z"
