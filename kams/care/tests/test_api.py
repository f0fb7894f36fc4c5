"""The care API under /api/v1/care/: scoping of every list and detail, and the writes."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from kams.care import services
from kams.care.enums import RuleKind
from kams.care.models import CareProposal, GiftStock, Visit
from kams.customers.models import Contact
from kams.org.testing import assert_scoped, result_rows
from kams.service.enums import CaseStatus

API = "/api/v1/care"


@pytest.fixture
def world(revisit, customers, service_people, nj_stock):
    p = service_people
    due = timezone.localdate() + datetime.timedelta(days=10)
    nj_plan = services.visit_plan_save(actor=p.user("nj_director"), name="南京回访", due_on=due)
    own_plan = services.visit_plan_save(actor=p.user("nj_manager1"), name="我的回访", due_on=due)
    sz_plan = services.visit_plan_save(actor=p.user("sz_director"), name="苏州回访", due_on=due)
    services.care_rule_save(actor=p.user("js_director"), name="生日关怀", kind=RuleKind.BIRTHDAY, days_ahead=5,
                            action_text="送蛋糕", gift=nj_stock, gift_quantity=1)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).replace(year=1970)
    for key, name in (("nj_m1", "王行长"), ("nj_m2", "李总"), ("sz", "周总")):
        Contact.objects.create(customer=customers[key], name=name, birthday=tomorrow)
    services.care_proposals_generate()
    return {"nj_plan": nj_plan, "own_plan": own_plan, "sz_plan": sz_plan}


def test_plans_are_scoped(world, api_client_for):
    assert_scoped(
        api_client_for, list_url=f"{API}/plans/", detail_url=lambda o: f"{API}/plans/{o.pk}/",
        objects={"nj": world["nj_plan"], "own": world["own_plan"], "sz": world["sz_plan"]},
        expected={"nj_manager1": {"own"}, "nj_manager2": set(), "nj_director": {"nj", "own"}, "js_director": {"nj", "own", "sz"}},
    )


def test_proposals_are_scoped(world, api_client_for):
    proposals = {c: CareProposal.objects.get(contact__name=n) for c, n in (("m1", "王行长"), ("m2", "李总"), ("sz", "周总"))}
    assert_scoped(
        api_client_for, list_url=f"{API}/proposals/", detail_url=lambda o: f"{API}/proposals/{o.pk}/", objects=proposals,
        expected={"nj_manager1": {"m1"}, "nj_director": {"m1", "m2"}, "sz_manager1": {"sz"}, "js_director": {"m1", "m2", "sz"}},
    )


def test_gift_stock_is_scoped(world, api_client_for, nj_stock, province):
    stocks = {k: GiftStock.objects.get(gift=nj_stock, org_unit=province.units[k]) for k in ("NJ", "SZ")}
    assert_scoped(
        api_client_for, list_url=f"{API}/stock/", detail_url=lambda o: f"{API}/stock/{o.pk}/", objects=stocks,
        expected={"nj_manager1": {"NJ"}, "nj_director": {"NJ"}, "sz_director": {"SZ"}, "js_director": {"NJ", "SZ"}},
    )


def test_plan_create_preview_approve_and_visits(world, api_client_for, customers, province):
    client = api_client_for("nj_director")
    due = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()
    response = client.post(f"{API}/plans/", {"name": "南钢回访", "due_on": due, "account_manager": province.staff["nj_manager2"].pk}, format="json")
    assert response.status_code == 201, response.content
    plan_id = response.json()["id"]
    rows = result_rows(client.get(f"{API}/plans/{plan_id}/candidates/"))
    assert [r["name"] for r in rows] == ["南京钢铁集团有限公司"]
    response = client.post(f"{API}/plans/{plan_id}/approve/")
    assert response.status_code == 200 and response.json()["state"] == "active" and response.json()["visits_total"] == 1
    again = client.post(f"{API}/plans/{plan_id}/approve/")
    assert again.status_code == 409 and again.json()["code"] == "care.plan_not_draft"
    visit = Visit.objects.get(plan_id=plan_id)
    response = client.post(f"{API}/visits/{visit.pk}/postpone/", {"due_on": (timezone.localdate() + datetime.timedelta(days=20)).isoformat(),
                                                                  "reason": "客户出差"}, format="json")
    assert response.status_code == 200 and response.json()["postponements"] == 1
    assert api_client_for("sz_director").post(f"{API}/visits/{visit.pk}/stop/", {"reason": "x"}, format="json").status_code == 404
    response = client.post(f"{API}/visits/{visit.pk}/stop/", {"reason": "客户拒访"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == CaseStatus.CANCELLED


def test_quick_steps_and_statistics(world, api_client_for):
    director = api_client_for("nj_director")
    director.post(f"{API}/plans/{world['nj_plan'].pk}/approve/")
    manager = api_client_for("nj_manager2")
    [step] = result_rows(manager.get(f"{API}/quick-steps/"))
    assert step["customer_name"] == "南京钢铁集团有限公司" and step["step"] == "appoint"
    response = manager.post(f"{API}/quick-steps/{step['id']}/result/", {"when": timezone.now().isoformat()}, format="json")
    assert response.status_code == 200, response.content
    [step] = result_rows(manager.get(f"{API}/quick-steps/"))
    response = manager.post(f"{API}/quick-steps/{step['id']}/result/", {"satisfaction": "satisfied", "note": "很好"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "closed"
    assert api_client_for("nj_manager1").post(f"{API}/quick-steps/{step['id']}/result/", {"satisfaction": "satisfied"},
                                              format="json").status_code == 404
    stats = director.get(f"{API}/visit-statistics/").json()
    assert (stats["totals"]["planned"], stats["totals"]["done"]) == (2, 1)
    assert stats["satisfaction"] == [{"key": "very", "label": "满意", "count": 1}]


def test_stock_and_proposals(world, api_client_for, nj_stock, province):
    director = api_client_for("nj_director")
    response = director.post(f"{API}/stock/in/", {"gift": nj_stock.pk, "org_unit": province.units["NJ"].pk, "quantity": 1,
                                                 "unit_cost": "100"}, format="json")
    assert response.status_code == 201 and response.json()["balance_after"] == 6
    response = director.post(f"{API}/stock/transfer/", {"gift": nj_stock.pk, "from_unit": province.units["NJ"].pk,
                                                       "to_unit": province.units["NJ-D01"].pk, "quantity": 7}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "care.out_of_stock"
    assert api_client_for("nj_manager1").post(f"{API}/stock/in/", {}, format="json").status_code == 403
    proposal = CareProposal.objects.get(contact__name="王行长")
    manager = api_client_for("nj_manager1")
    response = manager.post(f"{API}/proposals/{proposal.pk}/accept/", {}, format="json")
    assert response.status_code == 201 and response.json()["gift"] == nj_stock.pk
    action_id = response.json()["id"]
    assert manager.post(f"{API}/proposals/{proposal.pk}/dismiss/", {"reason": "x"}, format="json").status_code == 409
    response = manager.post(f"{API}/actions/{action_id}/survey/", {"score": 4}, format="json")
    assert response.status_code == 200 and response.json()["survey_score"] == 4
    moves = result_rows(director.get(f"{API}/moves/", {"kind": "issue"}))
    assert [m["quantity"] for m in moves] == [-1]
    effect = api_client_for("js_director").get(f"{API}/rules/effect/").json()
    assert effect["rules"][0]["accepted"] == 1 and effect["rules"][0]["score"] == 4.0


def test_rules_and_gifts_write_permissions(world, api_client_for):
    body = {"name": "春节问候", "kind": "festival", "festival_date": "2027-02-06", "days_ahead": 7, "action_text": "拜年短信"}
    assert api_client_for("nj_director").post(f"{API}/rules/", body, format="json").status_code == 403
    response = api_client_for("js_director").post(f"{API}/rules/", body, format="json")
    assert response.status_code == 201
    response = api_client_for("js_director").post(f"{API}/gifts/", {"code": "tea", "name": "茶叶", "reference_cost": "200"}, format="json")
    assert response.status_code == 201 and Decimal(response.json()["reference_cost"]) == Decimal("200")
    bad = api_client_for("js_director").post(f"{API}/rules/", {**body, "festival_date": None}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "kams.invalid_input"


def test_care_record_for_a_customer_out_of_scope_is_404(world, api_client_for, customers):
    response = api_client_for("nj_manager1").post(f"{API}/actions/", {"customer": customers["sz"].pk, "kind": "greeting",
                                                                      "content": "问候"}, format="json")
    assert response.status_code == 404
    response = api_client_for("nj_manager1").post(f"{API}/actions/", {"customer": customers["nj_m1"].pk, "kind": "greeting",
                                                                      "content": "电话问候"}, format="json")
    assert response.status_code == 201
