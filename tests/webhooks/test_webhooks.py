"""Webhooks: signing (verified with the `standardwebhooks` package, through a rotation), delivery
to a real local receiver that fails then succeeds, the retry schedule up to disabling the
endpoint with a notice to its owner, refused destinations, fan-out by visibility, replay."""

from __future__ import annotations

import datetime as dt
import email.utils
import itertools
import json
import random
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from cases import party_services
from cases import services as case_services
from deadlines.models import AlertSubject, Notification
from integrations import services as client_services
from integrations.models import Event, EventType
from negotiations import services as negotiation_services
from parties.models import CaseParticipant, Role
from tests import deadline_helpers as dh
from tests.conftest import World
from tests.integration_helpers import court_client
from tests.negotiation_helpers import sent_offer
from tests.webhook_helpers import Receiver, endpoint_for, receiver, send_due, serve
from webhooks import destinations, services, signing
from webhooks.models import (
    Delivery,
    DeliveryStatus,
    FannedOut,
    WebhookEndpoint,
    WebhookSecret,
)

__all__ = ["receiver"]


_CAPTIONS = itertools.count(1)


def _event(world: World, case: Any = None) -> Event:
    """A case.updated event of `case` (the world case by default)."""
    case_services.case_update(
        case=case or world.case,
        by=world.user(Role.COURT_STAFF)
        if case is not world.foreign_case
        else world.strangers[Role.COURT_STAFF],
        caption=f"United States v. Doe ({next(_CAPTIONS)})",
    )
    return Event.objects.filter(type=EventType.CASE_UPDATED).latest("id")


def _fan_out(event: Event) -> list[Delivery]:
    services.event_fan_out(event.pk)
    return list(Delivery.objects.filter(event=event).order_by("id"))


# --- signing -----------------------------------------------------------------------------------


def test_a_secret_is_standard_webhooks_form() -> None:
    secret = signing.secret_new()
    assert secret.startswith("whsec_")
    assert len(signing._key(secret)) == 32
    assert secret != signing.secret_new()


def test_our_signature_verifies_with_the_standardwebhooks_package() -> None:
    secret = signing.secret_new()
    body = b'{"type":"case.updated","data":{"id":1}}'
    headers = signing.headers(
        [secret], msg_id="msg_abc", timestamp=int(timezone.now().timestamp()), body=body
    )
    assert Webhook(secret).verify(body, headers) == json.loads(body)
    with pytest.raises(WebhookVerificationError):
        Webhook(signing.secret_new()).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body + b" ", headers)


def test_a_delivered_message_verifies_and_is_the_feed_item(
    world: World, receiver: Receiver
) -> None:
    client, _key = court_client(world)
    endpoint, secret = endpoint_for(client, receiver.url)
    event = _event(world)
    (delivery,) = _fan_out(event)
    assert send_due(delivery) == "succeeded"
    (got,) = receiver.received
    payload = Webhook(secret).verify(got.body, got.headers)
    assert got.headers["webhook-id"] == delivery.message_id
    assert got.headers["content-type"] == "application/json"
    assert payload["type"] == "case.updated"
    assert payload["data"] == {
        "id": event.pk,
        "type": "case.updated",
        "occurred_at": payload["timestamp"],
        "subject": "case",
        "subject_id": world.case.pk,
        "case": world.case.pk,
        "link": f"http://testserver/api/v1/cases/{world.case.pk}/",
    }
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert delivery.last_status_code == 200 and delivery.last_response_ms is not None
    assert delivery.attempt_log.get().response_excerpt == "ok"
    assert endpoint.pk == delivery.endpoint_id


def test_during_a_rotation_messages_verify_with_the_old_and_the_new_secret(
    world: World, receiver: Receiver
) -> None:
    client, _key = court_client(world)
    endpoint, old = endpoint_for(client, receiver.url)
    new, until = services.secret_rotate(endpoint=endpoint, by=client.owner)
    assert until - timezone.now() > dt.timedelta(hours=23)
    (delivery,) = _fan_out(_event(world))
    send_due(delivery)
    got = receiver.received[-1]
    assert len(got.headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(got.body, got.headers)
    Webhook(new).verify(got.body, got.headers)

    # A day later the old secret no longer signs.
    with time_machine.travel(until + dt.timedelta(minutes=1)):
        (later,) = _fan_out(_event(world))
        send_due(later)
        got = receiver.received[-1]
        assert len(got.headers["webhook-signature"].split(" ")) == 1
        Webhook(new).verify(got.body, got.headers)
        with pytest.raises(WebhookVerificationError):
            Webhook(old).verify(got.body, got.headers)
        # Rotating again drops the expired secret.
        services.secret_rotate(endpoint=endpoint, by=client.owner)
    assert not WebhookSecret.objects.filter(endpoint=endpoint, secret=old).exists()


def test_rotating_again_and_again_signs_with_the_newest_three(
    world: World, receiver: Receiver
) -> None:
    client, _key = court_client(world)
    endpoint, _first = endpoint_for(client, receiver.url)
    secrets = [services.secret_rotate(endpoint=endpoint, by=client.owner)[0] for _ in range(5)]
    (delivery,) = _fan_out(_event(world))
    send_due(delivery)
    got = receiver.received[-1]
    assert len(got.headers["webhook-signature"].split(" ")) == services.MAX_SIGNATURES == 3
    Webhook(secrets[-1]).verify(got.body, got.headers)


# --- retries -------------------------------------------------------------------------------


def test_a_failed_attempt_is_logged_and_the_retry_succeeds(world: World, settings: Any) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_DESTINATIONS = True
    for local in serve(Receiver(answers=[500, 200])):
        client, _key = court_client(world)
        _endpoint, secret = endpoint_for(client, local.url)
        (delivery,) = _fan_out(_event(world))
        assert send_due(delivery) == "retry"
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.PENDING
        assert (delivery.attempts, delivery.last_status_code) == (1, 500)
        assert delivery.last_error == "The receiver answered 500."
        first = delivery.attempt_log.get()
        # The excerpt of the answer is capped at 1 KB.
        assert first.status_code == 500 and len(first.response_excerpt) == 1024
        # The first retry comes within five seconds, queued at once under a new claim.
        assert delivery.claim_token is not None

        assert send_due(delivery) == "succeeded"
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
            DeliveryStatus.SUCCEEDED,
            2,
            200,
        )
        assert [a.status_code for a in delivery.attempt_log.order_by("id")] == [500, 200]
        ids = {r.headers["webhook-id"] for r in local.received}
        assert ids == {delivery.message_id}
        for got in local.received:
            Webhook(secret).verify(got.body, got.headers)


@pytest.mark.parametrize(
    ("status", "retry_after", "waits_at_least"),
    [
        (429, "600", dt.timedelta(seconds=600)),
        (503, "7200", dt.timedelta(hours=2)),
        # An HTTP date, an hour ahead (the receiver's clock is trusted as far as the longest cap).
        (429, "in an hour", dt.timedelta(minutes=59)),
    ],
)
def test_a_receiver_asking_to_wait_is_not_asked_sooner(
    world: World, settings: Any, status: int, retry_after: str, waits_at_least: dt.timedelta
) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_DESTINATIONS = True
    if retry_after == "in an hour":
        retry_after = email.utils.format_datetime(
            timezone.now() + dt.timedelta(hours=1), usegmt=True
        )
    for local in serve(Receiver(answers=[status, 200], headers={"Retry-After": retry_after})):
        client, _key = court_client(world)
        endpoint_for(client, local.url)
        (delivery,) = _fan_out(_event(world))
        before = timezone.now()
        assert send_due(delivery) == "retry"
        delivery.refresh_from_db()
        assert delivery.next_attempt_at is not None
        assert delivery.next_attempt_at >= before + waits_at_least
        # Not queued with a countdown: the sweep sends it when it comes due.
        assert delivery.claim_token is None
        with time_machine.travel(delivery.next_attempt_at + dt.timedelta(seconds=1)):
            assert send_due(delivery) == "succeeded"
        assert len(local.received) == 2


def test_retry_after_on_other_failures_is_ignored(world: World, settings: Any) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_DESTINATIONS = True
    for local in serve(Receiver(answers=[500, 200], headers={"Retry-After": "3600"})):
        client, _key = court_client(world)
        endpoint_for(client, local.url)
        (delivery,) = _fan_out(_event(world))
        assert send_due(delivery) == "retry"
        delivery.refresh_from_db()
        # The first retry's cap: five seconds, queued at once.
        assert delivery.claim_token is not None
        assert delivery.last_status_code == 500


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("soon", None),
        ("-5", None),
        ("0", dt.timedelta(0)),
        (" 120 ", dt.timedelta(seconds=120)),
        # At most the longest cap, a day, however long the receiver asks for.
        ("99999999999999", dt.timedelta(hours=24)),
        ("Wed, 21 Oct 2015 07:28:00 GMT", dt.timedelta(0)),  # in the past: at once
        ("Tue, 24 Nov 2026 12:30:00 GMT", dt.timedelta(minutes=30)),
    ],
)
def test_retry_after_values(value: str | None, expected: dt.timedelta | None) -> None:
    now = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)
    assert services.parse_retry_after(value, now) == expected


def test_the_retry_schedule_has_full_jitter_under_growing_caps() -> None:
    rng = random.Random(7)
    for n, cap in enumerate(services.RETRY_CAPS, start=1):
        delays = [services.retry_delay(n, rng=rng) for _ in range(200)]
        assert all(dt.timedelta(0) <= d <= cap for d in delays)
        assert max(delays) > cap * 0.8 and min(delays) < cap * 0.2
    assert services.retry_delay(40, rng=rng) <= dt.timedelta(hours=24)


def _fail_until_done(delivery: Delivery) -> list[dt.datetime]:
    """Follow the schedule: travel to each attempt, sweep and send, until it is done."""
    moments: list[dt.datetime] = []
    for _ in range(40):
        delivery.refresh_from_db()
        if delivery.status != DeliveryStatus.PENDING:
            return moments
        due = delivery.next_attempt_at
        assert due is not None
        with time_machine.travel(max(due, timezone.now()) + dt.timedelta(seconds=1)):
            moments.append(timezone.now())
            send_due(delivery)
    raise AssertionError("never finished")


@pytest.fixture
def failing(settings: Any) -> Iterator[Receiver]:
    settings.WEBHOOK_ALLOW_PRIVATE_DESTINATIONS = True
    settings.ALERT_SITE_URL = "https://parley.example"
    yield from serve(Receiver(answers=[503]))


def test_persistent_failure_disables_the_endpoint_after_three_days_and_tells_its_owner(
    world: World, failing: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    client, _key = court_client(world)
    client.owner.email = "clerk@court.example"
    client.owner.save()
    endpoint, _secret = endpoint_for(client, failing.url)
    (delivery,) = _fan_out(_event(world))
    started = delivery.created_at
    with django_capture_on_commit_callbacks(execute=True):
        moments = _fail_until_done(delivery)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == len(moments) >= 8
    span = moments[-1] - started
    assert dt.timedelta(days=3) <= span < dt.timedelta(days=3, minutes=5)
    assert delivery.attempt_log.count() == delivery.attempts

    endpoint.refresh_from_db()
    assert endpoint.disabled_at is not None
    assert "503" in endpoint.disabled_reason and "72 hours" in endpoint.disabled_reason
    assert Notification.objects.get(recipient=client.owner).subject == AlertSubject.INTEGRATION
    (notice,) = dh.inbox_of(client.owner)
    assert failing.url in notice.body
    assert notice.url == f"/integrations/clients/{client.pk}/webhooks/{endpoint.pk}/"
    (message,) = [m for m in mail.outbox if "X-Parley-Webhook-Endpoint" in m.extra_headers]
    assert message.to == ["clerk@court.example"]
    assert f"https://parley.example{notice.url}" in message.body

    # Disabled: new events are not queued for it, and the sweep passes it by.
    assert _fan_out(_event(world)) == []


def test_one_message_failing_does_not_disable_an_endpoint_that_works(
    world: World, settings: Any
) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_DESTINATIONS = True
    for local in serve(Receiver(answers=[400, 200])):
        client, _key = court_client(world)
        endpoint, _secret = endpoint_for(client, local.url)
        (bad,) = _fan_out(_event(world))
        send_due(bad)
        local.answers[:] = [200]
        (good,) = _fan_out(_event(world))
        assert send_due(good) == "succeeded"
        local.answers[:] = [400]
        _fail_until_done(bad)
        bad.refresh_from_db()
        endpoint.refresh_from_db()
        assert bad.status == DeliveryStatus.FAILED
        assert endpoint.disabled_at is None


def test_410_gone_disables_at_once(world: World, settings: Any) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_DESTINATIONS = True
    for local in serve(Receiver(answers=[410])):
        client, _key = court_client(world)
        endpoint, _secret = endpoint_for(client, local.url)
        (delivery,) = _fan_out(_event(world))
        assert send_due(delivery) == "failed"
        endpoint.refresh_from_db()
        assert "410" in endpoint.disabled_reason
        assert Notification.objects.filter(recipient=client.owner).count() == 1


def test_enabling_resumes_waiting_deliveries_and_replay_resends(
    world: World, receiver: Receiver
) -> None:
    client, _key = court_client(world)
    endpoint, _secret = endpoint_for(client, receiver.url)
    (delivered,) = _fan_out(_event(world))
    send_due(delivered)
    (waiting,) = _fan_out(_event(world))
    services.endpoint_disable(endpoint=endpoint, by=client.owner)
    assert send_due(waiting) == "paused"
    assert services.deliveries_dispatch_due() == 0
    services.endpoint_enable(endpoint=endpoint, by=client.owner)
    assert send_due(waiting) == "succeeded"

    replay = services.delivery_replay(delivery=delivered, by=client.owner)
    assert replay.replay_of == delivered and replay.message_id == delivered.message_id
    from core.exceptions import Conflict

    with pytest.raises(Conflict):
        services.delivery_replay(delivery=delivered, by=client.owner)
    assert send_due(replay) == "succeeded"
    assert [r.headers["webhook-id"] for r in receiver.received].count(delivered.message_id) == 2


# --- a run twice, a claim lost ---------------------------------------------------------------


def test_fan_out_twice_makes_one_delivery_and_queues_it_once(
    world: World, receiver: Receiver
) -> None:
    client, _key = court_client(world)
    endpoint_for(client, receiver.url)
    event = _event(world)
    assert services.event_fan_out(event.pk) == 1
    assert services.event_fan_out(event.pk) == 0
    assert Delivery.objects.filter(event=event).count() == 1


def test_a_stale_or_repeated_task_sends_nothing(world: World, receiver: Receiver) -> None:
    client, _key = court_client(world)
    endpoint_for(client, receiver.url)
    (delivery,) = _fan_out(_event(world))
    token = str(delivery.claim_token)
    assert services.delivery_send(delivery.pk, token) == "succeeded"
    assert services.delivery_send(delivery.pk, token) == "skipped"
    assert services.delivery_send(delivery.pk, "not-a-token") == "skipped"
    assert len(receiver.received) == 1


def test_a_lost_task_is_queued_again_by_the_sweep_after_its_lease(
    world: World, receiver: Receiver
) -> None:
    client, _key = court_client(world)
    endpoint_for(client, receiver.url)
    (delivery,) = _fan_out(_event(world))
    lost = delivery.claim_token
    assert services.deliveries_dispatch_due() == 0
    with time_machine.travel(timezone.now() + services.claim_lease() + dt.timedelta(seconds=1)):
        assert services.deliveries_dispatch_due() == 1
        delivery.refresh_from_db()
        assert delivery.claim_token != lost
        assert services.delivery_send(delivery.pk, str(lost)) == "skipped"
        assert services.delivery_send(delivery.pk, str(delivery.claim_token)) == "succeeded"


def test_the_database_refuses_a_second_delivery_of_an_event_to_an_endpoint(
    world: World, receiver: Receiver
) -> None:
    client, _key = court_client(world)
    endpoint_for(client, receiver.url)
    (delivery,) = _fan_out(_event(world))
    with pytest.raises(IntegrityError):
        Delivery.objects.create(
            endpoint=delivery.endpoint,
            event=delivery.event,
            message_id="msg_x",
            next_attempt_at=timezone.now(),
            created_at=timezone.now(),
        )


# --- destinations ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://127.0.0.1:8000/hook", "loopback"),
        ("http://10.1.2.3/hook", "private"),
        ("http://192.168.0.10/hook", "private"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://100.64.0.1/", "carrier-grade NAT"),
        ("http://[::1]/hook", "loopback"),
        ("http://[::ffff:127.0.0.1]/hook", "loopback"),
        ("http://[::ffff:10.0.0.1]/hook", "private"),
        ("http://[fe80::1]/hook", "link-local"),
        ("http://[fd00::1]/hook", "private"),
        ("http://0.0.0.0/hook", "unspecified"),
        ("http://224.0.0.1/hook", "multicast"),
        ("http://240.0.0.1/hook", "reserved"),
        ("http://localhost:8000/hook", "localhost resolves to a non-public address"),
        ("ftp://93.184.215.14/hook", "http:// or https://"),
        ("https://user:pw@93.184.215.14/hook", "no user name"),
        ("https://no-such-host.invalid/hook", "No address"),
        ("not a url", "http:// or https://"),
    ],
)
def test_refused_destinations(url: str, says: str, settings: Any) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_DESTINATIONS = False
    with pytest.raises(destinations.DestinationRefused) as refused:
        destinations.check_url(url)
    assert says in refused.value.message


def test_a_name_lookup_that_never_answers_is_given_up(settings: Any, monkeypatch: Any) -> None:
    """getaddrinfo has no timeout of its own; a resolver that hangs must not hold a worker."""
    settings.WEBHOOK_TIMEOUT = 0.2
    release = threading.Event()
    real = socket.getaddrinfo

    def hanging(*args: Any, **kwargs: Any) -> Any:
        release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", hanging)
    try:
        started = time.monotonic()
        with pytest.raises(destinations.DestinationRefused) as refused:
            destinations.check_url("https://slow.example/hook")
        assert refused.value.message == "Looking up slow.example took longer than 0.2 seconds."
        # An attempt is a failure like any other, logged and retried.
        answer = services._post("https://slow.example/hook", body=b"{}", headers={})
        assert answer.status_code is None and "took longer" in answer.error
        assert time.monotonic() - started < 3
    finally:
        release.set()


def test_public_addresses_are_allowed() -> None:
    assert destinations.check_url(" https://93.184.215.14/hook ") == "https://93.184.215.14/hook"
    assert destinations.address_problem(destinations.ipaddress.ip_address("2606:4700::1")) is None


def test_a_refused_url_is_a_400_on_the_field_when_subscribing(world: World, settings: Any) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_DESTINATIONS = False
    client, _key = court_client(world)
    with pytest.raises(ValidationError) as caught:
        endpoint_for(client, "http://169.254.169.254/")
    assert "link-local" in caught.value.message_dict["url"][0]


def test_the_operator_may_allow_private_destinations(world: World, settings: Any) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_DESTINATIONS = True
    client, _key = court_client(world)
    endpoint, _secret = endpoint_for(client, "http://10.1.2.3/hook")
    assert endpoint.url == "http://10.1.2.3/hook"


def test_a_destination_turned_private_is_refused_at_delivery(
    world: World, receiver: Receiver, settings: Any
) -> None:
    client, _key = court_client(world)
    endpoint_for(client, receiver.url)
    settings.WEBHOOK_ALLOW_PRIVATE_DESTINATIONS = False
    (delivery,) = _fan_out(_event(world))
    assert send_due(delivery) == "retry"
    delivery.refresh_from_db()
    assert "loopback" in delivery.last_error and delivery.last_status_code is None
    assert receiver.received == []


def test_the_socket_guard_refuses_what_resolves_privately(settings: Any) -> None:
    """Even past the URL check (e.g. a name rebound to a private address), the connection
    itself is refused."""
    settings.WEBHOOK_ALLOW_PRIVATE_DESTINATIONS = False
    with (
        pytest.raises(destinations.DestinationRefused),
        destinations.http_client() as client,
    ):
        client.post("http://localhost:9/hook", content=b"{}")


def test_redirects_are_not_followed(world: World, receiver: Receiver) -> None:
    receiver.answers[:] = [302]
    client, _key = court_client(world)
    endpoint_for(client, receiver.url)
    (delivery,) = _fan_out(_event(world))
    assert send_due(delivery) == "retry"
    delivery.refresh_from_db()
    assert "Redirects are not followed" in delivery.last_error


# --- fan-out and visibility ------------------------------------------------------------------


@pytest.fixture
def clients(world: World, receiver: Receiver) -> dict[str, WebhookEndpoint]:
    """Endpoints of: the court's docket system; a prosecution client that is a party to the
    world case; one that is party to nothing; and a client of the other court."""
    clerk = world.user(Role.COURT_STAFF)
    court, _key = court_client(world)
    party = client_services.api_client_create(
        court=world.court,
        name="DA case system",
        owner=world.user(Role.PROSECUTOR),
        by=clerk,
        role=Role.PROSECUTOR,
        organization=world.orgs["da"],
    )
    party_services.participant_add(
        case=world.case, by=world.user(Role.PROSECUTOR), role=Role.PROSECUTOR, user=party.account
    )
    outsider = client_services.api_client_create(
        court=world.court,
        name="Other DA system",
        owner=world.user(Role.PROSECUTOR),
        by=clerk,
        role=Role.PROSECUTOR,
        organization=world.orgs["da"],
    )
    foreign = client_services.api_client_create(
        court=world.other_court,
        name="Other court docket",
        owner=world.strangers[Role.COURT_STAFF],
        by=world.strangers[Role.COURT_STAFF],
    )
    return {
        name: endpoint_for(c, receiver.url)[0]
        for name, c in {
            "court": court,
            "party": party,
            "outsider": outsider,
            "foreign": foreign,
        }.items()
    }


def _reached(event: Event, endpoints: dict[str, WebhookEndpoint]) -> set[str]:
    services.event_fan_out(event.pk)
    hit = set(Delivery.objects.filter(event=event).values_list("endpoint_id", flat=True))
    return {name for name, endpoint in endpoints.items() if endpoint.pk in hit}


def test_offer_events_reach_only_the_parties_clients(
    world: World, clients: dict[str, WebhookEndpoint]
) -> None:
    sent_offer(world)
    event = Event.objects.get(type=EventType.OFFER_SENT)
    assert _reached(event, clients) == {"party"}


def test_case_events_reach_the_clients_that_see_the_case(
    world: World, clients: dict[str, WebhookEndpoint]
) -> None:
    assert _reached(_event(world), clients) == {"court", "party"}
    # The other case of the court: only the court's client sees it.
    assert _reached(_event(world, world.other_case), clients) == {"court"}
    # A case of the other court: only that court's client.
    assert _reached(_event(world, world.foreign_case), clients) == {"foreign"}


def test_an_endpoint_gets_only_the_types_it_chose(world: World, receiver: Receiver) -> None:
    client, _key = court_client(world)
    endpoint_for(client, receiver.url, types=[EventType.HEARING_SCHEDULED])
    assert _fan_out(_event(world)) == []
    dh.hearing(world)
    event = Event.objects.get(type=EventType.HEARING_SCHEDULED)
    (delivery,) = _fan_out(event)
    send_due(delivery)
    assert json.loads(receiver.received[0].body)["data"]["link"].endswith(
        f"/api/v1/hearings/{event.subject_id}/"
    )


def test_a_client_that_left_the_case_is_not_sent_what_was_queued(
    world: World, clients: dict[str, WebhookEndpoint]
) -> None:
    offer = sent_offer(world)
    event = Event.objects.get(type=EventType.OFFER_SENT)
    services.event_fan_out(event.pk)
    delivery = Delivery.objects.get(event=event)
    participation = CaseParticipant.objects.get(
        case=world.case, user=delivery.endpoint.client.account
    )
    party_services.participant_end(participant=participation, by=world.user(Role.PROSECUTOR))
    # Sent at once after fan-out, the first attempt trusts fan-out's check; one that waited in a
    # backlog (or a retry, or a replay) asks again.
    with time_machine.travel(timezone.now() + services.FRESH_FAN_OUT + dt.timedelta(seconds=1)):
        assert send_due(delivery) == "failed"
    delivery.refresh_from_db()
    assert "no longer see" in delivery.last_error
    assert offer.pk


def test_a_revoked_clients_endpoints_get_nothing(world: World, receiver: Receiver) -> None:
    client, _key = court_client(world)
    endpoint_for(client, receiver.url)
    client_services.api_client_revoke(client=client, by=world.user(Role.COURT_STAFF))
    assert _fan_out(_event(world)) == []


def test_an_offer_to_review_sends_each_event_type_the_endpoint_chose(
    world: World, receiver: Receiver
) -> None:
    party = client_services.api_client_create(
        court=world.court,
        name="Defender system",
        owner=world.user(Role.DEFENSE_COUNSEL),
        by=world.user(Role.COURT_STAFF),
        role=Role.DEFENSE_COUNSEL,
        organization=world.orgs["pd"],
    )
    party_services.participant_add(
        case=world.case,
        by=world.user(Role.COURT_STAFF),
        role=Role.DEFENSE_COUNSEL,
        user=party.account,
    )
    endpoint_for(party, receiver.url, types=[EventType.OFFER_SENT, EventType.OFFER_REJECTED])
    offer = sent_offer(world)
    negotiation_services.offer_reject(offer=offer, by=world.user(Role.DEFENSE_COUNSEL), reason="No")
    for event in Event.objects.order_by("id"):
        services.event_fan_out(event.pk)
    types = sorted(Delivery.objects.values_list("event__type", flat=True))
    assert types == ["offer.rejected", "offer.sent"]


def test_the_sweep_fans_out_what_the_fast_path_missed_once(
    world: World, receiver: Receiver
) -> None:
    client, _key = court_client(world)
    endpoint_for(client, receiver.url)
    # The first walk starts at the end of the log: the past is not sent.
    assert services.events_fan_out_missed() == 0
    assert services.events_fan_out_missed() == 0
    event = _event(world)  # its fan-out task never ran (no commit in this test)
    assert services.events_fan_out_missed() == 1
    (delivery,) = Delivery.objects.filter(event=event)
    assert services.events_fan_out_missed() == 0
    # The fast path arriving late finds the delivery made.
    assert services.event_fan_out(event.pk) == 0
    assert send_due(delivery) == "succeeded"


def test_the_sweep_passes_by_what_the_fast_path_did_and_drops_its_marks(
    world: World, receiver: Receiver
) -> None:
    client, _key = court_client(world)
    endpoint_for(client, receiver.url)
    services.events_fan_out_missed()
    event = _event(world)
    assert services.event_fan_out(event.pk) == 1
    assert FannedOut.objects.filter(event=event).exists()
    assert services.events_fan_out_missed() == 0
    assert not FannedOut.objects.exists()
    assert Delivery.objects.filter(event=event).count() == 1


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("https://[fec0::1]/hook", "site-local"),
        ("https://8.8.8.8/ho\u0001ok", "control characters"),
    ],
)
def test_more_refused_destinations(url: str, says: str, settings: Any) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_DESTINATIONS = False
    with pytest.raises(destinations.DestinationRefused) as refused:
        destinations.check_url(url)
    assert says in refused.value.message


def test_an_upper_case_scheme_is_kept_lower_case() -> None:
    assert destinations.check_url("HTTPS://93.184.215.14/Hook") == "https://93.184.215.14/Hook"
