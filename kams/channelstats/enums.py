"""Enums of channel evaluation (渠道评估, CH-10)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ScoringMethod(models.TextChoices):
    LINEAR = "linear", _("Linear between floor and target")  # 线性: 底线 0 分, 目标 100 分
    RANK = "rank", _("By rank among the agents")  # 按排名


class ManualKind(models.TextChoices):
    """Indicator values entered by hand (or imported) per agent and month."""

    SATISFACTION = "satisfaction", _("Service satisfaction")  # 服务满意度
    OTHER = "other", _("Other indicator")  # 其他考核指标


class ExportFormat(models.TextChoices):
    XLSX = "xlsx", _("Excel")
    JSON = "json", _("JSON")
    CSV = "csv", _("CSV")
