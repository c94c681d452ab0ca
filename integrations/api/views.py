"""The change feed, and API clients' own view of themselves and their tokens.

Thin: parse, call one selector or service, render. Which events a caller learns of is decided in
integrations.selectors from cases.permissions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.http import Http404
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.schema import ERROR_BODY
from integrations import selectors, services
from integrations.api import serializers
from integrations.models import ApiClient, ApiToken

if TYPE_CHECKING:
    from django.contrib.auth.models import User

NOT_FOUND = OpenApiResponse(description="Missing, or not yours to see (the same answer).")
FORBIDDEN = OpenApiResponse(description="You may see this but not do this; the detail says why.")
INVALID = OpenApiResponse(description="Bad input: a list of messages per field.")
CURSOR_EXPIRED = (
    "Events after this cursor were deleted: the event log keeps them for a limited time. "
    "Start again with after=now, and read the state you need through the API."
)


def _user(request: Request) -> User:
    return cast("User", request.user)


class EventFeedView(APIView):
    """The change feed: every event you may learn of, oldest first, after a cursor."""

    @extend_schema(
        tags=["events"],
        operation_id="events_list",
        parameters=[serializers.EventFeedQuerySerializer],
        responses={
            200: serializers.EventFeedSerializer,
            400: INVALID,
            410: OpenApiResponse(
                response=ERROR_BODY,
                description="The cursor is older than the event log keeps (EVENT_RETENTION_DAYS): "
                "events after it were deleted. Start again with `after=now`, and read the state "
                "you need through the API.",
                examples=[
                    OpenApiExample(
                        "Cursor expired",
                        value={"detail": CURSOR_EXPIRED, "code": "cursor_expired"},
                    )
                ],
            ),
        },
        examples=[
            OpenApiExample(
                "A page of the feed",
                response_only=True,
                value={
                    "results": [
                        {
                            "id": 1042,
                            "type": "hearing.rescheduled",
                            "occurred_at": "2026-11-24T09:30:12.120Z",
                            "subject": "hearing",
                            "subject_id": 77,
                            "case": 12,
                            "link": "https://parley.example/api/v1/hearings/77/",
                        }
                    ],
                    "next_after": "88213.1042",
                    "has_more": False,
                },
            )
        ],
    )
    def get(self, request: Request) -> Response:
        query = serializers.EventFeedQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        user = _user(request)
        raw_after = data.get("after")
        after: selectors.FeedCursor | None
        if raw_after is None or raw_after == "":
            after = None
        elif raw_after == "now":
            after = selectors.feed_start(user)
        else:
            try:
                after = selectors.FeedCursor.decode(raw_after)
            except ValueError:
                return Response(
                    {"after": ['Send the "next_after" of a previous page, or "now".']},
                    status=status.HTTP_400_BAD_REQUEST,
                )
            if selectors.feed_pruned_past(after):
                return Response(
                    {"detail": CURSOR_EXPIRED, "code": "cursor_expired"},
                    status=status.HTTP_410_GONE,
                )
        limit = data["limit"]
        events = selectors.event_feed(
            user,
            after=after,
            types=sorted(data.get("type") or []),
            case_id=data.get("case"),
            limit=limit + 1,
        )
        has_more = len(events) > limit
        events = events[:limit]
        if events:
            next_after = selectors.FeedCursor(events[-1].txid, events[-1].pk).encode()
        else:
            next_after = (after or selectors.FeedCursor(0, 0)).encode()
        body = {
            "results": serializers.EventSerializer(
                events, many=True, context={"request": request}
            ).data,
            "next_after": next_after,
            "has_more": has_more,
        }
        return Response(body)


class ApiClientViewSet(viewsets.ReadOnlyModelViewSet[ApiClient]):
    """API clients you look after (or, with a client token, the client itself), and their
    tokens. Clients are made on the court's pages (/integrations/clients/)."""

    serializer_class = serializers.ApiClientSerializer
    pagination_class = None

    def get_queryset(self) -> Any:
        return selectors.api_clients_visible_to(_user(self.request)).order_by("id")

    def _managed(self) -> ApiClient:
        client = self.get_object()
        user = _user(self.request)
        if not selectors.api_clients_managed_by(user).filter(pk=client.pk).exists():
            raise Http404
        return client

    @extend_schema(tags=["integrations"], responses={200: serializers.ApiClientSerializer})
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        tags=["integrations"], responses={200: serializers.ApiClientSerializer, 404: NOT_FOUND}
    )
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        tags=["integrations"],
        methods=["GET"],
        responses={200: serializers.ApiTokenSerializer(many=True), 404: NOT_FOUND},
    )
    @extend_schema(
        tags=["integrations"],
        methods=["POST"],
        request=serializers.ApiTokenCreateSerializer,
        responses={
            201: serializers.ApiTokenCreatedSerializer,
            400: INVALID,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    @action(detail=True, methods=["get", "post"])
    def tokens(self, request: Request, pk: str | None = None) -> Response:
        client = self._managed()
        if request.method == "GET":
            rows = selectors.tokens_of(client)
            return Response(serializers.ApiTokenSerializer(rows, many=True).data)
        body = serializers.ApiTokenCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        token, key = services.api_token_create(
            client=client, by=_user(request), **body.validated_data
        )
        data = dict(serializers.ApiTokenSerializer(token).data)
        data["token"] = key
        # The only copy of the token: no cache may keep it (nor the Idempotency-Key store).
        return Response(data, status=status.HTTP_201_CREATED, headers={"Cache-Control": "no-store"})

    @extend_schema(
        tags=["integrations"],
        request=None,
        responses={200: serializers.ApiTokenSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], url_path=r"tokens/(?P<token_id>\d{1,18})/revoke")
    def revoke_token(self, request: Request, pk: str | None = None, token_id: str = "") -> Response:
        client = self._managed()
        token = ApiToken.objects.filter(client=client, pk=int(token_id)).first()
        if token is None:
            raise Http404
        token = services.api_token_revoke(token=token, by=_user(request))
        return Response(serializers.ApiTokenSerializer(token).data)
