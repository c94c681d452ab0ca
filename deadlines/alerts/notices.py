"""One-off alerts: a hearing moved or cancelled, an offer expired, a deadline missed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.utils import timezone

from cases import permissions
from cases.models import Case
from deadlines.alerts.common import DateObj, _alert, _date_recipients, _deadline_moment, _insert
from deadlines.alerts.preferences import _channels, _preference, _preferences_for
from deadlines.models import (
    NEGOTIATION_DEADLINE_KINDS,
    Alert,
    AlertChannel,
    AlertSubject,
    Deadline,
    DeadlineKind,
    Hearing,
)
from parties.models import CaseParticipant, UserProfile

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from negotiations.models import Offer


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
