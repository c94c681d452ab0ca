"""What the court-dates API reads and writes. Parsing only: every rule (who may schedule, which
courtroom, which rule applies, which move is legal) is in deadlines.services and
deadlines.alerts.

Moments are ISO 8601 in UTC; each hearing and deadline also carries its court's `time_zone`,
in which its days are counted and its times are shown.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.api.serializers import VisibleCaseField
from cases.models import Court
from core.api.fields import AwareDateTimeField, NamedChoiceField
from core.api.serializers import FastReadMixin
from core.text import user_name
from deadlines import selectors
from deadlines.computation import FIRST_DAY, LAST_DAY, OUT_OF_RANGE
from deadlines.models import (
    CourtClosure,
    Courtroom,
    Deadline,
    DeadlineChange,
    DeadlineChangeKind,
    DeadlineKind,
    DeadlineRule,
    DeadlineStatus,
    Hearing,
    HearingChange,
    HearingKind,
    HearingStatus,
    RuleTrigger,
)
from deadlines.notifications import ShownNotification
from parties.models import Side

MAX_TEXT = 20_000


def _name(user: Any) -> str | None:
    if user is None:
        return None
    return user_name(user)


def _check_day(value: dt.date | None) -> None:
    if value is not None and not FIRST_DAY <= value <= LAST_DAY:
        raise serializers.ValidationError(OUT_OF_RANGE)


def _check_moment(value: dt.datetime | None) -> None:
    if value is not None:
        _check_day(value.date())


def _day(**kwargs: Any) -> serializers.DateField:
    return serializers.DateField(validators=[_check_day], **kwargs)


def _moment(**kwargs: Any) -> serializers.DateTimeField:
    return AwareDateTimeField(validators=[_check_moment], **kwargs)


def _reason(help_text: str = "") -> serializers.CharField:
    """A reason; whether one is required is for the service to say (400 for `reason`)."""
    return serializers.CharField(
        required=False, allow_blank=True, default="", max_length=MAX_TEXT, help_text=help_text
    )


RESPONSIBLE_SIDES = [("", "Every side"), *Side.choices]


def hearing_kind(**kwargs: Any) -> NamedChoiceField:
    return NamedChoiceField(HearingKind.choices, component="HearingKindEnum", **kwargs)


def hearing_status(**kwargs: Any) -> NamedChoiceField:
    return NamedChoiceField(HearingStatus.choices, component="HearingStatusEnum", **kwargs)


def deadline_kind(**kwargs: Any) -> NamedChoiceField:
    return NamedChoiceField(DeadlineKind.choices, component="DeadlineKindEnum", **kwargs)


def responsible_side(**kwargs: Any) -> NamedChoiceField:
    return NamedChoiceField(
        RESPONSIBLE_SIDES,
        component="ResponsibleSideEnum",
        help_text="The side that must act by the date; blank: every side.",
        **kwargs,
    )


# --- courtrooms and closures ---------------------------------------------------------------------


class CourtroomSerializer(FastReadMixin, serializers.ModelSerializer[Courtroom]):
    court_name = serializers.CharField(source="court.name", read_only=True)

    class Meta:
        model = Courtroom
        fields = ["id", "court", "court_name", "name"]
        read_only_fields = fields


class CourtroomCreateSerializer(serializers.Serializer[Any]):
    court = serializers.PrimaryKeyRelatedField(queryset=Court.objects.all())
    name = serializers.CharField(max_length=100)


class ClosureSerializer(FastReadMixin, serializers.ModelSerializer[CourtClosure]):
    class Meta:
        model = CourtClosure
        fields = ["id", "court", "date", "reason", "created_by", "created_at"]
        read_only_fields = fields


class ClosureCreateSerializer(serializers.Serializer[Any]):
    court = serializers.PrimaryKeyRelatedField(queryset=Court.objects.all())
    date = _day()
    reason = serializers.CharField(max_length=MAX_TEXT)


# --- hearings ------------------------------------------------------------------------------------


class HearingChangeSerializer(FastReadMixin, serializers.ModelSerializer[HearingChange]):
    from_status = NamedChoiceField(
        [("", "None (scheduled)"), *HearingStatus.choices],
        component="HearingFromStatusEnum",
        read_only=True,
    )
    to_status = hearing_status(read_only=True)
    from_courtroom_name = serializers.SerializerMethodField()
    to_courtroom_name = serializers.SerializerMethodField()
    changed_by_name = serializers.SerializerMethodField()

    class Meta:
        model = HearingChange
        fields = [
            "id",
            "from_status",
            "to_status",
            "from_starts_at",
            "to_starts_at",
            "from_courtroom",
            "from_courtroom_name",
            "to_courtroom",
            "to_courtroom_name",
            "reason",
            "changed_by",
            "changed_by_name",
            "changed_at",
        ]
        read_only_fields = fields

    def get_from_courtroom_name(self, change: HearingChange) -> str | None:
        return change.from_courtroom.name if change.from_courtroom else None

    def get_to_courtroom_name(self, change: HearingChange) -> str | None:
        return change.to_courtroom.name if change.to_courtroom else None

    def get_changed_by_name(self, change: HearingChange) -> str | None:
        return _name(change.changed_by)


class HearingSerializer(FastReadMixin, serializers.ModelSerializer[Hearing]):
    kind = hearing_kind(read_only=True)
    status = hearing_status(read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    docket_number = serializers.CharField(source="case.docket_number", read_only=True)
    court = serializers.IntegerField(source="case.court_id", read_only=True)
    time_zone = serializers.CharField(
        source="case.court.time_zone",
        read_only=True,
        help_text="The court's time zone (IANA), in which the hearing is held.",
    )
    courtroom_name = serializers.CharField(source="courtroom.name", read_only=True)
    judge_name = serializers.SerializerMethodField()

    class Meta:
        model = Hearing
        fields = [
            "id",
            "case",
            "docket_number",
            "court",
            "time_zone",
            "kind",
            "kind_display",
            "starts_at",
            "ends_at",
            "courtroom",
            "courtroom_name",
            "judge",
            "judge_name",
            "status",
            "status_display",
            "notes",
            "sequence",
            "external_id",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_judge_name(self, hearing: Hearing) -> str | None:
        return _name(hearing.judge)


class HearingDetailSerializer(HearingSerializer):
    """A hearing with its history: every continuance, move and change of status, oldest first."""

    changes = serializers.SerializerMethodField()

    class Meta(HearingSerializer.Meta):
        fields = [*HearingSerializer.Meta.fields, "changes"]
        read_only_fields = fields

    @extend_schema_field(HearingChangeSerializer(many=True))
    def get_changes(self, hearing: Hearing) -> list[dict[str, Any]]:
        changes = selectors.hearing_history(hearing)
        return list(HearingChangeSerializer(changes, many=True).data)


@extend_schema_field(OpenApiTypes.INT)
class CourtroomField(serializers.PrimaryKeyRelatedField[Courtroom]):
    """A courtroom id; whether it is in the case's court is for the service to say."""

    def get_queryset(self) -> Any:
        return Courtroom.objects.all()


@extend_schema_field(OpenApiTypes.INT)
class UserField(serializers.PrimaryKeyRelatedField[User]):
    """A user id (the judge); whether they may preside is for the service to say."""

    def get_queryset(self) -> Any:
        return User.objects.filter(is_active=True)


class HearingCreateSerializer(serializers.Serializer[Any]):
    case = VisibleCaseField()
    kind = hearing_kind()
    starts_at = _moment()
    ends_at = _moment()
    courtroom = CourtroomField()
    judge = UserField(required=False, allow_null=True, default=None)
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=MAX_TEXT)


class HearingRescheduleSerializer(serializers.Serializer[Any]):
    starts_at = _moment()
    ends_at = _moment()
    courtroom = CourtroomField(
        required=False, allow_null=True, default=None, help_text="Left out: the same courtroom."
    )
    reason = _reason(help_text="Why the hearing is continued; required.")


class HearingUpdateSerializer(serializers.Serializer[Any]):
    judge = UserField(required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT)


class ChangeReasonSerializer(serializers.Serializer[Any]):
    reason = _reason()


# --- rules ---------------------------------------------------------------------------------------


class RuleSerializer(FastReadMixin, serializers.ModelSerializer[DeadlineRule]):
    kind = deadline_kind(read_only=True)
    responsible_side = responsible_side(read_only=True)
    trigger = NamedChoiceField(RuleTrigger.choices, component="RuleTriggerEnum", read_only=True)
    jurisdiction_code = serializers.CharField(source="jurisdiction.code", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    trigger_display = serializers.CharField(source="get_trigger_display", read_only=True)

    class Meta:
        model = DeadlineRule
        fields = [
            "id",
            "code",
            "jurisdiction",
            "jurisdiction_code",
            "name",
            "kind",
            "kind_display",
            "responsible_side",
            "trigger",
            "trigger_display",
            "trigger_label",
            "offset",
            "unit",
            "direction",
            "roll",
            "citation",
            "active",
        ]
        read_only_fields = fields


class RulePreviewQuerySerializer(serializers.Serializer[Any]):
    case = VisibleCaseField(help_text="The case whose court's calendar counts the days.")
    trigger_date = _day(help_text="The trigger's date, in the court's calendar.")


class RulePreviewSerializer(serializers.Serializer[Any]):
    rule = serializers.IntegerField()
    case = serializers.IntegerField()
    trigger_date = serializers.DateField()
    date = serializers.DateField(help_text="The last day, after any roll.")
    rolled_from = serializers.DateField(
        allow_null=True, help_text="The last day of the period before it rolled, when it did."
    )
    citation = serializers.CharField()
    explanation = serializers.ListField(child=serializers.CharField())


# --- deadlines -----------------------------------------------------------------------------------


class DeadlineChangeSerializer(FastReadMixin, serializers.ModelSerializer[DeadlineChange]):
    kind = NamedChoiceField(
        DeadlineChangeKind.choices, component="DeadlineChangeKindEnum", read_only=True
    )
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    changed_by_name = serializers.SerializerMethodField()

    class Meta:
        model = DeadlineChange
        fields = [
            "id",
            "kind",
            "kind_display",
            "from_date",
            "to_date",
            "reason",
            "changed_by",
            "changed_by_name",
            "changed_at",
        ]
        read_only_fields = fields

    def get_changed_by_name(self, change: DeadlineChange) -> str | None:
        """None: done by Parley itself (a moved trigger, the sweep)."""
        return _name(change.changed_by)


class DeadlineSerializer(FastReadMixin, serializers.ModelSerializer[Deadline]):
    kind = deadline_kind(read_only=True)
    status = NamedChoiceField(
        DeadlineStatus.choices, component="DeadlineStatusEnum", read_only=True
    )
    responsible_side = responsible_side(read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    docket_number = serializers.CharField(source="case.docket_number", read_only=True)
    time_zone = serializers.CharField(
        source="case.court.time_zone",
        read_only=True,
        help_text="The court's time zone (IANA), whose calendar the days are.",
    )
    due_by = serializers.SerializerMethodField(
        help_text="The moment the deadline passes: `due_at` when it has a time, else midnight "
        "at the end of `due_date` in the court's time zone (Fed. R. Crim. P. 45(a)(4))."
    )
    rule_code = serializers.SerializerMethodField()
    overridden = serializers.SerializerMethodField(
        help_text="Whether the computed date is set aside by hand (see `override_reason`)."
    )

    class Meta:
        model = Deadline
        fields = [
            "id",
            "case",
            "docket_number",
            "time_zone",
            "kind",
            "kind_display",
            "title",
            "responsible_side",
            "due_date",
            "due_at",
            "due_by",
            "rule",
            "rule_code",
            "citation",
            "trigger_hearing",
            "trigger_date",
            "computed_date",
            "overridden",
            "override_reason",
            "explanation",
            "offer",
            "suggestion",
            "status",
            "status_display",
            "closed_at",
            "closed_by",
            "notes",
            "sequence",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_due_by(self, deadline: Deadline) -> str:
        moment = selectors.deadline_moment(deadline)
        return str(serializers.DateTimeField().to_representation(moment))

    def get_rule_code(self, deadline: Deadline) -> str | None:
        return deadline.rule.code if deadline.rule else None

    def get_overridden(self, deadline: Deadline) -> bool:
        return deadline.rule_id is not None and deadline.due_date != deadline.computed_date


class DeadlineDetailSerializer(DeadlineSerializer):
    """A deadline with its history: creation, edits, overrides, moved triggers, closing."""

    changes = serializers.SerializerMethodField()

    class Meta(DeadlineSerializer.Meta):
        fields = [*DeadlineSerializer.Meta.fields, "changes"]
        read_only_fields = fields

    @extend_schema_field(DeadlineChangeSerializer(many=True))
    def get_changes(self, deadline: Deadline) -> list[dict[str, Any]]:
        changes = selectors.deadline_history(deadline)
        return list(DeadlineChangeSerializer(changes, many=True).data)


@extend_schema_field(OpenApiTypes.INT)
class RuleField(serializers.PrimaryKeyRelatedField[DeadlineRule]):
    """A rule id; whether it applies to the case's jurisdiction is for the service to say."""

    def get_queryset(self) -> Any:
        return DeadlineRule.objects.all()


@extend_schema_field(OpenApiTypes.INT)
class VisibleHearingField(serializers.PrimaryKeyRelatedField[Hearing]):
    """A hearing id; hearings the caller may not see are as unknown as missing ones."""

    def get_queryset(self) -> Any:
        # One hearing by its id: its case probed, not the reader's every case.
        return selectors.hearings_checked_for(self.context["request"].user)


class DeadlineCreateSerializer(serializers.Serializer[Any]):
    """A deadline set by hand (`due_date`) or computed by a rule from one trigger (`rule` with
    `trigger_hearing` or `trigger_date`)."""

    case = VisibleCaseField()
    kind = deadline_kind(required=False, help_text="Required when set by hand; else the rule's.")
    title = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required when set by hand; a computed deadline defaults to its rule's name.",
    )
    responsible_side = responsible_side(required=False, allow_blank=True, default="")
    due_date = _day(required=False, allow_null=True, default=None)
    due_at = _moment(
        required=False,
        allow_null=True,
        default=None,
        help_text="A deadline set by hand that ends at a time of its due date (court time).",
    )
    rule = RuleField(required=False, allow_null=True, default=None)
    trigger_hearing = VisibleHearingField(required=False, allow_null=True, default=None)
    trigger_date = _day(required=False, allow_null=True, default=None)
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=MAX_TEXT)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("rule") is None and "kind" not in attrs:
            raise serializers.ValidationError(
                {"kind": _("Choose the kind of deadline (a rule sets its own).")}
            )
        return attrs

    def service_arguments(self) -> dict[str, Any]:
        """The validated body as deadline_create takes it; a computed deadline's kind is its
        rule's unless given."""
        data = dict(self.validated_data)
        rule = data.get("rule")
        if rule is not None:
            data.setdefault("kind", rule.kind)
        return data


class DeadlineUpdateSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(required=False, max_length=200)
    due_date = _day(required=False, help_text="A deadline set by hand only; override a rule's.")
    trigger_date = _day(
        required=False, help_text="A computed deadline counted from a date: moves it."
    )
    notes = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT)
    reason = _reason(help_text="Why, kept in the history.")


class DeadlineOverrideSerializer(serializers.Serializer[Any]):
    due_date = _day()
    reason = _reason(help_text="Why the computed date is set aside; required.")


# --- notifications and preferences --------------------------------------------------------------


class NotificationSerializer(serializers.Serializer[Any]):
    """A notification as its reader may read it now (deadlines.notifications): rendered through
    the walls when read, so one about something they may no longer see reads as "an item you
    no longer have access to", with no case, text or link."""

    id = serializers.IntegerField(source="notification.pk")
    subject = serializers.CharField(source="notification.subject")
    subject_display = serializers.CharField(source="notification.get_subject_display")
    case = serializers.SerializerMethodField()
    title = serializers.CharField(source="shown.title")
    body = serializers.CharField(source="shown.body")
    url = serializers.CharField(source="shown.url")
    available = serializers.BooleanField(
        help_text="False when it is about something you may no longer see."
    )
    created_at = serializers.DateTimeField(source="notification.created_at")
    read_at = serializers.DateTimeField(source="notification.read_at", allow_null=True)
    unread = serializers.SerializerMethodField()

    def get_case(self, item: ShownNotification) -> int | None:
        return item.shown.case.pk if item.shown.case is not None else None

    def get_unread(self, item: ShownNotification) -> bool:
        return item.notification.read_at is None


class UnreadCountSerializer(serializers.Serializer[Any]):
    unread = serializers.IntegerField()


class ReadAllSerializer(serializers.Serializer[Any]):
    marked = serializers.IntegerField(help_text="How many notifications were unread.")


class AlertPreferenceSerializer(serializers.Serializer[Any]):
    """The lead times and channels that apply to one kind of date: yours, or the defaults."""

    kind = serializers.CharField(help_text="A hearing kind or a deadline kind.")
    kind_display = serializers.CharField(source="label")
    lead_minutes = serializers.ListField(
        child=serializers.IntegerField(), help_text="Minutes before the date, longest first."
    )
    in_app = serializers.BooleanField()
    email = serializers.BooleanField()
    is_default = serializers.BooleanField(help_text="True while you have not set your own.")


class AlertPreferenceWriteSerializer(serializers.Serializer[Any]):
    lead_minutes = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="1 to 8 different lead times in minutes, each from 1 to 86400 (60 days).",
    )
    in_app = serializers.BooleanField()
    email = serializers.BooleanField()


class AlertSettingsSerializer(serializers.Serializer[Any]):
    daily_digest = serializers.BooleanField(help_text="A morning e-mail of the coming week.")
    digest_hour = serializers.IntegerField(help_text="0-23, in `time_zone`.")
    time_zone = serializers.CharField(max_length=64, help_text="An IANA time zone.")
