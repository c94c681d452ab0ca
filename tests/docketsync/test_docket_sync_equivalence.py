"""The set-based path writes what the services write record by record: the same per-record
results and the same rows (cases, grants, hearings, their history, reminders, change-feed
events and the audit trail), whatever the size of the batch.

The same records are imported twice in savepoints: as a batch (new cases and hearings in bulk),
and with the bulk writers failing (as when another writer trips a constraint) so that every
record goes through case_open and hearing_schedule one by one. Ids differ between the runs
(the sequences move on), so rows are compared with each id replaced by the external id of what
it names, and without clock times."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import asdict
from typing import Any

import pytest
import time_machine
from django.db import IntegrityError, transaction

from audit.context import AuditContext, acting
from audit.models import AuditEvent
from cases import services as case_services
from cases.models import Case, CaseGroupObjectPermission
from deadlines import services as date_services
from deadlines.models import Alert, Hearing, HearingChange
from docketsync.services import docket_upsert
from integrations.models import Event
from parties.models import Role
from tests.conftest import World
from tests.deadline_helpers import courtroom, ensure_seeded_rules
from tests.docketsync.test_docket_sync import case_record, counsel_record, hearing_record

NOW = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)
CLOCK_KEYS = {"created_at", "updated_at", "changed_at", "occurred_at", "opened_on"}


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


def records() -> list[dict[str, Any]]:
    """New cases, a counsel on one (so reminders are planned), new hearings on them in two
    rooms, one hearing clashing with an earlier one of the batch, one case refused."""
    batch: list[dict[str, Any]] = [case_record(f"CR-{n}") for n in range(1, 5)]
    batch.append(case_record("CR-dup", docket_number="1:26-cr-CR-1"))
    batch.append(counsel_record("CR-1"))
    for n in range(8):
        room = "Courtroom 4B" if n % 2 else "Courtroom 5"
        day = 15 + n // 2
        batch.append(
            hearing_record(
                f"H-{n}",
                case=f"CR-{1 + n % 4}",
                starts_at=f"2026-12-{day}T09:30:00-05:00",
                ends_at=f"2026-12-{day}T10:00:00-05:00",
                courtroom=room,
            )
        )
    batch.append(hearing_record("H-clash", case="CR-2", starts_at="2026-12-15T09:45:00-05:00"))
    return batch


class _Names:
    """Each new row's id as the external id of what it is (or of its case)."""

    def __init__(self) -> None:
        self.case = {c.pk: c.external_id for c in Case.objects.filter(external_id__isnull=False)}
        self.hearing = dict(Hearing.objects.values_list("pk", "external_id"))
        self.change = {
            pk: self.hearing.get(hearing_id)
            for pk, hearing_id in HearingChange.objects.values_list("pk", "hearing_id")
        }

    def of(self, table: str, key: str, value: Any) -> Any:
        if key in CLOCK_KEYS:
            return "<clock>"
        if value is None:
            return None
        if key in ("case_id", "content_object_id") or (table == "cases_case" and key == "id"):
            return self.case.get(int(value), value)
        if key == "hearing_id" or (table == "deadlines_hearing" and key == "id"):
            return self.hearing.get(int(value), value)
        if table == "deadlines_hearingchange" and key == "id":
            return self.change.get(int(value), value)
        if key in ("id", "subject_id", "row_id"):
            return "<new id>"
        return value


def _written(since: dict[str, int]) -> dict[str, list[str]]:
    names = _Names()

    def rows(model: Any, table: str) -> list[str]:
        found = model.objects.filter(pk__gt=since[table]).values()
        return sorted(
            json.dumps({k: names.of(table, k, v) for k, v in row.items()}, default=str)
            for row in found
        )

    audit = []
    for event in AuditEvent.objects.filter(pk__gt=since["audit"]):
        after = {k: names.of(event.table_name, k, v) for k, v in (event.after or {}).items()}
        audit.append(
            json.dumps(
                [
                    event.kind,
                    event.table_name,
                    names.of(event.table_name, "id", event.row_id),
                    names.of(event.table_name, "case_id", event.case_id),
                    event.audience,
                    event.actor_id,
                    event.via,
                    event.request_id,
                    event.before,
                    after,
                ],
                default=str,
                sort_keys=True,
            )
        )
    return {
        "cases": rows(Case, "cases_case"),
        "grants": rows(CaseGroupObjectPermission, "cases_casegroupobjectpermission"),
        "hearings": rows(Hearing, "deadlines_hearing"),
        "changes": rows(HearingChange, "deadlines_hearingchange"),
        "alerts": rows(Alert, "deadlines_alert"),
        "events": rows(Event, "integrations_event"),
        "audit": sorted(audit),
    }


def _import(world: World, clerk: Any, batch: list[dict[str, Any]]) -> tuple[Any, Any]:
    since = {
        "cases_case": _last(Case),
        "cases_casegroupobjectpermission": _last(CaseGroupObjectPermission),
        "deadlines_hearing": _last(Hearing),
        "deadlines_hearingchange": _last(HearingChange),
        "deadlines_alert": _last(Alert),
        "integrations_event": _last(Event),
        "audit": _last(AuditEvent),
    }
    context = AuditContext(via="command", request_id="equivalence", actor=lambda: clerk)
    with transaction.atomic(), acting(context):
        results = docket_upsert(court=world.court, by=clerk, records=batch)
        names = _Names()
        of_type = {"case": names.case, "hearing": names.hearing}
        shown = [
            {
                **asdict(r),
                "id": of_type.get(r.type, {}).get(r.id or 0, r.id and "<new id>"),
                # A clash names the hearing in the way by its id.
                "errors": json.loads(
                    re.sub(
                        r"\(hearing (\d+)\)",
                        lambda m: f"(hearing {names.hearing.get(int(m[1]), m[1])})",
                        json.dumps(r.errors),
                    )
                ),
            }
            for r in results
        ]
        written = _written(since)
        transaction.set_rollback(True)
    return shown, written


def _last(model: Any) -> int:
    return model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _one_by_one(**_kwargs: Any) -> Any:
    raise IntegrityError("as if another writer tripped a constraint: record by record")


def test_a_batch_writes_what_the_services_write_record_by_record(
    world: World, clerk: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = records()
    bulk_results, bulk_rows = _import(world, clerk, batch)
    monkeypatch.setattr(case_services, "cases_open_many", _one_by_one)
    monkeypatch.setattr(date_services, "hearings_schedule_many", _one_by_one)

    single_results, single_rows = _import(world, clerk, batch)

    assert [r["result"] for r in bulk_results].count("created") == 4 + 1 + 8
    assert {r["result"] for r in bulk_results} == {"created", "error"}
    assert bulk_results == single_results
    for kind, rows in single_rows.items():
        assert rows, kind  # every kind of row is written, so the comparison means something
        assert bulk_rows[kind] == rows, kind
