from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.api.filters import IdFilter, MomentFilter
from negotiations.models import AgreementStatus, Offer, OfferStatus, PleaAgreement, Suggestion


class OfferFilter(django_filters.FilterSet):
    case = IdFilter(field_name="case_id")
    # No DISTINCT (a filter on the row's own column cannot repeat a row): with it, PostgreSQL
    # builds every matching row before the page (bench/README.md, the case list's problem 1).
    status = django_filters.MultipleChoiceFilter(choices=OfferStatus.choices, distinct=False)
    updated_at__gte = MomentFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Offer
        fields = ["case", "status", "side"]


class SuggestionFilter(django_filters.FilterSet):
    case = IdFilter(field_name="case_id")
    answered = django_filters.BooleanFilter(
        method="filter_answered", label=_("Whether the prosecution has responded")
    )

    class Meta:
        model = Suggestion
        fields = ["case", "answered"]

    def filter_answered(
        self, queryset: QuerySet[Suggestion], name: str, value: Any
    ) -> QuerySet[Suggestion]:
        return queryset.exclude(response="") if value else queryset.filter(response="")


class AgreementFilter(django_filters.FilterSet):
    case = IdFilter(field_name="case_id")
    status = django_filters.MultipleChoiceFilter(choices=AgreementStatus.choices, distinct=False)
    updated_at__gte = MomentFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = PleaAgreement
        fields = ["case", "status"]


class CaseRecordFilter(django_filters.FilterSet):
    """The prosecution's records (complex marks, rights explanations): by case."""

    case = IdFilter(field_name="case_id")
