"""Customer enums (CUS-01, CUS-02, CUS-14)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CustomerType(models.TextChoices):
    GROUP = "group", _("Group customer")  # 集团客户
    HIGH_END = "high_end", _("Individual high-end customer")  # 个人高端客户
    KEY_INDIVIDUAL = "key_individual", _("Individual key customer")  # 个人重点客户


class CustomerStatus(models.TextChoices):
    POTENTIAL = "potential", _("Potential")  # 潜在客户
    CURRENT = "current", _("Current")  # 现有客户
    HISTORICAL = "historical", _("Historical")  # 历史客户


class CertificateType(models.TextChoices):
    CREDIT_CODE = "credit_code", _("Unified social credit code")  # 统一社会信用代码
    BUSINESS_LICENCE = "licence", _("Business licence")  # 营业执照
    ID_CARD = "id_card", _("Resident ID card")  # 居民身份证
    PASSPORT = "passport", _("Passport")
    OTHER = "other", _("Other")


class Business(models.TextChoices):
    """Lines of business of seed 004 客户营业业务资料."""

    MOBILE = "mobile", pgettext_lazy("business", "Mobile")
    DATA = "data", _("Data")
    VOIP = "voip", _("VoIP")
    LONG_DISTANCE = "long_distance", _("Long distance")
    LOCAL = "local", _("Local calls")
    LEASED_LINE = "leased_line", _("Leased line")
    INTERNET = "internet", _("Internet")


class AccountStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CANCELLED = "cancelled", _("Cancelled")


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    BANK = "bank", _("Bank collection")  # 银行托收
    PREPAID = "prepaid", _("Prepaid")


class ContactRole(models.TextChoices):
    CONTACT = "contact", _("Contact")
    DECISION_MAKER = "decision_maker", _("Decision maker")  # 决策人
    KEY_EMPLOYEE = "key_employee", _("Key internal employee")  # 内部重要员工
    IT_MANAGER = "it_manager", _("Communications / IT manager")  # 通信负责人
    FINANCE = "finance", _("Finance contact")


class RelationKind(models.TextChoices):
    """CUS-14: organisation, household and group-membership relations."""

    PARENT_OF = "parent_of", _("Parent organisation of")
    HOUSEHOLD = "household", _("Same household as")
    MEMBER_OF = "member_of", _("Group member of")
    RELATED = "related", _("Related company of")


class AttributeKind(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", pgettext_lazy("attribute kind", "Number")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Choice")


class ContractState(models.TextChoices):
    """合同状态: draft → in approval → active → expired / terminated."""

    DRAFT = "draft", _("Draft")
    APPROVING = "approving", _("In approval")
    ACTIVE = "active", _("In force")
    EXPIRED = "expired", _("Expired")
    TERMINATED = "terminated", _("Terminated")


CONTRACT_MOVES: dict[str, tuple[str, ...]] = {
    ContractState.DRAFT: (ContractState.APPROVING, ContractState.TERMINATED),
    ContractState.APPROVING: (ContractState.ACTIVE, ContractState.DRAFT, ContractState.TERMINATED),
    ContractState.ACTIVE: (ContractState.TERMINATED, ContractState.EXPIRED),
    ContractState.EXPIRED: (),
    ContractState.TERMINATED: (),
}


class ContractType(models.TextChoices):
    SERVICE = "service", _("Service agreement")  # 业务服务协议
    FRAMEWORK = "framework", _("Framework agreement")  # 框架协议
    LEASED_LINE = "leased_line", _("Leased line contract")  # 专线租用合同
    PROJECT = "project", _("Engineering project contract")  # 工程项目合同
    DISCOUNT = "discount", _("Preferential agreement")  # 优惠协议


class PreferenceKind(models.TextChoices):
    PERCENT = "percent", _("Discount rate (%)")  # 折扣比例
    AMOUNT = "amount", _("Monthly reduction (yuan)")  # 每月减免金额


class PreferenceState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ApprovalLevel(models.TextChoices):
    """Who may approve a preferential policy: the smallest unit whose limit covers it."""

    DISTRICT = "district", _("District")
    CITY = "city", _("City")
    PROVINCE = "province", _("Province")


class CareKind(models.TextChoices):
    TRAINING = "training", _("Customer training")  # 客户培训
    FEEDBACK = "feedback", _("Customer feedback")  # 客户反馈
