"""The case history page and its exports (CSV, JSON Lines).

Thin views: audit.selectors reads (filtered by the reader's walls in SQL), audit.presentation
words each event, audit.exports streams the files. A case the reader may not see answers 404
like a missing one. Bad filters answer 400 with the page, each message next to its field.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required as login_required_plain
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from audit import exports, presentation, selectors
from audit import services as audit
from cases import selectors as case_selectors
from cases.models import Case
from core.decorators import login_required_htmx as login_required
from core.decorators import signed_in_user

PAGE_SIZE = 50


class HistoryFilterForm(forms.Form):
    """The page's filters. They are checked by selectors.history_filters, as the API's are:
    the form only draws them and places each message next to its field."""

    actor = forms.CharField(required=False, label=gettext_lazy("Who"), widget=forms.Select)
    kind = forms.CharField(required=False, label=gettext_lazy("What"), widget=forms.Select)
    since = forms.CharField(
        required=False,
        label=gettext_lazy("From (UTC)"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = forms.CharField(
        required=False,
        label=gettext_lazy("To (UTC)"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, data: Any, *, choices: selectors.HistoryChoices) -> None:
        super().__init__(data)
        self.filters = selectors.HistoryFilters()
        people = [("", "Anyone"), *((str(pk), label) for pk, label in choices.people)]
        kinds = [("", "Everything"), *choices.kinds]
        # A filter given in the address but absent from the choices stays visible as applied.
        for name, options in (("actor", people), ("kind", kinds)):
            given = str(self.data.get(name) or "").strip()
            if given and given not in {value for value, _ in options}:
                options.append((given, given))
            self.fields[name].widget.choices = options

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        try:
            self.filters = selectors.history_filters(cleaned)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                self.add_error(name, messages)
        return cleaned


def _url(name: str, case: Case, params: dict[str, Any]) -> str:
    query = urlencode(params)
    return reverse(name, args=[case.pk]) + (f"?{query}" if query else "")


def _history_page(request: HttpRequest, user: User, case: Case) -> HttpResponse:
    visible = selectors.history_visible_to(user, case)
    choices = selectors.history_choices(visible)
    form = HistoryFilterForm(request.GET, choices=choices)
    cursor = None
    if form.is_valid():
        try:
            cursor = selectors.history_cursor(request.GET.get("cursor"))
        except ValidationError as error:
            form.add_error(None, error.message_dict["cursor"])
    context: dict[str, Any] = {
        "case": case,
        "form": form,
        # Filters were asked for (even bad ones, which the page then offers to clear).
        "filtered": any(request.GET.get(name) for name in selectors.FILTER_NAMES),
        "rows": [],
        "links": {},
    }
    if form.errors:
        return render(request, "audit/history.html", context, status=400)
    params = form.filters.as_params()
    events = selectors.history_filtered(visible, form.filters)
    page = selectors.history_page(events, before=cursor, size=PAGE_SIZE)
    context["rows"] = [presentation.present(event, choices.names) for event in page.events]
    context["links"] = {
        "csv": _url("audit:history-export-csv", case, params),
        "jsonl": _url("audit:history-export-jsonl", case, params),
        "older": _url("audit:history", case, {**params, "cursor": page.older})
        if page.older is not None
        else "",
        "newest": _url("audit:history", case, params) if cursor is not None else "",
    }
    return render(request, "audit/history.html", context)


@login_required
@require_GET
def history(request: HttpRequest, case_id: int) -> HttpResponse:
    user = signed_in_user(request)
    case = case_selectors.case_get_for_user(user, case_id)
    audit.sealed_case_viewed(case=case, request=request, seen="history")
    return _history_page(request, user, case)


def _export(request: HttpRequest, case_id: int, fmt: str) -> HttpResponseBase:
    user = signed_in_user(request)
    case = case_selectors.case_get_for_user(user, case_id)
    try:
        filters = selectors.history_filters(request.GET)
    except ValidationError:
        # The page, with each message next to its field.
        return _history_page(request, user, case)
    return exports.history_export(user, case, filters=filters, fmt=fmt, request=request)


# Files, never fetched by htmx: a plain redirect to the login page.
@login_required_plain
@require_GET
def history_export_csv(request: HttpRequest, case_id: int) -> HttpResponseBase:
    return _export(request, case_id, "csv")


@login_required_plain
@require_GET
def history_export_jsonl(request: HttpRequest, case_id: int) -> HttpResponseBase:
    return _export(request, case_id, "jsonl")
