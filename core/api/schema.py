"""OpenAPI pieces more than one endpoint describes."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse


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
    response=True,
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
