from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelStatsConfig(AppConfig):
    """渠道评估 (CH-10) and 渠道分布统计与报表 (CH-17): evaluation models, runs, rankings,
    history, exports for headquarters, and the distribution statistics of agents."""

    name = "kams.channelstats"
    label = "channelstats"
    verbose_name = _("Channel evaluation")

    def ready(self) -> None:
        from kams.web.menu import MenuItem, register

        section = _("Channel evaluation")
        register(
            MenuItem(section, _("Evaluation runs"), "channelstats:runs", "bi-trophy", "channelstats.view_evaluationrun",
                     order=700),
            MenuItem(section, _("Evaluation models"), "channelstats:models", "bi-sliders",
                     "channelstats.view_evaluationmodel", order=701),
            MenuItem(section, _("Satisfaction and other scores"), "channelstats:manual", "bi-emoji-smile",
                     "channelstats.view_manualscore", order=702),
            MenuItem(section, _("Exports to headquarters"), "channelstats:exports", "bi-cloud-upload",
                     "channelstats.view_evaluationexport", order=703),
            MenuItem(section, _("Channel statistics"), "channelstats:reports", "bi-bar-chart-line",
                     "channelstats.view_channel_statistics", order=704),
        )
        from kams.channelstats.reports import REPORTS

        for n, report in enumerate(REPORTS.values()):
            register(MenuItem(section, report.title, f"channelstats:report_{report.slug}", "bi-bar-chart",
                              "channelstats.view_channel_statistics", order=705 + n))
