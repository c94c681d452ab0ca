"""API clients, tokens and events in the admin, for operators. Tokens are made on the court's
pages or with `manage.py api_client` (the token is shown once); here they can only be revoked."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from cases.admin import ReadOnlyAdmin
from integrations.models import ApiClient, ApiToken, Event, EventLogPruned


class ApiTokenInline(admin.TabularInline):
    model = ApiToken
    extra = 0
    fields = ["name", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at"]
    readonly_fields = ["name", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ["name", "court", "account", "owner", "created_at", "revoked_at"]
    list_filter = ["court", "revoked_at"]
    search_fields = ["name", "account__username", "owner__username"]
    readonly_fields = ["account", "court", "created_by", "created_at", "revoked_at"]
    fields = ["name", "court", "account", "owner", "created_by", "created_at", "revoked_at"]
    inlines = [ApiTokenInline]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Made with its service account by integrations.services.api_client_create.
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "name", "client", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["client__court"]
    search_fields = ["prefix", "name", "client__name"]
    readonly_fields = [
        "client",
        "prefix",
        "created_by",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    exclude = ["key_hash"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["id", "type", "case", "subject_type", "subject_id", "audience", "occurred_at"]
    list_filter = ["type", "audience"]
    search_fields = ["=case__docket_number"]
    readonly_fields = [f.name for f in Event._meta.fields]
    actions = None


@admin.register(EventLogPruned)
class EventLogPrunedAdmin(ReadOnlyAdmin):
    """How far the event log was pruned (written by integrations.services.events_prune)."""

    list_display = ["txid", "event_id", "pruned_at"]
    readonly_fields = ["txid", "event_id", "pruned_at"]
    actions = None
