"""Negotiation pages. The REST API lives in negotiations.api."""

from django.urls import path

from negotiations import views

app_name = "negotiations"

urlpatterns = [
    path("cases/<int:case_id>/negotiation/", views.negotiation, name="negotiation"),
    path("cases/<int:case_id>/suggestions/", views.suggestion_submit, name="suggestion-submit"),
    path("cases/<int:case_id>/offers/new/", views.offer_compose, name="offer-new"),
    path("cases/<int:case_id>/offers/preview/", views.offer_preview, name="offer-preview"),
    path("offers/<int:offer_id>/", views.offer_detail, name="offer"),
    path("offers/<int:offer_id>/edit/", views.offer_edit, name="offer-edit"),
    path("offers/<int:offer_id>/counter/", views.offer_counter, name="offer-counter"),
    path("offers/<int:offer_id>/send/", views.offer_send, name="offer-send"),
    path("offers/<int:offer_id>/withdraw/", views.offer_withdraw, name="offer-withdraw"),
    path("offers/<int:offer_id>/accept/", views.offer_accept, name="offer-accept"),
    path("offers/<int:offer_id>/reject/", views.offer_reject, name="offer-reject"),
    path("offers/<int:offer_id>/respond/", views.offer_respond, name="offer-respond"),
    path("offers/<int:offer_id>/concessions/", views.concession_log, name="concession-log"),
    path(
        "suggestions/<int:suggestion_id>/respond/",
        views.suggestion_respond,
        name="suggestion-respond",
    ),
    path("agreements/<int:agreement_id>/", views.agreement_detail, name="agreement"),
    path("agreements/<int:agreement_id>/pdf/", views.agreement_pdf, name="agreement-pdf"),
    path(
        "agreements/<int:agreement_id>/checklist/",
        views.agreement_checklist,
        name="agreement-checklist",
    ),
    path("agreements/<int:agreement_id>/sign/", views.agreement_sign, name="agreement-sign"),
    path(
        "agreements/<int:agreement_id>/sign-for-defendant/",
        views.agreement_sign_for_defendant,
        name="agreement-sign-for-defendant",
    ),
    path("agreements/<int:agreement_id>/submit/", views.agreement_submit, name="agreement-submit"),
    path("agreements/<int:agreement_id>/review/", views.agreement_review, name="agreement-review"),
    path(
        "agreements/<int:agreement_id>/withdraw/",
        views.agreement_withdraw,
        name="agreement-withdraw",
    ),
]
