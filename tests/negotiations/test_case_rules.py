"""The rules of one case's negotiation rows (negotiations.selectors.offers_on_case,
suggestions_on_case, agreements_on_case), decided from the reader's standing on the case, give
exactly the rows of the subqueried rules (offers_visible_to, suggestions_visible_to,
agreements_visible_to) on that case: for every role and every stranger, with drafts of both
sides, a withdrawn draft, a suggestion and an agreement, before and after it is submitted, and
under a profile that lets the court read offers."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import QuerySet

from cases.models import Case, Jurisdiction
from negotiations import selectors
from tests.conftest import World
from tests.negotiation_helpers import signed_agreement, submitted_agreement
from tests.negotiations.test_negotiation_visibility import (  # the fixture too
    ACTORS,
    negotiation,  # noqa: F401
    person,
)


def _ids(rows: QuerySet[Any]) -> set[int]:
    return set(rows.values_list("pk", flat=True))


def _assert_same_rows(world: World, actor: str) -> None:
    user = person(world, actor)
    case = Case.objects.select_related("court__jurisdiction").get(pk=world.case.pk)
    pairs = [
        (selectors.offers_visible_to(user), selectors.offers_on_case(user, case)),
        (selectors.suggestions_visible_to(user), selectors.suggestions_on_case(user, case)),
        (selectors.agreements_visible_to(user), selectors.agreements_on_case(user, case)),
    ]
    for everywhere, on_case in pairs:
        assert _ids(on_case) == _ids(everywhere.filter(case=case)), (actor, on_case.model)


@pytest.mark.parametrize("court_reads_offers", [False, True])
@pytest.mark.parametrize("state", ["negotiation", "signed agreement", "submitted agreement"])
def test_one_case_rules_keep_the_rows_of_the_subqueried_rules(
    world: World, request: pytest.FixtureRequest, state: str, court_reads_offers: bool
) -> None:
    if state == "negotiation":
        request.getfixturevalue("negotiation")  # drafts of both sides, a withdrawn one, ...
    elif state == "signed agreement":
        signed_agreement(world)
    else:
        submitted_agreement(world)
    Jurisdiction.objects.filter(pk=world.court.jurisdiction_id).update(
        court_sees_offers_before_agreement=court_reads_offers
    )
    for actor in ACTORS:
        _assert_same_rows(world, actor)
