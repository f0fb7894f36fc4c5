"""Settlement API round-trips: schemes, runs, bills (adjust, pay), scoped and guarded."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from kams.settlement import services
from kams.settlement.enums import SchemeKind
from kams.settlement.models import BusinessScheme
from kams.settlement.testing import add_subscriber, last_period
from kams.settlement.variables import ensure_variables
from kams.system.models import JobRun

pytestmark = pytest.mark.django_db
BASE = "/api/v1/channels/settlement"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db(transaction=True)  # the run is queued on commit and settled by the worker
def test_scheme_run_bill_round_trip(channels, bills):
    ensure_variables()  # a flush before this test removes the migration's rows
    cm, period = channels.user("js_channel"), last_period()
    api = client_for(cm)
    bad = api.post(f"{BASE}/schemes/", {"code": "m", "name": "M", "business": "mobile", "kind": "commission",
                                        "condition": "bonus > 1", "steps": [{"start": 1, "amount": "50"}]},
                   format="json")
    assert bad.status_code == 400 and "bonus" in bad.json()["message"]
    assert not BusinessScheme.objects.exists()
    ok = api.post(f"{BASE}/schemes/", {"code": "m", "name": "M", "business": "mobile", "kind": "commission",
                                       "condition": "paid >= 30", "steps": [{"start": 1, "amount": "50"}]},
                  format="json")
    assert ok.status_code == 201 and ok.json()["versions"][0]["steps"] == [{"from": 1, "amount": "50.00"}]
    composite = services.save_composite(actor=cm, code="c", name="C", schemes=[BusinessScheme.objects.get()])
    a1 = channels.agents["nj_a1"]
    services.assign_scheme(actor=cm, agent=a1, primary=composite)
    add_subscriber(a1, "13900000001", period.replace(day=2))
    bills.add(period, "13900000001", fee_mobile=30)
    future = api.post(f"{BASE}/runs/", {"period": "2999-01", "kind": "single", "agent": a1.pk}, format="json")
    assert future.status_code == 400 and "ended" in future.json()["message"]
    assert not JobRun.objects.exists()
    queued = api.post(f"{BASE}/runs/", {"period": f"{period:%Y-%m}", "kind": "single", "agent": a1.pk},
                      format="json")
    assert queued.status_code == 202 and queued.json()["period"] == f"{period:%Y-%m}"
    call_command("worker", "--batch")
    job = api.get(f"/api/v1/system/jobs/{queued.json()['job']}/").json()
    assert job["state"] == "succeeded" and job["result"]["total"] == "50.00"
    run = api.get(f"{BASE}/runs/{job['result']['settlement_run']}/")
    assert run.status_code == 200 and run.json()["total"] == "50.00"
    bill = api.get(f"{BASE}/bills/").json()["results"][0]
    assert bill["agent_code"] == "A32010001" and bill["lines"][0]["amount"] == "50.00"
    fine = api.post(f"{BASE}/bills/{bill['id']}/adjust/", {"kind": "fine", "amount": "10", "reason": "Late"},
                    format="json")
    assert fine.status_code == 200 and fine.json()["net"] == "40.00"
    assert api.post(f"{BASE}/bills/{bill['id']}/pay/").status_code == 403
    paid = client_for(channels.user("js_finance")).post(f"{BASE}/bills/{bill['id']}/pay/")
    assert paid.status_code == 200 and paid.json()["state"] == "paid"
    from kams.settlement.tests.test_pages import sz_finance

    sz = client_for(sz_finance(channels))
    assert sz.get(f"{BASE}/bills/{bill['id']}/").status_code == 404
    assert sz.get(f"{BASE}/bills/").json()["results"] == []
    assert client_for(channels.user("nj_finance")).get(f"{BASE}/bills/{bill['id']}/").status_code == 200
    assert client_for(channels.user("nj_manager1")).get(f"{BASE}/runs/").status_code == 403


def test_schema_documents_settlement():
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    assert f"{BASE}/bills/{{id}}/pay/" in paths and f"{BASE}/runs/" in paths


def test_scheme_kind_choices_are_documented():
    assert SchemeKind.REVENUE_SHARE in SchemeKind.values
