"""The third level of acceptance of responsibility is the government's motion, which an offer
states (USSG §3E1.1(b)), through the service, the API and the compose page.

USSG §3E1.1: "(a) If the defendant clearly demonstrates acceptance of responsibility for his
offense, decrease the offense level by 2 levels. (b) If the defendant qualifies for a decrease
under subsection (a), the offense level determined prior to the operation of subsection (a) is
level 16 or greater, and upon motion of the government stating that the defendant has assisted
authorities in the investigation or prosecution of his own misconduct by timely notifying
authorities of his intention to enter a plea of guilty, ... decrease the offense level by 1
additional level."

world.case: one count, 21 U.S.C. 841(a)(1). Ranges from the Sentencing Table (Ch. 5 Pt. A),
category II: level 24 57-71, 22 46-57, 21 41-51; 15 21-27, 13 15-21."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from negotiations import services
from negotiations.models import Offer
from parties.models import Role
from tests.api_negotiation_helpers import offer_body, url
from tests.conftest import World, api_as
from tests.negotiation_helpers import cn_case, draft_offer
from tests.pages_negotiation_helpers import offer_form

pytestmark = pytest.mark.django_db


def posted(world: World, **changes: Any) -> dict[str, Any]:
    response = api_as(world.user(Role.PROSECUTOR)).post(
        url("offer-list"), offer_body(world, terms=[], **changes), format="json"
    )
    assert response.status_code == 201, response.json()
    body: dict[str, Any] = response.json()
    return body


def test_an_offer_without_the_motion_takes_off_two_levels(world: World) -> None:
    """Level 24 without the motion: 24 - 2 = 22, 46-57 months."""
    body = posted(world)
    assert body["acceptance_motion"] is False
    assert body["exposure"]["plea_guideline"]["text"] == "46\u201357 months"
    assert (
        "No further level under USSG §3E1.1(b): the government does not move for it."
        in (body["exposure"]["notes"])
    )


def test_the_governments_motion_takes_off_a_third_level_from_level_16(world: World) -> None:
    """Level 24 with the motion: 24 - 3 = 21, 41-51 months."""
    body = posted(world, acceptance_motion=True)
    assert body["acceptance_motion"] is True
    assert body["exposure"]["plea_guideline"]["text"] == "41\u201351 months"


def test_the_motion_does_nothing_below_level_16(world: World) -> None:
    """Level 15 with the motion: (b) needs level 16 or greater, so 15 - 2 = 13, 15-21."""
    body = posted(world, acceptance_motion=True, offense_level=15)
    assert body["exposure"]["plea_guideline"]["text"] == "15\u201321 months"
    assert (
        "The government's motion under USSG §3E1.1(b) takes a further level off only from "
        "offense level 16." in body["exposure"]["notes"]
    )


def test_level_16_exactly_qualifies(world: World) -> None:
    """Level 16 is "level 16 or greater": level 16 with the motion is 13, 15-21 (category II)."""
    offer = draft_offer(world, terms=[], offense_level=16, acceptance_motion=True)
    exposure = api_as(world.user(Role.PROSECUTOR)).get(url("offer-exposure", offer.pk)).json()
    assert exposure["plea_guideline"]["text"] == "15\u201321 months"


def test_patch_keeps_the_motion_unless_it_is_given(world: World) -> None:
    offer = draft_offer(world, acceptance_motion=True)
    client = api_as(world.user(Role.PROSECUTOR))
    response = client.patch(url("offer-detail", offer.pk), {"rationale": "x"}, format="json")
    assert response.status_code == 200
    assert response.json()["acceptance_motion"] is True


def test_a_profile_without_the_guidelines_refuses_the_motion(world: World) -> None:
    cn = cn_case(world)
    with pytest.raises(services.ValidationError) as refused:
        services.offer_create(
            case=cn.case,
            by=cn.prosecutor,
            data=services.OfferInput(
                baseline_months=36, leniency_stage="trial", acceptance_motion=True
            ),
        )
    assert list(refused.value.message_dict) == ["acceptance_motion"]


def test_the_compose_page_asks_for_the_motion_and_saves_it(client: Client, world: World) -> None:
    client.force_login(world.user(Role.PROSECUTOR))
    page = client.get(reverse("negotiations:offer-new", args=[world.case.pk])).content.decode()
    assert 'name="acceptance_motion"' in page
    response = client.post(
        reverse("negotiations:offer-new", args=[world.case.pk]),
        offer_form(world, acceptance_motion="on"),
    )
    assert response.status_code == 302
    assert Offer.objects.get(case=world.case).acceptance_motion is True


def test_the_compose_page_saves_no_motion_when_unticked(client: Client, world: World) -> None:
    client.force_login(world.user(Role.PROSECUTOR))
    client.post(reverse("negotiations:offer-new", args=[world.case.pk]), offer_form(world))
    assert Offer.objects.get(case=world.case).acceptance_motion is False
