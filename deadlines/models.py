"""Court dates, deadlines, the rules that compute them, and the alerts sent before them.

- Courtroom, Hearing (+ HearingChange history): a court date at a time, in a courtroom. Two
  hearings that are not cancelled never overlap in one courtroom (an exclusion constraint).
- DeadlineRule: how a deadline is computed from a trigger (see deadlines.computation).
- Deadline (+ DeadlineChange history): a last day, set by hand or computed by a rule from a
  trigger (a hearing or a date), with overrides kept with their reasons.
- AlertPreference: a user's lead times and channels per kind of date.
- Alert: one message to one person on one channel about one date at one lead time. Its key is
  unique, and it is claimed with a conditional update before it is sent (deadlines.alerts).
- Notification: the in-app inbox.
- CalendarFeed: a secret-token iCalendar address (only its hash is stored).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import (
    ArrayField,
    BigIntegerRangeField,
    DateTimeRangeField,
    RangeOperators,
)
from django.db import models
from django.db.models import F, Func, Q, Value
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.choices import ChoiceLabels
from core.text import in_language
from parties.models import Side


class CourtClosure(models.Model):
    """A day a court does not sit (weather, an administrative order). Deadlines that end on it
    roll like they do on a public holiday (Fed. R. Crim. P. 45(a)(3): clerk's office
    inaccessible)."""

    court = models.ForeignKey("cases.Court", on_delete=models.CASCADE, related_name="closures")
    date = models.DateField()
    reason = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="court_closures_created"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["court", "date"], name="closure_one_per_court_day"),
            models.CheckConstraint(condition=~models.Q(reason=""), name="closure_reason_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.court} closed {self.date.isoformat()}: {self.reason}"


class Courtroom(models.Model):
    court = models.ForeignKey("cases.Court", on_delete=models.CASCADE, related_name="courtrooms")
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["court", "name"]
        constraints = [
            models.UniqueConstraint(fields=["court", "name"], name="courtroom_name_unique"),
            models.CheckConstraint(condition=~Q(name=""), name="courtroom_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name


class HearingKind(models.TextChoices):
    ARRAIGNMENT = "arraignment", _("Arraignment")
    PRETRIAL_CONFERENCE = "pretrial_conference", _("Pretrial conference")
    PLEA_HEARING = "plea_hearing", _("Plea hearing")
    SENTENCING = "sentencing", _("Sentencing")
    TRIAL = "trial", _("Trial")
    STATUS_CONFERENCE = "status_conference", _("Status conference")


class HearingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    # Postponed to a new date (the history keeps the old one and the reason); still to be held.
    CONTINUED = "continued", _("Continued")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


# Hearings still to be held.
UPCOMING_HEARING_STATUSES = (HearingStatus.SCHEDULED, HearingStatus.CONTINUED)


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class SingletonIntRange(Func):
    """int8range(x, x, '[]'): the range holding one integer. Comparing these with && is
    equality on x, which lets a plain GiST exclusion constraint (no btree_gist extension, which
    the embedded PostgreSQL lacks) say "same courtroom and overlapping times"."""

    template = "int8range(%(expressions)s, %(expressions)s, '[]')"
    output_field = BigIntegerRangeField()


class Hearing(ChoiceLabels, models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="hearings")
    kind = models.CharField(max_length=32, choices=HearingKind.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    courtroom = models.ForeignKey(Courtroom, on_delete=models.PROTECT, related_name="hearings")
    judge = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hearings_presided",
    )
    status = models.CharField(
        max_length=16, choices=HearingStatus.choices, default=HearingStatus.SCHEDULED
    )
    notes = models.TextField(blank=True)
    # iCalendar SEQUENCE: raised on every change a calendar shows (RFC 5545 §3.8.7.4).
    sequence = models.PositiveIntegerField(default=0)
    # NULL, not "", for "none": the per-case unique constraint must ignore hearings without one.
    external_id = models.CharField(  # noqa: DJ001
        max_length=128, null=True, blank=True, help_text=_("Identifier in the court docket system.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "external_id"],
                condition=Q(external_id__isnull=False),
                name="hearing_external_id_unique_per_case",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="hearing_ends_after_start"
            ),
            ExclusionConstraint(
                name="hearing_no_overlap_in_courtroom",
                expressions=[
                    (SingletonIntRange("courtroom"), RangeOperators.OVERLAPS),
                    (TsTzRange("starts_at", "ends_at"), RangeOperators.OVERLAPS),
                ],
                condition=~Q(status=HearingStatus.CANCELLED),
            ),
        ]
        indexes = [
            models.Index(fields=["case", "starts_at"], name="hearing_case_start"),
            models.Index(fields=["courtroom", "starts_at"], name="hearing_room_start"),
            # A courtroom's hearings of one status in date order: the hearing lists' status
            # filter walks it (deadlines.selectors.hearing_page_for_user).
            models.Index(
                fields=["courtroom", "status", "starts_at", "id"], name="hearing_room_status_start"
            ),
            models.Index(fields=["judge", "starts_at"], name="hearing_judge_start"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_at.isoformat()}"


class HearingChange(ChoiceLabels, models.Model):
    """One change to a hearing: a continuance (new time, with its reason), a move to another
    courtroom or judge, or a change of status."""

    hearing = models.ForeignKey(Hearing, on_delete=models.CASCADE, related_name="changes")
    from_starts_at = models.DateTimeField(null=True, blank=True)
    to_starts_at = models.DateTimeField(null=True, blank=True)
    from_courtroom = models.ForeignKey(
        Courtroom, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_courtroom = models.ForeignKey(
        Courtroom, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    from_status = models.CharField(max_length=16, choices=HearingStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=HearingStatus.choices)
    reason = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["changed_at", "id"]
        constraints = [
            # A continuance or a cancellation is always explained.
            models.CheckConstraint(
                name="hearing_change_reason_when_moved_or_cancelled",
                condition=~(
                    Q(to_status__in=[HearingStatus.CONTINUED, HearingStatus.CANCELLED])
                    & ~Q(from_status=F("to_status"))
                )
                | ~Q(reason=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hearing_id}: {self.from_status} → {self.to_status}"


class DeadlineKind(models.TextChoices):
    OFFER_EXPIRY = "offer_expiry", _("Offer expiry")
    DISCOVERY_DUE = "discovery_due", _("Discovery due")
    MOTION_DUE = "motion_due", _("Motion due")
    SUGGESTION_RESPONSE_DUE = "suggestion_response_due", _("Response due to a defense suggestion")
    SPEEDY_TRIAL = "speedy_trial", _("Speedy-trial limit")
    CUSTOM = "custom", _("Other deadline")


# Deadlines that belong to the negotiation: only those who read offers see them.
NEGOTIATION_DEADLINE_KINDS = frozenset(
    {DeadlineKind.OFFER_EXPIRY, DeadlineKind.SUGGESTION_RESPONSE_DUE}
)


class DeadlineStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("deadline status", "Open")
    MET = "met", _("Met")
    MISSED = "missed", _("Missed")
    CANCELLED = "cancelled", _("Cancelled")


class RuleTrigger(models.TextChoices):
    """What a rule counts from: a hearing of a kind (its date in the court's time zone), or a
    date entered with the deadline (an indictment, a service, a filing)."""

    EVENT = "event", _("A dated event")
    ARRAIGNMENT = "hearing:arraignment", _("Arraignment")
    PLEA_HEARING = "hearing:plea_hearing", _("Plea hearing")
    SENTENCING = "hearing:sentencing", _("Sentencing")
    TRIAL = "hearing:trial", _("Trial")
    PRETRIAL_CONFERENCE = "hearing:pretrial_conference", _("Pretrial conference")


class DeadlineRule(ChoiceLabels, models.Model):
    """A rule of procedure that computes a deadline (see deadlines.computation.Rule)."""

    code = models.SlugField(max_length=64, unique=True)
    jurisdiction = models.ForeignKey(
        "cases.Jurisdiction", on_delete=models.PROTECT, related_name="deadline_rules"
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=DeadlineKind.choices)
    responsible_side = models.CharField(max_length=16, choices=Side.choices, blank=True)
    trigger = models.CharField(max_length=32, choices=RuleTrigger.choices)
    trigger_label = models.CharField(
        max_length=200, help_text=_("What the trigger date is, e.g. 'Indictment filed'.")
    )
    offset = models.PositiveIntegerField()
    unit = models.CharField(
        max_length=16,
        choices=[("calendar_days", _("Calendar days")), ("court_days", _("Court days"))],
    )
    direction = models.CharField(
        max_length=8,
        choices=[
            ("after", pgettext_lazy("rule direction", "After")),
            ("before", pgettext_lazy("rule direction", "Before")),
        ],
    )
    roll = models.CharField(
        max_length=8,
        choices=[
            ("forward", _("Forward")),
            ("backward", _("Backward")),
            ("none", _("Does not roll")),
        ],
    )
    citation = models.CharField(max_length=300)
    active = models.BooleanField(default=True)
    # The rule in other languages: {"zh-hans": {"name": ..., "trigger_label": ...,
    # "citation": ...}} (core.text.in_language); the fields themselves are in the language of
    # the jurisdiction's law. Shipped with the rules (migrations 0003, 0013).
    translations = models.JSONField(
        _("translations"),
        default=dict,
        blank=True,
        db_default=Value({}, output_field=models.JSONField()),
    )

    class Meta:
        ordering = ["jurisdiction", "name"]
        constraints = [
            models.CheckConstraint(condition=~Q(citation=""), name="rule_citation_not_empty"),
            models.CheckConstraint(
                condition=~Q(kind=DeadlineKind.OFFER_EXPIRY), name="rule_not_offer_expiry"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name_shown} ({self.citation_shown})"

    @property
    def name_shown(self) -> str:
        return in_language(self.translations, "name", self.name)

    @property
    def trigger_label_shown(self) -> str:
        return in_language(self.translations, "trigger_label", self.trigger_label)

    @property
    def citation_shown(self) -> str:
        return in_language(self.translations, "citation", self.citation)


class Deadline(ChoiceLabels, models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="deadlines")
    kind = models.CharField(max_length=32, choices=DeadlineKind.choices)
    title = models.CharField(max_length=200)
    # Which side must act by the date ("" = every side); a missed deadline escalates to it.
    responsible_side = models.CharField(max_length=16, choices=Side.choices, blank=True)
    # The last day, in the court's calendar. A deadline ends at midnight at the end of that day
    # in the court's time zone (Fed. R. Crim. P. 45(a)(4)) unless it has a time (`due_at`).
    due_date = models.DateField()
    due_at = models.DateTimeField(null=True, blank=True)
    # Computed deadlines: the rule, its citation (kept even if the rule changes), the trigger.
    rule = models.ForeignKey(
        DeadlineRule, on_delete=models.PROTECT, null=True, blank=True, related_name="deadlines"
    )
    citation = models.CharField(max_length=300, blank=True)
    trigger_hearing = models.ForeignKey(
        Hearing, on_delete=models.PROTECT, null=True, blank=True, related_name="deadlines"
    )
    trigger_date = models.DateField(null=True, blank=True)
    computed_date = models.DateField(null=True, blank=True)
    explanation = models.TextField(blank=True)
    # A computed date set aside by hand: the reason is required and kept in the history.
    override_reason = models.TextField(blank=True)
    # The negotiation this deadline belongs to (offer expiry, response to a suggestion).
    offer = models.OneToOneField(
        "negotiations.Offer",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="expiry_deadline",
    )
    suggestion = models.OneToOneField(
        "negotiations.Suggestion",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="response_deadline",
    )
    status = models.CharField(
        max_length=16, choices=DeadlineStatus.choices, default=DeadlineStatus.OPEN
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    notes = models.TextField(blank=True)
    sequence = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="deadline_title_not_empty"),
            # A computed deadline has its rule, citation, computed date and exactly one trigger.
            models.CheckConstraint(
                name="deadline_computed_is_complete",
                condition=Q(rule__isnull=True, computed_date__isnull=True)
                | (
                    Q(rule__isnull=False, computed_date__isnull=False)
                    & ~Q(citation="")
                    & (
                        Q(trigger_hearing__isnull=False, trigger_date__isnull=True)
                        | Q(trigger_hearing__isnull=True, trigger_date__isnull=False)
                    )
                ),
            ),
            # An override is a computed date set aside, with a reason.
            models.CheckConstraint(
                name="deadline_override_has_reason",
                condition=Q(rule__isnull=True)
                | Q(due_date=F("computed_date"), override_reason="")
                | (~Q(due_date=F("computed_date")) & ~Q(override_reason="")),
            ),
            models.CheckConstraint(
                name="deadline_offer_expiry_has_offer",
                condition=Q(
                    kind=DeadlineKind.OFFER_EXPIRY, offer__isnull=False, due_at__isnull=False
                )
                | (~Q(kind=DeadlineKind.OFFER_EXPIRY) & Q(offer__isnull=True)),
            ),
            models.CheckConstraint(
                name="deadline_closed_has_time",
                condition=Q(status=DeadlineStatus.OPEN, closed_at__isnull=True)
                | (~Q(status=DeadlineStatus.OPEN) & Q(closed_at__isnull=False)),
            ),
        ]
        indexes = [
            models.Index(fields=["case", "due_date"], name="deadline_case_due"),
            # The sweep's "missed" pass: open deadlines by last day.
            models.Index(
                fields=["due_date"],
                name="deadline_open_due",
                condition=Q(status=DeadlineStatus.OPEN),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.due_date.isoformat()}"


class DeadlineChangeKind(models.TextChoices):
    CREATED = "created", pgettext_lazy("deadline change", "Created")
    EDITED = "edited", _("Edited by hand")
    OVERRIDDEN = "overridden", _("Computed date overridden")
    OVERRIDE_REMOVED = "override_removed", _("Override removed")
    TRIGGER_MOVED = "trigger_moved", _("Trigger moved")
    RECOMPUTED = "recomputed", _("Recomputed (the court's calendar changed)")
    MET = "met", _("Met")
    MISSED = "missed", _("Missed")
    CANCELLED = "cancelled", _("Cancelled")
    REOPENED = "reopened", _("Reopened")


class DeadlineChange(ChoiceLabels, models.Model):
    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=32, choices=DeadlineChangeKind.choices)
    from_date = models.DateField(null=True, blank=True)
    to_date = models.DateField(null=True, blank=True)
    reason = models.TextField(blank=True)
    # None: done by Parley itself (a moved trigger, the sweep).
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["changed_at", "id"]
        constraints = [
            models.CheckConstraint(
                name="deadline_change_override_has_reason",
                condition=~Q(kind=DeadlineChangeKind.OVERRIDDEN) | ~Q(reason=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deadline_id}: {self.kind}"


class AlertChannel(models.TextChoices):
    IN_APP = "in_app", _("In the app")
    EMAIL = "email", _("E-mail")


class AlertSubject(models.TextChoices):
    """What an alert is about. Reminders come before a date at a lead time; the others are
    sent once, as soon as the sweep sees them."""

    REMINDER = "reminder", _("Reminder")
    ESCALATION = "escalation", _("Missed deadline")
    OFFER_EXPIRED = "offer_expired", _("Offer expired")
    HEARING_CHANGED = "hearing_changed", _("Hearing changed")
    DIGEST = "digest", _("Daily digest")
    # A note, document or disclosure added to a case record (in-app only, never e-mailed).
    RECORD = "record", _("Case record")
    # About an API client of the user's (a webhook endpoint disabled; in-app and e-mail).
    INTEGRATION = "integration", _("Integration")


class AlertStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    CLAIMED = "claimed", _("Being sent")
    # An e-mail handed to the mail server, not yet recorded as accepted (deadlines.alerts):
    # committed before the server is asked, so that an attempt that may have left is known.
    SENDING = "sending", _("Handed to the mail server")
    SENT = "sent", pgettext_lazy("alert status", "Sent")
    # No longer wanted: the date moved or was cancelled, or the person lost access.
    CANCELLED = "cancelled", _("Cancelled")
    # Came due only after the date itself had passed (the system was down): not sent.
    LAPSED = "lapsed", _("Lapsed")


# Lead times in minutes: 7 days, 2 days, 1 day, 2 hours.
DEFAULT_LEAD_MINUTES = (7 * 24 * 60, 2 * 24 * 60, 24 * 60, 120)


class AlertPreference(models.Model):
    """A user's lead times and channels for one kind of date (a deadline or hearing kind).
    Without a row, the defaults apply."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_preferences"
    )
    kind = models.CharField(max_length=32)
    lead_minutes = ArrayField(models.PositiveIntegerField(), size=8)
    in_app = models.BooleanField(default=True)
    email = models.BooleanField(default=True)

    class Meta:
        ordering = ["user", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="alert_preference_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}"


class AlertSettings(models.Model):
    """Per-user settings that are not per kind: the daily digest."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_settings"
    )
    daily_digest = models.BooleanField(default=False)
    # The hour (0-23) in the user's time zone at which the digest goes out.
    digest_hour = models.PositiveSmallIntegerField(default=7)
    time_zone = models.CharField(max_length=64, default="UTC")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(digest_hour__lte=23), name="alert_digest_hour"),
        ]

    def __str__(self) -> str:
        return f"alert settings of {self.user_id}"


class Alert(ChoiceLabels, models.Model):
    """One message to one person on one channel. The key (what, when, who, lead, channel) is
    unique, so planning twice never creates two; the sweep claims a pending alert with a
    conditional update before it sends it, so delivering twice never sends two. An e-mail goes
    pending → claimed → sending (committed before the mail server is asked) → sent (recorded
    once the server accepted it); see deadlines.alerts."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alerts"
    )
    channel = models.CharField(max_length=8, choices=AlertChannel.choices)
    subject = models.CharField(max_length=16, choices=AlertSubject.choices)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="alerts"
    )
    deadline = models.ForeignKey(
        Deadline, on_delete=models.CASCADE, null=True, blank=True, related_name="alerts"
    )
    hearing = models.ForeignKey(
        Hearing, on_delete=models.CASCADE, null=True, blank=True, related_name="alerts"
    )
    # The moment the date stands for (hearing start, end of the last day, offer expiry), or for
    # one-off alerts the moment of the event; part of the key, so a moved date gets new alerts.
    target_at = models.DateTimeField()
    lead_minutes = models.PositiveIntegerField(default=0)
    send_at = models.DateTimeField()
    status = models.CharField(
        max_length=16, choices=AlertStatus.choices, default=AlertStatus.PENDING
    )
    claim_token = models.UUIDField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "subject",
                    "deadline",
                    "hearing",
                    "target_at",
                    "recipient",
                    "lead_minutes",
                    "channel",
                ],
                name="alert_key_unique",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                name="alert_about_at_most_one_date",
                condition=Q(deadline__isnull=True) | Q(hearing__isnull=True),
            ),
            models.CheckConstraint(
                name="alert_sent_has_time",
                condition=Q(status=AlertStatus.SENT, sent_at__isnull=False)
                | (~Q(status=AlertStatus.SENT) & Q(sent_at__isnull=True)),
            ),
            models.CheckConstraint(
                name="alert_claimed_has_token",
                condition=~Q(status__in=[AlertStatus.CLAIMED, AlertStatus.SENDING])
                | Q(claim_token__isnull=False, claimed_at__isnull=False),
            ),
            models.CheckConstraint(
                name="alert_sending_is_email",
                condition=~Q(status=AlertStatus.SENDING) | Q(channel=AlertChannel.EMAIL),
            ),
        ]
        indexes = [
            # The sweeps (one per channel): pending alerts by send time, and claims whose
            # worker went away. The channel leads, so that a backlog of e-mail never lengthens
            # the in-app sweep's walk, nor the other way round.
            models.Index(
                fields=["channel", "send_at"],
                name="alert_pending_due",
                condition=Q(status="pending"),
            ),
            models.Index(
                fields=["channel", "claimed_at"],
                name="alert_claimed_at",
                condition=Q(status__in=["claimed", "sending"]),
            ),
            models.Index(fields=["deadline"], name="alert_deadline"),
            models.Index(fields=["hearing"], name="alert_hearing"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} to {self.recipient_id} by {self.channel} at {self.send_at}"


class Notification(ChoiceLabels, models.Model):
    """The in-app inbox. A notification keeps references, never copies: its title, text and
    link are rendered through cases.permissions each time it is read
    (deadlines.notifications), so what sits behind a wall the reader no longer stands behind
    (their part in the case ended, a document they may no longer open) reads as "an item you
    no longer have access to". An alert delivers at most one (its unique `alert`)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    alert = models.OneToOneField(
        Alert, on_delete=models.SET_NULL, null=True, blank=True, related_name="notification"
    )
    subject = models.CharField(max_length=16, choices=AlertSubject.choices)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # What it is about, as ids only ({"note": 12}, {"document": 3}, {"endpoint": 5},
    # {"items": [["hearing", 4], ...]}); see deadlines.notifications for each subject's keys.
    params = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            models.Index(
                fields=["recipient"],
                name="notification_unread",
                condition=Q(read_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} to {self.recipient_id}"


class DigestSent(models.Model):
    """One daily digest per user per local day, however often the digest task runs."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="digest_one_per_day"),
        ]

    def __str__(self) -> str:
        return f"digest {self.user_id} {self.day.isoformat()}"


class CalendarFeed(models.Model):
    """A secret iCalendar address: a user's feed (every date they may see) or one case's feed
    as that user sees it. Only the SHA-256 of the token is stored; rotating replaces it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    rotated_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "case"], name="calendar_feed_one_per_scope", nulls_distinct=False
            ),
        ]

    def __str__(self) -> str:
        return f"feed {self.user_id} {self.case_id or 'all'}"
