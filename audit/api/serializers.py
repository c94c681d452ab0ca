"""What the history API returns: each event as recorded, with what a person reads of it (the
summary, who acted, each recorded field as text). Read-only."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


class FieldChangeSerializer(serializers.Serializer[Any]):
    field = serializers.CharField(source="column", help_text="The column as recorded.")
    # A declared field named like a Field attribute: DRF takes it out of the class body.
    label = serializers.CharField(help_text="The field's name for people.")  # type: ignore[assignment]
    before = serializers.CharField(
        allow_null=True, help_text="The value before, as text; null on a created row."
    )
    after = serializers.CharField(
        allow_null=True, help_text="The value after, as text; null on a deleted row."
    )


@extend_schema_field(OpenApiTypes.OBJECT)
class RecordedValuesField(serializers.JSONField):
    """The row's columns as the database recorded them (JSON), or null."""


class HistoryEventSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="event.id")
    occurred_at = serializers.DateTimeField(source="event.occurred_at", help_text="UTC.")
    kind = serializers.CharField(
        source="event.kind", help_text='"<subject>.<verb>", e.g. "note.created".'
    )
    kind_label = serializers.CharField(
        source="label", help_text='The kind for people, e.g. "Note created".'
    )
    summary = serializers.CharField(help_text="What happened, in one line.")
    who = serializers.CharField(
        help_text='Who acted: a name, "system task", or "outside the app (<database user>)".'
    )
    actor_id = serializers.IntegerField(source="event.actor_id", allow_null=True)
    actor_name = serializers.CharField(
        source="event.actor_name", help_text="The username when it happened."
    )
    via = serializers.CharField(
        source="event.via", help_text='web, api, task, command; "" for a write outside the app.'
    )
    request_id = serializers.CharField(source="event.request_id")
    db_user = serializers.CharField(source="event.db_user")
    audience = serializers.CharField(
        source="event.audience", help_text="The wall the event sits behind."
    )
    audience_label = serializers.CharField()
    table = serializers.CharField(source="event.table_name", help_text='"" for app events.')
    table_label = serializers.CharField()
    row_id = serializers.CharField(source="event.row_id")
    changes = FieldChangeSerializer(many=True)
    before = RecordedValuesField(source="values.before", allow_null=True)
    after = RecordedValuesField(source="values.after", allow_null=True)
    # As for `label` above: the declared field, not the serializer's `data`, at run time.
    data = RecordedValuesField(source="values.data")  # type: ignore[assignment]
