"""Background jobs of the customer domain, run by ``kams worker``."""

from django_tasks import task


@task()
def levels_evaluate_task(*, job_run_id: int, actor_id: int | None = None) -> dict:
    """The monthly level evaluation with a job run (progress and result on the jobs page)."""
    from django.contrib.auth import get_user_model

    from kams.customers.levels import levels_evaluate
    from kams.system.jobs import job_run
    from kams.system.models import JobRun

    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    run = JobRun.objects.get(pk=job_run_id)
    with job_run("customers.levels_evaluate", run=run) as job:
        evaluation = levels_evaluate(actor=actor, progress=job)
        job.run.result = {"evaluation": evaluation.pk, "upgrades": evaluation.upgrades, "downgrades": evaluation.downgrades}
    return job.run.result


@task()
def contracts_expire_task() -> int:
    """Daily: contracts whose period has ended become expired (safe to run twice)."""
    from kams.customers.services import contracts_expire

    return contracts_expire()


@task()
def contracts_expiry_warn_task() -> int:
    """Daily: warn account managers of contracts ending soon (safe to run twice)."""
    from kams.customers.services import contracts_expiry_warn

    return contracts_expiry_warn()
