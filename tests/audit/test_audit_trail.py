"""The audit trail (audit app): every row change on a case-related table is recorded by the
database, with who did it, when, from which request and through what, whatever made the write
(a service, a bulk update, raw SQL, another program); sign-ins and grants of access are
recorded too; each event carries the audience allowed to read it; nothing erases the trail.

All of it against the real PostgreSQL: the triggers are the thing under test.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.db import DatabaseError, ProgrammingError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.services import personal_token_create
from audit import services as audit_services
from audit.context import AuditContext, acting
from audit.models import Audience, AuditEvent
from audit.sql import WATCHED
from cases import party_services
from cases import services as case_services
from cases.models import Case, CaseUserObjectPermission, Charge
from negotiations import services as negotiation_services
from negotiations.models import Offer, OfferStatus
from negotiations.tasks import expire_offers
from parties.models import CaseParticipant, Role
from records import services as record_services
from records.models import Visibility
from tests import factories
from tests.conftest import World, make_user
from tests.negotiation_helpers import defense_draft, draft_offer, sent_offer

# Tables of the case-related apps that are deliberately not watched, and why. A new model in
# one of these apps must be watched (audit.sql.WATCHED plus a migration) or listed here.
EXCLUDED: dict[str, str] = {
    # Reference data shared by every case, kept by administrators.
    # Delivery of reminders and notifications: derived from watched rows, recomputed at will.
    "cases_casestatuscount": "counts kept by triggers from cases_case, whose changes are watched",
    "deadlines_alert": "delivery bookkeeping, replanned from deadlines and hearings",
    "deadlines_alertpreference": "a person's own reminder preferences",
    "deadlines_alertsettings": "a person's own reminder settings",
    "deadlines_notification": "the in-app inbox; what it announces is watched",
    "deadlines_digestsent": "delivery bookkeeping of e-mail digests",
    "deadlines_calendarfeed": "a person's calendar feed token (a secret: kept out of the trail)",
    # Accounts and credentials.
    "auth_group": "group names only; who is in a group is watched (auth_user_groups)",
    "auth_permission": "the permission catalogue, written by migrations",
    "guardian_userobjectpermission": "unused: case grants live in cases_caseuserobjectpermission",
    "guardian_groupobjectpermission": "unused: case grants live in cases_casegroupobjectpermission",
    # Integrations: derived from watched rows, or delivery bookkeeping.
    "integrations_event": "the event log: derived from the watched changes it announces",
    "integrations_eventlogpruned": "how far the event log was pruned (bookkeeping)",
    "webhooks_delivery": "delivery bookkeeping; its log is shown on the endpoint's page",
    "webhooks_deliveryattempt": "delivery bookkeeping; its log is shown on the endpoint's page",
    "webhooks_fanoutcursor": "the sweep's position in the event log",
    "webhooks_fannedout": "the sweep's marks of events already fanned out",
}
AUDITED_APPS = [
    "integrations",
    "webhooks",
    "cases",
    "parties",
    "negotiations",
    "deadlines",
    "records",
    "auth",
    "authtoken",
    "guardian",
    "accounts",
    "otp_totp",
    "otp_static",
]


def db_user() -> str:
    return str(connection.settings_dict["USER"])


def last_event_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def events_since(last: int, **filters: Any) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(id__gt=last, **filters).order_by("id"))


def only_event(last: int, **filters: Any) -> AuditEvent:
    (event,) = events_since(last, **filters)
    return event


def charge_of(world: World) -> Charge:
    return world.case.charges.get(count_number=1)


def token_client(user: User, **headers: Any) -> APIClient:
    client = APIClient(**headers)
    _token, key = personal_token_create(user=user, name="audit tests")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def new_charge(world: World) -> dict[str, Any]:
    return {"case": world.case.pk, "statute": world.lesser_statute.pk, "description": "Possession"}


@pytest.fixture
def cursor() -> Iterator[Any]:
    with connection.cursor() as open_cursor:
        yield open_cursor


# --- who, when, from where ----------------------------------------------------------------------


def test_an_api_write_records_the_user_the_time_the_request_and_the_address(
    world: World,
) -> None:
    prosecutor = world.user(Role.PROSECUTOR)
    client = token_client(prosecutor, REMOTE_ADDR="203.0.113.9")
    last = last_event_id()
    started = timezone.now()

    response = client.post(reverse("charge-list"), new_charge(world), format="json")

    finished = timezone.now()
    assert response.status_code == 201, response.content
    event = only_event(last, kind="charge.created")
    assert (event.table_name, event.row_id, event.case_id, event.audience) == (
        "cases_charge",
        str(response.json()["id"]),
        world.case.pk,
        Audience.SHARED,
    )
    assert (event.actor_id, event.actor_name, event.via) == (prosecutor.pk, "prosecutor", "api")
    assert (event.request_id, event.ip, event.db_user) == (
        response["X-Request-ID"],
        "203.0.113.9",
        db_user(),
    )
    assert event.occurred_at.utcoffset() == dt.timedelta(0)
    assert started <= event.occurred_at <= finished
    # The whole new row; nothing before it.
    assert event.before is None
    assert event.after is not None
    assert event.after["description"] == "Possession"
    assert event.after["statute_id"] == world.lesser_statute.pk
    # Everything the request wrote carries the same request and the same person.
    written = events_since(last)
    assert len(written) >= 1
    assert {(e.request_id, e.actor_id, e.via) for e in written} == {
        (response["X-Request-ID"], prosecutor.pk, "api")
    }


def test_a_page_write_records_the_signed_in_user_and_the_web(world: World) -> None:
    clerk = world.user(Role.COURT_STAFF)
    client = Client()
    client.force_login(clerk)
    last = last_event_id()

    response = client.post(
        reverse("cases:charge-add", args=[world.case.pk]),
        {"charge-statute": world.lesser_statute.pk, "charge-description": "Possession"},
    )

    assert response.status_code == 302
    event = only_event(last, kind="charge.created")
    assert (event.actor_id, event.actor_name, event.via, event.ip) == (
        clerk.pk,
        "clerk",
        "web",
        "127.0.0.1",
    )
    assert event.request_id == response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", event.request_id)


def test_a_callers_request_id_is_kept(world: World) -> None:
    client = token_client(world.user(Role.PROSECUTOR), HTTP_X_REQUEST_ID="docket-7f3a9c1e:0042")
    last = last_event_id()

    response = client.post(reverse("charge-list"), new_charge(world), format="json")

    assert response["X-Request-ID"] == "docket-7f3a9c1e:0042"
    assert only_event(last, kind="charge.created").request_id == "docket-7f3a9c1e:0042"


@pytest.mark.parametrize(
    "given",
    ["short", "has spaces in it", "x" * 65, "id;DROP TABLE audit_event", "ünïcode-request-id"],
    ids=["short", "spaces", "long", "sql", "unicode"],
)
def test_a_malformed_request_id_is_replaced(world: World, given: str) -> None:
    client = token_client(world.user(Role.PROSECUTOR), HTTP_X_REQUEST_ID=given)
    last = last_event_id()

    response = client.post(reverse("charge-list"), new_charge(world), format="json")

    assert response.status_code == 201
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    assert only_event(last, kind="charge.created").request_id == response["X-Request-ID"]


def test_each_request_has_its_own_request_id(world: World) -> None:
    client = token_client(world.user(Role.PROSECUTOR))

    first = client.post(reverse("charge-list"), new_charge(world), format="json")
    second = client.post(reverse("charge-list"), new_charge(world), format="json")

    assert first["X-Request-ID"] != second["X-Request-ID"]


@pytest.mark.parametrize(
    ("address", "kept"),
    [("unix:/run/gunicorn.sock", None), ("", None), ("fe80::1%eth0", "fe80::1")],
    ids=["unix-socket", "empty", "ipv6-zone"],
)
def test_a_client_address_the_database_cannot_store_does_not_break_the_write(
    world: World, address: str, kept: str | None
) -> None:
    # What a server puts in REMOTE_ADDR is not always an address PostgreSQL's inet takes: a
    # unix socket, nothing, an IPv6 zone.
    client = token_client(
        world.user(Role.PROSECUTOR), REMOTE_ADDR=address, raise_request_exception=False
    )
    last = last_event_id()

    response = client.post(reverse("charge-list"), new_charge(world), format="json")

    assert response.status_code == 201
    assert only_event(last, kind="charge.created").ip == kept


# --- whatever made the write --------------------------------------------------------------------


def test_a_bulk_update_records_one_event_per_row_with_only_the_changed_columns(
    world: World,
) -> None:
    second = case_services.charge_add(
        case=world.case, statute=world.lesser_statute, by=world.user(Role.PROSECUTOR)
    )
    old = dict(Charge.objects.filter(case=world.case).values_list("pk", "description"))
    last = last_event_id()

    changed = Charge.objects.filter(case=world.case).update(description="Amended by the clerk")

    assert changed == 2
    events = events_since(last)
    assert [e.kind for e in events] == ["charge.changed", "charge.changed"]
    assert {e.row_id for e in events} == {str(charge_of(world).pk), str(second.pk)}
    for event in events:
        assert event.before == {"description": old[int(event.row_id)]}
        assert event.after == {"description": "Amended by the clerk"}
        assert event.case_id == world.case.pk
        # Nobody was acting: a test outside any request or task.
        assert (event.actor_id, event.via, event.request_id) == (None, "", "")


def test_an_update_that_changes_nothing_records_nothing(world: World) -> None:
    charge = charge_of(world)
    last = last_event_id()

    Charge.objects.filter(pk=charge.pk).update(description=charge.description)

    assert events_since(last) == []


def test_a_raw_sql_write_is_recorded_with_whoever_is_acting(world: World, cursor: Any) -> None:
    clerk = world.user(Role.COURT_STAFF)
    charge = charge_of(world)
    last = last_event_id()

    with acting(AuditContext(via="command", request_id="fix-docket-typo", actor=lambda: clerk)):
        cursor.execute(
            "UPDATE cases_charge SET description = %s WHERE id = %s", ["Typo fixed", charge.pk]
        )

    event = only_event(last)
    assert (event.kind, event.row_id, event.case_id) == (
        "charge.changed",
        str(charge.pk),
        world.case.pk,
    )
    assert (event.actor_id, event.actor_name, event.via, event.request_id) == (
        clerk.pk,
        "clerk",
        "command",
        "fix-docket-typo",
    )
    assert event.after == {"description": "Typo fixed"}


def test_a_raw_sql_write_with_nobody_acting_is_recorded_without_a_user(
    world: World, cursor: Any
) -> None:
    charge = charge_of(world)
    last = last_event_id()

    cursor.execute("UPDATE cases_charge SET description = 'By hand' WHERE id = %s", [charge.pk])

    event = only_event(last)
    assert (event.kind, event.actor_id, event.actor_name, event.via, event.db_user) == (
        "charge.changed",
        None,
        "",
        "",
        db_user(),
    )


@pytest.mark.django_db(transaction=True)
def test_a_write_from_another_program_is_recorded_with_its_database_role() -> None:
    case = factories.CaseFactory.create(caption="United States v. Outside")
    settings = connection.settings_dict
    options = {
        "dbname": settings["NAME"],
        "user": settings["USER"],
        "password": settings["PASSWORD"],
        "host": settings["HOST"],
        "port": settings["PORT"],
    }
    last = last_event_id()

    with psycopg.connect(**{k: v for k, v in options.items() if v}, autocommit=True) as outside:
        outside.execute(
            "UPDATE cases_case SET caption = %s WHERE id = %s",
            ("United States v. Changed Elsewhere", case.pk),
        )

    event = only_event(last)
    assert (event.kind, event.table_name, event.row_id, event.case_id) == (
        "case.changed",
        "cases_case",
        str(case.pk),
        case.pk,
    )
    assert (event.actor_id, event.actor_name, event.via, event.request_id, event.ip) == (
        None,
        "",
        "",
        "",
        None,
    )
    assert event.db_user == settings["USER"]
    assert event.before == {"caption": "United States v. Outside"}
    assert event.after == {"caption": "United States v. Changed Elsewhere"}


# --- a write that did not happen, and who acts next ---------------------------------------------


def test_a_rolled_back_write_leaves_no_event_and_does_not_lend_its_user_to_the_next(
    world: World, cursor: Any
) -> None:
    prosecutor = world.user(Role.PROSECUTOR)
    charge = charge_of(world)
    last = last_event_id()

    with (
        acting(AuditContext(via="web", actor=lambda: prosecutor)),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        case_services.charge_update(charge=charge, by=prosecutor, description="Never was")
        assert events_since(last, kind="charge.changed")  # recorded, inside the transaction
        raise RuntimeError("changed my mind")
    assert events_since(last) == []
    assert Charge.objects.get(pk=charge.pk).description == charge.description

    with acting(AuditContext(via="command", request_id="nightly-cleanup")):
        cursor.execute("UPDATE cases_charge SET description = 'Cleanup' WHERE id = %s", [charge.pk])
    cursor.execute("UPDATE cases_charge SET description = 'By hand' WHERE id = %s", [charge.pk])

    cleanup, by_hand = events_since(last)
    assert (cleanup.actor_id, cleanup.actor_name, cleanup.via, cleanup.request_id) == (
        None,
        "",
        "command",
        "nightly-cleanup",
    )
    assert (by_hand.actor_id, by_hand.via, by_hand.request_id) == (None, "", "")


def test_a_raw_write_after_someone_elses_is_not_attributed_to_them(
    world: World, cursor: Any
) -> None:
    # Here both writes share the test's transaction, which keeps the context the app last set:
    # a write that hides its verb behind a comment must still not inherit it.
    prosecutor = world.user(Role.PROSECUTOR)
    charge = charge_of(world)
    with acting(AuditContext(via="web", actor=lambda: prosecutor)):
        case_services.charge_update(charge=charge, by=prosecutor, description="Amended")
    last = last_event_id()

    cursor.execute(
        "/* correction by the DBA */ UPDATE cases_charge SET description = %s WHERE id = %s",
        ["Corrected", charge.pk],
    )

    event = only_event(last)
    assert (event.kind, event.actor_id, event.actor_name, event.via) == (
        "charge.changed",
        None,
        "",
        "",
    )


# --- the trail cannot be changed ----------------------------------------------------------------


@pytest.fixture
def recorded(world: World) -> AuditEvent:
    return audit_services.record(
        "history.exported", case_id=world.case.pk, actor=world.user(Role.PROSECUTOR)
    )


def assert_unchanged(event: AuditEvent) -> None:
    kept = AuditEvent.objects.get(pk=event.pk)
    assert (kept.kind, kept.actor_id, kept.actor_name, kept.case_id) == (
        event.kind,
        event.actor_id,
        event.actor_name,
        event.case_id,
    )


def test_events_are_appended(world: World, recorded: AuditEvent) -> None:
    kept = AuditEvent.objects.get(pk=recorded.pk)

    assert (kept.kind, kept.case_id, kept.actor_name, kept.via) == (
        "history.exported",
        world.case.pk,
        "prosecutor",
        "",
    )
    assert kept.db_user == db_user()


def renamed(event: AuditEvent) -> AuditEvent:
    event.actor_name = "nobody"
    return event


@pytest.mark.parametrize(
    "change",
    [
        lambda e: AuditEvent.objects.filter(pk=e.pk).update(actor_name="nobody"),
        lambda e: AuditEvent.objects.all().update(case_id=None),
        lambda e: AuditEvent.objects.filter(pk=e.pk).delete(),
        lambda e: AuditEvent.objects.all().delete(),
        lambda e: e.delete(),
        lambda e: renamed(AuditEvent.objects.get(pk=e.pk)).save(),
    ],
    ids=["update-one", "update-all", "delete-one", "delete-all", "instance-delete", "save"],
)
def test_the_orm_cannot_change_or_erase_an_event(recorded: AuditEvent, change: Any) -> None:
    with pytest.raises(ProgrammingError, match="append-only"), transaction.atomic():
        change(recorded)

    assert_unchanged(recorded)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_event SET actor_name = 'nobody'",
        "UPDATE audit_event SET before = NULL, after = NULL WHERE id = %s",
        "DELETE FROM audit_event WHERE id = %s",
        "DELETE FROM audit_event",
    ],
    ids=["update-all", "update-one", "delete-one", "delete-all"],
)
def test_sql_cannot_change_or_erase_an_event(
    recorded: AuditEvent, cursor: Any, statement: str
) -> None:
    params = [recorded.pk] if "%s" in statement else []

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        cursor.execute(statement, params)

    assert_unchanged(recorded)


# --- deletes ------------------------------------------------------------------------------------


def columns_of(model: Any) -> set[str]:
    return {field.column for field in model._meta.concrete_fields}


def test_a_deleted_case_is_recorded_whole_with_everything_it_took_along(world: World) -> None:
    case = Case.objects.get(pk=world.other_case.pk)
    case_id = case.pk
    charge_ids = {str(pk) for pk in case.charges.values_list("pk", flat=True)}
    last = last_event_id()

    case.delete()

    deleted = events_since(last, kind="case.deleted")
    assert len(deleted) == 1
    (event,) = deleted
    assert event.after is None
    assert event.before is not None
    # Everything but updated_at, which the trail never records for a case (it moves whenever
    # anything on the case moves, even behind a wall).
    assert set(event.before) == columns_of(Case) - {"updated_at"}
    assert [event.before[key] for key in ("id", "docket_number", "caption", "court_id")] == [
        case_id,
        case.docket_number,
        case.caption,
        case.court_id,
    ]
    charges = events_since(last, kind="charge.deleted")
    assert {e.row_id for e in charges} == charge_ids
    assert all(set(e.before or {}) == columns_of(Charge) for e in charges)
    assert events_since(last, kind="access.deleted", case_id=case_id)
    assert events_since(last, kind="participant.deleted", case_id=case_id)
    assert {e.case_id for e in events_since(last)} == {case_id}


# --- the watched tables -------------------------------------------------------------------------


def triggers() -> dict[str, list[str]]:
    """Each table's audit_row_change trigger and the arguments it was created with."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, t.tgargs FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = 'audit_row_change' AND NOT t.tgisinternal"
        )
        rows = cursor.fetchall()
    return {table: bytes(args).decode().split("\x00")[:-1] for table, args in rows}


@pytest.mark.django_db
def test_every_watched_table_has_the_trigger_as_declared() -> None:
    installed = triggers()

    declared = {
        w.table: [
            w.subject,
            w.case,
            w.audience,
            *([w.mask, w.ignore] if w.mask or w.ignore else []),
        ]
        for w in WATCHED
    }
    assert declared == installed


@pytest.mark.django_db
def test_the_trail_itself_refuses_changes_by_trigger() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.tgtype FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE c.relname = 'audit_event' AND t.tgname = 'audit_event_append_only'"
        )
        (tgtype,) = cursor.fetchone()
    # BEFORE (2), FOR EACH ROW (1), DELETE (8), UPDATE (16).
    assert tgtype & (1 | 2 | 8 | 16) == 1 | 2 | 8 | 16


def test_every_table_of_a_case_related_app_is_watched_or_excluded_for_a_reason() -> None:
    watched = {w.table for w in WATCHED}
    tables = {
        model._meta.db_table
        for label in AUDITED_APPS
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    }

    assert tables - watched - set(EXCLUDED) == set(), "watch these or exclude them with a reason"
    assert watched & set(EXCLUDED) == set()
    assert set(EXCLUDED) <= tables, "excluded tables that no longer exist"
    assert all(reason.strip() for reason in EXCLUDED.values())


# --- sign-ins -----------------------------------------------------------------------------------

WRONG_PASSWORD = "wrong-horse-battery-staple"


def everything_in(events: list[AuditEvent]) -> str:
    return json.dumps(
        [
            {f.attname: getattr(e, f.attname) for f in AuditEvent._meta.concrete_fields}
            for e in events
        ],
        default=str,
    )


def test_a_sign_in_is_recorded(world: World) -> None:
    client = Client(REMOTE_ADDR="198.51.100.4")
    last = last_event_id()

    response = client.post(
        reverse("login"), {"username": "prosecutor", "password": factories.PASSWORD}
    )

    assert response.status_code == 302
    event = only_event(last, kind="auth.login")
    prosecutor = world.user(Role.PROSECUTOR)
    assert (event.actor_id, event.actor_name, event.via, event.ip, event.case_id) == (
        prosecutor.pk,
        "prosecutor",
        "web",
        "198.51.100.4",
        None,
    )
    assert event.request_id == response["X-Request-ID"]
    assert factories.PASSWORD not in everything_in(events_since(last))


@pytest.mark.parametrize("username", ["prosecutor", "nobody-by-that-name"])
def test_a_failed_sign_in_is_recorded_with_the_name_tried_and_never_the_password(
    world: World, username: str
) -> None:
    client = Client(REMOTE_ADDR="198.51.100.4")
    last = last_event_id()

    response = client.post(reverse("login"), {"username": username, "password": WRONG_PASSWORD})

    assert response.status_code == 200
    event = only_event(last, kind="auth.login_failed")
    assert (event.actor_id, event.actor_name, event.via, event.ip) == (
        None,
        "",
        "web",
        "198.51.100.4",
    )
    assert event.data["username"] == username
    assert set(event.data) <= {"username", "method", "path"}
    assert event.request_id == response["X-Request-ID"]
    assert WRONG_PASSWORD not in everything_in(events_since(last))
    assert events_since(last, kind="auth.login") == []


def test_a_failed_token_request_is_recorded_through_the_api(world: World) -> None:
    last = last_event_id()

    response = APIClient().post(
        reverse("api-token"), {"username": "defense", "password": WRONG_PASSWORD}, format="json"
    )

    assert response.status_code == 400
    event = only_event(last, kind="auth.login_failed")
    assert (event.via, event.data["username"]) == ("api", "defense")
    assert set(event.data) <= {"username", "method", "path"}
    assert WRONG_PASSWORD not in everything_in(events_since(last))


def test_a_sign_out_is_recorded(world: World) -> None:
    defense = world.user(Role.DEFENSE_COUNSEL)
    client = Client()
    client.force_login(defense)
    last = last_event_id()

    response = client.post(reverse("logout"))

    assert response.status_code in (200, 302)
    event = only_event(last, kind="auth.logout")
    assert (event.actor_id, event.actor_name, event.via) == (defense.pk, "defense", "web")


def test_a_sign_out_without_a_session_records_nothing(world: World) -> None:
    last = last_event_id()

    Client().post(reverse("logout"))

    assert events_since(last) == []


# --- grants of access ---------------------------------------------------------------------------


def test_adding_and_ending_a_participant_records_the_access_granted_and_revoked(
    world: World,
) -> None:
    clerk = world.user(Role.COURT_STAFF)
    newcomer = make_user("newcomer", Role.DUTY_LAWYER, factories.OrganizationFactory.create())
    last = last_event_id()

    participant = party_services.participant_add(
        case=world.case, by=clerk, role=Role.DUTY_LAWYER, user=newcomer
    )

    granted = events_since(last, kind="access.created")
    held = set(
        CaseUserObjectPermission.objects.filter(
            user=newcomer, content_object=world.case
        ).values_list("pk", flat=True)
    )
    assert held
    assert {e.row_id for e in granted} == {str(pk) for pk in held}
    assert all(
        (e.table_name, e.case_id, (e.after or {}).get("user_id"))
        == ("cases_caseuserobjectpermission", world.case.pk, newcomer.pk)
        for e in granted
    )
    assert only_event(last, kind="participant.created").row_id == str(participant.pk)

    last = last_event_id()
    party_services.participant_end(participant=participant, by=clerk)

    revoked = events_since(last, kind="access.deleted")
    assert {e.row_id for e in revoked} == {str(pk) for pk in held}
    for event in revoked:
        assert event.after is None
        assert event.before is not None
        assert set(event.before) == columns_of(CaseUserObjectPermission)
        assert (event.case_id, event.before["user_id"]) == (world.case.pk, newcomer.pk)
    ended = only_event(last, kind="participant.changed")
    assert ended.after is not None and "end_date" in ended.after
    assert not CaseUserObjectPermission.objects.filter(user=newcomer).exists()


def test_joining_and_leaving_a_court_is_recorded(world: World) -> None:
    judge = make_user("new_judge", Role.JUDGE, world.orgs["court"])
    last = last_event_id()

    case_services.court_member_add(court=world.court, user=judge)
    case_services.court_member_remove(court=world.court, user=judge)

    joined, left = events_since(last)
    assert (joined.kind, joined.table_name, joined.case_id) == (
        "membership.created",
        "auth_user_groups",
        None,
    )
    assert joined.after is not None
    assert (joined.after["user_id"], joined.after["group_id"]) == (judge.pk, world.court.group_id)
    assert left.kind == "membership.deleted"
    assert left.before == joined.after


# --- audiences ----------------------------------------------------------------------------------


def audiences(last: int, **filters: Any) -> set[str]:
    return {e.audience for e in events_since(last, **filters)}


def test_a_prosecution_draft_is_heard_only_by_the_prosecution(world: World) -> None:
    last = last_event_id()

    draft = draft_offer(world)

    assert audiences(last, kind="offer.created", row_id=str(draft.pk)) == {Audience.PROSECUTION}
    assert audiences(last, kind="offer_term.created") == {Audience.PROSECUTION}


def test_a_defense_draft_is_heard_only_by_the_defense(world: World) -> None:
    last = last_event_id()

    draft = defense_draft(world)

    assert audiences(last, kind="offer.created", row_id=str(draft.pk)) == {Audience.DEFENSE}
    assert audiences(last, kind="offer_term.created") == {Audience.DEFENSE}


def test_a_sent_offer_and_its_expiry_are_heard_by_the_negotiation(world: World) -> None:
    draft = draft_offer(world)
    last = last_event_id()

    negotiation_services.offer_send(offer=draft, by=world.user(Role.PROSECUTOR))

    assert audiences(last, kind="offer.changed", row_id=str(draft.pk)) == {Audience.NEGOTIATION}
    deadline = only_event(last, kind="deadline.created")
    assert deadline.after is not None
    assert (deadline.after["kind"], deadline.after["offer_id"]) == ("offer_expiry", draft.pk)
    assert deadline.audience == Audience.NEGOTIATION


def test_a_draft_withdrawn_unsent_stays_behind_its_sides_wall(world: World) -> None:
    # The defense never received it (negotiations.selectors): nor does it read of it here,
    # least of all the prosecution's reason for dropping it.
    draft = draft_offer(world)
    last = last_event_id()

    negotiation_services.offer_withdraw(
        offer=draft, by=world.user(Role.PROSECUTOR), reason="Lab report may sink count 1"
    )

    assert Offer.objects.get(pk=draft.pk).status == OfferStatus.WITHDRAWN
    assert audiences(last, row_id=str(draft.pk), table_name="negotiations_offer") == {
        Audience.PROSECUTION
    }


@pytest.mark.parametrize(
    ("role", "visibility"),
    [
        (Role.PROSECUTOR, Visibility.PROSECUTION),
        (Role.DEFENSE_COUNSEL, Visibility.DEFENSE),
        (Role.JUDGE, Visibility.COURT),
        (Role.PROSECUTOR, Visibility.SHARED),
    ],
    ids=["prosecution", "defense", "court", "shared"],
)
def test_a_note_is_heard_behind_its_wall(world: World, role: str, visibility: str) -> None:
    last = last_event_id()

    note = record_services.note_add(
        case=world.case, by=world.user(role), visibility=visibility, body="Call the lab on Monday."
    )

    event = only_event(last, kind="note.created")
    assert (event.row_id, event.case_id, event.audience) == (
        str(note.pk),
        world.case.pk,
        visibility,
    )


def test_a_charge_is_heard_by_everyone_on_the_case(world: World) -> None:
    last = last_event_id()

    case_services.charge_add(
        case=world.case, statute=world.lesser_statute, by=world.user(Role.PROSECUTOR)
    )

    assert audiences(last, kind="charge.created") == {Audience.SHARED}


# --- tasks --------------------------------------------------------------------------------------


def test_a_task_records_its_writes_as_the_task(world: World) -> None:
    offer = sent_offer(world)
    Offer.objects.filter(pk=offer.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=5))
    last = last_event_id()

    result = expire_offers.apply()

    assert result.successful() and result.result == 1
    expired = only_event(last, kind="offer.changed", row_id=str(offer.pk))
    assert expired.after is not None and expired.after["status"] == OfferStatus.EXPIRED
    assert (expired.via, expired.actor_id) == ("task", None)
    assert expired.request_id == f"negotiations.expire_offers:{result.id}"
    assert {e.via for e in events_since(last)} == {"task"}
    # Once the task is over, nothing is attributed to it.
    last = last_event_id()
    Charge.objects.filter(case=world.case).update(description="After the task")
    assert {e.via for e in events_since(last)} == {""}


def test_a_request_that_fails_leaves_no_context_behind(world: World) -> None:
    # A refused request is no write: and what follows it is not attributed to its user.
    defense = world.user(Role.DEFENSE_COUNSEL)
    response = token_client(defense).post(reverse("charge-list"), new_charge(world), format="json")
    assert response.status_code in (403, 404)
    last = last_event_id()

    Charge.objects.filter(case=world.case).update(description="Later, by hand")

    assert {(e.actor_id, e.via) for e in events_since(last)} == {(None, "")}


def test_every_participation_the_world_was_built_with_is_on_record(world: World) -> None:
    # The world was built through the services: its participations and grants are all on record.
    recorded_rows = set(
        AuditEvent.objects.filter(kind="participant.created", case_id=world.case.pk).values_list(
            "row_id", flat=True
        )
    )
    assert recorded_rows == {
        str(pk)
        for pk in CaseParticipant.objects.filter(case=world.case).values_list("pk", flat=True)
    }


@pytest.mark.django_db
def test_account_changes_are_recorded_without_their_secrets(world: World) -> None:
    """auth_user and API tokens are watched, but password hashes, sign-in times and token
    keys never reach the trail."""
    user = world.user(Role.DEFENSE_COUNSEL)
    before = last_event_id()
    _token, key = personal_token_create(user=user, name="script")
    user.set_password("a-new-secret-Passw0rd")
    user.is_active = False
    user.save()
    events = list(AuditEvent.objects.filter(id__gt=before).order_by("id"))
    changed = [e for e in events if e.kind == "user.changed"]
    assert len(changed) == 1
    assert changed[0].after == {"is_active": False, "password": "[redacted]"}
    # A sign-in moves last_login only: nothing to record but the sign-in itself.
    before_login = last_event_id()
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    assert not AuditEvent.objects.filter(id__gt=before_login).exists()
    created = [e for e in events if e.kind == "personal_token.created"]
    assert len(created) == 1 and (created[0].after or {})["user_id"] == user.pk
    assert (created[0].after or {})["key_hash"] == "[redacted]"
    # Deactivating the account (with a new password) revoked it, once.
    revoked = [e for e in events if e.kind == "personal_token.changed"]
    assert [(e.after or {}).get("revoked_because") for e in revoked] == ["deactivated"]
    text = everything_in(events)
    assert key not in text
    # The password is said to have changed, never what it is.
    assert '"password": "[redacted]"' in text
    assert user.password not in text and "pbkdf2" not in text and "md5$" not in text
