"""The court's review of a plea agreement, as each profile has it (issue 17).

The expected values come from the rules' own words, quoted here:

- CPL art. 201(1) (2018): "对于认罪认罚案件，人民法院依法作出判决时，一般应当采纳
  人民检察院指控的罪名和量刑建议，但有下列情形的除外：(一)被告人的行为不构成犯罪或者不应当
  追究其刑事责任的；(二)被告人违背意愿认罪认罚的；(三)被告人否认指控的犯罪事实的；(四)起诉
  指控的罪名与审理认定的罪名不一致的；(五)其他可能影响公正审判的情形。" A rejection under `cn`
  and `cn-reform` names one of these five.
- CPL art. 201(2): "人民法院经审理认为量刑建议明显不当，或者被告人、辩护人对量刑建议提出
  异议的，人民检察院可以调整量刑建议。" The court may ask for an adjusted recommendation, on one
  of these two grounds; the negotiation reopens and nothing of the agreement it had is lost.
- Fed. R. Crim. P. 11(c)(3)(A): "the court may accept the agreement, reject it, or defer a
  decision"; 11(c)(5) has a rejection stated on the record. No list of grounds, no adjustment:
  under `us-fed` "adjust" is refused (409) and a ground is not asked for.
- Meng (2023), the cn-reform profile: "the court recognises the agreement except for listed
  grounds": the same five.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from cases import services as case_services
from cases.models import CaseStatus
from core.exceptions import Conflict
from negotiations import services
from negotiations.models import AgreementStatus, Offer, PleaAgreement
from negotiations.services import OfferInput
from parties.models import Role
from tests.conftest import ROLES, World, api_as, make_user
from tests.negotiation_helpers import (
    CHECKLIST_ALL,
    CnCase,
    cn_case,
    negotiation_rows,
    submitted_agreement,
)

CN_PROFILES = ["cn", "cn-reform"]

# CPL art. 201(1), items (一)-(五), as the statute words them.
CPL_201_1 = {
    "not_a_crime": "被告人的行为不构成犯罪或者不应当追究其刑事责任的",
    "involuntary": "被告人违背意愿认罪认罚的",
    "facts_denied": "被告人否认指控的犯罪事实的",
    "charge_differs": "起诉指控的罪名与审理认定的罪名不一致的",
    "fair_trial": "其他可能影响公正审判的情形",
}
# CPL art. 201(2): the two occasions for an adjustment.
CPL_201_2 = {
    "clearly_inappropriate": "人民法院经审理认为量刑建议明显不当",
    "defense_objection": "被告人、辩护人对量刑建议提出异议",
}


def _submitted_cn(world: World, code: str) -> tuple[CnCase, PleaAgreement, User]:
    """A CN agreement before the court: sentence only, the statement naming the expedited
    procedure (and, under cn-reform, the limits on appeal), signed before the duty lawyer. Also
    a judge of the court."""
    cn = cn_case(world, code)
    judge = make_user(f"{code}_judge".replace("-", "_"), Role.JUDGE, None)
    case_services.court_member_add(court=cn.case.court, user=judge)
    offer = services.offer_send(
        offer=services.offer_create(
            case=cn.case,
            by=cn.prosecutor,
            data=OfferInput(custody_min_months=8, custody_max_months=8, rationale="认罪认罚"),
        ),
        by=cn.prosecutor,
    )
    agreement = services.offer_accept(offer=offer, by=cn.duty_lawyer)
    services.agreement_statement_set(
        agreement=agreement,
        by=cn.prosecutor,
        procedure="expedited",
        appeal_limits="只能以违背意愿或判决超出具结书为由上诉" if code == "cn-reform" else "",
    )
    services.agreement_checklist_complete(
        agreement=agreement, by=cn.duty_lawyer, items=CHECKLIST_ALL
    )
    services.agreement_sign(agreement=agreement, by=cn.defendant_user, witness=cn.duty_participant)
    services.agreement_sign(agreement=agreement, by=cn.duty_lawyer)
    services.agreement_sign(agreement=agreement, by=cn.prosecutor)
    agreement = services.agreement_submit(agreement=agreement, by=cn.prosecutor)
    return cn, agreement, judge


def _refused(kind: type[Exception], call: Any) -> Exception:
    before = negotiation_rows()
    with pytest.raises(kind) as caught:
        call()
    assert negotiation_rows() == before
    return caught.value


# --- us-fed: accept or reject with reasons --------------------------------------------------------


def test_us_court_cannot_ask_for_an_adjustment(world: World) -> None:
    agreement = submitted_agreement(world)

    error = _refused(
        Conflict,
        lambda: services.agreement_review(
            agreement=agreement,
            by=world.user(Role.JUDGE),
            decision="adjust",
            ground="clearly_inappropriate",
            reasons="Too lenient.",
        ),
    )

    assert isinstance(error, Conflict)
    assert error.code == "review_decision_not_in_profile"
    assert error.message == (
        "Under the United States federal courts profile the court decides to accept or reject "
        "a plea agreement; it does not ask the prosecution to adjust its recommendation."
    )


def test_us_rejection_names_no_listed_ground(world: World) -> None:
    agreement = submitted_agreement(world)

    error = _refused(
        ValidationError,
        lambda: services.agreement_review(
            agreement=agreement,
            by=world.user(Role.JUDGE),
            decision="reject",
            ground="involuntary",
            reasons="The waiver is too broad.",
        ),
    )

    assert isinstance(error, ValidationError)
    assert list(error.message_dict) == ["ground"]


def test_us_rejection_with_reasons_alone(world: World) -> None:
    agreement = services.agreement_review(
        agreement=submitted_agreement(world),
        by=world.user(Role.JUDGE),
        decision="reject",
        reasons="The appeal waiver is too broad.",
    )

    assert (agreement.status, agreement.review_ground) == (AgreementStatus.COURT_REJECTED, "")


# --- cn and cn-reform: CPL art. 201 ---------------------------------------------------------------


@pytest.mark.parametrize("code", CN_PROFILES)
@pytest.mark.parametrize("ground", list(CPL_201_1))
def test_cn_rejection_names_a_ground_of_article_201(world: World, code: str, ground: str) -> None:
    cn, agreement, judge = _submitted_cn(world, code)

    reviewed = services.agreement_review(
        agreement=agreement, by=judge, decision="reject", ground=ground, reasons="见庭审笔录。"
    )

    assert (reviewed.status, reviewed.review_ground) == (AgreementStatus.COURT_REJECTED, ground)
    cn.case.refresh_from_db()
    assert cn.case.status == CaseStatus.NEGOTIATING


@pytest.mark.parametrize("code", CN_PROFILES)
def test_cn_rejection_without_a_ground_is_refused(world: World, code: str) -> None:
    _cn, agreement, judge = _submitted_cn(world, code)

    error = _refused(
        ValidationError,
        lambda: services.agreement_review(
            agreement=agreement, by=judge, decision="reject", reasons="不予采纳。"
        ),
    )

    assert isinstance(error, ValidationError)
    message = error.message_dict["ground"][0]
    assert all(code in message for code in CPL_201_1)


@pytest.mark.parametrize("code", CN_PROFILES)
def test_cn_rejection_ground_must_be_one_of_article_201_1(world: World, code: str) -> None:
    _cn, agreement, judge = _submitted_cn(world, code)

    # An adjustment's ground is not a ground of rejection.
    error = _refused(
        ValidationError,
        lambda: services.agreement_review(
            agreement=agreement,
            by=judge,
            decision="reject",
            ground="clearly_inappropriate",
            reasons="量刑建议明显不当。",
        ),
    )

    assert isinstance(error, ValidationError)
    assert list(error.message_dict) == ["ground"]


@pytest.mark.parametrize("code", CN_PROFILES)
def test_cn_acceptance_names_no_ground(world: World, code: str) -> None:
    _cn, agreement, judge = _submitted_cn(world, code)

    reviewed = services.agreement_review(
        agreement=agreement, by=judge, decision="accept", reasons="认罪认罚自愿，具结书真实合法。"
    )

    assert (reviewed.status, reviewed.review_ground) == (AgreementStatus.COURT_ACCEPTED, "")


@pytest.mark.parametrize("code", CN_PROFILES)
@pytest.mark.parametrize("ground", list(CPL_201_2))
def test_cn_adjustment_reopens_the_recommendation_and_keeps_the_history(
    world: World, code: str, ground: str
) -> None:
    cn, agreement, judge = _submitted_cn(world, code)
    sealed = (agreement.pdf_sha256, list(agreement.signatures.values_list("pk", flat=True)))

    asked = services.agreement_review(
        agreement=agreement, by=judge, decision="adjust", ground=ground, reasons="量刑建议偏重。"
    )

    assert (asked.status, asked.review_ground) == (AgreementStatus.ADJUSTMENT_REQUESTED, ground)
    cn.case.refresh_from_db()
    assert cn.case.status == CaseStatus.NEGOTIATING
    # The procuratorate adjusts: a new offer, accepted, makes a new agreement that names the
    # one the court had. The old one keeps its terms, signatures, sealed PDF and the request.
    adjusted = services.offer_send(
        offer=services.offer_create(
            case=cn.case,
            by=cn.prosecutor,
            data=OfferInput(custody_min_months=6, custody_max_months=6, rationale="调整量刑建议"),
        ),
        by=cn.prosecutor,
    )
    follow_up = services.offer_accept(offer=adjusted, by=cn.duty_lawyer)

    assert follow_up.adjusts_id == agreement.pk
    assert follow_up.procedure == "expedited"  # the statement carries over until renamed
    kept = PleaAgreement.objects.get(pk=agreement.pk)
    assert (kept.status, kept.review_reasons, kept.review_ground) == (
        AgreementStatus.ADJUSTMENT_REQUESTED,
        "量刑建议偏重。",
        ground,
    )
    assert (kept.pdf_sha256, list(kept.signatures.values_list("pk", flat=True))) == sealed
    assert kept.terms["sentence"]["custody_max_months"] == "8"
    assert Offer.objects.get(pk=agreement.offer_id).set_aside_at is not None


@pytest.mark.parametrize("code", CN_PROFILES)
def test_cn_adjustment_names_a_ground_of_article_201_2(world: World, code: str) -> None:
    _cn, agreement, judge = _submitted_cn(world, code)

    error = _refused(
        ValidationError,
        lambda: services.agreement_review(
            agreement=agreement,
            by=judge,
            decision="adjust",
            ground="involuntary",
            reasons="……",
        ),
    )

    assert isinstance(error, ValidationError)
    assert "clearly_inappropriate, defense_objection" in error.message_dict["ground"][0]


@pytest.mark.parametrize("code", CN_PROFILES)
def test_only_the_court_reviews(world: World, code: str) -> None:
    cn, agreement, _judge = _submitted_cn(world, code)
    for person in (cn.prosecutor, cn.duty_lawyer, cn.defendant_user):
        _refused(
            PermissionDenied,
            lambda person=person: services.agreement_review(
                agreement=agreement,
                by=person,
                decision="adjust",
                ground="defense_objection",
                reasons="……",
            ),
        )


# --- the API -------------------------------------------------------------------------------------


def _review_url(agreement: PleaAgreement) -> str:
    return reverse("agreement-review", args=[agreement.pk])


def test_api_body_offers_no_grounds_and_no_adjustment_under_us_fed(world: World) -> None:
    agreement = submitted_agreement(world)

    body = api_as(world.user(Role.JUDGE)).get(reverse("agreement-detail", args=[agreement.pk]))

    assert body.json()["court_review"] == {
        "outcomes": ["accept", "reject"],
        "source": "Fed. R. Crim. P. 11(c)(3)-(5)",
        "rejection_grounds": [],
        "adjustment_grounds": [],
        "adjustment_source": "",
    }


@pytest.mark.parametrize("code", CN_PROFILES)
def test_api_body_offers_the_grounds_of_article_201_and_adjust(world: World, code: str) -> None:
    _cn, agreement, judge = _submitted_cn(world, code)

    review = api_as(judge).get(reverse("agreement-detail", args=[agreement.pk])).json()
    review = review["court_review"]

    assert review["outcomes"] == ["accept", "reject", "adjust"]
    assert {g["code"]: g["text"] for g in review["rejection_grounds"]} == CPL_201_1
    assert {g["code"]: g["text"] for g in review["adjustment_grounds"]} == CPL_201_2
    assert review["adjustment_source"] == "CPL art. 201(2)"


def test_api_adjust_under_us_fed_is_a_409(world: World) -> None:
    agreement = submitted_agreement(world)
    before = negotiation_rows()

    response = api_as(world.user(Role.JUDGE)).post(
        _review_url(agreement), {"decision": "adjust", "reasons": "Too lenient."}, format="json"
    )

    assert (response.status_code, response.json()["code"]) == (
        409,
        "review_decision_not_in_profile",
    )
    assert negotiation_rows() == before


@pytest.mark.parametrize("code", CN_PROFILES)
@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("prosecutor", 403),
        ("duty", 403),
        ("defendant", 403),
        ("clerk", 200),
        ("judge", 200),
        ("us_judge", 404),  # a judge of another court: the agreement is not theirs to see
    ],
)
def test_api_adjust_for_each_role(world: World, code: str, who: str, expected: int) -> None:
    cn, agreement, judge = _submitted_cn(world, code)
    people = {
        "prosecutor": cn.prosecutor,
        "duty": cn.duty_lawyer,
        "defendant": cn.defendant_user,
        "clerk": cn.clerk,
        "judge": judge,
        "us_judge": world.user(Role.JUDGE),
    }
    before = negotiation_rows()

    response = api_as(people[who]).post(
        _review_url(agreement),
        {"decision": "adjust", "ground": "defense_objection", "reasons": "辩护人提出异议。"},
        format="json",
    )

    assert response.status_code == expected
    if expected == 200:
        body = response.json()
        assert (body["status"], body["review_ground"]) == (
            "adjustment_requested",
            "defense_objection",
        )
        assert body["review_ground_display"] == (
            "The accused or defense counsel objects to the sentencing recommendation "
            "(被告人、辩护人对量刑建议提出异议) — CPL art. 201(2)"
        )
    else:
        assert negotiation_rows() == before


@pytest.mark.parametrize("code", CN_PROFILES)
def test_api_rejection_without_ground_is_a_400_per_field(world: World, code: str) -> None:
    _cn, agreement, judge = _submitted_cn(world, code)

    response = api_as(judge).post(
        _review_url(agreement), {"decision": "rejected", "reasons": "不予采纳。"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["ground"]


# --- the page ------------------------------------------------------------------------------------


def _page(client: Client, user: User, agreement: PleaAgreement) -> str:
    client.force_login(user)
    response = client.get(reverse("negotiations:agreement", args=[agreement.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_us_review_form_has_no_ground_and_no_adjust(client: Client, world: World) -> None:
    body = _page(client, world.user(Role.JUDGE), submitted_agreement(world))

    assert 'name="review-decision" value="accept"' in body
    assert 'name="review-decision" value="reject"' in body
    assert 'value="adjust"' not in body
    assert 'name="review-ground"' not in body


@pytest.mark.parametrize("code", CN_PROFILES)
def test_cn_review_form_offers_the_grounds_and_adjust(
    client: Client, world: World, code: str
) -> None:
    _cn, agreement, judge = _submitted_cn(world, code)

    body = _page(client, judge, agreement)

    assert 'name="review-decision" value="adjust"' in body
    assert 'name="review-ground"' in body
    for ground, words in {**CPL_201_1, **CPL_201_2}.items():
        assert f'<option value="{ground}">' in body
        assert words in body


@pytest.mark.parametrize("code", CN_PROFILES)
@pytest.mark.parametrize(
    ("who", "expected"),
    [("prosecutor", 403), ("duty", 403), ("defendant", 403), ("clerk", 302), ("judge", 302)],
)
def test_page_adjust_for_each_role(
    client: Client, world: World, code: str, who: str, expected: int
) -> None:
    cn, agreement, judge = _submitted_cn(world, code)
    people = {
        "prosecutor": cn.prosecutor,
        "duty": cn.duty_lawyer,
        "defendant": cn.defendant_user,
        "clerk": cn.clerk,
        "judge": judge,
    }
    client.force_login(people[who])
    before = negotiation_rows()

    response = client.post(
        reverse("negotiations:agreement-review", args=[agreement.pk]),
        {
            "review-decision": "adjust",
            "review-ground": "clearly_inappropriate",
            "review-reasons": "量刑建议明显不当。",
        },
    )

    assert response.status_code == expected
    if expected == 302:
        page = _page(client, people[who], agreement)
        assert "Adjustment requested by the court" in page
        assert "CPL art. 201(2)" in page
        assert "人民法院经审理认为量刑建议明显不当" in page
    else:
        assert negotiation_rows() == before


def test_page_adjust_under_us_fed_is_not_a_choice(client: Client, world: World) -> None:
    agreement = submitted_agreement(world)
    client.force_login(world.user(Role.JUDGE))
    before = negotiation_rows()

    response = client.post(
        reverse("negotiations:agreement-review", args=[agreement.pk]),
        {"review-decision": "adjust", "review-reasons": "Too lenient."},
    )

    assert response.status_code == 400
    assert 'id="id_review-decision_error"' in response.content.decode()
    assert negotiation_rows() == before


@pytest.mark.parametrize("role", [r for r in ROLES if r not in (Role.JUDGE, Role.COURT_STAFF)])
def test_us_parties_are_not_offered_the_review(client: Client, world: World, role: Role) -> None:
    body = _page(client, world.user(role), submitted_agreement(world))
    assert 'name="review-decision"' not in body
