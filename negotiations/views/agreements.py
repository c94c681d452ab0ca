"""The plea agreement: its page and PDF, the checklist, the signatures, submission to the
court, the court's review and withdrawal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases import permissions
from cases.models import Case
from core.decorators import login_required_htmx as login_required
from core.decorators import signed_in_user
from negotiations import agreement_rules, selectors, services, wording
from negotiations.forms import (
    ChecklistForm,
    ConfirmForm,
    ReviewForm,
    SignForm,
    StatementForm,
    WithdrawForm,
)
from negotiations.models import AgreementStatus, PleaAgreement, SignatoryRole
from negotiations.views.common import _court_time, _submit
from parties import selectors as party_selectors
from parties.models import Role


def _agreement_for(user: Any, agreement_id: int) -> PleaAgreement:
    # The stored PDF is not needed to show the page; the download view reads it.
    agreement = selectors.agreements_visible_to(user).defer("pdf").filter(pk=agreement_id).first()
    if agreement is None:
        raise Http404(_("No such agreement."))
    return agreement


def _witnesses(case: Case) -> Any:
    return party_selectors.participants_of_case(case.pk).filter(
        role__in=permissions.witness_roles(case.court.jurisdiction), end_date__isnull=True
    )


WITHDRAWABLE = (AgreementStatus.SIGNING, AgreementStatus.SIGNED, AgreementStatus.SUBMITTED)


def agreement_action_form(
    name: str, agreement: PleaAgreement, capacity: str | None, data: Any = None
) -> forms.Form:
    """The form of one action on an agreement: the page shows it, the POST reads it.
    `capacity` is the reader's as a signatory (a defendant signing names their witness)."""
    jurisdiction = agreement.case.court.jurisdiction
    if name == "statement":
        return StatementForm(
            data,
            prefix=name,
            procedures=agreement_rules.plea_procedures(jurisdiction),
            appeal_limits_source=agreement_rules.appeal_limits_source(jurisdiction),
            initial={"procedure": agreement.procedure, "appeal_limits": agreement.appeal_limits},
        )
    if name == "checklist":
        return ChecklistForm(
            data,
            prefix=name,
            items=agreement_rules.checklist_items_for(jurisdiction, agreement.terms),
            interpreter_needed=agreement.interpreter_needed,
            initial={"interpreter_language": agreement.interpreter_language},
        )
    if name == "sign":
        defendant = capacity == SignatoryRole.DEFENDANT
        return SignForm(
            data,
            prefix=name,
            confirm_label=_("I have read this agreement and sign it"),
            witnesses=_witnesses(agreement.case) if defendant else None,
            witness_required=agreement.case.court.jurisdiction.witness_required_for_signing,
        )
    if name == "record":
        label = _("The defendant signed this agreement on paper in my presence")
        return ConfirmForm(data, prefix=name, confirm_label=label)
    if name == "submit":
        return ConfirmForm(data, prefix=name, confirm_label=_("Submit the agreement to the court"))
    if name == "review":
        return ReviewForm(
            data,
            prefix=name,
            outcomes=agreement_rules.review_outcomes(jurisdiction),
            rejection_grounds=agreement_rules.rejection_grounds(jurisdiction),
            adjustment_grounds=agreement_rules.adjustment_grounds(jurisdiction),
            review_source=agreement_rules.review_source(jurisdiction),
            adjustment_source=agreement_rules.adjustment_source(jurisdiction),
        )
    if name == "withdraw":
        label = _("The defendant withdraws from this agreement")
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
    signatures = {
        s.signatory_role: s for s in agreement.signatures.select_related("signer_participant")
    }
    capacity = services.signing_capacity(roles)
    jurisdiction = case.court.jurisdiction
    witness_required = jurisdiction.witness_required_for_signing
    statement_missing = services.statement_missing(agreement, jurisdiction)

    ready_to_sign = signing and agreement.checklist_complete
    open_to_reader = {
        "statement": bool(roles & permissions.plea_statement_roles(jurisdiction))
        and signing
        and agreement_rules.statement_needed(jurisdiction)
        and not agreement.checklist_complete,
        "checklist": bool(roles & permissions.CHECKLIST_ROLES)
        and signing
        and not statement_missing
        and not agreement.checklist_complete,
        "sign": ready_to_sign and capacity is not None and capacity not in signatures,
        "record": ready_to_sign
        and bool(roles & permissions.witness_roles(case.court.jurisdiction))
        and SignatoryRole.DEFENDANT not in signatures,
        "submit": bool(roles & permissions.agreement_submitter_roles(case.court.jurisdiction))
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
        "checklist_rows": wording.checklist_rows(agreement),
        "checklist_source": agreement_rules.checklist_source(jurisdiction),
        "statement": wording.statement_lines(agreement),
        "statement_missing": statement_missing,
        "statement_needed": agreement_rules.statement_needed(jurisdiction),
        "statement_authors": permissions.role_names(permissions.plea_statement_roles(jurisdiction)),
        "review_ground": wording.review_ground_label(agreement),
        "review_source": agreement_rules.review_source(jurisdiction),
        "adjustment_source": agreement_rules.adjustment_source(jurisdiction),
        "signature_rows": [
            {
                "role": signatures[role].capacity_label
                if role in signatures
                else _awaited_capacity(case, role),
                "signature": signatures.get(role),
            }
            for role in services.REQUIRED_SIGNATORIES
        ],
        "capacity_label": _reader_capacity(roles, capacity),
        "witness_required": witness_required,
        "may_read_offers": bool(roles & permissions.OFFER_READER_ROLES),
        "forms": forms_,
        "conflict": conflict,
    }
    return render(request, "negotiations/agreement_detail.html", context, status=status)


def _awaited_capacity(case: Case, role: str) -> str:
    """Who is to sign in `role`, named by the capacity they hold on the case: "Duty lawyer"
    where the defendant's lawyer is the duty lawyer, not "defense counsel or duty lawyer"."""
    if role != SignatoryRole.DEFENSE_LAWYER:
        return str(SignatoryRole(role).label)
    held = set(_witnesses(case).values_list("role", flat=True))
    labels = [str(Role(r).label) for r in (Role.DEFENSE_COUNSEL, Role.DUTY_LAWYER) if r in held]
    if not labels:
        return str(SignatoryRole(role).label)
    if len(labels) == 1:
        return labels[0]
    return _("%(one)s or %(other)s") % {"one": labels[0], "other": labels[1].lower()}


def _reader_capacity(roles: frozenset[str], capacity: str | None) -> str:
    """The capacity the reader signs in, exactly: their own role on the case."""
    if capacity is None:
        return ""
    if capacity == SignatoryRole.DEFENSE_LAWYER:
        lawyer = next(r for r in (Role.DEFENSE_COUNSEL, Role.DUTY_LAWYER) if r in roles)
        return str(Role(lawyer).label).lower()
    return str(SignatoryRole(capacity).label).lower()


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
        raise Http404(_("The agreement has no document until everyone has signed."))
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


def _profile_role_in(
    roles_of: Callable[[Any], frozenset[str]], what: str
) -> Callable[[Any, Case], Any]:
    """_role_in with the roles the case's jurisdiction profile names."""
    return lambda user, case: permissions.require_role_in(
        user, case, roles_of(case.court.jurisdiction), what
    )


def _court_reviewer(user: Any, case: Case) -> None:
    if not permissions.may_review_agreement(user, case):
        raise PermissionDenied(_("Only the court reviews a plea agreement."))


@login_required
@require_POST
def agreement_statement(request: HttpRequest, agreement_id: int) -> HttpResponse:
    """The prosecution (as the profile says) names the procedure and the limits on appeal the
    statement holds."""
    return _agreement_action(
        request,
        agreement_id,
        "statement",
        lambda agreement, data: services.agreement_statement_set(
            agreement=agreement,
            by=signed_in_user(request),
            procedure=data.get("procedure", ""),
            appeal_limits=data.get("appeal_limits", ""),
        ),
        _("The plea statement is recorded."),
        may=permissions.require_plea_statement_author,
    )


@login_required
@require_POST
def agreement_checklist(request: HttpRequest, agreement_id: int) -> HttpResponse:
    def complete(agreement: PleaAgreement, data: dict[str, Any]) -> PleaAgreement:
        form = agreement_action_form("checklist", agreement, None)
        assert isinstance(form, ChecklistForm)
        return services.agreement_checklist_complete(
            agreement=agreement, by=signed_in_user(request), **form.service_arguments(data)
        )

    return _agreement_action(
        request,
        agreement_id,
        "checklist",
        complete,
        _("Checklist recorded. The agreement may now be signed."),
        may=_role_in(
            permissions.CHECKLIST_ROLES,
            _("Defense counsel or the duty lawyer completes the voluntariness checklist."),
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
        _("Signature recorded."),
        may=_profile_role_in(
            permissions.signer_roles,
            _("Only the defendant, their lawyer and the prosecutor sign."),
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
        _("The defendant's signature is recorded, with you as its witness."),
        may=_profile_role_in(
            permissions.witness_roles, _("Only the defendant's lawyer records their signature.")
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
        _("Agreement submitted to the court."),
        may=permissions.require_agreement_submitter,
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
            decision=data["decision"],
            ground=data.get("ground", ""),
            reasons=data["reasons"],
        ),
        _("The court's decision is recorded."),
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
        _("The defendant has withdrawn from the agreement; the negotiation is open again."),
        may=_role_in(
            permissions.AGREEMENT_WITHDRAWER_ROLES,
            _("Only the defendant, in person or through counsel, withdraws from the agreement."),
        ),
    )
