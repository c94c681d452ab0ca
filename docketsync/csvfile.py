"""Docket records from a CSV file: one file, one row per record, a `type` column.

One file rather than one per type: a clerk exports or fills in one sheet, uploads it once and
sees one preview; rows run top to bottom, so cases come before their charges, parties and
hearings the way a docket lists them. The columns are the record fields (docketsync.records);
a column that does not apply to a row's type is left empty, and an empty cell means "not
given" (the value in Parley stays). Only the columns used need to be present, in any order.

Files are UTF-8 (with or without the byte-order mark Excel writes for "CSV UTF-8"),
comma-separated, quoted as RFC 4180 says. What is wrong with the file as a whole (not UTF-8,
no header, an unknown column, a row with more cells than the header) is a CsvError naming the
line; what is wrong with one record is that record's error, from the service.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from docketsync.records import COLUMNS

REQUIRED_COLUMNS = ("type",)


class CsvError(ValueError):
    """The file cannot be read as docket records; the message says where and why."""


@dataclass
class CsvRecords:
    records: list[dict[str, Any]] = field(default_factory=list)
    # The file's line number of each record (the header is line 1), for people to find it.
    lines: list[int] = field(default_factory=list)


def template() -> str:
    """An empty file with every column, for people to fill in."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(COLUMNS)
    return out.getvalue()


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise CsvError(
            _(
                "Line %(line)s is not UTF-8 text (byte 0x%(byte)s). Save the file as "
                "“CSV UTF-8” and upload it again."
            )
            % {"line": line, "byte": format(data[error.start], "02x")}
        ) from None


def read_csv(data: bytes, *, max_records: int | None = None) -> CsvRecords:
    """Read docket records from the bytes of a CSV file (see the module's docstring)."""
    text = _text(data)
    if not text.strip():
        raise CsvError(_("The file is empty."))
    if "\x00" in text:
        raise CsvError(_("The file holds NUL characters: it is not a CSV text file."))
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [name.strip().lower() for name in next(reader)]
        columns = _check_header(header)
        found = CsvRecords()
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(columns):
                raise CsvError(
                    _(
                        "Line %(line_num)s has %(count)s cells but the header has %(count2)s; "
                        "put quotes around values that hold commas."
                    )
                    % {"line_num": reader.line_num, "count": len(row), "count2": len(columns)}
                )
            if max_records is not None and len(found.records) >= max_records:
                raise CsvError(
                    _(
                        "The file has more than %(max_records)s records; split it, or import it "
                        "with the management command or the API."
                    )
                    % {"max_records": format(max_records, ",")}
                )
            record = {}
            for name, cell in zip(columns, row, strict=False):
                if not cell.strip():
                    continue
                if not name:
                    raise CsvError(
                        _("Line %(line_num)s has a value in a column with no name in the header.")
                        % {"line_num": reader.line_num}
                    )
                record[name] = cell.strip()
            found.records.append(record)
            found.lines.append(reader.line_num)
    except csv.Error as error:
        raise CsvError(
            _("Line %(line_num)s cannot be read as CSV: %(error)s.")
            % {"line_num": reader.line_num, "error": error}
        ) from None
    if not found.records:
        raise CsvError(_("The file has a header but no records."))
    return found


def _check_header(header: list[str]) -> list[str]:
    # Spreadsheets often save empty columns after the last one: nameless columns are ignored.
    unknown = [name for name in header if name and name not in COLUMNS]
    if unknown:
        raise CsvError(
            ngettext(
                "Unknown column %(unknown)s in the header (line 1). The columns are: %(columns)s.",
                "Unknown columns %(unknown)s in the header (line 1). The columns are: %(columns)s.",
                len(unknown),
            )
            % {
                "unknown": ", ".join(f"“{name}”" for name in unknown),
                "columns": ", ".join(COLUMNS),
            }
        )
    twice = sorted({name for name in header if name and header.count(name) > 1})
    if twice:
        raise CsvError(
            _("The header names %(items)s more than once.") % {"items": ", ".join(twice)}
        )
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise CsvError(
            _(
                "The header (line 1) has no “%(missing)s” column; the first line of the "
                "file names the columns."
            )
            % {"missing": missing[0]}
        )
    return header
