"""Personas and a small world shared by the suite.

`world` builds one court with one case on which every role takes part ("own case"), a second
case in the same court that none of the party personas are on ("other case"), a third case in
another court, and strangers of every kind who are on no case at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import factory.random
import pytest
from django.contrib.auth.models import User
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


def make_user(username: str, role: str, org: Organization | None) -> User:
    user = factories.UserFactory.create(username=username)
    profile_set(user=user, role_kind=role, organization=org)
    return User.objects.select_related("profile").get(pk=user.pk)


@pytest.fixture(autouse=True)
def same_names_every_run(request: Any) -> None:
    """Factories draw names from Faker: seeded from the test's id, a test sees the same people
    in every run and on every worker, whatever ran before it."""
    factory.random.reseed_random(request.node.nodeid)


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


@pytest.fixture
def world(db: Any) -> World:
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
        Role.PROSECUTOR: make_user("prosecutor", Role.PROSECUTOR, orgs["da"]),
        Role.DEFENSE_COUNSEL: make_user("defense", Role.DEFENSE_COUNSEL, orgs["pd"]),
        Role.DUTY_LAWYER: make_user("duty", Role.DUTY_LAWYER, orgs["aid"]),
        Role.DEFENDANT: make_user("defendant", Role.DEFENDANT, None),
        Role.JUDGE: make_user("judge", Role.JUDGE, orgs["court"]),
        Role.COURT_STAFF: make_user("clerk", Role.COURT_STAFF, orgs["court"]),
    }
    strangers = {
        Role.PROSECUTOR: make_user("other_prosecutor", Role.PROSECUTOR, orgs["da"]),
        Role.DEFENSE_COUNSEL: make_user("other_defense", Role.DEFENSE_COUNSEL, orgs["pd"]),
        Role.DUTY_LAWYER: make_user("other_duty", Role.DUTY_LAWYER, orgs["aid"]),
        Role.DEFENDANT: make_user("other_defendant", Role.DEFENDANT, None),
        Role.JUDGE: make_user("other_judge", Role.JUDGE, None),
        Role.COURT_STAFF: make_user("other_clerk", Role.COURT_STAFF, None),
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


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def api_as(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client
