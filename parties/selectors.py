"""Reads about parties that need no case visibility: a case's participants, the cases that
share a defendant, the people who may join cases. Reads scoped to what a user may see are in
cases.party_selectors."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from parties.models import CaseParticipant, UserProfile


def participants_of_case(case_id: int) -> QuerySet[CaseParticipant]:
    return CaseParticipant.objects.filter(case_id=case_id).select_related(
        "user",
        "user__profile",
        "user__profile__organization",
        "defendant",
        "conflict_overridden_by",
    )


def connected_case_ids(case_id: int) -> QuerySet[CaseParticipant, int]:
    """The other cases that share a defendant with this one: the same Defendant record takes
    part in both, now or in the past. Unscoped: services use it to check a rule, not to show
    cases to anyone."""
    defendants = CaseParticipant.objects.filter(case_id=case_id, defendant__isnull=False).values(
        "defendant_id"
    )
    return (
        CaseParticipant.objects.filter(defendant_id__in=defendants)
        .exclude(case_id=case_id)
        .values_list("case_id", flat=True)
        .distinct()
    )


def defendant_ids_by_case(case_ids: Iterable[int]) -> dict[int, frozenset[int]]:
    """The defendants who take or took part in each of these cases (a case with none is
    missing from the answer). One query."""
    found: dict[int, set[int]] = {}
    rows = CaseParticipant.objects.filter(case_id__in=list(case_ids), defendant__isnull=False)
    for case_id, defendant_id in rows.values_list("case_id", "defendant_id"):
        found.setdefault(case_id, set()).add(defendant_id)
    return {case_id: frozenset(ids) for case_id, ids in found.items()}


def people_who_may_join_cases() -> QuerySet[Any]:
    """Active users with a Parley profile: the people a case may name as participants."""
    return (
        get_user_model()
        .objects.filter(is_active=True, profile__isnull=False)
        .select_related("profile", "profile__organization")
        .order_by("last_name", "first_name", "username")
    )


def language_of_profile(profile: UserProfile | None) -> str:
    """The language a person reads Parley in, as a code of settings.LANGUAGES, or "" when
    neither they nor their office chose one (then their browser's). Their own choice first,
    else their office's jurisdiction's document language (profile data, cases.profiles)."""
    if profile is None:
        return ""
    known = dict(settings.LANGUAGES)
    if profile.preferred_language in known:
        return profile.preferred_language
    organization = profile.organization
    if organization is None:
        return ""
    language = str(organization.jurisdiction.parameters.get("document_language", ""))
    return language if language in known else ""


def language_of_user(user: Any) -> str:
    """language_of_profile for a user, in one query; "" for one without a profile."""
    profile = (
        UserProfile.objects.select_related("organization__jurisdiction")
        .filter(user_id=user.pk)
        .first()
    )
    return language_of_profile(profile)
