"""Closure days are entered by court staff through the app (so each has its author); the admin
shows them and lets an operator remove a mistaken one."""

from django.contrib import admin
from django.http import HttpRequest

from deadlines.models import CourtClosure


@admin.register(CourtClosure)
class CourtClosureAdmin(admin.ModelAdmin):
    list_display = ["date", "court", "reason", "created_by", "created_at"]
    list_filter = ["court"]
    date_hierarchy = "date"
    search_fields = ["reason", "court__name"]
    list_select_related = ["court", "created_by"]
    readonly_fields = ["court", "date", "reason", "created_by", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
