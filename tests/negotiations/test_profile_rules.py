"""Who negotiates and what is negotiable, as each profile says, tested from the law's text.

China's Criminal Procedure Law (2018), as the `cn` profile reads it:

- Art. 36(1): "法律援助机构可以在人民法院、看守所等场所派驻值班律师。犯罪嫌疑人、被告人没有委托
  辩护人，法律援助机构没有指派律师为其提供辩护的，由值班律师为犯罪嫌疑人、被告人提供法律咨询、
  程序选择建议、申请变更强制措施、对案件处理提出意见等法律帮助。" The duty lawyer gives legal
  help, including opinions on how the case is handled; they do not act for the suspect.
- Art. 173(1): "人民检察院审查案件，应当讯问犯罪嫌疑人，听取辩护人或者值班律师、被害人及其诉讼
  代理人的意见，并记录在案。辩护人或者值班律师、被害人及其诉讼代理人提出书面意见的，应当附卷。"
  The procuratorate hears the suspect, and hears and records the lawyers' opinions (written
  opinions go in the file): no written answer to each is required.
- Art. 173(2): "犯罪嫌疑人认罪认罚的，人民检察院应当告知其享有的诉讼权利和认罪认罚的法律规定，
  听取犯罪嫌疑人、辩护人或者值班律师、被害人及其诉讼代理人对下列事项的意见，并记录在案：
  （一）涉嫌的犯罪事实、罪名及适用的法律规定；（二）从轻、减轻或者免除处罚等从宽处罚的建议；
  （三）认罪认罚后案件审理适用的程序；（四）其他需要听取意见的事项。"
- Art. 174(1): "犯罪嫌疑人自愿认罪，同意量刑建议和程序适用的，应当在辩护人或者值班律师在场的
  情况下签署认罪认罚具结书。" The suspect signs; the lawyer is present, as witness.

The reform proposal (`cn-reform`; Kelin Meng, 2023, doi:10.56397/LE.2023.09.04): defense
counsel and duty lawyers negotiate for the suspect; the prosecutor must consider their
suggestions in writing; charges become negotiable in complex cases (joint crimes, long
intervals between the acts, evidence hard to collect), with the reason recorded; the rights of
the leniency system are fully explained before the first offer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cases.models import CaseStatus
from cases.profiles import jurisdiction_profiles_load, profile_data_read
from core.exceptions import Conflict
from negotiations import services
from negotiations.models import (
    AgreementStatus,
    ComplexCaseMark,
    OfferStatus,
    RightsExplanation,
    SignatoryRole,
    TermDisposition,
)
from negotiations.services import TermInput
from parties.models import Role
from tests import factories
from tests.conftest import World, api_as
from tests.negotiation_helpers import (
    CHECKLIST_ALL,
    ProfileCase,
    profile_case,
    sentence_offer,
    statement_named,
)

TEST_ONLY = Path(__file__).resolve().parents[1] / "data" / "profile_test_only.json"


@pytest.fixture
def cn(world: World) -> ProfileCase:
    return profile_case(factories.jurisdiction("cn"), prefix="cn")


@pytest.fixture
def reform(world: World) -> ProfileCase:
    return profile_case(factories.jurisdiction("cn-reform"), prefix="rf")


def _explained(pc: ProfileCase) -> None:
    services.rights_explanation_record(
        case=pc.case, by=pc.prosecutor, note="告知认罪认罚的法律规定，值班律师在场。"
    )


def _sent(pc: ProfileCase, **overrides: Any) -> Any:
    draft = services.offer_create(
        case=pc.case, by=pc.prosecutor, data=sentence_offer(pc, **overrides)
    )
    return services.offer_send(offer=draft, by=pc.prosecutor)


# --- cn: the prosecutor negotiates with the suspect (CPL art. 173) ------------------------------


def test_cn_the_suspect_answers_the_prosecutors_offer(cn: ProfileCase) -> None:
    """Art. 173(2): the procuratorate hears the suspect (听取犯罪嫌疑人…的意见) on the
    leniency recommendation: under `cn` the defendant answers offers."""
    offer = _sent(cn)
    agreement = services.offer_accept(offer=offer, by=cn.defendant_user)
    assert agreement.offer.closed_by == cn.defendant_user


def test_cn_the_suspect_may_counter_with_reasons(cn: ProfileCase) -> None:
    offer = _sent(cn)
    counter = services.offer_counter(
        offer=offer,
        by=cn.defendant_user,
        data=sentence_offer(cn, custody_min_months=6, custody_max_months=8, rationale="初犯。"),
    )
    assert (counter.side, counter.author) == ("defense", cn.defendant_user)


@pytest.mark.parametrize("role", [Role.DUTY_LAWYER, Role.DEFENSE_COUNSEL])
@pytest.mark.parametrize("move", ["accept", "reject", "counter"])
def test_cn_lawyers_do_not_answer_offers(cn: ProfileCase, role: Role, move: str) -> None:
    """Art. 36(1): the duty lawyer gives legal help (法律咨询…对案件处理提出意见); art. 173: the
    lawyers' opinions are heard. Neither answers the prosecution's offer for the suspect."""
    offer = _sent(cn)
    lawyer = cn.user(role)
    with pytest.raises(PermissionDenied, match="gives the prosecution written opinions"):
        if move == "accept":
            services.offer_accept(offer=offer, by=lawyer)
        elif move == "reject":
            services.offer_reject(offer=offer, by=lawyer, reason="太重。")
        else:
            services.offer_counter(offer=offer, by=lawyer, data=sentence_offer(cn))
    offer.refresh_from_db()
    assert offer.status == OfferStatus.SENT


@pytest.mark.parametrize("role", [Role.DUTY_LAWYER, Role.DEFENSE_COUNSEL])
def test_cn_lawyers_make_no_offers(cn: ProfileCase, role: Role) -> None:
    with pytest.raises(PermissionDenied, match="the prosecutor negotiates with the defendant"):
        services.offer_create(case=cn.case, by=cn.user(role), data=sentence_offer(cn))


@pytest.mark.parametrize("role", [Role.DUTY_LAWYER, Role.DEFENSE_COUNSEL])
def test_cn_lawyers_give_written_opinions(cn: ProfileCase, role: Role) -> None:
    """Art. 173(1): 辩护人或者值班律师…提出书面意见的，应当附卷."""
    suggestion = services.suggestion_submit(
        case=cn.case, by=cn.user(role), text="建议适用速裁程序，量刑六个月。"
    )
    assert suggestion.author_role == role


def test_cn_the_prosecutor_may_offer_with_an_opinion_unanswered(cn: ProfileCase) -> None:
    """Art. 173(1): opinions are heard and recorded (听取…意见，并记录在案); no written answer is
    required before the next offer."""
    services.suggestion_submit(case=cn.case, by=cn.duty_lawyer, text="建议缓刑。")
    offer = _sent(cn)
    assert offer.status == OfferStatus.SENT


def test_cn_the_prosecutor_may_answer_an_opinion_in_writing(cn: ProfileCase) -> None:
    suggestion = services.suggestion_submit(case=cn.case, by=cn.duty_lawyer, text="建议缓刑。")
    answered = services.suggestion_respond(
        suggestion=suggestion, by=cn.prosecutor, response="不予采纳：数额较大。"
    )
    assert answered.response == "不予采纳：数额较大。"


def test_cn_charges_are_not_negotiable(cn: ProfileCase) -> None:
    with pytest.raises(ValidationError) as refused:
        services.offer_create(
            case=cn.case,
            by=cn.prosecutor,
            data=sentence_offer(
                cn, terms=[TermInput(cn.charge.pk, TermDisposition.LESSER, cn.lesser.pk)]
            ),
        )
    assert "only the sentence is negotiable; charges cannot" in str(refused.value.message_dict)


def test_cn_no_complex_case_and_no_rights_record(cn: ProfileCase) -> None:
    with pytest.raises(Conflict) as marked:
        services.case_complex_mark(
            case=cn.case, by=cn.prosecutor, grounds=["joint_crime"], reason="共同犯罪。"
        )
    assert marked.value.code == "complex_case_not_in_profile"
    with pytest.raises(Conflict) as recorded:
        _explained(cn)
    assert recorded.value.code == "rights_explanation_not_in_profile"


def test_cn_the_duty_lawyer_witnesses_the_suspects_signature(cn: ProfileCase) -> None:
    """Art. 174(1): 应当在辩护人或者值班律师在场的情况下签署认罪认罚具结书."""
    agreement = statement_named(
        services.offer_accept(offer=_sent(cn), by=cn.defendant_user), cn.prosecutor
    )
    services.agreement_checklist_complete(
        agreement=agreement,
        by=cn.duty_lawyer,
        items=CHECKLIST_ALL,
        interpreter_used=True,
        interpreter_name="李翻译",
    )
    with pytest.raises(ValidationError, match="name the witness"):
        services.agreement_sign(agreement=agreement, by=cn.defendant_user)
    signature = services.agreement_sign(
        agreement=agreement, by=cn.defendant_user, witness=cn.duty_participant
    )
    assert (signature.signatory_role, signature.witness) == (
        SignatoryRole.DEFENDANT,
        cn.duty_participant,
    )
    services.agreement_sign(agreement=agreement, by=cn.duty_lawyer)
    services.agreement_sign(agreement=agreement, by=cn.prosecutor)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNED


def test_cn_the_procuratorate_submits_the_agreement(cn: ProfileCase) -> None:
    """Art. 176(2): the procuratorate files the recommendation and the plea statement."""
    agreement = statement_named(
        services.offer_accept(offer=_sent(cn), by=cn.defendant_user), cn.prosecutor
    )
    services.agreement_checklist_complete(
        agreement=agreement,
        by=cn.duty_lawyer,
        items=CHECKLIST_ALL,
        interpreter_used=True,
        interpreter_name="李翻译",
    )
    services.agreement_sign(agreement=agreement, by=cn.defendant_user, witness=cn.duty_participant)
    services.agreement_sign(agreement=agreement, by=cn.duty_lawyer)
    services.agreement_sign(agreement=agreement, by=cn.prosecutor)
    with pytest.raises(PermissionDenied, match="The prosecutor submits the agreement"):
        services.agreement_submit(agreement=agreement, by=cn.duty_lawyer)
    submitted = services.agreement_submit(agreement=agreement, by=cn.prosecutor)
    assert submitted.status == AgreementStatus.SUBMITTED


# --- cn-reform: the lawyers negotiate (Meng 2023) ----------------------------------------------


@pytest.mark.parametrize("role", [Role.DUTY_LAWYER, Role.DEFENSE_COUNSEL])
def test_reform_the_lawyers_negotiate_for_the_suspect(reform: ProfileCase, role: Role) -> None:
    _explained(reform)
    offer = _sent(reform)
    counter = services.offer_counter(
        offer=offer,
        by=reform.user(role),
        data=sentence_offer(reform, custody_min_months=6, custody_max_months=6, rationale="初犯。"),
    )
    assert (counter.side, counter.author) == ("defense", reform.user(role))


def test_reform_the_suspect_acts_through_the_lawyers(reform: ProfileCase) -> None:
    _explained(reform)
    offer = _sent(reform)
    with pytest.raises(PermissionDenied, match="Defendants read offers"):
        services.offer_accept(offer=offer, by=reform.defendant_user)


def test_reform_no_offer_before_the_rights_are_explained(reform: ProfileCase) -> None:
    """Meng (2023): the rights of the leniency system fully explained (CPL art. 173(2): 应当告知
    其享有的诉讼权利和认罪认罚的法律规定) and recorded before the first offer."""
    draft = services.offer_create(
        case=reform.case, by=reform.prosecutor, data=sentence_offer(reform)
    )
    with pytest.raises(Conflict) as refused:
        services.offer_send(offer=draft, by=reform.prosecutor)
    assert refused.value.code == "rights_not_explained"
    draft.refresh_from_db()
    assert draft.status == OfferStatus.DRAFT
    _explained(reform)
    assert services.offer_send(offer=draft, by=reform.prosecutor).status == OfferStatus.SENT


def test_reform_rights_are_recorded_once_by_the_prosecutor(reform: ProfileCase) -> None:
    with pytest.raises(PermissionDenied):
        services.rights_explanation_record(case=reform.case, by=reform.duty_lawyer, note="已告知")
    with pytest.raises(ValidationError) as empty:
        services.rights_explanation_record(case=reform.case, by=reform.prosecutor, note="  ")
    assert list(empty.value.message_dict) == ["note"]
    _explained(reform)
    with pytest.raises(Conflict) as again:
        _explained(reform)
    assert again.value.code == "rights_explained"
    assert RightsExplanation.objects.filter(case=reform.case).count() == 1


def test_reform_every_suggestion_is_answered_in_writing_before_the_next_offer(
    reform: ProfileCase,
) -> None:
    """Meng (2023): consideration of defense and duty-lawyer suggestions mandatory."""
    _explained(reform)
    suggestion = services.suggestion_submit(
        case=reform.case, by=reform.duty_lawyer, text="建议量刑六个月，适用速裁程序。"
    )
    draft = services.offer_create(
        case=reform.case, by=reform.prosecutor, data=sentence_offer(reform)
    )
    with pytest.raises(Conflict) as refused:
        services.offer_send(offer=draft, by=reform.prosecutor)
    assert refused.value.code == "suggestion_unanswered"
    services.suggestion_respond(
        suggestion=suggestion, by=reform.prosecutor, response="部分采纳：建议八至十个月。"
    )
    assert services.offer_send(offer=draft, by=reform.prosecutor).status == OfferStatus.SENT


def test_reform_a_counter_to_a_defense_proposal_carries_its_written_answer(
    reform: ProfileCase,
) -> None:
    _explained(reform)
    offer = _sent(reform)
    proposal = services.offer_counter(
        offer=offer, by=reform.duty_lawyer, data=sentence_offer(reform, rationale="初犯。")
    )
    with pytest.raises(ValidationError) as refused:
        services.offer_counter(offer=proposal, by=reform.prosecutor, data=sentence_offer(reform))
    assert "response" in refused.value.message_dict


def test_reform_charges_negotiable_only_in_a_case_marked_complex(reform: ProfileCase) -> None:
    """Meng (2023): charges negotiable in complex cases, the reason recorded."""
    _explained(reform)
    reduced = sentence_offer(
        reform, terms=[TermInput(reform.charge.pk, TermDisposition.LESSER, reform.lesser.pk)]
    )
    with pytest.raises(ValidationError) as refused:
        services.offer_create(case=reform.case, by=reform.prosecutor, data=reduced)
    assert "until the prosecution marks the case complex" in str(refused.value.message_dict)

    mark = services.case_complex_mark(
        case=reform.case,
        by=reform.prosecutor,
        grounds=["joint_crime", "evidence_hard_to_collect"],
        reason="三名同案犯，赃物去向难以查清。",
    )
    assert mark.grounds == ["joint_crime", "evidence_hard_to_collect"]
    offer = services.offer_create(case=reform.case, by=reform.prosecutor, data=reduced)
    assert offer.terms.get().lesser_statute == reform.lesser


@pytest.mark.parametrize(
    ("grounds", "reason", "fields"),
    [
        ([], "理由", ["grounds"]),
        (["hard_case"], "理由", ["grounds"]),
        (["joint_crime"], "  ", ["reason"]),
        ([], "", ["grounds", "reason"]),
    ],
)
def test_reform_marking_complex_needs_a_listed_ground_and_a_reason(
    reform: ProfileCase, grounds: list[str], reason: str, fields: list[str]
) -> None:
    with pytest.raises(ValidationError) as refused:
        services.case_complex_mark(
            case=reform.case, by=reform.prosecutor, grounds=grounds, reason=reason
        )
    assert sorted(refused.value.message_dict) == fields
    assert not ComplexCaseMark.objects.filter(case=reform.case).exists()


@pytest.mark.parametrize("role", [Role.DUTY_LAWYER, Role.DEFENSE_COUNSEL, Role.DEFENDANT])
def test_reform_only_the_prosecution_marks_a_case_complex(reform: ProfileCase, role: Role) -> None:
    with pytest.raises(PermissionDenied, match="Only the prosecution marks a case complex"):
        services.case_complex_mark(
            case=reform.case, by=reform.user(role), grounds=["joint_crime"], reason="共同犯罪。"
        )


# --- us-fed: counsel negotiates; nothing owes a written answer -----------------------------------


def test_us_the_prosecution_may_offer_with_a_suggestion_unanswered(world: World) -> None:
    """No federal rule makes the government answer a defense proposal in writing; Fed. R.
    Crim. P. 11(c)(1) lets "an attorney for the government and the defendant's attorney" reach
    an agreement however they discuss it."""
    from tests.negotiation_helpers import draft_offer

    services.suggestion_submit(
        case=world.case, by=world.user(Role.DEFENSE_COUNSEL), text="Consider diversion."
    )
    sent = services.offer_send(offer=draft_offer(world), by=world.user(Role.PROSECUTOR))
    assert sent.status == OfferStatus.SENT


def test_us_no_rights_record_is_needed_before_an_offer(world: World) -> None:
    with pytest.raises(Conflict) as refused:
        services.rights_explanation_record(
            case=world.case, by=world.user(Role.PROSECUTOR), note="Explained."
        )
    assert refused.value.code == "rights_explanation_not_in_profile"


# --- the API --------------------------------------------------------------------------------


ALL_ROLES = list(Role)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_api_rights_explanation_per_role(reform: ProfileCase, role: Role) -> None:
    response = api_as(reform.user(role)).post(
        reverse("rights-explanation-list"),
        {"case": reform.case.pk, "note": "已充分告知。"},
        format="json",
    )
    if role == Role.PROSECUTOR:
        assert response.status_code == 201
        assert response.json()["note"] == "已充分告知。"
    else:
        assert response.status_code == 403
        assert not RightsExplanation.objects.filter(case=reform.case).exists()


def test_api_rights_explanation_answers_400_409(reform: ProfileCase, world: World) -> None:
    client = api_as(reform.prosecutor)
    url = reverse("rights-explanation-list")
    empty = client.post(url, {"case": reform.case.pk, "note": ""}, format="json")
    assert (empty.status_code, list(empty.json())) == (400, ["note"])
    assert (
        client.post(url, {"case": reform.case.pk, "note": "已告知"}, format="json").status_code
        == 201
    )
    again = client.post(url, {"case": reform.case.pk, "note": "已告知"}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "rights_explained")
    stranger = client.post(url, {"case": world.case.pk, "note": "x"}, format="json")
    assert stranger.status_code == 400  # a case the prosecutor may not see is no case


@pytest.mark.parametrize("role", ALL_ROLES)
def test_api_complex_mark_per_role(reform: ProfileCase, role: Role) -> None:
    response = api_as(reform.user(role)).post(
        reverse("complex-mark-list"),
        {"case": reform.case.pk, "grounds": ["long_interval"], "reason": "作案间隔三年。"},
        format="json",
    )
    if role == Role.PROSECUTOR:
        assert response.status_code == 201
        assert response.json()["grounds"] == ["long_interval"]
    else:
        assert response.status_code == 403
        assert not ComplexCaseMark.objects.filter(case=reform.case).exists()


def test_api_complex_mark_answers_400_per_field_and_409_under_cn(
    reform: ProfileCase, cn: ProfileCase
) -> None:
    url = reverse("complex-mark-list")
    bad = api_as(reform.prosecutor).post(
        url, {"case": reform.case.pk, "grounds": ["x"], "reason": ""}, format="json"
    )
    assert (bad.status_code, sorted(bad.json())) == (400, ["grounds", "reason"])
    refused = api_as(cn.prosecutor).post(
        url, {"case": cn.case.pk, "grounds": ["joint_crime"], "reason": "共同犯罪"}, format="json"
    )
    assert (refused.status_code, refused.json()["code"]) == (409, "complex_case_not_in_profile")


READERS = {Role.PROSECUTOR, Role.DEFENSE_COUNSEL, Role.DUTY_LAWYER, Role.DEFENDANT}


@pytest.fixture
def recorded(reform: ProfileCase) -> tuple[RightsExplanation, ComplexCaseMark]:
    _explained(reform)
    services.case_complex_mark(
        case=reform.case, by=reform.prosecutor, grounds=["joint_crime"], reason="三人共同作案。"
    )
    return (
        RightsExplanation.objects.get(case=reform.case),
        ComplexCaseMark.objects.get(case=reform.case),
    )


@pytest.fixture(params=["rights-explanation", "complex-mark"])
def named(
    request: pytest.FixtureRequest, recorded: tuple[RightsExplanation, ComplexCaseMark]
) -> tuple[str, Any]:
    """Each record with its routes' name."""
    return request.param, recorded[0] if request.param == "rights-explanation" else recorded[1]


@pytest.mark.parametrize("role", ALL_ROLES)
def test_api_prosecution_records_read_by_the_negotiations_readers(
    reform: ProfileCase, named: tuple[str, Any], role: Role
) -> None:
    """The parties read the records as the negotiation page shows them; the court, which does
    not read the negotiation, lists none, gets 403 on `?case=` and 404 on the record."""
    name, record = named
    client = api_as(reform.user(role))
    listed = client.get(reverse(f"{name}-list"))
    by_case = client.get(reverse(f"{name}-list"), {"case": reform.case.pk})
    one = client.get(reverse(f"{name}-detail", args=[record.pk]))
    if role in READERS:
        assert [r["id"] for r in listed.json()["results"]] == [record.pk]
        assert [r["id"] for r in by_case.json()["results"]] == [record.pk]
        body = one.json()
        assert one.status_code == 200
        assert body["case"] == reform.case.pk
        if name == "complex-mark":
            assert (body["grounds"], body["reason"]) == (["joint_crime"], "三人共同作案。")
            assert body["marked_by"] == reform.prosecutor.pk
        else:
            assert body["note"] == "告知认罪认罚的法律规定，值班律师在场。"
            assert body["explained_by"] == reform.prosecutor.pk
    else:
        assert (listed.status_code, listed.json()["results"]) == (200, [])
        assert by_case.status_code == 403
        assert one.status_code == 404


def test_api_prosecution_records_stay_with_their_case(
    reform: ProfileCase, named: tuple[str, Any], world: World
) -> None:
    """A party to another case reads none of this case's records (404, not 403: they cannot
    tell it from a missing one); a filter on a case they may not see lists nothing; a bad
    filter is a 400 on that parameter."""
    name, record = named
    outsider = api_as(world.users[Role.PROSECUTOR])
    assert outsider.get(reverse(f"{name}-detail", args=[record.pk])).status_code == 404
    assert outsider.get(reverse(f"{name}-list")).json()["results"] == []
    hidden = outsider.get(reverse(f"{name}-list"), {"case": reform.case.pk})
    assert (hidden.status_code, hidden.json()["results"]) == (200, [])
    bad = outsider.get(reverse(f"{name}-list"), {"case": "x"})
    assert (bad.status_code, list(bad.json())) == (400, ["case"])


def test_api_prosecution_records_list_in_fixed_statements(
    reform: ProfileCase, named: tuple[str, Any], django_assert_num_queries: Any
) -> None:
    name, _record = named
    client = api_as(reform.defense_counsel)
    client.get(reverse(f"{name}-list"))
    # The page alone, driven from the reader's own cases (api_as signs the client in).
    with django_assert_num_queries(1):
        assert len(client.get(reverse(f"{name}-list")).json()["results"]) == 1


# --- a fourth profile, defined only in test data, runs a whole negotiation ----------------------


def test_a_fourth_profile_from_test_data_runs_a_whole_negotiation(world: World) -> None:
    """tests/data/profile_test_only.json: counsel negotiates, the duty lawyer only suggests and
    witnesses, consideration is mandatory, charges open in a case marked complex on its own
    ground ("many_victims"), rights recorded before the first offer, counsel submits. No code
    names it."""
    zz = jurisdiction_profiles_load(data=profile_data_read(TEST_ONLY))["zz-test"]
    pc = profile_case(zz, prefix="zz")

    # The duty lawyer may only suggest; the prosecution answers before offering.
    with pytest.raises(PermissionDenied):
        services.offer_create(case=pc.case, by=pc.duty_lawyer, data=sentence_offer(pc))
    suggestion = services.suggestion_submit(case=pc.case, by=pc.duty_lawyer, text="Many victims.")
    services.rights_explanation_record(case=pc.case, by=pc.prosecutor, note="Explained in full.")
    services.case_complex_mark(
        case=pc.case, by=pc.prosecutor, grounds=["many_victims"], reason="Forty victims."
    )
    reduced = sentence_offer(
        pc, terms=[TermInput(pc.charge.pk, TermDisposition.LESSER, pc.lesser.pk)]
    )
    draft = services.offer_create(case=pc.case, by=pc.prosecutor, data=reduced)
    with pytest.raises(Conflict, match="suggestion"):
        services.offer_send(offer=draft, by=pc.prosecutor)
    services.suggestion_respond(suggestion=suggestion, by=pc.prosecutor, response="Weighed.")
    first = services.offer_send(offer=draft, by=pc.prosecutor)

    # Counsel counters; the prosecution answers in writing and counters again; counsel accepts.
    proposal = services.offer_counter(
        offer=first,
        by=pc.defense_counsel,
        data=sentence_offer(
            pc,
            terms=reduced.terms,
            custody_min_months=4,
            custody_max_months=6,
            rationale="Remorse.",
        ),
    )
    final = services.offer_counter(
        offer=proposal,
        by=pc.prosecutor,
        data=sentence_offer(pc, terms=reduced.terms, custody_min_months=6, custody_max_months=8),
        response="Six months at least: forty victims.",
    )
    agreement = services.offer_accept(offer=final, by=pc.defense_counsel)

    # The profile's own checklist (an item no shipped profile has), signatures (the duty lawyer
    # witnesses), counsel submits, the court accepts.
    with pytest.raises(ValidationError, match="victims will be heard"):
        services.agreement_checklist_complete(
            agreement=agreement,
            by=pc.defense_counsel,
            items=CHECKLIST_ALL,
            interpreter_used=True,
            interpreter_name="A. Interpreter",
        )
    services.agreement_checklist_complete(
        agreement=agreement,
        by=pc.defense_counsel,
        items={"rights_explained": True, "victims_informed": True},
        interpreter_used=True,
        interpreter_name="A. Interpreter",
    )
    with pytest.raises(ValidationError, match="witness"):
        services.agreement_sign(
            agreement=agreement, by=pc.defendant_user, witness=pc.defense_participant
        )
    services.agreement_sign(agreement=agreement, by=pc.defendant_user, witness=pc.duty_participant)
    services.agreement_sign(agreement=agreement, by=pc.defense_counsel)
    services.agreement_sign(agreement=agreement, by=pc.prosecutor)
    with pytest.raises(PermissionDenied, match="The defense counsel submits"):
        services.agreement_submit(agreement=agreement, by=pc.prosecutor)
    services.agreement_submit(agreement=agreement, by=pc.defense_counsel)
    with pytest.raises(Conflict):  # the profile has no adjustment
        services.agreement_review(
            agreement=agreement, by=pc.judge, decision="adjust", reasons="Too long."
        )
    reviewed = services.agreement_review(
        agreement=agreement, by=pc.judge, decision="accept", reasons="Voluntary."
    )
    assert reviewed.status == AgreementStatus.COURT_ACCEPTED
    pc.case.refresh_from_db()
    assert pc.case.status == CaseStatus.PLEA_ENTERED
    assert agreement.terms["charges"][0]["disposition"] == TermDisposition.LESSER
