"""The label of a field's choice, translated once per language rather than on every call.

Django's `get_FOO_display()` builds a dict of the field's choices each time it is called,
hashing every label, and hashing a lazily translated label translates it: a hearing's
`get_kind_display()` ran gettext for each of the kinds. On a page or feed of a few hundred rows
that was a fifth of the CPU (48 ms of an iCalendar feed of 150 hearings, 72 ms of a week's
docket; bench/results/routes-1000000.md). ChoiceLabels, a base of every model whose fields
have choices, answers from a table of each field's labels per language, made on first use.
Choices given as a callable are read each time, as Django reads them.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import get_language

_LABELS: dict[tuple[int, str | None], dict[Any, str]] = {}


def choice_label(field: models.Field[Any, Any], value: Any) -> Any:
    """What get_FOO_display() returns: the label of `value` among the field's choices in the
    active language, else `value` itself (as a string, unless None or a number)."""
    if not isinstance(field.choices, list | tuple):  # a callable: read each time
        now = dict(make_hashable(field.flatchoices))
        return force_str(now.get(make_hashable(value), value), strings_only=True)
    key = (id(field), get_language())
    labels = _LABELS.get(key)
    if labels is None:
        labels = {make_hashable(v): force_str(label) for v, label in field.flatchoices}
        _LABELS[key] = labels
    return force_str(labels.get(make_hashable(value), value), strings_only=True)


class ChoiceLabels:
    """A base for a model (before models.Model) whose get_FOO_display() reads choice_label."""

    def _get_FIELD_display(self, field: models.Field[Any, Any]) -> Any:
        return choice_label(field, getattr(self, field.attname))
