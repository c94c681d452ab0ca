"""The main pages under the Content-Security-Policy in a real browser (issue 14): they work
(htmx, the offer preview, the expiry countdown, Swagger UI) and the browser reports no
violation of the policy, in the console or as a securitypolicyviolation event."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import People, sign_in
from tests.conftest import World
from tests.negotiation_helpers import sent_offer

pytestmark = pytest.mark.browser

# Runs before any script of the page (injected by the browser's tooling, outside the policy).
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


class Watch:
    """CSP violations and script errors seen by one page, in the console and as events."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.console: list[str] = []
        self.errors: list[str] = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _console(self, message: Any) -> None:
        text = message.text
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            self.console.append(text)

    def visit(self, url: str) -> Any:
        response = self.page.goto(url)
        assert response is not None and response.status == 200, url
        policy = response.header_value("content-security-policy") or ""
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy, url
        return response

    def assert_clean(self) -> None:
        events = self.page.evaluate("window.__csp || []")
        assert (self.console, events, self.errors) == ([], [], [])


def watched(page: Any) -> Watch:
    return Watch(page)


def test_sign_in_dashboard_and_case_page_run_under_the_policy(
    live_server: Any, world: World, page: Any
) -> None:
    watch = watched(page)
    watch.visit(live_server.url + reverse("login"))
    watch.assert_clean()
    sign_in(page, live_server, "prosecutor")
    watch.assert_clean()

    watch.visit(live_server.url + reverse("cases:detail", args=[world.case.pk]))
    # htmx runs: a charge is added without a reload.
    assert page.evaluate("typeof window.htmx") == "object"
    page.evaluate("window.stillThisPage = true")
    page.get_by_text("Add a charge").click()
    page.get_by_label("Statute").select_option(label="21 U.S.C. 844 — Simple possession (Felony)")
    page.get_by_role("button", name="Add charge").click()
    expect(page.locator("#charges")).to_contain_text("Simple possession")
    assert page.evaluate("window.stillThisPage") is True
    watch.assert_clean()


def test_offer_compose_and_review_run_under_the_policy(
    live_server: Any, world: World, people: People
) -> None:
    prosecutor = people("prosecutor")
    watch = watched(prosecutor)
    watch.visit(live_server.url + reverse("negotiations:offer-new", args=[world.case.pk]))
    # The preview of concessions comes through htmx as the form changes.
    prosecutor.get_by_label("Plead guilty to a lesser offence").check()
    prosecutor.get_by_label(re.compile("Lesser offence for count 1")).select_option(
        value=str(world.lesser_statute.pk)
    )
    expect(prosecutor.locator("#offer-preview")).to_contain_text("reduced", ignore_case=True)
    watch.assert_clean()

    offer = sent_offer(world)
    counsel = people("defense")
    review = watched(counsel)
    review.visit(live_server.url + reverse("negotiations:offer", args=[offer.pk]))
    # countdown.js keeps "expires in …" current: it ran.
    expect(counsel.locator(".countdown__text").first).to_contain_text("expires in")
    assert counsel.evaluate("window.parleyCountdown") is True
    review.assert_clean()


def test_the_docket_calendar_runs_under_the_policy(
    live_server: Any, world: World, people: People
) -> None:
    clerk = people("clerk")
    watch = watched(clerk)
    watch.visit(live_server.url + reverse("deadlines:docket"))
    expect(clerk.get_by_role("heading", level=1)).to_be_visible()
    watch.assert_clean()


def test_the_api_docs_work_under_the_policy(live_server: Any, db: None, page: Any) -> None:
    watch = watched(page)
    watch.visit(live_server.url + reverse("api-docs"))

    expect(page.locator(".swagger-ui .title").first).to_contain_text("Parley API")
    expect(page.locator(".opblock").first).to_be_visible()
    watch.assert_clean()
