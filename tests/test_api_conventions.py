"""API conventions every client relies on: versions (ETag / If-Match) and throttling."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from audit.models import AuditEvent
from cases.models import Case, Charge
from parties.models import Role
from tests.conftest import World, api_as


def token_client(user: Any) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


# --- ETag and If-Match ---------------------------------------------------------------------------


def test_a_case_carries_its_version_and_a_change_gives_it_a_new_one(world: World) -> None:
    client = api_as(world.user(Role.PROSECUTOR))
    url = f"/api/v1/cases/{world.case.pk}/"

    read = client.get(url)
    assert read.status_code == 200
    etag = read["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and len(etag) == 34
    assert client.get(url)["ETag"] == etag  # the same version reads the same

    changed = client.patch(url, {"caption": "United States v. Doe et al."}, HTTP_IF_MATCH=etag)
    assert changed.status_code == 200, changed.json()
    assert changed["ETag"] != etag
    assert changed["ETag"] == client.get(url)["ETag"]


def test_a_stale_if_match_is_refused_with_412_and_changes_nothing(world: World) -> None:
    first = api_as(world.user(Role.PROSECUTOR))
    second = api_as(world.user(Role.COURT_STAFF))
    url = f"/api/v1/cases/{world.case.pk}/"
    etag = first.get(url)["ETag"]
    assert second.get(url)["ETag"] == etag

    # Both read the same version; the first to write wins.
    assert first.patch(url, {"caption": "First"}, HTTP_IF_MATCH=etag).status_code == 200
    before = AuditEvent.objects.filter(case_id=world.case.pk).count()
    stale = second.patch(url, {"caption": "Second"}, HTTP_IF_MATCH=etag)

    assert stale.status_code == 412
    body = stale.json()
    assert body["code"] == "precondition_failed"
    assert body["etag"] == first.get(url)["ETag"] != etag
    assert Case.objects.get(pk=world.case.pk).caption == "First"
    assert AuditEvent.objects.filter(case_id=world.case.pk).count() == before


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, 200),  # no precondition: clients that do not send one keep working
        ("*", 200),
        ('"not-a-version"', 412),
        ("current-weak", 412),  # If-Match compares strongly: W/"…" never matches
        ("current-among-others", 200),
    ],
)
def test_if_match_forms(world: World, header: str | None, expected: int) -> None:
    client = api_as(world.user(Role.PROSECUTOR))
    url = f"/api/v1/cases/{world.case.pk}/"
    etag = client.get(url)["ETag"]
    sent = {
        "current-weak": f"W/{etag}",
        "current-among-others": f'"older", {etag}',
    }.get(header or "", header)
    extra: dict[str, Any] = {"HTTP_IF_MATCH": sent} if sent else {}
    assert client.patch(url, {"caption": "Renamed"}, **extra).status_code == expected


def test_a_charge_carries_its_version_and_refuses_a_stale_one(world: World) -> None:
    charge = Charge.objects.get(case=world.case)
    client = token_client(world.user(Role.PROSECUTOR))
    url = f"/api/v1/charges/{charge.pk}/"
    etag = client.get(url)["ETag"]

    amended = client.patch(url, {"description": "Amended"}, HTTP_IF_MATCH=etag, format="json")
    assert amended.status_code == 200
    stale = client.patch(url, {"description": "Again"}, HTTP_IF_MATCH=etag, format="json")
    assert stale.status_code == 412
    assert stale.json()["etag"] == amended["ETag"]
    assert Charge.objects.get(pk=charge.pk).description == "Amended"


def test_a_version_is_no_way_around_permissions(world: World) -> None:
    """A precondition is checked after the permission: the defense gets 403, not 412."""
    url = f"/api/v1/cases/{world.case.pk}/"
    defense = api_as(world.user(Role.DEFENSE_COUNSEL))
    response = defense.patch(url, {"caption": "x"}, HTTP_IF_MATCH='"stale"')
    assert response.status_code == 403


def test_the_schema_describes_if_match_and_412(world: World) -> None:
    schema = api_as(world.user(Role.PROSECUTOR)).get("/api/v1/schema/?format=json").json()
    patch = schema["paths"]["/api/v1/cases/{id}/"]["patch"]
    assert "If-Match" in {p["name"] for p in patch["parameters"]}
    assert "412" in patch["responses"]
    assert "ETag" in patch["responses"]["200"]["headers"]


# --- throttling ----------------------------------------------------------------------------------


@pytest.fixture
def rate(settings: Any) -> str:
    settings.API_THROTTLE_RATE = "3/min"
    return str(settings.API_THROTTLE_RATE)


def test_a_client_over_its_rate_gets_429_with_retry_after(world: World, rate: str) -> None:
    client = token_client(world.user(Role.PROSECUTOR))
    for _ in range(3):
        assert client.get("/api/v1/cases/").status_code == 200
    refused = client.get("/api/v1/cases/")

    assert refused.status_code == 429
    assert refused.json()["code"] == "throttled"
    assert 1 <= int(refused["Retry-After"]) <= 60


def test_each_token_has_its_own_budget(world: World, rate: str) -> None:
    first = token_client(world.user(Role.PROSECUTOR))
    second = token_client(world.user(Role.COURT_STAFF))
    for _ in range(3):
        assert first.get("/api/v1/cases/").status_code == 200
    assert first.get("/api/v1/cases/").status_code == 429
    assert second.get("/api/v1/cases/").status_code == 200


def test_a_session_user_is_counted_too(world: World, rate: str) -> None:
    user = world.user(Role.DEFENSE_COUNSEL)
    cache.delete(f"throttle_client_user:{user.pk}")
    client = APIClient()
    client.force_login(user)
    codes = [client.get("/api/v1/cases/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    cache.delete(f"throttle_client_user:{user.pk}")


def test_no_rate_means_no_limit(world: World, settings: Any) -> None:
    settings.API_THROTTLE_RATE = ""
    client = token_client(world.user(Role.PROSECUTOR))
    assert {client.get("/api/v1/cases/").status_code for _ in range(10)} == {200}


def test_the_cache_never_holds_a_token(world: World, rate: str) -> None:
    token = Token.objects.create(user=world.user(Role.PROSECUTOR))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/v1/cases/").status_code == 200

    redis = cache._cache.get_client()  # type: ignore[attr-defined]
    keys = [key.decode() for key in redis.scan_iter(match="*throttle_client_token:*")]
    assert keys
    assert not any(token.key in key for key in keys)
