"""Billing pages: imports with validation report and reconciliation (INT-01, INT-06),
arrears (CUS-10)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from kams.billing import selectors, services
from kams.billing.models import BillImport
from kams.core.errors import KamsError
from kams.system.parameters import param
from kams.web.exports import xlsx_response
from kams.web.lists import ListPage


class ImportForm(forms.Form):
    period = forms.RegexField(
        label=_("Billed month"), regex=r"^\d{4}-\d{2}$", widget=forms.TextInput(attrs={"type": "month"}),
        error_messages={"invalid": _("Enter a month as YYYY-MM.")},
    )
    file = forms.FileField(label=_("Billing file (.csv or .xlsx)"))


class ImportListPage(ListPage):
    permission_required = "billing.view_billimport"
    model = BillImport
    title = _("Billing imports")
    template_name = "billing/imports.html"
    export_name = "billing-imports"
    columns = [
        (_("Period"), lambda b: f"{b.period:%Y-%m}"),
        (_("File"), lambda b: b.file_name),
        (_("State"), lambda b: b.get_state_display()),
        (_("Rows"), lambda b: b.row_count),
        (_("Total billed"), lambda b: b.total),
        (_("Total paid"), lambda b: b.paid),
        (_("Errors found"), lambda b: b.error_count),
        (_("Superseded"), lambda b: b.superseded),
        (_("Created at"), lambda b: b.created_at),
    ]

    def row_url(self, row):
        return reverse("billing:import_detail", args=[row.pk])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = kwargs.get("form") or ImportForm(initial={"period": f"{timezone.localdate():%Y-%m}"})
        return context

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm("billing.add_billimport"):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                batch = services.bill_import_create(
                    actor=request.user, upload=form.cleaned_data["file"], period=form.cleaned_data["period"]
                )
            except KamsError as exc:
                form.add_error(None, exc.text)
            else:
                messages.success(request, _("The file is queued: it is validated first, then loaded."))
                return redirect("billing:import_detail", pk=batch.pk)
        self.object_list = self.filtered()
        return self.render_to_response(self.get_context_data(form=form))


class ImportDetailPage(PermissionRequiredMixin, TemplateView):
    permission_required = "billing.view_billimport"
    template_name = "billing/import_detail.html"

    def get_context_data(self, **kwargs):
        batch = BillImport.objects.select_related("job").get_visible(self.request.user, pk=self.kwargs["pk"])
        return super().get_context_data(title=str(batch), batch=batch, job=batch.job, **kwargs)


class ArrearsPage(PermissionRequiredMixin, TemplateView):
    """欠费查询: customers in scope that owe money, largest first."""

    permission_required = "billing.view_billsummary"
    template_name = "billing/arrears.html"
    columns = [
        (_("Customer number"), "customer__code"),
        (_("Customer"), "customer__name"),
        (_("Region"), "customer__org_unit__name"),
        (_("Account manager"), "customer__account_manager__name"),
        (_("Arrears (yuan)"), "arrears"),
        (_("Months owed"), "months"),
        (_("Oldest month owed"), "oldest"),
    ]

    def get(self, request, *args, **kwargs):
        rows = selectors.arrears_by_customer(request.user)
        text = request.GET.get("q", "").strip()
        if text:
            rows = rows.filter(customer__name__icontains=text) | rows.filter(customer__code=text)
        if request.GET.get("export") == "xlsx":
            return xlsx_response(
                rows=rows.iterator(), columns=[(title, lambda r, k=key: r[k]) for title, key in self.columns],
                filename="arrears", sheet=str(_("Arrears")),
            )
        page = Paginator(rows, param("ui.page_size")).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        export = query.copy()
        export["export"] = "xlsx"
        return self.render_to_response(
            self.get_context_data(
                title=_("Arrears"), page_obj=page, rows=page.object_list, q=text, query=query.urlencode(),
                export_url="?" + export.urlencode(), latest=selectors.latest_period(),
            )
        )
