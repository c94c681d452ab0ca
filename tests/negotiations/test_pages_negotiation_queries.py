"""The offer review page and the negotiation page cost a fixed number of queries, whatever the
number of rounds: the same with one round as with five, for every reader.

What the numbers are made of (offer review, for a negotiator): session, user; the offer with its
terms and concessions (3); the reader's roles (1); the counts as filed, for the page and for the
exposure (2); the rounds before and after (1); the header's profile and organization (2).
The defendant's header has no organization (one fewer). The negotiation page: session, user,
case; roles (2: the selector checks them, the page reads them); the rounds with their terms and
concessions (3); suggestions; agreements; the header (2); defense counsel also gets the suggest
form's list of rounds (1). Every page also counts the header's unread notifications (1), and
asks whether an agreement is in force, which closes the talks (1).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from negotiations import services
from parties.models import Role
from tests.conftest import World
from tests.negotiation_helpers import counter_input, plea_input
from tests.pages_negotiation_helpers import rounds

OFFER_REVIEW = {Role.PROSECUTOR: 13, Role.DEFENSE_COUNSEL: 13, Role.DEFENDANT: 12}
# The facts a permission rests on are read once per GET request (core.reads).
NEGOTIATION = {Role.PROSECUTOR: 13, Role.DEFENSE_COUNSEL: 14, Role.DEFENDANT: 12}


@pytest.mark.parametrize("n", [1, 5])
@pytest.mark.parametrize("role", list(OFFER_REVIEW))
def test_offer_review_queries_do_not_grow_with_rounds(
    client: Client, world: World, django_assert_num_queries: Any, role: Role, n: int
) -> None:
    last = rounds(world, n)
    client.force_login(world.user(role))
    with django_assert_num_queries(OFFER_REVIEW[role]):
        response = client.get(reverse("negotiations:offer", args=[last.pk]))
    assert response.status_code == 200
    assert f"Round {n}:" in response.content.decode()


@pytest.mark.parametrize("n", [1, 5])
@pytest.mark.parametrize("role", list(NEGOTIATION))
def test_negotiation_page_queries_do_not_grow_with_rounds(
    client: Client, world: World, django_assert_num_queries: Any, role: Role, n: int
) -> None:
    rounds(world, n)
    client.force_login(world.user(role))
    with django_assert_num_queries(NEGOTIATION[role]):
        response = client.get(reverse("negotiations:negotiation", args=[world.case.pk]))
    assert response.status_code == 200
    assert response.content.decode().count('class="round round--') == n


def _case_page_queries(client: Client, world: World) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("cases:detail", args=[world.case.pk]))
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("role", [Role.PROSECUTOR, Role.DEFENSE_COUNSEL, Role.JUDGE])
def test_case_page_negotiation_section_does_not_grow_with_rounds(
    client: Client, world: World, role: Role
) -> None:
    client.force_login(world.user(role))
    last = rounds(world, 1)
    one = _case_page_queries(client, world)
    # Four more rounds, the last live again, as in the one-round case.
    for n in range(4):
        if n % 2 == 0:
            last = services.offer_counter(
                offer=last, by=world.user(Role.DEFENSE_COUNSEL), data=counter_input(world)
            )
        else:
            last = services.offer_counter(
                offer=last, by=world.user(Role.PROSECUTOR), data=plea_input(world), response="No."
            )
    assert _case_page_queries(client, world) == one
