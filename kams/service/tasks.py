from django_tasks import task

from kams.service.sla import sla_sweep


@task()
def sla_sweep_task() -> dict:
    """Periodic (every 5 minutes): deadline warnings and escalations."""
    return sla_sweep()
