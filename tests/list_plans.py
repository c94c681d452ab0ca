"""EXPLAIN of a list's page, for tests that pin how PostgreSQL finds it.

A test database's tables hold a few rows, which a sequential scan reads fastest; with it priced
out (`enable_seqscan = off`) the planner shows the path it takes for the millions a list is
written for. (Filler rows would not do: a rolled-back insert leaves the tables' pages, and the
statistics ANALYZE writes in place, to every test after it.) The technique of
tests/parties/test_held_by_plan.py.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import connection
from django.db.models import QuerySet

# Rows of a court system of 1,000,000 cases, as the planner is told them (see plan_as_if_big).
BIG_ROWS = {
    "cases_case": 1_000_000,
    "cases_casegroupobjectpermission": 2_000_000,
    "cases_caseuserobjectpermission": 3_000_000,
    "parties_caseparticipant": 3_000_000,
    "parties_defendant": 850_000,
    "negotiations_offer": 1_000_000,
    "negotiations_suggestion": 500_000,
    "negotiations_pleaagreement": 300_000,
    "deadlines_deadline": 2_000_000,
    "auth_user_groups": 20_000,
}


def plan_as_if_big(cursor: Any, rows: dict[str, int] | None = None) -> None:
    """Inside the test's transaction (rolled back with it): tell the planner the big tables
    hold a large system's rows (relpages as the table has them, so the estimate is the count
    itself; a table must hold a row, or PostgreSQL estimates none whatever pg_class says), forget
    the statistics rows of our tables (an earlier test's commits may have had autovacuum
    analyze them: a few rows, a few users holding them all), and price sequential scans out.
    The plan is then the one at size, whatever ran before in this process."""
    cursor.execute(
        "DELETE FROM pg_statistic WHERE starelid IN "
        "(SELECT oid FROM pg_class WHERE relnamespace = 'public'::regnamespace)"
    )
    for table, count in (rows or BIG_ROWS).items():
        cursor.execute(
            "UPDATE pg_class SET reltuples = %s, "
            "relpages = greatest(1, pg_relation_size(oid) / current_setting('block_size')::int) "
            "WHERE oid = %s::regclass",
            [count, table],
        )
    cursor.execute("SET LOCAL enable_seqscan = off")


def page_plan(queryset: QuerySet[Any]) -> dict[str, Any]:
    """The plan of `queryset` (a page: ordered and sliced, as the paginator sends it)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        (row,) = cursor.fetchall()
        cursor.execute("SET LOCAL enable_seqscan = on")
    document = row[0] if isinstance(row[0], list) else json.loads(row[0])
    plan: dict[str, Any] = document[0]["Plan"]
    return plan


def nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [plan, *(node for child in plan.get("Plans", []) for node in nodes(child))]


def _bitmap_leaves(node: dict[str, Any]) -> list[dict[str, Any]]:
    """The index scans that build a bitmap heap scan's bitmap (not those of its subplans)."""
    if node["Node Type"] == "Bitmap Index Scan":
        return [node]
    return [
        leaf
        for child in node.get("Plans", [])
        if child.get("Parent Relationship") in ("Outer", "Member")
        for leaf in _bitmap_leaves(child)
    ]


def assert_driven_by_case_ids(queryset: QuerySet[Any], table: str) -> None:
    """Every read of `table` in the page's plan goes through an index by its case id, tested
    against the array of the reader's cases (`case_id = ANY (…)`; a bitmap may be narrowed by
    another index too, such as the cursor's range of ids): no sequential scan and no walk of
    the primary key (or any other index) in the list's order that filters rows as it goes,
    whose cost grows with the table."""
    plan = page_plan(queryset)
    shown = json.dumps(plan, indent=1)
    reads = [node for node in nodes(plan) if node.get("Relation Name") == table]
    assert reads, shown
    for read in reads:
        kind = read["Node Type"]
        if kind == "Bitmap Heap Scan":
            conditions = [leaf.get("Index Cond", "") for leaf in _bitmap_leaves(read)]
        else:
            assert kind in ("Index Scan", "Index Only Scan"), (f"{table} read by a {kind}", shown)
            conditions = [read.get("Index Cond", "")]
        assert any("case_id = ANY" in c for c in conditions), (conditions, shown)
