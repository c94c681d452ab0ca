"""Answers for API URLs that match no endpoint."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt  # it changes nothing; without this a POST gets the CSRF failure page, not a 404
def not_found(request: HttpRequest, *args: object, **kwargs: object) -> JsonResponse:
    """The API's own 404 body for a URL under /api/v1/ that names no endpoint (`/cases/0.5/`,
    `/cases/x/y/`): a client reading JSON never gets the site's HTML page instead."""
    return JsonResponse({"detail": _("Not found."), "code": "not_found"}, status=404)
