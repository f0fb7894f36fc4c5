"""Settlement pages: render for the right roles, write through the services, scoped."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from kams.settlement.enums import BillState
from kams.settlement.models import AgentBill, BusinessScheme, SettlementRun, SettlementVariable
from kams.settlement.run import settle
from kams.settlement.testing import one_scheme_setup
from kams.system.models import JobRun

pytestmark = pytest.mark.django_db

def sz_finance(channels):
    from kams.org.enums import RoleCode
    from kams.org.testing import make_staff

    return make_staff("sz_finance", channels.units["SZ-SCB"], (RoleCode.FINANCE,), name="苏州财务").user


LISTS = ["runs", "bills", "extractions", "schemes", "composites", "agent_schemes", "variables"]


@pytest.fixture
def setup(channels, bills):
    return one_scheme_setup(channels, bills)


def test_lists_render(client, channels, setup):
    client.force_login(setup["cm"])
    for name in LISTS:
        assert client.get(reverse(f"settlement:{name}")).status_code == 200, name
    client.force_login(channels.user("js_finance"))
    assert client.get(reverse("settlement:bills")).status_code == 200
    client.force_login(channels.user("nj_manager1"))
    assert client.get(reverse("settlement:runs")).status_code == 403
    client.force_login(setup["cm"])
    for name in ("run_create", "extraction_create", "scheme_create", "composite_create", "agent_scheme_edit"):
        assert client.get(reverse(f"settlement:{name}")).status_code == 200, name
    assert client.get(reverse("settlement:scheme", args=[setup["version"].scheme_id])).status_code == 200
    variable = SettlementVariable.objects.get(name="paid")
    assert client.get(reverse("settlement:variable_edit", args=[variable.pk])).status_code == 200


def test_scheme_form_shows_expression_error(client, setup):
    client.force_login(setup["cm"])
    data = {"code": "bad", "name": "Bad", "business": "mobile", "kind": "commission", "condition": "paid >=",
            "steps": "1:50"}
    response = client.post(reverse("settlement:scheme_create"), data)
    assert response.status_code == 200 and "syntax error" in response.content.decode()
    assert not BusinessScheme.objects.filter(code="bad").exists()
    data["condition"] = "paid >= 10 && is_new"
    response = client.post(reverse("settlement:scheme_create"), data)
    assert response.status_code == 302
    assert BusinessScheme.objects.get(code="bad").current.steps == [{"from": 1, "amount": "50.00"}]


def test_live_expression_check(client, channels, setup):
    client.force_login(setup["cm"])
    url = reverse("settlement:expression_check")
    assert client.get(url, {"text": "paid >= 30", "business": "mobile"}).json() == {"ok": True}
    bad = client.get(url, {"text": "paid >=", "business": "mobile"}).json()
    assert bad["ok"] is False and "syntax error" in bad["error"]
    assert "unknown variable" in client.get(url, {"field": "base", "text": "bonus", "business": "data"}).json()["error"]
    client.force_login(channels.user("js_finance"))
    assert client.get(url, {"text": "paid > 1"}).status_code == 403


def test_run_bill_and_payout_pages(client, channels, setup):
    client.force_login(setup["cm"])
    response = client.post(reverse("settlement:run_create"), {
        "period": f"{setup['period']:%Y-%m}", "kind": "unified", "unit": channels.units["NJ-SCB"].pk})
    assert response.status_code == 302 and response["Location"] == reverse("settlement:runs")
    assert JobRun.objects.get().name == "settlement.run"  # queued; the worker settles it (test_jobs.py)
    run = settle(actor=setup["cm"], period=setup["period"], kind="unified", unit=channels.units["NJ-SCB"])
    page = client.get(reverse("settlement:run", args=[run.pk])).content.decode()
    assert "A00000001" in page  # the national agent has no scheme
    bill = AgentBill.objects.get()
    assert bill.amount == Decimal("50.00")
    assert client.get(reverse("settlement:bill", args=[bill.pk])).status_code == 200
    assert client.post(reverse("settlement:bill_adjust", args=[bill.pk]),
                       {"kind": "reward", "amount": "5", "reason": "Good"}).status_code == 302
    assert client.post(reverse("settlement:bill_pay", args=[bill.pk])).status_code == 403
    client.force_login(channels.user("js_finance"))
    assert client.post(reverse("settlement:bill_pay", args=[bill.pk])).status_code == 302
    bill.refresh_from_db()
    assert bill.state == BillState.PAID and bill.net == Decimal("55.00")
    client.force_login(sz_finance(channels))  # Suzhou finance: the Nanjing bill is out of scope
    assert client.get(reverse("settlement:bill", args=[bill.pk])).status_code == 404
    assert client.get(reverse("settlement:bills")).status_code == 200


def test_single_run_for_agent_without_scheme_shows_error(client, channels, setup):
    client.force_login(setup["cm"])
    response = client.post(reverse("settlement:run_create"), {
        "period": f"{setup['period']:%Y-%m}", "kind": "single", "agent": channels.agents["national"].pk})
    assert response.status_code == 200 and "A00000001" in response.content.decode()
    assert not SettlementRun.objects.exists() and not JobRun.objects.exists()


def test_settle_command(channels, setup):
    from django.core.management import call_command

    call_command("settle", "--period", f"{setup['period']:%Y-%m}", "--unit", "NJ-SCB")
    assert AgentBill.objects.get().amount == Decimal("50.00")
