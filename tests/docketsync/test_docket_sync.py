"""Docket sync, the service: per-record results for every type, idempotency, dry runs, order
within a batch, a bad record among good ones, the batch limit, who may sync, and queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from cases.models import Case, CaseStatus, CaseStatusChange, Charge, ChargeStatus
from deadlines.models import Hearing, HearingChange, HearingStatus
from docketsync.services import MAX_BATCH, docket_import, docket_upsert
from integrations.models import Event
from parties.models import CaseParticipant, CustodyStatus, Defendant, Role
from tests.conftest import ROLES, World
from tests.deadline_helpers import courtroom, ensure_seeded_rules

NOW = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)
# Queries of a whole batch (pinned: a change here is a change in the services' cost, see
# bench/docket_import.py); none of them grows with the number of records.
UNCHANGED_BATCH = 8
CREATED_HEARINGS_BATCH = 18
CREATED_CASES_BATCH = 14


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


def case_record(external_id: str = "CR-1", **values: Any) -> dict[str, Any]:
    return {
        "type": "case",
        "external_id": external_id,
        "docket_number": f"1:26-cr-{external_id}",
        "caption": f"United States v. {external_id}",
        "opened_on": "2026-11-02",
        **values,
    }


def charge_record(external_id: str = "C-1", case: str = "CR-1", **values: Any) -> dict[str, Any]:
    return {
        "type": "charge",
        "external_id": external_id,
        "case_external_id": case,
        "statute": "21 U.S.C. 841(a)(1)",
        "description": "Distribution",
        **values,
    }


def defendant_record(external_id: str = "P-1", case: str = "CR-1", **values: Any) -> dict[str, Any]:
    return {
        "type": "party",
        "external_id": external_id,
        "case_external_id": case,
        "role": "defendant",
        "first_name": "Maria",
        "last_name": "Alvarez",
        "date_of_birth": "1991-07-14",
        **values,
    }


def counsel_record(case: str = "CR-1", **values: Any) -> dict[str, Any]:
    return {
        "type": "party",
        "case_external_id": case,
        "role": "defense_counsel",
        "user": "defense",
        **values,
    }


def hearing_record(external_id: str = "H-1", case: str = "CR-1", **values: Any) -> dict[str, Any]:
    return {
        "type": "hearing",
        "external_id": external_id,
        "case_external_id": case,
        "kind": "arraignment",
        "starts_at": "2026-12-15T09:30:00-05:00",
        "ends_at": "2026-12-15T10:00:00-05:00",
        "courtroom": "Courtroom 4B",
        **values,
    }


def full_batch() -> list[dict[str, Any]]:
    return [
        case_record(),
        charge_record(),
        defendant_record(),
        counsel_record(),
        hearing_record(judge="judge"),
    ]


def pk(result: Any) -> int:
    assert result.id is not None, result.errors
    return int(result.id)


def outcomes(results: list[Any]) -> list[str]:
    return [r.result for r in results]


def counts() -> dict[str, int]:
    return {
        "cases": Case.objects.count(),
        "charges": Charge.objects.count(),
        "defendants": Defendant.objects.count(),
        "participants": CaseParticipant.objects.count(),
        "hearings": Hearing.objects.count(),
        "audit": AuditEvent.objects.count(),
        "events": Event.objects.count(),
    }


# --- created, unchanged, updated ---------------------------------------------------------------


def test_a_batch_creates_each_type_with_its_external_id(world: World, clerk: Any) -> None:
    results = docket_upsert(court=world.court, by=clerk, records=full_batch())

    assert outcomes(results) == ["created"] * 5, [r.errors for r in results]
    case = Case.objects.get(court=world.court, external_id="CR-1")
    assert results[0].id == case.pk
    assert (case.docket_number, case.opened_on) == ("1:26-cr-CR-1", dt.date(2026, 11, 2))
    charge = Charge.objects.get(pk=pk(results[1]))
    assert (charge.case_id, charge.external_id, charge.count_number) == (case.pk, "C-1", 1)
    defendant = Defendant.objects.get(external_court=world.court, external_id="P-1")
    assert defendant.date_of_birth == dt.date(1991, 7, 14)
    assert CaseParticipant.objects.get(pk=pk(results[2])).defendant_id == defendant.pk
    counsel = CaseParticipant.objects.get(pk=pk(results[3]))
    assert (counsel.user, counsel.role, counsel.case_id) == (
        world.user(Role.DEFENSE_COUNSEL),
        Role.DEFENSE_COUNSEL,
        case.pk,
    )
    hearing = Hearing.objects.get(pk=pk(results[4]))
    assert (hearing.external_id, hearing.judge, hearing.courtroom.name) == (
        "H-1",
        world.user(Role.JUDGE),
        "Courtroom 4B",
    )
    assert hearing.starts_at == dt.datetime(2026, 12, 15, 14, 30, tzinfo=dt.UTC)


def test_the_same_batch_twice_is_unchanged_the_second_time(world: World, clerk: Any) -> None:
    docket_upsert(court=world.court, by=clerk, records=full_batch())
    before = counts()

    again = docket_upsert(court=world.court, by=clerk, records=full_batch())

    assert outcomes(again) == ["unchanged"] * 5, [r.errors for r in again]
    assert all(r.id is not None and r.changed == [] for r in again)
    assert counts() == before


def test_the_domain_services_write_history_and_events(world: World, clerk: Any) -> None:
    docket_upsert(court=world.court, by=clerk, records=full_batch())

    case = Case.objects.get(external_id="CR-1")
    assert set(Event.objects.filter(case=case).values_list("type", flat=True)) >= {
        "case.created",
        "hearing.scheduled",
    }
    assert HearingChange.objects.filter(hearing__case=case).count() == 1
    assert AuditEvent.objects.filter(case_id=case.pk, table_name="deadlines_hearing").exists()


def test_changed_values_update_and_name_the_fields(world: World, clerk: Any) -> None:
    docket_upsert(court=world.court, by=clerk, records=full_batch())

    results = docket_upsert(
        court=world.court,
        by=clerk,
        records=[
            case_record(caption="United States v. Alvarez", sealed=True),
            charge_record(description="Distribution of fentanyl"),
            defendant_record(custody_status="detained"),
            counsel_record(),
            hearing_record(
                starts_at="2026-12-16T09:30:00-05:00",
                ends_at="2026-12-16T10:00:00-05:00",
                judge="judge",
                reason="Defense asked for a day.",
            ),
        ],
    )

    assert [(r.result, r.changed) for r in results] == [
        ("updated", ["caption", "sealed"]),
        ("updated", ["description"]),
        ("updated", ["custody_status"]),
        ("unchanged", []),
        ("updated", ["starts_at", "ends_at"]),
    ]
    assert Case.objects.get(external_id="CR-1").sealed is True
    assert Charge.objects.get(external_id="C-1").status == ChargeStatus.AMENDED
    assert Defendant.objects.get(external_id="P-1").custody_status == CustodyStatus.DETAINED
    hearing = Hearing.objects.get(external_id="H-1")
    assert hearing.status == HearingStatus.CONTINUED
    assert hearing.changes.last().reason == "Defense asked for a day."  # type: ignore[union-attr]


def test_a_disposition_disposes_the_charge(world: World, clerk: Any) -> None:
    docket_upsert(court=world.court, by=clerk, records=full_batch())

    [result] = docket_upsert(
        court=world.court,
        by=clerk,
        records=[charge_record(disposition="dismissed", disposition_date="2026-11-20")],
    )

    assert (result.result, result.changed) == ("updated", ["disposition", "disposition_date"])
    charge = Charge.objects.get(external_id="C-1")
    assert (charge.status, charge.disposition) == (ChargeStatus.DISPOSED, "dismissed")
    assert Event.objects.filter(type="charge.disposed", subject_id=charge.pk).exists()
    [again] = docket_upsert(
        court=world.court,
        by=clerk,
        records=[charge_record(disposition="guilty_plea")],
    )
    assert again.result == "error"
    assert "disposed of" in again.errors["disposition"][0]


def test_a_cancelled_hearing_is_cancelled_once(world: World, clerk: Any) -> None:
    docket_upsert(court=world.court, by=clerk, records=full_batch())

    first = docket_upsert(court=world.court, by=clerk, records=[hearing_record(status="cancelled")])
    second = docket_upsert(
        court=world.court, by=clerk, records=[hearing_record(status="cancelled")]
    )

    assert [(r.result, r.changed) for r in first + second] == [
        ("updated", ["status"]),
        ("unchanged", []),
    ]
    assert Hearing.objects.get(external_id="H-1").status == HearingStatus.CANCELLED
    assert Event.objects.filter(type="hearing.cancelled").count() == 1
    [revived] = docket_upsert(court=world.court, by=clerk, records=[hearing_record(notes="x")])
    assert revived.result == "error"
    assert "cancelled" in revived.errors["status"][0]


def test_a_judge_change_and_notes_use_hearing_update(world: World, clerk: Any) -> None:
    docket_upsert(court=world.court, by=clerk, records=full_batch())

    [result] = docket_upsert(
        court=world.court, by=clerk, records=[hearing_record(judge=None, notes="Bring interpreter")]
    )

    assert (result.result, result.changed) == ("updated", ["judge", "notes"])
    hearing = Hearing.objects.get(external_id="H-1")
    assert (hearing.judge, hearing.notes, hearing.status) == (
        None,
        "Bring interpreter",
        HearingStatus.SCHEDULED,
    )


def test_a_case_status_walks_the_workflow_one_recorded_move_at_a_time(
    world: World, clerk: Any
) -> None:
    [result] = docket_upsert(
        court=world.court, by=clerk, records=[case_record(status="plea_entered")]
    )

    assert result.result == "created", result.errors
    case = Case.objects.get(pk=pk(result))
    assert case.status == CaseStatus.PLEA_ENTERED
    assert list(
        CaseStatusChange.objects.filter(case=case).values_list("from_status", "to_status")
    ) == [("intake", "negotiating"), ("negotiating", "agreement"), ("agreement", "plea_entered")]
    [back] = docket_upsert(court=world.court, by=clerk, records=[case_record(status="intake")])
    assert back.result == "error"
    assert back.errors["status"] == [
        "A case in status “Plea entered” cannot reach “Intake” in Parley's workflow."
    ]


def test_a_case_parley_has_without_an_external_id_is_claimed_by_docket_number(
    world: World, clerk: Any
) -> None:
    [result] = docket_upsert(
        court=world.court,
        by=clerk,
        records=[
            {
                "type": "case",
                "external_id": "CR-DOE",
                "docket_number": world.case.docket_number,
                "caption": world.case.caption,
            }
        ],
    )

    assert (result.result, result.id, result.changed) == ("updated", world.case.pk, ["external_id"])
    world.case.refresh_from_db()
    assert world.case.external_id == "CR-DOE"


def test_a_user_party_ends_and_is_not_ended_twice(world: World, clerk: Any) -> None:
    docket_upsert(court=world.court, by=clerk, records=full_batch())

    ended = docket_upsert(
        court=world.court, by=clerk, records=[counsel_record(end_date="2026-11-24")]
    )
    again = docket_upsert(
        court=world.court, by=clerk, records=[counsel_record(end_date="2026-11-24")]
    )

    assert [(r.result, r.changed) for r in ended + again] == [
        ("updated", ["end_date"]),
        ("unchanged", []),
    ]
    part = CaseParticipant.objects.get(pk=pk(ended[0]))
    assert part.end_date == dt.date(2026, 11, 24)


def test_the_same_defendant_on_a_second_case_is_a_new_party(world: World, clerk: Any) -> None:
    docket_upsert(court=world.court, by=clerk, records=full_batch())

    results = docket_upsert(
        court=world.court,
        by=clerk,
        records=[case_record("CR-2"), defendant_record(case="CR-2")],
    )

    assert outcomes(results) == ["created", "created"]
    assert Defendant.objects.filter(external_id="P-1").count() == 1
    assert CaseParticipant.objects.filter(defendant__external_id="P-1").count() == 2


def test_defendant_ids_are_per_court(world: World, clerk: Any) -> None:
    """Another court's docket may use the same id for another person: never the same row."""
    docket_upsert(court=world.court, by=clerk, records=full_batch())
    other_clerk = world.strangers[Role.COURT_STAFF]

    results = docket_upsert(
        court=world.other_court,
        by=other_clerk,
        records=[case_record(), defendant_record(first_name="Other", last_name="Person")],
    )

    assert outcomes(results) == ["created", "created"], [r.errors for r in results]
    assert Defendant.objects.filter(external_id="P-1").count() == 2
    assert Defendant.objects.get(external_court=world.court).first_name == "Maria"


# --- errors ------------------------------------------------------------------------------------


def test_a_bad_record_never_blocks_the_good_ones(world: World, clerk: Any) -> None:
    batch = [
        case_record(),
        charge_record("C-bad", statute="18 U.S.C. 9999"),
        charge_record("C-2", count=2),
        hearing_record(courtroom="Courtroom 99"),
        defendant_record(date_of_birth="14/07/1991"),
        counsel_record(user="nobody@example.org"),
        hearing_record("H-2", starts_at="2026-12-15T11:00:00-05:00", ends_at="2026-12-15T11:30"),
    ]

    results = docket_upsert(court=world.court, by=clerk, records=batch)

    assert outcomes(results) == [
        "created",
        "error",
        "created",
        "error",
        "error",
        "error",
        "created",
    ]
    assert (
        results[1].errors
        == {
            "statute": [
                "“18 U.S.C. 9999” is not in the statute catalogue of United States (federal)."
            ]
        }
        or "statute" in results[1].errors
    )
    assert "Courtroom 99" in results[3].errors["courtroom"][0]
    assert results[4].errors == {"date_of_birth": ["Enter a date as YYYY-MM-DD."]}
    assert results[5].errors == {
        "user": ["No user with the username or e-mail “nobody@example.org”."]
    }
    assert all(r.id is None for r in results if r.result == "error")
    assert not Charge.objects.filter(external_id="C-bad").exists()
    # A time without an offset is on the court's wall clock (New York, UTC-5 in December).
    assert Hearing.objects.get(external_id="H-2").ends_at == dt.datetime(
        2026, 12, 15, 16, 30, tzinfo=dt.UTC
    )


def test_a_record_that_fails_half_way_leaves_nothing(world: World, clerk: Any) -> None:
    """The case is opened, then its status cannot be reached: the case is not kept."""
    [result] = docket_upsert(
        court=world.court,
        by=clerk,
        records=[case_record(status="closed")],
    )

    assert result.result == "created"  # intake → trial → closed is a legal walk
    [refused] = docket_upsert(
        court=world.court, by=clerk, records=[case_record("CR-9", status="bogus")]
    )
    assert refused.result == "error"
    assert not Case.objects.filter(external_id="CR-9").exists()


def test_service_refusals_become_field_errors(world: World, clerk: Any) -> None:
    results = docket_upsert(
        court=world.court,
        by=clerk,
        records=[
            case_record(),
            case_record("CR-F", opened_on="2027-01-01"),
            case_record("CR-X", docket_number="1:26-cr-CR-1", caption=" "),
            hearing_record(ends_at="2026-12-15T09:00:00-05:00"),
            hearing_record("H-9", judge="defense"),
            counsel_record(role="prosecutor"),
        ],
    )

    assert results[2].errors == {
        "docket_number": ["District Court already has a case with docket number 1:26-cr-CR-1."],
        "caption": ["Enter a caption."],
    }
    assert results[1].errors == {"opened_on": ["A case cannot be opened in the future."]}
    assert results[3].errors == {"ends_at": ["The hearing must end after it starts."]}
    assert "is not a judge of District Court" in results[4].errors["judge"][0]
    assert "defense is defense counsel, not prosecutor" in results[5].errors["role"][0]


def test_malformed_records_get_errors_per_field(world: World, clerk: Any) -> None:
    results = docket_upsert(
        court=world.court,
        by=clerk,
        records=[
            "not an object",
            {"type": "appeal", "external_id": "A-1"},
            {"type": "case", "docket_number": "x", "caption": "y", "colour": "red"},
            {"type": "charge", "external_id": "C-1", "case_external_id": "CR-1", "count": "two"},
            {"type": "party", "case_external_id": "CR-1", "user": "defense"},
            {"type": "hearing", "external_id": "H", "case_external_id": "CR-1", "kind": "duel"},
            {"type": "case", "external_id": "CR-\ud800", "docket_number": "1", "caption": "x"},
        ],
    )

    assert outcomes(results) == ["error"] * 7
    assert results[0].errors == {
        "non_field_errors": ["A record is an object with a type and its fields."]
    }
    assert results[1].errors == {"type": ["Choose one of: case, charge, party, hearing."]}
    assert results[2].errors == {
        "colour": ["A case record has no field “colour”."],
        "external_id": ["Required."],
    }
    assert results[3].errors == {"count": ["Enter a whole number."]}
    assert results[4].errors == {"role": ["Required."]}
    assert list(results[5].errors) == ["kind"]
    assert results[6].external_id == "CR-?"
    assert results[6].errors == {
        "non_field_errors": ["The record holds text that is not valid Unicode."]
    }


def test_creation_only_fields_are_not_changed_by_a_sync(world: World, clerk: Any) -> None:
    docket_upsert(court=world.court, by=clerk, records=full_batch())

    results = docket_upsert(
        court=world.court,
        by=clerk,
        records=[
            case_record(docket_number="1:26-cr-77777", caption="Renamed"),
            charge_record(statute="21 U.S.C. 844"),
            hearing_record(kind="trial"),
        ],
    )

    assert outcomes(results) == ["error"] * 3
    assert results[0].errors == {
        "docket_number": ["The case has “1:26-cr-CR-1” in Parley; a sync does not change it."]
    }
    assert list(results[1].errors) == ["statute"]
    assert list(results[2].errors) == ["kind"]
    assert Case.objects.get(external_id="CR-1").caption == "United States v. CR-1"


# --- order within a batch ----------------------------------------------------------------------


def test_records_run_in_the_order_sent(world: World, clerk: Any) -> None:
    results = docket_upsert(
        court=world.court,
        by=clerk,
        records=[charge_record(), case_record(), charge_record("C-2"), charge_record("C-3")],
    )

    assert outcomes(results) == ["error", "created", "created", "created"]
    assert (
        results[0]
        .errors["case_external_id"][0]
        .startswith("District Court has no case with external id “CR-1”")
    )
    assert [r.index for r in results] == [0, 1, 2, 3]
    assert list(
        Charge.objects.filter(case__external_id="CR-1").values_list("external_id", "count_number")
    ) == [("C-2", 1), ("C-3", 2)]


def test_a_record_repeated_in_a_batch_updates_what_the_first_made(world: World, clerk: Any) -> None:
    results = docket_upsert(
        court=world.court,
        by=clerk,
        records=[case_record(), case_record(caption="Second thoughts"), case_record()],
    )

    assert [(r.result, r.changed) for r in results] == [
        ("created", []),
        ("updated", ["caption"]),
        ("updated", ["caption"]),
    ]


# --- dry run -----------------------------------------------------------------------------------


def test_a_dry_run_writes_nothing_and_reports_what_would_happen(world: World, clerk: Any) -> None:
    before = counts()

    dry = docket_upsert(court=world.court, by=clerk, records=full_batch(), dry_run=True)

    assert counts() == before
    assert outcomes(dry) == ["created"] * 5
    assert all(r.id is None for r in dry)
    real = docket_upsert(court=world.court, by=clerk, records=full_batch())
    assert outcomes(real) == outcomes(dry)


def test_a_dry_run_of_changes_names_them_and_keeps_the_old_values(world: World, clerk: Any) -> None:
    docket_upsert(court=world.court, by=clerk, records=full_batch())
    before = counts()

    [result] = docket_upsert(
        court=world.court, by=clerk, records=[case_record(caption="New")], dry_run=True
    )

    assert (result.result, result.changed) == ("updated", ["caption"])
    assert result.id == Case.objects.get(external_id="CR-1").pk
    assert counts() == before
    assert Case.objects.get(external_id="CR-1").caption == "United States v. CR-1"


def test_a_dry_import_in_batches_sees_the_cases_of_earlier_batches(
    world: World, clerk: Any
) -> None:
    before = counts()

    results = docket_import(
        court=world.court, by=clerk, records=full_batch(), dry_run=True, batch_size=2
    )

    assert outcomes(results) == ["created"] * 5
    assert [r.index for r in results] == [0, 1, 2, 3, 4]
    assert counts() == before


# --- limits and permission ---------------------------------------------------------------------


def test_more_than_a_thousand_records_are_refused_as_a_whole(world: World, clerk: Any) -> None:
    records = [case_record(f"CR-{n}") for n in range(MAX_BATCH + 1)]

    with pytest.raises(ValidationError) as refused:
        docket_upsert(court=world.court, by=clerk, records=records)

    assert refused.value.message_dict == {
        "records": ["Send at most 1,000 records in a batch; this one has 1,001."]
    }
    assert not Case.objects.filter(external_id="CR-0").exists()


@pytest.mark.parametrize("role", [r for r in ROLES if r != Role.COURT_STAFF])
def test_only_court_staff_sync(world: World, clerk: Any, role: Role) -> None:
    with pytest.raises(PermissionDenied):
        docket_upsert(court=world.court, by=world.user(role), records=[case_record()])
    assert not Case.objects.filter(external_id="CR-1").exists()


def test_court_staff_of_another_court_may_not_sync(world: World, clerk: Any) -> None:
    with pytest.raises(PermissionDenied):
        docket_upsert(
            court=world.court, by=world.strangers[Role.COURT_STAFF], records=[case_record()]
        )


# --- queries -----------------------------------------------------------------------------------


def _hearings(n: int) -> list[dict[str, Any]]:
    return [
        hearing_record(
            f"H-{i}",
            starts_at=f"2026-12-{1 + i // 8:02d}T{9 + i % 8:02d}:00",
            ends_at=f"2026-12-{1 + i // 8:02d}T{9 + i % 8:02d}:30",
        )
        for i in range(n)
    ]


def test_unchanged_records_cost_no_query_of_their_own(world: World, clerk: Any) -> None:
    """What a record refers to is read once per batch, and an unchanged record writes nothing:
    no savepoint, no statement, whatever the batch's size."""
    docket_upsert(court=world.court, by=clerk, records=[case_record(), *_hearings(20)])

    def queries(n: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            results = docket_upsert(
                court=world.court, by=clerk, records=[case_record(), *_hearings(n)]
            )
        assert set(outcomes(results)) == {"unchanged"}
        return len(captured)

    assert queries(1) == queries(20) == UNCHANGED_BATCH


def test_unchanged_charges_cost_no_query_of_their_own(world: World, clerk: Any) -> None:
    charges = [charge_record(f"C-{i}", count=i + 1) for i in range(5)]
    docket_upsert(court=world.court, by=clerk, records=[case_record(), *charges])

    def queries(n: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            results = docket_upsert(
                court=world.court, by=clerk, records=[case_record(), *charges[:n]]
            )
        assert set(outcomes(results)) == {"unchanged"}, [r.errors for r in results]
        return len(captured)

    assert queries(1) == queries(5)


def test_created_hearings_cost_a_fixed_number_of_queries(world: World, clerk: Any) -> None:
    """New hearings are scheduled together (hearings_schedule_many: cases locked, permission,
    clash check, hearings, history, alerts, events, each one statement for the batch): the
    same queries for 1 hearing and for 11, on one case or on several."""
    docket_upsert(court=world.court, by=clerk, records=[case_record(), case_record("CR-2")])

    def queries(first: int, n: int, cases: int = 1) -> int:
        hearings = _hearings(first + n)[first:]
        for i, record in enumerate(hearings):
            record["case_external_id"] = "CR-1" if i % cases == 0 else "CR-2"
        records = [case_record(), *hearings]
        with CaptureQueriesContext(connection) as captured:
            results = docket_upsert(court=world.court, by=clerk, records=records)
        assert outcomes(results) == ["unchanged"] + ["created"] * n, [r.errors for r in results]
        return len(captured)

    assert queries(0, 1) == queries(1, 11) == queries(12, 11, cases=2) == CREATED_HEARINGS_BATCH


def test_created_cases_cost_a_fixed_number_of_queries(world: World, clerk: Any) -> None:
    def queries(first: int, n: int) -> int:
        records = [case_record(f"CR-{i}") for i in range(first, first + n)]
        with CaptureQueriesContext(connection) as captured:
            results = docket_upsert(court=world.court, by=clerk, records=records)
        assert outcomes(results) == ["created"] * n, [r.errors for r in results]
        return len(captured)

    assert queries(0, 1) == queries(1, 20) == CREATED_CASES_BATCH
