from django.utils.translation import gettext_lazy as _

from kams.web.menu import MenuItem, register

SECTION = _("Service")
register(
    MenuItem(SECTION, _("My work"), "service:my_work", "bi-inbox", "service.view_workitem", order=300),
    MenuItem(SECTION, _("New case"), "service:case_new", "bi-plus-circle", "service.add_case", order=301),
    MenuItem(SECTION, _("Cases"), "service:cases", "bi-card-checklist", "service.view_case", order=302),
    MenuItem(SECTION, _("SLA board"), "service:board", "bi-speedometer2", "service.view_workitem", order=303),
    MenuItem(SECTION, _("On-time statistics"), "service:stats", "bi-bar-chart-line", "service.view_workitem", order=304),
    MenuItem(SECTION, _("Steps"), "service:items", "bi-list-task", "service.view_workitem", order=305),
    MenuItem(_("Administration"), _("Processes"), "service:definitions", "bi-diagram-3", "service.view_processdefinition", order=930),
    MenuItem(_("Administration"), _("Holiday calendar"), "service:holidays", "bi-calendar-event", "service.view_holiday", order=931),
)
