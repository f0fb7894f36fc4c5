from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourceApiConfig(AppConfig):
    """TMF639 Resource Inventory Management over the channel resources (号码、卡、手机):
    ``kams.resourceapi.tmf639``."""

    name = "kams.resourceapi"
    label = "resourceapi"
    verbose_name = _("Resource inventory interface")
