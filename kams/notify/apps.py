from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    """通知 (INT-04): one outbound channel for SMS, e-mail and call lists, every message recorded."""

    name = "kams.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from kams.notify import declarations  # noqa: F401  (parameters)
        from kams.system.schedule import Periodic, register_periodic
        from kams.web.menu import MenuItem, register

        register_periodic(Periodic("notify.retry_queued", "kams.notify.tasks.retry_queued_task", every_minutes=15))
        register(MenuItem(_("Administration"), _("Notifications"), "notify:messages", "bi-envelope", "notify.view_message", order=945))
