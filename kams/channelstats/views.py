"""Pages of channel evaluation (CH-10) and channel statistics (CH-17). Reads go through the
scoped selectors, writes through ``kams.channelstats.services``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from kams.audit.selectors import history_of
from kams.channelstats import forms, selectors, services
from kams.channelstats.enums import ExportFormat
from kams.channelstats.indicators import INDICATORS
from kams.channelstats.models import EvaluationExport, EvaluationModel, EvaluationRun, ManualScore
from kams.channelstats.reports import GROUPS, REPORTS, Filters
from kams.core.errors import KamsError
from kams.org.models import OrgUnit
from kams.web.exports import xlsx_response
from kams.web.lists import ListPage
from kams.web.pages import ServiceFormPage


def _month(day) -> str:
    return f"{day:%Y-%m}" if day else ""


class _ActionsList(ListPage):
    template_name = "channelstats/list.html"
    actions: list[tuple[str, str, object, str]] = []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["page_actions"] = [(reverse(name), label, icon) for perm, name, label, icon in self.actions
                                   if user.has_perm(perm)]
        return context


class RunListPage(_ActionsList):
    permission_required = "channelstats.view_evaluationrun"
    model = EvaluationRun
    title = _("Evaluation runs")
    export_name = "channel-evaluation-runs"
    actions = [("channelstats.run_evaluation", "channelstats:run_new", _("Run an evaluation"), "bi-play")]
    columns = [
        (_("Month"), lambda r: _month(r.period)), (_("Evaluation model"), lambda r: str(r.model)),
        (_("Unit"), lambda r: r.org_unit.name), (_("Agents"), lambda r: r.agent_count),
        (_("Computed at"), lambda r: r.computed_at), (_("Times run"), lambda r: r.times_run),
    ]
    sort_fields = {"period": "period"}
    default_sort = "-period"

    def get_queryset(self):
        return selectors.runs_for(self.request.user)

    def row_url(self, row):
        return reverse("channelstats:run", args=[row.pk])


class RunFormPage(ServiceFormPage):
    permission_required = "channelstats.run_evaluation"
    form_class = forms.RunForm
    title = _("Run an evaluation")
    success_message = _("The evaluation was computed.")

    def extra_form_kwargs(self):
        return {"user": self.request.user}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("cancel_url", reverse("channelstats:runs"))
        return super().get_context_data(**kwargs)

    def perform(self, form):
        data = form.cleaned_data
        return services.evaluation_run(actor=self.request.user, model=data["model"], period=data["period"],
                                       org_unit=data["org_unit"])

    def success_url_for(self, obj):
        return reverse("channelstats:run", args=[obj.pk])


class RunDetailPage(PermissionRequiredMixin, TemplateView):
    """Results of a run: ranking, indicator values and points, comparison with the month before."""

    permission_required = "channelstats.view_evaluationrun"
    template_name = "channelstats/run_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        run = selectors.run_for(user, self.kwargs["pk"])
        results = selectors.run_results(user, run)
        items = list(run.model.items.all())
        for r in results:
            r.cells = [r.values.get(i.indicator, (None, None)) for i in items]
        top = results[:20]
        chart = {"labels": [r.agent.name for r in top], "values": [float(r.score) for r in top]}
        return super().get_context_data(
            title=str(run), run=run, results=results, items=items, chart=chart,
            labels=[str(INDICATORS[i.indicator].label) for i in items],
            exports=selectors.exports_for(user).filter(run=run)[:20], formats=ExportFormat.choices,
            can_run=user.has_perm("channelstats.run_evaluation"), history=history_of(user, run), **kwargs,
        )


class RunExportView(PermissionRequiredMixin, View):
    """POST: write the headquarters file of a run and download it."""

    permission_required = "channelstats.run_evaluation"

    def post(self, request, pk):
        run = selectors.run_for(request.user, pk)
        try:
            export = services.export_run(actor=request.user, run=run, fmt=request.POST.get("format", "xlsx"))
        except KamsError as exc:
            messages.error(request, exc.text)
            return redirect("channelstats:run", pk=run.pk)
        return redirect("channelstats:export_file", pk=export.pk)


class RunNotifyView(PermissionRequiredMixin, View):
    """POST: send the best and worst agents of a run to the channel managers."""

    permission_required = "channelstats.run_evaluation"

    def post(self, request, pk):
        run = selectors.run_for(request.user, pk)
        try:
            sent = services.evaluation_notify(actor=request.user, run=run)
        except KamsError as exc:
            messages.error(request, exc.text)
        else:
            messages.success(request, gettext("%(n)s messages were queued.") % {"n": sent})
        return redirect("channelstats:run", pk=run.pk)


class ExportFileView(PermissionRequiredMixin, View):
    permission_required = "channelstats.view_evaluationexport"

    def get(self, request, pk):
        export = selectors.exports_for(request.user).filter(pk=pk).first()
        if export is None:
            raise Http404
        return FileResponse(export.file.open("rb"), as_attachment=True, filename=export.file_name)


class ExportListPage(_ActionsList):
    permission_required = "channelstats.view_evaluationexport"
    model = EvaluationExport
    title = _("Exports to headquarters")
    export_name = "channel-evaluation-exports"
    columns = [
        (_("File"), lambda e: e.file_name), (_("Format"), lambda e: e.get_format_display()),
        (_("Rows"), lambda e: e.row_count), (_("SHA-256"), lambda e: e.sha256),
        (_("Exported by"), lambda e: e.created_by.get_username() if e.created_by_id else ""),
        (_("Exported at"), lambda e: e.created_at),
    ]

    def get_queryset(self):
        return selectors.exports_for(self.request.user)

    def row_url(self, row):
        return reverse("channelstats:export_file", args=[row.pk])


class ResultDetailPage(PermissionRequiredMixin, TemplateView):
    """One agent's result: indicator radar and the trend of its score over the months."""

    permission_required = "channelstats.view_evaluationresult"
    template_name = "channelstats/result_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        result = selectors.result_for(user, self.kwargs["pk"])
        points = selectors.indicator_points(result)
        history = selectors.agent_history(user, result.agent, result.run.model.code)
        chart = {
            "indicators": [{"name": p["label"], "max": 100} for p in points],
            "points": [float(p["score"] or 0) for p in points],
            "months": [_month(h.period) for h in history], "scores": [float(h.score) for h in history],
            "name": gettext("Points"),
        }
        return super().get_context_data(title=f"{result.agent.name} · {_month(result.period)}", result=result,
                                        points=points, history=history, chart=chart, **kwargs)


class ModelListPage(_ActionsList):
    permission_required = "channelstats.view_evaluationmodel"
    model = EvaluationModel
    title = _("Evaluation models")
    export_name = "channel-evaluation-models"
    actions = [("channelstats.add_evaluationmodel", "channelstats:model_new", _("New model or version"), "bi-plus")]
    columns = [
        (_("Code"), lambda m: m.code), (_("Version"), lambda m: m.version), (_("Name"), lambda m: m.name),
        (_("Active"), lambda m: gettext("Yes") if m.is_active else gettext("No")),
        (_("Indicators"), lambda m: "; ".join(
            f"{i.label} {i.weight}% ({i.get_method_display()}"
            + (f" {i.floor.normalize()}→{i.target.normalize()})" if i.method == "linear" else ")")
            for i in m.items.all())),
        (_("Created at"), lambda m: m.created_at),
    ]

    def get_queryset(self):
        return selectors.models_for(self.request.user)


class ModelFormPage(ServiceFormPage):
    permission_required = "channelstats.add_evaluationmodel"
    form_class = forms.ModelForm
    title = _("Evaluation model")
    success_message = _("The evaluation model was saved.")

    def extra_form_kwargs(self):
        return {"user": self.request.user}

    def get_initial(self):
        code = self.request.GET.get("from", "")
        model = EvaluationModel.objects.filter(code=code, is_active=True).first() if code else None
        if model is None:
            return {}
        lines = [f"{i.indicator} {i.weight.normalize()} {i.method}"
                 + (f" {i.floor.normalize()} {i.target.normalize()}" if i.method == "linear" else "")
                 for i in model.items.all()]
        return {"code": model.code, "name": model.name, "description": model.description, "items": "\n".join(lines)}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("cancel_url", reverse("channelstats:models"))
        return super().get_context_data(**kwargs)

    def perform(self, form):
        data = form.cleaned_data
        return services.model_save(actor=self.request.user, code=data["code"], name=data["name"],
                                   description=data["description"], items=forms.parse_items(data["items"]))

    def success_url_for(self, obj):
        return reverse("channelstats:models")


class ManualListPage(_ActionsList):
    permission_required = "channelstats.view_manualscore"
    model = ManualScore
    title = _("Satisfaction and other scores")
    export_name = "channel-manual-scores"
    actions = [("channelstats.add_manualscore", "channelstats:manual_new", _("Enter a score"), "bi-plus"),
               ("channelstats.add_manualscore", "channelstats:manual_import", _("Import scores"), "bi-upload")]
    columns = [
        (_("Month"), lambda s: _month(s.period)), (_("Agent"), lambda s: str(s.agent)),
        (_("Kind"), lambda s: s.get_kind_display()), (_("Value"), lambda s: s.value.normalize()),
        (_("Note"), lambda s: s.note), (_("Entered at"), lambda s: s.entered_at),
    ]

    def get_base_queryset(self):
        return ManualScore.objects.select_related("agent")


class ManualFormPage(ServiceFormPage):
    permission_required = "channelstats.add_manualscore"
    form_class = forms.ManualScoreForm
    title = _("Enter a score")
    success_message = _("The score was saved.")

    def extra_form_kwargs(self):
        return {"user": self.request.user}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("cancel_url", reverse("channelstats:manual"))
        return super().get_context_data(**kwargs)

    def perform(self, form):
        data = form.cleaned_data
        return services.manual_score_save(actor=self.request.user, agent=data["agent"], period=data["period"],
                                          kind=data["kind"], value=data["value"], note=data["note"])

    def success_url_for(self, obj):
        return reverse("channelstats:manual")


class ManualImportPage(ServiceFormPage):
    permission_required = "channelstats.add_manualscore"
    form_class = forms.ManualImportForm
    title = _("Import scores")
    template_name = "web/form.html"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("cancel_url", reverse("channelstats:manual"))
        return super().get_context_data(**kwargs)

    def perform(self, form):
        count = services.manual_scores_import(actor=self.request.user, content=form.cleaned_data["file"].read())
        messages.success(self.request, gettext("%(n)s scores were imported.") % {"n": count})
        return count

    def success_url_for(self, obj):
        return reverse("channelstats:manual")


# --- Statistics (CH-17) ---------------------------------------------------------------------------------


def report_filters(request) -> Filters:
    get = request.GET

    def month(name):
        text = get.get(name) or ""
        return parse_date(text + "-01" if len(text) == 7 else text)

    unit_id = get.get("unit", "")
    unit = (OrgUnit.objects.visible_to(request.user).filter(pk=unit_id).first() if unit_id.isdigit() else None)
    group = get.get("group", "city")
    return Filters(since=month("since"), until=month("until"), unit=unit, group=group if group in GROUPS else "city")


class ReportIndexPage(PermissionRequiredMixin, TemplateView):
    permission_required = "channelstats.view_channel_statistics"
    template_name = "channelstats/reports.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Channel statistics"), reports=REPORTS.values(), **kwargs)


class ReportPage(PermissionRequiredMixin, TemplateView):
    permission_required = "channelstats.view_channel_statistics"
    template_name = "channelstats/report.html"

    def report(self):
        report = REPORTS.get(self.kwargs["slug"])
        if report is None:
            raise Http404
        return report

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx":
            report = self.report()
            data = report.build(request.user, report_filters(request))
            columns = [(label, (lambda key: lambda row: row.get(key))(key)) for key, label in data["columns"]]
            return xlsx_response(rows=data["rows"], columns=columns, filename=f"channel-{report.slug}",
                                 sheet=str(report.title))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        report = self.report()
        filters = report_filters(self.request)
        data = report.build(self.request.user, filters)
        query = self.request.GET.copy()
        query["export"] = "xlsx"
        keys = [key for key, _label in data["columns"]]
        return super().get_context_data(
            title=report.title, report=report, data=data, filters=filters, groups=GROUPS.items(),
            header=[label for _key, label in data["columns"]], table=[[row.get(k) for k in keys] for row in data["rows"]],
            units=OrgUnit.objects.visible_to(self.request.user).order_by("path"), export_url="?" + query.urlencode(),
            **kwargs,
        )

