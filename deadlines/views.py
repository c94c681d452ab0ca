"""Court-date pages: the court's docket calendar, hearings, deadlines, closure days, the
notifications inbox and alert preferences.

Thin views: a selector reads, one service writes, then the browser is redirected (POST/redirect/
GET) or the page is shown again with the submitted form. Who may do what comes from
cases.permissions; the services check it again. A hearing or deadline the user may not see
answers 404 like a missing one (deadlines.selectors decide, in SQL); an action they may not take
answers 403 and changes nothing. A service's ValidationError is shown next to the fields it names
(400); a move the current state does not allow is shown on top of the page (409).

Every time on these pages is in the court's time zone, labelled with its abbreviation, and a
time entered in a form is read on the court's wall clock.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import permissions
from cases import selectors as case_selectors
from cases.models import Case, Court
from cases.services import court_today
from core.decorators import login_required_htmx as login_required
from core.decorators import signed_in_user
from core.exceptions import Conflict
from core.forms import submit_form
from deadlines import alerts, selectors, services
from deadlines import notifications as inbox
from deadlines.computation import calendar_for_court
from deadlines.forms import (
    AlertPreferencesForm,
    ClosureForm,
    ConfirmForm,
    CourtroomForm,
    DeadlineEditForm,
    DeadlineForm,
    DocketFilterForm,
    HearingEditForm,
    HearingForm,
    OverrideForm,
    ReasonForm,
    RescheduleForm,
    RulePreviewForm,
    format_lead_times,
)
from deadlines.models import (
    NEGOTIATION_DEADLINE_KINDS,
    UPCOMING_HEARING_STATUSES,
    CourtClosure,
    Courtroom,
    Deadline,
    DeadlineStatus,
    Hearing,
    HearingStatus,
)

T = TypeVar("T")

INBOX_SIZE = 100
# The closures page shows the last quarter's closure days and every one to come.
CLOSURES_PAST_DAYS = 90
WEEKEND = (5, 6)


# --- shared helpers --------------------------------------------------------------------------


_submit = submit_form


def _next_url(request: HttpRequest, default: str) -> str:
    """Where to go after a POST: the page it came from when that is one of ours."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    return wanted if _is_ours(wanted, request) else default


def _is_ours(url: str, request: HttpRequest) -> bool:
    """Whether `url` is a page of this site (safe to redirect to)."""
    return bool(url) and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def _local(moment: dt.datetime, court: Court) -> dt.datetime:
    return moment.astimezone(zoneinfo.ZoneInfo(court.time_zone))


def _say_when(moment: dt.datetime, court: Court) -> str:
    local = _local(moment, court)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


def _hearing_for(user: User, hearing_id: int) -> Hearing:
    return selectors.hearing_get_for_user(user, hearing_id)


def _deadline_for(user: User, deadline_id: int) -> Deadline:
    return selectors.deadline_get_for_user(user, deadline_id)


# --- the case page's section -----------------------------------------------------------------


def court_dates_section(user: Any, case: Case) -> dict[str, Any]:
    """What the case page shows of its court dates: hearings (latest status) and deadlines the
    reader may see, each linked, and the add buttons for the court. A fixed number of queries
    whatever the number of dates."""
    hearings = list(selectors.hearings_of_case(user, case).select_related("courtroom", "judge"))
    deadlines = list(selectors.deadlines_of_case(user, case))
    today = court_today(case.court)
    for deadline in deadlines:
        deadline.is_overdue = (  # type: ignore[attr-defined]
            deadline.status == DeadlineStatus.OPEN and deadline.due_date < today
        )
    return {
        "hearings": hearings,
        "deadlines": deadlines,
        "may_keep_calendar": permissions.may_keep_calendar(user, case),
    }


# --- the docket calendar -----------------------------------------------------------------------


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
    cells: list[tuple[DocketDay, list[Hearing]]]


def _docket_court(user: User, raw: str | None) -> tuple[Court, list[Court]]:
    """The court whose docket is shown, and the courts the user may choose among."""
    courts = list(permissions.courts_with_docket_for(user).order_by("name"))
    if not courts:
        raise PermissionDenied("The docket calendar is for the court's judges and staff.")
    if not raw:
        court = courts[0]
    else:
        try:
            court = next(c for c in courts if c.pk == int(raw))
        except (ValueError, StopIteration):
            # Not a court they sit in: the same answer as a court that does not exist.
            raise Http404("No such court.") from None
    if not permissions.may_view_docket(user, court):
        raise PermissionDenied("The docket calendar is for the court's judges and staff.")
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
    rows = [
        DocketRow(courtroom=r, cells=[(d, d.rooms.get(r.pk, [])) for d in columns])
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


# --- hearings --------------------------------------------------------------------------------


def _hearing_form(
    case: Case, data: Any = None, initial: dict[str, Any] | None = None
) -> HearingForm:
    return HearingForm(
        data,
        time_zone=case.court.time_zone,
        courtrooms=selectors.courtrooms_of(case.court),
        judges=selectors.judges_of(case.court),
        initial=initial,
    )


@login_required
@require_http_methods(["GET", "POST"])
def hearing_schedule(request: HttpRequest, case_id: int) -> HttpResponse:
    user = signed_in_user(request)
    case = case_selectors.case_get_for_user(user, case_id)
    permissions.require_calendar_keeper(user, case)
    form = _hearing_form(case, request.POST if request.method == "POST" else None)
    status, conflict = 200, ""
    if request.method == "POST":

        def schedule(data: dict[str, Any]) -> Hearing:
            starts_at, ends_at = form.moments()
            return services.hearing_schedule(
                case=case,
                by=user,
                kind=data["kind"],
                starts_at=starts_at,
                ends_at=ends_at,
                courtroom=data["courtroom"],
                judge=data["judge"],
                notes=data["notes"],
            )

        hearing, status, conflict = _submit(form, schedule)
        if hearing is not None:
            messages.success(
                request,
                f"{hearing.get_kind_display()} scheduled for "
                f"{_say_when(hearing.starts_at, case.court)} in {hearing.courtroom}.",
            )
            return redirect("deadlines:hearing", hearing.pk)
    context = {"case": case, "form": form, "conflict": conflict}
    with timezone.override(case.court.time_zone):
        return render(request, "deadlines/hearing_form.html", context, status=status)


def _render_hearing(
    request: HttpRequest,
    hearing: Hearing,
    *,
    status: int = 200,
    bound: dict[str, forms.Form] | None = None,
    conflict: str = "",
) -> HttpResponse:
    user = signed_in_user(request)
    bound = bound or {}
    case = hearing.case
    keeps = permissions.may_keep_calendar(user, case)
    upcoming = hearing.status in UPCOMING_HEARING_STATUSES
    changes = selectors.hearing_history(hearing)
    context = {
        "case": case,
        "hearing": hearing,
        "changes": list(changes),
        "triggered": list(
            selectors.deadlines_visible_to(user)
            .filter(trigger_hearing=hearing)
            .order_by("due_date")
        ),
        "may_keep_calendar": keeps,
        "cancel_form": bound.get("cancel")
        or (
            ReasonForm(prefix="cancel", label="Reason for cancelling")
            if keeps and upcoming
            else None
        ),
        # Marked held once it has begun (the service refuses earlier with the reason).
        "held_form": bound.get("held")
        or (
            ConfirmForm(prefix="held")
            if keeps and upcoming and hearing.starts_at <= timezone.now()
            else None
        ),
        "may_reschedule": keeps and upcoming,
        "may_edit": keeps and upcoming,
        "conflict": conflict,
    }
    with timezone.override(case.court.time_zone):
        return render(request, "deadlines/hearing_detail.html", context, status=status)


@login_required
@require_GET
def hearing_detail(request: HttpRequest, hearing_id: int) -> HttpResponse:
    hearing = _hearing_for(signed_in_user(request), hearing_id)
    return _render_hearing(request, hearing)


@login_required
@require_http_methods(["GET", "POST"])
def hearing_reschedule(request: HttpRequest, hearing_id: int) -> HttpResponse:
    user = signed_in_user(request)
    hearing = _hearing_for(user, hearing_id)
    case = hearing.case
    permissions.require_calendar_keeper(user, case)
    local = _local(hearing.starts_at, case.court)
    initial = {
        "date": local.date(),
        "time": local.time().replace(second=0, microsecond=0),
        "duration": int((hearing.ends_at - hearing.starts_at).total_seconds() // 60),
        "courtroom": hearing.courtroom_id,
    }
    form = RescheduleForm(
        request.POST if request.method == "POST" else None,
        time_zone=case.court.time_zone,
        courtrooms=selectors.courtrooms_of(case.court),
        initial=initial,
    )
    status, conflict = 200, ""
    if request.method == "POST":

        def reschedule(data: dict[str, Any]) -> Hearing:
            starts_at, ends_at = form.moments()
            return services.hearing_reschedule(
                hearing=hearing,
                by=user,
                starts_at=starts_at,
                ends_at=ends_at,
                courtroom=data["courtroom"],
                reason=data["reason"],
            )

        moved, status, conflict = _submit(form, reschedule)
        if moved is not None:
            messages.success(
                request,
                f"{moved.get_kind_display()} in {case.docket_number} moved to "
                f"{_say_when(moved.starts_at, case.court)} in {moved.courtroom}. "
                "Everyone on the case is notified.",
            )
            return redirect(_next_url(request, reverse("deadlines:hearing", args=[moved.pk])))
        hearing = _hearing_for(user, hearing_id)  # the stored one, not one changed in memory
    context = {
        "case": case,
        "hearing": hearing,
        "form": form,
        "conflict": conflict,
        "next": _next_url(request, ""),
    }
    with timezone.override(case.court.time_zone):
        return render(request, "deadlines/hearing_reschedule.html", context, status=status)


def _judges_for(hearing: Hearing) -> QuerySet[User]:
    """The judges a hearing may be given: the court's, and the one it has even if they no
    longer sit there (the form still shows who sits; keeping them is not a new assignment)."""
    judges = selectors.judges_of(hearing.case.court)
    if hearing.judge_id is None:
        return judges
    return User.objects.filter(Q(pk__in=judges.values("pk")) | Q(pk=hearing.judge_id)).order_by(
        "last_name", "first_name", "username"
    )


def _hearing_edit_refusal(hearing: Hearing) -> str:
    """Why a hearing's judge and notes are no longer changed, or "" (the page's wording of
    the state the service refuses with a 409)."""
    if hearing.status in UPCOMING_HEARING_STATUSES:
        return ""
    return f"This hearing is {HearingStatus(hearing.status).label.lower()}; it cannot be changed."


@login_required
@require_http_methods(["GET", "POST"])
def hearing_edit(request: HttpRequest, hearing_id: int) -> HttpResponse:
    """Assign another judge (or none) and change the notes of a hearing still to be held."""
    user = signed_in_user(request)
    hearing = _hearing_for(user, hearing_id)
    case = hearing.case
    permissions.require_calendar_keeper(user, case)
    form = HearingEditForm(
        request.POST if request.method == "POST" else None,
        judges=_judges_for(hearing),
        initial={"judge": hearing.judge_id, "notes": hearing.notes},
    )
    status, conflict = 200, ""
    if request.method == "POST":
        before = hearing
        saved, status, conflict = _submit(
            form,
            lambda _: services.hearing_update(
                hearing=before, by=user, **form.service_arguments(before)
            ),
        )
        if saved is not None:
            done: list[str] = []
            if saved.judge is None and before.judge_id is not None:
                done.append("judge removed")
            elif saved.judge is not None and saved.judge_id != before.judge_id:
                name = saved.judge.get_full_name() or saved.judge.get_username()
                done.append(f"judge now {name}")
            if saved.notes != before.notes:
                done.append("notes saved")
            if done:
                messages.success(request, f"{saved.get_kind_display()}: {'; '.join(done)}.")
            else:
                messages.info(request, "Nothing changed: the judge and the notes were already so.")
            return redirect(_next_url(request, reverse("deadlines:hearing", args=[saved.pk])))
        hearing = _hearing_for(user, hearing_id)  # the stored one, not one changed in memory
    elif _hearing_edit_refusal(hearing):
        status, conflict = 409, _hearing_edit_refusal(hearing)
    context = {
        "case": case,
        "hearing": hearing,
        "form": None if _hearing_edit_refusal(hearing) else form,
        "conflict": conflict,
        "next": _next_url(request, ""),
    }
    with timezone.override(case.court.time_zone):
        return render(request, "deadlines/hearing_edit.html", context, status=status)


@login_required
@require_POST
def hearing_cancel(request: HttpRequest, hearing_id: int) -> HttpResponse:
    user = signed_in_user(request)
    hearing = _hearing_for(user, hearing_id)
    permissions.require_calendar_keeper(user, hearing.case)
    form = ReasonForm(request.POST, prefix="cancel", label="Reason for cancelling")
    cancelled, status, conflict = _submit(
        form,
        lambda data: services.hearing_cancel(hearing=hearing, by=user, reason=data["reason"]),
    )
    if cancelled is None:
        hearing = _hearing_for(user, hearing_id)
        return _render_hearing(
            request, hearing, status=status, bound={"cancel": form}, conflict=conflict
        )
    messages.success(
        request, f"{cancelled.get_kind_display()} cancelled. Everyone on the case is notified."
    )
    return redirect("deadlines:hearing", cancelled.pk)


@login_required
@require_POST
def hearing_mark_held(request: HttpRequest, hearing_id: int) -> HttpResponse:
    user = signed_in_user(request)
    hearing = _hearing_for(user, hearing_id)
    permissions.require_calendar_keeper(user, hearing.case)
    form = ConfirmForm(request.POST, prefix="held")
    held, status, conflict = _submit(
        form, lambda _: services.hearing_mark_held(hearing=hearing, by=user)
    )
    if held is None:
        hearing = _hearing_for(user, hearing_id)
        return _render_hearing(
            request, hearing, status=status, bound={"held": form}, conflict=conflict
        )
    messages.success(request, f"{held.get_kind_display()} recorded as held.")
    return redirect("deadlines:hearing", held.pk)


# --- deadlines -------------------------------------------------------------------------------


def _rules_for(case: Case) -> QuerySet[Any]:
    return (
        selectors.rules_for(case.court.jurisdiction)
        .filter(active=True)
        .exclude(kind__in=NEGOTIATION_DEADLINE_KINDS)
        .order_by("name")
    )


def _trigger_hearings(user: User, case: Case) -> QuerySet[Hearing]:
    return (
        selectors.hearings_of_case(user, case)
        .exclude(status=HearingStatus.CANCELLED)
        .order_by("starts_at", "id")
    )


def _deadline_form(
    user: User, case: Case, data: Any = None, initial: dict[str, Any] | None = None
) -> DeadlineForm:
    return DeadlineForm(
        data,
        initial=initial,
        rules=_rules_for(case),
        hearings=_trigger_hearings(user, case),
        time_zone=case.court.time_zone,
    )


def _rule_preview(user: User, case: Case, data: Any) -> dict[str, Any]:
    """The rule's citation and the date it computes from the trigger entered so far."""
    form = RulePreviewForm(data, rules=_rules_for(case), hearings=_trigger_hearings(user, case))
    valid = form.is_valid()
    rule = form.cleaned_data.get("rule")
    if rule is None:
        return {"rule": None}
    if not valid:
        errors = " ".join(str(message) for messages in form.errors.values() for message in messages)
        return {"rule": rule, "trigger": None, "computed": None, "error": errors}
    hearing: Hearing | None = form.cleaned_data["trigger_hearing"]
    trigger = form.cleaned_data["trigger_date"]
    if hearing is not None:
        trigger = _local(hearing.starts_at, case.court).date()
    preview: dict[str, Any] = {"rule": rule, "trigger": trigger, "computed": None, "error": ""}
    if trigger is not None:
        try:
            preview["computed"] = services.rule_preview(case=case, rule=rule, trigger_date=trigger)
        except ValidationError as error:
            preview["error"] = " ".join(error.messages)
    return preview


@login_required
@require_http_methods(["GET", "POST"])
def deadline_add(request: HttpRequest, case_id: int) -> HttpResponse:
    user = signed_in_user(request)
    case = case_selectors.case_get_for_user(user, case_id)
    permissions.require_calendar_keeper(user, case)
    posted = request.POST if request.method == "POST" else None
    # Without JavaScript, "Show the computed date" comes back here by GET with what was typed.
    form = _deadline_form(
        user, case, posted, initial=request.GET.dict() if posted is None else None
    )
    status, conflict = 200, ""
    if posted is not None:
        deadline, status, conflict = _submit(
            form,
            lambda _: services.deadline_create(case=case, by=user, **form.service_arguments()),
        )
        if deadline is not None:
            messages.success(
                request, f"Deadline “{deadline.title}” set for {deadline.due_date:%Y-%m-%d}."
            )
            return redirect("deadlines:deadline", deadline.pk)
    context = {
        "case": case,
        "form": form,
        "conflict": conflict,
        "preview": _rule_preview(user, case, posted or request.GET),
    }
    with timezone.override(case.court.time_zone):
        return render(request, "deadlines/deadline_form.html", context, status=status)


@login_required
@require_GET
def deadline_rule_preview(request: HttpRequest, case_id: int) -> HttpResponse:
    """The live preview of the deadline form (htmx): the rule's citation, the computed last day
    and how it was counted. Nothing is saved."""
    user = signed_in_user(request)
    case = case_selectors.case_get_for_user(user, case_id)
    permissions.require_calendar_keeper(user, case)
    context = {"case": case, "preview": _rule_preview(user, case, request.GET)}
    return render(request, "deadlines/partials/rule_preview.html", context)


def _render_deadline(
    request: HttpRequest,
    deadline: Deadline,
    *,
    status: int = 200,
    bound: dict[str, forms.Form] | None = None,
    conflict: str = "",
) -> HttpResponse:
    user = signed_in_user(request)
    bound = bound or {}
    case = deadline.case
    keeps = permissions.may_keep_calendar(user, case)
    by_hand = deadline.kind not in NEGOTIATION_DEADLINE_KINDS  # the negotiation's follow it
    is_open = deadline.status == DeadlineStatus.OPEN
    forms_: dict[str, forms.Form | None] = {
        "override": OverrideForm(prefix="override")
        if keeps and by_hand and is_open and deadline.rule_id
        else None,
        "unoverride": ConfirmForm(prefix="unoverride")
        if keeps and by_hand and is_open and deadline.override_reason
        else None,
        "met": ConfirmForm(prefix="met")
        if is_open
        and by_hand
        and permissions.may_complete_deadline(user, case, deadline.responsible_side)
        else None,
        "cancel": ReasonForm(prefix="cancel", label="Reason for cancelling")
        if keeps and by_hand and is_open
        else None,
        "reopen": ReasonForm(prefix="reopen", label="Reason for reopening")
        if keeps and by_hand and not is_open
        else None,
    }
    forms_.update(bound)
    today = court_today(case.court)
    context = {
        "case": case,
        "deadline": deadline,
        "is_overdue": is_open and deadline.due_date < today,
        "explanation": [line for line in deadline.explanation.splitlines() if line.strip()],
        "changes": list(selectors.deadline_history(deadline)),
        "forms": forms_,
        "may_keep_calendar": keeps,
        "may_edit": keeps and by_hand and is_open,
        "conflict": conflict,
    }
    with timezone.override(case.court.time_zone):
        return render(request, "deadlines/deadline_detail.html", context, status=status)


@login_required
@require_GET
def deadline_detail(request: HttpRequest, deadline_id: int) -> HttpResponse:
    deadline = _deadline_for(signed_in_user(request), deadline_id)
    return _render_deadline(request, deadline)


def _deadline_action(
    request: HttpRequest,
    deadline_id: int,
    *,
    prefix: str,
    form: Callable[[Any], forms.Form],
    allowed: Callable[[User, Deadline], bool],
    refusal: str,
    act: Callable[[User, Deadline, dict[str, Any]], Deadline],
    done: Callable[[Deadline], str],
) -> HttpResponse:
    """The shape of every POST on a deadline: 404 when not visible, 403 when not allowed,
    then one service call; errors shown on the deadline page with the form that failed."""
    user = signed_in_user(request)
    deadline = _deadline_for(user, deadline_id)
    if not allowed(user, deadline):
        raise PermissionDenied(refusal)
    bound = form(request.POST)
    changed, status, conflict = _submit(bound, lambda data: act(user, deadline, data))
    if changed is None:
        deadline = _deadline_for(user, deadline_id)
        return _render_deadline(
            request, deadline, status=status, bound={prefix: bound}, conflict=conflict
        )
    messages.success(request, done(changed))
    return redirect("deadlines:deadline", changed.pk)


def _deadline_edit_refusal(deadline: Deadline) -> str:
    """Why a deadline is not edited by hand now, or "" (the service's own 409 message)."""
    conflict = services.deadline_edit_conflict(deadline)
    return conflict.message if conflict is not None else ""


def _deadline_saved(before: Deadline, saved: Deadline) -> str:
    """What the edit changed, in a sentence ("" when nothing did)."""
    if saved.trigger_date != before.trigger_date:
        assert saved.trigger_date is not None and saved.computed_date is not None
        text = (
            f"Trigger date moved to {saved.trigger_date:%Y-%m-%d}: the computed last day is "
            f"{saved.computed_date:%Y-%m-%d}"
        )
        if saved.override_reason:
            text += f"; the override to {saved.due_date:%Y-%m-%d} stays"
        return text + "."
    if saved.due_date != before.due_date:
        return f"“{saved.title}” now ends on {saved.due_date:%Y-%m-%d}."
    if (saved.title, saved.notes) != (before.title, before.notes):
        return f"“{saved.title}” saved."
    return ""


@login_required
@require_http_methods(["GET", "POST"])
def deadline_edit(request: HttpRequest, deadline_id: int) -> HttpResponse:
    """Change an open deadline's title and notes, and the one date the court may change on it:
    the last day of one set by hand, or the trigger date of one computed from a dated event
    (the rule counts the last day again). The negotiation's deadlines are not edited here."""
    user = signed_in_user(request)
    deadline = _deadline_for(user, deadline_id)
    case = deadline.case
    permissions.require_calendar_keeper(user, case)
    form = DeadlineEditForm(
        request.POST if request.method == "POST" else None,
        deadline=deadline,
        initial={
            "title": deadline.title,
            "notes": deadline.notes,
            "due_date": deadline.due_date,
            "trigger_date": deadline.trigger_date,
        },
    )
    status, conflict = 200, ""
    if request.method == "POST":
        before = deadline
        saved, status, conflict = _submit(
            form,
            lambda _: services.deadline_update(
                deadline=before, by=user, **form.service_arguments()
            ),
        )
        if saved is not None:
            done = _deadline_saved(before, saved)
            if done:
                messages.success(request, done)
            else:
                messages.info(request, "Nothing changed: the deadline was already so.")
            return redirect(_next_url(request, reverse("deadlines:deadline", args=[saved.pk])))
        deadline = _deadline_for(user, deadline_id)  # the stored one, not one changed in memory
    elif _deadline_edit_refusal(deadline):
        status, conflict = 409, _deadline_edit_refusal(deadline)
    context = {
        "case": case,
        "deadline": deadline,
        "form": None if _deadline_edit_refusal(deadline) else form,
        "conflict": conflict,
        "next": _next_url(request, ""),
    }
    with timezone.override(case.court.time_zone):
        return render(request, "deadlines/deadline_edit.html", context, status=status)


def _keeps(user: User, deadline: Deadline) -> bool:
    return permissions.may_keep_calendar(user, deadline.case)


KEEPER_REFUSAL = "Only the court sets, overrides and cancels deadlines."


@login_required
@require_POST
def deadline_override(request: HttpRequest, deadline_id: int) -> HttpResponse:
    return _deadline_action(
        request,
        deadline_id,
        prefix="override",
        form=lambda data: OverrideForm(data, prefix="override"),
        allowed=_keeps,
        refusal=KEEPER_REFUSAL,
        act=lambda user, d, data: services.deadline_override(
            deadline=d, by=user, due_date=data["due_date"], reason=data["reason"]
        ),
        done=lambda d: (
            f"Last day overridden to {d.due_date:%Y-%m-%d}; "
            "the computed date is kept in the history."
        ),
    )


@login_required
@require_POST
def deadline_override_remove(request: HttpRequest, deadline_id: int) -> HttpResponse:
    return _deadline_action(
        request,
        deadline_id,
        prefix="unoverride",
        form=lambda data: ConfirmForm(data, prefix="unoverride"),
        allowed=_keeps,
        refusal=KEEPER_REFUSAL,
        act=lambda user, d, _: services.deadline_override_remove(deadline=d, by=user),
        done=lambda d: (
            f"Override removed: the last day is the computed {d.due_date:%Y-%m-%d} again."
        ),
    )


@login_required
@require_POST
def deadline_mark_met(request: HttpRequest, deadline_id: int) -> HttpResponse:
    return _deadline_action(
        request,
        deadline_id,
        prefix="met",
        form=lambda data: ConfirmForm(data, prefix="met"),
        allowed=lambda user, d: permissions.may_complete_deadline(user, d.case, d.responsible_side),
        refusal="Only the court or the side that had to meet this deadline marks it met.",
        act=lambda user, d, _: services.deadline_complete(deadline=d, by=user),
        done=lambda d: f"“{d.title}” marked met.",
    )


@login_required
@require_POST
def deadline_cancel(request: HttpRequest, deadline_id: int) -> HttpResponse:
    return _deadline_action(
        request,
        deadline_id,
        prefix="cancel",
        form=lambda data: ReasonForm(data, prefix="cancel", label="Reason for cancelling"),
        allowed=_keeps,
        refusal=KEEPER_REFUSAL,
        act=lambda user, d, data: services.deadline_cancel(
            deadline=d, by=user, reason=data["reason"]
        ),
        done=lambda d: f"“{d.title}” cancelled.",
    )


@login_required
@require_POST
def deadline_reopen(request: HttpRequest, deadline_id: int) -> HttpResponse:
    return _deadline_action(
        request,
        deadline_id,
        prefix="reopen",
        form=lambda data: ReasonForm(data, prefix="reopen", label="Reason for reopening"),
        allowed=_keeps,
        refusal=KEEPER_REFUSAL,
        act=lambda user, d, data: services.deadline_reopen(
            deadline=d, by=user, reason=data["reason"]
        ),
        done=lambda d: f"“{d.title}” reopened.",
    )


# --- closure days and courtrooms ----------------------------------------------------------------


def _court_for(user: User, court_id: int) -> Court:
    """A court whose calendar `user` may look at: its judges and staff (others: 403)."""
    court = Court.objects.select_related("jurisdiction").filter(pk=court_id).first()
    if court is None:
        raise Http404("No such court.")
    if not permissions.may_view_docket(user, court):
        raise PermissionDenied("A court's closure days are kept by its staff.")
    return court


def _render_closures(
    request: HttpRequest,
    court: Court,
    *,
    status: int = 200,
    bound: dict[str, forms.Form] | None = None,
    conflict: str = "",
) -> HttpResponse:
    user = signed_in_user(request)
    bound = bound or {}
    manages = permissions.may_manage_closures(user, court)
    today = court_today(court)
    context = {
        "court": court,
        "closures": list(
            selectors.closures_of(court, since=today - dt.timedelta(days=CLOSURES_PAST_DAYS))
        ),
        "today": today,
        "courtrooms": list(selectors.courtrooms_of(court)),
        "may_manage": manages,
        "closure_form": bound.get("closure")
        or (ClosureForm(prefix="closure") if manages else None),
        "courtroom_form": bound.get("courtroom")
        or (CourtroomForm(prefix="courtroom") if manages else None),
        "conflict": conflict,
    }
    with timezone.override(court.time_zone):
        return render(request, "deadlines/closures.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def closures(request: HttpRequest, court_id: int) -> HttpResponse:
    """The court's closure days (GET for its judges and staff; adding one for its staff)."""
    user = signed_in_user(request)
    court = _court_for(user, court_id)
    if request.method == "GET":
        return _render_closures(request, court)
    permissions.require_closure_manager(user, court)
    form = ClosureForm(request.POST, prefix="closure")
    closure, status, conflict = _submit(
        form,
        lambda data: services.closure_add(
            court=court, by=user, date=data["date"], reason=data["reason"]
        ),
    )
    if closure is None:
        return _render_closures(
            request, court, status=status, bound={"closure": form}, conflict=conflict
        )
    messages.success(
        request,
        f"{closure.date:%Y-%m-%d} entered as a closure day. Deadlines ending on it roll.",
    )
    return redirect("deadlines:closures", court.pk)


@login_required
@require_POST
def closure_remove(request: HttpRequest, court_id: int, closure_id: int) -> HttpResponse:
    user = signed_in_user(request)
    court = _court_for(user, court_id)
    permissions.require_closure_manager(user, court)
    closure = CourtClosure.objects.filter(pk=closure_id, court=court).first()
    if closure is None:
        raise Http404("No such closure day.")
    day = closure.date
    try:
        services.closure_remove(closure=closure, by=user)
    except (ValidationError, Conflict) as error:
        message = error.message if isinstance(error, Conflict) else " ".join(error.messages)
        return _render_closures(request, court, status=409, conflict=message)
    messages.success(request, f"{day:%Y-%m-%d} is a court day again.")
    return redirect("deadlines:closures", court.pk)


@login_required
@require_POST
def courtroom_add(request: HttpRequest, court_id: int) -> HttpResponse:
    user = signed_in_user(request)
    court = _court_for(user, court_id)
    permissions.require_closure_manager(user, court)
    form = CourtroomForm(request.POST, prefix="courtroom")
    room, status, conflict = _submit(
        form, lambda data: services.courtroom_create(court=court, by=user, name=data["name"])
    )
    if room is None:
        return _render_closures(
            request, court, status=status, bound={"courtroom": form}, conflict=conflict
        )
    messages.success(request, f"Courtroom “{room.name}” added.")
    return redirect(reverse("deadlines:closures", args=[court.pk]) + "#courtrooms")


# --- notifications ---------------------------------------------------------------------------


@login_required
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    rows = list(inbox.notifications_for(user)[:INBOX_SIZE])
    unread = sum(1 for n in rows if n.read_at is None)
    context = {
        "notifications": inbox.notifications_shown(user, rows),
        "unread_shown": unread,
        "inbox_size": INBOX_SIZE,
    }
    return render(request, "deadlines/notifications.html", context)


@login_required
@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    user = signed_in_user(request)
    notification = inbox.notification_get(user=user, notification_id=notification_id)
    inbox.notification_mark_read(notification=notification, by=user)
    url = inbox.notification_shown(user, notification).shown.url
    if request.POST.get("open") and url:
        return redirect(_next_url_from(url, request))
    messages.success(request, "Marked as read.")
    return redirect(_next_url(request, reverse("deadlines:notifications")))


def _next_url_from(url: str, request: HttpRequest) -> str:
    return url if _is_ours(url, request) else reverse("deadlines:notifications")


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    count = inbox.notifications_mark_all_read(by=user)
    messages.success(request, f"{count} notification{'' if count == 1 else 's'} marked as read.")
    return redirect("deadlines:notifications")


# --- alert preferences -----------------------------------------------------------------------


def _preference_form(user: User, data: Any = None) -> AlertPreferencesForm:
    settings_ = alerts.alert_settings_of(user)
    initial: dict[str, Any] = {
        "daily_digest": settings_.daily_digest,
        "digest_hour": settings_.digest_hour,
        "time_zone": settings_.time_zone,
    }
    kinds = []
    for pref in alerts.preferences_of(user):
        kinds.append((pref.kind, pref.label))
        initial[f"{pref.kind}-lead"] = format_lead_times(pref.lead_minutes)
        initial[f"{pref.kind}-in_app"] = pref.in_app
        initial[f"{pref.kind}-email"] = pref.email
    return AlertPreferencesForm(data, kinds=kinds, initial=initial)


def _preferences_save(user: User, form: AlertPreferencesForm) -> bool:
    """Every kind's preference and the digest settings, all or nothing: a refused kind is
    reported next to its lead times and nothing is saved."""
    errors: dict[str, list[str]] = {}
    data = form.cleaned_data
    with transaction.atomic():
        for pref in form.preferences():
            try:
                with transaction.atomic():
                    alerts.alert_preference_set(user=user, replan=False, **pref)
            except ValidationError as error:
                errors[f"{pref['kind']}-lead"] = error.messages
        try:
            with transaction.atomic():
                alerts.alert_settings_set(
                    user=user,
                    daily_digest=data["daily_digest"],
                    digest_hour=data["digest_hour"],
                    time_zone=data["time_zone"],
                )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                errors.update(error.message_dict)
            else:
                errors["__all__"] = error.messages
        if errors:
            raise ValidationError(errors)  # rolls back the kinds saved before the refusal
        alerts.plan_for_user(user)
    return True


@login_required
@require_http_methods(["GET", "POST"])
def alert_settings(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    posted = request.POST if request.method == "POST" else None
    form = _preference_form(user, posted)
    status, conflict = 200, ""
    if posted is not None:
        saved, status, conflict = _submit(form, lambda _: _preferences_save(user, form))
        if saved:
            messages.success(request, "Alert preferences saved. Your reminders are planned again.")
            return redirect("deadlines:alert-settings")
    return render(
        request,
        "deadlines/alert_settings.html",
        {"form": form, "conflict": conflict},
        status=status,
    )
