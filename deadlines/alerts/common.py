"""What every part of the alerts shares: the log, the digest's span, a date's moment and
recipients, and the Alert rows themselves (their key, and the insert that skips keys taken)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.utils import timezone

from cases.models import Case
from deadlines import selectors
from deadlines.models import (
    NEGOTIATION_DEADLINE_KINDS,
    UPCOMING_HEARING_STATUSES,
    Alert,
    AlertStatus,
    Deadline,
    DeadlineStatus,
    Hearing,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User


# One logger for the package, under the name it has always had.
logger = logging.getLogger("deadlines.alerts")

DIGEST_DAYS = 14  # the next two weeks, as on the dashboard

DateObj = Hearing | Deadline

# The unique key of an alert, as compared in Python.
AlertKey = tuple[str, int | None, int | None, dt.datetime, int, int, str]


def _deadline_moment(deadline: Deadline) -> dt.datetime:
    return selectors.deadline_moment(deadline)


def moment_of(date: DateObj) -> dt.datetime:
    if isinstance(date, Hearing):
        return date.starts_at
    return _deadline_moment(date)


def _date_recipients(case: Case, *, negotiation: bool) -> list[User]:
    return selectors.date_recipients(case, negotiation=negotiation)


def _is_negotiation(date: DateObj) -> bool:
    return isinstance(date, Deadline) and date.kind in NEGOTIATION_DEADLINE_KINDS


def _is_upcoming(date: DateObj) -> bool:
    if isinstance(date, Hearing):
        return date.status in UPCOMING_HEARING_STATUSES
    return date.status == DeadlineStatus.OPEN


def _key(alert: Alert) -> AlertKey:
    return (
        alert.subject,
        alert.deadline_id,
        alert.hearing_id,
        alert.target_at,
        alert.recipient_id,
        alert.lead_minutes,
        alert.channel,
    )


def _alert(
    *,
    subject: str,
    date: DateObj | None,
    case: Case | None,
    recipient: User,
    target_at: dt.datetime,
    lead: int,
    channel: str,
    send_at: dt.datetime,
) -> Alert:
    return Alert(
        recipient=recipient,
        channel=channel,
        subject=subject,
        case=case,
        deadline=date if isinstance(date, Deadline) else None,
        hearing=date if isinstance(date, Hearing) else None,
        target_at=target_at,
        lead_minutes=lead,
        send_at=send_at,
    )


_INSERT_COLUMNS = (
    "recipient_id",
    "channel",
    "subject",
    "case_id",
    "deadline_id",
    "hearing_id",
    "target_at",
    "lead_minutes",
    "send_at",
    "status",
    "attempts",
    "last_error",
    "created_at",
)


def _insert(new: Sequence[Alert]) -> int:
    """Insert alerts whose key is not taken yet; returns how many were new. (bulk_create with
    ignore_conflicts cannot tell.)"""
    created = 0
    now = timezone.now()
    for start in range(0, len(new), 500):
        chunk = new[start : start + 500]
        row = "(" + ", ".join(["%s"] * len(_INSERT_COLUMNS)) + ")"
        params: list[Any] = []
        for a in chunk:
            params += [
                a.recipient_id,
                a.channel,
                a.subject,
                a.case_id,
                a.deadline_id,
                a.hearing_id,
                a.target_at,
                a.lead_minutes,
                a.send_at,
                AlertStatus.PENDING,
                0,
                "",
                now,
            ]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO deadlines_alert ({', '.join(_INSERT_COLUMNS)}) "  # noqa: S608
                f"VALUES {', '.join([row] * len(chunk))} "
                "ON CONFLICT ON CONSTRAINT alert_key_unique DO NOTHING RETURNING id",
                params,
            )
            created += len(cursor.fetchall())
    return created
