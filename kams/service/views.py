"""Pages of the service domain: my work, cases, a case with its diagram and steps, opening
a case, the live board, on-time statistics, process definitions and the holiday calendar."""

from __future__ import annotations

import datetime

import django_filters
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from kams.core.errors import KamsError
from kams.customers.models import Customer
from kams.org.models import OrgUnit, Staff
from kams.service import selectors, services
from kams.service.enums import CaseSource, CaseStatus, Channel, ItemStatus, SlaState
from kams.service.forms import (
    ActivateForm,
    CancelForm,
    CaseOpenForm,
    HandoverForm,
    HolidayForm,
    NoteForm,
    ReassignForm,
    UploadForm,
)
from kams.service.forms_spec import django_form, label_of
from kams.service.models import Case, Holiday, ProcessDefinition, WorkItem
from kams.web.lists import ListPage


def _process_choices():
    return [(d.key, d.display_name()) for d in ProcessDefinition.objects.filter(is_active=True).order_by("key")]


# --- Lists ------------------------------------------------------------------------------------


class CaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Number or title"), method="search")
    process_key = django_filters.ChoiceFilter(label=_("process"), choices=_process_choices)
    channel = django_filters.ChoiceFilter(label=_("channel"), choices=Channel.choices)
    status = django_filters.ChoiceFilter(label=_("status"), choices=CaseStatus.choices)
    source = django_filters.ChoiceFilter(label=_("received through"), choices=CaseSource.choices)
    customer = django_filters.NumberFilter(label=_("customer ID"), field_name="customer_id")
    late = django_filters.BooleanFilter(label=_("with a late step"), method="with_late")
    opened_from = django_filters.DateFilter(label=_("opened from"), field_name="opened_at", lookup_expr="date__gte",
                                            widget=django_filters.widgets.forms.DateInput(attrs={"type": "date"}))

    class Meta:
        model = Case
        fields = ["q", "process_key", "channel", "status", "source", "customer", "late", "opened_from"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(number__icontains=value) | Q(title__icontains=value) | Q(customer__name__icontains=value))

    def with_late(self, queryset, name, value):
        late = Q(work_items__status=ItemStatus.OPEN, work_items__deadline__lt=timezone.now())
        return queryset.filter(late).distinct() if value else queryset.exclude(late)


class CaseListPage(ListPage):
    """受理单: every case in the reader's scope."""

    permission_required = "service.view_case"
    model = Case
    title = _("Cases")
    filterset_class = CaseFilter
    export_name = "cases"
    template_name = "service/cases.html"
    sort_fields = {"opened": "opened_at", "number": "number", "due": "due_at"}
    default_sort = "-opened"
    columns = [
        (_("case number"), lambda c: c.number),
        (_("title"), lambda c: c.title),
        (_("process"), lambda c: c.definition.display_name()),
        (_("channel"), lambda c: c.get_channel_display()),
        (_("customer"), lambda c: c.customer.name if c.customer else ""),
        (_("org unit"), lambda c: c.org_unit.name),
        (_("received through"), lambda c: c.get_source_display()),
        (_("status"), lambda c: c.get_status_display()),
        (_("opened at"), lambda c: c.opened_at),
        (_("expected resolution"), lambda c: c.due_at),
        (_("closed at"), lambda c: c.closed_at),
    ]

    def get_base_queryset(self):
        return Case.objects.select_related("definition", "customer", "org_unit")

    def row_url(self, row):
        return reverse("service:case", args=[row.number])


class WorkItemFilter(django_filters.FilterSet):
    process_key = django_filters.ChoiceFilter(label=_("process"), choices=_process_choices)
    sla = django_filters.ChoiceFilter(label=_("SLA"), choices=SlaState.choices, method="by_sla")
    status = django_filters.ChoiceFilter(label=_("status"), choices=ItemStatus.choices)
    unit = django_filters.NumberFilter(label=_("org unit ID"), method="by_unit")
    assignee = django_filters.NumberFilter(label=_("assignee ID"), field_name="assignee_id")
    unassigned = django_filters.BooleanFilter(label=_("unassigned"), field_name="assignee", lookup_expr="isnull")
    escalated = django_filters.BooleanFilter(label=_("escalated"), method="by_escalated")

    class Meta:
        model = WorkItem
        fields = ["process_key", "sla", "status", "unit", "assignee", "unassigned", "escalated"]

    def by_sla(self, queryset, name, value):
        now = timezone.now()
        if value == SlaState.LATE:
            return queryset.filter(Q(status=ItemStatus.OPEN, deadline__lt=now) | Q(status=ItemStatus.DONE, late=True))
        if value == SlaState.DUE_SOON:
            return queryset.filter(status=ItemStatus.OPEN, deadline__gte=now, deadline__lt=selectors.due_soon_limit(now))
        return queryset.filter(Q(status=ItemStatus.OPEN, deadline__gte=selectors.due_soon_limit(now)) | Q(status=ItemStatus.DONE, late=False))

    def by_unit(self, queryset, name, value):
        unit = OrgUnit.objects.filter(pk=value).first()
        return queryset.filter(org_unit__path__startswith=unit.path) if unit else queryset.none()

    def by_escalated(self, queryset, name, value):
        return queryset.filter(escalation_level__gt=0) if value else queryset.filter(escalation_level=0)


def _item_columns():
    return [
        (_("case number"), lambda i: i.case.number),
        (_("step"), lambda i: i.step_name),
        (_("title"), lambda i: i.case.title),
        (_("customer"), lambda i: i.case.customer.name if i.case.customer else ""),
        (_("role"), lambda i: i.role),
        (_("assignee"), lambda i: i.assignee.name if i.assignee else ""),
        (_("org unit"), lambda i: i.org_unit.name),
        (_("started at"), lambda i: i.started_at),
        (_("deadline"), lambda i: i.deadline),
        (_("SLA"), lambda i: SlaState(selectors.sla_state(i)).label),
        (_("escalation level"), lambda i: i.escalation_level),
        (_("completed at"), lambda i: i.completed_at),
    ]


class WorkItemListPage(ListPage):
    """工单明细: the drill-down of the live board."""

    permission_required = "service.view_workitem"
    model = WorkItem
    title = _("Steps")
    filterset_class = WorkItemFilter
    export_name = "steps"
    template_name = "service/items.html"
    sort_fields = {"deadline": "deadline", "started": "started_at"}
    default_sort = "deadline"

    @property
    def columns(self):
        return _item_columns()

    def get_base_queryset(self):
        return WorkItem.objects.select_related("case", "case__customer", "assignee", "org_unit")

    def row_url(self, row):
        return reverse("service:case", args=[row.case.number])


class MyWorkPage(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """我的待办: my steps and the unassigned steps of my roles, soonest deadline first."""

    permission_required = "service.view_workitem"
    template_name = "service/my_work.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        items = list(selectors.my_work(self.request.user)[:300])
        staff = getattr(self.request.user, "staff", None)
        context.update({
            "title": _("My work"),
            "mine": [(i, selectors.sla_state(i, now)) for i in items if staff and i.assignee_id == staff.pk],
            "pool": [(i, selectors.sla_state(i, now)) for i in items if i.assignee_id is None],
        })
        return context


# --- One case -------------------------------------------------------------------------------


def _staff_for_role(item: WorkItem):
    city = item.org_unit.path[: OrgUnit.steplen * 3]
    return Staff.objects.filter(roles__code=item.role, is_active=True, org_unit__path__startswith=city).select_related("org_unit").distinct()


class CasePage(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "service.view_case"
    template_name = "service/case.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        case = selectors.case_visible(user, number=kwargs["number"])
        staff = getattr(user, "staff", None)
        my_roles = services.role_codes_of(staff)
        now = timezone.now()
        open_items = []
        for item in case.work_items.filter(status=ItemStatus.OPEN).select_related("assignee", "org_unit"):
            can_act = (user.is_superuser or item.role in my_roles) and (item.assignee_id in (None, getattr(staff, "pk", None)))
            open_items.append({
                "item": item, "sla": selectors.sla_state(item, now),
                "form": django_form(item.form, prefix=f"s{item.pk}") if can_act and item.assignee_id else None,
                "can_claim": can_act and item.assignee_id is None,
                "can_handover": user.has_perm("service.reassign_workitem") or (staff and item.assignee_id == staff.pk),
                "handover": HandoverForm(staff_qs=_staff_for_role(item), prefix=f"h{item.pk}"),
            })
        labels = {f["name"]: label_of(f) for f in case.definition.start_form}
        done = list(case.work_items.exclude(status=ItemStatus.OPEN).select_related("completed_by", "assignee").order_by("started_at", "pk"))
        for item in [*done, *(o["item"] for o in open_items)]:
            labels.update({f["name"]: label_of(f) for f in item.form})
        context.update({
            "title": f"{case.number} {case.title}", "case": case, "open_items": open_items, "done_items": done,
            "data": [(labels.get(k, k), v) for k, v in case.data.items() if not k.startswith("_")],
            "events": case.events.select_related("actor").order_by("at", "pk"),
            "children": case.children.select_related("definition"),
            "note_form": NoteForm(), "cancel_form": CancelForm(),
            "diagram": {
                "xml_url": reverse("service:case_bpmn", args=[case.number]),
                "current": sorted({i["item"].step for i in open_items}),
                "done": sorted({i.step for i in done if i.status == ItemStatus.DONE}),
                "late": sorted({i["item"].step for i in open_items if i["sla"] == SlaState.LATE}),
            },
        })
        return context


class CaseBpmnView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """The BPMN XML of the version a case runs on (for the diagram)."""

    permission_required = "service.view_case"

    def get(self, request, number):
        from django.http import HttpResponse

        case = selectors.case_visible(request.user, number=number)
        return HttpResponse(case.definition.bpmn, content_type="application/xml; charset=utf-8")


class _CaseAction(LoginRequiredMixin, View):
    def done(self, number):
        return redirect("service:case", number=number)

    def run(self, request, fn, ok):
        try:
            fn()
            messages.success(request, ok)
        except KamsError as exc:
            messages.error(request, exc.text)


class StepActionView(_CaseAction):
    """POST complete / claim / handover of one step."""

    def post(self, request, number, pk, action):
        case = selectors.case_visible(request.user, number=number)
        item = get_object_or_404(WorkItem, pk=pk, case=case)
        user = request.user
        if action == "complete":
            form = django_form(item.form, data=request.POST, prefix=f"s{item.pk}")
            if not form.is_valid():
                for field, errors in form.errors.items():
                    label = form.fields[field].label if field in form.fields else ""
                    messages.error(request, f"{label}: {' '.join(errors)}")
                return self.done(number)
            self.run(request, lambda: services.workitem_complete(actor=user, item=item, values=form.cleaned_data),
                     _("Step completed."))
        elif action == "claim":
            self.run(request, lambda: services.workitem_claim(actor=user, item=item), _("The step is yours now."))
        elif action == "handover":
            form = HandoverForm(request.POST, staff_qs=_staff_for_role(item), prefix=f"h{item.pk}")
            if form.is_valid():
                self.run(request, lambda: services.workitem_handover(
                    actor=user, item=item, to=form.cleaned_data["to"], reason=form.cleaned_data["reason"]),
                    _("The step was handed over."))
            else:
                messages.error(request, _("Choose a person and give a reason."))
        else:
            raise Http404
        return self.done(number)


class CaseNoteView(_CaseAction):
    def post(self, request, number):
        case = selectors.case_visible(request.user, number=number)
        form = NoteForm(request.POST)
        text = form.data.get("text", "")
        self.run(request, lambda: services.case_note(actor=request.user, case=case, text=text), _("Note added."))
        return self.done(number)


class CaseCancelView(_CaseAction):
    def post(self, request, number):
        case = selectors.case_visible(request.user, number=number)
        reason = request.POST.get("reason", "")
        self.run(request, lambda: services.case_cancel(actor=request.user, case=case, reason=reason), _("The case is cancelled."))
        return self.done(number)


class CaseOpenPage(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """受理: choose the process, then fill the opening form."""

    permission_required = "service.add_case"
    template_name = "service/case_new.html"

    def definition(self):
        key = self.request.GET.get("process") or self.request.POST.get("process")
        return ProcessDefinition.objects.filter(key=key, is_active=True).first() if key else None

    def forms(self, data=None):
        definition = self.definition()
        initial = {}
        customer_id = self.request.GET.get("customer")
        if customer_id:
            customer = Customer.objects.visible_to(self.request.user).filter(pk=customer_id).first()
            if customer:
                initial = {"customer": customer.code or customer.pk, "title": ""}
        if self.request.GET.get("title"):
            initial["title"] = self.request.GET["title"][:200]
        # Pages that start a case (the arrears list's dunning button) prefill its form: d-<field>.
        prefill = {k[2:]: v for k, v in self.request.GET.items() if k.startswith("d-")}
        head = CaseOpenForm(data, initial=initial)
        body = django_form(definition.start_form, data=data, prefix="d", initial=prefill) if definition else None
        return definition, head, body

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        definition, head, body = kwargs.get("forms") or self.forms()
        groups: dict[str, list] = {}
        for d in ProcessDefinition.objects.filter(is_active=True).order_by("channel", "key"):
            groups.setdefault(d.get_channel_display(), []).append(d)
        context.update({"title": _("New case"), "definition": definition, "head": head, "body": body, "groups": groups,
                        "customer_param": self.request.GET.get("customer", "")})
        return context

    def post(self, request, *args, **kwargs):
        definition, head, body = self.forms(request.POST)
        if definition is None:
            raise Http404
        if head.is_valid() and body.is_valid():
            ref = head.cleaned_data["customer"].strip()
            customer = None
            if ref:
                found = Customer.objects.visible_to(request.user).filter(Q(code=ref) | Q(pk=int(ref) if ref.isdigit() else -1))
                customer = found.first()
                if customer is None:
                    head.add_error("customer", _("No customer with this code or ID in your scope."))
            if not head.errors:
                try:
                    case = services.case_open(
                        actor=request.user, process=definition.key, customer=customer, title=head.cleaned_data["title"],
                        source=head.cleaned_data["source"], data=body.cleaned_data,
                    )
                    messages.success(request, _("Case %(number)s opened.") % {"number": case.number})
                    return redirect("service:case", number=case.number)
                except KamsError as exc:
                    head.add_error(None, exc.text)
        return self.render_to_response(self.get_context_data(forms=(definition, head, body)))


# --- Board and statistics -------------------------------------------------------------------


class BoardPage(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """时限看板 (SVC-13): live, refreshed every 30 seconds."""

    permission_required = "service.view_workitem"

    def get_template_names(self):
        return ["service/_board.html"] if self.request.headers.get("HX-Request") else ["service/board.html"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update({"title": _("SLA board"), "board": selectors.board(self.request.user),
                        "items_url": reverse("service:items")})
        return context


class StatsPage(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """准时率统计: on-time rates per process, unit, person and month."""

    permission_required = "service.view_workitem"
    template_name = "service/stats.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        months = int(self.request.GET.get("months") or 12)
        since = (timezone.localdate().replace(day=1) - datetime.timedelta(days=31 * (months - 1))).replace(day=1)
        process = self.request.GET.get("process", "")
        stats = selectors.on_time_stats(self.request.user, since=since, process=process)
        names = dict(_process_choices())
        chart = {
            "months": [r["month"].strftime("%Y-%m") for r in stats["by_month"] if r["month"]],
            "rates": [r["rate"] for r in stats["by_month"] if r["month"]],
            "done": [r["done"] for r in stats["by_month"] if r["month"]],
            "processes": [names.get(r["process_key"], r["process_key"]) for r in stats["by_process"]],
            "process_rates": [r["rate"] for r in stats["by_process"]],
        }
        for row in stats["by_process"]:
            row["name"] = names.get(row["process_key"], row["process_key"])
        if self.request.GET.get("export") == "xlsx":
            self.export = stats
        context.update({"title": _("On-time statistics"), "stats": stats, "chart": chart, "months": months,
                        "process": process, "processes": _process_choices()})
        return context

    def get(self, request, *args, **kwargs):
        context = self.get_context_data(**kwargs)
        if request.GET.get("export") == "xlsx":
            from kams.web.exports import xlsx_response

            rows = [
                {"kind": _("process"), "name": r["name"], **r} for r in context["stats"]["by_process"]
            ] + [
                {"kind": _("org unit"), "name": r["org_unit__name"], **r} for r in context["stats"]["by_unit"]
            ] + [
                {"kind": _("person"), "name": r["completed_by__name"] or "—", **r} for r in context["stats"]["by_person"]
            ]
            return xlsx_response(rows=iter(rows), filename="on-time", sheet=str(_("On-time statistics")), columns=[
                (_("kind"), lambda r: str(r["kind"])), (_("name"), lambda r: r["name"]),
                (_("steps done"), lambda r: r["done"]), (_("on time"), lambda r: r["on_time"]),
                (_("on-time rate (%)"), lambda r: r["rate"]),
            ])
        return self.render_to_response(context)


class ReassignPage(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """批量转派: hand every open step of an absent person to a colleague."""

    permission_required = "service.reassign_workitem"
    template_name = "web/form.html"

    def staff_qs(self):
        return Staff.objects.visible_to(self.request.user).filter(is_active=True).select_related("org_unit")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update({"title": _("Reassign steps of an absent person"), "form": kwargs.get("form") or ReassignForm(staff_qs=self.staff_qs())})
        return context

    def post(self, request):
        form = ReassignForm(request.POST, staff_qs=self.staff_qs())
        if form.is_valid():
            try:
                count = services.workitems_reassign(actor=request.user, source=form.cleaned_data["source"],
                                                    target=form.cleaned_data["target"], reason=form.cleaned_data["reason"])
                messages.success(request, _("%(count)s steps reassigned.") % {"count": count})
                return redirect("service:items")
            except KamsError as exc:
                form.add_error(None, exc.text)
        return self.render_to_response(self.get_context_data(form=form))


# --- Definitions and calendar -----------------------------------------------------------------


class DefinitionListPage(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "service.view_processdefinition"
    template_name = "service/definitions.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = ProcessDefinition.objects.filter(is_active=True).order_by("channel", "key")
        context.update({"title": _("Processes"), "definitions": rows, "upload_form": kwargs.get("form") or UploadForm()})
        return context

    def post(self, request):
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                definition = services.definition_upload(actor=request.user, xml=form.cleaned_data["file"].read(),
                                                        note=form.cleaned_data["note"])
                messages.success(request, _("%(name)s version %(version)s is active.") % {
                    "name": definition.name, "version": definition.version})
                return redirect("service:definition", key=definition.key)
            except KamsError as exc:
                form.add_error(None, exc.text)
        return self.render_to_response(self.get_context_data(form=form))


class DefinitionPage(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "service.view_processdefinition"
    template_name = "service/definition.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        versions = list(ProcessDefinition.objects.filter(key=kwargs["key"]).select_related("uploaded_by").order_by("-version"))
        if not versions:
            raise Http404
        wanted = self.request.GET.get("version")
        shown = next((v for v in versions if str(v.version) == wanted), None) or next((v for v in versions if v.is_active), versions[0])
        context.update({
            "title": shown.display_name(), "definition": shown, "versions": versions, "activate_form": ActivateForm(),
            "diagram": {"xml_url": reverse("service:definition_bpmn", args=[shown.pk]), "current": [], "done": [], "late": []},
            "running": Case.objects.filter(definition__key=shown.key, status=CaseStatus.OPEN).values("definition__version")
            .order_by("definition__version").distinct().count(),
        })
        return context


class DefinitionBpmnView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = "service.view_processdefinition"

    def get(self, request, pk):
        from django.http import HttpResponse

        definition = get_object_or_404(ProcessDefinition, pk=pk)
        return HttpResponse(definition.bpmn, content_type="application/xml; charset=utf-8")


class DefinitionActivateView(_CaseAction):
    def post(self, request, pk):
        definition = get_object_or_404(ProcessDefinition, pk=pk)
        self.run(request, lambda: services.definition_activate(actor=request.user, definition=definition,
                                                               reason=request.POST.get("reason", "")),
                 _("This version is active now."))
        return redirect("service:definition", key=definition.key)


class HolidayPage(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "service.view_holiday"
    template_name = "service/holidays.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update({"title": _("Holiday calendar"), "holidays": Holiday.objects.filter(date__year__gte=timezone.localdate().year - 1),
                        "form": kwargs.get("form") or HolidayForm()})
        return context

    def post(self, request):
        if "delete" in request.POST:
            holiday = get_object_or_404(Holiday, pk=request.POST["delete"])
            try:
                services.holiday_delete(actor=request.user, holiday=holiday)
            except KamsError as exc:
                messages.error(request, exc.text)
            return redirect("service:holidays")
        form = HolidayForm(request.POST)
        if form.is_valid():
            try:
                services.holiday_save(actor=request.user, **form.cleaned_data)
                return redirect("service:holidays")
            except KamsError as exc:
                form.add_error(None, exc.text)
        return self.render_to_response(self.get_context_data(form=form))
