"""The resource API under /api/v1/resources/: round trips, refusals, scoping."""

from decimal import Decimal

from kams.channels import ledger
from kams.channels.enums import SubAccountKind
from kams.org.testing import result_rows
from kams.resources.models import AgentTransfer, FeeAdjustment, ResourceItem
from kams.resources.tests.conftest import sims

API = "/api/v1/resources"


def test_pickup_round_trip(stock, api_client_for):
    client = api_client_for("js_channel")
    agent = stock.agent("nj_a1")
    response = client.post(f"{API}/pickups/", {"agent": agent.pk, "unit": stock.unit("NJ-XJK").pk, "kind": "sim",
                                               "first": sims(1, 1).first, "last": sims(100, 100).first},
                           format="json")
    assert response.status_code == 201, response.json()
    order = response.json()
    assert order["count"] == 100 and order["amount"] == "1000.00"
    assert client.get(f"{API}/pickups/{order['id']}/").json()["order_no"] == order["order_no"]
    lines = result_rows(client.get(f"{API}/pickups/{order['id']}/lines/"))
    assert len(lines) > 0 and lines[0]["fee"] == "10.00"
    rows = result_rows(client.get(f"{API}/items/", {"agent": agent.code, "state": "picked_up"}))
    assert len(rows) > 0 and all(r["agent"] == agent.pk for r in rows)
    response = client.post(f"{API}/returns/", {"agent": agent.pk, "kind": "sim", "serials": [sims(1, 1).first]},
                           format="json")
    assert response.status_code == 201 and response.json()["amount"] == "10.00"
    response = client.post(f"{API}/pickups/{order['id']}/cancel/", {}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "resources.order_not_cancellable"
    response = client.post(f"{API}/fee-adjustments/", {"agent": agent.pk, "order": order["id"], "new_fee": "0"},
                           format="json")
    assert response.status_code == 201 and response.json()["count"] == 99
    assert FeeAdjustment.objects.count() == 1
    assert ledger.balances(agent)[SubAccountKind.OVERDRAFT] == Decimal("0.00")
    moves = result_rows(client.get(f"{API}/movements/", {"serial": sims(1, 1).first}))
    assert {m["kind"] for m in moves} == {"stock_in", "pickup", "agent_return"}
    assert ledger.ledger_check() == []


def test_refused_pickup_answers_409_and_changes_nothing(stock, api_client_for):
    response = api_client_for("js_channel").post(f"{API}/pickups/", {
        "agent": stock.agent("nj_a1").pk, "unit": stock.unit("NJ-XJK").pk, "kind": "sim",
        "first": sims(1, 1).first, "last": sims(600, 600).first}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "channels.credit_exceeded"
    assert not ResourceItem.objects.filter(state="picked_up").exists()
    assert ledger.ledger_check() == []


def test_stock_in_move_and_transfer(stock, api_client_for):
    client = api_client_for("js_channel")
    response = client.post(f"{API}/stock/in/", {"unit": stock.unit("NJ").pk, "kind": "number",
                                                "first": "13500000001", "last": "13500000100"}, format="json")
    assert response.status_code == 201 and response.json()["count"] == 100
    response = client.post(f"{API}/stock/move/", {"operation": "out", "from_unit": stock.unit("NJ").pk,
                                                  "to_unit": stock.unit("NJ-SCB").pk, "kind": "number",
                                                  "first": "13500000001", "last": "13500000010"}, format="json")
    assert response.status_code == 201
    assert client.post(f"{API}/stock/in/", {"unit": stock.unit("NJ").pk, "kind": "number", "first": "1350000001"},
                       format="json").status_code == 400
    client.post(f"{API}/pickups/", {"agent": stock.agent("nj_a1").pk, "unit": stock.unit("NJ-XJK").pk,
                                    "kind": "sim", "first": sims(1, 1).first, "last": sims(5, 5).first}, format="json")
    response = client.post(f"{API}/transfers/", {"source": stock.agent("nj_a1").pk, "target": stock.agent("nj_a2").pk,
                                                 "kind": "sim", "first": sims(1, 1).first, "method": "cash"},
                           format="json")
    assert response.status_code == 409 and response.json()["code"] == "resources.pickup_not_allowed"
    assert not AgentTransfer.objects.exists()


def test_reads_and_permissions(stock, api_client_for):
    assert api_client_for("nj_manager1").get(f"{API}/items/").status_code == 403
    director = api_client_for("sz_director")
    serials = {r["serial"] for r in result_rows(director.get(f"{API}/items/", {"page_size": 500}))}
    assert serials and all(s.startswith("898605") for s in serials)
    response = director.post(f"{API}/pickups/", {"agent": stock.agent("sz_a1").pk, "unit": stock.unit("SZ-SCB").pk,
                                                 "kind": "sim", "first": "8986050000000000001"}, format="json")
    assert response.status_code == 403
