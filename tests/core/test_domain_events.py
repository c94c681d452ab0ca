"""The domain events (core.domain_events): published inside the transaction, subscribers in
the order they subscribed, on-commit subscribers only after a commit, and no event without a
subscriber."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from cases.models import Case
from core import domain_events as de


@pytest.fixture
def heard() -> Iterator[list[str]]:
    """Two subscribers of CaseViewed, one in the transaction and one on commit, that note what
    they heard; unsubscribed afterwards."""
    notes: list[str] = []

    def at_once(event: de.CaseViewed) -> None:
        notes.append(f"at once: {event.seen}")

    def after_commit(event: de.CaseViewed) -> None:
        notes.append(f"after commit: {event.seen}")

    de.subscribe(de.CaseViewed, at_once)
    de.subscribe(de.CaseViewed, after_commit, on_commit=True)
    yield notes
    de.unsubscribe(de.CaseViewed, at_once)
    de.unsubscribe(de.CaseViewed, after_commit)


def _viewed(seen: str) -> de.CaseViewed:
    return de.CaseViewed(case=Case(pk=1, sealed=False), request=None, seen=seen)


def test_a_subscriber_hears_what_is_published(db: None, heard: list[str]) -> None:
    de.publish(_viewed("the page"))
    assert "at once: the page" in heard


def test_subscribing_twice_subscribes_once(db: None, heard: list[str]) -> None:
    handler = de.subscribers_of(de.CaseViewed)[-1].handler
    de.subscribe(de.CaseViewed, handler, on_commit=True)
    assert [s.handler for s in de.subscribers_of(de.CaseViewed)].count(handler) == 1


def test_an_on_commit_subscriber_runs_after_the_commit(
    db: None, heard: list[str], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        de.publish(_viewed("the page"))
        assert heard == ["at once: the page"]
    assert heard == ["at once: the page", "after commit: the page"]


def test_an_on_commit_subscriber_never_runs_for_a_rollback(
    db: None, heard: list[str], django_capture_on_commit_callbacks: Any
) -> None:
    capture = django_capture_on_commit_callbacks(execute=True)
    with capture as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        de.publish(_viewed("the page"))
        raise RuntimeError("the change fails")
    assert callbacks == []
    assert heard == ["at once: the page"]


def test_a_subscribers_error_reaches_the_publisher(db: None) -> None:
    def failing(event: de.CaseViewed) -> None:
        raise ValueError("refused")

    de.subscribe(de.CaseViewed, failing)
    try:
        with pytest.raises(ValueError, match="refused"):
            de.publish(_viewed("the page"))
    finally:
        de.unsubscribe(de.CaseViewed, failing)


def test_only_listed_events_are_subscribed_to() -> None:
    with pytest.raises(TypeError):
        de.subscribe(de.OfferEvent, lambda event: None)


@pytest.mark.parametrize("event_class", de.EVENT_CLASSES, ids=lambda c: c.__name__)
def test_every_event_has_a_subscriber(event_class: type[de.DomainEvent]) -> None:
    assert de.subscribers_of(event_class), f"Nobody subscribes to {event_class.__name__}."


def test_court_dates_follow_an_offer_before_the_feed_records_it() -> None:
    """Lower apps subscribe first: the offer's expiry deadline (and its deadline.created feed
    event) is written before the offer's own feed event, as when negotiations called them."""
    names = [s.name for s in de.subscribers_of(de.OfferSent)]
    assert names == [
        "deadlines.subscribers.offer_expiry_follow",
        "integrations.subscribers.feed_event_record",
    ]


def test_the_webhooks_are_queued_from_the_feed() -> None:
    assert [s.name for s in de.subscribers_of(de.FeedEventRecorded)] == [
        "webhooks.subscribers.deliveries_queue_on_commit"
    ]
