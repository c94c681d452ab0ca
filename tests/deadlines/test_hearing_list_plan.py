"""The lists of hearings a court's staff read (the API list, "Upcoming" on the dashboard, the
docket) cost what their page costs, not what the court holds: they walk the user's own cases
and the court's courtrooms along an index from the cursor, and check each hearing found against
guardian's row for its case, one probe at a time. Before, they filtered through every case the
user may see (200,000 for a clerk of a large court: 3-5 s a page).

The plans are read as the clash test reads its own (test_hearing_clash_index.py): with
sequential scans off, since the world's tables are tiny and PostgreSQL would rightly scan them;
what is pinned is which index each table is read by and with which condition.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import services as case_services
from deadlines import selectors, services
from deadlines.models import UPCOMING_HEARING_STATUSES, Hearing, HearingStatus
from parties.models import Role
from tests import deadline_helpers as dh
from tests.api_negotiation_helpers import url
from tests.conftest import World, api_as, make_user
from tests.list_plans import plan_as_if_big

BIG_TABLES = {
    "cases_case",
    "deadlines_hearing",
    "cases_casegroupobjectpermission",
    "cases_caseuserobjectpermission",
}


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


# The sizes of a court system of 1,000,000 cases (issue 16), as the planner is told them.
REALISTIC_ROWS = {
    "cases_case": 1_000_000,
    "deadlines_hearing": 1_000_000,
    "cases_casegroupobjectpermission": 2_000_000,
    "cases_caseuserobjectpermission": 3_000_000,
    "deadlines_courtroom": 100,
    "auth_user_groups": 20_000,
}


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


def reads_of(nodes: list[dict[str, Any]], table: str) -> list[dict[str, Any]]:
    return [n for n in nodes if n.get("Relation Name") == table]


def condition(node: dict[str, Any]) -> str:
    return str(node.get("Index Cond") or node.get("Recheck Cond") or "")


def assert_index_driven(nodes: list[dict[str, Any]]) -> None:
    """No big table is scanned whole, and guardian's rows of a court's group (its every case)
    are only ever probed for one case, never walked."""
    described = json.dumps(nodes, indent=1)
    for node in nodes:
        if node.get("Relation Name") in BIG_TABLES:
            assert node["Node Type"] != "Seq Scan", described
            assert condition(node), described
    group_rows = reads_of(nodes, "cases_casegroupobjectpermission")
    assert group_rows, described
    for read in group_rows:
        assert "content_object_id = " in condition(read), described


def walks_of(nodes: list[dict[str, Any]], index: str, *conditions: str) -> list[dict[str, Any]]:
    """The reads along `index` (index or bitmap index scans) whose condition has each of
    `conditions`."""
    return [
        n
        for n in nodes
        if n.get("Index Name") == index and all(c in condition(n) for c in conditions)
    ]


def assert_walks_courtrooms(nodes: list[dict[str, Any]], index: str) -> None:
    assert walks_of(nodes, index, "courtroom_id = "), json.dumps(nodes, indent=1)


@pytest.fixture
def hearings(world: World) -> list[Hearing]:
    """Hearings in two courtrooms of the world's court, and one in the other court's."""
    room2 = dh.courtroom(world, "Courtroom 2")
    made = [
        dh.hearing(world, starts_at=dh.at(2026, 12, 14 + day, 9 + hour), room=room)
        for day in range(3)
        for hour, room in ((0, dh.courtroom(world)), (2, room2))
    ]
    made.append(dh.hearing(world, case=world.other_case, starts_at=dh.at(2026, 12, 14, 11)))
    foreign_room = dh.courtroom(world, "Courtroom 9", court=world.other_court)
    made.append(
        dh.hearing(
            world,
            case=world.foreign_case,
            room=foreign_room,
            by=world.strangers[Role.COURT_STAFF],
            starts_at=dh.at(2026, 12, 14, 9, zone=dt.UTC),
        )
    )
    return made


# --- the plans -----------------------------------------------------------------------------------


def test_the_page_walks_each_courtroom_of_the_court(world: World, hearings: list[Hearing]) -> None:
    clerk = dh.clerk(world)

    nodes = plan_of(lambda: selectors.hearing_page_for_user(clerk, size=50))

    assert_walks_courtrooms(nodes, "hearing_room_start")
    assert_index_driven(nodes)


def test_a_status_filter_walks_each_courtroom_by_status(
    world: World, hearings: list[Hearing]
) -> None:
    clerk = dh.clerk(world)

    nodes = plan_of(
        lambda: selectors.hearing_page_for_user(
            clerk, statuses=[HearingStatus.CANCELLED, HearingStatus.CONTINUED], size=50
        )
    )

    assert_walks_courtrooms(nodes, "hearing_room_status_start")
    assert_index_driven(nodes)


def test_upcoming_hearings_walk_each_courtroom_from_now(
    world: World, hearings: list[Hearing]
) -> None:
    clerk = dh.clerk(world)

    with time_machine.travel(dh.at(2026, 12, 14, 8), tick=False):
        nodes = plan_of(lambda: selectors.upcoming_for(clerk), statement=0)

    assert_walks_courtrooms(nodes, "hearing_room_status_start")
    assert_index_driven(nodes)


def test_the_docket_reads_the_courts_courtrooms_for_the_week(
    world: World, hearings: list[Hearing]
) -> None:
    nodes = plan_of(
        lambda: list(selectors.docket(world.court, start=dt.date(2026, 12, 14), days=7))
    )

    walks = walks_of(nodes, "hearing_room_start", "courtroom_id = ", "starts_at >= ")
    assert walks, json.dumps(nodes, indent=1)
    # The court's cases are read only for the hearings found, by primary key.
    for read in reads_of(nodes, "cases_case"):
        assert read.get("Index Name") == "cases_case_pkey", json.dumps(nodes, indent=1)


# --- the same hearings as before -----------------------------------------------------------------


def every_page(user: Any, **filters: Any) -> list[int]:
    """The hearings of `user`, page by page (two a page), forwards."""
    seen: list[int] = []
    after = None
    while True:
        page = selectors.hearing_page_for_user(user, after=after, size=2, **filters)
        seen += [h.pk for h in page.hearings]
        if not page.has_later:
            return seen
        last = page.hearings[-1]
        after = (last.starts_at, last.pk)


def every_page_backwards(user: Any) -> list[int]:
    last = max(Hearing.objects.all(), key=lambda h: (h.starts_at, h.pk))
    before = (last.starts_at + dt.timedelta(seconds=1), 0)
    seen: list[int] = []
    while True:
        page = selectors.hearing_page_for_user(user, before=before, size=2)
        seen = [h.pk for h in page.hearings] + seen
        if not page.has_earlier:
            return seen
        first = page.hearings[0]
        before = (first.starts_at, first.pk)


def visible(user: Any) -> list[int]:
    """What cases.permissions lets `user` see, by the plain rule."""
    return list(
        selectors.hearings_visible_to(user).order_by("starts_at", "id").values_list("pk", flat=True)
    )


@pytest.mark.parametrize("who", ["party", "stranger"])
@pytest.mark.parametrize("role", list(Role))
def test_every_persona_pages_through_exactly_the_hearings_they_may_see(
    world: World, hearings: list[Hearing], who: str, role: Role
) -> None:
    user = world.user(role) if who == "party" else world.strangers[role]

    assert every_page(user) == visible(user)
    assert every_page_backwards(user) == visible(user)


def test_a_clerk_who_is_also_on_a_case_sees_each_hearing_once(
    world: World, hearings: list[Hearing]
) -> None:
    clerk = make_user("clerk_on_a_case", Role.COURT_STAFF, world.orgs["court"])
    case_services.court_member_add(court=world.court, user=clerk)
    case_services.court_member_add(court=world.other_court, user=clerk)

    assert every_page(clerk) == visible(clerk)
    assert len(every_page(clerk)) == len(hearings)


def test_filters_narrow_the_walks_to_the_same_hearings(
    world: World, hearings: list[Hearing]
) -> None:
    clerk = dh.clerk(world)
    services.hearing_cancel(hearing=hearings[1], by=clerk, reason="Vacated.")
    room2 = dh.courtroom(world, "Courtroom 2")

    def both(filters: dict[str, Any], **narrowing: Any) -> tuple[list[int], list[int]]:
        rows = Hearing.objects.filter(**filters)
        expected = [pk for pk in visible(clerk) if rows.filter(pk=pk).exists()]
        # Statuses are given only as `statuses`, as the list gives them.
        given = Hearing.objects.all() if "statuses" in narrowing else rows
        return every_page(clerk, filtered=given, **narrowing), expected

    cases: list[tuple[dict[str, Any], dict[str, Any]]] = [
        ({"case_id": world.case.pk}, {"case_id": world.case.pk}),
        ({"case_id": world.foreign_case.pk}, {"case_id": world.foreign_case.pk}),
        ({"courtroom_id": room2.pk}, {"courtroom_id": room2.pk}),
        ({"courtroom__court_id": world.court.pk}, {"court_id": world.court.pk}),
        ({"courtroom__court_id": world.other_court.pk}, {"court_id": world.other_court.pk}),
        ({"status": HearingStatus.CANCELLED}, {"statuses": [HearingStatus.CANCELLED]}),
        ({"status__in": UPCOMING_HEARING_STATUSES}, {"statuses": UPCOMING_HEARING_STATUSES}),
    ]
    for filters, narrowing in cases:
        found, expected = both(filters, **narrowing)
        assert found == expected, filters


# --- statements ----------------------------------------------------------------------------------


@pytest.mark.parametrize("extra_days", [0, 20])
def test_the_api_list_is_one_statement_however_many_hearings(
    world: World, hearings: list[Hearing], django_assert_num_queries: Any, extra_days: int
) -> None:
    for day in range(extra_days):
        dh.hearing(world, starts_at=dh.at(2027, 1, 1 + day, 9))
    client = api_as(dh.clerk(world))

    with django_assert_num_queries(1):
        response = client.get(url("hearing-list", status="scheduled", page_size=5))

    assert len(response.json()["results"]) == 5


@pytest.mark.parametrize("extra_days", [0, 20])
def test_a_page_is_one_statement(
    world: World, hearings: list[Hearing], django_assert_num_queries: Any, extra_days: int
) -> None:
    for day in range(extra_days):
        dh.hearing(world, starts_at=dh.at(2027, 1, 1 + day, 9))

    clerk = dh.clerk(world)

    with django_assert_num_queries(1):
        page = selectors.hearing_page_for_user(clerk, size=50)

    # Every hearing but the other court's.
    assert len(page.hearings) == len(hearings) - 1 + extra_days
