"""core.api.serializers.FastReadMixin writes what DRF's own Serializer.to_representation writes,
for every serializer of the API that uses it, on the rows of the demo (every model with its
optional values filled and empty), with and without the nested lists prefetched, in English and
Chinese, and in a time zone other than UTC."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import models
from django.urls import get_resolver
from django.utils import timezone, translation
from rest_framework import serializers
from rest_framework.test import APIRequestFactory

from core.api.serializers import CALL, DRF, KEY, MANY, MOMENT, FastReadMixin, plan_of
from tests.demo.test_seed_demo import _shared_demo, demo  # noqa: F401 (fixtures)

ROWS_PER_MODEL = 60
# Serializers whose rows the demo does not hold (or that read what only their view passes in
# context); the others must each be compared on some rows.
NOT_IN_DEMO = {
    "ApiTokenSerializer",
    "ApiTokenCreatedSerializer",
    "ApiClientSerializer",
    "DeliverySerializer",
    "DeliveryDetailSerializer",
    "EndpointSerializer",
    "EndpointCreatedSerializer",
    "PersonalTokenSerializer",
    "PersonalTokenCreatedSerializer",
    "DocketJobSerializer",
    "AttemptSerializer",
}
# What the views put in the context of those that read it.
CONTEXT: dict[str, Any] = {
    "NoteSerializer": {"user_id": 0, "writable": ("shared",)},
    "OfferDetailSerializer": {"exposure": None},
}


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _serializer_classes() -> list[type[serializers.ModelSerializer[Any]]]:
    get_resolver().url_patterns  # noqa: B018 (imports every API module)
    found = {
        cls
        for cls in _subclasses(FastReadMixin)
        if issubclass(cls, serializers.ModelSerializer) and getattr(cls, "Meta", None)
    }
    return sorted(found, key=lambda cls: (cls.__module__, cls.__name__))


def _stock(self: Any, instance: Any) -> Any:
    return serializers.Serializer.to_representation(self, instance)


def _nested_lists(serializer_class: type[serializers.ModelSerializer[Any]]) -> list[str]:
    sources = [
        str(field.source)
        for field in serializer_class().fields.values()
        if isinstance(field, serializers.ListSerializer)
    ]
    return [source for source in sources if "." not in source]


def _written(
    serializer_class: type[serializers.ModelSerializer[Any]], rows: list[Any], context: Any
) -> Any:
    try:
        return serializer_class(rows, many=True, context=context).data
    except Exception as error:  # the same failure is as good an answer as the same data
        return ("raised", type(error).__name__)


@pytest.mark.usefixtures("demo")
def test_the_mixin_writes_what_drf_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.contrib.auth.models import User

    request = APIRequestFactory().get("/api/v1/")
    reader = User.objects.filter(is_superuser=False).order_by("pk").first()
    assert reader is not None
    request.user = reader
    context = {"request": request}
    compared: dict[str, int] = {}
    for serializer_class in _serializer_classes():
        model: type[models.Model] = serializer_class.Meta.model
        prefetched = _nested_lists(serializer_class)
        for prefetch in (False, True):
            if prefetch and not prefetched:
                continue
            found = model._default_manager.order_by("-pk")
            if prefetch:
                found = found.prefetch_related(*prefetched)
            rows = list(found[:ROWS_PER_MODEL])
            for language, zone in (("en", "UTC"), ("zh-hans", "Asia/Shanghai")):
                with translation.override(language), timezone.override(zone):
                    given = {**context, **CONTEXT.get(serializer_class.__name__, {})}
                    fast = _written(serializer_class, rows, given)
                    with monkeypatch.context() as patched:
                        patched.setattr(FastReadMixin, "to_representation", _stock)
                        stock = _written(serializer_class, rows, given)
                assert fast == stock, (serializer_class.__name__, prefetch, language)
            if rows and not isinstance(fast, tuple):
                compared[serializer_class.__name__] = len(rows)
    missing = {
        cls.__name__ for cls in _serializer_classes() if cls.__name__ not in compared
    } - NOT_IN_DEMO
    assert not missing, f"no demo rows were compared for {sorted(missing)}"
    assert {"OfferSerializer", "CaseSerializer", "HearingSerializer"} <= set(compared)


@pytest.mark.usefixtures("demo")
def test_the_plan_reads_plain_fields_directly() -> None:
    """The offer list's fields are read by the fast paths, not DRF's get_attribute (the test
    above would pass if every field fell back to DRF)."""
    from negotiations.api.serializers import OfferSerializer
    from negotiations.models import Offer

    offer = Offer.objects.prefetch_related("terms", "concessions").order_by("pk").first()
    assert offer is not None
    plan = {name: how for name, how, _reader, _field in plan_of(OfferSerializer(), offer)}
    drf = {name for name, how in plan.items() if how == DRF}
    assert drf == set(), drf
    assert plan["terms"] == plan["concessions"] == MANY  # the prefetched rows
    assert plan["status_display"] == CALL  # get_status_display, called
    assert plan["case"] == plan["author"] == KEY  # the key columns
    assert plan["sent_at"] == MOMENT  # a moment


@pytest.mark.usefixtures("demo")
def test_list_details_hang_as_prefetch_related_hangs_them(
    django_assert_num_queries: Any,
) -> None:
    """core.prefetch.related_cached, as the offers list uses it: the same rows in the same
    order as prefetch_related, readable through the relation with no further query."""
    from django.db.models import Prefetch

    from negotiations import selectors
    from negotiations.models import Offer, OfferTerm

    expected = list(
        Offer.objects.order_by("-id").prefetch_related(
            Prefetch(
                "terms",
                queryset=OfferTerm.objects.select_related("charge__statute", "lesser_statute"),
            ),
            "concessions",
        )
    )
    assert sum(len(offer.terms.all()) > 1 for offer in expected) >= 2
    assert sum(len(offer.concessions.all()) > 1 for offer in expected) >= 2
    with django_assert_num_queries(3):  # the offers, their terms, their concessions
        listed = list(selectors._with_list_details(Offer.objects.order_by("-id")))
    with django_assert_num_queries(0):
        for offer, wanted in zip(listed, expected, strict=True):
            terms = list(offer.terms.all())
            assert [t.pk for t in terms] == [t.pk for t in wanted.terms.all()]
            assert [c.pk for c in offer.concessions.all()] == [
                c.pk for c in wanted.concessions.all()
            ]
            assert all(term.offer is offer for term in terms)
            assert [t.charge.statute.citation for t in terms] == [
                t.charge.statute.citation for t in wanted.terms.all()
            ]
