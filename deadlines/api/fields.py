"""A choice field whose choices are one named enum in the OpenAPI schema.

drf-spectacular names an enum after the field that carries it ("status", "kind"); several
choice sets under one field name (a hearing's status, a deadline's, an offer's) collide. These
fields name their enum themselves (HearingStatusEnum, DeadlineStatusEnum, …), so the schema
stays the same whatever other apps add.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

if TYPE_CHECKING:
    from drf_spectacular.openapi import AutoSchema


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
