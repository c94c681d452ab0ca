"""The ethical wall in a real browser: a prosecutor adds a prosecution-only note and uploads a
shared document through the record pages; defense counsel, in their own session, finds and
downloads the document and never sees the note, in the list or by searching for its words.

PARLEY_SCREENSHOTS=1 saves docs/screenshots/record-notes-prosecutor.png and
record-documents-defense.png.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from playwright.sync_api import expect

from audit.models import AuditEvent
from parties.models import Role
from records import services
from records.models import Document, DocumentCategory, Note, Visibility
from tests.browser.conftest import People, shoot
from tests.conftest import World

pytestmark = pytest.mark.browser

NAMES = {
    "prosecutor": ("Alex", "Morgan"),
    "defense": ("Dana", "Whitfield"),
    "duty": ("Sam", "Ortiz"),
    "judge": ("Ruth", "Alvarez"),
    "clerk": ("Chris", "Lee"),
}
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
SECRET = "Informant Kestrel is willing to testify if the plea talks fail."


def _a_lived_in_record(world: World) -> None:
    """What the record holds before the test: names, and a few notes and documents of each
    side, so the pages look as they do on a real case."""
    for username, (first, last) in NAMES.items():
        User.objects.filter(username=username).update(first_name=first, last_name=last)
    case = world.case

    def user(role: Role) -> User:
        return User.objects.get(pk=world.user(role).pk)

    services.note_add(
        case=case,
        by=user(Role.JUDGE),
        visibility=Visibility.SHARED,
        body="Status conference set for the week of March 16. Parties to confer on a "
        "proposed schedule for motions.",
    )
    services.note_add(
        case=case,
        by=user(Role.PROSECUTOR),
        visibility=Visibility.PROSECUTION,
        body="Chain of custody for exhibit 4 (the scale) has a gap of 3 hours on 2025-11-02.\n"
        "Ask the lab for the intake log before we make an offer.",
    )
    services.note_add(
        case=case,
        by=user(Role.DEFENSE_COUNSEL),
        visibility=Visibility.DEFENSE,
        body="Client employed full time since 2024; two children. Letters of support coming "
        "from the employer and the church.",
    )
    services.document_upload(
        case=case,
        by=user(Role.COURT_STAFF),
        upload=SimpleUploadedFile("Scheduling order.pdf", PDF),
        category=DocumentCategory.MOTION,
        title="Scheduling order",
        description="Motions due 2026-04-06; responses 14 days later.",
        visibility=Visibility.SHARED,
    )
    services.document_upload(
        case=case,
        by=user(Role.DEFENSE_COUNSEL),
        upload=SimpleUploadedFile("Employer letter.pdf", PDF),
        category=DocumentCategory.CORRESPONDENCE,
        title="Letter from the employer",
        visibility=Visibility.DEFENSE,
    )


def test_the_defense_sees_the_shared_document_and_never_the_prosecution_note(
    live_server: Any, world: World, people: People
) -> None:
    url = live_server.url
    _a_lived_in_record(world)
    case_url = url + reverse("cases:detail", args=[world.case.pk])

    # 1. The prosecutor adds a prosecution-only note from the case page's Record links.
    prosecutor = people("prosecutor")
    prosecutor.goto(case_url)
    prosecutor.get_by_role("navigation", name="Record").get_by_role("link", name="Notes").click()
    expect(prosecutor.get_by_role("heading", level=1)).to_have_text("Notes")
    expect(prosecutor.locator("#notes-title")).to_have_text("2 notes")
    prosecutor.get_by_label("Note", exact=True).fill(SECRET)
    wall = prosecutor.get_by_role("radio", name=re.compile("^Prosecution only"))
    expect(wall).to_be_checked()  # their own side's wall comes first
    prosecutor.get_by_role("button", name="Add note").click()
    expect(prosecutor.locator(".messages")).to_contain_text("Note added (prosecution only).")
    expect(prosecutor.locator("#notes-title")).to_have_text("3 notes")
    note = Note.objects.get(body=SECRET)
    assert note.visibility == Visibility.PROSECUTION
    expect(prosecutor.locator(f"#note-{note.pk}")).to_contain_text("Prosecution only")
    prosecutor.locator("#main").focus()  # no focus ring from the button in the picture
    shoot(prosecutor, "record-notes-prosecutor")

    # 2. ... and uploads a shared document.
    prosecutor.get_by_role("navigation", name="Case record").get_by_role(
        "link", name="Documents"
    ).click()
    expect(prosecutor.get_by_role("heading", level=1)).to_have_text("Documents")
    prosecutor.get_by_text("Upload a document").click()
    upload = prosecutor.locator("form[enctype='multipart/form-data']")
    upload.get_by_label("File", exact=True).set_input_files(
        {"name": "Lab report — exhibit 4.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    upload.get_by_label("Title", exact=True).fill("Lab report on exhibit 4")
    upload.get_by_label("Category", exact=True).select_option(label="Discovery")
    upload.get_by_label("Description").fill("DEA lab, received 2026-02-20.")
    upload.get_by_role("radio", name=re.compile("^Shared with all parties")).check()
    upload.get_by_role("button", name="Upload document").click()
    expect(prosecutor.locator(".messages")).to_contain_text("“Lab report on exhibit 4” uploaded")
    document = Document.objects.get(title="Lab report on exhibit 4")
    assert (document.visibility, document.original_name) == (
        Visibility.SHARED,
        "Lab report — exhibit 4.pdf",
    )

    # 3. Defense counsel, in their own session, finds the document and downloads it.
    defense = people("defense")
    defense.goto(case_url)
    defense.get_by_role("navigation", name="Record").get_by_role("link", name="Documents").click()
    row = defense.locator(f"#document-{document.pk}")
    expect(row).to_contain_text("Lab report on exhibit 4")
    expect(row).to_contain_text("Shared with all parties")
    expect(row).to_contain_text("Lab report — exhibit 4.pdf")
    expect(defense.locator("#documents-title")).to_have_text("3 documents")
    with defense.expect_download() as download_info:
        row.get_by_role("link", name=re.compile("^Download")).click()
    download = download_info.value
    assert download.suggested_filename == "Lab report — exhibit 4.pdf"
    assert Path(download.path()).read_bytes() == PDF
    defense_user = world.user(Role.DEFENSE_COUNSEL)
    assert AuditEvent.objects.filter(
        kind="document.downloaded", actor_id=defense_user.pk, case_id=world.case.pk
    ).exists()
    defense.locator("#main").focus()
    shoot(defense, "record-documents-defense")

    # 4. ... and never the prosecution's note: not in the list, not by searching its words.
    defense.get_by_role("navigation", name="Case record").get_by_role("link", name="Notes").click()
    expect(defense.locator("#notes-title")).to_have_text("2 notes")
    expect(defense.locator("body")).not_to_contain_text("Kestrel")
    expect(defense.locator("body")).not_to_contain_text("Chain of custody")
    defense.get_by_label("Search the notes").fill("Kestrel")
    defense.get_by_role("button", name="Search").click()
    expect(defense.locator("#notes-title")).to_have_text("0 notes found")
    expect(defense.locator("main")).to_contain_text("No note you may read contains “Kestrel”.")
    assert "Kestrel" in defense.url  # the search ran; only the query itself is echoed back
    expect(defense.locator(".record-notes")).to_have_count(0)
    # The prosecutor's own note is not reachable by its address either.
    response = defense.goto(url + reverse("records:note-edit", args=[world.case.pk, note.pk]))
    assert response.status == 404
