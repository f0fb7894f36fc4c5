from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClubConfig(AppConfig):
    """俱乐部 (CLUB-01 … CLUB-18): members, levels, cards, the points ledger and redemption."""

    name = "kams.club"
    label = "club"
    verbose_name = _("Loyalty club")

    def ready(self) -> None:
        import datetime

        from kams.club import declarations  # noqa: F401  (parameters)
        from kams.club.menu_members import register_menu  # members and levels: menu, monthly job, masking
        from kams.system.schedule import Periodic, register_periodic

        register_periodic(Periodic("club.points_daily", "kams.club.tasks.points_daily_task", label="Points expiry and warnings",
                                   daily_at=datetime.time(2, 30)))
        register_periodic(Periodic("club.points_monthly", "kams.club.tasks.points_monthly_task",
                                   label="Monthly points run and automatic redemption", monthly_on=1,
                                   daily_at=datetime.time(4, 0)))
        register_menu()
        _register_points_menu()


def _register_points_menu() -> None:
    from kams.web.menu import MenuItem, register

    points, redemption = _("Club points"), _("Points redemption")
    register(
        MenuItem(points, _("Points ledger"), "club:entries", "bi-journal-text", "club.view_pointsentry", order=520),
        MenuItem(points, _("Points adjustments"), "club:adjustments", "bi-plus-slash-minus", "club.view_pointsadjustment", order=521),
        MenuItem(points, _("Monthly points runs"), "club:runs", "bi-calculator", "club.view_pointsrun", order=522),
        MenuItem(points, _("Points rules"), "club:rules", "bi-sliders", "club.view_pointsrule", order=523),
        MenuItem(redemption, _("Redemption desk"), "club:desk", "bi-credit-card", "club.add_redemption", order=530),
        MenuItem(redemption, _("Redemptions"), "club:redemptions", "bi-receipt", "club.view_redemption", order=531),
        MenuItem(redemption, _("Monthly statements"), "club:monthly_statements", "bi-envelope-paper", "club.view_redemption", order=532),
        MenuItem(redemption, _("Redemption catalogue"), "club:items", "bi-gift", "club.view_redemptionitem", order=532),
        MenuItem(redemption, _("Redemption channels"), "club:channels", "bi-hdd-network", "club.view_redemptionchannel", order=533),
    )
