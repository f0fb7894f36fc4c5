from rest_framework import serializers

from kams.customers.enums import CustomerType
from kams.support.enums import (
    AnswerSatisfaction,
    CheckKind,
    CheckResult,
    ConsultationChannel,
    ConsultationTopic,
    Feasibility,
    LineStatus,
    LineType,
    NoticeKind,
    ResourceKind,
    SubjectKind,
)
from kams.support.models import (
    Consultation,
    CustomerLine,
    CutoverImpact,
    CutoverNotice,
    EmergencyStep,
    LineCheck,
    LineFault,
    ProjectRecord,
    ProjectRecordChange,
    QualityAssessment,
    QualityIndicator,
    QualityScore,
    ServiceClass,
    SolutionTemplate,
    TechnicalSolution,
)

# --- Reads ----------------------------------------------------------------------------------------


class SolutionTemplateSerializer(serializers.ModelSerializer):
    customer_types = serializers.ListField(child=serializers.ChoiceField(choices=CustomerType.choices), read_only=True)
    industries = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = SolutionTemplate
        fields = [
            "id", "number", "version", "is_current", "name", "valid_from", "valid_until", "customer_types", "industries",
            "content", "equipment_notes", "engineering_notes", "change_note", "created_at",
        ]
        read_only_fields = fields


class TechnicalSolutionSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    case_number = serializers.CharField(source="case.number", read_only=True, allow_null=True, default=None)
    template_number = serializers.CharField(source="template.number", read_only=True)

    class Meta:
        model = TechnicalSolution
        fields = [
            "id", "number", "customer", "customer_name", "case", "case_number", "template", "template_number", "title",
            "content", "state", "survey_result", "resources_available", "investment", "expected_monthly_revenue",
            "monthly_cost", "payback_months", "analysed_by", "feasibility", "conclusion", "concluded_at",
            "archive_category", "archived_at", "owner", "created_at", "updated_at",
        ]
        read_only_fields = fields


class ProjectRecordChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProjectRecordChange
        fields = ["revision", "before", "after", "reason", "changed_by", "changed_by_name", "at"]
        read_only_fields = fields


class ProjectRecordSerializer(serializers.ModelSerializer):
    changes = ProjectRecordChangeSerializer(many=True, read_only=True)

    class Meta:
        model = ProjectRecord
        fields = [
            "id", "customer", "case", "solution", "kind", "name", "specification", "quantity", "location", "accepted_on",
            "notes", "is_active", "revision", "updated_at", "changes",
        ]
        read_only_fields = fields


class QualityIndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = QualityIndicator
        fields = ["id", "code", "name", "subject_kind", "weight", "max_score", "description", "order", "is_active"]
        read_only_fields = ["id"]
        extra_kwargs = {"code": {"validators": []}}


class QualityScoreSerializer(serializers.ModelSerializer):
    indicator_code = serializers.CharField(source="indicator.code", read_only=True)

    class Meta:
        model = QualityScore
        fields = ["indicator", "indicator_code", "score", "weight", "max_score"]
        read_only_fields = fields


class QualityAssessmentSerializer(serializers.ModelSerializer):
    scores = QualityScoreSerializer(many=True, read_only=True)

    class Meta:
        model = QualityAssessment
        fields = [
            "id", "subject_kind", "staff", "subject_name", "org_unit", "period", "total", "comment", "assessed_by",
            "assessed_at", "scores",
        ]
        read_only_fields = fields


class ConsultationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Consultation
        fields = [
            "id", "customer", "org_unit", "owner", "channel", "topic", "asked_at", "caller_name", "caller_phone", "content",
            "answer", "answered_by", "answer_satisfaction", "created_at",
        ]
        read_only_fields = fields


class ServiceClassSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceClass
        fields = ["id", "line_type", "code", "availability_pct", "response_minutes", "repair_hours", "activation_days", "description"]
        read_only_fields = ["id", "line_type", "code"]


class CustomerLineSerializer(serializers.ModelSerializer):
    service_class_code = serializers.CharField(source="service_class.code", read_only=True)

    class Meta:
        model = CustomerLine
        fields = [
            "id", "customer", "line_no", "line_type", "service_class", "service_class_code", "bandwidth_mbps", "a_end",
            "z_end", "network_element", "status", "ordered_on", "activated_on", "notes", "updated_at",
        ]
        read_only_fields = fields


class LineCheckSerializer(serializers.ModelSerializer):
    class Meta:
        model = LineCheck
        fields = ["id", "line", "kind", "at", "result", "availability_pct", "latency_ms", "packet_loss_pct", "note", "checked_by"]
        read_only_fields = fields


class LineFaultSerializer(serializers.ModelSerializer):
    """A fault with its SLA measurement (filled by the view from ``selectors.fault_sla``)."""

    line_no = serializers.CharField(source="line.line_no", read_only=True)
    case_number = serializers.CharField(source="case.number", read_only=True)
    service_class = serializers.CharField(source="line.service_class.code", read_only=True)
    sla = serializers.SerializerMethodField()

    class Meta:
        model = LineFault
        fields = ["id", "line", "line_no", "service_class", "case", "case_number", "reported_at", "responded_at", "restored_at", "note", "sla"]
        read_only_fields = fields

    def get_sla(self, fault) -> dict:
        from kams.support.selectors import fault_sla

        s = fault_sla(fault, self.context.get("now"))
        return {
            "responded_at": s.responded_at, "restored_at": s.restored_at, "response_minutes": s.response_minutes,
            "response_limit_minutes": s.response_limit, "repair_hours": str(s.repair_hours), "repair_limit_hours": str(s.repair_limit),
            "response_breach": s.response_breach, "repair_breach": s.repair_breach, "breached": s.breached,
        }


class EmergencyStepSerializer(serializers.ModelSerializer):
    late = serializers.BooleanField(read_only=True)

    class Meta:
        model = EmergencyStep
        fields = ["id", "order", "name", "responsible", "due_at", "done_at", "done_by", "result", "late"]
        read_only_fields = fields


class CutoverNoticeSerializer(serializers.ModelSerializer):
    areas = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    steps = EmergencyStepSerializer(many=True, read_only=True)

    class Meta:
        model = CutoverNotice
        fields = [
            "id", "number", "kind", "title", "network_element", "areas", "starts_at", "ends_at", "impact", "state",
            "org_unit", "created_by", "created_at", "notified_at", "closed_at", "summary", "steps",
        ]
        read_only_fields = fields


class CutoverImpactSerializer(serializers.ModelSerializer):
    notice_number = serializers.CharField(source="notice.number", read_only=True)

    class Meta:
        model = CutoverImpact
        fields = [
            "id", "notice", "notice_number", "customer", "reason", "lines", "contact_name", "notified_at", "messages_sent",
            "acknowledged_at", "acknowledged_by", "ack_note",
        ]
        read_only_fields = fields


# --- Writes (validated shapes; the services judge the content) -----------------------------------


class TemplateWriteSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=30)
    name = serializers.CharField(max_length=120)
    valid_from = serializers.DateField()
    valid_until = serializers.DateField(required=False, allow_null=True, default=None)
    customer_types = serializers.ListField(child=serializers.ChoiceField(choices=CustomerType.choices), required=False, default=list)
    industries = serializers.ListField(child=serializers.SlugField(), required=False, default=list, help_text="Industry codes.")
    content = serializers.CharField()
    equipment_notes = serializers.CharField(required=False, allow_blank=True, default="")
    engineering_notes = serializers.CharField(required=False, allow_blank=True, default="")


class TemplateReviseSerializer(serializers.Serializer):
    change_note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    name = serializers.CharField(max_length=120, required=False)
    valid_from = serializers.DateField(required=False)
    valid_until = serializers.DateField(required=False, allow_null=True)
    customer_types = serializers.ListField(child=serializers.ChoiceField(choices=CustomerType.choices), required=False)
    industries = serializers.ListField(child=serializers.SlugField(), required=False)
    content = serializers.CharField(required=False)
    equipment_notes = serializers.CharField(required=False, allow_blank=True)
    engineering_notes = serializers.CharField(required=False, allow_blank=True)


class SolutionCreateSerializer(serializers.Serializer):
    customer = serializers.IntegerField()
    template = serializers.IntegerField()
    case = serializers.CharField(max_length=24, required=False, allow_blank=True, default="", help_text="Case number.")
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class SolutionSurveySerializer(serializers.Serializer):
    survey_result = serializers.CharField(allow_blank=True)
    resources_available = serializers.BooleanField()


class AnalysisSerializer(serializers.Serializer):
    investment = serializers.DecimalField(max_digits=14, decimal_places=2)
    expected_monthly_revenue = serializers.DecimalField(max_digits=14, decimal_places=2)
    monthly_cost = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, default=0)


class ConcludeSerializer(serializers.Serializer):
    feasibility = serializers.ChoiceField(choices=Feasibility.choices)
    conclusion = serializers.CharField(allow_blank=True)


class ArchiveSerializer(serializers.Serializer):
    category = serializers.CharField(max_length=60, allow_blank=True)


class RecordCreateSerializer(serializers.Serializer):
    customer = serializers.IntegerField()
    case = serializers.CharField(max_length=24, required=False, allow_blank=True, default="", help_text="Case number.")
    solution = serializers.IntegerField(required=False, allow_null=True, default=None)
    kind = serializers.ChoiceField(choices=ResourceKind.choices)
    name = serializers.CharField(max_length=120, allow_blank=True)
    specification = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    quantity = serializers.IntegerField(min_value=1, required=False, default=1)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    accepted_on = serializers.DateField(required=False, allow_null=True, default=None)
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class RecordChangeSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, allow_blank=True)
    kind = serializers.ChoiceField(choices=ResourceKind.choices, required=False)
    name = serializers.CharField(max_length=120, required=False)
    specification = serializers.CharField(max_length=200, required=False, allow_blank=True)
    quantity = serializers.IntegerField(min_value=1, required=False)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True)
    accepted_on = serializers.DateField(required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)


class AssessmentCreateSerializer(serializers.Serializer):
    subject_kind = serializers.ChoiceField(choices=SubjectKind.choices)
    period = serializers.DateField(help_text="Any day of the month assessed.")
    staff = serializers.IntegerField(required=False, allow_null=True, default=None)
    subject_name = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    org_unit = serializers.IntegerField(required=False, allow_null=True, default=None)
    scores = serializers.DictField(child=serializers.DecimalField(max_digits=6, decimal_places=2), help_text="Indicator code → score.")
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ConsultationCreateSerializer(serializers.Serializer):
    customer = serializers.IntegerField(required=False, allow_null=True, default=None)
    channel = serializers.ChoiceField(choices=ConsultationChannel.choices)
    topic = serializers.ChoiceField(choices=ConsultationTopic.choices, required=False, default=ConsultationTopic.OTHER)
    asked_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    caller_name = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    caller_phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    content = serializers.CharField(allow_blank=True)
    answer = serializers.CharField(required=False, allow_blank=True, default="")
    answer_satisfaction = serializers.ChoiceField(choices=AnswerSatisfaction.choices, required=False, allow_blank=True, default="")


class ConsultationAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(allow_blank=True)
    answer_satisfaction = serializers.ChoiceField(choices=AnswerSatisfaction.choices, required=False, allow_blank=True, default="")


class ServiceClassWriteSerializer(serializers.Serializer):
    availability_pct = serializers.DecimalField(max_digits=6, decimal_places=3, required=False)
    response_minutes = serializers.IntegerField(required=False)
    repair_hours = serializers.DecimalField(max_digits=6, decimal_places=2, required=False)
    activation_days = serializers.IntegerField(required=False)
    description = serializers.CharField(max_length=300, required=False, allow_blank=True)


class LineCreateSerializer(serializers.Serializer):
    customer = serializers.IntegerField()
    line_no = serializers.CharField(max_length=40)
    line_type = serializers.ChoiceField(choices=LineType.choices)
    service_class = serializers.IntegerField()
    bandwidth_mbps = serializers.IntegerField(min_value=1)
    a_end = serializers.CharField(max_length=200, allow_blank=True)
    z_end = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    network_element = serializers.CharField(max_length=80, allow_blank=True)
    status = serializers.ChoiceField(choices=LineStatus.choices, required=False, default=LineStatus.PLANNED)
    ordered_on = serializers.DateField(required=False, allow_null=True, default=None)
    activated_on = serializers.DateField(required=False, allow_null=True, default=None)
    notes = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class LineCheckCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CheckKind.choices)
    result = serializers.ChoiceField(choices=CheckResult.choices)
    at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    availability_pct = serializers.DecimalField(max_digits=6, decimal_places=3, required=False, allow_null=True, default=None)
    latency_ms = serializers.DecimalField(max_digits=8, decimal_places=2, required=False, allow_null=True, default=None)
    packet_loss_pct = serializers.DecimalField(max_digits=6, decimal_places=3, required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class FaultLinkSerializer(serializers.Serializer):
    case = serializers.CharField(max_length=24, help_text="Number of a level-1 or level-2 fault case.")
    responded_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    restored_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class FaultTimesSerializer(serializers.Serializer):
    responded_at = serializers.DateTimeField(allow_null=True)
    restored_at = serializers.DateTimeField(allow_null=True)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class StepWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120, allow_blank=True)
    responsible = serializers.IntegerField(help_text="Staff id.")
    due_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class NoticeCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=NoticeKind.choices, required=False, default=NoticeKind.CUTOVER)
    title = serializers.CharField(max_length=200, allow_blank=True)
    network_element = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
    areas = serializers.ListField(child=serializers.IntegerField(), required=False, default=list, help_text="Org unit ids.")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    impact = serializers.CharField(allow_blank=True)
    steps = StepWriteSerializer(many=True, required=False, default=list)


class StepDoneSerializer(serializers.Serializer):
    result = serializers.CharField(max_length=500, allow_blank=True)


class TextSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, help_text="Summary or reason.")


class AckSerializer(serializers.Serializer):
    acknowledged_by = serializers.CharField(max_length=60, allow_blank=True)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class SendResultSerializer(serializers.Serializer):
    customers = serializers.IntegerField()
    messages = serializers.IntegerField()
    without_contact = serializers.IntegerField()


class CountSerializer(serializers.Serializer):
    added = serializers.IntegerField()
