"""Background jobs of collection and merge, run by ``kams worker``."""

from django_tasks import task


def _run(name: str, job_run_id: int, actor_id: int | None, work) -> dict:
    from django.contrib.auth import get_user_model

    from kams.system.jobs import job_run
    from kams.system.models import JobRun

    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    run = JobRun.objects.get(pk=job_run_id)
    with job_run(name, run=run) as job:
        job.run.result = work(actor=actor, progress=job)
    return job.run.result


@task()
def candidates_generate_task(*, job_run_id: int, actor_id: int | None = None) -> dict:
    """客户资料采集: candidates from the admission rules and the latest bills."""
    from kams.collection.services import candidates_generate

    return _run("collection.candidates_generate", job_run_id, actor_id, candidates_generate)


@task()
def duplicates_find_task(*, job_run_id: int, actor_id: int | None = None) -> dict:
    """数据规整: possible duplicate customers."""
    from kams.collection.services import duplicates_find

    return _run("collection.duplicates_find", job_run_id, actor_id, duplicates_find)
