"""Reads about cases. Every query that returns cases is scoped to the user here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import Permission
from django.db.models import BooleanField, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.http import Http404

from cases.models import (
    Case,
    CaseGroupObjectPermission,
    CaseStatusChange,
    CaseUserObjectPermission,
    Charge,
    Court,
    Statute,
)
from parties.models import CaseParticipant

if TYPE_CHECKING:
    from core.types import AnyUser


def _view_permission() -> Subquery:
    """The view permission's id as a scalar subquery. PostgreSQL runs it once (an InitPlan),
    so the permission indexes keep their order and their row estimates; joining
    auth_permission by codename instead hides both from the planner (see bench/README.md)."""
    return Subquery(
        Permission.objects.filter(
            content_type__app_label="cases", content_type__model="case", codename="view_case"
        )
        .order_by()
        .values("pk")
    )


def _case_ids_with_view_permission(user: AnyUser) -> QuerySet[Any]:
    """Ids of the cases `user` may view: one UNION over guardian's two direct FK tables.

    A subquery, so that a query using it stays one SQL statement and no ids travel through
    Python. Right for a lookup or a small set; a *page* of cases uses case_page_for_user.
    """
    return case_ids_viewable_in_person(user).union(case_ids_viewable_through_court(user), all=True)


def case_ids_viewable_in_person(user: AnyUser) -> QuerySet[Any]:
    """The first half of the cases `user` sees (a subquery of ids): those they take part in
    (guardian's user rows). A few hundred at most for a person."""
    return CaseUserObjectPermission.objects.filter(
        user=user.pk, permission=_view_permission()
    ).values("content_object_id")


def case_ids_viewable_through_court(user: AnyUser) -> QuerySet[Any]:
    """The second half (a subquery of ids): every case of the courts they sit in (guardian's
    group rows). Up to a whole court's cases: test one case against it, never list it."""
    return CaseGroupObjectPermission.objects.filter(
        group__user=user.pk, permission=_view_permission()
    ).values("content_object_id")


def cases_visible_to(user: AnyUser) -> QuerySet[Case]:
    if not user.is_authenticated or not user.is_active:
        return Case.objects.none()
    return Case.objects.filter(pk__in=_case_ids_with_view_permission(user))


@dataclass(frozen=True)
class CasePage:
    """One page of cases, newest first, and whether there are more on either side."""

    cases: list[Case]
    has_older: bool
    has_newer: bool


# Larger than any case id: "before the end".
_NO_BOUND = 2**62

# Walk each permission source backwards (or forwards) along guardian's unique index
# (user|group, permission, content_object) from the cursor and keep `limit` ids from each; the
# page is the first `limit` of their union. The work is bounded by limit x (1 + the user's
# groups) whatever the number of visible cases: a clerk with 200,000 cases reads ~100 index
# entries, not 200,000. LATERAL runs the walk once per court group of the user.
_PAGE_IDS_SQL = """
(SELECT up.content_object_id FROM {user_table} up
 WHERE up.user_id = %s AND up.permission_id = ({permission})
   AND up.content_object_id {op} %s{restrict_user}
 ORDER BY up.content_object_id {direction} LIMIT {limit})
UNION ALL
SELECT newest.content_object_id FROM auth_user_groups ug
CROSS JOIN LATERAL (
    SELECT gp.content_object_id FROM {group_table} gp
    WHERE gp.group_id = ug.group_id AND gp.permission_id = ({permission})
      AND gp.content_object_id {op} %s{restrict_group}
    ORDER BY gp.content_object_id {direction} LIMIT {limit}
) newest
WHERE ug.user_id = %s
"""


def case_page_for_user(
    user: AnyUser,
    *,
    filtered: QuerySet[Case] | None = None,
    before: int | None = None,
    after: int | None = None,
    size: int = 50,
) -> CasePage:
    """A page of the cases `user` may see, newest first, in one SQL statement.

    `filtered` narrows the page (a Case queryset from the list's filters); its conditions are
    applied inside each permission source, so the page stays exact. `before` gives the page of
    cases older than that id, `after` the page of cases newer than it.
    """
    if not user.is_authenticated or not user.is_active:
        return CasePage(cases=[], has_older=False, has_newer=False)
    forwards = after is not None
    bound = after if forwards else (before if before is not None else _NO_BOUND)
    restrict_sql, restrict_params = "", []
    base = filtered if filtered is not None else Case.objects.all()
    if base.query.where:
        inner = base.order_by().values("pk")
        # An IN list ignores duplicates; a DISTINCT (django-filter adds one for multiple
        # choices) would make PostgreSQL build the whole matching set before the walk.
        inner.query.distinct = False
        inner_sql, inner_params = inner.query.sql_with_params()
        restrict_sql, restrict_params = f"({inner_sql})", list(inner_params)
    permission_sql, permission_params = _view_permission().query.sql_with_params()
    fetch = size + 1
    sql = _PAGE_IDS_SQL.format(
        user_table=CaseUserObjectPermission._meta.db_table,
        group_table=CaseGroupObjectPermission._meta.db_table,
        permission=permission_sql,
        op=">" if forwards else "<",
        direction="ASC" if forwards else "DESC",
        limit=fetch,
        restrict_user=f" AND up.content_object_id IN {restrict_sql}" if restrict_sql else "",
        restrict_group=f" AND gp.content_object_id IN {restrict_sql}" if restrict_sql else "",
    )
    params = [
        user.pk,
        *permission_params,
        bound,
        *restrict_params,
        *permission_params,
        bound,
        *restrict_params,
        user.pk,
    ]
    ids = RawSQL(sql, params)  # noqa: S611 (every value is a bound parameter)
    rows = list(
        Case.objects.filter(pk__in=ids)
        .select_related("court", "court__jurisdiction")
        .order_by("id" if forwards else "-id")[:fetch]
    )
    more = len(rows) > size
    rows = rows[:size]
    if forwards:
        rows.reverse()
        return CasePage(cases=rows, has_older=True, has_newer=more)
    return CasePage(cases=rows, has_older=more, has_newer=before is not None)


def case_list_for_user(user: AnyUser) -> QuerySet[Case]:
    """Cases for list pages and the API, with what their rows show loaded up front."""
    return cases_visible_to(user).select_related("court", "court__jurisdiction")


# Whether the user (%s twice) may view the case of the row: the same two guardian sources as
# cases_visible_to, tested for one case with two index probes. Written as SQL because every
# case-scoped request asks it first: building cases_visible_to's UNION through the ORM cost more
# CPU than the rest of a case detail request (bench/api_overhead.py).
_VIEW_PERMISSION_SQL = (
    "SELECT p.id FROM auth_permission p JOIN django_content_type ct ON ct.id = p.content_type_id"
    " WHERE ct.app_label = 'cases' AND ct.model = 'case' AND p.codename = 'view_case'"
)
_MAY_VIEW_ROW_SQL = f"""(
    EXISTS (SELECT FROM {CaseUserObjectPermission._meta.db_table} up
            WHERE up.content_object_id = {Case._meta.db_table}.id AND up.user_id = %s
              AND up.permission_id = ({_VIEW_PERMISSION_SQL}))
    OR EXISTS (SELECT FROM {CaseGroupObjectPermission._meta.db_table} gp
               JOIN auth_user_groups ug ON ug.group_id = gp.group_id
               WHERE gp.content_object_id = {Case._meta.db_table}.id AND ug.user_id = %s
                 AND gp.permission_id = ({_VIEW_PERMISSION_SQL})))"""  # noqa: S608 (model tables)


def case_get_for_user(user: AnyUser, case_id: int | str) -> Case:
    """The case, if `user` may see it; otherwise 404, the same as for a case that does not exist."""
    try:
        pk = int(case_id)
    except (ValueError, TypeError):
        raise Http404("No such case.") from None
    if not user.is_authenticated or not user.is_active:
        raise Http404("No such case.")
    # Every value is a bound parameter.
    may_view = RawSQL(_MAY_VIEW_ROW_SQL, [user.pk, user.pk], output_field=BooleanField())  # noqa: S611
    try:
        return Case.objects.select_related("court", "court__jurisdiction").get(may_view, pk=pk)
    except Case.DoesNotExist:
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


def courts_of_user(user: AnyUser) -> QuerySet[Court]:
    """Courts whose cases the user may come across: the courts they sit in and the courts of
    the cases they take part in. For filters and menus; cheap at any number of cases."""
    if not user.is_authenticated:
        return Court.objects.none()
    on_cases = CaseParticipant.objects.held_by(user).values("case__court_id")
    return Court.objects.filter(Q(group__user=user.pk) | Q(pk__in=on_cases)).distinct()


def case_status_history(case: Case) -> QuerySet[CaseStatusChange]:
    return case.status_changes.select_related("changed_by").order_by("changed_at", "id")
