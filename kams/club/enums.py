"""Choices of the loyalty club (俱乐部, CLUB-*)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Roaming(models.TextChoices):
    """Where a card is honoured (CLUB-01): diamond and emerald nationwide, sapphire in the province."""

    NATIONAL = "national", _("Nationwide")
    PROVINCE = "province", _("Within the province")


class MemberStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")  # 申请入会, awaiting qualification review
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")  # e.g. failed the annual inspection, arrears
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class LevelChangeKind(models.TextChoices):
    ADMISSION = "admission", _("Admission")  # 会员资格审核
    AUTO = "auto", _("Automatic upgrade/downgrade")  # 会员升降级处理
    MANUAL = "manual", _("Manual change")  # 会员级别修改
    INSPECTION = "inspection", _("Annual inspection")  # 会员年检


class CardState(models.TextChoices):
    """会员卡 (CLUB-07): applied → issued → collected → lost → collected (unlocked) or
    replaced; any card but a replaced one may be cancelled."""

    APPLIED = "applied", _("Applied")
    ISSUED = "issued", _("Issued")
    COLLECTED = "collected", _("Collected")
    LOST = "lost", _("Reported lost")
    REPLACED = "replaced", _("Replaced")
    CANCELLED = "cancelled", _("Cancelled")


class PointsKind(models.TextChoices):
    """The sign of a ledger entry follows its kind: earn/reverse +, spend/expire/penalty −,
    adjust either."""

    EARN = "earn", _("Earned")
    PENALTY = "penalty", _("Penalty")
    SPEND = "spend", _("Redeemed")
    REVERSE = "reverse", _("Redemption reversed")
    EXPIRE = "expire", _("Expired")
    ADJUST = "adjust", _("Adjustment")


class PointsCategory(models.TextChoices):
    """积分模型 (CLUB-09): in-network points (通信内积分) and out-of-network points (通信外积分)."""

    CONSUMPTION = "consumption", _("Consumption")  # 通信消费积分, per business of the paid bill
    TENURE = "tenure", _("Tenure reward")  # 在网时长积分
    PUNCTUALITY = "punctuality", _("On-time payment reward")  # 按时缴费积分
    PROMOTION = "promotion", _("Promotion reward")  # 促销
    ACTIVITY = "activity", _("Club activity reward")  # 俱乐部活动
    LATE_PENALTY = "late_penalty", _("Late payment penalty")  # 迟交扣罚
    UNPAID_PENALTY = "unpaid_penalty", _("Unpaid fees penalty")  # 欠交扣罚
    PARTNER = "partner", _("Partner exchange")  # 合作伙伴消费积分互换
    SURVEY = "survey", _("Survey")  # 客户调查
    REFERRAL = "referral", _("Referral")  # 产品推介
    REDEMPTION = "redemption", _("Redemption")
    EXPIRY = "expiry", _("Expiry")
    ADJUSTMENT = "adjustment", _("Manual adjustment")


IN_NETWORK = {
    PointsCategory.CONSUMPTION, PointsCategory.TENURE, PointsCategory.PUNCTUALITY, PointsCategory.PROMOTION,
    PointsCategory.ACTIVITY, PointsCategory.LATE_PENALTY, PointsCategory.UNPAID_PENALTY,
}
OUT_OF_NETWORK = {PointsCategory.PARTNER, PointsCategory.SURVEY, PointsCategory.REFERRAL}
# Categories the monthly run computes from the bills (the others come from events).
RUN_CATEGORIES = (
    PointsCategory.CONSUMPTION, PointsCategory.TENURE, PointsCategory.PUNCTUALITY, PointsCategory.PROMOTION,
    PointsCategory.LATE_PENALTY, PointsCategory.UNPAID_PENALTY,
)
PENALTIES = (PointsCategory.LATE_PENALTY, PointsCategory.UNPAID_PENALTY)


class Issuer(models.TextChoices):
    """HQ-03: headquarters issues rules that provinces execute; a province may add its own."""

    HQ = "hq", _("Headquarters")
    PROVINCE = "province", _("Province")


class RuleState(models.TextChoices):
    ACTIVE = "active", _("In force")
    RETIRED = "retired", _("Retired")


class ExpiryMode(models.TextChoices):
    """积分有效期: points of a lot expire at the end of the month N months after the month
    they were earned in, or at the end of the year N years after."""

    MONTHS = "months", _("End of the month, N months later")
    YEARS = "years", _("End of the year, N years later")


class ItemKind(models.TextChoices):
    """积分消费 (CLUB-14): what points buy."""

    FEE = "fee", _("Phone credit")  # 积分换通信费
    MINUTES = "minutes", _("Free minutes")  # 通话时长
    CONTENT = "content", _("Content service")  # 内容服务
    GOODS = "goods", _("Goods")  # 实物
    PARTNER = "partner", _("Partner service")  # 合作伙伴服务


class ChannelKind(models.TextChoices):
    """Where a redemption comes from: 俱乐部网站, Internet, 短信, POS, 联网终端, 合作伙伴系统."""

    STAFF = "staff", _("Staff desk")
    PORTAL = "portal", _("Member portal")
    SMS = "sms", _("SMS")
    POS = "pos", _("POS terminal")
    TERMINAL = "terminal", _("Networked terminal")
    PARTNER = "partner", _("Partner system")
    HQ = "hq", _("Headquarters (other province)")
    AUTO = "auto", _("Automatic monthly redemption")


class RedemptionState(models.TextChoices):
    DONE = "done", _("Done")
    REVERSED = "reversed", _("Reversed")


class AdjustmentState(models.TextChoices):
    REQUESTED = "requested", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class RunState(models.TextChoices):
    RUNNING = "running", _("Running")
    INTERRUPTED = "interrupted", _("Interrupted")
    DONE = "done", _("Done")


class StatementChannel(models.TextChoices):
    """How a member receives redemption statements (CLUB-18)."""

    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")
    BILL = "bill", _("Line on the monthly bill")
    NONE = "none", _("None")


class DunningState(models.TextChoices):
    """欠费催欠 (CLUB-03): a reviewer marks a member for dunning (人工催欠审核); whoever
    contacts the member records the result (催欠处理)."""

    MARKED = "marked", _("Marked for dunning")
    HANDLED = "handled", _("Handled")


class ContactResult(models.TextChoices):
    """What the member said when contacted about the arrears (催欠处理)."""

    PROMISED = "promised", _("Promised to pay")
    PAID = "paid", _("Has paid")
    DISPUTED = "disputed", _("Disputes the bill")
    UNREACHABLE = "unreachable", _("Could not be reached")
    REFUSED = "refused", _("Refuses to pay")
