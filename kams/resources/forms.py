"""Forms of the resource pages. They only collect input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kams.channels.enums import AgentStatus, PayMethod
from kams.channels.models import Agent
from kams.customers.enums import Business
from kams.org.models import OrgUnit
from kams.resources import services
from kams.resources.enums import FlowOperation, Network, ResourceKind
from kams.resources.models import StockNode

DATE = forms.DateInput(attrs={"type": "date"})


class UserForm(forms.Form):
    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)


def _agents(user):
    return Agent.objects.visible_to(user).filter(status=AgentStatus.REGISTERED).order_by("code")


def _stock_units(user):
    return OrgUnit.objects.visible_to(user).filter(stock_node__is_active=True).order_by("path")


class SelectionForm(UserForm):
    """A range of serials or a CSV/XLSX file of serials (first column)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=ResourceKind.choices)
    first = forms.CharField(label=_("First serial"), max_length=24, required=False)
    last = forms.CharField(label=_("Last serial"), max_length=24, required=False,
                           help_text=_("Empty: only the first serial."))
    file = forms.FileField(label=_("Or a file of serials (CSV or XLSX, first column)"), required=False)

    def selection(self) -> services.Selection:
        d = self.cleaned_data
        serials = services.read_serial_file(d["file"]) if d.get("file") else None
        return services.selection(d["kind"], d.get("first", ""), d.get("last", ""), serials)


METHOD = {"label": _("Payment method"), "choices": PayMethod.choices, "initial": PayMethod.TRANSFER}


class StockInForm(SelectionForm):
    unit = forms.ModelChoiceField(label=_("Into the stock of"), queryset=None)
    network = forms.ChoiceField(label=_("Network"), choices=Network.choices)
    business = forms.ChoiceField(label=_("Business"), choices=Business.choices, initial=Business.MOBILE)
    model = forms.CharField(label=_("Handset model"), max_length=60, required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _stock_units(self.user)


class StockMoveForm(SelectionForm):
    operation = forms.ChoiceField(label=_("Operation"), choices=[
        ("out", _("Stock out to a department")), ("transfer", _("Transfer between units")),
        ("return", _("Return to the unit above"))])
    from_unit = forms.ModelChoiceField(label=_("From the stock of"), queryset=None)
    to_unit = forms.ModelChoiceField(label=_("To"), queryset=None, required=False,
                                     help_text=_("Not needed for a return: it goes to the parent in the flow."))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_unit"].queryset = _stock_units(self.user)
        self.fields["to_unit"].queryset = OrgUnit.objects.filter(stock_node__is_active=True).order_by("path")


class PickupForm(SelectionForm):
    agent = forms.ModelChoiceField(label=_("Agent"), queryset=None)
    unit = forms.ModelChoiceField(label=_("From the stock of"), queryset=None)
    method = forms.ChoiceField(**METHOD)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = _agents(self.user)
        self.fields["unit"].queryset = _stock_units(self.user)
        self.order_fields(["agent", "unit", "kind", "first", "last", "file", "method", "note"])


class CancelForm(forms.Form):
    data = forms.ChoiceField(label=_("Data queried"), choices=[("unsettled", _("Unsettled")), ("settled", _("Settled"))],
                             initial="unsettled", help_text=_("Settled items cannot be cancelled."))
    method = forms.ChoiceField(label=_("Refund method"), choices=PayMethod.choices, initial=PayMethod.TRANSFER)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class ReturnForm(SelectionForm):
    agent = forms.ModelChoiceField(label=_("Agent"), queryset=None)
    method = forms.ChoiceField(label=_("Refund method"), choices=PayMethod.choices, initial=PayMethod.TRANSFER)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = _agents(self.user)
        self.order_fields(["agent", "kind", "first", "last", "file", "method", "reason"])


class AgentTransferForm(SelectionForm):
    source = forms.ModelChoiceField(label=_("From agent"), queryset=None)
    target = forms.ModelChoiceField(label=_("To agent"), queryset=None)
    method = forms.ChoiceField(**METHOD)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = _agents(self.user)
        self.fields["target"].queryset = Agent.objects.visible_to(self.user).order_by("code")
        self.order_fields(["source", "target", "kind", "first", "last", "file", "method", "note"])


class FeeAdjustForm(SelectionForm):
    agent = forms.ModelChoiceField(label=_("Agent"), queryset=None)
    order_no = forms.CharField(label=_("Pickup order number"), max_length=24, required=False,
                               help_text=_("Either an order (all its unsettled held items) or the serials below."))
    new_fee = forms.DecimalField(label=_("New fee per item (yuan)"), min_value=0, decimal_places=2, max_digits=10)
    method = forms.ChoiceField(**METHOD)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = _agents(self.user)
        self.fields["kind"].required = False
        self.order_fields(["agent", "order_no", "kind", "first", "last", "file", "new_fee", "method", "reason"])


class PriceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ResourceKind.choices)
    network = forms.ChoiceField(label=_("Network"), choices=Network.choices)
    business = forms.ChoiceField(label=_("Business"), choices=Business.choices, initial=Business.MOBILE)
    price = forms.DecimalField(label=_("Pickup fee per item (yuan)"), min_value=0, decimal_places=2, max_digits=10)
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE, initial=timezone.localdate)
    valid_to = forms.DateField(label=_("Valid to"), widget=DATE, required=False)


class LimitForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ResourceKind.choices)
    max_items = forms.IntegerField(label=_("Most items per pickup"), min_value=0, help_text=_("0: no limit."))


class NodeForm(UserForm):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None)
    parent = forms.ModelChoiceField(label=_("Parent in the flow"), queryset=None, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = OrgUnit.objects.visible_to(self.user).filter(stock_node__isnull=True).order_by("path")
        self.fields["parent"].queryset = StockNode.objects.select_related("org_unit").order_by("org_unit__path")


class RuleForm(UserForm):
    from_node = forms.ModelChoiceField(label=_("From"), queryset=None)
    to_node = forms.ModelChoiceField(label=_("To"), queryset=None)
    operation = forms.ChoiceField(label=_("Operation"), choices=FlowOperation.choices)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("Every kind")), *ResourceKind.choices], required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_node"].queryset = StockNode.objects.visible_to(self.user).select_related("org_unit")
        self.fields["to_node"].queryset = StockNode.objects.select_related("org_unit")


class ItemSearchForm(forms.Form):
    serial = forms.CharField(label=_("Serial"), max_length=24)
