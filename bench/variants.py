"""The query shapes the case-list benchmark compares, each fetching one page of 50 cases.

A variant turns (user, cursor) into a queryset (evaluated with `list()`), a CasePage (what
cases.selectors.case_page_for_user returns, as the API's list calls it) or hand-written SQL
(executed with cursor.execute and fetchall()). The cursor is the id of the last row of the
previous page; the pages are ordered by -id, as core.api.pagination.KeysetPagination orders them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.contrib.auth.models import Permission, User
from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from guardian.shortcuts import get_objects_for_user

from cases.api.filters import CaseFilter
from cases.models import (
    Case,
    CaseGroupObjectPermission,
    CaseUserObjectPermission,
    Court,
    Jurisdiction,
)
from cases.selectors import (
    CasePage,
    case_list_for_user,
    case_page_for_user,
)

PAGE_SIZE = 50


@dataclass(frozen=True)
class Variant:
    key: str
    label: str
    queryset: Callable[[User, int | None], QuerySet[Case]] | None = None
    sql: Callable[[User, int | None], tuple[str, list[Any]]] | None = None
    page: Callable[[User, int | None], CasePage] | None = None

    def run(self, user: User, before: int | None) -> list[int]:
        """Fetch the page; return its case ids."""
        if self.page is not None:
            return [case.pk for case in self.page(user, before).cases]
        if self.queryset is not None:
            return [case.pk for case in self.queryset(user, before)[:PAGE_SIZE]]
        assert self.sql is not None
        query, params = self.sql(user, before)
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            return [row[0] for row in cursor.fetchall()]

    def statement(self, user: User, before: int | None) -> tuple[str, list[Any] | None]:
        """The SQL of the page, to EXPLAIN. For a CasePage, the last statement it ran, with its
        values already in it (hence no parameters)."""
        if self.page is not None:
            with CaptureQueriesContext(connection) as captured:
                self.page(user, before)
            return captured.captured_queries[-1]["sql"], None
        if self.queryset is not None:
            query = self.queryset(user, before)[:PAGE_SIZE].query
            sql, params = query.get_compiler(connection=connection).as_sql()
            return sql, list(params)
        assert self.sql is not None
        return self.sql(user, before)


def _page(queryset: QuerySet[Case], before: int | None) -> QuerySet[Case]:
    if before is not None:
        queryset = queryset.filter(id__lt=before)
    return queryset.order_by("-id")


def selector(user: User, before: int | None) -> QuerySet[Case]:
    return _page(case_list_for_user(user), before)


def cases_visible_to_exists(user: User) -> QuerySet[Case]:
    """The visible set written as EXISTS (user rows) OR EXISTS (group rows)."""
    view = _view_permission()
    direct = CaseUserObjectPermission.objects.filter(
        content_object=OuterRef("pk"), user=user.pk, permission=view
    )
    through_court = CaseGroupObjectPermission.objects.filter(
        content_object=OuterRef("pk"), group__user=user.pk, permission=view
    )
    return Case.objects.filter(Exists(direct) | Exists(through_court))


def selector_exists(user: User, before: int | None) -> QuerySet[Case]:
    return _page(
        cases_visible_to_exists(user).select_related("court", "court__jurisdiction"), before
    )


def guardian(user: User, before: int | None) -> QuerySet[Case]:
    visible = get_objects_for_user(user, "cases.view_case", klass=Case, accept_global_perms=False)
    return _page(visible.select_related("court", "court__jurisdiction"), before)


@cache
def view_permission_id() -> int:
    return Permission.objects.get(content_type__app_label="cases", codename="view_case").pk


@cache
def _columns() -> str:
    """The columns Django selects for case_list_for_user: case, court, jurisdiction."""
    parts = []
    for alias, model in [("c", Case), ("ct", Court), ("j", Jurisdiction)]:
        parts += [f"{alias}.{field.column}" for field in model._meta.concrete_fields]
    return ", ".join(parts)


def visible_ids_sql(user: User) -> tuple[str, list[Any]]:
    """Hand-written: the ids of the cases `user` may view, from both permission tables."""
    perm = view_permission_id()
    return (
        """
        SELECT content_object_id FROM cases_caseuserobjectpermission
        WHERE user_id = %s AND permission_id = %s
        UNION ALL
        SELECT gp.content_object_id FROM cases_casegroupobjectpermission gp
        JOIN auth_user_groups ug ON ug.group_id = gp.group_id
        WHERE ug.user_id = %s AND gp.permission_id = %s
        """,
        [user.pk, perm, user.pk, perm],
    )


def raw(user: User, before: int | None) -> tuple[str, list[Any]]:
    """What a person would write by hand for the selector's page: the same UNION ALL semi-join,
    the permission id known up front instead of joined by codename."""
    ids, params = visible_ids_sql(user)
    return (
        f"""
        SELECT {_columns()}
        FROM cases_case c
        JOIN cases_court ct ON ct.id = c.court_id
        JOIN cases_jurisdiction j ON j.id = ct.jurisdiction_id
        WHERE c.id IN ({ids}) AND c.id < %s
        ORDER BY c.id DESC
        LIMIT {PAGE_SIZE}
        """,
        [*params, before if before is not None else 2**62],
    )


# The shapes below read the newest 50 ids of each permission source from guardian's unique
# indexes, (user_id, permission_id, content_object_id) and (group_id, permission_id,
# content_object_id), scanned backwards from the cursor; the page is the newest 50 of their
# union. Work is bounded by 50 x (1 + groups of the user), whatever the number of visible cases.
# The cursor has to reach inside each source, so these take it as an argument.


def _view_permission() -> Subquery:
    """The view permission's id as a scalar subquery: PostgreSQL runs it once (an InitPlan),
    and the index scans below can then keep their order."""
    return Subquery(
        Permission.objects.filter(
            content_type__app_label="cases", content_type__model="case", codename="view_case"
        ).values("pk")
    )


def _newest_ids_sql(user: User, before: int | None, permission: str) -> tuple[str, list[Any]]:
    before = before if before is not None else 2**62
    return (
        f"""
        (SELECT content_object_id FROM cases_caseuserobjectpermission
         WHERE user_id = %s AND permission_id = {permission} AND content_object_id < %s
         ORDER BY content_object_id DESC LIMIT {PAGE_SIZE})
        UNION ALL
        SELECT newest.content_object_id FROM auth_user_groups ug
        CROSS JOIN LATERAL (
            SELECT content_object_id FROM cases_casegroupobjectpermission gp
            WHERE gp.group_id = ug.group_id AND gp.permission_id = {permission}
                AND gp.content_object_id < %s
            ORDER BY gp.content_object_id DESC LIMIT {PAGE_SIZE}
        ) newest
        WHERE ug.user_id = %s
        """,
        [user.pk, before, before, user.pk],
    )


def raw_newest_per_source(user: User, before: int | None) -> tuple[str, list[Any]]:
    ids, params = _newest_ids_sql(user, before, str(view_permission_id()))
    return (
        f"""
        SELECT {_columns()}
        FROM cases_case c
        JOIN cases_court ct ON ct.id = c.court_id
        JOIN cases_jurisdiction j ON j.id = ct.jurisdiction_id
        WHERE c.id IN ({ids})
        ORDER BY c.id DESC
        LIMIT {PAGE_SIZE}
        """,
        params,
    )


def orm_newest_per_source(user: User, before: int | None) -> QuerySet[Case]:
    """All ORM: one sliced, ordered queryset per source, UNION ALL, as the page's `pk__in`.
    Reads the user's groups first (a second, tiny statement): without LATERAL the ORM cannot
    walk each group's index in order inside one statement."""
    view = _view_permission()

    def newest(permissions: QuerySet[Any]) -> QuerySet[Any]:
        if before is not None:
            permissions = permissions.filter(content_object_id__lt=before)
        ordered = permissions.order_by("-content_object_id")
        return ordered.values_list("content_object_id")[:PAGE_SIZE]

    sources = [newest(CaseUserObjectPermission.objects.filter(user_id=user.pk, permission=view))]
    sources += [
        newest(CaseGroupObjectPermission.objects.filter(group_id=group_id, permission=view))
        for group_id in user.groups.values_list("pk", flat=True)
    ]
    ids = sources[0].union(*sources[1:], all=True) if len(sources) > 1 else sources[0]
    page = Case.objects.filter(pk__in=ids).select_related("court", "court__jurisdiction")
    return _page(page, before)


def orm_lateral(user: User, before: int | None) -> QuerySet[Case]:
    """One statement: the ORM page around a hand-written LATERAL id subquery."""
    permission = (
        "(SELECT p.id FROM auth_permission p JOIN django_content_type t "
        "ON t.id = p.content_type_id WHERE t.app_label = 'cases' AND t.model = 'case' "
        "AND p.codename = 'view_case')"
    )
    ids = RawSQL(*_newest_ids_sql(user, before, permission))  # noqa: S611 (values are params)
    page = Case.objects.filter(pk__in=ids).select_related("court", "court__jurisdiction")
    return _page(page, before)


def shipped(user: User, before: int | None) -> CasePage:
    """What CaseViewSet.list runs: 51 ids per source, the page of 50 and whether there is more."""
    return case_page_for_user(user, before=before, size=PAGE_SIZE)


# Filtered pages: the list's filters narrow the page; here by status, as `?status=` does.


def shipped_filtered(status: str) -> Callable[[User, int | None], CasePage]:
    def page(user: User, before: int | None) -> CasePage:
        filtered = Case.objects.filter(status=status)
        return case_page_for_user(user, filtered=filtered, before=before, size=PAGE_SIZE)

    return page


def shipped_casefilter(status: str) -> Callable[[User, int | None], CasePage]:
    """What `GET /api/v1/cases/?status=…` passes: CaseFilter's queryset. Its status filter is a
    MultipleChoiceFilter, which django-filter makes `.distinct()` by default."""

    def page(user: User, before: int | None) -> CasePage:
        filtered = CaseFilter(QueryDict(f"status={status}"), queryset=Case.objects.all()).qs
        return case_page_for_user(user, filtered=filtered, before=before, size=PAGE_SIZE)

    return page


def guardian_filtered(status: str) -> Callable[[User, int | None], QuerySet[Case]]:
    def queryset(user: User, before: int | None) -> QuerySet[Case]:
        return guardian(user, before).filter(status=status)

    return queryset


def raw_filtered(status: str) -> Callable[[User, int | None], tuple[str, list[Any]]]:
    """By hand: (e) with the status checked inside each source, by joining the case to each
    permission row while walking its index."""

    def sql(user: User, before: int | None) -> tuple[str, list[Any]]:
        perm = view_permission_id()
        bound = before if before is not None else 2**62
        return (
            f"""
            SELECT {_columns()}
            FROM cases_case c
            JOIN cases_court ct ON ct.id = c.court_id
            JOIN cases_jurisdiction j ON j.id = ct.jurisdiction_id
            WHERE c.id IN (
                (SELECT up.content_object_id FROM cases_caseuserobjectpermission up
                 JOIN cases_case f ON f.id = up.content_object_id
                 WHERE up.user_id = %s AND up.permission_id = {perm}
                   AND up.content_object_id < %s AND f.status = %s
                 ORDER BY up.content_object_id DESC LIMIT {PAGE_SIZE})
                UNION ALL
                SELECT newest.content_object_id FROM auth_user_groups ug
                CROSS JOIN LATERAL (
                    SELECT gp.content_object_id FROM cases_casegroupobjectpermission gp
                    JOIN cases_case f ON f.id = gp.content_object_id
                    WHERE gp.group_id = ug.group_id AND gp.permission_id = {perm}
                      AND gp.content_object_id < %s AND f.status = %s
                    ORDER BY gp.content_object_id DESC LIMIT {PAGE_SIZE}
                ) newest
                WHERE ug.user_id = %s
            )
            ORDER BY c.id DESC
            LIMIT {PAGE_SIZE}
            """,
            [user.pk, bound, status, bound, status, user.pk],
        )

    return sql


def filtered_variants(status: str) -> list[Variant]:
    """(h) as the bench and as the API filter, (c) and (e) of one status filter; the raw SQL
    (e+filter) is the reference."""
    return [
        Variant(
            "shipped_filter",
            f"(h+filter) case_page_for_user(filtered=status={status})",
            page=shipped_filtered(status),
        ),
        Variant(
            "shipped_casefilter",
            f"(h+CaseFilter) case_page_for_user(filtered=CaseFilter(status={status}).qs)",
            page=shipped_casefilter(status),
        ),
        Variant(
            "guardian_filter",
            f"(c+filter) guardian get_objects_for_user + .filter(status={status})",
            queryset=guardian_filtered(status),
        ),
        Variant(
            "raw_filter",
            f"(e+filter) raw SQL, newest 50 per source, status={status} inside each",
            sql=raw_filtered(status),
        ),
    ]


VARIANTS = [
    Variant("selector", "(a) case_list_for_user (IN … UNION ALL)", queryset=selector),
    Variant("exists", "(b) cases_visible_to_exists (EXISTS OR EXISTS)", queryset=selector_exists),
    Variant("guardian", "(c) guardian get_objects_for_user", queryset=guardian),
    Variant("raw", "(d) raw SQL, same shape as (a)", sql=raw),
    Variant("raw_newest", "(e) raw SQL, newest 50 per source (LATERAL)", sql=raw_newest_per_source),
    Variant("orm_newest", "(f) ORM, newest 50 per source, groups read first",
            queryset=orm_newest_per_source),
    Variant("orm_lateral", "(g) ORM page + RawSQL LATERAL ids", queryset=orm_lateral),
    Variant("shipped", "(h) case_page_for_user — the shipped selector", page=shipped),
]  # fmt: skip
SHIPPED = "shipped"
GUARDIAN = "guardian"
BASELINE = "raw"
BEST = "raw_newest"
# Variants every run keeps (the report compares them), whatever --only says.
KEPT = {SHIPPED, GUARDIAN, BASELINE, BEST}
# EXPLAINed without --all-plans, for these personas: (h), and (a) for the clerk (the historical
# note in bench/README.md).
PLANNED = {"selector": {"clerk"}, SHIPPED: {"attorney", "clerk"}}
FILTER_REFERENCE = "raw_filter"
# The filtered pages EXPLAINed without --all-plans: "all" of them (and the long probes), or the
# "first" page of each filter that fills its pages.
FILTER_PLANNED = {"shipped_filter": "all", "shipped_casefilter": "first"}
