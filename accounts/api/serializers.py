from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import PersonalToken, RevokedBecause
from core.api.serializers import FastReadMixin


class PersonalTokenSerializer(FastReadMixin, serializers.ModelSerializer[PersonalToken]):
    # "" while the token is live; the schema says so (Schemathesis found the mismatch).
    revoked_because = serializers.ChoiceField(
        choices=RevokedBecause.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = PersonalToken
        fields = [
            "id",
            "name",
            "prefix",
            "created_at",
            "last_used_at",
            "expires_at",
            "revoked_at",
            "revoked_because",
        ]
        read_only_fields = fields


class TokenRequestSerializer(serializers.Serializer[Any]):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(
        max_length=4096, trim_whitespace=False, style={"input_type": "password"}
    )
    name = serializers.CharField(
        max_length=120,
        required=False,
        help_text=_("What will use the token; shown in your list of tokens."),
    )


class PersonalTokenCreatedSerializer(PersonalTokenSerializer):
    token = serializers.CharField(
        help_text=_("The token itself. Shown this once; send it as “Authorization: Token …”.")
    )

    class Meta(PersonalTokenSerializer.Meta):
        fields = ["token", *PersonalTokenSerializer.Meta.fields]
        read_only_fields = fields


class LanguagePreferenceSerializer(serializers.Serializer[Any]):
    preferred_language = serializers.ChoiceField(
        choices=[("", "")] + [(code, code) for code, _name in settings.LANGUAGES],
        allow_blank=True,
        help_text=_(
            "A code of the languages Parley has, or empty: the language of your office's "
            "jurisdiction, else your client's Accept-Language."
        ),
    )
    language = serializers.CharField(
        read_only=True, help_text=_("The language Parley uses for you now.")
    )
    available_languages = serializers.DictField(child=serializers.CharField(), read_only=True)
