"""Alerts before court dates: lead times, recipients per role, replanning, one-off notices,
claiming and delivery, e-mail, the daily digest and the inbox. Frozen time throughout."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail.backends.base import BaseEmailBackend
from django.http import Http404
from django.urls import reverse

from cases import party_services
from deadlines import alerts
from deadlines import notifications as inbox_of
from deadlines.models import (
    DEFAULT_LEAD_MINUTES,
    Alert,
    AlertChannel,
    AlertPreference,
    AlertStatus,
    AlertSubject,
    Courtroom,
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    DigestSent,
    Hearing,
    HearingKind,
    HearingStatus,
    Notification,
)
from negotiations.models import Offer
from parties.models import CaseParticipant, Role, Side, UserProfile
from tests.conftest import World, make_user
from tests.negotiation_helpers import sent_offer

# Tuesday 24 November 2026, 10:00 in New York (the world's court), 15:00 UTC.
NOW = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)
DAY = 24 * 60
ALL_PARTICIPANTS = [Role.PROSECUTOR, Role.DEFENSE_COUNSEL, Role.DUTY_LAWYER, Role.DEFENDANT]


class BrokenMailServer(BaseEmailBackend):
    def send_messages(self, email_messages: Any) -> int:
        raise ConnectionRefusedError("mail server down")


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def room(world: World) -> Courtroom:
    return Courtroom.objects.create(court=world.court, name="Courtroom 4B")


def hearing_at(
    world: World, room: Courtroom, starts_at: dt.datetime, kind: str = HearingKind.TRIAL
) -> Hearing:
    return Hearing.objects.create(
        case=world.case,
        kind=kind,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=2),
        courtroom=room,
        judge=world.user(Role.JUDGE),
        created_by=world.user(Role.COURT_STAFF),
    )


def deadline_on(
    world: World,
    due_date: dt.date,
    kind: str = DeadlineKind.MOTION_DUE,
    responsible_side: str = "",
    title: str = "Pretrial motions due",
) -> Deadline:
    return Deadline.objects.create(
        case=world.case,
        kind=kind,
        title=title,
        due_date=due_date,
        responsible_side=responsible_side,
        created_by=world.user(Role.COURT_STAFF),
    )


def expiry_deadline(world: World) -> tuple[Offer, Deadline]:
    offer = sent_offer(world)
    assert offer.expires_at is not None
    deadline = Deadline.objects.filter(offer=offer).first()
    if deadline is None:  # before the negotiation hook creates it
        deadline = Deadline.objects.create(
            case=world.case,
            kind=DeadlineKind.OFFER_EXPIRY,
            title="Offer expires",
            due_date=offer.expires_at.date(),
            due_at=offer.expires_at,
            offer=offer,
            responsible_side=Side.DEFENSE,
        )
    return offer, deadline


def keys(qs: Any) -> set[tuple[str, int, str]]:
    return {
        (a.recipient.username, a.lead_minutes, a.channel) for a in qs.select_related("recipient")
    }


def everyone_on_the_case(world: World) -> list[User]:
    return [world.user(r) for r in [*ALL_PARTICIPANTS, Role.JUDGE]]


def expected(users: list[User], leads: tuple[int, ...] = DEFAULT_LEAD_MINUTES) -> set[Any]:
    return {
        (u.username, lead, channel)
        for u in users
        for lead in leads
        for channel in (AlertChannel.IN_APP, AlertChannel.EMAIL)
    }


# --- lead times -----------------------------------------------------------------------------


def test_every_participant_gets_the_default_lead_times_on_both_channels(
    world: World, room: Courtroom, clock: Any
) -> None:
    starts = NOW + dt.timedelta(days=10)
    hearing = hearing_at(world, room, starts)

    result = alerts.plan_for_hearing(hearing)

    planned = Alert.objects.filter(hearing=hearing)
    assert result.created == 5 * 4 * 2
    assert keys(planned) == expected(everyone_on_the_case(world))
    for alert in planned:
        assert alert.subject == AlertSubject.REMINDER
        assert alert.status == AlertStatus.PENDING
        assert alert.target_at == starts
        assert alert.send_at == starts - dt.timedelta(minutes=alert.lead_minutes)
        assert alert.case_id == world.case.pk


def test_a_date_20_hours_ahead_gets_only_its_two_hour_reminder(
    world: World, room: Courtroom, clock: Any
) -> None:
    hearing = hearing_at(world, room, NOW + dt.timedelta(hours=20))
    alerts.plan_for_hearing(hearing)
    assert set(Alert.objects.filter(hearing=hearing).values_list("lead_minutes", flat=True)) == {
        120
    }


def test_a_hearing_two_hours_ahead_gets_what_fits_and_one_sooner_gets_nothing(
    world: World, room: Courtroom, clock: Any
) -> None:
    exactly = hearing_at(world, room, NOW + dt.timedelta(hours=2))
    sooner = hearing_at(world, room, NOW + dt.timedelta(hours=1, minutes=59) - dt.timedelta(days=1))
    alerts.plan_for_hearing(exactly)
    alerts.plan_for_hearing(sooner)
    due_now = Alert.objects.filter(hearing=exactly)
    assert due_now.count() == 10
    assert {a.send_at for a in due_now} == {NOW}
    assert not Alert.objects.filter(hearing=sooner).exists()


def test_a_deadline_is_reminded_before_the_end_of_its_last_day_in_the_court_zone(
    world: World, clock: Any
) -> None:
    deadline = deadline_on(world, dt.date(2026, 12, 1))
    alerts.plan_for_deadline(deadline)
    # Midnight at the end of 1 December in New York (EST, UTC-5).
    end = dt.datetime(2026, 12, 2, 5, 0, tzinfo=dt.UTC)
    two_days = Alert.objects.get(
        deadline=deadline,
        recipient=world.user(Role.DEFENSE_COUNSEL),
        lead_minutes=2 * DAY,
        channel=AlertChannel.EMAIL,
    )
    assert two_days.target_at == end
    assert two_days.send_at == end - dt.timedelta(days=2)


def test_preferences_per_kind_set_lead_times_and_channels(
    world: World, room: Courtroom, clock: Any
) -> None:
    defense = world.user(Role.DEFENSE_COUNSEL)
    trial = hearing_at(world, room, NOW + dt.timedelta(days=10))
    conference = hearing_at(
        world, room, NOW + dt.timedelta(days=12), kind=HearingKind.STATUS_CONFERENCE
    )
    alerts.plan_for_hearing(trial)
    alerts.plan_for_hearing(conference)

    alerts.alert_preference_set(
        user=defense, kind=HearingKind.TRIAL, lead_minutes=[3 * DAY, 30], in_app=True, email=False
    )

    mine = Alert.objects.filter(recipient=defense, hearing=trial)
    assert keys(mine.filter(status=AlertStatus.PENDING)) == {
        ("defense", 3 * DAY, AlertChannel.IN_APP),
        ("defense", 30, AlertChannel.IN_APP),
    }
    assert mine.filter(status=AlertStatus.CANCELLED).count() == 8
    # Other kinds keep the defaults; other people are untouched.
    assert keys(
        Alert.objects.filter(recipient=defense, hearing=conference, status=AlertStatus.PENDING)
    ) == expected([defense])
    assert keys(
        Alert.objects.filter(hearing=trial, status=AlertStatus.PENDING).exclude(recipient=defense)
    ) == expected([u for u in everyone_on_the_case(world) if u != defense])

    # Back to what it was: the cancelled reminders come back rather than new rows.
    alerts.alert_preference_set(
        user=defense,
        kind=HearingKind.TRIAL,
        lead_minutes=list(DEFAULT_LEAD_MINUTES),
        in_app=True,
        email=True,
    )
    assert keys(mine.filter(status=AlertStatus.PENDING)) == expected([defense])
    assert mine.filter(status=AlertStatus.CANCELLED).count() == 2


def test_a_person_without_an_email_address_gets_no_email_alerts(
    world: World, room: Courtroom, clock: Any
) -> None:
    defendant = world.user(Role.DEFENDANT)
    User.objects.filter(pk=defendant.pk).update(email="")
    hearing = hearing_at(world, room, NOW + dt.timedelta(days=10))
    alerts.plan_for_hearing(hearing)
    assert keys(Alert.objects.filter(hearing=hearing, recipient=defendant)) == {
        ("defendant", lead, AlertChannel.IN_APP) for lead in DEFAULT_LEAD_MINUTES
    }


# --- recipients per role --------------------------------------------------------------------


def test_the_defendant_login_gets_hearing_alerts_and_strangers_never(
    world: World, room: Courtroom, clock: Any
) -> None:
    hearing = hearing_at(world, room, NOW + dt.timedelta(days=3))
    alerts.plan_for_hearing(hearing)
    recipients = set(
        Alert.objects.filter(hearing=hearing).values_list("recipient__username", flat=True)
    )
    assert recipients == {"prosecutor", "defense", "duty", "defendant", "judge"}
    # The clerk keeps the court's calendar but is not a participant of the case.
    assert not Alert.objects.filter(
        recipient__in=[world.user(Role.COURT_STAFF), *world.strangers.values()]
    ).exists()


def test_negotiation_deadlines_go_to_offer_readers_only(world: World, clock: Any) -> None:
    _, deadline = expiry_deadline(world)
    alerts.plan_for_deadline(deadline)
    recipients = set(
        Alert.objects.filter(deadline=deadline).values_list("recipient__username", flat=True)
    )
    # Under the US profile the court does not see offers.
    assert recipients == {"prosecutor", "defense", "duty", "defendant"}


def test_a_motion_deadline_goes_to_everyone_on_the_case(world: World, clock: Any) -> None:
    deadline = deadline_on(world, dt.date(2026, 12, 10))
    alerts.plan_for_deadline(deadline)
    assert keys(Alert.objects.filter(deadline=deadline)) == expected(everyone_on_the_case(world))


# --- replanning -----------------------------------------------------------------------------


def test_planning_twice_changes_nothing(world: World, room: Courtroom, clock: Any) -> None:
    hearing = hearing_at(world, room, NOW + dt.timedelta(days=10))
    alerts.plan_for_hearing(hearing)
    before = sorted(Alert.objects.values_list("id", "status"))
    again = alerts.plan_for_hearing(hearing)
    assert (again.created, again.cancelled, again.revived) == (0, 0, 0)
    assert sorted(Alert.objects.values_list("id", "status")) == before


def test_a_rescheduled_hearing_cancels_its_pending_reminders_and_plans_new_ones(
    world: World, room: Courtroom, clock: Any
) -> None:
    old_start = NOW + dt.timedelta(days=10)
    hearing = hearing_at(world, room, old_start)
    alerts.plan_for_hearing(hearing)
    sent = Alert.objects.filter(hearing=hearing, lead_minutes=7 * DAY)
    sent_ids = set(sent.values_list("id", flat=True))
    sent.update(status=AlertStatus.SENT, sent_at=NOW)

    new_start = NOW + dt.timedelta(days=20)
    Hearing.objects.filter(pk=hearing.pk).update(
        starts_at=new_start, ends_at=new_start + dt.timedelta(hours=2)
    )
    hearing.refresh_from_db()
    result = alerts.plan_for_hearing(hearing)

    old = Alert.objects.filter(hearing=hearing, target_at=old_start)
    assert result.cancelled == 5 * 3 * 2
    assert set(old.filter(status=AlertStatus.SENT).values_list("id", flat=True)) == sent_ids
    assert old.filter(status=AlertStatus.CANCELLED).count() == 30
    assert not old.filter(status=AlertStatus.PENDING).exists()
    new = Alert.objects.filter(hearing=hearing, target_at=new_start, status=AlertStatus.PENDING)
    assert keys(new) == expected(everyone_on_the_case(world))


@pytest.mark.parametrize("status", [HearingStatus.CANCELLED, HearingStatus.HELD])
def test_a_hearing_no_longer_ahead_keeps_no_pending_reminders(
    world: World, room: Courtroom, clock: Any, status: str
) -> None:
    hearing = hearing_at(world, room, NOW + dt.timedelta(days=10))
    alerts.plan_for_hearing(hearing)
    Hearing.objects.filter(pk=hearing.pk).update(status=status)
    hearing.refresh_from_db()
    alerts.plan_for_hearing(hearing)
    assert set(Alert.objects.filter(hearing=hearing).values_list("status", flat=True)) == {
        AlertStatus.CANCELLED
    }


def test_a_met_deadline_keeps_no_pending_reminders(world: World, clock: Any) -> None:
    deadline = deadline_on(world, dt.date(2026, 12, 10))
    alerts.plan_for_deadline(deadline)
    Deadline.objects.filter(pk=deadline.pk).update(status=DeadlineStatus.MET, closed_at=NOW)
    deadline.refresh_from_db()
    alerts.plan_for_deadline(deadline)
    assert not Alert.objects.filter(deadline=deadline, status=AlertStatus.PENDING).exists()


def test_ending_a_participation_cancels_that_persons_reminders_and_adding_plans_them(
    world: World, room: Courtroom, clock: Any
) -> None:
    hearing = hearing_at(world, room, NOW + dt.timedelta(days=10))
    alerts.plan_for_hearing(hearing)
    duty = world.user(Role.DUTY_LAWYER)
    participation = CaseParticipant.objects.get(case=world.case, user=duty, end_date=None)

    party_services.participant_end(participant=participation, by=world.user(Role.COURT_STAFF))

    assert set(Alert.objects.filter(recipient=duty).values_list("status", flat=True)) == {
        AlertStatus.CANCELLED
    }
    assert Alert.objects.filter(status=AlertStatus.PENDING).count() == 4 * 4 * 2

    newcomer = make_user("new_defense", Role.DEFENSE_COUNSEL, world.orgs["pd"])
    party_services.participant_add(
        case=world.case,
        by=world.user(Role.COURT_STAFF),
        role=Role.DEFENSE_COUNSEL,
        user=newcomer,
    )
    assert keys(Alert.objects.filter(recipient=newcomer, status=AlertStatus.PENDING)) == (
        expected([newcomer])
    )


# --- one-off notices ------------------------------------------------------------------------


def test_a_changed_hearing_is_announced_once_per_change(
    world: World, room: Courtroom, clock: Any
) -> None:
    # Keyed by the moment the change was saved: announcing one change twice sends it once,
    # and every later change (even back to an earlier time) is announced again.
    hearing = hearing_at(world, room, NOW + dt.timedelta(days=10))
    hearing.status = HearingStatus.CONTINUED
    hearing.save()
    assert alerts.notify_hearing_changed(hearing) == 10
    assert alerts.notify_hearing_changed(hearing) == 0

    clock.shift(dt.timedelta(minutes=5))
    later = NOW + dt.timedelta(days=15)
    hearing.starts_at, hearing.ends_at = later, later + dt.timedelta(hours=1)
    hearing.save()
    assert alerts.notify_hearing_changed(hearing) == 10

    clock.shift(dt.timedelta(minutes=5))
    hearing.status = HearingStatus.CANCELLED
    hearing.save()
    assert alerts.notify_hearing_changed(hearing) == 10

    notices = Alert.objects.filter(subject=AlertSubject.HEARING_CHANGED)
    assert notices.count() == 30
    assert set(notices.values_list("lead_minutes", flat=True)) == {0}
    alerts.sweep()
    titles = sorted(n.title for n in shown(world.user(Role.DEFENDANT)))
    # Rendered when read: by then the hearing is cancelled.
    assert (
        titles
        == [
            "Trial in United States v. Doe (1:26-cr-00001) cancelled "
            "(was Wed 9 Dec 2026, 10:00 EST, Courtroom 4B)"
        ]
        * 3
    )


def test_an_expired_offer_is_announced_to_both_sides_once(world: World, clock: Any) -> None:
    offer, deadline = expiry_deadline(world)
    first = alerts.notify_offer_expired(offer)
    second = alerts.notify_offer_expired(offer)
    assert (first, second) == (8, 0)
    alerts.sweep()
    alerts.sweep()
    notified = sorted(
        Notification.objects.filter(subject=AlertSubject.OFFER_EXPIRED).values_list(
            "recipient__username", flat=True
        )
    )
    assert notified == ["defendant", "defense", "duty", "prosecutor"]
    expired = [m for m in mail.outbox if "expired" in m.subject]
    assert sorted(m.to[0] for m in expired) == [
        "defendant@example.org",
        "defense@example.org",
        "duty@example.org",
        "prosecutor@example.org",
    ]
    assert Alert.objects.filter(subject=AlertSubject.OFFER_EXPIRED, deadline=deadline).count() == 8


def shown(user: User) -> list[inbox_of.Shown]:
    """What `user` reads in their inbox now, newest first."""
    rows = list(inbox_of.notifications_for(user))
    return [item.shown for item in inbox_of.notifications_shown(user, rows)]


@pytest.fixture
def supervisors(world: World) -> dict[str, User]:
    found = {}
    for key in ("da", "pd", "aid", "court"):
        user = make_user(f"{key}_supervisor", Role.PROSECUTOR, world.orgs[key])
        UserProfile.objects.filter(user=user).update(is_supervisor=True)
        found[key] = User.objects.select_related("profile").get(pk=user.pk)
    return found


def test_a_missed_deadline_escalates_to_the_responsible_lead_and_their_supervisor(
    world: World, clock: Any, supervisors: dict[str, User]
) -> None:
    deadline = deadline_on(world, dt.date(2026, 11, 20), responsible_side=Side.DEFENSE)
    defense = world.user(Role.DEFENSE_COUNSEL)
    # Escalations ignore the channel preferences.
    alerts.alert_preference_set(
        user=defense, kind=DeadlineKind.MOTION_DUE, lead_minutes=[60], in_app=True, email=False
    )
    assert alerts.escalate_missed(deadline) == 4
    assert alerts.escalate_missed(deadline) == 0
    assert keys(Alert.objects.filter(subject=AlertSubject.ESCALATION)) == {
        ("defense", 0, AlertChannel.IN_APP),
        ("defense", 0, AlertChannel.EMAIL),
        ("pd_supervisor", 0, AlertChannel.IN_APP),
        ("pd_supervisor", 0, AlertChannel.EMAIL),
    }
    alerts.sweep()
    (lead_notice,) = shown(defense)
    assert lead_notice.title == (
        "Missed deadline in United States v. Doe (1:26-cr-00001): Pretrial motions due "
        "(Fri 20 Nov 2026, end of day (EST))"
    )
    assert lead_notice.url == reverse("cases:detail", kwargs={"case_id": world.case.pk})
    # The supervisor is on no case: told who of their office missed what and when, never
    # which case (cases.permissions.hears_office_escalations).
    (notice,) = shown(supervisors["pd"])
    assert notice.title == (
        "Missed deadline of your office: Motion due, due Fri 20 Nov 2026, end of day (EST)"
    )
    assert (notice.url, notice.case) == ("", None)
    assert defense.get_full_name() in notice.body
    assert "1:26-cr-00001" not in f"{notice.body} {notice.title}"
    assert "Doe" not in f"{notice.body} {notice.title}"
    (email,) = [m for m in mail.outbox if m.to == [supervisors["pd"].email]]
    assert "1:26-cr-00001" not in f"{email.subject} {email.body}"
    assert f"/cases/{world.case.pk}/" not in email.body


def test_a_deadline_on_every_side_escalates_to_every_lead_once(
    world: World, clock: Any, supervisors: dict[str, User]
) -> None:
    deadline = deadline_on(world, dt.date(2026, 11, 20))
    # The court's supervisor is also the judge here: one alert per channel, not two.
    UserProfile.objects.filter(user=world.user(Role.JUDGE)).update(is_supervisor=True)
    alerts.escalate_missed(deadline)
    recipients = sorted(
        Alert.objects.filter(
            subject=AlertSubject.ESCALATION, channel=AlertChannel.IN_APP
        ).values_list("recipient__username", flat=True)
    )
    # The duty lawyer's office (aid) has no lead on the case; the clerk is no lead.
    assert recipients == [
        "court_supervisor",
        "da_supervisor",
        "defense",
        "judge",
        "pd_supervisor",
        "prosecutor",
    ]


# --- the sweep ------------------------------------------------------------------------------


def due_alerts(world: World, room: Courtroom, clock: Any) -> Hearing:
    """A hearing in 3 days whose 7-day reminders... are planned now and 3 days go by."""
    hearing = hearing_at(world, room, NOW + dt.timedelta(days=3))
    alerts.plan_for_hearing(hearing)
    return hearing


def test_the_sweep_delivers_due_alerts_once_and_leaves_the_rest(
    world: World, room: Courtroom, clock: Any
) -> None:
    hearing = hearing_at(world, room, NOW + dt.timedelta(days=3))
    alerts.plan_for_hearing(hearing)  # 2 days, 1 day, 2 hours: 5 people, 2 channels
    clock.move_to(NOW + dt.timedelta(days=1, minutes=1))

    first = alerts.sweep()
    second = alerts.sweep()

    assert (first.claimed, first.sent, second.claimed) == (10, 10, 0)
    assert Notification.objects.count() == 5
    assert len(mail.outbox) == 5
    assert set(
        Alert.objects.filter(status=AlertStatus.SENT).values_list("lead_minutes", flat=True)
    ) == {2 * DAY}
    assert Alert.objects.filter(status=AlertStatus.PENDING).count() == 20


def test_a_claim_whose_lease_ran_out_is_taken_over(
    world: World, room: Courtroom, clock: Any, settings: Any
) -> None:
    settings.ALERT_CLAIM_LEASE_SECONDS = 300
    hearing = hearing_at(world, room, NOW + dt.timedelta(hours=2))
    alerts.plan_for_hearing(hearing)
    # A worker claimed everything, then died.
    dead_token = uuid.uuid4()
    claimed = alerts.claim_batch(now=NOW, batch=500, token=dead_token)
    assert len(claimed) == 10

    clock.shift(dt.timedelta(seconds=299))
    fresh = alerts.sweep()
    assert fresh.claimed == 0
    assert Notification.objects.count() == 0

    clock.shift(dt.timedelta(seconds=2))
    late = alerts.sweep()
    assert (late.claimed, late.sent) == (10, 10)
    assert Notification.objects.count() == 5
    assert set(Alert.objects.values_list("attempts", flat=True)) == {2}
    assert alerts.deliver(claimed[0]) == "skipped"
    assert Notification.objects.count() == 5


def test_a_worker_whose_claim_was_taken_over_sends_nothing(
    world: World, room: Courtroom, clock: Any
) -> None:
    hearing = hearing_at(world, room, NOW + dt.timedelta(hours=2))
    alerts.plan_for_hearing(hearing)
    slow, other = uuid.uuid4(), uuid.uuid4()
    claimed = alerts.claim_batch(now=NOW, batch=500, token=slow)
    clock.shift(dt.timedelta(seconds=301))
    assert sorted(
        alerts.claim_batch(now=NOW + dt.timedelta(seconds=301), batch=500, token=other)
    ) == sorted(claimed)
    # The slow worker wakes up: its token no longer matches, it sends nothing.
    assert {alerts.deliver(alert_id, token=slow) for alert_id in claimed} == {"skipped"}
    assert Notification.objects.count() == 0
    assert {alerts.deliver(alert_id, token=other) for alert_id in claimed} == {"sent"}
    assert Notification.objects.count() == 5
    assert len(mail.outbox) == 5


def test_a_reminder_claimed_after_its_date_lapses(
    world: World, room: Courtroom, clock: Any
) -> None:
    hearing = hearing_at(world, room, NOW + dt.timedelta(days=3))
    deadline = deadline_on(world, dt.date(2026, 11, 25), responsible_side=Side.DEFENSE)
    alerts.plan_for_hearing(hearing)
    alerts.escalate_missed(deadline)  # a one-off: always sent, even late
    clock.move_to(NOW + dt.timedelta(days=4))  # the system was down for four days

    result = alerts.sweep()

    assert result.lapsed == 30
    assert result.sent == 2  # the escalation to the defense lead (no supervisor): both channels
    assert not Notification.objects.filter(subject=AlertSubject.REMINDER).exists()
    assert set(Alert.objects.filter(hearing=hearing).values_list("status", flat=True)) == {
        AlertStatus.LAPSED
    }


def test_a_reminder_of_a_date_cancelled_after_the_claim_is_not_sent(
    world: World, room: Courtroom, clock: Any
) -> None:
    hearing = hearing_at(world, room, NOW + dt.timedelta(hours=2))
    alerts.plan_for_hearing(hearing)
    ids = alerts.claim_batch(now=NOW, batch=500)
    Hearing.objects.filter(pk=hearing.pk).update(status=HearingStatus.CANCELLED)
    assert {alerts.deliver(alert_id) for alert_id in ids} == {"cancelled"}
    assert Notification.objects.count() == 0


def test_the_email_says_what_when_and_where_in_the_court_zone(
    world: World, room: Courtroom, clock: Any, settings: Any
) -> None:
    settings.ALERT_SITE_URL = "https://parley.example.org"
    starts = dt.datetime(2026, 12, 1, 14, 30, tzinfo=dt.UTC)  # 09:30 in New York
    hearing = hearing_at(world, room, starts)
    alerts.plan_for_hearing(hearing)
    clock.move_to(starts - dt.timedelta(days=2))

    alerts.sweep()

    title = (
        "Trial in United States v. Doe (1:26-cr-00001) in 2 days: "
        "Tue 1 Dec 2026, 09:30 EST, Courtroom 4B"
    )
    assert sorted(m.to[0] for m in mail.outbox) == [
        f"{name}@example.org" for name in ["defendant", "defense", "duty", "judge", "prosecutor"]
    ]
    message = next(m for m in mail.outbox if m.to == ["defense@example.org"])
    alert = Alert.objects.get(
        recipient=world.user(Role.DEFENSE_COUNSEL), channel=AlertChannel.EMAIL, status="sent"
    )
    assert message.subject == title
    assert message.extra_headers["X-Parley-Alert"] == str(alert.pk)
    assert message.extra_headers["Message-ID"] == f"<alert-{alert.pk}@alerts.parley>"
    assert message.message()["Message-ID"] == f"<alert-{alert.pk}@alerts.parley>"
    url = reverse("cases:detail", kwargs={"case_id": world.case.pk})
    assert f"https://parley.example.org{url}" in message.body
    assert "When: Tue 1 Dec 2026, 09:30 EST, Courtroom 4B" in message.body
    (note,) = shown(world.user(Role.DEFENSE_COUNSEL))
    assert (note.title, note.url) == (title, url)
    assert Notification.objects.get(recipient=world.user(Role.DEFENSE_COUNSEL)).subject == (
        AlertSubject.REMINDER
    )


def test_a_broken_mail_server_keeps_the_email_pending_with_a_backoff(
    world: World, room: Courtroom, clock: Any, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "tests.deadlines.test_alerts.BrokenMailServer"
    hearing = hearing_at(world, room, NOW + dt.timedelta(hours=2))
    alerts.plan_for_hearing(hearing)

    result = alerts.sweep()

    assert (result.sent, result.retried) == (5, 5)
    assert Notification.objects.count() == 5
    waiting = Alert.objects.filter(channel=AlertChannel.EMAIL)
    for alert in waiting:
        assert alert.status == AlertStatus.PENDING
        assert alert.send_at == NOW + dt.timedelta(minutes=1)
        assert alert.last_error == "ConnectionRefusedError: mail server down"
        assert alert.claim_token is None

    clock.shift(dt.timedelta(minutes=1))
    alerts.sweep()
    assert {a.send_at for a in waiting.all()} == {NOW + dt.timedelta(minutes=1 + 2)}
    assert {a.attempts for a in waiting.all()} == {2}

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    clock.shift(dt.timedelta(minutes=2))
    again = alerts.sweep()
    assert again.sent == 5
    assert len(mail.outbox) == 5


def test_the_retry_delay_doubles_up_to_an_hour() -> None:
    assert [alerts._retry_delay(n).total_seconds() for n in (1, 2, 3, 6, 7, 8, 20)] == [
        60,
        120,
        240,
        1920,
        3600,
        3600,
        3600,
    ]


# --- digest ---------------------------------------------------------------------------------


def test_the_daily_digest_goes_out_once_a_day_at_the_local_hour(
    world: World, room: Courtroom, clock: Any
) -> None:
    defense = world.user(Role.DEFENSE_COUNSEL)
    alerts.alert_settings_set(
        user=defense, daily_digest=True, digest_hour=7, time_zone="America/New_York"
    )
    hearing_at(world, room, dt.datetime(2026, 11, 26, 14, 30, tzinfo=dt.UTC))
    deadline_on(world, dt.date(2026, 11, 27))
    deadline_on(world, dt.date(2026, 12, 20), title="Far away")

    clock.move_to(dt.datetime(2026, 11, 25, 11, 59, tzinfo=dt.UTC))  # 06:59 in New York
    assert alerts.digests_send_due() == 0
    clock.move_to(dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC))
    assert alerts.digests_send_due() == 1
    assert alerts.digests_send_due() == 0
    alerts.sweep()
    alerts.sweep()

    assert DigestSent.objects.get(user=defense).day == dt.date(2026, 11, 25)
    (note,) = shown(defense)
    assert note.title == "Your court dates for the next 14 days (Wed 25 Nov 2026)"
    assert "Thu 26 Nov 2026, 09:30 EST: Trial — Courtroom 4B" in note.body
    assert "Pretrial motions due" in note.body
    assert "Far away" not in note.body
    assert [m.subject for m in mail.outbox] == [note.title]

    clock.move_to(dt.datetime(2026, 11, 26, 4, 59, tzinfo=dt.UTC))  # 23:59 on the 25th there
    assert alerts.digests_send_due() == 0
    clock.move_to(dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC))
    assert alerts.digests_send_due() == 1


def test_no_digest_without_opting_in(world: World, clock: Any) -> None:
    assert alerts.digests_send_due() == 0
    assert not DigestSent.objects.exists()


# --- inbox ----------------------------------------------------------------------------------


def inbox(world: World, room: Courtroom) -> None:
    hearing = hearing_at(world, room, NOW + dt.timedelta(hours=2))
    Hearing.objects.filter(pk=hearing.pk).update(status=HearingStatus.CONTINUED)
    alerts.plan_for_hearing(Hearing.objects.get(pk=hearing.pk))
    alerts.notify_hearing_changed(Hearing.objects.get(pk=hearing.pk))
    alerts.sweep()


def test_unread_count_and_marking_read(world: World, room: Courtroom, clock: Any) -> None:
    inbox(world, room)
    defense = world.user(Role.DEFENSE_COUNSEL)
    prosecutor = world.user(Role.PROSECUTOR)
    assert inbox_of.unread_count(defense) == 2
    first, _ = list(inbox_of.notifications_for(defense))

    marked = inbox_of.notification_mark_read(notification=first, by=defense)
    assert marked.read_at == NOW
    assert inbox_of.unread_count(defense) == 1
    assert inbox_of.unread_count(prosecutor) == 2
    assert inbox_of.notifications_mark_all_read(by=defense) == 1
    assert inbox_of.notifications_mark_all_read(by=defense) == 0
    assert inbox_of.unread_count(defense) == 0
    assert inbox_of.unread_count(prosecutor) == 2


def test_nobody_marks_another_persons_notification(
    world: World, room: Courtroom, clock: Any
) -> None:
    inbox(world, room)
    note = inbox_of.notifications_for(world.user(Role.DEFENSE_COUNSEL)).first()
    assert note is not None
    for user in [world.user(Role.PROSECUTOR), world.strangers[Role.DEFENSE_COUNSEL]]:
        with pytest.raises(Http404):
            inbox_of.notification_mark_read(notification=note, by=user)
        with pytest.raises(Http404):
            inbox_of.notification_get(user=user, notification_id=note.pk)
    note.refresh_from_db()
    assert note.read_at is None
    assert list(inbox_of.notifications_for(world.strangers[Role.DEFENSE_COUNSEL])) == []


def test_the_inbox_lists_in_a_fixed_number_of_queries(
    world: World, room: Courtroom, clock: Any, django_assert_num_queries: Any
) -> None:
    inbox(world, room)
    defense = world.user(Role.DEFENSE_COUNSEL)
    # The page with its alerts and their cases; the alerts' hearings (their deadlines too, if
    # any: none here); the reader's walls on its cases (visible cases, participations); the
    # hearing's last change, which the "hearing changed" alert names.
    with django_assert_num_queries(5):
        rows = list(inbox_of.notifications_for(defense))
        titles = [
            (item.shown.title, item.shown.case.docket_number if item.shown.case else "")
            for item in inbox_of.notifications_shown(defense, rows)
        ]
    assert len(titles) == 2
    assert all(docket == "1:26-cr-00001" for _, docket in titles)


# --- preferences ----------------------------------------------------------------------------


def test_preferences_list_every_kind_with_the_defaults(world: World) -> None:
    defense = world.user(Role.DEFENSE_COUNSEL)
    AlertPreference.objects.create(
        user=defense, kind=DeadlineKind.MOTION_DUE, lead_minutes=[60], in_app=False, email=True
    )
    prefs = {p.kind: p for p in alerts.preferences_of(defense)}
    assert set(prefs) == {k.value for k in HearingKind} | {k.value for k in DeadlineKind}
    assert prefs[HearingKind.TRIAL] == alerts.EffectivePreference(
        kind="trial",
        label="Trial",
        lead_minutes=DEFAULT_LEAD_MINUTES,
        in_app=True,
        email=True,
        is_default=True,
    )
    assert prefs[DeadlineKind.MOTION_DUE] == alerts.EffectivePreference(
        kind="motion_due",
        label="Motion due",
        lead_minutes=(60,),
        in_app=False,
        email=True,
        is_default=False,
    )


@pytest.mark.parametrize(
    ("kind", "leads", "field", "message"),
    [
        ("trial", [], "lead_minutes", "Give between 1 and 8 lead times."),
        ("trial", list(range(1, 10)), "lead_minutes", "Give at most 8 lead times."),
        ("trial", [0], "lead_minutes", "Each lead time is between 1 minute and 60 days (86400)."),
        (
            "trial",
            [86401],
            "lead_minutes",
            "Each lead time is between 1 minute and 60 days (86400).",
        ),
        ("trial", [60, 60], "lead_minutes", "Lead times must be different from each other."),
        ("trial", ["60"], "lead_minutes", "Lead times are whole numbers of minutes."),
        ("picnic", [60], "kind", "Not a kind of hearing or deadline."),
    ],
)
def test_bad_preferences_are_refused_per_field(
    world: World, kind: str, leads: list[Any], field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as error:
        alerts.alert_preference_set(
            user=world.user(Role.DEFENSE_COUNSEL),
            kind=kind,
            lead_minutes=leads,
            in_app=True,
            email=True,
        )
    assert error.value.message_dict == {field: [message]}
    assert not AlertPreference.objects.exists()


def test_bad_digest_settings_are_refused_per_field(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        alerts.alert_settings_set(
            user=world.user(Role.DEFENSE_COUNSEL),
            daily_digest=True,
            digest_hour=24,
            time_zone="Mars/Olympus",
        )
    assert error.value.message_dict == {
        "digest_hour": ["The hour is a whole number from 0 to 23."],
        "time_zone": ["Not a known time zone (e.g. America/New_York)."],
    }


def test_humanized_lead_times() -> None:
    assert [
        alerts.humanize_until(dt.timedelta(minutes=m))
        for m in (7 * DAY, DAY, DAY - 20, 120, 61, 59, 1, 0)
    ] == [
        "in 7 days",
        "in 1 day",
        "in 1 day",
        "in 2 hours",
        "in 1 hour",
        "in 59 minutes",
        "in 1 minute",
        "in 1 minute",
    ]


# --- tasks ----------------------------------------------------------------------------------


def test_beat_runs_the_sweep_every_minute_and_the_digest_every_quarter_hour() -> None:
    from config.celery import app

    app.loader.import_default_modules()  # as a worker does at start
    schedule = django_settings.CELERY_BEAT_SCHEDULE
    assert schedule["sweep-alerts"] == {"task": "deadlines.sweep_alerts", "schedule": 60.0}
    assert schedule["send-digests"] == {"task": "deadlines.send_digests", "schedule": 900.0}
    assert {
        "deadlines.sweep_alerts",
        "deadlines.send_alert_emails",
        "deadlines.send_digests",
    } <= set(app.tasks)
    # Nothing waits in the broker longer than its visibility timeout.
    assert django_settings.CELERY_TASK_ACKS_LATE is True
    assert django_settings.CELERY_TASK_REJECT_ON_WORKER_LOST is True
    assert django_settings.CELERY_BROKER_TRANSPORT_OPTIONS == {"visibility_timeout": 3600}
    assert django_settings.ALERT_CLAIM_LEASE_SECONDS == 300


def test_the_sweep_task_marks_a_passed_deadline_missed_and_delivers_its_escalation(
    world: World, clock: Any, supervisors: dict[str, User]
) -> None:
    from deadlines.tasks import send_alert_emails, send_digests, sweep_alerts

    deadline = deadline_on(world, dt.date(2026, 11, 23), responsible_side=Side.PROSECUTION)

    # In-app alerts and e-mail have a task each (the e-mail on a queue of its own).
    assert sweep_alerts() == 2
    assert sweep_alerts() == 0
    assert not mail.outbox
    assert send_alert_emails() == 2
    assert send_alert_emails() == 0

    deadline.refresh_from_db()
    assert deadline.status == DeadlineStatus.MISSED
    assert sorted(Notification.objects.values_list("recipient__username", flat=True)) == [
        "da_supervisor",
        "prosecutor",
    ]
    assert sorted(m.to[0] for m in mail.outbox) == [
        "da_supervisor@example.org",
        "prosecutor@example.org",
    ]
    assert send_digests() == 0


def test_an_email_to_an_address_removed_since_planning_is_cancelled_not_sent(
    world: World, room: Courtroom, clock: Any
) -> None:
    hearing = hearing_at(world, room, NOW + dt.timedelta(hours=2))
    alerts.plan_for_hearing(hearing)
    defense = world.user(Role.DEFENSE_COUNSEL)
    User.objects.filter(pk=defense.pk).update(email="")
    User.objects.filter(pk=world.user(Role.DUTY_LAWYER).pk).update(is_active=False)

    result = alerts.sweep()

    assert (result.sent, result.cancelled) == (7, 3)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "defendant@example.org",
        "judge@example.org",
        "prosecutor@example.org",
    ]
    assert Notification.objects.filter(recipient=defense).count() == 1


def test_a_reminder_of_a_date_moved_after_the_claim_is_not_sent(
    world: World, room: Courtroom, clock: Any
) -> None:
    hearing = hearing_at(world, room, NOW + dt.timedelta(hours=2))
    alerts.plan_for_hearing(hearing)
    ids = alerts.claim_batch(now=NOW, batch=500)
    later = NOW + dt.timedelta(days=3)
    Hearing.objects.filter(pk=hearing.pk).update(
        starts_at=later, ends_at=later + dt.timedelta(hours=1)
    )
    assert {alerts.deliver(alert_id) for alert_id in ids} == {"cancelled"}
    assert Notification.objects.count() == 0
