"""Who reaches which negotiation page, for every role on the case and for strangers.

The rules, from the issue and the domain:
- the parties (prosecutor, defense counsel, duty lawyer, defendant) read the negotiation; a
  draft only its own side;
- the court (judge, court staff) does not see offers, before or after an agreement is submitted
  (Fed. R. Crim. P. 11(c)(1)): the negotiation page answers 403 and says why, an offer 404; it
  reads the agreement once submitted, and not before;
- only negotiators compose and answer offers: the defendant and the court get 403;
- people who do not see the case get 404 everywhere, as for a page that does not exist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from negotiations import services
from negotiations.models import Offer, PleaAgreement
from parties.models import Role
from tests.conftest import ROLES, World
from tests.negotiation_helpers import (
    CHECKLIST_ALL,
    accepted_agreement,
    cn_case,
    defense_draft,
    draft_offer,
    plea_input,
    sent_offer,
    signed_agreement,
    submitted_agreement,
)
from tests.pages_negotiation_helpers import COURT_ROLES, PARTY_ROLES

P, DC, DL, D, J, CS = ROLES
ALL_PARTIES = {P: 200, DC: 200, DL: 200, D: 200}
COURT_404 = {J: 404, CS: 404}


@dataclass
class Page:
    """A page in a situation: `url` builds the situation and returns the page's address;
    `expected` is the status by role (every stranger gets 404)."""

    name: str
    url: Callable[[World], str]
    expected: dict[Role, int]


def _offer(world: World) -> str:
    return reverse("negotiations:offer", args=[sent_offer(world).pk])


def _agreement(make: Callable[[World], PleaAgreement]) -> Callable[[World], str]:
    return lambda world: reverse("negotiations:agreement", args=[make(world).pk])


def _pdf(make: Callable[[World], PleaAgreement]) -> Callable[[World], str]:
    return lambda world: reverse("negotiations:agreement-pdf", args=[make(world).pk])


PAGES = [
    Page(
        "negotiation",
        lambda w: (sent_offer(w), reverse("negotiations:negotiation", args=[w.case.pk]))[1],
        {**ALL_PARTIES, J: 403, CS: 403},
    ),
    Page("offer review", _offer, {**ALL_PARTIES, **COURT_404}),
    Page(
        "prosecution draft review",
        lambda w: reverse("negotiations:offer", args=[draft_offer(w).pk]),
        {P: 200, DC: 404, DL: 404, D: 404, **COURT_404},
    ),
    Page(
        "defense draft review",
        lambda w: reverse("negotiations:offer", args=[defense_draft(w).pk]),
        {P: 404, DC: 200, DL: 200, D: 200, **COURT_404},
    ),
    Page(
        "compose",
        lambda w: reverse("negotiations:offer-new", args=[w.case.pk]),
        {P: 200, DC: 200, DL: 200, D: 403, J: 403, CS: 403},
    ),
    Page(
        "edit prosecution draft",
        lambda w: reverse("negotiations:offer-edit", args=[draft_offer(w).pk]),
        {P: 200, DC: 404, DL: 404, D: 404, **COURT_404},
    ),
    Page(
        "edit defense draft",
        lambda w: reverse("negotiations:offer-edit", args=[defense_draft(w).pk]),
        {P: 404, DC: 200, DL: 200, D: 403, **COURT_404},
    ),
    Page(
        "counter",
        lambda w: reverse("negotiations:offer-counter", args=[sent_offer(w).pk]),
        {P: 403, DC: 200, DL: 200, D: 403, **COURT_404},
    ),
    Page(
        "agreement while signing",
        _agreement(accepted_agreement),
        {**ALL_PARTIES, **COURT_404},
    ),
    Page("agreement signed", _agreement(signed_agreement), {**ALL_PARTIES, **COURT_404}),
    Page(
        "agreement submitted",
        _agreement(submitted_agreement),
        {**ALL_PARTIES, J: 200, CS: 200},
    ),
    Page(
        "pdf before anyone signs",
        _pdf(accepted_agreement),
        {P: 404, DC: 404, DL: 404, D: 404, **COURT_404},
    ),
    Page("pdf signed", _pdf(signed_agreement), {**ALL_PARTIES, **COURT_404}),
    Page("pdf submitted", _pdf(submitted_agreement), {**ALL_PARTIES, J: 200, CS: 200}),
]
PAGE_IDS = [page.name for page in PAGES]


@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
@pytest.mark.parametrize("role", ROLES)
def test_page_for_each_role_on_the_case(
    client: Client, world: World, role: Role, page: Page
) -> None:
    url = page.url(world)
    client.force_login(world.user(role))
    response = client.get(url)
    assert response.status_code == page.expected[role]


@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
@pytest.mark.parametrize("role", ROLES)
def test_page_is_missing_for_strangers(
    client: Client, world: World, role: Role, page: Page
) -> None:
    url = page.url(world)
    client.force_login(world.strangers[role])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_page_sends_the_anonymous_to_sign_in(client: Client, world: World, page: Page) -> None:
    url = page.url(world)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_every_role_is_placed_for_every_page() -> None:
    for page in PAGES:
        assert set(page.expected) == set(ROLES), page.name


# --- the court and the offers ----------------------------------------------------------------


def _offer_pages(world: World, offer: Offer) -> dict[str, str]:
    return {
        "negotiation": reverse("negotiations:negotiation", args=[world.case.pk]),
        "review": reverse("negotiations:offer", args=[offer.pk]),
        "compose": reverse("negotiations:offer-new", args=[world.case.pk]),
        "edit": reverse("negotiations:offer-edit", args=[offer.pk]),
        "counter": reverse("negotiations:offer-counter", args=[offer.pk]),
    }


@pytest.mark.parametrize("role", COURT_ROLES)
@pytest.mark.parametrize("stage", ["negotiating", "submitted", "court accepted"])
def test_court_never_reaches_an_offer(client: Client, world: World, role: Role, stage: str) -> None:
    offer = sent_offer(world)
    if stage != "negotiating":
        agreement = services.offer_accept(offer=offer, by=world.user(DC))
        services.agreement_checklist_complete(
            agreement=agreement,
            by=world.user(DC),
            items=CHECKLIST_ALL,
        )
        for signer in (D, DC, P):
            services.agreement_sign(agreement=agreement, by=world.user(signer))
        services.agreement_submit(agreement=agreement, by=world.user(P))
        if stage == "court accepted":
            services.agreement_review(
                agreement=agreement, by=world.user(J), accepted=True, reasons="Voluntary."
            )
    client.force_login(world.user(role))
    answers = {name: client.get(url) for name, url in _offer_pages(world, offer).items()}
    assert answers["negotiation"].status_code == 403
    assert "The court does not see plea offers" in answers["negotiation"].content.decode()
    assert answers["compose"].status_code == 403
    for name in ("review", "edit", "counter"):
        assert answers[name].status_code == 404, name
    preview = client.post(reverse("negotiations:offer-preview", args=[world.case.pk]), {})
    assert preview.status_code == 403


def test_court_reads_the_agreement_only_once_submitted(client: Client, world: World) -> None:
    agreement = signed_agreement(world)
    url = reverse("negotiations:agreement", args=[agreement.pk])
    client.force_login(world.user(J))
    assert client.get(url).status_code == 404
    services.agreement_submit(agreement=agreement, by=world.user(P))
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Plead guilty to 21 U.S.C. 844 Simple possession" in body
    # It links to no offer: the court reads the agreement, never the rounds.
    assert reverse("negotiations:offer", args=[agreement.offer_id]) not in body
    assert reverse("negotiations:negotiation", args=[world.case.pk]) not in body


# --- what each reader sees on the offer review page -------------------------------------------


def _forms_of(body: str) -> list[str]:
    """The actions of the forms on a page, besides signing out."""
    return [
        chunk.split('"', 1)[0]
        for chunk in body.split('<form method="post" action="')[1:]
        if not chunk.startswith(reverse("logout"))
    ]


def test_defendant_reads_the_offer_without_any_action(client: Client, world: World) -> None:
    offer = sent_offer(world)
    client.force_login(world.user(D))
    response = client.get(reverse("negotiations:offer", args=[offer.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Your lawyer answers offers on your behalf" in body
    assert "21 U.S.C. 844" in body  # the terms
    assert "trial penalty" in body
    assert _forms_of(body) == []
    assert reverse("negotiations:offer-counter", args=[offer.pk]) not in body


@pytest.mark.parametrize("role", [DC, DL])
def test_defense_lawyer_may_accept_reject_or_counter(
    client: Client, world: World, role: Role
) -> None:
    offer = sent_offer(world)
    client.force_login(world.user(role))
    body = client.get(reverse("negotiations:offer", args=[offer.pk])).content.decode()
    assert _forms_of(body) == [
        reverse("negotiations:offer-accept", args=[offer.pk]),
        reverse("negotiations:offer-reject", args=[offer.pk]),
    ]
    assert reverse("negotiations:offer-counter", args=[offer.pk]) in body
    assert "The defendant has instructed me to accept this offer" in body


def test_prosecutor_may_withdraw_the_live_offer_and_log_concessions(
    client: Client, world: World
) -> None:
    offer = sent_offer(world)
    client.force_login(world.user(P))
    body = client.get(reverse("negotiations:offer", args=[offer.pk])).content.decode()
    assert _forms_of(body) == [
        reverse("negotiations:concession-log", args=[offer.pk]),
        reverse("negotiations:offer-withdraw", args=[offer.pk]),
    ]
    assert reverse("negotiations:offer-counter", args=[offer.pk]) not in body


def test_draft_shows_send_and_edit_to_its_author(client: Client, world: World) -> None:
    offer = draft_offer(world)
    client.force_login(world.user(P))
    body = client.get(reverse("negotiations:offer", args=[offer.pk])).content.decode()
    assert reverse("negotiations:offer-send", args=[offer.pk]) in _forms_of(body)
    assert reverse("negotiations:offer-edit", args=[offer.pk]) in body
    assert "Only your side sees this draft" in body


@pytest.mark.parametrize("role", [P, DC, DL, D])
def test_expired_offer_says_so_and_offers_no_action(
    client: Client, world: World, role: Role
) -> None:
    offer = sent_offer(world)
    assert offer.expires_at is not None
    client.force_login(world.user(role))
    with time_machine.travel(offer.expires_at + dt.timedelta(minutes=1)):
        body = client.get(reverse("negotiations:offer", args=[offer.pk])).content.decode()
    assert "The deadline passed" in body
    assert "Status: </span>Expired" in body
    assert _forms_of(body) == []


def test_rejected_offer_shows_who_rejected_it_and_why(client: Client, world: World) -> None:
    offer = services.offer_reject(
        offer=sent_offer(world), by=world.user(DC), reason="Custody is too long."
    )
    client.force_login(world.user(P))
    body = client.get(reverse("negotiations:offer", args=[offer.pk])).content.decode()
    assert "Rejected by" in body
    assert "Custody is too long." in body
    assert _forms_of(body) == []


def test_review_page_sets_charges_as_filed_beside_the_offer(client: Client, world: World) -> None:
    moment = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
    with time_machine.travel(moment, tick=False):
        # 17:00 EST on Nov 30: 2 days 10 hours away.
        offer = sent_offer(world, expires_at=dt.datetime(2026, 11, 30, 22, 0, tzinfo=dt.UTC))
        client.force_login(world.user(DC))
        body = client.get(reverse("negotiations:offer", args=[offer.pk])).content.decode()
    assert "expires in 2 days 10 hours" in body
    assert "Nov 30, 17:00 EST" in body
    assert 'data-expires="2026-11-30T17:00:00-05:00"' in body
    # As filed: distribution, 60-240 months with a 60-month minimum; under the offer: possession.
    assert "21 U.S.C. 841(a)(1)" in body
    assert "60–240 months" in body
    assert "21 U.S.C. 844</span> Simple possession, 0–12 months; 6 severity steps lower" in body
    # Trial 60-71 months (guideline 57-71 bounded by the minimum) against 6-12: 65.5 / 9.
    assert "\u00d7 7.3" in body
    assert "0 of 1" in body  # counts dismissed
    assert "Count 1 reduced from 21 U.S.C. 841(a)(1) to 21 U.S.C. 844 (6 severity steps)." in body
    assert "Waiver of appeal" in body
    assert "Early resolution; weak chain of custody on one exhibit." in body
    assert "No discovery was recorded as disclosed" in body


def test_countdown_script_is_served_by_the_app(client: Client, world: World) -> None:
    offer = sent_offer(world)
    client.force_login(world.user(DC))
    body = client.get(reverse("negotiations:offer", args=[offer.pk])).content.decode()
    assert '<script src="/static/js/countdown.js" defer></script>' in body
    assert "https://" not in body.split("<body", 1)[1]


# --- the negotiation page ----------------------------------------------------------------------


def test_negotiation_lists_rounds_oldest_first_with_responses(client: Client, world: World) -> None:
    first = sent_offer(world)
    counter = services.offer_counter(
        offer=first,
        by=world.user(DC),
        data=plea_input(world, custody_min_months=0, custody_max_months=3, expires_at=None),
        response="Too much custody for a first offence.",
    )
    client.force_login(world.user(P))
    body = client.get(reverse("negotiations:negotiation", args=[world.case.pk])).content.decode()
    assert body.index("Round 1: prosecution offer") < body.index("Round 2: defense proposal")
    assert "Too much custody for a first offence." in body
    assert "Status: </span>Countered" in body
    assert reverse("negotiations:offer", args=[counter.pk]) in body


def test_negotiation_shows_the_suggest_form_to_defense_lawyers_only(
    client: Client, world: World
) -> None:
    url = reverse("negotiations:negotiation", args=[world.case.pk])
    submit = reverse("negotiations:suggestion-submit", args=[world.case.pk])
    for role, shown in ((DC, True), (DL, True), (P, False), (D, False)):
        client.force_login(world.user(role))
        assert (submit in client.get(url).content.decode()) is shown, role


def test_prosecutor_is_told_to_answer_a_suggestion_before_the_next_offer(
    client: Client, world: World
) -> None:
    """Under a profile with `written_consideration_mandatory` (cn-reform, Meng 2023) the
    prosecutor must answer a defense suggestion in writing before the next offer."""
    cn = cn_case(world, "cn-reform")
    suggestion = services.suggestion_submit(
        case=cn.case, by=cn.duty_lawyer, text="初犯，建议适用缓刑。"
    )
    client.force_login(cn.prosecutor)
    body = client.get(reverse("negotiations:negotiation", args=[cn.case.pk])).content.decode()
    # In Chinese, the procuratorate's language: "Answer the defense in writing before your
    # next offer."
    assert "在提出下一轮方案前，请先书面答复辩方意见。" in body
    assert reverse("negotiations:suggestion-respond", args=[suggestion.pk]) in _forms_of(body)


def test_prosecutor_is_not_told_to_answer_where_no_written_answer_is_required(
    client: Client, world: World
) -> None:
    """us-fed has no rule requiring a written answer to a defense proposal: the form to answer
    is there, the instruction is not."""
    suggestion = services.suggestion_submit(
        case=world.case, by=world.user(DL), text="Consider diversion: first offence."
    )
    client.force_login(world.user(P))
    body = client.get(reverse("negotiations:negotiation", args=[world.case.pk])).content.decode()
    assert "Answer the defense in writing before your next offer." not in body
    assert reverse("negotiations:suggestion-respond", args=[suggestion.pk]) in _forms_of(body)


# --- compose pages --------------------------------------------------------------------------------


def test_compose_offers_one_choice_per_count(client: Client, world: World) -> None:
    client.force_login(world.user(P))
    body = client.get(reverse("negotiations:offer-new", args=[world.case.pk])).content.decode()
    charge = world.case.charges.get()
    assert f'name="term_{charge.pk}" value="as_charged"' in body
    assert f'name="term_{charge.pk}" value="dismiss"' in body
    # The lesser offences are those of lower severity, the lesser included first.
    assert "Lesser included offences" in body
    assert f'<option value="{world.lesser_statute.pk}">21 U.S.C. 844' in body
    assert f'<option value="{world.statute.pk}"' not in body
    assert 'name="offense_level"' in body
    assert 'name="baseline_months"' not in body
    assert 'type="datetime-local"' in body
    assert "Court time (America/New_York)" in body
    assert (
        'hx-post="{}"'.format(reverse("negotiations:offer-preview", args=[world.case.pk])) in body
    )


def test_cn_compose_has_no_charge_choice_and_says_why(client: Client, world: World) -> None:
    cn = cn_case(world)
    client.force_login(cn.prosecutor)
    response = client.get(reverse("negotiations:offer-new", args=[cn.case.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'name="term_' not in body
    assert 'name="lesser_' not in body
    # In Chinese, the procuratorate's language: "only the sentence is negotiable".
    assert "仅量刑可协商" in body
    assert "认罪认罚从宽" in body
    assert 'name="baseline_months"' in body
    assert 'name="leniency_stage"' in body
    assert 'name="offense_level"' not in body
    assert "Asia/Shanghai" in body


def test_counter_page_starts_from_the_offer(client: Client, world: World) -> None:
    offer = sent_offer(world)
    client.force_login(world.user(DC))
    body = client.get(reverse("negotiations:offer-counter", args=[offer.pk])).content.decode()
    charge = world.case.charges.get()
    assert (
        f'name="term_{charge.pk}" value="lesser" id="id_term_{charge.pk}_1" required checked'
        in body
    )
    assert f'<option value="{world.lesser_statute.pk}" selected>' in body
    assert 'name="custody_max_months" value="12"' in body
    assert 'name="confirm"' in body
    # The counter has its own reasons and deadline.
    assert "Early resolution; weak chain of custody" not in body


def test_counter_page_of_an_ended_offer_says_what_happened(client: Client, world: World) -> None:
    offer = services.offer_withdraw(offer=sent_offer(world), by=world.user(P))
    client.force_login(world.user(DC))
    response = client.get(reverse("negotiations:offer-counter", args=[offer.pk]))
    assert response.status_code == 409
    assert "This offer is withdrawn; it can no longer be answered." in response.content.decode()


def test_editing_a_sent_offer_is_a_conflict(client: Client, world: World) -> None:
    offer = sent_offer(world)
    client.force_login(world.user(P))
    response = client.get(reverse("negotiations:offer-edit", args=[offer.pk]))
    assert response.status_code == 409
    assert "A sent offer cannot be changed" in response.content.decode()


# --- the case page's section -------------------------------------------------------------------


def _case_page(client: Client, world: World, role: Role) -> str:
    client.force_login(world.user(role))
    response = client.get(reverse("cases:detail", args=[world.case.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_case_page_shows_the_live_offer_and_its_expiry_to_the_parties(
    client: Client, world: World
) -> None:
    offer = sent_offer(world)
    for role in PARTY_ROLES:
        body = _case_page(client, world, role)
        assert 'id="negotiation"' in body
        assert reverse("negotiations:offer", args=[offer.pk]) in body
        assert "Round 1: prosecution offer" in body
        assert "expires in 6 days" in body
        assert "Round 1: Prosecution offer sent" in body  # the timeline
        assert reverse("negotiations:negotiation", args=[world.case.pk]) in body


def test_case_page_offers_composing_to_negotiators_only(client: Client, world: World) -> None:
    compose = reverse("negotiations:offer-new", args=[world.case.pk])
    expected = {P: "Compose an offer", DC: "Draft a proposal", DL: "Draft a proposal"}
    for role in ROLES:
        body = _case_page(client, world, role)
        if role in expected:
            assert compose in body and expected[role] in body, role
        else:
            assert compose not in body, role


@pytest.mark.parametrize("role", COURT_ROLES)
def test_case_page_shows_the_court_no_offer_until_submission(
    client: Client, world: World, role: Role
) -> None:
    offer = sent_offer(world)
    body = _case_page(client, world, role)
    assert "The court does not see plea offers" in body
    assert reverse("negotiations:offer", args=[offer.pk]) not in body
    assert "Prosecution offer sent" not in body
    agreement = services.offer_accept(offer=offer, by=world.user(DC))
    services.agreement_checklist_complete(
        agreement=agreement, by=world.user(DC), items=CHECKLIST_ALL
    )
    for signer in (D, DC, P):
        services.agreement_sign(agreement=agreement, by=world.user(signer))
    services.agreement_submit(agreement=agreement, by=world.user(P))
    body = _case_page(client, world, role)
    assert "Agreement submitted to the court" in body
    assert reverse("negotiations:agreement", args=[agreement.pk]) in body
    assert reverse("negotiations:offer", args=[offer.pk]) not in body
    assert "Plea agreement reached" not in body


def test_agreement_page_shows_the_pdf_digest(client: Client, world: World) -> None:
    agreement = signed_agreement(world)
    client.force_login(world.user(P))
    body = client.get(reverse("negotiations:agreement", args=[agreement.pk])).content.decode()
    assert agreement.pdf_sha256 in body
    assert reverse("negotiations:agreement-pdf", args=[agreement.pk]) in body


def test_pdf_is_the_stored_file_as_an_attachment(client: Client, world: World) -> None:
    agreement = signed_agreement(world)
    client.force_login(world.user(DL))
    response = client.get(reverse("negotiations:agreement-pdf", args=[agreement.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="plea-agreement-{agreement.pk}.pdf"'
    )
    stored = PleaAgreement.objects.get(pk=agreement.pk).pdf
    assert stored is not None
    assert response.content == bytes(stored)
    assert response.content.startswith(b"%PDF")


def test_times_are_shown_in_the_courts_zone(client: Client, world: World) -> None:
    with time_machine.travel(dt.datetime(2026, 7, 1, 16, 30, tzinfo=dt.UTC), tick=False):
        offer = sent_offer(world, expires_at=timezone.now() + dt.timedelta(days=3))
        client.force_login(world.user(DC))
        body = client.get(reverse("negotiations:offer", args=[offer.pk])).content.decode()
    assert "2026-07-01 12:30 EDT" in body  # sent, in New York's summer time
    assert "Jul 4, 12:30 EDT" in body  # expires
