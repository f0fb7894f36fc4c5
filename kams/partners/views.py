"""Pages of the club's partners (俱乐部合作伙伴管理, CLUB-19).

Every page reads through scoped selectors; every write goes to one service of
``kams.partners.services`` (which checks permission and scope again and writes the audit log).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from functools import cached_property

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from kams.audit.selectors import history_of
from kams.core.errors import InvalidInput, KamsError
from kams.partners import forms, selectors, services
from kams.partners.enums import AgreementState, Direction, LineKind, StatementState
from kams.partners.filters import (
    ActivityFilter,
    AgreementFilter,
    AppraisalFilter,
    BatchFilter,
    ExchangeFilter,
    ImportFilter,
    OutletFilter,
    PartnerFilter,
    ServiceFilter,
    StatementFilter,
)
from kams.partners.models import (
    Appraisal,
    AppraisalIndicator,
    Coupon,
    CouponBatch,
    ExchangeImport,
    Partner,
    PartnerActivity,
    PartnerAgreement,
    PartnerExchange,
    PartnerOutlet,
    PartnerService,
    SettlementStatement,
)
from kams.web.exports import xlsx_response
from kams.web.lists import ListPage
from kams.web.pages import ServiceFormPage


def _yes(value: bool) -> str:
    return gettext("Yes") if value else gettext("No")


def _month(day) -> str:
    return f"{day:%Y-%m}" if day else ""


class _ActionsList(ListPage):
    """A list with buttons above it: ``actions`` = [(permission, url name, label, icon)]."""

    template_name = "partners/list.html"
    actions: list[tuple[str, str, object, str]] = []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["page_actions"] = [(reverse(name), label, icon) for perm, name, label, icon in self.actions
                                   if user.has_perm(perm)]
        return context


class _Form(ServiceFormPage):
    """A form page whose record (if any) is found in the reader's scope; shows its history."""

    model = None
    list_url = ""

    @cached_property
    def obj(self):
        if "pk" not in self.kwargs or self.model is None:
            return None
        return self.model.objects.get_visible(self.request.user, pk=self.kwargs["pk"])

    def extra_form_kwargs(self):
        return {"user": self.request.user}

    def get_initial(self):
        if self.obj is None:
            return {"partner": self.request.GET.get("partner", "")}
        form = self.get_form_class()
        names = getattr(form, "field_names", ())
        initial = {name: getattr(self.obj, name) for name in names}
        if "levels" in names:
            initial["levels"] = list(self.obj.levels.all())
        return initial

    def get_context_data(self, **kwargs):
        kwargs.setdefault("cancel_url", reverse(self.list_url) if self.list_url else None)
        if self.obj is not None:
            kwargs.setdefault("history", history_of(self.request.user, self.obj))
        return super().get_context_data(**kwargs)

    def success_url_for(self, obj):
        return reverse(self.list_url)


# --- Partners --------------------------------------------------------------------------------------------


class PartnerListPage(_ActionsList):
    """合作伙伴基本资料."""

    permission_required = "partners.view_partner"
    model = Partner
    title = _("Club partners")
    filterset_class = PartnerFilter
    export_name = "club-partners"
    sort_fields = {"name": "name", "code": "code", "since": "cooperation_since"}
    default_sort = "name"
    actions = [("partners.add_partner", "partners:partner_create", _("New partner"), "bi-plus-lg")]
    columns = [
        (_("Partner"), lambda p: p.name),
        (_("Code"), lambda p: p.code),
        (_("Industry"), lambda p: p.get_industry_display()),
        (_("Unit"), lambda p: p.org_unit.name),
        (_("Status"), lambda p: p.get_status_display()),
        (_("Cooperating since"), lambda p: p.cooperation_since),
        (_("Contact person"), lambda p: p.contact_name),
        (_("Contact phone"), lambda p: p.contact_phone),
        (_("Partner system"), lambda p: p.channel.code if p.channel else ""),
    ]

    def get_queryset(self):
        return selectors.partners_for(self.request.user)

    def row_url(self, row):
        return reverse("partners:partner", args=[row.pk])


class PartnerFormPage(_Form):
    permission_required = "partners.add_partner"
    form_class = forms.PartnerForm
    model = Partner
    list_url = "partners:list"
    success_message = _("The partner was saved.")

    def extra_form_kwargs(self):
        return {"user": self.request.user, "editing": self.obj is not None}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", self.obj.name if self.obj else _("New partner"))
        return super().get_context_data(**kwargs)

    def perform(self, form):
        data = dict(form.cleaned_data)
        if self.obj is not None:
            data.pop("code", None)
        return services.partner_save(actor=self.request.user, partner=self.obj, **data)

    def success_url_for(self, obj):
        return reverse("partners:partner", args=[obj.pk])


class PartnerDetailPage(PermissionRequiredMixin, TemplateView):
    """A partner: base data, agreements, outlets, activities, coupons, the items through
    which our points are spent there, exchanges in both directions, appraisals, statements
    and its history."""

    permission_required = "partners.view_partner"
    template_name = "partners/partner_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        partner = selectors.partners_for(user).get_visible(user, pk=self.kwargs["pk"])
        return super().get_context_data(
            title=partner.name, partner=partner,
            agreements=selectors.agreements_for(user).filter(partner=partner)[:20],
            outlets=selectors.outlets_for(user).filter(partner=partner)[:50],
            activities=selectors.activities_for(user).filter(partner=partner)[:20],
            batches=selectors.batches_for(user).filter(partner=partner)[:20],
            services=selectors.services_for(user).filter(partner=partner),
            appraisals=selectors.appraisals_for(user).filter(partner=partner)[:12],
            statements=selectors.statements_for(user).filter(partner=partner)[:12],
            summary=selectors.partner_summary(partner),
            in_force=services.agreement_in_force(partner, timezone.localdate()),
            history=history_of(user, partner), **kwargs,
        )


# --- Agreements --------------------------------------------------------------------------------------------


class AgreementListPage(_ActionsList):
    """合作伙伴合同/协议."""

    permission_required = "partners.view_partneragreement"
    model = PartnerAgreement
    title = _("Partner agreements")
    filterset_class = AgreementFilter
    export_name = "partner-agreements"
    sort_fields = {"from": "valid_from", "to": "valid_to", "number": "number"}
    default_sort = "-from"
    actions = [("partners.add_partneragreement", "partners:agreement_create", _("New agreement"), "bi-plus-lg")]
    columns = [
        (_("Agreement number"), lambda a: a.number),
        (_("Partner"), lambda a: a.partner.name),
        (_("Title"), lambda a: a.title),
        (_("Valid from"), lambda a: a.valid_from),
        (_("Valid to"), lambda a: a.valid_to),
        (_("State"), lambda a: a.get_state_display()),
        (_("Our points for 1 yuan at the partner"), lambda a: a.outbound_points_per_yuan),
        (_("Our points per yuan spent at the partner"), lambda a: a.inbound_points_per_yuan.normalize()),
        (_("Settlement price per point (yuan)"), lambda a: a.settlement_price.normalize()),
    ]

    def get_queryset(self):
        return selectors.agreements_for(self.request.user)

    def row_url(self, row):
        return reverse("partners:agreement", args=[row.pk])


class AgreementFormPage(_Form):
    permission_required = "partners.add_partneragreement"
    form_class = forms.AgreementForm
    model = PartnerAgreement
    list_url = "partners:agreements"
    success_message = _("The agreement was saved as a draft: it is in force once approved.")

    def extra_form_kwargs(self):
        return {"user": self.request.user, "with_partner": self.obj is None}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", str(self.obj) if self.obj else _("New partner agreement"))
        return super().get_context_data(**kwargs)

    def perform(self, form):
        data = dict(form.cleaned_data)
        if self.obj is None:
            return services.agreement_save(actor=self.request.user, **data)
        return services.agreement_save(actor=self.request.user, agreement=self.obj, **data)

    def success_url_for(self, obj):
        return reverse("partners:agreement", args=[obj.pk])


class AgreementDetailPage(PermissionRequiredMixin, TemplateView):
    permission_required = "partners.view_partneragreement"
    template_name = "partners/agreement_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        agreement = selectors.agreements_for(user).get_visible(user, pk=self.kwargs["pk"])
        totals = {r["direction"]: r for r in selectors.effective(PartnerExchange.objects.filter(agreement=agreement))
                  .values("direction").annotate(**_sums())}
        return super().get_context_data(
            title=str(agreement), agreement=agreement, totals=totals, history=history_of(user, agreement),
            may_edit=agreement.state == AgreementState.DRAFT and user.has_perm("partners.change_partneragreement"),
            may_approve=agreement.state == AgreementState.DRAFT and user.has_perm("partners.approve_partneragreement"),
            may_end=agreement.state == AgreementState.ACTIVE and user.has_perm("partners.change_partneragreement"),
            **kwargs,
        )


def _sums() -> dict:
    from django.db.models import Count, Sum

    return {"points": Sum("points"), "amount": Sum("amount"), "n": Count("id")}


class _PostAction(PermissionRequiredMixin, View):
    """A button that runs one service on one record and returns to ``back``."""

    model = None
    back = ""
    done = ""

    def run(self, obj):
        raise NotImplementedError

    def post(self, request, pk):
        obj = self.model.objects.get_visible(request.user, pk=pk)
        try:
            self.run(obj)
        except KamsError as exc:
            messages.error(request, exc.text)
        else:
            messages.success(request, self.done)
        return redirect(self.back, pk=pk)


class AgreementApproveView(_PostAction):
    permission_required = "partners.approve_partneragreement"
    model = PartnerAgreement
    back = "partners:agreement"
    done = _("The agreement is approved.")

    def run(self, obj):
        services.agreement_approve(actor=self.request.user, agreement=obj)


class AgreementEndPage(_Form):
    permission_required = "partners.change_partneragreement"
    form_class = forms.AgreementEndForm
    model = PartnerAgreement
    list_url = "partners:agreements"
    title = _("End the agreement")
    success_message = _("The agreement ends on the day given.")

    def extra_form_kwargs(self):
        return {}

    def get_initial(self):
        return {}

    def perform(self, form):
        return services.agreement_end(actor=self.request.user, agreement=self.obj, **form.cleaned_data)

    def success_url_for(self, obj):
        return reverse("partners:agreement", args=[obj.pk])


# --- Activities, outlets, services ---------------------------------------------------------------------


class ActivityListPage(_ActionsList):
    """合作伙伴活动."""

    permission_required = "partners.view_partneractivity"
    model = PartnerActivity
    title = _("Partner activities")
    filterset_class = ActivityFilter
    export_name = "partner-activities"
    sort_fields = {"starts": "starts_on"}
    default_sort = "-starts"
    actions = [("partners.add_partneractivity", "partners:activity_create", _("New activity"), "bi-plus-lg")]
    columns = [
        (_("Activity"), lambda a: a.name),
        (_("Partner"), lambda a: a.partner.name),
        (_("Benefit for members"), lambda a: a.benefit),
        (_("Starts on"), lambda a: a.starts_on),
        (_("Ends on"), lambda a: a.ends_on),
        (_("For levels"), lambda a: ", ".join(lv.name for lv in a.levels.all()) or gettext("All levels")),
        (_("Phase"), lambda a: a.phase),
    ]

    def get_queryset(self):
        return selectors.activities_for(self.request.user)

    def row_url(self, row):
        return reverse("partners:activity_edit", args=[row.pk]) if self.request.user.has_perm("partners.change_partneractivity") else None


class ActivityFormPage(_Form):
    permission_required = "partners.add_partneractivity"
    form_class = forms.ActivityForm
    model = PartnerActivity
    list_url = "partners:activities"
    success_message = _("The activity was saved.")

    def extra_form_kwargs(self):
        return {"user": self.request.user, "with_partner": self.obj is None}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", self.obj.name if self.obj else _("New partner activity"))
        return super().get_context_data(**kwargs)

    def perform(self, form):
        if self.obj is None:
            return services.activity_save(actor=self.request.user, **form.cleaned_data)
        return services.activity_save(actor=self.request.user, activity=self.obj, **form.cleaned_data)


class OutletListPage(_ActionsList):
    """合作伙伴网点."""

    permission_required = "partners.view_partneroutlet"
    model = PartnerOutlet
    title = _("Partner outlets")
    filterset_class = OutletFilter
    export_name = "partner-outlets"
    sort_fields = {"city": "city", "partner": "partner__name"}
    actions = [("partners.add_partneroutlet", "partners:outlet_create", _("New outlet"), "bi-plus-lg")]
    columns = [
        (_("Outlet"), lambda o: o.name),
        (_("Partner"), lambda o: o.partner.name),
        (_("City"), lambda o: o.city),
        (_("Address"), lambda o: o.address),
        (_("Phone"), lambda o: o.phone),
        (_("Opening hours"), lambda o: o.opening_hours),
        (_("Accepts our points"), lambda o: _yes(o.accepts_points)),
        (_("Accepts coupons"), lambda o: _yes(o.accepts_coupons)),
        (_("Open"), lambda o: _yes(o.is_active)),
    ]

    def get_queryset(self):
        return selectors.outlets_for(self.request.user)

    def row_url(self, row):
        return reverse("partners:outlet_edit", args=[row.pk]) if self.request.user.has_perm("partners.change_partneroutlet") else None


class OutletFormPage(_Form):
    permission_required = "partners.add_partneroutlet"
    form_class = forms.OutletForm
    model = PartnerOutlet
    list_url = "partners:outlets"
    success_message = _("The outlet was saved.")

    def extra_form_kwargs(self):
        return {"user": self.request.user, "with_partner": self.obj is None}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", str(self.obj) if self.obj else _("New partner outlet"))
        return super().get_context_data(**kwargs)

    def perform(self, form):
        if self.obj is None:
            return services.outlet_save(actor=self.request.user, **form.cleaned_data)
        return services.outlet_save(actor=self.request.user, outlet=self.obj, **form.cleaned_data)


class ServiceListPage(_ActionsList):
    """The catalogue items through which our points are spent at partners, with their use."""

    permission_required = "partners.view_partnerservice"
    model = PartnerService
    title = _("Partner services")
    filterset_class = ServiceFilter
    export_name = "partner-services"
    actions = [("partners.add_partnerservice", "partners:service_create", _("Link a redemption item"), "bi-link-45deg")]
    columns = [
        (_("Partner"), lambda s: s.partner.name),
        (_("Item code"), lambda s: s.item.code),
        (_("Item"), lambda s: s.item.name),
        (_("Points"), lambda s: s.item.points),
        (_("Face value (yuan)"), lambda s: s.item.face_value),
        (_("On offer"), lambda s: _yes(s.item.is_active)),
        (_("Redemptions"), lambda s: s.redemptions),
        (_("Note"), lambda s: s.note),
    ]

    def get_queryset(self):
        from django.db.models import Count, Q

        return selectors.services_for(self.request.user).annotate(
            redemptions=Count("item__redemptions", filter=Q(item__redemptions__state="done"))).order_by("partner__name", "item__code")

    def row_url(self, row):
        return reverse("partners:partner", args=[row.partner_id])


class ServiceLinkPage(_Form):
    permission_required = "partners.add_partnerservice"
    form_class = forms.ServiceLinkForm
    list_url = "partners:services"
    title = _("Link a redemption item to a partner")
    success_message = _("The item is linked: its redemptions are our points spent at the partner.")

    def perform(self, form):
        return services.partner_service_link(actor=self.request.user, **form.cleaned_data)


# --- Coupons -----------------------------------------------------------------------------------------------


class BatchListPage(_ActionsList):
    """合作伙伴优惠券: batches with what was issued and redeemed."""

    permission_required = "partners.view_couponbatch"
    model = CouponBatch
    title = _("Partner coupons")
    filterset_class = BatchFilter
    export_name = "partner-coupon-batches"
    sort_fields = {"created": "created_at", "to": "valid_to"}
    default_sort = "-created"
    actions = [
        ("partners.redeem_coupon", "partners:coupon_redeem", _("Redeem a coupon"), "bi-check2-square"),
        ("partners.add_couponbatch", "partners:batch_create", _("New coupon batch"), "bi-plus-lg"),
    ]
    columns = [
        (_("Batch"), lambda b: b.name),
        (_("Partner"), lambda b: b.partner.name),
        (_("Benefit"), lambda b: b.benefit),
        (_("Face value (yuan)"), lambda b: b.face_value),
        (_("Quantity"), lambda b: b.quantity),
        (_("Issued"), lambda b: b.issued),
        (_("Redeemed"), lambda b: b.redeemed),
        (_("Valid from"), lambda b: b.valid_from),
        (_("Valid to"), lambda b: b.valid_to),
    ]

    def get_queryset(self):
        return selectors.batches_for(self.request.user)

    def row_url(self, row):
        return reverse("partners:batch", args=[row.pk])


class BatchFormPage(_Form):
    permission_required = "partners.add_couponbatch"
    form_class = forms.BatchForm
    list_url = "partners:batches"
    title = _("New coupon batch")
    success_message = _("The coupon codes were generated.")

    def get_initial(self):
        today = timezone.localdate()
        return {"partner": self.request.GET.get("partner", ""), "quantity": 100, "valid_from": today,
                "valid_to": today + datetime.timedelta(days=90), "face_value": Decimal("0")}

    def perform(self, form):
        return services.coupon_batch_create(actor=self.request.user, **form.cleaned_data)

    def success_url_for(self, obj):
        return reverse("partners:batch", args=[obj.pk])


COUPON_COLUMNS = [
    (_("Coupon code"), lambda c: c.code),
    (_("State"), lambda c: c.get_state_display()),
    (_("Member number"), lambda c: c.member.member_no if c.member else ""),
    (_("Member"), lambda c: c.member.name if c.member else ""),
    (_("Issued at"), lambda c: c.issued_at),
    (_("Redeemed at"), lambda c: c.redeemed_at),
    (_("Outlet"), lambda c: c.outlet.name if c.outlet else ""),
    (_("Redeemed via"), lambda c: c.redeemed_via),
]


class BatchDetailPage(PermissionRequiredMixin, TemplateView):
    """A coupon batch: its counts, its codes (Excel: all of them), issue, history."""

    permission_required = "partners.view_couponbatch"
    template_name = "partners/batch_detail.html"

    @cached_property
    def batch(self):
        return selectors.batches_for(self.request.user).get_visible(self.request.user, pk=self.kwargs["pk"])

    def coupons(self):
        coupons = Coupon.objects.filter(batch=self.batch).select_related("member", "outlet").order_by("code")
        state = self.request.GET.get("state", "")
        return coupons.filter(state=state) if state else coupons

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx":
            return xlsx_response(rows=self.coupons().iterator(chunk_size=2000), columns=COUPON_COLUMNS,
                                 filename=f"coupons-{self.batch.pk}", sheet=self.batch.name)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        from django.core.paginator import Paginator

        page = Paginator(self.coupons(), 100).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            title=str(self.batch), batch=self.batch, page_obj=page, coupons=page.object_list,
            state=self.request.GET.get("state", ""), history=history_of(self.request.user, self.batch),
            query=f"state={self.request.GET['state']}" if self.request.GET.get("state") else "",
            issue_form=forms.IssueForm(), may_issue=self.request.user.has_perm("partners.change_coupon"), **kwargs,
        )


class BatchIssuePage(_Form):
    """发放: coupons of the batch to the members named (by member or card number)."""

    permission_required = "partners.change_coupon"
    form_class = forms.IssueForm
    model = CouponBatch
    list_url = "partners:batches"
    title = _("Issue coupons to members")

    def extra_form_kwargs(self):
        return {}

    def get_initial(self):
        return {}

    def perform(self, form):
        members, missing = selectors.members_by_numbers(self.request.user, form.cleaned_data["numbers"])
        if missing:
            raise InvalidInput(gettext("members: no active member or card %(numbers)s in your scope.") % {
                "numbers": ", ".join(missing[:10])})
        coupons = services.coupons_issue(actor=self.request.user, batch=self.obj, members=members)
        messages.success(self.request, gettext("%(n)s coupons were issued.") % {"n": len(coupons)})
        return self.obj

    def success_url_for(self, obj):
        return reverse("partners:batch", args=[obj.pk])


class CouponRedeemPage(_Form):
    """核销 at the desk on behalf of a partner (partner systems use the API)."""

    permission_required = "partners.redeem_coupon"
    form_class = forms.CouponRedeemForm
    list_url = "partners:batches"
    title = _("Redeem a coupon")

    def perform(self, form):
        coupon = services.coupon_redeem(actor=self.request.user, **form.cleaned_data)
        messages.success(self.request, gettext("Coupon %(code)s was redeemed.") % {"code": coupon.code})
        return coupon

    def success_url_for(self, obj):
        return reverse("partners:coupon_redeem")


class CouponVoidPage(_Form):
    permission_required = "partners.change_coupon"
    form_class = forms.ReasonForm
    model = Coupon
    list_url = "partners:batches"
    title = _("Void a coupon")
    success_message = _("The coupon is void.")

    def extra_form_kwargs(self):
        return {}

    def get_initial(self):
        return {}

    def perform(self, form):
        return services.coupon_void(actor=self.request.user, coupon=self.obj, reason=form.cleaned_data["reason"])

    def success_url_for(self, obj):
        return reverse("partners:batch", args=[obj.batch_id])


# --- Exchanges ---------------------------------------------------------------------------------------------


class ExchangeListPage(_ActionsList):
    """积分互换记录: both directions, with their agreement and source."""

    permission_required = "partners.view_partnerexchange"
    model = PartnerExchange
    title = _("Points exchanges with partners")
    filterset_class = ExchangeFilter
    export_name = "partner-exchanges"
    sort_fields = {"at": "occurred_at", "points": "points"}
    default_sort = "-at"
    actions = [
        ("partners.view_exchangeimport", "partners:imports", _("Monthly files"), "bi-files"),
        ("partners.add_exchangeimport", "partners:import", _("Load a monthly file"), "bi-upload"),
        ("partners.add_partnerexchange", "partners:exchange_create", _("Record a spend"), "bi-plus-lg"),
    ]
    columns = [
        (_("At"), lambda e: e.occurred_at),
        (_("Partner"), lambda e: e.partner.name),
        (_("Direction"), lambda e: e.get_direction_display()),
        (_("Member number"), lambda e: e.member.member_no),
        (_("Member"), lambda e: e.member.name),
        (_("Card number"), lambda e: e.card.card_no if e.card else ""),
        (_("Points"), lambda e: e.points),
        (_("Amount (yuan)"), lambda e: e.amount),
        (_("Agreement"), lambda e: e.agreement.number if e.agreement else ""),
        (_("Transaction id"), lambda e: e.external_id),
        (_("Source"), lambda e: e.get_source_display()),
        (_("Reversed"), lambda e: _yes(e.redemption is not None and e.redemption.state == "reversed")),
    ]

    def get_queryset(self):
        return selectors.exchanges_for(self.request.user)

    def row_url(self, row):
        return reverse("partners:partner", args=[row.partner_id])


class ExchangeCreatePage(_Form):
    """A spend at the partner reported by phone or on paper, recorded by club staff."""

    permission_required = "partners.add_partnerexchange"
    form_class = forms.InboundForm
    list_url = "partners:exchanges"
    title = _("Record a spend at a partner")

    def perform(self, form):
        exchange, created = services.exchange_inbound(actor=self.request.user, **form.cleaned_data)
        if created:
            messages.success(self.request, gettext("%(points)s points were credited.") % {"points": exchange.points})
        else:
            messages.info(self.request, gettext("This transaction was recorded before: nothing was credited again."))
        return exchange


class ImportPage(_Form):
    """合作伙伴月度消费文件: validated row by row, valid rows credited in one transaction."""

    permission_required = "partners.add_exchangeimport"
    form_class = forms.ImportForm
    list_url = "partners:imports"
    title = _("Load a partner's monthly file")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.request.method == "POST":
            kwargs["files"] = self.request.FILES
        return kwargs

    def perform(self, form):
        upload = form.cleaned_data["file"]
        return services.exchanges_import(actor=self.request.user, partner=form.cleaned_data["partner"],
                                         content=upload.read(), file_name=upload.name)

    def success_url_for(self, obj):
        return reverse("partners:import_detail", args=[obj.pk])


class ImportListPage(_ActionsList):
    permission_required = "partners.view_exchangeimport"
    model = ExchangeImport
    title = _("Partners' monthly files")
    filterset_class = ImportFilter
    export_name = "partner-files"
    actions = [("partners.add_exchangeimport", "partners:import", _("Load a monthly file"), "bi-upload")]
    columns = [
        (_("Loaded at"), lambda i: i.created_at),
        (_("Partner"), lambda i: i.partner.name),
        (_("File"), lambda i: i.file_name),
        (_("Rows"), lambda i: i.rows),
        (_("Credited"), lambda i: i.credited),
        (_("Already recorded"), lambda i: i.duplicates),
        (_("Rejected"), lambda i: i.rejected),
        (_("Points"), lambda i: i.points),
        (_("Amount (yuan)"), lambda i: i.amount),
    ]

    def get_queryset(self):
        return selectors.imports_for(self.request.user)

    def row_url(self, row):
        return reverse("partners:import_detail", args=[row.pk])


class ImportDetailPage(PermissionRequiredMixin, TemplateView):
    permission_required = "partners.view_exchangeimport"
    template_name = "partners/import_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        record = selectors.imports_for(user).get_visible(user, pk=self.kwargs["pk"])
        return super().get_context_data(title=f"{record.partner.name} · {record.file_name}", record=record,
                                        history=history_of(user, record), **kwargs)


class StatisticsPage(PermissionRequiredMixin, TemplateView):
    """外部合作伙伴积分消费与积分互换统计 (13.9): by partner, month and direction, with charts
    and an Excel export."""

    permission_required = "partners.view_partnerexchange"
    template_name = "partners/statistics.html"

    def _filters(self) -> dict:
        get = self.request.GET
        since = parse_date((get.get("since") or "") + ("-01" if len(get.get("since") or "") == 7 else ""))
        until = parse_date((get.get("until") or "") + ("-01" if len(get.get("until") or "") == 7 else ""))
        partner_id = get.get("partner", "")
        partner = (Partner.objects.visible_to(self.request.user).filter(pk=partner_id).first()
                   if partner_id.isdigit() else None)
        direction = get.get("direction", "") if get.get("direction", "") in Direction.values else ""
        return {"since": since, "until": until, "partner": partner, "direction": direction}

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx":
            stats = selectors.exchange_statistics(request.user, **self._filters())
            columns = [
                (_("Month"), lambda r: _month(r["period"])), (_("Partner"), lambda r: r["partner__name"]),
                (_("Direction"), lambda r: r["direction_label"]), (_("Points"), lambda r: r["points"]),
                (_("Amount (yuan)"), lambda r: r["amount"]), (_("Members"), lambda r: r["members"]),
                (_("Exchanges"), lambda r: r["exchanges"]),
            ]
            return xlsx_response(rows=stats["rows"], columns=columns, filename="partner-exchange-statistics",
                                 sheet=str(_("Partner exchange statistics")))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        filters = self._filters()
        stats = selectors.exchange_statistics(self.request.user, **filters)
        chart = {
            "months": [_month(r["period"]) for r in stats["by_month"]],
            "inbound": [r["inbound"] for r in stats["by_month"]],
            "outbound": [r["outbound"] for r in stats["by_month"]],
            "partners": [{"name": r["partner"], "value": r["inbound"] + r["outbound"]} for r in stats["by_partner"]],
            "labels": {"inbound": gettext("Points credited for partner consumption"),
                       "outbound": gettext("Our points spent at partners")},
        }
        query = self.request.GET.copy()
        query["export"] = "xlsx"
        return super().get_context_data(
            title=_("Partner exchange statistics"), stats=stats, chart=chart, filters=filters,
            partners=Partner.objects.visible_to(self.request.user).order_by("name"), directions=Direction.choices,
            export_url="?" + query.urlencode(), **kwargs,
        )


# --- Settlement --------------------------------------------------------------------------------------------


class StatementListPage(_ActionsList):
    """俱乐部合作伙伴结算: statements per partner and month."""

    permission_required = "partners.view_settlementstatement"
    model = SettlementStatement
    title = _("Partner settlement")
    filterset_class = StatementFilter
    export_name = "partner-settlement"
    sort_fields = {"month": "period", "net": "net"}
    default_sort = "-month"
    actions = [("partners.add_settlementstatement", "partners:settlement_run", _("Compute the settlement"), "bi-calculator")]
    columns = [
        (_("Month"), lambda s: _month(s.period)),
        (_("Partner"), lambda s: s.partner.name),
        (_("State"), lambda s: s.get_state_display()),
        (_("Points credited for partner consumption"), lambda s: s.inbound_points),
        (_("Points spent at the partner"), lambda s: s.outbound_points),
        (_("Receivable (yuan)"), lambda s: s.receivable),
        (_("Payable (yuan)"), lambda s: s.payable),
        (_("Net (yuan)"), lambda s: s.net),
        (_("Adjustments (yuan)"), lambda s: s.adj_receivable - s.adj_payable),
        (_("Confirmed at"), lambda s: s.confirmed_at),
    ]

    def get_queryset(self):
        return selectors.statements_for(self.request.user)

    def row_url(self, row):
        return reverse("partners:settlement", args=[row.pk])


class SettlementRunPage(_Form):
    permission_required = "partners.add_settlementstatement"
    form_class = forms.SettlementRunForm
    list_url = "partners:settlements"
    title = _("Compute the partner settlement")

    def get_initial(self):
        return {"partner": self.request.GET.get("partner", ""), "period": forms.last_month()}

    def perform(self, form):
        partner, period = form.cleaned_data["partner"], form.cleaned_data["period"]
        if partner is not None:
            statement = services.settlement_compute(actor=self.request.user, partner=partner, period=period)
            messages.success(self.request, gettext("The statement was computed."))
            return statement
        statements = services.settlement_run(actor=self.request.user, period=period)
        messages.success(self.request, gettext("%(n)s statements were computed.") % {"n": len(statements)})
        return None

    def success_url_for(self, obj):
        return reverse("partners:settlement", args=[obj.pk]) if obj is not None else reverse("partners:settlements")


LINE_COLUMNS = [
    (_("Kind"), lambda line: line.get_kind_display()),
    (_("Direction"), lambda line: line.get_direction_display()),
    (_("Agreement"), lambda line: line.agreement.number if line.agreement else gettext("No agreement")),
    (_("Exchanges"), lambda line: line.exchanges),
    (_("Members"), lambda line: line.members),
    (_("Points"), lambda line: line.points),
    (_("Amount (yuan)"), lambda line: line.amount),
    (_("Price per point (yuan)"), lambda line: line.price),
    (_("Value (yuan)"), lambda line: line.value),
    (_("Note"), lambda line: line.note),
]


class StatementDetailPage(PermissionRequiredMixin, TemplateView):
    """A statement: its lines and adjustments, confirm and pay, the Excel statement, history."""

    permission_required = "partners.view_settlementstatement"
    template_name = "partners/statement_detail.html"

    @cached_property
    def statement(self):
        return selectors.statements_for(self.request.user).get_visible(self.request.user, pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx":
            return self._xlsx()
        return super().get(request, *args, **kwargs)

    def _xlsx(self):
        s = self.statement
        lines = list(selectors.statement_lines(s))
        head = [
            (gettext("Partner"), s.partner.name), (gettext("Month"), _month(s.period)), (gettext("State"), s.get_state_display()),
            (gettext("Receivable (yuan)"), s.receivable), (gettext("Payable (yuan)"), s.payable), (gettext("Net (yuan)"), s.net),
            (gettext("Adjustments (yuan)"), s.adj_receivable - s.adj_payable),
            (gettext("Net after adjustments (yuan)"), s.net + s.adj_receivable - s.adj_payable),
        ]
        rows = [{"head": h} for h in head] + [{"line": line} for line in lines]

        def cell(index):
            def get(row):
                if "head" in row:
                    return row["head"][index] if index < 2 else ""
                return LINE_COLUMNS[index][1](row["line"])
            return get

        columns = [(title, cell(i)) for i, (title, _g) in enumerate(LINE_COLUMNS)]
        return xlsx_response(rows=rows, columns=columns, filename=f"settlement-{s.partner.code}-{_month(s.period)}",
                             sheet=f"{s.partner.code} {_month(s.period)}")

    def get_context_data(self, **kwargs):
        user = self.request.user
        s = self.statement
        lines = list(selectors.statement_lines(s))
        return super().get_context_data(
            title=str(s), statement=s, computed=[x for x in lines if x.kind == LineKind.COMPUTED],
            adjustments=[x for x in lines if x.kind == LineKind.ADJUSTMENT],
            adjustment_net=s.adj_receivable - s.adj_payable, adjusted_net=s.net + s.adj_receivable - s.adj_payable,
            history=history_of(user, s), pay_form=forms.PayForm(),
            may_compute=user.has_perm("partners.add_settlementstatement"),
            may_confirm=s.state == StatementState.DRAFT and user.has_perm("partners.confirm_settlementstatement"),
            may_pay=s.state == StatementState.CONFIRMED and user.has_perm("partners.pay_settlementstatement"),
            **kwargs,
        )


class StatementRecomputeView(_PostAction):
    permission_required = "partners.add_settlementstatement"
    model = SettlementStatement
    back = "partners:settlement"
    done = _("The statement was recomputed.")

    def run(self, obj):
        services.settlement_compute(actor=self.request.user, partner=obj.partner, period=obj.period)


class StatementConfirmView(_PostAction):
    permission_required = "partners.confirm_settlementstatement"
    model = SettlementStatement
    back = "partners:settlement"
    done = _("The statement is confirmed: its figures are fixed.")

    def run(self, obj):
        services.settlement_confirm(actor=self.request.user, statement=obj)


class StatementPayView(PermissionRequiredMixin, View):
    permission_required = "partners.pay_settlementstatement"

    def post(self, request, pk):
        statement = SettlementStatement.objects.get_visible(request.user, pk=pk)
        form = forms.PayForm(request.POST)
        if not form.is_valid():
            messages.error(request, gettext("Give the reference of the payment."))
            return redirect("partners:settlement", pk=pk)
        try:
            services.settlement_pay(actor=request.user, statement=statement, **form.cleaned_data)
        except KamsError as exc:
            messages.error(request, exc.text)
        else:
            messages.success(request, gettext("The payment was recorded."))
        return redirect("partners:settlement", pk=pk)


# --- Appraisal ---------------------------------------------------------------------------------------------


class AppraisalListPage(_ActionsList):
    """俱乐部合作伙伴考核: totals and ranks per period."""

    permission_required = "partners.view_appraisal"
    model = Appraisal
    title = _("Partner appraisal")
    filterset_class = AppraisalFilter
    export_name = "partner-appraisal"
    sort_fields = {"period": "period", "total": "total", "rank": "rank"}
    default_sort = "-period"
    actions = [
        ("partners.view_appraisalindicator", "partners:indicators", _("Indicators"), "bi-list-check"),
        ("partners.add_appraisal", "partners:appraisal_create", _("Appraise a partner"), "bi-plus-lg"),
    ]
    columns = [
        (_("Period"), lambda a: a.period_label),
        (_("Partner"), lambda a: a.partner.name),
        (_("Total score"), lambda a: a.total),
        (_("Rank"), lambda a: a.rank),
        (_("Appraised by"), lambda a: a.appraised_by.get_username() if a.appraised_by else ""),
        (_("Comment"), lambda a: a.comment),
    ]

    def get_queryset(self):
        return selectors.appraisals_for(self.request.user)

    def row_url(self, row):
        return reverse("partners:appraisal", args=[row.pk])


class AppraisalFormPage(_Form):
    permission_required = "partners.add_appraisal"
    form_class = forms.AppraisalForm
    list_url = "partners:appraisals"
    title = _("Appraise a partner")
    success_message = _("The appraisal was saved and the partners of the period ranked again.")

    def get_initial(self):
        return {"partner": self.request.GET.get("partner", ""), "period": timezone.localdate()}

    def perform(self, form):
        d = form.cleaned_data
        return services.appraisal_save(actor=self.request.user, partner=d["partner"], period_kind=d["period_kind"],
                                       period=d["period"], scores=form.scores(), comment=d["comment"])

    def success_url_for(self, obj):
        return reverse("partners:appraisal", args=[obj.pk])


class AppraisalDetailPage(PermissionRequiredMixin, TemplateView):
    permission_required = "partners.view_appraisal"
    template_name = "partners/appraisal_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        appraisal = selectors.appraisals_for(user).get_visible(user, pk=self.kwargs["pk"])
        ranking = (selectors.appraisals_for(user).filter(period_kind=appraisal.period_kind, period=appraisal.period)
                   .order_by("rank", "partner__name"))
        return super().get_context_data(
            title=str(appraisal), appraisal=appraisal, ranking=ranking,
            scores=appraisal.scores.select_related("indicator"), history=history_of(user, appraisal), **kwargs)


class IndicatorListPage(_ActionsList):
    permission_required = "partners.view_appraisalindicator"
    model = AppraisalIndicator
    title = _("Partner appraisal indicators")
    export_name = "partner-appraisal-indicators"
    actions = [("partners.add_appraisalindicator", "partners:indicator_create", _("New indicator"), "bi-plus-lg")]
    columns = [
        (_("Code"), lambda i: i.code), (_("Indicator"), lambda i: i.name), (_("Weight"), lambda i: i.weight),
        (_("Full marks"), lambda i: i.max_score), (_("How it is judged"), lambda i: i.description),
        (_("In use"), lambda i: _yes(i.is_active)),
    ]

    def row_url(self, row):
        return reverse("partners:indicator_edit", args=[row.pk]) if self.request.user.has_perm("partners.change_appraisalindicator") else None


class IndicatorFormPage(_Form):
    permission_required = "partners.add_appraisalindicator"
    form_class = forms.IndicatorForm
    model = AppraisalIndicator
    list_url = "partners:indicators"
    success_message = _("The indicator was saved.")

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", self.obj.name if self.obj else _("New appraisal indicator"))
        return super().get_context_data(**kwargs)

    def get_initial(self):
        return super().get_initial() if self.obj else {"weight": 1, "max_score": 100, "is_active": True}

    def perform(self, form):
        return services.indicator_save(actor=self.request.user, indicator=self.obj, **form.cleaned_data)
