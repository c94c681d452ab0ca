"""A whole plea negotiation in a real browser, each person in their own session: the prosecutor
composes an offer, the defense counters, the prosecutor answers in writing and offers again,
the defense accepts, everyone signs and the court accepts the agreement."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import CaseStatus
from negotiations.models import AgreementStatus, Offer, OfferStatus, PleaAgreement
from tests.browser.conftest import People, shoot
from tests.conftest import World

pytestmark = pytest.mark.browser


def _confirm_and_press(page: Any, action: str, button: str | re.Pattern[str]) -> None:
    form = page.locator(f"form[action$='/{action}/']")
    boxes = form.locator("input[type=checkbox]")
    for i in range(boxes.count()):
        boxes.nth(i).check()
    form.get_by_role("button", name=button).click()


def _expiry_local(world: World, days: int) -> str:
    import zoneinfo

    moment = timezone.now() + dt.timedelta(days=days)
    return moment.astimezone(zoneinfo.ZoneInfo(world.court.time_zone)).strftime("%Y-%m-%dT%H:%M")


def test_a_plea_from_first_offer_to_the_courts_acceptance(
    live_server: Any, world: World, people: People
) -> None:
    url = live_server.url
    case = world.case
    charge = case.charges.get(count_number=1)

    # 1. The prosecutor composes an offer count by count and sees the concessions derived.
    prosecutor = people("prosecutor")
    prosecutor.goto(url + reverse("cases:detail", args=[case.pk]))
    prosecutor.get_by_role("link", name=re.compile("Compose an offer")).first.click()
    expect(prosecutor.get_by_role("heading", level=1)).to_have_text("Compose an offer")
    prosecutor.get_by_label("Plead guilty to a lesser offence").check()
    prosecutor.get_by_label(re.compile("Lesser offence for count 1")).select_option(
        value=str(world.lesser_statute.pk)
    )
    prosecutor.get_by_label("Custody from").fill("6")
    prosecutor.get_by_label("Custody up to").fill("12")
    prosecutor.get_by_label("Waiver of appeal").check()
    prosecutor.get_by_label("Total offense level").fill("24")
    prosecutor.get_by_label("Criminal history category").select_option("II")
    prosecutor.get_by_label("Offer expires").fill(_expiry_local(world, 7))
    prosecutor.get_by_label("Rationale").fill("Early resolution; one exhibit has a weak chain.")
    preview = prosecutor.locator("#offer-preview")
    expect(preview).to_contain_text("reduced from 21 U.S.C. 841(a)(1) to 21 U.S.C. 844")
    prosecutor.get_by_role("button", name="Save draft").click()
    expect(prosecutor.get_by_role("heading", level=1)).to_have_text("Round 1: prosecution offer")
    _confirm_and_press(prosecutor, "send", "Send offer")
    first = Offer.objects.get(case=case, round_number=1)
    assert first.status == OfferStatus.SENT
    assert first.terms.get().lesser_statute_id == world.lesser_statute.pk

    # 2. Defense counsel reviews it beside the charges as filed and counters.
    defense = people("defense")
    defense.goto(url + reverse("negotiations:negotiation", args=[case.pk]))
    defense.get_by_role("link", name=re.compile("Round 1")).first.click()
    expect(defense.get_by_role("heading", level=1)).to_have_text("Round 1: prosecution offer")
    exposure = defense.locator("[aria-labelledby=exposure-title]")
    expect(exposure).to_contain_text("57–71")  # level 24, category II at trial
    expect(defense.locator("main")).to_contain_text(re.compile(r"expires in \d+ days?"))
    expect(defense.locator("main")).to_contain_text(charge.statute.citation)
    shoot(defense, "offer-review-defense")
    defense.get_by_role("link", name="Compose a counteroffer").click()
    defense.get_by_label("Custody from").fill("0")
    defense.get_by_label("Custody up to").fill("0")
    defense.get_by_label("Probation").fill("24")
    defense.get_by_label("Reasons for this proposal").fill(
        "First offence, steady work, two children at home."
    )
    _confirm_and_press(defense, "counter", "Send counteroffer")
    expect(defense.get_by_role("heading", level=1)).to_have_text("Round 2: defense proposal")
    first.refresh_from_db()
    assert first.status == OfferStatus.COUNTERED

    # 3. The prosecutor answers the proposal in writing and offers again.
    prosecutor.goto(url + reverse("negotiations:offer", args=[first.pk + 1]))
    prosecutor.get_by_label("Reason for rejecting").fill(
        "Probation alone does not answer the quantity involved."
    )
    prosecutor.get_by_role("button", name="Reject proposal").click()
    expect(prosecutor.locator("main")).to_contain_text("Rejected")
    prosecutor.goto(url + reverse("negotiations:offer-new", args=[case.pk]))
    prosecutor.get_by_label("Plead guilty to a lesser offence").check()
    prosecutor.get_by_label(re.compile("Lesser offence for count 1")).select_option(
        value=str(world.lesser_statute.pk)
    )
    prosecutor.get_by_label("Custody from").fill("3")
    prosecutor.get_by_label("Custody up to").fill("6")
    prosecutor.get_by_label("Offer expires").fill(_expiry_local(world, 5))
    prosecutor.get_by_label("Rationale").fill("Meets the defense part way.")
    prosecutor.get_by_role("button", name="Save draft").click()
    _confirm_and_press(prosecutor, "send", "Send offer")
    third = Offer.objects.get(case=case, status=OfferStatus.SENT)
    assert third.round_number == 3

    # The court sees none of it.
    judge = people("judge")
    response = judge.goto(url + reverse("negotiations:offer", args=[third.pk]))
    assert response.status == 404
    expect(judge.locator("main")).not_to_contain_text("Meets the defense part way")

    # 4. The defense accepts; counsel completes the checklist and signs.
    defense.goto(url + reverse("negotiations:offer", args=[third.pk]))
    _confirm_and_press(defense, "accept", "Accept offer")
    expect(defense.get_by_role("heading", level=1)).to_have_text("Plea agreement")
    agreement = PleaAgreement.objects.get(case=case)
    checklist = defense.locator(f"form[action$='/agreements/{agreement.pk}/checklist/']")
    boxes = checklist.locator("input[type=checkbox]")
    for i in range(boxes.count()):
        boxes.nth(i).check()
    checklist.get_by_role("button", name="Record the checklist").click()
    _confirm_and_press(defense, "sign", "Sign")

    # 5. The defendant signs their own agreement, then the prosecutor, who submits it.
    defendant = people("defendant")
    defendant.goto(url + reverse("negotiations:agreement", args=[agreement.pk]))
    _confirm_and_press(defendant, "sign", "Sign")
    prosecutor.goto(url + reverse("negotiations:agreement", args=[agreement.pk]))
    _confirm_and_press(prosecutor, "sign", "Sign")
    expect(prosecutor.locator("#document")).to_contain_text("SHA-256")
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNED
    assert agreement.signatures.count() == 3
    _confirm_and_press(prosecutor, "submit", "Submit")
    shoot(prosecutor, "agreement-submitted")

    # 6. The judge reads the agreement (not the offers) and accepts it.
    judge.goto(url + reverse("negotiations:agreement", args=[agreement.pk]))
    expect(judge.get_by_role("heading", level=1)).to_have_text("Plea agreement")
    judge.get_by_label(re.compile("Accept", re.IGNORECASE)).first.check()
    judge.get_by_label("Reasons").fill("Knowing and voluntary, with a factual basis (Rule 11).")
    judge.get_by_role("button", name="Record the decision").click()
    expect(judge.locator("main")).to_contain_text("Accepted by the court")

    case.refresh_from_db()
    assert case.status == CaseStatus.PLEA_ENTERED
    assert case.charges.get(count_number=1).disposition == "reduced"
