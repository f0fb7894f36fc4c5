from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    """俱乐部合作伙伴管理 (CLUB-19): partners, agreements, activities, coupons, outlets,
    appraisal, points exchange both ways, settlement and exchange statistics (13.9)."""

    name = "kams.partners"
    label = "partners"
    verbose_name = _("Club partners")

    def ready(self) -> None:
        import datetime

        from kams.system.schedule import Periodic, register_periodic
        from kams.web.menu import MenuItem, register

        register_periodic(Periodic(
            "partners.daily", "kams.partners.tasks.partners_daily_task",
            label="Partner agreements expired, redemptions at partners recorded", daily_at=datetime.time(2, 40),
        ))
        club = _("Loyalty club")
        register(
            MenuItem(club, _("Club partners"), "partners:list", "bi-shop", "partners.view_partner", order=550),
            MenuItem(club, _("Partner agreements"), "partners:agreements", "bi-file-earmark-text",
                     "partners.view_partneragreement", order=551),
            MenuItem(club, _("Partner activities"), "partners:activities", "bi-megaphone", "partners.view_partneractivity",
                     order=552),
            MenuItem(club, _("Partner coupons"), "partners:batches", "bi-ticket-perforated", "partners.view_couponbatch",
                     order=553),
            MenuItem(club, _("Partner outlets"), "partners:outlets", "bi-geo-alt", "partners.view_partneroutlet", order=554),
            MenuItem(club, _("Points exchanges with partners"), "partners:exchanges", "bi-arrow-left-right",
                     "partners.view_partnerexchange", order=555),
            MenuItem(club, _("Partner exchange statistics"), "partners:statistics", "bi-bar-chart-line",
                     "partners.view_partnerexchange", order=556),
            MenuItem(club, _("Partner settlement"), "partners:settlements", "bi-cash-coin",
                     "partners.view_settlementstatement", order=557),
            MenuItem(club, _("Partner appraisal"), "partners:appraisals", "bi-award", "partners.view_appraisal", order=558),
            MenuItem(club, _("Partner services"), "partners:services", "bi-bag", "partners.view_partnerservice", order=559),
        )
