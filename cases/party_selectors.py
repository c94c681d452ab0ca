"""Reads about parties on cases, scoped to what the user may see, and the pickers of the case
page (people and defendants found by name)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import (
    BooleanField,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    TextField,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Upper
from django.http import Http404
from django.utils.translation import gettext as _

from cases.models import CaseGroupObjectPermission, Charge, Court
from cases.permissions import CALENDAR_KEEPER_ROLES
from cases.selectors import (
    case_ids_viewable_in_person,
    case_ids_viewable_through_court,
    case_of_row_visible_to,
    cases_visible_to,
    view_permission_sql,
)
from core.lookups import AnyOf
from parties.models import CaseParticipant, Defendant, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from core.types import AnyUser


def participants_visible_to(user: AnyUser) -> QuerySet[CaseParticipant]:
    return CaseParticipant.objects.filter(case__in=cases_visible_to(user)).select_related(
        "user", "user__profile", "user__profile__organization", "defendant", "case"
    )


# A court-wide list (court staff's participations, deadlines) keeps the court of each row's case
# on the row, in a column the ORM does not map (migrations parties 0009 and deadlines 0012: a
# trigger keeps it equal to the case's court), and walks the index (court_id, <list order>)
# from its cursor. Each row found is still checked as cases_visible_to would: one probe of
# guardian's unique group index (a scalar subquery, never a join or hashed subplan over the
# court's rows), or the reader's own cases (an array of a few hundred ids). Guardian's group
# rows are a court's group's, on its own court's cases (cases.permissions
# .case_permissions_grant_court is their one writer), so the courts the user sits in and the
# courts of their own cases hold every row they may see. The check is _PROBED_CASE_SQL's,
# behind the court column that leads the walk (rows_of_courts).


# Whether the court of the row's case ({table}.case_id) has `user` (%s) among its members, and
# (with the jurisdiction's flag) whether that court reads offers: a scalar subquery, so that
# PostgreSQL probes it for each row a walk reads (the case's primary key, its court, the user's
# membership of the court's group) and never hashes a court's every case first, as it may for
# an EXISTS under OR.
_COURT_MEMBER_OF_ROW_SQL = """
(SELECT true FROM cases_case member_case
 JOIN cases_court member_court ON member_court.id = member_case.court_id{jurisdiction_join}
 JOIN auth_user_groups member_ug ON member_ug.group_id = member_court.group_id
 WHERE member_case.id = {table}.case_id AND member_ug.user_id = %s{reads_offers}
 LIMIT 1)
"""


def court_member_of_row(user: AnyUser, table: str, *, reads_offers: bool = False) -> RawSQL:
    """A filter on `table` (a table with case_id) keeping the rows whose case's court `user`
    sits in; with `reads_offers`, only where the court's jurisdiction lets the court read
    offers (cases.permissions.court_sees_offers). One probe a row."""
    sql = _COURT_MEMBER_OF_ROW_SQL.format(
        table=f'"{table}"',
        jurisdiction_join=" JOIN cases_jurisdiction member_j"
        " ON member_j.id = member_court.jurisdiction_id"
        if reads_offers
        else "",
        reads_offers=" AND member_j.court_sees_offers_before_agreement" if reads_offers else "",
    )
    return RawSQL(sql, [user.pk], output_field=BooleanField())  # noqa: S611 (bound parameter)


# The courts whose rows a court member's lists walk (courts_listed_for), as one statement
# written once around the SQL of the reader's own case ids: built through the ORM (a union of
# two querysets with an EXISTS) it cost a few milliseconds of CPU on every list, for a
# statement whose answer for every party is "none".
# `sat_in` is the courts the reader sits in (those of their groups); the courts of their own
# cases matter only to someone who sits in a court, so a one-time filter (decided once, before
# the scan) skips reading them for anyone else, which for a prosecutor with thousands of cases
# was most of every list's time.
COURTS_LISTED_SQL = """
WITH sat_in AS MATERIALIZED (
    SELECT c.id FROM cases_court c JOIN auth_user_groups ug ON ug.group_id = c.group_id
     WHERE ug.user_id = %s {court_condition}
)
SELECT id, true FROM sat_in
UNION
SELECT k.court_id, false FROM cases_case k
 WHERE EXISTS (SELECT 1 FROM sat_in)
   AND k.id IN ({own_cases})
"""


def courts_walked(
    user: AnyUser, own_cases: QuerySet[Any], *, court_condition: str = ""
) -> list[int]:
    """Run COURTS_LISTED_SQL: the courts `user` sits in (those of them that meet
    `court_condition`, SQL on `c`, the court) and the courts of `own_cases` (a queryset of
    case ids), or none when they sit in no such court."""
    own_sql, own_params = own_cases.query.sql_with_params()
    sql = COURTS_LISTED_SQL.format(court_condition=court_condition, own_cases=own_sql)
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, *own_params])
        found = cursor.fetchall()
    if not any(sits for _, sits in found):
        return []
    return sorted({court for court, _ in found})


def courts_listed_for(user: AnyUser) -> list[int]:
    """The courts whose rows `user`'s court-wide lists walk: those they sit in (their groups'),
    and those of the cases they take part in. Empty for anyone who sits in no court: their
    lists are found from their own cases. One query."""
    if not user.is_authenticated or not user.is_active:
        return []
    return courts_walked(user, case_ids_viewable_in_person(user))


def rows_of_courts(user: AnyUser, courts: list[int], table: str) -> RawSQL:
    """A filter on `table` (a table with case_id and the unmapped court_id) keeping the rows on
    the cases `user` may see (cases_visible_to) among those of `courts` (courts_listed_for):
    led by court_id, so that a list in (court_id, …) order is an index walk from its cursor.
    With one court (most court staff) the walk is ordered; with several, each court's rows
    are read through the index and sorted."""
    quoted = f'"{table}"'
    court_op = "= %s" if len(courts) == 1 else "= ANY(%s)"
    probe, probe_params = _probed_case_sql(user, f"{quoted}.case_id")
    sql = f"{quoted}.court_id {court_op} AND {probe}"
    params = [courts[0] if len(courts) == 1 else courts, *probe_params]
    return RawSQL(sql, params, output_field=BooleanField())  # noqa: S611 (bound parameters)


# For a list of a table with no court column (charges; defendants through their
# participations), walked newest first: each row's case probed in guardian's unique group
# index (a scalar subquery with LIMIT, which PostgreSQL neither joins nor hashes over a court's
# every row), or found in the array of the reader's own cases. A court's rows are a share of
# the table, so a page reads a few rows for each it keeps; a filter that matches late walks
# further (a court column, as participants have, would bound that too).
_PROBED_CASE_SQL = """(
    (SELECT true FROM auth_user_groups ug
     JOIN {group_table} court_gp ON court_gp.group_id = ug.group_id
     WHERE ug.user_id = %s AND court_gp.permission_id = ({permission})
       AND court_gp.content_object_id = {case}
     LIMIT 1)
    OR {case} = ANY(ARRAY({own_cases}))
)"""


def _probed_case_sql(user: AnyUser, case: str) -> tuple[str, list[Any]]:
    permission, permission_params = view_permission_sql()
    own_sql, own_params = case_ids_viewable_in_person(user).query.sql_with_params()
    sql = _PROBED_CASE_SQL.format(
        group_table=CaseGroupObjectPermission._meta.db_table,
        permission=permission,
        case=case,
        own_cases=own_sql,
    )
    return sql, [user.pk, *permission_params, *own_params]


def charges_listed_for_user(user: AnyUser) -> QuerySet[Charge]:
    """charges_visible_to for a list: a party's from the array of their own cases, a court
    member's by a walk of the charges with each row's case probed, never by testing every row
    against a court's every case (3.4 s for a clerk at 1,000,000 cases)."""
    if not user.is_authenticated or not user.is_active:
        return Charge.objects.none()
    rows = Charge.objects.select_related("statute", "case")
    if not courts_listed_for(user):
        return rows.filter(AnyOf("case_id", case_ids_viewable_in_person(user)))
    sql, params = _probed_case_sql(user, f'"{Charge._meta.db_table}"."case_id"')
    return rows.filter(RawSQL(sql, params, output_field=BooleanField()))  # noqa: S611 (bound)


def defendants_listed_for_user(user: AnyUser) -> QuerySet[Defendant]:
    """defendants_visible_to for a list: a party's from their own cases' participations, a
    court member's by a walk of the defendants, each probed through their participations'
    cases (and those they entered themselves)."""
    if not user.is_authenticated:
        return Defendant.objects.none()
    if not courts_listed_for(user):
        on_own_cases = CaseParticipant.objects.filter(
            AnyOf("case_id", case_ids_viewable_in_person(user)), defendant__isnull=False
        ).values("defendant_id")
        return Defendant.objects.filter(Q(AnyOf("id", on_own_cases)) | Q(created_by=user.pk))
    case_sql, params = _probed_case_sql(user, "dp.case_id")
    table = Defendant._meta.db_table
    sql = (
        f"(SELECT true FROM {CaseParticipant._meta.db_table} dp"  # noqa: S608 (model tables)
        f' WHERE dp.defendant_id = "{table}"."id" AND {case_sql} LIMIT 1)'
    )
    on_visible_case = RawSQL(sql, params, output_field=BooleanField())  # noqa: S611 (bound)
    return Defendant.objects.filter(Q(on_visible_case) | Q(created_by=user.pk))


def participants_listed_for_user(user: AnyUser) -> QuerySet[CaseParticipant]:
    """participants_visible_to for a list: for court staff, the rows of the courts they sit in
    along (court_id, id), the list's order (newest first), whatever the court's size
    (tests/cases/test_participant_list_plan.py)."""
    courts = courts_listed_for(user)
    if not courts:
        # Someone who sits in no court sees their own cases only: the rows are read through
        # the case index from the array of those cases, and what the rows show is fetched for
        # the page alone (prefetched after the slice). Joined before the sort, a busy
        # prosecutor's 7,000 participations each paid for five joins (0.3 s at 1,000,000 cases).
        return CaseParticipant.objects.filter(
            AnyOf("case_id", case_ids_viewable_in_person(user))
        ).prefetch_related("user__profile__organization", "defendant")
    return CaseParticipant.objects.filter(
        rows_of_courts(user, courts, CaseParticipant._meta.db_table)
    ).select_related("user", "user__profile", "user__profile__organization", "defendant", "case")


def participants_checked_for(user: AnyUser) -> QuerySet[CaseParticipant]:
    """The rows of participants_visible_to, each participation's case probed for the user (two
    index probes, case_of_row_visible_to): for a query narrowed to a few rows by something else
    (a primary key), never for a list."""
    if not user.is_authenticated or not user.is_active:
        return CaseParticipant.objects.none()
    may_view = case_of_row_visible_to(user, f'"{CaseParticipant._meta.db_table}"."case_id"')
    return CaseParticipant.objects.filter(may_view)


def participant_get_for_user(user: AnyUser, participant_id: int | str) -> CaseParticipant:
    """The participation, or 404: its case probed for `user` (participants_checked_for), not
    tested against every case of a court member's court."""
    if not user.is_authenticated or not user.is_active:
        raise Http404(_("No such participant."))
    rows = participants_checked_for(user).select_related(
        "user", "user__profile", "user__profile__organization", "defendant", "case"
    )
    try:
        return rows.get(pk=int(participant_id))
    except (CaseParticipant.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such participant.")) from None


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
        raise Http404(_("No such defendant.")) from None


# --- the pickers: who may take part in a court's cases, found by name --------------------------
#
# A court has tens of thousands of possible participants and hundreds of thousands of
# defendants, so the case page finds them by name instead of listing them. A name matches by
# prefix, case-insensitively, as "first last", "last first" or (people) the username: prefixes
# are what a B-tree serves, and the embedded PostgreSQL (pgserver) has no pg_trgm for
# "contains". Migration parties 0008 builds one index per key, spelled as _NameKey compiles;
# tests/test_people_picker.py pins the plans to them.


# At most this many found at once: a picker shows them, and asks for a longer search if more.
FOUND_AT_MOST = 20


class _NameKey(Func):
    """A name as the pickers' indexes hold it: its parts joined by a space, in capitals,
    compared byte by byte (COLLATE "C"), so that one B-tree serves LIKE 'PREFIX%' and the order
    of its keys."""

    template = '(UPPER(%(expressions)s) COLLATE "C")'
    arg_joiner = " || ' ' || "
    output_field = TextField()


def _name_query(search: str) -> str:
    """The search as the keys spell names: words separated by one space ("Doe, Jane" finds
    "Doe Jane")."""
    return " ".join(search.replace(",", " ").split())


def _with_name_keys(rows: QuerySet[Any]) -> QuerySet[Any]:
    return rows.alias(
        first_last=_NameKey(F("first_name"), F("last_name")),
        last_first=_NameKey(F("last_name"), F("first_name")),
    )


def _starts(key: str, words: str) -> Q:
    # The capitals are PostgreSQL's (UPPER), as in the index, not Python's.
    return Q(**{f"{key}__startswith": Upper(Value(words))})


def people_who_may_take_part(court: Court, role: str, *, search: str, limit: int) -> QuerySet[User]:
    """The people who may take part in a case of `court` as `role` whose name or username
    starts with `search` (all of them for an empty search), by last name, at most `limit`.

    The same rule as cases.permissions.participation_refusal, as one query: active users with a
    profile of that role; judges and court staff who sit in the court (its group); everyone
    else of an organization of the court's jurisdiction, or of none except prosecutors; an API
    client's account only in its own court. (A defendant takes part as a Defendant record, not
    as a user: the page finds them with defendants_found_for.)
    """
    people = get_user_model().objects.filter(is_active=True, profile__role_kind=role)
    if role in CALENDAR_KEEPER_ROLES:
        people = people.filter(groups=court.group_id)
    else:
        of_jurisdiction = Q(profile__organization__jurisdiction=court.jurisdiction_id)
        if role != Role.PROSECUTOR:
            of_jurisdiction |= Q(profile__organization__isnull=True)
        people = people.filter(of_jurisdiction)
    people = people.filter(Q(api_client__isnull=True) | Q(api_client__court=court.pk))
    words = _name_query(search)
    if words:
        people = (
            _with_name_keys(people)
            .alias(login=_NameKey(F("username")))
            .filter(
                _starts("first_last", words)
                | _starts("last_first", words)
                | _starts("login", words)
            )
        )
    return people.select_related("profile__organization").order_by(
        "last_name", "first_name", "username", "pk"
    )[:limit]


def defendants_found_for(user: AnyUser, *, search: str, limit: int) -> QuerySet[Defendant]:
    """The defendants `user` may see (defendants_visible_to) whose name starts with `search`
    ("first last" or "last first"), by last name, at most `limit`.

    A clerk sees a whole court's defendants, a lawyer those of their own cases, so the query is
    a union, each part led by what is small: the defendants of the user's own cases and those
    they entered, found from those; and, for a court's members, each name key's index walked in
    its order from the prefix, keeping the first `limit` defendants of a case of their court
    and stopping there. When more than `limit` match, which of them are shown is the walk's
    choice, not strictly the first by last name: the page asks for a longer search then.
    """
    words = _name_query(search)
    if not words:
        return defendants_visible_to(user).order_by("last_name", "first_name", "pk")[:limit]
    matching = _starts("first_last", words) | _starts("last_first", words)
    if not user.is_authenticated or not user.is_active:  # none, or only those they entered
        visible = _with_name_keys(defendants_visible_to(user)).filter(matching)
        return visible.order_by("last_name", "first_name", "pk")[:limit]
    named = _with_name_keys(Defendant.objects.all())
    on_own_cases = CaseParticipant.objects.filter(
        case_id__in=case_ids_viewable_in_person(user), defendant__isnull=False
    ).values("defendant_id")
    parts = [
        named.filter(matching, pk__in=on_own_cases).order_by().values("pk"),
        named.filter(matching, created_by=user.pk).order_by().values("pk"),
    ]
    on_court_case = CaseParticipant.objects.filter(
        defendant=OuterRef("pk"), case_id__in=case_ids_viewable_through_court(user)
    )
    # Decided once per query (a one-time filter): without a court, the walks do not start.
    sits_in_a_court = Exists(get_user_model().groups.through.objects.filter(user_id=user.pk))
    for key in ("first_last", "last_first"):
        walk = named.filter(sits_in_a_court, _starts(key, words), Exists(on_court_case))
        parts.append(walk.order_by(key).values("pk")[:limit])
    found = parts[0].union(*parts[1:])
    return Defendant.objects.filter(pk__in=found).order_by("last_name", "first_name", "pk")[:limit]
