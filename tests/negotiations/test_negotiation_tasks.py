"""The offer-expiry sweep, run by a real Celery worker through Redis as in production."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.utils import timezone

from config.celery import app
from negotiations.models import Offer, OfferStatus
from negotiations.tasks import expire_offers
from tests.conftest import World
from tests.negotiation_helpers import sent_offer


def _wait_for(predicate: Any, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)  # polls what a real worker writes
    return False


def test_beat_runs_the_sweep_every_minute() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["expire-offers"]
    assert entry == {"task": "negotiations.expire_offers", "schedule": 60.0}
    assert entry["task"] in app.tasks


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_a_worker_expires_due_offers_once(world: World) -> None:
    due = sent_offer(world)
    Offer.objects.filter(pk=due.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=5))

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        expire_offers.delay()
        assert _wait_for(lambda: Offer.objects.get(pk=due.pk).status == OfferStatus.EXPIRED), (
            "the worker did not expire the offer"
        )
        expired = Offer.objects.get(pk=due.pk)
        # The next offer is not due: a second, duplicated run leaves it live and records the
        # first expiry once.
        live = sent_offer(world)
        expire_offers.delay()
        expire_offers.delay()
        # The worker is a real consumer with no result backend to wait on: give it the time to
        # take both duplicates before the state is read.
        time.sleep(1.5)
    assert Offer.objects.get(pk=live.pk).status == OfferStatus.SENT
    again = Offer.objects.get(pk=due.pk)
    assert again.status == OfferStatus.EXPIRED
    assert again.closed_at == expired.closed_at == expired.expires_at
    assert again.updated_at == expired.updated_at
