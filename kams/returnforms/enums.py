"""Return-form enums (返单, CH-08/CH-09)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EntryBatchStatus(models.TextChoices):
    """How a file of return forms ended: all lines entered, or none (all-or-nothing)."""

    DONE = "done", _("Entered")  # 已录入
    REFUSED = "refused", _("Refused")  # 有错误，未录入
