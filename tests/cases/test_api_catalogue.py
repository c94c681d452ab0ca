"""The catalogue every signed-in user reads: statutes, organizations, courts, jurisdictions.

It is public law and public institutions, maintained in the admin; the API only reads it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from cases.models import Court, Jurisdiction, OffenceClass, Statute
from parties.models import Organization, OrganizationKind, Role
from tests import factories
from tests.api_helpers import MISSING_ID, PERSONA_IDS, PERSONAS, counting_queries, ids, persona
from tests.conftest import World, api_as

CATALOGUE = ["statute", "organization", "court", "jurisdiction"]

# Statutes: one SELECT, and one for the lesser included offences of the whole page.
STATUTE_LIST_QUERIES = 2
COURT_LIST_QUERIES = 1
JURISDICTION_LIST_QUERIES = 1
ORGANIZATION_LIST_QUERIES = 1


def list_url(name: str, **params: Any) -> str:
    query = urlencode(params, doseq=True)
    return reverse(f"{name}-list") + (f"?{query}" if query else "")


def detail_url(name: str, pk: object) -> str:
    return reverse(f"{name}-detail", args=[pk])


def first_row(world: World, name: str) -> int:
    return {
        "statute": world.statute.pk,
        "organization": world.orgs["da"].pk,
        "court": world.court.pk,
        "jurisdiction": world.court.jurisdiction_id,
    }[name]


def catalogue_rows() -> tuple[Any, ...]:
    return tuple(
        list(model.objects.values().order_by("pk"))
        for model in (Statute, Organization, Court, Jurisdiction)
    )


# --- everyone reads, no one writes -------------------------------------------------------


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_everyone_signed_in_reads_the_whole_catalogue(world: World, who: str, role: str) -> None:
    client = api_as(persona(world, who, role))

    counts = {name: len(ids(client.get(list_url(name)))) for name in CATALOGUE}
    details = {
        name: client.get(detail_url(name, first_row(world, name))).status_code for name in CATALOGUE
    }

    # The jurisdictions are the shipped profiles (us-fed, cn, cn-reform; cases/data/profiles.json).
    assert counts == {"statute": 3, "organization": 4, "court": 2, "jurisdiction": 3}
    assert details == dict.fromkeys(CATALOGUE, 200)


@pytest.mark.parametrize("name", CATALOGUE)
def test_catalogue_is_read_only(world: World, name: str) -> None:
    client = api_as(world.user(Role.COURT_STAFF))
    before = catalogue_rows()
    row = detail_url(name, first_row(world, name))

    answers = [
        client.post(list_url(name), {"name": "New"}, format="json"),
        client.put(row, {"name": "New"}, format="json"),
        client.patch(row, {"name": "New"}, format="json"),
        client.delete(row),
    ]

    assert [r.status_code for r in answers] == [405] * 4
    assert catalogue_rows() == before


@pytest.mark.parametrize("name", CATALOGUE)
@pytest.mark.parametrize("bad_id", [str(MISSING_ID), "abc", "99999999999999999999"])
def test_unknown_catalogue_entry_is_a_404(db: None, name: str, bad_id: str) -> None:
    response = api_as(factories.UserFactory.create()).get(detail_url(name, bad_id))

    assert (response.status_code, response.json()["code"]) == (404, "not_found")


# --- statutes ----------------------------------------------------------------------------


def test_statute_shows_its_range_and_lesser_included_offences(world: World) -> None:
    response = api_as(world.user(Role.DEFENSE_COUNSEL)).get(detail_url("statute", world.statute.pk))

    body = response.json()
    assert {
        k: body[k]
        for k in (
            "citation",
            "min_custody_months",
            "max_custody_months",
            "mandatory_minimum_months",
            "lesser_included",
        )
    } == {
        "citation": "21 U.S.C. 841(a)(1)",
        "min_custody_months": 60,
        "max_custody_months": 240,
        "mandatory_minimum_months": 60,
        "lesser_included": [world.lesser_statute.pk],
    }


def test_statutes_filtered_by_jurisdiction(world: World) -> None:
    client = api_as(world.user(Role.PROSECUTOR))
    cn = world.foreign_statute.jurisdiction

    by_code = ids(client.get(list_url("statute", jurisdiction_code="cn")))
    by_id = ids(client.get(list_url("statute", jurisdiction=cn.pk)))

    assert by_code == by_id == [world.foreign_statute.pk]


@pytest.mark.parametrize(
    ("q", "expected"),
    [("841", "statute"), ("possession", "lesser_statute"), ("盗窃", "foreign_statute")],
)
def test_statutes_searched_by_citation_or_title(world: World, q: str, expected: str) -> None:
    response = api_as(world.user(Role.JUDGE)).get(list_url("statute", q=q))

    assert ids(response) == [getattr(world, expected).pk]


def test_statutes_filtered_by_offence_class(world: World) -> None:
    misdemeanor = factories.StatuteFactory.create(offence_class=OffenceClass.MISDEMEANOR)

    response = api_as(world.user(Role.JUDGE)).get(list_url("statute", offence_class="misdemeanor"))

    assert ids(response) == [misdemeanor.pk]


@pytest.mark.parametrize(
    "params", [{"jurisdiction": MISSING_ID}, {"offence_class": "petty"}, {"jurisdiction": "x"}]
)
def test_bad_statute_filter_is_a_400(world: World, params: dict[str, Any]) -> None:
    response = api_as(world.user(Role.JUDGE)).get(list_url("statute", **params))

    assert (response.status_code, list(response.json())) == (400, list(params))


def test_statute_list_query_count_is_the_same_for_one_and_fifty(world: World) -> None:
    client = api_as(world.user(Role.PROSECUTOR))
    url = list_url("statute", jurisdiction_code="cn")
    one, queries_for_one = counting_queries(lambda: client.get(url))

    cn = world.foreign_statute.jurisdiction
    more = Statute.objects.bulk_create(
        Statute(
            jurisdiction=cn,
            citation=f"刑法第{300 + i}条",
            title="罪",
            offence_class=OffenceClass.ORDINARY,
            severity_rank=3,
        )
        for i in range(49)
    )
    Statute.lesser_included.through.objects.bulk_create(
        Statute.lesser_included.through(from_statute=s, to_statute=world.foreign_statute)
        for s in more
    )
    fifty, queries_for_fifty = counting_queries(lambda: client.get(url))

    assert (len(ids(one)), len(ids(fifty))) == (1, 50)
    assert queries_for_one == queries_for_fifty == STATUTE_LIST_QUERIES


# --- courts, jurisdictions, organizations ------------------------------------------------


def test_court_shows_its_jurisdiction_and_time_zone(world: World) -> None:
    response = api_as(world.user(Role.DEFENDANT)).get(detail_url("court", world.court.pk))

    assert response.json() == {
        "id": world.court.pk,
        "name": "District Court",
        "jurisdiction": world.court.jurisdiction_id,
        "jurisdiction_code": "us-fed",
        "subdivision": "",
        "time_zone": "America/New_York",
    }


def test_courts_filtered_by_jurisdiction(world: World) -> None:
    cn = world.foreign_statute.jurisdiction
    shanghai = factories.CourtFactory.create(jurisdiction=cn, time_zone="Asia/Shanghai")
    client = api_as(world.user(Role.JUDGE))

    assert ids(client.get(list_url("court", jurisdiction=cn.pk))) == [shanghai.pk]


def test_jurisdiction_profile_says_what_may_be_negotiated(world: World) -> None:
    cn = world.foreign_statute.jurisdiction

    body = api_as(world.user(Role.DUTY_LAWYER)).get(detail_url("jurisdiction", cn.pk)).json()

    assert {
        k: body[k]
        for k in (
            "code",
            "charges_negotiable",
            "sentence_negotiable",
            "witness_required_for_signing",
            "court_sees_offers_before_agreement",
        )
    } == {
        "code": "cn",
        "charges_negotiable": False,
        "sentence_negotiable": True,
        "witness_required_for_signing": True,
        "court_sees_offers_before_agreement": False,
    }
    assert body["parameters"]["leniency_max_reduction"] == 0.30


def test_organizations_filtered_by_kind(world: World) -> None:
    response = api_as(world.user(Role.PROSECUTOR)).get(
        list_url("organization", kind=OrganizationKind.LEGAL_AID)
    )

    assert ids(response) == [world.orgs["aid"].pk]


def test_court_list_query_count_is_the_same_for_two_and_fifty(world: World) -> None:
    client = api_as(world.user(Role.JUDGE))
    two, queries_for_two = counting_queries(lambda: client.get(list_url("court")))

    groups = Group.objects.bulk_create(Group(name=f"court:bulk {i}") for i in range(48))
    Court.objects.bulk_create(
        Court(
            name=f"Bulk Court {i}",
            jurisdiction_id=world.court.jurisdiction_id,
            time_zone="UTC",
            group=g,
        )
        for i, g in enumerate(groups)
    )
    fifty, queries_for_fifty = counting_queries(lambda: client.get(list_url("court")))

    assert (len(ids(two)), len(ids(fifty))) == (2, 50)
    assert queries_for_two == queries_for_fifty == COURT_LIST_QUERIES


def test_jurisdiction_list_query_count_is_the_same_for_the_shipped_and_fifty(
    world: World,
) -> None:
    client = api_as(world.user(Role.JUDGE))
    shipped, queries_for_shipped = counting_queries(lambda: client.get(list_url("jurisdiction")))
    count = Jurisdiction.objects.count()
    Jurisdiction.objects.bulk_create(
        Jurisdiction(code=f"bulk-{i}", name=f"Bulk {i}", country="US", charges_negotiable=True)
        for i in range(50 - count)
    )
    fifty, queries_for_fifty = counting_queries(lambda: client.get(list_url("jurisdiction")))

    assert (len(ids(shipped)), len(ids(fifty))) == (count, 50)
    assert count >= 3
    assert queries_for_shipped == queries_for_fifty == JURISDICTION_LIST_QUERIES


def test_organization_list_query_count_is_the_same_for_four_and_fifty(world: World) -> None:
    client = api_as(world.user(Role.JUDGE))
    four, queries_for_four = counting_queries(lambda: client.get(list_url("organization")))

    Organization.objects.bulk_create(
        Organization(
            name=f"Bulk Office {i}",
            kind=OrganizationKind.PRIVATE_FIRM,
            jurisdiction_id=world.court.jurisdiction_id,
        )
        for i in range(46)
    )
    fifty, queries_for_fifty = counting_queries(lambda: client.get(list_url("organization")))

    assert (len(ids(four)), len(ids(fifty))) == (4, 50)
    assert queries_for_four == queries_for_fifty == ORGANIZATION_LIST_QUERIES
