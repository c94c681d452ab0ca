"""The change feed hears of the domain: each event other systems are told of becomes an
integrations.Event row, written inside the publisher's transaction (so it exists exactly when
its change committed)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.db.models import Model

from cases.models import Case
from core import domain_events as de
from integrations import events
from integrations.models import EventType

# The feed's type of each domain event it records, and the event's subject.
RECORDED: dict[type[de.DomainEvent], tuple[str, Callable[[de.DomainEvent], Model]]] = {}


def _record(event_class: type[de.DomainEvent], event_type: str, subject_name: str) -> None:
    RECORDED[event_class] = (event_type, lambda event: getattr(event, subject_name))


_record(de.CaseOpened, EventType.CASE_CREATED, "case")
_record(de.CaseUpdated, EventType.CASE_UPDATED, "case")
_record(de.CaseStatusChanged, EventType.CASE_UPDATED, "case")
_record(de.ChargeDisposed, EventType.CHARGE_DISPOSED, "charge")
_record(de.OfferSent, EventType.OFFER_SENT, "offer")
_record(de.OfferAccepted, EventType.OFFER_ACCEPTED, "offer")
_record(de.OfferRejected, EventType.OFFER_REJECTED, "offer")
_record(de.OfferExpired, EventType.OFFER_EXPIRED, "offer")
_record(de.AgreementSubmitted, EventType.AGREEMENT_SUBMITTED, "agreement")
_record(de.AgreementReviewed, EventType.AGREEMENT_REVIEWED, "agreement")
_record(de.AgreementWithdrawn, EventType.AGREEMENT_WITHDRAWN, "agreement")
_record(de.HearingScheduled, EventType.HEARING_SCHEDULED, "hearing")
_record(de.HearingRescheduled, EventType.HEARING_RESCHEDULED, "hearing")
_record(de.HearingCancelled, EventType.HEARING_CANCELLED, "hearing")
_record(de.DeadlineCreated, EventType.DEADLINE_CREATED, "deadline")
_record(de.DeadlineMissed, EventType.DEADLINE_MISSED, "deadline")


def feed_event_record(event: de.DomainEvent) -> None:
    event_type, subject_of = RECORDED[type(event)]
    events.emit(event_type, case=de.instance_of(event.case, Case), subject=subject_of(event))


def feed_events_record(batch: Sequence[de.DomainEvent]) -> None:
    """feed_event_record for a batch of events of one class (de.publish_many)."""
    if not batch:
        return
    event_type, subject_of = RECORDED[type(batch[0])]
    events.emit_many(
        event_type, [(de.instance_of(event.case, Case), subject_of(event)) for event in batch]
    )


def connect() -> None:
    for event_class in RECORDED:
        de.subscribe(event_class, feed_event_record, many=feed_events_record)
