"""Each person's language: their own choice (the language page, the header's switch, the API),
else their office's jurisdiction's document language (cases.profiles: Chinese for cn), else
their browser's; the page says which (`<html lang>`)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.language import SESSION_KEY
from parties.models import Role, UserProfile
from tests import factories
from tests.conftest import World, api_as, make_user
from tests.factories import PASSWORD


def html_lang(response: Any) -> str:
    match = re.search(r'<html lang="([^"]+)">', response.content.decode())
    assert match is not None
    return match.group(1)


@pytest.fixture
def cn_duty(world: World) -> User:
    cn = factories.jurisdiction("cn")
    aid = factories.OrganizationFactory.create(
        name="海淀区法律援助中心", kind="legal_aid", jurisdiction=cn
    )
    return make_user("cn_duty_lang", Role.DUTY_LAWYER, aid, names=("敏", "刘"))


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_shipped_profiles_name_their_document_language(world: World) -> None:
    # CPL art. 9: a court's documents are issued in the language in common use there.
    assert factories.jurisdiction("cn").parameters["document_language"] == "zh-hans"
    assert factories.jurisdiction("us-fed").parameters["document_language"] == "en"


def test_a_us_office_reads_english(world: World) -> None:
    response = signed_in(world.user(Role.PROSECUTOR)).get(reverse("dashboard"))
    assert html_lang(response) == "en"
    assert "My cases" in response.content.decode()
    assert response["Content-Language"] == "en"


def test_a_cn_office_reads_chinese_by_default(cn_duty: User) -> None:
    response = signed_in(cn_duty).get(reverse("dashboard"))
    html = response.content.decode()
    assert html_lang(response) == "zh-hans"
    assert "我的案件" in html
    assert "退出登录" in html
    assert response["Content-Language"] == "zh-hans"


def test_own_choice_wins_over_the_office(cn_duty: User) -> None:
    cn_duty.profile.preferred_language = "en"
    cn_duty.profile.save()
    response = signed_in(cn_duty).get(reverse("dashboard"))
    assert html_lang(response) == "en"
    assert "My cases" in response.content.decode()


def test_no_preference_and_no_office_follows_the_browser(world: World) -> None:
    client = signed_in(world.user(Role.DEFENDANT))  # a defendant has no office
    response = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert html_lang(response) == "zh-hans"
    response = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="en-US")
    assert html_lang(response) == "en"


def test_header_switch_keeps_the_choice_on_the_profile(world: World) -> None:
    user = world.user(Role.DEFENSE_COUNSEL)
    client = signed_in(user)
    page = client.get(reverse("dashboard")).content.decode()
    assert 'name="language" value="zh-hans" lang="zh-hans">简体中文</button>' in page

    response = client.post(
        reverse("accounts:language"), {"language": "zh-hans", "next": reverse("cases:list")}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:list")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    assert UserProfile.objects.get(user=user).preferred_language == "zh-hans"
    after = client.get(reverse("cases:list"))
    assert html_lang(after) == "zh-hans"
    assert 'value="en" lang="en">English</button>' in after.content.decode()


def test_switch_refuses_another_site_as_next(world: World) -> None:
    client = signed_in(world.user(Role.DEFENSE_COUNSEL))
    response = client.post(
        reverse("accounts:language"), {"language": "en", "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:language")


def test_switch_refuses_a_language_parley_lacks(world: World) -> None:
    user = world.user(Role.DEFENSE_COUNSEL)
    response = signed_in(user).post(reverse("accounts:language"), {"language": "fr"})
    assert response.status_code == 400
    assert 'class="field-error"' in response.content.decode()
    assert UserProfile.objects.get(user=user).preferred_language == ""


def test_language_page_saves_and_clears_the_choice(cn_duty: User) -> None:
    client = signed_in(cn_duty)
    page = client.get(reverse("accounts:language"))
    assert page.status_code == 200
    assert "首选语言" in page.content.decode()
    client.post(reverse("accounts:language"), {"language": "en"})
    assert html_lang(client.get(reverse("accounts:language"))) == "en"
    client.post(reverse("accounts:language"), {"language": ""})  # back to the office's
    assert UserProfile.objects.get(user=cn_duty).preferred_language == ""
    assert html_lang(client.get(reverse("accounts:language"))) == "zh-hans"


def test_anonymous_switch_sets_only_the_cookie(client: Client, db: None) -> None:
    response = client.post(
        reverse("accounts:language"), {"language": "zh-hans", "next": reverse("login")}
    )
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    assert html_lang(client.get(reverse("login"))) == "zh-hans"


def test_language_page_needs_sign_in(client: Client, db: None) -> None:
    response = client.get(reverse("accounts:language"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_signing_in_brings_the_office_language(cn_duty: User) -> None:
    client = Client()
    client.post(reverse("login"), {"username": cn_duty.username, "password": PASSWORD})
    assert client.session[SESSION_KEY] == "zh-hans"
    assert html_lang(client.get(reverse("dashboard"))) == "zh-hans"


def test_a_request_reads_the_language_from_the_session_not_the_database(
    cn_duty: User,
) -> None:
    from django.test import RequestFactory
    from django.utils import translation

    from accounts.language import PreferredLanguageMiddleware

    request = RequestFactory().get("/")
    request.user = cn_duty
    request.session = {SESSION_KEY: "zh-hans"}  # type: ignore[assignment]
    middleware = PreferredLanguageMiddleware(lambda r: HttpResponse(translation.get_language()))
    with CaptureQueriesContext(connection) as queries, translation.override("en"):
        response = middleware(request)
    assert response.content == b"zh-hans"
    assert len(queries) == 0


def test_api_reads_and_sets_the_preferred_language(cn_duty: User) -> None:
    client = api_as(cn_duty)
    url = reverse("api-language")
    body = client.get(url).json()
    assert body["preferred_language"] == ""
    assert body["language"] == "zh-hans"
    assert body["available_languages"] == {"en": "English", "zh-hans": "简体中文"}
    body = client.patch(url, {"preferred_language": "en"}, format="json").json()
    assert body == {**body, "preferred_language": "en", "language": "en"}
    assert UserProfile.objects.get(user=cn_duty).preferred_language == "en"


def test_api_refuses_an_unknown_language_field_by_field(world: World) -> None:
    response = api_as(world.user(Role.PROSECUTOR)).patch(
        reverse("api-language"), {"preferred_language": "klingon"}, format="json"
    )
    assert response.status_code == 400
    assert "preferred_language" in str(response.json())


def test_api_language_needs_sign_in(db: None) -> None:
    from rest_framework.test import APIClient

    assert APIClient().get(reverse("api-language")).status_code == 401


def test_api_answers_errors_in_the_accept_language(world: World) -> None:
    user = world.user(Role.PROSECUTOR)
    token_client = api_as(user)
    response = token_client.patch(
        reverse("api-language"), {}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 400
    assert response["Content-Language"] == "zh-hans"
    # DRF's own catalogue: "This field is required."
    assert "该字段是必填项。" in str(response.json())
    english = token_client.patch(reverse("api-language"), {}, format="json")
    assert "This field is required." in str(english.json())


def test_header_switch_returns_to_the_page_it_was_pressed_on(world: World) -> None:
    client = signed_in(world.user(Role.DEFENSE_COUNSEL))
    page = reverse("cases:detail", args=[world.case.pk])
    assert 'name="next"' not in client.get(page).content.decode()

    response = client.post(
        reverse("accounts:language"),
        {"language": "zh-hans"},
        HTTP_REFERER=f"http://testserver{page}?tab=1",
    )
    assert response["Location"] == f"{page}?tab=1"
    elsewhere = client.post(
        reverse("accounts:language"), {"language": "en"}, HTTP_REFERER="https://evil.example/x"
    )
    assert elsewhere["Location"] == reverse("accounts:language")
