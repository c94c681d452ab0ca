"""Thin API views: validate, call one service or selector, render."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from audit import services as audit_services
from cases import selectors, services
from cases.api import filters, serializers
from cases.models import Case, Charge, Court, Jurisdiction, Statute
from core.api.pagination import KeysetPagination
from core.api.schema import ETAG, IF_MATCH, PRECONDITION_FAILED
from core.api.versions import versioned
from core.versions import parse_if_match


class CaseViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet[Case]):
    serializer_class = serializers.CaseSerializer
    filterset_class = filters.CaseFilter
    pagination_class = KeysetPagination

    def get_queryset(self) -> QuerySet[Case]:
        return selectors.case_list_for_user(self.request.user)

    def get_object(self) -> Case:
        return selectors.case_get_for_user(self.request.user, self.kwargs["pk"])

    @extend_schema(parameters=[ETAG])
    def retrieve(self, request: Request, pk: str) -> Response:
        case = self.get_object()
        audit_services.sealed_case_viewed(case=case, request=request, seen="api case detail")
        return versioned(Response(self.get_serializer(case).data), case)

    def list(self, request: Request) -> Response:
        """The cases you may see, newest first. One SQL statement whatever the page or filter."""
        # The filters only narrow; which cases are visible is decided by the selector.
        filtered = self.filter_queryset(Case.objects.all())
        paginator = KeysetPagination()
        cases = paginator.paginate(
            request,
            lambda before, after, size: selectors.case_page_for_user(
                request.user, filtered=filtered, before=before, after=after, size=size
            ),
        )
        return paginator.get_paginated_response(self.get_serializer(cases, many=True).data)

    @extend_schema(
        request=serializers.CaseCreateSerializer, responses={201: serializers.CaseSerializer}
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
        request=serializers.CaseTransitionSerializer, responses=serializers.CaseSerializer
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


class ChargeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Charge],
):
    serializer_class = serializers.ChargeSerializer
    filterset_class = filters.ChargeFilter

    def get_queryset(self) -> QuerySet[Charge]:
        return selectors.charges_visible_to(self.request.user)

    def get_object(self) -> Charge:
        return selectors.charge_get_for_user(self.request.user, self.kwargs["pk"])

    @extend_schema(
        request=serializers.ChargeCreateSerializer, responses={201: serializers.ChargeSerializer}
    )
    def create(self, request: Request) -> Response:
        data = serializers.ChargeCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        charge = services.charge_add(by=request.user, **data.validated_data)  # type: ignore[arg-type]
        created = Response(
            serializers.ChargeSerializer(charge).data, status=status.HTTP_201_CREATED
        )
        return versioned(created, charge)

    @extend_schema(parameters=[ETAG])
    def retrieve(self, request: Request, pk: str) -> Response:
        charge = self.get_object()
        return versioned(Response(self.get_serializer(charge).data), charge)

    @extend_schema(
        request=serializers.ChargeUpdateSerializer,
        responses={200: serializers.ChargeSerializer, 412: PRECONDITION_FAILED},
        parameters=[IF_MATCH, ETAG],
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
