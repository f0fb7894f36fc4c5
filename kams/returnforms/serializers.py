from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kams.channels.models import Agent
from kams.customers.enums import Business, CertificateType
from kams.org.models import Staff
from kams.returnforms.models import FormEntry, Handover, HandoverLine


class HandoverLineSerializer(serializers.ModelSerializer):
    state = serializers.CharField(source="item.state", read_only=True)

    class Meta:
        model = HandoverLine
        fields = ["msisdn", "subscriber_name", "state"]
        read_only_fields = fields


class HandoverSerializer(serializers.ModelSerializer):
    agent_code = serializers.CharField(source="agent.code", read_only=True)
    agent_name = serializers.CharField(source="agent.name", read_only=True)
    received_by_name = serializers.CharField(source="received_by.name", read_only=True, default=None)

    class Meta:
        model = Handover
        fields = ["id", "number", "agent", "agent_code", "agent_name", "org_unit", "received_by", "received_by_name",
                  "handed_at", "item_count", "note", "created_at"]
        read_only_fields = fields


class HandoverDetailSerializer(HandoverSerializer):
    lines = HandoverLineSerializer(many=True, read_only=True)

    class Meta(HandoverSerializer.Meta):
        fields = [*HandoverSerializer.Meta.fields, "lines"]
        read_only_fields = fields


class HandoverLineWriteSerializer(serializers.Serializer):
    msisdn = serializers.CharField(max_length=20)
    subscriber_name = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")


class HandoverCreateSerializer(serializers.Serializer):
    agent = serializers.PrimaryKeyRelatedField(queryset=Agent.objects.all())
    received_by = serializers.PrimaryKeyRelatedField(queryset=Staff.objects.all(), required=False, allow_null=True)
    handed_at = serializers.DateTimeField(required=False, allow_null=True, help_text=_("Empty: now."))
    lines = HandoverLineWriteSerializer(many=True, required=False)
    numbers = serializers.CharField(required=False, allow_blank=True, default="",
                                    help_text=_("Instead of lines: numbers one per line (with names) or ranges."))
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class FormEntrySerializer(serializers.ModelSerializer):
    agent_code = serializers.CharField(source="agent.code", read_only=True)
    customer_code = serializers.CharField(source="customer.code", read_only=True)
    handover_number = serializers.CharField(source="handover.number", read_only=True, default=None)

    class Meta:
        model = FormEntry
        fields = ["id", "msisdn", "agent", "agent_code", "subscriber_name", "certificate_type", "contact_phone",
                  "package", "business", "activated_on", "customer", "customer_code", "member", "subscriber",
                  "handover", "handover_number", "reference_at", "entered_at"]
        read_only_fields = fields


class FormEntryCreateSerializer(serializers.Serializer):
    agent = serializers.PrimaryKeyRelatedField(queryset=Agent.objects.all())
    msisdn = serializers.CharField(max_length=20)
    subscriber_name = serializers.CharField(max_length=60)
    certificate_type = serializers.ChoiceField(choices=CertificateType.choices, default=CertificateType.ID_CARD)
    certificate_no = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    contact_phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    package = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    business = serializers.ChoiceField(choices=Business.choices, required=False, default="", allow_blank=True,
                                       help_text="Empty: the number's own line of business.")
    activated_on = serializers.DateField()
    customer = serializers.CharField(max_length=24, required=False, allow_blank=True, default="",
                                     help_text=_("An existing customer number; empty: a new individual customer."))
