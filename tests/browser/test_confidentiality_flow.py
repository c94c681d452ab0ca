"""Confidentiality as people meet it in the browser (issue 14).

- Defense counsel is told of a note; the court ends their part in the case; their inbox then
  reads "An item you no longer have access to", with no docket number, text or link.
- The judge opens the case while the parties exchange offers and accept one: the status and
  its history say nothing of it.
- The office supervisor is told of a deadline their lawyer missed, without the case.

PARLEY_SCREENSHOTS=1 saves docs/screenshots/notifications-access-ended*.png,
case-detail-judge-during-negotiation.png and notifications-supervisor.png.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from playwright.sync_api import expect

from cases import party_services
from deadlines import alerts
from deadlines.models import DeadlineKind
from negotiations import services as negotiation_services
from parties.models import CaseParticipant, Role, Side, UserProfile
from records import services as record_services
from records.models import Visibility
from tests.browser.conftest import SHOTS, sign_in
from tests.conftest import World, make_user
from tests.deadline_helpers import manual_deadline
from tests.negotiation_helpers import sent_offer

pytestmark = pytest.mark.browser

DOCKET = "1:26-cr-00001"


def _tab(browser: Any, live_server: Any, username: str, width: int = 1366) -> Any:
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-US")
    context.set_default_timeout(15_000)
    page = context.new_page()
    sign_in(page, live_server, username)
    return page


def _shoot(page: Any, name: str) -> None:
    if os.environ.get("PARLEY_SCREENSHOTS"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_an_inbox_after_access_ended(world: World, browser: Any, live_server: Any) -> None:
    record_services.note_add(
        case=world.case,
        by=world.user(Role.PROSECUTOR),
        visibility=Visibility.SHARED,
        body="The lab report is in; plea talks Thursday.",
    )
    defense = _tab(browser, live_server, "defense")
    defense.goto(live_server.url + reverse("deadlines:notifications"))
    inbox = defense.locator(".inbox")
    expect(inbox).to_contain_text(f"New note (shared with all parties) on {DOCKET}")
    expect(inbox).to_contain_text("plea talks Thursday")

    participation = CaseParticipant.objects.get(
        case=world.case, user=world.user(Role.DEFENSE_COUNSEL), end_date=None
    )
    party_services.participant_end(participant=participation, by=world.user(Role.COURT_STAFF))

    defense.reload()
    expect(inbox).to_contain_text("An item you no longer have access to")
    expect(inbox).not_to_contain_text(DOCKET)
    expect(inbox).not_to_contain_text("plea talks")
    expect(inbox.get_by_role("link")).to_have_count(0)
    _shoot(defense, "notifications-access-ended")
    phone = _tab(browser, live_server, "defense", width=390)
    phone.goto(live_server.url + reverse("deadlines:notifications"))
    expect(phone.locator(".inbox")).to_contain_text("An item you no longer have access to")
    _shoot(phone, "notifications-access-ended-phone")


def test_the_judge_reads_nothing_of_the_talks(world: World, browser: Any, live_server: Any) -> None:
    offer = sent_offer(world)
    negotiation_services.offer_accept(offer=offer, by=world.user(Role.DEFENSE_COUNSEL))

    judge = _tab(browser, live_server, "judge")
    judge.goto(live_server.url + reverse("cases:detail", args=[world.case.pk]))

    status = judge.locator("#status")
    expect(status).to_contain_text("Intake")
    expect(status).not_to_contain_text("Offer")
    expect(status).not_to_contain_text("accepted")
    expect(judge.locator("main")).not_to_contain_text("round 1")
    _shoot(judge, "case-detail-judge-during-negotiation")


def test_a_supervisor_is_told_of_a_missed_deadline_without_the_case(
    world: World, browser: Any, live_server: Any
) -> None:
    supervisor = make_user("pd_supervisor", Role.DEFENSE_COUNSEL, world.orgs["pd"])
    UserProfile.objects.filter(user=supervisor).update(is_supervisor=True)
    deadline = manual_deadline(
        world,
        kind=DeadlineKind.MOTION_DUE,
        title="Reply to the motion to suppress",
        due_date=dt.date(2026, 2, 2),
        responsible_side=Side.DEFENSE,
    )
    alerts.escalate_missed(deadline)
    alerts.sweep()

    page = _tab(browser, live_server, User.objects.get(pk=supervisor.pk).username)
    page.goto(live_server.url + reverse("deadlines:notifications"))
    inbox = page.locator(".inbox")
    expect(inbox).to_contain_text("Missed deadline of your office: Motion due")
    expect(inbox).to_contain_text(world.user(Role.DEFENSE_COUNSEL).get_full_name())
    expect(inbox).not_to_contain_text(DOCKET)
    expect(inbox).not_to_contain_text("suppress")
    _shoot(page, "notifications-supervisor")
