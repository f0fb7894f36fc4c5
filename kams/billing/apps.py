from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    """帐务数据 — monthly bill summaries, payments and arrears imported from the billing
    system (INT-01, CUS-10, INT-06), read by every domain that works from revenue."""

    name = "kams.billing"
    label = "billing"
    verbose_name = _("Billing data")

    def ready(self) -> None:
        from kams.billing import declarations, sections  # noqa: F401  (parameters, 360 section)
        from kams.web.menu import MenuItem, register

        register(
            MenuItem(_("Customers"), _("Bills and arrears"), "billing:arrears", "bi-receipt", "billing.view_billsummary", order=120),
            MenuItem(_("Customers"), _("Billing imports"), "billing:imports", "bi-cloud-upload", "billing.view_billimport", order=130),
        )
