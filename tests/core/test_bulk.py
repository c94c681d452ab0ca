"""core.bulk: many rows or values in one parameter, read back by PostgreSQL exactly as sent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from core import bulk
from deadlines.models import Courtroom
from tests.conftest import World

AWKWARD = ["plain", 'a "quoted" word', "back\\slash", "comma, brace {x}", "", "NULL", "沪-12 ü"]


@pytest.mark.django_db
def test_a_text_array_arrives_as_sent() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::text[]", [bulk.text_array(AWKWARD)])
        (back,) = cursor.fetchone()

    assert back == AWKWARD


@pytest.mark.django_db
def test_an_int_array_arrives_as_sent() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::bigint[]", [bulk.int_array([3, 1, 2**40])])
        (back,) = cursor.fetchone()

    assert back == [3, 1, 2**40]


@pytest.mark.django_db
def test_json_rows_carry_text_numbers_nulls_and_moments() -> None:
    moment = dt.datetime(2027, 1, 4, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    rows = [(1, AWKWARD[1], moment, None), (2, AWKWARD[6], moment, dt.date(2027, 1, 4))]
    names = ("n", "t", "m", "d")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT r.n, r.t, r.m, r.d FROM {bulk.recordset(names, ('int', 'text', 'timestamptz', 'date'))} ORDER BY r.n",  # noqa: E501, S608
            [bulk.json_rows(rows, names)],
        )
        back = cursor.fetchall()

    assert back == [(1, AWKWARD[1], moment, None), (2, AWKWARD[6], moment, dt.date(2027, 1, 4))]


def test_rows_insert_returns_the_new_keys_in_the_order_of_the_rows(world: World) -> None:
    names = [f"Room {n}" for n in (3, 1, 2)]

    ids = bulk.rows_insert(
        Courtroom, ("name",), [(name,) for name in names], constants={"court": world.court.pk}
    )

    assert [Courtroom.objects.get(pk=pk).name for pk in ids] == names
    assert {Courtroom.objects.get(pk=pk).court_id for pk in ids} == {world.court.pk}
