"""Writes about personal API tokens. Who may touch which token is decided by
accounts.selectors.personal_tokens_of: a person reaches only their own."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import PersonalToken, RevokedBecause
from core.exceptions import Conflict
from integrations.auth import hash_token
from integrations.services import PREFIX_LENGTH

PERSONAL_TOKEN_PREFIX = "prp_"  # noqa: S105 (a marker, not a secret)
# Active tokens a person may hold at once; revoke one to make another.
PERSONAL_TOKEN_LIMIT = 20


def personal_token_lifetime() -> dt.timedelta:
    return dt.timedelta(days=int(getattr(settings, "PERSONAL_TOKEN_DAYS", 90)))


@transaction.atomic
def personal_token_create(*, user: User, name: str) -> tuple[PersonalToken, str]:
    """A new token for `user`, valid for PERSONAL_TOKEN_DAYS. Returns the row and the token
    itself, which is shown this once and stored only as its hash."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Name the token, e.g. the script that uses it.")})
    if len(name) > 120:
        raise ValidationError({"name": _("Keep the name to 120 characters.")})
    # The row lock keeps two concurrent requests from both passing the limit.
    User.objects.select_for_update().filter(pk=user.pk).first()
    now = timezone.now()
    active = PersonalToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=now)
    if active.count() >= PERSONAL_TOKEN_LIMIT:
        raise Conflict(
            _("You hold %(n)d tokens; revoke one you no longer use first.")
            % {"n": PERSONAL_TOKEN_LIMIT},
            code="too_many_tokens",
        )
    key = PERSONAL_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = PersonalToken.objects.create(
        user=user,
        name=name,
        prefix=key[:PREFIX_LENGTH],
        key_hash=hash_token(key),
        expires_at=now + personal_token_lifetime(),
    )
    return token, key


def personal_token_revoke(
    *, token: PersonalToken, because: str = RevokedBecause.OWNER
) -> PersonalToken:
    """Revoke one token (a token already revoked stays as it was)."""
    now = timezone.now()
    PersonalToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=now, revoked_because=because
    )
    token.refresh_from_db(fields=["revoked_at", "revoked_because"])
    return token


def personal_tokens_revoke_all(*, user_id: int, because: str) -> int:
    """Revoke every token of the user that still works. Returns how many."""
    return PersonalToken.objects.filter(user_id=user_id, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_because=because
    )
