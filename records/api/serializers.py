"""What the case-record API reads and writes. Parsing only: who may write behind which wall,
what a file must be and when a disclosure may be dated are decided in records.services,
records.uploads and cases.permissions."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.api.serializers import VisibleCaseField
from core.api.fields import NamedChoiceField
from core.api.serializers import FastReadMixin
from core.text import user_name
from records import selectors
from records.models import Disclosure, Document, DocumentCategory, Note, Visibility

# The largest id PostgreSQL's bigint holds: a larger number finds nothing, never a 500.
MAX_ID = 2**63 - 1


def record_visibility(
    help_text: str = "The wall it sits behind.", **kwargs: Any
) -> NamedChoiceField:
    return NamedChoiceField(
        Visibility.choices, component="RecordVisibilityEnum", help_text=help_text, **kwargs
    )


WRITE_BEHIND = (
    "The wall it sits behind: your own side's (prosecution, defense or court) or shared. "
    "It does not change afterwards."
)


def document_category(**kwargs: Any) -> NamedChoiceField:
    return NamedChoiceField(DocumentCategory.choices, component="DocumentCategoryEnum", **kwargs)


class PersonSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True)
    name = serializers.SerializerMethodField()

    def get_name(self, user: Any) -> str:
        return user_name(user)


# --- list parameters -----------------------------------------------------------------------


class CaseListQuerySerializer(serializers.Serializer[Any]):
    case = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        help_text="The case whose record to list (required).",
        error_messages={
            "required": _("Name the case: ?case=<case id>."),
            "invalid": _("A case id is a whole number."),
            "min_value": _("A case id is a whole number."),
            "max_value": _("No case has this id."),
        },
    )


class NoteListQuerySerializer(CaseListQuerySerializer):
    visibility = record_visibility("Only those behind this wall.", required=False)
    q = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="The note contains this text."
    )


class DocumentListQuerySerializer(CaseListQuerySerializer):
    category = document_category(required=False)
    visibility = record_visibility("Only those behind this wall.", required=False)
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Title, description or file name contains this text.",
    )


class DisclosureListQuerySerializer(CaseListQuerySerializer):
    pass


# --- notes ---------------------------------------------------------------------------------


class NoteSerializer(FastReadMixin, serializers.ModelSerializer[Note]):
    """Needs `user_id` and `writable` (the walls the reader writes behind on the note's case)
    in its context, for `may_edit`."""

    visibility = record_visibility(read_only=True)
    author = PersonSerializer(read_only=True)
    may_edit = serializers.SerializerMethodField(
        help_text="Whether you may change the body: you wrote it and still write behind its wall."
    )

    class Meta:
        model = Note
        fields = [
            "id",
            "case",
            "visibility",
            "body",
            "author",
            "created_at",
            "updated_at",
            "may_edit",
        ]
        read_only_fields = fields

    def get_may_edit(self, note: Note) -> bool:
        return (
            note.author_id == self.context["user_id"]
            and note.visibility in self.context["writable"]
        )


class NoteCreateSerializer(serializers.Serializer[Any]):
    case = VisibleCaseField()
    visibility = record_visibility(WRITE_BEHIND)
    # Blank and too long are refused by the service, with its own words.
    body = serializers.CharField(allow_blank=True, trim_whitespace=False)


class NoteEditSerializer(serializers.Serializer[Any]):
    body = serializers.CharField(allow_blank=True, trim_whitespace=False)


# --- documents -----------------------------------------------------------------------------


class DocumentSerializer(FastReadMixin, serializers.ModelSerializer[Document]):
    category = document_category(read_only=True)
    visibility = record_visibility(read_only=True)
    uploaded_by = PersonSerializer(read_only=True)
    content_type = serializers.CharField(
        read_only=True, help_text="As found in the content, whatever the name or the sender said."
    )
    size = serializers.IntegerField(read_only=True, help_text="In bytes.")
    sha256 = serializers.CharField(read_only=True, help_text="SHA-256 of the content, in hex.")
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id",
            "case",
            "category",
            "title",
            "description",
            "visibility",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_by",
            "uploaded_at",
            "download_url",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, document: Document) -> str:
        path = reverse("document-download", args=[document.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class DocumentUploadSerializer(serializers.Serializer[Any]):
    case = VisibleCaseField()
    # An empty file, one too large, of a refused kind or named with a path is refused by the
    # service (records.uploads), with its own words.
    file = serializers.FileField(
        allow_empty_file=True,
        use_url=False,
        help_text="The file itself. Its kind is read from its content; the name must not "
        "contain a path.",
    )
    category = document_category()
    title = serializers.CharField(allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    visibility = record_visibility(
        WRITE_BEHIND + " A prosecution-only document becomes shared when it is disclosed."
    )


# --- discovery -----------------------------------------------------------------------------


class DisclosedDocumentSerializer(FastReadMixin, serializers.ModelSerializer[Document]):
    class Meta:
        model = Document
        fields = ["id", "title"]
        read_only_fields = fields


class DisclosureSerializer(FastReadMixin, serializers.ModelSerializer[Disclosure]):
    document = DisclosedDocumentSerializer(read_only=True, allow_null=True)
    disclosed_by = PersonSerializer(read_only=True)

    class Meta:
        model = Disclosure
        fields = [
            "id",
            "case",
            "document",
            "description",
            "disclosed_on",
            "disclosed_by",
            "created_at",
        ]
        read_only_fields = fields


class DisclosureCreateSerializer(serializers.Serializer[Any]):
    case = VisibleCaseField()
    disclosed_on = serializers.DateField(help_text="The day it was given to the defense.")
    description = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="What was disclosed; defaults to the document's title.",
    )
    document = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=MAX_ID,
        help_text="A document of the case disclosed with it; a prosecution-only one becomes "
        "shared.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        document_id = attrs.get("document")
        if document_id is not None:
            # Among the documents the caller reads on the case: one they cannot see is as
            # unknown as a missing one.
            try:
                attrs["document"] = selectors.document_get_for_user(
                    self.context["request"].user, attrs["case"], document_id
                )
            except Http404:
                raise serializers.ValidationError(
                    {"document": _("No such document on this case.")}
                ) from None
        return attrs
