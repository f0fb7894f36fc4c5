from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportConfig(AppConfig):
    """客户服务支撑: solution templates and project records (SVC-01), service quality (SVC-09),
    consultations (SVC-10), cut-over notices and the emergency process (SVC-11), private-line
    service classes (SVC-14)."""

    name = "kams.support"
    label = "support"
    verbose_name = _("Service support")

    def ready(self) -> None:
        from kams.support import declarations, sections  # noqa: F401  (parameters, 360 section)
        from kams.web.menu import MenuItem, register

        service = _("Service")
        register(
            MenuItem(service, _("Consultations"), "support:consultations", "bi-chat-left-text", "support.view_consultation", order=320),
            MenuItem(service, _("Solution templates"), "support:templates", "bi-journal-richtext", "support.view_solutiontemplate", order=321),
            MenuItem(service, _("Technical solutions"), "support:solutions", "bi-file-earmark-ruled", "support.view_technicalsolution", order=322),
            MenuItem(service, _("Project records"), "support:records", "bi-hdd-stack", "support.view_projectrecord", order=323),
            MenuItem(service, _("Private lines"), "support:lines", "bi-diagram-2", "support.view_customerline", order=324),
            MenuItem(service, _("Line faults and SLA"), "support:faults", "bi-exclamation-diamond", "support.view_linefault", order=325),
            MenuItem(service, _("Cut-over notices"), "support:notices", "bi-broadcast", "support.view_cutovernotice", order=326),
            MenuItem(service, _("Service quality"), "support:quality", "bi-award", "support.view_qualityassessment", order=327),
            MenuItem(_("Administration"), _("Service classes (SLA)"), "support:classes", "bi-sliders", "support.view_serviceclass", order=935),
            MenuItem(_("Administration"), _("Quality indicators"), "support:indicators", "bi-list-ol", "support.view_qualityindicator", order=936),
        )
