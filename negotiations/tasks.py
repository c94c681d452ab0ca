"""Scheduled work of the negotiation. Tasks are thin: they call one service."""

from __future__ import annotations

from celery import shared_task

from negotiations import services


@shared_task(name="negotiations.expire_offers", ignore_result=True)
def expire_offers() -> int:
    """Expire every sent offer whose expiry has passed (run each minute by Celery beat).
    Idempotent: a repeated or late run expires each offer once."""
    return services.offers_expire_due()
