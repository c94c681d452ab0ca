"""Offers at the service layer: every move, legal and illegal, for every role.

The rules are written out below from the issue and the domain, not read from the code:
- only the side that made an offer changes, sends or withdraws it; only the other side
  accepts, rejects or counters it; nothing happens to an offer that has ended;
- the defendant reads the negotiation and acts through counsel; the court and people who are
  not on the case do nothing;
- a refusal leaves every row as it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cases import party_services
from cases import services as case_services
from cases.models import Case, CaseStatus, CaseStatusChange, Disposition
from core.exceptions import Conflict
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
from negotiations.services import OfferInput, TermInput
from parties.models import CaseParticipant, Role, Side
from records import services as record_services
from records.models import Disclosure
from tests import factories
from tests.conftest import ROLES, World
from tests.negotiation_helpers import (
    add_count,
    charge_of,
    cn_case,
    consideration_mandatory,
    counter_input,
    defense_draft,
    defense_input,
    defense_sent,
    draft_offer,
    negotiation_rows,
    plea_input,
    sent_offer,
)

S = OfferStatus
PROSECUTION, DEFENSE = Side.PROSECUTION, Side.DEFENSE
OK, DENIED, CONFLICT, INVALID = "ok", "403", "409", "400"
RAISES: dict[str, type[Exception]] = {
    DENIED: PermissionDenied,
    CONFLICT: Conflict,
    INVALID: ValidationError,
}

# Everyone who might try: each role on the case, and a person of each role who is not on it
# (the stranger judge and clerk sit in another court).
ACTORS = [*(str(r) for r in ROLES), *(f"stranger_{r}" for r in ROLES)]
# The side each person negotiates for on world.case; everyone else does not negotiate there.
NEGOTIATES_FOR = {
    str(Role.PROSECUTOR): PROSECUTION,
    str(Role.DEFENSE_COUNSEL): DEFENSE,
    str(Role.DUTY_LAWYER): DEFENSE,
}
STATES = [S.DRAFT, S.SENT, S.WITHDRAWN, S.EXPIRED, S.REJECTED, S.COUNTERED, S.ACCEPTED]
ACTIONS = ["update", "send", "withdraw", "accept", "reject", "counter", "respond", "log"]

# Moves the author's side makes, and the states in which it may make them. The other side is
# refused (403) whatever the state.
AUTHOR_MOVES: dict[str, set[str]] = {
    "update": {S.DRAFT},
    "send": {S.DRAFT},
    "withdraw": {S.DRAFT, S.SENT},
}
# Moves that answer an offer: only a sent offer can be answered (409 otherwise, whoever asks),
# and only by the other side (403 for the author's side).
ANSWER_MOVES = {"accept", "reject", "counter"}
# The prosecution's written response to a defense proposal that ended without one: one that
# expired (a rejection or a prosecution counter carries its response; a withdrawal or an
# acceptance is owed none).
RESPONDABLE = {S.EXPIRED}
# The prosecutor logs concessions on the prosecution's own open offers.
LOGGABLE = {S.DRAFT, S.SENT}


def expected(action: str, state: str, author_side: str, actor: str) -> str:
    side = NEGOTIATES_FOR.get(actor)
    if side is None:
        return DENIED
    own = side == author_side
    if action in AUTHOR_MOVES:
        if not own:
            return DENIED
        return OK if state in AUTHOR_MOVES[action] else CONFLICT
    if action in ANSWER_MOVES:
        if state != S.SENT:
            return CONFLICT
        return DENIED if own else OK
    if actor != Role.PROSECUTOR:
        return DENIED  # respond and log are the prosecutor's
    if action == "respond":
        if author_side == PROSECUTION:
            return CONFLICT
        return OK if state in RESPONDABLE else CONFLICT
    assert action == "log"
    if author_side == DEFENSE:
        return INVALID
    return OK if state in LOGGABLE else CONFLICT


def person(world: World, actor: str) -> User:
    if actor.startswith("stranger_"):
        return world.strangers[Role(actor.removeprefix("stranger_"))]
    return world.user(actor)


def input_for(world: World, by: User, **overrides: Any) -> OfferInput:
    """A prosecution offer for the prosecution and everyone off the case; a defense proposal
    for defense counsel and the duty lawyer."""
    if by in (world.user(Role.DEFENSE_COUNSEL), world.user(Role.DUTY_LAWYER)):
        return defense_input(world, **overrides)
    return plea_input(world, **overrides)


REVISED = "Revised after the status conference."


def act(world: World, action: str, offer: Offer, by: User) -> Any:
    if action == "update":
        return services.offer_update(
            offer=offer, by=by, data=input_for(world, by, rationale=REVISED, custody_max_months=18)
        )
    if action == "send":
        return services.offer_send(offer=offer, by=by)
    if action == "withdraw":
        return services.offer_withdraw(offer=offer, by=by, reason="Our position has changed.")
    if action == "accept":
        return services.offer_accept(offer=offer, by=by)
    if action == "reject":
        return services.offer_reject(offer=offer, by=by, reason="The custody range is too long.")
    if action == "counter":
        return services.offer_counter(
            offer=offer,
            by=by,
            data=input_for(world, by),
            response="We have weighed the reasons given.",
        )
    if action == "respond":
        return services.offer_respond(
            offer=offer, by=by, response="Considered; our recommendation stands."
        )
    assert action == "log"
    return services.concession_log(
        offer=offer,
        by=by,
        kind=ConcessionKind.OTHER,
        description="No further charges arising from the same events.",
    )


def offer_in_state(world: World, state: str, author_side: str) -> Offer:
    """An offer on world.case made by `author_side` (prosecutor or defense counsel) and brought
    to `state` through the services."""
    prosecutor, counsel = world.user(Role.PROSECUTOR), world.user(Role.DEFENSE_COUNSEL)
    author, other = (prosecutor, counsel) if author_side == PROSECUTION else (counsel, prosecutor)
    offer = services.offer_create(case=world.case, by=author, data=input_for(world, author))
    if state == S.DRAFT:
        return offer
    offer = services.offer_send(offer=offer, by=author)
    if state == S.WITHDRAWN:
        services.offer_withdraw(offer=offer, by=author, reason="Reconsidered.")
    elif state == S.EXPIRED:
        assert offer.expires_at is not None
        assert services.offers_expire_due(now=offer.expires_at + dt.timedelta(seconds=1)) == 1
    elif state == S.REJECTED:
        services.offer_reject(offer=offer, by=other, reason="Not acceptable.")
    elif state == S.COUNTERED:
        services.offer_counter(
            offer=offer, by=other, data=input_for(world, other), response="See our counter."
        )
    elif state == S.ACCEPTED:
        services.offer_accept(offer=offer, by=other)
    offer.refresh_from_db()
    assert offer.status == state
    return offer


MATRIX = [
    (action, state, side, actor)
    for action in ACTIONS
    for state in STATES
    for side in (PROSECUTION, DEFENSE)
    for actor in ACTORS
]
ALLOWED = [m for m in MATRIX if expected(*m) == OK]
REFUSED_GROUPS = sorted(
    {(a, s, side) for (a, s, side, actor) in MATRIX if expected(a, s, side, actor) != OK}
)


def test_the_matrix_covers_every_outcome() -> None:
    # Guards the table itself: each outcome occurs, and every legal move has someone to make it.
    outcomes = {expected(*m) for m in MATRIX}
    assert outcomes == {OK, DENIED, CONFLICT, INVALID}
    assert {a for (a, _s, _side, _actor) in ALLOWED} == set(ACTIONS)


# --- the matrix ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("action", "state", "author_side", "actor"), ALLOWED)
def test_legal_move(world: World, action: str, state: str, author_side: str, actor: str) -> None:
    offer = offer_in_state(world, state, author_side)
    by = person(world, actor)
    offers_before = Offer.objects.count()

    result = act(world, action, offer, by)

    offer.refresh_from_db()
    if action == "update":
        assert (offer.status, offer.rationale, offer.custody_max_months) == (S.DRAFT, REVISED, 18)
    elif action == "send":
        assert offer.status == S.SENT
        assert offer.sent_at is not None
    elif action == "withdraw":
        assert (offer.status, offer.closed_by) == (S.WITHDRAWN, by)
        assert offer.withdrawal_reason == "Our position has changed."
    elif action == "accept":
        assert (offer.status, offer.closed_by) == (S.ACCEPTED, by)
        assert isinstance(result, PleaAgreement)
        assert result.offer_id == offer.pk
    elif action == "reject":
        assert (offer.status, offer.closed_by) == (S.REJECTED, by)
        assert offer.response == "The custody range is too long."
    elif action == "counter":
        assert (offer.status, offer.closed_by) == (S.COUNTERED, by)
        assert Offer.objects.count() == offers_before + 1
        assert (result.status, result.answers_id, result.author) == (S.SENT, offer.pk, by)
    elif action == "respond":
        assert offer.response == "Considered; our recommendation stands."
        assert offer.status == state
    else:
        assert isinstance(result, Concession)
        assert (result.derived, result.logged_by, result.offer_id) == (False, by, offer.pk)


@pytest.mark.parametrize(("action", "state", "author_side"), REFUSED_GROUPS)
def test_illegal_moves_are_refused_and_change_nothing(
    world: World, action: str, state: str, author_side: str
) -> None:
    offer = offer_in_state(world, state, author_side)
    refused = [a for a in ACTORS if expected(action, state, author_side, a) != OK]
    assert refused

    for actor in refused:
        before = negotiation_rows()
        outcome = expected(action, state, author_side, actor)
        with pytest.raises(RAISES[outcome]) as caught:
            act(world, action, offer, person(world, actor))
        assert type(caught.value) is RAISES[outcome], actor
        assert negotiation_rows() == before, actor
        if isinstance(caught.value, ValidationError):
            assert list(caught.value.message_dict) == ["offer"], actor


def test_every_role_is_placed_in_the_matrix() -> None:
    # A role added to the case model must be given a place in the rules above.
    assert {str(r) for r in Role} == {a for a in ACTORS if not a.startswith("stranger_")}


# --- creating an offer --------------------------------------------------------------------------

CREATORS = {str(Role.PROSECUTOR): PROSECUTION, str(Role.DEFENSE_COUNSEL): DEFENSE}
CREATORS[str(Role.DUTY_LAWYER)] = DEFENSE


@pytest.mark.parametrize("actor", ACTORS)
def test_who_may_draft_an_offer(world: World, actor: str) -> None:
    by = person(world, actor)
    before = negotiation_rows()

    if actor not in CREATORS:
        with pytest.raises(PermissionDenied):
            services.offer_create(case=world.case, by=by, data=input_for(world, by))
        assert negotiation_rows() == before
        return

    offer = services.offer_create(case=world.case, by=by, data=input_for(world, by))

    assert (offer.status, offer.side, offer.author) == (S.DRAFT, CREATORS[actor], by)
    assert offer.sent_at is None
    assert offer.round_number == 1
    assert offer.terms.count() == 1


def test_defendant_is_told_to_act_through_counsel(world: World) -> None:
    offer = sent_offer(world)
    defendant = world.user(Role.DEFENDANT)

    with pytest.raises(PermissionDenied, match="their defense counsel or duty lawyer answers them"):
        services.offer_accept(offer=offer, by=defendant)
    with pytest.raises(PermissionDenied, match="their defense counsel or duty lawyer answers them"):
        services.offer_create(case=world.case, by=defendant, data=defense_input(world))


def test_counsel_whose_participation_ended_no_longer_negotiates(world: World) -> None:
    offer = sent_offer(world)
    counsel = world.user(Role.DEFENSE_COUNSEL)
    participant = CaseParticipant.objects.get(case=world.case, user=counsel)
    party_services.participant_end(participant=participant, by=world.user(Role.COURT_STAFF))
    before = negotiation_rows()

    with pytest.raises(PermissionDenied):
        services.offer_accept(offer=offer, by=counsel)

    assert negotiation_rows() == before


@pytest.mark.parametrize(
    "status", [CaseStatus.AGREEMENT, CaseStatus.TRIAL, CaseStatus.DISMISSED, CaseStatus.CLOSED]
)
def test_no_offer_is_drafted_once_negotiations_are_closed(world: World, status: str) -> None:
    closed_on = world.case.opened_on if status == CaseStatus.CLOSED else None
    Case.objects.filter(pk=world.case.pk).update(status=status, closed_on=closed_on)
    before = negotiation_rows()

    with pytest.raises(Conflict) as refused:
        draft_offer(world)

    assert refused.value.code == "negotiation_closed"
    assert negotiation_rows() == before


# --- what a refusal says ------------------------------------------------------------------------


def minutes(moment: dt.datetime | None) -> str:
    assert moment is not None
    return moment.isoformat(timespec="minutes")


def test_accepting_a_withdrawn_offer_says_who_withdrew_it_and_when(world: World) -> None:
    offer = sent_offer(world)
    prosecutor = world.user(Role.PROSECUTOR)
    services.offer_withdraw(offer=offer, by=prosecutor, reason="Lab report came back.")
    offer.refresh_from_db()

    with pytest.raises(Conflict) as refused:
        services.offer_accept(offer=offer, by=world.user(Role.DEFENSE_COUNSEL))

    assert refused.value.code == "offer_withdrawn"
    assert refused.value.message == (
        f"This offer has already been withdrawn by {prosecutor.get_full_name()} at "
        f"{minutes(offer.closed_at)}; nothing more can be done with it."
    )


def test_answering_an_accepted_offer_names_who_accepted_it(world: World) -> None:
    offer = sent_offer(world)
    services.offer_accept(offer=offer, by=world.user(Role.DUTY_LAWYER))
    offer.refresh_from_db()

    with pytest.raises(Conflict) as refused:
        services.offer_reject(offer=offer, by=world.user(Role.DEFENSE_COUNSEL), reason="No.")

    assert f"accepted by {world.user(Role.DUTY_LAWYER).get_full_name()}" in refused.value.message
    assert minutes(offer.closed_at) in refused.value.message


def test_answering_a_countered_offer_says_it_was_countered(world: World) -> None:
    offer = sent_offer(world)
    counsel = world.user(Role.DEFENSE_COUNSEL)
    services.offer_counter(offer=offer, by=counsel, data=counter_input(world))

    with pytest.raises(Conflict, match=f"already been countered by {counsel.get_full_name()}"):
        services.offer_accept(offer=offer, by=world.user(Role.DUTY_LAWYER))


def test_sending_twice_says_it_was_sent(world: World) -> None:
    offer = sent_offer(world)

    with pytest.raises(Conflict, match="already been sent"):
        services.offer_send(offer=offer, by=world.user(Role.PROSECUTOR))


def test_author_answering_its_own_offer_is_told_only_the_other_side_may(world: World) -> None:
    offer = sent_offer(world)

    with pytest.raises(PermissionDenied, match="Only the other side may accept"):
        services.offer_accept(offer=offer, by=world.user(Role.PROSECUTOR))


# --- counters and rounds ------------------------------------------------------------------------


def test_counter_closes_the_offer_and_is_sent_as_the_next_round(world: World) -> None:
    offer = sent_offer(world)
    counsel = world.user(Role.DEFENSE_COUNSEL)

    counter = services.offer_counter(
        offer=offer, by=counsel, data=counter_input(world), response="Probation instead."
    )

    offer.refresh_from_db()
    assert (offer.status, offer.closed_by, offer.response) == (
        S.COUNTERED,
        counsel,
        "Probation instead.",
    )
    assert offer.closed_at is not None
    counter.refresh_from_db()
    assert (counter.status, counter.side, counter.author) == (S.SENT, DEFENSE, counsel)
    assert (counter.round_number, counter.answers_id) == (offer.round_number + 1, offer.pk)
    assert counter.sent_at == offer.closed_at
    assert [t.disposition for t in counter.terms.all()] == [TermDisposition.LESSER]


def test_counter_to_a_counter_is_round_three(world: World) -> None:
    first = sent_offer(world)
    second = services.offer_counter(
        offer=first, by=world.user(Role.DUTY_LAWYER), data=counter_input(world)
    )

    third = services.offer_counter(
        offer=second,
        by=world.user(Role.PROSECUTOR),
        data=plea_input(world, custody_min_months=3),
        response="Probation is too little; we come down to three months.",
    )

    assert [o.round_number for o in (first, second, third)] == [1, 2, 3]
    assert third.answers_id == second.pk
    second.refresh_from_db()
    assert second.response == "Probation is too little; we come down to three months."


def test_prosecution_countering_a_defense_proposal_must_respond_in_writing(world: World) -> None:
    consideration_mandatory(world)
    proposal = defense_sent(world)
    before = negotiation_rows()

    with pytest.raises(ValidationError) as refused:
        services.offer_counter(
            offer=proposal, by=world.user(Role.PROSECUTOR), data=plea_input(world), response=" "
        )

    assert set(refused.value.message_dict) == {"response"}
    assert negotiation_rows() == before


def test_under_the_us_profile_a_counter_to_a_defense_proposal_may_come_without_a_response(
    world: World,
) -> None:
    """No federal rule requires the government to answer a defense proposal in writing (Fed.
    R. Crim. P. 11(c)(1) leaves the discussions to the attorneys)."""
    proposal = defense_sent(world)

    counter = services.offer_counter(
        offer=proposal, by=world.user(Role.PROSECUTOR), data=plea_input(world), response=" "
    )

    assert counter.status == S.SENT
    proposal.refresh_from_db()
    assert proposal.response == ""


def test_defense_countering_needs_no_written_response(world: World) -> None:
    offer = sent_offer(world)

    counter = services.offer_counter(
        offer=offer, by=world.user(Role.DEFENSE_COUNSEL), data=counter_input(world)
    )

    assert counter.status == S.SENT


def test_invalid_counter_leaves_the_offer_live(world: World) -> None:
    offer = sent_offer(world)
    before = negotiation_rows()

    with pytest.raises(ValidationError) as refused:
        services.offer_counter(
            offer=offer,
            by=world.user(Role.DEFENSE_COUNSEL),
            data=counter_input(world, custody_min_months=12, custody_max_months=6, rationale=""),
        )

    assert set(refused.value.message_dict) == {"custody_max_months", "rationale"}
    assert negotiation_rows() == before


def test_counter_expiring_in_the_past_is_refused(world: World) -> None:
    offer = sent_offer(world)
    before = negotiation_rows()

    with pytest.raises(ValidationError) as refused:
        services.offer_counter(
            offer=offer,
            by=world.user(Role.DEFENSE_COUNSEL),
            data=counter_input(world, expires_at=timezone.now() - dt.timedelta(minutes=1)),
        )

    assert set(refused.value.message_dict) == {"expires_at"}
    assert negotiation_rows() == before


def test_reject_needs_a_reason(world: World) -> None:
    offer = sent_offer(world)
    before = negotiation_rows()

    with pytest.raises(ValidationError) as refused:
        services.offer_reject(offer=offer, by=world.user(Role.DEFENSE_COUNSEL), reason="  ")

    assert set(refused.value.message_dict) == {"reason"}
    assert negotiation_rows() == before


def test_draft_rounds_follow_the_sent_rounds(world: World) -> None:
    first = sent_offer(world)
    services.offer_reject(offer=first, by=world.user(Role.DEFENSE_COUNSEL), reason="No.")

    draft = draft_offer(world)
    assert draft.round_number == 2
    sent = services.offer_send(offer=draft, by=world.user(Role.PROSECUTOR))
    assert sent.round_number == 2


# --- one live offer, one accepted offer ---------------------------------------------------------


def test_sending_a_second_offer_while_one_is_live_is_a_conflict(world: World) -> None:
    live = sent_offer(world)
    second = draft_offer(world, custody_min_months=4)
    before = negotiation_rows()

    with pytest.raises(Conflict) as refused:
        services.offer_send(offer=second, by=world.user(Role.PROSECUTOR))

    assert refused.value.code == "offer_live"
    assert refused.value.message == (
        f"Round {live.round_number} from the prosecution is still awaiting an answer; "
        "only one offer may be live at a time."
    )
    assert negotiation_rows() == before


def test_defense_cannot_send_its_own_proposal_while_an_offer_awaits_it(world: World) -> None:
    sent_offer(world)
    proposal = defense_draft(world)
    before = negotiation_rows()

    with pytest.raises(Conflict, match="only one offer may be live"):
        services.offer_send(offer=proposal, by=world.user(Role.DEFENSE_COUNSEL))

    assert negotiation_rows() == before


def test_database_refuses_a_second_live_offer(world: World) -> None:
    live = sent_offer(world)

    with pytest.raises(IntegrityError, match="offer_one_live_per_case"), transaction.atomic():
        Offer.objects.create(
            case=world.case,
            round_number=live.round_number + 1,
            side=DEFENSE,
            author=world.user(Role.DEFENSE_COUNSEL),
            status=S.SENT,
            sent_at=timezone.now(),
        )

    draft = draft_offer(world)
    with pytest.raises(IntegrityError, match="offer_one_live_per_case"), transaction.atomic():
        Offer.objects.filter(pk=draft.pk).update(status=S.SENT, sent_at=timezone.now())

    assert list(Offer.objects.filter(case=world.case, status=S.SENT)) == [live]


def test_database_allows_one_live_offer_in_each_case(world: World) -> None:
    sent_offer(world)

    Offer.objects.create(
        case=world.other_case,
        round_number=1,
        side=PROSECUTION,
        author=world.strangers[Role.PROSECUTOR],
        status=S.SENT,
        sent_at=timezone.now(),
    )

    assert Offer.objects.filter(status=S.SENT).count() == 2


def test_database_refuses_a_second_accepted_offer(world: World) -> None:
    other = draft_offer(world)
    agreement = services.offer_accept(offer=sent_offer(world), by=world.user(Role.DEFENSE_COUNSEL))
    now = timezone.now()

    with pytest.raises(IntegrityError, match="offer_one_accepted_per_case"), transaction.atomic():
        Offer.objects.filter(pk=other.pk).update(status=S.ACCEPTED, sent_at=now, closed_at=now)

    # Once the first agreement is set aside (court rejected or withdrawn) another may follow.
    Offer.objects.filter(pk=agreement.offer_id).update(set_aside_at=now)
    Offer.objects.filter(pk=other.pk).update(status=S.ACCEPTED, sent_at=now, closed_at=now)
    assert Offer.objects.filter(case=world.case, status=S.ACCEPTED).count() == 2


def test_database_refuses_two_answers_to_one_offer(world: World) -> None:
    offer = sent_offer(world)
    services.offer_counter(
        offer=offer, by=world.user(Role.DEFENSE_COUNSEL), data=counter_input(world)
    )

    with pytest.raises(IntegrityError, match="offer_answered_once"), transaction.atomic():
        Offer.objects.create(
            case=world.case,
            round_number=3,
            side=DEFENSE,
            author=world.user(Role.DUTY_LAWYER),
            answers=offer,
            status=S.WITHDRAWN,
            sent_at=timezone.now(),
            closed_at=timezone.now(),
        )


@pytest.mark.parametrize("status", [S.SENT, S.EXPIRED, S.REJECTED, S.COUNTERED, S.ACCEPTED])
def test_database_refuses_an_answered_or_live_offer_that_was_never_sent(
    world: World, status: str
) -> None:
    draft = draft_offer(world)

    with pytest.raises(IntegrityError, match="offer_sent_has_sent_at"), transaction.atomic():
        Offer.objects.filter(pk=draft.pk).update(status=status, closed_at=timezone.now())


def test_withdrawing_a_draft_discards_it_without_sending_it(world: World) -> None:
    prosecutor = world.user(Role.PROSECUTOR)
    draft = draft_offer(world)

    services.offer_withdraw(offer=draft, by=prosecutor, reason="Not yet.")

    draft.refresh_from_db()
    assert (draft.status, draft.sent_at, draft.closed_by) == (S.WITHDRAWN, None, prosecutor)
    assert Case.objects.get(pk=world.case.pk).status == CaseStatus.INTAKE
    assert not CaseStatusChange.objects.exists()
    # A discarded draft is no round: the first offer sent is still round 1.
    assert sent_offer(world).round_number == 1


# --- contents outside the profile and other bad contents ----------------------------------------


def refused_fields(call: Callable[[], Any]) -> dict[str, list[str]]:
    before = negotiation_rows()
    with pytest.raises(ValidationError) as refused:
        call()
    assert negotiation_rows() == before
    return refused.value.message_dict


def test_term_on_a_charge_of_another_case_is_refused(world: World) -> None:
    foreign = charge_of(world.other_case)

    errors = refused_fields(
        lambda: draft_offer(world, terms=[TermInput(foreign.pk, TermDisposition.DISMISS)])
    )

    assert errors == {"terms": [f"Charge {foreign.pk} is not a charge of this case."]}


def test_two_terms_for_one_count_are_refused(world: World) -> None:
    charge = charge_of(world.case)
    terms = [
        TermInput(charge.pk, TermDisposition.DISMISS),
        TermInput(charge.pk, TermDisposition.AS_CHARGED),
    ]

    errors = refused_fields(lambda: draft_offer(world, terms=terms))

    assert errors == {"terms": ["Count 1 has more than one term."]}


def test_term_on_a_disposed_charge_is_refused(world: World) -> None:
    count2 = add_count(world)
    case_services.charge_update(
        charge=count2, by=world.user(Role.PROSECUTOR), disposition=Disposition.DISMISSED
    )

    errors = refused_fields(
        lambda: draft_offer(world, terms=[TermInput(count2.pk, TermDisposition.DISMISS)])
    )

    assert errors == {"terms": ["Count 2 has been disposed of and cannot be negotiated."]}


def test_unknown_disposition_is_refused(world: World) -> None:
    charge = charge_of(world.case)

    errors = refused_fields(lambda: draft_offer(world, terms=[TermInput(charge.pk, "pardon")]))

    assert list(errors) == ["terms"]


@pytest.mark.parametrize("severity", [8, 9])
def test_lesser_offence_must_be_less_severe(world: World, severity: int) -> None:
    # Count 1 is 21 U.S.C. 841(a)(1), severity 8.
    same = factories.StatuteFactory.create(citation="21 U.S.C. 846", severity_rank=severity)
    charge = charge_of(world.case)

    errors = refused_fields(
        lambda: draft_offer(world, terms=[TermInput(charge.pk, TermDisposition.LESSER, same.pk)])
    )

    assert errors == {
        "terms": ["Count 1: 21 U.S.C. 846 is not a lesser offence than 21 U.S.C. 841(a)(1)."]
    }


def test_lesser_offence_must_come_from_the_same_jurisdiction(world: World) -> None:
    charge = charge_of(world.case)
    foreign = world.foreign_statute

    errors = refused_fields(
        lambda: draft_offer(world, terms=[TermInput(charge.pk, TermDisposition.LESSER, foreign.pk)])
    )

    assert errors == {"terms": ["Count 1: 刑法第264条 is not in this jurisdiction's catalogue."]}


def test_lesser_term_must_name_the_offence(world: World) -> None:
    charge = charge_of(world.case)

    errors = refused_fields(
        lambda: draft_offer(world, terms=[TermInput(charge.pk, TermDisposition.LESSER)])
    )

    assert list(errors) == ["terms"]


def test_offence_named_without_the_lesser_term_is_refused(world: World) -> None:
    charge = charge_of(world.case)
    terms = [TermInput(charge.pk, TermDisposition.DISMISS, world.lesser_statute.pk)]

    errors = refused_fields(lambda: draft_offer(world, terms=terms))

    assert list(errors) == ["terms"]


def test_custody_minimum_above_maximum_is_refused(world: World) -> None:
    errors = refused_fields(
        lambda: draft_offer(world, custody_min_months=13, custody_max_months=12)
    )

    assert errors == {"custody_max_months": ["The custody range ends before it starts."]}


@pytest.mark.parametrize("name", ["custody_min_months", "probation_months", "fine", "restitution"])
def test_negative_amounts_are_refused(world: World, name: str) -> None:
    value: Any = Decimal("-1") if name in ("fine", "restitution") else -1
    overrides: dict[str, Any] = {name: value}
    if name == "custody_min_months":
        overrides["custody_max_months"] = 12

    errors = refused_fields(lambda: draft_offer(world, **overrides))

    assert name in errors


def test_guideline_range_needs_level_and_category(world: World) -> None:
    errors = refused_fields(lambda: draft_offer(world, criminal_history_category=""))

    assert list(errors) == ["criminal_history_category"]


@pytest.mark.parametrize("level", [0, 44])
def test_offense_level_outside_the_table_is_refused(world: World, level: int) -> None:
    errors = refused_fields(lambda: draft_offer(world, offense_level=level))

    assert errors == {"offense_level": ["An offense level runs from 1 to 43."]}


def test_baseline_sentence_is_refused_under_the_us_profile(world: World) -> None:
    errors = refused_fields(lambda: draft_offer(world, baseline_months=36))

    assert list(errors) == ["baseline_months"]


def test_leniency_stage_is_refused_under_the_us_profile(world: World) -> None:
    errors = refused_fields(lambda: draft_offer(world, leniency_stage="trial"))

    assert errors == {"leniency_stage": ["This profile has no stages."]}


def test_defense_proposal_needs_its_reasons(world: World) -> None:
    errors = refused_fields(lambda: defense_draft(world, rationale="   "))

    assert list(errors) == ["rationale"]


def cn_input(**overrides: Any) -> OfferInput:
    values: dict[str, Any] = {
        "custody_min_months": 18,
        "custody_max_months": 24,
        "baseline_months": 36,
        "leniency_stage": "prosecution_review",
        "leniency_circumstances": ["restitution"],
        "rationale": "认罪认罚; restitution made.",
    }
    values.update(overrides)
    return OfferInput(**values)


@pytest.mark.parametrize("disposition", [TermDisposition.DISMISS, TermDisposition.LESSER])
def test_charge_terms_are_refused_under_the_cn_profile(world: World, disposition: str) -> None:
    cn = cn_case(world)
    lesser = factories.StatuteFactory.create(
        jurisdiction=cn.case.court.jurisdiction, citation="刑法第275条", severity_rank=1
    )
    term = TermInput(
        cn.charge.pk, disposition, lesser.pk if disposition == TermDisposition.LESSER else None
    )

    errors = refused_fields(
        lambda: services.offer_create(case=cn.case, by=cn.prosecutor, data=cn_input(terms=[term]))
    )

    assert list(errors) == ["terms"]
    assert "only the sentence is negotiable" in errors["terms"][0]


def test_offense_level_is_refused_under_the_cn_profile(world: World) -> None:
    cn = cn_case(world)

    errors = refused_fields(
        lambda: services.offer_create(
            case=cn.case,
            by=cn.prosecutor,
            data=cn_input(offense_level=20, criminal_history_category="I"),
        )
    )

    assert set(errors) == {"offense_level", "criminal_history_category"}


def test_unknown_leniency_stage_and_circumstance_are_refused_under_the_cn_profile(
    world: World,
) -> None:
    cn = cn_case(world)

    errors = refused_fields(
        lambda: services.offer_create(
            case=cn.case,
            by=cn.prosecutor,
            data=cn_input(leniency_stage="appeal", leniency_circumstances=["remorse"]),
        )
    )

    assert set(errors) == {"leniency_stage", "leniency_circumstances"}


def test_sentence_offer_is_made_under_the_cn_profile(world: World) -> None:
    cn = cn_case(world)
    as_charged = TermInput(cn.charge.pk, TermDisposition.AS_CHARGED)

    offer = services.offer_create(case=cn.case, by=cn.prosecutor, data=cn_input(terms=[as_charged]))
    services.offer_send(offer=offer, by=cn.prosecutor)
    # CPL art. 173(2): the procuratorate hears the suspect, who answers the offer.
    agreement = services.offer_accept(offer=offer, by=cn.defendant_user)

    assert agreement.terms["charges"][0]["disposition"] == TermDisposition.AS_CHARGED
    assert not offer.concessions.filter(
        kind__in=[ConcessionKind.COUNT_DISMISSED, ConcessionKind.CHARGE_REDUCED]
    ).exists()


def test_send_checks_the_terms_again(world: World) -> None:
    # A draft written before a count was disposed of cannot go out with a term on that count.
    count2 = add_count(world)
    draft = draft_offer(
        world,
        terms=[
            TermInput(charge_of(world.case).pk, TermDisposition.AS_CHARGED),
            TermInput(count2.pk, TermDisposition.DISMISS),
        ],
    )
    case_services.charge_update(
        charge=count2, by=world.user(Role.PROSECUTOR), disposition=Disposition.DISMISSED
    )
    before = negotiation_rows()

    with pytest.raises(ValidationError) as refused:
        services.offer_send(offer=draft, by=world.user(Role.PROSECUTOR))

    assert list(refused.value.message_dict) == ["terms"]
    assert negotiation_rows() == before


# --- expiry -------------------------------------------------------------------------------------


def test_expiry_in_the_past_is_refused_at_send(world: World) -> None:
    draft = draft_offer(world, expires_at=timezone.now() + dt.timedelta(hours=1))
    before = negotiation_rows()

    with (
        time_machine.travel(timezone.now() + dt.timedelta(hours=2)),
        pytest.raises(ValidationError) as refused,
    ):
        services.offer_send(offer=draft, by=world.user(Role.PROSECUTOR))

    assert list(refused.value.message_dict) == ["expires_at"]
    assert negotiation_rows() == before


def test_offer_past_its_expiry_cannot_be_accepted_and_is_recorded_as_expired(
    world: World,
) -> None:
    offer = sent_offer(world, expires_at=timezone.now() + dt.timedelta(days=1))
    assert offer.expires_at is not None

    with (
        time_machine.travel(offer.expires_at + dt.timedelta(minutes=5)),
        pytest.raises(Conflict) as refused,
    ):
        services.offer_accept(offer=offer, by=world.user(Role.DEFENSE_COUNSEL))

    assert refused.value.code == "offer_expired"
    assert refused.value.message == (
        f"This offer expired at {minutes(offer.expires_at)}; nothing can be done with it."
    )
    offer.refresh_from_db()
    assert (offer.status, offer.closed_at, offer.closed_by) == (S.EXPIRED, offer.expires_at, None)
    assert not PleaAgreement.objects.exists()
    assert Case.objects.get(pk=world.case.pk).status == CaseStatus.INTAKE


@pytest.mark.parametrize("action", ["reject", "counter", "withdraw"])
def test_offer_past_its_expiry_cannot_be_answered_or_withdrawn(world: World, action: str) -> None:
    offer = sent_offer(world, expires_at=timezone.now() + dt.timedelta(days=1))
    assert offer.expires_at is not None
    by = world.user(Role.PROSECUTOR if action == "withdraw" else Role.DEFENSE_COUNSEL)

    with (
        time_machine.travel(offer.expires_at + dt.timedelta(minutes=5)),
        pytest.raises(Conflict, match="expired"),
    ):
        act(world, action, offer, by)

    offer.refresh_from_db()
    assert offer.status == S.EXPIRED
    assert Offer.objects.count() == 1


def test_offer_expiring_before_the_next_send_frees_the_case(world: World) -> None:
    offer = sent_offer(world, expires_at=timezone.now() + dt.timedelta(days=1))
    assert offer.expires_at is not None
    second = draft_offer(world, expires_at=timezone.now() + dt.timedelta(days=10))

    with time_machine.travel(offer.expires_at + dt.timedelta(minutes=5)):
        services.offer_send(offer=second, by=world.user(Role.PROSECUTOR))

    offer.refresh_from_db()
    second.refresh_from_db()
    assert (offer.status, second.status) == (S.EXPIRED, S.SENT)


def test_expire_due_expires_exactly_the_due_offers_and_is_idempotent(world: World) -> None:
    now = timezone.now()
    due = sent_offer(world, expires_at=now + dt.timedelta(hours=1))
    stranger = world.strangers[Role.PROSECUTOR]
    later = services.offer_send(
        offer=services.offer_create(
            case=world.other_case,
            by=stranger,
            data=OfferInput(custody_min_months=60, expires_at=now + dt.timedelta(hours=3)),
        ),
        by=stranger,
    )
    cn = cn_case(world)
    no_expiry = services.offer_send(
        offer=services.offer_create(case=cn.case, by=cn.prosecutor, data=cn_input()),
        by=cn.prosecutor,
    )
    stale_draft = draft_offer(world, expires_at=now - dt.timedelta(hours=1))

    def statuses() -> list[str]:
        return [Offer.objects.get(pk=o.pk).status for o in (due, later, no_expiry, stale_draft)]

    at = now + dt.timedelta(hours=2)
    assert services.offers_expire_due(now=at) == 1
    assert statuses() == [S.EXPIRED, S.SENT, S.SENT, S.DRAFT]
    assert services.offers_expire_due(now=at) == 0
    assert statuses() == [S.EXPIRED, S.SENT, S.SENT, S.DRAFT]

    due.refresh_from_db()
    assert (due.closed_at, due.closed_by) == (due.expires_at, None)

    assert services.offers_expire_due(now=now + dt.timedelta(hours=3)) == 1
    assert statuses() == [S.EXPIRED, S.EXPIRED, S.SENT, S.DRAFT]


def test_expire_due_at_the_exact_expiry_moment(world: World) -> None:
    offer = sent_offer(world)
    assert offer.expires_at is not None

    assert services.offers_expire_due(now=offer.expires_at - dt.timedelta(microseconds=1)) == 0
    assert services.offers_expire_due(now=offer.expires_at) == 1


# --- mandatory consideration of defense suggestions and proposals -------------------------------
# Under a profile that makes it mandatory (`written_consideration_mandatory`: cn-reform).


def test_prosecution_cannot_send_before_answering_a_suggestion(world: World) -> None:
    consideration_mandatory(world)
    suggestion = services.suggestion_submit(
        case=world.case, by=world.user(Role.DUTY_LAWYER), text="Consider diversion: first offence."
    )
    draft = draft_offer(world)
    before = negotiation_rows()

    with pytest.raises(Conflict) as refused:
        services.offer_send(offer=draft, by=world.user(Role.PROSECUTOR))

    assert refused.value.code == "suggestion_unanswered"
    assert "Respond in writing to the defense's suggestion" in refused.value.message
    assert negotiation_rows() == before

    services.suggestion_respond(
        suggestion=suggestion,
        by=world.user(Role.PROSECUTOR),
        response="Diversion is closed to distribution charges; see the reduced count instead.",
    )
    assert services.offer_send(offer=draft, by=world.user(Role.PROSECUTOR)).status == S.SENT


def test_prosecution_cannot_counter_before_answering_a_suggestion(world: World) -> None:
    consideration_mandatory(world)
    proposal = defense_sent(world)
    services.suggestion_submit(
        case=world.case, by=world.user(Role.DEFENSE_COUNSEL), text="Weigh the client's work record."
    )
    before = negotiation_rows()

    with pytest.raises(Conflict, match="suggestion"):
        services.offer_counter(
            offer=proposal,
            by=world.user(Role.PROSECUTOR),
            data=plea_input(world),
            response="Our counter.",
        )

    assert negotiation_rows() == before


def test_defense_may_send_while_its_own_suggestion_is_unanswered(world: World) -> None:
    services.suggestion_submit(
        case=world.case, by=world.user(Role.DEFENSE_COUNSEL), text="Weigh the client's work record."
    )

    assert defense_sent(world).status == S.SENT


def test_expired_defense_proposal_must_be_answered_before_the_next_offer(world: World) -> None:
    consideration_mandatory(world)
    proposal = defense_sent(world)
    assert proposal.expires_at is not None
    services.offers_expire_due(now=proposal.expires_at)
    draft = draft_offer(world, expires_at=None)
    before = negotiation_rows()

    with pytest.raises(Conflict) as refused:
        services.offer_send(offer=draft, by=world.user(Role.PROSECUTOR))

    assert refused.value.code == "proposal_unanswered"
    assert refused.value.message == (
        "Respond in writing to the defense's proposal of round 1 before sending another offer."
    )
    assert negotiation_rows() == before

    services.offer_respond(
        offer=proposal, by=world.user(Role.PROSECUTOR), response="Probation alone is too little."
    )
    assert services.offer_send(offer=draft, by=world.user(Role.PROSECUTOR)).status == S.SENT


def test_rejected_defense_proposal_carries_its_response(world: World) -> None:
    proposal = defense_sent(world)
    services.offer_reject(
        offer=proposal, by=world.user(Role.PROSECUTOR), reason="Probation alone is too little."
    )

    assert sent_offer(world).status == S.SENT


def test_withdrawn_defense_proposal_needs_no_response(world: World) -> None:
    proposal = defense_sent(world)
    services.offer_withdraw(offer=proposal, by=world.user(Role.DUTY_LAWYER))

    assert sent_offer(world).status == S.SENT


def test_accepted_defense_proposal_set_aside_does_not_block_the_next_offer(world: World) -> None:
    # The prosecution accepted the defense's proposal: that is its answer. When the agreement
    # falls away (here the defendant withdraws) the prosecution may offer again at once.
    proposal = defense_sent(world)
    agreement = services.offer_accept(offer=proposal, by=world.user(Role.PROSECUTOR))
    services.agreement_withdraw(
        agreement=agreement, by=world.user(Role.DEFENDANT), reason="I want a trial."
    )

    assert sent_offer(world).status == S.SENT


def _expired_unanswered(world: World) -> Offer:
    proposal = defense_sent(world)
    Offer.objects.filter(pk=proposal.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert services.offers_expire_due() == 1
    proposal.refresh_from_db()
    return proposal


def test_written_response_is_given_once(world: World) -> None:
    proposal = _expired_unanswered(world)
    services.offer_respond(offer=proposal, by=world.user(Role.PROSECUTOR), response="Noted.")
    before = negotiation_rows()

    with pytest.raises(Conflict, match="already has a written response"):
        services.offer_respond(offer=proposal, by=world.user(Role.PROSECUTOR), response="Again.")

    assert negotiation_rows() == before


def test_written_response_must_say_something(world: World) -> None:
    proposal = _expired_unanswered(world)

    errors = refused_fields(
        lambda: services.offer_respond(offer=proposal, by=world.user(Role.PROSECUTOR), response="")
    )

    assert list(errors) == ["response"]


# --- suggestions --------------------------------------------------------------------------------

SUGGESTION_AUTHORS = {str(Role.DEFENSE_COUNSEL), str(Role.DUTY_LAWYER)}


@pytest.mark.parametrize("actor", ACTORS)
def test_who_may_submit_a_suggestion(world: World, actor: str) -> None:
    by = person(world, actor)
    before = negotiation_rows()

    if actor not in SUGGESTION_AUTHORS:
        with pytest.raises(PermissionDenied):
            services.suggestion_submit(case=world.case, by=by, text="Consider diversion.")
        assert negotiation_rows() == before
        return

    suggestion = services.suggestion_submit(case=world.case, by=by, text=" Consider diversion. ")

    assert (suggestion.author, suggestion.author_role, suggestion.text) == (
        by,
        actor,
        "Consider diversion.",
    )
    assert suggestion.response == ""


@pytest.mark.parametrize("actor", ACTORS)
def test_who_may_respond_to_a_suggestion(world: World, actor: str) -> None:
    suggestion = services.suggestion_submit(
        case=world.case, by=world.user(Role.DUTY_LAWYER), text="Consider diversion."
    )
    by = person(world, actor)
    before = negotiation_rows()

    if actor != Role.PROSECUTOR:
        with pytest.raises(PermissionDenied):
            services.suggestion_respond(suggestion=suggestion, by=by, response="Considered.")
        assert negotiation_rows() == before
        return

    answered = services.suggestion_respond(suggestion=suggestion, by=by, response="Considered.")

    assert (answered.response, answered.responded_by) == ("Considered.", by)
    assert answered.responded_at is not None


def test_suggestion_is_answered_once_and_the_second_answer_names_the_first(world: World) -> None:
    suggestion = services.suggestion_submit(
        case=world.case, by=world.user(Role.DUTY_LAWYER), text="Consider diversion."
    )
    prosecutor = world.user(Role.PROSECUTOR)
    services.suggestion_respond(suggestion=suggestion, by=prosecutor, response="Considered.")
    before = negotiation_rows()

    with pytest.raises(Conflict) as refused:
        services.suggestion_respond(suggestion=suggestion, by=prosecutor, response="Again.")

    assert (
        refused.value.message
        == f"{prosecutor.get_full_name()} already responded to this suggestion."
    )
    assert negotiation_rows() == before


def test_suggestion_and_response_must_say_something(world: World) -> None:
    errors = refused_fields(
        lambda: services.suggestion_submit(
            case=world.case, by=world.user(Role.DUTY_LAWYER), text="  "
        )
    )
    assert list(errors) == ["text"]

    suggestion = services.suggestion_submit(
        case=world.case, by=world.user(Role.DUTY_LAWYER), text="Consider diversion."
    )
    errors = refused_fields(
        lambda: services.suggestion_respond(
            suggestion=suggestion, by=world.user(Role.PROSECUTOR), response=" "
        )
    )
    assert list(errors) == ["response"]


def test_suggestion_about_an_offer_of_another_case_is_refused(world: World) -> None:
    stranger = world.strangers[Role.PROSECUTOR]
    elsewhere = services.offer_create(
        case=world.other_case, by=stranger, data=OfferInput(custody_min_months=60)
    )

    errors = refused_fields(
        lambda: services.suggestion_submit(
            case=world.case, by=world.user(Role.DUTY_LAWYER), text="See this.", offer=elsewhere
        )
    )

    assert list(errors) == ["offer"]


def test_no_suggestion_once_negotiations_are_closed(world: World) -> None:
    services.offer_accept(offer=sent_offer(world), by=world.user(Role.DEFENSE_COUNSEL))
    before = negotiation_rows()

    with pytest.raises(Conflict):
        services.suggestion_submit(
            case=world.case, by=world.user(Role.DUTY_LAWYER), text="Consider diversion."
        )

    assert negotiation_rows() == before


# --- concessions --------------------------------------------------------------------------------


def concessions(offer: Offer, derived: bool = True) -> list[tuple[str, int | None, int | None]]:
    return [
        (
            c.kind,
            c.charge.count_number if c.charge else None,
            c.severity_reduction or c.months_below,
        )
        for c in offer.concessions.filter(derived=derived).select_related("charge")
    ]


def test_concessions_are_derived_from_the_terms(world: World) -> None:
    count2 = add_count(world)
    count3 = add_count(world)
    draft = draft_offer(
        world,
        terms=[
            TermInput(charge_of(world.case).pk, TermDisposition.LESSER, world.lesser_statute.pk),
            TermInput(count2.pk, TermDisposition.DISMISS),
            TermInput(count3.pk, TermDisposition.AS_CHARGED),
        ],
        no_enhancement=True,
        offense_level=None,
        criminal_history_category="",
        custody_min_months=36,
        custody_max_months=48,
    )

    # Count 1: 841(a)(1) (severity 8) to 844 (severity 2) is six steps down. Count 3 stays as
    # charged under 841(a)(1): its 60-month mandatory minimum is the bottom of the range, and
    # 36 months is 24 below it.
    assert concessions(draft) == [
        (ConcessionKind.CHARGE_REDUCED, 1, 6),
        (ConcessionKind.COUNT_DISMISSED, 2, None),
        (ConcessionKind.BELOW_RANGE, None, 24),
        (ConcessionKind.ENHANCEMENT_WITHDRAWN, None, None),
    ]
    reduced = draft.concessions.get(kind=ConcessionKind.CHARGE_REDUCED)
    assert reduced.description == (
        "Count 1 reduced from 21 U.S.C. 841(a)(1) to 21 U.S.C. 844 (6 severity steps)."
    )


def test_no_concession_for_a_recommendation_inside_the_range(world: World) -> None:
    draft = draft_offer(
        world,
        terms=[],
        offense_level=None,
        criminal_history_category="",
        custody_min_months=60,
        custody_max_months=72,
        appeal_waiver=False,
    )

    assert concessions(draft) == []


def test_concessions_are_recomputed_when_a_draft_changes(world: World) -> None:
    prosecutor = world.user(Role.PROSECUTOR)
    draft = draft_offer(world, no_enhancement=True)
    logged = services.concession_log(
        offer=draft, by=prosecutor, kind=ConcessionKind.OTHER, description="No further charges."
    )
    assert ConcessionKind.CHARGE_REDUCED in [k for k, _c, _n in concessions(draft)]

    services.offer_update(
        offer=draft,
        by=prosecutor,
        data=plea_input(
            world,
            terms=[TermInput(charge_of(world.case).pk, TermDisposition.DISMISS)],
            no_enhancement=False,
        ),
    )

    assert concessions(draft) == [(ConcessionKind.COUNT_DISMISSED, 1, None)]
    # What the prosecutor logged by hand is kept.
    assert list(draft.concessions.filter(derived=False)) == [logged]


def test_defense_proposals_record_no_concessions(world: World) -> None:
    proposal = defense_sent(world, no_enhancement=True)

    assert not proposal.concessions.exists()


def test_logged_concession_is_refused_on_an_unknown_kind_or_without_a_description(
    world: World,
) -> None:
    draft = draft_offer(world)

    errors = refused_fields(
        lambda: services.concession_log(
            offer=draft, by=world.user(Role.PROSECUTOR), kind="favour", description=""
        )
    )

    assert set(errors) == {"kind", "description"}


# --- what an offer records when it is sent ------------------------------------------------------


def disclose(world: World, on: dt.date, what: str, case: Case | None = None) -> Disclosure:
    case = case or world.case
    prosecutor = (
        world.user(Role.PROSECUTOR) if case == world.case else world.strangers[Role.PROSECUTOR]
    )
    return record_services.disclosure_add(
        case=case, by=prosecutor, disclosed_on=on, description=what
    )


def discovery_of(offer: Offer) -> tuple[int, dt.date | None, list[int]]:
    offer.refresh_from_db()
    return (
        offer.discovery_items_disclosed,
        offer.discovery_last_disclosed_on,
        offer.discovery_disclosure_ids,
    )


def test_discovery_disclosed_is_recorded_at_send(world: World) -> None:
    draft = draft_offer(world)
    assert discovery_of(draft) == (0, None, [])
    lab = disclose(world, dt.date(2026, 2, 3), "Lab report on exhibit 4")
    # Recorded later, dated earlier: the latest date counts, not the latest entry.
    footage = disclose(world, dt.date(2026, 1, 20), "Body-camera footage")
    disclose(world, dt.date(2026, 2, 5), "Witness list", case=world.other_case)
    tomorrow = case_services.court_today(world.court) + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        disclose(world, tomorrow, "Forensic accounting (not yet given)")
    assert set(refused.value.message_dict) == {"disclosed_on"}

    services.offer_send(offer=draft, by=world.user(Role.PROSECUTOR))

    assert discovery_of(draft) == (2, dt.date(2026, 2, 3), [lab.pk, footage.pk])
    # What the defense had when the offer was sent stays as it was.
    disclose(world, dt.date(2026, 2, 10), "Supplemental lab report")
    assert discovery_of(draft) == (2, dt.date(2026, 2, 3), [lab.pk, footage.pk])


def test_counter_records_the_discovery_disclosed(world: World) -> None:
    offer = sent_offer(world)
    footage = disclose(world, dt.date(2026, 1, 20), "Body-camera footage")
    lab = disclose(world, dt.date(2026, 3, 1), "Lab report on exhibit 4")

    counter = services.offer_counter(
        offer=offer, by=world.user(Role.DEFENSE_COUNSEL), data=counter_input(world)
    )

    assert discovery_of(counter) == (2, dt.date(2026, 3, 1), [footage.pk, lab.pk])
    # The offer answered was sent before either disclosure.
    assert discovery_of(offer) == (0, None, [])


# --- the case follows the negotiation -----------------------------------------------------------


def status_history() -> list[tuple[str, str, str]]:
    return list(
        CaseStatusChange.objects.order_by("pk").values_list(
            "from_status", "to_status", "changed_by__username"
        )
    )


def test_sending_an_offer_moves_nothing_the_court_reads(world: World) -> None:
    """Fed. R. Crim. P. 11(c)(1): the court takes no part in plea discussions, so nothing it
    reads (the case's status and its history) moves for an offer."""
    draft = draft_offer(world)

    services.offer_send(offer=draft, by=world.user(Role.PROSECUTOR))

    assert Case.objects.get(pk=world.case.pk).status == CaseStatus.INTAKE
    assert status_history() == []


def test_a_defense_proposal_sent_first_moves_nothing_either(world: World) -> None:
    defense_sent(world)

    assert status_history() == []


def test_later_rounds_do_not_move_the_case(world: World) -> None:
    offer = sent_offer(world)
    services.offer_counter(
        offer=offer, by=world.user(Role.DEFENSE_COUNSEL), data=counter_input(world)
    )

    assert status_history() == []


def test_a_case_the_parties_moved_to_negotiating_stays_there(world: World) -> None:
    case_services.case_transition(
        case=world.case, to_status=CaseStatus.NEGOTIATING, by=world.user(Role.PROSECUTOR)
    )

    services.offer_accept(offer=sent_offer(world), by=world.user(Role.DUTY_LAWYER))

    assert Case.objects.get(pk=world.case.pk).status == CaseStatus.NEGOTIATING
    assert status_history() == [(CaseStatus.INTAKE, CaseStatus.NEGOTIATING, "prosecutor")]


def test_acceptance_makes_the_agreement_without_moving_the_case(world: World) -> None:
    offer = sent_offer(world)

    agreement = services.offer_accept(offer=offer, by=world.user(Role.DUTY_LAWYER))

    # The case moves to "agreement" when the agreement is submitted to the court.
    assert Case.objects.get(pk=world.case.pk).status == CaseStatus.INTAKE
    assert status_history() == []
    assert PleaAgreement.objects.get() == agreement
    assert OfferTerm.objects.filter(offer=offer).count() == 1
    assert Suggestion.objects.count() == 0
