"""The audit trail in the admin: to read, never to write. The table refuses UPDATE and DELETE
anyway (audit.sql); the admin does not offer them, nor adding an event by hand."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from audit import presentation
from audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "occurred_at",
        "kind",
        "case_id",
        "audience",
        "actor_name",
        "via",
        "summary",
    ]
    list_filter = ["audience", "via"]
    search_fields = ["kind", "request_id", "actor_name", "=row_id", "=case_id"]
    readonly_fields = [field.name for field in AuditEvent._meta.fields]
    ordering = ["-id"]
    show_full_result_count = False
    actions = None

    @admin.display(description="summary")
    def summary(self, event: AuditEvent) -> str:
        return presentation.summary_of(event)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
