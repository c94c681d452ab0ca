"""Stored copies obey the walls, after access ends too (issue 14; STYLE.md practice 14).

A notification is kept for its reader, but what it says is read back through
cases.permissions each time: a person whose part in the case ended, or who stands behind another
wall, reads "an item you no longer have access to", with no docket number, caption, text, title
or link, in the inbox page and in GET /api/v1/notifications/. The same holds for the other
stored copies a person reads later: the daily digest in the inbox, calendar feeds, the change
feed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cases import party_services
from cases import services as case_services
from deadlines import alerts, feeds
from deadlines import notifications as inbox
from deadlines import services as date_services
from deadlines.models import AlertSubject, Notification
from integrations.selectors import events_visible_to
from negotiations import services as negotiation_services
from parties.models import CaseParticipant, Role
from records import services as record_services
from records.models import Visibility
from tests import deadline_helpers as dh
from tests.conftest import World, api_as
from tests.negotiation_helpers import sent_offer

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
DOCKET = "1:26-cr-00001"
CAPTION_WORD = "Doe"

AUTHOR: dict[str, str] = {
    Visibility.PROSECUTION: Role.PROSECUTOR,
    Visibility.DEFENSE: Role.DEFENSE_COUNSEL,
    Visibility.SHARED: Role.PROSECUTOR,
    Visibility.COURT: Role.JUDGE,
}
READERS: dict[str, set[str]] = {
    Visibility.PROSECUTION: {Role.PROSECUTOR},
    Visibility.DEFENSE: {Role.DEFENSE_COUNSEL, Role.DUTY_LAWYER, Role.DEFENDANT},
    Visibility.SHARED: set(Role.values),
    Visibility.COURT: {Role.JUDGE, Role.COURT_STAFF},
}
# Who ends each participation: the court ends counsel and judges, the prosecution its own.
ENDED_BY: dict[str, str] = {
    Role.PROSECUTOR: Role.COURT_STAFF,
    Role.DEFENSE_COUNSEL: Role.COURT_STAFF,
    Role.DUTY_LAWYER: Role.COURT_STAFF,
    Role.DEFENDANT: Role.PROSECUTOR,
    Role.JUDGE: Role.COURT_STAFF,
}


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def secret(kind: str, wall: str) -> str:
    return f"{kind}zz{wall}qq"


def _everything_happens(world: World, clock: time_machine.Traveller) -> None:
    """Something of every kind is told to everyone it concerns: a note and a document behind
    each wall, a disclosure, a hearing reminder and its continuance, an offer that expires."""
    for wall in (Visibility.PROSECUTION, Visibility.DEFENSE, Visibility.SHARED, Visibility.COURT):
        author = world.user(AUTHOR[wall])
        record_services.note_add(
            case=world.case, by=author, visibility=wall, body=f"About {secret('note', wall)}"
        )
        record_services.document_upload(
            case=world.case,
            by=author,
            upload=SimpleUploadedFile(f"{wall}.txt", b"Contents\n", "text/plain"),
            category="evidence",
            title=f"Exhibit {secret('doc', wall)}",
            visibility=wall,
        )
    record_services.disclosure_add(
        case=world.case,
        by=world.user(Role.PROSECUTOR),
        disclosed_on=NOW.date(),
        description=f"Lab report {secret('disclosure', 'shared')}",
    )
    hearing = dh.hearing(world, starts_at=NOW + dt.timedelta(days=7, minutes=30))
    sent_offer(world, expires_at=NOW + dt.timedelta(minutes=10))
    clock.shift(dt.timedelta(minutes=40))
    negotiation_services.offers_expire_due()
    alerts.sweep()  # the week's reminder of the hearing, the expiry
    date_services.hearing_reschedule(
        hearing=hearing,
        by=world.user(Role.COURT_STAFF),
        starts_at=hearing.starts_at + dt.timedelta(days=1),
        ends_at=hearing.ends_at + dt.timedelta(days=1),
        reason="Courtroom repairs",
    )
    alerts.sweep()  # the continuance


def _inbox_page(user: User) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("deadlines:notifications"))
    assert response.status_code == 200
    return response.content.decode()


def _inbox_api(user: User) -> dict[str, Any]:
    response = api_as(user).get("/api/v1/notifications/", {"page_size": 200})
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def _secrets() -> list[str]:
    found = [
        secret(kind, wall)
        for kind in ("note", "doc")
        for wall in (
            Visibility.PROSECUTION,
            Visibility.DEFENSE,
            Visibility.SHARED,
            Visibility.COURT,
        )
    ]
    return [*found, secret("disclosure", "shared")]


@pytest.mark.parametrize("role", list(ENDED_BY))
def test_a_participant_whose_part_ended_reads_nothing_of_the_case_in_their_notifications(
    world: World, clock: time_machine.Traveller, role: str
) -> None:
    _everything_happens(world, clock)
    person = world.user(role)
    before = _inbox_api(person)["results"]
    subjects = {n["subject"] for n in before}
    # They were told of it while they took part (what exactly depends on their walls).
    assert before and all(n["available"] for n in before)
    assert {AlertSubject.REMINDER, AlertSubject.HEARING_CHANGED} <= subjects
    # The prosecution wrote everything it could read of the record itself.
    assert (AlertSubject.RECORD in subjects) == (role != Role.PROSECUTOR)
    assert DOCKET in str(before)

    participation = CaseParticipant.objects.held_by(person).active().get(case=world.case)
    party_services.participant_end(participant=participation, by=world.user(ENDED_BY[role]))
    if role == Role.JUDGE:
        # A judge sees every case of the court they sit in: their access ends when they leave it.
        case_services.court_member_remove(court=world.court, user=person)
    person = User.objects.get(pk=person.pk)

    after = _inbox_api(person)
    page = _inbox_page(person)
    assert [n["id"] for n in after["results"]] == [n["id"] for n in before]
    for item in after["results"]:
        assert (item["available"], item["title"], item["body"], item["url"], item["case"]) == (
            False,
            inbox.NO_LONGER_AVAILABLE,
            "",
            "",
            None,
        )
    for text in (str(after), page):
        assert DOCKET not in text
        assert CAPTION_WORD not in text
        for word in _secrets():
            assert word not in text
    assert f"/cases/{world.case.pk}/" not in page


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize(
    "wall", [Visibility.PROSECUTION, Visibility.DEFENSE, Visibility.SHARED, Visibility.COURT]
)
def test_a_notification_reads_only_behind_its_wall(world: World, role: str, wall: str) -> None:
    """Whoever holds a notification of a note or document, it says what it is about only to a
    reader behind the item's wall (a copy kept before the walls were checked would not)."""
    author = world.user(AUTHOR[wall])
    note = record_services.note_add(
        case=world.case, by=author, visibility=wall, body=f"About {secret('note', wall)}"
    )
    reader = world.user(role)
    kept = Notification.objects.create(
        recipient=reader, subject=AlertSubject.RECORD, case=world.case, params={"note": note.pk}
    )

    (item,) = [i for i in inbox.notifications_shown(reader, [kept])]

    allowed = role in READERS[wall]
    assert item.available == allowed
    assert (secret("note", wall) in item.shown.body) == allowed
    assert (DOCKET in item.shown.title) == allowed


def test_the_digest_in_the_inbox_lists_only_what_the_reader_still_sees(
    world: World, clock: time_machine.Traveller
) -> None:
    defense = world.user(Role.DEFENSE_COUNSEL)
    alerts.alert_settings_set(
        user=defense, daily_digest=True, digest_hour=6, time_zone="America/New_York"
    )
    dh.hearing(world, starts_at=NOW + dt.timedelta(days=3))
    assert alerts.digests_send_due() == 1
    alerts.sweep()
    (digest,) = inbox.notifications_shown(
        defense, list(Notification.objects.filter(recipient=defense))
    )
    assert DOCKET in digest.shown.body

    participation = CaseParticipant.objects.get(case=world.case, user=defense, end_date=None)
    party_services.participant_end(participant=participation, by=world.user(Role.COURT_STAFF))

    (digest,) = inbox.notifications_shown(
        defense, list(Notification.objects.filter(recipient=defense))
    )
    assert DOCKET not in digest.shown.title + digest.shown.body
    assert "No hearings or deadlines" in digest.shown.body


def test_calendar_feeds_and_the_change_feed_forget_a_case_when_the_part_ends(
    world: World, clock: time_machine.Traveller
) -> None:
    defense = world.user(Role.DEFENSE_COUNSEL)
    token = feeds.feed_issue(user=defense)
    dh.hearing(world, starts_at=NOW + dt.timedelta(days=3))
    feed = feeds.feed_by_token(token)
    assert feed is not None
    assert DOCKET.encode() in feeds.feed_render(feed)
    assert events_visible_to(defense).filter(case=world.case).exists()

    participation = CaseParticipant.objects.get(case=world.case, user=defense, end_date=None)
    party_services.participant_end(participant=participation, by=world.user(Role.COURT_STAFF))
    defense = User.objects.get(pk=defense.pk)

    assert DOCKET.encode() not in feeds.feed_render(feed)
    assert not events_visible_to(defense).filter(case=world.case).exists()
