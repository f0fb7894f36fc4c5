from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "kams.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from kams.customers import declarations, overview  # noqa: F401  (parameters, 360 sections)
        from kams.web.menu import MenuItem, register

        register(
            MenuItem(_("Customers"), _("Key accounts"), "customers:list", "bi-buildings", "customers.view_customer", order=100),
            MenuItem(_("Customers"), _("Contracts"), "customers:contracts", "bi-file-earmark-text", "customers.view_contract", order=105),
            MenuItem(_("Customers"), _("Change history"), "customers:changes", "bi-clock-history", "customers.view_customer", order=110),
            MenuItem(_("Customers"), _("Extra attributes"), "customers:attributes", "bi-ui-checks", "customers.change_extraattribute", order=190),
        )
