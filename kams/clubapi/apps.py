from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClubApiConfig(AppConfig):
    """The loyalty club's outside interfaces: TMF658 Loyalty Management (members, accounts,
    balances, rules) and the headquarters link of CLUB-21 (会员认证, 全国性及跨省业务受理)."""

    name = "kams.clubapi"
    label = "clubapi"
    verbose_name = _("Loyalty club interfaces")

    def ready(self) -> None:
        from kams.web.menu import MenuItem, register

        register(
            MenuItem(_("Loyalty club"), _("Headquarters requests"), "clubhq:requests", "bi-arrow-left-right",
                     "clubapi.view_hqrequest", order=570),
        )
