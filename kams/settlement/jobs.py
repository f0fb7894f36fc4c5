"""Settlement runs started from the web page (CH-15): checked at once, then settled by
``kams worker`` with their progress on the jobs page and on the runs list."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kams.audit.services import audit_record
from kams.channels.models import Agent
from kams.org.models import OrgUnit
from kams.settlement.models import Extraction
from kams.settlement.run import settle_plan
from kams.system.models import JobRun

JOB_NAME = "settlement.run"


@transaction.atomic
def settlement_run_start(
    *, actor: Any, kind: str, period: datetime.date, agent: Agent | None = None, unit: OrgUnit | None = None,
    extraction: Extraction | None = None,
) -> JobRun:
    """Queue a settlement run (结算) of ``period`` for ``kams worker``. Everything ``settle``
    would refuse (permission, scope, agent without scheme, extraction, unended month) is
    refused here, before anything is queued; the worker runs ``settle`` with the job's progress."""
    plan = settle_plan(actor=actor, period=period, kind=kind, agent=agent, unit=unit, extraction=extraction)
    month = f"{plan.period:%Y-%m}"
    params = {"period": month, "kind": kind, "agent": agent.code if agent else None,
              "unit": unit.code if unit else None, "extraction": extraction.pk if extraction else None}
    run = JobRun.objects.create(name=JOB_NAME, label=_("Settlement %(period)s") % {"period": month},
                                params=params, started_by=actor)
    audit_record(actor=actor, action="settlement.run_request", target=run, after=params)

    def enqueue() -> None:
        from kams.settlement.tasks import settlement_run_task

        settlement_run_task.enqueue(
            job_run_id=run.pk, period=month, kind=kind, agent_id=agent.pk if agent else None,
            unit_id=unit.pk if unit else None, extraction_id=extraction.pk if extraction else None, actor_id=actor.pk)

    transaction.on_commit(enqueue)
    return run
