"""Agents and distributors (代理商/分销商), their accounts and the subscribers they bring in.

The account ledger (代理商帐户, CH-02) is double-entry: every ``LedgerTransaction`` has two
or more ``LedgerEntry`` lines whose amounts add up to zero, one line per account touched. An
account is either one of an agent's four sub-accounts (deposit 保证金, prepayment 预存费,
rebate 返利, overdraft 透支) or one of the operator's house accounts (cash, resource pickup
fees, commission, rewards and fines). Amounts are signed from the account holder's side:
``+`` increases what the agent holds with us (or what a house account has taken in), so
the balances of all accounts together are always zero, and an agent's overdraft
sub-account is zero or negative (what the agent owes, never below its credit line). Entries
are append-only (a database trigger refuses UPDATE and, on PostgreSQL, DELETE); an account's
``balance`` is kept in step with its entries inside the posting transaction, under a row
lock. Only ``kams.channels.ledger`` writes these tables.

``AgentSubscriber`` (代理商发展用户) is a subscriber an agent brought in: created when a
return form is entered (CH-09), with the commission reference time; settlement reads it.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kams.channels.enums import (
    AgentCategory,
    AgentLevel,
    AgentStatus,
    Authority,
    HouseAccountKind,
    LevelChangeKind,
    PayMethod,
    SubAccountKind,
    SubscriberStatus,
    TransactionKind,
)
from kams.customers.enums import Business
from kams.org.scoping import UNSCOPED, ScopedQuerySet, ScopeSpec

MONEY = {"max_digits": 14, "decimal_places": 2}


class AgentType(models.Model):
    """代理商/分销商类型 (CH-06): exclusive shop, partner outlet, retail chain …"""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=60)
    category = models.CharField(_("category"), max_length=12, choices=AgentCategory.choices,
                                default=AgentCategory.AGENT)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = UNSCOPED

    class Meta:
        ordering = ["code"]
        verbose_name = _("agent type")
        verbose_name_plural = _("agent types")

    def __str__(self) -> str:
        return self.name


class Agent(models.Model):
    """代理商/分销商档案 (CH-01). ``org_unit`` is its marketing department (归属市场部)."""

    code = models.CharField(_("agent code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=120, db_index=True)
    category = models.CharField(_("category"), max_length=12, choices=AgentCategory.choices,
                                default=AgentCategory.AGENT)
    agent_type = models.ForeignKey(AgentType, on_delete=models.PROTECT, related_name="agents",
                                   verbose_name=_("agent type"), null=True, blank=True)
    level = models.CharField(_("channel level"), max_length=12, choices=AgentLevel.choices, default=AgentLevel.CITY)
    status = models.CharField(_("status"), max_length=14, choices=AgentStatus.choices,
                              default=AgentStatus.APPLIED, db_index=True)
    org_unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="agents",
                                 verbose_name=_("marketing department"))
    manager = models.ForeignKey("org.Staff", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="managed_agents", verbose_name=_("channel manager"))
    legal_person = models.CharField(_("legal representative"), max_length=40, blank=True)
    licence_no = models.CharField(_("business licence number"), max_length=40, blank=True)
    contact = models.CharField(_("contact person"), max_length=40, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    bank_name = models.CharField(_("bank"), max_length=60, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=40, blank=True)
    credit_line = models.DecimalField(_("credit line (yuan)"), default=Decimal("0"), **MONEY,
                                      help_text=_("The overdraft allowed when picking up resources."))
    stock_limit = models.PositiveIntegerField(_("stock limit"), default=0,
                                              help_text=_("Most resource items the agent may hold at once; 0: no limit."))
    credit_score = models.PositiveSmallIntegerField(_("credit score"), default=80)
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    deregistered_on = models.DateField(_("deregistered on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="org_unit", owner="manager")

    class Meta:
        ordering = ["code"]
        verbose_name = _("agent")
        verbose_name_plural = _("agents")
        permissions = [
            ("register_agent", _("Can register and deregister agents")),
            ("grade_agent", _("Can change agent levels")),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def is_registered(self) -> bool:
        return self.status == AgentStatus.REGISTERED


class AgentAuthorisation(models.Model):
    """代理商授权 (CH-01): what an agent may do for one line of business, and how much stock of
    it it may hold."""

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="authorisations")
    business = models.CharField(_("business"), max_length=20, choices=Business.choices)
    can_sell = models.BooleanField(_("may sell"), default=True)
    can_serve = models.BooleanField(_("may serve"), default=False)
    stock_limit = models.PositiveIntegerField(_("stock limit"), default=0, help_text=_("0: the agent's own limit."))
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="agent__org_unit", owner="agent__manager")

    class Meta:
        ordering = ["agent", "business"]
        constraints = [models.UniqueConstraint(fields=["agent", "business"], name="channels_auth_one_per_business")]
        verbose_name = _("agent authorisation")
        verbose_name_plural = _("agent authorisations")

    def allows(self, authority: str) -> bool:
        return self.can_sell if authority == Authority.SELL else self.can_serve


class AgentLevelChange(models.Model):
    """渠道级别变更: every change of an agent's level, with the figures it was based on."""

    agent = models.ForeignKey(Agent, on_delete=models.PROTECT, related_name="level_changes")
    from_level = models.CharField(_("from level"), max_length=12, choices=AgentLevel.choices, blank=True)
    to_level = models.CharField(_("to level"), max_length=12, choices=AgentLevel.choices)
    kind = models.CharField(_("kind"), max_length=14, choices=LevelChangeKind.choices)
    performance_score = models.DecimalField(_("performance score"), max_digits=7, decimal_places=2, null=True, blank=True)
    credit_score = models.PositiveSmallIntegerField(_("credit score"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="agent__org_unit", owner="agent__manager")

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("agent level change")
        verbose_name_plural = _("agent level changes")


class LedgerAccount(models.Model):
    """One account of the ledger: an agent's sub-account (``agent`` set, ``kind`` one of
    ``SubAccountKind``) or a house account (``agent`` empty, ``kind`` one of
    ``HouseAccountKind``). Never deleted (entries protect it)."""

    agent = models.ForeignKey(Agent, on_delete=models.PROTECT, null=True, blank=True, related_name="accounts")
    kind = models.CharField(_("kind"), max_length=16)
    balance = models.DecimalField(_("balance"), default=Decimal("0"), **MONEY)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="agent__org_unit", owner="agent__manager")

    class Meta:
        ordering = ["agent", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["agent", "kind"], name="channels_account_one_per_kind"),
            models.UniqueConstraint(fields=["kind"], condition=Q(agent__isnull=True), name="channels_house_account_once"),
            models.CheckConstraint(
                condition=Q(agent__isnull=True) | Q(kind=SubAccountKind.OVERDRAFT) | Q(balance__gte=0),
                name="channels_subaccount_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(agent__isnull=True) | ~Q(kind=SubAccountKind.OVERDRAFT) | Q(balance__lte=0),
                name="channels_overdraft_not_positive",
            ),
        ]
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")

    def __str__(self) -> str:
        return f"{self.agent.code if self.agent_id else 'KAMS'}/{self.kind}"

    def get_kind_display(self) -> str:
        labels = dict(SubAccountKind.choices) | dict(HouseAccountKind.choices)
        return str(labels.get(self.kind, self.kind))


class LedgerTransaction(models.Model):
    """One business event on the ledger (交费, 领取, 返利 …): two or more entries adding up to zero.
    ``reference`` makes a posting idempotent: posting the same reference again returns the first."""

    kind = models.CharField(_("kind"), max_length=20, choices=TransactionKind.choices, db_index=True)
    agent = models.ForeignKey(Agent, on_delete=models.PROTECT, null=True, blank=True, related_name="transactions")
    counterparty = models.ForeignKey(Agent, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                     verbose_name=_("other agent"))
    amount = models.DecimalField(_("amount"), **MONEY)
    method = models.CharField(_("method"), max_length=10, choices=PayMethod.choices, default=PayMethod.TRANSFER)
    reference = models.CharField(_("reference"), max_length=80, null=True, blank=True, unique=True)
    source_type = models.CharField(_("source"), max_length=40, blank=True)
    source_id = models.CharField(_("source id"), max_length=40, blank=True)
    memo = models.CharField(_("memo"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="agent__org_unit", owner="agent__manager")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["source_type", "source_id"], name="channels_txn_source")]
        verbose_name = _("account transaction")
        verbose_name_plural = _("account transactions")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"


class LedgerEntry(models.Model):
    """One line of a transaction on one account; append-only."""

    transaction = models.ForeignKey(LedgerTransaction, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="entries")
    amount = models.DecimalField(_("amount"), **MONEY)
    balance_after = models.DecimalField(_("balance after"), **MONEY)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="account__agent__org_unit", owner="account__agent__manager")

    class Meta:
        ordering = ["-pk"]
        indexes = [models.Index(fields=["account", "id"], name="channels_entry_account")]
        verbose_name = _("account entry")
        verbose_name_plural = _("account entries")


class AgentSubscriber(models.Model):
    """代理商发展用户: a subscriber an agent brought in. ``reference_at`` is the commission
    reference time (the handover or the entry time, CH-08/CH-09); ``package`` the tariff
    package code settlement schemes may test."""

    agent = models.ForeignKey(Agent, on_delete=models.PROTECT, related_name="subscribers")
    msisdn = models.CharField(_("number"), max_length=20)
    business = models.CharField(_("business"), max_length=20, choices=Business.choices, default=Business.MOBILE)
    package = models.CharField(_("package"), max_length=40, blank=True)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="agent_subscribers")
    member = models.ForeignKey("customers.Member", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="agent_subscriptions")
    activated_on = models.DateField(_("activation date"))
    reference_at = models.DateTimeField(_("commission reference time"))
    status = models.CharField(_("status"), max_length=10, choices=SubscriberStatus.choices,
                              default=SubscriberStatus.ACTIVE)
    cancelled_on = models.DateField(_("left on"), null=True, blank=True)
    source_type = models.CharField(_("source"), max_length=40, blank=True)
    source_id = models.CharField(_("source id"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="agent__org_unit", owner="agent__manager")

    class Meta:
        ordering = ["-reference_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["msisdn"], condition=Q(status=SubscriberStatus.ACTIVE),
                                    name="channels_subscriber_number_once"),
        ]
        indexes = [models.Index(fields=["agent", "reference_at"], name="channels_subscriber_agent")]
        verbose_name = _("agent subscriber")
        verbose_name_plural = _("agent subscribers")

    def __str__(self) -> str:
        return self.msisdn
