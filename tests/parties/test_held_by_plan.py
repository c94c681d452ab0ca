"""`CaseParticipant.objects.held_by(user)` is under every party's read (offers, events, the
dashboard, permissions, alerts, calendar feeds), so at the size of a court system it must be read
through indexes: the user's own participations by user_id, their participations as a defendant by
the defendant's id, found by its unique user index. An OR across the defendant join reads every
participation and every defendant instead (about 1.2 s at 3,000,000 participations).
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from cases import party_services
from cases.models import Case
from parties.models import CaseParticipant, Defendant, Role
from tests.conftest import World
from tests.list_plans import statement_plan

PARTICIPANTS = "parties_caseparticipant"
DEFENDANTS = "parties_defendant"


def _plan(queryset: QuerySet[Any]) -> dict[str, Any]:
    """Planned as at a court system's size (tests.list_plans.plan_at_size: row counts and
    column statistics set inside the test's transaction), whatever earlier tests left in the
    tables: the planner's choice then does not depend on the order the suite runs in."""
    sql, params = queryset.query.sql_with_params()
    return statement_plan(sql, params)


def _nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [plan, *(node for child in plan.get("Plans", []) for node in _nodes(child))]


def _index_conditions(plan: dict[str, Any], table: str) -> list[str]:
    """The index conditions every read of `table` in `plan` goes through; fails on a read of it
    that no index condition drives (a sequential scan, or an index read whole)."""
    conditions: list[str] = []
    for node in _nodes(plan):
        if node.get("Relation Name") != table:
            continue
        kind = node["Node Type"]
        if kind == "Bitmap Heap Scan":
            leaves = [leaf for leaf in _nodes(node) if leaf["Node Type"] == "Bitmap Index Scan"]
        elif kind in ("Index Scan", "Index Only Scan"):
            leaves = [node]
        else:
            raise AssertionError(f"{table} read by a {kind}")
        for leaf in leaves:
            assert "Index Cond" in leaf, f"{table} read whole through {leaf['Index Name']}"
            conditions.append(leaf["Index Cond"])
    return conditions


def _assert_both_branches_by_index(queryset: QuerySet[Any]) -> None:
    plan = _plan(queryset)
    shown = json.dumps(plan, indent=1)
    participations = _index_conditions(plan, PARTICIPANTS)
    assert any("(user_id = " in c for c in participations), shown
    assert any("(defendant_id = " in c for c in participations), shown
    assert any("(user_id = " in c for c in _index_conditions(plan, DEFENDANTS)), shown


def test_participations_are_read_by_user_and_by_defendant_index(world: World) -> None:
    _assert_both_branches_by_index(CaseParticipant.objects.held_by(world.user(Role.DEFENDANT)))


def test_the_case_ids_of_active_participations_are_read_by_index(world: World) -> None:
    """As the dashboard, calendar feeds and alert planning use it: the ids of a person's cases
    inside a statement on cases."""
    mine = CaseParticipant.objects.held_by(world.user(Role.PROSECUTOR)).active()
    _assert_both_branches_by_index(Case.objects.filter(pk__in=mine.values("case_id")))


def test_a_person_holds_their_own_and_their_defendants_participations(world: World) -> None:
    prosecutor = world.user(Role.PROSECUTOR)
    clerk = world.user(Role.COURT_STAFF)
    # The prosecutor is also the accused on another case, under a login of their own.
    accused = Defendant.objects.create(first_name="Morgan", last_name="Reyes", user=prosecutor)
    as_defendant = party_services.participant_add(
        case=world.other_case,
        by=world.strangers[Role.PROSECUTOR],
        role=Role.DEFENDANT,
        defendant=accused,
    )
    own = CaseParticipant.objects.get(case=world.case, user=prosecutor)
    assert set(CaseParticipant.objects.held_by(prosecutor)) == {own, as_defendant}

    party_services.participant_end(participant=as_defendant, by=clerk)
    held = CaseParticipant.objects.held_by(prosecutor)
    assert set(held) == {own, as_defendant}
    assert set(held.active()) == {own}


def test_a_defendants_login_holds_the_defendants_participation(world: World) -> None:
    (held,) = CaseParticipant.objects.held_by(world.user(Role.DEFENDANT))
    assert held.defendant == world.defendant
    assert held.case == world.case


def test_strangers_and_anonymous_visitors_hold_nothing(world: World) -> None:
    assert not CaseParticipant.objects.held_by(world.strangers[Role.DEFENDANT]).exists()
    assert not CaseParticipant.objects.held_by(AnonymousUser()).exists()


# --- the courts of a person's cases ---------------------------------------------------------


def test_the_courts_of_a_persons_cases_are_read_from_the_participation_court_indexes(
    world: World,
) -> None:
    """cases.selectors.court_ids_of_user reads the court column of the person's participations
    (parties migration 0009) through (user_id, court_id) and (defendant_id, court_id): through
    each participation's case it read every case of a prosecutor's (21 ms for 2,330 cases)."""
    from cases import selectors
    from tests.list_plans import assert_no_big_table_read_whole

    user = world.user(Role.PROSECUTOR)
    plan = statement_plan(selectors._COURT_IDS_OF_USER_SQL, {"user": user.pk})
    shown = json.dumps(plan, indent=1)
    reads = [node for node in _nodes(plan) if node.get("Relation Name") == PARTICIPANTS]
    assert {node.get("Index Name") for node in reads} == {
        "participant_user_court",
        "participant_defendant_court",
    }, shown
    assert all(node["Node Type"] == "Index Only Scan" for node in reads), shown
    assert "cases_case" not in shown
    assert_no_big_table_read_whole(plan)
    assert selectors.court_ids_of_user(user) == [world.case.court_id]


def test_a_reader_who_sits_in_no_court_never_reads_the_courts_of_their_cases(
    world: World,
) -> None:
    """cases.party_selectors.courts_listed_for: the courts of a person's own cases matter only
    to a member of a court; for anyone else a one-time filter, decided before the scan, skips
    reading them (12 ms a list for a prosecutor with 2,330 cases)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cases import party_selectors

    prosecutor = world.user(Role.PROSECUTOR)
    with CaptureQueriesContext(connection) as captured:
        assert party_selectors.courts_listed_for(prosecutor) == []
    (query,) = captured.captured_queries
    plan = statement_plan(query["sql"])
    shown = json.dumps(plan, indent=1)
    filtered = [node for node in _nodes(plan) if "One-Time Filter" in node]
    assert filtered, shown
    assert any(
        node.get("Relation Name") == "cases_caseuserobjectpermission"
        for one_time in filtered
        for node in _nodes(one_time)
    ), shown


# --- the ids of a person's cases, for the lists driven from them ----------------------------


def test_the_cases_held_in_some_roles_are_read_from_the_index_alone(world: World) -> None:
    """CaseParticipant.objects.case_ids_held_by, under the offers, suggestions and agreements
    lists: the user's own participations from participant_one_active_user_role (user_id,
    case_id, role over the active ones; an Index Only Scan: as an OR with the defendant's
    branch it was a bitmap that visited every participation's heap page, 12 ms for 2,330
    cases), the defendant's by the defendant's indexes. Which of the participations' user_id
    indexes the planner takes at the test's size depends on what earlier tests left in those
    indexes' own statistics (tests.list_plans fakes the tables', not the indexes'): it is
    participant_one_active_user_role, index only, at 1,000,000 cases (bench EXPLAIN ANALYZE),
    and here any index led by user_id. What must not come back is the two branches read as one
    condition (a BitmapOr), or a participation read by no index.
    """
    from negotiations.selectors import _cases_held

    user = world.user(Role.PROSECUTOR)
    held = CaseParticipant.objects.case_ids_held_by(user, [Role.PROSECUTOR, Role.DEFENDANT])
    plan = _plan(held)
    shown = json.dumps(plan, indent=1)
    conditions = _index_conditions(plan, PARTICIPANTS)  # fails on a read by no index
    assert any("(user_id = " in c for c in conditions), shown
    assert any("(defendant_id = " in c for c in conditions), shown
    assert "BitmapOr" not in shown, shown
    assert {row["case_id"] for row in _cases_held(user, frozenset({Role.PROSECUTOR}))} == {
        world.case.pk
    }


def test_the_cases_held_are_those_of_the_active_participations_in_those_roles(
    world: World,
) -> None:
    prosecutor = world.user(Role.PROSECUTOR)
    accused = Defendant.objects.create(first_name="Morgan", last_name="Reyes", user=prosecutor)
    party_services.participant_add(
        case=world.other_case,
        by=world.strangers[Role.PROSECUTOR],
        role=Role.DEFENDANT,
        defendant=accused,
    )
    for roles in ([Role.PROSECUTOR], [Role.DEFENDANT], [Role.PROSECUTOR, Role.DEFENDANT], []):
        expected = set(
            CaseParticipant.objects.held_by(prosecutor)
            .active()
            .filter(role__in=roles)
            .values_list("case_id", flat=True)
        )
        found = {
            row["case_id"] for row in CaseParticipant.objects.case_ids_held_by(prosecutor, roles)
        }
        assert found == expected, roles
    both = CaseParticipant.objects.case_ids_held_by(prosecutor, [Role.PROSECUTOR, Role.DEFENDANT])
    assert {row["case_id"] for row in both} == {world.case.pk, world.other_case.pk}
    ended = CaseParticipant.objects.get(case=world.other_case, defendant=accused)
    party_services.participant_end(participant=ended, by=world.user(Role.COURT_STAFF))
    assert {
        row["case_id"]
        for row in CaseParticipant.objects.case_ids_held_by(prosecutor, [Role.DEFENDANT])
    } == set()
    assert not CaseParticipant.objects.case_ids_held_by(AnonymousUser(), [Role.DEFENDANT])
