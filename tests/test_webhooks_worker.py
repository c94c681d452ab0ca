"""End to end through a real Celery worker: a service commits a change, its event is fanned out
after the commit, the worker posts to a local receiver that fails once, retries it, and the
message verifies with the `standardwebhooks` package. And when the broker loses the fan-out
message, the sweep (sent as beat sends it) still gets the event through."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook

from cases import services as case_services
from config.celery import app
from parties.models import Role
from tests.conftest import World
from tests.integration_helpers import court_client
from tests.test_alert_worker import ROOT, _database_url, _wait_for
from tests.webhook_helpers import Receiver, endpoint_for, serve
from webhooks import services
from webhooks.models import Delivery, DeliveryStatus

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


class Worker:
    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self) -> subprocess.Popen[bytes]:
        from django.conf import settings

        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": _database_url(),
            "DB_CONN_MAX_AGE": "0",
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "WEBHOOK_ALLOW_PRIVATE_DESTINATIONS": "1",
            "WEBHOOK_CLAIM_LEASE": "2",
            "SITE_URL": "https://parley.example",
        }
        number = len(self.processes) + 1
        log = (self.logs / f"webhook-worker-{number}.log").open("wb")
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"webhooks-{number}-{os.getpid()}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        return process

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)

    def tail(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-3000:] for p in self.logs.glob("*.log"))


@pytest.fixture
def worker(tmp_path: Path) -> Iterator[Worker]:
    workers = Worker(tmp_path)
    try:
        yield workers
    finally:
        workers.stop_all()


@pytest.fixture
def local(settings: Any) -> Iterator[Receiver]:
    settings.WEBHOOK_ALLOW_PRIVATE_DESTINATIONS = True
    yield from serve(Receiver(answers=[500, 200]))


def test_a_committed_change_reaches_the_receiver_through_the_worker_after_one_retry(
    world: World, local: Receiver, worker: Worker
) -> None:
    client, _key = court_client(world)
    _endpoint, secret = endpoint_for(client, local.url, types=["case.updated"])
    app.control.purge()  # what the world's setup queued is not this test's business
    worker.start()

    case_services.case_update(
        case=world.case, by=world.user(Role.COURT_STAFF), caption="United States v. Doe II"
    )

    def done() -> bool:
        return Delivery.objects.filter(status=DeliveryStatus.SUCCEEDED).exists()

    assert _wait_for(done, 40), worker.tail()
    delivery = Delivery.objects.get()
    assert (delivery.attempts, delivery.last_status_code) == (2, 200)
    assert [r.headers["webhook-id"] for r in local.received] == [delivery.message_id] * 2
    payload = Webhook(secret).verify(local.received[-1].body, local.received[-1].headers)
    assert payload["type"] == "case.updated"
    assert payload["data"]["link"] == f"https://parley.example/api/v1/cases/{world.case.pk}/"


def test_an_event_whose_fan_out_message_was_lost_is_delivered_by_the_sweep(
    world: World, local: Receiver, worker: Worker
) -> None:
    local.answers[:] = [200]
    client, _key = court_client(world)
    endpoint_for(client, local.url, types=["case.updated"])
    services.events_fan_out_missed()  # the sweep's cursor starts at the end of the log
    case_services.case_update(case=world.case, by=world.user(Role.COURT_STAFF), caption="X v. Y")
    # The broker loses the fan-out message (Redis restarted without persistence, say).
    app.control.purge()
    worker.start()

    def swept() -> bool:
        app.send_task("webhooks.deliveries_due")  # as beat sends it
        return _wait_for(
            lambda: Delivery.objects.filter(status=DeliveryStatus.SUCCEEDED).exists(), 2
        )

    assert _wait_for(swept, 40, every=0.5), worker.tail()
    assert len(local.received) == 1
    assert Delivery.objects.count() == 1
