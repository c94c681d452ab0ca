"""The case pages in a real browser: sign in, find a case, see what you may see."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.conftest import World

pytestmark = pytest.mark.browser


def test_court_staff_opens_a_case_from_the_list_and_sees_its_charges(
    live_server: Any, world: World, page: Any
) -> None:
    sign_in(page, live_server, "clerk")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="All cases").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cases")
    page.get_by_role("link", name="United States v. Doe").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("United States v. Doe")
    charges = page.locator("#charges")
    expect(charges.get_by_role("row", name="1 21 U.S.C. 841(a)(1)")).to_be_visible()
    expect(charges).to_contain_text("Distribution of fentanyl")
    expect(page.locator(".facts")).to_contain_text("America/New_York")


def test_defense_attorney_cannot_reach_a_case_they_are_not_on(
    live_server: Any, world: World, page: Any
) -> None:
    sign_in(page, live_server, "defense")
    response = page.goto(live_server.url + reverse("cases:detail", args=[world.other_case.pk]))
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.locator("main")).not_to_contain_text("United States v. Roe")

    page.goto(live_server.url + reverse("cases:list"))
    results = page.locator("#case-results")
    expect(results.get_by_role("link", name="United States v. Doe")).to_be_visible()
    expect(results).not_to_contain_text("United States v. Roe")
    expect(results).not_to_contain_text(world.other_case.docket_number)


def test_prosecutor_adds_a_charge_without_a_reload(
    live_server: Any, world: World, page: Any
) -> None:
    sign_in(page, live_server, "prosecutor")
    page.goto(live_server.url + reverse("cases:detail", args=[world.case.pk]))
    page.evaluate("window.stillThisPage = true")  # gone if the page reloads

    page.get_by_text("Add a charge").click()
    page.get_by_label("Statute").select_option(label="21 U.S.C. 844 — Simple possession (Felony)")
    page.get_by_role("button", name="Add charge").click()

    charges = page.locator("#charges")
    expect(charges.get_by_role("status")).to_have_text("Count 2 added: 21 U.S.C. 844.")
    expect(charges.get_by_role("row", name="2 21 U.S.C. 844")).to_be_visible()
    assert page.evaluate("window.stillThisPage") is True
    assert world.case.charges.count() == 2


def test_charge_error_is_shown_next_to_the_field_without_a_reload(
    live_server: Any, world: World, page: Any
) -> None:
    sign_in(page, live_server, "prosecutor")
    page.goto(live_server.url + reverse("cases:detail", args=[world.case.pk]))
    page.get_by_text("Add a charge").click()
    page.get_by_label("Statute").select_option(label="21 U.S.C. 844 — Simple possession (Felony)")
    page.get_by_label("Count number").fill("1")
    page.get_by_role("button", name="Add charge").click()

    count = page.get_by_label("Count number")
    expect(count).to_have_attribute("aria-invalid", "true")
    expect(count).to_have_accessible_description(
        re.compile(r"Error: Count 1 already exists on this case\.")
    )
    assert world.case.charges.count() == 1


def test_skip_link_is_the_first_stop_and_moves_focus_to_the_content(
    live_server: Any, world: World, page: Any
) -> None:
    sign_in(page, live_server, "clerk")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_case_list_search_updates_as_you_type(live_server: Any, world: World, page: Any) -> None:
    sign_in(page, live_server, "clerk")
    page.goto(live_server.url + reverse("cases:list"))
    results = page.locator("#case-results")
    expect(results.get_by_role("link", name="United States v. Roe")).to_be_visible()
    page.evaluate("window.stillThisPage = true")

    page.get_by_label("Docket number or caption").press_sequentially("Doe")
    expect(results.get_by_role("link", name="United States v. Roe")).to_have_count(0)
    expect(results.get_by_role("link", name="United States v. Doe")).to_be_visible()
    expect(page).to_have_url(re.compile(r"\?q=Doe"))  # the search can be bookmarked and shared
    assert page.evaluate("window.stillThisPage") is True
