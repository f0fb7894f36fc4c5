"""Credit enums (CUS-08): the three lists of 信用度管理 and where a grade came from."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CreditGrade(models.TextChoices):
    """信用等级: red list (good), grey list (fair), black list (poor)."""

    RED = "red", _("Red list")  # 红名单 — 信用度好
    GREY = "grey", _("Grey list")  # 灰名单 — 信用度一般
    BLACK = "black", _("Black list")  # 黑名单 — 信用度差


# Worst first: the automatic re-grading gives an account the first grade whose standard it
# meets, and red (meeting no other standard) last.
GRADES_WORST_FIRST = (CreditGrade.BLACK, CreditGrade.GREY, CreditGrade.RED)
# A better grade never gets a lower credit limit than a worse one.
GRADES_BEST_FIRST = tuple(reversed(GRADES_WORST_FIRST))

GRADE_BADGES = {
    CreditGrade.RED: "text-bg-danger",
    CreditGrade.GREY: "text-bg-secondary",
    CreditGrade.BLACK: "text-bg-dark",
}
GRADE_COLOURS = {CreditGrade.RED: "#c0392b", CreditGrade.GREY: "#95a5a6", CreditGrade.BLACK: "#2c3e50"}


class CreditSource(models.TextChoices):
    """How a grade or limit was set."""

    INITIAL = "initial", _("Initial rule")  # 初始信用等级 — before activation, by rule
    MANUAL = "manual", _("Set by hand")  # 人工设定与变更
    AUTOMATIC = "automatic", _("Automatic re-grading")  # from payment history and arrears
    STANDARD = "standard", _("Standard changed")  # the grade's credit limit was changed
