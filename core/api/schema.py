"""OpenAPI pieces more than one endpoint describes."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse
from rest_framework.permissions import AllowAny


def digest_headers(field: str, on: str) -> list[OpenApiParameter]:
    """The response headers of a download that carry the file's SHA-256 (as `field` on the
    `on` has it)."""
    return [
        OpenApiParameter(
            "Repr-Digest",
            str,
            OpenApiParameter.HEADER,
            response=[200],
            description="`sha-256=:<base64>:`, the SHA-256 of the file (RFC 9530).",
        ),
        OpenApiParameter(
            "X-Content-SHA256",
            str,
            OpenApiParameter.HEADER,
            response=[200],
            description=f"The same SHA-256, in hex, as `{field}` on the {on}.",
        ),
    ]


IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="The ETag of the copy you changed; 412 if the object changed since. "
    'Several may be given, comma-separated; "*" or none: no check.',
)
ETAG = OpenApiParameter(
    "ETag",
    str,
    OpenApiParameter.HEADER,
    response=[200, 201],
    description="The object's version: send it back in If-Match to update only that version.",
)

PRECONDITION_FAILED = OpenApiResponse(
    description="If-Match named a version the object no longer has; the body's `etag` is the "
    "current one.",
    examples=[
        OpenApiExample(
            "Stale copy",
            value={
                "detail": "This was changed since you read it: read it again and apply your "
                "change to that.",
                "code": "precondition_failed",
                "etag": '"3f1c9a0e5b7d4c21a8e6f09b2d1c7e45"',
            },
        )
    ],
)


# --- Error bodies -------------------------------------------------------------------------------

ERROR_BODY: dict[str, Any] = {
    "type": "object",
    "description": "Every error but a 400's: `detail` for people, `code` for programs; some "
    "errors add keys (a 412's `etag`, a 409's `conflicts`).",
    "properties": {
        "detail": {"type": "string", "description": "What went wrong, in words."},
        "code": {"type": "string", "description": "What went wrong, for programs."},
    },
    "required": ["detail", "code"],
}
VALIDATION_BODY: dict[str, Any] = {
    "type": "object",
    "description": "Bad input: a list of messages per field (or query parameter, or header); "
    "`non_field_errors` for what concerns several. Nested fields nest the same way. A body that "
    "cannot be read at all gets `detail` and `code` instead.",
    "additionalProperties": {},
}

_JSON = ("application/json",)


def _error(description: str, *examples: OpenApiExample, body: dict[str, Any] | None = None) -> Any:
    return OpenApiResponse(
        response=body or ERROR_BODY, description=description, examples=list(examples)
    )


INVALID = _error(
    "Bad input: a list of messages per field.",
    OpenApiExample(
        "Messages per field",
        value={
            "docket_number": ["This field is required."],
            "opened_on": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."],
        },
    ),
    body=VALIDATION_BODY,
)
UNAUTHENTICATED = _error(
    "No credentials, or credentials that are not (or no longer) valid.",
    OpenApiExample(
        "No token",
        value={
            "detail": "Authentication credentials were not provided.",
            "code": "not_authenticated",
        },
    ),
)
FORBIDDEN = _error(
    "You may see this but not do this; the detail says why.",
    OpenApiExample(
        "Not your side's",
        value={
            "detail": "You do not have permission to perform this action.",
            "code": "permission_denied",
        },
    ),
)
NOT_FOUND = _error(
    "No such object, or not yours to see (the same answer); on a list, a cursor that is not one "
    "of ours.",
    OpenApiExample("Missing or not yours", value={"detail": "Not found.", "code": "not_found"}),
)
CONFLICT = _error(
    "Well formed, but not allowed in the object's current state; the detail says why. Also: a "
    "retry with an Idempotency-Key whose first request is still being answered.",
    OpenApiExample(
        "Not now",
        value={
            "detail": "A closed case cannot be changed.",
            "code": "conflict",
        },
    ),
    OpenApiExample(
        "First request still in flight",
        value={
            "detail": "The first request with this Idempotency-Key is still being answered; "
            "retry shortly.",
            "code": "idempotency_in_flight",
        },
    ),
)
KEY_REUSED = _error(
    "This Idempotency-Key was sent before with a different request.",
    OpenApiExample(
        "Key reused",
        value={
            "detail": "This Idempotency-Key was used for a different request; use a new key.",
            "code": "idempotency_key_reused",
        },
    ),
)
UNSUPPORTED_MEDIA_TYPE = _error(
    "The body is in a format this operation does not read (see its request content types), "
    "or its Content-Type cannot be read.",
    OpenApiExample(
        "Not a format we read",
        value={
            "detail": 'Unsupported media type "text/plain" in request.',
            "code": "unsupported_media_type",
        },
    ),
)
THROTTLED = _error(
    "Over this client's request budget; `Retry-After` says in how many seconds to retry.",
    OpenApiExample(
        "Slow down",
        value={
            "detail": "Request was throttled. Expected available in 17 seconds.",
            "code": "throttled",
        },
    ),
)
RETRY_AFTER = OpenApiParameter(
    "Retry-After",
    int,
    OpenApiParameter.HEADER,
    response=[429],
    description="Seconds to wait before the next request.",
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="1 to 255 visible ASCII characters (a UUID, say). A retry with the same key and "
    "body gets the first answer again (`Idempotent-Replayed: true`), nothing is done twice; the "
    "same key with another body: 422; while the first is still being answered: 409. Kept for "
    "24 hours.",
)


class AutoSchema(SpectacularAutoSchema):
    """The project's schema: every operation also lists the errors it can answer with.

    What the views and services may raise is the same everywhere (core.api.exceptions), so the
    error responses are derived from what an operation is: its method, its parameters and
    whether it needs a signed-in client. Responses a view declares itself are kept, and given
    the error body if they have none.
    """

    def get_override_parameters(self) -> list[Any]:
        parameters = list(super().get_override_parameters())
        if self.method == "POST" and not self._is_multipart():
            parameters.append(IDEMPOTENCY_KEY)
        return parameters

    def _is_multipart(self) -> bool:
        return any(
            getattr(parser, "media_type", "") == "multipart/form-data"
            for parser in self.view.get_parsers()
        ) and not any(
            getattr(parser, "media_type", "") == "application/json"
            for parser in self.view.get_parsers()
        )

    def _needs_sign_in(self) -> bool:
        return not all(
            isinstance(permission, AllowAny) for permission in self.view.get_permissions()
        )

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        parameters = operation.get("parameters", [])
        located = {(p["in"], p["name"]) for p in parameters}
        errors: dict[str, Any] = {}
        writes = self.method in ("POST", "PUT", "PATCH", "DELETE")
        if writes or any(where == "query" for where, _ in located) or "requestBody" in operation:
            errors["400"] = INVALID
        if self._needs_sign_in():
            errors["401"] = UNAUTHENTICATED
            errors["403"] = FORBIDDEN
        paginator = getattr(self.view, "pagination_class", None)
        if any(where == "path" for where, _ in located) or (
            paginator is not None and self._is_list_view()
        ):
            errors["404"] = NOT_FOUND
        if writes:
            errors["409"] = CONFLICT
        if ("header", "If-Match") in located:
            errors["412"] = PRECONDITION_FAILED
        if ("header", "Idempotency-Key") in located:
            errors["422"] = KEY_REUSED
        if "requestBody" in operation:
            errors["415"] = UNSUPPORTED_MEDIA_TYPE
        if self.view.get_throttles():
            errors["429"] = THROTTLED
        responses = operation["responses"]
        for code, error in errors.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(error, code, _JSON)
        for code, response in responses.items():
            if code >= "400" and "content" not in response:
                described = self._get_response_for_code(
                    OpenApiResponse(
                        response=VALIDATION_BODY if code == "400" else ERROR_BODY,
                        description=response.get("description", ""),
                    ),
                    code,
                    _JSON,
                )
                response.update({"content": described["content"]})
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _get_response_headers_for_code(self, status_code: str, direction: Any = "response") -> Any:
        headers = super()._get_response_headers_for_code(status_code, direction)
        if status_code == "429" and self.view.get_throttles():
            headers = {**headers, **self._retry_after()}
        return headers

    def _retry_after(self) -> dict[str, Any]:
        return {
            "Retry-After": {
                "schema": {"type": "integer"},
                "description": RETRY_AFTER.description,
            }
        }
