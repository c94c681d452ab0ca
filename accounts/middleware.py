"""Middleware of the sign-in and page-security rules."""

from __future__ import annotations

from collections.abc import Callable

from csp.constants import HEADER
from csp.middleware import CSPMiddleware
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from accounts import mfa

# A response in one of these is a page (or the API's data), under the site's policy; anything
# else (documents, PDFs, exports, calendar feeds, CSV templates) is a download.
PAGE_TYPES = ("text/html", "application/json")


def is_download(response: HttpResponseBase) -> bool:
    if response.has_header("Content-Disposition"):
        return True
    content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
    return bool(content_type) and content_type not in PAGE_TYPES


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's policy (settings.CONTENT_SECURITY_POLICY) on pages; `sandbox` alone on
    downloads, so that a file opened in the browser runs no script and reaches no cookie of the
    site, whatever it holds."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if is_download(response) and HEADER not in response:
            response[HEADER] = "sandbox"
        return super().process_response(request, response)


class SecondFactorMiddleware:
    """A signed-in session whose court or office requires a second factor it did not pass (the
    requirement came after it signed in, or it was signed in some other way) is signed out and
    sent to sign in again; on the API it gets 401. Token requests are not sessions: untouched."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and mfa.session_state(request.session, user) == mfa.REQUIRED:
            logout(request)
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "detail": _("Sign in again with your second factor."),
                        "code": "second_factor_required",
                    },
                    status=401,
                )
            messages.info(
                request,
                _("Your court or office now requires a one-time code: sign in again."),
            )
            login = redirect_to_login(request.get_full_path())
            if request.headers.get("HX-Request") == "true":
                return HttpResponseClientRedirect(login["Location"])
            return login
        return self.get_response(request)
