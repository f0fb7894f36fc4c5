from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditConfig(AppConfig):
    """信用度管理 (CUS-08): credit grades of paying accounts."""

    name = "kams.credit"
    label = "credit"
    verbose_name = _("Credit")

    def ready(self) -> None:
        import datetime

        from kams.system.schedule import Periodic, register_periodic

        register_periodic(Periodic(
            "credit.regrade", "kams.credit.tasks.credit_regrade_task", label="Credit re-grading",
            monthly_on=3, daily_at=datetime.time(3, 0), with_job_run=True,
        ))
        from kams.credit import declarations, sections  # noqa: F401  (parameters, 360 section)
        from kams.web.menu import MenuItem, register

        register(
            MenuItem(_("Customers"), _("Account credit"), "credit:accounts", "bi-shield-check", "credit.view_accountcredit", order=125),
            MenuItem(_("Customers"), _("Credit log"), "credit:changes", "bi-journal-text", "credit.view_creditchange", order=126),
            MenuItem(_("Customers"), _("Credit standards"), "credit:standards", "bi-sliders", "credit.view_creditstandard", order=187),
        )
