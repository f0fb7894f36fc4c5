from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourcesConfig(AppConfig):
    """资源管理 (RES-02, CH-06, CH-07): numbers, SIM cards and handsets held by org units and
    agents, their flow between units and the agents' pickups."""

    name = "kams.resources"
    label = "resources"
    verbose_name = _("Resources")

    def ready(self) -> None:
        from kams.web.menu import MenuItem, register

        section = _("Resources")
        register(
            MenuItem(section, _("Resource stock"), "resources:stock", "bi-boxes", "resources.view_resourceitem", order=760),
            MenuItem(section, _("Resource items"), "resources:items", "bi-search", "resources.view_resourceitem", order=761),
            MenuItem(section, _("Pickup orders"), "resources:pickups", "bi-bag-check", "resources.view_pickuporder",
                     order=762),
            MenuItem(section, _("Resource movements"), "resources:movements", "bi-journal-text",
                     "resources.view_movement", order=763),
            MenuItem(section, _("Stock flow"), "resources:flow", "bi-diagram-3", "resources.view_stocknode", order=764),
            MenuItem(section, _("Resource configuration"), "resources:config", "bi-sliders",
                     "resources.view_resourceprice", order=765),
        )
