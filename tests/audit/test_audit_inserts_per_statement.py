"""Inserts are recorded by one statement-level trigger per table (audit_rows_inserted) instead
of a trigger call per row: the trail must hold exactly the rows the row-by-row trigger wrote.

For every watched table that holds rows in the world, the same rows are inserted twice in
savepoints, once under the statement trigger and once under the row trigger as it was before
(audit.sql.watch_rows_sql), and the trail rows they leave compared column by column (all but
the event's own id and clock time)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import connection, transaction
from psycopg import sql as psql

from audit import sql
from audit.context import AuditContext, acting
from audit.models import AuditEvent
from deadlines.models import Courtroom, Hearing, HearingChange, HearingKind, HearingStatus
from parties.models import Role
from records import services as record_services
from records.models import Visibility
from tests.conftest import World
from tests.negotiation_helpers import draft_offer

COMPARED = [
    "kind",
    "table_name",
    "row_id",
    "case_id",
    "audience",
    "actor_id",
    "actor_name",
    "via",
    "request_id",
    "ip",
    "db_user",
    "before",
    "after",
    "data",
]

# Tables whose declaration exercises each way of saying the case and audience, a mask and an
# ignored column: the world must hold rows of each, or the comparison proves little.
MUST_COMPARE = {
    "cases_case",  # case from its id, updated_at ignored
    "deadlines_hearingchange",  # case by a subquery
    "negotiations_offer",  # audience by an expression
    "negotiations_offerterm",  # case and audience by subqueries
    "records_note",  # audience from a column
    "parties_caseparticipant",  # conflicts masked
    "auth_user",  # password masked, last_login ignored
    "parties_defendant",  # no case
}


def _primary_key(table: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a "
            "ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
            "WHERE i.indrelid = %s::regclass AND i.indisprimary",
            [table],
        )
        return str(cursor.fetchone()[0])


def _reinsert(table: str, rows: Any) -> list[tuple[Any, ...]]:
    """Delete `rows` of `table` and insert them again in one statement; the trail rows that
    insert wrote."""
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    ident, key = psql.Identifier(table), _primary_key(table)
    with connection.cursor() as cursor:
        cursor.execute(
            psql.SQL("DELETE FROM {} WHERE {}::text = ANY(%s)")
            .format(ident, psql.Identifier(key))
            .as_string(),
            [[str(row[key]) for row in rows]],
        )
        cursor.execute(
            psql.SQL("INSERT INTO {t} SELECT * FROM jsonb_populate_recordset(NULL::{t}, %s::jsonb)")
            .format(t=ident)
            .as_string(),
            [json.dumps(rows)],
        )
    return list(
        AuditEvent.objects.filter(id__gt=last, kind__endswith=".created")
        .order_by("id")
        .values_list(*COMPARED)
    )


def _rows_of_every_kind(world: World) -> None:
    draft_offer(world)
    record_services.note_add(
        case=world.case,
        by=world.user(Role.PROSECUTOR),
        visibility=Visibility.PROSECUTION,
        body="Witness list.",
    )
    room = Courtroom.objects.create(court=world.court, name="Courtroom 9")
    starts = dt.datetime(2027, 3, 1, 14, tzinfo=dt.UTC)
    hearing = Hearing.objects.create(
        case=world.case,
        kind=HearingKind.STATUS_CONFERENCE,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
        courtroom=room,
        created_by=world.user(Role.COURT_STAFF),
    )
    HearingChange.objects.create(
        hearing=hearing,
        to_starts_at=starts,
        to_courtroom=room,
        to_status=HearingStatus.SCHEDULED,
        changed_by=world.user(Role.COURT_STAFF),
    )


@pytest.mark.django_db
def test_a_statement_records_every_inserted_row_as_the_row_trigger_did(world: World) -> None:
    compared: set[str] = set()
    clerk = world.user(Role.COURT_STAFF)
    _rows_of_every_kind(world)
    context = AuditContext(
        via="test", request_id="same-request", ip="192.0.2.7", actor=lambda: clerk
    )
    with acting(context):
        for watched in sql.WATCHED:
            with connection.cursor() as cursor:
                cursor.execute(
                    psql.SQL("SELECT to_jsonb(t) FROM {} t ORDER BY {} LIMIT 3")
                    .format(
                        psql.Identifier(watched.table),
                        psql.Identifier(_primary_key(watched.table)),
                    )
                    .as_string()
                )
                rows = [json.loads(row) for (row,) in cursor.fetchall()]
            if not rows:
                continue
            with transaction.atomic():
                by_statement = _reinsert(watched.table, rows)
                transaction.set_rollback(True)
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(sql.watch_rows_sql(watched))
                by_row = _reinsert(watched.table, rows)
                transaction.set_rollback(True)
            assert len(by_statement) == len(rows), watched.table
            assert by_statement == by_row, watched.table
            compared.add(watched.table)
    assert compared >= MUST_COMPARE


@pytest.mark.django_db
def test_one_insert_statement_fires_one_trigger_call_however_many_rows(world: World) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, t.tgtype FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = 'audit_rows_inserted' AND NOT t.tgisinternal"
        )
        installed = dict(cursor.fetchall())
    assert set(installed) == {w.table for w in sql.WATCHED}
    # AFTER (not BEFORE: 2 unset), FOR EACH STATEMENT (1 unset), INSERT (4) only.
    assert all(tgtype & (1 | 2 | 4 | 8 | 16) == 4 for tgtype in installed.values())
