"""Writes about the negotiation. Each public function is one transaction and one rule.

The moves of an offer:

    draft --send--> sent --accept-->   accepted  (creates the plea agreement)
      |               |---reject-->    rejected
      |               |---counter-->   countered (the counter is the next round, sent)
      |               |---withdraw-->  withdrawn (author side only)
      |               `---(expiry)-->  expired
      `--withdraw--> withdrawn

Only the other side accepts, rejects or counters; only the author side withdraws; nothing
happens to an offer that has ended. Every move locks the case row first and then the offer, so
two people acting at once are served one after the other and the second is told what the first
did (409). The database backs the rules the races could break: one live offer and one accepted
offer per case, one answer per offer, one agreement in force per case.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext

from cases import permissions
from cases.models import (
    Case,
    CaseStatus,
    Charge,
    ChargeStatus,
    Disposition,
    Jurisdiction,
    PenaltyKind,
    Statute,
)
from cases.profiles import cited
from cases.services import case_status_follow, case_touch, court_today
from core import domain_events
from core.exceptions import Conflict
from core.text import language_code_of, single_line, user_name
from core.versions import require_version
from negotiations import agreement_rules, sentencing
from negotiations.documents import agreement_pdf
from negotiations.exposure import (
    baseline_range_of,
    concessions_derived,
    exposure_of,
    pled_statutes,
)
from negotiations.models import (
    AgreementStatus,
    ComplexCaseMark,
    Concession,
    ConcessionKind,
    CriminalHistoryCategory,
    Offer,
    OfferStatus,
    OfferTerm,
    PleaAgreement,
    RightsExplanation,
    SignatoryRole,
    Signature,
    Suggestion,
    TermDisposition,
)
from negotiations.wording import agreement_document
from parties.models import CaseParticipant, Role, Side

if TYPE_CHECKING:
    from django.contrib.auth.models import User


# Plea negotiations happen before trial; once an agreement is reached the case moves on.
NEGOTIABLE_CASE_STATUSES = frozenset({CaseStatus.INTAKE, CaseStatus.NEGOTIATING})
OTHER_SIDE = {Side.PROSECUTION: Side.DEFENSE, Side.DEFENSE: Side.PROSECUTION}


@dataclass(frozen=True)
class TermInput:
    charge_id: int
    disposition: str
    lesser_statute_id: int | None = None


@dataclass
class OfferInput:
    """Everything a side may put in an offer; validated against the case's profile."""

    terms: Sequence[TermInput] = ()
    custody_min_months: int | None = None
    custody_max_months: int | None = None
    probation_months: int | None = None
    fine: Decimal | None = None
    restitution: Decimal | None = None
    cooperation: bool = False
    appeal_waiver: bool = False
    immigration_safe_plea: bool = False
    no_enhancement: bool = False
    offense_level: int | None = None
    criminal_history_category: str = ""
    acceptance_motion: bool = False
    baseline_months: int | None = None
    leniency_stage: str = ""
    leniency_circumstances: Sequence[str] = field(default_factory=tuple)
    expires_at: dt.datetime | None = None
    rationale: str = ""


_SENTENCE_FIELDS = (
    "custody_min_months",
    "custody_max_months",
    "probation_months",
    "fine",
    "restitution",
)
_CONDITION_FIELDS = ("cooperation", "appeal_waiver", "immigration_safe_plea", "no_enhancement")
_CALCULATION_FIELDS = (
    "offense_level",
    "criminal_history_category",
    "acceptance_motion",
    "baseline_months",
    "leniency_stage",
    "leniency_circumstances",
)
OFFER_FIELDS = (
    *_SENTENCE_FIELDS,
    *_CONDITION_FIELDS,
    *_CALCULATION_FIELDS,
    "expires_at",
    "rationale",
)


# --- helpers ------------------------------------------------------------------------------------


@contextmanager
def _database_guard(message: str, code: str) -> Iterator[None]:
    """Turn a unique-constraint race the service checks could not see into a 409."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        raise Conflict(message, code=code) from exc


def _lock_case(case_id: int) -> Case:
    # Lock the case row only (of="self"): a bare FOR UPDATE would also lock the joined court
    # and jurisdiction rows and make every case of the court wait for each other. NO KEY UPDATE
    # serialises the services on one case just the same, but lets the alert sweep insert rows
    # that point at the case (a foreign key check takes KEY SHARE) instead of deadlocking it.
    return (
        Case.objects.select_for_update(no_key=True, of=("self",))
        .select_related("court__jurisdiction")
        .get(pk=case_id)
    )


def _lock_offer(offer_id: int) -> Offer:
    return Offer.objects.select_for_update().get(pk=offer_id)


def _who(user: User | None) -> str:
    if user is None:
        return gettext("the system")
    return user_name(user)


def _ended_message(offer: Offer) -> str:
    status = OfferStatus(offer.status)
    when = offer.closed_at.isoformat(timespec="minutes") if offer.closed_at else ""
    if status == OfferStatus.EXPIRED:
        return gettext("This offer expired at %(when)s; nothing can be done with it.") % {
            "when": when
        }
    if status == OfferStatus.DRAFT:
        return gettext("This offer is a draft; it has not been sent.")
    return gettext(
        "This offer has already been %(status)s by %(who)s at %(when)s; nothing "
        "more can be done with it."
    ) % {"status": status.label.lower(), "who": _who(offer.closed_by), "when": when}


# An agreement in force ends the negotiation: nothing more is offered or suggested until it is
# withdrawn or the court rejects it. (The case's status does not say so before the agreement is
# submitted: the court reads the status, and sees nothing of the negotiation until then.)
AGREEMENT_IN_FORCE_STATUSES = (
    AgreementStatus.SIGNING,
    AgreementStatus.SIGNED,
    AgreementStatus.SUBMITTED,
    AgreementStatus.COURT_ACCEPTED,
)


def negotiation_closed_reason(case: Case) -> str | None:
    """Why nothing more may be offered or suggested on `case` now; None while it may."""
    if case.status not in NEGOTIABLE_CASE_STATUSES:
        return gettext("Plea negotiations are closed on a case that is “%(case_status)s”.") % {
            "case_status": CaseStatus(case.status).label
        }
    if PleaAgreement.objects.filter(case=case, status__in=AGREEMENT_IN_FORCE_STATUSES).exists():
        return gettext(
            "Plea negotiations are closed: the parties have reached a plea agreement. They "
            "reopen if it is withdrawn or the court rejects it."
        )
    return None


def _require_open_negotiation(case: Case) -> None:
    reason = negotiation_closed_reason(case)
    if reason is not None:
        raise Conflict(reason, code="negotiation_closed")


def _expire_if_due(offer: Offer, now: dt.datetime) -> bool:
    """Expire a sent offer whose time has passed (the offer is locked by the caller)."""
    if offer.status == OfferStatus.SENT and offer.expires_at and offer.expires_at <= now:
        offer.status = OfferStatus.EXPIRED
        offer.closed_at = offer.expires_at
        offer.closed_by = None
        offer.save(update_fields=["status", "closed_at", "closed_by", "updated_at"])
        domain_events.publish(domain_events.OfferExpired(case=offer.case, offer=offer))
        return True
    return False


def _expire_due_on_case(case: Case, now: dt.datetime) -> None:
    live = Offer.objects.select_for_update().filter(case=case, status=OfferStatus.SENT).first()
    if live is not None:
        _expire_if_due(live, now)


def _settle_expiry(offer: Offer) -> None:
    """Record an expiry that has come due, in its own transaction, so that the 409 the caller
    then raises does not roll it back."""
    now = timezone.now()
    if offer.status == OfferStatus.SENT and offer.expires_at and offer.expires_at <= now:
        with transaction.atomic():
            _expire_if_due(_lock_offer(offer.pk), now)


# --- validation ---------------------------------------------------------------------------------


def offer_contents_validate(
    case: Case, side: str, data: OfferInput
) -> list[tuple[Charge, str, Statute | None]]:
    """Check an offer's contents against the case and its jurisdiction profile; return the
    terms resolved to charges and statutes. Every problem is reported under its field."""
    jurisdiction = case.court.jurisdiction
    parameters = jurisdiction.parameters or {}
    errors: dict[str, list[str]] = {}

    def err(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    charges = {c.pk: c for c in case.charges.select_related("statute")}
    charges_negotiable = charges_negotiable_on(case)
    resolved: list[tuple[Charge, str, Statute | None]] = []
    seen: set[int] = set()
    lesser_ids = {t.lesser_statute_id for t in data.terms if t.lesser_statute_id}
    statutes = Statute.objects.in_bulk(lesser_ids)
    for term in data.terms:
        charge = charges.get(term.charge_id)
        if charge is None:
            err(
                "terms",
                gettext("Charge %(charge_id)s is not a charge of this case.")
                % {"charge_id": term.charge_id},
            )
            continue
        label = gettext("Count %(number)s") % {"number": charge.count_number}
        if term.charge_id in seen:
            err("terms", gettext("%(label)s has more than one term.") % {"label": label})
            continue
        seen.add(term.charge_id)
        if charge.status == ChargeStatus.DISPOSED:
            err(
                "terms",
                gettext("%(label)s has been disposed of and cannot be negotiated.")
                % {"label": label},
            )
            continue
        if term.disposition not in TermDisposition.values:
            err(
                "terms",
                gettext("%(label)s: %(disposition)s is not a term (as_charged, lesser, dismiss).")
                % {"label": label, "disposition": repr(term.disposition)},
            )
            continue
        if term.disposition != TermDisposition.AS_CHARGED and not charges_negotiable:
            err(
                "terms",
                (
                    gettext(
                        "%(label)s: under the %(jurisdiction_name)s profile only the sentence "
                        "is negotiable until the prosecution marks the case complex; charges "
                        "cannot be dismissed or reduced."
                    )
                    if permissions.charges_negotiable_when_complex(jurisdiction)
                    else gettext(
                        "%(label)s: under the %(jurisdiction_name)s profile only the sentence is "
                        "negotiable; charges cannot be dismissed or reduced."
                    )
                )
                % {"label": label, "jurisdiction_name": jurisdiction.name_shown},
            )
            continue
        lesser: Statute | None = None
        if term.disposition == TermDisposition.LESSER:
            lesser = statutes.get(term.lesser_statute_id or 0)
            if lesser is None:
                err(
                    "terms",
                    gettext("%(label)s: name the lesser offence from the statute catalogue.")
                    % {"label": label},
                )
                continue
            if lesser.jurisdiction_id != jurisdiction.pk:
                err(
                    "terms",
                    gettext("%(label)s: %(citation)s is not in this jurisdiction's catalogue.")
                    % {"label": label, "citation": lesser.citation},
                )
                continue
            if lesser.severity_rank >= charge.statute.severity_rank:
                err(
                    "terms",
                    gettext("%(label)s: %(citation)s is not a lesser offence than %(citation2)s.")
                    % {
                        "label": label,
                        "citation": lesser.citation,
                        "citation2": charge.statute.citation,
                    },
                )
                continue
        elif term.lesser_statute_id:
            err(
                "terms",
                gettext("%(label)s: a lesser offence is named only with the term “lesser”.")
                % {"label": label},
            )
            continue
        resolved.append((charge, term.disposition, lesser))

    if not jurisdiction.sentence_negotiable and any(
        getattr(data, name) not in (None, "") for name in _SENTENCE_FIELDS
    ):
        err("custody_min_months", gettext("The sentence is not negotiable under this profile."))
    for name in ("custody_min_months", "custody_max_months", "probation_months"):
        value = getattr(data, name)
        if value is not None and value < 0:
            err(name, gettext("Enter a number of months, zero or more."))
    for name in ("fine", "restitution"):
        value = getattr(data, name)
        if value is not None and value < 0:
            err(name, gettext("Enter an amount, zero or more."))
    low, high = data.custody_min_months, data.custody_max_months
    if low is not None and high is not None and low > high:
        err("custody_max_months", gettext("The custody range ends before it starts."))

    guideline_profile = "acceptance_of_responsibility_levels" in parameters
    leniency_profile = "leniency_stage_tiers" in parameters
    if data.offense_level is not None:
        if not guideline_profile:
            err(
                "offense_level",
                gettext("This profile does not use the guideline sentencing table."),
            )
        elif not 1 <= data.offense_level <= 43:
            err("offense_level", gettext("An offense level runs from 1 to 43."))
    if data.criminal_history_category:
        if not guideline_profile:
            err(
                "criminal_history_category",
                gettext("This profile has no criminal history categories."),
            )
        elif data.criminal_history_category not in CriminalHistoryCategory.values:
            err("criminal_history_category", gettext("Choose a category from I to VI."))
    if (data.offense_level is None) != (not data.criminal_history_category) and guideline_profile:
        err(
            "criminal_history_category" if data.offense_level is not None else "offense_level",
            gettext(
                "The guideline range needs both the offense level and the criminal history "
                "category."
            ),
        )
    if data.acceptance_motion and not guideline_profile:
        err(
            "acceptance_motion",
            gettext("This profile has no motion for a further level of acceptance."),
        )
    if data.baseline_months is not None and not leniency_profile:
        err(
            "baseline_months",
            gettext("This profile has no leniency reduction of a baseline sentence."),
        )
    if data.baseline_months is not None and leniency_profile and not data.leniency_stage:
        # sentencing.exposure cannot reduce a baseline without the stage of the plea.
        err("leniency_stage", gettext("The leniency range needs the stage of the plea."))
    if data.leniency_stage:
        tiers = parameters.get("leniency_stage_tiers", {})
        if data.leniency_stage not in tiers:
            err(
                "leniency_stage",
                gettext("Choose a stage: %(items)s.") % {"items": ", ".join(tiers)}
                if tiers
                else gettext("This profile has no stages."),
            )
    if data.leniency_circumstances:
        allowed = list(parameters.get("leniency_circumstances", []))
        if "leniency_minor_crime_max_reduction" in parameters:
            allowed.append(sentencing.MINOR_CRIME)
        unknown = [c for c in data.leniency_circumstances if c not in allowed]
        if unknown:
            err(
                "leniency_circumstances",
                gettext("Not a listed circumstance: %(items)s.") % {"items": ", ".join(unknown)},
            )
    baseline_source = parameters.get("baseline_within_statutory_range")
    if data.baseline_months is not None and baseline_source and "terms" not in errors:
        _baseline_check(case, resolved, data.baseline_months, cited(str(baseline_source)), err)
    if side == Side.DEFENSE and not data.rationale.strip():
        err("rationale", gettext("Give the defense's reasons for this proposal."))
    if errors:
        raise ValidationError(errors)
    return resolved


def _baseline_check(
    case: Case,
    resolved: list[tuple[Charge, str, Statute | None]],
    baseline: int,
    source: str,
    err: Any,
) -> None:
    """The baseline lies within the statutory range of the offences pled (the profile's
    `baseline_within_statutory_range` names the rule): a baseline beyond it would make the
    leniency reduction a fiction."""
    pled = pled_statutes(case, resolved)
    if not pled:
        return
    allowed = baseline_range_of(pled)
    low = allowed.low or 0
    if low <= baseline and (allowed.high is None or baseline <= allowed.high):
        return
    kinds = {statute.penalty_kind for statute in pled}
    kind = PenaltyKind(kinds.pop()).label if len(kinds) == 1 else gettext("custody")
    err(
        "baseline_months",
        gettext(
            "The baseline must lie within the statutory range of the offence: %(range)s of "
            "%(kind)s for %(citations)s (%(source)s)."
        )
        % {
            "range": str(allowed),
            "kind": kind,
            "citations": ", ".join(statute.citation for statute in pled),
            "source": source,
        },
    )


def _write_contents(offer: Offer, data: OfferInput, resolved: list[Any]) -> None:
    for name in OFFER_FIELDS:
        value = getattr(data, name)
        if name == "leniency_circumstances":
            value = list(value)
        setattr(offer, name, value)
    offer.save()
    offer.terms.all().delete()
    OfferTerm.objects.bulk_create(
        OfferTerm(offer=offer, charge=charge, disposition=disposition, lesser_statute=lesser)
        for charge, disposition, lesser in resolved
    )
    _derive_concessions(offer)


def _derive_concessions(offer: Offer) -> None:
    """Recompute what the prosecution gives, from the terms, against the charges as filed."""
    offer.concessions.filter(derived=True).delete()
    terms = [
        (t.charge, t.disposition, t.lesser_statute)
        for t in offer.terms.select_related("charge__statute", "lesser_statute")
    ]
    exposure = exposure_of(offer.case, terms, offer)
    # Stored in English, whoever writes them; pages say them in the reader's language.
    with translation.override(settings.LANGUAGE_CODE):
        derived = concessions_derived(offer.side, terms, offer, exposure)
    for concession in derived:
        concession.offer = offer
    Concession.objects.bulk_create(derived)


def _next_round(case: Case) -> int:
    # Rounds count what was sent; a draft withdrawn unsent is no round.
    highest = (
        Offer.objects.filter(case=case, sent_at__isnull=False).aggregate(n=Max("round_number"))["n"]
        or 0
    )
    return highest + 1


def _discovery_snapshot(case: Case) -> tuple[int, dt.date | None, list[int]]:
    """What discovery the defense had been given when an offer is sent (records' disclosure
    log: how many items, the latest date, which ones)."""
    from records.services import discovery_snapshot

    return discovery_snapshot(case)


# --- offers -------------------------------------------------------------------------------------


def offer_create(*, case: Case, by: User, data: OfferInput) -> Offer:
    """A draft offer for the side `by` negotiates for; only that side sees it."""
    with transaction.atomic():
        locked = _lock_case(case.pk)
        side = permissions.require_negotiator(by, locked)
        _require_open_negotiation(locked)
        resolved = offer_contents_validate(locked, side, data)
        offer = Offer(case=locked, side=side, author=by, round_number=_next_round(locked))
        _write_contents(offer, data, resolved)
        return offer


def offer_update(
    *, offer: Offer, by: User, data: OfferInput, if_match: list[str] | None = None
) -> Offer:
    """Change a draft. A sent offer never changes: the other side has read it. With
    `if_match`, 412 if the draft changed since the client read it."""
    with transaction.atomic():
        locked_case = _lock_case(offer.case_id)
        side = permissions.require_negotiator(by, locked_case)
        locked = _lock_offer(offer.pk)
        if locked.side != side:
            raise PermissionDenied(gettext("Only the side that drafted an offer may change it."))
        require_version(locked, if_match)
        if locked.status != OfferStatus.DRAFT:
            raise Conflict(
                gettext("A sent offer cannot be changed; withdraw it and send a new one."),
                code="offer_not_draft",
            )
        resolved = offer_contents_validate(locked_case, side, data)
        _write_contents(locked, data, resolved)
        return locked


# A defense proposal that ended without an answer is owed the prosecution's written response
# before its next offer: one that expired. A rejection or a prosecution counter carries its
# response; a withdrawal or an acceptance (even one later set aside) is owed none.
RESPONSE_OWED_STATUSES = frozenset({OfferStatus.EXPIRED})


def response_owed(offer: Offer) -> bool:
    return (
        offer.side == Side.DEFENSE and not offer.response and offer.status in RESPONSE_OWED_STATUSES
    )


def charges_negotiable_on(case: Case, *, marked: bool | None = None) -> bool:
    """Whether the charges of `case` may be dismissed or reduced: always under some profiles,
    under others once the prosecution has marked the case complex (`marked`, when the caller
    has already read the mark; else read here)."""
    jurisdiction = case.court.jurisdiction
    if jurisdiction.charges_negotiable:
        return True
    if not permissions.charges_negotiable_when_complex(jurisdiction):
        return False
    return marked if marked is not None else ComplexCaseMark.objects.filter(case=case).exists()


def _require_rights_explained(case: Case) -> None:
    """Under a profile that requires it, no offer is sent before the prosecutor has recorded
    that the rights of the leniency system were fully explained."""
    jurisdiction = case.court.jurisdiction
    if not permissions.rights_explanation_required(jurisdiction):
        return
    if not RightsExplanation.objects.filter(case=case).exists():
        raise Conflict(
            gettext(
                "Under the %(profile)s profile the prosecutor first records that the rights of "
                "the leniency system were fully explained to the suspect; no offer is sent "
                "before."
            )
            % {"profile": jurisdiction.name_shown},
            code="rights_not_explained",
        )


def _check_mandatory_consideration(case: Case) -> None:
    """Where the profile makes consideration mandatory, the prosecution has answered every
    defense suggestion, and every defense proposal that ended unanswered, in writing."""
    if not permissions.written_consideration_mandatory(case.court.jurisdiction):
        return
    unanswered = Suggestion.objects.filter(case=case, response="").order_by("created_at").first()
    if unanswered is not None:
        raise Conflict(
            gettext(
                "Respond in writing to the defense's suggestion of %(created_at)s before "
                "sending another offer."
            )
            % {"created_at": format(unanswered.created_at, "%Y-%m-%d")},
            code="suggestion_unanswered",
        )
    ignored = (
        Offer.objects.filter(
            case=case, side=Side.DEFENSE, response="", status__in=RESPONSE_OWED_STATUSES
        )
        .order_by("round_number")
        .first()
    )
    if ignored is not None:
        raise Conflict(
            gettext(
                "Respond in writing to the defense's proposal of round %(round_number)s "
                "before sending another offer."
            )
            % {"round_number": ignored.round_number},
            code="proposal_unanswered",
        )


def offer_send(*, offer: Offer, by: User) -> Offer:
    """Send a draft to the other side. The first offer on a case opens the negotiation."""
    with transaction.atomic():
        now = timezone.now()
        locked_case = _lock_case(offer.case_id)
        side = permissions.require_negotiator(by, locked_case)
        locked = _lock_offer(offer.pk)
        if locked.side != side:
            raise PermissionDenied(gettext("Only the side that drafted an offer may send it."))
        if locked.status != OfferStatus.DRAFT:
            raise Conflict(
                _ended_message(locked)
                if locked.status != OfferStatus.SENT
                else gettext("This offer has already been sent."),
                code="offer_not_draft",
            )
        _require_open_negotiation(locked_case)
        if locked.expires_at is not None and locked.expires_at <= now:
            raise ValidationError(
                {"expires_at": gettext("The expiry must be in the future when sent.")}
            )
        _expire_due_on_case(locked_case, now)
        live = Offer.objects.filter(case=locked_case, status=OfferStatus.SENT).first()
        if live is not None:
            raise Conflict(
                gettext(
                    "Round %(round_number)s from the %(side)s is still awaiting an answer; "
                    "only one offer may be live at a time."
                )
                % {"round_number": live.round_number, "side": Side(live.side).label.lower()},
                code="offer_live",
            )
        if side == Side.PROSECUTION:
            _check_mandatory_consideration(locked_case)
        _require_rights_explained(locked_case)
        # Re-validate: the charges may have changed since the draft was written.
        offer_contents_validate(locked_case, side, _input_of(locked))
        return _send(locked, locked_case, by, now)


def _send(offer: Offer, case: Case, by: User, now: dt.datetime) -> Offer:
    offer.status = OfferStatus.SENT
    offer.sent_at = now
    offer.round_number = _next_round(case)
    (
        offer.discovery_items_disclosed,
        offer.discovery_last_disclosed_on,
        offer.discovery_disclosure_ids,
    ) = _discovery_snapshot(case)
    with _database_guard(
        gettext("Another offer on this case was sent at the same moment."), "offer_live"
    ):
        offer.save()
    # Its expiry deadline and its feed event (deadlines, integrations) are written here.
    domain_events.publish(domain_events.OfferSent(case=case, offer=offer))
    _derive_concessions(offer)
    # Neither the case's status nor its last change moves: the court reads both, and sees
    # nothing of the negotiation until an agreement is submitted to it (Fed. R. Crim. P.
    # 11(c)(1)). The case follows the negotiation from the submission on.
    return offer


def _input_of(offer: Offer) -> OfferInput:
    values = {name: getattr(offer, name) for name in OFFER_FIELDS}
    terms = [TermInput(t.charge_id, t.disposition, t.lesser_statute_id) for t in offer.terms.all()]
    return OfferInput(terms=terms, **values)


def _answerable(offer: Offer, by: User, action: str) -> tuple[Case, Offer, str]:
    """Lock and check an offer the other side is answering; return (case, offer, side).
    The caller has settled a due expiry first (_settle_expiry), outside its transaction."""
    case = _lock_case(offer.case_id)
    side = permissions.require_negotiator(by, case)
    locked = _lock_offer(offer.pk)
    if locked.status != OfferStatus.SENT:
        raise Conflict(_ended_message(locked), code=f"offer_{locked.status}")
    if locked.side == side:
        raise PermissionDenied(
            gettext("Only the other side may %(action)s an offer.") % {"action": action}
        )
    return case, locked, side


# What the apps above hear when an offer is answered or withdrawn.
_EVENT_OF_CLOSE: dict[str, type[domain_events.OfferEvent]] = {
    OfferStatus.WITHDRAWN: domain_events.OfferWithdrawn,
    OfferStatus.REJECTED: domain_events.OfferRejected,
    OfferStatus.COUNTERED: domain_events.OfferCountered,
    OfferStatus.ACCEPTED: domain_events.OfferAccepted,
}


def _close(
    offer: Offer, case: Case, status: str, by: User, now: dt.datetime, response: str = ""
) -> None:
    offer.status = status
    offer.closed_at = now
    offer.closed_by = by
    if response:
        offer.response = response
    offer.save(
        update_fields=[
            "status",
            "closed_at",
            "closed_by",
            "response",
            "withdrawal_reason",
            "updated_at",
        ]
    )
    domain_events.publish(_EVENT_OF_CLOSE[status](case=case, offer=offer))


def offer_withdraw(*, offer: Offer, by: User, reason: str = "") -> Offer:
    """The author side takes its offer back, draft or sent."""
    _settle_expiry(offer)
    with transaction.atomic():
        case = _lock_case(offer.case_id)
        side = permissions.require_negotiator(by, case)
        locked = _lock_offer(offer.pk)
        if locked.side != side:
            raise PermissionDenied(gettext("Only the side that made an offer may withdraw it."))
        if not locked.is_open:
            raise Conflict(_ended_message(locked), code=f"offer_{locked.status}")
        now = timezone.now()
        locked.withdrawal_reason = reason.strip()
        _close(locked, case, OfferStatus.WITHDRAWN, by, now)
        return locked


def offer_reject(*, offer: Offer, by: User, reason: str) -> Offer:
    _settle_expiry(offer)
    with transaction.atomic():
        case, locked, _side = _answerable(offer, by, pgettext("offer action", "reject"))
        if not reason.strip():
            raise ValidationError({"reason": gettext("Say why the offer is rejected.")})
        _close(locked, case, OfferStatus.REJECTED, by, timezone.now(), response=reason.strip())
        return locked


def offer_counter(*, offer: Offer, by: User, data: OfferInput, response: str = "") -> Offer:
    """Answer an offer with another: the answered offer is countered and the counter, the next
    round, is sent at once. The prosecution answering a defense proposal records its written
    response to it."""
    _settle_expiry(offer)
    with transaction.atomic():
        case, locked, side = _answerable(offer, by, pgettext("offer action", "counter"))
        _require_open_negotiation(case)
        errors: dict[str, str] = {}
        mandatory = permissions.written_consideration_mandatory(case.court.jurisdiction)
        if locked.side == Side.DEFENSE and mandatory and not response.strip():
            errors["response"] = gettext("Respond in writing to the defense's proposal.")
        if data.expires_at is not None and data.expires_at <= timezone.now():
            errors["expires_at"] = gettext("The expiry must be in the future.")
        try:
            resolved = offer_contents_validate(case, side, data)
        except ValidationError as exc:
            raise ValidationError({**exc.message_dict, **errors}) from exc
        if errors:
            raise ValidationError(errors)
        if side == Side.PROSECUTION:
            _check_mandatory_consideration(case)
        _require_rights_explained(case)
        now = timezone.now()
        _close(locked, case, OfferStatus.COUNTERED, by, now, response=response.strip())
        counter = Offer(
            case=case, side=side, author=by, answers=locked, round_number=locked.round_number + 1
        )
        _write_contents(counter, data, resolved)
        return _send(counter, case, by, now)


def offer_accept(*, offer: Offer, by: User) -> PleaAgreement:
    """Accept the other side's offer: the plea agreement is made from its terms."""
    _settle_expiry(offer)
    with transaction.atomic():
        case, locked, _side = _answerable(offer, by, pgettext("offer action", "accept"))
        if case.status != CaseStatus.NEGOTIATING:
            _require_open_negotiation(case)
        now = timezone.now()
        with _database_guard(gettext("This case already has an accepted offer."), "offer_accepted"):
            _close(locked, case, OfferStatus.ACCEPTED, by, now)
            defendant = (
                CaseParticipant.objects.active()
                .filter(case=case, role=Role.DEFENDANT)
                .select_related("defendant")
                .first()
            )
            adjusts = _adjustment_requested(case)
            agreement = PleaAgreement.objects.create(
                case=case,
                offer=locked,
                terms=agreement_terms_of(locked),
                adjusts=adjusts,
                # The adjusted recommendation keeps the statement's procedure and limits on
                # appeal until the prosecution names others (before the checklist).
                procedure=adjusts.procedure if adjusts else "",
                appeal_limits=adjusts.appeal_limits if adjusts else "",
                interpreter_needed=bool(
                    defendant and defendant.defendant and defendant.defendant.interpreter_needed
                ),
                interpreter_language=(
                    defendant.defendant.preferred_language
                    if defendant and defendant.defendant and defendant.defendant.interpreter_needed
                    else ""
                ),
            )
        # The case moves to "agreement" when the agreement is submitted (see _send).
        return agreement


def _adjustment_requested(case: Case) -> PleaAgreement | None:
    """The agreement whose recommendation the court asked to have adjusted (CPL art. 201(2))
    and that no later agreement follows yet: the next agreement on the case adjusts it."""
    return (
        PleaAgreement.objects.filter(
            case=case, status=AgreementStatus.ADJUSTMENT_REQUESTED, adjusted_by__isnull=True
        )
        .order_by("-reviewed_at", "-id")
        .first()
    )


def agreement_terms_of(offer: Offer) -> dict[str, Any]:
    """The terms of an offer as the agreement keeps them: plain values, frozen."""
    terms = {t.charge_id: t for t in offer.terms.select_related("lesser_statute")}
    charges = []
    for charge in offer.case.charges.select_related("statute").order_by("count_number"):
        if charge.status == ChargeStatus.DISPOSED:
            continue
        term = terms.get(charge.pk)
        disposition = term.disposition if term else TermDisposition.AS_CHARGED
        lesser = term.lesser_statute if term else None
        charges.append(
            {
                "charge_id": charge.pk,
                "count": charge.count_number,
                "citation": charge.statute.citation,
                "title": charge.statute.title,
                "disposition": disposition,
                "lesser_citation": lesser.citation if lesser else "",
                "lesser_title": lesser.title if lesser else "",
            }
        )
    return {
        "offer_id": offer.pk,
        "round_number": offer.round_number,
        "charges": charges,
        "sentence": {
            name: (str(getattr(offer, name)) if getattr(offer, name) is not None else None)
            for name in _SENTENCE_FIELDS
        },
        "conditions": [name for name in _CONDITION_FIELDS if getattr(offer, name)],
    }


def offers_expire_due(*, now: dt.datetime | None = None) -> int:
    """Expire every sent offer whose time has passed. Run by the scheduler; idempotent."""
    now = now or timezone.now()
    expired = 0
    due = Offer.objects.filter(status=OfferStatus.SENT, expires_at__lte=now).values_list(
        "pk", flat=True
    )
    for pk in list(due[:1000]):
        with transaction.atomic():
            locked = Offer.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if locked is not None and _expire_if_due(locked, now):
                expired += 1
    return expired


def concession_log(*, offer: Offer, by: User, kind: str, description: str) -> Concession:
    """The prosecutor records a concession the terms do not show (e.g. a promise not to
    bring further charges)."""
    with transaction.atomic():
        case = _lock_case(offer.case_id)
        permissions.require_role_in(
            by,
            case,
            frozenset({Role.PROSECUTOR}),
            gettext("Only the prosecution logs its concessions."),
        )
        locked = _lock_offer(offer.pk)
        errors: dict[str, str] = {}
        if locked.side != Side.PROSECUTION:
            errors["offer"] = gettext("Concessions are logged on the prosecution's offers.")
        if kind not in ConcessionKind.values:
            errors["kind"] = gettext("%(kind)s is not a kind of concession.") % {"kind": repr(kind)}
        if not description.strip():
            errors["description"] = gettext("Describe the concession.")
        if errors:
            raise ValidationError(errors)
        if locked.status not in (OfferStatus.DRAFT, OfferStatus.SENT):
            raise Conflict(_ended_message(locked), code=f"offer_{locked.status}")
        return Concession.objects.create(
            offer=locked,
            kind=kind,
            description=single_line(description),
            derived=False,
            logged_by=by,
        )


def offer_respond(*, offer: Offer, by: User, response: str) -> Offer:
    """The prosecution records its written response to a defense proposal that ended without
    one (it expired), as it must before sending its next offer."""
    with transaction.atomic():
        case = _lock_case(offer.case_id)
        permissions.require_role_in(
            by,
            case,
            permissions.SUGGESTION_RESPONDER_ROLES,
            gettext("Only the prosecution responds."),
        )
        locked = _lock_offer(offer.pk)
        if locked.side != Side.DEFENSE:
            raise Conflict(gettext("Only a defense proposal takes a written response."))
        if locked.response:
            raise Conflict(gettext("This proposal already has a written response."))
        if locked.is_open:
            raise Conflict(
                gettext("Answer a live proposal by accepting, rejecting or countering it.")
            )
        if not response_owed(locked):
            raise Conflict(
                gettext(
                    "A %(offer_status)s proposal is owed no separate response; only one that "
                    "expired unanswered is."
                )
                % {"offer_status": OfferStatus(locked.status).label.lower()}
            )
        if not response.strip():
            raise ValidationError({"response": gettext("Write the response.")})
        locked.response = response.strip()
        locked.save(update_fields=["response", "updated_at"])
        return locked


# --- suggestions --------------------------------------------------------------------------------


def suggestion_submit(*, case: Case, by: User, text: str, offer: Offer | None = None) -> Suggestion:
    with transaction.atomic():
        locked = _lock_case(case.pk)
        roles = permissions.require_role_in(
            by,
            locked,
            permissions.suggestion_author_roles(locked.court.jurisdiction),
            gettext("Suggestions come from defense counsel or the duty lawyer."),
        )
        _require_open_negotiation(locked)
        errors: dict[str, str] = {}
        if not text.strip():
            errors["text"] = gettext("Write the suggestion and its reasons.")
        if offer is not None and offer.case_id != locked.pk:
            errors["offer"] = gettext("That offer is not on this case.")
        if errors:
            raise ValidationError(errors)
        role = next(r for r in (Role.DEFENSE_COUNSEL, Role.DUTY_LAWYER) if r in roles)
        suggestion = Suggestion.objects.create(
            case=locked, offer=offer, author=by, author_role=role, text=text.strip()
        )
        domain_events.publish(domain_events.SuggestionSubmitted(case=locked, suggestion=suggestion))
        return suggestion


def suggestion_respond(*, suggestion: Suggestion, by: User, response: str) -> Suggestion:
    with transaction.atomic():
        case = _lock_case(suggestion.case_id)
        permissions.require_role_in(
            by,
            case,
            permissions.SUGGESTION_RESPONDER_ROLES,
            gettext("Only the prosecution responds to a defense suggestion."),
        )
        locked = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
        if locked.response:
            raise Conflict(
                gettext("%(who)s already responded to this suggestion.")
                % {"who": _who(locked.responded_by)},
                code="suggestion_answered",
            )
        if not response.strip():
            raise ValidationError({"response": gettext("Write the response.")})
        locked.response = response.strip()
        locked.responded_by = by
        locked.responded_at = timezone.now()
        locked.save()
        domain_events.publish(domain_events.SuggestionAnswered(case=case, suggestion=locked))
        return locked


# --- the prosecution's records: a complex case, the rights explained ----------------------------


def _case_for_prosecution_record(
    case: Case,
    by: User,
    *,
    refused: str,
    in_profile: Callable[[Jurisdiction], bool],
    not_in_profile: str,
    not_in_profile_code: str,
) -> Case:
    """`case` locked for a record of the prosecution's (a complex mark, the rights explained):
    403 (`refused`) unless `by` holds a prosecution record role on it, 409 unless its
    profile keeps that record (`in_profile`; `not_in_profile` names the profile)."""
    locked = _lock_case(case.pk)
    permissions.require_role_in(by, locked, permissions.PROSECUTION_RECORD_ROLES, refused)
    jurisdiction = locked.court.jurisdiction
    if not in_profile(jurisdiction):
        raise Conflict(
            not_in_profile % {"profile": jurisdiction.name_shown}, code=not_in_profile_code
        )
    return locked


def case_complex_mark(
    *, case: Case, by: User, grounds: Sequence[str], reason: str
) -> ComplexCaseMark:
    """The prosecution marks `case` complex on the profile's grounds, with its reason; under a
    profile with `charges_negotiable_in_complex_case` its charges become negotiable."""
    with transaction.atomic():
        locked = _case_for_prosecution_record(
            case,
            by,
            refused=gettext("Only the prosecution marks a case complex."),
            in_profile=permissions.charges_negotiable_when_complex,
            not_in_profile=gettext(
                "Under the %(profile)s profile marking a case complex changes nothing: "
                "charges are negotiable there in every case or in none."
            ),
            not_in_profile_code="complex_case_not_in_profile",
        )
        _require_open_negotiation(locked)
        if ComplexCaseMark.objects.filter(case=locked).exists():
            raise Conflict(
                gettext("This case is already marked complex."), code="complex_case_marked"
            )
        jurisdiction = locked.court.jurisdiction
        known = permissions.complex_case_grounds(jurisdiction)
        errors: dict[str, str] = {}
        unknown = [g for g in grounds if g not in known]
        if not grounds:
            errors["grounds"] = gettext("Choose at least one ground: %(grounds)s.") % {
                "grounds": ", ".join(known)
            }
        elif unknown:
            errors["grounds"] = gettext("Not a ground of this profile: %(unknown)s.") % {
                "unknown": ", ".join(unknown)
            }
        if not reason.strip():
            errors["reason"] = gettext("Say why the case is complex.")
        if errors:
            raise ValidationError(errors)
        return ComplexCaseMark.objects.create(
            case=locked,
            grounds=list(dict.fromkeys(grounds)),
            reason=reason.strip(),
            marked_by=by,
            marked_at=timezone.now(),
        )


def rights_explanation_record(*, case: Case, by: User, note: str) -> RightsExplanation:
    """The prosecutor records that the rights of the leniency system were fully explained to
    the suspect, as a profile with `rights_explained_before_first_offer` requires before any
    offer is sent."""
    with transaction.atomic():
        locked = _case_for_prosecution_record(
            case,
            by,
            refused=gettext("Only the prosecutor records that the rights were explained."),
            in_profile=permissions.rights_explanation_required,
            not_in_profile=gettext(
                "The %(profile)s profile has no record of the rights explained before offers."
            ),
            not_in_profile_code="rights_explanation_not_in_profile",
        )
        if RightsExplanation.objects.filter(case=locked).exists():
            raise Conflict(
                gettext("That the rights were explained is already recorded on this case."),
                code="rights_explained",
            )
        if not note.strip():
            raise ValidationError(
                {"note": gettext("Say how, when and before whom the rights were explained.")}
            )
        return RightsExplanation.objects.create(
            case=locked, note=note.strip(), explained_by=by, explained_at=timezone.now()
        )


# --- the plea agreement -------------------------------------------------------------------------


def _lock_agreement(agreement: PleaAgreement) -> tuple[Case, PleaAgreement]:
    case = _lock_case(agreement.case_id)
    return case, PleaAgreement.objects.select_for_update().get(pk=agreement.pk)


def _require_signing(agreement: PleaAgreement) -> None:
    if agreement.status != AgreementStatus.SIGNING:
        raise Conflict(
            gettext(
                "This agreement is “%(agreement_status)s”; a fully signed agreement can "
                "no longer change."
            )
            % {"agreement_status": AgreementStatus(agreement.status).label},
            code="agreement_signed",
        )


def statement_missing(agreement: PleaAgreement, jurisdiction: Any) -> list[str]:
    """What the plea statement still has to name under the profile: "procedure",
    "appeal_limits" (negotiations.agreement_rules); empty when it is complete."""
    missing = []
    if agreement_rules.plea_procedures(jurisdiction) and not agreement.procedure:
        missing.append("procedure")
    if agreement_rules.appeal_limits_source(jurisdiction) and not agreement.appeal_limits:
        missing.append("appeal_limits")
    return missing


def agreement_statement_set(
    *, agreement: PleaAgreement, by: User, procedure: str = "", appeal_limits: str = ""
) -> PleaAgreement:
    """The prosecution (`plea_statement_roles`) names what the plea statement holds beyond the
    accepted offer's terms, where the profile asks for it: the procedure the defendant agrees
    to (CPL art. 174(1): "同意量刑建议和程序适用") and the limits on appeal (the cn-reform
    profile). Before the checklist, which explains them to the defendant; the signatures then
    agree to them."""
    with transaction.atomic():
        case, locked = _lock_agreement(agreement)
        permissions.require_plea_statement_author(by, case)
        jurisdiction = case.court.jurisdiction
        if not agreement_rules.statement_needed(jurisdiction):
            raise Conflict(
                gettext(
                    "Under the %(profile)s profile a plea agreement names no procedure and "
                    "records no limits on appeal."
                )
                % {"profile": jurisdiction.name_shown},
                code="statement_not_in_profile",
            )
        _require_signing(locked)
        if locked.checklist_complete:
            raise Conflict(
                gettext(
                    "The checklist was completed on this statement; its procedure and limits "
                    "on appeal can no longer change."
                ),
                code="checklist_complete",
            )
        errors: dict[str, str] = {}
        procedures = agreement_rules.plea_procedures(jurisdiction)
        procedure = procedure.strip()
        if procedures:
            if agreement_rules.item_named(procedures, procedure) is None:
                errors["procedure"] = gettext(
                    "Name the procedure the defendant agrees to: %(choices)s."
                ) % {"choices": ", ".join(f"{p.code} ({p.display})" for p in procedures)}
        elif procedure:
            errors["procedure"] = gettext("This profile names no procedure in a plea agreement.")
        limits_source = agreement_rules.appeal_limits_source(jurisdiction)
        if limits_source:
            if not appeal_limits.strip():
                errors["appeal_limits"] = gettext(
                    "Record the limits on appeal the agreement sets (%(source)s)."
                ) % {"source": limits_source}
        elif appeal_limits.strip():
            errors["appeal_limits"] = gettext(
                "This profile records no limits on appeal in a plea agreement."
            )
        if errors:
            raise ValidationError(errors)
        locked.procedure = procedure
        locked.appeal_limits = appeal_limits.strip()
        locked.save(update_fields=["procedure", "appeal_limits", "updated_at"])
        return locked


def agreement_checklist_complete(
    *,
    agreement: PleaAgreement,
    by: User,
    items: dict[str, bool],
    interpreter_used: bool = False,
    interpreter_name: str = "",
    interpreter_language: str = "",
) -> PleaAgreement:
    """Counsel records that the defendant was told what a plea means, before anyone signs:
    every item of the profile's checklist that applies to these terms (`items` maps an item's
    code to whether it was confirmed; codes of other items are ignored)."""
    with transaction.atomic():
        case, locked = _lock_agreement(agreement)
        permissions.require_role_in(
            by,
            case,
            permissions.CHECKLIST_ROLES,
            gettext("Defense counsel or the duty lawyer completes the voluntariness checklist."),
        )
        _require_signing(locked)
        if locked.signatures.exists():
            raise Conflict(gettext("The checklist cannot change once signing has begun."))
        jurisdiction = case.court.jurisdiction
        missing = statement_missing(locked, jurisdiction)
        if missing:
            what = {
                "procedure": gettext("the procedure the defendant agrees to"),
                "appeal_limits": gettext("the limits on appeal"),
            }
            raise Conflict(
                gettext(
                    "The prosecution first names %(missing)s in the plea statement; the "
                    "checklist explains the statement to the defendant."
                )
                % {"missing": gettext(" and ").join(what[name] for name in missing)},
                code="statement_incomplete",
            )
        applicable = agreement_rules.checklist_items_for(jurisdiction, locked.terms)
        errors: dict[str, str] = {}
        for item in applicable:
            if not items.get(item.code):
                errors[item.code] = gettext("Confirm: %(item)s.") % {
                    "item": gettext(item.label)[:1].lower() + gettext(item.label)[1:]
                }
        if locked.interpreter_needed:
            if not interpreter_used:
                errors["interpreter_used"] = gettext(
                    "The defendant needs an interpreter; record the interpreter used."
                )
            elif not interpreter_name.strip():
                errors["interpreter_name"] = gettext("Name the interpreter.")
        if errors:
            raise ValidationError(errors)
        locked.checklist_answers = {item.code: True for item in applicable}
        locked.interpreter_used = interpreter_used
        locked.interpreter_name = single_line(interpreter_name)
        if single_line(interpreter_language):
            locked.interpreter_language = single_line(interpreter_language)
        locked.checklist_completed_by = by
        locked.checklist_completed_at = timezone.now()
        locked.save()
        return locked


REQUIRED_SIGNATORIES = (
    SignatoryRole.DEFENDANT,
    SignatoryRole.DEFENSE_LAWYER,
    SignatoryRole.PROSECUTOR,
)


def signing_capacity(roles: frozenset[str]) -> str | None:
    """The capacity in which a person with `roles` on the case signs in their own name."""
    if Role.DEFENDANT in roles:
        return SignatoryRole.DEFENDANT
    if Role.PROSECUTOR in roles:
        return SignatoryRole.PROSECUTOR
    if roles & permissions.DEFENSE_LAWYER_ROLES:
        return SignatoryRole.DEFENSE_LAWYER
    return None


def agreement_sign(
    *,
    agreement: PleaAgreement,
    by: User,
    on_behalf_of_defendant: bool = False,
    witness: CaseParticipant | None = None,
) -> Signature:
    """Sign in the capacity `by` holds on the case. A defendant without a login signs on paper
    before their lawyer, who records it here (`on_behalf_of_defendant`) and is its witness.
    Under a profile that requires a witness, a defendant's signature needs one."""
    with transaction.atomic():
        case, locked = _lock_agreement(agreement)
        roles = permissions.roles_on(by, case)
        jurisdiction = case.court.jurisdiction
        if not roles & permissions.signer_roles(jurisdiction):
            raise PermissionDenied(
                gettext("Only the defendant, their lawyer and the prosecutor sign.")
            )
        _require_signing(locked)
        if not locked.checklist_complete:
            raise Conflict(
                gettext("Complete the voluntariness checklist before anyone signs."),
                code="checklist_incomplete",
            )
        participations = {
            p.role: p
            for p in CaseParticipant.objects.held_by(by)
            .active()
            .filter(case=case)
            .select_related("defendant", "user")
        }
        now = timezone.now()
        signer: User | None = by
        capacity = signing_capacity(roles)
        if on_behalf_of_defendant and capacity != SignatoryRole.DEFENDANT:
            lawyer = next(
                (
                    participations[r]
                    for r in sorted(permissions.witness_roles(jurisdiction))
                    if r in participations
                ),
                None,
            )
            if lawyer is None:
                raise PermissionDenied(
                    gettext("Only the defendant's lawyer records their signature.")
                )
            own_or_none = (
                CaseParticipant.objects.active()
                .filter(case=case, role=Role.DEFENDANT)
                .select_related("defendant")
                .first()
            )
            if own_or_none is None:
                raise Conflict(gettext("The case has no defendant to sign."))
            capacity, own, signer, witness = SignatoryRole.DEFENDANT, own_or_none, None, lawyer
        elif capacity == SignatoryRole.DEFENDANT:
            own = participations[Role.DEFENDANT]
        elif capacity == SignatoryRole.PROSECUTOR:
            own = participations[Role.PROSECUTOR]
        else:
            lawyer_role = next(r for r in (Role.DEFENSE_COUNSEL, Role.DUTY_LAWYER) if r in roles)
            capacity, own = SignatoryRole.DEFENSE_LAWYER, participations[lawyer_role]
        if capacity == SignatoryRole.DEFENDANT:
            _check_witness(case, witness)
        elif witness is not None:
            raise ValidationError(
                {"witness": gettext("Only a defendant's signature is witnessed.")}
            )
        earlier = (
            locked.signatures.filter(signatory_role=capacity)
            .select_related("signer_participant")
            .first()
        )
        if earlier is not None:
            raise Conflict(
                gettext("The %(signatory_role)s has already signed.")
                % {"signatory_role": earlier.capacity_label.lower()},
                code="already_signed",
            )
        with _database_guard(
            gettext("This signature was recorded at the same moment."), "already_signed"
        ):
            signature = Signature.objects.create(
                agreement=locked,
                signatory_role=capacity,
                signer=signer,
                signer_participant=own,
                signer_name=own.display_name,
                recorded_by=by,
                witness=witness,
                signed_at=now,
            )
        if locked.signatures.count() == len(REQUIRED_SIGNATORIES):
            _seal(locked, now)
        return signature


def _check_witness(case: Case, witness: CaseParticipant | None) -> None:
    required = case.court.jurisdiction.witness_required_for_signing
    if witness is None:
        if required:
            raise ValidationError(
                {
                    "witness": gettext(
                        "Under the %(jurisdiction_name)s profile the defendant signs before "
                        "defense counsel or a duty lawyer; name the witness."
                    )
                    % {"jurisdiction_name": case.court.jurisdiction.name_shown}
                }
            )
        return
    if (
        witness.case_id != case.pk
        or witness.role not in permissions.witness_roles(case.court.jurisdiction)
        or not witness.is_active
    ):
        raise ValidationError(
            {
                "witness": gettext(
                    "The witness must be defense counsel or a duty lawyer on this case."
                )
            }
        )


def agreement_languages(agreement: PleaAgreement) -> list[str]:
    """The case's document language, then each defendant's that differs and that Parley has."""
    languages = [agreement.case.court.jurisdiction.document_language]
    spoken = CaseParticipant.objects.active().filter(
        case_id=agreement.case_id, role=Role.DEFENDANT, defendant__isnull=False
    )
    for name in spoken.order_by("id").values_list("defendant__preferred_language", flat=True):
        language = language_code_of(name or "")
        if language and language not in languages:
            languages.append(language)
    return languages


def _seal(agreement: PleaAgreement, now: dt.datetime) -> None:
    """All have signed: render the agreement, store the PDF and its SHA-256; it is final."""

    agreement.status = AgreementStatus.SIGNED
    # In the case's document language (its jurisdiction's profile), whoever signed last; then
    # a copy in each defendant's language where it differs and Parley has a catalogue for it
    # (otherwise the interpreter's attestation in the checklist stands for it). One file: its
    # digest covers every copy.
    languages = agreement_languages(agreement)
    copies = []
    for language in languages:
        with translation.override(language):
            copies.append(agreement_document(agreement, generated_at=now))
    pdf = agreement_pdf(*copies)  # each copy rendered in its own language
    agreement.document_languages = languages
    agreement.pdf = pdf
    agreement.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    agreement.save()


def agreement_submit(*, agreement: PleaAgreement, by: User) -> PleaAgreement:
    """Put the signed agreement before the court; from now on the court reads its terms."""
    with transaction.atomic():
        case, locked = _lock_agreement(agreement)
        permissions.require_agreement_submitter(by, case)
        if locked.status == AgreementStatus.SIGNING:
            raise Conflict(
                gettext("The agreement can be submitted once everyone has signed."),
                code="not_signed",
            )
        if locked.status != AgreementStatus.SIGNED:
            raise Conflict(
                gettext("This agreement is already “%(agreement_status)s”.")
                % {"agreement_status": AgreementStatus(locked.status).label},
                code=f"agreement_{locked.status}",
            )
        locked.status = AgreementStatus.SUBMITTED
        locked.submitted_by = by
        locked.submitted_at = timezone.now()
        locked.save()
        # From here the court reads the agreement, and the case follows the negotiation.
        case_status_follow(
            case=case,
            to_status=CaseStatus.AGREEMENT,
            by=by,
            reason=gettext("The plea agreement was submitted to the court."),
        )
        case_touch(case_id=case.pk)
        domain_events.publish(domain_events.AgreementSubmitted(case=case, agreement=locked))
        return locked


_DISPOSITION_OF_TERM = {
    TermDisposition.AS_CHARGED: Disposition.GUILTY_PLEA,
    TermDisposition.LESSER: Disposition.REDUCED,
    TermDisposition.DISMISS: Disposition.DISMISSED,
}


def agreement_review(
    *,
    agreement: PleaAgreement,
    by: User,
    reasons: str,
    decision: str | None = None,
    ground: str = "",
    accepted: bool | None = None,
) -> PleaAgreement:
    """The court rules on the submitted agreement, with its reasons, as the profile lets it
    (negotiations.agreement_rules):

    - "accept": the plea is entered and the counts are disposed of by the terms;
    - "reject": the parties may negotiate again. Where the profile lists grounds (CPL art.
      201(1)) the rejection names one of them; elsewhere (Fed. R. Crim. P. 11(c)) the reasons
      alone say why;
    - "adjust", where the profile has it (CPL art. 201(2)): the court asks the prosecution to
      adjust its sentencing recommendation, naming the ground. The agreement stays as signed,
      with the request; the negotiation reopens for the adjusted recommendation, whose
      agreement names this one (`adjusts`).

    `accepted` is the older spelling of "accept" (True) or "reject" (False). A decision the
    profile does not offer is a 409."""
    if decision is None:
        decision = agreement_rules.ACCEPT if accepted else agreement_rules.REJECT
    with transaction.atomic():
        case, locked = _lock_agreement(agreement)
        if not permissions.may_review_agreement(by, case):
            raise PermissionDenied(gettext("Only the court reviews a plea agreement."))
        if locked.status != AgreementStatus.SUBMITTED:
            raise Conflict(
                gettext(
                    "Only an agreement submitted to the court can be reviewed; this one is "
                    "“%(agreement_status)s”."
                )
                % {"agreement_status": AgreementStatus(locked.status).label},
                code=f"agreement_{locked.status}",
            )
        jurisdiction = case.court.jurisdiction
        if decision not in agreement_rules.REVIEW_DECISIONS:
            raise ValidationError(
                {"decision": gettext("Decide to accept, reject or ask for an adjustment.")}
            )
        outcomes = agreement_rules.review_outcomes(jurisdiction)
        if decision not in outcomes:
            raise Conflict(
                gettext(
                    "Under the %(profile)s profile the court decides to %(outcomes)s a plea "
                    "agreement; it does not ask the prosecution to adjust its recommendation."
                )
                % {"profile": jurisdiction.name_shown, "outcomes": gettext(" or ").join(outcomes)},
                code="review_decision_not_in_profile",
            )
        errors = _review_errors(jurisdiction, decision, ground.strip(), reasons)
        if errors:
            raise ValidationError(errors)
        now = timezone.now()
        locked.status = {
            agreement_rules.ACCEPT: AgreementStatus.COURT_ACCEPTED,
            agreement_rules.REJECT: AgreementStatus.COURT_REJECTED,
            agreement_rules.ADJUST: AgreementStatus.ADJUSTMENT_REQUESTED,
        }[decision]
        locked.reviewed_by = by
        locked.reviewed_at = now
        locked.review_reasons = reasons.strip()
        locked.review_ground = ground.strip()
        locked.save()
        domain_events.publish(domain_events.AgreementReviewed(case=case, agreement=locked))
        if decision == agreement_rules.ACCEPT:
            _dispose_charges(locked, court_today(case.court))
            case_status_follow(
                case=case,
                to_status=CaseStatus.PLEA_ENTERED,
                by=by,
                reason=gettext("The court accepted the plea agreement."),
            )
        else:
            _set_aside(locked, now)
            case_status_follow(
                case=case,
                to_status=CaseStatus.NEGOTIATING,
                by=by,
                reason=(
                    gettext("The court rejected the plea agreement.")
                    if decision == agreement_rules.REJECT
                    else gettext(
                        "The court asked the prosecution to adjust its sentencing "
                        "recommendation (%(source)s)."
                    )
                    % {"source": agreement_rules.adjustment_source(jurisdiction)}
                ),
            )
        case_touch(case_id=case.pk)
        return locked


def _review_errors(jurisdiction: Any, decision: str, ground: str, reasons: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    grounds = agreement_rules.grounds_for(jurisdiction, decision)
    if grounds:
        if agreement_rules.item_named(grounds, ground) is None:
            errors["ground"] = gettext("Name the ground (%(source)s): %(choices)s.") % {
                "source": agreement_rules.review_source(jurisdiction)
                if decision == agreement_rules.REJECT
                else agreement_rules.adjustment_source(jurisdiction),
                "choices": ", ".join(g.code for g in grounds),
            }
    elif ground:
        errors["ground"] = (
            gettext("An acceptance names no ground.")
            if decision == agreement_rules.ACCEPT
            else gettext(
                "Under the %(profile)s profile a rejection names no listed ground; the "
                "court's reasons say why."
            )
            % {"profile": jurisdiction.name_shown}
        )
    if not reasons.strip():
        errors["reasons"] = gettext("Give the court's reasons.")
    return errors


def _dispose_charges(agreement: PleaAgreement, on: dt.date) -> None:
    for item in agreement.terms["charges"]:
        disposed = (
            Charge.objects.filter(pk=item["charge_id"])
            .exclude(status=ChargeStatus.DISPOSED)
            .update(
                status=ChargeStatus.DISPOSED,
                disposition=_DISPOSITION_OF_TERM[item["disposition"]],
                disposition_date=on,
            )
        )
        if disposed:
            charge = Charge(pk=item["charge_id"], case=agreement.case)
            domain_events.publish(domain_events.ChargeDisposed(case=agreement.case, charge=charge))


def _set_aside(agreement: PleaAgreement, now: dt.datetime) -> None:
    Offer.objects.filter(pk=agreement.offer_id).update(set_aside_at=now)


def agreement_withdraw(*, agreement: PleaAgreement, by: User, reason: str) -> PleaAgreement:
    """The defendant withdraws from the agreement, in person or through counsel, before the
    court accepts it."""
    with transaction.atomic():
        case, locked = _lock_agreement(agreement)
        permissions.require_role_in(
            by,
            case,
            permissions.AGREEMENT_WITHDRAWER_ROLES,
            gettext(
                "Only the defendant, in person or through counsel, withdraws from the agreement."
            ),
        )
        if locked.status not in (
            AgreementStatus.SIGNING,
            AgreementStatus.SIGNED,
            AgreementStatus.SUBMITTED,
        ):
            raise Conflict(
                gettext("The agreement can no longer be withdrawn; it is “%(agreement_status)s”.")
                % {"agreement_status": AgreementStatus(locked.status).label},
                code=f"agreement_{locked.status}",
            )
        if not reason.strip():
            raise ValidationError({"reason": gettext("Give the reason for the withdrawal.")})
        now = timezone.now()
        locked.status = AgreementStatus.WITHDRAWN
        locked.withdrawn_by = by
        locked.withdrawn_at = now
        locked.withdrawal_reason = reason.strip()
        locked.save()
        domain_events.publish(domain_events.AgreementWithdrawn(case=case, agreement=locked))
        _set_aside(locked, now)
        if locked.submitted_at is not None:
            # The court had it: the case goes back to negotiating. Before the submission the
            # court knew of no agreement, and the case never moved for it.
            case_status_follow(
                case=case,
                to_status=CaseStatus.NEGOTIATING,
                by=by,
                reason=gettext("The defendant withdrew from the plea agreement."),
            )
            case_touch(case_id=case.pk)
        return locked


def agreement_downloaded(*, agreement: PleaAgreement, request: object = None) -> None:
    """Every download of the signed agreement is in the case history, behind the wall the
    agreement itself sits behind (the parties; the court once it is submitted)."""
    from audit import services as audit

    audit.record(
        "agreement.downloaded",
        case_id=agreement.case_id,
        audience="negotiation" if agreement.submitted_at is None else "shared",
        request=request,
        data={"agreement_id": agreement.pk, "sha256": agreement.pdf_sha256},
    )
