"""Building blocks for negotiation tests: offers and agreements at each stage, and a case
under the CN profile. Plain functions over the `world` fixture, all through the services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from cases import party_services
from cases import services as case_services
from cases.models import Case, Charge, Statute
from cases.profiles import PROFILES
from negotiations import services
from negotiations.models import Offer, PleaAgreement, TermDisposition
from negotiations.services import OfferInput, TermInput
from parties.models import CaseParticipant, Role
from tests import factories
from tests.conftest import World, make_user

# Every checklist item of every shipped profile confirmed: the service asks for the items of the
# case's profile that apply to the agreement and ignores the others.
CHECKLIST_ALL = {
    item["code"]: True
    for profile in PROFILES.values()
    for item in profile["parameters"].get("checklist_items", [])
}


def charge_of(case: Case, count: int = 1) -> Charge:
    return case.charges.get(count_number=count)


def add_count(world: World, statute: Statute | None = None) -> Charge:
    return case_services.charge_add(
        case=world.case, statute=statute or world.statute, by=world.user(Role.PROSECUTOR)
    )


def plea_input(world: World, **overrides: Any) -> OfferInput:
    """A typical prosecution offer on world.case: count 1 reduced to simple possession,
    6-12 months, appeal waiver, expiring in a week."""
    values: dict[str, Any] = {
        "terms": [
            TermInput(charge_of(world.case).pk, TermDisposition.LESSER, world.lesser_statute.pk)
        ],
        "custody_min_months": 6,
        "custody_max_months": 12,
        "appeal_waiver": True,
        "offense_level": 24,
        "criminal_history_category": "II",
        "expires_at": timezone.now() + dt.timedelta(days=7),
        "rationale": "Early resolution; weak chain of custody on one exhibit.",
    }
    values.update(overrides)
    return OfferInput(**values)


def counter_input(world: World, **overrides: Any) -> OfferInput:
    values: dict[str, Any] = {
        "terms": [
            TermInput(charge_of(world.case).pk, TermDisposition.LESSER, world.lesser_statute.pk)
        ],
        "probation_months": 24,
        "custody_min_months": 0,
        "custody_max_months": 0,
        "rationale": "First offence; employed; supports two children.",
    }
    values.update(overrides)
    return OfferInput(**values)


def draft_offer(world: World, **overrides: Any) -> Offer:
    return services.offer_create(
        case=world.case, by=world.user(Role.PROSECUTOR), data=plea_input(world, **overrides)
    )


def sent_offer(world: World, **overrides: Any) -> Offer:
    return services.offer_send(
        offer=draft_offer(world, **overrides), by=world.user(Role.PROSECUTOR)
    )


def accepted_agreement(world: World) -> PleaAgreement:
    return services.offer_accept(offer=sent_offer(world), by=world.user(Role.DEFENSE_COUNSEL))


def statement_named(
    agreement: PleaAgreement,
    prosecutor: User,
    *,
    procedure: str = "expedited",
    appeal_limits: str = "",
) -> PleaAgreement:
    """The plea statement's procedure (CPL art. 174(1): 速裁程序 by default) and, where given,
    limits on appeal, named by the prosecutor as a CN or cn-reform agreement needs before its
    checklist."""
    return services.agreement_statement_set(
        agreement=agreement, by=prosecutor, procedure=procedure, appeal_limits=appeal_limits
    )


def checked_agreement(world: World) -> PleaAgreement:
    return services.agreement_checklist_complete(
        agreement=accepted_agreement(world),
        by=world.user(Role.DEFENSE_COUNSEL),
        items=CHECKLIST_ALL,
    )


def signed_agreement(world: World) -> PleaAgreement:
    agreement = checked_agreement(world)
    for role in (Role.DEFENDANT, Role.DEFENSE_COUNSEL, Role.PROSECUTOR):
        services.agreement_sign(agreement=agreement, by=world.user(role))
    agreement.refresh_from_db()
    return agreement


def submitted_agreement(world: World) -> PleaAgreement:
    return services.agreement_submit(
        agreement=signed_agreement(world), by=world.user(Role.PROSECUTOR)
    )


@dataclass
class CnCase:
    case: Case
    charge: Charge
    clerk: User
    prosecutor: User
    duty_lawyer: User
    defendant_user: User
    duty_participant: CaseParticipant


def cn_case(world: World, code: str = "cn") -> CnCase:
    """A theft case before a Chinese court: prosecutor, duty lawyer and defendant, under the
    `code` profile (cn, or cn-reform)."""
    cn = factories.jurisdiction(code)
    suffix = "" if code == "cn" else f" ({code})"
    prefix = code.replace("-", "_")
    procuratorate = factories.OrganizationFactory.create(
        name=f"Haidian Procuratorate{suffix}", kind="prosecutor_office", jurisdiction=cn
    )
    aid = factories.OrganizationFactory.create(
        name=f"Haidian Legal Aid{suffix}", kind="legal_aid", jurisdiction=cn
    )
    court = case_services.court_create(
        name=f"Haidian District People's Court{suffix}",
        jurisdiction=cn,
        time_zone="Asia/Shanghai",
    )
    clerk = make_user(f"{prefix}_clerk", Role.COURT_STAFF, None)
    case_services.court_member_add(court=court, user=clerk)
    prosecutor = make_user(f"{prefix}_prosecutor", Role.PROSECUTOR, procuratorate)
    duty = make_user(f"{prefix}_duty", Role.DUTY_LAWYER, aid)
    defendant_user = make_user(f"{prefix}_defendant", Role.DEFENDANT, None)
    case = case_services.case_open(
        court=court, docket_number="(2026)京0108刑初1号", caption="人民检察院诉张三", by=prosecutor
    )
    defendant = factories.DefendantFactory.create(
        first_name="三", last_name="张", user=defendant_user, preferred_language="Mandarin"
    )
    party_services.participant_add(
        case=case, by=prosecutor, role=Role.DEFENDANT, defendant=defendant
    )
    duty_participant = party_services.participant_add(
        case=case, by=clerk, role=Role.DUTY_LAWYER, user=duty
    )
    statute = world.foreign_statute
    if statute.jurisdiction_id != cn.pk:
        statute = factories.StatuteFactory.create(
            jurisdiction=cn, citation="刑法第264条", title="盗窃罪", max_custody_months=None
        )
    charge = case_services.charge_add(case=case, statute=statute, by=prosecutor)
    return CnCase(case, charge, clerk, prosecutor, duty, defendant_user, duty_participant)


# --- added for the negotiation transition, visibility and concurrency suites --------------------


def defense_input(world: World, **overrides: Any) -> OfferInput:
    """A defense proposal on world.case (counter_input) that expires in a week."""
    values: dict[str, Any] = {"expires_at": timezone.now() + dt.timedelta(days=7)}
    values.update(overrides)
    return counter_input(world, **values)


def defense_draft(world: World, by: User | None = None, **overrides: Any) -> Offer:
    return services.offer_create(
        case=world.case,
        by=by or world.user(Role.DEFENSE_COUNSEL),
        data=defense_input(world, **overrides),
    )


def defense_sent(world: World, **overrides: Any) -> Offer:
    offer = defense_draft(world, **overrides)
    return services.offer_send(offer=offer, by=world.user(Role.DEFENSE_COUNSEL))


def negotiation_rows() -> dict[str, list[dict[str, Any]]]:
    """Every row the negotiation writes (offers, terms, concessions, suggestions, agreements,
    signatures, case status history) and the status of every case, to compare before and
    after a refused call: a refusal leaves all of it as it was."""
    from cases.models import CaseStatusChange
    from negotiations.models import Concession, OfferTerm, Signature, Suggestion

    models: list[type[Any]] = [
        Offer,
        OfferTerm,
        Concession,
        Suggestion,
        PleaAgreement,
        Signature,
        CaseStatusChange,
    ]
    rows = {m.__name__: list(m.objects.order_by("pk").values()) for m in models}
    rows["Case"] = list(Case.objects.order_by("pk").values("pk", "status"))
    rows["Charge"] = list(Charge.objects.order_by("pk").values("pk", "status", "disposition"))
    return rows
