"""Serializers of the channel evaluation API."""

from rest_framework import serializers

from kams.channelstats.enums import ExportFormat, ManualKind, ScoringMethod
from kams.channelstats.models import EvaluationExport, EvaluationModel, EvaluationResult, EvaluationRun, ManualScore


class ModelItemSerializer(serializers.Serializer):
    indicator = serializers.CharField()
    weight = serializers.DecimalField(max_digits=5, decimal_places=2)
    method = serializers.ChoiceField(choices=ScoringMethod.choices, default=ScoringMethod.LINEAR)
    floor = serializers.DecimalField(max_digits=18, decimal_places=4, default=0)
    target = serializers.DecimalField(max_digits=18, decimal_places=4, default=0)


class EvaluationModelSerializer(serializers.ModelSerializer):
    items = ModelItemSerializer(many=True, read_only=True)

    class Meta:
        model = EvaluationModel
        fields = ["id", "code", "version", "name", "description", "is_active", "created_at", "items"]


class EvaluationModelWriteSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=30)
    name = serializers.CharField(max_length=80)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    items = ModelItemSerializer(many=True)


class RunSerializer(serializers.ModelSerializer):
    model_code = serializers.CharField(source="model.code", read_only=True)
    model_version = serializers.IntegerField(source="model.version", read_only=True)
    org_unit_code = serializers.CharField(source="org_unit.code", read_only=True)

    class Meta:
        model = EvaluationRun
        fields = ["id", "model", "model_code", "model_version", "period", "org_unit", "org_unit_code", "agent_count",
                  "computed_at", "times_run"]


class RunWriteSerializer(serializers.Serializer):
    model = serializers.CharField(help_text="the model code (its active version)")
    version = serializers.IntegerField(required=False, allow_null=True, default=None)
    period = serializers.CharField(help_text="YYYY-MM")
    org_unit = serializers.IntegerField(required=False, allow_null=True, default=None)


class ResultSerializer(serializers.ModelSerializer):
    agent_code = serializers.CharField(source="agent.code", read_only=True)
    agent_name = serializers.CharField(source="agent.name", read_only=True)
    city = serializers.CharField(source="city.code", read_only=True, default=None)
    previous_score = serializers.DecimalField(max_digits=7, decimal_places=2, read_only=True, allow_null=True)
    delta = serializers.DecimalField(max_digits=7, decimal_places=2, read_only=True, allow_null=True)
    values = serializers.SerializerMethodField()

    class Meta:
        model = EvaluationResult
        fields = ["id", "run", "period", "agent", "agent_code", "agent_name", "level", "city", "score", "rank",
                  "rank_in_level", "rank_in_city", "previous_score", "delta", "values"]

    def get_values(self, obj) -> dict[str, dict[str, str]]:
        return {code: {"value": str(v), "points": str(s)} for code, (v, s) in getattr(obj, "values", {}).items()}


class ManualScoreSerializer(serializers.ModelSerializer):
    class Meta:
        model = ManualScore
        fields = ["id", "agent", "period", "kind", "value", "note", "entered_at"]
        read_only_fields = ["entered_at"]


class ManualScoreWriteSerializer(serializers.Serializer):
    agent = serializers.IntegerField()
    period = serializers.CharField(help_text="YYYY-MM")
    kind = serializers.ChoiceField(choices=ManualKind.choices)
    value = serializers.CharField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ExportSerializer(serializers.ModelSerializer):
    class Meta:
        model = EvaluationExport
        fields = ["id", "run", "format", "file_name", "sha256", "row_count", "created_at"]


class ExportWriteSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=ExportFormat.choices)


class ReportSerializer(serializers.Serializer):
    columns = serializers.ListField(child=serializers.DictField())
    rows = serializers.ListField(child=serializers.DictField())
    chart = serializers.DictField()


class NotifyResultSerializer(serializers.Serializer):
    messages = serializers.IntegerField()
