"""Booking a courtroom asks PostgreSQL in the exclusion constraint's own terms, so the answer
comes from its GiST index however many hearings the room has had (docket sync books thousands).
"""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from deadlines import services
from tests import deadline_helpers as dh
from tests.conftest import World


def test_a_clash_is_found_and_only_a_real_one(world: World) -> None:
    room = dh.courtroom(world)
    first = dh.hearing(world, room=room)
    start = first.starts_at
    half = dt.timedelta(minutes=30)
    assert services._clash(room, start + half, start + 3 * half, None) == first
    assert services._clash(room, first.ends_at, first.ends_at + half, None) is None
    assert services._clash(room, start, start + half, exclude=first.pk) is None
    other_room = dh.courtroom(world, name="Courtroom 2")
    assert services._clash(other_room, start, start + half, None) is None


def test_the_clash_query_reads_the_constraints_index(world: World) -> None:
    room = dh.courtroom(world)
    start = dh.at(2026, 12, 15, 9)
    with CaptureQueriesContext(connection) as queries:
        services._clash(room, start, start + dt.timedelta(hours=1), None)
    (query,) = queries.captured_queries
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table would be scanned
        cursor.execute("EXPLAIN " + query["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Scan using hearing_no_overlap_in_courtroom" in plan, plan
