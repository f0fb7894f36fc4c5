"""Service support (客户服务支撑): what the green channel, quality management, the hotline and the
network side need besides the process engine.

* ``SolutionTemplate`` — 客户服务方案模型 (SVC-01, 销售项目管理): numbered, versioned solution
  models by customer type and industry; a change makes a new version, the old one is kept.
* ``TechnicalSolution`` — 技术方案 made from a template for a green-channel case: resource
  survey, investment analysis (payback computed) and the feasibility conclusion; archived.
* ``ProjectRecord`` / ``ProjectRecordChange`` — 项目资料管理: the equipment, network and service
  resources a customer occupies after acceptance, each change kept as history.
* ``QualityIndicator`` / ``QualityAssessment`` / ``QualityScore`` — 服务质量管理 (SVC-09).
* ``Consultation`` — 咨询记录 (SVC-10).
* ``CutoverNotice`` / ``CutoverImpact`` / ``EmergencyStep`` — 网络割接通知与应急流程 (SVC-11).
* ``ServiceClass`` / ``CustomerLine`` / ``LineFault`` / ``LineCheck`` — 专线 A/B/C 类服务等级 (SVC-14).
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kams.org.scoping import UNSCOPED, ScopedQuerySet, ScopeSpec
from kams.support.enums import (
    AnswerSatisfaction,
    CheckKind,
    CheckResult,
    ConsultationChannel,
    ConsultationTopic,
    Feasibility,
    ImpactReason,
    LineStatus,
    LineType,
    NoticeKind,
    NoticeState,
    ResourceKind,
    ServiceClassCode,
    SolutionState,
    SubjectKind,
)

MONEY = {"max_digits": 14, "decimal_places": 2}
CUSTOMER_SCOPE = ScopeSpec(org="customer__org_unit", owner="customer__account_manager")
LINE_SCOPE = ScopeSpec(org="line__customer__org_unit", owner="line__customer__account_manager")


# --- SVC-01: solution templates, technical solutions, project records ----------------------------


class SolutionTemplate(models.Model):
    """客户服务方案模型: one version of a numbered solution model. Editing adds a version;
    exactly one version per number is current."""

    number = models.CharField(_("template number"), max_length=30, db_index=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    is_current = models.BooleanField(_("current version"), default=True)
    name = models.CharField(_("name"), max_length=120)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    customer_types = models.JSONField(_("customer types"), default=list, blank=True, help_text=_("Empty: every type."))
    industries = models.ManyToManyField("customers.Industry", blank=True, related_name="+", verbose_name=_("industries"))
    content = models.TextField(_("solution content"))
    equipment_notes = models.TextField(_("equipment"), blank=True)
    engineering_notes = models.TextField(_("engineering"), blank=True)
    change_note = models.CharField(_("change note"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = UNSCOPED

    class Meta:
        ordering = ["number", "-version"]
        verbose_name = _("solution template")
        verbose_name_plural = _("solution templates")
        constraints = [
            models.UniqueConstraint(fields=["number", "version"], name="support_template_number_version"),
            models.UniqueConstraint(fields=["number"], condition=Q(is_current=True), name="support_template_one_current"),
        ]

    def __str__(self) -> str:
        return f"{self.number} v{self.version} {self.name}"

    def is_valid_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


class TechnicalSolution(models.Model):
    """技术方案: made from a template for a customer (and its green-channel case), with the
    resource survey, the investment analysis and the feasibility conclusion."""

    number = models.CharField(_("solution number"), max_length=24, unique=True)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="technical_solutions", verbose_name=_("customer"))
    case = models.ForeignKey(
        "service.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="technical_solutions",
        verbose_name=_("case"),
    )
    template = models.ForeignKey(SolutionTemplate, on_delete=models.PROTECT, related_name="solutions", verbose_name=_("template"))
    title = models.CharField(_("title"), max_length=200)
    content = models.TextField(_("solution content"))
    state = models.CharField(_("state"), max_length=10, choices=SolutionState.choices, default=SolutionState.DRAFT)
    # 资源调查
    survey_result = models.TextField(_("resource survey result"), blank=True)
    resources_available = models.BooleanField(_("resources available"), null=True, blank=True)
    # 投资分析 (with finance)
    investment = models.DecimalField(_("investment (yuan)"), null=True, blank=True, **MONEY)
    expected_monthly_revenue = models.DecimalField(_("expected monthly revenue (yuan)"), null=True, blank=True, **MONEY)
    monthly_cost = models.DecimalField(_("monthly operating cost (yuan)"), default=Decimal("0"), **MONEY)
    payback_months = models.DecimalField(
        _("payback period (months)"), max_digits=8, decimal_places=1, null=True, blank=True,
        help_text=_("Investment ÷ (expected monthly revenue − monthly cost); empty when it never pays back."),
    )
    analysed_by = models.ForeignKey("org.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("analysed by"))
    # 可行性分析报告
    feasibility = models.CharField(_("feasibility"), max_length=10, choices=Feasibility.choices, default=Feasibility.PENDING)
    conclusion = models.TextField(_("feasibility report"), blank=True)
    concluded_at = models.DateTimeField(_("concluded at"), null=True, blank=True)
    archive_category = models.CharField(_("archive category"), max_length=60, blank=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    owner = models.ForeignKey("org.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("prepared by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = CUSTOMER_SCOPE

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("technical solution")
        verbose_name_plural = _("technical solutions")
        permissions = [("archive_technicalsolution", _("Can archive technical solutions"))]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


def payback(investment: Decimal | None, monthly_revenue: Decimal | None, monthly_cost: Decimal = Decimal("0")) -> Decimal | None:
    """投资回收期 in months, one decimal: investment over the monthly margin; None when the
    margin is not positive (the project never pays back) or a figure is missing."""
    if investment is None or monthly_revenue is None:
        return None
    margin = monthly_revenue - (monthly_cost or Decimal("0"))
    if margin <= 0:
        return None
    return (Decimal(investment) / margin).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


class ProjectRecord(models.Model):
    """项目资料: one resource a customer occupies after acceptance (equipment, network or
    service), recorded per customer and case."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="project_records", verbose_name=_("customer"))
    case = models.ForeignKey("service.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("case"))
    solution = models.ForeignKey(TechnicalSolution, null=True, blank=True, on_delete=models.PROTECT, related_name="records", verbose_name=_("technical solution"))
    kind = models.CharField(_("resource kind"), max_length=10, choices=ResourceKind.choices)
    name = models.CharField(_("resource"), max_length=120)
    specification = models.CharField(_("specification"), max_length=200, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    location = models.CharField(_("location"), max_length=200, blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("in use"), default=True)
    revision = models.PositiveIntegerField(_("revision"), default=1)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = CUSTOMER_SCOPE

    class Meta:
        ordering = ["customer", "kind", "name"]
        verbose_name = _("project record")
        verbose_name_plural = _("project records")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name}"


class ProjectRecordChange(models.Model):
    """One change of a project record (记录与大客户有关的信息变化情况): before, after, why, who."""

    record = models.ForeignKey(ProjectRecord, on_delete=models.PROTECT, related_name="changes")
    revision = models.PositiveIntegerField(_("revision"))
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    changed_by = models.ForeignKey("org.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("changed by"))
    changed_by_name = models.CharField(_("changed by"), max_length=100)
    at = models.DateTimeField(_("time"))

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="record__customer__org_unit", owner="record__customer__account_manager")

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("project record change")
        verbose_name_plural = _("project record changes")
        constraints = [models.UniqueConstraint(fields=["record", "revision"], name="support_record_revision_once")]


# --- SVC-09: service quality ---------------------------------------------------------------------


class QualityIndicator(models.Model):
    """服务质量考核指标: one scored indicator with its weight; empty subject kind: all kinds."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=60)
    subject_kind = models.CharField(_("applies to"), max_length=20, choices=SubjectKind.choices, blank=True)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    max_score = models.PositiveSmallIntegerField(_("maximum score"), default=100, validators=[MinValueValidator(1)])
    description = models.CharField(_("description"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = UNSCOPED

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("quality indicator")
        verbose_name_plural = _("quality indicators")

    def __str__(self) -> str:
        return self.name


class QualityAssessment(models.Model):
    """服务质量考核: one subject (a person, partner, channel or agent) for one month."""

    subject_kind = models.CharField(_("subject kind"), max_length=20, choices=SubjectKind.choices)
    staff = models.ForeignKey("org.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="quality_assessments", verbose_name=_("staff member"))
    subject_name = models.CharField(_("subject"), max_length=120)
    subject_key = models.CharField(_("subject key"), max_length=140, editable=False)
    org_unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("org unit"))
    period = models.DateField(_("month"), help_text=_("The first day of the month assessed."))
    total = models.DecimalField(_("total score"), max_digits=6, decimal_places=2)
    comment = models.TextField(_("comment"), blank=True)
    assessed_by = models.ForeignKey("org.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("assessed by"))
    assessed_at = models.DateTimeField(_("assessed at"))

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="org_unit", owner="staff")

    class Meta:
        ordering = ["-period", "subject_name"]
        verbose_name = _("quality assessment")
        verbose_name_plural = _("quality assessments")
        constraints = [
            models.UniqueConstraint(fields=["subject_kind", "subject_key", "period"], name="support_assessment_once_a_month"),
        ]
        indexes = [models.Index(fields=["period", "subject_kind"])]

    def __str__(self) -> str:
        return f"{self.subject_name} {self.period:%Y-%m}"


class QualityScore(models.Model):
    assessment = models.ForeignKey(QualityAssessment, on_delete=models.CASCADE, related_name="scores")
    indicator = models.ForeignKey(QualityIndicator, on_delete=models.PROTECT, related_name="+", verbose_name=_("indicator"))
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2, help_text=_("Copied from the indicator when scored."))
    max_score = models.PositiveSmallIntegerField(_("maximum score"))

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="assessment__org_unit", owner="assessment__staff")

    class Meta:
        ordering = ["indicator__order", "indicator__code"]
        constraints = [models.UniqueConstraint(fields=["assessment", "indicator"], name="support_score_once")]


# --- SVC-10: consultations -----------------------------------------------------------------------


class Consultation(models.Model):
    """咨询记录: a question from a customer (or anyone) and its answer."""

    customer = models.ForeignKey("customers.Customer", null=True, blank=True, on_delete=models.PROTECT, related_name="consultations", verbose_name=_("customer"))
    org_unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("org unit"))
    owner = models.ForeignKey("org.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("responsible manager"))
    channel = models.CharField(_("channel"), max_length=10, choices=ConsultationChannel.choices)
    topic = models.CharField(_("topic"), max_length=10, choices=ConsultationTopic.choices, default=ConsultationTopic.OTHER)
    asked_at = models.DateTimeField(_("time"), db_index=True)
    caller_name = models.CharField(_("caller"), max_length=60, blank=True)
    caller_phone = models.CharField(_("caller phone"), max_length=20, blank=True)
    content = models.TextField(_("question"))
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey("org.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("answered by"))
    answer_satisfaction = models.CharField(_("satisfaction with the answer"), max_length=16, choices=AnswerSatisfaction.choices, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="org_unit", owner="owner")

    class Meta:
        ordering = ["-asked_at", "-pk"]
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        indexes = [models.Index(fields=["org_unit", "asked_at"]), models.Index(fields=["customer", "asked_at"])]

    def __str__(self) -> str:
        return f"{self.asked_at:%Y-%m-%d %H:%M} {self.content[:30]}"


# --- SVC-14: private-line service classes ---------------------------------------------------------


class ServiceClass(models.Model):
    """专线服务等级: the SLA figures of one class (A/B/C) for one kind of line."""

    line_type = models.CharField(_("line type"), max_length=12, choices=LineType.choices)
    code = models.CharField(_("class"), max_length=1, choices=ServiceClassCode.choices)
    availability_pct = models.DecimalField(
        _("availability (%)"), max_digits=6, decimal_places=3,
        validators=[MinValueValidator(Decimal("90")), MaxValueValidator(Decimal("100"))],
    )
    response_minutes = models.PositiveIntegerField(_("fault response (minutes)"), validators=[MinValueValidator(1)])
    repair_hours = models.DecimalField(_("repair time (hours)"), max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0.25"))])
    activation_days = models.PositiveIntegerField(_("activation time (working days)"), validators=[MinValueValidator(1)])
    description = models.CharField(_("description"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = UNSCOPED

    class Meta:
        ordering = ["line_type", "code"]
        verbose_name = _("service class")
        verbose_name_plural = _("service classes")
        constraints = [models.UniqueConstraint(fields=["line_type", "code"], name="support_class_per_line_type")]

    def __str__(self) -> str:
        return f"{self.get_line_type_display()} {self.get_code_display()}"

    @property
    def repair_limit(self) -> datetime.timedelta:
        return datetime.timedelta(hours=float(self.repair_hours))

    @property
    def response_limit(self) -> datetime.timedelta:
        return datetime.timedelta(minutes=self.response_minutes)


class CustomerLine(models.Model):
    """A customer's private line, WLAN or broadband access, with its service class."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="lines", verbose_name=_("customer"))
    line_no = models.CharField(_("line number"), max_length=40, unique=True)
    line_type = models.CharField(_("line type"), max_length=12, choices=LineType.choices)
    service_class = models.ForeignKey(ServiceClass, on_delete=models.PROTECT, related_name="lines", verbose_name=_("service class"))
    bandwidth_mbps = models.PositiveIntegerField(_("bandwidth (Mbit/s)"), validators=[MinValueValidator(1)])
    a_end = models.CharField(_("A end"), max_length=200)
    z_end = models.CharField(_("Z end"), max_length=200, blank=True)
    network_element = models.CharField(_("network element"), max_length=80, db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=LineStatus.choices, default=LineStatus.PLANNED)
    ordered_on = models.DateField(_("ordered on"), null=True, blank=True)
    activated_on = models.DateField(_("activated on"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = CUSTOMER_SCOPE

    class Meta:
        ordering = ["customer", "line_no"]
        verbose_name = _("customer line")
        verbose_name_plural = _("customer lines")

    def __str__(self) -> str:
        return f"{self.line_no} ({self.service_class.get_code_display()})"


class LineFault(models.Model):
    """A fault of a line: the link of a level-1/level-2 fault case to the line, with the times
    the SLA is judged on. Response and restoration come from the case (its first completed
    step, its closing) unless maintenance recorded them explicitly."""

    line = models.ForeignKey(CustomerLine, on_delete=models.PROTECT, related_name="faults", verbose_name=_("line"))
    case = models.OneToOneField("service.Case", on_delete=models.PROTECT, related_name="line_fault", verbose_name=_("case"))
    reported_at = models.DateTimeField(_("reported at"))
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    restored_at = models.DateTimeField(_("restored at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    linked_by = models.ForeignKey("org.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = LINE_SCOPE

    class Meta:
        ordering = ["-reported_at", "-pk"]
        verbose_name = _("line fault")
        verbose_name_plural = _("line faults")

    def __str__(self) -> str:
        return f"{self.line.line_no} · {self.case.number}"


class LineCheck(models.Model):
    """开通测试与监控: one activation test or monitoring record of a line."""

    line = models.ForeignKey(CustomerLine, on_delete=models.PROTECT, related_name="checks", verbose_name=_("line"))
    kind = models.CharField(_("kind"), max_length=16, choices=CheckKind.choices)
    at = models.DateTimeField(_("time"))
    result = models.CharField(_("result"), max_length=10, choices=CheckResult.choices)
    availability_pct = models.DecimalField(_("availability (%)"), max_digits=6, decimal_places=3, null=True, blank=True)
    latency_ms = models.DecimalField(_("latency (ms)"), max_digits=8, decimal_places=2, null=True, blank=True)
    packet_loss_pct = models.DecimalField(_("packet loss (%)"), max_digits=6, decimal_places=3, null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    checked_by = models.ForeignKey("org.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("checked by"))

    objects = ScopedQuerySet.as_manager()
    scope_spec = LINE_SCOPE

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("line check")
        verbose_name_plural = _("line checks")


# --- SVC-11: cut-over notices and the emergency process -------------------------------------------


class CutoverNotice(models.Model):
    """网络割接通知: a planned cut-over or maintenance (or an emergency), the key accounts it
    affects and the emergency steps with the person responsible for each (应急流程)."""

    number = models.CharField(_("notice number"), max_length=24, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=NoticeKind.choices, default=NoticeKind.CUTOVER)
    title = models.CharField(_("title"), max_length=200)
    network_element = models.CharField(_("network element"), max_length=80, blank=True, db_index=True)
    areas = models.ManyToManyField("org.OrgUnit", blank=True, related_name="+", verbose_name=_("affected areas"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    impact = models.TextField(_("impact"))
    state = models.CharField(_("state"), max_length=10, choices=NoticeState.choices, default=NoticeState.DRAFT)
    org_unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("issuing unit"))
    created_by = models.ForeignKey("org.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("issued by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="org_unit")

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("cut-over notice")
        verbose_name_plural = _("cut-over notices")
        permissions = [("send_cutovernotice", _("Can send cut-over notices to customers"))]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.state in (NoticeState.DRAFT, NoticeState.NOTIFIED)


class CutoverImpact(models.Model):
    """One affected key account of a notice: why, whom we told, and their acknowledgement."""

    notice = models.ForeignKey(CutoverNotice, on_delete=models.CASCADE, related_name="impacts")
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer"))
    reason = models.CharField(_("why affected"), max_length=6, choices=ImpactReason.choices)
    lines = models.JSONField(_("affected lines"), default=list, blank=True)
    contact_name = models.CharField(_("contact"), max_length=60, blank=True)
    contact_mobile = models.CharField(_("contact mobile"), max_length=20, blank=True)
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True)
    messages_sent = models.PositiveSmallIntegerField(_("messages"), default=0)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.CharField(_("acknowledged by"), max_length=60, blank=True)
    ack_note = models.CharField(_("acknowledgement note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey("org.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope_spec = CUSTOMER_SCOPE

    class Meta:
        ordering = ["notice", "customer__code"]
        verbose_name = _("affected customer")
        verbose_name_plural = _("affected customers")
        constraints = [models.UniqueConstraint(fields=["notice", "customer"], name="support_impact_once")]

    def __str__(self) -> str:
        return f"{self.notice.number} · {self.customer.name}"


class EmergencyStep(models.Model):
    """应急流程的一个环节: what must be done, by whom, by when; and who did it when (闭环)."""

    notice = models.ForeignKey(CutoverNotice, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("step"), max_length=120)
    responsible = models.ForeignKey("org.Staff", on_delete=models.PROTECT, related_name="+", verbose_name=_("responsible"))
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey("org.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("done by"))
    result = models.CharField(_("result"), max_length=500, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="notice__org_unit")

    class Meta:
        ordering = ["notice", "order", "pk"]
        verbose_name = _("emergency step")
        verbose_name_plural = _("emergency steps")

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"

    @property
    def late(self) -> bool:
        if self.due_at is None:
            return False
        return (self.done_at or timezone.now()) > self.due_at

