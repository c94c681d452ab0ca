"""/api/v1/cases/: list, retrieve, open, amend and move cases, for every role in the world."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from cases import services as case_services
from cases.models import Case, CaseStatus, CaseStatusChange
from parties.models import CaseParticipant, Role
from tests.api_helpers import (
    CASE_MANAGERS,
    CASE_MOVERS,
    MISSING_ID,
    NOT_CASE_MANAGERS,
    PERSONA_IDS,
    PERSONAS,
    READ_ONLY,
    bulk_cases,
    bulk_grant_view,
    cases_seen,
    cases_unseen,
    counting_queries,
    ids,
    persona,
    world_case,
)
from tests.conftest import World, api_as

# One SELECT: the visibility rule is a subquery and court and jurisdiction are joined.
CASE_LIST_QUERIES = 1


def cases_url(**params: Any) -> str:
    query = urlencode(params, doseq=True)
    return reverse("case-list") + (f"?{query}" if query else "")


def case_url(pk: object) -> str:
    return reverse("case-detail", args=[pk])


def transition_url(pk: object) -> str:
    return reverse("case-transition", args=[pk])


def case_row(case: Case) -> dict[str, Any]:
    return dict(Case.objects.filter(pk=case.pk).values().get())


def ids_of(page: dict[str, Any]) -> list[int]:
    return [row["id"] for row in page["results"]]


def new_case_payload(world: World, **changes: Any) -> dict[str, Any]:
    return {
        "court": world.court.pk,
        "docket_number": "1:26-cr-00077",
        "caption": "United States v. Moe",
        "opened_on": "2026-02-02",
        **changes,
    }


# --- who sees which case -----------------------------------------------------------------


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_case_list_shows_exactly_the_cases_the_user_may_see(
    world: World, who: str, role: str
) -> None:
    response = api_as(persona(world, who, role)).get(cases_url())

    assert response.status_code == 200
    assert set(ids(response)) == {case.pk for case in cases_seen(world, who, role)}


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_user_may_read_every_case_they_see(world: World, who: str, role: str) -> None:
    client = api_as(persona(world, who, role))

    for case in cases_seen(world, who, role):
        response = client.get(case_url(case.pk))
        assert response.status_code == 200
        assert (response.json()["id"], response.json()["docket_number"]) == (
            case.pk,
            case.docket_number,
        )


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_case_the_user_may_not_see_answers_404_like_a_missing_one(
    world: World, who: str, role: str
) -> None:
    client = api_as(persona(world, who, role))
    missing = client.get(case_url(MISSING_ID))
    assert missing.status_code == 404

    for case in cases_unseen(world, who, role):
        response = client.get(case_url(case.pk))
        assert (response.status_code, response.json()) == (404, missing.json())


def test_case_body_shows_court_jurisdiction_and_status(world: World) -> None:
    response = api_as(world.user(Role.DEFENDANT)).get(case_url(world.case.pk))

    body = response.json()
    assert {k: body[k] for k in ("court", "court_name", "jurisdiction_code", "status")} == {
        "court": world.court.pk,
        "court_name": "District Court",
        "jurisdiction_code": "us-fed",
        "status": "intake",
    }
    assert body["status_display"] == "Intake"
    assert body["opened_on"] == "2026-01-05"


@pytest.mark.parametrize("bad_id", ["abc", "1e3", "-1", "99999999999999999999"])
def test_case_ids_that_are_not_ids_answer_404_not_500(world: World, bad_id: str) -> None:
    client = api_as(world.user(Role.COURT_STAFF))
    missing = client.get(case_url(MISSING_ID)).json()

    answers = [
        client.get(case_url(bad_id)),
        client.patch(case_url(bad_id), {"caption": "X"}, format="json"),
        client.post(transition_url(bad_id), {"to_status": "negotiating"}, format="json"),
    ]

    assert [(r.status_code, r.json()) for r in answers] == [(404, missing)] * 3


# --- opening a case ----------------------------------------------------------------------

# Prosecutors open cases in the courts of their office's jurisdiction, clerks in their court.
MAY_OPEN_IN_THE_COURT = {
    ("party", Role.PROSECUTOR),
    ("party", Role.COURT_STAFF),
    ("stranger", Role.PROSECUTOR),
}


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_who_may_open_a_case_in_the_court(world: World, who: str, role: str) -> None:
    client = api_as(persona(world, who, role))
    before = Case.objects.count()

    response = client.post(cases_url(), new_case_payload(world), format="json")

    if (who, role) in MAY_OPEN_IN_THE_COURT:
        assert response.status_code == 201
        assert response.json()["docket_number"] == "1:26-cr-00077"
        assert client.get(case_url(response.json()["id"])).status_code == 200
        assert Case.objects.count() == before + 1
    else:
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
        assert Case.objects.count() == before


def test_prosecutor_who_opens_a_case_leads_its_prosecution(world: World) -> None:
    prosecutor = world.user(Role.PROSECUTOR)
    response = api_as(prosecutor).post(cases_url(), new_case_payload(world), format="json")

    lead = CaseParticipant.objects.get(case_id=response.json()["id"])
    assert (lead.user, lead.role, lead.is_lead) == (prosecutor, Role.PROSECUTOR, True)


def test_court_sees_a_case_the_prosecution_opens(world: World) -> None:
    response = api_as(world.user(Role.PROSECUTOR)).post(
        cases_url(), new_case_payload(world), format="json"
    )
    new_id = response.json()["id"]

    assert api_as(world.user(Role.JUDGE)).get(case_url(new_id)).status_code == 200
    assert api_as(world.strangers[Role.JUDGE]).get(case_url(new_id)).status_code == 404


def test_clerk_opens_cases_in_their_own_court_only(world: World) -> None:
    clerk = api_as(world.strangers[Role.COURT_STAFF])

    here = clerk.post(cases_url(), new_case_payload(world, court=world.other_court.pk))
    there = clerk.post(cases_url(), new_case_payload(world, docket_number="1:26-cr-00078"))

    assert (here.status_code, there.status_code) == (201, 403)


def test_opening_date_defaults_to_today_in_the_court(world: World) -> None:
    payload = new_case_payload(world)
    del payload["opened_on"]

    response = api_as(world.user(Role.COURT_STAFF)).post(cases_url(), payload, format="json")

    assert response.status_code == 201
    assert response.json()["opened_on"] == case_services.court_today(world.court).isoformat()


DROP = object()
BAD_NEW_CASES: dict[str, tuple[dict[str, Any], set[str]]] = {
    "duplicate docket number": ({"docket_number": "1:26-cr-00001"}, {"docket_number"}),
    "duplicate external id": ({"external_id": "CM-0001"}, {"external_id"}),
    "unknown court": ({"court": MISSING_ID}, {"court"}),
    "court id that is not a number": ({"court": "district"}, {"court"}),
    "malformed opening date": ({"opened_on": "05/02/2026"}, {"opened_on"}),
    "impossible opening date": ({"opened_on": "2026-02-30"}, {"opened_on"}),
    "opening date in the future": ({"opened_on": "2999-01-01"}, {"opened_on"}),
    "blank caption": ({"caption": "   "}, {"caption"}),
    "docket number too long": ({"docket_number": "1" * 65}, {"docket_number"}),
    "sealed that is not a boolean": ({"sealed": "perhaps"}, {"sealed"}),
    "missing fields": (
        {"court": DROP, "docket_number": DROP, "caption": DROP},
        {"court", "docket_number", "caption"},
    ),
}


@pytest.mark.parametrize("label", BAD_NEW_CASES)
def test_case_with_bad_input_is_refused_field_by_field(world: World, label: str) -> None:
    Case.objects.filter(pk=world.case.pk).update(external_id="CM-0001")
    changes, fields = BAD_NEW_CASES[label]
    payload = {k: v for k, v in new_case_payload(world, **changes).items() if v is not DROP}
    before = Case.objects.count()

    response = api_as(world.user(Role.COURT_STAFF)).post(cases_url(), payload, format="json")

    assert response.status_code == 400
    assert set(response.json()) == fields
    assert all(isinstance(m, str) and m for f in fields for m in response.json()[f])
    assert Case.objects.count() == before


def test_malformed_json_is_a_400_and_writes_nothing(world: World) -> None:
    before = Case.objects.count()

    response = api_as(world.user(Role.COURT_STAFF)).post(
        cases_url(), '{"court": 1, "docket_number": ', content_type="application/json"
    )

    assert (response.status_code, response.json()["code"]) == (400, "parse_error")
    assert Case.objects.count() == before


def test_cases_are_never_replaced_or_deleted_through_the_api(world: World) -> None:
    client = api_as(world.user(Role.COURT_STAFF))
    before = case_row(world.case)

    put = client.put(case_url(world.case.pk), new_case_payload(world), format="json")
    delete = client.delete(case_url(world.case.pk))

    assert (put.status_code, delete.status_code) == (405, 405)
    assert case_row(world.case) == before


def test_duplicate_docket_number_message_names_the_court(world: World) -> None:
    response = api_as(world.user(Role.PROSECUTOR)).post(
        cases_url(), new_case_payload(world, docket_number="1:26-cr-00001"), format="json"
    )
    assert response.json() == {
        "docket_number": ["District Court already has a case with docket number 1:26-cr-00001."]
    }


def test_same_docket_number_may_be_used_in_another_court(world: World) -> None:
    response = api_as(world.strangers[Role.PROSECUTOR]).post(
        cases_url(),
        new_case_payload(world, court=world.other_court.pk, docket_number="1:26-cr-00001"),
        format="json",
    )
    assert response.status_code == 201


# --- amending a case ---------------------------------------------------------------------


@pytest.mark.parametrize("role", CASE_MANAGERS)
def test_case_manager_may_amend_the_caption_and_seal_the_case(world: World, role: str) -> None:
    response = api_as(world.user(role)).patch(
        case_url(world.case.pk),
        {"caption": "United States v. Doe et al.", "sealed": True, "external_id": "CM-7"},
        format="json",
    )

    assert response.status_code == 200
    row = case_row(world.case)
    assert (row["caption"], row["sealed"], row["external_id"]) == (
        "United States v. Doe et al.",
        True,
        "CM-7",
    )
    assert response.json()["caption"] == "United States v. Doe et al."


@pytest.mark.parametrize("role", NOT_CASE_MANAGERS)
def test_party_who_does_not_manage_the_case_may_not_amend_it(world: World, role: str) -> None:
    before = case_row(world.case)

    response = api_as(world.user(role)).patch(
        case_url(world.case.pk), {"caption": "Mine now"}, format="json"
    )

    assert response.status_code == 403
    assert response.json() == {
        "detail": "You may not do this on this case.",
        "code": "permission_denied",
    }
    assert case_row(world.case) == before


@pytest.mark.parametrize("name", ["case", "other_case"])
def test_court_staff_keep_the_record_of_every_case_of_the_court_and_the_judge_does_not(
    world: World, name: str
) -> None:
    # On the other case neither sits as a participant: the court's seat is all they have.
    case = world_case(world, name)
    before = case_row(case)

    refused = api_as(world.user(Role.JUDGE)).patch(
        case_url(case.pk), {"caption": "By the judge", "sealed": True}, format="json"
    )

    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    assert case_row(case) == before

    amended = api_as(world.user(Role.COURT_STAFF)).patch(
        case_url(case.pk), {"caption": "By the clerk", "sealed": True}, format="json"
    )

    assert amended.status_code == 200
    row = case_row(case)
    assert (row["caption"], row["sealed"]) == ("By the clerk", True)


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_amending_a_case_the_user_may_not_see_answers_404(
    world: World, who: str, role: str
) -> None:
    client = api_as(persona(world, who, role))
    missing = client.patch(case_url(MISSING_ID), {"caption": "X"}, format="json").json()

    for case in cases_unseen(world, who, role):
        before = case_row(case)
        response = client.patch(case_url(case.pk), {"caption": "X"}, format="json")
        assert (response.status_code, response.json()) == (404, missing)
        assert case_row(case) == before


def test_external_id_can_be_cleared(world: World) -> None:
    Case.objects.filter(pk=world.case.pk).update(external_id="CM-0001")

    response = api_as(world.user(Role.COURT_STAFF)).patch(
        case_url(world.case.pk), {"external_id": ""}, format="json"
    )

    assert response.status_code == 200
    assert case_row(world.case)["external_id"] is None


def test_status_cannot_be_patched_around_the_workflow(world: World) -> None:
    response = api_as(world.user(Role.COURT_STAFF)).patch(
        case_url(world.case.pk), {"status": "closed", "docket_number": "X"}, format="json"
    )

    assert response.status_code == 200
    row = case_row(world.case)
    assert (row["status"], row["docket_number"]) == ("intake", "1:26-cr-00001")


BAD_AMENDMENTS: dict[str, tuple[dict[str, Any], str]] = {
    "blank caption": ({"caption": ""}, "caption"),
    "caption too long": ({"caption": "x" * 301}, "caption"),
    "sealed that is not a boolean": ({"sealed": "perhaps"}, "sealed"),
    "external id of another case": ({"external_id": "CM-0002"}, "external_id"),
    "null external id": ({"external_id": None}, "external_id"),
}


@pytest.mark.parametrize("label", BAD_AMENDMENTS)
def test_amendment_with_bad_input_is_refused(world: World, label: str) -> None:
    Case.objects.filter(pk=world.other_case.pk).update(external_id="CM-0002")
    before = case_row(world.case)
    changes, field = BAD_AMENDMENTS[label]

    response = api_as(world.user(Role.COURT_STAFF)).patch(
        case_url(world.case.pk), changes, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert case_row(world.case) == before


# --- moving a case along its workflow ----------------------------------------------------


@pytest.mark.parametrize("role", CASE_MOVERS)
def test_prosecution_and_court_may_open_negotiations(world: World, role: str) -> None:
    response = api_as(world.user(role)).post(
        transition_url(world.case.pk),
        {"to_status": "negotiating", "reason": "Discovery complete."},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["status"] == "negotiating"
    change = CaseStatusChange.objects.get(case=world.case)
    assert (change.from_status, change.to_status, change.reason, change.changed_by) == (
        "intake",
        "negotiating",
        "Discovery complete.",
        world.user(role),
    )


@pytest.mark.parametrize("role", READ_ONLY)
def test_read_only_party_may_not_move_the_case(world: World, role: str) -> None:
    response = api_as(world.user(role)).post(
        transition_url(world.case.pk), {"to_status": "negotiating"}, format="json"
    )

    assert response.status_code == 403
    assert case_row(world.case)["status"] == "intake"
    assert not CaseStatusChange.objects.exists()


@pytest.mark.parametrize("role", [Role.JUDGE, Role.COURT_STAFF])
def test_court_rules_on_a_case_of_the_court_it_does_not_sit_on(world: World, role: str) -> None:
    assert not CaseParticipant.objects.filter(case=world.other_case, user=world.user(role)).exists()

    response = api_as(world.user(role)).post(
        transition_url(world.other_case.pk), {"to_status": "trial"}, format="json"
    )

    assert response.status_code == 200
    assert case_row(world.other_case)["status"] == "trial"


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_moving_a_case_the_user_may_not_see_answers_404(world: World, who: str, role: str) -> None:
    client = api_as(persona(world, who, role))
    move = {"to_status": "dismissed"}
    missing = client.post(transition_url(MISSING_ID), move, format="json").json()

    for case in cases_unseen(world, who, role):
        response = client.post(transition_url(case.pk), move, format="json")
        assert (response.status_code, response.json()) == (404, missing)

    assert not CaseStatusChange.objects.exists()


def test_illegal_move_answers_409_says_why_and_writes_nothing(world: World) -> None:
    response = api_as(world.user(Role.JUDGE)).post(
        transition_url(world.case.pk), {"to_status": "sentenced"}, format="json"
    )

    assert response.status_code == 409
    assert response.json() == {
        "detail": "A case in status “Intake” cannot move to “Sentenced”. "
        "From here it can move to: Dismissed, Negotiating, Trial.",
        "code": "illegal_status_move",
    }
    assert case_row(world.case)["status"] == "intake"
    assert not CaseStatusChange.objects.exists()


def test_prosecution_may_not_enter_the_plea_for_the_court(world: World) -> None:
    Case.objects.filter(pk=world.case.pk).update(status=CaseStatus.AGREEMENT)

    response = api_as(world.user(Role.PROSECUTOR)).post(
        transition_url(world.case.pk), {"to_status": "plea_entered"}, format="json"
    )

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Your side on this case may not move it to “Plea entered”.",
        "code": "permission_denied",
    }
    assert case_row(world.case)["status"] == "agreement"
    assert not CaseStatusChange.objects.exists()


def test_closing_a_case_records_its_closing_date(world: World) -> None:
    Case.objects.filter(pk=world.case.pk).update(status=CaseStatus.SENTENCED)

    response = api_as(world.user(Role.COURT_STAFF)).post(
        transition_url(world.case.pk), {"to_status": "closed"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["closed_on"] == case_services.court_today(world.court).isoformat()


@pytest.mark.parametrize(
    "body", [{}, {"to_status": "appealed"}, {"to_status": ""}, {"to_status": ["closed"]}]
)
def test_move_without_a_known_status_is_a_400(world: World, body: dict[str, Any]) -> None:
    response = api_as(world.user(Role.JUDGE)).post(
        transition_url(world.case.pk), body, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["to_status"]
    assert not CaseStatusChange.objects.exists()


# --- filters and pages -------------------------------------------------------------------


def test_cases_filtered_by_court(world: World) -> None:
    client = api_as(world.strangers[Role.PROSECUTOR])

    here = ids(client.get(cases_url(court=world.court.pk)))
    there = ids(client.get(cases_url(court=world.other_court.pk)))

    assert (here, there) == ([world.other_case.pk], [world.foreign_case.pk])


def test_court_filter_never_widens_what_the_user_sees(world: World) -> None:
    response = api_as(world.user(Role.COURT_STAFF)).get(cases_url(court=world.other_court.pk))

    assert (response.status_code, ids(response)) == (200, [])


def test_cases_filtered_by_status(world: World) -> None:
    Case.objects.filter(pk=world.case.pk).update(status=CaseStatus.NEGOTIATING)
    client = api_as(world.user(Role.COURT_STAFF))

    assert ids(client.get(cases_url(status="negotiating"))) == [world.case.pk]
    assert ids(client.get(cases_url(status="intake"))) == [world.other_case.pk]
    assert set(ids(client.get(cases_url(status=["intake", "negotiating"])))) == {
        world.case.pk,
        world.other_case.pk,
    }


def test_cases_filtered_by_docket_number_exactly(world: World) -> None:
    client = api_as(world.user(Role.JUDGE))

    assert ids(client.get(cases_url(docket_number="1:26-cr-00002"))) == [world.other_case.pk]
    assert ids(client.get(cases_url(docket_number="1:26-cr"))) == []


def test_cases_filtered_by_external_id(world: World) -> None:
    Case.objects.filter(pk=world.case.pk).update(external_id="CM-0001")
    Case.objects.filter(pk=world.other_case.pk).update(external_id="CM-0002")

    response = api_as(world.user(Role.JUDGE)).get(cases_url(external_id="CM-0002"))

    assert ids(response) == [world.other_case.pk]


def test_cases_updated_since_a_moment(world: World) -> None:
    Case.objects.filter(pk=world.case.pk).update(
        updated_at=dt.datetime(2026, 1, 10, 12, 0, tzinfo=dt.UTC)
    )
    Case.objects.filter(pk=world.other_case.pk).update(
        updated_at=dt.datetime(2026, 2, 10, 12, 0, tzinfo=dt.UTC)
    )
    client = api_as(world.user(Role.JUDGE))

    since_february = client.get(cases_url(updated_at__gte="2026-02-01T00:00:00Z"))
    to_the_second = client.get(cases_url(updated_at__gte="2026-02-10T12:00:00+00:00"))
    since_new_year = client.get(cases_url(updated_at__gte="2026-01-01T00:00:00Z"))

    assert ids(since_february) == ids(to_the_second) == [world.other_case.pk]
    assert set(ids(since_new_year)) == {world.case.pk, world.other_case.pk}


@pytest.mark.parametrize(
    ("q", "expected"),
    [("roe", "other_case"), ("ROE", "other_case"), ("00001", "case"), ("nobody", None)],
)
def test_cases_searched_by_docket_number_or_caption(
    world: World, q: str, expected: str | None
) -> None:
    response = api_as(world.user(Role.COURT_STAFF)).get(cases_url(q=q))

    assert ids(response) == ([getattr(world, expected).pk] if expected else [])


def test_search_does_not_find_cases_the_user_may_not_see(world: World) -> None:
    response = api_as(world.user(Role.DEFENSE_COUNSEL)).get(cases_url(q="roe"))

    assert ids(response) == []


@pytest.mark.parametrize(
    "params",
    [
        {"court": "district"},
        {"court": MISSING_ID},
        {"status": "appealed"},
        {"updated_at__gte": "last tuesday"},
        {"opened_on__gte": "2026-13-01"},
    ],
)
def test_bad_filter_value_is_a_400_naming_the_filter(world: World, params: dict[str, Any]) -> None:
    response = api_as(world.user(Role.COURT_STAFF)).get(cases_url(**params))

    assert response.status_code == 400
    assert list(response.json()) == list(params)


def test_case_list_pages_follow_the_next_link_newest_first(world: World) -> None:
    clerk = world.user(Role.COURT_STAFF)
    bulk_grant_view(bulk_cases(world.court, 5), group=world.court.group)
    client = api_as(clerk)
    everything = sorted(Case.objects.filter(court=world.court).values_list("pk", flat=True))
    assert len(everything) == 7

    seen: list[int] = []
    sizes: list[int] = []
    url: str | None = cases_url(page_size=3)
    while url:
        page = client.get(url).json()
        sizes.append(len(page["results"]))
        seen += [row["id"] for row in page["results"]]
        url = page["next"]

    assert sizes == [3, 3, 1]
    assert seen == sorted(everything, reverse=True)


def test_judge_on_the_case_and_in_the_court_sees_each_case_once_per_page(world: World) -> None:
    # The judge holds the own case twice: as a participant and through the court's group.
    bulk_grant_view(bulk_cases(world.court, 3), group=world.court.group)
    client = api_as(world.user(Role.JUDGE))

    first = client.get(cases_url(page_size=2)).json()
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()

    seen = [row["id"] for page in (first, second, third) for row in page["results"]]
    assert seen == sorted(Case.objects.filter(court=world.court).values_list("pk", flat=True))[::-1]
    assert third["next"] is None


def test_previous_link_returns_to_the_page_before(world: World) -> None:
    bulk_grant_view(bulk_cases(world.court, 5), group=world.court.group)
    client = api_as(world.user(Role.COURT_STAFF))

    first = client.get(cases_url(page_size=3)).json()
    second = client.get(first["next"]).json()
    back = client.get(second["previous"]).json()

    assert first["previous"] is None
    assert ids_of(back) == ids_of(first)
    assert back["previous"] is None


@pytest.mark.parametrize(
    "params",
    [
        {"page_size": 0},
        {"page_size": "ten"},
        {"cursor": "not-a-cursor"},
        {"cursor": "c2lkZXdheXM6MTI="},  # "sideways:12"
    ],
)
def test_bad_page_size_or_cursor_is_a_400(world: World, params: dict[str, Any]) -> None:
    response = api_as(world.user(Role.COURT_STAFF)).get(cases_url(**params))

    assert (response.status_code, list(response.json())) == (400, list(params))


def test_page_size_is_capped_at_two_hundred(world: World) -> None:
    bulk_grant_view(bulk_cases(world.court, 205), group=world.court.group)

    page = api_as(world.user(Role.COURT_STAFF)).get(cases_url(page_size=1000)).json()

    assert len(page["results"]) == 200


def test_next_link_keeps_the_filters(world: World) -> None:
    bulk_grant_view(bulk_cases(world.court, 3), group=world.court.group)
    Case.objects.filter(pk=world.case.pk).update(status=CaseStatus.NEGOTIATING)
    client = api_as(world.user(Role.JUDGE))

    first = client.get(cases_url(status="intake", page_size=2)).json()
    second = client.get(first["next"]).json()

    assert "status=intake" in first["next"]
    assert len(first["results"]) + len(second["results"]) == 4
    assert second["next"] is None
    assert world.case.pk not in [row["id"] for row in first["results"] + second["results"]]


def test_default_page_holds_fifty_cases(world: World) -> None:
    bulk_grant_view(bulk_cases(world.court, 60), group=world.court.group)

    page = api_as(world.user(Role.COURT_STAFF)).get(cases_url()).json()

    assert len(page["results"]) == 50
    assert page["next"] is not None


def test_case_list_query_count_is_the_same_for_one_case_and_fifty(world: World) -> None:
    counsel = world.user(Role.DEFENSE_COUNSEL)
    client = api_as(counsel)
    one, queries_for_one = counting_queries(lambda: client.get(cases_url()))

    bulk_grant_view(bulk_cases(world.court, 49), user=counsel)
    fifty, queries_for_fifty = counting_queries(lambda: client.get(cases_url()))

    assert (len(ids(one)), len(ids(fifty))) == (1, 50)
    assert queries_for_one == queries_for_fifty == CASE_LIST_QUERIES


def test_court_case_list_query_count_is_the_same_for_two_cases_and_fifty(world: World) -> None:
    client = api_as(world.user(Role.JUDGE))
    two, queries_for_two = counting_queries(lambda: client.get(cases_url()))

    bulk_grant_view(bulk_cases(world.court, 48), group=world.court.group)
    fifty, queries_for_fifty = counting_queries(lambda: client.get(cases_url()))

    assert (len(ids(two)), len(ids(fifty))) == (2, 50)
    assert queries_for_two == queries_for_fifty == CASE_LIST_QUERIES
