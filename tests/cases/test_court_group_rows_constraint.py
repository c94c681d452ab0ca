"""A court group's permission rows are on its own court's cases, in the database (migration
cases 0017). Every court-wide list finds a court member's rows through the courts they sit in
and then checks guardian's group row (cases.selectors.case_page_for_user, the hearing,
participant, deadline, offer, agreement and event walks): a group row naming another court's
case would let that group see a case its court lists never show, and the lists would disagree
with a single case's page. cases.permissions.case_permissions_grant_court is the one writer;
here every other writer, raw SQL included, is refused, and the rows follow a case moved to
another court, or a court given another group."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, connection, transaction
from django.http import Http404

from cases import selectors
from cases.models import CaseGroupObjectPermission, Court
from parties.models import Role
from tests.conftest import World

ROWS = CaseGroupObjectPermission._meta.db_table


def _refused(sql: str, params: list[Any]) -> None:
    """The statement fails on the database's check (case_group_row_of_case_court)."""
    with (
        pytest.raises(IntegrityError) as refused,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)
    assert refused.value.__cause__.diag.constraint_name == "case_group_row_of_case_court"  # type: ignore[union-attr]


def _groups_of(case_id: int) -> set[int]:
    return set(
        CaseGroupObjectPermission.objects.filter(content_object_id=case_id).values_list(
            "group_id", flat=True
        )
    )


def test_a_row_for_another_courts_group_is_refused(world: World) -> None:
    permission = CaseGroupObjectPermission.objects.filter(content_object=world.case).first()
    assert permission is not None
    _refused(
        f"INSERT INTO {ROWS} (group_id, permission_id, content_object_id) VALUES (%s, %s, %s)",  # noqa: S608
        [world.other_court.group_id, permission.permission_id, world.case.pk],
    )
    assert _groups_of(world.case.pk) == {world.court.group_id}


@pytest.mark.parametrize(
    "change",
    [
        lambda world, row: (
            f"UPDATE {ROWS} SET group_id = %s WHERE id = %s",  # noqa: S608
            [world.other_court.group_id, row.pk],
        ),
        lambda world, row: (
            f"UPDATE {ROWS} SET content_object_id = %s WHERE id = %s",  # noqa: S608
            [world.foreign_case.pk, row.pk],
        ),
    ],
    ids=["group", "case"],
)
def test_a_row_changed_to_another_courts_case_or_group_is_refused(
    world: World, change: object
) -> None:
    row = CaseGroupObjectPermission.objects.filter(content_object=world.case).first()
    assert row is not None
    _refused(*change(world, row))  # type: ignore[operator]
    assert _groups_of(world.case.pk) == {world.court.group_id}


def test_the_rows_follow_a_case_moved_to_another_court(world: World) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cases_case SET court_id = %s WHERE id = %s",
            [world.other_court.pk, world.other_case.pk],
        )
    assert _groups_of(world.other_case.pk) == {world.other_court.group_id}
    # The other court's clerk now sees it; this court's no longer does.
    assert selectors.case_get_for_user(world.strangers[Role.COURT_STAFF], world.other_case.pk)
    with pytest.raises(Http404):
        selectors.case_get_for_user(world.user(Role.COURT_STAFF), world.other_case.pk)


def test_the_rows_follow_a_court_given_another_group(world: World) -> None:
    group = Group.objects.create(name="court:renamed")
    Court.objects.filter(pk=world.court.pk).update(group=group)
    assert _groups_of(world.case.pk) == {group.pk}
    assert _groups_of(world.other_case.pk) == {group.pk}
    assert _groups_of(world.foreign_case.pk) == {world.other_court.group_id}
