"""Pages of a case's record: its notes, its documents and the discovery log.

Thin views: records.selectors read (filtered by the reader's walls in SQL), one records.services
function writes, then the browser is redirected (POST/redirect/GET) or the page is shown again
with the submitted form. A case the user may not see answers 404 on every page and POST
(cases.selectors.case_get_for_user), and so does a note or document behind a wall they do not
read; an action they may not take answers 403 and changes nothing (cases.permissions decides,
the services check again). A service's ValidationError is shown next to the field it names
(400); a Conflict on top of the form (409).

Times are shown in the court's time zone, labelled with its abbreviation.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required as django_login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from audit import services as audit_services
from cases import permissions
from cases import selectors as case_selectors
from cases.models import Case
from cases.services import court_today
from core.decorators import login_required_htmx as login_required
from core.decorators import signed_in_user
from core.forms import submit_form
from core.sections import DISCOVERY_PAGE, sections_context
from records import downloads, selectors, services
from records.forms import (
    DisclosureForm,
    DocumentSearchForm,
    DocumentUploadForm,
    NoteEditForm,
    NoteForm,
    NoteSearchForm,
)
from records.models import Disclosure, Document, Note, Visibility
from records.uploads import ALLOWED_TYPES

T = TypeVar("T")

# A note changed less than this long after it was written was not edited.
_EDIT_SLACK_SECONDS = 1


_submit = submit_form


def _case_of(request: HttpRequest, case_id: int) -> tuple[User, Case]:
    user = signed_in_user(request)
    return user, case_selectors.case_get_for_user(user, case_id)


def _url(name: str, case: Case, anchor: str = "") -> str:
    url = reverse(name, args=[case.pk])
    return f"{url}#{anchor}" if anchor else url


def _render(
    request: HttpRequest, template: str, case: Case, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    if request.method == "GET":
        audit_services.sealed_case_viewed(
            case=case, request=request, seen=f"record: {context['section']}"
        )
    with timezone.override(case.court.time_zone):
        return render(request, template, {"case": case, **context}, status=status)


# --- notes -------------------------------------------------------------------------------------


def _mark_edited(notes: list[Note]) -> list[Note]:
    for note in notes:
        note.was_edited = (  # type: ignore[attr-defined]
            note.updated_at - note.created_at
        ).total_seconds() > _EDIT_SLACK_SECONDS
    return notes


@login_required
@require_http_methods(["GET", "POST"])
def notes(request: HttpRequest, case_id: int) -> HttpResponse:
    """The notes the reader may see, newest first, searchable; and a note to add for those
    who write on the record, behind their side's wall or shared."""
    user, case = _case_of(request, case_id)
    walls = permissions.record_walls_writable(user, case)
    form: NoteForm | None = NoteForm(walls=walls) if walls else None
    status, conflict = 200, ""
    if request.method == "POST":
        permissions.require_record_writer(user, case, request.POST.get("visibility", ""))
        form = NoteForm(request.POST, walls=walls)
        note, status, conflict = _submit(
            form,
            lambda data: services.note_add(
                case=case, by=user, visibility=data["visibility"], body=data["body"]
            ),
        )
        if note is not None:
            wall = Visibility(note.visibility).label.lower()
            messages.success(request, _("Note added (%(wall)s).") % {"wall": wall})
            return redirect(_url("records:notes", case, f"note-{note.pk}"))
    search = NoteSearchForm(request.GET)
    query = search.query()
    rows = _mark_edited(list(selectors.notes_for(user, case, q=query)))
    context = {
        "notes": rows,
        "search": search,
        "query": query,
        "form": form,
        "conflict": conflict,
        "section": "notes",
    }
    return _render(request, "records/notes.html", case, context, status)


@login_required
@require_http_methods(["GET", "POST"])
def note_edit(request: HttpRequest, case_id: int, note_id: int) -> HttpResponse:
    """The author corrects the text of their note; its wall stays (the history keeps every
    version)."""
    user, case = _case_of(request, case_id)
    note = selectors.note_get_for_user(user, case, note_id)
    if note.author_id != user.pk:
        raise PermissionDenied(_("Only the author may change a note."))
    permissions.require_record_writer(user, case, note.visibility)
    form = NoteEditForm(
        request.POST if request.method == "POST" else None, initial={"body": note.body}
    )
    status, conflict = 200, ""
    if request.method == "POST":
        saved, status, conflict = _submit(
            form, lambda data: services.note_edit(note=note, by=user, body=data["body"])
        )
        if saved is not None:
            if saved.body == note.body:
                messages.info(request, _("Nothing changed: the note already said so."))
            else:
                messages.success(request, _("Note saved. The history keeps the earlier text."))
            return redirect(_url("records:notes", case, f"note-{saved.pk}"))
    context = {"note": note, "form": form, "conflict": conflict, "section": "notes"}
    return _render(request, "records/note_edit.html", case, context, status)


# --- documents ---------------------------------------------------------------------------------


def _with_type_labels(documents: list[Document]) -> list[Document]:
    for document in documents:
        document.type_label = ALLOWED_TYPES.get(  # type: ignore[attr-defined]
            document.content_type, document.content_type
        )
    return documents


@login_required
@require_http_methods(["GET", "POST"])
def documents(request: HttpRequest, case_id: int) -> HttpResponse:
    """The documents the reader may see, newest first, searchable and by category; and an
    upload form for those who write on the record. A refused file leaves nothing behind."""
    user, case = _case_of(request, case_id)
    walls = permissions.record_walls_writable(user, case)
    form: DocumentUploadForm | None = DocumentUploadForm(walls=walls) if walls else None
    status, conflict = 200, ""
    if request.method == "POST":
        permissions.require_record_writer(user, case, request.POST.get("visibility", ""))
        form = DocumentUploadForm(request.POST, request.FILES, walls=walls)
        document, status, conflict = _submit(
            form,
            lambda data: services.document_upload(
                case=case,
                by=user,
                upload=data["file"],
                category=data["category"],
                title=data["title"],
                description=data["description"],
                visibility=data["visibility"],
            ),
        )
        if document is not None:
            wall = Visibility(document.visibility).label.lower()
            messages.success(
                request,
                _("“%(title)s” uploaded (%(wall)s).") % {"title": document.title, "wall": wall},
            )
            return redirect(_url("records:documents", case, f"document-{document.pk}"))
    search = DocumentSearchForm(request.GET)
    filters = search.filters()
    rows = _with_type_labels(list(selectors.documents_for(user, case, **filters)))
    context = {
        "documents": rows,
        "search": search,
        "filtered": any(filters.values()),
        "form": form,
        "max_size": settings.DOCUMENT_MAX_BYTES,
        "conflict": conflict,
        "section": "documents",
    }
    return _render(request, "records/documents.html", case, context, status)


# Django's own login_required: a download is never an htmx request, and it streams (not an
# HttpResponse, which login_required_htmx is typed for).
@django_login_required
@require_GET
def document_download(request: HttpRequest, case_id: int, document_id: int) -> FileResponse:
    """The file, as an attachment under the name it was uploaded with; only through here,
    after the wall is checked, and every download is in the history."""
    user, case = _case_of(request, case_id)
    document = selectors.document_get_for_user(user, case, document_id)
    return downloads.document_response(document, by=user, request=request)


# --- discovery ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def discovery(request: HttpRequest, case_id: int) -> HttpResponse:
    """The disclosure log, for everyone who sees the case; the prosecution records here what
    it has given the defense (a document on the case, or an item described)."""
    user, case = _case_of(request, case_id)
    today = court_today(case.court)
    may_disclose = permissions.may_disclose(user, case)
    form: DisclosureForm | None = None
    status, conflict = 200, ""
    if request.method == "POST":
        permissions.require_discloser(user, case)
        form = DisclosureForm(
            request.POST, documents=selectors.disclosable_documents(user, case), today=today
        )
        shared_now: list[str] = []

        def disclose(data: dict[str, Any]) -> Disclosure:
            chosen: Document | None = data["document"]
            if chosen is not None and chosen.visibility == Visibility.PROSECUTION:
                shared_now.append(chosen.title)
            return services.disclosure_add(
                case=case,
                by=user,
                disclosed_on=data["disclosed_on"],
                description=data["description"],
                document=chosen,
            )

        disclosure, status, conflict = _submit(form, disclose)
        if disclosure is not None:
            text = _("Recorded: “%(description)s” disclosed on %(disclosed_on)s.") % {
                "description": disclosure.description,
                "disclosed_on": format(disclosure.disclosed_on, "%Y-%m-%d"),
            }
            if shared_now:
                text += _(" “%(shared_now)s” is now shared with the defense.") % {
                    "shared_now": shared_now[0]
                }
            messages.success(request, text)
            return redirect(_url("records:discovery", case, f"disclosure-{disclosure.pk}"))
    elif may_disclose:
        form = DisclosureForm(documents=selectors.disclosable_documents(user, case), today=today)
    log = list(selectors.disclosures_for(user, case))
    context = {
        "disclosures": log,
        # What each sent offer recorded about discovery: a section of negotiations' (core.sections).
        **sections_context(DISCOVERY_PAGE, user=user, case=case, disclosures=log),
        "form": form,
        "today": today,
        "conflict": conflict,
        "section": "discovery",
    }
    return _render(request, "records/discovery.html", case, context, status)


@login_required
@require_GET
def discovery_index(request: HttpRequest, case_id: int) -> HttpResponse:
    """The discovery index as a document: every item disclosed, in the order disclosed, in the
    case's document language (its profile's `document_language`: Chinese for a Chinese court)
    whatever the reader's, or in another of Parley's languages on `?language=` (a defendant's
    copy). Printed from the browser; the page around it stays in the reader's language. Read by
    everyone who reads the disclosure log."""
    user, case = _case_of(request, case_id)
    document_language = case.court.jurisdiction.document_language
    language = request.GET.get("language") or document_language
    languages = dict(settings.LANGUAGES)
    if language not in languages:
        return HttpResponseBadRequest(
            _("No such language: “%(language)s”. Choose one of: %(languages)s.")
            % {"language": language[:20], "languages": ", ".join(languages)},
            content_type="text/plain; charset=utf-8",
        )
    log = list(selectors.disclosures_for(user, case))
    log.reverse()  # an index numbers the items in the order they were disclosed
    context = {
        "disclosures": log,
        "document_language": language,
        "other_languages": [
            (code, translation.get_language_info(code)["name_local"])
            for code in languages
            if code != language
        ],
        "is_case_language": language == document_language,
        "today": court_today(case.court),
        "section": "discovery index",
    }
    return _render(request, "records/discovery_index.html", case, context)
