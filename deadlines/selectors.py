"""Reads about court dates, scoped to the person reading.

Everyone who sees a case sees its hearings and deadlines, except the deadlines of the
negotiation (offer expiry, the response owed to a defense suggestion), which only those who
read offers see (cases.permissions.may_read_case_date, here in SQL). The docket (every
hearing of a court) is for the court; the views check cases.permissions.may_view_docket.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from django.contrib.auth import get_user_model
from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import party_selectors, permissions
from cases.models import (
    Case,
    CaseGroupObjectPermission,
    CaseUserObjectPermission,
    Court,
    Jurisdiction,
)
from cases.selectors import (
    case_ids_viewable_in_person,
    case_of_row_visible_to,
    cases_visible_to,
    reads_other_tables,
    view_permission_sql,
)
from core.lookups import AnyOf
from deadlines.models import (
    NEGOTIATION_DEADLINE_KINDS,
    UPCOMING_HEARING_STATUSES,
    CourtClosure,
    Courtroom,
    Deadline,
    DeadlineChange,
    DeadlineRule,
    DeadlineStatus,
    Hearing,
    HearingChange,
)
from parties.models import CaseParticipant, CustodyStatus, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from cases.permissions import AnyUser


# --- custody --------------------------------------------------------------------------------


def cases_in_custody(case_ids: list[int]) -> set[int]:
    """Which of these cases have a defendant in custody now (an active defendant
    participation whose defendant is detained): periods counted on them may not be extended
    for holidays where the profile says so (CPL art. 105). One query."""
    return set(
        CaseParticipant.objects.active()
        .filter(
            case_id__in=case_ids,
            role=Role.DEFENDANT,
            defendant__custody_status=CustodyStatus.DETAINED,
        )
        .values_list("case_id", flat=True)
    )


# --- moments --------------------------------------------------------------------------------


def court_zone(court: Court) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(court.time_zone)


def end_of_day(day: dt.date, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """Midnight at the end of `day` in `zone` (Fed. R. Crim. P. 45(a)(4)), in UTC. In UTC because
    Python never finds a wall time inside a daylight-saving gap or overlap equal to any other
    time, and the database hands back UTC: where clocks change at midnight (Santiago, Havana,
    Beirut) the moment would otherwise never match the one stored on its alerts."""
    local = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    return local.astimezone(dt.UTC)


def deadline_moment(deadline: Deadline) -> dt.datetime:
    """When a deadline passes: its time if it has one (an offer's expiry), else midnight at the
    end of its last day in the court's time zone. Pass a deadline with `case__court` selected."""
    if deadline.due_at is not None:
        return deadline.due_at
    return end_of_day(deadline.due_date, court_zone(deadline.case.court))


def hearing_moment(hearing: Hearing) -> dt.datetime:
    return hearing.starts_at


def local_date(moment: dt.datetime, court: Court) -> dt.date:
    """The court's calendar day at `moment`."""
    return timezone.localtime(moment, court_zone(court)).date()


# --- visibility -----------------------------------------------------------------------------


def _visible_case_ids(user: AnyUser) -> QuerySet[Any]:
    return cases_visible_to(user).values("pk")


def offer_reader_condition(user: AnyUser, table: str) -> Q:
    """Rows of `table` (deadlines, events: a table with case_id) whose case `user` reads offers
    on (cases.permissions.may_read_offers). The court's half is one probe a row
    (party_selectors.court_member_of_row), never a hash of the court's every case."""
    party = Exists(
        CaseParticipant.objects.held_by(user)
        .active()
        .filter(case=OuterRef("case"), role__in=permissions.OFFER_READER_ROLES)
    )
    court = party_selectors.court_member_of_row(user, table, reads_offers=True)
    return Q(party) | Q(court)


def hearings_visible_to(user: AnyUser) -> QuerySet[Hearing]:
    if not user.is_authenticated or not user.is_active:
        return Hearing.objects.none()
    return Hearing.objects.filter(case__in=_visible_case_ids(user))


def hearings_checked_for(user: AnyUser) -> QuerySet[Hearing]:
    """The rows of hearings_visible_to, each hearing's case probed for the user (two index
    probes, cases.selectors.case_of_row_visible_to): for a query narrowed to a few rows by
    something else (a primary key in a request body), never for a list."""
    if not user.is_authenticated or not user.is_active:
        return Hearing.objects.none()
    return Hearing.objects.filter(
        case_of_row_visible_to(user, f'"{Hearing._meta.db_table}"."case_id"')
    )


def deadlines_visible_to(user: AnyUser) -> QuerySet[Deadline]:
    if not user.is_authenticated or not user.is_active:
        return Deadline.objects.none()
    negotiation = Q(kind__in=NEGOTIATION_DEADLINE_KINDS)
    return Deadline.objects.filter(case__in=_visible_case_ids(user)).filter(
        ~negotiation | (negotiation & offer_reader_condition(user, Deadline._meta.db_table))
    )


def _hearing_details(hearings: QuerySet[Hearing]) -> QuerySet[Hearing]:
    return hearings.select_related("case__court", "courtroom", "judge")


def _deadline_details(deadlines: QuerySet[Deadline]) -> QuerySet[Deadline]:
    return deadlines.select_related("case__court", "rule", "trigger_hearing", "closed_by")


def hearings_listed_for_user(user: AnyUser) -> QuerySet[Hearing]:
    """The hearings `user` may see, with what a list shows of each."""
    return _hearing_details(hearings_visible_to(user))


def deadlines_listed_for_user(user: AnyUser) -> QuerySet[Deadline]:
    """The deadlines `user` may see, with what a list shows of each: the rows of
    deadlines_visible_to, found from a person's own case ids (a few hundred at most) along
    deadline_case_due, with core.lookups.AnyOf, after one index probe for their groups
    (tests/deadlines/test_deadline_list_plan.py). Through `case_id IN (cases_visible_to)` the
    planner prices a person's page from an average court's share of guardian's group rows,
    which a person has none of: at 1,000,000 cases it estimated hundreds of thousands and
    spent ~0.5 s compiling the statement (JIT) to read the same pages. A member of a group (the
    court's members) sees the court's cases: their list walks (court_id, due_date, id) from its
    cursor (cases.party_selectors.rows_of_courts), each row checked as deadlines_visible_to
    would, so that a page costs the same in a court of any size."""
    if not user.is_authenticated or not user.is_active:
        return Deadline.objects.none()
    courts = party_selectors.courts_listed_for(user)
    if courts:
        negotiation = Q(kind__in=NEGOTIATION_DEADLINE_KINDS)
        return _deadline_details(
            Deadline.objects.filter(
                party_selectors.rows_of_courts(user, courts, Deadline._meta.db_table)
            ).filter(
                ~negotiation | (negotiation & offer_reader_condition(user, Deadline._meta.db_table))
            )
        )
    seen = case_ids_viewable_in_person(user)
    readers = (
        CaseParticipant.objects.held_by(user)
        .active()
        .filter(role__in=permissions.OFFER_READER_ROLES)
        .order_by()
        .values("case_id")
    )
    negotiation = Q(kind__in=NEGOTIATION_DEADLINE_KINDS)
    return _deadline_details(
        Deadline.objects.filter(AnyOf("case_id", seen)).filter(
            ~negotiation | (negotiation & Q(AnyOf("case_id", readers)))
        )
    )


def hearings_of_case(user: AnyUser, case: Case) -> QuerySet[Hearing]:
    return hearings_listed_for_user(user).filter(case=case).order_by("starts_at", "id")


def deadlines_of_case(user: AnyUser, case: Case) -> QuerySet[Deadline]:
    return (
        _deadline_details(deadlines_visible_to(user))
        .filter(case=case)
        .order_by("due_date", "due_at", "id")
    )


def hearing_get_for_user(user: AnyUser, pk: int | str) -> Hearing:
    """The hearing, or 404 when it does not exist or is not the user's to see (the same): the
    rows of hearings_visible_to, the hearing's case probed for the user (two index probes,
    cases.selectors.case_of_row_visible_to), not tested against every case a court member sees."""
    if not user.is_authenticated or not user.is_active:
        raise Http404(_("No such hearing."))
    try:
        return _hearing_details(hearings_checked_for(user)).get(pk=int(pk))
    except (Hearing.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such hearing.")) from None


def deadline_get_for_user(user: AnyUser, pk: int | str) -> Deadline:
    """The deadline, or 404 when it does not exist or is not the user's to see (the same): the
    rows of deadlines_visible_to, the deadline's case probed as for a hearing."""
    if not user.is_authenticated or not user.is_active:
        raise Http404(_("No such deadline."))
    may_view = case_of_row_visible_to(user, f'"{Deadline._meta.db_table}"."case_id"')
    negotiation = Q(kind__in=NEGOTIATION_DEADLINE_KINDS)
    rows = Deadline.objects.filter(may_view).filter(
        ~negotiation | (negotiation & offer_reader_condition(user, Deadline._meta.db_table))
    )
    try:
        return _deadline_details(rows).get(pk=int(pk))
    except (Deadline.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such deadline.")) from None


def hearing_history(hearing: Hearing) -> QuerySet[HearingChange]:
    return hearing.changes.select_related("from_courtroom", "to_courtroom", "changed_by")


def deadline_history(deadline: Deadline) -> QuerySet[DeadlineChange]:
    return deadline.changes.select_related("changed_by")


# --- a page of hearings ---------------------------------------------------------------------

# A place in the list of hearings: (starts_at, id), the order every list of hearings is read in.
HearingPosition = tuple[dt.datetime, int]

# The largest id PostgreSQL's bigint holds: an id filter beyond it finds nothing.
_MAX_ID = 2**63 - 1


@dataclass(frozen=True)
class HearingPage:
    """One page of hearings, earliest first, and whether there are more on either side."""

    hearings: list[Hearing]
    has_earlier: bool
    has_later: bool


# A page is the first `limit` of the union of short walks, each along an index in the list's
# order from the cursor, so its cost is bounded by limit x (sources) whatever the court's size:
# - the cases the user takes part in (guardian's user rows: a few hundred), through the
#   (case, starts_at) index;
# - for each court the user sits in, each of its courtrooms along (courtroom, starts_at): a
#   court's hearings are in its courtrooms (deadlines.services checks it when a hearing is
#   scheduled or moved), and every one found is still checked against the court group's
#   permission row on its case, one probe of guardian's unique index; with a status filter,
#   each courtroom once per status along (courtroom, status, starts_at, id), so that a status
#   that matches late or never does not read the courtroom's whole history.
# Guardian's group rows are a court's group's, on its own court's cases: the court's grant when
# a case is opened (cases.permissions.case_permissions_grant_court) is their one writer, so the
# courtrooms of the courts a user sits in hold every hearing their groups let them see.
# With `case_id` the walks are that one case's: its permission rows, then its hearings.
_HEARING_PERSON_SQL = """
(SELECT walk.id FROM (
    -- The user's own cases first (OFFSET 0 keeps them a separate step), then each one's
    -- hearings along (case, starts_at): never a scan of every hearing joined to them.
    SELECT up.content_object_id AS case_id FROM {user_table} up
    WHERE up.user_id = %s AND up.permission_id = ({permission}){case_cond}
    OFFSET 0
 ) mine
 CROSS JOIN LATERAL (
    SELECT deadlines_hearing.id, deadlines_hearing.starts_at FROM deadlines_hearing
    WHERE deadlines_hearing.case_id = mine.case_id{position}{restrict}{any_status}
    ORDER BY deadlines_hearing.starts_at {direction}, deadlines_hearing.id {direction}
    LIMIT {limit}
 ) walk
 ORDER BY walk.starts_at {direction}, walk.id {direction} LIMIT {limit})
"""
_HEARING_COURTROOMS_SQL = """
SELECT walk.id FROM (
    -- The user's courtrooms first (OFFSET 0 keeps them a separate step): the planner, seeing
    -- small tables, would otherwise walk every court's courtrooms and drop the others after.
    SELECT ug.group_id, room.id AS room_id{status_column} FROM auth_user_groups ug
    JOIN cases_court ct ON ct.group_id = ug.group_id{court_cond}
    JOIN deadlines_courtroom room ON room.court_id = ct.id{courtroom_cond}{statuses_join}
    WHERE ug.user_id = %s
    OFFSET 0
) rooms
CROSS JOIN LATERAL (
    SELECT deadlines_hearing.id FROM deadlines_hearing
    WHERE deadlines_hearing.courtroom_id = rooms.room_id{status_cond}{position}{restrict}
      -- A scalar subquery, not EXISTS: PostgreSQL would turn EXISTS into a join and may
      -- merge it with the group's every row; this is one probe of the unique index a row.
      AND (SELECT true FROM {group_table} court_gp
           WHERE court_gp.group_id = rooms.group_id AND court_gp.permission_id = ({permission})
             AND court_gp.content_object_id = deadlines_hearing.case_id)
    ORDER BY deadlines_hearing.starts_at {direction}, deadlines_hearing.id {direction}
    LIMIT {limit}
) walk
"""
_HEARING_CASE_GROUPS_SQL = """
(SELECT deadlines_hearing.id FROM auth_user_groups ug
 JOIN {group_table} case_gp ON case_gp.group_id = ug.group_id
 JOIN deadlines_hearing ON deadlines_hearing.case_id = case_gp.content_object_id
 WHERE ug.user_id = %s AND case_gp.permission_id = ({permission})
   AND case_gp.content_object_id = %s{position}{restrict}{any_status}
 ORDER BY deadlines_hearing.starts_at {direction}, deadlines_hearing.id {direction} LIMIT {limit})
"""


def _hearing_restriction(filtered: QuerySet[Hearing] | None) -> tuple[str, list[Any]] | None:
    """The filters' condition as SQL on deadlines_hearing ("" for none); None if nothing can
    match. Written inline in each walk, so that a walk stops after `limit` matching rows; a
    filter through another table falls back to an IN list of ids."""
    if filtered is None or not filtered.query.where:
        return "", []
    query = filtered.query
    compiler = query.get_compiler(using=filtered.db)
    try:
        if not reads_other_tables(filtered):
            sql, params = compiler.compile(query.where)
            return f" AND {sql}", list(params)
        inner = filtered.order_by().values("pk")
        inner.query.distinct = False  # an IN list ignores duplicates anyway
        sql, params = inner.query.sql_with_params()
        return f" AND deadlines_hearing.id IN ({sql})", list(params)
    except EmptyResultSet:
        return None
    except FullResultSet:
        return "", []


def _id_out_of_range(*ids: int | None) -> bool:
    return any(i is not None and not 0 < i <= _MAX_ID for i in ids)


def hearing_page_for_user(
    user: AnyUser,
    *,
    filtered: QuerySet[Hearing] | None = None,
    case_id: int | None = None,
    court_id: int | None = None,
    courtroom_id: int | None = None,
    statuses: Sequence[str] = (),
    after: HearingPosition | None = None,
    before: HearingPosition | None = None,
    size: int = 50,
) -> HearingPage:
    """A page of the hearings `user` may see (hearings_visible_to), earliest first, in one SQL
    statement whose cost follows the page, not the court.

    `filtered` narrows the page (a Hearing queryset of the list's filters). `case_id`,
    `court_id` and `courtroom_id` narrow it too, and choose which walks are taken: pass them
    whenever the filters hold them. `statuses`, if given, keeps the hearings in one of them:
    give the status filter here rather than in `filtered`, so that each courtroom is walked by
    status. `after` gives the page after that position,
    `before` the page before it.
    """
    empty = HearingPage(hearings=[], has_earlier=False, has_later=False)
    if not user.is_authenticated or not user.is_active:
        return empty
    if _id_out_of_range(case_id, court_id, courtroom_id):
        return empty
    restriction = _hearing_restriction(filtered)
    if restriction is None:
        return empty
    restrict, restrict_params = restriction
    backwards = before is not None
    position = before if backwards else after
    position_sql, position_params = "", []
    if position is not None:
        op = "<" if backwards else ">"
        position_sql = f" AND (deadlines_hearing.starts_at, deadlines_hearing.id) {op} (%s, %s)"
        position_params = [position[0], position[1]]
    permission_sql, permission_params = view_permission_sql()
    fetch = size + 1
    common = {
        "user_table": CaseUserObjectPermission._meta.db_table,
        "group_table": CaseGroupObjectPermission._meta.db_table,
        "permission": permission_sql,
        "position": position_sql,
        "restrict": restrict,
        "direction": "DESC" if backwards else "ASC",
        "limit": fetch,
    }
    walk_params = [*position_params, *restrict_params]
    # The person's own cases and one case's hearings take the statuses as a plain condition.
    status_list = sorted(set(statuses))
    common["any_status"] = " AND deadlines_hearing.status = ANY(%s)" if statuses else ""
    one_walk_params = [*walk_params, *([status_list] if statuses else [])]
    parts = [
        _HEARING_PERSON_SQL.format(
            **common, case_cond=" AND up.content_object_id = %s" if case_id else ""
        )
    ]
    params: list[Any] = [
        user.pk,
        *permission_params,
        *([case_id] if case_id else []),
        *one_walk_params,
    ]
    if case_id is None:
        parts.append(
            _HEARING_COURTROOMS_SQL.format(
                **common,
                court_cond=" AND ct.id = %s" if court_id else "",
                courtroom_cond=" AND room.id = %s" if courtroom_id else "",
                statuses_join=" CROSS JOIN unnest(%s::varchar[]) AS wanted(status)"
                if statuses
                else "",
                status_column=", wanted.status" if statuses else "",
                status_cond=" AND deadlines_hearing.status = rooms.status" if statuses else "",
            )
        )
        params += [
            *([court_id] if court_id else []),
            *([courtroom_id] if courtroom_id else []),
            *([status_list] if statuses else []),
            user.pk,
            *walk_params,
            *permission_params,
        ]
    else:
        parts.append(_HEARING_CASE_GROUPS_SQL.format(**common))
        params += [user.pk, *permission_params, case_id, *one_walk_params]
    ids = RawSQL("\nUNION ALL\n".join(parts), params)  # noqa: S611 (values are bound parameters)
    order = ("-starts_at", "-id") if backwards else ("starts_at", "id")
    rows = list(_hearing_details(Hearing.objects.filter(pk__in=ids)).order_by(*order)[:fetch])
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
        return HearingPage(hearings=rows, has_earlier=more, has_later=True)
    return HearingPage(hearings=rows, has_earlier=after is not None, has_later=more)


# --- upcoming -------------------------------------------------------------------------------


@dataclass(frozen=True)
class UpcomingItem:
    kind: Literal["hearing", "deadline"]
    when: dt.datetime
    title: str
    case: Case
    url: str
    is_overdue: bool
    # The hearing or deadline itself, for pages that show more of it.
    hearing: Hearing | None = None
    deadline: Deadline | None = None


def upcoming_for(user: AnyUser, *, days: int = 14, limit: int = 20) -> list[UpcomingItem]:
    """Hearings still to be held and open deadlines in the next `days` days, with open
    deadlines already past (overdue) first in time, merged by moment. Three queries: the
    hearings' page, the reader's courts (deadlines_listed_for_user), the deadlines."""
    now = timezone.now()
    horizon = now + dt.timedelta(days=days)
    # From `now` on: hearing ids are positive, so (starts_at, id) > (now, 0) is starts_at >= now.
    hearings = hearing_page_for_user(
        user,
        filtered=Hearing.objects.filter(starts_at__lt=horizon),
        statuses=UPCOMING_HEARING_STATUSES,
        after=(now, 0),
        size=limit,
    ).hearings
    # Days are court days in each court's zone; a day either side of UTC covers every zone,
    # and the exact moment is checked below.
    last_day = horizon.date() + dt.timedelta(days=1)
    # The open ones only, along deadline_court_open_due for a court's members (their court's
    # open deadlines from the first, never the ones it closed) or their own cases' for a person.
    deadlines = list(
        deadlines_listed_for_user(user)
        .filter(status=DeadlineStatus.OPEN, due_date__lte=last_day)
        .order_by("due_date", "due_at", "id")[: 2 * limit]
    )
    items: list[UpcomingItem] = []
    for hearing in hearings:
        items.append(
            UpcomingItem(
                kind="hearing",
                when=hearing.starts_at,
                title=f"{hearing.get_kind_display()} — {hearing.courtroom.name}",
                case=hearing.case,
                url=reverse("cases:detail", args=[hearing.case_id]),
                is_overdue=False,
                hearing=hearing,
            )
        )
    for deadline in deadlines:
        moment = deadline_moment(deadline)
        if moment >= horizon:
            continue
        items.append(
            UpcomingItem(
                kind="deadline",
                when=moment,
                title=deadline.title,
                case=deadline.case,
                url=reverse("cases:detail", args=[deadline.case_id]),
                is_overdue=moment <= now,
                deadline=deadline,
            )
        )
    items.sort(key=lambda item: (item.when, item.kind, item.title))
    return items[:limit]


# --- the court ------------------------------------------------------------------------------


def docket(
    court: Court,
    *,
    start: dt.date,
    days: int,
    courtroom: Courtroom | None = None,
    judge: User | None = None,
) -> QuerySet[Hearing]:
    """Every hearing of `court` that starts on the court-local days [start, start + days),
    cancelled ones included (shown struck through), by start time. For the court only: the
    caller checks cases.permissions.may_view_docket."""
    zone = court_zone(court)
    begin = dt.datetime.combine(start, dt.time(0), tzinfo=zone)
    end = dt.datetime.combine(start + dt.timedelta(days=days), dt.time(0), tzinfo=zone)
    # Through the court's courtrooms, along (courtroom, starts_at): a court's hearings are held
    # in its own courtrooms (deadlines.services checks it), and a week of them is read without
    # touching the court's other cases.
    hearings = Hearing.objects.filter(
        courtroom__court=court, starts_at__gte=begin, starts_at__lt=end
    )
    if courtroom is not None:
        hearings = hearings.filter(courtroom=courtroom)
    if judge is not None:
        hearings = hearings.filter(judge=judge)
    return _hearing_details(hearings).order_by("starts_at", "courtroom__name", "id")


def courtrooms_of(court: Court) -> QuerySet[Courtroom]:
    return Courtroom.objects.filter(court=court).order_by("name")


def closures_of(court: Court, *, since: dt.date | None = None) -> QuerySet[CourtClosure]:
    closures = CourtClosure.objects.filter(court=court)
    if since is not None:
        closures = closures.filter(date__gte=since)
    return closures.select_related("created_by").order_by("date")


def judges_of(court: Court) -> QuerySet[User]:
    """The court's judges: members of its group whose profile says judge."""
    return (
        get_user_model()
        .objects.filter(groups=court.group_id, profile__role_kind="judge", is_active=True)
        .order_by("last_name", "first_name", "username")
    )


def rules_for(jurisdiction: Jurisdiction) -> QuerySet[DeadlineRule]:
    """The active rules of a jurisdiction."""
    return DeadlineRule.objects.filter(jurisdiction=jurisdiction, active=True).order_by(
        "name", "code"
    )


# --- who hears of a date ------------------------------------------------------------------


def _participations_alerted() -> QuerySet[CaseParticipant]:
    return CaseParticipant.objects.active().select_related("user", "defendant__user").order_by("id")


def _recipients_by_case(participations: QuerySet[CaseParticipant]) -> dict[int, list[User]]:
    """Per case, the people behind `participations` with an active login (a defendant through
    their own login), each once, by id."""
    people: dict[int, dict[int, User]] = {}
    for participation in participations:
        user = participation.user
        if user is None and participation.defendant is not None:
            user = participation.defendant.user
        if user is not None and user.is_active:
            people.setdefault(participation.case_id, {}).setdefault(user.pk, user)
    return {case_id: [found[pk] for pk in sorted(found)] for case_id, found in people.items()}


def date_recipients(case: Case, *, negotiation: bool) -> list[User]:
    """The people alerted about a date on `case`: active participants with a login (a
    defendant through their own login) who may see such a date, each once, by id. Negotiation
    dates go to those who read offers only (the court too where the profile lets it)."""
    participations = _participations_alerted().filter(case=case)
    if negotiation:
        roles = permissions.alert_reader_roles(case, negotiation=True)
        participations = participations.filter(role__in=roles)
    return _recipients_by_case(participations).get(case.pk, [])


def date_recipients_of_cases(case_ids: Iterable[int]) -> dict[int, list[User]]:
    """date_recipients(case, negotiation=False) of many cases in one query (a docket import's
    batch of hearings; a hearing is never a negotiation date)."""
    wanted = set(case_ids)
    found = _recipients_by_case(_participations_alerted().filter(case_id__in=wanted))
    return {case_id: found.get(case_id, []) for case_id in wanted}


def digest_params(user: User, *, days: int, day: dt.date) -> dict[str, Any]:
    """What a digest refers to: the dates it lists, as ids, and the day it is for."""
    items = upcoming_for(user, days=days, limit=100)
    return {
        "day": day.isoformat(),
        "days": days,
        "items": [
            ["hearing", item.hearing.pk]
            if item.hearing is not None
            else ["deadline", item.deadline.pk if item.deadline is not None else 0]
            for item in items
        ],
    }
