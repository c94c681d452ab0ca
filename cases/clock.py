"""A case's time: today on its court's calendar, and when it last changed. Below the services
of cases, which all use them."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.utils import timezone

from cases.models import Case, Court


def court_today(court: Court) -> dt.date:
    """Today on the court's calendar. Dates on a case are the court's days, not the server's:
    at 08:00 in Tokyo it is still yesterday in UTC."""
    return timezone.localdate(timezone=zoneinfo.ZoneInfo(court.time_zone))


def case_touch(*, case_id: int) -> None:
    """Mark a case as changed when something on it changes (charges, parties), so that
    docket systems polling with `updated_at__gte` see it."""
    Case.objects.filter(pk=case_id).update(updated_at=timezone.now())
