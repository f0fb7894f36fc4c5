from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourcesConfig(AppConfig):
    """资源管理 (RES-02, CH-06, CH-07): numbers, SIM cards and handsets held by org units and
    agents, their flow between units and the agents' pickups."""

    name = "kams.resources"
    label = "resources"
    verbose_name = _("Resources")
