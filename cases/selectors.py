"""Reads about cases. Every query that returns cases is scoped to the user here."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import Permission
from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connection
from django.db.models import BooleanField, QuerySet, Subquery, Sum
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils.translation import gettext as _

from cases.models import (
    Case,
    CaseGroupObjectPermission,
    CaseStatusChange,
    CaseStatusCount,
    CaseUserObjectPermission,
    Charge,
    Court,
    Statute,
)
from core.lookups import AnyOf

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


def view_permission_sql() -> tuple[str, tuple[Any, ...]]:
    """The view permission's id as SQL for a scalar subquery, for hand-written walks of
    guardian's tables (here and in deadlines.selectors)."""
    sql, params = _view_permission().query.sql_with_params()
    return sql, tuple(params)


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
_PAGE_PERSON_SQL = """
(SELECT up.content_object_id FROM {user_table} up
 WHERE up.user_id = %s AND up.permission_id = ({permission})
   AND up.content_object_id {op} %s{restrict_user}
 ORDER BY up.content_object_id {direction} LIMIT {limit})
"""
_PAGE_GROUPS_SQL = """
SELECT newest.content_object_id FROM auth_user_groups ug
CROSS JOIN LATERAL (
    SELECT gp.content_object_id FROM {group_table} gp
    WHERE gp.group_id = ug.group_id AND gp.permission_id = ({permission})
      AND gp.content_object_id {op} %s{restrict_group}
    ORDER BY gp.content_object_id {direction} LIMIT {limit}
) newest
WHERE ug.user_id = %s
"""
# With a status filter, a court's permission rows are the wrong walk: a status that matches late
# (or never) in that court would read them all. Instead each court the user sits in is walked
# along the (court, status, id) index once per status asked for, from the cursor, and each case
# found is checked against the court group's permission row, one probe of guardian's unique
# index. Guardian's group rows are a court's group's, on its own court's cases only (the court's
# grant when a case is opened, cases.permissions.case_permissions_grant_court, is their one
# writer), so the courts a user sits in hold every case their groups let them see.
_PAGE_COURT_STATUSES_SQL = """
SELECT walk.id FROM (
    -- The user's courts first (OFFSET 0 keeps them a separate step, so that no other court's
    -- cases are walked and dropped after).
    SELECT ug.group_id, ct.id AS court_id, wanted.status FROM auth_user_groups ug
    JOIN cases_court ct ON ct.group_id = ug.group_id{court_cond}
    CROSS JOIN unnest(%s::varchar[]) AS wanted(status)
    WHERE ug.user_id = %s
    OFFSET 0
) courts
CROSS JOIN LATERAL (
    SELECT cases_case.id FROM cases_case
    WHERE cases_case.court_id = courts.court_id AND cases_case.status = courts.status
      AND cases_case.id {op} %s{restrict_case}
      -- A scalar subquery, not EXISTS: PostgreSQL would turn EXISTS into a join and may
      -- merge it with the group's every row; this is one probe of the unique index a row.
      AND (SELECT true FROM {group_table} court_gp
           WHERE court_gp.group_id = courts.group_id AND court_gp.permission_id = ({permission})
             AND court_gp.content_object_id = cases_case.id)
    ORDER BY cases_case.id {direction} LIMIT {limit}
) walk
"""


def _case_restriction(filtered: QuerySet[Case]) -> tuple[str, list[Any]] | None:
    """The filters' condition as SQL on cases_case ("" for none, None if nothing can match),
    to write inline in a walk of cases_case, so that the walk stops after `limit` matches."""
    query = filtered.query
    if not query.where:
        return "", []
    if reads_other_tables(filtered):
        sql, params = _case_ids_matching(filtered)
        return f" AND cases_case.id IN {sql}", params
    try:
        sql, params = query.get_compiler(using=filtered.db).compile(query.where)
    except EmptyResultSet:
        return None
    except FullResultSet:
        return "", []
    return f" AND {sql}", list(params)


def reads_other_tables(filtered: QuerySet[Any]) -> bool:
    """Whether the filters read another table than the model's own (a join Django has since
    trimmed, as for `court=<court>`, is left with no reference and does not count)."""
    query = filtered.query
    return sum(1 for alias in query.alias_map if query.alias_refcount[alias]) > 1


def _case_ids_matching(filtered: QuerySet[Case]) -> tuple[str, list[Any]]:
    inner = filtered.order_by().values("pk")
    # An IN list ignores duplicates; a DISTINCT (django-filter adds one for multiple
    # choices) would make PostgreSQL build the whole matching set before the walk.
    inner.query.distinct = False
    inner_sql, inner_params = inner.query.sql_with_params()
    return f"({inner_sql})", list(inner_params)


def case_page_for_user(
    user: AnyUser,
    *,
    filtered: QuerySet[Case] | None = None,
    statuses: Sequence[str] = (),
    court_id: int | None = None,
    before: int | None = None,
    after: int | None = None,
    size: int = 50,
) -> CasePage:
    """A page of the cases `user` may see, newest first, in one SQL statement.

    `filtered` narrows the page (a Case queryset from the list's filters); its conditions are
    applied inside each permission source, so the page stays exact. `statuses`, if given, keeps
    the cases in one of them: give the status filter here rather than in `filtered`, so that a
    court's cases are walked by status. `court_id`, if given, keeps one court's cases (it may
    be in `filtered` too). `before` gives the page of cases older than that id, `after` the page
    of cases newer than it.
    """
    empty = CasePage(cases=[], has_older=False, has_newer=False)
    if not user.is_authenticated or not user.is_active:
        return empty
    forwards = after is not None
    bound = after if forwards else (before if before is not None else _NO_BOUND)
    restrict_sql, restrict_params = "", list[Any]()
    base = filtered if filtered is not None else Case.objects.all()
    if court_id is not None:
        base = base.filter(court_id=court_id)
    # The person's own cases (a few hundred) are filtered by status as by the rest.
    person = base.filter(status__in=statuses) if statuses else base
    if person.query.where:
        try:
            restrict_sql, restrict_params = _case_ids_matching(person)
        except EmptyResultSet:  # a filter that matches nothing, such as pk__in=[]
            return empty
    permission_sql, permission_params = view_permission_sql()
    fetch = size + 1
    common = {
        "user_table": CaseUserObjectPermission._meta.db_table,
        "group_table": CaseGroupObjectPermission._meta.db_table,
        "permission": permission_sql,
        "op": ">" if forwards else "<",
        "direction": "ASC" if forwards else "DESC",
        "limit": fetch,
    }
    parts = [
        _PAGE_PERSON_SQL.format(
            **common,
            restrict_user=f" AND up.content_object_id IN {restrict_sql}" if restrict_sql else "",
        )
    ]
    params: list[Any] = [user.pk, *permission_params, bound, *restrict_params]
    if not statuses:
        parts.append(
            _PAGE_GROUPS_SQL.format(
                **common,
                restrict_group=f" AND gp.content_object_id IN {restrict_sql}"
                if restrict_sql
                else "",
            )
        )
        params += [*permission_params, bound, *restrict_params, user.pk]
    else:
        restriction = _case_restriction(base)
        if restriction is None:
            return empty
        restrict_case, restrict_case_params = restriction
        parts.append(
            _PAGE_COURT_STATUSES_SQL.format(
                **common,
                restrict_case=restrict_case,
                court_cond=" AND ct.id = %s" if court_id is not None else "",
            )
        )
        params += [
            *([court_id] if court_id is not None else []),
            sorted(set(statuses)),
            user.pk,
            bound,
            *restrict_case_params,
            *permission_params,
        ]
    ids = RawSQL("\nUNION ALL\n".join(parts), params)  # noqa: S611 (every value is a bound parameter)
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


# Whether the user (%s twice) may view the case of the row ({case}: the row's case id, e.g.
# cases_case.id): the same two guardian sources as cases_visible_to, tested for one case with two
# index probes. Written as SQL because every case-scoped request asks it first: building
# cases_visible_to's UNION through the ORM cost more CPU than the rest of a case detail request
# (bench/api_overhead.py). And for one row of a court member, `case_id IN (cases_visible_to)`
# reads every case of the court (PostgreSQL cannot probe the group half of the UNION by case).
_VIEW_PERMISSION_SQL = (
    "SELECT p.id FROM auth_permission p JOIN django_content_type ct ON ct.id = p.content_type_id"
    " WHERE ct.app_label = 'cases' AND ct.model = 'case' AND p.codename = 'view_case'"
)
_MAY_VIEW_ROW_SQL = f"""(
    EXISTS (SELECT FROM {CaseUserObjectPermission._meta.db_table} up
            WHERE up.content_object_id = {{case}} AND up.user_id = %s
              AND up.permission_id = ({_VIEW_PERMISSION_SQL}))
    OR EXISTS (SELECT FROM {CaseGroupObjectPermission._meta.db_table} gp
               JOIN auth_user_groups ug ON ug.group_id = gp.group_id
               WHERE gp.content_object_id = {{case}} AND ug.user_id = %s
                 AND gp.permission_id = ({_VIEW_PERMISSION_SQL})))"""  # noqa: S608 (model tables)


def case_of_row_visible_to(user: AnyUser, case_column: str) -> RawSQL:
    """A filter keeping the rows whose case (`case_column`, SQL such as
    '"deadlines_hearing"."case_id"') `user` may see, as cases_visible_to decides: two index
    probes a row. For reading one row, or the rows of one case: never to walk a table with."""
    sql = _MAY_VIEW_ROW_SQL.format(case=case_column)
    # Every value is a bound parameter; the column is the caller's SQL, not input.
    return RawSQL(sql, [user.pk, user.pk], output_field=BooleanField())  # noqa: S611


def case_get_for_user(user: AnyUser, case_id: int | str) -> Case:
    """The case, if `user` may see it; otherwise 404, the same as for a case that does not exist."""
    try:
        pk = int(case_id)
    except (ValueError, TypeError):
        raise Http404(_("No such case.")) from None
    if not user.is_authenticated or not user.is_active:
        raise Http404(_("No such case."))
    may_view = case_of_row_visible_to(user, f"{Case._meta.db_table}.id")
    try:
        return Case.objects.select_related("court", "court__jurisdiction").get(may_view, pk=pk)
    except Case.DoesNotExist:
        raise Http404(_("No such case.")) from None


def cases_checked_for(user: AnyUser) -> QuerySet[Case]:
    """Cases `user` may see, each row tested with two index probes (as case_get_for_user does)
    rather than joined with every case the user may see, which for a court member is a whole
    court's. Only for a query that is narrowed to a few rows by something else (a primary key,
    a list of ids, a note's case); a list to walk is case_page_for_user's."""
    if not user.is_authenticated or not user.is_active:
        return Case.objects.none()
    return Case.objects.filter(case_of_row_visible_to(user, f"{Case._meta.db_table}.id"))


def cases_visible_among(user: AnyUser, ids: QuerySet[Any] | Iterable[int]) -> QuerySet[Case]:
    """Those of a few cases (ids, or a query of ids such as a person's participations) that
    `user` may see; a query is read once, first (core.lookups.AnyOf)."""
    if isinstance(ids, QuerySet):
        return cases_checked_for(user).filter(AnyOf("id", ids))
    return cases_checked_for(user).filter(pk__in=list(ids))


def may_see_case(user: AnyUser, case_id: int) -> bool:
    """Whether `user` may see the case: the one test (the same sources as cases_visible_to)."""
    return cases_checked_for(user).filter(pk=case_id).exists()


def charges_visible_to(user: AnyUser) -> QuerySet[Charge]:
    return Charge.objects.filter(case__in=cases_visible_to(user)).select_related("statute", "case")


def charge_get_for_user(user: AnyUser, charge_id: int | str) -> Charge:
    """The charge, or 404: the charge's case probed for `user` (case_of_row_visible_to)."""
    if not user.is_authenticated or not user.is_active:
        raise Http404(_("No such charge."))
    may_view = case_of_row_visible_to(user, f'"{Charge._meta.db_table}"."case_id"')
    try:
        return Charge.objects.select_related("statute", "case").get(may_view, pk=int(charge_id))
    except (Charge.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such charge.")) from None


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
    return Court.objects.filter(pk__in=court_ids_of_user(user))


# The courts a person sits in, and the court column of their participations (parties
# migration 0009, kept equal to the case's court by a trigger) read from the indexes of
# (user_id, court_id) and (defendant_id, court_id): a range of one index per person, whatever
# their number of cases. Through each participation's case it read every case of theirs.
_COURT_IDS_OF_USER_SQL = """
SELECT c.id FROM cases_court c JOIN auth_user_groups ug ON ug.group_id = c.group_id
 WHERE ug.user_id = %(user)s
UNION
SELECT p.court_id FROM parties_caseparticipant p WHERE p.user_id = %(user)s
UNION
SELECT p.court_id FROM parties_caseparticipant p
 WHERE p.defendant_id = (SELECT d.id FROM parties_defendant d WHERE d.user_id = %(user)s)
"""


def court_ids_of_user(user: AnyUser) -> list[int]:
    """The ids of courts_of_user (one query)."""
    if not user.is_authenticated:
        return []
    with connection.cursor() as cursor:
        cursor.execute(_COURT_IDS_OF_USER_SQL, {"user": user.pk})
        return sorted(row[0] for row in cursor.fetchall())


def case_status_history(case: Case) -> QuerySet[CaseStatusChange]:
    return case.status_changes.select_related("changed_by").order_by("changed_at", "id")


def case_status_counts_of_courts_for(user: AnyUser) -> dict[str, int]:
    """The cases of the courts `user` sits in, counted by status, from the rollup the database
    keeps (CaseStatusCount): eight rows a court, whatever its number of cases."""
    if not user.is_authenticated:
        return {}
    rows = (
        CaseStatusCount.objects.filter(court__group__user=user.pk)
        .order_by()
        .values_list("status")
        .annotate(n=Sum("count"))
    )
    return {status: int(n) for status, n in rows}


def case_status_count_mismatches() -> list[tuple[int, str, int, int]]:
    """(court, status, cases counted, count kept) wherever the rollup differs from the cases:
    empty unless something wrote cases_case with its triggers disabled. Reads every case: for a
    periodic check, never for a page."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT court_id, status, coalesce(counted, 0), coalesce(kept.count, 0)
            FROM (SELECT court_id, status, count(*) AS counted FROM cases_case
                  GROUP BY court_id, status) counted
            FULL JOIN cases_casestatuscount kept USING (court_id, status)
            WHERE coalesce(counted, 0) <> coalesce(kept.count, 0)
            ORDER BY court_id, status
            """
        )
        return [(int(c), str(s), int(n), int(k)) for c, s, n, k in cursor.fetchall()]
