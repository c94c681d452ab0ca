"""One-line text (titles, captions, names, docket numbers) is stored on one line, without
bidirectional controls, whichever way it comes in: API, page or docket sync (core.text).

"Exhibit 4\\u202efdp.exe" reads "Exhibit 4exe.pdf" on screen; a caption with a line break
breaks every list and e-mail subject it appears in.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import Case
from core.text import single_line
from deadlines.models import Deadline
from integrations.models import ApiToken
from parties.models import Defendant, Role
from records.models import Document
from tests.conftest import World, api_as
from tests.integration_helpers import bearer, court_client

RLO = "\u202e"


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("Exhibit 4\u202efdp.exe", "Exhibit 4fdp.exe"),
        ("United States\r\nv. Doe", "United States v. Doe"),
        ("\u2067Doe\u2069 \u200fet al.\u200e", "Doe et al."),
        ("Tab\there \x0b and\u2028there\x85", "Tab here and there"),
        ("  two  spaces  stay  ", "two  spaces  stay"),
        ("中文 العربية עברית", "中文 العربية עברית"),
    ],
)
def test_single_line(raw: str, stored: str) -> None:
    assert single_line(raw) == stored


def test_a_case_caption_and_docket_number_through_the_api(world: World) -> None:
    api = api_as(world.user(Role.PROSECUTOR))
    created = api.post(
        "/api/v1/cases/",
        {
            "court": world.court.pk,
            "docket_number": "1:26-cr-\u202e00042",
            "caption": "United States\nv. Lee",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert (created.json()["docket_number"], created.json()["caption"]) == (
        "1:26-cr-00042",
        "United States v. Lee",
    )
    # The same docket number once cleaned: the same case, refused as a duplicate (no 500).
    again = api.post(
        "/api/v1/cases/",
        {"court": world.court.pk, "docket_number": "1:26-cr-00042\r\n", "caption": "x"},
        format="json",
    )
    assert again.status_code == 400 and list(again.json()) == ["docket_number"]


def test_a_caption_of_controls_only_is_no_caption(world: World) -> None:
    response = api_as(world.user(Role.PROSECUTOR)).patch(
        f"/api/v1/cases/{world.case.pk}/", {"caption": f"{RLO}\n\u2066"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["caption"]


def test_a_case_caption_through_the_page(world: World, client: Any) -> None:
    client.force_login(world.user(Role.PROSECUTOR))
    response = client.post(
        f"/cases/{world.case.pk}/edit/", {"edit-caption": f"United States v.\r\n{RLO}Doe"}
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=world.case.pk).caption == "United States v. Doe"


def test_a_document_title_through_the_api(world: World) -> None:
    response = api_as(world.user(Role.PROSECUTOR)).post(
        "/api/v1/documents/",
        {
            "case": world.case.pk,
            "category": "evidence",
            "visibility": "prosecution",
            "title": f"Lab report\n{RLO}fdp.exe",
            "file": SimpleUploadedFile("lab.txt", b"Lab report", content_type="text/plain"),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert Document.objects.get(pk=response.json()["id"]).title == "Lab report fdp.exe"


def test_a_deadline_title_through_the_api(world: World) -> None:
    response = api_as(world.user(Role.COURT_STAFF)).post(
        "/api/v1/deadlines/",
        {
            "case": world.case.pk,
            "kind": "discovery_due",
            "title": f"Discovery{RLO}\ndue",
            "responsible_side": "prosecution",
            "due_date": "2026-12-18",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert Deadline.objects.get(pk=response.json()["id"]).title == "Discovery due"


def test_a_defendant_name_through_the_api(world: World) -> None:
    response = api_as(world.user(Role.PROSECUTOR)).post(
        "/api/v1/defendants/",
        {"first_name": f"{RLO}John", "last_name": "Roe\r\n", "date_of_birth": "1990-01-01"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    defendant = Defendant.objects.get(pk=response.json()["id"])
    assert (defendant.first_name, defendant.last_name) == ("John", "Roe")


def test_an_api_token_name(world: World) -> None:
    client, _key = court_client(world)
    response = api_as(world.user(Role.COURT_STAFF)).post(
        f"/api/v1/api-clients/{client.pk}/tokens/", {"name": f"server\t2{RLO}"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert ApiToken.objects.get(pk=response.json()["id"]).name == "server 2"


def test_a_caption_through_docket_sync(world: World) -> None:
    _client, key = court_client(world)
    response = bearer(key).post(
        "/api/v1/docket/sync/",
        {
            "court": world.court.pk,
            "records": [
                {
                    "type": "case",
                    "external_id": "CR-77",
                    "docket_number": "1:26-cr-00077",
                    "caption": f"United States v.\n{RLO}Poe",
                }
            ],
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert Case.objects.get(external_id="CR-77").caption == "United States v. Poe"
