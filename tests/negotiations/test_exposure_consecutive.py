"""Consecutive mandatory terms in an offer's exposure, through the API and the offer page.

USSG §5G1.2(a): "the sentence to be imposed on a count for which the statute (1) specifies a
term of imprisonment to be imposed; and (2) requires that such term of imprisonment be imposed
to run consecutively to any other term of imprisonment, shall be determined by that statute
and imposed independently." 18 U.S.C. § 1028A(b)(2): "no term of imprisonment imposed on a
person under this section shall run concurrently with any other term of imprisonment". The
catalogue says which statutes those are (cases/migrations/0007)."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.urls import reverse

from cases import services as case_services
from cases.models import Case, Statute
from negotiations import services
from negotiations.services import OfferInput, TermInput
from parties.models import Role
from tests import factories
from tests.conftest import World, api_as
from tests.negotiation_helpers import charge_of

pytestmark = pytest.mark.django_db


def wire_fraud_case(world: World) -> Case:
    """Wire fraud (18 U.S.C. § 1343, at most 20 years) and aggravated identity theft (§ 1028A,
    2 years consecutive), as the catalogue holds them."""
    prosecutor = world.user(Role.PROSECUTOR)
    case = case_services.case_open(
        court=world.court,
        docket_number="1:26-cr-00417",
        caption="United States v. Vale",
        by=prosecutor,
    )
    wire = factories.StatuteFactory.create(citation="18 U.S.C. 1343", title="Wire fraud")
    theft = factories.StatuteFactory.create(
        citation="18 U.S.C. 1028A",
        title="Aggravated identity theft",
        min_custody_months=24,
        max_custody_months=24,
        mandatory_minimum_months=24,
        mandatory_term_consecutive=True,
    )
    case_services.charge_add(case=case, statute=wire, by=prosecutor)
    case_services.charge_add(case=case, statute=theft, by=prosecutor)
    return case


def exposure_of_offer(world: World, case: Case, **contents: Any) -> dict[str, Any]:
    prosecutor = world.user(Role.PROSECUTOR)
    offer = services.offer_create(case=case, by=prosecutor, data=OfferInput(**contents))
    response = api_as(prosecutor).get(reverse("offer-exposure", args=[offer.pk]))
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def test_trial_exposure_adds_the_identity_theft_term_to_the_wire_fraud_range(world: World) -> None:
    """Level 15, category I: 18-24 months for wire fraud; plus 24 consecutive months, 42-48 at
    trial. The plea to wire fraud alone (§ 1028A dismissed): level 15 - 2 = 13 (below 16,
    §3E1.1(b) cannot apply), 12-18 months. Trial penalty 45 / 15."""
    case = wire_fraud_case(world)
    theft_count = case.charges.get(count_number=2)
    exposure = exposure_of_offer(
        world,
        case,
        terms=[TermInput(theft_count.pk, "dismiss")],
        offense_level=15,
        criminal_history_category="I",
    )
    assert exposure["trial_expected"] == {"low": 42, "high": 48, "text": "42\u201348 months"}
    assert exposure["trial_statutory"]["low"] == 24
    assert exposure["plea_expected"] == {"low": 12, "high": 18, "text": "12\u201318 months"}
    assert exposure["trial_penalty"] == pytest.approx(45 / 15)


def test_plea_to_both_counts_keeps_the_consecutive_term(world: World) -> None:
    """Plea to both counts at level 15, category I: level 13, 12-18 + 24 = 36-42 months."""
    case = wire_fraud_case(world)
    exposure = exposure_of_offer(world, case, offense_level=15, criminal_history_category="I")
    assert exposure["plea_expected"] == {"low": 36, "high": 42, "text": "36\u201342 months"}
    assert exposure["plea_applicable"] == exposure["plea_expected"]
    assert exposure["trial_penalty"] == pytest.approx(45 / 39)


def test_recommendation_below_the_consecutive_total_is_a_below_range_concession(
    world: World,
) -> None:
    """A recommendation of 30 months on a plea to both counts (level 15, category I) is 6
    below the 36 months the range starts at once the 24 consecutive months are added
    (12 + 24)."""
    case = wire_fraud_case(world)
    offer = services.offer_create(
        case=case,
        by=world.user(Role.PROSECUTOR),
        data=OfferInput(
            custody_min_months=30,
            custody_max_months=30,
            offense_level=15,
            criminal_history_category="I",
        ),
    )
    assert offer.concessions.get(kind="below_range").months_below == 6


def test_offer_page_shows_the_consecutive_term(world: World, client: Any) -> None:
    case = wire_fraud_case(world)
    prosecutor = world.user(Role.PROSECUTOR)
    offer = services.offer_create(
        case=case,
        by=prosecutor,
        data=OfferInput(offense_level=15, criminal_history_category="I"),
    )
    client.force_login(prosecutor)
    body = client.get(reverse("negotiations:offer", args=[offer.pk])).content.decode()
    assert "42\u201348 months" in body
    assert "runs consecutively to every other term" in body


def test_migration_marks_1028a_and_924c_consecutive(world: World) -> None:
    """The catalogue's data migration marks § 1028A and § 924(c), and nothing else."""
    migration = importlib.import_module("cases.migrations.0007_statute_mandatory_term_consecutive")
    firearm = factories.StatuteFactory.create(citation="18 U.S.C. 924(c)(1)(A)(i)")
    theft = factories.StatuteFactory.create(citation="18 U.S.C. § 1028A")
    Statute.objects.filter(pk__in=[firearm.pk, theft.pk]).update(mandatory_term_consecutive=False)
    migration.mark(apps, None)
    consecutive = set(
        Statute.objects.filter(mandatory_term_consecutive=True).values_list("pk", flat=True)
    )
    assert consecutive == {firearm.pk, theft.pk}
    assert charge_of(world.case).statute.pk not in consecutive


def test_two_identity_theft_counts_add_one_to_two_terms(world: World) -> None:
    """§ 1028A(b)(4): terms under the section may run concurrently with one another. Two
    § 1028A counts with wire fraud at level 15, category I (18-24 months): 42-72 at trial."""
    case = wire_fraud_case(world)
    theft = case.charges.get(count_number=2).statute
    Statute.objects.filter(pk=theft.pk).update(consecutive_terms_concurrent_with_each_other=True)
    case_services.charge_add(case=case, statute=theft, by=world.user(Role.PROSECUTOR))
    exposure = exposure_of_offer(world, case, offense_level=15, criminal_history_category="I")
    assert exposure["trial_expected"]["text"] == "42\u201372 months"
    assert exposure["trial_statutory"]["text"] == "24\u2013288 months"


def test_migration_lets_1028a_terms_run_concurrently_with_each_other(world: World) -> None:
    migration = importlib.import_module(
        "cases.migrations.0010_statute_consecutive_terms_concurrent"
    )
    theft = factories.StatuteFactory.create(citation="18 U.S.C. 1028A")
    firearm = factories.StatuteFactory.create(citation="18 U.S.C. 924(c)(1)(A)(i)")
    migration.mark(apps, None)
    theft.refresh_from_db()
    firearm.refresh_from_db()
    assert theft.consecutive_terms_concurrent_with_each_other
    assert not firearm.consecutive_terms_concurrent_with_each_other
