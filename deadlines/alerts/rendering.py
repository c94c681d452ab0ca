"""An alert's title and body, times in the court's time zone, and the lines of a digest."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from cases.models import Case
from core.text import user_name
from deadlines import selectors
from deadlines.alerts.common import DIGEST_DAYS, DateObj, _deadline_moment
from deadlines.alerts.preferences import alert_settings_of
from deadlines.alerts.walls import FULL_VIEW, OFFICE_VIEW
from deadlines.models import (
    Alert,
    AlertSubject,
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    Hearing,
    HearingStatus,
)
from parties.models import CaseParticipant

if TYPE_CHECKING:
    from django.contrib.auth.models import User


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
    # Django's date format letters, so that the names of days and months are translated.
    return dateformat.format(local, pgettext("date and time format", "D j M Y, H:i T"))


def format_day(day: dt.date) -> str:
    return dateformat.format(day, pgettext("date format", "D j M Y"))


def humanize_until(delta: dt.timedelta) -> str:
    """'in 2 days', 'in 1 hour', 'in 30 minutes', rounded to the nearest unit."""
    minutes = round(delta.total_seconds() / 60)
    if minutes >= 23 * 60 + 30:
        days = round(minutes / (24 * 60))
        return ngettext("in %(count)d day", "in %(count)d days", days) % {"count": days}
    if minutes >= 60:
        hours = round(minutes / 60)
        return ngettext("in %(count)d hour", "in %(count)d hours", hours) % {"count": hours}
    minutes = max(minutes, 1)
    return ngettext("in %(count)d minute", "in %(count)d minutes", minutes) % {"count": minutes}


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
    return _("%(day)s, end of day (%(zone)s)") % {
        "day": format_day(deadline.due_date),
        "zone": last_second.astimezone(tz).tzname(),
    }


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
        values = {"kind": kind, "where": where, "until": until, "when": _hearing_when(hearing)}
        title = _("%(kind)s in %(where)s %(until)s: %(when)s") % values
        body = _("%(kind)s in %(where)s\nWhen: %(when)s\n") % values
        if hearing.judge is not None:
            body += _("Judge: %(judge)s\n") % {"judge": user_name(hearing.judge)}
    elif alert.subject == AlertSubject.REMINDER and deadline is not None:
        what = _deadline_what(deadline)
        until = humanize_until(alert.target_at - now)
        values = {"what": what, "where": where, "until": until, "when": _deadline_when(deadline)}
        title = _("%(what)s in %(where)s %(until)s: %(when)s") % values
        body = _("%(what)s in %(where)s\nDue: %(when)s\n") % values
        if deadline.citation:
            body += _("Rule: %(citation)s\n") % {"citation": deadline.citation}
    elif alert.subject == AlertSubject.HEARING_CHANGED and hearing is not None:
        kind = hearing.get_kind_display()
        change = hearing.changes.order_by("-changed_at", "-id").first()
        values = {
            "kind": kind,
            "kind_lower": kind.lower(),
            "where": where,
            "when": _hearing_when(hearing),
        }
        if hearing.status == HearingStatus.CANCELLED:
            title = _("%(kind)s in %(where)s cancelled (was %(when)s)") % values
            body = _("The %(kind_lower)s in %(where)s set for %(when)s is cancelled.\n") % values
        else:
            title = _("%(kind)s in %(where)s moved to %(when)s") % values
            body = _("The %(kind_lower)s in %(where)s is now set for %(when)s.\n") % values
            if change is not None and change.from_starts_at is not None:
                was = format_moment(change.from_starts_at, _tz(hearing.case))
                body += _("It was set for %(was)s.\n") % {"was": was}
        if change is not None and change.reason:
            body += _("Reason: %(reason)s\n") % {"reason": change.reason}
    elif alert.subject == AlertSubject.OFFER_EXPIRED:
        tz = _tz(case)
        values = {"where": where, "when": format_moment(alert.target_at, tz)}
        title = _("An offer in %(where)s expired (%(when)s)") % values
        body = _("A plea offer in %(where)s expired at %(when)s without an answer.\n") % values
    elif alert.subject == AlertSubject.ESCALATION and deadline is not None:
        what = _deadline_what(deadline)
        values = {
            "what": what,
            "where": where,
            "when": _deadline_when(deadline),
            "side": deadline.get_responsible_side_display() or _("every side"),
        }
        title = _("Missed deadline in %(where)s: %(what)s (%(when)s)") % values
        body = (
            _(
                "%(what)s in %(where)s was due %(when)s and has not been met.\n"
                "Responsible: %(side)s.\n"
            )
            % values
        )
    else:
        title = _("%(subject)s in %(where)s") % {
            "subject": alert.get_subject_display(),
            "where": where,
        }
        body = ""
    return RenderedAlert(title=title, body=body, url=url)


def _render_office_escalation(alert: Alert, deadline: Deadline) -> RenderedAlert:
    """A missed deadline, as an office supervisor who does not see the case is told of it."""
    what = str(DeadlineKind(deadline.kind).label) if deadline.kind in DeadlineKind else ""
    when = _deadline_when(deadline)
    leads = escalation_leads_of_office(deadline, alert.recipient)
    who = ", ".join(leads) if leads else _("A lawyer")
    values = {"who": who, "what": what, "when": when}
    title = _("Missed deadline of your office: %(what)s, due %(when)s") % values
    body = (
        _(
            "%(who)s of your office had to meet a deadline (%(what)s) due %(when)s; it has not "
            "been met.\nYou are told as the office's supervisor. The case itself is open only "
            "to those who take part in it: ask them.\n"
        )
        % values
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
    return sorted({user_name(p.user) for p in leads if p.user is not None})


def _render_digest(alert: Alert, *, now: dt.datetime) -> RenderedAlert:
    user = alert.recipient
    items = _upcoming(user, days=DIGEST_DAYS)
    tz = zoneinfo.ZoneInfo(alert_settings_of(user).time_zone or "UTC")
    today = format_day(now.astimezone(tz).date())
    title = _("Your court dates for the next %(days)s days (%(today)s)") % {
        "days": DIGEST_DAYS,
        "today": today,
    }
    if not items:
        body = _("No hearings or deadlines in the next %(days)s days.\n") % {"days": DIGEST_DAYS}
    else:
        body = "".join(f"- {line}\n" for line in items)
    return RenderedAlert(title=title, body=body, url=reverse("dashboard"))


def _upcoming(user: User, *, days: int) -> list[str]:
    """One line per date in the next `days` days that `user` may see (overdue ones first)."""
    lines: list[str] = []
    for item in selectors.upcoming_for(user, days=days, limit=100):
        tz = zoneinfo.ZoneInfo(item.case.court.time_zone)
        overdue = _(" (overdue)") if item.is_overdue else ""
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
        overdue = _(" (overdue)") if date.status == DeadlineStatus.OPEN and when <= now else ""
    return f"{format_moment(when, tz)}: {title} — {_case_label(date.case)}{overdue}"


def format_day_iso(day: str) -> str:
    try:
        return format_day(dt.date.fromisoformat(day))
    except ValueError:
        return day
