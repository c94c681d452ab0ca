"""The delivery log in a real browser: the court's clerk opens an endpoint whose receiver failed
and recovered, reads the attempts of a delivery, and replays a failed one with the keyboard.

PARLEY_SCREENSHOTS=1 saves docs/screenshots/webhook-delivery-log.png.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from cases import services as case_services
from integrations.models import Event, EventType
from parties.models import Role
from tests import deadline_helpers as dh
from tests.browser.conftest import People, shoot
from tests.conftest import World
from tests.integration_helpers import court_client
from tests.webhook_helpers import Receiver, endpoint_for, send_due, serve
from webhooks import services
from webhooks.models import Delivery, DeliveryStatus

pytestmark = pytest.mark.browser


def test_the_clerk_reads_the_log_and_replays_a_failed_delivery(
    world: World, people: People, settings: Any
) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_DESTINATIONS = True
    User.objects.filter(username="clerk").update(first_name="Chris", last_name="Lee")
    clerk = world.user(Role.COURT_STAFF)
    for local in serve(Receiver(answers=[503, 200])):
        client, _key = court_client(world, name="County docket system")
        endpoint, _secret = endpoint_for(
            client,
            local.url,
            types=[EventType.CASE_UPDATED, EventType.HEARING_SCHEDULED, EventType.CASE_CREATED],
        )
        # A delivery that failed once, then went through.
        case_services.case_update(case=world.case, by=clerk, caption="United States v. Jane Doe")
        updated = Event.objects.filter(type="case.updated").latest("id")
        services.event_fan_out(updated.pk)
        first = Delivery.objects.get(event=updated)
        send_due(first)
        send_due(first)
        # Hearings: one delivered, one that failed for three days.
        dh.hearing(world)
        local.answers[:] = [200]
        for event in Event.objects.filter(type="hearing.scheduled"):
            services.event_fan_out(event.pk)
        for delivery in Delivery.objects.filter(status=DeliveryStatus.PENDING):
            send_due(delivery)
        local.answers[:] = [500]
        dh.hearing(world, case=world.other_case, starts_at=dh.at(2026, 12, 17, 9))
        event = Event.objects.filter(type="hearing.scheduled").latest("id")
        services.event_fan_out(event.pk)
        failed = Delivery.objects.get(event=event)
        for _ in range(30):
            failed.refresh_from_db()
            if failed.status != DeliveryStatus.PENDING:
                break
            assert failed.next_attempt_at is not None
            with time_machine.travel(
                max(failed.next_attempt_at, timezone.now()) + dt.timedelta(seconds=1)
            ):
                send_due(failed)
        assert failed.status == DeliveryStatus.FAILED
        endpoint.refresh_from_db()
        assert endpoint.disabled_at is not None  # nothing else reached it in those three days
        services.endpoint_enable(endpoint=endpoint, by=clerk)
        # A delivery waiting for its next attempt.
        case_services.case_update(case=world.other_case, by=clerk, caption="United States v. R.")
        pending = Event.objects.filter(type="case.updated").latest("id")
        services.event_fan_out(pending.pk)
        send_due(Delivery.objects.get(event=pending))

        page = people("clerk")
        page.goto(
            people.live_server.url + reverse("webhooks:endpoint", args=[client.pk, endpoint.pk])
        )
        expect(page.get_by_role("heading", name="Delivery log")).to_be_visible()
        log = page.get_by_role("table", name="Delivery log")
        expect(log.get_by_role("row")).to_have_count(1 + Delivery.objects.count())
        row = page.locator(f"#delivery-{first.pk}")
        row.get_by_text("Attempts").click()
        expect(row.get_by_text("HTTP 503")).to_be_visible()
        expect(row.get_by_text("HTTP 200").first).to_be_visible()
        shoot(page, "webhook-delivery-log")

        # Replay the failed one from the keyboard.
        replay = page.locator(f"#delivery-{failed.pk}").get_by_role("button", name="Replay")
        replay.focus()
        page.keyboard.press("Enter")
        expect(page.get_by_text("queued to be sent again")).to_be_visible()
        assert Delivery.objects.filter(replay_of=failed).exists()
