"""Webhooks: an API client's endpoints, their signing secrets, and the delivery of events to them.

An endpoint subscribes to event types; each event of its court that the client's account may
see (integrations.selectors.event_visible_to) becomes one Delivery, sent and retried by Celery
(webhooks.services) and logged attempt by attempt. Messages are signed following the Standard
Webhooks specification (webhooks.signing) with every secret still valid, so a rotation never
breaks a receiver.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import BrinIndex
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.choices import ChoiceLabels
from integrations.models import EventType


class WebhookEndpoint(models.Model):
    client = models.ForeignKey(
        "integrations.ApiClient", on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.CharField(max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    event_types = ArrayField(models.CharField(max_length=32, choices=EventType.choices), size=32)
    # NULL while enabled. Set by hand, after a delivery exhausted its retries, or on 410 Gone.
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["client", "id"]
        constraints = [
            models.CheckConstraint(
                name="webhook_event_types_valid",
                condition=Q(event_types__contained_by=list(EventType.values)),
            ),
            models.CheckConstraint(
                name="webhook_event_types_not_empty",
                condition=Q(event_types__len__gte=1),
            ),
            models.CheckConstraint(
                name="webhook_disabled_has_reason",
                condition=(Q(disabled_at__isnull=True) & Q(disabled_reason=""))
                | (Q(disabled_at__isnull=False) & ~Q(disabled_reason="")),
            ),
            models.CheckConstraint(name="webhook_url_http", condition=Q(url__regex=r"^https?://")),
        ]
        indexes = [
            # Fan-out: the enabled endpoints of a type (GIN would serve `contains`, but an
            # event's court has a handful of endpoints at most; the client index narrows first).
            models.Index(
                fields=["client"], name="webhook_enabled", condition=Q(disabled_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return self.url

    @property
    def is_enabled(self) -> bool:
        return self.disabled_at is None


class WebhookSecret(models.Model):
    """A signing secret, `whsec_<base64>`. The newest is current; an older one stays valid
    (and signs too) until `expires_at`, so receivers can switch over without losing a message."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="secrets")
    secret = models.CharField(max_length=100)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["endpoint", "-created_at", "-id"]
        indexes = [models.Index(fields=["endpoint", "-created_at"], name="webhook_secret_current")]
        constraints = [
            models.CheckConstraint(
                name="webhook_secret_form",
                condition=Q(secret__startswith="whsec_"),  # noqa: S106 (a format, not a secret)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.secret[:10]}… (endpoint {self.endpoint_id})"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class Delivery(ChoiceLabels, models.Model):
    """One event to one endpoint, tried until it succeeds or its retries run out.

    `message_id` is the Standard Webhooks `webhook-id`: the same on every attempt and on a
    replay, so a receiver that already handled the message can tell."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(
        "integrations.Event", on_delete=models.CASCADE, related_name="webhook_deliveries"
    )
    # A manual replay is a delivery of its own, pointing at the one it repeats (and gone with
    # it: a replay left without its original would count as the original).
    replay_of = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replays"
    )
    message_id = models.CharField(max_length=40)
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    # When the next attempt is due (NULL once done). While a task is queued or running, it is
    # pushed past the claim's lease, and `claim_token` names the task that may send.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_response_ms = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.CheckConstraint(
                name="delivery_status_valid", condition=Q(status__in=DeliveryStatus.values)
            ),
            # Fan-out may run twice for an event: the second finds the first's rows.
            models.UniqueConstraint(
                fields=["endpoint", "event"],
                condition=Q(replay_of__isnull=True),
                name="delivery_once_per_endpoint_event",
            ),
            # One delivery of an event to an endpoint in flight at a time (replays included).
            models.UniqueConstraint(
                fields=["endpoint", "event"],
                condition=Q(status="pending"),
                name="delivery_one_pending_per_endpoint_event",
            ),
            models.CheckConstraint(
                name="delivery_pending_is_scheduled",
                condition=(
                    Q(status="pending", next_attempt_at__isnull=False, completed_at__isnull=True)
                    | (
                        ~Q(status="pending")
                        & Q(next_attempt_at__isnull=True, completed_at__isnull=False)
                    )
                ),
            ),
        ]
        indexes = [
            # The sweep: pending deliveries by due time.
            models.Index(
                fields=["next_attempt_at"],
                name="delivery_due",
                condition=Q(status="pending"),
            ),
            # The delivery log of an endpoint, newest first.
            models.Index(fields=["endpoint", "-id"], name="delivery_log"),
            # Pruning finds the old ones (webhooks.services.deliveries_prune); rows are written
            # in time order, so a block range index is enough.
            BrinIndex(fields=["created_at"], name="delivery_created_brin"),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} → endpoint {self.endpoint_id} ({self.status})"


class DeliveryAttempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    attempted_at = models.DateTimeField()
    # NULL when no HTTP answer came back (refused destination, timeout, connection error).
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField()
    error = models.CharField(max_length=500, blank=True)
    # The first kilobyte of the answer, for the log: receivers' errors are often explained there.
    response_excerpt = models.CharField(max_length=1024, blank=True)

    class Meta:
        ordering = ["delivery", "-attempted_at", "-id"]
        indexes = [models.Index(fields=["delivery", "-attempted_at"], name="attempt_log")]

    def __str__(self) -> str:
        return f"attempt of delivery {self.delivery_id} at {self.attempted_at:%Y-%m-%d %H:%M:%S}"


class FanOutCursor(models.Model):
    """How far the sweep has fanned out the event log, in the change feed's order (transaction,
    then id). The fan-out task queued after each commit is the fast path; the sweep walks the
    log behind it, so an event whose task message was lost still reaches its endpoints. One
    row (id 1)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    txid = models.BigIntegerField()
    event_id = models.BigIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(name="fan_out_cursor_single", condition=Q(id=1))]

    def __str__(self) -> str:
        return f"fanned out up to {self.txid}.{self.event_id}"


class FannedOut(models.Model):
    """An event the `fan_out_events` task has handled, ahead of the sweep's cursor: the sweep
    passes it by, then deletes the mark, so the table holds only the last seconds of the log."""

    event = models.OneToOneField(
        "integrations.Event", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"event {self.event_id} fanned out"
