"""Forms of the API client pages. The services check everything again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cases.models import Court
from parties.models import Role

ROLE_CHOICES = [
    (
        Role.COURT_STAFF.value,
        _("Court staff: the court's docket system (sees every case of the court)"),
    ),
    (
        Role.PROSECUTOR.value,
        _("Prosecutor: an office's system (sees the cases it is made party to)"),
    ),
    (
        Role.DEFENSE_COUNSEL.value,
        _("Defense counsel: a firm's system (the cases it is made party to)"),
    ),
]


class ApiClientForm(forms.Form):
    name = forms.CharField(
        max_length=120, help_text=_("What the client is, e.g. “County docket system”.")
    )
    court = forms.ModelChoiceField(queryset=Court.objects.none(), empty_label=None)
    role = forms.ChoiceField(
        choices=ROLE_CHOICES,
        label=_("Acts as"),
        help_text=_("Its requests have exactly the rights of this role; nothing more."),
    )
    owner = forms.CharField(
        max_length=150,
        label=_("Owner's username"),
        help_text=_("The person told when its webhooks fail. You, if left empty."),
        required=False,
    )

    def __init__(self, *args: Any, courts: QuerySet[Court], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["court"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = courts

    def clean_owner(self) -> User | None:
        username = self.cleaned_data["owner"].strip()
        if not username:
            return None
        owner = User.objects.filter(username=username, is_active=True).first()
        if owner is None:
            raise forms.ValidationError(
                _("No active user is called %(username)s.") % {"username": repr(username)}
            )
        return owner


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=120,
        label=_("Token name"),
        help_text=_("Where it will be used, e.g. “docket server 1”."),
    )
    expires_at = forms.DateTimeField(
        required=False,
        label=_("Expires"),
        help_text=_("Date and time (UTC), e.g. 2027-06-30 17:00. Never, if left empty."),
    )
