"""Scheduled work for court dates. Tasks are thin: they call services (see deadlines.alerts).

In-app alerts and e-mail have a sweep each, and e-mail its own queue (ALERT_EMAIL_QUEUE), so
that no mail server, however slow, delays an in-app alert. Every sweep stops taking new alerts
after SWEEP_BUDGET_SECONDS and gives back what it claimed and did not begin; the soft time limit
interrupts a send that overruns (it is retried later), the hard one replaces the worker process.
Both end well within ALERT_CLAIM_LEASE_SECONDS, so a claim is only ever taken over from a worker
that is gone, and well before the next beat a minute later.
"""

from __future__ import annotations

import logging

from celery import shared_task

from deadlines import alerts, services
from deadlines.models import AlertChannel

logger = logging.getLogger(__name__)

SWEEP_BUDGET_SECONDS = 40.0
SWEEP_SOFT_TIME_LIMIT = 50
SWEEP_TIME_LIMIT = 58
# E-mails claimed at a time: a batch is held (leased) while its messages go out one by one.
EMAIL_BATCH = 50


@shared_task(
    name="deadlines.sweep_alerts",
    ignore_result=True,
    soft_time_limit=SWEEP_SOFT_TIME_LIMIT,
    time_limit=SWEEP_TIME_LIMIT,
)
def sweep_alerts() -> int:
    """Mark deadlines that have passed as missed (which queues their escalations), then claim
    and deliver every in-app alert that has come due (run each minute by Celery beat). Safe to
    run twice at once or again after a worker died: each alert is claimed before it is sent."""
    try:
        services.deadlines_mark_missed()
    except Exception:
        # Reminders must not stop because the missed-deadline pass failed; it runs again in a
        # minute.
        logger.exception("marking missed deadlines failed; sending due alerts anyway")
    return alerts.sweep(channel=AlertChannel.IN_APP, budget_seconds=SWEEP_BUDGET_SECONDS).sent


@shared_task(
    name="deadlines.send_alert_emails",
    ignore_result=True,
    soft_time_limit=SWEEP_SOFT_TIME_LIMIT,
    time_limit=SWEEP_TIME_LIMIT,
)
def send_alert_emails() -> int:
    """Claim and send every alert e-mail that has come due (each minute, on ALERT_EMAIL_QUEUE).
    Each message is marked before it is handed to the mail server and recorded after, so a
    repeat of this task sends nothing already recorded (deadlines.alerts._deliver_email)."""
    return alerts.sweep(
        channel=AlertChannel.EMAIL, batch=EMAIL_BATCH, budget_seconds=SWEEP_BUDGET_SECONDS
    ).sent


@shared_task(name="deadlines.send_digests", ignore_result=True, soft_time_limit=300, time_limit=330)
def send_digests() -> int:
    """Queue the daily digests whose hour has come (the sweeps deliver them)."""
    return alerts.digests_send_due()
