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
