"""Errors that services raise and every interface (API, pages) turns into the same answer.

- django.core.exceptions.ValidationError (with a dict of field messages): 400
- django.core.exceptions.PermissionDenied: 403 (you may see the object, not do this)
- django.http.Http404: 404 (missing, or not yours: the same answer)
- Conflict: 409 (the action is not allowed in the object's current state)
"""


class Conflict(Exception):
    """The request is well formed but the object's current state does not allow it."""

    def __init__(self, message: str, *, code: str = "conflict") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
