"""GET /api/v1/cases/{id}/eligible-people/?role=&q=: whom an API client may name as `user` in
POST /participants/ for a case, found by name: only people who may take that role in the
case's court (cases.party_selectors.people_who_may_take_part), at most FOUND_AT_MOST, for those who
add participants in that role on the case."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import services as case_services
from cases.party_selectors import FOUND_AT_MOST
from parties.models import Organization, OrganizationKind, Role
from tests import factories
from tests.conftest import ROLES, World, api_as, make_user

PERSON_ROLES = [role for role in Role if role != Role.DEFENDANT]
# Who adds participants in which roles (cases.permissions.PARTICIPANT_ROLE_MANAGERS).
MANAGED: dict[Role, set[Role]] = {
    Role.PROSECUTOR: {Role.PROSECUTOR, Role.DEFENDANT},
    Role.COURT_STAFF: set(Role),
}


def person(username: str, role: str, org: Organization | None, first: str, last: str) -> User:
    user = make_user(username, role, org)
    user.first_name, user.last_name = first, last
    user.save(update_fields=["first_name", "last_name"])
    return user


def url(world: World) -> str:
    return f"/api/v1/cases/{world.case.pk}/eligible-people/"


@pytest.fixture
def newcomers(world: World) -> dict[Role, User]:
    org = {
        Role.PROSECUTOR: world.orgs["da"],
        Role.DEFENSE_COUNSEL: world.orgs["pd"],
        Role.DUTY_LAWYER: world.orgs["aid"],
        Role.JUDGE: world.orgs["court"],
        Role.COURT_STAFF: world.orgs["court"],
    }
    people: dict[Role, User] = {
        role: person(f"new_{role}", role, org[role], "Nia", "Newman") for role in PERSON_ROLES
    }
    for role in (Role.JUDGE, Role.COURT_STAFF):
        case_services.court_member_add(court=world.court, user=people[role])
    return people


@pytest.mark.parametrize("manager", sorted(MANAGED))
@pytest.mark.parametrize("role", PERSON_ROLES)
def test_the_people_who_may_take_the_role_are_listed_to_those_who_add_it(
    world: World, newcomers: dict[Role, User], manager: Role, role: Role
) -> None:
    response = api_as(world.user(manager)).get(url(world), {"role": role, "q": "newm"})
    if role in MANAGED[manager]:
        assert response.status_code == 200, response.json()
        assert response.json() == {
            "results": [
                {
                    "id": newcomers[role].pk,
                    "name": "Nia Newman",
                    "organization": str(newcomers[role].profile.organization),
                }
            ],
            "more": False,
        }
    else:
        assert response.status_code == 403
        assert "Newman" not in response.content.decode()


@pytest.mark.parametrize(
    "role", [Role.DEFENSE_COUNSEL, Role.DUTY_LAWYER, Role.DEFENDANT, Role.JUDGE]
)
def test_those_who_add_no_one_are_refused(
    world: World, newcomers: dict[Role, User], role: Role
) -> None:
    response = api_as(world.user(role)).get(url(world), {"role": Role.PROSECUTOR, "q": "newm"})
    assert response.status_code == 403
    assert "Newman" not in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_strangers_get_not_found(world: World, newcomers: dict[Role, User], role: Role) -> None:
    response = api_as(world.strangers[role]).get(url(world), {"role": Role.PROSECUTOR, "q": "newm"})
    assert response.status_code == 404


def test_anonymous_callers_are_refused(api: Any, world: World) -> None:
    assert api.get(url(world), {"role": Role.PROSECUTOR, "q": "newm"}).status_code == 401


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"role": Role.PROSECUTOR, "q": "n"}, "q"),
        ({"role": Role.PROSECUTOR}, "q"),
        ({"q": "newm"}, "role"),
        ({"role": Role.DEFENDANT, "q": "doe"}, "role"),  # a Defendant, not a user
        ({"role": "bailiff", "q": "newm"}, "role"),
        ({"role": Role.PROSECUTOR, "q": "x" * 101}, "q"),
    ],
)
def test_a_bad_query_is_a_400_naming_the_field(
    world: World, query: dict[str, str], field: str
) -> None:
    response = api_as(world.user(Role.COURT_STAFF)).get(url(world), query)
    assert response.status_code == 400
    assert field in str(response.json())


def test_a_prosecutor_of_another_jurisdiction_is_never_listed(world: World) -> None:
    cn = factories.jurisdiction("cn")
    procuratorate = factories.OrganizationFactory.create(
        name="Haidian Procuratorate", kind=OrganizationKind.PROSECUTOR_OFFICE, jurisdiction=cn
    )
    person("cn_prosecutor", Role.PROSECUTOR, procuratorate, "Wei", "Zhang")
    for manager in MANAGED:
        response = api_as(world.user(manager)).get(url(world), {"role": "prosecutor", "q": "zh"})
        assert response.json() == {"results": [], "more": False}


def test_at_most_the_limit_is_listed_and_more_says_there_are_others(world: World) -> None:
    for n in range(FOUND_AT_MOST + 1):
        person(f"smith{n}", Role.PROSECUTOR, world.orgs["da"], f"Sam{n:02d}", "Smith")
    client = api_as(world.user(Role.COURT_STAFF))
    body = client.get(url(world), {"role": Role.PROSECUTOR, "q": "smith"}).json()
    assert len(body["results"]) == FOUND_AT_MOST
    assert body["more"] is True
    body = client.get(url(world), {"role": Role.PROSECUTOR, "q": "sam1"}).json()
    assert (len(body["results"]), body["more"]) == (10, False)


def test_the_search_costs_the_same_whatever_the_number_found(world: World) -> None:
    client = api_as(world.user(Role.COURT_STAFF))

    def statements(q: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(world), {"role": Role.PROSECUTOR, "q": q}).status_code == 200
        return len(queries)

    few = statements("smith")
    for n in range(FOUND_AT_MOST + 1):
        person(f"smith{n}", Role.PROSECUTOR, world.orgs["da"], f"Sam{n:02d}", "Smith")
    assert statements("smith") == few


def test_the_schema_documents_the_search(world: World) -> None:
    schema = api_as(world.user(Role.PROSECUTOR)).get("/api/v1/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/cases/{id}/eligible-people/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"id", "role", "q"}
    assert {"200", "400", "401", "403", "404"} <= set(operation["responses"])
