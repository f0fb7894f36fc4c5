from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SystemConfig(AppConfig):
    name = "kams.system"
    label = "system"
    verbose_name = _("System")

    def ready(self) -> None:
        from kams.system import declarations  # noqa: F401  (declares the platform's parameters)
