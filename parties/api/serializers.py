from __future__ import annotations

from typing import Any

from rest_framework import serializers

from core.api.serializers import FastReadMixin
from parties.models import (
    DEFENDANT_DETAILS,
    CitizenshipStatus,
    CustodyStatus,
    Defendant,
    Organization,
)


class OrganizationSerializer(FastReadMixin, serializers.ModelSerializer[Organization]):
    class Meta:
        model = Organization
        fields = ["id", "name", "kind", "jurisdiction"]


class DefendantSerializer(FastReadMixin, serializers.ModelSerializer[Defendant]):
    class Meta:
        model = Defendant
        fields = ["id", *DEFENDANT_DETAILS, "external_id", "created_at"]
        read_only_fields = fields


class DefendantWriteSerializer(serializers.Serializer[Any]):
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    custody_status = serializers.ChoiceField(choices=CustodyStatus.choices, required=False)
    preferred_language = serializers.CharField(max_length=64, required=False)
    interpreter_needed = serializers.BooleanField(required=False)
    citizenship_status = serializers.ChoiceField(choices=CitizenshipStatus.choices, required=False)
