from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReturnFormsConfig(AppConfig):
    """返单交接 and 返单录入 (CH-08, CH-09): agents hand back subscriber forms, which are entered
    as subscribers with their commission reference time."""

    name = "kams.returnforms"
    label = "returnforms"
    verbose_name = _("Return forms")

    def ready(self) -> None:
        from kams.web.menu import MenuItem, register

        channels = _("Channels")
        register(
            MenuItem(channels, _("Return form handovers"), "returnforms:handovers", "bi-inbox", "returnforms.view_handover",
                     order=640),
            MenuItem(channels, _("Return form entries"), "returnforms:entries", "bi-person-plus",
                     "returnforms.view_formentry", order=641),
        )
