from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    """渠道管理 (CH-01 … CH-17): agents and distributors, their accounts, the subscribers they
    bring in, evaluation and commission settlement."""

    name = "kams.channels"
    label = "channels"
    verbose_name = _("Channels")

    def ready(self) -> None:
        import datetime

        from kams.channels import declarations  # noqa: F401  (parameters)
        from kams.system.schedule import Periodic, register_periodic
        from kams.web.menu import MenuItem, register

        register_periodic(Periodic("channels.regrade_monthly", "kams.channels.tasks.regrade_monthly_task",
                                   label="Channel level re-grading of last month", monthly_on=2,
                                   daily_at=datetime.time(5, 0)))
        register_periodic(Periodic("channels.qualified_daily", "kams.channels.tasks.register_qualified_task",
                                   label="Agents whose qualification case completed are registered",
                                   daily_at=datetime.time(1, 50)))
        section = _("Channels")
        register(
            MenuItem(section, _("Agents"), "channels:agents", "bi-shop-window", "channels.view_agent", order=700),
            MenuItem(section, _("Agent types"), "channels:agent_types", "bi-tags", "channels.view_agenttype", order=701),
            MenuItem(section, _("Channel level re-grading"), "channels:regrade", "bi-sort-up",
                     "channels.view_agentlevelchange", order=702),
        )
