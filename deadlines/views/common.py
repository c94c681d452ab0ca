"""What the court-date pages share: where to go back to, times on the court's wall clock, and
the hearing or deadline a person may see."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from cases.models import Court
from core.forms import submit_form
from deadlines import selectors
from deadlines.models import Deadline, Hearing

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
