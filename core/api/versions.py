"""ETags on API responses (core.versions decides what a version is)."""

from __future__ import annotations

from typing import Any

from rest_framework.response import Response

from core.versions import etag_of


def versioned(response: Response, obj: Any) -> Response:
    response["ETag"] = etag_of(obj)
    return response
