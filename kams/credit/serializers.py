from rest_framework import serializers

from kams.credit.enums import CreditGrade
from kams.credit.models import AccountCredit, CreditChange, CreditStandard, InitialGradeRule


class AccountCreditSerializer(serializers.ModelSerializer):
    account_no = serializers.CharField(source="account.account_no", read_only=True)
    account_name = serializers.CharField(source="account.name", read_only=True)
    customer = serializers.IntegerField(source="account.customer_id", read_only=True)
    customer_name = serializers.CharField(source="account.customer.name", read_only=True)
    assessed_by = serializers.IntegerField(source="assessed_by_id", read_only=True, allow_null=True)

    class Meta:
        model = AccountCredit
        fields = [
            "id", "account", "account_no", "account_name", "customer", "customer_name", "grade", "limit",
            "limit_is_custom", "source", "reason", "assessed_at", "assessed_by", "assessor_name", "changed_at",
        ]
        read_only_fields = fields


class CreditSetSerializer(serializers.Serializer):
    grade = serializers.ChoiceField(choices=CreditGrade.choices)
    limit = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True, min_value=0)
    # Whether a reason is needed is the service's rule: it answers credit.reason_required.
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class CreditChangeSerializer(serializers.ModelSerializer):
    account_no = serializers.CharField(source="account.account_no", read_only=True)
    customer = serializers.IntegerField(source="account.customer_id", read_only=True)
    assessor = serializers.IntegerField(source="assessor_id", read_only=True, allow_null=True)
    assessor_staff = serializers.IntegerField(source="assessor_staff_id", read_only=True, allow_null=True)
    run = serializers.IntegerField(source="run_id", read_only=True, allow_null=True)

    class Meta:
        model = CreditChange
        fields = [
            "id", "account", "account_no", "customer", "old_grade", "new_grade", "old_limit", "new_limit", "source",
            "reason", "basis", "assessor", "assessor_staff", "assessor_name", "at", "run",
        ]
        read_only_fields = fields


class CreditStandardSerializer(serializers.ModelSerializer):
    class Meta:
        model = CreditStandard
        fields = [
            "id", "grade", "credit_limit", "window_months", "min_arrears_months", "min_arrears_amount",
            "min_late_payments", "description", "updated_at",
        ]
        read_only_fields = ["id", "grade", "updated_at"]


class CreditStandardWriteSerializer(serializers.ModelSerializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    class Meta:
        model = CreditStandard
        fields = [
            "credit_limit", "window_months", "min_arrears_months", "min_arrears_amount", "min_late_payments",
            "description", "reason",
        ]


class InitialGradeRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = InitialGradeRule
        fields = ["id", "priority", "customer_type", "max_level_rank", "grade", "note", "is_active"]
        read_only_fields = ["id"]
        # Uniqueness of the priority is the service's to answer (credit: a translated 409).
        extra_kwargs = {"priority": {"validators": []}}


class CreditExportSerializer(serializers.ModelSerializer):
    """One line of the credit-control feed (docs/formats/credit-export.md)."""

    account_no = serializers.CharField(source="account.account_no", read_only=True)

    class Meta:
        model = AccountCredit
        fields = ["account_no", "grade", "limit", "assessed_at", "changed_at"]
        read_only_fields = fields
