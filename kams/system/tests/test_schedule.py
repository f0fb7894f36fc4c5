"""ARCHITECTURE §3: periodic jobs, each slot enqueued exactly once, run by the worker."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from kams.system.models import JobRun, ScheduledRun
from kams.system.schedule import Periodic, periodic_jobs, schedule_tick

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime.datetime(*args, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    "job,now,slot",
    [
        (Periodic("x", "t", daily_at=datetime.time(1, 0)), at(2026, 11, 24, 0, 30), at(2026, 11, 23, 1, 0)),
        (Periodic("x", "t", daily_at=datetime.time(1, 0)), at(2026, 11, 24, 1, 0), at(2026, 11, 24, 1, 0)),
        (Periodic("x", "t", monthly_on=2, daily_at=datetime.time(3, 0)), at(2026, 11, 24, 9, 0), at(2026, 11, 2, 3, 0)),
        (Periodic("x", "t", monthly_on=2, daily_at=datetime.time(3, 0)), at(2026, 1, 1, 9, 0), at(2025, 12, 2, 3, 0)),
        (Periodic("x", "t", every_minutes=15), at(2026, 11, 24, 9, 44, 59), at(2026, 11, 24, 9, 30)),
    ],
)
def test_latest_slot(job, now, slot):
    assert job.latest_slot(now) == slot


def test_monthly_day_must_exist_in_every_month():
    with pytest.raises(ValueError):
        Periodic("x", "t", monthly_on=31)


def test_the_platform_registers_its_periodic_jobs():
    names = {job.name for job in periodic_jobs()}

    assert {
        "customers.contracts_expire", "customers.contracts_expiry_warn", "customers.levels_evaluate",
        "credit.regrade", "collection.candidates", "collection.duplicates", "notify.retry_queued",
    } <= names


@pytest.mark.django_db(transaction=True)
def test_each_slot_is_enqueued_once_and_run_by_the_worker(province):
    now = at(2026, 11, 24, 9, 0)

    first = schedule_tick(now)
    again = schedule_tick(now + datetime.timedelta(minutes=4))

    assert set(first) == {job.name for job in periodic_jobs()}
    assert again == []  # the 5- and 15-minute jobs' slot (09:00) is still the same
    assert ScheduledRun.objects.count() == len(first)
    call_command("worker", "--batch")
    level_run = JobRun.objects.get(name="customers.levels_evaluate")
    assert level_run.state == "succeeded"
    assert sorted(schedule_tick(now + datetime.timedelta(minutes=16))) == ["notify.retry_queued", "service.sla_sweep"]


@pytest.mark.django_db
def test_scheduler_command_once(capsys):
    call_command("scheduler", "--once")

    out = capsys.readouterr().out
    assert "periodic jobs:" in out and "enqueued customers.contracts_expire" in out
