"""The negotiation's own deadlines (an offer's expiry, the response owed to a defense
suggestion) follow their offer or suggestion and are never edited by hand."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases.models import Case
from deadlines import alerts, computation
from deadlines.models import (
    Deadline,
    DeadlineChangeKind,
    DeadlineKind,
    DeadlineRule,
    DeadlineStatus,
)
from deadlines.selectors import local_date
from deadlines.services.common import _change, _close, _compute, _explain, _in_custody
from parties.models import Side

if TYPE_CHECKING:
    from negotiations.models import Offer, Suggestion


OTHER_SIDE: dict[str, str] = {Side.PROSECUTION: Side.DEFENSE, Side.DEFENSE: Side.PROSECUTION}


def offer_expiry_sync(offer: Offer) -> Deadline | None:
    """Keep an offer's expiry deadline in step with the offer. Run on the negotiation's offer
    events (deadlines.subscribers) inside their transaction, with the case and the offer
    locked.

    Sent with an expiry: an open deadline for the side that must answer. Answered (accepted,
    rejected, countered): met. Withdrawn: cancelled. Expired: cancelled ("Offer expired") and
    the readers of both sides are told, once."""
    from negotiations.models import OfferStatus

    existing = (
        Deadline.objects.select_for_update(no_key=True, of=("self",)).filter(offer=offer).first()
    )
    if offer.status == OfferStatus.EXPIRED:
        if existing is not None and existing.status == DeadlineStatus.OPEN:
            _close(existing, DeadlineStatus.CANCELLED, None, offer.closed_at or timezone.now())
            _change(existing, DeadlineChangeKind.CANCELLED, None, reason=_("Offer expired"))
            alerts.plan_for_deadline(existing)
        alerts.notify_offer_expired(offer)
        return existing
    if offer.status == OfferStatus.SENT:
        if offer.expires_at is None or existing is not None:
            return existing
        case = Case.objects.select_related("court__jurisdiction").get(pk=offer.case_id)
        round_number = offer.round_number
        title = _in_case_language(
            case,
            lambda: (
                _("%(side)s offer (%(round)s) expires")
                % {
                    "side": Side(offer.side).label,
                    "round": _("round %(round_number)s") % {"round_number": round_number}
                    if round_number
                    else _("the offer"),
                }
            ),
        )
        deadline = Deadline.objects.create(
            case=case,
            kind=DeadlineKind.OFFER_EXPIRY,
            title=title,
            responsible_side=OTHER_SIDE.get(offer.side, ""),
            due_date=local_date(offer.expires_at, case.court),
            due_at=offer.expires_at,
            offer=offer,
            created_by=offer.author,
        )
        _change(deadline, DeadlineChangeKind.CREATED, offer.author, to_date=deadline.due_date)
        alerts.plan_for_deadline(deadline)
        return deadline
    if existing is None or existing.status != DeadlineStatus.OPEN:
        return existing
    when = offer.closed_at or timezone.now()
    if offer.status in (OfferStatus.ACCEPTED, OfferStatus.REJECTED, OfferStatus.COUNTERED):
        _close(existing, DeadlineStatus.MET, offer.closed_by, when)
        _change(
            existing,
            DeadlineChangeKind.MET,
            offer.closed_by,
            reason=f"Offer {OfferStatus(offer.status).label.lower()}",
        )
    elif offer.status == OfferStatus.WITHDRAWN:
        _close(existing, DeadlineStatus.CANCELLED, offer.closed_by, when)
        _change(
            existing, DeadlineChangeKind.CANCELLED, offer.closed_by, reason=_("Offer withdrawn")
        )
    else:
        return existing
    alerts.plan_for_deadline(existing)
    return existing


def _in_case_language(case: Case, text: Callable[[], str]) -> str:
    """Text kept on the case for everyone on it, in the case's language (its profile's
    document language), whoever's request wrote it."""
    with translation.override(case.court.jurisdiction.document_language):
        return text()


def suggestion_response_rule(case: Case) -> DeadlineRule | None:
    return (
        DeadlineRule.objects.filter(
            jurisdiction_id=case.court.jurisdiction_id,
            kind=DeadlineKind.SUGGESTION_RESPONSE_DUE,
            active=True,
        )
        .order_by("code")
        .first()
    )


def suggestion_response_sync(suggestion: Suggestion) -> Deadline | None:
    """Keep the response deadline of a defense suggestion in step with it. Run on the
    negotiation's suggestion events (deadlines.subscribers) inside their transaction.
    Submitted: a deadline by the jurisdiction's rule, if it has one. Responded: met."""
    existing = (
        Deadline.objects.select_for_update(no_key=True, of=("self",))
        .filter(suggestion=suggestion)
        .first()
    )
    if suggestion.response:
        if existing is not None and existing.status == DeadlineStatus.OPEN:
            _close(
                existing,
                DeadlineStatus.MET,
                suggestion.responded_by,
                suggestion.responded_at or timezone.now(),
            )
            _change(existing, DeadlineChangeKind.MET, suggestion.responded_by)
            alerts.plan_for_deadline(existing)
        return existing
    if existing is not None:
        return existing
    case = Case.objects.select_related("court__jurisdiction").get(pk=suggestion.case_id)
    rule = suggestion_response_rule(case)
    if rule is None:
        return None
    submitted = local_date(suggestion.created_at, case.court)
    computed = _compute(
        rule,
        submitted,
        computation.calendar_for_court(case.court),
        in_custody=_in_custody(case),
    )
    deadline = Deadline.objects.create(
        case=case,
        kind=DeadlineKind.SUGGESTION_RESPONSE_DUE,
        title=_in_case_language(
            case,
            lambda: (
                _("Written response to the defense suggestion of %(submitted)s")
                % {"submitted": submitted.isoformat()}
            ),
        ),
        responsible_side=rule.responsible_side or Side.PROSECUTION,
        due_date=computed.date,
        rule=rule,
        citation=rule.citation,
        trigger_date=submitted,
        computed_date=computed.date,
        explanation=_explain(rule, computed),
        suggestion=suggestion,
        created_by=suggestion.author,
    )
    _change(deadline, DeadlineChangeKind.CREATED, suggestion.author, to_date=deadline.due_date)
    alerts.plan_for_deadline(deadline)
    return deadline
