"""The pickers' selectors: who may take part in a court's cases in each role, and the
defendants a user may see, found by name (cases.party_selectors.people_who_may_take_part,
defendants_found_for).

The people query is the rule of cases.permissions.participation_refusal written as SQL; the
first tests check, person by person, that the two name the same people for every role in
every court. The last ones pin the plans to the name indexes of migration parties 0008.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import party_selectors as selectors
from cases import party_services
from cases import services as case_services
from cases.models import Court
from cases.permissions import participation_refusal
from integrations import services as integration_services
from parties.models import Defendant, Organization, OrganizationKind, Role
from tests import factories
from tests.conftest import World, make_user

EVERYONE = 10_000


@dataclass
class Crowd:
    """The world, plus people each of whom one part of the rule keeps out of some court."""

    world: World
    cn_court: Court
    cn_prosecutor: User
    cn_defense: User


def _person(username: str, role: str, org: Organization | None, first: str, last: str) -> User:
    user = make_user(username, role, org)
    user.first_name, user.last_name = first, last
    user.save(update_fields=["first_name", "last_name"])
    return user


@pytest.fixture
def crowd(world: World) -> Crowd:
    cn = factories.jurisdiction("cn")
    procuratorate = factories.OrganizationFactory.create(
        name="Haidian Procuratorate", kind=OrganizationKind.PROSECUTOR_OFFICE, jurisdiction=cn
    )
    cn_firm = factories.OrganizationFactory.create(
        name="Beijing Law Firm", kind=OrganizationKind.PRIVATE_FIRM, jurisdiction=cn
    )
    cn_court = case_services.court_create(
        name="Haidian District People's Court", jurisdiction=cn, time_zone="Asia/Shanghai"
    )
    cn_clerk = make_user("cn_clerk", Role.COURT_STAFF, None)
    case_services.court_member_add(court=cn_court, user=cn_clerk)
    cn_prosecutor = _person("cn_prosecutor", Role.PROSECUTOR, procuratorate, "Wei", "Zhang")
    cn_defense = _person("cn_defense", Role.DEFENSE_COUNSEL, cn_firm, "Li", "Wang")
    cn_aid = factories.OrganizationFactory.create(
        name="Haidian Legal Aid", kind=OrganizationKind.LEGAL_AID, jurisdiction=cn
    )
    _person("cn_duty", Role.DUTY_LAWYER, cn_aid, "Min", "Liu")
    # A defendant's login whose account is closed (a defendant takes part as a Defendant, but
    # the rule still reads their login's profile).
    gone = _person("gone_defendant", Role.DEFENDANT, None, "Gone", "Away")
    User.objects.filter(pk=gone.pk).update(is_active=False)
    # No organization: a prosecutor must have one, counsel and duty lawyers need not.
    _person("lone_prosecutor", Role.PROSECUTOR, None, "Lone", "Prosecutor")
    _person("lone_defense", Role.DEFENSE_COUNSEL, None, "Lone", "Counsel")
    _person("lone_duty", Role.DUTY_LAWYER, None, "Lone", "Duty")
    # A judge of both US courts, and one whose account is closed.
    both = _person("circuit_judge", Role.JUDGE, None, "Circe", "Both")
    case_services.court_member_add(court=world.court, user=both)
    case_services.court_member_add(court=world.other_court, user=both)
    retired = _person("retired_judge", Role.JUDGE, world.orgs["court"], "Rita", "Retired")
    case_services.court_member_add(court=world.court, user=retired)
    User.objects.filter(pk=retired.pk).update(is_active=False)
    factories.UserFactory.create(username="no_profile")
    # API clients: their accounts take part only in their own court's cases.
    clerk, other_clerk = world.user(Role.COURT_STAFF), world.strangers[Role.COURT_STAFF]
    for court, staff in ((world.court, clerk), (world.other_court, other_clerk)):
        integration_services.api_client_create(
            court=court, name="Docket system", owner=staff, by=staff
        )
    integration_services.api_client_create(
        court=world.other_court,
        name="Office system",
        owner=world.user(Role.PROSECUTOR),
        by=other_clerk,
        role=Role.PROSECUTOR,
    )
    integration_services.api_client_create(
        court=world.court,
        name="Defender system",
        owner=world.user(Role.DEFENSE_COUNSEL),
        by=clerk,
        role=Role.DEFENSE_COUNSEL,
    )
    return Crowd(world, cn_court, cn_prosecutor, cn_defense)


def found(court: Court, role: str, search: str = "", limit: int = EVERYONE) -> list[User]:
    return list(selectors.people_who_may_take_part(court, role, search=search, limit=limit))


def usernames(people: list[Any]) -> list[str]:
    return [person.get_username() for person in people]


# --- the rule and the query name the same people -------------------------------------------


@pytest.mark.parametrize("court_name", ["court", "other_court", "cn_court"])
@pytest.mark.parametrize("role", list(Role))
def test_the_query_finds_exactly_whom_the_rule_lets_take_part(
    crowd: Crowd, role: Role, court_name: str
) -> None:
    court = getattr(crowd.world, court_name, None) or crowd.cn_court
    everyone = User.objects.select_related("profile__organization", "api_client")
    allowed = {u.pk for u in everyone if participation_refusal(u, role, court) is None}
    refused = {u.pk for u in everyone} - allowed

    assert {person.pk for person in found(court, role)} == allowed
    # Both sides of the rule are at work in this crowd: someone of the role is in, someone out.
    assert refused & set(everyone.filter(profile__role_kind=role).values_list("pk", flat=True))
    if court_name == "court":
        assert allowed


def test_a_prosecutor_of_another_jurisdiction_is_never_found_for_a_us_case(crowd: Crowd) -> None:
    world = crowd.world
    assert "cn_prosecutor" not in usernames(found(world.court, Role.PROSECUTOR))
    assert "cn_prosecutor" not in usernames(found(world.court, Role.PROSECUTOR, "zha"))
    assert "cn_prosecutor" in usernames(found(crowd.cn_court, Role.PROSECUTOR, "zha"))
    assert "cn_defense" not in usernames(found(world.court, Role.DEFENSE_COUNSEL, "wang"))


def test_a_judge_of_another_court_is_never_found(crowd: Crowd) -> None:
    world = crowd.world
    judges = usernames(found(world.court, Role.JUDGE))
    assert "other_judge" not in judges
    assert {"judge", "circuit_judge"} <= set(judges)
    assert "retired_judge" not in judges  # closed account
    assert "other_judge" in usernames(found(world.other_court, Role.JUDGE))


def test_an_api_clients_account_is_found_only_in_its_own_court(crowd: Crowd) -> None:
    world = crowd.world
    staff_here = usernames(found(world.court, Role.COURT_STAFF, "docket"))
    staff_there = usernames(found(world.other_court, Role.COURT_STAFF, "docket"))
    assert len(staff_here) == len(staff_there) == 1
    assert staff_here != staff_there
    assert found(world.court, Role.PROSECUTOR, "office system") == []
    assert len(found(world.other_court, Role.PROSECUTOR, "office system")) == 1


# --- finding by name -----------------------------------------------------------------------


@pytest.fixture
def lees(world: World) -> list[User]:
    da = world.orgs["da"]
    return [
        _person("alee", Role.PROSECUTOR, da, "Ann", "Lee"),
        _person("blee", Role.PROSECUTOR, da, "Bob", "Lee"),
        _person("cleese", Role.PROSECUTOR, da, "John", "Cleese"),
        _person("annabel", Role.PROSECUTOR, da, "Annabel", "Young"),
    ]


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("lee", ["alee", "blee"]),  # last name, ordered by it then the first name
        ("LEE", ["alee", "blee"]),  # whatever the case
        ("ann", ["alee", "annabel"]),  # first name
        ("ann lee", ["alee"]),  # first and last
        ("Lee, Ann", ["alee"]),  # last, first
        ("  lee   ann ", ["alee"]),
        ("clee", ["cleese"]),  # username
        ("ee", []),  # a prefix, not anywhere inside
        ("lee bob x", []),
    ],
)
def test_people_are_found_by_a_prefix_of_their_name_or_username(
    world: World, lees: list[User], search: str, expected: list[str]
) -> None:
    assert usernames(found(world.court, Role.PROSECUTOR, search)) == expected


def test_at_most_limit_people_are_found_in_order_of_last_name(
    world: World, lees: list[User]
) -> None:
    assert usernames(found(world.court, Role.PROSECUTOR, "l", limit=1)) == ["alee"]
    assert usernames(found(world.court, Role.PROSECUTOR, "a", limit=2)) == ["alee", "annabel"]


def test_the_people_search_is_one_query(world: World, lees: list[User]) -> None:
    with CaptureQueriesContext(connection) as queries:
        people = found(world.court, Role.PROSECUTOR, "lee")
        organizations = [str(person.profile.organization) for person in people]
    assert organizations == ["US Attorney", "US Attorney"]
    assert len(queries) == 1


# --- defendants ------------------------------------------------------------------------------


def defendants(user: User, search: str, limit: int = EVERYONE) -> list[Defendant]:
    return list(selectors.defendants_found_for(user, search=search, limit=limit))


@pytest.fixture
def does(world: World) -> dict[str, Defendant]:
    """Defendants named Doe: Jane on the world's case; John on its other case (the court's
    alone); Joan on the case of another court; Jim entered by the prosecutor, on no case."""
    prosecutor, other = world.user(Role.PROSECUTOR), world.strangers[Role.PROSECUTOR]
    john = factories.DefendantFactory.create(first_name="John", last_name="Doe")
    joan = factories.DefendantFactory.create(first_name="Joan", last_name="Doe")
    jim = factories.DefendantFactory.create(
        first_name="Jim", last_name="Doe", created_by=prosecutor
    )
    for case, defendant in ((world.other_case, john), (world.foreign_case, joan)):
        party_services.participant_add(
            case=case, by=other, role=Role.DEFENDANT, defendant=defendant
        )
    return {"jane": world.defendant, "john": john, "joan": joan, "jim": jim}


@pytest.mark.parametrize(
    ("role", "seen"),
    [
        (Role.COURT_STAFF, ["jane", "john"]),  # the court's cases
        (Role.JUDGE, ["jane", "john"]),
        (Role.PROSECUTOR, ["jane", "jim"]),  # their case, and whom they entered
        (Role.DEFENSE_COUNSEL, ["jane"]),
    ],
)
def test_defendants_are_found_only_among_those_the_user_may_see(
    world: World, does: dict[str, Defendant], role: Role, seen: list[str]
) -> None:
    user = world.user(role)
    expected = sorted((does[name] for name in seen), key=lambda d: (d.first_name, d.pk))
    assert defendants(user, "doe") == expected
    visible = selectors.defendants_visible_to(user)
    assert set(defendants(user, "doe")) == set(visible.filter(last_name="Doe"))


def test_defendants_are_found_by_first_or_last_name(
    world: World, does: dict[str, Defendant]
) -> None:
    clerk = world.user(Role.COURT_STAFF)
    assert defendants(clerk, "jo") == [does["john"]]
    assert defendants(clerk, "doe, jane") == [does["jane"]]
    assert defendants(clerk, "JANE D") == [does["jane"]]
    assert defendants(clerk, "oe") == []


def test_a_stranger_finds_no_defendant(world: World, does: dict[str, Defendant]) -> None:
    assert defendants(world.strangers[Role.DEFENSE_COUNSEL], "doe") == []
    assert defendants(world.strangers[Role.JUDGE], "doe") == [does["joan"]]  # their court's


def test_defendants_found_are_limited(world: World, does: dict[str, Defendant]) -> None:
    clerk = world.user(Role.COURT_STAFF)
    assert len(defendants(clerk, "doe", limit=1)) == 1


def test_chinese_names_are_found_by_family_name(world: World) -> None:
    zhang = factories.DefendantFactory.create(first_name="三", last_name="张", created_by=None)
    clerk = make_user("cn_clerk", Role.COURT_STAFF, None)
    cn_court = case_services.court_create(
        name="Haidian", jurisdiction=factories.jurisdiction("cn"), time_zone="Asia/Shanghai"
    )
    case_services.court_member_add(court=cn_court, user=clerk)
    case = case_services.case_open(
        court=cn_court, docket_number="(2026)京0108刑初1号", caption="人民检察院诉张三", by=clerk
    )
    party_services.participant_add(case=case, by=clerk, role=Role.DEFENDANT, defendant=zhang)
    assert defendants(clerk, "张") == [zhang]
    assert defendants(clerk, "张 三") == [zhang]


# --- the plans -------------------------------------------------------------------------------


def plan_of(rows: Any) -> str:
    """The plan of the one statement that reading `rows` runs, with sequential scans off (on a
    tiny table PostgreSQL would rightly scan it)."""
    with CaptureQueriesContext(connection) as queries:
        list(rows)
    (query,) = queries.captured_queries
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + query["sql"])
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize(
    ("model", "key", "index"),
    [
        (User, "first_last", "auth_user_first_last_search"),
        (User, "last_first", "auth_user_last_first_search"),
        (User, "login", "auth_user_username_search"),
        (Defendant, "first_last", "defendant_first_last_search"),
        (Defendant, "last_first", "defendant_last_first_search"),
    ],
)
def test_each_name_key_is_read_from_its_index(
    db: None, model: type[Any], key: str, index: str
) -> None:
    # The key as the selectors spell it and the index as the migration does must agree, or
    # PostgreSQL reads the whole table.
    rows = selectors._with_name_keys(model.objects.all())
    if model is User:
        rows = rows.alias(login=selectors._NameKey("username"))
    plan = plan_of(rows.filter(selectors._starts(key, "lee a")).values("pk"))
    assert f"Index Scan using {index}" in plan or f"Index Scan on {index}" in plan, plan


def test_the_clerks_defendant_search_walks_the_name_indexes_and_stops(
    world: World, does: dict[str, Defendant]
) -> None:
    plan = plan_of(
        selectors.defendants_found_for(world.user(Role.COURT_STAFF), search="do", limit=21)
    )
    for index in ("defendant_first_last_search", "defendant_last_first_search"):
        scan = plan.index(f"Index Scan using {index}")
        walk = plan[plan.rindex("Limit", 0, scan) : scan]
        assert "Sort" not in walk, plan  # read in the index's order, as far as the limit
    assert "One-Time Filter" in plan  # the walks start only for someone who sits in a court
