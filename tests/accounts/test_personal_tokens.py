"""Personal API tokens (issue 14): stored as hashes, expire (PERSONAL_TOKEN_DAYS), revoked when
the password changes or the account is deactivated; people list and revoke their own on a page
and in the API, and nobody else's. Tokens made before this (DRF's, kept in clear) keep working."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from importlib import import_module
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import PersonalToken, RevokedBecause
from accounts.services import PERSONAL_TOKEN_LIMIT, personal_token_create
from parties.models import Role
from tests.conftest import World
from tests.factories import PASSWORD


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def obtain(username: str, password: str = PASSWORD, **extra: Any) -> Any:
    return APIClient().post(
        reverse("api-token"), {"username": username, "password": password, **extra}, format="json"
    )


def with_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def works(key: str) -> bool:
    response = with_token(key).get(reverse("case-list"))
    assert response.status_code in (200, 401)
    return response.status_code == 200


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- storage -----------------------------------------------------------------------------------


def test_only_a_hash_of_the_key_is_stored(world: World) -> None:
    key = obtain("defense").json()["token"]

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_personaltoken")
        stored = str(cursor.fetchall())
    assert key not in stored
    assert hashlib.sha256(key.encode()).hexdigest() in stored
    assert key[:12] in stored  # the prefix to recognise it by


def test_the_token_endpoint_names_the_token(world: World) -> None:
    body = obtain("defense", name="nightly export").json()

    assert body["name"] == "nightly export"
    assert PersonalToken.objects.get(pk=body["id"]).name == "nightly export"


# --- expiry ------------------------------------------------------------------------------------


def test_a_token_expires_after_ninety_days(world: World, clock: Any) -> None:
    body = obtain("defense").json()
    made = timezone.now()

    assert dt.datetime.fromisoformat(body["expires_at"]) == made + dt.timedelta(days=90)
    clock.shift(dt.timedelta(days=90) - dt.timedelta(minutes=1))
    assert works(body["token"])
    clock.shift(dt.timedelta(minutes=2))
    assert not works(body["token"])


def test_the_lifetime_is_a_setting(world: World, settings: Any, clock: Any) -> None:
    settings.PERSONAL_TOKEN_DAYS = 7
    key = obtain("defense").json()["token"]

    clock.shift(dt.timedelta(days=7, seconds=1))

    assert not works(key)


# --- revocation --------------------------------------------------------------------------------


def test_changing_the_password_revokes_every_token(world: World) -> None:
    first, second = obtain("defense").json()["token"], obtain("defense").json()["token"]
    counsel = world.user(Role.DEFENSE_COUNSEL)

    counsel.set_password("a-new-Passw0rd-for-counsel")
    counsel.save()

    assert not works(first) and not works(second)
    assert set(PersonalToken.objects.values_list("revoked_because", flat=True)) == {
        RevokedBecause.PASSWORD_CHANGED
    }
    # A new password gives new tokens that work.
    assert works(obtain("defense", "a-new-Passw0rd-for-counsel").json()["token"])


def test_an_administrator_changing_the_password_revokes_them_too(world: World) -> None:
    key = obtain("defense").json()["token"]
    admin = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    counsel = world.user(Role.DEFENSE_COUNSEL)

    response = signed_in(admin).post(
        reverse("admin:auth_user_password_change", args=[counsel.pk]),
        {"password1": "Another-Passw0rd-2026", "password2": "Another-Passw0rd-2026"},
    )

    assert response.status_code == 302
    assert not works(key)


def test_signing_in_keeps_the_tokens(world: World) -> None:
    key = obtain("defense").json()["token"]

    Client().post(reverse("login"), {"username": "defense", "password": PASSWORD})

    assert works(key)


def test_deactivating_the_account_revokes_them_for_good(world: World) -> None:
    key = obtain("defense").json()["token"]
    counsel = world.user(Role.DEFENSE_COUNSEL)

    counsel.is_active = False
    counsel.save()
    assert not works(key)
    counsel.is_active = True
    counsel.save()

    assert not works(key)
    assert PersonalToken.objects.get().revoked_because == RevokedBecause.DEACTIVATED


# --- one's own tokens: the API -----------------------------------------------------------------


def test_people_list_their_own_tokens_and_no_one_elses(world: World) -> None:
    mine = obtain("defense", name="mine").json()
    obtain("prosecutor", name="theirs")

    listed = with_token(mine["token"]).get(reverse("personal-token-list"))

    assert listed.status_code == 200
    assert [row["name"] for row in listed.json()] == ["mine"]
    assert "token" not in listed.json()[0] and "key_hash" not in listed.json()[0]


def test_people_revoke_their_own_token(world: World) -> None:
    script = obtain("defense", name="script").json()
    laptop = obtain("defense", name="laptop").json()

    response = with_token(laptop["token"]).post(
        reverse("personal-token-revoke", args=[script["id"]])
    )

    assert response.status_code == 200
    assert response.json()["revoked_because"] == RevokedBecause.OWNER
    assert not works(script["token"])
    assert works(laptop["token"])


def test_no_one_revokes_another_persons_token(world: World) -> None:
    theirs = obtain("prosecutor").json()
    mine = obtain("defense").json()

    response = with_token(mine["token"]).post(reverse("personal-token-revoke", args=[theirs["id"]]))

    assert response.status_code == 404
    assert works(theirs["token"])


def test_the_token_list_needs_a_signed_in_caller(world: World) -> None:
    assert APIClient().get(reverse("personal-token-list")).status_code == 401


def test_a_person_holds_a_bounded_number_of_tokens(world: World) -> None:
    for n in range(PERSONAL_TOKEN_LIMIT):
        assert obtain("defense", name=f"t{n}").status_code == 200

    response = obtain("defense")

    assert (response.status_code, response.json()["code"]) == (409, "too_many_tokens")


# --- one's own tokens: the page ----------------------------------------------------------------


def test_the_page_makes_a_token_and_shows_it_once(world: World) -> None:
    client = signed_in(world.user(Role.PROSECUTOR))

    made = client.post(reverse("accounts:tokens"), {"name": "docket script"})
    listed = client.get(reverse("accounts:tokens"))

    token = PersonalToken.objects.get(user=world.user(Role.PROSECUTOR))
    html = made.content.decode()
    assert made.status_code == 201
    assert made["Cache-Control"] == "no-store"
    key = html.split('id="new-token-value" class="mono" type="text" value="')[1].split('"')[0]
    assert hashlib.sha256(key.encode()).hexdigest() == token.key_hash
    assert works(key)
    assert key not in listed.content.decode()
    assert "docket script" in listed.content.decode()


def test_the_page_lists_only_my_tokens(world: World) -> None:
    personal_token_create(user=world.user(Role.PROSECUTOR), name="mine")
    personal_token_create(user=world.user(Role.DEFENSE_COUNSEL), name="not mine")

    html = signed_in(world.user(Role.PROSECUTOR)).get(reverse("accounts:tokens")).content.decode()

    assert "mine" in html and "not mine" not in html


def test_the_page_revokes_my_token_and_not_anothers(world: World) -> None:
    mine, my_key = personal_token_create(user=world.user(Role.PROSECUTOR), name="mine")
    theirs, their_key = personal_token_create(user=world.user(Role.JUDGE), name="theirs")
    client = signed_in(world.user(Role.PROSECUTOR))

    other = client.post(reverse("accounts:token-revoke", args=[theirs.pk]))
    own = client.post(reverse("accounts:token-revoke", args=[mine.pk]))

    assert other.status_code == 404
    assert own.status_code == 302
    assert not works(my_key)
    assert works(their_key)


def test_the_page_asks_for_a_name(world: World) -> None:
    response = signed_in(world.user(Role.PROSECUTOR)).post(reverse("accounts:tokens"), {})

    assert response.status_code == 400
    assert not PersonalToken.objects.exists()


def test_the_token_pages_need_a_signed_in_person(world: World) -> None:
    token, _key = personal_token_create(user=world.user(Role.JUDGE), name="x")
    for method, url in [
        ("get", reverse("accounts:tokens")),
        ("post", reverse("accounts:token-revoke", args=[token.pk])),
    ]:
        response = getattr(Client(), method)(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


# --- tokens from before ------------------------------------------------------------------------


def test_tokens_made_before_keep_working_and_are_kept_as_hashes(world: World) -> None:
    old = Token.objects.create(user=world.user(Role.DEFENSE_COUNSEL))
    migration = import_module("accounts.migrations.0002_personal_tokens_from_drf")

    migration.forwards(apps, None)

    assert not Token.objects.exists()
    moved = PersonalToken.objects.get()
    assert (moved.user_id, moved.key_hash) == (
        old.user_id,
        hashlib.sha256(old.key.encode()).hexdigest(),
    )
    assert works(old.key)
    assert moved.expires_at > timezone.now() + dt.timedelta(days=89)
