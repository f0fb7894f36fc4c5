from django.contrib.auth.mixins import PermissionRequiredMixin
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from kams.audit.filters import AuditFilter
from kams.audit.masking import for_reader
from kams.audit.models import AuditEntry
from kams.web.lists import ListPage


class AuditListPage(ListPage):
    permission_required = "audit.view_auditentry"
    model = AuditEntry
    title = _("Operation log")
    filterset_class = AuditFilter
    export_name = "audit-log"
    columns = [
        (_("Time"), lambda e: e.at),
        (_("Actor"), lambda e: e.actor_name),
        (_("Org unit"), lambda e: e.org_unit.name if e.org_unit else ""),
        (_("Action"), lambda e: e.action),
        (_("Target"), lambda e: e.target_repr),
        (_("Reason"), lambda e: e.reason),
        (_("IP address"), lambda e: e.ip),
    ]

    def get_base_queryset(self):
        return AuditEntry.objects.select_related("org_unit")

    def row_url(self, row):
        return reverse("audit:detail", args=[row.pk])

    def prepare(self, rows):
        return for_reader(rows, self.request.user)


class AuditDetailPage(PermissionRequiredMixin, TemplateView):
    permission_required = "audit.view_auditentry"
    template_name = "audit/detail.html"

    def get_context_data(self, **kwargs):
        entry = for_reader([AuditEntry.objects.get_visible(self.request.user, pk=self.kwargs["pk"])], self.request.user)[0]
        return super().get_context_data(title=_("Operation log entry"), entry=entry, **kwargs)
