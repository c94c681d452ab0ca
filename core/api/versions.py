"""ETags on API responses (core.versions decides what a version is)."""

from __future__ import annotations

from typing import Any

from rest_framework.response import Response

from core.versions import etag_of, etag_of_data


def versioned(response: Response, obj: Any) -> Response:
    response["ETag"] = etag_of(obj)
    return response


def versioned_data(response: Response, kind: str) -> Response:
    """The ETag of the body itself (core.versions.etag_of_data), for what is not one row."""
    response["ETag"] = etag_of_data(kind, response.data)
    return response
