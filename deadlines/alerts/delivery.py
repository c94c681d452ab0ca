"""The sweep: claim due alerts batch by batch and deliver each, in-app (the notification
written in the same transaction as the flip to `sent`) or by e-mail (deadlines.alerts.mail)."""

from __future__ import annotations

import datetime as dt
import time
import uuid
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from deadlines import selectors
from deadlines.alerts.claims import (
    _back_to_pending,
    _claimed,
    _end_unsent,
    _finish,
    _not_to_send,
    _release,
    claim_batch,
)
from deadlines.alerts.common import DIGEST_DAYS
from deadlines.alerts.mail import _deliver_email
from deadlines.alerts.preferences import alert_settings_of
from deadlines.alerts.walls import _recipient_view, _still_concerns
from deadlines.models import Alert, AlertChannel, AlertStatus, AlertSubject, Notification


@dataclass
class SweepResult:
    claimed: int = 0
    sent: int = 0
    lapsed: int = 0
    cancelled: int = 0
    retried: int = 0
    skipped: int = 0
    # Claimed but not begun (the budget ran out, or the mail server stopped answering): given
    # back to pending at once, as they were.
    released: int = 0
    batches: int = 0
    errors: list[str] = field(default_factory=list)


def deliver(
    alert_id: int, *, token: uuid.UUID | None = None, now: dt.datetime | None = None
) -> str:
    """Deliver one claimed alert (under `token`, or whatever claim it has now). Returns what
    became of it: sent, lapsed, cancelled, retry (failed, back to pending) or skipped (not
    claimed, or not under this token)."""
    alert = _claimed([alert_id]).first()
    if alert is None:
        return "skipped"
    outcome = _deliver(alert, token=token or alert.claim_token, now=now or timezone.now())
    return "retry" if outcome == "timed_out" else outcome


def _deliver(alert: Alert, *, token: uuid.UUID | None, now: dt.datetime) -> str:
    if token is None:
        return "skipped"
    if alert.channel == AlertChannel.EMAIL:
        return _deliver_email(alert, token=token, now=now)
    return _deliver_in_app(alert, token=token, now=now)


def _deliver_in_app(alert: Alert, *, token: uuid.UUID, now: dt.datetime) -> str:
    """In one transaction: flip the claim to its outcome (only if it is still ours) and write
    the notification, so that it is written exactly once."""
    try:
        with transaction.atomic():
            status = _not_to_send(alert, now=now)
            if status is None and (not _still_concerns(alert) or _recipient_view(alert) is None):
                # The recipient left the case (or the side that reads offers) since planning.
                status = AlertStatus.CANCELLED
            if status is not None:
                return _end_unsent(alert, token, status)
            if not _finish(alert, token, status=AlertStatus.SENT, sent_at=now, last_error=""):
                return "skipped"
            # A reference, not a copy: the inbox renders it through the walls when read.
            Notification.objects.create(
                recipient=alert.recipient,
                alert=alert,
                subject=alert.subject,
                case=alert.case,
                params=_notification_params(alert, now=now),
            )
            return "sent"
    except Exception as error:  # any failure: back to pending, tried again after a backoff
        return _back_to_pending(alert, token=token, now=now, error=error, was=AlertStatus.CLAIMED)


def _notification_params(alert: Alert, *, now: dt.datetime) -> dict[str, Any]:
    if alert.subject != AlertSubject.DIGEST:
        return {}
    tz = zoneinfo.ZoneInfo(alert_settings_of(alert.recipient).time_zone or "UTC")
    return selectors.digest_params(alert.recipient, days=DIGEST_DAYS, day=now.astimezone(tz).date())


def sweep(
    *,
    now: dt.datetime | None = None,
    batch: int = 500,
    budget_seconds: float = 45.0,
    channel: str | None = None,
) -> SweepResult:
    """Claim and deliver every due alert of `channel` (in-app, then e-mail, when None), batch
    by batch, until none is left or the budget is spent (the next sweep, a minute later,
    continues). What is claimed and not begun when the budget runs out is given back at once.
    A mail server that lets an attempt time out (EMAIL_TIMEOUT) ends the e-mail sweep: the
    rest of its batch is given back, to be tried by the next sweep."""
    result = SweepResult()
    for each in [channel] if channel else [AlertChannel.IN_APP, AlertChannel.EMAIL]:
        _sweep_channel(each, now=now, batch=batch, budget_seconds=budget_seconds, result=result)
    return result


def _sweep_channel(
    channel: str,
    *,
    now: dt.datetime | None,
    batch: int,
    budget_seconds: float,
    result: SweepResult,
) -> None:
    started = time.monotonic()

    def spent() -> bool:
        return time.monotonic() - started >= budget_seconds

    while not spent():
        token = uuid.uuid4()
        ids = claim_batch(now=now or timezone.now(), batch=batch, token=token, channel=channel)
        if not ids:
            return
        result.batches += 1
        result.claimed += len(ids)
        stop = False
        try:
            found = {alert.pk: alert for alert in _claimed(ids).filter(claim_token=token)}
            for alert_id in sorted(ids):
                if spent():
                    stop = True
                    break
                alert = found.get(alert_id)
                outcome = (
                    _deliver(alert, token=token, now=now or timezone.now())
                    if alert is not None
                    else "skipped"
                )
                if outcome == "sent":
                    result.sent += 1
                elif outcome == "lapsed":
                    result.lapsed += 1
                elif outcome == "cancelled":
                    result.cancelled += 1
                elif outcome in ("retry", "timed_out"):
                    result.retried += 1
                else:
                    result.skipped += 1
                if outcome == "timed_out":
                    stop = True
                    break
        finally:
            # Also when the task's soft time limit interrupts the batch.
            result.released += _release(token)
        if stop:
            return
