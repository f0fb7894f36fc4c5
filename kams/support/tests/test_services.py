"""Service support through its services: templates and solutions (SVC-01), project records,
service quality (SVC-09), consultations (SVC-10), cut-over notices (SVC-11) and private-line
SLAs (SVC-14). Each failure path proves that nothing changed."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from kams.audit.models import AuditEntry
from kams.core.errors import Conflict, KamsError
from kams.notify.models import Message
from kams.service import services as service_services
from kams.support import selectors, services
from kams.support.errors import (
    DuplicateAssessment,
    FaultCaseRefused,
    NoticeClosed,
    NotResponsible,
    SolutionArchived,
    SolutionNotConcluded,
    SupportInvalid,
    TemplateNotValid,
)
from kams.support.models import (
    Consultation,
    CutoverImpact,
    LineFault,
    ProjectRecordChange,
    QualityAssessment,
    SolutionTemplate,
    TechnicalSolution,
    payback,
)
from kams.support.tests.conftest import at


@pytest.fixture(autouse=True)
def _english():
    """Messages are matched in English here; the catalogue test proves every one has its Chinese."""
    from django.utils import translation

    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db


def audit_count(prefix="support."):
    return AuditEntry.objects.filter(action__startswith=prefix).count()


# --- Templates and technical solutions ----------------------------------------------------------


def test_template_revise_keeps_old_version_and_search_by_customer_type(support, template):
    js = support["people"].user("js_director")
    revised = services.template_revise(actor=js, template=template, change_note="增加5G备份", content="双路由 + 5G 备份")

    old = SolutionTemplate.objects.get(pk=template.pk)
    assert (old.is_current, revised.is_current, revised.version, revised.number) == (False, True, 2, "FA-ZX-01")
    assert old.content == "双路由 MSTP 专线，A类保障" and revised.content == "双路由 + 5G 备份"
    assert revised.equipment_notes == "客户侧 PTN 设备两台"
    assert list(selectors.templates_for(customer_type="group")) == [revised]
    assert list(selectors.templates_for(customer_type="high_end")) == []
    with pytest.raises(Conflict):
        services.template_revise(actor=js, template=old, change_note="x", name="旧版本")


def test_template_bad_input_changes_nothing(support, template):
    js = support["people"].user("js_director")
    before = (SolutionTemplate.objects.count(), audit_count())
    with pytest.raises(SupportInvalid, match="valid_until"):
        services.template_revise(actor=js, template=template, change_note="x", valid_until=datetime.date(2025, 1, 1))
    with pytest.raises(SupportInvalid, match="change_note"):
        services.template_revise(actor=js, template=template, change_note=" ", name="新名")
    with pytest.raises(SupportInvalid, match="customer_types"):
        services.template_create(actor=js, number="X1", name="x", valid_from=datetime.date(2026, 1, 1), content="x", customer_types=["alien"])
    with pytest.raises(PermissionDenied):
        services.template_create(actor=support["people"].user("nj_director"), number="X2", name="x", valid_from=datetime.date(2026, 1, 1), content="x")
    assert (SolutionTemplate.objects.count(), audit_count()) == before
    assert SolutionTemplate.objects.get(pk=template.pk).is_current


@pytest.mark.parametrize(
    "investment, revenue, cost, expected",
    [("120000", "10000", "0", Decimal("12.0")), ("100000", "9000", "1500", Decimal("13.3")),
     ("50000", "3000", "3000", None), ("0", "100", "0", Decimal("0.0")), (None, "100", "0", None)],
)
def test_payback_is_investment_over_monthly_margin(investment, revenue, cost, expected):
    assert payback(Decimal(investment) if investment else None, Decimal(revenue), Decimal(cost)) == expected


def test_solution_from_template_for_green_case_through_archive(support, template, green_process):
    p, customer = support["people"], support["customers"]["nj_m1"]
    manager = p.user("nj_manager1")
    case = service_services.case_open(actor=manager, process="green_test", customer=customer, title="新建专线", data={"severity": "level1"})

    solution = services.solution_create(actor=manager, customer=customer, template=template, case=case, today=datetime.date(2026, 11, 24))
    assert solution.number.startswith("TS") and solution.content == template.content and solution.case == case
    services.solution_survey(actor=p.user("nj_tech"), solution=solution, survey_result="河西机房有空余端口", resources_available=True)
    analysed = services.solution_analyse(actor=p.user("nj_finance"), solution=solution, investment="180000",
                                         expected_monthly_revenue="16000", monthly_cost="1000")
    assert analysed.payback_months == Decimal("12.0") and analysed.analysed_by == p.staff["nj_finance"]
    with pytest.raises(SolutionNotConcluded):
        services.solution_archive(actor=p.user("nj_director"), solution=solution, category="金融专线")
    services.solution_conclude(actor=manager, solution=solution, feasibility="feasible", conclusion="技术可行，12个月回收投资")
    archived = services.solution_archive(actor=p.user("nj_director"), solution=solution, category="金融专线")
    assert (archived.state, archived.archive_category) == ("archived", "金融专线")
    with pytest.raises(SolutionArchived):
        services.solution_analyse(actor=manager, solution=solution, investment="1", expected_monthly_revenue="1")
    assert TechnicalSolution.objects.get(pk=solution.pk).investment == Decimal("180000.00")


def test_solution_bad_input_is_refused_and_changes_nothing(support, template, fault_process):
    p, customers = support["people"], support["customers"]
    manager = p.user("nj_manager1")
    fault = service_services.case_open(actor=manager, process="fault_level1", customer=customers["nj_m1"], title="中断", data={"severity": "level1"})
    with pytest.raises(SupportInvalid, match="green-channel"):
        services.solution_create(actor=manager, customer=customers["nj_m1"], template=template, case=fault)
    with pytest.raises(TemplateNotValid):
        services.solution_create(actor=manager, customer=customers["nj_m1"], template=template, today=datetime.date(2025, 6, 1))
    with pytest.raises(Http404):
        services.solution_create(actor=manager, customer=customers["sz"], template=template)
    assert TechnicalSolution.objects.count() == 0

    solution = services.solution_create(actor=manager, customer=customers["nj_m1"], template=template)
    for kwargs, field in (({"investment": "-5", "expected_monthly_revenue": "100"}, "investment"),
                          ({"investment": "abc", "expected_monthly_revenue": "100"}, "investment"),
                          ({"investment": "100", "expected_monthly_revenue": ""}, "expected_monthly_revenue")):
        with pytest.raises(SupportInvalid, match=field):
            services.solution_analyse(actor=manager, solution=solution, **kwargs)
    services.solution_survey(actor=manager, solution=solution, survey_result="无光缆资源", resources_available=False)
    with pytest.raises(SupportInvalid, match="feasibility"):
        services.solution_conclude(actor=manager, solution=solution, feasibility="feasible", conclusion="可行")
    with pytest.raises(SupportInvalid, match="conclusion"):
        services.solution_conclude(actor=manager, solution=solution, feasibility="infeasible", conclusion="")
    solution.refresh_from_db()
    assert (solution.investment, solution.payback_months, solution.feasibility, solution.state) == (None, None, "pending", "draft")


def test_project_record_changes_are_kept_as_history(support):
    p, customer = support["people"], support["customers"]["nj_m1"]
    manager = p.user("nj_manager1")
    record = services.record_add(actor=manager, customer=customer, kind="equipment", name="PTN 960", quantity=2, location="总行机房")
    changed = services.record_change(actor=manager, record=record, reason="扩容", quantity=4)

    assert changed.revision == 2 and changed.quantity == 4
    history = list(ProjectRecordChange.objects.filter(record=record).order_by("revision"))
    assert [(h.revision, h.before and h.before["quantity"], h.after["quantity"], h.reason) for h in history] == [
        (1, None, 2, "Recorded"), (2, 2, 4, "扩容")]
    with pytest.raises(SupportInvalid, match="reason"):
        services.record_change(actor=manager, record=record, reason="", quantity=9)
    with pytest.raises(SupportInvalid, match="quantity"):
        services.record_change(actor=manager, record=record, reason="x", quantity=0)
    with pytest.raises(Http404):
        services.record_change(actor=p.user("sz_manager1"), record=record, reason="x", quantity=9)
    record.refresh_from_db()
    assert (record.quantity, record.revision, ProjectRecordChange.objects.count()) == (4, 2, 2)


# --- Service quality ----------------------------------------------------------------------------


def test_assessment_total_is_weighted_and_once_a_month(support):
    p = support["people"]
    director = p.user("nj_director")
    scores = {"satisfaction": 90, "timeliness": 80, "complaints": 100, "visits": 60, "compliance": 100}
    a = services.assessment_record(actor=director, subject_kind="account_manager", staff=p.staff["nj_manager1"],
                                   period=datetime.date(2026, 11, 17), scores=scores)
    # (90×30 + 80×25 + 100×20 + 60×15 + 100×10) / 100
    assert a.total == Decimal("86.00") and a.period == datetime.date(2026, 11, 1) and a.org_unit == p.units["NJ-DKH-T1"]
    agent = services.assessment_record(actor=director, subject_kind="agent", subject_name="鼓楼代理点", period=datetime.date(2026, 11, 1),
                                       scores={"satisfaction": 100, "timeliness": 50, "complaints": 100, "compliance": 100})
    assert agent.total == Decimal("85.29")  # (3000 + 1250 + 2000 + 1000) / 85, no visits indicator for agents
    with pytest.raises(DuplicateAssessment):
        services.assessment_record(actor=director, subject_kind="account_manager", staff=p.staff["nj_manager1"],
                                   period=datetime.date(2026, 11, 30), scores=scores)


@pytest.mark.parametrize(
    "kwargs, field",
    [({"scores": {"satisfaction": 90}}, "timeliness"),
     ({"scores": {"satisfaction": 190, "timeliness": 1, "complaints": 1, "visits": 1, "compliance": 1}}, "satisfaction"),
     ({"scores": {"satisfaction": 1, "timeliness": 1, "complaints": 1, "visits": 1, "compliance": 1, "bogus": 1}}, "bogus"),
     ({"staff": None}, "staff")],
)
def test_assessment_bad_input_changes_nothing(support, kwargs, field):
    p = support["people"]
    values = {"subject_kind": "account_manager", "staff": p.staff["nj_manager1"], "period": datetime.date(2026, 11, 1),
              "scores": {"satisfaction": 1, "timeliness": 1, "complaints": 1, "visits": 1, "compliance": 1}, **kwargs}
    with pytest.raises(SupportInvalid, match=field):
        services.assessment_record(actor=p.user("nj_director"), **values)
    assert QualityAssessment.objects.count() == 0 and audit_count() == 3  # the three lines of the fixture


def test_assessment_of_someone_out_of_scope_is_refused(support):
    p = support["people"]
    with pytest.raises(SupportInvalid, match="staff"):
        services.assessment_record(actor=p.user("nj_director"), subject_kind="account_manager", staff=p.staff["sz_manager1"],
                                   period=datetime.date(2026, 11, 1), scores={})
    with pytest.raises(PermissionDenied):
        services.assessment_record(actor=p.user("nj_manager1"), subject_kind="agent", subject_name="x", period=datetime.date(2026, 11, 1), scores={})


def test_quality_stats_average_by_month_and_kind(support):
    p = support["people"]
    for staff, month, score in (("nj_manager1", 10, 80), ("nj_manager2", 10, 60), ("nj_manager1", 11, 100)):
        services.assessment_record(actor=p.user("nj_director"), subject_kind="account_manager", staff=p.staff[staff],
                                   period=datetime.date(2026, month, 1), scores={k: score for k in ("satisfaction", "timeliness", "complaints", "visits", "compliance")})
    stats = selectors.quality_stats(QualityAssessment.objects.all())
    assert stats["labels"] == ["2026-10", "2026-11"]
    assert stats["series"][0]["values"] == [70.0, 100.0]
    assert [(r["subject_name"], r["avg"]) for r in stats["ranking"]] == [("张晓燕", 90.0), ("陈志强", 60.0)]


# --- Consultations ------------------------------------------------------------------------------


def test_consultation_quick_entry_and_statistics(support):
    p, customer = support["people"], support["customers"]["nj_m1"]
    c = services.consultation_record(actor=p.user("nj_manager1"), channel="10018", topic="tariff", customer=customer,
                                     content="专线资费是否有优惠", answer="签约三年享九折", answer_satisfaction="satisfied")
    assert (c.org_unit, c.owner, c.answered_by) == (customer.org_unit, p.staff["nj_manager1"], p.staff["nj_manager1"])
    services.consultation_record(actor=p.user("nj_director"), channel="hall", topic="billing", content="发票怎么开")
    services.consultation_record(actor=p.user("nj_director"), channel="1001", topic="tariff", content="x", answer="y", answer_satisfaction="dissatisfied")
    stats = selectors.consultation_stats(Consultation.objects.all())
    assert (stats["total"], stats["answered"], stats["rated"], stats["satisfied_pct"]) == (3, 2, 2, 50.0)
    assert dict(zip(stats["by_channel"]["labels"], stats["by_channel"]["values"]))["10018 hotline"] == 1


@pytest.mark.parametrize(
    "kwargs, field",
    [({"channel": "fax"}, "channel"), ({"content": "  "}, "content"), ({"topic": "weather"}, "topic"),
     ({"answer_satisfaction": "satisfied"}, "answer_satisfaction"), ({"answer": "x", "answer_satisfaction": "meh"}, "answer_satisfaction")],
)
def test_consultation_bad_input_changes_nothing(support, kwargs, field):
    values = {"channel": "1001", "content": "问题", **kwargs}
    with pytest.raises(SupportInvalid, match=field):
        services.consultation_record(actor=support["people"].user("nj_manager1"), **values)
    assert Consultation.objects.count() == 0


# --- Cut-over notices ---------------------------------------------------------------------------


def make_notice(support, **kw):
    p = support["people"]
    values = {"title": "南京河西 OTN 设备升级", "starts_at": at(1), "ends_at": at(4), "impact": "专线中断约30分钟",
              "network_element": "NJ-OTN-01", **kw}
    return services.notice_create(actor=p.user("nj_director"), **values)


def test_affected_customers_by_line_element_and_area(support):
    p, customers = support["people"], support["customers"]
    by_line = make_notice(support)
    assert services.notice_find_affected(actor=p.user("nj_director"), notice=by_line) == 2
    found = {i.customer_id: (i.reason, i.lines) for i in CutoverImpact.objects.filter(notice=by_line)}
    # 南京银行 and the Suzhou company have lines on NJ-OTN-01; 南钢's line is on NJ-OTN-02.
    assert found == {customers["nj_m1"].pk: ("line", ["NJ-DL-0001"]), customers["sz"].pk: ("line", ["SZ-DL-0001"])}
    assert services.notice_find_affected(actor=p.user("nj_director"), notice=by_line) == 0

    by_area = make_notice(support, network_element="NJ-OTN-01", areas=[p.units["NJ"]])
    services.notice_find_affected(actor=p.user("nj_director"), notice=by_area)
    reasons = {i.customer_id: i.reason for i in CutoverImpact.objects.filter(notice=by_area)}
    assert reasons == {customers["nj_m1"].pk: "both", customers["nj_m2"].pk: "area", customers["sz"].pk: "line"}


def test_notice_sent_twice_sends_once(support):
    p = support["people"]
    notice = make_notice(support)
    first = services.notice_send(actor=p.user("nj_director"), notice=notice)

    # Each customer's primary contact and account manager with a mobile (nj_manager1 has one).
    assert first == {"customers": 2, "messages": 3, "without_contact": 0}
    recipients = sorted(Message.objects.filter(purpose__startswith="support.cutover").values_list("recipient", flat=True))
    assert recipients == ["13800000001", "13800000003", "13900000003"]
    body = Message.objects.get(recipient="13800000001").body
    assert "南京银行股份有限公司" in body and "南京河西 OTN 设备升级" in body and "张晓燕" in body
    second = services.notice_send(actor=p.user("nj_director"), notice=notice)
    assert second == {"customers": 0, "messages": 0, "without_contact": 0}
    assert Message.objects.filter(purpose__startswith="support.cutover").count() == 3
    assert CutoverImpact.objects.filter(notice=notice, notified_at__isnull=False).count() == 2
    notice.refresh_from_db()
    assert notice.state == "notified"


def test_acknowledgement_and_closed_loop_of_emergency_steps(support):
    p = support["people"]
    notice = make_notice(support, steps=[{"name": "启动备用路由", "responsible": p.staff["nj_maint"], "due_at": at(1, 30)}])
    services.step_add(actor=p.user("nj_director"), notice=notice, name="通知受影响客户", responsible=p.staff["nj_manager1"])
    impact_before_send = None
    services.notice_find_affected(actor=p.user("nj_director"), notice=notice)
    impact_before_send = CutoverImpact.objects.get(notice=notice, customer=support["customers"]["nj_m1"])
    with pytest.raises(SupportInvalid):
        services.impact_acknowledge(actor=p.user("nj_manager1"), impact=impact_before_send, acknowledged_by="王行长")
    services.notice_send(actor=p.user("nj_director"), notice=notice)
    acked = services.impact_acknowledge(actor=p.user("nj_manager1"), impact=impact_before_send, acknowledged_by="王行长", note="电话确认")
    assert acked.acknowledged_by == "王行长" and acked.recorded_by == p.staff["nj_manager1"]
    with pytest.raises(Conflict):
        services.impact_acknowledge(actor=p.user("nj_manager1"), impact=acked, acknowledged_by="再次")

    backup, inform = list(notice.steps.order_by("order"))
    with pytest.raises(NotResponsible):
        services.step_done(actor=p.user("nj_manager1"), step=backup, result="已切换")
    with pytest.raises(SupportInvalid, match="steps"):
        services.notice_close(actor=p.user("nj_director"), notice=notice, summary="完成")
    done = services.step_done(actor=p.user("nj_maint"), step=backup, result="01:20 已切换至备用路由", at=at(1, 20))
    assert (done.done_by, done.late) == (p.staff["nj_maint"], False)
    services.step_done(actor=p.user("nj_manager1"), step=inform, result="已电话通知")
    closed = services.notice_close(actor=p.user("nj_director"), notice=notice, summary="割接按时完成")
    assert closed.state == "closed"
    with pytest.raises(NoticeClosed):
        services.notice_send(actor=p.user("nj_director"), notice=notice)


@pytest.mark.parametrize(
    "kwargs, field",
    [({"ends_at": at(0)}, "ends_at"), ({"network_element": "", "areas": []}, "areas"), ({"title": ""}, "title"),
     ({"kind": "party"}, "kind")],
)
def test_notice_bad_input_changes_nothing(support, kwargs, field):
    with pytest.raises(SupportInvalid, match=field):
        make_notice(support, **kwargs)
    from kams.support.models import CutoverNotice

    assert CutoverNotice.objects.count() == 0


def test_notice_area_outside_scope_is_refused(support):
    with pytest.raises(SupportInvalid, match="areas"):
        make_notice(support, areas=[support["people"].units["SZ"]])


# --- Private-line SLA ---------------------------------------------------------------------------


def open_fault(support, line_key="nj_m1", at_=None):
    p = support["people"]
    customer = support["customers"][line_key]
    return service_services.case_open(actor=p.user("nj_manager1" if line_key == "nj_m1" else "js_director"), process="fault_level1",
                                      customer=customer, title="专线中断", data={"severity": "level1"}, now=at_ or at(2, 10))


def test_fault_response_and_repair_measured_against_class_sla(support, fault_process):
    p, line = support["people"], support["lines"]["nj_m1"]  # class A: 15 minutes, 4 hours
    case = open_fault(support)
    fault = services.line_fault_link(actor=p.user("nj_manager1"), line=line, case=case)
    assert fault.reported_at == at(2, 10)

    running = selectors.fault_sla(selectors.faults_with_times(LineFault.objects.filter(pk=fault.pk)).get(), now=at(2, 20))
    assert (running.response_minutes, running.response_breach, running.open) == (10, False, True)
    late_now = selectors.fault_sla(selectors.faults_with_times(LineFault.objects.filter(pk=fault.pk)).get(), now=at(2, 40))
    assert late_now.response_breach and not late_now.repair_breach  # 30 minutes without response

    item = case.work_items.get(step="record")
    case = service_services.workitem_complete(actor=p.user("nj_manager1"), item=item, values={"description": "光缆被挖断", "need_repair": True}, now=at(2, 22))
    case = service_services.workitem_complete(actor=p.user("nj_maint"), item=case.work_items.get(step="repair"), values={"repaired_at": "2026-11-24 05:00"}, now=at(5, 0))
    service_services.workitem_complete(actor=p.user("nj_director"), item=case.work_items.get(step="approve"), values={}, now=at(7, 40))
    sla = selectors.fault_sla(selectors.faults_with_times(LineFault.objects.filter(pk=fault.pk)).get(), now=at(12))
    assert (sla.responded_at, sla.response_minutes, sla.response_breach) == (at(2, 22), 12, False)
    assert (sla.restored_at, sla.repair_hours, sla.repair_breach) == (at(7, 40), Decimal("5.50"), True)
    assert [b.fault.pk for b in selectors.sla_breaches(p.user("nj_director"), now=at(12))] == [fault.pk]
    assert selectors.sla_breaches(p.user("sz_manager1"), now=at(12)) == []

    # Maintenance records the real restoration (03:50): within the 4 hours after all.
    services.line_fault_times(actor=p.user("nj_maint"), fault=fault, responded_at=None, restored_at=at(5, 50))
    assert selectors.sla_breaches(p.user("nj_director"), now=at(12)) == []


def test_fault_link_refuses_wrong_cases_and_changes_nothing(support, fault_process, green_process):
    p, lines = support["people"], support["lines"]
    manager = p.user("nj_manager1")
    other = service_services.case_open(actor=manager, process="green_test", customer=support["customers"]["nj_m1"], title="开通", data={"severity": "level1"})
    with pytest.raises(FaultCaseRefused, match="not a fault case"):
        services.line_fault_link(actor=manager, line=lines["nj_m1"], case=other)
    case = open_fault(support)
    with pytest.raises(FaultCaseRefused, match="another customer"):
        services.line_fault_link(actor=p.user("nj_director"), line=lines["nj_m2"], case=case)
    with pytest.raises(SupportInvalid, match="responded_at"):
        services.line_fault_link(actor=manager, line=lines["nj_m1"], case=case, responded_at=at(1))
    with pytest.raises(Http404):
        services.line_fault_link(actor=p.user("sz_manager1"), line=lines["nj_m1"], case=case)
    assert LineFault.objects.count() == 0
    services.line_fault_link(actor=manager, line=lines["nj_m1"], case=case)
    with pytest.raises(Conflict):
        services.line_fault_link(actor=manager, line=lines["nj_m1"], case=case)


def test_activation_test_puts_line_in_service(support):
    p = support["people"]
    js = p.user("js_director")
    line = services.line_add(actor=js, customer=support["customers"]["nj_m2"], line_no="NJ-WLAN-01", line_type="wlan",
                             service_class=support["class_b"].__class__.objects.get(line_type="wlan", code="B"), bandwidth_mbps=200,
                             a_end="南钢办公楼", network_element="NJ-AC-01")
    services.line_check_record(actor=p.user("nj_tech"), line=line, kind="activation_test", result="failed", note="信号弱")
    line.refresh_from_db()
    assert line.status == "testing"
    services.line_check_record(actor=p.user("nj_tech"), line=line, kind="activation_test", result="passed", at=at(10),
                               availability_pct="100", latency_ms="3.5", packet_loss_pct="0")
    line.refresh_from_db()
    assert (line.status, line.activated_on) == ("active", datetime.date(2026, 11, 24))
    with pytest.raises(SupportInvalid, match="availability_pct"):
        services.line_check_record(actor=p.user("nj_tech"), line=line, kind="monitoring", result="passed", availability_pct="120")
    assert line.checks.count() == 2


def test_line_class_must_fit_the_line_type_and_numbers_are_unique(support):
    js = support["people"].user("js_director")
    customer = support["customers"]["nj_m2"]
    with pytest.raises(SupportInvalid, match="service_class"):
        services.line_add(actor=js, customer=customer, line_no="X-1", line_type="broadband", service_class=support["class_a"],
                          bandwidth_mbps=10, a_end="x", network_element="y")
    with pytest.raises(Conflict):
        services.line_add(actor=js, customer=customer, line_no="NJ-DL-0001", line_type="private_line", service_class=support["class_a"],
                          bandwidth_mbps=10, a_end="x", network_element="y")
    with pytest.raises(KamsError):
        services.service_class_save(actor=js, service_class=support["class_a"], availability_pct="80")
    support["class_a"].refresh_from_db()
    assert support["class_a"].availability_pct == Decimal("99.990")
