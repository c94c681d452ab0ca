"""Throttling per API client: each token (or signed-in session, or address when anonymous) has
its own budget of requests, settings.API_THROTTLE_RATE (e.g. "1200/min"; empty: no limit).
Over it, 429 with Retry-After; the count lives in the shared cache, so every web process of a
scaled-out deployment counts the same requests.

When the cache (Redis) cannot be reached, requests are let through uncounted: reads and writes
go on without Redis, and throttling comes back with it. The process logs one warning when it
stops counting and one line when it counts again, and in between does not try Redis for
OUTAGE_RETRY_SECONDS at a time, so an outage costs no request a wait on a dead server.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from typing import Any

from django.conf import settings
from redis.exceptions import RedisError
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

logger = logging.getLogger(__name__)

# Seconds between two tries of an unreachable cache.
OUTAGE_RETRY_SECONDS = 30.0


class _Outage:
    """Whether this process found the cache unreachable lately (shared by its threads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.since: float | None = None
        self.retry_at = 0.0

    def skip(self) -> bool:
        return self.since is not None and time.monotonic() < self.retry_at

    def failed(self, error: Exception) -> None:
        with self._lock:
            now = time.monotonic()
            self.retry_at = now + OUTAGE_RETRY_SECONDS
            if self.since is None:
                self.since = now
                logger.warning(
                    "API throttling is off: the cache cannot be reached (%s: %s); requests are "
                    "let through uncounted, and the cache is tried again every %d seconds.",
                    type(error).__name__,
                    error,
                    OUTAGE_RETRY_SECONDS,
                )

    def recovered(self) -> None:
        if self.since is None:
            return
        with self._lock:
            if self.since is not None:
                logger.info(
                    "API throttling is on again: the cache answers after %.0f seconds.",
                    time.monotonic() - self.since,
                )
                self.since = None


outage = _Outage()


class ClientRateThrottle(SimpleRateThrottle):
    scope = "client"
    cache_format = "throttle_%(scope)s_%(ident)s"

    def get_rate(self) -> str | None:
        # Read on every request (not at import), so an operator's setting and a test's apply.
        return getattr(settings, "API_THROTTLE_RATE", "") or None

    def allow_request(self, request: Request, view: Any) -> bool:
        if self.rate is None or outage.skip():
            return True
        try:
            allowed = super().allow_request(request, view)
        except (RedisError, OSError) as error:  # unreachable, timed out, refused
            outage.failed(error)
            return True
        outage.recovered()
        return allowed

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        # A DRF token has its key; a client token (integrations.ApiToken) its key's hash.
        token = getattr(request.auth, "key", None) or getattr(request.auth, "key_hash", None)
        if token:
            # The token's own budget; its hash, so the cache never holds a usable credential.
            ident = "token:" + hashlib.sha256(str(token).encode()).hexdigest()[:32]
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"anon:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
