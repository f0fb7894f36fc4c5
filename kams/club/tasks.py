"""Background jobs of the club, run by ``kams worker`` and ``kams scheduler``."""

from django_tasks import task


@task()
def points_run_task(*, job_run_id: int, period: str, actor_id: int | None = None) -> dict:
    """The monthly points run of ``period`` with progress on the jobs page; resumes if run again."""
    from django.contrib.auth import get_user_model

    from kams.club.run import parse_period, points_run
    from kams.system.jobs import job_run
    from kams.system.models import JobRun

    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    run = JobRun.objects.get(pk=job_run_id)
    with job_run("club.points_run", run=run) as job:
        result = points_run(period=parse_period(period), progress=job, job=run, actor=actor)
        job.run.result = {"period": period, "members": result.members, "totals": result.totals}
    return job.run.result


@task()
def points_monthly_task() -> dict:
    """On the 1st: last month's points run, then the automatic redemptions of the month."""
    from kams.club.jobs import last_month, monthly_statements
    from kams.club.redemption import auto_redeem
    from kams.club.run import points_run

    period = last_month()
    run = points_run(period=period)
    redeemed = auto_redeem(period=period)
    statements = monthly_statements(period=period)
    return {"period": f"{period:%Y-%m}", "members": run.members, "auto_redemptions": redeemed, "statements": statements}


@task()
def points_daily_task() -> dict:
    """Daily: expire what is past its date, then warn of what expires soon."""
    from kams.club.jobs import expire_today, expiry_warnings

    return {"expired_lots": expire_today(), "warnings": expiry_warnings()}
