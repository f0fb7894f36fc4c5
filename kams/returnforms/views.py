"""Pages of the return forms: handovers (返单交接, CH-08) with their PDF receipt, and entries
(返单录入, CH-09), one form at a time or from a file.

Pages read scoped querysets and write through ``kams.returnforms.services`` only.
"""

from __future__ import annotations

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from kams.audit.selectors import history_of
from kams.core.errors import InvalidInput
from kams.customers.models import Customer
from kams.returnforms import forms, services
from kams.returnforms.enums import EntryBatchStatus
from kams.returnforms.errors import HandoverSwitchedOff
from kams.returnforms.filters import EntryBatchFilter, EntryFilter, HandoverFilter
from kams.returnforms.models import EntryBatch, FormEntry, Handover
from kams.returnforms.receipt import receipt_pdf
from kams.web.lists import ListPage
from kams.web.pages import ServiceFormPage


def _switch_notice() -> str:
    if services.handover_enabled():
        return gettext("Return-form handover is on: only numbers handed over by the agent can be entered, and the "
                       "handover time is the commission reference time.")
    return gettext("Return-form handover is off: picked-up numbers are entered directly, and the entry time is the "
                   "commission reference time.")


class _Form(ServiceFormPage):
    template_name = "returnforms/form.html"

    def extra_form_kwargs(self):
        kwargs = {"user": self.request.user}
        if self.request.method == "POST":
            kwargs["files"] = self.request.FILES
        return kwargs

    def get_context_data(self, **kwargs):
        kwargs.setdefault("notice", _switch_notice())
        return super().get_context_data(**kwargs)


# --- Handovers ----------------------------------------------------------------------------------


class HandoverListPage(ListPage):
    """返单交接: the handovers of the agents in scope."""

    permission_required = "returnforms.view_handover"
    model = Handover
    title = _("Return form handovers")
    filterset_class = HandoverFilter
    export_name = "return-handovers"
    template_name = "returnforms/handovers.html"
    sort_fields = {"handed": "handed_at", "number": "number", "agent": "agent__code", "count": "item_count"}
    default_sort = "-handed"
    columns = [
        (_("Handover number"), lambda h: h.number),
        (_("Handed over at"), lambda h: h.handed_at),
        (_("Agent"), lambda h: f"{h.agent.code} {h.agent.name}"),
        (_("Marketing department"), lambda h: h.org_unit.name),
        (_("Received by"), lambda h: h.received_by.name if h.received_by_id else ""),
        (_("Numbers"), lambda h: h.item_count),
        (_("Note"), lambda h: h.note),
    ]

    def get_queryset(self):
        return super().get_queryset().select_related("agent", "org_unit", "received_by")

    def row_url(self, row):
        return reverse("returnforms:handover", args=[row.pk])

    def get_context_data(self, **kwargs):
        return super().get_context_data(enabled=services.handover_enabled(), notice=_switch_notice(), **kwargs)


class HandoverCreatePage(_Form):
    """新建交接单: an agent hands back forms; numbers pasted one per line or as a range."""

    permission_required = "returnforms.add_handover"
    form_class = forms.HandoverForm
    title = _("New return form handover")
    success_message = _("The handover was recorded.")
    cancel_url = "/channels/returns/"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.has_perm(self.permission_required) \
                and not services.handover_enabled():
            return self.render_switched_off(request)
        return super().dispatch(request, *args, **kwargs)

    def render_switched_off(self, request):
        return render(request, "returnforms/switched_off.html", {
            "title": self.title, "message": HandoverSwitchedOff().text,
        })

    def perform(self, form):
        data = form.cleaned_data
        return services.handover_create(
            actor=self.request.user, agent=data["agent"], lines=services.parse_numbers(data["numbers"]),
            received_by=data["received_by"], handed_at=data["handed_at"], note=data["note"],
        )

    def success_url_for(self, obj):
        return reverse("returnforms:handover", args=[obj.pk])


class HandoverDetailPage(PermissionRequiredMixin, TemplateView):
    """A handover: its facts, its numbers (and whether they are entered), the receipt, history."""

    permission_required = "returnforms.view_handover"
    template_name = "returnforms/handover_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        handover = (Handover.objects.visible_to(user).select_related("agent", "org_unit", "received_by")
                    .get_visible(user, pk=self.kwargs["pk"]))
        lines = handover.lines.select_related("item").order_by("msisdn")
        return super().get_context_data(title=f"{gettext('Return form handover')} {handover.number}",
                                        handover=handover, lines=lines, history=history_of(user, handover), **kwargs)


class HandoverReceiptView(PermissionRequiredMixin, View):
    """收据证明 as a PDF."""

    permission_required = "returnforms.view_handover"

    def get(self, request, pk):
        handover = Handover.objects.visible_to(request.user).select_related("agent", "org_unit", "received_by") \
            .get_visible(request.user, pk=pk)
        response = HttpResponse(receipt_pdf(handover), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="receipt-{handover.number}.pdf"'
        return response


# --- Entries ------------------------------------------------------------------------------------


class EntryListPage(ListPage):
    """返单录入: the forms entered for the agents in scope."""

    permission_required = "returnforms.view_formentry"
    model = FormEntry
    title = _("Return form entries")
    filterset_class = EntryFilter
    export_name = "return-entries"
    template_name = "returnforms/entries.html"
    sort_fields = {"entered": "entered_at", "number": "msisdn", "agent": "agent__code", "reference": "reference_at"}
    default_sort = "-entered"
    columns = [
        (_("Number"), lambda e: e.msisdn),
        (_("Subscriber name"), lambda e: e.subscriber_name),
        (_("Agent"), lambda e: f"{e.agent.code} {e.agent.name}"),
        (_("Customer"), lambda e: f"{e.customer.code} {e.customer.name}"),
        (_("Business"), lambda e: e.get_business_display()),
        (_("Package"), lambda e: e.package),
        (_("Activation date"), lambda e: e.activated_on),
        (_("Handover"), lambda e: e.handover.number if e.handover_id else ""),
        (_("Commission reference time"), lambda e: e.reference_at),
        (_("Entered at"), lambda e: e.entered_at),
    ]

    def get_queryset(self):
        return super().get_queryset().select_related("agent", "customer", "handover")

    def get_context_data(self, **kwargs):
        return super().get_context_data(notice=_switch_notice(), **kwargs)


class EntryCreatePage(_Form):
    """录入一张返单."""

    permission_required = "returnforms.add_formentry"
    form_class = forms.EntryForm
    title = _("Enter a return form")
    success_message = _("The form was entered.")
    cancel_url = "/channels/returns/entries/"

    def perform(self, form):
        data = form.cleaned_data
        customer = None
        if data["customer"].strip():
            customer = Customer.objects.visible_to(self.request.user).filter(code=data["customer"].strip()).first()
            if customer is None:
                raise InvalidInput(gettext("customer: no customer %(code)s in your scope.") % {"code": data["customer"]})
        row = services.EntryRow(
            msisdn=data["msisdn"].strip(), subscriber_name=data["subscriber_name"], activated_on=data["activated_on"],
            certificate_type=data["certificate_type"], certificate_no=data["certificate_no"],
            contact_phone=data["contact_phone"], package=data["package"], business=data["business"], customer=customer,
        )
        return services.form_entry_create(actor=self.request.user, agent=data["agent"], row=row)

    def success_url_for(self, obj):
        return reverse("returnforms:entries")


class EntryFilePage(_Form):
    """批量返单录入 from an Excel or CSV file: all lines or none, with a per-line report."""

    permission_required = "returnforms.add_formentry"
    form_class = forms.EntryFileForm
    title = _("Enter return forms from a file")
    cancel_url = "/channels/returns/entries/"

    def perform(self, form):
        upload = form.cleaned_data["file"]
        batch = services.entry_file_upload(actor=self.request.user, agent=form.cleaned_data["agent"],
                                           content=upload.read(), file_name=upload.name)
        if batch.status == EntryBatchStatus.DONE:
            self.success_message = gettext("%(count)s forms are entered from %(file)s.") % {
                "count": batch.entered_count, "file": batch.file_name}
        return batch

    def success_url_for(self, obj):
        return reverse("returnforms:file", args=[obj.pk])


class EntryFileListPage(ListPage):
    permission_required = "returnforms.view_entrybatch"
    model = EntryBatch
    title = _("Return form files")
    filterset_class = EntryBatchFilter
    export_name = "return-files"
    template_name = "returnforms/files.html"
    sort_fields = {"uploaded": "created_at"}
    default_sort = "-uploaded"
    columns = [
        (_("Uploaded at"), lambda b: b.created_at),
        (_("Agent"), lambda b: f"{b.agent.code} {b.agent.name}"),
        (_("File"), lambda b: b.file_name),
        (_("Status"), lambda b: b.get_status_display()),
        (_("Lines"), lambda b: b.line_count),
        (_("Entered"), lambda b: b.entered_count),
        (_("Errors"), lambda b: len(b.errors)),
    ]

    def get_queryset(self):
        return super().get_queryset().select_related("agent")

    def row_url(self, row):
        return reverse("returnforms:file", args=[row.pk])


class EntryFileDetailPage(PermissionRequiredMixin, TemplateView):
    """The result report of one file: entered, or refused with the error of every bad line."""

    permission_required = "returnforms.view_entrybatch"
    template_name = "returnforms/file_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        batch = EntryBatch.objects.visible_to(user).select_related("agent").get_visible(user, pk=self.kwargs["pk"])
        refused = services.refusal(batch).text if batch.status == EntryBatchStatus.REFUSED else ""
        return super().get_context_data(
            title=batch.file_name, batch=batch, refused=refused,
            entries=batch.entries.select_related("customer").order_by("msisdn")[:2000], **kwargs,
        )

