"""iCalendar feeds (RFC 5545) of court dates at secret-token addresses.

A feed is a user's (every hearing and deadline they may see, in every case) or one case's as
that user sees it. Calendar programs fetch it without signing in, so the address carries a
secret: 32 random bytes, of which only the SHA-256 is stored. Issuing a feed again rotates it
(the old address dies at once); revoking deletes it. What a feed shows is decided when it is
fetched, by the same selectors as the pages: a participant removed from a case loses its
dates, the negotiation's deadlines appear only for those who read offers.

Every event keeps its UID for life (`hearing-<id>@parley`, `deadline-<id>@parley`) and carries
the row's SEQUENCE, which the services raise on every change a calendar shows; cancelled dates
stay in the feed as STATUS:CANCELLED so that calendars remove them instead of keeping a stale
copy. Hearings are timed in their court's zone (TZID, with a VTIMEZONE); deadlines are all-day
events on their last day.

A feed is bounded whatever the size of the court: it holds the dates from PAST_WINDOW back to
FUTURE_WINDOW ahead, and of each kind (hearings, deadlines) at most UPCOMING_LIMIT from now on
and PAST_LIMIT before now, the nearest to now first. A court clerk's all-dates feed is the
court's calendar, so in a busy court it reaches the limits before the window's end; the
calendar's description says so, and the docket page (/docket/) has the rest. Hearings are
found by hearing_page_for_user (a court member's along their courtrooms' indexes), deadlines
by deadlines_listed_for_user, so what one fetch reads follows the limits, not the court.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, QuerySet
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import vDuration

from cases.models import Case
from cases.selectors import may_see_case
from core.exceptions import Conflict
from deadlines import ical, selectors
from deadlines.models import (
    CalendarFeed,
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    Hearing,
    HearingStatus,
)
from parties.selectors import language_of_profile

if TYPE_CHECKING:
    from cases.permissions import AnyUser

PRODID = "-//Parley//Court dates//EN"
# The right-hand side of every UID. A constant, not the host name: UIDs must not change when
# the site moves or is reached under another name.
UID_DOMAIN = "parley"
# How often calendar programs should fetch the feed again (RFC 7986 REFRESH-INTERVAL and the
# older X-PUBLISHED-TTL, which Outlook reads).
REFRESH_INTERVAL = dt.timedelta(minutes=15)
# The window of a feed: a feed is for what is coming (calendar programs drop what leaves it).
PAST_WINDOW = dt.timedelta(days=30)
FUTURE_WINDOW = dt.timedelta(days=180)
# Of each kind of date, at most this many from now on and before now, the nearest first: a
# court clerk's feed is the whole court's calendar, and must not grow with it.
UPCOMING_LIMIT = 120
PAST_LIMIT = 30
# last_used_at is for the owner's information ("is my calendar still fetching this?"); writing
# it at most once a minute keeps a polling calendar from writing on every fetch.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
TOKEN_BYTES = 32


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _require_active(user: AnyUser) -> User:
    if not isinstance(user, User) or not user.is_active:
        raise PermissionDenied(_("Sign in first."))
    return user


@transaction.atomic
def feed_issue(*, user: AnyUser, case: Case | None = None, only_new: bool = False) -> str:
    """Create the user's feed for `case` (None: all their dates), or rotate it if it exists
    (with `only_new`, an existing feed is a Conflict instead: a second "create" must not kill
    the address the first one showed). Returns the new token; it is shown once and never
    stored."""
    owner = _require_active(user)
    if case is not None and not may_see_case(owner, case.pk):
        raise Http404(_("No such case."))
    # One feed per scope: lock the owner's row so that two requests at once cannot both
    # create (or both rotate and each believe their token is the live one).
    User.objects.select_for_update().filter(pk=owner.pk).first()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = timezone.now()
    feed = CalendarFeed.objects.filter(user=owner, case=case).first()
    if feed is not None and only_new:
        raise Conflict(
            _("You already have this feed. Rotate it to get a new address."), code="feed_exists"
        )
    if feed is None:
        CalendarFeed.objects.create(user=owner, case=case, token_hash=token_hash(token))
    else:
        feed.token_hash = token_hash(token)
        feed.rotated_at = now
        feed.save(update_fields=["token_hash", "rotated_at"])
    return token


@transaction.atomic
def feed_revoke(*, feed: CalendarFeed, by: AnyUser) -> None:
    """Delete the feed: its address answers 404 from now on."""
    if not by.is_authenticated or feed.user_id != by.pk:
        raise Http404(_("No such feed."))
    CalendarFeed.objects.filter(pk=feed.pk).delete()


def feeds_of(user: AnyUser) -> QuerySet[CalendarFeed]:
    """The user's own feeds: the all-dates feed first, then case feeds by docket number."""
    if not user.is_authenticated:
        return CalendarFeed.objects.none()
    return (
        CalendarFeed.objects.filter(user=user.pk)
        .select_related("case", "case__court")
        .order_by(F("case__docket_number").asc(nulls_first=True), "pk")
    )


def feed_get_for_user(user: AnyUser, feed_id: int | str) -> CalendarFeed:
    """One of the user's own feeds; 404 for anyone else's, the same as for a missing one."""
    try:
        return feeds_of(user).get(pk=int(feed_id))
    except (CalendarFeed.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such feed.")) from None


def feed_by_token(token: str) -> CalendarFeed | None:
    """The live feed with this token, with what rendering needs; None for an unknown, rotated
    or revoked token."""
    if not token:
        return None
    return (
        # The owner's profile and office: the feed is written in their language.
        CalendarFeed.objects.select_related(
            "user",
            "user__profile__organization__jurisdiction",
            "case",
            "case__court",
        )
        .filter(token_hash=token_hash(token))
        .first()
    )


def feed_touch(feed: CalendarFeed, *, now: dt.datetime | None = None) -> None:
    """Record that the feed was fetched, at most once a minute (a conditional update, so
    concurrent fetches write once)."""
    now = now or timezone.now()
    if feed.last_used_at is not None and now - feed.last_used_at < LAST_USED_RESOLUTION:
        return
    CalendarFeed.objects.filter(pk=feed.pk, last_used_at=feed.last_used_at).update(last_used_at=now)
    feed.last_used_at = now


# --- rendering -----------------------------------------------------------------------------


def feed_render(feed: CalendarFeed, *, now: dt.datetime | None = None) -> bytes:
    """The feed as an iCalendar document. Http404 when its owner may no longer use it: the
    account is inactive, or (a case feed) the owner no longer sees the case."""
    now = now or timezone.now()
    owner = feed.user
    if not owner.is_active:
        raise Http404(_("No such feed."))
    if feed.case_id is not None and not may_see_case(owner, feed.case_id):
        raise Http404(_("No such feed."))
    case_id = feed.case_id
    since, until = now - PAST_WINDOW, now + FUTURE_WINDOW
    # Hearings: the next ones from now (earliest first) and the last ones before now (latest
    # first), each one statement walking an index of what the owner sees.
    upcoming = selectors.hearing_page_for_user(
        owner,
        filtered=Hearing.objects.filter(starts_at__lt=until),
        case_id=case_id,
        after=(now, 0),
        size=UPCOMING_LIMIT,
    ).hearings
    past = selectors.hearing_page_for_user(
        owner,
        filtered=Hearing.objects.filter(starts_at__gte=since),
        case_id=case_id,
        before=(now, 0),
        size=PAST_LIMIT,
    ).hearings
    deadlines = selectors.deadlines_listed_for_user(owner)
    if case_id is not None:
        deadlines = deadlines.filter(case_id=case_id)
    today = now.date()
    deadline_rows = list(
        deadlines.filter(due_date__gte=since.date(), due_date__lt=today).order_by(
            "-due_date", "-pk"
        )[:PAST_LIMIT]
    )
    deadline_rows.reverse()
    deadline_rows += list(
        deadlines.filter(due_date__gte=today, due_date__lte=until.date()).order_by(
            "due_date", "pk"
        )[:UPCOMING_LIMIT]
    )
    # The owner's language: a calendar program fetches the feed with no session.
    profile = getattr(owner, "profile", None)  # read with the feed (feed_by_token)
    with translation.override(language_of_profile(profile) or settings.LANGUAGE_CODE):
        return calendar_build(feed, [*past, *upcoming], deadline_rows)


def calendar_description() -> str:
    return _(
        "Your court dates from %(past)d days ago to %(future)d days ahead: of hearings and of "
        "deadlines each, at most the next %(upcoming)d and the last %(last)d, the nearest "
        "first. Later dates appear as they come closer; Parley's docket and case pages show "
        "them all."
    ) % {
        "past": PAST_WINDOW.days,
        "future": FUTURE_WINDOW.days,
        "upcoming": UPCOMING_LIMIT,
        "last": PAST_LIMIT,
    }


def calendar_name(feed: CalendarFeed) -> str:
    if feed.case is not None:
        return _("%(docket_number)s %(caption)s · Parley") % {
            "docket_number": feed.case.docket_number,
            "caption": feed.case.caption,
        }
    return _("My court dates · Parley")


def calendar_build(
    feed: CalendarFeed, hearings: Iterable[Hearing], deadlines: Iterable[Deadline]
) -> bytes:
    """The document: the calendar's properties, a VTIMEZONE for each court zone its hearings
    use (covering their years), the hearings, then the deadlines."""
    hearings, deadlines = list(hearings), list(deadlines)
    document = ical.Document()
    document.line("BEGIN:VCALENDAR")
    document.line("VERSION:2.0")
    document.text("PRODID", PRODID)
    document.line("METHOD:PUBLISH")
    description, name = calendar_description(), calendar_name(feed)
    # RFC 7986's NAME and DESCRIPTION, and the X-WR- names that older programs read.
    document.text("DESCRIPTION", description)
    document.text("X-WR-CALDESC", description)
    document.text("NAME", name)
    document.text("X-WR-CALNAME", name)
    interval = vDuration(REFRESH_INTERVAL).to_ical().decode()
    document.line(f"REFRESH-INTERVAL;VALUE=DURATION:{interval}")
    # Fixed, so that the same data gives the same document (and the same ETag).
    document.text("UID", f"feed-{feed.pk}@{UID_DOMAIN}")
    document.line(f"X-PUBLISHED-TTL:{interval}")
    if hearings:
        # The years of the hearings, with a year's margin before and two after (a zone's
        # whole history since 1970 would list every transition).
        years = [hearing.starts_at.year for hearing in hearings]
        first, last = min(years) - 1, max(years) + 2
        for zone in sorted({hearing.case.court.time_zone for hearing in hearings}):
            if ical.tzid(zone) is not None:
                document.raw(ical.vtimezone(zone, first, last))
    for hearing in hearings:
        hearing_event(document, hearing)
    for deadline in deadlines:
        deadline_event(document, deadline)
    document.line("END:VCALENDAR")
    return bytes(document)


# Some calendar programs show a cancelled event of a subscribed calendar like any other, so
# the title says it too.
def _cancelled(summary: str) -> str:
    return _("Cancelled: %(summary)s") % {"summary": summary}


def hearing_summary(hearing: Hearing) -> str:
    case = hearing.case
    summary = _("%(kind)s — %(caption)s (%(docket_number)s)") % {
        "kind": hearing.get_kind_display(),
        "caption": case.caption,
        "docket_number": case.docket_number,
    }
    return _cancelled(summary) if hearing.status == HearingStatus.CANCELLED else summary


def hearing_description(hearing: Hearing) -> str:
    """What a calendar shows anyway and the status; the judge and the notes stay in Parley."""
    case = hearing.case
    court = case.court
    return _(
        "%(kind)s in %(caption)s (%(docket_number)s), %(court)s.\nStatus: %(status)s.\n"
        "Times are in the court's time zone, %(time_zone)s."
    ) % {
        "kind": hearing.get_kind_display(),
        "caption": case.caption,
        "docket_number": case.docket_number,
        "court": court.name,
        "status": hearing.get_status_display(),
        "time_zone": court.time_zone,
    }


def hearing_event(document: ical.Document, hearing: Hearing) -> None:
    """A hearing as a timed event in its court's zone."""
    court = hearing.case.court
    _event(
        document,
        kind="hearing",
        row=hearing,
        summary=hearing_summary(hearing),
        start=ical.local("DTSTART", hearing.starts_at, court.time_zone),
        end=ical.local("DTEND", hearing.ends_at, court.time_zone),
        description=hearing_description(hearing),
        location=f"{hearing.courtroom.name}, {court.name}",
        cancelled=hearing.status == HearingStatus.CANCELLED,
    )


def deadline_summary(deadline: Deadline) -> str:
    summary = _("Due: %(title)s — %(docket_number)s") % {
        "title": deadline.title,
        "docket_number": deadline.case.docket_number,
    }
    return _cancelled(summary) if deadline.status == DeadlineStatus.CANCELLED else summary


def deadline_description(deadline: Deadline) -> str:
    case = deadline.case
    lines = [
        _("%(kind)s in %(caption)s (%(docket_number)s).")
        % {
            "kind": deadline.get_kind_display(),
            "caption": case.caption,
            "docket_number": case.docket_number,
        }
    ]
    if deadline.due_at is not None:
        local = timezone.localtime(deadline.due_at, ZoneInfo(case.court.time_zone))
        values = {
            "moment": f"{local:%Y-%m-%d %H:%M}",
            "zone": local.tzname(),
            "time_zone": case.court.time_zone,
        }
        lines.append(
            _("The offer expires at %(moment)s %(zone)s (%(time_zone)s).") % values
            if deadline.kind == DeadlineKind.OFFER_EXPIRY
            else _("Due at %(moment)s %(zone)s (%(time_zone)s).") % values
        )
    else:
        lines.append(
            _("Due by the end of %(day)s in the court's time zone (%(time_zone)s).")
            % {"day": deadline.due_date.isoformat(), "time_zone": case.court.time_zone}
        )
    if deadline.responsible_side:
        lines.append(
            _("To be met by: %(side)s.") % {"side": deadline.get_responsible_side_display()}
        )
    if deadline.citation:
        lines.append(_("Rule: %(citation)s.") % {"citation": deadline.citation})
    lines.append(_("Status: %(status)s.") % {"status": deadline.get_status_display()})
    return "\n".join(lines)


def deadline_event(document: ical.Document, deadline: Deadline) -> None:
    """A deadline as an all-day event on its last day (DTEND is the next day, exclusive), shown
    as free time: it is a date to meet, not an appointment."""
    _event(
        document,
        kind="deadline",
        row=deadline,
        summary=deadline_summary(deadline),
        start=f"DTSTART;VALUE=DATE:{ical.day(deadline.due_date)}",
        end=f"DTEND;VALUE=DATE:{ical.day(deadline.due_date + dt.timedelta(days=1))}",
        description=deadline_description(deadline),
        cancelled=deadline.status == DeadlineStatus.CANCELLED,
        free=True,
    )


def _event(
    document: ical.Document,
    *,
    kind: str,
    row: Hearing | Deadline,
    summary: str,
    start: str,
    end: str,
    description: str,
    location: str = "",
    cancelled: bool,
    free: bool = False,
) -> None:
    """A VEVENT: SUMMARY and the times first, then the rest by name (the order `icalendar`
    writes). UID and SEQUENCE follow the row for life; DTSTAMP and LAST-MODIFIED are its last
    change."""
    changed = ical.utc(row.updated_at)
    document.line("BEGIN:VEVENT")
    document.text("SUMMARY", summary)
    document.line(start)
    document.line(end)
    document.line(f"DTSTAMP:{changed}")
    document.text("UID", f"{kind}-{row.pk}@{UID_DOMAIN}")
    document.line(f"SEQUENCE:{row.sequence}")
    document.line(f"CREATED:{ical.utc(row.created_at)}")
    document.text("DESCRIPTION", description)
    document.line(f"LAST-MODIFIED:{changed}")
    if location:
        document.text("LOCATION", location)
    document.line(f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}")
    if free:
        document.line("TRANSP:TRANSPARENT")
    document.line("END:VEVENT")
