"""/api/v1/offers/: offers and counteroffers, round by round, for both sides and never for
the court; every move through the API, legal and illegal, for every role."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cases.models import CaseStatus
from negotiations import services
from negotiations.models import (
    Concession,
    ConcessionKind,
    Offer,
    OfferStatus,
    PleaAgreement,
)
from parties.models import Role, Side
from tests.api_helpers import MISSING_ID, PERSONA_IDS, PERSONAS, ids, persona
from tests.api_negotiation_helpers import (
    COURT,
    COURT_STAYS_OUT,
    DEFENDANT_READS_ONLY,
    DEFENSE_LAWYERS,
    NO_OFFER,
    NOT_A_NEGOTIATOR,
    READERS,
    Answer,
    answer_of,
    counter_body,
    expected,
    negotiation_rows,
    offer_body,
    succeeded,
    url,
)
from tests.conftest import World, api_as
from tests.negotiation_helpers import (
    charge_of,
    cn_case,
    consideration_mandatory,
    counter_input,
    draft_offer,
    plea_input,
    sent_offer,
)

# The list: whether the user sits in a court that reads offers (a party's list is then found
# from their own cases, tests/negotiations/test_list_plans.py), offers with author and case,
# then their terms, then their concessions.
OFFER_LIST_QUERIES = 4
# With ?case=: the case (scoped to the user) and the user's roles on it come first.
OFFER_LIST_FOR_CASE_QUERIES = 6


def defense_draft(world: World) -> Offer:
    """A defense proposal expiring in a week."""
    return services.offer_create(
        case=world.case,
        by=world.user(Role.DEFENSE_COUNSEL),
        data=counter_input(world, expires_at=timezone.now() + dt.timedelta(days=7)),
    )


def defense_proposal_closed_unanswered(world: World) -> Offer:
    """A defense proposal that expired unanswered: the prosecution still owes it a written
    response before its next offer."""
    offer = services.offer_send(offer=defense_draft(world), by=world.user(Role.DEFENSE_COUNSEL))
    Offer.objects.filter(pk=offer.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    services.offers_expire_due()
    offer.refresh_from_db()
    assert offer.status == OfferStatus.EXPIRED
    return offer


def name_of(world: World, role: str) -> str:
    user = world.user(role)
    return user.get_full_name() or user.get_username()


# --- who reads which offer -----------------------------------------------------------------------

# A sent offer: the parties read it; the court and strangers are told it does not exist.
READ_SENT: dict[str, Answer] = {
    **dict.fromkeys(READERS, 200),
    **dict.fromkeys(COURT, 404),
}
# A prosecution draft: the prosecution alone.
READ_PROSECUTION_DRAFT: dict[str, Answer] = {
    Role.PROSECUTOR: 200,
    **dict.fromkeys([*DEFENSE_LAWYERS, Role.DEFENDANT, *COURT], 404),
}
# A defense draft: the defense side, the defendant included.
READ_DEFENSE_DRAFT: dict[str, Answer] = {
    Role.PROSECUTOR: 404,
    **dict.fromkeys([*DEFENSE_LAWYERS, Role.DEFENDANT], 200),
    **dict.fromkeys(COURT, 404),
}


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
@pytest.mark.parametrize(
    ("stage", "table"),
    [
        ("sent", READ_SENT),
        ("prosecution_draft", READ_PROSECUTION_DRAFT),
        ("defense_draft", READ_DEFENSE_DRAFT),
    ],
)
def test_who_reads_an_offer_and_its_exposure(
    world: World, stage: str, table: dict[str, Answer], who: str, role: str
) -> None:
    offer = {
        "sent": sent_offer,
        "prosecution_draft": draft_offer,
        "defense_draft": defense_draft,
    }[stage](world)
    client = api_as(persona(world, who, role))

    detail = client.get(url("offer-detail", offer.pk))
    exposure = client.get(url("offer-exposure", offer.pk))

    answer = expected(table, who, role)
    assert (answer_of(detail), answer_of(exposure)) == (answer, answer)
    if answer == 200:
        assert detail.json()["id"] == offer.pk
        assert exposure.json() == detail.json()["exposure"]
    else:
        assert detail.json() == exposure.json() == NO_OFFER


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_offer_list_shows_each_persona_the_offers_it_may_read(
    world: World, who: str, role: str
) -> None:
    sent = sent_offer(world)
    prosecution_draft = draft_offer(world)
    defense = defense_draft(world)
    visible: dict[str, set[int]] = {
        Role.PROSECUTOR: {sent.pk, prosecution_draft.pk},
        Role.DEFENSE_COUNSEL: {sent.pk, defense.pk},
        Role.DUTY_LAWYER: {sent.pk, defense.pk},
        Role.DEFENDANT: {sent.pk, defense.pk},
        Role.JUDGE: set(),
        Role.COURT_STAFF: set(),
    }

    response = api_as(persona(world, who, role)).get(url("offer-list"))

    assert response.status_code == 200
    assert set(ids(response)) == (visible[role] if who == "party" else set())


# ?case= on the own case: the parties see its negotiation; the court, which sees the case,
# is told why it may not; strangers, who do not see the case, get an empty list as for a
# case that does not exist.
LIST_FOR_CASE: dict[str, Answer] = {
    **dict.fromkeys(READERS, 200),
    **dict.fromkeys(COURT, (403, COURT_STAYS_OUT)),
}


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_offer_list_for_a_case(world: World, who: str, role: str) -> None:
    offer = sent_offer(world)
    client = api_as(persona(world, who, role))

    response = client.get(url("offer-list", case=world.case.pk))

    answer = expected(LIST_FOR_CASE, who, role, stranger=200)
    assert answer_of(response) == answer
    if who == "party" and answer == 200:
        assert ids(response) == [offer.pk]
    elif answer == 200:
        missing = client.get(url("offer-list", case=MISSING_ID))
        assert response.json() == missing.json() == {"next": None, "previous": None, "results": []}


@pytest.mark.parametrize("role", COURT)
def test_court_is_refused_the_negotiation_of_every_case_it_hears(world: World, role: str) -> None:
    response = api_as(world.user(role)).get(url("offer-list", case=world.other_case.pk))

    assert (response.status_code, response.json()) == (
        403,
        {"detail": COURT_STAYS_OUT, "code": "permission_denied"},
    )


def test_offer_list_filters_by_status(world: World) -> None:
    sent = sent_offer(world)
    draft = draft_offer(world)
    client = api_as(world.user(Role.PROSECUTOR))

    assert ids(client.get(url("offer-list", status="sent"))) == [sent.pk]
    assert ids(client.get(url("offer-list", status="draft"))) == [draft.pk]
    assert ids(client.get(url("offer-list", status=["draft", "sent"]))) == [draft.pk, sent.pk]


@pytest.mark.parametrize(
    "params", [{"case": "abc"}, {"case": "1.5"}, {"status": "pending"}], ids=str
)
def test_offer_list_with_a_bad_filter_is_a_400_naming_it(
    world: World, params: dict[str, str]
) -> None:
    response = api_as(world.user(Role.PROSECUTOR)).get(url("offer-list", **params))

    assert (response.status_code, list(response.json())) == (400, list(params))


def test_offer_list_for_a_case_id_beyond_any_row_is_empty(world: World) -> None:
    response = api_as(world.user(Role.PROSECUTOR)).get(
        url("offer-list", case="99999999999999999999")
    )

    assert (response.status_code, ids(response)) == (200, [])


def test_offer_body_has_terms_concessions_and_exposure(world: World) -> None:
    offer = sent_offer(world)

    body = api_as(world.user(Role.DEFENDANT)).get(url("offer-detail", offer.pk)).json()

    assert {k: body[k] for k in ("case", "round_number", "side", "status", "answers")} == {
        "case": world.case.pk,
        "round_number": 1,
        "side": "prosecution",
        "status": "sent",
        "answers": None,
    }
    assert body["terms"] == [
        {
            "charge": charge_of(world.case).pk,
            "count": 1,
            "citation": "21 U.S.C. 841(a)(1)",
            "title": "Distribution",
            "disposition": "lesser",
            "disposition_display": "Plead guilty to a lesser offence",
            "lesser_statute": world.lesser_statute.pk,
            "lesser_citation": "21 U.S.C. 844",
            "lesser_title": "Simple possession",
        }
    ]
    assert [(c["kind"], c["derived"]) for c in body["concessions"]] == [
        ("charge_reduced", True),
        ("below_range", True),
    ]
    exposure = body["exposure"]
    assert exposure["trial_statutory"] == {"low": 60, "high": 240, "text": "60\u2013240 months"}
    # Offense level 24, category II: 57-71 months (USSG Ch. 5 Pt. A), within 60-240.
    assert exposure["trial_guideline"] == {"low": 57, "high": 71, "text": "57\u201371 months"}
    assert exposure["plea_statutory"] == {"low": 0, "high": 12, "text": "0\u201312 months"}
    assert exposure["plea_expected"] == {"low": 6, "high": 12, "text": "6\u201312 months"}
    assert exposure["trial_penalty"] == pytest.approx(65.5 / 9)
    assert (exposure["counts_filed"], exposure["counts_reduced"]) == (1, 1)
    assert (exposure["counts_dismissed"], exposure["severity_reduced"]) == (0, 6)


def test_a_counter_names_the_offer_it_answers(world: World) -> None:
    offer = sent_offer(world)

    response = api_as(world.user(Role.DEFENSE_COUNSEL)).post(
        url("offer-counter", offer.pk), counter_body(world), format="json"
    )

    assert response.status_code == 201
    assert (response.json()["answers"], response.json()["round_number"]) == (offer.pk, 2)


# --- creating and changing a draft --------------------------------------------------------------

CREATE: dict[str, Answer] = {
    Role.PROSECUTOR: 201,
    Role.DEFENSE_COUNSEL: 201,
    Role.DUTY_LAWYER: 201,
    Role.DEFENDANT: (403, DEFENDANT_READS_ONLY),
    Role.JUDGE: (403, NOT_A_NEGOTIATOR),
    Role.COURT_STAFF: (403, NOT_A_NEGOTIATOR),
}
SIDE_OF: dict[str, str] = {
    Role.PROSECUTOR: Side.PROSECUTION,
    Role.DEFENSE_COUNSEL: Side.DEFENSE,
    Role.DUTY_LAWYER: Side.DEFENSE,
}


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_who_may_draft_an_offer(world: World, who: str, role: str) -> None:
    client = api_as(persona(world, who, role))
    before = negotiation_rows()

    response = client.post(url("offer-list"), offer_body(world), format="json")

    answer = expected(CREATE, who, role, stranger=400)
    assert answer_of(response) == answer
    if succeeded(answer):
        body = response.json()
        assert (body["status"], body["side"], body["author"]) == (
            "draft",
            SIDE_OF[role],
            world.user(role).pk,
        )
        assert Offer.objects.filter(pk=body["id"], case=world.case).exists()
    else:
        assert negotiation_rows() == before
    if answer == 400:
        # A case the stranger may not see is refused like a missing one.
        missing = client.post(url("offer-list"), offer_body(world, case=MISSING_ID), format="json")
        body = str(response.json()).replace(str(world.case.pk), str(MISSING_ID))
        assert body == str(missing.json())
        assert list(missing.json()) == ["case"]


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_who_may_preview_an_offer(world: World, who: str, role: str) -> None:
    before = negotiation_rows()

    response = api_as(persona(world, who, role)).post(
        url("offer-preview"), offer_body(world), format="json"
    )

    # As for drafting, but nothing is created: 200 where drafting answers 201.
    answer: Answer = 400
    if who == "party":
        answer = 200 if CREATE[role] == 201 else CREATE[role]
    assert answer_of(response) == answer
    assert negotiation_rows() == before


def test_preview_shows_the_exposure_and_concessions_without_saving(world: World) -> None:
    body = offer_body(
        world,
        terms=[{"charge": charge_of(world.case).pk, "disposition": "dismiss"}],
        custody_min_months=None,
        custody_max_months=None,
        no_enhancement=True,
    )
    before = negotiation_rows()

    response = api_as(world.user(Role.PROSECUTOR)).post(url("offer-preview"), body, format="json")

    assert response.status_code == 200
    preview = response.json()
    assert [c["kind"] for c in preview["concessions"]] == [
        "count_dismissed",
        "enhancement_withdrawn",
    ]
    assert preview["concessions"][0]["charge"] == charge_of(world.case).pk
    assert preview["exposure"]["plea_statutory"] == {"low": 0, "high": 0, "text": "0 months"}
    assert preview["exposure"]["counts_dismissed"] == 1
    assert negotiation_rows() == before


def test_preview_of_bad_contents_answers_400_per_field(world: World) -> None:
    response = api_as(world.user(Role.PROSECUTOR)).post(
        url("offer-preview"), offer_body(world, custody_min_months=-3), format="json"
    )

    assert (response.status_code, response.json()) == (
        400,
        {"custody_min_months": ["Enter a number of months, zero or more."]},
    )


def test_defense_counsel_drafts_for_the_defense_and_derives_no_concessions(
    world: World,
) -> None:
    response = api_as(world.user(Role.DEFENSE_COUNSEL)).post(
        url("offer-list"), {**counter_body(world), "case": world.case.pk}, format="json"
    )

    assert response.status_code == 201
    assert (response.json()["side"], response.json()["concessions"]) == ("defense", [])


def test_offer_fields_are_stored_as_sent(world: World) -> None:
    body = offer_body(
        world,
        probation_months=36,
        fine="2500.00",
        restitution="1200.50",
        cooperation=True,
        immigration_safe_plea=True,
    )

    response = api_as(world.user(Role.PROSECUTOR)).post(url("offer-list"), body, format="json")

    offer = Offer.objects.get(pk=response.json()["id"])
    assert (offer.probation_months, offer.fine, offer.restitution) == (
        36,
        Decimal("2500.00"),
        Decimal("1200.50"),
    )
    assert (offer.cooperation, offer.immigration_safe_plea, offer.appeal_waiver) == (
        True,
        True,
        True,
    )
    assert offer.expires_at == dt.datetime.fromisoformat(body["expires_at"])
    assert list(offer.terms.values_list("disposition", "lesser_statute")) == [
        ("lesser", world.lesser_statute.pk)
    ]


def other_charge_id(world: World) -> int:
    return charge_of(world.other_case).pk


BAD_OFFERS: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    (
        "unknown disposition",
        {"terms": [{"charge": 0, "disposition": "pardon"}]},
        {"terms": {"0": {"disposition": ['"pardon" is not a valid choice.']}}},
    ),
    (
        "terms not a list",
        {"terms": "all of them"},
        {"terms": {"non_field_errors": ['Expected a list of items but got type "str".']}},
    ),
    (
        "charge id not a number",
        {"terms": [{"charge": "one", "disposition": "dismiss"}]},
        {"terms": {"0": {"charge": ["A valid integer is required."]}}},
    ),
    (
        "months not a number",
        {"custody_min_months": "six"},
        {"custody_min_months": ["A valid integer is required."]},
    ),
    (
        "negative months",
        {"custody_min_months": -1, "probation_months": -2},
        {
            "custody_min_months": ["Enter a number of months, zero or more."],
            "probation_months": ["Enter a number of months, zero or more."],
        },
    ),
    (
        "months the database cannot hold",
        {"custody_max_months": 10**12},
        {"custody_max_months": ["Ensure this value is less than or equal to 2147483647."]},
    ),
    (
        "range ending before it starts",
        {"custody_min_months": 12, "custody_max_months": 6},
        {"custody_max_months": ["The custody range ends before it starts."]},
    ),
    (
        "offense level outside the table",
        {"offense_level": 44},
        {"offense_level": ["An offense level runs from 1 to 43."]},
    ),
    (
        "offense level without a category",
        {"criminal_history_category": ""},
        {
            "criminal_history_category": [
                "The guideline range needs both the offense level and the criminal history "
                "category."
            ]
        },
    ),
    (
        "unknown criminal history category",
        {"criminal_history_category": "VII"},
        {"criminal_history_category": ['"VII" is not a valid choice.']},
    ),
    (
        "leniency under the US profile",
        {"baseline_months": 36},
        {"baseline_months": ["This profile has no leniency reduction of a baseline sentence."]},
    ),
    ("fine not an amount", {"fine": "a lot"}, {"fine": ["A valid number is required."]}),
    (
        "fine too large",
        {"fine": "12345678901.00"},
        {"fine": ["Ensure that there are no more than 12 digits in total."]},
    ),
    ("negative fine", {"fine": "-5.00"}, {"fine": ["Enter an amount, zero or more."]}),
    ("condition not a boolean", {"appeal_waiver": "perhaps"}, {"appeal_waiver": []}),
    ("expiry not a date", {"expires_at": "next week"}, {"expires_at": []}),
    ("case not an id", {"case": "abc"}, {"case": []}),
    ("case missing", {"case": None}, {"case": ["This field may not be null."]}),
    (
        "null character",
        {"rationale": "a\x00b"},
        {"rationale": ["Null characters are not allowed."]},
    ),
]


@pytest.mark.parametrize(("label", "changes", "errors"), BAD_OFFERS, ids=[b[0] for b in BAD_OFFERS])
def test_offer_with_bad_input_is_refused_field_by_field(
    world: World, label: str, changes: dict[str, Any], errors: dict[str, Any]
) -> None:
    if label == "unknown disposition":
        changes = {"terms": [{"charge": charge_of(world.case).pk, "disposition": "pardon"}]}
    before = negotiation_rows()

    response = api_as(world.user(Role.PROSECUTOR)).post(
        url("offer-list"), offer_body(world, **changes), format="json"
    )

    assert response.status_code == 400
    body = response.json()
    assert list(body) == list(errors)
    for name, messages in errors.items():
        if messages:  # an empty list: any message will do, as long as it is for this field
            assert body[name] == messages
        else:
            assert body[name]
    assert negotiation_rows() == before


@pytest.mark.parametrize(
    ("terms", "message"),
    [
        (
            lambda w: [{"charge": other_charge_id(w), "disposition": "dismiss"}],
            lambda w: f"Charge {other_charge_id(w)} is not a charge of this case.",
        ),
        (
            lambda w: [{"charge": charge_of(w.case).pk, "disposition": "lesser"}],
            lambda w: "Count 1: name the lesser offence from the statute catalogue.",
        ),
        (
            lambda w: [
                {
                    "charge": charge_of(w.case).pk,
                    "disposition": "lesser",
                    "lesser_statute": w.statute.pk,
                }
            ],
            lambda w: (
                "Count 1: 21 U.S.C. 841(a)(1) is not a lesser offence than 21 U.S.C. 841(a)(1)."
            ),
        ),
        (
            lambda w: [
                {
                    "charge": charge_of(w.case).pk,
                    "disposition": "lesser",
                    "lesser_statute": w.foreign_statute.pk,
                }
            ],
            lambda w: (
                f"Count 1: {w.foreign_statute.citation} is not in this jurisdiction's catalogue."
            ),
        ),
        (
            lambda w: [
                {"charge": charge_of(w.case).pk, "disposition": "dismiss"},
                {"charge": charge_of(w.case).pk, "disposition": "as_charged"},
            ],
            lambda w: "Count 1 has more than one term.",
        ),
        (
            lambda w: [
                {
                    "charge": charge_of(w.case).pk,
                    "disposition": "dismiss",
                    "lesser_statute": w.lesser_statute.pk,
                }
            ],
            lambda w: "Count 1: a lesser offence is named only with the term “lesser”.",
        ),
    ],
    ids=["other case", "no lesser", "not lesser", "foreign", "twice", "lesser on dismiss"],
)
def test_terms_the_case_does_not_allow_are_refused_with_the_reason(
    world: World, terms: Any, message: Any
) -> None:
    before = negotiation_rows()

    response = api_as(world.user(Role.PROSECUTOR)).post(
        url("offer-list"), offer_body(world, terms=terms(world)), format="json"
    )

    assert (response.status_code, response.json()) == (400, {"terms": [message(world)]})
    assert negotiation_rows() == before


def test_defense_proposal_without_reasons_is_refused(world: World) -> None:
    before = negotiation_rows()

    response = api_as(world.user(Role.DUTY_LAWYER)).post(
        url("offer-list"),
        {**counter_body(world, rationale="  "), "case": world.case.pk},
        format="json",
    )

    assert (response.status_code, response.json()) == (
        400,
        {"rationale": ["Give the defense's reasons for this proposal."]},
    )
    assert negotiation_rows() == before


def test_body_that_is_not_an_object_is_a_400(world: World) -> None:
    response = api_as(world.user(Role.PROSECUTOR)).post(url("offer-list"), [1, 2], format="json")

    assert (response.status_code, list(response.json())) == (400, ["non_field_errors"])


UPDATE_PROSECUTION_DRAFT: dict[str, Answer] = READ_PROSECUTION_DRAFT
UPDATE_DEFENSE_DRAFT: dict[str, Answer] = {
    **READ_DEFENSE_DRAFT,
    Role.DEFENDANT: (403, DEFENDANT_READS_ONLY),
}


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
@pytest.mark.parametrize(
    ("side", "table"),
    [("prosecution", UPDATE_PROSECUTION_DRAFT), ("defense", UPDATE_DEFENSE_DRAFT)],
)
@pytest.mark.parametrize("method", ["patch", "put"])
def test_who_may_change_a_draft(
    world: World, method: str, side: str, table: dict[str, Answer], who: str, role: str
) -> None:
    offer = draft_offer(world) if side == "prosecution" else defense_draft(world)
    before = negotiation_rows()
    body = counter_body(world, custody_max_months=3)

    response = getattr(api_as(persona(world, who, role)), method)(
        url("offer-detail", offer.pk), body, format="json"
    )

    answer = expected(table, who, role)
    assert answer_of(response) == answer
    if succeeded(answer):
        offer.refresh_from_db()
        assert (offer.custody_max_months, offer.probation_months) == (3, 24)
    else:
        assert negotiation_rows() == before


def test_patch_changes_only_what_it_names(world: World) -> None:
    offer = draft_offer(world, cooperation=True)

    response = api_as(world.user(Role.PROSECUTOR)).patch(
        url("offer-detail", offer.pk), {"custody_max_months": 10}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["custody_min_months"], body["custody_max_months"]) == (6, 10)
    assert (body["cooperation"], body["appeal_waiver"], body["offense_level"]) == (True, True, 24)
    assert [t["disposition"] for t in body["terms"]] == ["lesser"]


def test_put_replaces_the_whole_draft(world: World) -> None:
    offer = draft_offer(world, cooperation=True)

    response = api_as(world.user(Role.PROSECUTOR)).put(
        url("offer-detail", offer.pk),
        {"custody_min_months": 1, "custody_max_months": 2},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["cooperation"], body["appeal_waiver"], body["terms"]) == (False, False, [])
    assert (body["offense_level"], body["rationale"], body["expires_at"]) == (None, "", None)


def test_a_sent_offer_can_no_longer_change(world: World) -> None:
    offer = sent_offer(world)
    before = negotiation_rows()

    response = api_as(world.user(Role.PROSECUTOR)).patch(
        url("offer-detail", offer.pk), {"custody_max_months": 10}, format="json"
    )

    assert answer_of(response) == (
        409,
        "A sent offer cannot be changed; withdraw it and send a new one.",
    )
    assert negotiation_rows() == before


def test_bad_change_to_a_draft_is_refused_field_by_field(world: World) -> None:
    offer = draft_offer(world)
    before = negotiation_rows()

    response = api_as(world.user(Role.PROSECUTOR)).patch(
        url("offer-detail", offer.pk),
        {"custody_min_months": "many", "terms": [{"charge": 1, "disposition": "?"}]},
        format="json",
    )

    assert (response.status_code, response.json()) == (
        400,
        {
            "terms": {"0": {"disposition": ['"?" is not a valid choice.']}},
            "custody_min_months": ["A valid integer is required."],
        },
    )
    assert negotiation_rows() == before


# --- sending ------------------------------------------------------------------------------------

SEND_DEFENSE_DRAFT: dict[str, Answer] = {
    **READ_DEFENSE_DRAFT,
    Role.DEFENDANT: (403, DEFENDANT_READS_ONLY),
}


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
@pytest.mark.parametrize(
    ("side", "table"),
    [("prosecution", READ_PROSECUTION_DRAFT), ("defense", SEND_DEFENSE_DRAFT)],
)
def test_who_may_send_a_draft(
    world: World, side: str, table: dict[str, Answer], who: str, role: str
) -> None:
    offer = draft_offer(world) if side == "prosecution" else defense_draft(world)
    before = negotiation_rows()

    response = api_as(persona(world, who, role)).post(url("offer-send", offer.pk))

    answer = expected(table, who, role)
    assert answer_of(response) == answer
    if succeeded(answer):
        assert (response.json()["status"], response.json()["round_number"]) == ("sent", 1)
        assert response.json()["sent_at"] is not None
    else:
        assert negotiation_rows() == before


def test_sending_an_offer_leaves_the_case_status_to_the_court_record(world: World) -> None:
    """Fed. R. Crim. P. 11(c)(1): the court takes no part in the talks, so the case's status (which
    the court reads) does not move when an offer is sent."""
    offer = draft_offer(world)
    assert world.case.status == CaseStatus.INTAKE

    response = api_as(world.user(Role.PROSECUTOR)).post(url("offer-send", offer.pk))

    assert response.status_code == 200
    world.case.refresh_from_db()
    assert world.case.status == CaseStatus.INTAKE


def test_sending_twice_is_a_conflict(world: World) -> None:
    offer = sent_offer(world)
    before = negotiation_rows()

    response = api_as(world.user(Role.PROSECUTOR)).post(url("offer-send", offer.pk))

    assert (response.status_code, response.json()) == (
        409,
        {"detail": "This offer has already been sent.", "code": "offer_not_draft"},
    )
    assert negotiation_rows() == before


def test_only_one_offer_is_live_at_a_time(world: World) -> None:
    sent_offer(world)
    defense = defense_draft(world)
    before = negotiation_rows()

    response = api_as(world.user(Role.DEFENSE_COUNSEL)).post(url("offer-send", defense.pk))

    assert (response.status_code, response.json()) == (
        409,
        {
            "detail": "Round 1 from the prosecution is still awaiting an answer; only one "
            "offer may be live at a time.",
            "code": "offer_live",
        },
    )
    assert negotiation_rows() == before


def test_an_expiry_in_the_past_is_refused_when_sending(world: World) -> None:
    offer = draft_offer(world)

    with time_machine.travel(timezone.now() + dt.timedelta(days=8)):
        response = api_as(world.user(Role.PROSECUTOR)).post(url("offer-send", offer.pk))

    assert (response.status_code, response.json()) == (
        400,
        {"expires_at": ["The expiry must be in the future when sent."]},
    )
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DRAFT


def test_prosecution_must_answer_a_suggestion_before_its_next_offer(world: World) -> None:
    consideration_mandatory(world)  # as cn-reform (Meng 2023); us-fed as shipped does not
    suggestion = services.suggestion_submit(
        case=world.case, by=world.user(Role.DUTY_LAWYER), text="Consider diversion."
    )
    offer = draft_offer(world)
    prosecutor = api_as(world.user(Role.PROSECUTOR))

    refused = prosecutor.post(url("offer-send", offer.pk))
    prosecutor.post(
        url("suggestion-respond", suggestion.pk), {"response": "Not eligible."}, format="json"
    )
    sent = prosecutor.post(url("offer-send", offer.pk))

    assert (refused.status_code, refused.json()["code"]) == (409, "suggestion_unanswered")
    assert refused.json()["detail"].startswith("Respond in writing to the defense's suggestion")
    assert (sent.status_code, sent.json()["status"]) == (200, "sent")


def test_prosecution_must_answer_an_expired_proposal_before_its_next_offer(world: World) -> None:
    consideration_mandatory(world)  # as cn-reform (Meng 2023); us-fed as shipped does not
    proposal = services.offer_send(offer=defense_draft(world), by=world.user(Role.DEFENSE_COUNSEL))
    services.offers_expire_due(now=timezone.now() + dt.timedelta(days=8))
    offer = draft_offer(world)
    prosecutor = api_as(world.user(Role.PROSECUTOR))

    refused = prosecutor.post(url("offer-send", offer.pk))
    answered = prosecutor.post(
        url("offer-respond", proposal.pk), {"response": "Probation is off the table."}
    )
    sent = prosecutor.post(url("offer-send", offer.pk))

    assert answer_of(refused) == (
        409,
        "Respond in writing to the defense's proposal of round 1 before sending another offer.",
    )
    assert (answered.status_code, answered.json()["response"]) == (
        200,
        "Probation is off the table.",
    )
    assert sent.status_code == 200


# --- answering the other side's offer -----------------------------------------------------------


def answers_to_a_prosecution_offer(action: str, success: int) -> dict[str, Answer]:
    """Only the other side answers: the defense lawyers; the prosecution is told why not, the
    defendant acts through counsel, and the court never sees the offer."""
    return {
        Role.PROSECUTOR: (403, f"Only the other side may {action} an offer."),
        **dict.fromkeys(DEFENSE_LAWYERS, success),
        Role.DEFENDANT: (403, DEFENDANT_READS_ONLY),
        **dict.fromkeys(COURT, 404),
    }


ANSWERS: list[tuple[str, dict[str, Any], dict[str, Answer]]] = [
    ("accept", {}, answers_to_a_prosecution_offer("accept", 201)),
    ("reject", {"reason": "Too much custody."}, answers_to_a_prosecution_offer("reject", 200)),
    ("counter", {}, answers_to_a_prosecution_offer("counter", 201)),
    (
        "withdraw",
        {"reason": "New evidence."},
        {
            Role.PROSECUTOR: 200,
            **dict.fromkeys(
                DEFENSE_LAWYERS, (403, "Only the side that made an offer may withdraw it.")
            ),
            Role.DEFENDANT: (403, DEFENDANT_READS_ONLY),
            **dict.fromkeys(COURT, 404),
        },
    ),
    (
        "concessions",
        {"kind": "other", "description": "No further charges on the 2025 conduct."},
        {
            Role.PROSECUTOR: 201,
            **dict.fromkeys(
                [*DEFENSE_LAWYERS, Role.DEFENDANT],
                (403, "Only the prosecution logs its concessions."),
            ),
            **dict.fromkeys(COURT, 404),
        },
    ),
]


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
@pytest.mark.parametrize(("action", "body", "table"), ANSWERS, ids=[a[0] for a in ANSWERS])
def test_who_may_act_on_a_prosecution_offer(
    world: World,
    action: str,
    body: dict[str, Any],
    table: dict[str, Answer],
    who: str,
    role: str,
) -> None:
    offer = sent_offer(world)
    if action == "counter":
        body = counter_body(world)
    before = negotiation_rows()

    response = api_as(persona(world, who, role)).post(
        url(f"offer-{action}", offer.pk), body, format="json"
    )

    answer = expected(table, who, role)
    assert answer_of(response) == answer
    if not succeeded(answer):
        assert negotiation_rows() == before
        return
    offer.refresh_from_db()
    user = persona(world, who, role)
    if action == "accept":
        agreement = PleaAgreement.objects.get(offer=offer)
        assert response.json()["id"] == agreement.pk
        assert (offer.status, offer.closed_by) == (OfferStatus.ACCEPTED, user)
    elif action == "reject":
        assert (offer.status, offer.response) == (OfferStatus.REJECTED, "Too much custody.")
    elif action == "counter":
        assert offer.status == OfferStatus.COUNTERED
        assert (response.json()["answers"], response.json()["side"]) == (offer.pk, "defense")
    elif action == "withdraw":
        assert (offer.status, offer.withdrawal_reason) == (OfferStatus.WITHDRAWN, "New evidence.")
    else:
        concession = Concession.objects.get(pk=response.json()["id"])
        assert (concession.offer, concession.derived, concession.logged_by) == (offer, False, user)


RESPOND_TO_PROPOSAL: dict[str, Answer] = {
    Role.PROSECUTOR: 200,
    **dict.fromkeys([*DEFENSE_LAWYERS, Role.DEFENDANT], (403, "Only the prosecution responds.")),
    **dict.fromkeys(COURT, 404),
}


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_who_may_respond_to_an_ended_defense_proposal(world: World, who: str, role: str) -> None:
    proposal = defense_proposal_closed_unanswered(world)
    before = negotiation_rows()

    response = api_as(persona(world, who, role)).post(
        url("offer-respond", proposal.pk), {"response": "Noted."}, format="json"
    )

    answer = expected(RESPOND_TO_PROPOSAL, who, role)
    assert answer_of(response) == answer
    proposal.refresh_from_db()
    if succeeded(answer):
        assert proposal.response == "Noted."
    else:
        assert negotiation_rows() == before


def test_responding_twice_to_a_proposal_is_a_conflict(world: World) -> None:
    proposal = defense_proposal_closed_unanswered(world)
    client = api_as(world.user(Role.PROSECUTOR))
    client.post(url("offer-respond", proposal.pk), {"response": "Noted."})

    again = client.post(url("offer-respond", proposal.pk), {"response": "Noted again."})

    assert answer_of(again) == (409, "This proposal already has a written response.")


def test_a_live_proposal_is_answered_by_accepting_rejecting_or_countering(world: World) -> None:
    proposal = services.offer_send(offer=defense_draft(world), by=world.user(Role.DEFENSE_COUNSEL))

    response = api_as(world.user(Role.PROSECUTOR)).post(
        url("offer-respond", proposal.pk), {"response": "Noted."}
    )

    assert answer_of(response) == (
        409,
        "Answer a live proposal by accepting, rejecting or countering it.",
    )


def test_empty_response_to_a_proposal_is_refused(world: World) -> None:
    proposal = defense_proposal_closed_unanswered(world)

    response = api_as(world.user(Role.PROSECUTOR)).post(url("offer-respond", proposal.pk), {})

    assert (response.status_code, response.json()) == (400, {"response": ["Write the response."]})


def test_author_side_may_not_accept_its_own_offer(world: World) -> None:
    offer = sent_offer(world)
    before = negotiation_rows()

    response = api_as(world.user(Role.PROSECUTOR)).post(url("offer-accept", offer.pk))

    assert (response.status_code, response.json()) == (
        403,
        {"detail": "Only the other side may accept an offer.", "code": "permission_denied"},
    )
    assert negotiation_rows() == before


def test_a_draft_cannot_be_accepted(world: World) -> None:
    offer = draft_offer(world)

    response = api_as(world.user(Role.PROSECUTOR)).post(url("offer-accept", offer.pk))

    assert answer_of(response) == (409, "This offer is a draft; it has not been sent.")


@pytest.mark.parametrize("action", ["accept", "reject", "counter"])
def test_nothing_can_be_done_with_a_withdrawn_offer(world: World, action: str) -> None:
    offer = sent_offer(world)
    services.offer_withdraw(offer=offer, by=world.user(Role.PROSECUTOR), reason="Re-evaluating.")
    before = negotiation_rows()

    response = api_as(world.user(Role.DEFENSE_COUNSEL)).post(
        url(f"offer-{action}", offer.pk),
        counter_body(world, reason="No.") if action != "accept" else {},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["code"] == "offer_withdrawn"
    assert response.json()["detail"].startswith(
        f"This offer has already been withdrawn by {name_of(world, Role.PROSECUTOR)} at "
    )
    assert negotiation_rows() == before


@pytest.mark.parametrize("action", ["accept", "reject", "counter", "withdraw"])
def test_an_offer_past_its_expiry_is_expired_and_says_when(world: World, action: str) -> None:
    offer = sent_offer(world)
    assert offer.expires_at is not None
    by = Role.PROSECUTOR if action == "withdraw" else Role.DEFENSE_COUNSEL

    with time_machine.travel(offer.expires_at + dt.timedelta(minutes=1)):
        response = api_as(world.user(by)).post(
            url(f"offer-{action}", offer.pk), counter_body(world, reason="No."), format="json"
        )

    expiry = offer.expires_at.isoformat(timespec="minutes")
    assert (response.status_code, response.json()) == (
        409,
        {
            "detail": f"This offer expired at {expiry}; nothing can be done with it.",
            "code": "offer_expired",
        },
    )
    offer.refresh_from_db()
    assert (offer.status, offer.closed_at) == (OfferStatus.EXPIRED, offer.expires_at)
    assert not PleaAgreement.objects.exists()


def test_a_countered_offer_can_no_longer_be_accepted(world: World) -> None:
    offer = sent_offer(world)
    api_as(world.user(Role.DEFENSE_COUNSEL)).post(
        url("offer-counter", offer.pk), counter_body(world), format="json"
    )
    before = negotiation_rows()

    response = api_as(world.user(Role.DUTY_LAWYER)).post(url("offer-accept", offer.pk))

    assert (response.status_code, response.json()["code"]) == (409, "offer_countered")
    assert response.json()["detail"].startswith(
        f"This offer has already been countered by {name_of(world, Role.DEFENSE_COUNSEL)} at "
    )
    assert negotiation_rows() == before


def test_an_accepted_offer_cannot_be_accepted_again(world: World) -> None:
    offer = sent_offer(world)
    api_as(world.user(Role.DEFENSE_COUNSEL)).post(url("offer-accept", offer.pk))
    before = negotiation_rows()

    response = api_as(world.user(Role.DUTY_LAWYER)).post(url("offer-accept", offer.pk))

    assert (response.status_code, response.json()["code"]) == (409, "offer_accepted")
    assert response.json()["detail"].startswith(
        f"This offer has already been accepted by {name_of(world, Role.DEFENSE_COUNSEL)} at "
    )
    assert negotiation_rows() == before


def test_a_rejected_offer_cannot_be_withdrawn(world: World) -> None:
    offer = sent_offer(world)
    api_as(world.user(Role.DEFENSE_COUNSEL)).post(
        url("offer-reject", offer.pk), {"reason": "No."}, format="json"
    )

    response = api_as(world.user(Role.PROSECUTOR)).post(url("offer-withdraw", offer.pk))

    assert (response.status_code, response.json()["code"]) == (409, "offer_rejected")


def test_withdrawing_twice_is_a_conflict(world: World) -> None:
    offer = sent_offer(world)
    client = api_as(world.user(Role.PROSECUTOR))
    client.post(url("offer-withdraw", offer.pk))

    again = client.post(url("offer-withdraw", offer.pk))

    assert (again.status_code, again.json()["code"]) == (409, "offer_withdrawn")


def test_a_draft_may_be_withdrawn_by_its_side(world: World) -> None:
    offer = draft_offer(world)

    response = api_as(world.user(Role.PROSECUTOR)).post(url("offer-withdraw", offer.pk))

    assert (response.status_code, response.json()["status"]) == (200, "withdrawn")


def test_rejecting_needs_a_reason(world: World) -> None:
    offer = sent_offer(world)
    before = negotiation_rows()

    response = api_as(world.user(Role.DEFENSE_COUNSEL)).post(
        url("offer-reject", offer.pk), {"reason": " "}, format="json"
    )

    assert (response.status_code, response.json()) == (
        400,
        {"reason": ["Say why the offer is rejected."]},
    )
    assert negotiation_rows() == before


def test_prosecution_countering_a_defense_proposal_must_respond_to_it(world: World) -> None:
    consideration_mandatory(world)  # as cn-reform (Meng 2023); us-fed as shipped does not
    proposal = services.offer_send(offer=defense_draft(world), by=world.user(Role.DEFENSE_COUNSEL))
    client = api_as(world.user(Role.PROSECUTOR))
    before = negotiation_rows()

    refused = client.post(
        url("offer-counter", proposal.pk), counter_body(world, rationale=""), format="json"
    )
    after_refusal = negotiation_rows()
    countered = client.post(
        url("offer-counter", proposal.pk),
        {**counter_body(world), "response": "Custody is required; 3 months."},
        format="json",
    )

    assert (refused.status_code, refused.json()) == (
        400,
        {"response": ["Respond in writing to the defense's proposal."]},
    )
    assert after_refusal == before
    assert (countered.status_code, countered.json()["side"]) == (201, "prosecution")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.response) == (
        OfferStatus.COUNTERED,
        "Custody is required; 3 months.",
    )


def test_counter_with_bad_contents_is_refused_field_by_field(world: World) -> None:
    offer = sent_offer(world)
    before = negotiation_rows()

    response = api_as(world.user(Role.DEFENSE_COUNSEL)).post(
        url("offer-counter", offer.pk),
        counter_body(world, custody_min_months=-1, rationale=""),
        format="json",
    )

    assert (response.status_code, response.json()) == (
        400,
        {
            "custody_min_months": ["Enter a number of months, zero or more."],
            "rationale": ["Give the defense's reasons for this proposal."],
        },
    )
    assert negotiation_rows() == before


def test_accepting_makes_the_agreement_without_telling_the_court(world: World) -> None:
    offer = sent_offer(world)

    response = api_as(world.user(Role.DUTY_LAWYER)).post(url("offer-accept", offer.pk))

    assert response.status_code == 201
    body = response.json()
    assert (body["offer"], body["status"], body["case"]) == (offer.pk, "signing", world.case.pk)
    assert body["terms"]["charges"][0]["disposition"] == "lesser"
    # The case moves to "Agreement reached" when the agreement is submitted to the court.
    world.case.refresh_from_db()
    assert world.case.status == CaseStatus.INTAKE


def test_no_offers_once_an_agreement_is_reached(world: World) -> None:
    api_as(world.user(Role.DEFENSE_COUNSEL)).post(url("offer-accept", sent_offer(world).pk))
    before = negotiation_rows()

    response = api_as(world.user(Role.PROSECUTOR)).post(
        url("offer-list"), offer_body(world), format="json"
    )

    assert (response.status_code, response.json()) == (
        409,
        {
            "detail": (
                "Plea negotiations are closed: the parties have reached a plea agreement. "
                "They reopen if it is withdrawn or the court rejects it."
            ),
            "code": "negotiation_closed",
        },
    )
    assert negotiation_rows() == before


# --- concessions --------------------------------------------------------------------------------


def test_logged_concession_shows_on_the_offer(world: World) -> None:
    offer = sent_offer(world)
    client = api_as(world.user(Role.PROSECUTOR))

    logged = client.post(
        url("offer-concessions", offer.pk),
        {"kind": "other", "description": "No further charges."},
        format="json",
    )
    read = api_as(world.user(Role.DEFENDANT)).get(url("offer-detail", offer.pk))

    assert logged.status_code == 201
    assert (logged.json()["derived"], logged.json()["logged_by"]) == (
        False,
        world.user(Role.PROSECUTOR).pk,
    )
    assert read.json()["concessions"][-1]["description"] == "No further charges."


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"kind": "bribe", "description": "x"}, {"kind": ['"bribe" is not a valid choice.']}),
        ({"kind": "other", "description": ""}, {"description": ["Describe the concession."]}),
        (
            {"kind": "other", "description": "x" * 501},
            {"description": ["Ensure this field has no more than 500 characters."]},
        ),
        ({}, {"kind": ["This field is required."]}),
    ],
    ids=["kind", "empty", "too long", "nothing"],
)
def test_concession_with_bad_input_is_refused(
    world: World, body: dict[str, Any], errors: dict[str, Any]
) -> None:
    offer = sent_offer(world)
    before = negotiation_rows()

    response = api_as(world.user(Role.PROSECUTOR)).post(
        url("offer-concessions", offer.pk), body, format="json"
    )

    assert (response.status_code, response.json()) == (400, errors)
    assert negotiation_rows() == before


def test_concessions_are_logged_on_prosecution_offers_only(world: World) -> None:
    proposal = services.offer_send(offer=defense_draft(world), by=world.user(Role.DEFENSE_COUNSEL))

    response = api_as(world.user(Role.PROSECUTOR)).post(
        url("offer-concessions", proposal.pk), {"kind": "other", "description": "x"}
    )

    assert (response.status_code, response.json()) == (
        400,
        {"offer": ["Concessions are logged on the prosecution's offers."]},
    )


def test_no_concessions_on_an_ended_offer(world: World) -> None:
    offer = sent_offer(world)
    services.offer_withdraw(offer=offer, by=world.user(Role.PROSECUTOR))

    response = api_as(world.user(Role.PROSECUTOR)).post(
        url("offer-concessions", offer.pk), {"kind": "other", "description": "x"}
    )

    assert (response.status_code, response.json()["code"]) == (409, "offer_withdrawn")
    assert not Concession.objects.filter(derived=False).exists()


# --- the CN profile: only the sentence is negotiated --------------------------------------------


def test_cn_profile_refuses_charge_terms(world: World) -> None:
    cn = cn_case(world)
    before = negotiation_rows()

    response = api_as(cn.prosecutor).post(
        url("offer-list"),
        {
            "case": cn.case.pk,
            "terms": [{"charge": cn.charge.pk, "disposition": "dismiss"}],
            "custody_min_months": 6,
            "custody_max_months": 10,
        },
        format="json",
    )

    assert (response.status_code, response.json()) == (
        400,
        {
            "terms": [
                "Count 1: under the People's Republic of China profile only the sentence is "
                "negotiable; charges cannot be dismissed or reduced."
            ]
        },
    )
    assert negotiation_rows() == before


def test_cn_offer_shows_the_leniency_range(world: World) -> None:
    cn = cn_case(world)

    response = api_as(cn.prosecutor).post(
        url("offer-list"),
        {
            "case": cn.case.pk,
            "custody_min_months": 20,
            "custody_max_months": 24,
            "baseline_months": 36,
            "leniency_stage": "prosecution_review",
        },
        format="json",
    )

    assert response.status_code == 201
    exposure = response.json()["exposure"]
    assert exposure["trial_guideline"] == {"low": 36, "high": 36, "text": "36 months"}
    # 20% off at the prosecution-review stage: 36 x 0.8 = 28.8, rounded up to 29.
    assert exposure["plea_guideline"]["high"] == 36
    assert exposure["plea_guideline"]["low"] == 29


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        (
            {"leniency_stage": "appeal"},
            # The stages as the profile's JSON holds them.
            {"leniency_stage": ["Choose a stage: trial, investigation, prosecution_review."]},
        ),
        (
            {"leniency_circumstances": ["luck"]},
            {"leniency_circumstances": ["Not a listed circumstance: luck."]},
        ),
        (
            {"offense_level": 20, "criminal_history_category": "I"},
            {
                "offense_level": ["This profile does not use the guideline sentencing table."],
                "criminal_history_category": ["This profile has no criminal history categories."],
            },
        ),
    ],
    ids=["stage", "circumstance", "guidelines"],
)
def test_cn_offer_inputs_outside_the_profile_are_refused(
    world: World, changes: dict[str, Any], errors: dict[str, Any]
) -> None:
    cn = cn_case(world)

    response = api_as(cn.prosecutor).post(
        url("offer-list"),
        {"case": cn.case.pk, "baseline_months": 36, "leniency_stage": "trial", **changes},
        format="json",
    )

    assert (response.status_code, response.json()) == (400, errors)
    assert not Offer.objects.exists()


# --- ids that are not ids -----------------------------------------------------------------------

OFFER_ROUTES = [
    ("get", "offer-detail"),
    ("patch", "offer-detail"),
    ("put", "offer-detail"),
    ("get", "offer-exposure"),
    ("post", "offer-send"),
    ("post", "offer-withdraw"),
    ("post", "offer-accept"),
    ("post", "offer-reject"),
    ("post", "offer-counter"),
    ("post", "offer-respond"),
    ("post", "offer-concessions"),
]


@pytest.mark.parametrize(("method", "name"), OFFER_ROUTES)
@pytest.mark.parametrize("bad_id", ["abc", "1e3", "-1", "99999999999999999999", str(MISSING_ID)])
def test_offer_ids_that_are_not_offers_answer_404_not_500(
    world: World, method: str, name: str, bad_id: str
) -> None:
    response = getattr(api_as(world.user(Role.PROSECUTOR)), method)(
        url(name, bad_id), {}, format="json"
    )

    assert (response.status_code, response.json()) == (404, NO_OFFER)


def test_offers_need_a_signed_in_user(world: World) -> None:
    offer = sent_offer(world)
    client = APIClient()
    answers = [
        client.get(url("offer-list")).status_code,
        client.get(url("offer-detail", offer.pk)).status_code,
        client.post(url("offer-accept", offer.pk)).status_code,
    ]

    assert answers == [401, 401, 401]


# --- query counts -------------------------------------------------------------------------------


def test_offer_list_query_count_does_not_grow_with_offers(
    world: World, django_assert_num_queries: Any
) -> None:
    client = api_as(world.user(Role.PROSECUTOR))
    sent_offer(world)
    with django_assert_num_queries(OFFER_LIST_QUERIES):
        one = client.get(url("offer-list"))

    for _ in range(9):
        draft_offer(world, terms=plea_input(world).terms, no_enhancement=True)
    services.concession_log(
        offer=Offer.objects.filter(status=OfferStatus.DRAFT).first(),  # type: ignore[arg-type]
        by=world.user(Role.PROSECUTOR),
        kind=ConcessionKind.OTHER,
        description="No further charges.",
    )
    with django_assert_num_queries(OFFER_LIST_QUERIES):
        ten = client.get(url("offer-list"))

    assert (len(ids(one)), len(ids(ten))) == (1, 10)
    assert all(len(row["terms"]) == 1 and row["concessions"] for row in ten.json()["results"])


def test_offer_list_for_a_case_query_count_does_not_grow_with_offers(
    world: World, django_assert_num_queries: Any
) -> None:
    client = api_as(world.user(Role.DEFENDANT))
    sent_offer(world)
    with django_assert_num_queries(OFFER_LIST_FOR_CASE_QUERIES):
        one = client.get(url("offer-list", case=world.case.pk))

    for _ in range(9):
        defense_draft(world)
    with django_assert_num_queries(OFFER_LIST_FOR_CASE_QUERIES):
        ten = client.get(url("offer-list", case=world.case.pk))

    assert (len(ids(one)), len(ids(ten))) == (1, 10)


def test_offer_list_pages_with_a_cursor(world: World) -> None:
    offers = [draft_offer(world) for _ in range(3)]
    client = api_as(world.user(Role.PROSECUTOR))

    first = client.get(url("offer-list", page_size=2)).json()
    second = client.get(first["next"]).json()

    assert [row["id"] for row in first["results"]] == [offers[2].pk, offers[1].pk]
    assert [row["id"] for row in second["results"]] == [offers[0].pk]
    assert second["next"] is None


# --- the schema ---------------------------------------------------------------------------------


def test_schema_describes_the_negotiation(db: None) -> None:
    schema = APIClient().get(reverse("api-schema"), {"format": "json"}).json()

    paths = schema["paths"]
    for path, methods in {
        "/api/v1/offers/": {"get", "post"},
        "/api/v1/offers/{id}/": {"get", "put", "patch"},
        "/api/v1/offers/preview/": {"post"},
        "/api/v1/offers/{id}/exposure/": {"get"},
        "/api/v1/suggestions/": {"get", "post"},
        "/api/v1/suggestions/{id}/respond/": {"post"},
        "/api/v1/agreements/": {"get"},
        "/api/v1/agreements/{id}/pdf/": {"get"},
        **{
            f"/api/v1/offers/{{id}}/{action}/": {"post"}
            for action in (
                "send",
                "withdraw",
                "accept",
                "reject",
                "counter",
                "respond",
                "concessions",
            )
        },
        **{
            f"/api/v1/agreements/{{id}}/{action}/": {"post"}
            for action in ("checklist", "sign", "submit", "review", "withdraw")
        },
    }.items():
        assert set(paths[path]) == methods, path
        assert all(paths[path][m]["tags"] == ["negotiation"] for m in methods), path
    accept = paths["/api/v1/offers/{id}/accept/"]["post"]["responses"]
    assert accept["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Agreement"
    }
    pdf = paths["/api/v1/agreements/{id}/pdf/"]["get"]["responses"]["200"]
    assert "application/pdf" in pdf["content"]
    assert {"Repr-Digest", "X-Content-SHA256"} <= set(pdf.get("headers", {}))
    counter = paths["/api/v1/offers/{id}/counter/"]["post"]["requestBody"]
    assert counter["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/OfferCounterRequest"
    }
    assert {"response", "terms", "custody_min_months"} <= set(
        schema["components"]["schemas"]["OfferCounterRequest"]["properties"]
    )
    exposure = schema["components"]["schemas"]["Exposure"]["properties"]
    assert exposure["trial_statutory"] == {"$ref": "#/components/schemas/MonthsRange"}


def test_an_unanswered_suggestion_does_not_hold_up_the_defense(world: World) -> None:
    services.suggestion_submit(
        case=world.case, by=world.user(Role.DEFENSE_COUNSEL), text="Diversion."
    )
    offer = defense_draft(world)

    response = api_as(world.user(Role.DEFENSE_COUNSEL)).post(url("offer-send", offer.pk))

    assert response.status_code == 200
