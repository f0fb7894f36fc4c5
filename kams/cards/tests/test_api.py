"""The card API under /api/v1/club/cards-admin/: scoping, card moves, stock operations."""


from kams.cards import services
from kams.cards.models import BlankMove, BlankRange, Stocktake
from kams.club.enums import CardState
from kams.club.models import Card
from kams.club.testing import make_member
from kams.org.testing import assert_scoped, result_rows

API = "/api/v1/club/cards-admin"


def test_cards_are_scoped(province, stock, api_client_for):
    assert_scoped(
        api_client_for, list_url=f"{API}/cards/", detail_url=lambda c: f"{API}/cards/{c.pk}/", objects=stock.cards,
        expected={
            "nj_manager1": {"diamond"}, "nj_manager2": set(), "sz_manager1": {"emerald"},
            "nj_director": {"diamond", "sapphire"},  # Nanjing, and the Zhenjiang district of the director's group
            "js_club": {"diamond", "emerald", "sapphire"},
        },
    )


def test_card_list_filters(province, stock, api_client_for):
    client = api_client_for("js_club")
    rows = result_rows(client.get(f"{API}/cards/", {"member": "周强"}))
    assert [r["card_no"] for r in rows] == [stock.card_no("emerald")]
    rows = result_rows(client.get(f"{API}/cards/", {"level": stock.levels["SAPPHIRE"].pk, "state": "collected"}))
    assert [r["member_name"] for r in rows] == ["钱进"]
    rows = result_rows(client.get(f"{API}/cards/", {"unit": province.units["SZ"].pk}))
    assert [r["member_name"] for r in rows] == ["周强"]
    rows = result_rows(client.get(f"{API}/cards/", {"card_no": stock.card_no("diamond")}))
    assert [r["member_name"] for r in rows] == ["张丽"]


def test_apply_issue_collect_lose_replace_through_the_api(province, customers, stock, api_client_for):
    member = make_member(province, customers["nj_m1"], level="DIAMOND", name="王芳", card=False)
    manager, club = api_client_for("nj_manager1"), api_client_for("js_club")

    applied = manager.post(f"{API}/cards/apply/", {"member_no": member.member_no, "note": "新入会"}, format="json")
    assert applied.status_code == 201, applied.content
    card_id = applied.json()["id"]
    assert manager.post(f"{API}/cards/{card_id}/issue/", {}, format="json").status_code == 403

    issued = club.post(f"{API}/cards/{card_id}/issue/", {"unit": province.units["NJ"].pk}, format="json")
    assert issued.status_code == 200 and issued.json()["state"] == "issued"
    assert issued.json()["blank_serial"] == "JS2026000001"
    assert club.post(f"{API}/cards/{card_id}/collect/").json()["state"] == "collected"
    assert club.post(f"{API}/cards/{card_id}/report_lost/", {"reason": "遗失"}, format="json").json()["state"] == "lost"
    refused = club.post(f"{API}/cards/{card_id}/collect/")
    assert refused.status_code == 409 and refused.json()["code"] == "club.card_transition"

    no_reason = club.post(f"{API}/cards/{card_id}/replace/", {"unit": province.units["NJ"].pk}, format="json")
    assert no_reason.status_code == 400 and Card.objects.get(pk=card_id).state == CardState.LOST
    new = club.post(f"{API}/cards/{card_id}/replace/", {"unit": province.units["NJ"].pk, "reason": "补办"}, format="json")
    assert new.status_code == 200 and new.json()["replaces"] == card_id and new.json()["blank_serial"] == "JS2026000002"
    assert services.in_stock_by_level(province.units["NJ"])[stock.levels["DIAMOND"].pk] == 998


def test_issue_without_stock_answers_409(province, customers, stock, api_client_for):
    member = make_member(province, customers["sz"], level="EMERALD", name="吴敏", card=False)
    client = api_client_for("js_club")
    card_id = client.post(f"{API}/cards/apply/", {"member": member.pk}, format="json").json()["id"]

    response = client.post(f"{API}/cards/{card_id}/issue/", {"unit": province.units["SZ"].pk}, format="json")

    assert response.status_code == 409 and response.json()["code"] == "cards.out_of_blanks"
    assert Card.objects.get(pk=card_id).state == CardState.APPLIED


def test_out_of_scope_card_or_unit_is_404(province, stock, api_client_for):
    client = api_client_for("sz_manager1")
    assert client.get(f"{API}/cards/{stock.cards['diamond'].pk}/").status_code == 404
    assert client.post(f"{API}/cards/{stock.cards['diamond'].pk}/report_lost/").status_code == 403  # no change_card
    assert client.post(f"{API}/cards/apply/", {"member": stock.members["diamond"].pk}, format="json").status_code == 404
    sz_director = api_client_for("sz_director")
    body = {"from_unit": province.units["NJ"].pk, "to_unit": province.units["SZ"].pk, "first": "JS2026000001"}
    assert sz_director.post(f"{API}/ranges/transfer/", body, format="json").status_code == 404
    assert BlankRange.objects.get(prefix="JS", first=2026000001).org_unit == province.units["NJ"]


def test_stock_operations_through_the_api(province, stock, api_client_for):
    client, u = api_client_for("js_club"), province.units

    created = client.post(f"{API}/ranges/stock-in/", {"level": "SAPPHIRE", "first": "JB2026005001", "last": "JB2026006000"},
                          format="json")
    assert created.status_code == 201 and created.json()[0]["quantity"] == 1000
    overlap = client.post(f"{API}/ranges/stock-in/", {"level": "SAPPHIRE", "first": "JB2026005500", "last": "JB2026007000"},
                          format="json")
    assert overlap.status_code == 409 and overlap.json()["code"] == "cards.range_overlaps"
    assert api_client_for("nj_director").post(f"{API}/ranges/stock-in/", {"level": "SAPPHIRE", "first": "JB1", "last": "JB2"},
                                              format="json").status_code == 403

    moved = client.post(f"{API}/ranges/distribute/", {"from_unit": u["JS"].pk, "to_unit": u["SZ"].pk, "level": "SAPPHIRE",
                                                      "count": 300}, format="json")
    assert moved.status_code == 201 and [m["quantity"] for m in moved.json()] == [-300, 300]
    bad = client.post(f"{API}/ranges/distribute/", {"from_unit": u["JS"].pk, "to_unit": u["SZ"].pk, "level": "SAPPHIRE",
                                                    "count": 0}, format="json")
    assert bad.status_code == 400
    back = client.post(f"{API}/ranges/return/", {"from_unit": u["SZ"].pk, "first": "JB2026000001", "last": "JB2026000100"},
                       format="json")
    assert back.status_code == 201 and back.json()[1]["org_unit"] == u["JS"].pk
    void = client.post(f"{API}/ranges/void/", {"unit": u["SZ"].pk, "first": "JB2026000101", "reason": "破损"}, format="json")
    assert void.status_code == 201 and void.json()[0]["state_to"] == "void"
    correct = client.post(f"{API}/ranges/correct/", {"first": "JB2026000101", "state": "in_stock", "reason": "误作废"},
                          format="json")
    assert correct.status_code == 201 and correct.json()[0]["quantity"] == 1

    status = client.get(f"{API}/ranges/status/", {"serial": "JB2026000100", "last": "JB2026000101"}).json()
    assert status["asked"] == 2 and status["not_found"] == 0
    assert {(r["org_unit"], r["state"]) for r in status["ranges"]} == {(u["JS"].pk, "in_stock"), (u["SZ"].pk, "in_stock")}
    assert client.get(f"{API}/ranges/status/", {"serial": "??"}).status_code == 400

    summary = {(r["org_unit"], r["state"]): r["n"] for r in client.get(f"{API}/ranges/summary/").json()
               if r["level"] == stock.levels["SAPPHIRE"].pk}
    assert summary == {(u["JS"].pk, "in_stock"): 5800, (u["SZ"].pk, "in_stock"): 200}


def test_stock_lists_are_scoped(province, stock, api_client_for):
    services.blanks_transfer(actor=province.user("js_club"), from_unit=province.units["NJ"], to_unit=province.units["SZ"],
                             first="JS2026000901", last="JS2026001000")
    sz = api_client_for("sz_director")
    ranges = result_rows(sz.get(f"{API}/ranges/", {"page_size": 500}))
    assert {r["org_unit"] for r in ranges} == {province.units["SZ"].pk}
    moves = result_rows(sz.get(f"{API}/moves/", {"page_size": 500}))
    assert moves and {m["org_unit"] for m in moves} == {province.units["SZ"].pk}
    nj_line = BlankMove.objects.filter(org_unit=province.units["NJ"]).first()
    assert sz.get(f"{API}/moves/{nj_line.pk}/").status_code == 404
    assert api_client_for("nj_manager1").get(f"{API}/ranges/").status_code == 403
    serial = result_rows(api_client_for("js_club").get(f"{API}/ranges/", {"serial": "JS2026000950"}))
    assert [(r["first_serial"], r["org_unit"]) for r in serial] == [("JS2026000901", province.units["SZ"].pk)]


def test_stocktake_through_the_api(province, stock, api_client_for):
    client = api_client_for("nj_director")
    body = {"unit": province.units["NJ"].pk, "counts": [{"level": "DIAMOND", "counted": 997}, {"level": "EMERALD", "counted": 2}],
            "note": "月末盘点"}

    response = client.post(f"{API}/stocktakes/", body, format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["difference"], data["lines_off"]) == (-1, 2)
    assert {line["level_code"]: line["difference"] for line in data["lines"]} == {"DIAMOND": -3, "EMERALD": 2}
    bad = client.post(f"{API}/stocktakes/", {**body, "counts": [{"level": "DIAMOND", "counted": -1}]}, format="json")
    assert bad.status_code == 400 and Stocktake.objects.count() == 1
    assert api_client_for("sz_director").post(f"{API}/stocktakes/", body, format="json").status_code == 404
    assert api_client_for("sz_director").get(f"{API}/stocktakes/{data['id']}/").status_code == 404
    assert api_client_for("nj_manager1").post(f"{API}/stocktakes/", body, format="json").status_code == 403
