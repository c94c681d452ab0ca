"""What an uploaded file must be before it joins a case record.

- Its type is read from its content (magic numbers, via `filetype`; plain text by decoding),
  never from its name or the browser's Content-Type, and must be on ALLOWED_TYPES.
- It is not empty and not larger than settings.DOCUMENT_MAX_BYTES.
- Its name carries no path: Django's parser quietly drops "../" from a name; the parser below
  remembers that it did, so the upload is refused with a clear message instead of stored
  under a name the sender did not choose.
"""

from __future__ import annotations

import codecs
import hashlib
import html
import re
import types
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParser, MultiPartParserError
from django.utils.datastructures import ImmutableList
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import parsers
from rest_framework.exceptions import ParseError

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Content type (as found in the content) -> what the page calls it.
ALLOWED_TYPES: dict[str, StrOrPromise] = {
    "application/pdf": "PDF",
    "image/png": gettext_lazy("PNG image"),
    "image/jpeg": gettext_lazy("JPEG image"),
    "image/tiff": gettext_lazy("TIFF image"),
    "text/plain": gettext_lazy("plain text"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": gettext_lazy(
        "Word document"
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": gettext_lazy(
        "Excel workbook"
    ),
    "audio/mpeg": gettext_lazy("MP3 audio"),
    "audio/x-wav": gettext_lazy("WAV audio"),
    "video/mp4": gettext_lazy("MP4 video"),
}
_HEAD_BYTES = 8192
_NAME_LIMIT = 200
_UNSAFE = re.compile(r"[\x00-\x1f\x7f<>:\"|?*]")


def _human(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} bytes"


def _has_path(raw: str) -> bool:
    name = html.unescape(raw)
    return "/" in name or "\\" in name or name.strip() in {".", ".."}


def clean_name(raw: str) -> str:
    """The name to keep and offer on download, or a ValidationError for the `file` field."""
    if _has_path(raw):
        raise ValidationError(
            {
                "file": _(
                    "The file name must not contain a path ('/', '\\' or '..'); "
                    "name the file itself, e.g. report.pdf."
                )
            }
        )
    name = _UNSAFE.sub("", unicodedata.normalize("NFC", raw))
    # Format characters (bidi overrides, zero-width) can make a name read as another.
    name = "".join(ch for ch in name if unicodedata.category(ch) != "Cf")
    name = name.strip().lstrip(".").strip()
    name = re.sub(r"\s+", " ", name)
    if not name:
        raise ValidationError({"file": _("The file has no usable name.")})
    if len(name) > _NAME_LIMIT:
        stem, dot, ext = name.rpartition(".")
        ext = ext if dot and len(ext) <= 10 else ""
        name = (stem if dot else name)[: _NAME_LIMIT - len(ext) - 1].rstrip() + (
            f".{ext}" if ext else ""
        )
    return name


def sniff(head: bytes) -> str | None:
    """The content type of a file whose first bytes are `head`, or None if unknown."""
    kind = filetype.guess(head)
    if kind is not None:
        return str(kind.mime)
    if b"\x00" in head:
        return None
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return None
    text = text.removeprefix("\ufeff")  # a UTF-8 byte order mark
    printable = sum(1 for ch in text if ch.isprintable() or ch in "\r\n\t\f")
    return "text/plain" if text and printable >= 0.95 * len(text) else None


_OFFICE_PARTS = {
    "word/document.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/workbook.xml": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


_OFFICE_TYPES = frozenset(_OFFICE_PARTS.values())


def _office_type(upload: UploadedFile) -> str | None:
    """An OOXML package whose parts come in an order `filetype` does not look for: read its
    directory (the order of parts is not significant, ECMA-376 part 2)."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        upload.seek(0)
    if "[Content_Types].xml" not in names:
        return None
    return next((kind for part, kind in _OFFICE_PARTS.items() if part in names), None)


@dataclass(frozen=True)
class CheckedUpload:
    name: str
    content_type: str
    size: int
    sha256: str


# The extensions a name may keep for each type; any other gets the first one added, so that a
# file saved from a download opens as what it is ("invoice.html" sent as text becomes
# "invoice.html.txt").
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "application/pdf": (".pdf",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/tiff": (".tif", ".tiff"),
    "text/plain": (".txt", ".csv"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
    "audio/mpeg": (".mp3",),
    "audio/x-wav": (".wav",),
    "video/mp4": (".mp4", ".m4v"),
}


def _named_for(name: str, content_type: str) -> str:
    allowed = EXTENSIONS[content_type]
    return name if name.lower().endswith(allowed) else name + allowed[0]


def _has_macros(upload: UploadedFile) -> bool:
    """A Word or Excel package carrying a VBA project (a .docm/.xlsm, whatever its name)."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
            types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        return False
    finally:
        upload.seek(0)
    return any(n.lower().endswith("vbaproject.bin") for n in names) or b"macroEnabled" in types


def check_upload(upload: UploadedFile) -> CheckedUpload:
    """Refuse what must not be stored; otherwise its name, type, size and SHA-256."""
    if getattr(upload, "path_in_name", False):
        raise ValidationError(
            {
                "file": _(
                    "The file name must not contain a path ('/', '\\' or '..'); "
                    "name the file itself, e.g. report.pdf."
                )
            }
        )
    name = clean_name(upload.name or "")
    size = upload.size or 0
    if size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    limit = settings.DOCUMENT_MAX_BYTES
    if size > limit:
        raise ValidationError(
            {
                "file": _("The file is %(human)s; the limit is %(human2)s.")
                % {"human": _human(size), "human2": _human(limit)}
            }
        )
    upload.seek(0)
    head = upload.read(_HEAD_BYTES)
    content_type = sniff(head)
    if content_type == "application/zip":
        content_type = _office_type(upload) or content_type
    if content_type not in ALLOWED_TYPES:
        allowed = ", ".join(sorted({str(label) for label in ALLOWED_TYPES.values()}))
        found = (
            _(" (it looks like %(content_type)s)") % {"content_type": content_type}
            if content_type
            else ""
        )
        raise ValidationError(
            {
                "file": _(
                    "This kind of file is not accepted%(found)s, whatever its name says. "
                    "Accepted: %(allowed)s."
                )
                % {"found": found, "allowed": allowed}
            }
        )
    if content_type in _OFFICE_TYPES and _has_macros(upload):
        raise ValidationError(
            {"file": _("Word and Excel files with macros are not accepted; save it without them.")}
        )
    name = _named_for(name, content_type)
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(name=name, content_type=content_type, size=size, sha256=digest.hexdigest())


class NameKeepingMultiPartParser(MultiPartParser):
    """Django's parser, remembering which file names it had to strip a path from."""

    def sanitize_file_name(self, file_name: str) -> str | None:
        clean = super().sanitize_file_name(file_name)
        if clean is not None and _has_path(file_name):
            # A prefix survives Django's cutting of long names (which keeps the start).
            return _PATH_MARK + clean
        return clean


# Put before the name of a file whose name had a path; taken off again by _mark_paths.
_PATH_MARK = "\x00path\x00"


def _mark_paths(files: Any) -> None:
    for field in files:
        for upload in files.getlist(field):
            if upload.name and upload.name.startswith(_PATH_MARK):
                upload.name = upload.name.removeprefix(_PATH_MARK)
                upload.path_in_name = True


def _parse_keeping_names(request: HttpRequest, meta: Any, post_data: Any) -> tuple[Any, Any]:
    """HttpRequest.parse_file_upload, with the parser below; marks files whose name had a
    path as `path_in_name`."""
    request.upload_handlers = ImmutableList(
        request.upload_handlers,
        warning="You cannot alter upload handlers after the upload has been processed.",
    )
    parser = NameKeepingMultiPartParser(meta, post_data, request.upload_handlers, request.encoding)
    post, files = parser.parse()
    _mark_paths(files)
    return post, files


class UploadNamesMiddleware:
    """Makes every multipart body parse with NameKeepingMultiPartParser (Django's own error
    handling around the parse stays as it is)."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        if request.method == "POST":
            request.parse_file_upload = types.MethodType(  # type: ignore[method-assign]
                _parse_keeping_names, request
            )
        return self.get_response(request)


class NameKeepingParser(parsers.MultiPartParser):
    """The API's multipart parser: DRF's, parsing with NameKeepingMultiPartParser."""

    def parse(
        self, stream: Any, media_type: str | None = None, parser_context: Any = None
    ) -> parsers.DataAndFiles:
        context = parser_context or {}
        request = context["request"]
        meta = request.META.copy()
        meta["CONTENT_TYPE"] = media_type
        encoding = context.get("encoding", settings.DEFAULT_CHARSET)
        parser = NameKeepingMultiPartParser(meta, stream, request.upload_handlers, encoding)
        try:
            data, files = parser.parse()
        except MultiPartParserError as exc:
            raise ParseError(_("Multipart form parse error - %(exc)s") % {"exc": exc}) from exc
        _mark_paths(files)
        return parsers.DataAndFiles(data, files)
