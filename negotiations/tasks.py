"""Scheduled work of the negotiation. Tasks are thin: they call one service."""

from __future__ import annotations

from celery import shared_task

from negotiations import services


# Runs each minute: a run that overruns is interrupted (its current offer rolled back, the next
# run goes on), so that a stuck database connection never holds a worker for long.
@shared_task(
    name="negotiations.expire_offers", ignore_result=True, soft_time_limit=50, time_limit=58
)
def expire_offers() -> int:
    """Expire every sent offer whose expiry has passed (run each minute by Celery beat).
    Idempotent: a repeated or late run expires each offer once."""
    return services.offers_expire_due()
