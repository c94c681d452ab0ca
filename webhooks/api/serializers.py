"""What the webhooks API reads and writes. Parsing only: which URLs and event types are allowed
and who may change what are decided in webhooks.services and webhooks.destinations."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import NamedChoiceField
from core.api.serializers import FastReadMixin
from integrations.models import EventType
from webhooks.models import Delivery, DeliveryAttempt, DeliveryStatus, WebhookEndpoint

MAX_ID = 2**63 - 1


def event_type_field(**kwargs: Any) -> NamedChoiceField:
    return NamedChoiceField(EventType.choices, component="WebhookEventTypeEnum", **kwargs)


class SecretInfoSerializer(serializers.Serializer[Any]):
    """A signing secret without its value: when it was made and until when it signs."""

    prefix = serializers.SerializerMethodField(help_text="Its first characters, to recognise it.")
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(
        allow_null=True, help_text="Null for the current secret; set for one being rotated out."
    )

    def get_prefix(self, secret: Any) -> str:
        return f"{secret.secret[:10]}…"


class EndpointSerializer(FastReadMixin, serializers.ModelSerializer[WebhookEndpoint]):
    event_types = serializers.ListField(child=event_type_field())
    enabled = serializers.BooleanField(source="is_enabled", read_only=True)
    secrets = serializers.SerializerMethodField()

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "client",
            "url",
            "description",
            "event_types",
            "enabled",
            "disabled_at",
            "disabled_reason",
            "secrets",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(SecretInfoSerializer(many=True))
    def get_secrets(self, endpoint: WebhookEndpoint) -> list[dict[str, Any]]:
        # Prefetched by webhooks.selectors.endpoints_visible_to.
        return list(SecretInfoSerializer(endpoint.secrets.all(), many=True).data)


class EndpointWriteSerializer(serializers.Serializer[Any]):
    client = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="The API client the endpoint belongs to. Omit it when you call with the "
        "client's own token.",
    )
    url = serializers.CharField(
        max_length=2000,
        help_text="Where to POST messages: an http(s) URL on a public address.",
    )
    event_types = serializers.ListField(
        child=event_type_field(), min_length=1, max_length=32, help_text="What to be sent."
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)


class EndpointUpdateSerializer(EndpointWriteSerializer):
    client = None  # type: ignore[assignment]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class EndpointCreatedSerializer(EndpointSerializer):
    secret = serializers.CharField(
        read_only=True,
        help_text="The signing secret (whsec_…). Shown this once: store it with the receiver.",
    )

    class Meta(EndpointSerializer.Meta):
        fields = [*EndpointSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class RotatedSecretSerializer(serializers.Serializer[Any]):
    secret = serializers.CharField(help_text="The new signing secret. Shown this once.")
    previous_valid_until = serializers.DateTimeField(
        help_text="Until then messages are signed with the old secret(s) too."
    )


class AttemptSerializer(FastReadMixin, serializers.ModelSerializer[DeliveryAttempt]):
    class Meta:
        model = DeliveryAttempt
        fields = ["attempted_at", "status_code", "duration_ms", "error", "response_excerpt"]
        read_only_fields = fields


class DeliverySerializer(FastReadMixin, serializers.ModelSerializer[Delivery]):
    status = NamedChoiceField(DeliveryStatus.choices, component="DeliveryStatusEnum")
    event_type = serializers.CharField(source="event.type")
    event_id = serializers.IntegerField(source="event.id")
    response_time_ms = serializers.IntegerField(source="last_response_ms", allow_null=True)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "endpoint",
            "event_id",
            "event_type",
            "message_id",
            "status",
            "attempts",
            "next_attempt_at",
            "last_status_code",
            "response_time_ms",
            "last_error",
            "replay_of",
            "created_at",
            "completed_at",
        ]
        read_only_fields = fields


class DeliveryDetailSerializer(DeliverySerializer):
    attempt_log = AttemptSerializer(many=True, help_text="Newest first.")

    class Meta(DeliverySerializer.Meta):
        fields = [*DeliverySerializer.Meta.fields, "attempt_log"]
        read_only_fields = fields


class DeliveryListQuerySerializer(serializers.Serializer[Any]):
    status = NamedChoiceField(
        DeliveryStatus.choices, component="DeliveryStatusEnum", required=False
    )
