"""Hooks on Django's own events: an account deactivated (by any path: the admin, a script) loses
its API tokens; a sign-in records whether the session passed the second factor."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_save


def _user_saved(sender: Any, instance: User, update_fields: Any = None, **kwargs: Any) -> None:
    if update_fields is not None and set(update_fields) <= {"last_login", "password"}:
        return
    if not instance.is_active:
        from accounts.models import RevokedBecause
        from accounts.services import personal_tokens_revoke_all

        personal_tokens_revoke_all(user_id=instance.pk, because=RevokedBecause.DEACTIVATED)


def _logged_in(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    from accounts import mfa
    from accounts.language import session_language_remember

    session = getattr(request, "session", None)
    if session is not None:
        mfa.session_mark_signed_in(session, user)
        session_language_remember(session, user)


def connect() -> None:
    post_save.connect(_user_saved, sender=User, dispatch_uid="accounts_user_saved")
    user_logged_in.connect(_logged_in, dispatch_uid="accounts_logged_in")
