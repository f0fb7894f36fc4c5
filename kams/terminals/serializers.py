from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kams.customers.enums import Business
from kams.terminals.enums import SubsidyKind
from kams.terminals.models import Anomaly, HandsetModel, ObservationImport, SubsidisedSale, SubsidyLevel


class HandsetModelSerializer(serializers.ModelSerializer):
    class Meta:
        model = HandsetModel
        fields = ["id", "brand", "model", "list_price", "is_active", "updated_at"]
        read_only_fields = ["id", "updated_at"]


class SubsidyLevelSerializer(serializers.ModelSerializer):
    subsidy_on_list_price = serializers.SerializerMethodField()

    class Meta:
        model = SubsidyLevel
        fields = ["id", "handset_model", "business", "package", "kind", "value", "valid_from", "valid_to", "version",
                  "note", "subsidy_on_list_price"]
        read_only_fields = ["id", "valid_to", "version", "subsidy_on_list_price"]

    def get_subsidy_on_list_price(self, level) -> str:
        return str(level.subsidy_for(level.handset_model.list_price))


class SubsidisedSaleSerializer(serializers.ModelSerializer):
    agent_code = serializers.CharField(source="agent.code", read_only=True)
    item_state = serializers.CharField(source="item.state", read_only=True)

    class Meta:
        model = SubsidisedSale
        fields = ["id", "imei", "msisdn", "agent", "agent_code", "org_unit", "handset_model", "level", "business",
                  "package", "list_price", "subsidy_amount", "commitment_months", "monthly_amortisation", "sold_on",
                  "status", "item", "item_state", "created_at"]
        read_only_fields = fields


class SubsidisedSaleWriteSerializer(serializers.Serializer):
    imei = serializers.CharField(max_length=20)
    msisdn = serializers.CharField(max_length=20)
    business = serializers.ChoiceField(choices=Business.choices, default=Business.MOBILE)
    package = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    handset_model = serializers.PrimaryKeyRelatedField(queryset=HandsetModel.objects.all(), required=False,
                                                       allow_null=True, default=None)
    commitment_months = serializers.IntegerField(min_value=1, max_value=60)
    sold_on = serializers.DateField(required=False, allow_null=True, default=None)


class SubsidyLevelWriteSerializer(serializers.Serializer):
    handset_model = serializers.PrimaryKeyRelatedField(queryset=HandsetModel.objects.all())
    business = serializers.ChoiceField(choices=Business.choices)
    package = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(choices=SubsidyKind.choices)
    value = serializers.DecimalField(max_digits=12, decimal_places=2)
    valid_from = serializers.DateField()
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ObservationImportSerializer(serializers.ModelSerializer):
    class Meta:
        model = ObservationImport
        fields = ["id", "source", "file_name", "rows", "new_rows", "flags_created", "created_at"]
        read_only_fields = fields


class ObservationRowSerializer(serializers.Serializer):
    imei = serializers.CharField(max_length=20)
    msisdn = serializers.CharField(max_length=20)
    seen_on = serializers.DateField()


class ObservationBatchSerializer(serializers.Serializer):
    observations = ObservationRowSerializer(many=True, allow_empty=False)


class AnomalySerializer(serializers.ModelSerializer):
    agent_code = serializers.CharField(source="agent.code", read_only=True)

    class Meta:
        model = Anomaly
        fields = ["id", "kind", "sale", "imei", "expected_msisdn", "observed_imei", "observed_msisdn", "first_seen",
                  "agent", "agent_code", "org_unit", "batch", "status", "recovery_amount", "review_note",
                  "reviewed_at", "created_at"]
        read_only_fields = fields


class FlagConfirmSerializer(serializers.Serializer):
    recovery_amount = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True,
                                               default=None, help_text=_("Empty: the part not yet amortised."))
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class FlagDismissSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class AgentFlagCountSerializer(serializers.Serializer):
    agent_id = serializers.IntegerField()
    agent_code = serializers.CharField()
    agent_name = serializers.CharField()
    handset_moved = serializers.IntegerField()
    sim_moved = serializers.IntegerField()
    confirmed = serializers.IntegerField()
    total = serializers.IntegerField()
