"""The change feed at the size of a court system: a court member's page walks their court's
events along event_court_feed (court, txid, id) from the cursor, each checked by a probe of
guardian's group index; a party's page reads their own cases' events along event_case_feed.
Through `case_id IN (cases_visible_to)` a clerk's page hashed every case of the court first
(1.3-1.7 s a request at a court of 40,000 cases). And the feed holds exactly the events the
reader may learn of (events_visible_to). One event is checked (the webhook fan-out, once per
client account) by probing its case, never by reading the court's cases.

The plans are read as at a court system's size (tests.list_plans.plan_at_size), whatever the
tests before left in the tables."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Jurisdiction
from integrations import selectors
from integrations.models import Event
from parties.models import Role
from tests.conftest import ROLES, World
from tests.list_plans import (
    _bitmap_leaves,
    a_row_in_every_list,
    assert_no_big_table_read_whole,
    nodes,
    statement_plan,
)

PARTY_ROLES = [Role.PROSECUTOR, Role.DEFENSE_COUNSEL, Role.DUTY_LAWYER, Role.DEFENDANT]
COURT_ROLES = [Role.JUDGE, Role.COURT_STAFF]
EVENTS = Event._meta.db_table
GROUP_ROWS = "cases_casegroupobjectpermission"


@pytest.fixture
def rows(world: World) -> None:
    a_row_in_every_list(world)


def everyone(world: World) -> list[User]:
    return [*(world.user(r) for r in ROLES), *(world.strangers[r] for r in ROLES)]


def _feed_plan(user: User, after: selectors.FeedCursor | None) -> dict[str, Any]:
    with CaptureQueriesContext(connection) as queries:
        selectors.event_feed(user, after=after, limit=101)
    assert len(queries.captured_queries) == 2, queries.captured_queries  # courts, page
    return statement_plan(queries.captured_queries[1]["sql"])


def _conditions(read: dict[str, Any]) -> list[str]:
    if read["Node Type"] == "Bitmap Heap Scan":
        return [leaf.get("Index Cond", "") for leaf in _bitmap_leaves(read)]
    return [read.get("Index Cond", "")]


CURSORS = [None, selectors.FeedCursor(1, 1)]


@pytest.mark.usefixtures("rows")
@pytest.mark.parametrize("role", COURT_ROLES)
@pytest.mark.parametrize("after", CURSORS)
def test_a_court_members_feed_walks_the_courts_events(
    world: World, role: str, after: selectors.FeedCursor | None
) -> None:
    plan = _feed_plan(world.user(role), after)
    assert_no_big_table_read_whole(plan)
    shown = json.dumps(plan, indent=1)
    reads = [n for n in nodes(plan) if n.get("Relation Name") == EVENTS]
    assert [(n["Node Type"], n.get("Index Name")) for n in reads] == [
        ("Index Scan", "event_court_feed")
    ], shown
    condition = reads[0]["Index Cond"]
    assert "court_id = " in condition, shown
    if after is not None:  # from the cursor, not from the court's first event
        assert "txid >= " in condition, shown
    assert not [n for n in nodes(plan) if n["Node Type"] in ("Sort", "Incremental Sort")], shown
    for read in (n for n in nodes(plan) if n.get("Relation Name") == GROUP_ROWS):
        assert any("content_object_id = " in c for c in _conditions(read)), shown


@pytest.mark.usefixtures("rows")
@pytest.mark.parametrize("role", PARTY_ROLES)
@pytest.mark.parametrize("after", CURSORS)
def test_a_partys_feed_is_found_from_their_cases(
    world: World, role: str, after: selectors.FeedCursor | None
) -> None:
    plan = _feed_plan(world.user(role), after)
    assert_no_big_table_read_whole(plan)
    shown = json.dumps(plan, indent=1)
    reads = [n for n in nodes(plan) if n.get("Relation Name") == EVENTS]
    assert reads, shown
    for read in reads:
        assert any("case_id = ANY" in c for c in _conditions(read)), shown


@pytest.mark.usefixtures("rows")
@pytest.mark.parametrize("court_sees_offers", [False, True])
def test_everyones_feed_is_the_events_they_may_learn_of(
    world: World, court_sees_offers: bool
) -> None:
    Jurisdiction.objects.filter(pk=world.court.jurisdiction_id).update(
        court_sees_offers_before_agreement=court_sees_offers
    )
    assert Event.objects.filter(case=world.case).count() >= 5
    for user in everyone(world):
        fed = [e.pk for e in selectors.event_feed(user, after=None, limit=500)]
        visible = list(
            selectors.events_visible_to(user).order_by("txid", "id").values_list("pk", flat=True)
        )
        assert fed == visible, user
        for event in Event.objects.all():
            assert selectors.event_visible_to(user, event) == (event.pk in visible), (user, event)


@pytest.mark.usefixtures("rows")
@pytest.mark.parametrize("role", [*COURT_ROLES, Role.DEFENSE_COUNSEL])
def test_one_event_is_checked_by_probing_its_case(world: World, role: str) -> None:
    event = Event.objects.filter(case=world.case).order_by("-id").first()
    assert event is not None
    with CaptureQueriesContext(connection) as queries:
        assert selectors.event_visible_to(world.user(role), event)
    (query,) = queries.captured_queries
    plan = statement_plan(query["sql"])
    assert_no_big_table_read_whole(plan)
    shown = json.dumps(plan, indent=1)
    group_reads = [n for n in nodes(plan) if n.get("Relation Name") == GROUP_ROWS]
    assert group_reads, shown
    for read in group_reads:
        assert any("content_object_id = " in c for c in _conditions(read)), shown
