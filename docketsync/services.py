"""Docket sync: upsert a court's cases, charges, parties and hearings from its docket system.

Every change goes through the domain services (cases.services, cases.party_services,
deadlines.services), so the same permission checks, validation, history rows, audit trail,
alerts and integration events apply as when a clerk makes the change by hand. This module
only decides, per record, which of those services to call:

- it finds the object by its external id within the court (a case), within its case (a
  charge, a hearing) or within the court's docket (a defendant), and compares the values given
  with Parley's: nothing differs → `unchanged`, nothing is written;
- otherwise it calls the services and reports `created` or `updated` with the fields changed;
- a service's ValidationError, Conflict or PermissionDenied becomes the record's `error`.

The batch is set-based where it can be: what every record refers to is read up front in a few
queries; a record that changes nothing is `unchanged` without a statement of its own; runs of
new cases and of new hearings are written together (cases.services.cases_open_many,
deadlines.services.hearings_schedule_many: the same checks, history, audit rows, alerts and
events as one by one, in a fixed number of statements). Any other record (a change, a charge, a
party) runs alone in its own savepoint through the services, so a bad record leaves nothing
behind and never blocks the others; records take effect in the order sent, so a charge may name
a case created earlier in the same batch. A batch is one transaction: a dry run rolls it back
at the end, after every record has been tried for real, so its results are exactly what
applying would give. A batch larger than a web request should hold (SYNC_LIMIT) becomes a job
that a Celery worker runs (docket_job_start, docket_job_run).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import json
import logging
import time
import uuid
import zoneinfo
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from celery import current_app
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import BigIntegerField, F, Func, JSONField, Q, TextChoices, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy

from audit.context import AuditContext, acting
from cases import party_services, permissions
from cases import services as case_services
from cases.models import Case, CaseStatus, Charge, ChargeStatus, Court, Statute
from cases.services import LEGAL_STATUS_MOVES
from core.exceptions import Conflict
from core.lookups import AnyOfValues
from deadlines import services as date_services
from deadlines.models import UPCOMING_HEARING_STATUSES, Courtroom, Hearing, HearingStatus
from docketsync.models import DocketSyncJob, JobStatus
from docketsync.records import (
    CASE,
    CHARGE,
    HEARING,
    PARTY,
    RECORD_ERRORS,
    FieldError,
    Moment,
    Record,
    read_record,
)
from parties.models import DEFENDANT_DETAILS, CaseParticipant, Defendant, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

MAX_BATCH = 1000

# What the history says when the docket gives no reason of its own.
SYNC_REASON = gettext_lazy("Changed in the court's docket system.")


class Outcome(TextChoices):
    CREATED = "created", pgettext_lazy("sync outcome", "Created")
    UPDATED = "updated", gettext_lazy("Updated")
    UNCHANGED = "unchanged", gettext_lazy("Unchanged")
    ERROR = "error", gettext_lazy("Error")


@dataclass
class RecordResult:
    """What became of one record. `id` is the Parley id of the case, charge, hearing or (for a
    party) participation; None for an error, and in a dry run for what would be created."""

    index: int
    type: str
    external_id: str | None
    result: str
    id: int | None = None
    changed: list[str] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)


class RecordRefused(Exception):
    """The sync's own per-field refusal of a record (a name that finds nothing, a value that a
    sync may not change)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def summary_of(results: Iterable[RecordResult]) -> dict[str, int]:
    counts = dict.fromkeys(Outcome.values, 0)
    for result in results:
        counts[result.result] += 1
    return counts


def docket_upsert(
    *, court: Court, by: User, records: Sequence[Any], dry_run: bool = False
) -> list[RecordResult]:
    """Upsert one batch of at most MAX_BATCH records into `court`; one result per record, in
    the order sent. 403 unless `by` keeps the court's docket; 400 for a batch that is too big."""
    permissions.require_docket_syncer(by, court)
    if len(records) > MAX_BATCH:
        raise ValidationError(
            {
                "records": gettext(
                    "Send at most %(limit)s records in a batch; this one has %(count)s."
                )
                % {"limit": format(MAX_BATCH, ","), "count": format(len(records), ",")}
            }
        )
    with _without_cyclic_gc(), transaction.atomic():
        results = _Batch(court, by, records, dry_run=dry_run).run()
        if dry_run:
            transaction.set_rollback(True)
    if dry_run:
        _forget_new_ids(results)
    return results


@contextlib.contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    """No cyclic garbage collection while a batch runs. A batch makes and drops some hundred
    thousand objects (records, rows, results), which reference counting frees; yet the
    allocations alone set off full collections of the process's whole heap (tens of ms each
    in a Django process), several a batch: more than the batch's own Python work. The
    collector runs again once the batch is done."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _forget_new_ids(results: list[RecordResult]) -> None:
    """A dry run's ids of what it would create were rolled back with it: never show them."""
    for result in results:
        if result.result == Outcome.CREATED:
            result.id = None


def docket_import(
    *,
    court: Court,
    by: User,
    records: Sequence[Any],
    dry_run: bool = False,
    batch_size: int = MAX_BATCH,
    progress: Callable[[int], None] | None = None,
) -> list[RecordResult]:
    """Upsert any number of records in batches (a CSV file: the command and the pages).

    Each batch commits on its own, so a long import keeps what it did if it stops half-way
    (sending it again finishes it: the sync is idempotent). A dry run keeps every batch in one
    transaction rolled back at the end, so later batches see the cases earlier ones would
    create."""
    if not 1 <= batch_size <= MAX_BATCH:
        raise ValidationError(
            {
                "batch_size": gettext("Choose a batch size from 1 to %(limit)s.")
                % {"limit": format(MAX_BATCH, ",")}
            }
        )
    permissions.require_docket_syncer(by, court)
    results: list[RecordResult] = []
    with transaction.atomic() if dry_run else contextlib.nullcontext():
        for start in range(0, len(records), batch_size):
            batch = docket_upsert(court=court, by=by, records=records[start : start + batch_size])
            for result in batch:
                result.index += start
            results.extend(batch)
            if progress is not None:
                progress(len(results))
        if dry_run:
            transaction.set_rollback(True)
    if dry_run:
        _forget_new_ids(results)
    return results


def _errors_of(error: Exception, renames: dict[str, str] | None = None) -> dict[str, list[str]]:
    """A service's refusal as messages per record field."""
    renames = renames or {}
    if isinstance(error, RecordRefused):
        return {name: [message] for name, message in error.errors.items()}
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            by_field: dict[str, list[str]] = {}
            for name, messages in error.message_dict.items():
                key = RECORD_ERRORS if name == "__all__" else renames.get(name, name)
                by_field.setdefault(key, []).extend(messages)
            return by_field
        return {RECORD_ERRORS: list(error.messages)}
    if isinstance(error, Conflict):
        return {RECORD_ERRORS: [error.message]}
    if isinstance(error, PermissionDenied):
        return {RECORD_ERRORS: [str(error) or gettext("You may not do this.")]}
    return {
        RECORD_ERRORS: [
            gettext("Someone else changed this at the same moment; send the record again."),
        ]
    }


def _status_path(current: str, target: str) -> list[str] | None:
    """The shortest walk through the case workflow from `current` to `target` (each step a
    legal move), or None when the workflow has no way there."""
    paths: dict[str, list[str]] = {current: []}
    queue = deque([current])
    while queue:
        here = queue.popleft()
        if here == target:
            return paths[here]
        for step in sorted(LEGAL_STATUS_MOVES[CaseStatus(here)]):
            if step not in paths:
                paths[step] = [*paths[here], step]
                queue.append(step)
    return None


class _Batch:
    """One batch: what its records refer to, read up front in a few queries, and kept up to
    date as records create things (a later record may name a case an earlier one created)."""

    def __init__(self, court: Court, by: User, raw: Sequence[Any], *, dry_run: bool) -> None:
        self.court = Court.objects.select_related("jurisdiction").get(pk=court.pk)
        # role_kind_of reads the profile on every permission check: load it once.
        self.by = get_user_model().objects.select_related("profile").get(pk=by.pk)
        self.zone = zoneinfo.ZoneInfo(self.court.time_zone)
        self.dry_run = dry_run
        self.records = [read_record(item) for item in raw]
        self._moments: dict[Moment, dt.datetime] = {}
        self._load()

    # --- reading what the batch refers to -----------------------------------------------------

    def _load(self) -> None:
        good = [r for r in self.records if not r.errors]
        case_ids = {r.external_id for r in good if r.type == CASE} | {
            r.case_external_id for r in good if r.type != CASE
        }
        dockets = {r.values["docket_number"] for r in good if "docket_number" in r.values}
        cases = list(
            Case.objects.filter(court=self.court).filter(
                Q(external_id__in=case_ids) | Q(external_id__isnull=True, docket_number__in=dockets)
            )
        )
        for case in cases:
            case.court = self.court
        self.cases = {c.external_id: c for c in cases if c.external_id}
        # Cases Parley has without an external id, which a case record may claim by docket number.
        self.unclaimed = {c.docket_number: c for c in cases if not c.external_id}
        loaded = [c.pk for c in cases]
        by_case = {c.pk: c for c in cases}

        charge_ids = {r.external_id for r in good if r.type == CHARGE}
        self.charges: dict[tuple[int, str], Charge] = {}
        if charge_ids and loaded:
            for charge in Charge.objects.filter(case_id__in=loaded, external_id__in=charge_ids):
                charge.case = by_case[charge.case_id]
                self.charges[(charge.case_id, str(charge.external_id))] = charge

        hearing_ids = {r.external_id for r in good if r.type == HEARING}
        self.hearings: dict[tuple[int, str], Hearing | _HearingSeen] = {}
        if hearing_ids and loaded:
            # Compared, never saved (the services lock and read again): the values compared,
            # as tuples (a model instance per hearing costs more than the comparison).
            found = (
                Hearing.objects.filter(
                    AnyOfValues("case_id", loaded, "bigint"),
                    AnyOfValues("external_id", sorted(str(i) for i in hearing_ids), "text"),
                )
                .annotate(starts_us=_EpochMicroseconds("starts_at"))
                .annotate(ends_us=_EpochMicroseconds("ends_at"))
                .values_list(*_HearingSeen._fields)
            )
            for row in found:
                seen = _HearingSeen._make(row)
                self.hearings[(seen.case_id, str(seen.external_id))] = seen

        parties = [r for r in good if r.type == PARTY]
        self.defendants: dict[str, Defendant] = {}
        self.participations: dict[int, list[CaseParticipant]] = {}
        if parties:
            person_ids = {r.external_id for r in parties if r.values["role"] == Role.DEFENDANT}
            self.defendants = {
                str(d.external_id): d
                for d in Defendant.objects.filter(
                    external_court=self.court, external_id__in=person_ids
                )
            }
            party_cases = [
                self.cases[r.case_external_id].pk
                for r in parties
                if r.case_external_id in self.cases
            ]
            for part in CaseParticipant.objects.filter(case_id__in=party_cases).order_by("pk"):
                self.participations.setdefault(part.case_id, []).append(part)

        self.statutes: dict[str, Statute] = {}
        citations = {r.values["statute"] for r in good if "statute" in r.values}
        if citations:
            self.statutes = {
                s.citation: s
                for s in Statute.objects.filter(
                    jurisdiction_id=self.court.jurisdiction_id, citation__in=citations
                )
            }
        self.courtrooms: dict[str, Courtroom] = {}
        if any("courtroom" in r.values for r in good):
            self.courtrooms = {
                room.name.casefold(): room for room in Courtroom.objects.filter(court=self.court)
            }
        self.users: dict[str, User] = {}
        self.by_email: dict[str, list[User]] = {}
        names = {r.values[k] for r in good for k in ("user", "judge") if r.values.get(k)}
        if names:
            people = list(
                get_user_model().objects.filter(
                    Q(username__in=names) | Q(email__in=[n for n in names if "@" in n])
                )
            )
            self.users = {u.get_username(): u for u in people}
            for person in people:
                if person.email:
                    self.by_email.setdefault(person.email.casefold(), []).append(person)

    # --- running -------------------------------------------------------------------------------

    def run(self) -> list[RecordResult]:
        """Every record, in order. What needs no write (`unchanged`) is decided from what was
        read up front; new cases and new hearings gather into a run written with a few bulk
        statements (cases_open_many, hearings_schedule_many); anything else (an update, a
        status walk, a charge, a party) goes record by record through the services. A run is
        written before any record that could depend on it, so the results are those of
        running the records one by one."""
        results: list[RecordResult | None] = [None] * len(self.records)
        run = _Run()
        for index, record in enumerate(self.records):
            if record.errors:
                results[index] = self._refused(index, record, record.errors)
                continue
            if run.items and (record.type != run.type or run.names(record)):
                self._write(run, results)
            kind, plan = self._plan(record)
            if kind == Outcome.UNCHANGED:
                results[index] = self._result(index, record, Outcome.UNCHANGED, plan)
            elif kind == Outcome.CREATED:
                run.add(index, record, plan)
            else:
                self._write(run, results)
                results[index] = self._one(index, record)
        self._write(run, results)
        return cast("list[RecordResult]", results)

    @staticmethod
    def _result(index: int, record: Record, outcome: str, obj_id: int | None) -> RecordResult:
        return RecordResult(
            index=index,
            type=record.type,
            external_id=record.external_id,
            result=outcome,
            id=obj_id,
        )

    @staticmethod
    def _refused(index: int, record: Record, errors: dict[str, list[str]]) -> RecordResult:
        return RecordResult(
            index=index,
            type=record.type,
            external_id=record.external_id,
            result=Outcome.ERROR,
            errors=errors,
        )

    # --- the set-based path --------------------------------------------------------------------

    def _plan(self, record: Record) -> tuple[str | None, Any]:
        """(UNCHANGED, the object's id), (CREATED, what to create in bulk), or (None, None):
        the record goes through the services one by one (a change, or anything refused, so
        that its error is the service's own)."""
        try:
            if record.type == CASE:
                return self._case_plan(record)
            if record.type == HEARING:
                return self._hearing_plan(record)
            if record.type == CHARGE:
                return self._charge_plan(record)
        except RecordRefused:
            pass
        return None, None

    def _case_plan(self, record: Record) -> tuple[str | None, Any]:
        v = record.values
        case = self.cases.get(str(record.external_id))
        if case is None:
            if v.get("docket_number") in self.unclaimed or not {"docket_number", "caption"} <= set(
                v
            ):
                return None, None
            if v.get("status", CaseStatus.INTAKE) != CaseStatus.INTAKE:
                return None, None  # a walk through the workflow
            return Outcome.CREATED, case_services.CaseOpening(
                docket_number=v["docket_number"],
                caption=v["caption"],
                opened_on=v.get("opened_on"),
                sealed=v.get("sealed", False),
                external_id=record.external_id,
            )
        self._creation_only(
            {
                "docket_number": (case.docket_number, v.get("docket_number")),
                "opened_on": (case.opened_on, v.get("opened_on")),
            },
            "case",
        )
        if any(name in v and v[name] != ours for name, ours in self._case_values(case)):
            return None, None
        return Outcome.UNCHANGED, case.pk

    @staticmethod
    def _case_values(case: Case) -> tuple[tuple[str, Any], ...]:
        return (("caption", case.caption), ("sealed", case.sealed), ("status", case.status))

    def _hearing_plan(self, record: Record) -> tuple[str | None, Any]:
        v = record.values
        case, hearing, starts_at, ends_at, room, judge = self._hearing_given(record)
        status = v.get("status")
        if hearing is None:
            if status in (HearingStatus.CANCELLED, HearingStatus.HELD):
                return None, None
            if starts_at is None or ends_at is None or room is None or "kind" not in v:
                return None, None
            return Outcome.CREATED, date_services.HearingPlan(
                case=case,
                kind=v["kind"],
                starts_at=starts_at,
                ends_at=ends_at,
                courtroom=room,
                judge=judge,
                notes=v.get("notes", ""),
                external_id=record.external_id,
            )
        self._creation_only({"kind": (hearing.kind, v.get("kind"))}, "hearing")
        if self._hearing_changes(hearing, starts_at, ends_at, room, judge, record):
            return None, None
        if status is not None and self._status_differs(hearing, status):
            return None, None
        return Outcome.UNCHANGED, hearing.pk

    def _charge_plan(self, record: Record) -> tuple[str | None, Any]:
        """A charge Parley has, that the record leaves as it is (a new one, or a change, goes
        through the services)."""
        v = record.values
        case = self._case_of(record)
        charge = self.charges.get((case.pk, str(record.external_id)))
        if charge is None or ("statute" in v and v["statute"] not in self.statutes):
            return None, None
        statute = self.statutes.get(v["statute"]) if "statute" in v else None
        self._creation_only(
            {
                "statute": (charge.statute_id, statute.pk if statute is not None else None),
                "count": (charge.count_number, v.get("count")),
            },
            "charge",
        )
        if any(name in v and v[name] != ours for name, ours in self._charge_values(charge)):
            return None, None
        return Outcome.UNCHANGED, charge.pk

    @staticmethod
    def _charge_values(charge: Charge) -> tuple[tuple[str, Any], ...]:
        return (
            ("description", charge.description),
            ("disposition", charge.disposition),
            ("disposition_date", charge.disposition_date),
        )

    def _write(self, run: _Run, results: list[RecordResult | None]) -> None:
        """Write a run of new cases or new hearings in bulk, and empty it. Should the bulk
        write trip a constraint (someone else wrote the same thing at the same moment), its
        records go one by one instead, each getting the error its service gives."""
        if not run.items:
            return
        items, run.items = run.items, []
        try:
            with transaction.atomic():
                if items[0].record.type == CASE:
                    answers: Sequence[Any] = case_services.cases_open_many(
                        court=self.court, by=self.by, openings=[item.plan for item in items]
                    )
                else:
                    answers = date_services.hearings_schedule_many(
                        by=self.by, plans=[item.plan for item in items]
                    )
        except IntegrityError:
            for item in items:
                results[item.index] = self._one(item.index, item.record)
            return
        for item, answer in zip(items, answers, strict=True):
            record = item.record
            if isinstance(answer, Exception):
                results[item.index] = self._refused(
                    item.index, record, _errors_of(answer, _RENAMES[record.type])
                )
            elif isinstance(answer, Case):
                answer.court = self.court
                self.cases[str(record.external_id)] = answer
                results[item.index] = self._result(item.index, record, Outcome.CREATED, answer.pk)
            else:
                self.hearings[(answer.case_id, str(record.external_id))] = answer
                results[item.index] = self._result(item.index, record, Outcome.CREATED, answer.pk)

    def _one(self, index: int, record: Record) -> RecordResult:
        result = RecordResult(
            index=index, type=record.type, external_id=record.external_id, result=Outcome.ERROR
        )
        if record.errors:
            result.errors = record.errors
            return result
        apply = {CASE: self._case, CHARGE: self._charge, PARTY: self._party, HEARING: self._hearing}
        try:
            with transaction.atomic():
                outcome, obj_id, changed, commit = apply[record.type](record)
        except (ValidationError, Conflict, PermissionDenied, RecordRefused, IntegrityError) as e:
            result.errors = _errors_of(e, _RENAMES[record.type])
            return result
        # What the record wrote is kept for the records after it only once it stood.
        commit()
        result.result, result.id, result.changed = outcome, obj_id, changed
        return result

    # --- references ----------------------------------------------------------------------------

    def _case_of(self, record: Record) -> Case:
        case = self.cases.get(str(record.case_external_id))
        if case is None:
            raise RecordRefused(
                {
                    "case_external_id": gettext(
                        "%(court_name)s has no case with external id “%(case_external_id)s” "
                        "(send the case before its charges, parties and hearings)."
                    )
                    % {"court_name": self.court.name, "case_external_id": record.case_external_id}
                }
            )
        return case

    def _person(self, name: str, field_name: str) -> User:
        found = self.users.get(name)
        if found is not None:
            return found
        matches = self.by_email.get(name.casefold(), []) if "@" in name else []
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise RecordRefused(
                {
                    field_name: gettext("More than one user has the e-mail “%(name)s”.")
                    % {"name": name}
                }
            )
        raise RecordRefused(
            {
                field_name: gettext("No user with the username or e-mail “%(name)s”.")
                % {"name": name}
            }
        )

    def _courtroom(self, name: str) -> Courtroom:
        room = self.courtrooms.get(name.casefold())
        if room is None:
            raise RecordRefused(
                {
                    "courtroom": gettext(
                        "%(court_name)s has no courtroom “%(name)s”; its staff add courtrooms on "
                        "the closure days page."
                    )
                    % {"court_name": self.court.name, "name": name}
                }
            )
        return room

    @staticmethod
    def _creation_only(names: dict[str, tuple[Any, Any]], what: str) -> None:
        """Values a sync sets when it creates `what` and never changes afterwards."""
        errors = {
            name: gettext("The %(what)s has %(shown)s in Parley; a sync does not change it.")
            % {"what": what, "shown": _shown(ours)}
            for name, (ours, theirs) in names.items()
            if theirs is not None and ours != theirs
        }
        if errors:
            raise RecordRefused(errors)

    # --- cases ---------------------------------------------------------------------------------

    def _case(self, record: Record) -> tuple[str, int | None, list[str], Callable[[], None]]:
        v = record.values
        case = self.cases.get(str(record.external_id))
        claimed = False
        if case is None and v.get("docket_number") in self.unclaimed:
            case, claimed = self.unclaimed[v["docket_number"]], True
        if case is None:
            missing = {
                name: gettext("Required to create a case.")
                for name in ("docket_number", "caption")
                if name not in v
            }
            if missing:
                raise RecordRefused(missing)
            case = case_services.case_open(
                court=self.court,
                docket_number=v["docket_number"],
                caption=v["caption"],
                by=self.by,
                opened_on=v.get("opened_on"),
                sealed=v.get("sealed", False),
                external_id=record.external_id,
            )
            case.court = self.court
            case = self._walk_status(case, record)
            outcome, changed = Outcome.CREATED, []
        else:
            self._creation_only(
                {
                    "docket_number": (case.docket_number, v.get("docket_number")),
                    "opened_on": (case.opened_on, v.get("opened_on")),
                },
                "case",
            )
            changed = [
                name
                for name, ours in (("caption", case.caption), ("sealed", case.sealed))
                if name in v and v[name] != ours
            ]
            if claimed:
                changed.insert(0, "external_id")
            if changed:
                case = case_services.case_update(
                    case=case,
                    by=self.by,
                    caption=v.get("caption"),
                    sealed=v.get("sealed"),
                    external_id=record.external_id if claimed else None,
                )
                case.court = self.court
            if "status" in v and v["status"] != case.status:
                case = self._walk_status(case, record)
                changed.append("status")
            outcome = Outcome.UPDATED if changed else Outcome.UNCHANGED
        final = case

        def commit() -> None:
            self.unclaimed.pop(final.docket_number, None)
            self.cases[str(record.external_id)] = final

        return outcome, case.pk, changed, commit

    def _walk_status(self, case: Case, record: Record) -> Case:
        target = record.values.get("status")
        if target is None or target == case.status:
            return case
        path = _status_path(case.status, target)
        if path is None:
            raise RecordRefused(
                {
                    "status": gettext(
                        "A case in status “%(case_status)s” cannot reach “%(case_status2)s” in "
                        "Parley's workflow."
                    )
                    % {
                        "case_status": CaseStatus(case.status).label,
                        "case_status2": CaseStatus(target).label,
                    }
                }
            )
        reason = record.values.get("status_reason") or str(SYNC_REASON)
        for step in path:
            case = case_services.case_transition(
                case=case, to_status=step, by=self.by, reason=reason
            )
            case.court = self.court
        return case

    # --- charges -------------------------------------------------------------------------------

    def _charge(self, record: Record) -> tuple[str, int | None, list[str], Callable[[], None]]:
        v = record.values
        case = self._case_of(record)
        key = (case.pk, str(record.external_id))
        charge = self.charges.get(key)
        statute = None
        if "statute" in v:
            statute = self.statutes.get(v["statute"])
            if statute is None:
                raise RecordRefused(
                    {
                        "statute": gettext(
                            "“%(statute)s” is not in the statute catalogue of "
                            "%(jurisdiction_name)s."
                        )
                        % {
                            "statute": v["statute"],
                            "jurisdiction_name": self.court.jurisdiction.name_shown,
                        }
                    }
                )
        if charge is None:
            if statute is None:
                raise RecordRefused({"statute": gettext("Required to create a charge.")})
            charge = case_services.charge_add(
                case=case,
                statute=statute,
                by=self.by,
                description=v.get("description", ""),
                count_number=v.get("count"),
            )
            _external_id_set(Charge, charge, record.external_id)
            charge.case = case
            if "disposition" in v or "disposition_date" in v:
                charge = case_services.charge_update(
                    charge=charge,
                    by=self.by,
                    disposition=v.get("disposition"),
                    disposition_date=v.get("disposition_date"),
                )
            outcome, changed = Outcome.CREATED, []
        else:
            self._creation_only(
                {
                    "statute": (
                        charge.statute_id,
                        statute.pk if statute is not None else None,
                    ),
                    "count": (charge.count_number, v.get("count")),
                },
                "charge",
            )
            changed = [
                name
                for name, ours in (
                    ("description", charge.description),
                    ("disposition", charge.disposition),
                    ("disposition_date", charge.disposition_date),
                )
                if name in v and v[name] != ours
            ]
            if changed and charge.status == ChargeStatus.DISPOSED:
                raise RecordRefused(
                    {
                        changed[0]: gettext(
                            "This charge has been disposed of in Parley and can no longer change."
                        )
                    }
                )
            if changed:
                charge = case_services.charge_update(
                    charge=charge,
                    by=self.by,
                    description=v["description"] if "description" in changed else None,
                    disposition=v.get("disposition"),
                    disposition_date=v.get("disposition_date"),
                )
            outcome = Outcome.UPDATED if changed else Outcome.UNCHANGED
        charge.case = case
        final = charge
        return outcome, charge.pk, changed, lambda: self.charges.__setitem__(key, final)

    # --- parties -------------------------------------------------------------------------------

    def _party(self, record: Record) -> tuple[str, int | None, list[str], Callable[[], None]]:
        case = self._case_of(record)
        if record.values["role"] == Role.DEFENDANT:
            return self._defendant(record, case)
        return self._participant(record, case)

    def _current(
        self, case: Case, match: Callable[[CaseParticipant], bool]
    ) -> CaseParticipant | None:
        """The person's participation on `case` in the role: the active one, else the last."""
        rows = [p for p in self.participations.get(case.pk, []) if match(p)]
        active = [p for p in rows if p.end_date is None]
        return active[-1] if active else (rows[-1] if rows else None)

    def _participation(
        self, record: Record, case: Case, part: CaseParticipant | None, **who: Any
    ) -> tuple[CaseParticipant | None, list[str]]:
        """Add, end or leave the participation `part` as the record says; (the participation
        to report, the changed fields)."""
        v = record.values
        if part is not None:
            ours_end = part.end_date
            if part.end_date is None or "end_date" in v:
                self._creation_only(
                    {
                        "is_lead": (part.is_lead, v.get("is_lead")),
                        "start_date": (part.start_date, v.get("start_date")),
                        **(
                            {"end_date": (ours_end, v.get("end_date"))}
                            if ours_end is not None
                            else {}
                        ),
                    },
                    "participation",
                )
            if part.end_date is None and "end_date" in v:
                ended = party_services.participant_end(
                    participant=part, by=self.by, end_date=v["end_date"]
                )
                return ended, ["end_date"]
            if part.end_date is not None and "end_date" not in v:
                part = None  # ended in Parley, on the docket again: a new participation
            else:
                return part, []
        added = party_services.participant_add(
            case=case,
            by=self.by,
            role=v["role"],
            is_lead=v.get("is_lead", False),
            start_date=v.get("start_date"),
            conflict_override_reason=v.get("conflict_override_reason", ""),
            **who,
        )
        if "end_date" in v:
            added = party_services.participant_end(
                participant=added, by=self.by, end_date=v["end_date"]
            )
        return added, ["participation"]

    def _remember(self, case: Case, part: CaseParticipant | None) -> None:
        if part is None:
            return
        rows = [p for p in self.participations.get(case.pk, []) if p.pk != part.pk]
        self.participations[case.pk] = [*rows, part]

    def _participant(
        self, record: Record, case: Case
    ) -> tuple[str, int | None, list[str], Callable[[], None]]:
        v = record.values
        extra = sorted(set(v) & set(DEFENDANT_DETAILS))
        if extra:
            raise RecordRefused(
                {name: gettext("Only a defendant party has personal details.") for name in extra}
            )
        if "user" not in v:
            raise RecordRefused({"user": gettext("Name the person by username or e-mail.")})
        person = self._person(v["user"], "user")
        part = self._current(case, lambda p: p.user_id == person.pk and p.role == v["role"])
        existed = part is not None
        part, changed = self._participation(record, case, part, user=person)
        if not existed:
            outcome, changed = Outcome.CREATED, []
        else:
            outcome = Outcome.UPDATED if changed else Outcome.UNCHANGED
        return outcome, part.pk if part else None, changed, lambda: self._remember(case, part)

    def _defendant(
        self, record: Record, case: Case
    ) -> tuple[str, int | None, list[str], Callable[[], None]]:
        v = record.values
        if "user" in v:
            raise RecordRefused(
                {"user": gettext("A defendant is named by their details, not a user.")}
            )
        details = {name: v[name] for name in DEFENDANT_DETAILS if name in v}
        defendant = self.defendants.get(str(record.external_id))
        changed: list[str] = []
        if defendant is None:
            missing = {
                name: gettext("Required to enter a defendant.")
                for name in ("first_name", "last_name")
                if name not in v
            }
            if missing:
                raise RecordRefused(missing)
            defendant = party_services.defendant_create(by=self.by, **details)
            defendant.external_court = self.court
            _external_id_set(Defendant, defendant, record.external_id, external_court=self.court)
        else:
            changed = [name for name, value in details.items() if getattr(defendant, name) != value]
            if changed:
                defendant = party_services.defendant_update(
                    defendant=Defendant.objects.get(pk=defendant.pk),
                    by=self.by,
                    **{name: details[name] for name in changed},
                )
        person = defendant
        part = self._current(case, lambda p: p.defendant_id == person.pk)
        existed = part is not None
        part, part_changed = self._participation(record, case, part, defendant=defendant)
        # The record is the party on this case: new when the participation is.
        if not existed:
            outcome, changed = Outcome.CREATED, []
        else:
            changed += part_changed
            outcome = Outcome.UPDATED if changed else Outcome.UNCHANGED

        def commit() -> None:
            self.defendants[str(record.external_id)] = person
            self._remember(case, part)

        return outcome, part.pk if part else None, changed, commit

    # --- hearings ------------------------------------------------------------------------------

    def _hearing_given(
        self, record: Record
    ) -> tuple[
        Case,
        Hearing | _HearingSeen | None,
        dt.datetime | None,
        dt.datetime | None,
        Courtroom | None,
        User | None,
    ]:
        """What a hearing record names: its case, the hearing if Parley has it (as read, or as
        written earlier in the batch), its times, courtroom and judge (RecordRefused for a name
        that finds nothing)."""
        v = record.values
        case = self._case_of(record)
        hearing = self.hearings.get((case.pk, str(record.external_id)))
        moments: dict[str, dt.datetime] = {}
        gaps: dict[str, str] = {}
        for name in ("starts_at", "ends_at"):
            if name in v:
                try:
                    moments[name] = self._in_zone(v[name])
                except FieldError as error:
                    gaps[name] = str(error)
        if gaps:
            raise RecordRefused(gaps)
        starts_at, ends_at = moments.get("starts_at"), moments.get("ends_at")
        room = self._courtroom(v["courtroom"]) if "courtroom" in v else None
        judge = self._person(v["judge"], "judge") if v.get("judge") else None
        return case, hearing, starts_at, ends_at, room, judge

    def _in_zone(self, moment: Moment) -> dt.datetime:
        """The moment in the court's zone; a batch's hearings share a few slots, each worked
        out once (FieldError, not kept, for a time the clocks skip)."""
        found = self._moments.get(moment)
        if found is None:
            found = self._moments[moment] = moment.in_zone(self.zone)
        return found

    def _hearing(self, record: Record) -> tuple[str, int | None, list[str], Callable[[], None]]:
        v = record.values
        case, found, starts_at, ends_at, room, judge = self._hearing_given(record)
        hearing = found.as_hearing() if isinstance(found, _HearingSeen) else found
        key = (case.pk, str(record.external_id))
        status = v.get("status")
        if hearing is None:
            missing = {
                name: gettext("Required to schedule a hearing.")
                for name in ("kind", "starts_at", "ends_at", "courtroom")
                if name not in v
            }
            if missing:
                raise RecordRefused(missing)
            assert starts_at is not None and ends_at is not None and room is not None
            hearing = date_services.hearing_schedule(
                case=case,
                by=self.by,
                kind=v["kind"],
                starts_at=starts_at,
                ends_at=ends_at,
                courtroom=room,
                judge=judge,
                notes=v.get("notes", ""),
                external_id=record.external_id,
            )
            hearing = self._hearing_status(hearing, status, record)
            outcome, changed = Outcome.CREATED, []
        else:
            self._creation_only({"kind": (hearing.kind, v.get("kind"))}, "hearing")
            changed = self._hearing_changes(hearing, starts_at, ends_at, room, judge, record)
            if status == HearingStatus.CANCELLED:
                changed = ["status"] if hearing.status != HearingStatus.CANCELLED else []
            if changed and hearing.status not in UPCOMING_HEARING_STATUSES:
                raise RecordRefused(
                    {
                        "status": gettext(
                            "The hearing is %(hearing_status)s in Parley; it no longer changes (a "
                            "new hearing needs a new external id)."
                        )
                        % {"hearing_status": HearingStatus(hearing.status).label.lower()}
                    }
                )
            if changed and status != HearingStatus.CANCELLED:
                hearing = self._hearing_apply(
                    hearing, changed, starts_at, ends_at, room, judge, record
                )
            if status is not None and self._status_differs(hearing, status):
                hearing = self._hearing_status(hearing, status, record)
                if "status" not in changed:
                    changed.append("status")
            outcome = Outcome.UPDATED if changed else Outcome.UNCHANGED
        hearing.case = case
        final = hearing
        return outcome, hearing.pk, changed, lambda: self.hearings.__setitem__(key, final)

    @staticmethod
    def _status_differs(hearing: Hearing | _HearingSeen, status: str) -> bool:
        upcoming = (HearingStatus.SCHEDULED, HearingStatus.CONTINUED)
        if status in upcoming:
            if hearing.status in upcoming:
                return False
            raise RecordRefused(
                {
                    "status": gettext(
                        "The hearing is %(hearing_status)s in Parley; it is not set again (a new "
                        "hearing needs a new external id)."
                    )
                    % {"hearing_status": HearingStatus(hearing.status).label.lower()}
                }
            )
        return status != hearing.status

    @staticmethod
    def _hearing_changes(
        hearing: Hearing | _HearingSeen,
        starts_at: dt.datetime | None,
        ends_at: dt.datetime | None,
        room: Courtroom | None,
        judge: User | None,
        record: Record,
    ) -> list[str]:
        v = record.values
        changed = [
            name
            for name, ours, theirs in (
                ("starts_at", hearing.starts_at, starts_at),
                ("ends_at", hearing.ends_at, ends_at),
                ("courtroom", hearing.courtroom_id, room.pk if room else None),
            )
            if theirs is not None and ours != theirs
        ]
        if "judge" in v and hearing.judge_id != (judge.pk if judge else None):
            changed.append("judge")
        if "notes" in v and v["notes"].strip() != hearing.notes:
            changed.append("notes")
        return changed

    def _hearing_apply(
        self,
        hearing: Hearing,
        changed: list[str],
        starts_at: dt.datetime | None,
        ends_at: dt.datetime | None,
        room: Courtroom | None,
        judge: User | None,
        record: Record,
    ) -> Hearing:
        v = record.values
        if {"starts_at", "ends_at", "courtroom"} & set(changed):
            hearing = date_services.hearing_reschedule(
                hearing=hearing,
                by=self.by,
                starts_at=starts_at or hearing.starts_at,
                ends_at=ends_at or hearing.ends_at,
                courtroom=room,
                reason=v.get("reason") or str(SYNC_REASON),
            )
        if {"judge", "notes"} & set(changed):
            extra: dict[str, Any] = {}
            if "judge" in changed:
                extra["judge"] = judge
            if "notes" in changed:
                extra["notes"] = v["notes"]
            hearing = date_services.hearing_update(hearing=hearing, by=self.by, **extra)
        return hearing

    def _hearing_status(self, hearing: Hearing, status: str | None, record: Record) -> Hearing:
        if status == HearingStatus.CANCELLED:
            return date_services.hearing_cancel(
                hearing=hearing, by=self.by, reason=record.values.get("reason") or str(SYNC_REASON)
            )
        if status == HearingStatus.HELD:
            return date_services.hearing_mark_held(hearing=hearing, by=self.by)
        return hearing


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class _EpochMicroseconds(Func):
    """A moment as whole microseconds since 1970 (UTC): read as an integer by the driver's C
    code, where a timestamp goes through Django's time-zone loader in Python (a tenth of the
    batch's time for a thousand hearings)."""

    template = "(EXTRACT(EPOCH FROM %(expressions)s) * 1000000)::bigint"
    output_field = BigIntegerField()


class _HearingSeen(NamedTuple):
    """A hearing Parley has, as the batch read it to compare (docket_upsert's _load)."""

    id: int
    case_id: int
    external_id: str
    kind: str
    starts_us: int
    ends_us: int
    courtroom_id: int
    judge_id: int | None
    notes: str
    status: str

    @property
    def pk(self) -> int:
        return self.id

    @property
    def starts_at(self) -> dt.datetime:
        return _EPOCH + dt.timedelta(microseconds=self.starts_us)

    @property
    def ends_at(self) -> dt.datetime:
        return _EPOCH + dt.timedelta(microseconds=self.ends_us)

    def as_hearing(self) -> Hearing:
        """The hearing for a service, which locks and reads it again (never saved as is)."""
        values = self._asdict()
        del values["starts_us"], values["ends_us"]
        return Hearing(**values, starts_at=self.starts_at, ends_at=self.ends_at)


@dataclass
class _Item:
    index: int
    record: Record
    plan: Any


@dataclass
class _Run:
    """Consecutive new cases, or new hearings, waiting to be written in bulk."""

    items: list[_Item] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)

    @property
    def type(self) -> str:
        return self.items[0].record.type

    def add(self, index: int, record: Record, plan: Any) -> None:
        if not self.items:
            self.keys = set()
        self.items.append(_Item(index, record, plan))
        self.keys |= self._keys(record)

    def names(self, record: Record) -> bool:
        """Whether `record` names something of the run (its case, or the same thing again):
        the run is written before it, so that it finds it."""
        return bool(self._keys(record) & self.keys) or (
            record.type != CASE and f"case:{record.case_external_id}" in self.keys
        )

    @staticmethod
    def _keys(record: Record) -> set[str]:
        if record.type == CASE:
            keys = {f"case:{record.external_id}"}
            if "docket_number" in record.values:
                keys.add(f"docket:{record.values['docket_number']}")
            return keys
        return {f"{record.type}:{record.case_external_id}:{record.external_id}"}


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return f"“{value}”"
    return str(value)


def _external_id_set(
    model: type[Charge] | type[Defendant],
    obj: Charge | Defendant,
    external_id: str | None,
    **extra: Any,
) -> None:
    """Give a charge or defendant just made by its service the docket's id.

    charge_add and defendant_create take no external id (yet): the sync sets
    it in the same savepoint, so the object never exists without it once the record stands,
    and the unique constraint still guards it. The audit trigger records the update."""
    model.objects.filter(pk=obj.pk).update(external_id=external_id, **extra)
    obj.external_id = external_id


# The services' field names as the record's.
_RENAMES: dict[str, dict[str, str]] = {
    CASE: {},
    CHARGE: {"count_number": "count"},
    PARTY: {"defendant": "external_id"},
    HEARING: {},
}


# --- background jobs ---------------------------------------------------------------------------

# A batch of more records than this is not applied within the request: it becomes a job, run by
# a Celery worker (202 and the job to poll). At the set-based path's slowest (records that each
# change something, ~10 ms a record) 500 records take about 5 s, well within the web timeout.
SYNC_LIMIT = 500
# The most records one job takes (its results are kept in its row).
MAX_JOB = 20_000
RUN_JOB_TASK = "docketsync.run_job"
# A running job whose worker has not reported for this long was left by a worker that died.
JOB_LEASE = dt.timedelta(minutes=15)
# One task run stops after the batch that ends past this, and queues the next run: no run comes
# near the task's time limit, however large the job.
JOB_RUN_SECONDS = 240


def docket_job_start(
    *,
    court: Court,
    by: User,
    records: Sequence[Any],
    dry_run: bool = False,
    applicable: bool = False,
) -> DocketSyncJob:
    """Keep a batch to run in the background; its worker is queued once the job is committed.
    An `applicable` dry run keeps its records once done, for docket_job_apply. 403 unless `by`
    keeps the court's docket; 400 for more than MAX_JOB records."""
    permissions.require_docket_syncer(by, court)
    if len(records) > MAX_JOB:
        raise ValidationError(
            {
                "records": gettext(
                    "Send at most %(most)s records in a job; this one has %(count)s."
                )
                % {"most": f"{MAX_JOB:,}", "count": f"{len(records):,}"}
            }
        )
    with transaction.atomic():
        job = DocketSyncJob.objects.create(
            court=court,
            created_by=by,
            dry_run=dry_run,
            applicable=dry_run and applicable,
            # ASCII JSON: lone surrogates and NULs travel as escapes, and come back as sent.
            records=json.dumps(list(records)),
            total=len(records),
        )
        _job_queue_on_commit(job.pk)
    return job


def docket_job_apply(*, job: DocketSyncJob, by: User) -> DocketSyncJob:
    """Apply the records a finished dry run tried: a new job with the same records, queued once
    committed. Once only: the dry run gives its records up to it (409 when they are gone, or the
    dry run is not done). 403 unless `by` keeps the court's docket."""
    permissions.require_docket_syncer(by, job.court)
    with transaction.atomic():
        tried = DocketSyncJob.objects.select_for_update().get(pk=job.pk)
        if not (tried.applicable and tried.status == JobStatus.SUCCEEDED and tried.records):
            raise Conflict(
                gettext(
                    "This preview has already been applied, or it is not finished. Upload the "
                    "file again to see what it would change now."
                ),
                code="preview_not_applicable",
            )
        records, tried.records = tried.records, ""
        tried.save(update_fields=["records"])
        applied = DocketSyncJob.objects.create(
            court_id=tried.court_id,
            created_by=by,
            dry_run=False,
            records=records,
            total=tried.total,
        )
        _job_queue_on_commit(applied.pk)
    return applied


def _job_queue_on_commit(job_id: int) -> None:
    transaction.on_commit(lambda: current_app.send_task(RUN_JOB_TASK, args=[job_id]))


def docket_job_run(*, job_id: int) -> None:
    """Run a job (the Celery task): claim it, apply its records batch by batch, each batch
    committed with the job's progress and results, and finish it. Safe to repeat: a job that
    is running under a live claim, or finished, is left alone; one whose worker died carries on
    from its first batch not done. A dry run is one transaction, rolled back, as in
    docket_import: its progress shows only once it is done."""
    now = timezone.now()
    claim = uuid.uuid4()
    claimed = (
        DocketSyncJob.objects.filter(pk=job_id)
        .filter(
            Q(status=JobStatus.QUEUED)
            | Q(status=JobStatus.RUNNING, heartbeat_at__lt=now - JOB_LEASE)
        )
        .update(
            status=JobStatus.RUNNING,
            claim=claim,
            heartbeat_at=now,
            started_at=Coalesce(F("started_at"), now),
        )
    )
    if not claimed:
        return
    job = DocketSyncJob.objects.select_related("court", "created_by").get(pk=job_id)
    by = job.created_by
    context = AuditContext(via="task", request_id=f"{RUN_JOB_TASK}:{job.pk}", actor=lambda: by)
    try:
        with acting(context):
            finished = _job_work(job, claim)
    except (PermissionDenied, _ClaimLost) as error:
        if isinstance(error, PermissionDenied):
            _job_fail(job, claim, str(error))
        return
    except Exception:
        logger.exception("Docket sync job %s stopped", job.pk)
        _job_fail(job, claim, gettext("The import stopped on an unexpected error."))
        return
    if not finished:
        # Let the next run carry on: release the claim and queue it.
        with transaction.atomic():
            released = DocketSyncJob.objects.filter(pk=job.pk, claim=claim).update(
                status=JobStatus.QUEUED
            )
            if released:
                _job_queue_on_commit(job.pk)


class _ClaimLost(Exception):
    """Another worker took the job over (this one was silent past the lease)."""


def _job_work(job: DocketSyncJob, claim: uuid.UUID) -> bool:
    """Apply what is left of `job`; whether it is finished (False: the run's time is up)."""
    records = json.loads(job.records)
    if job.dry_run:
        results = docket_import(court=job.court, by=job.created_by, records=records, dry_run=True)
        _job_finish(
            job, claim, [asdict(r) for r in results], summary_of(results), keep=job.applicable
        )
        return True
    began = time.monotonic()
    done = job.done
    while done < len(records):
        if time.monotonic() - began > JOB_RUN_SECONDS:
            return False
        with transaction.atomic():
            batch = docket_upsert(
                court=job.court, by=job.created_by, records=records[done : done + MAX_BATCH]
            )
            for result in batch:
                result.index += done
            counts = summary_of(batch)
            moved = DocketSyncJob.objects.filter(pk=job.pk, claim=claim).update(
                done=F("done") + len(batch),
                created=F("created") + counts[Outcome.CREATED],
                updated=F("updated") + counts[Outcome.UPDATED],
                unchanged=F("unchanged") + counts[Outcome.UNCHANGED],
                errors=F("errors") + counts[Outcome.ERROR],
                results=_JsonAppend("results", [asdict(r) for r in batch]),
                heartbeat_at=timezone.now(),
            )
            if not moved:
                raise _ClaimLost  # rolls the batch back: the other worker applies it
        done += len(batch)
    finished = DocketSyncJob.objects.filter(pk=job.pk, claim=claim).update(
        status=JobStatus.SUCCEEDED,
        records="",
        finished_at=timezone.now(),
        results=Coalesce(F("results"), Value([], output_field=JSONField())),
    )
    if not finished:
        raise _ClaimLost
    return True


def _job_finish(
    job: DocketSyncJob,
    claim: uuid.UUID,
    results: list[dict[str, Any]],
    counts: dict[str, int],
    *,
    keep: bool = False,
) -> None:
    """An applicable dry run keeps its records (`keep`) for docket_job_apply."""
    DocketSyncJob.objects.filter(pk=job.pk, claim=claim).update(
        status=JobStatus.SUCCEEDED,
        done=len(results),
        created=counts[Outcome.CREATED],
        updated=counts[Outcome.UPDATED],
        unchanged=counts[Outcome.UNCHANGED],
        errors=counts[Outcome.ERROR],
        results=results,
        **({} if keep else {"records": ""}),
        finished_at=timezone.now(),
    )


def _job_fail(job: DocketSyncJob, claim: uuid.UUID, message: str) -> None:
    """The job stops where it is: the batches done so far stand (their results are kept)."""
    DocketSyncJob.objects.filter(pk=job.pk, claim=claim).update(
        status=JobStatus.FAILED, failure=message, records="", finished_at=timezone.now()
    )


class _JsonAppend(Func):
    """`column || value`: the batch's results added to those kept, in one UPDATE."""

    template = "COALESCE(%(expressions)s, '[]'::jsonb) || %%s::jsonb"
    output_field = JSONField()

    def __init__(self, column: str, value: list[dict[str, Any]]) -> None:
        super().__init__(F(column))
        self.value = value

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:  # type: ignore[override]
        sql, params = super().as_sql(compiler, connection, **extra)
        return sql, (*params, json.dumps(self.value))
