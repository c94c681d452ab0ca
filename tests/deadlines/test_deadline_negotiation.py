"""The negotiation's own deadlines: an offer's expiry and the written response owed to a defense
suggestion follow their offer or suggestion (deadlines.services.offer_expiry_sync and
suggestion_response_sync, called by the negotiation services), are seen only by those who read
offers, and are never changed by hand.

The clock is frozen at Tuesday 2026-11-24 10:00 in New York (15:00 UTC).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from cases.models import Jurisdiction
from core.exceptions import Conflict
from deadlines import selectors, services
from deadlines.models import (
    Alert,
    AlertSubject,
    Deadline,
    DeadlineChangeKind,
    DeadlineKind,
    DeadlineStatus,
)
from negotiations import services as negotiation_services
from negotiations.models import OfferStatus
from parties.models import Role, Side
from tests.conftest import ROLES, World
from tests.deadline_helpers import (
    US_SUGGESTION_7,
    clerk,
    ensure_seeded_rules,
    judge,
    manual_deadline,
)
from tests.negotiation_helpers import cn_case, counter_input, defense_sent, sent_offer

D = dt.date
NOW = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)
EXPIRES = dt.datetime(2026, 12, 1, 22, 0, tzinfo=dt.UTC)  # 17:00 in New York, Tuesday 1 Dec
OFFER_READERS = {Role.PROSECUTOR, Role.DEFENSE_COUNSEL, Role.DUTY_LAWYER, Role.DEFENDANT}


@pytest.fixture(autouse=True)
def seeded_rules(db: Any) -> None:
    ensure_seeded_rules()


@pytest.fixture(autouse=True)
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def expiry_of(offer: Any) -> Deadline:
    return Deadline.objects.get(offer=offer)


def history(deadline: Deadline) -> list[tuple[str, str]]:
    return [(c.kind, c.reason) for c in deadline.changes.order_by("changed_at", "pk")]


# --- offer expiry -------------------------------------------------------------------------


def test_sending_an_offer_with_an_expiry_sets_a_deadline_for_the_other_side(world: World) -> None:
    offer = sent_offer(world, expires_at=EXPIRES)
    d = expiry_of(offer)
    assert (d.kind, d.status, d.due_at, d.due_date, d.responsible_side, d.case_id) == (
        DeadlineKind.OFFER_EXPIRY,
        DeadlineStatus.OPEN,
        EXPIRES,
        D(2026, 12, 1),
        Side.DEFENSE,
        world.case.pk,
    )
    assert d.title == f"Prosecution offer (round {offer.round_number}) expires"
    assert d.created_by == world.user(Role.PROSECUTOR)
    assert selectors.deadline_moment(d) == EXPIRES
    assert history(d) == [(DeadlineChangeKind.CREATED, "")]


def test_an_offer_without_an_expiry_sets_no_deadline(world: World) -> None:
    offer = sent_offer(world, expires_at=None)
    assert not Deadline.objects.filter(offer=offer).exists()


def test_a_draft_sets_no_deadline(world: World) -> None:
    from tests.negotiation_helpers import draft_offer

    draft = draft_offer(world, expires_at=EXPIRES)
    assert not Deadline.objects.filter(offer=draft).exists()
    negotiation_services.offer_withdraw(offer=draft, by=world.user(Role.PROSECUTOR))
    assert not Deadline.objects.exists()


def test_accepting_the_offer_meets_its_deadline(world: World) -> None:
    offer = sent_offer(world, expires_at=EXPIRES)
    negotiation_services.offer_accept(offer=offer, by=world.user(Role.DEFENSE_COUNSEL))
    d = expiry_of(offer)
    assert (d.status, d.closed_at, d.closed_by) == (
        DeadlineStatus.MET,
        NOW,
        world.user(Role.DEFENSE_COUNSEL),
    )
    assert history(d)[-1] == (DeadlineChangeKind.MET, "Offer accepted")


def test_rejecting_the_offer_meets_its_deadline(world: World) -> None:
    offer = sent_offer(world, expires_at=EXPIRES)
    negotiation_services.offer_reject(
        offer=offer, by=world.user(Role.DUTY_LAWYER), reason="Too long a sentence."
    )
    d = expiry_of(offer)
    assert (d.status, d.closed_by) == (DeadlineStatus.MET, world.user(Role.DUTY_LAWYER))
    assert history(d)[-1] == (DeadlineChangeKind.MET, "Offer rejected")


def test_a_counter_meets_the_first_deadline_and_sets_one_for_the_counter(world: World) -> None:
    offer = sent_offer(world, expires_at=EXPIRES)
    later = EXPIRES + dt.timedelta(days=3)
    counter = negotiation_services.offer_counter(
        offer=offer,
        by=world.user(Role.DEFENSE_COUNSEL),
        data=counter_input(world, expires_at=later),
    )
    first, second = expiry_of(offer), expiry_of(counter)
    assert first.status == DeadlineStatus.MET
    assert history(first)[-1] == (DeadlineChangeKind.MET, "Offer countered")
    assert (second.status, second.responsible_side, second.due_at) == (
        DeadlineStatus.OPEN,
        Side.PROSECUTION,
        later,
    )
    assert second.title == f"Defense offer (round {counter.round_number}) expires"


def test_withdrawing_the_offer_cancels_its_deadline(world: World) -> None:
    offer = sent_offer(world, expires_at=EXPIRES)
    negotiation_services.offer_withdraw(
        offer=offer, by=world.user(Role.PROSECUTOR), reason="New evidence."
    )
    d = expiry_of(offer)
    assert (d.status, d.closed_by) == (DeadlineStatus.CANCELLED, world.user(Role.PROSECUTOR))
    assert history(d)[-1] == (DeadlineChangeKind.CANCELLED, "Offer withdrawn")


def test_an_expired_offer_cancels_its_deadline_and_tells_both_sides_once(
    world: World, frozen: time_machine.Traveller
) -> None:
    offer = sent_offer(world, expires_at=EXPIRES)
    frozen.move_to(EXPIRES + dt.timedelta(seconds=1))
    assert negotiation_services.offers_expire_due() == 1
    offer.refresh_from_db()
    assert offer.status == OfferStatus.EXPIRED
    d = expiry_of(offer)
    assert (d.status, d.closed_at, d.closed_by) == (DeadlineStatus.CANCELLED, EXPIRES, None)
    assert history(d) == [
        (DeadlineChangeKind.CREATED, ""),
        (DeadlineChangeKind.CANCELLED, "Offer expired"),
    ]
    told = set(
        Alert.objects.filter(subject=AlertSubject.OFFER_EXPIRED).values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"prosecutor", "defense", "duty", "defendant"}
    alerts = Alert.objects.filter(subject=AlertSubject.OFFER_EXPIRED).count()
    assert negotiation_services.offers_expire_due() == 0
    assert Alert.objects.filter(subject=AlertSubject.OFFER_EXPIRED).count() == alerts
    # An offer that expires is not a missed deadline: nothing escalates.
    assert services.deadlines_mark_missed() == 0
    assert not Alert.objects.filter(subject=AlertSubject.ESCALATION).exists()


def test_an_expiry_found_by_an_answer_cancels_the_deadline_too(
    world: World, frozen: time_machine.Traveller
) -> None:
    offer = sent_offer(world, expires_at=EXPIRES)
    frozen.move_to(EXPIRES + dt.timedelta(minutes=5))
    with pytest.raises(Conflict):
        negotiation_services.offer_accept(offer=offer, by=world.user(Role.DEFENSE_COUNSEL))
    d = expiry_of(offer)
    assert d.status == DeadlineStatus.CANCELLED
    assert history(d)[-1] == (DeadlineChangeKind.CANCELLED, "Offer expired")


def test_the_sweep_never_marks_an_offer_expiry_missed(
    world: World, frozen: time_machine.Traveller
) -> None:
    offer = sent_offer(world, expires_at=EXPIRES)
    assert services.deadlines_mark_missed(now=EXPIRES + dt.timedelta(days=2)) == 0
    assert expiry_of(offer).status == DeadlineStatus.OPEN


# --- who sees them ----------------------------------------------------------------------------


def test_only_offer_readers_see_an_offer_expiry(world: World) -> None:
    offer = sent_offer(world, expires_at=EXPIRES)
    d = expiry_of(offer)
    court_date = manual_deadline(world)
    for role in ROLES:
        user = world.users[role]
        visible = set(selectors.deadlines_visible_to(user).values_list("pk", flat=True))
        of_case = [x.pk for x in selectors.deadlines_of_case(user, world.case)]
        upcoming = [i.deadline.pk for i in selectors.upcoming_for(user, days=30) if i.deadline]
        if role in OFFER_READERS:
            assert visible == {d.pk, court_date.pk}
            assert of_case == [d.pk, court_date.pk]
            assert upcoming == [d.pk, court_date.pk]
        else:  # the judge and the clerk stay out of the negotiation (Fed. R. Crim. P. 11(c)(1))
            assert visible == {court_date.pk}
            assert of_case == [court_date.pk]
            assert upcoming == [court_date.pk]
    for role in ROLES:
        assert d.pk not in selectors.deadlines_visible_to(world.strangers[role]).values_list(
            "pk", flat=True
        )


def test_negotiation_dates_are_sent_to_offer_readers_only(world: World) -> None:
    everyone = {u.username for u in selectors.date_recipients(world.case, negotiation=False)}
    readers = {u.username for u in selectors.date_recipients(world.case, negotiation=True)}
    assert everyone == {"prosecutor", "defense", "duty", "defendant", "judge"}
    assert readers == {"prosecutor", "defense", "duty", "defendant"}


def test_where_the_court_reads_offers_it_sees_the_expiry_but_cannot_edit_it(
    world: World,
) -> None:
    Jurisdiction.objects.filter(code="us-fed").update(court_sees_offers_before_agreement=True)
    offer = sent_offer(world, expires_at=EXPIRES)
    d = expiry_of(offer)
    assert d.pk in selectors.deadlines_visible_to(clerk(world)).values_list("pk", flat=True)
    calls = [
        lambda: services.deadline_update(deadline=d, by=clerk(world), title="Mine"),
        lambda: services.deadline_cancel(deadline=d, by=clerk(world), reason="No."),
        lambda: services.deadline_complete(deadline=d, by=judge(world)),
        lambda: services.deadline_reopen(deadline=d, by=clerk(world), reason="No."),
    ]
    for call in calls:
        with pytest.raises(Conflict) as exc:
            call()
        assert exc.value.code == "deadline_follows_negotiation"
    assert expiry_of(offer).status == DeadlineStatus.OPEN


def test_the_court_may_not_touch_a_negotiation_date_it_does_not_see(world: World) -> None:
    offer = sent_offer(world, expires_at=EXPIRES)
    d = expiry_of(offer)
    with pytest.raises(PermissionDenied):
        services.deadline_cancel(deadline=d, by=clerk(world), reason="No.")
    with pytest.raises(PermissionDenied):
        services.deadline_complete(deadline=d, by=judge(world))


def test_counsel_cannot_mark_an_offer_expiry_met_by_hand(world: World) -> None:
    offer = sent_offer(world, expires_at=EXPIRES)
    with pytest.raises(Conflict) as exc:
        services.deadline_complete(deadline=expiry_of(offer), by=world.user(Role.DEFENSE_COUNSEL))
    assert exc.value.code == "deadline_follows_negotiation"


# --- the response owed to a defense suggestion ---------------------------------------------


def test_a_suggestion_sets_the_prosecutions_response_deadline(world: World) -> None:
    suggestion = negotiation_services.suggestion_submit(
        case=world.case, by=world.user(Role.DEFENSE_COUNSEL), text="Consider diversion."
    )
    d = Deadline.objects.get(suggestion=suggestion)
    assert (
        d.kind,
        d.status,
        d.trigger_date,
        d.computed_date,
        d.due_date,
        d.responsible_side,
        d.rule.code if d.rule else "",
    ) == (
        DeadlineKind.SUGGESTION_RESPONSE_DUE,
        DeadlineStatus.OPEN,
        D(2026, 11, 24),
        D(2026, 12, 1),
        D(2026, 12, 1),
        Side.PROSECUTION,
        US_SUGGESTION_7,
    )
    assert d.title == "Written response to the defense suggestion of 2026-11-24"
    assert d.citation.startswith("Office practice:")
    negotiation_services.suggestion_respond(
        suggestion=suggestion, by=world.user(Role.PROSECUTOR), response="Not eligible."
    )
    d.refresh_from_db()
    assert (d.status, d.closed_by) == (DeadlineStatus.MET, world.user(Role.PROSECUTOR))


def test_a_suggestion_late_in_the_evening_counts_from_the_court_day(
    world: World, frozen: time_machine.Traveller
) -> None:
    # 23:30 in New York on Wednesday 25 November is already the 26th in UTC.
    frozen.move_to(dt.datetime(2026, 11, 26, 4, 30, tzinfo=dt.UTC))
    suggestion = negotiation_services.suggestion_submit(
        case=world.case, by=world.user(Role.DUTY_LAWYER), text="Reduce to possession."
    )
    d = Deadline.objects.get(suggestion=suggestion)
    assert (d.trigger_date, d.due_date) == (D(2026, 11, 25), D(2026, 12, 2))


def test_an_unanswered_suggestion_is_missed_and_escalated(
    world: World, frozen: time_machine.Traveller
) -> None:
    suggestion = negotiation_services.suggestion_submit(
        case=world.case, by=world.user(Role.DEFENSE_COUNSEL), text="Consider diversion."
    )
    frozen.move_to(dt.datetime(2026, 12, 2, 5, 0, 1, tzinfo=dt.UTC))
    assert services.deadlines_mark_missed() == 1
    d = Deadline.objects.get(suggestion=suggestion)
    assert d.status == DeadlineStatus.MISSED
    assert Alert.objects.filter(deadline=d, subject=AlertSubject.ESCALATION).exists()


def test_the_prosecutor_answers_rather_than_marks_the_response_met(world: World) -> None:
    suggestion = negotiation_services.suggestion_submit(
        case=world.case, by=world.user(Role.DEFENSE_COUNSEL), text="Consider diversion."
    )
    d = Deadline.objects.get(suggestion=suggestion)
    with pytest.raises(Conflict):
        services.deadline_complete(deadline=d, by=world.user(Role.PROSECUTOR))
    with pytest.raises(PermissionDenied):  # the court does not see it
        services.deadline_complete(deadline=d, by=clerk(world))


def test_no_response_deadline_where_the_jurisdiction_has_no_rule(world: World) -> None:
    cn = cn_case(world)
    suggestion = negotiation_services.suggestion_submit(
        case=cn.case, by=cn.duty_lawyer, text="建议适用缓刑。"
    )
    assert not Deadline.objects.filter(suggestion=suggestion).exists()


def test_a_defense_proposal_expiry_binds_the_prosecution(world: World) -> None:
    offer = defense_sent(world, expires_at=EXPIRES)
    d = expiry_of(offer)
    assert (d.responsible_side, d.title) == (
        Side.PROSECUTION,
        f"Defense offer (round {offer.round_number}) expires",
    )
