"""Contract pages (CUS-09): list with expiry warnings, detail with attachments and history,
create, edit, state moves and file upload/download. Rules live in the services."""

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import FileResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from kams.audit.selectors import history_of
from kams.core.errors import KamsError
from kams.customers import selectors, services
from kams.customers.enums import CONTRACT_MOVES, ContractState, ContractType
from kams.customers.models import Contract, ContractAttachment, PayingAccount
from kams.customers.views_edit import CustomerFormPage
from kams.org.filters import OrgUnitSubtreeFilter
from kams.system.parameters import param
from kams.web.lists import ListPage
from kams.web.pages import ServiceFormPage

DATE = forms.DateInput(attrs={"type": "date"})


class ContractFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Contract, title or customer"), method="search")
    state = django_filters.ChoiceFilter(label=_("State"), choices=ContractState.choices)
    contract_type = django_filters.ChoiceFilter(label=_("Contract type"), choices=ContractType.choices)
    expiring = django_filters.BooleanFilter(
        label=_("Expiring soon"),
        method="filter_expiring",
        widget=forms.Select(choices=[("", _("All")), ("true", _("Yes"))]),
    )
    unit = OrgUnitSubtreeFilter(org_path="customer__org_unit__path")

    class Meta:
        model = Contract
        fields = ["q", "state", "contract_type", "expiring", "unit"]

    def search(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(
            Q(contract_no__icontains=value) | Q(title__icontains=value) | Q(customer__name__icontains=value)
            | Q(customer__code=value)
        )

    def filter_expiring(self, queryset, name, value):
        if not value:
            return queryset
        ids = selectors.contracts_expiring(self.request.user).values("pk")
        return queryset.filter(pk__in=ids)


class ContractListPage(ListPage):
    permission_required = "customers.view_contract"
    model = Contract
    title = _("Contracts")
    filterset_class = ContractFilter
    export_name = "contracts"
    template_name = "customers/contracts/list.html"
    sort_fields = {"no": "contract_no", "valid_to": "valid_to", "value": "value"}
    default_sort = "valid_to"
    columns = [
        (_("Contract number"), lambda c: c.contract_no),
        (_("Title"), lambda c: c.title),
        (_("Customer"), lambda c: c.customer.name),
        (_("Contract type"), lambda c: c.get_contract_type_display()),
        (_("State"), lambda c: c.get_state_display()),
        (_("Value (yuan)"), lambda c: c.value),
        (_("Valid from"), lambda c: c.valid_from),
        (_("Valid to"), lambda c: c.valid_to),
    ]

    def get_base_queryset(self):
        return Contract.objects.select_related("customer")

    def row_url(self, row):
        return reverse("customers:contract_detail", args=[row.pk])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["expiring_count"] = selectors.contracts_expiring(self.request.user).count()
        context["warning_days"] = param("customers.contract_expiry_warning_days")
        return context


class ContractDetailPage(PermissionRequiredMixin, TemplateView):
    permission_required = "customers.view_contract"
    template_name = "customers/contracts/detail.html"

    def get_context_data(self, **kwargs):
        contract = selectors.contracts_for(self.request.user).prefetch_related("accounts", "attachments").get_visible(
            self.request.user, pk=self.kwargs["pk"]
        )
        moves = [(state, ContractState(state).label) for state in CONTRACT_MOVES.get(contract.state, ())]
        return super().get_context_data(
            title=contract.title,
            contract=contract,
            moves=moves,
            editable=contract.state in (ContractState.DRAFT, ContractState.APPROVING),
            history=history_of(self.request.user, contract),
            upload_form=AttachmentForm(),
            **kwargs,
        )


class ContractForm(forms.Form):
    contract_no = forms.RegexField(
        label=_("Contract number"), regex=r"^[A-Za-z0-9-]{3,40}$",
        error_messages={"invalid": _("Use 3 to 40 letters, digits and dashes.")},
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    contract_type = forms.ChoiceField(label=_("Contract type"), choices=ContractType.choices)
    value = forms.DecimalField(label=_("Contract value (yuan)"), min_value=0, max_digits=16, decimal_places=2)
    signed_on = forms.DateField(label=_("Signed on"), required=False, widget=DATE)
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE)
    valid_to = forms.DateField(label=_("Valid to"), widget=DATE)
    accounts = forms.ModelMultipleChoiceField(
        label=_("Accounts covered"), queryset=PayingAccount.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    terms = forms.CharField(label=_("Terms"), widget=forms.Textarea(attrs={"rows": 5}), required=False)

    def __init__(self, *args, customer, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accounts"].queryset = customer.accounts.all()
        if editing:
            del self.fields["contract_no"]


class ContractCreatePage(CustomerFormPage):
    permission_required = "customers.add_contract"
    form_class = ContractForm
    section = "contracts"
    success_message = _("The contract was created as a draft.")

    def page_title(self):
        return _("New contract for %(customer)s") % {"customer": self.customer.name}

    def extra_form_kwargs(self):
        return {"customer": self.customer}

    def perform(self, form):
        data = dict(form.cleaned_data)
        accounts = data.pop("accounts")
        return services.contract_create(actor=self.request.user, customer=self.customer, accounts=accounts, **data)

    def success_url_for(self, obj):
        return reverse("customers:contract_detail", args=[obj.pk])


class ContractEditPage(ServiceFormPage):
    permission_required = "customers.change_contract"
    form_class = ContractForm
    success_message = _("The changes were saved.")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.contract = selectors.contracts_for(request.user).get_visible(request.user, pk=kwargs["pk"])
        self.title = _("Edit %(contract)s") % {"contract": self.contract}
        self.cancel_url = reverse("customers:contract_detail", args=[self.contract.pk])

    def extra_form_kwargs(self):
        return {"customer": self.contract.customer, "editing": True}

    def get_initial(self):
        c = self.contract
        return {
            "title": c.title, "contract_type": c.contract_type, "value": c.value, "signed_on": c.signed_on,
            "valid_from": c.valid_from, "valid_to": c.valid_to, "terms": c.terms, "accounts": list(c.accounts.all()),
        }

    def perform(self, form):
        data = dict(form.cleaned_data)
        accounts = data.pop("accounts")
        return services.contract_update(actor=self.request.user, contract=self.contract, accounts=accounts, **data)

    def success_url_for(self, obj):
        return reverse("customers:contract_detail", args=[obj.pk])


class ContractMoveView(PermissionRequiredMixin, View):
    """POST ``to`` (+ ``reason``): move the contract along its state graph."""

    permission_required = "customers.change_contract"

    def post(self, request, pk):
        contract = selectors.contracts_for(request.user).get_visible(request.user, pk=pk)
        try:
            services.contract_move(
                actor=request.user, contract=contract, to=request.POST.get("to", ""), reason=request.POST.get("reason", "")
            )
            messages.success(request, _("The contract state was changed."))
        except KamsError as exc:
            messages.error(request, exc.text)
        return redirect("customers:contract_detail", pk=contract.pk)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))


class ContractAttachView(PermissionRequiredMixin, View):
    permission_required = "customers.change_contract"

    def post(self, request, pk):
        contract = selectors.contracts_for(request.user).get_visible(request.user, pk=pk)
        form = AttachmentForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        else:
            try:
                services.contract_attach(actor=request.user, contract=contract, upload=form.cleaned_data["file"])
                messages.success(request, _("The file was stored with the contract."))
            except KamsError as exc:
                messages.error(request, exc.text)
        return redirect("customers:contract_detail", pk=contract.pk)


class AttachmentDownloadView(PermissionRequiredMixin, View):
    """Files are served only through this scoped view, never from a public media URL."""

    permission_required = "customers.view_contractattachment"

    def get(self, request, pk):
        attachment = ContractAttachment.objects.get_visible(request.user, pk=pk)
        return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)
