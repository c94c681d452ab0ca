"""The audit context reaches PostgreSQL once a transaction, not once a write (issue 16), and is
never missing nor stale: every row the triggers record carries whoever was acting when it was
written, whatever was rolled back before it and whoever used the connection before.

What is counted is what the execute wrapper sends on the driver's connection (a spy that
passes every call on to psycopg), next to the statements Django sends; the writes are real.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import AbstractContextManager, suppress
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from psycopg import pq

from audit.context import AuditContext, acting
from audit.models import AuditEvent
from audit.sql import CONTEXT_SETTING
from negotiations.models import Offer, OfferStatus
from negotiations.tasks import expire_offers
from parties.models import Organization, OrganizationKind, Role
from tests import factories
from tests.audit.test_audit_trail import events_since, last_event_id, new_charge, token_client
from tests.conftest import World
from tests.negotiation_helpers import sent_offer

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Sent:
    """One setting of the context, as it left for the server."""

    payload: str
    # Queued in a pipeline with the write that follows it: no round trip of its own.
    pipelined: bool


@pytest.fixture
def settings_sent(monkeypatch: pytest.MonkeyPatch) -> list[Sent]:
    """Every set_config the application sends on the driver's connection, in order."""
    connection.ensure_connection()
    driver = connection.connection
    real = driver.execute
    sent: list[Sent] = []

    def execute(query: Any, params: Any = None, **kwargs: Any) -> Any:
        if "set_config" in str(query):
            sent.append(
                Sent(
                    payload=str(params[-1]) if params else "",
                    pipelined=driver.pgconn.pipeline_status != pq.PipelineStatus.OFF,
                )
            )
        return real(query, params, **kwargs)

    monkeypatch.setattr(driver, "execute", execute)
    return sent


@pytest.fixture
def court_office() -> Organization:
    return factories.OrganizationFactory.create(name="Clerk's Office", kind=OrganizationKind.COURT)


def person(username: str) -> User:
    return factories.UserFactory.create(username=username)


def as_(user: User | None, request_id: str) -> AbstractContextManager[AuditContext]:
    return acting(AuditContext(via="command", request_id=request_id, actor=lambda: user))


def rename(office: Organization, name: str) -> None:
    """One write: one UPDATE, one audit row."""
    assert Organization.objects.filter(pk=office.pk).update(name=name) == 1


def who(events: list[AuditEvent]) -> list[tuple[str, int | None, str]]:
    return [(e.after["name"] if e.after else "", e.actor_id, e.request_id) for e in events]


def writes_in(queries: CaptureQueriesContext) -> int:
    return sum(q["sql"].lstrip().upper().startswith("UPDATE") for q in queries.captured_queries)


def in_effect() -> str | None:
    """The context a trigger would read now."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting(%s, true)", [CONTEXT_SETTING])
        row = cursor.fetchone()
    return row[0] if row else None


class RolledBack(Exception):
    pass


def rolled_back(write: Callable[[], None]) -> None:
    """`write` in a savepoint (or a transaction) of its own, rolled back."""
    with suppress(RolledBack), transaction.atomic():
        write()
        raise RolledBack


# --- in a transaction: once ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_transaction_of_several_writes_sends_the_context_once(
    court_office: Organization, settings_sent: list[Sent]
) -> None:
    clerk = person("clerk")
    last = last_event_id()

    with (
        as_(clerk, "docket-batch-1"),
        CaptureQueriesContext(connection) as queries,
        transaction.atomic(),
    ):
        for n in range(5):
            rename(court_office, f"Clerk's Office {n}")

    assert writes_in(queries) == 5
    assert len(settings_sent) == 1
    assert who(events_since(last)) == [
        (f"Clerk's Office {n}", clerk.pk, "docket-batch-1") for n in range(5)
    ]
    # Set for the transaction only: the session keeps nothing once it is over.
    assert in_effect() in ("", None)


@pytest.mark.django_db(transaction=True)
def test_a_user_known_only_mid_transaction_is_sent_when_known_and_only_then(
    court_office: Organization, settings_sent: list[Sent]
) -> None:
    # As in an API request: the context exists before DRF has authenticated the user.
    clerk = person("clerk")
    known: list[User] = []
    last = last_event_id()

    audit = AuditContext(via="api", request_id="req-1", actor=lambda: known[0] if known else None)
    with acting(audit), transaction.atomic():
        rename(court_office, "Before sign-in 1")
        rename(court_office, "Before sign-in 2")
        known.append(clerk)
        rename(court_office, "After sign-in 1")
        rename(court_office, "After sign-in 2")

    assert len(settings_sent) == 2
    assert who(events_since(last)) == [
        ("Before sign-in 1", None, "req-1"),
        ("Before sign-in 2", None, "req-1"),
        ("After sign-in 1", clerk.pk, "req-1"),
        ("After sign-in 2", clerk.pk, "req-1"),
    ]


# --- rolled back: sent again when, and only when, it may have been undone -----------------------


def test_a_context_first_sent_in_a_savepoint_rolled_back_is_sent_again(
    court_office: Organization, settings_sent: list[Sent]
) -> None:
    clerk = person("clerk")
    last = last_event_id()

    with as_(clerk, "req-1"), transaction.atomic():
        rolled_back(lambda: rename(court_office, "Never was"))
        rename(court_office, "After the rollback")

    assert [s.payload != "" for s in settings_sent] == [True, True]
    assert who(events_since(last)) == [("After the rollback", clerk.pk, "req-1")]


def test_savepoints_rolled_back_and_released_leave_the_right_context_in_effect(
    court_office: Organization, settings_sent: list[Sent]
) -> None:
    first, second = person("first"), person("second")
    last = last_event_id()

    with transaction.atomic():
        with as_(first, "one"):
            rename(court_office, "1")  # sent (1)
        with as_(second, "two"):
            rolled_back(lambda: rename(court_office, "2, undone"))  # sent (2), undone
        with as_(first, "one"):
            rename(court_office, "3")  # still in effect from before the savepoint
            rolled_back(lambda: rename(court_office, "4, undone"))
        with as_(second, "two"):
            rename(court_office, "5")  # sent (3)
            with transaction.atomic(), as_(first, "one"):
                rename(court_office, "6")  # sent (4), in a savepoint released
            rolled_back(lambda: rename(court_office, "7, undone"))  # sent (5), undone
        with as_(None, "nobody"):
            rolled_back(lambda: rename(court_office, "8, undone"))  # sent (6), undone
        with as_(first, "one"):
            rename(court_office, "9")  # in effect since 6

    assert len(settings_sent) == 6
    assert who(events_since(last)) == [
        ("1", first.pk, "one"),
        ("3", first.pk, "one"),
        ("5", second.pk, "two"),
        ("6", first.pk, "one"),
        ("9", first.pk, "one"),
    ]


@pytest.mark.django_db(transaction=True)
def test_a_whole_transaction_rolled_back_takes_its_context_along(
    court_office: Organization, settings_sent: list[Sent]
) -> None:
    clerk = person("clerk")
    last = last_event_id()

    with as_(clerk, "req-1"):
        rolled_back(lambda: rename(court_office, "Never was"))
        with transaction.atomic():
            rename(court_office, "The next transaction")
            rename(court_office, "The next transaction, again")
    # Nobody acting, in autocommit, on the same connection: nothing sent, nobody recorded.
    rename(court_office, "By hand")

    assert len(settings_sent) == 2
    assert who(events_since(last)) == [
        ("The next transaction", clerk.pk, "req-1"),
        ("The next transaction, again", clerk.pk, "req-1"),
        ("By hand", None, ""),
    ]


# --- in autocommit: each write its own transaction, no round trip of its own -------------------


@pytest.mark.django_db(transaction=True)
def test_writes_in_autocommit_carry_the_context_in_the_same_round_trip(
    court_office: Organization, settings_sent: list[Sent]
) -> None:
    clerk = person("clerk")
    last = last_event_id()

    with as_(clerk, "cli"), CaptureQueriesContext(connection) as queries:
        for n in range(3):
            rename(court_office, f"Autocommit {n}")
    with CaptureQueriesContext(connection) as unattended:
        rename(court_office, "Nobody acting")

    assert writes_in(queries) == 3
    # One setting a write (each is a transaction of its own), each queued with its write.
    assert [s.pipelined for s in settings_sent] == [True, True, True]
    assert writes_in(unattended) == 1 and len(settings_sent) == 3
    assert who(events_since(last)) == [
        ("Autocommit 0", clerk.pk, "cli"),
        ("Autocommit 1", clerk.pk, "cli"),
        ("Autocommit 2", clerk.pk, "cli"),
        ("Nobody acting", None, ""),
    ]
    assert in_effect() in ("", None)


@pytest.mark.django_db(transaction=True)
def test_raw_writes_in_autocommit_carry_the_context_and_a_read_with_with_sends_nothing(
    court_office: Organization, settings_sent: list[Sent]
) -> None:
    clerk = person("clerk")
    other = factories.OrganizationFactory.create(name="Other office")
    last = last_event_id()

    with as_(clerk, "cli"), connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE parties_organization SET name = %s WHERE id = %s",
            [("Many 1", court_office.pk), ("Many 2", other.pk)],
        )
        cursor.execute(
            "WITH renamed AS (UPDATE parties_organization SET name = %s WHERE id = %s "
            "RETURNING id) SELECT id FROM renamed",
            ["By a CTE", court_office.pk],
        )
        assert cursor.fetchall() == [(court_office.pk,)]
        cursor.execute("WITH n AS (SELECT 1 AS one) SELECT one FROM n")

    assert [s.pipelined for s in settings_sent] == [True, True]
    assert sorted(who(events_since(last))) == [
        ("By a CTE", clerk.pk, "cli"),
        ("Many 1", clerk.pk, "cli"),
        ("Many 2", clerk.pk, "cli"),
    ]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "change",
    [{"name": None}, {"jurisdiction_id": -1}],
    # A NOT NULL column fails the write itself; a foreign key (deferred, as Django makes them)
    # fails only when the write's transaction commits.
    ids=["fails-at-once", "fails-at-commit"],
)
def test_a_failed_write_in_autocommit_raises_django_s_error_and_leaves_nothing_behind(
    court_office: Organization, settings_sent: list[Sent], change: dict[str, Any]
) -> None:
    clerk = person("clerk")
    last = last_event_id()

    with as_(clerk, "cli"), pytest.raises(IntegrityError):
        Organization.objects.filter(pk=court_office.pk).update(**change)

    assert [s.pipelined for s in settings_sent] == [True]
    # No transaction left open under a connection Django takes to be in autocommit.
    assert connection.connection.info.transaction_status == pq.TransactionStatus.IDLE
    assert events_since(last) == []
    rename(court_office, "By hand")
    assert who(events_since(last)) == [("By hand", None, "")]


# --- tasks and requests -------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_task_sends_its_context_once_a_transaction(
    world: World, settings_sent: list[Sent]
) -> None:
    offer = sent_offer(world)
    Offer.objects.filter(pk=offer.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=5))
    settings_sent.clear()
    last = last_event_id()

    with CaptureQueriesContext(connection) as queries:
        result = expire_offers.apply()

    assert result.successful() and result.result == 1
    writes = [q for q in queries.captured_queries if q["sql"].startswith(("UPDATE", "INSERT"))]
    assert len(writes) >= 2  # the offer and what hangs on it, in the offer's one transaction
    assert len(settings_sent) == 1
    events = events_since(last)
    assert events and {(e.via, e.actor_id, e.request_id) for e in events} == {
        ("task", None, f"negotiations.expire_offers:{result.id}")
    }
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.EXPIRED


@pytest.mark.django_db(transaction=True)
def test_two_requests_on_one_kept_connection_each_record_their_own_user(
    world: World, settings_sent: list[Sent]
) -> None:
    prosecutor, clerk = world.user(Role.PROSECUTOR), world.user(Role.COURT_STAFF)
    driver = connection.connection
    page = Client()
    page.force_login(clerk)
    api = token_client(prosecutor)
    last = last_event_id()

    by_api = api.post(reverse("charge-list"), new_charge(world), format="json")
    by_page = page.post(
        reverse("cases:charge-add", args=[world.case.pk]),
        {"charge-statute": world.lesser_statute.pk, "charge-description": "Possession"},
    )
    anonymous = Client().post(reverse("cases:charge-add", args=[world.case.pk]), {})
    by_hand = Organization.objects.filter(pk=world.orgs["da"].pk).update(name="US Attorney (2)")

    assert (by_api.status_code, by_page.status_code, by_hand) == (201, 302, 1)
    assert anonymous.status_code in (302, 403)
    assert connection.connection is driver  # the same session throughout
    events = events_since(last)
    created = [e for e in events if e.kind == "charge.created"]
    assert [(e.actor_id, e.via, e.request_id) for e in created] == [
        (prosecutor.pk, "api", by_api["X-Request-ID"]),
        (clerk.pk, "web", by_page["X-Request-ID"]),
    ]
    # Everything else each request wrote is theirs too, and what came after is nobody's.
    assert {(e.actor_id, e.request_id) for e in events if e.kind != "organization.changed"} == {
        (prosecutor.pk, by_api["X-Request-ID"]),
        (clerk.pk, by_page["X-Request-ID"]),
    }
    (after,) = [e for e in events if e.kind == "organization.changed"]
    assert (after.actor_id, after.via, after.request_id) == (None, "", "")
    assert in_effect() in ("", None)
