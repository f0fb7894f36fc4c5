"""Pages of service support: solution templates and technical solutions, project records,
service quality, consultations, private lines with their SLA, cut-over notices.

Every page reads through scoped querysets; every write goes to one service of
``kams.support.services``, which checks permission and scope again and writes the audit log.
"""

from functools import cached_property

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from kams.core.errors import KamsError
from kams.customers.enums import CustomerType
from kams.support import forms, selectors, services
from kams.support.enums import SubjectKind
from kams.support.filters import (
    AssessmentFilter,
    ConsultationFilter,
    FaultFilter,
    LineFilter,
    NoticeFilter,
    RecordFilter,
    SolutionFilter,
    TemplateFilter,
)
from kams.support.models import (
    Consultation,
    CustomerLine,
    CutoverImpact,
    CutoverNotice,
    EmergencyStep,
    LineFault,
    ProjectRecord,
    QualityAssessment,
    QualityIndicator,
    ServiceClass,
    SolutionTemplate,
    TechnicalSolution,
)
from kams.web.lists import ListPage
from kams.web.pages import ServiceFormPage


def badge(text, css: str, *, html: bool = True):
    """A badge on the page; plain text in the Excel export (Django renders a cell with
    ``str()``, so the page and the export get different values)."""
    return format_html('<span class="badge {}">{}</span>', css, text) if html else str(text)


def breach_cell(breached: bool, *, html: bool = True):
    if breached:
        return badge(gettext("Breached"), "text-bg-danger", html=html)
    return badge(gettext("Within SLA"), "text-bg-success", html=html)


class UserFormPage(ServiceFormPage):
    """A service form whose form knows the user (scoped choices)."""

    def extra_form_kwargs(self):
        return {"user": self.request.user}


# --- Solution templates -------------------------------------------------------------------------


class TemplateListPage(ListPage):
    """客户服务方案模型: search by customer type and industry."""

    permission_required = "support.view_solutiontemplate"
    model = SolutionTemplate
    title = _("Solution templates")
    filterset_class = TemplateFilter
    export_name = "solution-templates"
    template_name = "support/templates.html"
    sort_fields = {"number": "number", "valid": "valid_from"}
    default_sort = "number"
    columns = [
        (_("Template number"), lambda t: t.number),
        (_("Version"), lambda t: t.version),
        (_("Name"), lambda t: t.name),
        (_("Customer types"), lambda t: "、".join(str(dict(CustomerType.choices).get(v, v)) for v in t.customer_types) or gettext("Every type")),
        (_("Industries"), lambda t: "、".join(i.name for i in t.industries.all()) or gettext("Every industry")),
        (_("Valid from"), lambda t: t.valid_from),
        (_("Valid until"), lambda t: t.valid_until),
        (_("Current version"), lambda t: t.is_current),
    ]

    def get_base_queryset(self):
        return SolutionTemplate.objects.prefetch_related("industries")

    def get_queryset(self):
        queryset = super().get_queryset()
        if "is_current" not in self.request.GET:
            queryset = queryset.filter(is_current=True)
        return queryset

    def row_url(self, row):
        return reverse("support:template", args=[row.pk])


class TemplatePage(PermissionRequiredMixin, TemplateView):
    permission_required = "support.view_solutiontemplate"
    template_name = "support/template_detail.html"

    def get_context_data(self, **kwargs):
        template = get_object_or_404(SolutionTemplate.objects.prefetch_related("industries"), pk=self.kwargs["pk"])
        return super().get_context_data(
            title=_("Solution template %(number)s") % {"number": template.number}, tpl=template,
            versions=SolutionTemplate.objects.filter(number=template.number).order_by("-version"), **kwargs,
        )


class TemplateFormPage(ServiceFormPage):
    permission_required = "support.add_solutiontemplate"
    form_class = forms.TemplateForm
    success_message = _("The solution template was saved.")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.template = get_object_or_404(SolutionTemplate, pk=kwargs["pk"]) if "pk" in kwargs else None
        if self.template:
            self.permission_required = "support.change_solutiontemplate"
        self.title = (_("New version of %(number)s") % {"number": self.template.number}) if self.template else _("New solution template")
        self.cancel_url = reverse("support:templates")

    def extra_form_kwargs(self):
        return {"revising": self.template is not None}

    def get_initial(self):
        if not self.template:
            return {"valid_from": timezone.localdate()}
        t = self.template
        return {"name": t.name, "valid_from": t.valid_from, "valid_until": t.valid_until, "customer_types": t.customer_types,
                "industries": list(t.industries.all()), "content": t.content, "equipment_notes": t.equipment_notes,
                "engineering_notes": t.engineering_notes}

    def perform(self, form):
        data = dict(form.cleaned_data)
        industries = list(data.pop("industries"))
        if self.template:
            note = data.pop("change_note")
            return services.template_revise(actor=self.request.user, template=self.template, change_note=note, industries=industries, **data)
        number = data.pop("number")
        return services.template_create(actor=self.request.user, number=number, industries=industries, **data)

    def success_url_for(self, obj):
        return reverse("support:template", args=[obj.pk])


# --- Technical solutions ------------------------------------------------------------------------


class SolutionListPage(ListPage):
    permission_required = "support.view_technicalsolution"
    model = TechnicalSolution
    title = _("Technical solutions")
    filterset_class = SolutionFilter
    export_name = "technical-solutions"
    template_name = "support/solutions.html"
    sort_fields = {"created": "created_at", "payback": "payback_months"}
    default_sort = "-created"
    columns = [
        (_("Solution number"), lambda s: s.number),
        (_("Title"), lambda s: s.title),
        (_("Customer"), lambda s: s.customer.name),
        (_("Case"), lambda s: s.case.number if s.case else ""),
        (_("Template"), lambda s: f"{s.template.number} v{s.template.version}"),
        (_("Investment (yuan)"), lambda s: s.investment),
        (_("Expected monthly revenue (yuan)"), lambda s: s.expected_monthly_revenue),
        (_("Payback period (months)"), lambda s: s.payback_months),
        (_("Feasibility"), lambda s: s.get_feasibility_display()),
        (_("State"), lambda s: s.get_state_display()),
        (_("Archive category"), lambda s: s.archive_category),
    ]

    def get_base_queryset(self):
        return TechnicalSolution.objects.select_related("customer", "case", "template")

    def row_url(self, row):
        return reverse("support:solution", args=[row.pk])


class SolutionPage(PermissionRequiredMixin, TemplateView):
    permission_required = "support.view_technicalsolution"
    template_name = "support/solution_detail.html"

    def get_context_data(self, **kwargs):
        solution = selectors.solutions_for(self.request.user).get_visible(self.request.user, pk=self.kwargs["pk"])
        return super().get_context_data(
            title=_("Technical solution %(number)s") % {"number": solution.number}, solution=solution,
            records=ProjectRecord.objects.visible_to(self.request.user).filter(solution=solution), **kwargs,
        )


class SolutionNewPage(UserFormPage):
    permission_required = "support.add_technicalsolution"
    form_class = forms.SolutionNewForm
    title = _("New technical solution from a template")
    success_message = _("The technical solution was made from the template.")

    def get_initial(self):
        return {k: self.request.GET[k] for k in ("customer", "case", "template") if k in self.request.GET}

    def perform(self, form):
        d = form.cleaned_data
        return services.solution_create(actor=self.request.user, customer=d["customer"], template=d["template"], case=d["case"], title=d["title"])

    def success_url_for(self, obj):
        return reverse("support:solution", args=[obj.pk])


SOLUTION_STEPS = {
    "survey": (forms.SurveyForm, "support.change_technicalsolution", _("Resource survey")),
    "analysis": (forms.AnalysisForm, "support.change_technicalsolution", _("Investment analysis")),
    "conclude": (forms.ConcludeForm, "support.change_technicalsolution", _("Feasibility conclusion")),
    "archive": (forms.ArchiveForm, "support.archive_technicalsolution", _("Archive")),
}


class SolutionStepPage(ServiceFormPage):
    """资源调查 / 投资分析 / 可行性结论 / 归档 of one solution."""

    success_message = _("The technical solution was saved.")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.form_class, self.permission_required, self.title = SOLUTION_STEPS.get(kwargs["step"], (None, "support.nope", ""))

    def dispatch(self, request, *args, **kwargs):
        if self.form_class is None:
            from django.http import Http404

            raise Http404
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def solution(self):
        return TechnicalSolution.objects.get_visible(self.request.user, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = f"{self.title} · {self.solution.number}"
        context["cancel_url"] = reverse("support:solution", args=[self.solution.pk])
        return context

    def get_initial(self):
        s = self.solution
        return {"survey_result": s.survey_result, "investment": s.investment, "expected_monthly_revenue": s.expected_monthly_revenue,
                "monthly_cost": s.monthly_cost, "conclusion": s.conclusion, "category": s.archive_category}

    def perform(self, form):
        d, user, step = form.cleaned_data, self.request.user, self.kwargs["step"]
        if step == "survey":
            return services.solution_survey(actor=user, solution=self.solution, **d)
        if step == "analysis":
            return services.solution_analyse(actor=user, solution=self.solution, **d)
        if step == "conclude":
            return services.solution_conclude(actor=user, solution=self.solution, **d)
        return services.solution_archive(actor=user, solution=self.solution, category=d["category"])

    def success_url_for(self, obj):
        return reverse("support:solution", args=[obj.pk])


# --- Project records ----------------------------------------------------------------------------


class RecordListPage(ListPage):
    """项目资料管理: resources customers occupy after acceptance."""

    permission_required = "support.view_projectrecord"
    model = ProjectRecord
    title = _("Project records")
    filterset_class = RecordFilter
    export_name = "project-records"
    template_name = "support/records.html"
    sort_fields = {"customer": "customer__code", "updated": "updated_at"}
    default_sort = "customer"
    columns = [
        (_("Resource"), lambda r: r.name),
        (_("Resource kind"), lambda r: r.get_kind_display()),
        (_("Customer"), lambda r: r.customer.name),
        (_("Specification"), lambda r: r.specification),
        (_("Quantity"), lambda r: r.quantity),
        (_("Location"), lambda r: r.location),
        (_("Case"), lambda r: r.case.number if r.case else ""),
        (_("Accepted on"), lambda r: r.accepted_on),
        (_("In use"), lambda r: r.is_active),
        (_("Revision"), lambda r: r.revision),
        (_("Updated at"), lambda r: r.updated_at),
    ]

    def get_base_queryset(self):
        return ProjectRecord.objects.select_related("customer", "case")

    def row_url(self, row):
        return reverse("support:record", args=[row.pk])


class RecordPage(PermissionRequiredMixin, TemplateView):
    permission_required = "support.view_projectrecord"
    template_name = "support/record_detail.html"

    def get_context_data(self, **kwargs):
        record = ProjectRecord.objects.select_related("customer", "case", "solution").get_visible(self.request.user, pk=self.kwargs["pk"])
        return super().get_context_data(title=str(record), record=record, changes=record.changes.all(), **kwargs)


class RecordFormPage(UserFormPage):
    permission_required = "support.add_projectrecord"
    form_class = forms.RecordForm
    success_message = _("The project record was saved.")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.editing = "pk" in kwargs
        if self.editing:
            self.permission_required = "support.change_projectrecord"
        self.title = _("Change project record") if self.editing else _("New project record")

    @cached_property
    def record(self):
        return ProjectRecord.objects.get_visible(self.request.user, pk=self.kwargs["pk"]) if self.editing else None

    def extra_form_kwargs(self):
        return {**super().extra_form_kwargs(), "editing": self.editing}

    def get_initial(self):
        if self.record is None:
            return {"customer": self.request.GET.get("customer", ""), "quantity": 1, "is_active": True}
        return {f: getattr(self.record, f) for f in services.RECORD_FIELDS}

    def perform(self, form):
        d = dict(form.cleaned_data)
        if self.record is not None:
            reason = d.pop("reason")
            return services.record_change(actor=self.request.user, record=self.record, reason=reason, **d)
        customer = d.pop("customer")
        return services.record_add(actor=self.request.user, customer=customer, **d)

    def success_url_for(self, obj):
        return reverse("support:record", args=[obj.pk])


# --- Service quality ----------------------------------------------------------------------------


class QualityListPage(ListPage):
    """服务质量管理: assessments, averages by kind and month (chart), ranking."""

    permission_required = "support.view_qualityassessment"
    model = QualityAssessment
    title = _("Service quality")
    filterset_class = AssessmentFilter
    export_name = "service-quality"
    template_name = "support/quality.html"
    sort_fields = {"period": "period", "total": "total", "subject": "subject_name"}
    default_sort = "-period"
    columns = [
        (_("Month"), lambda a: f"{a.period:%Y-%m}"),
        (_("Subject kind"), lambda a: a.get_subject_kind_display()),
        (_("Subject"), lambda a: a.subject_name),
        (_("Org unit"), lambda a: a.org_unit.name),
        (_("Scores"), lambda a: "；".join(f"{s.indicator.name} {s.score}" for s in a.scores.all())),
        (_("Total score"), lambda a: a.total),
        (_("Assessed by"), lambda a: a.assessed_by.name if a.assessed_by else ""),
        (_("Comment"), lambda a: a.comment),
    ]

    def get_base_queryset(self):
        return QualityAssessment.objects.select_related("org_unit", "assessed_by").prefetch_related("scores__indicator")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["stats"] = selectors.quality_stats(self.object_list)
        context["kinds"] = SubjectKind.choices
        return context


class AssessmentNewPage(UserFormPage):
    permission_required = "support.add_qualityassessment"
    form_class = forms.AssessmentForm
    template_name = "support/assessment_form.html"
    success_message = _("The quality assessment was saved.")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        kind = request.POST.get("subject_kind") or request.GET.get("kind") or SubjectKind.ACCOUNT_MANAGER
        self.kind = kind if kind in SubjectKind.values else SubjectKind.ACCOUNT_MANAGER
        self.title = _("New quality assessment")
        self.cancel_url = reverse("support:quality")

    def extra_form_kwargs(self):
        return {**super().extra_form_kwargs(), "indicators": services.indicators_for(self.kind)}

    def get_initial(self):
        return {"subject_kind": self.kind, "period": timezone.localdate().replace(day=1)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(kinds=SubjectKind.choices, kind=self.kind, **kwargs)

    def perform(self, form):
        d = form.cleaned_data
        return services.assessment_record(
            actor=self.request.user, subject_kind=d["subject_kind"], period=d["period"], scores=form.scores(),
            staff=d["staff"], subject_name=d["subject_name"], org_unit=d["org_unit"], comment=d["comment"],
        )

    def success_url_for(self, obj):
        return reverse("support:quality")


class IndicatorListPage(ListPage):
    permission_required = "support.view_qualityindicator"
    model = QualityIndicator
    title = _("Quality indicators")
    export_name = "quality-indicators"
    template_name = "support/indicators.html"
    columns = [
        (_("Code"), lambda i: i.code),
        (_("Name"), lambda i: i.name),
        (_("Applies to"), lambda i: i.get_subject_kind_display() or gettext("Every kind")),
        (_("Weight"), lambda i: i.weight),
        (_("Maximum score"), lambda i: i.max_score),
        (_("Active"), lambda i: i.is_active),
        (_("Description"), lambda i: i.description),
    ]

    def row_url(self, row):
        return reverse("support:indicator_edit", args=[row.pk]) if self.request.user.has_perm("support.change_qualityindicator") else None


class IndicatorFormPage(ServiceFormPage):
    permission_required = "support.change_qualityindicator"
    form_class = forms.IndicatorForm
    success_message = _("The quality indicator was saved.")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.indicator = get_object_or_404(QualityIndicator, pk=kwargs["pk"]) if "pk" in kwargs else None
        self.title = str(self.indicator) if self.indicator else _("New quality indicator")
        self.cancel_url = reverse("support:indicators")

    def get_initial(self):
        if self.indicator is None:
            return {"max_score": 100, "is_active": True, "order": 0}
        return {f: getattr(self.indicator, f) for f in services.INDICATOR_FIELDS}

    def perform(self, form):
        return services.indicator_save(actor=self.request.user, indicator=self.indicator, **form.cleaned_data)

    def success_url_for(self, obj):
        return reverse("support:indicators")


# --- Consultations ------------------------------------------------------------------------------


class ConsultationListPage(ListPage):
    """咨询记录: list, statistics and the quick entry form on one page."""

    permission_required = "support.view_consultation"
    model = Consultation
    title = _("Consultations")
    filterset_class = ConsultationFilter
    export_name = "consultations"
    template_name = "support/consultations.html"
    sort_fields = {"time": "asked_at"}
    default_sort = "-time"
    columns = [
        (_("Time"), lambda c: c.asked_at),
        (_("Channel"), lambda c: c.get_channel_display()),
        (_("Topic"), lambda c: c.get_topic_display()),
        (_("Customer"), lambda c: c.customer.name if c.customer else ""),
        (_("Caller"), lambda c: c.caller_name),
        (_("Question"), lambda c: c.content),
        (_("Answer"), lambda c: c.answer),
        (_("Answered by"), lambda c: c.answered_by.name if c.answered_by else ""),
        (_("Satisfaction with the answer"), lambda c: c.get_answer_satisfaction_display()),
    ]

    def get_base_queryset(self):
        return Consultation.objects.select_related("customer", "answered_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["stats"] = selectors.consultation_stats(self.object_list)
        if self.request.user.has_perm("support.add_consultation"):
            initial = {}
            if self.request.GET.get("customer"):
                from kams.customers.models import Customer

                customer = Customer.objects.visible_to(self.request.user).filter(pk=self.request.GET["customer"]).first()
                initial = {"customer": customer.code} if customer else {}
            context["quick_form"] = forms.ConsultationForm(user=self.request.user, initial=initial)
        return context


class ConsultationNewPage(UserFormPage):
    permission_required = "support.add_consultation"
    form_class = forms.ConsultationForm
    title = _("Record a consultation")
    success_message = _("The consultation was recorded.")

    def perform(self, form):
        d = dict(form.cleaned_data)
        return services.consultation_record(actor=self.request.user, **d)

    def success_url_for(self, obj):
        return reverse("support:consultations")


# --- Private lines and their SLA ----------------------------------------------------------------


class ServiceClassListPage(ListPage):
    permission_required = "support.view_serviceclass"
    model = ServiceClass
    title = _("Service classes (SLA)")
    export_name = "service-classes"
    columns = [
        (_("Line type"), lambda c: c.get_line_type_display()),
        (_("Class"), lambda c: c.get_code_display()),
        (_("Availability (%)"), lambda c: c.availability_pct),
        (_("Fault response (minutes)"), lambda c: c.response_minutes),
        (_("Repair time (hours)"), lambda c: c.repair_hours),
        (_("Activation time (working days)"), lambda c: c.activation_days),
        (_("Description"), lambda c: c.description),
    ]

    def row_url(self, row):
        return reverse("support:class_edit", args=[row.pk]) if self.request.user.has_perm("support.change_serviceclass") else None


class ServiceClassEditPage(ServiceFormPage):
    permission_required = "support.change_serviceclass"
    form_class = forms.ServiceClassForm
    success_message = _("The service class was saved.")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.service_class = get_object_or_404(ServiceClass, pk=kwargs["pk"])
        self.title = str(self.service_class)
        self.cancel_url = reverse("support:classes")

    def get_initial(self):
        return {f: getattr(self.service_class, f) for f in services.CLASS_FIELDS}

    def perform(self, form):
        return services.service_class_save(actor=self.request.user, service_class=self.service_class, **form.cleaned_data)

    def success_url_for(self, obj):
        return reverse("support:classes")


class LineListPage(ListPage):
    permission_required = "support.view_customerline"
    model = CustomerLine
    title = _("Private lines")
    filterset_class = LineFilter
    export_name = "customer-lines"
    template_name = "support/lines.html"
    sort_fields = {"line": "line_no", "customer": "customer__code", "element": "network_element"}
    default_sort = "line"
    columns = [
        (_("Line number"), lambda line: line.line_no),
        (_("Customer"), lambda line: line.customer.name),
        (_("Line type"), lambda line: line.get_line_type_display()),
        (_("Class"), lambda line: line.service_class.code),
        (_("Bandwidth (Mbit/s)"), lambda line: line.bandwidth_mbps),
        (_("A end"), lambda line: line.a_end),
        (_("Z end"), lambda line: line.z_end),
        (_("Network element"), lambda line: line.network_element),
        (_("Status"), lambda line: line.get_status_display()),
        (_("Activated on"), lambda line: line.activated_on),
    ]

    def get_base_queryset(self):
        return CustomerLine.objects.select_related("customer", "service_class")

    def row_url(self, row):
        return reverse("support:line", args=[row.pk])


class LinePage(PermissionRequiredMixin, TemplateView):
    permission_required = "support.view_customerline"
    template_name = "support/line_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        line = selectors.lines_for(user).get_visible(user, pk=self.kwargs["pk"])
        faults = [selectors.fault_sla(f) for f in selectors.faults_for(user).filter(line=line)]
        return super().get_context_data(title=str(line), line=line, faults=faults, checks=line.checks.select_related("checked_by")[:50], **kwargs)


class LineFormPage(UserFormPage):
    permission_required = "support.add_customerline"
    form_class = forms.LineForm
    success_message = _("The line was saved.")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.editing = "pk" in kwargs
        if self.editing:
            self.permission_required = "support.change_customerline"
        self.title = _("Change line") if self.editing else _("New line")

    @cached_property
    def line(self):
        return CustomerLine.objects.get_visible(self.request.user, pk=self.kwargs["pk"]) if self.editing else None

    def extra_form_kwargs(self):
        return {**super().extra_form_kwargs(), "editing": self.editing}

    def get_initial(self):
        if self.line is None:
            return {"customer": self.request.GET.get("customer", "")}
        return {f: getattr(self.line, f) for f in services.LINE_FIELDS}

    def perform(self, form):
        d = dict(form.cleaned_data)
        if self.line is not None:
            return services.line_change(actor=self.request.user, line=self.line, **d)
        customer, line_no = d.pop("customer"), d.pop("line_no")
        return services.line_add(actor=self.request.user, customer=customer, line_no=line_no, **d)

    def success_url_for(self, obj):
        return reverse("support:line", args=[obj.pk])


class LineCheckPage(ServiceFormPage):
    permission_required = "support.add_linecheck"
    form_class = forms.LineCheckForm
    success_message = _("The test or monitoring record was saved.")

    @cached_property
    def line(self):
        return CustomerLine.objects.get_visible(self.request.user, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Activation test or monitoring · %(line)s") % {"line": self.line.line_no},
                                        cancel_url=reverse("support:line", args=[self.line.pk]), **kwargs)

    def perform(self, form):
        return services.line_check_record(actor=self.request.user, line=self.line, **form.cleaned_data)

    def success_url_for(self, obj):
        return reverse("support:line", args=[self.line.pk])


class FaultLinkPage(UserFormPage):
    permission_required = "support.add_linefault"
    form_class = forms.FaultLinkForm
    success_message = _("The fault case was linked to the line.")

    @cached_property
    def line(self):
        return CustomerLine.objects.get_visible(self.request.user, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Link a fault case · %(line)s") % {"line": self.line.line_no},
                                        cancel_url=reverse("support:line", args=[self.line.pk]), **kwargs)

    def perform(self, form):
        return services.line_fault_link(actor=self.request.user, line=self.line, **form.cleaned_data)

    def success_url_for(self, obj):
        return reverse("support:line", args=[self.line.pk])


class FaultListPage(ListPage):
    """故障响应: every line fault with its response and repair against the class SLA; ``?breached=1``
    lists only the breaches."""

    permission_required = "support.view_linefault"
    model = LineFault
    title = _("Line faults and SLA")
    filterset_class = FaultFilter
    export_name = "line-faults"
    template_name = "support/faults.html"
    sort_fields = {"reported": "reported_at"}
    default_sort = "-reported"

    def get_base_queryset(self):
        return selectors.faults_with_times(LineFault.objects.all())

    def filtered(self):
        queryset = super().filtered()
        self.now = timezone.now()
        if self.request.GET.get("breached") == "1":
            ids = [s.fault.pk for s in selectors.sla_breaches(self.request.user, now=self.now, queryset=queryset)]
            queryset = queryset.filter(pk__in=ids)
        return queryset

    def prepare(self, rows):
        return [selectors.fault_sla(f, self.now) for f in rows]

    columns = [
        (_("Line number"), lambda s: s.fault.line.line_no),
        (_("Customer"), lambda s: s.fault.line.customer.name),
        (_("Class"), lambda s: str(s.fault.line.service_class)),
        (_("Case"), lambda s: s.fault.case.number),
        (_("Reported at"), lambda s: s.fault.reported_at),
        (_("Responded at"), lambda s: s.responded_at),
        (_("Response (minutes)"), lambda s: s.response_minutes),
        (_("Response limit (minutes)"), lambda s: s.response_limit),
        (_("Restored at"), lambda s: s.restored_at),
        (_("Repair (hours)"), lambda s: s.repair_hours),
        (_("Repair limit (hours)"), lambda s: s.repair_limit),
    ]

    def get(self, request, *args, **kwargs):
        exporting = request.GET.get("export") == "xlsx"
        self.columns = [*type(self).columns, (_("SLA"), lambda s: breach_cell(s.breached, html=not exporting))]
        return super().get(request, *args, **kwargs)

    def row_url(self, row):
        return reverse("support:line", args=[row.fault.line_id])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = [selectors.fault_sla(f, self.now) for f in self.object_list[:5000]]
        context["summary"] = selectors.sla_summary(rows)
        context["breached_only"] = self.request.GET.get("breached") == "1"
        return context


# --- Cut-over notices ---------------------------------------------------------------------------


class NoticeListPage(ListPage):
    permission_required = "support.view_cutovernotice"
    model = CutoverNotice
    title = _("Cut-over notices")
    filterset_class = NoticeFilter
    export_name = "cutover-notices"
    template_name = "support/notices.html"
    sort_fields = {"starts": "starts_at"}
    default_sort = "-starts"
    columns = [
        (_("Notice number"), lambda n: n.number),
        (_("Kind"), lambda n: n.get_kind_display()),
        (_("Title"), lambda n: n.title),
        (_("Network element"), lambda n: n.network_element),
        (_("Starts at"), lambda n: n.starts_at),
        (_("Ends at"), lambda n: n.ends_at),
        (_("Affected customers"), lambda n: n.impact_count),
        (_("State"), lambda n: n.get_state_display()),
        (_("Issuing unit"), lambda n: n.org_unit.name),
    ]

    def get_queryset(self):
        return selectors.notices_for(self.request.user)

    def row_url(self, row):
        return reverse("support:notice", args=[row.pk])


class NoticeNewPage(UserFormPage):
    permission_required = "support.add_cutovernotice"
    form_class = forms.NoticeForm
    title = _("New cut-over notice")
    success_message = _("The notice was created; find the affected customers and add the emergency steps.")

    def perform(self, form):
        return services.notice_create(actor=self.request.user, **form.cleaned_data)

    def success_url_for(self, obj):
        return reverse("support:notice", args=[obj.pk])


class NoticePage(PermissionRequiredMixin, TemplateView):
    """割接通知: affected customers with notification and acknowledgement, the emergency steps
    with who is responsible and who did what when."""

    permission_required = "support.view_cutovernotice"
    template_name = "support/notice_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        notice = CutoverNotice.objects.select_related("org_unit", "created_by").get_visible(user, pk=self.kwargs["pk"])
        impacts = list(selectors.impacts_of(notice, user))
        return super().get_context_data(
            title=str(notice), notice=notice, impacts=impacts, steps=notice.steps.select_related("responsible", "done_by"),
            areas=notice.areas.all(), acknowledged=sum(1 for i in impacts if i.acknowledged_at),
            step_form=forms.StepForm(user=user), ack_form=forms.AckForm(), me=getattr(user, "staff", None), **kwargs,
        )


class NoticeActionView(PermissionRequiredMixin, View):
    """The buttons of the notice page; each calls one service and comes back with its result."""

    permission_required = "support.view_cutovernotice"

    def post(self, request, pk, action):
        notice = CutoverNotice.objects.get_visible(request.user, pk=pk)
        user, data = request.user, request.POST
        back = redirect("support:notice", pk=notice.pk)
        try:
            if action == "find":
                n = services.notice_find_affected(actor=user, notice=notice)
                messages.success(request, gettext("%(n)s affected customers added.") % {"n": n})
            elif action == "send":
                r = services.notice_send(actor=user, notice=notice)
                messages.success(request, gettext("%(messages)s messages sent to %(customers)s customers; %(without)s without a contact mobile.")
                                 % {"messages": r["messages"], "customers": r["customers"], "without": r["without_contact"]})
            elif action == "step":
                form = forms.StepForm(data, user=user)
                if not form.is_valid():
                    messages.error(request, "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
                    return back
                services.step_add(actor=user, notice=notice, **form.cleaned_data)
                messages.success(request, gettext("The step was added."))
            elif action == "step_done":
                step = get_object_or_404(EmergencyStep, pk=data.get("step"), notice=notice)
                services.step_done(actor=user, step=step, result=data.get("text", ""))
                messages.success(request, gettext("The step was recorded as done."))
            elif action == "ack":
                impact = CutoverImpact.objects.get_visible(user, pk=data.get("impact"), notice=notice)
                services.impact_acknowledge(actor=user, impact=impact, acknowledged_by=data.get("acknowledged_by", ""), note=data.get("note", ""))
                messages.success(request, gettext("The acknowledgement was recorded."))
            elif action == "close":
                services.notice_close(actor=user, notice=notice, summary=data.get("text", ""))
                messages.success(request, gettext("The notice was closed."))
            elif action == "cancel":
                services.notice_cancel(actor=user, notice=notice, reason=data.get("text", ""))
                messages.success(request, gettext("The notice was cancelled."))
            else:
                from django.http import Http404

                raise Http404
        except KamsError as exc:
            messages.error(request, exc.text)
        except PermissionDenied:
            raise
        return back
