"""A court's subdivision: the state (or D.C.) where it sits.

Fed. R. Crim. P. 45(a)(6)(C): "'Legal holiday' means ... for periods that are measured after
an event, any other day declared a holiday by the state where the district court is located."
A court names its state as the `holidays` package does, and nothing that package does not know
for the jurisdiction's holiday calendar is accepted. (The deadline arithmetic over state
holidays is tested in tests/deadlines/test_deadline_computation.py.)
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from cases import services as case_services
from cases.models import Court
from parties.models import Role
from tests import factories
from tests.conftest import World, api_as

pytestmark = pytest.mark.django_db


def test_a_court_is_created_with_its_state_in_capitals() -> None:
    court = case_services.court_create(
        name="Southern District of New York",
        jurisdiction=factories.jurisdiction("us-fed"),
        time_zone="America/New_York",
        subdivision="ny",
    )
    assert Court.objects.get(pk=court.pk).subdivision == "NY"


def test_a_state_the_holiday_calendar_does_not_know_is_refused() -> None:
    with pytest.raises(ValidationError) as exc:
        case_services.court_create(
            name="District of Nowhere",
            jurisdiction=factories.jurisdiction("us-fed"),
            time_zone="America/New_York",
            subdivision="ZZ",
        )
    message = exc.value.message_dict["subdivision"][0]
    assert message.startswith("ZZ is not a subdivision of the US holiday calendar")
    assert "DC" in message and "NY" in message
    assert not Court.objects.filter(name="District of Nowhere").exists()


def test_a_calendar_without_subdivisions_takes_none() -> None:
    with pytest.raises(ValidationError) as exc:
        case_services.court_create(
            name="Haidian District People's Court",
            jurisdiction=factories.jurisdiction("cn"),
            time_zone="Asia/Shanghai",
            subdivision="NY",
        )
    assert exc.value.message_dict == {
        "subdivision": ["This jurisdiction's holiday calendar has no subdivisions; leave it empty."]
    }


def test_the_api_shows_a_courts_subdivision(world: World) -> None:
    Court.objects.filter(pk=world.court.pk).update(subdivision="DC")
    body = api_as(world.user(Role.JUDGE)).get(reverse("court-detail", args=[world.court.pk])).json()
    assert body["subdivision"] == "DC"


def test_the_admin_refuses_an_unknown_state_next_to_the_field(world: World) -> None:
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.org", "x"))
    url = reverse("admin:cases_court_change", args=[world.court.pk])
    form = {
        "name": world.court.name,
        "jurisdiction": world.court.jurisdiction_id,
        "time_zone": world.court.time_zone,
        "group": world.court.group_id,
        "subdivision": "ZZ",
    }
    refused = client.post(url, form)
    assert refused.status_code == 200
    assert "ZZ is not a subdivision of the US holiday calendar" in refused.content.decode()
    assert Court.objects.get(pk=world.court.pk).subdivision == ""

    saved = client.post(url, {**form, "subdivision": "ny"})
    assert saved.status_code == 302
    assert Court.objects.get(pk=world.court.pk).subdivision == "NY"
