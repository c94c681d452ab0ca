"""A few cases checked against what a person may see (cases.selectors.cases_checked_for and
what is built on it: cases_visible_among, may_see_case): each case is tested with probes of
guardian's unique indexes by its id, never by reading every case the person may see, which for
a court member is a whole court's 200,000 (the calendar feeds page took 4.6 s so at 1,000,000
cases, the notifications page 0.7 s). And the answer is the one cases_visible_to gives.
"""

from __future__ import annotations

import json

import pytest

from cases import selectors
from parties.models import Role
from tests.conftest import ROLES, World
from tests.list_plans import nodes, statement_plan

PERMISSION_TABLES = {"cases_caseuserobjectpermission", "cases_casegroupobjectpermission"}


def _plan(sql: str, params: tuple) -> dict:
    # Planned as at a court system's size whatever the tests before left in the tables
    # (tests.list_plans.plan_at_size): with row counts alone, the whole suite's order made the
    # planner choose a bitmap of the person's rows here.
    return statement_plan(sql, params)


@pytest.mark.parametrize("role", [Role.JUDGE, Role.COURT_STAFF, Role.PROSECUTOR])
@pytest.mark.parametrize("how", ["among", "one"])
def test_each_case_is_probed_by_its_id(world: World, role: str, how: str) -> None:
    user = world.user(role)
    ids = [world.case.pk, world.other_case.pk]
    rows = (
        selectors.cases_visible_among(user, ids)
        if how == "among"
        else selectors.cases_checked_for(user).filter(pk=world.case.pk)
    )
    plan = _plan(*rows.query.sql_with_params())
    shown = json.dumps(plan, indent=1)
    reads = [n for n in nodes(plan) if n.get("Relation Name") in PERMISSION_TABLES]
    assert {n["Relation Name"] for n in reads} == set(PERMISSION_TABLES), shown
    for read in reads:
        table = read["Relation Name"]
        # An index probe, or a bitmap of that one probe (PostgreSQL picks either by the
        # statistics the tests before left; both read the rows of one case, or of one person:
        # tests/court_list_plans.py accepts both too).
        if read["Node Type"] == "Bitmap Heap Scan":
            (read,) = (n for n in nodes(read) if n["Node Type"] == "Bitmap Index Scan")
        assert read["Node Type"] in ("Index Scan", "Index Only Scan", "Bitmap Index Scan"), shown
        condition = read.get("Index Cond", "")
        if table == "cases_casegroupobjectpermission":
            # A probe by the case: its id is in the index condition, never a hashed set of
            # every row of the person's court.
            assert "content_object_id = cases_case.id" in condition, shown
        else:
            # The person's own rows: a probe, or (when many cases are asked about) the
            # person's rows once, which are as many as their own cases.
            assert "user_id = " in condition, shown


def test_the_answer_is_cases_visible_to(world: World) -> None:
    everyone = [*(world.user(r) for r in ROLES), *(world.strangers[r] for r in ROLES)]
    ids = [world.case.pk, world.other_case.pk]
    for user in everyone:
        expected = set(
            selectors.cases_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True)
        )
        assert (
            set(selectors.cases_visible_among(user, ids).values_list("pk", flat=True)) == expected
        )
        for pk in ids:
            assert selectors.may_see_case(user, pk) is (pk in expected), (user, pk)
    # Someone sees something, someone does not: the comparison is not between empty sets.
    assert selectors.may_see_case(world.user(Role.JUDGE), world.case.pk)
    assert not selectors.may_see_case(world.strangers[Role.DEFENSE_COUNSEL], world.case.pk)
