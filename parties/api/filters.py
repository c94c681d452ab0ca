import django_filters

from core.api.filters import IdFilter
from parties.models import CaseParticipant


class ParticipantFilter(django_filters.FilterSet):
    case = IdFilter(field_name="case_id")
    user = IdFilter(field_name="user_id")
    defendant = IdFilter(field_name="defendant_id")

    class Meta:
        model = CaseParticipant
        fields = ["case", "role", "side", "user", "defendant"]
