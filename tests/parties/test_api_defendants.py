"""/api/v1/defendants/: who sees a defendant's details, who enters and corrects them."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from parties.models import CustodyStatus, Defendant, Role
from tests.api_helpers import (
    MISSING_ID,
    PERSONA_IDS,
    PERSONAS,
    cases_seen,
    counting_queries,
    ids,
    persona,
)
from tests.conftest import ROLES, World, api_as

# The courts the reader sits in (party_selectors.courts_listed_for: how the page is found),
# then the page of defendants.
DEFENDANT_LIST_QUERIES = 2

# Prosecutors and clerks enter defendants and correct their details; no one else does.
ENTERERS = [Role.PROSECUTOR, Role.COURT_STAFF]
NOT_ENTERERS = [role for role in ROLES if role not in ENTERERS]


def defendants_url(**params: Any) -> str:
    query = urlencode(params, doseq=True)
    return reverse("defendant-list") + (f"?{query}" if query else "")


def defendant_url(pk: object) -> str:
    return reverse("defendant-detail", args=[pk])


def defendant_rows() -> list[Any]:
    return list(Defendant.objects.values().order_by("pk"))


def new_defendant(**changes: Any) -> dict[str, Any]:
    return {
        "first_name": "Richard",
        "last_name": "Roe",
        "date_of_birth": "1988-04-02",
        "custody_status": "detained",
        "preferred_language": "Spanish",
        "interpreter_needed": True,
        "citizenship_status": "permanent_resident",
        **changes,
    }


# --- who sees a defendant ----------------------------------------------------------------


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_defendant_is_seen_by_everyone_on_their_case_and_no_one_else(
    world: World, who: str, role: str
) -> None:
    client = api_as(persona(world, who, role))
    on_the_case = world.case in cases_seen(world, who, role)

    listed = client.get(defendants_url())
    read = client.get(defendant_url(world.defendant.pk))
    missing = client.get(defendant_url(MISSING_ID))

    assert ids(listed) == ([world.defendant.pk] if on_the_case else [])
    if on_the_case:
        assert (read.status_code, read.json()["last_name"]) == (200, "Doe")
    else:
        assert (read.status_code, read.json()) == (404, missing.json())


def test_defendant_body_carries_what_counsel_must_advise_on(world: World) -> None:
    response = api_as(world.user(Role.DEFENSE_COUNSEL)).get(defendant_url(world.defendant.pk))

    assert set(response.json()) == {
        "id",
        "first_name",
        "last_name",
        "date_of_birth",
        "custody_status",
        "preferred_language",
        "interpreter_needed",
        "citizenship_status",
        "external_id",
        "created_at",
    }


@pytest.mark.parametrize("bad_id", ["abc", "1e3", "99999999999999999999"])
def test_defendant_ids_that_are_not_ids_answer_404_not_500(world: World, bad_id: str) -> None:
    client = api_as(world.user(Role.PROSECUTOR))
    missing = client.get(defendant_url(MISSING_ID)).json()

    answers = [
        client.get(defendant_url(bad_id)),
        client.patch(defendant_url(bad_id), {"last_name": "X"}, format="json"),
    ]

    assert [(r.status_code, r.json()) for r in answers] == [(404, missing)] * 2


# --- entering a defendant ----------------------------------------------------------------


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_who_may_enter_a_defendant(world: World, who: str, role: str) -> None:
    before = defendant_rows()

    response = api_as(persona(world, who, role)).post(
        defendants_url(), new_defendant(), format="json"
    )

    if role in ENTERERS:
        assert response.status_code == 201
        assert Defendant.objects.get(pk=response.json()["id"]).created_by == persona(
            world, who, role
        )
    else:
        assert response.status_code == 403
        assert defendant_rows() == before


def test_defendant_on_no_case_is_seen_only_by_whoever_entered_them(world: World) -> None:
    response = api_as(world.user(Role.PROSECUTOR)).post(
        defendants_url(), new_defendant(), format="json"
    )
    new_id = response.json()["id"]

    seen_by = {
        role: api_as(world.user(role)).get(defendant_url(new_id)).status_code for role in ROLES
    }

    assert seen_by == {role: 200 if role == Role.PROSECUTOR else 404 for role in ROLES}


def test_entered_defendant_takes_the_defaults(world: World) -> None:
    response = api_as(world.user(Role.COURT_STAFF)).post(
        defendants_url(), {"first_name": "Li", "last_name": "Wei"}, format="json"
    )

    body = response.json()
    assert (body["custody_status"], body["citizenship_status"], body["interpreter_needed"]) == (
        "released",
        "unknown",
        False,
    )
    assert (body["date_of_birth"], body["preferred_language"]) == (None, "English")


# Changes to a good request and the fields the 400 must name; None leaves a field out.
BAD_DEFENDANTS: dict[str, tuple[dict[str, Any], set[str]]] = {
    "no names": ({"first_name": None, "last_name": None}, {"first_name", "last_name"}),
    "blank last name": ({"last_name": "  "}, {"last_name"}),
    "name too long": ({"first_name": "A" * 101}, {"first_name"}),
    "malformed date of birth": ({"date_of_birth": "2 April 1988"}, {"date_of_birth"}),
    "unknown custody status": ({"custody_status": "on bail"}, {"custody_status"}),
    "unknown citizenship status": ({"citizenship_status": "alien"}, {"citizenship_status"}),
    "interpreter need that is not a boolean": (
        {"interpreter_needed": "perhaps"},
        {"interpreter_needed"},
    ),
}


@pytest.mark.parametrize("label", BAD_DEFENDANTS)
def test_defendant_with_bad_input_is_refused_field_by_field(world: World, label: str) -> None:
    changes, fields = BAD_DEFENDANTS[label]
    payload = {k: v for k, v in new_defendant(**changes).items() if v is not None}
    before = defendant_rows()

    response = api_as(world.user(Role.PROSECUTOR)).post(defendants_url(), payload, format="json")

    assert response.status_code == 400
    assert set(response.json()) == fields
    assert defendant_rows() == before


# --- correcting a defendant's details ----------------------------------------------------


@pytest.mark.parametrize("role", ENTERERS)
def test_prosecution_and_clerk_may_record_that_the_defendant_is_detained(
    world: World, role: str
) -> None:
    response = api_as(world.user(role)).patch(
        defendant_url(world.defendant.pk),
        {"custody_status": "detained", "interpreter_needed": True},
        format="json",
    )

    assert response.status_code == 200
    world.defendant.refresh_from_db()
    assert (world.defendant.custody_status, world.defendant.interpreter_needed) == (
        CustodyStatus.DETAINED,
        True,
    )
    assert (world.defendant.first_name, world.defendant.last_name) == ("Jane", "Doe")


@pytest.mark.parametrize("role", NOT_ENTERERS)
def test_others_on_the_case_may_not_correct_the_defendants_details(world: World, role: str) -> None:
    before = defendant_rows()

    response = api_as(world.user(role)).patch(
        defendant_url(world.defendant.pk), {"custody_status": "detained"}, format="json"
    )

    assert response.status_code == 403
    assert defendant_rows() == before


@pytest.mark.parametrize("role", ROLES)
def test_stranger_correcting_a_defendant_they_may_not_see_gets_404(world: World, role: str) -> None:
    client = api_as(world.strangers[Role(role)])
    missing = client.patch(defendant_url(MISSING_ID), {"last_name": "X"}, format="json")
    before = defendant_rows()

    response = client.patch(defendant_url(world.defendant.pk), {"last_name": "X"}, format="json")

    assert (response.status_code, response.json()) == (404, missing.json())
    assert defendant_rows() == before


@pytest.mark.parametrize(
    "label", ["blank last name", "unknown custody status", "malformed date of birth"]
)
def test_correction_with_bad_input_is_refused(world: World, label: str) -> None:
    changes, fields = BAD_DEFENDANTS[label]
    before = defendant_rows()

    response = api_as(world.user(Role.PROSECUTOR)).patch(
        defendant_url(world.defendant.pk), changes, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()) == fields
    assert defendant_rows() == before


# --- filters and the query count ---------------------------------------------------------


def test_defendants_filtered_by_custody_and_interpreter_need(world: World) -> None:
    prosecutor = world.user(Role.PROSECUTOR)
    detained = Defendant.objects.create(
        first_name="Al",
        last_name="Detained",
        custody_status=CustodyStatus.DETAINED,
        interpreter_needed=True,
        created_by=prosecutor,
    )
    client = api_as(prosecutor)

    assert ids(client.get(defendants_url(custody_status="detained"))) == [detained.pk]
    assert ids(client.get(defendants_url(interpreter_needed="true"))) == [detained.pk]
    assert ids(client.get(defendants_url(custody_status="released"))) == [world.defendant.pk]


def test_defendant_list_query_count_is_the_same_for_one_and_fifty(world: World) -> None:
    prosecutor = world.user(Role.PROSECUTOR)
    client = api_as(prosecutor)
    one, queries_for_one = counting_queries(lambda: client.get(defendants_url()))

    Defendant.objects.bulk_create(
        Defendant(first_name="Bulk", last_name=f"Defendant {i}", created_by=prosecutor)
        for i in range(49)
    )
    fifty, queries_for_fifty = counting_queries(lambda: client.get(defendants_url()))

    assert (len(ids(one)), len(ids(fifty))) == (1, 50)
    assert queries_for_one == queries_for_fifty == DEFENDANT_LIST_QUERIES
