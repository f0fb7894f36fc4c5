from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    """渠道管理 (CH-01 … CH-17): agents and distributors, their accounts, the subscribers they
    bring in, evaluation and commission settlement."""

    name = "kams.channels"
    label = "channels"
    verbose_name = _("Channels")

    def ready(self) -> None:
        from kams.channels import declarations  # noqa: F401  (parameters)
