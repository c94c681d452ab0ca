"""The negotiation of a case: its page (the rounds, the defense's suggestions and the
prosecution's answers to them) and its sections of the case page and the discovery log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases import permissions
from cases import selectors as case_selectors
from cases.models import Case
from core.decorators import login_required_htmx as login_required
from core.decorators import signed_in_user
from negotiations import selectors, services
from negotiations.forms import ResponseForm, SuggestionForm
from negotiations.models import Offer, OfferStatus, TermDisposition
from negotiations.sentencing import MonthsRange
from negotiations.views.common import _court_time, _lapsed, _submit, expiry_info
from parties.models import Role
from records.models import Disclosure

# --- the case page's section -------------------------------------------------------------------


def negotiation_section(user: Any, case: Case) -> dict[str, Any]:
    """What the case page shows of the negotiation: the timeline as far as `user` may see it,
    the live offer with its expiry, the agreement, and the way to compose an offer."""
    may_read = permissions.may_read_offers(user, case)
    side = permissions.negotiating_side(permissions.roles_on(user, case))
    live = None
    if may_read:
        live = (
            selectors.offers_visible_to(user)
            .filter(case=case, status=OfferStatus.SENT)
            .select_related("author")
            .first()
        )
    now = timezone.now()
    timeline = selectors.negotiation_timeline(user, case)
    agreement = selectors.agreement_in_force(user, case)
    return {
        "may_read_offers": may_read,
        "timeline": timeline[:8],
        "timeline_more": max(len(timeline) - 8, 0),
        "live_offer": live,
        "live_expiry": expiry_info(live.expires_at, now) if live else None,
        "live_lapsed": bool(live and _lapsed(live, now)),
        "agreement": agreement,
        # An agreement in force closes the negotiation (services.negotiation_closed_reason).
        "compose_side": (
            side
            if side and agreement is None and case.status in services.NEGOTIABLE_CASE_STATUSES
            else None
        ),
    }


def discovery_offers_section(
    user: Any, case: Case, disclosures: list[Disclosure]
) -> list[Offer] | None:
    """A section of the discovery log: what each sent offer recorded about discovery when it
    was sent, and how many items of the log (`disclosures`, as shown) were recorded since;
    None for readers who do not see offers (the court, under a profile that keeps it out of
    the negotiation)."""
    if not permissions.may_read_offers(user, case):
        return None
    offers = list(
        selectors.offers_visible_to(user)
        .filter(case=case, sent_at__isnull=False)
        .order_by("round_number", "id")
    )
    for offer in offers:
        known = set(offer.discovery_disclosure_ids)
        offer.recorded_since = sum(1 for item in disclosures if item.pk not in known)  # type: ignore[attr-defined]
    return offers


# --- the negotiation of a case -------------------------------------------------------------------


def _render_negotiation(
    request: HttpRequest,
    case: Case,
    *,
    status: int = 200,
    bound: dict[str, forms.Form] | None = None,
    conflict: str = "",
) -> HttpResponse:
    user = signed_in_user(request)
    bound = bound or {}
    offers = selectors.offers_of_case(user, case)  # 403 for the court
    roles = permissions.roles_on(user, case)
    side = permissions.negotiating_side(roles)
    now = timezone.now()
    closed = services.negotiation_closed_reason(case)
    open_ = closed is None
    responds = bool(roles & permissions.SUGGESTION_RESPONDER_ROLES)

    suggestions = list(
        selectors.suggestions_visible_to(user).filter(case=case).order_by("created_at", "id")
    )
    # Each suggestion with the prosecution's response form while it has none (or was just
    # submitted, to show its errors).
    suggestion_rows = [
        (
            suggestion,
            bound.get(f"s{suggestion.pk}")
            or (
                ResponseForm(prefix=f"s{suggestion.pk}")
                if responds and not suggestion.response
                else None
            ),
        )
        for suggestion in suggestions
    ]
    rounds = [
        Round(
            offer=offer,
            lapsed=_lapsed(offer, now),
            expiry=expiry_info(offer.expires_at, now) if offer.status == OfferStatus.SENT else None,
            custody=_recommended(offer),
            dismissed=sum(t.disposition == TermDisposition.DISMISS for t in offer.terms.all()),
            reduced=sum(t.disposition == TermDisposition.LESSER for t in offer.terms.all()),
            concessions=len(offer.concessions.all()),
            own_draft=offer.status == OfferStatus.DRAFT and offer.side == side,
        )
        for offer in offers
    ]
    live = next((r for r in rounds if r.offer.status == OfferStatus.SENT), None)
    awaiting = [o for o in offers if responds and services.response_owed(o)]
    suggest_form = None
    if roles & permissions.SUGGESTION_AUTHOR_ROLES and open_:
        suggest_form = bound.get("suggest") or SuggestionForm(
            prefix="suggest", offers=_suggestable_offers(user, case)
        )
    context = {
        "case": case,
        "rounds": rounds,
        "live": live,
        "side": side,
        "is_defendant": Role.DEFENDANT in roles and side is None,
        "negotiation_open": open_,
        "negotiation_closed": closed or "",
        "suggestion_rows": suggestion_rows,
        "unanswered_suggestions": [s for s in suggestions if not s.response],
        "awaiting_response": awaiting,
        "responds": responds,
        "suggest_form": suggest_form,
        "agreements": list(
            selectors.agreements_visible_to(user).filter(case=case).defer("pdf").order_by("id")
        ),
        "conflict": conflict,
    }
    return render(request, "negotiations/negotiation.html", context, status=status)


@dataclass(frozen=True)
class Round:
    """One offer as the negotiation page lists it."""

    offer: Offer
    lapsed: bool
    expiry: dict[str, Any] | None
    custody: str
    dismissed: int
    reduced: int
    concessions: int
    own_draft: bool


def _suggestable_offers(user: Any, case: Case) -> Any:
    return (
        selectors.offers_visible_to(user)
        .filter(case=case, sent_at__isnull=False)
        .order_by("-round_number")
    )


def _recommended(offer: Offer) -> str:
    low, high = offer.custody_min_months, offer.custody_max_months
    if low is None and high is None:
        return ""
    low = low or 0
    return str(MonthsRange(low, high if high is not None else low))


@login_required
@require_GET
def negotiation(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_selectors.case_get_for_user(request.user, case_id)
    with _court_time(case):
        return _render_negotiation(request, case)


@login_required
@require_POST
def suggestion_submit(request: HttpRequest, case_id: int) -> HttpResponse:
    user = signed_in_user(request)
    case = case_selectors.case_get_for_user(user, case_id)
    permissions.require_role_in(
        user,
        case,
        permissions.SUGGESTION_AUTHOR_ROLES,
        _("Suggestions come from defense counsel or the duty lawyer."),
    )
    with _court_time(case):
        form = SuggestionForm(
            request.POST, prefix="suggest", offers=_suggestable_offers(user, case)
        )
        suggestion, status, conflict = _submit(
            form,
            lambda data: services.suggestion_submit(
                case=case, by=user, text=data["text"], offer=data["offer"]
            ),
        )
        if suggestion is None:
            return _render_negotiation(
                request, case, status=status, bound={"suggest": form}, conflict=conflict
            )
    messages.success(request, _("Suggestion sent. The prosecution must answer it in writing."))
    return redirect(reverse("negotiations:negotiation", args=[case.pk]) + "#suggestions")


@login_required
@require_POST
def suggestion_respond(request: HttpRequest, suggestion_id: int) -> HttpResponse:
    user = signed_in_user(request)
    suggestion = selectors.suggestion_get_for_user(user, suggestion_id)
    case = case_selectors.case_get_for_user(user, suggestion.case_id)
    permissions.require_role_in(
        user,
        case,
        permissions.SUGGESTION_RESPONDER_ROLES,
        _("Only the prosecution responds to a defense suggestion."),
    )
    prefix = f"s{suggestion.pk}"
    with _court_time(case):
        form = ResponseForm(request.POST, prefix=prefix)
        answered, status, conflict = _submit(
            form,
            lambda data: services.suggestion_respond(
                suggestion=suggestion, by=user, response=data["response"]
            ),
        )
        if answered is None:
            return _render_negotiation(
                request, case, status=status, bound={prefix: form}, conflict=conflict
            )
    messages.success(request, _("Response recorded."))
    return redirect(
        reverse("negotiations:negotiation", args=[case.pk]) + f"#suggestion-{suggestion.pk}"
    )
