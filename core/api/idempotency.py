"""Idempotency-Key on API POSTs (the IETF httpapi draft's semantics):

- the first request with a key is answered as usual, and its answer kept for 24 hours;
- a retry with the same key and the same request gets that answer again
  (`Idempotent-Replayed: true`), and nothing is done twice;
- a retry while the first is still being answered gets 409 (`idempotency_in_flight`);
- the same key with a different request (method, path or body) gets 422
  (`idempotency_key_reused`).

Keys belong to a client (its token, or its signed-in user), so two clients never share one. An
answer of 5xx is not kept: the request may be retried. Multipart uploads are not covered (their
bodies are streamed to disk, not held to be compared); send them once, or check the documents
list before retrying.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable
from typing import Any, Protocol, cast

from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from core.models import IdempotencyRecord

KEPT_FOR = dt.timedelta(hours=24)
# A first request still "in flight" after this long died with its process: it may be retried.
ABANDONED_AFTER = dt.timedelta(minutes=5)
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
_KEPT_HEADERS = ("ETag", "Location")


def _client_of(request: HttpRequest) -> str | None:
    """Whose keys these are: the token's (only if it still authenticates, so a revoked token
    never replays what it was once answered), else the signed-in user's."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    # The token schemes are those of the API's authentication classes that check a token by
    # itself (personal tokens, "Token"; API clients' tokens, "Bearer").
    checker = _token_checkers().get(scheme.lower())
    if checker is not None and token:
        if not _authenticates(checker, token):
            return None  # no replay; the view answers 401
        return "token:" + hashlib.sha256(token.encode()).hexdigest()[:64]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return None


class TokenChecker(Protocol):
    """An authentication class of REST_FRAMEWORK's DEFAULT_AUTHENTICATION_CLASSES that reads
    `Authorization: <keyword> <token>` and can check a token without a request."""

    keyword: str

    def check(self, key: str) -> Any: ...


def _token_checkers() -> dict[str, TokenChecker]:
    from rest_framework.settings import api_settings

    checkers: dict[str, TokenChecker] = {}
    # The setting's dotted paths, imported by DRF.
    auth_classes = cast("list[type[Any]]", api_settings.DEFAULT_AUTHENTICATION_CLASSES)
    for auth_class in auth_classes:
        keyword = getattr(auth_class, "keyword", None)
        if isinstance(keyword, str) and callable(getattr(auth_class, "check", None)):
            checkers.setdefault(keyword.lower(), auth_class())
    return checkers


def _authenticates(checker: TokenChecker, token: str) -> bool:
    from rest_framework.exceptions import AuthenticationFailed

    try:
        checker.check(token)
    except AuthenticationFailed:
        return False
    return True


# What a retry gets when the first answer held a secret shown once (Cache-Control: no-store):
# the secret is not kept here either.
_SECRET_NOT_KEPT = json.dumps(
    {
        "detail": "The first request with this Idempotency-Key succeeded, but its answer held a "
        "secret that is shown only once and was not kept. Read the resource instead (for a "
        "token: list the tokens, and revoke the one you did not receive).",
        "code": "idempotency_secret_not_kept",
    }
).encode()


def _error(status: int, detail: str, code: str) -> JsonResponse:
    return JsonResponse({"detail": detail, "code": code}, status=status)


def _replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(
        bytes(record.body), status=record.status_code, content_type=record.content_type or None
    )
    for name, value in record.headers.items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


def _claim(client: str, key: str, digest: str) -> tuple[IdempotencyRecord, bool]:
    """The record of this key, created (True) if this request is the first to use it."""
    now = timezone.now()
    try:
        return IdempotencyRecord.objects.get_or_create(
            client=client, key=key, defaults={"request_hash": digest}
        )
    except IntegrityError:  # created by a concurrent first request in between
        return IdempotencyRecord.objects.get(client=client, key=key), False
    finally:
        IdempotencyRecord.objects.filter(created_at__lt=now - KEPT_FOR).delete()


class IdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get("Idempotency-Key")
        if (
            key is None
            or request.method != "POST"
            or not request.path_info.startswith("/api/")
            or request.content_type == "multipart/form-data"
        ):
            return self.get_response(request)
        if not _KEY.match(key):
            return JsonResponse(
                {"Idempotency-Key": ["1 to 255 visible ASCII characters, e.g. a UUID."]},
                status=400,
            )
        client = _client_of(request)
        if client is None:  # not signed in: the view answers 401
            return self.get_response(request)
        try:
            body = request.body
        except RequestDataTooBig as exc:
            # Raised here, outside DRF: the same 400 and body DRF gives when it reads the body.
            return _error(400, f"The request is too large: {exc}", "parse_error")
        digest = hashlib.sha256(
            b"\n".join([request.method.encode(), request.path_info.encode(), body])
        ).hexdigest()
        record, first = _claim(client, key, digest)
        if not first:
            if record.request_hash != digest:
                return _error(
                    422,
                    "This Idempotency-Key was used for a different request; use a new key.",
                    "idempotency_key_reused",
                )
            if record.status_code is not None:
                return _replay(record)
            if record.created_at > timezone.now() - ABANDONED_AFTER:
                return _error(
                    409,
                    "The first request with this Idempotency-Key is still being answered; "
                    "retry shortly.",
                    "idempotency_in_flight",
                )
            # Abandoned by a process that died: this request takes it over.
            IdempotencyRecord.objects.filter(pk=record.pk).update(created_at=timezone.now())
        try:
            response = self.get_response(request)
        except BaseException:
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
            raise
        if response.status_code >= 500 or response.streaming:
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
            return response
        if "no-store" in response.get("Cache-Control", ""):
            IdempotencyRecord.objects.filter(pk=record.pk).update(
                status_code=409, content_type="application/json", headers={}, body=_SECRET_NOT_KEPT
            )
            return response
        IdempotencyRecord.objects.filter(pk=record.pk).update(
            status_code=response.status_code,
            content_type=response.get("Content-Type", ""),
            headers={name: response[name] for name in _KEPT_HEADERS if response.has_header(name)},
            body=response.content,
        )
        return response
