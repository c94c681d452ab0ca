"""Reads about court dates, scoped to the person reading.

Everyone who sees a case sees its hearings and deadlines, except the deadlines of the
negotiation (offer expiry, the response owed to a defense suggestion), which only those who
read offers see (cases.permissions.may_read_case_date, here in SQL). The docket (every
hearing of a court) is for the court; the views check cases.permissions.may_view_docket.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from cases import permissions
from cases.models import Case, Court, Jurisdiction
from cases.selectors import case_ids_viewable_in_person, cases_visible_to
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
from parties.models import CaseParticipant

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from cases.permissions import AnyUser


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


def offer_reader_condition(user: AnyUser) -> Q:
    """Deadline rows whose case `user` reads offers on (cases.permissions.may_read_offers)."""
    party = Exists(
        CaseParticipant.objects.held_by(user)
        .active()
        .filter(case=OuterRef("case"), role__in=permissions.OFFER_READER_ROLES)
    )
    court = Exists(
        Case.objects.filter(
            pk=OuterRef("case"),
            court__jurisdiction__court_sees_offers_before_agreement=True,
            court__group__user=user.pk,
        )
    )
    return Q(party) | Q(court)


def hearings_visible_to(user: AnyUser) -> QuerySet[Hearing]:
    if not user.is_authenticated or not user.is_active:
        return Hearing.objects.none()
    return Hearing.objects.filter(case__in=_visible_case_ids(user))


def deadlines_visible_to(user: AnyUser) -> QuerySet[Deadline]:
    if not user.is_authenticated or not user.is_active:
        return Deadline.objects.none()
    negotiation = Q(kind__in=NEGOTIATION_DEADLINE_KINDS)
    return Deadline.objects.filter(case__in=_visible_case_ids(user)).filter(
        ~negotiation | (negotiation & offer_reader_condition(user))
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
    court's members) sees the court's cases: their list keeps deadlines_visible_to's shape."""
    if not user.is_authenticated or not user.is_active:
        return Deadline.objects.none()
    if Group.objects.filter(user=user.pk).exists():
        return _deadline_details(deadlines_visible_to(user))
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
    """The hearing, or 404 when it does not exist or is not the user's to see (the same)."""
    try:
        return hearings_listed_for_user(user).get(pk=int(pk))
    except (Hearing.DoesNotExist, ValueError, TypeError):
        raise Http404("No such hearing.") from None


def deadline_get_for_user(user: AnyUser, pk: int | str) -> Deadline:
    """The deadline, or 404 when it does not exist or is not the user's to see (the same)."""
    try:
        return _deadline_details(deadlines_visible_to(user)).get(pk=int(pk))
    except (Deadline.DoesNotExist, ValueError, TypeError):
        raise Http404("No such deadline.") from None


def hearing_history(hearing: Hearing) -> QuerySet[HearingChange]:
    return hearing.changes.select_related("from_courtroom", "to_courtroom", "changed_by")


def deadline_history(deadline: Deadline) -> QuerySet[DeadlineChange]:
    return deadline.changes.select_related("changed_by")


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
    deadlines already past (overdue) first in time, merged by moment. Two queries."""
    now = timezone.now()
    horizon = now + dt.timedelta(days=days)
    hearings = list(
        _hearing_details(hearings_visible_to(user)).filter(
            status__in=UPCOMING_HEARING_STATUSES, starts_at__gte=now, starts_at__lt=horizon
        )[:limit]
    )
    # Days are court days in each court's zone; a day either side of UTC covers every zone,
    # and the exact moment is checked below.
    last_day = horizon.date() + dt.timedelta(days=1)
    deadlines = list(
        _deadline_details(deadlines_visible_to(user))
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
    hearings = Hearing.objects.filter(case__court=court, starts_at__gte=begin, starts_at__lt=end)
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


def date_recipients(case: Case, *, negotiation: bool) -> list[User]:
    """The people alerted about a date on `case`: active participants with a login (a
    defendant through their own login) who may see such a date, each once, by id. Negotiation
    dates go to those who read offers only (the court too where the profile lets it)."""
    participations = (
        CaseParticipant.objects.active()
        .filter(case=case)
        .select_related("user", "defendant__user")
        .order_by("id")
    )
    if negotiation:
        roles = permissions.alert_reader_roles(case, negotiation=True)
        participations = participations.filter(role__in=roles)
    people: dict[int, User] = {}
    for participation in participations:
        user = participation.user
        if user is None and participation.defendant is not None:
            user = participation.defendant.user
        if user is not None and user.is_active:
            people.setdefault(user.pk, user)
    return [people[pk] for pk in sorted(people)]


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
