from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SettlementConfig(AppConfig):
    name = "kams.settlement"
    label = "settlement"
    verbose_name = _("Channel settlement")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kams.settlement import menu  # noqa: F401
