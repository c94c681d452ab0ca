"""What the writes about court dates share: locks, the rule arithmetic, the history row of
a deadline change (and the events it announces), closing a deadline, and moving a computed
deadline to a new computed date."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Final

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cases.models import Case, CaseStatus
from core import domain_events
from core.exceptions import Conflict
from deadlines import alerts, computation
from deadlines.models import Deadline, DeadlineChange, DeadlineChangeKind, DeadlineRule
from deadlines.selectors import cases_in_custody

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class _Unset:
    """A keyword argument that was not given (None is a value: "no judge")."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = _Unset()

# Cases on which no court date is set any more.
ENDED_CASE_STATUSES = frozenset({CaseStatus.CLOSED, CaseStatus.DISMISSED})


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


def _rule_of(rule: DeadlineRule, counting: computation.Counting) -> computation.Rule:
    return computation.Rule(
        offset=rule.offset,
        unit=rule.unit,  # type: ignore[arg-type]
        direction=rule.direction,  # type: ignore[arg-type]
        roll=rule.roll,  # type: ignore[arg-type]
        citation=rule.citation,
        counting_citation=counting.counting_citation,
    )


def _compute(
    rule: DeadlineRule,
    trigger: dt.date,
    calendar: computation.CourtCalendar,
    *,
    in_custody: bool,
) -> computation.Computed:
    """`rule` counted from `trigger` on `calendar`; `in_custody`: a defendant on the case is
    in custody now (deadlines.selectors.cases_in_custody)."""
    return computation.compute(
        trigger, _rule_of(rule, calendar.counting), calendar, in_custody=in_custody
    )


def _in_custody(case: Case) -> bool:
    return case.pk in cases_in_custody([case.pk])


def _explain(rule: DeadlineRule, computed: computation.Computed) -> str:
    return "\n".join((f"{rule.name} ({rule.citation})", *computed.explanation))


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


def _require_case_open(case: Case) -> None:
    if case.status in ENDED_CASE_STATUSES:
        raise Conflict(
            _("No court dates are set on a case that is “%(case_status)s”.")
            % {"case_status": CaseStatus(case.status).label},
            code="case_ended",
        )


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
        note = _("%(reason)s The computed date is now the overriding date; the override ends.") % {
            "reason": reason
        }
    else:
        note = _(
            "%(reason)s Computed date %(old)s → %(new)s; the override to %(due_date)s stays."
        ) % {
            "reason": reason,
            "old": old_computed.isoformat() if old_computed else "—",
            "new": computed.date.isoformat(),
            "due_date": deadline.due_date.isoformat(),
        }
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


def _close(deadline: Deadline, status: str, by: User | None, when: dt.datetime) -> None:
    deadline.status = status
    deadline.closed_at = when
    deadline.closed_by = by
    deadline.sequence += 1
    deadline.save(update_fields=["status", "closed_at", "closed_by", "sequence", "updated_at"])
