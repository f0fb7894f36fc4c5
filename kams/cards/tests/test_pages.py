"""The card and card-stock pages render for the right roles, keep to scope, export to Excel
and reach the services."""

import io

import pytest
from openpyxl import load_workbook

from kams.cards import services
from kams.cards.models import BlankMove, BlankRange, Stocktake
from kams.club.enums import CardState
from kams.club.models import Card
from kams.club.testing import make_member

CARD_PAGES = ["/club/cards/", "/club/cards/apply/"]
STOCK_PAGES = [
    "/club/cards/stock/", "/club/cards/stock/ranges/", "/club/cards/stock/moves/", "/club/cards/stock/stocktakes/",
    "/club/cards/stock/status/", "/club/cards/stock/status/?serial=JS2026000001&last=JS2026000010",
]
LEAD_PAGES = ["/club/cards/stock/distribute/", "/club/cards/stock/transfer/", "/club/cards/stock/return/",
              "/club/cards/stock/stocktakes/new/"]
ADMIN_PAGES = ["/club/cards/stock/in/", "/club/cards/stock/void/", "/club/cards/stock/correct/"]


@pytest.fixture
def world(province, customers, stock):
    services.stocktake_record(actor=province.user("nj_director"), unit=province.units["NJ"], counts={"DIAMOND": 999})
    member = make_member(province, customers["nj_m1"], level="EMERALD", name="王芳", card=False)
    from kams.club import members

    return {"applied": members.card_apply(actor=province.user("js_club"), member=member)}


@pytest.mark.parametrize("username,card_pages,stock_pages,lead_pages,admin_pages", [
    ("js_club", 200, 200, 200, 200),
    ("js_director", 200, 200, 200, 403),
    ("nj_director", 403, 200, 200, 403),  # directors apply for no cards (no club.add_card)
    ("nj_manager1", 200, 403, 403, 403),
])
def test_pages_render_for_the_roles(world, page_client_for, username, card_pages, stock_pages, lead_pages, admin_pages):
    client = page_client_for(username)
    assert client.get("/club/cards/").status_code == 200
    assert client.get("/club/cards/apply/").status_code == card_pages
    for urls, expected in ((STOCK_PAGES, stock_pages), (LEAD_PAGES, lead_pages), (ADMIN_PAGES, admin_pages)):
        for url in urls:
            assert client.get(url).status_code == expected, (username, url)


def test_menu_shows_the_card_pages(world, page_client_for):
    club = page_client_for("js_club").get("/").content.decode()
    assert "/club/cards/" in club and "/club/cards/stock/" in club and "/club/cards/stock/moves/" in club
    manager = page_client_for("nj_manager1").get("/").content.decode()
    assert "/club/cards/" in manager and "/club/cards/stock/" not in manager


def test_card_list_is_scoped_and_filters(world, page_client_for, stock):
    manager = page_client_for("nj_manager1").get("/club/cards/").content.decode()
    assert stock.card_no("diamond") in manager and stock.card_no("emerald") not in manager
    page = page_client_for("js_club").get("/club/cards/", {"state": "applied"}).content.decode()
    assert world["applied"].card_no in page and stock.card_no("diamond") not in page


@pytest.mark.parametrize("url", [
    "/club/cards/", "/club/cards/stock/", "/club/cards/stock/ranges/", "/club/cards/stock/moves/",
    "/club/cards/stock/stocktakes/",
])
def test_excel_exports(world, page_client_for, url):
    response = page_client_for("js_club").get(url, {"export": "xlsx"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.max_row >= 2


def test_card_detail_shows_the_moves_open_and_the_history(world, page_client_for, stock):
    client = page_client_for("js_club")
    applied = client.get(f"/club/cards/{world['applied'].pk}/").content.decode()
    assert 'id="move-issue"' in applied and 'id="move-cancel"' in applied and 'id="move-collect"' not in applied
    collected = client.get(f"/club/cards/{stock.cards['diamond'].pk}/").content.decode()
    assert 'id="move-report_lost"' in collected and 'id="move-issue"' not in collected
    assert "club.card_collect" in collected  # the history
    assert page_client_for("sz_manager1").get(f"/club/cards/{stock.cards['diamond'].pk}/").status_code == 404
    assert 'id="move-' not in page_client_for("nj_manager1").get(f"/club/cards/{stock.cards['diamond'].pk}/").content.decode()


def test_issue_page_takes_a_blank_from_the_chosen_stock(world, page_client_for, province, stock):
    client = page_client_for("js_club")
    card = world["applied"]
    form = client.get(f"/club/cards/{card.pk}/issue/").content.decode()
    assert f'<option value="{province.units["NJ"].pk}" selected>' in form  # the member's city by default

    empty = client.post(f"/club/cards/{card.pk}/issue/", {"unit": province.units["NJ"].pk})  # no emerald blanks in Nanjing
    assert empty.status_code == 200 and 'id="form-errors"' in empty.content.decode()
    card.refresh_from_db()
    assert card.state == CardState.APPLIED

    response = client.post(f"/club/cards/{card.pk}/issue/", {"unit": province.units["JS"].pk, "serial": "JE2026000007"})
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.state == CardState.ISSUED and card.blank_serial == "JE2026000007"
    assert client.post(f"/club/cards/{card.pk}/collect/").status_code == 302
    assert client.post(f"/club/cards/{card.pk}/report_lost/", {"reason": "丢失"}).status_code == 302
    response = client.post(f"/club/cards/{card.pk}/replace/", {"unit": province.units["JS"].pk, "reason": "补卡"})
    new = Card.objects.get(replaces=card)
    assert response.status_code == 302 and response["Location"] == f"/club/cards/{new.pk}/"
    assert new.blank_serial == "JE2026000001"
    assert client.get(f"/club/cards/{card.pk}/fly/").status_code == 404


def test_apply_page(world, page_client_for, province, customers):
    member = make_member(province, customers["nj_m1"], level="SAPPHIRE", name="赵磊", card=False)
    client = page_client_for("nj_manager1")
    response = client.post("/club/cards/apply/", {"member": member.member_no})
    card = Card.objects.get(member=member)
    assert response.status_code == 302 and card.state == CardState.APPLIED
    other = make_member(province, customers["sz"], level="SAPPHIRE", name="孙丽", card=False)
    refused = client.post("/club/cards/apply/", {"member": other.member_no})
    assert refused.status_code == 200 and not Card.objects.filter(member=other).exists()


def test_stock_forms_reach_the_services(world, page_client_for, province, stock):
    client, u = page_client_for("js_club"), province.units
    response = client.post("/club/cards/stock/in/", {"level": stock.levels["DIAMOND"].pk, "first": "JS2026005001",
                                                    "last": "JS2026006000", "note": "二批"})
    assert response.status_code == 302 and "operation=" in response["Location"]
    assert services.in_stock_by_level(u["JS"])[stock.levels["DIAMOND"].pk] == 5000

    before = BlankMove.objects.count()
    refused = client.post("/club/cards/stock/distribute/", {"from_unit": u["NJ"].pk, "to_unit": u["NJ-D01"].pk,
                                                            "first": "JS2026004000"})
    assert refused.status_code == 200 and 'id="form-errors"' in refused.content.decode()
    assert BlankMove.objects.count() == before

    done = client.post("/club/cards/stock/distribute/", {"from_unit": u["JS"].pk, "to_unit": u["SZ"].pk,
                                                         "level": stock.levels["EMERALD"].pk, "count": 40})
    assert done.status_code == 302
    assert client.post("/club/cards/stock/transfer/", {"from_unit": u["SZ"].pk, "to_unit": u["NJ"].pk,
                                                       "first": "JE2026000001", "last": "JE2026000010"}).status_code == 302
    assert client.post("/club/cards/stock/return/", {"from_unit": u["NJ"].pk, "first": "JE2026000001"}).status_code == 302
    assert client.post("/club/cards/stock/void/", {"unit": u["NJ"].pk, "first": "JE2026000002", "reason": "损坏"}).status_code == 302
    assert client.post("/club/cards/stock/correct/", {"first": "JE2026000002", "state": "lost", "reason": "找不到"}).status_code == 302
    assert BlankRange.objects.get(first=2026000002, prefix="JE").state == "lost"
    response = client.post("/club/cards/stock/stocktakes/new/", {"unit": u["SZ"].pk, "counted_on": "2026-11-30",
                                                                 "count_EMERALD": "25"})
    take = Stocktake.objects.get(org_unit=u["SZ"])
    assert response.status_code == 302 and take.difference == -5
    detail = client.get(f"/club/cards/stock/stocktakes/{take.pk}/").content.decode()
    assert 'id="stocktake-difference">-5' in detail
    assert page_client_for("nj_director").get(f"/club/cards/stock/stocktakes/{take.pk}/").status_code == 404


def test_stock_page_tables_and_chart_are_scoped(world, page_client_for, province):
    club = page_client_for("js_club").get("/club/cards/stock/")
    assert "江苏省公司" in club.content.decode() and "南京分公司" in club.content.decode()
    chart = club.context["chart"]
    assert chart["units"][:2] == ["江苏省公司", "南京分公司"]
    assert chart["series"][0]["data"][:2] == [4000, 1000]
    sz = page_client_for("sz_director").get("/club/cards/stock/").content.decode()
    assert "南京分公司" not in sz
    status = page_client_for("js_club").get("/club/cards/stock/status/", {"serial": "JS2026000999", "last": "JS2026001002"})
    assert "南京分公司" in status.content.decode() and "江苏省公司" in status.content.decode()
    unknown = page_client_for("sz_director").get("/club/cards/stock/status/", {"serial": "JS2026000999"})
    assert 'id="status-unknown"' in unknown.content.decode()
