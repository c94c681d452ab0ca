"""Hearings: scheduled in a free courtroom, continued, changed, held or cancelled; the
deadlines counted from a hearing follow it."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange, NumericRange
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from cases import permissions
from cases.models import Case, CaseStatus, Court
from core import bulk, domain_events
from core.exceptions import Conflict
from core.text import user_name
from core.versions import require_version
from deadlines import alerts, computation
from deadlines.models import (
    UPCOMING_HEARING_STATUSES,
    Courtroom,
    Deadline,
    DeadlineChangeKind,
    DeadlineStatus,
    Hearing,
    HearingChange,
    HearingKind,
    HearingStatus,
    SingletonIntRange,
    TsTzRange,
)
from deadlines.selectors import court_zone, local_date
from deadlines.services.common import (
    ENDED_CASE_STATUSES,
    UNSET,
    _change,
    _close,
    _compute,
    _in_custody,
    _lock_case,
    _move_computed,
    _refuse_out_of_range,
    _require_case_open,
    _Unset,
)
from parties.models import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _lock_hearing(hearing_id: int) -> Hearing:
    return Hearing.objects.select_for_update(no_key=True, of=("self",)).get(pk=hearing_id)


def _when(moment: dt.datetime, court: Court) -> str:
    local = timezone.localtime(moment, court_zone(court))
    return f"{local:%Y-%m-%d %H:%M} ({court.time_zone})"


def _require_upcoming(hearing: Hearing, action: str) -> None:
    if hearing.status not in UPCOMING_HEARING_STATUSES:
        raise Conflict(
            _("This hearing is %(hearing_status)s; it cannot be %(action)s.")
            % {"hearing_status": HearingStatus(hearing.status).label.lower(), "action": action},
            code=f"hearing_{hearing.status}",
        )


def _hearing_errors(
    case: Case,
    *,
    starts_at: Any,
    ends_at: Any,
    courtroom: Courtroom | None,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if not isinstance(value, dt.datetime):
            errors[name] = _("Enter a date and time.")
        elif timezone.is_naive(value):
            errors[name] = _("Give the time with its time zone.")
    if "starts_at" not in errors and "ends_at" not in errors and ends_at <= starts_at:
        errors["ends_at"] = _("The hearing must end after it starts.")
    if courtroom is None:
        errors["courtroom"] = _("Choose a courtroom.")
    elif courtroom.court_id != case.court_id:
        errors["courtroom"] = _("%(courtroom_name)s is not a courtroom of %(court_name)s.") % {
            "courtroom_name": courtroom.name,
            "court_name": case.court.name,
        }
    return errors


def _judge_error(case: Case, judge: User | None) -> str | None:
    if judge is None:
        return None
    is_judge = (
        get_user_model()
        .objects.filter(
            pk=judge.pk, is_active=True, profile__role_kind=Role.JUDGE, groups=case.court.group_id
        )
        .exists()
    )
    if not is_judge:
        return _("%(value)s is not a judge of %(court_name)s.") % {
            "value": user_name(judge),
            "court_name": case.court.name,
        }
    return None


def _clash(
    courtroom: Courtroom, starts_at: dt.datetime, ends_at: dt.datetime, exclude: int | None
) -> Hearing | None:
    """A hearing not cancelled in `courtroom` that overlaps [starts_at, ends_at).

    Asked in the terms of the exclusion constraint (hearing_no_overlap_in_courtroom) so that
    PostgreSQL answers from its GiST index: a courtroom with years of hearings is no slower to
    book than a new one (a plain range test on starts_at would read every earlier hearing)."""
    others = (
        Hearing.objects.alias(
            room=SingletonIntRange("courtroom"), span=TsTzRange("starts_at", "ends_at")
        )
        .filter(
            room__overlap=NumericRange(courtroom.pk, courtroom.pk, "[]"),
            span__overlap=DateTimeTZRange(starts_at, ends_at),
        )
        .exclude(status=HearingStatus.CANCELLED)
    )
    if exclude is not None:
        others = others.exclude(pk=exclude)
    return others.select_related("case__court", "courtroom").order_by("starts_at").first()


def _clash_conflict(other: Hearing) -> Conflict:
    court = other.case.court
    return Conflict(
        _(
            "%(courtroom_name)s is taken from %(when)s to %(when2)s by the %(kind)s "
            "in %(docket_number)s (hearing %(pk)s)."
        )
        % {
            "courtroom_name": other.courtroom.name,
            "when": _when(other.starts_at, court),
            "when2": _when(other.ends_at, court),
            "kind": other.get_kind_display().lower(),
            "docket_number": other.case.docket_number,
            "pk": other.pk,
        },
        code="hearing_overlap",
    )


def _save_hearing(
    hearing: Hearing, *, update_fields: Iterable[str] | None = None, exclude: int | None = None
) -> None:
    """Save, turning the exclusion constraint (a hearing booked at the same moment by someone
    else) into a 409 naming the other hearing."""
    clash = _clash(hearing.courtroom, hearing.starts_at, hearing.ends_at, exclude)
    if clash is not None:
        raise _clash_conflict(clash)
    try:
        with transaction.atomic():
            if update_fields is None:
                hearing.save()
            else:
                hearing.save(update_fields=list(update_fields))
    except IntegrityError as exc:
        clash = _clash(hearing.courtroom, hearing.starts_at, hearing.ends_at, exclude)
        if clash is None:
            raise Conflict(
                _("Another hearing was booked in this courtroom at the same moment."),
                code="hearing_overlap",
            ) from exc
        raise _clash_conflict(clash) from exc


def hearing_schedule(
    *,
    case: Case,
    by: User,
    kind: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    courtroom: Courtroom,
    judge: User | None = None,
    notes: str = "",
    external_id: str | None = None,
) -> Hearing:
    """The court sets a hearing on a case, in one of its courtrooms, at a free time;
    `external_id` is the court docket system's id of it (docket sync)."""
    _refuse_out_of_range(starts_at=starts_at, ends_at=ends_at)
    with transaction.atomic():
        locked = _lock_case(case.pk)
        permissions.require_calendar_keeper(by, locked)
        errors = _hearing_errors(locked, starts_at=starts_at, ends_at=ends_at, courtroom=courtroom)
        if kind not in HearingKind.values:
            errors["kind"] = _("%(kind)s is not a kind of hearing.") % {"kind": repr(kind)}
        judge_error = _judge_error(locked, judge)
        if judge_error:
            errors["judge"] = judge_error
        if errors:
            raise ValidationError(errors)
        _require_case_open(locked)
        hearing = Hearing(
            case=locked,
            kind=kind,
            starts_at=starts_at,
            ends_at=ends_at,
            courtroom=courtroom,
            judge=judge,
            notes=notes.strip(),
            external_id=external_id,
            created_by=by,
        )
        _save_hearing(hearing)
        HearingChange.objects.create(
            hearing=hearing,
            to_starts_at=starts_at,
            to_courtroom=courtroom,
            to_status=HearingStatus.SCHEDULED,
            changed_by=by,
        )
        alerts.plan_for_hearing(hearing)
        domain_events.publish(domain_events.HearingScheduled(case=locked, hearing=hearing))
        return hearing


@dataclass(frozen=True)
class HearingPlan:
    """One hearing of hearings_schedule_many: hearing_schedule's arguments, and the docket's
    id of the hearing."""

    case: Case
    kind: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    courtroom: Courtroom
    judge: User | None = None
    notes: str = ""
    external_id: str | None = None


def hearings_schedule_many(
    *, by: User, plans: Sequence[HearingPlan]
) -> list[Hearing | ValidationError | Conflict | PermissionDenied]:
    """hearing_schedule for a batch (a docket import): the same checks, history rows, alerts
    and events in a fixed number of statements, however many hearings and cases. One answer
    per plan, in order: the new hearing, or why it was refused (nothing is written for it).

    The courtroom clash check is one statement for the batch, asked in the terms of the
    exclusion constraint like _clash; a plan that overlaps an earlier plan of the batch is
    refused naming that hearing, as if they had been scheduled one after the other. A hearing
    booked by someone else at the same moment trips the constraint: IntegrityError, for the
    caller to roll back (or try the plans one by one)."""
    if not plans:
        return []
    answers: list[Hearing | ValidationError | Conflict | PermissionDenied | None] = [None] * len(
        plans
    )
    for n, plan in enumerate(plans):
        try:
            _refuse_out_of_range(starts_at=plan.starts_at, ends_at=plan.ends_at)
        except ValidationError as error:
            answers[n] = error
    # Lock the cases (in id order, as one statement: two imports never deadlock on them).
    case_ids = sorted({plan.case.pk for n, plan in enumerate(plans) if answers[n] is None})
    # Their courts as the plans hold them (a batch has one or a few), not read again with
    # every case (a court and its jurisdiction, profile and all, as instances per case).
    courts: dict[int, Court] = {
        plan.case.court_id: plan.case.court for plan in plans if _case_court.is_cached(plan.case)
    }
    locked = {
        case.pk: case
        for case in Case.objects.select_for_update(no_key=True, of=("self",))
        .filter(pk__in=case_ids)
        .order_by("pk")
    }
    missing = {row.court_id for row in locked.values()} - set(courts)
    if missing:
        courts |= Court.objects.select_related("jurisdiction").in_bulk(missing)
    for row in locked.values():
        _case_court.set_cached_value(row, courts[row.court_id])
    kept = permissions.cases_whose_calendar_is_kept_by(by, locked.values())
    kinds = set(HearingKind.values)
    judge_ids = {plan.judge.pk for plan in plans if plan.judge is not None}
    judges_of_court: set[tuple[int, int]] = set()
    for group_id in {case.court.group_id for case in locked.values()} if judge_ids else ():
        judges_of_court |= {
            (pk, group_id)
            for pk in get_user_model()
            .objects.filter(
                pk__in=judge_ids, is_active=True, profile__role_kind=Role.JUDGE, groups=group_id
            )
            .values_list("pk", flat=True)
        }
    for n, plan in enumerate(plans):
        if answers[n] is not None:
            continue
        case = locked.get(plan.case.pk)
        if case is None:
            answers[n] = ValidationError({"case": _("No such case.")})
            continue
        if case.pk not in kept:
            answers[n] = PermissionDenied(
                _("Only the court schedules hearings and sets deadlines.")
            )
            continue
        errors = _hearing_errors(
            case, starts_at=plan.starts_at, ends_at=plan.ends_at, courtroom=plan.courtroom
        )
        if plan.kind not in kinds:
            errors["kind"] = _("%(kind)s is not a kind of hearing.") % {"kind": repr(plan.kind)}
        judge = plan.judge
        if judge is not None and (judge.pk, case.court.group_id) not in judges_of_court:
            errors["judge"] = _("%(value)s is not a judge of %(court_name)s.") % {
                "value": user_name(judge),
                "court_name": case.court.name,
            }
        if errors:
            answers[n] = ValidationError(errors)
            continue
        if case.status in ENDED_CASE_STATUSES:
            answers[n] = Conflict(
                _("No court dates are set on a case that is “%(case_status)s”.")
                % {"case_status": CaseStatus(case.status).label},
                code="case_ended",
            )
    clashes = _clashes_many({n: plan for n, plan in enumerate(plans) if answers[n] is None}, locked)
    # The batch's own hearings, per courtroom, in order of start (they never overlap).
    booked: dict[int, list[Hearing]] = {}
    booked_starts: dict[int, list[dt.datetime]] = {}
    new: list[Hearing] = []
    # Refusals that name a hearing of this batch: their message needs its id, after the insert.
    refused_by_batch: dict[int, Hearing] = {}
    for n, plan in enumerate(plans):
        if answers[n] is not None:
            continue
        case = locked[plan.case.pk]
        room = booked.setdefault(plan.courtroom.pk, [])
        starts = booked_starts.setdefault(plan.courtroom.pk, [])
        at = bisect.bisect_left(starts, plan.starts_at)
        if at > 0 and room[at - 1].ends_at > plan.starts_at:
            at -= 1
        earlier = room[at] if at < len(room) and room[at].starts_at < plan.ends_at else None
        other = clashes.get(n)
        if other is not None and (earlier is None or other.starts_at <= earlier.starts_at):
            answers[n] = _clash_conflict(other)
            continue
        if earlier is not None:
            refused_by_batch[n] = earlier
            continue
        # By ids, with the case and courtroom cached: a thousand related-object assignments
        # cost more than the INSERT's Python side.
        hearing = Hearing(
            case_id=case.pk,
            kind=plan.kind,
            starts_at=plan.starts_at,
            ends_at=plan.ends_at,
            courtroom_id=plan.courtroom.pk,
            judge_id=plan.judge.pk if plan.judge is not None else None,
            notes=plan.notes.strip(),
            external_id=plan.external_id,
            created_by_id=by.pk,
        )
        _case_field.set_cached_value(hearing, case)
        _courtroom_field.set_cached_value(hearing, plan.courtroom)
        place = bisect.bisect_left(starts, plan.starts_at)
        room.insert(place, hearing)
        starts.insert(place, plan.starts_at)
        new.append(hearing)
        answers[n] = hearing
    if new:
        _hearings_insert(new)
        _scheduled_changes_insert(new, by=by)
        alerts.plan_for_new_hearings(new)
        domain_events.publish_many(
            domain_events.HearingScheduled,
            [domain_events.HearingScheduled(case=h.case, hearing=h) for h in new],
        )
    for n, earlier in refused_by_batch.items():
        answers[n] = _clash_conflict(earlier)
    return cast("list[Hearing | ValidationError | Conflict | PermissionDenied]", answers)


_case_field = Hearing._meta.get_field("case")
_case_court = Case._meta.get_field("court")
_courtroom_field = Hearing._meta.get_field("courtroom")


_HEARING_FIELDS = (
    "case",
    "kind",
    "starts_at",
    "ends_at",
    "courtroom",
    "judge",
    "notes",
    "external_id",
)


def _hearings_insert(hearings: Sequence[Hearing]) -> None:
    """INSERT the new hearings in one statement (core.bulk: no per-row Python of bulk_create),
    and give each instance its id and the values the database gave it, as bulk_create does."""
    now = timezone.now()
    by_id = hearings[0].created_by_id
    ids = bulk.rows_insert(
        Hearing,
        _HEARING_FIELDS,
        [
            (
                h.case_id,
                h.kind,
                h.starts_at,
                h.ends_at,
                h.courtroom_id,
                h.judge_id,
                h.notes,
                h.external_id,
            )
            for h in hearings
        ],
        constants={
            "status": HearingStatus.SCHEDULED,
            "sequence": 0,
            "created_by": by_id,
            "created_at": now,
            "updated_at": now,
        },
    )
    for hearing, pk in zip(hearings, ids, strict=True):
        hearing.pk = pk
        hearing.created_at = hearing.updated_at = now
        hearing._state.adding = False
        hearing._state.db = "default"


def _scheduled_changes_insert(hearings: Sequence[Hearing], *, by: User) -> None:
    """The history row of each hearing just scheduled (as hearing_schedule writes it), in one
    statement without a model instance per row, read from the hearings just inserted."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {HearingChange._meta.db_table}
                (hearing_id, from_starts_at, to_starts_at, from_courtroom_id, to_courtroom_id,
                 from_status, to_status, reason, changed_by_id, changed_at)
            SELECT h.id, NULL, h.starts_at, NULL, h.courtroom_id, '', %s, '', %s, %s
            FROM {Hearing._meta.db_table} h
            WHERE h.id = ANY(%s::bigint[])
            ORDER BY h.id
            """,  # noqa: S608 (the table names are the models')
            [
                HearingStatus.SCHEDULED,
                by.pk,
                timezone.now(),
                "{" + ",".join(str(h.pk) for h in hearings) + "}",
            ],
        )


def _clashes_many(plans: dict[int, HearingPlan], cases: dict[int, Case]) -> dict[int, Hearing]:
    """For each plan (by its number) the first hearing not cancelled that it would overlap
    in its courtroom: one statement, each plan answered from the exclusion constraint's GiST
    index (as _clash)."""
    if not plans:
        return {}
    numbers = list(plans)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT DISTINCT ON (p.n) p.n, h.id
            FROM json_to_recordset(%s::json)
                AS p(n int, room bigint, starts timestamptz, ends timestamptz)
            JOIN {Hearing._meta.db_table} h
              ON int8range(h.courtroom_id, h.courtroom_id, '[]') && int8range(p.room, p.room, '[]')
             AND tstzrange(h.starts_at, h.ends_at) && tstzrange(p.starts, p.ends)
             AND NOT (h.status = %s)
            ORDER BY p.n, h.starts_at
            """,  # noqa: S608 (the table name is the model's)
            [
                bulk.json_rows(
                    [
                        (n, plans[n].courtroom.pk, plans[n].starts_at, plans[n].ends_at)
                        for n in numbers
                    ],
                    ("n", "room", "starts", "ends"),
                ),
                HearingStatus.CANCELLED,
            ],
        )
        found = dict(cursor.fetchall())
    if not found:
        return {}
    others = Hearing.objects.select_related("case__court", "courtroom").in_bulk(set(found.values()))
    return {n: others[pk] for n, pk in found.items()}


def hearing_reschedule(
    *,
    hearing: Hearing,
    by: User,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    courtroom: Courtroom | None = None,
    reason: str,
) -> Hearing:
    """A continuance: the hearing moves to a new time (and perhaps courtroom), with its
    reason; the deadlines counted from it move too, and everyone who sees it is told."""
    _refuse_out_of_range(starts_at=starts_at, ends_at=ends_at)
    with transaction.atomic():
        case = _lock_case(hearing.case_id)
        permissions.require_calendar_keeper(by, case)
        locked = _lock_hearing(hearing.pk)
        room = courtroom if courtroom is not None else locked.courtroom
        errors = _hearing_errors(case, starts_at=starts_at, ends_at=ends_at, courtroom=room)
        if not reason.strip():
            errors["reason"] = _("Give the reason for the continuance.")
        if errors:
            raise ValidationError(errors)
        _require_upcoming(locked, pgettext("hearing action", "rescheduled"))
        assert room is not None
        if (
            starts_at == locked.starts_at
            and ends_at == locked.ends_at
            and room.pk == locked.courtroom_id
        ):
            raise ValidationError({"starts_at": _("The hearing is already set for that time.")})
        change = HearingChange(
            hearing=locked,
            from_starts_at=locked.starts_at,
            to_starts_at=starts_at,
            from_courtroom_id=locked.courtroom_id,
            to_courtroom=room,
            from_status=locked.status,
            to_status=HearingStatus.CONTINUED,
            reason=reason.strip(),
            changed_by=by,
        )
        locked.starts_at = starts_at
        locked.ends_at = ends_at
        locked.courtroom = room
        locked.status = HearingStatus.CONTINUED
        locked.sequence += 1
        _save_hearing(
            locked,
            update_fields=["starts_at", "ends_at", "courtroom", "status", "sequence", "updated_at"],
            exclude=locked.pk,
        )
        change.save()
        locked.case = case
        _move_dependents(locked, reason=reason.strip())
        alerts.plan_for_hearing(locked)
        alerts.notify_hearing_changed(locked)
        domain_events.publish(domain_events.HearingRescheduled(case=case, hearing=locked))
        return locked


def _move_dependents(hearing: Hearing, *, reason: str) -> None:
    """Recompute the open deadlines counted from `hearing` after it moved."""
    dependents = (
        Deadline.objects.select_for_update(no_key=True, of=("self",))
        .filter(trigger_hearing=hearing, status=DeadlineStatus.OPEN)
        .select_related("rule", "case__court__jurisdiction")
        .order_by("pk")
    )
    rows = list(dependents)
    if not rows:
        return
    calendar = computation.calendar_for_court(hearing.case.court)
    day = local_date(hearing.starts_at, hearing.case.court)
    in_custody = _in_custody(hearing.case)
    for deadline in rows:
        assert deadline.rule is not None
        computed = _compute(deadline.rule, day, calendar, in_custody=in_custody)
        _move_computed(
            deadline, computed, None, _("The hearing moved: %(reason)s") % {"reason": reason}
        )


def hearing_update(
    *,
    hearing: Hearing,
    by: User,
    judge: User | _Unset | None = UNSET,
    notes: str | _Unset = UNSET,
    if_match: list[str] | None = None,
) -> Hearing:
    """Assign another judge or change the notes of a hearing still to be held. With
    `if_match`, 412 if the hearing changed since the client read it (core.versions)."""
    with transaction.atomic():
        case = _lock_case(hearing.case_id)
        permissions.require_calendar_keeper(by, case)
        locked = _lock_hearing(hearing.pk)
        require_version(locked, if_match)
        if not isinstance(judge, _Unset):
            judge_error = _judge_error(case, judge)
            if judge_error:
                raise ValidationError({"judge": judge_error})
        _require_upcoming(locked, pgettext("hearing action", "changed"))
        changed: list[str] = []
        if not isinstance(judge, _Unset) and (judge.pk if judge else None) != locked.judge_id:
            old_judge = locked.judge
            locked.judge = judge

            def name(user: User | None) -> str:
                return user_name(user) if user else _("no judge")

            HearingChange.objects.create(
                hearing=locked,
                from_starts_at=locked.starts_at,
                to_starts_at=locked.starts_at,
                from_courtroom_id=locked.courtroom_id,
                to_courtroom_id=locked.courtroom_id,
                from_status=locked.status,
                to_status=locked.status,
                reason=f"Judge: {name(old_judge)} → {name(judge)}",
                changed_by=by,
            )
            changed.append("judge")
        if not isinstance(notes, _Unset) and notes.strip() != locked.notes:
            locked.notes = notes.strip()
            changed.append("notes")
        if changed:
            locked.sequence += 1
            locked.save(update_fields=[*changed, "sequence", "updated_at"])
            alerts.plan_for_hearing(locked)
        return locked


def hearing_mark_held(*, hearing: Hearing, by: User) -> Hearing:
    """The hearing took place. Only once it has begun."""
    with transaction.atomic():
        case = _lock_case(hearing.case_id)
        permissions.require_calendar_keeper(by, case)
        locked = _lock_hearing(hearing.pk)
        _require_upcoming(locked, pgettext("hearing action", "marked held"))
        if locked.starts_at > timezone.now():
            raise Conflict(
                _("This hearing starts at %(when)s; it is marked held once it has begun.")
                % {"when": _when(locked.starts_at, case.court)},
                code="hearing_not_begun",
            )
        HearingChange.objects.create(
            hearing=locked,
            from_status=locked.status,
            to_status=HearingStatus.HELD,
            changed_by=by,
        )
        locked.status = HearingStatus.HELD
        locked.sequence += 1
        locked.save(update_fields=["status", "sequence", "updated_at"])
        alerts.plan_for_hearing(locked)
        return locked


def hearing_cancel(*, hearing: Hearing, by: User, reason: str) -> Hearing:
    """Cancel a hearing still to be held, with its reason. Its courtroom time is free again;
    the open deadlines counted from it and the reminders still pending are cancelled, and
    everyone who sees it is told."""
    with transaction.atomic():
        case = _lock_case(hearing.case_id)
        permissions.require_calendar_keeper(by, case)
        locked = _lock_hearing(hearing.pk)
        if not reason.strip():
            raise ValidationError({"reason": _("Give the reason for the cancellation.")})
        _require_upcoming(locked, pgettext("hearing action", "cancelled"))
        HearingChange.objects.create(
            hearing=locked,
            from_status=locked.status,
            to_status=HearingStatus.CANCELLED,
            reason=reason.strip(),
            changed_by=by,
        )
        locked.status = HearingStatus.CANCELLED
        locked.sequence += 1
        locked.save(update_fields=["status", "sequence", "updated_at"])
        locked.case = case
        _cancel_dependents(locked, by, reason.strip())
        alerts.plan_for_hearing(locked)
        alerts.notify_hearing_changed(locked)
        domain_events.publish(domain_events.HearingCancelled(case=case, hearing=locked))
        return locked


def _cancel_dependents(hearing: Hearing, by: User, reason: str) -> None:
    """A deadline counted from a hearing that will not take place has nothing to count from:
    it is cancelled with the hearing (a new hearing gets new deadlines)."""
    dependents = (
        Deadline.objects.select_for_update(no_key=True, of=("self",))
        .filter(trigger_hearing=hearing, status=DeadlineStatus.OPEN)
        .select_related("case__court")
        .order_by("pk")
    )
    now = timezone.now()
    for deadline in dependents:
        _close(deadline, DeadlineStatus.CANCELLED, by, now)
        _change(
            deadline,
            DeadlineChangeKind.CANCELLED,
            by,
            reason=_("The %(kind)s it counts from was cancelled: %(reason)s")
            % {"kind": hearing.get_kind_display().lower(), "reason": reason},
        )
        alerts.plan_for_deadline(deadline)
