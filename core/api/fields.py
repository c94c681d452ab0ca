"""Serializer fields every API serializer uses for one kind of value."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

if TYPE_CHECKING:
    from drf_spectacular.openapi import AutoSchema

NAIVE_MOMENT = _(
    "Give the time with its offset from UTC, e.g. 2026-03-08T09:30:00-05:00 or "
    "2026-03-08T14:30:00Z: a time without one could be any of several moments."
)


class AwareDateTimeField(serializers.DateTimeField):
    """A moment: an ISO 8601 date and time with its offset (`Z`, `+01:00`).

    DRF reads a time without an offset in the server's zone (UTC), so a New York clerk's
    "09:30" would be stored five hours early, and a wall time that does not exist there
    (02:30 on the morning clocks go forward) would be taken as a real moment. Every serializer
    that reads a moment uses this field instead, and a time without an offset is a 400 for
    the field (docs/api.md, "Times"). Pages read wall times in the court's zone instead.
    """

    default_error_messages = {"naive": NAIVE_MOMENT}

    def enforce_timezone(self, value: dt.datetime) -> dt.datetime:
        if timezone.is_naive(value):
            self.fail("naive")
        return super().enforce_timezone(value)


# A choice field whose choices are one named enum in the OpenAPI schema.
#
# drf-spectacular names an enum after the field that carries it ("status", "kind"); several
# choice sets under one field name (a hearing's status, a deadline's, an offer's) collide. These
# fields name their enum themselves (HearingStatusEnum, DeadlineStatusEnum, …), so the schema
# stays the same whatever other apps add.
class NamedChoiceField(serializers.ChoiceField):
    def __init__(self, choices: Any, *, component: str, **kwargs: Any) -> None:
        self.component = component
        super().__init__(choices, **kwargs)


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = NamedChoiceField
    match_subclasses = True

    def get_name(self) -> str | None:
        return str(self.target.component)

    def map_serializer_field(self, auto_schema: AutoSchema, direction: Any) -> dict[str, Any]:
        choices = self.target.choices
        return {
            "type": "string",
            "enum": list(choices),
            "description": "\n".join(f"* `{value}` - {label}" for value, label in choices.items()),
        }
