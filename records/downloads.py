"""Sending a document's file: the one response both the page and the API give."""

from __future__ import annotations

import base64
from typing import Any

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from records import services, storage
from records.models import Document


def document_response(document: Document, *, by: Any, request: Any) -> FileResponse:
    """The file as an attachment under the name it was uploaded with, its stored type,
    `nosniff`, never cached, with its SHA-256; the download recorded first. The caller has
    checked the wall (records.selectors)."""
    try:
        handle = storage.documents().open(document.storage_name, "rb")
    except OSError:  # missing from the store (FileNotFoundError) or unreadable
        raise Http404(_("The file of this document is missing from the document store.")) from None
    try:
        services.document_downloaded(document=document, by=by, request=request)
    except BaseException:
        handle.close()
        raise
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    digest = base64.b64encode(bytes.fromhex(document.sha256)).decode()
    response["Repr-Digest"] = f"sha-256=:{digest}:"
    response["X-Content-SHA256"] = document.sha256
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
