"""People acting on one offer at the same moment, with real threads and real connections.

Each thread has its own database connection and commits its own transaction, so these tests
run in transactional mode (the database is flushed afterwards). A barrier releases the threads
together; each closes its connection when done.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db import connection
from django.utils import timezone

from cases import party_services
from cases.models import Case, CaseStatus, CaseStatusChange
from core.exceptions import Conflict
from negotiations import services
from negotiations.models import (
    Concession,
    Offer,
    OfferStatus,
    OfferTerm,
    PleaAgreement,
    Signature,
)
from parties.models import Role
from tests.conftest import World, make_user
from tests.negotiation_helpers import (
    CHECKLIST_ALL,
    counter_input,
    draft_offer,
    plea_input,
    sent_offer,
)

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 12


def race(calls: Sequence[Callable[[], Any]]) -> list[Any]:
    """Run each call in its own thread, all released at once; return what each returned or
    raised, in the order of `calls`."""
    barrier = threading.Barrier(len(calls), timeout=30)
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[index] = call()
        except BaseException as exc:  # reported to the test, whatever it is
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread is still waiting"
    return results


def in_thread(call: Callable[[], Any]) -> Any:
    """Run `call` on a connection of its own: it reads only what was committed."""
    return race([call])[0]


def defense_team(world: World, extra: int) -> list[User]:
    """Defense counsel and the duty lawyer of the case, and `extra` more defense counsel
    appointed by the court."""
    clerk = world.user(Role.COURT_STAFF)
    team = [world.user(Role.DEFENSE_COUNSEL), world.user(Role.DUTY_LAWYER)]
    for n in range(extra):
        lawyer = make_user(f"counsel{n}", Role.DEFENSE_COUNSEL, world.orgs["pd"])
        lawyer.first_name, lawyer.last_name = "Counsel", f"No. {n}"
        lawyer.save()
        party_services.participant_add(
            case=world.case, by=clerk, role=Role.DEFENSE_COUNSEL, user=lawyer
        )
        team.append(lawyer)
    return team


def counts() -> dict[str, int]:
    return {
        m.__name__: m.objects.count()
        for m in (Offer, OfferTerm, Concession, PleaAgreement, Signature, CaseStatusChange)
    }


def minutes(moment: dt.datetime | None) -> str:
    assert moment is not None
    return moment.isoformat(timespec="minutes")


@pytest.fixture
def tworld(transactional_db: None, world: World) -> World:
    """The world, built in a test whose transactions really commit."""
    return world


def test_many_people_accepting_one_offer_make_one_agreement(tworld: World) -> None:
    world = tworld
    team = defense_team(world, extra=THREADS - 2)
    offer = sent_offer(world)
    before = counts()

    results = race([partial(services.offer_accept, offer=offer, by=by) for by in team])

    agreements = [r for r in results if isinstance(r, PleaAgreement)]
    refusals = [r for r in results if not isinstance(r, PleaAgreement)]
    assert len(agreements) == 1
    assert len(refusals) == THREADS - 1
    # Every loser was told, as a 409, who accepted and when: not an IntegrityError, not a 500.
    assert all(type(r) is Conflict for r in refusals), [type(r) for r in refusals]
    offer.refresh_from_db()
    winner = offer.closed_by
    assert winner is not None
    assert winner == team[results.index(agreements[0])]
    expected = (
        f"This offer has already been accepted by {winner.get_full_name()} at "
        f"{minutes(offer.closed_at)}; nothing more can be done with it."
    )
    assert {(r.code, r.message) for r in refusals} == {("offer_accepted", expected)}

    assert PleaAgreement.objects.get().offer == offer
    assert Offer.objects.filter(status=OfferStatus.ACCEPTED).count() == 1
    # The case's status is the court's record: it moves when the agreement is submitted.
    assert Case.objects.get(pk=world.case.pk).status == CaseStatus.INTAKE
    # Nothing half-written: one agreement more, nothing else.
    assert counts() == {**before, "PleaAgreement": before["PleaAgreement"] + 1}


def test_two_prosecutors_sending_at_once_send_one_offer(tworld: World) -> None:
    world = tworld
    lead = world.user(Role.PROSECUTOR)
    second = make_user("second_prosecutor", Role.PROSECUTOR, world.orgs["da"])
    party_services.participant_add(case=world.case, by=lead, role=Role.PROSECUTOR, user=second)
    drafts = [
        draft_offer(world),
        services.offer_create(
            case=world.case, by=second, data=plea_input(world, custody_min_months=9)
        ),
    ]
    before = counts()

    results = race(
        [
            lambda: services.offer_send(offer=drafts[0], by=lead),
            lambda: services.offer_send(offer=drafts[1], by=second),
        ]
    )

    sent = [r for r in results if isinstance(r, Offer)]
    refusals = [r for r in results if not isinstance(r, Offer)]
    assert len(sent) == 1 and len(refusals) == 1
    assert type(refusals[0]) is Conflict
    assert refusals[0].code == "offer_live"
    assert refusals[0].message == (
        "Round 1 from the prosecution is still awaiting an answer; only one offer may be live "
        "at a time."
    )
    statuses = sorted(
        Offer.objects.filter(pk__in=[d.pk for d in drafts]).values_list("status", flat=True)
    )
    assert statuses == [OfferStatus.DRAFT, OfferStatus.SENT]
    assert counts() == before
    assert Case.objects.get(pk=world.case.pk).status == CaseStatus.INTAKE


def test_accept_and_withdraw_at_once_one_wins_and_the_other_is_told(tworld: World) -> None:
    world = tworld
    prosecutor, counsel = world.user(Role.PROSECUTOR), world.user(Role.DEFENSE_COUNSEL)
    outcomes = set()

    for attempt in range(4):
        offer = sent_offer(world, custody_max_months=12 + attempt)
        accept_result, withdraw_result = race(
            [
                partial(services.offer_accept, offer=offer, by=counsel),
                partial(services.offer_withdraw, offer=offer, by=prosecutor, reason="Changed."),
            ]
        )
        offer.refresh_from_db()
        when = minutes(offer.closed_at)
        if isinstance(accept_result, PleaAgreement):
            outcomes.add("accepted")
            assert offer.status == OfferStatus.ACCEPTED
            assert type(withdraw_result) is Conflict
            assert withdraw_result.message == (
                f"This offer has already been accepted by {counsel.get_full_name()} at {when}; "
                "nothing more can be done with it."
            )
            # Reopen the negotiation for the next attempt.
            services.agreement_withdraw(
                agreement=accept_result, by=world.user(Role.DEFENDANT), reason="Trial."
            )
        else:
            outcomes.add("withdrawn")
            assert offer.status == OfferStatus.WITHDRAWN
            assert isinstance(withdraw_result, Offer)
            assert type(accept_result) is Conflict
            assert accept_result.message == (
                f"This offer has already been withdrawn by {prosecutor.get_full_name()} at "
                f"{when}; nothing more can be done with it."
            )
            assert not PleaAgreement.objects.filter(offer=offer).exists()

    assert outcomes  # at least one attempt decided; which side wins is the scheduler's choice
    assert Offer.objects.filter(status=OfferStatus.SENT).count() == 0


def test_accept_reject_and_counter_at_once_leave_one_answer(tworld: World) -> None:
    world = tworld
    team = defense_team(world, extra=6)
    offer = sent_offer(world)
    calls: list[Callable[[], Any]] = []
    for i, by in enumerate(team):
        if i % 3 == 0:
            calls.append(partial(services.offer_accept, offer=offer, by=by))
        elif i % 3 == 1:
            calls.append(partial(services.offer_reject, offer=offer, by=by, reason="No."))
        else:
            calls.append(
                partial(services.offer_counter, offer=offer, by=by, data=counter_input(world))
            )
    before = counts()

    results = race(calls)

    winners = [r for r in results if not isinstance(r, Exception)]
    losers = [r for r in results if isinstance(r, Exception)]
    assert len(winners) == 1
    assert all(type(r) is Conflict for r in losers), [repr(r) for r in losers]
    conflicts = [r for r in losers if isinstance(r, Conflict)]
    offer.refresh_from_db()
    closer = offer.closed_by
    assert closer is not None
    label = {
        OfferStatus.ACCEPTED: "accepted",
        OfferStatus.REJECTED: "rejected",
        OfferStatus.COUNTERED: "countered",
    }[OfferStatus(offer.status)]
    assert {r.message.split(" at ")[0] for r in conflicts} == {
        f"This offer has already been {label} by {closer.get_full_name()}"
    }
    assert Offer.objects.filter(answers=offer).count() == (
        1 if offer.status == OfferStatus.COUNTERED else 0
    )
    assert PleaAgreement.objects.count() == (1 if offer.status == OfferStatus.ACCEPTED else 0)
    assert Offer.objects.filter(case=world.case, status=OfferStatus.SENT).count() == (
        1 if offer.status == OfferStatus.COUNTERED else 0
    )
    new_offers = 1 if offer.status == OfferStatus.COUNTERED else 0
    assert counts()["Offer"] == before["Offer"] + new_offers


def test_two_signers_of_one_capacity_at_once_record_one_signature(tworld: World) -> None:
    world = tworld
    agreement = services.offer_accept(offer=sent_offer(world), by=world.user(Role.DUTY_LAWYER))
    services.agreement_checklist_complete(
        agreement=agreement,
        by=world.user(Role.DEFENSE_COUNSEL),
        items=CHECKLIST_ALL,
    )

    results = race(
        [
            lambda: services.agreement_sign(agreement=agreement, by=world.user(Role.DUTY_LAWYER)),
            lambda: services.agreement_sign(
                agreement=agreement, by=world.user(Role.DEFENSE_COUNSEL)
            ),
        ]
    )

    assert sum(isinstance(r, Signature) for r in results) == 1
    refusal = next(r for r in results if not isinstance(r, Signature))
    assert type(refusal) is Conflict
    assert refusal.code == "already_signed"
    assert Signature.objects.count() == 1


def test_expiry_found_by_a_refused_acceptance_is_committed(tworld: World) -> None:
    world = tworld
    offer = sent_offer(world, expires_at=timezone.now() + dt.timedelta(hours=1))
    assert offer.expires_at is not None

    with (
        time_machine.travel(offer.expires_at + dt.timedelta(minutes=1)),
        pytest.raises(Conflict, match="expired"),
    ):
        services.offer_accept(offer=offer, by=world.user(Role.DEFENSE_COUNSEL))

    # Read on another connection: the expiry is committed, not only in this session.
    status = in_thread(lambda: Offer.objects.get(pk=offer.pk).status)
    assert status == OfferStatus.EXPIRED
    assert not PleaAgreement.objects.exists()


def test_negotiating_one_case_does_not_wait_for_another_case_of_the_court(
    tworld: World,
) -> None:
    # A move locks its own case, not the court or the jurisdiction every case shares.
    world = tworld
    stranger = world.strangers[Role.PROSECUTOR]
    elsewhere = services.offer_create(
        case=world.other_case, by=stranger, data=services.OfferInput(custody_min_months=60)
    )
    holding = threading.Event()
    release = threading.Event()

    def hold_case_lock() -> None:
        from django.db import transaction

        with transaction.atomic():
            services._lock_case(world.case.pk)
            holding.set()
            release.wait(timeout=30)

    def send_elsewhere() -> Any:
        holding.wait(timeout=30)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '3s'")
        try:
            return services.offer_send(offer=elsewhere, by=stranger)
        finally:
            release.set()

    holder_result, sender_result = race([hold_case_lock, send_elsewhere])

    assert holder_result is None
    assert isinstance(sender_result, Offer), repr(sender_result)
    assert sender_result.status == OfferStatus.SENT
