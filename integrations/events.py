"""Recording events for other systems. The domain events of the apps below are recorded by
integrations.subscribers inside their transaction, so an event exists exactly when its change
committed; webhook delivery is queued after the commit (webhooks.subscribers)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import connection, models
from django.utils import timezone

from core import bulk, domain_events
from deadlines.models import NEGOTIATION_DEADLINE_KINDS
from integrations.models import Event, EventAudience, EventType

if TYPE_CHECKING:
    from cases.models import Case

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
    """Record that `event_type` happened to `subject` (of `case`), and announce it: webhooks
    (webhooks.subscribers) queue its deliveries once the transaction commits."""
    event = Event.objects.create(
        type=event_type,
        court_id=case.court_id,
        case=case,
        subject_type=SUBJECT_TYPE_OF_MODEL[subject._meta.label_lower],
        subject_id=subject.pk,
        audience=_audience_of(event_type, subject),
        occurred_at=timezone.now(),
    )
    domain_events.publish(
        domain_events.FeedEventRecorded(case=case, event_id=event.pk, occurred_at=event.occurred_at)
    )
    return event


_EMITTED = ("court_id", "case_id", "subject_type", "subject_id", "audience")
_EMITTED_TYPES = ("bigint", "bigint", "text", "bigint", "text")


def emit_many(event_type: str, pairs: Sequence[tuple[Case, models.Model]]) -> list[int]:
    """`emit` for many (case, subject) pairs at once: one INSERT (no model instance per row),
    and one FeedEventRecorded batch for the webhooks. Returns the events' ids, in order."""
    if not pairs:
        return []
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {Event._meta.db_table}
                (type, court_id, case_id, subject_type, subject_id, audience, occurred_at)
            SELECT %s, e.court_id, e.case_id, e.subject_type, e.subject_id, e.audience, %s
            FROM {bulk.recordset(_EMITTED, _EMITTED_TYPES, alias="e")}
            ORDER BY e.ordinality
            RETURNING id
            """,  # noqa: S608 (the table name is the model's)
            [
                event_type,
                now,
                bulk.json_rows(
                    [
                        (
                            case.court_id,
                            case.pk,
                            SUBJECT_TYPE_OF_MODEL[subject._meta.label_lower],
                            subject.pk,
                            _audience_of(event_type, subject),
                        )
                        for case, subject in pairs
                    ],
                    _EMITTED,
                ),
            ],
        )
        # Ids are drawn in the order the rows are inserted, which is the ORDER BY's.
        ids = sorted(row[0] for row in cursor.fetchall())
    domain_events.publish_many(
        domain_events.FeedEventRecorded,
        [
            domain_events.FeedEventRecorded(case=case, event_id=event_id, occurred_at=now)
            for (case, _subject), event_id in zip(pairs, ids, strict=True)
        ],
    )
    return ids
