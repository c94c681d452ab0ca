"""Read-only admin for the negotiation record: offers, agreements and signatures are written
only by the services, where the rules are applied."""

from django.contrib import admin

from cases.admin import ReadOnlyAdmin
from negotiations.models import (
    ComplexCaseMark,
    Concession,
    Offer,
    OfferTerm,
    PleaAgreement,
    RightsExplanation,
    Signature,
    Suggestion,
)


class OfferTermInline(admin.TabularInline):
    model = OfferTerm
    extra = 0
    can_delete = False
    readonly_fields = ["charge", "disposition", "lesser_statute"]


class ConcessionInline(admin.TabularInline):
    model = Concession
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "description", "derived", "logged_by"]


@admin.register(Offer)
class OfferAdmin(ReadOnlyAdmin):
    list_display = ["id", "case", "round_number", "side", "status", "sent_at", "expires_at"]
    list_filter = ["status", "side"]
    search_fields = ["case__docket_number"]
    inlines = [OfferTermInline, ConcessionInline]


@admin.register(Suggestion)
class SuggestionAdmin(ReadOnlyAdmin):
    list_display = ["id", "case", "author_role", "created_at", "responded_at"]


class SignatureInline(admin.TabularInline):
    model = Signature
    extra = 0
    can_delete = False
    readonly_fields = ["signatory_role", "signer_name", "recorded_by", "witness", "signed_at"]


@admin.register(PleaAgreement)
class PleaAgreementAdmin(ReadOnlyAdmin):
    list_display = ["id", "case", "status", "submitted_at", "reviewed_at", "pdf_sha256"]
    list_filter = ["status"]
    search_fields = ["case__docket_number"]
    exclude = ["pdf"]
    inlines = [SignatureInline]


@admin.register(OfferTerm)
class OfferTermAdmin(ReadOnlyAdmin):
    list_display = ["id", "offer", "charge", "disposition", "lesser_statute"]


@admin.register(Concession)
class ConcessionAdmin(ReadOnlyAdmin):
    list_display = ["id", "offer", "kind", "derived", "description"]
    list_filter = ["kind", "derived"]


@admin.register(Signature)
class SignatureAdmin(ReadOnlyAdmin):
    list_display = ["id", "agreement", "signatory_role", "signer_name", "signed_at"]


@admin.register(ComplexCaseMark)
class ComplexCaseMarkAdmin(ReadOnlyAdmin):
    """cn-reform: a case marked complex, which makes its charges negotiable."""

    list_display = ["id", "case", "grounds", "marked_by", "marked_at"]
    search_fields = ["case__docket_number"]


@admin.register(RightsExplanation)
class RightsExplanationAdmin(ReadOnlyAdmin):
    """cn-reform: the prosecutor's record that the leniency system's rights were explained."""

    list_display = ["id", "case", "explained_by", "explained_at"]
    search_fields = ["case__docket_number"]
