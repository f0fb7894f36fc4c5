from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from kams.system import services
from kams.system.models import JobRun, SystemParameter
from kams.system.parameters import definition, definitions, param


class ParameterSerializer(serializers.Serializer):
    key = serializers.CharField(read_only=True)
    kind = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)
    value = serializers.JSONField()
    default = serializers.JSONField(read_only=True)
    reason = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=300)


def _row(p):
    return {"key": p.key, "kind": p.kind, "label": str(p.label), "value": p.to_json(param(p.key)), "default": p.to_json(p.default)}


class ParameterViewSet(viewsets.ViewSet):
    """系统参数 (ORG-06): list, read and change parameters; every change keeps its history."""

    # Tells the permission class which model's permissions guard this endpoint.
    queryset = SystemParameter.objects.none()
    serializer_class = ParameterSerializer
    lookup_value_regex = r"[a-z0-9_.]+"

    @extend_schema(responses=ParameterSerializer(many=True))
    def list(self, request):
        return Response([_row(p) for p in definitions()])

    @extend_schema(responses=ParameterSerializer)
    def retrieve(self, request, pk=None):
        try:
            return Response(_row(definition(pk)))
        except KeyError:
            raise Http404 from None

    @extend_schema(request=ParameterSerializer, responses=ParameterSerializer)
    def partial_update(self, request, pk=None):
        data = ParameterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.parameter_set(
            actor=request.user, key=pk, value=data.validated_data["value"], reason=data.validated_data.get("reason", "")
        )
        return self.retrieve(request, pk)


class JobRunSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = JobRun
        fields = [
            "id", "name", "label", "state", "progress_done", "progress_total", "percent", "message",
            "error", "params", "result", "created_at", "started_at", "finished_at",
        ]
        read_only_fields = fields


class JobRunViewSet(viewsets.ReadOnlyModelViewSet):
    """Background job runs with progress (ORG-07)."""

    queryset = JobRun.objects.all()
    serializer_class = JobRunSerializer
    filterset_fields = ["state", "name"]
