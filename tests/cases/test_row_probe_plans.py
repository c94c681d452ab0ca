"""One row by its id (a hearing, a deadline, a participation, a charge): its case is probed for
the reader, two index probes (cases.selectors.case_of_row_visible_to), never tested against
every case a court member sees. Through `case_id IN (cases_visible_to)` PostgreSQL read every
case of a clerk's court for one row (15-20 ms at a court of 40,000 cases, growing with it). And
each finds exactly what the set-shaped selectors let the reader see, 404 otherwise.

The plans are read as at a court system's size (tests.list_plans.plan_at_size)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Model, QuerySet
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from cases import party_selectors
from cases import selectors as case_selectors
from cases.models import Charge, Jurisdiction
from deadlines import selectors as date_selectors
from deadlines.models import Deadline, Hearing
from parties.models import CaseParticipant, Role
from tests import deadline_helpers as dh
from tests.conftest import ROLES, World
from tests.list_plans import (
    _bitmap_leaves,
    a_row_in_every_list,
    assert_no_big_table_read_whole,
    nodes,
    statement_plan,
)

GROUP_ROWS = "cases_casegroupobjectpermission"

# (model, the one-row selector, the set it must agree with)
GETS: list[tuple[type[Model], Callable[[User, int], Model], Callable[[User], QuerySet[Any]]]] = [
    (Hearing, date_selectors.hearing_get_for_user, date_selectors.hearings_visible_to),
    (Deadline, date_selectors.deadline_get_for_user, date_selectors.deadlines_visible_to),
    (
        CaseParticipant,
        party_selectors.participant_get_for_user,
        party_selectors.participants_visible_to,
    ),
    (Charge, case_selectors.charge_get_for_user, case_selectors.charges_visible_to),
]
IDS = ["hearing", "deadline", "participant", "charge"]


@pytest.fixture
def rows(world: World) -> None:
    """The world's rows, and a hearing and a deadline on the other court's case too."""
    a_row_in_every_list(world)
    clerk = world.strangers[Role.COURT_STAFF]
    room = dh.courtroom(world, "Courtroom 9", court=world.other_court)
    dh.hearing(world, case=world.foreign_case, room=room, by=clerk)
    dh.manual_deadline(world, case=world.foreign_case, by=clerk)


def everyone(world: World) -> list[User]:
    return [*(world.user(r) for r in ROLES), *(world.strangers[r] for r in ROLES)]


@pytest.mark.usefixtures("rows")
@pytest.mark.parametrize("court_sees_offers", [False, True])
@pytest.mark.parametrize(("model", "get", "visible"), GETS, ids=IDS)
def test_one_row_is_found_for_those_who_see_it_and_404_for_the_rest(
    world: World, court_sees_offers: bool, model: Any, get: Any, visible: Any
) -> None:
    Jurisdiction.objects.filter(pk=world.court.jurisdiction_id).update(
        court_sees_offers_before_agreement=court_sees_offers
    )
    every = list(model.objects.all())
    assert len({row.case_id for row in every}) > 1
    for user in everyone(world):
        seen = set(visible(user).values_list("pk", flat=True))
        for row in every:
            if row.pk in seen:
                assert get(user, row.pk).pk == row.pk, (user, row)
            else:
                with pytest.raises(Http404):
                    get(user, row.pk)


@pytest.mark.usefixtures("rows")
@pytest.mark.parametrize("role", [Role.JUDGE, Role.COURT_STAFF, Role.DEFENSE_COUNSEL])
@pytest.mark.parametrize(("model", "get", "visible"), GETS, ids=IDS)
def test_one_row_is_one_statement_probing_its_case(
    world: World, role: str, model: Any, get: Any, visible: Any
) -> None:
    user = world.user(role)
    row = visible(user).order_by("-pk").first()
    assert row is not None
    with CaptureQueriesContext(connection) as queries:
        get(user, row.pk)
    (query,) = queries.captured_queries
    plan = statement_plan(query["sql"])
    assert_no_big_table_read_whole(plan)
    shown = json.dumps(plan, indent=1)
    reads = [n for n in nodes(plan) if n.get("Relation Name") == GROUP_ROWS]
    assert reads, shown
    for read in reads:
        conditions = (
            [leaf.get("Index Cond", "") for leaf in _bitmap_leaves(read)]
            if read["Node Type"] == "Bitmap Heap Scan"
            else [read.get("Index Cond", "")]
        )
        assert any("content_object_id = " in c for c in conditions), shown


@pytest.mark.usefixtures("rows")
def test_the_probed_sets_of_request_bodies_are_the_visible_ones(world: World) -> None:
    """The querysets of the hearing and participation fields of request bodies (one id each)."""
    for user in everyone(world):
        assert set(date_selectors.hearings_checked_for(user)) == set(
            date_selectors.hearings_visible_to(user)
        ), user
        assert set(party_selectors.participants_checked_for(user)) == set(
            party_selectors.participants_visible_to(user)
        ), user
