"""Publishing a batch of events (core.domain_events.publish_many): a subscriber with a `many`
handler gets the whole batch at once, one without it each event in turn, in the order they
subscribed; on-commit subscribers only after the commit."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from django.db import transaction

from cases.models import Case
from core import domain_events as de


@pytest.fixture
def heard() -> Iterator[list[str]]:
    notes: list[str] = []

    def one(event: de.CaseViewed) -> None:
        notes.append(f"one: {event.seen}")

    def many(events: Sequence[de.CaseViewed]) -> None:
        notes.append("many: " + ",".join(e.seen for e in events))

    def batched_one(event: de.CaseViewed) -> None:
        notes.append(f"batched alone: {event.seen}")

    def after_commit(event: de.CaseViewed) -> None:
        notes.append(f"after commit: {event.seen}")

    de.subscribe(de.CaseViewed, one)
    de.subscribe(de.CaseViewed, batched_one, many=many)
    de.subscribe(de.CaseViewed, after_commit, on_commit=True)
    yield notes
    for handler in (one, batched_one, after_commit):
        de.unsubscribe(de.CaseViewed, handler)


def _viewed(seen: str) -> de.CaseViewed:
    return de.CaseViewed(case=Case(pk=1, sealed=False), request=None, seen=seen)


def test_a_batch_reaches_each_subscriber_in_turn(
    db: None, heard: list[str], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        de.publish_many(de.CaseViewed, [_viewed("a"), _viewed("b")])
        inside = list(heard)

    assert inside == ["one: a", "one: b", "many: a,b"]
    assert heard == [*inside, "after commit: a", "after commit: b"]


def test_one_event_published_alone_goes_to_the_single_handler(db: None, heard: list[str]) -> None:
    de.publish(_viewed("a"))

    assert heard == ["one: a", "batched alone: a"]


def test_a_batch_is_of_one_class(db: None) -> None:
    other = de.CaseOpened(case=Case(pk=1))
    with pytest.raises(TypeError):
        de.publish_many(de.CaseViewed, [_viewed("a"), other])


def test_an_empty_batch_is_nothing(db: None, heard: list[str]) -> None:
    de.publish_many(de.CaseViewed, [])

    assert heard == []
