"""Serializers of the parties on cases: participants, and the defendant a participation names."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.api.serializers import VisibleCaseField
from cases.party_selectors import defendants_visible_to
from cases.party_services import participant_conflict_sentences
from core.api.serializers import FastReadMixin
from parties.models import CaseParticipant, Defendant, Role
from parties.selectors import people_who_may_join_cases


class ParticipantSerializer(FastReadMixin, serializers.ModelSerializer[CaseParticipant]):
    name = serializers.CharField(source="display_name", read_only=True)
    organization = serializers.SerializerMethodField()
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    conflicts = serializers.SerializerMethodField(
        help_text="What the conflict-of-interest check flagged when the person was added, one "
        "sentence each (a connected case is named only if you may see it); empty when nothing "
        "was.",
    )

    class Meta:
        model = CaseParticipant
        fields = [
            "id",
            "case",
            "role",
            "role_display",
            "side",
            "is_lead",
            "user",
            "defendant",
            "name",
            "organization",
            "start_date",
            "end_date",
            "conflicts",
            "conflict_override_reason",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "conflict_override_reason": {
                "help_text": "Why the flagged conflicts were overridden; empty when none were."
            },
        }

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_conflicts(self, obj: CaseParticipant) -> list[str]:
        if not obj.conflicts:
            return []
        reader = self.context["request"].user
        return participant_conflict_sentences([obj], reader=reader).get(obj.pk, [])

    def get_organization(self, obj: CaseParticipant) -> str | None:
        profile = getattr(obj.user, "profile", None) if obj.user else None
        return profile.organization.name if profile and profile.organization else None


@extend_schema_field(OpenApiTypes.INT)
class VisibleDefendantField(serializers.PrimaryKeyRelatedField[Defendant]):
    def get_queryset(self) -> Any:
        return defendants_visible_to(self.context["request"].user)


class ParticipantCreateSerializer(serializers.Serializer[Any]):
    case = VisibleCaseField()
    role = serializers.ChoiceField(choices=Role.choices)
    user = serializers.PrimaryKeyRelatedField(
        queryset=people_who_may_join_cases(),
        required=False,
        allow_null=True,
    )
    defendant = VisibleDefendantField(required=False, allow_null=True)
    is_lead = serializers.BooleanField(default=False)
    start_date = serializers.DateField(required=False)
    conflict_override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="Why the person is added despite the conflicts of interest a first attempt "
        "was refused for (409, code conflict_of_interest). Ignored when nothing is flagged.",
    )


class ConflictOfInterestSerializer(serializers.Serializer[Any]):
    """The 409 body when adding a participant is a possible conflict of interest."""

    detail = serializers.CharField()
    code = serializers.CharField(help_text='Always "conflict_of_interest".')
    conflicts = serializers.ListField(
        child=serializers.CharField(),
        help_text="One sentence per conflict found; send a conflict_override_reason to add "
        "the person anyway.",
    )


class ParticipantEndSerializer(serializers.Serializer[Any]):
    end_date = serializers.DateField(required=False)
