"""Enums of service support (SVC-01 solution templates and project records, SVC-09, SVC-10,
SVC-11, SVC-14)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Feasibility(models.TextChoices):
    """可行性结论 of a technical solution."""

    PENDING = "pending", _("Not concluded")
    FEASIBLE = "feasible", _("Feasible")
    INFEASIBLE = "infeasible", _("Not feasible")  # 项目终止, the customer kept as potential


class SolutionState(models.TextChoices):
    DRAFT = "draft", _("Draft")  # 制定
    CONCLUDED = "concluded", _("Concluded")  # 可行性分析完成
    ARCHIVED = "archived", _("Archived")  # 分类归档


class ResourceKind(models.TextChoices):
    """项目资料: what a project record describes (seed: 设备资源, 网络资源, 业务资源)."""

    EQUIPMENT = "equipment", _("Equipment resource")
    NETWORK = "network", _("Network resource")
    SERVICE = "service", _("Service resource")


class SubjectKind(models.TextChoices):
    """服务质量考核对象: 客户经理、合作伙伴、销售渠道、代理商、客服代表."""

    ACCOUNT_MANAGER = "account_manager", _("Account manager")
    CUSTOMER_REP = "customer_rep", _("Customer representative")
    PARTNER = "partner", _("Partner")
    CHANNEL = "channel", _("Sales channel")
    AGENT = "agent", _("Agent")


PERSON_SUBJECTS = (SubjectKind.ACCOUNT_MANAGER, SubjectKind.CUSTOMER_REP)


class ConsultationChannel(models.TextChoices):
    """咨询途径."""

    HOTLINE_1001 = "1001", _("1001 hotline")
    HOTLINE_10018 = "10018", _("10018 hotline")
    WEBSITE = "web", _("Club website")
    HALL = "hall", _("Business hall")
    MANAGER = "manager", _("Account manager")


class ConsultationTopic(models.TextChoices):
    BILLING = "billing", _("Bills and fees")
    TARIFF = "tariff", _("Tariffs and offers")
    BUSINESS = "business", _("Business and products")
    NETWORK = "network", _("Network and coverage")
    CLUB = "club", _("Club and points")
    OTHER = "other", _("Other")


class AnswerSatisfaction(models.TextChoices):
    """答复满意程度."""

    VERY_SATISFIED = "very_satisfied", _("Very satisfied")
    SATISFIED = "satisfied", _("Satisfied")
    NEUTRAL = "neutral", _("Neutral")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


SATISFIED_VALUES = (AnswerSatisfaction.VERY_SATISFIED, AnswerSatisfaction.SATISFIED)


class LineType(models.TextChoices):
    PRIVATE_LINE = "private_line", _("Group private line")  # 集团专线
    WLAN = "wlan", _("WLAN")
    BROADBAND = "broadband", _("Broadband")


class ServiceClassCode(models.TextChoices):
    A = "A", _("Class A")
    B = "B", _("Class B")
    C = "C", _("Class C")


class LineStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    TESTING = "testing", _("Activation testing")
    ACTIVE = "active", _("In service")
    SUSPENDED = "suspended", _("Suspended")
    CEASED = "ceased", _("Ceased")


class CheckKind(models.TextChoices):
    ACTIVATION_TEST = "activation_test", _("Activation test")  # 开通测试
    MONITORING = "monitoring", _("Monitoring")  # 监控


class CheckResult(models.TextChoices):
    PASSED = "passed", _("Passed / normal")
    DEGRADED = "degraded", _("Degraded")
    FAILED = "failed", _("Failed / down")


class NoticeKind(models.TextChoices):
    CUTOVER = "cutover", _("Network cut-over")  # 网络割接
    MAINTENANCE = "maintenance", _("Planned maintenance")
    EMERGENCY = "emergency", _("Emergency")  # 突发事件


class NoticeState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    NOTIFIED = "notified", _("Customers notified")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class ImpactReason(models.TextChoices):
    AREA = "area", _("Customer in an affected area")
    LINE = "line", _("Private line on the affected element")
    BOTH = "both", _("Area and private line")
