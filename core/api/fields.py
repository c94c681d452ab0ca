"""Serializer fields every API serializer uses for one kind of value."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

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
