"""Negotiation pages: the rounds of a case, composing and answering offers, defense suggestions,
and the plea agreement with its checklist, signatures and the court's review.

Thin views: a selector reads, one service writes, then the browser is redirected (POST/redirect/
GET) or the page is shown again with the submitted form. What a person may see is decided by the
selectors: an offer they may not read answers 404 like a missing one, and the court asking for
the negotiation of a case it hears answers 403 with the reason (it sees the agreement once it is
submitted). Before a form is read, the view asks cases.permissions whether the person's role may
act at all (403); the service then decides the rest. Its ValidationError is shown next to the
fields it names (400); a move the current state does not allow is shown on top of the page (409).

Every time on these pages is in the court's time zone, and the expiry entered in a form is read
in it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import permissions
from cases import selectors as case_selectors
from cases.models import Case, ChargeStatus
from core.decorators import login_required_htmx as login_required
from core.decorators import signed_in_user
from core.exceptions import Conflict
from core.forms import add_service_errors
from negotiations import selectors, services
from negotiations.forms import (
    CONDITION_FIELDS,
    SENTENCE_FIELDS,
    ChecklistForm,
    ConcessionForm,
    ConfirmForm,
    CounterForm,
    OfferForm,
    RejectForm,
    ResponseForm,
    ReviewForm,
    SignForm,
    SuggestionForm,
    WithdrawForm,
    offer_initial,
)
from negotiations.models import (
    AgreementStatus,
    Offer,
    OfferStatus,
    PleaAgreement,
    SignatoryRole,
    TermDisposition,
)
from negotiations.sentencing import Exposure, MonthsRange
from negotiations.services import OfferInput, TermInput
from parties import selectors as party_selectors
from parties.models import Role, Side
from records.models import Disclosure

T = TypeVar("T")

SIDE_NOUN = {Side.PROSECUTION: "the prosecution", Side.DEFENSE: "the defense"}
TIMES = "\u00d7"  # the multiplication sign: a trial penalty of 3.3 times the plea


# --- shared helpers --------------------------------------------------------------------------


@contextmanager
def _court_time(case: Case) -> Iterator[None]:
    """Read and show times in the court's zone (forms parse datetime-local input in it)."""
    with timezone.override(case.court.time_zone):
        yield


def _submit(form: forms.Form, action: Callable[[dict[str, Any]], T]) -> tuple[T | None, int, str]:
    """Validate `form` and run `action` on its data; return (result, HTTP status, conflict).

    A ValidationError goes next to the fields it names (400); a Conflict comes back as its
    message, for the top of the page (409), because the form it came from may no longer apply.
    PermissionDenied and Http404 are not caught: they become the 403 and 404 pages.
    """
    if not form.is_valid():
        return None, 400, ""
    try:
        return action(form.cleaned_data), 200, ""
    except ValidationError as error:
        if isinstance(form, OfferForm):
            form.add_service_errors(error)
        else:
            add_service_errors(form, error)
        return None, 400, ""
    except Conflict as conflict:
        return None, 409, conflict.message


def _lapsed(offer: Offer, now: dt.datetime) -> bool:
    """Sent, and its deadline has passed: expired, even before the scheduler records it."""
    return offer.status == OfferStatus.SENT and bool(offer.expires_at and offer.expires_at <= now)


def expiry_info(expires_at: dt.datetime | None, now: dt.datetime) -> dict[str, Any] | None:
    """What the countdown says when the page is rendered; the script updates it every minute."""
    if expires_at is None:
        return None
    left = expires_at - now
    return {
        "at": expires_at,
        "text": countdown_text(left),
        "passed": left <= dt.timedelta(0),
        "urgent": dt.timedelta(0) < left <= dt.timedelta(days=1),
    }


def countdown_text(left: dt.timedelta) -> str:
    """“expires in 2 days 4 hours”; the same words as static/js/countdown.js."""
    if left <= dt.timedelta(0):
        return "expired"
    minutes = int(left.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)

    def unit(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    if days:
        parts = [unit(days, "day")] + ([unit(hours, "hour")] if hours else [])
    elif hours:
        parts = [unit(hours, "hour")] + ([unit(minutes, "minute")] if minutes else [])
    elif minutes:
        parts = [unit(minutes, "minute")]
    else:
        parts = ["less than a minute"]
    return "expires in " + " ".join(parts)


def _months(r: MonthsRange | None) -> str:
    return str(r) if r is not None else ""


def _statute_range(statute: Any) -> str:
    return str(MonthsRange(statute.min_custody_months, statute.max_custody_months))


def _open_charges(user: Any, case: Case, *, with_lesser_included: bool = False) -> list[Any]:
    """The counts still to be decided, as filed (a disposed count is out of the negotiation)."""
    charges = (
        case_selectors.charges_visible_to(user)
        .filter(case_id=case.pk)
        .exclude(status=ChargeStatus.DISPOSED)
        .order_by("count_number")
    )
    if with_lesser_included:
        charges = charges.prefetch_related("statute__lesser_included")
    return list(charges)


def _parameters(case: Case) -> dict[str, Any]:
    return case.court.jurisdiction.parameters or {}


def _negotiation_open(case: Case) -> bool:
    return services.negotiation_closed_reason(case) is None


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
        "Suggestions come from defense counsel or the duty lawyer.",
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
    messages.success(request, "Suggestion sent. The prosecution must answer it in writing.")
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
        "Only the prosecution responds to a defense suggestion.",
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
    messages.success(request, "Response recorded.")
    return redirect(
        reverse("negotiations:negotiation", args=[case.pk]) + f"#suggestion-{suggestion.pk}"
    )


# --- composing: a new offer, a draft, a counter ------------------------------------------------


def _offer_form(
    user: Any,
    case: Case,
    form_class: type[OfferForm] = OfferForm,
    data: Any = None,
    initial: dict[str, Any] | None = None,
) -> OfferForm:
    charges = _open_charges(user, case, with_lesser_included=True)
    statutes = (
        list(case_selectors.statutes_for_case(case))
        if case.court.jurisdiction.charges_negotiable
        else []
    )
    return form_class(data, case=case, charges=charges, statutes=statutes, initial=initial)


def _input_of(offer: Offer) -> OfferInput:
    terms = [TermInput(t.charge_id, t.disposition, t.lesser_statute_id) for t in offer.terms.all()]
    return OfferInput(terms=terms, **{name: getattr(offer, name) for name in services.OFFER_FIELDS})


def _previewing(posted: Any) -> bool:
    """The user asked to see the preview, not to save or send."""
    return posted is not None and posted.get("intent") == "preview"


def _preview(user: Any, case: Case, data: OfferInput) -> selectors.OfferPreview:
    """selectors.offer_preview, without waiting for the rationale: it changes neither the
    exposure nor the concessions, and saving still requires it where the service does."""
    if not data.rationale.strip():
        data = dataclasses.replace(data, rationale="(not written yet)")
    return selectors.offer_preview(case, user, data)


def _first_preview(user: Any, case: Case, data: OfferInput) -> selectors.OfferPreview | None:
    """The preview shown with the page: nothing when the starting contents are incomplete (the
    user has not touched the form yet; their errors appear as they edit)."""
    try:
        return _preview(user, case, data)
    except ValidationError:
        return None


def _render_compose(
    request: HttpRequest,
    case: Case,
    form: OfferForm,
    *,
    mode: str,
    side: str,
    status: int = 200,
    conflict: str = "",
    offer: Offer | None = None,
    start: OfferInput | None = None,
) -> HttpResponse:
    user = signed_in_user(request)
    preview = None
    if not form.is_bound:
        preview = _first_preview(user, case, start or OfferInput())
    elif status != 400:
        # Shown again after a 409, or asked for with "Update the preview" (works without JS).
        if form.is_valid():
            try:
                preview = _preview(user, case, form.to_input())
            except ValidationError as error:
                form.add_service_errors(error)
        if form.errors:
            status = 400
    closed = services.negotiation_closed_reason(case)
    actions = {
        "new": reverse("negotiations:offer-new", args=[case.pk]),
        "edit": reverse("negotiations:offer-edit", args=[offer.pk]) if offer else "",
        "counter": reverse("negotiations:offer-counter", args=[offer.pk]) if offer else "",
    }
    context = {
        "case": case,
        "form": form,
        "mode": mode,
        "side": side,
        "side_label": Side(side).label,
        "other_side": SIDE_NOUN[services.OTHER_SIDE[Side(side)]],
        "offer": offer,
        "preview": preview,
        **(exposure_context(preview.exposure, _parameters(case)) if preview else {}),
        "action_url": actions[mode],
        "preview_url": reverse("negotiations:offer-preview", args=[case.pk]),
        "conflict": conflict,
        "negotiation_closed": closed or "",
        "negotiation_open": closed is None,
        "answering_defense": mode == "counter" and offer is not None and offer.side == Side.DEFENSE,
    }
    return render(request, "negotiations/offer_compose.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def offer_compose(request: HttpRequest, case_id: int) -> HttpResponse:
    user = signed_in_user(request)
    case = case_selectors.case_get_for_user(user, case_id)
    side = permissions.require_negotiator(user, case)
    with _court_time(case):
        posted = request.POST if request.method == "POST" else None
        form = _offer_form(user, case, data=posted)
        status, conflict = 200, ""
        if posted is not None and not _previewing(posted):
            offer, status, conflict = _submit(
                form, lambda _: services.offer_create(case=case, by=user, data=form.to_input())
            )
            if offer is not None:
                messages.success(
                    request,
                    f"Draft saved as round {offer.round_number}. Check it, then send it to "
                    f"{SIDE_NOUN[services.OTHER_SIDE[Side(side)]]}.",
                )
                return redirect("negotiations:offer", offer.pk)
        return _render_compose(
            request, case, form, mode="new", side=side, status=status, conflict=conflict
        )


@login_required
@require_http_methods(["GET", "POST"])
def offer_edit(request: HttpRequest, offer_id: int) -> HttpResponse:
    user = signed_in_user(request)
    offer = selectors.offer_get_for_user(user, offer_id)
    case = offer.case
    side = permissions.require_negotiator(user, case)
    if offer.side != side:
        raise PermissionDenied("Only the side that drafted an offer may change it.")
    with _court_time(case):
        if offer.status != OfferStatus.DRAFT:
            return _render_offer(
                request,
                offer,
                status=409,
                conflict="A sent offer cannot be changed; withdraw it and send a new one.",
            )
        posted = request.POST if request.method == "POST" else None
        form = _offer_form(user, case, data=posted, initial=offer_initial(offer))
        status, conflict = 200, ""
        if posted is not None and not _previewing(posted):
            saved, status, conflict = _submit(
                form, lambda _: services.offer_update(offer=offer, by=user, data=form.to_input())
            )
            if saved is not None:
                messages.success(request, "Draft saved.")
                return redirect("negotiations:offer", offer.pk)
        return _render_compose(
            request,
            case,
            form,
            mode="edit",
            side=side,
            status=status,
            conflict=conflict,
            offer=offer,
            start=_input_of(offer),
        )


def _counter_refusal(offer: Offer, now: dt.datetime) -> str:
    if _lapsed(offer, now) or offer.status == OfferStatus.EXPIRED:
        return "This offer has expired; it can no longer be answered."
    if offer.status != OfferStatus.SENT:
        return (
            f"This offer is {OfferStatus(offer.status).label.lower()}; it can no longer be "
            "answered."
        )
    return ""


@login_required
@require_http_methods(["GET", "POST"])
def offer_counter(request: HttpRequest, offer_id: int) -> HttpResponse:
    user = signed_in_user(request)
    offer = selectors.offer_get_for_user(user, offer_id)
    case = offer.case
    side = permissions.require_negotiator(user, case)
    if offer.side == side:
        raise PermissionDenied("Only the other side may counter an offer.")
    with _court_time(case):
        posted = request.POST if request.method == "POST" else None
        if posted is None and (refusal := _counter_refusal(offer, timezone.now())):
            return _render_offer(request, offer, status=409, conflict=refusal)
        form = _offer_form(
            user,
            case,
            CounterForm,
            data=posted,
            initial=offer_initial(offer, with_deadline_and_reasons=False),
        )
        form.previewing = _previewing(posted)
        status, conflict = 200, ""
        if posted is not None and not form.previewing:
            counter, status, conflict = _submit(
                form,
                lambda data: services.offer_counter(
                    offer=offer, by=user, data=form.to_input(), response=data["response"]
                ),
            )
            if counter is not None:
                messages.success(
                    request,
                    f"Counteroffer sent as round {counter.round_number}; round "
                    f"{offer.round_number} is closed as countered.",
                )
                return redirect("negotiations:offer", counter.pk)
            if status == 409:
                offer = selectors.offer_get_for_user(user, offer.pk)  # as it is now
                return _render_offer(request, offer, status=409, conflict=conflict)
        start = _input_of(offer)
        start.expires_at, start.rationale = None, ""
        return _render_compose(
            request,
            case,
            form,
            mode="counter",
            side=side,
            status=status,
            offer=offer,
            start=start,
        )


@login_required
@require_POST
def offer_preview(request: HttpRequest, case_id: int) -> HttpResponse:
    """The exposure and the concessions the form's contents would give, without saving: the
    compose pages ask for it (htmx) as the user changes a field. Errors go next to the fields
    (out-of-band swaps) and the preview says what is missing.

    Contents that cannot be previewed yet answer 200, not 400: a half-filled form is the normal
    state while composing (a count set to "lesser" before its offence is chosen), this is a
    read, and under DEBUG django-htmx replaces the whole page with any 400 response."""
    user = signed_in_user(request)
    case = case_selectors.case_get_for_user(user, case_id)
    side = permissions.require_negotiator(user, case)
    with _court_time(case):
        form = _offer_form(user, case, data=request.POST)
        preview = None
        if form.is_valid():
            try:
                preview = _preview(user, case, form.to_input())
            except ValidationError as error:
                form.add_service_errors(error)
        context = {
            "case": case,
            "form": form,
            "side": side,
            "preview": preview,
            **(exposure_context(preview.exposure, _parameters(case)) if preview else {}),
            "oob": True,
        }
        return render(request, "negotiations/partials/offer_preview.html", context)


# --- one offer: the review page and its actions ---------------------------------------------------


def _exposure_rows(exposure: Exposure, parameters: dict[str, Any]) -> list[dict[str, str]]:
    if "leniency_stage_tiers" in parameters:
        guideline = ("Baseline and leniency range", "Baseline sentence", "With leniency")
    else:
        guideline = ("Guideline range (USSG Ch. 5, Pt. A)", "", "")
    missing = "Not calculated"
    return [
        {
            "label": "Statutory range",
            "note": "Highest mandatory minimum to the sum of the maxima",
            "trial": _months(exposure.trial_statutory),
            "plea": _months(exposure.plea_statutory),
        },
        {
            "label": guideline[0],
            "note": "Bounded by the statutory range in the expected sentence",
            "trial": (
                f"{guideline[1]} {exposure.trial_guideline}".strip()
                if exposure.trial_guideline
                else missing
            ),
            "plea": (
                f"{guideline[2]} {exposure.plea_guideline}".strip()
                if exposure.plea_guideline
                else missing
            ),
        },
        {
            "label": "Expected sentence",
            "note": "The offer's recommendation when it makes one",
            "trial": _months(exposure.trial_expected),
            "plea": _months(exposure.plea_expected),
        },
    ]


def trial_penalty_text(exposure: Exposure) -> str:
    if exposure.trial_penalty is not None:
        return f"{TIMES} {exposure.trial_penalty:.1f}"
    if exposure.trial_expected.reaches_life:
        return "Not a number: the sentence after trial may reach life"
    return "Not a number: no custody under the offer"


def exposure_context(exposure: Exposure, parameters: dict[str, Any]) -> dict[str, Any]:
    return {
        "exposure": exposure,
        "exposure_rows": _exposure_rows(exposure, parameters),
        "trial_penalty": trial_penalty_text(exposure),
    }


def _count_rows(offer: Offer, charges: list[Any]) -> list[dict[str, Any]]:
    """The charges as filed beside what the offer does with each."""
    terms = {t.charge_id: t for t in offer.terms.all()}
    rows = []
    for charge in charges:
        term = terms.get(charge.pk)
        disposition = term.disposition if term else TermDisposition.AS_CHARGED
        lesser = term.lesser_statute if term else None
        rows.append(
            {
                "charge": charge,
                "range": _statute_range(charge.statute),
                "disposition": disposition,
                "label": TermDisposition(disposition).label,
                "lesser": lesser,
                "lesser_range": _statute_range(lesser) if lesser else "",
                "severity_drop": charge.statute.severity_rank - lesser.severity_rank
                if lesser
                else 0,
            }
        )
    return rows


def _sentence_and_conditions(offer: Offer) -> tuple[list[tuple[str, str]], list[str]]:
    """The recommendation in the words the agreement will use (selectors.sentence_lines)."""
    terms = {
        "sentence": {
            name: (str(value) if (value := getattr(offer, name)) is not None else None)
            for name in SENTENCE_FIELDS
        },
        "conditions": [name for name in CONDITION_FIELDS if getattr(offer, name)],
    }
    return selectors.sentence_lines(terms), selectors.condition_labels(terms)


def offer_action_form(name: str, offer: Offer, data: Any = None) -> forms.Form:
    """The form of one action on an offer, worded for it: the page shows it, the POST reads it."""
    if name == "send":
        other = SIDE_NOUN[services.OTHER_SIDE[Side(offer.side)]]
        return ConfirmForm(data, prefix=name, confirm_label=f"Send this offer to {other}")
    if name == "withdraw":
        return WithdrawForm(data, prefix=name, confirm_label="Withdraw this offer")
    if name == "accept":
        label = (
            "The defendant has instructed me to accept this offer"
            if offer.side == Side.PROSECUTION
            else "Accept this proposal for the prosecution"
        )
        return ConfirmForm(data, prefix=name, confirm_label=label)
    if name == "reject":
        return RejectForm(data, prefix=name)
    if name == "respond":
        return ResponseForm(data, prefix=name)
    if name == "concession":
        return ConcessionForm(data, prefix=name)
    raise ValueError(f"No offer action {name!r}.")


def _render_offer(
    request: HttpRequest,
    offer: Offer,
    *,
    status: int = 200,
    bound: dict[str, forms.Form] | None = None,
    conflict: str = "",
) -> HttpResponse:
    user = signed_in_user(request)
    bound = bound or {}
    case = offer.case
    roles = permissions.roles_on(user, case)
    side = permissions.negotiating_side(roles)
    now = timezone.now()
    lapsed = _lapsed(offer, now)
    live = offer.status == OfferStatus.SENT and not lapsed
    mine = side is not None and side == offer.side
    theirs = side is not None and side != offer.side
    open_ = _negotiation_open(case)

    open_to_reader = {
        "send": mine and offer.status == OfferStatus.DRAFT and open_,
        "withdraw": mine and (offer.status == OfferStatus.DRAFT or live),
        "accept": theirs and live,
        "reject": theirs and live,
        "respond": bool(roles & permissions.SUGGESTION_RESPONDER_ROLES)
        and services.response_owed(offer),
        "concession": Role.PROSECUTOR in roles
        and offer.side == Side.PROSECUTION
        and offer.is_open
        and not lapsed,
    }
    # A submitted form shows again with its errors, even if the state has moved on since.
    forms_ = {
        name: bound.get(name) or (offer_action_form(name, offer) if allowed else None)
        for name, allowed in open_to_reader.items()
    }
    charges = _open_charges(user, case)
    exposure = selectors.offer_exposure(offer)
    sentence, conditions = _sentence_and_conditions(offer)
    # The rounds before and after this one, in one query whether or not there are any.
    neighbours = list(
        selectors.offers_visible_to(user)
        .filter(Q(pk=offer.answers_id or 0) | Q(answers=offer), sent_at__isnull=False)
        .only("pk", "round_number", "answers_id")
    )
    answers = next((o for o in neighbours if o.pk == offer.answers_id), None)
    answered_by = next((o for o in neighbours if o.answers_id == offer.pk), None)
    agreement = (
        selectors.agreements_visible_to(user).filter(offer=offer).defer("pdf").first()
        if offer.status == OfferStatus.ACCEPTED
        else None
    )
    context = {
        "case": case,
        "offer": offer,
        "side": side,
        "is_defendant": Role.DEFENDANT in roles and side is None,
        "mine": mine,
        "theirs": theirs,
        "live": live,
        "lapsed": lapsed,
        "negotiation_open": open_,
        "expiry": expiry_info(offer.expires_at, now) if offer.status == OfferStatus.SENT else None,
        "count_rows": _count_rows(offer, charges),
        **exposure_context(exposure, _parameters(case)),
        "concessions": list(offer.concessions.all()),
        "sentence": sentence,
        "conditions": conditions,
        "answers": answers,
        "answered_by": answered_by,
        "agreement": agreement,
        "forms": forms_,
        "may_counter": theirs and live and open_,
        "has_actions": any(forms_.values()) or (theirs and live and open_),
        "conflict": conflict,
    }
    return render(request, "negotiations/offer_detail.html", context, status=status)


@login_required
@require_GET
def offer_detail(request: HttpRequest, offer_id: int) -> HttpResponse:
    offer = selectors.offer_get_for_user(request.user, offer_id)
    with _court_time(offer.case):
        return _render_offer(request, offer)


def _offer_action(
    request: HttpRequest,
    offer_id: int,
    name: str,
    act: Callable[[Offer, dict[str, Any]], Any],
    done: Callable[[Any], tuple[str, str]],
    *,
    may: Callable[[Any, Case], Any],
) -> HttpResponse:
    """One action of the offer page: `may` checks the role (403), the form is validated and
    the service run; then a redirect to `done(result)` = (url, message), or the page again."""
    user = signed_in_user(request)
    offer = selectors.offer_get_for_user(user, offer_id)
    may(user, offer.case)
    with _court_time(offer.case):
        form = offer_action_form(name, offer, request.POST)
        result, status, conflict = _submit(form, lambda data: act(offer, data))
        if result is None:
            offer = selectors.offer_get_for_user(user, offer.pk)  # as it is now
            return _render_offer(
                request,
                offer,
                status=status,
                bound={name: form} if status == 400 else None,
                conflict=conflict,
            )
    url, message = done(result)
    messages.success(request, message)
    return redirect(url)


def _offer_url(offer: Offer, anchor: str = "") -> str:
    return reverse("negotiations:offer", args=[offer.pk]) + (f"#{anchor}" if anchor else "")


def _negotiator(user: Any, case: Case) -> None:
    permissions.require_negotiator(user, case)


def _prosecution_responder(user: Any, case: Case) -> None:
    permissions.require_role_in(
        user, case, permissions.SUGGESTION_RESPONDER_ROLES, "Only the prosecution responds."
    )


def _prosecutor(user: Any, case: Case) -> None:
    permissions.require_role_in(
        user, case, frozenset({Role.PROSECUTOR}), "Only the prosecution logs its concessions."
    )


@login_required
@require_POST
def offer_send(request: HttpRequest, offer_id: int) -> HttpResponse:
    return _offer_action(
        request,
        offer_id,
        "send",
        lambda offer, _: services.offer_send(offer=offer, by=signed_in_user(request)),
        lambda sent: (_offer_url(sent), f"Round {sent.round_number} sent."),
        may=_negotiator,
    )


@login_required
@require_POST
def offer_withdraw(request: HttpRequest, offer_id: int) -> HttpResponse:
    return _offer_action(
        request,
        offer_id,
        "withdraw",
        lambda offer, data: services.offer_withdraw(
            offer=offer, by=signed_in_user(request), reason=data["reason"]
        ),
        lambda offer: (_offer_url(offer), f"Round {offer.round_number} withdrawn."),
        may=_negotiator,
    )


@login_required
@require_POST
def offer_accept(request: HttpRequest, offer_id: int) -> HttpResponse:
    return _offer_action(
        request,
        offer_id,
        "accept",
        lambda offer, _: services.offer_accept(offer=offer, by=signed_in_user(request)),
        lambda agreement: (
            reverse("negotiations:agreement", args=[agreement.pk]),
            "Offer accepted. The plea agreement is ready for the checklist and signatures.",
        ),
        may=_negotiator,
    )


@login_required
@require_POST
def offer_reject(request: HttpRequest, offer_id: int) -> HttpResponse:
    return _offer_action(
        request,
        offer_id,
        "reject",
        lambda offer, data: services.offer_reject(
            offer=offer, by=signed_in_user(request), reason=data["reason"]
        ),
        lambda offer: (_offer_url(offer), f"Round {offer.round_number} rejected."),
        may=_negotiator,
    )


@login_required
@require_POST
def offer_respond(request: HttpRequest, offer_id: int) -> HttpResponse:
    return _offer_action(
        request,
        offer_id,
        "respond",
        lambda offer, data: services.offer_respond(
            offer=offer, by=signed_in_user(request), response=data["response"]
        ),
        lambda offer: (_offer_url(offer), "Response recorded."),
        may=_prosecution_responder,
    )


@login_required
@require_POST
def concession_log(request: HttpRequest, offer_id: int) -> HttpResponse:
    return _offer_action(
        request,
        offer_id,
        "concession",
        lambda offer, data: services.concession_log(
            offer=offer,
            by=signed_in_user(request),
            kind=data["kind"],
            description=data["description"],
        ),
        lambda concession: (_offer_url(concession.offer, "concessions"), "Concession logged."),
        may=_prosecutor,
    )


# --- the plea agreement -------------------------------------------------------------------------


def _agreement_for(user: Any, agreement_id: int) -> PleaAgreement:
    # The stored PDF is not needed to show the page; the download view reads it.
    agreement = selectors.agreements_visible_to(user).defer("pdf").filter(pk=agreement_id).first()
    if agreement is None:
        raise Http404("No such agreement.")
    return agreement


def _witnesses(case: Case) -> Any:
    return party_selectors.participants_of_case(case.pk).filter(
        role__in=permissions.WITNESS_ROLES, end_date__isnull=True
    )


WITHDRAWABLE = (AgreementStatus.SIGNING, AgreementStatus.SIGNED, AgreementStatus.SUBMITTED)


def agreement_action_form(
    name: str, agreement: PleaAgreement, capacity: str | None, data: Any = None
) -> forms.Form:
    """The form of one action on an agreement: the page shows it, the POST reads it.
    `capacity` is the reader's as a signatory (a defendant signing names their witness)."""
    if name == "checklist":
        return ChecklistForm(
            data,
            prefix=name,
            interpreter_needed=agreement.interpreter_needed,
            initial={"interpreter_language": agreement.interpreter_language},
        )
    if name == "sign":
        defendant = capacity == SignatoryRole.DEFENDANT
        return SignForm(
            data,
            prefix=name,
            confirm_label="I have read this agreement and sign it",
            witnesses=_witnesses(agreement.case) if defendant else None,
            witness_required=agreement.case.court.jurisdiction.witness_required_for_signing,
        )
    if name == "record":
        label = "The defendant signed this agreement on paper in my presence"
        return ConfirmForm(data, prefix=name, confirm_label=label)
    if name == "submit":
        return ConfirmForm(data, prefix=name, confirm_label="Submit the agreement to the court")
    if name == "review":
        return ReviewForm(data, prefix=name)
    if name == "withdraw":
        label = "The defendant withdraws from this agreement"
        return WithdrawForm(data, prefix=name, confirm_label=label)
    raise ValueError(f"No agreement action {name!r}.")


def _render_agreement(
    request: HttpRequest,
    agreement: PleaAgreement,
    *,
    status: int = 200,
    bound: dict[str, forms.Form] | None = None,
    conflict: str = "",
) -> HttpResponse:
    user = signed_in_user(request)
    bound = bound or {}
    case = agreement.case
    roles = permissions.roles_on(user, case)
    signing = agreement.status == AgreementStatus.SIGNING
    signatures = {s.signatory_role: s for s in agreement.signatures.all()}
    capacity = services.signing_capacity(roles)
    witness_required = case.court.jurisdiction.witness_required_for_signing

    ready_to_sign = signing and agreement.checklist_complete
    open_to_reader = {
        "checklist": bool(roles & permissions.CHECKLIST_ROLES)
        and signing
        and not agreement.checklist_complete,
        "sign": ready_to_sign and capacity is not None and capacity not in signatures,
        "record": ready_to_sign
        and bool(roles & permissions.WITNESS_ROLES)
        and SignatoryRole.DEFENDANT not in signatures,
        "submit": bool(roles & permissions.AGREEMENT_SUBMITTER_ROLES)
        and agreement.status == AgreementStatus.SIGNED,
        "review": agreement.status == AgreementStatus.SUBMITTED
        and permissions.may_review_agreement(user, case),
        "withdraw": bool(roles & permissions.AGREEMENT_WITHDRAWER_ROLES)
        and agreement.status in WITHDRAWABLE,
    }
    forms_ = {
        name: bound.get(name)
        or (agreement_action_form(name, agreement, capacity) if allowed else None)
        for name, allowed in open_to_reader.items()
    }
    terms = agreement.terms
    context = {
        "case": case,
        "agreement": agreement,
        "charges": [{**item, "term": selectors.term_label(item)} for item in terms["charges"]],
        "sentence": selectors.sentence_lines(terms),
        "conditions": selectors.condition_labels(terms),
        "checklist": selectors.checklist_lines(agreement),
        "signature_rows": [
            {"role": SignatoryRole(role).label, "signature": signatures.get(role)}
            for role in services.REQUIRED_SIGNATORIES
        ],
        "capacity_label": SignatoryRole(capacity).label.lower() if capacity else "",
        "witness_required": witness_required,
        "may_read_offers": bool(roles & permissions.OFFER_READER_ROLES),
        "forms": forms_,
        "conflict": conflict,
    }
    return render(request, "negotiations/agreement_detail.html", context, status=status)


@login_required
@require_GET
def agreement_detail(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = _agreement_for(request.user, agreement_id)
    with _court_time(agreement.case):
        return _render_agreement(request, agreement)


@login_required
@require_GET
def agreement_pdf(request: HttpRequest, agreement_id: int) -> HttpResponse:
    """The signed agreement as stored when the last signature sealed it, byte for byte."""
    agreement = selectors.agreement_get_for_user(request.user, agreement_id)
    if not agreement.pdf:
        raise Http404("The agreement has no document until everyone has signed.")
    services.agreement_downloaded(agreement=agreement, request=request)
    response = HttpResponse(bytes(agreement.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="plea-agreement-{agreement.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


def _agreement_action(
    request: HttpRequest,
    agreement_id: int,
    name: str,
    act: Callable[[PleaAgreement, dict[str, Any]], Any],
    message: str,
    *,
    may: Callable[[Any, Case], Any],
) -> HttpResponse:
    user = signed_in_user(request)
    agreement = _agreement_for(user, agreement_id)
    roles = may(user, agreement.case)
    with _court_time(agreement.case):
        capacity = services.signing_capacity(roles) if name == "sign" else None
        form = agreement_action_form(name, agreement, capacity, request.POST)
        result, status, conflict = _submit(form, lambda data: act(agreement, data))
        if result is None:
            agreement = _agreement_for(user, agreement.pk)  # as it is now
            return _render_agreement(
                request,
                agreement,
                status=status,
                bound={name: form} if status == 400 else None,
                conflict=conflict,
            )
    messages.success(request, message)
    return redirect("negotiations:agreement", agreement.pk)


def _role_in(allowed: frozenset[str], what: str) -> Callable[[Any, Case], Any]:
    return lambda user, case: permissions.require_role_in(user, case, allowed, what)


def _court_reviewer(user: Any, case: Case) -> None:
    if not permissions.may_review_agreement(user, case):
        raise PermissionDenied("Only the court reviews a plea agreement.")


@login_required
@require_POST
def agreement_checklist(request: HttpRequest, agreement_id: int) -> HttpResponse:
    return _agreement_action(
        request,
        agreement_id,
        "checklist",
        lambda agreement, data: services.agreement_checklist_complete(
            agreement=agreement,
            by=signed_in_user(request),
            **ChecklistForm.service_arguments(data),
        ),
        "Checklist recorded. The agreement may now be signed.",
        may=_role_in(
            permissions.CHECKLIST_ROLES,
            "Defense counsel or the duty lawyer completes the voluntariness checklist.",
        ),
    )


@login_required
@require_POST
def agreement_sign(request: HttpRequest, agreement_id: int) -> HttpResponse:
    """Sign in one's own capacity (the defendant naming a witness where the profile needs one)."""
    return _agreement_action(
        request,
        agreement_id,
        "sign",
        lambda agreement, data: services.agreement_sign(
            agreement=agreement, by=signed_in_user(request), witness=data.get("witness")
        ),
        "Signature recorded.",
        may=_role_in(
            frozenset(permissions.NEGOTIATOR_ROLES) | {Role.DEFENDANT},
            "Only the defendant, their lawyer and the prosecutor sign.",
        ),
    )


@login_required
@require_POST
def agreement_sign_for_defendant(request: HttpRequest, agreement_id: int) -> HttpResponse:
    """Counsel records the signature the defendant gave on paper in their presence."""
    return _agreement_action(
        request,
        agreement_id,
        "record",
        lambda agreement, _: services.agreement_sign(
            agreement=agreement, by=signed_in_user(request), on_behalf_of_defendant=True
        ),
        "The defendant's signature is recorded, with you as its witness.",
        may=_role_in(
            permissions.WITNESS_ROLES, "Only the defendant's lawyer records their signature."
        ),
    )


@login_required
@require_POST
def agreement_submit(request: HttpRequest, agreement_id: int) -> HttpResponse:
    return _agreement_action(
        request,
        agreement_id,
        "submit",
        lambda agreement, _: services.agreement_submit(
            agreement=agreement, by=signed_in_user(request)
        ),
        "Agreement submitted to the court.",
        may=_role_in(
            permissions.AGREEMENT_SUBMITTER_ROLES,
            "The prosecutor or defense counsel submits the agreement to the court.",
        ),
    )


@login_required
@require_POST
def agreement_review(request: HttpRequest, agreement_id: int) -> HttpResponse:
    return _agreement_action(
        request,
        agreement_id,
        "review",
        lambda agreement, data: services.agreement_review(
            agreement=agreement,
            by=signed_in_user(request),
            accepted=data["decision"] == "accept",
            reasons=data["reasons"],
        ),
        "The court's decision is recorded.",
        may=_court_reviewer,
    )


@login_required
@require_POST
def agreement_withdraw(request: HttpRequest, agreement_id: int) -> HttpResponse:
    return _agreement_action(
        request,
        agreement_id,
        "withdraw",
        lambda agreement, data: services.agreement_withdraw(
            agreement=agreement, by=signed_in_user(request), reason=data["reason"]
        ),
        "The defendant has withdrawn from the agreement; the negotiation is open again.",
        may=_role_in(
            permissions.AGREEMENT_WITHDRAWER_ROLES,
            "Only the defendant, in person or through counsel, withdraws from the agreement.",
        ),
    )
