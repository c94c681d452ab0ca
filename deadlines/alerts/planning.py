"""Planning reminders: the Alert rows of a date's reminders brought in line with who may see
it, when it is and what each person wants."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils import timezone

from cases.models import Case
from deadlines import selectors
from deadlines.alerts.common import (
    AlertKey,
    DateObj,
    _alert,
    _date_recipients,
    _insert,
    _is_negotiation,
    _is_upcoming,
    _key,
    moment_of,
)
from deadlines.alerts.preferences import (
    EffectivePreference,
    _channels,
    _preference,
    _preferences_for,
)
from deadlines.models import (
    UPCOMING_HEARING_STATUSES,
    Alert,
    AlertStatus,
    AlertSubject,
    Deadline,
    DeadlineStatus,
    Hearing,
)
from parties.models import CaseParticipant

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@dataclass
class PlanResult:
    created: int = 0
    cancelled: int = 0
    revived: int = 0


def _plan(
    dates: Sequence[DateObj],
    *,
    only_user: User | None = None,
    now: dt.datetime | None = None,
    recipients_of: dict[tuple[int, bool], list[User]] | None = None,
) -> PlanResult:
    """Bring the reminders of `dates` (of `only_user`, if given) in line with who may see them,
    when they are and what each person wants. `recipients`: who is alerted of each (case id,
    negotiation), when the caller read it for many cases at once (`recipients_of`)."""
    now = now or timezone.now()
    result = PlanResult()
    if not dates:
        return result
    recipients_cache: dict[tuple[int, bool], list[User]] = dict(recipients_of or {})
    prefs: dict[tuple[int, str], EffectivePreference] = {}
    if recipients_cache:
        prefs.update(_preferences_for(r.pk for people in recipients_cache.values() for r in people))
    wanted: dict[AlertKey, Alert] = {}
    for date in dates:
        if not _is_upcoming(date):
            continue
        target = moment_of(date)
        if target <= now:
            continue
        negotiation = _is_negotiation(date)
        cache_key = (date.case_id, negotiation)
        if cache_key not in recipients_cache:
            recipients_cache[cache_key] = _date_recipients(date.case, negotiation=negotiation)
            prefs.update(_preferences_for(r.pk for r in recipients_cache[cache_key]))
        recipients = recipients_cache[cache_key]
        if only_user is not None:
            recipients = [r for r in recipients if r.pk == only_user.pk]
        for recipient in recipients:
            pref = _preference(prefs, recipient.pk, date.kind)
            for lead in pref.lead_minutes:
                send_at = target - dt.timedelta(minutes=lead)
                for channel in _channels(pref, recipient):
                    alert = _alert(
                        subject=AlertSubject.REMINDER,
                        date=date,
                        case=date.case,
                        recipient=recipient,
                        target_at=target,
                        lead=lead,
                        channel=channel,
                        send_at=send_at,
                    )
                    wanted[_key(alert)] = alert

    hearing_ids = [d.pk for d in dates if isinstance(d, Hearing)]
    deadline_ids = [d.pk for d in dates if isinstance(d, Deadline)]
    existing = Alert.objects.filter(
        Q(hearing_id__in=hearing_ids) | Q(deadline_id__in=deadline_ids),
        subject=AlertSubject.REMINDER,
        status__in=[AlertStatus.PENDING, AlertStatus.CANCELLED],
    )
    if only_user is not None:
        existing = existing.filter(recipient=only_user)
    to_cancel: list[int] = []
    to_revive: list[int] = []
    known: set[AlertKey] = set()
    for row in existing.only(
        "id",
        "subject",
        "deadline_id",
        "hearing_id",
        "target_at",
        "recipient_id",
        "lead_minutes",
        "channel",
        "status",
        "send_at",
    ):
        key = _key(row)
        known.add(key)
        if row.status == AlertStatus.PENDING and key not in wanted:
            to_cancel.append(row.pk)
        elif row.status == AlertStatus.CANCELLED and key in wanted and row.send_at >= now:
            to_revive.append(row.pk)
    # Only reminders still ahead are created: a date 20 hours away gets its 2-hour reminder,
    # not the ones whose time has gone. (A pending one that has just come due is kept above.)
    new = [a for k, a in wanted.items() if k not in known and a.send_at >= now]
    if new:
        result.created = _insert(new)
    if to_cancel:
        result.cancelled = Alert.objects.filter(
            pk__in=to_cancel, status=AlertStatus.PENDING
        ).update(status=AlertStatus.CANCELLED)
    if to_revive:
        result.revived = Alert.objects.filter(
            pk__in=to_revive, status=AlertStatus.CANCELLED
        ).update(status=AlertStatus.PENDING, attempts=0, last_error="")
    return result


def _hearings() -> QuerySet[Hearing]:
    return Hearing.objects.select_related("case__court", "courtroom")


def _deadlines() -> QuerySet[Deadline]:
    return Deadline.objects.select_related("case__court")


def plan_for_hearing(hearing: Hearing) -> PlanResult:
    """(Re)plan the reminders of one hearing; cancels those no longer wanted."""
    return _plan([hearing])


def plan_for_new_hearings(hearings: Sequence[Hearing]) -> PlanResult:
    """Plan the reminders of hearings just scheduled (a docket import's batch): their cases'
    recipients in one query, the alerts in one insert, whatever the number of cases."""
    if not hearings:
        return PlanResult()
    by_case = selectors.date_recipients_of_cases(h.case_id for h in hearings)
    recipients = {(case_id, False): people for case_id, people in by_case.items()}
    return _plan(hearings, recipients_of=recipients)


def plan_for_deadline(deadline: Deadline) -> PlanResult:
    """(Re)plan the reminders of one deadline; cancels those no longer wanted."""
    return _plan([deadline])


def plan_for_case(case: Case) -> PlanResult:
    """Replan every date of a case still ahead (its participants changed), and clear pending
    reminders of its dates that are over."""
    pending = Alert.objects.filter(
        case=case, subject=AlertSubject.REMINDER, status=AlertStatus.PENDING
    )
    hearings = list(
        _hearings().filter(
            Q(case=case, status__in=UPCOMING_HEARING_STATUSES)
            | Q(pk__in=pending.filter(hearing__isnull=False).values("hearing_id"))
        )
    )
    deadlines = list(
        _deadlines().filter(
            Q(case=case, status=DeadlineStatus.OPEN)
            | Q(pk__in=pending.filter(deadline__isnull=False).values("deadline_id"))
        )
    )
    return _plan([*hearings, *deadlines])


def plan_for_user(user: User) -> PlanResult:
    """Replan `user`'s reminders of every date still ahead on their cases (their preferences
    changed)."""
    now = timezone.now()
    case_ids = CaseParticipant.objects.held_by(user).active().values("case_id")
    pending = Alert.objects.filter(
        recipient=user, subject=AlertSubject.REMINDER, status=AlertStatus.PENDING
    )
    hearings = list(
        _hearings().filter(
            Q(case_id__in=case_ids, status__in=UPCOMING_HEARING_STATUSES, starts_at__gt=now)
            | Q(pk__in=pending.filter(hearing__isnull=False).values("hearing_id"))
        )
    )
    # Court days lag UTC by up to a day; the exact moment is checked when planning.
    recent = (now - dt.timedelta(days=2)).date()
    deadlines = list(
        _deadlines().filter(
            Q(case_id__in=case_ids, status=DeadlineStatus.OPEN, due_date__gte=recent)
            | Q(pk__in=pending.filter(deadline__isnull=False).values("deadline_id"))
        )
    )
    return _plan([*hearings, *deadlines], only_user=user, now=now)
