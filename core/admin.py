"""Idempotency records in the admin: to look at while supporting an integrator, not to edit."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from core.models import IdempotencyRecord


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):
    list_display = ["created_at", "client", "key", "status_code", "content_type"]
    list_filter = ["status_code"]
    search_fields = ["=key", "client"]
    readonly_fields = ["client", "key", "request_hash", "status_code", "content_type", "headers"]
    exclude = ["body"]
    ordering = ["-created_at"]
    actions = None

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
