"""Edges of court dates found in review: access ending between planning and delivery, midnight
in a daylight-saving gap, cases that end, dates beyond the calendar, closures under an
override, and a hearing moved back and forth."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from cases import party_services
from cases import services as case_services
from cases.models import CaseStatus
from deadlines import alerts, selectors, services
from deadlines.models import (
    Alert,
    AlertChannel,
    AlertStatus,
    AlertSubject,
    DeadlineChangeKind,
    DeadlineStatus,
    HearingStatus,
)
from negotiations import services as negotiation_services
from parties.models import CaseParticipant, Role
from tests.conftest import World
from tests.deadline_helpers import (
    US_TRIAL_70,
    at,
    clerk,
    event_deadline,
    hearing,
    inbox_of,
    manual_deadline,
    rule,
)
from tests.negotiation_helpers import sent_offer

NOW = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


# --- delivery asks again whether the recipient may still know ---------------------------------


def test_an_alert_claimed_before_its_recipient_left_the_case_is_cancelled_not_sent(
    world: World, clock: Any
) -> None:
    defense = world.user(Role.DEFENSE_COUNSEL)
    h = hearing(world, starts_at=NOW + dt.timedelta(days=3))
    # The 2-day reminder comes due; a sweep claims it, then the court relieves counsel.
    clock.move_to(NOW + dt.timedelta(days=1, hours=1))
    mine = Alert.objects.filter(hearing=h, recipient=defense, status=AlertStatus.PENDING)
    due = mine.filter(send_at__lte=NOW + dt.timedelta(days=1, hours=1))
    assert due.count() == 2  # in-app and e-mail
    ids = alerts.claim_batch(now=NOW + dt.timedelta(days=1, hours=1), batch=500)
    assert set(due.values_list("pk", flat=True)) <= set(ids)
    participation = CaseParticipant.objects.get(
        case=world.case, user=defense, role=Role.DEFENSE_COUNSEL
    )
    party_services.participant_end(participant=participation, by=clerk(world))

    mine_claimed = Alert.objects.filter(pk__in=ids, recipient=defense).values_list("pk", flat=True)
    outcomes = {alerts.deliver(pk) for pk in mine_claimed}

    assert outcomes == {"cancelled"}
    for pk in set(ids) - set(mine_claimed):
        alerts.deliver(pk)
    assert not defense.notifications.exists()
    # Everyone still on the case got theirs.
    prosecutor = world.user(Role.PROSECUTOR)
    assert prosecutor.notifications.count() == 1


def test_an_offer_expiry_notice_is_not_delivered_to_someone_no_longer_reading_offers(
    world: World, clock: Any
) -> None:
    offer = sent_offer(world, expires_at=NOW + dt.timedelta(hours=1))
    clock.move_to(NOW + dt.timedelta(hours=2))
    negotiation_services.offers_expire_due()
    notices = Alert.objects.filter(subject=AlertSubject.OFFER_EXPIRED, case=offer.case)
    duty = world.user(Role.DUTY_LAWYER)
    assert notices.filter(recipient=duty).exists()
    participation = CaseParticipant.objects.get(case=world.case, user=duty)
    party_services.participant_end(participant=participation, by=clerk(world))

    alerts.sweep()

    assert notices.filter(recipient=duty, status=AlertStatus.SENT).count() == 0
    assert notices.filter(recipient=world.user(Role.PROSECUTOR), status="sent").exists()
    assert notices.filter(recipient=world.user(Role.DEFENSE_COUNSEL), status="sent").exists()


# --- midnight that does not exist -----------------------------------------------------------


def test_end_of_day_is_one_utc_instant_even_where_midnight_falls_in_a_dst_gap() -> None:
    santiago = zoneinfo.ZoneInfo("America/Santiago")
    # Chile moves its clocks from 24:00 on Saturday 5 September 2026 to 01:00.
    moment = selectors.end_of_day(dt.date(2026, 9, 5), santiago)
    assert moment.tzinfo is dt.UTC
    assert moment == dt.datetime(2026, 9, 6, 4, 0, tzinfo=dt.UTC)
    # An ordinary day in New York ends at 05:00 UTC in winter.
    ny = zoneinfo.ZoneInfo("America/New_York")
    assert selectors.end_of_day(dt.date(2026, 12, 3), ny) == dt.datetime(
        2026, 12, 4, 5, tzinfo=dt.UTC
    )


def test_reminders_of_a_deadline_ending_in_a_dst_gap_are_sent(world: World) -> None:
    world.court.time_zone = "America/Santiago"
    world.court.save(update_fields=["time_zone"])
    with time_machine.travel(dt.datetime(2026, 9, 3, 12, tzinfo=dt.UTC), tick=False):
        deadline = manual_deadline(world, due_date=dt.date(2026, 9, 5))
        alerts.plan_for_deadline(deadline)  # planning again changes nothing
    # The deadline ends at 04:00 UTC on 6 September; its 1-day reminder is due at 04:00 UTC on
    # the 5th.
    with time_machine.travel(dt.datetime(2026, 9, 5, 4, 30, tzinfo=dt.UTC), tick=False):
        result = alerts.sweep()
    reminders = Alert.objects.filter(deadline=deadline, lead_minutes=24 * 60)
    assert reminders.count() > 0
    assert result.sent == Alert.objects.filter(deadline=deadline, status="sent").count()
    assert set(reminders.values_list("status", flat=True)) == {AlertStatus.SENT}


# --- a case that ends keeps no dates --------------------------------------------------------


def test_dismissing_a_case_cancels_its_hearings_deadlines_and_reminders(
    world: World, clock: Any
) -> None:
    h = hearing(world, starts_at=at(2026, 12, 15, 9))
    d = manual_deadline(world, due_date=dt.date(2026, 12, 18))
    pending = Alert.objects.filter(status=AlertStatus.PENDING, subject=AlertSubject.REMINDER)
    assert pending.exists()

    case_services.case_transition(
        case=world.case,
        to_status=CaseStatus.DISMISSED,
        by=world.user(Role.PROSECUTOR),
        reason="Nolle prosequi",
    )

    h.refresh_from_db()
    d.refresh_from_db()
    assert (h.status, h.sequence) == (HearingStatus.CANCELLED, 1)
    assert h.changes.last().reason == "The case was dismissed."  # type: ignore[union-attr]
    assert d.status == DeadlineStatus.CANCELLED
    assert d.changes.last().kind == DeadlineChangeKind.CANCELLED  # type: ignore[union-attr]
    assert not pending.exists()
    # Everyone on the case hears of the cancelled hearing.
    told = Alert.objects.filter(subject=AlertSubject.HEARING_CHANGED, hearing=h)
    assert told.filter(channel=AlertChannel.IN_APP).count() == 5  # the judge is on the case too
    # Nothing is escalated later about the dead case.
    clock.move_to(NOW + dt.timedelta(days=60))
    assert services.deadlines_mark_missed() == 0


# --- dates beyond the calendar --------------------------------------------------------------


@pytest.mark.parametrize("far", [dt.date(9999, 12, 31), dt.date(1066, 10, 14)])
def test_dates_beyond_the_calendar_are_a_400_for_the_field(world: World, far: dt.date) -> None:
    with pytest.raises(ValidationError) as caught:
        manual_deadline(world, due_date=far)
    assert caught.value.message_dict == {"due_date": ["Must be between 1900-01-01 and 2199-12-31."]}
    with pytest.raises(ValidationError) as caught:
        services.rule_preview(case=world.case, rule=rule(US_TRIAL_70), trigger_date=far)
    assert set(caught.value.message_dict) == {"trigger_date"}
    start = dt.datetime.combine(far - dt.timedelta(days=1), dt.time(9), tzinfo=dt.UTC)
    with pytest.raises(ValidationError) as caught:
        hearing(world, starts_at=start)
    assert set(caught.value.message_dict) == {"starts_at", "ends_at"}


def test_the_docket_and_the_rule_preview_pages_answer_far_dates_without_a_500(
    world: World, client: Client
) -> None:
    client.force_login(clerk(world))
    docket = client.get(reverse("deadlines:docket"), {"date": "9999-12-31"})
    assert docket.status_code == 200
    preview = client.get(
        reverse("deadlines:deadline-preview", args=[world.case.pk]),
        {"rule": str(rule(US_TRIAL_70).pk), "trigger_date": "9999-12-25"},
    )
    assert preview.status_code in (200, 400)
    assert b"2199-12-31" in preview.content


# --- a closure day under an override --------------------------------------------------------


def test_a_closure_updates_the_computed_date_under_an_override_and_the_override_stays(
    world: World, clock: Any
) -> None:
    # The PSR objections rule: 14 days after, rolling forward over days the court is closed.
    objections = event_deadline(world, code="us-frcrp-32f1-psr-objections")
    assert objections.computed_date == dt.date(2026, 11, 16)
    objections = services.deadline_override(
        deadline=objections,
        by=clerk(world),
        due_date=dt.date(2026, 11, 30),
        reason="Extension granted",
    )
    services.closure_add(court=world.court, by=clerk(world), date=dt.date(2026, 11, 30), reason="x")
    objections.refresh_from_db()
    # The computed date was in the past (16 Nov): it is not recomputed; the override stays.
    assert (objections.due_date, objections.override_reason) == (
        dt.date(2026, 11, 30),
        "Extension granted",
    )
    late = event_deadline(
        world, code="us-frcrp-32f1-psr-objections", trigger_date=dt.date(2026, 12, 1)
    )
    assert late.computed_date == dt.date(2026, 12, 15)
    late = services.deadline_override(
        deadline=late, by=clerk(world), due_date=dt.date(2026, 12, 22), reason="Extension"
    )

    services.closure_add(
        court=world.court, by=clerk(world), date=dt.date(2026, 12, 15), reason="Snow"
    )

    late.refresh_from_db()
    assert (late.computed_date, late.due_date, late.override_reason) == (
        dt.date(2026, 12, 16),
        dt.date(2026, 12, 22),
        "Extension",
    )
    change = late.changes.last()
    assert change is not None
    assert (change.kind, change.from_date, change.to_date) == (
        DeadlineChangeKind.RECOMPUTED,
        dt.date(2026, 12, 15),
        dt.date(2026, 12, 16),
    )
    # Removing the override now lands on the court day, not on the closure.
    late = services.deadline_override_remove(deadline=late, by=clerk(world))
    assert late.due_date == dt.date(2026, 12, 16)


# --- a hearing moved back and forth ---------------------------------------------------------


def test_every_move_of_a_hearing_is_announced_even_back_to_an_earlier_time(
    world: World, clock: Any
) -> None:
    a, b = at(2026, 12, 15, 9), at(2026, 12, 16, 9)
    h = hearing(world, starts_at=a)
    for n, when in enumerate([b, a, b], start=1):
        clock.move_to(NOW + dt.timedelta(minutes=n))
        h = services.hearing_reschedule(
            hearing=h,
            by=clerk(world),
            starts_at=when,
            ends_at=when + dt.timedelta(hours=1),
            reason=f"Move {n}",
        )
    notices = Alert.objects.filter(
        subject=AlertSubject.HEARING_CHANGED,
        hearing=h,
        recipient=world.user(Role.DEFENSE_COUNSEL),
        channel=AlertChannel.IN_APP,
    )
    assert notices.count() == 3
    alerts.sweep()
    body = inbox_of(world.user(Role.DEFENSE_COUNSEL))[0].body
    assert "It was set for Tue 15 Dec 2026, 09:00 EST" in body
    assert "Reason: Move 3" in body


# --- a missed deadline the court reopens ----------------------------------------------------


def test_a_reopened_missed_deadline_stays_open_and_is_not_escalated_again(
    world: World, clock: Any
) -> None:
    d = manual_deadline(world, due_date=dt.date(2026, 11, 20))
    assert services.deadlines_mark_missed() == 1
    escalations = Alert.objects.filter(deadline=d, subject=AlertSubject.ESCALATION)
    sent_before = escalations.count()
    assert sent_before > 0

    services.deadline_reopen(deadline=d, by=clerk(world), reason="Filed on time; clerk error")
    clock.move_to(NOW + dt.timedelta(minutes=5))

    assert services.deadlines_mark_missed() == 0
    d.refresh_from_db()
    assert d.status == DeadlineStatus.OPEN
    assert escalations.count() == sent_before
    # Marked met, it closes as usual.
    services.deadline_complete(deadline=d, by=clerk(world))
    d.refresh_from_db()
    assert d.status == DeadlineStatus.MET
