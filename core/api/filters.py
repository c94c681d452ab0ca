import datetime as dt
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from core.api.fields import NAIVE_MOMENT


class IdFilter(django_filters.Filter):
    """A related row's id, matched without looking the row up first.

    django-filter's default for a foreign key checks that the id exists among all rows: 400 for a
    missing case, 200 for a case the user may not see, which tells the two apart.
    """

    field_class = forms.IntegerField


class _MomentField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 moment, turned into UTC before it reaches the database.

    PostgreSQL refuses offsets beyond ±15:59 and years before 4713 BC; Python accepts offsets up
    to ±23:59. In UTC the value is one PostgreSQL reads; one that has no UTC form is a 400.
    """

    def to_python(self, value: Any) -> dt.datetime | None:
        # Django reads a time without an offset in the server's zone; like every moment the API
        # reads (core.api.fields.AwareDateTimeField), it must say its offset.
        if isinstance(value, str) and value.strip():
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:
                parsed = None
            if parsed is not None and timezone.is_naive(parsed):
                raise ValidationError(NAIVE_MOMENT, code="naive")
        moment: dt.datetime | None = super().to_python(value)
        if moment is None or moment.tzinfo is None:
            return moment
        try:
            return moment.astimezone(dt.UTC)
        except OverflowError:  # no UTC form (year 1 at +01:00): not a moment we can compare
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class MomentFilter(django_filters.IsoDateTimeFilter):
    """A filter on a moment (`updated_at__gte=2026-03-01T09:00:00Z`), never a 500 on offsets the
    database does not take."""

    field_class = _MomentField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "An ISO 8601 date and time, e.g. 2026-03-01T09:00:00Z.")
        super().__init__(*args, **kwargs)
