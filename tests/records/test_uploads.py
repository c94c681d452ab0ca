"""What an uploaded file must be before it joins a case record (records.uploads), and what a
refused file leaves behind when the service is asked to store it (records.services).

The type of a file is read from its content, never from its name: a program renamed
"report.pdf" is refused and the message says what it looks like. A refused file leaves no file
in the documents storage, no Document row and no line in the history.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from rest_framework.request import Request

from audit.models import AuditEvent
from parties.models import Role
from records import services
from records.models import Document, DocumentCategory, Visibility
from records.uploads import (
    ALLOWED_TYPES,
    NameKeepingParser,
    UploadNamesMiddleware,
    check_upload,
    clean_name,
    sniff,
)
from tests.conftest import World

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES_XML = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
)


def zipped(*parts: tuple[str, str | bytes]) -> bytes:
    """A ZIP archive holding `parts` in this order (OOXML documents are ZIP archives)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts:
            archive.writestr(name, content)
    return buffer.getvalue()


# Minimal files of each kind: the first bytes a real one starts with.
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01" + b"\x00" * 32
TIFF = b"II*\x00\x08\x00\x00\x00" + b"\x00" * 32
WORD = zipped(
    ("[Content_Types].xml", CONTENT_TYPES_XML),
    ("_rels/.rels", "<Relationships/>"),
    ("word/document.xml", "<w:document><w:body><w:p>Plea agreement</w:p></w:body></w:document>"),
)
EXCEL = zipped(
    ("[Content_Types].xml", CONTENT_TYPES_XML),
    ("_rels/.rels", "<Relationships/>"),
    ("xl/workbook.xml", "<workbook/>"),
)
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 32
MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x0f" + b"\xff\xfb\x90\x64" + b"\x00" * 32
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00" + b"\x00" * 32
TEXT = b"Hearing moved to 14:00; the defense agrees.\r\n\tSee the docket.\n"
CHINESE_TEXT = "起诉书：被告人张三涉嫌盗窃罪，数额较大。\n认罪认罚具结书已签署。\n".encode()
# Programs and archives: what must never be stored, whatever the file is called.
WINDOWS_EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 60
PLAIN_ZIP = zipped(("evidence/photo-1.txt", "not a document"))
TEXT_WITH_NUL = b"looks like text\x00but carries a NUL byte"
# HTML and SVG are text: they pass as text/plain (see test_markup_passes_as_plain_text).
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def refusal(call: Any) -> list[str]:
    """The messages for the `file` field of the ValidationError `call` raises."""
    with pytest.raises(ValidationError) as refused:
        call()
    return refused.value.message_dict["file"]


# --- sniff: the type is read from the content ---------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (PDF, "application/pdf"),
        (PNG, "image/png"),
        (JPEG, "image/jpeg"),
        (TIFF, "image/tiff"),
        (WORD, DOCX),
        (EXCEL, XLSX),
        (MP4, "video/mp4"),
        (MP3, "audio/mpeg"),
        (WAV, "audio/x-wav"),
        (TEXT, "text/plain"),
        (CHINESE_TEXT, "text/plain"),
    ],
    ids=["pdf", "png", "jpeg", "tiff", "docx", "xlsx", "mp4", "mp3", "wav", "text", "chinese"],
)
def test_accepted_kinds_are_recognised_by_their_content(content: bytes, expected: str) -> None:
    assert sniff(content) == expected
    assert expected in ALLOWED_TYPES


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (WINDOWS_EXE, "application/x-msdownload"),
        (ELF, "application/x-executable"),
        (PLAIN_ZIP, "application/zip"),
        (TEXT_WITH_NUL, None),
        (b"\x00\x01\x02\x03\xfe\xff" * 20, None),
        ("résumé".encode("utf-16"), None),
    ],
    ids=["exe", "elf", "zip", "text-with-nul", "binary", "utf-16"],
)
def test_programs_archives_and_unknown_binaries_are_not_accepted_kinds(
    content: bytes, expected: str | None
) -> None:
    assert sniff(content) == expected
    assert sniff(content) not in ALLOWED_TYPES


def test_text_cut_in_the_middle_of_a_character_is_still_text() -> None:
    # Only the first bytes are read; a Chinese character (3 bytes) may be cut at the end.
    head = ("认罪认罚" * 1000).encode()[:8191]

    assert sniff(head) == "text/plain"


def test_utf8_text_starting_with_a_byte_order_mark_is_text() -> None:
    # Notepad on Windows (and many Chinese editors) save UTF-8 with a BOM.
    assert sniff("\ufeff已阅。".encode()) == "text/plain"


def test_markup_passes_as_plain_text() -> None:
    # A decision, pinned: HTML and SVG are text and are kept as text/plain. That is safe only
    # because downloads are served as attachments with the stored type and nosniff; serving a
    # document inline would need this revisited.
    assert sniff(HTML) == "text/plain"
    assert sniff(SVG) == "text/plain"


def test_a_word_document_is_recognised_whatever_the_order_of_its_parts() -> None:
    # The order of parts inside an OOXML package is not significant (ECMA-376 part 2); some
    # generators put properties and custom XML before the document itself.
    word = zipped(
        ("[Content_Types].xml", CONTENT_TYPES_XML),
        ("_rels/.rels", "<Relationships/>"),
        ("docProps/app.xml", "<Properties/>"),
        ("docProps/core.xml", "<coreProperties/>"),
        ("docProps/custom.xml", "<Properties/>"),
        ("customXml/item1.xml", "<item/>"),
        ("customXml/itemProps1.xml", "<itemProps/>"),
        ("word/document.xml", "<w:document/>"),
    )

    assert check_upload(upload("plea.docx", word)).content_type == DOCX


# --- clean_name: the name kept and offered on download ------------------------------------------


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("起诉书.pdf", "起诉书.pdf"),
        ("Plea agreement (signed).pdf", "Plea agreement (signed).pdf"),
        ("re\x00port\x1f\x7f.pdf", "report.pdf"),
        ("...hidden.pdf", "hidden.pdf"),
        (".htaccess", "htaccess"),
        ("  spaced   out\u3000name .pdf ", "spaced out name .pdf"),
        ('what?<"ever">|*:.pdf', "whatever.pdf"),
        ("Cafe\u0301.txt", "Café.txt"),
    ],
    ids=[
        "chinese",
        "punctuation",
        "control-chars",
        "leading-dots",
        "dotfile",
        "whitespace",
        "reserved-chars",
        "nfc",
    ],
)
def test_clean_name_keeps_what_a_person_named_the_file(given: str, kept: str) -> None:
    assert clean_name(given) == kept


def test_clean_name_removes_text_direction_overrides() -> None:
    # "invoice<RLO>fdp.exe" shows as "invoiceexe.pdf": a name must not disguise itself.
    assert "\u202e" not in clean_name("invoice\u202efdp.exe")


@pytest.mark.parametrize("base", ["a" * 300, "起" * 300], ids=["latin", "chinese"])
def test_long_names_are_cut_keeping_the_extension(base: str) -> None:
    name = clean_name(base + ".pdf")

    assert len(name) == 200
    assert name == base[:196] + ".pdf"


@pytest.mark.parametrize(
    "given",
    ["../../etc/passwd", "evidence/photo.jpg", "..\\windows\\system.ini", "..", "&#47;etc&#47;pw"],
    ids=["dotdot", "folder", "backslash", "parent", "entity-encoded"],
)
def test_names_with_a_path_are_refused(given: str) -> None:
    messages = refusal(lambda: clean_name(given))

    assert messages == [
        "The file name must not contain a path ('/', '\\' or '..'); name the file itself, "
        "e.g. report.pdf."
    ]


@pytest.mark.parametrize(
    "given", ["", "   ", "...", "\x00\x01"], ids=["empty", "blank", "dots", "ctl"]
)
def test_names_with_nothing_usable_are_refused(given: str) -> None:
    assert refusal(lambda: clean_name(given)) == ["The file has no usable name."]


# --- check_upload -------------------------------------------------------------------------------


def test_an_accepted_file_gives_its_name_type_size_and_digest() -> None:
    # Larger than one read of the head and than one chunk: the digest covers all of it.
    content = PDF + b"0123456789abcdef" * 20_000
    given = upload("Indictment 起诉书.pdf", content)

    checked = check_upload(given)

    assert checked.name == "Indictment 起诉书.pdf"
    assert checked.content_type == "application/pdf"
    assert checked.size == len(content) == 320_000 + len(PDF)
    assert checked.sha256 == hashlib.sha256(content).hexdigest()
    # The file is handed back rewound, so storing it stores all of it.
    assert given.read() == content


def test_a_word_document_is_accepted() -> None:
    checked = check_upload(upload("plea.docx", WORD))

    assert (checked.content_type, checked.size) == (DOCX, len(WORD))


def test_chinese_text_longer_than_the_head_is_accepted() -> None:
    content = ("被告人自愿认罪认罚。" * 1000).encode()

    assert check_upload(upload("笔录.txt", content)).content_type == "text/plain"


def test_an_empty_file_is_refused() -> None:
    assert refusal(lambda: check_upload(upload("empty.pdf", b""))) == ["The file is empty."]


def test_a_file_over_the_limit_is_refused_saying_both_sizes(settings: Any) -> None:
    settings.DOCUMENT_MAX_BYTES = 1024 * 1024

    messages = refusal(lambda: check_upload(upload("big.pdf", PDF + b"x" * (1536 * 1024))))

    assert messages == ["The file is 1.5 MB; the limit is 1.0 MB."]


def test_a_file_of_exactly_the_limit_is_accepted(settings: Any) -> None:
    settings.DOCUMENT_MAX_BYTES = 2048

    assert check_upload(upload("edge.pdf", PDF + b"x" * (2048 - len(PDF)))).size == 2048


@pytest.mark.parametrize(
    ("name", "content", "looks_like"),
    [
        ("report.pdf", WINDOWS_EXE, "application/x-msdownload"),
        ("photo.jpg", ELF, "application/x-executable"),
        ("plea.docx", PLAIN_ZIP, "application/zip"),
    ],
    ids=["exe-as-pdf", "elf-as-jpg", "zip-as-docx"],
)
def test_a_renamed_program_or_archive_is_refused_naming_what_it_looks_like(
    name: str, content: bytes, looks_like: str
) -> None:
    (message,) = refusal(lambda: check_upload(upload(name, content)))

    assert message.startswith(
        f"This kind of file is not accepted (it looks like {looks_like}), whatever its name says."
    )
    assert "Accepted: " in message and "PDF" in message and "Word document" in message


def test_an_unknown_binary_is_refused_without_guessing() -> None:
    (message,) = refusal(lambda: check_upload(upload("notes.txt", TEXT_WITH_NUL)))

    assert message.startswith("This kind of file is not accepted, whatever its name says.")


def test_a_file_whose_name_had_a_path_is_refused() -> None:
    given = upload("passwd.pdf", PDF)
    given.path_in_name = True  # type: ignore[attr-defined]  # as the parser marks it

    assert refusal(lambda: check_upload(given))[0].startswith(
        "The file name must not contain a path"
    )


# --- the parsers remember a path they stripped --------------------------------------------------

BOUNDARY = "----parley-test-boundary"


def multipart(filename: str, content: bytes) -> bytes:
    head = (
        f"--{BOUNDARY}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    return head + content + f"\r\n--{BOUNDARY}--\r\n".encode()


def posted(filename: str) -> HttpRequest:
    return RequestFactory().generic(
        "POST",
        "/cases/1/documents/",
        multipart(filename, PDF),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )


def page_upload(filename: str) -> Any:
    """The file a page view would find in request.FILES, parsed behind the middleware."""
    seen: dict[str, Any] = {}

    def view(request: HttpRequest) -> HttpResponse:
        seen["file"] = request.FILES["file"]
        return HttpResponse()

    UploadNamesMiddleware(view)(posted(filename))
    return seen["file"]


def test_a_page_upload_whose_name_had_a_path_is_refused() -> None:
    parsed = page_upload("../../etc/passwd.pdf")

    # Django's parser quietly keeps only "passwd.pdf"; the upload is refused all the same.
    assert parsed.name == "passwd.pdf"
    assert refusal(lambda: check_upload(parsed))[0].startswith(
        "The file name must not contain a path"
    )


def test_a_page_upload_with_a_plain_name_is_accepted() -> None:
    parsed = page_upload("起诉书.pdf")

    assert check_upload(parsed).name == "起诉书.pdf"


@pytest.mark.parametrize(
    ("filename", "refused"),
    [("C:\\Users\\me\\passwd.pdf", True), ("passwd.pdf", False)],
    ids=["windows-path", "plain"],
)
def test_an_api_upload_whose_name_had_a_path_is_refused(filename: str, refused: bool) -> None:
    request = Request(posted(filename), parsers=[NameKeepingParser()])

    parsed = request.FILES["file"]

    assert parsed.name == "passwd.pdf"
    assert getattr(parsed, "path_in_name", False) is refused


# --- the service: a refused file leaves nothing behind ------------------------------------------


def stored_files(location: Path) -> list[Path]:
    return [path for path in location.rglob("*") if path.is_file()] if location.exists() else []


def last_event_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def upload_as_prosecutor(world: World, given: SimpleUploadedFile, **changes: Any) -> Document:
    values: dict[str, Any] = {
        "case": world.case,
        "by": world.user(Role.PROSECUTOR),
        "upload": given,
        "category": DocumentCategory.EVIDENCE,
        "title": "Lab report",
        "visibility": Visibility.PROSECUTION,
        **changes,
    }
    return services.document_upload(**values)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("empty.pdf", b""),
        ("report.pdf", WINDOWS_EXE),
        ("photo.jpg", ELF),
        ("bundle.docx", PLAIN_ZIP),
        ("notes.txt", TEXT_WITH_NUL),
        ("big.pdf", PDF + b"x" * 4096),
    ],
    ids=["empty", "exe-as-pdf", "elf", "zip", "nul-text", "too-large"],
)
def test_a_refused_file_leaves_nothing_behind(
    world: World, document_storage: Path, settings: Any, name: str, content: bytes
) -> None:
    settings.DOCUMENT_MAX_BYTES = 4096
    before = last_event_id()

    messages = refusal(lambda: upload_as_prosecutor(world, upload(name, content)))

    assert messages
    assert stored_files(document_storage) == []
    assert not Document.objects.exists()
    assert not AuditEvent.objects.filter(id__gt=before).exists()


def test_a_file_whose_name_had_a_path_leaves_nothing_behind(
    world: World, document_storage: Path
) -> None:
    given = upload("passwd.pdf", PDF)
    given.path_in_name = True  # type: ignore[attr-defined]
    before = last_event_id()

    assert refusal(lambda: upload_as_prosecutor(world, given))
    assert stored_files(document_storage) == []
    assert not Document.objects.exists()
    assert not AuditEvent.objects.filter(id__gt=before).exists()


def test_a_file_stored_before_the_record_failed_is_removed_again(
    world: World, document_storage: Path
) -> None:
    # The database refuses the row after the file has been stored (a trigger stands in for
    # whatever could fail there: a lost connection, a constraint, a full disk).
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION refuse_document() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'refused by test'; END $$"
        )
        cursor.execute(
            "CREATE TRIGGER refuse_document BEFORE INSERT ON records_document "
            "FOR EACH ROW EXECUTE FUNCTION refuse_document()"
        )
    before = last_event_id()

    with pytest.raises(DatabaseError):
        upload_as_prosecutor(world, upload("report.pdf", PDF))

    assert stored_files(document_storage) == []
    assert not Document.objects.exists()
    assert not AuditEvent.objects.filter(id__gt=before).exists()


def test_a_nul_character_in_title_or_description_is_a_field_error(
    world: World, document_storage: Path
) -> None:
    for field in ("title", "description"):
        with pytest.raises(ValidationError) as refused:
            upload_as_prosecutor(world, upload("report.pdf", PDF), **{field: "bad\x00byte"})
        assert field in refused.value.message_dict
    assert stored_files(document_storage) == []


def test_an_accepted_file_is_stored_under_a_generated_name(
    world: World, document_storage: Path
) -> None:
    document = upload_as_prosecutor(world, upload("起诉书.pdf", PDF))

    (stored,) = stored_files(document_storage)
    assert stored.read_bytes() == PDF
    assert stored.relative_to(document_storage).as_posix() == document.storage_name
    assert "起诉书" not in document.storage_name
    assert document.storage_name.startswith(f"{world.case.pk}/")
    assert (document.original_name, document.content_type, document.size, document.sha256) == (
        "起诉书.pdf",
        "application/pdf",
        len(PDF),
        hashlib.sha256(PDF).hexdigest(),
    )
