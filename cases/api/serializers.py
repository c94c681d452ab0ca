from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.models import Case, CaseStatus, Charge, Court, Disposition, Jurisdiction, Statute
from cases.profiles import COLUMNS
from cases.selectors import cases_checked_for
from core.api.serializers import FastReadMixin
from parties.models import Role


class JurisdictionSerializer(FastReadMixin, serializers.ModelSerializer[Jurisdiction]):
    class Meta:
        model = Jurisdiction
        # The profile's columns as the data file names them (cases.profiles.COLUMNS).
        fields = ["id", "code", *COLUMNS, "parameters", "sources", "profile_version"]


class CourtSerializer(FastReadMixin, serializers.ModelSerializer[Court]):
    jurisdiction_code = serializers.CharField(source="jurisdiction.code", read_only=True)

    class Meta:
        model = Court
        fields = ["id", "name", "jurisdiction", "jurisdiction_code", "subdivision", "time_zone"]


class StatuteSerializer(FastReadMixin, serializers.ModelSerializer[Statute]):
    lesser_included: serializers.PrimaryKeyRelatedField[Statute] = (
        serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    )

    class Meta:
        model = Statute
        fields = [
            "id",
            "jurisdiction",
            "citation",
            "title",
            "offence_class",
            "severity_rank",
            "min_custody_months",
            "max_custody_months",
            "mandatory_minimum_months",
            "mandatory_term_consecutive",
            "consecutive_terms_concurrent_with_each_other",
            "penalty_kind",
            "fine_applies",
            "max_fine",
            "lesser_included",
        ]


class CaseSerializer(FastReadMixin, serializers.ModelSerializer[Case]):
    court_name = serializers.CharField(source="court.name", read_only=True)
    jurisdiction_code = serializers.CharField(source="court.jurisdiction.code", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "court",
            "court_name",
            "jurisdiction_code",
            "docket_number",
            "caption",
            "status",
            "status_display",
            "opened_on",
            "closed_on",
            "sealed",
            "external_id",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class CaseCreateSerializer(serializers.Serializer[Any]):
    court = serializers.PrimaryKeyRelatedField(queryset=Court.objects.all())
    docket_number = serializers.CharField(max_length=64)
    caption = serializers.CharField(max_length=300)
    opened_on = serializers.DateField(required=False)
    sealed = serializers.BooleanField(default=False)
    external_id = serializers.CharField(
        max_length=128, required=False, allow_null=True, allow_blank=True
    )


class CaseUpdateSerializer(serializers.Serializer[Any]):
    caption = serializers.CharField(max_length=300, required=False)
    sealed = serializers.BooleanField(required=False)
    external_id = serializers.CharField(
        max_length=128, required=False, allow_null=False, allow_blank=True
    )


class CaseTransitionSerializer(serializers.Serializer[Any]):
    to_status = serializers.ChoiceField(choices=CaseStatus.choices)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


@extend_schema_field(OpenApiTypes.INT)
class VisibleCaseField(serializers.PrimaryKeyRelatedField[Case]):
    """A case id in a request body; cases the caller may not see are as unknown as missing ones."""

    def get_queryset(self) -> Any:
        return cases_checked_for(self.context["request"].user)


class ChargeSerializer(FastReadMixin, serializers.ModelSerializer[Charge]):
    statute_citation = serializers.CharField(source="statute.citation", read_only=True)
    statute_title = serializers.CharField(source="statute.title", read_only=True)
    # Declared so that the schema allows the "" of a charge not yet disposed (a read-only field
    # derived from the model loses allow_blank, and with it the schema's BlankEnum).
    disposition = serializers.ChoiceField(
        choices=Disposition.choices,
        allow_blank=True,
        read_only=True,
        help_text="How the charge ended; empty until it is disposed.",
    )

    class Meta:
        model = Charge
        fields = [
            "id",
            "case",
            "count_number",
            "statute",
            "statute_citation",
            "statute_title",
            "description",
            "status",
            "disposition",
            "disposition_date",
            "external_id",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ChargeCreateSerializer(serializers.Serializer[Any]):
    case = VisibleCaseField()
    statute = serializers.PrimaryKeyRelatedField(queryset=Statute.objects.all())
    description = serializers.CharField(required=False, allow_blank=True, default="")
    count_number = serializers.IntegerField(required=False, min_value=1, max_value=32767)


class ChargeUpdateSerializer(serializers.Serializer[Any]):
    description = serializers.CharField(required=False, allow_blank=True)
    disposition = serializers.ChoiceField(choices=Disposition.choices, required=False)
    disposition_date = serializers.DateField(required=False)


class EligiblePeopleQuerySerializer(serializers.Serializer[Any]):
    role = serializers.ChoiceField(
        # A defendant takes part as a Defendant (GET /defendants/), not as a user.
        choices=[(value, label) for value, label in Role.choices if value != Role.DEFENDANT],
        help_text="The role they would take on the case.",
    )
    q = serializers.CharField(
        min_length=2,
        max_length=100,
        help_text="The start of their first name, last name, full name (either way round) or "
        "username, in any case.",
    )


class EligiblePersonSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(help_text="The user to send as `user` to POST /participants/.")
    name = serializers.CharField()
    organization = serializers.CharField(allow_null=True)


class EligiblePeopleSerializer(serializers.Serializer[Any]):
    results = EligiblePersonSerializer(many=True)
    more = serializers.BooleanField(
        help_text="More people match than are listed: send a longer `q`."
    )
