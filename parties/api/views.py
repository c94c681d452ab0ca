"""Thin API views for parties: validate, call one service or selector, render."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from parties import selectors, services
from parties.api import filters, serializers
from parties.models import CaseParticipant, Defendant, Organization


class OrganizationViewSet(viewsets.ReadOnlyModelViewSet[Organization]):
    """Offices, firms, duty-lawyer centres and courts. Maintained in the admin."""

    serializer_class = serializers.OrganizationSerializer
    queryset = Organization.objects.all()
    filterset_fields = ["kind", "jurisdiction"]


class DefendantViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Defendant],
):
    """Defendants on the cases you may see, and those you entered."""

    serializer_class = serializers.DefendantSerializer
    filterset_fields = ["custody_status", "interpreter_needed"]

    def get_queryset(self) -> QuerySet[Defendant]:
        return selectors.defendants_visible_to(self.request.user)

    def get_object(self) -> Defendant:
        return selectors.defendant_get_for_user(self.request.user, self.kwargs["pk"])

    @extend_schema(
        request=serializers.DefendantWriteSerializer,
        responses={201: serializers.DefendantSerializer},
    )
    def create(self, request: Request) -> Response:
        data = serializers.DefendantWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        defendant = services.defendant_create(by=request.user, **data.validated_data)  # type: ignore[arg-type]
        return Response(
            serializers.DefendantSerializer(defendant).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        request=serializers.DefendantWriteSerializer, responses=serializers.DefendantSerializer
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        defendant = self.get_object()
        data = serializers.DefendantWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        defendant = services.defendant_update(
            defendant=defendant,
            by=request.user,  # type: ignore[arg-type]
            **data.validated_data,
        )
        return Response(serializers.DefendantSerializer(defendant).data)


class ParticipantViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[CaseParticipant],
):
    """Who takes part in which case. Adding one grants access; ending one revokes it."""

    serializer_class = serializers.ParticipantSerializer
    filterset_class = filters.ParticipantFilter

    def get_queryset(self) -> QuerySet[CaseParticipant]:
        return selectors.participants_visible_to(self.request.user)

    def get_object(self) -> CaseParticipant:
        return selectors.participant_get_for_user(self.request.user, self.kwargs["pk"])

    @extend_schema(
        request=serializers.ParticipantCreateSerializer,
        responses={
            201: serializers.ParticipantSerializer,
            400: OpenApiResponse(description="Bad input: a list of messages per field."),
            403: OpenApiResponse(description="You may see the case but not add this role."),
            409: OpenApiResponse(
                serializers.ConflictOfInterestSerializer,
                description="A possible conflict of interest: `conflicts` lists what was "
                "found. Send the same request with a `conflict_override_reason` to add the "
                "person anyway; the participation keeps the conflicts and the reason.",
            ),
        },
    )
    def create(self, request: Request) -> Response:
        """Add a person to a case. A possible conflict of interest answers 409 until a reason
        to override it is given."""
        data = serializers.ParticipantCreateSerializer(
            data=request.data, context={"request": request}
        )
        data.is_valid(raise_exception=True)
        participant = services.participant_add(by=request.user, **data.validated_data)  # type: ignore[arg-type]
        participant = selectors.participant_get_for_user(request.user, participant.pk)
        return Response(
            serializers.ParticipantSerializer(participant).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        request=serializers.ParticipantEndSerializer, responses=serializers.ParticipantSerializer
    )
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str) -> Response:
        """End this participation on the given date (today by default), revoking its access."""
        participant = self.get_object()
        data = serializers.ParticipantEndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # Render what the service returns: a user who ends their own participation may no
        # longer see it, and a fresh scoped read would answer 404 after a committed write.
        ended = services.participant_end(
            participant=participant,
            by=request.user,  # type: ignore[arg-type]
            **data.validated_data,
        )
        return Response(serializers.ParticipantSerializer(ended).data)
