"""What a court's staff read of its cases costs the page, not the court.

- The case list with a status filter walks each court the user sits in along the
  (court, status, id) index from the cursor, once per status asked for, and checks each case
  found against the court group's permission row, one probe at a time. Before, it walked the
  court's every permission row and kept those whose case had the status: for a status that
  matches late or never, the whole court (230-390 ms at 200,000 cases).
- The dashboard's counts by status of a court's cases come from a rollup the database keeps in
  the transaction of every change (CaseStatusCount), not from counting the court's cases.

Plans are read as in tests/deadlines/test_hearing_clash_index.py, with sequential scans off, and
with the planner told a large court system's row counts (the world's tables are tiny).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import selectors
from cases import services as case_services
from cases.models import Case, CaseStatus, CaseStatusCount, Court
from parties.models import Role
from tests.conftest import World, api_as, make_user
from tests.list_plans import plan_as_if_big

REALISTIC_ROWS = {
    "cases_case": 1_000_000,
    "cases_casegroupobjectpermission": 2_000_000,
    "cases_caseuserobjectpermission": 3_000_000,
    "auth_user_groups": 20_000,
}
BIG_TABLES = {"cases_case", "cases_casegroupobjectpermission", "cases_caseuserobjectpermission"}


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def plan_of(run: Callable[[], Any], *, statement: int = 0) -> list[dict[str, Any]]:
    """The plan nodes of the `statement`-th SQL statement `run` sends, planned as if the tables
    held a large court system's rows: the planner scales the row counts in pg_class by the
    tables' real pages. Catalog rows changed by SQL are rolled back with the test, unlike filler
    rows (whose pages stay) or ANALYZE (which writes in place)."""
    with CaptureQueriesContext(connection) as queries:
        run()
    sql = queries.captured_queries[statement]["sql"]
    with connection.cursor() as cursor:
        plan_as_if_big(cursor, REALISTIC_ROWS)
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
        (row,) = cursor.fetchone()
    plan = row if isinstance(row, list) else json.loads(row)
    return list(_nodes(plan[0]["Plan"]))


def condition(node: dict[str, Any]) -> str:
    return str(node.get("Index Cond") or node.get("Recheck Cond") or "")


def reads_of(nodes: list[dict[str, Any]], table: str) -> list[dict[str, Any]]:
    return [n for n in nodes if n.get("Relation Name") == table]


def clerk_of(world: World) -> Any:
    return world.user(Role.COURT_STAFF)


def open_cases(world: World, n: int, court: Court | None = None) -> list[Case]:
    clerk = clerk_of(world) if court is None else world.strangers[Role.COURT_STAFF]
    return [
        case_services.case_open(
            court=court or world.court,
            docket_number=f"7:26-cr-{i:05d}",
            caption=f"United States v. Listed {i}",
            by=clerk,
            opened_on=dt.date(2026, 2, 1),
        )
        for i in range(n)
    ]


# --- the case list: plans ------------------------------------------------------------------------


@pytest.mark.parametrize("statuses", [[CaseStatus.TRIAL], [CaseStatus.TRIAL, CaseStatus.CLOSED]])
def test_a_status_filter_walks_the_courts_cases_by_status(
    world: World, statuses: list[str]
) -> None:
    clerk = clerk_of(world)
    other_court = world.strangers[Role.COURT_STAFF]  # any other filter, with a DISTINCT
    filtered = Case.objects.exclude(created_by=other_court).distinct()

    nodes = plan_of(
        lambda: selectors.case_page_for_user(clerk, filtered=filtered, statuses=statuses)
    )

    described = json.dumps(nodes, indent=1)
    walks = [  # index or bitmap index scans along the (court, status, id) index
        n
        for n in nodes
        if n.get("Index Name") == "case_court_status_id"
        and "court_id = " in condition(n)
        and "(status)" in condition(n)
    ]
    assert walks, described
    for node in nodes:
        if node.get("Relation Name") in BIG_TABLES:
            assert node["Node Type"] != "Seq Scan", described
            assert condition(node), described
    # A court's permission rows are probed one case at a time, never walked.
    group_rows = reads_of(nodes, "cases_casegroupobjectpermission")
    assert group_rows, described
    for read in group_rows:
        assert "content_object_id = " in condition(read), described
    # The filter's DISTINCT never reaches the walk.
    assert not [n for n in nodes if n["Node Type"] == "Unique"], described


def test_the_api_list_filtered_by_status_is_the_same_statements_however_many_cases(
    world: World, django_assert_num_queries: Any
) -> None:
    client = api_as(clerk_of(world))
    url = reverse("case-list") + "?status=intake&status=trial"
    few = len(client.get(url).json()["results"])
    open_cases(world, 30)

    # The page's one statement, whatever the number of cases.
    with django_assert_num_queries(1):
        response = client.get(url)

    assert len(response.json()["results"]) == few + 30


# --- the case list: the same cases as before -----------------------------------------------------


def every_page(user: Any, filtered: Any, statuses: Sequence[str], size: int = 2) -> list[int]:
    seen: list[int] = []
    before = None
    while True:
        page = selectors.case_page_for_user(
            user, filtered=filtered, statuses=statuses, before=before, size=size
        )
        seen += [c.pk for c in page.cases]
        if not page.has_older:
            return seen
        before = page.cases[-1].pk


def every_page_forwards(user: Any, filtered: Any, statuses: Sequence[str]) -> list[int]:
    seen: list[int] = []
    after = 0
    while True:
        page = selectors.case_page_for_user(
            user, filtered=filtered, statuses=statuses, after=after, size=2
        )
        seen = [c.pk for c in page.cases] + seen
        if not page.has_newer:
            return seen
        after = page.cases[0].pk


@pytest.mark.parametrize("who", ["party", "stranger"])
@pytest.mark.parametrize("role", list(Role))
def test_every_persona_finds_exactly_the_cases_they_may_see_by_status(
    world: World, who: str, role: Role
) -> None:
    made = open_cases(world, 4) + open_cases(world, 2, court=world.other_court)
    for case in made[::2]:
        case_services.case_transition(
            case=case,
            to_status=CaseStatus.NEGOTIATING,
            by=clerk_of(world)
            if case.court_id == world.court.pk
            else world.strangers[Role.COURT_STAFF],
        )
    user = world.user(role) if who == "party" else world.strangers[role]
    for statuses in (
        [CaseStatus.INTAKE],
        [CaseStatus.NEGOTIATING],
        [CaseStatus.INTAKE, CaseStatus.NEGOTIATING],
        [CaseStatus.CLOSED],
    ):
        filtered = Case.objects.all()
        expected = list(
            selectors.cases_visible_to(user)
            .filter(status__in=statuses)
            .order_by("-id")
            .values_list("pk", flat=True)
        )

        assert every_page(user, filtered, statuses) == expected, statuses
        assert every_page_forwards(user, filtered, statuses) == expected, statuses


def test_other_filters_still_narrow_the_walk(world: World) -> None:
    clerk = make_user("two_court_clerk", Role.COURT_STAFF, world.orgs["court"])
    case_services.court_member_add(court=world.court, user=clerk)
    case_services.court_member_add(court=world.other_court, user=clerk)
    open_cases(world, 3)
    open_cases(world, 3, court=world.other_court)
    intake = [CaseStatus.INTAKE]

    def found(**filters: Any) -> list[int]:
        return every_page(clerk, Case.objects.filter(**filters), intake)

    def expected(**filters: Any) -> list[int]:
        rows = selectors.cases_visible_to(clerk).filter(status__in=intake, **filters)
        return list(rows.order_by("-id").values_list("pk", flat=True))

    assert found(court=world.other_court) == expected(court=world.other_court)
    assert found(caption__icontains="Listed 1") == expected(caption__icontains="Listed 1")
    assert found(court__name="District Court") == expected(court__name="District Court")
    assert found(pk__in=[]) == []
    for court in (world.court, world.other_court):
        page = selectors.case_page_for_user(
            clerk, filtered=Case.objects.filter(court=court), statuses=intake, court_id=court.pk
        )
        assert [c.pk for c in page.cases] == expected(court=court)


# --- the dashboard's counts ----------------------------------------------------------------------


def counted(court: Court) -> dict[str, int]:
    """The court's cases counted the slow way, for comparison."""
    rows = Case.objects.filter(court=court).values_list("status")
    counts: dict[str, int] = {}
    for (status,) in rows:
        counts[status] = counts.get(status, 0) + 1
    return counts


def kept(court: Court) -> dict[str, int]:
    rows = CaseStatusCount.objects.filter(court=court).values_list("status", "count")
    return {status: n for status, n in rows if n}


def test_the_counts_follow_every_write_to_the_cases(world: World) -> None:
    clerk = clerk_of(world)
    made = open_cases(world, 5)
    case_services.case_transition(case=made[0], to_status=CaseStatus.NEGOTIATING, by=clerk)
    case_services.case_transition(case=made[1], to_status=CaseStatus.DISMISSED, by=clerk)
    case_services.case_update(case=made[2], by=clerk, caption="Renamed")  # status unchanged
    # A bulk statement (as a docket import writes) and a queryset update count too.
    Case.objects.bulk_create(
        Case(
            court=world.court,
            docket_number=f"8:26-cr-{i}",
            caption="Bulk",
            opened_on=dt.date(2026, 3, 1),
        )
        for i in range(4)
    )
    Case.objects.filter(docket_number__startswith="8:26").update(status=CaseStatus.TRIAL)
    Case.objects.filter(pk=made[4].pk).delete()

    assert kept(world.court) == counted(world.court)
    assert kept(world.other_court) == counted(world.other_court)
    assert selectors.case_status_count_mismatches() == []


def test_a_count_out_of_step_is_found_and_never_goes_below_zero(world: World) -> None:
    CaseStatusCount.objects.filter(court=world.court, status=CaseStatus.INTAKE).update(count=0)

    mismatches = selectors.case_status_count_mismatches()

    assert (world.court.pk, CaseStatus.INTAKE, counted(world.court)["intake"], 0) in mismatches
    with pytest.raises(IntegrityError), transaction.atomic():
        case_services.case_transition(
            case=world.case, to_status=CaseStatus.NEGOTIATING, by=clerk_of(world)
        )


def test_the_dashboard_counts_read_the_rollup_not_the_cases(
    world: World, django_assert_num_queries: Any
) -> None:
    clerk = clerk_of(world)
    open_cases(world, 3)

    with CaptureQueriesContext(connection) as queries:
        counts = selectors.case_status_counts_of_courts_for(clerk)

    assert counts == counted(world.court)
    (query,) = queries.captured_queries
    assert "cases_casestatuscount" in query["sql"]
    assert '"cases_case"' not in query["sql"]


def test_the_dashboard_shows_the_kept_counts(client: Any, world: World) -> None:
    clerk = clerk_of(world)
    case_services.case_transition(case=world.other_case, to_status=CaseStatus.TRIAL, by=clerk)
    client.force_login(clerk)

    response = client.get(reverse("dashboard"))

    shown = {row["status"]: row["count"] for row in response.context["status_counts"]}
    assert {s: n for s, n in shown.items() if n} == counted(world.court)
