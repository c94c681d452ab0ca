"""Calendar feeds: the iCalendar documents at secret-token addresses, and the page that manages
them, for every role of the world fixture.

Time is frozen at Monday 2026-03-02 14:00 UTC (09:00 in New York, the court's zone); New York
moves to daylight time on Sunday 2026-03-08, so a hearing on 2026-03-16 at 10:00 local is at
14:00 UTC.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from cases import party_services
from cases.models import Case
from deadlines import feeds
from deadlines import services as deadline_services
from deadlines.models import CalendarFeed, Deadline, DeadlineKind, Hearing, HearingKind
from parties.models import CaseParticipant, Role
from tests import deadline_helpers as helpers
from tests.conftest import ROLES, World
from tests.deadline_helpers import at
from tests.negotiation_helpers import sent_offer

NOW = dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.UTC)
# Every role on world.case sees its hearings and ordinary deadlines; the court does not read
# offers under the US profile, so judges and clerks never see an offer's expiry.
OFFER_READERS = {Role.PROSECUTOR, Role.DEFENSE_COUNSEL, Role.DUTY_LAWYER, Role.DEFENDANT}
COURT = {Role.JUDGE, Role.COURT_STAFF}


@pytest.fixture(autouse=True)
def _frozen(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


# --- building dates (through deadlines.services, as in real use) ----------------------------


def hearing(
    world: World,
    *,
    case: Case | None = None,
    starts_at: dt.datetime | None = None,
    kind: str = HearingKind.ARRAIGNMENT,
    room: str = "Courtroom 4B",
) -> Hearing:
    """An hour-long hearing the clerk sets on Monday 2026-03-16 at 10:00 New York time, with
    the judge and notes that a feed must never show."""
    return helpers.hearing(
        world,
        case=case,
        kind=kind,
        starts_at=starts_at or at(2026, 3, 16, 10),
        room=helpers.courtroom(world, room),
        judge_user=world.user(Role.JUDGE),
        notes="Bring the lab analyst; chain of custody is weak.",
    )


def deadline(
    world: World,
    *,
    case: Case | None = None,
    due: dt.date = dt.date(2026, 3, 20),
    title: str = "Pretrial motions",
) -> Deadline:
    return deadline_services.deadline_create(
        case=case or world.case,
        by=world.user(Role.COURT_STAFF),
        kind=DeadlineKind.MOTION_DUE,
        title=title,
        responsible_side="prosecution",
        due_date=due,
        notes="Internal: the AUSA will ask for more time.",
    )


def foreign_hearing(world: World, starts_at: dt.datetime) -> Hearing:
    """A hearing in the other court (Chicago), set by that court's clerk."""
    return helpers.hearing(
        world,
        case=world.foreign_case,
        by=world.strangers[Role.COURT_STAFF],
        kind=HearingKind.STATUS_CONFERENCE,
        starts_at=starts_at,
        minutes=30,
        room=helpers.courtroom(world, "Room 1", court=world.other_court),
    )


def offer_expiry(world: World) -> Deadline:
    """A sent prosecution offer expiring Monday 2026-03-09 at 17:00 New York time (daylight
    time by then): the negotiation services make its deadline."""
    offer = sent_offer(world, expires_at=at(2026, 3, 9, 17))
    return Deadline.objects.get(offer=offer)


# --- reading feeds -----------------------------------------------------------------------------


def issue(user: User, case: Any = None) -> str:
    return feeds.feed_issue(user=user, case=case)


def fetch(token: str, **headers: Any) -> Any:
    return Client().get(reverse("deadlines:feed-ics", args=[token]), **headers)


def parsed(token: str) -> Any:
    """The feed at `token`, parsed by icalendar (Any: its properties are a wide union)."""
    response = fetch(token)
    assert response.status_code == 200
    return icalendar.Calendar.from_ical(response.content)


def events(calendar: icalendar.Calendar) -> dict[str, Any]:
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def uids_for(user: User, case: Any = None) -> set[str]:
    return set(events(parsed(issue(user, case))))


# --- the document --------------------------------------------------------------------------------


def test_feed_parses_with_icalendar_with_every_field(world: World) -> None:
    h = hearing(world)
    d = deadline(world)
    calendar = parsed(issue(world.user(Role.DEFENSE_COUNSEL)))

    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == "-//Parley//Court dates//EN"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["X-WR-CALNAME"]) == "My court dates · Parley"
    assert calendar["REFRESH-INTERVAL"].dt == dt.timedelta(minutes=15)
    assert str(calendar["X-PUBLISHED-TTL"]) == "PT15M"
    assert set(events(calendar)) == {f"hearing-{h.pk}@parley", f"deadline-{d.pk}@parley"}

    event = events(calendar)[f"hearing-{h.pk}@parley"]
    assert str(event["SUMMARY"]) == "Arraignment — United States v. Doe (1:26-cr-00001)"
    assert str(event["LOCATION"]) == "Courtroom 4B, District Court"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event["SEQUENCE"] == 0
    assert event["DTSTART"].dt == at(2026, 3, 16, 10)
    assert event["DTEND"].dt == at(2026, 3, 16, 11)
    assert event["DTSTAMP"].dt == NOW
    assert event["LAST-MODIFIED"].dt == NOW
    description = str(event["DESCRIPTION"])
    assert description == (
        "Arraignment in United States v. Doe (1:26-cr-00001), District Court.\n"
        "Status: Scheduled.\n"
        "Times are in the court's time zone, America/New_York."
    )

    due = events(calendar)[f"deadline-{d.pk}@parley"]
    assert str(due["SUMMARY"]) == "Due: Pretrial motions — 1:26-cr-00001"
    assert str(due["STATUS"]) == "CONFIRMED"
    assert str(due["TRANSP"]) == "TRANSPARENT"
    assert due["SEQUENCE"] == 0
    assert str(due["DESCRIPTION"]) == (
        "Motion due in United States v. Doe (1:26-cr-00001).\n"
        "Due by the end of 2026-03-20 in the court's time zone (America/New_York).\n"
        "To be met by: Prosecution.\n"
        "Status: Open."
    )


def test_feed_keeps_judge_and_notes_out(world: World) -> None:
    User.objects.filter(pk=world.user(Role.JUDGE).pk).update(last_name="Quillfeather")
    hearing(world)
    deadline(world)
    body = fetch(issue(world.user(Role.DEFENDANT))).content.decode()
    assert "chain of custody" not in body
    assert "Quillfeather" not in body
    assert "AUSA" not in body
    assert "judge" not in body.lower()


def test_feed_parses_with_vobject(world: World) -> None:
    h = hearing(world)
    d = deadline(world)
    response = fetch(issue(world.user(Role.PROSECUTOR)))
    calendar = vobject.readOne(response.content.decode())

    assert calendar.version.value == "2.0"
    by_uid = {e.uid.value: e for e in calendar.vevent_list}
    assert set(by_uid) == {f"hearing-{h.pk}@parley", f"deadline-{d.pk}@parley"}
    event = by_uid[f"hearing-{h.pk}@parley"]
    # vobject builds the zone from the feed's own VTIMEZONE: the instant must be right.
    assert event.dtstart.value == at(2026, 3, 16, 10)
    assert event.dtstart.value.astimezone(dt.UTC) == dt.datetime(2026, 3, 16, 14, 0, tzinfo=dt.UTC)
    assert event.dtstart.params["X-VOBJ-ORIGINAL-TZID"] == ["America/New_York"]
    assert vobject.icalendar.TimezoneComponent.pickTzid(event.dtstart.value.tzinfo) == (
        "America/New_York"
    )
    assert event.summary.value == "Arraignment — United States v. Doe (1:26-cr-00001)"
    assert event.location.value == "Courtroom 4B, District Court"
    assert event.status.value == "CONFIRMED"
    assert event.sequence.value == "0"
    due = by_uid[f"deadline-{d.pk}@parley"]
    assert due.dtstart.value == dt.date(2026, 3, 20)
    assert not isinstance(due.dtstart.value, dt.datetime)
    assert due.dtend.value == dt.date(2026, 3, 21)
    assert calendar.vtimezone.tzid.value == "America/New_York"


def test_hearings_carry_the_court_zone_and_a_vtimezone(world: World) -> None:
    hearing(world)
    body = fetch(issue(world.user(Role.JUDGE))).content.decode()
    assert "DTSTART;TZID=America/New_York:20260316T100000\r\n" in body
    assert "DTEND;TZID=America/New_York:20260316T110000\r\n" in body
    calendar = icalendar.Calendar.from_ical(body)
    assert [tz.tz_name for tz in calendar.timezones] == ["America/New_York"]
    assert calendar.get_missing_tzids() == set()


def test_hearings_of_two_courts_each_carry_their_zone(world: World) -> None:
    """A clerk sits in one court; give them a second one to see two zones in one feed."""
    from cases import services as case_services

    clerk = world.user(Role.COURT_STAFF)
    case_services.court_member_add(court=world.other_court, user=clerk)
    hearing(world)
    foreign_hearing(world, at(2026, 3, 17, 9, 30, zone=ZoneInfo("America/Chicago")))
    body = fetch(issue(clerk)).content.decode()
    assert "DTSTART;TZID=America/Chicago:20260317T093000\r\n" in body
    calendar = icalendar.Calendar.from_ical(body)
    assert sorted(tz.tz_name for tz in calendar.timezones) == [
        "America/Chicago",
        "America/New_York",
    ]


def test_deadlines_are_all_day_events(world: World) -> None:
    d = deadline(world, due=dt.date(2026, 3, 20))
    body = fetch(issue(world.user(Role.DUTY_LAWYER))).content.decode()
    assert "DTSTART;VALUE=DATE:20260320\r\n" in body
    assert "DTEND;VALUE=DATE:20260321\r\n" in body
    event = events(icalendar.Calendar.from_ical(body))[f"deadline-{d.pk}@parley"]
    assert type(event["DTSTART"].dt) is dt.date
    assert event["DTEND"].dt == dt.date(2026, 3, 21)


def test_rescheduled_hearing_keeps_its_uid_with_a_higher_sequence(
    world: World, time_machine: Any
) -> None:
    h = hearing(world)
    token = issue(world.user(Role.DEFENSE_COUNSEL))
    before = events(parsed(token))[f"hearing-{h.pk}@parley"]

    time_machine.move_to(NOW + dt.timedelta(hours=2), tick=False)
    deadline_services.hearing_reschedule(
        hearing=h,
        by=world.user(Role.COURT_STAFF),
        starts_at=at(2026, 3, 23, 14, 30),
        ends_at=at(2026, 3, 23, 15, 30),
        reason="Defense counsel is in trial elsewhere.",
    )

    after = events(parsed(token))[f"hearing-{h.pk}@parley"]
    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert after["SEQUENCE"] == 1
    assert after["DTSTART"].dt == at(2026, 3, 23, 14, 30)
    assert after["DTSTART"].dt != before["DTSTART"].dt
    assert after["DTSTAMP"].dt == NOW + dt.timedelta(hours=2)
    assert str(after["STATUS"]) == "CONFIRMED"
    assert "Status: Continued." in str(after["DESCRIPTION"])


def test_deadline_moved_with_its_hearing_keeps_its_uid_with_a_higher_sequence(
    world: World, time_machine: Any
) -> None:
    """The presentence report is due 35 days before sentencing (Fed. R. Crim. P. 32(e)(2)):
    continuing the sentencing moves it, and the feed shows the move as a new revision."""
    sentencing = helpers.sentencing(world, starts_at=at(2026, 6, 16, 10))
    psr = helpers.hearing_deadline(world, sentencing)
    token = issue(world.user(Role.DEFENSE_COUNSEL), world.case)
    before = events(parsed(token))[f"deadline-{psr.pk}@parley"]
    assert before["DTSTART"].dt == dt.date(2026, 5, 12)
    assert "Rule: Fed. R. Crim. P. 32(e)(2)." in str(before["DESCRIPTION"])

    time_machine.move_to(NOW + dt.timedelta(days=1), tick=False)
    deadline_services.hearing_reschedule(
        hearing=sentencing,
        by=world.user(Role.COURT_STAFF),
        starts_at=at(2026, 6, 30, 10),
        ends_at=at(2026, 6, 30, 11),
        reason="The probation office needs more time.",
    )
    after = events(parsed(token))[f"deadline-{psr.pk}@parley"]
    assert after["DTSTART"].dt == dt.date(2026, 5, 26)
    assert after["SEQUENCE"] == before["SEQUENCE"] + 1
    assert after["DTSTAMP"].dt == NOW + dt.timedelta(days=1)


def test_head_answers_like_get_without_a_body(world: World) -> None:
    hearing(world)
    token = issue(world.user(Role.PROSECUTOR))
    response = Client().head(reverse("deadlines:feed-ics", args=[token]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.content == b""


def test_cancelled_hearing_stays_in_the_feed_as_cancelled(world: World) -> None:
    h = hearing(world)
    token = issue(world.user(Role.DEFENDANT))
    deadline_services.hearing_cancel(
        hearing=h, by=world.user(Role.COURT_STAFF), reason="The case is to be resolved by plea."
    )
    event = events(parsed(token))[f"hearing-{h.pk}@parley"]
    assert str(event["STATUS"]) == "CANCELLED"
    assert event["SEQUENCE"] == 1
    assert event["DTSTART"].dt == at(2026, 3, 16, 10)
    assert str(event["SUMMARY"]) == (
        "Cancelled: Arraignment — United States v. Doe (1:26-cr-00001)"
    )


def test_cancelled_deadline_stays_in_the_feed_as_cancelled(world: World) -> None:
    d = deadline(world)
    deadline_services.deadline_cancel(
        deadline=d, by=world.user(Role.COURT_STAFF), reason="Motions schedule vacated."
    )
    event = events(parsed(issue(world.user(Role.PROSECUTOR))))[f"deadline-{d.pk}@parley"]
    assert str(event["STATUS"]) == "CANCELLED"
    assert event["SEQUENCE"] == 1
    assert str(event["SUMMARY"]) == "Cancelled: Due: Pretrial motions — 1:26-cr-00001"


def test_feed_holds_the_last_30_days_and_the_next_180(world: World) -> None:
    """The window is (NOW - 30 days, NOW + 180 days]: from 2026-01-31 14:00 UTC to 2026-08-29
    14:00 UTC; deadlines by their last day, 2026-01-31 to 2026-08-29."""
    too_old = hearing(world, starts_at=at(2026, 1, 30, 10))
    oldest = hearing(world, starts_at=at(2026, 2, 1, 10))
    furthest = hearing(world, starts_at=at(2026, 8, 28, 10))
    too_far = hearing(world, starts_at=at(2026, 8, 31, 10))
    due_too_old = deadline(world, due=dt.date(2026, 1, 30))
    due_oldest = deadline(world, due=dt.date(2026, 1, 31))
    due_furthest = deadline(world, due=dt.date(2026, 8, 29))
    due_too_far = deadline(world, due=dt.date(2026, 8, 30))
    for role in (Role.PROSECUTOR, Role.COURT_STAFF):
        uids = uids_for(world.user(role))
        for kept in (oldest, furthest):
            assert f"hearing-{kept.pk}@parley" in uids
        for left in (too_old, too_far):
            assert f"hearing-{left.pk}@parley" not in uids
        for kept_deadline in (due_oldest, due_furthest):
            assert f"deadline-{kept_deadline.pk}@parley" in uids
        for left_deadline in (due_too_old, due_too_far):
            assert f"deadline-{left_deadline.pk}@parley" not in uids


def test_feed_description_states_the_window_and_the_limits(world: World) -> None:
    calendar = parsed(issue(world.user(Role.COURT_STAFF)))
    description = str(calendar["DESCRIPTION"])
    assert "30 days ago to 180 days ahead" in description
    assert "at most the next 120 and the last 30" in description


def test_court_feed_keeps_the_nearest_dates_up_to_the_limits(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With limits of 3 upcoming and 2 past of each kind, the clerk's court-wide feed holds the
    3 hearings and deadlines nearest after now and the 2 nearest before, in every courtroom."""
    monkeypatch.setattr(feeds, "UPCOMING_LIMIT", 3)
    monkeypatch.setattr(feeds, "PAST_LIMIT", 2)
    past = [
        hearing(world, starts_at=at(2026, 2, day, 10), room=f"Room {day}")
        for day in (5, 10, 20, 25)
    ]
    coming = [
        hearing(world, case=world.other_case, starts_at=at(2026, 3, day, 10), room=f"Room {day}")
        for day in (3, 4, 5, 6, 9)
    ]
    past_due = [deadline(world, due=dt.date(2026, 2, day)) for day in (5, 10, 20, 25)]
    coming_due = [deadline(world, due=dt.date(2026, 3, day)) for day in (3, 4, 5, 6, 9)]
    uids = uids_for(world.user(Role.COURT_STAFF))
    assert uids == {
        *(f"hearing-{h.pk}@parley" for h in past[2:] + coming[:3]),
        *(f"deadline-{d.pk}@parley" for d in past_due[2:] + coming_due[:3]),
    }


# --- who sees what -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_offer_expiry_only_in_feeds_of_offer_readers(world: World, role: Role) -> None:
    d = offer_expiry(world)
    h = hearing(world)
    uids = uids_for(world.user(role))
    assert f"hearing-{h.pk}@parley" in uids
    assert (f"deadline-{d.pk}@parley" in uids) is (role in OFFER_READERS)


def test_offer_expiry_event_gives_the_time_it_expires(world: World) -> None:
    d = offer_expiry(world)
    event = events(parsed(issue(world.user(Role.DEFENSE_COUNSEL))))[f"deadline-{d.pk}@parley"]
    assert type(event["DTSTART"].dt) is dt.date
    assert event["DTSTART"].dt == dt.date(2026, 3, 9)
    assert "The offer expires at 2026-03-09 17:00 EDT (America/New_York)." in str(
        event["DESCRIPTION"]
    )


def test_court_case_feed_has_no_offer_expiry(world: World) -> None:
    d = offer_expiry(world)
    m = deadline(world)
    for role in COURT:
        uids = uids_for(world.user(role), world.case)
        assert uids == {f"deadline-{m.pk}@parley"}, role
    assert f"deadline-{d.pk}@parley" in uids_for(world.user(Role.DEFENSE_COUNSEL), world.case)


@pytest.mark.parametrize("role", ROLES)
def test_user_feed_holds_the_cases_the_user_sees(world: World, role: Role) -> None:
    own = hearing(world)
    other = hearing(world, case=world.other_case, room="Courtroom 5")
    foreign = foreign_hearing(world, at(2026, 3, 17, 9, 30, zone=ZoneInfo("America/Chicago")))
    uids = uids_for(world.user(role))
    expected = {f"hearing-{own.pk}@parley"}
    if role in COURT:  # the court's group sees every case of the court
        expected.add(f"hearing-{other.pk}@parley")
    assert uids == expected
    assert f"hearing-{foreign.pk}@parley" not in uids


def test_case_feed_holds_only_that_case(world: World) -> None:
    own = hearing(world)
    hearing(world, case=world.other_case, room="Courtroom 5")
    calendar = parsed(issue(world.user(Role.JUDGE), world.case))
    assert set(events(calendar)) == {f"hearing-{own.pk}@parley"}
    assert str(calendar["X-WR-CALNAME"]) == "1:26-cr-00001 United States v. Doe · Parley"


def test_removed_participant_loses_the_dates(world: World) -> None:
    h = hearing(world)
    defense = world.user(Role.DEFENSE_COUNSEL)
    user_token = issue(defense)
    case_token = issue(defense, world.case)
    assert f"hearing-{h.pk}@parley" in events(parsed(user_token))

    participation = CaseParticipant.objects.get(case=world.case, user=defense)
    party_services.participant_end(participant=participation, by=world.user(Role.COURT_STAFF))

    assert events(parsed(user_token)) == {}
    assert fetch(case_token).status_code == 404


def test_inactive_owner_feed_is_gone(world: World) -> None:
    hearing(world)
    defense = world.user(Role.DEFENSE_COUNSEL)
    token = issue(defense)
    case_token = issue(defense, world.case)
    User.objects.filter(pk=defense.pk).update(is_active=False)
    assert fetch(token).status_code == 404
    assert fetch(case_token).status_code == 404


# --- tokens --------------------------------------------------------------------------------------


def test_only_the_hash_of_the_token_is_stored(world: World) -> None:
    token = issue(world.user(Role.PROSECUTOR))
    feed = CalendarFeed.objects.get(user=world.user(Role.PROSECUTOR))
    assert len(token) == 43
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(list(CalendarFeed.objects.values()))


def test_rotation_kills_the_old_token(world: World) -> None:
    user = world.user(Role.PROSECUTOR)
    old = issue(user)
    new = issue(user)
    assert new != old
    assert fetch(old).status_code == 404
    assert fetch(new).status_code == 200
    feed = CalendarFeed.objects.get(user=user)
    assert feed.rotated_at == NOW
    assert CalendarFeed.objects.filter(user=user).count() == 1


def test_unknown_token_is_404(world: World) -> None:
    assert fetch("A" * 43).status_code == 404


def test_revoked_feed_is_404(world: World) -> None:
    user = world.user(Role.PROSECUTOR)
    token = issue(user)
    feeds.feed_revoke(feed=CalendarFeed.objects.get(user=user), by=user)
    assert fetch(token).status_code == 404
    assert not CalendarFeed.objects.filter(user=user).exists()


def test_case_feed_of_a_case_the_user_does_not_see_cannot_be_issued(world: World) -> None:
    from django.http import Http404

    with pytest.raises(Http404):
        issue(world.user(Role.DEFENSE_COUNSEL), world.other_case)
    assert not CalendarFeed.objects.exists()


# --- the HTTP answer -----------------------------------------------------------------------------


def test_feed_answer_headers(world: World) -> None:
    hearing(world)
    response = fetch(issue(world.user(Role.PROSECUTOR)))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, no-cache"
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["ETag"] == '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
    assert response["Content-Disposition"] == 'inline; filename="parley.ics"'


def test_same_data_same_etag_and_304(world: World) -> None:
    hearing(world)
    token = issue(world.user(Role.PROSECUTOR))
    first = fetch(token)
    second = fetch(token)
    assert first.content == second.content
    assert first["ETag"] == second["ETag"]
    not_modified = fetch(token, HTTP_IF_NONE_MATCH=first["ETag"])
    assert not_modified.status_code == 304
    assert not_modified.content == b""


def test_changed_hearing_changes_the_etag(world: World, time_machine: Any) -> None:
    h = hearing(world)
    token = issue(world.user(Role.PROSECUTOR))
    etag = fetch(token)["ETag"]
    time_machine.move_to(NOW + dt.timedelta(minutes=5), tick=False)
    deadline_services.hearing_cancel(
        hearing=h, by=world.user(Role.COURT_STAFF), reason="The case is to be resolved by plea."
    )
    assert fetch(token, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_feed_is_get_only(world: World) -> None:
    token = issue(world.user(Role.PROSECUTOR))
    response = Client().post(reverse("deadlines:feed-ics", args=[token]))
    assert response.status_code == 405


def test_last_used_is_recorded_at_most_once_a_minute(world: World, time_machine: Any) -> None:
    user = world.user(Role.PROSECUTOR)
    token = issue(user)
    assert CalendarFeed.objects.get(user=user).last_used_at is None
    fetch(token)
    assert CalendarFeed.objects.get(user=user).last_used_at == NOW
    time_machine.move_to(NOW + dt.timedelta(seconds=59), tick=False)
    fetch(token)
    assert CalendarFeed.objects.get(user=user).last_used_at == NOW
    time_machine.move_to(NOW + dt.timedelta(seconds=61), tick=False)
    fetch(token)
    assert CalendarFeed.objects.get(user=user).last_used_at == NOW + dt.timedelta(seconds=61)


def test_feed_rendering_query_count_does_not_grow(
    world: World, django_assert_num_queries: Any
) -> None:
    defense = world.user(Role.DEFENSE_COUNSEL)
    token = issue(defense, world.case)
    offer_expiry(world)
    hearing(world)
    deadline(world)
    fetch(token)  # records last_used_at: later fetches within the minute do not write
    # The token, the case still seen, hearings after and before now, whether the owner is in a
    # group, deadlines before and after now.
    with django_assert_num_queries(7):
        assert fetch(token).status_code == 200
    for day in range(1, 8):
        hearing(world, starts_at=at(2026, 4, day, 9), room=f"Courtroom {day}")
        deadline(world, due=dt.date(2026, 4, day), title=f"Motion {day}")
    with django_assert_num_queries(7):
        response = fetch(token)
    assert len(events(icalendar.Calendar.from_ical(response.content))) == 17


def test_user_feed_query_count_does_not_grow(world: World, django_assert_num_queries: Any) -> None:
    token = issue(world.user(Role.COURT_STAFF))
    hearing(world)
    deadline(world)
    fetch(token)
    with django_assert_num_queries(6):
        fetch(token)
    hearing(world, case=world.other_case, room="Courtroom 5")
    for day in range(1, 6):
        deadline(world, case=world.other_case, due=dt.date(2026, 4, day), title=f"Motion {day}")
    with django_assert_num_queries(6):
        response = fetch(token)
    assert len(events(icalendar.Calendar.from_ical(response.content))) == 8


def test_court_feed_statements_and_size_stop_growing_at_the_limits(
    world: World, django_assert_num_queries: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the limits, more hearings and deadlines in the court (further from now, in more
    courtrooms) change neither the statements a fetch runs nor a byte of the document."""
    monkeypatch.setattr(feeds, "UPCOMING_LIMIT", 2)
    monkeypatch.setattr(feeds, "PAST_LIMIT", 1)
    token = issue(world.user(Role.COURT_STAFF))
    for day in (3, 4):
        hearing(world, starts_at=at(2026, 3, day, 10), room=f"Room {day}")
        deadline(world, due=dt.date(2026, 3, day), title=f"Motion {day}")
    hearing(world, case=world.other_case, starts_at=at(2026, 2, 27, 10))
    deadline(world, case=world.other_case, due=dt.date(2026, 2, 27))
    fetch(token)
    with django_assert_num_queries(6):
        first = fetch(token).content
    assert len(events(icalendar.Calendar.from_ical(first))) == 6
    for day in range(5, 25):
        hearing(world, starts_at=at(2026, 3, day, 10), room=f"Room {day}")
        deadline(world, due=dt.date(2026, 3, day), title=f"Motion {day}")
    for day in range(2, 20):
        hearing(world, case=world.other_case, starts_at=at(2026, 2, day, 10), room=f"Old {day}")
        deadline(world, case=world.other_case, due=dt.date(2026, 2, day))
    with django_assert_num_queries(6):
        again = fetch(token).content
    assert again == first


# --- the page ------------------------------------------------------------------------------------


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def token_in(response: Any) -> str:
    """The token of the address the page shows once."""
    text = response.content.decode()
    prefix = "http://testserver/calendar/"
    start = text.index(prefix) + len(prefix)
    return text[start : text.index(".ics", start)]


def test_page_needs_sign_in(world: World) -> None:
    for name, args in (
        ("deadlines:feeds", []),
        ("deadlines:feed-create", []),
        ("deadlines:feed-rotate", [1]),
        ("deadlines:feed-revoke", [1]),
    ):
        client = Client()
        url = reverse(name, args=args)
        response = client.get(url) if name == "deadlines:feeds" else client.post(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("login")), name


@pytest.mark.parametrize("role", ROLES)
def test_page_lists_only_own_feeds(world: World, role: Role) -> None:
    user = world.user(role)
    issue(user)
    issue(user, world.case)
    issue(world.strangers[Role.PROSECUTOR])
    response = client_for(user).get(reverse("deadlines:feeds"))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(r["feed"].case_id, r["case_visible"]) for r in rows] == [
        (None, True),
        (world.case.pk, True),
    ]
    text = response.content.decode()
    assert "All my court dates" in text
    assert "1:26-cr-00001" in text
    # Every feed exists already, so there is nothing left to create.
    assert response.context["may_create"] is False


@pytest.mark.parametrize("role", ROLES)
def test_page_offers_all_dates_and_own_cases(world: World, role: Role) -> None:
    """The cases offered are those the person takes part in; the clerk of world.case is not a
    participant (they reach a case's feed from the case, with ?case=)."""
    response = client_for(world.user(role)).get(reverse("deadlines:feeds"))
    assert response.status_code == 200
    expected: list[tuple[Any, str]] = [("", "All my court dates")]
    if role != Role.COURT_STAFF:
        expected.append((world.case.pk, "1:26-cr-00001 United States v. Doe"))
    assert response.context["form"].fields["case"].widget.choices == expected
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()
    assert '<label for="id_case">Dates of' in response.content.decode()


def _open_cases(world: World, count: int) -> list[Case]:
    """`count` more cases of the world's court opened by its prosecutor (who takes part)."""
    from cases import services as case_services

    return [
        case_services.case_open(
            court=world.court,
            docket_number=f"1:26-cr-{100 + n:05d}",
            caption=f"United States v. Number {n}",
            by=world.user(Role.PROSECUTOR),
            opened_on=dt.date(2026, 1, 5),
        )
        for n in range(count)
    ]


def test_page_offers_only_the_first_cases_by_docket_number(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a picker of 3, a prosecutor in 6 cases is offered the first 3 by docket number
    and told that a search finds the others."""
    from deadlines import feed_views

    monkeypatch.setattr(feed_views, "PICKER_SIZE", 3)
    extra = _open_cases(world, 5)
    response = client_for(world.user(Role.PROSECUTOR)).get(reverse("deadlines:feeds"))
    assert [pk for pk, _label in response.context["form"].fields["case"].widget.choices] == [
        "",
        world.case.pk,
        extra[0].pk,
        extra[1].pk,
    ]
    assert "Only the first 3 cases are listed" in response.content.decode()


def test_page_search_finds_a_case_beyond_the_list(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from deadlines import feed_views

    monkeypatch.setattr(feed_views, "PICKER_SIZE", 3)
    extra = _open_cases(world, 5)
    client = client_for(world.user(Role.PROSECUTOR))
    by_caption = client.get(reverse("deadlines:feeds"), {"q": "number 4"})
    by_docket = client.get(reverse("deadlines:feeds"), {"q": "1:26-cr-00104"})
    for response in (by_caption, by_docket):
        assert response.context["form"].fields["case"].widget.choices == [
            ("", "All my court dates"),
            (extra[4].pk, "1:26-cr-00104 United States v. Number 4"),
        ]
        assert "Only the first" not in response.content.decode()


@pytest.mark.parametrize("role", [Role.COURT_STAFF, Role.DEFENSE_COUNSEL])
def test_page_search_offers_no_case_the_person_does_not_take_part_in(
    world: World, role: Role
) -> None:
    """The clerk sees world.other_case, defense counsel does not: neither takes part in it,
    so a search never offers it (the clerk reaches it from the case page)."""
    response = client_for(world.user(role)).get(reverse("deadlines:feeds"), {"q": "Roe"})
    assert response.context["form"].fields["case"].widget.choices == [("", "All my court dates")]


@pytest.mark.parametrize("role", ROLES)
def test_create_all_dates_feed(world: World, role: Role) -> None:
    user = world.user(role)
    response = client_for(user).post(reverse("deadlines:feed-create"), {"case": ""})
    assert response.status_code == 201
    assert "no-store" in response["Cache-Control"]
    token = token_in(response)
    assert f'href="webcal://testserver/calendar/{token}.ics"' in response.content.decode()
    feed = CalendarFeed.objects.get(user=user)
    assert feed.case_id is None
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert fetch(token).status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_create_case_feed_for_own_case(world: World, role: Role) -> None:
    user = world.user(role)
    response = client_for(user).post(reverse("deadlines:feed-create"), {"case": world.case.pk})
    assert response.status_code == 201
    token = token_in(response)
    assert CalendarFeed.objects.get(user=user).case_id == world.case.pk
    assert fetch(token).status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_create_case_feed_for_a_case_of_the_court(world: World, role: Role) -> None:
    """world.other_case is in the same court: its judges and clerks see it, the parties not."""
    user = world.user(role)
    response = client_for(user).post(
        reverse("deadlines:feed-create"), {"case": world.other_case.pk}
    )
    if role in COURT:
        assert response.status_code == 201
        assert CalendarFeed.objects.get(user=user).case_id == world.other_case.pk
    else:
        assert response.status_code == 404
        assert not CalendarFeed.objects.filter(user=user).exists()


@pytest.mark.parametrize("role", ROLES)
def test_stranger_cannot_create_a_case_feed(world: World, role: Role) -> None:
    stranger = world.strangers[role]
    client = client_for(stranger)
    response = client.post(reverse("deadlines:feed-create"), {"case": world.case.pk})
    assert response.status_code == 404
    assert client.get(reverse("deadlines:feeds"), {"case": world.case.pk}).status_code == 404
    assert not CalendarFeed.objects.filter(user=stranger).exists()


@pytest.mark.parametrize("role", ROLES)
def test_page_from_a_case_preselects_it(world: World, role: Role) -> None:
    response = client_for(world.user(role)).get(reverse("deadlines:feeds"), {"case": world.case.pk})
    assert response.status_code == 200
    assert response.context["form"]["case"].value() == world.case.pk


def test_page_from_a_court_case_offers_it(world: World) -> None:
    response = client_for(world.user(Role.COURT_STAFF)).get(
        reverse("deadlines:feeds"), {"case": world.other_case.pk}
    )
    assert response.status_code == 200
    choices = response.context["form"].fields["case"].widget.choices
    assert choices[1] == (world.other_case.pk, "1:26-cr-00002 United States v. Roe")


def test_create_twice_is_refused_without_rotating(world: World) -> None:
    user = world.user(Role.PROSECUTOR)
    token = issue(user)
    response = client_for(user).post(reverse("deadlines:feed-create"), {"case": ""})
    assert response.status_code == 409
    assert "You already have this feed. Rotate it to get a new address." in (
        response.content.decode()
    )
    assert fetch(token).status_code == 200


def test_create_with_a_bad_case_is_400(world: World) -> None:
    user = world.user(Role.PROSECUTOR)
    response = client_for(user).post(reverse("deadlines:feed-create"), {"case": "x"})
    assert response.status_code == 400
    assert not CalendarFeed.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_rotate_own_feed(world: World, role: Role) -> None:
    user = world.user(role)
    old = issue(user, world.case)
    feed = CalendarFeed.objects.get(user=user)
    response = client_for(user).post(reverse("deadlines:feed-rotate", args=[feed.pk]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    new = token_in(response)
    assert fetch(old).status_code == 404
    assert fetch(new).status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_revoke_own_feed(world: World, role: Role) -> None:
    user = world.user(role)
    token = issue(user)
    feed = CalendarFeed.objects.get(user=user)
    response = client_for(user).post(reverse("deadlines:feed-revoke", args=[feed.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("deadlines:feeds")
    assert fetch(token).status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_nobody_rotates_or_revokes_another_persons_feed(world: World, role: Role) -> None:
    owner = world.strangers[Role.PROSECUTOR]
    token = issue(owner)
    feed = CalendarFeed.objects.get(user=owner)
    client = client_for(world.user(role))
    assert client.post(reverse("deadlines:feed-rotate", args=[feed.pk])).status_code == 404
    assert client.post(reverse("deadlines:feed-revoke", args=[feed.pk])).status_code == 404
    assert fetch(token).status_code == 200


def test_page_actions_are_post_only(world: World) -> None:
    user = world.user(Role.PROSECUTOR)
    issue(user)
    feed = CalendarFeed.objects.get(user=user)
    client = client_for(user)
    assert client.get(reverse("deadlines:feed-create")).status_code == 405
    assert client.get(reverse("deadlines:feed-rotate", args=[feed.pk])).status_code == 405
    assert client.get(reverse("deadlines:feed-revoke", args=[feed.pk])).status_code == 405
    assert client.post(reverse("deadlines:feeds")).status_code == 405


def test_page_marks_a_feed_of_a_case_no_longer_seen(world: World) -> None:
    defense = world.user(Role.DEFENSE_COUNSEL)
    issue(defense, world.case)
    participation = CaseParticipant.objects.get(case=world.case, user=defense)
    party_services.participant_end(participant=participation, by=world.user(Role.COURT_STAFF))
    client = client_for(defense)
    response = client.get(reverse("deadlines:feeds"))
    assert [r["case_visible"] for r in response.context["rows"]] == [False]
    assert "No longer yours" in response.content.decode()
    feed = CalendarFeed.objects.get(user=defense)
    # It can be revoked, not rotated.
    assert client.post(reverse("deadlines:feed-rotate", args=[feed.pk])).status_code == 404
    assert client.post(reverse("deadlines:feed-revoke", args=[feed.pk])).status_code == 302


def test_page_shows_times_in_utc(world: World) -> None:
    user = world.user(Role.PROSECUTOR)
    issue(user)
    response = client_for(user).get(reverse("deadlines:feeds"))
    assert "2026-03-02 14:00 UTC" in response.content.decode()


def test_new_address_is_not_kept_anywhere(world: World) -> None:
    user = world.user(Role.PROSECUTOR)
    client = client_for(user)
    response = client.post(reverse("deadlines:feed-create"), {"case": ""})
    token = token_in(response)
    assert token not in str(response.cookies)
    again = client.get(reverse("deadlines:feeds"))
    assert token not in again.content.decode()


def test_page_query_count_does_not_grow_with_feeds(world: World) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    judge = world.user(Role.JUDGE)
    client = client_for(judge)
    issue(judge, world.case)
    client.get(reverse("deadlines:feeds"))  # warm the session
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("deadlines:feeds")).status_code == 200
    issue(judge)
    issue(judge, world.other_case)
    with CaptureQueriesContext(connection) as three:
        response = client.get(reverse("deadlines:feeds"))
    assert len(response.context["rows"]) == 3
    # session, user, feeds, which of their cases are still seen, cases offered; the header's
    # profile, organization and unread badge.
    assert len(three) == len(one) == 8


def test_feeds_of_lists_the_all_dates_feed_first(world: World) -> None:
    judge = world.user(Role.JUDGE)
    issue(judge, world.other_case)
    issue(judge, world.case)
    issue(judge)
    assert [f.case_id for f in feeds.feeds_of(judge)] == [None, world.case.pk, world.other_case.pk]
