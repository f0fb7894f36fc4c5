"""信用度管理 (CUS-08): credit grades of paying accounts, their standards and their log.

A grade belongs to a paying account (信用度以付费帐户为单位). New accounts get an initial
grade by rule before activation (``InitialGradeRule``); afterwards the grade is set by hand
(with a reason) or re-graded from payment history and arrears against the configurable
``CreditStandard`` of each grade. Every change, whoever or whatever made it, is one row of
the append-only ``CreditChange`` log, naming the assessor.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kams.credit.enums import CreditGrade, CreditSource
from kams.credit.errors import CreditLogIsAppendOnly
from kams.customers.enums import CustomerType
from kams.org.scoping import UNSCOPED, ScopedQuerySet, ScopeSpec

ACCOUNT_SCOPE = ScopeSpec(org="account__customer__org_unit", owner="account__customer__account_manager")
MONEY = {"max_digits": 14, "decimal_places": 2}


class CreditStandard(models.Model):
    """信用评级标准 — what one grade means: its credit limit and the thresholds the automatic
    re-grading judges. Black and grey are met when *any* of their thresholds is reached
    within their window of latest billed months; red is the grade of accounts that meet no
    other standard, so its thresholds stay empty."""

    grade = models.CharField(_("grade"), max_length=8, choices=CreditGrade.choices, unique=True)
    credit_limit = models.DecimalField(
        _("credit limit (yuan)"), validators=[MinValueValidator(Decimal("0"))], **MONEY,
        help_text=_("The amount an account of this grade may owe before credit control stops it."),
    )
    window_months = models.PositiveSmallIntegerField(
        _("months judged"), default=6, validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text=_("The latest billed months the thresholds look at."),
    )
    min_arrears_months = models.PositiveSmallIntegerField(
        _("months in arrears at least"), null=True, blank=True,
        help_text=_("Billed months with overdue arrears; empty: not judged."),
    )
    min_arrears_amount = models.DecimalField(
        _("overdue arrears at least (yuan)"), null=True, blank=True, validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("Empty: not judged."), **MONEY,
    )
    min_late_payments = models.PositiveSmallIntegerField(
        _("late payments at least"), null=True, blank=True,
        help_text=_("Billed months paid after their due date; empty: not judged."),
    )
    description = models.TextField(_("description"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope_spec = UNSCOPED

    class Meta:
        ordering = ["grade"]
        verbose_name = _("credit standard")
        verbose_name_plural = _("credit standards")

    def __str__(self) -> str:
        return str(self.get_grade_display())

    def has_thresholds(self) -> bool:
        return any(v is not None for v in (self.min_arrears_months, self.min_arrears_amount, self.min_late_payments))


class InitialGradeRule(models.Model):
    """初始信用等级规则 — before activation a new account gets the grade of the first active
    rule (lowest priority number) that its customer matches: customer type (empty: any) and
    level at least as high as a rank (1 is the highest; empty: any level, or none)."""

    priority = models.PositiveSmallIntegerField(_("priority"), unique=True, help_text=_("Lower numbers are tried first."))
    customer_type = models.CharField(_("customer type"), max_length=20, choices=CustomerType.choices, blank=True)
    max_level_rank = models.PositiveSmallIntegerField(
        _("level rank at most"), null=True, blank=True, validators=[MinValueValidator(1)],
        help_text=_("1 is the highest level; empty: any level, also none."),
    )
    grade = models.CharField(_("grade"), max_length=8, choices=CreditGrade.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = UNSCOPED

    class Meta:
        ordering = ["priority"]
        verbose_name = _("initial grade rule")
        verbose_name_plural = _("initial grade rules")

    def __str__(self) -> str:
        return f"{self.priority}: {self.get_grade_display()}"

    def matches(self, customer_type: str, level_rank: int | None) -> bool:
        if not self.is_active:
            return False
        if self.customer_type and self.customer_type != customer_type:
            return False
        if self.max_level_rank is not None and (level_rank is None or level_rank > self.max_level_rank):
            return False
        return True


class CreditRun(models.Model):
    """One automatic re-grading (信用度评定): what it judged and what it changed."""

    period = models.DateField(_("judged up to"), null=True, blank=True, help_text=_("The latest billed month judged."))
    evaluated = models.PositiveIntegerField(_("accounts judged"), default=0)
    initial = models.PositiveIntegerField(_("initial grades given"), default=0)
    to_red = models.PositiveIntegerField(_("to red list"), default=0)
    to_grey = models.PositiveIntegerField(_("to grey list"), default=0)
    to_black = models.PositiveIntegerField(_("to black list"), default=0)
    kept_manual = models.PositiveIntegerField(_("recent manual grades kept"), default=0)
    job = models.ForeignKey("system.JobRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope_spec = UNSCOPED

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("credit re-grading")
        verbose_name_plural = _("credit re-gradings")

    @property
    def changed(self) -> int:
        return self.to_red + self.to_grey + self.to_black


class AccountCredit(models.Model):
    """信用度 of one paying account: grade, credit limit and who assessed it when."""

    account = models.OneToOneField("customers.PayingAccount", on_delete=models.PROTECT, related_name="credit")
    grade = models.CharField(_("grade"), max_length=8, choices=CreditGrade.choices, db_index=True)
    limit = models.DecimalField(_("credit limit (yuan)"), validators=[MinValueValidator(Decimal("0"))], **MONEY)
    # A limit set by hand stays when the grade's standard changes; any new grade resets it.
    limit_is_custom = models.BooleanField(_("custom limit"), default=False)
    source = models.CharField(_("source"), max_length=10, choices=CreditSource.choices)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    assessed_at = models.DateTimeField(_("assessed at"))
    assessed_by = models.ForeignKey(
        "org.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("assessed by")
    )
    assessor_name = models.CharField(_("assessor"), max_length=100, blank=True)
    # Moves with every change of grade or limit: what the export's changed_since reads.
    changed_at = models.DateTimeField(_("changed at"), db_index=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = ACCOUNT_SCOPE

    class Meta:
        ordering = ["account__account_no"]
        indexes = [models.Index(fields=["grade", "source"])]
        verbose_name = _("account credit")
        verbose_name_plural = _("account credit")

    def __str__(self) -> str:
        return f"{self.account.account_no} {self.get_grade_display()}"


class CreditChangeQuerySet(ScopedQuerySet):
    def update(self, **kwargs):
        raise CreditLogIsAppendOnly()

    def delete(self):
        raise CreditLogIsAppendOnly()


class CreditChange(models.Model):
    """信用度日志 — one operation on an account's credit, with the assessor and the basis it
    was judged on. Append-only, like the audit log."""

    account = models.ForeignKey("customers.PayingAccount", on_delete=models.PROTECT, related_name="credit_changes")
    old_grade = models.CharField(_("from grade"), max_length=8, choices=CreditGrade.choices, blank=True)
    new_grade = models.CharField(_("to grade"), max_length=8, choices=CreditGrade.choices)
    old_limit = models.DecimalField(_("from limit"), null=True, blank=True, **MONEY)
    new_limit = models.DecimalField(_("to limit"), **MONEY)
    source = models.CharField(_("source"), max_length=10, choices=CreditSource.choices, db_index=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    basis = models.JSONField(_("basis"), default=dict, blank=True, help_text=_("The figures and standard judged."))
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    assessor_staff = models.ForeignKey("org.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Copied, so the entry still reads right after a rename or a move.
    assessor_name = models.CharField(_("assessor"), max_length=100)
    at = models.DateTimeField(_("time"), db_index=True)
    run = models.ForeignKey(CreditRun, null=True, blank=True, on_delete=models.PROTECT, related_name="changes")

    objects = CreditChangeQuerySet.as_manager()
    scope_spec = ACCOUNT_SCOPE

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["account", "at"])]
        constraints = [models.CheckConstraint(condition=~Q(new_grade=""), name="credit_change_has_grade")]
        verbose_name = _("credit change")
        verbose_name_plural = _("credit log")

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise CreditLogIsAppendOnly()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise CreditLogIsAppendOnly()
