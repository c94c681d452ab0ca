"""Writes to the case record: notes, documents and discovery disclosures."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from audit import services as audit
from cases import permissions
from cases.models import Case
from cases.services import court_today
from core import domain_events
from core.exceptions import Conflict
from core.text import single_line
from core.versions import require_version
from records import storage
from records.models import Disclosure, Document, DocumentCategory, Note, Visibility
from records.uploads import check_upload

if TYPE_CHECKING:
    from django.contrib.auth.models import User

NOTE_MAX_CHARS = 20_000


def _lock_case(case: Case) -> Case:
    return (
        Case.objects.select_for_update(no_key=True, of=("self",))
        .select_related("court__jurisdiction")
        .get(pk=case.pk)
    )


def _check_visibility(visibility: str) -> None:
    if visibility not in Visibility.values:
        raise ValidationError(
            {"visibility": _("Choose one of: %(items)s.") % {"items": ", ".join(Visibility.values)}}
        )


# --- notes -----------------------------------------------------------------------------------


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if "\x00" in body:
        raise ValidationError({"body": _("The note contains a NUL character.")})
    if not body:
        raise ValidationError({"body": _("Write the note.")})
    if len(body) > NOTE_MAX_CHARS:
        raise ValidationError(
            {
                "body": _("A note holds at most %(limit)s characters.")
                % {"limit": format(NOTE_MAX_CHARS, ",")}
            }
        )
    return body


def note_add(*, case: Case, by: User, visibility: str, body: str) -> Note:
    _check_visibility(visibility)
    body = _clean_body(body)
    with transaction.atomic():
        locked = _lock_case(case)
        permissions.require_record_writer(by, locked, visibility)
        note = Note.objects.create(case=locked, visibility=visibility, body=body, author=by)
        # Everyone behind the wall is told (deadlines.subscribers).
        domain_events.publish(
            domain_events.NoteAdded(case=locked, by=by, visibility=visibility, note_id=note.pk)
        )
    return note


def note_edit(*, note: Note, by: User, body: str, if_match: list[str] | None = None) -> Note:
    """The author corrects their note; the history keeps every version. The wall stays. With
    `if_match`, 412 if the note changed since the client read it."""
    body = _clean_body(body)
    with transaction.atomic():
        _lock_case(note.case)
        locked = Note.objects.select_for_update().get(pk=note.pk)
        if locked.author_id != by.pk:
            raise PermissionDenied(_("Only the author may change a note."))
        permissions.require_record_writer(by, locked.case, locked.visibility)
        require_version(locked, if_match)
        locked.body = body
        locked.save(update_fields=["body", "updated_at"])
    return locked


# --- documents -------------------------------------------------------------------------------


def document_upload(
    *,
    case: Case,
    by: User,
    upload: UploadedFile,
    category: str,
    title: str,
    visibility: str,
    description: str = "",
) -> Document:
    """Check the file, store it, record it. A refused file leaves nothing behind: it is
    checked before anything is written, and removed again if the record cannot be saved."""
    errors: dict[str, str] = {}
    if category not in DocumentCategory.values:
        errors["category"] = _("Choose one of: %(items)s.") % {
            "items": ", ".join(DocumentCategory.values)
        }
    if visibility not in Visibility.values:
        errors["visibility"] = _("Choose one of: %(items)s.") % {
            "items": ", ".join(Visibility.values)
        }
    # A NUL is refused, not cleaned away: it is never typed, only sent by a broken client.
    if "\x00" in (title or ""):
        errors["title"] = _("The title contains a NUL character.")
    title = single_line(title or "")
    description = (description or "").strip()
    if "\x00" in description:
        errors["description"] = _("The description contains a NUL character.")
    if not title and "title" not in errors:
        errors["title"] = _("Give the document a title.")
    elif len(title) > 300:
        errors["title"] = _("A title holds at most 300 characters.")
    if errors:
        raise ValidationError(errors)
    permissions.require_record_writer(by, case, visibility)
    checked = check_upload(upload)
    store = storage.documents()
    name = f"{case.pk}/{uuid.uuid4().hex}"
    saved = store.save(name, upload)
    try:
        with transaction.atomic():
            locked = _lock_case(case)
            permissions.require_record_writer(by, locked, visibility)
            document = Document.objects.create(
                case=locked,
                category=category,
                title=title,
                description=description,
                visibility=visibility,
                storage_name=saved,
                original_name=checked.name,
                content_type=checked.content_type,
                size=checked.size,
                sha256=checked.sha256,
                uploaded_by=by,
            )
            domain_events.publish(
                domain_events.DocumentUploaded(
                    case=locked, by=by, visibility=visibility, document_id=document.pk
                )
            )
    except BaseException:
        store.delete(saved)
        raise
    return document


def document_downloaded(*, document: Document, by: User, request: object = None) -> None:
    """Every download is in the history, behind the document's own wall."""
    audit.record(
        "document.downloaded",
        case_id=document.case_id,
        audience=document.visibility,
        actor=by,
        request=request,
        data={"document_id": document.pk, "sha256": document.sha256, "size": document.size},
    )


# --- discovery -------------------------------------------------------------------------------


def disclosure_add(
    *,
    case: Case,
    by: User,
    disclosed_on: dt.date,
    description: str = "",
    document: Document | None = None,
) -> Disclosure:
    """The prosecution records an item given to the defense. Disclosing a document the
    prosecution kept to itself shares it: the defense now has it."""
    with transaction.atomic():
        locked = _lock_case(case)
        permissions.require_discloser(by, locked)
        errors: dict[str, str] = {}
        description = single_line(description or "")
        if document is not None:
            if document.case_id != locked.pk:
                errors["document"] = _("That document is not on this case.")
            elif document.visibility not in (Visibility.PROSECUTION, Visibility.SHARED):
                errors["document"] = _(
                    "Only the prosecution's own or shared documents are disclosed."
                )
            description = description or document.title
        if not description:
            errors["description"] = _("Say what was disclosed.")
        elif len(description) > 500:
            errors["description"] = _("A description holds at most 500 characters.")
        if disclosed_on > court_today(locked.court):
            errors["disclosed_on"] = _("A disclosure cannot be dated in the future.")
        elif disclosed_on < locked.opened_on:
            errors["disclosed_on"] = _("A disclosure cannot be dated before the case was opened.")
        if errors:
            raise ValidationError(errors)
        if document is not None:
            doc = Document.objects.select_for_update().get(pk=document.pk)
            if Disclosure.objects.filter(document=doc).exists():
                raise Conflict(
                    _("This document has already been disclosed."), code="already_disclosed"
                )
            if doc.visibility == Visibility.PROSECUTION:
                doc.visibility = Visibility.SHARED
                doc.save(update_fields=["visibility"])
            document = doc
        disclosure = Disclosure.objects.create(
            case=locked,
            document=document,
            description=description,
            disclosed_on=disclosed_on,
            disclosed_by=by,
        )
        domain_events.publish(
            domain_events.DisclosureRecorded(
                case=locked, by=by, visibility=Visibility.SHARED, disclosure_id=disclosure.pk
            )
        )
    return disclosure


def discovery_snapshot(case: Case) -> tuple[int, dt.date | None, list[int]]:
    """What the defense had been given by now: how many items, the latest date, which ones."""
    rows = list(
        Disclosure.objects.filter(case=case, disclosed_on__lte=court_today(case.court))
        .order_by("id")
        .values_list("id", "disclosed_on")
    )
    return len(rows), max((day for _, day in rows), default=None), [pk for pk, _ in rows]
