"""Choices of member cards and the card stock (会员卡管理, 会员卡资源管理; CLUB-07, CLUB-08)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BlankState(models.TextChoices):
    """Where a card blank (空白卡) stands: in the stock of a unit, used for a member card,
    voided (damaged, 作废) or missing (found short at a stocktake, 遗失)."""

    IN_STOCK = "in_stock", _("Held in stock")
    USED = "used", _("Used for a card")
    VOID = "void", _("Voided")
    LOST = "lost", _("Missing")


# States a status correction (状态修改) may set; ``used`` only comes with a card.
CORRECTABLE_STATES = (BlankState.IN_STOCK, BlankState.VOID, BlankState.LOST)


class BlankMoveKind(models.TextChoices):
    """One line of the card stock ledger (会员卡资源流水)."""

    STOCK_IN = "stock_in", _("Stock in")  # 入库
    DISTRIBUTE = "distribute", _("Distribution")  # 发放
    TRANSFER = "transfer", _("Transfer")  # 调节
    RETURN = "return", _("Return")  # 退回
    VOID = "void", _("Void")  # 作废
    ISSUE = "issue", _("Card issued")  # 发卡 (会员卡领用)
    CORRECT = "correct", _("Status correction")  # 状态修改
