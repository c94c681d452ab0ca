"""Page forms for court dates, deadlines, closure days and alert preferences. They check shape
only; every rule is the service's to decide (deadlines.services, deadlines.alerts), and its
ValidationError is shown next to the field it names.

Dates and times are entered on the court's calendar: a hearing's date and time are wall-clock
time in the court's time zone (`court_moment`), whatever zone the server or the browser is in.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cases.forms import DateInput
from core.text import user_name
from deadlines.computation import FIRST_DAY, LAST_DAY, OUT_OF_RANGE
from deadlines.models import (
    NEGOTIATION_DEADLINE_KINDS,
    Courtroom,
    Deadline,
    DeadlineKind,
    DeadlineRule,
    Hearing,
    HearingKind,
)
from parties.models import Side

# A hearing longer than a court day is a typing mistake; a trial sits day by day.
MAX_HEARING_MINUTES = 12 * 60
DEFAULT_HEARING_MINUTES = 30
# AlertPreference.lead_minutes holds at most this many lead times.
MAX_LEAD_TIMES = 8
# Lead times beyond 60 days are not reminders (deadlines.alerts refuses them too).
MAX_LEAD_MINUTES = 60 * 24 * 60

# Deadlines a person may set by hand: the negotiation's follow their offer or suggestion.
MANUAL_DEADLINE_KINDS = [
    (value, label)
    for value, label in DeadlineKind.choices
    if value not in NEGOTIATION_DEADLINE_KINDS
]
RESPONSIBLE_SIDES = [
    ("", _("Every side")),
    (Side.PROSECUTION, "Prosecution"),
    (Side.DEFENSE, "Defense"),
]


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%H:%M")


def court_moment(day: dt.date, time: dt.time, time_zone: str) -> dt.datetime:
    """`day` at `time` on the court's wall clock, as an aware datetime."""
    return dt.datetime.combine(day, time, tzinfo=zoneinfo.ZoneInfo(time_zone))


def _in_range(value: dt.date) -> None:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValidationError(OUT_OF_RANGE)


class DayField(forms.DateField):
    """A date Parley counts with (deadlines.computation.FIRST_DAY … LAST_DAY)."""

    default_validators = [_in_range]


class CourtroomChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Courtroom) -> str:
        return obj.name


class JudgeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return user_name(obj)


class RuleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: DeadlineRule) -> str:
        return f"{obj.name_shown} — {obj.citation_shown}"


class HearingChoiceField(forms.ModelChoiceField):
    def __init__(self, *args: Any, time_zone: str = "UTC", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zoneinfo.ZoneInfo(time_zone)

    def label_from_instance(self, obj: Hearing) -> str:
        local = obj.starts_at.astimezone(self.zone)
        return f"{obj.get_kind_display()}, {local:%Y-%m-%d %H:%M} {local.tzname()}"


class _WhenFields(forms.Form):
    """A date, a start time and a length, read on the court's wall clock."""

    date = DayField(widget=DateInput(), label=_("Date"))
    time = forms.TimeField(widget=TimeInput(), label=_("Start time"))
    duration = forms.IntegerField(
        min_value=5,
        max_value=MAX_HEARING_MINUTES,
        initial=DEFAULT_HEARING_MINUTES,
        label=_("Duration"),
        help_text=_("Minutes."),
    )
    courtroom = CourtroomChoiceField(queryset=Courtroom.objects.none(), label=_("Courtroom"))
    # deadlines.services names the moments; here they are typed as a time and a duration.
    service_fields = {"starts_at": "time", "ends_at": "duration"}

    def __init__(
        self, *args: Any, time_zone: str, courtrooms: QuerySet[Courtroom], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.time_zone = time_zone
        self.fields["courtroom"].queryset = courtrooms  # type: ignore[attr-defined]
        self.fields["time"].help_text = _("Court time (%(time_zone)s).") % {"time_zone": time_zone}

    def moments(self) -> tuple[dt.datetime, dt.datetime]:
        data = self.cleaned_data
        starts_at = court_moment(data["date"], data["time"], self.time_zone)
        return starts_at, starts_at + dt.timedelta(minutes=data["duration"])


class HearingForm(_WhenFields):
    kind = forms.ChoiceField(choices=HearingKind.choices, label=_("Kind of hearing"))
    judge = JudgeChoiceField(
        queryset=None, required=False, empty_label=_("No judge yet"), label=_("Judge")
    )
    notes = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}), label=_("Notes")
    )
    field_order = ["kind", "date", "time", "duration", "courtroom", "judge", "notes"]

    def __init__(self, *args: Any, judges: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["judge"].queryset = judges  # type: ignore[attr-defined]


class RescheduleForm(_WhenFields):
    reason = forms.CharField(
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Reason for the continuance"),
        help_text=_("Everyone on the case reads it in the hearing's history."),
    )


class HearingEditForm(forms.Form):
    """The judge and the notes of a hearing still to be held."""

    judge = JudgeChoiceField(
        queryset=None,
        required=False,
        empty_label=_("No judge assigned"),
        label=_("Judge"),
        error_messages={"invalid_choice": _("Choose one of the court's judges, or no judge.")},
    )
    notes = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        label=_("Notes"),
        help_text=_("Everyone on the case reads them on the hearing's page."),
    )

    def __init__(self, *args: Any, judges: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["judge"].queryset = judges  # type: ignore[attr-defined]

    def service_arguments(self, hearing: Hearing) -> dict[str, Any]:
        """The keyword arguments of deadlines.services.hearing_update. The judge is passed only
        when another one is chosen (or none), so a judge who has since left the court can stay
        on the hearing while its notes change."""
        data = self.cleaned_data
        arguments: dict[str, Any] = {"notes": data["notes"]}
        judge = data["judge"]
        if (judge.pk if judge else None) != hearing.judge_id:
            arguments["judge"] = judge
        return arguments


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, label: str = "Reason", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label


class ConfirmForm(forms.Form):
    """A button with nothing to fill in (mark held, mark met, remove an override)."""


class DeadlineForm(forms.Form):
    """A deadline set by hand (kind, title, last day) or computed by a rule from a trigger (a
    hearing of the case, or a dated event)."""

    rule = RuleChoiceField(
        queryset=DeadlineRule.objects.none(),
        required=False,
        empty_label=_("None: I set the date by hand"),
        label=_("Rule"),
        help_text=_("A rule computes the last day from its trigger and keeps its citation."),
    )
    kind = forms.ChoiceField(
        choices=[("", _("From the rule")), *MANUAL_DEADLINE_KINDS], required=False, label=_("Kind")
    )
    title = forms.CharField(
        max_length=200, required=False, label=_("Title"), help_text=_("Without a rule, required.")
    )
    responsible_side = forms.ChoiceField(
        choices=RESPONSIBLE_SIDES, required=False, label=_("Who must act")
    )
    due_date = DayField(
        widget=DateInput(), required=False, label=_("Last day"), help_text=_("Without a rule.")
    )
    trigger_hearing = HearingChoiceField(
        queryset=Hearing.objects.none(),
        required=False,
        empty_label=_("No hearing"),
        label=_("Trigger hearing"),
        help_text=_("For a rule counted from a hearing."),
    )
    trigger_date = DayField(
        widget=DateInput(),
        required=False,
        label=_("Trigger date"),
        help_text=_("For a rule counted from a dated event."),
    )
    notes = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2}), label=_("Notes")
    )

    def __init__(
        self,
        *args: Any,
        rules: QuerySet[DeadlineRule],
        hearings: QuerySet[Hearing],
        time_zone: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rule"].queryset = rules  # type: ignore[attr-defined]
        trigger = self.fields["trigger_hearing"]
        trigger.queryset = hearings  # type: ignore[attr-defined]
        trigger.zone = zoneinfo.ZoneInfo(time_zone)  # type: ignore[attr-defined]
        self.time_zone = time_zone

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        rule: DeadlineRule | None = data.get("rule")
        if rule is None:
            for name, message in (
                ("kind", _("Choose the kind of deadline, or a rule.")),
                ("title", _("Give the deadline a title.")),
                ("due_date", _("Enter the last day, or choose a rule that computes it.")),
            ):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, message)
        else:
            if data.get("trigger_hearing") and data.get("trigger_date"):
                self.add_error("trigger_date", _("Choose a trigger hearing or a date, not both."))
            elif not data.get("trigger_hearing") and not data.get("trigger_date"):
                field = "trigger_hearing" if rule.trigger.startswith("hearing:") else "trigger_date"
                self.add_error(
                    field,
                    _("The rule counts from: %(trigger_label)s.")
                    % {"trigger_label": rule.trigger_label_shown},
                )
            if data.get("due_date"):
                self.add_error(
                    "due_date",
                    _("A rule computes the last day; override it on the deadline afterwards."),
                )
        return data

    def service_arguments(self) -> dict[str, Any]:
        """The keyword arguments of deadlines.services.deadline_create."""
        data = self.cleaned_data
        rule: DeadlineRule | None = data["rule"]
        if rule is None:
            return {
                "kind": data["kind"],
                "title": data["title"],
                "responsible_side": data["responsible_side"],
                "due_date": data["due_date"],
                "notes": data["notes"],
            }
        return {
            "kind": rule.kind,
            "title": data["title"] or rule.name,
            "responsible_side": data["responsible_side"] or rule.responsible_side,
            "rule": rule,
            "trigger_hearing": data["trigger_hearing"],
            "trigger_date": data["trigger_date"],
            "notes": data["notes"],
        }


def editable_date(deadline: Deadline) -> str | None:
    """Which date of `deadline` is changed on its edit page: the last day of one set by hand,
    the trigger date of one computed from a dated event, or none (one counted from a hearing
    follows the hearing; one with a time of day is not moved by hand)."""
    if deadline.due_at is not None:
        return None
    if deadline.rule_id is None:
        return "due_date"
    if deadline.trigger_date is not None:
        return "trigger_date"
    return None


class DeadlineEditForm(forms.Form):
    """The title and notes of an open deadline, and the one date it lets the court change
    (`editable_date`). Only that date's field is on the form."""

    title = forms.CharField(
        max_length=200,
        label=_("Title"),
        error_messages={"required": _("Give the deadline a title.")},
    )
    due_date = DayField(widget=DateInput(), label=_("Last day"))
    trigger_date = DayField(
        widget=DateInput(),
        label=_("Trigger date"),
        help_text=_("The rule counts the last day again from the new date."),
    )
    notes = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}), label=_("Notes")
    )
    reason = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=_("Reason for the date change"),
        help_text=_("Kept in the deadline's history with the old and the new date."),
    )

    def __init__(self, *args: Any, deadline: Deadline, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.date_field = editable_date(deadline)
        for name in ("due_date", "trigger_date"):
            if name != self.date_field:
                del self.fields[name]
        if self.date_field is None:
            del self.fields["reason"]
        elif deadline.rule is not None:
            self.fields["trigger_date"].help_text = _(
                "Counted from: %(trigger_label)s. %(help_text)s"
            ) % {
                "trigger_label": deadline.rule.trigger_label_shown,
                "help_text": self.fields["trigger_date"].help_text,
            }

    def service_arguments(self) -> dict[str, Any]:
        """The keyword arguments of deadlines.services.deadline_update."""
        data = self.cleaned_data
        arguments = {"title": data["title"], "notes": data["notes"]}
        if self.date_field is not None:
            arguments[self.date_field] = data[self.date_field]
            arguments["reason"] = data["reason"]
        return arguments


class RulePreviewForm(forms.Form):
    """What the live preview reads of the deadline form (the same names, no errors shown)."""

    rule = forms.ModelChoiceField(queryset=DeadlineRule.objects.none(), required=False)
    trigger_hearing = forms.ModelChoiceField(queryset=Hearing.objects.none(), required=False)
    trigger_date = DayField(required=False)

    def __init__(
        self, *args: Any, rules: QuerySet[DeadlineRule], hearings: QuerySet[Hearing], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rule"].queryset = rules  # type: ignore[attr-defined]
        self.fields["trigger_hearing"].queryset = hearings  # type: ignore[attr-defined]


class OverrideForm(forms.Form):
    due_date = DayField(widget=DateInput(), label=_("New last day"))
    reason = forms.CharField(
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=_("Reason for the override"),
        help_text=_("Kept in the deadline's history with the computed date."),
    )


class ClosureForm(forms.Form):
    date = DayField(widget=DateInput(), label=_("Date"))
    reason = forms.CharField(
        max_length=500,
        label=_("Reason"),
        help_text=_("For example: snow emergency, administrative order 2026-04."),
    )


class CourtroomForm(forms.Form):
    name = forms.CharField(max_length=100, label=_("Courtroom name"))


class DocketFilterForm(forms.Form):
    view = forms.ChoiceField(
        choices=[("week", _("Week")), ("day", _("Day"))], required=False, label=_("Show")
    )
    date = DayField(widget=DateInput(), required=False, label=_("Date"))
    courtroom = CourtroomChoiceField(
        queryset=Courtroom.objects.none(), required=False, empty_label=_("All courtrooms")
    )
    judge = JudgeChoiceField(queryset=None, required=False, empty_label=_("All judges"))

    def __init__(
        self, *args: Any, courtrooms: QuerySet[Courtroom], judges: QuerySet[Any], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["courtroom"].queryset = courtrooms  # type: ignore[attr-defined]
        self.fields["judge"].queryset = judges  # type: ignore[attr-defined]


# --- alert preferences ----------------------------------------------------------------------

_LEAD = re.compile(r"^(\d+)\s*(w|d|h|m)$")
_UNIT_MINUTES = {"w": 7 * 24 * 60, "d": 24 * 60, "h": 60, "m": 1}
_UNIT_WORDS = {"w": "w", "d": "d", "h": "h", "m": "m"}


def parse_lead_times(text: str) -> list[int]:
    """'7d, 2d, 1d, 2h' → [10080, 2880, 1440, 120]: minutes, longest first, each once."""
    minutes: set[int] = set()
    for raw in text.split(","):
        token = raw.strip().lower().replace(" ", "")
        if not token:
            continue
        match = _LEAD.match(token)
        if match is None:
            raise ValidationError(
                _(
                    "“%(raw)s” is not a lead time: write a number and d (days), h (hours), m "
                    "(minutes) or w (weeks), such as 2d or 2h."
                )
                % {"raw": raw.strip()}
            )
        value = int(match.group(1)) * _UNIT_MINUTES[match.group(2)]
        if value <= 0 or value > MAX_LEAD_MINUTES:
            raise ValidationError(
                _("“%(raw)s” must be more than nothing and at most 60 days.") % {"raw": raw.strip()}
            )
        minutes.add(value)
    if len(minutes) > MAX_LEAD_TIMES:
        raise ValidationError(_("At most %(limit)s lead times.") % {"limit": MAX_LEAD_TIMES})
    return sorted(minutes, reverse=True)


def format_lead_times(minutes: Iterable[int]) -> str:
    """[10080, 2880, 120] → '7d, 2d, 2h' (the shortest exact unit of each)."""
    parts = []
    for value in sorted(minutes, reverse=True):
        if value % (24 * 60) == 0:
            parts.append(f"{value // (24 * 60)}d")
        elif value % 60 == 0:
            parts.append(f"{value // 60}h")
        else:
            parts.append(f"{value}m")
    return ", ".join(parts)


class LeadTimesField(forms.CharField):
    def to_python(self, value: Any) -> Any:
        return parse_lead_times(super().to_python(value) or "")


@dataclass(frozen=True)
class PreferenceRow:
    """One kind of date on the preferences page: its three controls."""

    kind: str
    label: str
    lead: forms.BoundField
    in_app: forms.BoundField
    email: forms.BoundField


class AlertPreferencesForm(forms.Form):
    """Lead times and channels per kind of date, and the daily digest."""

    daily_digest = forms.BooleanField(
        required=False,
        label=_("Send me a daily digest"),
        help_text=_("One e-mail a day with the dates of the next two weeks."),
    )
    digest_hour = forms.IntegerField(
        min_value=0,
        max_value=23,
        label=_("Digest hour"),
        help_text=_("0 to 23, in your time zone."),
    )
    time_zone = forms.CharField(
        max_length=64, label=_("Your time zone"), help_text=_("For example America/New_York.")
    )

    def __init__(self, *args: Any, kinds: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kinds = list(kinds)
        for kind, label in self.kinds:
            self.fields[f"{kind}-lead"] = LeadTimesField(
                max_length=200,
                label=_("Lead times before %(label)s") % {"label": label.lower()},
                help_text=_("Comma list, such as 7d, 2d, 1d, 2h."),
                error_messages={
                    "required": _("Give at least one lead time; untick both channels for none.")
                },
            )
            self.fields[f"{kind}-in_app"] = forms.BooleanField(
                required=False, label=_("In the app (%(label)s)") % {"label": label.lower()}
            )
            self.fields[f"{kind}-email"] = forms.BooleanField(
                required=False, label=_("By e-mail (%(label)s)") % {"label": label.lower()}
            )

    def clean_time_zone(self) -> str:
        value = str(self.cleaned_data["time_zone"]).strip()
        if value not in zoneinfo.available_timezones():
            raise ValidationError(_("Not a time zone name; for example Europe/Berlin or UTC."))
        return value

    def rows(self) -> list[PreferenceRow]:
        return [
            PreferenceRow(
                kind=kind,
                label=label,
                lead=self[f"{kind}-lead"],
                in_app=self[f"{kind}-in_app"],
                email=self[f"{kind}-email"],
            )
            for kind, label in self.kinds
        ]

    def preferences(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        return [
            {
                "kind": kind,
                "lead_minutes": data[f"{kind}-lead"],
                "in_app": data[f"{kind}-in_app"],
                "email": data[f"{kind}-email"],
            }
            for kind, _ in self.kinds
        ]
