"""Thin API views of the case record: parse with a serializer, call one service or selector,
render. Who reads what is decided in cases.permissions, through records.selectors (walls
filtered in SQL): a case, note or document the caller may not see answers 404 like a missing
one, an action they may not take on one they see answers 403, a document already disclosed 409.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cases import permissions
from cases import selectors as case_selectors
from cases.models import Case
from core.api.negotiation import DownloadNegotiation
from core.api.schema import ETAG, IF_MATCH, PRECONDITION_FAILED, digest_headers
from core.api.versions import versioned
from core.versions import parse_if_match
from records import downloads, selectors, services
from records.api import serializers
from records.models import Disclosure, Document, Note
from records.uploads import NameKeepingParser

if TYPE_CHECKING:
    from django.contrib.auth.models import User

TAGS = ["case record"]

NOT_FOUND = OpenApiResponse(description="Missing, or not yours to see (the same answer).")
FORBIDDEN = OpenApiResponse(description="You may see this but not do this; the detail says why.")
INVALID = OpenApiResponse(description="Bad input: a list of messages per field.")
ALREADY_DISCLOSED = OpenApiResponse(
    description='The document has already been disclosed (`"code": "already_disclosed"`).'
)


def _user(request: Request) -> User:
    # Every view requires authentication (REST_FRAMEWORK's IsAuthenticated).
    return cast("User", request.user)


def _object_id(raw: str) -> int:
    """The id in the URL. One that is not a number (or too large for one) finds nothing: the
    same 404 as a missing object, never a 500."""
    try:
        value = int(raw)
    except ValueError:
        return 0
    return value if 0 < value <= serializers.MAX_ID else 0


def _listed(
    view: viewsets.GenericViewSet[Any], query: type[serializers.CaseListQuerySerializer]
) -> tuple[Case, dict[str, Any]]:
    """The case named by `?case=` (400 if missing or not a number, 404 if not yours to see)
    and the other list parameters, checked."""
    params = query(data=view.request.query_params)
    params.is_valid(raise_exception=True)
    case = case_selectors.case_get_for_user(view.request.user, params.validated_data["case"])
    return case, params.validated_data


def _page(view: viewsets.GenericViewSet[Any], rows: QuerySet[Any], context: dict[str, Any]) -> Any:
    page = view.paginate_queryset(rows)
    data = view.get_serializer_class()(page, many=True, context=context).data
    return view.get_paginated_response(data)


def _case_with(user: User, related: str, pk: int, what: str) -> Case:
    """The case holding the note or document `pk`, among the cases `user` sees (or 404)."""
    case = (
        case_selectors.cases_checked_for(user)
        .select_related("court", "court__jurisdiction")
        .filter(**{f"{related}__id": pk})
        .first()
        if pk
        else None
    )
    if case is None:
        raise Http404(_("No such %(what)s.") % {"what": what})
    return case


# --- notes ---------------------------------------------------------------------------------


def _note_context(request: Request, case: Case) -> dict[str, Any]:
    user = _user(request)
    return {
        "request": request,
        "user_id": user.pk,
        "writable": permissions.record_walls_writable(user, case),
    }


def _note_body(request: Request, note: Note) -> dict[str, Any]:
    return dict(serializers.NoteSerializer(note, context=_note_context(request, note.case)).data)


@extend_schema(tags=TAGS)
class NoteViewSet(viewsets.GenericViewSet[Note]):
    """Notes on a case, behind their walls: prosecution only, defense only, shared, court only.
    You read your side's and the shared ones; a note behind another wall is never listed,
    counted or found by a search, and its id answers 404."""

    serializer_class = serializers.NoteSerializer

    def get_queryset(self) -> QuerySet[Note]:
        # Only for the schema: every read below goes through records.selectors.
        return Note.objects.none()

    def _note(self, pk: str) -> Note:
        user, note_id = _user(self.request), _object_id(pk)
        case = _case_with(user, "notes", note_id, "note")
        note = selectors.note_get_for_user(user, case, note_id)
        note.case = case
        return note

    @extend_schema(
        parameters=[serializers.NoteListQuerySerializer],
        responses={200: serializers.NoteSerializer(many=True), 400: INVALID, 404: NOT_FOUND},
    )
    def list(self, request: Request) -> Response:
        """The notes you read on `?case=`, newest first. 404 for a case you may not see."""
        case, params = _listed(self, serializers.NoteListQuerySerializer)
        rows = selectors.notes_for(request.user, case, q=params["q"])
        if params.get("visibility"):
            rows = rows.filter(visibility=params["visibility"])
        return _page(self, rows, _note_context(request, case))

    @extend_schema(responses={200: serializers.NoteSerializer, 404: NOT_FOUND}, parameters=[ETAG])
    def retrieve(self, request: Request, pk: str) -> Response:
        """A note you read; 404 for one behind another wall, like a missing one."""
        note = self._note(pk)
        return versioned(Response(_note_body(request, note)), note)

    @extend_schema(
        request=serializers.NoteCreateSerializer,
        responses={201: serializers.NoteSerializer, 400: INVALID, 403: FORBIDDEN},
    )
    def create(self, request: Request) -> Response:
        """Write a note behind your side's wall or shared. The defendant reads but does not
        write; those behind the wall are notified."""
        data = serializers.NoteCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        note = services.note_add(by=_user(request), **data.validated_data)
        created = Response(_note_body(request, note), status=status.HTTP_201_CREATED)
        return versioned(created, note)

    @extend_schema(
        request=serializers.NoteEditSerializer,
        responses={
            200: serializers.NoteSerializer,
            400: INVALID,
            403: FORBIDDEN,
            404: NOT_FOUND,
            412: PRECONDITION_FAILED,
        },
        parameters=[IF_MATCH, ETAG],
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        """Correct the body of your own note; its wall stays. The history keeps every version.
        Send the ETag you read in If-Match to change only that version (412 if it changed)."""
        note = self._note(pk)
        data = serializers.NoteEditSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        edited = services.note_edit(
            note=note,
            by=_user(request),
            body=data.validated_data["body"],
            if_match=parse_if_match(request.headers.get("If-Match")),
        )
        edited.case = note.case
        return versioned(Response(_note_body(request, edited)), edited)


# --- documents -----------------------------------------------------------------------------


@extend_schema(tags=TAGS)
class DocumentViewSet(viewsets.GenericViewSet[Document]):
    """Documents on a case, behind the same walls as notes. Contents are never served as
    static files: each download is checked and recorded in the case history."""

    serializer_class = serializers.DocumentSerializer
    # Marks a file whose name came with a path, so the upload is refused rather than stored
    # under a name the sender did not choose.
    parser_classes = [NameKeepingParser]

    def get_queryset(self) -> QuerySet[Document]:
        # Only for the schema: every read below goes through records.selectors.
        return Document.objects.none()

    def get_object(self) -> Document:
        user, document_id = _user(self.request), _object_id(self.kwargs["pk"])
        case = _case_with(user, "documents", document_id, "document")
        return selectors.document_get_for_user(user, case, document_id)

    @extend_schema(
        parameters=[serializers.DocumentListQuerySerializer],
        responses={200: serializers.DocumentSerializer(many=True), 400: INVALID, 404: NOT_FOUND},
    )
    def list(self, request: Request) -> Response:
        """The documents you read on `?case=`, newest first. 404 for a case you may not see."""
        case, params = _listed(self, serializers.DocumentListQuerySerializer)
        rows = selectors.documents_for(
            request.user, case, q=params["q"], category=params.get("category", "")
        )
        if params.get("visibility"):
            rows = rows.filter(visibility=params["visibility"])
        return _page(self, rows, {"request": request})

    @extend_schema(responses={200: serializers.DocumentSerializer, 404: NOT_FOUND})
    def retrieve(self, request: Request, pk: str) -> Response:
        """A document you read; 404 for one behind another wall, like a missing one."""
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        request={"multipart/form-data": serializers.DocumentUploadSerializer},
        responses={201: serializers.DocumentSerializer, 400: INVALID, 403: FORBIDDEN},
    )
    def create(self, request: Request) -> Response:
        """Upload a document (multipart/form-data). Its kind is read from its content and must
        be accepted (PDF, images, plain text, Office documents, audio, video); an empty file,
        one over the size limit or one whose name carries a path is refused with a 400 for
        `file`, and nothing is kept."""
        data = serializers.DocumentUploadSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        document = services.document_upload(
            case=fields["case"],
            by=_user(request),
            upload=fields["file"],
            category=fields["category"],
            title=fields["title"],
            description=fields["description"],
            visibility=fields["visibility"],
        )
        body = serializers.DocumentSerializer(document, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={
            (200, "*/*"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="The file as uploaded, as an attachment under its original name, "
                "with `Content-Type` the type found in its content. Recorded in the case "
                "history.",
            ),
            404: NOT_FOUND,
        },
        parameters=digest_headers("sha256", "document"),
    )
    @action(detail=True, methods=["get"], content_negotiation_class=DownloadNegotiation)
    def download(self, request: Request, pk: str) -> FileResponse:
        """Download the document. Every download is recorded in the case history, behind the
        document's wall."""
        document = self.get_object()
        return downloads.document_response(document, by=_user(request), request=request._request)


# --- discovery -----------------------------------------------------------------------------


@extend_schema(tags=TAGS)
class DisclosureViewSet(viewsets.GenericViewSet[Disclosure]):
    """The discovery log: what the prosecution has given the defense, and when. Everyone who
    sees the case reads it; the prosecution alone adds to it."""

    serializer_class = serializers.DisclosureSerializer

    def get_queryset(self) -> QuerySet[Disclosure]:
        # Only for the schema: every read below goes through records.selectors.
        return Disclosure.objects.none()

    @extend_schema(
        parameters=[serializers.DisclosureListQuerySerializer],
        responses={200: serializers.DisclosureSerializer(many=True), 400: INVALID, 404: NOT_FOUND},
    )
    def list(self, request: Request) -> Response:
        """The disclosures on `?case=`, newest first. 404 for a case you may not see."""
        case, _query = _listed(self, serializers.DisclosureListQuerySerializer)
        return _page(self, selectors.disclosures_for(request.user, case), {"request": request})

    @extend_schema(
        request=serializers.DisclosureCreateSerializer,
        responses={
            201: serializers.DisclosureSerializer,
            400: INVALID,
            403: FORBIDDEN,
            409: ALREADY_DISCLOSED,
        },
    )
    def create(self, request: Request) -> Response:
        """Record an item of discovery given to the defense: a document of the case (a
        prosecution-only one becomes shared, so the defense now reads it) or a description.
        Dated today or earlier, not before the case was opened. Prosecutors only."""
        data = serializers.DisclosureCreateSerializer(
            data=request.data, context={"request": request}
        )
        data.is_valid(raise_exception=True)
        disclosure = services.disclosure_add(by=_user(request), **data.validated_data)
        body = serializers.DisclosureSerializer(disclosure, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)
