"""The channel API under /api/v1/channels/: scoping of lists and details, permissions, the
agent actions and money round-trips with the error body of bad input."""

from __future__ import annotations

import pytest

from kams.channels import ledger
from kams.channels.enums import AgentStatus
from kams.channels.models import Agent, AgentAuthorisation, LedgerEntry
from kams.org.testing import assert_scoped, result_rows

pytestmark = pytest.mark.django_db
API = "/api/v1/channels"


def test_agents_are_scoped(channels, api_client_for):
    a = channels.agents
    assert_scoped(
        api_client_for, list_url=f"{API}/agents/", detail_url=lambda obj: f"{API}/agents/{obj.pk}/", objects=a,
        expected={"js_channel": set(a), "nj_director": {"nj_a1", "nj_a2", "nj_a3", "national"},
                  "sz_director": {"sz_a1"}},
    )
    sz = api_client_for("sz_director")
    assert sz.get(f"{API}/agents/{a['nj_a1'].pk}/accounts/").status_code == 404
    assert sz.get(f"{API}/agents/{a['nj_a1'].pk}/statement/").status_code == 404


def test_agent_list_filters(channels, api_client_for):
    client = api_client_for("js_channel")
    rows = result_rows(client.get(f"{API}/agents/", {"level": "national"}))
    assert [r["code"] for r in rows] == [channels.agents["national"].code]
    rows = result_rows(client.get(f"{API}/agents/", {"q": "苏州"}))
    assert [r["code"] for r in rows] == [channels.agents["sz_a1"].code]


def test_permissions(channels, api_client_for):
    agent = channels.agents["nj_a1"]
    assert api_client_for("nj_manager1").get(f"{API}/agents/").status_code == 403
    director = api_client_for("nj_director")
    assert director.post(f"{API}/agents/{agent.pk}/level/", {"level": "national", "reason": "x"}).status_code == 403
    assert director.post(f"{API}/transactions/", {"kind": "payment", "agent": agent.pk, "sub_account": "deposit",
                                                  "amount": "1"}).status_code == 403
    assert api_client_for(None).get(f"{API}/agents/").status_code in (401, 403)


def test_create_update_register_authorise_level_deregister(channels, api_client_for):
    client = api_client_for("js_channel")
    created = client.post(f"{API}/agents/", {"code": "A32010077", "name": "南京江宁通信", "level": "city",
                                             "org_unit": channels.units["NJ-HX"].pk, "credit_line": "2000"},
                          format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "applied" and body["credit_line"] == "2000.00"
    pk = body["id"]
    bad = client.patch(f"{API}/agents/{pk}/", {"credit_score": "abc"}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "kams.invalid_input"
    assert client.patch(f"{API}/agents/{pk}/", {"phone": "025-88888888"}, format="json").json()["phone"] == "025-88888888"
    assert client.post(f"{API}/agents/{pk}/register/", {"note": ""}, format="json").status_code == 400
    registered = client.post(f"{API}/agents/{pk}/register/", {"note": "审查通过"}, format="json")
    assert registered.status_code == 200 and registered.json()["status"] == "registered"
    assert sorted(r["kind"] for r in client.get(f"{API}/agents/{pk}/accounts/").json()) == [
        "deposit", "overdraft", "prepayment", "rebate"]
    auth = client.post(f"{API}/agents/{pk}/authorise/", {"business": "mobile", "can_serve": True, "stock_limit": "20"},
                       format="json")
    assert auth.status_code == 200 and auth.json()["stock_limit"] == 20
    assert client.post(f"{API}/agents/{pk}/revoke/", {"business": "mobile"}, format="json").status_code == 204
    assert not AgentAuthorisation.objects.filter(agent_id=pk).exists()
    level = client.post(f"{API}/agents/{pk}/level/", {"level": "provincial", "reason": "业绩"}, format="json")
    assert level.status_code == 200 and level.json()["to_level"] == "provincial"
    history = client.get(f"{API}/agents/{pk}/level-history/").json()
    assert [h["kind"] for h in history] == ["manual", "registration"]
    gone = client.post(f"{API}/agents/{pk}/deregister/", {"reason": "不再合作"}, format="json")
    assert gone.status_code == 200 and gone.json()["status"] == "deregistered"


def test_deregister_refused_while_money_is_held(channels, api_client_for):
    agent = channels.agents["nj_a1"]
    client = api_client_for("js_channel")
    client.post(f"{API}/transactions/", {"kind": "payment", "agent": agent.pk, "sub_account": "deposit",
                                         "amount": "800"}, format="json")
    refused = client.post(f"{API}/agents/{agent.pk}/deregister/", {"reason": "x"}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "channels.agent_holds_money"
    assert Agent.objects.get(pk=agent.pk).status == AgentStatus.REGISTERED
    assert ledger.ledger_check() == []


def test_money_round_trip_and_bad_input(channels, api_client_for):
    agent = channels.agents["nj_a1"]
    client = api_client_for("nj_finance")
    paid = client.post(f"{API}/transactions/", {"kind": "payment", "agent": agent.pk, "sub_account": "prepayment",
                                                "amount": "1000.00", "idempotency_key": "api-1"}, format="json")
    assert paid.status_code == 201, paid.content
    assert paid.json()["amount"] == "1000.00" and paid.json()["agent_code"] == agent.code
    again = client.post(f"{API}/transactions/", {"kind": "payment", "agent": agent.pk, "sub_account": "prepayment",
                                                 "amount": "1000.00", "idempotency_key": "api-1"}, format="json")
    assert again.json()["id"] == paid.json()["id"]
    drawn = client.post(f"{API}/transactions/", {"kind": "withdrawal", "agent": agent.pk, "sub_account": "prepayment",
                                                 "amount": "400"}, format="json")
    assert drawn.status_code == 201
    entries = LedgerEntry.objects.count()
    for data, status, code in [
        ({"sub_account": "overdraft", "amount": "10"}, 400, "channels.overdraft_not_operable"),
        ({"sub_account": "prepayment", "amount": "600.01"}, 409, "channels.insufficient_funds"),
        ({"sub_account": "prepayment", "amount": "abc"}, 400, "kams.invalid_input"),
    ]:
        response = client.post(f"{API}/transactions/", {"kind": "withdrawal", "agent": agent.pk, **data}, format="json")
        assert response.status_code == status and response.json()["code"] == code, (data, response.content)
    assert LedgerEntry.objects.count() == entries
    other = client.post(f"{API}/transactions/", {"kind": "payment", "agent": channels.agents["sz_a1"].pk,
                                                 "sub_account": "deposit", "amount": "1"}, format="json")
    assert other.status_code == 404
    balances = {r["kind"]: r["balance"] for r in client.get(f"{API}/agents/{agent.pk}/accounts/").json()}
    assert balances["prepayment"] == "600.00"
    listed = result_rows(client.get(f"{API}/transactions/", {"agent": agent.pk}))
    assert len(listed) == 2
    statement = client.get(f"{API}/agents/{agent.pk}/statement/").json()
    pre = next(a for a in statement["accounts"] if a["kind"] == "prepayment")
    assert (pre["opening"], pre["credits"], pre["debits"], pre["closing"]) == ("0.00", "1000.00", "400.00", "600.00")
    assert len(statement["entries"]) == 2
    assert ledger.ledger_check() == []


def test_schema_builds(channels, api_client_for):
    response = api_client_for("js_channel").get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/channels/agents/" in response.content
