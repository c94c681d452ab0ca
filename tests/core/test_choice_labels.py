"""get_FOO_display() through core.choices (labels translated once per language and field):
the same answers as Django's, in the active language, on every model of ours with choices."""

from __future__ import annotations

from django.apps import apps
from django.db import models
from django.utils import translation

from core.choices import ChoiceLabels, choice_label
from deadlines.models import Hearing, HearingKind, HearingStatus

OURS = (
    "accounts", "audit", "cases", "core", "deadlines", "docketsync", "integrations",
    "negotiations", "parties", "records", "webhooks",
)  # fmt: skip


def test_every_model_of_ours_with_choices_reads_labels_through_choice_labels() -> None:
    with_choices = [
        model
        for model in apps.get_models()
        if model._meta.app_label in OURS
        and any(field.choices for field in model._meta.concrete_fields)
    ]
    assert with_choices
    assert [m.__name__ for m in with_choices if not issubclass(m, ChoiceLabels)] == []


def test_a_label_follows_the_active_language_each_call() -> None:
    hearing = Hearing(kind=HearingKind.PLEA_HEARING, status=HearingStatus.SCHEDULED)
    with translation.override("en"):
        english = hearing.get_kind_display()
    with translation.override("zh-hans"):
        chinese = hearing.get_kind_display()
        assert chinese == str(HearingKind.PLEA_HEARING.label)
    with translation.override("en"):
        assert hearing.get_kind_display() == english == "Plea hearing"
    assert chinese != english


def test_a_value_outside_the_choices_is_shown_as_stored_as_django_shows_it() -> None:
    field = Hearing._meta.get_field("kind")
    assert isinstance(field, models.Field)
    assert choice_label(field, "no_such_kind") == "no_such_kind"
    assert choice_label(field, None) is None
    assert Hearing(kind="no_such_kind").get_kind_display() == "no_such_kind"
