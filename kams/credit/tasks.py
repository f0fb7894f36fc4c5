"""Background jobs of credit management, run by ``kams worker``."""

from django_tasks import task


@task()
def credit_regrade_task(*, job_run_id: int, actor_id: int | None = None) -> dict:
    """The automatic re-grading with a job run (progress and result on the jobs page)."""
    from django.contrib.auth import get_user_model

    from kams.credit.regrade import credit_regrade_run
    from kams.system.jobs import job_run
    from kams.system.models import JobRun

    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    run = JobRun.objects.get(pk=job_run_id)
    with job_run("credit.regrade", run=run) as job:
        result = credit_regrade_run(actor=actor, progress=job, job=run)
        job.run.result = {
            "run": result.pk, "initial": result.initial, "evaluated": result.evaluated,
            "to_red": result.to_red, "to_grey": result.to_grey, "to_black": result.to_black,
            "kept_manual": result.kept_manual,
        }
    return job.run.result
