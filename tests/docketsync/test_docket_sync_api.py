"""POST /api/v1/docket/sync/: for every role of the world, the envelope's 400s, the 404 for an
unknown court, a docket system's API client, and the OpenAPI description."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import AuditEvent
from cases.models import Case
from parties.models import Role
from tests.conftest import ROLES, World, api_as
from tests.deadline_helpers import courtroom, ensure_seeded_rules
from tests.docketsync.test_docket_sync import case_record, full_batch
from tests.integration_helpers import bearer, court_client

NOW = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)
URL = "/api/v1/docket/sync/"
# For tests/test_api_auth.py's list of every path in the schema.
DOCKET_SYNC_PATHS = {URL, "/api/v1/docket/jobs/", "/api/v1/docket/jobs/{id}/"}


@pytest.fixture(autouse=True)
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def clerk(world: World) -> Any:
    ensure_seeded_rules()
    courtroom(world, "Courtroom 4B")
    return world.user(Role.COURT_STAFF)


def post(api: APIClient, body: dict[str, Any]) -> Any:
    return api.post(URL, body, format="json")


def test_the_url_is_named() -> None:
    assert reverse("docket-sync") == URL


def test_court_staff_sync_a_batch(world: World, clerk: Any) -> None:
    response = post(
        api_as(clerk), {"court": world.court.pk, "records": [*full_batch(), {"type": "x"}]}
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["dry_run"] is False
    assert body["summary"] == {"created": 5, "updated": 0, "unchanged": 0, "error": 1}
    assert body["results"][0] == {
        "index": 0,
        "type": "case",
        "external_id": "CR-1",
        "result": "created",
        "id": Case.objects.get(external_id="CR-1").pk,
        "changed": [],
        "errors": {},
    }
    assert body["results"][5] == {
        "index": 5,
        "type": "x",
        "external_id": None,
        "result": "error",
        "id": None,
        "changed": [],
        "errors": {"type": ["Choose one of: case, charge, party, hearing."]},
    }


def test_the_audit_trail_names_the_clerk_and_the_api(world: World, clerk: Any) -> None:
    api = APIClient()
    api.force_login(clerk)

    post(api, {"court": world.court.pk, "records": [case_record()]})

    case = Case.objects.get(external_id="CR-1")
    row = AuditEvent.objects.filter(case_id=case.pk, table_name="cases_case").first()
    assert row is not None
    assert (row.actor_id, row.via) == (clerk.pk, "api")


def test_a_dry_run_is_marked_and_writes_nothing(world: World, clerk: Any) -> None:
    cases = Case.objects.count()

    response = post(
        api_as(clerk), {"court": world.court.pk, "dry_run": True, "records": full_batch()}
    )

    assert response.status_code == 200
    assert response.json()["dry_run"] is True
    assert response.json()["summary"]["created"] == 5
    assert {r["id"] for r in response.json()["results"]} == {None}
    assert Case.objects.count() == cases


def test_the_same_batch_again_is_all_unchanged(world: World, clerk: Any) -> None:
    body = {"court": world.court.pk, "records": full_batch()}
    post(api_as(clerk), body)

    again = post(api_as(clerk), body)

    assert again.json()["summary"] == {"created": 0, "updated": 0, "unchanged": 5, "error": 0}


@pytest.mark.parametrize("role", [r for r in ROLES if r != Role.COURT_STAFF])
def test_other_roles_of_the_court_are_refused(world: World, clerk: Any, role: Role) -> None:
    response = post(api_as(world.user(role)), {"court": world.court.pk, "records": [case_record()]})

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Only the court's staff import its docket.",
        "code": "permission_denied",
    }
    assert not Case.objects.filter(external_id="CR-1").exists()


@pytest.mark.parametrize("role", ROLES)
def test_strangers_are_refused(world: World, clerk: Any, role: Role) -> None:
    """Including the other court's clerk: court staff sync only their own court."""
    response = post(
        api_as(world.strangers[role]), {"court": world.court.pk, "records": [case_record()]}
    )

    assert response.status_code == 403


def test_the_other_courts_clerk_syncs_that_court(world: World, clerk: Any) -> None:
    response = post(
        api_as(world.strangers[Role.COURT_STAFF]),
        {"court": world.other_court.pk, "records": [case_record()]},
    )

    assert response.json()["summary"]["created"] == 1
    assert Case.objects.get(external_id="CR-1").court == world.other_court


def test_anonymous_requests_are_unauthenticated(world: World) -> None:
    response = post(APIClient(), {"court": world.court.pk, "records": []})

    assert response.status_code == 401


def test_an_unknown_court_is_404(world: World, clerk: Any) -> None:
    response = post(api_as(clerk), {"court": 999999, "records": [case_record()]})

    assert response.status_code == 404
    assert response.json()["detail"] == "Not found."


def test_a_malformed_envelope_gets_messages_per_field(world: World, clerk: Any) -> None:
    response = post(api_as(clerk), {"court": "district", "dry_run": "maybe", "records": {}})

    assert response.status_code == 400
    assert set(response.json()) == {"court", "dry_run", "records"}


def test_a_missing_envelope_field_is_400(world: World, clerk: Any) -> None:
    response = post(api_as(clerk), {"records": []})

    assert response.status_code == 400
    assert response.json() == {"court": ["This field is required."]}


def test_more_than_a_thousand_records_are_refused_as_a_whole(world: World, clerk: Any) -> None:
    records = [case_record(f"CR-{n}") for n in range(1001)]

    response = post(api_as(clerk), {"court": world.court.pk, "records": records})

    assert response.status_code == 400
    assert response.json() == {"records": ["Send at most 1,000 records in a batch."]}
    assert not Case.objects.filter(external_id="CR-0").exists()


def test_an_api_client_of_the_court_syncs_with_its_token(world: World, clerk: Any) -> None:
    client, key = court_client(world)

    response = post(bearer(key), {"court": world.court.pk, "records": full_batch()})

    assert response.status_code == 200, response.json()
    assert response.json()["summary"]["created"] == 5
    assert Case.objects.get(external_id="CR-1").created_by == client.account


def test_an_api_client_may_not_sync_another_court(world: World, clerk: Any) -> None:
    _client, key = court_client(world)

    response = post(bearer(key), {"court": world.other_court.pk, "records": [case_record()]})

    assert response.status_code == 403


def test_the_schema_describes_the_endpoint_with_examples(world: World) -> None:
    schema = api_as(world.user(Role.COURT_STAFF)).get(
        "/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
    )

    assert schema.status_code == 200
    operation = schema.json()["paths"][URL]["post"]
    assert set(operation["responses"]) >= {"200", "400", "403", "404"}
    assert "examples" in operation["requestBody"]["content"]["application/json"]
    record = schema.json()["components"]["schemas"]["DocketRecordRequest"]
    assert record["discriminator"]["propertyName"] == "type"
