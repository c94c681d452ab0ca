"""Scheduled work for court dates. Tasks are thin: they call services (see deadlines.alerts)."""

from __future__ import annotations

import logging

from celery import shared_task

from deadlines import alerts, services

logger = logging.getLogger(__name__)


@shared_task(name="deadlines.sweep_alerts", ignore_result=True)
def sweep_alerts() -> int:
    """Mark deadlines that have passed as missed (which queues their escalations), then claim
    and deliver every alert that has come due (run each minute by Celery beat). Safe to run
    twice at once or again after a worker died: each alert is claimed before it is sent."""
    try:
        services.deadlines_mark_missed()
    except Exception:
        # Reminders must not stop because the missed-deadline pass failed; it runs again in a
        # minute.
        logger.exception("marking missed deadlines failed; sending due alerts anyway")
    return alerts.sweep().sent


@shared_task(name="deadlines.send_digests", ignore_result=True)
def send_digests() -> int:
    """Queue the daily digests whose hour has come (the sweep delivers them)."""
    return alerts.digests_send_due()
