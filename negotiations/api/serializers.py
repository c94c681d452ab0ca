"""What the negotiation API reads and writes. Parsing only: every rule is in the services."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.api.serializers import VisibleCaseField
from cases.party_selectors import participants_checked_for
from core.api.fields import AwareDateTimeField
from core.api.serializers import FastReadMixin
from core.text import user_name
from negotiations import agreement_rules, selectors, services, wording
from negotiations.models import (
    ComplexCaseMark,
    Concession,
    ConcessionKind,
    CriminalHistoryCategory,
    Offer,
    OfferTerm,
    PleaAgreement,
    RightsExplanation,
    Signature,
    Suggestion,
    TermDisposition,
)
from negotiations.sentencing import MonthsRange
from negotiations.services import OfferInput, TermInput
from parties.models import CaseParticipant

# Column bounds, so that a number the database cannot store is a 400, not a 500. Whether a
# value makes sense (months zero or more, an offense level of 1-43) is for the services to say.
MAX_ID = 2**63 - 1
MAX_MONTHS = 2**31 - 1
MAX_AMOUNT_DIGITS = 12


def _name(user: Any) -> str | None:
    if user is None:
        return None
    return user_name(user)


# --- sentencing arithmetic ----------------------------------------------------------------------


class MonthsRangeSerializer(serializers.Serializer[MonthsRange]):
    low = serializers.IntegerField(
        allow_null=True, help_text="Months; null when the range is life imprisonment."
    )
    high = serializers.IntegerField(allow_null=True, help_text="Months; null means life.")
    text = serializers.SerializerMethodField()

    def get_text(self, months: MonthsRange) -> str:
        return str(months)


class ZoneSerializer(serializers.Serializer[Any]):
    """A zone of the Sentencing Table and the sentences it allows (USSG §5B1.1, §5C1.1)."""

    name = serializers.CharField()
    probation = serializers.BooleanField(help_text="Probation alone is allowed.")
    probation_with_confinement = serializers.BooleanField(
        help_text="Probation with intermittent confinement, community confinement or home "
        "detention is allowed."
    )
    split_sentence = serializers.BooleanField(
        help_text="Imprisonment with part of the minimum term served in community "
        "confinement or home detention is allowed."
    )
    authority = serializers.CharField(
        source="source", help_text="The rules that say what the zone allows."
    )


class ExposureSerializer(serializers.Serializer[Any]):
    """The exposure after a conviction at trial on every count filed, against the plea."""

    trial_statutory = MonthsRangeSerializer()
    trial_guideline = MonthsRangeSerializer(allow_null=True)
    trial_expected = MonthsRangeSerializer()
    plea_statutory = MonthsRangeSerializer()
    plea_guideline = MonthsRangeSerializer(allow_null=True)
    plea_expected = MonthsRangeSerializer()
    plea_applicable = MonthsRangeSerializer(
        help_text="The plea's range without the offer's recommendation: the guideline (or "
        "leniency) range within the statutory range, plus any consecutive mandatory term."
    )
    trial_penalty = serializers.FloatField(
        allow_null=True,
        help_text="Expected sentence after trial divided by that after the plea (midpoints); "
        "null when either reaches life or the plea's is zero.",
    )
    counts_filed = serializers.IntegerField()
    counts_dismissed = serializers.IntegerField()
    counts_reduced = serializers.IntegerField()
    severity_reduced = serializers.IntegerField()
    notes = serializers.ListField(child=serializers.CharField())
    plea_zone = ZoneSerializer(
        allow_null=True,
        help_text="The zone of the plea's applicable guideline range; null where the profile "
        "has no zones or there is no guideline range.",
    )
    warnings = serializers.ListField(
        child=serializers.CharField(),
        help_text="What the offer recommends that the zone (or the profile's rules) do not "
        "allow or discourage.",
    )


# --- offers: reading ----------------------------------------------------------------------------


class OfferTermSerializer(FastReadMixin, serializers.ModelSerializer[OfferTerm]):
    count = serializers.IntegerField(source="charge.count_number", read_only=True)
    citation = serializers.CharField(source="charge.statute.citation", read_only=True)
    title = serializers.CharField(source="charge.statute.title", read_only=True)
    disposition_display = serializers.CharField(source="get_disposition_display", read_only=True)
    lesser_citation = serializers.SerializerMethodField()
    lesser_title = serializers.SerializerMethodField()

    class Meta:
        model = OfferTerm
        fields = [
            "charge",
            "count",
            "citation",
            "title",
            "disposition",
            "disposition_display",
            "lesser_statute",
            "lesser_citation",
            "lesser_title",
        ]
        read_only_fields = fields

    def get_lesser_citation(self, term: OfferTerm) -> str | None:
        return term.lesser_statute.citation if term.lesser_statute else None

    def get_lesser_title(self, term: OfferTerm) -> str | None:
        return term.lesser_statute.title if term.lesser_statute else None


class ConcessionSerializer(FastReadMixin, serializers.ModelSerializer[Concession]):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Concession
        fields = [
            "id",
            "kind",
            "kind_display",
            "description",
            "derived",
            "charge",
            "severity_reduction",
            "months_below",
            "logged_by",
            "created_at",
        ]
        read_only_fields = fields


class DerivedConcessionSerializer(FastReadMixin, serializers.ModelSerializer[Concession]):
    """A concession an offer would carry; not saved, so without id or date."""

    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Concession
        fields = [
            "kind",
            "kind_display",
            "description",
            "charge",
            "severity_reduction",
            "months_below",
        ]
        read_only_fields = fields


class OfferSerializer(FastReadMixin, serializers.ModelSerializer[Offer]):
    author_name = serializers.SerializerMethodField()
    # "" until a category is given (CN offers never have one); the schema says so.
    criminal_history_category = serializers.ChoiceField(
        choices=CriminalHistoryCategory.choices, allow_blank=True, read_only=True
    )
    closed_by_name = serializers.SerializerMethodField()
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    terms = OfferTermSerializer(many=True, read_only=True)
    concessions = ConcessionSerializer(many=True, read_only=True)

    class Meta:
        model = Offer
        fields = [
            "id",
            "case",
            "round_number",
            "side",
            "author",
            "author_name",
            "answers",
            "status",
            "status_display",
            "terms",
            "custody_min_months",
            "custody_max_months",
            "probation_months",
            "fine",
            "restitution",
            "cooperation",
            "appeal_waiver",
            "immigration_safe_plea",
            "no_enhancement",
            "offense_level",
            "criminal_history_category",
            "acceptance_motion",
            "baseline_months",
            "leniency_stage",
            "leniency_circumstances",
            "expires_at",
            "rationale",
            "discovery_items_disclosed",
            "discovery_last_disclosed_on",
            "response",
            "withdrawal_reason",
            "sent_at",
            "closed_at",
            "closed_by",
            "closed_by_name",
            "set_aside_at",
            "concessions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_author_name(self, offer: Offer) -> str | None:
        return _name(offer.author)

    def get_closed_by_name(self, offer: Offer) -> str | None:
        return _name(offer.closed_by)


class OfferDetailSerializer(OfferSerializer):
    """An offer with its exposure; the view computes the exposure and passes it in context."""

    exposure = serializers.SerializerMethodField()

    class Meta(OfferSerializer.Meta):
        fields = [*OfferSerializer.Meta.fields, "exposure"]
        read_only_fields = fields

    @extend_schema_field(ExposureSerializer)
    def get_exposure(self, offer: Offer) -> dict[str, Any]:
        return dict(ExposureSerializer(self.context["exposure"]).data)


class OfferPreviewSerializer(serializers.Serializer[Any]):
    exposure = ExposureSerializer()
    concessions = DerivedConcessionSerializer(many=True)


# --- offers: writing ----------------------------------------------------------------------------


class TermWriteSerializer(serializers.Serializer[Any]):
    charge = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="A charge id.")
    disposition = serializers.ChoiceField(choices=TermDisposition.choices)
    lesser_statute = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        allow_null=True,
        help_text="The lesser offence's statute id; with the disposition “lesser” only.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # A PATCH is partial, and DRF hands that on to nested fields, so a term without its
        # charge or disposition would get through; but `terms`, when given, replaces every
        # term, so each term is whole whatever the method.
        missing = {
            name: [serializers.Field.default_error_messages["required"]]
            for name in ("charge", "disposition")
            if name not in attrs
        }
        if missing:
            raise serializers.ValidationError(missing, code="required")
        return attrs


def _months(help_text: str = "") -> serializers.IntegerField:
    return serializers.IntegerField(
        max_value=MAX_MONTHS, required=False, allow_null=True, help_text=help_text
    )


def _amount() -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=MAX_AMOUNT_DIGITS, decimal_places=2, required=False, allow_null=True
    )


class OfferContentsSerializer(serializers.Serializer[Any]):
    """What an offer proposes. A field left out keeps its default (on create and PUT) or its
    current value (on PATCH); which fields the case's profile allows is for the service."""

    terms = TermWriteSerializer(
        many=True, required=False, help_text="Counts without a term are pled as charged."
    )
    custody_min_months = _months()
    custody_max_months = _months()
    probation_months = _months()
    fine = _amount()
    restitution = _amount()
    cooperation = serializers.BooleanField(required=False)
    appeal_waiver = serializers.BooleanField(required=False)
    immigration_safe_plea = serializers.BooleanField(required=False)
    no_enhancement = serializers.BooleanField(required=False)
    offense_level = serializers.IntegerField(
        min_value=-(2**15),
        max_value=2**15 - 1,
        required=False,
        allow_null=True,
        help_text="US: total offense level before acceptance of responsibility (1-43).",
    )
    criminal_history_category = serializers.ChoiceField(
        choices=CriminalHistoryCategory.choices, required=False, allow_blank=True
    )
    acceptance_motion = serializers.BooleanField(
        required=False,
        help_text="US: the government moves for the third level of acceptance of "
        "responsibility (USSG 3E1.1(b)); false unless said.",
    )
    baseline_months = _months("CN: the baseline sentence before leniency, in months.")
    leniency_stage = serializers.CharField(required=False, allow_blank=True, max_length=32)
    leniency_circumstances = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False
    )
    expires_at = AwareDateTimeField(required=False, allow_null=True)
    rationale = serializers.CharField(required=False, allow_blank=True, max_length=20_000)

    def offer_input(self, current: Offer | None = None) -> OfferInput:
        """The validated contents as the services take them; on PATCH, over `current`."""
        values: dict[str, Any] = {}
        if current is not None:
            values = {name: getattr(current, name) for name in services.OFFER_FIELDS}
            values["terms"] = [
                TermInput(t.charge_id, t.disposition, t.lesser_statute_id)
                for t in current.terms.all()
            ]
        data: Mapping[str, Any] = self.validated_data
        for name, value in data.items():
            if name == "terms":
                values["terms"] = [
                    TermInput(t["charge"], t["disposition"], t.get("lesser_statute")) for t in value
                ]
            elif name in services.OFFER_FIELDS:
                values[name] = value
        return OfferInput(**values)


@extend_schema_field(OpenApiTypes.INT)
class VisibleOfferField(serializers.PrimaryKeyRelatedField[Offer]):
    """An offer id in a request body; offers the caller may not read are as unknown as missing."""

    def get_queryset(self) -> Any:
        return selectors.offers_visible_to(self.context["request"].user)


@extend_schema_field(OpenApiTypes.INT)
class VisibleParticipantField(serializers.PrimaryKeyRelatedField[CaseParticipant]):
    def get_queryset(self) -> Any:
        # One participation by its id: its case probed, not the reader's every case.
        return participants_checked_for(self.context["request"].user)


class OfferCreateSerializer(OfferContentsSerializer):
    case = VisibleCaseField()


class OfferCounterSerializer(OfferContentsSerializer):
    response = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=20_000,
        help_text="The written response to the offer answered; required against a defense "
        "proposal.",
    )


class ReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=20_000)


class ResponseSerializer(serializers.Serializer[Any]):
    response = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=20_000
    )


class ConcessionLogSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=ConcessionKind.choices)
    description = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=500
    )


# --- suggestions --------------------------------------------------------------------------------


class SuggestionSerializer(FastReadMixin, serializers.ModelSerializer[Suggestion]):
    author_name = serializers.SerializerMethodField()
    author_role_display = serializers.CharField(source="get_author_role_display", read_only=True)
    responded_by_name = serializers.SerializerMethodField()

    class Meta:
        model = Suggestion
        fields = [
            "id",
            "case",
            "offer",
            "author",
            "author_name",
            "author_role",
            "author_role_display",
            "text",
            "response",
            "responded_by",
            "responded_by_name",
            "responded_at",
            "created_at",
        ]
        read_only_fields = fields

    def get_author_name(self, suggestion: Suggestion) -> str | None:
        return _name(suggestion.author)

    def get_responded_by_name(self, suggestion: Suggestion) -> str | None:
        return _name(suggestion.responded_by)


class SuggestionCreateSerializer(serializers.Serializer[Any]):
    case = VisibleCaseField()
    text = serializers.CharField(required=False, allow_blank=True, default="", max_length=20_000)
    offer = VisibleOfferField(required=False, allow_null=True, default=None)


# --- the prosecution's records: a complex case, the rights explained ----------------------------


class ComplexCaseMarkSerializer(FastReadMixin, serializers.ModelSerializer[ComplexCaseMark]):
    class Meta:
        model = ComplexCaseMark
        fields = ["id", "case", "grounds", "reason", "marked_by", "marked_at"]
        read_only_fields = fields


class ComplexCaseMarkCreateSerializer(serializers.Serializer[Any]):
    case = VisibleCaseField()
    grounds = serializers.ListField(
        child=serializers.CharField(max_length=32), required=False, default=list, max_length=20
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=20_000)


class RightsExplanationSerializer(FastReadMixin, serializers.ModelSerializer[RightsExplanation]):
    class Meta:
        model = RightsExplanation
        fields = ["id", "case", "note", "explained_by", "explained_at"]
        read_only_fields = fields


class RightsExplanationCreateSerializer(serializers.Serializer[Any]):
    case = VisibleCaseField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=20_000)


# --- the plea agreement -------------------------------------------------------------------------


class AgreementChargeSerializer(serializers.Serializer[Any]):
    charge_id = serializers.IntegerField()
    count = serializers.IntegerField()
    citation = serializers.CharField()
    title = serializers.CharField()
    disposition = serializers.ChoiceField(choices=TermDisposition.choices)
    lesser_citation = serializers.CharField(allow_blank=True)
    lesser_title = serializers.CharField(allow_blank=True)


class AgreementSentenceSerializer(serializers.Serializer[Any]):
    custody_min_months = serializers.CharField(allow_null=True)
    custody_max_months = serializers.CharField(allow_null=True)
    probation_months = serializers.CharField(allow_null=True)
    fine = serializers.CharField(allow_null=True)
    restitution = serializers.CharField(allow_null=True)


class AgreementTermsSerializer(serializers.Serializer[Any]):
    """The accepted offer's terms, frozen at acceptance (numbers as decimal strings)."""

    offer_id = serializers.IntegerField()
    round_number = serializers.IntegerField()
    charges = AgreementChargeSerializer(many=True)
    sentence = AgreementSentenceSerializer()
    conditions = serializers.ListField(child=serializers.CharField())


class ListedItemSerializer(serializers.Serializer[Any]):
    """An entry of a profile's list: a checklist item, a ground, a procedure. (Fields named
    `label` and `source` shadow Field attributes only for the type checker: DRF's metaclass
    takes declared fields off the class.)"""

    code = serializers.CharField()
    label = serializers.CharField(help_text="In the reader's language.")  # type: ignore[assignment]
    text = serializers.CharField(help_text="The statute's own words, where not English.")
    source = serializers.CharField(help_text="Where the rule comes from.")  # type: ignore[assignment]


class ChecklistItemSerializer(ListedItemSerializer):
    confirmed = serializers.BooleanField()


class ChecklistSerializer(FastReadMixin, serializers.ModelSerializer[PleaAgreement]):
    """The voluntariness checklist of the case's profile (its `checklist_items` that apply to
    the agreement's terms). Each item's code is also a key of its own, true once confirmed."""

    items = serializers.SerializerMethodField()
    complete = serializers.BooleanField(source="checklist_complete", read_only=True)
    completed_by = serializers.IntegerField(
        source="checklist_completed_by_id", read_only=True, allow_null=True
    )
    completed_at = serializers.DateTimeField(
        source="checklist_completed_at", read_only=True, allow_null=True
    )

    class Meta:
        model = PleaAgreement
        fields = [
            "items",
            "interpreter_needed",
            "interpreter_used",
            "interpreter_name",
            "interpreter_language",
            "complete",
            "completed_by",
            "completed_at",
        ]
        read_only_fields = fields

    @extend_schema_field(ChecklistItemSerializer(many=True))
    def get_items(self, agreement: PleaAgreement) -> list[dict[str, Any]]:
        return [
            {**item.as_dict(), "confirmed": confirmed}
            for item, confirmed in wording.checklist_rows(agreement)
        ]

    def to_representation(self, instance: PleaAgreement) -> dict[str, Any]:
        data = dict(super().to_representation(instance))
        return {**{item["code"]: item["confirmed"] for item in data["items"]}, **data}


class SignatureSerializer(FastReadMixin, serializers.ModelSerializer[Signature]):
    signatory_role_display = serializers.CharField(
        source="get_signatory_role_display", read_only=True
    )
    capacity = serializers.CharField(
        read_only=True,
        help_text="The role the signer holds on the case: defendant, defense_counsel, "
        "duty_lawyer or prosecutor.",
    )
    capacity_display = serializers.CharField(source="capacity_label", read_only=True)
    recorded_by_name = serializers.SerializerMethodField()
    witness_name = serializers.SerializerMethodField()

    class Meta:
        model = Signature
        fields = [
            "id",
            "signatory_role",
            "signatory_role_display",
            "capacity",
            "capacity_display",
            "signer_name",
            "signer",
            "signer_participant",
            "recorded_by",
            "recorded_by_name",
            "witness",
            "witness_name",
            "signed_at",
        ]
        read_only_fields = fields

    def get_recorded_by_name(self, signature: Signature) -> str | None:
        return _name(signature.recorded_by)

    def get_witness_name(self, signature: Signature) -> str | None:
        return signature.witness.display_name if signature.witness else None


class StatementOptionsSerializer(serializers.Serializer[Any]):
    procedures = ListedItemSerializer(many=True)
    appeal_limits_source = serializers.CharField()


class CourtReviewOptionsSerializer(serializers.Serializer[Any]):
    """What the court may decide under the case's profile (negotiations.agreement_rules)."""

    outcomes = serializers.ListField(
        child=serializers.ChoiceField(choices=agreement_rules.REVIEW_DECISIONS)
    )
    source = serializers.CharField()  # type: ignore[assignment]
    rejection_grounds = ListedItemSerializer(many=True)
    adjustment_grounds = ListedItemSerializer(many=True)
    adjustment_source = serializers.CharField()


def court_review_options(jurisdiction: Any) -> dict[str, Any]:
    return {
        "outcomes": agreement_rules.review_outcomes(jurisdiction),
        "source": agreement_rules.review_source(jurisdiction),
        "rejection_grounds": [g.as_dict() for g in agreement_rules.rejection_grounds(jurisdiction)],
        "adjustment_grounds": [
            g.as_dict() for g in agreement_rules.adjustment_grounds(jurisdiction)
        ],
        "adjustment_source": agreement_rules.adjustment_source(jurisdiction)
        if agreement_rules.adjustment_grounds(jurisdiction)
        else "",
    }


class AgreementSerializer(FastReadMixin, serializers.ModelSerializer[PleaAgreement]):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    terms = AgreementTermsSerializer(read_only=True)
    procedure_display = serializers.SerializerMethodField()
    checklist = ChecklistSerializer(source="*", read_only=True)
    signatures = SignatureSerializer(many=True, read_only=True)
    has_pdf = serializers.SerializerMethodField()
    adjusted_by = serializers.SerializerMethodField()
    review_ground_display = serializers.SerializerMethodField()
    court_review = serializers.SerializerMethodField()
    statement_options = serializers.SerializerMethodField()

    class Meta:
        model = PleaAgreement
        fields = [
            "id",
            "case",
            "offer",
            "status",
            "status_display",
            "terms",
            "procedure",
            "procedure_display",
            "appeal_limits",
            "statement_options",
            "checklist",
            "signatures",
            "has_pdf",
            "pdf_sha256",
            "submitted_by",
            "submitted_at",
            "reviewed_by",
            "reviewed_at",
            "review_reasons",
            "review_ground",
            "review_ground_display",
            "adjusts",
            "adjusted_by",
            "court_review",
            "withdrawn_by",
            "withdrawn_at",
            "withdrawal_reason",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_has_pdf(self, agreement: PleaAgreement) -> bool:
        return bool(agreement.pdf_sha256)

    def get_procedure_display(self, agreement: PleaAgreement) -> str:
        return wording.procedure_label(agreement)

    @extend_schema_field(OpenApiTypes.INT)
    def get_adjusted_by(self, agreement: PleaAgreement) -> int | None:
        """The agreement made from the adjusted recommendation, once there is one (the
        selectors prefetch it)."""
        try:
            return agreement.adjusted_by.pk
        except ObjectDoesNotExist:
            return None

    def get_review_ground_display(self, agreement: PleaAgreement) -> str:
        return wording.review_ground_label(agreement)

    @extend_schema_field(CourtReviewOptionsSerializer)
    def get_court_review(self, agreement: PleaAgreement) -> dict[str, Any]:
        return court_review_options(agreement.case.court.jurisdiction)

    @extend_schema_field(StatementOptionsSerializer)
    def get_statement_options(self, agreement: PleaAgreement) -> dict[str, Any]:
        """What the plea statement names beyond the terms under the profile (CPL art. 174:
        the procedure; cn-reform: the limits on appeal); empty lists where nothing."""
        jurisdiction = agreement.case.court.jurisdiction
        return {
            "procedures": [p.as_dict() for p in agreement_rules.plea_procedures(jurisdiction)],
            "appeal_limits_source": agreement_rules.appeal_limits_source(jurisdiction),
        }


class ChecklistWriteSerializer(serializers.Serializer[Any]):
    """The checklist as confirmed: each item's code (agreement body `checklist.items`) true,
    and the interpreter. The items are the case profile's; a code of another is ignored."""

    interpreter_used = serializers.BooleanField(default=False)
    interpreter_name = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=200
    )
    interpreter_language = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=64
    )

    def __init__(self, *args: Any, items: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._items = tuple(items)
        for code in self._items:
            self.fields[code] = serializers.BooleanField(default=False)

    def service_arguments(self) -> dict[str, Any]:
        data = dict(self.validated_data)
        items = {code: data.pop(code) for code in self._items}
        return {"items": items, **data}


class StatementSerializer(serializers.Serializer[Any]):
    procedure = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=32,
        help_text="Code of one of the profile's procedures (agreement body "
        "`statement_options.procedures`).",
    )
    appeal_limits = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=20_000,
        help_text="The limits on appeal, where the profile records them "
        "(`statement_options.appeal_limits_source`).",
    )


class SignSerializer(serializers.Serializer[Any]):
    on_behalf_of_defendant = serializers.BooleanField(
        default=False,
        help_text="Counsel records the signature of a defendant who signed on paper before "
        "them (counsel is then the witness).",
    )
    witness = VisibleParticipantField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The participant (defense counsel or duty lawyer) before whom the defendant "
        "signs.",
    )


class ReviewSerializer(serializers.Serializer[Any]):
    decision = serializers.ChoiceField(
        choices=[
            ("accepted", "Accepted"),
            ("rejected", "Rejected"),
            ("adjust", "Adjustment of the recommendation requested"),
        ],
        help_text="What the court decides; `adjust` only where the profile has it (agreement "
        "body `court_review.outcomes`), else 409.",
    )
    ground = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=64,
        help_text="The ground a rejection or an adjustment names, where the profile lists "
        "them (`court_review.rejection_grounds`, `court_review.adjustment_grounds`).",
    )
    reasons = serializers.CharField(required=False, allow_blank=True, default="", max_length=20_000)

    _DECISIONS = {
        "accepted": agreement_rules.ACCEPT,
        "rejected": agreement_rules.REJECT,
        "adjust": agreement_rules.ADJUST,
    }

    def service_arguments(self) -> dict[str, Any]:
        return {
            "decision": self._DECISIONS[self.validated_data["decision"]],
            "ground": self.validated_data["ground"],
            "reasons": self.validated_data["reasons"],
        }
