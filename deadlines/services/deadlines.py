"""Deadlines set by hand or by a rule, and what the court does with them: edit, override,
mark met, cancel, reopen; and a rule's date previewed."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import permissions
from cases.models import Case, Court
from core.exceptions import Conflict
from core.text import single_line
from core.versions import require_version
from deadlines import alerts, computation
from deadlines.models import (
    NEGOTIATION_DEADLINE_KINDS,
    Deadline,
    DeadlineChangeKind,
    DeadlineKind,
    DeadlineRule,
    DeadlineStatus,
    Hearing,
    HearingKind,
    HearingStatus,
    RuleTrigger,
)
from deadlines.selectors import local_date
from deadlines.services.common import (
    _change,
    _close,
    _compute,
    _explain,
    _in_custody,
    _lock_case,
    _move_computed,
    _refuse_out_of_range,
    _require_case_open,
)
from parties.models import Side

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _lock_deadline(deadline_id: int) -> Deadline:
    return (
        Deadline.objects.select_for_update(no_key=True, of=("self",))
        .select_related("case__court", "rule")
        .get(pk=deadline_id)
    )


def _by_hand_conflict(deadline: Deadline) -> Conflict | None:
    if deadline.kind in NEGOTIATION_DEADLINE_KINDS:
        return Conflict(
            _("%(deadline_kind)s follows the negotiation (%(source)s); it is not changed by hand.")
            % {
                "deadline_kind": DeadlineKind(deadline.kind).label,
                "source": _("the offer")
                if deadline.kind == DeadlineKind.OFFER_EXPIRY
                else _("the suggestion"),
            },
            code="deadline_follows_negotiation",
        )
    return None


def _open_conflict(deadline: Deadline) -> Conflict | None:
    if deadline.status != DeadlineStatus.OPEN:
        return Conflict(
            _("This deadline is %(deadline_status)s; reopen it first.")
            % {"deadline_status": DeadlineStatus(deadline.status).label.lower()},
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
        raise PermissionDenied(_("You may not see this deadline."))


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
            errors["kind"] = _("%(kind)s is not a kind of deadline.") % {"kind": repr(kind)}
        elif kind in NEGOTIATION_DEADLINE_KINDS:
            errors["kind"] = _(
                "%(deadline_kind)s follows the %(source)s; it is not set by hand."
            ) % {
                "deadline_kind": DeadlineKind(kind).label,
                "source": _("offer") if kind == DeadlineKind.OFFER_EXPIRY else _("suggestion"),
            }
        if responsible_side and responsible_side not in Side.values:
            errors["responsible_side"] = _("%(responsible_side)s is not a side.") % {
                "responsible_side": repr(responsible_side)
            }
        title = single_line(title)
        if len(title) > 200:
            errors["title"] = _("Keep the title to 200 characters.")
        computed: computation.Computed | None = None
        if rule is None:
            if not title:
                errors["title"] = _("Give the deadline a title.")
            if due_date is None:
                errors["due_date"] = _("Enter the due date.")
            if trigger_hearing is not None:
                errors["trigger_hearing"] = _("Only a deadline computed by a rule has a trigger.")
            if trigger_date is not None:
                errors["trigger_date"] = _("Only a deadline computed by a rule has a trigger.")
            if due_at is not None:
                if timezone.is_naive(due_at):
                    errors["due_at"] = _("Give the time with its time zone.")
                elif due_date is not None and local_date(due_at, locked.court) != due_date:
                    errors["due_at"] = _("The time must fall on the due date (court time).")
        else:
            if rule.jurisdiction_id != locked.court.jurisdiction_id or not rule.active:
                errors["rule"] = _("Choose an active rule of this case's jurisdiction.")
            elif "kind" not in errors and kind != rule.kind:
                errors["kind"] = _("The rule sets the kind: %(deadline_kind)s.") % {
                    "deadline_kind": DeadlineKind(rule.kind).label.lower()
                }
            if due_date is not None:
                errors["due_date"] = _(
                    "A computed deadline's date comes from its rule; override it once set."
                )
            if due_at is not None:
                errors["due_at"] = _("A computed deadline ends at the end of its day.")
            if rule.trigger == RuleTrigger.EVENT:
                if trigger_hearing is not None:
                    errors["trigger_hearing"] = _(
                        "This rule counts from a date (%(trigger_label)s), not a hearing."
                    ) % {"trigger_label": rule.trigger_label_shown}
                if trigger_date is None:
                    errors["trigger_date"] = _("Enter the date: %(trigger_label)s.") % {
                        "trigger_label": rule.trigger_label_shown
                    }
            else:
                wanted = rule.trigger.removeprefix("hearing:")
                if trigger_hearing is not None:
                    # Judge the hearing as it is now, not as the caller last read it.
                    trigger_hearing = Hearing.objects.filter(pk=trigger_hearing.pk).first()
                if trigger_date is not None:
                    errors["trigger_date"] = _("This rule counts from a hearing, not a date.")
                if trigger_hearing is None:
                    errors["trigger_hearing"] = _(
                        "Choose the %(hearing_kind)s this rule counts from."
                    ) % {"hearing_kind": HearingKind(wanted).label.lower()}
                elif (
                    trigger_hearing.case_id != locked.pk
                    or trigger_hearing.kind != wanted
                    or trigger_hearing.status == HearingStatus.CANCELLED
                ):
                    errors["trigger_hearing"] = _(
                        "Choose a %(hearing_kind)s of this case that is not cancelled."
                    ) % {"hearing_kind": HearingKind(wanted).label.lower()}
            if not errors:
                calendar = computation.calendar_for_court(locked.court)
                day = (
                    trigger_date
                    if trigger_date is not None
                    else local_date(trigger_hearing.starts_at, locked.court)  # type: ignore[union-attr]
                )
                try:
                    computed = _compute(rule, day, calendar, in_custody=_in_custody(locked))
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
            errors["title"] = _("Give the deadline a title.")
        elif title is not None and len(title.strip()) > 200:
            errors["title"] = _("Keep the title to 200 characters.")
        if due_date is not None and locked.rule_id is not None:
            errors["due_date"] = _(
                "This date is computed by its rule; override it with a reason instead."
            )
        if trigger_date is not None and (locked.rule_id is None or locked.trigger_date is None):
            errors["trigger_date"] = (
                _(
                    "Only a deadline computed from a date has a trigger date (this one counts "
                    "from a hearing)."
                )
                if locked.rule_id
                else _("Only a deadline computed from a date has a trigger date.")
            )
        if due_date is not None and locked.due_at is not None:
            errors["due_date"] = _("This deadline has a time; it is not moved by hand.")
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
                locked.rule,
                trigger_date,
                computation.calendar_for_court(case.court),
                in_custody=_in_custody(case),
            )
            why = _("Trigger date %(old)s → %(new)s.") % {
                "old": old_trigger.isoformat() if old_trigger else "—",
                "new": trigger_date.isoformat(),
            } + (f" {reason.strip()}" if reason.strip() else "")
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
            errors["due_date"] = _("Enter the date.")
        if not reason.strip():
            errors["reason"] = _("Give the reason for overriding the computed date.")
        if locked.rule_id is None:
            errors["due_date"] = _("This deadline was set by hand; change its date instead.")
        elif isinstance(due_date, dt.date) and due_date == locked.computed_date:
            errors["due_date"] = (
                _("That is the computed date; remove the override instead.")
                if locked.override_reason
                else _("That is already the computed date.")
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
            raise Conflict(_("This deadline has no override to remove."), code="not_overridden")
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


def deadline_complete(*, deadline: Deadline, by: User) -> Deadline:
    """Mark a deadline met: the court, or a negotiator of the side that had to meet it."""
    with transaction.atomic():
        case = _lock_case(deadline.case_id)
        locked = _lock_deadline(deadline.pk)
        _require_sees_deadline(by, case, locked)
        if not permissions.may_complete_deadline(by, case, locked.responsible_side):
            raise PermissionDenied(
                _("The court, or counsel for the side that had to meet it, marks a deadline met.")
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
            raise ValidationError({"reason": _("Give the reason for cancelling the deadline.")})
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
            raise ValidationError({"reason": _("Give the reason for reopening the deadline.")})
        if locked.status == DeadlineStatus.OPEN:
            raise Conflict(_("This deadline is open."), code="deadline_open")
        locked.status = DeadlineStatus.OPEN
        locked.closed_at = None
        locked.closed_by = None
        locked.sequence += 1
        locked.save(update_fields=["status", "closed_at", "closed_by", "sequence", "updated_at"])
        _change(locked, DeadlineChangeKind.REOPENED, by, reason=reason.strip())
        alerts.plan_for_deadline(locked)
        return locked


def rule_preview(*, case: Case, rule: DeadlineRule, trigger_date: dt.date) -> computation.Computed:
    """What a rule gives for a trigger date on this case's court calendar, without saving."""
    _refuse_out_of_range(trigger_date=trigger_date)
    court = Court.objects.select_related("jurisdiction").get(pk=case.court_id)
    if rule.jurisdiction_id != court.jurisdiction_id or not rule.active:
        raise ValidationError({"rule": _("Choose an active rule of this case's jurisdiction.")})
    if not isinstance(trigger_date, dt.date):
        raise ValidationError({"trigger_date": _("Enter a date.")})
    try:
        return _compute(
            rule,
            trigger_date,
            computation.calendar_for_court(court),
            in_custody=_in_custody(case),
        )
    except (ValueError, OverflowError) as exc:
        raise ValidationError({"trigger_date": str(exc)}) from exc
