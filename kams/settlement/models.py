"""Channel settlement (结算, CH-11 … CH-16).

Configuration: settlement variables (结算变量, their SQL is owned by ``variables.py``, their
authorised scope by :class:`SettlementVariable`), business settlement schemes (业务结算方案,
versioned: a change makes a new :class:`SchemeVersion`), composite schemes (综合结算方案, one
business scheme per business type) and each agent's primary and fallback composite scheme.

Runs: an :class:`Extraction` copies the subscribers of a billing period with their bills
(用户信息提取); a :class:`SettlementRun` computes user-level lines (用户结算帐单) and one
:class:`AgentBill` per agent (代理商结算帐单), recording the scheme versions it used. Adjustments
(rewards, fines, 补发, 补收) and the payout (返利) go through ``kams.channels.ledger``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kams.customers.enums import Business
from kams.org.scoping import ScopedQuerySet, ScopeSpec
from kams.settlement.enums import AdjustmentKind, BillState, LineKind, RunKind, RunState, SchemeKind

MONEY = {"max_digits": 14, "decimal_places": 2}


class SettlementVariable(models.Model):
    """The authorised scope of one variable of the registry (结算变量只能在它被授权的使用范围内被使用).
    Empty lists mean no restriction."""

    name = models.CharField(_("variable"), max_length=40, unique=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    businesses = models.JSONField(_("business types"), default=list, blank=True)
    units = models.ManyToManyField("org.OrgUnit", blank=True, related_name="+", verbose_name=_("org units"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("settlement variable")
        verbose_name_plural = _("settlement variables")

    def __str__(self) -> str:
        return self.name


class BusinessScheme(models.Model):
    """业务结算方案: the identity; the terms are in its versions."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=80)
    business = models.CharField(_("business"), max_length=20, choices=Business.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("business settlement scheme")
        verbose_name_plural = _("business settlement schemes")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def current(self) -> "SchemeVersion | None":
        return self.versions.order_by("-version").first()


class SchemeVersion(models.Model):
    """One version of a business scheme's terms (never changed once saved).

    ``commission``: each new subscriber (activated in the period) meeting ``condition`` earns the
    amount of the step of its rank among the agent's qualifying subscribers (阶梯: ``steps`` =
    ``[{"from": 1, "amount": "50.00"}, {"from": 11, "amount": "60.00"}]``).
    ``revenue_share``: ``rate`` % of ``base`` (a fee expression) for subscribers in their first
    ``months`` months on the network meeting ``condition``."""

    scheme = models.ForeignKey(BusinessScheme, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField(_("version"))
    kind = models.CharField(_("kind"), max_length=14, choices=SchemeKind.choices)
    condition = models.TextField(_("condition"), blank=True, help_text=_("A CEL expression; empty: every subscriber."))
    base = models.TextField(_("base"), blank=True, help_text=_("Revenue share: the fee expression shared."))
    rate = models.DecimalField(_("rate (%)"), max_digits=6, decimal_places=3, null=True, blank=True)
    months = models.PositiveSmallIntegerField(_("months"), null=True, blank=True)
    steps = models.JSONField(_("steps"), default=list, blank=True)
    units = models.ManyToManyField("org.OrgUnit", blank=True, related_name="+", verbose_name=_("org units"))
    agent_types = models.ManyToManyField("channels.AgentType", blank=True, related_name="+",
                                         verbose_name=_("agent types"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["scheme", "-version"]
        constraints = [models.UniqueConstraint(fields=["scheme", "version"], name="settlement_version_once")]
        verbose_name = _("scheme version")
        verbose_name_plural = _("scheme versions")

    def __str__(self) -> str:
        return f"{self.scheme.code} v{self.version}"


class CompositeScheme(models.Model):
    """综合结算方案: one business scheme per business type."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=80)
    schemes = models.ManyToManyField(BusinessScheme, related_name="composites", verbose_name=_("business schemes"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("composite settlement scheme")
        verbose_name_plural = _("composite settlement schemes")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class AgentScheme(models.Model):
    """An agent's primary composite scheme (with its validity) and fallback (替代方案)."""

    agent = models.OneToOneField("channels.Agent", on_delete=models.PROTECT, related_name="settlement_scheme")
    primary = models.ForeignKey(CompositeScheme, on_delete=models.PROTECT, related_name="+", verbose_name=_("primary"))
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    fallback = models.ForeignKey(CompositeScheme, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("fallback"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="agent__org_unit", owner="agent__manager")

    class Meta:
        ordering = ["agent__code"]
        verbose_name = _("agent settlement scheme")
        verbose_name_plural = _("agent settlement schemes")

    def __str__(self) -> str:
        return str(self.agent)

    def composite_for(self, period) -> CompositeScheme | None:
        """The primary applies to a period whose first day lies within its validity; otherwise the
        fallback (None: no scheme)."""
        if (self.valid_from is None or self.valid_from <= period) and (
                self.valid_until is None or period <= self.valid_until):
            return self.primary
        return self.fallback


class Extraction(models.Model):
    """用户信息提取: the subscribers of one agent or a marketing department with their bills."""

    period = models.DateField(_("period"))
    number = models.PositiveIntegerField(_("extraction number"))
    org_unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("marketing department"))
    agent = models.ForeignKey("channels.Agent", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name=_("agent"))
    row_count = models.PositiveIntegerField(_("subscribers"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="org_unit")

    class Meta:
        ordering = ["-period", "-number"]
        constraints = [models.UniqueConstraint(fields=["period", "number"], name="settlement_extraction_number")]
        verbose_name = _("extraction")
        verbose_name_plural = _("extractions")

    def __str__(self) -> str:
        return f"{self.period:%Y-%m} #{self.number}"


class ExtractionRow(models.Model):
    extraction = models.ForeignKey(Extraction, on_delete=models.CASCADE, related_name="rows")
    agent = models.ForeignKey("channels.Agent", on_delete=models.PROTECT, related_name="+")
    subscriber = models.ForeignKey("channels.AgentSubscriber", on_delete=models.PROTECT, related_name="+")
    org_unit_id_copy = models.BigIntegerField()
    agent_type = models.CharField(max_length=30, blank=True)
    agent_level = models.CharField(max_length=12)
    msisdn = models.CharField(_("number"), max_length=20)
    business = models.CharField(_("business"), max_length=20)
    package = models.CharField(_("package"), max_length=40, blank=True)
    activated_on = models.DateField(_("activation date"))
    reference_at = models.DateTimeField()
    status = models.CharField(max_length=10)
    months_on_network = models.IntegerField(_("months on network"))
    is_new = models.BooleanField(_("new"))
    left_in_period = models.BooleanField(_("left in the period"))
    fee_mobile = models.DecimalField(**MONEY)
    fee_data = models.DecimalField(**MONEY)
    fee_voip = models.DecimalField(**MONEY)
    fee_long_distance = models.DecimalField(**MONEY)
    fee_local = models.DecimalField(**MONEY)
    fee_leased_line = models.DecimalField(**MONEY)
    fee_internet = models.DecimalField(**MONEY)
    total = models.DecimalField(**MONEY)
    paid = models.DecimalField(**MONEY)
    arrears = models.DecimalField(**MONEY)

    class Meta:
        indexes = [models.Index(fields=["extraction", "agent"], name="settlement_row_agent")]


class SettlementRun(models.Model):
    number = models.PositiveIntegerField(_("run number"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=RunKind.choices)
    period = models.DateField(_("period"))
    extraction = models.ForeignKey(Extraction, on_delete=models.PROTECT, related_name="runs")
    org_unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("marketing department"))
    agent = models.ForeignKey("channels.Agent", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name=_("agent"))
    state = models.CharField(_("state"), max_length=10, choices=RunState.choices, default=RunState.RUNNING)
    without_scheme = models.JSONField(_("agents without scheme"), default=list, blank=True)
    total = models.DecimalField(_("total"), default=Decimal("0"), **MONEY)
    job = models.ForeignKey("system.JobRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="org_unit")

    class Meta:
        ordering = ["-number"]
        verbose_name = _("settlement run")
        verbose_name_plural = _("settlement runs")

    def __str__(self) -> str:
        return f"#{self.number} {self.period:%Y-%m}"


class AgentBill(models.Model):
    """代理商结算帐单. ``original`` is set on a re-settlement bill: its lines are adjusting
    entries against the earlier bills of the agent and period."""

    run = models.ForeignKey(SettlementRun, on_delete=models.PROTECT, related_name="bills")
    agent = models.ForeignKey("channels.Agent", on_delete=models.PROTECT, related_name="settlement_bills")
    period = models.DateField(_("period"))
    composite = models.ForeignKey(CompositeScheme, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("composite scheme"))
    versions = models.JSONField(_("scheme versions"), default=list)
    original = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("re-settlement of"))
    amount = models.DecimalField(_("settled amount"), default=Decimal("0"), **MONEY)
    adjustments = models.DecimalField(_("rewards and fines"), default=Decimal("0"), **MONEY)
    state = models.CharField(_("state"), max_length=8, choices=BillState.choices, default=BillState.OPEN)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    transaction = models.ForeignKey("channels.LedgerTransaction", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="agent__org_unit", owner="agent__manager")

    class Meta:
        ordering = ["-run__number", "agent__code"]
        constraints = [models.UniqueConstraint(fields=["run", "agent"], name="settlement_bill_once_per_run")]
        permissions = [("pay_agentbill", "Can pay out settlement bills")]
        verbose_name = _("agent settlement bill")
        verbose_name_plural = _("agent settlement bills")

    def __str__(self) -> str:
        return f"{self.agent.code} {self.period:%Y-%m} #{self.run.number}"

    @property
    def net(self) -> Decimal:
        return self.amount + self.adjustments


class BillLine(models.Model):
    """用户结算帐单: one line per subscriber and business scheme."""

    bill = models.ForeignKey(AgentBill, on_delete=models.PROTECT, related_name="lines")
    kind = models.CharField(_("kind"), max_length=8, choices=LineKind.choices, default=LineKind.NORMAL)
    msisdn = models.CharField(_("number"), max_length=20)
    scheme = models.ForeignKey(BusinessScheme, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(SchemeVersion, on_delete=models.PROTECT, null=True, related_name="+")
    row = models.ForeignKey(ExtractionRow, on_delete=models.PROTECT, null=True, related_name="+")
    rank = models.IntegerField(_("rank"), null=True)
    base = models.DecimalField(_("base"), **MONEY)
    amount = models.DecimalField(_("amount"), **MONEY)
    original = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["bill", "scheme", "msisdn", "kind"]
        indexes = [models.Index(fields=["bill", "kind"], name="settlement_line_bill")]


class BillAdjustment(models.Model):
    """额外奖励 / 罚款 before the payout; 补发 / 补收 after it (with their ledger transaction)."""

    bill = models.ForeignKey(AgentBill, on_delete=models.PROTECT, related_name="adjustment_lines")
    kind = models.CharField(_("kind"), max_length=10, choices=AdjustmentKind.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    reason = models.CharField(_("reason"), max_length=200)
    transaction = models.ForeignKey("channels.LedgerTransaction", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["bill", "pk"]
        verbose_name = _("bill adjustment")
        verbose_name_plural = _("bill adjustments")
