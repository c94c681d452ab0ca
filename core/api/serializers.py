"""Reading rows out fast: DRF's ModelSerializer, with its representation planned once per
serializer instead of decided field by field for every row.

DRF's `Serializer.to_representation` asks each field for its attribute through
`Field.get_attribute`, which walks `source_attrs`, inspects every value to see whether it is a
callable to call (`inspect.signature` of `get_status_display` on every row: 90 µs), makes a
related manager and clones its prefetched queryset for every nested list, and looks up the
current time zone for every moment. A list of 50 offers spent 20 ms on that. `FastReadMixin`
looks at each field once, on the serializer's first row, and for the plain cases reads the value
directly:

- a concrete column of the model (`source` one attribute): `getattr`, and for a moment in
  DRF's ISO 8601 format the conversion to the zone DRF would use, read once;
- a primary key relation (`PrimaryKeyRelatedField` on a foreign key): the column's `attname`,
  as DRF's own pk-only optimisation reads it;
- a `SerializerMethodField`: the method;
- a method of the model that DRF would call (`get_status_display`): called;
- a nested list of a reverse relation that was prefetched: the prefetched rows.

Every other field (dotted sources, `source="*"`, properties, relations that were not
prefetched, a row that is not an instance of the serializer's model) goes through DRF's own
`get_attribute` and `to_representation`, as before. The output is DRF's, value for value:
tests/core/test_fast_serializers.py compares both for every serializer that uses the mixin.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
from typing import Any

from django.db import models
from django.db.models.fields.related_descriptors import ReverseManyToOneDescriptor
from django.db.models.query_utils import DeferredAttribute
from rest_framework import ISO_8601, serializers
from rest_framework.fields import SkipField, is_simple_callable
from rest_framework.relations import PKOnlyObject, PrimaryKeyRelatedField
from rest_framework.settings import api_settings

# How one field is read: (name, how, reader, field).
COLUMN, MOMENT, KEY, METHOD, CALL, MANY, DRF = range(7)
Plan = list[tuple[Any, int, Any, Any]]


def _column(model: type[models.Model], attr: str) -> models.Field[Any, Any] | None:
    """The concrete field behind `model.attr`, if that attribute is a column's descriptor."""
    descriptor = inspect.getattr_static(model, attr, None)
    try:
        field = model._meta.get_field(attr)
    except Exception:
        return None
    if not isinstance(field, models.Field) or not field.concrete:
        return None
    if field.is_relation:
        return field if field.attname != attr else None
    return field if isinstance(descriptor, DeferredAttribute) else None


def _called(model: type[models.Model], attr: str, instance: models.Model) -> bool:
    """Whether DRF calls `instance.attr` for its value: a method of the model taking no
    arguments (get_FOO_display)."""
    static = inspect.getattr_static(model, attr, None)
    if not isinstance(static, functools.partialmethod) and not inspect.isfunction(static):
        return False
    return is_simple_callable(getattr(instance, attr))


def _moment_zone(field: serializers.DateTimeField) -> tuple[bool, Any]:
    """Whether DRF writes the field's moments in ISO 8601, and the zone it converts them to."""
    output_format = getattr(field, "format", api_settings.DATETIME_FORMAT)
    if output_format is None or output_format.lower() != ISO_8601:
        return False, None
    zone = field.timezone if hasattr(field, "timezone") else field.default_timezone()
    return zone is not None, zone


def plan_of(serializer: serializers.Serializer[Any], instance: models.Model) -> Plan:
    """How `serializer` reads each of its readable fields from rows like `instance`."""
    model = type(instance)
    plan: Plan = []
    for field in serializer._readable_fields:
        name = field.field_name
        attrs = field.source_attrs
        if isinstance(field, serializers.SerializerMethodField):
            plan.append((name, METHOD, getattr(serializer, field.method_name), field))
            continue
        if len(attrs) != 1:
            plan.append((name, DRF, None, field))
            continue
        attr = attrs[0]
        column = _column(model, attr)
        if column is not None and column.is_relation:
            pk_only = (
                isinstance(field, PrimaryKeyRelatedField)
                and field.pk_field is None
                and field.use_pk_only_optimization()
            )
            plan.append((name, KEY if pk_only else DRF, column.attname, field))
        elif column is not None and not isinstance(field, serializers.RelatedField):
            if isinstance(field, serializers.DateTimeField):
                iso, zone = _moment_zone(field)
                if iso:
                    plan.append((name, MOMENT, (attr, zone), field))
                    continue
            plan.append((name, COLUMN, attr, field))
        elif (
            isinstance(field, serializers.ListSerializer)
            and type(field).to_representation is serializers.ListSerializer.to_representation
            and isinstance(inspect.getattr_static(model, attr, None), ReverseManyToOneDescriptor)
        ):
            plan.append((name, MANY, attr, field))
        elif _called(model, attr, instance):
            plan.append((name, CALL, attr, field))
        else:
            plan.append((name, DRF, None, field))
    return plan


def _drf_value(field: Any, instance: Any) -> Any:
    """A field's value as DRF's Serializer.to_representation makes it; SkipField passes up."""
    value = field.get_attribute(instance)
    check = value.pk if isinstance(value, PKOnlyObject) else value
    return None if check is None else field.to_representation(value)


class FastReadMixin:
    """For a ModelSerializer: the same representation, read by a plan made once."""

    _fast_plan: Plan | None = None
    _fast_model: type[models.Model] | None = None

    def to_representation(self, instance: Any) -> dict[str, Any]:
        plan = self._fast_plan
        if plan is None or type(instance) is not self._fast_model:
            if not isinstance(instance, models.Model):
                return super().to_representation(instance)  # type: ignore[misc]
            plan = self._fast_plan = plan_of(self, instance)  # type: ignore[arg-type]
            self._fast_model = type(instance)
        ret: dict[str, Any] = {}
        value: Any
        for name, how, reader, field in plan:
            if how == COLUMN:
                value = getattr(instance, reader)
                ret[name] = None if value is None else field.to_representation(value)
            elif how == MOMENT:
                value = getattr(instance, reader[0])
                if not value:
                    ret[name] = None
                elif isinstance(value, dt.datetime) and value.tzinfo is not None:
                    text = value.astimezone(reader[1]).isoformat()
                    ret[name] = text[:-6] + "Z" if text.endswith("+00:00") else text
                else:
                    ret[name] = field.to_representation(value)
            elif how == KEY:
                ret[name] = getattr(instance, reader)
            elif how == METHOD:
                ret[name] = reader(instance)
            elif how == CALL:
                value = getattr(instance, reader)()
                ret[name] = None if value is None else field.to_representation(value)
            elif how == MANY:
                cached = getattr(instance, "_prefetched_objects_cache", {}).get(reader)
                if cached is not None and cached._result_cache is not None:
                    child = field.child
                    ret[name] = [child.to_representation(row) for row in cached._result_cache]
                else:
                    ret[name] = _drf_value(field, instance)
            else:
                try:
                    ret[name] = _drf_value(field, instance)
                except SkipField:
                    continue
        return ret
