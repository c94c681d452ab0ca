"""Recording events for other systems. The services call `emit` inside their transaction, so an
event exists exactly when its change committed; webhook delivery is queued after the commit."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.db import models, transaction
from django.utils import timezone

from deadlines.models import NEGOTIATION_DEADLINE_KINDS
from integrations.models import Event, EventAudience, EventType

if TYPE_CHECKING:
    from cases.models import Case

logger = logging.getLogger(__name__)

# The audience of each event type; deadline events depend on the deadline (see _audience_of).
AUDIENCE_OF_TYPE: dict[str, str] = {
    EventType.CASE_CREATED: EventAudience.CASE,
    EventType.CASE_UPDATED: EventAudience.CASE,
    EventType.CHARGE_DISPOSED: EventAudience.CASE,
    EventType.OFFER_SENT: EventAudience.PARTIES,
    EventType.OFFER_ACCEPTED: EventAudience.PARTIES,
    EventType.OFFER_REJECTED: EventAudience.PARTIES,
    EventType.OFFER_EXPIRED: EventAudience.PARTIES,
    # Submitted to the court: from then on the agreement is on the court's record.
    EventType.AGREEMENT_SUBMITTED: EventAudience.CASE,
    EventType.AGREEMENT_REVIEWED: EventAudience.CASE,
    # Before it was submitted, only the negotiation knew of the agreement (see _audience_of).
    EventType.AGREEMENT_WITHDRAWN: EventAudience.CASE,
    EventType.HEARING_SCHEDULED: EventAudience.CASE,
    EventType.HEARING_RESCHEDULED: EventAudience.CASE,
    EventType.HEARING_CANCELLED: EventAudience.CASE,
    EventType.DEADLINE_CREATED: EventAudience.CASE,
    EventType.DEADLINE_MISSED: EventAudience.CASE,
}

# The API path of each subject type, for the event's link.
SUBJECT_PATHS: dict[str, str] = {
    "case": "/api/v1/cases/{id}/",
    "charge": "/api/v1/charges/{id}/",
    "offer": "/api/v1/offers/{id}/",
    "agreement": "/api/v1/agreements/{id}/",
    "hearing": "/api/v1/hearings/{id}/",
    "deadline": "/api/v1/deadlines/{id}/",
}

SUBJECT_TYPE_OF_MODEL: dict[str, str] = {
    "cases.case": "case",
    "cases.charge": "charge",
    "negotiations.offer": "offer",
    "negotiations.pleaagreement": "agreement",
    "deadlines.hearing": "hearing",
    "deadlines.deadline": "deadline",
}


def _audience_of(event_type: str, subject: models.Model) -> str:
    if event_type.startswith("deadline.") and getattr(subject, "kind", None) in (
        NEGOTIATION_DEADLINE_KINDS
    ):
        # A negotiation deadline (an offer's expiry, a response owed) is the negotiation's.
        return EventAudience.NEGOTIATION
    withdrawn = event_type == EventType.AGREEMENT_WITHDRAWN
    if withdrawn and getattr(subject, "submitted_at", None) is None:
        # Withdrawn before it reached the court: the negotiation's business, like the agreement.
        return EventAudience.NEGOTIATION
    return AUDIENCE_OF_TYPE[event_type]


def subject_link(subject_type: str, subject_id: int) -> str:
    return SUBJECT_PATHS[subject_type].format(id=subject_id)


def emit(event_type: str, *, case: Case, subject: models.Model) -> Event:
    """Record that `event_type` happened to `subject` (of `case`) and queue its webhooks."""
    event = Event.objects.create(
        type=event_type,
        court_id=case.court_id,
        case=case,
        subject_type=SUBJECT_TYPE_OF_MODEL[subject._meta.label_lower],
        subject_id=subject.pk,
        audience=_audience_of(event_type, subject),
        occurred_at=timezone.now(),
    )
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _FanOut([event.pk])()  # outside a transaction it is committed already
        return event
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
    pending.event_ids.append(event.pk)
    return event


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
