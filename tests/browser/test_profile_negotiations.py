"""The two Chinese profiles in a real browser, each person in their own session.

cn-reform (Meng 2023): the duty lawyer leads the defense's negotiation; the prosecutor records
that the rights of the leniency system were explained before the first offer and answers the
duty lawyer's suggestion in writing before offering.

cn (CPL arts. 36, 173, 174): the prosecutor negotiates with the suspect; the duty lawyer can
only give written opinions ("对案件处理提出意见", art. 36) and be present when the suspect signs
("应当在辩护人或者值班律师在场的情况下签署认罪认罚具结书", art. 174)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from negotiations.models import AgreementStatus, Offer, OfferStatus, PleaAgreement, Suggestion
from parties.models import Role
from parties.services import profile_language_set
from tests import factories
from tests.browser.conftest import People
from tests.conftest import World
from tests.negotiation_helpers import ProfileCase, profile_case

pytestmark = pytest.mark.browser


def _confirm_and_press(page: Any, action: str, button: str | re.Pattern[str]) -> None:
    form = page.locator(f"form[action$='/{action}/']")
    boxes = form.locator("input[type=checkbox]")
    for i in range(boxes.count()):
        boxes.nth(i).check()
    form.get_by_role("button", name=button).click()


def _compose(page: Any, url: str, low: str, high: str, rationale: str) -> None:
    page.goto(url)
    page.get_by_label("Custody from").fill(low)
    page.get_by_label("Custody up to").fill(high)
    page.get_by_label(re.compile("Rationale|Reasons for this proposal")).fill(rationale)


def _in_english(pc: ProfileCase) -> None:
    """The walk is about who may do what, read in English: people of a Chinese office see
    Chinese unless they choose otherwise (tests/browser/test_chinese_negotiation.py)."""
    for role in Role:
        profile_language_set(profile=pc.user(role).profile, language="en")


def _state(page: Any, agreement: PleaAgreement) -> None:
    """The prosecutor names the plea statement's procedure (CPL art. 174(1): 速裁程序) and,
    where the profile records them, the limits on appeal, before counsel's checklist."""
    statement = page.locator(f"form[action$='/agreements/{agreement.pk}/statement/']")
    statement.locator("input[name='statement-procedure'][value='expedited']").check()
    limits = statement.get_by_label("Limits on appeal")
    if limits.count():
        limits.fill("仅得以违背意愿或判决超出具结书为由上诉。")
    statement.get_by_role("button", name="Record the statement").click()
    expect(page.locator("#statement")).to_contain_text("Fast-track procedure")


def _check_all(page: Any, agreement: PleaAgreement) -> None:
    checklist = page.locator(f"form[action$='/agreements/{agreement.pk}/checklist/']")
    boxes = checklist.locator("input[type=checkbox]")
    for i in range(boxes.count()):
        boxes.nth(i).check()
    name = checklist.get_by_label("Interpreter's name")
    if name.count():
        name.fill("李翻译")
    checklist.get_by_role("button", name="Record the checklist").click()


def test_cn_reform_negotiation_led_by_the_duty_lawyer(
    live_server: Any, world: World, people: People
) -> None:
    url = live_server.url
    pc = profile_case(factories.jurisdiction("cn-reform"), prefix="rf")
    _in_english(pc)
    case = pc.case
    negotiation = url + reverse("negotiations:negotiation", args=[case.pk])

    # 1. The prosecutor records that the rights were explained: nothing is sent before.
    prosecutor = people("rf_prosecutor")
    prosecutor.goto(negotiation)
    expect(prosecutor.locator("#records")).to_contain_text("No offer may be sent before")
    prosecutor.get_by_label("How the rights were explained").fill(
        "2026年9月3日充分告知认罪认罚的诉讼权利和法律规定，值班律师在场。"
    )
    prosecutor.get_by_role("button", name="Record the rights explained").click()
    expect(prosecutor.locator("#rights-explained")).to_contain_text("值班律师在场")

    # 2. The duty lawyer, who negotiates under this profile, puts a suggestion in writing.
    duty = people("rf_duty")
    duty.goto(negotiation)
    expect(duty.locator("#profile-rules")).to_contain_text("defense counsel or duty lawyer")
    duty.get_by_text("Suggest", exact=True).click()
    duty.get_by_label("Suggestion and reasons").fill("初犯，已退赃，建议有期徒刑六个月。")
    duty.get_by_role("button", name="Send suggestion").click()
    expect(duty.locator("main")).to_contain_text("The prosecution must answer it in writing")

    # 3. The prosecutor's offer is held until the suggestion has its written answer.
    _compose(
        prosecutor,
        url + reverse("negotiations:offer-new", args=[case.pk]),
        "8",
        "10",
        "数额较大，退赃。",
    )
    prosecutor.get_by_role("button", name="Save draft").click()
    _confirm_and_press(prosecutor, "send", "Send offer")
    expect(prosecutor.locator(".alert--error")).to_contain_text(
        "Respond in writing to the defense's suggestion"
    )
    draft = Offer.objects.get(case=case)
    assert draft.status == OfferStatus.DRAFT
    prosecutor.goto(negotiation)
    prosecutor.get_by_label("Your written response").fill("部分采纳：建议八至十个月。")
    prosecutor.get_by_role("button", name="Record response").click()
    prosecutor.goto(url + reverse("negotiations:offer", args=[draft.pk]))
    _confirm_and_press(prosecutor, "send", "Send offer")
    expect(prosecutor.get_by_role("heading", level=1)).to_have_text("Round 1: prosecution offer")
    draft.refresh_from_db()
    assert draft.status == OfferStatus.SENT

    # 4. The duty lawyer counters for the suspect.
    duty.goto(url + reverse("negotiations:offer", args=[draft.pk]))
    duty.get_by_role("link", name="Compose a counteroffer").click()
    duty.get_by_label("Custody from").fill("6")
    duty.get_by_label("Custody up to").fill("6")
    duty.get_by_label("Reasons for this proposal").fill("从犯，初犯，积极退赃。")
    _confirm_and_press(duty, "counter", "Send counteroffer")
    expect(duty.get_by_role("heading", level=1)).to_have_text("Round 2: defense proposal")
    proposal = Offer.objects.get(case=case, round_number=2)
    assert (proposal.side, proposal.author_id) == ("defense", pc.duty_lawyer.pk)

    # 5. The prosecutor accepts the duty lawyer's proposal; the duty lawyer completes the
    # checklist and signs, the suspect signs before the duty lawyer, the prosecutor submits.
    prosecutor.goto(url + reverse("negotiations:offer", args=[proposal.pk]))
    _confirm_and_press(prosecutor, "accept", "Accept proposal")
    expect(prosecutor.get_by_role("heading", level=1)).to_have_text("Plea agreement")
    agreement = PleaAgreement.objects.get(case=case)
    _state(prosecutor, agreement)
    duty.goto(url + reverse("negotiations:agreement", args=[agreement.pk]))
    _check_all(duty, agreement)
    _confirm_and_press(duty, "sign", "Sign")
    suspect = people("rf_defendant")
    suspect.goto(url + reverse("negotiations:agreement", args=[agreement.pk]))
    suspect.get_by_label("Witness").select_option(value=str(pc.duty_participant.pk))
    _confirm_and_press(suspect, "sign", "Sign")
    prosecutor.goto(url + reverse("negotiations:agreement", args=[agreement.pk]))
    _confirm_and_press(prosecutor, "sign", "Sign")
    _confirm_and_press(prosecutor, "submit", "Submit")
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SUBMITTED
    assert agreement.terms["sentence"]["custody_max_months"] == "6"


def test_cn_the_duty_lawyer_gives_opinions_and_witnesses(
    live_server: Any, world: World, people: People
) -> None:
    url = live_server.url
    pc = profile_case(factories.jurisdiction("cn"), prefix="cn")
    _in_english(pc)
    case = pc.case
    negotiation = url + reverse("negotiations:negotiation", args=[case.pk])

    # 1. The prosecutor offers a sentence to the suspect.
    prosecutor = people("cn_prosecutor")
    _compose(
        prosecutor,
        url + reverse("negotiations:offer-new", args=[case.pk]),
        "8",
        "10",
        "坦白，退赃。",
    )
    prosecutor.get_by_role("button", name="Save draft").click()
    _confirm_and_press(prosecutor, "send", "Send offer")
    offer = Offer.objects.get(case=case)
    assert offer.status == OfferStatus.SENT

    # 2. The duty lawyer reads it but cannot answer it, nor propose; they give an opinion.
    duty = people("cn_duty")
    duty.goto(url + reverse("negotiations:offer", args=[offer.pk]))
    expect(duty.get_by_role("heading", level=1)).to_have_text("Round 1: prosecution offer")
    expect(duty.get_by_role("button", name="Accept offer")).to_have_count(0)
    expect(duty.get_by_role("link", name="Compose a counteroffer")).to_have_count(0)
    refused = duty.goto(url + reverse("negotiations:offer-counter", args=[offer.pk]))
    assert refused.status == 403
    duty.goto(negotiation)
    expect(duty.locator("#profile-rules")).to_contain_text("prosecutor or defendant")
    expect(duty.get_by_role("link", name="Draft a proposal")).to_have_count(0)
    duty.get_by_text("Suggest", exact=True).click()
    duty.get_by_label("Suggestion and reasons").fill("建议适用速裁程序，判处六个月。")
    duty.get_by_role("button", name="Send suggestion").click()
    expect(duty.locator("main")).to_contain_text("The prosecution may consider it")
    assert Suggestion.objects.get(case=case).author_role == "duty_lawyer"

    # 3. The suspect answers the procuratorate's offer themselves.
    suspect = people("cn_defendant")
    suspect.goto(url + reverse("negotiations:offer", args=[offer.pk]))
    _confirm_and_press(suspect, "accept", "Accept offer")
    expect(suspect.get_by_role("heading", level=1)).to_have_text("Plea agreement")
    agreement = PleaAgreement.objects.get(case=case)
    assert agreement.offer.closed_by_id == pc.defendant_user.pk

    # 4. The prosecutor names the procedure; the duty lawyer explains, signs as the lawyer
    # present, and is the suspect's witness.
    prosecutor.goto(url + reverse("negotiations:agreement", args=[agreement.pk]))
    _state(prosecutor, agreement)
    duty.goto(url + reverse("negotiations:agreement", args=[agreement.pk]))
    _check_all(duty, agreement)
    _confirm_and_press(duty, "sign", "Sign")
    suspect.goto(url + reverse("negotiations:agreement", args=[agreement.pk]))
    suspect.get_by_label("Witness").select_option(value=str(pc.duty_participant.pk))
    _confirm_and_press(suspect, "sign", "Sign")
    prosecutor.goto(url + reverse("negotiations:agreement", args=[agreement.pk]))
    _confirm_and_press(prosecutor, "sign", "Sign")
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNED
    witness = agreement.signatures.get(signatory_role="defendant").witness
    assert witness == pc.duty_participant

    # 5. Only the procuratorate submits it (CPL art. 176(2)).
    duty.goto(url + reverse("negotiations:agreement", args=[agreement.pk]))
    expect(duty.locator("form[action$='/submit/']")).to_have_count(0)
    _confirm_and_press(prosecutor, "submit", "Submit")
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SUBMITTED
