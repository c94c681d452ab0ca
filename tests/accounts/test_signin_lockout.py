"""Lockout of failed sign-ins (issue 14): on the sign-in page and the API's token endpoint,
per account and per address, each with its own limit (settings), a cool-off, a clear answer
(the page's message, the API's {"detail", "code"} with 429), every try in the audit trail, and
an unlock path for staff (the admin, `manage.py axes_reset_username`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import PersonalToken
from audit.models import AuditEvent
from parties.models import Role
from tests.conftest import World
from tests.factories import PASSWORD

WRONG = "not-the-password"
ACCOUNT_LIMIT = 10  # the defaults (config/settings/base.py)
ADDRESS_LIMIT = 30
COOLOFF = dt.timedelta(minutes=15)


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def page_sign_in(username: str, password: str, address: str = "198.51.100.7") -> Any:
    client = Client(REMOTE_ADDR=address)
    response = client.post(reverse("login"), {"username": username, "password": password})
    response.signed_in = SESSION_KEY in client.session  # type: ignore[attr-defined]
    return response


def api_sign_in(username: str, password: str, address: str = "198.51.100.7") -> Any:
    return APIClient(REMOTE_ADDR=address).post(
        reverse("api-token"), {"username": username, "password": password}, format="json"
    )


def fail(times: int, username: str = "clerk", address: str = "198.51.100.7") -> list[Any]:
    return [page_sign_in(username, WRONG, address) for _ in range(times)]


# --- the reported case ---------------------------------------------------------------------------


def test_sixty_wrong_passwords_then_the_right_one_does_not_sign_in(world: World) -> None:
    answers = fail(60)
    right = page_sign_in("clerk", PASSWORD)

    assert [a.status_code for a in answers[: ACCOUNT_LIMIT - 1]] == [200] * (ACCOUNT_LIMIT - 1)
    assert {a.status_code for a in answers[ACCOUNT_LIMIT - 1 :]} == {429}
    assert (right.status_code, right.signed_in) == (429, False)
    assert "Too many failed sign-ins" in right.content.decode()
    assert right["Retry-After"] == str(int(COOLOFF.total_seconds()))


def test_below_the_limit_the_right_password_still_signs_in(world: World) -> None:
    fail(ACCOUNT_LIMIT - 1)

    right = page_sign_in("clerk", PASSWORD)

    assert (right.status_code, right.signed_in) == (302, True)


def test_the_page_says_why_and_keeps_the_form(world: World) -> None:
    locked = fail(ACCOUNT_LIMIT)[-1]
    html = locked.content.decode()

    assert locked.status_code == 429
    assert 'role="alert"' in html
    assert "Sign-in is paused for 15 minutes" in html
    assert "ask an administrator to unlock it" in html
    assert '<label for="id_username">' in html


# --- per account, per address --------------------------------------------------------------------


def test_an_account_is_locked_from_every_address(world: World) -> None:
    for n in range(ACCOUNT_LIMIT):
        page_sign_in("clerk", WRONG, address=f"203.0.113.{n + 1}")

    from_elsewhere = page_sign_in("clerk", PASSWORD, address="192.0.2.200")
    someone_else = page_sign_in("judge", PASSWORD, address="192.0.2.200")

    assert (from_elsewhere.status_code, from_elsewhere.signed_in) == (429, False)
    assert (someone_else.status_code, someone_else.signed_in) == (302, True)


def test_an_address_is_locked_for_every_account(world: World) -> None:
    # Spread over many names (none reaches the account limit): a password spray.
    for n in range(ADDRESS_LIMIT):
        page_sign_in(f"guess{n % 5}", WRONG, address="198.51.100.99")

    same_address = page_sign_in("judge", PASSWORD, address="198.51.100.99")
    other_address = page_sign_in("judge", PASSWORD, address="198.51.100.100")

    assert (same_address.status_code, same_address.signed_in) == (429, False)
    assert (other_address.status_code, other_address.signed_in) == (302, True)


def test_behind_a_trusted_proxy_the_forwarded_address_is_counted(
    world: World, settings: Any
) -> None:
    settings.SIGNIN_TRUSTED_PROXIES = 1
    proxy = "10.0.0.5"

    def through_proxy(username: str, password: str, client_address: str) -> Any:
        client = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=f"192.0.2.1, {client_address}")
        response = client.post(reverse("login"), {"username": username, "password": password})
        response.signed_in = SESSION_KEY in client.session  # type: ignore[attr-defined]
        return response

    for n in range(ADDRESS_LIMIT):
        through_proxy(f"guess{n % 5}", WRONG, "198.51.100.99")

    assert through_proxy("judge", PASSWORD, "198.51.100.99").status_code == 429
    assert through_proxy("judge", PASSWORD, "198.51.100.100").signed_in


def test_unknown_names_are_counted_like_real_ones(world: World) -> None:
    answers = fail(ACCOUNT_LIMIT, username="nobody-by-that-name")

    assert answers[-1].status_code == 429


def test_the_limits_come_from_settings(world: World, settings: Any) -> None:
    settings.SIGNIN_ACCOUNT_FAILURE_LIMIT = 3

    answers = fail(3)

    assert [a.status_code for a in answers] == [200, 200, 429]


def test_a_zero_limit_turns_that_count_off(world: World, settings: Any) -> None:
    settings.SIGNIN_ADDRESS_FAILURE_LIMIT = 0
    for n in range(ADDRESS_LIMIT + 5):
        page_sign_in(f"guess{n % 8}", WRONG, address="198.51.100.99")

    assert page_sign_in("judge", PASSWORD, address="198.51.100.99").signed_in


# --- cool-off ------------------------------------------------------------------------------------


def test_the_lock_lifts_when_the_cooloff_has_passed(world: World, clock: Any) -> None:
    fail(ACCOUNT_LIMIT)
    clock.shift(COOLOFF - dt.timedelta(seconds=5))
    assert page_sign_in("clerk", PASSWORD).status_code == 429

    clock.shift(dt.timedelta(seconds=10))
    right = page_sign_in("clerk", PASSWORD)

    assert (right.status_code, right.signed_in) == (302, True)


def test_tries_during_a_lockout_do_not_extend_it(world: World, clock: Any) -> None:
    fail(ACCOUNT_LIMIT)
    for _ in range(5):
        clock.shift(dt.timedelta(minutes=2))
        assert fail(1)[0].status_code == 429
    clock.shift(COOLOFF - dt.timedelta(minutes=10) + dt.timedelta(seconds=5))

    assert page_sign_in("clerk", PASSWORD).signed_in


def test_the_count_starts_again_after_the_cooloff(world: World, clock: Any) -> None:
    fail(ACCOUNT_LIMIT - 1)
    clock.shift(COOLOFF + dt.timedelta(seconds=1))

    answers = fail(ACCOUNT_LIMIT - 1)

    assert {a.status_code for a in answers} == {200}
    assert fail(1)[0].status_code == 429


# --- the API's token endpoint --------------------------------------------------------------------


def test_the_token_endpoint_locks_out_with_the_apis_error_body(world: World) -> None:
    answers = [api_sign_in("defense", WRONG) for _ in range(ACCOUNT_LIMIT)]
    right = api_sign_in("defense", PASSWORD)

    assert [a.status_code for a in answers[:-1]] == [400] * (ACCOUNT_LIMIT - 1)
    for locked in (answers[-1], right):
        assert locked.status_code == 429
        assert locked["Content-Type"] == "application/json"
        assert locked.json()["code"] == "signin_locked"
        assert set(locked.json()) == {"detail", "code"}
        assert "Too many failed sign-ins" in locked.json()["detail"]
        assert locked["Retry-After"] == str(int(COOLOFF.total_seconds()))
    assert not PersonalToken.objects.exists()


def test_page_and_api_failures_count_together(world: World) -> None:
    half = ACCOUNT_LIMIT // 2
    fail(half, username="defense")
    for _ in range(ACCOUNT_LIMIT - half):
        api_sign_in("defense", WRONG)

    assert api_sign_in("defense", PASSWORD).status_code == 429
    assert page_sign_in("defense", PASSWORD).status_code == 429


def test_the_token_endpoint_still_gives_a_token_below_the_limit(world: World) -> None:
    for _ in range(ACCOUNT_LIMIT - 1):
        api_sign_in("defense", WRONG)

    assert api_sign_in("defense", PASSWORD).status_code == 200


# --- the audit trail -----------------------------------------------------------------------------


def test_every_failed_try_is_in_the_audit_trail_locked_or_not(world: World) -> None:
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    fail(ACCOUNT_LIMIT + 2)
    page_sign_in("clerk", PASSWORD)

    failed = AuditEvent.objects.filter(id__gt=before, kind="auth.login_failed")
    assert failed.count() == ACCOUNT_LIMIT + 3  # the refused right password too
    assert {event.data["username"] for event in failed} == {"clerk"}
    assert {str(event.ip) for event in failed} == {"198.51.100.7"}
    assert not AuditEvent.objects.filter(id__gt=before, kind="auth.login").exists()
    assert PASSWORD not in str(list(failed.values_list("data", flat=True)))


# --- unlocking -----------------------------------------------------------------------------------


def test_staff_unlock_an_account_with_the_management_command(world: World) -> None:
    assert fail(ACCOUNT_LIMIT)[-1].status_code == 429

    call_command("axes_reset_username", "clerk")

    assert page_sign_in("clerk", PASSWORD).signed_in


def test_staff_unlock_an_address_with_the_management_command(world: World) -> None:
    for n in range(ADDRESS_LIMIT):
        page_sign_in(f"guess{n % 5}", WRONG, address="198.51.100.99")
    assert page_sign_in("judge", PASSWORD, address="198.51.100.99").status_code == 429

    call_command("axes_reset_ip", "198.51.100.99")

    assert page_sign_in("judge", PASSWORD, address="198.51.100.99").signed_in


def test_an_administrator_unlocks_an_account_in_the_admin(world: World) -> None:
    assert fail(ACCOUNT_LIMIT)[-1].status_code == 429
    admin = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    client = Client()
    client.force_login(admin)

    response = client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "unlock_signin", "_selected_action": [world.user(Role.COURT_STAFF).pk]},
    )

    assert response.status_code == 302
    assert page_sign_in("clerk", PASSWORD).signed_in


def test_a_person_without_admin_rights_cannot_unlock(world: World) -> None:
    fail(ACCOUNT_LIMIT)
    client = Client()
    client.force_login(world.user(Role.COURT_STAFF))

    client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "unlock_signin", "_selected_action": [world.user(Role.COURT_STAFF).pk]},
    )

    assert page_sign_in("clerk", PASSWORD).status_code == 429


def test_the_admin_sign_in_is_the_sites_own(world: World) -> None:
    response = Client().get(reverse("admin:login"), {"next": "/admin/"})

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/admin/"
