"""Integration with other systems: API clients and their tokens, and the event log that the
change feed (`/api/v1/events/`) serves and webhooks deliver.

An API client is a service account (an ordinary Parley user with a role, so every permission
rule applies to it unchanged) bound to one court, owned by a person who hears of its problems.
Its tokens are stored as SHA-256 hashes; the token itself is shown once, when made.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import BrinIndex
from django.db import models
from django.db.models import Func, Q
from django.utils.translation import gettext_lazy as _

from core.choices import ChoiceLabels


class CurrentTransactionId(Func):
    """The id of the writing transaction (PostgreSQL's pg_current_xact_id) as a bigint.

    The change feed orders events by (transaction, id) and serves only transactions older than
    every one still running, so a poller's cursor never passes an event that commits later."""

    template = "(pg_current_xact_id()::text::bigint)"
    output_field = models.BigIntegerField()


class ApiClient(models.Model):
    name = models.CharField(max_length=120)
    court = models.ForeignKey("cases.Court", on_delete=models.PROTECT, related_name="api_clients")
    # The account its requests run as. Created with the client and used for nothing else.
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_client"
    )
    # The role its account acts in (cases.permissions.API_CLIENT_ROLES), fixed when made.
    role = models.CharField(max_length=32)
    # The person told when its webhooks are disabled or its tokens are about to lapse.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_clients_owned"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["court", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["court", "name"], name="api_client_name_unique"),
            models.CheckConstraint(
                name="api_client_role_valid",
                condition=Q(role__in=["court_staff", "prosecutor", "defense_counsel"]),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ApiToken(models.Model):
    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="tokens")
    name = models.CharField(max_length=120)
    # The first characters of the token, shown in lists so a token can be recognised.
    prefix = models.CharField(max_length=16)
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Written at most once a minute (integrations.auth), not on every request.
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"


class EventType(models.TextChoices):
    CASE_CREATED = "case.created", _("Case created")
    CASE_UPDATED = "case.updated", _("Case updated")
    CHARGE_DISPOSED = "charge.disposed", _("Charge disposed")
    OFFER_SENT = "offer.sent", _("Offer sent")
    OFFER_ACCEPTED = "offer.accepted", _("Offer accepted")
    OFFER_REJECTED = "offer.rejected", _("Offer rejected")
    OFFER_EXPIRED = "offer.expired", _("Offer expired")
    AGREEMENT_SUBMITTED = "agreement.submitted", _("Agreement submitted")
    AGREEMENT_REVIEWED = "agreement.reviewed", _("Agreement reviewed")
    AGREEMENT_WITHDRAWN = "agreement.withdrawn", _("Agreement withdrawn")
    HEARING_SCHEDULED = "hearing.scheduled", _("Hearing scheduled")
    HEARING_RESCHEDULED = "hearing.rescheduled", _("Hearing rescheduled")
    HEARING_CANCELLED = "hearing.cancelled", _("Hearing cancelled")
    DEADLINE_CREATED = "deadline.created", _("Deadline created")
    DEADLINE_MISSED = "deadline.missed", _("Deadline missed")


class EventAudience(models.TextChoices):
    """Who may learn of an event (integrations.selectors.events_visible_to)."""

    # Everyone who sees the case.
    CASE = "case", _("Everyone who sees the case")
    # The prosecution and the defense only: offers are the parties' business, never the court's.
    PARTIES = "parties", _("The parties")
    # Whoever reads the negotiation (cases.permissions.may_read_offers).
    NEGOTIATION = "negotiation", _("Readers of the negotiation")


class Event(ChoiceLabels, models.Model):
    """Something that happened to a case, for other systems. Thin on purpose: a receiver reads
    the subject through the API, whose permission checks then apply."""

    id = models.BigAutoField(primary_key=True)
    type = models.CharField(max_length=32, choices=EventType.choices)
    court = models.ForeignKey("cases.Court", on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="events")
    subject_type = models.CharField(max_length=16)
    subject_id = models.BigIntegerField()
    audience = models.CharField(max_length=16, choices=EventAudience.choices)
    occurred_at = models.DateTimeField()
    txid = models.BigIntegerField(db_default=CurrentTransactionId(), editable=False)

    class Meta:
        ordering = ["txid", "id"]
        indexes = [
            models.Index(fields=["txid", "id"], name="event_feed_order"),
            models.Index(fields=["case", "txid", "id"], name="event_case_feed"),
            # A court member's feed walks their court's events in the feed's order
            # (integrations.selectors.event_feed).
            models.Index(fields=["court", "txid", "id"], name="event_court_feed"),
            # Pruning finds the old events (integrations.services.events_prune). Rows are
            # written in time order, so a block range index is small and costs inserts little.
            BrinIndex(fields=["occurred_at"], name="event_occurred_brin"),
        ]
        constraints = [
            models.CheckConstraint(name="event_type_valid", condition=Q(type__in=EventType.values)),
            models.CheckConstraint(
                name="event_audience_valid", condition=Q(audience__in=EventAudience.values)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.subject_type}:{self.subject_id}"


class EventLogPruned(models.Model):
    """How far the event log was pruned: the last pruned event in the feed's order. A feed
    cursor before it may have missed events that are gone (the feed answers 410). One row
    (id 1), absent until the first pruning."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    txid = models.BigIntegerField()
    event_id = models.BigIntegerField()
    pruned_at = models.DateTimeField()

    class Meta:
        constraints = [models.CheckConstraint(name="event_log_pruned_single", condition=Q(id=1))]

    def __str__(self) -> str:
        return f"pruned up to {self.txid}.{self.event_id}"
