"""Channel enums (渠道管理)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AgentCategory(models.TextChoices):
    AGENT = "agent", _("Agent")  # 代理商
    DISTRIBUTOR = "distributor", _("Distributor")  # 分销商


class AgentLevel(models.TextChoices):
    """渠道级别 (CH-04)."""

    NATIONAL = "national", _("National (cross-province)")  # 全国性(跨省)
    PROVINCIAL = "provincial", _("Provincial")  # 省级
    CITY = "city", _("City")  # 地市级


class AgentStatus(models.TextChoices):
    APPLIED = "applied", pgettext_lazy("agent status", "Applied")  # 申请中
    REGISTERED = "registered", pgettext_lazy("agent status", "Registered")  # 注册
    DEREGISTERED = "deregistered", _("Deregistered")  # 注销


class SubAccountKind(models.TextChoices):
    """An agent's sub-accounts (子帐户, CH-02)."""

    DEPOSIT = "deposit", _("Deposit")  # 保证金
    PREPAYMENT = "prepayment", _("Prepayment")  # 预存费
    REBATE = "rebate", _("Rebate")  # 返利
    OVERDRAFT = "overdraft", _("Overdraft")  # 透支

    @classmethod
    def payable(cls) -> tuple[str, ...]:
        """Sub-accounts an agent may pay into (交费)."""
        return (cls.DEPOSIT, cls.PREPAYMENT)

    @classmethod
    def withdrawable(cls) -> tuple[str, ...]:
        """Sub-accounts an agent may draw cash from (提取现金)."""
        return (cls.REBATE, cls.PREPAYMENT)


class HouseAccountKind(models.TextChoices):
    """The operator's own accounts, the other side of every agent entry."""

    CASH = "cash", _("Cash and bank")  # 现金/银行
    RESOURCE_SALES = "resource_sales", _("Resource pickup fees")  # 资源领用收入
    COMMISSION = "commission", _("Commission and revenue share")  # 佣金及分成支出
    ADJUSTMENT = "adjustment", _("Rewards and fines")  # 奖励与罚款


class TransactionKind(models.TextChoices):
    PAYMENT = "payment", _("Payment")  # 交费
    WITHDRAWAL = "withdrawal", _("Cash withdrawal")  # 提现
    PICKUP = "pickup", _("Resource pickup")  # 资源领取
    PICKUP_REFUND = "pickup_refund", _("Pickup refund")  # 领取取消/回退退费
    RESOURCE_TRANSFER = "resource_transfer", _("Resource transfer between agents")  # 资源调库
    FEE_ADJUSTMENT = "fee_adjustment", _("Pickup fee adjustment")  # 领用费用调整
    PAYOUT = "payout", _("Settlement payout")  # 结算返利
    SUPPLEMENT = "supplement", _("Supplementary payment")  # 补发
    RECOVERY = "recovery", _("Recovery")  # 补收


class PayMethod(models.TextChoices):
    """提现 (cash across the counter) or 转账 (through the agent's account, with write-off history)."""

    CASH = "cash", _("Cash")
    TRANSFER = "transfer", _("Account transfer")


class Authority(models.TextChoices):
    SELL = "sell", _("Sell")  # 代销售
    SERVE = "serve", _("Serve")  # 代服务


class LevelChangeKind(models.TextChoices):
    REGISTRATION = "registration", _("Registration")
    REGRADE = "regrade", _("Periodic re-grading")  # 定期重新审定
    MANUAL = "manual", _("Manual change")


class PickupScope(models.TextChoices):
    """Which agents may pick up from a marketing department's stock (CH-03)."""

    OWN = "own", _("Agents of this marketing department only")  # 只允许本市场部下的代理商
    FIRST_LEVEL = "first_level", _("Agents under the same first-level marketing department")  # 同一级市场部
    CITY = "city", _("All agents of the city")  # 地市下所有代理商


class SubscriberStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CANCELLED = "cancelled", _("Left the network")  # 离网
