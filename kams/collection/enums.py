"""States of candidates (CUS-03, SVC-05) and duplicate pairs (CUS-04)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CandidateState(models.TextChoices):
    OPEN = "open", _("Awaiting review")  # 待审核
    ADMITTED = "admitted", _("Admitted")  # 已纳入
    REJECTED = "rejected", _("Rejected")  # 未纳入


class PairState(models.TextChoices):
    OPEN = "open", _("Awaiting review")
    MERGED = "merged", _("Merged")  # 已归并
    DISMISSED = "dismissed", _("Not duplicates")  # 非重复


class MatchReason(models.TextChoices):
    """Why two customers look like one: what the detection found equal or similar."""

    CERTIFICATE = "certificate", _("Same certificate number")
    NAME = "name", _("Similar name")
    PHONE = "phone", _("Same phone")
    ADDRESS = "address", _("Same address")
