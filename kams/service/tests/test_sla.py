"""SLA (SVC-13) with a controllable clock: warning before the deadline, escalation along the
chain after it, working-time limits with holidays, on-time statistics."""

import datetime

import pytest
from django.utils import timezone

from kams.notify.models import Message
from kams.service import services
from kams.service.calendar import WorkingCalendar, add_limit, parse_limit
from kams.service.enums import EventKind, ItemStatus
from kams.service.models import Holiday
from kams.service.sla import sla_sweep
from kams.service.testing import FIXTURES

MINI = (FIXTURES / "mini.bpmn").read_bytes()


def at(day, hour, minute=0):
    return timezone.make_aware(datetime.datetime(2026, 11, day, hour, minute))


@pytest.fixture
def fault(service_people, customers):
    services.definition_upload(actor=service_people.user("admin"), xml=MINI)
    return services.case_open(
        actor=service_people.user("nj_manager1"), process="mini", customer=customers["nj_m1"], title="银行专线中断",
        data={"severity": "level1"}, now=at(24, 2, 10),
    )


def test_warning_then_escalation_to_director_then_leader(fault, service_people):
    item = fault.work_items.get()
    assert item.deadline == at(24, 2, 40)
    assert sla_sweep(now=at(24, 2, 20)) == {"warned": 0, "escalated": 0}
    assert sla_sweep(now=at(24, 2, 35)) == {"warned": 1, "escalated": 0}  # 80 % of 30 minutes = 02:34
    assert sla_sweep(now=at(24, 2, 36)) == {"warned": 0, "escalated": 0}  # twice: nothing more
    warning = Message.objects.get(purpose="service.sla")
    assert warning.recipient == "13900000003" and "SR" in warning.body  # the assignee's mobile
    assert sla_sweep(now=at(24, 2, 41)) == {"warned": 0, "escalated": 1}
    item.refresh_from_db()
    assert item.escalation_level == 1
    director_msg = Message.objects.filter(purpose="service.sla", recipient="13900000002")
    assert director_msg.count() == 1
    assert sla_sweep(now=at(24, 3, 0)) == {"warned": 0, "escalated": 0}  # next level after one more limit
    assert sla_sweep(now=at(24, 3, 11)) == {"warned": 0, "escalated": 1}
    assert Message.objects.filter(purpose="service.sla", recipient="13900000009").count() == 1  # company leader
    item.refresh_from_db()
    assert item.escalation_level == 2 and item.next_alert_at is None
    assert sla_sweep(now=at(25, 3, 0)) == {"warned": 0, "escalated": 0}  # chain used up
    kinds = list(fault.events.filter(kind__in=[EventKind.WARNED, EventKind.ESCALATED]).values_list("kind", flat=True))
    assert kinds == [EventKind.WARNED, EventKind.ESCALATED, EventKind.ESCALATED]


def test_late_step_is_marked_late_and_leaves_the_sweep(fault, service_people):
    item = fault.work_items.get()
    sla_sweep(now=at(24, 2, 35))
    services.workitem_complete(actor=service_people.user("nj_manager1"), item=item,
                               values={"description": "x", "need_repair": False}, now=at(24, 2, 50))
    item.refresh_from_db()
    assert item.status == ItemStatus.DONE and item.late is True and item.next_alert_at is None
    assert sla_sweep(now=at(24, 4, 0)) == {"warned": 0, "escalated": 0}


def test_working_time_skips_nights_weekends_and_holidays(db):
    calendar = WorkingCalendar(datetime.time(8, 30), datetime.time(17, 30), {datetime.date(2026, 11, 30): False})
    friday_afternoon = at(27, 16, 0)
    # One working day (9 h): 1.5 h on Friday, Monday 30 Nov is a holiday, 7.5 h on Tuesday.
    assert calendar.add(friday_afternoon, 9 * 3600) == timezone.make_aware(datetime.datetime(2026, 12, 1, 16, 0))
    assert calendar.add(at(24, 20, 0), 3600) == at(25, 9, 30)  # after hours: starts next morning
    Holiday.objects.create(date=datetime.date(2026, 11, 25), name="测试假日")
    assert add_limit(at(24, 17, 0), "P0.5D", "working") == at(26, 12, 30)  # half a day: 30 min today + 4 h Thursday


def test_limits_are_parsed_strictly():
    assert parse_limit("PT30M")[1] == 1800
    assert parse_limit("P0.5D")[0] == pytest.approx(0.5)
    for bad in ("", "30M", "PT", "P", "PT0M", "P1DT"):
        with pytest.raises(Exception):
            parse_limit(bad)


def test_commands(fault, capsys):
    from django.core.management import call_command

    call_command("sla_sweep")
    assert "escalated" in capsys.readouterr().out
    call_command("processes_sync")
    assert "process versions installed" in capsys.readouterr().out
