"""Settlement enums (结算, CH-11 … CH-16)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SchemeKind(models.TextChoices):
    COMMISSION = "commission", _("Agent commission")  # 代理佣金
    REVENUE_SHARE = "revenue_share", _("Revenue share")  # 话费分成


class RunKind(models.TextChoices):
    """CH-11: 特别结算, 统一结算, 实时结算, plus the single-agent run (单个分销商结算)."""

    UNIFIED = "unified", _("Unified settlement")  # 统一结算
    SINGLE = "single", _("Single agent settlement")  # 单个分销商结算
    SPECIAL = "special", _("Special settlement")  # 特别结算
    REALTIME = "realtime", _("Real-time settlement")  # 实时结算


class RunState(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")


class BillState(models.TextChoices):
    OPEN = "open", pgettext_lazy("settlement bill", "Open")  # 待支付
    PAID = "paid", pgettext_lazy("settlement bill", "Paid")  # 已支付


class LineKind(models.TextChoices):
    NORMAL = "normal", _("Settlement")  # 结算
    RECALC = "recalc", _("Recalculated (for comparison)")  # 重新结算的计算值
    ADJUST = "adjust", _("Adjusting entry")  # 调整分录


class AdjustmentKind(models.TextChoices):
    REWARD = "reward", _("Extra reward")  # 额外奖励
    FINE = "fine", _("Fine")  # 罚款
    SUPPLEMENT = "supplement", _("Supplementary payment")  # 补发
    RECOVERY = "recovery", _("Recovery")  # 补收
