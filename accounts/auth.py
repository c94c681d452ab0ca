"""Authentication with personal tokens: `Authorization: Token <key>`.

The request runs as the token's owner with the token as request.auth. A token that is unknown,
expired or revoked, or whose owner was deactivated, answers 401 alike. Personal tokens are not
asked for a second factor (docs/api.md): keep them short-lived and revoke what you do not use.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from accounts.models import PersonalToken
from integrations.auth import LAST_USED_PRECISION, hash_token


def invalid() -> AuthenticationFailed:
    return AuthenticationFailed(_("The token is not valid, or was revoked or expired."))


class PersonalTokenAuthentication(BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[User, PersonalToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(_("Send one token: Authorization: Token …."))
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise invalid() from None
        return self.check(key)

    def check(self, key: str) -> tuple[User, PersonalToken]:
        """The owner and token of `key`; AuthenticationFailed if it does not authenticate."""
        now = timezone.now()
        token = (
            PersonalToken.objects.select_related("user")
            .filter(key_hash=hash_token(key), revoked_at__isnull=True, expires_at__gt=now)
            .first()
        )
        if token is None or not token.user.is_active:
            raise invalid()
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
            PersonalToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class PersonalTokenScheme(OpenApiAuthenticationExtension):
    """Personal tokens in the OpenAPI schema: `Authorization: Token <key>`."""

    target_class = "accounts.auth.PersonalTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'A personal token, from POST /api/v1/auth/token/, sent as "Token '
            '<key>". It expires (90 days by default) and is revoked when your password '
            "changes.",
        }
