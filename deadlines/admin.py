"""Closure days are entered by court staff through the app (so each has its author); the admin
shows them and lets an operator remove a mistaken one."""

from django.contrib import admin
from django.http import HttpRequest

from cases.admin import ReadOnlyAdmin
from deadlines.models import (
    Alert,
    AlertPreference,
    AlertSettings,
    CalendarFeed,
    CourtClosure,
    Courtroom,
    Deadline,
    DeadlineChange,
    DeadlineRule,
    DigestSent,
    Hearing,
    HearingChange,
    Notification,
)


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


class HearingChangeInline(admin.TabularInline):
    model = HearingChange
    extra = 0
    can_delete = False
    fk_name = "hearing"
    readonly_fields = [
        "from_starts_at",
        "to_starts_at",
        "from_courtroom",
        "to_courtroom",
        "from_status",
        "to_status",
        "reason",
        "changed_by",
        "changed_at",
    ]


class DeadlineChangeInline(admin.TabularInline):
    model = DeadlineChange
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "from_date", "to_date", "reason", "changed_by", "changed_at"]


@admin.register(Courtroom)
class CourtroomAdmin(admin.ModelAdmin):
    list_display = ["name", "court"]
    list_filter = ["court"]
    search_fields = ["name"]


@admin.register(Hearing)
class HearingAdmin(ReadOnlyAdmin):
    """Hearings are scheduled and moved through the app, which checks the courtroom is free,
    moves the deadlines that hang on them and tells the parties."""

    list_display = ["id", "case", "kind", "starts_at", "courtroom", "judge", "status", "sequence"]
    list_filter = ["status", "kind", "courtroom__court"]
    search_fields = ["case__docket_number"]
    list_select_related = ["case", "courtroom", "judge"]
    inlines = [HearingChangeInline]


@admin.register(HearingChange)
class HearingChangeAdmin(ReadOnlyAdmin):
    list_display = ["id", "hearing", "from_starts_at", "to_starts_at", "to_status", "changed_at"]


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(admin.ModelAdmin):
    """Rules are data: an operator adds a jurisdiction's rule here, with its citation."""

    list_display = ["code", "name", "jurisdiction", "offset", "unit", "direction", "roll", "active"]
    list_filter = ["jurisdiction", "kind", "active"]
    search_fields = ["code", "name", "citation"]


@admin.register(Deadline)
class DeadlineAdmin(ReadOnlyAdmin):
    list_display = ["id", "case", "kind", "title", "due_date", "status", "rule"]
    list_filter = ["status", "kind"]
    search_fields = ["case__docket_number", "title"]
    list_select_related = ["case", "rule"]
    inlines = [DeadlineChangeInline]


@admin.register(DeadlineChange)
class DeadlineChangeAdmin(ReadOnlyAdmin):
    list_display = ["id", "deadline", "kind", "from_date", "to_date", "changed_at"]


@admin.register(AlertPreference)
class AlertPreferenceAdmin(ReadOnlyAdmin):
    list_display = ["user", "kind", "lead_minutes", "in_app", "email"]


@admin.register(AlertSettings)
class AlertSettingsAdmin(ReadOnlyAdmin):
    list_display = ["user", "daily_digest", "digest_hour", "time_zone"]


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    """The delivery log: what was sent to whom, when, and what is still to go."""

    list_display = ["id", "subject", "recipient", "channel", "send_at", "status", "attempts"]
    list_filter = ["status", "subject", "channel"]
    list_select_related = ["recipient"]
    date_hierarchy = "send_at"
    show_full_result_count = False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["id", "recipient", "subject", "case", "created_at", "read_at"]
    list_select_related = ["recipient"]
    show_full_result_count = False


@admin.register(DigestSent)
class DigestSentAdmin(ReadOnlyAdmin):
    list_display = ["user", "day", "sent_at"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(ReadOnlyAdmin):
    """Only the token's hash is stored; an operator can delete a feed to cut it off."""

    list_display = ["id", "user", "case", "created_at", "rotated_at", "last_used_at"]
    exclude = ["token_hash"]

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return True
