"""EXPLAIN of a list's page, for tests that pin how PostgreSQL finds it.

A test database's tables hold a few rows, which a sequential scan reads fastest. page_plan
plans a page as at the size of a court system (plan_at_size: the row counts and the columns'
distinct values a large system has, set in the test's own transaction), so that the plan does
not depend on what the tests before it left in the tables. (Filler rows would not do: a
rolled-back insert leaves the tables' pages, and the statistics ANALYZE writes in place, to
every test after it.) plan_as_if_big, the earlier technique (row counts, and sequential scans
priced out), still serves the case and hearing lists' tests.
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


# A court system of 1,000,000 cases as the planner is told it (plan_at_size): each big table's
# rows, and for the columns the lists filter on, how many distinct values they hold (a negative
# number is a share of the rows, as in pg_statistic.stadistinct) and which share is NULL. Five
# courts, 22,000 people with a login, a few values of each status and kind.
SIZES: dict[str, tuple[int, dict[str, tuple[float, float]]]] = {
    "cases_case": (1_000_000, {"court_id": (5, 0), "status": (8, 0)}),
    "cases_casegroupobjectpermission": (
        2_000_000,
        {"group_id": (5, 0), "permission_id": (2, 0), "content_object_id": (-0.5, 0)},
    ),
    "cases_caseuserobjectpermission": (
        3_000_000,
        {"user_id": (22_000, 0), "permission_id": (5, 0), "content_object_id": (-0.33, 0)},
    ),
    "parties_caseparticipant": (
        3_000_000,
        {
            "case_id": (-0.33, 0),
            "court_id": (5, 0),
            "user_id": (5_000, 0.3),
            "defendant_id": (-0.28, 0.7),
            "role": (6, 0),
            "side": (3, 0),
            "end_date": (-0.01, 0.97),
        },
    ),
    "parties_defendant": (850_000, {"user_id": (-0.02, 0.98)}),
    "negotiations_offer": (
        1_000_000,
        {
            "case_id": (-0.6, 0),
            "court_id": (5, 0),
            "status": (7, 0),
            "side": (2, 0),
            "sent_at": (-0.9, 0.1),
            "author_id": (5_000, 0),
        },
    ),
    "negotiations_suggestion": (500_000, {"case_id": (-0.8, 0)}),
    "negotiations_pleaagreement": (
        300_000,
        {"case_id": (-1, 0), "court_id": (5, 0), "status": (6, 0), "submitted_at": (-0.8, 0.2)},
    ),
    "deadlines_deadline": (
        2_000_000,
        {
            "case_id": (-0.5, 0),
            "court_id": (5, 0),
            "status": (4, 0),
            "kind": (6, 0),
            "due_date": (3_650, 0),
        },
    ),
    "deadlines_hearing": (
        1_000_000,
        {"case_id": (-0.7, 0), "courtroom_id": (100, 0), "status": (5, 0)},
    ),
    "integrations_event": (
        4_000_000,
        {
            "case_id": (-0.25, 0),
            "court_id": (5, 0),
            "txid": (-0.25, 0),
            "audience": (3, 0),
            "type": (15, 0),
        },
    ),
    "auth_user_groups": (20_000, {"user_id": (-1, 0), "group_id": (5, 0)}),
    # The people a list joins to its rows (authors, signers): at size, never a handful to
    # drive the page from (an earlier test's analyze may have left auth_user at two rows, and
    # the planner then read a court's offers per author, by bitmap, and sorted them).
    "auth_user": (22_000, {}),
}


def plan_at_size(
    cursor: Any, sizes: dict[str, tuple[int, dict[str, tuple[float, float]]]]
) -> set[str]:
    """Inside the test's transaction (rolled back with it, so no other test sees it): make the
    planner see the tables of `sizes` as a large court system holds them, whatever ran before
    in this process.

    What it sees otherwise depends on the order of the tests: a table that a transactional
    test emptied (TRUNCATE) has no pages, and PostgreSQL then estimates no rows whatever
    pg_class says; one whose rows were written and rolled back by earlier tests has pages of
    dead rows; one that autovacuum analyzed after an earlier test's commit has statistics of a
    few rows; one never analyzed has none, and every equality is then guessed at 1 in 200 rows.
    So every statistics row of our tables is dropped, every other table is taken to hold a
    hundred rows, and for the tables of `sizes`: the row
    count (pg_class.reltuples, over the pages the table has now: the planner scales the density
    by its current size) and, per column, the number of distinct values and the share of NULLs
    (pg_statistic, without most-common values or histograms), which decide how many rows an
    index condition finds. Returns the tables that hold no page (their estimate is still none):
    a plan that reads one of them pins nothing (page_plan fails on it)."""
    cursor.execute(
        "DELETE FROM pg_statistic WHERE starelid IN "
        "(SELECT oid FROM pg_class WHERE relnamespace = 'public'::regnamespace)"
    )
    # Every other table of ours (courts, rules, permissions…) as a hundred rows: what an
    # earlier test left in its statistics (two users, say) must not steer the plan either.
    cursor.execute(
        "UPDATE pg_class SET reltuples = 100, "
        "relpages = greatest(1, pg_relation_size(oid) / current_setting('block_size')::int) "
        "WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' "
        "AND NOT relname = ANY(%s)",
        [list(sizes)],
    )
    empty: set[str] = set()
    for table, (rows, columns) in sizes.items():
        cursor.execute(
            "SELECT pg_relation_size(%s::regclass) / current_setting('block_size')::int",
            [table],
        )
        (pages,) = cursor.fetchone()
        if not pages:
            empty.add(table)
        cursor.execute(
            "UPDATE pg_class SET reltuples = %s, relpages = greatest(1, %s), "
            "relallvisible = greatest(1, %s) WHERE oid = %s::regclass",
            [rows, pages, pages, table],
        )
        for column, (distinct, nulls) in columns.items():
            cursor.execute(
                """
                INSERT INTO pg_statistic (starelid, staattnum, stainherit, stanullfrac, stawidth,
                    stadistinct, stakind1, stakind2, stakind3, stakind4, stakind5,
                    staop1, staop2, staop3, staop4, staop5,
                    stacoll1, stacoll2, stacoll3, stacoll4, stacoll5)
                SELECT attrelid, attnum, false, %s, 8, %s, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                    0, 0, 0, 0, 0
                FROM pg_attribute WHERE attrelid = %s::regclass AND attname = %s
                """,
                [nulls, distinct, table, column],
            )
            assert cursor.rowcount == 1, (table, column)
    return empty


def page_plan(
    queryset: QuerySet[Any],
    sizes: dict[str, tuple[int, dict[str, tuple[float, float]]]] | None = None,
) -> dict[str, Any]:
    """The plan of `queryset` (a page: ordered and sliced, as the paginator sends it), planned
    as at the size of a court system (plan_at_size); sequential scans stay allowed, so a plan
    that would read a big table whole shows as one."""
    sql, params = queryset.query.sql_with_params()
    return statement_plan(sql, params, sizes)


def statement_plan(
    sql: str,
    params: Any = (),
    sizes: dict[str, tuple[int, dict[str, tuple[float, float]]]] | None = None,
) -> dict[str, Any]:
    """The plan of one SQL statement, planned as page_plan plans a page."""
    with connection.cursor() as cursor:
        empty = plan_at_size(cursor, sizes or SIZES)
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        (row,) = cursor.fetchall()
    document = row[0] if isinstance(row[0], list) else json.loads(row[0])
    plan: dict[str, Any] = document[0]["Plan"]
    unknown = {str(n.get("Relation Name")) for n in nodes(plan)} & empty
    assert not unknown, f"no row in {sorted(unknown)}: make one before reading the plan"
    return plan


def assert_no_big_table_read_whole(plan: dict[str, Any]) -> None:
    """No table of a court system's size (SIZES) is read by a sequential scan, or by an index
    read from end to end (an index scan with no index condition)."""
    shown = json.dumps(plan, indent=1)
    for node in nodes(plan):
        if node.get("Relation Name") not in SIZES:
            continue
        assert node["Node Type"] != "Seq Scan", (node["Relation Name"], shown)
        if node["Node Type"] in ("Index Scan", "Index Only Scan", "Bitmap Index Scan"):
            assert node.get("Index Cond"), (node["Relation Name"], shown)


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
    assert_no_big_table_read_whole(plan)
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


def a_row_in_every_list(world: Any) -> None:
    """A row in each table the lists read, on the world's case: a suggestion, answered; an offer
    sent and accepted into an agreement submitted to the court (with their events and the
    offer's expiry deadline); a hearing; a deadline set by hand. plan_at_size's estimates need a
    page in each table (a table with none is estimated empty whatever pg_class says)."""
    from negotiations import services as negotiation_services
    from parties.models import Role
    from tests import deadline_helpers
    from tests.negotiation_helpers import submitted_agreement

    deadline_helpers.ensure_seeded_rules()
    suggestion = negotiation_services.suggestion_submit(
        case=world.case, by=world.user(Role.DUTY_LAWYER), text="Weigh the work record."
    )
    negotiation_services.suggestion_respond(
        suggestion=suggestion, by=world.user(Role.PROSECUTOR), response="Weighed."
    )
    submitted_agreement(world)
    deadline_helpers.hearing(world)
    deadline_helpers.manual_deadline(world)
