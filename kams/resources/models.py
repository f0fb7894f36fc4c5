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

from django.db import models
from django.utils.translation import gettext_lazy as _

from kams.customers.enums import Business
from kams.org.scoping import ScopedQuerySet, ScopeSpec
from kams.resources.enums import ItemState, Network, ResourceKind


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
