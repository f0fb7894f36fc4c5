from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    """客户服务与业务流程 (SVC, OTH): cases on BPMN processes, work items and their time limits."""

    name = "kams.service"
    label = "service"
    verbose_name = _("Service processes")

    def ready(self) -> None:
        from kams.service import actions, declarations, sections  # noqa: F401  (parameters, actions, 360 section)
        from kams.system.schedule import Periodic, register_periodic

        register_periodic(Periodic("service.sla_sweep", "kams.service.tasks.sla_sweep_task", every_minutes=5))
        from kams.service import menu  # noqa: F401

        post_migrate.connect(_sync_processes, sender=self)


def _sync_processes(sender, using="default", **kwargs) -> None:
    """Install the shipped process files (a new version when one changed). After a
    ``flush`` the roles are gone: the first case opened installs them then."""
    from kams.org.models import Role
    from kams.service.services import definitions_sync_package

    if Role.objects.filter(is_system=True).exists():
        definitions_sync_package()
