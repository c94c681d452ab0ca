"""Personas and a small world shared by the suite.

`world` builds one court with one case on which every role takes part ("own case"), a second
case in the same court that none of the party personas are on ("other case"), a third case in
another court, and strangers of every kind who are on no case at all.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import factory.random
import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.utils import translation
from pytest_django.plugin import blocking_manager_key
from rest_framework.test import APIClient

from cases import party_services
from cases import services as case_services
from cases.models import Case, Court, Statute
from parties.models import Defendant, Organization, OrganizationKind, Role
from parties.services import profile_set
from tests import factories

ROLES = [
    Role.PROSECUTOR,
    Role.DEFENSE_COUNSEL,
    Role.DUTY_LAWYER,
    Role.DEFENDANT,
    Role.JUDGE,
    Role.COURT_STAFF,
]


@dataclass
class World:
    court: Court
    other_court: Court
    statute: Statute
    lesser_statute: Statute
    foreign_statute: Statute
    case: Case
    other_case: Case
    foreign_case: Case
    defendant: Defendant
    users: dict[Role, User] = field(default_factory=dict)
    strangers: dict[Role, User] = field(default_factory=dict)
    orgs: dict[str, Organization] = field(default_factory=dict)

    def user(self, role: str) -> User:
        return self.users[Role(role)]


def make_user(
    username: str, role: str, org: Organization | None, names: tuple[str, str] | None = None
) -> User:
    """A person of `role`; the world's personas have fixed names (none starts with a letter the
    people-search tests look for), anyone else gets Faker's."""
    extra = {"first_name": names[0], "last_name": names[1]} if names else {}
    user = factories.UserFactory.create(username=username, **extra)
    profile_set(user=user, role_kind=role, organization=org)
    return User.objects.select_related("profile").get(pk=user.pk)


@pytest.fixture(autouse=True)
def same_names_every_run(request: Any) -> None:
    """Factories draw names from Faker: seeded from the test's id, a test sees the same people
    in every run and on every worker, whatever ran before it."""
    factory.random.reseed_random(request.node.nodeid)


@pytest.fixture(autouse=True)
def site_language_to_begin_with() -> Iterator[None]:
    """Each test starts in the site's language, whatever ran before it: a request leaves the
    language it was answered in active in the thread (LocaleMiddleware and
    accounts.language activate one and never deactivate it), and a Chinese reader's request
    would otherwise leak into the next test's e-mails and PDFs."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def document_storage(settings: Any, tmp_path: Any) -> Any:
    """Uploaded documents go to a fresh directory per test; the test can look inside it."""
    location = tmp_path / "documents"
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": location},
        },
    }
    return location


def build_world() -> World:
    """Create the world's rows (322 statements, about half a second)."""
    us = factories.jurisdiction("us-fed")
    cn = factories.jurisdiction("cn")
    factories.deadline_rules()
    orgs = {
        "da": factories.OrganizationFactory.create(
            name="US Attorney", kind=OrganizationKind.PROSECUTOR_OFFICE
        ),
        "pd": factories.OrganizationFactory.create(
            name="Federal Defender", kind=OrganizationKind.PUBLIC_DEFENDER
        ),
        "aid": factories.OrganizationFactory.create(
            name="Legal Aid Centre", kind=OrganizationKind.LEGAL_AID
        ),
        "court": factories.OrganizationFactory.create(
            name="District Court Clerk", kind=OrganizationKind.COURT
        ),
    }
    court = case_services.court_create(
        name="District Court",
        jurisdiction=us,
        time_zone="America/New_York",
        organization=orgs["court"],
    )
    other_court = case_services.court_create(
        name="Other District Court", jurisdiction=us, time_zone="America/Chicago"
    )
    statute = factories.StatuteFactory.create(
        citation="21 U.S.C. 841(a)(1)",
        title="Distribution",
        severity_rank=8,
        max_custody_months=240,
        mandatory_minimum_months=60,
        min_custody_months=60,
    )
    lesser = factories.StatuteFactory.create(
        citation="21 U.S.C. 844", title="Simple possession", severity_rank=2, max_custody_months=12
    )
    statute.lesser_included.add(lesser)
    foreign = factories.StatuteFactory.create(
        jurisdiction=cn, citation="刑法第264条", title="盗窃罪", max_custody_months=None
    )

    users = {
        Role.PROSECUTOR: make_user(
            "prosecutor", Role.PROSECUTOR, orgs["da"], names=("Morgan", "Reyes")
        ),
        Role.DEFENSE_COUNSEL: make_user(
            "defense", Role.DEFENSE_COUNSEL, orgs["pd"], names=("Sam", "Ortiz")
        ),
        Role.DUTY_LAWYER: make_user("duty", Role.DUTY_LAWYER, orgs["aid"], names=("Kim", "Tanaka")),
        Role.DEFENDANT: make_user("defendant", Role.DEFENDANT, None, names=("Robin", "Vance")),
        Role.JUDGE: make_user("judge", Role.JUDGE, orgs["court"], names=("Helen", "Park")),
        Role.COURT_STAFF: make_user(
            "clerk", Role.COURT_STAFF, orgs["court"], names=("Ben", "Foster")
        ),
    }
    strangers = {
        Role.PROSECUTOR: make_user(
            "other_prosecutor", Role.PROSECUTOR, orgs["da"], names=("Ray", "Quinn")
        ),
        Role.DEFENSE_COUNSEL: make_user(
            "other_defense", Role.DEFENSE_COUNSEL, orgs["pd"], names=("Eve", "Stone")
        ),
        Role.DUTY_LAWYER: make_user(
            "other_duty", Role.DUTY_LAWYER, orgs["aid"], names=("Max", "Hart")
        ),
        Role.DEFENDANT: make_user("other_defendant", Role.DEFENDANT, None, names=("Ivy", "Nolan")),
        Role.JUDGE: make_user("other_judge", Role.JUDGE, None, names=("Gus", "Irwin")),
        Role.COURT_STAFF: make_user("other_clerk", Role.COURT_STAFF, None, names=("Tom", "Webb")),
    }
    for role in (Role.JUDGE, Role.COURT_STAFF):
        case_services.court_member_add(court=court, user=users[role])
        case_services.court_member_add(court=other_court, user=strangers[role])

    prosecutor = users[Role.PROSECUTOR]
    case = case_services.case_open(
        court=court,
        docket_number="1:26-cr-00001",
        caption="United States v. Doe",
        by=prosecutor,
        opened_on=dt.date(2026, 1, 5),
    )
    defendant = factories.DefendantFactory.create(
        first_name="Jane", last_name="Doe", user=users[Role.DEFENDANT]
    )
    # Everyone takes part from the day the case was opened, whatever the real date today.
    joined = case.opened_on
    party_services.participant_add(
        case=case, by=prosecutor, role=Role.DEFENDANT, defendant=defendant, start_date=joined
    )
    # Counsel and the judge are assigned by the court (cases.permissions).
    clerk = users[Role.COURT_STAFF]
    party_services.participant_add(
        case=case,
        by=clerk,
        role=Role.DEFENSE_COUNSEL,
        user=users[Role.DEFENSE_COUNSEL],
        is_lead=True,
        start_date=joined,
    )
    party_services.participant_add(
        case=case, by=clerk, role=Role.DUTY_LAWYER, user=users[Role.DUTY_LAWYER], start_date=joined
    )
    party_services.participant_add(
        case=case,
        by=clerk,
        role=Role.JUDGE,
        user=users[Role.JUDGE],
        is_lead=True,
        start_date=joined,
    )
    case_services.charge_add(
        case=case, statute=statute, by=prosecutor, description="Distribution of fentanyl"
    )

    other_case = case_services.case_open(
        court=court,
        docket_number="1:26-cr-00002",
        caption="United States v. Roe",
        by=strangers[Role.PROSECUTOR],
        opened_on=dt.date(2026, 1, 6),
    )
    case_services.charge_add(case=other_case, statute=statute, by=strangers[Role.PROSECUTOR])
    foreign_case = case_services.case_open(
        court=other_court,
        docket_number="2:26-cr-00003",
        caption="United States v. Poe",
        by=strangers[Role.PROSECUTOR],
        opened_on=dt.date(2026, 1, 7),
    )
    return World(
        court=court,
        other_court=other_court,
        statute=statute,
        lesser_statute=lesser,
        foreign_statute=foreign,
        case=case,
        other_case=other_case,
        foreign_case=foreign_case,
        defendant=defendant,
        users=users,
        strangers=strangers,
        orgs=orgs,
    )


# --- the world, built once per module -----------------------------------------------------------
#
# Building the world is most of what a test costs, so it is built once per test module inside an
# outer transaction that stays open; every test then runs in a savepoint within it (pytest-django's
# `db`), which is rolled back after the test, and gets its own deep copy of the world's objects, as
# Django's TestCase does with setUpTestData. The outer transaction is rolled back at the end of
# the module, and before any test that needs real commits (transactional_db, live_server): those
# build their own world, committed, as before.

# Files that take long (real Celery workers and Redis restarts, a browser, the demo seeded,
# waits on PostgreSQL's horizon, backup and restore), by their durations in `make test`. They are
# handed out first, so that the parallel processes end together rather than one of them working
# through a long file while the other idles.
LONG_FILES = (
    "tests/deadlines/test_alert_worker.py",
    "tests/integrations/test_event_feed.py",
    "tests/browser/",
    "tests/negotiations/test_backup_restore.py",
    "tests/demo/test_seed_demo.py",
    "tests/accounts/test_mfa.py",
    "tests/webhooks/test_webhooks_worker.py",
    "tests/core/test_deployment.py",
    "tests/core/test_api_schemathesis.py",
    "tests/deadlines/test_alert_email.py",
    "tests/negotiations/test_negotiation_tasks.py",
    "tests/negotiations/test_negotiation_concurrency.py",
)


def _long_rank(item: pytest.Item) -> int:
    path = item.nodeid.split("::", 1)[0]
    for rank, prefix in enumerate(LONG_FILES):
        if path.startswith(prefix):
            return rank
    return len(LONG_FILES)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A stable sort: the order inside each file, and of the other files, stays as collected.
    items.sort(key=_long_rank)


T = TypeVar("T")
TRANSACTIONAL_FIXTURES = {"transactional_db", "live_server", "django_db_serialized_rollback"}


def _is_transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or marker.args[:1] == (True,)):
        return True
    return bool(TRANSACTIONAL_FIXTURES & set(getattr(item, "fixturenames", ())))


class SharedRows(Generic[T]):
    """Rows built once and kept in an outer transaction (one per test process) for the tests
    that ask for `fixture`; at most one is open at a time."""

    def __init__(self, fixture: str, build: Callable[[], T]) -> None:
        self.fixture = fixture
        self.build = build
        self.atomic: Any = None
        self.pristine: T | None = None
        SHARED_ROWS.append(self)

    def open(self, blocker: Any) -> T:
        if self.pristine is None:
            for other in SHARED_ROWS:
                other.close(blocker)
            with blocker.unblock():
                atomic = transaction.atomic()
                atomic.__enter__()
                # Marked as the test case's own, so that durable atomic blocks in the code under
                # test are allowed inside it, as they are inside TestCase's.
                connection.atomic_blocks[-1]._from_testcase = True  # type: ignore[attr-defined]
                self.atomic = atomic
                try:
                    self.pristine = self.build()
                except BaseException:
                    self.close(blocker)
                    raise
        assert self.pristine is not None
        return self.pristine

    def close(self, blocker: Any) -> None:
        if self.atomic is None:
            return
        atomic, self.atomic, self.pristine = self.atomic, None, None
        with blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)

    def for_test(self, request: pytest.FixtureRequest, blocker: Any) -> T | None:
        """The shared rows, opened before the test's own savepoint (`db`) when they can be: not
        for a test that commits for real, nor when the test's transaction is already open."""
        if _is_transactional(request.node):
            return None
        if connection.in_atomic_block and self.atomic is None:
            return None
        return self.open(blocker)


SHARED_ROWS: list[SharedRows[Any]] = []
SHARED_WORLD = SharedRows("world", build_world)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Before a test that commits for real, or one that does not ask for the shared rows (it
    expects a database without them), they are rolled back; the next test that asks builds
    them again."""
    names = set(getattr(item, "fixturenames", ()))
    for shared in SHARED_ROWS:
        if shared.atomic is not None and (_is_transactional(item) or shared.fixture not in names):
            shared.close(item.config.stash[blocking_manager_key])


@pytest.fixture(scope="module", autouse=True)
def _shared_rows_per_module(django_db_blocker: Any) -> Iterator[None]:
    yield
    for shared in SHARED_ROWS:
        shared.close(django_db_blocker)


@pytest.fixture
def _shared_world(
    request: pytest.FixtureRequest, django_db_setup: None, django_db_blocker: Any
) -> World | None:
    return SHARED_WORLD.for_test(request, django_db_blocker)


@pytest.fixture
def world(_shared_world: World | None, db: None) -> World:
    if _shared_world is None:
        return build_world()  # in the test's own transaction, or committed for real
    return copy.deepcopy(_shared_world)


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def api_as(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client
