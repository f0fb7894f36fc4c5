"""CLUB-01 … CLUB-04 over the API: members (scoped, masked), admission and review, data
changes, manual level changes, levels, level runs, inspections, dunning and members at risk."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from kams.audit.models import AuditEntry
from kams.club.enums import DunningState, LevelChangeKind, MemberStatus
from kams.club.models import ClubMember, MemberDunning, MemberLevelChange
from kams.club.testing import load_bills, october_bill
from kams.org.testing import assert_scoped, result_rows

BASE = "/api/v1/club"


@pytest.fixture
def billed(club, club_accounts):
    for period in ("2026-08", "2026-09", "2026-10"):
        load_bills(period, [
            october_bill("2501000001", "13951000001", mobile="1000", data="0", period=period,
                         paid="800" if period == "2026-10" else None),
            october_bill("2502000001", "13962000002", mobile="4000", data="0", period=period),
            october_bill("2503000001", "13952000003", mobile="350", data="0", period=period),
        ])
    return club


def test_members_are_scoped(club, api_client_for):
    assert_scoped(
        api_client_for,
        list_url=f"{BASE}/members/",
        detail_url=lambda m: f"{BASE}/members/{m.pk}/",
        objects=club.members,
        expected={
            "nj_manager1": {"diamond"},
            "sz_manager1": {"emerald"},
            "nj_director": {"diamond", "sapphire"},  # the Zhenjiang district is in his group
            "js_club": {"diamond", "emerald", "sapphire"},
        },
    )


def test_member_numbers_are_masked_unless_the_reader_may_see_personal_data(club, api_client_for):
    member = club.members["diamond"]
    own = api_client_for("nj_manager1").get(f"{BASE}/members/{member.pk}/").json()
    staff = api_client_for("js_club").get(f"{BASE}/members/{member.pk}/").json()

    assert (own["msisdn"], own["level_code"], own["customer_name"]) == ("13951000001", "DIAMOND", "南京银行股份有限公司")
    assert staff["msisdn"] == "139****0001" and staff["phone"] == "139****0001"


def test_member_list_filters(club, api_client_for):
    client = api_client_for("js_club")
    rows = result_rows(client.get(f"{BASE}/members/", {"level": club.levels["SAPPHIRE"].pk}))
    assert [r["member_no"] for r in rows] == [club.members["sapphire"].member_no]
    rows = result_rows(client.get(f"{BASE}/members/", {"customer": "苏州"}))
    assert [r["member_no"] for r in rows] == [club.members["emerald"].member_no]
    rows = result_rows(client.get(f"{BASE}/members/", {"account_manager": club.members["emerald"].customer.account_manager_id}))
    assert [r["member_no"] for r in rows] == [club.members["emerald"].member_no]


def test_create_review_approve_and_reject(province, club, customers, api_client_for):
    staff = api_client_for("js_club")
    created = staff.post(f"{BASE}/members/", {
        "customer": customers["nj_m2"].pk, "name": "李申请", "level": club.levels["EMERALD"].pk,
        "msisdn": "13951000088", "preferences": {"hobbies": "书法", "care_wishes": ""},
    }, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == MemberStatus.APPLIED and body["preferences"] == {"hobbies": "书法"}

    review = staff.get(f"{BASE}/members/review/").json()
    applicant = next(r for r in review["results"] if r["id"] == body["id"])
    assert applicant["figures"]["meets_paid"] is False  # no bills yet

    assert staff.post(f"{BASE}/members/{body['id']}/reject/", {"reason": ""}, format="json").status_code == 400
    approved = staff.post(f"{BASE}/members/{body['id']}/approve/", {"level": club.levels["SAPPHIRE"].pk}, format="json")
    assert approved.status_code == 200
    assert (approved.json()["status"], approved.json()["level_code"]) == (MemberStatus.ACTIVE, "SAPPHIRE")
    again = staff.post(f"{BASE}/members/{body['id']}/approve/", {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "club.not_applied"


def test_account_manager_may_change_data_but_not_review_or_admit(province, club, customers, api_client_for):
    member = club.members["diamond"]
    manager = api_client_for("nj_manager1")
    changed = manager.patch(f"{BASE}/members/{member.pk}/", {"email": "new@example.com", "reason": "客户要求",
                                                              "preferences": {"contact_time": "周末"}}, format="json")
    assert changed.status_code == 200
    assert changed.json()["email"] == "new@example.com" and changed.json()["preferences"]["contact_time"] == "周末"
    assert AuditEntry.objects.get(action="club.member_update").reason == "客户要求"

    assert manager.patch(f"{BASE}/members/{member.pk}/", {"email": "bad"}, format="json").status_code == 400
    assert manager.post(f"{BASE}/members/", {"customer": customers["nj_m1"].pk, "name": "x",
                                             "level": club.levels["SAPPHIRE"].pk}, format="json").status_code == 403
    assert manager.post(f"{BASE}/members/{member.pk}/change-level/",
                        {"level": club.levels["SAPPHIRE"].pk, "reason": "x"}, format="json").status_code == 403
    assert api_client_for("sz_manager1").patch(f"{BASE}/members/{member.pk}/", {"email": "a@b.cn"},
                                               format="json").status_code == 404


def test_manual_level_change_over_the_api(province, club, api_client_for):
    member = club.members["emerald"]
    staff = api_client_for("js_club")
    missing = staff.post(f"{BASE}/members/{member.pk}/change-level/", {"level": club.levels["DIAMOND"].pk}, format="json")
    assert missing.status_code == 400
    done = staff.post(f"{BASE}/members/{member.pk}/change-level/",
                      {"level": club.levels["DIAMOND"].pk, "reason": "重要客户特批"}, format="json")
    assert done.status_code == 200 and done.json()["level_code"] == "DIAMOND"
    changes = result_rows(staff.get(f"{BASE}/level-changes/", {"kind": "manual"}))
    assert [(c["member_no"], c["old_level_code"], c["new_level_code"]) for c in changes] == [
        (member.member_no, "EMERALD", "DIAMOND")]


def test_levels_list_and_patch(province, club, api_client_for):
    rows = result_rows(api_client_for("nj_manager1").get(f"{BASE}/levels/"))
    assert [r["code"] for r in rows] == ["DIAMOND", "EMERALD", "SAPPHIRE"]
    level = club.levels["EMERALD"]
    assert api_client_for("nj_manager1").patch(f"{BASE}/levels/{level.pk}/", {"card_fee": "10"},
                                               format="json").status_code == 403
    staff = api_client_for("js_club")
    bad = staff.patch(f"{BASE}/levels/{level.pk}/", {"keep_monthly_paid": "5000"}, format="json")
    assert bad.status_code == 400
    done = staff.patch(f"{BASE}/levels/{level.pk}/", {"min_tenure_months": 6, "reason": "放宽"}, format="json")
    assert done.status_code == 200 and done.json()["min_tenure_months"] == 6
    level.refresh_from_db()
    assert (level.min_tenure_months, level.keep_monthly_paid) == (6, Decimal("800.00"))


def test_level_run_over_the_api_is_idempotent(province, billed, api_client_for):
    staff = api_client_for("js_club")
    first = staff.post(f"{BASE}/level-runs/", {"period": "2026-10"}, format="json")
    assert first.status_code == 201, first.content
    assert (first.json()["upgrades"], first.json()["downgrades"]) == (1, 1)
    second = staff.post(f"{BASE}/level-runs/", {"period": "2026-10"}, format="json")
    assert second.json()["runs"] == 2 and MemberLevelChange.objects.filter(kind=LevelChangeKind.AUTO).count() == 2
    assert [r["period"] for r in result_rows(staff.get(f"{BASE}/level-runs/"))] == ["2026-10-01"]
    assert staff.post(f"{BASE}/level-runs/", {"period": "2026-1x"}, format="json").status_code == 400
    assert staff.post(f"{BASE}/level-runs/", {"period": "2025-01"}, format="json").status_code == 409
    assert api_client_for("nj_manager1").post(f"{BASE}/level-runs/", {"period": "2026-10"}, format="json").status_code == 403
    changes = result_rows(api_client_for("nj_manager1").get(f"{BASE}/level-changes/", {"kind": "auto", "period": "2026-10"}))
    assert [c["member_no"] for c in changes] == [billed.members["diamond"].member_no]  # own customers only


def test_inspection_over_the_api(province, billed, api_client_for):
    ClubMember.objects.update(joined_on=datetime.date(2019, 1, 1))
    assert api_client_for("nj_manager1").post(f"{BASE}/inspections/", {}, format="json").status_code == 403
    run = api_client_for("js_club").post(f"{BASE}/inspections/", {}, format="json")
    assert run.status_code == 201
    assert (run.json()["evaluated"], run.json()["kept"], run.json()["suspended"]) == (3, 3, 0)
    assert ClubMember.objects.filter(inspected_on=timezone.localdate()).count() == 3


def test_dunning_over_the_api(province, billed, api_client_for):
    diamond = billed.members["diamond"]
    staff = api_client_for("js_club")
    arrears = result_rows(staff.get(f"{BASE}/members/arrears/"))
    assert [(r["member_no"], r["arrears"], r["months_owed"]) for r in arrears] == [(diamond.member_no, "200.00", 1)]

    nothing_owed = staff.post(f"{BASE}/dunnings/", {"member": billed.members["emerald"].pk}, format="json")
    assert nothing_owed.status_code == 409 and not MemberDunning.objects.exists()
    marked = staff.post(f"{BASE}/dunnings/", {"member": diamond.pk, "note": "核实后催缴"}, format="json")
    assert marked.status_code == 201 and marked.json()["state"] == DunningState.MARKED
    assert staff.post(f"{BASE}/dunnings/", {"member": diamond.pk}, format="json").status_code == 409

    pk = marked.json()["id"]
    manager = api_client_for("nj_manager1")
    assert manager.post(f"{BASE}/dunnings/", {"member": diamond.pk}, format="json").status_code == 403
    refused = manager.post(f"{BASE}/dunnings/{pk}/handle/", {"result": "refused"}, format="json")
    assert refused.status_code == 400  # a refusal needs a note
    done = manager.post(f"{BASE}/dunnings/{pk}/handle/", {"result": "paid", "note": "已到营业厅缴清"}, format="json")
    assert done.status_code == 200 and done.json()["state"] == DunningState.HANDLED
    assert api_client_for("sz_manager1").get(f"{BASE}/dunnings/{pk}/").status_code == 404


def test_members_at_risk_over_the_api(province, billed, api_client_for):
    from kams.club.levels import levels_evaluate

    levels_evaluate(actor=None, period="2026-10")
    rows = result_rows(api_client_for("js_club").get(f"{BASE}/members/at-risk/"))
    assert [(r["member_no"], sorted(r["risks"])) for r in rows] == [
        (billed.members["diamond"].member_no, ["arrears", "downgraded"])]
    only = result_rows(api_client_for("js_club").get(f"{BASE}/members/at-risk/", {"reason": "risk_bill_drop"}))
    assert only == []
    assert result_rows(api_client_for("sz_manager1").get(f"{BASE}/members/at-risk/")) == []
    assert api_client_for("norole").get(f"{BASE}/members/at-risk/").status_code == 403
