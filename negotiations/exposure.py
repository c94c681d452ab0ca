"""What an offer is worth against the charges as filed: its sentencing exposure, and the
concessions the prosecution makes by it. Reads the case's charges; used by the services (to
store the derived concessions with a sent offer) and the selectors (to show them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cases.models import Case, Charge, ChargeStatus, Statute
from negotiations import sentencing
from negotiations.models import Concession, ConcessionKind, Offer, TermDisposition
from parties.models import Side


class OfferContents(Protocol):
    """What an exposure or a concession is computed from: an Offer or an OfferInput."""

    custody_min_months: int | None
    custody_max_months: int | None
    probation_months: int | None
    fine: Any
    no_enhancement: bool
    offense_level: int | None
    criminal_history_category: str
    acceptance_motion: bool
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
        government_motion=contents.acceptance_motion,
        baseline_months=contents.baseline_months,
        leniency_stage=contents.leniency_stage or None,
        leniency_circumstances=tuple(contents.leniency_circumstances or ()),
        probation_months=contents.probation_months,
        fine_recommended=contents.fine is not None,
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
        consecutive=statute.mandatory_term_consecutive,
        concurrent_with_same_statute=statute.consecutive_terms_concurrent_with_each_other,
        penalty_kind=statute.penalty_kind,
        fine_applies=statute.fine_applies,
    )


def pled_statutes(case: Case, terms: Sequence[ResolvedTerm]) -> list[Statute]:
    """The offences a plea on `terms` convicts of: each open count as charged, or the lesser
    offence its term names; dismissed counts left out."""
    by_charge = {charge.pk: (disposition, lesser) for charge, disposition, lesser in terms}
    pled = []
    for charge in case.charges.select_related("statute").order_by("count_number"):
        if charge.status == ChargeStatus.DISPOSED and charge.pk not in by_charge:
            continue
        disposition, lesser = by_charge.get(charge.pk, (TermDisposition.AS_CHARGED, None))
        if disposition == TermDisposition.DISMISS:
            continue
        pled.append(lesser if lesser is not None else charge.statute)
    return pled


def baseline_range_of(statutes: Sequence[Statute]) -> sentencing.MonthsRange:
    """Where a baseline may lie for a plea to `statutes` (sentencing.baseline_range)."""
    return sentencing.baseline_range(
        [_statute_facts(n, statute) for n, statute in enumerate(statutes, start=1)]
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
                    description=derived_concession_words(ConcessionKind.COUNT_DISMISSED, charge),
                )
            )
        elif disposition == TermDisposition.LESSER and lesser is not None:
            drop = charge.statute.severity_rank - lesser.severity_rank
            derived.append(
                Concession(
                    kind=ConcessionKind.CHARGE_REDUCED,
                    charge=charge,
                    severity_reduction=drop,
                    description=derived_concession_words(
                        ConcessionKind.CHARGE_REDUCED, charge, lesser=lesser, drop=drop
                    ),
                )
            )
    below = _months_below_range(contents, exposure)
    if below:
        derived.append(
            Concession(
                kind=ConcessionKind.BELOW_RANGE,
                months_below=below,
                description=derived_concession_words(ConcessionKind.BELOW_RANGE, months=below),
            )
        )
    if contents.no_enhancement:
        derived.append(
            Concession(
                kind=ConcessionKind.ENHANCEMENT_WITHDRAWN,
                description=derived_concession_words(ConcessionKind.ENHANCEMENT_WITHDRAWN),
            )
        )
    return derived


def derived_concession_words(
    kind: str,
    charge: Charge | None = None,
    *,
    lesser: Statute | None = None,
    drop: int | None = None,
    months: int | None = None,
) -> str:
    """A derived concession in words, in the active language: the offer stores them in English
    (services._derive_concessions), its page and the preview say them in the reader's language
    from the same facts (the count, the statutes' citations, the steps and months)."""
    if kind == ConcessionKind.COUNT_DISMISSED and charge is not None:
        return _("Count %(count)s (%(citation)s) dismissed.") % {
            "count": charge.count_number,
            "citation": charge.statute.citation,
        }
    if kind == ConcessionKind.CHARGE_REDUCED and charge is not None and lesser is not None:
        steps = drop or 0
        return ngettext(
            "Count %(count)s reduced from %(citation)s to %(lesser)s (%(steps)s severity step).",
            "Count %(count)s reduced from %(citation)s to %(lesser)s (%(steps)s severity steps).",
            steps,
        ) % {
            "count": charge.count_number,
            "citation": charge.statute.citation,
            "lesser": lesser.citation,
            "steps": steps,
        }
    if kind == ConcessionKind.BELOW_RANGE and months:
        return ngettext(
            "Custody recommended %(months)s month below the bottom of the applicable range.",
            "Custody recommended %(months)s months below the bottom of the applicable range.",
            months,
        ) % {"months": months}
    if kind == ConcessionKind.ENHANCEMENT_WITHDRAWN:
        return _("The prosecution withdraws or will not seek a sentencing enhancement.")
    return str(ConcessionKind(kind).label)


def _months_below_range(contents: OfferContents, exposure: sentencing.Exposure) -> int:
    """How far the recommended minimum falls below the range that applies to the plea: the
    guideline (or leniency) range bounded by statute when known, else the statutory range,
    with any consecutive mandatory term added."""
    if contents.custody_min_months is None:
        return 0
    applicable = exposure.plea_applicable
    if applicable.low is None:
        return 0
    return max(0, applicable.low - contents.custody_min_months)
