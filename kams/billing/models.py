"""Bill summaries and their imports (INT-01, CUS-10, INT-06)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kams.org.scoping import UNSCOPED, ScopedQuerySet, ScopeSpec

MONEY = {"max_digits": 14, "decimal_places": 2, "default": Decimal("0")}

# The fee columns of a bill, one per line of business (seed 004 客户营业业务资料).
FEE_FIELDS = ("fee_mobile", "fee_data", "fee_voip", "fee_long_distance", "fee_local", "fee_leased_line", "fee_internet")


class BillSummary(models.Model):
    """月度帐单汇总 — what one subscriber (or, with no number, one account) was billed for a
    month, by line of business, and what of it was paid.

    ``customer`` is copied from the account at import so that monthly sums per customer and
    scoping need no join through accounts."""

    period = models.DateField(_("period"), help_text=_("The first day of the billed month."))
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="bills")
    account = models.ForeignKey("customers.PayingAccount", on_delete=models.PROTECT, related_name="bills")
    msisdn = models.CharField(_("number"), max_length=20, blank=True)
    fee_mobile = models.DecimalField(pgettext_lazy("fee", "mobile"), **MONEY)
    fee_data = models.DecimalField(_("data"), **MONEY)
    fee_voip = models.DecimalField(_("VoIP"), **MONEY)
    fee_long_distance = models.DecimalField(_("long distance"), **MONEY)
    fee_local = models.DecimalField(_("local calls"), **MONEY)
    fee_leased_line = models.DecimalField(_("leased line"), **MONEY)
    fee_internet = models.DecimalField(_("internet"), **MONEY)
    total = models.DecimalField(pgettext_lazy("amount", "total"), **MONEY)
    paid = models.DecimalField(_("paid"), **MONEY)
    arrears = models.DecimalField(_("arrears"), **MONEY)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    batch = models.ForeignKey("BillImport", on_delete=models.PROTECT, related_name="rows")

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="customer__org_unit", owner="customer__account_manager")

    class Meta:
        ordering = ["-period", "account_id", "msisdn"]
        constraints = [
            models.UniqueConstraint(fields=["period", "account", "msisdn"], name="bill_once_per_period_account_number")
        ]
        indexes = [
            models.Index(fields=["customer", "period"]),
            models.Index(fields=["period", "customer"]),
        ]
        verbose_name = _("bill summary")
        verbose_name_plural = _("bill summaries")


class ImportState(models.TextChoices):
    VALIDATING = "validating", _("Validating")
    REJECTED = "rejected", _("Rejected")
    IMPORTED = "imported", _("Imported")
    FAILED = "failed", _("Failed")


class BillImport(models.Model):
    """One import of a billing file for one period. Importing a period again replaces the
    rows of the earlier import of that period (the earlier one is marked superseded)."""

    period = models.DateField(_("period"))
    file = models.FileField(_("file"), upload_to="billing/imports/%Y/%m/", max_length=300)
    file_name = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(max_length=64)
    state = models.CharField(_("state"), max_length=12, choices=ImportState.choices, default=ImportState.VALIDATING)
    superseded = models.BooleanField(_("superseded"), default=False)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    total = models.DecimalField(_("total billed"), **MONEY)
    paid = models.DecimalField(_("total paid"), **MONEY)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("errors found"), default=0)
    reconciliation = models.JSONField(_("reconciliation"), default=dict, blank=True)
    job = models.ForeignKey("system.JobRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()
    # A province-wide operation of the group-customer department: guarded by permission.
    scope_spec = UNSCOPED

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("billing import")
        verbose_name_plural = _("billing imports")

    def __str__(self) -> str:
        return f"{self.period:%Y-%m} {self.file_name}"
