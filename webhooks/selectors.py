"""Reads about webhooks. Who sees an endpoint is who sees its client
(integrations.selectors.api_clients_visible_to): the people who manage the client, and the
client itself. Everyone else finds nothing (404, like a missing one)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Prefetch, QuerySet

from integrations.models import ApiClient
from integrations.selectors import api_clients_visible_to
from webhooks.models import Delivery, DeliveryAttempt, WebhookEndpoint, WebhookSecret

if TYPE_CHECKING:
    from cases.permissions import AnyUser


def webhook_clients_for(user: AnyUser) -> QuerySet[ApiClient]:
    return api_clients_visible_to(user)


def endpoints_visible_to(user: AnyUser) -> QuerySet[WebhookEndpoint]:
    return (
        WebhookEndpoint.objects.filter(client__in=api_clients_visible_to(user).values("pk"))
        .select_related("client__court", "client__owner")
        .prefetch_related(
            Prefetch("secrets", queryset=WebhookSecret.objects.order_by("-created_at", "-id"))
        )
    )


def endpoints_of(client: ApiClient) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(client=client).order_by("id")


def deliveries_of(endpoint: WebhookEndpoint) -> QuerySet[Delivery]:
    """The delivery log, newest first, with each delivery's event."""
    return Delivery.objects.filter(endpoint=endpoint).select_related("event").order_by("-id")


def deliveries_with_attempts(endpoint: WebhookEndpoint, *, limit: int) -> list[Delivery]:
    """The newest `limit` deliveries with their attempts (newest first): two queries."""
    return list(
        deliveries_of(endpoint).prefetch_related(
            Prefetch(
                "attempt_log",
                queryset=DeliveryAttempt.objects.order_by("-attempted_at", "-id"),
            )
        )[:limit]
    )


def deliveries_visible_to(user: AnyUser) -> QuerySet[Delivery]:
    return Delivery.objects.filter(
        endpoint__client__in=api_clients_visible_to(user).values("pk")
    ).select_related("event", "endpoint__client")
