"""Signing in and out of the pages, and what an anonymous visitor gets."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from cases.models import Case, Charge
from parties.models import Role
from tests.conftest import World
from tests.factories import PASSWORD


def page_urls(world: World) -> list[str]:
    return [
        reverse("dashboard"),
        reverse("cases:list"),
        reverse("cases:open"),
        reverse("cases:detail", args=[world.case.pk]),
    ]


def test_login_page_has_labelled_fields(client: Client, db: None) -> None:
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_username">' in html
    assert '<label for="id_password">' in html
    assert 'href="#main"' in html  # the skip link


def test_anonymous_visitor_is_sent_to_login_from_every_page(client: Client, world: World) -> None:
    for url in page_urls(world):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"{reverse('login')}?next={url}"


def test_anonymous_post_is_sent_to_login_and_writes_nothing(client: Client, world: World) -> None:
    url = reverse("cases:charge-add", args=[world.case.pk])
    response = client.post(url, {"charge-statute": world.statute.pk})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert Charge.objects.filter(case=world.case).count() == 1


def test_expired_session_under_htmx_sends_the_window_to_login(client: Client, world: World) -> None:
    detail = reverse("cases:detail", args=[world.case.pk])
    response = client.post(
        reverse("cases:charge-add", args=[world.case.pk]),
        {"charge-statute": world.statute.pk},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=f"http://testserver{detail}",
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{reverse('login')}?next={detail}"
    assert Charge.objects.filter(case=world.case).count() == 1


def test_login_with_the_right_password_lands_on_my_cases(client: Client, world: World) -> None:
    response = client.post(reverse("login"), {"username": "clerk", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    assert client.session[SESSION_KEY] == str(world.user(Role.COURT_STAFF).pk)


def test_login_follows_next_to_the_case(client: Client, world: World) -> None:
    detail = reverse("cases:detail", args=[world.case.pk])
    response = client.post(
        reverse("login"), {"username": "defense", "password": PASSWORD, "next": detail}
    )
    assert response["Location"] == detail


def test_login_with_a_wrong_password_says_so_and_signs_no_one_in(
    client: Client, world: World
) -> None:
    response = client.post(reverse("login"), {"username": "clerk", "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_signed_in_user_opening_login_goes_to_my_cases(client: Client, world: World) -> None:
    client.force_login(world.user(Role.PROSECUTOR))
    response = client.get(reverse("login"))
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")


def test_logout_is_a_post(client: Client, world: World) -> None:
    client.force_login(world.user(Role.PROSECUTOR))
    assert client.get(reverse("logout")).status_code == 405
    assert SESSION_KEY in client.session
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert SESSION_KEY not in client.session


def test_every_page_offers_a_sign_out_form(client: Client, world: World) -> None:
    client.force_login(world.user(Role.PROSECUTOR))
    for url in page_urls(world):
        html = client.get(url).content.decode()
        assert f'action="{reverse("logout")}"' in html, url
        assert 'hx-headers=\'{"X-CSRFToken": "' in html, url


@pytest.mark.parametrize("url_name", ["cases:charge-add", "cases:update", "cases:transition"])
def test_action_urls_refuse_get(client: Client, world: World, url_name: str) -> None:
    client.force_login(world.user(Role.PROSECUTOR))
    response = client.get(reverse(url_name, args=[world.case.pk]))
    assert response.status_code == 405
    assert Case.objects.get(pk=world.case.pk).status == "intake"


def test_stale_form_gets_a_page_that_says_nothing_was_saved(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user(Role.PROSECUTOR))
    response = client.post(
        reverse("cases:charge-add", args=[world.case.pk]), {"charge-statute": world.statute.pk}
    )
    assert response.status_code == 403
    assert "Nothing was saved." in response.content.decode()
    assert Charge.objects.filter(case=world.case).count() == 1
