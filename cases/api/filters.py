import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from cases.models import Case, CaseStatus, Charge, Statute
from core.api.filters import IdFilter, MomentFilter
from parties.models import CaseParticipant


class CaseFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=CaseStatus.choices)
    updated_at__gte = MomentFilter(field_name="updated_at", lookup_expr="gte")
    opened_on__gte = django_filters.DateFilter(field_name="opened_on", lookup_expr="gte")
    opened_on__lte = django_filters.DateFilter(field_name="opened_on", lookup_expr="lte")
    q = django_filters.CharFilter(method="search", label=_("Docket number or caption contains"))

    class Meta:
        model = Case
        fields = ["court", "docket_number", "external_id", "sealed", "status"]

    def search(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        return queryset.filter(Q(docket_number__icontains=value) | Q(caption__icontains=value))


class ChargeFilter(django_filters.FilterSet):
    case = IdFilter(field_name="case_id")
    updated_at__gte = MomentFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Charge
        fields = ["case", "statute", "status"]


class StatuteFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Citation or title contains"))
    jurisdiction_code = django_filters.CharFilter(field_name="jurisdiction__code")

    class Meta:
        model = Statute
        fields = ["jurisdiction", "offence_class"]

    def search(self, queryset: QuerySet[Statute], name: str, value: str) -> QuerySet[Statute]:
        return queryset.filter(Q(citation__icontains=value) | Q(title__icontains=value))


class ParticipantFilter(django_filters.FilterSet):
    case = IdFilter(field_name="case_id")
    user = IdFilter(field_name="user_id")
    defendant = IdFilter(field_name="defendant_id")

    class Meta:
        model = CaseParticipant
        fields = ["case", "role", "side", "user", "defendant"]
