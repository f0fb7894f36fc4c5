"""Pages of resources (资源管理): stock overview, items, stock in and flow, configuration,
agents' pickups, cancellations, returns, transfers, fee adjustments and the movement ledger.

Every page reads through scoped selectors; every write goes to one service.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from kams.core.errors import InvalidInput
from kams.resources import forms, selectors, services
from kams.resources.enums import MoveKind, PickupStatus
from kams.resources.filters import ItemFilter, MovementFilter, PickupOrderFilter
from kams.resources.models import Movement, PickupLimit, PickupOrder, ResourceItem, ResourcePrice
from kams.web.exports import xlsx_response
from kams.web.lists import ListPage
from kams.web.pages import ServiceFormPage

# --- Page bases ---------------------------------------------------------------------------------------


class _UserFormPage(ServiceFormPage):
    """A service form that offers only what the user may see (units, stock nodes, agents)."""

    def extra_form_kwargs(self):
        return {"user": self.request.user}


class _ConfigFormPage(ServiceFormPage):
    """A configuration form whose cleaned data are, as they stand, the arguments of ``service``;
    Cancel and success both lead back to the page named ``back_to``."""

    service: Callable[..., Any]
    back_to = ""

    def get_context_data(self, **kwargs):
        kwargs.setdefault("cancel_url", reverse(self.back_to))
        return super().get_context_data(**kwargs)

    def perform(self, form):
        return self.service(actor=self.request.user, **form.cleaned_data)

    def success_url_for(self, obj):
        return reverse(self.back_to)


# --- Stock --------------------------------------------------------------------------------------------


class StockPage(PermissionRequiredMixin, TemplateView):
    """库存总览: items per unit, kind and state, a chart of what is in stock per unit."""

    permission_required = "resources.view_resourceitem"
    template_name = "resources/stock.html"

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx":
            data = selectors.stock_overview(request.user)
            columns = [(_("Unit"), lambda r: r["unit"].name), (_("Kind"), lambda r: r["kind_label"])]
            columns += [(label, (lambda i: lambda r: r["counts"][i])(i)) for i, (_s, label) in enumerate(data["states"])]
            columns.append((_("Total"), lambda r: r["total"]))
            return xlsx_response(rows=data["lines"], columns=columns, filename="resource-stock", sheet=str(_("Stock")))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Resource stock"), **selectors.stock_overview(self.request.user),
                                        **kwargs)


class ItemListPage(ListPage):
    """资源查询: items by serial, kind, state, holder."""

    permission_required = "resources.view_resourceitem"
    model = ResourceItem
    title = _("Resource items")
    filterset_class = ItemFilter
    export_name = "resource-items"
    sort_fields = {"serial": "serial", "changed": "state_changed_at"}
    default_sort = "serial"
    columns = [
        (_("Serial"), lambda i: i.serial),
        (_("Kind"), lambda i: i.get_kind_display()),
        (_("Network"), lambda i: i.get_network_display()),
        (_("Business"), lambda i: i.get_business_display()),
        (_("State"), lambda i: i.get_state_display()),
        (_("Unit"), lambda i: i.org_unit.name),
        (_("Agent"), lambda i: str(i.agent) if i.agent else ""),
        (_("Settled"), lambda i: i.settled),
        (_("State changed at"), lambda i: i.state_changed_at),
    ]
    rows_for = staticmethod(selectors.items_for)
    row_route = "resources:item"


class ItemDetailPage(PermissionRequiredMixin, TemplateView):
    permission_required = "resources.view_resourceitem"
    template_name = "resources/item.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        item = selectors.items_for(user).get_visible(user, pk=self.kwargs["pk"])
        return super().get_context_data(
            title=str(item), item=item,
            movements=list(Movement.objects.filter(item=item).select_related(
                "from_unit", "to_unit", "from_agent", "to_agent", "order", "actor").order_by("at", "pk")),
            lines=list(item.pickup_lines.select_related("order", "agent", "agent_transfer").order_by("pk")),
            **kwargs,
        )


class StockInPage(_UserFormPage):
    permission_required = "resources.stock_in_resources"
    form_class = forms.StockInForm
    title = _("Resources into stock")
    success_message = _("The items were taken into stock.")
    cancel_url = "/resources/"

    def perform(self, form):
        d = form.cleaned_data
        return services.stock_in(actor=self.request.user, unit=d["unit"], sel=form.selection(), network=d["network"],
                                 business=d["business"], model=d["model"], note=d["note"])

    def success_url_for(self, obj):
        return reverse("resources:movements") + f"?kind={MoveKind.STOCK_IN}"


class StockMovePage(_UserFormPage):
    """出库 / 调库 / 回退 between units along the stock flow."""

    permission_required = "resources.move_stock"
    form_class = forms.StockMoveForm
    title = _("Move stock between units")
    success_message = _("The stock was moved.")
    cancel_url = "/resources/"

    def get_initial(self):
        return {"operation": self.request.GET.get("operation", "out")}

    def perform(self, form):
        d = form.cleaned_data
        return services.stock_move(actor=self.request.user, operation=d["operation"], from_unit=d["from_unit"],
                                   to_unit=d["to_unit"], sel=form.selection(), note=d["note"])

    def success_url_for(self, obj):
        return reverse("resources:movements")


# --- Configuration ------------------------------------------------------------------------------------


class ConfigPage(PermissionRequiredMixin, TemplateView):
    """基础配置 (CH-06): prices, pickup limits, pickup modes and the agent types of the channels."""

    permission_required = "resources.view_resourceprice"
    template_name = "resources/config.html"

    def get_context_data(self, **kwargs):
        from kams.channels.models import AgentType
        from kams.resources.enums import PickupMode

        return super().get_context_data(
            title=_("Resource configuration"), prices=ResourcePrice.objects.all(), limits=PickupLimit.objects.all(),
            modes=PickupMode.choices, agent_types=AgentType.objects.all(), **kwargs)


class PriceAddPage(_ConfigFormPage):
    permission_required = "resources.add_resourceprice"
    form_class = forms.PriceForm
    title = _("New resource price")
    success_message = _("The price was saved.")
    service = staticmethod(services.price_add)
    back_to = "resources:config"


class LimitSetPage(_ConfigFormPage):
    permission_required = "resources.change_pickuplimit"
    form_class = forms.LimitForm
    title = _("Pickup limit")
    success_message = _("The limit was saved.")
    service = staticmethod(services.limit_set)
    back_to = "resources:config"


class FlowPage(PermissionRequiredMixin, TemplateView):
    """库存流程: the nodes with their parents, and the rules between them."""

    permission_required = "resources.view_stocknode"
    template_name = "resources/flow.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(title=_("Stock flow"), nodes=selectors.nodes_for(user),
                                        rules=selectors.rules_for(user), **kwargs)


class NodeAddPage(_UserFormPage, _ConfigFormPage):
    permission_required = "resources.add_stocknode"
    form_class = forms.NodeForm
    title = _("Add a unit to the stock flow")
    success_message = _("The unit was added to the stock flow.")
    service = staticmethod(services.node_add)
    back_to = "resources:flow"


class RuleAddPage(_UserFormPage, _ConfigFormPage):
    permission_required = "resources.add_flowrule"
    form_class = forms.RuleForm
    title = _("New flow rule")
    success_message = _("The flow rule was saved.")
    service = staticmethod(services.rule_add)
    back_to = "resources:flow"


class RuleDeleteView(PermissionRequiredMixin, View):
    permission_required = "resources.delete_flowrule"

    def post(self, request, pk):
        rule = selectors.rules_for(request.user).get_visible(request.user, pk=pk)
        services.rule_delete(actor=request.user, rule=rule)
        messages.success(request, gettext("The flow rule was deleted."))
        return redirect("resources:flow")


# --- Pickups ---------------------------------------------------------------------------------


class PickupListPage(ListPage):
    """领用单查询."""

    permission_required = "resources.view_pickuporder"
    model = PickupOrder
    title = _("Pickup orders")
    filterset_class = PickupOrderFilter
    export_name = "pickup-orders"
    template_name = "resources/pickups.html"
    sort_fields = {"created": "created_at", "order": "order_no"}
    default_sort = "-created"
    columns = [
        (_("Order number"), lambda o: o.order_no),
        (_("Agent"), lambda o: str(o.agent)),
        (_("Stock unit"), lambda o: o.org_unit.name),
        (_("Kind"), lambda o: o.get_kind_display()),
        (_("Pickup mode"), lambda o: o.get_mode_display()),
        (_("Items"), lambda o: o.count),
        (_("Fee (yuan)"), lambda o: o.amount),
        (_("Payment method"), lambda o: o.get_method_display()),
        (_("Status"), lambda o: o.get_status_display()),
        (_("Created at"), lambda o: o.created_at),
    ]
    rows_for = staticmethod(selectors.orders_for)
    row_route = "resources:pickup"


class PickupDetailPage(PermissionRequiredMixin, TemplateView):
    permission_required = "resources.view_pickuporder"
    template_name = "resources/pickup.html"
    LINES_SHOWN = 500

    def get_context_data(self, **kwargs):
        user = self.request.user
        order = selectors.orders_for(user).get_visible(user, pk=self.kwargs["pk"])
        lines = order.lines.select_related("item", "agent").order_by("item__serial")
        from kams.audit.selectors import history_of

        return super().get_context_data(
            title=_("Pickup order %(order)s") % {"order": order.order_no}, order=order,
            lines=lines[:self.LINES_SHOWN], line_count=lines.count(), shown=self.LINES_SHOWN,
            may_cancel=order.status == PickupStatus.ACTIVE and user.has_perm("resources.cancel_pickuporder"),
            adjustments=order.adjustments.all(), history=history_of(user, order), **kwargs)


class PickupCreatePage(_UserFormPage):
    """资源领用: by number segment or an imported file."""

    permission_required = "resources.add_pickuporder"
    form_class = forms.PickupForm
    title = _("New pickup order")
    success_message = _("The pickup order was saved.")
    cancel_url = "/resources/pickups/"

    def perform(self, form):
        d = form.cleaned_data
        return services.pickup_create(actor=self.request.user, agent=d["agent"], unit=d["unit"], sel=form.selection(),
                                      method=d["method"], note=d["note"])

    def success_url_for(self, obj):
        return reverse("resources:pickup", args=[obj.pk])


class PickupCancelPage(ServiceFormPage):
    """领取取消: the whole order, while every item is still picked up."""

    permission_required = "resources.cancel_pickuporder"
    form_class = forms.CancelForm
    success_message = _("The pickup order was cancelled and the fee refunded.")

    @cached_property
    def order(self):
        return selectors.orders_for(self.request.user).get_visible(self.request.user, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", _("Cancel pickup order %(order)s") % {"order": self.order.order_no})
        kwargs.setdefault("cancel_url", reverse("resources:pickup", args=[self.order.pk]))
        return super().get_context_data(**kwargs)

    def perform(self, form):
        d = form.cleaned_data
        return services.pickup_cancel(actor=self.request.user, order=self.order, settled=d["data"] == "settled",
                                      method=d["method"], reason=d["reason"])

    def success_url_for(self, obj):
        return reverse("resources:pickup", args=[obj.pk])


class ReturnPage(_UserFormPage):
    """资源回退: single items (or a list) back from an agent."""

    permission_required = "resources.return_resources"
    form_class = forms.ReturnForm
    title = _("Return items from an agent")
    success_message = _("The items were returned and their fees refunded.")
    cancel_url = "/resources/pickups/"

    def perform(self, form):
        d = form.cleaned_data
        return services.resources_return(actor=self.request.user, agent=d["agent"], sel=form.selection(),
                                         method=d["method"], reason=d["reason"])

    def success_url_for(self, obj):
        return reverse("resources:movements") + f"?kind={MoveKind.AGENT_RETURN}"


class AgentTransferPage(_UserFormPage):
    """资源调库: items from one agent to another."""

    permission_required = "resources.transfer_resources"
    form_class = forms.AgentTransferForm
    title = _("Transfer items between agents")
    success_message = _("The items were transferred.")
    cancel_url = "/resources/pickups/"

    def perform(self, form):
        d = form.cleaned_data
        return services.resources_transfer(actor=self.request.user, source=d["source"], target=d["target"],
                                           sel=form.selection(), method=d["method"], note=d["note"])

    def success_url_for(self, obj):
        return reverse("resources:movements") + f"?kind={MoveKind.AGENT_TRANSFER}"


class FeeAdjustPage(_UserFormPage):
    """领用费用调整 of unsettled picked-up items."""

    permission_required = "resources.adjust_fees"
    form_class = forms.FeeAdjustForm
    title = _("Adjust pickup fees")
    success_message = _("The fees were adjusted.")
    cancel_url = "/resources/pickups/"

    def perform(self, form):
        d = form.cleaned_data
        order = sel = None
        if d["order_no"].strip():
            order = selectors.orders_for(self.request.user).filter(order_no=d["order_no"].strip()).first()
            if order is None:
                raise InvalidInput(gettext("order_no: no pickup order with this number in your scope."))
        else:
            if not d.get("kind"):
                raise InvalidInput(gettext("kind: choose the kind of the items."))
            sel = form.selection()
        return services.fee_adjust(actor=self.request.user, agent=d["agent"], new_fee=d["new_fee"], method=d["method"],
                                   sel=sel, order=order, reason=d["reason"])

    def success_url_for(self, obj):
        return reverse("resources:pickup", args=[obj.order_id]) if obj.order_id else reverse("resources:pickups")


class MovementListPage(ListPage):
    """库存流水: every move of every item, append-only; Excel export."""

    permission_required = "resources.view_movement"
    model = Movement
    title = _("Resource movements")
    filterset_class = MovementFilter
    export_name = "resource-movements"
    sort_fields = {"at": "at", "serial": "serial"}
    default_sort = "-at"
    columns = [
        (_("Time"), lambda m: m.at),
        (_("Move"), lambda m: m.get_kind_display()),
        (_("Kind"), lambda m: m.get_item_kind_display()),
        (_("Serial"), lambda m: m.serial),
        (_("From unit"), lambda m: m.from_unit.name if m.from_unit else ""),
        (_("To unit"), lambda m: m.to_unit.name),
        (_("From agent"), lambda m: m.from_agent.code if m.from_agent else ""),
        (_("To agent"), lambda m: m.to_agent.code if m.to_agent else ""),
        (_("Pickup order"), lambda m: m.order.order_no if m.order else ""),
        (_("Reference"), lambda m: m.reference),
        (_("By"), lambda m: str(m.actor) if m.actor else ""),
    ]
    rows_for = staticmethod(selectors.movements_for)

    def row_url(self, row):
        return reverse("resources:item", args=[row.item_id])
