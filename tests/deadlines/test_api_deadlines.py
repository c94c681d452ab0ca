"""/api/v1/deadlines/, /api/v1/rules/ and /api/v1/closures/: deadlines set by hand or computed
by a rule, overridden with a reason, met, cancelled and reopened; the rules that compute them;
the days a court is closed. The negotiation's own deadlines are read by the offer readers only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from cases.models import Jurisdiction
from deadlines import services
from deadlines.models import CourtClosure, Deadline, DeadlineKind, DeadlineRule
from negotiations import services as negotiation_services
from parties.models import Role
from tests.api_date_helpers import (
    COMPLETERS_ONLY,
    COURT_KEEPS_CALENDAR,
    COURT_STAFF_ONLY_CLOSURES,
    HUGE,
    KEEPERS,
    NO_DEADLINE,
    NOW,
    PARTIES,
    date_rows,
    table,
)
from tests.api_helpers import MISSING_ID, PERSONA_IDS, PERSONAS, counting_queries, ids, persona
from tests.api_negotiation_helpers import Answer, answer_of, expected, succeeded, url
from tests.conftest import World, api_as
from tests.deadline_helpers import (
    CN_EXPEDITED_TRIAL_10,
    US_PSR_35_BEFORE,
    US_PSR_OBJECTIONS_14,
    US_TRIAL_70,
    at,
    clerk,
    event_deadline,
    manual_deadline,
    rule,
    sentencing,
)
from tests.negotiation_helpers import sent_offer


@pytest.fixture(autouse=True)
def frozen() -> Iterator[time_machine.Traveller]:
    """Every test here runs at NOW, with the clock stopped."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


# Whether the user is in a group (a court's members; a person's list is then found from their
# own cases, tests/deadlines/test_deadline_list_plan.py), then the page of deadlines with case,
# court and rule.
DEADLINE_LIST_QUERIES = 2
# The deadline, then its history with who changed it.
DEADLINE_DETAIL_QUERIES = 2
RULE_LIST_QUERIES = 1
CLOSURE_LIST_QUERIES = 1

TRIAL_70_EXPLANATION = (
    "Trial within 70 days (Speedy Trial Act) (18 U.S.C. § 3161(c)(1) (excludable time under "
    "§ 3161(h) not counted))\n"
    "Trigger 2026-11-02 excluded (Rule 45(a)(1)(A))\n"
    "70 calendar days after → 2027-01-11"
)


def manual_body(world: World, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "case": world.case.pk,
        "kind": "discovery_due",
        "title": "Rule 16 discovery to the defense",
        "responsible_side": "prosecution",
        "due_date": "2026-12-21",
    }
    body.update(changes)
    return body


def computed_body(world: World, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "case": world.case.pk,
        "rule": rule(US_TRIAL_70).pk,
        "trigger_date": "2026-11-02",
    }
    body.update(changes)
    return body


def suggestion_response(world: World) -> Deadline:
    """The prosecution's written answer owed to a duty lawyer's suggestion (7 days, seeded)."""
    suggestion = negotiation_services.suggestion_submit(
        case=world.case, by=world.user(Role.DUTY_LAWYER), text="Consider diversion."
    )
    return Deadline.objects.get(suggestion=suggestion)


def offer_expiry(world: World) -> Deadline:
    """The expiry of a prosecution offer sent today, due in a week: defense must answer."""
    offer = sent_offer(world)
    return Deadline.objects.get(offer=offer)


# --- reading -------------------------------------------------------------------------------------

READ_COURT_DATE: dict[str, Answer] = table(200, 200)
# The court stays out of the negotiation (Fed. R. Crim. P. 11(c)(1)): not even its dates.
READ_NEGOTIATION_DATE: dict[str, Answer] = table(404, 200)


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
@pytest.mark.parametrize("kind", ["discovery", "offer_expiry", "suggestion_response"])
def test_who_reads_a_deadline(world: World, kind: str, who: str, role: str) -> None:
    deadline = {
        "discovery": manual_deadline,
        "offer_expiry": offer_expiry,
        "suggestion_response": suggestion_response,
    }[kind](world)
    client = api_as(persona(world, who, role))

    detail = client.get(url("deadline-detail", deadline.pk))
    listed = client.get(url("deadline-list"))
    for_case = client.get(url("deadline-list", case=world.case.pk))

    answer = expected(READ_COURT_DATE if kind == "discovery" else READ_NEGOTIATION_DATE, who, role)
    assert answer_of(detail) == answer
    if answer == 200:
        assert (detail.json()["id"], detail.json()["kind"]) == (deadline.pk, deadline.kind)
        assert ids(listed) == ids(for_case) == [deadline.pk]
    else:
        assert detail.json() == NO_DEADLINE
        assert (listed.status_code, ids(listed), ids(for_case)) == (200, [], [])


def test_a_computed_deadline_shows_its_rule_citation_explanation_and_history(
    world: World,
) -> None:
    deadline = event_deadline(world)  # Speedy Trial Act, 70 days from 2 November 2026

    body = api_as(world.user(Role.DEFENDANT)).get(url("deadline-detail", deadline.pk)).json()

    chosen = rule(US_TRIAL_70)
    assert body == {
        "id": deadline.pk,
        "case": world.case.pk,
        "docket_number": "1:26-cr-00001",
        "time_zone": "America/New_York",
        "kind": "speedy_trial",
        "kind_display": "Speedy-trial limit",
        "title": "Trial within 70 days (Speedy Trial Act)",
        "responsible_side": "court",
        "due_date": "2027-01-11",
        "due_at": None,
        # Midnight at the end of 11 January in New York (EST): 05:00 UTC the next day.
        "due_by": "2027-01-12T05:00:00Z",
        "rule": chosen.pk,
        "rule_code": US_TRIAL_70,
        "citation": chosen.citation,
        "trigger_hearing": None,
        "trigger_date": "2026-11-02",
        "computed_date": "2027-01-11",
        "overridden": False,
        "override_reason": "",
        "explanation": TRIAL_70_EXPLANATION,
        "offer": None,
        "suggestion": None,
        "status": "open",
        "status_display": "Open",
        "closed_at": None,
        "closed_by": None,
        "notes": "",
        "sequence": 0,
        "created_by": clerk(world).pk,
        "created_at": "2026-12-01T12:00:00Z",
        "updated_at": "2026-12-01T12:00:00Z",
        "changes": [
            {
                "id": deadline.changes.get().pk,
                "kind": "created",
                "kind_display": "Created",
                "from_date": None,
                "to_date": "2027-01-11",
                "reason": "",
                "changed_by": clerk(world).pk,
                "changed_by_name": clerk(world).get_full_name(),
                "changed_at": "2026-12-01T12:00:00Z",
            }
        ],
    }


def test_an_offer_expiry_is_due_at_its_time(world: World) -> None:
    deadline = offer_expiry(world)

    body = api_as(world.user(Role.DEFENSE_COUNSEL)).get(url("deadline-detail", deadline.pk)).json()

    # Sent at 12:00 UTC on 1 December, expiring a week later to the minute.
    assert (body["due_date"], body["due_at"], body["due_by"], body["responsible_side"]) == (
        "2026-12-08",
        "2026-12-08T12:00:00Z",
        "2026-12-08T12:00:00Z",
        "defense",
    )


# --- creating ------------------------------------------------------------------------------------

CREATE: dict[str, Answer] = table(201, (403, COURT_KEEPS_CALENDAR))


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_who_may_set_a_deadline_by_hand(world: World, who: str, role: str) -> None:
    user = persona(world, who, role)
    before = date_rows()

    response = api_as(user).post(url("deadline-list"), manual_body(world), format="json")

    answer = expected(CREATE, who, role, stranger=400)
    assert answer_of(response) == answer
    if succeeded(answer):
        body = response.json()
        assert (
            body["kind"],
            body["title"],
            body["due_date"],
            body["due_by"],
            body["rule"],
            body["created_by"],
            [c["kind"] for c in body["changes"]],
        ) == (
            "discovery_due",
            "Rule 16 discovery to the defense",
            "2026-12-21",
            "2026-12-22T05:00:00Z",
            None,
            user.pk,
            ["created"],
        )
        assert Deadline.objects.filter(pk=body["id"], case=world.case).exists()
    else:
        assert date_rows() == before
    if answer == 400:
        assert list(response.json()) == ["case"]


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_who_may_have_a_rule_compute_a_deadline(world: World, who: str, role: str) -> None:
    before = date_rows()

    response = api_as(persona(world, who, role)).post(
        url("deadline-list"), computed_body(world), format="json"
    )

    answer = expected(CREATE, who, role, stranger=400)
    assert answer_of(response) == answer
    if succeeded(answer):
        body = response.json()
        assert (
            body["kind"],
            body["due_date"],
            body["computed_date"],
            body["citation"],
            body["explanation"],
        ) == (
            "speedy_trial",
            "2027-01-11",
            "2027-01-11",
            rule(US_TRIAL_70).citation,
            TRIAL_70_EXPLANATION,
        )
    else:
        assert date_rows() == before


def test_a_rule_counts_from_a_hearing(world: World) -> None:
    hearing = sentencing(world)  # Tuesday 9 February 2027

    response = api_as(clerk(world)).post(
        url("deadline-list"),
        {"case": world.case.pk, "rule": rule(US_PSR_35_BEFORE).pk, "trigger_hearing": hearing.pk},
        format="json",
    )

    body = response.json()
    assert (response.status_code, body["due_date"], body["trigger_hearing"], body["kind"]) == (
        201,
        "2027-01-05",
        hearing.pk,
        "custom",
    )


def test_a_computed_date_rolls_past_a_weekend(world: World) -> None:
    # 14 days after Friday 4 December 2026 is Friday 18 December; after Saturday 5 December it
    # would be Saturday 19 December, which rolls forward to Monday 21 December.
    response = api_as(clerk(world)).post(
        url("deadline-list"),
        computed_body(world, rule=rule(US_PSR_OBJECTIONS_14).pk, trigger_date="2026-12-05"),
        format="json",
    )

    body = response.json()
    assert (response.status_code, body["due_date"], body["explanation"].splitlines()[1:]) == (
        201,
        "2026-12-21",
        [
            "Trigger 2026-12-05 excluded (Rule 45(a)(1)(A))",
            "14 calendar days after → 2026-12-19",
            "2026-12-19 is not a court day (Saturday); rolled forward to 2026-12-21",
        ],
    )


BAD_CREATES: list[tuple[str, str, dict[str, Any], dict[str, list[str]] | list[str]]] = [
    ("manual_without_date", "manual", {"due_date": None}, {"due_date": ["Enter the due date."]}),
    ("manual_without_title", "manual", {"title": ""}, {"title": ["Give the deadline a title."]}),
    (
        "manual_without_kind",
        "manual",
        {"kind": None},
        ["kind"],
    ),
    (
        "manual_kind_missing",
        "manual_no_kind",
        {},
        {"kind": ["Choose the kind of deadline (a rule sets its own)."]},
    ),
    (
        "offer_expiry_by_hand",
        "manual",
        {"kind": "offer_expiry"},
        {"kind": ["Offer expiry follows the offer; it is not set by hand."]},
    ),
    ("unknown_kind", "manual", {"kind": "lunch"}, ["kind"]),
    ("unknown_side", "manual", {"responsible_side": "jury"}, ["responsible_side"]),
    ("words_for_a_date", "manual", {"due_date": "next Friday"}, ["due_date"]),
    ("datetime_for_a_date", "manual", {"due_date": 20261221}, ["due_date"]),
    ("year_9999", "manual", {"due_date": "9999-12-31"}, ["due_date"]),
    ("year_1", "manual", {"due_date": "0001-01-01"}, ["due_date"]),
    ("huge_case", "manual", {"case": HUGE}, ["case"]),
    ("title_too_long", "manual", {"title": "x" * 201}, ["title"]),
    (
        "computed_with_a_date",
        "computed",
        {"due_date": "2027-01-01"},
        {"due_date": ["A computed deadline's date comes from its rule; override it once set."]},
    ),
    (
        "rule_of_another_jurisdiction",
        "computed",
        {"rule": "CN"},
        {"rule": ["Choose an active rule of this case's jurisdiction."]},
    ),
    ("unknown_rule", "computed", {"rule": MISSING_ID}, ["rule"]),
    ("huge_rule", "computed", {"rule": HUGE}, ["rule"]),
    (
        "event_rule_without_date",
        "computed",
        {"trigger_date": None},
        {
            "trigger_date": [
                "Enter the date: Indictment filed or first appearance, whichever is later."
            ]
        },
    ),
    ("far_trigger", "computed", {"trigger_date": "9999-12-31"}, ["trigger_date"]),
    (
        "event_rule_with_a_hearing",
        "computed",
        {"trigger_hearing": MISSING_ID},
        ["trigger_hearing"],
    ),
    (
        "kind_not_the_rules",
        "computed",
        {"kind": "motion_due"},
        {"kind": ["The rule sets the kind: speedy-trial limit."]},
    ),
]


@pytest.mark.parametrize(
    ("base", "changes", "errors"),
    [case[1:] for case in BAD_CREATES],
    ids=[case[0] for case in BAD_CREATES],
)
def test_bad_deadline_is_a_400_for_the_field(
    world: World, base: str, changes: dict[str, Any], errors: dict[str, list[str]] | list[str]
) -> None:
    if changes.get("rule") == "CN":
        changes = {**changes, "rule": rule(CN_EXPEDITED_TRIAL_10).pk}
    if base == "computed":
        body = computed_body(world, **changes)
    else:
        body = manual_body(world, **changes)
        if base == "manual_no_kind":
            del body["kind"]
    before = date_rows()

    response = api_as(clerk(world)).post(url("deadline-list"), body, format="json")

    assert response.status_code == 400
    if isinstance(errors, dict):
        assert response.json() == errors
    else:
        assert list(response.json()) == errors
    assert date_rows() == before


def test_a_hearing_rule_needs_a_hearing_of_its_kind_on_the_case(world: World) -> None:
    other = sentencing(world, case=world.other_case)

    response = api_as(clerk(world)).post(
        url("deadline-list"),
        {"case": world.case.pk, "rule": rule(US_PSR_35_BEFORE).pk, "trigger_hearing": other.pk},
        format="json",
    )

    assert (response.status_code, response.json()) == (
        400,
        {"trigger_hearing": ["Choose a sentencing of this case that is not cancelled."]},
    )


@pytest.mark.parametrize(
    "body", [{}, [], "", [1, 2], {"case": None}], ids=["empty", "list", "string", "numbers", "null"]
)
def test_garbage_bodies_are_a_400_not_a_500(world: World, body: Any) -> None:
    deadline = event_deadline(world)
    client = api_as(clerk(world))
    before = date_rows()

    answers = [
        client.post(url("deadline-list"), body, format="json").status_code,
        client.post(url("deadline-override", deadline.pk), body, format="json").status_code,
        client.post(url("deadline-cancel", deadline.pk), body, format="json").status_code,
        client.post(url("deadline-reopen", deadline.pk), body, format="json").status_code,
    ]
    patched = client.patch(url("deadline-detail", deadline.pk), body, format="json")

    assert answers == [400, 400, 400, 400]
    # PATCH naming nothing it changes changes nothing; anything not an object is a 400.
    assert patched.status_code == (200 if isinstance(body, dict) else 400)
    assert date_rows() == before


# --- overriding ----------------------------------------------------------------------------------

ACT: dict[str, Answer] = table(200, (403, COURT_KEEPS_CALENDAR))
OVERRIDE_BODY = {"due_date": "2027-01-20", "reason": "Order of 2026-12-01 excludes 9 days."}


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_who_may_override_a_computed_date(world: World, who: str, role: str) -> None:
    deadline = event_deadline(world)
    user = persona(world, who, role)
    before = date_rows()

    response = api_as(user).post(
        url("deadline-override", deadline.pk), OVERRIDE_BODY, format="json"
    )

    answer = expected(ACT, who, role)
    assert answer_of(response) == answer
    if succeeded(answer):
        body = response.json()
        assert (
            body["due_date"],
            body["computed_date"],
            body["overridden"],
            body["override_reason"],
            body["changes"][-1]["kind"],
            body["changes"][-1]["from_date"],
            body["changes"][-1]["to_date"],
            body["changes"][-1]["changed_by"],
        ) == (
            "2027-01-20",
            "2027-01-11",
            True,
            "Order of 2026-12-01 excludes 9 days.",
            "overridden",
            "2027-01-11",
            "2027-01-20",
            user.pk,
        )
    else:
        assert date_rows() == before
    if answer == 404:
        assert response.json() == NO_DEADLINE


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"reason": ""}, {"reason": ["Give the reason for overriding the computed date."]}),
        ({"reason": "  "}, {"reason": ["Give the reason for overriding the computed date."]}),
        ({"due_date": "2027-01-11"}, {"due_date": ["That is already the computed date."]}),
        ({"due_date": "someday"}, ["due_date"]),
        ({"due_date": None}, ["due_date"]),
    ],
    ids=["no_reason", "blank_reason", "same_date", "bad_date", "null_date"],
)
def test_bad_override_is_a_400(
    world: World, changes: dict[str, Any], errors: dict[str, list[str]] | list[str]
) -> None:
    deadline = event_deadline(world)
    before = date_rows()

    response = api_as(clerk(world)).post(
        url("deadline-override", deadline.pk), {**OVERRIDE_BODY, **changes}, format="json"
    )

    assert response.status_code == 400
    if isinstance(errors, dict):
        assert response.json() == errors
    else:
        assert list(response.json()) == errors
    assert date_rows() == before


def test_a_deadline_set_by_hand_has_no_computed_date_to_override(world: World) -> None:
    deadline = manual_deadline(world)

    response = api_as(clerk(world)).post(
        url("deadline-override", deadline.pk), OVERRIDE_BODY, format="json"
    )

    assert (response.status_code, response.json()) == (
        400,
        {"due_date": ["This deadline was set by hand; change its date instead."]},
    )


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_who_may_remove_an_override(world: World, who: str, role: str) -> None:
    deadline = event_deadline(world)
    services.deadline_override(
        deadline=deadline, by=clerk(world), due_date=dt.date(2027, 1, 20), reason="Order."
    )
    before = date_rows()

    response = api_as(persona(world, who, role)).post(url("deadline-remove-override", deadline.pk))

    answer = expected(ACT, who, role)
    assert answer_of(response) == answer
    if succeeded(answer):
        body = response.json()
        assert (
            body["due_date"],
            body["overridden"],
            body["override_reason"],
            body["changes"][-1]["kind"],
        ) == (
            "2027-01-11",
            False,
            "",
            "override_removed",
        )
    else:
        assert date_rows() == before


def test_removing_an_override_that_is_not_there_is_a_conflict(world: World) -> None:
    deadline = event_deadline(world)
    before = date_rows()

    response = api_as(clerk(world)).post(url("deadline-remove-override", deadline.pk))

    assert (response.status_code, response.json()) == (
        409,
        {"detail": "This deadline has no override to remove.", "code": "not_overridden"},
    )
    assert date_rows() == before


# --- editing -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_who_may_edit_a_deadline(world: World, who: str, role: str) -> None:
    deadline = manual_deadline(world)
    before = date_rows()

    response = api_as(persona(world, who, role)).patch(
        url("deadline-detail", deadline.pk),
        {"due_date": "2026-12-22", "reason": "Agreed extension.", "notes": "Per stipulation."},
        format="json",
    )

    answer = expected(ACT, who, role)
    assert answer_of(response) == answer
    if succeeded(answer):
        body = response.json()
        assert (body["due_date"], body["notes"], body["title"], body["changes"][-1]["reason"]) == (
            "2026-12-22",
            "Per stipulation.",
            "Discovery due",
            "Agreed extension.",
        )
    else:
        assert date_rows() == before


def test_moving_the_trigger_moves_the_computed_date(world: World) -> None:
    # 70 days after Monday 9 November 2026 is Monday 18 January 2027, Martin Luther King Jr.
    # Day: the Speedy Trial Act limit runs to Tuesday 19 January (Fed. R. Crim. P. 45(a)(1)(C),
    # (a)(6)(A)).
    deadline = event_deadline(world)

    response = api_as(clerk(world)).patch(
        url("deadline-detail", deadline.pk),
        {"trigger_date": "2026-11-09", "reason": "Superseding indictment."},
        format="json",
    )

    body = response.json()
    assert (
        response.status_code,
        body["trigger_date"],
        body["due_date"],
        body["changes"][-1]["kind"],
    ) == (
        200,
        "2026-11-09",
        "2027-01-19",
        "trigger_moved",
    )


def test_a_computed_date_is_not_edited_by_hand(world: World) -> None:
    deadline = event_deadline(world)
    before = date_rows()

    response = api_as(clerk(world)).patch(
        url("deadline-detail", deadline.pk), {"due_date": "2027-01-12"}, format="json"
    )

    assert (response.status_code, response.json()) == (
        400,
        {"due_date": ["This date is computed by its rule; override it with a reason instead."]},
    )
    assert date_rows() == before


# --- meeting, cancelling, reopening --------------------------------------------------------------

# The prosecution had to meet the deadline: the court or the prosecutor marks it met.
COMPLETE: dict[str, Answer] = {
    **dict.fromkeys(KEEPERS, 200),
    Role.PROSECUTOR: 200,
    **dict.fromkeys(
        [Role.DEFENSE_COUNSEL, Role.DUTY_LAWYER, Role.DEFENDANT], (403, COMPLETERS_ONLY)
    ),
}


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_who_may_mark_a_deadline_met(world: World, who: str, role: str) -> None:
    deadline = manual_deadline(world, responsible_side="prosecution")
    user = persona(world, who, role)
    before = date_rows()

    response = api_as(user).post(url("deadline-complete", deadline.pk))

    answer = expected(COMPLETE, who, role)
    assert answer_of(response) == answer
    if succeeded(answer):
        body = response.json()
        assert (
            body["status"],
            body["closed_by"],
            body["closed_at"],
            body["changes"][-1]["kind"],
        ) == (
            "met",
            user.pk,
            "2026-12-01T12:00:00Z",
            "met",
        )
    else:
        assert date_rows() == before


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_who_may_cancel_a_deadline(world: World, who: str, role: str) -> None:
    deadline = manual_deadline(world)
    before = date_rows()

    response = api_as(persona(world, who, role)).post(
        url("deadline-cancel", deadline.pk), {"reason": "Charge dismissed."}, format="json"
    )

    answer = expected(ACT, who, role)
    assert answer_of(response) == answer
    if succeeded(answer):
        body = response.json()
        assert (body["status"], body["changes"][-1]["kind"], body["changes"][-1]["reason"]) == (
            "cancelled",
            "cancelled",
            "Charge dismissed.",
        )
    else:
        assert date_rows() == before


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_who_may_reopen_a_deadline(world: World, who: str, role: str) -> None:
    deadline = manual_deadline(world)
    services.deadline_cancel(deadline=deadline, by=clerk(world), reason="By mistake.")
    before = date_rows()

    response = api_as(persona(world, who, role)).post(
        url("deadline-reopen", deadline.pk), {"reason": "Cancelled in error."}, format="json"
    )

    answer = expected(ACT, who, role)
    assert answer_of(response) == answer
    if succeeded(answer):
        body = response.json()
        assert (body["status"], body["closed_at"], body["changes"][-1]["kind"]) == (
            "open",
            None,
            "reopened",
        )
    else:
        assert date_rows() == before


@pytest.mark.parametrize("route", ["deadline-cancel", "deadline-reopen"])
def test_cancel_and_reopen_need_a_reason(world: World, route: str) -> None:
    deadline = manual_deadline(world)
    if route == "deadline-reopen":
        services.deadline_complete(deadline=deadline, by=clerk(world))
    before = date_rows()

    response = api_as(clerk(world)).post(url(route, deadline.pk), {"reason": ""}, format="json")

    word = "cancelling" if route == "deadline-cancel" else "reopening"
    assert (response.status_code, response.json()) == (
        400,
        {"reason": [f"Give the reason for {word} the deadline."]},
    )
    assert date_rows() == before


ILLEGAL = [
    (
        "complete_met",
        "met",
        "deadline-complete",
        {},
        "This deadline is met; reopen it first.",
        "deadline_met",
    ),
    (
        "cancel_met",
        "met",
        "deadline-cancel",
        {"reason": "x"},
        "This deadline is met; reopen it first.",
        "deadline_met",
    ),
    (
        "override_cancelled",
        "cancelled",
        "deadline-override",
        OVERRIDE_BODY,
        "This deadline is cancelled; reopen it first.",
        "deadline_cancelled",
    ),
    (
        "reopen_open",
        "open",
        "deadline-reopen",
        {"reason": "x"},
        "This deadline is open.",
        "deadline_open",
    ),
]


@pytest.mark.parametrize(
    ("state", "route", "body", "detail", "code"),
    [case[1:] for case in ILLEGAL],
    ids=[case[0] for case in ILLEGAL],
)
def test_illegal_moves_are_409_and_change_nothing(
    world: World, state: str, route: str, body: dict[str, Any], detail: str, code: str
) -> None:
    deadline = event_deadline(world)
    if state == "met":
        services.deadline_complete(deadline=deadline, by=clerk(world))
    elif state == "cancelled":
        services.deadline_cancel(deadline=deadline, by=clerk(world), reason="Dismissed.")
    before = date_rows()

    response = api_as(clerk(world)).post(url(route, deadline.pk), body, format="json")

    assert (response.status_code, response.json()) == (409, {"detail": detail, "code": code})
    assert date_rows() == before


NEGOTIATION_DATE_BY_HAND: dict[str, Answer] = {
    # The court never sees the negotiation's dates.
    **dict.fromkeys(KEEPERS, 404),
    # The defense had to answer the offer: it may mark it met, but it follows the offer.
    **dict.fromkeys(
        [Role.DEFENSE_COUNSEL, Role.DUTY_LAWYER],
        (409, "Offer expiry follows the negotiation (the offer); it is not changed by hand."),
    ),
    Role.PROSECUTOR: (403, COMPLETERS_ONLY),
    Role.DEFENDANT: (403, COMPLETERS_ONLY),
}


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_the_negotiations_dates_are_not_marked_met_by_hand(
    world: World, who: str, role: str
) -> None:
    deadline = offer_expiry(world)
    before = date_rows()

    response = api_as(persona(world, who, role)).post(url("deadline-complete", deadline.pk))

    assert answer_of(response) == expected(NEGOTIATION_DATE_BY_HAND, who, role)
    assert date_rows() == before


# --- the list: filters and queries ---------------------------------------------------------------


def test_list_filters(world: World) -> None:
    discovery = manual_deadline(world)  # 18 December
    motion = manual_deadline(
        world, kind=DeadlineKind.MOTION_DUE, title="Motions", due_date=dt.date(2026, 12, 11)
    )
    trial = event_deadline(world)  # 11 January
    other = manual_deadline(world, case=world.other_case, due_date=dt.date(2026, 12, 30))
    services.deadline_complete(deadline=motion, by=clerk(world))
    client = api_as(clerk(world))

    def listed(**params: Any) -> list[int]:
        response = client.get(url("deadline-list", **params))
        assert response.status_code == 200, response.json()
        return ids(response)

    assert listed() == [motion.pk, discovery.pk, other.pk, trial.pk]
    assert listed(case=world.case.pk) == [motion.pk, discovery.pk, trial.pk]
    assert listed(case=world.foreign_case.pk) == []
    assert listed(kind="speedy_trial") == [trial.pk]
    assert listed(kind=["motion_due", "speedy_trial"]) == [motion.pk, trial.pk]
    assert listed(status="met") == [motion.pk]
    assert listed(status="open") == [discovery.pk, other.pk, trial.pk]
    assert listed(due_date__gte="2026-12-18") == [discovery.pk, other.pk, trial.pk]
    assert listed(due_date__lte="2026-12-18") == [motion.pk, discovery.pk]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"case": "x"}, "case"),
        ({"kind": "lunch"}, "kind"),
        ({"status": "late"}, "status"),
        ({"due_date__gte": "soon"}, "due_date__gte"),
        ({"due_date__lte": "2026-02-30"}, "due_date__lte"),
    ],
)
def test_bad_filters_are_a_400_for_the_parameter(
    world: World, params: dict[str, str], field: str
) -> None:
    response = api_as(clerk(world)).get(url("deadline-list", **params))

    assert (response.status_code, list(response.json())) == (400, [field])


def test_list_query_count_does_not_grow_with_deadlines(world: World) -> None:
    event_deadline(world)
    client = api_as(world.user(Role.DEFENSE_COUNSEL))

    one, queries_for_one = counting_queries(lambda: client.get(url("deadline-list")))
    for day in range(1, 21):
        manual_deadline(world, due_date=dt.date(2027, 2, day), title=f"Day {day}")
        event_deadline(world, trigger_date=dt.date(2026, 10, day))
    offer_expiry(world)
    many, queries_for_many = counting_queries(lambda: client.get(url("deadline-list")))

    assert (len(one.json()["results"]), len(many.json()["results"])) == (1, 42)
    assert queries_for_one == queries_for_many == DEADLINE_LIST_QUERIES


def test_detail_query_count_does_not_grow_with_history(
    world: World, django_assert_num_queries: Any
) -> None:
    deadline = event_deadline(world)
    for day in (12, 13, 14):
        services.deadline_override(
            deadline=deadline,
            by=clerk(world),
            due_date=dt.date(2027, 1, day),
            reason=f"Order {day}.",
        )
    client = api_as(world.user(Role.DUTY_LAWYER))

    with django_assert_num_queries(DEADLINE_DETAIL_QUERIES):
        response = client.get(url("deadline-detail", deadline.pk))

    assert [c["kind"] for c in response.json()["changes"]] == [
        "created",
        "overridden",
        "overridden",
        "overridden",
    ]


# --- rules ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_everyone_signed_in_reads_the_rules(world: World, who: str, role: str) -> None:
    us = Jurisdiction.objects.get(code="us-fed")
    client = api_as(persona(world, who, role))

    listed = client.get(url("deadline-rule-list", jurisdiction=us.pk, page_size=200))
    detail = client.get(url("deadline-rule-detail", rule(US_TRIAL_70).pk))

    assert sorted(ids(listed)) == sorted(
        DeadlineRule.objects.filter(jurisdiction=us).values_list("pk", flat=True)
    )
    assert (
        detail.status_code,
        detail.json()["code"],
        detail.json()["trigger"],
        detail.json()["offset"],
    ) == (
        200,
        US_TRIAL_70,
        "event",
        70,
    )


def test_rules_are_read_only(world: World) -> None:
    client = api_as(clerk(world))
    before = list(DeadlineRule.objects.order_by("pk").values())

    created = client.post(url("deadline-rule-list"), {"code": "x"}, format="json")
    deleted = client.delete(url("deadline-rule-detail", rule(US_TRIAL_70).pk))

    assert (created.status_code, deleted.status_code) == (405, 405)
    assert list(DeadlineRule.objects.order_by("pk").values()) == before


def test_rule_list_query_count(world: World, django_assert_num_queries: Any) -> None:
    client = api_as(world.user(Role.DEFENDANT))

    with django_assert_num_queries(RULE_LIST_QUERIES):
        response = client.get(url("deadline-rule-list", page_size=200))

    assert len(response.json()["results"]) == DeadlineRule.objects.count() > 5


PREVIEW: dict[str, Answer] = table(200, 200)


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_who_may_preview_a_rule_on_a_case(world: World, who: str, role: str) -> None:
    chosen = rule(US_PSR_OBJECTIONS_14)
    before = date_rows()

    response = api_as(persona(world, who, role)).get(
        url("deadline-rule-preview", chosen.pk, case=world.case.pk, trigger_date="2026-12-05")
    )

    answer = expected(PREVIEW, who, role, stranger=400)
    assert answer_of(response) == answer
    if answer == 200:
        assert response.json() == {
            "rule": chosen.pk,
            "case": world.case.pk,
            "trigger_date": "2026-12-05",
            "date": "2026-12-21",
            "rolled_from": "2026-12-19",
            "citation": "Fed. R. Crim. P. 32(f)(1)",
            "explanation": [
                "Trigger 2026-12-05 excluded (Rule 45(a)(1)(A))",
                "14 calendar days after → 2026-12-19",
                "2026-12-19 is not a court day (Saturday); rolled forward to 2026-12-21",
            ],
        }
    else:
        assert list(response.json()) == ["case"]
    assert date_rows() == before


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({}, ["case", "trigger_date"]),
        ({"trigger_date": "2026-12-05"}, ["case"]),
        ({"case": "CASE", "trigger_date": "tomorrow"}, ["trigger_date"]),
        ({"case": "CASE", "trigger_date": "9999-12-31"}, ["trigger_date"]),
        ({"case": HUGE, "trigger_date": "2026-12-05"}, ["case"]),
        ({"case": "CASE", "trigger_date": "2026-12-05", "rule": "CN"}, ["rule"]),
    ],
    ids=["nothing", "no_case", "bad_date", "far_date", "huge_case", "foreign_rule"],
)
def test_bad_preview_is_a_400(world: World, params: dict[str, Any], fields: list[str]) -> None:
    params = {k: (world.case.pk if v == "CASE" else v) for k, v in params.items()}
    chosen = rule(
        CN_EXPEDITED_TRIAL_10 if params.pop("rule", None) == "CN" else US_PSR_OBJECTIONS_14
    )

    response = api_as(clerk(world)).get(url("deadline-rule-preview", chosen.pk, **params))

    assert (response.status_code, sorted(response.json())) == (400, fields)


def test_preview_of_a_missing_rule_is_a_404(world: World) -> None:
    response = api_as(clerk(world)).get(
        url("deadline-rule-preview", MISSING_ID, case=world.case.pk, trigger_date="2026-12-05")
    )

    assert (response.status_code, response.json()) == (
        404,
        {"detail": "Not found.", "code": "not_found"},
    )


# --- closure days --------------------------------------------------------------------------------

ADD_CLOSURE: dict[str, Answer] = {
    Role.COURT_STAFF: 201,
    **dict.fromkeys([*PARTIES, Role.JUDGE], (403, COURT_STAFF_ONLY_CLOSURES)),
}


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_who_may_enter_a_closure_day(world: World, who: str, role: str) -> None:
    user = persona(world, who, role)
    before = date_rows()

    response = api_as(user).post(
        url("closure-list"),
        {"court": world.court.pk, "date": "2026-12-16", "reason": "Closed for snow."},
        format="json",
    )

    # The other court's clerk is court staff, but not of this court.
    answer = expected(ADD_CLOSURE, who, role, stranger=(403, COURT_STAFF_ONLY_CLOSURES))
    assert answer_of(response) == answer
    if succeeded(answer):
        closure = CourtClosure.objects.get()
        assert response.json() == {
            "id": closure.pk,
            "court": world.court.pk,
            "date": "2026-12-16",
            "reason": "Closed for snow.",
            "created_by": user.pk,
            "created_at": "2026-12-01T12:00:00Z",
        }
    else:
        assert date_rows() == before


def test_a_closure_day_moves_the_computed_deadlines_that_end_on_it(world: World) -> None:
    # 14 days after Wednesday 2 December: Wednesday 16 December.
    deadline = event_deadline(world, code=US_PSR_OBJECTIONS_14, trigger_date=dt.date(2026, 12, 2))
    client = api_as(clerk(world))

    added = client.post(
        url("closure-list"),
        {"court": world.court.pk, "date": "2026-12-16", "reason": "Closed for snow."},
        format="json",
    )
    moved = api_as(world.user(Role.DEFENSE_COUNSEL)).get(url("deadline-detail", deadline.pk)).json()
    removed = client.delete(url("closure-detail", added.json()["id"]))
    back = api_as(world.user(Role.DEFENSE_COUNSEL)).get(url("deadline-detail", deadline.pk)).json()

    assert (added.status_code, moved["due_date"], moved["explanation"].splitlines()[-1]) == (
        201,
        "2026-12-17",
        "2026-12-16: the clerk's office is inaccessible (Court closed: Closed for snow.); time "
        "extended to 2026-12-17, the first accessible day that is not a Saturday, Sunday or "
        "legal holiday (Rule 45(a)(3)(A))",
    )
    assert (removed.status_code, back["due_date"]) == (204, "2026-12-16")
    assert [c["kind"] for c in back["changes"]] == ["created", "recomputed", "recomputed"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"date": "2026-12-16", "reason": ""}, "reason"),
        ({"date": "2026-12-16", "reason": "   "}, "reason"),
        ({"date": "snow day", "reason": "Snow."}, "date"),
        ({"date": "9999-01-01", "reason": "Snow."}, "date"),
        ({"reason": "Snow."}, "date"),
        ({"date": "2026-12-16", "reason": "Snow.", "court": MISSING_ID}, "court"),
        ({"date": "2026-12-16", "reason": "Snow.", "court": HUGE}, "court"),
    ],
    ids=[
        "no_reason",
        "blank_reason",
        "bad_date",
        "far_date",
        "no_date",
        "missing_court",
        "huge_court",
    ],
)
def test_bad_closure_is_a_400(world: World, body: dict[str, Any], field: str) -> None:
    before = date_rows()

    response = api_as(clerk(world)).post(
        url("closure-list"), {"court": world.court.pk, **body}, format="json"
    )

    assert (response.status_code, list(response.json())) == (400, [field])
    assert date_rows() == before


def test_a_court_is_closed_once_a_day(world: World) -> None:
    services.closure_add(
        court=world.court, by=clerk(world), date=dt.date(2026, 12, 16), reason="Snow."
    )

    response = api_as(clerk(world)).post(
        url("closure-list"),
        {"court": world.court.pk, "date": "2026-12-16", "reason": "Ice."},
        format="json",
    )

    assert (response.status_code, response.json()) == (
        400,
        {"date": ["The court is already closed on 2026-12-16."]},
    )


REMOVE_CLOSURE: dict[str, Answer] = {**ADD_CLOSURE, Role.COURT_STAFF: 204}


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_who_may_remove_a_closure_day(world: World, who: str, role: str) -> None:
    closure = services.closure_add(
        court=world.court, by=clerk(world), date=dt.date(2026, 12, 16), reason="Snow."
    )
    before = date_rows()

    response = api_as(persona(world, who, role)).delete(url("closure-detail", closure.pk))

    answer = expected(REMOVE_CLOSURE, who, role, stranger=(403, COURT_STAFF_ONLY_CLOSURES))
    assert answer_of(response) == answer
    if succeeded(answer):
        assert not CourtClosure.objects.exists()
    else:
        assert date_rows() == before


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_everyone_signed_in_reads_closure_days(world: World, who: str, role: str) -> None:
    ours = services.closure_add(
        court=world.court, by=clerk(world), date=dt.date(2026, 12, 16), reason="Snow."
    )
    theirs = services.closure_add(
        court=world.other_court,
        by=world.strangers[Role.COURT_STAFF],
        date=dt.date(2026, 12, 24),
        reason="Holiday.",
    )
    client = api_as(persona(world, who, role))

    assert ids(client.get(url("closure-list"))) == [ours.pk, theirs.pk]
    assert ids(client.get(url("closure-list", court=world.other_court.pk))) == [theirs.pk]
    assert ids(client.get(url("closure-list", date__gte="2026-12-17"))) == [theirs.pk]
    assert ids(client.get(url("closure-list", date__lte="2026-12-17"))) == [ours.pk]
    assert client.get(url("closure-detail", ours.pk)).json()["reason"] == "Snow."


def test_closure_list_query_count(world: World, django_assert_num_queries: Any) -> None:
    for day in range(1, 11):
        services.closure_add(
            court=world.court, by=clerk(world), date=dt.date(2027, 3, day), reason="Repairs."
        )
    client = api_as(world.user(Role.DEFENDANT))

    with django_assert_num_queries(CLOSURE_LIST_QUERIES):
        response = client.get(url("closure-list", court=world.court.pk))

    assert len(response.json()["results"]) == 10


def test_hearing_helper_is_in_new_york(world: World) -> None:
    # The helpers' wall clock, which the expectations above rely on.
    assert at(2026, 12, 15, 9).utcoffset() == dt.timedelta(hours=-5)
