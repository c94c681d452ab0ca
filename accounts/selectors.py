"""Reads about personal tokens and sign-in state."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import QuerySet

from accounts.models import PersonalToken


def personal_tokens_of(user: User) -> QuerySet[PersonalToken]:
    """The person's own tokens, newest first: the only ones they may see or revoke."""
    return PersonalToken.objects.filter(user=user).order_by("-created_at", "-id")
