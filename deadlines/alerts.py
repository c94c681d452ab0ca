"""Alerts: reminders before court dates, one-off notices, their delivery, the inbox.

Planning writes Alert rows; delivering turns a due row into a Notification or an e-mail.

- Planning is idempotent. Each alert has a unique key (subject, date, target moment, recipient,
  lead time, channel): planning twice inserts nothing new (INSERT … ON CONFLICT DO NOTHING),
  and pending reminders that are no longer wanted (the date moved, was cancelled, held or met,
  the person lost access or changed their preferences) are cancelled in one UPDATE.
- Delivery is once per alert, by one sweep per channel (deadlines.tasks: in-app alerts never
  wait on e-mail). A sweep claims a batch with one conditional UPDATE (a claim token and a
  lease) and delivers each alert only if the claim is still its own. A worker that dies leaves
  its claims to expire; the next sweep takes them over. In-app notifications are written in the
  same transaction as the flip to `sent` (and `Notification.alert` is unique). An e-mail is
  claimed, marked `sending`, handed to the mail server outside any transaction, then recorded
  `sent`, the record retried on a new connection if the old one was cut; a later sweep that
  finds it recorded sends nothing (see _deliver_email for the one case that may repeat, under
  the same Message-ID).
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import time
import uuid
import zoneinfo
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import psycopg
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models import Case as SqlCase
from django.db.models import F, Q, QuerySet, Value, When
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from cases import permissions
from cases.models import Case
from deadlines import selectors
from deadlines.models import (
    DEFAULT_LEAD_MINUTES,
    NEGOTIATION_DEADLINE_KINDS,
    UPCOMING_HEARING_STATUSES,
    Alert,
    AlertChannel,
    AlertPreference,
    AlertSettings,
    AlertStatus,
    AlertSubject,
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    Hearing,
    HearingKind,
    HearingStatus,
    Notification,
)
from parties.models import CaseParticipant, UserProfile

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from negotiations.models import Offer

logger = logging.getLogger(__name__)

MAX_LEAD_MINUTES = 60 * 24 * 60  # 60 days
MAX_LEADS = 8
# A failed e-mail is tried again after 1, 2, 4 … minutes, at most an hour apart, for ever: a
# broken mail server must not lose a reminder.
RETRY_BASE_SECONDS = 60
RETRY_MAX_SECONDS = 3600
DIGEST_DAYS = 14  # the next two weeks, as on the dashboard

DateObj = Hearing | Deadline
# The unique key of an alert, as compared in Python.
AlertKey = tuple[str, int | None, int | None, dt.datetime, int, int, str]


# ---------------------------------------------------------------------------------------------
# Preferences
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EffectivePreference:
    """What applies to one kind of date for one user: their row, or the defaults."""

    kind: str
    label: str
    lead_minutes: tuple[int, ...]
    in_app: bool
    email: bool
    is_default: bool


def _kind_labels() -> dict[str, str]:
    labels: dict[str, str] = {}
    for value, label in HearingKind.choices:
        labels[value] = str(label)
    for value, label in DeadlineKind.choices:
        labels[value] = str(label)
    return labels


def _default_preference(kind: str) -> EffectivePreference:
    return EffectivePreference(
        kind=kind,
        label=_kind_labels().get(kind, kind),
        lead_minutes=DEFAULT_LEAD_MINUTES,
        in_app=True,
        email=True,
        is_default=True,
    )


def _from_row(row: AlertPreference) -> EffectivePreference:
    return EffectivePreference(
        kind=row.kind,
        label=_kind_labels().get(row.kind, row.kind),
        lead_minutes=tuple(sorted(row.lead_minutes, reverse=True)),
        in_app=row.in_app,
        email=row.email,
        is_default=False,
    )


def preferences_of(user: User) -> list[EffectivePreference]:
    """Every kind of date (hearing kinds, then deadline kinds) with the lead times and channels
    that apply to `user`."""
    rows = {row.kind: row for row in AlertPreference.objects.filter(user=user)}
    kinds = [value for value, _ in HearingKind.choices] + [v for v, _ in DeadlineKind.choices]
    return [_from_row(rows[kind]) if kind in rows else _default_preference(kind) for kind in kinds]


def _preferences_for(user_ids: Iterable[int]) -> dict[tuple[int, str], EffectivePreference]:
    """The preference rows of these users (one query); missing (user, kind) pairs mean the
    defaults."""
    ids = set(user_ids)
    if not ids:
        return {}
    return {
        (row.user_id, row.kind): _from_row(row)
        for row in AlertPreference.objects.filter(user_id__in=ids)
    }


def _preference(
    prefs: dict[tuple[int, str], EffectivePreference], user_id: int, kind: str
) -> EffectivePreference:
    return prefs.get((user_id, kind)) or _default_preference(kind)


def _valid_kinds() -> set[str]:
    return {v for v, _ in HearingKind.choices} | {v for v, _ in DeadlineKind.choices}


def _validated_leads(lead_minutes: Any) -> list[int]:
    if not isinstance(lead_minutes, list | tuple) or not lead_minutes:
        raise ValidationError({"lead_minutes": "Give between 1 and 8 lead times."})
    if len(lead_minutes) > MAX_LEADS:
        raise ValidationError({"lead_minutes": "Give at most 8 lead times."})
    leads: list[int] = []
    for value in lead_minutes:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError({"lead_minutes": "Lead times are whole numbers of minutes."})
        if not 1 <= value <= MAX_LEAD_MINUTES:
            raise ValidationError(
                {"lead_minutes": "Each lead time is between 1 minute and 60 days (86400)."}
            )
        leads.append(value)
    if len(set(leads)) != len(leads):
        raise ValidationError({"lead_minutes": "Lead times must be different from each other."})
    return sorted(leads, reverse=True)


@transaction.atomic
def alert_preference_set(
    *,
    user: User,
    kind: str,
    lead_minutes: Sequence[int],
    in_app: bool,
    email: bool,
    replan: bool = True,
) -> AlertPreference:
    """Set `user`'s lead times and channels for one kind of date, then replan their alerts
    (a caller saving every kind at once passes `replan=False` and calls plan_for_user once)."""
    if kind not in _valid_kinds():
        raise ValidationError({"kind": "Not a kind of hearing or deadline."})
    leads = _validated_leads(list(lead_minutes) if lead_minutes is not None else None)
    pref, _ = AlertPreference.objects.update_or_create(
        user=user,
        kind=kind,
        defaults={"lead_minutes": leads, "in_app": bool(in_app), "email": bool(email)},
    )
    if replan:
        plan_for_user(user)
    return pref


@transaction.atomic
def alert_settings_set(
    *, user: User, daily_digest: bool, digest_hour: int, time_zone: str
) -> AlertSettings:
    errors: dict[str, str] = {}
    if (
        isinstance(digest_hour, bool)
        or not isinstance(digest_hour, int)
        or not 0 <= digest_hour <= 23
    ):
        errors["digest_hour"] = "The hour is a whole number from 0 to 23."
    try:
        zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        errors["time_zone"] = "Not a known time zone (e.g. America/New_York)."
    if errors:
        raise ValidationError(errors)
    alert_settings, _ = AlertSettings.objects.update_or_create(
        user=user,
        defaults={
            "daily_digest": bool(daily_digest),
            "digest_hour": digest_hour,
            "time_zone": time_zone,
        },
    )
    return alert_settings


def alert_settings_of(user: User) -> AlertSettings:
    """The user's settings (unsaved defaults when they have none)."""
    found = AlertSettings.objects.filter(user=user).first()
    return found or AlertSettings(user=user)


# ---------------------------------------------------------------------------------------------
# Dates: moment, recipients
# ---------------------------------------------------------------------------------------------


def _deadline_moment(deadline: Deadline) -> dt.datetime:
    return selectors.deadline_moment(deadline)


def moment_of(date: DateObj) -> dt.datetime:
    if isinstance(date, Hearing):
        return date.starts_at
    return _deadline_moment(date)


def _date_recipients(case: Case, *, negotiation: bool) -> list[User]:
    return selectors.date_recipients(case, negotiation=negotiation)


def _is_negotiation(date: DateObj) -> bool:
    return isinstance(date, Deadline) and date.kind in NEGOTIATION_DEADLINE_KINDS


def _is_upcoming(date: DateObj) -> bool:
    if isinstance(date, Hearing):
        return date.status in UPCOMING_HEARING_STATUSES
    return date.status == DeadlineStatus.OPEN


def _channels(pref: EffectivePreference, user: User) -> list[str]:
    channels = []
    if pref.in_app:
        channels.append(AlertChannel.IN_APP.value)
    if pref.email and user.email:
        channels.append(AlertChannel.EMAIL.value)
    return channels


def _key(alert: Alert) -> AlertKey:
    return (
        alert.subject,
        alert.deadline_id,
        alert.hearing_id,
        alert.target_at,
        alert.recipient_id,
        alert.lead_minutes,
        alert.channel,
    )


def _alert(
    *,
    subject: str,
    date: DateObj | None,
    case: Case | None,
    recipient: User,
    target_at: dt.datetime,
    lead: int,
    channel: str,
    send_at: dt.datetime,
) -> Alert:
    return Alert(
        recipient=recipient,
        channel=channel,
        subject=subject,
        case=case,
        deadline=date if isinstance(date, Deadline) else None,
        hearing=date if isinstance(date, Hearing) else None,
        target_at=target_at,
        lead_minutes=lead,
        send_at=send_at,
    )


_INSERT_COLUMNS = (
    "recipient_id",
    "channel",
    "subject",
    "case_id",
    "deadline_id",
    "hearing_id",
    "target_at",
    "lead_minutes",
    "send_at",
    "status",
    "attempts",
    "last_error",
    "created_at",
)


def _insert(new: Sequence[Alert]) -> int:
    """Insert alerts whose key is not taken yet; returns how many were new. (bulk_create with
    ignore_conflicts cannot tell.)"""
    created = 0
    now = timezone.now()
    for start in range(0, len(new), 500):
        chunk = new[start : start + 500]
        row = "(" + ", ".join(["%s"] * len(_INSERT_COLUMNS)) + ")"
        params: list[Any] = []
        for a in chunk:
            params += [
                a.recipient_id,
                a.channel,
                a.subject,
                a.case_id,
                a.deadline_id,
                a.hearing_id,
                a.target_at,
                a.lead_minutes,
                a.send_at,
                AlertStatus.PENDING,
                0,
                "",
                now,
            ]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO deadlines_alert ({', '.join(_INSERT_COLUMNS)}) "  # noqa: S608
                f"VALUES {', '.join([row] * len(chunk))} "
                "ON CONFLICT ON CONSTRAINT alert_key_unique DO NOTHING RETURNING id",
                params,
            )
            created += len(cursor.fetchall())
    return created


# ---------------------------------------------------------------------------------------------
# Planning reminders
# ---------------------------------------------------------------------------------------------


@dataclass
class PlanResult:
    created: int = 0
    cancelled: int = 0
    revived: int = 0


def _plan(
    dates: Sequence[DateObj], *, only_user: User | None = None, now: dt.datetime | None = None
) -> PlanResult:
    """Bring the reminders of `dates` (of `only_user`, if given) in line with who may see them,
    when they are and what each person wants."""
    now = now or timezone.now()
    result = PlanResult()
    if not dates:
        return result
    recipients_cache: dict[tuple[int, bool], list[User]] = {}
    prefs: dict[tuple[int, str], EffectivePreference] = {}
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


# ---------------------------------------------------------------------------------------------
# One-off alerts
# ---------------------------------------------------------------------------------------------


def _one_off(
    *,
    subject: str,
    date: DateObj | None,
    case: Case,
    kind: str,
    target_at: dt.datetime,
    recipients: Sequence[User],
    all_channels: bool = False,
) -> int:
    now = timezone.now()
    prefs = _preferences_for(r.pk for r in recipients)
    alerts: list[Alert] = []
    for recipient in recipients:
        if all_channels:
            channels = [AlertChannel.IN_APP.value]
            if recipient.email:
                channels.append(AlertChannel.EMAIL.value)
        else:
            channels = _channels(_preference(prefs, recipient.pk, kind), recipient)
        for channel in channels:
            alerts.append(
                _alert(
                    subject=subject,
                    date=date,
                    case=case,
                    recipient=recipient,
                    target_at=target_at,
                    lead=0,
                    channel=channel,
                    send_at=now,
                )
            )
    if not alerts:
        return 0
    return _insert(alerts)


def notify_hearing_changed(hearing: Hearing) -> int:
    """Tell everyone who sees the hearing that it moved or was cancelled (sent at the next
    sweep). Keyed by the moment the change was recorded (`updated_at`), so every change gets
    its own notice: a hearing moved from A to B, back to A and again to B announces each move,
    and one continued and then cancelled announces the cancellation."""
    target = hearing.updated_at or timezone.now()
    return _one_off(
        subject=AlertSubject.HEARING_CHANGED,
        date=hearing,
        case=hearing.case,
        kind=hearing.kind,
        target_at=target,
        recipients=_date_recipients(hearing.case, negotiation=False),
    )


def notify_offer_expired(offer: Offer) -> int:
    """Tell the offer readers of both sides that an offer expired (once per offer)."""
    deadline = Deadline.objects.filter(offer=offer).first()
    target = offer.expires_at or (deadline.due_at if deadline else None) or timezone.now()
    return _one_off(
        subject=AlertSubject.OFFER_EXPIRED,
        date=deadline,
        case=offer.case,
        kind=DeadlineKind.OFFER_EXPIRY,
        target_at=target,
        recipients=_date_recipients(offer.case, negotiation=True),
    )


def escalation_recipients(deadline: Deadline) -> list[User]:
    """The active lead(s) of the side that had to act (every side's lead when the deadline binds
    every side) who may see the deadline, and the supervisors of their offices."""
    from django.contrib.auth.models import User

    case = deadline.case
    leads_qs = (
        CaseParticipant.objects.filter(case=case, is_lead=True)
        .active()
        .select_related("user__profile", "defendant__user__profile")
        .order_by("id")
    )
    if deadline.responsible_side:
        leads_qs = leads_qs.filter(side=deadline.responsible_side)
    people: dict[int, User] = {}
    org_ids: set[int] = set()
    for participant in leads_qs:
        person = participant.user or (participant.defendant.user if participant.defendant else None)
        if person is None or not person.is_active:
            continue
        if not permissions.may_read_case_date(
            person, case, negotiation=deadline.kind in NEGOTIATION_DEADLINE_KINDS
        ):
            continue
        people[person.pk] = person
        try:
            organization_id = person.profile.organization_id
        except UserProfile.DoesNotExist:
            organization_id = None
        if organization_id is not None:
            org_ids.add(organization_id)
    if org_ids:
        for supervisor in User.objects.filter(
            is_active=True,
            profile__is_supervisor=True,
            profile__organization_id__in=org_ids,
        ).order_by("id"):
            people.setdefault(supervisor.pk, supervisor)
    return list(people.values())


def escalate_missed(deadline: Deadline) -> int:
    """A deadline was missed: tell the responsible side's lead and their office's supervisors,
    by every channel."""
    return _one_off(
        subject=AlertSubject.ESCALATION,
        date=deadline,
        case=deadline.case,
        kind=deadline.kind,
        target_at=_deadline_moment(deadline),
        recipients=escalation_recipients(deadline),
        all_channels=True,
    )


# ---------------------------------------------------------------------------------------------
# The sweep: claim, deliver
# ---------------------------------------------------------------------------------------------


@dataclass
class SweepResult:
    claimed: int = 0
    sent: int = 0
    lapsed: int = 0
    cancelled: int = 0
    retried: int = 0
    skipped: int = 0
    # Claimed but not begun (the budget ran out, or the mail server stopped answering): given
    # back to pending at once, as they were.
    released: int = 0
    batches: int = 0
    errors: list[str] = field(default_factory=list)


# What a claim that was taken over from an e-mail attempt in flight says (see _deliver_email).
LOST_WHILE_SENDING = (
    "The attempt before this one stopped while handing the e-mail to the mail server (its worker "
    "died or lost the database); it is sent again under the same Message-ID."
)

# One statement claims the batch. Each ARRAY(…) is an InitPlan run once, so the UPDATE finds its
# rows by primary key instead of joining the whole table; each subquery reads its partial index
# (channel, then time) in order and stops after `batch` rows, so the cost does not grow with a
# backlog, of its own channel or of the other. SKIP LOCKED: a concurrent sweep takes other rows
# instead of waiting for these. A claim or an e-mail attempt older than the lease belongs to a
# worker that is gone (the tasks' time limits end every worker's hold well within the lease).
_CLAIM_SQL = """
UPDATE deadlines_alert
   SET status = 'claimed', claim_token = %(token)s, claimed_at = %(now)s, attempts = attempts + 1,
       last_error = CASE WHEN status = 'sending' THEN %(lost)s ELSE last_error END
 WHERE id = ANY({arrays})
RETURNING id
"""
_CLAIM_ARRAYS = """
        ARRAY(SELECT id FROM deadlines_alert
               WHERE status IN ('claimed', 'sending') AND channel = %(channel{n})s
                 AND claimed_at < %(stale)s
               ORDER BY claimed_at
               LIMIT %(batch)s
                 FOR UPDATE SKIP LOCKED)
        || ARRAY(SELECT id FROM deadlines_alert
                  WHERE status = 'pending' AND channel = %(channel{n})s AND send_at <= %(now)s
                  ORDER BY send_at
                  LIMIT %(batch)s
                    FOR UPDATE SKIP LOCKED)"""


def _claim_sql(channels: Sequence[str]) -> str:
    arrays = " || ".join(_CLAIM_ARRAYS.format(n=n) for n in range(len(channels)))
    return _CLAIM_SQL.format(arrays=arrays)


def _claim_params(
    *, token: uuid.UUID, now: dt.datetime, batch: int, channels: Sequence[str]
) -> dict[str, Any]:
    lease = dt.timedelta(seconds=getattr(settings, "ALERT_CLAIM_LEASE_SECONDS", 300))
    params: dict[str, Any] = {
        "token": token,
        "now": now,
        "stale": now - lease,
        "batch": batch,
        "lost": LOST_WHILE_SENDING,
    }
    params.update({f"channel{n}": channel for n, channel in enumerate(channels)})
    return params


def claim_batch(
    *,
    now: dt.datetime,
    batch: int,
    token: uuid.UUID | None = None,
    channel: str | None = None,
) -> list[int]:
    """Claim up to `batch` due alerts of `channel` (of each channel when None), and claims
    whose lease ran out, in one statement. Rows another sweep is claiming are skipped, not
    waited for."""
    token = token or uuid.uuid4()
    channels = [channel] if channel else AlertChannel.values
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            _claim_sql(channels),
            _claim_params(token=token, now=now, batch=batch, channels=channels),
        )
        return [row[0] for row in cursor.fetchall()]


def _retry_delay(attempts: int) -> dt.timedelta:
    seconds = RETRY_BASE_SECONDS * 2 ** max(0, min(attempts - 1, 12))
    return dt.timedelta(seconds=min(seconds, RETRY_MAX_SECONDS))


def _reminder_is_stale(alert: Alert) -> bool:
    """A reminder of a date that was cancelled, held, met or moved after it was claimed (the
    replanning cancels only pending ones)."""
    if alert.hearing is not None:
        return (
            alert.hearing.status not in UPCOMING_HEARING_STATUSES
            or alert.hearing.starts_at != alert.target_at
        )
    if alert.deadline is not None:
        return (
            alert.deadline.status != DeadlineStatus.OPEN
            or _deadline_moment(alert.deadline) != alert.target_at
        )
    return False


def _still_concerns(alert: Alert) -> bool:
    """Whether the recipient may still be told about the alert's date. Escalations go to case
    leads and to office supervisors who need not be on the case; digests carry no case."""
    if alert.case is None or alert.subject == AlertSubject.ESCALATION:
        return True
    negotiation = alert.subject == AlertSubject.OFFER_EXPIRED or (
        alert.deadline is not None and alert.deadline.kind in NEGOTIATION_DEADLINE_KINDS
    )
    return permissions.may_be_alerted(alert.recipient, alert.case, negotiation=negotiation)


# How much of an alert its reader is shown: all of it, or (an office supervisor who does not
# see the case) who of their office missed what kind of deadline when, and nothing of the case.
FULL_VIEW = "full"
OFFICE_VIEW = "office"


def alert_view(alert: Alert, *, reader: User, walls: frozenset[str]) -> str | None:
    """What `reader`, whose walls on the alert's case are `walls` (cases.permissions.walls_of),
    may be shown of `alert` now: FULL_VIEW, OFFICE_VIEW, or None (nothing: an item they no
    longer have access to)."""
    if alert.subject == AlertSubject.DIGEST or alert.case_id is None:
        return FULL_VIEW
    negotiation = alert.subject == AlertSubject.OFFER_EXPIRED or (
        alert.deadline is not None and alert.deadline.kind in NEGOTIATION_DEADLINE_KINDS
    )
    if permissions.may_read_date_behind(walls, negotiation=negotiation):
        return FULL_VIEW
    if alert.subject == AlertSubject.ESCALATION and permissions.hears_office_escalations(reader):
        return OFFICE_VIEW
    return None


def _recipient_view(alert: Alert) -> str | None:
    walls = (
        permissions.walls_of(alert.recipient, alert.case) if alert.case is not None else frozenset()
    )
    return alert_view(alert, reader=alert.recipient, walls=walls)


def _notification_params(alert: Alert, *, now: dt.datetime) -> dict[str, Any]:
    if alert.subject != AlertSubject.DIGEST:
        return {}
    tz = zoneinfo.ZoneInfo(alert_settings_of(alert.recipient).time_zone or "UTC")
    return selectors.digest_params(alert.recipient, days=DIGEST_DAYS, day=now.astimezone(tz).date())


def _finish(alert: Alert, token: uuid.UUID, **changes: Any) -> bool:
    """Move a claimed alert on, if the claim is still ours."""
    return (
        Alert.objects.filter(pk=alert.pk, claim_token=token, status=AlertStatus.CLAIMED).update(
            **changes
        )
        == 1
    )


def _claimed(ids: Sequence[int]) -> QuerySet[Alert]:
    """Claimed alerts with everything their message needs (one query for a whole batch)."""
    return Alert.objects.select_related(
        "recipient",
        "case__court",
        "hearing__courtroom",
        "hearing__judge",
        "hearing__case__court",
        "deadline__case__court",
    ).filter(pk__in=ids, status=AlertStatus.CLAIMED)


# Seconds to wait before each new try of a write whose database connection was cut (the first
# try again at once: usually only this connection was lost, not the server).
RECONNECT_DELAYS = (0.0, 0.5, 2.0)

_T = TypeVar("_T")


# Django's database errors and psycopg's own: the audit trail's execute wrapper (audit.context)
# talks to psycopg directly, so a write's errors can arrive unwrapped.
_LOST_CONNECTION = (
    OperationalError,
    InterfaceError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
)
_DATABASE_ERRORS = (DatabaseError, psycopg.Error)


def _with_reconnect(write: Callable[[], _T]) -> _T:
    """Run `write` (one statement, its own transaction), and if the database connection was cut
    under it, close the connection and run it again on a fresh one, a few times. Every
    statement given here is a read or a conditional UPDATE, so a try whose commit landed but
    whose answer was lost changes nothing the second time. Inside a caller's transaction
    nothing is retried: that transaction died with its connection."""
    for delay in RECONNECT_DELAYS:
        try:
            return write()
        except _LOST_CONNECTION as error:
            if connection.in_atomic_block:
                raise
            logger.warning("database connection lost (%s); trying again on a new one", error)
            connection.close()
            time.sleep(delay)
    return write()


def _not_to_send(alert: Alert, *, now: dt.datetime) -> str | None:
    """What a claimed alert becomes instead of being sent (LAPSED, CANCELLED), or None."""
    if alert.subject == AlertSubject.REMINDER:
        if alert.target_at <= now:
            # The date has gone by (the system was down): a late reminder misleads.
            return AlertStatus.LAPSED
        if _reminder_is_stale(alert):
            return AlertStatus.CANCELLED
    recipient = alert.recipient
    if not recipient.is_active or (alert.channel == AlertChannel.EMAIL and not recipient.email):
        # The account was closed, or the address removed, since the alert was planned.
        return AlertStatus.CANCELLED
    return None


def _end_unsent(alert: Alert, token: uuid.UUID, status: str) -> str:
    if not _finish(alert, token, status=status):
        return "skipped"
    return "lapsed" if status == AlertStatus.LAPSED else "cancelled"


def _back_to_pending(
    alert: Alert, *, token: uuid.UUID, now: dt.datetime, error: BaseException, was: str
) -> str:
    """A failed attempt (`was` the claim or the e-mail in flight): pending again, after a
    backoff, with its error kept."""
    logger.warning("alert %s not delivered: %s", alert.pk, error)
    returned = _with_reconnect(
        lambda: Alert.objects.filter(pk=alert.pk, status=was, claim_token=token).update(
            status=AlertStatus.PENDING,
            claim_token=None,
            claimed_at=None,
            send_at=now + _retry_delay(alert.attempts),
            last_error=f"{type(error).__name__}: {error}"[:2000],
        )
    )
    return "retry" if returned else "skipped"


def deliver(
    alert_id: int, *, token: uuid.UUID | None = None, now: dt.datetime | None = None
) -> str:
    """Deliver one claimed alert (under `token`, or whatever claim it has now). Returns what
    became of it: sent, lapsed, cancelled, retry (failed, back to pending) or skipped (not
    claimed, or not under this token)."""
    alert = _claimed([alert_id]).first()
    if alert is None:
        return "skipped"
    outcome = _deliver(alert, token=token or alert.claim_token, now=now or timezone.now())
    return "retry" if outcome == "timed_out" else outcome


def _deliver(alert: Alert, *, token: uuid.UUID | None, now: dt.datetime) -> str:
    if token is None:
        return "skipped"
    if alert.channel == AlertChannel.EMAIL:
        return _deliver_email(alert, token=token, now=now)
    return _deliver_in_app(alert, token=token, now=now)


def _deliver_in_app(alert: Alert, *, token: uuid.UUID, now: dt.datetime) -> str:
    """In one transaction: flip the claim to its outcome (only if it is still ours) and write
    the notification, so that it is written exactly once."""
    try:
        with transaction.atomic():
            status = _not_to_send(alert, now=now)
            if status is None and (not _still_concerns(alert) or _recipient_view(alert) is None):
                # The recipient left the case (or the side that reads offers) since planning.
                status = AlertStatus.CANCELLED
            if status is not None:
                return _end_unsent(alert, token, status)
            if not _finish(alert, token, status=AlertStatus.SENT, sent_at=now, last_error=""):
                return "skipped"
            # A reference, not a copy: the inbox renders it through the walls when read.
            Notification.objects.create(
                recipient=alert.recipient,
                alert=alert,
                subject=alert.subject,
                case=alert.case,
                params=_notification_params(alert, now=now),
            )
            return "sent"
    except Exception as error:  # any failure: back to pending, tried again after a backoff
        return _back_to_pending(alert, token=token, now=now, error=error, was=AlertStatus.CLAIMED)


def _deliver_email(alert: Alert, *, token: uuid.UUID, now: dt.datetime) -> str:
    """Claim, mark, send, record; no transaction is open and no row is locked while the mail
    server is waited on.

    1. The claim (committed by the sweep) is checked and the message rendered.
    2. The alert is marked `sending` (committed): from here an attempt may leave.
    3. The message is handed to the mail server, every wait bounded by EMAIL_TIMEOUT.
    4. `sent` is recorded in one short statement, again on a new connection if the database
       connection was cut in between (else the message has left, its record is lost, and a
       later sweep sends it again). A try that finds it already recorded under our claim (the
       commit landed, its answer did not) counts it sent.

    A refused or failed attempt goes back to pending after a backoff. A worker that dies after
    the server accepted the message and before the record leaves the alert `sending`; once
    the lease has run out the next sweep sends it again, under the same Message-ID (so a mail
    client shows it once) and with LOST_WHILE_SENDING in its last_error. Nothing tells an
    attempt that died before the server accepted it from one that died after, and a reminder
    of a court date must not be lost, so at most that one message can arrive twice."""
    try:
        status = _not_to_send(alert, now=now)
        view = _recipient_view(alert) if status is None and _still_concerns(alert) else None
        if status is None and view is None:
            status = AlertStatus.CANCELLED
        if status is not None:
            return _end_unsent(alert, token, status)
        assert view is not None
        email = _email_message(alert, render_alert(alert, now=now, view=view))
    except Exception as error:  # reading or rendering failed: tried again after a backoff
        return _back_to_pending(alert, token=token, now=now, error=error, was=AlertStatus.CLAIMED)

    marked = _with_reconnect(
        lambda: Alert.objects.filter(
            pk=alert.pk, claim_token=token, status=AlertStatus.CLAIMED
        ).update(status=AlertStatus.SENDING, claimed_at=timezone.now())
    )
    if not marked:
        return "skipped"
    if alert.last_error == LOST_WHILE_SENDING:
        logger.warning("alert %s: an earlier attempt was lost in flight; sending again", alert.pk)
    backend = get_connection(fail_silently=False)
    try:
        try:
            _hand_to_mail_server(backend, email)
        except Exception as error:
            outcome = _back_to_pending(
                alert, token=token, now=now, error=error, was=AlertStatus.SENDING
            )
            return "timed_out" if outcome == "retry" and _timed_out(error) else outcome
        return _record_sent(alert, token=token, now=now)
    finally:
        _close_quietly(backend)


def _record_sent(alert: Alert, *, token: uuid.UUID, now: dt.datetime) -> str:
    """The mail server accepted the message: record it, whatever it takes."""
    keep_note = SqlCase(
        When(last_error=LOST_WHILE_SENDING, then=Value(LOST_WHILE_SENDING)), default=Value("")
    )
    try:
        if _with_reconnect(
            lambda: Alert.objects.filter(
                pk=alert.pk, claim_token=token, status=AlertStatus.SENDING
            ).update(status=AlertStatus.SENT, sent_at=now, last_error=keep_note)
        ):
            return "sent"
        if _with_reconnect(
            lambda: Alert.objects.filter(
                pk=alert.pk, claim_token=token, status=AlertStatus.SENT
            ).exists()
        ):
            return "sent"  # an earlier try of this record committed; its answer was lost
    except _DATABASE_ERRORS:
        logger.exception(
            "alert %s was accepted by the mail server but could not be recorded; after the "
            "lease it is sent again under the same Message-ID",
            alert.pk,
        )
        raise
    # Only a worker held longer than the lease (its time limits prevent it) gets here.
    logger.error("alert %s was sent after its claim had been taken over", alert.pk)
    return "sent"


def _timed_out(error: BaseException) -> bool:
    """Whether the mail server stopped answering (smtplib reports a read that timed out as a
    lost connection; the timeout is its cause)."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, TimeoutError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _close_quietly(backend: BaseEmailBackend) -> None:
    try:
        backend.close()
    except Exception:  # the message is recorded already; a failed QUIT changes nothing
        logger.warning("closing the mail server connection failed", exc_info=True)


def _release(token: uuid.UUID) -> int:
    """Give back what this claim holds and has not begun (pending again, as it was)."""
    try:
        return _with_reconnect(
            lambda: Alert.objects.filter(claim_token=token, status=AlertStatus.CLAIMED).update(
                status=AlertStatus.PENDING,
                claim_token=None,
                claimed_at=None,
                attempts=F("attempts") - 1,
            )
        )
    except _DATABASE_ERRORS:
        logger.exception("could not give back claimed alerts; they wait for their lease")
        return 0


def sweep(
    *,
    now: dt.datetime | None = None,
    batch: int = 500,
    budget_seconds: float = 45.0,
    channel: str | None = None,
) -> SweepResult:
    """Claim and deliver every due alert of `channel` (in-app, then e-mail, when None), batch
    by batch, until none is left or the budget is spent (the next sweep, a minute later,
    continues). What is claimed and not begun when the budget runs out is given back at once.
    A mail server that lets an attempt time out (EMAIL_TIMEOUT) ends the e-mail sweep: the
    rest of its batch is given back, to be tried by the next sweep."""
    result = SweepResult()
    for each in [channel] if channel else [AlertChannel.IN_APP, AlertChannel.EMAIL]:
        _sweep_channel(each, now=now, batch=batch, budget_seconds=budget_seconds, result=result)
    return result


def _sweep_channel(
    channel: str,
    *,
    now: dt.datetime | None,
    batch: int,
    budget_seconds: float,
    result: SweepResult,
) -> None:
    started = time.monotonic()

    def spent() -> bool:
        return time.monotonic() - started >= budget_seconds

    while not spent():
        token = uuid.uuid4()
        ids = claim_batch(now=now or timezone.now(), batch=batch, token=token, channel=channel)
        if not ids:
            return
        result.batches += 1
        result.claimed += len(ids)
        stop = False
        try:
            found = {alert.pk: alert for alert in _claimed(ids).filter(claim_token=token)}
            for alert_id in sorted(ids):
                if spent():
                    stop = True
                    break
                alert = found.get(alert_id)
                outcome = (
                    _deliver(alert, token=token, now=now or timezone.now())
                    if alert is not None
                    else "skipped"
                )
                if outcome == "sent":
                    result.sent += 1
                elif outcome == "lapsed":
                    result.lapsed += 1
                elif outcome == "cancelled":
                    result.cancelled += 1
                elif outcome in ("retry", "timed_out"):
                    result.retried += 1
                else:
                    result.skipped += 1
                if outcome == "timed_out":
                    stop = True
                    break
        finally:
            # Also when the task's soft time limit interrupts the batch.
            result.released += _release(token)
        if stop:
            return


# ---------------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RenderedAlert:
    title: str
    body: str
    url: str


def _tz(case: Case | None) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(case.court.time_zone if case else settings.TIME_ZONE)


def format_moment(moment: dt.datetime, tz: zoneinfo.ZoneInfo) -> str:
    """'Tue 1 Dec 2026, 09:30 EST'."""
    local = moment.astimezone(tz)
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M %Z}"


def format_day(day: dt.date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def humanize_until(delta: dt.timedelta) -> str:
    """'in 2 days', 'in 1 hour', 'in 30 minutes', rounded to the nearest unit."""
    minutes = round(delta.total_seconds() / 60)
    if minutes >= 23 * 60 + 30:
        days = round(minutes / (24 * 60))
        return f"in {days} day{'s' if days != 1 else ''}"
    if minutes >= 60:
        hours = round(minutes / 60)
        return f"in {hours} hour{'s' if hours != 1 else ''}"
    minutes = max(minutes, 1)
    return f"in {minutes} minute{'s' if minutes != 1 else ''}"


def _case_label(case: Case) -> str:
    return f"{case.caption} ({case.docket_number})"


def _case_url(case: Case | None) -> str:
    if case is None:
        return reverse("dashboard")
    return reverse("cases:detail", kwargs={"case_id": case.pk})


def _hearing_when(hearing: Hearing) -> str:
    tz = zoneinfo.ZoneInfo(hearing.case.court.time_zone)
    return f"{format_moment(hearing.starts_at, tz)}, {hearing.courtroom.name}"


def _deadline_when(deadline: Deadline) -> str:
    tz = zoneinfo.ZoneInfo(deadline.case.court.time_zone)
    if deadline.due_at is not None:
        return format_moment(deadline.due_at, tz)
    last_second = _deadline_moment(deadline) - dt.timedelta(seconds=1)
    return f"{format_day(deadline.due_date)}, end of day ({last_second.astimezone(tz):%Z})"


def _deadline_what(deadline: Deadline) -> str:
    label = str(DeadlineKind(deadline.kind).label) if deadline.kind in DeadlineKind else ""
    if deadline.title and deadline.title != label:
        return deadline.title
    return label or deadline.title


def render_alert(
    alert: Alert, *, now: dt.datetime | None = None, view: str = FULL_VIEW
) -> RenderedAlert:
    """The title and body of an alert, times in the court's time zone, as much as `view`
    (alert_view) allows."""
    now = now or timezone.now()
    case = alert.case
    url = _case_url(case)
    hearing, deadline = alert.hearing, alert.deadline
    if alert.subject == AlertSubject.DIGEST:
        return _render_digest(alert, now=now)
    assert case is not None
    if view == OFFICE_VIEW and deadline is not None:
        return _render_office_escalation(alert, deadline)
    where = _case_label(case)
    if alert.subject == AlertSubject.REMINDER and hearing is not None:
        kind = hearing.get_kind_display()
        until = humanize_until(alert.target_at - now)
        title = f"{kind} in {where} {until}: {_hearing_when(hearing)}"
        body = f"{kind} in {where}\nWhen: {_hearing_when(hearing)}\n"
        if hearing.judge is not None:
            body += f"Judge: {hearing.judge.get_full_name() or hearing.judge.get_username()}\n"
    elif alert.subject == AlertSubject.REMINDER and deadline is not None:
        what = _deadline_what(deadline)
        until = humanize_until(alert.target_at - now)
        title = f"{what} in {where} {until}: {_deadline_when(deadline)}"
        body = f"{what} in {where}\nDue: {_deadline_when(deadline)}\n"
        if deadline.citation:
            body += f"Rule: {deadline.citation}\n"
    elif alert.subject == AlertSubject.HEARING_CHANGED and hearing is not None:
        kind = hearing.get_kind_display()
        change = hearing.changes.order_by("-changed_at", "-id").first()
        if hearing.status == HearingStatus.CANCELLED:
            title = f"{kind} in {where} cancelled (was {_hearing_when(hearing)})"
            body = f"The {kind.lower()} in {where} set for {_hearing_when(hearing)} is cancelled.\n"
        else:
            title = f"{kind} in {where} moved to {_hearing_when(hearing)}"
            body = f"The {kind.lower()} in {where} is now set for {_hearing_when(hearing)}.\n"
            if change is not None and change.from_starts_at is not None:
                was = format_moment(change.from_starts_at, _tz(hearing.case))
                body += f"It was set for {was}.\n"
        if change is not None and change.reason:
            body += f"Reason: {change.reason}\n"
    elif alert.subject == AlertSubject.OFFER_EXPIRED:
        tz = _tz(case)
        title = f"An offer in {where} expired ({format_moment(alert.target_at, tz)})"
        body = (
            f"A plea offer in {where} expired at {format_moment(alert.target_at, tz)} "
            "without an answer.\n"
        )
    elif alert.subject == AlertSubject.ESCALATION and deadline is not None:
        what = _deadline_what(deadline)
        title = f"Missed deadline in {where}: {what} ({_deadline_when(deadline)})"
        side = deadline.get_responsible_side_display() or "every side"
        body = (
            f"{what} in {where} was due {_deadline_when(deadline)} and has not been met.\n"
            f"Responsible: {side}.\n"
        )
    else:
        title = f"{alert.get_subject_display()} in {where}"
        body = ""
    return RenderedAlert(title=title, body=body, url=url)


def _render_office_escalation(alert: Alert, deadline: Deadline) -> RenderedAlert:
    """A missed deadline, as an office supervisor who does not see the case is told of it."""
    what = str(DeadlineKind(deadline.kind).label) if deadline.kind in DeadlineKind else ""
    when = _deadline_when(deadline)
    leads = escalation_leads_of_office(deadline, alert.recipient)
    who = ", ".join(leads) if leads else "A lawyer"
    title = f"Missed deadline of your office: {what}, due {when}"
    body = (
        f"{who} of your office had to meet a deadline ({what}) due {when}; it has not been met.\n"
        "You are told as the office's supervisor. The case itself is open only to those who "
        "take part in it: ask them.\n"
    )
    return RenderedAlert(title=title, body=body, url="")


def escalation_leads_of_office(deadline: Deadline, supervisor: User) -> list[str]:
    """The names of the leads of `deadline`'s responsible side who belong to `supervisor`'s
    office (one query)."""
    organization_id = getattr(getattr(supervisor, "profile", None), "organization_id", None)
    if organization_id is None:
        return []
    leads = CaseParticipant.objects.filter(
        case_id=deadline.case_id,
        is_lead=True,
        user__profile__organization_id=organization_id,
    ).select_related("user")
    if deadline.responsible_side:
        leads = leads.filter(side=deadline.responsible_side)
    return sorted(
        {p.user.get_full_name() or p.user.get_username() for p in leads if p.user is not None}
    )


def _render_digest(alert: Alert, *, now: dt.datetime) -> RenderedAlert:
    user = alert.recipient
    items = _upcoming(user, days=DIGEST_DAYS)
    tz = zoneinfo.ZoneInfo(alert_settings_of(user).time_zone or "UTC")
    today = format_day(now.astimezone(tz).date())
    title = f"Your court dates for the next {DIGEST_DAYS} days ({today})"
    if not items:
        body = f"No hearings or deadlines in the next {DIGEST_DAYS} days.\n"
    else:
        body = "".join(f"- {line}\n" for line in items)
    return RenderedAlert(title=title, body=body, url=reverse("dashboard"))


def _upcoming(user: User, *, days: int) -> list[str]:
    """One line per date in the next `days` days that `user` may see (overdue ones first)."""
    lines: list[str] = []
    for item in selectors.upcoming_for(user, days=days, limit=100):
        tz = zoneinfo.ZoneInfo(item.case.court.time_zone)
        overdue = " (overdue)" if item.is_overdue else ""
        lines.append(
            f"{format_moment(item.when, tz)}: {item.title} — {_case_label(item.case)}{overdue}"
        )
    return lines


def digest_line(date: DateObj, *, now: dt.datetime) -> str:
    """One line of a digest for a date, as it stands now (the inbox re-reads a digest)."""
    tz = zoneinfo.ZoneInfo(date.case.court.time_zone)
    if isinstance(date, Hearing):
        title = f"{date.get_kind_display()} — {date.courtroom.name}"
        when = date.starts_at
        overdue = ""
    else:
        title = date.title
        when = _deadline_moment(date)
        overdue = " (overdue)" if date.status == DeadlineStatus.OPEN and when <= now else ""
    return f"{format_moment(when, tz)}: {title} — {_case_label(date.case)}{overdue}"


def format_day_iso(day: str) -> str:
    try:
        return format_day(dt.date.fromisoformat(day))
    except ValueError:
        return day


def _absolute(url: str) -> str:
    base = getattr(settings, "ALERT_SITE_URL", "") or ""
    return f"{base.rstrip('/')}{url}" if base else url


def message_id(alert: Alert) -> str:
    domain = DEFAULT_MESSAGE_DOMAIN
    return f"<alert-{alert.pk}@{domain}>"


DEFAULT_MESSAGE_DOMAIN = "alerts.parley"


def _email_message(alert: Alert, message: RenderedAlert) -> EmailMessage:
    body = render_to_string(
        "deadlines/email/alert.txt",
        {
            "alert": alert,
            "recipient": alert.recipient,
            "title": message.title,
            "body": message.body,
            "url": _absolute(message.url),
        },
    )
    return EmailMessage(
        subject=message.title.replace("\n", " ")[:250],
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[alert.recipient.email],
        headers={"Message-ID": message_id(alert), "X-Parley-Alert": str(alert.pk)},
    )


def _hand_to_mail_server(backend: BaseEmailBackend, email: EmailMessage) -> None:
    """Send `email` on `backend` (EMAIL_TIMEOUT bounds every wait on the SMTP server); raises
    unless the server accepted it. The caller closes the connection, after the record."""
    backend.open()
    if backend.send_messages([email]) != 1:
        raise smtplib.SMTPException("The mail server did not accept the message.")


# ---------------------------------------------------------------------------------------------
# Daily digest
# ---------------------------------------------------------------------------------------------


def digests_send_due(*, now: dt.datetime | None = None) -> int:
    """Queue today's digest for every user whose local digest hour has come and who has not had
    one today. The DigestSent row is claimed first (unique per user and local day), so a
    repeated run queues nothing twice; the sweep delivers the digests like any alert."""
    now = now or timezone.now()
    queued = 0
    for alert_settings in AlertSettings.objects.filter(daily_digest=True).select_related("user"):
        user = alert_settings.user
        if not user.is_active:
            continue
        try:
            tz = zoneinfo.ZoneInfo(alert_settings.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            tz = zoneinfo.ZoneInfo("UTC")
        local = now.astimezone(tz)
        if local.hour < alert_settings.digest_hour:
            continue
        day = local.date()
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO deadlines_digestsent (user_id, day, sent_at) VALUES (%s, %s, %s) "
                    "ON CONFLICT (user_id, day) DO NOTHING RETURNING id",
                    [user.pk, day, now],
                )
                if cursor.fetchone() is None:
                    continue
            start_of_day = dt.datetime.combine(day, dt.time(0, 0), tzinfo=tz).astimezone(dt.UTC)
            channels = [AlertChannel.IN_APP.value]
            if user.email:
                channels.append(AlertChannel.EMAIL.value)
            Alert.objects.bulk_create(
                [
                    Alert(
                        recipient=user,
                        channel=channel,
                        subject=AlertSubject.DIGEST,
                        target_at=start_of_day,
                        lead_minutes=0,
                        send_at=now,
                    )
                    for channel in channels
                ],
                ignore_conflicts=True,
            )
            queued += 1
    return queued


__all__ = [
    "DEFAULT_LEAD_MINUTES",
    "EffectivePreference",
    "PlanResult",
    "RenderedAlert",
    "SweepResult",
    "alert_preference_set",
    "alert_settings_of",
    "alert_settings_set",
    "claim_batch",
    "deliver",
    "digests_send_due",
    "escalate_missed",
    "escalation_recipients",
    "moment_of",
    "notify_hearing_changed",
    "notify_offer_expired",
    "plan_for_case",
    "plan_for_deadline",
    "plan_for_hearing",
    "plan_for_user",
    "preferences_of",
    "render_alert",
    "sweep",
]
