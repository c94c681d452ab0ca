"""`?next=` after signing in goes only to this site's own paths, however the value is written
(issue 14): anything else lands on the dashboard."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import World
from tests.factories import PASSWORD

OUTSIDE = [
    "//evil.example",
    "///evil.example",
    "////evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\\/evil.example",
    "%2F%2Fevil.example",
    "%2f%2fevil.example",
    "/%2F/evil.example",
    "/%2f%2fevil.example",
    "%252F%252Fevil.example",
    "%5C%5Cevil.example",
    "/%5Cevil.example",
    "/%5C%5Cevil.example",
    "https://evil.example/",
    "http://evil.example",
    "HTTPS://evil.example",
    "https:evil.example",
    "https:/evil.example",
    "https:///evil.example",
    "//testserver@evil.example",
    "http://testserver@evil.example/",
    "https://testserver/cases/",  # this site, but not a path: refused all the same
    "\t//evil.example",
    "/\t/evil.example",
    "/%09/evil.example",
    "/%0d%0a/evil.example",
    "\n//evil.example",
    " //evil.example",
    "/ /evil.example",
    "/./evil.example",
    "/.//evil.example",
    "/../evil.example",
    "/%2e%2e//evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "evil.example",
    "\uff0f\uff0fevil.example",  # fullwidth solidus
    "/\u3002evil.example",
    "\x00//evil.example",
    "/" + "a" * 3000,
]

INSIDE = [
    "/cases/",
    "/cases/42/",
    "/cases/?q=Doe&status=intake",
    "/docket/?day=2026-03-09",
    "/cases/?q=a%20b",
]


def sign_in(next_url: str) -> Any:
    return Client().post(
        reverse("login"), {"username": "clerk", "password": PASSWORD, "next": next_url}
    )


@pytest.mark.parametrize("next_url", OUTSIDE)
def test_a_next_outside_this_site_lands_on_the_dashboard(world: World, next_url: str) -> None:
    response = sign_in(next_url)

    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")


@pytest.mark.parametrize("next_url", INSIDE)
def test_a_next_on_this_site_is_followed(world: World, next_url: str) -> None:
    response = sign_in(next_url)

    assert response["Location"] == next_url


@pytest.mark.parametrize("next_url", OUTSIDE[:12])
def test_the_sign_in_page_does_not_carry_a_foreign_next(db: None, next_url: str) -> None:
    html = Client().get(reverse("login"), {"next": next_url}).content.decode()

    assert 'name="next" value=""' in html


@pytest.mark.parametrize("next_url", OUTSIDE[:12])
def test_a_signed_in_visitor_is_not_sent_away_either(world: World, next_url: str) -> None:
    client = Client()
    client.post(reverse("login"), {"username": "clerk", "password": PASSWORD})

    response = client.get(reverse("login"), {"next": next_url})

    assert response["Location"] == reverse("dashboard")


@pytest.mark.parametrize("next_url", OUTSIDE[:12])
def test_signing_out_does_not_send_anyone_away(world: World, next_url: str) -> None:
    client = Client()
    client.post(reverse("login"), {"username": "clerk", "password": PASSWORD})

    response = client.post(reverse("logout"), {"next": next_url})

    assert response["Location"] == reverse("login")
