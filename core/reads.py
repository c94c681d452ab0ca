"""Facts read once for the length of a GET request.

A page asks many questions of one case (may this person move its status, read its offers,
write a note, ...), and each rests on the same few facts: the person's participations on the
case, whether they sit in its court, guardian's permission rows. Within a GET or HEAD request,
which by HTTP's rules changes nothing a permission rests on, such a fact is read once
(`remembered`) and kept until the response is made: the page is one snapshot of them. Any other
request, a Celery task, a management command or a test calling a selector directly reads
afresh every time, so a decision to write never rests on an earlier read.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from contextvars import ContextVar
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponse

T = TypeVar("T")

_request_reads: ContextVar[dict[Hashable, Any] | None] = ContextVar("parley_reads", default=None)

SAFE_METHODS = frozenset({"GET", "HEAD"})


def remembered(key: Hashable, read: Callable[[], T]) -> T:
    """`read()`, or what it gave earlier in this GET request for the same key."""
    reads = _request_reads.get()
    if reads is None:
        return read()
    if key not in reads:
        reads[key] = read()
    return reads[key]


class ReadOnceMiddleware:
    """Opens the scope of `remembered` for each GET or HEAD request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in SAFE_METHODS:
            return self.get_response(request)
        token = _request_reads.set({})
        try:
            return self.get_response(request)
        finally:
            _request_reads.reset(token)
