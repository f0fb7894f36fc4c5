"""The demo's service cases, visits, care and support records (kams.demo.service, kams.demo.care).

Built once, at size small, through the demo's own steps: the organisation, staff, customers
and contracts they rest on, then the three service steps — the year of bills and the
evaluations that follow them are not needed here (``test_demo`` loads the whole province and
checks that the rest still holds with these steps in it).
"""

import datetime
import time
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from kams.audit.models import AuditEntry
from kams.demo.generator import STEPS, DemoContext
from kams.service.enums import CaseStatus, ItemStatus
from kams.service.models import Case, CaseEvent, ProcessDefinition, WorkItem
from kams.service.selectors import board, my_work, on_time_stats

NEEDED = ("org tree", "staff", "customers", "contracts", "first operations", "service cases", "customer care", "service support")


def user(username):
    return get_user_model().objects.get(username=username)


@pytest.mark.django_db
def test_service_demo_runs_every_process_through_the_real_services():
    ctx = DemoContext(size="small")
    counts, seconds = {}, {}
    for name, step in STEPS:
        if name in NEEDED:
            started = time.perf_counter()
            counts[name] = step(ctx)
            seconds[name] = round(time.perf_counter() - started, 1)
    now = timezone.now()
    table = Counter(Case.objects.values_list("process_key", "status"))
    keys = sorted({k for k, _s in table})
    print(f"\nservice demo steps: {seconds}")
    for key in keys:
        print(f"  {key:22} " + "  ".join(f"{s} {table[(key, s)]}" for s in CaseStatus.values))

    # Cases of every process, in every state, as many as the size asks
    assert set(keys) == set(ProcessDefinition.objects.filter(is_active=True).values_list("key", flat=True))
    assert len(keys) == 19
    statuses = Counter(Case.objects.values_list("status", flat=True))
    assert statuses[CaseStatus.OPEN] >= 40 and statuses[CaseStatus.CLOSED] >= 40 and 5 <= statuses[CaseStatus.CANCELLED] <= 30
    assert 150 <= Case.objects.count() <= 260
    assert counts["service cases"] <= Case.objects.count()
    assert Case.objects.filter(parent__isnull=False).exists() or Case.objects.filter(process_key="service_request").exists()
    assert Case.objects.filter(opened_at__lt=now - datetime.timedelta(days=60)).exists()
    cities = {c.split("-")[0] for c in Case.objects.values_list("org_unit__code", flat=True)}
    assert len(cities - {"JS"}) >= 10

    # The history is the engine's: every step done has its event and audit entry, in time order
    done = WorkItem.objects.filter(status=ItemStatus.DONE)
    assert done.count() == CaseEvent.objects.filter(kind="completed").count()
    assert done.count() == AuditEntry.objects.filter(action="service.step_complete").count()
    assert Case.objects.filter(status=CaseStatus.CLOSED).count() == CaseEvent.objects.filter(kind="closed").count()
    for item in done.select_related("case"):
        assert item.case.opened_at <= item.started_at <= item.completed_at <= now, item
        assert item.late == (item.completed_at > item.deadline)
    for case in Case.objects.filter(status=CaseStatus.CLOSED, parent__isnull=True):
        assert case.opened_at < case.closed_at <= now

    # Late and escalated open steps; the on-time statistics count both kinds
    open_items = WorkItem.objects.filter(status=ItemStatus.OPEN)
    assert open_items.filter(deadline__lt=now).count() >= 10
    levels = Counter(open_items.values_list("escalation_level", flat=True))
    assert levels[1] + levels[2] >= 5 and levels[2] >= 1
    assert open_items.filter(deadline__gt=now).exists()
    totals = on_time_stats(user("js_director"))["totals"]
    assert totals["done"] > totals["on_time"] > 0 and 60 < totals["rate"] < 98

    # The story: a bank's level-1 fault reported through 1001 at 02:10, due 02:40, escalated
    story = Case.objects.get(process_key="fault_level1", source="1001", title__contains="银行")
    opened = timezone.localtime(story.opened_at)
    assert (opened.hour, opened.minute) == (2, 10) and story.status == CaseStatus.OPEN
    assert story.customer.org_unit.code.startswith("NJ") and "银行" in story.customer.name
    [first] = story.work_items.all()
    assert first.status == ItemStatus.OPEN and first.deadline == story.opened_at + datetime.timedelta(minutes=30)
    assert first.escalation_level >= 1
    assert list(story.events.filter(kind__in=["warned", "escalated"]).values_list("kind", flat=True))[:2] == ["warned", "escalated"]
    nj_director = user("nj_director")
    assert WorkItem.objects.visible_to(nj_director).filter(pk=first.pk).exists()
    assert board(nj_director)["totals"]["escalated"] >= 1

    # The demo logins have work, inside their own city
    work = my_work(user("nj_manager1"))
    assert work.count() >= 3
    assert all(item.org_unit.path.startswith(work[0].org_unit.path[:8]) for item in work)
    assert not work.filter(case__org_unit__code__startswith="SZ").exists()
    assert my_work(user("sz_manager1")).exists()

    # Off the network: one customer at most
    assert AuditEntry.objects.filter(action="customers.cancel").count() <= 2

    # Care: gifts in stock, rules, today's proposals decided, surveys, visit plans
    from kams.care.enums import PlanState, ProposalState
    from kams.care.models import CareAction, CareProposal, CareRule, CareSurvey, GiftMove, GiftStock, Visit, VisitPlan

    assert GiftStock.objects.filter(quantity__gt=0).values("org_unit").distinct().count() >= 4
    assert CareRule.objects.count() >= 3 and CareProposal.objects.exists()
    assert CareProposal.objects.filter(state=ProposalState.ACCEPTED, action__gift__isnull=False).exists()
    assert CareProposal.objects.filter(state=ProposalState.DISMISSED).exists()
    assert CareAction.objects.count() >= 10 and CareSurvey.objects.count() >= 5
    assert GiftMove.objects.filter(kind="issue").exists() and GiftMove.objects.filter(kind="transfer_in").exists()
    assert VisitPlan.objects.filter(state=PlanState.ACTIVE).count() >= 2 and VisitPlan.objects.filter(state=PlanState.DRAFT).exists()
    assert Visit.objects.count() >= 5 and Visit.objects.filter(case__work_items__status=ItemStatus.DONE).exists()

    # Support: templates, a solution archived, assessments, consultations, lines, cut-overs
    from kams.support.enums import NoticeState, SolutionState
    from kams.support.models import (
        Consultation,
        CustomerLine,
        CutoverNotice,
        LineFault,
        ProjectRecord,
        QualityAssessment,
        SolutionTemplate,
        TechnicalSolution,
    )
    from kams.support.selectors import fault_sla

    assert SolutionTemplate.objects.filter(version=2).exists()
    assert TechnicalSolution.objects.filter(state=SolutionState.ARCHIVED).exists() and ProjectRecord.objects.exists()
    assert QualityAssessment.objects.filter(staff__user__username="nj_manager1").values("period").distinct().count() == 3
    assert 20 <= Consultation.objects.count() <= 40
    assert {"A", "B", "C"} & set(CustomerLine.objects.values_list("service_class__code", flat=True)) >= {"A"}
    faults = [fault_sla(f, now) for f in LineFault.objects.select_related("line__service_class", "case")]
    assert len(faults) >= 2 and any(f.breached for f in faults)
    assert LineFault.objects.filter(case=story).exists()
    sent = CutoverNotice.objects.filter(state=NoticeState.NOTIFIED).first()
    assert sent is not None and sent.impacts.filter(notified_at__isnull=False).exists() and sent.steps.exists()
    assert CutoverNotice.objects.filter(state=NoticeState.CLOSED).exists()
