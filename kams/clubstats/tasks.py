"""Background jobs of the points cost management, run by ``kams worker``."""

from django_tasks import task


@task()
def forecast_task(*, job_run_id: int) -> dict:
    """A points scheme forecast over many bills, with progress on the forecast and jobs pages."""
    from kams.clubstats.models import PointsSchemeForecast
    from kams.clubstats.services import forecast_execute
    from kams.system.jobs import job_run
    from kams.system.models import JobRun

    run = JobRun.objects.get(pk=job_run_id)
    forecast = PointsSchemeForecast.objects.get(pk=run.params["forecast"])
    with job_run("clubstats.forecast", run=run) as job:
        job.run.progress_done = 0
        forecast = forecast_execute(forecast=forecast, progress=job)
        job.run.result = {"forecast": forecast.pk, "totals": forecast.totals}
    return job.run.result
