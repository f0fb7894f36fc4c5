"""The service-support pages render for managers and directors within their scope, filter,
export to Excel, and their forms call the services (errors shown, nothing changed)."""

import io

import pytest
from openpyxl import load_workbook

from kams.notify.models import Message
from kams.support import services
from kams.support.models import Consultation, CustomerLine, CutoverImpact, EmergencyStep, QualityAssessment
from kams.support.tests.conftest import at
from kams.support.tests.test_api import SCORES, world  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

PAGES = [
    "/support/templates/", "/support/solutions/", "/support/records/", "/support/quality/", "/support/quality/indicators/",
    "/support/consultations/", "/support/classes/", "/support/lines/", "/support/faults/", "/support/faults/?breached=1",
    "/support/notices/",
]


@pytest.mark.parametrize("username", ["nj_manager1", "nj_director", "js_director"])
def test_list_pages_render_within_scope(world, page_client_for, username):  # noqa: F811
    client = page_client_for(username)
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        page = response.content.decode()
        if url.startswith("/support/lines/") or url.startswith("/support/consultations/"):
            assert ("苏州工业园区" in page) == (username == "js_director"), url


@pytest.mark.parametrize("username", ["nj_manager1", "nj_director"])
def test_detail_pages_render(world, page_client_for, username):  # noqa: F811
    client = page_client_for(username)
    urls = [
        f"/support/templates/{world['solution']['nj'].template_id}/", f"/support/solutions/{world['solution']['nj'].pk}/",
        f"/support/records/{world['record']['nj'].pk}/", f"/support/lines/{world['line']['nj'].pk}/",
        f"/support/notices/{world['notice']['nj'].pk}/", f"/customers/{world['support']['customers']['nj_m1'].pk}/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    customer_page = client.get(urls[-1]).content.decode()
    assert 'id="support-lines"' in customer_page and "NJ-DL-0001" in customer_page and "资费" in customer_page
    for other in (f"/support/solutions/{world['solution']['sz'].pk}/", f"/support/lines/{world['line']['sz'].pk}/",
                  f"/support/notices/{world['notice']['sz'].pk}/"):
        assert client.get(other).status_code == 404


def test_pages_need_permission(world, page_client_for):  # noqa: F811
    assert page_client_for("norole").get("/support/consultations/").status_code == 403
    assert page_client_for("nj_manager1").get("/support/notices/new/").status_code == 403
    assert page_client_for("nj_director").get("/support/templates/new/").status_code == 403
    nav = page_client_for("nj_manager1").get("/support/consultations/").content.decode()
    assert "/support/lines/" in nav and "/support/classes/" in nav


def test_line_list_filters_and_exports(world, page_client_for):  # noqa: F811
    client = page_client_for("js_director")
    filtered = client.get("/support/lines/", {"q": "SZ-DL"}).content.decode()
    assert "SZ-DL-0001" in filtered and "NJ-DL-0001" not in filtered
    response = client.get("/support/lines/", {"export": "xlsx", "service_class": "A"})
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == "NJ-DL-0001"


def test_fault_page_lists_breaches_and_exports_as_text(world, page_client_for):  # noqa: F811
    client = page_client_for("nj_director")
    page = client.get("/support/faults/", {"breached": "1"}).content.decode()
    assert world["fault"]["nj"].case.number in page and 'id="sla-summary"' in page and "text-bg-danger" in page
    response = client.get("/support/faults/", {"export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    assert len(rows) == 2 and not any("<span" in str(c) for row in rows for c in row)


def test_quick_consultation_entry(world, page_client_for):  # noqa: F811
    client = page_client_for("nj_manager1")
    customer = world["support"]["customers"]["nj_m1"]
    page = client.get("/support/consultations/", {"customer": customer.pk}).content.decode()
    assert 'id="quick-entry"' in page and f'value="{customer.code}"' in page and 'id="chart-topics"' in page
    refused = client.post("/support/consultations/new/", {"customer": customer.code, "channel": "1001", "topic": "billing",
                                                           "content": "话费", "answer_satisfaction": "satisfied"})
    assert refused.status_code == 200 and 'id="form-errors"' in refused.content.decode()
    assert Consultation.objects.count() == 2
    saved = client.post("/support/consultations/new/", {"customer": customer.code, "channel": "1001", "topic": "billing",
                                                         "content": "话费", "answer": "已解释", "answer_satisfaction": "satisfied"})
    assert saved.status_code == 302 and Consultation.objects.count() == 3


def test_notice_page_buttons_send_once_and_record_steps(world, page_client_for):  # noqa: F811
    notice = world["notice"]["nj"]
    director = page_client_for("nj_director")
    page = director.get(f"/support/notices/{notice.pk}/").content.decode()
    assert 'id="send-notice"' in page and 'id="emergency-steps"' in page and "南京钢铁集团有限公司" in page
    director.post(f"/support/notices/{notice.pk}/send/")
    director.post(f"/support/notices/{notice.pk}/send/")
    assert Message.objects.filter(purpose="support.cutover").count() == 1
    assert CutoverImpact.objects.get(notice=notice).notified_at is not None
    p = world["support"]["people"]
    director.post(f"/support/notices/{notice.pk}/step/", {"name": "启动备用", "responsible": p.staff["nj_maint"].pk})
    assert EmergencyStep.objects.filter(notice=notice).count() == 2
    closing = director.post(f"/support/notices/{notice.pk}/close/", {"text": "完成"}, follow=True).content.decode()
    assert "not done yet" in closing or "尚未" in closing
    notice.refresh_from_db()
    assert notice.state == "notified"


def test_assessment_form_scores_each_indicator(world, page_client_for):  # noqa: F811
    client = page_client_for("nj_director")
    p = world["support"]["people"]
    form = client.get("/support/quality/new/", {"kind": "account_manager"}).content.decode()
    assert "score_visits" in form
    data = {"subject_kind": "account_manager", "staff": p.staff["nj_manager2"].pk, "period": "2026-10",
            **{f"score_{k}": v for k, v in SCORES.items()}}
    saved = client.post("/support/quality/new/", data)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    assert QualityAssessment.objects.get(staff=p.staff["nj_manager2"]).total == 86
    again = client.post("/support/quality/new/", data)
    assert again.status_code == 200 and 'id="form-errors"' in again.content.decode()
    chart = client.get("/support/quality/").content.decode()
    assert 'id="chart-quality"' in chart and "陈志强" in chart


def test_solution_steps_and_line_forms(world, page_client_for):  # noqa: F811
    client = page_client_for("nj_manager1")
    solution = world["solution"]["nj"]
    response = client.post(f"/support/solutions/{solution.pk}/analysis/", {"investment": "60000", "expected_monthly_revenue": "5000"})
    assert response.status_code == 302
    assert 'id="payback">12.0<' in client.get(f"/support/solutions/{solution.pk}/").content.decode()
    assert client.get(f"/support/solutions/{solution.pk}/archive/").status_code == 403
    assert client.get(f"/support/solutions/{solution.pk}/bogus/").status_code == 404
    new = client.post("/support/lines/new/", {
        "customer": world["support"]["customers"]["nj_m1"].code, "line_no": "NJ-BB-01", "line_type": "broadband",
        "service_class": world["support"]["class_a"].pk, "bandwidth_mbps": 100, "a_end": "分行", "network_element": "NJ-OLT-1",
        "status": "planned"})
    assert new.status_code == 200 and 'id="form-errors"' in new.content.decode()
    assert not CustomerLine.objects.filter(line_no="NJ-BB-01").exists()
    check = client.post(f"/support/lines/{world['line']['nj'].pk}/check/", {"kind": "monitoring", "result": "passed", "at": "2026-11-24T09:00"})
    assert check.status_code == 302


def test_template_form_makes_new_version(world, page_client_for):  # noqa: F811
    template = world["solution"]["nj"].template
    client = page_client_for("js_director")
    response = client.post(f"/support/templates/{template.pk}/revise/", {
        "name": template.name, "valid_from": "2026-01-01", "customer_types": ["group"], "content": "新内容", "change_note": "更新"})
    assert response.status_code == 302
    listed = client.get("/support/templates/", {"customer_type": "group"}).content.decode()
    assert "新内容" not in listed and "FA-ZX-01" in listed
    assert services.indicators_for("agent")  # indicators exist for every kind
    assert at(1).tzinfo is not None
