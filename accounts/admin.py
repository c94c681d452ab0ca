"""Staff's part in sign-in: unlock a locked-out account, reset a lost second factor, revoke
personal tokens. The same from the shell: docs/deployment.md."""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.models import TokenProxy

from accounts import mfa, services
from accounts.models import PersonalToken, RevokedBecause
from cases.admin import ReadOnlyAdmin
from parties.admin import ParleyUserAdmin

# DRF's tokens are not used (accounts.auth): nobody should make one that would not work.
if admin.site.is_registered(TokenProxy):
    admin.site.unregister(TokenProxy)


@admin.action(description=_("Unlock sign-in (clear failed sign-ins of these accounts)"))
def unlock_signin(
    modeladmin: admin.ModelAdmin[User], request: HttpRequest, users: QuerySet[User]
) -> None:
    cleared = sum(AxesProxyHandler.reset_attempts(username=user.get_username()) for user in users)
    modeladmin.message_user(
        request, _("Cleared %(n)d failed sign-in records.") % {"n": cleared}, messages.SUCCESS
    )


@admin.action(description=_("Reset two-factor sign-in (they set it up again)"))
def reset_second_factor(
    modeladmin: admin.ModelAdmin[User], request: HttpRequest, users: QuerySet[User]
) -> None:
    by = request.user if isinstance(request.user, User) else None
    for user in users:
        mfa.second_factor_remove(user=user, by=by)
    modeladmin.message_user(
        request,
        _("Two-factor sign-in reset for %(n)d accounts.") % {"n": len(users)},
        messages.SUCCESS,
    )


@admin.action(description=_("Revoke all personal API tokens"))
def revoke_tokens(
    modeladmin: admin.ModelAdmin[User], request: HttpRequest, users: QuerySet[User]
) -> None:
    revoked = sum(
        services.personal_tokens_revoke_all(user_id=user.pk, because=RevokedBecause.STAFF)
        for user in users
    )
    modeladmin.message_user(request, _("Revoked %(n)d tokens.") % {"n": revoked}, messages.SUCCESS)


class AccountUserAdmin(ParleyUserAdmin):
    actions = [unlock_signin, reset_second_factor, revoke_tokens]


admin.site.unregister(User)
admin.site.register(User, AccountUserAdmin)


@admin.register(PersonalToken)
class PersonalTokenAdmin(ReadOnlyAdmin):
    list_display = [
        "prefix",
        "name",
        "user",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    list_filter = ["revoked_because"]
    list_select_related = ["user"]
    search_fields = ["user__username", "prefix", "name"]
    actions = ["revoke"]

    @admin.action(description=_("Revoke these tokens"))
    def revoke(self, request: HttpRequest, tokens: QuerySet[PersonalToken]) -> None:
        for token in tokens:
            services.personal_token_revoke(token=token, because=RevokedBecause.STAFF)
