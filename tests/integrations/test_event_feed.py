"""The event log and the change feed, /api/v1/events/.

Each change other systems follow is recorded by its service, in its transaction; the feed
serves each reader only the events of what they may see (offers: the parties only), oldest
first, and a cursor never passes an event that commits later."""

from __future__ import annotations

import datetime as dt
from typing import Any

import psycopg
import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from cases import services as case_services
from cases.models import CaseStatus, Disposition
from deadlines import services as date_services
from integrations.models import Event, EventType
from integrations.selectors import OWN, SETTLED, events_visible_to
from negotiations import services as negotiation_services
from parties.models import Role
from tests import deadline_helpers as dh
from tests.conftest import World, api_as
from tests.integration_helpers import bearer, court_client
from tests.negotiation_helpers import (
    charge_of,
    sent_offer,
    signed_agreement,
    submitted_agreement,
)

ROLES = list(Role)

# The paths of integrations.api, for tests/test_api_auth.py.
INTEGRATION_PATHS = {
    "/api/v1/events/",
    "/api/v1/api-clients/",
    "/api/v1/api-clients/{id}/",
    "/api/v1/api-clients/{id}/tokens/",
    "/api/v1/api-clients/{id}/tokens/{token_id}/revoke/",
}


def _types(**filters: Any) -> list[str]:
    return list(Event.objects.filter(**filters).order_by("id").values_list("type", flat=True))


def _feed(api: Any, **params: Any) -> dict[str, Any]:
    response = api.get("/api/v1/events/", params)
    assert response.status_code == 200, response.content
    return response.json()


# --- what is recorded ------------------------------------------------------------------------


def test_opening_and_changing_a_case(world: World) -> None:
    assert _types(case=world.case, subject_type="case") == ["case.created"]
    clerk = world.user(Role.COURT_STAFF)
    case_services.case_update(case=world.case, by=clerk, caption="United States v. Doe et al.")
    # Saving without a change is not an event.
    case_services.case_update(case=world.case, by=clerk, caption="United States v. Doe et al.")
    case_services.case_transition(case=world.case, to_status=CaseStatus.NEGOTIATING, by=clerk)
    assert _types(case=world.case, subject_type="case") == [
        "case.created",
        "case.updated",
        "case.updated",
    ]


def test_a_charge_disposed_by_hand(world: World) -> None:
    charge = charge_of(world.case)
    case_services.charge_update(
        charge=charge, by=world.user(Role.COURT_STAFF), description="Amended wording"
    )
    assert _types(type=EventType.CHARGE_DISPOSED) == []
    case_services.charge_update(
        charge=charge, by=world.user(Role.COURT_STAFF), disposition=Disposition.DISMISSED
    )
    event = Event.objects.get(type=EventType.CHARGE_DISPOSED)
    assert (event.subject_type, event.subject_id, event.case_id) == (
        "charge",
        charge.pk,
        world.case.pk,
    )


def test_the_negotiation_from_offer_to_review(world: World) -> None:
    agreement = submitted_agreement(world)
    negotiation_services.agreement_review(
        agreement=agreement, by=world.user(Role.JUDGE), accepted=True, reasons="Voluntary."
    )
    types = _types(case=world.case)
    for expected in (
        "offer.sent",
        "offer.accepted",
        "agreement.submitted",
        "agreement.reviewed",
        "charge.disposed",
    ):
        assert expected in types
    offer_events = Event.objects.filter(type__startswith="offer.")
    assert {e.audience for e in offer_events} == {"parties"}


@pytest.mark.parametrize("submitted", [True, False])
@pytest.mark.parametrize("role", ROLES)
def test_a_withdrawn_agreement_reaches_the_court_only_if_it_was_before_it(
    world: World, submitted: bool, role: Role
) -> None:
    agreement = submitted_agreement(world) if submitted else signed_agreement(world)
    negotiation_services.agreement_withdraw(
        agreement=agreement, by=world.user(Role.DEFENSE_COUNSEL), reason="Changed my mind."
    )
    event = Event.objects.get(type=EventType.AGREEMENT_WITHDRAWN)
    assert (event.subject_type, event.subject_id) == ("agreement", agreement.pk)
    assert event.audience == ("case" if submitted else "negotiation")
    types = {item["type"] for item in _feed(api_as(world.user(role)))["results"]}
    reads = submitted or role in PARTY_ROLES
    assert ("agreement.withdrawn" in types) == reads
    assert "agreement.withdrawn" not in {
        item["type"] for item in _feed(api_as(world.strangers[role]))["results"]
    }


def test_offers_rejected_and_expired(world: World) -> None:
    offer = sent_offer(world)
    negotiation_services.offer_reject(offer=offer, by=world.user(Role.DEFENSE_COUNSEL), reason="No")
    later = sent_offer(world, expires_at=timezone.now() + dt.timedelta(hours=1))
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2)):
        assert negotiation_services.offers_expire_due() == 1
    assert _types(type__in=["offer.rejected", "offer.expired"]) == [
        "offer.rejected",
        "offer.expired",
    ]
    assert Event.objects.get(type="offer.expired").subject_id == later.pk


def test_hearings_and_deadlines(world: World) -> None:
    hearing = dh.hearing(world)
    date_services.hearing_reschedule(
        hearing=hearing,
        by=dh.clerk(world),
        starts_at=dh.at(2026, 12, 16, 9),
        ends_at=dh.at(2026, 12, 16, 10),
        reason="Counsel ill",
    )
    date_services.hearing_cancel(hearing=hearing, by=dh.clerk(world), reason="Plea withdrawn")
    assert _types(subject_type="hearing") == [
        "hearing.scheduled",
        "hearing.rescheduled",
        "hearing.cancelled",
    ]
    deadline = dh.manual_deadline(world)
    created = Event.objects.get(type="deadline.created", subject_id=deadline.pk)
    assert created.audience == "case"
    with time_machine.travel(timezone.now() + dt.timedelta(days=400)):
        date_services.deadlines_mark_missed()
    assert Event.objects.filter(type="deadline.missed", subject_id=deadline.pk).exists()


def test_an_offers_expiry_deadline_is_the_negotiations(world: World) -> None:
    sent_offer(world)
    event = Event.objects.get(type="deadline.created")
    assert event.audience == "negotiation"


def test_a_failed_write_records_nothing(world: World) -> None:
    before = Event.objects.count()
    with pytest.raises(Exception):  # noqa: B017 (whatever the service raises)
        case_services.case_update(case=world.case, by=world.user(Role.DEFENDANT), caption="x")
    assert Event.objects.count() == before


# --- who reads what --------------------------------------------------------------------------


@pytest.fixture
def negotiated(world: World) -> World:
    """world.case with an offer sent and rejected, and a hearing; the other case a hearing."""
    offer = sent_offer(world)
    negotiation_services.offer_reject(offer=offer, by=world.user(Role.DEFENSE_COUNSEL), reason="No")
    dh.hearing(world)
    dh.hearing(world, case=world.other_case, starts_at=dh.at(2026, 12, 17, 9))
    return world


PARTY_ROLES = {Role.PROSECUTOR, Role.DEFENSE_COUNSEL, Role.DUTY_LAWYER, Role.DEFENDANT}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reads_the_events_of_what_it_sees(negotiated: World, role: Role) -> None:
    world = negotiated
    items = _feed(api_as(world.user(role)))["results"]
    cases = {item["case"] for item in items}
    types = {item["type"] for item in items}
    # The court sees every case of its court; a party sees its own case.
    expected_cases = (
        {world.case.pk, world.other_case.pk}
        if role in (Role.JUDGE, Role.COURT_STAFF)
        else {world.case.pk}
    )
    assert cases == expected_cases
    assert "hearing.scheduled" in types
    has_offers = {"offer.sent", "offer.rejected"} <= types
    assert has_offers == (role in PARTY_ROLES)
    assert world.foreign_case.pk not in cases


@pytest.mark.parametrize("role", ROLES)
def test_strangers_read_nothing_of_the_case(negotiated: World, role: Role) -> None:
    world = negotiated
    items = _feed(api_as(world.strangers[role]))["results"]
    assert world.case.pk not in {item["case"] for item in items}


def test_the_court_never_hears_of_offers_even_where_it_reads_them(negotiated: World) -> None:
    world = negotiated
    world.court.jurisdiction.court_sees_offers_before_agreement = True
    world.court.jurisdiction.save()
    for role in (Role.JUDGE, Role.COURT_STAFF):
        types = {item["type"] for item in _feed(api_as(world.user(role)))["results"]}
        assert not any(t.startswith("offer.") for t in types)
        # ... but it does read the negotiation's deadlines there.
        assert "deadline.created" in types


def test_a_court_clients_feed(negotiated: World) -> None:
    world = negotiated
    _client, key = court_client(world)
    items = _feed(bearer(key))["results"]
    assert {item["case"] for item in items} == {world.case.pk, world.other_case.pk}
    assert not any(item["type"].startswith("offer.") for item in items)
    item = items[0]
    assert set(item) == {"id", "type", "occurred_at", "subject", "subject_id", "case", "link"}
    assert item["link"].startswith("http://testserver/api/v1/")
    followed = bearer(key).get(item["link"])
    assert followed.status_code == 200


def test_anonymous_is_401(api: Any) -> None:
    assert api.get("/api/v1/events/").status_code == 401


# --- paging ----------------------------------------------------------------------------------


def test_paging_with_the_cursor_reads_every_event_once(negotiated: World) -> None:
    api = api_as(negotiated.user(Role.PROSECUTOR))
    everything = [item["id"] for item in _feed(api, limit=500)["results"]]
    assert len(everything) >= 5
    seen: list[int] = []
    after = None
    while True:
        page = _feed(api, limit=2, **({"after": after} if after else {}))
        seen += [item["id"] for item in page["results"]]
        after = page["next_after"]
        if not page["has_more"]:
            break
    assert seen == everything
    # Nothing new: the same cursor back, no results.
    last = _feed(api, after=after)
    assert last["results"] == [] and last["next_after"] == after and last["has_more"] is False


def test_filters_and_now(negotiated: World) -> None:
    world = negotiated
    api = api_as(world.user(Role.COURT_STAFF))
    only = _feed(api, type=["hearing.scheduled"], case=world.other_case.pk)["results"]
    assert [(i["type"], i["case"]) for i in only] == [("hearing.scheduled", world.other_case.pk)]
    assert _feed(api, after="now")["results"] == []


@pytest.mark.parametrize(
    "params",
    [
        {"after": "abc"},
        {"after": "1.x"},
        {"limit": 0},
        {"limit": 501},
        {"type": "nope"},
        {"case": "x"},
    ],
)
def test_bad_parameters_are_400_per_field(world: World, params: dict[str, Any]) -> None:
    response = api_as(world.user(Role.COURT_STAFF)).get("/api/v1/events/", params)
    assert response.status_code == 400
    assert set(response.json()) & set(params)


@pytest.mark.parametrize("role", [Role.PROSECUTOR, Role.COURT_STAFF])
def test_the_feed_is_two_queries_whatever_its_length(
    negotiated: World, role: str, django_assert_num_queries: Any
) -> None:
    """The reader's courts (which decide how the page is found), then the page."""
    api = api_as(negotiated.user(role))
    with django_assert_num_queries(2):
        _feed(api)


def _settled() -> int:
    with connection.cursor() as cursor:
        # The test runs inside a long transaction (the shared world's), and PostgreSQL keeps what
        # pg_stat_activity showed first for the rest of a transaction: read it afresh. (A stale
        # copy only makes the horizon earlier: it never lets a cursor pass a running writer.)
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(f"SELECT {SETTLED.sql}")
        return int(cursor.fetchone()[0])


def _connect(dbname: str | None = None) -> psycopg.Connection[Any]:
    params = {k: v for k, v in connection.get_connection_params().items() if k != "cursor_factory"}
    if dbname is not None:
        params["dbname"] = dbname
    return psycopg.connect(**params)


def _xid(conn: psycopg.Connection[Any]) -> int:
    return int(conn.execute("SELECT pg_current_xact_id()::text").fetchone()[0])  # type: ignore[index]


def test_the_horizon_waits_for_this_databases_transactions_only(world: World) -> None:
    """Transaction ids are shared by every database of a PostgreSQL cluster. A transaction still
    open in this database holds the feed's horizon back; one open in another database does not
    (a long report or a backup of another application must not stop the feed)."""
    elsewhere, here, later = _connect("postgres"), _connect(), _connect()
    try:
        far = _xid(elsewhere)
        _xid(later)
        later.commit()  # a transaction that began after `far` has ended
        assert _settled() > far
        near = _xid(here)
        _xid(later)
        later.commit()
        assert _settled() == near
        here.rollback()
        assert _settled() > near
    finally:
        for conn in (elsewhere, here, later):
            conn.close()


@pytest.mark.django_db(transaction=True)
def test_a_cursor_never_passes_an_event_still_being_written(world: World) -> None:
    """An event of a transaction still open (here on a second connection) is not served, and
    nothing after it either, until that transaction ends; then the cursor picks it up."""
    clerk = world.user(Role.COURT_STAFF)
    api = api_as(clerk)
    start = _feed(api, limit=500)
    assert len(start["results"]) == events_visible_to(clerk).count()
    start = start["next_after"]
    other = _connect()
    try:
        other.execute(
            "INSERT INTO integrations_event (type, court_id, case_id, subject_type, subject_id, "
            "audience, occurred_at) VALUES ('case.updated', %s, %s, 'case', %s, 'case', now())",
            [world.court.pk, world.case.pk, world.case.pk],
        )
        # Meanwhile a later transaction commits an event of its own.
        case_services.case_update(case=world.case, by=world.user(Role.COURT_STAFF), caption="Z")
        page = _feed(api, after=start)
        assert page["results"] == [] and page["next_after"] == start
        other.commit()
    finally:
        other.close()
    page = _feed(api, after=start)
    assert [item["type"] for item in page["results"]] == ["case.updated", "case.updated"]
    dh.ensure_seeded_rules()


class _Undo(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_events_after_a_rolled_back_savepoint_still_leave_at_commit(world: World) -> None:
    """The fan-out is registered with the transaction's first event. When the savepoint of that
    first event rolls back, the events written after it are still handed over at commit, not left
    to the sweep."""
    from django.db import transaction

    from webhooks.subscribers import _FanOut

    with transaction.atomic():
        try:
            with transaction.atomic():
                case_services.case_update(case=world.case, by=dh.clerk(world), caption="Undone")
                raise _Undo
        except _Undo:
            pass
        case_services.case_update(case=world.case, by=dh.clerk(world), caption="Kept")
        kept = Event.objects.filter(txid=OWN).values_list("pk", flat=True)
        assert len(kept) == 1
        fan_outs = [
            e[1] for e in transaction.get_connection().run_on_commit if isinstance(e[1], _FanOut)
        ]
        assert [fan_out.event_ids for fan_out in fan_outs] == [list(kept)]


def test_a_transactions_events_are_fanned_out_in_one_message(world: World) -> None:
    """A docket sync of 1,000 records must not queue 1,000 messages: one per transaction (the
    test's own transaction holds the world's events and these)."""
    from django.db import connection

    from webhooks.subscribers import _FanOut

    before = Event.objects.count()
    hearing = dh.hearing(world)
    date_services.hearing_cancel(hearing=hearing, by=dh.clerk(world), reason="Withdrawn")
    case_services.case_update(case=world.case, by=dh.clerk(world), caption="Renamed")
    # Entries are (savepoint ids, callback, robust); the stubs know only the first two.
    hooks = [entry[1] for entry in connection.run_on_commit]
    fan_outs = [hook for hook in hooks if isinstance(hook, _FanOut)]
    assert len(fan_outs) == 1
    # Every event of the transaction is in the one message (ids of a savepoint rolled back
    # since may be there too: the fan-out reads the events that exist).
    assert set(Event.objects.values_list("pk", flat=True)) <= set(fan_outs[0].event_ids)
    assert Event.objects.count() - before == 3
