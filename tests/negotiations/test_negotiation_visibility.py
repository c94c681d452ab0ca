"""Who reads what of the negotiation, at the selector layer.

- The parties (prosecutor, defense counsel, duty lawyer, defendant) read every offer that was
  sent on their case; a draft is read by its own side only.
- The court (judges and court staff) never reads an offer or a suggestion, before or after the
  agreement is submitted (Fed. R. Crim. P. 11(c)(1)); it reads the agreement from its
  submission on.
- People who are not on the case read nothing of it.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from cases import party_services
from cases.models import Case, Jurisdiction
from negotiations import selectors, services
from negotiations.models import Offer, PleaAgreement, Suggestion
from negotiations.services import OfferInput
from parties.models import CaseParticipant, Role
from tests.conftest import ROLES, World
from tests.negotiation_helpers import (
    accepted_agreement,
    counter_input,
    defense_draft,
    draft_offer,
    sent_offer,
    signed_agreement,
    submitted_agreement,
)

ACTORS = [*(str(r) for r in ROLES), *(f"stranger_{r}" for r in ROLES)]
PARTIES = {
    str(r) for r in (Role.PROSECUTOR, Role.DEFENSE_COUNSEL, Role.DUTY_LAWYER, Role.DEFENDANT)
}
DEFENSE = {str(r) for r in (Role.DEFENSE_COUNSEL, Role.DUTY_LAWYER, Role.DEFENDANT)}
COURT = {str(Role.JUDGE), str(Role.COURT_STAFF)}


def person(world: World, actor: str) -> User:
    if actor.startswith("stranger_"):
        return world.strangers[Role(actor.removeprefix("stranger_"))]
    return world.user(actor)


class Negotiation:
    """On world.case: a sent prosecution offer countered by the defense (round 2, live), a
    prosecution draft, a prosecution draft withdrawn unsent, a defense draft, and a suggestion
    from the duty lawyer. On the other case: a stranger prosecutor's sent offer."""

    def __init__(self, world: World) -> None:
        prosecutor = world.user(Role.PROSECUTOR)
        self.first = sent_offer(world)
        self.counter = services.offer_counter(
            offer=self.first, by=world.user(Role.DEFENSE_COUNSEL), data=counter_input(world)
        )
        self.prosecution_draft = draft_offer(world, rationale="Still thinking.")
        self.discarded = draft_offer(world, rationale="Never sent.")
        services.offer_withdraw(offer=self.discarded, by=prosecutor, reason="Not now.")
        self.defense_draft = defense_draft(world, by=world.user(Role.DUTY_LAWYER))
        self.suggestion = services.suggestion_submit(
            case=world.case, by=world.user(Role.DUTY_LAWYER), text="Weigh the work record."
        )
        stranger = world.strangers[Role.PROSECUTOR]
        self.elsewhere = services.offer_send(
            offer=services.offer_create(
                case=world.other_case, by=stranger, data=OfferInput(custody_min_months=60)
            ),
            by=stranger,
        )

    def expected_offers(self, actor: str) -> set[int]:
        sent = {self.first.pk, self.counter.pk}
        if actor == Role.PROSECUTOR:
            return sent | {self.prosecution_draft.pk, self.discarded.pk}
        if actor in DEFENSE:
            return sent | {self.defense_draft.pk}
        if actor == f"stranger_{Role.PROSECUTOR}":
            return {self.elsewhere.pk}
        return set()

    def all_offers(self) -> list[Offer]:
        return [
            self.first,
            self.counter,
            self.prosecution_draft,
            self.discarded,
            self.defense_draft,
            self.elsewhere,
        ]


@pytest.fixture
def negotiation(world: World) -> Negotiation:
    return Negotiation(world)


# --- offers -------------------------------------------------------------------------------------


@pytest.mark.parametrize("actor", ACTORS)
def test_offers_visible_to(world: World, negotiation: Negotiation, actor: str) -> None:
    visible = set(selectors.offers_visible_to(person(world, actor)).values_list("pk", flat=True))

    assert visible == negotiation.expected_offers(actor)


@pytest.mark.parametrize("actor", ACTORS)
def test_offer_get_for_user_answers_404_for_what_is_not_theirs(
    world: World, negotiation: Negotiation, actor: str
) -> None:
    user = person(world, actor)
    expected = negotiation.expected_offers(actor)

    for offer in negotiation.all_offers():
        if offer.pk in expected:
            assert selectors.offer_get_for_user(user, offer.pk).pk == offer.pk
        else:
            with pytest.raises(Http404):
                selectors.offer_get_for_user(user, offer.pk)


@pytest.mark.parametrize("actor", ACTORS)
def test_offers_of_case(world: World, negotiation: Negotiation, actor: str) -> None:
    user = person(world, actor)

    if actor not in PARTIES:
        with pytest.raises(PermissionDenied) as refused:
            selectors.offers_of_case(user, world.case)
        if actor in COURT:
            assert str(refused.value) == (
                "The court does not see plea offers; it sees the agreement once it is submitted."
            )
        return

    offers = selectors.offers_of_case(user, world.case)

    assert {o.pk for o in offers} == negotiation.expected_offers(actor)
    rounds = [o.round_number for o in offers]
    assert rounds == sorted(rounds)


def test_withdrawn_unsent_draft_stays_with_its_side(world: World, negotiation: Negotiation) -> None:
    # Withdrawing a draft does not send it: the other side never learns of it.
    for actor in DEFENSE:
        with pytest.raises(Http404):
            selectors.offer_get_for_user(person(world, actor), negotiation.discarded.pk)
    assert negotiation.discarded.sent_at is None


def test_missing_offer_is_404(world: World) -> None:
    with pytest.raises(Http404):
        selectors.offer_get_for_user(world.user(Role.PROSECUTOR), 987654)


def test_anonymous_and_inactive_people_read_nothing(world: World, negotiation: Negotiation) -> None:
    counsel = world.user(Role.DEFENSE_COUNSEL)
    counsel.is_active = False
    counsel.save()

    for user in (AnonymousUser(), counsel):
        assert not selectors.offers_visible_to(user).exists()
        assert not selectors.suggestions_visible_to(user).exists()
        assert not selectors.agreements_visible_to(user).exists()


def test_counsel_whose_participation_ended_reads_nothing(
    world: World, negotiation: Negotiation
) -> None:
    counsel = world.user(Role.DEFENSE_COUNSEL)
    participant = CaseParticipant.objects.get(case=world.case, user=counsel)
    party_services.participant_end(participant=participant, by=world.user(Role.COURT_STAFF))

    assert not selectors.offers_visible_to(counsel).exists()
    assert not selectors.suggestions_visible_to(counsel).exists()
    with pytest.raises(PermissionDenied):
        selectors.offers_of_case(counsel, world.case)


def test_court_reads_sent_offers_only_under_a_profile_that_lets_it(
    world: World, negotiation: Negotiation
) -> None:
    Jurisdiction.objects.filter(pk=world.court.jurisdiction_id).update(
        court_sees_offers_before_agreement=True
    )
    sent = {negotiation.first.pk, negotiation.counter.pk}

    for role in (Role.JUDGE, Role.COURT_STAFF):
        user = world.user(role)
        visible = selectors.offers_visible_to(user)
        assert set(visible.filter(case=world.case).values_list("pk", flat=True)) == sent
        # The court reads the other case it hears too, and nothing of the other court's cases.
        assert set(visible.values_list("pk", flat=True)) == sent | {negotiation.elsewhere.pk}
        case = Case.objects.get(pk=world.case.pk)
        assert {o.pk for o in selectors.offers_of_case(user, case)} == sent
        # The other court's judge and clerk, in the same jurisdiction, still read nothing here.
        assert not selectors.offers_visible_to(world.strangers[role]).filter(case=world.case)


def test_offers_of_case_reads_in_a_fixed_number_of_queries(
    world: World, django_assert_num_queries: Any
) -> None:
    counsel = world.user(Role.DEFENSE_COUNSEL)
    first = sent_offer(world)
    services.offer_reject(offer=first, by=counsel, reason="No.")
    with CaptureQueriesContext(connection) as one:
        for offer in selectors.offers_of_case(counsel, world.case):
            list(offer.terms.all())
            list(offer.concessions.all())
            _ = (offer.author.username, offer.case.court.jurisdiction.name)

    second = sent_offer(world)
    third = services.offer_counter(offer=second, by=counsel, data=counter_input(world))
    services.offer_reject(offer=third, by=world.user(Role.PROSECUTOR), reason="No.")
    with django_assert_num_queries(len(one.captured_queries)):
        offers = selectors.offers_of_case(counsel, world.case)
        for offer in offers:
            list(offer.terms.all())
            list(offer.concessions.all())
            _ = (offer.author.username, offer.case.court.jurisdiction.name)
    assert len(offers) == 3


# --- suggestions --------------------------------------------------------------------------------


@pytest.mark.parametrize("actor", ACTORS)
def test_suggestions_are_read_by_the_parties_only(
    world: World, negotiation: Negotiation, actor: str
) -> None:
    user = person(world, actor)
    visible = list(selectors.suggestions_visible_to(user))

    if actor in PARTIES:
        assert visible == [negotiation.suggestion]
        assert selectors.suggestion_get_for_user(user, negotiation.suggestion.pk).pk == (
            negotiation.suggestion.pk
        )
    else:
        assert visible == []
        with pytest.raises(Http404):
            selectors.suggestion_get_for_user(user, negotiation.suggestion.pk)


# --- agreements ---------------------------------------------------------------------------------


def withdrawn_before_submission(world: World) -> PleaAgreement:
    agreement = signed_agreement(world)
    return services.agreement_withdraw(
        agreement=agreement, by=world.user(Role.DEFENDANT), reason="I want a trial."
    )


def withdrawn_after_submission(world: World) -> PleaAgreement:
    agreement = submitted_agreement(world)
    return services.agreement_withdraw(
        agreement=agreement, by=world.user(Role.DEFENSE_COUNSEL), reason="Instructions changed."
    )


def reviewed(world: World, accepted: bool) -> PleaAgreement:
    return services.agreement_review(
        agreement=submitted_agreement(world),
        by=world.user(Role.JUDGE),
        accepted=accepted,
        reasons="Decided at the plea hearing.",
    )


# Each stage, and whether the court has had the agreement put before it.
AGREEMENT_STAGES: dict[str, tuple[Any, bool]] = {
    "signing": (accepted_agreement, False),
    "signed": (signed_agreement, False),
    "withdrawn before submission": (withdrawn_before_submission, False),
    "submitted": (submitted_agreement, True),
    "withdrawn after submission": (withdrawn_after_submission, True),
    "court accepted": (lambda w: reviewed(w, True), True),
    "court rejected": (lambda w: reviewed(w, False), True),
}


@pytest.mark.parametrize("stage", list(AGREEMENT_STAGES))
@pytest.mark.parametrize("actor", ACTORS)
def test_agreements_visible_to(world: World, stage: str, actor: str) -> None:
    make, before_the_court = AGREEMENT_STAGES[stage]
    agreement = make(world)
    user = person(world, actor)
    expected = actor in PARTIES or (actor in COURT and before_the_court)

    visible = list(selectors.agreements_visible_to(user))

    assert visible == ([agreement] if expected else [])
    if expected:
        assert selectors.agreement_get_for_user(user, agreement.pk) == agreement
    else:
        with pytest.raises(Http404):
            selectors.agreement_get_for_user(user, agreement.pk)


@pytest.mark.parametrize("stage", list(AGREEMENT_STAGES))
@pytest.mark.parametrize("role", [Role.JUDGE, Role.COURT_STAFF])
def test_court_never_reads_an_offer_or_a_suggestion(world: World, stage: str, role: str) -> None:
    services.suggestion_submit(
        case=world.case, by=world.user(Role.DEFENSE_COUNSEL), text="Consider the work record."
    )
    services.suggestion_respond(
        suggestion=Suggestion.objects.get(), by=world.user(Role.PROSECUTOR), response="Done."
    )
    agreement = AGREEMENT_STAGES[stage][0](world)
    user = world.user(role)

    assert not selectors.offers_visible_to(user).exists()
    assert not selectors.suggestions_visible_to(user).exists()
    with pytest.raises(Http404):
        selectors.offer_get_for_user(user, agreement.offer_id)
    with pytest.raises(PermissionDenied):
        selectors.offers_of_case(user, world.case)


def test_agreement_in_force_ignores_set_aside_agreements(world: World) -> None:
    first = accepted_agreement(world)
    counsel = world.user(Role.DEFENSE_COUNSEL)
    assert selectors.agreement_in_force(counsel, world.case) == first

    services.agreement_withdraw(agreement=first, by=counsel, reason="No.")
    assert selectors.agreement_in_force(counsel, world.case) is None

    second = accepted_agreement(world)
    assert selectors.agreement_in_force(counsel, world.case) == second
    assert selectors.agreement_in_force(world.user(Role.JUDGE), world.case) is None


# --- the timeline -------------------------------------------------------------------------------

AGREEMENT_TITLES = {
    "Agreement submitted to the court",
    "Court accepted the agreement",
    "Court rejected the agreement",
    "Defendant withdrew from the agreement",
}


def titles(world: World, actor: str) -> list[str]:
    return [e.title for e in selectors.negotiation_timeline(person(world, actor), world.case)]


@pytest.mark.parametrize("actor", sorted(PARTIES))
def test_parties_read_the_negotiation_round_by_round(
    world: World, negotiation: Negotiation, actor: str
) -> None:
    entries = selectors.negotiation_timeline(person(world, actor), world.case)

    offer_entries = [e.title for e in entries if e.offer_id is not None]
    assert sorted(offer_entries) == sorted(
        [
            "Round 1: Prosecution offer sent",
            "Round 1: Prosecution offer countered",
            "Round 2: Defense offer sent",
        ]
        + (["Round 3: Prosecution offer withdrawn"] if actor == Role.PROSECUTOR else [])
    )
    assert "Suggestion from the duty lawyer" in [e.title for e in entries]
    assert [e.at for e in entries] == sorted((e.at for e in entries), reverse=True)
    assert {e.offer_id for e in entries if e.offer_id} <= negotiation.expected_offers(actor)


@pytest.mark.parametrize("actor", [*sorted(COURT), *(f"stranger_{r}" for r in ROLES)])
def test_timeline_is_empty_for_the_court_and_strangers_before_submission(
    world: World, negotiation: Negotiation, actor: str
) -> None:
    services.offer_accept(offer=negotiation.counter, by=world.user(Role.PROSECUTOR))

    assert titles(world, actor) == []


@pytest.mark.parametrize("accepted", [True, False])
@pytest.mark.parametrize("role", [Role.JUDGE, Role.COURT_STAFF])
def test_court_timeline_shows_the_agreement_and_no_offer(
    world: World, accepted: bool, role: str
) -> None:
    services.suggestion_submit(
        case=world.case, by=world.user(Role.DUTY_LAWYER), text="Consider the work record."
    )
    services.suggestion_respond(
        suggestion=Suggestion.objects.get(), by=world.user(Role.PROSECUTOR), response="Done."
    )
    agreement = reviewed(world, accepted)

    entries = selectors.negotiation_timeline(world.user(role), world.case)

    verdict = "Court accepted the agreement" if accepted else "Court rejected the agreement"
    assert [e.title for e in entries] == [verdict, "Agreement submitted to the court"]
    assert all(e.offer_id is None and e.agreement_id == agreement.pk for e in entries)
    assert set(titles(world, role)) <= AGREEMENT_TITLES
