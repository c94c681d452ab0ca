"""Offers: composing, editing and previewing one, countering it, and the page of one offer
with its moves (send, withdraw, accept, reject, respond, log a concession)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import permissions
from cases import selectors as case_selectors
from cases.models import Case
from core.decorators import login_required_htmx as login_required
from core.decorators import signed_in_user
from negotiations import selectors, services
from negotiations.forms import (
    CONDITION_FIELDS,
    SENTENCE_FIELDS,
    ConcessionForm,
    ConfirmForm,
    CounterForm,
    OfferForm,
    RejectForm,
    ResponseForm,
    WithdrawForm,
    offer_initial,
)
from negotiations.models import Offer, OfferStatus, TermDisposition
from negotiations.sentencing import Exposure
from negotiations.services import OfferInput, TermInput
from negotiations.views.common import (
    SIDE_NOUN,
    TIMES,
    _court_time,
    _lapsed,
    _months,
    _negotiation_open,
    _open_charges,
    _parameters,
    _statute_range,
    _submit,
    expiry_info,
)
from parties.models import Role, Side

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
        list(case_selectors.statutes_for_case(case)) if services.charges_negotiable_on(case) else []
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
        data = dataclasses.replace(data, rationale=_("(not written yet)"))
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
                    _(
                        "Draft saved as round %(round_number)s. Check it, then send it to "
                        "%(other_side)s."
                    )
                    % {
                        "round_number": offer.round_number,
                        "other_side": SIDE_NOUN[services.OTHER_SIDE[Side(side)]],
                    },
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
        raise PermissionDenied(_("Only the side that drafted an offer may change it."))
    with _court_time(case):
        if offer.status != OfferStatus.DRAFT:
            return _render_offer(
                request,
                offer,
                status=409,
                conflict=_("A sent offer cannot be changed; withdraw it and send a new one."),
            )
        posted = request.POST if request.method == "POST" else None
        form = _offer_form(user, case, data=posted, initial=offer_initial(offer))
        status, conflict = 200, ""
        if posted is not None and not _previewing(posted):
            saved, status, conflict = _submit(
                form, lambda _: services.offer_update(offer=offer, by=user, data=form.to_input())
            )
            if saved is not None:
                messages.success(request, _("Draft saved."))
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
        return _("This offer has expired; it can no longer be answered.")
    if offer.status != OfferStatus.SENT:
        return _("This offer is %(offer_status)s; it can no longer be answered.") % {
            "offer_status": OfferStatus(offer.status).label.lower()
        }
    return ""


@login_required
@require_http_methods(["GET", "POST"])
def offer_counter(request: HttpRequest, offer_id: int) -> HttpResponse:
    user = signed_in_user(request)
    offer = selectors.offer_get_for_user(user, offer_id)
    case = offer.case
    side = permissions.require_negotiator(user, case)
    if offer.side == side:
        raise PermissionDenied(_("Only the other side may counter an offer."))
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
                    _(
                        "Counteroffer sent as round %(round_number)s; round %(round_number2)s is "
                        "closed as countered."
                    )
                    % {"round_number": counter.round_number, "round_number2": offer.round_number},
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
        guideline = (_("Baseline and leniency range"), _("Baseline sentence"), _("With leniency"))
    else:
        guideline = (_("Guideline range (USSG Ch. 5, Pt. A)"), "", "")
    missing = _("Not calculated")
    return [
        {
            "label": _("Statutory range"),
            "note": _("Highest mandatory minimum to the sum of the maxima"),
            "trial": _months(exposure.trial_statutory),
            "plea": _months(exposure.plea_statutory),
        },
        {
            "label": guideline[0],
            "note": _("Bounded by the statutory range in the expected sentence"),
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
            "label": _("Expected sentence"),
            "note": _("The offer's recommendation when it makes one"),
            "trial": _months(exposure.trial_expected),
            "plea": _months(exposure.plea_expected),
        },
    ]


def trial_penalty_text(exposure: Exposure) -> str:
    if exposure.trial_penalty is not None:
        return f"{TIMES} {exposure.trial_penalty:.1f}"
    if exposure.trial_expected.reaches_life:
        return _("Not a number: the sentence after trial may reach life")
    return _("Not a number: no custody under the offer")


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
        return ConfirmForm(
            data, prefix=name, confirm_label=_("Send this offer to %(other)s") % {"other": other}
        )
    if name == "withdraw":
        return WithdrawForm(data, prefix=name, confirm_label=_("Withdraw this offer"))
    if name == "accept":
        label = (
            _("The defendant has instructed me to accept this offer")
            if offer.side == Side.PROSECUTION
            else _("Accept this proposal for the prosecution")
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
    side = permissions.negotiating_side(roles, case.court.jurisdiction)
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
        # Under cn-reform the charges become negotiable once the case is marked complex.
        "charges_negotiable": services.charges_negotiable_on(case),
        **exposure_context(exposure, _parameters(case)),
        "concessions": selectors.concessions_worded(offer),
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
        user, case, permissions.SUGGESTION_RESPONDER_ROLES, _("Only the prosecution responds.")
    )


def _prosecutor(user: Any, case: Case) -> None:
    permissions.require_role_in(
        user, case, frozenset({Role.PROSECUTOR}), _("Only the prosecution logs its concessions.")
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
            _("Offer accepted. The plea agreement is ready for the checklist and signatures."),
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
        lambda offer: (_offer_url(offer), _("Response recorded.")),
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
        lambda concession: (
            _offer_url(concession.offer, "concessions"),
            _("Concession logged."),
        ),
        may=_prosecutor,
    )
