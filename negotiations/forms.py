"""Page forms for the negotiation. They check shape only; every rule is the service's to decide
(negotiations.services), and its ValidationError is shown next to the field it names."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cases.models import Case, Charge, Statute
from core.forms import add_service_errors
from negotiations import agreement_rules
from negotiations.agreement_rules import ListedItem
from negotiations.models import ConcessionKind, CriminalHistoryCategory, Offer, TermDisposition
from negotiations.sentencing import MINOR_CRIME
from negotiations.services import OfferInput, TermInput, charges_negotiable_on
from parties.models import CaseParticipant

# Months and amounts beyond these are typing mistakes, not offers; the columns could not hold them.
MAX_MONTHS = 12_000
SENTENCE_FIELDS = (
    "custody_min_months",
    "custody_max_months",
    "probation_months",
    "fine",
    "restitution",
)
CONDITION_FIELDS = ("cooperation", "appeal_waiver", "immigration_safe_plea", "no_enhancement")
GUIDELINE_FIELDS = ("offense_level", "criminal_history_category", "acceptance_motion")
LENIENCY_FIELDS = ("baseline_months", "leniency_stage", "leniency_circumstances")

LENIENCY_STAGE_LABELS = {
    "investigation": _("Investigation (侦查)"),
    "prosecution_review": _("Prosecution review (审查起诉)"),
    "trial": _("Trial (审判)"),
}
LENIENCY_CIRCUMSTANCE_LABELS = {
    "surrender": _("Surrender (自首)"),
    "major_confession": _("Major confession or meritorious service (立功)"),
    "restitution": _("Restitution of the proceeds (退赃退赔)"),
    "compensation_forgiveness": _("Compensation and the victim's forgiveness (赔偿谅解)"),
    "reconciliation": _("Criminal reconciliation (刑事和解)"),
    # xgettext:no-python-format
    MINOR_CRIME: _("Minor crime (犯罪较轻): with one of the above, more than 60% off or exemption"),
}

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _code_label(code: str, labels: Mapping[str, Any]) -> str:
    return str(labels.get(code, code.replace("_", " ").capitalize()))


def _written(label: StrOrPromise, *, rows: int, help_text: StrOrPromise = "") -> forms.CharField:
    """A text a person writes (a reason, a response, a note): up to 10,000 characters in a box
    of `rows` lines. Never required here: whether it may be empty is the service's rule, which
    answers with a message for the field."""
    return forms.CharField(
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": rows}),
        label=label,
        help_text=help_text,
    )


class DateTimeLocalInput(forms.DateTimeInput):
    """<input type="datetime-local">: the browser's picker, a wall-clock time without a zone.
    The view activates the court's time zone, so the value is read and shown in it."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def statute_option(statute: Statute) -> str:
    top = "life" if statute.max_custody_months is None else statute.max_custody_months
    return (
        f"{statute.citation} — {statute.title} "
        f"(severity {statute.severity_rank}; {statute.min_custody_months}–{top} months)"
    )


@dataclass(frozen=True)
class CountRow:
    """One count as filed, with the two controls that say what the offer does with it."""

    charge: Charge
    disposition: forms.BoundField
    lesser: forms.BoundField


class OfferForm(forms.Form):
    """An offer's contents, one control per count as filed. Which controls exist depends on the
    case's jurisdiction profile: the charge terms only where charges are negotiable, the
    guideline inputs under the US profile, the leniency inputs under the CN profile."""

    custody_min_months = forms.IntegerField(
        required=False, max_value=MAX_MONTHS, label=_("Custody from"), help_text=_("Months.")
    )
    custody_max_months = forms.IntegerField(
        required=False, max_value=MAX_MONTHS, label=_("Custody up to"), help_text=_("Months.")
    )
    probation_months = forms.IntegerField(
        required=False, max_value=MAX_MONTHS, label=_("Probation"), help_text=_("Months.")
    )
    fine = forms.DecimalField(required=False, max_digits=12, decimal_places=2, label=_("Fine"))
    restitution = forms.DecimalField(
        required=False, max_digits=12, decimal_places=2, label=_("Restitution")
    )
    cooperation = forms.BooleanField(
        required=False,
        label=_("Cooperation with the government"),
        help_text=_("The defendant cooperates; the prosecution may move for a reduction."),
    )
    appeal_waiver = forms.BooleanField(
        required=False, label=_("Waiver of appeal"), help_text=_("The defendant waives appeal.")
    )
    immigration_safe_plea = forms.BooleanField(
        required=False,
        label=_("Immigration-safe plea"),
        help_text=_("The plea avoids a conviction that triggers removal (Padilla v. Kentucky)."),
    )
    no_enhancement = forms.BooleanField(
        required=False,
        label=_("No sentencing enhancement"),
        help_text=_("The prosecution withdraws or will not seek an enhancement."),
    )
    expires_at = forms.DateTimeField(
        required=False, widget=DateTimeLocalInput(), label=_("Offer expires")
    )
    rationale = _written(
        _("Rationale"),
        rows=4,
        help_text=_("Why this offer. The other side reads it."),
    )
    # Set by the view when the user asks only to see the preview: nothing is saved or sent.
    previewing = False

    def __init__(
        self,
        *args: Any,
        case: Case,
        charges: Sequence[Charge],
        statutes: Sequence[Statute],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        jurisdiction = case.court.jurisdiction
        parameters = jurisdiction.parameters or {}
        self.case = case
        self.charges = list(charges)
        self.charges_negotiable = charges_negotiable_on(case)
        self.uses_guidelines = "acceptance_of_responsibility_levels" in parameters
        self.uses_leniency = "leniency_stage_tiers" in parameters
        self.terms_errors: list[str] = []
        self.fields["expires_at"].help_text = _(
            "Court time (%(time_zone)s). Leave empty for an offer without a deadline."
        ) % {"time_zone": case.court.time_zone}

        if self.charges_negotiable:
            for charge in self.charges:
                self.fields[f"term_{charge.pk}"] = forms.ChoiceField(
                    choices=TermDisposition.choices,
                    initial=TermDisposition.AS_CHARGED,
                    widget=forms.RadioSelect,
                    label=_("Count %(count_number)s: term") % {"count_number": charge.count_number},
                )
                self.fields[f"lesser_{charge.pk}"] = forms.TypedChoiceField(
                    choices=self._lesser_choices(charge, statutes),
                    coerce=int,
                    required=False,
                    empty_value=None,
                    label=_("Count %(count_number)s: lesser offence")
                    % {"count_number": charge.count_number},
                    help_text=_("Used with “Plead guilty to a lesser offence”."),
                )
        if self.uses_guidelines:
            self.fields["offense_level"] = forms.IntegerField(
                required=False,
                max_value=MAX_MONTHS,
                label=_("Total offense level"),
                help_text=_("Before acceptance of responsibility, 1 to 43 (USSG Ch. 2 and 3)."),
            )
            self.fields["criminal_history_category"] = forms.ChoiceField(
                required=False,
                choices=[("", _("Choose a category")), *CriminalHistoryCategory.choices],
                label=_("Criminal history category"),
                help_text=_("USSG Ch. 4."),
            )
            self.fields["acceptance_motion"] = forms.BooleanField(
                required=False,
                label=_("The government moves for the third level"),
                help_text=_(
                    "USSG §3E1.1(b): one further level off, from offense level 16, only on "
                    "the government's motion."
                ),
            )
        if self.uses_leniency:
            tiers = parameters.get("leniency_stage_tiers", {})
            self.fields["baseline_months"] = forms.IntegerField(
                required=False,
                max_value=MAX_MONTHS,
                label=_("Baseline sentence"),
                help_text=_(
                    "Months, before the reduction for admitting guilt and accepting "
                    "punishment (2021 Guiding Opinions on Sentencing)."
                ),
            )
            self.fields["leniency_stage"] = forms.ChoiceField(
                required=False,
                choices=[
                    ("", _("Choose a stage")),
                    *(
                        (
                            code,
                            _("%(code_label)s: up to %(share)s off")
                            % {
                                "code_label": _code_label(code, LENIENCY_STAGE_LABELS),
                                "share": format(share, ".0%"),
                            },
                        )
                        for code, share in tiers.items()
                    ),
                ],
                label=_("Stage of the plea"),
                help_text=_("The earlier the plea, the larger the reduction it may earn."),
            )
            self.fields["leniency_circumstances"] = forms.MultipleChoiceField(
                required=False,
                choices=[
                    (code, _code_label(code, LENIENCY_CIRCUMSTANCE_LABELS))
                    for code in [
                        *parameters.get("leniency_circumstances", []),
                        *(
                            [MINOR_CRIME]
                            if "leniency_minor_crime_max_reduction" in parameters
                            else []
                        ),
                    ]
                ],
                widget=forms.CheckboxSelectMultiple,
                label=_("Circumstances"),
                help_text=_("With any of these the reduction may reach %(cap)s.")
                % {
                    "cap": format(
                        parameters.get("leniency_max_reduction_with_circumstances", 0), ".0%"
                    )
                },
            )

    @staticmethod
    def _lesser_choices(charge: Charge, statutes: Sequence[Statute]) -> list[Any]:
        """The catalogue's offences of lower severity than the count, the lesser included
        offences of its statute first."""
        included = {s.pk for s in charge.statute.lesser_included.all()}
        lower = sorted(
            (s for s in statutes if s.severity_rank < charge.statute.severity_rank),
            key=lambda s: (-s.severity_rank, s.citation),
        )
        first = [(s.pk, statute_option(s)) for s in lower if s.pk in included]
        rest = [(s.pk, statute_option(s)) for s in lower if s.pk not in included]
        choices: list[Any] = [
            ("", _("Choose a lesser offence") if lower else _("None in the catalogue"))
        ]
        if first:
            choices.append((_("Lesser included offences"), first))
        if rest:
            choices.append(
                (_("Other offences of lower severity") if first else _("Lower severity"), rest)
            )
        return choices

    def count_rows(self) -> list[CountRow]:
        if not self.charges_negotiable:
            return []
        return [
            CountRow(charge, self[f"term_{charge.pk}"], self[f"lesser_{charge.pk}"])
            for charge in self.charges
        ]

    def calculation_fields(self) -> list[forms.BoundField]:
        names = (GUIDELINE_FIELDS if self.uses_guidelines else ()) + (
            LENIENCY_FIELDS if self.uses_leniency else ()
        )
        return [self[name] for name in names]

    def to_input(self) -> OfferInput:
        data = self.cleaned_data
        terms = []
        for charge in self.charges if self.charges_negotiable else ():
            disposition = data[f"term_{charge.pk}"]
            # The lesser offence select counts only with the term that names one.
            lesser = data[f"lesser_{charge.pk}"] if disposition == TermDisposition.LESSER else None
            terms.append(TermInput(charge.pk, disposition, lesser))
        return OfferInput(
            terms=terms,
            **{name: data[name] for name in SENTENCE_FIELDS},
            **{name: data[name] for name in CONDITION_FIELDS},
            offense_level=data.get("offense_level"),
            criminal_history_category=data.get("criminal_history_category") or "",
            acceptance_motion=bool(data.get("acceptance_motion")),
            baseline_months=data.get("baseline_months"),
            leniency_stage=data.get("leniency_stage") or "",
            leniency_circumstances=tuple(data.get("leniency_circumstances") or ()),
            expires_at=data["expires_at"],
            rationale=data["rationale"],
        )

    def add_service_errors(self, error: ValidationError) -> None:
        """The service reports every count's problem under "terms": show those beside the
        counts table, and in the summary on top."""
        if not hasattr(error, "error_dict"):
            add_service_errors(self, error)
            return
        rows = {f"Count {c.count_number}": f"term_{c.pk}" for c in self.charges}
        for message in error.message_dict.get("terms", []):
            # "Count 2: ..." goes beside count 2's controls; anything else above the table.
            label = message.split(":", 1)[0].split(" has ", 1)[0]
            field = rows.get(label) if self.charges_negotiable else None
            if field is not None:
                self.add_error(field, message)
            else:
                self.terms_errors.append(message)
                self.add_error(None, message)
        rest = {k: v for k, v in error.message_dict.items() if k != "terms"}
        if rest:
            add_service_errors(self, ValidationError(rest))


def offer_initial(offer: Offer, *, with_deadline_and_reasons: bool = True) -> dict[str, Any]:
    """The form's initial values from an offer: to edit a draft, or to start a counter from
    the offer it answers (then without its expiry and rationale)."""
    initial: dict[str, Any] = {
        name: getattr(offer, name)
        for name in (*SENTENCE_FIELDS, *CONDITION_FIELDS, *GUIDELINE_FIELDS, *LENIENCY_FIELDS)
    }
    for term in offer.terms.all():
        initial[f"term_{term.charge_id}"] = term.disposition
        initial[f"lesser_{term.charge_id}"] = term.lesser_statute_id
    if with_deadline_and_reasons:
        initial["expires_at"] = offer.expires_at
        initial["rationale"] = offer.rationale
    return initial


class CounterForm(OfferForm):
    response = _written(
        _("Response to the proposal"),
        rows=3,
        help_text=_(
            "The prosecution's written answer to the defense proposal, which the defense sees "
            "with the round; required where the profile makes consideration mandatory."
        ),
    )
    confirm = forms.BooleanField(
        required=False,
        label=_("Send this counteroffer now"),
        help_text=_("The counter goes to the other side at once and closes the offer it answers."),
    )

    def clean_confirm(self) -> bool:
        confirmed = bool(self.cleaned_data.get("confirm"))
        if not confirmed and not self.previewing:
            raise ValidationError(_("Tick the box to send the counteroffer."), code="required")
        return confirmed


class ConfirmForm(forms.Form):
    """A deliberate act that cannot be taken back: a ticked box stands in for a dialog and
    works without JavaScript."""

    confirm = forms.BooleanField(error_messages={"required": _("Tick the box to confirm.")})

    def __init__(self, *args: Any, confirm_label: str = "I confirm", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["confirm"].label = confirm_label


class RejectForm(forms.Form):
    reason = _written(
        _("Reason for rejecting"),
        rows=3,
        help_text=_("Required. The other side reads it with the round."),
    )


class WithdrawForm(ConfirmForm):
    reason = _written(_("Reason"), rows=2)


class ResponseForm(forms.Form):
    response = _written(_("Written response"), rows=3)


class ConcessionForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[("", _("Choose a kind")), *ConcessionKind.choices], label=_("Kind of concession")
    )
    description = forms.CharField(
        required=False,
        max_length=500,
        label=_("Description"),
        help_text=_("For example: no further charges from the same investigation."),
    )


class SuggestionForm(forms.Form):
    text = _written(
        _("Suggestion and reasons"),
        rows=4,
        help_text=_("The prosecution must answer it in writing before sending its next offer."),
    )
    offer = forms.ModelChoiceField(
        queryset=Offer.objects.none(),
        required=False,
        label=_("About the offer of"),
        empty_label=_("The negotiation as a whole"),
    )

    def __init__(
        self, *args: Any, offers: QuerySet[Offer], mandatory: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if not mandatory:
            self.fields["text"].help_text = _(
                "The prosecution may consider it; this profile does not require a written answer."
            )
        field = self.fields["offer"]
        field.queryset = offers  # type: ignore[attr-defined]
        field.label_from_instance = lambda o: (  # type: ignore[attr-defined]
            gettext("Round %(number)s (%(side)s, %(status)s)")
            % {
                "number": o.round_number,
                "side": o.get_side_display().lower(),
                "status": o.get_status_display(),
            }
        )


class RightsExplanationForm(forms.Form):
    note = _written(
        _("How the rights were explained"),
        rows=3,
        help_text=_(
            "The rights of the leniency system, fully explained to the suspect: how, when and "
            "before whom."
        ),
    )


class ComplexCaseMarkForm(forms.Form):
    grounds = forms.MultipleChoiceField(
        required=False,
        choices=(),
        widget=forms.CheckboxSelectMultiple,
        label=_("Grounds"),
    )
    reason = _written(_("Why the case is complex"), rows=3)

    def __init__(self, *args: Any, grounds: Mapping[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["grounds"].choices = list(grounds.items())  # type: ignore[attr-defined]


class ChecklistForm(forms.Form):
    """The voluntariness checklist: the profile's items that apply to the agreement, each with
    its source. The interpreter fields appear when the defendant needs one."""

    interpreter_used = forms.BooleanField(required=False, label=_("An interpreter was used"))
    interpreter_name = forms.CharField(
        required=False, max_length=200, label=_("Interpreter's name")
    )
    interpreter_language = forms.CharField(required=False, max_length=64, label=_("Language"))

    def __init__(
        self, *args: Any, items: Sequence[ListedItem], interpreter_needed: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._codes = [item.code for item in items]
        fields = {
            item.code: forms.BooleanField(required=False, label=item.display, help_text=item.cited)
            for item in items
        }
        self.fields = {**fields, **self.fields}  # the items first, the interpreter after
        if not interpreter_needed:
            for name in ("interpreter_used", "interpreter_name", "interpreter_language"):
                del self.fields[name]

    def items(self) -> list[forms.BoundField]:
        return [self[code] for code in self._codes]

    def service_arguments(self, data: dict[str, Any]) -> dict[str, Any]:
        return {
            "items": {code: data[code] for code in self._codes},
            "interpreter_used": data.get("interpreter_used", False),
            "interpreter_name": data.get("interpreter_name", ""),
            "interpreter_language": data.get("interpreter_language", ""),
        }


class StatementForm(forms.Form):
    """What the plea statement names beyond the terms, where the profile asks for it: the
    procedure agreed to (CPL art. 174) and the limits on appeal."""

    procedure = forms.ChoiceField(
        required=False,
        widget=forms.RadioSelect,
        label=_("Procedure the defendant agrees to"),
    )
    appeal_limits = _written(_("Limits on appeal"), rows=3)

    def __init__(
        self,
        *args: Any,
        procedures: Sequence[ListedItem],
        appeal_limits_source: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if procedures:
            self.fields["procedure"].choices = [  # type: ignore[attr-defined]
                (p.code, p.display_with_source) for p in procedures
            ]
        else:
            del self.fields["procedure"]
        if appeal_limits_source:
            self.fields["appeal_limits"].help_text = appeal_limits_source
        else:
            del self.fields["appeal_limits"]


class WitnessChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: CaseParticipant) -> str:
        return f"{obj.display_name}, {obj.get_role_display().lower()}"


class SignForm(ConfirmForm):
    witness = WitnessChoiceField(
        queryset=CaseParticipant.objects.none(),
        required=False,
        label=_("Witness"),
        empty_label=_("No witness"),
        help_text=_("Defense counsel or the duty lawyer before whom you sign."),
    )

    def __init__(
        self,
        *args: Any,
        witnesses: QuerySet[CaseParticipant] | None = None,
        witness_required: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if witnesses is None:
            del self.fields["witness"]
            return
        field = self.fields["witness"]
        field.queryset = witnesses  # type: ignore[attr-defined]
        if witness_required:
            field.empty_label = _("Choose the witness")  # type: ignore[attr-defined]
            field.help_text = _(
                "Required under this jurisdiction's profile: the defendant signs before defense "
                "counsel or a duty lawyer (CPL art. 174)."
            )


class ReviewForm(forms.Form):
    """The court's decision, as the profile lets it decide (negotiations.agreement_rules): the
    ground list appears where a rejection or an adjustment names one."""

    _DECISION_LABELS = {
        agreement_rules.ACCEPT: _("Accept the agreement"),
        agreement_rules.REJECT: _("Reject the agreement"),
        agreement_rules.ADJUST: _("Ask the prosecution to adjust its sentencing recommendation"),
    }

    decision = forms.ChoiceField(widget=forms.RadioSelect, label=_("The court's decision"))
    ground = forms.ChoiceField(required=False, label=_("Ground"))
    reasons = _written(
        _("Reasons"),
        rows=4,
        help_text=_("Required, for every decision."),
    )

    def __init__(
        self,
        *args: Any,
        outcomes: Sequence[str] = (agreement_rules.ACCEPT, agreement_rules.REJECT),
        rejection_grounds: Sequence[ListedItem] = (),
        adjustment_grounds: Sequence[ListedItem] = (),
        review_source: str = "",
        adjustment_source: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = [  # type: ignore[attr-defined]
            (o, self._DECISION_LABELS[o]) for o in outcomes
        ]
        groups: list[tuple[str, list[tuple[str, str]]]] = []
        if rejection_grounds:
            groups.append(
                (
                    str(_("To reject (%(source)s)") % {"source": review_source}),
                    [(g.code, g.display_with_source) for g in rejection_grounds],
                )
            )
        if adjustment_grounds:
            groups.append(
                (
                    str(_("To ask for an adjustment (%(source)s)") % {"source": adjustment_source}),
                    [(g.code, g.display_with_source) for g in adjustment_grounds],
                )
            )
        if groups:
            self.fields["ground"].choices = [  # type: ignore[attr-defined]
                ("", _("Choose the ground")),
                *groups,
            ]
            self.fields["ground"].help_text = _(
                "A rejection or a request to adjust names one of the statutory grounds."
            )
        else:
            del self.fields["ground"]
