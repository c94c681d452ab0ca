"""The history as a file for a court records request: CSV or JSON Lines, streamed row by row
from a server-side cursor, so that a case with a million events costs the same memory as one
with ten. The export is itself recorded in the history before the first byte is sent.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.db.models import Max, QuerySet
from django.http import StreamingHttpResponse
from django.utils import translation
from django.utils.translation import pgettext_lazy

from audit import presentation, selectors
from audit import services as audit
from audit.models import Audience, AuditEvent
from audit.selectors import HistoryFilters

if TYPE_CHECKING:
    from cases.models import Case

FORMATS = {"csv": "text/csv; charset=utf-8", "jsonl": "application/jsonl; charset=utf-8"}
COLUMNS = (
    "id",
    "occurred_at",
    "kind",
    "actor_id",
    "actor_name",
    "via",
    "request_id",
    "table",
    "row_id",
    "summary",
    "before",
    "after",
    "data",
)
# The CSV's header row, for people reading it in a spreadsheet; JSON Lines keeps the field names.
COLUMN_HEADERS = {
    "id": pgettext_lazy("history export column", "id"),
    "occurred_at": pgettext_lazy("history export column", "occurred_at"),
    "kind": pgettext_lazy("history export column", "kind"),
    "actor_id": pgettext_lazy("history export column", "actor_id"),
    "actor_name": pgettext_lazy("history export column", "actor_name"),
    "via": pgettext_lazy("history export column", "via"),
    "request_id": pgettext_lazy("history export column", "request_id"),
    "table": pgettext_lazy("history export column", "table"),
    "row_id": pgettext_lazy("history export column", "row_id"),
    "summary": pgettext_lazy("history export column", "summary"),
    "before": pgettext_lazy("history export column", "before"),
    "after": pgettext_lazy("history export column", "after"),
    "data": pgettext_lazy("history export column", "data"),
}
CHUNK = 1000
SEND_BYTES = 32 * 1024  # characters of the file sent at once
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def event_record(event: AuditEvent) -> dict[str, Any]:
    """One event with the export's fields; times in UTC, ISO 8601."""
    shown = presentation.shown_values(event)
    return {
        "id": event.pk,
        "occurred_at": event.occurred_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "kind": event.kind,
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "via": event.via,
        "request_id": event.request_id,
        "table": event.table_name,
        "row_id": event.row_id,
        "summary": presentation.summary_of(event),
        "before": shown.before,
        "after": shown.after,
        "data": shown.data,
    }


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if type(value) is int and value >= 0:
        return str(value)
    text = value if isinstance(value, str) else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


# One encoder for every value (json.dumps builds a new one for each call with these options).
_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _json(value: Any) -> str:
    return _ENCODER.encode(value)


class _Line:
    """csv.writer's file: hands back each line instead of keeping it."""

    def write(self, line: str) -> str:
        return line


def csv_lines(events: QuerySet[AuditEvent]) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield writer.writerow([str(COLUMN_HEADERS[name]) for name in COLUMNS])
    for event in events.iterator(chunk_size=CHUNK):
        record = event_record(event)
        for name in ("before", "after", "data"):
            record[name] = "" if record[name] is None else _json(record[name])
        yield writer.writerow([_cell(record[name]) for name in COLUMNS])


def _in_language(lines: Iterator[str], language: str | None) -> Iterator[str]:
    """The file is written while it streams, after the view has returned: in the language of
    the request that asked for it; sent in pieces of about SEND_BYTES, not a line at a time (a
    write to the client and Django's encoding of each piece cost more than the line)."""
    with translation.override(language):
        piece: list[str] = []
        size = 0
        for line in lines:
            piece.append(line)
            size += len(line)
            if size >= SEND_BYTES:
                yield "".join(piece)
                piece, size = [], 0
        if piece:
            yield "".join(piece)


def jsonl_lines(events: QuerySet[AuditEvent]) -> Iterator[str]:
    for event in events.iterator(chunk_size=CHUNK):
        yield _json(event_record(event)) + "\n"


def filename(case: Case, fmt: str) -> str:
    docket = re.sub(r"[^A-Za-z0-9._-]+", "-", case.docket_number).strip("-.") or str(case.pk)
    return f"case-{docket}-history.{fmt}"


def history_export_response(
    *,
    case: Case,
    events: QuerySet[AuditEvent],
    filters: HistoryFilters,
    fmt: str,
    actor: Any,
    request: Any,
) -> StreamingHttpResponse:
    """Record the export (who, which format, which filters), then stream exactly the events
    up to the newest one at that moment. The record, which everyone on the case reads, does
    not say how many events the exporter saw: that would count what is behind their walls."""
    counted = events.order_by().aggregate(last=Max("id"))
    audit.record(
        "history.exported",
        case_id=case.pk,
        audience=Audience.SHARED,
        actor=actor,
        request=request,
        data={"format": fmt, "filters": filters.as_params()},
    )
    rows = events.filter(id__lte=counted["last"] or 0).order_by("-id")
    lines = csv_lines(rows) if fmt == "csv" else jsonl_lines(rows)
    response = StreamingHttpResponse(
        _in_language(lines, translation.get_language()), content_type=FORMATS[fmt]
    )
    response["Content-Disposition"] = f'attachment; filename="{filename(case, fmt)}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def history_export(
    user: Any, case: Case, *, filters: HistoryFilters, fmt: str, request: Any
) -> StreamingHttpResponse:
    """What `user` may read of the case's history, filtered, as a file; the export (and, on a
    sealed case, the view) recorded. Both the page and the API answer with this."""
    audit.sealed_case_viewed(case=case, request=request, seen=f"history export ({fmt})")
    return history_export_response(
        case=case,
        events=selectors.history_filtered(selectors.history_visible_to(user, case), filters),
        filters=filters,
        fmt=fmt,
        actor=user,
        request=request,
    )
