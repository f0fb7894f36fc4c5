from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClubStatsConfig(AppConfig):
    """俱乐部统计分析 (CLUB-22) and 积分成本管理 (CLUB-17): statistics of points, redemption,
    consumption, members and cards; the cost of redemptions, the points liability and the
    forecast of a points scheme's cost on historical bills."""

    name = "kams.clubstats"
    label = "clubstats"
    verbose_name = _("Club statistics and points cost")

    def ready(self) -> None:
        from kams.clubstats import declarations  # noqa: F401  (parameters)
        from kams.web.menu import MenuItem, register

        club = _("Loyalty club")
        register(
            MenuItem(club, _("Club statistics"), "clubstats:index", "bi-bar-chart-line", "clubstats.view_clubstatistics",
                     order=560),
            MenuItem(club, _("Redemption cost"), "clubstats:cost", "bi-cash-coin", "clubstats.view_pointscost", order=561),
            MenuItem(club, _("Points cost analysis"), "clubstats:cost_analysis", "bi-graph-up", "clubstats.view_pointscost",
                     order=562),
            MenuItem(club, _("Points schemes"), "clubstats:schemes", "bi-calculator", "clubstats.view_pointsscheme",
                     order=563),
        )
