"""Thin API views: validate, call one service or selector, render."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django_filters.utils import translate_validation
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cases import party_selectors, permissions, selectors, services
from cases.api import filters, serializers
from cases.models import Case, Charge, Court, Jurisdiction, Statute
from core import domain_events
from core.api.pagination import CursorPagination, KeysetPagination
from core.api.schema import ETAG, IF_MATCH, PRECONDITION_FAILED
from core.api.versions import versioned
from core.text import user_name
from core.versions import parse_if_match

CASE = {
    "id": 21,
    "court": 1,
    "court_name": "District Court",
    "jurisdiction_code": "us-fed",
    "docket_number": "1:26-cr-00021",
    "caption": "United States v. Doe",
    "status": "negotiating",
    "status_display": "Negotiating",
    "opened_on": "2026-01-05",
    "closed_on": None,
    "sealed": False,
    "external_id": "CR-2026-0021",
    "created_at": "2026-01-05T14:02:11.204518Z",
    "updated_at": "2026-03-02T09:15:40.018231Z",
}
CASE_EXAMPLE = OpenApiExample("A case", value=CASE, response_only=True, status_codes=["200", "201"])
CASE_CREATE_EXAMPLE = OpenApiExample(
    "Open a case",
    value={
        "court": 1,
        "docket_number": "1:26-cr-00021",
        "caption": "United States v. Doe",
        "opened_on": "2026-01-05",
        "external_id": "CR-2026-0021",
    },
    request_only=True,
)
CASE_UPDATE_EXAMPLE = OpenApiExample(
    "Rename", value={"caption": "United States v. Doe et al."}, request_only=True
)
CHARGE = {
    "id": 88,
    "case": 21,
    "count_number": 1,
    "statute": 3,
    "statute_citation": "21 U.S.C. 841(a)(1)",
    "statute_title": "Distribution",
    "description": "Distribution of fentanyl",
    "status": "pending",
    "disposition": "",
    "disposition_date": None,
    "external_id": None,
    "created_at": "2026-01-05T14:05:02.118230Z",
    "updated_at": "2026-01-05T14:05:02.118236Z",
}
CHARGE_EXAMPLE = OpenApiExample(
    "A charge", value=CHARGE, response_only=True, status_codes=["200", "201"]
)
CHARGE_CREATE_EXAMPLE = OpenApiExample(
    "Add a count",
    value={"case": 21, "statute": 3, "description": "Distribution of fentanyl"},
    request_only=True,
)
CHARGE_UPDATE_EXAMPLES = [
    OpenApiExample("Amend", value={"description": "Possession with intent"}, request_only=True),
    OpenApiExample(
        "Dispose",
        value={"disposition": "guilty_plea", "disposition_date": "2026-04-14"},
        request_only=True,
    ),
]

# The orders a case list may be read in; "-" for descending. Each is completed by the id, so
# that cases with the same value keep one order from page to page.
CASE_ORDERINGS = ["docket_number", "opened_on", "updated_at", "id"]
ORDERING = OpenApiParameter(
    "ordering",
    str,
    OpenApiParameter.QUERY,
    enum=[f"{sign}{name}" for name in CASE_ORDERINGS for sign in ("", "-")],
    description="The order of the list (default `-id`, newest first); `-` for descending. "
    "Ties are broken by id. A sync that reads what changed since its last run asks for "
    "`?updated_at__gte=<last run>&ordering=updated_at`.",
)


def _case_ordering(request: Request) -> str | None:
    """The ordering asked for, None for the default (newest first); 400 for one not offered."""
    ordering = request.query_params.get("ordering", "").strip()
    if ordering in ("", "-id"):
        return None
    if ordering.removeprefix("-") not in CASE_ORDERINGS:
        choices = ", ".join(f"`{name}`" for name in CASE_ORDERINGS)
        raise exceptions.ValidationError(
            {
                "ordering": [
                    _("Order by one of %(choices)s, with a leading `-` for descending.")
                    % {"choices": choices}
                ]
            }
        )
    return ordering


class CaseViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet[Case]):
    serializer_class = serializers.CaseSerializer
    filterset_class = filters.CaseFilter
    pagination_class = KeysetPagination

    def get_queryset(self) -> QuerySet[Case]:
        return selectors.case_list_for_user(self.request.user)

    def get_object(self) -> Case:
        return selectors.case_get_for_user(self.request.user, self.kwargs["pk"])

    @extend_schema(parameters=[ETAG], examples=[CASE_EXAMPLE])
    def retrieve(self, request: Request, pk: str) -> Response:
        case = self.get_object()
        domain_events.publish(
            domain_events.CaseViewed(case=case, request=request, seen="api case detail")
        )
        return versioned(Response(self.get_serializer(case).data), case)

    @extend_schema(parameters=[ORDERING], examples=[CASE_EXAMPLE])
    def list(self, request: Request) -> Response:
        """The cases you may see, newest first (or in the `ordering` asked for). Newest first
        is one SQL statement whatever the page or filter."""
        # The filters only narrow; which cases are visible is decided by the selector.
        filterset = filters.CaseFilter(
            request.query_params, queryset=Case.objects.all(), request=request
        )
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        asked = filterset.form.cleaned_data
        filtered = filterset.qs
        ordering = _case_ordering(request)
        if ordering is not None:
            # Another order: DRF's cursor over the same visible cases, by (field, id).
            tie = "-id" if ordering.startswith("-") else "id"
            ordered = CursorPagination()
            ordered.ordering = (ordering, tie)
            matching = filtered.order_by().values("pk")
            matching.query.distinct = False  # an IN list ignores duplicates anyway
            rows = selectors.case_list_for_user(request.user).filter(pk__in=matching)
            page = ordered.paginate_queryset(rows, request, view=self)
            return ordered.get_paginated_response(self.get_serializer(page, many=True).data)
        # The status goes to the selector, which walks a court's cases by status: a status
        # that matches late or never costs no more than one that matches at once.
        rest = Case.objects.all()
        for name, value in asked.items():
            if name != "status":
                rest = filterset.filters[name].filter(rest, value)
        court = asked.get("court")
        paginator = KeysetPagination()
        cases = paginator.paginate(
            request,
            lambda before, after, size: selectors.case_page_for_user(
                request.user,
                filtered=rest,
                statuses=asked.get("status") or [],
                court_id=court.pk if court else None,
                before=before,
                after=after,
                size=size,
            ),
        )
        return paginator.get_paginated_response(self.get_serializer(cases, many=True).data)

    @extend_schema(
        request=serializers.CaseCreateSerializer,
        responses={201: serializers.CaseSerializer},
        parameters=[ETAG],
        examples=[CASE_CREATE_EXAMPLE, CASE_EXAMPLE],
    )
    def create(self, request: Request) -> Response:
        data = serializers.CaseCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.case_open(by=request.user, **data.validated_data)  # type: ignore[arg-type]
        case = selectors.case_get_for_user(request.user, case.pk)
        created = Response(serializers.CaseSerializer(case).data, status=status.HTTP_201_CREATED)
        return versioned(created, case)

    @extend_schema(
        request=serializers.CaseUpdateSerializer,
        responses={200: serializers.CaseSerializer, 412: PRECONDITION_FAILED},
        parameters=[IF_MATCH, ETAG],
        examples=[CASE_UPDATE_EXAMPLE, CASE_EXAMPLE],
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        """Change the caption, seal or external id. Send the ETag you read in If-Match to
        change only that version (412 with the current ETag if it changed since)."""
        case = self.get_object()
        data = serializers.CaseUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.case_update(
            case=case,
            by=request.user,  # type: ignore[arg-type]
            if_match=parse_if_match(request.headers.get("If-Match")),
            **data.validated_data,
        )
        case = self.get_object()
        return versioned(Response(serializers.CaseSerializer(case).data), case)

    @extend_schema(
        parameters=[serializers.EligiblePeopleQuerySerializer],
        responses=serializers.EligiblePeopleSerializer,
        examples=[
            OpenApiExample(
                "Found",
                value={
                    "results": [
                        {"id": 42, "name": "Dana Whitfield", "organization": "Federal Defender"}
                    ],
                    "more": False,
                },
                response_only=True,
            )
        ],
    )
    @action(detail=True, methods=["get"], url_path="eligible-people")
    def eligible_people(self, request: Request, pk: str) -> Response:
        """The people who may take part in this case in `role` (by its court and their
        office) whose name or username starts with `q`, by last name, at most 20: the `user`
        to send to POST /participants/. Only for those who add participants in that role on
        the case (403)."""
        case = self.get_object()
        query = serializers.EligiblePeopleQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        role = query.validated_data["role"]
        permissions.require_participant_management(request.user, case, role)
        limit = party_selectors.FOUND_AT_MOST
        rows = list(
            party_selectors.people_who_may_take_part(
                case.court, role, search=query.validated_data["q"], limit=limit + 1
            )
        )
        results = [
            {
                "id": person.pk,
                "name": user_name(person),
                "organization": str(person.profile.organization)
                if person.profile.organization_id
                else None,
            }
            for person in rows[:limit]
        ]
        body = {"results": results, "more": len(rows) > limit}
        return Response(serializers.EligiblePeopleSerializer(body).data)

    @extend_schema(
        request=serializers.CaseTransitionSerializer,
        responses=serializers.CaseSerializer,
        examples=[
            OpenApiExample(
                "Start negotiating", value={"to_status": "negotiating"}, request_only=True
            ),
            CASE_EXAMPLE,
        ],
    )
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str) -> Response:
        """Move the case along its workflow; 409 with the reason when the move is not allowed."""
        case = self.get_object()
        data = serializers.CaseTransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.case_transition(case=case, by=request.user, **data.validated_data)  # type: ignore[arg-type]
        case = self.get_object()
        return versioned(Response(serializers.CaseSerializer(case).data), case)


@extend_schema_view(list=extend_schema(examples=[CHARGE_EXAMPLE]))
class ChargeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Charge],
):
    serializer_class = serializers.ChargeSerializer
    filterset_class = filters.ChargeFilter

    def get_queryset(self) -> QuerySet[Charge]:
        return party_selectors.charges_listed_for_user(self.request.user)

    def get_object(self) -> Charge:
        return selectors.charge_get_for_user(self.request.user, self.kwargs["pk"])

    @extend_schema(
        request=serializers.ChargeCreateSerializer,
        responses={201: serializers.ChargeSerializer},
        parameters=[ETAG],
        examples=[CHARGE_CREATE_EXAMPLE, CHARGE_EXAMPLE],
    )
    def create(self, request: Request) -> Response:
        data = serializers.ChargeCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        charge = services.charge_add(by=request.user, **data.validated_data)  # type: ignore[arg-type]
        created = Response(
            serializers.ChargeSerializer(charge).data, status=status.HTTP_201_CREATED
        )
        return versioned(created, charge)

    @extend_schema(parameters=[ETAG], examples=[CHARGE_EXAMPLE])
    def retrieve(self, request: Request, pk: str) -> Response:
        charge = self.get_object()
        return versioned(Response(self.get_serializer(charge).data), charge)

    @extend_schema(
        request=serializers.ChargeUpdateSerializer,
        responses={200: serializers.ChargeSerializer, 412: PRECONDITION_FAILED},
        parameters=[IF_MATCH, ETAG],
        examples=[*CHARGE_UPDATE_EXAMPLES, CHARGE_EXAMPLE],
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        """Amend the charge or record its disposition; If-Match as for cases."""
        charge = self.get_object()
        data = serializers.ChargeUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        charge = services.charge_update(
            charge=charge,
            by=request.user,  # type: ignore[arg-type]
            if_match=parse_if_match(request.headers.get("If-Match")),
            **data.validated_data,
        )
        return versioned(Response(serializers.ChargeSerializer(charge).data), charge)


class StatuteViewSet(viewsets.ReadOnlyModelViewSet[Statute]):
    """The statute catalogue is public law: every signed-in user may read it."""

    serializer_class = serializers.StatuteSerializer
    filterset_class = filters.StatuteFilter
    queryset = Statute.objects.prefetch_related("lesser_included")


class CourtViewSet(viewsets.ReadOnlyModelViewSet[Court]):
    serializer_class = serializers.CourtSerializer
    queryset = Court.objects.select_related("jurisdiction")
    filterset_fields = ["jurisdiction"]


class JurisdictionViewSet(viewsets.ReadOnlyModelViewSet[Jurisdiction]):
    """Jurisdiction profiles: what may be negotiated there and how a plea is signed."""

    serializer_class = serializers.JurisdictionSerializer
    queryset = Jurisdiction.objects.all()
