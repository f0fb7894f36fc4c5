"""Pages of visits (SVC-07) and customer care (SVC-08).

Every page reads through scoped selectors; every write goes to one service of
``kams.care.services`` (which checks permission and scope again and writes the audit log).
"""

from __future__ import annotations

import datetime
from functools import cached_property

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from kams.care import forms, selectors, services
from kams.care.enums import SATISFACTION_COLOURS, PlanState, ProposalState, Satisfaction
from kams.care.filters import ActionFilter, MoveFilter, PlanFilter, ProposalFilter, StockFilter, VisitFilter
from kams.care.models import CareAction, CareProposal, CareRule, Gift, GiftMove, GiftStock, Visit, VisitPlan
from kams.core.errors import InvalidInput, KamsError
from kams.customers.models import Customer
from kams.org.scoping import scope_for
from kams.service.enums import CaseStatus
from kams.service.models import WorkItem
from kams.web.exports import xlsx_response
from kams.web.lists import ListPage
from kams.web.pages import ServiceFormPage


class HtmlCell:
    """A cell shown as HTML on the page and as plain text in the Excel export."""

    def __init__(self, text, html):
        self.text, self.html = str(text), html

    def __str__(self) -> str:
        return self.text

    def __html__(self) -> str:
        return str(self.html)


def _links(*pairs) -> HtmlCell:
    shown = [(url, label) for url, label in pairs if url]
    return HtmlCell("", format_html_join(" ", '<a class="btn btn-sm btn-link py-0" href="{}">{}</a>', shown))


def _case_url(case) -> str | None:
    try:
        return reverse("service:case", args=[case.pk])
    except NoReverseMatch:
        return None


def _customer_url(customer_id: int) -> str:
    return reverse("customers:detail", args=[customer_id]) + "#section-visits_care"


def _rate(value) -> str:
    return "—" if value is None else f"{value}%"


# --- Visit plans ---------------------------------------------------------------------------------


class PlanListPage(ListPage):
    """回访计划: the plans in scope with their execution."""

    permission_required = "care.view_visitplan"
    model = VisitPlan
    title = _("Visit plans")
    filterset_class = PlanFilter
    export_name = "visit-plans"
    template_name = "care/plans.html"
    sort_fields = {"due": "due_on", "created": "created_at"}
    default_sort = "-created"
    columns = [
        (_("Plan name"), lambda p: p.name),
        (_("Unit"), lambda p: p.org_unit.name),
        (_("Made by"), lambda p: p.owner.name if p.owner else ""),
        (_("State"), lambda p: p.get_state_display()),
        (_("Visits due by"), lambda p: p.due_on),
        (_("Customer count"), lambda p: p.customer_count),
        (_("Visits done"), lambda p: p.visits_done),
        (_("Stopped"), lambda p: p.visits_stopped),
        (_("Execution rate"), lambda p: _rate(selectors.execution_rate(p.visits_total, p.visits_done))),
    ]

    def get_queryset(self):
        return selectors.plans_for(self.request.user)

    def row_url(self, row):
        return reverse("care:plan", args=[row.pk])


class PlanFormPage(ServiceFormPage):
    permission_required = "care.add_visitplan"
    form_class = forms.PlanForm
    success_message = _("The visit plan was saved. Check the customers it finds, then approve it.")

    @cached_property
    def plan(self):
        return VisitPlan.objects.get_visible(self.request.user, pk=self.kwargs["pk"]) if "pk" in self.kwargs else None

    def extra_form_kwargs(self):
        return {"user": self.request.user, "own_only": scope_for(self.request.user).own_only}

    def get_initial(self):
        if self.plan is None:
            return {"due_on": timezone.localdate() + datetime.timedelta(days=14), "skip_open": True, "days_since_visit": 90}
        return {name: getattr(self.plan, name) for name in forms.PlanForm.base_fields}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", _("Edit visit plan") if self.plan else _("New visit plan"))
        kwargs.setdefault("cancel_url", reverse("care:plans"))
        return super().get_context_data(**kwargs)

    def perform(self, form):
        values = {k: v for k, v in form.cleaned_data.items()}
        if values.get("org_unit") is None:
            values.pop("org_unit", None)
        values["days_since_visit"] = values.get("days_since_visit")
        return services.visit_plan_save(actor=self.request.user, plan=self.plan, **values)

    def success_url_for(self, obj):
        return reverse("care:plan", args=[obj.pk])


class PlanDetailPage(PermissionRequiredMixin, TemplateView):
    """A plan: its conditions; while a draft the customers it finds (预览) and approval; then
    its visits, the job's progress and its execution."""

    permission_required = "care.view_visitplan"
    template_name = "care/plan_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        plan = selectors.plans_for(user).get_visible(user, pk=self.kwargs["pk"])
        context = super().get_context_data(title=plan.name, plan=plan, **kwargs)
        if plan.state == PlanState.DRAFT:
            candidates = selectors.plan_candidates(plan, user)
            context["preview_count"] = candidates.count()
            context["preview"] = list(candidates[:100])
        else:
            context["visits"] = list(
                Visit.objects.visible_to(user).filter(plan=plan).select_related("case", "customer", "manager")
                .order_by("customer__code")[:200]
            )
            context["rate"] = selectors.execution_rate(plan.visits_total, plan.visits_done)
        context["may_edit"] = plan.state == PlanState.DRAFT and user.has_perm("care.change_visitplan")
        context["may_approve"] = plan.state == PlanState.DRAFT and user.has_perm("care.approve_visitplan")
        return context


class PlanApproveView(PermissionRequiredMixin, View):
    permission_required = "care.approve_visitplan"

    def post(self, request, pk):
        plan = VisitPlan.objects.get_visible(request.user, pk=pk)
        try:
            plan = services.visit_plan_approve(actor=request.user, plan=plan)
        except KamsError as exc:
            messages.error(request, exc.text)
        else:
            if plan.state == PlanState.RUNNING:
                messages.success(request, gettext("The plan is approved; its %(n)s visits are being opened.") % {"n": plan.customer_count})
            else:
                messages.success(request, gettext("The plan is approved: %(n)s visits opened.") % {"n": plan.customer_count})
        return redirect("care:plan", pk=pk)


class PlanCancelPage(ServiceFormPage):
    permission_required = "care.change_visitplan"
    form_class = forms.StopForm
    title = _("Cancel visit plan")

    def perform(self, form):
        plan = VisitPlan.objects.get_visible(self.request.user, pk=self.kwargs["pk"])
        return services.visit_plan_cancel(actor=self.request.user, plan=plan, reason=form.cleaned_data["reason"])

    def success_url_for(self, obj):
        return reverse("care:plans")


# --- Visits -----------------------------------------------------------------------------------------


def _result_label(case, labels) -> str:
    value = case.data.get("satisfaction")
    return labels.get(str(value), str(value)) if value else ""


class VisitListPage(ListPage):
    """回访任务: the visits of plans in scope, with changes (postpone, stop, reassign)."""

    permission_required = "care.view_visit"
    model = Visit
    title = _("Visits")
    filterset_class = VisitFilter
    export_name = "visits"
    sort_fields = {"due": "due_at", "customer": "customer__code"}
    default_sort = "due"

    def get_queryset(self):
        return selectors.visits_for(self.request.user)

    def get(self, request, *args, **kwargs):
        labels = selectors.satisfaction_labels()
        may_change = request.user.has_perm("care.change_visit")
        now = timezone.now()
        self.columns = [
            (_("Customer"), lambda v: v.customer.name),
            (_("Case"), lambda v: v.case.number),
            (_("Plan"), lambda v: v.plan.name if v.plan else ""),
            (_("Visited by"), lambda v: v.manager.name if v.manager else ""),
            (_("Due"), lambda v: v.due_at),
            (_("Status"), lambda v: v.case.get_status_display()),
            (_("Late"), lambda v: gettext("Yes") if (v.case.status == CaseStatus.OPEN and v.due_at and v.due_at < now)
             or (v.case.closed_at and v.due_at and v.case.status == CaseStatus.CLOSED and v.case.closed_at > v.due_at) else ""),
            (_("Satisfaction"), lambda v: _result_label(v.case, labels)),
        ]
        if may_change:
            self.columns.append((_("Change"), lambda v: _links(
                (reverse("care:visit_postpone", args=[v.pk]), gettext("Postpone")),
                (reverse("care:visit_reassign", args=[v.pk]), gettext("Reassign")),
                (reverse("care:visit_stop", args=[v.pk]), gettext("Stop")),
            ) if v.case.status == CaseStatus.OPEN else ""))
        return super().get(request, *args, **kwargs)

    def row_url(self, row):
        return _case_url(row.case) or _customer_url(row.customer_id)


class _VisitChangePage(ServiceFormPage):
    permission_required = "care.change_visit"

    @cached_property
    def visit(self):
        return Visit.objects.select_related("customer", "case").get_visible(self.request.user, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", f"{self.title}: {self.visit.customer.name} · {self.visit.case.number}")
        kwargs.setdefault("cancel_url", reverse("care:visits"))
        return super().get_context_data(**kwargs)

    def success_url_for(self, obj):
        return reverse("care:visits")


class VisitPostponePage(_VisitChangePage):
    form_class = forms.PostponeForm
    title = _("Postpone visit")
    success_message = _("The visit was postponed.")

    def get_initial(self):
        due = self.visit.due_at or timezone.now()
        return {"due_on": timezone.localtime(due).date() + datetime.timedelta(days=7)}

    def perform(self, form):
        return services.visit_postpone(actor=self.request.user, visit=self.visit, **form.cleaned_data)


class VisitStopPage(_VisitChangePage):
    form_class = forms.StopForm
    title = _("Stop visit")
    success_message = _("The visit was stopped.")

    def perform(self, form):
        return services.visit_stop(actor=self.request.user, visit=self.visit, reason=form.cleaned_data["reason"])


class VisitReassignPage(_VisitChangePage):
    form_class = forms.ReassignForm
    title = _("Reassign visit")
    success_message = _("The visit was given to someone else.")

    def extra_form_kwargs(self):
        return {"user": self.request.user}

    def perform(self, form):
        return services.visit_reassign(actor=self.request.user, visit=self.visit, **form.cleaned_data)


class QuickResultPage(PermissionRequiredMixin, TemplateView):
    """回访结果快速录入: the manager's open visit steps in one list; one click books the
    appointment or records the satisfaction with a short note."""

    permission_required = "care.change_visit"
    template_name = "care/quick.html"

    def get_context_data(self, **kwargs):
        items = list(selectors.quick_items_for(self.request.user)[:200])
        rows = []
        for item in items:
            form = services.step_form_of(item)
            has_sat = any(f["name"] == selectors.SATISFACTION_FIELD for f in form)
            try:
                services.quick_values(form, satisfaction=Satisfaction.SATISFIED if has_sat else None, step=item.step_name)
                quick = "result" if has_sat else "step"
            except KamsError:
                quick = None
            rows.append({
                "item": item, "quick": quick, "url": _case_url(item.case), "late": item.deadline < timezone.now(),
                "when": next((f for f in form if f["type"] in ("date", "datetime")), None),
            })
        return super().get_context_data(
            title=_("Quick visit results"), rows=rows, satisfactions=[(k, v, SATISFACTION_COLOURS[k]) for k, v in Satisfaction.choices],
            now=timezone.localtime().strftime("%Y-%m-%dT%H:%M"), **kwargs,
        )

    def post(self, request):
        form = forms.QuickResultForm(request.POST)
        item = WorkItem.objects.filter(pk=request.POST.get("item")).first()
        if item is None or not form.is_valid():
            messages.error(request, gettext("The step or the input is not valid."))
            return redirect("care:quick")
        data = form.cleaned_data
        when = data.get("when")
        if when is not None and timezone.is_naive(when):
            when = timezone.make_aware(when)
        try:
            case = services.visit_result_quick(
                actor=request.user, item=item, satisfaction=data["satisfaction"] or None, note=data["note"], when=when,
            )
        except PermissionDenied:
            raise
        except KamsError as exc:
            messages.error(request, exc.text)
        else:
            messages.success(request, gettext("%(case)s: %(step)s done.") % {"case": case.number, "step": item.step_name})
        return redirect("care:quick")


class VisitStatsPage(PermissionRequiredMixin, TemplateView):
    """回访统计: visits planned, done and late per month, unit and manager; results and
    satisfaction; plan execution — with charts and an Excel export."""

    permission_required = "care.view_visit"
    template_name = "care/stats.html"

    def _filters(self) -> dict:
        from django.utils.dateparse import parse_date

        from kams.org.models import OrgUnit

        get = self.request.GET
        filters = {"since": parse_date(get.get("since", "") or "") , "until": parse_date(get.get("until", "") or "")}
        unit_id = get.get("unit", "")
        filters["unit"] = OrgUnit.objects.visible_to(self.request.user).filter(pk=unit_id).first() if unit_id.isdigit() else None
        return filters

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx":
            stats = selectors.visit_statistics(request.user, **self._filters())
            rows = [(str(dim), r) for dim, key in ((_("Month"), "by_month"), (_("Unit"), "by_unit"), (_("Account manager"), "by_manager"))
                    for r in stats[key]]
            columns = [
                (_("Grouped by"), lambda t: t[0]), (_("Group"), lambda t: t[1]["label"]), (_("Planned"), lambda t: t[1]["planned"]),
                (_("Done"), lambda t: t[1]["done"]), (_("Stopped"), lambda t: t[1]["stopped"]), (_("Late"), lambda t: t[1]["late"]),
                (_("Execution rate"), lambda t: _rate(t[1]["rate"])),
            ]
            return xlsx_response(rows=rows, columns=columns, filename="visit-statistics", sheet=str(_("Visit statistics")))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        from kams.org.models import OrgUnit

        filters = self._filters()
        stats = selectors.visit_statistics(self.request.user, **filters)
        labels = selectors.satisfaction_labels()
        colours = {labels.get(k, k): v for k, v in SATISFACTION_COLOURS.items()}
        chart = {
            "months": [r["label"] for r in stats["by_month"]],
            "planned": [r["planned"] for r in stats["by_month"]],
            "done": [r["done"] for r in stats["by_month"]],
            "late": [r["late"] for r in stats["by_month"]],
            "satisfaction": [{"name": r["label"], "value": r["count"], "itemStyle": {"color": colours.get(r["label"], "#6c757d")}}
                             for r in stats["satisfaction"]],
            "labels": {"planned": gettext("Planned"), "done": gettext("Done"), "late": gettext("Late")},
        }
        query = self.request.GET.copy()
        query["export"] = "xlsx"
        return super().get_context_data(
            title=_("Visit statistics"), stats=stats, chart=chart, filters=filters,
            units=OrgUnit.objects.visible_to(self.request.user).order_by("path")[:300], export_url="?" + query.urlencode(),
            **kwargs,
        )


# --- Care proposals and records ---------------------------------------------------------------------


class ProposalListPage(ListPage):
    """关怀建议: what the care rules propose for the coming days, to accept or dismiss."""

    permission_required = "care.view_careproposal"
    model = CareProposal
    title = _("Care proposals")
    filterset_class = ProposalFilter
    export_name = "care-proposals"
    template_name = "care/proposals.html"
    sort_fields = {"date": "occasion_on"}
    default_sort = "date"

    def get_queryset(self):
        return selectors.proposals_for(self.request.user)

    def get(self, request, *args, **kwargs):
        may = request.user.has_perm("care.change_careproposal")
        self.columns = [
            (_("Occasion date"), lambda p: p.occasion_on),
            (_("Customer"), lambda p: p.customer.name),
            (_("Occasion"), lambda p: p.occasion),
            (_("Proposed action"), lambda p: p.action_text),
            (_("Proposed gift"), lambda p: f"{p.gift.name} × {p.gift_quantity}" if p.gift else ""),
            (_("Account manager"), lambda p: p.manager.name if p.manager else ""),
            (_("State"), lambda p: p.get_state_display() + (f" · {p.dismiss_reason}" if p.dismiss_reason else "")),
        ]
        if may:
            self.columns.append((_("Decide"), self._buttons))
        return super().get(request, *args, **kwargs)

    def _buttons(self, p):
        if p.state not in (ProposalState.PROPOSED, ProposalState.EXPIRED):
            return ""
        return HtmlCell("", format_html(
            '<form method="post" action="{}" class="d-inline">'
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
            '<button class="btn btn-sm btn-success py-0" name="as_proposed" value="1">{}</button></form> '
            '<a class="btn btn-sm btn-link py-0" href="{}">{}</a><a class="btn btn-sm btn-link py-0 text-danger" href="{}">{}</a>',
            reverse("care:proposal_accept", args=[p.pk]), self._csrf, gettext("Accept"),
            reverse("care:proposal_accept", args=[p.pk]), gettext("Change…"),
            reverse("care:proposal_dismiss", args=[p.pk]), gettext("Dismiss"),
        ))

    @cached_property
    def _csrf(self):
        from django.middleware.csrf import get_token

        return get_token(self.request)

    def row_url(self, row):
        return _customer_url(row.customer_id)


class ProposalAcceptPage(ServiceFormPage):
    """采纳: give the care (as proposed, or changed): a care record, the gift issued from stock."""

    permission_required = "care.change_careproposal"
    form_class = forms.AcceptForm
    success_message = _("The care was recorded.")

    @cached_property
    def proposal(self):
        return CareProposal.objects.select_related("customer", "gift").get_visible(self.request.user, pk=self.kwargs["pk"])

    def extra_form_kwargs(self):
        return {"user": self.request.user}

    def post(self, request, *args, **kwargs):
        if request.POST.get("as_proposed"):
            try:
                services.care_proposal_accept(actor=request.user, proposal=self.proposal)
            except KamsError as exc:
                messages.error(request, exc.text)
            else:
                messages.success(request, self.success_message)
            return redirect("care:proposals")
        return super().post(request, *args, **kwargs)

    def get_initial(self):
        p = self.proposal
        return {"kind": "gift" if p.gift else "greeting", "content": f"{p.occasion}: {p.action_text}",
                "happened_on": timezone.localdate(), "gift": p.gift, "gift_quantity": p.gift_quantity or None}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", _("Care for %(customer)s") % {"customer": self.proposal.customer.name})
        kwargs.setdefault("cancel_url", reverse("care:proposals"))
        return super().get_context_data(**kwargs)

    def perform(self, form):
        d = form.cleaned_data
        return services.care_proposal_accept(
            actor=self.request.user, proposal=self.proposal, kind=d["kind"], content=d["content"], happened_on=d["happened_on"],
            gift=d["gift"], gift_quantity=d["gift_quantity"], stock_unit=d["stock_unit"], use_proposed_gift=False,
        )

    def success_url_for(self, obj):
        return reverse("care:proposals")


class ProposalDismissPage(ServiceFormPage):
    permission_required = "care.change_careproposal"
    form_class = forms.DismissForm
    title = _("Dismiss care proposal")
    success_message = _("The proposal was dismissed.")

    def perform(self, form):
        proposal = CareProposal.objects.get_visible(self.request.user, pk=self.kwargs["pk"])
        return services.care_proposal_dismiss(actor=self.request.user, proposal=proposal, reason=form.cleaned_data["reason"])

    def success_url_for(self, obj):
        return reverse("care:proposals")


class ActionListPage(ListPage):
    """关怀记录: care given in scope, with the gift and the survey score."""

    permission_required = "care.view_careaction"
    model = CareAction
    title = _("Care records")
    filterset_class = ActionFilter
    export_name = "care-records"
    template_name = "care/actions.html"
    sort_fields = {"date": "happened_on"}
    default_sort = "-date"

    def get_queryset(self):
        return selectors.actions_for(self.request.user)

    def get(self, request, *args, **kwargs):
        may_survey = request.user.has_perm("care.add_caresurvey")
        self.columns = [
            (_("Date"), lambda a: a.happened_on),
            (_("Customer"), lambda a: a.customer.name),
            (_("Contact"), lambda a: a.contact.name if a.contact else ""),
            (_("Care"), lambda a: a.get_kind_display()),
            (_("What was done"), lambda a: a.content),
            (_("Gift"), lambda a: f"{a.gift.name} × {a.gift_quantity}" if a.gift else ""),
            (_("Care rule"), lambda a: a.rule.name if a.rule else ""),
            (_("Given by"), lambda a: a.manager.name if a.manager else ""),
            (_("Survey score"), lambda a: self._survey(a, may_survey)),
        ]
        return super().get(request, *args, **kwargs)

    @staticmethod
    def _survey(action, may):
        survey = getattr(action, "survey", None)
        if survey is not None:
            return survey.score
        if may:
            return _links((reverse("care:action_survey", args=[action.pk]), gettext("Survey")))
        return ""

    def row_url(self, row):
        return _customer_url(row.customer_id)


class ActionCreatePage(ServiceFormPage):
    """A care record without a proposal (a visit of condolence, a gift on request)."""

    permission_required = "care.add_careaction"
    form_class = forms.ActionForm
    title = _("Record care given")
    success_message = _("The care was recorded.")
    cancel_url = "/care/actions/"

    def extra_form_kwargs(self):
        return {"user": self.request.user}

    def get_initial(self):
        return {"happened_on": timezone.localdate(), "customer": self.request.GET.get("customer", ""), "kind": "greeting"}

    def perform(self, form):
        d = dict(form.cleaned_data)
        customer = Customer.objects.visible_to(self.request.user).filter(code__iexact=d.pop("customer").strip()).first()
        if customer is None:
            raise InvalidInput(gettext("customer: no customer with this number in your scope."))
        return services.care_action_record(actor=self.request.user, customer=customer, **d)

    def success_url_for(self, obj):
        return reverse("care:actions")


class SurveyPage(ServiceFormPage):
    permission_required = "care.add_caresurvey"
    form_class = forms.SurveyForm
    title = _("Care effect survey")
    success_message = _("The survey was recorded.")

    def perform(self, form):
        action = CareAction.objects.get_visible(self.request.user, pk=self.kwargs["pk"])
        return services.care_survey_record(actor=self.request.user, action=action, **form.cleaned_data)

    def success_url_for(self, obj):
        return reverse("care:actions")


# --- Care-pattern library: rules and their effect ---------------------------------------------------------


class RulesPage(PermissionRequiredMixin, TemplateView):
    """关怀模式库: the rules, what they proposed, what was done and how it was received."""

    permission_required = "care.view_carerule"
    template_name = "care/rules.html"

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx":
            rows = selectors.care_effect_by_rule(request.user)
            columns = [
                (_("Care rule"), lambda r: r["rule"].name), (_("Occasion"), lambda r: r["rule"].get_kind_display()),
                (_("Proposed action"), lambda r: r["rule"].action_text), (_("Proposals"), lambda r: r["proposals"]),
                (_("Accepted"), lambda r: r["accepted"]), (_("Dismissed"), lambda r: r["dismissed"]),
                (_("Expired"), lambda r: r["expired"]), (_("Care records"), lambda r: r["actions"]),
                (_("Gifts issued"), lambda r: r["gifts"]), (_("Surveys"), lambda r: r["surveys"]),
                (_("Average score"), lambda r: r["score"]),
            ]
            return xlsx_response(rows=rows, columns=columns, filename="care-patterns", sheet=str(_("Care-pattern library")))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        user = self.request.user
        rules = selectors.care_effect_by_rule(user)
        gifts = selectors.care_effect_by_gift(user)
        chart = {"rules": [r["rule"].name for r in rules], "score": [r["score"] or 0 for r in rules],
                 "acceptance": [r["acceptance"] or 0 for r in rules],
                 "labels": {"score": gettext("Average score"), "acceptance": gettext("Acceptance %")}}
        return super().get_context_data(title=_("Care-pattern library"), rules=rules, gifts=gifts, chart=chart, **kwargs)


class RuleFormPage(ServiceFormPage):
    permission_required = "care.add_carerule"
    form_class = forms.RuleForm
    success_message = _("The care rule was saved.")
    cancel_url = "/care/rules/"

    @cached_property
    def rule(self):
        return CareRule.objects.filter(pk=self.kwargs["pk"]).first() if "pk" in self.kwargs else None

    def get_initial(self):
        if self.rule is None:
            return {"days_ahead": 3, "gift_quantity": 1, "is_active": True}
        return {name: getattr(self.rule, name) for name in forms.RuleForm.base_fields}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", self.rule.name if self.rule else _("New care rule"))
        return super().get_context_data(**kwargs)

    def perform(self, form):
        return services.care_rule_save(actor=self.request.user, rule=self.rule, **form.cleaned_data)

    def success_url_for(self, obj):
        return reverse("care:rules")


# --- Gifts and stock ------------------------------------------------------------------------------------


class GiftListPage(ListPage):
    permission_required = "care.view_gift"
    model = Gift
    title = _("Gift catalogue")
    export_name = "gifts"
    template_name = "care/gifts.html"
    columns = [
        (_("Code"), lambda g: g.code), (_("Gift name"), lambda g: g.name), (_("Unit"), lambda g: g.unit_label),
        (_("Reference cost (yuan)"), lambda g: g.reference_cost), (_("Active"), lambda g: gettext("Yes") if g.is_active else gettext("No")),
        (_("Note"), lambda g: g.note),
    ]

    def row_url(self, row):
        return reverse("care:gift_edit", args=[row.pk]) if self.request.user.has_perm("care.change_gift") else None


class GiftFormPage(ServiceFormPage):
    permission_required = "care.add_gift"
    form_class = forms.GiftForm
    success_message = _("The gift was saved.")
    cancel_url = "/care/gifts/"

    @cached_property
    def gift(self):
        return Gift.objects.filter(pk=self.kwargs["pk"]).first() if "pk" in self.kwargs else None

    def get_initial(self):
        return {name: getattr(self.gift, name) for name in forms.GiftForm.base_fields} if self.gift else {"is_active": True}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", self.gift.name if self.gift else _("New gift"))
        return super().get_context_data(**kwargs)

    def perform(self, form):
        return services.gift_save(actor=self.request.user, gift=self.gift, **form.cleaned_data)

    def success_url_for(self, obj):
        return reverse("care:gifts")


class StockListPage(ListPage):
    """礼品库存: stock per gift and unit in scope."""

    permission_required = "care.view_giftstock"
    model = GiftStock
    title = _("Gift stock")
    filterset_class = StockFilter
    export_name = "gift-stock"
    template_name = "care/stock.html"
    columns = [
        (_("Gift"), lambda s: s.gift.name), (_("Unit"), lambda s: s.org_unit.name),
        (_("In stock"), lambda s: s.quantity), (_("Stock value (yuan)"), lambda s: s.value), (_("Updated at"), lambda s: s.updated_at),
    ]

    def get_base_queryset(self):
        return GiftStock.objects.select_related("gift", "org_unit")

    def row_url(self, row):
        return reverse("care:moves") + f"?gift={row.gift_id}&unit={row.org_unit_id}"


class StockInPage(ServiceFormPage):
    permission_required = "care.add_giftstock"
    form_class = forms.StockInForm
    title = _("Gifts into stock")
    success_message = _("The gifts were taken into stock.")
    cancel_url = "/care/stock/"

    def extra_form_kwargs(self):
        return {"user": self.request.user}

    def perform(self, form):
        return services.stock_in(actor=self.request.user, **form.cleaned_data)

    def success_url_for(self, obj):
        return reverse("care:stock")


class TransferPage(StockInPage):
    permission_required = "care.transfer_giftstock"
    form_class = forms.TransferForm
    title = _("Transfer gifts between units")
    success_message = _("The gifts were transferred.")

    def perform(self, form):
        return services.stock_transfer(actor=self.request.user, **form.cleaned_data)


class MoveListPage(ListPage):
    """礼品库存流水: every stock move, append-only."""

    permission_required = "care.view_giftmove"
    model = GiftMove
    title = _("Gift stock ledger")
    filterset_class = MoveFilter
    export_name = "gift-ledger"
    sort_fields = {"at": "at"}
    default_sort = "-at"
    columns = [
        (_("Time"), lambda m: m.at), (_("Gift"), lambda m: m.gift.name), (_("Unit"), lambda m: m.org_unit.name),
        (_("Kind"), lambda m: m.get_kind_display()), (_("Quantity"), lambda m: m.quantity),
        (_("Balance after"), lambda m: m.balance_after), (_("Unit cost (yuan)"), lambda m: m.unit_cost),
        (_("Other unit"), lambda m: m.counterpart.name if m.counterpart else ""),
        (_("Customer"), lambda m: m.action.customer.name if m.action else ""), (_("Note"), lambda m: m.note),
        (_("By"), lambda m: m.actor_name),
    ]

    def get_base_queryset(self):
        return GiftMove.objects.select_related("gift", "org_unit", "counterpart", "action__customer")
