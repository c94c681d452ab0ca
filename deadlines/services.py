"""Writes about court dates: courtrooms, closure days, hearings and deadlines.

Each public function is one transaction. Changes to a case's hearings and deadlines lock the
case row first (like the negotiation services), so two clerks moving the same hearing are
served one after the other and the second sees what the first did. Who may act is decided in
cases.permissions; every change writes its history row (HearingChange, DeadlineChange) in the
same transaction, and replans the alerts (deadlines.alerts) there too.

A computed deadline keeps its rule, trigger and computed date; an override sets another due
date with a reason and survives a moved trigger (the computed date follows the trigger, the
override stays). The negotiation's own deadlines (an offer's expiry, the response owed to a
defense suggestion) follow their offer or suggestion (offer_expiry_sync,
suggestion_response_sync) and are never edited by hand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Final

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange, NumericRange
from django.db.models import F, Max
from django.utils import timezone

from cases import permissions
from cases.models import Case, CaseStatus, Court
from cases.services import court_today
from core import domain_events
from core.exceptions import Conflict
from core.text import single_line
from core.versions import require_version
from deadlines import alerts, computation
from deadlines.models import (
    NEGOTIATION_DEADLINE_KINDS,
    UPCOMING_HEARING_STATUSES,
    CourtClosure,
    Courtroom,
    Deadline,
    DeadlineChange,
    DeadlineChangeKind,
    DeadlineKind,
    DeadlineRule,
    DeadlineStatus,
    Hearing,
    HearingChange,
    HearingKind,
    HearingStatus,
    RuleTrigger,
    SingletonIntRange,
    TsTzRange,
)
from deadlines.selectors import court_zone, deadline_moment, local_date
from parties.models import Role, Side

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from negotiations.models import Offer, Suggestion


class _Unset:
    """A keyword argument that was not given (None is a value: "no judge")."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = _Unset()

# Cases on which no court date is set any more.
ENDED_CASE_STATUSES = frozenset({CaseStatus.CLOSED, CaseStatus.DISMISSED})
OTHER_SIDE: dict[str, str] = {Side.PROSECUTION: Side.DEFENSE, Side.DEFENSE: Side.PROSECUTION}


# --- helpers --------------------------------------------------------------------------------


def _refuse_out_of_range(**values: Any) -> None:
    """400 for a date Parley does not count with (before the arithmetic can overflow)."""
    errors = {}
    for name, value in values.items():
        day = value.date() if isinstance(value, dt.datetime) else value
        if isinstance(day, dt.date) and not computation.FIRST_DAY <= day <= computation.LAST_DAY:
            errors[name] = computation.OUT_OF_RANGE
    if errors:
        raise ValidationError(errors)


def _lock_case(case_id: int) -> Case:
    # Lock the case row only (of="self"), not the joined court and jurisdiction rows.
    return (
        Case.objects.select_for_update(no_key=True, of=("self",))
        .select_related("court__jurisdiction")
        .get(pk=case_id)
    )


def _lock_hearing(hearing_id: int) -> Hearing:
    return Hearing.objects.select_for_update(no_key=True, of=("self",)).get(pk=hearing_id)


def _lock_deadline(deadline_id: int) -> Deadline:
    return (
        Deadline.objects.select_for_update(no_key=True, of=("self",))
        .select_related("case__court", "rule")
        .get(pk=deadline_id)
    )


def _when(moment: dt.datetime, court: Court) -> str:
    local = timezone.localtime(moment, court_zone(court))
    return f"{local:%Y-%m-%d %H:%M} ({court.time_zone})"


def _rule_of(rule: DeadlineRule) -> computation.Rule:
    return computation.Rule(
        offset=rule.offset,
        unit=rule.unit,  # type: ignore[arg-type]
        direction=rule.direction,  # type: ignore[arg-type]
        roll=rule.roll,  # type: ignore[arg-type]
        citation=rule.citation,
    )


def _compute(
    rule: DeadlineRule, trigger: dt.date, calendar: computation.CourtCalendar
) -> computation.Computed:
    return computation.compute(trigger, _rule_of(rule), calendar)


def _explain(rule: DeadlineRule, computed: computation.Computed) -> str:
    return "\n".join((f"{rule.name} ({rule.citation})", *computed.explanation))


def _trigger_day(deadline: Deadline) -> dt.date:
    """The day a computed deadline counts from: its trigger date, or its trigger hearing's day
    in the court's calendar."""
    if deadline.trigger_hearing_id is not None:
        assert deadline.trigger_hearing is not None
        return local_date(deadline.trigger_hearing.starts_at, deadline.case.court)
    assert deadline.trigger_date is not None
    return deadline.trigger_date


def _change(
    deadline: Deadline,
    kind: str,
    by: User | None,
    *,
    from_date: dt.date | None = None,
    to_date: dt.date | None = None,
    reason: str = "",
) -> DeadlineChange:
    """Log a change to a deadline. Every deadline is made, and marked missed, through here,
    so here is where the apps above hear of both (core.domain_events)."""
    change = DeadlineChange.objects.create(
        deadline=deadline,
        kind=kind,
        from_date=from_date,
        to_date=to_date,
        reason=reason,
        changed_by=by,
    )
    if kind in _EVENT_OF_CHANGE:
        domain_events.publish(_EVENT_OF_CHANGE[kind](case=deadline.case, deadline=deadline))
    return change


_EVENT_OF_CHANGE: dict[str, type[domain_events.DeadlineEvent]] = {
    DeadlineChangeKind.CREATED: domain_events.DeadlineCreated,
    DeadlineChangeKind.MISSED: domain_events.DeadlineMissed,
}


def _by_hand_conflict(deadline: Deadline) -> Conflict | None:
    if deadline.kind in NEGOTIATION_DEADLINE_KINDS:
        return Conflict(
            f"{DeadlineKind(deadline.kind).label} follows the negotiation "
            f"({'the offer' if deadline.kind == DeadlineKind.OFFER_EXPIRY else 'the suggestion'}"
            "); it is not changed by hand.",
            code="deadline_follows_negotiation",
        )
    return None


def _open_conflict(deadline: Deadline) -> Conflict | None:
    if deadline.status != DeadlineStatus.OPEN:
        return Conflict(
            f"This deadline is {DeadlineStatus(deadline.status).label.lower()}; reopen it first.",
            code=f"deadline_{deadline.status}",
        )
    return None


def deadline_edit_conflict(deadline: Deadline) -> Conflict | None:
    """Why `deadline` may not be edited by hand now (the 409 deadline_update would raise), or
    None; pages ask before offering the form."""
    return _by_hand_conflict(deadline) or _open_conflict(deadline)


def _require_by_hand(deadline: Deadline) -> None:
    if (conflict := _by_hand_conflict(deadline)) is not None:
        raise conflict


def _require_open(deadline: Deadline) -> None:
    if (conflict := _open_conflict(deadline)) is not None:
        raise conflict


def _require_sees_deadline(user: User, case: Case, deadline: Deadline) -> None:
    if not permissions.may_read_case_date(
        user, case, negotiation=deadline.kind in NEGOTIATION_DEADLINE_KINDS
    ):
        raise PermissionDenied("You may not see this deadline.")


def _require_upcoming(hearing: Hearing, action: str) -> None:
    if hearing.status not in UPCOMING_HEARING_STATUSES:
        raise Conflict(
            f"This hearing is {HearingStatus(hearing.status).label.lower()}; it cannot be "
            f"{action}.",
            code=f"hearing_{hearing.status}",
        )


def _require_case_open(case: Case) -> None:
    if case.status in ENDED_CASE_STATUSES:
        raise Conflict(
            f"No court dates are set on a case that is “{CaseStatus(case.status).label}”.",
            code="case_ended",
        )


# --- courtrooms and closure days --------------------------------------------------------


def courtroom_create(*, court: Court, by: User, name: str) -> Courtroom:
    """Court staff of the court add a courtroom; names are unique within a court."""
    with transaction.atomic():
        if not permissions.may_manage_closures(by, court):
            raise PermissionDenied("Only the court's staff add courtrooms.")
        name = single_line(name)
        if not name:
            raise ValidationError({"name": "Name the courtroom."})
        if len(name) > 100:
            raise ValidationError({"name": "Keep the name to 100 characters."})
        if Courtroom.objects.filter(court=court, name__iexact=name).exists():
            raise ValidationError({"name": f"{court.name} already has a courtroom “{name}”."})
        try:
            with transaction.atomic():
                return Courtroom.objects.create(court=court, name=name)
        except IntegrityError:
            raise ValidationError(
                {"name": f"{court.name} already has a courtroom “{name}”."}
            ) from None


def closure_add(*, court: Court, by: User, date: dt.date, reason: str) -> CourtClosure:
    """Court staff record a day the court does not sit; the computed deadlines of the court
    that it changes move with it."""
    _refuse_out_of_range(date=date)
    with transaction.atomic():
        permissions.require_closure_manager(by, court)
        errors: dict[str, str] = {}
        if not isinstance(date, dt.date):
            errors["date"] = "Enter a date."
        if not reason.strip():
            errors["reason"] = "Say why the court is closed."
        if errors:
            raise ValidationError(errors)
        Court.objects.select_for_update().filter(pk=court.pk).first()
        if CourtClosure.objects.filter(court=court, date=date).exists():
            raise ValidationError({"date": f"The court is already closed on {date.isoformat()}."})
        closure = CourtClosure.objects.create(
            court=court, date=date, reason=reason.strip(), created_by=by
        )
        _recompute_court(court, by, f"Court closed on {date.isoformat()}: {reason.strip()}")
        return closure


def closure_remove(*, closure: CourtClosure, by: User) -> None:
    with transaction.atomic():
        court = Court.objects.select_related("jurisdiction").get(pk=closure.court_id)
        permissions.require_closure_manager(by, court)
        Court.objects.select_for_update().filter(pk=court.pk).first()
        deleted, _ = CourtClosure.objects.filter(pk=closure.pk).delete()
        if not deleted:
            raise Conflict("This closure day has already been removed.", code="closure_gone")
        _recompute_court(
            court, by, f"Court closure on {closure.date.isoformat()} withdrawn: {closure.reason}"
        )


def _recompute_court(court: Court, by: User, reason: str) -> None:
    """Recompute the open computed deadlines of `court` due today or later against its
    calendar as it now is; write a history row for each one that moved. An overridden deadline
    keeps its override, but its computed date is brought up to date underneath."""
    court = Court.objects.select_related("jurisdiction").get(pk=court.pk)
    today = court_today(court)
    affected = Deadline.objects.filter(
        case__court=court,
        status=DeadlineStatus.OPEN,
        rule__isnull=False,
        due_date__gte=today,
    )
    case_ids = sorted(set(affected.values_list("case_id", flat=True)))
    if not case_ids:
        return
    # Lock the cases in id order so that two recomputations never wait on each other.
    list(
        Case.objects.select_for_update(no_key=True, of=("self",))
        .filter(pk__in=case_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    calendar = computation.calendar_for_court(court)
    for deadline in affected.select_related("case__court", "rule", "trigger_hearing").order_by(
        "pk"
    ):
        assert deadline.rule is not None
        computed = _compute(deadline.rule, _trigger_day(deadline), calendar)
        _move_computed(
            deadline, computed, by, f"Recomputed: {reason}", kind=DeadlineChangeKind.RECOMPUTED
        )


# --- hearings -------------------------------------------------------------------------------


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
            errors[name] = "Enter a date and time."
        elif timezone.is_naive(value):
            errors[name] = "Give the time with its time zone."
    if "starts_at" not in errors and "ends_at" not in errors and ends_at <= starts_at:
        errors["ends_at"] = "The hearing must end after it starts."
    if courtroom is None:
        errors["courtroom"] = "Choose a courtroom."
    elif courtroom.court_id != case.court_id:
        errors["courtroom"] = f"{courtroom.name} is not a courtroom of {case.court.name}."
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
        return (
            f"{judge.get_full_name() or judge.get_username()} is not a judge of {case.court.name}."
        )
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
        f"{other.courtroom.name} is taken from {_when(other.starts_at, court)} to "
        f"{_when(other.ends_at, court)} by the {other.get_kind_display().lower()} in "
        f"{other.case.docket_number} (hearing {other.pk}).",
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
                "Another hearing was booked in this courtroom at the same moment.",
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
) -> Hearing:
    """The court sets a hearing on a case, in one of its courtrooms, at a free time."""
    _refuse_out_of_range(starts_at=starts_at, ends_at=ends_at)
    with transaction.atomic():
        locked = _lock_case(case.pk)
        permissions.require_calendar_keeper(by, locked)
        errors = _hearing_errors(locked, starts_at=starts_at, ends_at=ends_at, courtroom=courtroom)
        if kind not in HearingKind.values:
            errors["kind"] = f"{kind!r} is not a kind of hearing."
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
            errors["reason"] = "Give the reason for the continuance."
        if errors:
            raise ValidationError(errors)
        _require_upcoming(locked, "rescheduled")
        assert room is not None
        if (
            starts_at == locked.starts_at
            and ends_at == locked.ends_at
            and room.pk == locked.courtroom_id
        ):
            raise ValidationError({"starts_at": "The hearing is already set for that time."})
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
    for deadline in rows:
        assert deadline.rule is not None
        computed = _compute(deadline.rule, day, calendar)
        _move_computed(deadline, computed, None, f"The hearing moved: {reason}")


def _move_computed(
    deadline: Deadline,
    computed: computation.Computed,
    by: User | None,
    reason: str,
    *,
    kind: str = DeadlineChangeKind.TRIGGER_MOVED,
) -> bool:
    """Apply a new computed date to a computed deadline. An override stays (its due date does
    not move) unless the new computed date is the overriding date itself."""
    assert deadline.rule is not None
    old_computed, old_due = deadline.computed_date, deadline.due_date
    if computed.date == old_computed:
        return False
    deadline.computed_date = computed.date
    deadline.explanation = _explain(deadline.rule, computed)
    overridden = bool(deadline.override_reason)
    note = reason
    if not overridden:
        deadline.due_date = computed.date
    elif computed.date == deadline.due_date:
        deadline.override_reason = ""
        note = f"{reason} The computed date is now the overriding date; the override ends."
    else:
        note = (
            f"{reason} Computed date {old_computed.isoformat() if old_computed else '—'} → "
            f"{computed.date.isoformat()}; the override to {deadline.due_date.isoformat()} stays."
        )
    deadline.sequence += 1
    deadline.save(
        update_fields=[
            "computed_date",
            "due_date",
            "explanation",
            "override_reason",
            "sequence",
            "updated_at",
        ]
    )
    _change(
        deadline,
        kind,
        by,
        from_date=old_computed if overridden else old_due,
        to_date=computed.date,
        reason=note,
    )
    alerts.plan_for_deadline(deadline)
    return True


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
        _require_upcoming(locked, "changed")
        changed: list[str] = []
        if not isinstance(judge, _Unset) and (judge.pk if judge else None) != locked.judge_id:
            old_judge = locked.judge
            locked.judge = judge

            def name(user: User | None) -> str:
                return (user.get_full_name() or user.get_username()) if user else "no judge"

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
        _require_upcoming(locked, "marked held")
        if locked.starts_at > timezone.now():
            raise Conflict(
                f"This hearing starts at {_when(locked.starts_at, case.court)}; it is marked "
                "held once it has begun.",
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
            raise ValidationError({"reason": "Give the reason for the cancellation."})
        _require_upcoming(locked, "cancelled")
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
            reason=f"The {hearing.get_kind_display().lower()} it counts from was cancelled: "
            f"{reason}",
        )
        alerts.plan_for_deadline(deadline)


# --- deadlines ------------------------------------------------------------------------------


def deadline_create(
    *,
    case: Case,
    by: User,
    kind: str,
    title: str,
    responsible_side: str = "",
    due_date: dt.date | None = None,
    due_at: dt.datetime | None = None,
    rule: DeadlineRule | None = None,
    trigger_hearing: Hearing | None = None,
    trigger_date: dt.date | None = None,
    notes: str = "",
) -> Deadline:
    """Set a deadline by hand (a due date) or by a rule of the case's jurisdiction counted
    from its trigger (a hearing of the rule's kind on this case, or a date)."""
    _refuse_out_of_range(due_date=due_date, due_at=due_at, trigger_date=trigger_date)
    with transaction.atomic():
        locked = _lock_case(case.pk)
        permissions.require_calendar_keeper(by, locked)
        errors: dict[str, str] = {}
        if kind not in DeadlineKind.values:
            errors["kind"] = f"{kind!r} is not a kind of deadline."
        elif kind in NEGOTIATION_DEADLINE_KINDS:
            errors["kind"] = (
                f"{DeadlineKind(kind).label} follows the "
                f"{'offer' if kind == DeadlineKind.OFFER_EXPIRY else 'suggestion'}; "
                "it is not set by hand."
            )
        if responsible_side and responsible_side not in Side.values:
            errors["responsible_side"] = f"{responsible_side!r} is not a side."
        title = single_line(title)
        if len(title) > 200:
            errors["title"] = "Keep the title to 200 characters."
        computed: computation.Computed | None = None
        if rule is None:
            if not title:
                errors["title"] = "Give the deadline a title."
            if due_date is None:
                errors["due_date"] = "Enter the due date."
            if trigger_hearing is not None:
                errors["trigger_hearing"] = "Only a deadline computed by a rule has a trigger."
            if trigger_date is not None:
                errors["trigger_date"] = "Only a deadline computed by a rule has a trigger."
            if due_at is not None:
                if timezone.is_naive(due_at):
                    errors["due_at"] = "Give the time with its time zone."
                elif due_date is not None and local_date(due_at, locked.court) != due_date:
                    errors["due_at"] = "The time must fall on the due date (court time)."
        else:
            if rule.jurisdiction_id != locked.court.jurisdiction_id or not rule.active:
                errors["rule"] = "Choose an active rule of this case's jurisdiction."
            elif "kind" not in errors and kind != rule.kind:
                errors["kind"] = f"The rule sets the kind: {DeadlineKind(rule.kind).label.lower()}."
            if due_date is not None:
                errors["due_date"] = (
                    "A computed deadline's date comes from its rule; override it once set."
                )
            if due_at is not None:
                errors["due_at"] = "A computed deadline ends at the end of its day."
            if rule.trigger == RuleTrigger.EVENT:
                if trigger_hearing is not None:
                    errors["trigger_hearing"] = (
                        f"This rule counts from a date ({rule.trigger_label}), not a hearing."
                    )
                if trigger_date is None:
                    errors["trigger_date"] = f"Enter the date: {rule.trigger_label}."
            else:
                wanted = rule.trigger.removeprefix("hearing:")
                if trigger_hearing is not None:
                    # Judge the hearing as it is now, not as the caller last read it.
                    trigger_hearing = Hearing.objects.filter(pk=trigger_hearing.pk).first()
                if trigger_date is not None:
                    errors["trigger_date"] = "This rule counts from a hearing, not a date."
                if trigger_hearing is None:
                    errors["trigger_hearing"] = (
                        f"Choose the {HearingKind(wanted).label.lower()} this rule counts from."
                    )
                elif (
                    trigger_hearing.case_id != locked.pk
                    or trigger_hearing.kind != wanted
                    or trigger_hearing.status == HearingStatus.CANCELLED
                ):
                    errors["trigger_hearing"] = (
                        f"Choose a {HearingKind(wanted).label.lower()} of this case that is "
                        "not cancelled."
                    )
            if not errors:
                calendar = computation.calendar_for_court(locked.court)
                day = (
                    trigger_date
                    if trigger_date is not None
                    else local_date(trigger_hearing.starts_at, locked.court)  # type: ignore[union-attr]
                )
                try:
                    computed = _compute(rule, day, calendar)
                except (ValueError, OverflowError) as exc:
                    errors["trigger_date"] = str(exc)
        if errors:
            raise ValidationError(errors)
        _require_case_open(locked)
        if rule is not None:
            assert computed is not None
            deadline = Deadline(
                case=locked,
                kind=rule.kind,
                title=title or rule.name[:200],
                responsible_side=responsible_side or rule.responsible_side,
                due_date=computed.date,
                rule=rule,
                citation=rule.citation,
                trigger_hearing=trigger_hearing,
                trigger_date=trigger_date,
                computed_date=computed.date,
                explanation=_explain(rule, computed),
                notes=notes.strip(),
                created_by=by,
            )
        else:
            assert due_date is not None
            deadline = Deadline(
                case=locked,
                kind=kind,
                title=title,
                responsible_side=responsible_side,
                due_date=due_date,
                due_at=due_at,
                notes=notes.strip(),
                created_by=by,
            )
        deadline.save()
        _change(deadline, DeadlineChangeKind.CREATED, by, to_date=deadline.due_date)
        alerts.plan_for_deadline(deadline)
        return deadline


def _locked_for_hand(deadline: Deadline, by: User) -> tuple[Case, Deadline]:
    """Lock the case and the deadline for a change by the court; 403/409 as due."""
    case = _lock_case(deadline.case_id)
    locked = _lock_deadline(deadline.pk)
    _require_sees_deadline(by, case, locked)
    permissions.require_calendar_keeper(by, case)
    _require_by_hand(locked)
    locked.case = case
    return case, locked


def deadline_update(
    *,
    deadline: Deadline,
    by: User,
    title: str | None = None,
    due_date: dt.date | None = None,
    trigger_date: dt.date | None = None,
    notes: str | None = None,
    reason: str = "",
    if_match: list[str] | None = None,
) -> Deadline:
    """Change an open deadline: its title and notes; the date of one set by hand; the trigger
    date of one computed from a date (the computed date follows; an override stays). With
    `if_match`, 412 if the deadline changed since the client read it."""
    _refuse_out_of_range(due_date=due_date, trigger_date=trigger_date)
    with transaction.atomic():
        case, locked = _locked_for_hand(deadline, by)
        require_version(locked, if_match)
        errors: dict[str, str] = {}
        title = None if title is None else single_line(title)
        if title is not None and not title.strip():
            errors["title"] = "Give the deadline a title."
        elif title is not None and len(title.strip()) > 200:
            errors["title"] = "Keep the title to 200 characters."
        if due_date is not None and locked.rule_id is not None:
            errors["due_date"] = (
                "This date is computed by its rule; override it with a reason instead."
            )
        if trigger_date is not None and (locked.rule_id is None or locked.trigger_date is None):
            errors["trigger_date"] = "Only a deadline computed from a date has a trigger date" + (
                " (this one counts from a hearing)." if locked.rule_id else "."
            )
        if due_date is not None and locked.due_at is not None:
            errors["due_date"] = "This deadline has a time; it is not moved by hand."
        if errors:
            raise ValidationError(errors)
        _require_open(locked)
        fields: list[str] = []
        if title is not None and title.strip() != locked.title:
            locked.title = title.strip()
            fields.append("title")
        if notes is not None and notes.strip() != locked.notes:
            locked.notes = notes.strip()
            fields.append("notes")
        if due_date is not None and due_date != locked.due_date:
            _change(
                locked,
                DeadlineChangeKind.EDITED,
                by,
                from_date=locked.due_date,
                to_date=due_date,
                reason=reason.strip(),
            )
            locked.due_date = due_date
            fields.append("due_date")
        elif fields:
            _change(locked, DeadlineChangeKind.EDITED, by, reason=reason.strip())
        if fields:
            locked.sequence += 1
            locked.save(update_fields=[*fields, "sequence", "updated_at"])
        if trigger_date is not None and trigger_date != locked.trigger_date:
            assert locked.rule is not None
            old_trigger = locked.trigger_date
            locked.trigger_date = trigger_date
            locked.save(update_fields=["trigger_date", "updated_at"])
            computed = _compute(
                locked.rule, trigger_date, computation.calendar_for_court(case.court)
            )
            why = (
                f"Trigger date {old_trigger.isoformat() if old_trigger else '—'} → "
                f"{trigger_date.isoformat()}." + (f" {reason.strip()}" if reason.strip() else "")
            )
            if not _move_computed(locked, computed, by, why):
                _change(locked, DeadlineChangeKind.TRIGGER_MOVED, by, reason=why)
        if "due_date" in fields:
            alerts.plan_for_deadline(locked)
        return locked


def deadline_override(*, deadline: Deadline, by: User, due_date: dt.date, reason: str) -> Deadline:
    """Set aside a computed date, with a reason; the history keeps both."""
    _refuse_out_of_range(due_date=due_date)
    with transaction.atomic():
        _case, locked = _locked_for_hand(deadline, by)
        errors: dict[str, str] = {}
        if not isinstance(due_date, dt.date):
            errors["due_date"] = "Enter the date."
        if not reason.strip():
            errors["reason"] = "Give the reason for overriding the computed date."
        if locked.rule_id is None:
            errors["due_date"] = "This deadline was set by hand; change its date instead."
        elif isinstance(due_date, dt.date) and due_date == locked.computed_date:
            errors["due_date"] = (
                "That is the computed date; remove the override instead."
                if locked.override_reason
                else "That is already the computed date."
            )
        if errors:
            raise ValidationError(errors)
        _require_open(locked)
        old = locked.due_date
        locked.due_date = due_date
        locked.override_reason = reason.strip()
        locked.sequence += 1
        locked.save(update_fields=["due_date", "override_reason", "sequence", "updated_at"])
        _change(
            locked,
            DeadlineChangeKind.OVERRIDDEN,
            by,
            from_date=old,
            to_date=due_date,
            reason=reason.strip(),
        )
        alerts.plan_for_deadline(locked)
        return locked


def deadline_override_remove(*, deadline: Deadline, by: User) -> Deadline:
    """Return an overridden deadline to its computed date."""
    with transaction.atomic():
        _case, locked = _locked_for_hand(deadline, by)
        if locked.rule_id is None or not locked.override_reason:
            raise Conflict("This deadline has no override to remove.", code="not_overridden")
        _require_open(locked)
        assert locked.computed_date is not None
        old = locked.due_date
        locked.due_date = locked.computed_date
        locked.override_reason = ""
        locked.sequence += 1
        locked.save(update_fields=["due_date", "override_reason", "sequence", "updated_at"])
        _change(
            locked,
            DeadlineChangeKind.OVERRIDE_REMOVED,
            by,
            from_date=old,
            to_date=locked.due_date,
        )
        alerts.plan_for_deadline(locked)
        return locked


def _close(deadline: Deadline, status: str, by: User | None, when: dt.datetime) -> None:
    deadline.status = status
    deadline.closed_at = when
    deadline.closed_by = by
    deadline.sequence += 1
    deadline.save(update_fields=["status", "closed_at", "closed_by", "sequence", "updated_at"])


def deadline_complete(*, deadline: Deadline, by: User) -> Deadline:
    """Mark a deadline met: the court, or a negotiator of the side that had to meet it."""
    with transaction.atomic():
        case = _lock_case(deadline.case_id)
        locked = _lock_deadline(deadline.pk)
        _require_sees_deadline(by, case, locked)
        if not permissions.may_complete_deadline(by, case, locked.responsible_side):
            raise PermissionDenied(
                "The court, or counsel for the side that had to meet it, marks a deadline met."
            )
        _require_by_hand(locked)
        _require_open(locked)
        _close(locked, DeadlineStatus.MET, by, timezone.now())
        _change(locked, DeadlineChangeKind.MET, by)
        locked.case = case
        alerts.plan_for_deadline(locked)
        return locked


def deadline_cancel(*, deadline: Deadline, by: User, reason: str) -> Deadline:
    with transaction.atomic():
        _case, locked = _locked_for_hand(deadline, by)
        if not reason.strip():
            raise ValidationError({"reason": "Give the reason for cancelling the deadline."})
        _require_open(locked)
        _close(locked, DeadlineStatus.CANCELLED, by, timezone.now())
        _change(locked, DeadlineChangeKind.CANCELLED, by, reason=reason.strip())
        alerts.plan_for_deadline(locked)
        return locked


def deadline_reopen(*, deadline: Deadline, by: User, reason: str) -> Deadline:
    """Open again a deadline marked met, missed or cancelled (a mistake), with the reason."""
    with transaction.atomic():
        _case, locked = _locked_for_hand(deadline, by)
        if not reason.strip():
            raise ValidationError({"reason": "Give the reason for reopening the deadline."})
        if locked.status == DeadlineStatus.OPEN:
            raise Conflict("This deadline is open.", code="deadline_open")
        locked.status = DeadlineStatus.OPEN
        locked.closed_at = None
        locked.closed_by = None
        locked.sequence += 1
        locked.save(update_fields=["status", "closed_at", "closed_by", "sequence", "updated_at"])
        _change(locked, DeadlineChangeKind.REOPENED, by, reason=reason.strip())
        alerts.plan_for_deadline(locked)
        return locked


# Deadlines that the sweep never marks missed: an offer that runs out expires instead.
NOT_MISSED_KINDS = frozenset({DeadlineKind.OFFER_EXPIRY})
MISSED_BATCH = 1000


def deadlines_mark_missed(*, now: dt.datetime | None = None) -> int:
    """Mark missed every open deadline whose moment has passed, and escalate each. Run by the
    sweep; safe to repeat and to run twice at once (each row is claimed with a conditional
    update, and escalated only by the run that claimed it)."""
    now = now or timezone.now()
    # A day ends at the latest one UTC day after its date; the exact moment is checked per row.
    candidates = (
        Deadline.objects.filter(
            status=DeadlineStatus.OPEN, due_date__lte=now.date() + dt.timedelta(days=1)
        )
        .exclude(kind__in=NOT_MISSED_KINDS)
        .exclude(case__status__in=ENDED_CASE_STATUSES)
        .select_related("case__court")
    )
    missed = 0
    last_pk = 0
    while True:
        batch = list(candidates.filter(pk__gt=last_pk).order_by("pk")[:MISSED_BATCH])
        if not batch:
            return missed
        last_pk = batch[-1].pk
        reopened = dict(
            DeadlineChange.objects.filter(
                deadline__in=[d.pk for d in batch], kind=DeadlineChangeKind.REOPENED
            )
            .values("deadline")
            .annotate(last=Max("changed_at"))
            .values_list("deadline", "last")
        )
        for deadline in batch:
            moment = deadline_moment(deadline)
            if moment > now:
                continue
            if deadline.pk in reopened and reopened[deadline.pk] >= moment:
                # The court reopened it after its last day: it stays open until the court
                # marks it met, moves it or cancels it, and is not escalated again.
                continue
            with transaction.atomic():
                claimed = Deadline.objects.filter(
                    pk=deadline.pk, status=DeadlineStatus.OPEN, due_date=deadline.due_date
                ).update(
                    status=DeadlineStatus.MISSED,
                    closed_at=now,
                    closed_by=None,
                    sequence=F("sequence") + 1,
                    updated_at=timezone.now(),
                )
                if not claimed:
                    continue
                deadline.refresh_from_db()
                _change(deadline, DeadlineChangeKind.MISSED, None, from_date=deadline.due_date)
                alerts.escalate_missed(deadline)
                missed += 1


def case_dates_close(*, case: Case, by: User, reason: str) -> None:
    """A case that ends (dismissed, closed) keeps no court dates: its hearings still to be held
    and its open deadlines are cancelled with `reason`, their reminders with them, and everyone
    on the case is told of each cancelled hearing. Run when cases.services.case_transition
    ends a case (deadlines.subscribers, on CaseClosed), with the case row locked."""
    now = timezone.now()
    hearings = (
        Hearing.objects.select_for_update(no_key=True, of=("self",))
        .filter(case=case, status__in=UPCOMING_HEARING_STATUSES)
        .order_by("pk")
    )
    for hearing in hearings:
        HearingChange.objects.create(
            hearing=hearing,
            from_status=hearing.status,
            to_status=HearingStatus.CANCELLED,
            reason=reason,
            changed_by=by,
        )
        hearing.status = HearingStatus.CANCELLED
        hearing.sequence += 1
        hearing.save(update_fields=["status", "sequence", "updated_at"])
        hearing.case = case
        alerts.notify_hearing_changed(hearing)
        domain_events.publish(domain_events.HearingCancelled(case=case, hearing=hearing))
    deadlines = (
        Deadline.objects.select_for_update(no_key=True, of=("self",))
        .filter(case=case, status=DeadlineStatus.OPEN)
        .order_by("pk")
    )
    for deadline in deadlines:
        _close(deadline, DeadlineStatus.CANCELLED, by, now)
        _change(deadline, DeadlineChangeKind.CANCELLED, by, reason=reason)
    alerts.plan_for_case(case)


def rule_preview(*, case: Case, rule: DeadlineRule, trigger_date: dt.date) -> computation.Computed:
    """What a rule gives for a trigger date on this case's court calendar, without saving."""
    _refuse_out_of_range(trigger_date=trigger_date)
    court = Court.objects.select_related("jurisdiction").get(pk=case.court_id)
    if rule.jurisdiction_id != court.jurisdiction_id or not rule.active:
        raise ValidationError({"rule": "Choose an active rule of this case's jurisdiction."})
    if not isinstance(trigger_date, dt.date):
        raise ValidationError({"trigger_date": "Enter a date."})
    try:
        return _compute(rule, trigger_date, computation.calendar_for_court(court))
    except (ValueError, OverflowError) as exc:
        raise ValidationError({"trigger_date": str(exc)}) from exc


# --- the negotiation's deadlines ---------------------------------------------------------


def offer_expiry_sync(offer: Offer) -> Deadline | None:
    """Keep an offer's expiry deadline in step with the offer. Run on the negotiation's offer
    events (deadlines.subscribers) inside their transaction, with the case and the offer
    locked.

    Sent with an expiry: an open deadline for the side that must answer. Answered (accepted,
    rejected, countered): met. Withdrawn: cancelled. Expired: cancelled ("Offer expired") and
    the readers of both sides are told, once."""
    from negotiations.models import OfferStatus

    existing = (
        Deadline.objects.select_for_update(no_key=True, of=("self",)).filter(offer=offer).first()
    )
    if offer.status == OfferStatus.EXPIRED:
        if existing is not None and existing.status == DeadlineStatus.OPEN:
            _close(existing, DeadlineStatus.CANCELLED, None, offer.closed_at or timezone.now())
            _change(existing, DeadlineChangeKind.CANCELLED, None, reason="Offer expired")
            alerts.plan_for_deadline(existing)
        alerts.notify_offer_expired(offer)
        return existing
    if offer.status == OfferStatus.SENT:
        if offer.expires_at is None or existing is not None:
            return existing
        case = Case.objects.select_related("court").get(pk=offer.case_id)
        round_label = f"round {offer.round_number}" if offer.round_number else "the offer"
        deadline = Deadline.objects.create(
            case=case,
            kind=DeadlineKind.OFFER_EXPIRY,
            title=f"{Side(offer.side).label} offer ({round_label}) expires",
            responsible_side=OTHER_SIDE.get(offer.side, ""),
            due_date=local_date(offer.expires_at, case.court),
            due_at=offer.expires_at,
            offer=offer,
            created_by=offer.author,
        )
        _change(deadline, DeadlineChangeKind.CREATED, offer.author, to_date=deadline.due_date)
        alerts.plan_for_deadline(deadline)
        return deadline
    if existing is None or existing.status != DeadlineStatus.OPEN:
        return existing
    when = offer.closed_at or timezone.now()
    if offer.status in (OfferStatus.ACCEPTED, OfferStatus.REJECTED, OfferStatus.COUNTERED):
        _close(existing, DeadlineStatus.MET, offer.closed_by, when)
        _change(
            existing,
            DeadlineChangeKind.MET,
            offer.closed_by,
            reason=f"Offer {OfferStatus(offer.status).label.lower()}",
        )
    elif offer.status == OfferStatus.WITHDRAWN:
        _close(existing, DeadlineStatus.CANCELLED, offer.closed_by, when)
        _change(existing, DeadlineChangeKind.CANCELLED, offer.closed_by, reason="Offer withdrawn")
    else:
        return existing
    alerts.plan_for_deadline(existing)
    return existing


def suggestion_response_rule(case: Case) -> DeadlineRule | None:
    return (
        DeadlineRule.objects.filter(
            jurisdiction_id=case.court.jurisdiction_id,
            kind=DeadlineKind.SUGGESTION_RESPONSE_DUE,
            active=True,
        )
        .order_by("code")
        .first()
    )


def suggestion_response_sync(suggestion: Suggestion) -> Deadline | None:
    """Keep the response deadline of a defense suggestion in step with it. Run on the
    negotiation's suggestion events (deadlines.subscribers) inside their transaction.
    Submitted: a deadline by the jurisdiction's rule, if it has one. Responded: met."""
    existing = (
        Deadline.objects.select_for_update(no_key=True, of=("self",))
        .filter(suggestion=suggestion)
        .first()
    )
    if suggestion.response:
        if existing is not None and existing.status == DeadlineStatus.OPEN:
            _close(
                existing,
                DeadlineStatus.MET,
                suggestion.responded_by,
                suggestion.responded_at or timezone.now(),
            )
            _change(existing, DeadlineChangeKind.MET, suggestion.responded_by)
            alerts.plan_for_deadline(existing)
        return existing
    if existing is not None:
        return existing
    case = Case.objects.select_related("court__jurisdiction").get(pk=suggestion.case_id)
    rule = suggestion_response_rule(case)
    if rule is None:
        return None
    submitted = local_date(suggestion.created_at, case.court)
    computed = _compute(rule, submitted, computation.calendar_for_court(case.court))
    deadline = Deadline.objects.create(
        case=case,
        kind=DeadlineKind.SUGGESTION_RESPONSE_DUE,
        title=f"Written response to the defense suggestion of {submitted.isoformat()}",
        responsible_side=rule.responsible_side or Side.PROSECUTION,
        due_date=computed.date,
        rule=rule,
        citation=rule.citation,
        trigger_date=submitted,
        computed_date=computed.date,
        explanation=_explain(rule, computed),
        suggestion=suggestion,
        created_by=suggestion.author,
    )
    _change(deadline, DeadlineChangeKind.CREATED, suggestion.author, to_date=deadline.due_date)
    alerts.plan_for_deadline(deadline)
    return deadline
