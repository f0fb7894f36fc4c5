from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kams.channels.enums import PayMethod
from kams.channels.models import Agent
from kams.customers.enums import Business
from kams.org.models import OrgUnit
from kams.resources.enums import Network, ResourceKind
from kams.resources.models import AgentTransfer, FeeAdjustment, Movement, PickupLine, PickupOrder, ResourceItem


class ItemSerializer(serializers.ModelSerializer):
    agent_code = serializers.CharField(source="agent.code", read_only=True, default=None)
    unit_name = serializers.CharField(source="org_unit.name", read_only=True)

    class Meta:
        model = ResourceItem
        fields = ["id", "kind", "serial", "network", "business", "model", "state", "org_unit", "unit_name", "agent",
                  "agent_code", "settled", "state_changed_at"]
        read_only_fields = fields


class PickupLineSerializer(serializers.ModelSerializer):
    serial = serializers.CharField(source="item.serial", read_only=True)
    item_state = serializers.CharField(source="item.state", read_only=True)
    settled = serializers.BooleanField(source="item.settled", read_only=True)

    class Meta:
        model = PickupLine
        fields = ["id", "item", "serial", "item_state", "settled", "fee", "original_fee", "status", "closed_at"]
        read_only_fields = fields


class PickupOrderSerializer(serializers.ModelSerializer):
    agent_code = serializers.CharField(source="agent.code", read_only=True)

    class Meta:
        model = PickupOrder
        fields = ["id", "order_no", "agent", "agent_code", "org_unit", "kind", "mode", "first_serial", "last_serial",
                  "count", "amount", "method", "status", "transaction", "note", "created_at", "cancelled_at"]
        read_only_fields = fields


class SelectionSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ResourceKind.choices)
    first = serializers.CharField(max_length=24, required=False, allow_blank=True, default="")
    last = serializers.CharField(max_length=24, required=False, allow_blank=True, default="")
    serials = serializers.ListField(child=serializers.CharField(max_length=24), required=False, default=list,
                                    help_text=_("A list of serials instead of a range."))


class PickupCreateSerializer(SelectionSerializer):
    agent = serializers.PrimaryKeyRelatedField(queryset=Agent.objects.all())
    unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all())
    method = serializers.ChoiceField(choices=PayMethod.choices, default=PayMethod.TRANSFER)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class PickupCancelSerializer(serializers.Serializer):
    settled = serializers.BooleanField(default=False, help_text=_("Whether the data queried is settled."))
    method = serializers.ChoiceField(choices=PayMethod.choices, default=PayMethod.TRANSFER)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ReturnSerializer(SelectionSerializer):
    agent = serializers.PrimaryKeyRelatedField(queryset=Agent.objects.all())
    method = serializers.ChoiceField(choices=PayMethod.choices, default=PayMethod.TRANSFER)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ReturnResultSerializer(serializers.Serializer):
    operation = serializers.UUIDField()
    count = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    agent = serializers.IntegerField(source="agent.pk")


class AgentTransferSerializer(serializers.ModelSerializer):
    class Meta:
        model = AgentTransfer
        fields = ["id", "source_agent", "target_agent", "org_unit", "count", "amount", "method", "transaction", "note",
                  "created_at"]
        read_only_fields = fields


class AgentTransferCreateSerializer(SelectionSerializer):
    source = serializers.PrimaryKeyRelatedField(queryset=Agent.objects.all())
    target = serializers.PrimaryKeyRelatedField(queryset=Agent.objects.all())
    method = serializers.ChoiceField(choices=PayMethod.choices, default=PayMethod.TRANSFER)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class FeeAdjustmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = FeeAdjustment
        fields = ["id", "agent", "org_unit", "order", "count", "new_fee", "old_total", "new_total", "method",
                  "transaction", "reason", "created_at"]
        read_only_fields = fields


class FeeAdjustmentCreateSerializer(serializers.Serializer):
    agent = serializers.PrimaryKeyRelatedField(queryset=Agent.objects.all())
    order = serializers.PrimaryKeyRelatedField(queryset=PickupOrder.objects.all(), required=False, allow_null=True)
    kind = serializers.ChoiceField(choices=ResourceKind.choices, required=False)
    first = serializers.CharField(max_length=24, required=False, allow_blank=True, default="")
    last = serializers.CharField(max_length=24, required=False, allow_blank=True, default="")
    serials = serializers.ListField(child=serializers.CharField(max_length=24), required=False, default=list)
    new_fee = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0)
    method = serializers.ChoiceField(choices=PayMethod.choices, default=PayMethod.TRANSFER)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ResourceStockInSerializer(SelectionSerializer):
    unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all())
    network = serializers.ChoiceField(choices=Network.choices, default=Network.GSM)
    business = serializers.ChoiceField(choices=Business.choices, default=Business.MOBILE)
    model = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ResourceStockMoveSerializer(SelectionSerializer):
    operation = serializers.ChoiceField(choices=[("out", "out"), ("transfer", "transfer"), ("return", "return")])
    from_unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all())
    to_unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all(), required=False, allow_null=True)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ResourceStockResultSerializer(serializers.Serializer):
    operation = serializers.UUIDField()
    kind = serializers.CharField()
    count = serializers.IntegerField()
    unit = serializers.IntegerField(source="unit.pk")
    to_unit = serializers.IntegerField(source="to_unit.pk", default=None)


class MovementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Movement
        fields = ["id", "operation", "kind", "item", "item_kind", "serial", "from_unit", "to_unit", "from_agent",
                  "to_agent", "order", "reference", "actor", "at"]
        read_only_fields = fields
