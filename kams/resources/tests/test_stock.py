"""Stock in and the flow between units (RES-02): validation, overlaps, set-based writes,
flow rules, the append-only movement ledger."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction

from kams.core.errors import InvalidInput
from kams.resources import services
from kams.resources.enums import ItemState, MoveKind
from kams.resources.errors import (
    BadRange,
    BadSerial,
    FlowNotAllowed,
    ItemsNotAvailable,
    NoParentNode,
    NotAStockNode,
    SerialsExist,
)
from kams.resources.models import Movement, ResourceItem
from kams.resources.tests.conftest import sims


def test_serials_are_validated(stock):
    with pytest.raises(BadSerial):
        services.selection("number", "1390000000")  # 10 digits
    with pytest.raises(BadSerial):
        services.selection("handset", "35000000000000X")
    with pytest.raises(BadSerial):
        services.selection("sim", "898601000000000000")  # 18 digits
    with pytest.raises(BadRange):
        services.selection("sim", "8986010000000000009", "8986010000000000001")
    with pytest.raises(BadRange):
        services.selection("sim", "8986010000000000009", "89860100000000000010")
    with pytest.raises(InvalidInput):
        services.selection("number", serials=["13900000001", "13900000001"])
    assert services.selection("handset", "350000000000001", "350000000000010").count == 10


def test_stock_in_refuses_overlaps(stock):
    manager = stock.user("js_channel")
    with pytest.raises(SerialsExist) as exc:
        services.stock_in(actor=manager, unit=stock.unit("NJ"), sel=services.selection("number", "13900000090",
                                                                                          "13900000200"))
    assert exc.value.params["count"] == 11
    assert not ResourceItem.objects.filter(serial="13900000200").exists()
    with pytest.raises(NotAStockNode):
        services.stock_in(actor=manager, unit=stock.unit("NJ-SCB2"), sel=services.selection("number", "13700000001"))


def test_a_50000_stock_in_is_a_handful_of_statements(stock, django_assert_max_num_queries):
    manager = stock.user("js_channel")
    sel = services.selection("number", "13800000000", "13800049999")
    with django_assert_max_num_queries(15):
        result = services.stock_in(actor=manager, unit=stock.unit("NJ"), sel=sel)
    assert result.count == 50000
    items = ResourceItem.objects.filter(serial__startswith="1380")
    assert items.count() == 50000 and items.filter(org_unit=stock.unit("NJ"), state=ItemState.IN_STOCK).count() == 50000
    assert set(items.values_list("serial", flat=True).order_by("serial")[:2]) == {"13800000000", "13800000001"}
    assert Movement.objects.filter(operation=result.operation, kind=MoveKind.STOCK_IN).count() == 50000


def test_20_digit_iccids_across_a_carry(stock):
    sel = services.selection("sim", "89860399999999999998", "89860400000000000001")
    services.stock_in(actor=stock.user("js_channel"), unit=stock.unit("NJ"), sel=sel)
    assert sorted(ResourceItem.objects.filter(serial__startswith="898603").values_list("serial", flat=True)) == [
        "89860399999999999998", "89860399999999999999"]
    assert sorted(ResourceItem.objects.filter(serial__startswith="898604").values_list("serial", flat=True)) == [
        "89860400000000000000", "89860400000000000001"]


def test_stock_in_from_a_csv_file(stock):
    upload = SimpleUploadedFile("serials.csv", "IMEI\n350000000000001\n350000000000002\n".encode())
    serials = services.read_serial_file(upload)
    result = services.stock_in(actor=stock.user("js_channel"), unit=stock.unit("NJ"),
                               sel=services.selection("handset", serials=serials), model="Moto V3")
    assert result.count == 2 and ResourceItem.objects.filter(kind="handset", model="Moto V3").count() == 2


def test_stock_in_from_an_xlsx_file(stock):
    from openpyxl import Workbook

    book = Workbook()
    for row in (["号码"], ["13700000001"], [13700000002]):
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    serials = services.read_serial_file(SimpleUploadedFile("serials.xlsx", buffer.getvalue()))
    assert serials == ["13700000001", "13700000002"]


def test_flow_out_transfer_and_return(stock):
    manager = stock.user("js_channel")
    nj, scb, xjk, hx = (stock.unit(c) for c in ("NJ", "NJ-SCB", "NJ-XJK", "NJ-HX"))
    services.stock_in(actor=manager, unit=nj, sel=services.selection("number", "13600000001", "13600000100"))
    numbers = services.selection("number", "13600000001", "13600000050")
    services.stock_move(actor=manager, operation="out", from_unit=nj, to_unit=scb, sel=numbers)
    assert ResourceItem.objects.filter(serial__startswith="1360", org_unit=scb).count() == 50
    with pytest.raises(FlowNotAllowed):  # no rule NJ → NJ-XJK
        services.stock_move(actor=manager, operation="out", from_unit=nj, to_unit=xjk,
                            sel=services.selection("number", "13600000051"))
    with pytest.raises(FlowNotAllowed):  # XJK → HX is for SIM cards only
        services.stock_move(actor=manager, operation="transfer", from_unit=xjk, to_unit=hx,
                            sel=services.selection("number", "13900000001"))
    services.stock_move(actor=manager, operation="transfer", from_unit=xjk, to_unit=hx, sel=sims(901, 1000))
    assert ResourceItem.objects.filter(kind="sim", org_unit=hx).count() == 100
    with pytest.raises(ItemsNotAvailable) as exc:  # 41 … 60: 10 at NJ-SCB, 10 still at NJ
        services.stock_move(actor=manager, operation="return", from_unit=scb,
                            sel=services.selection("number", "13600000041", "13600000060"))
    assert exc.value.params["missing"] == 10
    assert ResourceItem.objects.filter(serial__startswith="1360", org_unit=scb).count() == 50
    result = services.stock_move(actor=manager, operation="return", from_unit=scb, sel=numbers)
    assert result.to_unit == nj
    assert Movement.objects.filter(kind=MoveKind.RETURN, from_unit=scb, to_unit=nj).count() == 50
    with pytest.raises(NoParentNode):
        services.stock_move(actor=manager, operation="return", from_unit=nj, sel=numbers)


def test_movements_are_append_only(stock):
    move = Movement.objects.first()
    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {Movement._meta.db_table} SET serial = 'x' WHERE id = %s", [move.pk])
    assert Movement.objects.get(pk=move.pk).serial != "x"


def test_stock_writes_need_the_permission(stock):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.stock_in(actor=stock.user("js_director"), unit=stock.unit("NJ"),
                          sel=services.selection("number", "13500000001"))
