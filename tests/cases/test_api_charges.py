"""/api/v1/charges/: the counts of a case, who reads and who amends them, and bad input."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from cases.models import Case, CaseStatus, Charge, ChargeStatus
from parties.models import Role
from tests import factories
from tests.api_helpers import (
    CASE_MANAGERS,
    MISSING_ID,
    NOT_CASE_MANAGERS,
    PERSONA_IDS,
    PERSONAS,
    cases_seen,
    cases_unseen,
    counting_queries,
    ids,
    persona,
    world_case,
)
from tests.conftest import World, api_as

# The courts the reader sits in (party_selectors.courts_listed_for: how the page is found),
# then the page of charges with statute and case.
CHARGE_LIST_QUERIES = 2


def charges_url(**params: Any) -> str:
    query = urlencode(params, doseq=True)
    return reverse("charge-list") + (f"?{query}" if query else "")


def charge_url(pk: object) -> str:
    return reverse("charge-detail", args=[pk])


def charge_rows() -> list[Any]:
    return list(Charge.objects.values().order_by("pk"))


def charge_of(case: Case) -> Charge:
    return case.charges.get()


def new_charge(world: World, **changes: Any) -> dict[str, Any]:
    return {
        "case": world.case.pk,
        "statute": world.lesser_statute.pk,
        "description": "Possession",
        **changes,
    }


# --- who reads which charge --------------------------------------------------------------


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_charge_list_shows_the_charges_of_the_cases_the_user_may_see(
    world: World, who: str, role: str
) -> None:
    response = api_as(persona(world, who, role)).get(charges_url())

    assert response.status_code == 200
    assert set(ids(response)) == set(
        Charge.objects.filter(case__in=cases_seen(world, who, role)).values_list("pk", flat=True)
    )


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_charge_on_a_case_the_user_may_not_see_answers_404_like_a_missing_one(
    world: World, who: str, role: str
) -> None:
    client = api_as(persona(world, who, role))
    missing = client.get(charge_url(MISSING_ID))
    assert missing.status_code == 404

    for charge in Charge.objects.filter(case__in=cases_unseen(world, who, role)):
        response = client.get(charge_url(charge.pk))
        assert (response.status_code, response.json()) == (404, missing.json())


def test_defendant_reads_the_charge_against_them(world: World) -> None:
    charge = charge_of(world.case)

    response = api_as(world.user(Role.DEFENDANT)).get(charge_url(charge.pk))

    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("case", "count_number", "statute_citation", "status")} == {
        "case": world.case.pk,
        "count_number": 1,
        "statute_citation": "21 U.S.C. 841(a)(1)",
        "status": "pending",
    }


@pytest.mark.parametrize("bad_id", ["abc", "1e3", "99999999999999999999"])
def test_charge_ids_that_are_not_ids_answer_404_not_500(world: World, bad_id: str) -> None:
    client = api_as(world.user(Role.PROSECUTOR))
    missing = client.get(charge_url(MISSING_ID)).json()

    answers = [
        client.get(charge_url(bad_id)),
        client.patch(charge_url(bad_id), {"description": "X"}, format="json"),
    ]

    assert [(r.status_code, r.json()) for r in answers] == [(404, missing)] * 2


# --- adding a charge ---------------------------------------------------------------------


@pytest.mark.parametrize("role", CASE_MANAGERS)
def test_case_manager_may_add_a_charge_with_the_next_count_number(world: World, role: str) -> None:
    response = api_as(world.user(role)).post(charges_url(), new_charge(world), format="json")

    assert response.status_code == 201
    assert response.json()["count_number"] == 2
    assert response.json()["statute_citation"] == "21 U.S.C. 844"
    assert world.case.charges.count() == 2


@pytest.mark.parametrize("role", NOT_CASE_MANAGERS)
def test_party_who_does_not_manage_the_case_may_not_add_a_charge(world: World, role: str) -> None:
    before = charge_rows()

    response = api_as(world.user(role)).post(charges_url(), new_charge(world), format="json")

    assert response.status_code == 403
    assert response.json() == {
        "detail": "You may not do this on this case.",
        "code": "permission_denied",
    }
    assert charge_rows() == before


@pytest.mark.parametrize("name", ["case", "other_case"])
def test_court_staff_add_charges_on_every_case_of_the_court_and_the_judge_does_not(
    world: World, name: str
) -> None:
    case = world_case(world, name)
    before = charge_rows()

    refused = api_as(world.user(Role.JUDGE)).post(
        charges_url(), new_charge(world, case=case.pk), format="json"
    )

    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    assert charge_rows() == before

    added = api_as(world.user(Role.COURT_STAFF)).post(
        charges_url(), new_charge(world, case=case.pk), format="json"
    )

    assert (added.status_code, added.json()["count_number"]) == (201, 2)
    assert case.charges.count() == 2


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_charge_on_a_case_the_user_may_not_see_is_refused_like_a_missing_case(
    world: World, who: str, role: str
) -> None:
    client = api_as(persona(world, who, role))
    missing = client.post(charges_url(), new_charge(world, case=MISSING_ID), format="json")
    assert missing.status_code == 400
    before = charge_rows()

    for case in cases_unseen(world, who, role):
        response = client.post(charges_url(), new_charge(world, case=case.pk), format="json")
        # The error names the id that was sent, so compare it with the id swapped back.
        body = str(response.json()).replace(str(case.pk), str(MISSING_ID))
        assert (response.status_code, body) == (400, str(missing.json()))

    assert charge_rows() == before


def test_count_number_may_be_chosen(world: World) -> None:
    response = api_as(world.user(Role.PROSECUTOR)).post(
        charges_url(), new_charge(world, count_number=5), format="json"
    )

    assert (response.status_code, response.json()["count_number"]) == (201, 5)


BAD_NEW_CHARGES: dict[str, tuple[dict[str, Any], str]] = {
    "unknown statute": ({"statute": MISSING_ID}, "statute"),
    "statute id that is not a number": ({"statute": "841"}, "statute"),
    "duplicate count number": ({"count_number": 1}, "count_number"),
    "count number zero": ({"count_number": 0}, "count_number"),
    "count number not a number": ({"count_number": "two"}, "count_number"),
    "count number too large": ({"count_number": 40000}, "count_number"),
    "case id that is not a number": ({"case": "abc"}, "case"),
    "no case": ({"case": None}, "case"),
}


@pytest.mark.parametrize("label", BAD_NEW_CHARGES)
def test_charge_with_bad_input_is_refused_field_by_field(world: World, label: str) -> None:
    changes, field = BAD_NEW_CHARGES[label]
    before = charge_rows()

    response = api_as(world.user(Role.PROSECUTOR)).post(
        charges_url(), new_charge(world, **changes), format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert charge_rows() == before


def test_charge_without_case_or_statute_names_both(world: World) -> None:
    response = api_as(world.user(Role.PROSECUTOR)).post(charges_url(), {}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"case", "statute"}


def test_statute_from_another_jurisdiction_is_refused(world: World) -> None:
    before = charge_rows()

    response = api_as(world.user(Role.PROSECUTOR)).post(
        charges_url(), new_charge(world, statute=world.foreign_statute.pk), format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "statute": ["刑法第264条 is not in the statute catalogue of United States federal courts."]
    }
    assert charge_rows() == before


def test_duplicate_count_number_says_which_count(world: World) -> None:
    response = api_as(world.user(Role.PROSECUTOR)).post(
        charges_url(), new_charge(world, count_number=1), format="json"
    )

    assert response.json() == {"count_number": ["Count 1 already exists on this case."]}


@pytest.mark.parametrize("status", [CaseStatus.SENTENCED, CaseStatus.DISMISSED, CaseStatus.CLOSED])
def test_no_charges_are_added_to_a_finished_case(world: World, status: str) -> None:
    Case.objects.filter(pk=world.case.pk).update(
        status=status, closed_on=world.case.opened_on if status == CaseStatus.CLOSED else None
    )
    before = charge_rows()

    response = api_as(world.user(Role.COURT_STAFF)).post(
        charges_url(), new_charge(world), format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert response.json()["detail"].startswith("Charges cannot be added to a case that is")
    assert charge_rows() == before


# --- amending and disposing of a charge --------------------------------------------------


@pytest.mark.parametrize("role", CASE_MANAGERS)
def test_case_manager_may_amend_a_charge(world: World, role: str) -> None:
    charge = charge_of(world.case)

    response = api_as(world.user(role)).patch(
        charge_url(charge.pk), {"description": "Distribution of heroin"}, format="json"
    )

    assert response.status_code == 200
    charge.refresh_from_db()
    assert (charge.description, charge.status) == ("Distribution of heroin", "amended")


@pytest.mark.parametrize("role", NOT_CASE_MANAGERS)
def test_party_who_does_not_manage_the_case_may_not_amend_a_charge(world: World, role: str) -> None:
    before = charge_rows()

    response = api_as(world.user(role)).patch(
        charge_url(charge_of(world.case).pk), {"description": "Nothing"}, format="json"
    )

    assert response.status_code == 403
    assert response.json() == {
        "detail": "You may not do this on this case.",
        "code": "permission_denied",
    }
    assert charge_rows() == before


@pytest.mark.parametrize("name", ["case", "other_case"])
def test_court_staff_amend_charges_on_every_case_of_the_court_and_the_judge_does_not(
    world: World, name: str
) -> None:
    charge = charge_of(world_case(world, name))
    before = charge_rows()

    refused = api_as(world.user(Role.JUDGE)).patch(
        charge_url(charge.pk), {"description": "By the judge"}, format="json"
    )

    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    assert charge_rows() == before

    amended = api_as(world.user(Role.COURT_STAFF)).patch(
        charge_url(charge.pk), {"description": "By the clerk"}, format="json"
    )

    assert amended.status_code == 200
    charge.refresh_from_db()
    assert (charge.description, charge.status) == ("By the clerk", "amended")


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_amending_a_charge_the_user_may_not_see_answers_404(
    world: World, who: str, role: str
) -> None:
    client = api_as(persona(world, who, role))
    missing = client.patch(charge_url(MISSING_ID), {"description": "X"}, format="json").json()
    before = charge_rows()

    for charge in Charge.objects.filter(case__in=cases_unseen(world, who, role)):
        response = client.patch(charge_url(charge.pk), {"description": "X"}, format="json")
        assert (response.status_code, response.json()) == (404, missing)

    assert charge_rows() == before


def test_disposition_ends_the_charge(world: World) -> None:
    charge = charge_of(world.case)

    response = api_as(world.user(Role.COURT_STAFF)).patch(
        charge_url(charge.pk),
        {"disposition": "dismissed", "disposition_date": "2026-02-01"},
        format="json",
    )

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["disposition_date"]) == (
        "disposed",
        "2026-02-01",
    )


def test_judge_may_not_record_a_disposition(world: World) -> None:
    # The judge rules; the clerk enters the ruling on the docket.
    before = charge_rows()

    response = api_as(world.user(Role.JUDGE)).patch(
        charge_url(charge_of(world.case).pk),
        {"disposition": "dismissed", "disposition_date": "2026-02-01"},
        format="json",
    )

    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert charge_rows() == before


def test_disposed_charge_can_no_longer_change(world: World) -> None:
    charge = charge_of(world.case)
    client = api_as(world.user(Role.PROSECUTOR))
    client.patch(charge_url(charge.pk), {"disposition": "guilty_plea"}, format="json")
    before = charge_rows()

    response = client.patch(charge_url(charge.pk), {"description": "Again"}, format="json")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "This charge has been disposed of and can no longer change.",
        "code": "conflict",
    }
    assert charge_rows() == before


BAD_AMENDMENTS: dict[str, tuple[dict[str, Any], str]] = {
    "unknown disposition": ({"disposition": "pardoned"}, "disposition"),
    "date without a disposition": ({"disposition_date": "2026-02-01"}, "disposition"),
    "malformed disposition date": (
        {"disposition": "dismissed", "disposition_date": "1 Feb 2026"},
        "disposition_date",
    ),
    "disposed of before the case was opened": (
        {"disposition": "dismissed", "disposition_date": "2025-12-31"},
        "disposition_date",
    ),
}


@pytest.mark.parametrize("label", BAD_AMENDMENTS)
def test_charge_amendment_with_bad_input_is_refused(world: World, label: str) -> None:
    changes, field = BAD_AMENDMENTS[label]
    before = charge_rows()

    response = api_as(world.user(Role.PROSECUTOR)).patch(
        charge_url(charge_of(world.case).pk), changes, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert charge_rows() == before


@pytest.mark.parametrize(
    "change", [{"description": "Heroin"}, {"disposition": "dismissed"}], ids=["amend", "dispose"]
)
def test_changing_a_charge_shows_the_case_as_updated(world: World, change: dict[str, Any]) -> None:
    long_ago = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    Case.objects.filter(pk=world.case.pk).update(updated_at=long_ago)
    client = api_as(world.user(Role.PROSECUTOR))

    client.patch(charge_url(charge_of(world.case).pk), change, format="json")

    since = reverse("case-list") + "?" + urlencode({"updated_at__gte": "2026-01-06T00:00:00Z"})
    assert world.case.pk in ids(client.get(since))


# --- filters and the query count ---------------------------------------------------------


def test_charges_filtered_by_case(world: World) -> None:
    response = api_as(world.user(Role.JUDGE)).get(charges_url(case=world.other_case.pk))

    assert ids(response) == [charge_of(world.other_case).pk]


def test_filtering_by_a_case_the_user_may_not_see_answers_like_a_missing_case(
    world: World,
) -> None:
    client = api_as(world.user(Role.DEFENSE_COUNSEL))

    invisible = client.get(charges_url(case=world.other_case.pk))
    missing = client.get(charges_url(case=MISSING_ID))

    assert (invisible.status_code, invisible.json()) == (missing.status_code, missing.json())
    assert ids(invisible) == []


def test_charge_filter_with_a_bad_case_id_is_a_400(world: World) -> None:
    response = api_as(world.user(Role.JUDGE)).get(charges_url(case="abc"))

    assert (response.status_code, list(response.json())) == (400, ["case"])


def test_charges_filtered_by_status_and_statute(world: World) -> None:
    client = api_as(world.user(Role.PROSECUTOR))
    client.post(charges_url(), new_charge(world), format="json")
    Charge.objects.filter(case=world.case, count_number=1).update(status=ChargeStatus.AMENDED)
    lesser = world.case.charges.get(count_number=2)

    assert ids(client.get(charges_url(status="pending"))) == [lesser.pk]
    assert ids(client.get(charges_url(statute=world.lesser_statute.pk))) == [lesser.pk]


def test_charge_list_query_count_is_the_same_for_one_charge_and_fifty(world: World) -> None:
    client = api_as(world.user(Role.DEFENDANT))
    one, queries_for_one = counting_queries(lambda: client.get(charges_url()))

    Charge.objects.bulk_create(
        Charge(
            case=world.case,
            count_number=n,
            statute=factories.StatuteFactory.create(citation=f"18 U.S.C. {2000 + n}"),
        )
        for n in range(2, 51)
    )
    fifty, queries_for_fifty = counting_queries(lambda: client.get(charges_url()))

    assert (len(ids(one)), len(ids(fifty))) == (1, 50)
    assert queries_for_one == queries_for_fifty == CHARGE_LIST_QUERIES
