from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TerminalsConfig(AppConfig):
    """移动终端管理 (PRD-05): subsidy levels, subsidised handsets tracked by IMEI, detection
    of handsets and SIMs moved to other uses (窜机窜卡)."""

    name = "kams.terminals"
    label = "terminals"
    verbose_name = _("Mobile terminals")

    def ready(self) -> None:
        from kams.web.menu import MenuItem, register

        group = _("Terminals")
        register(
            MenuItem(group, _("Subsidised sales"), "terminals:sales", "bi-phone", "terminals.view_subsidisedsale", order=980),
            MenuItem(group, _("Handset models"), "terminals:models", "bi-phone-vibrate", "terminals.view_handsetmodel",
                     order=981),
            MenuItem(group, _("Subsidy levels"), "terminals:levels", "bi-cash-coin", "terminals.view_subsidylevel",
                     order=982),
            MenuItem(group, _("Network observations"), "terminals:imports", "bi-broadcast",
                     "terminals.view_observationimport", order=983),
            MenuItem(group, _("Handset and SIM moved flags"), "terminals:anomalies", "bi-exclamation-triangle",
                     "terminals.view_anomaly", order=984),
            MenuItem(group, _("Flag statistics"), "terminals:chart", "bi-bar-chart", "terminals.view_anomaly", order=985),
        )
