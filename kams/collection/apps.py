from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollectionConfig(AppConfig):
    """客户资料采集、规整与归并 (CUS-03, CUS-04, SVC-05): admitting key accounts from billing data,
    finding duplicates and merging them."""

    name = "kams.collection"
    label = "collection"
    verbose_name = _("Collection and merge")

    def ready(self) -> None:
        import datetime

        from kams.collection import declarations  # noqa: F401  (parameters)
        from kams.system.schedule import Periodic, register_periodic
        from kams.web.menu import MenuItem, register

        for name, task, day in (("collection.candidates", "candidates_generate_task", 2), ("collection.duplicates", "duplicates_find_task", 4)):
            register_periodic(Periodic(
                name, f"kams.collection.tasks.{task}", label=name, monthly_on=day, daily_at=datetime.time(4, 0), with_job_run=True,
            ))

        section = _("Customers")
        register(
            MenuItem(section, _("Key-account candidates"), "collection:candidates", "bi-person-plus", "collection.view_candidate", order=140),
            MenuItem(section, _("My first contacts"), "collection:first_contacts", "bi-telephone-outbound", "collection.view_firstcontacttask", order=141),
            MenuItem(section, _("Possible duplicates"), "collection:duplicates", "bi-union", "collection.view_duplicatepair", order=142),
            MenuItem(section, _("Admission rules"), "collection:rules", "bi-funnel", "collection.view_admissionrule", order=195),
        )
