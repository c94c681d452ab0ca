"""Reads about parties, scoped to what the user may see."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.http import Http404

from cases.selectors import cases_visible_to
from parties.models import CaseParticipant, Defendant

if TYPE_CHECKING:
    from cases.permissions import AnyUser


def participants_visible_to(user: AnyUser) -> QuerySet[CaseParticipant]:
    return CaseParticipant.objects.filter(case__in=cases_visible_to(user)).select_related(
        "user", "user__profile", "user__profile__organization", "defendant", "case"
    )


def participant_get_for_user(user: AnyUser, participant_id: int | str) -> CaseParticipant:
    try:
        return participants_visible_to(user).get(pk=int(participant_id))
    except (CaseParticipant.DoesNotExist, ValueError, TypeError):
        raise Http404("No such participant.") from None


def defendants_visible_to(user: AnyUser) -> QuerySet[Defendant]:
    """Defendants on cases the user may see, and those the user entered themselves."""
    if not user.is_authenticated:
        return Defendant.objects.none()
    on_visible_cases = CaseParticipant.objects.filter(
        case__in=cases_visible_to(user), defendant__isnull=False
    ).values("defendant_id")
    return Defendant.objects.filter(Q(pk__in=on_visible_cases) | Q(created_by=user.pk))


def defendant_get_for_user(user: AnyUser, defendant_id: int | str) -> Defendant:
    try:
        return defendants_visible_to(user).get(pk=int(defendant_id))
    except (Defendant.DoesNotExist, ValueError, TypeError):
        raise Http404("No such defendant.") from None


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
