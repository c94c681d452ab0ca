from __future__ import annotations

from typing import Any

from rest_framework import serializers

from core.api.fields import AwareDateTimeField
from core.api.serializers import FastReadMixin
from integrations.events import subject_link
from integrations.models import ApiClient, ApiToken, Event, EventType


class EventSerializer(FastReadMixin, serializers.ModelSerializer[Event]):
    """One item of the change feed: what happened to what, and where to read it."""

    subject = serializers.CharField(source="subject_type")
    link = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = ["id", "type", "occurred_at", "subject", "subject_id", "case", "link"]

    def get_link(self, event: Event) -> str:
        request = self.context["request"]
        return str(request.build_absolute_uri(subject_link(event.subject_type, event.subject_id)))


class EventFeedQuerySerializer(serializers.Serializer[Any]):
    after = serializers.CharField(
        required=False,
        help_text="The `next_after` of your previous page; omit to start at the beginning, or "
        '"now" to start at the end (only what happens from now on).',
    )
    type = serializers.MultipleChoiceField(
        choices=EventType.choices, required=False, help_text="Only these types (repeatable)."
    )
    case = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=500, default=100)


class EventFeedSerializer(serializers.Serializer[Any]):
    results = EventSerializer(many=True)
    next_after = serializers.CharField(
        help_text="Send as `after` to get what came next. Unchanged when nothing new came."
    )
    has_more = serializers.BooleanField(help_text="True if more events are ready now.")


class ApiTokenSerializer(FastReadMixin, serializers.ModelSerializer[ApiToken]):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at"]
        read_only_fields = fields


class ApiClientSerializer(FastReadMixin, serializers.ModelSerializer[ApiClient]):
    account = serializers.CharField(source="account.username", read_only=True)
    role = serializers.CharField(source="account.profile.role_kind", read_only=True)

    class Meta:
        model = ApiClient
        fields = ["id", "name", "court", "account", "role", "owner", "created_at", "revoked_at"]
        read_only_fields = fields


class ApiTokenCreateSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=120)
    expires_at = AwareDateTimeField(required=False, allow_null=True)


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    token = serializers.CharField(help_text="The token itself. Shown this once; keep it safe.")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]
        read_only_fields = fields
