from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollectionConfig(AppConfig):
    """客户资料采集、规整与归并 (CUS-03, CUS-04, SVC-05): admitting key accounts from billing data,
    finding duplicates and merging them."""

    name = "kams.collection"
    label = "collection"
    verbose_name = _("Collection and merge")

    def ready(self) -> None:
        from kams.collection import declarations  # noqa: F401  (parameters)
        from kams.web.menu import MenuItem, register

        section = _("Customers")
        register(
            MenuItem(section, _("Key-account candidates"), "collection:candidates", "bi-person-plus", "collection.view_candidate", order=140),
            MenuItem(section, _("My first contacts"), "collection:first_contacts", "bi-telephone-outbound", "collection.view_firstcontacttask", order=141),
            MenuItem(section, _("Possible duplicates"), "collection:duplicates", "bi-union", "collection.view_duplicatepair", order=142),
            MenuItem(section, _("Admission rules"), "collection:rules", "bi-funnel", "collection.view_admissionrule", order=195),
        )
