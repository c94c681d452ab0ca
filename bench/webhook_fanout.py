"""Benchmark webhook fan-out and delivery: `python -m bench.webhook_fanout` (50 endpoints of
5 clients, 1,000 events); `--events 200` for a quick run.

Seeds a dedicated database with one court, one case, `--clients` court clients (service
accounts in the court's group) with `--endpoints` endpoints between them, all subscribed to
every event type and pointing at a fast local receiver (a separate process on 127.0.0.1
answering 204; WEBHOOK_ALLOW_PRIVATE_DESTINATIONS is set for the run). Then measures

(a) fan-out: `webhooks.services.event_fan_out` for each of `--events` fresh case.updated
    events, as the `fan_out_events` task runs it: the subscribed endpoints, the visibility check per
    client, the Delivery rows (one INSERT … ON CONFLICT DO NOTHING), the claim, and the
    `deliver` messages published to Redis after the commit. Per event (ms) and Delivery rows/s;
(b) delivery end to end: `webhooks.services.delivery_send` on `--deliver` (6,000) of them, as
    the `deliver` task runs it (load, signing, the HTTP POST, the attempt and the outcome
    recorded): a third as retries are sent (the client's visibility checked again), a third as
    first attempts right after fan-out (trusting fan-out's check), sequentially, and a third of
    those with `--threads` threads; deliveries/s.
(c) the sweep with nothing due (`deliveries_dispatch_due`) on the table (a) and (b) left, the
    deliveries (b) did not send waiting for a retry an hour ahead.

It uses `config.settings.dev` with `DATABASE_URL` defaulting to
`postgres://postgres@127.0.0.1:5432/parley_webhooks_bench` (created and migrated if missing;
the name must contain `bench`, its webhook and event tables are emptied) and `REDIS_URL`
`redis://127.0.0.1:6379/12` (the queue is purged after the run). Results:
`bench/results/webhook_fanout.md`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import platform
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from bench import results_dir

RESULTS = results_dir()
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/parley_webhooks_bench"


def _log(message: str) -> None:
    print(message, flush=True)


class _Fast(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", "0")))
        self.send_response(204)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _receive(port: Any) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Fast)
    port.value = server.server_address[1]
    server.serve_forever()


def _setup() -> None:
    os.environ["WEBHOOK_ALLOW_PRIVATE_DESTINATIONS"] = "1"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    from bench import django_setup

    django_setup(database_url=DEFAULT_DATABASE_URL, redis_url="redis://127.0.0.1:6379/12")


def _seed(clients: int, endpoints: int, url: str) -> Any:
    """The court, its case and the subscribed endpoints; returns the case."""
    from django.contrib.auth.models import User
    from django.db import connection

    from cases import services as case_services
    from cases.models import Case, Court, Jurisdiction
    from integrations import services as client_services
    from integrations.models import EventType
    from parties.models import Role
    from parties.services import profile_set
    from webhooks import services

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE webhooks_deliveryattempt, webhooks_delivery, webhooks_webhooksecret, "
            "webhooks_webhookendpoint, webhooks_fanoutcursor, integrations_event, "
            "integrations_apitoken, integrations_apiclient RESTART IDENTITY CASCADE"
        )
    court = Court.objects.filter(name="Bench webhooks court").first()
    if court is None:
        court = case_services.court_create(
            name="Bench webhooks court",
            jurisdiction=Jurisdiction.objects.get(code="us-fed"),
            time_zone="America/New_York",
        )
    clerk, _ = User.objects.get_or_create(username="bench-webhooks-clerk")
    profile_set(user=clerk, role_kind=Role.COURT_STAFF, organization=None)
    case_services.court_member_add(court=court, user=clerk)
    case = Case.objects.filter(court=court).first() or case_services.case_open(
        court=court, docket_number="WH-1", caption="Bench v. Webhooks", by=clerk
    )
    made = [
        client_services.api_client_create(
            court=court, name=f"Bench client {n}", owner=clerk, by=clerk
        )
        for n in range(clients)
    ]
    for n in range(endpoints):
        services.endpoint_create(
            client=made[n % clients],
            by=clerk,
            url=f"{url}/{n}",
            event_types=list(EventType.values),
        )
    return case, clerk


def _events(case: Any, count: int) -> list[int]:
    from django.utils import timezone

    from integrations.models import Event, EventAudience, EventType

    made = Event.objects.bulk_create(
        Event(
            type=EventType.CASE_UPDATED,
            court_id=case.court_id,
            case=case,
            subject_type="case",
            subject_id=case.pk,
            audience=EventAudience.CASE,
            occurred_at=timezone.now(),
        )
        for _ in range(count)
    )
    return [event.pk for event in made]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=5)
    parser.add_argument("--endpoints", type=int, default=50)
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--deliver", type=int, default=6000, help="How many of the deliveries (b) sends."
    )
    args = parser.parse_args()

    port = multiprocessing.Value("i", 0)
    receiver = multiprocessing.Process(target=_receive, args=(port,), daemon=True)
    receiver.start()
    while not port.value:
        time.sleep(0.01)
    url = f"http://127.0.0.1:{port.value}/hook"
    _setup()
    from django.db import connection, connections
    from django.utils import timezone

    from config.celery import app
    from webhooks import services
    from webhooks.models import Delivery, DeliveryStatus

    try:
        app.control.purge()
        case, _clerk = _seed(args.clients, args.endpoints, url)
        event_ids = _events(case, args.events)
        _log(f"seeded {args.endpoints} endpoints of {args.clients} clients, {args.events} events")

        # (a) fan-out
        per_event = []
        started = time.perf_counter()
        for event_id in event_ids:
            t0 = time.perf_counter()
            services.event_fan_out(event_id)
            per_event.append((time.perf_counter() - t0) * 1000)
        fan_out_s = time.perf_counter() - started
        rows = Delivery.objects.count()
        assert rows == args.events * args.endpoints, rows
        _log(
            f"(a) fan-out: {rows:,} deliveries in {fan_out_s:.1f} s: median "
            f"{statistics.median(per_event):.1f} ms per event, p95 "
            f"{statistics.quantiles(per_event, n=20)[18]:.1f} ms, {rows / fan_out_s:,.0f} rows/s"
        )
        app.control.purge()  # the deliver messages: this run sends them itself

        # (b) delivery, sequential then threaded
        claims = list(
            Delivery.objects.order_by("id").values_list("id", "claim_token")[: args.deliver]
        )
        third = len(claims) // 3
        # As a retry (or a first attempt that waited over a minute): the visibility check runs.
        started = time.perf_counter()
        for delivery_id, token in claims[:third]:
            services.delivery_send(delivery_id, str(token))
        checked = third / (time.perf_counter() - started)
        _log(f"(b) deliver, re-checking visibility: {third:,} at {checked:,.0f} deliveries/s")
        # As the first attempt right after fan-out (what most deliveries are).
        Delivery.objects.filter(pk__in=[pk for pk, _ in claims[third : 2 * third]]).update(
            created_at=timezone.now()
        )
        half = 2 * third - third
        started = time.perf_counter()
        for delivery_id, token in claims[third : 2 * third]:
            services.delivery_send(delivery_id, str(token))
        sequential = half / (time.perf_counter() - started)
        _log(f"(b) deliver, first attempts, 1 thread: {half:,} at {sequential:,.0f} deliveries/s")

        def send(batch: list[tuple[int, Any]]) -> None:
            try:
                for delivery_id, token in batch:
                    services.delivery_send(delivery_id, str(token))
            finally:
                connections.close_all()

        rest = claims[2 * third :]
        Delivery.objects.filter(pk__in=[pk for pk, _ in rest]).update(created_at=timezone.now())
        batches = [rest[n :: args.threads] for n in range(args.threads)]
        started = time.perf_counter()
        with ThreadPoolExecutor(args.threads) as pool:
            list(pool.map(send, batches))
        threaded = len(rest) / (time.perf_counter() - started)
        _log(
            f"(b) deliver, first attempts, {args.threads} threads: {len(rest):,} at "
            f"{threaded:,.0f} deliveries/s"
        )
        succeeded = Delivery.objects.filter(status=DeliveryStatus.SUCCEEDED).count()
        assert succeeded == len(claims), (succeeded, len(claims))

        # (c) the sweep with nothing due: the deliveries (b) did not send wait for a retry an
        # hour ahead (the steady state of a receiver that is down), the table vacuumed.
        Delivery.objects.filter(status=DeliveryStatus.PENDING).update(
            next_attempt_at=timezone.now() + dt.timedelta(hours=1), claim_token=None
        )
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE webhooks_delivery")
        sweeps = []
        for _ in range(10):
            t0 = time.perf_counter()
            assert services.deliveries_dispatch_due() == 0
            sweeps.append((time.perf_counter() - t0) * 1000)
        sweep = statistics.median(sweeps)
        with connection.cursor() as cursor:
            cursor.execute(
                "EXPLAIN (ANALYZE) SELECT id FROM webhooks_delivery WHERE status = 'pending' "
                "AND next_attempt_at <= now() ORDER BY next_attempt_at LIMIT 1000"
            )
            plan = "\n".join(row[0] for row in cursor.fetchall())
        _log(f"(c) sweep with nothing due over {rows:,} deliveries: median {sweep:.2f} ms")
    finally:
        app.control.purge()
        receiver.kill()

    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "webhook_fanout.md"
    lines = [
        f"# webhook fan-out ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)",
        "",
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, load "
        f"{os.getloadavg()[0]:.1f}; {args.endpoints} endpoints of {args.clients} court clients, "
        f"{args.events:,} events, receiver on 127.0.0.1 answering 204.",
        "",
        "| | |",
        "|---|---|",
        f"| (a) fan-out per event, median | {statistics.median(per_event):.1f} ms |",
        f"| (a) fan-out per event, p95 | {statistics.quantiles(per_event, n=20)[18]:.1f} ms |",
        f"| (a) Delivery rows made (and queued) | {rows / fan_out_s:,.0f} /s |",
        f"| (b) deliveries, re-checking visibility, 1 thread ({third:,}) | {checked:,.0f} /s |",
        f"| (b) deliveries, first attempts, 1 thread ({half:,}) | {sequential:,.0f} /s |",
        f"| (b) deliveries, first attempts, {args.threads} threads ({len(rest):,}) "
        f"| {threaded:,.0f} /s |",
        f"| (c) sweep, nothing due, {rows:,} deliveries | {sweep:.2f} ms |",
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
