"""The Django admin has a page for every model, and each loads with data in it."""

import datetime as dt
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cases import services as case_services
from cases.models import CaseStatus
from deadlines import alerts, feeds
from deadlines import services as date_services
from deadlines.models import CourtClosure, DeadlineKind, DeadlineRule, HearingKind
from integrations import services as integration_services
from integrations.models import Event
from negotiations import services as negotiation_services
from parties.models import Role
from tests.conftest import World
from tests.negotiation_helpers import signed_agreement
from webhooks import services as webhook_services
from webhooks.models import Delivery, DeliveryAttempt

OUR_APPS = {"cases", "parties", "negotiations", "deadlines", "core", "integrations", "webhooks"}


def our_models() -> list[Any]:
    return [m for m in apps.get_models() if m._meta.app_label in OUR_APPS]


def test_every_model_is_in_the_admin() -> None:
    missing = [m._meta.label for m in our_models() if not admin.site.is_registered(m)]
    assert missing == []


@pytest.fixture
def staff_client(world: World) -> Client:
    case_services.case_transition(
        case=world.case, to_status=CaseStatus.NEGOTIATING, by=world.users[Role.PROSECUTOR]
    )
    # A negotiation with a row in every table: a suggestion and its answer, an offer with its
    # terms and concessions, a signed agreement.
    suggestion = negotiation_services.suggestion_submit(
        case=world.case, by=world.users[Role.DEFENSE_COUNSEL], text="Consider probation."
    )
    negotiation_services.suggestion_respond(
        suggestion=suggestion, by=world.users[Role.PROSECUTOR], response="Considered; no."
    )
    signed_agreement(world)
    CourtClosure.objects.create(
        court=world.court,
        date=dt.date(2026, 12, 8),
        reason="Snow",
        created_by=world.users[Role.COURT_STAFF],
    )
    # Court dates with a row in every table: a continued hearing, a computed deadline, alerts
    # and the notification one became, preferences, a digest and a calendar feed.
    clerk = world.users[Role.COURT_STAFF]
    defense = world.users[Role.DEFENSE_COUNSEL]
    room = date_services.courtroom_create(court=world.court, by=clerk, name="Courtroom 1")
    start = timezone.now() + dt.timedelta(days=30)
    hearing = date_services.hearing_schedule(
        case=world.case,
        by=clerk,
        kind=HearingKind.SENTENCING,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        courtroom=room,
    )
    date_services.hearing_reschedule(
        hearing=hearing,
        by=clerk,
        starts_at=start + dt.timedelta(days=1),
        ends_at=start + dt.timedelta(days=1, hours=1),
        reason="Counsel unavailable",
    )
    date_services.deadline_create(
        case=world.case,
        by=clerk,
        kind=DeadlineKind.CUSTOM,
        title="Presentence report",
        rule=DeadlineRule.objects.get(code="us-frcrp-32e2-psr-disclosure"),
        trigger_hearing=hearing,
    )
    alerts.alert_preference_set(
        user=defense, kind=HearingKind.SENTENCING, lead_minutes=[60], in_app=True, email=False
    )
    alerts.alert_settings_set(user=defense, daily_digest=True, digest_hour=0, time_zone="UTC")
    alerts.digests_send_due()
    alerts.sweep()
    feeds.feed_issue(user=defense)
    # A POST sent with an Idempotency-Key leaves its answer in core.IdempotencyRecord.
    api = APIClient()
    api.force_login(world.users[Role.PROSECUTOR])
    kept = api.post(
        "/api/v1/notes/",
        {"case": world.case.pk, "visibility": "shared", "body": "Exhibit list agreed."},
        format="json",
        HTTP_IDEMPOTENCY_KEY="admin-fixture",
    )
    assert kept.status_code == 201
    # An API client with a token (its events come from the writes above).
    api_client = integration_services.api_client_create(
        court=world.court, name="Docket system", owner=clerk, by=clerk
    )
    integration_services.api_token_create(client=api_client, name="server", by=clerk)
    # Its webhook endpoint, a delivery of an event with one failed attempt, the sweep's cursor.
    webhook_services.endpoint_create(
        client=api_client,
        by=clerk,
        url="https://93.184.215.14/hook",
        event_types=["hearing.scheduled"],
    )
    webhook_services.events_fan_out_missed()
    webhook_services.event_fan_out(Event.objects.filter(type="hearing.scheduled").earliest("id").pk)
    # The event log pruned of one old event leaves its mark.
    Event.objects.filter(pk=Event.objects.filter(type="case.created").earliest("id").pk).update(
        occurred_at=timezone.now() - dt.timedelta(days=400)
    )
    assert integration_services.events_prune() == 1
    DeliveryAttempt.objects.create(
        delivery=Delivery.objects.get(),
        attempted_at=timezone.now(),
        status_code=500,
        duration_ms=12,
        error="HTTP 500",
    )
    # cn-reform's records (negotiations.models): a case marked complex, rights explained. Rows
    # written directly: the admin reads them, whatever profile the world's court has.
    from negotiations.models import ComplexCaseMark, RightsExplanation

    prosecutor = world.users[Role.PROSECUTOR]
    ComplexCaseMark.objects.create(
        case=world.case,
        grounds=["joint_crime"],
        reason="Three accused, acts months apart.",
        marked_by=prosecutor,
        marked_at=timezone.now(),
    )
    RightsExplanation.objects.create(
        case=world.case,
        note="Explained in person with the duty lawyer present.",
        explained_by=prosecutor,
        explained_at=timezone.now(),
    )
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.org", "x"))
    return client


@pytest.mark.parametrize("model", our_models(), ids=lambda m: m._meta.label)
def test_admin_list_and_detail_pages_load(staff_client: Client, world: World, model: Any) -> None:
    meta = model._meta
    changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
    assert staff_client.get(changelist).status_code == 200
    obj = model.objects.first()
    assert obj is not None, f"the world fixture has no {meta.label}"
    change = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
    assert staff_client.get(change).status_code == 200


def test_admin_is_refused_to_parties(client: Client, world: World) -> None:
    client.force_login(world.users[Role.PROSECUTOR])
    response = client.get(reverse("admin:cases_case_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
