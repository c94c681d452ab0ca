"""Holes a review of the record found, each closed and kept closed.

- An export's record told every reader how many events the exporter saw.
- The case's updated_at moved on every negotiation step, and its history event (and the
  request path) told the court when offers went back and forth.
- Membership of a court's group opened the court's wall to someone who is not court staff.
- A file sent as text kept a name that would open as a web page; Word files with macros passed.
- A long name with a path lost its mark when Django cut it, and was stored.
- A document whose file is gone, or a hand-made cursor, answered 500.
"""

from __future__ import annotations

import base64
import io
import json
import re
import zipfile
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEvent
from cases import services as case_services
from parties.models import Role
from records import services as records
from records.models import Document
from tests.cases.test_case_history import as_if_through_the_web
from tests.conftest import World, api_as
from tests.negotiation_helpers import draft_offer

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def history(user: Any, case: Any) -> list[dict[str, Any]]:
    response = api_as(user).get(reverse("case-history", args=[case.pk]), {"page_size": "200"})
    assert response.status_code == 200
    return list(response.json()["results"])


def upload(world: World, name: str, content: bytes) -> Document:
    return records.document_upload(
        case=world.case,
        by=world.user(Role.PROSECUTOR),
        upload=SimpleUploadedFile(name, content),
        category="evidence",
        title="Exhibit",
        visibility="shared",
    )


def test_an_export_record_does_not_count_what_the_exporter_saw(world: World) -> None:
    prosecutor = world.user(Role.PROSECUTOR)
    for n in range(3):
        with as_if_through_the_web(prosecutor):
            records.note_add(
                case=world.case, by=prosecutor, visibility="prosecution", body=f"secret {n}"
            )
    response = api_as(prosecutor).get(
        reverse("case-history-export", args=[world.case.pk]), {"as": "jsonl", "kind": "note"}
    )
    assert len(b"".join(response.streaming_content).splitlines()) == 3  # type: ignore[attr-defined]
    exported = [
        row
        for row in history(world.user(Role.DEFENSE_COUNSEL), world.case)
        if row["kind"] == "history.exported"
    ]
    assert len(exported) == 1
    assert "rows" not in json.dumps(exported[0].get("data", {}))
    assert not re.search(r"\d+ events?", exported[0]["summary"])


def test_the_court_does_not_follow_the_negotiation_through_the_case_row(world: World) -> None:
    prosecutor = world.user(Role.PROSECUTOR)
    with as_if_through_the_web(prosecutor):
        offer = draft_offer(world)
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    response = api_as(prosecutor).post(f"/api/v1/offers/{offer.pk}/send/")
    assert response.status_code == 200, response.content
    # Sending touched the case (updated_at, for docket systems) but that is not recorded ...
    touched = AuditEvent.objects.filter(id__gt=before, kind="case.changed")
    assert not [e for e in touched if set(e.after or {}) <= {"updated_at"}]
    # ... and nothing the judge reads names the offer or the request that sent it.
    text = json.dumps(history(world.user(Role.JUDGE), world.case))
    assert "/offers/" not in text
    assert '"offer' not in text.replace('"offer_expiry', "")


def test_a_party_in_the_court_group_does_not_read_behind_the_court_wall(world: World) -> None:
    judge = world.user(Role.JUDGE)
    records.note_add(case=world.case, by=judge, visibility="court", body="bench memo 9q")
    defense = world.user(Role.DEFENSE_COUNSEL)
    case_services.court_member_add(court=world.court, user=defense)
    response = api_as(defense).get("/api/v1/notes/", {"case": world.case.pk})
    assert response.status_code == 200
    assert "bench memo 9q" not in response.content.decode()


@pytest.mark.parametrize(
    ("name", "content", "kept"),
    [
        ("invoice.html", b"<html><script>alert(1)</script></html>\n", "invoice.html.txt"),
        ("run.bat", b"del *.*\r\n", "run.bat.txt"),
        ("notes.txt", b"plain\n", "notes.txt"),
        ("table.CSV", b"a,b\n1,2\n", "table.CSV"),
        ("scan", PDF, "scan.pdf"),
        ("report.docx", PDF, "report.docx.pdf"),
    ],
)
def test_a_kept_name_opens_as_what_the_file_is(
    world: World, name: str, content: bytes, kept: str
) -> None:
    assert upload(world, name, content).original_name == kept


def test_a_word_file_with_macros_is_refused(world: World, document_storage: Any) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types><Override PartName="/word/document.xml" ContentType="application/'
            'vnd.ms-word.document.macroEnabled.main+xml"/></Types>',
        )
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    with pytest.raises(ValidationError, match="macros"):
        upload(world, "letter.docx", buffer.getvalue())
    assert not Document.objects.exists()
    assert not any(document_storage.rglob("*")) if document_storage.exists() else True


def _multipart(case_id: int, filename: str) -> tuple[bytes, str]:
    boundary = "PARLEYBOUNDARY"
    parts = [
        ("case", str(case_id)),
        ("category", "evidence"),
        ("title", "Lab report"),
        ("visibility", "shared"),
    ]
    body = b""
    for name, value in parts:
        body += (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        ).encode()
    body += (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'
        ).encode()
        + PDF
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize("length", [10, 300])
def test_a_name_with_a_path_is_refused_however_long(
    world: World, document_storage: Any, length: int
) -> None:
    body, content_type = _multipart(world.case.pk, "../../" + "a" * length + ".pdf")
    client = api_as(world.user(Role.PROSECUTOR))
    response = client.generic(
        "POST",
        "/api/v1/documents/",
        body,  # type: ignore[arg-type]
        content_type=content_type,
    )
    assert response.status_code == 400, response.content[:300]
    assert "path" in response.json()["file"][0]
    assert not Document.objects.exists()


def test_a_document_whose_file_is_gone_is_a_404_not_a_500(
    world: World, document_storage: Any
) -> None:
    document = upload(world, "a.pdf", PDF)
    (document_storage / document.storage_name).unlink()
    before = AuditEvent.objects.filter(kind="document.downloaded").count()
    response = api_as(world.user(Role.DEFENSE_COUNSEL)).get(
        f"/api/v1/documents/{document.pk}/download/"
    )
    assert response.status_code == 404
    assert AuditEvent.objects.filter(kind="document.downloaded").count() == before


@pytest.mark.parametrize("path", ["history", "notes"])
def test_a_hand_made_cursor_is_refused_not_a_500(world: World, path: str) -> None:
    client = api_as(world.user(Role.JUDGE))
    cursor = base64.b64encode(b"p=abc").decode()
    if path == "history":
        response = client.get(reverse("case-history", args=[world.case.pk]), {"cursor": cursor})
    else:
        response = client.get("/api/v1/notes/", {"case": str(world.case.pk), "cursor": cursor})
    assert response.status_code in (400, 404)
    assert "cursor" in json.dumps(response.json()).lower()
