from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """会员自服务 — the club web site for members (CLUB-06 self-service, CLUB-14 portal channel,
    CLUB-16 pre-selection, CLUB-18 queries and statements). Members have no Django user:
    they log in with their card number and a password or a one-time SMS code."""

    name = "kams.portal"
    label = "portal"
    verbose_name = _("Member portal")

    def ready(self) -> None:
        from kams.portal import declarations  # noqa: F401  (parameters)
