"""System pages: parameters (ORG-06), jobs and health (ORG-07)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView, View

from kams.system import selectors, services
from kams.system.models import JobRun, JobState
from kams.system.parameters import Kind, definition, definitions, param
from kams.web.lists import ListPage
from kams.web.pages import ServiceFormPage


@never_cache
def healthz(request):
    """200 when the database answers, 503 when it does not. No login needed."""
    started = timezone.now()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means "not healthy"
        return JsonResponse(
            {"status": "error", "database": "unavailable", "error": exc.__class__.__name__}, status=503
        )
    return JsonResponse(
        {
            "status": "ok",
            "database": connection.vendor,
            "latency_ms": round((timezone.now() - started).total_seconds() * 1000, 2),
            "jobs_running": JobRun.objects.filter(state=JobState.RUNNING).count(),
        }
    )


class ParameterListPage(PermissionRequiredMixin, TemplateView):
    permission_required = "system.view_systemparameter"
    template_name = "system/parameters.html"

    def get_context_data(self, **kwargs):
        rows = [{"p": p, "value": param(p.key)} for p in definitions()]
        return super().get_context_data(
            title=_("System parameters"), rows=rows, changes=selectors.parameter_changes()[:30], **kwargs
        )


class ParameterForm(forms.Form):
    value = forms.CharField(label=_("Value"), required=False)
    reason = forms.CharField(label=_("Reason for the change"), max_length=300)

    def __init__(self, *args, parameter, **kwargs):
        super().__init__(*args, **kwargs)
        self.parameter = parameter
        if parameter.kind == Kind.BOOL:
            self.fields["value"] = forms.BooleanField(label=_("On"), required=False)
        elif parameter.kind == Kind.CHOICE:
            self.fields["value"] = forms.ChoiceField(label=_("Value"), choices=parameter.choices)
        elif parameter.kind == Kind.DATE:
            self.fields["value"] = forms.CharField(label=_("Value"), widget=forms.DateInput(attrs={"type": "date"}))
        self.fields["value"].help_text = parameter.help

    def clean_value(self):
        return self.parameter.clean(self.cleaned_data["value"])


class ParameterEditPage(ServiceFormPage):
    permission_required = "system.change_systemparameter"
    form_class = ParameterForm
    success_message = _("The parameter was changed.")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        try:
            self.parameter = definition(kwargs["key"])
        except KeyError:
            raise Http404 from None
        self.title = self.parameter.label
        self.cancel_url = reverse("system:parameters")

    def extra_form_kwargs(self):
        return {"parameter": self.parameter}

    def get_initial(self):
        value = param(self.parameter.key)
        return {"value": self.parameter.to_json(value)}

    def perform(self, form):
        return services.parameter_set(
            actor=self.request.user,
            key=self.parameter.key,
            value=form.cleaned_data["value"],
            reason=form.cleaned_data["reason"],
        )

    def success_url_for(self, obj):
        return reverse("system:parameters")


class JobListPage(ListPage):
    permission_required = "system.view_jobrun"
    model = JobRun
    title = _("Background jobs")
    template_name = "system/jobs.html"
    export_name = "jobs"
    columns = [
        (_("Job"), lambda j: j.label or j.name),
        (_("State"), lambda j: j.get_state_display()),
        (_("Progress"), lambda j: f"{j.percent}%"),
        (_("Created at"), lambda j: j.created_at),
        (_("Started at"), lambda j: j.started_at),
        (_("Finished at"), lambda j: j.finished_at),
        (_("Duration"), lambda j: str(j.duration).split(".")[0] if j.duration else ""),
        (_("Error"), lambda j: j.error),
    ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["jobs"] = context["page_obj"].object_list
        context["running"] = any(j.state in (JobState.RUNNING, JobState.QUEUED) for j in context["jobs"])
        return context

    def get_template_names(self):
        if self.request.htmx:
            return ["system/_job_rows.html"]
        return [self.template_name]


class BackupRequestView(PermissionRequiredMixin, View):
    """POST: queue a backup; the jobs page shows its progress."""

    permission_required = "system.run_backup"

    def post(self, request):
        run = services.backup_request(actor=request.user)
        messages.success(request, _("Backup #%(id)s is queued; the worker picks it up.") % {"id": run.pk})
        return redirect("system:jobs")
