"""The docket: a court's calendar of hearings and deadlines, week by week."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cases import permissions
from cases.models import Court
from cases.services import court_today
from core.decorators import login_required_htmx as login_required
from core.decorators import signed_in_user
from deadlines import selectors
from deadlines.computation import calendar_for_court
from deadlines.docket_cards import hearing_cards
from deadlines.forms import DocketFilterForm
from deadlines.models import Courtroom, Hearing

WEEKEND = (5, 6)


@dataclass
class DocketDay:
    day: dt.date
    closed: str  # why the court does not sit, or ""
    is_today: bool
    # courtroom id → hearings that day in that room, by start time
    rooms: dict[int, list[Hearing]] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(len(rows) for rows in self.rooms.values())


@dataclass
class DocketRow:
    """One courtroom's line of the week: its hearings day by day."""

    courtroom: Courtroom
    cells: list[tuple[DocketDay, list[SafeString]]]  # each day's hearing cards


def _docket_court(user: User, raw: str | None) -> tuple[Court, list[Court]]:
    """The court whose docket is shown, and the courts the user may choose among."""
    courts = list(permissions.courts_with_docket_for(user).order_by("name"))
    if not courts:
        raise PermissionDenied(_("The docket calendar is for the court's judges and staff."))
    if not raw:
        court = courts[0]
    else:
        try:
            court = next(c for c in courts if c.pk == int(raw))
        except (ValueError, StopIteration):
            # Not a court they sit in: the same answer as a court that does not exist.
            raise Http404(_("No such court.")) from None
    if not permissions.may_view_docket(user, court):
        raise PermissionDenied(_("The docket calendar is for the court's judges and staff."))
    return court, courts


@login_required
@require_GET
def docket(request: HttpRequest) -> HttpResponse:
    """The court's hearings by courtroom, a day or a week at a time."""
    user = signed_in_user(request)
    court, courts = _docket_court(user, request.GET.get("court"))
    courtrooms = list(selectors.courtrooms_of(court))
    form = DocketFilterForm(
        request.GET or None,
        courtrooms=selectors.courtrooms_of(court),
        judges=selectors.judges_of(court),
    )
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    view = data.get("view") or "week"
    today = court_today(court)
    anchor: dt.date = data.get("date") or today
    if view == "week":
        start, days, step = anchor - dt.timedelta(days=anchor.weekday()), 7, 7
    else:
        start, days, step = anchor, 1, 1
    room: Courtroom | None = data.get("courtroom")
    judge: User | None = data.get("judge")
    hearings = list(
        selectors.docket(court, start=start, days=days, courtroom=room, judge=judge)
        .select_related("case", "courtroom", "judge")
        .order_by("starts_at", "id")
    )

    calendar = calendar_for_court(court)
    zone = zoneinfo.ZoneInfo(court.time_zone)
    by_day = {
        start + dt.timedelta(days=n): DocketDay(
            day=start + dt.timedelta(days=n),
            closed=calendar.why_not_court_day(start + dt.timedelta(days=n)) or "",
            is_today=start + dt.timedelta(days=n) == today,
        )
        for n in range(days)
    }
    for hearing in hearings:
        local_day = hearing.starts_at.astimezone(zone).date()
        if local_day in by_day:
            by_day[local_day].rooms.setdefault(hearing.courtroom_id, []).append(hearing)
    shown_rooms = [r for r in courtrooms if room is None or r.pk == room.pk]
    # A week shows Monday to Friday, and a weekend day only when something sits on it.
    columns = [
        d for d in by_day.values() if view == "day" or d.day.weekday() not in WEEKEND or d.count
    ]
    cards = hearing_cards(hearings, here=request.get_full_path(), zone=zone)
    rows = [
        DocketRow(
            courtroom=r, cells=[(d, [cards[h.pk] for h in d.rooms.get(r.pk, [])]) for d in columns]
        )
        for r in shown_rooms
    ]

    def link(**changes: Any) -> str:
        params = {
            "court": court.pk,
            "view": view,
            "date": anchor.isoformat(),
            "courtroom": room.pk if room else "",
            "judge": judge.pk if judge else "",
        }
        params.update(changes)
        return (
            reverse("deadlines:docket")
            + "?"
            + urlencode({k: v for k, v in params.items() if v not in ("", None)})
        )

    end = start + dt.timedelta(days=days - 1)
    context = {
        "court": court,
        "court_links": [(c, link(court=c.pk, courtroom="", judge="")) for c in courts],
        "form": form,
        "view": view,
        "start": start,
        "end": end,
        "today": today,
        "columns": columns,
        "rows": rows,
        "hearing_count": len(hearings),
        "courtroom_filter": room,
        "judge_filter": judge,
        "links": {
            "previous": link(date=(anchor - dt.timedelta(days=step)).isoformat()),
            "next": link(date=(anchor + dt.timedelta(days=step)).isoformat()),
            "today": link(date=today.isoformat()),
            "day": link(view="day"),
            "week": link(view="week"),
        },
        "here": request.get_full_path(),
        "may_manage_closures": permissions.may_manage_closures(user, court),
    }
    with timezone.override(court.time_zone):
        return render(request, "deadlines/docket.html", context)
