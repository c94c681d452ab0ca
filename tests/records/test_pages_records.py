"""The pages of a case's record, for every role of the `world`:

- /cases/<id>/notes/ (list, search, add) and /cases/<id>/notes/<id>/edit/ (the author only);
- /cases/<id>/documents/ (list, search, category, upload) and .../<id>/download/ (audited);
- /cases/<id>/discovery/ (the disclosure log; the prosecution records disclosures).

Walls: the prosecution reads prosecution-only and shared, the defense (counsel, duty lawyer,
defendant) defense-only and shared, the court (judge, staff) court-only and shared. Everyone
who writes writes behind their side's wall or shares; the defendant only reads. Strangers of
every kind find nothing (404). Bad input comes back 400 with the message next to its field and
nothing written; a refused file leaves nothing behind, in the database or in the storage.

The clock is frozen on Monday 2026-03-02 at 10:00 in New York (the world court's zone).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import zoneinfo
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from cases import services as case_services
from cases.models import CaseStatus
from parties.models import Role
from records import services
from records.models import Disclosure, Document, DocumentCategory, Note, Visibility
from tests.conftest import ROLES, World
from tests.negotiation_helpers import sent_offer

NY = zoneinfo.ZoneInfo("America/New_York")
NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=NY)
TODAY = NOW.date()

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 120

PAGES = ["records:notes", "records:documents", "records:discovery"]
P, D, S, C = Visibility.PROSECUTION, Visibility.DEFENSE, Visibility.SHARED, Visibility.COURT
# The walls each role reads, and the ones it writes behind (the first is preselected).
READS: dict[str, set[str]] = {
    Role.PROSECUTOR: {P, S},
    Role.DEFENSE_COUNSEL: {D, S},
    Role.DUTY_LAWYER: {D, S},
    Role.DEFENDANT: {D, S},
    Role.JUDGE: {C, S},
    Role.COURT_STAFF: {C, S},
}
WRITES: dict[str, list[str]] = {
    Role.PROSECUTOR: [P, S],
    Role.DEFENSE_COUNSEL: [D, S],
    Role.DUTY_LAWYER: [D, S],
    Role.DEFENDANT: [],
    Role.JUDGE: [C, S],
    Role.COURT_STAFF: [C, S],
}
WRITERS = [role for role in ROLES if WRITES[role]]
# Who writes behind each wall in the fixtures below.
AUTHOR_OF_WALL: dict[str, Role] = {
    P: Role.PROSECUTOR,
    D: Role.DEFENSE_COUNSEL,
    S: Role.PROSECUTOR,
    C: Role.COURT_STAFF,
}


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def html_of(response: Any) -> str:
    return str(response.content.decode())


def signed_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def url(name: str, world: World, *args: int) -> str:
    return reverse(name, args=[world.case.pk, *args])


def note_by(world: World, visibility: str, body: str, role: Role | None = None) -> Note:
    author = world.user(role or AUTHOR_OF_WALL[visibility])
    return services.note_add(case=world.case, by=author, visibility=visibility, body=body)


def document_by(
    world: World,
    visibility: str,
    title: str,
    *,
    role: Role | None = None,
    content: bytes = PDF,
    name: str = "report.pdf",
    category: str = DocumentCategory.EVIDENCE,
) -> Document:
    return services.document_upload(
        case=world.case,
        by=world.user(role or AUTHOR_OF_WALL[visibility]),
        upload=SimpleUploadedFile(name, content),
        category=category,
        title=title,
        visibility=visibility,
    )


def one_per_wall_notes(world: World) -> dict[str, Note]:
    return {
        wall: note_by(world, wall, f"Marker note behind the {wall} wall.") for wall in (P, D, S, C)
    }


def one_per_wall_documents(world: World) -> dict[str, Document]:
    return {wall: document_by(world, wall, f"Marker {wall} exhibit") for wall in (P, D, S, C)}


def stored_files(location: Path) -> list[Path]:
    return [path for path in location.rglob("*") if path.is_file()] if location.exists() else []


# --- every page, every role ----------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_every_role_on_the_case_opens_every_record_page(
    client: Client, world: World, role: Role, name: str
) -> None:
    response = signed_in(client, world.user(role)).get(url(name, world))
    assert response.status_code == 200
    assert world.case.docket_number in html_of(response)


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_strangers_find_no_record_pages(
    client: Client, world: World, role: Role, name: str
) -> None:
    signed_in(client, world.strangers[role])
    assert client.get(url(name, world)).status_code == 404
    assert client.post(url(name, world), {"visibility": S, "body": "x"}).status_code == 404


@pytest.mark.parametrize("role", [Role.PROSECUTOR, Role.DEFENSE_COUNSEL, Role.DEFENDANT])
def test_parties_find_no_record_pages_of_a_case_they_are_not_on(
    client: Client, world: World, role: Role
) -> None:
    signed_in(client, world.user(role))
    for name in PAGES:
        assert client.get(reverse(name, args=[world.other_case.pk])).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client: Client, world: World) -> None:
    for name in PAGES:
        response = client.get(url(name, world))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ROLES)
def test_the_case_page_links_the_record(client: Client, world: World, role: Role) -> None:
    page = html_of(
        signed_in(client, world.user(role)).get(reverse("cases:detail", args=[world.case.pk]))
    )
    for name in PAGES:
        assert f'href="{url(name, world)}"' in page


def test_opening_the_record_of_a_sealed_case_is_in_the_history(
    client: Client, world: World
) -> None:
    case_services.case_update(case=world.case, by=world.user(Role.COURT_STAFF), sealed=True)
    reader = world.user(Role.DEFENSE_COUNSEL)
    signed_in(client, reader)
    for name in PAGES:
        assert client.get(url(name, world)).status_code == 200
    client.post(url("records:notes", world), {"visibility": D, "body": "Posting is not viewing."})
    seen = AuditEvent.objects.filter(kind="case.sealed_viewed").order_by("id")
    assert [(e.case_id, e.actor_id, e.audience, e.data["seen"]) for e in seen] == [
        (world.case.pk, reader.pk, "court", "record: notes"),
        (world.case.pk, reader.pk, "court", "record: documents"),
        (world.case.pk, reader.pk, "court", "record: discovery"),
    ]


def test_opening_the_record_of_an_open_case_is_not_flagged(client: Client, world: World) -> None:
    signed_in(client, world.user(Role.DEFENSE_COUNSEL)).get(url("records:notes", world))
    assert not AuditEvent.objects.filter(kind="case.sealed_viewed").exists()


# --- notes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reads_only_the_notes_behind_its_walls(
    client: Client, world: World, role: Role
) -> None:
    notes = one_per_wall_notes(world)
    response = signed_in(client, world.user(role)).get(url("records:notes", world))
    page = html_of(response)
    assert [n.pk for n in response.context["notes"]] == sorted(
        (notes[wall].pk for wall in READS[role]), reverse=True
    )
    assert "2 notes</h2>" in page
    for wall, note in notes.items():
        assert (note.body in page) is (wall in READS[role]), wall
        assert (f'id="note-{note.pk}"' in page) is (wall in READS[role])


@pytest.mark.parametrize("role", ROLES)
def test_search_finds_only_notes_behind_the_readers_walls(
    client: Client, world: World, role: Role
) -> None:
    notes = one_per_wall_notes(world)
    note_by(world, S, "Nothing to see here.")
    response = signed_in(client, world.user(role)).get(url("records:notes", world), {"q": "marker"})
    page = html_of(response)
    assert "2 notes found</h2>" in page
    assert {n.pk for n in response.context["notes"]} == {notes[w].pk for w in READS[role]}
    for wall, note in notes.items():
        assert (note.body in page) is (wall in READS[role])
    assert "Nothing to see here." not in page

    # A word only behind another wall finds nothing, and says so.
    hidden = next(w for w in (P, D, C) if w not in READS[role])
    response = client.get(url("records:notes", world), {"q": f"the {hidden} wall"})
    assert response.context["notes"] == []
    assert "0 notes found</h2>" in html_of(response)
    assert notes[hidden].body not in html_of(response)


def test_note_bodies_keep_their_line_breaks_and_are_escaped(client: Client, world: World) -> None:
    note_by(world, P, "First line\nSecond <b>line</b>")
    page = html_of(signed_in(client, world.user(Role.PROSECUTOR)).get(url("records:notes", world)))
    assert "First line<br>Second &lt;b&gt;line&lt;/b&gt;" in page


@pytest.mark.parametrize("role", ROLES)
def test_the_add_form_offers_only_the_walls_the_reader_writes_behind(
    client: Client, world: World, role: Role
) -> None:
    response = signed_in(client, world.user(role)).get(url("records:notes", world))
    form = response.context["form"]
    if not WRITES[role]:
        assert form is None
        assert "Add note</button>" not in html_of(response)
        return
    offered = [value for value, _ in form.fields["visibility"].widget.choices]
    assert offered == WRITES[role]
    assert form["visibility"].value() == WRITES[role][0]
    page = html_of(response)
    (first,) = re.findall(rf'<input[^>]*value="{WRITES[role][0]}"[^>]*>', page)
    assert " checked" in first
    (second,) = re.findall(rf'<input[^>]*value="{WRITES[role][1]}"[^>]*>', page)
    assert " checked" not in second
    for wall in set(Visibility.values) - set(WRITES[role]):
        assert f'name="visibility" value="{wall}"' not in page


@pytest.mark.parametrize("role", WRITERS)
def test_writers_add_a_note_behind_their_own_wall(client: Client, world: World, role: Role) -> None:
    wall = WRITES[role][0]
    response = signed_in(client, world.user(role)).post(
        url("records:notes", world), {"visibility": wall, "body": "  Call the witness back.  "}
    )
    assert response.status_code == 302
    note = Note.objects.get(case=world.case)
    assert response["Location"] == url("records:notes", world) + f"#note-{note.pk}"
    assert (note.visibility, note.body, note.author_id) == (
        wall,
        "Call the witness back.",
        world.user(role).pk,
    )
    page = html_of(client.get(response["Location"]))
    assert "Note added (" in page
    assert "Call the witness back." in page


@pytest.mark.parametrize("role", WRITERS)
def test_writers_share_a_note_with_everyone_on_the_case(
    client: Client, world: World, role: Role
) -> None:
    signed_in(client, world.user(role)).post(
        url("records:notes", world), {"visibility": S, "body": "Status conference moved."}
    )
    note = Note.objects.get(case=world.case)
    assert note.visibility == S
    for reader in ROLES:
        page = html_of(signed_in(Client(), world.user(reader)).get(url("records:notes", world)))
        assert "Status conference moved." in page


def test_the_defendant_may_not_add_notes(client: Client, world: World) -> None:
    signed_in(client, world.user(Role.DEFENDANT))
    for wall in (D, S):
        response = client.post(url("records:notes", world), {"visibility": wall, "body": "Hi"})
        assert response.status_code == 403
    assert not Note.objects.exists()


@pytest.mark.parametrize(
    ("role", "wall"),
    [
        (Role.PROSECUTOR, D),
        (Role.PROSECUTOR, C),
        (Role.DEFENSE_COUNSEL, P),
        (Role.DUTY_LAWYER, C),
        (Role.JUDGE, P),
        (Role.COURT_STAFF, D),
    ],
)
def test_nobody_writes_behind_another_sides_wall(
    client: Client, world: World, role: Role, wall: str
) -> None:
    response = signed_in(client, world.user(role)).post(
        url("records:notes", world), {"visibility": wall, "body": "Crossing the wall."}
    )
    assert response.status_code == 403
    assert not Note.objects.exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"visibility": P, "body": ""}, "body", "Write the note."),
        ({"visibility": P, "body": "   \n  "}, "body", "Write the note."),
        ({"visibility": P, "body": "x" * 20_001}, "body", "at most 20,000 characters"),
        ({"body": "No wall chosen."}, "visibility", "Choose who may read it."),
        ({"visibility": "everyone", "body": "Bad wall."}, "visibility", "Select a valid choice"),
    ],
)
def test_a_bad_note_is_refused_next_to_its_field(
    client: Client, world: World, data: dict[str, str], field: str, message: str
) -> None:
    response = signed_in(client, world.user(Role.PROSECUTOR)).post(
        url("records:notes", world), data
    )
    assert response.status_code == 400
    assert any(message in error for error in response.context["form"].errors[field])
    assert message in html_of(response)
    assert not Note.objects.exists()


# --- editing a note ------------------------------------------------------------------------------


def test_the_author_edits_the_text_and_the_wall_stays(client: Client, world: World) -> None:
    note = note_by(world, D, "Client prefers a morning hearing.")
    edit = url("records:note-edit", world, note.pk)
    signed_in(client, world.user(Role.DEFENSE_COUNSEL))
    notes_page = html_of(client.get(url("records:notes", world)))
    assert f'href="{edit}"' in notes_page

    page = client.get(edit)
    assert page.status_code == 200
    assert "Defense only" in html_of(page)
    assert page.context["form"]["body"].value() == note.body

    response = client.post(edit, {"body": "Client prefers an afternoon hearing.", "visibility": S})
    assert response.status_code == 302
    assert response["Location"] == url("records:notes", world) + f"#note-{note.pk}"
    note.refresh_from_db()
    assert (note.body, note.visibility) == ("Client prefers an afternoon hearing.", D)
    after = html_of(client.get(response["Location"]))
    assert "Note saved." in after


def test_saving_an_unchanged_note_says_nothing_changed(client: Client, world: World) -> None:
    note = note_by(world, P, "Same words.")
    signed_in(client, world.user(Role.PROSECUTOR))
    response = client.post(
        url("records:note-edit", world, note.pk), {"body": "Same words."}, follow=True
    )
    assert "Nothing changed" in html_of(response)


def test_an_emptied_note_is_refused(client: Client, world: World) -> None:
    note = note_by(world, P, "Keep me.")
    signed_in(client, world.user(Role.PROSECUTOR))
    response = client.post(url("records:note-edit", world, note.pk), {"body": "  "})
    assert response.status_code == 400
    assert "Write the note." in html_of(response)
    note.refresh_from_db()
    assert note.body == "Keep me."


@pytest.mark.parametrize("role", [Role.DUTY_LAWYER, Role.DEFENDANT])
def test_others_behind_the_wall_may_not_edit_a_note(
    client: Client, world: World, role: Role
) -> None:
    note = note_by(world, D, "Counsel's own words.")
    edit = url("records:note-edit", world, note.pk)
    signed_in(client, world.user(role))
    assert f'href="{edit}"' not in html_of(client.get(url("records:notes", world)))
    assert client.get(edit).status_code == 403
    assert client.post(edit, {"body": "Changed."}).status_code == 403
    note.refresh_from_db()
    assert note.body == "Counsel's own words."


@pytest.mark.parametrize("role", [Role.PROSECUTOR, Role.JUDGE, Role.COURT_STAFF])
def test_readers_outside_the_wall_find_no_note_to_edit(
    client: Client, world: World, role: Role
) -> None:
    note = note_by(world, D, "Defense strategy.")
    edit = url("records:note-edit", world, note.pk)
    signed_in(client, world.user(role))
    assert client.get(edit).status_code == 404
    assert client.post(edit, {"body": "Changed."}).status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_strangers_find_no_note_to_edit(client: Client, world: World, role: Role) -> None:
    note = note_by(world, S, "Shared.")
    signed_in(client, world.strangers[role])
    assert client.get(url("records:note-edit", world, note.pk)).status_code == 404


def test_a_note_of_another_case_is_not_found_under_this_one(client: Client, world: World) -> None:
    note = note_by(world, S, "On the world case.")
    # The judge sees both cases of the court: the note still belongs to one of them only.
    signed_in(client, world.user(Role.JUDGE))
    other = reverse("records:note-edit", args=[world.other_case.pk, note.pk])
    assert client.get(other).status_code == 404


# --- documents -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_only_the_documents_behind_its_walls(
    client: Client, world: World, role: Role
) -> None:
    documents = one_per_wall_documents(world)
    response = signed_in(client, world.user(role)).get(url("records:documents", world))
    page = html_of(response)
    assert "2 documents</h2>" in page
    for wall, document in documents.items():
        assert (document.title in page) is (wall in READS[role]), wall
        assert (url("records:document-download", world, document.pk) in page) is (
            wall in READS[role]
        )


def test_the_documents_table_says_what_each_file_is(client: Client, world: World) -> None:
    document = document_by(world, S, "Lab report", name="Lab report — Müller.pdf")
    page = html_of(
        signed_in(client, world.user(Role.DEFENSE_COUNSEL)).get(url("records:documents", world))
    )
    assert "Lab report — Müller.pdf" in page
    assert f"PDF · {len(PDF)}\xa0bytes" in page
    assert document.sha256[:12] in page
    assert f'title="SHA-256: {document.sha256}"' in page
    assert "Shared with all parties" in page
    assert "Evidence" in page


def test_documents_are_searched_and_filtered_within_the_walls(client: Client, world: World) -> None:
    document_by(world, P, "Marker prosecution memo", category=DocumentCategory.MOTION)
    motion = document_by(world, S, "Marker motion to suppress", category=DocumentCategory.MOTION)
    evidence = document_by(world, S, "Marker photo log", category=DocumentCategory.EVIDENCE)
    signed_in(client, world.user(Role.DEFENSE_COUNSEL))
    found = client.get(url("records:documents", world), {"q": "marker"}).context["documents"]
    assert [d.pk for d in found] == [evidence.pk, motion.pk]
    response = client.get(url("records:documents", world), {"category": "motion"})
    assert [d.pk for d in response.context["documents"]] == [motion.pk]
    assert "1 document found</h2>" in html_of(response)
    assert "Marker prosecution memo" not in html_of(response)
    response = client.get(url("records:documents", world), {"q": "memo"})
    assert response.context["documents"] == []


@pytest.mark.parametrize("role", ROLES)
def test_the_upload_form_is_for_writers(client: Client, world: World, role: Role) -> None:
    response = signed_in(client, world.user(role)).get(url("records:documents", world))
    page = html_of(response)
    if WRITES[role]:
        assert 'enctype="multipart/form-data"' in page
        offered = [v for v, _ in response.context["form"].fields["visibility"].widget.choices]
        assert offered == WRITES[role]
    else:
        assert response.context["form"] is None
        assert "multipart/form-data" not in page


def upload_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "file": SimpleUploadedFile("witness-statement.pdf", PDF, content_type="application/pdf"),
        "category": DocumentCategory.EVIDENCE,
        "title": "Witness statement",
        "description": "Signed 2026-02-20.",
        "visibility": S,
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("role", WRITERS)
def test_writers_upload_a_document(
    client: Client, world: World, role: Role, document_storage: Path
) -> None:
    response = signed_in(client, world.user(role)).post(
        url("records:documents", world), upload_data(visibility=WRITES[role][0])
    )
    assert response.status_code == 302
    document = Document.objects.get(case=world.case)
    assert response["Location"] == url("records:documents", world) + f"#document-{document.pk}"
    assert (document.title, document.visibility, document.original_name) == (
        "Witness statement",
        WRITES[role][0],
        "witness-statement.pdf",
    )
    assert (document.content_type, document.size) == ("application/pdf", len(PDF))
    assert document.sha256 == hashlib.sha256(PDF).hexdigest()
    assert [p.read_bytes() for p in stored_files(document_storage)] == [PDF]
    assert AuditEvent.objects.filter(
        table_name="records_document", kind="document.created"
    ).exists()
    assert "“Witness statement” uploaded" in html_of(client.get(response["Location"]))


def test_the_defendant_may_not_upload(client: Client, world: World, document_storage: Path) -> None:
    response = signed_in(client, world.user(Role.DEFENDANT)).post(
        url("records:documents", world), upload_data(visibility=D)
    )
    assert response.status_code == 403
    assert not Document.objects.exists()
    assert stored_files(document_storage) == []


def test_the_prosecution_may_not_upload_behind_the_defense_wall(
    client: Client, world: World, document_storage: Path
) -> None:
    response = signed_in(client, world.user(Role.PROSECUTOR)).post(
        url("records:documents", world), upload_data(visibility=D)
    )
    assert response.status_code == 403
    assert not Document.objects.exists()
    assert stored_files(document_storage) == []


def multipart_body(file_name: str, content: bytes, boundary: str = "parley-boundary") -> bytes:
    """A multipart form with the file name exactly as given: Django's test client would keep
    only the base name of a name with '/' in it, as a browser does."""
    parts = []
    for key, value in (
        ("category", "evidence"),
        ("title", "Evil"),
        ("description", ""),
        ("visibility", "shared"),
    ):
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
        "Content-Type: application/pdf\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts)


def assert_nothing_behind(world: World, location: Path) -> None:
    assert not Document.objects.filter(case=world.case).exists()
    assert stored_files(location) == []
    assert not AuditEvent.objects.filter(table_name="records_document").exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.pdf", b"", "The file is empty."),
        ("report.pdf", ELF, "This kind of file is not accepted"),
        ("report.pdf", b"PK\x03\x04" + b"\x00" * 100, "This kind of file is not accepted"),
        ("..\\..\\evil.pdf", PDF, "The file name must not contain a path"),
    ],
    ids=["empty", "program-renamed-pdf", "zip-renamed-pdf", "windows-path"],
)
def test_bad_uploads_are_refused_with_a_clear_message_and_leave_nothing_behind(
    client: Client, world: World, document_storage: Path, name: str, content: bytes, message: str
) -> None:
    response = signed_in(client, world.user(Role.PROSECUTOR)).post(
        url("records:documents", world), upload_data(file=SimpleUploadedFile(name, content))
    )
    assert response.status_code == 400
    assert any(message in error for error in response.context["form"].errors["file"])
    page = html_of(response)
    assert message in page
    assert 'class="field field--error"' in page
    assert_nothing_behind(world, document_storage)


def test_a_path_in_the_file_name_is_refused(
    client: Client, world: World, document_storage: Path
) -> None:
    # Sent as a client that does not strip the path would send it; Django's parser drops the
    # "../../" and records.uploads remembers that it did.
    response = signed_in(client, world.user(Role.PROSECUTOR)).post(
        url("records:documents", world),
        data=multipart_body("../../evil.pdf", PDF),
        content_type="multipart/form-data; boundary=parley-boundary",
    )
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == [
        "The file name must not contain a path ('/', '\\' or '..'); name the file itself, "
        "e.g. report.pdf."
    ]
    assert_nothing_behind(world, document_storage)


def test_the_same_body_with_a_plain_name_is_stored(
    client: Client, world: World, document_storage: Path
) -> None:
    # The body built for the test above is a good upload but for the name.
    response = signed_in(client, world.user(Role.PROSECUTOR)).post(
        url("records:documents", world),
        data=multipart_body("evil.pdf", PDF),
        content_type="multipart/form-data; boundary=parley-boundary",
    )
    assert response.status_code == 302
    assert Document.objects.get().original_name == "evil.pdf"


def test_a_file_over_the_limit_is_refused(
    client: Client, world: World, document_storage: Path, settings: Any
) -> None:
    settings.DOCUMENT_MAX_BYTES = 64
    response = signed_in(client, world.user(Role.PROSECUTOR)).post(
        url("records:documents", world), upload_data()
    )
    assert response.status_code == 400
    assert f"The file is {len(PDF)} bytes; the limit is 64 bytes." in html_of(response)
    assert_nothing_behind(world, document_storage)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"file": ""}, "file", "Choose a file to upload."),
        ({"title": "  "}, "title", "Give the document a title."),
        ({"title": "x" * 301}, "title", "at most 300 characters"),
        ({"category": "gossip"}, "category", "Select a valid choice"),
        ({"category": ""}, "category", "Choose a category."),
    ],
)
def test_a_bad_upload_form_is_refused_next_to_its_field(
    client: Client,
    world: World,
    document_storage: Path,
    overrides: dict[str, Any],
    field: str,
    message: str,
) -> None:
    data = upload_data(**overrides)
    if data["file"] == "":
        del data["file"]
    response = signed_in(client, world.user(Role.PROSECUTOR)).post(
        url("records:documents", world), data
    )
    assert response.status_code == 400
    assert any(message in error for error in response.context["form"].errors[field])
    assert_nothing_behind(world, document_storage)


# --- downloads -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("wall", [P, D, S, C])
def test_downloads_follow_the_walls_and_are_audited(
    client: Client, world: World, role: Role, wall: str
) -> None:
    document = document_by(world, wall, "Exhibit", name="Exhibit A.pdf")
    reader = world.user(role)
    response = signed_in(client, reader).get(url("records:document-download", world, document.pk))
    downloads = AuditEvent.objects.filter(kind="document.downloaded")
    if wall not in READS[role]:
        assert response.status_code == 404
        assert not downloads.exists()
        return
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Exhibit A.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-SHA256"] == hashlib.sha256(PDF).hexdigest()
    assert response["Content-Length"] == str(len(PDF))
    event = downloads.get()
    assert (event.case_id, event.audience, event.actor_id, event.via) == (
        world.case.pk,
        wall,
        reader.pk,
        "web",
    )
    expected = {"document_id": document.pk, "sha256": document.sha256, "size": len(PDF)}
    assert {key: event.data.get(key) for key in expected} == expected


def test_a_unicode_file_name_is_offered_as_uploaded(client: Client, world: World) -> None:
    document = document_by(world, S, "Bericht", name="Bericht Müller 第1号.pdf")
    response = signed_in(client, world.user(Role.JUDGE)).get(
        url("records:document-download", world, document.pk)
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''Bericht%20M%C3%BCller%20%E7%AC%AC1%E5%8F%B7.pdf"
    )


@pytest.mark.parametrize("role", ROLES)
def test_strangers_download_nothing(client: Client, world: World, role: Role) -> None:
    document = document_by(world, S, "Shared exhibit")
    response = signed_in(client, world.strangers[role]).get(
        url("records:document-download", world, document.pk)
    )
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(kind="document.downloaded").exists()


def test_a_document_is_downloaded_only_under_its_own_case(client: Client, world: World) -> None:
    document = document_by(world, S, "Shared exhibit")
    signed_in(client, world.user(Role.JUDGE))
    other = reverse("records:document-download", args=[world.other_case.pk, document.pk])
    assert client.get(other).status_code == 404


def test_a_document_missing_from_storage_is_not_found(
    client: Client, world: World, document_storage: Path
) -> None:
    document = document_by(world, S, "Lost exhibit")
    for path in stored_files(document_storage):
        path.unlink()
    response = signed_in(client, world.user(Role.PROSECUTOR)).get(
        url("records:document-download", world, document.pk)
    )
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(kind="document.downloaded").exists()


def test_signed_out_visitors_download_nothing(client: Client, world: World) -> None:
    document = document_by(world, S, "Shared exhibit")
    response = client.get(url("records:document-download", world, document.pk))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- discovery -----------------------------------------------------------------------------------


def disclose(world: World, description: str = "", document: Document | None = None) -> Disclosure:
    return services.disclosure_add(
        case=world.case,
        by=world.user(Role.PROSECUTOR),
        disclosed_on=dt.date(2026, 2, 16),
        description=description,
        document=document,
    )


@pytest.mark.parametrize("role", ROLES)
def test_everyone_on_the_case_reads_the_disclosure_log(
    client: Client, world: World, role: Role
) -> None:
    lab = disclose(world, document=document_by(world, P, "Lab report"))
    phone = disclose(world, "Phone extraction, 2 DVDs")
    response = signed_in(client, world.user(role)).get(url("records:discovery", world))
    page = html_of(response)
    assert [d.pk for d in response.context["disclosures"]] == [phone.pk, lab.pk]
    assert "2 items disclosed</h2>" in page
    assert "Phone extraction, 2 DVDs" in page
    assert "Lab report" in page
    assert url("records:document-download", world, lab.document_id) in page  # type: ignore[arg-type]
    assert (response.context["form"] is not None) is (role == Role.PROSECUTOR)
    assert ("Record disclosure</button>" in page) is (role == Role.PROSECUTOR)


def test_the_prosecution_discloses_a_document_and_shares_it(client: Client, world: World) -> None:
    memo = document_by(world, P, "Lab report")
    document_by(world, D, "Defense investigator notes")
    signed_in(client, world.user(Role.PROSECUTOR))
    page = client.get(url("records:discovery", world))
    # Only the prosecution's own or shared documents are offered, never the defense's.
    offered = list(page.context["form"].fields["document"].queryset)
    assert offered == [memo]
    assert page.context["form"]["disclosed_on"].value() == TODAY

    response = client.post(
        url("records:discovery", world),
        {"document": str(memo.pk), "description": "", "disclosed_on": "2026-02-27"},
    )
    assert response.status_code == 302
    disclosure = Disclosure.objects.get()
    assert response["Location"] == url("records:discovery", world) + f"#disclosure-{disclosure.pk}"
    assert (disclosure.description, disclosure.disclosed_on, disclosure.document_id) == (
        "Lab report",
        dt.date(2026, 2, 27),
        memo.pk,
    )
    memo.refresh_from_db()
    assert memo.visibility == S
    assert "is now shared with the defense" in html_of(client.get(response["Location"]))
    # The defense has it now.
    defense = signed_in(Client(), world.user(Role.DEFENSE_COUNSEL))
    assert defense.get(url("records:document-download", world, memo.pk)).status_code == 200


def test_the_prosecution_records_a_described_item(client: Client, world: World) -> None:
    response = signed_in(client, world.user(Role.PROSECUTOR)).post(
        url("records:discovery", world),
        {
            "document": "",
            "description": "Body-cam footage (USB drive)",
            "disclosed_on": "2026-03-02",
        },
    )
    assert response.status_code == 302
    assert Disclosure.objects.get().description == "Body-cam footage (USB drive)"


@pytest.mark.parametrize("role", [r for r in ROLES if r != Role.PROSECUTOR])
def test_only_the_prosecution_records_disclosures(client: Client, world: World, role: Role) -> None:
    response = signed_in(client, world.user(role)).post(
        url("records:discovery", world),
        {"description": "Everything", "disclosed_on": "2026-03-02"},
    )
    assert response.status_code == 403
    assert not Disclosure.objects.exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"description": "", "disclosed_on": "2026-03-02"},
            "description",
            "Say what was disclosed.",
        ),
        (
            {"description": "Tomorrow's", "disclosed_on": "2026-03-03"},
            "disclosed_on",
            "in the future",
        ),
        ({"description": "Old", "disclosed_on": "2025-12-31"}, "disclosed_on", "before the case"),
        ({"description": "No date", "disclosed_on": ""}, "disclosed_on", "Give the date"),
        ({"description": "x" * 501, "disclosed_on": "2026-03-02"}, "description", "at most 500"),
    ],
)
def test_a_bad_disclosure_is_refused_next_to_its_field(
    client: Client, world: World, data: dict[str, str], field: str, message: str
) -> None:
    response = signed_in(client, world.user(Role.PROSECUTOR)).post(
        url("records:discovery", world), data
    )
    assert response.status_code == 400
    assert any(message in error for error in response.context["form"].errors[field])
    assert message in html_of(response).replace("&#x27;", "'")
    assert not Disclosure.objects.exists()


def test_a_document_is_disclosed_once(client: Client, world: World) -> None:
    memo = document_by(world, S, "Lab report")
    disclose(world, document=memo)
    response = signed_in(client, world.user(Role.PROSECUTOR)).post(
        url("records:discovery", world), {"document": str(memo.pk), "disclosed_on": "2026-03-02"}
    )
    assert response.status_code == 400
    assert "document" in response.context["form"].errors
    assert Disclosure.objects.count() == 1


def test_a_defense_document_is_not_disclosed(client: Client, world: World) -> None:
    theirs = document_by(world, D, "Defense expert report")
    response = signed_in(client, world.user(Role.PROSECUTOR)).post(
        url("records:discovery", world), {"document": str(theirs.pk), "disclosed_on": "2026-03-02"}
    )
    assert response.status_code == 400
    theirs.refresh_from_db()
    assert theirs.visibility == D
    assert not Disclosure.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_what_offers_recorded_about_discovery_is_for_offer_readers(
    client: Client, world: World, role: Role
) -> None:
    case_services.case_transition(
        case=world.case, to_status=CaseStatus.NEGOTIATING, by=world.user(Role.PROSECUTOR)
    )
    disclose(world, "Lab report")
    offer = sent_offer(world)
    disclose(world, "Phone extraction")
    response = signed_in(client, world.user(role)).get(url("records:discovery", world))
    page = html_of(response)
    reads_offers = role not in (Role.JUDGE, Role.COURT_STAFF)  # US profile: not the court
    assert ("Discovery when each offer was sent" in page) is reads_offers
    assert (reverse("negotiations:offer", args=[offer.pk]) in page) is reads_offers
    if reads_offers:
        (shown,) = response.context["offers"]
        assert (shown.discovery_items_disclosed, shown.discovery_last_disclosed_on) == (
            1,
            dt.date(2026, 2, 16),
        )
        assert shown.recorded_since == 1
    else:
        assert response.context["offers"] is None


# --- queries -------------------------------------------------------------------------------------


def crowd_the_record(world: World, rows: int) -> None:
    """`rows` notes, documents and disclosures of each kind, by several people, so that an
    N+1 would show."""
    for n in range(rows):
        for wall in (P, S):
            note_by(world, wall, f"Note {n}")
        note_by(world, S, f"Court note {n}", role=Role.JUDGE)
        note_by(world, S, f"Defense note {n}", role=Role.DUTY_LAWYER)
        document_by(world, S, f"Exhibit {n}")
        document_by(world, S, f"Defense exhibit {n}", role=Role.DEFENSE_COUNSEL)
        document_by(world, P, f"To disclose {n}")  # offered in the disclosure form
        disclose(world, f"Item {n}")
        disclose(world, document=document_by(world, P, f"Disclosed {n}"))


def queries_for(client: Client, page_url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(page_url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("name", "queries"),
    # The facts a permission rests on are read once per GET request (core.reads).
    [("records:notes", 9), ("records:documents", 9), ("records:discovery", 11)],
)
def test_record_lists_cost_a_fixed_number_of_queries(
    client: Client, world: World, django_assert_num_queries: Any, name: str, queries: int
) -> None:
    signed_in(client, world.user(Role.PROSECUTOR))
    case_services.case_transition(
        case=world.case, to_status=CaseStatus.NEGOTIATING, by=world.user(Role.PROSECUTOR)
    )
    sent_offer(world)  # the discovery page lists what it recorded
    crowd_the_record(world, 1)
    small = queries_for(client, url(name, world))
    crowd_the_record(world, 4)
    with django_assert_num_queries(queries):
        response = client.get(url(name, world))
    assert response.status_code == 200
    assert small == queries
