"""Background jobs of visits and care, run by ``kams worker``."""

from django_tasks import task


@task()
def visit_plan_task(*, job_run_id: int) -> dict:
    """Open the visits of a large approved plan, with progress on the jobs and plan pages.
    Safe to run again after a failure: visits already opened are kept."""
    from kams.care.services import visit_plan_execute
    from kams.system.jobs import job_run
    from kams.system.models import JobRun

    run = JobRun.objects.get(pk=job_run_id)
    with job_run("care.visit_plan", run=run) as job:
        job.run.progress_done = 0
        job.run.result = visit_plan_execute(job=run, progress=job)
    return job.run.result


@task()
def care_proposals_task() -> dict:
    """Daily: care proposals from the care rules, reminders to account managers (safe to run twice)."""
    from kams.care.services import care_proposals_generate

    return care_proposals_generate()
