"""Webhook endpoints and deliveries in the admin, for operators: read-only (endpoints are kept
by their clients and owners, through the API and pages). Secrets are never shown here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from webhooks.models import (
    Delivery,
    DeliveryAttempt,
    FannedOut,
    FanOutCursor,
    WebhookEndpoint,
    WebhookSecret,
)


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnly):
    list_display = ["url", "client", "disabled_at", "created_at"]
    list_filter = ["disabled_at"]
    search_fields = ["url", "client__name"]
    list_select_related = ["client"]
    fields = [
        "client",
        "url",
        "description",
        "event_types",
        "disabled_at",
        "disabled_reason",
        "created_by",
        "created_at",
        "updated_at",
    ]


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = ["attempted_at", "status_code", "duration_ms", "error", "response_excerpt"]
    readonly_fields = ["attempted_at", "status_code", "duration_ms", "error", "response_excerpt"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnly):
    list_display = [
        "message_id",
        "endpoint",
        "event",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
    ]
    list_filter = ["status"]
    search_fields = ["message_id", "endpoint__url"]
    list_select_related = ["endpoint", "event"]
    raw_id_fields = ["endpoint", "event", "replay_of"]
    exclude = ["claim_token"]
    inlines = [DeliveryAttemptInline]


@admin.register(WebhookSecret)
class WebhookSecretAdmin(ReadOnly):
    """Which secrets an endpoint has and until when they sign; never the secret itself."""

    list_display = ["shown", "endpoint", "created_at", "expires_at"]
    list_select_related = ["endpoint"]
    fields = ["shown", "endpoint", "created_at", "expires_at"]
    readonly_fields = ["shown"]

    @admin.display(description="Secret")
    def shown(self, secret: WebhookSecret) -> str:
        return f"{secret.secret[:10]}…"


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(ReadOnly):
    list_display = ["delivery", "attempted_at", "status_code", "duration_ms", "error"]
    list_select_related = ["delivery"]
    raw_id_fields = ["delivery"]


@admin.register(FanOutCursor)
class FanOutCursorAdmin(ReadOnly):
    list_display = ["txid", "event_id", "updated_at"]


@admin.register(FannedOut)
class FannedOutAdmin(ReadOnly):
    list_display = ["event"]
    raw_id_fields = ["event"]
