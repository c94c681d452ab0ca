"""What the plea agreement says under each profile (issue 17): the procedure the CN plea
statement names, the limits on appeal the cn-reform agreement records, the checklist of each
profile, the lawyer's exact capacity, and Chinese names family name first.

The expected values come from the rules' own words:

- CPL art. 174(1): "犯罪嫌疑人自愿认罪，同意量刑建议和程序适用的，应当在辩护人或者值班律师在场的
  情况下签署认罪认罚具结书。" The statement names the procedure agreed to: 速裁程序 (arts.
  222-226), 简易程序 (arts. 214-221) or 普通程序.
- Meng (2023), the cn-reform profile: "the signed agreement limits appeal".
- Fed. R. Crim. P. 11(b)(1)(H) "any maximum possible penalty, including imprisonment, fine, and
  term of supervised release"; (I) "any mandatory minimum penalty"; (N) "the terms of any
  plea-agreement provision waiving the right to appeal or to collaterally attack the sentence".
- USSG §5E1.2(a): "The court shall impose a fine in all cases, except where the defendant
  establishes that he is unable to pay"; for China, the SPC Provisions on Property Penalties
  (2000), art. 2: the fine is fixed "综合考虑犯罪分子缴纳罚金的能力".
- A Chinese name is written family name first, without a space: 张三 (family name 张).
"""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from core.exceptions import Conflict
from core.text import person_name
from negotiations import agreement_rules, services
from negotiations.models import PleaAgreement
from negotiations.services import OfferInput
from parties.models import Role
from tests.conftest import World, api_as
from tests.negotiation_helpers import (
    CHECKLIST_ALL,
    CnCase,
    accepted_agreement,
    cn_answerer,
    cn_case,
    negotiation_rows,
    plea_input,
)

# CPL art. 174(1)'s procedures, as the 2018 CPL names them.
PROCEDURES = {"expedited": "速裁程序", "summary": "简易程序", "ordinary": "普通程序"}


def _cn_accepted(world: World, code: str = "cn", **offer: object) -> tuple[CnCase, PleaAgreement]:
    cn = cn_case(world, code)
    values: dict[str, object] = {
        "custody_min_months": 8,
        "custody_max_months": 8,
        "rationale": "认罪认罚",
        **offer,
    }
    sent = services.offer_send(
        offer=services.offer_create(case=cn.case, by=cn.prosecutor, data=OfferInput(**values)),  # type: ignore[arg-type]
        by=cn.prosecutor,
    )
    return cn, services.offer_accept(offer=sent, by=cn_answerer(cn))


def _refused(kind: type[Exception], call: object) -> Exception:
    before = negotiation_rows()
    with pytest.raises(kind) as caught:
        call()  # type: ignore[operator]
    assert negotiation_rows() == before
    return caught.value


def _pdf_text(agreement: PleaAgreement) -> str:
    agreement.refresh_from_db()
    assert agreement.pdf is not None
    reader = PdfReader(io.BytesIO(bytes(agreement.pdf)))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


# --- names ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "family", "name"),
    [
        ("三", "张", "张三"),
        ("小明", "欧阳", "欧阳小明"),  # a two-character family name
        ("Jane", "Doe", "Jane Doe"),
        ("Wei", "Zhang", "Wei Zhang"),  # romanised: the order the person gave
        ("约翰·史密斯", "", "约翰·史密斯"),  # a foreign name in Chinese, written in one part
        ("", "张", "张"),
    ],
)
def test_person_name(given: str, family: str, name: str) -> None:
    assert person_name(given, family) == name


# --- the plea statement: CPL art. 174 -------------------------------------------------------------


@pytest.mark.parametrize("procedure", list(PROCEDURES))
def test_cn_statement_names_the_procedure(world: World, procedure: str) -> None:
    cn, agreement = _cn_accepted(world)

    named = services.agreement_statement_set(
        agreement=agreement, by=cn.prosecutor, procedure=procedure
    )

    assert named.procedure == procedure


@pytest.mark.parametrize("role", [Role.DUTY_LAWYER, Role.DEFENDANT, Role.COURT_STAFF])
def test_cn_only_the_procuratorate_names_the_procedure(world: World, role: Role) -> None:
    """CPL art. 173(2)(iii), 174(1): the procuratorate proposes the procedure, the suspect
    agrees to it (the shipped profiles' `plea_statement_roles`); the 403 names who does."""
    cn, agreement = _cn_accepted(world)
    by = {Role.DUTY_LAWYER: cn.duty_lawyer, Role.DEFENDANT: cn.defendant_user}.get(role, cn.clerk)
    error = _refused(
        PermissionDenied,
        lambda: services.agreement_statement_set(agreement=agreement, by=by, procedure="summary"),
    )
    assert "prosecutor names the procedure" in str(error)


def test_who_names_the_procedure_is_profile_data(world: World) -> None:
    """A profile that gives the statement to the duty lawyer (no shipped one does): they name
    it, and the prosecutor is refused, with no change to the code."""
    cn, agreement = _cn_accepted(world)
    jurisdiction = cn.case.court.jurisdiction
    jurisdiction.parameters = {**jurisdiction.parameters, "plea_statement_roles": ["duty_lawyer"]}
    jurisdiction.save(update_fields=["parameters"])
    error = _refused(
        PermissionDenied,
        lambda: services.agreement_statement_set(
            agreement=agreement, by=cn.prosecutor, procedure="summary"
        ),
    )
    assert "duty lawyer names the procedure" in str(error)
    form_url = reverse("negotiations:agreement-statement", args=[agreement.pk])
    pages = {}
    for user in (cn.duty_lawyer, cn.prosecutor):
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        pages[user] = client.get(reverse("negotiations:agreement", args=[agreement.pk]))
    assert form_url in pages[cn.duty_lawyer].content.decode()
    assert form_url not in pages[cn.prosecutor].content.decode()
    named = services.agreement_statement_set(
        agreement=agreement, by=cn.duty_lawyer, procedure="summary"
    )
    assert named.procedure == "summary"


def test_cn_procedures_are_those_of_the_cpl(world: World) -> None:
    jurisdiction = cn_case(world).case.court.jurisdiction
    assert {p.code: p.text for p in agreement_rules.plea_procedures(jurisdiction)} == PROCEDURES


def test_cn_checklist_waits_for_the_procedure(world: World) -> None:
    cn, agreement = _cn_accepted(world)

    error = _refused(
        Conflict,
        lambda: services.agreement_checklist_complete(
            agreement=agreement, by=cn.duty_lawyer, items=CHECKLIST_ALL
        ),
    )

    assert isinstance(error, Conflict)
    assert error.code == "statement_incomplete"
    assert "the procedure the defendant agrees to" in error.message


def test_cn_statement_needs_a_listed_procedure(world: World) -> None:
    cn, agreement = _cn_accepted(world)

    error = _refused(
        ValidationError,
        lambda: services.agreement_statement_set(
            agreement=agreement, by=cn.prosecutor, procedure="plea_bargain"
        ),
    )

    assert isinstance(error, ValidationError)
    message = error.message_dict["procedure"][0]
    assert all(f"{code} (" in message and words in message for code, words in PROCEDURES.items())


def test_cn_statement_records_no_appeal_limits(world: World) -> None:
    cn, agreement = _cn_accepted(world)

    error = _refused(
        ValidationError,
        lambda: services.agreement_statement_set(
            agreement=agreement, by=cn.prosecutor, procedure="summary", appeal_limits="不上诉"
        ),
    )

    assert isinstance(error, ValidationError)
    assert list(error.message_dict) == ["appeal_limits"]


def test_cn_reform_agreement_records_the_limits_on_appeal(world: World) -> None:
    cn, agreement = _cn_accepted(world, "cn-reform")

    missing = _refused(
        ValidationError,
        lambda: services.agreement_statement_set(
            agreement=agreement, by=cn.prosecutor, procedure="summary"
        ),
    )
    named = services.agreement_statement_set(
        agreement=agreement,
        by=cn.prosecutor,
        procedure="summary",
        appeal_limits="仅得以违背意愿或者判决超出具结书为由上诉",
    )

    assert isinstance(missing, ValidationError)
    assert "Meng (2023)" in missing.message_dict["appeal_limits"][0]
    assert named.appeal_limits == "仅得以违背意愿或者判决超出具结书为由上诉"


def test_statement_cannot_change_after_the_checklist(world: World) -> None:
    cn, agreement = _cn_accepted(world)
    services.agreement_statement_set(agreement=agreement, by=cn.prosecutor, procedure="summary")
    services.agreement_checklist_complete(
        agreement=agreement, by=cn.duty_lawyer, items=CHECKLIST_ALL
    )

    error = _refused(
        Conflict,
        lambda: services.agreement_statement_set(
            agreement=agreement, by=cn.prosecutor, procedure="ordinary"
        ),
    )

    assert isinstance(error, Conflict)
    assert error.code == "checklist_complete"


def test_only_the_prosecution_names_the_procedure(world: World) -> None:
    cn, agreement = _cn_accepted(world)
    for person in (cn.duty_lawyer, cn.defendant_user, cn.clerk):
        _refused(
            PermissionDenied,
            lambda person=person: services.agreement_statement_set(
                agreement=agreement, by=person, procedure="summary"
            ),
        )


def test_us_agreement_names_no_procedure(world: World) -> None:
    agreement = accepted_agreement(world)

    error = _refused(
        Conflict,
        lambda: services.agreement_statement_set(
            agreement=agreement, by=world.user(Role.PROSECUTOR), procedure="summary"
        ),
    )

    assert isinstance(error, Conflict)
    assert error.code == "statement_not_in_profile"


@pytest.mark.parametrize(
    ("who", "expected"),
    [("prosecutor", 200), ("duty", 403), ("defendant", 403), ("clerk", 404), ("us_judge", 404)],
)
def test_api_statement_for_each_role(world: World, who: str, expected: int) -> None:
    cn, agreement = _cn_accepted(world)
    people = {
        "prosecutor": cn.prosecutor,
        "duty": cn.duty_lawyer,
        "defendant": cn.defendant_user,
        "clerk": cn.clerk,  # the court sees no agreement before it is submitted
        "us_judge": world.user(Role.JUDGE),
    }
    before = negotiation_rows()

    response = api_as(people[who]).post(
        reverse("agreement-statement", args=[agreement.pk]), {"procedure": "expedited"}
    )

    assert response.status_code == expected
    if expected == 200:
        body = response.json()
        assert (body["procedure"], body["procedure_display"]) == (
            "expedited",
            "Fast-track procedure (速裁程序)",
        )
        assert {p["code"]: p["text"] for p in body["statement_options"]["procedures"]} == (
            PROCEDURES
        )
    else:
        assert negotiation_rows() == before


def test_api_statement_under_us_fed_is_a_409(world: World) -> None:
    agreement = accepted_agreement(world)

    response = api_as(world.user(Role.PROSECUTOR)).post(
        reverse("agreement-statement", args=[agreement.pk]), {"procedure": "summary"}
    )

    assert (response.status_code, response.json()["code"]) == (409, "statement_not_in_profile")


@pytest.mark.parametrize(
    ("who", "expected"), [("prosecutor", 302), ("duty", 403), ("defendant", 403), ("clerk", 404)]
)
def test_page_statement_for_each_role(
    client: Client, world: World, who: str, expected: int
) -> None:
    cn, agreement = _cn_accepted(world)
    people = {
        "prosecutor": cn.prosecutor,
        "duty": cn.duty_lawyer,
        "defendant": cn.defendant_user,
        "clerk": cn.clerk,
    }
    client.force_login(people[who])

    response = client.post(
        reverse("negotiations:agreement-statement", args=[agreement.pk]),
        {"statement-procedure": "summary"},
    )

    assert response.status_code == expected
    agreement.refresh_from_db()
    assert agreement.procedure == ("summary" if expected == 302 else "")


def test_page_shows_the_procedure_form_to_the_prosecutor(client: Client, world: World) -> None:
    cn, agreement = _cn_accepted(world)
    client.force_login(cn.prosecutor)

    body = client.get(reverse("negotiations:agreement", args=[agreement.pk])).content.decode()

    for code, words in PROCEDURES.items():
        assert f'name="statement-procedure" value="{code}"' in body
        assert words in body


# --- the checklist of each profile ----------------------------------------------------------------


def _codes(agreement: PleaAgreement) -> list[str]:
    jurisdiction = agreement.case.court.jurisdiction
    return [i.code for i in agreement_rules.checklist_items_for(jurisdiction, agreement.terms)]


def test_us_checklist_covers_rule_11_b_1(world: World) -> None:
    codes = _codes(accepted_agreement(world))
    assert {
        "maximum_penalty_explained",  # 11(b)(1)(H)
        "mandatory_minimum_explained",  # 11(b)(1)(I)
        "appeal_waiver_explained",  # 11(b)(1)(N): this agreement waives appeal
        "immigration_consequences_explained",  # 11(b)(1)(O)
        "ability_to_pay_assessed",  # USSG §5E1.2(a)
    } <= set(codes)


def test_us_appeal_waiver_item_only_with_a_waiver(world: World) -> None:
    offer = services.offer_send(
        offer=services.offer_create(
            case=world.case,
            by=world.user(Role.PROSECUTOR),
            data=plea_input(world, appeal_waiver=False),
        ),
        by=world.user(Role.PROSECUTOR),
    )
    agreement = services.offer_accept(offer=offer, by=world.user(Role.DEFENSE_COUNSEL))
    # 11(b)(1)(N): "the terms of any plea-agreement provision waiving the right to appeal".
    assert "appeal_waiver_explained" not in _codes(agreement)


def test_cn_ability_to_pay_only_with_a_fine(world: World) -> None:
    _cn, without = _cn_accepted(world)
    assert "ability_to_pay_assessed" not in _codes(without)
    PleaAgreement.objects.filter(pk=without.pk).update(
        terms={**without.terms, "sentence": {**without.terms["sentence"], "fine": "5000.00"}}
    )
    assert "ability_to_pay_assessed" in _codes(PleaAgreement.objects.get(pk=without.pk))


def test_cn_checklist_explains_the_procedure_and_cn_reform_the_appeal_limits(
    world: World,
) -> None:
    _cn, cn_agreement = _cn_accepted(world)
    assert "procedure_explained" in _codes(cn_agreement)
    assert "appeal_limits_explained" not in _codes(cn_agreement)
    _reform, reform_agreement = _cn_accepted(world, "cn-reform", fine=Decimal("3000"))
    assert {"procedure_explained", "appeal_limits_explained"} <= set(_codes(reform_agreement))


def test_api_checklist_lists_the_items_with_their_sources(world: World) -> None:
    agreement = accepted_agreement(world)

    body = api_as(world.user(Role.DEFENSE_COUNSEL)).get(
        reverse("agreement-detail", args=[agreement.pk])
    )

    items = {i["code"]: (i["source"], i["confirmed"]) for i in body.json()["checklist"]["items"]}
    assert items["maximum_penalty_explained"] == ("Fed. R. Crim. P. 11(b)(1)(H)", False)
    assert items["mandatory_minimum_explained"] == ("Fed. R. Crim. P. 11(b)(1)(I)", False)
    assert items["appeal_waiver_explained"] == ("Fed. R. Crim. P. 11(b)(1)(N)", False)


# --- the signed agreement: capacity, procedure, names ---------------------------------------------


def _signed_cn(world: World, code: str = "cn") -> tuple[CnCase, PleaAgreement]:
    cn, agreement = _cn_accepted(world, code)
    services.agreement_statement_set(
        agreement=agreement,
        by=cn.prosecutor,
        procedure="expedited",
        appeal_limits="仅得以违背意愿为由上诉" if code == "cn-reform" else "",
    )
    services.agreement_checklist_complete(
        agreement=agreement, by=cn.duty_lawyer, items=CHECKLIST_ALL
    )
    services.agreement_sign(agreement=agreement, by=cn.defendant_user, witness=cn.duty_participant)
    services.agreement_sign(agreement=agreement, by=cn.duty_lawyer)
    services.agreement_sign(agreement=agreement, by=cn.prosecutor)
    agreement.refresh_from_db()
    return cn, agreement


def test_cn_pdf_names_the_procedure_the_duty_lawyer_and_the_defendant_family_name_first(
    world: World,
) -> None:
    _cn, agreement = _signed_cn(world)

    text = _pdf_text(agreement)

    # The cn profile's agreements are drawn up in Chinese (document_language).
    assert "速裁程序" in text
    assert "值班律师" in text
    assert "辩护人或值班律师" not in text
    assert "张三" in text
    assert "三 张" not in text


def test_cn_reform_pdf_records_the_limits_on_appeal(world: World) -> None:
    _cn, agreement = _signed_cn(world, "cn-reform")
    assert "仅得以违背意愿为由上诉" in _pdf_text(agreement)


def test_cn_page_names_the_capacity_exactly(client: Client, world: World) -> None:
    cn, agreement = _signed_cn(world)
    client.force_login(cn.prosecutor)

    body = client.get(reverse("negotiations:agreement", args=[agreement.pk])).content.decode()

    # The procuratorate's people read Chinese (their jurisdiction's document_language).
    assert '<th scope="row">值班律师</th>' in body
    assert '<th scope="row">辩护人或值班律师</th>' not in body
    assert "张三" in body
    assert "速裁程序" in body


def test_cn_api_names_the_signatures_capacity(world: World) -> None:
    cn, agreement = _signed_cn(world)
    body = api_as(cn.prosecutor).get(reverse("agreement-detail", args=[agreement.pk])).json()
    assert [(s["capacity_display"], s["signer_name"]) for s in body["signatures"]][:2] == [
        ("Defendant", "张三"),
        ("Duty lawyer", person_name(cn.duty_lawyer.first_name, cn.duty_lawyer.last_name)),
    ]


def test_chinese_login_names_read_family_name_first(world: World) -> None:
    cn, agreement = _cn_accepted(world)
    User.objects.filter(pk=cn.prosecutor.pk).update(first_name="检", last_name="王")
    services.agreement_statement_set(agreement=agreement, by=cn.prosecutor, procedure="summary")
    services.agreement_checklist_complete(
        agreement=agreement, by=cn.duty_lawyer, items=CHECKLIST_ALL
    )
    services.agreement_sign(agreement=agreement, by=cn.defendant_user, witness=cn.duty_participant)
    services.agreement_sign(agreement=agreement, by=cn.duty_lawyer)
    signature = services.agreement_sign(
        agreement=agreement, by=User.objects.get(pk=cn.prosecutor.pk)
    )
    assert signature.signer_name == "王检"


def test_a_listed_item_names_the_statutes_words_once() -> None:
    """In English the label carries the statute's words beside it; in Chinese the label is those
    words, written once (速裁程序, not "速裁程序 (速裁程序)")."""
    from django.utils import translation

    from negotiations.agreement_rules import ListedItem

    item = ListedItem(code="expedited", label="Fast-track procedure", source="CPL", text="速裁程序")
    with translation.override("en"):
        assert item.display == "Fast-track procedure (速裁程序)"
    with translation.override("zh-hans"):
        assert item.display == "速裁程序"
