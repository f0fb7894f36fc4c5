"""The channel pages render for the roles that use them, keep to scope (another city's agent
answers 404), refuse readers without permission (403), export to Excel and reach the services."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from kams.channels import ledger, services
from kams.channels.enums import AgentStatus
from kams.channels.models import Agent, AgentLevelChange, LedgerEntry
from kams.service.models import Case

pytestmark = pytest.mark.django_db

LISTS = ["/channels/", "/channels/types/", "/channels/regrade/", "/channels/new/", "/channels/types/new/"]


def _agent_pages(pk):
    return [f"/channels/{pk}/{p}" for p in ("", "edit/", "register/", "deregister/", "authorise/", "revoke/",
                                            "level/", "payment/", "withdrawal/", "statement/")]


def test_pages_render_for_the_channel_manager(channels, page_client_for):
    client = page_client_for("js_channel")
    for url in LISTS + _agent_pages(channels.agents["nj_a1"].pk):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)


def test_pages_refuse_readers_without_permission(channels, page_client_for):
    client = page_client_for("nj_manager1")
    for url in ["/channels/", f"/channels/{channels.agents['nj_a1'].pk}/"]:
        assert client.get(url).status_code == 403
    director = page_client_for("nj_director")  # reads agents, changes nothing
    for suffix in ("edit/", "payment/", "level/", "register/"):
        assert director.get(f"/channels/{channels.agents['nj_a1'].pk}/{suffix}").status_code == 403


def test_directors_see_their_city_only(channels, page_client_for):
    nj, sz = page_client_for("nj_director"), page_client_for("sz_director")
    nj_agent, sz_agent = channels.agents["nj_a1"], channels.agents["sz_a1"]
    assert sz.get(f"/channels/{nj_agent.pk}/").status_code == 404
    assert sz.get(f"/channels/{sz_agent.pk}/").status_code == 200
    assert nj.get(f"/channels/{sz_agent.pk}/").status_code == 404
    listing = nj.get("/channels/").content.decode()
    assert nj_agent.code in listing and sz_agent.code not in listing
    assert nj.get(f"/channels/{nj_agent.pk}/statement/").status_code == 200


def test_list_filters_and_excel(channels, page_client_for):
    client = page_client_for("js_channel")
    page = client.get("/channels/", {"level": "provincial"}).content.decode()
    assert channels.agents["sz_a1"].code in page and channels.agents["nj_a1"].code not in page
    page = client.get("/channels/", {"q": "江北"}).content.decode()
    assert channels.agents["nj_a3"].code in page and channels.agents["nj_a2"].code not in page
    unit = channels.units["NJ-SCB"].pk
    page = client.get("/channels/", {"unit": unit}).content.decode()
    assert channels.agents["nj_a2"].code in page and channels.agents["nj_a3"].code not in page
    response = client.get("/channels/", {"export": "xlsx", "status": "registered"})
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert {r[0] for r in rows[1:]} == {a.code for a in channels.agents.values()}


def test_application_then_register_through_the_pages(channels, page_client_for):
    client = page_client_for("js_channel")
    response = client.post("/channels/new/", {
        "code": "A32010050", "name": "南京仙林通信", "category": "agent", "level": "city",
        "org_unit": channels.units["NJ-XJK"].pk, "credit_line": "1000", "stock_limit": "0", "credit_score": "80",
        "business_scope": "代销售"})
    assert response.status_code == 302, response.content.decode()[:2000]
    agent = Agent.objects.get(code="A32010050")
    detail = client.get(f"/channels/{agent.pk}/").content.decode()
    case = services.agent_case(agent)
    assert case.number in detail and isinstance(case, Case)
    register = client.get(f"/channels/{agent.pk}/register/").content.decode()
    assert 'id="qualification-case"' in register and case.number in register
    bad = client.post(f"/channels/{agent.pk}/register/", {"note": ""})
    assert bad.status_code == 200 and Agent.objects.get(pk=agent.pk).status == AgentStatus.APPLIED
    assert client.post(f"/channels/{agent.pk}/register/", {"note": "资料齐全"}).status_code == 302
    assert Agent.objects.get(pk=agent.pk).status == AgentStatus.REGISTERED


def test_money_forms_show_errors_and_change_nothing(channels, page_client_for):
    client = page_client_for("nj_finance")
    agent = channels.agents["nj_a1"]
    url = f"/channels/{agent.pk}/withdrawal/"
    entries = LedgerEntry.objects.count()
    for data in ({"sub_account": "overdraft", "amount": "10"}, {"sub_account": "rebate", "amount": "10"},
                 {"sub_account": "prepayment", "amount": "abc"}):
        response = client.post(url, data)
        assert response.status_code == 200 and 'id="form-errors"' in response.content.decode(), data
    assert LedgerEntry.objects.count() == entries
    ok = client.post(f"/channels/{agent.pk}/payment/", {"sub_account": "prepayment", "amount": "500",
                                                        "idempotency_key": "page-1"})
    assert ok.status_code == 302
    client.post(f"/channels/{agent.pk}/payment/", {"sub_account": "prepayment", "amount": "500",
                                                   "idempotency_key": "page-1"})  # double submit
    assert ledger.balances(agent)["prepayment"] == 500
    export = client.get(f"/channels/{agent.pk}/statement/", {"export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(b"".join(export.streaming_content))).active.values)
    assert len(rows) == 2 and str(rows[1][4]) == "500.00"  # the header, the one entry on the agent's prepayment
    assert ledger.ledger_check() == []


def test_form_pages_show_the_balances_before_the_form_and_the_history_beside_it(channels, page_client_for):
    client = page_client_for("js_channel")
    agent = channels.agents["nj_a1"]
    payment = client.get(f"/channels/{agent.pk}/payment/").content.decode()
    assert 'id="balances"' in payment and payment.index('id="balances"') < payment.index('id="submit"')
    assert 'id="form-history"' not in payment and 'id="qualification-case"' not in payment
    assert client.post(f"/channels/types/{agent.agent_type.pk}/edit/",
                       {"name": "品牌专营店", "category": "agent", "is_active": "on"}).status_code == 302
    edit = client.get(f"/channels/types/{agent.agent_type.pk}/edit/").content.decode()
    history = edit.split('id="form-history"', 1)[1]
    assert "品牌专营店" in history and edit.index('id="submit"') < edit.index('id="form-history"')
    new = client.get("/channels/types/new/").content.decode()
    assert 'id="form-history"' not in new and 'id="balances"' not in new


def test_level_and_regrade_pages(channels, page_client_for):
    client = page_client_for("js_channel")
    agent = channels.agents["nj_a2"]
    assert client.post(f"/channels/{agent.pk}/level/", {"level": "provincial", "reason": "特批"}).status_code == 302
    assert AgentLevelChange.objects.filter(agent=agent, to_level="provincial").exists()
    page = client.get("/channels/regrade/", {"period": "2026-13"})
    assert page.status_code == 200 and 'id="regrade-error"' in page.content.decode()
    assert client.post("/channels/regrade/", {"period": "2025-01"}).status_code == 302
    assert page_client_for("nj_director").post("/channels/regrade/", {"period": "2025-01"}).status_code == 403


def test_parameters_appear_on_the_system_parameters_page(channels, page_client_for):
    page = page_client_for("js_director").get("/system/parameters/").content.decode()
    for key in ("channels.pickup_scope", "channels.return_handover", "channels.regrade_months",
                "channels.provincial_min_revenue"):
        assert key in page, key
