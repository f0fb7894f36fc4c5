"""Pages of the points ledger and redemption: they render for the right people, export to
Excel, and their forms write through the services."""

import datetime

import pytest

from kams.club.enums import AdjustmentState
from kams.club.models import PointsAccount, PointsAdjustment, PointsRule, Redemption
from kams.club.testing import give_points

PAGES = [
    "/club/points/ledger/", "/club/points/adjustments/", "/club/points/rules/", "/club/points/runs/",
    "/club/redemption/desk/", "/club/redemption/list/", "/club/redemption/items/", "/club/redemption/channels/",
]


@pytest.mark.parametrize("url", PAGES)
def test_club_staff_see_every_page_and_can_export(page_client_for, club, fee10, url):
    give_points(club.members["diamond"], 3000)
    client = page_client_for("js_club")
    response = client.get(url)
    assert response.status_code == 200
    if "desk" not in url:
        export = client.get(url + "?export=xlsx")
        assert export.status_code == 200
        assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_people_without_the_permission_get_403(page_client_for, club):
    client = page_client_for("norole")
    for url in PAGES:
        assert client.get(url).status_code == 403, url


def test_the_ledger_list_is_scoped(page_client_for, club):
    give_points(club.members["diamond"], 100)
    give_points(club.members["emerald"], 200)
    nj = page_client_for("nj_manager1").get("/club/points/ledger/")
    body = nj.content.decode()
    assert club.members["diamond"].member_no in body and club.members["emerald"].member_no not in body


def test_the_desk_looks_up_a_card_and_redeems_once(page_client_for, club, fee10):
    member = club.members["diamond"]
    give_points(member, 3000)
    client = page_client_for("nj_manager1")
    card = club.card_no("diamond")
    page = client.get(f"/club/redemption/desk/?card_no={card}")
    assert page.status_code == 200 and "3000" in page.content.decode()
    key = page.context["form"]["idempotency_key"].value()
    form = {"card_no": card, "item": "FEE10", "quantity": "2", "location": "新街口营业厅", "idempotency_key": key}
    assert client.post("/club/redemption/desk/", form).status_code == 302
    assert client.post("/club/redemption/desk/", form).status_code == 302  # a double submit
    assert PointsAccount.objects.get(pk=member.pk).balance == 1000
    assert Redemption.objects.get().location == "新街口营业厅"
    # A Suzhou manager cannot find the Nanjing card.
    other = page_client_for("sz_manager1").get(f"/club/redemption/desk/?card_no={card}")
    assert other.context["not_found"] is True


def test_the_desk_shows_insufficient_points_and_deducts_nothing(page_client_for, club, fee10):
    give_points(club.members["diamond"], 500)
    client = page_client_for("nj_manager1")
    card = club.card_no("diamond")
    response = client.post("/club/redemption/desk/", {"card_no": card, "item": "FEE10", "quantity": "1",
                                                      "idempotency_key": "k"})
    assert response.status_code == 200
    errors = " ".join(response.context["form"].non_field_errors())
    assert "500" in errors and "1000" in errors
    assert "500" in response.content.decode()
    assert PointsAccount.objects.get(pk=club.members["diamond"].pk).balance == 500


def test_an_adjustment_is_requested_then_approved_by_another_person(page_client_for, club, province):
    member = club.members["diamond"]
    club_page = page_client_for("js_club")
    assert club_page.post("/club/points/adjustments/new/", {"member_no": member.member_no, "points": "300",
                                                            "reason": ""}).status_code == 200  # no reason: refused
    assert not PointsAdjustment.objects.exists()
    club_page.post("/club/points/adjustments/new/", {"member_no": member.member_no, "points": "300", "reason": "活动补录"})
    adjustment = PointsAdjustment.objects.get()
    assert PointsAccount.objects.get(pk=member.pk).balance == 0
    director = page_client_for("js_director")
    director.post(f"/club/points/adjustments/{adjustment.pk}/approve/")
    adjustment.refresh_from_db()
    assert adjustment.state == AdjustmentState.APPROVED and adjustment.decided_by.username == "js_director"
    assert PointsAccount.objects.get(pk=member.pk).balance == 300
    assert adjustment.entry.approver.username == "js_director" and adjustment.entry.actor.username == "js_club"


def test_a_rule_change_adds_a_version_and_keeps_the_old_one(page_client_for, club):
    rule = PointsRule.objects.get(code="PUNCTUAL")
    client = page_client_for("admin")
    start = datetime.date(2027, 1, 1)
    response = client.post(f"/club/points/rules/{rule.pk}/", {
        "name": rule.name, "amount": "80", "valid_from": start.isoformat(), "reason": "总部下发新标准"})
    assert response.status_code == 302
    versions = list(PointsRule.objects.filter(code="PUNCTUAL").order_by("version").values_list("version", "amount", "valid_to"))
    assert versions == [(1, 50, datetime.date(2026, 12, 31)), (2, 80, None)]
    # The province's club staff may not change headquarters' rules.
    assert page_client_for("js_club").post(f"/club/points/rules/{rule.pk}/", {
        "name": rule.name, "amount": "90", "valid_from": "2027-02-01", "reason": "x"}).status_code == 403


def test_the_run_page_queues_a_run(page_client_for, club):
    from kams.system.models import JobRun

    client = page_client_for("js_club")
    client.post("/club/points/runs/start/", {"period": "2026-10"})
    assert JobRun.objects.filter(name="club.points_run", params={"period": "2026-10"}).exists()
    client.post("/club/points/runs/start/", {"period": "bad"})
    assert JobRun.objects.filter(name="club.points_run").count() == 1
