"""The negotiation of a case: its page (the rounds, the defense's suggestions and the
prosecution's answers to them) and its sections of the case page and the discovery log."""

from __future__ import annotations

from collections.abc import Callable
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
from negotiations.forms import (
    ComplexCaseMarkForm,
    ResponseForm,
    RightsExplanationForm,
    SuggestionForm,
)
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
    side = permissions.negotiating_side(permissions.roles_on(user, case), case.court.jurisdiction)
    live = None
    if may_read:
        live = (
            selectors.offers_on_case(user, case)
            .filter(status=OfferStatus.SENT)
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
        selectors.offers_on_case(user, case)
        .filter(sent_at__isnull=False)
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
    side = permissions.negotiating_side(roles, case.court.jurisdiction)
    now = timezone.now()
    closed = services.negotiation_closed_reason(case)
    open_ = closed is None
    responds = bool(roles & permissions.SUGGESTION_RESPONDER_ROLES)

    suggestions = list(selectors.suggestions_on_case(user, case).order_by("created_at", "id"))
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
    jurisdiction = case.court.jurisdiction
    mandatory = permissions.written_consideration_mandatory(jurisdiction)
    suggest_form = None
    if roles & permissions.suggestion_author_roles(jurisdiction) and open_:
        suggest_form = bound.get("suggest") or SuggestionForm(
            prefix="suggest", offers=_suggestable_offers(user, case), mandatory=mandatory
        )
    records = _prosecution_records(case, roles, open_, bound)
    context = {
        **records,
        "charges_negotiable": services.charges_negotiable_on(
            case, marked=records.get("complex_mark") is not None
        ),
        "mandatory_consideration": mandatory,
        "negotiators": permissions.role_names(permissions.negotiator_roles(jurisdiction)),
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
        "agreements": list(selectors.agreements_of_case(user, case).defer("pdf").order_by("id")),
        "conflict": conflict,
    }
    return render(request, "negotiations/negotiation.html", context, status=status)


def _prosecution_records(
    case: Case, roles: frozenset[str], open_: bool, bound: dict[str, forms.Form]
) -> dict[str, Any]:
    """The prosecution's records the profile asks for (the rights explained before the first
    offer, a case marked complex), with their forms for the prosecutor while they are missing."""
    jurisdiction = case.court.jurisdiction
    rights_required = permissions.rights_explanation_required(jurisdiction)
    complex_allowed = permissions.charges_negotiable_when_complex(jurisdiction)
    if not (rights_required or complex_allowed):
        # A profile that asks for neither reads neither (the page's queries stay as they were).
        return {"rights_required": False, "complex_allowed": False}
    records = selectors.prosecution_records_of(case)
    records_by_prosecutor = bool(roles & permissions.PROSECUTION_RECORD_ROLES) and open_
    grounds = permissions.complex_case_grounds(jurisdiction)
    return {
        "rights_required": rights_required,
        "rights_explanation": records.rights_explanation,
        "rights_form": (
            bound.get("rights") or RightsExplanationForm(prefix="rights")
            if rights_required and records_by_prosecutor and records.rights_explanation is None
            else None
        ),
        "complex_allowed": complex_allowed,
        "complex_mark": records.complex_mark,
        # Joined as a sentence lists them in the reader's language ("、" in Chinese).
        "complex_grounds": _(", ").join(grounds.get(g, g) for g in records.complex_mark.grounds)
        if records.complex_mark
        else "",
        "complex_form": (
            bound.get("complex") or ComplexCaseMarkForm(prefix="complex", grounds=grounds)
            if complex_allowed and records_by_prosecutor and records.complex_mark is None
            else None
        ),
    }


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
        selectors.offers_on_case(user, case).filter(sent_at__isnull=False).order_by("-round_number")
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
        permissions.suggestion_author_roles(case.court.jurisdiction),
        _("Suggestions come from defense counsel or the duty lawyer."),
    )
    mandatory = permissions.written_consideration_mandatory(case.court.jurisdiction)
    with _court_time(case):
        form = SuggestionForm(
            request.POST,
            prefix="suggest",
            offers=_suggestable_offers(user, case),
            mandatory=mandatory,
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
    messages.success(
        request,
        _("Suggestion sent. The prosecution must answer it in writing.")
        if mandatory
        else _("Suggestion sent. The prosecution may consider it."),
    )
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


def _case_record_post(
    request: HttpRequest,
    case_id: int,
    *,
    refused: str,
    prefix: str,
    form_class: Callable[..., forms.Form],
    write: Callable[[Case, Any, dict[str, Any]], object],
    done: str,
) -> HttpResponse:
    """A record the prosecution makes on the case from the negotiation page: 403 (`refused`)
    before the form is read unless the user may make it; the form (`form_class`, given the
    case) under `prefix`, written by `write(case, user, data)`; the page again with the form's
    errors (400) or the conflict (409), or back to the records with `done`."""
    user = signed_in_user(request)
    case = case_selectors.case_get_for_user(user, case_id)
    permissions.require_role_in(user, case, permissions.PROSECUTION_RECORD_ROLES, refused)
    with _court_time(case):
        form = form_class(request.POST, prefix=prefix, case=case)
        made, status, conflict = _submit(form, lambda data: write(case, user, data))
        if made is None:
            return _render_negotiation(
                request, case, status=status, bound={prefix: form}, conflict=conflict
            )
    messages.success(request, done)
    return redirect(reverse("negotiations:negotiation", args=[case.pk]) + "#records")


@login_required
@require_POST
def rights_explanation_record(request: HttpRequest, case_id: int) -> HttpResponse:
    """The prosecutor records that the rights of the leniency system were fully explained."""
    return _case_record_post(
        request,
        case_id,
        refused=_("Only the prosecutor records that the rights were explained."),
        prefix="rights",
        form_class=lambda *args, case, **kwargs: RightsExplanationForm(*args, **kwargs),
        write=lambda case, user, data: services.rights_explanation_record(
            case=case, by=user, note=data["note"]
        ),
        done=_("Recorded: the rights of the leniency system were explained."),
    )


@login_required
@require_POST
def case_complex_mark(request: HttpRequest, case_id: int) -> HttpResponse:
    """The prosecution marks the case complex, on the profile's grounds and with its reason."""
    return _case_record_post(
        request,
        case_id,
        refused=_("Only the prosecution marks a case complex."),
        prefix="complex",
        form_class=lambda *args, case, **kwargs: ComplexCaseMarkForm(
            *args, grounds=permissions.complex_case_grounds(case.court.jurisdiction), **kwargs
        ),
        write=lambda case, user, data: services.case_complex_mark(
            case=case, by=user, grounds=data["grounds"], reason=data["reason"]
        ),
        done=_("The case is marked complex: its charges may be negotiated."),
    )
