"""Moments through the API: a time must say its offset (docs/api.md, "Times").

A time without one could be any of several moments; DRF would read it as UTC, so a New York
clerk's 02:30 on the night clocks go forward (a time that never happens there) was taken as
02:30 UTC. Every serializer that reads a moment uses core.api.fields.AwareDateTimeField, and
every moment filter refuses a naive time the same way.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from rest_framework import serializers

from core.api.fields import AwareDateTimeField
from deadlines.models import Courtroom, Hearing
from docketsync.services import docket_upsert
from parties.models import Role
from tests.conftest import World, api_as
from tests.deadline_helpers import courtroom
from tests.integration_helpers import court_client

NAIVE = (
    "Give the time with its offset from UTC, e.g. 2026-03-08T09:30:00-05:00 or "
    "2026-03-08T14:30:00Z: a time without one could be any of several moments."
)
NOW = dt.datetime(2026, 2, 2, 15, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def _hearing(world: World, starts_at: str, ends_at: str) -> Any:
    room = Courtroom.objects.create(court=world.court, name="4B")
    return api_as(world.user(Role.COURT_STAFF)).post(
        "/api/v1/hearings/",
        {
            "case": world.case.pk,
            "kind": "arraignment",
            "starts_at": starts_at,
            "ends_at": ends_at,
            "courtroom": room.pk,
        },
        format="json",
    )


def test_a_hearing_at_a_time_in_the_dst_gap_without_an_offset_is_refused(world: World) -> None:
    # 2026-03-08 02:30 never happens in New York: clocks go from 02:00 EST to 03:00 EDT.
    response = _hearing(world, "2026-03-08T02:30:00", "2026-03-08T03:30:00")
    assert response.status_code == 400
    assert response.json() == {"starts_at": [NAIVE], "ends_at": [NAIVE]}


def test_a_hearing_with_offsets_is_scheduled_at_that_moment(world: World) -> None:
    response = _hearing(world, "2026-03-09T09:30:00-04:00", "2026-03-09T10:00:00-04:00")
    assert response.status_code == 201, response.json()
    assert response.json()["starts_at"] == "2026-03-09T13:30:00Z"


def test_a_date_alone_is_not_a_moment(world: World) -> None:
    response = _hearing(world, "2026-03-09", "2026-03-09T10:00:00Z")
    assert response.status_code == 400
    assert response.json() == {"starts_at": [NAIVE]}


def test_an_offer_expiry_without_an_offset_is_refused(world: World) -> None:
    response = api_as(world.user(Role.PROSECUTOR)).post(
        "/api/v1/offers/",
        {"case": world.case.pk, "expires_at": "2026-03-01T17:00:00"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"expires_at": [NAIVE]}


def test_a_token_expiry_without_an_offset_is_refused(world: World) -> None:
    client, _key = court_client(world)
    response = api_as(world.user(Role.COURT_STAFF)).post(
        f"/api/v1/api-clients/{client.pk}/tokens/",
        {"name": "server 2", "expires_at": "2026-12-31T00:00:00"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"expires_at": [NAIVE]}


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/api/v1/cases/", "updated_at__gte"),
        ("/api/v1/hearings/", "starts_at__gte"),
        ("/api/v1/offers/", "updated_at__gte"),
    ],
)
def test_a_moment_filter_without_an_offset_is_refused(world: World, path: str, name: str) -> None:
    api = api_as(world.user(Role.PROSECUTOR))
    assert api.get(path, {name: "2026-03-01T09:00:00Z"}).status_code == 200
    response = api.get(path, {name: "2026-03-01T09:00:00"})
    assert response.status_code == 400
    assert response.json() == {name: [NAIVE]}


def _serializer_classes() -> Iterator[type[Any]]:
    """Every serializer of the project's own apps (their api.serializers imported first)."""
    for config in apps.get_app_configs():
        if (
            config.path.startswith(str(settings.BASE_DIR))
            and (Path(config.path) / "api" / "serializers.py").exists()
        ):
            importlib.import_module(f"{config.name}.api.serializers")
    seen: set[type[Any]] = set()
    stack: list[type[Any]] = [serializers.Serializer]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                stack.append(sub)
                if not sub.__module__.startswith(("rest_framework", "drf_spectacular")):
                    yield sub


def _writable_moments(field: Any, path: str) -> Iterator[tuple[str, Any]]:
    if getattr(field, "read_only", False):
        return
    if isinstance(field, serializers.DateTimeField):
        yield path, field
    child = getattr(field, "child", None)
    if child is not None:
        yield from _writable_moments(child, f"{path}[]")
    if isinstance(field, serializers.Serializer):
        for name, sub in field.fields.items():
            yield from _writable_moments(sub, f"{path}.{name}")


def _read_moments(schema: dict[str, Any]) -> set[str]:
    """The serializers (by class name) whose request bodies carry a date-time, per the schema."""
    names = set()
    for name, component in schema["components"]["schemas"].items():
        if not name.endswith("Request"):
            continue
        properties = component.get("properties", {}).values()
        if any(p.get("format") == "date-time" for p in properties):
            names.add(name.removesuffix("Request").removeprefix("Patched") + "Serializer")
    return names


# Docket sync reads a time without an offset as the court's wall time (docs/docket-sync.md);
# its serializers only describe the records, which docketsync.records parses.
OWN_RULE = {"HearingRecordSerializer"}


def test_every_moment_a_serializer_reads_must_say_its_offset(world: World) -> None:
    schema = api_as(world.user(Role.COURT_STAFF)).get("/api/v1/schema/?format=json").json()
    readers = _read_moments(schema) - OWN_RULE
    assert {"HearingCreateSerializer", "OfferCreateSerializer"} <= readers, readers
    found, plain = set(), []
    for cls in _serializer_classes():
        if cls.__name__ not in readers:
            continue
        found.add(cls.__name__)
        try:
            fields = cls().fields
        except Exception:  # one that needs its context: its declared fields
            fields = cls._declared_fields
        for name, field in fields.items():
            for path, moment in _writable_moments(field, f"{cls.__module__}.{cls.__name__}.{name}"):
                if not isinstance(moment, AwareDateTimeField):
                    plain.append(path)
    assert found == readers
    assert plain == []


# --- docket sync: wall times in the court's zone, never one the clocks skip ----------------------


def _sync_hearing(world: World, starts_at: str, ends_at: str) -> Any:
    courtroom(world, "Courtroom 4B")
    world.case.external_id = "CR-1"
    world.case.save(update_fields=["external_id"])
    (result,) = docket_upsert(
        court=world.court,
        by=world.user(Role.COURT_STAFF),
        records=[
            {
                "type": "hearing",
                "external_id": "H-1",
                "case_external_id": "CR-1",
                "kind": "arraignment",
                "starts_at": starts_at,
                "ends_at": ends_at,
                "courtroom": "Courtroom 4B",
            }
        ],
    )
    return result


def test_docket_sync_refuses_a_wall_time_the_clocks_skip(world: World) -> None:
    result = _sync_hearing(world, "2026-03-08T02:30", "2026-03-08T03:30")
    assert result.result == "error"
    assert result.errors == {
        "starts_at": [
            "2026-03-08 02:30 does not exist in America/New_York (the clocks skip it); give the "
            "time with its offset."
        ]
    }


def test_docket_sync_reads_a_wall_time_in_the_courts_zone(world: World) -> None:
    result = _sync_hearing(world, "2026-03-09T09:30", "2026-03-09T10:00")
    assert result.result == "created", result.errors
    assert Hearing.objects.get(pk=result.id).starts_at == dt.datetime(
        2026, 3, 9, 13, 30, tzinfo=dt.UTC
    )
