"""A clerk connects the court's docket system in a real browser: makes the client from the
Integrations page, makes a token (shown once), uses it, and revokes it.

PARLEY_SCREENSHOTS=1 saves docs/screenshots/api-client-token.png.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect
from rest_framework.test import APIClient

from integrations.models import ApiClient
from tests.browser.conftest import People, shoot
from tests.conftest import World

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_a_clerk_connects_the_docket_system(world: World, people: People, live_server: Any) -> None:
    page = people("clerk")
    page.get_by_role("link", name="Integrations").click()
    expect(page.get_by_role("heading", name="API clients", level=1)).to_be_visible()
    page.get_by_label("Name", exact=True).fill("County docket system")
    page.get_by_label("Court").select_option(label=world.court.name)
    page.get_by_role("button", name="Make client").click()
    expect(page.get_by_role("heading", name="County docket system")).to_be_visible()

    page.get_by_label("Token name").fill("docket server 1")
    page.get_by_label("Token name").press("Enter")
    token_box = page.get_by_label("Token", exact=True)
    expect(token_box).to_be_focused()
    key = token_box.input_value()
    assert key.startswith("prl_")
    shoot(page, "api-client-token")

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.get("/api/v1/cases/").status_code == 200

    page.get_by_role("button", name="Revoke token docket server 1").click()
    expect(page.get_by_text("Revoked", exact=True)).to_be_visible()
    assert api.get("/api/v1/cases/").status_code == 401
    assert key not in page.content()
    assert ApiClient.objects.get().tokens.get().revoked_at is not None
