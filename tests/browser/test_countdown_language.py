"""The offer's countdown keeps speaking the page's language once countdown.js has run: the
script reads its words from the page (negotiations.views.common.countdown_words), so a Chinese
page does not turn to "expires in 2 days" when the script takes over, and an English page still
says it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import expect

from negotiations import services
from negotiations.views.common import countdown_text
from tests.browser.conftest import People
from tests.conftest import World
from tests.negotiation_helpers import cn_case


def test_the_countdown_stays_in_chinese_on_a_chinese_page(
    live_server: Any, world: World, people: People
) -> None:
    cn = cn_case(world)
    expires = timezone.now() + dt.timedelta(days=2, hours=5, minutes=30)
    offer = services.offer_create(
        case=cn.case,
        by=cn.prosecutor,
        data=services.OfferInput(custody_min_months=8, custody_max_months=10, expires_at=expires),
    )
    services.offer_send(offer=offer, by=cn.prosecutor)
    with translation.override("zh-hans"):
        chinese = countdown_text(dt.timedelta(days=2, hours=5))
    assert "expires" not in chinese

    duty = people(cn.duty_lawyer.username)
    duty.goto(live_server.url + reverse("negotiations:offer", args=[offer.pk]))
    expect(duty.locator("html")).to_have_attribute("lang", "zh-hans")
    clock = duty.locator(".countdown__text").first
    # The script has run on load (the page sets window.parleyCountdown when it does).
    duty.wait_for_function("window.parleyCountdown === true")
    expect(clock).to_have_text(chinese)
