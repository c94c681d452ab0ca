"""Writes about parties that need no case: user profiles. Defendants and who takes part in
which case are written by cases.party_services."""

from __future__ import annotations

from typing import TYPE_CHECKING

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
