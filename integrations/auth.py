"""Authentication of API clients: `Authorization: Bearer prl_…`.

The request runs as the client's service account (request.user) with the token as request.auth,
so every permission rule applies unchanged and the throttle counts per token. A revoked or
expired token, a revoked client and an inactive account all answer 401 alike.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from integrations.models import ApiToken

TOKEN_PREFIX = "prl_"  # noqa: S105 (a marker, not a secret)
# last_used_at is written at most this often per token: a busy client is not a write per call.
LAST_USED_PRECISION = dt.timedelta(minutes=1)


def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ClientTokenAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(_("Send one token: Authorization: Bearer prl_…."))
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed(_("The token is not valid.")) from None
        return self.check(key)

    def check(self, key: str) -> tuple[User, ApiToken]:
        """The account and token of `key`; AuthenticationFailed if it does not authenticate."""
        now = timezone.now()
        token = (
            ApiToken.objects.select_related("client__account", "client__court")
            .filter(key_hash=hash_token(key), revoked_at__isnull=True)
            .filter(client__revoked_at__isnull=True)
            .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
            .first()
        )
        if token is None or not key.startswith(TOKEN_PREFIX):
            raise AuthenticationFailed(_("The token is not valid, or was revoked or expired."))
        account = token.client.account
        if not account.is_active:
            raise AuthenticationFailed(_("The token is not valid, or was revoked or expired."))
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return account, token

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="api"'


class ClientTokenScheme(OpenApiAuthenticationExtension):
    """The client tokens in the OpenAPI schema, as HTTP bearer tokens."""

    target_class = "integrations.auth.ClientTokenAuthentication"
    name = "clientToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API client's token (prl_…), made by the court's staff or the "
            "client's owner. Requests run as the client's service account.",
        }
