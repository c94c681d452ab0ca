"""Every POST of the offer pages, for every role on the case and for strangers; then what bad
input (400), moves the offer's state no longer allows (409), the preview and the profiles get.

A POST that is refused writes nothing: every negotiation row is compared before and after.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.models import CaseStatus
from negotiations import services
from negotiations.models import (
    Concession,
    ConcessionKind,
    Offer,
    OfferStatus,
    OfferTerm,
    PleaAgreement,
    Suggestion,
    TermDisposition,
)
from parties.models import Role
from tests.conftest import ROLES, World
from tests.negotiation_helpers import (
    charge_of,
    cn_case,
    defense_sent,
    draft_offer,
    negotiation_rows,
    sent_offer,
)
from tests.pages_negotiation_helpers import counter_form, court_time, offer_form

P, DC, DL, D, J, CS = ROLES
DONE = 302


@dataclass
class Action:
    """One form of the offer pages: what it acts on (`setup`), where it posts, what it sends,
    how to tell it wrote, and where a success leads."""

    name: str
    setup: Callable[[World], Any]
    url: Callable[[Any, World], str]
    data: Callable[[Any, World], dict[str, Any]]
    wrote: Callable[[Any, World], bool]
    expected: dict[Role, int]
    lands: Callable[[Any, World], str]


def _offer_url(name: str) -> Callable[[Any, World], str]:
    return lambda offer, world: reverse(f"negotiations:{name}", args=[offer.pk])


def _status_is(status: str) -> Callable[[Any, World], bool]:
    return lambda offer, world: Offer.objects.get(pk=offer.pk).status == status


def _review(offer: Any, world: World) -> str:
    return reverse("negotiations:offer", args=[offer.pk])


def _latest_offer(offer: Any, world: World) -> str:
    return reverse(
        "negotiations:offer", args=[Offer.objects.filter(case=world.case).latest("pk").pk]
    )


def _expired_defense_proposal(world: World) -> Offer:
    offer = defense_sent(world, expires_at=timezone.now() + dt.timedelta(minutes=1))
    services.offers_expire_due(now=timezone.now() + dt.timedelta(minutes=2))
    return Offer.objects.get(pk=offer.pk)


def _suggestion(world: World) -> Suggestion:
    return services.suggestion_submit(
        case=world.case, by=world.user(DL), text="Consider diversion: a first offence."
    )


NEGOTIATORS_DO = {P: DONE, DC: DONE, DL: DONE, D: 403, J: 403, CS: 403}
PROSECUTOR_ON_OWN_DRAFT = {P: DONE, DC: 404, DL: 404, D: 404, J: 404, CS: 404}
DEFENSE_ANSWERS = {P: 403, DC: DONE, DL: DONE, D: 403, J: 404, CS: 404}
PROSECUTOR_ON_SENT = {P: DONE, DC: 403, DL: 403, D: 403, J: 404, CS: 404}

ACTIONS = [
    Action(
        "compose",
        lambda w: w.case,
        lambda case, w: reverse("negotiations:offer-new", args=[case.pk]),
        lambda case, w: offer_form(w),
        lambda case, w: Offer.objects.filter(case=case, status=OfferStatus.DRAFT).exists(),
        NEGOTIATORS_DO,
        _latest_offer,
    ),
    Action(
        "edit draft",
        draft_offer,
        _offer_url("offer-edit"),
        lambda offer, w: offer_form(w, custody_max_months="10"),
        lambda offer, w: Offer.objects.get(pk=offer.pk).custody_max_months == 10,
        PROSECUTOR_ON_OWN_DRAFT,
        _review,
    ),
    Action(
        "send",
        draft_offer,
        _offer_url("offer-send"),
        lambda offer, w: {"send-confirm": "on"},
        _status_is(OfferStatus.SENT),
        PROSECUTOR_ON_OWN_DRAFT,
        _review,
    ),
    Action(
        "withdraw",
        sent_offer,
        _offer_url("offer-withdraw"),
        lambda offer, w: {"withdraw-confirm": "on", "withdraw-reason": "New evidence."},
        _status_is(OfferStatus.WITHDRAWN),
        PROSECUTOR_ON_SENT,
        _review,
    ),
    Action(
        "accept",
        sent_offer,
        _offer_url("offer-accept"),
        lambda offer, w: {"accept-confirm": "on"},
        lambda offer, w: PleaAgreement.objects.filter(offer=offer).exists(),
        DEFENSE_ANSWERS,
        lambda offer, w: reverse(
            "negotiations:agreement", args=[PleaAgreement.objects.get(offer=offer).pk]
        ),
    ),
    Action(
        "reject",
        sent_offer,
        _offer_url("offer-reject"),
        lambda offer, w: {"reject-reason": "Custody is too long for a first offence."},
        _status_is(OfferStatus.REJECTED),
        DEFENSE_ANSWERS,
        _review,
    ),
    Action(
        "counter",
        sent_offer,
        _offer_url("offer-counter"),
        lambda offer, w: counter_form(w),
        _status_is(OfferStatus.COUNTERED),
        DEFENSE_ANSWERS,
        _latest_offer,
    ),
    Action(
        "log concession",
        sent_offer,
        _offer_url("concession-log"),
        lambda offer, w: {
            "concession-kind": ConcessionKind.OTHER,
            "concession-description": "No further charges from this investigation.",
        },
        lambda offer, w: Concession.objects.filter(offer=offer, derived=False).exists(),
        PROSECUTOR_ON_SENT,
        lambda offer, w: _review(offer, w) + "#concessions",
    ),
    Action(
        "respond to a proposal",
        _expired_defense_proposal,
        _offer_url("offer-respond"),
        lambda offer, w: {"respond-response": "Considered: the quantity calls for custody."},
        lambda offer, w: Offer.objects.get(pk=offer.pk).response != "",
        PROSECUTOR_ON_SENT,
        _review,
    ),
    Action(
        "suggest",
        lambda w: w.case,
        lambda case, w: reverse("negotiations:suggestion-submit", args=[case.pk]),
        lambda case, w: {"suggest-text": "Consider diversion: a first offence."},
        lambda case, w: Suggestion.objects.filter(case=case).exists(),
        {P: 403, DC: DONE, DL: DONE, D: 403, J: 403, CS: 403},
        lambda case, w: reverse("negotiations:negotiation", args=[case.pk]) + "#suggestions",
    ),
    Action(
        "respond to a suggestion",
        _suggestion,
        lambda s, w: reverse("negotiations:suggestion-respond", args=[s.pk]),
        lambda s, w: {f"s{s.pk}-response": "Considered; diversion is not available here."},
        lambda s, w: Suggestion.objects.get(pk=s.pk).response != "",
        {P: DONE, DC: 403, DL: 403, D: 403, J: 404, CS: 404},
        lambda s, w: reverse("negotiations:negotiation", args=[w.case.pk]) + f"#suggestion-{s.pk}",
    ),
]
ACTION_IDS = [action.name for action in ACTIONS]


@pytest.mark.parametrize("action", ACTIONS, ids=ACTION_IDS)
@pytest.mark.parametrize("role", ROLES)
def test_action_for_each_role_on_the_case(
    client: Client, world: World, role: Role, action: Action
) -> None:
    target = action.setup(world)
    data = action.data(target, world)
    before = negotiation_rows()
    client.force_login(world.user(role))
    response = client.post(action.url(target, world), data)
    assert response.status_code == action.expected[role]
    if response.status_code == DONE:
        assert action.wrote(target, world)
        assert response["Location"] == action.lands(target, world)
    else:
        assert negotiation_rows() == before


@pytest.mark.parametrize("action", ACTIONS, ids=ACTION_IDS)
@pytest.mark.parametrize("role", ROLES)
def test_action_is_missing_for_strangers(
    client: Client, world: World, role: Role, action: Action
) -> None:
    target = action.setup(world)
    data = action.data(target, world)
    before = negotiation_rows()
    client.force_login(world.strangers[role])
    assert client.post(action.url(target, world), data).status_code == 404
    assert negotiation_rows() == before


def test_every_role_is_placed_for_every_action() -> None:
    for action in ACTIONS:
        assert set(action.expected) == set(ROLES), action.name


def test_actions_refuse_get(client: Client, world: World) -> None:
    offer = sent_offer(world)
    client.force_login(world.user(DC))
    for name in ("offer-accept", "offer-reject", "offer-withdraw", "offer-send"):
        assert client.get(reverse(f"negotiations:{name}", args=[offer.pk])).status_code == 405


# --- what was written ----------------------------------------------------------------------------


def test_compose_saves_the_draft_as_entered(client: Client, world: World) -> None:
    expires = dt.datetime(2026, 12, 1, 17, 0)  # 17:00 in New York is 22:00 UTC in December
    client.force_login(world.user(P))
    with time_machine.travel(dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC), tick=False):
        response = client.post(
            reverse("negotiations:offer-new", args=[world.case.pk]),
            offer_form(world, expires_at=expires.strftime("%Y-%m-%dT%H:%M")),
        )
    assert response.status_code == 302
    offer = Offer.objects.get(case=world.case)
    assert offer.status == OfferStatus.DRAFT
    assert offer.author == world.user(P)
    assert offer.expires_at == dt.datetime(2026, 12, 1, 22, 0, tzinfo=dt.UTC)
    assert (offer.custody_min_months, offer.custody_max_months) == (6, 12)
    assert offer.appeal_waiver and not offer.cooperation
    assert (offer.offense_level, offer.criminal_history_category) == (24, "II")
    term = OfferTerm.objects.get(offer=offer)
    assert (term.disposition, term.lesser_statute) == (TermDisposition.LESSER, world.lesser_statute)
    assert set(offer.concessions.values_list("kind", flat=True)) == {
        ConcessionKind.CHARGE_REDUCED,
        ConcessionKind.BELOW_RANGE,
    }


def test_lesser_offence_counts_only_with_its_term(client: Client, world: World) -> None:
    charge = charge_of(world.case)
    client.force_login(world.user(P))
    response = client.post(
        reverse("negotiations:offer-new", args=[world.case.pk]),
        offer_form(world, **{f"term_{charge.pk}": TermDisposition.DISMISS}),
    )
    assert response.status_code == 302
    term = OfferTerm.objects.get(offer__case=world.case)
    assert (term.disposition, term.lesser_statute) == (TermDisposition.DISMISS, None)


def test_counter_sends_the_next_round(client: Client, world: World) -> None:
    offer = sent_offer(world)
    client.force_login(world.user(DL))
    response = client.post(
        reverse("negotiations:offer-counter", args=[offer.pk]), counter_form(world)
    )
    assert response.status_code == 302
    counter = Offer.objects.get(answers=offer)
    assert (counter.status, counter.round_number, counter.side) == (OfferStatus.SENT, 2, "defense")
    assert counter.probation_months == 24
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.COUNTERED


def test_prosecution_counter_records_its_response_to_the_proposal(
    client: Client, world: World
) -> None:
    proposal = defense_sent(world)
    client.force_login(world.user(P))
    page = client.get(reverse("negotiations:offer-counter", args=[proposal.pk])).content.decode()
    assert "Response to the proposal" in page
    response = client.post(
        reverse("negotiations:offer-counter", args=[proposal.pk]),
        offer_form(world, confirm="on", response="Custody is needed; see the new range."),
    )
    assert response.status_code == 302
    assert Offer.objects.get(pk=proposal.pk).response == "Custody is needed; see the new range."
    assert Offer.objects.get(answers=proposal).side == "prosecution"


def test_accept_makes_the_agreement_and_keeps_the_status(client: Client, world: World) -> None:
    offer = sent_offer(world)
    client.force_login(world.user(DC))
    client.post(reverse("negotiations:offer-accept", args=[offer.pk]), {"accept-confirm": "on"})
    agreement = PleaAgreement.objects.get(offer=offer)
    assert agreement.terms["charges"][0]["lesser_citation"] == "21 U.S.C. 844"
    # The court's record moves only when the agreement is submitted (Rule 11(c)(1)).
    world.case.refresh_from_db()
    assert world.case.status == CaseStatus.INTAKE


# --- bad input: 400, the form again with its errors, nothing written ----------------------------


def _refused(client: Client, url: str, data: dict[str, Any], status: int) -> str:
    before = negotiation_rows()
    response = client.post(url, data)
    assert response.status_code == status
    assert negotiation_rows() == before
    return response.content.decode()


def test_accept_without_confirming_is_refused(client: Client, world: World) -> None:
    offer = sent_offer(world)
    client.force_login(world.user(DC))
    body = _refused(client, reverse("negotiations:offer-accept", args=[offer.pk]), {}, 400)
    assert "Tick the box to confirm." in body


def test_reject_without_a_reason_says_so_by_the_field(client: Client, world: World) -> None:
    offer = sent_offer(world)
    client.force_login(world.user(DC))
    body = _refused(client, reverse("negotiations:offer-reject", args=[offer.pk]), {}, 400)
    assert 'id="id_reject-reason_error"' in body
    assert "Say why the offer is rejected." in body


def test_compose_with_a_backwards_range_is_refused_by_the_field(
    client: Client, world: World
) -> None:
    client.force_login(world.user(P))
    body = _refused(
        client,
        reverse("negotiations:offer-new", args=[world.case.pk]),
        offer_form(world, custody_min_months="12", custody_max_months="6"),
        400,
    )
    assert 'id="id_custody_max_months_error"' in body
    assert "The custody range ends before it starts." in body


def test_lesser_term_without_an_offence_is_shown_beside_the_count(
    client: Client, world: World
) -> None:
    charge = charge_of(world.case)
    client.force_login(world.user(P))
    body = _refused(
        client,
        reverse("negotiations:offer-new", args=[world.case.pk]),
        offer_form(world, **{f"lesser_{charge.pk}": ""}),
        400,
    )
    assert (
        f'id="id_term_{charge.pk}_error"><span class="visually-hidden">Error: </span>'
        "Count 1: name the lesser offence from the statute catalogue." in body
    )


def test_defense_proposal_needs_its_reasons(client: Client, world: World) -> None:
    client.force_login(world.user(DC))
    body = _refused(
        client,
        reverse("negotiations:offer-new", args=[world.case.pk]),
        offer_form(world, rationale=""),
        400,
    )
    assert "Give the defense&#x27;s reasons for this proposal." in body


def test_counter_without_confirming_sends_nothing(client: Client, world: World) -> None:
    offer = sent_offer(world)
    client.force_login(world.user(DC))
    body = _refused(
        client,
        reverse("negotiations:offer-counter", args=[offer.pk]),
        counter_form(world, confirm=None),
        400,
    )
    assert "Tick the box to send the counteroffer." in body


def test_counter_asked_only_for_a_preview_sends_nothing(client: Client, world: World) -> None:
    offer = sent_offer(world)
    client.force_login(world.user(DC))
    before = negotiation_rows()
    response = client.post(
        reverse("negotiations:offer-counter", args=[offer.pk]),
        counter_form(world, confirm=None, intent="preview"),
    )
    assert response.status_code == 200
    assert negotiation_rows() == before
    body = response.content.decode()
    assert "Tick the box" not in body
    assert "trial penalty" in body


def test_prosecution_countering_a_proposal_must_answer_it(client: Client, world: World) -> None:
    proposal = defense_sent(world)
    client.force_login(world.user(P))
    body = _refused(
        client,
        reverse("negotiations:offer-counter", args=[proposal.pk]),
        offer_form(world, confirm="on"),
        400,
    )
    assert "Respond in writing to the defense&#x27;s proposal." in body


def test_sending_with_an_expiry_already_past_is_refused(client: Client, world: World) -> None:
    offer = draft_offer(world, expires_at=timezone.now() + dt.timedelta(hours=1))
    client.force_login(world.user(P))
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2)):
        body = _refused(
            client, reverse("negotiations:offer-send", args=[offer.pk]), {"send-confirm": "on"}, 400
        )
    assert "The expiry must be in the future when sent." in body


def test_unknown_numbers_are_refused_before_the_service(client: Client, world: World) -> None:
    client.force_login(world.user(P))
    body = _refused(
        client,
        reverse("negotiations:offer-new", args=[world.case.pk]),
        offer_form(world, custody_max_months="99999999999", fine="1e40"),
        400,
    )
    assert 'id="id_custody_max_months_error"' in body
    assert 'id="id_fine_error"' in body


# --- states that no longer allow the move: 409, said on top of the page ---------------------------


def test_accepting_an_accepted_offer_says_who_accepted_it(client: Client, world: World) -> None:
    offer = sent_offer(world)
    services.offer_accept(offer=offer, by=world.user(DC))
    client.force_login(world.user(DL))
    body = _refused(
        client, reverse("negotiations:offer-accept", args=[offer.pk]), {"accept-confirm": "on"}, 409
    )
    assert 'role="alert">This offer has already been accepted by' in body


def test_accepting_after_the_deadline_is_a_conflict_and_records_the_expiry(
    client: Client, world: World
) -> None:
    offer = sent_offer(world)
    assert offer.expires_at is not None
    client.force_login(world.user(DC))
    with time_machine.travel(offer.expires_at + dt.timedelta(minutes=5)):
        response = client.post(
            reverse("negotiations:offer-accept", args=[offer.pk]), {"accept-confirm": "on"}
        )
    assert response.status_code == 409
    assert "This offer expired at" in response.content.decode()
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.EXPIRED
    assert not PleaAgreement.objects.exists()


def test_sending_while_another_offer_is_live_is_a_conflict(client: Client, world: World) -> None:
    sent_offer(world)
    second = draft_offer(world)
    client.force_login(world.user(P))
    body = _refused(
        client, reverse("negotiations:offer-send", args=[second.pk]), {"send-confirm": "on"}, 409
    )
    assert "still awaiting an answer; only one offer may be live at a time." in body


def test_prosecution_must_answer_a_suggestion_before_sending(client: Client, world: World) -> None:
    services.suggestion_submit(case=world.case, by=world.user(DL), text="Consider diversion.")
    offer = draft_offer(world)
    client.force_login(world.user(P))
    body = _refused(
        client, reverse("negotiations:offer-send", args=[offer.pk]), {"send-confirm": "on"}, 409
    )
    assert "Respond in writing to the defense&#x27;s suggestion" in body


def test_answering_a_suggestion_twice_is_a_conflict(client: Client, world: World) -> None:
    suggestion = _suggestion(world)
    services.suggestion_respond(suggestion=suggestion, by=world.user(P), response="No.")
    client.force_login(world.user(P))
    body = _refused(
        client,
        reverse("negotiations:suggestion-respond", args=[suggestion.pk]),
        {f"s{suggestion.pk}-response": "Again."},
        409,
    )
    assert "already responded to this suggestion" in body


def test_composing_on_a_closed_negotiation_is_a_conflict(client: Client, world: World) -> None:
    from cases import services as case_services

    case_services.case_transition(
        case=world.case, to_status=CaseStatus.DISMISSED, by=world.user(P), reason="Dropped"
    )
    client.force_login(world.user(P))
    page = client.get(reverse("negotiations:offer-new", args=[world.case.pk])).content.decode()
    assert "Plea negotiations are closed on a case that is “Dismissed”." in page
    body = _refused(
        client, reverse("negotiations:offer-new", args=[world.case.pk]), offer_form(world), 409
    )
    assert "Plea negotiations are closed" in body


# --- the preview ----------------------------------------------------------------------------------


def _preview(client: Client, world: World, data: dict[str, Any], case: Any = None) -> Any:
    url = reverse("negotiations:offer-preview", args=[(case or world.case).pk])
    return client.post(url, data, headers={"HX-Request": "true"})


def test_preview_shows_the_concessions_as_they_are_derived(client: Client, world: World) -> None:
    charge = charge_of(world.case)
    client.force_login(world.user(P))
    before = negotiation_rows()
    data = offer_form(
        world,
        custody_min_months=None,
        custody_max_months=None,
        **{f"term_{charge.pk}": "dismiss"},
    )
    response = _preview(client, world, data)
    assert negotiation_rows() == before
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body  # a partial for #offer-preview
    assert "Count 1 (21 U.S.C. 841(a)(1)) dismissed." in body
    assert "Count dismissed" in body
    assert "1 of 1" in body
    assert "Not a number: no custody under the offer" in body


def test_preview_compares_trial_with_the_plea(client: Client, world: World) -> None:
    client.force_login(world.user(P))
    body = _preview(client, world, offer_form(world)).content.decode()
    assert "\u00d7 7.3" in body
    assert "60–71 months" in body  # trial, guideline bounded by the mandatory minimum
    assert "6–12 months" in body  # the recommendation
    assert "Count 1 reduced from 21 U.S.C. 841(a)(1) to 21 U.S.C. 844 (6 severity steps)." in body
    assert "Custody recommended 6 months below the bottom of the applicable range." in body


def test_preview_puts_errors_beside_their_fields(client: Client, world: World) -> None:
    charge = charge_of(world.case)
    client.force_login(world.user(P))
    response = _preview(
        client,
        world,
        offer_form(
            world, custody_min_months="9", custody_max_months="3", **{f"lesser_{charge.pk}": ""}
        ),
    )
    body = response.content.decode()
    assert response.status_code == 200  # a preview is a read; saving answers 400
    assert (
        '<div class="field-slot" id="id_custody_max_months_slot" hx-swap-oob="true">'
        '<p class="field-error" id="id_custody_max_months_error">' in body
    )
    assert f'id="id_term_{charge.pk}_slot" hx-swap-oob="true"><p class="field-error"' in body
    # Slots without an error are emptied, so an error that was fixed disappears.
    assert '<div class="field-slot" id="id_fine_slot" hx-swap-oob="true"></div>' in body
    assert "The preview needs a correction." in body


def test_preview_does_not_wait_for_the_defense_reasons(client: Client, world: World) -> None:
    client.force_login(world.user(DC))
    body = _preview(client, world, offer_form(world, rationale="")).content.decode()
    assert "trial penalty" in body
    assert "a defense proposal records none" in body


@pytest.mark.parametrize("role", [D, J, CS])
def test_preview_is_for_negotiators(client: Client, world: World, role: Role) -> None:
    client.force_login(world.user(role))
    assert _preview(client, world, offer_form(world)).status_code == 403


# --- the CN profile -------------------------------------------------------------------------------


def test_cn_offer_recommends_the_sentence_only(client: Client, world: World) -> None:
    cn = cn_case(world)
    client.force_login(cn.prosecutor)
    response = client.post(
        reverse("negotiations:offer-new", args=[cn.case.pk]),
        {
            # A charge term posted anyway is not a field of this profile's form.
            f"term_{cn.charge.pk}": TermDisposition.DISMISS,
            "custody_min_months": "18",
            "custody_max_months": "24",
            "baseline_months": "36",
            "leniency_stage": "prosecution_review",
            "leniency_circumstances": ["restitution"],
            "rationale": "认罪认罚",
        },
    )
    assert response.status_code == 302
    offer = Offer.objects.get(case=cn.case)
    assert not offer.terms.exists()
    assert (offer.baseline_months, offer.leniency_stage) == (36, "prosecution_review")
    assert offer.leniency_circumstances == ["restitution"]


def test_cn_baseline_without_its_stage_is_refused_by_the_field(
    client: Client, world: World
) -> None:
    cn = cn_case(world)
    client.force_login(cn.prosecutor)
    body = _refused(
        client,
        reverse("negotiations:offer-new", args=[cn.case.pk]),
        {"baseline_months": "36", "rationale": "认罪认罚"},
        400,
    )
    assert 'id="id_leniency_stage_error"' in body


def test_cn_preview_applies_the_leniency_reduction(client: Client, world: World) -> None:
    cn = cn_case(world)
    client.force_login(cn.prosecutor)
    body = _preview(
        client,
        world,
        {"baseline_months": "36", "leniency_stage": "prosecution_review"},
        case=cn.case,
    ).content.decode()
    # A prosecutor of a Chinese procuratorate reads Chinese (its profile's document language).
    assert "基准刑" in body  # baseline sentence
    assert "36" in body
    assert "从宽后" in body  # with leniency
    assert "29–36" in body  # 20% off at prosecution review, rounded up


def test_expiry_is_read_in_the_courts_time_zone(client: Client, world: World) -> None:
    cn = cn_case(world)
    client.force_login(cn.prosecutor)
    with time_machine.travel(dt.datetime(2026, 11, 20, 0, 0, tzinfo=dt.UTC), tick=False):
        client.post(
            reverse("negotiations:offer-new", args=[cn.case.pk]),
            {"expires_at": "2026-11-25T18:00", "rationale": "认罪认罚"},
        )
    offer = Offer.objects.get(case=cn.case)
    assert offer.expires_at == dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)  # 18:00 in Beijing
    assert court_time(offer.expires_at, world) == "2026-11-25T05:00"  # New York, for contrast
