"""Thin API views for a case's history: find the case (404 if the caller may not see it), read
the events behind the caller's walls through audit.selectors, word them with
audit.presentation, page them newest first; the export streams a file (audit.exports)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import ValidationError
from django.http import HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audit import exports, presentation, selectors
from audit import services as audit
from audit.api import serializers
from cases import selectors as case_selectors
from core.api.negotiation import DownloadNegotiation
from core.api.pagination import CursorPagination

if TYPE_CHECKING:
    from django.contrib.auth.models import User

TAGS = ["history"]

FILTERS = [
    OpenApiParameter("actor", int, description="Only what this user (id) did."),
    OpenApiParameter(
        "kind",
        str,
        description='A subject ("note": every note event) or one kind ("note.created").',
    ),
    OpenApiParameter(
        "since", OpenApiTypes.DATE, description="From this day (UTC), included. YYYY-MM-DD."
    ),
    OpenApiParameter(
        "until", OpenApiTypes.DATE, description="To this day (UTC), included. YYYY-MM-DD."
    ),
]
NOT_FOUND = OpenApiResponse(description="No such case, or not yours to see (the same answer).")
INVALID = OpenApiResponse(description="Bad filters: a list of messages per parameter.")


def _user(request: Request) -> User:
    # Every view requires authentication (REST_FRAMEWORK's IsAuthenticated).
    return cast("User", request.user)


class HistoryPagination(CursorPagination):
    """Newest first by id (the events' index is (case_id, -id))."""

    ordering = "-id"


@extend_schema(tags=TAGS)
class CaseHistoryView(GenericAPIView[Any]):
    serializer_class = serializers.HistoryEventSerializer
    pagination_class = HistoryPagination
    filter_backends: list[Any] = []

    @extend_schema(
        parameters=FILTERS,
        responses={
            200: serializers.HistoryEventSerializer(many=True),
            400: INVALID,
            404: NOT_FOUND,
        },
    )
    def get(self, request: Request, case_id: int) -> Response:
        """What happened on the case, newest first: every recorded change you may see (notes
        and documents behind your walls, drafts of your side, the negotiation if you read it),
        with who did it, when (UTC), from where, and the values before and after."""
        user = _user(request)
        case = case_selectors.case_get_for_user(user, case_id)
        filters = selectors.history_filters(request.query_params)
        events = selectors.history_filtered(selectors.history_visible_to(user, case), filters)
        page = self.paginate_queryset(events) or []
        names = selectors.people_names(
            {event.actor_id: event.actor_name for event in page if event.actor_id is not None}
        )
        audit.sealed_case_viewed(case=case, request=request, seen="history")
        rows = [presentation.present(event, names) for event in page]
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)


@extend_schema(tags=TAGS)
class CaseHistoryExportView(APIView):
    content_negotiation_class = DownloadNegotiation

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "as", str, enum=list(exports.FORMATS), description="The file format (csv)."
            ),
            *FILTERS,
        ],
        responses={
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file: CSV, or JSON Lines (one event a line)."
            ),
            (200, "application/jsonl"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file: CSV, or JSON Lines (one event a line)."
            ),
            400: INVALID,
            404: NOT_FOUND,
        },
    )
    def get(self, request: Request, case_id: int) -> HttpResponseBase:
        """The history as a file, for a court records request: every event you may see that
        matches the filters, newest first, with before, after and data as JSON. Columns: id,
        occurred_at (UTC), kind, actor_id, actor_name, via, request_id, table, row_id, summary,
        before, after, data. The export is recorded in the history ("history.exported")."""
        user = _user(request)
        case = case_selectors.case_get_for_user(user, case_id)
        errors: dict[str, list[str]] = {}
        fmt = request.query_params.get("as") or "csv"
        if fmt not in exports.FORMATS:
            errors["as"] = [f"Choose {' or '.join(exports.FORMATS)}."]
        try:
            filters = selectors.history_filters(request.query_params)
        except ValidationError as error:
            errors.update(error.message_dict)
        if errors:
            raise ValidationError(errors)
        return exports.history_export(user, case, filters=filters, fmt=fmt, request=request)
