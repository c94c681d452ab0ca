"""The deadline list as a person reads it (a party, on a few hundred cases at most), at the size
of a court system: the page is found from the person's own cases through deadline_case_due,
never by testing the table's deadlines against every case the person sees. And it holds exactly
the deadlines the person may see (deadlines_visible_to: the negotiation's own deadlines for those
who read offers only). Court staff see their court's cases: their list walks deadline_court_due
(court_id, due_date, id) from the cursor, and "Upcoming" the court's open deadlines along
deadline_court_open_due. The plans are read as at a court system's size, whatever the tests
before left in the tables (tests.list_plans.plan_at_size).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Jurisdiction
from deadlines import selectors
from deadlines.models import Deadline
from parties.models import Role
from tests.conftest import ROLES, World
from tests.court_list_plans import assert_walks_court_index
from tests.deadline_helpers import ensure_seeded_rules, manual_deadline
from tests.list_plans import (
    a_row_in_every_list,
    assert_driven_by_case_ids,
    assert_no_big_table_read_whole,
    nodes,
    statement_plan,
)
from tests.negotiation_helpers import sent_offer

NOW = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)
EXPIRES = dt.datetime(2026, 12, 1, 22, 0, tzinfo=dt.UTC)
PARTY_ROLES = [Role.PROSECUTOR, Role.DEFENSE_COUNSEL, Role.DUTY_LAWYER, Role.DEFENDANT]
# A page as DeadlineViewSet's cursor pagination sends it: by due date, one row more than a
# page; and a later page, from a cursor.
PAGES = [
    lambda rows: rows.order_by("due_date", "id")[:51],
    lambda rows: rows.filter(due_date__gte=dt.date(2026, 1, 1)).order_by("due_date", "id")[:51],
]


@pytest.fixture(autouse=True)
def seeded_rules(db: Any) -> None:
    ensure_seeded_rules()


@pytest.fixture
def rows(world: World) -> None:
    """A row in every table the plans read (tests.list_plans.a_row_in_every_list)."""
    a_row_in_every_list(world)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def everyone(world: World) -> list[User]:
    return [*(world.user(r) for r in ROLES), *(world.strangers[r] for r in ROLES)]


@pytest.mark.parametrize("role", PARTY_ROLES)
@pytest.mark.parametrize("page", PAGES)
@pytest.mark.usefixtures("rows")
def test_a_partys_deadline_page_is_found_from_their_cases(
    world: World, role: str, page: Any
) -> None:
    deadlines = selectors.deadlines_listed_for_user(world.user(role))
    assert_driven_by_case_ids(page(deadlines), "deadlines_deadline")


@pytest.mark.parametrize("court_sees_offers", [False, True])
def test_everyone_lists_the_deadlines_they_may_see(world: World, court_sees_offers: bool) -> None:
    Jurisdiction.objects.filter(pk=world.court.jurisdiction_id).update(
        court_sees_offers_before_agreement=court_sees_offers
    )
    offer = sent_offer(world, expires_at=EXPIRES)
    expiry = Deadline.objects.get(offer=offer)  # for those who read offers only
    court_date = manual_deadline(world)
    for user in everyone(world):
        listed = list(selectors.deadlines_listed_for_user(user).order_by("due_date", "id"))
        assert listed == list(selectors.deadlines_visible_to(user).order_by("due_date", "id"))
    counsel = selectors.deadlines_listed_for_user(world.user(Role.DEFENSE_COUNSEL))
    assert list(counsel.order_by("due_date", "id")) == [expiry, court_date]
    assert not selectors.deadlines_listed_for_user(world.strangers[Role.DEFENSE_COUNSEL]).exists()


@pytest.mark.parametrize("role", [Role.JUDGE, Role.COURT_STAFF])
@pytest.mark.parametrize("page", PAGES)
@pytest.mark.usefixtures("rows")
def test_court_staffs_deadline_page_walks_the_court(world: World, role: str, page: Any) -> None:
    deadlines = selectors.deadlines_listed_for_user(world.user(role))
    assert_walks_court_index(page(deadlines), "deadlines_deadline", "deadline_court_due")


def _upcoming_deadlines_plan(user: User) -> dict[str, Any]:
    with CaptureQueriesContext(connection) as queries:
        selectors.upcoming_for(user)
    # The hearings' page, the reader's courts, then the deadlines.
    assert len(queries.captured_queries) == 3, queries.captured_queries
    return statement_plan(queries.captured_queries[2]["sql"])


@pytest.mark.parametrize("role", [Role.JUDGE, Role.COURT_STAFF])
@pytest.mark.usefixtures("rows")
def test_court_staffs_upcoming_deadlines_walk_the_courts_open_ones(world: World, role: str) -> None:
    """ "Upcoming" on the dashboard: the court's open deadlines from the first, along the partial
    index of open deadlines, never the deadlines the court closed over the years."""
    plan = _upcoming_deadlines_plan(world.user(role))
    assert_no_big_table_read_whole(plan)
    shown = json.dumps(plan, indent=1)
    reads = [n for n in nodes(plan) if n.get("Relation Name") == "deadlines_deadline"]
    assert [n.get("Index Name") for n in reads] == ["deadline_court_open_due"], shown
    assert "court_id = " in reads[0]["Index Cond"], shown
    assert not [n for n in nodes(plan) if n["Node Type"] in ("Sort", "Incremental Sort")], shown


@pytest.mark.parametrize("role", PARTY_ROLES)
@pytest.mark.usefixtures("rows")
def test_a_partys_upcoming_deadlines_are_found_from_their_cases(world: World, role: str) -> None:
    plan = _upcoming_deadlines_plan(world.user(role))
    assert_no_big_table_read_whole(plan)
    shown = json.dumps(plan, indent=1)
    reads = [n for n in nodes(plan) if n.get("Relation Name") == "deadlines_deadline"]
    assert reads, shown
    for read in reads:
        conditions = (
            [leaf.get("Index Cond", "") for leaf in nodes(read) if "Index Name" in leaf]
            if read["Node Type"] == "Bitmap Heap Scan"
            else [read.get("Index Cond", "")]
        )
        assert any("case_id = ANY" in c for c in conditions), shown


@pytest.mark.parametrize("court_sees_offers", [False, True])
def test_everyones_upcoming_deadlines_are_the_ones_they_may_see(
    world: World, court_sees_offers: bool
) -> None:
    Jurisdiction.objects.filter(pk=world.court.jurisdiction_id).update(
        court_sees_offers_before_agreement=court_sees_offers
    )
    expiry = Deadline.objects.get(offer=sent_offer(world, expires_at=EXPIRES))
    court_date = manual_deadline(world, due_date=dt.date(2026, 11, 30))  # within the 14 days
    manual_deadline(world, due_date=dt.date(2026, 12, 18), title="Motions due")  # beyond them
    for user in everyone(world):
        shown = {item.deadline for item in selectors.upcoming_for(user) if item.deadline}
        visible = set(selectors.deadlines_visible_to(user))
        assert shown == visible & {expiry, court_date}, user
    assert {
        item.deadline for item in selectors.upcoming_for(world.user(Role.JUDGE)) if item.deadline
    } == ({expiry, court_date} if court_sees_offers else {court_date})


@pytest.mark.parametrize("role", [Role.JUDGE, Role.COURT_STAFF, Role.DEFENSE_COUNSEL])
def test_a_deadline_list_is_two_statements(
    world: World, role: str, django_assert_num_queries: Any
) -> None:
    """Who the reader is (their courts), then the page."""
    manual_deadline(world)
    with django_assert_num_queries(2):
        list(PAGES[0](selectors.deadlines_listed_for_user(world.user(role))))
