"""Binds each request to an audit context: request id, client address and (lazily) the user."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from audit.context import AuditContext, acting

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")


def request_id_of(request: HttpRequest) -> str | None:
    """A caller's X-Request-ID is kept when it is a sensible token, so that a docket system's
    own request id can be found in our history."""
    given = request.headers.get("X-Request-ID", "")
    return given if _REQUEST_ID.match(given) else None


def client_address(request: HttpRequest) -> str | None:
    """REMOTE_ADDR when it is an IP address (a unix socket is not), without an IPv6 zone
    (PostgreSQL's inet has none)."""
    given = str(request.META.get("REMOTE_ADDR") or "").partition("%")[0]
    try:
        return str(ipaddress.ip_address(given))
    except ValueError:
        return None


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        via = "api" if request.path_info.startswith("/api/") else "web"
        audit = AuditContext(
            via=via,
            ip=client_address(request),
            method=request.method or "",
            path=request.path,
        )
        given = request_id_of(request)
        if given:
            audit.request_id = given
        audit.actor = lambda: getattr(request, "user", None)
        request.audit = audit  # type: ignore[attr-defined]
        with acting(audit):
            response = self.get_response(request)
        response["X-Request-ID"] = audit.request_id
        return response
