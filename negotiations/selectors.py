"""Reads about the negotiation, scoped to the person reading.

Offers are read by the parties (prosecution, defense counsel, duty lawyer, defendant), never by
the court unless the jurisdiction profile lets it; a draft is read only by its own side.
Agreements are read by the parties, and by the court once submitted to it.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from cases import permissions
from cases.models import Case, Charge, ChargeStatus, Statute
from negotiations import sentencing
from negotiations.documents import AgreementDocument, ChargeLine, SignatureLine
from negotiations.models import (
    AgreementStatus,
    Concession,
    ConcessionKind,
    Offer,
    OfferStatus,
    OfferTerm,
    PleaAgreement,
    SignatoryRole,
    Signature,
    Suggestion,
    TermDisposition,
)
from negotiations.services import OfferInput, offer_contents_validate
from parties.models import CaseParticipant, Role, Side

if TYPE_CHECKING:
    from cases.permissions import AnyUser


def _participations(user: AnyUser) -> QuerySet[CaseParticipant]:
    return CaseParticipant.objects.held_by(user).active()


def offers_visible_to(user: AnyUser) -> QuerySet[Offer]:
    if not user.is_authenticated or not user.is_active:
        return Offer.objects.none()
    party = Exists(
        _participations(user).filter(case=OuterRef("case"), role__in=permissions.OFFER_READER_ROLES)
    )
    own_side = Exists(_participations(user).filter(case=OuterRef("case"), side=OuterRef("side")))
    # Only what was sent reaches the other side: a draft, or a draft withdrawn unsent, stays
    # with its own side.
    was_sent = Q(sent_at__isnull=False)
    court = (
        Q(
            Exists(
                Case.objects.filter(
                    pk=OuterRef("case"),
                    court__jurisdiction__court_sees_offers_before_agreement=True,
                    court__group__user=user.pk,
                )
            )
        )
        & was_sent
    )
    return Offer.objects.filter((party & (was_sent | own_side)) | court)


def _with_details(offers: QuerySet[Offer]) -> QuerySet[Offer]:
    return offers.select_related(
        "author", "closed_by", "case__court__jurisdiction"
    ).prefetch_related(
        Prefetch(
            "terms",
            queryset=OfferTerm.objects.select_related("charge__statute", "lesser_statute"),
        ),
        "concessions",
    )


def offers_listed_for_user(user: AnyUser) -> QuerySet[Offer]:
    """The offers `user` may read, with what a list shows of each (terms, concessions)."""
    return _with_details(offers_visible_to(user))


def offer_get_for_user(user: AnyUser, pk: int) -> Offer:
    """The offer, or 404 when it does not exist or is not the user's to read (the same)."""
    offer = _with_details(offers_visible_to(user)).filter(pk=pk).first()
    if offer is None:
        raise Http404("No such offer.")
    return offer


def offers_of_case(user: AnyUser, case: Case) -> list[Offer]:
    """The negotiation of a case, oldest round first; 403 for the court and other readers of
    the case who do not see offers."""
    permissions.require_offer_reader(user, case)
    return list(
        _with_details(offers_visible_to(user).filter(case=case)).order_by("round_number", "id")
    )


def suggestions_visible_to(user: AnyUser) -> QuerySet[Suggestion]:
    if not user.is_authenticated or not user.is_active:
        return Suggestion.objects.none()
    party = Exists(
        _participations(user).filter(case=OuterRef("case"), role__in=permissions.OFFER_READER_ROLES)
    )
    return Suggestion.objects.filter(party).select_related("author", "responded_by")


def suggestion_get_for_user(user: AnyUser, pk: int) -> Suggestion:
    suggestion = suggestions_visible_to(user).filter(pk=pk).first()
    if suggestion is None:
        raise Http404("No such suggestion.")
    return suggestion


def agreements_visible_to(user: AnyUser) -> QuerySet[PleaAgreement]:
    if not user.is_authenticated or not user.is_active:
        return PleaAgreement.objects.none()
    party = Exists(
        _participations(user).filter(
            case=OuterRef("case"), role__in=permissions.AGREEMENT_PARTY_ROLES
        )
    )
    court_member = Exists(
        Case.objects.filter(pk=OuterRef("case"), court__group__user=user.pk)
    ) | Exists(
        _participations(user).filter(case=OuterRef("case"), role__in=[Role.JUDGE, Role.COURT_STAFF])
    )
    return (
        PleaAgreement.objects.filter(party | (court_member & Q(submitted_at__isnull=False)))
        .select_related("case__court__jurisdiction", "offer")
        .prefetch_related(
            Prefetch(
                "signatures",
                queryset=Signature.objects.select_related(
                    "signer", "recorded_by", "witness__user", "witness__defendant"
                ),
            )
        )
    )


def agreement_get_for_user(user: AnyUser, pk: int) -> PleaAgreement:
    agreement = agreements_visible_to(user).filter(pk=pk).first()
    if agreement is None:
        raise Http404("No such agreement.")
    return agreement


def agreement_in_force(user: AnyUser, case: Case) -> PleaAgreement | None:
    return (
        agreements_visible_to(user)
        .filter(case=case)
        .exclude(status__in=[AgreementStatus.COURT_REJECTED, AgreementStatus.WITHDRAWN])
        .first()
    )


# --- exposure -----------------------------------------------------------------------------------


class OfferContents(Protocol):
    """What an exposure or a concession is computed from: an Offer or an OfferInput."""

    custody_min_months: int | None
    custody_max_months: int | None
    no_enhancement: bool
    offense_level: int | None
    criminal_history_category: str
    baseline_months: int | None
    leniency_stage: str
    leniency_circumstances: Any


ResolvedTerm = tuple[Charge, str, Statute | None]


def exposure_of(
    case: Case, terms: Sequence[ResolvedTerm], contents: OfferContents
) -> sentencing.Exposure:
    """The exposure after a conviction at trial on the charges as filed, and under a plea on
    `terms` with the recommendation and calculation inputs in `contents`."""
    # A count the offer names stays in, even once disposed of (by the agreement the offer
    # became, say): sentencing.exposure refuses a term for a count that is not charged.
    named = {charge.pk for charge, _disposition, _lesser in terms}
    charges = [
        c
        for c in case.charges.select_related("statute").order_by("count_number")
        if c.status != ChargeStatus.DISPOSED or c.pk in named
    ]
    facts = []
    for charge, disposition, lesser in terms:
        facts.append(
            sentencing.TermFacts(
                count=charge.count_number,
                disposition=disposition,
                lesser=_statute_facts(charge.count_number, lesser) if lesser else None,
            )
        )
    recommended = None
    low, high = contents.custody_min_months, contents.custody_max_months
    if low is not None or high is not None:
        low = low if low is not None else 0
        recommended = sentencing.MonthsRange(low, high if high is not None else low)
    return sentencing.exposure(
        [_statute_facts(c.count_number, c.statute) for c in charges],
        facts,
        recommended=recommended,
        profile_parameters=case.court.jurisdiction.parameters or {},
        offense_level=contents.offense_level,
        criminal_history=contents.criminal_history_category or None,
        baseline_months=contents.baseline_months,
        leniency_stage=contents.leniency_stage or None,
        leniency_circumstances=tuple(contents.leniency_circumstances or ()),
    )


def _statute_facts(count: int, statute: Statute) -> sentencing.ChargeFacts:
    return sentencing.ChargeFacts(
        count=count,
        citation=statute.citation,
        title=statute.title,
        min_months=statute.min_custody_months,
        max_months=statute.max_custody_months,
        mandatory_minimum_months=statute.mandatory_minimum_months,
        severity_rank=statute.severity_rank,
    )


def _resolved_terms(offer: Offer) -> list[ResolvedTerm]:
    return [(t.charge, t.disposition, t.lesser_statute) for t in offer.terms.all()]


def offer_exposure(offer: Offer) -> sentencing.Exposure:
    return exposure_of(offer.case, _resolved_terms(offer), offer)


def concessions_derived(
    side: str, terms: Sequence[ResolvedTerm], contents: OfferContents, exposure: sentencing.Exposure
) -> list[Concession]:
    """What the prosecution gives compared with the charges as filed, derived from the terms
    (unsaved rows; the service stores them with the offer)."""
    if side != Side.PROSECUTION:
        return []
    derived: list[Concession] = []
    for charge, disposition, lesser in sorted(terms, key=lambda t: t[0].count_number):
        if disposition == TermDisposition.DISMISS:
            derived.append(
                Concession(
                    kind=ConcessionKind.COUNT_DISMISSED,
                    charge=charge,
                    description=f"Count {charge.count_number} ({charge.statute.citation}) "
                    "dismissed.",
                )
            )
        elif disposition == TermDisposition.LESSER and lesser is not None:
            drop = charge.statute.severity_rank - lesser.severity_rank
            derived.append(
                Concession(
                    kind=ConcessionKind.CHARGE_REDUCED,
                    charge=charge,
                    severity_reduction=drop,
                    description=f"Count {charge.count_number} reduced from "
                    f"{charge.statute.citation} to {lesser.citation} "
                    f"({drop} severity step{'s' if drop != 1 else ''}).",
                )
            )
    below = _months_below_range(contents, exposure)
    if below:
        derived.append(
            Concession(
                kind=ConcessionKind.BELOW_RANGE,
                months_below=below,
                description=f"Custody recommended {below} months below the bottom of the "
                "applicable range.",
            )
        )
    if contents.no_enhancement:
        derived.append(
            Concession(
                kind=ConcessionKind.ENHANCEMENT_WITHDRAWN,
                description="The prosecution withdraws or will not seek a sentencing enhancement.",
            )
        )
    return derived


def _months_below_range(contents: OfferContents, exposure: sentencing.Exposure) -> int:
    """How far the recommended minimum falls below the range that applies to the plea: the
    guideline (or leniency) range bounded by statute when known, else the statutory range."""
    if contents.custody_min_months is None:
        return 0
    applicable = exposure.plea_statutory
    if exposure.plea_guideline is not None:
        applicable = sentencing.bound_by_statute(exposure.plea_guideline, exposure.plea_statutory)
    if applicable.low is None:
        return 0
    return max(0, applicable.low - contents.custody_min_months)


@dataclass(frozen=True)
class OfferPreview:
    exposure: sentencing.Exposure
    concessions: list[Concession]


def offer_preview(case: Case, by: AnyUser, data: OfferInput) -> OfferPreview:
    """What an offer with these contents would mean, before it is saved: the exposure and
    the concessions. Only a negotiator of the case may ask; bad contents answer 400."""
    side = permissions.require_negotiator(by, case)
    terms = offer_contents_validate(case, side, data)
    exposure = exposure_of(case, terms, data)
    return OfferPreview(exposure, concessions_derived(side, terms, data, exposure))


# --- the agreement as a document ----------------------------------------------------------------

_SENTENCE_LABELS = {
    "custody_min_months": "Custody, at least (months)",
    "custody_max_months": "Custody, at most (months)",
    "probation_months": "Probation (months)",
    "fine": "Fine",
    "restitution": "Restitution",
}
_CONDITION_LABELS = {
    "cooperation": "Cooperation with the government",
    "appeal_waiver": "Waiver of appeal",
    "immigration_safe_plea": "Immigration-safe plea",
    "no_enhancement": "No sentencing enhancement sought",
}


def term_label(item: dict[str, Any]) -> str:
    if item["disposition"] == TermDisposition.LESSER:
        return f"Plead guilty to {item['lesser_citation']} {item['lesser_title']}"
    return str(TermDisposition(item["disposition"]).label)


def sentence_lines(terms: dict[str, Any]) -> list[tuple[str, str]]:
    sentence = terms["sentence"]
    lines = []
    low, high = sentence.get("custody_min_months"), sentence.get("custody_max_months")
    if low is not None or high is not None:
        low_months = int(low or 0)
        high_months = int(high) if high is not None else low_months
        lines.append(("Custody", str(sentencing.MonthsRange(low_months, high_months))))
    if sentence.get("probation_months") is not None:
        lines.append(("Probation", f"{sentence['probation_months']} months"))
    for name in ("fine", "restitution"):
        if sentence.get(name) is not None:
            lines.append((_SENTENCE_LABELS[name], f"{Decimal(sentence[name]):,.2f}"))
    return lines


def condition_labels(terms: dict[str, Any]) -> list[str]:
    return [_CONDITION_LABELS[name] for name in terms["conditions"]]


def checklist_lines(agreement: PleaAgreement) -> list[tuple[str, str]]:
    from negotiations.services import CHECKLIST_FIELDS, CHECKLIST_LABELS

    lines = [
        (CHECKLIST_LABELS[name], "Yes" if getattr(agreement, name) else "No")
        for name in CHECKLIST_FIELDS
    ]
    if agreement.interpreter_needed:
        used = (
            f"Yes — {agreement.interpreter_name}"
            + (f" ({agreement.interpreter_language})" if agreement.interpreter_language else "")
            if agreement.interpreter_used
            else "No"
        )
        lines.append(("Interpreter used", used))
    else:
        lines.append(("Interpreter used", "Not needed"))
    return lines


def _local(moment: dt.datetime, time_zone: str) -> str:
    return timezone.localtime(moment, zoneinfo.ZoneInfo(time_zone)).strftime("%Y-%m-%d %H:%M %Z")


def agreement_document(agreement: PleaAgreement, *, generated_at: dt.datetime) -> AgreementDocument:
    case = agreement.case
    court = case.court
    defendants = tuple(
        p.display_name
        for p in CaseParticipant.objects.active()
        .filter(case=case, role=Role.DEFENDANT)
        .select_related("defendant")
    )
    signatures = []
    for sig in agreement.signatures.select_related("witness__user", "witness__defendant").order_by(
        "signed_at", "id"
    ):
        witness = ""
        if sig.witness is not None:
            witness = (
                f"Witnessed by {sig.witness.display_name}, {sig.witness.get_role_display().lower()}"
            )
        signatures.append(
            SignatureLine(
                role=SignatoryRole(sig.signatory_role).label,
                name=sig.signer_name,
                signed_at=_local(sig.signed_at, court.time_zone),
                witness=witness,
            )
        )
    terms = agreement.terms
    return AgreementDocument(
        reference=f"Plea agreement {agreement.pk}, offer {terms['offer_id']} "
        f"(round {terms['round_number']})",
        court=court.name,
        jurisdiction=court.jurisdiction.name,
        docket_number=case.docket_number,
        caption=case.caption,
        defendants=defendants,
        charges=tuple(
            ChargeLine(
                count=item["count"],
                citation=item["citation"],
                title=item["title"],
                disposition=term_label(item),
            )
            for item in terms["charges"]
        ),
        sentence=tuple(sentence_lines(terms)),
        conditions=tuple(condition_labels(terms)),
        checklist=tuple(checklist_lines(agreement)),
        signatures=tuple(signatures),
        generated_at=_local(generated_at, court.time_zone),
        language="zh" if court.jurisdiction.country == "CN" else "en",
    )


# --- the timeline on the case page --------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    title: str
    detail: str
    offer_id: int | None = None
    agreement_id: int | None = None


def negotiation_timeline(user: AnyUser, case: Case) -> list[TimelineEntry]:
    """What happened in the negotiation, as far as `user` may see it, newest first."""
    entries: list[TimelineEntry] = []
    if permissions.may_read_offers(user, case):
        for offer in (
            offers_visible_to(user).filter(case=case).select_related("author", "closed_by")
        ):
            side = offer.get_side_display()
            if offer.sent_at:
                entries.append(
                    TimelineEntry(
                        offer.sent_at,
                        f"Round {offer.round_number}: {side} offer sent",
                        offer.rationale[:200],
                        offer_id=offer.pk,
                    )
                )
            if offer.closed_at and offer.status != OfferStatus.DRAFT:
                entries.append(
                    TimelineEntry(
                        offer.closed_at,
                        f"Round {offer.round_number}: {side} offer "
                        f"{offer.get_status_display().lower()}",
                        offer.response[:200] or offer.withdrawal_reason[:200],
                        offer_id=offer.pk,
                    )
                )
        for suggestion in suggestions_visible_to(user).filter(case=case):
            entries.append(
                TimelineEntry(
                    suggestion.created_at,
                    f"Suggestion from the {suggestion.get_author_role_display().lower()}",
                    suggestion.text[:200],
                )
            )
            if suggestion.responded_at:
                entries.append(
                    TimelineEntry(
                        suggestion.responded_at,
                        "Prosecution responded to the suggestion",
                        suggestion.response[:200],
                    )
                )
    for agreement in agreements_visible_to(user).filter(case=case):
        verdict = "accepted" if agreement.status == AgreementStatus.COURT_ACCEPTED else "rejected"
        events = [
            (agreement.submitted_at, "Agreement submitted to the court", ""),
            (
                agreement.reviewed_at,
                f"Court {verdict} the agreement",
                agreement.review_reasons[:200],
            ),
            (
                agreement.withdrawn_at,
                "Defendant withdrew from the agreement",
                agreement.withdrawal_reason[:200],
            ),
        ]
        if permissions.may_read_offers(user, case):
            events.append((agreement.created_at, "Plea agreement reached", ""))
        for at, title, detail in events:
            if at is not None:
                entries.append(TimelineEntry(at, title, detail, agreement_id=agreement.pk))
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries
