"""How the history reads to people: labels for subjects, tables and fields, the values of a row
as text, and a one-line summary of each event ("Charge changed: status Pending → Disposed").

Pure functions over an AuditEvent, with no queries: a page of events costs the same to present
whatever it holds. Labels come from the models' own verbose names, found through a map from
table name to model built from the app registry, so a new field reads well without a change
here. Nothing is hidden: whoever may read an event sees every column it recorded, as text.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar, cast

from django.apps import apps
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _

from audit.models import Audience, AuditEvent

# Events the app records itself (audit.services.record): what they are called.
APP_EVENT_LABELS: dict[str, str | Promise] = {
    "auth.login": gettext_lazy("Signed in"),
    "auth.logout": gettext_lazy("Signed out"),
    "auth.login_failed": gettext_lazy("Sign-in failed"),
    "document.downloaded": gettext_lazy("Document downloaded"),
    "history.exported": gettext_lazy("History exported"),
    "case.sealed_viewed": gettext_lazy("Sealed case viewed"),
}

# Subjects whose table's name does not say what the row means to a reader.
SUBJECT_LABELS: dict[str, str | Promise] = {
    "access": gettext_lazy("Access to the case"),
    "membership": gettext_lazy("Court membership"),
    "user_permission": gettext_lazy("Permission of a user"),
    "group_permission": gettext_lazy("Permission of a group"),
    "history": gettext_lazy("History"),
    "auth": gettext_lazy("Sign-in"),
}

VERB_LABELS = {
    "created": pgettext_lazy("history event", "created"),
    "changed": pgettext_lazy("history event", "changed"),
    "deleted": pgettext_lazy("history event", "deleted"),
}

# How the row got written, when no signed-in person wrote it.
VIA_LABELS = {
    "task": gettext_lazy("system task"),
    "command": gettext_lazy("management command"),
}
# Where a write came through, for the details.
THROUGH_LABELS = {
    "web": gettext_lazy("the web app"),
    "api": gettext_lazy("the API"),
    "task": gettext_lazy("a system task"),
    "command": gettext_lazy("a management command"),
    "": gettext_lazy("the database directly"),
}

SUMMARY_VALUE_CHARS = 60
EMPTY = "—"


@dataclass(frozen=True)
class FieldChange:
    """One column of a recorded row: its label and its value before and after, as text.
    A created row has no `before`, a deleted one no `after` (None: not "empty")."""

    column: str
    label: str
    before: str | None
    after: str | None


# What the trail holds that no reader is shown, whatever their walls: the request path of a
# sealed-case view (it would name a note or document behind another side's wall), and the
# conflicts of interest found when a person joined a case (they name connected cases; the
# parties list says them to each reader). The trail now keeps neither (audit.services.record,
# the trigger's mask); rows recorded before still hold them, so they are left out here, where
# the page, the API and the exports all read the recorded values.
REDACTED = "[redacted]"
HIDDEN_DATA_KEYS: dict[str, frozenset[str]] = {
    "case.sealed_viewed": frozenset({"method", "path"}),
}
HIDDEN_COLUMNS: dict[str, frozenset[str]] = {
    "parties_caseparticipant": frozenset({"conflicts"}),
}


@dataclass(frozen=True)
class ShownValues:
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    data: dict[str, Any]


def shown_values(event: AuditEvent) -> ShownValues:
    """The recorded values of `event` as any reader is shown them."""
    hidden = HIDDEN_COLUMNS.get(event.table_name, frozenset())

    def row(values: Any) -> dict[str, Any] | None:
        if not isinstance(values, dict):
            return None
        return {k: (REDACTED if k in hidden else v) for k, v in values.items()}

    data = event.data if isinstance(event.data, dict) else {}
    dropped = HIDDEN_DATA_KEYS.get(event.kind, frozenset())
    return ShownValues(
        before=row(event.before),
        after=row(event.after),
        data={k: v for k, v in data.items() if k not in dropped},
    )


@dataclass(frozen=True)
class PresentedEvent:
    """An event with what a reader is shown of it, for the page and the API."""

    event: AuditEvent
    label: str
    summary: str
    who: str
    table_label: str
    audience_label: str
    through: str
    changes: list[FieldChange]
    values: ShownValues


def present(event: AuditEvent, names: dict[int, str] | None = None) -> PresentedEvent:
    return PresentedEvent(
        event=event,
        label=kind_label(event.kind, event.table_name),
        summary=summary_of(event),
        who=who_of(event, names),
        table_label=table_label(event.table_name) if event.table_name else "",
        audience_label=str(dict(Audience.choices).get(event.audience, event.audience)),
        through=str(THROUGH_LABELS.get(event.via, event.via)),
        changes=changes_of(event),
        values=shown_values(event),
    )


F = TypeVar("F", bound=Callable[..., str])


def per_language(function: F) -> F:
    """A label that depends only on its arguments and the active language, looked up once per
    language: an export of a case's history asked the catalogue for the same few labels on
    every event (600 gettext calls for 180 events, a third of its CPU)."""
    memo: dict[tuple[Any, ...], str] = {}

    @functools.wraps(function)
    def labelled(*args: Any) -> str:
        key = (get_language(), *args)
        found = memo.get(key)
        if found is None:
            found = memo[key] = function(*args)
        return found

    return cast(F, labelled)


@cache
def models_by_table() -> dict[str, type[models.Model]]:
    """Every model (many-to-many tables included) by its table name."""
    return {model._meta.db_table: model for model in apps.get_models(include_auto_created=True)}


@cache
def _fields_of(table: str) -> dict[str, models.Field[Any, Any]]:
    model = models_by_table().get(table)
    if model is None:
        return {}
    return {
        field.column: field for field in model._meta.concrete_fields if field.column is not None
    }


@per_language
def table_label(table: str) -> str:
    model = models_by_table().get(table)
    if model is None:
        return table
    # An attribute's name, not translated in the model: through the catalogue (audit.labels).
    return _capitalised(_(str(model._meta.verbose_name)))


@per_language
def subject_label(subject: str, table: str = "") -> str:
    if subject in SUBJECT_LABELS:
        return str(SUBJECT_LABELS[subject])
    if table and table in models_by_table():
        return table_label(table)
    return _capitalised(subject.replace("_", " "))


@per_language
def kind_label(kind: str, table: str = "") -> str:
    """ "Note created", "History exported", "Offer term deleted"."""
    if kind in APP_EVENT_LABELS:
        return str(APP_EVENT_LABELS[kind])
    subject, _dot, verb = kind.rpartition(".")
    if not subject:
        return _capitalised(kind.replace("_", " "))
    # "Note created": the subject, then what happened to it.
    return _("%(subject)s %(verb)s") % {
        "subject": subject_label(subject, table),
        "verb": VERB_LABELS.get(verb, verb.replace("_", " ")),
    }


@per_language
def field_label(table: str, column: str) -> str:
    field = _fields_of(table).get(column)
    if field is None:
        return "ID" if column == "id" else column.replace("_", " ")
    if field.primary_key:
        return "ID"
    return _(str(field.verbose_name))


def value_text(table: str, column: str, value: Any) -> str:
    """A recorded value as a person reads it: choice labels, yes/no, UTC times, JSON for the
    structured ones, "—" for none."""
    if value is None:
        return EMPTY
    if isinstance(value, bool):
        return "yes" if value else "no"
    field = _fields_of(table).get(column)
    if field is not None and field.choices and not isinstance(value, (dict, list)):
        labels = {str(key): str(label) for key, label in field.flatchoices}
        return labels.get(str(value), str(value))
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        return _utc_text(value)
    if value == "":
        return "(blank)"
    return str(value)


def _utc_text(value: str) -> str:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is None:
        return value
    return f"{moment.astimezone(dt.UTC):%Y-%m-%d %H:%M:%S} UTC"


def _ordered_columns(table: str, columns: set[str]) -> list[str]:
    """The model's field order (as its form would show them), unknown columns after."""
    known = [column for column in _fields_of(table) if column in columns]
    return known + sorted(columns - set(known))


def changes_of(event: AuditEvent) -> list[FieldChange]:
    """The recorded columns of a row change, or the data of an app event, as text."""
    shown = shown_values(event)
    if not event.table_name:
        return [
            FieldChange(
                column=key,
                label=key.replace("_", " "),
                before=None,
                after=_data_text(value),
            )
            for key, value in sorted(shown.data.items())
        ]
    before, after = shown.before, shown.after
    columns = set(before or {}) | set(after or {})
    table = event.table_name
    return [
        FieldChange(
            column=column,
            label=field_label(table, column),
            before=value_text(table, column, before.get(column)) if before is not None else None,
            after=value_text(table, column, after.get(column)) if after is not None else None,
        )
        for column in _ordered_columns(table, columns)
    ]


def _data_text(value: Any) -> str:
    if value is None:
        return EMPTY
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _is_bookkeeping(table: str, column: str) -> bool:
    """Timestamps Django keeps by itself: in the details, but not news in a summary."""
    field = _fields_of(table).get(column)
    return bool(getattr(field, "auto_now", False))


def _quoted(table: str, column: str, text: str) -> str:
    """A value in a summary: shortened, and in quotes when it is free text."""
    if len(text) > SUMMARY_VALUE_CHARS:
        text = text[: SUMMARY_VALUE_CHARS - 1] + "…"
    field = _fields_of(table).get(column)
    free_text = isinstance(field, (models.CharField, models.TextField)) and not field.choices
    return f"“{text}”" if free_text and text not in (EMPTY, "(blank)") else text


def summary_of(event: AuditEvent) -> str:
    """One line: what happened, and for a change what moved from what to what."""
    label = kind_label(event.kind, event.table_name)
    if not event.table_name:
        return label + _app_event_detail(event)
    if event.verb != "changed":
        return label
    changes = changes_of(event)
    news = [c for c in changes if not _is_bookkeeping(event.table_name, c.column)] or changes
    parts = [
        f"{c.label} {_quoted(event.table_name, c.column, c.before or EMPTY)} → "
        f"{_quoted(event.table_name, c.column, c.after or EMPTY)}"
        for c in news
    ]
    if not parts:
        return label
    return _("%(label)s: %(changes)s") % {"label": label, "changes": _("; ").join(parts)}


def _app_event_detail(event: AuditEvent) -> str:
    data = event.data or {}
    if event.kind == "history.exported":
        fmt = str(data.get("format", "")).upper()
        return f" ({fmt})" if fmt else ""
    if event.kind == "document.downloaded" and data.get("document_id") is not None:
        return _(" (document %(id)s)") % {"id": data["document_id"]}
    if event.kind == "case.sealed_viewed" and data.get("seen"):
        return f" ({data['seen']})"
    return ""


def who_of(event: AuditEvent, names: dict[int, str] | None = None) -> str:
    """Who acted: the person (their full name where known), a system task, or a write from
    outside the app, naming the database user it came in as."""
    if not event.via:
        return (
            _("outside the app (%(db_user)s)") % {"db_user": event.db_user}
            if event.db_user
            else _("outside the app")
        )
    if event.actor_id is not None:
        name = (names or {}).get(event.actor_id) or event.actor_name
        return name or _("user %(id)s") % {"id": event.actor_id}
    if event.via in VIA_LABELS:
        return str(VIA_LABELS[event.via])
    return _("someone not signed in")


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]
