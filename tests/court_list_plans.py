"""Plans of court staff's lists (tests.list_plans.page_plan: planned as at a court system's size):
a page is one walk of the court's rows along an index led
by court_id in the list's order, stopped by the page's LIMIT, each row checked by a probe of
guardian's group index; never a sort or a hash of every row (or every case) of a court."""

from __future__ import annotations

import json

from django.db.models import Model, QuerySet

from cases.models import CaseGroupObjectPermission
from tests.list_plans import _bitmap_leaves, assert_no_big_table_read_whole, nodes, page_plan


def assert_walks_court_index(queryset: QuerySet[Model], table: str, index: str) -> None:
    plan = page_plan(queryset)
    assert_no_big_table_read_whole(plan)
    shown = json.dumps(plan, indent=1)
    every = nodes(plan)
    reads = [node for node in every if node.get("Relation Name") == table]
    assert reads, shown
    for read in reads:
        assert read["Node Type"] == "Index Scan", (f"{table} read by a {read['Node Type']}", shown)
        assert read["Index Name"] == index, shown
        assert "court_id = " in read.get("Index Cond", ""), shown
    # In the list's order as it is read: nothing sorts (or hashes) the court's rows. (A hash of
    # the reader's own participations, say, holds a few rows whatever the court's size.)
    gathering = ("Sort", "Incremental Sort", "Hash", "HashAggregate")
    over_the_walk = [
        node
        for node in every
        if node["Node Type"] in gathering
        and any(read.get("Relation Name") == table for read in nodes(node))
    ]
    assert not over_the_walk, shown
    group_table = CaseGroupObjectPermission._meta.db_table
    # Guardian's group rows are probed by the row's case (content_object_id), one case at a
    # time: never read whole for the court. (With a few rows, the planner may AND that probe
    # with the permission's index in a bitmap; at size, the case's index alone is cheaper.)
    for read in (node for node in every if node.get("Relation Name") == group_table):
        if read["Node Type"] == "Bitmap Heap Scan":
            conditions = [leaf.get("Index Cond", "") for leaf in _bitmap_leaves(read)]
        else:
            assert read["Node Type"] in ("Index Scan", "Index Only Scan"), shown
            conditions = [read.get("Index Cond", "")]
        assert any("content_object_id = " in c and "case_id" in c for c in conditions), shown
