"""Court staff's list of participations (GET /api/v1/participants/ for a judge or a clerk), at
the size of a court system: a page is a walk of the court's participations along
participant_court_id (court_id, id) from the cursor, newest first, each row checked against
the reader's visibility, never a test of the table's rows against a court's every case. And it
holds exactly the participations the reader may see (participants_visible_to), in the list's
order.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from cases import party_selectors
from parties.models import Role
from tests.conftest import ROLES, World
from tests.court_list_plans import assert_walks_court_index

COURT_ROLES = [Role.JUDGE, Role.COURT_STAFF]
# A page as the cursor pagination sends it (newest first, one row more than a page), a later
# page from a cursor, and a page of one case (the list's `case` filter).
PAGES = [
    lambda rows, world: rows.order_by("-id")[:51],
    lambda rows, world: rows.filter(id__lt=2**40).order_by("-id")[:51],
    lambda rows, world: rows.filter(role=Role.DEFENSE_COUNSEL).order_by("-id")[:51],
]


def everyone(world: World) -> list[User]:
    return [*(world.user(r) for r in ROLES), *(world.strangers[r] for r in ROLES)]


@pytest.mark.parametrize("role", COURT_ROLES)
@pytest.mark.parametrize("page", PAGES)
def test_court_staffs_participant_page_walks_the_court(world: World, role: str, page: Any) -> None:
    rows = party_selectors.participants_listed_for_user(world.user(role))
    assert_walks_court_index(page(rows, world), "parties_caseparticipant", "participant_court_id")


def test_everyone_lists_the_participations_they_may_see(world: World) -> None:
    for user in everyone(world):
        listed = party_selectors.participants_listed_for_user(user).order_by("-id")
        visible = party_selectors.participants_visible_to(user).order_by("-id")
        assert list(listed) == list(visible), user
    judge = party_selectors.participants_listed_for_user(world.user(Role.JUDGE))
    assert set(judge.values_list("case_id", flat=True)) == {world.case.pk, world.other_case.pk}


def test_court_staffs_list_is_two_statements(world: World, django_assert_num_queries: Any) -> None:
    """The courts to walk, then the page."""
    with django_assert_num_queries(2):
        rows = party_selectors.participants_listed_for_user(world.user(Role.COURT_STAFF))
        list(rows.order_by("-id")[:51])


def test_a_participations_court_is_its_cases(world: World) -> None:
    """The court_id the list walks (migration parties 0009) is the case's court, set by the
    database whoever writes the row, and follows the case if its court changes."""
    from django.db import connection

    from cases.models import Case

    def courts() -> set[tuple[int, int]]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT p.court_id, c.court_id FROM parties_caseparticipant p"
                " JOIN cases_case c ON c.id = p.case_id"
            )
            return set(cursor.fetchall())

    assert courts() and all(mine == cases for mine, cases in courts())
    with connection.cursor() as cursor:  # a hand-written court is overwritten
        cursor.execute("UPDATE parties_caseparticipant SET court_id = %s", [world.other_court.pk])
    assert all(mine == cases for mine, cases in courts())
    Case.objects.filter(pk=world.case.pk).update(court=world.other_court)
    assert all(mine == cases for mine, cases in courts())
    assert (world.other_court.pk, world.other_court.pk) in courts()
