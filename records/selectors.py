"""Reads of the case record. Every query filters by the reader's walls in SQL, so what is
behind another wall is never returned, counted or matched by a search."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from cases import permissions
from cases.models import Case
from records.models import Disclosure, Document, Note

if TYPE_CHECKING:
    from cases.permissions import AnyUser


def notes_for(user: AnyUser, case: Case, *, q: str = "") -> QuerySet[Note]:
    walls = permissions.walls_of(user, case)
    notes = Note.objects.filter(case=case, visibility__in=walls).select_related("author")
    if q.strip():
        notes = notes.filter(body__icontains=q.strip())
    return notes.order_by("-created_at", "-id")


def note_get_for_user(user: AnyUser, case: Case, note_id: int | str) -> Note:
    try:
        return notes_for(user, case).get(pk=int(note_id))
    except (Note.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such note.")) from None


def documents_for(
    user: AnyUser, case: Case, *, q: str = "", category: str = ""
) -> QuerySet[Document]:
    walls = permissions.walls_of(user, case)
    documents = Document.objects.filter(case=case, visibility__in=walls).select_related(
        "uploaded_by"
    )
    if q.strip():
        term = q.strip()
        documents = documents.filter(
            Q(title__icontains=term)
            | Q(description__icontains=term)
            | Q(original_name__icontains=term)
        )
    if category:
        documents = documents.filter(category=category)
    return documents.order_by("-uploaded_at", "-id")


def document_get_for_user(user: AnyUser, case: Case, document_id: int | str) -> Document:
    try:
        return documents_for(user, case).get(pk=int(document_id))
    except (Document.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such document.")) from None


def disclosures_for(user: AnyUser, case: Case) -> QuerySet[Disclosure]:
    """The disclosure log: everyone who sees the case reads it. A disclosed document is
    shared, so its title is no secret to anyone who reads the log."""
    if not permissions.walls_of(user, case):
        return Disclosure.objects.none()
    return (
        Disclosure.objects.filter(case=case)
        .select_related("document", "disclosed_by")
        .order_by("-disclosed_on", "-id")
    )


def disclosable_documents(user: AnyUser, case: Case) -> QuerySet[Document]:
    """Documents the prosecution may still disclose: its own or shared, not yet disclosed."""
    if not permissions.may_disclose(user, case):
        return Document.objects.none()
    return (
        Document.objects.filter(case=case, visibility__in=["prosecution", "shared"])
        .filter(disclosures__isnull=True)
        .order_by("-uploaded_at", "-id")
    )
