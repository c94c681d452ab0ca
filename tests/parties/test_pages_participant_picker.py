"""The add-participant form of the case page finds people and defendants by searching (issues
14 and 16): the page lists none of them, and the searches (cases.views.participant_people,
participant_defendants) answer only those who add participants in that role on the case, with
at most PICKER_RESULTS people who may take that role in the case's court.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import party_services
from cases import services as case_services
from cases.models import Case
from cases.views import PICKER_RESULTS
from parties.models import CaseParticipant, Defendant, Organization, OrganizationKind, Role
from tests import factories
from tests.conftest import ROLES, World, make_user

# Who adds participants in which roles (cases.permissions.PARTICIPANT_ROLE_MANAGERS), written
# out: the prosecution its own prosecutors and the defendant, the court staff everyone.
MANAGED: dict[Role, set[Role]] = {
    Role.PROSECUTOR: {Role.PROSECUTOR, Role.DEFENDANT},
    Role.COURT_STAFF: set(Role),
}
PERSON_ROLES = [role for role in Role if role != Role.DEFENDANT]


def person(username: str, role: str, org: Organization | None, first: str, last: str) -> User:
    user = make_user(username, role, org)
    user.first_name, user.last_name = first, last
    user.save(update_fields=["first_name", "last_name"])
    return user


@pytest.fixture
def newcomers(world: World) -> dict[Role, User]:
    """One person surnamed Newman who may take each role in the world's court."""
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


def people_search(client: Client, case: Case, role: str, text: str) -> Any:
    return client.get(
        reverse("cases:participant-people", args=[case.pk]),
        {"participant-role": role, "participant-person_search": text},
        headers={"HX-Request": "true"},
    )


def defendant_search(client: Client, case: Case, text: str) -> Any:
    return client.get(
        reverse("cases:participant-defendants", args=[case.pk]),
        {"participant-defendant_search": text},
        headers={"HX-Request": "true"},
    )


def radios(html: str, name: str = "participant-user") -> list[str]:
    """The values of the radio buttons named `name`, in order."""
    return re.findall(rf'<input type="radio" name="{name}" value="(\d+)"', html)


def tag_with_id(html: str, element_id: str) -> str:
    """The whole opening tag of the element with this id."""
    at = html.index(f'id="{element_id}"')
    return html[html.rindex("<", 0, at) : html.index(">", at) + 1]


def signed_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


# --- who may search whom ---------------------------------------------------------------------


@pytest.mark.parametrize("manager", sorted(MANAGED))
@pytest.mark.parametrize("role", PERSON_ROLES)
def test_people_search_answers_for_the_roles_the_user_adds_and_403_for_others(
    client: Client, world: World, newcomers: dict[Role, User], manager: Role, role: Role
) -> None:
    signed_in(client, world.user(manager))
    response = people_search(client, world.case, role, "newm")
    if role in MANAGED[manager]:
        assert response.status_code == 200
        assert radios(response.content.decode()) == [str(newcomers[role].pk)]
    else:
        assert response.status_code == 403
        assert "Newman" not in response.content.decode()


@pytest.mark.parametrize(
    "role", [Role.DEFENSE_COUNSEL, Role.DUTY_LAWYER, Role.DEFENDANT, Role.JUDGE]
)
def test_people_search_is_refused_to_those_who_add_no_one(
    client: Client, world: World, newcomers: dict[Role, User], role: Role
) -> None:
    signed_in(client, world.user(role))
    for asked in Role:
        response = people_search(client, world.case, asked, "newm")
        assert response.status_code == 403, asked
        assert "Newman" not in response.content.decode()
    assert defendant_search(client, world.case, "doe").status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_strangers_get_not_found_from_both_searches(
    client: Client, world: World, newcomers: dict[Role, User], role: Role
) -> None:
    signed_in(client, world.strangers[role])
    assert people_search(client, world.case, Role.PROSECUTOR, "newm").status_code == 404
    assert defendant_search(client, world.case, "doe").status_code == 404


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(client: Client, world: World) -> None:
    response = client.get(reverse("cases:participant-people", args=[world.case.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("manager", sorted(MANAGED))
def test_defendant_search_answers_those_who_add_defendants(
    client: Client, world: World, manager: Role
) -> None:
    signed_in(client, world.user(manager))
    response = defendant_search(client, world.case, "doe")
    assert response.status_code == 200
    html = response.content.decode()
    assert radios(html, "participant-defendant") == [str(world.defendant.pk)]
    assert "Jane Doe" in html


# --- what the search shows -------------------------------------------------------------------


def test_results_show_name_and_organization_not_username_or_role(
    client: Client, world: World, newcomers: dict[Role, User]
) -> None:
    signed_in(client, world.user(Role.COURT_STAFF))
    html = people_search(client, world.case, Role.DEFENSE_COUNSEL, "nia new").content.decode()
    assert "Nia Newman" in html
    assert "Federal Defender" in html
    assert "new_defense_counsel" not in html
    assert "1 person who may take part as defense counsel." in html


def test_fewer_than_two_letters_search_nothing(
    client: Client, world: World, newcomers: dict[Role, User]
) -> None:
    signed_in(client, world.user(Role.COURT_STAFF))
    with CaptureQueriesContext(connection) as queries:
        response = people_search(client, world.case, Role.PROSECUTOR, " n ")
    html = response.content.decode()
    assert response.status_code == 200
    assert radios(html) == []
    assert "Type at least two letters" in html
    assert not any(" LIKE " in query["sql"] for query in queries)  # nothing was searched


def test_without_a_role_the_search_asks_for_one(
    client: Client, world: World, newcomers: dict[Role, User]
) -> None:
    signed_in(client, world.user(Role.COURT_STAFF))
    html = people_search(client, world.case, "", "newm").content.decode()
    assert radios(html) == []
    assert "Choose a role first" in html


def test_a_role_that_is_not_a_role_is_a_bad_request(client: Client, world: World) -> None:
    signed_in(client, world.user(Role.COURT_STAFF))
    response = people_search(client, world.case, "bailiff", "newm")
    assert response.status_code == 400
    assert "not one of the available choices" in response.content.decode()


def test_a_search_too_long_is_a_bad_request(client: Client, world: World) -> None:
    signed_in(client, world.user(Role.COURT_STAFF))
    response = defendant_search(client, world.case, "x" * 101)
    assert response.status_code == 400
    assert "at most 100 characters" in response.content.decode()


def test_many_matches_show_the_first_ones_and_ask_to_refine(client: Client, world: World) -> None:
    for n in range(PICKER_RESULTS + 5):
        person(f"smith{n}", Role.PROSECUTOR, world.orgs["da"], f"Sam{n:02d}", "Smith")
    signed_in(client, world.user(Role.COURT_STAFF))
    html = people_search(client, world.case, Role.PROSECUTOR, "smith").content.decode()
    assert len(radios(html)) == PICKER_RESULTS
    assert "refine your search" in html
    # Exactly as many as shown: no hint.
    html = people_search(client, world.case, Role.PROSECUTOR, "sam0").content.decode()
    assert len(radios(html)) == 10
    assert "refine your search" not in html


def test_a_prosecutor_of_another_jurisdiction_never_appears_for_a_us_case(
    client: Client, world: World
) -> None:
    cn = factories.jurisdiction("cn")
    procuratorate = factories.OrganizationFactory.create(
        name="Haidian Procuratorate", kind=OrganizationKind.PROSECUTOR_OFFICE, jurisdiction=cn
    )
    person("cn_prosecutor", Role.PROSECUTOR, procuratorate, "Wei", "Zhang")
    for manager in MANAGED:
        signed_in(client, world.user(manager))
        for text in ("zhang", "wei", "cn_pro"):
            html = people_search(client, world.case, Role.PROSECUTOR, text).content.decode()
            assert radios(html) == [], (manager, text)
            assert "Zhang" not in html


def test_a_judge_of_another_court_never_appears(client: Client, world: World) -> None:
    other_judge = world.strangers[Role.JUDGE]
    signed_in(client, world.user(Role.COURT_STAFF))
    html = people_search(client, world.case, Role.JUDGE, other_judge.last_name).content.decode()
    assert str(other_judge.pk) not in radios(html)
    html = people_search(client, world.case, Role.JUDGE, "judge").content.decode()
    assert radios(html) == [str(world.user(Role.JUDGE).pk)]


def test_defendants_of_another_court_never_appear(client: Client, world: World) -> None:
    elsewhere = factories.DefendantFactory.create(first_name="Joan", last_name="Doe")
    party_services.participant_add(
        case=world.foreign_case,
        by=world.strangers[Role.PROSECUTOR],
        role=Role.DEFENDANT,
        defendant=elsewhere,
    )
    signed_in(client, world.user(Role.COURT_STAFF))
    html = defendant_search(client, world.case, "doe").content.decode()
    assert radios(html, "participant-defendant") == [str(world.defendant.pk)]
    assert "Joan" not in html


# --- the case page ---------------------------------------------------------------------------


def case_page(client: Client, case: Case) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def grow_court(world: World, n: int) -> None:
    """`n` more people who may take part in the court and `n` more defendants on its cases."""
    clerk = world.user(Role.COURT_STAFF)
    for i in range(n):
        person(f"extra_prosecutor{i}", Role.PROSECUTOR, world.orgs["da"], "Extra", f"P{i}")
        judge = person(f"extra_judge{i}", Role.JUDGE, world.orgs["court"], "Extra", f"J{i}")
        case_services.court_member_add(court=world.court, user=judge)
        party_services.participant_add(
            case=world.other_case,
            by=clerk,
            role=Role.DEFENDANT,
            defendant=factories.DefendantFactory.create(created_by=clerk),
        )


def test_the_clerks_case_page_lists_no_person_and_no_defendant(
    client: Client, world: World
) -> None:
    signed_in(client, world.user(Role.COURT_STAFF))
    small, small_queries = case_page(client, world.case)
    grow_court(world, 30)
    grown, grown_queries = case_page(client, world.case)

    form = grown[
        grown.index('id="participant-add"') : grown.index(
            "</details>", grown.index('id="participant-add"')
        )
    ]
    options = re.findall(r"<option[^>]*>", form)
    assert len(options) == 1 + len(Role)  # the role select: "Choose a role" and the roles
    assert radios(form) == radios(form, "participant-defendant") == []
    # Neither the page nor its cost grows with the people and defendants of the court.
    assert grown_queries == small_queries
    assert len(grown) == len(small)
    assert grown.count("<option") == small.count("<option")


def test_the_form_has_a_labelled_search_for_each_picker(client: Client, world: World) -> None:
    signed_in(client, world.user(Role.COURT_STAFF))
    html, _ = case_page(client, world.case)
    for field, url in (
        ("user", reverse("cases:participant-people", args=[world.case.pk])),
        ("defendant", reverse("cases:participant-defendants", args=[world.case.pk])),
    ):
        assert f'<label class="picker__label" for="id_participant-{field}">' in html
        search = tag_with_id(html, f"id_participant-{field}")
        assert search.startswith('<input type="search"')
        assert f'hx-get="{url}"' in search
        assert f'aria-controls="id_participant-{field}-results"' in search
        assert f'id="id_participant-{field}-results" aria-live="polite"' in html
    # The person search is sent with the role, and runs again when the role changes.
    person_search = tag_with_id(html, "id_participant-user")
    assert 'hx-include="#id_participant-role"' in person_search
    assert "change from:#id_participant-role" in person_search
    # No inline script or handler (the Content-Security-Policy allows none).
    form = html[html.index('id="participant-add"') :]
    assert "<script" not in form[: form.index("</details>")]
    assert not re.search(r"\son[a-z]+=", form[: form.index("</details>")])


def test_the_prosecutor_gets_both_pickers_and_the_defense_none(
    client: Client, world: World
) -> None:
    signed_in(client, world.user(Role.PROSECUTOR))
    html, _ = case_page(client, world.case)
    assert 'id="id_participant-user"' in html
    assert 'id="id_participant-defendant"' in html
    signed_in(client, world.user(Role.DEFENSE_COUNSEL))
    html, _ = case_page(client, world.case)
    assert "participant-person_search" not in html
    assert "participant-defendant_search" not in html


# --- sending the form --------------------------------------------------------------------------


def add(client: Client, world: World, data: dict[str, Any]) -> Any:
    return client.post(reverse("cases:participant-add", args=[world.case.pk]), data)


def test_a_person_found_by_the_search_is_added(
    client: Client, world: World, newcomers: dict[Role, User]
) -> None:
    signed_in(client, world.user(Role.COURT_STAFF))
    html = people_search(client, world.case, Role.DUTY_LAWYER, "newman").content.decode()
    (chosen,) = radios(html)

    response = add(
        client,
        world,
        {
            "participant-role": Role.DUTY_LAWYER,
            "participant-person_search": "newman",
            "participant-user": chosen,
        },
    )

    assert response.status_code == 302
    assert CaseParticipant.objects.filter(
        case=world.case, user_id=chosen, role=Role.DUTY_LAWYER, end_date=None
    ).exists()


def test_a_defendant_found_by_the_search_is_added(client: Client, world: World) -> None:
    prosecutor = world.user(Role.PROSECUTOR)
    co_defendant = factories.DefendantFactory.create(
        first_name="Rick", last_name="Roe", created_by=prosecutor
    )
    signed_in(client, prosecutor)
    html = defendant_search(client, world.case, "roe").content.decode()
    assert radios(html, "participant-defendant") == [str(co_defendant.pk)]

    response = add(
        client,
        world,
        {"participant-role": Role.DEFENDANT, "participant-defendant": co_defendant.pk},
    )

    assert response.status_code == 302
    assert CaseParticipant.objects.filter(case=world.case, defendant=co_defendant).exists()


def test_the_form_comes_back_with_the_chosen_person_checked_and_the_search_kept(
    client: Client, world: World, newcomers: dict[Role, User]
) -> None:
    chosen = newcomers[Role.PROSECUTOR]
    signed_in(client, world.user(Role.COURT_STAFF))

    response = add(
        client,
        world,
        {
            "participant-role": Role.PROSECUTOR,
            "participant-person_search": "nia",
            "participant-user": chosen.pk,
            "participant-start_date": "2020-01-01",  # before the case was opened
        },
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert (
        f'<input type="radio" name="participant-user" value="{chosen.pk}" '
        f'id="id_participant-user_{chosen.pk}" checked>'
    ) in html
    assert 'name="participant-person_search"' in html
    assert 'value="nia"' in html
    assert "A participation cannot start before the case was opened." in html
    assert '<details class="disclosure" id="participant-add" open>' in html


def test_someone_who_may_not_take_part_is_still_refused_when_posted(
    client: Client, world: World
) -> None:
    # The search never offers them; a crafted POST is refused by the service, next to the
    # picker, which shows whom the error is about.
    cn = factories.jurisdiction("cn")
    procuratorate = factories.OrganizationFactory.create(
        name="Haidian Procuratorate", kind=OrganizationKind.PROSECUTOR_OFFICE, jurisdiction=cn
    )
    outsider = person("cn_prosecutor", Role.PROSECUTOR, procuratorate, "Wei", "Zhang")
    signed_in(client, world.user(Role.COURT_STAFF))
    before = CaseParticipant.objects.count()

    response = add(
        client, world, {"participant-role": Role.PROSECUTOR, "participant-user": outsider.pk}
    )

    assert response.status_code == 400
    html = response.content.decode()
    error = html[html.index('id="id_participant-user_error"') :]
    assert "cn_prosecutor works for Haidian Procuratorate" in error[: error.index("</p>")]
    search = tag_with_id(html, "id_participant-user")
    assert 'aria-invalid="true"' in search
    assert 'aria-describedby="id_participant-user_error' in search
    assert CaseParticipant.objects.count() == before


def test_an_unknown_person_or_defendant_is_a_field_error(client: Client, world: World) -> None:
    signed_in(client, world.user(Role.COURT_STAFF))
    response = add(client, world, {"participant-role": Role.JUDGE, "participant-user": 999_999})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    hidden = Defendant.objects.create(first_name="Hid", last_name="Den")
    signed_in(client, world.user(Role.PROSECUTOR))
    response = add(
        client, world, {"participant-role": Role.DEFENDANT, "participant-defendant": hidden.pk}
    )
    assert response.status_code == 400
    assert not CaseParticipant.objects.filter(defendant=hidden).exists()
