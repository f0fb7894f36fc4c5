"""Serializers of the channel API. Write serializers only shape the input: the services check
it, with translated messages."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kams.channels.enums import AgentCategory, AgentLevel, SubAccountKind
from kams.channels.models import (
    Agent,
    AgentAuthorisation,
    AgentLevelChange,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
)
from kams.customers.enums import Business


class AgentAuthorisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = AgentAuthorisation
        fields = ["business", "can_sell", "can_serve", "stock_limit", "granted_at"]


class AgentSerializer(serializers.ModelSerializer):
    org_unit_name = serializers.CharField(source="org_unit.name", read_only=True)
    agent_type_code = serializers.CharField(source="agent_type.code", read_only=True, default=None)
    authorisations = AgentAuthorisationSerializer(many=True, read_only=True)

    class Meta:
        model = Agent
        fields = ["id", "code", "name", "category", "agent_type", "agent_type_code", "level", "status", "org_unit",
                  "org_unit_name", "manager", "legal_person", "licence_no", "contact", "phone", "address", "bank_name",
                  "bank_account", "credit_line", "stock_limit", "credit_score", "registered_on", "deregistered_on",
                  "note", "authorisations", "created_at", "updated_at"]
        read_only_fields = fields


class AgentWriteSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=20)
    name = serializers.CharField(max_length=120)
    org_unit = serializers.IntegerField()
    category = serializers.ChoiceField(choices=AgentCategory.choices, required=False)
    agent_type = serializers.IntegerField(required=False, allow_null=True)
    level = serializers.ChoiceField(choices=AgentLevel.choices, required=False)
    manager = serializers.IntegerField(required=False, allow_null=True)
    legal_person = serializers.CharField(required=False, allow_blank=True)
    licence_no = serializers.CharField(required=False, allow_blank=True)
    contact = serializers.CharField(required=False, allow_blank=True)
    phone = serializers.CharField(required=False, allow_blank=True)
    address = serializers.CharField(required=False, allow_blank=True)
    bank_name = serializers.CharField(required=False, allow_blank=True)
    bank_account = serializers.CharField(required=False, allow_blank=True)
    credit_line = serializers.CharField(required=False, help_text=_("Yuan, such as 5000.00."))
    stock_limit = serializers.CharField(required=False)
    credit_score = serializers.CharField(required=False)
    note = serializers.CharField(required=False, allow_blank=True)
    business_scope = serializers.CharField(required=False, allow_blank=True)


class AgentNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class AgentReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class AgentAuthoriseSerializer(serializers.Serializer):
    business = serializers.ChoiceField(choices=Business.choices)
    can_sell = serializers.BooleanField(default=True)
    can_serve = serializers.BooleanField(default=False)
    stock_limit = serializers.CharField(default="0")


class AgentRevokeSerializer(serializers.Serializer):
    business = serializers.ChoiceField(choices=Business.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class AgentLevelSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=AgentLevel.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class AgentLevelChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = AgentLevelChange
        fields = ["id", "agent", "from_level", "to_level", "kind", "performance_score", "credit_score", "reason",
                  "changed_at"]


class AgentAccountSerializer(serializers.ModelSerializer):
    class Meta:
        model = LedgerAccount
        fields = ["kind", "balance", "updated_at"]


class AgentEntrySerializer(serializers.ModelSerializer):
    sub_account = serializers.CharField(source="account.kind", read_only=True)
    kind = serializers.CharField(source="transaction.kind", read_only=True)
    memo = serializers.CharField(source="transaction.memo", read_only=True)

    class Meta:
        model = LedgerEntry
        fields = ["id", "transaction", "kind", "sub_account", "amount", "balance_after", "memo", "created_at"]


class AgentTransactionSerializer(serializers.ModelSerializer):
    agent_code = serializers.CharField(source="agent.code", read_only=True, default=None)
    entries = serializers.SerializerMethodField()

    class Meta:
        model = LedgerTransaction
        fields = ["id", "kind", "agent", "agent_code", "counterparty", "amount", "method", "reference", "memo",
                  "created_at", "entries"]

    def get_entries(self, obj) -> list[dict]:
        return [{"sub_account": e.account.kind, "agent": e.account.agent_id, "amount": str(e.amount),
                 "balance_after": str(e.balance_after)} for e in obj.entries.all()]


class AgentTransactionWriteSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[("payment", _("Payment")), ("withdrawal", _("Cash withdrawal"))])
    agent = serializers.IntegerField()
    sub_account = serializers.ChoiceField(choices=SubAccountKind.choices)
    amount = serializers.CharField(max_length=30)
    memo = serializers.CharField(required=False, allow_blank=True, default="")
    idempotency_key = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=80)


class AgentStatementAccountSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    opening = serializers.DecimalField(max_digits=14, decimal_places=2)
    credits = serializers.DecimalField(max_digits=14, decimal_places=2)
    debits = serializers.DecimalField(max_digits=14, decimal_places=2)
    closing = serializers.DecimalField(max_digits=14, decimal_places=2)


class AgentStatementSerializer(serializers.Serializer):
    agent = serializers.IntegerField(source="agent.pk")
    start = serializers.DateField()
    end = serializers.DateField()
    accounts = AgentStatementAccountSerializer(many=True)
    entries = AgentEntrySerializer(many=True)
