"""factory_boy factories. Build the world through services where a rule is involved."""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from cases.models import Case, Charge, Court, Jurisdiction, OffenceClass, Statute
from cases.profiles import PROFILES
from parties.models import Defendant, Organization, OrganizationKind, UserProfile

User = get_user_model()
PASSWORD = "correct-horse-battery"


def jurisdiction(code: str = "us-fed") -> Jurisdiction:
    names = importlib.import_module("cases.migrations.0015_catalogue_translations").NAMES
    obj, _ = Jurisdiction.objects.get_or_create(
        code=code, defaults={**PROFILES[code], "translations": names.get(code, {})}
    )
    return obj


def deadline_rules() -> None:
    """The rules deadlines/migrations/0003_seed_rules.py ships (as later migrations changed
    them), put back if a transactional
    test flushed the database earlier in the session (a flush empties what migrations loaded)."""
    from django.apps import apps

    from deadlines.models import DeadlineRule

    if DeadlineRule.objects.exists():
        return
    jurisdiction("us-fed")
    jurisdiction("cn")
    importlib.import_module("deadlines.migrations.0003_seed_rules").seed(apps, None)
    importlib.import_module(
        "deadlines.migrations.0010_speedy_trial_rules_roll_forward"
    ).roll_forward(apps, None)
    importlib.import_module("deadlines.migrations.0013_rule_translations").both_languages(
        apps, None
    )


class OrganizationFactory(factory.django.DjangoModelFactory[Organization]):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Office {n}")
    kind = OrganizationKind.PROSECUTOR_OFFICE
    jurisdiction = factory.LazyFunction(jurisdiction)


class UserFactory(factory.django.DjangoModelFactory[Any]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password(PASSWORD)


class ProfileFactory(factory.django.DjangoModelFactory[UserProfile]):
    class Meta:
        model = UserProfile

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role_kind = "prosecutor"


class CourtFactory(factory.django.DjangoModelFactory[Court]):
    class Meta:
        model = Court

    name = factory.Sequence(lambda n: f"District Court {n}")
    jurisdiction = factory.LazyFunction(jurisdiction)
    time_zone = "America/New_York"
    group = factory.LazyAttribute(lambda c: Group.objects.create(name=f"court:{c.name}"))


class StatuteFactory(factory.django.DjangoModelFactory[Statute]):
    class Meta:
        model = Statute

    jurisdiction = factory.LazyFunction(jurisdiction)
    citation = factory.Sequence(lambda n: f"18 U.S.C. {1000 + n}")
    title = "Wire fraud"
    offence_class = OffenceClass.FELONY
    severity_rank = 5
    min_custody_months = 0
    max_custody_months = 240
    mandatory_minimum_months = 0


class DefendantFactory(factory.django.DjangoModelFactory[Defendant]):
    class Meta:
        model = Defendant

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    date_of_birth = dt.date(1990, 5, 17)


class CaseFactory(factory.django.DjangoModelFactory[Case]):
    """A bare case row. Use cases.services.case_open when the court's access matters."""

    class Meta:
        model = Case

    court = factory.SubFactory(CourtFactory)
    docket_number = factory.Sequence(lambda n: f"1:26-cr-{n:05d}")
    caption = factory.LazyAttribute(lambda c: f"United States v. Defendant {c.docket_number}")
    opened_on = dt.date(2026, 1, 5)


class ChargeFactory(factory.django.DjangoModelFactory[Charge]):
    class Meta:
        model = Charge

    case = factory.SubFactory(CaseFactory)
    count_number = factory.Sequence(lambda n: n + 1)
    statute = factory.SubFactory(StatuteFactory)
