"""Thin API views for parties that need no case. Defendants and participants: cases.api."""

from __future__ import annotations

from rest_framework import viewsets

from parties.api import serializers
from parties.models import Organization


class OrganizationViewSet(viewsets.ReadOnlyModelViewSet[Organization]):
    """Offices, firms, duty-lawyer centres and courts. Maintained in the admin."""

    serializer_class = serializers.OrganizationSerializer
    queryset = Organization.objects.all()
    filterset_fields = ["kind", "jurisdiction"]
