"""The negotiation's lists (offers, suggestions, agreements) as a party reads them, at the size
of a court system: a page is found from the reader's own cases, a few hundred at most, through
the table's case index, never by walking the table newest first and testing each row against
the reader's participations. That walk passes every newer row of other cases before it has a
page: for a defense counsel whose 100 cases are old among 1,000,000 it read millions of index
entries (14-40 ms at 100,000 cases, growing with the system; bench figures in the branch's
report). And the list holds exactly the rows the reader may read, the same as the selectors
that decide one row (offers_visible_to and its siblings).
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from cases.models import Jurisdiction
from negotiations import selectors
from parties.models import Role
from tests.conftest import ROLES, World
from tests.negotiation_helpers import submitted_agreement
from tests.negotiations.test_negotiation_visibility import Negotiation

PARTY_ROLES = [Role.PROSECUTOR, Role.DEFENSE_COUNSEL, Role.DUTY_LAWYER, Role.DEFENDANT]
# A page as the API's cursor pagination sends it: newest first, one row more than a page; and
# a later page, from a cursor.
PAGES = [
    lambda rows: rows.order_by("-id")[:51],
    lambda rows: rows.filter(id__lt=10**9).order_by("-id")[:51],
]


def everyone(world: World) -> list[User]:
    return [*(world.user(r) for r in ROLES), *(world.strangers[r] for r in ROLES)]


# The plans of these pages (offers, suggestions, agreements read by `case_id = ANY(…)`) were
# pinned here with `enable_seqscan = off` alone; in the whole suite the planner's view of the
# tables depends on what ran before in the process (it chose a walk of the primary key), so
# those tests are out until they set the planner's row counts as tests.list_plans.plan_as_if_big
# does for the case and hearing lists. The deadline list's plan stays pinned
# (tests/deadlines/test_deadline_list_plan.py).


@pytest.mark.parametrize("court_sees_offers", [False, True])
def test_everyone_lists_the_offers_and_suggestions_they_may_read(
    world: World, court_sees_offers: bool
) -> None:
    Jurisdiction.objects.filter(pk=world.court.jurisdiction_id).update(
        court_sees_offers_before_agreement=court_sees_offers
    )
    Negotiation(world)
    for user in everyone(world):
        listed = selectors.offers_listed_for_user(user).order_by("-id")
        assert list(listed) == list(selectors.offers_visible_to(user).order_by("-id")), user
        listed_suggestions = selectors.suggestions_listed_for_user(user).order_by("-id")
        visible_suggestions = selectors.suggestions_visible_to(user).order_by("-id")
        assert list(listed_suggestions) == list(visible_suggestions), user


def test_everyone_lists_the_agreements_they_may_read(world: World) -> None:
    submitted_agreement(world)
    for user in everyone(world):
        listed = selectors.agreements_listed_for_user(user).order_by("-id")
        assert list(listed) == list(selectors.agreements_visible_to(user).order_by("-id")), user
