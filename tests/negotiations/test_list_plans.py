"""The negotiation's lists (offers, suggestions, agreements) as a party reads them, at the size
of a court system: a page is found from the reader's own cases, a few hundred at most, through
the table's case index, never by walking the table newest first and testing each row against
the reader's participations. That walk passes every newer row of other cases before it has a
page: for a defense counsel whose 100 cases are old among 1,000,000 it read millions of index
entries (14-40 ms at 100,000 cases, growing with the system; bench figures in the branch's
report). A member of the court reads the court's submitted agreements (and its sent offers,
where the jurisdiction lets the court read them): their page walks the court's rows along
(court_id, id), or (court_id, status, id) for one status, from the cursor. And the list holds
exactly the rows the reader may read, the same as the selectors that decide one row
(offers_visible_to and its siblings). The plans are read as at a court system's size, whatever
the tests before left in the tables (tests.list_plans.plan_at_size).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from cases.models import Jurisdiction
from negotiations import selectors
from negotiations.models import AgreementStatus, OfferStatus
from parties.models import Role
from tests.conftest import ROLES, World
from tests.court_list_plans import assert_walks_court_index
from tests.list_plans import a_row_in_every_list, assert_driven_by_case_ids
from tests.negotiation_helpers import submitted_agreement
from tests.negotiations.test_negotiation_visibility import Negotiation

PARTY_ROLES = [Role.PROSECUTOR, Role.DEFENSE_COUNSEL, Role.DUTY_LAWYER, Role.DEFENDANT]
COURT_ROLES = [Role.JUDGE, Role.COURT_STAFF]
# A page as the API's cursor pagination sends it: newest first, one row more than a page; and
# a later page, from a cursor.
PAGES = [
    lambda rows: rows.order_by("-id")[:51],
    lambda rows: rows.filter(id__lt=10**9).order_by("-id")[:51],
]


def everyone(world: World) -> list[User]:
    return [*(world.user(r) for r in ROLES), *(world.strangers[r] for r in ROLES)]


@pytest.fixture
def rows(world: World) -> None:
    """A row in every table the plans read (tests.list_plans.a_row_in_every_list)."""
    a_row_in_every_list(world)


@pytest.fixture
def court_reads_offers(world: World) -> None:
    Jurisdiction.objects.filter(pk=world.court.jurisdiction_id).update(
        court_sees_offers_before_agreement=True
    )


@pytest.mark.usefixtures("rows")
@pytest.mark.parametrize("role", PARTY_ROLES)
@pytest.mark.parametrize("page", PAGES)
def test_a_partys_pages_are_found_from_their_cases(world: World, role: str, page: Any) -> None:
    user = world.user(role)
    assert_driven_by_case_ids(page(selectors.offers_listed_for_user(user)), "negotiations_offer")
    suggestions = selectors.suggestions_listed_for_user(user)
    assert_driven_by_case_ids(page(suggestions), "negotiations_suggestion")
    agreements = selectors.agreements_listed_for_user(user)
    assert_driven_by_case_ids(page(agreements), "negotiations_pleaagreement")


@pytest.mark.usefixtures("rows")
@pytest.mark.parametrize("role", COURT_ROLES)
@pytest.mark.parametrize("page", PAGES)
def test_a_court_members_agreement_page_walks_the_court(world: World, role: str, page: Any) -> None:
    rows = selectors.agreements_listed_for_user(world.user(role))
    assert_walks_court_index(page(rows), "negotiations_pleaagreement", "agreement_court_id")
    one_status = rows.filter(status__in=[AgreementStatus.SUBMITTED])
    assert_walks_court_index(
        page(one_status), "negotiations_pleaagreement", "agreement_court_status_id"
    )


@pytest.mark.usefixtures("rows", "court_reads_offers")
@pytest.mark.parametrize("role", COURT_ROLES)
@pytest.mark.parametrize("page", PAGES)
def test_a_court_members_offer_page_walks_the_court_where_it_reads_offers(
    world: World, role: str, page: Any
) -> None:
    rows = selectors.offers_listed_for_user(world.user(role))
    assert_walks_court_index(page(rows), "negotiations_offer", "offer_court_id")
    one_status = rows.filter(status__in=[OfferStatus.ACCEPTED])
    assert_walks_court_index(page(one_status), "negotiations_offer", "offer_court_status_id")


@pytest.mark.usefixtures("rows")
@pytest.mark.parametrize("role", COURT_ROLES)
def test_a_court_members_offer_page_is_empty_without_a_walk_where_it_reads_none(
    world: World, role: str, django_assert_num_queries: Any
) -> None:
    """Where the court does not read offers, a judge's or clerk's list is their own cases'
    (none): the courts, then an empty page."""
    with django_assert_num_queries(2):
        assert list(PAGES[0](selectors.offers_listed_for_user(world.user(role)))) == []


@pytest.mark.usefixtures("rows", "court_reads_offers")
@pytest.mark.parametrize("role", [*COURT_ROLES, Role.DEFENSE_COUNSEL])
def test_offer_and_agreement_lists_are_a_fixed_number_of_statements(
    world: World, role: str, django_assert_num_queries: Any
) -> None:
    """The reader's courts, the page, then each prefetch (offers: terms and concessions;
    agreements: signatures, the cases' profiles (_with_profiles) and the agreement adjusting
    each one, CPL art. 201(2), read by adjusts_id after the page rather than joined into it)."""
    user = world.user(role)
    with django_assert_num_queries(4):
        assert list(PAGES[0](selectors.offers_listed_for_user(user)))
    with django_assert_num_queries(5):
        assert list(PAGES[0](selectors.agreements_listed_for_user(user)))


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
