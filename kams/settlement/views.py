"""Settlement pages (CH-11 … CH-16): lists, configuration forms, runs, agent bills."""

from __future__ import annotations

from functools import cached_property

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView, View

from kams.audit.selectors import history_of
from kams.channels.models import Agent
from kams.core.errors import KamsError
from kams.org.models import OrgUnit
from kams.settlement import services
from kams.settlement.enums import BillState, LineKind
from kams.settlement.expressions import compile_condition, compile_number
from kams.settlement.forms import (
    AdjustmentForm,
    AgentSchemeForm,
    CompositeForm,
    RunForm,
    SchemeForm,
    SupplementForm,
    TargetForm,
    VariableForm,
    parse_steps,
)
from kams.settlement.jobs import JOB_NAME, settlement_run_start
from kams.settlement.models import (
    AgentBill,
    AgentScheme,
    BusinessScheme,
    CompositeScheme,
    Extraction,
    SettlementRun,
    SettlementVariable,
)
from kams.settlement.run import extract, parse_period
from kams.settlement.variables import REGISTRY
from kams.system.models import JobRun, JobState
from kams.web.lists import ListPage
from kams.web.pages import ServiceFormPage


class _List(ListPage):
    """A list with buttons above it: ``actions`` = [(permission, url name, label, icon)]; with
    ``edit`` = (permission, url name), each row links to its edit page for those who may edit."""

    template_name = "settlement/list.html"
    actions: list = []
    edit: tuple[str, str] | None = None
    unscoped = False

    def get_queryset(self):
        return self.get_base_queryset() if self.unscoped else super().get_queryset()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["page_actions"] = [(reverse(name), label, icon) for perm, name, label, icon in self.actions
                                   if user.has_perm(perm)]
        return context

    def row_url(self, row):
        if self.edit is None:
            return super().row_url(row)
        perm, name = self.edit
        return reverse(name, args=[row.pk]) if self.request.user.has_perm(perm) else None


class _Form(ServiceFormPage):
    """A form whose page cancels to, and after saving returns to, the list ``list_url``
    (a URL name); with ``model`` set, ``obj`` is the row of the URL's ``pk`` (None without one)."""

    list_url = ""
    model = None

    def extra_form_kwargs(self) -> dict:
        return {"user": self.request.user}

    @cached_property
    def obj(self):
        return get_object_or_404(self.model, pk=self.kwargs["pk"]) if "pk" in self.kwargs else None

    @property
    def cancel_url(self):
        return reverse(self.list_url) if self.list_url else None

    def success_url_for(self, obj):
        return reverse(self.list_url)


class VariableList(_List):
    permission_required = "settlement.view_settlementvariable"
    model = SettlementVariable
    unscoped = True
    title = _("Settlement variables")
    export_name = "settlement-variables"
    edit = ("settlement.change_settlementvariable", "settlement:variable_edit")
    columns = [
        (_("Variable"), lambda v: v.name),
        (_("Meaning"), lambda v: str(REGISTRY[v.name].label) if v.name in REGISTRY else ""),
        (_("Type"), lambda v: REGISTRY[v.name].type if v.name in REGISTRY else ""),
        (_("Enabled"), lambda v: gettext("Yes") if v.enabled else gettext("No")),
        (_("Business types"), lambda v: ", ".join(v.businesses) or gettext("All")),
        (_("Org units"), lambda v: ", ".join(u.name for u in v.units.all()) or gettext("All")),
    ]


class VariableEdit(_Form):
    permission_required = "settlement.change_settlementvariable"
    form_class = VariableForm
    model = SettlementVariable
    list_url = "settlement:variables"
    success_message = _("The variable's scope is saved.")

    def get_initial(self):
        return {"enabled": self.obj.enabled, "businesses": self.obj.businesses, "units": list(self.obj.units.all())}

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=gettext("Scope of variable %(name)s") % {"name": self.obj.name}, **kwargs)

    def perform(self, form):
        d = form.cleaned_data
        return services.set_variable_scope(actor=self.request.user, variable=self.obj, enabled=d["enabled"],
                                           businesses=d["businesses"], units=list(d["units"]))


class SchemeList(_List):
    permission_required = "settlement.view_businessscheme"
    model = BusinessScheme
    unscoped = True
    title = _("Business settlement schemes")
    export_name = "settlement-schemes"
    sort_fields = {"code": "code", "business": "business"}
    default_sort = "code"
    actions = [("settlement.add_businessscheme", "settlement:scheme_create", _("New scheme"), "bi-plus-lg")]
    columns = [
        (_("Code"), lambda s: s.code),
        (_("Name"), lambda s: s.name),
        (_("Business"), lambda s: s.get_business_display()),
        (_("Kind"), lambda s: s.current.get_kind_display() if s.current else ""),
        (_("Version"), lambda s: s.current.version if s.current else ""),
        (_("Condition"), lambda s: s.current.condition if s.current else ""),
    ]

    def row_url(self, row):
        return reverse("settlement:scheme", args=[row.pk])


class SchemeDetail(PermissionRequiredMixin, TemplateView):
    permission_required = "settlement.view_businessscheme"
    template_name = "settlement/scheme_detail.html"

    def get_context_data(self, **kwargs):
        scheme = get_object_or_404(BusinessScheme, pk=self.kwargs["pk"])
        return super().get_context_data(
            scheme=scheme, title=str(scheme), history=history_of(self.request.user, scheme),
            versions=scheme.versions.prefetch_related("units", "agent_types"),
            may_edit=self.request.user.has_perm("settlement.add_businessscheme"), **kwargs)


class ExpressionCheck(PermissionRequiredMixin, View):
    """Live validation of a scheme expression: ``{"ok": true}`` or ``{"ok": false, "error": …}``."""

    permission_required = "settlement.add_businessscheme"

    def get(self, request):
        field = request.GET.get("field", "condition")
        units = list(OrgUnit.objects.visible_to(request.user).filter(pk__in=[
            int(u) for u in request.GET.getlist("units") if u.isdigit()]))
        allowed = services.variable_checker(request.GET.get("business", ""), units)
        try:
            if field == "base":
                compile_number(request.GET.get("text", ""), field=gettext("base"), allowed=allowed)
            else:
                compile_condition(request.GET.get("text", ""), field=gettext("condition"), allowed=allowed)
        except KamsError as exc:
            return JsonResponse({"ok": False, "error": exc.text})
        return JsonResponse({"ok": True})


class SchemeCreate(_Form):
    """A new scheme, or (``?scheme=pk``) a new version of one: expressions are checked live
    (``ExpressionCheck``) and again on save."""

    permission_required = "settlement.add_businessscheme"
    form_class = SchemeForm
    template_name = "settlement/scheme_form.html"
    title = _("Business settlement scheme")
    list_url = "settlement:schemes"
    success_message = _("The scheme version is saved.")

    def get_initial(self):
        scheme = BusinessScheme.objects.filter(pk=self.request.GET.get("scheme") or 0).first()
        version = scheme.current if scheme else None
        if version is None:
            return {}
        return {"code": scheme.code, "name": scheme.name, "business": scheme.business, "kind": version.kind,
                "condition": version.condition, "base": version.base, "rate": version.rate, "months": version.months,
                "steps": ", ".join(f"{s['from']}:{s['amount']}" for s in version.steps),
                "units": list(version.units.all()), "agent_types": list(version.agent_types.all()), "note": ""}

    def perform(self, form):
        d = form.cleaned_data
        return services.save_scheme(
            actor=self.request.user, code=d["code"], name=d["name"], business=d["business"], kind=d["kind"],
            condition=d["condition"], base=d["base"], rate=d["rate"], months=d["months"],
            steps=parse_steps(d["steps"]), units=list(d["units"]), agent_types=list(d["agent_types"]), note=d["note"])

    def success_url_for(self, obj):
        return reverse("settlement:scheme", args=[obj.scheme_id])


class CompositeList(_List):
    permission_required = "settlement.view_compositescheme"
    model = CompositeScheme
    unscoped = True
    title = _("Composite settlement schemes")
    export_name = "settlement-composites"
    edit = ("settlement.change_compositescheme", "settlement:composite_edit")
    actions = [("settlement.add_compositescheme", "settlement:composite_create", _("New composite scheme"),
                "bi-plus-lg")]
    columns = [
        (_("Code"), lambda c: c.code),
        (_("Name"), lambda c: c.name),
        (_("Business schemes"), lambda c: ", ".join(s.code for s in c.schemes.all())),
    ]


class CompositeEdit(_Form):
    permission_required = "settlement.add_compositescheme"
    form_class = CompositeForm
    title = _("Composite settlement scheme")
    model = CompositeScheme
    list_url = "settlement:composites"
    success_message = _("The composite scheme is saved.")

    def extra_form_kwargs(self):
        return {}

    def get_initial(self):
        if self.obj is None:
            return {}
        return {"code": self.obj.code, "name": self.obj.name, "schemes": list(self.obj.schemes.all())}

    def perform(self, form):
        d = form.cleaned_data
        return services.save_composite(actor=self.request.user, code=d["code"], name=d["name"],
                                       schemes=list(d["schemes"]), composite=self.obj)


class AgentSchemeList(_List):
    permission_required = "settlement.view_agentscheme"
    model = Agent
    title = _("Agent settlement schemes")
    export_name = "agent-settlement-schemes"
    actions = [("settlement.change_agentscheme", "settlement:agent_scheme_edit", _("Assign a scheme"), "bi-pencil")]
    columns = [
        (_("Agent"), lambda a: f"{a.code} {a.name}"),
        (_("Marketing department"), lambda a: a.org_unit.name),
        (_("Primary"), lambda a: str(a.scheme_row.primary) if a.scheme_row else gettext("No scheme: cannot be settled")),
        (_("Valid from"), lambda a: a.scheme_row.valid_from if a.scheme_row else ""),
        (_("Valid until"), lambda a: a.scheme_row.valid_until if a.scheme_row else ""),
        (_("Fallback"), lambda a: str(a.scheme_row.fallback or "") if a.scheme_row else ""),
    ]

    def get_base_queryset(self):
        return Agent.objects.select_related("org_unit").order_by("code")

    def prepare(self, rows):
        schemes = {s.agent_id: s for s in AgentScheme.objects.filter(agent__in=rows).select_related("primary",
                                                                                                     "fallback")}
        for row in rows:
            row.scheme_row = schemes.get(row.pk)
        return rows


class AgentSchemeEdit(_Form):
    permission_required = "settlement.change_agentscheme"
    form_class = AgentSchemeForm
    title = _("Assign a settlement scheme")
    list_url = "settlement:agent_schemes"
    success_message = _("The agent's settlement scheme is saved.")

    def perform(self, form):
        d = form.cleaned_data
        return services.assign_scheme(actor=self.request.user, agent=d["agent"], primary=d["primary"],
                                      fallback=d["fallback"], valid_from=d["valid_from"],
                                      valid_until=d["valid_until"])


def _target(d) -> dict:
    return {"period": parse_period(d["period"]), "agent": d.get("agent"), "unit": d.get("unit")}


class ExtractionList(_List):
    permission_required = "settlement.view_extraction"
    model = Extraction
    title = _("Extractions")
    export_name = "settlement-extractions"
    actions = [("settlement.add_extraction", "settlement:extraction_create", _("Extract"), "bi-database-down")]
    columns = [
        (_("Period"), lambda e: f"{e.period:%Y-%m}"),
        (_("Number"), lambda e: e.number),
        (_("Marketing department"), lambda e: e.org_unit.name if e.org_unit else ""),
        (_("Agent"), lambda e: e.agent.code if e.agent else ""),
        (_("Subscribers"), lambda e: e.row_count),
        (_("Created at"), lambda e: e.created_at),
    ]


class ExtractionCreate(_Form):
    permission_required = "settlement.add_extraction"
    form_class = TargetForm
    title = _("Extract subscribers and bills")
    list_url = "settlement:extractions"
    success_message = _("The extraction is done.")

    def perform(self, form):
        return extract(actor=self.request.user, **_target(form.cleaned_data))


class RunList(_List):
    permission_required = "settlement.view_settlementrun"
    model = SettlementRun
    title = _("Settlement runs")
    export_name = "settlement-runs"
    template_name = "settlement/runs.html"
    actions = [("settlement.add_settlementrun", "settlement:run_create", _("Start a settlement"), "bi-play")]
    columns = [
        (_("Run"), lambda r: r.number),
        (_("Kind"), lambda r: r.get_kind_display()),
        (_("Period"), lambda r: f"{r.period:%Y-%m}"),
        (_("Marketing department"), lambda r: r.org_unit.name if r.org_unit else ""),
        (_("Agent"), lambda r: r.agent.code if r.agent else ""),
        (_("State"), lambda r: r.get_state_display()),
        (_("Total"), lambda r: r.total),
        (_("Agents without scheme"), lambda r: len(r.without_scheme)),
    ]

    def row_url(self, row):
        return reverse("settlement:run", args=[row.pk])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        jobs = list(JobRun.objects.filter(name=JOB_NAME).order_by("-created_at", "-id")[:5])
        context.update(jobs=jobs, jobs_running=any(j.state in (JobState.QUEUED, JobState.RUNNING) for j in jobs))
        return context


class RunCreate(_Form):
    """Checks the run at once and queues it for ``kams worker``: its progress shows on the runs
    list and the jobs page (``kams settle`` settles in the foreground)."""

    permission_required = "settlement.add_settlementrun"
    form_class = RunForm
    title = _("Start a settlement")
    list_url = "settlement:runs"
    success_message = _("The settlement run is queued; its progress shows on the runs list and the jobs page.")

    def perform(self, form):
        return settlement_run_start(actor=self.request.user, kind=form.cleaned_data["kind"],
                                    extraction=form.cleaned_data["extraction"], **_target(form.cleaned_data))


class RunDetail(PermissionRequiredMixin, TemplateView):
    permission_required = "settlement.view_settlementrun"
    template_name = "settlement/run_detail.html"

    def get_context_data(self, **kwargs):
        run = SettlementRun.objects.get_visible(self.request.user, pk=self.kwargs["pk"])
        bills = AgentBill.objects.visible_to(self.request.user).filter(run=run).select_related("agent", "composite")
        return super().get_context_data(run=run, bills=bills, title=str(run), **kwargs)


class BillList(_List):
    permission_required = "settlement.view_agentbill"
    model = AgentBill
    title = _("Agent settlement bills")
    export_name = "agent-settlement-bills"
    sort_fields = {"period": "period", "agent": "agent__code", "amount": "amount"}
    columns = [
        (_("Agent"), lambda b: f"{b.agent.code} {b.agent.name}"),
        (_("Period"), lambda b: f"{b.period:%Y-%m}"),
        (_("Run"), lambda b: b.run.number),
        (_("Re-settlement"), lambda b: gettext("Yes") if b.original_id else ""),
        (_("Settled amount"), lambda b: b.amount),
        (_("Rewards and fines"), lambda b: b.adjustments),
        (_("Net amount"), lambda b: b.net),
        (_("State"), lambda b: b.get_state_display()),
    ]

    def get_base_queryset(self):
        return AgentBill.objects.select_related("agent", "run")

    def row_url(self, row):
        return reverse("settlement:bill", args=[row.pk])


class BillDetail(PermissionRequiredMixin, TemplateView):
    permission_required = "settlement.view_agentbill"
    template_name = "settlement/bill_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        bill = AgentBill.objects.get_visible(user, pk=self.kwargs["pk"])
        lines = bill.lines.select_related("scheme", "version", "original__bill__run").order_by("kind", "scheme",
                                                                                                "rank", "msisdn")
        return super().get_context_data(
            bill=bill, title=str(bill), lines=[ln for ln in lines if ln.kind != LineKind.RECALC],
            recalc=[ln for ln in lines if ln.kind == LineKind.RECALC], adjustments=bill.adjustment_lines.all(),
            history=history_of(user, bill),
            may_adjust=bill.state == BillState.OPEN and user.has_perm("settlement.change_agentbill"),
            may_pay=bill.state == BillState.OPEN and user.has_perm("settlement.pay_agentbill"),
            may_supplement=bill.state == BillState.PAID and user.has_perm("settlement.pay_agentbill"), **kwargs)


class _BillForm(ServiceFormPage):
    @cached_property
    def bill(self):
        return AgentBill.objects.get_visible(self.request.user, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(cancel_url=reverse("settlement:bill", args=[self.bill.pk]), **kwargs)

    def success_url_for(self, obj):
        return reverse("settlement:bill", args=[self.bill.pk])


class BillAdjust(_BillForm):
    permission_required = "settlement.change_agentbill"
    form_class = AdjustmentForm
    title = _("Extra reward or fine")
    success_message = _("The adjustment is recorded.")

    def perform(self, form):
        d = form.cleaned_data
        return services.adjust_bill(actor=self.request.user, bill=self.bill, kind=d["kind"], amount=d["amount"],
                                    reason=d["reason"])


class BillSupplement(_BillForm):
    permission_required = "settlement.pay_agentbill"
    form_class = SupplementForm
    title = _("Supplementary payment or recovery")
    success_message = _("The supplementary payment or recovery is recorded.")

    def perform(self, form):
        d = form.cleaned_data
        return services.supplement_or_recover(actor=self.request.user, bill=self.bill, kind=d["kind"],
                                              amount=d["amount"], reason=d["reason"])


class BillPay(PermissionRequiredMixin, TemplateView):
    """POST only: the payout (返利) of the bill's net amount."""

    permission_required = "settlement.pay_agentbill"
    http_method_names = ["post"]

    def post(self, request, pk):
        from django.contrib import messages

        bill = AgentBill.objects.get_visible(request.user, pk=pk)
        try:
            services.pay_bill(actor=request.user, bill=bill)
            messages.success(request, gettext("The bill is paid out into the rebate sub-account."))
        except KamsError as exc:
            messages.error(request, exc.text)
        return redirect("settlement:bill", pk=bill.pk)

