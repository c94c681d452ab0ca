from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User

from parties.models import Defendant, Organization, UserProfile


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "jurisdiction", "mfa_required"]
    list_filter = ["kind", "jurisdiction", "mfa_required"]
    search_fields = ["name"]


class UserProfileInline(admin.StackedInline):
    model = UserProfile
    can_delete = False


@admin.register(UserProfile)
class UserProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "role_kind", "organization", "bar_number"]
    list_filter = ["role_kind", "organization"]
    list_select_related = ["user", "organization"]
    search_fields = ["user__username", "bar_number"]


class ParleyUserAdmin(UserAdmin):
    inlines = [UserProfileInline]


admin.site.unregister(User)
admin.site.register(User, ParleyUserAdmin)


@admin.register(Defendant)
class DefendantAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "date_of_birth", "custody_status"]
    list_filter = ["custody_status", "interpreter_needed", "citizenship_status"]
    search_fields = ["last_name", "first_name"]
