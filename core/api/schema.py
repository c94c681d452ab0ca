"""OpenAPI pieces more than one endpoint describes."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter


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
