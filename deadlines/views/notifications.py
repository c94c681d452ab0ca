"""The notifications inbox and the alert preferences."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.decorators import login_required_htmx as login_required
from core.decorators import signed_in_user
from deadlines import alerts
from deadlines import notifications as inbox
from deadlines.forms import AlertPreferencesForm, format_lead_times
from deadlines.views.common import _is_ours, _next_url, _submit

INBOX_SIZE = 100


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
    messages.success(request, _("Marked as read."))
    return redirect(_next_url(request, reverse("deadlines:notifications")))


def _next_url_from(url: str, request: HttpRequest) -> str:
    return url if _is_ours(url, request) else reverse("deadlines:notifications")


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    count = inbox.notifications_mark_all_read(by=user)
    messages.success(
        request,
        ngettext(
            "%(count)d notification marked as read.",
            "%(count)d notifications marked as read.",
            count,
        )
        % {"count": count},
    )
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
            messages.success(
                request, _("Alert preferences saved. Your reminders are planned again.")
            )
            return redirect("deadlines:alert-settings")
    return render(
        request,
        "deadlines/alert_settings.html",
        {"form": form, "conflict": conflict},
        status=status,
    )
