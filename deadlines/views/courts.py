"""A court's closure days and courtrooms."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cases import permissions
from cases.models import Court
from cases.services import court_today
from core.decorators import login_required_htmx as login_required
from core.decorators import signed_in_user
from core.exceptions import Conflict
from deadlines import selectors, services
from deadlines.forms import ClosureForm, CourtroomForm
from deadlines.models import CourtClosure
from deadlines.views.common import _submit

# The closures page shows the last quarter's closure days and every one to come.
CLOSURES_PAST_DAYS = 90


def _court_for(user: User, court_id: int) -> Court:
    """A court whose calendar `user` may look at: its judges and staff (others: 403)."""
    court = Court.objects.select_related("jurisdiction").filter(pk=court_id).first()
    if court is None:
        raise Http404(_("No such court."))
    if not permissions.may_view_docket(user, court):
        raise PermissionDenied(_("A court's closure days are kept by its staff."))
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
        _("%(date)s entered as a closure day. Deadlines ending on it roll.")
        % {"date": format(closure.date, "%Y-%m-%d")},
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
        raise Http404(_("No such closure day."))
    day = closure.date
    try:
        services.closure_remove(closure=closure, by=user)
    except (ValidationError, Conflict) as error:
        message = error.message if isinstance(error, Conflict) else " ".join(error.messages)
        return _render_closures(request, court, status=409, conflict=message)
    messages.success(request, _("%(day)s is a court day again.") % {"day": format(day, "%Y-%m-%d")})
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
    messages.success(request, _("Courtroom “%(room_name)s” added.") % {"room_name": room.name})
    return redirect(reverse("deadlines:closures", args=[court.pk]) + "#courtrooms")
