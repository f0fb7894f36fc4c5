from rest_framework import serializers, viewsets

from kams.audit.filters import AuditFilter
from kams.audit.masking import for_reader
from kams.audit.models import AuditEntry


class AuditEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEntry
        fields = [
            "id", "at", "actor", "actor_name", "org_unit", "action", "target_type", "target_id",
            "target_repr", "before", "after", "reason", "ip", "request_id",
        ]
        read_only_fields = fields

    def to_representation(self, instance):
        request = self.context.get("request")
        if request is not None:
            instance = for_reader([instance], request.user)[0]
        return super().to_representation(instance)


class AuditEntryViewSet(viewsets.ReadOnlyModelViewSet):
    """操作日志: the audit log (ORG-05), read-only, scoped to the caller."""

    queryset = AuditEntry.objects.all()
    serializer_class = AuditEntrySerializer
    filterset_class = AuditFilter
