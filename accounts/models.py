"""Personal API tokens: a person's own scripts use the API as that person.

Stored like API clients' tokens (integrations.models.ApiToken): only the SHA-256 of the key is
kept, with its first characters to recognise it by; the key itself is shown once. Every
personal token expires, and is revoked when its owner's password changes or the account is
deactivated (accounts.services).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.choices import ChoiceLabels


class RevokedBecause(models.TextChoices):
    OWNER = "owner", _("Revoked by its owner")
    PASSWORD_CHANGED = "password_changed", _("The password was changed")
    DEACTIVATED = "deactivated", _("The account was deactivated")
    STAFF = "staff", _("Revoked by an administrator")


class PersonalToken(ChoiceLabels, models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="personal_tokens"
    )
    name = models.CharField(_("name"), max_length=120)
    # The first characters of the token, shown in lists so a token can be recognised.
    prefix = models.CharField(max_length=16)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Written at most once a minute (accounts.auth), not on every request.
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_because = models.CharField(
        max_length=20, choices=RevokedBecause.choices, blank=True, default=""
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="personal_token_user")]
        constraints = [
            models.CheckConstraint(
                name="personal_token_revoked_with_reason",
                condition=(Q(revoked_at__isnull=True) & Q(revoked_because=""))
                | (Q(revoked_at__isnull=False) & Q(revoked_because__in=RevokedBecause.values)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()
