from django.db import models
from django.utils.translation import gettext_lazy as _

REVISIT = "revisit"  # the process key of a visit (客户回访流程) in kams.service


class PlanState(models.TextChoices):
    """回访计划状态: draft → (approved) running → done, or cancelled."""

    DRAFT = "draft", _("Draft")
    RUNNING = "running", _("Creating visits")
    ACTIVE = "active", _("In progress")
    CANCELLED = "cancelled", _("Plan cancelled")


class VisitMethod(models.TextChoices):
    PHONE = "phone", _("Phone call")
    ON_SITE = "on_site", _("On-site visit")
    SMS = "sms", _("SMS / WeChat")


class Satisfaction(models.TextChoices):
    """回访结果: the customer's satisfaction, best first."""

    SATISFIED = "satisfied", _("Satisfied")  # 满意
    BASIC = "basic", _("Basically satisfied")  # 基本满意
    DISSATISFIED = "dissatisfied", _("Dissatisfied")  # 不满意


SATISFACTION_ZH = {Satisfaction.SATISFIED: "满意", Satisfaction.BASIC: "基本满意", Satisfaction.DISSATISFIED: "不满意"}
SATISFACTION_COLOURS = {Satisfaction.SATISFIED: "#198754", Satisfaction.BASIC: "#ffc107", Satisfaction.DISSATISFIED: "#dc3545"}


class RuleKind(models.TextChoices):
    """关怀规则的种类: what occasion a rule reacts to."""

    BIRTHDAY = "birthday", _("Contact birthday")  # 联系人生日
    FESTIVAL = "festival", _("Festival")  # 节日
    CONTRACT_ANNIVERSARY = "contract", _("Contract anniversary")  # 合同周年
    CUSTOMER_ANNIVERSARY = "customer", _("Customer anniversary")  # 入网周年


class ProposalState(models.TextChoices):
    PROPOSED = "proposed", _("Awaiting decision")
    ACCEPTED = "accepted", _("Accepted")
    DISMISSED = "dismissed", _("Dismissed")
    EXPIRED = "expired", _("Lapsed")


class CareKind(models.TextChoices):
    """关怀方式."""

    GIFT = "gift", _("Gift")  # 赠送礼品
    GREETING = "greeting", _("Greeting")  # 问候与祝福
    VISIT = "visit", _("Visit in person")  # 上门慰问
    OTHER = "other", _("Other")


class MoveKind(models.TextChoices):
    """礼品库存流水的种类."""

    STOCK_IN = "in", _("Stock in")  # 入库
    TRANSFER_OUT = "transfer_out", _("Transfer out")  # 调出
    TRANSFER_IN = "transfer_in", _("Transfer in")  # 调入
    ISSUE = "issue", _("Issued")  # 出库 (赠送)
