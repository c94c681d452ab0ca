"""Shared by the negotiation page suites (tests/test_pages_negotiation_*.py): the situations a
page is looked at in, and the form data its POSTs send."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from negotiations import services
from negotiations.models import Offer, PleaAgreement, TermDisposition
from parties.models import Role, Side
from tests.conftest import World
from tests.negotiation_helpers import charge_of, counter_input, plea_input, sent_offer

COURT_ROLES = (Role.JUDGE, Role.COURT_STAFF)
# Everyone who reads offers; the defense negotiators among them.
PARTY_ROLES = (Role.PROSECUTOR, Role.DEFENSE_COUNSEL, Role.DUTY_LAWYER, Role.DEFENDANT)
DEFENSE_LAWYERS = (Role.DEFENSE_COUNSEL, Role.DUTY_LAWYER)
NEGOTIATORS = (Role.PROSECUTOR, Role.DEFENSE_COUNSEL, Role.DUTY_LAWYER)


def court_time(moment: dt.datetime, world: World) -> str:
    """A moment as a datetime-local field holds it: wall-clock time in the court's zone."""
    zone = zoneinfo.ZoneInfo(world.court.time_zone)
    return timezone.localtime(moment, zone).strftime("%Y-%m-%dT%H:%M")


def offer_form(world: World, **overrides: Any) -> dict[str, Any]:
    """What the compose page posts for plea_input(world): count 1 reduced to simple
    possession, 6-12 months, appeal waiver, guideline inputs, a week to answer."""
    charge = charge_of(world.case)
    data: dict[str, Any] = {
        f"term_{charge.pk}": TermDisposition.LESSER,
        f"lesser_{charge.pk}": world.lesser_statute.pk,
        "custody_min_months": "6",
        "custody_max_months": "12",
        "appeal_waiver": "on",
        "offense_level": "24",
        "criminal_history_category": "II",
        "expires_at": court_time(timezone.now() + dt.timedelta(days=7), world),
        "rationale": "Early resolution; weak chain of custody on one exhibit.",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def counter_form(world: World, **overrides: Any) -> dict[str, Any]:
    """What the counter page posts for counter_input(world): probation, no custody."""
    charge = charge_of(world.case)
    data: dict[str, Any] = {
        f"term_{charge.pk}": TermDisposition.LESSER,
        f"lesser_{charge.pk}": world.lesser_statute.pk,
        "custody_min_months": "0",
        "custody_max_months": "0",
        "probation_months": "24",
        "rationale": "First offence; employed; supports two children.",
        "confirm": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def rounds(world: World, n: int) -> Offer:
    """A negotiation of `n` rounds, prosecution first, each a counter to the one before; the
    last is live. Returns the last."""
    offer = sent_offer(world)
    for _ in range(n - 1):
        if offer.side == Side.PROSECUTION:
            offer = services.offer_counter(
                offer=offer, by=world.user(Role.DEFENSE_COUNSEL), data=counter_input(world)
            )
        else:
            offer = services.offer_counter(
                offer=offer,
                by=world.user(Role.PROSECUTOR),
                data=plea_input(world),
                response="The quantity calls for custody.",
            )
    return offer


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def agreement_of(offer: Offer) -> PleaAgreement:
    return PleaAgreement.objects.get(offer=offer)
