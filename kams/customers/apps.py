import datetime

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "kams.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from kams.audit.masking import register_personal_fields
        from kams.core.masking import mask_certificate, mask_phone
        from kams.customers import declarations, overview  # noqa: F401  (parameters, 360 sections)
        from kams.system.schedule import Periodic, register_periodic
        from kams.web.menu import MenuItem, register

        for job in (
            Periodic("customers.contracts_expire", "kams.customers.tasks.contracts_expire_task", daily_at=datetime.time(1, 0)),
            Periodic("customers.contracts_expiry_warn", "kams.customers.tasks.contracts_expiry_warn_task", daily_at=datetime.time(8, 30)),
            Periodic(
                "customers.levels_evaluate", "kams.customers.tasks.levels_evaluate_task", label=str(_("Customer level evaluation")),
                monthly_on=2, daily_at=datetime.time(3, 0), with_job_run=True,
            ),
        ):
            register_periodic(job)

        personal = "customers.view_personal_data"
        register_personal_fields(
            "customers.customer", {"certificate_no": mask_certificate, "phone": mask_phone}, permission=personal
        )
        register_personal_fields("customers.contact", {"mobile": mask_phone}, permission=personal)
        register_personal_fields("customers.payingaccount", {"bank_account": mask_certificate}, permission=personal)
        register_personal_fields("customers.member", {"msisdn": mask_phone}, permission=personal, target_repr=mask_phone)

        register(
            MenuItem(_("Customers"), _("Key accounts"), "customers:list", "bi-buildings", "customers.view_customer", order=100),
            MenuItem(_("Customers"), _("Contracts"), "customers:contracts", "bi-file-earmark-text", "customers.view_contract", order=105),
            MenuItem(_("Customers"), _("Level evaluation"), "customers:levels", "bi-award", "customers.view_levelchange", order=108),
            MenuItem(_("Customers"), _("Preferential policies"), "customers:preferences", "bi-percent", "customers.view_preference", order=106),
            MenuItem(_("Customers"), _("Training and feedback"), "customers:care", "bi-mortarboard", "customers.view_carerecord", order=107),
            MenuItem(_("Customers"), _("Change history"), "customers:changes", "bi-clock-history", "customers.view_customer", order=110),
            MenuItem(_("Customers"), _("Customer levels"), "customers:level_config", "bi-bar-chart-steps", "customers.view_level", order=185),
            MenuItem(_("Customers"), _("Extra attributes"), "customers:attributes", "bi-ui-checks", "customers.change_extraattribute", order=190),
        )
