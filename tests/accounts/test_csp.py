"""The Content-Security-Policy: every page under a policy that allows no inline script, and
every download under `sandbox` (issue 14, "Sign-in"). The pages working under it in a real
browser: tests/browser/test_csp.py."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from deadlines import feeds
from parties.models import Role
from records.models import Visibility
from tests.conftest import World, api_as
from tests.negotiation_helpers import draft_offer, sent_offer, signed_agreement
from tests.records.test_pages_records import document_by

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def directives(response: Any) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    parts = [part.split() for part in policy.split(";") if part.strip()]
    return {part[0]: part[1:] for part in parts}


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def assert_page_policy(response: Any) -> None:
    policy = directives(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


# --- pages ---------------------------------------------------------------------------------------


def test_the_sign_in_page_has_the_policy(db: None) -> None:
    response = Client().get(reverse("login"))

    assert response.status_code == 200
    assert_page_policy(response)


def page_urls(world: World) -> list[str]:
    offer = sent_offer(world)
    return [
        reverse("dashboard"),
        reverse("cases:list"),
        reverse("cases:detail", args=[world.case.pk]),
        reverse("negotiations:negotiation", args=[world.case.pk]),
        reverse("negotiations:offer-new", args=[world.case.pk]),
        reverse("negotiations:offer", args=[offer.pk]),
        reverse("records:notes", args=[world.case.pk]),
        reverse("records:documents", args=[world.case.pk]),
        reverse("audit:history", args=[world.case.pk]),
        reverse("deadlines:notifications"),
        reverse("deadlines:alert-settings"),
        reverse("accounts:security"),
        reverse("accounts:tokens"),
    ]


def test_every_page_of_a_prosecutor_has_the_policy(world: World) -> None:
    client = signed_in(world.user(Role.PROSECUTOR))
    for url in page_urls(world):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_page_policy(response)


def test_the_docket_and_the_offer_review_have_the_policy(world: World) -> None:
    offer = sent_offer(world)
    for user, url in [
        (world.user(Role.COURT_STAFF), reverse("deadlines:docket")),
        (world.user(Role.DEFENSE_COUNSEL), reverse("negotiations:offer", args=[offer.pk])),
    ]:
        response = signed_in(user).get(url)
        assert response.status_code == 200, url
        assert_page_policy(response)


def test_error_pages_have_the_policy(world: World) -> None:
    response = signed_in(world.user(Role.DEFENDANT)).get(
        reverse("cases:detail", args=[world.foreign_case.pk])
    )

    assert response.status_code == 404
    assert_page_policy(response)


def test_the_api_docs_page_has_the_policy_and_no_inline_code(db: None) -> None:
    response = APIClient().get(reverse("api-docs"))
    html = response.content.decode()

    assert response.status_code == 200
    assert_page_policy(response)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert "<style" not in html


# No template has an inline script, an inline event handler, a javascript: URL or a style
# attribute: none of them would run (or apply) under the policy.
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "inline event handler"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"<style", re.I), "<style> element"),
    (re.compile(r"\shx-on", re.I), "hx-on handler (evaluated code)"),
]


@pytest.mark.parametrize("template", sorted(TEMPLATES.rglob("*.html")), ids=str)
def test_no_template_holds_inline_code_or_style(template: Path) -> None:
    if template.parent.name == "email":
        return  # e-mails are not pages
    text = template.read_text()
    found = [what for pattern, what in INLINE if pattern.search(text)]
    assert found == [], template


# --- downloads -----------------------------------------------------------------------------------


def assert_sandboxed(response: Any) -> None:
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "sandbox"


def test_a_document_download_is_sandboxed_on_the_page_and_the_api(world: World) -> None:
    document = document_by(world, Visibility.PROSECUTION, "Lab report")
    prosecutor = world.user(Role.PROSECUTOR)

    page = signed_in(prosecutor).get(
        reverse("records:document-download", args=[world.case.pk, document.pk])
    )
    api = api_as(prosecutor).get(reverse("document-download", args=[document.pk]))

    assert_sandboxed(page)
    assert_sandboxed(api)


def test_the_agreement_pdf_is_sandboxed_on_the_page_and_the_api(world: World) -> None:
    agreement = signed_agreement(world)
    counsel = world.user(Role.DEFENSE_COUNSEL)

    page = signed_in(counsel).get(reverse("negotiations:agreement-pdf", args=[agreement.pk]))
    api = api_as(counsel).get(reverse("agreement-pdf", args=[agreement.pk]))

    assert page["Content-Type"] == api["Content-Type"] == "application/pdf"
    assert_sandboxed(page)
    assert_sandboxed(api)


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_history_exports_are_sandboxed_on_the_page_and_the_api(world: World, fmt: str) -> None:
    draft_offer(world)
    clerk = world.user(Role.COURT_STAFF)

    page = signed_in(clerk).get(reverse(f"audit:history-export-{fmt}", args=[world.case.pk]))
    api = api_as(clerk).get(reverse("case-history-export", args=[world.case.pk]), {"as": fmt})

    assert_sandboxed(page)
    assert_sandboxed(api)


def test_a_calendar_feed_is_sandboxed(world: World) -> None:
    token = feeds.feed_issue(user=world.user(Role.DEFENSE_COUNSEL), case=None)

    response = Client().get(reverse("deadlines:feed-ics", args=[token]))

    assert response["Content-Type"].startswith("text/calendar")
    assert_sandboxed(response)


def test_the_docket_sync_template_is_sandboxed(world: World) -> None:
    response = signed_in(world.user(Role.COURT_STAFF)).get(
        reverse("docketsync:template", args=[world.court.pk])
    )

    assert response["Content-Type"].startswith("text/csv")
    assert_sandboxed(response)


def test_api_answers_keep_the_page_policy_and_a_page_is_never_sandboxed(world: World) -> None:
    api = api_as(world.user(Role.PROSECUTOR)).get(reverse("case-list"))
    page = signed_in(world.user(Role.PROSECUTOR)).get(reverse("dashboard"))

    assert "sandbox" not in directives(api)
    assert "sandbox" not in directives(page)
