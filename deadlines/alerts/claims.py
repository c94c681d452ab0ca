"""Claims on due alerts: one conditional UPDATE takes a batch under a token and a lease; what
becomes of a claim that is not sent, fails, or is given back; and the writes retried on a
new database connection when the old one was cut."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import psycopg
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models import F, QuerySet

from deadlines.alerts.common import _deadline_moment, logger
from deadlines.models import (
    UPCOMING_HEARING_STATUSES,
    Alert,
    AlertChannel,
    AlertStatus,
    AlertSubject,
    DeadlineStatus,
)

# A failed e-mail is tried again after 1, 2, 4 … minutes, at most an hour apart, for ever: a
# broken mail server must not lose a reminder.
RETRY_BASE_SECONDS = 60
RETRY_MAX_SECONDS = 3600

# What a claim that was taken over from an e-mail attempt in flight says (see _deliver_email).
LOST_WHILE_SENDING = (
    "The attempt before this one stopped while handing the e-mail to the mail server (its worker "
    "died or lost the database); it is sent again under the same Message-ID."
)

# One statement claims the batch. Each ARRAY(…) is an InitPlan run once, so the UPDATE finds its
# rows by primary key instead of joining the whole table; each subquery reads its partial index
# (channel, then time) in order and stops after `batch` rows, so the cost does not grow with a
# backlog, of its own channel or of the other. SKIP LOCKED: a concurrent sweep takes other rows
# instead of waiting for these. A claim or an e-mail attempt older than the lease belongs to a
# worker that is gone (the tasks' time limits end every worker's hold well within the lease).
_CLAIM_SQL = """
UPDATE deadlines_alert
   SET status = 'claimed', claim_token = %(token)s, claimed_at = %(now)s, attempts = attempts + 1,
       last_error = CASE WHEN status = 'sending' THEN %(lost)s ELSE last_error END
 WHERE id = ANY({arrays})
RETURNING id
"""
_CLAIM_ARRAYS = """
        ARRAY(SELECT id FROM deadlines_alert
               WHERE status IN ('claimed', 'sending') AND channel = %(channel{n})s
                 AND claimed_at < %(stale)s
               ORDER BY claimed_at
               LIMIT %(batch)s
                 FOR UPDATE SKIP LOCKED)
        || ARRAY(SELECT id FROM deadlines_alert
                  WHERE status = 'pending' AND channel = %(channel{n})s AND send_at <= %(now)s
                  ORDER BY send_at
                  LIMIT %(batch)s
                    FOR UPDATE SKIP LOCKED)"""


def _claim_sql(channels: Sequence[str]) -> str:
    arrays = " || ".join(_CLAIM_ARRAYS.format(n=n) for n in range(len(channels)))
    return _CLAIM_SQL.format(arrays=arrays)


def _claim_params(
    *, token: uuid.UUID, now: dt.datetime, batch: int, channels: Sequence[str]
) -> dict[str, Any]:
    lease = dt.timedelta(seconds=getattr(settings, "ALERT_CLAIM_LEASE_SECONDS", 300))
    params: dict[str, Any] = {
        "token": token,
        "now": now,
        "stale": now - lease,
        "batch": batch,
        "lost": LOST_WHILE_SENDING,
    }
    params.update({f"channel{n}": channel for n, channel in enumerate(channels)})
    return params


def claim_batch(
    *,
    now: dt.datetime,
    batch: int,
    token: uuid.UUID | None = None,
    channel: str | None = None,
) -> list[int]:
    """Claim up to `batch` due alerts of `channel` (of each channel when None), and claims
    whose lease ran out, in one statement. Rows another sweep is claiming are skipped, not
    waited for."""
    token = token or uuid.uuid4()
    channels = [channel] if channel else AlertChannel.values
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            _claim_sql(channels),
            _claim_params(token=token, now=now, batch=batch, channels=channels),
        )
        return [row[0] for row in cursor.fetchall()]


def _retry_delay(attempts: int) -> dt.timedelta:
    seconds = RETRY_BASE_SECONDS * 2 ** max(0, min(attempts - 1, 12))
    return dt.timedelta(seconds=min(seconds, RETRY_MAX_SECONDS))


def _reminder_is_stale(alert: Alert) -> bool:
    """A reminder of a date that was cancelled, held, met or moved after it was claimed (the
    replanning cancels only pending ones)."""
    if alert.hearing is not None:
        return (
            alert.hearing.status not in UPCOMING_HEARING_STATUSES
            or alert.hearing.starts_at != alert.target_at
        )
    if alert.deadline is not None:
        return (
            alert.deadline.status != DeadlineStatus.OPEN
            or _deadline_moment(alert.deadline) != alert.target_at
        )
    return False


def _finish(alert: Alert, token: uuid.UUID, **changes: Any) -> bool:
    """Move a claimed alert on, if the claim is still ours."""
    return (
        Alert.objects.filter(pk=alert.pk, claim_token=token, status=AlertStatus.CLAIMED).update(
            **changes
        )
        == 1
    )


def _claimed(ids: Sequence[int]) -> QuerySet[Alert]:
    """Claimed alerts with everything their message needs (one query for a whole batch)."""
    return Alert.objects.select_related(
        "recipient",
        "case__court",
        "hearing__courtroom",
        "hearing__judge",
        "hearing__case__court",
        "deadline__case__court",
    ).filter(pk__in=ids, status=AlertStatus.CLAIMED)


# Seconds to wait before each new try of a write whose database connection was cut (the first
# try again at once: usually only this connection was lost, not the server).
RECONNECT_DELAYS = (0.0, 0.5, 2.0)

_T = TypeVar("_T")

# Django's database errors and psycopg's own: the audit trail's execute wrapper (audit.context)
# talks to psycopg directly, so a write's errors can arrive unwrapped.
_LOST_CONNECTION = (
    OperationalError,
    InterfaceError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
)
_DATABASE_ERRORS = (DatabaseError, psycopg.Error)


def _with_reconnect(write: Callable[[], _T]) -> _T:
    """Run `write` (one statement, its own transaction), and if the database connection was cut
    under it, close the connection and run it again on a fresh one, a few times. Every
    statement given here is a read or a conditional UPDATE, so a try whose commit landed but
    whose answer was lost changes nothing the second time. Inside a caller's transaction
    nothing is retried: that transaction died with its connection."""
    for delay in RECONNECT_DELAYS:
        try:
            return write()
        except _LOST_CONNECTION as error:
            if connection.in_atomic_block:
                raise
            logger.warning("database connection lost (%s); trying again on a new one", error)
            connection.close()
            time.sleep(delay)
    return write()


def _not_to_send(alert: Alert, *, now: dt.datetime) -> str | None:
    """What a claimed alert becomes instead of being sent (LAPSED, CANCELLED), or None."""
    if alert.subject == AlertSubject.REMINDER:
        if alert.target_at <= now:
            # The date has gone by (the system was down): a late reminder misleads.
            return AlertStatus.LAPSED
        if _reminder_is_stale(alert):
            return AlertStatus.CANCELLED
    recipient = alert.recipient
    if not recipient.is_active or (alert.channel == AlertChannel.EMAIL and not recipient.email):
        # The account was closed, or the address removed, since the alert was planned.
        return AlertStatus.CANCELLED
    return None


def _end_unsent(alert: Alert, token: uuid.UUID, status: str) -> str:
    if not _finish(alert, token, status=status):
        return "skipped"
    return "lapsed" if status == AlertStatus.LAPSED else "cancelled"


def _back_to_pending(
    alert: Alert, *, token: uuid.UUID, now: dt.datetime, error: BaseException, was: str
) -> str:
    """A failed attempt (`was` the claim or the e-mail in flight): pending again, after a
    backoff, with its error kept."""
    logger.warning("alert %s not delivered: %s", alert.pk, error)
    returned = _with_reconnect(
        lambda: Alert.objects.filter(pk=alert.pk, status=was, claim_token=token).update(
            status=AlertStatus.PENDING,
            claim_token=None,
            claimed_at=None,
            send_at=now + _retry_delay(alert.attempts),
            last_error=f"{type(error).__name__}: {error}"[:2000],
        )
    )
    return "retry" if returned else "skipped"


def _release(token: uuid.UUID) -> int:
    """Give back what this claim holds and has not begun (pending again, as it was)."""
    try:
        return _with_reconnect(
            lambda: Alert.objects.filter(claim_token=token, status=AlertStatus.CLAIMED).update(
                status=AlertStatus.PENDING,
                claim_token=None,
                claimed_at=None,
                attempts=F("attempts") - 1,
            )
        )
    except _DATABASE_ERRORS:
        logger.exception("could not give back claimed alerts; they wait for their lease")
        return 0
