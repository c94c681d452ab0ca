"""Throttling per API client: each token (or signed-in session, or address when anonymous) has
its own budget of requests, settings.API_THROTTLE_RATE (e.g. "1200/min"; empty: no limit).
Over it, 429 with Retry-After; the count lives in the shared cache, so every web process of a
scaled-out deployment counts the same requests."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle


class ClientRateThrottle(SimpleRateThrottle):
    scope = "client"
    cache_format = "throttle_%(scope)s_%(ident)s"

    def get_rate(self) -> str | None:
        # Read on every request (not at import), so an operator's setting and a test's apply.
        return getattr(settings, "API_THROTTLE_RATE", "") or None

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
