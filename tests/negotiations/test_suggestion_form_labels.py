"""The suggestion form's choice of offer names each round in the reader's language."""

from __future__ import annotations

from django import forms
from django.utils import translation

from negotiations.forms import SuggestionForm
from negotiations.models import Offer
from tests.conftest import World
from tests.negotiation_helpers import sent_offer


def labels(world: World) -> list[str]:
    form = SuggestionForm(offers=Offer.objects.filter(case=world.case))
    field = form.fields["offer"]
    assert isinstance(field, forms.ModelChoiceField)
    return [str(field.label_from_instance(offer)) for offer in field.queryset or []]


def test_each_round_is_named_in_the_readers_language(world: World) -> None:
    offer = sent_offer(world)
    with translation.override("en"):
        assert labels(world) == [f"Round {offer.round_number} (prosecution, Sent)"]
    with translation.override("zh-hans"):
        (chinese,) = labels(world)
    assert chinese.startswith(f"第 {offer.round_number} 轮（") and "Round" not in chinese
