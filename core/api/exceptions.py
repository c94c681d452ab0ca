"""One error body for the whole API: {"detail": ..., "code": ...} or {field: [messages]}.

A Conflict with details adds them to its body, e.g. {"detail": ..., "code":
"conflict_of_interest", "conflicts": [...]}.
"""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import OperationalError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.exceptions import Conflict, PreconditionFailed


class ConflictError(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This action is not allowed in the current state."
    default_code = "conflict"


class PreconditionFailedError(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "This was changed since you read it."
    default_code = "precondition_failed"


# PostgreSQL's answers to two transactions that got in each other's way (deadlock detected,
# serialization failure): the loser was rolled back whole, and the same request may be sent
# again.
_RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})


def _retryable(exc: Exception) -> bool:
    cause = exc.__cause__
    return isinstance(exc, OperationalError) and getattr(cause, "sqlstate", None) in (
        _RETRYABLE_SQLSTATES
    )


def _as_drf(exc: Exception) -> Exception:
    if _retryable(exc):
        return ConflictError(
            detail=_(
                "Another change to the same records was being made at the same moment; "
                "nothing of this request was kept. Send it again."
            ),
            code="concurrent_update",
        )
    if isinstance(exc, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent):
        # Raised by Django while DRF reads the body; left alone, Django answers with its HTML
        # 400 page. The same limits, said in the API's own body.
        return exceptions.ParseError(detail=_("The request is too large: %(exc)s") % {"exc": exc})
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            return exceptions.ValidationError(exc.message_dict)
        return exceptions.ValidationError({"non_field_errors": exc.messages})
    if isinstance(exc, PreconditionFailed):
        return PreconditionFailedError(detail=exc.message, code=exc.code)
    if isinstance(exc, Conflict):
        return ConflictError(detail=exc.message, code=exc.code)
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(detail=str(exc) or None)
    if isinstance(exc, Http404 | exceptions.NotFound):
        # One 404 for the whole API: a message naming what was not found ("No such offer.",
        # Django's "No ApiClient matches the given query.") differs between code paths, and so
        # tells a caller which path ran, and with it whether the object exists.
        return exceptions.NotFound()
    return exc


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    details = exc.details if isinstance(exc, Conflict) else {}
    exc = _as_drf(exc)
    response = drf_exception_handler(exc, context)
    if (
        response is not None
        and isinstance(exc, exceptions.APIException)
        and isinstance(response.data, dict)
        and "detail" in response.data
    ):
        codes = exc.get_codes()
        response.data["code"] = codes if isinstance(codes, str) else "error"
        # Extra keys never replace the message or the code.
        response.data.update({k: v for k, v in details.items() if k not in response.data})
    return response
