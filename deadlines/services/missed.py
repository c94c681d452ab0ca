"""The sweep that marks missed the open deadlines whose moment has passed, and escalates each."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from deadlines import alerts
from deadlines.models import (
    Deadline,
    DeadlineChange,
    DeadlineChangeKind,
    DeadlineKind,
    DeadlineStatus,
)
from deadlines.selectors import deadline_moment
from deadlines.services.common import ENDED_CASE_STATUSES, _change

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
