"""Periodic jobs (ARCHITECTURE §3): one scheduler process (``kams scheduler``) enqueues each
due slot of each registered job exactly once, for ``kams worker`` to run.

Domains register their periodic jobs from ``AppConfig.ready``:

    register_periodic(Periodic("customers.contracts_expire", "kams.customers.tasks.contracts_expire_task",
                               daily_at=datetime.time(1, 0)))

A slot is the latest scheduled moment not in the future; a row (job, slot) with a unique
constraint records that it was enqueued, so two schedulers, a restart, or a tick repeated
within the same slot enqueue it once. Missed slots are not replayed: the jobs themselves are
idempotent and catch up on their next run.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Periodic:
    name: str
    task_path: str
    label: str = ""
    every_minutes: int | None = None
    daily_at: datetime.time | None = None
    monthly_on: int | None = None  # day of month, with daily_at as the time
    with_job_run: bool = False  # the task takes job_run_id (progress on the jobs page)

    def __post_init__(self) -> None:
        if self.monthly_on is not None and not 1 <= self.monthly_on <= 28:
            raise ValueError("monthly_on must be a day that every month has (1–28)")

    def latest_slot(self, now: datetime.datetime) -> datetime.datetime:
        local = timezone.localtime(now)
        if self.every_minutes:
            minutes = (local.hour * 60 + local.minute) // self.every_minutes * self.every_minutes
            slot = local.replace(hour=minutes // 60, minute=minutes % 60, second=0, microsecond=0)
            return slot
        at = self.daily_at or datetime.time(0, 0)
        slot = local.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
        if self.monthly_on:
            slot = slot.replace(day=self.monthly_on)
            if slot > local:
                previous_month = (slot.replace(day=1) - datetime.timedelta(days=1)).replace(day=self.monthly_on)
                slot = previous_month
            return slot
        if slot > local:
            slot -= datetime.timedelta(days=1)
        return slot


_registry: dict[str, Periodic] = {}


def register_periodic(job: Periodic) -> None:
    _registry[job.name] = job


def periodic_jobs() -> list[Periodic]:
    return sorted(_registry.values(), key=lambda j: j.name)


def schedule_tick(now: datetime.datetime | None = None) -> list[str]:
    """Enqueue every job whose latest slot has not been enqueued yet; returns their names."""
    from kams.system.models import JobRun, ScheduledRun

    now = now or timezone.now()
    enqueued = []
    for job in periodic_jobs():
        slot = job.latest_slot(now)
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(job=job.name, slot=slot)
                kwargs = {}
                if job.with_job_run:
                    kwargs["job_run_id"] = JobRun.objects.create(name=job.name, label=job.label or job.name).pk
                result = import_string(job.task_path).enqueue(**kwargs)
                run.task_result_id = str(result.id)
                run.save(update_fields=["task_result_id"])
        except IntegrityError:
            continue  # this slot was enqueued already
        enqueued.append(job.name)
    return enqueued
