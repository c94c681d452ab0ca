"""/api/v1/suggestions/: the defense's and duty lawyer's suggestions, and the prosecution's
written response to each (mandatory consideration). The court never reads them."""

from __future__ import annotations

from typing import Any

import pytest

from negotiations import services
from negotiations.models import Suggestion
from parties.models import Role
from tests.api_helpers import MISSING_ID, PERSONA_IDS, PERSONAS, ids, persona
from tests.api_negotiation_helpers import (
    COURT,
    COURT_STAYS_OUT,
    DEFENSE_LAWYERS,
    NO_SUGGESTION,
    READERS,
    Answer,
    answer_of,
    expected,
    negotiation_rows,
    succeeded,
    url,
)
from tests.conftest import World, api_as
from tests.negotiation_helpers import sent_offer

# One SELECT: suggestions of the cases where the user is a party, with author and responder.
SUGGESTION_LIST_QUERIES = 1
# With ?case=: the case (scoped to the user) and the user's roles on it come first.
SUGGESTION_LIST_FOR_CASE_QUERIES = 3


def suggestion(world: World, text: str = "Consider diversion: first offence.") -> Suggestion:
    return services.suggestion_submit(case=world.case, by=world.user(Role.DUTY_LAWYER), text=text)


READ: dict[str, Answer] = {**dict.fromkeys(READERS, 200), **dict.fromkeys(COURT, 404)}


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_who_reads_a_suggestion(world: World, who: str, role: str) -> None:
    submitted = suggestion(world)
    client = api_as(persona(world, who, role))

    detail = client.get(url("suggestion-detail", submitted.pk))
    listed = client.get(url("suggestion-list"))

    answer = expected(READ, who, role)
    assert answer_of(detail) == answer
    if answer == 200:
        assert (detail.json()["text"], detail.json()["author_role"]) == (
            "Consider diversion: first offence.",
            "duty_lawyer",
        )
        assert ids(listed) == [submitted.pk]
    else:
        assert detail.json() == NO_SUGGESTION
        assert (listed.status_code, ids(listed)) == (200, [])


LIST_FOR_CASE: dict[str, Answer] = {
    **dict.fromkeys(READERS, 200),
    **dict.fromkeys(COURT, (403, COURT_STAYS_OUT)),
}


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_suggestion_list_for_a_case(world: World, who: str, role: str) -> None:
    submitted = suggestion(world)
    client = api_as(persona(world, who, role))

    response = client.get(url("suggestion-list", case=world.case.pk))

    answer = expected(LIST_FOR_CASE, who, role, stranger=200)
    assert answer_of(response) == answer
    if answer == 200:
        assert ids(response) == ([submitted.pk] if who == "party" else [])


def test_suggestion_list_filters_by_answered(world: World) -> None:
    open_one = suggestion(world, "One.")
    answered = suggestion(world, "Two.")
    services.suggestion_respond(suggestion=answered, by=world.user(Role.PROSECUTOR), response="No.")
    client = api_as(world.user(Role.DEFENSE_COUNSEL))

    assert ids(client.get(url("suggestion-list", answered="true"))) == [answered.pk]
    assert ids(client.get(url("suggestion-list", answered="false"))) == [open_one.pk]


def test_suggestion_list_with_a_bad_case_id_is_a_400(world: World) -> None:
    response = api_as(world.user(Role.DEFENSE_COUNSEL)).get(url("suggestion-list", case="x"))

    assert (response.status_code, list(response.json())) == (400, ["case"])


SUBMIT: dict[str, Answer] = {
    Role.PROSECUTOR: (403, "Suggestions come from defense counsel or the duty lawyer."),
    **dict.fromkeys(DEFENSE_LAWYERS, 201),
    Role.DEFENDANT: (403, "Suggestions come from defense counsel or the duty lawyer."),
    **dict.fromkeys(COURT, (403, "Suggestions come from defense counsel or the duty lawyer.")),
}


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_who_may_submit_a_suggestion(world: World, who: str, role: str) -> None:
    client = api_as(persona(world, who, role))
    before = negotiation_rows()

    response = client.post(
        url("suggestion-list"),
        {"case": world.case.pk, "text": "Consider a fine instead of custody."},
        format="json",
    )

    answer = expected(SUBMIT, who, role, stranger=400)
    assert answer_of(response) == answer
    if succeeded(answer):
        body = response.json()
        assert (body["author"], body["author_role"], body["response"]) == (
            world.user(role).pk,
            role,
            "",
        )
        assert Suggestion.objects.filter(pk=body["id"], case=world.case).exists()
    else:
        assert negotiation_rows() == before
    if answer == 400:
        missing = client.post(
            url("suggestion-list"), {"case": MISSING_ID, "text": "x"}, format="json"
        )
        body = str(response.json()).replace(str(world.case.pk), str(MISSING_ID))
        assert body == str(missing.json())


def test_suggestion_may_name_the_offer_it_is_about(world: World) -> None:
    offer = sent_offer(world)

    response = api_as(world.user(Role.DEFENSE_COUNSEL)).post(
        url("suggestion-list"),
        {"case": world.case.pk, "text": "Drop the appeal waiver.", "offer": offer.pk},
        format="json",
    )

    assert (response.status_code, response.json()["offer"]) == (201, offer.pk)


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"text": "  "}, {"text": ["Write the suggestion and its reasons."]}),
        ({"text": None}, {"text": ["This field may not be null."]}),
        ({"case": "abc"}, {"case": ["Incorrect type. Expected pk value, received str."]}),
        ({"offer": "abc"}, {"offer": ["Incorrect type. Expected pk value, received str."]}),
        (
            {"offer": MISSING_ID},
            {"offer": [f'Invalid pk "{MISSING_ID}" - object does not exist.']},
        ),
    ],
    ids=["blank", "null", "case", "offer type", "offer missing"],
)
def test_suggestion_with_bad_input_is_refused_field_by_field(
    world: World, changes: dict[str, Any], errors: dict[str, Any]
) -> None:
    before = negotiation_rows()

    response = api_as(world.user(Role.DEFENSE_COUNSEL)).post(
        url("suggestion-list"), {"case": world.case.pk, "text": "x", **changes}, format="json"
    )

    assert (response.status_code, response.json()) == (400, errors)
    assert negotiation_rows() == before


def test_suggestion_may_not_name_an_offer_the_author_cannot_read(world: World) -> None:
    draft = services.offer_create(
        case=world.case,
        by=world.user(Role.PROSECUTOR),
        data=services.OfferInput(custody_min_months=1, custody_max_months=2),
    )
    client = api_as(world.user(Role.DEFENSE_COUNSEL))

    hidden = client.post(
        url("suggestion-list"),
        {"case": world.case.pk, "text": "x", "offer": draft.pk},
        format="json",
    )
    missing = client.post(
        url("suggestion-list"),
        {"case": world.case.pk, "text": "x", "offer": MISSING_ID},
        format="json",
    )

    assert hidden.status_code == missing.status_code == 400
    assert str(hidden.json()).replace(str(draft.pk), str(MISSING_ID)) == str(missing.json())


def test_no_suggestions_once_negotiation_is_closed(world: World) -> None:
    services.offer_accept(offer=sent_offer(world), by=world.user(Role.DEFENSE_COUNSEL))

    response = api_as(world.user(Role.DEFENSE_COUNSEL)).post(
        url("suggestion-list"), {"case": world.case.pk, "text": "x"}, format="json"
    )

    assert (response.status_code, response.json()["code"]) == (409, "negotiation_closed")


RESPOND: dict[str, Answer] = {
    Role.PROSECUTOR: 200,
    **dict.fromkeys(
        [*DEFENSE_LAWYERS, Role.DEFENDANT],
        (403, "Only the prosecution responds to a defense suggestion."),
    ),
    **dict.fromkeys(COURT, 404),
}


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_who_may_respond_to_a_suggestion(world: World, who: str, role: str) -> None:
    submitted = suggestion(world)
    before = negotiation_rows()

    response = api_as(persona(world, who, role)).post(
        url("suggestion-respond", submitted.pk),
        {"response": "Not eligible for diversion."},
        format="json",
    )

    answer = expected(RESPOND, who, role)
    assert answer_of(response) == answer
    if succeeded(answer):
        body = response.json()
        assert (body["response"], body["responded_by"]) == (
            "Not eligible for diversion.",
            world.user(role).pk,
        )
        assert body["responded_at"] is not None
    else:
        assert negotiation_rows() == before
    if answer == 404:
        assert response.json() == NO_SUGGESTION


def test_responding_twice_is_a_conflict_naming_who_responded(world: World) -> None:
    submitted = suggestion(world)
    client = api_as(world.user(Role.PROSECUTOR))
    client.post(url("suggestion-respond", submitted.pk), {"response": "No."})
    before = negotiation_rows()

    again = client.post(url("suggestion-respond", submitted.pk), {"response": "Still no."})

    prosecutor = world.user(Role.PROSECUTOR)
    assert (again.status_code, again.json()) == (
        409,
        {
            "detail": f"{prosecutor.get_full_name()} already responded to this suggestion.",
            "code": "suggestion_answered",
        },
    )
    assert negotiation_rows() == before


def test_empty_response_is_refused(world: World) -> None:
    submitted = suggestion(world)
    before = negotiation_rows()

    response = api_as(world.user(Role.PROSECUTOR)).post(
        url("suggestion-respond", submitted.pk), {"response": ""}, format="json"
    )

    assert (response.status_code, response.json()) == (400, {"response": ["Write the response."]})
    assert negotiation_rows() == before


@pytest.mark.parametrize(
    ("method", "name"), [("get", "suggestion-detail"), ("post", "suggestion-respond")]
)
@pytest.mark.parametrize("bad_id", ["abc", "1e3", "-1", "99999999999999999999", str(MISSING_ID)])
def test_suggestion_ids_that_are_not_suggestions_answer_404_not_500(
    world: World, method: str, name: str, bad_id: str
) -> None:
    response = getattr(api_as(world.user(Role.PROSECUTOR)), method)(url(name, bad_id), {})

    assert (response.status_code, response.json()) == (404, NO_SUGGESTION)


def test_suggestion_list_query_count_does_not_grow_with_suggestions(
    world: World, django_assert_num_queries: Any
) -> None:
    client = api_as(world.user(Role.PROSECUTOR))
    first = suggestion(world)
    services.suggestion_respond(suggestion=first, by=world.user(Role.PROSECUTOR), response="No.")
    with django_assert_num_queries(SUGGESTION_LIST_QUERIES):
        one = client.get(url("suggestion-list"))

    for n in range(9):
        answered = suggestion(world, f"Suggestion {n}.")
        services.suggestion_respond(
            suggestion=answered, by=world.user(Role.PROSECUTOR), response="No."
        )
    with django_assert_num_queries(SUGGESTION_LIST_QUERIES):
        ten = client.get(url("suggestion-list"))
    with django_assert_num_queries(SUGGESTION_LIST_FOR_CASE_QUERIES):
        for_case = client.get(url("suggestion-list", case=world.case.pk))

    assert (len(ids(one)), len(ids(ten)), len(ids(for_case))) == (1, 10, 10)
    assert {row["responded_by_name"] for row in ten.json()["results"]} == {
        world.user(Role.PROSECUTOR).get_full_name()
    }
