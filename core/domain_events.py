"""Domain events: a lower app announces what happened, the apps above it act on it.

Apps form one-way layers (docs/architecture.md): `cases` must not call `deadlines`, nor
`negotiations` call `integrations`. So a service publishes a typed event inside its
transaction (`publish(OfferSent(...))`) and the apps above subscribe in their
`AppConfig.ready()` (each app's `subscribers.py`):

- a subscriber that must be atomic with the change (an offer's expiry deadline, the change
  feed's Event row, an alert planned) runs inside the publisher's transaction, in the order
  the subscribers were registered, which is the order of INSTALLED_APPS: lower apps first
  (deadlines before integrations before webhooks, so a deadline's feed event precedes the
  offer's, as when the services called each other);
- anything that leaves the process (a Celery task, an e-mail, a webhook) subscribes with
  `on_commit=True`, or queues its own work with `transaction.on_commit`: it never runs for a
  change that was rolled back.

Publishing is plain Django signal dispatch (`django.dispatch.Signal`, one signal per event
class); no business rule hides in a model signal. An exception in a subscriber propagates to
the publisher, as a direct call did, and rolls the transaction back.

This module lists every event and its payload. The model instances an event carries (typed
`Model` here, since the base layer names no app) are the publisher's, locked or freshly
written in its transaction; subscribers narrow them with `instance_of`, and must not keep them
past the transaction (an `on_commit` subscriber reads ids).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import Model
from django.dispatch import Signal

# --- the events ------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """Something that happened. Every event is about one case (`case`, a cases.Case)."""

    case: Model

    @property
    def case_id(self) -> int:
        return int(self.case.pk)


# cases


@dataclass(frozen=True, kw_only=True)
class CaseOpened(DomainEvent):
    """A case was opened (cases.services.case_create)."""


@dataclass(frozen=True, kw_only=True)
class CaseUpdated(DomainEvent):
    """A case's caption, seal or external id changed (cases.services.case_update)."""


@dataclass(frozen=True, kw_only=True)
class CaseStatusChanged(DomainEvent):
    """A case moved along its workflow, by hand (case_transition) or following its
    negotiation (case_status_follow). `by` is a User."""

    from_status: str
    to_status: str
    by: Any


@dataclass(frozen=True, kw_only=True)
class CaseClosed(DomainEvent):
    """A case ended by hand (dismissed or closed; case_transition, the case row locked), just
    before its CaseStatusChanged. `reason` says why, for the dates it leaves behind."""

    to_status: str
    by: Any
    reason: str


@dataclass(frozen=True, kw_only=True)
class ChargeDisposed(DomainEvent):
    """A charge was disposed of, by hand (cases.services.charge_update) or by an accepted plea
    agreement (negotiations.services.agreement_review). `charge` is a cases.Charge."""

    charge: Model

    @property
    def charge_id(self) -> int:
        return int(self.charge.pk)


@dataclass(frozen=True, kw_only=True)
class CaseViewed(DomainEvent):
    """Someone opened a case (its page, or its API detail): `seen` names which part. `request`
    is the HTTP request, for the audit trail's context."""

    request: Any
    seen: str


# parties


@dataclass(frozen=True, kw_only=True)
class ParticipantAdded(DomainEvent):
    """Someone takes part in a case (cases.party_services.participant_create). `participant` is a
    parties.CaseParticipant."""

    participant: Model


@dataclass(frozen=True, kw_only=True)
class ParticipantEnded(DomainEvent):
    """A participation ended (cases.party_services.participant_end)."""

    participant: Model


@dataclass(frozen=True, kw_only=True)
class DefendantCustodyChanged(DomainEvent):
    """A defendant of the case was detained or released (cases.party_services.defendant_update),
    one event per case the defendant takes part in. `defendant` is a parties.Defendant."""

    defendant: Model


# records


@dataclass(frozen=True, kw_only=True)
class RecordAdded(DomainEvent):
    """The record of a case grew, behind the wall `visibility` (records.Visibility). `by` (a
    User) wrote it."""

    by: Any
    visibility: str


@dataclass(frozen=True, kw_only=True)
class NoteAdded(RecordAdded):
    note_id: int


@dataclass(frozen=True, kw_only=True)
class DocumentUploaded(RecordAdded):
    document_id: int


@dataclass(frozen=True, kw_only=True)
class DisclosureRecorded(RecordAdded):
    disclosure_id: int


# negotiations: offers. Published with the case and the offer locked, just after the offer's
# new status was saved. `offer` is a negotiations.Offer.


@dataclass(frozen=True, kw_only=True)
class OfferEvent(DomainEvent):
    offer: Model

    @property
    def offer_id(self) -> int:
        return int(self.offer.pk)


@dataclass(frozen=True, kw_only=True)
class OfferSent(OfferEvent):
    """An offer was sent (a first offer, or a counter)."""


@dataclass(frozen=True, kw_only=True)
class OfferAccepted(OfferEvent):
    """The other side accepted the offer; its plea agreement is made next, in the transaction."""


@dataclass(frozen=True, kw_only=True)
class OfferRejected(OfferEvent):
    pass


@dataclass(frozen=True, kw_only=True)
class OfferCountered(OfferEvent):
    """The other side answered with a counter (the counter's own OfferSent follows)."""


@dataclass(frozen=True, kw_only=True)
class OfferWithdrawn(OfferEvent):
    pass


@dataclass(frozen=True, kw_only=True)
class OfferExpired(OfferEvent):
    """A sent offer's time passed (by the scheduler, or found due when it was acted on)."""


# negotiations: suggestions and the plea agreement. `suggestion` is a negotiations.Suggestion,
# `agreement` a negotiations.PleaAgreement.


@dataclass(frozen=True, kw_only=True)
class SuggestionSubmitted(DomainEvent):
    """The defense suggested a disposition; the prosecution owes a written response."""

    suggestion: Model


@dataclass(frozen=True, kw_only=True)
class SuggestionAnswered(DomainEvent):
    suggestion: Model


@dataclass(frozen=True, kw_only=True)
class AgreementEvent(DomainEvent):
    agreement: Model

    @property
    def agreement_id(self) -> int:
        return int(self.agreement.pk)


@dataclass(frozen=True, kw_only=True)
class AgreementSubmitted(AgreementEvent):
    """The plea agreement was submitted to the court: from here the court reads it."""


@dataclass(frozen=True, kw_only=True)
class AgreementReviewed(AgreementEvent):
    """The court accepted or rejected the submitted agreement (its status says which)."""


@dataclass(frozen=True, kw_only=True)
class AgreementWithdrawn(AgreementEvent):
    """The defendant withdrew from the agreement (before or after its submission:
    `agreement.submitted_at` says which)."""


# deadlines: court dates. `hearing` is a deadlines.Hearing, `deadline` a deadlines.Deadline.


@dataclass(frozen=True, kw_only=True)
class HearingEvent(DomainEvent):
    hearing: Model

    @property
    def hearing_id(self) -> int:
        return int(self.hearing.pk)


@dataclass(frozen=True, kw_only=True)
class HearingScheduled(HearingEvent):
    pass


@dataclass(frozen=True, kw_only=True)
class HearingRescheduled(HearingEvent):
    pass


@dataclass(frozen=True, kw_only=True)
class HearingCancelled(HearingEvent):
    pass


@dataclass(frozen=True, kw_only=True)
class DeadlineEvent(DomainEvent):
    deadline: Model

    @property
    def deadline_id(self) -> int:
        return int(self.deadline.pk)


@dataclass(frozen=True, kw_only=True)
class DeadlineCreated(DeadlineEvent):
    pass


@dataclass(frozen=True, kw_only=True)
class DeadlineMissed(DeadlineEvent):
    pass


# integrations


@dataclass(frozen=True, kw_only=True)
class FeedEventRecorded(DomainEvent):
    """A change-feed event (integrations.Event) was recorded: its webhooks are due once the
    transaction commits."""

    event_id: int
    occurred_at: dt.datetime


# Every concrete event (the abstract groups above are not published).
EVENT_CLASSES: tuple[type[DomainEvent], ...] = (
    CaseOpened,
    CaseUpdated,
    CaseStatusChanged,
    CaseClosed,
    ChargeDisposed,
    CaseViewed,
    ParticipantAdded,
    ParticipantEnded,
    DefendantCustodyChanged,
    NoteAdded,
    DocumentUploaded,
    DisclosureRecorded,
    OfferSent,
    OfferAccepted,
    OfferRejected,
    OfferCountered,
    OfferWithdrawn,
    OfferExpired,
    SuggestionSubmitted,
    SuggestionAnswered,
    AgreementSubmitted,
    AgreementReviewed,
    AgreementWithdrawn,
    HearingScheduled,
    HearingRescheduled,
    HearingCancelled,
    DeadlineCreated,
    DeadlineMissed,
    FeedEventRecorded,
)


# --- publishing and subscribing --------------------------------------------------------------

E = TypeVar("E", bound=DomainEvent)
M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Subscriber:
    event_class: type[DomainEvent]
    handler: Callable[[Any], None]
    on_commit: bool
    # The same work for many events at once (publish_many), when the subscriber has one.
    many: Callable[[Sequence[Any]], None] | None = None

    @property
    def name(self) -> str:
        return f"{self.handler.__module__}.{self.handler.__qualname__}"


_signals: dict[type[DomainEvent], Signal] = {}
_subscribers: dict[type[DomainEvent], list[Subscriber]] = {}


def _signal_of(event_class: type[DomainEvent]) -> Signal:
    if event_class not in _signals:
        _signals[event_class] = Signal()
    return _signals[event_class]


def subscribe(
    event_class: type[E],
    handler: Callable[[E], None],
    *,
    on_commit: bool = False,
    many: Callable[[Sequence[E]], None] | None = None,
) -> None:
    """Call `handler(event)` for every `event_class` published: at once, inside the
    publisher's transaction, or with `on_commit`, once that transaction commits (never if it
    rolls back). `many(events)`, if given, does the same for a batch (publish_many) in fewer
    statements. Subscribing the same handler twice subscribes it once."""
    if event_class not in EVENT_CLASSES:
        raise TypeError(f"{event_class.__name__} is not a published event (EVENT_CLASSES).")
    subscriber = Subscriber(event_class, handler, on_commit, many)

    def receive(sender: type[DomainEvent], *, event: E, **_kwargs: Any) -> None:
        if on_commit:
            transaction.on_commit(lambda: handler(event))
        else:
            handler(event)

    signal = _signal_of(event_class)
    before = len(signal.receivers)
    signal.connect(receive, sender=event_class, weak=False, dispatch_uid=subscriber.name)
    if len(signal.receivers) > before:
        _subscribers.setdefault(event_class, []).append(subscriber)


def unsubscribe(event_class: type[E], handler: Callable[[E], None]) -> None:
    """Undo `subscribe` (for tests)."""
    for subscriber in subscribers_of(event_class):
        if subscriber.handler == handler:
            _signal_of(event_class).disconnect(sender=event_class, dispatch_uid=subscriber.name)
            _subscribers[event_class].remove(subscriber)


def publish(event: DomainEvent) -> None:
    """Tell the subscribers of `event`'s class, in the order they subscribed. Their exceptions
    reach the caller."""
    signal = _signals.get(type(event))
    if signal is not None:
        signal.send(sender=type(event), event=event)


def publish_many(event_class: type[E], events: Sequence[E]) -> None:
    """Publish a batch of `event_class` events (a docket import's thousand hearings): each
    subscriber, in the order they subscribed, gets the whole batch, through its `many` handler
    when it has one, else event by event. Unlike `publish` called in a loop, one subscriber is
    done with every event before the next one starts."""
    if not events:
        return
    if any(type(event) is not event_class for event in events):
        raise TypeError(f"publish_many takes events of one class ({event_class.__name__}).")
    batch = list(events)
    for subscriber in subscribers_of(event_class):
        if subscriber.on_commit:
            transaction.on_commit(lambda s=subscriber: _deliver(s, batch))  # type: ignore[misc]
        else:
            _deliver(subscriber, batch)


def _deliver(subscriber: Subscriber, events: list[Any]) -> None:
    if subscriber.many is not None:
        subscriber.many(events)
    else:
        for event in events:
            subscriber.handler(event)


def subscribers_of(event_class: type[DomainEvent]) -> list[Subscriber]:
    """Who acts on `event_class`, in order (for the docs and the tests)."""
    return list(_subscribers.get(event_class, ()))


def instance_of(value: Model, model: type[M]) -> M:
    """An event's instance as the model its subscriber knows it to be."""
    if not isinstance(value, model):
        raise TypeError(f"Expected a {model.__name__}, got {type(value).__name__}.")
    return value
