"""/api/v1/agreements/: the plea agreement made from an accepted offer, its voluntariness
checklist, signatures, PDF and the court's review. The court reads it once it is submitted,
and even then never the offers."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest

from cases.models import CaseStatus, ChargeStatus, Disposition
from negotiations import services
from negotiations.models import AgreementStatus, Offer, PleaAgreement, Signature
from parties.models import CaseParticipant, Role
from tests.api_helpers import MISSING_ID, PERSONA_IDS, PERSONAS, ids, persona
from tests.api_negotiation_helpers import (
    COURT,
    COURT_STAYS_OUT,
    DEFENSE_LAWYERS,
    NO_AGREEMENT,
    NO_OFFER,
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
    CHECKLIST_ALL,
    accepted_agreement,
    checked_agreement,
    cn_case,
    signed_agreement,
    statement_named,
    submitted_agreement,
)

# The list: whether the user sits in a court (a party's list is then found from their own
# cases, tests/negotiations/test_list_plans.py), agreements (with offer), the agreements that
# adjust them (CPL art. 201(2), prefetched by adjusts_id after the page rather than joined into
# its plan), their signatures, and the cases of the page with their court and profile (the
# checklist's items and the court's review options are the profile's).
AGREEMENT_LIST_QUERIES = 5
PARTY_AGREEMENT_LIST_QUERIES = AGREEMENT_LIST_QUERIES

STAGES = {
    "signing": accepted_agreement,
    "signed": signed_agreement,
    "submitted": submitted_agreement,
}


def court_accepted(world: World) -> PleaAgreement:
    return services.agreement_review(
        agreement=submitted_agreement(world),
        by=world.user(Role.JUDGE),
        accepted=True,
        reasons="Knowing and voluntary; factual basis established.",
    )


def participation(world: World, role: str) -> CaseParticipant:
    return CaseParticipant.objects.get(case=world.case, user=world.user(role))


# --- who reads an agreement ---------------------------------------------------------------------

BEFORE_SUBMISSION: dict[str, Answer] = {
    **dict.fromkeys(READERS, 200),
    **dict.fromkeys(COURT, 404),
}
AFTER_SUBMISSION: dict[str, Answer] = dict.fromkeys([*READERS, *COURT], 200)
READ_AT = {
    "signing": BEFORE_SUBMISSION,
    "signed": BEFORE_SUBMISSION,
    "submitted": AFTER_SUBMISSION,
}


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
@pytest.mark.parametrize("stage", list(STAGES))
def test_who_reads_an_agreement(world: World, stage: str, who: str, role: str) -> None:
    agreement = STAGES[stage](world)
    client = api_as(persona(world, who, role))

    detail = client.get(url("agreement-detail", agreement.pk))
    listed = client.get(url("agreement-list"))

    answer = expected(READ_AT[stage], who, role)
    assert answer_of(detail) == answer
    assert listed.status_code == 200
    if answer == 200:
        assert detail.json()["status"] == stage
        assert ids(listed) == [agreement.pk]
    else:
        assert detail.json() == NO_AGREEMENT
        assert ids(listed) == []


@pytest.mark.parametrize("role", COURT)
def test_court_reads_a_submitted_agreement_but_still_not_the_offers(
    world: World, role: str
) -> None:
    agreement = submitted_agreement(world)
    offer_id = agreement.offer_id
    client = api_as(world.user(role))

    answers = {
        "agreement": client.get(url("agreement-detail", agreement.pk)).status_code,
        "offer": client.get(url("offer-detail", offer_id)).json(),
        "exposure": client.get(url("offer-exposure", offer_id)).json(),
        "offers": ids(client.get(url("offer-list"))),
        "offers of the case": client.get(url("offer-list", case=world.case.pk)).json(),
        "suggestions": ids(client.get(url("suggestion-list"))),
    }

    assert answers == {
        "agreement": 200,
        "offer": NO_OFFER,
        "exposure": NO_OFFER,
        "offers": [],
        "offers of the case": {"detail": COURT_STAYS_OUT, "code": "permission_denied"},
        "suggestions": [],
    }


def test_agreement_body_has_terms_checklist_signatures_and_pdf_hash(world: World) -> None:
    agreement = submitted_agreement(world)

    body = api_as(world.user(Role.JUDGE)).get(url("agreement-detail", agreement.pk)).json()

    assert body["terms"]["charges"] == [
        {
            "charge_id": world.case.charges.get().pk,
            "count": 1,
            "citation": "21 U.S.C. 841(a)(1)",
            "title": "Distribution",
            "disposition": "lesser",
            "lesser_citation": "21 U.S.C. 844",
            "lesser_title": "Simple possession",
        }
    ]
    assert body["terms"]["sentence"]["custody_max_months"] == "12"
    assert body["terms"]["conditions"] == ["appeal_waiver"]
    assert all(item["confirmed"] for item in body["checklist"]["items"])
    assert all(body["checklist"][item["code"]] for item in body["checklist"]["items"])
    assert (body["checklist"]["complete"], body["checklist"]["completed_by"]) == (
        True,
        world.user(Role.DEFENSE_COUNSEL).pk,
    )
    assert [
        (s["signatory_role"], s["capacity"], s["capacity_display"], s["signer_name"])
        for s in body["signatures"]
    ] == [
        ("defendant", "defendant", "Defendant", "Jane Doe"),
        ("defense_lawyer", "defense_counsel", "Defense counsel", "Sam Ortiz"),
        ("prosecutor", "prosecutor", "Prosecutor", "Morgan Reyes"),
    ]
    assert all(s["signed_at"] for s in body["signatures"])
    assert (body["has_pdf"], body["pdf_sha256"]) == (True, agreement.pdf_sha256)
    assert (body["submitted_by"], body["submitted_at"] is not None) == (
        world.user(Role.PROSECUTOR).pk,
        True,
    )


def test_agreement_list_filters_by_case_and_status(world: World) -> None:
    agreement = accepted_agreement(world)
    client = api_as(world.user(Role.DEFENDANT))

    assert ids(client.get(url("agreement-list", case=world.case.pk))) == [agreement.pk]
    assert ids(client.get(url("agreement-list", case=world.other_case.pk))) == []
    assert ids(client.get(url("agreement-list", status="signing"))) == [agreement.pk]
    assert ids(client.get(url("agreement-list", status="submitted"))) == []
    bad = client.get(url("agreement-list", case="one"))
    assert (bad.status_code, list(bad.json())) == (400, ["case"])


# --- the checklist ------------------------------------------------------------------------------

CHECKLIST_BY: dict[str, Answer] = {
    **dict.fromkeys(
        [Role.PROSECUTOR, Role.DEFENDANT],
        (403, "Defense counsel or the duty lawyer completes the voluntariness checklist."),
    ),
    **dict.fromkeys(DEFENSE_LAWYERS, 200),
    **dict.fromkeys(COURT, 404),
}


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_who_completes_the_checklist(world: World, who: str, role: str) -> None:
    agreement = accepted_agreement(world)
    before = negotiation_rows()

    response = api_as(persona(world, who, role)).post(
        url("agreement-checklist", agreement.pk), CHECKLIST_ALL, format="json"
    )

    answer = expected(CHECKLIST_BY, who, role)
    assert answer_of(response) == answer
    if succeeded(answer):
        checklist = response.json()["checklist"]
        assert (checklist["complete"], checklist["completed_by"]) == (True, world.user(role).pk)
    else:
        assert negotiation_rows() == before


def test_every_checklist_item_must_be_confirmed(world: World) -> None:
    agreement = accepted_agreement(world)
    before = negotiation_rows()

    response = api_as(world.user(Role.DEFENSE_COUNSEL)).post(
        url("agreement-checklist", agreement.pk),
        {"rights_explained": True, "charges_and_sentence_explained": False},
        format="json",
    )

    # Fed. R. Crim. P. 11(b)(1)(G)-(I), (N): what the court must explain, each item its own.
    assert (response.status_code, response.json()) == (
        400,
        {
            "perjury_use_explained": [
                "Confirm: the government may use the defendant's statements under oath in a "
                "prosecution for perjury or false statement."
            ],
            "charges_and_sentence_explained": [
                "Confirm: the nature of each charge pled to, and the sentence recommended."
            ],
            "maximum_penalty_explained": [
                "Confirm: the maximum possible penalty, including imprisonment, fine, and term "
                "of supervised release."
            ],
            "mandatory_minimum_explained": ["Confirm: any mandatory minimum penalty."],
            "forfeiture_restitution_assessment_explained": [
                "Confirm: any forfeiture, the court's authority to order restitution, and the "
                "special assessment."
            ],
            "guidelines_explained": [
                "Confirm: the court calculates and considers the guideline range, possible "
                "departures and the factors of 18 U.S.C. 3553(a)."
            ],
            "appeal_waiver_explained": [
                "Confirm: the terms of the waiver of the right to appeal or collaterally attack."
            ],
            "immigration_consequences_explained": [
                "Confirm: immigration consequences: a defendant who is not a citizen may be "
                "removed, denied citizenship and denied admission."
            ],
            "employment_consequences_explained": ["Confirm: employment consequences explained."],
            "licence_consequences_explained": ["Confirm: licence consequences explained."],
            "fine_consequences_explained": ["Confirm: fines and financial consequences explained."],
            "ability_to_pay_assessed": [
                "Confirm: the defendant's ability to pay a fine was discussed with them."
            ],
            "no_promises_outside_agreement": [
                "Confirm: no force, threats or promises outside the agreement."
            ],
        },
    )
    assert negotiation_rows() == before


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"rights_explained": "sure"},
            {"rights_explained": ["Must be a valid boolean."]},
        ),
        (
            {"interpreter_name": "x" * 201},
            {"interpreter_name": ["Ensure this field has no more than 200 characters."]},
        ),
    ],
    ids=["not a boolean", "too long"],
)
def test_checklist_with_bad_types_is_a_400(
    world: World, body: dict[str, Any], errors: dict[str, Any]
) -> None:
    agreement = accepted_agreement(world)

    response = api_as(world.user(Role.DEFENSE_COUNSEL)).post(
        url("agreement-checklist", agreement.pk), {**CHECKLIST_ALL, **body}, format="json"
    )

    assert (response.status_code, response.json()) == (400, errors)


def test_defendant_who_needs_an_interpreter_must_have_had_one(world: World) -> None:
    world.defendant.interpreter_needed = True
    world.defendant.preferred_language = "Spanish"
    world.defendant.save()
    agreement = accepted_agreement(world)
    client = api_as(world.user(Role.DUTY_LAWYER))
    checklist_url = url("agreement-checklist", agreement.pk)

    without = client.post(checklist_url, CHECKLIST_ALL, format="json")
    unnamed = client.post(checklist_url, {**CHECKLIST_ALL, "interpreter_used": True}, format="json")
    named = client.post(
        checklist_url,
        {**CHECKLIST_ALL, "interpreter_used": True, "interpreter_name": "Ana Ruiz"},
        format="json",
    )

    assert (without.status_code, without.json()) == (
        400,
        {"interpreter_used": ["The defendant needs an interpreter; record the interpreter used."]},
    )
    assert (unnamed.status_code, unnamed.json()) == (
        400,
        {"interpreter_name": ["Name the interpreter."]},
    )
    assert named.status_code == 200
    assert {
        k: named.json()["checklist"][k]
        for k in ("interpreter_needed", "interpreter_used", "interpreter_name")
    } == {"interpreter_needed": True, "interpreter_used": True, "interpreter_name": "Ana Ruiz"}
    assert named.json()["checklist"]["interpreter_language"] == "Spanish"


def test_checklist_cannot_change_once_signing_has_begun(world: World) -> None:
    agreement = checked_agreement(world)
    services.agreement_sign(agreement=agreement, by=world.user(Role.DEFENDANT))
    before = negotiation_rows()

    response = api_as(world.user(Role.DEFENSE_COUNSEL)).post(
        url("agreement-checklist", agreement.pk), CHECKLIST_ALL, format="json"
    )

    assert answer_of(response) == (409, "The checklist cannot change once signing has begun.")
    assert negotiation_rows() == before


# --- signatures ---------------------------------------------------------------------------------

SIGN: dict[str, Answer] = {
    **dict.fromkeys(READERS, 201),
    **dict.fromkeys(COURT, 404),
}
CAPACITY: dict[str, str] = {
    Role.PROSECUTOR: "prosecutor",
    Role.DEFENSE_COUNSEL: "defense_lawyer",
    Role.DUTY_LAWYER: "defense_lawyer",
    Role.DEFENDANT: "defendant",
}


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_who_signs_and_in_what_capacity(world: World, who: str, role: str) -> None:
    agreement = checked_agreement(world)
    before = negotiation_rows()

    response = api_as(persona(world, who, role)).post(
        url("agreement-sign", agreement.pk), {}, format="json"
    )

    answer = expected(SIGN, who, role)
    assert answer_of(response) == answer
    if succeeded(answer):
        (signature,) = response.json()["signatures"]
        assert (signature["signatory_role"], signature["recorded_by"]) == (
            CAPACITY[role],
            world.user(role).pk,
        )
        assert response.json()["status"] == "signing"
    else:
        assert negotiation_rows() == before


def test_signing_before_the_checklist_is_refused(world: World) -> None:
    agreement = accepted_agreement(world)
    before = negotiation_rows()

    response = api_as(world.user(Role.DEFENDANT)).post(url("agreement-sign", agreement.pk))

    assert (response.status_code, response.json()) == (
        409,
        {
            "detail": "Complete the voluntariness checklist before anyone signs.",
            "code": "checklist_incomplete",
        },
    )
    assert negotiation_rows() == before


def test_each_capacity_signs_once(world: World) -> None:
    agreement = checked_agreement(world)
    api_as(world.user(Role.DEFENDANT)).post(url("agreement-sign", agreement.pk))
    api_as(world.user(Role.DEFENSE_COUNSEL)).post(url("agreement-sign", agreement.pk))
    before = negotiation_rows()

    defendant_again = api_as(world.user(Role.DEFENDANT)).post(url("agreement-sign", agreement.pk))
    duty_lawyer = api_as(world.user(Role.DUTY_LAWYER)).post(url("agreement-sign", agreement.pk))

    assert (answer_of(defendant_again), answer_of(duty_lawyer)) == (
        (409, "The defendant has already signed."),
        (409, "The defense counsel has already signed."),
    )
    assert negotiation_rows() == before


def test_last_signature_seals_the_agreement_with_its_pdf(world: World) -> None:
    agreement = checked_agreement(world)
    for role in (Role.DEFENDANT, Role.DUTY_LAWYER):
        api_as(world.user(role)).post(url("agreement-sign", agreement.pk))

    response = api_as(world.user(Role.PROSECUTOR)).post(url("agreement-sign", agreement.pk))

    assert response.status_code == 201
    body = response.json()
    agreement.refresh_from_db()
    assert (body["status"], body["has_pdf"], body["pdf_sha256"]) == (
        "signed",
        True,
        agreement.pdf_sha256,
    )
    assert len(body["signatures"]) == 3


def test_a_sealed_agreement_no_longer_changes(world: World) -> None:
    agreement = signed_agreement(world)
    before = negotiation_rows()
    sealed = "This agreement is “Signed”; a fully signed agreement can no longer change."

    sign = api_as(world.user(Role.DEFENDANT)).post(url("agreement-sign", agreement.pk))
    checklist = api_as(world.user(Role.DEFENSE_COUNSEL)).post(
        url("agreement-checklist", agreement.pk), CHECKLIST_ALL, format="json"
    )

    assert (answer_of(sign), answer_of(checklist)) == ((409, sealed), (409, sealed))
    assert negotiation_rows() == before


def test_counsel_records_the_signature_of_a_defendant_who_signed_on_paper(world: World) -> None:
    agreement = checked_agreement(world)

    response = api_as(world.user(Role.DEFENSE_COUNSEL)).post(
        url("agreement-sign", agreement.pk), {"on_behalf_of_defendant": True}, format="json"
    )

    assert response.status_code == 201
    (signature,) = response.json()["signatures"]
    counsel = participation(world, Role.DEFENSE_COUNSEL)
    assert {
        k: signature[k]
        for k in ("signatory_role", "signer", "signer_name", "recorded_by", "witness")
    } == {
        "signatory_role": "defendant",
        "signer": None,
        "signer_name": "Jane Doe",
        "recorded_by": world.user(Role.DEFENSE_COUNSEL).pk,
        "witness": counsel.pk,
    }
    assert signature["witness_name"] == counsel.display_name


def test_defendant_may_sign_before_a_named_witness(world: World) -> None:
    agreement = checked_agreement(world)
    duty = participation(world, Role.DUTY_LAWYER)

    response = api_as(world.user(Role.DEFENDANT)).post(
        url("agreement-sign", agreement.pk), {"witness": duty.pk}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["signatures"][0]["witness"] == duty.pk


@pytest.mark.parametrize(
    ("role", "witness", "errors"),
    [
        (
            Role.DEFENDANT,
            lambda w: participation(w, Role.PROSECUTOR).pk,
            {"witness": ["The witness must be defense counsel or a duty lawyer on this case."]},
        ),
        (
            Role.PROSECUTOR,
            lambda w: participation(w, Role.DUTY_LAWYER).pk,
            {"witness": ["Only a defendant's signature is witnessed."]},
        ),
        (
            Role.DEFENDANT,
            lambda w: "abc",
            {"witness": ["Incorrect type. Expected pk value, received str."]},
        ),
        (
            Role.DEFENDANT,
            lambda w: MISSING_ID,
            {"witness": [f'Invalid pk "{MISSING_ID}" - object does not exist.']},
        ),
    ],
    ids=["prosecutor as witness", "witness to a prosecutor", "not an id", "missing"],
)
def test_bad_witness_is_refused(world: World, role: str, witness: Any, errors: Any) -> None:
    agreement = checked_agreement(world)
    before = negotiation_rows()

    response = api_as(world.user(role)).post(
        url("agreement-sign", agreement.pk), {"witness": witness(world)}, format="json"
    )

    assert (response.status_code, response.json()) == (400, errors)
    assert negotiation_rows() == before


def test_witness_on_a_case_the_signer_cannot_see_is_unknown(world: World) -> None:
    agreement = checked_agreement(world)
    elsewhere = CaseParticipant.objects.filter(case=world.other_case).first()
    assert elsewhere is not None
    client = api_as(world.user(Role.DEFENDANT))

    hidden = client.post(url("agreement-sign", agreement.pk), {"witness": elsewhere.pk})
    missing = client.post(url("agreement-sign", agreement.pk), {"witness": MISSING_ID})

    assert hidden.status_code == missing.status_code == 400
    assert str(hidden.json()).replace(str(elsewhere.pk), str(MISSING_ID)) == str(missing.json())


def test_cn_profile_requires_a_witness_to_the_defendants_signature(world: World) -> None:
    cn = cn_case(world)
    offer = services.offer_send(
        offer=services.offer_create(
            case=cn.case,
            by=cn.prosecutor,
            data=services.OfferInput(
                custody_min_months=20,
                custody_max_months=24,
                baseline_months=36,
                leniency_stage="prosecution_review",
            ),
        ),
        by=cn.prosecutor,
    )
    # CPL art. 173(2): the suspect answers the procuratorate's offer.
    agreement = services.offer_accept(offer=offer, by=cn.defendant_user)
    statement_named(agreement, cn.prosecutor)
    api_as(cn.duty_lawyer).post(
        url("agreement-checklist", agreement.pk), CHECKLIST_ALL, format="json"
    )
    client = api_as(cn.defendant_user)

    alone = client.post(url("agreement-sign", agreement.pk), {}, format="json")
    witnessed = client.post(
        url("agreement-sign", agreement.pk), {"witness": cn.duty_participant.pk}, format="json"
    )

    assert (alone.status_code, alone.json()) == (
        400,
        {
            "witness": [
                "Under the People's Republic of China profile the defendant signs before "
                "defense counsel or a duty lawyer; name the witness."
            ]
        },
    )
    assert witnessed.status_code == 201
    assert witnessed.json()["signatures"][0]["witness_name"] == cn.duty_participant.display_name


# --- submission ---------------------------------------------------------------------------------

SUBMIT: dict[str, Answer] = {
    Role.PROSECUTOR: 200,
    **dict.fromkeys(DEFENSE_LAWYERS, 200),
    # us-fed's `agreement_submitter_roles`.
    Role.DEFENDANT: (
        403,
        "The prosecutor, defense counsel or duty lawyer submits the agreement to the court.",
    ),
    **dict.fromkeys(COURT, 404),
}


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_who_submits_the_signed_agreement(world: World, who: str, role: str) -> None:
    agreement = signed_agreement(world)
    before = negotiation_rows()

    response = api_as(persona(world, who, role)).post(url("agreement-submit", agreement.pk))

    answer = expected(SUBMIT, who, role)
    assert answer_of(response) == answer
    if succeeded(answer):
        assert (response.json()["status"], response.json()["submitted_by"]) == (
            "submitted",
            world.user(role).pk,
        )
        judge = api_as(world.user(Role.JUDGE))
        assert judge.get(url("agreement-detail", agreement.pk)).status_code == 200
    else:
        assert negotiation_rows() == before


def test_submitting_before_everyone_signed_is_refused(world: World) -> None:
    agreement = checked_agreement(world)

    response = api_as(world.user(Role.PROSECUTOR)).post(url("agreement-submit", agreement.pk))

    assert (response.status_code, response.json()) == (
        409,
        {
            "detail": "The agreement can be submitted once everyone has signed.",
            "code": "not_signed",
        },
    )


def test_submitting_twice_is_refused(world: World) -> None:
    agreement = submitted_agreement(world)

    response = api_as(world.user(Role.DEFENSE_COUNSEL)).post(url("agreement-submit", agreement.pk))

    assert (response.status_code, response.json()) == (
        409,
        {
            "detail": "This agreement is already “Submitted to the court”.",
            "code": "agreement_submitted",
        },
    )


# --- the court's review -------------------------------------------------------------------------

REVIEW: dict[str, Answer] = {
    **dict.fromkeys(READERS, (403, "Only the court reviews a plea agreement.")),
    **dict.fromkeys(COURT, 200),
}


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_who_reviews_a_submitted_agreement(world: World, who: str, role: str) -> None:
    agreement = submitted_agreement(world)
    before = negotiation_rows()

    response = api_as(persona(world, who, role)).post(
        url("agreement-review", agreement.pk),
        {"decision": "accepted", "reasons": "Knowing and voluntary."},
        format="json",
    )

    answer = expected(REVIEW, who, role)
    assert answer_of(response) == answer
    if succeeded(answer):
        body = response.json()
        assert (body["status"], body["reviewed_by"], body["review_reasons"]) == (
            "court_accepted",
            world.user(role).pk,
            "Knowing and voluntary.",
        )
    else:
        assert negotiation_rows() == before


def test_court_acceptance_enters_the_plea_and_disposes_of_the_counts(world: World) -> None:
    agreement = submitted_agreement(world)

    response = api_as(world.user(Role.JUDGE)).post(
        url("agreement-review", agreement.pk),
        {"decision": "accepted", "reasons": "Factual basis established."},
        format="json",
    )

    assert response.status_code == 200
    world.case.refresh_from_db()
    charge = world.case.charges.get()
    assert world.case.status == CaseStatus.PLEA_ENTERED
    assert (charge.status, charge.disposition) == (ChargeStatus.DISPOSED, Disposition.REDUCED)


def test_the_parties_still_read_the_offer_once_its_counts_are_disposed_of(world: World) -> None:
    agreement = court_accepted(world)
    client = api_as(world.user(Role.DEFENDANT))

    detail = client.get(url("offer-detail", agreement.offer_id))
    exposure = client.get(url("offer-exposure", agreement.offer_id))

    assert (detail.status_code, exposure.status_code) == (200, 200)
    assert (exposure.json()["counts_filed"], exposure.json()["counts_reduced"]) == (1, 1)


def test_court_rejection_reopens_the_negotiation(world: World) -> None:
    agreement = submitted_agreement(world)

    response = api_as(world.user(Role.COURT_STAFF)).post(
        url("agreement-review", agreement.pk),
        {"decision": "rejected", "reasons": "The sentence would be unjust."},
        format="json",
    )
    prosecutor = api_as(world.user(Role.PROSECUTOR))
    draft = prosecutor.post(url("offer-list"), offer_body(world), format="json")
    sent = prosecutor.post(url("offer-send", draft.json()["id"]))
    accepted = api_as(world.user(Role.DEFENSE_COUNSEL)).post(
        url("offer-accept", draft.json()["id"])
    )

    assert (response.status_code, response.json()["status"]) == (200, "court_rejected")
    assert (draft.status_code, sent.status_code, accepted.status_code) == (201, 200, 201)
    assert Offer.objects.get(pk=agreement.offer_id).set_aside_at is not None
    world.case.refresh_from_db()
    # The new agreement is the parties' until it is submitted: the court reads "negotiating".
    assert world.case.status == CaseStatus.NEGOTIATING


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"decision": "maybe", "reasons": "x"}, {"decision": ['"maybe" is not a valid choice.']}),
        ({"reasons": "x"}, {"decision": ["This field is required."]}),
        ({"decision": "accepted", "reasons": " "}, {"reasons": ["Give the court's reasons."]}),
    ],
    ids=["unknown decision", "no decision", "no reasons"],
)
def test_review_with_bad_input_is_refused(
    world: World, body: dict[str, Any], errors: dict[str, Any]
) -> None:
    agreement = submitted_agreement(world)
    before = negotiation_rows()

    response = api_as(world.user(Role.JUDGE)).post(
        url("agreement-review", agreement.pk), body, format="json"
    )

    assert (response.status_code, response.json()) == (400, errors)
    assert negotiation_rows() == before


def test_reviewing_twice_is_refused(world: World) -> None:
    agreement = court_accepted(world)
    before = negotiation_rows()

    response = api_as(world.user(Role.COURT_STAFF)).post(
        url("agreement-review", agreement.pk),
        {"decision": "rejected", "reasons": "Second thoughts."},
        format="json",
    )

    assert (response.status_code, response.json()) == (
        409,
        {
            "detail": "Only an agreement submitted to the court can be reviewed; this one is "
            "“Accepted by the court”.",
            "code": "agreement_court_accepted",
        },
    )
    assert negotiation_rows() == before


# --- withdrawal ---------------------------------------------------------------------------------

WITHDRAW_MESSAGE = "Only the defendant, in person or through counsel, withdraws from the agreement."
WITHDRAW: dict[str, Answer] = {
    Role.PROSECUTOR: (403, WITHDRAW_MESSAGE),
    **dict.fromkeys([*DEFENSE_LAWYERS, Role.DEFENDANT], 200),
    **dict.fromkeys(COURT, (403, WITHDRAW_MESSAGE)),
}


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_who_withdraws_a_submitted_agreement(world: World, who: str, role: str) -> None:
    agreement = submitted_agreement(world)
    before = negotiation_rows()

    response = api_as(persona(world, who, role)).post(
        url("agreement-withdraw", agreement.pk),
        {"reason": "I want a trial."},
        format="json",
    )

    answer = expected(WITHDRAW, who, role)
    assert answer_of(response) == answer
    if succeeded(answer):
        assert (response.json()["status"], response.json()["withdrawal_reason"]) == (
            "withdrawn",
            "I want a trial.",
        )
        world.case.refresh_from_db()
        assert world.case.status == CaseStatus.NEGOTIATING
    else:
        assert negotiation_rows() == before


def test_withdrawal_needs_a_reason(world: World) -> None:
    agreement = accepted_agreement(world)
    before = negotiation_rows()

    response = api_as(world.user(Role.DEFENDANT)).post(url("agreement-withdraw", agreement.pk))

    assert (response.status_code, response.json()) == (
        400,
        {"reason": ["Give the reason for the withdrawal."]},
    )
    assert negotiation_rows() == before


def test_no_withdrawal_after_the_court_accepted(world: World) -> None:
    agreement = court_accepted(world)
    before = negotiation_rows()

    response = api_as(world.user(Role.DEFENDANT)).post(
        url("agreement-withdraw", agreement.pk), {"reason": "Changed my mind."}
    )

    assert (response.status_code, response.json()) == (
        409,
        {
            "detail": "The agreement can no longer be withdrawn; it is “Accepted by the court”.",
            "code": "agreement_court_accepted",
        },
    )
    assert negotiation_rows() == before


# --- the PDF ------------------------------------------------------------------------------------

PDF_AT = {"signed": BEFORE_SUBMISSION, "submitted": AFTER_SUBMISSION}


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
@pytest.mark.parametrize("stage", list(PDF_AT))
def test_who_downloads_the_agreement_pdf(world: World, stage: str, who: str, role: str) -> None:
    agreement = STAGES[stage](world)

    response = api_as(persona(world, who, role)).get(url("agreement-pdf", agreement.pk))

    answer = expected(PDF_AT[stage], who, role)
    assert response.status_code == answer
    if answer == 404:
        assert response.json() == NO_AGREEMENT
        return
    pdf = response.content
    stored = PleaAgreement.objects.get(pk=agreement.pk)
    assert stored.pdf is not None
    assert pdf.startswith(b"%PDF-")
    assert pdf == bytes(stored.pdf)
    assert hashlib.sha256(pdf).hexdigest() == stored.pdf_sha256 == response["X-Content-SHA256"]
    digest = base64.b64encode(hashlib.sha256(pdf).digest()).decode()
    assert response["Repr-Digest"] == f"sha-256=:{digest}:"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="plea-agreement-{agreement.pk}.pdf"'
    )
    assert "no-store" in response["Cache-Control"]


def test_pdf_before_it_is_made_is_a_conflict(world: World) -> None:
    agreement = checked_agreement(world)

    response = api_as(world.user(Role.DEFENDANT)).get(url("agreement-pdf", agreement.pk))

    assert (response.status_code, response.json()) == (
        409,
        {
            "detail": "The agreement's PDF is made when the last party signs; it has not been yet.",
            "code": "pdf_not_generated",
        },
    )


def test_pdf_errors_are_json_even_when_the_client_asks_for_a_pdf(world: World) -> None:
    agreement = signed_agreement(world)

    hidden = api_as(world.user(Role.JUDGE)).get(
        url("agreement-pdf", agreement.pk), HTTP_ACCEPT="application/pdf"
    )
    shown = api_as(world.user(Role.DEFENDANT)).get(
        url("agreement-pdf", agreement.pk), HTTP_ACCEPT="application/pdf"
    )

    assert (hidden.status_code, hidden.json()) == (404, NO_AGREEMENT)
    assert (shown.status_code, shown.content[:5]) == (200, b"%PDF-")


# --- ids that are not ids, and the query count ---------------------------------------------------

AGREEMENT_ROUTES = [
    ("get", "agreement-detail"),
    ("get", "agreement-pdf"),
    ("post", "agreement-checklist"),
    ("post", "agreement-sign"),
    ("post", "agreement-submit"),
    ("post", "agreement-review"),
    ("post", "agreement-withdraw"),
]


@pytest.mark.parametrize(("method", "name"), AGREEMENT_ROUTES)
@pytest.mark.parametrize("bad_id", ["abc", "1e3", "-1", "99999999999999999999", str(MISSING_ID)])
def test_agreement_ids_that_are_not_agreements_answer_404_not_500(
    world: World, method: str, name: str, bad_id: str
) -> None:
    response = getattr(api_as(world.user(Role.JUDGE)), method)(url(name, bad_id), {})

    assert (response.status_code, response.json()) == (404, NO_AGREEMENT)


def test_agreement_list_query_count_does_not_grow_with_agreements(
    world: World, django_assert_num_queries: Any
) -> None:
    client = api_as(world.user(Role.DEFENSE_COUNSEL))
    for _ in range(4):
        agreement = checked_agreement(world)
        services.agreement_sign(agreement=agreement, by=world.user(Role.DEFENDANT))
        services.agreement_withdraw(
            agreement=agreement, by=world.user(Role.DEFENDANT), reason="Not now."
        )
    with django_assert_num_queries(PARTY_AGREEMENT_LIST_QUERIES):
        four = client.get(url("agreement-list"))

    signed_agreement(world)
    with django_assert_num_queries(PARTY_AGREEMENT_LIST_QUERIES):
        five = client.get(url("agreement-list"))

    assert (len(ids(four)), len(ids(five))) == (4, 5)
    assert [len(row["signatures"]) for row in five.json()["results"]] == [3, 1, 1, 1, 1]
    assert Signature.objects.count() == 7


def test_agreement_list_query_count_is_the_same_for_one(
    world: World, django_assert_num_queries: Any
) -> None:
    submitted_agreement(world)

    with django_assert_num_queries(AGREEMENT_LIST_QUERIES):
        one = api_as(world.user(Role.JUDGE)).get(url("agreement-list"))

    assert len(ids(one)) == 1


# --- the whole negotiation, through the API alone ------------------------------------------------


def test_a_plea_from_first_offer_to_the_courts_acceptance(world: World) -> None:
    prosecutor = api_as(world.user(Role.PROSECUTOR))
    counsel = api_as(world.user(Role.DEFENSE_COUNSEL))
    defendant = api_as(world.user(Role.DEFENDANT))
    judge = api_as(world.user(Role.JUDGE))

    first = prosecutor.post(url("offer-list"), offer_body(world), format="json").json()
    prosecutor.post(url("offer-send", first["id"]))
    counter = counsel.post(
        url("offer-counter", first["id"]),
        {**counter_body(world), "response": "Custody is too long for a first offence."},
        format="json",
    ).json()
    agreement = prosecutor.post(url("offer-accept", counter["id"])).json()
    counsel.post(url("agreement-checklist", agreement["id"]), CHECKLIST_ALL, format="json")
    for client in (defendant, counsel, prosecutor):
        assert client.post(url("agreement-sign", agreement["id"])).status_code == 201
    assert judge.get(url("agreement-pdf", agreement["id"])).status_code == 404
    counsel.post(url("agreement-submit", agreement["id"]))
    review = judge.post(
        url("agreement-review", agreement["id"]),
        {"decision": "accepted", "reasons": "Knowing, voluntary, and with a factual basis."},
        format="json",
    )
    pdf = judge.get(url("agreement-pdf", agreement["id"]))

    assert (counter["side"], counter["answers"], counter["round_number"]) == (
        "defense",
        first["id"],
        2,
    )
    assert agreement["terms"]["sentence"]["probation_months"] == "24"
    assert review.json()["status"] == AgreementStatus.COURT_ACCEPTED
    assert pdf.status_code == 200
    assert hashlib.sha256(pdf.content).hexdigest() == review.json()["pdf_sha256"]
    world.case.refresh_from_db()
    assert world.case.status == CaseStatus.PLEA_ENTERED
