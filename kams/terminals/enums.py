"""Mobile terminal enums (移动终端管理, PRD-05)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SubsidyKind(models.TextChoices):
    """How a subsidy level (补贴额度) is stated."""

    AMOUNT = "amount", _("Fixed amount")  # 固定金额
    PERCENT = "percent", _("Percentage of list price")  # 按牌价比例


class SaleStatus(models.TextChoices):
    ACTIVE = "active", _("Active")  # 在网承诺期内
    RECOVERED = "recovered", _("Subsidy recovered")  # 补贴已追回


class AnomalyKind(models.TextChoices):
    """窜机窜卡: a subsidised handset or its SIM put to another use."""

    HANDSET_MOVED = "handset_moved", _("Handset moved to another SIM")  # 窜机
    SIM_MOVED = "sim_moved", _("SIM moved to another handset")  # 窜卡


class AnomalyStatus(models.TextChoices):
    OPEN = "open", _("Open")  # 待核查
    CONFIRMED = "confirmed", _("Confirmed")  # 已确认 (补贴追回)
    DISMISSED = "dismissed", _("Dismissed")  # 已排除


class ImportSource(models.TextChoices):
    UPLOAD = "upload", _("File upload")
    API = "api", _("API")
