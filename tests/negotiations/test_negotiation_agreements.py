"""The plea agreement at the service layer: made on acceptance from frozen terms, the
voluntariness checklist, signatures (with a witness where the profile wants one), the sealed
PDF, submission to the court, the court's review, and the defendant's withdrawal.

Every refusal is checked to leave every negotiation row as it was.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError

from cases import party_services
from cases import services as case_services
from cases.models import Case, CaseStatus, CaseStatusChange, Charge, ChargeStatus, Disposition
from core.exceptions import Conflict
from negotiations import services
from negotiations.models import (
    AgreementStatus,
    OfferStatus,
    PleaAgreement,
    SignatoryRole,
    Signature,
    TermDisposition,
)
from negotiations.services import TermInput
from parties.models import CaseParticipant, Organization, Role
from tests.conftest import ROLES, World, make_user
from tests.negotiation_helpers import (
    CHECKLIST_ALL,
    accepted_agreement,
    add_count,
    charge_of,
    checked_agreement,
    cn_case,
    negotiation_rows,
    sent_offer,
    signed_agreement,
    statement_named,
    submitted_agreement,
)

A = AgreementStatus
ACTORS = [*(str(r) for r in ROLES), *(f"stranger_{r}" for r in ROLES)]


def person(world: World, actor: str) -> User:
    if actor.startswith("stranger_"):
        return world.strangers[Role(actor.removeprefix("stranger_"))]
    return world.user(actor)


def participation(case: Case, user: User, role: str) -> CaseParticipant:
    return CaseParticipant.objects.held_by(user).active().get(case=case, role=role)


def refused(kind: type[Exception], call: Callable[[], Any]) -> Exception:
    """Call, expect `kind`, and check that nothing was written."""
    before = negotiation_rows()
    with pytest.raises(kind) as caught:
        call()
    assert type(caught.value) is kind
    assert negotiation_rows() == before
    return caught.value


def case_status(world: World) -> str:
    return Case.objects.get(pk=world.case.pk).status


# --- made on acceptance, from terms frozen then -------------------------------------------------


def test_acceptance_makes_the_agreement_from_the_offer(world: World) -> None:
    offer = sent_offer(world)
    charge = charge_of(world.case)

    agreement = services.offer_accept(offer=offer, by=world.user(Role.DEFENSE_COUNSEL))

    assert (agreement.status, agreement.offer_id, agreement.case_id) == (
        A.SIGNING,
        offer.pk,
        world.case.pk,
    )
    assert agreement.terms == {
        "offer_id": offer.pk,
        "round_number": 1,
        "charges": [
            {
                "charge_id": charge.pk,
                "count": 1,
                "citation": "21 U.S.C. 841(a)(1)",
                "title": "Distribution",
                "disposition": TermDisposition.LESSER,
                "lesser_citation": "21 U.S.C. 844",
                "lesser_title": "Simple possession",
            }
        ],
        "sentence": {
            "custody_min_months": "6",
            "custody_max_months": "12",
            "probation_months": None,
            "fine": None,
            "restitution": None,
        },
        "conditions": ["appeal_waiver"],
    }
    assert not agreement.checklist_complete
    assert (agreement.interpreter_needed, agreement.pdf_sha256) == (False, "")


def test_agreement_terms_do_not_follow_later_changes_to_the_charges(world: World) -> None:
    agreement = accepted_agreement(world)
    frozen = PleaAgreement.objects.get(pk=agreement.pk).terms
    prosecutor = world.user(Role.PROSECUTOR)

    case_services.charge_update(
        charge=charge_of(world.case), by=prosecutor, description="Distribution of 400 g"
    )
    world.statute.title = "Distribution of a controlled substance"
    world.statute.save()
    world.lesser_statute.citation = "21 U.S.C. 844(a)"
    world.lesser_statute.save()
    add_count(world)

    agreement.refresh_from_db()
    assert agreement.terms == frozen
    assert agreement.terms["charges"][0]["title"] == "Distribution"
    assert agreement.terms["charges"][0]["lesser_citation"] == "21 U.S.C. 844"
    assert [c["count"] for c in agreement.terms["charges"]] == [1]


def test_counts_without_a_term_are_pled_as_charged(world: World) -> None:
    count2 = add_count(world)
    offer = sent_offer(world)

    agreement = services.offer_accept(offer=offer, by=world.user(Role.DEFENSE_COUNSEL))

    assert [(c["charge_id"], c["disposition"]) for c in agreement.terms["charges"]] == [
        (charge_of(world.case).pk, TermDisposition.LESSER),
        (count2.pk, TermDisposition.AS_CHARGED),
    ]


def test_agreement_records_that_the_defendant_needs_an_interpreter(world: World) -> None:
    world.defendant.interpreter_needed = True
    world.defendant.preferred_language = "Spanish"
    world.defendant.save()

    agreement = accepted_agreement(world)

    assert (agreement.interpreter_needed, agreement.interpreter_language) == (True, "Spanish")


# --- the voluntariness checklist ----------------------------------------------------------------

CHECKLIST_COMPLETERS = {str(Role.DEFENSE_COUNSEL), str(Role.DUTY_LAWYER)}


@pytest.mark.parametrize("actor", ACTORS)
def test_who_completes_the_checklist(world: World, actor: str) -> None:
    agreement = accepted_agreement(world)
    by = person(world, actor)

    if actor not in CHECKLIST_COMPLETERS:
        refused(
            PermissionDenied,
            lambda: services.agreement_checklist_complete(
                agreement=agreement, by=by, items=CHECKLIST_ALL
            ),
        )
        return

    done = services.agreement_checklist_complete(agreement=agreement, by=by, items=CHECKLIST_ALL)

    assert done.checklist_complete
    assert done.checklist_completed_by == by
    assert done.checklist_answers == dict.fromkeys(US_CHECKLIST, True)


# The us-fed checklist of an agreement with an appeal waiver and no fine: Fed. R. Crim. P.
# 11(b)(1)(A)-(O) and 11(b)(2), the collateral consequences of Padilla v. Kentucky, and the
# ability to pay a fine (USSG §5E1.2(a)). tests/negotiations/test_agreement_checklist_profiles.py
# checks each against the rule's words.
US_CHECKLIST = [
    "perjury_use_explained",
    "rights_explained",
    "charges_and_sentence_explained",
    "maximum_penalty_explained",
    "mandatory_minimum_explained",
    "forfeiture_restitution_assessment_explained",
    "guidelines_explained",
    "appeal_waiver_explained",
    "immigration_consequences_explained",
    "employment_consequences_explained",
    "licence_consequences_explained",
    "fine_consequences_explained",
    "ability_to_pay_assessed",
    "no_promises_outside_agreement",
]


@pytest.mark.parametrize("missing", US_CHECKLIST)
def test_every_checklist_item_is_required(world: World, missing: str) -> None:
    agreement = accepted_agreement(world)
    items = {**CHECKLIST_ALL, missing: False}

    error = refused(
        ValidationError,
        lambda: services.agreement_checklist_complete(
            agreement=agreement, by=world.user(Role.DEFENSE_COUNSEL), items=items
        ),
    )

    assert isinstance(error, ValidationError)
    assert list(error.message_dict) == [missing]


def test_empty_checklist_names_every_item(world: World) -> None:
    agreement = accepted_agreement(world)

    error = refused(
        ValidationError,
        lambda: services.agreement_checklist_complete(
            agreement=agreement, by=world.user(Role.DEFENSE_COUNSEL), items={}
        ),
    )

    assert isinstance(error, ValidationError)
    assert set(error.message_dict) == set(US_CHECKLIST)


def test_interpreter_is_required_when_the_defendant_needs_one(world: World) -> None:
    world.defendant.interpreter_needed = True
    world.defendant.save()
    agreement = accepted_agreement(world)
    counsel = world.user(Role.DEFENSE_COUNSEL)

    error = refused(
        ValidationError,
        lambda: services.agreement_checklist_complete(
            agreement=agreement, by=counsel, items=CHECKLIST_ALL
        ),
    )
    assert isinstance(error, ValidationError)
    assert list(error.message_dict) == ["interpreter_used"]

    error = refused(
        ValidationError,
        lambda: services.agreement_checklist_complete(
            agreement=agreement, by=counsel, items=CHECKLIST_ALL, interpreter_used=True
        ),
    )
    assert isinstance(error, ValidationError)
    assert list(error.message_dict) == ["interpreter_name"]

    done = services.agreement_checklist_complete(
        agreement=agreement,
        by=counsel,
        items=CHECKLIST_ALL,
        interpreter_used=True,
        interpreter_name="Ana Ruiz",
    )
    assert (done.interpreter_used, done.interpreter_name) == (True, "Ana Ruiz")


def test_no_interpreter_is_asked_for_when_none_is_needed(world: World) -> None:
    agreement = services.agreement_checklist_complete(
        agreement=accepted_agreement(world),
        by=world.user(Role.DUTY_LAWYER),
        items=CHECKLIST_ALL,
    )

    assert agreement.checklist_complete
    assert not agreement.interpreter_used


def test_checklist_cannot_change_once_signing_has_begun(world: World) -> None:
    agreement = checked_agreement(world)
    services.agreement_sign(agreement=agreement, by=world.user(Role.DEFENDANT))

    refused(
        Conflict,
        lambda: services.agreement_checklist_complete(
            agreement=agreement, by=world.user(Role.DUTY_LAWYER), items=CHECKLIST_ALL
        ),
    )


# --- signatures ---------------------------------------------------------------------------------

SIGNS_AS = {
    str(Role.DEFENDANT): SignatoryRole.DEFENDANT,
    str(Role.DEFENSE_COUNSEL): SignatoryRole.DEFENSE_LAWYER,
    str(Role.DUTY_LAWYER): SignatoryRole.DEFENSE_LAWYER,
    str(Role.PROSECUTOR): SignatoryRole.PROSECUTOR,
}


@pytest.mark.parametrize("actor", ACTORS)
def test_nobody_signs_before_the_checklist(world: World, actor: str) -> None:
    agreement = accepted_agreement(world)
    kind = Conflict if actor in SIGNS_AS else PermissionDenied

    error = refused(
        kind, lambda: services.agreement_sign(agreement=agreement, by=person(world, actor))
    )

    if kind is Conflict:
        assert isinstance(error, Conflict)
        assert error.code == "checklist_incomplete"


@pytest.mark.parametrize("actor", ACTORS)
def test_who_signs_and_in_what_capacity(world: World, actor: str) -> None:
    agreement = checked_agreement(world)
    by = person(world, actor)

    if actor not in SIGNS_AS:
        refused(PermissionDenied, lambda: services.agreement_sign(agreement=agreement, by=by))
        return

    signature = services.agreement_sign(agreement=agreement, by=by)

    own = participation(world.case, by, actor)
    assert (signature.signatory_role, signature.signer, signature.recorded_by) == (
        SIGNS_AS[actor],
        by,
        by,
    )
    assert (signature.signer_participant, signature.signer_name) == (own, own.display_name)
    assert signature.witness is None
    agreement.refresh_from_db()
    assert agreement.status == A.SIGNING


def test_defendant_signs_as_themselves(world: World) -> None:
    agreement = checked_agreement(world)

    signature = services.agreement_sign(agreement=agreement, by=world.user(Role.DEFENDANT))

    assert signature.signer_name == "Jane Doe"
    assert signature.signer_participant.defendant == world.defendant


def test_counsel_records_the_defendants_paper_signature(world: World) -> None:
    agreement = checked_agreement(world)
    counsel = world.user(Role.DEFENSE_COUNSEL)

    signature = services.agreement_sign(
        agreement=agreement, by=counsel, on_behalf_of_defendant=True
    )

    assert signature.signatory_role == SignatoryRole.DEFENDANT
    assert (signature.signer, signature.recorded_by) == (None, counsel)
    assert signature.signer_participant.defendant == world.defendant
    assert signature.witness == participation(world.case, counsel, Role.DEFENSE_COUNSEL)
    # Counsel may still sign in their own capacity.
    own = services.agreement_sign(agreement=agreement, by=counsel)
    assert own.signatory_role == SignatoryRole.DEFENSE_LAWYER


def test_prosecutor_cannot_record_the_defendants_signature(world: World) -> None:
    agreement = checked_agreement(world)

    refused(
        PermissionDenied,
        lambda: services.agreement_sign(
            agreement=agreement, by=world.user(Role.PROSECUTOR), on_behalf_of_defendant=True
        ),
    )


def test_only_a_defendants_signature_is_witnessed(world: World) -> None:
    agreement = checked_agreement(world)
    counsel = world.user(Role.DEFENSE_COUNSEL)
    duty = participation(world.case, world.user(Role.DUTY_LAWYER), Role.DUTY_LAWYER)

    error = refused(
        ValidationError,
        lambda: services.agreement_sign(agreement=agreement, by=counsel, witness=duty),
    )

    assert isinstance(error, ValidationError)
    assert list(error.message_dict) == ["witness"]


def test_us_defendant_may_sign_before_a_witness(world: World) -> None:
    agreement = checked_agreement(world)
    duty = participation(world.case, world.user(Role.DUTY_LAWYER), Role.DUTY_LAWYER)

    signature = services.agreement_sign(
        agreement=agreement, by=world.user(Role.DEFENDANT), witness=duty
    )

    assert signature.witness == duty


@pytest.mark.parametrize(
    ("first", "second", "who"),
    [
        (Role.DEFENDANT, Role.DEFENDANT, "defendant"),
        (Role.PROSECUTOR, Role.PROSECUTOR, "prosecutor"),
        (Role.DEFENSE_COUNSEL, Role.DEFENSE_COUNSEL, "defense counsel"),
        # The lawyer who signed is named in the capacity they signed in, exactly (issue 17).
        (Role.DEFENSE_COUNSEL, Role.DUTY_LAWYER, "defense counsel"),
        (Role.DUTY_LAWYER, Role.DEFENSE_COUNSEL, "duty lawyer"),
    ],
)
def test_each_capacity_signs_once(world: World, first: str, second: str, who: str) -> None:
    agreement = checked_agreement(world)
    services.agreement_sign(agreement=agreement, by=world.user(first))

    error = refused(
        Conflict, lambda: services.agreement_sign(agreement=agreement, by=world.user(second))
    )

    assert isinstance(error, Conflict)
    assert error.code == "already_signed"
    assert error.message == f"The {who} has already signed."


def test_paper_signature_after_the_defendant_signed_is_refused(world: World) -> None:
    agreement = checked_agreement(world)
    services.agreement_sign(agreement=agreement, by=world.user(Role.DEFENDANT))

    error = refused(
        Conflict,
        lambda: services.agreement_sign(
            agreement=agreement, by=world.user(Role.DUTY_LAWYER), on_behalf_of_defendant=True
        ),
    )

    assert isinstance(error, Conflict)
    assert error.message == "The defendant has already signed."


def test_fully_signed_agreement_is_sealed_with_its_pdf(world: World) -> None:
    agreement = checked_agreement(world)
    for role in (Role.PROSECUTOR, Role.DEFENDANT):
        services.agreement_sign(agreement=agreement, by=world.user(role))
        agreement.refresh_from_db()
        assert (agreement.status, agreement.pdf_sha256) == (A.SIGNING, "")

    services.agreement_sign(agreement=agreement, by=world.user(Role.DUTY_LAWYER))

    agreement.refresh_from_db()
    assert agreement.status == A.SIGNED
    pdf = bytes(agreement.pdf or b"")
    assert pdf.startswith(b"%PDF")
    assert agreement.pdf_sha256 == hashlib.sha256(pdf).hexdigest()
    assert Signature.objects.filter(agreement=agreement).count() == 3


def test_signed_agreement_can_no_longer_change(world: World) -> None:
    agreement = signed_agreement(world)

    for call in (
        lambda: services.agreement_checklist_complete(
            agreement=agreement, by=world.user(Role.DEFENSE_COUNSEL), items=CHECKLIST_ALL
        ),
        lambda: services.agreement_sign(agreement=agreement, by=world.user(Role.DEFENDANT)),
        lambda: services.agreement_sign(
            agreement=agreement, by=world.user(Role.DUTY_LAWYER), on_behalf_of_defendant=True
        ),
    ):
        error = refused(Conflict, call)
        assert isinstance(error, Conflict)
        assert error.code == "agreement_signed"
        assert "a fully signed agreement can no longer change" in error.message


# --- the CN profile: the defendant signs before a lawyer ----------------------------------------


def cn_checked(world: World) -> tuple[Any, PleaAgreement]:
    cn = cn_case(world)
    offer = services.offer_create(
        case=cn.case,
        by=cn.prosecutor,
        data=services.OfferInput(custody_min_months=8, custody_max_months=10),
    )
    services.offer_send(offer=offer, by=cn.prosecutor)
    agreement = services.offer_accept(offer=offer, by=cn.duty_lawyer)
    statement_named(agreement, cn.prosecutor)
    agreement = services.agreement_checklist_complete(
        agreement=agreement, by=cn.duty_lawyer, items=CHECKLIST_ALL
    )
    return cn, agreement


def test_cn_defendant_cannot_sign_without_a_witness(world: World) -> None:
    cn, agreement = cn_checked(world)

    error = refused(
        ValidationError, lambda: services.agreement_sign(agreement=agreement, by=cn.defendant_user)
    )

    assert isinstance(error, ValidationError)
    assert list(error.message_dict) == ["witness"]
    assert "People's Republic of China profile" in error.message_dict["witness"][0]


def test_cn_defendant_signs_before_the_duty_lawyer(world: World) -> None:
    cn, agreement = cn_checked(world)

    signature = services.agreement_sign(
        agreement=agreement, by=cn.defendant_user, witness=cn.duty_participant
    )

    assert (signature.signatory_role, signature.witness) == (
        SignatoryRole.DEFENDANT,
        cn.duty_participant,
    )


def test_cn_agreement_is_sealed_once_all_have_signed(world: World) -> None:
    cn, agreement = cn_checked(world)
    services.agreement_sign(agreement=agreement, by=cn.defendant_user, witness=cn.duty_participant)
    services.agreement_sign(agreement=agreement, by=cn.duty_lawyer)
    services.agreement_sign(agreement=agreement, by=cn.prosecutor)

    agreement.refresh_from_db()
    assert agreement.status == A.SIGNED
    assert agreement.pdf_sha256 == hashlib.sha256(bytes(agreement.pdf or b"")).hexdigest()


def test_cn_paper_signature_recorded_by_the_duty_lawyer_is_witnessed_by_them(world: World) -> None:
    cn, agreement = cn_checked(world)

    signature = services.agreement_sign(
        agreement=agreement, by=cn.duty_lawyer, on_behalf_of_defendant=True
    )

    assert (signature.witness, signature.recorded_by) == (cn.duty_participant, cn.duty_lawyer)


def test_cn_witness_must_be_a_defense_lawyer_of_this_case(world: World) -> None:
    cn, agreement = cn_checked(world)
    prosecutor_on_case = participation(cn.case, cn.prosecutor, Role.PROSECUTOR)
    counsel_elsewhere = participation(
        world.case, world.user(Role.DEFENSE_COUNSEL), Role.DEFENSE_COUNSEL
    )
    cn_aid = Organization.objects.get(name="Haidian Legal Aid")
    former = party_services.participant_add(
        case=cn.case,
        by=cn.clerk,
        role=Role.DUTY_LAWYER,
        user=make_user("cn_duty_former", Role.DUTY_LAWYER, cn_aid),
    )
    party_services.participant_end(participant=former, by=cn.clerk)
    former.refresh_from_db()

    for witness in (prosecutor_on_case, counsel_elsewhere, former):
        error = refused(
            ValidationError,
            partial(
                services.agreement_sign,
                agreement=agreement,
                by=cn.defendant_user,
                witness=witness,
            ),
        )
        assert isinstance(error, ValidationError)
        assert error.message_dict == {
            "witness": ["The witness must be defense counsel or a duty lawyer on this case."]
        }


# --- submission to the court --------------------------------------------------------------------

SUBMITTERS = {str(Role.PROSECUTOR), str(Role.DEFENSE_COUNSEL), str(Role.DUTY_LAWYER)}


@pytest.mark.parametrize("actor", ACTORS)
def test_who_submits_the_agreement(world: World, actor: str) -> None:
    agreement = signed_agreement(world)
    by = person(world, actor)

    if actor not in SUBMITTERS:
        refused(PermissionDenied, lambda: services.agreement_submit(agreement=agreement, by=by))
        return

    submitted = services.agreement_submit(agreement=agreement, by=by)

    assert (submitted.status, submitted.submitted_by) == (A.SUBMITTED, by)
    assert submitted.submitted_at is not None


def test_unsigned_agreement_cannot_be_submitted(world: World) -> None:
    agreement = checked_agreement(world)
    services.agreement_sign(agreement=agreement, by=world.user(Role.DEFENDANT))

    error = refused(
        Conflict,
        lambda: services.agreement_submit(agreement=agreement, by=world.user(Role.PROSECUTOR)),
    )

    assert isinstance(error, Conflict)
    assert error.code == "not_signed"


def test_agreement_is_submitted_once(world: World) -> None:
    agreement = submitted_agreement(world)

    error = refused(
        Conflict,
        lambda: services.agreement_submit(agreement=agreement, by=world.user(Role.DEFENSE_COUNSEL)),
    )

    assert isinstance(error, Conflict)
    assert error.message == "This agreement is already “Submitted to the court”."


# --- the court's review -------------------------------------------------------------------------

REVIEWERS = {str(Role.JUDGE), str(Role.COURT_STAFF)}


@pytest.mark.parametrize("actor", ACTORS)
def test_who_reviews_the_agreement(world: World, actor: str) -> None:
    agreement = submitted_agreement(world)
    by = person(world, actor)

    if actor not in REVIEWERS:
        refused(
            PermissionDenied,
            lambda: services.agreement_review(
                agreement=agreement, by=by, accepted=True, reasons="Voluntary and lawful."
            ),
        )
        return

    reviewed = services.agreement_review(
        agreement=agreement, by=by, accepted=True, reasons=" Voluntary and lawful. "
    )

    assert (reviewed.status, reviewed.reviewed_by, reviewed.review_reasons) == (
        A.COURT_ACCEPTED,
        by,
        "Voluntary and lawful.",
    )


def test_clerk_of_the_court_reviews_without_taking_part_in_the_case(world: World) -> None:
    # The clerk sits in the court but has no participation on the case.
    clerk = world.user(Role.COURT_STAFF)
    assert not CaseParticipant.objects.held_by(clerk).filter(case=world.case).exists()

    reviewed = services.agreement_review(
        agreement=submitted_agreement(world), by=clerk, accepted=False, reasons="Not voluntary."
    )

    assert reviewed.status == A.COURT_REJECTED


@pytest.mark.parametrize("stage", ["signing", "signed"])
def test_agreement_not_yet_submitted_cannot_be_reviewed(world: World, stage: str) -> None:
    agreement = accepted_agreement(world) if stage == "signing" else signed_agreement(world)

    error = refused(
        Conflict,
        lambda: services.agreement_review(
            agreement=agreement, by=world.user(Role.JUDGE), accepted=True, reasons="Fine."
        ),
    )

    assert isinstance(error, Conflict)
    assert "Only an agreement submitted to the court can be reviewed" in error.message


def test_review_needs_reasons(world: World) -> None:
    agreement = submitted_agreement(world)

    error = refused(
        ValidationError,
        lambda: services.agreement_review(
            agreement=agreement, by=world.user(Role.JUDGE), accepted=True, reasons="  "
        ),
    )

    assert isinstance(error, ValidationError)
    assert list(error.message_dict) == ["reasons"]


@pytest.mark.parametrize("accepted", [True, False])
def test_agreement_is_reviewed_once(world: World, accepted: bool) -> None:
    agreement = submitted_agreement(world)
    services.agreement_review(
        agreement=agreement, by=world.user(Role.JUDGE), accepted=accepted, reasons="Decided."
    )

    refused(
        Conflict,
        lambda: services.agreement_review(
            agreement=agreement, by=world.user(Role.COURT_STAFF), accepted=True, reasons="Again."
        ),
    )


def three_count_agreement(world: World) -> tuple[PleaAgreement, list[Charge]]:
    """Count 1 reduced to a lesser offence, count 2 dismissed, count 3 pled as charged (no
    term), through signature and submission."""
    count2, count3 = add_count(world), add_count(world)
    count1 = charge_of(world.case)
    offer = sent_offer(
        world,
        terms=[
            TermInput(count1.pk, TermDisposition.LESSER, world.lesser_statute.pk),
            TermInput(count2.pk, TermDisposition.DISMISS),
        ],
    )
    agreement = services.offer_accept(offer=offer, by=world.user(Role.DEFENSE_COUNSEL))
    services.agreement_checklist_complete(
        agreement=agreement, by=world.user(Role.DEFENSE_COUNSEL), items=CHECKLIST_ALL
    )
    for role in (Role.DEFENDANT, Role.DEFENSE_COUNSEL, Role.PROSECUTOR):
        services.agreement_sign(agreement=agreement, by=world.user(role))
    agreement = services.agreement_submit(agreement=agreement, by=world.user(Role.PROSECUTOR))
    return agreement, [count1, count2, count3]


def test_court_acceptance_enters_the_plea_and_disposes_of_the_counts(world: World) -> None:
    agreement, counts = three_count_agreement(world)
    judge = world.user(Role.JUDGE)

    services.agreement_review(
        agreement=agreement, by=judge, accepted=True, reasons="Knowing and voluntary."
    )

    assert case_status(world) == CaseStatus.PLEA_ENTERED
    change = CaseStatusChange.objects.order_by("pk").last()
    assert change is not None
    assert (change.from_status, change.to_status, change.changed_by) == (
        CaseStatus.AGREEMENT,
        CaseStatus.PLEA_ENTERED,
        judge,
    )
    today = case_services.court_today(world.court)
    assert [
        (c.status, c.disposition, c.disposition_date)
        for c in Charge.objects.filter(pk__in=[c.pk for c in counts]).order_by("count_number")
    ] == [
        (ChargeStatus.DISPOSED, Disposition.REDUCED, today),
        (ChargeStatus.DISPOSED, Disposition.DISMISSED, today),
        (ChargeStatus.DISPOSED, Disposition.GUILTY_PLEA, today),
    ]


def test_court_rejection_reopens_the_negotiation_and_a_new_agreement_may_follow(
    world: World,
) -> None:
    agreement, _counts = three_count_agreement(world)
    clerk = world.user(Role.COURT_STAFF)

    services.agreement_review(
        agreement=agreement, by=clerk, accepted=False, reasons="The appeal waiver is too broad."
    )

    assert case_status(world) == CaseStatus.NEGOTIATING
    change = CaseStatusChange.objects.order_by("pk").last()
    assert change is not None
    assert (change.from_status, change.to_status) == (CaseStatus.AGREEMENT, CaseStatus.NEGOTIATING)
    first_offer = agreement.offer
    first_offer.refresh_from_db()
    assert first_offer.status == OfferStatus.ACCEPTED
    assert first_offer.set_aside_at is not None
    assert all(c.status != ChargeStatus.DISPOSED for c in Charge.objects.filter(case=world.case))

    again = sent_offer(world, appeal_waiver=False)
    second = services.offer_accept(offer=again, by=world.user(Role.DUTY_LAWYER))

    assert second.pk != agreement.pk
    assert second.status == A.SIGNING
    # Not submitted yet: the court still reads "negotiating".
    assert case_status(world) == CaseStatus.NEGOTIATING
    assert list(
        PleaAgreement.objects.filter(case=world.case)
        .order_by("pk")
        .values_list("status", flat=True)
    ) == [A.COURT_REJECTED, A.SIGNING]


def test_court_acceptance_closes_the_negotiation(world: World) -> None:
    agreement = submitted_agreement(world)
    services.agreement_review(
        agreement=agreement, by=world.user(Role.JUDGE), accepted=True, reasons="Voluntary."
    )

    refused(Conflict, lambda: sent_offer(world))


# --- the defendant withdraws --------------------------------------------------------------------

WITHDRAWERS = {str(Role.DEFENDANT), str(Role.DEFENSE_COUNSEL), str(Role.DUTY_LAWYER)}


@pytest.mark.parametrize("actor", ACTORS)
def test_who_withdraws_the_agreement(world: World, actor: str) -> None:
    agreement = accepted_agreement(world)
    by = person(world, actor)

    if actor not in WITHDRAWERS:
        refused(
            PermissionDenied,
            lambda: services.agreement_withdraw(agreement=agreement, by=by, reason="Changed mind."),
        )
        return

    withdrawn = services.agreement_withdraw(agreement=agreement, by=by, reason=" Changed mind. ")

    assert (withdrawn.status, withdrawn.withdrawn_by, withdrawn.withdrawal_reason) == (
        A.WITHDRAWN,
        by,
        "Changed mind.",
    )
    # Never submitted: the court knew of no agreement, and the case did not move.
    assert case_status(world) == CaseStatus.INTAKE


STAGES: dict[str, Callable[[World], PleaAgreement]] = {
    "signing": accepted_agreement,
    "signed": signed_agreement,
    "submitted": submitted_agreement,
}


@pytest.mark.parametrize("stage", list(STAGES))
def test_defendant_may_withdraw_until_the_court_accepts(world: World, stage: str) -> None:
    agreement = STAGES[stage](world)

    services.agreement_withdraw(
        agreement=agreement, by=world.user(Role.DEFENDANT), reason="I want a trial."
    )

    agreement.refresh_from_db()
    assert agreement.status == A.WITHDRAWN
    assert agreement.offer.set_aside_at is not None
    # Only a submitted agreement had moved the case; its withdrawal moves it back.
    assert case_status(world) == (
        CaseStatus.NEGOTIATING if stage == "submitted" else CaseStatus.INTAKE
    )


@pytest.mark.parametrize("accepted", [True, False])
def test_reviewed_agreement_cannot_be_withdrawn(world: World, accepted: bool) -> None:
    agreement = submitted_agreement(world)
    services.agreement_review(
        agreement=agreement, by=world.user(Role.JUDGE), accepted=accepted, reasons="Decided."
    )

    error = refused(
        Conflict,
        lambda: services.agreement_withdraw(
            agreement=agreement, by=world.user(Role.DEFENDANT), reason="Too late?"
        ),
    )

    assert isinstance(error, Conflict)
    assert "can no longer be withdrawn" in error.message


def test_agreement_is_withdrawn_once(world: World) -> None:
    agreement = accepted_agreement(world)
    services.agreement_withdraw(agreement=agreement, by=world.user(Role.DEFENDANT), reason="No.")

    refused(
        Conflict,
        lambda: services.agreement_withdraw(
            agreement=agreement, by=world.user(Role.DEFENSE_COUNSEL), reason="No."
        ),
    )


def test_withdrawal_needs_a_reason(world: World) -> None:
    agreement = accepted_agreement(world)

    error = refused(
        ValidationError,
        lambda: services.agreement_withdraw(
            agreement=agreement, by=world.user(Role.DEFENDANT), reason=""
        ),
    )

    assert isinstance(error, ValidationError)
    assert list(error.message_dict) == ["reason"]


def test_a_new_agreement_may_follow_a_withdrawal(world: World) -> None:
    first = accepted_agreement(world)
    services.agreement_withdraw(agreement=first, by=world.user(Role.DEFENDANT), reason="No.")

    second = services.offer_accept(
        offer=sent_offer(world, custody_max_months=9), by=world.user(Role.DEFENSE_COUNSEL)
    )

    assert second.status == A.SIGNING
    assert second.terms["sentence"]["custody_max_months"] == "9"
    assert case_status(world) == CaseStatus.INTAKE


def test_withdrawn_agreement_can_no_longer_be_signed_or_submitted(world: World) -> None:
    agreement = checked_agreement(world)
    services.agreement_withdraw(agreement=agreement, by=world.user(Role.DEFENDANT), reason="No.")

    refused(
        Conflict,
        lambda: services.agreement_sign(agreement=agreement, by=world.user(Role.DEFENDANT)),
    )
    refused(
        Conflict,
        lambda: services.agreement_submit(agreement=agreement, by=world.user(Role.PROSECUTOR)),
    )


def test_full_walk_records_each_step(world: World) -> None:
    # Offer, counter, a new offer after the prosecution's response, acceptance, signing,
    # submission, acceptance by the court: the case history reads as it happened.
    prosecutor, counsel = world.user(Role.PROSECUTOR), world.user(Role.DEFENSE_COUNSEL)
    first = sent_offer(world)
    counter = services.offer_counter(
        offer=first,
        by=counsel,
        data=services.OfferInput(
            terms=[
                TermInput(charge_of(world.case).pk, TermDisposition.LESSER, world.lesser_statute.pk)
            ],
            probation_months=24,
            rationale="First offence.",
        ),
    )
    services.offer_reject(offer=counter, by=prosecutor, reason="Some custody is needed.")
    final = sent_offer(world, custody_min_months=3, custody_max_months=6)
    agreement = services.offer_accept(offer=final, by=counsel)
    services.agreement_checklist_complete(agreement=agreement, by=counsel, items=CHECKLIST_ALL)
    for role in (Role.DEFENDANT, Role.DEFENSE_COUNSEL, Role.PROSECUTOR):
        services.agreement_sign(agreement=agreement, by=world.user(role))
    services.agreement_submit(agreement=agreement, by=counsel)
    services.agreement_review(
        agreement=agreement, by=world.user(Role.JUDGE), accepted=True, reasons="Voluntary."
    )

    assert [o.round_number for o in (first, counter, final)] == [1, 2, 3]
    assert list(
        CaseStatusChange.objects.filter(case=world.case)
        .order_by("pk")
        .values_list("to_status", flat=True)
    ) == [CaseStatus.AGREEMENT, CaseStatus.PLEA_ENTERED]
