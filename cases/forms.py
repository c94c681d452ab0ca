"""Page forms for cases. They check shape only; every rule is the service's to decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from cases.models import Case, CaseStatus, Court, Statute
from parties.models import Defendant, Role

User = get_user_model()


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class CourtChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Court) -> str:
        return f"{obj.name} ({obj.time_zone})"


class StatuteChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Statute) -> str:
        return f"{obj.citation} — {obj.title} ({obj.get_offence_class_display()})"


class PickedChoiceField(forms.ModelChoiceField):
    """A choice made in a picker (a search whose results are radio buttons) rather than from a
    list of every choice: the queryset validates the id sent, and is never listed."""

    widget = forms.HiddenInput


class CaseFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        label=_("Search"),
        help_text=_("Docket number or caption."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    court = forms.ModelChoiceField(
        queryset=Court.objects.none(), required=False, empty_label=_("All courts")
    )
    status = forms.ChoiceField(
        choices=[("", _("All statuses")), *CaseStatus.choices], required=False
    )

    def __init__(self, *args: Any, courts: QuerySet[Court], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["court"].queryset = courts  # type: ignore[attr-defined]

    def apply(self, cases: QuerySet[Case], *, status: bool = True) -> QuerySet[Case]:
        """The cases that match; without the status filter if `status` is False (the case list
        gives the status to cases.selectors.case_page_for_user, which walks by status)."""
        if not self.is_valid():
            return cases
        data = self.cleaned_data
        if data["q"]:
            cases = cases.filter(
                Q(docket_number__icontains=data["q"]) | Q(caption__icontains=data["q"])
            )
        if data["court"]:
            cases = cases.filter(court=data["court"])
        if data["status"] and status:
            cases = cases.filter(status=data["status"])
        return cases


class CaseOpenForm(forms.Form):
    court = CourtChoiceField(queryset=Court.objects.none(), empty_label=_("Choose a court"))
    docket_number = forms.CharField(max_length=64, label=_("Docket number"))
    caption = forms.CharField(max_length=300, help_text=_("For example: United States v. Doe."))
    opened_on = forms.DateField(
        required=False,
        label=_("Opened on"),
        widget=DateInput(),
        help_text=_("A date in the court's time zone. Leave empty for today."),
    )
    external_id = forms.CharField(
        max_length=128,
        required=False,
        label=_("Court docket system id"),
        help_text=_("Unique within the court."),
    )
    sealed = forms.BooleanField(
        required=False, label=_("Sealed"), help_text=_("The case is under seal.")
    )

    def __init__(self, *args: Any, courts: QuerySet[Court], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["court"].queryset = courts  # type: ignore[attr-defined]


class CaseUpdateForm(forms.Form):
    caption = forms.CharField(max_length=300)
    sealed = forms.BooleanField(required=False, label=_("Sealed"))


class CaseTransitionForm(forms.Form):
    to_status = forms.ChoiceField(label=_("New status"), choices=CaseStatus.choices)
    reason = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the status history."),
    )

    def __init__(self, *args: Any, moves: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if moves is not None:
            self.offer(moves)

    def offer(self, moves: list[str]) -> None:
        """Show only the moves this user may make; a POST is judged by the service."""
        self.fields["to_status"].choices = [  # type: ignore[attr-defined]
            ("", _("Choose a status")),
            *((s, CaseStatus(s).label) for s in moves),
        ]


class ChargeAddForm(forms.Form):
    statute = StatuteChoiceField(queryset=Statute.objects.none(), empty_label=_("Choose a statute"))
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    count_number = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=32767,
        label=_("Count number"),
        help_text=_("Leave empty for the next count."),
    )

    def __init__(self, *args: Any, statutes: QuerySet[Statute], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["statute"].queryset = statutes  # type: ignore[attr-defined]


class ParticipantAddForm(forms.Form):
    role = forms.ChoiceField(choices=[("", _("Choose a role")), *Role.choices])
    # The pickers: what was typed into each search, kept when the form comes back with errors;
    # the choice itself is one of the radio buttons its results offer (cases.views).
    person_search = forms.CharField(
        required=False,
        max_length=100,
        label=_("Find a person"),
        help_text=_(
            "Type at least two letters of their name or username. Only people who may take the "
            "chosen role in this court are found."
        ),
    )
    user = PickedChoiceField(queryset=User.objects.none(), required=False, label=_("Person"))
    defendant_search = forms.CharField(
        required=False,
        max_length=100,
        label=_("Find a defendant"),
        help_text=_("Type at least two letters of their name."),
    )
    defendant = PickedChoiceField(
        queryset=Defendant.objects.none(), required=False, label=_("Defendant")
    )
    is_lead = forms.BooleanField(required=False, label=_("Lead for their side"))
    start_date = forms.DateField(
        required=False,
        label=_("Start date"),
        widget=DateInput(),
        help_text=_("Court date. Leave empty for today."),
    )
    # Asked for once the service has flagged a conflict of interest (see flag_conflicts).
    conflict_override_reason = forms.CharField(
        required=False,
        max_length=2000,
        label=_("Reason to override the conflict"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept with the participation and shown beside it in the parties list."),
    )
    # The role and person the conflicts were shown for: a reason answers those conflicts only.
    override_for = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        people: QuerySet[Any],
        defendants: QuerySet[Defendant],
        roles: list[str],
        **kwargs: Any,
    ) -> None:
        """`people` and `defendants` validate the id posted for each (one query each); the
        service decides whether that person may take part."""
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [  # type: ignore[attr-defined]
            ("", _("Choose a role")),
            *((role, Role(role).label) for role in roles),
        ]
        self.fields["user"].queryset = people  # type: ignore[attr-defined]
        self.fields["defendant"].queryset = defendants  # type: ignore[attr-defined]
        self.conflicts: list[str] = []
        self._shown_for = ""
        # What was chosen, kept even when the service refuses it (add_error drops it from
        # cleaned_data), so that the form comes back with that choice checked.
        self.chosen_person: Any = None
        self.chosen_defendant: Defendant | None = None

    def clean_user(self) -> Any:
        self.chosen_person = self.cleaned_data["user"]
        return self.chosen_person

    def clean_defendant(self) -> Defendant | None:
        self.chosen_defendant = self.cleaned_data["defendant"]
        return self.chosen_defendant

    def clean(self) -> dict[str, Any]:
        """The fields participant_add takes. A reason typed for the conflicts of one person in
        one role is dropped when another is chosen: theirs are checked and shown afresh."""
        data = super().clean() or {}
        shown_for = data.pop("override_for", "")
        data.pop("person_search", None)
        data.pop("defendant_search", None)
        if data.get("conflict_override_reason") and shown_for != _override_key(data):
            data["conflict_override_reason"] = ""
        return data

    def flag_conflicts(self, conflicts: list[str]) -> None:
        """The service found possible conflicts of interest: list them and ask for a reason."""
        self.conflicts = conflicts
        self._shown_for = _override_key(self.cleaned_data)

    @property
    def conflicts_shown_for(self) -> str:
        """The hidden `override_for` the next submission carries: whom the conflicts were for."""
        return self._shown_for or str(self["override_for"].value() or "")

    @property
    def asks_for_override(self) -> bool:
        """Whether the page shows the reason field: once conflicts have been shown."""
        return bool(self.conflicts_shown_for)


class ParticipantPickerForm(forms.Form):
    """A search of one of the add-participant form's pickers (cases.views.participant_people
    and participant_defendants). Its fields are named as the add-participant form's, so the
    pickers send what that form holds."""

    role = forms.ChoiceField(choices=[("", ""), *Role.choices], required=False)
    person_search = forms.CharField(required=False, max_length=100)
    defendant_search = forms.CharField(required=False, max_length=100)


def _override_key(data: dict[str, Any]) -> str:
    user = data.get("user")
    return f"{data.get('role') or ''}:{user.pk if user is not None else ''}"


class ParticipantEndForm(forms.Form):
    end_date = forms.DateField(
        required=False,
        label=_("End date"),
        widget=DateInput(),
        help_text=_("Court date. Leave empty for today."),
    )
