"""`CaseParticipant.objects.held_by(user)` is under every party's read (offers, events, the
dashboard, permissions, alerts, calendar feeds), so at the size of a court system it must be read
through indexes: the user's own participations by user_id, their participations as a defendant by
the defendant's id, found by its unique user index. An OR across the defendant join reads every
participation and every defendant instead (about 1.2 s at 3,000,000 participations).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import QuerySet

from cases import party_services
from cases.models import Case
from parties.models import CaseParticipant, Defendant, Role
from tests.conftest import World

PARTICIPANTS = "parties_caseparticipant"
DEFENDANTS = "parties_defendant"


# A court's worth of people on file, a little of one: enough that reading a few rows by index
# is cheaper than reading a table, or an index, whole (the world alone is a dozen rows).
FILLER = 3000


@pytest.fixture
def on_file(world: World) -> World:
    """Filler people, defendants and participations (on world.other_case), and fresh statistics;
    rolled back with the test."""
    with connection.cursor() as cursor:
        # Filler, consistent by construction: no audit rows, no per-row foreign key triggers.
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "INSERT INTO auth_user (password, is_superuser, username, first_name, last_name,"
            " email, is_staff, is_active, date_joined)"
            " SELECT '!', false, 'filler-' || g, '', '', '', false, true, now()"
            " FROM generate_series(1, %s) g",
            [FILLER],
        )
        cursor.execute(
            "INSERT INTO parties_defendant (first_name, last_name, custody_status,"
            " preferred_language, interpreter_needed, citizenship_status, created_at, user_id)"
            " SELECT 'Filler', g::text, 'released', 'English', false, 'unknown', now(), NULL"
            " FROM generate_series(1, %s) g",
            [FILLER],
        )
        cursor.execute(
            "INSERT INTO parties_caseparticipant (case_id, role, side, is_lead, start_date,"
            " created_at, user_id, defendant_id)"
            " SELECT %s, 'defense_counsel', 'defense', false, now(), now(), id, NULL"
            " FROM auth_user WHERE username LIKE 'filler-%%'",
            [world.other_case.pk],
        )
        cursor.execute(
            "INSERT INTO parties_caseparticipant (case_id, role, side, is_lead, start_date,"
            " created_at, user_id, defendant_id)"
            " SELECT %s, 'defendant', 'defense', false, now(), now(), NULL, id"
            " FROM parties_defendant WHERE first_name = 'Filler'",
            [world.other_case.pk],
        )
        cursor.execute("SET LOCAL session_replication_role = origin")
        cursor.execute("ANALYZE auth_user, parties_defendant, parties_caseparticipant")
    return world


def _plan(queryset: QuerySet[Any]) -> dict[str, Any]:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        (row,) = cursor.fetchall()
    document = row[0] if isinstance(row[0], list) else json.loads(row[0])
    plan: dict[str, Any] = document[0]["Plan"]
    return plan


def _nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [plan, *(node for child in plan.get("Plans", []) for node in _nodes(child))]


def _leading_column(index: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.attname FROM pg_class i JOIN pg_index x ON x.indexrelid = i.oid"
            " JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = x.indkey[0]"
            " WHERE i.relname = %s",
            [index],
        )
        row = cursor.fetchone()
    return str(row[0]) if row else ""


def _index_reads(plan: dict[str, Any], table: str) -> set[str]:
    """The columns every read of `table` in `plan` looks up by equality on the leading column of
    an index; fails on a read that is not such a lookup (a sequential scan, or an index read
    whole or past its leading column)."""
    lookups: list[tuple[str, str | None]] = []
    for node in _nodes(plan):
        if node.get("Relation Name") != table:
            continue
        kind = node["Node Type"]
        if kind in ("Index Scan", "Index Only Scan"):
            lookups.append((node["Index Name"], node.get("Index Cond")))
        elif kind == "Bitmap Heap Scan":
            lookups += [
                (leaf["Index Name"], leaf.get("Index Cond"))
                for leaf in _nodes(node)
                if leaf["Node Type"] == "Bitmap Index Scan"
            ]
        else:
            raise AssertionError(f"{table} read by a {kind}")
    columns: set[str] = set()
    for index, condition in lookups:
        leading = _leading_column(index)
        assert condition and f"({leading} = " in condition, f"{index} read by {condition}"
        columns.add(leading)
    return columns


def _assert_both_branches_by_index(queryset: QuerySet[Any]) -> None:
    plan = _plan(queryset)
    shown = json.dumps(plan, indent=1)
    assert {"user_id", "defendant_id"} <= _index_reads(plan, PARTICIPANTS), shown
    assert _index_reads(plan, DEFENDANTS) == {"user_id"}, shown


def test_participations_are_read_by_user_and_by_defendant_index(on_file: World) -> None:
    _assert_both_branches_by_index(CaseParticipant.objects.held_by(on_file.user(Role.DEFENDANT)))


def test_the_case_ids_of_active_participations_are_read_by_index(on_file: World) -> None:
    """As the dashboard, calendar feeds and alert planning use it: the ids of a person's cases
    inside a statement on cases."""
    mine = CaseParticipant.objects.held_by(on_file.user(Role.PROSECUTOR)).active()
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
