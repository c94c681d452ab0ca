"""A hearing is held in a courtroom of its case's court, in the database (migration deadlines
0014): the court's lists find a court's hearings through its courtrooms, so a hearing in
another court's courtroom would be shown to that court and hidden from its own. The services
refuse it with a message (tests/deadlines/test_hearings.py); here every other writer, raw SQL
included, is refused too."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from deadlines.models import Courtroom, Hearing
from tests import deadline_helpers as dh
from tests.conftest import World


def _refused(sql: str, params: list[Any]) -> None:
    """The statement fails on the database's check (hearing_courtroom_of_case_court)."""
    with (
        pytest.raises(IntegrityError) as refused,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)
    assert refused.value.__cause__.diag.constraint_name == "hearing_courtroom_of_case_court"  # type: ignore[union-attr]


_INSERT = (
    "INSERT INTO deadlines_hearing (kind, starts_at, ends_at, status, notes, sequence,"
    " created_at, updated_at, case_id, courtroom_id, created_by_id)"
    " VALUES ('status_conference', %s, %s, 'scheduled', '', 0, now(), now(), %s, %s, %s)"
)


def _insert(case_id: int, room: Courtroom, by: int) -> tuple[str, list[Any]]:
    starts = dt.datetime(2027, 3, 2, 9, tzinfo=dt.UTC)
    return _INSERT, [starts, starts + dt.timedelta(hours=1), case_id, room.pk, by]


@pytest.fixture
def foreign_room(world: World) -> Courtroom:
    return dh.courtroom(world, "Courtroom 9", court=world.other_court)


def test_a_hearing_written_in_another_courts_courtroom_is_refused(
    world: World, foreign_room: Courtroom
) -> None:
    _refused(*_insert(world.case.pk, foreign_room, dh.clerk(world).pk))
    assert not Hearing.objects.filter(courtroom=foreign_room).exists()


def test_a_hearing_in_its_own_courts_courtroom_is_written(world: World) -> None:
    with connection.cursor() as cursor:
        cursor.execute(*_insert(world.case.pk, dh.courtroom(world), dh.clerk(world).pk))
    assert Hearing.objects.filter(case=world.case).count() == 1


@pytest.mark.parametrize(
    "move",
    [
        # To another court's courtroom.
        lambda world, hearing, room: (
            "UPDATE deadlines_hearing SET courtroom_id = %s WHERE id = %s",
            [room.pk, hearing.pk],
        ),
        # To a case of another court, in the same courtroom.
        lambda world, hearing, room: (
            "UPDATE deadlines_hearing SET case_id = %s WHERE id = %s",
            [world.foreign_case.pk, hearing.pk],
        ),
        # Its case moved to another court, the hearing left in the old court's courtroom.
        lambda world, hearing, room: (
            "UPDATE cases_case SET court_id = %s WHERE id = %s",
            [world.other_court.pk, world.case.pk],
        ),
        # Its courtroom handed to another court.
        lambda world, hearing, room: (
            "UPDATE deadlines_courtroom SET court_id = %s WHERE id = %s",
            [world.other_court.pk, hearing.courtroom_id],
        ),
    ],
    ids=["courtroom", "case", "case-court", "courtroom-court"],
)
def test_a_change_that_would_put_a_hearing_in_another_courts_courtroom_is_refused(
    world: World,
    foreign_room: Courtroom,
    move: Callable[[World, Hearing, Courtroom], tuple[str, list[Any]]],
) -> None:
    hearing = dh.hearing(world)
    _refused(*move(world, hearing, foreign_room))
    hearing.refresh_from_db()
    assert hearing.case_id == world.case.pk
    assert hearing.courtroom.court_id == world.case.court_id == world.court.pk


def test_a_case_without_hearings_may_move_and_an_empty_courtroom_too(world: World) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cases_case SET court_id = %s WHERE id = %s",
            [world.other_court.pk, world.other_case.pk],
        )
        cursor.execute(
            "UPDATE deadlines_courtroom SET court_id = %s WHERE id = %s",
            [world.other_court.pk, dh.courtroom(world, "Courtroom 5").pk],
        )
    world.other_case.refresh_from_db()
    assert world.other_case.court_id == world.other_court.pk
