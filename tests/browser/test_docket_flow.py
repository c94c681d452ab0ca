"""Court staff reschedule a hearing from the docket calendar in a real browser; defense counsel,
in their own session, sees the new time on the case page and a notification in the inbox.

No worker runs here: the alert sweep (deadlines.alerts.sweep) is run in the test process between
the two steps, as the beat would run it every minute.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from deadlines import alerts
from deadlines.models import HearingChange, HearingKind, HearingStatus, Notification
from parties.models import Role
from tests.browser.conftest import People, shoot
from tests.conftest import World
from tests.deadline_helpers import courtroom, hearing, inbox_of

pytestmark = pytest.mark.browser

NAMES = {
    "defense": ("Dana", "Whitfield"),
    "judge": ("Ruth", "Alvarez"),
    "clerk": ("Chris", "Lee"),
}


def _next_week(zone: zoneinfo.ZoneInfo) -> dt.date:
    """Monday of next week on the court's calendar: every date of the test is in the future."""
    today = timezone.localtime(timezone.now(), zone).date()
    return today + dt.timedelta(days=7 - today.weekday())


def _name_people(world: World) -> None:
    for username, (first, last) in NAMES.items():
        User.objects.filter(username=username).update(first_name=first, last_name=last)


def test_clerk_reschedules_from_the_docket_and_the_defense_hears_of_it(
    live_server: Any, world: World, people: People
) -> None:
    url = live_server.url
    zone = zoneinfo.ZoneInfo(world.court.time_zone)
    monday = _next_week(zone)
    tuesday, thursday = monday + dt.timedelta(days=1), monday + dt.timedelta(days=3)
    _name_people(world)
    room1 = courtroom(world, "Courtroom 1")
    room2 = courtroom(world, "Courtroom 2")
    judge = world.user(Role.JUDGE)

    def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone)

    plea = hearing(world, starts_at=at(tuesday, 9), room=room1, judge_user=judge)
    # A fuller week around it, on the other case of the court.
    hearing(
        world,
        kind=HearingKind.STATUS_CONFERENCE,
        starts_at=at(monday, 10, 30),
        minutes=30,
        room=room2,
        case=world.other_case,
        judge_user=judge,
    )
    hearing(
        world,
        kind=HearingKind.ARRAIGNMENT,
        starts_at=at(thursday, 14),
        minutes=30,
        room=room1,
        case=world.other_case,
    )

    # 1. The clerk opens the docket calendar on next week and reschedules the plea hearing.
    clerk = people("clerk")
    clerk.get_by_role("link", name="Docket").click()
    expect(clerk.get_by_role("heading", level=1)).to_have_text("Docket calendar")
    clerk.get_by_role("link", name=re.compile("Next week")).click()
    expect(clerk.locator("#docket-range")).to_contain_text(monday.strftime("%a %-d %b %Y"))
    expect(clerk.locator("main")).to_contain_text("3 hearings")
    clerk.get_by_role("link", name=re.compile(r"Reschedule plea hearing in 1:26-cr-00001")).click()
    expect(clerk.get_by_role("heading", level=1)).to_have_text("Reschedule the plea hearing")
    clerk.get_by_label("New date").fill(thursday.isoformat())
    clerk.get_by_label("New start time").fill("11:00")
    clerk.get_by_label("Courtroom").select_option(label="Courtroom 2")
    clerk.get_by_label("Reason for the continuance").fill(
        "Defense counsel is in trial in another district on Tuesday."
    )
    clerk.get_by_role("button", name="Reschedule hearing").click()
    # Back on the docket week it came from, with the hearing at its new time and status.
    expect(clerk.get_by_role("heading", level=1)).to_have_text("Docket calendar")
    new_start = at(thursday, 11)
    label = f"{new_start:%Y-%m-%d %H:%M} {new_start.tzname()}"
    expect(clerk.locator(".messages")).to_contain_text(f"moved to {label} in Courtroom 2")
    card = clerk.locator(f"article[aria-labelledby='hearing-{plea.pk}-title']")
    expect(card).to_contain_text(f"11:00 {new_start.tzname()}")
    expect(card).to_contain_text("Continued")
    shoot(clerk, "docket-week")

    plea.refresh_from_db()
    assert plea.starts_at == new_start
    assert plea.courtroom == room2
    assert plea.status == HearingStatus.CONTINUED
    change = HearingChange.objects.filter(hearing=plea).latest("id")
    assert change.reason == "Defense counsel is in trial in another district on Tuesday."

    # 2. The beat's sweep delivers the notice (no worker runs in this test).
    alerts.sweep()
    defense_user = world.user(Role.DEFENSE_COUNSEL)
    assert Notification.objects.filter(recipient=defense_user, subject="hearing_changed").exists()
    (notice,) = inbox_of(defense_user)

    # 3. Defense counsel sees the new time on the case page and the notice in the inbox.
    defense = people("defense")
    defense.goto(url + reverse("cases:detail", args=[world.case.pk]))
    row = defense.locator(f"#hearing-{plea.pk}")
    expect(row).to_contain_text(f"{new_start:%a %Y-%m-%d %H:%M} {new_start.tzname()}")
    expect(row).to_contain_text("Courtroom 2")
    expect(row).to_contain_text("Continued")
    expect(defense.locator("#unread-count")).to_be_visible()
    defense.get_by_role("link", name=re.compile("^Notifications")).click()
    expect(defense.get_by_role("heading", level=1)).to_have_text("Notifications")
    inbox = defense.locator(".inbox")
    expect(inbox).to_contain_text(notice.title)
    expect(inbox).to_contain_text("Unread")
    shoot(defense, "notifications-defense")

    # Opening the hearing from the notice shows its history with the reason.
    defense.goto(url + reverse("deadlines:hearing", args=[plea.pk]))
    expect(defense.locator("#history")).to_contain_text("Defense counsel is in trial")
    expect(defense.get_by_role("button", name="Cancel hearing")).to_have_count(0)
