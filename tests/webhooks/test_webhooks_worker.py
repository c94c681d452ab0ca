"""End to end through a real Celery worker: a service commits a change, its event is fanned out
after the commit, the worker posts to a local receiver that fails once, retries it, and the
message verifies with the `standardwebhooks` package. And when the broker loses the fan-out
message, the sweep (sent as beat sends it) still gets the event through."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook

from cases import services as case_services
from config.celery import app
from parties.models import Role
from tests.celery_helpers import Workers, wait_for
from tests.conftest import World
from tests.integration_helpers import court_client
from tests.webhook_helpers import Receiver, endpoint_for, serve
from webhooks import services
from webhooks.models import Delivery, DeliveryStatus

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(tmp_path: Path) -> Iterator[Workers]:
    from django.conf import settings

    workers = Workers(
        name="webhooks",
        broker=settings.CELERY_BROKER_URL,
        logs=tmp_path,
        env={
            "WEBHOOK_ALLOW_PRIVATE_DESTINATIONS": "1",
            "WEBHOOK_CLAIM_LEASE": "2",
            "SITE_URL": "https://parley.example",
        },
    )
    try:
        yield workers
    finally:
        workers.stop_all()


@pytest.fixture
def local(settings: Any) -> Iterator[Receiver]:
    settings.WEBHOOK_ALLOW_PRIVATE_DESTINATIONS = True
    yield from serve(Receiver(answers=[500, 200]))


def test_a_committed_change_reaches_the_receiver_through_the_worker_after_one_retry(
    world: World, local: Receiver, worker: Workers
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

    assert wait_for(done, 40), worker.tail()
    delivery = Delivery.objects.get()
    assert (delivery.attempts, delivery.last_status_code) == (2, 200)
    assert [r.headers["webhook-id"] for r in local.received] == [delivery.message_id] * 2
    payload = Webhook(secret).verify(local.received[-1].body, local.received[-1].headers)
    assert payload["type"] == "case.updated"
    assert payload["data"]["link"] == f"https://parley.example/api/v1/cases/{world.case.pk}/"


def test_an_event_whose_fan_out_message_was_lost_is_delivered_by_the_sweep(
    world: World, local: Receiver, worker: Workers
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
        return wait_for(
            lambda: Delivery.objects.filter(status=DeliveryStatus.SUCCEEDED).exists(), 2
        )

    assert wait_for(swept, 40, every=0.5), worker.tail()
    assert len(local.received) == 1
    assert Delivery.objects.count() == 1
