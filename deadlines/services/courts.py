"""Courtrooms and closure days; a closure day moves the computed deadlines of the court."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from cases import permissions
from cases.models import Case, Court
from cases.services import court_today
from core.exceptions import Conflict
from core.text import single_line
from deadlines import computation
from deadlines.models import CourtClosure, Courtroom, Deadline, DeadlineChangeKind, DeadlineStatus
from deadlines.selectors import cases_in_custody, local_date
from deadlines.services.common import _compute, _move_computed, _refuse_out_of_range

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def courtroom_create(*, court: Court, by: User, name: str) -> Courtroom:
    """Court staff of the court add a courtroom; names are unique within a court."""
    with transaction.atomic():
        if not permissions.may_manage_closures(by, court):
            raise PermissionDenied(_("Only the court's staff add courtrooms."))
        name = single_line(name)
        if not name:
            raise ValidationError({"name": _("Name the courtroom.")})
        if len(name) > 100:
            raise ValidationError({"name": _("Keep the name to 100 characters.")})
        if Courtroom.objects.filter(court=court, name__iexact=name).exists():
            raise ValidationError(
                {
                    "name": _("%(court_name)s already has a courtroom “%(name)s”.")
                    % {"court_name": court.name, "name": name}
                }
            )
        try:
            with transaction.atomic():
                return Courtroom.objects.create(court=court, name=name)
        except IntegrityError:
            raise ValidationError(
                {
                    "name": _("%(court_name)s already has a courtroom “%(name)s”.")
                    % {"court_name": court.name, "name": name}
                }
            ) from None


def closure_add(*, court: Court, by: User, date: dt.date, reason: str) -> CourtClosure:
    """Court staff record a day the court does not sit; the computed deadlines of the court
    that it changes move with it."""
    _refuse_out_of_range(date=date)
    with transaction.atomic():
        permissions.require_closure_manager(by, court)
        errors: dict[str, str] = {}
        if not isinstance(date, dt.date):
            errors["date"] = _("Enter a date.")
        if not reason.strip():
            errors["reason"] = _("Say why the court is closed.")
        if errors:
            raise ValidationError(errors)
        Court.objects.select_for_update().filter(pk=court.pk).first()
        if CourtClosure.objects.filter(court=court, date=date).exists():
            raise ValidationError(
                {"date": _("The court is already closed on %(date)s.") % {"date": date.isoformat()}}
            )
        closure = CourtClosure.objects.create(
            court=court, date=date, reason=reason.strip(), created_by=by
        )
        _recompute_court(
            court,
            by,
            _("Court closed on %(date)s: %(reason)s")
            % {"date": date.isoformat(), "reason": reason.strip()},
        )
        return closure


def closure_remove(*, closure: CourtClosure, by: User) -> None:
    with transaction.atomic():
        court = Court.objects.select_related("jurisdiction").get(pk=closure.court_id)
        permissions.require_closure_manager(by, court)
        Court.objects.select_for_update().filter(pk=court.pk).first()
        deleted, _count = CourtClosure.objects.filter(pk=closure.pk).delete()
        if not deleted:
            raise Conflict(_("This closure day has already been removed."), code="closure_gone")
        _recompute_court(
            court,
            by,
            _("Court closure on %(date)s withdrawn: %(reason)s")
            % {"date": closure.date.isoformat(), "reason": closure.reason},
        )


def _trigger_day(deadline: Deadline) -> dt.date:
    """The day a computed deadline counts from: its trigger date, or its trigger hearing's day
    in the court's calendar."""
    if deadline.trigger_hearing_id is not None:
        assert deadline.trigger_hearing is not None
        return local_date(deadline.trigger_hearing.starts_at, deadline.case.court)
    assert deadline.trigger_date is not None
    return deadline.trigger_date


def _recompute_court(court: Court, by: User | None, reason: str) -> int:
    """Recompute the open computed deadlines of `court` due today or later against its
    calendar as it now is; write a history row for each one that moved (how many is returned).
    An overridden deadline keeps its override, but its computed date is brought up to date
    underneath."""
    court = Court.objects.select_related("jurisdiction").get(pk=court.pk)
    return _recompute(court, Deadline.objects.filter(case__court=court), by, reason)


def court_deadlines_recompute(*, court: Court, reason: str) -> int:
    """Recompute the open computed deadlines of `court` due today or later, by Parley itself,
    after what they are counted with changed outside the services (a new release's rules or
    counting, the court's subdivision edited in the admin); returns how many moved."""
    with transaction.atomic():
        Court.objects.select_for_update().filter(pk=court.pk).first()
        return _recompute_court(court, None, reason)


def case_deadlines_recompute(*, case: Case, reason: str) -> None:
    """Recompute the open computed deadlines of one case due today or later after a defendant
    was detained or released, where the case's profile counts custody (CPL art. 105). Run by
    deadlines.subscribers inside the publisher's transaction; Parley itself makes the change."""
    court = Court.objects.select_related("jurisdiction").get(pk=case.court_id)
    counting = computation.Counting.from_parameters(court.jurisdiction.parameters)
    if not counting.holiday_extension_suspended_in_custody:
        return
    _recompute(court, Deadline.objects.filter(case=case), None, reason)


def _recompute(court: Court, deadlines: QuerySet[Deadline], by: User | None, reason: str) -> int:
    today = court_today(court)
    affected = deadlines.filter(
        status=DeadlineStatus.OPEN,
        rule__isnull=False,
        due_date__gte=today,
    )
    case_ids = sorted(set(affected.values_list("case_id", flat=True)))
    if not case_ids:
        return 0
    # Lock the cases in id order so that two recomputations never wait on each other.
    list(
        Case.objects.select_for_update(no_key=True, of=("self",))
        .filter(pk__in=case_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    calendar = computation.calendar_for_court(court)
    in_custody = cases_in_custody(case_ids)
    moved = 0
    for deadline in affected.select_related("case__court", "rule", "trigger_hearing").order_by(
        "pk"
    ):
        assert deadline.rule is not None
        computed = _compute(
            deadline.rule,
            _trigger_day(deadline),
            calendar,
            in_custody=deadline.case_id in in_custody,
        )
        moved += _move_computed(
            deadline,
            computed,
            by,
            _("Recomputed: %(reason)s") % {"reason": reason},
            kind=DeadlineChangeKind.RECOMPUTED,
        )
    return moved
