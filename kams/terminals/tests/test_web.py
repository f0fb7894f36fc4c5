"""Terminal pages and API: roles, scope (another city gets 404), Excel, round trips."""

import io
from decimal import Decimal

import pytest
from django.db import transaction
from openpyxl import load_workbook

from kams.channels import ledger
from kams.channels.enums import SubAccountKind
from kams.channels.models import Agent
from kams.resources.enums import ItemState
from kams.resources.models import ResourceItem
from kams.terminals import services
from kams.terminals.enums import AnomalyKind, AnomalyStatus
from kams.terminals.models import Anomaly, SubsidisedSale
from kams.terminals.testing import make_handset, make_imei
from kams.terminals.tests.conftest import IMEI
from kams.terminals.tests.test_services import _csv, example

READ_PAGES = ["/terminals/", "/terminals/models/", "/terminals/levels/", "/terminals/imports/", "/terminals/flags/",
              "/terminals/flags/chart/"]
WORK_PAGES = ["/terminals/sales/new/", "/terminals/models/new/", "/terminals/levels/new/"]


@pytest.fixture
def flagged(world):
    services.observation_file_import(actor=world.user("js_channel"), name="net.csv", content=_csv(example(world)))
    return {a.kind: a for a in Anomaly.objects.all()}


@pytest.mark.parametrize("username,read,work", [
    ("js_channel", 200, 200),
    ("js_director", 200, 403),
    ("nj_director", 200, 403),
    ("nj_manager1", 403, 403),
])
def test_pages_render_for_the_roles(world, flagged, page_client_for, username, read, work):
    client = page_client_for(username)
    for url in READ_PAGES:
        assert client.get(url).status_code == read, url
    for url in WORK_PAGES:
        assert client.get(url).status_code == work, url


def test_detail_pages_and_scope(world, flagged, page_client_for):
    sale, flag = world.sales["h1"], flagged[AnomalyKind.HANDSET_MOVED]
    batch = flag.batch
    for username in ("js_channel", "nj_director"):
        client = page_client_for(username)
        page = client.get(f"/terminals/sales/{sale.pk}/")
        assert page.status_code == 200 and IMEI["h1"] in page.content.decode()
        assert client.get(f"/terminals/flags/{flag.pk}/").status_code == 200
        assert client.get(f"/terminals/imports/{batch.pk}/").status_code == 200
    suzhou = page_client_for("sz_director")
    assert suzhou.get(f"/terminals/sales/{sale.pk}/").status_code == 404
    assert suzhou.get(f"/terminals/flags/{flag.pk}/").status_code == 404
    assert suzhou.get(f"/terminals/sales/{world.sales['h3'].pk}/").status_code == 200
    listing = suzhou.get("/terminals/flags/").content.decode()
    assert IMEI["h1"] not in listing


def test_flag_list_exports_to_excel(world, flagged, page_client_for):
    response = page_client_for("js_channel").get("/terminals/flags/?kind=sim_moved&export=xlsx")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][2] == IMEI["h2"] and rows[1][4] == IMEI["other"]
    chart = page_client_for("js_channel").get("/terminals/flags/chart/?export=xlsx")
    assert chart.status_code == 200


def test_sale_page_records_a_sale_and_shows_a_bad_imei(world, page_client_for):
    client = page_client_for("js_channel")
    data = {"imei": IMEI["h4"][:-1] + "0" if IMEI["h4"][-1] != "0" else IMEI["h4"][:-1] + "1",
            "msisdn": "13900000004", "business": "mobile", "commitment_months": 12, "sold_on": world.today.isoformat()}
    bad = client.post("/terminals/sales/new/", data)
    assert bad.status_code == 200 and "Luhn" in bad.content.decode()
    assert SubsidisedSale.objects.count() == 3
    good = client.post("/terminals/sales/new/", {**data, "imei": IMEI["h4"]})
    sale = SubsidisedSale.objects.get(imei=IMEI["h4"])
    assert good.status_code == 302 and good["Location"] == f"/terminals/sales/{sale.pk}/"
    assert ResourceItem.objects.get(serial=IMEI["h4"]).state == ItemState.ENTERED


def test_upload_and_review_pages(world, page_client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = page_client_for("js_channel")
    upload = SimpleUploadedFile("net.csv", _csv(example(world)), content_type="text/csv")
    response = client.post("/terminals/imports/", {"file": upload})
    assert response.status_code == 302
    flag = Anomaly.objects.get(kind=AnomalyKind.SIM_MOVED)
    refused = client.post(f"/terminals/flags/{flag.pk}/dismiss/", {"reason": ""})
    assert refused.status_code == 400
    assert client.post(f"/terminals/flags/{flag.pk}/dismiss/", {"reason": "本人第二部手机"}).status_code == 302
    other = Anomaly.objects.get(kind=AnomalyKind.HANDSET_MOVED)
    assert client.post(f"/terminals/flags/{other.pk}/confirm/", {"recovery_amount": "300", "note": ""}).status_code == 302
    assert page_client_for("js_director").post(f"/terminals/flags/{other.pk}/dismiss/", {"reason": "x"}).status_code == 403
    statuses = dict(Anomaly.objects.values_list("kind", "status"))
    assert statuses == {AnomalyKind.SIM_MOVED: AnomalyStatus.DISMISSED, AnomalyKind.HANDSET_MOVED: AnomalyStatus.CONFIRMED}


def test_api_round_trip(world, api_client_for):
    api = api_client_for("js_channel")
    model = api.post("/api/v1/terminals/models/", {"brand": "Motorola", "model": "V998", "list_price": "3000.00"},
                     format="json")
    assert model.status_code == 201, model.content
    level = api.post("/api/v1/terminals/levels/", {"handset_model": model.data["id"], "business": "mobile",
                                                   "kind": "percent", "value": "20",
                                                   "valid_from": world.today.isoformat()}, format="json")
    assert level.status_code == 201 and level.data["subsidy_on_list_price"] == "600.00"
    in_force = api.get(f"/api/v1/terminals/levels/in-force/?handset_model={model.data['id']}&business=mobile")
    assert in_force.status_code == 200 and in_force.data["id"] == level.data["id"]
    imei = make_imei("35999999999991")
    make_handset(imei, world.channels.agents["nj_a2"], model="V998")
    bad = api.post("/api/v1/terminals/sales/", {"imei": imei[:-1], "msisdn": "13900000077", "commitment_months": 12},
                   format="json")
    assert bad.status_code == 400 and bad.data["code"] == "terminals.invalid_imei"
    sale = api.post("/api/v1/terminals/sales/", {"imei": imei, "msisdn": "13900000077", "commitment_months": 12},
                    format="json")
    assert sale.status_code == 201, sale.content
    assert sale.data["subsidy_amount"] == "600.00" and sale.data["monthly_amortisation"] == "50.00"
    assert sale.data["item_state"] == ItemState.ENTERED and sale.data["agent_code"] == "A32010002"
    rows = {"observations": [{"imei": imei, "msisdn": "13900000088", "seen_on": world.today.isoformat()},
                             {"imei": IMEI["other"], "msisdn": "13900000077", "seen_on": world.today.isoformat()}]}
    batch = api.post("/api/v1/terminals/imports/", rows, format="json")
    assert batch.status_code == 201 and batch.data["flags_created"] == 2
    again = api.post("/api/v1/terminals/imports/", rows, format="json")
    assert again.data["new_rows"] == 0 and again.data["flags_created"] == 0
    flags = api.get(f"/api/v1/terminals/flags/?imei={imei}").data["results"]
    assert sorted(f["kind"] for f in flags) == ["handset_moved", "sim_moved"]
    # The agent (no credit line, empty account) cannot repay the subsidy: refused, nothing changes.
    refused = api.post(f"/api/v1/terminals/flags/{flags[0]['id']}/confirm/", {}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "channels.credit_exceeded"
    agent = Agent.objects.get(code="A32010002")
    with transaction.atomic():
        ledger.pay_in(agent, SubAccountKind.PREPAYMENT, Decimal("1000.00"))
    confirmed = api.post(f"/api/v1/terminals/flags/{flags[0]['id']}/confirm/", {}, format="json")
    assert confirmed.status_code == 200 and confirmed.data["status"] == "confirmed"
    assert confirmed.data["recovery_amount"] == "600.00"
    assert ledger.balances(agent)["prepayment"] == Decimal("400.00") and ledger.ledger_check() == []
    by_agent = api.get(f"/api/v1/terminals/flags/by-agent/?month={world.today:%Y-%m}")
    assert by_agent.status_code == 200 and by_agent.data[0]["agent_code"] == "A32010002"
    assert by_agent.data[0]["total"] == 2


def test_api_scope_and_permissions(world, flagged, api_client_for):
    flag = flagged[AnomalyKind.HANDSET_MOVED]
    suzhou = api_client_for("sz_director")
    assert suzhou.get(f"/api/v1/terminals/sales/{world.sales['h1'].pk}/").status_code == 404
    assert suzhou.get(f"/api/v1/terminals/flags/{flag.pk}/").status_code == 404
    assert [s["imei"] for s in suzhou.get("/api/v1/terminals/sales/").data["results"]] == [IMEI["h3"]]
    director = api_client_for("nj_director")
    assert director.get(f"/api/v1/terminals/flags/{flag.pk}/").status_code == 200
    assert director.post(f"/api/v1/terminals/flags/{flag.pk}/confirm/", {}, format="json").status_code == 403
    assert director.post("/api/v1/terminals/sales/", {}, format="json").status_code == 403
    assert api_client_for(None).get("/api/v1/terminals/sales/").status_code in (401, 403)
