"""Settlement API serializers."""

from __future__ import annotations

from rest_framework import serializers

from kams.channels.models import Agent
from kams.org.models import OrgUnit
from kams.settlement.enums import AdjustmentKind, RunKind, SchemeKind
from kams.settlement.models import AgentBill, BillLine, BusinessScheme, Extraction, SchemeVersion, SettlementRun


class SettlementSchemeVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = SchemeVersion
        fields = ["id", "version", "kind", "condition", "base", "rate", "months", "steps", "units", "agent_types",
                  "note", "created_at"]


class SettlementBusinessSchemeSerializer(serializers.ModelSerializer):
    versions = SettlementSchemeVersionSerializer(many=True, read_only=True)

    class Meta:
        model = BusinessScheme
        fields = ["id", "code", "name", "business", "versions"]


class SettlementStepSerializer(serializers.Serializer):
    start = serializers.IntegerField(min_value=1)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)


class SettlementSchemeWriteSerializer(serializers.Serializer):
    code = serializers.SlugField(max_length=30)
    name = serializers.CharField(max_length=80)
    business = serializers.CharField(max_length=20)
    kind = serializers.ChoiceField(choices=SchemeKind.choices)
    condition = serializers.CharField(required=False, allow_blank=True, default="")
    base = serializers.CharField(required=False, allow_blank=True, default="")
    rate = serializers.DecimalField(max_digits=6, decimal_places=3, required=False, allow_null=True, default=None)
    months = serializers.IntegerField(required=False, allow_null=True, default=None)
    steps = SettlementStepSerializer(many=True, required=False, default=list)
    units = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all(), many=True, required=False, default=list)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class SettlementRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = SettlementRun
        fields = ["id", "number", "kind", "period", "extraction", "org_unit", "agent", "state", "total",
                  "without_scheme", "created_at", "finished_at"]


class SettlementRunStartSerializer(serializers.Serializer):
    period = serializers.RegexField(r"^\d{4}-\d{2}$")
    kind = serializers.ChoiceField(choices=RunKind.choices, default=RunKind.UNIFIED)
    agent = serializers.PrimaryKeyRelatedField(queryset=Agent.objects.all(), required=False, allow_null=True,
                                               default=None)
    unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all(), required=False, allow_null=True,
                                              default=None)
    extraction = serializers.PrimaryKeyRelatedField(queryset=Extraction.objects.all(), required=False,
                                                    allow_null=True, default=None)


class SettlementRunQueuedSerializer(serializers.Serializer):
    job = serializers.IntegerField(help_text="The job run: /api/v1/system/jobs/{job}/")
    period = serializers.CharField()


class SettlementBillLineSerializer(serializers.ModelSerializer):
    scheme = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = BillLine
        fields = ["id", "kind", "msisdn", "scheme", "version", "rank", "base", "amount", "original"]


class SettlementAgentBillSerializer(serializers.ModelSerializer):
    agent_code = serializers.CharField(source="agent.code", read_only=True)
    net = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    lines = SettlementBillLineSerializer(many=True, read_only=True)

    class Meta:
        model = AgentBill
        fields = ["id", "run", "agent", "agent_code", "period", "composite", "versions", "original", "amount",
                  "adjustments", "net", "state", "paid_at", "transaction", "lines"]


class SettlementAdjustSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=AdjustmentKind.choices)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    reason = serializers.CharField(max_length=200)
