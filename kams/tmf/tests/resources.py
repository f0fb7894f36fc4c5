"""A TMF-style resource over ``OrgUnit``, used only to exercise the toolkit.

Its writes use the ORM directly; a real domain's hooks call its service functions.
"""

from __future__ import annotations

from rest_framework import serializers

from kams.org.models import OrgUnit
from kams.tmf.serializers import TMFModelSerializer
from kams.tmf.views import TMFModelViewSet


class UnitSerializer(TMFModelSerializer):
    isActive = serializers.BooleanField(source="is_active", required=False)
    creationDate = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = OrgUnit
        fields = ["code", "name", "kind", "isActive", "creationDate"]
        tmf_base_type = "Entity"


class UnitViewSet(TMFModelViewSet):
    queryset = OrgUnit.objects.all()
    serializer_class = UnitSerializer
    tmf_type = "OrganizationUnit"
    tmf_filter_fields = {
        "code": "code",
        "name": "name",
        "kind": "kind",
        "isActive": "is_active",
        "creationDate": "created_at",
    }

    def perform_create(self, serializer: UnitSerializer) -> OrgUnit:
        return OrgUnit.objects.add_root(dict(serializer.validated_data))

    def perform_update(self, serializer: UnitSerializer) -> OrgUnit:
        return serializer.save()

    def perform_destroy(self, instance: OrgUnit) -> None:
        instance.delete()


class ReadOnlyUnitViewSet(TMFModelViewSet):
    """Writes not routed through a service: the base hooks must refuse them."""

    queryset = OrgUnit.objects.all()
    serializer_class = UnitSerializer
