"""Background jobs of settlement, run by ``kams worker``."""

from django_tasks import task


@task()
def settlement_run_task(*, job_run_id: int, period: str, kind: str, agent_id: int | None = None,
                        unit_id: int | None = None, extraction_id: int | None = None,
                        actor_id: int | None = None) -> dict:
    """A settlement run queued by ``settlement_run_start``, its progress on the job run; the
    run's number, total, bill count and page end up in the job's result."""
    from django.contrib.auth import get_user_model

    from kams.channels.models import Agent
    from kams.org.models import OrgUnit
    from kams.settlement.models import Extraction
    from kams.settlement.run import parse_period, settle_with_progress
    from kams.system.models import JobRun

    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    job = JobRun.objects.get(pk=job_run_id)
    settle_with_progress(
        job_run_row=job, actor=actor, period=parse_period(period), kind=kind,
        agent=Agent.objects.get(pk=agent_id) if agent_id else None,
        unit=OrgUnit.objects.get(pk=unit_id) if unit_id else None,
        extraction=Extraction.objects.get(pk=extraction_id) if extraction_id else None)
    return job.result
