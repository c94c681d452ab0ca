"""Forms of the webhook pages. The services check everything again (the URL's addresses too)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from integrations.models import EventType


class EndpointForm(forms.Form):
    url = forms.CharField(
        max_length=2000,
        label=_("URL"),
        help_text=_("Where Parley POSTs messages: https://… on a public address."),
        # A text box, not type=url: the browser's own URL check would pre-empt Parley's messages.
        widget=forms.TextInput(
            attrs={"inputmode": "url", "spellcheck": "false", "autocomplete": "off"}
        ),
    )
    event_types = forms.MultipleChoiceField(
        choices=EventType.choices,
        label=_("Events"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one event type.")},
    )
    description = forms.CharField(
        max_length=200,
        required=False,
        help_text=_("What receives them, e.g. “County docket system, production”."),
    )
