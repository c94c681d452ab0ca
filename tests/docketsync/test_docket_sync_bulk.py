"""Docket sync's set-based path: new cases and hearings written in bulk keep every rule of
their services (clashes within the batch and with Parley's hearings, history, audit rows,
alerts, change-feed events), and a run is written before a record that names it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from audit.context import AuditContext, acting
from audit.models import AuditEvent
from cases.models import Case
from deadlines import services as date_services
from deadlines.models import Alert, Hearing, HearingChange
from docketsync.services import docket_upsert
from integrations.models import Event
from parties.models import Role
from tests.conftest import World
from tests.deadline_helpers import courtroom, ensure_seeded_rules
from tests.docketsync.test_docket_sync import case_record, counsel_record, hearing_record, pk
from tests.list_plans import plan_as_if_big

NOW = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def clerk(world: World) -> Any:
    ensure_seeded_rules()
    courtroom(world, "Courtroom 4B")
    courtroom(world, "Courtroom 5")
    return world.user(Role.COURT_STAFF)


def at(hour: int, minute: int = 0) -> str:
    return f"2026-12-15T{hour:02d}:{minute:02d}"


def test_a_hearing_overlapping_an_earlier_one_of_the_batch_names_it(
    world: World, clerk: Any
) -> None:
    results = docket_upsert(
        court=world.court,
        by=clerk,
        records=[
            case_record(),
            hearing_record("H-1", starts_at=at(9), ends_at=at(10)),
            hearing_record("H-2", starts_at=at(9, 30), ends_at=at(10, 30)),
            hearing_record("H-3", starts_at=at(9, 30), ends_at=at(10, 30), courtroom="Courtroom 5"),
        ],
    )

    assert [r.result for r in results] == ["created", "created", "error", "created"]
    (message,) = results[2].errors["non_field_errors"]
    assert f"(hearing {results[1].id})" in message
    assert "Courtroom 4B is taken from 2026-12-15 09:00" in message
    assert not Hearing.objects.filter(external_id="H-2").exists()


def test_a_hearing_overlapping_one_parley_has_names_it(world: World, clerk: Any) -> None:
    first = docket_upsert(
        court=world.court,
        by=clerk,
        records=[case_record(), hearing_record("H-1", starts_at=at(9), ends_at=at(10))],
    )

    results = docket_upsert(
        court=world.court,
        by=clerk,
        records=[
            hearing_record("H-2", starts_at=at(8), ends_at=at(9)),
            hearing_record("H-3", starts_at=at(9, 59), ends_at=at(11)),
        ],
    )

    assert [r.result for r in results] == ["created", "error"]
    assert f"(hearing {first[1].id})" in results[1].errors["non_field_errors"][0]


def test_the_same_new_hearing_twice_in_a_batch_is_created_then_unchanged(
    world: World, clerk: Any
) -> None:
    results = docket_upsert(
        court=world.court,
        by=clerk,
        records=[case_record(), hearing_record("H-1"), hearing_record("H-1")],
    )

    assert [r.result for r in results] == ["created", "created", "unchanged"]
    assert results[1].id == results[2].id
    assert Hearing.objects.filter(external_id="H-1").count() == 1


def test_the_same_new_case_twice_in_a_batch_is_created_then_unchanged(
    world: World, clerk: Any
) -> None:
    results = docket_upsert(
        court=world.court, by=clerk, records=[case_record("CR-1"), case_record("CR-1")]
    )

    assert [r.result for r in results] == ["created", "unchanged"]
    assert results[0].id == results[1].id


def test_a_docket_number_taken_earlier_in_the_batch_is_refused(world: World, clerk: Any) -> None:
    results = docket_upsert(
        court=world.court,
        by=clerk,
        records=[case_record("CR-1"), case_record("CR-2", docket_number="1:26-cr-CR-1")],
    )

    assert [r.result for r in results] == ["created", "error"]
    assert results[1].errors == {
        "docket_number": [f"{world.court} already has a case with docket number 1:26-cr-CR-1."]
    }


def test_bulk_writes_leave_an_audit_row_per_row_naming_the_clerk(world: World, clerk: Any) -> None:
    with acting(AuditContext(via="command", request_id="t", actor=lambda: clerk)):
        results = docket_upsert(
            court=world.court,
            by=clerk,
            records=[
                case_record("CR-1"),
                case_record("CR-2"),
                hearing_record("H-1", case="CR-1", starts_at=at(9), ends_at=at(10)),
                hearing_record("H-2", case="CR-2", starts_at=at(10), ends_at=at(11)),
            ],
        )

    for result, table in zip(results, ["cases_case"] * 2 + ["deadlines_hearing"] * 2, strict=True):
        rows = AuditEvent.objects.filter(table_name=table, row_id=str(result.id))
        assert rows.count() == 1, table
        row = rows.get()
        assert (row.actor_id, row.via) == (clerk.pk, "command")
    hearing_ids = [pk(results[2]), pk(results[3])]
    changes = HearingChange.objects.filter(hearing_id__in=hearing_ids)
    assert changes.count() == 2
    assert (
        AuditEvent.objects.filter(
            table_name="deadlines_hearingchange", row_id__in=[str(c.pk) for c in changes]
        ).count()
        == 2
    )


def test_bulk_writes_record_one_feed_event_per_case_and_hearing(world: World, clerk: Any) -> None:
    results = docket_upsert(
        court=world.court,
        by=clerk,
        records=[case_record("CR-1"), case_record("CR-2"), hearing_record("H-1", case="CR-2")],
    )

    new = Event.objects.filter(case_id__in=[results[0].id, results[1].id])
    assert sorted(new.values_list("type", "subject_id")) == sorted(
        [
            ("case.created", results[0].id),
            ("case.created", results[1].id),
            ("hearing.scheduled", results[2].id),
        ]
    )


def test_hearings_written_in_bulk_plan_their_reminders(world: World, clerk: Any) -> None:
    results = docket_upsert(
        court=world.court,
        by=clerk,
        records=[
            case_record(),
            counsel_record(),
            hearing_record("H-1", starts_at=at(9), ends_at=at(10)),
            hearing_record("H-2", starts_at=at(11), ends_at=at(12)),
        ],
    )

    assert [r.result for r in results] == ["created"] * 4, [r.errors for r in results]
    counsel = world.user(Role.DEFENSE_COUNSEL)
    for result in results[2:]:
        assert Alert.objects.filter(hearing_id=pk(result), recipient=counsel).exists()
    assert (
        not Alert.objects.exclude(recipient=counsel)
        .filter(hearing_id__in=[pk(r) for r in results[2:]])
        .exists()
    )


def test_a_hearing_on_a_case_of_the_same_batch_is_written_after_it(
    world: World, clerk: Any
) -> None:
    results = docket_upsert(
        court=world.court,
        by=clerk,
        records=[case_record("CR-1"), hearing_record("H-1", case="CR-1"), case_record("CR-2")],
    )

    assert [r.result for r in results] == ["created"] * 3
    assert Hearing.objects.get(pk=pk(results[1])).case == Case.objects.get(external_id="CR-1")


def test_a_hearing_on_a_closed_case_is_refused_in_bulk(world: World, clerk: Any) -> None:
    docket_upsert(court=world.court, by=clerk, records=[case_record(status="dismissed")])

    results = docket_upsert(court=world.court, by=clerk, records=[hearing_record("H-1")])

    assert results[0].result == "error"
    assert results[0].errors == {
        "non_field_errors": ["No court dates are set on a case that is “Dismissed”."]
    }


def test_the_batch_clash_check_reads_the_constraints_index(world: World, clerk: Any) -> None:
    """One statement for the whole batch, each hearing answered from the exclusion
    constraint's GiST index (as deadlines.services._clash for one), however many hearings
    the courtrooms have had."""
    docket_upsert(court=world.court, by=clerk, records=[case_record()])
    records = [
        hearing_record("H-1", starts_at=at(9), ends_at=at(10)),
        hearing_record("H-2", starts_at=at(10), ends_at=at(11)),
    ]
    with CaptureQueriesContext(connection) as queries:
        docket_upsert(court=world.court, by=clerk, records=records)
    (clash,) = [q["sql"] for q in queries.captured_queries if "DISTINCT ON (p.n)" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table would be scanned
        cursor.execute("EXPLAIN " + clash)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Scan using hearing_no_overlap_in_courtroom" in plan, plan
    assert "Nested Loop" in plan, plan


def test_a_bulk_write_that_trips_a_constraint_is_done_record_by_record(
    world: World, clerk: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Someone else booked the same slot at the same moment: the exclusion constraint stops
    the bulk INSERT, and each record then goes through hearing_schedule, which names the
    hearing in the way."""
    docket_upsert(court=world.court, by=clerk, records=[case_record()])

    def racing(**_kwargs: Any) -> Any:
        raise IntegrityError("hearing_no_overlap_in_courtroom")

    monkeypatch.setattr(date_services, "hearings_schedule_many", racing)
    results = docket_upsert(
        court=world.court,
        by=clerk,
        records=[
            hearing_record("H-1", starts_at=at(9), ends_at=at(10)),
            hearing_record("H-2", starts_at=at(9, 30), ends_at=at(10, 30)),
        ],
    )

    assert [r.result for r in results] == ["created", "error"]
    assert f"(hearing {results[0].id})" in results[1].errors["non_field_errors"][0]


def test_the_batch_looks_up_taken_dockets_and_ids_in_their_unique_indexes(
    world: World, clerk: Any
) -> None:
    """cases_open_many asks once for the docket numbers and external ids the court already has,
    each list read from its unique index, never by walking the court's cases."""
    with CaptureQueriesContext(connection) as queries:
        docket_upsert(court=world.court, by=clerk, records=[case_record("CR-1"), case_record()])
    (lookup,) = [q["sql"] for q in queries.captured_queries if "UNION ALL" in q["sql"]]
    with connection.cursor() as cursor:
        plan_as_if_big(cursor, {"cases_case": 1_000_000})
        cursor.execute("EXPLAIN " + lookup)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    conditions = [line.strip() for line in plan.splitlines() if "Index Cond" in line]
    court = world.court.pk
    for column, index in (
        ("docket_number", "case_docket_number_unique_per_court"),
        ("external_id", "case_external_id_unique_per_court"),
    ):
        assert f"Scan using {index}" in plan or f"Scan on {index}" in plan, plan
        # Both the court and the list are the index's condition (not a filter after it).
        assert any(
            f"court_id = {court}" in line and column in line and "ANY" in line
            for line in conditions
        ), plan
    assert "Seq Scan" not in plan, plan
