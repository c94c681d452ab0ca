"""Writes about parties that need no case: user profiles. Defendants and who takes part in
which case are written by cases.party_services."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from parties.models import Organization, UserProfile

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def profile_set(
    *,
    user: User,
    role_kind: str,
    organization: Organization | None = None,
    bar_number: str = "",
) -> UserProfile:
    profile, _ = UserProfile.objects.update_or_create(
        user=user,
        defaults={"role_kind": role_kind, "organization": organization, "bar_number": bar_number},
    )
    return profile


def profile_language_set(*, profile: UserProfile, language: str) -> UserProfile:
    """Sets the person's preferred language: a code of settings.LANGUAGES, or "" to follow
    their office's (its jurisdiction's document language), else their browser's."""
    if language and language not in dict(settings.LANGUAGES):
        raise ValidationError(
            {"preferred_language": _("Parley has no catalogue for this language.")},
            code="invalid_choice",
        )
    profile.preferred_language = language
    profile.save(update_fields=["preferred_language"])
    return profile
