"""The court staff pages of docket sync: upload, preview (a dry run), apply, results; for every
role of the world, and what a bad file shows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cases.models import Case, Charge
from deadlines.models import Hearing
from docketsync.models import DocketSyncJob
from docketsync.services import MAX_JOB
from parties.models import Role
from tests.conftest import ROLES, World
from tests.deadline_helpers import courtroom, ensure_seeded_rules

NOW = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)

CSV = (
    "type,external_id,case_external_id,docket_number,caption,opened_on,statute,count,"
    "kind,starts_at,ends_at,courtroom\r\n"
    "case,CR-1,,1:26-cr-00101,United States v. Alvarez,2026-11-02,,,,,,\r\n"
    'charge,C-1,CR-1,,,,"21 U.S.C. 841(a)(1)",1,,,,\r\n'
    "hearing,H-1,CR-1,,,,,,arraignment,2026-12-15 09:30,2026-12-15 10:00,Courtroom 4B\r\n"
    "hearing,H-2,CR-1,,,,,,arraignment,2026-12-15 11:00,2026-12-15 11:30,Courtroom 99\r\n"
)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def clerk(world: World) -> Any:
    ensure_seeded_rules()
    courtroom(world, "Courtroom 4B")
    return world.user(Role.COURT_STAFF)


def browser_as(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(client: Client, world: World, content: str | bytes = CSV, name: str = "d.csv") -> Any:
    data = content.encode() if isinstance(content, str) else content
    return client.post(
        reverse("docketsync:sync", args=[world.court.pk]),
        {"file": SimpleUploadedFile(name, data, content_type="text/csv")},
    )


def token_of(response: Any) -> str:
    return str(response.context["apply_form"].initial["token"])


def test_court_staff_see_the_upload_form(world: World, clerk: Any) -> None:
    response = browser_as(clerk).get(reverse("docketsync:sync", args=[world.court.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert '<label for="id_file">Docket file (CSV)</label>' in page
    assert 'enctype="multipart/form-data"' in page
    assert reverse("docketsync:template", args=[world.court.pk]) in page


@pytest.mark.parametrize("role", [r for r in ROLES if r != Role.COURT_STAFF])
def test_other_roles_are_refused(world: World, clerk: Any, role: Role) -> None:
    client = browser_as(world.user(role))

    assert client.get(reverse("docketsync:sync", args=[world.court.pk])).status_code == 403
    assert upload(client, world).status_code == 403
    apply = reverse("docketsync:apply", args=[world.court.pk])
    assert client.post(apply, {"token": "x"}).status_code == 403
    template = reverse("docketsync:template", args=[world.court.pk])
    assert client.get(template).status_code == 403
    assert not Case.objects.filter(external_id="CR-1").exists()


@pytest.mark.parametrize("role", ROLES)
def test_strangers_are_refused(world: World, clerk: Any, role: Role) -> None:
    client = browser_as(world.strangers[role])

    assert client.get(reverse("docketsync:sync", args=[world.court.pk])).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(world: World) -> None:
    response = Client().get(reverse("docketsync:sync", args=[world.court.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_unknown_court_is_404(world: World, clerk: Any) -> None:
    response = browser_as(clerk).get(reverse("docketsync:sync", args=[999999]))

    assert response.status_code == 404


def test_an_upload_shows_the_dry_run_and_writes_nothing(world: World, clerk: Any) -> None:
    cases, hearings = Case.objects.count(), Hearing.objects.count()

    response = upload(browser_as(clerk), world)

    assert response.status_code == 200
    assert (Case.objects.count(), Hearing.objects.count()) == (cases, hearings)
    assert response.context["summary"] == {"created": 3, "updated": 0, "unchanged": 0, "error": 1}
    rows = response.context["rows"]
    assert [(row["line"], row["result"].result) for row in rows] == [
        (2, "created"),
        (3, "created"),
        (4, "created"),
        (5, "error"),
    ]
    page = response.content.decode()
    assert "dry run: nothing has been written yet" in page
    assert "Apply 3 changes" in page
    assert "has no courtroom “Courtroom 99”" in page


def test_applying_the_preview_imports_it_once(world: World, clerk: Any) -> None:
    client = browser_as(clerk)
    preview = upload(client, world)
    apply = reverse("docketsync:apply", args=[world.court.pk])

    response = client.post(apply, {"token": token_of(preview)})

    assert response.status_code == 200
    assert response.context["summary"] == {"created": 3, "updated": 0, "unchanged": 0, "error": 1}
    assert "Imported from d.csv" in response.content.decode()
    case = Case.objects.get(external_id="CR-1")
    assert Charge.objects.get(case=case).external_id == "C-1"
    assert Hearing.objects.get(case=case).starts_at == dt.datetime(
        2026, 12, 15, 14, 30, tzinfo=dt.UTC
    )
    again = client.post(apply, {"token": token_of(preview)})
    assert again.status_code == 409
    assert "already been applied" in again.content.decode()
    assert Case.objects.filter(external_id="CR-1").count() == 1


def test_a_second_upload_of_the_same_file_is_all_unchanged(world: World, clerk: Any) -> None:
    client = browser_as(clerk)
    apply = reverse("docketsync:apply", args=[world.court.pk])
    client.post(apply, {"token": token_of(upload(client, world))})

    response = upload(client, world)

    assert response.context["summary"] == {"created": 0, "updated": 0, "unchanged": 3, "error": 1}
    assert "Nothing to apply" in response.content.decode()


def test_a_token_from_another_preview_is_refused(world: World, clerk: Any) -> None:
    client = browser_as(clerk)
    first = upload(client, world)
    upload(client, world)

    response = client.post(
        reverse("docketsync:apply", args=[world.court.pk]), {"token": token_of(first)}
    )

    assert response.status_code == 409
    assert not Case.objects.filter(external_id="CR-1").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The submitted file is empty."),
        (b" \r\n", "The file is empty."),
        (b"type,external_id,colour\r\ncase,CR-1,red\r\n", "Unknown column “colour”"),
        ("type,external_id\r\ncase,Caf\xe9\r\n".encode("latin-1"), "Line 2 is not UTF-8 text"),
        (b"type,external_id\r\n", "The file has a header but no records."),
    ],
)
def test_a_bad_file_is_shown_next_to_the_field(
    world: World, clerk: Any, content: bytes, message: str
) -> None:
    response = upload(browser_as(clerk), world, content)

    assert response.status_code == 400
    page = response.content.decode()
    assert 'class="field-error" id="id_file_error"' in page
    assert message in page


def test_a_file_of_more_records_than_a_job_takes_is_for_the_command(
    world: World, clerk: Any
) -> None:
    rows = "".join(f"case,CR-{n}\r\n" for n in range(MAX_JOB + 1))

    response = upload(browser_as(clerk), world, "type,external_id\r\n" + rows)

    assert response.status_code == 400
    assert "The file has more than 20,000 records" in response.content.decode()
    assert not DocketSyncJob.objects.exists()


def test_the_template_lists_every_column(world: World, clerk: Any) -> None:
    response = browser_as(clerk).get(reverse("docketsync:template", args=[world.court.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.decode().startswith("type,external_id,case_external_id,")
