"""Benchmark docket sync: `python -m bench.docket_import` (100,000 hearings);
`--hearings 5000` for a quick run.

Imports, through docketsync.services.docket_upsert in batches of 1,000 records (each batch one
transaction, as the API and the command run them), into a new court:

(a) the cases the hearings belong to (`--per-case` hearings each, default 10, so 10,000
    cases for 100,000 hearings), created in bulk through cases.services.cases_open_many;
(b) the hearings, created in bulk through deadlines.services.hearings_schedule_many (cases
    locked, permission, clash check, history rows, alert planning, integration events, the
    audit trail's statement-level triggers: a fixed number of statements a batch) in `--rooms`
    courtrooms (default: enough for 16 half-hour slots a day over about 125 days);
(c) the same hearing records again: every one `unchanged`, nothing written;
(d) one batch of 1,000 hearings rescheduled (hearing_reschedule, record by record), as a dry
    run (tried, then rolled back).

Records per second are wall-clock over the whole phase, from parsing the records to the
commit of the last batch. Events' webhook fan-out is queued after each commit
(integrations.events) on the benchmark's Redis database, and purged at the end.

It uses `config.settings.dev` with `DATABASE_URL` defaulting to
`postgres://postgres@127.0.0.1:5432/parley_docket_bench`, dropped and created again at every
run (the name must contain `bench`), and `REDIS_URL` `redis://127.0.0.1:6379/9`.
Results: `bench/results/docket_import-<hearings>.md`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import results_dir

RESULTS = results_dir()
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/parley_docket_bench"
BATCH = 1000
SLOTS_PER_DAY = 16  # 09:00 to 17:00, half an hour each
FIRST_DAY = dt.date(2027, 1, 4)


def _log(message: str) -> None:
    print(message, flush=True)


def _setup(*, fresh: bool = True) -> None:
    from bench import django_setup

    django_setup(database_url=DEFAULT_DATABASE_URL, fresh=fresh)


def _world(rooms: int) -> tuple[Any, Any]:
    """A court, its clerk (court staff, a member of the court) and its courtrooms."""
    from django.contrib.auth.models import User

    from cases import services as case_services
    from cases.models import Jurisdiction
    from deadlines.models import Courtroom
    from parties import services as party_services
    from parties.models import Role

    court = case_services.court_create(
        name="Bench District Court",
        jurisdiction=Jurisdiction.objects.get(code="us-fed"),
        time_zone="America/New_York",
    )
    clerk = User.objects.create_user("bench.clerk", first_name="Bench", last_name="Clerk")
    party_services.profile_set(user=clerk, role_kind=Role.COURT_STAFF)
    case_services.court_member_add(court=court, user=clerk)
    Courtroom.objects.bulk_create(
        Courtroom(court=court, name=f"Courtroom {n + 1}") for n in range(rooms)
    )
    return court, User.objects.select_related("profile").get(pk=clerk.pk)


def _case_records(cases: int) -> list[dict[str, Any]]:
    return [
        {
            "type": "case",
            "external_id": f"CR-{n:07d}",
            "docket_number": f"1:26-cr-{n:07d}",
            "caption": f"United States v. Defendant {n}",
        }
        for n in range(cases)
    ]


def _hearing_records(hearings: int, per_case: int, rooms: int, shift: int = 0) -> list[Any]:
    records = []
    for n in range(hearings):
        room, slot = n % rooms, n // rooms
        day = FIRST_DAY + dt.timedelta(days=slot // SLOTS_PER_DAY + shift)
        minutes = 9 * 60 + (slot % SLOTS_PER_DAY) * 30
        starts = f"{day.isoformat()}T{minutes // 60:02d}:{minutes % 60:02d}"
        ends_minutes = minutes + 30
        records.append(
            {
                "type": "hearing",
                "external_id": f"H-{n:08d}",
                "case_external_id": f"CR-{n // per_case:07d}",
                "kind": "status_conference",
                "starts_at": starts,
                "ends_at": f"{day.isoformat()}T{ends_minutes // 60:02d}:{ends_minutes % 60:02d}",
                "courtroom": f"Courtroom {room + 1}",
            }
        )
    return records


def _import(
    court: Any, clerk: Any, records: list[Any], label: str, expect: str
) -> tuple[float, list[float], list[float]]:
    """Import `records` in batches; (records per second, seconds per batch, seconds of this
    process's CPU per batch: the Python side, which other load on the machine slows less than
    it slows the wall clock)."""
    from docketsync.services import docket_upsert

    per_batch: list[float] = []
    cpu: list[float] = []
    started = time.perf_counter()
    for start in range(0, len(records), BATCH):
        began, began_cpu = time.perf_counter(), time.process_time()
        results = docket_upsert(court=court, by=clerk, records=records[start : start + BATCH])
        per_batch.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
        wrong = [r for r in results if r.result != expect]
        if wrong:
            sys.exit(f"{label}: record {start + wrong[0].index} is {wrong[0].result}: {wrong[0]}")
        done = start + len(results)
        if done % (BATCH * 10) == 0 or done == len(records):
            rate = done / (time.perf_counter() - started)
            _log(f"  {label}: {done:,} / {len(records):,} ({rate:,.0f} records/s)")
    return len(records) / (time.perf_counter() - started), per_batch, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hearings", type=int, default=100_000)
    parser.add_argument("--per-case", type=int, default=10)
    parser.add_argument("--rooms", type=int, default=0, help="Default: about 125 days' worth.")
    parser.add_argument(
        "--reuse-database",
        action="store_true",
        help="Import into the database as it is, migrated and empty (the test suite's copy), "
        "instead of dropping and creating it.",
    )
    args = parser.parse_args()
    rooms = args.rooms or max(1, -(-args.hearings // (SLOTS_PER_DAY * 125)))
    cases = -(-args.hearings // args.per_case)
    dry_size = min(BATCH, args.hearings)
    _log(f"setting up a fresh database ({os.environ.get('DATABASE_URL', DEFAULT_DATABASE_URL)})")
    _setup(fresh=not args.reuse_database)
    from django.db import connection

    from audit.context import AuditContext, acting
    from audit.models import AuditEvent
    from config.celery import app as celery_app
    from deadlines.models import Hearing
    from docketsync.services import docket_upsert
    from integrations.models import Event

    court, clerk = _world(rooms)
    _log(f"{cases:,} cases, {args.hearings:,} hearings in {rooms} courtrooms, batches of {BATCH}")
    load_before = os.getloadavg()[0]
    figures: dict[str, tuple[float, list[float], list[float]]] = {}
    with acting(AuditContext(via="command", request_id="bench.docket_import", actor=lambda: clerk)):
        figures["cases, created"] = _import(court, clerk, _case_records(cases), "cases", "created")
        hearings = _hearing_records(args.hearings, args.per_case, rooms)
        audit_before = AuditEvent.objects.count()
        figures["hearings, created"] = _import(court, clerk, hearings, "hearings", "created")
        audit_rows = AuditEvent.objects.count() - audit_before
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        audit_before = AuditEvent.objects.count()
        figures["hearings, re-import (unchanged)"] = _import(
            court, clerk, hearings, "re-import", "unchanged"
        )
        assert AuditEvent.objects.count() == audit_before, "an unchanged import wrote"
        # Moved past the last day in use, so that no move clashes with a hearing not yet moved.
        shift = args.hearings // (rooms * SLOTS_PER_DAY) + 2
        # One batch, or every hearing when there are fewer (a tiny run).
        moved = _hearing_records(dry_size, args.per_case, rooms, shift=shift)
        moved = [{**r, "reason": "Court closed for the week."} for r in moved[:dry_size]]
        began = time.perf_counter()
        results = docket_upsert(court=court, by=clerk, records=moved, dry_run=True)
        dry = time.perf_counter() - began
        assert {r.result for r in results} <= {"updated", "error"}, {r.result for r in results}
        dry_errors = sum(r.result == "error" for r in results)
    hearing_count = Hearing.objects.filter(case__court=court).count()
    event_count = Event.objects.filter(court=court).count()
    purged = celery_app.control.purge()
    _log(f"(d) dry run of {dry_size:,} rescheduled hearings: {dry_size / dry:,.0f} records/s")

    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"docket_import-{args.hearings}.md"
    lines = [
        f"# docket import, {args.hearings:,} hearings ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)",
        "",
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"load {load_before:.1f} at the start and {os.getloadavg()[0]:.1f} at the end (other "
        "processes share the cores: read the wall clock with it); PostgreSQL on the same "
        "machine. "
        f"{cases:,} cases, {args.per_case} hearings each, in {rooms} courtrooms; batches of "
        f"{BATCH:,} records through `docketsync.services.docket_upsert`, each batch one "
        "transaction.",
        "",
        "| phase | records | records/s | median s per batch | slowest batch s "
        "| median Python CPU s per batch |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, (rate, per_batch, cpu) in figures.items():
        count = cases if name.startswith("cases") else args.hearings
        lines.append(
            f"| {name} | {count:,} | {rate:,.0f} | {statistics.median(per_batch):.3f} | "
            f"{max(per_batch):.3f} | {statistics.median(cpu):.3f} |"
        )
    lines += [
        f"| dry run, {dry_size:,} hearings rescheduled | {dry_size:,} | {dry_size / dry:,.0f} | "
        f"{dry:.2f} | | |",
        "",
        f"Written for the hearings: {hearing_count:,} hearings, {audit_rows:,} audit rows "
        f"({audit_rows / max(args.hearings, 1):.1f} a hearing), {event_count:,} integration "
        f"events in the court in all; the re-import wrote nothing. The dry run had "
        f"{dry_errors} errors; "
        f"{purged or 0:,} fan-out messages purged from the broker afterwards.",
        "",
    ]
    out.write_text("\n".join(lines))
    _log("\n".join(lines))
    _log(f"written to {out.relative_to(Path.cwd()) if out.is_relative_to(Path.cwd()) else out}")


if __name__ == "__main__":
    main()
