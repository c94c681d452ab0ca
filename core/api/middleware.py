"""Every answer of the API that is an error is JSON, whatever raised it.

DRF answers its own errors in the API's body (core.api.exceptions). What happens outside a DRF
view is answered by Django: a body too large for a middleware that reads it (400), a URL that
resolves to nothing (404), a CSRF failure (403), an exception nobody caught (500, the debug page
when DEBUG is on). Those are HTML pages, and the debug page shows code and paths of the server.
This middleware, the outermost, turns each such answer under /api/ into the API's body:
`{"detail": ..., "code": ...}`, keeping the status and headers. What went wrong is still logged
by Django (the `django.request` logger) before this runs.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


def _body(status: int) -> dict[str, str]:
    if status == 400:
        return {"detail": _("The request could not be read."), "code": "bad_request"}
    if status == 403:
        return {
            "detail": _("You do not have permission to perform this action."),
            "code": "permission_denied",
        }
    if status == 404:
        return {"detail": _("Not found."), "code": "not_found"}
    if status == 413:
        return {"detail": _("The request is too large."), "code": "too_large"}
    if status >= 500:
        return {
            "detail": _("Something went wrong on the server; it has been logged. Try again later."),
            "code": "server_error",
        }
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    return {"detail": phrase + ".", "code": phrase.lower().replace(" ", "_").replace("-", "_")}


def _is_json(response: HttpResponse) -> bool:
    content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
    return content_type == "application/json" or content_type.endswith("+json")


class ApiErrorBodyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not request.path_info.startswith(API_PREFIX)
            or response.streaming
            or _is_json(response)
        ):
            return response
        # A DRF answer rendered as HTML for a browser (the browsable API) keeps its own body
        # ("The court does not see plea offers; …", a message per field), as JSON like every
        # other error here.
        data = getattr(response, "data", None)
        body = data if isinstance(data, dict | list) else _body(response.status_code)
        answer = JsonResponse(body, status=response.status_code, safe=False)
        for name, value in response.items():
            if name.lower() not in ("content-type", "content-length"):
                answer[name] = value
        answer.cookies = response.cookies
        return answer
