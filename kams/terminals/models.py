"""Mobile terminals (移动终端管理, PRD-05).

``HandsetModel`` and ``SubsidyLevel`` (终端补贴额度) are reference data kept by pages: a level
belongs to a handset model and a line of business (optionally a package), is in force from
``valid_from`` to ``valid_to`` and is versioned (a new version closes the one before).

``SubsidisedSale`` binds one subsidised handset, tracked by its IMEI (电子串号, the serial of
a ``kams.resources`` handset item), to the subscriber number it was sold with, the agent who
sold it and the subsidy granted, amortised over the commitment months.

``Observation`` rows come from the network (IMEI seen with a number on a date), loaded in
``ObservationImport`` batches; comparing them against the sales yields ``Anomaly`` flags
(窜机 handset moved to another SIM, 窜卡 SIM moved to another handset), which are reviewed.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kams.customers.enums import Business
from kams.org.scoping import UNSCOPED, ScopedQuerySet, ScopeSpec
from kams.terminals.enums import AnomalyKind, AnomalyStatus, ImportSource, SaleStatus, SubsidyKind

MONEY = {"max_digits": 12, "decimal_places": 2}


class HandsetModel(models.Model):
    """终端机型: brand, model and list price (牌价)."""

    brand = models.CharField(_("brand"), max_length=40)
    model = models.CharField(_("model"), max_length=60)
    list_price = models.DecimalField(_("list price"), **MONEY)
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = UNSCOPED

    class Meta:
        ordering = ["brand", "model"]
        constraints = [models.UniqueConstraint(fields=["brand", "model"], name="terminals_model_once")]
        verbose_name = _("handset model")
        verbose_name_plural = _("handset models")

    def __str__(self) -> str:
        return f"{self.brand} {self.model}"


class SubsidyLevel(models.Model):
    """终端补贴额度: one version of the subsidy of a model for a business (and package)."""

    handset_model = models.ForeignKey(HandsetModel, on_delete=models.PROTECT, related_name="levels",
                                      verbose_name=_("handset model"))
    business = models.CharField(_("business"), max_length=20, choices=Business.choices, default=Business.MOBILE)
    package = models.CharField(_("package"), max_length=40, blank=True,
                               help_text=_("Empty: every package of the business."))
    kind = models.CharField(_("subsidy kind"), max_length=8, choices=SubsidyKind.choices, default=SubsidyKind.AMOUNT)
    value = models.DecimalField(_("amount or percentage"), **MONEY)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = UNSCOPED

    class Meta:
        ordering = ["handset_model", "business", "package", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["handset_model", "business", "package", "version"],
                                    name="terminals_level_version_once"),
        ]
        verbose_name = _("subsidy level")
        verbose_name_plural = _("subsidy levels")

    def __str__(self) -> str:
        return f"{self.handset_model} · {self.get_business_display()} {self.package} v{self.version}"

    def subsidy_for(self, list_price: Decimal) -> Decimal:
        """The subsidy this level grants on ``list_price``, never more than the price."""
        if self.kind == SubsidyKind.PERCENT:
            amount = (list_price * self.value / Decimal(100)).quantize(Decimal("0.01"))
        else:
            amount = self.value
        return min(amount, list_price)


class SubsidisedSale(models.Model):
    """补贴终端销售: IMEI ↔ subscriber number ↔ agent ↔ subsidy."""

    item = models.OneToOneField("resources.ResourceItem", on_delete=models.PROTECT, related_name="subsidised_sale",
                                verbose_name=_("handset item"))
    imei = models.CharField(_("IMEI"), max_length=15, unique=True)
    msisdn = models.CharField(_("subscriber number"), max_length=20, db_index=True)
    agent = models.ForeignKey("channels.Agent", on_delete=models.PROTECT, related_name="subsidised_sales",
                              verbose_name=_("agent"))
    org_unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="subsidised_sales",
                                 verbose_name=_("marketing department"))
    handset_model = models.ForeignKey(HandsetModel, on_delete=models.PROTECT, related_name="sales",
                                      verbose_name=_("handset model"))
    level = models.ForeignKey(SubsidyLevel, on_delete=models.PROTECT, related_name="sales",
                              verbose_name=_("subsidy level"))
    business = models.CharField(_("business"), max_length=20, choices=Business.choices)
    package = models.CharField(_("package"), max_length=40, blank=True)
    list_price = models.DecimalField(_("list price"), **MONEY)
    subsidy_amount = models.DecimalField(_("subsidy"), **MONEY)
    commitment_months = models.PositiveSmallIntegerField(_("commitment months"))
    monthly_amortisation = models.DecimalField(_("amortisation per month"), **MONEY)
    sold_on = models.DateField(_("sold on"))
    status = models.CharField(_("status"), max_length=10, choices=SaleStatus.choices, default=SaleStatus.ACTIVE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="org_unit")

    class Meta:
        ordering = ["-sold_on", "-pk"]
        indexes = [models.Index(fields=["agent", "sold_on"], name="terminals_sale_agent")]
        verbose_name = _("subsidised sale")
        verbose_name_plural = _("subsidised sales")

    def __str__(self) -> str:
        return f"{self.imei} ↔ {self.msisdn}"


class ObservationImport(models.Model):
    """One load of network observations (a file, or one API call)."""

    source = models.CharField(_("source"), max_length=8, choices=ImportSource.choices)
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    file_hash = models.CharField(_("file hash"), max_length=64, null=True, blank=True, unique=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    new_rows = models.PositiveIntegerField(_("new observations"), default=0)
    flags_created = models.PositiveIntegerField(_("flags created"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = UNSCOPED

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("observation import")
        verbose_name_plural = _("observation imports")

    def __str__(self) -> str:
        return self.file_name or f"#{self.pk}"


class Observation(models.Model):
    """The network saw handset ``imei`` with number ``msisdn`` on ``seen_on``. One row per key."""

    batch = models.ForeignKey(ObservationImport, on_delete=models.PROTECT, related_name="observations")
    imei = models.CharField(_("IMEI"), max_length=15)
    msisdn = models.CharField(_("subscriber number"), max_length=20)
    seen_on = models.DateField(_("seen on"))

    objects = ScopedQuerySet.as_manager()
    scope_spec = UNSCOPED

    class Meta:
        constraints = [models.UniqueConstraint(fields=["imei", "msisdn", "seen_on"], name="terminals_observation_once")]
        indexes = [
            models.Index(fields=["batch", "imei"], name="terminals_obs_batch_imei"),
            models.Index(fields=["batch", "msisdn"], name="terminals_obs_batch_msisdn"),
        ]
        verbose_name = _("network observation")
        verbose_name_plural = _("network observations")


class Anomaly(models.Model):
    """窜机窜卡 flag. For 窜机 ``observed_imei`` is the sale's IMEI and ``observed_msisdn`` the
    other number; for 窜卡 ``observed_msisdn`` is the sale's number and ``observed_imei`` the
    other handset."""

    kind = models.CharField(_("kind"), max_length=14, choices=AnomalyKind.choices)
    sale = models.ForeignKey(SubsidisedSale, on_delete=models.PROTECT, related_name="anomalies",
                             verbose_name=_("subsidised sale"))
    agent = models.ForeignKey("channels.Agent", on_delete=models.PROTECT, related_name="terminal_anomalies",
                              verbose_name=_("agent"))
    org_unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="terminal_anomalies",
                                 verbose_name=_("marketing department"))
    imei = models.CharField(_("IMEI"), max_length=15)
    expected_msisdn = models.CharField(_("expected number"), max_length=20)
    observed_imei = models.CharField(_("observed IMEI"), max_length=15)
    observed_msisdn = models.CharField(_("observed number"), max_length=20)
    first_seen = models.DateField(_("first seen"))
    batch = models.ForeignKey(ObservationImport, on_delete=models.PROTECT, related_name="anomalies",
                              verbose_name=_("found by import"))
    status = models.CharField(_("status"), max_length=10, choices=AnomalyStatus.choices, default=AnomalyStatus.OPEN)
    recovery_amount = models.DecimalField(_("subsidy recovered from the agent"), null=True, blank=True, **MONEY)
    review_note = models.CharField(_("review note"), max_length=300, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="org_unit")

    class Meta:
        ordering = ["-first_seen", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["sale", "kind", "observed_imei", "observed_msisdn"],
                                    name="terminals_anomaly_once"),
        ]
        indexes = [models.Index(fields=["agent", "first_seen"], name="terminals_anomaly_agent")]
        permissions = [("review_anomaly", "Can review handset/SIM moved flags")]
        verbose_name = _("handset/SIM moved flag")
        verbose_name_plural = _("handset/SIM moved flags")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.imei}"
