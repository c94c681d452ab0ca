"""Versions (ETag / If-Match) on every resource the API lets a client change, besides cases and
charges (tests/test_api_conventions.py): hearings, deadlines, draft offers, defendants, notes.

For each: the detail carries an ETag; a change sent with the current one succeeds and gives a
new one; a change sent with a stale one is a 412 naming the current version and changes
nothing; a change without If-Match still works; the schema says so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db.models import Model
from django.urls import reverse

from deadlines.models import Deadline, Hearing
from negotiations.models import Offer
from parties.models import Defendant, Role
from records import services as record_services
from records.models import Note, Visibility
from tests.api_date_helpers import NOW
from tests.conftest import World, api_as
from tests.deadline_helpers import clerk, hearing, manual_deadline
from tests.negotiation_helpers import draft_offer


@dataclass
class Updatable:
    """One resource: its detail URL, who may change it, two changes, and what they change."""

    obj: Model
    url: str
    by: User
    first: dict[str, Any]
    second: dict[str, Any]
    field: str


def _hearing(world: World) -> Updatable:
    row = hearing(world)
    url = reverse("hearing-detail", args=[row.pk])
    return Updatable(row, url, clerk(world), {"notes": "Interpreter"}, {"notes": "None"}, "notes")


def _deadline(world: World) -> Updatable:
    row = manual_deadline(world)
    url = reverse("deadline-detail", args=[row.pk])
    return Updatable(row, url, clerk(world), {"title": "Discovery"}, {"title": "Rule 16"}, "title")


def _offer(world: World) -> Updatable:
    row = draft_offer(world)
    url = reverse("offer-detail", args=[row.pk])
    prosecutor = world.user(Role.PROSECUTOR)
    first, second = {"custody_max_months": 10}, {"custody_max_months": 12}
    return Updatable(row, url, prosecutor, first, second, "custody_max_months")


def _defendant(world: World) -> Updatable:
    url = reverse("defendant-detail", args=[world.defendant.pk])
    prosecutor = world.user(Role.PROSECUTOR)
    first, second = {"preferred_language": "Spanish"}, {"preferred_language": "French"}
    return Updatable(world.defendant, url, prosecutor, first, second, "preferred_language")


def _note(world: World) -> Updatable:
    prosecutor = world.user(Role.PROSECUTOR)
    row = record_services.note_add(
        case=world.case, by=prosecutor, visibility=Visibility.PROSECUTION, body="Witness list."
    )
    url = reverse("note-detail", args=[row.pk])
    return Updatable(
        row, url, prosecutor, {"body": "Witnesses: 3"}, {"body": "Witnesses: 4"}, "body"
    )


RESOURCES: dict[str, Callable[[World], Updatable]] = {
    "hearing": _hearing,
    "deadline": _deadline,
    "offer": _offer,
    "defendant": _defendant,
    "note": _note,
}
MODELS: dict[str, type[Model]] = {
    "hearing": Hearing,
    "deadline": Deadline,
    "offer": Offer,
    "defendant": Defendant,
    "note": Note,
}


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    # Ticking: two writes must not share an updated_at (the version).
    with time_machine.travel(NOW):
        yield


def stored(kind: str, thing: Updatable) -> Any:
    return getattr(MODELS[kind]._default_manager.get(pk=thing.obj.pk), thing.field)


@pytest.mark.parametrize("kind", RESOURCES)
def test_the_detail_carries_a_strong_etag_that_holds_while_nothing_changes(
    world: World, kind: str
) -> None:
    thing = RESOURCES[kind](world)
    client = api_as(thing.by)

    first = client.get(thing.url)
    assert first.status_code == 200
    etag = first["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and len(etag) == 34
    assert client.get(thing.url)["ETag"] == etag


@pytest.mark.parametrize("kind", RESOURCES)
def test_a_change_with_the_current_version_succeeds_and_gives_a_new_one(
    world: World, kind: str
) -> None:
    thing = RESOURCES[kind](world)
    client = api_as(thing.by)
    etag = client.get(thing.url)["ETag"]

    changed = client.patch(thing.url, thing.first, format="json", HTTP_IF_MATCH=etag)

    assert changed.status_code == 200, changed.json()
    assert changed["ETag"] != etag
    assert changed["ETag"] == client.get(thing.url)["ETag"]
    assert stored(kind, thing) == thing.first[thing.field]


@pytest.mark.parametrize("kind", RESOURCES)
def test_a_change_with_a_stale_version_is_412_and_changes_nothing(world: World, kind: str) -> None:
    thing = RESOURCES[kind](world)
    client = api_as(thing.by)
    etag = client.get(thing.url)["ETag"]
    current = client.patch(thing.url, thing.first, format="json", HTTP_IF_MATCH=etag)["ETag"]

    stale = client.patch(thing.url, thing.second, format="json", HTTP_IF_MATCH=etag)

    assert stale.status_code == 412
    assert stale.json() == {
        "detail": "This was changed since you read it: read it again and apply your change "
        "to that.",
        "code": "precondition_failed",
        "etag": current,
    }
    assert stored(kind, thing) == thing.first[thing.field]


@pytest.mark.parametrize("kind", RESOURCES)
def test_a_change_without_if_match_still_works(world: World, kind: str) -> None:
    thing = RESOURCES[kind](world)
    response = api_as(thing.by).patch(thing.url, thing.second, format="json")
    assert response.status_code == 200, response.json()
    assert stored(kind, thing) == thing.second[thing.field]


def test_a_weak_tag_never_matches(world: World) -> None:
    thing = _hearing(world)
    client = api_as(thing.by)
    etag = client.get(thing.url)["ETag"]
    response = client.patch(thing.url, thing.first, format="json", HTTP_IF_MATCH=f"W/{etag}")
    assert response.status_code == 412


def test_a_version_is_no_way_around_permissions(world: World) -> None:
    """The precondition is checked after the permission: defense counsel gets 403 on a
    hearing (the court keeps the calendar), not 412."""
    thing = _hearing(world)
    response = api_as(world.user(Role.DEFENSE_COUNSEL)).patch(
        thing.url, thing.first, format="json", HTTP_IF_MATCH='"stale"'
    )
    assert response.status_code == 403


def test_a_defendant_version_follows_what_it_holds(world: World) -> None:
    """A defendant has no updated_at: its version changes with its fields, and comes back when
    they do."""
    thing = _defendant(world)
    client = api_as(thing.by)
    original = client.get(thing.url)["ETag"]
    client.patch(thing.url, {"preferred_language": "Spanish"}, format="json")
    assert client.get(thing.url)["ETag"] != original
    client.patch(thing.url, {"preferred_language": "English"}, format="json")
    assert client.get(thing.url)["ETag"] == original


SCHEMA_PATHS = {
    "hearing": ("/api/v1/hearings/{id}/", ["patch"]),
    "deadline": ("/api/v1/deadlines/{id}/", ["patch"]),
    "offer": ("/api/v1/offers/{id}/", ["patch", "put"]),
    "defendant": ("/api/v1/defendants/{id}/", ["patch"]),
    "note": ("/api/v1/notes/{id}/", ["patch"]),
}


@pytest.mark.parametrize("kind", SCHEMA_PATHS)
def test_the_schema_describes_etag_if_match_and_412(world: World, kind: str) -> None:
    schema = api_as(world.user(Role.PROSECUTOR)).get("/api/v1/schema/?format=json").json()
    path, methods = SCHEMA_PATHS[kind]
    operations = schema["paths"][path]
    assert "ETag" in operations["get"]["responses"]["200"]["headers"]
    for method in methods:
        operation = operations[method]
        assert "If-Match" in {p["name"] for p in operation["parameters"]}
        assert "etag" in str(operation["responses"]["412"])
        assert "ETag" in operation["responses"]["200"]["headers"]


# --- your own alert settings: versions of what you read (they may be the defaults) ------------

USER_SETTINGS = {
    "preference": (reverse("alert-preference-detail", args=["plea_hearing"]), "in_app"),
    "digest": (reverse("alert-settings"), "daily_digest"),
}


@pytest.mark.parametrize("kind", USER_SETTINGS)
def test_your_alert_settings_carry_a_version_and_refuse_a_stale_one(
    world: World, kind: str
) -> None:
    url, field = USER_SETTINGS[kind]
    client = api_as(world.user(Role.DEFENSE_COUNSEL))
    read = client.get(url)
    etag, value = read["ETag"], read.json()[field]
    assert client.get(url)["ETag"] == etag

    changed = client.patch(url, {field: not value}, format="json", HTTP_IF_MATCH=etag)
    assert changed.status_code == 200, changed.json()
    assert changed["ETag"] != etag
    stale = client.patch(url, {field: value}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert stale.json()["etag"] == changed["ETag"]
    assert client.get(url).json()[field] is (not value)
