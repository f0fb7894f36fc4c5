"""Choices of the club's partners (俱乐部合作伙伴管理, CLUB-19)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PartnerIndustry(models.TextChoices):
    """合作伙伴行业: who the club works with."""

    AIRLINE = "airline", _("Airline")  # 航空公司
    HOTEL = "hotel", _("Hotel")  # 酒店
    BOOKSTORE = "bookstore", _("Bookstore")  # 书店
    PETROL = "petrol", _("Petrol stations")  # 加油站
    DEPARTMENT_STORE = "department_store", _("Department store")  # 百货商场
    RESTAURANT = "restaurant", _("Restaurant")  # 餐饮
    TRAVEL = "travel", _("Travel agency")  # 旅行社
    HEALTH = "health", _("Health care")  # 医疗保健
    OTHER = "other", _("Other")


class PartnerStatus(models.TextChoices):
    ACTIVE = "active", _("Cooperating")  # 合作中
    SUSPENDED = "suspended", _("Suspended")  # 暂停合作
    ENDED = "ended", _("Ended")  # 终止合作


class AgreementState(models.TextChoices):
    """合作协议: a draft is approved by the province director and is then in force until it
    expires (its last day passed, or ended early with a reason)."""

    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("In force")
    EXPIRED = "expired", _("Expired")


class CouponState(models.TextChoices):
    """合作伙伴优惠券: generated available, issued to one member, redeemed once at the partner."""

    AVAILABLE = "available", _("Not issued")
    ISSUED = "issued", _("Issued")
    REDEEMED = "redeemed", _("Redeemed")
    VOID = "void", _("Void")


class Direction(models.TextChoices):
    """积分互换的方向 (seed 004): consumption at the partner earns our points (inbound), or
    our points are spent at the partner (outbound)."""

    INBOUND = "inbound", _("Partner consumption → our points")  # 合作伙伴处消费积分换取联通积分
    OUTBOUND = "outbound", _("Our points spent at the partner")  # 在合作伙伴处使用联通积分消费


class ExchangeSource(models.TextChoices):
    API = "api", _("Partner system")
    STAFF = "staff", _("Recorded by staff")
    IMPORT = "import", _("Monthly file")
    REDEMPTION = "redemption", _("Redemption")


class StatementState(models.TextChoices):
    """合作伙伴结算单: recomputed freely as a draft; confirmed by finance, then fixed (later
    changes become adjustment lines); paid."""

    DRAFT = "draft", _("Draft")
    CONFIRMED = "confirmed", _("Confirmed")
    PAID = "paid", _("Paid")


class LineKind(models.TextChoices):
    COMPUTED = "computed", _("Computed")
    ADJUSTMENT = "adjustment", _("Adjustment")


class PeriodKind(models.TextChoices):
    """考核周期."""

    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")
