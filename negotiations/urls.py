"""Negotiation pages. The REST API lives in negotiations.api."""

from django.urls import path

from negotiations.views import agreements, negotiation, offers

app_name = "negotiations"

urlpatterns = [
    path("cases/<int:case_id>/negotiation/", negotiation.negotiation, name="negotiation"),
    path(
        "cases/<int:case_id>/suggestions/", negotiation.suggestion_submit, name="suggestion-submit"
    ),
    path("cases/<int:case_id>/offers/new/", offers.offer_compose, name="offer-new"),
    path("cases/<int:case_id>/offers/preview/", offers.offer_preview, name="offer-preview"),
    path("offers/<int:offer_id>/", offers.offer_detail, name="offer"),
    path("offers/<int:offer_id>/edit/", offers.offer_edit, name="offer-edit"),
    path("offers/<int:offer_id>/counter/", offers.offer_counter, name="offer-counter"),
    path("offers/<int:offer_id>/send/", offers.offer_send, name="offer-send"),
    path("offers/<int:offer_id>/withdraw/", offers.offer_withdraw, name="offer-withdraw"),
    path("offers/<int:offer_id>/accept/", offers.offer_accept, name="offer-accept"),
    path("offers/<int:offer_id>/reject/", offers.offer_reject, name="offer-reject"),
    path("offers/<int:offer_id>/respond/", offers.offer_respond, name="offer-respond"),
    path("offers/<int:offer_id>/concessions/", offers.concession_log, name="concession-log"),
    path(
        "suggestions/<int:suggestion_id>/respond/",
        negotiation.suggestion_respond,
        name="suggestion-respond",
    ),
    path("agreements/<int:agreement_id>/", agreements.agreement_detail, name="agreement"),
    path("agreements/<int:agreement_id>/pdf/", agreements.agreement_pdf, name="agreement-pdf"),
    path(
        "agreements/<int:agreement_id>/statement/",
        agreements.agreement_statement,
        name="agreement-statement",
    ),
    path(
        "agreements/<int:agreement_id>/checklist/",
        agreements.agreement_checklist,
        name="agreement-checklist",
    ),
    path("agreements/<int:agreement_id>/sign/", agreements.agreement_sign, name="agreement-sign"),
    path(
        "agreements/<int:agreement_id>/sign-for-defendant/",
        agreements.agreement_sign_for_defendant,
        name="agreement-sign-for-defendant",
    ),
    path(
        "agreements/<int:agreement_id>/submit/",
        agreements.agreement_submit,
        name="agreement-submit",
    ),
    path(
        "agreements/<int:agreement_id>/review/",
        agreements.agreement_review,
        name="agreement-review",
    ),
    path(
        "agreements/<int:agreement_id>/withdraw/",
        agreements.agreement_withdraw,
        name="agreement-withdraw",
    ),
]
