"""What a reader cannot open is not named, linked or counted in their history (issue 14).

Views of a sealed case are recorded for the court's eyes (who, when, which part of the case).
The request's path is not kept: `/cases/5/notes/17/edit/` would name a note behind the defense's
wall, and tell the court when the defense opened it. Rows recorded before that hold the path;
no reader is shown it, on the history page, the API or either export.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import Audience, AuditEvent
from cases.models import Case
from parties.models import Role
from records import services as record_services
from records.models import Visibility
from tests.conftest import World


def _texts(user: Any, case: Case) -> dict[str, str]:
    page = Client()
    page.force_login(user)
    api = APIClient()
    api.force_authenticate(user)
    responses = {
        "page": page.get(reverse("audit:history", args=[case.pk])),
        "page CSV": page.get(reverse("audit:history-export-csv", args=[case.pk])),
        "page JSONL": page.get(reverse("audit:history-export-jsonl", args=[case.pk])),
        "API": api.get(f"/api/v1/cases/{case.pk}/history/", {"page_size": 200}),
        "API CSV": api.get(f"/api/v1/cases/{case.pk}/history/export/", {"as": "csv"}),
        "API JSONL": api.get(f"/api/v1/cases/{case.pk}/history/export/", {"as": "jsonl"}),
    }
    texts = {}
    for name, response in responses.items():
        assert response.status_code == 200, name
        body = (
            b"".join(response.streaming_content)  # type: ignore[attr-defined]
            if getattr(response, "streaming", False)
            else response.content  # type: ignore[attr-defined]
        )
        texts[name] = body.decode()
    return texts


@pytest.fixture
def sealed(world: World) -> Case:
    Case.objects.filter(pk=world.case.pk).update(sealed=True)
    return Case.objects.get(pk=world.case.pk)


def test_the_defense_opening_its_own_note_is_logged_without_naming_it(
    world: World, sealed: Case
) -> None:
    defense = world.user(Role.DEFENSE_COUNSEL)
    note = record_services.note_add(
        case=sealed, by=defense, visibility=Visibility.DEFENSE, body="Alibi witness: cousin."
    )
    client = Client()
    client.force_login(defense)
    edit = reverse("records:note-edit", args=[sealed.pk, note.pk])
    assert client.get(edit).status_code == 200

    logged = AuditEvent.objects.filter(case_id=sealed.pk, kind="case.sealed_viewed").latest("id")
    assert logged.audience == Audience.COURT
    assert logged.data == {"seen": "record: notes"}
    for role in (Role.JUDGE, Role.COURT_STAFF):
        for name, text in _texts(world.user(role), sealed).items():
            assert edit not in text, (role, name)
            assert f"/notes/{note.pk}/" not in text, (role, name)


def test_paths_kept_by_older_rows_are_shown_to_nobody(world: World, sealed: Case) -> None:
    note = record_services.note_add(
        case=sealed,
        by=world.user(Role.PROSECUTOR),
        visibility=Visibility.PROSECUTION,
        body="Informant's name.",
    )
    path = f"/cases/{sealed.pk}/notes/{note.pk}/edit/"
    AuditEvent.objects.create(
        kind="case.sealed_viewed",
        case_id=sealed.pk,
        audience=Audience.COURT,
        actor_id=world.user(Role.PROSECUTOR).pk,
        actor_name="prosecutor",
        via="web",
        data={"method": "GET", "path": path, "seen": "record: notes"},
    )

    for role in (Role.JUDGE, Role.COURT_STAFF):
        texts = _texts(world.user(role), sealed)
        for name, text in texts.items():
            assert path not in text, (role, name)
        # The view itself is still in the court's log.
        assert "record: notes" in texts["API"]
