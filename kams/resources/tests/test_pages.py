"""The resource pages render for the right roles, keep to scope, export to Excel and reach
the services (pickup by file upload, cancellation, stock moves, configuration)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from kams.resources import services
from kams.resources.enums import ItemState, PickupStatus
from kams.resources.models import FlowRule, PickupOrder, ResourceItem, ResourcePrice
from kams.resources.tests.conftest import sims

READ_PAGES = ["/resources/", "/resources/items/", "/resources/items/?serial=13900000001", "/resources/pickups/",
              "/resources/movements/", "/resources/flow/", "/resources/config/", "/resources/?export=xlsx"]
WORK_PAGES = ["/resources/stock-in/", "/resources/move/", "/resources/move/?operation=return",
              "/resources/config/prices/new/", "/resources/config/limits/", "/resources/flow/nodes/new/",
              "/resources/flow/rules/new/", "/resources/pickups/new/", "/resources/returns/new/",
              "/resources/agent-transfers/new/", "/resources/fee-adjustments/new/"]


@pytest.fixture
def order(stock):
    return services.pickup_create(actor=stock.user("js_channel"), agent=stock.agent("nj_a1"),
                                  unit=stock.unit("NJ-XJK"), sel=sims(1, 20))


@pytest.mark.parametrize("username,read,work", [
    ("js_channel", 200, 200), ("js_director", 200, 403), ("nj_director", 200, 403), ("js_finance", 200, 403),
    ("nj_manager1", 403, 403),
])
def test_pages_render_for_the_roles(order, page_client_for, username, read, work):
    client = page_client_for(username)
    for url in READ_PAGES:
        assert client.get(url).status_code == read, (username, url)
    for url in WORK_PAGES:
        assert client.get(url).status_code == work, (username, url)
    if read == 200:
        item = ResourceItem.objects.get(serial=sims(1, 1).first)
        assert client.get(f"/resources/items/{item.pk}/").status_code == 200
        page = client.get(f"/resources/pickups/{order.pk}/")
        assert page.status_code == 200 and order.order_no in page.content.decode()


def test_scope_a_suzhou_director_gets_404_on_a_nanjing_order(order, page_client_for, api_client_for):
    client = page_client_for("sz_director")
    assert client.get(f"/resources/pickups/{order.pk}/").status_code == 404
    assert client.get(f"/resources/pickups/{order.pk}/cancel/").status_code == 403  # reads only
    assert api_client_for("sz_director").get(f"/api/v1/resources/pickups/{order.pk}/").status_code == 404
    item = ResourceItem.objects.get(serial=sims(1, 1).first)
    assert client.get(f"/resources/items/{item.pk}/").status_code == 404
    assert order.order_no not in client.get("/resources/pickups/").content.decode()


def test_item_detail_shows_its_movements(order, page_client_for):
    item = ResourceItem.objects.get(serial=sims(1, 1).first)
    html = page_client_for("js_channel").get(f"/resources/items/{item.pk}/").content.decode()
    assert order.order_no in html and 'id="movements"' in html


def test_menu_shows_resources(order, page_client_for):
    html = page_client_for("js_channel").get("/").content.decode()
    assert "/resources/pickups/" in html and "/resources/movements/" in html
    assert "/resources/pickups/" not in page_client_for("nj_manager1").get("/").content.decode()


def test_pickup_by_file_upload_and_cancel_through_the_pages(stock, page_client_for):
    client = page_client_for("js_channel")
    upload = SimpleUploadedFile("serials.csv", "\n".join(sims(i, i).first for i in (30, 31, 35)).encode())
    response = client.post("/resources/pickups/new/", {
        "agent": stock.agent("nj_a1").pk, "unit": stock.unit("NJ-XJK").pk, "kind": "sim", "file": upload,
        "method": "transfer", "note": "文件领用"})
    assert response.status_code == 302
    order = PickupOrder.objects.get()
    assert order.count == 3 and order.mode == "file" and response["Location"] == f"/resources/pickups/{order.pk}/"
    response = client.post(f"/resources/pickups/{order.pk}/cancel/", {"data": "unsettled", "method": "cash"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == PickupStatus.CANCELLED
    assert ResourceItem.objects.filter(state=ItemState.PICKED_UP).count() == 0


def test_refusal_shows_the_error_and_changes_nothing(stock, page_client_for):
    client = page_client_for("js_channel")
    response = client.post("/resources/pickups/new/", {
        "agent": stock.agent("nj_a1").pk, "unit": stock.unit("NJ-XJK").pk, "kind": "sim", "first": sims(1, 1).first,
        "last": sims(600, 600).first, "method": "transfer"})
    assert response.status_code == 200 and 'id="form-errors"' in response.content.decode()
    assert not PickupOrder.objects.exists()


def test_configuration_and_flow_pages(stock, page_client_for):
    client = page_client_for("js_channel")
    response = client.post("/resources/config/prices/new/", {"kind": "handset", "network": "cdma",
                                                             "business": "mobile", "price": "300.00",
                                                             "valid_from": "2026-01-01"})
    assert response.status_code == 302 and ResourcePrice.objects.filter(kind="handset", price=300).exists()
    assert client.post("/resources/config/limits/", {"kind": "sim", "max_items": 100}).status_code == 302
    rule = FlowRule.objects.first()
    assert client.post(f"/resources/flow/rules/{rule.pk}/delete/").status_code == 302
    assert not FlowRule.objects.filter(pk=rule.pk).exists()
    response = client.post("/resources/move/", {"operation": "return", "from_unit": stock.unit("NJ-XJK").pk,
                                                "kind": "number", "first": "13900000001", "last": "13900000010"})
    assert response.status_code == 302
    assert ResourceItem.objects.filter(org_unit=stock.unit("NJ-SCB"), kind="number").count() == 10


def test_movement_ledger_exports_to_excel(order, page_client_for):
    response = page_client_for("js_channel").get("/resources/movements/?kind=pickup&export=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.max_row == 21  # header + 20 pickups
