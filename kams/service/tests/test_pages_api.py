"""Pages and API of service processes for the people who use them, within their scope."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kams.org.testing import assert_scoped
from kams.service import services
from kams.service.enums import CaseStatus, ItemStatus
from kams.service.models import Case, ProcessDefinition, WorkItem
from kams.service.testing import FIXTURES

MINI = (FIXTURES / "mini.bpmn").read_bytes()


@pytest.fixture
def cases(service_people, customers):
    services.definition_upload(actor=service_people.user("admin"), xml=MINI)
    opened = {}
    for key, actor in (("nj", "nj_manager1"), ("sz", "sz_manager1")):
        opened[key] = services.case_open(actor=service_people.user(actor), process="mini", customer=customers[f"{key}_m1" if key == "nj" else "sz"],
                                         title=f"{key} 故障", data={"severity": "level2"})
    return opened


def test_cases_and_steps_are_scoped(cases, api_client_for, service_people):
    objects = {"nj": cases["nj"], "sz": cases["sz"]}
    assert_scoped(
        api_client_for, list_url="/api/v1/service/cases/", detail_url=lambda c: f"/api/v1/service/cases/{c.number}/",
        objects=objects, expected={"nj_manager1": {"nj"}, "nj_director": {"nj"}, "sz_manager1": {"sz"}, "js_director": {"nj", "sz"}},
    )
    items = {k: c.work_items.get() for k, c in cases.items()}
    assert_scoped(
        api_client_for, list_url="/api/v1/service/work-items/", detail_url=lambda i: f"/api/v1/service/work-items/{i.pk}/",
        objects=items, expected={"nj_manager1": {"nj"}, "sz_director": {"sz"}, "js_director": {"nj", "sz"}},
    )


def test_api_open_complete_and_errors(cases, api_client_for, customers, service_people):
    client = api_client_for("nj_manager1")
    body = {"process": "mini", "title": "网络中断", "customer": customers["nj_m1"].pk, "data": {"severity": "level1"}}
    first = client.post("/api/v1/service/cases/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201, first.content
    again = client.post("/api/v1/service/cases/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.json()["number"] == first.json()["number"]
    bad = client.post("/api/v1/service/cases/", {**body, "data": {}}, format="json")
    assert bad.status_code == 400 and "级别" in bad.json()["message"] or "severity" in bad.json()["message"]
    out = client.post("/api/v1/service/cases/", {**body, "customer": customers["sz"].pk}, format="json")
    assert out.status_code == 404
    step = first.json()["open_steps"][0]
    missing = client.post(f"/api/v1/service/work-items/{step['id']}/complete/", {"values": {"need_repair": True}}, format="json")
    assert missing.status_code == 400
    assert WorkItem.objects.get(pk=step["id"]).status == ItemStatus.OPEN
    wrong_role = api_client_for("nj_maint").post(f"/api/v1/service/work-items/{step['id']}/complete/",
                                                  {"values": {"description": "x", "need_repair": True}}, format="json")
    assert wrong_role.status_code in (403, 404)
    done = client.post(f"/api/v1/service/work-items/{step['id']}/complete/", {"values": {"description": "断纤", "need_repair": True}}, format="json")
    assert done.status_code == 200, done.content
    assert done.json()["open_steps"][0]["step"] == "repair"
    mine = api_client_for("nj_maint").get("/api/v1/service/work-items/mine/").json()
    assert [r["step"] for r in mine["results"]] == ["repair"]
    note = client.post(f"/api/v1/service/cases/{first.json()['number']}/note/", {"text": "已联系客户"}, format="json")
    assert note.status_code == 201
    assert api_client_for("nj_manager1").post(f"/api/v1/service/cases/{first.json()['number']}/cancel/", {"reason": "x"}).status_code == 403
    cancel = api_client_for("nj_director").post(f"/api/v1/service/cases/{first.json()['number']}/cancel/", {"reason": "客户撤回"}, format="json")
    assert cancel.json()["status"] == CaseStatus.CANCELLED
    assert api_client_for("nj_director").get("/api/v1/service/board/").status_code == 200
    assert api_client_for("nj_director").get("/api/v1/service/on-time/").json()["totals"]["done"] == 1


def test_api_upload_refuses_bad_file(cases, api_client_for):
    client = api_client_for("admin")
    bad = client.post("/api/v1/service/processes/upload/", {"file": SimpleUploadedFile("x.bpmn", MINI.replace(b'"maintenance"', b'"nobody"')), "note": "x"})
    assert bad.status_code == 400 and "nobody" in bad.json()["message"]
    assert ProcessDefinition.objects.filter(key="mini").count() == 1
    assert api_client_for("nj_manager1").post("/api/v1/service/processes/upload/", {"file": SimpleUploadedFile("x.bpmn", MINI)}).status_code == 403


def test_pages_for_a_manager(cases, page_client_for, service_people, customers):
    client = page_client_for("nj_manager1")
    work = client.get("/service/")
    assert work.status_code == 200 and cases["nj"].number.encode() in work.content and cases["sz"].number.encode() not in work.content
    page = client.get(f"/service/cases/{cases['nj'].number}/")
    assert page.status_code == 200 and b"complete-record" in page.content and b"bpmn-canvas" in page.content
    assert client.get(f"/service/cases/{cases['sz'].number}/").status_code == 404
    item = cases["nj"].work_items.get()
    response = client.post(f"/service/cases/{cases['nj'].number}/steps/{item.pk}/complete/",
                           {f"s{item.pk}-description": "", f"s{item.pk}-need_repair": "true"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == ItemStatus.OPEN  # the description is required: nothing moved
    client.post(f"/service/cases/{cases['nj'].number}/steps/{item.pk}/complete/",
                {f"s{item.pk}-description": "光缆", f"s{item.pk}-need_repair": "false"})
    assert Case.objects.get(pk=cases["nj"].pk).status == CaseStatus.CLOSED
    assert client.get("/service/cases/?export=xlsx").status_code == 200
    new = client.get("/service/cases/new/?process=mini")
    assert new.status_code == 200 and b"d-severity" in new.content
    opened = client.post("/service/cases/new/?process=mini", {"process": "mini", "customer": str(customers["nj_m1"].pk), "title": "新故障",
                                                             "source": "1001", "d-severity": "level1"})
    assert opened.status_code == 302 and Case.objects.filter(title="新故障").exists()
    refused = client.post("/service/cases/new/?process=mini", {"process": "mini", "customer": str(customers["sz"].pk), "title": "越权",
                                                              "source": "1001", "d-severity": "level1"})
    assert refused.status_code == 200 and not Case.objects.filter(title="越权").exists()
    overview = client.get(f"/customers/{customers['nj_m1'].pk}/")
    assert b"customer-cases" in overview.content


def test_pages_for_a_director(cases, page_client_for):
    client = page_client_for("nj_director")
    board = client.get("/service/board/")
    assert board.status_code == 200 and b"board-units" in board.content
    partial = client.get("/service/board/", HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content and b"board-people" in partial.content
    assert client.get("/service/statistics/").status_code == 200
    assert client.get("/service/statistics/?export=xlsx")["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client.get("/service/steps/?sla=late").status_code == 200
    assert client.get("/service/steps/reassign/").status_code == 200
    assert client.get("/service/processes/").status_code == 200
    assert client.get("/service/processes/mini/").status_code == 200
    assert client.get("/service/holidays/").status_code == 200


def test_holidays_page_for_admin(cases, page_client_for):
    client = page_client_for("admin")
    assert client.post("/service/holidays/", {"date": "2026-12-31", "name": "元旦前夕"}).status_code == 302
    bad = client.post("/service/holidays/", {"date": "2026-12-26", "name": "周六"})  # a Saturday is off already
    assert bad.status_code == 200 and "weekend".encode() in bad.content or "周末".encode() in bad.content


def test_dunning_starts_from_the_arrears_list_prefilled(service_people, customers, page_client_for):
    """SVC-02: the arrears list links each customer to a new arrears case, prefilled."""
    client = page_client_for("nj_manager1")
    customer = customers["nj_m1"]
    page = client.get(f"/service/cases/new/?process=arrears&customer={customer.pk}&title=催缴&d-period=2026-10&d-billed_amount=1234.50")
    assert page.status_code == 200
    assert b'value="2026-10"' in page.content and b'value="1234.50"' in page.content and b'value="\xe5\x82\xac\xe7\xbc\xb4"' in page.content
    opened = client.post(
        f"/service/cases/new/?process=arrears&customer={customer.pk}",
        {"process": "arrears", "customer": str(customer.pk), "title": "催缴", "source": "manager",
         "d-period": "2026-10", "d-billed_amount": "1234.50"},
    )
    assert opened.status_code == 302
    case = Case.objects.get(process_key="arrears", customer=customer)
    assert case.channel == "yellow" and case.data["billed_amount"] == 1234.5
    assert client.get("/billing/arrears/").status_code == 200
