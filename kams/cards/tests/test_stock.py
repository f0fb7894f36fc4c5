"""The card stock (CLUB-08): stock in, distribute, transfer, return, void, stocktake, status
query and correction — ranges kept compact, the ledger append-only, refusals change nothing."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, transaction
from django.http import Http404
from django.utils import translation

from kams.cards import selectors, services
from kams.cards.enums import BlankMoveKind, BlankState
from kams.cards.errors import (
    BadRange,
    BadSerial,
    BlanksNotHeld,
    LedgerIsAppendOnly,
    MixedLevels,
    NotAStockUnit,
    OutOfBlanks,
    RangeOverlaps,
)
from kams.cards.models import BlankMove, BlankRange, Stocktake
from kams.core.errors import Conflict, InvalidInput


def held(unit, level) -> int:
    return services.in_stock_by_level(unit).get(level.pk, 0)


def state_of_stock():
    return (sorted(BlankRange.objects.values_list("prefix", "width", "first", "last", "state", "org_unit", "level", "card")),
            BlankMove.objects.count())


def test_stock_in_is_one_range_and_one_ledger_line(province, club):
    user = province.user("js_club")

    lines = services.blanks_stock_in(actor=user, level=club.levels["DIAMOND"], first="js2026000001", last="JS2026005000")

    segment = BlankRange.objects.get()
    assert (segment.first_serial, segment.last_serial, segment.count) == ("JS2026000001", "JS2026005000", 5000)
    assert segment.org_unit == province.units["JS"] and segment.state == BlankState.IN_STOCK
    assert len(lines) == 1 and lines[0].kind == BlankMoveKind.STOCK_IN and lines[0].quantity == 5000
    assert held(province.units["JS"], club.levels["DIAMOND"]) == 5000


def test_adjacent_stock_in_merges_and_overlapping_one_is_refused(province, club):
    user, diamond = province.user("js_club"), club.levels["DIAMOND"]
    services.blanks_stock_in(actor=user, level=diamond, first="JS2026000001", last="JS2026005000")
    services.blanks_stock_in(actor=user, level=diamond, first="JS2026005001", last="JS2026006000")
    assert BlankRange.objects.count() == 1 and BlankRange.objects.get().count == 6000
    before = state_of_stock()

    with translation.override("en"), pytest.raises(RangeOverlaps) as refused:
        services.blanks_stock_in(actor=user, level=club.levels["EMERALD"], first="JS2026005500", last="JS2026007000")

    assert "JS2026000001–JS2026006000" in refused.value.text
    assert state_of_stock() == before
    # Another width is another serial: JS0001 is not JS2026000001.
    services.blanks_stock_in(actor=user, level=diamond, first="JS0001", last="JS0010")
    assert BlankRange.objects.count() == 2


@pytest.mark.parametrize("first,last,error", [
    ("JS2026000010", "JS2026000001", BadRange), ("JS2026000001", "JE2026000010", BadRange),
    ("JS202600001", "JS2026000010", BadRange), ("12-34", "", BadSerial), ("", "JS1", BadSerial),
])
def test_stock_in_refuses_bad_ranges(province, club, first, last, error):
    with pytest.raises(error):
        services.blanks_stock_in(actor=province.user("js_club"), level=club.levels["DIAMOND"], first=first, last=last)
    assert not BlankRange.objects.exists() and not BlankMove.objects.exists()


def test_stock_in_only_by_club_staff_and_only_at_the_province(province, club):
    with pytest.raises(PermissionDenied):
        services.blanks_stock_in(actor=province.user("js_director"), level=club.levels["DIAMOND"], first="JS1", last="JS9")
    with pytest.raises(InvalidInput):
        services.blanks_stock_in(actor=province.user("js_club"), level=club.levels["DIAMOND"], first="JS1", last="JS9",
                                 unit=province.units["NJ"])
    assert not BlankRange.objects.exists()


def test_distribute_transfer_return_and_void_move_ranges(province, stock):
    user, diamond, u = province.user("js_club"), stock.levels["DIAMOND"], province.units
    assert held(u["JS"], diamond) == 4000 and held(u["NJ"], diamond) == 1000

    transfer = services.blanks_transfer(actor=user, from_unit=u["NJ"], to_unit=u["SZ"], first="JS2026000901",
                                        last="JS2026001000", note="苏州急需")
    back = services.blanks_return(actor=user, from_unit=u["SZ"], first="JS2026000951", last="JS2026001000")
    void = services.blanks_void(actor=user, unit=u["NJ"],
                                first="JS2026000101", last="JS2026000110", reason="芯片损坏")

    assert (held(u["JS"], diamond), held(u["NJ"], diamond), held(u["SZ"], diamond)) == (4050, 890, 50)
    assert [(m.org_unit.code, m.quantity, m.counterpart.code) for m in transfer] == [("NJ", -100, "SZ"), ("SZ", 100, "NJ")]
    assert {m.kind for m in back} == {BlankMoveKind.RETURN} and back[1].org_unit == u["JS"]
    assert [(m.quantity, m.state_to, m.reason) for m in void] == [(-10, BlankState.VOID, "芯片损坏")]
    # The returned run joined the province's range again: JS2026000951–JS2026005000 is one row.
    province_rows = list(BlankRange.objects.filter(org_unit=u["JS"], level=diamond))
    assert [(r.first_serial, r.last_serial) for r in province_rows] == [("JS2026000951", "JS2026005000")]
    assert BlankRange.objects.filter(level=diamond).count() == 5  # NJ 1–100, void 101–110, NJ 111–900, SZ, JS


def test_distribute_by_count_takes_the_lowest_serials(province, stock):
    u, emerald = province.units, stock.levels["EMERALD"]

    lines = services.blanks_distribute(actor=province.user("js_club"), from_unit=u["JS"], to_unit=u["SZ"], level=emerald,
                                       count=250)

    assert [(m.first_serial, m.last_serial, m.quantity) for m in lines if m.org_unit == u["SZ"]] == [
        ("JE2026000001", "JE2026000250", 250)]
    assert held(u["SZ"], emerald) == 250 and held(u["JS"], emerald) == 4750
    with pytest.raises(OutOfBlanks):
        services.blanks_distribute(actor=province.user("js_club"), from_unit=u["SZ"], to_unit=u["SZ-D01"], level=emerald,
                                   count=251)


@pytest.mark.parametrize("kwargs,error", [
    ({"count": 0}, InvalidInput), ({"count": -5}, InvalidInput), ({"count": "x"}, InvalidInput),
    ({"count": 10, "first": "JS2026000001"}, InvalidInput), ({}, InvalidInput),
    ({"first": "JS2026004001", "last": "JS2026004010"}, BlanksNotHeld),  # held by the province, not Nanjing
    ({"first": "JS2026000990", "last": "JS2026001010"}, BlanksNotHeld),  # partly held
    ({"first": "JS2026900001", "last": "JS2026900010"}, BlanksNotHeld),  # not on record
    ({"first": "JS2026000001", "last": "JS2026000010", "level_code": "EMERALD"}, BlanksNotHeld),  # other level
])
def test_moves_of_blanks_not_held_or_bad_counts_are_refused(province, stock, kwargs, error):
    kwargs = dict(kwargs)
    level = stock.levels[kwargs.pop("level_code", "DIAMOND")]
    before = state_of_stock()

    with translation.override("en"), pytest.raises(error) as refused:
        services.blanks_transfer(actor=province.user("js_club"), from_unit=province.units["NJ"],
                                 to_unit=province.units["SZ"], level=level, **kwargs)

    assert state_of_stock() == before
    if error is BlanksNotHeld:
        assert "南京分公司" in refused.value.text


def test_a_range_of_two_levels_is_refused(province, club):
    user = province.user("js_club")
    services.blanks_stock_in(actor=user, level=club.levels["DIAMOND"], first="JS1001", last="JS1010")
    services.blanks_stock_in(actor=user, level=club.levels["EMERALD"], first="JS1011", last="JS1020")
    with pytest.raises(MixedLevels):
        services.blanks_distribute(actor=user, from_unit=province.units["JS"], to_unit=province.units["NJ"],
                                   first="JS1005", last="JS1015")
    assert BlankRange.objects.filter(org_unit=province.units["NJ"]).count() == 0


def test_stock_units_are_the_province_cities_and_districts(province, stock):
    with pytest.raises(NotAStockUnit):
        services.blanks_distribute(actor=province.user("js_club"), from_unit=province.units["NJ"],
                                   to_unit=province.units["NJ-DKH"], first="JS2026000001")
    with pytest.raises(InvalidInput):  # distribution goes down the tree only
        services.blanks_distribute(actor=province.user("js_club"), from_unit=province.units["NJ"],
                                   to_unit=province.units["SZ"], first="JS2026000001")


def test_directors_move_stock_in_their_scope_only(province, stock):
    u, diamond = province.units, stock.levels["DIAMOND"]
    before = state_of_stock()

    with pytest.raises(Http404):  # Suzhou's director cannot touch Nanjing's blanks
        services.blanks_transfer(actor=province.user("sz_director"), from_unit=u["NJ"], to_unit=u["SZ"], first="JS2026000001")
    with pytest.raises(Http404):
        services.blanks_return(actor=province.user("sz_director"), from_unit=u["NJ"], level=diamond, count=5)
    with pytest.raises(Http404):  # nor can Nanjing's director move blanks into Suzhou
        services.blanks_transfer(actor=province.user("nj_director"), from_unit=u["NJ"], to_unit=u["SZ"], first="JS2026000001")
    with pytest.raises(PermissionDenied):
        services.blanks_void(actor=province.user("nj_director"), unit=u["NJ"], first="JS2026000001", reason="坏")
    with pytest.raises(PermissionDenied):
        services.blanks_distribute(actor=province.user("nj_manager1"), from_unit=u["NJ"], to_unit=u["NJ-D01"], first="JS2026000001")
    assert state_of_stock() == before

    services.blanks_distribute(actor=province.user("nj_director"), from_unit=u["NJ"], to_unit=u["NJ-D01"], level=diamond, count=20)
    services.blanks_return(actor=province.user("nj_director"), from_unit=u["NJ"], level=diamond, count=80)
    assert (held(u["NJ-D01"], diamond), held(u["NJ"], diamond), held(u["JS"], diamond)) == (20, 900, 4080)


def test_stocktake_reports_differences_against_the_book(province, stock):
    u = province.units
    services.blanks_void(actor=province.user("js_club"), unit=u["NJ"], first="JS2026000001", last="JS2026000005", reason="损坏")

    take = services.stocktake_record(actor=province.user("nj_director"), unit=u["NJ"], note="季度盘点",
                                     counts={"DIAMOND": 990, "EMERALD": 0, "SAPPHIRE": None})

    lines = {line.level.code: (line.counted, line.book, line.difference) for line in take.lines.all()}
    assert lines == {"DIAMOND": (990, 995, -5), "EMERALD": (0, 0, 0)}
    assert (take.difference, take.lines_off) == (-5, 1)
    assert list(Stocktake.objects.filter(lines_off__gt=0)) == [take]
    assert held(u["NJ"], stock.levels["DIAMOND"]) == 995  # a stocktake changes no stock


@pytest.mark.parametrize("counts", [{"DIAMOND": -1}, {}, {"DIAMOND": None}, {"GOLD": 3}, {"DIAMOND": "many"}])
def test_stocktake_refuses_bad_counts(province, stock, counts):
    with pytest.raises(InvalidInput):
        services.stocktake_record(actor=province.user("nj_director"), unit=province.units["NJ"], counts=counts)
    assert not Stocktake.objects.exists()


def test_stocktake_is_scoped(province, stock):
    with pytest.raises(Http404):
        services.stocktake_record(actor=province.user("sz_director"), unit=province.units["NJ"], counts={"DIAMOND": 1})
    with pytest.raises(PermissionDenied):
        services.stocktake_record(actor=province.user("nj_manager1"), unit=province.units["NJ"], counts={"DIAMOND": 1})


def test_status_query_and_correction(province, stock):
    user, u = province.user("js_club"), province.units
    serials = services.parse_range("JS2026000995", "JS2026001004")

    segments, unknown = selectors.blank_status(user, serials)
    assert [(s.org_unit.code, s.state) for s in segments] == [("NJ", "in_stock"), ("JS", "in_stock")] and unknown == 0
    sz_view = selectors.blank_status(province.user("sz_director"), serials)
    assert sz_view == ([], 10)

    with pytest.raises(BlanksNotHeld):  # the range spans two units
        services.blanks_correct(actor=user, first="JS2026000995", last="JS2026001004", state="lost", reason="盘亏")
    with pytest.raises(InvalidInput):
        services.blanks_correct(actor=user, first="JS2026000995", state="lost", reason=" ")
    with pytest.raises(InvalidInput):
        services.blanks_correct(actor=user, first="JS2026000995", state="used", reason="x")
    lost = services.blanks_correct(actor=user, first="JS2026000991", last="JS2026001000", state="lost", reason="盘亏")
    assert [(m.quantity, m.state_from, m.state_to) for m in lost] == [(-10, "in_stock", "lost")]
    with pytest.raises(Conflict):
        services.blanks_correct(actor=user, first="JS2026000991", state="lost", reason="again")
    found = services.blanks_correct(actor=user, first="JS2026000996", last="JS2026000999", state="in_stock", reason="找到")
    assert [m.quantity for m in found] == [4]
    assert held(u["NJ"], stock.levels["DIAMOND"]) == 994
    with pytest.raises(PermissionDenied):
        services.blanks_correct(actor=province.user("sz_director"), first="JS2026000001", state="lost", reason="x")


def test_ledger_is_append_only(province, stock):
    line = BlankMove.objects.first()
    with pytest.raises(LedgerIsAppendOnly):
        BlankMove.objects.filter(pk=line.pk).update(quantity=1)
    with pytest.raises(LedgerIsAppendOnly):
        line.save()
    with pytest.raises(LedgerIsAppendOnly):
        line.delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("UPDATE cards_blankmove SET quantity = 0 WHERE id = %s", [line.pk])
    line.refresh_from_db()
    assert line.quantity != 0


def test_fifty_thousand_blanks_go_in_and_move_in_a_bounded_number_of_queries(province, club, django_assert_max_num_queries):
    user, u, diamond = province.user("js_club"), province.units, club.levels["DIAMOND"]

    with django_assert_max_num_queries(15):
        services.blanks_stock_in(actor=user, level=diamond, first="JS2027000001", last="JS2027050000")
    with django_assert_max_num_queries(25):
        services.blanks_distribute(actor=user, from_unit=u["JS"], to_unit=u["NJ"], level=diamond, count=30000)

    assert held(u["NJ"], diamond) == 30000 and held(u["JS"], diamond) == 20000
    assert BlankRange.objects.count() == 2
