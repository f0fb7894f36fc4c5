"""Service support through /api/v1/support/: every list and detail keeps to the user's scope,
writes go through the services with their translated errors."""

import datetime

import pytest

from kams.notify.models import Message
from kams.org.testing import assert_scoped, result_rows
from kams.service import services as service_services
from kams.support import services
from kams.support.models import Consultation, CutoverImpact, LineCheck, LineFault, QualityAssessment, TechnicalSolution
from kams.support.tests.conftest import at

pytestmark = pytest.mark.django_db
API = "/api/v1/support"
SCORES = {"satisfaction": 90, "timeliness": 80, "complaints": 100, "visits": 60, "compliance": 100}


@pytest.fixture
def world(support, template, fault_process):
    """One record of every kind in Nanjing (customer of nj_manager1) and in Suzhou."""
    p, c, lines = support["people"], support["customers"], support["lines"]
    nj_m, sz_m = p.user("nj_manager1"), p.user("sz_manager1")
    w = {"support": support}
    w["solution"] = {"nj": services.solution_create(actor=nj_m, customer=c["nj_m1"], template=template),
                     "sz": services.solution_create(actor=sz_m, customer=c["sz"], template=template)}
    w["record"] = {"nj": services.record_add(actor=nj_m, customer=c["nj_m1"], kind="network", name="MSTP 端口"),
                   "sz": services.record_add(actor=sz_m, customer=c["sz"], kind="network", name="MSTP 端口")}
    w["assessment"] = {
        "nj": services.assessment_record(actor=p.user("nj_director"), subject_kind="account_manager", staff=p.staff["nj_manager1"],
                                         period=datetime.date(2026, 11, 1), scores=SCORES),
        "sz": services.assessment_record(actor=p.user("sz_director"), subject_kind="account_manager", staff=p.staff["sz_manager1"],
                                         period=datetime.date(2026, 11, 1), scores=SCORES),
    }
    w["consultation"] = {"nj": services.consultation_record(actor=nj_m, channel="1001", customer=c["nj_m1"], content="资费"),
                         "sz": services.consultation_record(actor=sz_m, channel="web", customer=c["sz"], content="发票")}
    w["line"] = {"nj": lines["nj_m1"], "sz": lines["sz"]}
    w["check"] = {k: services.line_check_record(actor=p.user("js_director"), line=line, kind="monitoring", result="passed")
                  for k, line in w["line"].items()}
    faults = {}
    for key, user, customer in (("nj", nj_m, c["nj_m1"]), ("sz", sz_m, c["sz"])):
        case = service_services.case_open(actor=user, process="fault_level1", customer=customer, title="中断", data={"severity": "level1"}, now=at(2))
        faults[key] = services.line_fault_link(actor=user, line=w["line"][key], case=case)
    w["fault"] = faults
    w["notice"] = {
        "nj": services.notice_create(actor=p.user("nj_director"), title="南京割接", starts_at=at(1), ends_at=at(3), impact="中断",
                                     network_element="NJ-OTN-02", steps=[{"name": "通知客户", "responsible": p.staff["nj_manager1"]}]),
        "sz": services.notice_create(actor=p.user("sz_director"), title="苏州割接", starts_at=at(1), ends_at=at(3), impact="中断",
                                     areas=[p.units["SZ"]], steps=[{"name": "通知客户", "responsible": p.staff["sz_manager1"]}]),
    }
    for key, director in (("nj", "nj_director"), ("sz", "sz_director")):
        services.notice_find_affected(actor=p.user(director), notice=w["notice"][key])
    w["impact"] = {"nj": CutoverImpact.objects.get(notice=w["notice"]["nj"]), "sz": CutoverImpact.objects.get(notice=w["notice"]["sz"])}
    w["step"] = {k: n.steps.get() for k, n in w["notice"].items()}
    return w


OWN = {"nj_manager1": {"nj"}, "nj_manager2": set(), "nj_director": {"nj"}, "sz_manager1": {"sz"}, "js_director": {"nj", "sz"}}
UNIT = {"nj_manager1": {"nj"}, "nj_director": {"nj"}, "sz_director": {"sz"}, "sz_manager1": {"sz"}, "js_director": {"nj", "sz"}}


@pytest.mark.parametrize(
    "key, path, expected",
    [
        ("solution", "solutions", OWN), ("record", "records", OWN), ("assessment", "quality/assessments", OWN),
        ("consultation", "consultations", OWN), ("line", "lines", OWN), ("check", "line-checks", OWN),
        ("fault", "faults", OWN), ("notice", "notices", UNIT), ("step", "emergency-steps", UNIT),
    ],
)
def test_lists_and_details_are_scoped(world, api_client_for, key, path, expected):
    assert_scoped(
        api_client_for, list_url=f"{API}/{path}/", detail_url=lambda o: f"{API}/{path}/{o.pk}/", objects=world[key], expected=expected,
    )


def test_impacts_are_scoped_by_customer(world, api_client_for):
    # 南钢 (nj_manager2's customer) is on NJ-OTN-02; the Suzhou company is in the SZ area.
    assert_scoped(
        api_client_for, list_url=f"{API}/impacts/", detail_url=lambda o: f"{API}/impacts/{o.pk}/", objects=world["impact"],
        expected={"nj_manager1": set(), "nj_manager2": {"nj"}, "nj_director": {"nj"}, "sz_manager1": {"sz"}, "js_director": {"nj", "sz"}},
    )


def test_reference_data_is_readable_by_all_and_lists_need_permission(world, api_client_for):
    for path in ("templates", "service-classes", "quality/indicators"):
        assert api_client_for("nj_manager1").get(f"{API}/{path}/").status_code == 200
    assert len(result_rows(api_client_for("nj_manager1").get(f"{API}/service-classes/"))) == 5
    assert api_client_for("norole").get(f"{API}/consultations/").status_code == 403
    assert api_client_for(None).get(f"{API}/lines/").status_code == 401


def test_consultation_by_api_and_bad_input(world, api_client_for):
    client = api_client_for("nj_manager1")
    customer = world["support"]["customers"]["nj_m1"]
    done = client.post(f"{API}/consultations/", {"customer": customer.pk, "channel": "10018", "topic": "tariff", "content": "专线优惠",
                                                  "answer": "三年九折", "answer_satisfaction": "very_satisfied"}, format="json")
    assert done.status_code == 201, done.content
    assert done.json()["answered_by"] == world["support"]["people"].staff["nj_manager1"].pk
    count = Consultation.objects.count()
    blank = client.post(f"{API}/consultations/", {"channel": "1001", "content": " "}, format="json")
    assert blank.status_code == 400 and blank.json()["code"] == "support.invalid" and "content" in blank.json()["message"]
    bad = client.post(f"{API}/consultations/", {"channel": "fax", "content": "x"}, format="json")
    assert bad.status_code == 400 and "channel" in bad.json()["fields"]
    other = client.post(f"{API}/consultations/", {"customer": world["support"]["customers"]["sz"].pk, "channel": "1001", "content": "x"}, format="json")
    assert other.status_code == 404
    assert Consultation.objects.count() == count
    stats = client.get(f"{API}/consultations/statistics/").json()
    assert stats["total"] == 2 and stats["satisfied_pct"] == 100.0


def test_solution_analysis_by_api_computes_payback(world, api_client_for):
    solution = world["solution"]["nj"]
    client = api_client_for("nj_manager1")
    response = client.post(f"{API}/solutions/{solution.pk}/analysis/", {"investment": "90000", "expected_monthly_revenue": "8000",
                                                                         "monthly_cost": "500"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["payback_months"] == "12.0"
    refused = client.post(f"{API}/solutions/{solution.pk}/archive/", {"category": "x"}, format="json")
    assert refused.status_code == 403
    sz = api_client_for("nj_director").post(f"{API}/solutions/{world['solution']['sz'].pk}/analysis/",
                                              {"investment": "1", "expected_monthly_revenue": "1"}, format="json")
    assert sz.status_code == 404
    assert TechnicalSolution.objects.get(pk=world["solution"]["sz"].pk).investment is None


def test_solution_and_template_create_by_api(world, api_client_for):
    customer = world["support"]["customers"]["nj_m1"]
    template = api_client_for("js_director").post(f"{API}/templates/", {
        "number": "fa-wlan-01", "name": "WLAN 覆盖方案", "valid_from": "2026-01-01", "customer_types": ["group"], "industries": [],
        "content": "AP 覆盖"}, format="json")
    assert template.status_code == 201, template.content
    assert template.json()["number"] == "FA-WLAN-01" and template.json()["version"] == 1
    revised = api_client_for("js_director").post(f"{API}/templates/{template.json()['id']}/revise/", {"change_note": "加AC", "content": "AP + AC"}, format="json")
    assert revised.status_code == 201 and revised.json()["version"] == 2
    assert api_client_for("nj_director").post(f"{API}/templates/", {}, format="json").status_code == 403
    made = api_client_for("nj_manager1").post(f"{API}/solutions/", {"customer": customer.pk, "template": revised.json()["id"]}, format="json")
    assert made.status_code == 201 and made.json()["content"] == "AP + AC"
    old = api_client_for("nj_manager1").post(f"{API}/solutions/", {"customer": customer.pk, "template": template.json()["id"]}, format="json")
    assert old.status_code == 400 and old.json()["code"] == "support.template_not_valid"


def test_notice_send_twice_by_api_sends_once(world, api_client_for):
    notice = world["notice"]["nj"]
    client = api_client_for("nj_director")
    first = client.post(f"{API}/notices/{notice.pk}/send/")
    assert first.status_code == 200, first.content
    assert first.json() == {"customers": 1, "messages": 1, "without_contact": 0}  # 南钢's contact; nj_manager2 has no mobile
    assert client.post(f"{API}/notices/{notice.pk}/send/").json()["messages"] == 0
    assert Message.objects.filter(purpose="support.cutover").count() == 1
    assert api_client_for("nj_manager1").post(f"{API}/notices/{notice.pk}/send/").status_code == 403
    assert api_client_for("sz_director").post(f"{API}/notices/{notice.pk}/send/").status_code == 404

    impact = world["impact"]["nj"]
    ack = api_client_for("nj_manager2").post(f"{API}/impacts/{impact.pk}/acknowledge/", {"acknowledged_by": "钱处长"}, format="json")
    assert ack.status_code == 200 and ack.json()["acknowledged_by"] == "钱处长"
    step = world["step"]["nj"]
    assert api_client_for("nj_manager2").post(f"{API}/emergency-steps/{step.pk}/done/", {"result": "x"}, format="json").status_code == 403
    done = api_client_for("nj_manager1").post(f"{API}/emergency-steps/{step.pk}/done/", {"result": "已通知"}, format="json")
    assert done.status_code == 200 and done.json()["done_by"] == world["support"]["people"].staff["nj_manager1"].pk
    closed = client.post(f"{API}/notices/{notice.pk}/close/", {"text": "完成"}, format="json")
    assert closed.status_code == 200 and closed.json()["state"] == "closed"


def test_notice_create_by_api(world, api_client_for):
    p = world["support"]["people"]
    body = {"title": "镇江机房搬迁", "starts_at": "2026-12-01T01:00:00+08:00", "ends_at": "2026-12-01T05:00:00+08:00", "impact": "宽带中断",
            "areas": [p.units["NJ-D01"].pk], "steps": [{"name": "应急准备", "responsible": p.staff["nj_maint"].pk}]}
    created = api_client_for("nj_director").post(f"{API}/notices/", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["steps"][0]["responsible"] == p.staff["nj_maint"].pk
    assert api_client_for("nj_director").post(f"{API}/notices/", {**body, "areas": [p.units["SZ"].pk]}, format="json").status_code == 404
    bad = api_client_for("nj_director").post(f"{API}/notices/", {**body, "ends_at": "2026-11-30T00:00:00+08:00"}, format="json")
    assert bad.status_code == 400 and "ends_at" in bad.json()["message"]
    assert api_client_for("nj_manager1").post(f"{API}/notices/", body, format="json").status_code == 403


def test_fault_breaches_by_api(world, api_client_for):
    # Both faults opened at 02:00 and never answered: far beyond 15 / 30 minutes by now.
    rows = result_rows(api_client_for("nj_director").get(f"{API}/faults/breaches/"))
    assert [r["id"] for r in rows] == [world["fault"]["nj"].pk]
    assert rows[0]["sla"]["response_breach"] is True and rows[0]["sla"]["response_limit_minutes"] == 15
    fault = world["fault"]["nj"]
    times = api_client_for("nj_director").patch(f"{API}/faults/{fault.pk}/", {"responded_at": "2026-11-24T02:05:00+08:00",
                                                                              "restored_at": "2026-11-24T03:00:00+08:00"}, format="json")
    assert times.status_code == 200, times.content
    assert times.json()["sla"]["breached"] is False
    assert result_rows(api_client_for("nj_director").get(f"{API}/faults/breaches/")) == []
    assert LineFault.objects.get(pk=fault.pk).restored_at is not None


def test_assessment_and_line_by_api(world, api_client_for):
    p = world["support"]["people"]
    made = api_client_for("nj_director").post(f"{API}/quality/assessments/", {
        "subject_kind": "account_manager", "staff": p.staff["nj_manager2"].pk, "period": "2026-11-05", "scores": SCORES}, format="json")
    assert made.status_code == 201 and made.json()["total"] == "86.00"
    again = api_client_for("nj_director").post(f"{API}/quality/assessments/", {
        "subject_kind": "account_manager", "staff": p.staff["nj_manager2"].pk, "period": "2026-11-20", "scores": SCORES}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "support.duplicate_assessment"
    assert QualityAssessment.objects.count() == 3
    stats = api_client_for("js_director").get(f"{API}/quality/assessments/statistics/").json()
    assert stats["labels"] == ["2026-11"]

    line = api_client_for("nj_manager1").post(f"{API}/lines/", {
        "customer": world["support"]["customers"]["nj_m1"].pk, "line_no": "NJ-BB-9", "line_type": "broadband",
        "service_class": world["support"]["class_a"].pk, "bandwidth_mbps": 100, "a_end": "x", "network_element": "y"}, format="json")
    assert line.status_code == 400 and "service_class" in line.json()["message"]
    check = api_client_for("nj_manager1").post(f"{API}/lines/{world['line']['nj'].pk}/checks/", {"kind": "monitoring", "result": "degraded",
                                                                                                  "latency_ms": "35"}, format="json")
    assert check.status_code == 201 and LineCheck.objects.filter(line=world["line"]["nj"]).count() == 2
