"""The deadline list as a person reads it (a party, on a few hundred cases at most), at the size
of a court system: the page is found from the person's own cases through deadline_case_due,
never by testing the table's deadlines against every case the person sees. And it holds exactly
the deadlines the person may see (deadlines_visible_to: the negotiation's own deadlines for those
who read offers only). Court staff see their court's cases: their list keeps
deadlines_visible_to's shape.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User

from cases.models import Jurisdiction
from deadlines import selectors
from deadlines.models import Deadline
from parties.models import Role
from tests.conftest import ROLES, World
from tests.deadline_helpers import ensure_seeded_rules, manual_deadline
from tests.list_plans import assert_driven_by_case_ids
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


@pytest.fixture(autouse=True)
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def everyone(world: World) -> list[User]:
    return [*(world.user(r) for r in ROLES), *(world.strangers[r] for r in ROLES)]


@pytest.mark.parametrize("role", PARTY_ROLES)
@pytest.mark.parametrize("page", PAGES)
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


# Court staff's deadline page (a walk of deadline_court_due from the cursor) was pinned here with
# `enable_seqscan = off` alone; in the whole suite the planner's view of the tables depends on
# what ran before in the process, and CI's order made it choose otherwise. Out until it sets the
# planner's row counts as tests.list_plans.plan_as_if_big does for the case and hearing lists.


@pytest.mark.parametrize("role", [Role.JUDGE, Role.COURT_STAFF, Role.DEFENSE_COUNSEL])
def test_a_deadline_list_is_two_statements(
    world: World, role: str, django_assert_num_queries: Any
) -> None:
    """Who the reader is (their courts), then the page."""
    manual_deadline(world)
    with django_assert_num_queries(2):
        list(PAGES[0](selectors.deadlines_listed_for_user(world.user(role))))
