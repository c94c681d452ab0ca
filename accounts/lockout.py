"""Lockout of failed sign-ins through django-axes, on the sign-in page, the second-factor step
and the API's token endpoint alike (all of them go through django.contrib.auth.authenticate, or
send its user_login_failed signal).

Failures are counted per account (the username tried, whether or not it exists) and per client
address, each against its own limit (SIGNIN_ACCOUNT_FAILURE_LIMIT, SIGNIN_ADDRESS_FAILURE_LIMIT),
within SIGNIN_COOLOFF_MINUTES of the last failure. At either limit every sign-in of that account,
or from that address, is refused, the right password too, until the cool-off has passed or
staff unlock it (docs/deployment.md).
"""

from __future__ import annotations

import ipaddress
from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from audit.middleware import client_address


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR (what the audit trail records), or behind
    SIGNIN_TRUSTED_PROXIES proxies that each append to X-Forwarded-For, the address the
    outermost of them saw. Without it, everyone behind a proxy would share one address and
    one failure budget."""
    hops = int(getattr(settings, "SIGNIN_TRUSTED_PROXIES", 0))
    if hops > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= hops:
            try:
                return str(ipaddress.ip_address(forwarded[-hops].partition("%")[0]))
            except ValueError:
                pass
    return client_address(request)


def cooloff_minutes() -> int:
    return int(getattr(settings, "SIGNIN_COOLOFF_MINUTES", 15))


def lockout_message() -> str:
    return _(
        "Too many failed sign-ins for this account or from this address. Sign-in is paused "
        "for %(minutes)d minutes; if you need in sooner, ask an administrator to unlock it."
    ) % {"minutes": cooloff_minutes()}


class SignInLockoutHandler(AxesDatabaseHandler):
    """Axes' database handler with a limit of its own for each lockout parameter.

    get_failures() answers how many of the limits are reached (0, 1 or 2), which axes compares
    with AXES_FAILURE_LIMIT = 1."""

    def get_failures(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        since = get_cool_off_threshold(request)
        checks = (
            ("username", get_client_username(request, credentials)),
            ("ip_address", request.axes_ip_address),
        )
        limits = {
            "username": int(settings.SIGNIN_ACCOUNT_FAILURE_LIMIT),
            "ip_address": int(settings.SIGNIN_ADDRESS_FAILURE_LIMIT),
        }
        reached = 0
        for field, value in checks:
            if value is None or limits[field] <= 0:
                continue
            failures = AccessAttempt.objects.filter(
                **{field: value}, attempt_time__gte=since
            ).aggregate(n=Sum("failures_since_start"))["n"]
            reached += (failures or 0) >= limits[field]
        return reached


class LockoutBackend(AxesStandaloneBackend):
    """Refuses the sign-in of a locked-out account or address before any password is checked.

    A call without a request (the test client's login(), a script) is not a sign-in from the
    web and is neither counted nor refused."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any = None
) -> HttpResponse:
    """What a locked-out sign-in gets: the API's error body with 429 on the API, else the
    sign-in page again with the reason. Retry-After: the cool-off."""
    retry_after = str(cooloff_minutes() * 60)
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"detail": lockout_message(), "code": "signin_locked"}, status=429
        )
    else:
        from accounts import mfa

        mfa.pending_clear(request)
        form = AuthenticationForm(request)
        response = render(
            request,
            "registration/login.html",
            {"form": form, "locked_out": lockout_message(), "next": ""},
            status=429,
        )
    response["Retry-After"] = retry_after
    response["Cache-Control"] = "no-store"
    return response
