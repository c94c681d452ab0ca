"""Benchmark the alert sweep: `python -m bench.alerts_sweep` (1,000,000 deadlines, 5,000,000
pending alerts); `--scale 0.02` for a quick run.

Seeds (once per size) a dedicated database in set-based SQL: 5 courts, cases (one per ten
deadlines), users with e-mail addresses, open deadlines over the coming year, and pending
reminder alerts, five per deadline (7 days, 2 days, 1 day, 2 hours, 1 hour before), almost all
in the future and `--due` of them already due. Then measures

(a) claiming one batch (`deadlines.alerts.claim_batch`, the sweep's single conditional UPDATE
    … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)): each run in a transaction rolled back, so
    every run sees the same due rows; with EXPLAIN (ANALYZE, BUFFERS) of the statement, which
    must read the partial indexes `alert_pending_due` / `alert_claimed_at`, not the table;
(b) delivery through `deadlines.alerts.sweep()`: the due alerts (half in-app, half e-mail to
    the locmem backend) claimed and delivered batch by batch, alerts per second; afterwards the
    delivered alerts are put back to pending so that the next run measures the same thing.

It uses `config.settings.dev` with `DATABASE_URL` defaulting to
`postgres://postgres@127.0.0.1:5432/parley_alerts_bench` (created and migrated if missing; the
name must contain `bench`: the seed truncates what it fills). Results:
`bench/results/alerts_sweep-<alerts>.md` and `…-plans.txt`.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bench import results_dir

RESULTS = results_dir()
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/parley_alerts_bench"
SEED_VERSION = 4
LEADS = (7 * 24 * 60, 2 * 24 * 60, 24 * 60, 120, 60)
COURTS = [
    ("Eastern District", "America/New_York"),
    ("Southern District", "America/Chicago"),
    ("Northern District", "America/Denver"),
    ("Western District", "America/Los_Angeles"),
    ("Central District", "America/Phoenix"),
]
# Emptied and refilled (CASCADE empties notifications, participants, hearings … with them).
TRUNCATED = ["deadlines_alert", "deadlines_deadline", "cases_case", "cases_court", "auth_user"]


class Rollback(Exception):
    pass


@dataclass(frozen=True)
class Shape:
    deadlines: int
    alerts: int
    due: int
    cases: int
    users: int

    @classmethod
    def for_scale(cls, scale: float, due: int) -> Shape:
        deadlines = max(1000, round(1_000_000 * scale))
        return cls(
            deadlines=deadlines,
            alerts=deadlines * len(LEADS),
            due=min(due, deadlines),
            cases=max(100, deadlines // 10),
            users=max(50, round(5000 * scale)),
        )


def _log(message: str) -> None:
    print(message, flush=True)


def seeded(cursor: Any, shape: Shape) -> bool:
    cursor.execute(
        "CREATE TABLE IF NOT EXISTS bench_alerts_seed (name text PRIMARY KEY, alerts bigint, "
        "due bigint, version int, seeded_at timestamptz)"
    )
    cursor.execute("SELECT alerts, due, version FROM bench_alerts_seed WHERE name = 'alerts'")
    row = cursor.fetchone()
    if row != (shape.alerts, shape.due, SEED_VERSION):
        return False
    cursor.execute("SELECT count(*) FROM deadlines_alert")
    return bool(cursor.fetchone()[0] == shape.alerts)


def seed(shape: Shape, *, reseed: bool) -> None:
    from django.contrib.auth.models import Group
    from django.db import connection, transaction

    from cases.models import Court, Jurisdiction
    from cases.profiles import PROFILES

    with connection.cursor() as cursor:
        if not reseed and seeded(cursor, shape):
            _log(f"seed: {shape.alerts:,} alerts already seeded; --reseed to redo")
            return
    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if cursor.fetchone()[0]:
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute("SET LOCAL work_mem = '128MB'")
        cursor.execute(f"TRUNCATE {', '.join(TRUNCATED)} RESTART IDENTITY CASCADE")
        Group.objects.filter(name__startswith="court:").delete()
        jurisdiction, _ = Jurisdiction.objects.get_or_create(
            code="us-fed", defaults=PROFILES["us-fed"]
        )
        for name, zone in COURTS:
            group = Group.objects.create(name=f"court:{name}")
            Court.objects.create(name=name, jurisdiction=jurisdiction, time_zone=zone, group=group)
        step = time.monotonic()
        cursor.execute(
            """
            INSERT INTO auth_user (id, password, is_superuser, username, first_name, last_name,
                                   email, is_staff, is_active, date_joined)
            SELECT g, '!', false, 'user' || g, 'User', g::text, 'user' || g || '@example.org',
                   false, true, now()
              FROM generate_series(1, %s) g
            """,
            [shape.users],
        )
        cursor.execute(
            """
            INSERT INTO cases_case (id, court_id, docket_number, caption, status, opened_on,
                                    sealed, created_at, updated_at)
            SELECT g, (SELECT min(id) FROM cases_court) + g %% 5,
                   '1:26-cr-' || lpad(g::text, 7, '0'),
                   'United States v. Defendant ' || g, 'negotiating', DATE '2026-01-01', false,
                   now(), now()
              FROM generate_series(1, %s) g
            """,
            [shape.cases],
        )
        _log(f"seed: users and cases ({time.monotonic() - step:.1f} s)")
        step = time.monotonic()
        # Deadlines over the coming year from day 8 on (so every reminder is still ahead), last
        # day spread evenly; the first `due` have a time an hour from now or less (like an
        # offer's expiry), so that their 1-hour reminders are due now.
        cursor.execute(
            """
            INSERT INTO deadlines_deadline (id, case_id, kind, title, responsible_side, due_date,
                due_at, citation, explanation, override_reason, status, notes, sequence,
                created_at, updated_at)
            SELECT g, 1 + g %% %(cases)s, 'motion_due', 'Pretrial motions due', '',
                   CASE WHEN g <= %(due)s THEN (t.due_at AT TIME ZONE 'UTC')::date
                        ELSE CURRENT_DATE + 8 + (g %% 365) END,
                   CASE WHEN g <= %(due)s THEN t.due_at END,
                   '', '', '', 'open', '', 0, now(), now()
              FROM generate_series(1, %(deadlines)s) g
             CROSS JOIN LATERAL (
                   SELECT now() + interval '1 hour' - (g %% 600) * interval '1 second' AS due_at
             ) t
            """,
            {"cases": shape.cases, "due": shape.due, "deadlines": shape.deadlines},
        )
        _log(f"seed: {shape.deadlines:,} deadlines ({time.monotonic() - step:.1f} s)")
        step = time.monotonic()
        cursor.execute("DROP INDEX IF EXISTS alert_pending_due, alert_claimed_at")
        cursor.execute("DROP INDEX IF EXISTS alert_deadline, alert_hearing")
        cursor.execute("ALTER TABLE deadlines_alert DROP CONSTRAINT alert_key_unique")
        # Five reminders per deadline: k = 0..4 picks the lead time (for the due deadlines,
        # due within the hour, only the 1-hour reminder is due: the others are 30-45 minutes);
        # the channel follows the deadline. The target is the deadline's moment
        # (deadlines.selectors.deadline_moment): its time, or midnight at the end of its last
        # day in the court's zone.
        cursor.execute(
            """
            INSERT INTO deadlines_alert (recipient_id, channel, subject, case_id, deadline_id,
                target_at, lead_minutes, send_at, status, attempts, last_error, created_at)
            SELECT 1 + (d.id * 5 + k) %% %(users)s,
                   CASE WHEN d.id %% 2 = 0 THEN 'in_app' ELSE 'email' END,
                   'reminder', d.case_id, d.id,
                   t.target, l.lead, t.target - make_interval(mins => l.lead),
                   'pending', 0, '', now()
              FROM deadlines_deadline d
              JOIN cases_case c ON c.id = d.case_id
              JOIN cases_court ct ON ct.id = c.court_id
             CROSS JOIN generate_series(0, 4) k
             CROSS JOIN LATERAL (
                  SELECT CASE WHEN d.due_at IS NOT NULL AND k < 4 THEN 30 + 5 * k
                              ELSE (%(leads)s::int[])[k + 1] END AS lead
             ) l
             CROSS JOIN LATERAL (
                  SELECT coalesce(d.due_at,
                                  (d.due_date + 1)::timestamp AT TIME ZONE ct.time_zone) AS target
             ) t
            """,
            {"users": shape.users, "leads": list(LEADS)},
        )
        _log(f"seed: {shape.alerts:,} alerts ({time.monotonic() - step:.1f} s)")
        step = time.monotonic()
        cursor.execute(
            "ALTER TABLE deadlines_alert ADD CONSTRAINT alert_key_unique UNIQUE NULLS NOT "
            "DISTINCT (subject, deadline_id, hearing_id, target_at, recipient_id, lead_minutes, "
            "channel)"
        )
        # As deadlines/migrations/0009_alert_sending.py makes them.
        cursor.execute(
            "CREATE INDEX alert_pending_due ON deadlines_alert (channel, send_at) "
            "WHERE status = 'pending'"
        )
        cursor.execute(
            "CREATE INDEX alert_claimed_at ON deadlines_alert (channel, claimed_at) "
            "WHERE status IN ('claimed', 'sending')"
        )
        cursor.execute("CREATE INDEX alert_deadline ON deadlines_alert (deadline_id)")
        cursor.execute("CREATE INDEX alert_hearing ON deadlines_alert (hearing_id)")
        _log(f"seed: indexes ({time.monotonic() - step:.1f} s)")
        for table in ("auth_user", "cases_case", "deadlines_deadline", "deadlines_alert"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )
        cursor.execute(
            "INSERT INTO bench_alerts_seed VALUES ('alerts', %s, %s, %s, now()) "
            "ON CONFLICT (name) DO UPDATE SET alerts = EXCLUDED.alerts, due = EXCLUDED.due, "
            "version = EXCLUDED.version, seeded_at = EXCLUDED.seeded_at",
            [shape.alerts, shape.due, SEED_VERSION],
        )
    step = time.monotonic()
    with connection.cursor() as cursor:
        for table in ("deadlines_alert", "deadlines_deadline", "cases_case", "auth_user"):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    _log(f"seed: vacuum analyze ({time.monotonic() - step:.1f} s)")
    _log(f"seed: done in {time.monotonic() - started:.0f} s")


def _due_now(now: datetime) -> int:
    from deadlines.models import Alert

    return Alert.objects.filter(status="pending", send_at__lte=now).count()


def measure_claim(batch: int, repeat: int) -> tuple[list[float], str, int]:
    """Time claim_batch in rolled-back transactions; EXPLAIN ANALYZE the statement once."""
    import uuid

    from django.db import connection, transaction
    from django.utils import timezone

    from deadlines import alerts
    from deadlines.alerts import claims
    from deadlines.models import AlertChannel

    timings: list[float] = []
    claimed = 0
    for _ in range(repeat):
        try:
            with transaction.atomic():
                started = time.perf_counter()
                ids = alerts.claim_batch(now=timezone.now(), batch=batch)
                timings.append((time.perf_counter() - started) * 1000)
                claimed = len(ids)
                raise Rollback
        except Rollback:
            pass
    now = timezone.now()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                # The statement claim_batch runs: one pair of index reads per channel.
                "EXPLAIN (ANALYZE, BUFFERS) " + claims._claim_sql(AlertChannel.values),
                claims._claim_params(
                    token=uuid.uuid4(), now=now, batch=batch, channels=AlertChannel.values
                ),
            )
            plan = "\n".join(row[0] for row in cursor.fetchall())
            raise Rollback
    except Rollback:
        pass
    return timings, plan, claimed


def measure_delivery(batch: int) -> dict[str, Any]:
    """Deliver every due alert through sweep(); then put them back to pending."""
    from django.conf import settings
    from django.core import mail
    from django.db import connection
    from django.utils import timezone

    from deadlines import alerts
    from deadlines.models import Alert, Notification

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    started_at = timezone.now()
    due = _due_now(started_at)
    started = time.perf_counter()
    result = alerts.sweep(batch=batch, budget_seconds=3600)
    elapsed = time.perf_counter() - started
    emails = len(mail.outbox)
    mail.outbox = []
    notifications = Notification.objects.filter(alert__isnull=False).count()
    # Back to how the seed left them, for the next run.
    touched = Alert.objects.exclude(status="pending")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM deadlines_notification")
    restored = touched.update(
        status="pending", sent_at=None, claim_token=None, claimed_at=None, attempts=0
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) deadlines_alert")
    return {
        "due": due,
        "claimed": result.claimed,
        "sent": result.sent,
        "lapsed": result.lapsed,
        "cancelled": result.cancelled,
        "batches": result.batches,
        "seconds": elapsed,
        "per_second": result.sent / elapsed if elapsed else 0.0,
        "emails": emails,
        "notifications": notifications,
        "restored": restored,
    }


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 1M deadlines, 5M alerts")
    parser.add_argument("--due", type=int, default=5000, help="alerts already due")
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=20, help="timed claims")
    parser.add_argument("--deliveries", type=int, default=2, help="timed delivery runs")
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args(argv)

    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    from bench import django_setup

    database = django_setup()
    shape = Shape.for_scale(args.scale, args.due)
    seed(shape, reseed=args.reseed)

    from django.db import connection
    from django.utils import timezone

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('deadlines_alert'))")
        table_size = cursor.fetchone()[0]
        cursor.execute("SELECT pg_size_pretty(pg_relation_size('alert_pending_due'))")
        index_size = cursor.fetchone()[0]
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    due = _due_now(timezone.now())
    _log(f"database {database}: {shape.alerts:,} alerts ({table_size}), {due:,} due")

    timings, plan, claimed = measure_claim(args.batch, args.repeat)
    uses_index = "alert_pending_due" in plan
    _log(
        f"(a) claim {claimed} of {due:,} due: median {statistics.median(timings):.2f} ms, "
        f"p90 {_percentile(timings, 0.9):.2f} ms; partial index used: {uses_index}"
    )
    runs = []
    for run in range(args.deliveries):
        measured = measure_delivery(args.batch)
        runs.append(measured)
        if measured["sent"] != measured["due"]:
            _log(f"WARNING: {measured['due']:,} due but {measured['sent']:,} sent: {measured}")
        _log(
            f"(b) run {run + 1}: {measured['sent']:,} delivered in {measured['seconds']:.1f} s "
            f"= {measured['per_second']:.0f}/s ({measured['notifications']:,} in-app, "
            f"{measured['emails']:,} e-mail, {measured['batches']} batches)"
        )

    RESULTS.mkdir(exist_ok=True)
    stem = RESULTS / f"alerts_sweep-{shape.alerts}"
    lines = [
        f"# Alert sweep, {shape.alerts:,} pending alerts",
        "",
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}, PostgreSQL {server}, "
        f"Python {sys.version.split()[0]}, {os.cpu_count()} cores, load "
        f"{os.getloadavg()[0]:.1f}",
        "",
        f"Seed: {shape.deadlines:,} open deadlines on {shape.cases:,} cases, "
        f"{shape.users:,} users, {shape.alerts:,} pending reminders (table {table_size}, "
        f"`alert_pending_due` {index_size}), {due:,} due.",
        "",
        "| measure | value |",
        "|---|---:|",
        f"| (a) claim a batch of {claimed} (median of {len(timings)}) | "
        f"{statistics.median(timings):.2f} ms |",
        f"| (a) p90 | {_percentile(timings, 0.9):.2f} ms |",
        f"| (a) plan reads `alert_pending_due` | {'yes' if uses_index else 'NO'} |",
    ]
    for number, measured in enumerate(runs, 1):
        lines.append(
            f"| (b) run {number}: {measured['sent']:,} delivered "
            f"({measured['notifications']:,} in-app, {measured['emails']:,} e-mail) | "
            f"{measured['seconds']:.1f} s, {measured['per_second']:.0f} alerts/s |"
        )
    stem.with_suffix(".md").write_text("\n".join(lines) + "\n")
    stem.with_name(stem.name + "-plans.txt").write_text(plan + "\n")
    _log("\n".join(lines))
    _log(f"wrote {stem}.md and {stem.name}-plans.txt")


if __name__ == "__main__":
    main()
