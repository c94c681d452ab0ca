"""The API client pages: court staff make clients and tokens; owners keep them; everyone else
finds nothing (404) and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from integrations.models import ApiClient, ApiToken
from parties.models import Role
from tests.conftest import World
from tests.integration_helpers import bearer, court_client

ROLES = list(Role)


def _as(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_anonymous_is_sent_to_sign_in(world: World) -> None:
    response = Client().get("/integrations/clients/")
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("role", ROLES)
def test_the_list_per_role(world: World, role: Role) -> None:
    api_client, _key = court_client(world)
    page = _as(world.user(role)).get("/integrations/clients/")
    assert page.status_code == 200
    text = page.content.decode()
    staff = role == Role.COURT_STAFF
    assert (api_client.name in text) == staff
    assert ("Make a client" in text) == staff


@pytest.mark.parametrize("role", ROLES)
def test_only_court_staff_make_clients(world: World, role: Role) -> None:
    response = _as(world.user(role)).post(
        "/integrations/clients/",
        {"name": "Docket", "court": world.court.pk, "role": Role.COURT_STAFF, "owner": ""},
    )
    if role == Role.COURT_STAFF:
        client = ApiClient.objects.get(name="Docket")
        assert response.status_code == 302
        assert response["Location"] == f"/integrations/clients/{client.pk}/"
        assert client.owner == world.user(role)
    else:
        assert response.status_code == 404
        assert not ApiClient.objects.exists()


def test_staff_of_another_court_cannot_pick_this_court(world: World) -> None:
    response = _as(world.strangers[Role.COURT_STAFF]).post(
        "/integrations/clients/", {"name": "X", "court": world.court.pk, "role": "court_staff"}
    )
    assert response.status_code == 400
    assert "court" in response.context["form"].errors
    assert not ApiClient.objects.exists()


def test_bad_input_is_400_next_to_each_field(world: World) -> None:
    court_client(world, name="Docket")
    response = _as(world.user(Role.COURT_STAFF)).post(
        "/integrations/clients/",
        {"name": "Docket", "court": world.court.pk, "role": "judge", "owner": "nobody"},
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"role", "owner"} <= set(errors)
    response = _as(world.user(Role.COURT_STAFF)).post(
        "/integrations/clients/", {"name": "Docket", "court": world.court.pk, "role": "court_staff"}
    )
    assert response.status_code == 400
    assert "already has a client" in response.content.decode()
    assert ApiClient.objects.count() == 1


@pytest.mark.parametrize("role", ROLES)
def test_a_client_page_per_role(world: World, role: Role) -> None:
    api_client, _key = court_client(world)
    url = f"/integrations/clients/{api_client.pk}/"
    staff = role == Role.COURT_STAFF
    assert _as(world.user(role)).get(url).status_code == (200 if staff else 404)
    assert _as(world.strangers[role]).get(url).status_code == 404
    made = _as(world.user(role)).post(url, {"name": "laptop"})
    assert made.status_code == (201 if staff else 404)
    assert ApiToken.objects.filter(name="laptop").exists() == staff


def test_a_new_token_is_shown_once_and_works(world: World) -> None:
    api_client, _key = court_client(world)
    clerk = _as(world.user(Role.COURT_STAFF))
    url = f"/integrations/clients/{api_client.pk}/"
    made = clerk.post(url, {"name": "laptop"})
    assert made.status_code == 201 and made["Cache-Control"] == "no-store"
    key = made.context["new_key"]
    assert key in made.content.decode()
    assert bearer(key).get("/api/v1/cases/").status_code == 200
    again = clerk.get(url).content.decode()
    assert key not in again and key[:12] in again


def test_bad_token_input_is_400(world: World) -> None:
    api_client, _key = court_client(world)
    response = _as(world.user(Role.COURT_STAFF)).post(
        f"/integrations/clients/{api_client.pk}/", {"name": "", "expires_at": "not a date"}
    )
    assert response.status_code == 400
    assert {"name", "expires_at"} <= set(response.context["form"].errors)


def test_revoking_a_token_and_the_client(world: World) -> None:
    api_client, key = court_client(world)
    clerk = _as(world.user(Role.COURT_STAFF))
    token = ApiToken.objects.get(client=api_client)
    for role in ROLES:
        if role != Role.COURT_STAFF:
            url = f"/integrations/clients/{api_client.pk}/tokens/{token.pk}/revoke/"
            assert _as(world.user(role)).post(url).status_code == 404
    assert bearer(key).get("/api/v1/cases/").status_code == 200
    response = clerk.post(f"/integrations/clients/{api_client.pk}/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    assert bearer(key).get("/api/v1/cases/").status_code == 401
    assert (
        clerk.get(f"/integrations/clients/{api_client.pk}/tokens/{token.pk}/revoke/").status_code
        == 405
    )
    assert (
        _as(world.user(Role.JUDGE))
        .post(f"/integrations/clients/{api_client.pk}/revoke/")
        .status_code
        == 404
    )
    assert clerk.post(f"/integrations/clients/{api_client.pk}/revoke/").status_code == 302
    api_client.refresh_from_db()
    assert api_client.revoked_at is not None
    assert (
        "Make a token" not in clerk.get(f"/integrations/clients/{api_client.pk}/").content.decode()
    )


def test_the_owner_keeps_their_client(world: World) -> None:
    from integrations import services

    clerk = world.user(Role.COURT_STAFF)
    owner = world.user(Role.PROSECUTOR)
    api_client = services.api_client_create(
        court=world.court, name="DA system", owner=owner, by=clerk, role=Role.PROSECUTOR
    )
    page = _as(owner).get("/integrations/clients/")
    assert "DA system" in page.content.decode() and "Make a client" not in page.content.decode()
    assert (
        _as(owner).post(f"/integrations/clients/{api_client.pk}/", {"name": "x"}).status_code == 201
    )


@pytest.mark.parametrize("role", ROLES)
def test_court_staff_find_the_docket_sync_here(world: World, role: Role) -> None:
    text = _as(world.user(role)).get("/integrations/clients/").content.decode()
    link = f"/courts/{world.court.pk}/docket-sync/"
    assert (link in text) == (role == Role.COURT_STAFF)
