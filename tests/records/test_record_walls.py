"""The ethical walls, channel by channel.

One note and one document behind each wall (prosecution only, defense only, shared, court
only), each carrying a word found nowhere else. For every role of the world, and a stranger of
every kind, every channel that could carry them is read: the notes and documents pages and
their search, the notes and documents API and its search, document downloads, the case history
page and API, both exports from both, the in-app notifications (inbox page and API) and e-mail.
A word appears in a channel if and only if the reader sits behind its wall; counts agree.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from deadlines import alerts
from parties.models import Role
from records import services
from records.models import Visibility
from tests.conftest import World
from tests.deadline_helpers import inbox_of

WALLS = [Visibility.PROSECUTION, Visibility.DEFENSE, Visibility.SHARED, Visibility.COURT]

# Who writes behind each wall, and who reads it (roles on the world's case).
AUTHOR: dict[str, str] = {
    Visibility.PROSECUTION: Role.PROSECUTOR,
    Visibility.DEFENSE: Role.DEFENSE_COUNSEL,
    Visibility.SHARED: Role.PROSECUTOR,
    Visibility.COURT: Role.JUDGE,
}
READERS: dict[str, set[str]] = {
    Visibility.PROSECUTION: {Role.PROSECUTOR},
    Visibility.DEFENSE: {Role.DEFENSE_COUNSEL, Role.DUTY_LAWYER, Role.DEFENDANT},
    Visibility.SHARED: {
        Role.PROSECUTOR,
        Role.DEFENSE_COUNSEL,
        Role.DUTY_LAWYER,
        Role.DEFENDANT,
        Role.JUDGE,
        Role.COURT_STAFF,
    },
    Visibility.COURT: {Role.JUDGE, Role.COURT_STAFF},
}
# The clerk sees the case through the court, without a participation: not notified.
PARTICIPANTS = {Role.PROSECUTOR, Role.DEFENSE_COUNSEL, Role.DUTY_LAWYER, Role.DEFENDANT, Role.JUDGE}

VIEWERS = [(role, False) for role in sorted(READERS[Visibility.SHARED])] + [
    (role, True) for role in sorted(READERS[Visibility.SHARED])
]


def note_word(wall: str) -> str:
    return f"notezz{wall}qq"


def doc_word(wall: str) -> str:
    return f"doczz{wall}qq"


def file_word(wall: str) -> str:
    return f"filezz{wall}qq"


@pytest.fixture
def record(world: World) -> dict[str, Any]:
    made: dict[str, Any] = {"notes": {}, "documents": {}}
    for wall in WALLS:
        author = world.user(AUTHOR[wall])
        made["notes"][wall] = services.note_add(
            case=world.case, by=author, visibility=wall, body=f"Private {note_word(wall)} here"
        )
        made["documents"][wall] = services.document_upload(
            case=world.case,
            by=author,
            upload=SimpleUploadedFile(
                f"{wall}.txt", f"Contents {file_word(wall)}\n".encode(), "text/plain"
            ),
            category="evidence",
            title=f"Exhibit {doc_word(wall)}",
            visibility=wall,
        )
    return made


def words(wall: str) -> list[str]:
    return [note_word(wall), doc_word(wall), file_word(wall)]


def _viewer(world: World, role: str, stranger: bool) -> Any:
    return world.strangers[Role(role)] if stranger else world.user(role)


def _allowed(role: str, stranger: bool, wall: str) -> bool:
    return not stranger and role in READERS[wall]


def _pages(client: Client, case_id: int) -> dict[str, str | None]:
    """Each page channel's text (None when the page is refused with 404)."""
    urls = {
        "notes page": reverse("records:notes", args=[case_id]),
        "documents page": reverse("records:documents", args=[case_id]),
        "discovery page": reverse("records:discovery", args=[case_id]),
        "history page": reverse("audit:history", args=[case_id]),
        "history CSV": reverse("audit:history-export-csv", args=[case_id]),
        "history JSONL": reverse("audit:history-export-jsonl", args=[case_id]),
        "case page": reverse("cases:detail", args=[case_id]),
        "inbox page": reverse("deadlines:notifications"),
    }
    texts: dict[str, str | None] = {}
    for name, url in urls.items():
        response = client.get(url)
        if response.status_code == 404:
            texts[name] = None
            continue
        assert response.status_code == 200, (name, response.status_code)
        body = (
            b"".join(response.streaming_content)  # type: ignore[attr-defined]
            if response.streaming
            else response.content
        )
        texts[name] = body.decode()
    return texts


def _api(client: APIClient, case_id: int) -> dict[str, str | None]:
    urls = {
        "notes API": f"/api/v1/notes/?case={case_id}",
        "documents API": f"/api/v1/documents/?case={case_id}",
        "disclosures API": f"/api/v1/disclosures/?case={case_id}",
        "history API": f"/api/v1/cases/{case_id}/history/?page_size=200",
        "history API CSV": f"/api/v1/cases/{case_id}/history/export/?as=csv",
        "history API JSONL": f"/api/v1/cases/{case_id}/history/export/?as=jsonl",
        "notifications API": "/api/v1/notifications/",
    }
    texts: dict[str, str | None] = {}
    for name, url in urls.items():
        response = client.get(url)
        if response.status_code == 404:
            texts[name] = None
            continue
        assert response.status_code == 200, (name, response.status_code)
        body = (
            b"".join(response.streaming_content)  # type: ignore[attr-defined]
            if getattr(response, "streaming", False)
            else response.content
        )
        texts[name] = body.decode()
    return texts


@pytest.mark.parametrize(("role", "stranger"), VIEWERS)
def test_nothing_crosses_a_wall(
    world: World, record: dict[str, Any], role: str, stranger: bool
) -> None:
    viewer = _viewer(world, role, stranger)
    case_id = world.case.pk
    client = Client()
    client.force_login(viewer)
    api = APIClient()
    api.force_authenticate(viewer)

    texts = {**_pages(client, case_id), **_api(api, case_id)}
    # Strangers are refused every case channel (404, as for a case that does not exist).
    case_channels = [name for name in texts if "inbox" not in name and "notifications" not in name]
    for name in case_channels:
        assert (texts[name] is None) == stranger, name

    for wall in WALLS:
        allowed = _allowed(role, stranger, wall)
        note, document = record["notes"][wall], record["documents"][wall]
        # Notes page and notes API list the note, and the history names its text.
        for name in ("notes page", "notes API", "history page", "history API"):
            if not stranger:
                assert (note_word(wall) in (texts[name] or "")) == allowed, (name, wall)
        for name in ("documents page", "documents API"):
            if not stranger:
                assert (doc_word(wall) in (texts[name] or "")) == allowed, (name, wall)
        # Exports carry what the history shows, and nothing more.
        for name in ("history CSV", "history JSONL", "history API CSV", "history API JSONL"):
            if not stranger:
                text = texts[name] or ""
                assert (note_word(wall) in text) == allowed, (name, wall)
                assert (doc_word(wall) in text) == allowed, (name, wall)
        # Pages and API that never carry a note, and a document only for its readers (the
        # prosecution picks what to disclose from its documents on the discovery page).
        for name in ("case page", "discovery page", "disclosures API"):
            assert note_word(wall) not in (texts[name] or ""), name
            if doc_word(wall) in (texts[name] or ""):
                assert allowed, (name, wall)

        # Search: pages and API find the word only for its readers.
        if not stranger:
            page_hit = client.get(
                reverse("records:notes", args=[case_id]), {"q": note_word(wall)}
            ).content.decode()
            assert (f"Private {note_word(wall)}" in page_hit) == allowed, ("note search", wall)
            api_hit = api.get("/api/v1/notes/", {"case": str(case_id), "q": note_word(wall)}).json()
            assert len(api_hit["results"]) == (1 if allowed else 0), ("note API search", wall)
            doc_hit = api.get(
                "/api/v1/documents/", {"case": str(case_id), "q": doc_word(wall)}
            ).json()
            assert len(doc_hit["results"]) == (1 if allowed else 0), ("document search", wall)
            doc_page = client.get(
                reverse("records:documents", args=[case_id]), {"q": doc_word(wall)}
            ).content.decode()
            # (The search box repeats the query: look for the title, not the word.)
            assert (f"Exhibit {doc_word(wall)}" in doc_page) == allowed, ("document search", wall)

        # Single objects: 404 outside the wall, as if they did not exist.
        expected = 200 if allowed else 404
        assert api.get(f"/api/v1/notes/{note.pk}/").status_code == expected
        assert api.get(f"/api/v1/documents/{document.pk}/").status_code == expected
        download = api.get(f"/api/v1/documents/{document.pk}/download/")
        assert download.status_code == expected
        if allowed:
            assert file_word(wall).encode() in b"".join(download.streaming_content)  # type: ignore[attr-defined]
        page_download = client.get(
            reverse("records:document-download", args=[case_id, document.pk])
        )
        assert page_download.status_code == expected
        if not stranger and note.author_id == viewer.pk:
            edit = client.get(reverse("records:note-edit", args=[case_id, note.pk]))
            assert edit.status_code == 200

        # Notifications: the participants behind the wall (but the author) are told; nobody
        # else is, on any channel; nothing about the record goes by e-mail.
        told = inbox_of(viewer)
        notified = any(
            note_word(wall) in f"{n.title} {n.body}" or doc_word(wall) in f"{n.title} {n.body}"
            for n in told
        )
        expect_told = allowed and role in PARTICIPANTS and AUTHOR[wall] != role
        assert notified == expect_told, ("notification", wall)
        for name in ("inbox page", "notifications API"):
            text = texts[name] or ""
            assert (note_word(wall) in text or doc_word(wall) in text) == expect_told, (
                name,
                wall,
            )

    # Counts: the notes page says how many notes this reader sees, and the API agrees.
    if not stranger:
        visible = sum(_allowed(role, stranger, wall) for wall in WALLS)
        assert re.search(rf"\b{visible} notes?\b", texts["notes page"] or ""), visible
        listed = json.loads(texts["notes API"] or "{}")["results"]
        assert len(listed) == visible
        documents = json.loads(texts["documents API"] or "{}")["results"]
        assert len(documents) == visible


def test_no_record_reaches_email(world: World, record: dict[str, Any]) -> None:
    """Record notifications are in-app only: the alert sweep sends nothing about them."""
    alerts.sweep()
    for message in mail.outbox:
        text = f"{message.subject} {message.body}"
        for wall in WALLS:
            for word in words(wall):
                assert word not in text
