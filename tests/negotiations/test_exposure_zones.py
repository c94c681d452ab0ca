"""Sentencing zones in an offer's exposure (USSG Ch. 5, Pt. A; §5B1.1; §5C1.1): the API and the
offer page show the zone of the plea's range and what it allows, and warn when the offer
recommends probation or a split sentence the zone does not allow.

§5B1.1(a): probation is authorized if "(1) the applicable guideline range is in Zone A of the
Sentencing Table; or (2) the applicable guideline range is in Zone B of the Sentencing Table and
the court imposes a condition or combination of conditions requiring intermittent
confinement, community confinement, or home detention as provided in subsection (c)(3) of
§5C1.1". §5C1.1(f): "If the applicable guideline range is in Zone D of the Sentencing Table,
the minimum term shall be satisfied by a sentence of imprisonment."

world.case pled to the lesser offence (21 U.S.C. 844, up to 12 months) without the motion
for the third level; ranges from the Sentencing Table, category I."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from parties.models import Role
from tests.api_negotiation_helpers import offer_body, url
from tests.conftest import World, api_as
from tests.negotiation_helpers import cn_case, draft_offer

pytestmark = pytest.mark.django_db


def exposure_for(world: World, **changes: Any) -> dict[str, Any]:
    body = offer_body(world, criminal_history_category="I", **changes)
    response = api_as(world.user(Role.PROSECUTOR)).post(url("offer-list"), body, format="json")
    assert response.status_code == 201, response.json()
    exposure: dict[str, Any] = response.json()["exposure"]
    return exposure


def test_probation_in_zone_a_is_allowed_without_a_warning(world: World) -> None:
    """Level 8 - 2 = 6: 0-6 months, Zone A."""
    exposure = exposure_for(
        world, offense_level=8, custody_min_months=0, custody_max_months=0, probation_months=24
    )
    assert exposure["plea_zone"] == {
        "name": "A",
        "probation": True,
        "probation_with_confinement": True,
        "split_sentence": True,
        "authority": "USSG §5B1.1(a)(1), §5C1.1(b)",
    }
    assert exposure["warnings"] == []


def test_probation_alone_in_zone_b_is_warned(world: World) -> None:
    """Level 12 - 2 = 10: 6-12 months, Zone B: probation only with confinement conditions."""
    exposure = exposure_for(
        world,
        offense_level=12,
        custody_min_months=None,
        custody_max_months=None,
        probation_months=36,
    )
    assert exposure["plea_zone"]["name"] == "B"
    assert exposure["warnings"] == [
        "Zone B (6\u201312 months): probation only with a condition of intermittent "
        "confinement, community confinement or home detention (USSG §5B1.1(a)(2), §5C1.1(c))."
    ]


def test_probation_in_zone_c_is_warned(world: World) -> None:
    """Level 14 - 2 = 12: 10-16 months, cut to 10-12 by the statutory maximum of 12
    (§5G1.1(c)): a minimum of 10 months, Zone C."""
    exposure = exposure_for(
        world, offense_level=14, custody_min_months=0, custody_max_months=0, probation_months=36
    )
    assert exposure["plea_applicable"]["text"] == "10\u201312 months"
    assert exposure["plea_zone"]["name"] == "C"
    assert exposure["warnings"] == [
        "Zone C (10\u201312 months): the guidelines do not allow probation (USSG §5C1.1(d)); "
        "the offer recommends it."
    ]


def test_split_sentence_in_zone_d_is_warned(world: World) -> None:
    """Pled as charged to 21 U.S.C. 841(a)(1) (60-month minimum): 60 months, Zone D."""
    exposure = exposure_for(
        world,
        terms=[],
        offense_level=12,
        custody_min_months=30,
        custody_max_months=30,
        probation_months=24,
    )
    assert exposure["plea_zone"]["name"] == "D"
    assert exposure["plea_zone"]["split_sentence"] is False
    assert exposure["warnings"] == [
        "Zone D (60 months): the minimum term must be served in prison (USSG §5C1.1(f)); the "
        "offer recommends custody with probation."
    ]


def test_offer_page_shows_the_zone_and_the_warning(client: Client, world: World) -> None:
    offer = draft_offer(
        world,
        offense_level=14,
        criminal_history_category="I",
        custody_min_months=0,
        custody_max_months=0,
        probation_months=36,
    )
    client.force_login(world.user(Role.PROSECUTOR))
    page = client.get(reverse("negotiations:offer", args=[offer.pk])).content.decode()
    assert "Zone C" in page
    assert "the guidelines do not allow probation (USSG §5C1.1(d))" in page
    assert 'class="alert alert--warning"' in page


def test_a_profile_without_zones_shows_none(world: World) -> None:
    """The cn profile has no zones: a leniency range has none."""
    cn = cn_case(world)
    response = api_as(cn.prosecutor).post(
        url("offer-list"),
        {
            "case": cn.case.pk,
            "baseline_months": 36,
            "leniency_stage": "trial",
            "probation_months": 12,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["exposure"]["plea_zone"] is None
    assert response.json()["exposure"]["warnings"] == []


# --- USSG §5B1.1(b)(1): no probation for a Class A or B felony ---------------------------------
#
# §5B1.1(b): "A sentence of probation may not be imposed in the event: (1) the offense of
# conviction is a Class A or B felony, 18 U.S.C. § 3561(a)(1)". 18 U.S.C. 3559(a): an offense
# whose maximum is "(1) life imprisonment, or if the maximum penalty is death, as a Class A
# felony; (2) twenty-five years or more, as a Class B felony; (3) less than twenty-five years
# but ten or more years, as a Class C felony". Armed bank robbery, 18 U.S.C. 2113(d), carries
# "not more than twenty-five years" (Class B); bank robbery, 2113(a), "not more than twenty
# years" (Class C). Level 8 is Zone A, where the zones alone allow probation.


@pytest.mark.parametrize(
    ("citation", "max_months", "warned"),
    [
        ("18 U.S.C. 2113(d)", 300, True),  # Class B
        ("18 U.S.C. 1111(b)", None, True),  # life: Class A
        ("18 U.S.C. 2113(a)", 240, False),  # Class C
    ],
)
def test_probation_for_a_class_a_or_b_felony_is_warned(
    world: World, citation: str, max_months: int | None, warned: bool
) -> None:
    from cases import services as case_services
    from tests import factories
    from tests.negotiation_helpers import charge_of

    statute = factories.StatuteFactory.create(
        citation=citation, title="Robbery", max_custody_months=max_months
    )
    count = case_services.charge_add(
        case=world.case, statute=statute, by=world.user(Role.PROSECUTOR)
    )
    exposure = exposure_for(
        world,
        terms=[
            {"charge": charge_of(world.case).pk, "disposition": "dismiss"},
            {"charge": count.pk, "disposition": "as_charged"},
        ],
        offense_level=8,
        custody_min_months=0,
        custody_max_months=0,
        probation_months=24,
    )

    expected = (
        [
            f"Probation is not authorized: {citation} carries a statutory maximum of life or of "
            "300 months or more (USSG §5B1.1(b)(1); 18 U.S.C. 3561(a)(1), 3559(a)(1)-(2)); the "
            "offer recommends probation."
        ]
        if warned
        else []
    )
    assert exposure["warnings"] == expected
