"""Errors that services raise and every interface (API, pages) turns into the same answer.

- django.core.exceptions.ValidationError (with a dict of field messages): 400
- django.core.exceptions.PermissionDenied: 403 (you may see the object, not do this)
- django.http.Http404: 404 (missing, or not yours: the same answer)
- Conflict: 409 (the action is not allowed in the object's current state)
- PreconditionFailed: 412 (If-Match named a version the object no longer has)
"""

from __future__ import annotations

from typing import Any


class Conflict(Exception):
    """The request is well formed but the object's current state does not allow it.

    `details` is what a client needs beyond the message to act on it (for example the list of
    conflicts of interest to override); the API adds its keys to the 409 body.
    """

    def __init__(
        self, message: str, *, code: str = "conflict", details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.details = details or {}


class PreconditionFailed(Conflict):
    """The client's copy is stale: it sent If-Match with a version the object no longer has
    (412, with the current ETag in the body)."""

    def __init__(self, message: str, *, current: str) -> None:
        super().__init__(message, code="precondition_failed", details={"etag": current})
