"""Visit plans (SVC-07): conditions, approval opening revisit cases, the job for large plans,
stop / reassign / postpone, one-click results and the statistics."""

import datetime
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from kams.care import selectors, services
from kams.care.enums import REVISIT, PlanState
from kams.care.errors import PlanEmpty, PlanNotDraft, QuickResultUnsupported, VisitNotOpen
from kams.care.models import Visit, VisitPlan
from kams.customers.models import Level
from kams.customers.testing import make_customer
from kams.service import engine
from kams.service import services as service
from kams.service.enums import CaseStatus, ItemStatus
from kams.service.models import Case
from kams.system.models import JobRun


def plan_for(province, user="nj_director", **values):
    values.setdefault("name", "四季度重点客户回访")
    values.setdefault("due_on", timezone.localdate() + datetime.timedelta(days=14))
    return services.visit_plan_save(actor=province.user(user), **values)


def visit_closed(province, customer, *, days_ago: int, satisfaction="very"):
    """A finished visit of ``customer`` closed ``days_ago`` days ago."""
    at = timezone.now() - datetime.timedelta(days=days_ago)
    user = province.user("nj_manager1" if customer.account_manager_id == province.staff["nj_manager1"].pk else "nj_manager2")
    case = service.case_open(actor=user, process=REVISIT, title="回访", customer=customer,
                             data={"purpose": "例行", "method": "phone"}, now=at)
    case = service.workitem_complete(actor=user, item=case.work_items.get(status=ItemStatus.OPEN),
                                     values={"appointment_at": at.isoformat()}, now=at)
    return service.workitem_complete(actor=user, item=case.work_items.get(status=ItemStatus.OPEN),
                                     values={"satisfaction": satisfaction, "opportunity": False}, now=at)


def names(queryset):
    return {c.name for c in queryset}


def test_plan_conditions_days_since_visit(revisit, customers, service_people):
    p = service_people
    visit_closed(p, customers["nj_m1"], days_ago=10)
    visit_closed(p, customers["nj_m2"], days_ago=100)
    plan = plan_for(p, days_since_visit=30)
    found = selectors.plan_candidates(plan, p.user("nj_director"))
    # 南京银行 was visited 10 days ago; 南钢 100 days ago; 镇江港务 (district group) never.
    assert names(found) == {"南京钢铁集团有限公司"}  # the plan is for the director's city, Nanjing
    last = {c.name: c.last_visit for c in found}
    assert last["南京钢铁集团有限公司"] is not None


def test_plan_conditions_level_and_manager(revisit, customers, service_people):
    p = service_people
    a = Level.objects.get(category__code="group", code="A")
    customers["nj_m1"].__class__.objects.filter(pk=customers["nj_m1"].pk).update(level=a)  # test set-up: a level-A bank
    assert names(selectors.plan_candidates(plan_for(p, min_level=a), p.user("nj_director"))) == {"南京银行股份有限公司"}
    b = Level.objects.get(category__code="group", code="B")
    assert names(selectors.plan_candidates(plan_for(p, min_level=b), p.user("nj_director"))) == {
        "南京银行股份有限公司", "南京钢铁集团有限公司"}
    by_manager = plan_for(p, account_manager=p.staff["nj_manager2"])
    assert names(selectors.plan_candidates(by_manager, p.user("nj_director"))) == {"南京钢铁集团有限公司"}


def test_manager_plan_covers_only_own_customers(revisit, customers, service_people):
    p = service_people
    plan = plan_for(p, user="nj_manager1")
    assert plan.account_manager == p.staff["nj_manager1"] and plan.owner == p.staff["nj_manager1"]
    assert names(selectors.plan_candidates(plan, p.user("nj_manager1"))) == {"南京银行股份有限公司"}


def test_plan_approval_opens_one_revisit_case_per_customer(revisit, customers, service_people):
    p = service_people
    plan = plan_for(p, method="on_site", purpose="了解专线使用情况")
    plan = services.visit_plan_approve(actor=p.user("nj_director"), plan=plan)
    assert plan.state == PlanState.ACTIVE and plan.customer_count == 2
    visits = Visit.objects.filter(plan=plan).select_related("case")
    assert {v.customer.name for v in visits} == {"南京银行股份有限公司", "南京钢铁集团有限公司"}
    for visit in visits:
        assert visit.case.process_key == REVISIT and visit.case.status == CaseStatus.OPEN
        assert visit.case.data["method"] == "on_site" and visit.case.data["purpose"] == "了解专线使用情况"
        assert visit.manager == visit.customer.account_manager
        item = visit.case.work_items.get(status=ItemStatus.OPEN)
        assert item.step == "appoint" and item.assignee == visit.customer.account_manager
    # The same plan cannot be approved twice; a second plan skips customers with an open visit.
    with pytest.raises(PlanNotDraft):
        services.visit_plan_approve(actor=p.user("nj_director"), plan=plan)
    with pytest.raises(PlanEmpty):
        services.visit_plan_approve(actor=p.user("nj_director"), plan=plan_for(p))


class Progress:
    def __init__(self):
        self.done = 0

    def advance(self, n=1, message=""):
        self.done += n


def test_large_plan_runs_as_a_job(revisit, customers, service_people, django_capture_on_commit_callbacks):
    from kams.system.services import parameter_set

    p = service_people
    parameter_set(actor=p.user("admin"), key="care.plan_inline_limit", value=1, reason="test")
    with django_capture_on_commit_callbacks() as callbacks:
        plan = services.visit_plan_approve(actor=p.user("nj_director"), plan=plan_for(p))
    assert len(callbacks) == 1  # the job is queued after commit
    assert plan.state == PlanState.RUNNING and plan.job is not None
    assert not Visit.objects.filter(plan=plan).exists()
    job = JobRun.objects.get(pk=plan.job_id)
    assert job.params["customers"] and job.progress_total == 2 and job.name == "care.visit_plan"
    progress = Progress()
    result = services.visit_plan_execute(job=job, progress=progress)  # what the worker's task runs inside job_run
    plan.refresh_from_db()
    assert result == {"plan": plan.pk, "visits": 2} and progress.done == 2
    assert plan.state == PlanState.ACTIVE and Visit.objects.filter(plan=plan).count() == 2
    services.visit_plan_execute(job=job)  # run again (resumed after a failure): nothing doubles
    assert Visit.objects.filter(plan=plan).count() == 2 and Case.objects.filter(process_key=REVISIT).count() == 2


def test_plan_permissions_and_drafts(revisit, customers, service_people):
    p = service_people
    with pytest.raises(PermissionDenied):
        plan_for(p, user="nj_maint")
    plan = plan_for(p)
    services.visit_plan_cancel(actor=p.user("nj_director"), plan=plan, reason="重复")
    with pytest.raises(PlanNotDraft):
        services.visit_plan_save(actor=p.user("nj_director"), plan=plan, name="x")


@pytest.fixture
def approved(revisit, customers, service_people):
    plan = services.visit_plan_approve(actor=service_people.user("nj_director"), plan=plan_for(service_people))
    return {v.customer.name: v for v in Visit.objects.filter(plan=plan)}


def test_quick_result_completes_the_revisit_steps(approved, service_people):
    p = service_people
    user = p.user("nj_manager1")
    items = list(selectors.quick_items_for(user))
    assert [i.case.customer.name for i in items] == ["南京银行股份有限公司"]  # only their own
    at = timezone.now() + datetime.timedelta(days=1)
    case = services.visit_result_quick(actor=user, item=items[0], when=at)  # the appointment
    assert case.data["appointment_at"] == at.isoformat()
    record = case.work_items.get(status=ItemStatus.OPEN)
    assert record.step == "record"
    case = services.visit_result_quick(actor=user, item=record, satisfaction="basic", note="希望提速")
    assert case.status == CaseStatus.CLOSED
    assert case.data["satisfaction"] == "ok"  # mapped to the process's own choice key by its label 基本满意
    assert case.data["result"] == "希望提速" and case.data["opportunity"] is False


def test_quick_result_refuses_a_step_without_satisfaction_and_others_steps(approved, service_people):
    p = service_people
    item = approved["南京银行股份有限公司"].case.work_items.get(status=ItemStatus.OPEN)
    with pytest.raises(QuickResultUnsupported):
        services.visit_result_quick(actor=p.user("nj_manager1"), item=item, satisfaction="satisfied")
    from kams.service.errors import AssignedElsewhere

    with pytest.raises(AssignedElsewhere):
        services.visit_result_quick(actor=p.user("nj_manager2"), item=item, when=timezone.now())
    item.refresh_from_db()
    assert item.status == ItemStatus.OPEN


def test_quick_values_maps_by_key_label_or_position():
    form = [{"name": "satisfaction", "type": "choice", "choices": [["satisfied", "满意"], ["basic", "基本满意"], ["dissatisfied", "不满意"]]},
            {"name": "summary", "type": "text", "required": True}]
    assert services.quick_values(form, satisfaction="basic") == {"satisfaction": "basic", "summary": "基本满意"}
    positional = [{"name": "satisfaction", "type": "choice", "choices": [["5", "A"], ["3", "B"], ["1", "C"]]}]
    assert services.quick_values(positional, satisfaction="dissatisfied") == {"satisfaction": "1"}
    with pytest.raises(QuickResultUnsupported):
        services.quick_values(form + [{"name": "amount", "type": "decimal", "required": True}], satisfaction="basic")


def test_stop_reassign_postpone(approved, service_people):
    p = service_people
    director = p.user("nj_director")
    bank, steel = approved["南京银行股份有限公司"], approved["南京钢铁集团有限公司"]
    old_due = bank.due_at
    bank = services.visit_postpone(actor=p.user("nj_manager1"), visit=bank, due_on=old_due.date() + datetime.timedelta(days=7),
                                   reason="客户出差")
    assert bank.due_at > old_due and bank.postponements == 1
    assert bank.case.events.filter(kind="note", text__contains="客户出差").exists()
    bank = services.visit_reassign(actor=director, visit=bank, to=p.staff["nj_manager2"], reason="客户经理休假")
    assert bank.manager == p.staff["nj_manager2"]
    assert bank.case.work_items.get(status=ItemStatus.OPEN).assignee == p.staff["nj_manager2"]
    with pytest.raises(PermissionDenied):  # stopping a visit cancels its case: a director's call
        services.visit_stop(actor=p.user("nj_manager2"), visit=steel, reason="客户拒访")
    steel = services.visit_stop(actor=director, visit=steel, reason="客户拒访")
    assert steel.case.status == CaseStatus.CANCELLED
    with pytest.raises(VisitNotOpen):
        services.visit_postpone(actor=director, visit=steel, due_on=timezone.localdate() + datetime.timedelta(days=30), reason="x")


def test_visit_statistics_numbers(approved, service_people, customers):
    p = service_people
    user = p.user("nj_manager1")
    item = approved["南京银行股份有限公司"].case.work_items.get(status=ItemStatus.OPEN)
    services.visit_result_quick(actor=user, item=item, when=timezone.now())
    record = approved["南京银行股份有限公司"].case.work_items.get(status=ItemStatus.OPEN)
    services.visit_result_quick(actor=user, item=record, satisfaction="satisfied")
    services.visit_stop(actor=p.user("nj_director"), visit=approved["南京钢铁集团有限公司"], reason="客户拒访")
    make_customer(p, name="南京地铁集团", manager="nj_manager2", certificate_no="91320100134791009X")
    late = visit_closed(p, customers["nj_m2"], days_ago=40)  # an ad-hoc visit outside plans, 40 days ago
    assert late.status == CaseStatus.CLOSED

    stats = selectors.visit_statistics(p.user("nj_director"))
    totals = stats["totals"]
    assert (totals["planned"], totals["done"], totals["stopped"], totals["open"]) == (3, 2, 1, 0)
    assert totals["rate"] == round(200 / 3, 1)
    assert {(r["label"], r["count"]) for r in stats["satisfaction"]} == {("满意", 2)}
    by_manager = {r["label"]: (r["planned"], r["done"]) for r in stats["by_manager"]}
    assert by_manager == {"张晓燕": (1, 1), "陈志强": (2, 1)}
    assert [(r["name"], r["total"], r["done"], r["rate"]) for r in stats["plans"]] == [("四季度重点客户回访", 2, 1, 50.0)]
    assert len(stats["by_month"]) in (1, 2)  # this month, and maybe last month's ad-hoc visit
    # An account manager's statistics hold only their own visits.
    own = selectors.visit_statistics(user)["totals"]
    assert (own["planned"], own["done"]) == (1, 1)
    sz = selectors.visit_statistics(p.user("sz_director"))["totals"]
    assert sz["planned"] == 0


def test_plans_are_scoped(revisit, customers, service_people):
    p = service_people
    mine = plan_for(p, user="nj_manager1")
    city = plan_for(p)
    assert set(VisitPlan.objects.visible_to(p.user("nj_manager1"))) == {mine}
    assert set(VisitPlan.objects.visible_to(p.user("nj_director"))) == {mine, city}
    assert not VisitPlan.objects.visible_to(p.user("sz_director")).exists()


@pytest.mark.skipif(not (Path(engine.PROCESS_DIR) / "revisit.bpmn").exists(), reason="the shipped visit process is not there")
def test_shipped_revisit_process_runs_on_one_click_per_step(customers, service_people):
    """The visit process shipped in kams/service/processes: a plan opens it, the quick entry
    takes every step of the usual path (no problem found, no opportunity) to the end."""
    p = service_people
    plan = services.visit_plan_approve(actor=p.user("nj_director"), plan=plan_for(p, account_manager=p.staff["nj_manager1"]))
    visit = Visit.objects.get(plan=plan)
    assert visit.case.definition.source == "package" and visit.case.data["revisit_kind"] == "planned"
    user, clicks = p.user("nj_manager1"), 0
    while visit.case.status == CaseStatus.OPEN and clicks < 10:
        item = selectors.quick_items_for(user).get(case=visit.case)
        has_satisfaction = any(f["name"] == "satisfaction" for f in services.step_form_of(item))
        services.visit_result_quick(actor=user, item=item, satisfaction="basic" if has_satisfaction else None,
                                    when=timezone.now())
        visit.case.refresh_from_db()
        clicks += 1
    assert visit.case.status == CaseStatus.CLOSED and clicks <= 7
    assert visit.case.data["satisfaction"] == "neutral"  # 基本满意 → the process's 一般
    assert visit.case.data["problems_found"] is False and visit.case.data["opportunity_found"] is False
    assert selectors.satisfaction_labels()["neutral"] == "一般"
