"""Celery tasks of webhooks. Thin: each calls one service with ids, and is safe to repeat
(webhooks.services explains the claims that make it so)."""

from __future__ import annotations

from celery import shared_task

from integrations import services as client_services
from webhooks import services


# The tasks that only read and write the database and the broker have limits too: a database
# or broker connection that stops answering must not hold a worker for ever.
@shared_task(
    name="webhooks.fan_out_events", ignore_result=True, soft_time_limit=120, time_limit=150
)
def fan_out_events(event_ids: list[int]) -> int:
    """Make and queue the deliveries of a transaction's events (queued by
    webhooks.subscribers once the transaction commits)."""
    return services.events_fan_out(event_ids)


# One attempt is cut off after services.attempt_time_limit(); these stop a worker from ever
# being held longer (the soft limit is recorded as a failed attempt, and retried).
@shared_task(name=services.DELIVER_TASK, ignore_result=True, soft_time_limit=45, time_limit=60)
def deliver(delivery_id: int, token: str) -> str:
    """One attempt of one delivery, if `token` still holds its claim."""
    return services.delivery_send(delivery_id, token)


@shared_task(name="webhooks.prune", ignore_result=True, soft_time_limit=600, time_limit=660)
def prune() -> dict[str, int]:
    """Delete finished deliveries past WEBHOOK_DELIVERY_RETENTION_DAYS, then events past
    EVENT_RETENTION_DAYS (beat, every 30 minutes; each call does at most 100 batches of 1,000)."""
    return {
        "deliveries": services.deliveries_prune(),
        "events": client_services.events_prune(),
    }


@shared_task(
    name="webhooks.deliveries_due", ignore_result=True, soft_time_limit=120, time_limit=150
)
def deliveries_due() -> int:
    """Fan out the events whose fan-out message was lost, then queue the retries that have
    come due and the claims whose task was lost (beat, every 30 seconds). A lost broker message
    or a restarted worker delays a delivery; it never loses one."""
    services.events_fan_out_missed()
    return services.deliveries_dispatch_due()
