"""Benchmark the audit trail: `python -m bench.audit_trail` (1,000,000 events);
`--events 50000` for a quick run.

Seeds (once per size) a dedicated database: cases, each with charges, and `--events` rows of
audit_event spread over the cases, with one measured case holding 5,000 events behind mixed
walls. Then measures

(a) what the triggers cost a write: a bulk UPDATE of 1,000 charges and 500 single-row INSERTs,
    each run with the case tables' audit triggers enabled and then disabled
    (ALTER TABLE … DISABLE TRIGGER audit_row_change, audit_rows_inserted) in a rolled-back
    transaction; the
    figure is the ratio of the medians;
(b) reading a case's history as the defense does (audience in shared/defense/negotiation,
    newest 50) at this table size, with EXPLAIN (ANALYZE, BUFFERS) of the statement;
(c) exporting the measured case's whole history as CSV (audit.exports), events per second.

It uses `config.settings.dev` with `DATABASE_URL` defaulting to
`postgres://postgres@127.0.0.1:5432/parley_audit_bench` (created and migrated if missing; the
name must contain `bench`). Results: `bench/results/audit_trail-<events>.md`.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bench import results_dir

RESULTS = results_dir()
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/parley_audit_bench"
SEED_VERSION = 1
MEASURED_EVENTS = 5000
CHARGES = 1000
READER_WALLS = ["shared", "defense", "negotiation"]


class Rollback(Exception):
    pass


def _log(message: str) -> None:
    print(message, flush=True)


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/9")
    if "bench" not in os.environ["DATABASE_URL"].rsplit("/", 1)[-1]:
        sys.exit("The benchmark database's name must contain 'bench': it is truncated.")
    import dj_database_url
    import psycopg

    settings_db = dj_database_url.parse(os.environ["DATABASE_URL"])
    admin = psycopg.connect(
        host=settings_db["HOST"] or None,
        port=settings_db["PORT"] or None,
        user=settings_db["USER"] or None,
        dbname="postgres",
        autocommit=True,
    )
    exists = admin.execute(
        "SELECT 1 FROM pg_database WHERE datname = %s", [settings_db["NAME"]]
    ).fetchone()
    if not exists:
        admin.execute(f'CREATE DATABASE "{settings_db["NAME"]}"')
    admin.close()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _seeded(cursor: Any, events: int) -> bool:
    cursor.execute("CREATE TABLE IF NOT EXISTS bench_audit_seed (events bigint, version int)")
    cursor.execute("SELECT events, version FROM bench_audit_seed")
    return cursor.fetchone() == (events, SEED_VERSION)


def _seed(cursor: Any, events: int) -> int:
    """Returns the measured case's id."""
    cursor.execute(
        "TRUNCATE audit_event, cases_case, cases_court, auth_group, auth_user "
        "RESTART IDENTITY CASCADE"
    )
    cursor.execute("SELECT id FROM cases_jurisdiction WHERE code = 'us-fed'")
    jurisdiction = cursor.fetchone()[0]
    cursor.execute(
        "INSERT INTO auth_group (name) VALUES ('bench court') RETURNING id",
    )
    group = cursor.fetchone()[0]
    cursor.execute(
        "INSERT INTO cases_court (name, jurisdiction_id, time_zone, group_id, mfa_required) "
        "VALUES ('Bench District', %s, 'America/New_York', %s, false) RETURNING id",
        [jurisdiction, group],
    )
    court = cursor.fetchone()[0]
    cases = max(100, events // 1000)
    cursor.execute(
        "INSERT INTO cases_case (court_id, docket_number, caption, status, opened_on, sealed, "
        "created_at, updated_at) SELECT %s, 'B-' || n, 'Bench v. ' || n, 'negotiating', "
        "DATE '2026-01-01', false, now(), now() FROM generate_series(1, %s) n",
        [court, cases],
    )
    cursor.execute("SELECT min(id) FROM cases_case")
    measured = cursor.fetchone()[0]
    cursor.execute(
        "INSERT INTO cases_statute (jurisdiction_id, citation, title, offence_class, "
        "severity_rank, min_custody_months, mandatory_minimum_months) VALUES "
        "(%s, 'BENCH 1', 'Bench offence', 'felony', 5, 0, 0) "
        "ON CONFLICT DO NOTHING",
        [jurisdiction],
    )
    cursor.execute("SELECT id FROM cases_statute WHERE citation = 'BENCH 1'")
    statute = cursor.fetchone()[0]
    cursor.execute("ALTER TABLE cases_charge DISABLE TRIGGER audit_row_change")
    cursor.execute("ALTER TABLE cases_charge DISABLE TRIGGER audit_rows_inserted")
    cursor.execute(
        "INSERT INTO cases_charge (case_id, count_number, statute_id, description, status, "
        "disposition, created_at, updated_at) SELECT %s, n, %s, 'count ' || n, 'pending', '', "
        "now(), now() FROM generate_series(1, %s) n",
        [measured, statute, CHARGES],
    )
    cursor.execute("ALTER TABLE cases_charge ENABLE TRIGGER audit_row_change")
    cursor.execute("ALTER TABLE cases_charge ENABLE TRIGGER audit_rows_inserted")
    walls = "ARRAY['shared','shared','prosecution','defense','court','negotiation']"
    # The measured case's events, then the rest spread over the other cases, oldest first.
    cursor.execute(
        "INSERT INTO audit_event (occurred_at, kind, table_name, row_id, case_id, audience, "
        "actor_id, actor_name, via, request_id, db_user, before, after, data) "
        "SELECT now() - (n || ' seconds')::interval, 'charge.changed', 'cases_charge', n::text, "
        f"CASE WHEN n %% %s = 0 THEN %s ELSE %s + 1 + n %% (%s - 1) END, "
        f"({walls})[1 + n %% 6], 1, 'bench', 'web', md5(n::text), 'postgres', "
        "jsonb_build_object('description', 'old ' || n), "
        "jsonb_build_object('description', 'new ' || n), '{}'::jsonb "
        "FROM generate_series(%s, 1, -1) n",
        [max(1, events // MEASURED_EVENTS), measured, measured, cases, events],
    )
    cursor.execute("DELETE FROM bench_audit_seed")
    cursor.execute("INSERT INTO bench_audit_seed VALUES (%s, %s)", [events, SEED_VERSION])
    return int(measured)


def _timed(run: Callable[[], Any], repeat: int) -> list[float]:
    from django.db import transaction

    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        try:
            with transaction.atomic():
                run()
                raise Rollback
        except Rollback:
            pass
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()
    _setup()
    from django.db import connection

    from audit.models import AuditEvent

    with connection.cursor() as cursor:
        if args.reseed or not _seeded(cursor, args.events):
            _log(f"seeding {args.events:,} events …")
            started = time.perf_counter()
            _seed(cursor, args.events)
            cursor.execute("VACUUM ANALYZE audit_event")
            _log(f"  seeded in {time.perf_counter() - started:.0f} s")
        cursor.execute("SELECT min(id) FROM cases_case")
        measured = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM audit_event WHERE case_id = %s", [measured])
        measured_events = cursor.fetchone()[0]

    def bulk_update() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE cases_charge SET description = description || '!' WHERE case_id = %s",
                [measured],
            )

    def single_inserts() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT statute_id FROM cases_charge LIMIT 1")
            statute = cursor.fetchone()[0]
            for n in range(500):
                cursor.execute(
                    "INSERT INTO cases_charge (case_id, count_number, statute_id, description, "
                    "status, disposition, created_at, updated_at) "
                    "VALUES (%s, %s, %s, 'x', 'pending', '', now(), now())",
                    [measured, CHARGES + 1 + n, statute],
                )

    def with_triggers(enabled: bool, run: Callable[[], None]) -> Callable[[], None]:
        def go() -> None:
            if not enabled:
                with connection.cursor() as cursor:
                    cursor.execute("ALTER TABLE cases_charge DISABLE TRIGGER audit_row_change")
                    cursor.execute("ALTER TABLE cases_charge DISABLE TRIGGER audit_rows_inserted")
            run()

        return go

    rows: list[tuple[str, float, float]] = []
    for name, run in (
        ("bulk UPDATE of 1,000 charges", bulk_update),
        ("500 single INSERTs", single_inserts),
    ):
        on = statistics.median(_timed(with_triggers(True, run), args.repeat))
        off = statistics.median(_timed(with_triggers(False, run), args.repeat))
        rows.append((name, on, off))
        _log(
            f"(a) {name}: {on:.1f} ms with the audit trigger, {off:.1f} ms without, x{on / off:.2f}"
        )

    history = AuditEvent.objects.filter(case_id=measured, audience__in=READER_WALLS).order_by("-id")
    page_times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        list(history[:50])
        page_times.append((time.perf_counter() - started) * 1000)
    page = statistics.median(page_times)
    with connection.cursor() as cursor:
        sql, params = history[:50].query.sql_with_params()
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    _log(f"(b) history page (50 newest, defense walls): median {page:.2f} ms")

    export_rate = None
    try:
        from audit import exports

        started = time.perf_counter()
        count = sum(1 for _ in exports.csv_lines(history)) - 1
        export_rate = count / (time.perf_counter() - started)
        _log(f"(c) CSV export: {count:,} events at {export_rate:,.0f} events/s")
    except (ImportError, AttributeError):
        _log("(c) CSV export: audit.exports.csv_rows not available")

    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"audit_trail-{args.events}.md"
    lines = [
        f"# audit trail, {args.events:,} events ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)",
        "",
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"load {os.getloadavg()[0]:.1f}; measured case: {measured_events:,} events, "
        f"{CHARGES:,} charges; {args.repeat} runs each, medians.",
        "",
        "| write | with trigger (ms) | without (ms) | ratio |",
        "|---|---|---|---|",
        *[f"| {name} | {on:.1f} | {off:.1f} | x{on / off:.2f} |" for name, on, off in rows],
        "",
        f"History page (defense walls, newest 50): median {page:.2f} ms",
        "",
        f"CSV export: {export_rate:,.0f} events/s" if export_rate else "CSV export: not measured",
        "",
        "```",
        plan,
        "```",
    ]
    out.write_text("\n".join(lines) + "\n")
    _log("\n".join(lines))
    _log(f"written to {out}")


if __name__ == "__main__":
    main()
