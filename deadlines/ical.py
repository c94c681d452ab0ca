"""The iCalendar writer of the calendar feeds (RFC 5545, with RFC 7986's calendar properties).

A feed holds up to a few hundred events, and building them as `icalendar` components and
serialising those cost about 100 ms of CPU a fetch (its line folding looks at every character
of the document, one at a time), most of a feed's time. The feeds need only a few property
kinds, so this module writes their content lines directly: TEXT escaping (RFC 5545 3.3.11),
DATE and DATE-TIME values (3.3.4, 3.3.5), and lines folded at 75 octets (3.1) without
splitting a UTF-8 character or an escape. The time zone definitions (VTIMEZONE) still come from
`icalendar`, which derives them from the zone database, and are kept per zone and span of
years. tests/deadlines/test_ical_writer.py holds the output to `icalendar`'s own for the same
events, byte for byte.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

# A content line is at most 75 octets without its line break (RFC 5545 3.1). Like
# `icalendar`, a line is cut before its 75th octet and a continuation (which starts with the
# folding space) holds 74 more.
_FOLD_OCTETS = 74
_FOLD = "\r\n "


def text(value: str) -> str:
    """A TEXT value escaped (RFC 5545 3.3.11): backslash, semicolon and comma are escaped, and
    each line break becomes `\\n`."""
    return (
        value.replace("\\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """The content line folded: no physical line over 75 octets, never inside a UTF-8
    character, and (as `icalendar` does since its issue #1501) a backslash or RFC 6868 caret
    that would end a physical line is carried to the next, since some calendar programs do
    not join an escape split there."""
    if len(line) <= _FOLD_OCTETS and (line.isascii() or len(line.encode()) <= _FOLD_OCTETS):
        return line
    parts: list[str] = []
    if line.isascii():  # one octet a character: cut by slicing
        start, end = 0, len(line)
        while end - start > _FOLD_OCTETS:
            cut = start + _FOLD_OCTETS
            if line[cut - 1] in "\\^":
                cut -= 1
            parts.append(line[start:cut])
            start = cut
        parts.append(line[start:])
        return _FOLD.join(parts)
    current: list[str] = []
    octets = 0
    for char in line:
        size = 1 if char < "\x80" else len(char.encode())
        if current and octets + size > _FOLD_OCTETS:
            if len(current) > 1 and current[-1] in "\\^":
                carried = current.pop()
                parts.append("".join(current))
                current, octets = [carried], 1
            else:
                parts.append("".join(current))
                current, octets = [], 0
        current.append(char)
        octets += size
    if current:
        parts.append("".join(current))
    return _FOLD.join(parts)


def utc(moment: dt.datetime) -> str:
    """A DATE-TIME in UTC (form 2 of RFC 5545 3.3.5)."""
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def day(value: dt.date) -> str:
    return value.strftime("%Y%m%d")


@lru_cache(maxsize=256)
def tzid(zone_name: str) -> str | None:
    """The TZID for a zone of the database, None for UTC (written with a Z instead)."""
    from icalendar.timezone import tzid_from_dt

    name = tzid_from_dt(dt.datetime(2000, 1, 1, tzinfo=ZoneInfo(zone_name)))
    return None if name == "UTC" else name


def local(name: str, moment: dt.datetime, zone_name: str) -> str:
    """`NAME;TZID=zone:local time` (form 3 of RFC 5545 3.3.5), or the UTC form for UTC."""
    zone_id = tzid(zone_name)
    if zone_id is None:
        return f"{name}:{utc(moment)}"
    value = moment.astimezone(ZoneInfo(zone_name)).strftime("%Y%m%dT%H%M%S")
    return fold(f"{name};TZID={zone_id}:{value}")


@lru_cache(maxsize=64)
def vtimezone(zone_name: str, first_year: int, last_year: int) -> str:
    """The VTIMEZONE of a zone for the years first_year (1 January) to last_year (1 January),
    as folded content lines with their line breaks. Only the zone database decides it, so it
    is made once per zone and span."""
    from icalendar import Timezone

    component = Timezone.from_tzid(
        zone_name, first_date=dt.date(first_year, 1, 1), last_date=dt.date(last_year, 1, 1)
    )
    return component.to_ical().decode()


class Document:
    """Content lines in the order they are written; `bytes()` gives the document."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def line(self, line: str) -> None:
        self.lines.append(fold(line))

    def text(self, name: str, value: str) -> None:
        self.lines.append(fold(f"{name}:{text(value)}"))

    def raw(self, block: str) -> None:
        """Lines already folded and ended (a VTIMEZONE)."""
        self.lines.append(block.removesuffix("\r\n"))

    def __bytes__(self) -> bytes:
        return ("\r\n".join(self.lines) + "\r\n").encode()
