"""Thin API views for the parties on cases, defendants and participants: validate, call one
service or selector, render."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cases import party_selectors, party_services
from cases.api import filters, party_serializers
from core.api.schema import ETAG, IF_MATCH, PRECONDITION_FAILED
from core.api.versions import versioned
from core.versions import parse_if_match
from parties.api.serializers import DefendantSerializer, DefendantWriteSerializer
from parties.models import CaseParticipant, Defendant


class DefendantViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Defendant],
):
    """Defendants on the cases you may see, and those you entered."""

    serializer_class = DefendantSerializer
    filterset_fields = ["custody_status", "interpreter_needed"]

    def get_queryset(self) -> QuerySet[Defendant]:
        return party_selectors.defendants_listed_for_user(self.request.user)

    def get_object(self) -> Defendant:
        return party_selectors.defendant_get_for_user(self.request.user, self.kwargs["pk"])

    @extend_schema(
        request=DefendantWriteSerializer,
        responses={201: DefendantSerializer},
    )
    def create(self, request: Request) -> Response:
        data = DefendantWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        defendant = party_services.defendant_create(by=request.user, **data.validated_data)  # type: ignore[arg-type]
        created = Response(DefendantSerializer(defendant).data, status=status.HTTP_201_CREATED)
        return versioned(created, defendant)

    @extend_schema(parameters=[ETAG])
    def retrieve(self, request: Request, pk: str) -> Response:
        defendant = self.get_object()
        return versioned(Response(self.get_serializer(defendant).data), defendant)

    @extend_schema(
        request=DefendantWriteSerializer,
        responses={200: DefendantSerializer, 412: PRECONDITION_FAILED},
        parameters=[IF_MATCH, ETAG],
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        """Change a defendant's details. Send the ETag you read in If-Match to change only that
        version (412 if it changed since)."""
        defendant = self.get_object()
        data = DefendantWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        defendant = party_services.defendant_update(
            defendant=defendant,
            by=request.user,  # type: ignore[arg-type]
            if_match=parse_if_match(request.headers.get("If-Match")),
            **data.validated_data,
        )
        return versioned(Response(DefendantSerializer(defendant).data), defendant)


PARTICIPANT_EXAMPLE = OpenApiExample(
    "Defense counsel",
    value={
        "id": 3,
        "case": 21,
        "role": "defense_counsel",
        "role_display": "Defense counsel",
        "side": "defense",
        "is_lead": True,
        "user": 2,
        "defendant": None,
        "name": "Brenda Vasquez",
        "organization": "Federal Defender",
        "start_date": "2026-01-06",
        "end_date": None,
        "conflicts": [],
        "conflict_override_reason": "",
    },
    response_only=True,
    status_codes=["200", "201"],
)
PARTICIPANT_CREATE_EXAMPLES = [
    OpenApiExample(
        "Assign defense counsel",
        value={"case": 21, "role": "defense_counsel", "user": 2, "is_lead": True},
        request_only=True,
    ),
    OpenApiExample(
        "Add the defendant",
        value={"case": 21, "role": "defendant", "defendant": 9},
        request_only=True,
    ),
    OpenApiExample(
        "Despite a flagged conflict",
        value={
            "case": 21,
            "role": "defense_counsel",
            "user": 2,
            "conflict_override_reason": "Conflict waiver signed by the defendant on 2026-01-06.",
        },
        request_only=True,
    ),
]
CONFLICT_OF_INTEREST_EXAMPLE = OpenApiExample(
    "Possible conflict of interest",
    value={
        "detail": "Adding Ann Lee as defense counsel may be a conflict of interest. Ann Lee was "
        "prosecutor on this case (1:26-cr-00021) until 2026-01-20. To add them anyway, give a "
        "reason to override the conflict.",
        "code": "conflict_of_interest",
        "conflicts": ["Ann Lee was prosecutor on this case (1:26-cr-00021) until 2026-01-20."],
    },
    response_only=True,
    status_codes=["409"],
)


@extend_schema_view(
    list=extend_schema(examples=[PARTICIPANT_EXAMPLE]),
    retrieve=extend_schema(examples=[PARTICIPANT_EXAMPLE]),
)
class ParticipantViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[CaseParticipant],
):
    """Who takes part in which case. Adding one grants access; ending one revokes it."""

    serializer_class = party_serializers.ParticipantSerializer
    filterset_class = filters.ParticipantFilter

    def get_queryset(self) -> QuerySet[CaseParticipant]:
        return party_selectors.participants_listed_for_user(self.request.user)

    def get_object(self) -> CaseParticipant:
        return party_selectors.participant_get_for_user(self.request.user, self.kwargs["pk"])

    @extend_schema(
        request=party_serializers.ParticipantCreateSerializer,
        responses={
            201: party_serializers.ParticipantSerializer,
            400: OpenApiResponse(description="Bad input: a list of messages per field."),
            403: OpenApiResponse(description="You may see the case but not add this role."),
            409: OpenApiResponse(
                party_serializers.ConflictOfInterestSerializer,
                description="A possible conflict of interest: `conflicts` lists what was "
                "found. Send the same request with a `conflict_override_reason` to add the "
                "person anyway; the participation keeps the conflicts and the reason.",
            ),
        },
        examples=[*PARTICIPANT_CREATE_EXAMPLES, PARTICIPANT_EXAMPLE, CONFLICT_OF_INTEREST_EXAMPLE],
    )
    def create(self, request: Request) -> Response:
        """Add a person to a case. A possible conflict of interest answers 409 until a reason
        to override it is given."""
        data = party_serializers.ParticipantCreateSerializer(
            data=request.data, context={"request": request}
        )
        data.is_valid(raise_exception=True)
        participant = party_services.participant_add(by=request.user, **data.validated_data)  # type: ignore[arg-type]
        participant = party_selectors.participant_get_for_user(request.user, participant.pk)
        return Response(
            party_serializers.ParticipantSerializer(participant, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=party_serializers.ParticipantEndSerializer,
        responses=party_serializers.ParticipantSerializer,
    )
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str) -> Response:
        """End this participation on the given date (today by default), revoking its access."""
        participant = self.get_object()
        data = party_serializers.ParticipantEndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # Render what the service returns: a user who ends their own participation may no
        # longer see it, and a fresh scoped read would answer 404 after a committed write.
        ended = party_services.participant_end(
            participant=participant,
            by=request.user,  # type: ignore[arg-type]
            **data.validated_data,
        )
        return Response(
            party_serializers.ParticipantSerializer(ended, context={"request": request}).data
        )
