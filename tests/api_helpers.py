"""What the API test files share: who sees which case of the world, and cheap bulk rows.

The expectations are written out here rather than read from cases.permissions, so a change of
rule shows up as a failing test, not as a silent change of the API.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.auth.models import Group, Permission, User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Case, CaseGroupObjectPermission, CaseUserObjectPermission, Court
from parties.models import Role
from tests.conftest import ROLES, World

T = TypeVar("T")

# An id no row has; bigint-sized, so the database is really asked.
MISSING_ID = 2_000_000_000

# Everyone in the world: the personas on the own case ("party") and the strangers.
PERSONAS = [(who, role) for who in ("party", "stranger") for role in ROLES]
PERSONA_IDS = [f"{who}-{role}" for who, role in PERSONAS]

# Which of the world's three cases each persona sees.
SEES: dict[tuple[str, str], set[str]] = {
    ("party", Role.PROSECUTOR): {"case"},
    ("party", Role.DEFENSE_COUNSEL): {"case"},
    ("party", Role.DUTY_LAWYER): {"case"},
    ("party", Role.DEFENDANT): {"case"},
    # The court sees every case it hears, through its group.
    ("party", Role.JUDGE): {"case", "other_case"},
    ("party", Role.COURT_STAFF): {"case", "other_case"},
    # The stranger prosecutor opened the other two cases, so leads both.
    ("stranger", Role.PROSECUTOR): {"other_case", "foreign_case"},
    ("stranger", Role.DEFENSE_COUNSEL): set(),
    ("stranger", Role.DUTY_LAWYER): set(),
    ("stranger", Role.DEFENDANT): set(),
    # Judge and clerk of the other court.
    ("stranger", Role.JUDGE): {"foreign_case"},
    ("stranger", Role.COURT_STAFF): {"foreign_case"},
}
WORLD_CASES = ("case", "other_case", "foreign_case")

# Roles whose holders may change, charge and staff a case they see: the prosecution, and court
# staff who keep the docket of their court (cases.permissions.COURT_STAFF_PERMISSIONS).
CASE_MANAGERS = [Role.PROSECUTOR, Role.COURT_STAFF]
# Roles whose holders may move a case along its workflow: the managers and the judge, who rules
# on its course (the court group holds view and transition only, COURT_GROUP_PERMISSIONS).
CASE_MOVERS = [Role.PROSECUTOR, Role.JUDGE, Role.COURT_STAFF]
# Roles that only read a case.
READ_ONLY = [Role.DEFENSE_COUNSEL, Role.DUTY_LAWYER, Role.DEFENDANT]
# Roles that see a case but may not change, charge or staff it: the readers and the judge.
NOT_CASE_MANAGERS = [*READ_ONLY, Role.JUDGE]

# The roles in which each role may add and end participations on a case it manages
# (cases.permissions.PARTICIPANT_ROLE_MANAGERS): the prosecution its own prosecutors and the
# defendant it charges; the court everyone. Counsel, duty lawyers and the court's own people
# are assigned and released by the court alone.
PARTICIPANT_ROLES_MANAGED_BY: dict[str, list[str]] = {
    Role.PROSECUTOR: [Role.PROSECUTOR, Role.DEFENDANT],
    Role.COURT_STAFF: list(ROLES),
}
COURT_ONLY_PARTICIPANT_ROLES = [
    Role.DEFENSE_COUNSEL,
    Role.DUTY_LAWYER,
    Role.JUDGE,
    Role.COURT_STAFF,
]


def persona(world: World, who: str, role: str) -> User:
    return world.users[Role(role)] if who == "party" else world.strangers[Role(role)]


def world_case(world: World, name: str) -> Case:
    case: Case = getattr(world, name)
    return case


def cases_seen(world: World, who: str, role: str) -> set[Case]:
    return {world_case(world, name) for name in SEES[(who, role)]}


def cases_unseen(world: World, who: str, role: str) -> set[Case]:
    return {world_case(world, name) for name in WORLD_CASES} - cases_seen(world, who, role)


def ids(response: Any) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


def counting_queries(call: Callable[[], T]) -> tuple[T, int]:
    with CaptureQueriesContext(connection) as queries:
        result = call()
    return result, len(queries)


def view_permission() -> Permission:
    return Permission.objects.get(codename="view_case", content_type__app_label="cases")


def bulk_cases(court: Court, n: int, *, prefix: str = "8:26-cr") -> list[Case]:
    """`n` bare cases in `court`, in one INSERT; grant access with the functions below."""
    return Case.objects.bulk_create(
        Case(
            court=court,
            docket_number=f"{prefix}-{i:05d}",
            caption=f"United States v. Many {i}",
            opened_on=dt.date(2026, 2, 1),
        )
        for i in range(n)
    )


def bulk_grant_view(
    cases: list[Case], *, user: User | None = None, group: Group | None = None
) -> None:
    """What participant_add or case_open would grant for viewing, written in one INSERT."""
    perm = view_permission()
    if user is not None:
        CaseUserObjectPermission.objects.bulk_create(
            CaseUserObjectPermission(user=user, permission=perm, content_object=case)
            for case in cases
        )
    if group is not None:
        CaseGroupObjectPermission.objects.bulk_create(
            CaseGroupObjectPermission(group=group, permission=perm, content_object=case)
            for case in cases
        )
