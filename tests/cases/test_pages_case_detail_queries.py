"""The case page costs the same number of queries whatever the number of charges, parties
and status changes on it."""

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import party_services
from cases import services as case_services
from cases.models import CaseStatus
from parties.models import Role
from tests import factories
from tests.conftest import World, make_user


def grow_case(world: World, extra: int) -> None:
    """Add `extra` charges, prosecutors and defendants to the world's case."""
    prosecutor = world.user(Role.PROSECUTOR)
    for n in range(extra):
        case_services.charge_add(case=world.case, statute=world.lesser_statute, by=prosecutor)
        colleague = make_user(f"ada{n}", Role.PROSECUTOR, world.orgs["da"])
        party_services.participant_add(
            case=world.case, by=prosecutor, role=Role.PROSECUTOR, user=colleague
        )
        party_services.participant_add(
            case=world.case,
            by=prosecutor,
            role=Role.DEFENDANT,
            defendant=factories.DefendantFactory.create(),
        )


def queries_for_case_page(client: Client, world: World) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("cases:detail", args=[world.case.pk]))
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("role", [Role.PROSECUTOR, Role.COURT_STAFF, Role.DEFENSE_COUNSEL])
def test_case_page_queries_do_not_grow_with_charges_and_parties(
    client: Client, world: World, role: Any
) -> None:
    client.force_login(world.user(role))
    case_services.case_transition(
        case=world.case, to_status=CaseStatus.NEGOTIATING, by=world.user(Role.PROSECUTOR)
    )
    small = queries_for_case_page(client, world)
    grow_case(world, 25)
    # Two more rows of status history, back in the same status so the same forms show.
    judge = world.user(Role.JUDGE)
    case_services.case_transition(case=world.case, to_status=CaseStatus.AGREEMENT, by=judge)
    case_services.case_transition(case=world.case, to_status=CaseStatus.NEGOTIATING, by=judge)
    assert queries_for_case_page(client, world) == small
