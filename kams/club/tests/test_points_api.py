"""The staff API of the ledger: entries, adjustments, rules, catalogue, runs, channels."""

from kams.club.enums import AdjustmentState
from kams.club.models import PointsAccount, PointsAdjustment, PointsRule, RedemptionChannel
from kams.club.testing import give_points


def test_entries_are_read_only_and_scoped(club, api_client_for):
    give_points(club.members["diamond"], 100)
    give_points(club.members["emerald"], 100)
    nj = api_client_for("nj_manager1")
    assert nj.get("/api/v1/club/entries/").json()["count"] == 1
    assert api_client_for("js_club").get("/api/v1/club/entries/").json()["count"] == 2
    entry = nj.get("/api/v1/club/entries/").json()["results"][0]
    assert nj.delete(f"/api/v1/club/entries/{entry['id']}/").status_code == 405


def test_an_adjustment_through_the_api_needs_another_approver(club, api_client_for):
    member = club.members["diamond"]
    staff = api_client_for("js_club")
    bad = staff.post("/api/v1/club/adjustments/", {"member": member.pk, "points": 500, "reason": ""}, format="json")
    assert bad.status_code == 400 and not PointsAdjustment.objects.exists()
    made = staff.post("/api/v1/club/adjustments/", {"member": member.pk, "points": 500, "reason": "活动补录"}, format="json")
    assert made.status_code == 201
    pk = made.json()["id"]
    assert staff.post(f"/api/v1/club/adjustments/{pk}/decide/", {"approve": True}, format="json").status_code == 403
    done = api_client_for("js_director").post(f"/api/v1/club/adjustments/{pk}/decide/", {"approve": True}, format="json")
    assert done.status_code == 200 and done.json()["state"] == AdjustmentState.APPROVED
    assert PointsAccount.objects.get(pk=member.pk).balance == 500


def test_rules_are_versioned_through_the_api(club, api_client_for):
    admin = api_client_for("admin")
    rule = PointsRule.objects.get(code="CONS-DATA")
    changed = admin.post(f"/api/v1/club/rules/{rule.pk}/change/", {"valid_from": "2027-01-01", "rate": "2",
                                                                      "reason": "数据业务双倍积分"}, format="json")
    assert changed.status_code == 201 and changed.json()["version"] == 2
    bad = admin.post("/api/v1/club/rules/", {"code": "X", "name": "x", "category": "late_penalty", "rate": "1.5",
                                             "valid_from": "2027-01-01", "issuer": "province"}, format="json")
    assert bad.status_code in (400, 409)
    assert PointsRule.objects.filter(code="CONS-DATA").count() == 2


def test_channels_get_a_token_once_and_runs_are_queued(club, api_client_for, province):
    staff = api_client_for("js_club")
    made = staff.post("/api/v1/club/channels/", {"code": "POS-SZ-1", "name": "苏州 POS", "kind": "pos",
                                                 "org_unit": province.units["SZ"].pk}, format="json")
    assert made.status_code == 201 and len(made.json()["token"]) > 20
    channel = RedemptionChannel.objects.get(code="POS-SZ-1")
    assert made.json()["token"] not in channel.token_hash
    assert "token" not in staff.get(f"/api/v1/club/channels/{channel.pk}/").json()
    run = staff.post("/api/v1/club/runs/", {"period": "2026-10"}, format="json")
    assert run.status_code == 202
    assert staff.post("/api/v1/club/runs/", {"period": "2026-1"}, format="json").status_code == 400
