"""Chinese offers against the statutory range of the offence, through the service, the API and
the pages (cn profile; statutes carry their range, penalty kind and fine as data).

2021 Guiding Opinions on Sentencing for Common Crimes, part II: the starting point is fixed
"根据基本犯罪构成事实在相应的法定刑幅度内" (within the statutory range of the offence), and
the baseline from it; III(14): "具有自首、重大坦白、退赃退赔、赔偿谅解、刑事和解等情节的，可以
减少基准刑的60%以下，犯罪较轻的，可以减少基准刑的60%以上或者依法免除处罚". Criminal Law art.
133-1 (dangerous driving): "处拘役，并处罚金"; art. 42: 拘役 is one to six months. Art. 266
(fraud, large amount): "处三年以下有期徒刑、拘役或者管制，并处或者单处罚金". 2019 Guiding
Opinions on the leniency system, art. 33: normally a fixed term (确定刑), and for a fine "提出
确定的数额"."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cases.models import Charge, PenaltyKind, Statute
from negotiations.models import Offer
from tests import factories
from tests.api_negotiation_helpers import url
from tests.conftest import World, api_as
from tests.negotiation_helpers import CnCase, cn_case

pytestmark = pytest.mark.django_db

SOURCE = "Guiding Opinions on Sentencing for Common Crimes (2021), part II"


def cn_case_of(world: World, statute: Statute) -> CnCase:
    cn = cn_case(world)
    Charge.objects.filter(pk=cn.charge.pk).update(statute=statute)
    return cn


def dangerous_driving(world: World) -> CnCase:
    statute = factories.StatuteFactory.create(
        jurisdiction=factories.jurisdiction("cn"),
        citation="刑法第133条之一",
        title="危险驾驶罪",
        min_custody_months=1,
        max_custody_months=6,
        penalty_kind=PenaltyKind.CRIMINAL_DETENTION,
        fine_applies=True,
    )
    return cn_case_of(world, statute)


def fraud(world: World) -> CnCase:
    statute = factories.StatuteFactory.create(
        jurisdiction=factories.jurisdiction("cn"),
        citation="刑法第266条",
        title="诈骗罪",
        min_custody_months=0,
        max_custody_months=36,
        fine_applies=True,
    )
    return cn_case_of(world, statute)


def post_offer(cn: CnCase, **body: Any) -> Any:
    return api_as(cn.prosecutor).post(
        url("offer-list"),
        {"case": cn.case.pk, "leniency_stage": "prosecution_review", **body},
        format="json",
    )


def test_a_36_month_baseline_for_dangerous_driving_is_refused(world: World) -> None:
    cn = dangerous_driving(world)
    response = post_offer(cn, baseline_months=36, custody_min_months=5, custody_max_months=5)
    assert response.status_code == 400
    assert response.json() == {
        "baseline_months": [
            "The baseline must lie within the statutory range of the offence: 1\u20136 months "
            f"of criminal detention (拘役) for 刑法第133条之一 ({SOURCE})."
        ]
    }


def test_a_baseline_below_the_statutory_minimum_is_refused(world: World) -> None:
    response = post_offer(dangerous_driving(world), baseline_months=0)
    assert response.status_code == 400
    assert list(response.json()) == ["baseline_months"]


def test_a_baseline_at_the_statutory_maximum_is_accepted(world: World) -> None:
    """6 months less 20% at prosecution review is 4.8, rounded up to 5: 5-6 months."""
    response = post_offer(
        dangerous_driving(world),
        baseline_months=6,
        custody_min_months=5,
        custody_max_months=5,
        fine="2000.00",
    )
    assert response.status_code == 201, response.json()
    exposure = response.json()["exposure"]
    assert exposure["plea_guideline"]["text"] == "5\u20136 months"
    assert exposure["warnings"] == []


def test_a_minor_crime_with_restitution_may_reach_exemption(world: World) -> None:
    """With restitution, a minor crime may go from the 6-month baseline down to 0."""
    response = post_offer(
        dangerous_driving(world),
        baseline_months=6,
        leniency_circumstances=["restitution", "minor_crime"],
    )
    assert response.status_code == 201, response.json()
    assert response.json()["exposure"]["plea_guideline"] == {
        "low": 0,
        "high": 6,
        "text": "0\u20136 months",
    }


def test_a_range_without_the_fine_is_warned(world: World) -> None:
    response = post_offer(
        fraud(world), baseline_months=30, custody_min_months=24, custody_max_months=30
    )
    assert response.status_code == 201, response.json()
    assert response.json()["exposure"]["warnings"] == [
        "A recommendation is normally a fixed term (确定刑), not a range of 24\u201330 months; a "
        "range is for new, uncommon or complex serious cases (2019 Guiding Opinions on the "
        "leniency system, art. 33).",
        "刑法第266条 carries a fine: the recommendation normally states its amount (2019 Guiding "
        "Opinions on the leniency system, art. 33).",
    ]


def test_a_fixed_term_with_the_fine_is_not_warned(world: World) -> None:
    response = post_offer(
        fraud(world),
        baseline_months=30,
        custody_min_months=24,
        custody_max_months=24,
        fine="10000.00",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["exposure"]["warnings"] == []


def test_the_statute_api_shows_the_penalty_kind_and_the_fine(world: World) -> None:
    cn = dangerous_driving(world)
    statute = Charge.objects.get(pk=cn.charge.pk).statute
    body = api_as(cn.prosecutor).get(reverse("statute-detail", args=[statute.pk])).json()
    assert (body["penalty_kind"], body["fine_applies"]) == ("criminal_detention", True)


def test_the_compose_page_shows_the_refusal_beside_the_baseline(
    client: Client, world: World
) -> None:
    cn = dangerous_driving(world)
    client.force_login(cn.prosecutor)
    page = client.get(reverse("negotiations:offer-new", args=[cn.case.pk])).content.decode()
    assert 'value="minor_crime"' in page
    response = client.post(
        reverse("negotiations:offer-new", args=[cn.case.pk]),
        {"baseline_months": "36", "leniency_stage": "prosecution_review", "rationale": "认罪认罚"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_baseline_months_error"' in body
    # The prosecutor of a Chinese procuratorate reads Chinese (their office's language).
    assert "为拘役 1\u20136 个月" in body
    assert not Offer.objects.filter(case=cn.case).exists()


def test_the_offer_page_shows_the_warnings(client: Client, world: World) -> None:
    cn = fraud(world)
    offer_id = post_offer(
        cn, baseline_months=30, custody_min_months=24, custody_max_months=30
    ).json()["id"]
    client.force_login(cn.prosecutor)
    page = client.get(reverse("negotiations:offer", args=[offer_id])).content.decode()
    assert "可处罚金：量刑建议一般应当载明罚金数额" in page
