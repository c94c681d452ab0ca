"""Filters of the court-dates lists. They only narrow: what a user may see is decided by the
selectors (deadlines.selectors), before any filter applies."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.api.filters import IdFilter, MomentFilter
from deadlines.models import (
    CourtClosure,
    Courtroom,
    Deadline,
    DeadlineKind,
    DeadlineRule,
    DeadlineStatus,
    Hearing,
    HearingKind,
    HearingStatus,
    Notification,
)


class HearingFilter(django_filters.FilterSet):
    case = IdFilter(field_name="case_id")
    # Through the courtroom, not the case: the list walks the court's courtrooms, and a hearing
    # is held in a courtroom of its case's court (deadlines.services).
    court = IdFilter(method="filter_court")
    courtroom = IdFilter(field_name="courtroom_id")
    judge = IdFilter(field_name="judge_id")
    status = django_filters.MultipleChoiceFilter(choices=HearingStatus.choices)
    kind = django_filters.MultipleChoiceFilter(choices=HearingKind.choices)
    starts_at__gte = MomentFilter(field_name="starts_at", lookup_expr="gte")
    starts_at__lte = MomentFilter(field_name="starts_at", lookup_expr="lte")
    updated_at__gte = MomentFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Hearing
        fields = ["case", "court", "courtroom", "judge", "status", "kind"]

    def filter_court(self, queryset: QuerySet[Hearing], name: str, value: Any) -> QuerySet[Hearing]:
        rooms = Courtroom.objects.filter(court_id=value).values("pk")
        return queryset.filter(courtroom_id__in=rooms)


class DeadlineFilter(django_filters.FilterSet):
    case = IdFilter(field_name="case_id")
    kind = django_filters.MultipleChoiceFilter(choices=DeadlineKind.choices)
    status = django_filters.MultipleChoiceFilter(choices=DeadlineStatus.choices)
    due_date__gte = django_filters.DateFilter(field_name="due_date", lookup_expr="gte")
    due_date__lte = django_filters.DateFilter(field_name="due_date", lookup_expr="lte")
    updated_at__gte = MomentFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Deadline
        fields = ["case", "kind", "status"]


class RuleFilter(django_filters.FilterSet):
    jurisdiction = IdFilter(field_name="jurisdiction_id")
    jurisdiction_code = django_filters.CharFilter(field_name="jurisdiction__code")
    kind = django_filters.MultipleChoiceFilter(choices=DeadlineKind.choices)
    active = django_filters.BooleanFilter()

    class Meta:
        model = DeadlineRule
        fields = ["jurisdiction", "kind", "active"]


class CourtroomFilter(django_filters.FilterSet):
    court = IdFilter(field_name="court_id")

    class Meta:
        model = Courtroom
        fields = ["court"]


class ClosureFilter(django_filters.FilterSet):
    court = IdFilter(field_name="court_id")
    date__gte = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date__lte = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = CourtClosure
        fields = ["court"]


class NotificationFilter(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(method="filter_unread", label=_("Only unread (or read)"))

    class Meta:
        model = Notification
        fields = ["unread"]

    def filter_unread(
        self, queryset: QuerySet[Notification], name: str, value: Any
    ) -> QuerySet[Notification]:
        return queryset.filter(read_at__isnull=bool(value))
