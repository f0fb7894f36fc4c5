"""The visit and care pages render for a manager and a director, keep to scope, and their
forms reach the services."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from kams.care import services
from kams.care.enums import PlanState, RuleKind
from kams.care.models import CareProposal, GiftStock, Visit, VisitPlan
from kams.customers.models import Contact
from kams.service.enums import CaseStatus, ItemStatus

PAGES = [
    "/care/plans/", "/care/plans/new/", "/care/visits/", "/care/visits/quick/", "/care/visits/stats/",
    "/care/proposals/", "/care/actions/", "/care/actions/new/", "/care/rules/", "/care/gifts/", "/care/stock/", "/care/moves/",
]


@pytest.fixture
def world(revisit, customers, service_people, nj_stock):
    p = service_people
    plan = services.visit_plan_save(actor=p.user("nj_director"), name="年度回访", due_on=timezone.localdate() + datetime.timedelta(days=10))
    services.visit_plan_approve(actor=p.user("nj_director"), plan=plan)
    rule = services.care_rule_save(actor=p.user("js_director"), name="生日关怀", kind=RuleKind.BIRTHDAY, days_ahead=5,
                                   action_text="送蛋糕", gift=nj_stock, gift_quantity=1)
    Contact.objects.create(customer=customers["nj_m1"], name="王行长", birthday=(timezone.localdate() + datetime.timedelta(days=1)).replace(year=1970))
    Contact.objects.create(customer=customers["sz"], name="周总", birthday=(timezone.localdate() + datetime.timedelta(days=1)).replace(year=1970))
    services.care_proposals_generate()
    return {"plan": plan, "rule": rule}


@pytest.mark.parametrize("username", ["nj_manager1", "nj_director", "js_director"])
def test_pages_render(world, page_client_for, username):
    client = page_client_for(username)
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, (username, url, response.status_code)
    # A director's plan is theirs; a manager sees the visits it gave them, not the plan.
    assert client.get(f"/care/plans/{world['plan'].pk}/").status_code == (404 if username == "nj_manager1" else 200)


def test_menu_and_permissions(world, page_client_for):
    manager = page_client_for("nj_manager1")
    home = manager.get("/").content.decode()
    assert "/care/visits/quick/" in home and "/care/proposals/" in home
    assert manager.get("/care/stock/in/").status_code == 403
    assert manager.get("/care/rules/new/").status_code == 403
    assert page_client_for("nj_director").get("/care/stock/in/").status_code == 200
    assert page_client_for("nj_director").get("/care/rules/new/").status_code == 403
    assert page_client_for("js_director").get("/care/rules/new/").status_code == 200


def test_lists_are_scoped(world, page_client_for):
    manager = page_client_for("nj_manager1").get("/care/proposals/").content.decode()
    assert "王行长" in manager and "周总" not in manager
    sz = page_client_for("sz_director").get("/care/visits/").content.decode()
    assert "南京银行" not in sz
    assert page_client_for("sz_director").get(f"/care/plans/{world['plan'].pk}/").status_code == 404
    stock = page_client_for("nj_manager1").get("/care/stock/").content.decode()
    assert "南京分公司" in stock and "苏州分公司" not in stock


def test_quick_result_page_completes_the_steps(world, page_client_for, service_people):
    client = page_client_for("nj_manager1")
    page = client.get("/care/visits/quick/").content.decode()
    assert "南京银行股份有限公司" in page and "南京钢铁" not in page
    visit = Visit.objects.get(customer__name="南京银行股份有限公司")
    item = visit.case.work_items.get(status=ItemStatus.OPEN)
    response = client.post("/care/visits/quick/", {"item": item.pk, "when": "2026-12-01T10:00"})
    assert response.status_code == 302
    record = visit.case.work_items.get(status=ItemStatus.OPEN)
    page = client.get("/care/visits/quick/").content.decode()
    assert 'value="satisfied"' in page
    client.post("/care/visits/quick/", {"item": record.pk, "satisfaction": "dissatisfied", "note": "网速慢"})
    visit.case.refresh_from_db()
    assert visit.case.status == CaseStatus.CLOSED and visit.case.data["satisfaction"] == "bad"
    assert visit.case.data["result"] == "网速慢"


def test_plan_pages_create_preview_and_approve(world, page_client_for, customers):
    client = page_client_for("nj_manager1")
    due = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
    response = client.post("/care/plans/new/", {"name": "我的回访", "method": "phone", "due_on": due, "skip_open": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    plan = VisitPlan.objects.get(name="我的回访")
    detail = client.get(f"/care/plans/{plan.pk}/").content.decode()
    assert "南京银行股份有限公司" in detail and "南京钢铁" not in detail
    client.post(f"/care/plans/{plan.pk}/approve/")
    plan.refresh_from_db()
    assert plan.state == PlanState.ACTIVE and plan.visits.count() == 1


def test_visit_change_pages(world, page_client_for, service_people):
    visit = Visit.objects.get(customer__name="南京钢铁集团有限公司")
    director = page_client_for("nj_director")
    response = director.post(f"/care/visits/{visit.pk}/reassign/", {"to": service_people.staff["nj_manager1"].pk, "reason": "休假"})
    assert response.status_code == 302
    response = director.post(f"/care/visits/{visit.pk}/stop/", {"reason": "客户拒访"})
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.manager == service_people.staff["nj_manager1"] and visit.case.status == CaseStatus.CANCELLED
    assert page_client_for("sz_director").get(f"/care/visits/{visit.pk}/stop/").status_code == 404


def test_proposal_accept_in_one_click_and_survey(world, page_client_for, nj_stock, province):
    client = page_client_for("nj_manager1")
    proposal = CareProposal.objects.get(contact__name="王行长")
    client.post(f"/care/proposals/{proposal.pk}/accept/", {"as_proposed": "1"})
    proposal.refresh_from_db()
    assert proposal.state == "accepted" and GiftStock.objects.get(gift=nj_stock, org_unit=province.units["NJ"]).quantity == 4
    response = client.post(f"/care/actions/{proposal.action_id}/survey/", {"score": "5", "comment": "好"})
    assert response.status_code == 302
    assert proposal.action.survey.score == 5
    other = CareProposal.objects.get(contact__name="周总")
    assert client.post(f"/care/proposals/{other.pk}/accept/", {"as_proposed": "1"}).status_code == 404


def test_stock_pages(world, page_client_for, nj_stock, province):
    director = page_client_for("nj_director")
    response = director.post("/care/stock/in/", {"gift": nj_stock.pk, "org_unit": province.units["NJ"].pk, "quantity": "3",
                                                 "unit_cost": "90"})
    assert response.status_code == 302
    response = director.post("/care/stock/transfer/", {"gift": nj_stock.pk, "from_unit": province.units["NJ"].pk,
                                                       "to_unit": province.units["NJ-D01"].pk, "quantity": "100"})
    assert response.status_code == 200 and "库存仅剩" in response.content.decode()  # the Chinese page
    assert GiftStock.objects.get(gift=nj_stock, org_unit=province.units["NJ"]).quantity == 8


def test_exports_and_customer_section(world, page_client_for, customers):
    client = page_client_for("nj_director")
    for url in ("/care/visits/?export=xlsx", "/care/visits/stats/?export=xlsx", "/care/rules/?export=xlsx",
                "/care/proposals/?export=xlsx", "/care/moves/?export=xlsx"):
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml"), url
    page = client.get(f"/customers/{customers['nj_m1'].pk}/").content.decode()
    section = page.split('id="section-visits_care"')[1].split('id="section-')[0]
    visit = Visit.objects.get(customer=customers["nj_m1"])
    assert visit.case.number in section and "1 条关怀建议待处理" in section


def test_stats_page_numbers(world, page_client_for):
    page = page_client_for("nj_director").get("/care/visits/stats/").content.decode()
    assert 'id="total-planned">2<' in page and 'id="total-done">0<' in page
    page = page_client_for("nj_manager1").get("/care/visits/stats/").content.decode()
    assert 'id="total-planned">1<' in page


def test_rule_and_gift_forms(world, page_client_for):
    client = page_client_for("js_director")
    response = client.post("/care/rules/new/", {"name": "中秋问候", "kind": "festival", "festival_date": "2026-09-25",
                                                "days_ahead": "5", "action_text": "月饼", "gift_quantity": "1", "is_active": "on"})
    assert response.status_code == 302
    response = client.post("/care/gifts/new/", {"code": "mooncake", "name": "月饼礼盒", "unit_label": "盒",
                                                "reference_cost": "88", "is_active": "on"})
    assert response.status_code == 302
    assert "中秋问候" in client.get("/care/rules/").content.decode()
    assert Decimal("88") == __import__("kams.care.models", fromlist=["Gift"]).Gift.objects.get(code="mooncake").reference_cost
