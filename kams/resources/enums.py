"""Resource enums (资源管理)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ResourceKind(models.TextChoices):
    NUMBER = "number", _("Number")  # 号码
    SIM = "sim", _("SIM card")  # 卡
    HANDSET = "handset", _("Handset")  # 手机


class Network(models.TextChoices):
    GSM = "gsm", "GSM"
    CDMA = "cdma", "CDMA"


class ItemState(models.TextChoices):
    """Where one item is in its life (CH-07 … CH-09)."""

    IN_STOCK = "in_stock", _("In stock")  # 库存 (at an org unit)
    PICKED_UP = "picked_up", _("Picked up")  # 已领用 (held by an agent)
    HANDED_OVER = "handed_over", _("Form handed over")  # 已返单交接
    ENTERED = "entered", _("Entered")  # 已返单录入 (a subscriber now)
    VOID = "void", _("Void")  # 作废


class FlowOperation(models.TextChoices):
    OUT = "out", _("Stock out to a department")  # 出库
    TRANSFER = "transfer", _("Transfer between units")  # 调库


class PickupMode(models.TextChoices):
    RANGE = "range", _("By number range")  # 按号段
    FILE = "file", _("By imported file")  # 按文件导入


class PickupStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CANCELLED = "cancelled", _("Cancelled")  # 领取取消


class LineStatus(models.TextChoices):
    HELD = "held", _("Held by the agent")
    CANCELLED = "cancelled", _("Pickup cancelled")
    RETURNED = "returned", _("Returned")  # 资源回退
    TRANSFERRED = "transferred", _("Transferred to another agent")  # 资源调库
    CLOSED = "closed", _("Handed over or entered")


class MoveKind(models.TextChoices):
    STOCK_IN = "stock_in", _("Stock in")  # 入库
    OUT = "out", _("Stock out")  # 出库
    TRANSFER = "transfer", _("Unit transfer")  # 调库
    RETURN = "return", _("Return to the unit above")  # 回退
    PICKUP = "pickup", _("Agent pickup")  # 领用
    CANCEL = "cancel", _("Pickup cancelled")  # 领取取消
    AGENT_RETURN = "agent_return", _("Returned by the agent")  # 资源回退
    AGENT_TRANSFER = "agent_transfer", _("Transfer between agents")  # 资源调库
