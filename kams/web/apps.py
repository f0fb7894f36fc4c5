from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "kams.web"
    label = "web"
    verbose_name = _("Web shell")

    def ready(self) -> None:
        from kams.web.menu import MenuItem, register

        work, admin = _("Workbench"), _("Administration")
        register(
            MenuItem(work, _("Home"), "web:home", "bi-house", order=0),
            MenuItem(admin, _("Organisation"), "org:tree", "bi-diagram-3", "org.view_orgunit", order=900),
            MenuItem(admin, _("Staff"), "org:staff", "bi-people", "org.view_staff", order=910),
            MenuItem(admin, _("Roles and permissions"), "org:roles", "bi-person-badge", "org.view_role", order=920),
            MenuItem(admin, _("Operation log"), "audit:list", "bi-journal-text", "audit.view_auditentry", order=930),
            MenuItem(admin, _("System parameters"), "system:parameters", "bi-sliders", "system.view_systemparameter", order=940),
            MenuItem(admin, _("Background jobs"), "system:jobs", "bi-hourglass-split", "system.view_jobrun", order=950),
            MenuItem(admin, _("API documentation"), "api-docs", "bi-braces", "org.view_orgunit", order=960),
            MenuItem(admin, _("Reference data (admin)"), "admin:index", "bi-gear", "auth.view_group", order=970),
        )
