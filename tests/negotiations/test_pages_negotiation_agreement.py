"""Every POST of the agreement page, for every role on the case and for strangers; then the
checklist, the signatures (the defendant's own, and counsel recording a paper signature; the
witness under the CN profile), submission, the court's review and withdrawal.

The court reaches the agreement only once it is submitted: before that its POSTs answer 404.
A POST that is refused writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cases.models import CaseStatus
from negotiations import services
from negotiations.models import AgreementStatus, PleaAgreement, SignatoryRole, Signature
from negotiations.services import OfferInput
from parties.models import Defendant, Role
from tests.conftest import ROLES, World
from tests.negotiation_helpers import (
    CHECKLIST_ALL,
    CnCase,
    accepted_agreement,
    checked_agreement,
    cn_case,
    negotiation_rows,
    signed_agreement,
    statement_named,
    submitted_agreement,
)

P, DC, DL, D, J, CS = ROLES
DONE = 302


@dataclass
class Action:
    name: str
    setup: Callable[[World], PleaAgreement]
    url_name: str
    data: dict[str, Any]
    wrote: Callable[[PleaAgreement], bool]
    expected: dict[Role, int]


def _agreement(agreement: PleaAgreement) -> PleaAgreement:
    return PleaAgreement.objects.get(pk=agreement.pk)


CHECKLIST_FORM = {f"checklist-{name}": "on" for name in CHECKLIST_ALL}

ACTIONS = [
    Action(
        "checklist",
        accepted_agreement,
        "agreement-checklist",
        CHECKLIST_FORM,
        lambda a: _agreement(a).checklist_complete,
        {P: 403, DC: DONE, DL: DONE, D: 403, J: 404, CS: 404},
    ),
    Action(
        "sign",
        checked_agreement,
        "agreement-sign",
        {"sign-confirm": "on"},
        lambda a: Signature.objects.filter(agreement=a).exists(),
        {P: DONE, DC: DONE, DL: DONE, D: DONE, J: 404, CS: 404},
    ),
    Action(
        "record the defendant's signature",
        checked_agreement,
        "agreement-sign-for-defendant",
        {"record-confirm": "on"},
        lambda a: Signature.objects.filter(
            agreement=a, signatory_role=SignatoryRole.DEFENDANT, signer=None
        ).exists(),
        {P: 403, DC: DONE, DL: DONE, D: 403, J: 404, CS: 404},
    ),
    Action(
        "submit",
        signed_agreement,
        "agreement-submit",
        {"submit-confirm": "on"},
        lambda a: _agreement(a).status == AgreementStatus.SUBMITTED,
        {P: DONE, DC: DONE, DL: DONE, D: 403, J: 404, CS: 404},
    ),
    Action(
        "review",
        submitted_agreement,
        "agreement-review",
        {"review-decision": "accept", "review-reasons": "Knowing and voluntary."},
        lambda a: _agreement(a).status == AgreementStatus.COURT_ACCEPTED,
        {P: 403, DC: 403, DL: 403, D: 403, J: DONE, CS: DONE},
    ),
    Action(
        "withdraw",
        accepted_agreement,
        "agreement-withdraw",
        {"withdraw-reason": "I want a trial.", "withdraw-confirm": "on"},
        lambda a: _agreement(a).status == AgreementStatus.WITHDRAWN,
        {P: 403, DC: DONE, DL: DONE, D: DONE, J: 404, CS: 404},
    ),
]
ACTION_IDS = [action.name for action in ACTIONS]


@pytest.mark.parametrize("action", ACTIONS, ids=ACTION_IDS)
@pytest.mark.parametrize("role", ROLES)
def test_action_for_each_role_on_the_case(
    client: Client, world: World, role: Role, action: Action
) -> None:
    agreement = action.setup(world)
    before = negotiation_rows()
    client.force_login(world.user(role))
    url = reverse(f"negotiations:{action.url_name}", args=[agreement.pk])
    response = client.post(url, action.data)
    assert response.status_code == action.expected[role]
    if response.status_code == DONE:
        assert action.wrote(agreement)
        assert response["Location"] == reverse("negotiations:agreement", args=[agreement.pk])
    else:
        assert negotiation_rows() == before


@pytest.mark.parametrize("action", ACTIONS, ids=ACTION_IDS)
@pytest.mark.parametrize("role", ROLES)
def test_action_is_missing_for_strangers(
    client: Client, world: World, role: Role, action: Action
) -> None:
    agreement = action.setup(world)
    before = negotiation_rows()
    client.force_login(world.strangers[role])
    url = reverse(f"negotiations:{action.url_name}", args=[agreement.pk])
    assert client.post(url, action.data).status_code == 404
    assert negotiation_rows() == before


def test_every_role_is_placed_for_every_action() -> None:
    for action in ACTIONS:
        assert set(action.expected) == set(ROLES), action.name


# --- what each role is offered on the page --------------------------------------------------------


def _forms_of(body: str) -> list[str]:
    return [
        chunk.split('"', 1)[0]
        for chunk in body.split('<form method="post" action="')[1:]
        if not chunk.startswith(reverse("logout"))
    ]


def _page(client: Client, world: World, role: Role, agreement: PleaAgreement) -> str:
    client.force_login(world.user(role))
    response = client.get(reverse("negotiations:agreement", args=[agreement.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _url(name: str, agreement: PleaAgreement) -> str:
    return reverse(f"negotiations:{name}", args=[agreement.pk])


def test_forms_while_the_checklist_is_open(client: Client, world: World) -> None:
    agreement = accepted_agreement(world)
    checklist, withdraw = (
        _url("agreement-checklist", agreement),
        _url("agreement-withdraw", agreement),
    )
    assert _forms_of(_page(client, world, DC, agreement)) == [checklist, withdraw]
    assert _forms_of(_page(client, world, DL, agreement)) == [checklist, withdraw]
    assert _forms_of(_page(client, world, D, agreement)) == [withdraw]
    assert _forms_of(_page(client, world, P, agreement)) == []


def test_checklist_form_labels_every_item(client: Client, world: World) -> None:
    body = _page(client, world, DC, accepted_agreement(world))
    # Fed. R. Crim. P. 11(b)(1)(H), (I), (N): "any maximum possible penalty, including
    # imprisonment, fine, and term of supervised release"; "any mandatory minimum penalty";
    # "the terms of any plea-agreement provision waiving the right to appeal".
    for name, label in [
        (
            "maximum_penalty_explained",
            "The maximum possible penalty, including imprisonment, fine, and term of "
            "supervised release",
        ),
        ("mandatory_minimum_explained", "Any mandatory minimum penalty"),
        (
            "appeal_waiver_explained",
            "The terms of the waiver of the right to appeal or collaterally attack",
        ),
        ("ability_to_pay_assessed", "The defendant&#x27;s ability to pay a fine was discussed"),
    ]:
        assert f'<label for="id_checklist-{name}">{label}' in body
    assert "Fed. R. Crim. P. 11(b)(1)(H)" in body
    assert "checklist-interpreter_used" not in body  # the defendant needs none


def test_forms_once_the_checklist_is_done(client: Client, world: World) -> None:
    agreement = checked_agreement(world)
    sign, record = (
        _url("agreement-sign", agreement),
        _url("agreement-sign-for-defendant", agreement),
    )
    withdraw = _url("agreement-withdraw", agreement)
    assert _forms_of(_page(client, world, DC, agreement)) == [sign, record, withdraw]
    assert _forms_of(_page(client, world, D, agreement)) == [sign, withdraw]
    assert _forms_of(_page(client, world, P, agreement)) == [sign]
    body = _page(client, world, DC, agreement)
    assert "Record the defendant's signature (signed on paper in my presence)" in body


def test_forms_once_signed(client: Client, world: World) -> None:
    agreement = signed_agreement(world)
    submit, withdraw = _url("agreement-submit", agreement), _url("agreement-withdraw", agreement)
    assert _forms_of(_page(client, world, P, agreement)) == [submit]
    assert _forms_of(_page(client, world, DC, agreement)) == [submit, withdraw]
    assert _forms_of(_page(client, world, D, agreement)) == [withdraw]


@pytest.mark.parametrize("role", [J, CS])
def test_court_is_offered_the_review_once_submitted(
    client: Client, world: World, role: Role
) -> None:
    agreement = submitted_agreement(world)
    body = _page(client, world, role, agreement)
    assert _forms_of(body) == [_url("agreement-review", agreement)]
    assert agreement.pdf_sha256 in body


def test_signatures_show_who_when_and_the_witness(client: Client, world: World) -> None:
    agreement = checked_agreement(world)
    services.agreement_sign(agreement=agreement, by=world.user(DC), on_behalf_of_defendant=True)
    body = _page(client, world, P, agreement)
    assert "Jane Doe" in body
    assert "Witnessed by" in body
    assert "Signed on paper; recorded by" in body
    assert "Not signed yet" in body


# --- bad input and closed states ------------------------------------------------------------------


def _refused(client: Client, url: str, data: dict[str, Any], status: int) -> str:
    before = negotiation_rows()
    response = client.post(url, data)
    assert response.status_code == status
    assert negotiation_rows() == before
    return response.content.decode()


def test_checklist_names_each_item_left_unconfirmed(client: Client, world: World) -> None:
    agreement = accepted_agreement(world)
    client.force_login(world.user(DC))
    data = dict(CHECKLIST_FORM)
    del data["checklist-immigration_consequences_explained"]
    body = _refused(client, _url("agreement-checklist", agreement), data, 400)
    assert 'id="id_checklist-immigration_consequences_explained_error"' in body
    assert (
        "Confirm: immigration consequences: a defendant who is not a citizen may be removed, "
        "denied citizenship and denied admission." in body
    )


def test_checklist_asks_for_the_interpreter_when_one_is_needed(
    client: Client, world: World
) -> None:
    Defendant.objects.filter(pk=world.defendant.pk).update(
        interpreter_needed=True, preferred_language="Spanish"
    )
    agreement = accepted_agreement(world)
    client.force_login(world.user(DC))
    page = client.get(reverse("negotiations:agreement", args=[agreement.pk])).content.decode()
    assert 'name="checklist-interpreter_used"' in page
    assert 'value="Spanish"' in page
    body = _refused(client, _url("agreement-checklist", agreement), CHECKLIST_FORM, 400)
    assert "The defendant needs an interpreter; record the interpreter used." in body
    response = client.post(
        _url("agreement-checklist", agreement),
        {
            **CHECKLIST_FORM,
            "checklist-interpreter_used": "on",
            "checklist-interpreter_name": "Ana Ruiz",
            "checklist-interpreter_language": "Spanish",
        },
    )
    assert response.status_code == 302
    assert _agreement(agreement).interpreter_name == "Ana Ruiz"


def test_signing_before_the_checklist_is_a_conflict(client: Client, world: World) -> None:
    agreement = accepted_agreement(world)
    client.force_login(world.user(P))
    body = _refused(client, _url("agreement-sign", agreement), {"sign-confirm": "on"}, 409)
    assert "Complete the voluntariness checklist before anyone signs." in body


def test_signing_twice_is_a_conflict(client: Client, world: World) -> None:
    agreement = checked_agreement(world)
    services.agreement_sign(agreement=agreement, by=world.user(P))
    client.force_login(world.user(P))
    body = _refused(client, _url("agreement-sign", agreement), {"sign-confirm": "on"}, 409)
    assert "The prosecutor has already signed." in body


def test_signing_needs_the_box_ticked(client: Client, world: World) -> None:
    agreement = checked_agreement(world)
    client.force_login(world.user(D))
    body = _refused(client, _url("agreement-sign", agreement), {}, 400)
    assert "Tick the box to confirm." in body


def test_last_signature_seals_the_agreement(client: Client, world: World) -> None:
    agreement = checked_agreement(world)
    for role in (D, DC):
        services.agreement_sign(agreement=agreement, by=world.user(role))
    client.force_login(world.user(P))
    client.post(_url("agreement-sign", agreement), {"sign-confirm": "on"})
    sealed = _agreement(agreement)
    assert sealed.status == AgreementStatus.SIGNED
    assert len(sealed.pdf_sha256) == 64


def test_submitting_before_everyone_signs_is_a_conflict(client: Client, world: World) -> None:
    agreement = checked_agreement(world)
    client.force_login(world.user(P))
    body = _refused(client, _url("agreement-submit", agreement), {"submit-confirm": "on"}, 409)
    assert "once everyone has signed" in body


def test_review_needs_reasons(client: Client, world: World) -> None:
    agreement = submitted_agreement(world)
    client.force_login(world.user(J))
    body = _refused(client, _url("agreement-review", agreement), {"review-decision": "reject"}, 400)
    assert "Give the court&#x27;s reasons." in body


def test_reviewing_twice_is_a_conflict(client: Client, world: World) -> None:
    agreement = submitted_agreement(world)
    services.agreement_review(
        agreement=agreement, by=world.user(J), accepted=True, reasons="Voluntary."
    )
    client.force_login(world.user(CS))
    body = _refused(
        client,
        _url("agreement-review", agreement),
        {"review-decision": "reject", "review-reasons": "Second thoughts."},
        409,
    )
    assert "Only an agreement submitted to the court can be reviewed" in body


def test_court_rejection_reopens_the_negotiation(client: Client, world: World) -> None:
    agreement = submitted_agreement(world)
    client.force_login(world.user(J))
    client.post(
        _url("agreement-review", agreement),
        {"review-decision": "reject", "review-reasons": "No factual basis for the plea."},
    )
    assert _agreement(agreement).status == AgreementStatus.COURT_REJECTED
    world.case.refresh_from_db()
    assert world.case.status == CaseStatus.NEGOTIATING
    body = _page(client, world, P, agreement)
    assert "No factual basis for the plea." in body
    assert _forms_of(body) == []


def test_withdrawal_needs_a_reason(client: Client, world: World) -> None:
    agreement = accepted_agreement(world)
    client.force_login(world.user(D))
    body = _refused(client, _url("agreement-withdraw", agreement), {"withdraw-confirm": "on"}, 400)
    assert "Give the reason for the withdrawal." in body


def test_withdrawing_after_the_court_accepted_is_a_conflict(client: Client, world: World) -> None:
    agreement = submitted_agreement(world)
    services.agreement_review(
        agreement=agreement, by=world.user(J), accepted=True, reasons="Voluntary."
    )
    client.force_login(world.user(DC))
    body = _refused(
        client,
        _url("agreement-withdraw", agreement),
        {"withdraw-reason": "Too late.", "withdraw-confirm": "on"},
        409,
    )
    assert "The agreement can no longer be withdrawn" in body


# --- the CN profile: the defendant signs before a witness -----------------------------------------


def _cn_checked(world: World) -> tuple[CnCase, PleaAgreement]:
    cn = cn_case(world)
    offer = services.offer_create(
        case=cn.case,
        by=cn.prosecutor,
        data=OfferInput(custody_min_months=24, custody_max_months=30, rationale="认罪认罚"),
    )
    services.offer_send(offer=offer, by=cn.prosecutor)
    agreement = services.offer_accept(offer=offer, by=cn.duty_lawyer)
    statement_named(agreement, cn.prosecutor)
    services.agreement_checklist_complete(
        agreement=agreement, by=cn.duty_lawyer, items=CHECKLIST_ALL
    )
    return cn, agreement


def test_cn_defendant_chooses_the_witness(client: Client, world: World) -> None:
    cn, agreement = _cn_checked(world)
    client.force_login(cn.defendant_user)
    page = client.get(reverse("negotiations:agreement", args=[agreement.pk])).content.decode()
    assert 'name="sign-witness"' in page
    assert f'<option value="{cn.duty_participant.pk}">' in page
    assert "CPL art. 174" in page
    body = _refused(client, _url("agreement-sign", agreement), {"sign-confirm": "on"}, 400)
    assert 'id="id_sign-witness_error"' in body
    response = client.post(
        _url("agreement-sign", agreement),
        {"sign-confirm": "on", "sign-witness": cn.duty_participant.pk},
    )
    assert response.status_code == 302
    signature = Signature.objects.get(agreement=agreement)
    assert (signature.signatory_role, signature.witness) == (
        SignatoryRole.DEFENDANT,
        cn.duty_participant,
    )


def test_us_defendant_is_offered_no_required_witness(client: Client, world: World) -> None:
    agreement = checked_agreement(world)
    body = _page(client, world, D, agreement)
    assert "CPL art. 174" not in body
    assert '<option value="" selected>No witness</option>' in body
