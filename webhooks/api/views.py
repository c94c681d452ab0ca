"""The webhooks API: an API client's endpoints, their secrets and delivery logs.

For the client itself (with its token) and the people who look after it (its owner, the court's
staff). Thin: parse, call one selector or service, render. Anyone else finds nothing (404).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.pagination import CursorPagination
from core.api.versions import versioned
from core.versions import parse_if_match
from integrations.models import ApiClient, ApiToken
from webhooks import selectors, services
from webhooks.api import serializers
from webhooks.models import Delivery, WebhookEndpoint

if TYPE_CHECKING:
    from django.contrib.auth.models import User

TAGS = ["webhooks"]
NOT_FOUND = OpenApiResponse(description="Missing, or not yours to see (the same answer).")
FORBIDDEN = OpenApiResponse(description="You may see this but not do this; the detail says why.")
INVALID = OpenApiResponse(description="Bad input: a list of messages per field.")
CONFLICT = OpenApiResponse(description="Not now: the detail and `code` say why.")
STALE = OpenApiResponse(description="If-Match named a version the endpoint no longer has.")
ID = r"[0-9]{1,18}"

ENDPOINT_EXAMPLE = {
    "id": 7,
    "client": 3,
    "url": "https://docket.example.gov/parley/webhooks",
    "description": "County docket system",
    "event_types": ["hearing.scheduled", "hearing.rescheduled", "hearing.cancelled"],
    "enabled": True,
    "disabled_at": None,
    "disabled_reason": "",
    "secrets": [
        {"prefix": "whsec_MfKQ…", "created_at": "2026-11-24T09:00:00Z", "expires_at": None}
    ],
    "created_at": "2026-11-24T09:00:00Z",
    "updated_at": "2026-11-24T09:00:00Z",
}
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"  # noqa: S105 (an example)
DELIVERY_EXAMPLE = {
    "id": 981,
    "endpoint": 7,
    "event_id": 1042,
    "event_type": "hearing.rescheduled",
    "message_id": "msg_p5jXN8AQM9LWM0D4loKWxJ",
    "status": "pending",
    "attempts": 2,
    "next_attempt_at": "2026-11-24T09:41:07Z",
    "last_status_code": 503,
    "response_time_ms": 212,
    "last_error": "The receiver answered 503.",
    "replay_of": None,
    "created_at": "2026-11-24T09:30:12Z",
    "completed_at": None,
}


def _user(request: Request) -> User:
    return cast("User", request.user)


def _token_client(request: Request) -> ApiClient | None:
    """The client whose token authenticated the request, if one did."""
    return request.auth.client if isinstance(request.auth, ApiToken) else None


@extend_schema_view(
    list=extend_schema(
        tags=TAGS,
        summary="Your webhook endpoints",
        description="The endpoints of the clients you look after, or with a client token, the "
        "client's own.",
        parameters=[
            OpenApiParameter("client", int, description="Only this client's endpoints."),
        ],
        responses={200: serializers.EndpointSerializer(many=True), 400: INVALID},
        # A list's example is one item: the schema wraps it in the page.
        examples=[OpenApiExample("An endpoint", value=ENDPOINT_EXAMPLE, response_only=True)],
    ),
    retrieve=extend_schema(
        tags=TAGS, responses={200: serializers.EndpointSerializer, 404: NOT_FOUND}
    ),
    destroy=extend_schema(
        tags=TAGS,
        description="Delete the endpoint with its secrets and delivery log.",
        responses={204: None, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
)
class WebhookEndpointViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[WebhookEndpoint],
):
    serializer_class = serializers.EndpointSerializer
    pagination_class = None
    lookup_value_regex = ID
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> Any:
        endpoints = selectors.endpoints_visible_to(_user(self.request)).order_by("id")
        if self.action == "list":
            raw = self.request.query_params.get("client")
            if raw is not None:
                if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
                    raise ValidationError({"client": [_("A client id is a whole number.")]})
                endpoints = endpoints.filter(client_id=int(raw))
        return endpoints

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        endpoint = self.get_object()
        return versioned(Response(self.get_serializer(endpoint).data), endpoint)

    @extend_schema(
        tags=TAGS,
        summary="Subscribe an endpoint",
        description="The response holds the signing secret, shown this once. Destinations on "
        "loopback, private, link-local and other non-public addresses are refused unless the "
        "operator allows them.",
        request=serializers.EndpointWriteSerializer,
        responses={
            201: serializers.EndpointCreatedSerializer,
            400: INVALID,
            403: FORBIDDEN,
            409: CONFLICT,
        },
        examples=[
            OpenApiExample(
                "Hearings of the court",
                request_only=True,
                value={
                    "url": "https://docket.example.gov/parley/webhooks",
                    "event_types": ["hearing.scheduled", "hearing.rescheduled"],
                    "description": "County docket system",
                },
            ),
            OpenApiExample(
                "Created", response_only=True, value={**ENDPOINT_EXAMPLE, "secret": SECRET}
            ),
            OpenApiExample(
                "A private destination",
                response_only=True,
                status_codes=["400"],
                value={
                    "url": [
                        "10.0.0.5 is a private address: webhooks go to public addresses only, "
                        "unless the operator allows private destinations "
                        "(WEBHOOK_ALLOW_PRIVATE_DESTINATIONS)."
                    ]
                },
            ),
        ],
    )
    def create(self, request: Request) -> Response:
        body = serializers.EndpointWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        user = _user(request)
        client = _token_client(request)
        if client is None or "client" in data:
            client_id = data.get("client")
            if client_id is None:
                raise ValidationError({"client": [_("Name the client the endpoint is for.")]})
            client = selectors.webhook_clients_for(user).filter(pk=client_id).first()
            if client is None:
                raise ValidationError({"client": [_("No such client of yours.")]})
        endpoint, secret = services.endpoint_create(
            client=client,
            by=user,
            url=data["url"],
            event_types=data["event_types"],
            description=data.get("description", ""),
        )
        endpoint = selectors.endpoints_visible_to(user).get(pk=endpoint.pk)
        out = dict(serializers.EndpointSerializer(endpoint).data)
        out["secret"] = secret
        response = versioned(Response(out, status=status.HTTP_201_CREATED), endpoint)
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(
        tags=TAGS,
        summary="Change an endpoint",
        description="Send only what changes. With If-Match, a stale version gets 412.",
        request=serializers.EndpointUpdateSerializer,
        responses={
            200: serializers.EndpointSerializer,
            400: INVALID,
            403: FORBIDDEN,
            404: NOT_FOUND,
            412: STALE,
        },
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        endpoint = self.get_object()
        body = serializers.EndpointUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.endpoint_update(
            endpoint=endpoint,
            by=_user(request),
            if_match=parse_if_match(request.headers.get("If-Match")),
            **body.validated_data,
        )
        endpoint = self.get_object()
        return versioned(Response(self.get_serializer(endpoint).data), endpoint)

    def perform_destroy(self, instance: WebhookEndpoint) -> None:
        services.endpoint_delete(endpoint=instance, by=_user(self.request))

    @extend_schema(
        tags=TAGS,
        summary="Rotate the signing secret",
        description="A new secret, shown this once. The old one keeps signing (messages carry "
        "both signatures) until `previous_valid_until`, 24 hours by default.",
        request=None,
        responses={200: serializers.RotatedSecretSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
        examples=[
            OpenApiExample(
                "Rotated",
                response_only=True,
                value={"secret": SECRET, "previous_valid_until": "2026-11-25T09:00:00Z"},
            )
        ],
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request: Request, pk: str | None = None) -> Response:
        endpoint = self.get_object()
        secret, until = services.secret_rotate(endpoint=endpoint, by=_user(request))
        body = serializers.RotatedSecretSerializer(
            {"secret": secret, "previous_valid_until": until}
        ).data
        return Response(body, headers={"Cache-Control": "no-store"})

    @extend_schema(
        tags=TAGS,
        summary="Enable the endpoint again",
        description="After it was disabled (by hand, by 410 Gone, or after three days of failed "
        "attempts). Deliveries that were waiting resume; failed ones can be replayed.",
        request=None,
        responses={
            200: serializers.EndpointSerializer,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: CONFLICT,
        },
    )
    @action(detail=True, methods=["post"])
    def enable(self, request: Request, pk: str | None = None) -> Response:
        services.endpoint_enable(endpoint=self.get_object(), by=_user(request))
        endpoint = self.get_object()
        return versioned(Response(self.get_serializer(endpoint).data), endpoint)

    @extend_schema(
        tags=TAGS,
        summary="Disable the endpoint",
        description="No new deliveries are made for it; pending ones wait until it is enabled.",
        request=None,
        responses={200: serializers.EndpointSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def disable(self, request: Request, pk: str | None = None) -> Response:
        services.endpoint_disable(endpoint=self.get_object(), by=_user(request))
        endpoint = self.get_object()
        return versioned(Response(self.get_serializer(endpoint).data), endpoint)

    @extend_schema(
        tags=TAGS,
        summary="The delivery log",
        description="Newest first: status, attempts, the last status code and response time.",
        parameters=[serializers.DeliveryListQuerySerializer],
        responses={200: serializers.DeliverySerializer(many=True), 400: INVALID, 404: NOT_FOUND},
        examples=[
            OpenApiExample(
                "A delivery being retried",
                response_only=True,
                value=DELIVERY_EXAMPLE,  # one item: the schema wraps it in the page
            )
        ],
    )
    @action(detail=True, methods=["get"], pagination_class=CursorPagination)
    def deliveries(self, request: Request, pk: str | None = None) -> Response:
        endpoint = self.get_object()
        query = serializers.DeliveryListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = selectors.deliveries_of(endpoint)
        if query.validated_data.get("status"):
            rows = rows.filter(status=query.validated_data["status"])
        page = self.paginate_queryset(rows)  # type: ignore[arg-type]
        data = serializers.DeliverySerializer(page, many=True).data  # type: ignore[arg-type]
        return self.get_paginated_response(data)


class WebhookDeliveryViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet[Delivery]):
    """One delivery with its attempts, and its replay."""

    serializer_class = serializers.DeliveryDetailSerializer
    lookup_value_regex = ID

    def get_queryset(self) -> Any:
        return selectors.deliveries_visible_to(_user(self.request)).prefetch_related("attempt_log")

    @extend_schema(
        tags=TAGS,
        summary="A delivery and its attempts",
        responses={200: serializers.DeliveryDetailSerializer, 404: NOT_FOUND},
    )
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        tags=TAGS,
        summary="Replay a delivery",
        description="Send its event to its endpoint again: a new delivery with the same "
        "`webhook-id` (a receiver that handled it can tell) and a fresh retry schedule.",
        request=None,
        responses={
            201: serializers.DeliverySerializer,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: CONFLICT,
        },
        examples=[
            OpenApiExample(
                "Replayed",
                response_only=True,
                status_codes=["201"],
                value={
                    **DELIVERY_EXAMPLE,
                    "id": 1207,
                    "attempts": 0,
                    "last_status_code": None,
                    "response_time_ms": None,
                    "last_error": "",
                    "replay_of": 981,
                },
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def replay(self, request: Request, pk: str | None = None) -> Response:
        delivery = self.get_object()
        replay = services.delivery_replay(delivery=delivery, by=_user(request))
        replay = selectors.deliveries_visible_to(_user(request)).get(pk=replay.pk)
        return Response(serializers.DeliverySerializer(replay).data, status=status.HTTP_201_CREATED)
