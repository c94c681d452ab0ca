"""A password "validator" that validates nothing: Django tells every configured validator when a
password has changed (AbstractBaseUser.save after set_password), and this one revokes the
person's API tokens then. A rehash on sign-in (a stronger hasher) is not a change and keeps
them; so does a password set by SQL (then revoke them in the admin)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from accounts.models import RevokedBecause
from accounts.services import personal_tokens_revoke_all


class RevokeTokensOnPasswordChange:
    def validate(self, password: str, user: Any = None) -> None:
        return None

    def password_changed(self, password: str, user: Any = None) -> None:
        if user is not None and user.pk is not None:
            personal_tokens_revoke_all(user_id=user.pk, because=RevokedBecause.PASSWORD_CHANGED)

    def get_help_text(self) -> str:
        return _("Changing your password revokes your personal API tokens.")
