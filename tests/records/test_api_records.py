"""/api/v1/notes/, /api/v1/documents/ and /api/v1/disclosures/: the case record behind its
walls. Each side reads its own wall and the shared one, writes behind its own wall or shares;
the defendant reads but does not write; the prosecution alone records discovery; strangers are
told the case does not exist."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.services import personal_token_create
from audit.models import AuditEvent
from cases import party_services
from deadlines.models import Notification
from parties.models import Role
from records import services
from records.models import Disclosure, Document, Note
from tests.api_helpers import MISSING_ID, PERSONA_IDS, PERSONAS, ids, persona
from tests.api_negotiation_helpers import Answer, answer_of, succeeded, url
from tests.conftest import World, api_as
from tests.factories import PASSWORD

RECORD_PATHS = {
    "/api/v1/notes/",
    "/api/v1/notes/{id}/",
    "/api/v1/documents/",
    "/api/v1/documents/{id}/",
    "/api/v1/documents/{id}/download/",
    "/api/v1/disclosures/",
}

# Monday 2 March 2026, 10:00 in New York: the court's day is 2026-03-02.
NOW = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 3, 2)
NOW_ISO = "2026-03-02T15:00:00Z"

WALLS = ("prosecution", "defense", "shared", "court")
# What each role on the world case reads, written out (not read from cases.permissions).
READS: dict[str, set[str]] = {
    Role.PROSECUTOR: {"prosecution", "shared"},
    Role.DEFENSE_COUNSEL: {"defense", "shared"},
    Role.DUTY_LAWYER: {"defense", "shared"},
    Role.DEFENDANT: {"defense", "shared"},
    Role.JUDGE: {"court", "shared"},
    Role.COURT_STAFF: {"court", "shared"},
}
# ... and writes behind: the defendant nothing.
WRITES: dict[str, set[str]] = {**READS, Role.DEFENDANT: set()}
# Who writes the world's record behind each wall in these tests.
WRITER_OF: dict[str, str] = {
    "prosecution": Role.PROSECUTOR,
    "defense": Role.DEFENSE_COUNSEL,
    "court": Role.JUDGE,
    "shared": Role.COURT_STAFF,
}

# The 403 details, as cases.permissions and records.services word them.
NOT_A_WRITER = "Only the parties' lawyers and the court add to the record."
OWN_WALL_ONLY = "You may only write behind your own side's wall, or share."
AUTHOR_ONLY = "Only the author may change a note."
PROSECUTION_DISCLOSES = "Only the prosecution records what it has disclosed."
NO_CASE = {"detail": "Not found.", "code": "not_found"}
NO_NOTE = {"detail": "Not found.", "code": "not_found"}
NO_DOCUMENT = {"detail": "Not found.", "code": "not_found"}
PATH_IN_NAME = (
    "The file name must not contain a path ('/', '\\' or '..'); name the file itself, "
    "e.g. report.pdf."
)

# Queries of one list page, whatever its length, for a prosecutor: the case (1), the reader's
# walls (cases.permissions.walls_of: participations, visibility: 2; the court's group is asked
# of judges and court staff only), the page with its people (1). For notes the walls the
# reader writes behind (`may_edit`) rest on the same participations, read once per GET
# request (core.reads).
DOCUMENT_LIST_QUERIES = 4
DISCLOSURE_LIST_QUERIES = 5  # read by the judge: walls_of also asks for the court's group
NOTE_LIST_QUERIES = DOCUMENT_LIST_QUERIES


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("payload.sh", "echo hi")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = _png()
TEXT = "Witness list\n1. J. Müller (officer)\n2. M. Rivera\n".encode()
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 57
EXE = b"MZ" + b"\x90\x00" * 40


def multipart(fields: dict[str, Any], name: str, content: bytes, sent_as: str) -> dict[str, Any]:
    """A multipart body written by hand, so that the file's name and Content-Type are exactly
    what a client sends (Django's test client would strip a path from the name)."""
    boundary = "ParleyTestBoundary7MA4YWxk"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        f"Content-Type: {sent_as}\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return {"data": b"".join(parts), "content_type": f"multipart/form-data; boundary={boundary}"}


def upload_fields(world: World, **changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "case": world.case.pk,
        "category": "evidence",
        "title": "Lab report",
        "description": "Chain of custody, exhibit 4.",
        "visibility": "prosecution",
    }
    fields.update(changes)
    return fields


def upload(
    client: APIClient,
    world: World,
    *,
    name: str = "lab-report.pdf",
    content: bytes = PDF,
    sent_as: str = "application/pdf",
    **fields: Any,
) -> Any:
    body = multipart(upload_fields(world, **fields), name, content, sent_as)
    return client.post(reverse("document-list"), **body)


def stored_files(location: Path) -> list[Path]:
    return [path for path in location.rglob("*") if path.is_file()] if location.exists() else []


def note(world: World, wall: str, body: str = "", author: User | None = None) -> Note:
    return services.note_add(
        case=world.case,
        by=author or world.user(WRITER_OF[wall]),
        visibility=wall,
        body=body or f"A note behind the {wall} wall.",
    )


def notes_per_wall(world: World) -> dict[str, Note]:
    return {wall: note(world, wall) for wall in WALLS}


def document(
    world: World, wall: str, *, title: str = "", content: bytes = PDF, category: str = "evidence"
) -> Document:
    return services.document_upload(
        case=world.case,
        by=world.user(WRITER_OF[wall]),
        upload=SimpleUploadedFile(f"{wall}.pdf", content),
        category=category,
        title=title or f"Behind the {wall} wall",
        visibility=wall,
    )


def documents_per_wall(world: World) -> dict[str, Document]:
    return {wall: document(world, wall) for wall in WALLS}


def reads(who: str, role: str) -> set[str]:
    return READS[role] if who == "party" else set()


def name_of(user: User) -> str:
    return str(user.get_full_name() or user.get_username())


# --- listing needs a case --------------------------------------------------------------------

LISTS = ["note-list", "document-list", "disclosure-list"]


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize(
    ("case", "message"),
    [
        (None, "Name the case: ?case=<case id>."),
        ("", "A case id is a whole number."),
        ("abc", "A case id is a whole number."),
        ("1.5", "A case id is a whole number."),
        ("-3", "A case id is a whole number."),
        (str(2**70), "No case has this id."),
    ],
)
def test_a_list_without_a_case_number_is_a_400_for_case(
    world: World, name: str, case: str | None, message: str
) -> None:
    params = {} if case is None else {"case": case}

    response = api_as(world.user(Role.PROSECUTOR)).get(url(name, **params))

    assert (response.status_code, response.json()) == (400, {"case": [message]})


@pytest.mark.parametrize("name", LISTS)
def test_a_list_of_a_case_you_cannot_see_is_the_404_of_a_missing_case(
    world: World, name: str
) -> None:
    client = api_as(world.user(Role.DEFENSE_COUNSEL))

    unseen = client.get(url(name, case=world.other_case.pk))
    missing = client.get(url(name, case=MISSING_ID))

    assert (unseen.status_code, unseen.json()) == (404, NO_CASE)
    assert (missing.status_code, missing.json()) == (404, NO_CASE)


@pytest.mark.parametrize(
    ("name", "params", "field"),
    [
        ("note-list", {"visibility": "everyone"}, "visibility"),
        ("document-list", {"visibility": "everyone"}, "visibility"),
        ("document-list", {"category": "gossip"}, "category"),
    ],
)
def test_a_bad_filter_is_a_400_for_that_filter(
    world: World, name: str, params: dict[str, str], field: str
) -> None:
    response = api_as(world.user(Role.PROSECUTOR)).get(url(name, case=world.case.pk, **params))

    assert response.status_code == 400
    assert list(response.json()) == [field]


@pytest.mark.parametrize(
    ("method", "name", "params", "body"),
    [
        ("get", "note-list", {"q": "a\x00b"}, None),
        ("get", "document-list", {"q": "a\x00b"}, None),
        ("get", "note-list", {"cursor": "not-a-cursor"}, None),
        ("post", "note-list", {}, {"case": 10**20, "visibility": "shared", "body": "Hi"}),
        ("post", "note-list", {}, {"case": "1", "visibility": "shared", "body": "a\x00b"}),
        ("post", "note-list", {}, [1, 2]),
        (
            "post",
            "disclosure-list",
            {},
            {"case": 1, "disclosed_on": "2026-03-02", "document": 2**70},
        ),
        ("post", "disclosure-list", {}, {"case": 1, "disclosed_on": "0001-01-01"}),
        ("post", "disclosure-list", {}, {"case": 1, "disclosed_on": "9999-12-31"}),
    ],
)
def test_odd_input_is_answered_without_a_500(
    world: World, method: str, name: str, params: dict[str, Any], body: Any
) -> None:
    if isinstance(body, dict) and body.get("case") == 1:
        body["case"] = world.case.pk
    path = url(name, case=world.case.pk, **params) if method == "get" else reverse(name)

    response = getattr(api_as(world.user(Role.PROSECUTOR)), method)(path, body, format="json")

    assert response.status_code in (400, 404), response.content
    assert not Note.objects.exists()
    assert not Disclosure.objects.exists()


# --- notes: reading --------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_who_lists_which_notes(world: World, who: str, role: str) -> None:
    notes = notes_per_wall(world)

    response = api_as(persona(world, who, role)).get(url("note-list", case=world.case.pk))

    if who == "stranger":
        assert (response.status_code, response.json()) == (404, NO_CASE)
        return
    assert response.status_code == 200
    # Newest first.
    assert ids(response) == [notes[wall].pk for wall in reversed(WALLS) if wall in reads(who, role)]


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
@pytest.mark.parametrize("wall", WALLS)
def test_who_reads_a_note_behind_each_wall(world: World, who: str, role: str, wall: str) -> None:
    written = note(world, wall)

    response = api_as(persona(world, who, role)).get(url("note-detail", written.pk))

    if wall in reads(who, role):
        assert (response.status_code, response.json()["id"]) == (200, written.pk)
    else:
        assert (response.status_code, response.json()) == (404, NO_NOTE)


def test_note_body_shows_its_author_and_who_may_edit_it(world: World) -> None:
    counsel, duty = world.user(Role.DEFENSE_COUNSEL), world.user(Role.DUTY_LAWYER)
    written = note(world, "defense", body="Client says the car was not his.")

    as_author = api_as(counsel).get(url("note-detail", written.pk)).json()
    as_colleague = api_as(duty).get(url("note-detail", written.pk)).json()

    assert as_author == {
        "id": written.pk,
        "case": world.case.pk,
        "visibility": "defense",
        "body": "Client says the car was not his.",
        "author": {"id": counsel.pk, "name": name_of(counsel)},
        "created_at": NOW_ISO,
        "updated_at": NOW_ISO,
        "may_edit": True,
    }
    assert as_colleague == {**as_author, "may_edit": False}


def test_a_missing_or_malformed_note_id_is_the_same_404(world: World) -> None:
    client = api_as(world.user(Role.PROSECUTOR))

    for pk in (MISSING_ID, 2**70, 0):
        response = client.get(url("note-detail", pk))
        assert (response.status_code, response.json()) == (404, NO_NOTE)
    response = client.get(reverse("note-list") + "abc/")
    assert (response.status_code, response.json()) == (404, NO_NOTE)


def test_defense_cannot_find_prosecution_notes_by_search(world: World) -> None:
    secret = note(world, "prosecution", body="The informant will not testify.")
    shared = note(world, "shared", body="The informant's statement is disclosed.")
    defense = api_as(world.user(Role.DEFENSE_COUNSEL))
    prosecution = api_as(world.user(Role.PROSECUTOR))

    assert ids(defense.get(url("note-list", case=world.case.pk, q="informant"))) == [shared.pk]
    assert ids(prosecution.get(url("note-list", case=world.case.pk, q="INFORMANT"))) == [
        shared.pk,
        secret.pk,
    ]
    assert ids(defense.get(url("note-list", case=world.case.pk, q="testify"))) == []


def test_prosecution_cannot_see_defense_notes(world: World) -> None:
    defense_note = note(world, "defense", body="Alibi: at work until 9 pm.")
    client = api_as(world.user(Role.PROSECUTOR))

    listed = client.get(url("note-list", case=world.case.pk))
    found = client.get(url("note-list", case=world.case.pk, q="alibi"))
    detail = client.get(url("note-detail", defense_note.pk))

    assert (ids(listed), ids(found)) == ([], [])
    assert (detail.status_code, detail.json()) == (404, NO_NOTE)


def test_notes_filter_by_visibility_within_the_walls(world: World) -> None:
    notes = notes_per_wall(world)
    client = api_as(world.user(Role.JUDGE))

    assert ids(client.get(url("note-list", case=world.case.pk, visibility="court"))) == [
        notes["court"].pk
    ]
    assert ids(client.get(url("note-list", case=world.case.pk, visibility="prosecution"))) == []


def test_notes_are_paginated_newest_first(world: World) -> None:
    written = [note(world, "shared", body=f"Note {i}") for i in range(5)]
    client = api_as(world.user(Role.DEFENDANT))

    first = client.get(url("note-list", case=world.case.pk, page_size=3)).json()
    second = client.get(first["next"]).json()

    assert [row["id"] for row in first["results"]] == [n.pk for n in written[::-1][:3]]
    assert [row["id"] for row in second["results"]] == [n.pk for n in written[::-1][3:]]
    assert second["next"] is None


# --- notes: writing --------------------------------------------------------------------------


def add_note_answer(who: str, role: str, wall: str) -> Answer:
    if who == "stranger":
        return 400
    if not WRITES[role]:
        return 403, NOT_A_WRITER
    return 201 if wall in WRITES[role] else (403, OWN_WALL_ONLY)


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
@pytest.mark.parametrize("wall", WALLS)
def test_who_adds_a_note_behind_which_wall(world: World, who: str, role: str, wall: str) -> None:
    user = persona(world, who, role)

    response = api_as(user).post(
        reverse("note-list"),
        {"case": world.case.pk, "visibility": wall, "body": "Call the lab on Monday."},
        format="json",
    )

    answer = add_note_answer(who, role, wall)
    assert answer_of(response) == answer
    if succeeded(answer):
        saved = Note.objects.get()
        assert (saved.author, saved.visibility, saved.body) == (
            user,
            wall,
            "Call the lab on Monday.",
        )
        assert response.json()["id"] == saved.pk
        assert response.json()["may_edit"] is True
    else:
        assert not Note.objects.exists()
    if who == "stranger":
        assert response.json() == {
            "case": [f'Invalid pk "{world.case.pk}" - object does not exist.']
        }


def test_a_note_is_told_to_those_behind_its_wall_only(world: World) -> None:
    response = api_as(world.user(Role.DEFENSE_COUNSEL)).post(
        reverse("note-list"),
        {"case": world.case.pk, "visibility": "defense", "body": "Meet the client."},
        format="json",
    )

    assert response.status_code == 201
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert told == {"duty", "defendant"}


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"visibility": "shared", "body": "   "}, {"body": ["Write the note."]}),
        (
            {"visibility": "shared", "body": "x" * 20_001},
            {"body": ["A note holds at most 20,000 characters."]},
        ),
        (
            {"visibility": "everyone", "body": "Hi"},
            {"visibility": ['"everyone" is not a valid choice.']},
        ),
        ({"body": "Hi"}, {"visibility": ["This field is required."]}),
        ({"visibility": "shared"}, {"body": ["This field is required."]}),
    ],
)
def test_a_bad_note_is_a_400_per_field(
    world: World, body: dict[str, Any], errors: dict[str, list[str]]
) -> None:
    response = api_as(world.user(Role.PROSECUTOR)).post(
        reverse("note-list"), {"case": world.case.pk, **body}, format="json"
    )

    assert (response.status_code, response.json()) == (400, errors)
    assert not Note.objects.exists()


def edit_note_answer(who: str, role: str) -> Answer:
    if who == "stranger":
        return 404
    return 200 if role == Role.PROSECUTOR else (403, AUTHOR_ONLY)


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_only_the_author_changes_a_note(world: World, who: str, role: str) -> None:
    written = note(
        world, "shared", body="Hearing moved to Friday.", author=world.user(Role.PROSECUTOR)
    )

    response = api_as(persona(world, who, role)).patch(
        url("note-detail", written.pk), {"body": "Hearing moved to Thursday."}, format="json"
    )

    answer = edit_note_answer(who, role)
    assert answer_of(response) == answer
    written.refresh_from_db()
    if succeeded(answer):
        assert response.json()["body"] == written.body == "Hearing moved to Thursday."
        assert response.json()["visibility"] == "shared"
    else:
        assert written.body == "Hearing moved to Friday."
    if answer == 404:
        assert response.json() == NO_NOTE


def test_a_note_behind_another_wall_cannot_be_changed(world: World) -> None:
    written = note(world, "prosecution", body="Offer no less than 24 months.")

    response = api_as(world.user(Role.DEFENSE_COUNSEL)).patch(
        url("note-detail", written.pk), {"body": "Offer 6 months."}, format="json"
    )

    assert (response.status_code, response.json()) == (404, NO_NOTE)
    written.refresh_from_db()
    assert written.body == "Offer no less than 24 months."


def test_a_note_cannot_be_emptied(world: World) -> None:
    written = note(world, "court", body="Interpreter booked.")

    response = api_as(world.user(Role.JUDGE)).patch(
        url("note-detail", written.pk), {"body": ""}, format="json"
    )

    assert (response.status_code, response.json()) == (400, {"body": ["Write the note."]})


def test_a_note_keeps_its_wall_whatever_the_patch_says(world: World) -> None:
    written = note(world, "prosecution", body="Draft.")

    response = api_as(world.user(Role.PROSECUTOR)).patch(
        url("note-detail", written.pk), {"body": "Final.", "visibility": "shared"}, format="json"
    )

    assert response.status_code == 200
    written.refresh_from_db()
    assert (written.visibility, written.body) == ("prosecution", "Final.")


# --- documents: uploading --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "sent_as", "found", "kept"),
    [
        ("lab-report.pdf", PDF, "application/pdf", "application/pdf", "lab-report.pdf"),
        ("photo.png", PNG, "image/png", "image/png", "photo.png"),
        ("witnesses.txt", TEXT, "text/plain", "text/plain", "witnesses.txt"),
        # What the sender says is not believed: the content is read, and the name kept is
        # made to open as what the file is.
        ("witnesses.pdf", TEXT, "application/pdf", "text/plain", "witnesses.pdf.txt"),
        ("scan", PNG, "application/octet-stream", "image/png", "scan.png"),
    ],
)
def test_an_accepted_file_is_stored_with_its_found_type_size_and_hash(
    world: World,
    document_storage: Path,
    name: str,
    content: bytes,
    sent_as: str,
    found: str,
    kept: str,
) -> None:
    prosecutor = world.user(Role.PROSECUTOR)

    response = upload(api_as(prosecutor), world, name=name, content=content, sent_as=sent_as)

    assert response.status_code == 201, response.json()
    saved = Document.objects.get()
    body = response.json()
    assert body == {
        "id": saved.pk,
        "case": world.case.pk,
        "category": "evidence",
        "title": "Lab report",
        "description": "Chain of custody, exhibit 4.",
        "visibility": "prosecution",
        "original_name": kept,
        "content_type": found,
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
        "uploaded_by": {"id": prosecutor.pk, "name": name_of(prosecutor)},
        "uploaded_at": NOW_ISO,
        "download_url": f"http://testserver{url('document-download', saved.pk)}",
    }
    assert (saved.content_type, saved.size, saved.sha256) == (
        found,
        len(content),
        hashlib.sha256(content).hexdigest(),
    )
    assert [path.read_bytes() for path in stored_files(document_storage)] == [content]
    assert (
        AuditEvent.objects.filter(table_name="records_document", kind="document.created").count()
        == 1
    )


TOO_LARGE_LIMIT = 200  # bytes: more than the other files here


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.pdf", b"", "The file is empty."),
        (
            "report.pdf",
            ELF,
            "This kind of file is not accepted (it looks like application/x-executable), "
            "whatever its name says.",
        ),
        (
            "report.pdf",
            _zip(),
            "This kind of file is not accepted (it looks like application/zip), whatever "
            "its name says.",
        ),
        (
            "report.pdf",
            EXE,
            "This kind of file is not accepted (it looks like application/x-msdownload), "
            "whatever its name says.",
        ),
        (
            "binary.pdf",
            b"\x00\x01\x02\x03",
            "This kind of file is not accepted, whatever its name says.",
        ),
        ("big.txt", b"a" * (TOO_LARGE_LIMIT + 1), "The file is 201 bytes; the limit is 200 bytes."),
        ("../../evil.pdf", PDF, PATH_IN_NAME),
        ("..\\..\\evil.pdf", PDF, PATH_IN_NAME),
        ("/etc/evil.pdf", PDF, PATH_IN_NAME),
    ],
    ids=["empty", "elf", "zip", "exe", "unknown", "too-large", "dotdot", "backslash", "absolute"],
)
def test_a_refused_file_is_a_400_for_file_and_leaves_nothing_behind(
    world: World, settings: Any, document_storage: Path, name: str, content: bytes, message: str
) -> None:
    settings.DOCUMENT_MAX_BYTES = TOO_LARGE_LIMIT

    response = upload(api_as(world.user(Role.PROSECUTOR)), world, name=name, content=content)

    assert response.status_code == 400
    assert list(response.json()) == ["file"]
    assert response.json()["file"][0].startswith(message)
    assert not Document.objects.exists()
    assert stored_files(document_storage) == []
    assert not AuditEvent.objects.filter(table_name="records_document").exists()
    assert not Notification.objects.exists()


def test_a_name_with_a_path_is_refused_over_a_session_too(
    world: World, document_storage: Path
) -> None:
    # Django's CSRF check parses a session's multipart body before the API does.
    client = APIClient(enforce_csrf_checks=True)
    assert client.login(username="prosecutor", password=PASSWORD)
    client.get(reverse("dashboard"))  # any page with a form sets the CSRF cookie
    token = client.cookies["csrftoken"].value

    refused = client.post(
        reverse("document-list"),
        HTTP_X_CSRFTOKEN=token,
        **multipart(upload_fields(world), "../../evil.pdf", PDF, "application/pdf"),
    )
    accepted = client.post(
        reverse("document-list"),
        HTTP_X_CSRFTOKEN=token,
        **multipart(upload_fields(world), "good.pdf", PDF, "application/pdf"),
    )

    assert (refused.status_code, refused.json()) == (400, {"file": [PATH_IN_NAME]})
    assert accepted.status_code == 201
    assert list(Document.objects.values_list("original_name", flat=True)) == ["good.pdf"]
    assert len(stored_files(document_storage)) == 1


def test_an_upload_by_token_is_stored(world: World) -> None:
    _token, key = personal_token_create(user=world.user(Role.DEFENSE_COUNSEL), name="uploads")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = upload(client, world, visibility="defense", name="alibi.txt", content=TEXT)

    assert response.status_code == 201
    assert Document.objects.get().uploaded_by == world.user(Role.DEFENSE_COUNSEL)


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"title": "  "}, {"title": ["Give the document a title."]}),
        ({"title": "x" * 301}, {"title": ["A title holds at most 300 characters."]}),
        ({"category": "gossip"}, {"category": ['"gossip" is not a valid choice.']}),
        ({"visibility": "everyone"}, {"visibility": ['"everyone" is not a valid choice.']}),
        ({"case": "abc"}, {"case": ["Incorrect type. Expected pk value, received str."]}),
    ],
)
def test_a_bad_upload_form_is_a_400_per_field(
    world: World, document_storage: Path, fields: dict[str, Any], errors: dict[str, list[str]]
) -> None:
    response = upload(api_as(world.user(Role.PROSECUTOR)), world, **fields)

    assert (response.status_code, response.json()) == (400, errors)
    assert not Document.objects.exists()
    assert stored_files(document_storage) == []


def test_an_upload_without_a_file_is_a_400_for_file(world: World) -> None:
    response = api_as(world.user(Role.PROSECUTOR)).post(
        reverse("document-list"), upload_fields(world), format="multipart"
    )

    assert (response.status_code, response.json()) == (400, {"file": ["No file was submitted."]})


def test_an_upload_as_json_is_refused(world: World) -> None:
    response = api_as(world.user(Role.PROSECUTOR)).post(
        reverse("document-list"), upload_fields(world), format="json"
    )

    assert response.status_code == 415
    assert not Document.objects.exists()


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
@pytest.mark.parametrize("wall", WALLS)
def test_who_uploads_behind_which_wall(
    world: World, document_storage: Path, who: str, role: str, wall: str
) -> None:
    response = upload(api_as(persona(world, who, role)), world, visibility=wall)

    answer = add_note_answer(who, role, wall)
    assert answer_of(response) == answer
    if succeeded(answer):
        assert Document.objects.get().visibility == wall
        assert len(stored_files(document_storage)) == 1
    else:
        assert not Document.objects.exists()
        assert stored_files(document_storage) == []


# --- documents: reading and downloading ------------------------------------------------------


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_who_lists_which_documents(world: World, who: str, role: str) -> None:
    documents = documents_per_wall(world)

    response = api_as(persona(world, who, role)).get(url("document-list", case=world.case.pk))

    if who == "stranger":
        assert (response.status_code, response.json()) == (404, NO_CASE)
        return
    assert ids(response) == [
        documents[wall].pk for wall in reversed(WALLS) if wall in reads(who, role)
    ]


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
@pytest.mark.parametrize("wall", WALLS)
def test_who_reads_and_downloads_a_document_behind_each_wall(
    world: World, who: str, role: str, wall: str
) -> None:
    stored = document(world, wall)
    user = persona(world, who, role)
    client = api_as(user)

    detail = client.get(url("document-detail", stored.pk))
    download = client.get(url("document-download", stored.pk))

    downloads = AuditEvent.objects.filter(kind="document.downloaded")
    if wall in reads(who, role):
        assert (detail.status_code, detail.json()["id"]) == (200, stored.pk)
        assert download.status_code == 200
        assert download.getvalue() == PDF
        event = downloads.get()
        assert (event.actor_id, event.actor_name, event.case_id, event.audience, event.via) == (
            user.pk,
            user.username,
            world.case.pk,
            wall,
            "api",
        )
        assert event.data == {
            "method": "GET",
            "path": url("document-download", stored.pk),
            "document_id": stored.pk,
            "sha256": stored.sha256,
            "size": len(PDF),
        }
    else:
        assert (detail.status_code, detail.json()) == (404, NO_DOCUMENT)
        assert (download.status_code, download.json()) == (404, NO_DOCUMENT)
        assert not downloads.exists()


def test_a_download_is_an_attachment_of_the_found_type_never_sniffed(world: World) -> None:
    stored = services.document_upload(
        case=world.case,
        by=world.user(Role.JUDGE),
        upload=SimpleUploadedFile("Order on motion (draft).pdf", TEXT, "application/pdf"),
        category="motion",
        title="Draft order",
        visibility="court",
    )

    response = api_as(world.user(Role.COURT_STAFF)).get(
        url("document-download", stored.pk), HTTP_ACCEPT="application/pdf"
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain"
    assert response["Content-Disposition"] == (
        'attachment; filename="Order on motion (draft).pdf.txt"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-SHA256"] == hashlib.sha256(TEXT).hexdigest()
    assert response["Content-Length"] == str(len(TEXT))
    assert response.getvalue() == TEXT


def test_a_download_refused_outside_the_wall_answers_json_whatever_the_accept_header(
    world: World,
) -> None:
    stored = document(world, "prosecution")

    response = api_as(world.user(Role.DEFENDANT)).get(
        url("document-download", stored.pk), HTTP_ACCEPT="application/pdf"
    )

    assert (response.status_code, response.json()) == (404, NO_DOCUMENT)
    assert not AuditEvent.objects.filter(kind="document.downloaded").exists()


def test_a_download_over_a_session_is_audited_as_its_user(world: World) -> None:
    stored = document(world, "shared")
    client = APIClient()
    assert client.login(username="defendant", password=PASSWORD)

    response = client.get(url("document-download", stored.pk))

    assert response.status_code == 200
    event = AuditEvent.objects.get(kind="document.downloaded")
    assert (event.actor_id, event.via) == (world.user(Role.DEFENDANT).pk, "api")


def test_documents_are_found_and_filtered_within_the_walls(world: World) -> None:
    lab = document(world, "prosecution", title="Lab report, exhibit 4")
    motion = document(world, "shared", title="Motion to suppress", category="motion")
    document(world, "defense", title="Lab report rebuttal")
    client = api_as(world.user(Role.PROSECUTOR))

    def listed(**params: str) -> list[int]:
        return ids(client.get(url("document-list", case=world.case.pk, **params)))

    assert listed(q="lab report") == [lab.pk]
    assert listed(q="prosecution.pdf") == [lab.pk]  # the file name
    assert listed(category="motion") == [motion.pk]
    assert listed(visibility="shared") == [motion.pk]
    assert listed(visibility="defense") == []


# --- discovery -------------------------------------------------------------------------------


def disclose(client: APIClient, world: World, **body: Any) -> Any:
    return client.post(
        reverse("disclosure-list"),
        {"case": world.case.pk, "disclosed_on": TODAY.isoformat(), **body},
        format="json",
    )


def test_disclosing_a_prosecution_document_shares_it_with_the_defense(world: World) -> None:
    prosecutor = world.user(Role.PROSECUTOR)
    report = document(world, "prosecution", title="Forensic report")
    defense = api_as(world.user(Role.DEFENSE_COUNSEL))
    assert ids(defense.get(url("document-list", case=world.case.pk))) == []

    response = disclose(api_as(prosecutor), world, document=report.pk, disclosed_on="2026-02-27")

    assert response.status_code == 201
    disclosure = Disclosure.objects.get()
    assert response.json() == {
        "id": disclosure.pk,
        "case": world.case.pk,
        "document": {"id": report.pk, "title": "Forensic report"},
        "description": "Forensic report",
        "disclosed_on": "2026-02-27",
        "disclosed_by": {"id": prosecutor.pk, "name": name_of(prosecutor)},
        "created_at": NOW_ISO,
    }
    report.refresh_from_db()
    assert report.visibility == "shared"
    assert ids(defense.get(url("document-list", case=world.case.pk))) == [report.pk]
    assert defense.get(url("document-download", report.pk)).status_code == 200
    assert ids(defense.get(url("disclosure-list", case=world.case.pk))) == [disclosure.pk]


def test_a_disclosure_may_be_a_description_alone(world: World) -> None:
    response = disclose(
        api_as(world.user(Role.PROSECUTOR)), world, description="Body-camera footage (USB)."
    )

    assert response.status_code == 201
    assert (response.json()["document"], response.json()["description"]) == (
        None,
        "Body-camera footage (USB).",
    )


def test_disclosing_a_document_twice_is_a_409(world: World) -> None:
    report = document(world, "prosecution")
    client = api_as(world.user(Role.PROSECUTOR))
    assert disclose(client, world, document=report.pk).status_code == 201

    again = disclose(client, world, document=report.pk, description="Again")

    assert (again.status_code, again.json()) == (
        409,
        {"detail": "This document has already been disclosed.", "code": "already_disclosed"},
    )
    assert Disclosure.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"description": "Lab notes", "disclosed_on": "2026-03-03"},
            {"disclosed_on": ["A disclosure cannot be dated in the future."]},
        ),
        (
            {"description": "Lab notes", "disclosed_on": "2026-01-04"},
            {"disclosed_on": ["A disclosure cannot be dated before the case was opened."]},
        ),
        (
            {"description": "Lab notes", "disclosed_on": "2 March"},
            {
                "disclosed_on": [
                    "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."
                ]
            },
        ),
        ({"description": "  "}, {"description": ["Say what was disclosed."]}),
        (
            {"description": "x" * 501},
            {"description": ["A description holds at most 500 characters."]},
        ),
        ({"document": MISSING_ID}, {"document": ["No such document on this case."]}),
        ({"document": "abc"}, {"document": ["A valid integer is required."]}),
    ],
)
def test_a_bad_disclosure_is_a_400_per_field(
    world: World, body: dict[str, Any], errors: dict[str, list[str]]
) -> None:
    response = disclose(api_as(world.user(Role.PROSECUTOR)), world, **body)

    assert (response.status_code, response.json()) == (400, errors)
    assert not Disclosure.objects.exists()


@pytest.mark.parametrize("wall", ["defense", "court"])
def test_the_prosecution_cannot_disclose_what_it_cannot_see(world: World, wall: str) -> None:
    hidden = document(world, wall)

    response = disclose(api_as(world.user(Role.PROSECUTOR)), world, document=hidden.pk)

    assert (response.status_code, response.json()) == (
        400,
        {"document": ["No such document on this case."]},
    )
    hidden.refresh_from_db()
    assert hidden.visibility == wall


def test_a_document_of_another_case_is_not_disclosed_on_this_one(world: World) -> None:
    prosecutor = world.user(Role.PROSECUTOR)
    # The prosecutor also works the other case, and reads its documents.
    party_services.participant_add(
        case=world.other_case,
        by=world.strangers[Role.PROSECUTOR],
        role=Role.PROSECUTOR,
        user=prosecutor,
    )
    elsewhere = services.document_upload(
        case=world.other_case,
        by=prosecutor,
        upload=SimpleUploadedFile("x.pdf", PDF),
        category="evidence",
        title="Elsewhere",
        visibility="prosecution",
    )

    response = disclose(api_as(prosecutor), world, document=elsewhere.pk)

    assert (response.status_code, response.json()) == (
        400,
        {"document": ["No such document on this case."]},
    )
    elsewhere.refresh_from_db()
    assert elsewhere.visibility == "prosecution"


def disclose_answer(who: str, role: str) -> Answer:
    if who == "stranger":
        return 400
    return 201 if role == Role.PROSECUTOR else (403, PROSECUTION_DISCLOSES)


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_only_the_prosecution_records_disclosures(world: World, who: str, role: str) -> None:
    shared = document(world, "shared")

    response = disclose(api_as(persona(world, who, role)), world, document=shared.pk)

    answer = disclose_answer(who, role)
    assert answer_of(response) == answer
    assert Disclosure.objects.count() == (1 if succeeded(answer) else 0)


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_everyone_on_the_case_reads_the_disclosure_log(world: World, who: str, role: str) -> None:
    prosecutor = api_as(world.user(Role.PROSECUTOR))
    first = disclose(prosecutor, world, description="Police report", disclosed_on="2026-02-01")
    second = disclose(prosecutor, world, description="Lab report", disclosed_on="2026-01-20")

    response = api_as(persona(world, who, role)).get(url("disclosure-list", case=world.case.pk))

    if who == "stranger":
        assert (response.status_code, response.json()) == (404, NO_CASE)
    else:
        # Newest first.
        assert ids(response) == [second.json()["id"], first.json()["id"]]


# --- the anonymous ---------------------------------------------------------------------------


def test_the_anonymous_are_refused_everywhere(world: World) -> None:
    written, stored = note(world, "shared"), document(world, "shared")
    client = APIClient()
    requests = [
        ("get", url("note-list", case=world.case.pk)),
        ("post", reverse("note-list")),
        ("get", url("note-detail", written.pk)),
        ("patch", url("note-detail", written.pk)),
        ("get", url("document-list", case=world.case.pk)),
        ("post", reverse("document-list")),
        ("get", url("document-detail", stored.pk)),
        ("get", url("document-download", stored.pk)),
        ("get", url("disclosure-list", case=world.case.pk)),
        ("post", reverse("disclosure-list")),
    ]

    answers = {path: getattr(client, method)(path).status_code for method, path in requests}

    assert set(answers.values()) == {401}
    assert not AuditEvent.objects.filter(kind="document.downloaded").exists()


# --- queries ---------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [2, 6])
def test_note_list_costs_the_same_whatever_its_length(
    world: World, rows: int, django_assert_num_queries: Any
) -> None:
    for i in range(rows):
        note(world, WALLS[i % 4], author=world.user(WRITER_OF[WALLS[i % 4]]))
    client = api_as(world.user(Role.PROSECUTOR))

    with django_assert_num_queries(NOTE_LIST_QUERIES):
        response = client.get(url("note-list", case=world.case.pk))

    assert len(ids(response)) == sum(
        1 for i in range(rows) if WALLS[i % 4] in READS[Role.PROSECUTOR]
    )


@pytest.mark.parametrize("rows", [2, 6])
def test_document_list_costs_the_same_whatever_its_length(
    world: World, rows: int, django_assert_num_queries: Any
) -> None:
    for _ in range(rows):
        document(world, "shared")
    client = api_as(world.user(Role.DEFENSE_COUNSEL))

    with django_assert_num_queries(DOCUMENT_LIST_QUERIES):
        response = client.get(url("document-list", case=world.case.pk))

    assert len(ids(response)) == rows


@pytest.mark.parametrize("rows", [2, 6])
def test_disclosure_list_costs_the_same_whatever_its_length(
    world: World, rows: int, django_assert_num_queries: Any
) -> None:
    for i in range(rows):
        services.disclosure_add(
            case=world.case,
            by=world.user(Role.PROSECUTOR),
            disclosed_on=dt.date(2026, 2, 1 + i),
            document=document(world, "prosecution") if i % 2 else None,
            description=f"Item {i}",
        )
    client = api_as(world.user(Role.JUDGE))

    with django_assert_num_queries(DISCLOSURE_LIST_QUERIES):
        response = client.get(url("disclosure-list", case=world.case.pk))

    assert len(ids(response)) == rows


# --- schema ----------------------------------------------------------------------------------


def test_schema_describes_the_record_api(db: None) -> None:
    schema = APIClient().get(reverse("api-schema"), {"format": "json"}).json()
    paths = schema["paths"]

    assert set(paths) >= RECORD_PATHS
    assert {tag for path in RECORD_PATHS for op in paths[path].values() for tag in op["tags"]} == {
        "case record"
    }
    upload_body = paths["/api/v1/documents/"]["post"]["requestBody"]["content"]
    assert list(upload_body) == ["multipart/form-data"]
    form = schema["components"]["schemas"]["DocumentUploadRequest"]
    assert form["properties"]["file"] == {
        "type": "string",
        "format": "binary",
        "description": form["properties"]["file"]["description"],
    }
    download = paths["/api/v1/documents/{id}/download/"]["get"]["responses"]
    assert download["200"]["content"] == {"*/*": {"schema": {"type": "string", "format": "binary"}}}
    assert set(download["200"]["headers"]) == {"Repr-Digest", "X-Content-SHA256"}
    assert set(paths["/api/v1/disclosures/"]["post"]["responses"]) >= {"201", "400", "403", "409"}
    assert set(paths["/api/v1/notes/{id}/"]["patch"]["responses"]) >= {
        "200",
        "400",
        "403",
        "404",
        "412",
    }
    case_param = next(
        p for p in paths["/api/v1/notes/"]["get"]["parameters"] if p["name"] == "case"
    )
    assert case_param["required"] is True
    assert schema["components"]["schemas"]["RecordVisibilityEnum"]["enum"] == list(WALLS)
