"""The API's sign-in (a personal token for a username and password) and one's own tokens."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.api import serializers
from accounts.language import session_language_remember
from accounts.lockout import cooloff_minutes, lockout_message
from accounts.models import PersonalToken
from core.api.schema import ERROR_BODY, INVALID
from parties.selectors import language_of_profile
from parties.services import profile_language_set

LOCKED = OpenApiResponse(
    response=ERROR_BODY,
    description="Too many failed sign-ins for this account or from this address; "
    "`Retry-After` says how many seconds the pause lasts.",
    examples=[
        OpenApiExample(
            "Locked out",
            value={
                "detail": "Too many failed sign-ins for this account or from this address. "
                "Sign-in is paused for 15 minutes; if you need in sooner, ask an "
                "administrator to unlock it.",
                "code": "signin_locked",
            },
        )
    ],
)


class SignInLocked(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "signin_locked"


class TokenObtainView(APIView):
    """A new personal token for a username and password (no second factor: docs/api.md)."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        tags=["auth"],
        operation_id="auth_token_create",
        request=serializers.TokenRequestSerializer,
        responses={200: serializers.PersonalTokenCreatedSerializer, 429: LOCKED},
    )
    def post(self, request: Request) -> Response:
        body = serializers.TokenRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        django_request = request._request
        user = authenticate(
            django_request,
            username=body.validated_data["username"],
            password=body.validated_data["password"],
        )
        if getattr(django_request, "axes_locked_out", False):
            raise SignInLocked(lockout_message())
        if not isinstance(user, User):
            raise exceptions.ValidationError(
                {"non_field_errors": [_("Unable to log in with provided credentials.")]},
                code="authorization",
            )
        name = body.validated_data.get("name") or _("API sign-in %(date)s") % {
            "date": timezone.now().strftime("%Y-%m-%d %H:%M UTC")
        }
        token, key = services.personal_token_create(user=user, name=name)
        data = dict(serializers.PersonalTokenSerializer(token).data)
        data = {"token": key, **data}
        # The only copy of the token: no cache may keep it (nor the Idempotency-Key store).
        return Response(data, headers={"Cache-Control": "no-store"})

    def handle_exception(self, exc: Exception) -> Response:
        response = super().handle_exception(exc)
        if isinstance(exc, SignInLocked):
            response["Retry-After"] = str(cooloff_minutes() * 60)
        return response


def _user(request: Request) -> User:
    assert isinstance(request.user, User)
    return request.user


class PersonalTokenViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[PersonalToken]):
    """Your own personal tokens (never anyone else's), newest first; revoke any of them."""

    serializer_class = serializers.PersonalTokenSerializer
    pagination_class = None
    lookup_value_regex = r"\d{1,18}"

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return PersonalToken.objects.none()
        return selectors.personal_tokens_of(_user(self.request))

    @extend_schema(tags=["auth"], responses={200: serializers.PersonalTokenSerializer(many=True)})
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        tags=["auth"], request=None, responses={200: serializers.PersonalTokenSerializer}
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str | None = None) -> Response:
        token = self.get_queryset().filter(pk=int(pk or 0)).first()
        if token is None:
            raise Http404
        token = services.personal_token_revoke(token=token)
        return Response(serializers.PersonalTokenSerializer(token).data)


class LanguagePreferenceView(APIView):
    """Your preferred language: Parley's pages, e-mails and notifications use it. Empty follows
    your office's jurisdiction (its document language), else your client's Accept-Language."""

    def _body(self, request: Request) -> dict[str, Any]:
        profile = getattr(request.user, "profile", None)
        return {
            "preferred_language": profile.preferred_language if profile else "",
            "language": language_of_profile(profile) or translation.get_language(),
            "available_languages": dict(settings.LANGUAGES),
        }

    @extend_schema(tags=["auth"], responses={200: serializers.LanguagePreferenceSerializer})
    def get(self, request: Request) -> Response:
        return Response(self._body(request))

    @extend_schema(
        tags=["auth"],
        request=serializers.LanguagePreferenceSerializer,
        responses={200: serializers.LanguagePreferenceSerializer, 400: INVALID},
    )
    def patch(self, request: Request) -> Response:
        serializer = serializers.LanguagePreferenceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        profile = getattr(_user(request), "profile", None)
        if profile is None:
            raise exceptions.ValidationError(
                {"preferred_language": [_("Your account has no profile to keep it on.")]}
            )
        profile_language_set(
            profile=profile, language=serializer.validated_data["preferred_language"]
        )
        if request.auth is None and hasattr(request, "session"):
            # A session's pages follow at once; other sessions at their next sign-in.
            session_language_remember(request.session, request.user)
        return Response(self._body(request))
