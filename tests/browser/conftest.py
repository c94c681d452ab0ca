"""Headless Chromium through Playwright, against pytest-django's live server.

Debian's Chromium is used (/usr/bin/chromium); Playwright's own browser download is not.
Without it these tests are skipped, except in CI (env CI set), where they fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from tests.factories import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    """One Chromium for all the browser tests a test process runs (each test has its own
    contexts, so nothing is shared between tests but the process)."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: apt-get install -y chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    from core.fonts import web_font

    # Every page names 简体中文 in its language switch, so the browser asks for the CJK web font,
    # which is subset from the installed font on first use (about half a minute on a new
    # clone, core.fonts): made here, once, and not inside the first test's page load timeout.
    web_font()
    # Playwright's sync API runs an event loop in this thread, and Django refuses ORM calls from
    # a thread with a running loop. Allow them while the browser runs, and only then.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1360, "height": 860}, locale="en-US")
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


def sign_in(page: Any, live_server: Any, username: str) -> None:
    """Sign in through the login form, as a person would."""
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + reverse("dashboard"))


SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


class People:
    """One browser context (one signed-in session) per person."""

    def __init__(self, browser: Any, live_server: Any) -> None:
        self.browser = browser
        self.live_server = live_server
        self.pages: dict[str, Any] = {}

    def __call__(self, username: str) -> Any:
        if username not in self.pages:
            context = self.browser.new_context(
                viewport={"width": 1360, "height": 900}, locale="en-US", accept_downloads=True
            )
            context.set_default_timeout(15_000)
            page = context.new_page()
            sign_in(page, self.live_server, username)
            self.pages[username] = page
        return self.pages[username]

    def close(self) -> None:
        for page in self.pages.values():
            page.context.close()


@pytest.fixture
def people(browser: Any, live_server: Any) -> Iterator[People]:
    crowd = People(browser, live_server)
    yield crowd
    crowd.close()


def shoot(page: Any, name: str) -> None:
    """Save a screenshot into docs/screenshots when PARLEY_SCREENSHOTS is set."""
    if os.environ.get("PARLEY_SCREENSHOTS"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
