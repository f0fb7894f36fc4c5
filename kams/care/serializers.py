from rest_framework import serializers

from kams.care.enums import CareKind, Satisfaction
from kams.care.models import CareAction, CareProposal, CareRule, Gift, GiftMove, GiftStock, Visit, VisitPlan
from kams.customers.models import Contact, Customer, Level
from kams.org.models import OrgUnit, Staff


class VisitPlanSerializer(serializers.ModelSerializer):
    visits_total = serializers.IntegerField(read_only=True)
    visits_done = serializers.IntegerField(read_only=True)
    visits_stopped = serializers.IntegerField(read_only=True)
    job = serializers.SerializerMethodField()

    class Meta:
        model = VisitPlan
        fields = [
            "id", "name", "purpose", "method", "org_unit", "owner", "state", "due_on", "days_since_visit", "min_level",
            "region", "account_manager", "customer_type", "skip_open", "customer_count", "created_at", "approved_at",
            "visits_total", "visits_done", "visits_stopped", "job",
        ]
        read_only_fields = fields

    def get_job(self, plan) -> dict | None:
        job = plan.job
        return {"id": job.pk, "state": job.state, "done": job.progress_done, "total": job.progress_total} if job else None


class VisitPlanWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    purpose = serializers.CharField(required=False, allow_blank=True)
    method = serializers.ChoiceField(choices=VisitPlan._meta.get_field("method").choices, required=False)
    due_on = serializers.DateField()
    org_unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all(), required=False)
    days_since_visit = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    min_level = serializers.PrimaryKeyRelatedField(queryset=Level.objects.all(), required=False, allow_null=True)
    region = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all(), required=False, allow_null=True)
    account_manager = serializers.PrimaryKeyRelatedField(queryset=Staff.objects.all(), required=False, allow_null=True)
    customer_type = serializers.ChoiceField(choices=Customer._meta.get_field("customer_type").choices, required=False, allow_blank=True)
    skip_open = serializers.BooleanField(required=False)


class VisitCandidateSerializer(serializers.ModelSerializer):
    last_visit = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = Customer
        fields = ["id", "code", "name", "org_unit", "account_manager", "level", "last_visit"]
        read_only_fields = fields


class VisitSerializer(serializers.ModelSerializer):
    case_number = serializers.CharField(source="case.number", read_only=True)
    status = serializers.CharField(source="case.status", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    satisfaction = serializers.SerializerMethodField()

    class Meta:
        model = Visit
        fields = ["id", "plan", "case", "case_number", "status", "customer", "customer_name", "org_unit", "manager", "due_at",
                  "postponements", "satisfaction", "created_at"]
        read_only_fields = fields

    def get_satisfaction(self, visit) -> str | None:
        return visit.case.data.get("satisfaction")


class CareReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, allow_blank=True, default="")


class VisitPostponeSerializer(CareReasonSerializer):
    due_on = serializers.DateField()


class VisitReassignSerializer(CareReasonSerializer):
    to = serializers.PrimaryKeyRelatedField(queryset=Staff.objects.all())


class QuickItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case = serializers.IntegerField(source="case_id")
    case_number = serializers.CharField(source="case.number")
    customer = serializers.IntegerField(source="case.customer_id")
    customer_name = serializers.CharField(source="case.customer.name")
    step = serializers.CharField()
    step_name = serializers.CharField()
    deadline = serializers.DateTimeField()
    assignee = serializers.IntegerField(source="assignee_id", allow_null=True)


class QuickResultSerializer(serializers.Serializer):
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices, required=False, allow_null=True)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    when = serializers.DateTimeField(required=False, allow_null=True, help_text="The appointment time (a step without satisfaction).")


class GiftSerializer(serializers.ModelSerializer):
    class Meta:
        model = Gift
        fields = ["id", "code", "name", "unit_label", "reference_cost", "is_active", "note"]


class GiftStockSerializer(serializers.ModelSerializer):
    gift_name = serializers.CharField(source="gift.name", read_only=True)

    class Meta:
        model = GiftStock
        fields = ["id", "gift", "gift_name", "org_unit", "quantity", "value", "updated_at"]
        read_only_fields = fields


class StockInSerializer(serializers.Serializer):
    gift = serializers.PrimaryKeyRelatedField(queryset=Gift.objects.all())
    org_unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all())
    quantity = serializers.IntegerField(min_value=1)
    unit_cost = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0, required=False, allow_null=True)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class TransferSerializer(serializers.Serializer):
    gift = serializers.PrimaryKeyRelatedField(queryset=Gift.objects.all())
    from_unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all())
    to_unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all())
    quantity = serializers.IntegerField(min_value=1)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class GiftMoveSerializer(serializers.ModelSerializer):
    class Meta:
        model = GiftMove
        fields = ["id", "gift", "org_unit", "kind", "quantity", "unit_cost", "balance_after", "counterpart", "action", "note",
                  "actor_name", "at"]
        read_only_fields = fields


class CareRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = CareRule
        fields = ["id", "name", "kind", "festival_month", "festival_day", "festival_date", "days_ahead", "min_level",
                  "customer_type", "action_text", "gift", "gift_quantity", "is_active"]


class CareProposalSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)

    class Meta:
        model = CareProposal
        fields = ["id", "rule", "customer", "customer_name", "contact", "occasion", "occasion_on", "org_unit", "manager", "state",
                  "action_text", "gift", "gift_quantity", "action", "dismiss_reason", "decided_at", "created_at"]
        read_only_fields = fields


class AcceptSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CareKind.choices, required=False)
    content = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    happened_on = serializers.DateField(required=False, allow_null=True)
    gift = serializers.PrimaryKeyRelatedField(queryset=Gift.objects.all(), required=False, allow_null=True)
    gift_quantity = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    stock_unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all(), required=False, allow_null=True)


class CareActionSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    survey_score = serializers.SerializerMethodField()

    class Meta:
        model = CareAction
        fields = ["id", "customer", "customer_name", "contact", "rule", "kind", "happened_on", "content", "gift", "gift_quantity",
                  "stock_unit", "org_unit", "manager", "survey_score", "created_at"]
        read_only_fields = fields

    def get_survey_score(self, action) -> int | None:
        survey = getattr(action, "survey", None)
        return survey.score if survey else None


class CareActionWriteSerializer(serializers.Serializer):
    customer = serializers.IntegerField(help_text="Customer id (one in your scope).")
    contact = serializers.PrimaryKeyRelatedField(queryset=Contact.objects.all(), required=False, allow_null=True)
    kind = serializers.ChoiceField(choices=CareKind.choices)
    content = serializers.CharField(max_length=500)
    happened_on = serializers.DateField(required=False, allow_null=True)
    gift = serializers.PrimaryKeyRelatedField(queryset=Gift.objects.all(), required=False, allow_null=True)
    gift_quantity = serializers.IntegerField(min_value=0, required=False, default=0)
    stock_unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all(), required=False, allow_null=True)


class SurveySerializer(serializers.Serializer):
    score = serializers.IntegerField()
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
