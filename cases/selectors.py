"""Reads about cases. Every query that returns cases is scoped to the user here."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from cases.models import (
    Case,
    CaseGroupObjectPermission,
    CaseUserObjectPermission,
    Charge,
    Statute,
)

if TYPE_CHECKING:
    from cases.permissions import AnyUser


def _case_ids_with_view_permission(user: AnyUser) -> QuerySet[Any]:
    """Ids of the cases `user` may view: one UNION over guardian's two direct FK tables.

    Kept as a subquery so the whole list is one SQL statement: no ids travel through Python,
    and PostgreSQL turns `id IN (… UNION ALL …)` into a semi-join driven by the smaller side.
    """
    direct = CaseUserObjectPermission.objects.filter(
        user=user.pk,
        permission__codename="view_case",
        permission__content_type__app_label="cases",
    ).values("content_object_id")
    through_court = CaseGroupObjectPermission.objects.filter(
        group__user=user.pk,
        permission__codename="view_case",
        permission__content_type__app_label="cases",
    ).values("content_object_id")
    return direct.union(through_court, all=True)


def cases_visible_to(user: AnyUser) -> QuerySet[Case]:
    if not user.is_authenticated or not user.is_active:
        return Case.objects.none()
    return Case.objects.filter(pk__in=_case_ids_with_view_permission(user))


def cases_visible_to_exists(user: AnyUser) -> QuerySet[Case]:
    """The same set written with EXISTS; kept for the benchmark that compares the two plans."""
    if not user.is_authenticated or not user.is_active:
        return Case.objects.none()
    direct = CaseUserObjectPermission.objects.filter(
        content_object=OuterRef("pk"),
        user=user.pk,
        permission__codename="view_case",
        permission__content_type__app_label="cases",
    )
    through_court = CaseGroupObjectPermission.objects.filter(
        content_object=OuterRef("pk"),
        group__user=user.pk,
        permission__codename="view_case",
        permission__content_type__app_label="cases",
    )
    return Case.objects.filter(Exists(direct) | Exists(through_court))


def case_list_for_user(user: AnyUser) -> QuerySet[Case]:
    """Cases for list pages and the API, with what their rows show loaded up front."""
    return cases_visible_to(user).select_related("court", "court__jurisdiction")


def case_get_for_user(user: AnyUser, case_id: int | str) -> Case:
    """The case, if `user` may see it; otherwise 404, the same as for a case that does not exist."""
    try:
        return case_list_for_user(user).get(pk=int(case_id))
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404("No such case.") from None


def charges_visible_to(user: AnyUser) -> QuerySet[Charge]:
    return Charge.objects.filter(case__in=cases_visible_to(user)).select_related("statute", "case")


def charge_get_for_user(user: AnyUser, charge_id: int | str) -> Charge:
    try:
        return charges_visible_to(user).get(pk=int(charge_id))
    except (Charge.DoesNotExist, ValueError, TypeError):
        raise Http404("No such charge.") from None


def statutes_for_case(case: Case) -> QuerySet[Statute]:
    """The catalogue a charge on this case may cite: the statutes of its court's jurisdiction."""
    return Statute.objects.filter(jurisdiction_id=case.court.jurisdiction_id).order_by(
        "-severity_rank", "citation"
    )
