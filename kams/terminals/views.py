"""Pages of the mobile terminals (移动终端管理, PRD-05): handset models, subsidy levels,
subsidised sales, network observation imports and the 窜机窜卡 flags with their review.

Every page reads through scoped selectors; every write goes to one service."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from kams.audit.selectors import history_of
from kams.core.errors import KamsError
from kams.terminals import forms, selectors, services
from kams.terminals.enums import AnomalyStatus
from kams.terminals.filters import AnomalyFilter, HandsetModelFilter, SaleFilter, SubsidyLevelFilter
from kams.terminals.models import Anomaly, HandsetModel, ObservationImport, SubsidisedSale, SubsidyLevel
from kams.web.exports import xlsx_response
from kams.web.lists import ListPage
from kams.web.pages import ServiceFormPage

# --- Page bases ---------------------------------------------------------------------------------


class _DetailPage(PermissionRequiredMixin, TemplateView):
    """The page of one ``record`` found through ``rows_for(user)``: not found outside the
    reader's scope."""

    rows_for: Callable[[Any], Any]

    @cached_property
    def record(self):
        return self.rows_for(self.request.user).get_visible(self.request.user, pk=self.kwargs["pk"])


class _ServiceFormPage(ServiceFormPage):
    """A form whose cleaned data are, as they stand, the arguments of ``service``."""

    service: Callable[..., Any]

    def perform(self, form):
        return self.service(actor=self.request.user, **form.cleaned_data)


# --- Handset models and subsidy levels ----------------------------------------------------------


class HandsetModelListPage(ListPage):
    """终端机型."""

    permission_required = "terminals.view_handsetmodel"
    model = HandsetModel
    title = _("Handset models")
    filterset_class = HandsetModelFilter
    export_name = "handset-models"
    template_name = "terminals/models.html"
    sort_fields = {"brand": "brand", "price": "list_price"}
    default_sort = "brand"
    columns = [
        (_("Brand"), lambda m: m.brand),
        (_("Model"), lambda m: m.model),
        (_("List price"), lambda m: m.list_price),
        (_("Active"), lambda m: m.is_active),
        (_("Updated at"), lambda m: m.updated_at),
    ]
    rows_for = staticmethod(selectors.models_for)

    def row_url(self, row):
        return reverse("terminals:model_edit", args=[row.pk]) if self.request.user.has_perm(
            "terminals.change_handsetmodel") else None


class HandsetModelCreatePage(_ServiceFormPage):
    permission_required = "terminals.add_handsetmodel"
    form_class = forms.HandsetModelForm
    title = _("New handset model")
    success_message = _("The handset model was saved.")
    cancel_url = "/terminals/models/"
    service = staticmethod(services.handset_model_save)

    def success_url_for(self, obj):
        return reverse("terminals:models")


class HandsetModelEditPage(HandsetModelCreatePage):
    permission_required = "terminals.change_handsetmodel"

    @cached_property
    def handset_model(self):
        return selectors.models_for(self.request.user).get_visible(self.request.user, pk=self.kwargs["pk"])

    def get_initial(self):
        m = self.handset_model
        return {"brand": m.brand, "model": m.model, "list_price": m.list_price, "is_active": m.is_active}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", str(self.handset_model))
        return super().get_context_data(**kwargs)

    def perform(self, form):
        return self.service(actor=self.request.user, handset_model=self.handset_model, **form.cleaned_data)


class SubsidyLevelListPage(ListPage):
    """终端补贴额度: every version, the one in force on a date by the filter."""

    permission_required = "terminals.view_subsidylevel"
    model = SubsidyLevel
    title = _("Subsidy levels")
    filterset_class = SubsidyLevelFilter
    export_name = "subsidy-levels"
    template_name = "terminals/levels.html"
    sort_fields = {"from": "valid_from"}
    default_sort = "-from"
    columns = [
        (_("Handset model"), lambda v: str(v.handset_model)),
        (_("Business"), lambda v: v.get_business_display()),
        (_("Package"), lambda v: v.package or _("All")),
        (_("Subsidy kind"), lambda v: v.get_kind_display()),
        (_("Amount or percentage"), lambda v: v.value),
        (_("Subsidy on the list price"), lambda v: v.subsidy_for(v.handset_model.list_price)),
        (_("Valid from"), lambda v: v.valid_from),
        (_("Valid to"), lambda v: v.valid_to),
        (_("Version"), lambda v: v.version),
        (_("Note"), lambda v: v.note),
    ]
    rows_for = staticmethod(selectors.levels_for)


class SubsidyLevelCreatePage(_ServiceFormPage):
    permission_required = "terminals.add_subsidylevel"
    form_class = forms.SubsidyLevelForm
    title = _("Set a subsidy level")
    success_message = _("The subsidy level was set; the version before it ends the day before.")
    cancel_url = "/terminals/levels/"
    service = staticmethod(services.subsidy_level_set)

    def success_url_for(self, obj):
        return reverse("terminals:levels") + f"?handset_model={obj.handset_model_id}"


# --- Subsidised sales --------------------------------------------------------------------------


class SaleListPage(ListPage):
    """补贴终端销售: IMEI ↔ number ↔ agent ↔ subsidy."""

    permission_required = "terminals.view_subsidisedsale"
    model = SubsidisedSale
    title = _("Subsidised sales")
    filterset_class = SaleFilter
    export_name = "subsidised-sales"
    template_name = "terminals/sales.html"
    sort_fields = {"sold": "sold_on", "subsidy": "subsidy_amount"}
    default_sort = "-sold"
    columns = [
        (_("IMEI"), lambda s: s.imei),
        (_("Subscriber number"), lambda s: s.msisdn),
        (_("Handset model"), lambda s: str(s.handset_model)),
        (_("Agent"), lambda s: s.agent.name),
        (_("Marketing department"), lambda s: s.org_unit.name),
        (_("Business"), lambda s: s.get_business_display()),
        (_("Package"), lambda s: s.package),
        (_("List price"), lambda s: s.list_price),
        (_("Subsidy"), lambda s: s.subsidy_amount),
        (_("Commitment months"), lambda s: s.commitment_months),
        (_("Amortisation per month"), lambda s: s.monthly_amortisation),
        (_("Sold on"), lambda s: s.sold_on),
        (_("Status"), lambda s: s.get_status_display()),
    ]
    rows_for = staticmethod(selectors.sales_for)
    row_route = "terminals:sale"


class SaleDetailPage(_DetailPage):
    """A subsidised handset: the binding, the subsidy and its amortisation, the handset's
    path, its flags and its history."""

    permission_required = "terminals.view_subsidisedsale"
    template_name = "terminals/sale_detail.html"
    rows_for = staticmethod(selectors.sales_for)

    def get_context_data(self, **kwargs):
        user, sale = self.request.user, self.record
        today = timezone.localdate()
        return super().get_context_data(
            title=_("Subsidised handset %(imei)s") % {"imei": sale.imei}, sale=sale,
            path=selectors.handset_path(user, sale), anomalies=selectors.anomalies_for(user).filter(sale=sale),
            amortised_months=min(services.months_between(sale.sold_on, today), sale.commitment_months),
            unamortised=services.unamortised(sale, today), history=history_of(user, sale), **kwargs,
        )


class SaleCreatePage(_ServiceFormPage):
    permission_required = "terminals.add_subsidisedsale"
    form_class = forms.SaleForm
    title = _("Record a subsidised handset sale")
    success_message = _("The handset was bound to the subscriber number.")
    cancel_url = "/terminals/"
    service = staticmethod(services.subsidised_sale_record)

    def success_url_for(self, obj):
        return reverse("terminals:sale", args=[obj.pk])


# --- Observations -------------------------------------------------------------------------------


class ImportListPage(ListPage):
    """Network observation imports (IMEI seen with a number), with their results."""

    permission_required = "terminals.view_observationimport"
    model = ObservationImport
    title = _("Network observation imports")
    export_name = "observation-imports"
    template_name = "terminals/imports.html"
    columns = [
        (_("Created at"), lambda b: b.created_at),
        (_("Source"), lambda b: b.get_source_display()),
        (_("File"), lambda b: b.file_name),
        (_("Rows"), lambda b: b.rows),
        (_("New observations"), lambda b: b.new_rows),
        (_("Flags created"), lambda b: b.flags_created),
    ]
    rows_for = staticmethod(selectors.imports_for)
    row_route = "terminals:import"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = kwargs.get("form") or forms.ObservationUploadForm()
        return context

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm("terminals.add_observationimport"):
            raise PermissionDenied
        form = forms.ObservationUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                batch = services.observation_file_import(actor=request.user, name=upload.name, content=upload.read())
            except KamsError as exc:
                form.add_error(None, exc.text)
            else:
                messages.success(request, _("The observations were loaded and compared with the subsidised sales."))
                return redirect("terminals:import", pk=batch.pk)
        self.object_list = self.filtered()
        return self.render_to_response(self.get_context_data(form=form))


class ImportDetailPage(_DetailPage):
    permission_required = "terminals.view_observationimport"
    template_name = "terminals/import_detail.html"
    rows_for = staticmethod(selectors.imports_for)

    def get_context_data(self, **kwargs):
        user, batch = self.request.user, self.record
        return super().get_context_data(
            title=_("Observation import %(name)s") % {"name": batch}, batch=batch,
            anomalies=selectors.anomalies_for(user).filter(batch=batch)[:200], **kwargs,
        )


# --- Flags ----------------------------------------------------------------------------------------


class AnomalyListPage(ListPage):
    """窜机窜卡: flags found by comparing the network observations with the bindings."""

    permission_required = "terminals.view_anomaly"
    model = Anomaly
    title = _("Handset and SIM moved flags")
    filterset_class = AnomalyFilter
    export_name = "handset-sim-moved-flags"
    sort_fields = {"seen": "first_seen", "agent": "agent__code"}
    default_sort = "-seen"
    columns = [
        (_("First seen"), lambda a: a.first_seen),
        (_("Kind"), lambda a: a.get_kind_display()),
        (_("IMEI"), lambda a: a.imei),
        (_("Expected number"), lambda a: a.expected_msisdn),
        (_("Observed IMEI"), lambda a: a.observed_imei),
        (_("Observed number"), lambda a: a.observed_msisdn),
        (_("Agent"), lambda a: a.agent.name),
        (_("Marketing department"), lambda a: a.org_unit.name),
        (_("Status"), lambda a: a.get_status_display()),
        (_("Subsidy recovered"), lambda a: a.recovery_amount),
        (_("Review note"), lambda a: a.review_note),
    ]
    rows_for = staticmethod(selectors.anomalies_for)
    row_route = "terminals:anomaly"


class AnomalyDetailPage(_DetailPage):
    permission_required = "terminals.view_anomaly"
    template_name = "terminals/anomaly_detail.html"
    rows_for = staticmethod(selectors.anomalies_for)

    def get_context_data(self, **kwargs):
        user, anomaly = self.request.user, self.record
        reviewable = anomaly.status == AnomalyStatus.OPEN and user.has_perm("terminals.review_anomaly")
        return super().get_context_data(
            title=f"{anomaly.get_kind_display()} · {anomaly.imei}", anomaly=anomaly, reviewable=reviewable,
            confirm_form=kwargs.pop("confirm_form", None) or forms.ConfirmForm(),
            dismiss_form=kwargs.pop("dismiss_form", None) or forms.DismissForm(),
            default_recovery=services.unamortised(anomaly.sale, anomaly.first_seen),
            history=history_of(user, anomaly), **kwargs,
        )


class AnomalyReviewPage(PermissionRequiredMixin, TemplateView):
    """POST only: confirm (the subsidy recovered from the agent noted) or dismiss (reason)."""

    permission_required = "terminals.review_anomaly"
    template_name = "terminals/anomaly_detail.html"
    http_method_names = ["post"]

    def post(self, request, pk, decision):
        if decision not in ("confirm", "dismiss"):
            raise Http404
        user = request.user
        anomaly = selectors.anomalies_for(user).get_visible(user, pk=pk)
        form_class = forms.ConfirmForm if decision == "confirm" else forms.DismissForm
        form = form_class(request.POST)
        if form.is_valid():
            try:
                if decision == "confirm":
                    services.anomaly_confirm(actor=user, anomaly=anomaly, **form.cleaned_data)
                    messages.success(request, _("The flag was confirmed."))
                else:
                    services.anomaly_dismiss(actor=user, anomaly=anomaly, reason=form.cleaned_data["reason"])
                    messages.success(request, _("The flag was dismissed."))
                return redirect("terminals:anomaly", pk=anomaly.pk)
            except KamsError as exc:
                form.add_error(None, exc.text)
        page = AnomalyDetailPage(request=request, kwargs={"pk": pk})
        context = page.get_context_data(**{f"{decision}_form": form})
        return self.render_to_response(context, status=400)


class AnomalyChartPage(PermissionRequiredMixin, TemplateView):
    """窜机窜卡 per month and per agent (the figures the agents' evaluation reads)."""

    permission_required = "terminals.view_anomaly"
    template_name = "terminals/chart.html"

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx":
            data = selectors.anomaly_chart(request.user, today=timezone.localdate())
            columns = [
                (_("Agent code"), lambda r: r["agent_code"]), (_("Agent"), lambda r: r["agent_name"]),
                (_("Handset moved to another SIM"), lambda r: r["handset_moved"]),
                (_("SIM moved to another handset"), lambda r: r["sim_moved"]),
                (_("Confirmed"), lambda r: r["confirmed"]), (_("Total"), lambda r: r["total"]),
            ]
            return xlsx_response(rows=data["table"], columns=columns, filename="flags-per-agent",
                                 sheet=str(_("Flags per agent")))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        data = selectors.anomaly_chart(self.request.user, today=timezone.localdate())
        return super().get_context_data(title=_("Handset and SIM moved flags per month and agent"), chart=data, **kwargs)
