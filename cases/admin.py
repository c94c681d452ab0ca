"""Admin for reference data. Case access is granted by the services, so participation and
permission rows are read-only here: edit them in the app, where the rules are applied."""

from django.contrib import admin
from django.http import HttpRequest

from cases.models import (
    Case,
    CaseGroupObjectPermission,
    CaseStatusChange,
    CaseStatusCount,
    CaseUserObjectPermission,
    Charge,
    Court,
    Jurisdiction,
    Statute,
)
from parties.models import CaseParticipant


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Jurisdiction)
class JurisdictionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "charges_negotiable", "witness_required_for_signing"]


@admin.register(Court)
class CourtAdmin(admin.ModelAdmin):
    list_display = ["name", "jurisdiction", "subdivision", "time_zone", "mfa_required"]
    list_filter = ["jurisdiction", "subdivision", "mfa_required"]
    search_fields = ["name"]


@admin.register(Statute)
class StatuteAdmin(admin.ModelAdmin):
    list_display = [
        "citation",
        "title",
        "jurisdiction",
        "offence_class",
        "severity_rank",
        "max_custody_months",
        "mandatory_minimum_months",
        "mandatory_term_consecutive",
    ]
    list_filter = ["jurisdiction", "offence_class"]
    search_fields = ["citation", "title"]
    filter_horizontal = ["lesser_included"]


class ChargeInline(admin.TabularInline):
    model = Charge
    extra = 0
    fields = ("count_number", "statute", "status", "disposition", "disposition_date")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["docket_number", "caption", "court", "status", "opened_on", "sealed"]
    list_filter = ["court", "status", "sealed"]
    search_fields = ["docket_number", "caption", "external_id"]
    list_select_related = ["court"]
    # Status moves go through cases.services.case_transition, which checks the workflow.
    readonly_fields = ["status", "closed_on", "created_by", "created_at", "updated_at"]
    inlines = [ChargeInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # opening a case grants the court's access: use the app or the API


@admin.register(Charge)
class ChargeAdmin(ReadOnlyAdmin):
    list_display = ["case", "count_number", "statute", "status", "disposition"]
    list_select_related = ["case", "statute"]
    list_filter = ["status"]


@admin.register(CaseStatusChange)
class CaseStatusChangeAdmin(ReadOnlyAdmin):
    list_display = ["case", "from_status", "to_status", "changed_by", "changed_at"]
    list_select_related = ["case", "changed_by"]


@admin.register(CaseUserObjectPermission)
class CaseUserObjectPermissionAdmin(ReadOnlyAdmin):
    list_display = ["content_object", "user", "permission"]
    list_select_related = ["content_object", "user", "permission"]
    search_fields = ["user__username", "content_object__docket_number"]


@admin.register(CaseStatusCount)
class CaseStatusCountAdmin(ReadOnlyAdmin):
    """Read-only: the database keeps these counts (triggers on cases_case)."""

    list_display = ["court", "status", "count"]
    list_filter = ["court", "status"]
    list_select_related = ["court"]


@admin.register(CaseGroupObjectPermission)
class CaseGroupObjectPermissionAdmin(ReadOnlyAdmin):
    list_display = ["content_object", "group", "permission"]
    list_select_related = ["content_object", "group", "permission"]


@admin.register(CaseParticipant)
class CaseParticipantAdmin(ReadOnlyAdmin):
    """Read-only: adding or ending a participation grants or revokes access, so it goes
    through cases.party_services (the case page or the API)."""

    list_display = [
        "case",
        "role",
        "side",
        "user",
        "defendant",
        "is_lead",
        "start_date",
        "end_date",
    ]
    list_filter = ["role", "side"]
    list_select_related = ["case", "user", "defendant"]
