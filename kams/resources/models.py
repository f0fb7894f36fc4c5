"""Resources (资源): numbers, SIM cards and handsets, one row per item.

``ResourceItem`` is one number (MSISDN), SIM card (ICCID) or handset (IMEI). It sits at an
org unit (``org_unit``, the stock node holding it) and, once picked up, with an agent
(``agent``); its ``state`` says where it is in its life: in stock → picked up → (form handed
over) → entered, or void. Items are kept one row each because every number goes its own
way after pickup (returned, transferred, entered, settled); every operation on many items is
nevertheless one set-based statement (``UPDATE … WHERE serial BETWEEN …``, ``bulk_create``),
never a query per item. ``settled`` marks items whose pickup has entered an agent settlement
(fee adjustments and some returns are refused on settled items, CH-07).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kams.channels.enums import PayMethod
from kams.customers.enums import Business
from kams.org.scoping import UNSCOPED, ScopedQuerySet, ScopeSpec
from kams.resources.enums import (
    FlowOperation,
    ItemState,
    LineStatus,
    MoveKind,
    Network,
    PickupMode,
    PickupStatus,
    ResourceKind,
)


class ResourceItem(models.Model):
    kind = models.CharField(_("kind"), max_length=8, choices=ResourceKind.choices)
    serial = models.CharField(_("serial"), max_length=24, help_text=_("Number, ICCID or IMEI."))
    network = models.CharField(_("network"), max_length=6, choices=Network.choices, default=Network.GSM)
    business = models.CharField(_("business"), max_length=20, choices=Business.choices, default=Business.MOBILE)
    model = models.CharField(_("handset model"), max_length=60, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=ItemState.choices, default=ItemState.IN_STOCK)
    org_unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="resource_items",
                                 verbose_name=_("held by unit"))
    agent = models.ForeignKey("channels.Agent", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="resource_items", verbose_name=_("held by agent"))
    settled = models.BooleanField(_("settled"), default=False)
    last_operation = models.UUIDField(_("last operation"), null=True, blank=True, db_index=True, editable=False)
    state_changed_at = models.DateTimeField(_("state changed at"), auto_now_add=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="org_unit")

    class Meta:
        ordering = ["kind", "serial"]
        constraints = [models.UniqueConstraint(fields=["kind", "serial"], name="resources_item_serial_once")]
        indexes = [
            models.Index(fields=["org_unit", "kind", "state"], name="resources_item_stock"),
            models.Index(fields=["agent", "kind", "state"], name="resources_item_agent"),
            models.Index(fields=["serial"], name="resources_item_serial"),
        ]
        verbose_name = _("resource item")
        verbose_name_plural = _("resource items")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.serial}"


# --- Base configuration (CH-06) -----------------------------------------------------------------


class ResourcePrice(models.Model):
    """资源类型/价格: the pickup fee of one item of a kind, network and business, in force from
    ``valid_from`` until the next price of the same key (or ``valid_to``)."""

    kind = models.CharField(_("kind"), max_length=8, choices=ResourceKind.choices)
    network = models.CharField(_("network"), max_length=6, choices=Network.choices, default=Network.GSM)
    business = models.CharField(_("business"), max_length=20, choices=Business.choices, default=Business.MOBILE)
    price = models.DecimalField(_("pickup fee per item (yuan)"), max_digits=10, decimal_places=2)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = UNSCOPED

    class Meta:
        ordering = ["kind", "network", "business", "-valid_from"]
        constraints = [models.UniqueConstraint(fields=["kind", "network", "business", "valid_from"],
                                               name="resources_price_once_per_day")]
        verbose_name = _("resource price")
        verbose_name_plural = _("resource prices")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.network} {self.business} {self.price}"


class PickupLimit(models.Model):
    """领取限额: the most items of a kind one pickup order may take (0: no limit)."""

    kind = models.CharField(_("kind"), max_length=8, choices=ResourceKind.choices, unique=True)
    max_items = models.PositiveIntegerField(_("most items per pickup"), default=0, help_text=_("0: no limit."))

    objects = ScopedQuerySet.as_manager()
    scope_spec = UNSCOPED

    class Meta:
        ordering = ["kind"]
        verbose_name = _("pickup limit")
        verbose_name_plural = _("pickup limits")


# --- Stock flow (RES-02) ------------------------------------------------------------------------


class StockNode(models.Model):
    """库存流程结构: an org unit that holds stock and its parent in the flow (where returns go)."""

    org_unit = models.OneToOneField("org.OrgUnit", on_delete=models.PROTECT, related_name="stock_node",
                                    verbose_name=_("unit"))
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
                               verbose_name=_("parent in the flow"))
    is_active = models.BooleanField(_("active"), default=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="org_unit")

    class Meta:
        ordering = ["org_unit__path"]
        verbose_name = _("stock node")
        verbose_name_plural = _("stock nodes")

    def __str__(self) -> str:
        return self.org_unit.name


class FlowRule(models.Model):
    """库存流程规则: stock of ``kind`` (empty: every kind) may go from one node to another by the
    operation named (出库 out to a department, 调库 transfer)."""

    from_node = models.ForeignKey(StockNode, on_delete=models.CASCADE, related_name="rules_out",
                                  verbose_name=_("from"))
    to_node = models.ForeignKey(StockNode, on_delete=models.CASCADE, related_name="rules_in", verbose_name=_("to"))
    operation = models.CharField(_("operation"), max_length=10, choices=FlowOperation.choices)
    kind = models.CharField(_("kind"), max_length=8, choices=ResourceKind.choices, blank=True,
                            help_text=_("Empty: every kind."))
    is_active = models.BooleanField(_("active"), default=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="from_node__org_unit")

    class Meta:
        ordering = ["from_node", "to_node", "operation", "kind"]
        constraints = [models.UniqueConstraint(fields=["from_node", "to_node", "operation", "kind"],
                                               name="resources_flow_rule_once")]
        verbose_name = _("flow rule")
        verbose_name_plural = _("flow rules")


# --- Pickups (CH-07) --------------------------------------------------------------------------


class PickupOrder(models.Model):
    """领用单: items one agent took from one marketing department's stock, with the fee paid."""

    order_no = models.CharField(_("order number"), max_length=24, unique=True)
    agent = models.ForeignKey("channels.Agent", on_delete=models.PROTECT, related_name="pickup_orders",
                              verbose_name=_("agent"))
    org_unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="pickup_orders",
                                 verbose_name=_("stock unit"))
    kind = models.CharField(_("kind"), max_length=8, choices=ResourceKind.choices)
    mode = models.CharField(_("pickup mode"), max_length=8, choices=PickupMode.choices)
    first_serial = models.CharField(_("first serial"), max_length=24, blank=True)
    last_serial = models.CharField(_("last serial"), max_length=24, blank=True)
    count = models.PositiveIntegerField(_("items"))
    amount = models.DecimalField(_("fee (yuan)"), max_digits=14, decimal_places=2)
    method = models.CharField(_("payment method"), max_length=10, choices=PayMethod.choices)
    status = models.CharField(_("status"), max_length=10, choices=PickupStatus.choices, default=PickupStatus.ACTIVE)
    transaction = models.ForeignKey("channels.LedgerTransaction", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("account transaction"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="org_unit")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("pickup order")
        verbose_name_plural = _("pickup orders")
        permissions = [
            ("cancel_pickuporder", _("Can cancel pickup orders")),
            ("return_resources", _("Can take back items from agents")),
            ("transfer_resources", _("Can move items between agents")),
            ("adjust_fees", _("Can adjust pickup fees")),
        ]

    def __str__(self) -> str:
        return self.order_no


class AgentTransfer(models.Model):
    """资源调库: items moved from one agent to another, with the money settled between them."""

    source_agent = models.ForeignKey("channels.Agent", on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("from agent"))
    target_agent = models.ForeignKey("channels.Agent", on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("to agent"))
    org_unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("stock unit"))
    count = models.PositiveIntegerField(_("items"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2)
    method = models.CharField(_("payment method"), max_length=10, choices=PayMethod.choices)
    transaction = models.ForeignKey("channels.LedgerTransaction", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="org_unit")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("agent resource transfer")
        verbose_name_plural = _("agent resource transfers")


class PickupLine(models.Model):
    """The fee of one item for the agent holding it: made by a pickup order or a transfer
    between agents. ``fee`` may be adjusted (never deleted); ``original_fee`` stays."""

    order = models.ForeignKey(PickupOrder, on_delete=models.PROTECT, null=True, blank=True, related_name="lines")
    agent_transfer = models.ForeignKey(AgentTransfer, on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="lines")
    item = models.ForeignKey(ResourceItem, on_delete=models.PROTECT, related_name="pickup_lines")
    agent = models.ForeignKey("channels.Agent", on_delete=models.PROTECT, related_name="+")
    org_unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+")
    fee = models.DecimalField(_("fee (yuan)"), max_digits=10, decimal_places=2)
    original_fee = models.DecimalField(_("original fee (yuan)"), max_digits=10, decimal_places=2)
    status = models.CharField(_("status"), max_length=12, choices=LineStatus.choices, default=LineStatus.HELD)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="org_unit")

    class Meta:
        ordering = ["item__serial"]
        constraints = [models.UniqueConstraint(fields=["item"], condition=models.Q(status="held"),
                                               name="resources_line_one_held_per_item")]
        indexes = [models.Index(fields=["order", "status"], name="resources_line_order"),
                   models.Index(fields=["agent", "status"], name="resources_line_agent")]
        verbose_name = _("pickup fee line")
        verbose_name_plural = _("pickup fee lines")


class FeeAdjustment(models.Model):
    """领用费用调整: the fees of some unsettled items set to a new value; the difference refunded
    or charged."""

    agent = models.ForeignKey("channels.Agent", on_delete=models.PROTECT, related_name="+", verbose_name=_("agent"))
    org_unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("stock unit"))
    order = models.ForeignKey(PickupOrder, on_delete=models.PROTECT, null=True, blank=True, related_name="adjustments")
    count = models.PositiveIntegerField(_("items"))
    new_fee = models.DecimalField(_("new fee per item (yuan)"), max_digits=10, decimal_places=2)
    old_total = models.DecimalField(_("old total (yuan)"), max_digits=14, decimal_places=2)
    new_total = models.DecimalField(_("new total (yuan)"), max_digits=14, decimal_places=2)
    method = models.CharField(_("payment method"), max_length=10, choices=PayMethod.choices)
    transaction = models.ForeignKey("channels.LedgerTransaction", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="org_unit")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("pickup fee adjustment")
        verbose_name_plural = _("pickup fee adjustments")

    @property
    def difference(self):
        return self.new_total - self.old_total


# --- The movement ledger (RES-02) ---------------------------------------------------------------


class Movement(models.Model):
    """库存流水: one row per item per move, append-only (a database trigger refuses UPDATE).
    Written set-based by ``INSERT … SELECT`` from the items an operation touched."""

    operation = models.UUIDField(_("operation"), db_index=True)
    kind = models.CharField(_("move"), max_length=14, choices=MoveKind.choices)
    item = models.ForeignKey(ResourceItem, on_delete=models.PROTECT, related_name="movements")
    item_kind = models.CharField(_("kind"), max_length=8, choices=ResourceKind.choices)
    serial = models.CharField(_("serial"), max_length=24)
    from_unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                  verbose_name=_("from unit"))
    to_unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("to unit"))
    from_agent = models.ForeignKey("channels.Agent", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("from agent"))
    to_agent = models.ForeignKey("channels.Agent", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("to agent"))
    order = models.ForeignKey(PickupOrder, on_delete=models.PROTECT, null=True, blank=True, related_name="movements",
                              verbose_name=_("pickup order"))
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("by"))
    at = models.DateTimeField(_("time"), db_index=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="to_unit")

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["item", "at"], name="resources_move_item")]
        verbose_name = _("resource movement")
        verbose_name_plural = _("resource movements")
        permissions = [
            ("stock_in_resources", _("Can take resources into stock")),
            ("move_stock", _("Can move stock between units")),
        ]
