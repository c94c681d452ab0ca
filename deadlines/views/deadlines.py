"""Deadlines: adding one from a rule (with its live preview), the page of one, editing, the
court's override, and marking met, cancelling and reopening."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import permissions
from cases import selectors as case_selectors
from cases.models import Case
from cases.services import court_today
from core.decorators import login_required_htmx as login_required
from core.decorators import signed_in_user
from deadlines import selectors, services
from deadlines.forms import (
    ConfirmForm,
    DeadlineEditForm,
    DeadlineForm,
    OverrideForm,
    ReasonForm,
    RulePreviewForm,
)
from deadlines.models import (
    NEGOTIATION_DEADLINE_KINDS,
    Deadline,
    DeadlineStatus,
    Hearing,
    HearingStatus,
)
from deadlines.views.common import _deadline_for, _local, _next_url, _submit


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
                request,
                _("Deadline “%(title)s” set for %(due_date)s.")
                % {"title": deadline.title, "due_date": format(deadline.due_date, "%Y-%m-%d")},
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
        "cancel": ReasonForm(prefix="cancel", label=_("Reason for cancelling"))
        if keeps and by_hand and is_open
        else None,
        "reopen": ReasonForm(prefix="reopen", label=_("Reason for reopening"))
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
        text = _(
            "Trigger date moved to %(trigger_date)s: the computed last day is %(computed_date)s"
        ) % {
            "trigger_date": format(saved.trigger_date, "%Y-%m-%d"),
            "computed_date": format(saved.computed_date, "%Y-%m-%d"),
        }
        if saved.override_reason:
            text += _("; the override to %(due_date)s stays") % {
                "due_date": format(saved.due_date, "%Y-%m-%d")
            }
        return text + "."
    if saved.due_date != before.due_date:
        return _("“%(title)s” now ends on %(due_date)s.") % {
            "title": saved.title,
            "due_date": format(saved.due_date, "%Y-%m-%d"),
        }
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
                messages.info(request, _("Nothing changed: the deadline was already so."))
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


KEEPER_REFUSAL = gettext_lazy("Only the court sets, overrides and cancels deadlines.")


@login_required
@require_POST
def deadline_override(request: HttpRequest, deadline_id: int) -> HttpResponse:
    return _deadline_action(
        request,
        deadline_id,
        prefix="override",
        form=lambda data: OverrideForm(data, prefix="override"),
        allowed=_keeps,
        refusal=str(KEEPER_REFUSAL),
        act=lambda user, d, data: services.deadline_override(
            deadline=d, by=user, due_date=data["due_date"], reason=data["reason"]
        ),
        done=lambda d: (
            _("Last day overridden to %(due_date)s; the computed date is kept in the history.")
            % {"due_date": format(d.due_date, "%Y-%m-%d")}
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
        refusal=str(KEEPER_REFUSAL),
        act=lambda user, d, _: services.deadline_override_remove(deadline=d, by=user),
        done=lambda d: (
            _("Override removed: the last day is the computed %(due_date)s again.")
            % {"due_date": format(d.due_date, "%Y-%m-%d")}
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
        refusal=_("Only the court or the side that had to meet this deadline marks it met."),
        act=lambda user, d, _: services.deadline_complete(deadline=d, by=user),
        done=lambda d: _("“%(title)s” marked met.") % {"title": d.title},
    )


@login_required
@require_POST
def deadline_cancel(request: HttpRequest, deadline_id: int) -> HttpResponse:
    return _deadline_action(
        request,
        deadline_id,
        prefix="cancel",
        form=lambda data: ReasonForm(data, prefix="cancel", label=_("Reason for cancelling")),
        allowed=_keeps,
        refusal=str(KEEPER_REFUSAL),
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
        form=lambda data: ReasonForm(data, prefix="reopen", label=_("Reason for reopening")),
        allowed=_keeps,
        refusal=str(KEEPER_REFUSAL),
        act=lambda user, d, data: services.deadline_reopen(
            deadline=d, by=user, reason=data["reason"]
        ),
        done=lambda d: f"“{d.title}” reopened.",
    )
