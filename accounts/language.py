"""Which language a request is answered in. LocaleMiddleware picks the browser's (the language
cookie, else Accept-Language); a signed-in person's own (parties.selectors.language_of_profile:
their choice, else their office's jurisdiction's document language) replaces it. The API
honours an explicit Accept-Language: a client that sends one asks for that language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils import translation

from parties.selectors import language_of_user

# The person's language, kept in the session from sign-in (and each change) so that no
# request pays a query for it.
SESSION_KEY = "parley_language"


def session_language_remember(session: Any, user: Any) -> str:
    language = language_of_user(user)
    session[SESSION_KEY] = language
    return language


def language_cookie_set(response: HttpResponseBase, language: str) -> None:
    """The browser keeps the language for pages before sign-in and after sign-out."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,  # type: ignore[arg-type]
    )


class PreferredLanguageMiddleware:
    """After AuthenticationMiddleware: the signed-in person's language, when they have one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        explicit = request.path.startswith("/api/") and "HTTP_ACCEPT_LANGUAGE" in request.META
        if not explicit and request.user.is_authenticated:
            language = request.session.get(SESSION_KEY)
            if language is None:  # a session from before languages
                language = session_language_remember(request.session, request.user)
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
