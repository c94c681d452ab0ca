"""The webhooks API, /api/v1/webhooks/ and /api/v1/webhook-deliveries/: for the client itself
(its token) and the people who look after it (owner, the court's staff); every other role, and
a client of another court, finds nothing."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from cases import services as case_services
from integrations import services as client_services
from integrations.models import ApiClient, Event, EventType
from parties.models import Role
from tests.conftest import World, api_as
from tests.integration_helpers import bearer, court_client
from webhooks import services
from webhooks.models import Delivery, DeliveryStatus, WebhookEndpoint

# The paths of webhooks.api, for tests/test_api_auth.py.
WEBHOOK_PATHS = {
    "/api/v1/webhooks/",
    "/api/v1/webhooks/{id}/",
    "/api/v1/webhooks/{id}/deliveries/",
    "/api/v1/webhooks/{id}/disable/",
    "/api/v1/webhooks/{id}/enable/",
    "/api/v1/webhooks/{id}/rotate-secret/",
    "/api/v1/webhook-deliveries/{id}/",
    "/api/v1/webhook-deliveries/{id}/replay/",
}

PUBLIC_URL = "https://93.184.215.14/parley/hook"
ROLES = list(Role)
_CAPTIONS = itertools.count(1)


@dataclass
class Hooked:
    world: World
    client: ApiClient
    key: str
    endpoint: WebhookEndpoint
    delivery: Delivery


def _failed_delivery(world: World, endpoint: WebhookEndpoint) -> Delivery:
    case_services.case_update(
        case=world.case, by=world.user(Role.COURT_STAFF), caption=f"Caption {next(_CAPTIONS)}"
    )
    event = Event.objects.filter(type=EventType.CASE_UPDATED).latest("id")
    now = timezone.now()
    return Delivery.objects.create(
        endpoint=endpoint,
        event=event,
        message_id="msg_test",
        status=DeliveryStatus.FAILED,
        attempts=3,
        last_status_code=500,
        last_response_ms=40,
        created_at=now,
        completed_at=now,
    )


@pytest.fixture
def hooked(world: World) -> Hooked:
    client, key = court_client(world)
    endpoint, _secret = services.endpoint_create(
        client=client, by=client.owner, url=PUBLIC_URL, event_types=["case.updated"]
    )
    return Hooked(world, client, key, endpoint, _failed_delivery(world, endpoint))


def _foreign_key(world: World) -> str:
    other = world.strangers[Role.COURT_STAFF]
    foreign = client_services.api_client_create(
        court=world.other_court, name="Other docket", owner=other, by=other
    )
    return client_services.api_token_create(client=foreign, name="s", by=other)[1]


# --- who sees what ---------------------------------------------------------------------------


def _managers(h: Hooked) -> list[APIClient]:
    return [api_as(h.world.user(Role.COURT_STAFF)), bearer(h.key)]


@pytest.mark.parametrize("role", [r for r in ROLES if r != Role.COURT_STAFF])
def test_other_roles_of_the_court_find_nothing(hooked: Hooked, role: Role) -> None:
    api = api_as(hooked.world.user(role))
    _assert_finds_nothing(api, hooked)


@pytest.mark.parametrize("role", ROLES)
def test_strangers_find_nothing(hooked: Hooked, role: Role) -> None:
    _assert_finds_nothing(api_as(hooked.world.strangers[role]), hooked)


def test_a_client_of_another_court_finds_nothing(hooked: Hooked) -> None:
    _assert_finds_nothing(bearer(_foreign_key(hooked.world)), hooked)


def _assert_finds_nothing(api: APIClient, h: Hooked) -> None:
    e, d = h.endpoint.pk, h.delivery.pk
    assert api.get("/api/v1/webhooks/").json() == []
    for path in (f"/api/v1/webhooks/{e}/", f"/api/v1/webhooks/{e}/deliveries/"):
        assert api.get(path).status_code == 404, path
    assert api.get(f"/api/v1/webhook-deliveries/{d}/").status_code == 404
    for path in (
        f"/api/v1/webhooks/{e}/rotate-secret/",
        f"/api/v1/webhooks/{e}/enable/",
        f"/api/v1/webhooks/{e}/disable/",
        f"/api/v1/webhook-deliveries/{d}/replay/",
    ):
        assert api.post(path).status_code == 404, path
    assert api.patch(f"/api/v1/webhooks/{e}/", {"description": "x"}).status_code == 404
    assert api.delete(f"/api/v1/webhooks/{e}/").status_code == 404
    made = api.post(
        "/api/v1/webhooks/",
        {"client": h.client.pk, "url": PUBLIC_URL, "event_types": ["case.created"]},
        format="json",
    )
    assert made.status_code == 400 and "client" in made.json()
    assert WebhookEndpoint.objects.count() == 1


def test_anonymous_is_401(hooked: Hooked) -> None:
    api = APIClient()
    assert api.get("/api/v1/webhooks/").status_code == 401
    assert api.post(f"/api/v1/webhook-deliveries/{hooked.delivery.pk}/replay/").status_code == 401


@pytest.mark.parametrize("who", ["clerk", "token"])
def test_the_client_and_the_courts_staff_see_the_endpoint(hooked: Hooked, who: str) -> None:
    api = _managers(hooked)[0 if who == "clerk" else 1]
    (row,) = api.get("/api/v1/webhooks/").json()
    assert row["url"] == PUBLIC_URL and row["enabled"] is True
    assert row["event_types"] == ["case.updated"]
    assert "secret" not in row and row["secrets"][0]["prefix"].startswith("whsec_")
    detail = api.get(f"/api/v1/webhooks/{hooked.endpoint.pk}/")
    assert detail.status_code == 200 and detail["ETag"]
    log = api.get(f"/api/v1/webhooks/{hooked.endpoint.pk}/deliveries/").json()["results"]
    assert [
        (d["status"], d["attempts"], d["last_status_code"], d["response_time_ms"]) for d in log
    ] == [("failed", 3, 500, 40)]
    one = api.get(f"/api/v1/webhook-deliveries/{hooked.delivery.pk}/").json()
    assert one["attempt_log"] == [] and one["event_type"] == "case.updated"


def test_an_owner_who_is_not_court_staff_manages_their_clients_webhooks(world: World) -> None:
    prosecutor = world.user(Role.PROSECUTOR)
    client = client_services.api_client_create(
        court=world.court,
        name="DA system",
        owner=prosecutor,
        by=world.user(Role.COURT_STAFF),
        role=Role.PROSECUTOR,
        organization=world.orgs["da"],
    )
    made = api_as(prosecutor).post(
        "/api/v1/webhooks/",
        {"client": client.pk, "url": PUBLIC_URL, "event_types": ["offer.sent"]},
        format="json",
    )
    assert made.status_code == 201, made.content


def test_a_client_lists_only_its_own_endpoints(hooked: Hooked) -> None:
    second, key = court_client(hooked.world, name="Second system")
    services.endpoint_create(
        client=second, by=second.owner, url=PUBLIC_URL, event_types=["case.created"]
    )
    assert [r["client"] for r in bearer(key).get("/api/v1/webhooks/").json()] == [second.pk]
    clerk_rows = api_as(hooked.world.user(Role.COURT_STAFF)).get("/api/v1/webhooks/").json()
    assert len(clerk_rows) == 2
    only = api_as(hooked.world.user(Role.COURT_STAFF)).get(
        "/api/v1/webhooks/", {"client": second.pk}
    )
    assert [r["client"] for r in only.json()] == [second.pk]
    assert bearer(key).get(f"/api/v1/webhooks/{hooked.endpoint.pk}/").status_code == 404


@pytest.mark.parametrize("raw", ["²", "x", "1" * 19, "-1"])
def test_a_bad_client_filter_is_400(hooked: Hooked, raw: str) -> None:
    response = api_as(hooked.world.user(Role.COURT_STAFF)).get("/api/v1/webhooks/", {"client": raw})
    assert response.status_code == 400
    assert "client" in response.json()


# --- writes ----------------------------------------------------------------------------------


def test_a_client_subscribes_itself_and_gets_the_secret_once(hooked: Hooked) -> None:
    made = bearer(hooked.key).post(
        "/api/v1/webhooks/",
        {"url": PUBLIC_URL, "event_types": ["hearing.scheduled", "case.created"]},
        format="json",
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["secret"].startswith("whsec_") and made["Cache-Control"] == "no-store"
    assert body["client"] == hooked.client.pk
    assert body["event_types"] == ["case.created", "hearing.scheduled"]
    shown = bearer(hooked.key).get(f"/api/v1/webhooks/{body['id']}/").json()
    assert "secret" not in shown


@pytest.mark.parametrize(
    ("body", "field", "says"),
    [
        ({"url": "http://10.0.0.5/hook"}, "url", "private address"),
        ({"url": "http://169.254.169.254/"}, "url", "link-local"),
        ({"url": "http://localhost/hook"}, "url", "localhost resolves to a non-public address"),
        ({"url": "http://[::1]/"}, "url", "loopback"),
        ({"url": "gopher://93.184.215.14/"}, "url", "http"),
        ({"event_types": []}, "event_types", ""),
        ({"event_types": ["case.deleted"]}, "event_types", ""),
        ({"url": ""}, "url", ""),
    ],
)
def test_bad_input_is_400_on_its_field(
    hooked: Hooked, body: dict[str, Any], field: str, says: str, settings: Any
) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_DESTINATIONS = False
    full = {"url": PUBLIC_URL, "event_types": ["case.created"], **body}
    response = bearer(hooked.key).post("/api/v1/webhooks/", full, format="json")
    assert response.status_code == 400
    assert says in " ".join(map(str, response.json()[field]))


def test_a_person_must_name_the_client(hooked: Hooked) -> None:
    response = api_as(hooked.world.user(Role.COURT_STAFF)).post(
        "/api/v1/webhooks/", {"url": PUBLIC_URL, "event_types": ["case.created"]}, format="json"
    )
    assert response.status_code == 400 and "client" in response.json()


def test_a_revoked_clients_owner_cannot_subscribe_it(hooked: Hooked) -> None:
    clerk = hooked.world.user(Role.COURT_STAFF)
    client_services.api_client_revoke(client=hooked.client, by=clerk)
    response = api_as(clerk).post(
        "/api/v1/webhooks/",
        {"client": hooked.client.pk, "url": PUBLIC_URL, "event_types": ["case.created"]},
        format="json",
    )
    assert response.status_code == 409 and response.json()["code"] == "client_revoked"


def test_changing_an_endpoint_with_if_match(hooked: Hooked) -> None:
    api = bearer(hooked.key)
    path = f"/api/v1/webhooks/{hooked.endpoint.pk}/"
    etag = api.get(path)["ETag"]
    changed = api.patch(
        path,
        {"event_types": ["case.created"], "description": "Prod"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["event_types"] == ["case.created"] and changed["ETag"] != etag
    stale = api.patch(path, {"description": "Again"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    bad = api.patch(path, {"url": "http://127.0.0.1/"}, format="json")
    assert bad.status_code == 400 and "loopback" in bad.json()["url"][0]
    assert api.put(path, {}, format="json").status_code == 405


def test_rotating_the_secret(hooked: Hooked) -> None:
    response = bearer(hooked.key).post(f"/api/v1/webhooks/{hooked.endpoint.pk}/rotate-secret/")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["secret"].startswith("whsec_") and body["previous_valid_until"]
    secrets = bearer(hooked.key).get(f"/api/v1/webhooks/{hooked.endpoint.pk}/").json()["secrets"]
    assert [s["expires_at"] is None for s in secrets] == [True, False]


def test_disable_and_enable(hooked: Hooked) -> None:
    api = api_as(hooked.world.user(Role.COURT_STAFF))
    off = api.post(f"/api/v1/webhooks/{hooked.endpoint.pk}/disable/").json()
    assert off["enabled"] is False and "clerk" in off["disabled_reason"]
    on = api.post(f"/api/v1/webhooks/{hooked.endpoint.pk}/enable/").json()
    assert on["enabled"] is True and on["disabled_reason"] == ""


def test_replay_and_replaying_while_pending(hooked: Hooked) -> None:
    api = bearer(hooked.key)
    path = f"/api/v1/webhook-deliveries/{hooked.delivery.pk}/replay/"
    replayed = api.post(path)
    assert replayed.status_code == 201, replayed.content
    body = replayed.json()
    assert body["replay_of"] == hooked.delivery.pk and body["status"] == "pending"
    assert body["message_id"] == "msg_test"
    again = api.post(path)
    assert again.status_code == 409 and again.json()["code"] == "delivery_pending"


def test_replay_on_a_disabled_endpoint_is_409(hooked: Hooked) -> None:
    services.endpoint_disable(endpoint=hooked.endpoint, by=hooked.client.owner)
    response = bearer(hooked.key).post(f"/api/v1/webhook-deliveries/{hooked.delivery.pk}/replay/")
    assert response.status_code == 409 and response.json()["code"] == "endpoint_disabled"


def test_delete(hooked: Hooked) -> None:
    assert bearer(hooked.key).delete(f"/api/v1/webhooks/{hooked.endpoint.pk}/").status_code == 204
    assert not Delivery.objects.exists()


@pytest.mark.parametrize(
    "path", ["/api/v1/webhooks/99999999999999999999/", "/api/v1/webhooks/abc/deliveries/"]
)
def test_ids_that_are_not_ids_are_404(hooked: Hooked, path: str) -> None:
    assert bearer(hooked.key).get(path).status_code == 404


def test_a_bad_status_filter_is_400(hooked: Hooked) -> None:
    response = bearer(hooked.key).get(
        f"/api/v1/webhooks/{hooked.endpoint.pk}/deliveries/", {"status": "lost"}
    )
    assert response.status_code == 400 and "status" in response.json()


# --- planned reads ---------------------------------------------------------------------------


def test_lists_take_a_fixed_number_of_queries(
    hooked: Hooked, django_assert_num_queries: Any
) -> None:
    for _ in range(5):
        services.endpoint_create(
            client=hooked.client,
            by=hooked.client.owner,
            url=PUBLIC_URL,
            event_types=["case.created"],
        )
        _failed_delivery(hooked.world, hooked.endpoint)
    api = api_as(hooked.world.user(Role.COURT_STAFF))
    # endpoints; their secrets
    with django_assert_num_queries(2):
        assert len(api.get("/api/v1/webhooks/").json()) == 6
    # the endpoint (with its secrets); the page of deliveries with their events
    with django_assert_num_queries(3):
        assert (
            len(api.get(f"/api/v1/webhooks/{hooked.endpoint.pk}/deliveries/").json()["results"])
            == 6
        )
