"""The engine end to end on a small test process: opening, forms, decisions, roles, scope,
hand-over, definitions and versions."""

import datetime

import pytest
from django.http import Http404
from django.utils import timezone

from kams.core.errors import InvalidInput
from kams.service import services
from kams.service.enums import CaseStatus, EventKind, ItemStatus
from kams.service.errors import AssignedElsewhere, InvalidProcess, NotYourStep, StepNotOpen
from kams.service.models import ProcessDefinition, WorkItem
from kams.service.testing import FIXTURES

MINI = (FIXTURES / "mini.bpmn").read_bytes()


@pytest.fixture
def mini(service_people):
    return services.definition_upload(actor=service_people.user("admin"), xml=MINI, note="test")


def open_mini(province, customer, **kw):
    return services.case_open(
        actor=province.user("nj_manager1"), process="mini", customer=customer, title="专线中断",
        data={"severity": "level1"}, **kw,
    )


def item_of(case, step):
    return case.work_items.get(step=step, status=ItemStatus.OPEN)


def test_open_creates_first_step_with_deadline_and_assignee(mini, customers, service_people):
    at = timezone.make_aware(datetime.datetime(2026, 11, 24, 2, 10))
    case = open_mini(service_people, customers["nj_m1"], now=at)
    assert case.number.startswith("SR261124")
    assert case.status == CaseStatus.OPEN and case.channel == "red"
    assert case.due_at == at + datetime.timedelta(hours=4)
    item = item_of(case, "record")
    assert item.deadline == at + datetime.timedelta(minutes=30)  # 24×7: 02:40 at night
    assert item.assignee == service_people.staff["nj_manager1"]  # the customer's manager holds the role
    assert item.org_unit == service_people.units["NJ-DKH-T1"]
    assert list(case.events.values_list("kind", flat=True)) == [EventKind.OPENED, EventKind.STEP_READY]


def test_opening_form_is_checked(mini, customers, service_people):
    with pytest.raises(InvalidInput, match="级别"):
        services.case_open(actor=service_people.user("nj_manager1"), process="mini", customer=customers["nj_m1"],
                           title="x", data={"severity": "level9"})


def test_out_of_scope_customer_is_refused(mini, customers, service_people):
    with pytest.raises(Http404):
        open_mini(service_people, customers["sz"])


def test_decision_branches_and_roles(mini, customers, service_people):
    p = service_people
    case = open_mini(p, customers["nj_m1"])
    record = item_of(case, "record")
    with pytest.raises(InvalidInput, match="故障描述"):
        services.workitem_complete(actor=p.user("nj_manager1"), item=record, values={"need_repair": "true"})
    with pytest.raises(NotYourStep):
        services.workitem_complete(actor=p.user("nj_maint"), item=record, values={"description": "x", "need_repair": True})
    case = services.workitem_complete(actor=p.user("nj_manager1"), item=record, values={"description": "光缆中断", "need_repair": "true"})
    repair = item_of(case, "repair")
    assert repair.role == "maintenance" and repair.assignee == p.staff["nj_maint"]
    assert repair.org_unit == p.units["NJ"]  # the nearest unit above the case that has maintenance staff
    with pytest.raises(StepNotOpen):
        services.workitem_complete(actor=p.user("nj_manager1"), item=record, values={"description": "x", "need_repair": True})
    case = services.workitem_complete(actor=p.user("nj_maint"), item=repair, values={"repaired_at": "2026-11-24 03:00"})
    approve = item_of(case, "approve")
    case = services.workitem_complete(actor=p.user("nj_director"), item=approve, values={})
    assert case.status == CaseStatus.CLOSED and case.closed_at
    assert case.data["need_repair"] is True and case.data["description"] == "光缆中断"
    assert WorkItem.objects.filter(case=case, status=ItemStatus.OPEN).count() == 0


def test_default_branch_closes_at_once(mini, customers, service_people):
    p = service_people
    case = open_mini(p, customers["nj_m1"])
    case = services.workitem_complete(actor=p.user("nj_manager1"), item=item_of(case, "record"), values={"description": "误报", "need_repair": "false"})
    assert case.status == CaseStatus.CLOSED


def test_claim_and_handover(mini, customers, service_people):
    from kams.org.testing import make_staff

    p = service_people
    second = make_staff("nj_maint2", p.units["NJ"], ("maintenance",), name="第二维护")
    case = open_mini(p, customers["nj_m1"])
    case = services.workitem_complete(actor=p.user("nj_manager1"), item=item_of(case, "record"), values={"description": "x", "need_repair": True})
    repair = item_of(case, "repair")
    assert repair.assignee is None  # two holders: the step waits in the pool
    services.workitem_claim(actor=p.user("nj_maint"), item=repair)
    with pytest.raises(AssignedElsewhere):
        services.workitem_complete(actor=second.user, item=repair, values={"repaired_at": "2026-11-24 03:00"})
    with pytest.raises(InvalidInput):
        services.workitem_handover(actor=p.user("nj_maint"), item=repair, to=p.staff["nj_manager2"], reason="休假")
    services.workitem_handover(actor=p.user("nj_maint"), item=repair, to=second, reason="休假")
    services.workitem_complete(actor=second.user, item=repair, values={"repaired_at": "2026-11-24 03:00"})


def test_bulk_reassign(mini, customers, service_people):
    p = service_people
    for _i in range(3):
        open_mini(p, customers["nj_m1"])
    moved = services.workitems_reassign(actor=p.user("nj_director"), source=p.staff["nj_manager1"], target=p.staff["nj_manager2"], reason="病假")
    assert moved == 3
    assert WorkItem.objects.filter(assignee=p.staff["nj_manager2"], status=ItemStatus.OPEN).count() == 3


def test_upload_checks_and_versions(mini, customers, service_people):
    p = service_people
    admin = p.user("admin")
    running = open_mini(p, customers["nj_m1"])
    bad_role = MINI.replace(b'name="maintenance"', b'name="plumber"')
    with pytest.raises(InvalidProcess, match="plumber"):
        services.definition_upload(actor=admin, xml=bad_role)
    with pytest.raises(InvalidProcess, match="two hours.*PT30M"):
        services.definition_upload(actor=admin, xml=MINI.replace(b'value="PT2H"', b'value="two hours"'))
    with pytest.raises(InvalidProcess, match="XML"):
        services.definition_upload(actor=admin, xml=b"<bpmn:definitions")
    with pytest.raises(InvalidProcess, match="compare"):
        services.definition_upload(actor=admin, xml=MINI.replace(b"need_repair == True", b"__import__('os').system('x')"))
    assert ProcessDefinition.objects.filter(key="mini").count() == 1
    v2 = services.definition_upload(actor=admin, xml=MINI.replace("维修".encode(), "抢修".encode()))
    assert v2.version == 2 and v2.is_active
    fresh = open_mini(p, customers["nj_m1"])
    assert fresh.definition == v2 and running.definition.version == 1
    for case in (running, fresh):
        case = services.workitem_complete(actor=p.user("nj_manager1"), item=item_of(case, "record"), values={"description": "x", "need_repair": True})
        names = {running.pk: "维修", fresh.pk: "抢修"}
        assert item_of(case, "repair").step_name == names[case.pk]


def test_idempotency_key_opens_once(mini, customers, service_people):
    first = open_mini(service_people, customers["nj_m1"], idempotency_key="tt-1")
    again = open_mini(service_people, customers["nj_m1"], idempotency_key="tt-1")
    assert first.pk == again.pk
