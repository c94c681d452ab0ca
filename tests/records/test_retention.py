"""Retention of the integration logs: finished webhook deliveries after
WEBHOOK_DELIVERY_RETENTION_DAYS, events after EVENT_RETENTION_DAYS; a change-feed cursor older
than what was pruned gets 410 rather than silently skipping what is gone."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from cases import services as case_services
from integrations import services as client_services
from integrations.models import Event, EventLogPruned, EventType
from integrations.selectors import FeedCursor
from parties.models import Role
from tests.conftest import World, api_as
from tests.integration_helpers import bearer, court_client
from tests.webhook_helpers import endpoint_for
from webhooks import services, tasks
from webhooks.models import Delivery, DeliveryAttempt, DeliveryStatus

NOW = timezone.now()
_CAPTIONS = itertools.count()


def _updates(world: World, count: int) -> list[Event]:
    clerk = world.user(Role.COURT_STAFF)
    for _ in range(count):
        caption = f"United States v. Doe {next(_CAPTIONS)}"
        case_services.case_update(case=world.case, by=clerk, caption=caption)
    return list(Event.objects.filter(type=EventType.CASE_UPDATED).order_by("txid", "id"))


def _age(objects: Any, days: int, field: str = "occurred_at") -> None:
    objects.update(**{field: NOW - dt.timedelta(days=days)})


# --- events ----------------------------------------------------------------------------------


def test_old_events_are_deleted_and_the_rest_kept(world: World) -> None:
    old, recent = _updates(world, 2)
    _age(Event.objects.filter(pk=old.pk), 91)
    _age(Event.objects.filter(pk=recent.pk), 89)
    assert client_services.events_prune(now=NOW) >= 1
    assert not Event.objects.filter(pk=old.pk).exists()
    assert Event.objects.filter(pk=recent.pk).exists()
    mark = EventLogPruned.objects.get()
    assert (mark.txid, mark.event_id) >= (old.txid, old.pk)
    assert (mark.txid, mark.event_id) < (recent.txid, recent.pk)
    # Nothing more to do: a second run deletes nothing and keeps the mark.
    assert client_services.events_prune(now=NOW) == 0
    assert EventLogPruned.objects.get().event_id == mark.event_id


def test_pruning_goes_in_batches(world: World) -> None:
    _updates(world, 5)
    _age(Event.objects.all(), 100)
    last = Event.objects.order_by("-txid", "-id").values_list("txid", "id")[0]
    total = Event.objects.count()
    assert total > 5
    assert client_services.events_prune(now=NOW, batch=2) == total
    assert not Event.objects.exists()
    mark = EventLogPruned.objects.get()
    assert (mark.txid, mark.event_id) == last


def test_the_retention_is_a_setting(world: World, settings: Any) -> None:
    settings.EVENT_RETENTION_DAYS = 7
    (event,) = _updates(world, 1)
    _age(Event.objects.filter(pk=event.pk), 8)
    client_services.events_prune(now=NOW)
    assert not Event.objects.filter(pk=event.pk).exists()


def test_an_event_still_being_delivered_is_kept(world: World, settings: Any) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_DESTINATIONS = True
    client, _key = court_client(world)
    endpoint_for(client, "http://127.0.0.1:9/hook")
    (event,) = _updates(world, 1)
    services.event_fan_out(event.pk)
    delivery = Delivery.objects.get(event=event)
    assert delivery.status == DeliveryStatus.PENDING
    _age(Event.objects.filter(pk=event.pk), 200)
    assert client_services.events_prune(now=NOW) == 0
    assert Event.objects.filter(pk=event.pk).exists()
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.FAILED, completed_at=NOW, next_attempt_at=None, claim_token=None
    )
    client_services.events_prune(now=NOW)
    assert not Event.objects.filter(pk=event.pk).exists()
    assert not Delivery.objects.filter(pk=delivery.pk).exists()


# --- the feed after pruning ------------------------------------------------------------------


def _feed(api: Any, after: str | None = None) -> Any:
    return api.get("/api/v1/events/", {"after": after} if after is not None else {})


@pytest.mark.parametrize("role", [Role.COURT_STAFF, Role.PROSECUTOR, Role.DEFENSE_COUNSEL])
def test_a_cursor_older_than_the_pruned_events_gets_410(world: World, role: Role) -> None:
    api = api_as(world.user(role))
    start = _feed(api).json()["next_after"]  # the end of the feed as it is
    old, recent = _updates(world, 2)
    before_old = FeedCursor(old.txid, old.pk - 1).encode()
    _age(Event.objects.filter(pk=old.pk), 91)
    client_services.events_prune(now=NOW)

    for stale in (start, before_old):
        response = _feed(api, stale)
        assert response.status_code == 410, response.content
        assert response.json()["code"] == "cursor_expired"
        assert "after=now" in response.json()["detail"]
    # A cursor at or past the pruned event is fine, and so are a start from the beginning
    # (the oldest event kept) and "now".
    at_old = FeedCursor(old.txid, old.pk).encode()
    page = _feed(api, at_old)
    assert page.status_code == 200
    assert recent.pk in {item["id"] for item in page.json()["results"]}
    first = _feed(api).json()["results"]
    assert old.pk not in {item["id"] for item in first} and recent.pk in {i["id"] for i in first}
    assert _feed(api, "now").status_code == 200


def test_a_clients_stale_cursor_gets_410_too(world: World) -> None:
    _client, key = court_client(world)
    api = bearer(key)
    (old,) = _updates(world, 1)
    _age(Event.objects.filter(pk=old.pk), 91)
    client_services.events_prune(now=NOW)
    assert _feed(api, "0.0").status_code == 410


def test_the_feed_with_a_cursor_is_three_queries(
    world: World, django_assert_num_queries: Any
) -> None:
    """The pruning mark, the reader's courts (which decide how the page is found: a court's
    members walk their courts' events, see integrations.selectors._events_listed_for and
    tests/integrations/test_event_feed.py), then the page."""
    api = api_as(world.user(Role.PROSECUTOR))
    after = _feed(api).json()["next_after"]
    with django_assert_num_queries(3):
        assert _feed(api, after).status_code == 200


def test_the_schema_documents_the_410(world: World) -> None:
    schema = api_as(world.user(Role.PROSECUTOR)).get("/api/v1/schema/?format=json").json()
    assert "410" in schema["paths"]["/api/v1/events/"]["get"]["responses"]


# --- deliveries ------------------------------------------------------------------------------


def _finished_delivery(world: World, client: Any, endpoint: Any, days: int) -> Delivery:
    (event,) = _updates(world, 1)[-1:]
    services.event_fan_out(event.pk)
    delivery = Delivery.objects.get(event=event, endpoint=endpoint)
    DeliveryAttempt.objects.create(
        delivery=delivery, attempted_at=NOW, status_code=200, duration_ms=12
    )
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SUCCEEDED,
        completed_at=NOW - dt.timedelta(days=days),
        created_at=NOW - dt.timedelta(days=days),
        next_attempt_at=None,
        claim_token=None,
    )
    delivery.refresh_from_db()
    return delivery


@pytest.fixture
def endpoint(world: World, settings: Any) -> Any:
    settings.WEBHOOK_ALLOW_PRIVATE_DESTINATIONS = True
    client, _key = court_client(world)
    endpoint, _secret = endpoint_for(client, "http://127.0.0.1:9/hook")
    return client, endpoint


def test_old_finished_deliveries_are_deleted_with_their_attempts(
    world: World, endpoint: Any
) -> None:
    client, hook = endpoint
    old = _finished_delivery(world, client, hook, days=31)
    recent = _finished_delivery(world, client, hook, days=29)
    assert services.deliveries_prune(now=NOW) == 1
    assert not Delivery.objects.filter(pk=old.pk).exists()
    assert not DeliveryAttempt.objects.filter(delivery_id=old.pk).exists()
    assert Delivery.objects.filter(pk=recent.pk).exists()
    # The event stays: the feed keeps it longer.
    assert Event.objects.filter(pk=old.event_id).exists()


def test_a_pending_delivery_is_kept_however_old(world: World, endpoint: Any) -> None:
    client, hook = endpoint
    old = _finished_delivery(world, client, hook, days=60)
    Delivery.objects.filter(pk=old.pk).update(
        status=DeliveryStatus.PENDING, completed_at=None, next_attempt_at=NOW
    )
    assert services.deliveries_prune(now=NOW) == 0


def test_an_old_delivery_with_a_recent_replay_is_kept(world: World, endpoint: Any) -> None:
    client, hook = endpoint
    old = _finished_delivery(world, client, hook, days=40)
    replay = services.delivery_replay(delivery=old, by=client.owner)
    assert services.deliveries_prune(now=NOW) == 0
    Delivery.objects.filter(pk=replay.pk).update(
        status=DeliveryStatus.FAILED,
        created_at=NOW - dt.timedelta(days=35),
        completed_at=NOW - dt.timedelta(days=35),
        claim_token=None,
        next_attempt_at=None,
    )
    assert services.deliveries_prune(now=NOW) == 2
    assert not Delivery.objects.filter(pk__in=[old.pk, replay.pk]).exists()


def test_the_beat_task_prunes_both(world: World, endpoint: Any) -> None:
    client, hook = endpoint
    old = _finished_delivery(world, client, hook, days=100)
    Event.objects.filter(pk=old.event_id).update(occurred_at=NOW - dt.timedelta(days=100))
    done = tasks.prune.apply().get()
    assert done["deliveries"] == 1 and done["events"] >= 1
    assert not Event.objects.filter(pk=old.event_id).exists()
    schedule = django_settings.CELERY_BEAT_SCHEDULE["prune-integration-logs"]
    assert schedule["task"] == "webhooks.prune"
