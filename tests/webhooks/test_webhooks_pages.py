"""The webhook pages under an API client: its owner and the court's staff list, subscribe,
edit, rotate, disable, enable, delete and replay; everyone else finds nothing (404)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from integrations import services as client_services
from parties.models import Role
from tests.conftest import World
from tests.webhooks.test_webhooks_api import PUBLIC_URL, Hooked, _failed_delivery, hooked
from webhooks import services
from webhooks.models import Delivery, DeliveryStatus, WebhookEndpoint, WebhookSecret

__all__ = ["hooked"]
ROLES = list(Role)


def _as(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _urls(h: Hooked) -> dict[str, str]:
    c, e, d = h.client.pk, h.endpoint.pk, h.delivery.pk
    return {
        "endpoints": reverse("webhooks:endpoints", args=[c]),
        "endpoint": reverse("webhooks:endpoint", args=[c, e]),
        "rotate": reverse("webhooks:endpoint-rotate", args=[c, e]),
        "enable": reverse("webhooks:endpoint-enable", args=[c, e]),
        "disable": reverse("webhooks:endpoint-disable", args=[c, e]),
        "delete": reverse("webhooks:endpoint-delete", args=[c, e]),
        "replay": reverse("webhooks:delivery-replay", args=[c, e, d]),
    }


def test_the_urls(hooked: Hooked) -> None:
    c, e = hooked.client.pk, hooked.endpoint.pk
    assert _urls(hooked)["endpoints"] == f"/integrations/clients/{c}/webhooks/"
    assert _urls(hooked)["endpoint"] == f"/integrations/clients/{c}/webhooks/{e}/"


def test_anonymous_is_sent_to_sign_in(hooked: Hooked) -> None:
    for name, url in _urls(hooked).items():
        response = Client().get(url) if name in ("endpoints", "endpoint") else Client().post(url)
        assert response.status_code == 302 and "/login/" in response["Location"], name


def _assert_finds_nothing(browser: Client, h: Hooked) -> None:
    for name, url in _urls(h).items():
        if name in ("endpoints", "endpoint"):
            assert browser.get(url).status_code == 404, name
        assert (
            browser.post(url, {"url": PUBLIC_URL, "event_types": ["case.created"]}).status_code
            == 404
        ), name
    assert WebhookEndpoint.objects.count() == 1
    assert WebhookSecret.objects.count() == 1
    assert Delivery.objects.count() == 1


@pytest.mark.parametrize("role", [r for r in ROLES if r != Role.COURT_STAFF])
def test_other_roles_of_the_court_find_nothing(hooked: Hooked, role: Role) -> None:
    _assert_finds_nothing(_as(hooked.world.user(role)), hooked)


@pytest.mark.parametrize("role", ROLES)
def test_strangers_find_nothing(hooked: Hooked, role: Role) -> None:
    _assert_finds_nothing(_as(hooked.world.strangers[role]), hooked)


def test_the_owner_who_is_not_staff_has_the_pages(world: World) -> None:
    prosecutor = world.user(Role.PROSECUTOR)
    client = client_services.api_client_create(
        court=world.court,
        name="DA system",
        owner=prosecutor,
        by=world.user(Role.COURT_STAFF),
        role=Role.PROSECUTOR,
        organization=world.orgs["da"],
    )
    page = _as(prosecutor).get(reverse("webhooks:endpoints", args=[client.pk]))
    assert page.status_code == 200 and "Subscribe an endpoint" in page.content.decode()


def test_the_list_and_subscribing(hooked: Hooked) -> None:
    browser = _as(hooked.world.user(Role.COURT_STAFF))
    urls = _urls(hooked)
    page = browser.get(urls["endpoints"])
    text = page.content.decode()
    assert page.status_code == 200 and PUBLIC_URL in text and 'for="id_event_types_0"' in text
    made = browser.post(
        urls["endpoints"],
        {"url": "https://93.184.215.15/x", "event_types": ["hearing.scheduled"], "description": ""},
    )
    assert made.status_code == 201 and made["Cache-Control"] == "no-store"
    secret = WebhookSecret.objects.latest("id").secret
    assert secret in made.content.decode()
    # Shown once: the list does not show it again.
    assert secret not in browser.get(urls["endpoints"]).content.decode()


@pytest.mark.parametrize(
    ("data", "field", "says"),
    [
        ({"url": "http://10.0.0.1/", "event_types": ["case.created"]}, "url", "private address"),
        ({"url": PUBLIC_URL}, "event_types", "Choose at least one event type."),
        ({"url": "", "event_types": ["case.created"]}, "url", "required"),
    ],
)
def test_bad_input_is_400_next_to_the_field(
    hooked: Hooked, data: dict[str, Any], field: str, says: str
) -> None:
    response = _as(hooked.world.user(Role.COURT_STAFF)).post(_urls(hooked)["endpoints"], data)
    assert response.status_code == 400
    assert says in " ".join(response.context["form"].errors[field])
    assert f'id="id_{field}_error"' in response.content.decode()


def test_the_endpoint_page_shows_the_log_with_attempts(
    hooked: Hooked, django_assert_max_num_queries: Any
) -> None:
    for _ in range(4):
        _failed_delivery(hooked.world, hooked.endpoint)
    browser = _as(hooked.world.user(Role.COURT_STAFF))
    with django_assert_max_num_queries(16):
        page = browser.get(_urls(hooked)["endpoint"])
    text = page.content.decode()
    assert page.status_code == 200
    assert text.count("HTTP 500") == 5 and text.count(">Replay<") == 5


def test_the_endpoint_page_costs_the_same_whatever_the_log(
    hooked: Hooked, django_assert_num_queries: Any
) -> None:
    browser = _as(hooked.world.user(Role.COURT_STAFF))
    url = _urls(hooked)["endpoint"]
    browser.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        browser.get(url)
    for _ in range(6):
        _failed_delivery(hooked.world, hooked.endpoint)
    with django_assert_num_queries(len(few.captured_queries)):
        browser.get(url)


def test_editing(hooked: Hooked) -> None:
    browser = _as(hooked.world.user(Role.COURT_STAFF))
    url = _urls(hooked)["endpoint"]
    saved = browser.post(url, {"url": PUBLIC_URL, "event_types": ["case.created", "case.updated"]})
    assert saved.status_code == 302
    hooked.endpoint.refresh_from_db()
    assert hooked.endpoint.event_types == ["case.created", "case.updated"]
    bad = browser.post(url, {"url": "http://[::1]/", "event_types": ["case.created"]})
    assert bad.status_code == 400 and "loopback" in bad.content.decode()


def test_rotating_shows_the_new_secret_once(hooked: Hooked) -> None:
    browser = _as(hooked.world.user(Role.COURT_STAFF))
    rotated = browser.post(_urls(hooked)["rotate"])
    assert rotated.status_code == 200 and rotated["Cache-Control"] == "no-store"
    new = WebhookSecret.objects.filter(endpoint=hooked.endpoint, expires_at__isnull=True).get()
    assert new.secret in rotated.content.decode()
    assert new.secret not in browser.get(_urls(hooked)["endpoint"]).content.decode()


def test_disable_enable_replay_delete(hooked: Hooked) -> None:
    browser = _as(hooked.world.user(Role.COURT_STAFF))
    urls = _urls(hooked)
    assert browser.post(urls["disable"]).status_code == 302
    # Replaying on a disabled endpoint says why, on the page.
    refused = browser.post(urls["replay"])
    assert refused.status_code == 409 and "enable it first" in refused.content.decode()
    page = browser.get(urls["endpoint"]).content.decode()
    assert "Nothing is sent to this endpoint" in page and "Enable the endpoint" in page
    assert browser.post(urls["enable"]).status_code == 302
    assert browser.post(urls["replay"]).status_code == 302
    assert Delivery.objects.filter(
        replay_of=hooked.delivery, status=DeliveryStatus.PENDING
    ).exists()
    assert browser.post(urls["replay"]).status_code == 409
    gone = browser.post(urls["delete"])
    assert gone.status_code == 302 and gone["Location"] == urls["endpoints"]
    assert not WebhookEndpoint.objects.exists()


def test_the_client_page_links_here(hooked: Hooked) -> None:
    page = _as(hooked.world.user(Role.COURT_STAFF)).get(
        reverse("integrations:client", args=[hooked.client.pk])
    )
    assert _urls(hooked)["endpoints"] in page.content.decode()


def test_a_revoked_client_offers_no_new_subscription(hooked: Hooked) -> None:
    clerk = hooked.world.user(Role.COURT_STAFF)
    client_services.api_client_revoke(client=hooked.client, by=clerk)
    page = _as(clerk).get(_urls(hooked)["endpoints"])
    assert "Subscribe an endpoint" not in page.content.decode()
    refused = _as(clerk).post(
        _urls(hooked)["endpoints"], {"url": PUBLIC_URL, "event_types": ["case.created"]}
    )
    assert refused.status_code == 409 and "revoked" in refused.content.decode()
    assert services is not None


def test_the_admin_pages_load_and_never_show_a_secret(hooked: Hooked) -> None:
    from django.contrib.auth.models import User

    services.events_fan_out_missed()
    services.event_fan_out(hooked.delivery.event_id)
    hooked.delivery.attempt_log.create(
        attempted_at=hooked.delivery.created_at, status_code=500, duration_ms=12
    )
    browser = Client()
    browser.force_login(User.objects.create_superuser("root", "root@example.org", "x"))
    secret = WebhookSecret.objects.get().secret
    for model in (
        "webhookendpoint",
        "webhooksecret",
        "delivery",
        "deliveryattempt",
        "fanoutcursor",
        "fannedout",
    ):
        listed = browser.get(reverse(f"admin:webhooks_{model}_changelist"))
        assert listed.status_code == 200, model
        from django.apps import apps

        obj = apps.get_model("webhooks", model).objects.first()
        shown = browser.get(reverse(f"admin:webhooks_{model}_change", args=[obj.pk]))
        assert shown.status_code == 200, model
        assert secret not in listed.content.decode() + shown.content.decode()
