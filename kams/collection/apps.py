from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollectionConfig(AppConfig):
    """客户资料采集、规整与归并 (CUS-03, CUS-04): admitting key accounts from billing data,
    finding duplicates and merging them."""

    name = "kams.collection"
    label = "collection"
    verbose_name = _("Collection and merge")
