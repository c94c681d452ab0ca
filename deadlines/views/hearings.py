"""Hearings: scheduling, the page of one, rescheduling, editing, cancelling, marking held."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import permissions
from cases import selectors as case_selectors
from cases.models import Case
from core.decorators import login_required_htmx as login_required
from core.decorators import signed_in_user
from core.text import user_name
from deadlines import selectors, services
from deadlines.forms import ConfirmForm, HearingEditForm, HearingForm, ReasonForm, RescheduleForm
from deadlines.models import UPCOMING_HEARING_STATUSES, Hearing, HearingStatus
from deadlines.views.common import _hearing_for, _local, _next_url, _say_when, _submit


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
                _("%(kind)s scheduled for %(say_when)s in %(courtroom)s.")
                % {
                    "kind": hearing.get_kind_display(),
                    "say_when": _say_when(hearing.starts_at, case.court),
                    "courtroom": hearing.courtroom,
                },
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
            ReasonForm(prefix="cancel", label=_("Reason for cancelling"))
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
                _(
                    "%(kind)s in %(docket_number)s moved to %(say_when)s in %(courtroom)s. "
                    "Everyone on the case is notified."
                )
                % {
                    "kind": moved.get_kind_display(),
                    "docket_number": case.docket_number,
                    "say_when": _say_when(moved.starts_at, case.court),
                    "courtroom": moved.courtroom,
                },
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
    return _("This hearing is %(hearing_status)s; it cannot be changed.") % {
        "hearing_status": HearingStatus(hearing.status).label.lower()
    }


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
                done.append(_("judge removed"))
            elif saved.judge is not None and saved.judge_id != before.judge_id:
                name = user_name(saved.judge)
                done.append(_("judge now %(name)s") % {"name": name})
            if saved.notes != before.notes:
                done.append(_("notes saved"))
            if done:
                messages.success(
                    request,
                    _("%(kind)s: %(items)s.")
                    % {"kind": saved.get_kind_display(), "items": "; ".join(done)},
                )
            else:
                messages.info(
                    request, _("Nothing changed: the judge and the notes were already so.")
                )
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
    form = ReasonForm(request.POST, prefix="cancel", label=_("Reason for cancelling"))
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
        request,
        _("%(kind)s cancelled. Everyone on the case is notified.")
        % {"kind": cancelled.get_kind_display()},
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
    messages.success(request, _("%(kind)s recorded as held.") % {"kind": held.get_kind_display()})
    return redirect("deadlines:hearing", held.pk)
