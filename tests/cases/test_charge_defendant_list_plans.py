"""The API lists of charges and defendants (GET /api/v1/charges/, /api/v1/defendants/) at the
size of a court system. Through `case_id IN (cases_visible_to)` a clerk's page read every case of
the court first (3.4 s at 1,000,000 cases). Now a party's rows are found from the array of their
own cases, and a court member's page is a walk of the table newest first in which each row's
case is probed in guardian's unique group index (cases.party_selectors._PROBED_CASE_SQL), never
a hashed set of the court's rows. And each list holds exactly what the set-shaped selectors let
the reader see.

The plans are read as at a court system's size (tests.list_plans.plan_at_size)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import User

from cases import party_selectors
from cases import selectors as case_selectors
from parties.models import Defendant, Role
from tests.conftest import ROLES, World
from tests.list_plans import SIZES, _bitmap_leaves, a_row_in_every_list, nodes, page_plan

GROUP_ROWS = "cases_casegroupobjectpermission"
BIG: dict[str, tuple[int, dict[str, tuple[float, float]]]] = {
    **SIZES,
    "cases_charge": (1_500_000, {"case_id": (-0.66, 0)}),
}


def everyone(world: World) -> list[User]:
    return [*(world.user(r) for r in ROLES), *(world.strangers[r] for r in ROLES)]


def test_the_lists_hold_what_the_reader_may_see(world: World) -> None:
    Defendant.objects.create(
        first_name="Entered", last_name="ByClerk", created_by=world.user(Role.COURT_STAFF)
    )
    for user in everyone(world):
        listed = set(party_selectors.charges_listed_for_user(user).values_list("pk", flat=True))
        visible = set(case_selectors.charges_visible_to(user).values_list("pk", flat=True))
        assert listed == visible, user
        listed = set(party_selectors.defendants_listed_for_user(user).values_list("pk", flat=True))
        visible = set(party_selectors.defendants_visible_to(user).values_list("pk", flat=True))
        assert listed == visible, user
    # Not a comparison of empty sets: the judge sees charges on two cases, a stranger none.
    judge = party_selectors.charges_listed_for_user(world.user(Role.JUDGE))
    assert len(set(judge.values_list("case_id", flat=True))) >= 1
    assert not party_selectors.charges_listed_for_user(
        world.strangers[Role.DEFENSE_COUNSEL]
    ).exists()


def _plan(rows: Any) -> tuple[dict[str, Any], str]:
    plan = page_plan(rows.order_by("-id")[:51], BIG)
    return plan, json.dumps(plan, indent=1)


@pytest.mark.parametrize("role", [Role.JUDGE, Role.COURT_STAFF])
@pytest.mark.parametrize("which", ["charges", "defendants"])
def test_a_court_members_page_probes_each_rows_case(world: World, role: str, which: str) -> None:
    a_row_in_every_list(world)
    user = world.user(role)
    rows = (
        party_selectors.charges_listed_for_user(user)
        if which == "charges"
        else party_selectors.defendants_listed_for_user(user)
    )
    plan, shown = _plan(rows)
    assert plan["Node Type"] == "Limit", shown
    for node in nodes(plan):
        # Nothing of a court system's size read whole: no sequential scan, no hash of a
        # court's permission rows.
        assert not (node.get("Relation Name") in BIG and node["Node Type"] == "Seq Scan"), shown
        assert node["Node Type"] not in ("Hash", "Sort"), shown
    reads = [n for n in nodes(plan) if n.get("Relation Name") == GROUP_ROWS]
    assert reads, shown
    # Each row's case probed in guardian's group rows (by an index scan, or a bitmap of one
    # case's rows: the planner takes either, as what the tests before left in the tables
    # prices them), never the court's rows read whole.
    for read in reads:
        if read["Node Type"] == "Bitmap Heap Scan":
            conditions = [leaf.get("Index Cond", "") for leaf in _bitmap_leaves(read)]
        else:
            conditions = [read.get("Index Cond", "")]
        assert any("content_object_id = " in c for c in conditions), shown


@pytest.mark.parametrize("role", [Role.PROSECUTOR, Role.DEFENSE_COUNSEL, Role.DEFENDANT])
def test_a_partys_charges_are_found_from_their_cases(world: World, role: str) -> None:
    a_row_in_every_list(world)
    plan, shown = _plan(party_selectors.charges_listed_for_user(world.user(role)))
    reads = [n for n in nodes(plan) if n.get("Relation Name") == "cases_charge"]
    assert reads, shown
    for read in reads:
        conditions = read.get("Index Cond", "") + json.dumps(read.get("Plans", []))
        assert "case_id = ANY" in conditions or "case_id = ANY" in shown, shown
        assert read["Node Type"] != "Seq Scan", shown
