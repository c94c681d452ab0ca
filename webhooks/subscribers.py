"""Webhooks hear of every change-feed event (integrations.events.emit) and queue its
deliveries once the transaction commits: one fan-out message per FAN_OUT_CHUNK of the
transaction's events, never one per event, and none for a transaction rolled back."""

from __future__ import annotations

import logging

from django.db import transaction

from core import domain_events as de

logger = logging.getLogger(__name__)

# Events per fan-out message: a docket sync of 1,000 records queues a handful, not 1,000.
FAN_OUT_CHUNK = 200


class _FanOut:
    """The events one transaction emitted, handed to the webhook fan-out once it commits, one
    message per FAN_OUT_CHUNK events. Registered at the transaction's first event; a rollback
    drops it with the events (an id whose savepoint alone rolled back finds no event, and is
    skipped)."""

    def __init__(self, event_ids: list[int]) -> None:
        self.event_ids = event_ids

    def __call__(self) -> None:
        from webhooks.tasks import fan_out_events

        for start in range(0, len(self.event_ids), FAN_OUT_CHUNK):
            chunk = self.event_ids[start : start + FAN_OUT_CHUNK]
            try:
                fan_out_events.delay(chunk)
            except Exception:  # the change is committed: never fail the request for the queue
                # The sweep (webhooks.services.events_fan_out_missed) fans them out instead.
                logger.warning("Could not queue the fan-out of events %s", chunk, exc_info=True)


def deliveries_queue_on_commit(event: de.FeedEventRecorded) -> None:
    """Runs in the transaction, only to gather its events: the one _FanOut it registers with
    transaction.on_commit is what leaves the process, after the commit."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _FanOut([event.event_id])()  # outside a transaction it is committed already
        return
    pending = next(
        (
            hook
            for _savepoints, hook, _robust in connection.run_on_commit
            if isinstance(hook, _FanOut)
        ),
        None,
    )
    if pending is None:
        pending = _FanOut([])
        transaction.on_commit(pending)
    pending.event_ids.append(event.event_id)


def connect() -> None:
    de.subscribe(de.FeedEventRecorded, deliveries_queue_on_commit)
