"""A case that ends keeps no court dates."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone

from cases.models import Case
from core import domain_events
from deadlines import alerts
from deadlines.models import (
    UPCOMING_HEARING_STATUSES,
    Deadline,
    DeadlineChangeKind,
    DeadlineStatus,
    Hearing,
    HearingChange,
    HearingStatus,
)
from deadlines.services.common import _change, _close

if TYPE_CHECKING:
    from django.contrib.auth.models import User


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
