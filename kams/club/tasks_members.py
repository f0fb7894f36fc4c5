"""Periodic jobs of club members and levels, run by ``kams worker``.

``club.levels_evaluate`` (monthly, registered by ``menu_members.register_menu``) judges the
latest billed month that has ended; running it again for the same month changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django_tasks import task


def club_levels_run(*, actor: Any = None, progress: Any = None) -> dict:
    """会员升降级处理 of the latest billed month that has ended; nothing without bills or levels."""
    from kams.club import levels
    from kams.club.ledger import add_months
    from kams.club.models import ClubLevel

    period = levels.latest_billed_period()
    this_month = timezone.localdate().replace(day=1)
    if period is not None and period >= this_month:
        period = add_months(this_month, -1)
    if period is None or not ClubLevel.objects.filter(is_active=True).exists():
        return {"period": "", "evaluated": 0, "upgrades": 0, "downgrades": 0}
    try:
        run = levels.levels_evaluate(actor=actor, period=period, progress=progress)
    except levels.NoBills:
        return {"period": f"{period:%Y-%m}", "evaluated": 0, "upgrades": 0, "downgrades": 0}
    return {"period": f"{run.period:%Y-%m}", "evaluated": run.evaluated, "upgrades": run.upgrades,
            "downgrades": run.downgrades}


@task()
def club_levels_task(*, job_run_id: int) -> dict:
    """The monthly level run with a job run (progress and result on the jobs page)."""
    from kams.system.jobs import job_run
    from kams.system.models import JobRun

    run = JobRun.objects.get(pk=job_run_id)
    with job_run("club.levels_evaluate", run=run) as job:
        job.run.result = club_levels_run(progress=job)
    return job.run.result
