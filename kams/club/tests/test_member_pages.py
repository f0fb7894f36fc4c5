"""CLUB-01 … CLUB-04 pages: lists with filters and Excel, the member page with masking, admission
and data changes through forms, the review, runs, inspection, dunning and at-risk pages, scope."""

import datetime
import io

import pytest
from django.utils import timezone, translation
from openpyxl import load_workbook

from kams.audit.models import AuditEntry
from kams.club import levels
from kams.club.enums import DunningState, LevelChangeKind, MemberStatus
from kams.club.members import member_create
from kams.club.models import ClubLevel, ClubMember, MemberDunning, MemberLevelChange
from kams.club.testing import load_bills, october_bill

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _sheet(response):
    assert response["Content-Type"].startswith(XLSX)
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    return rows[0], rows[1:]


@pytest.fixture
def billed(club, club_accounts):
    """Aug–Oct: diamond pays 1000 with 200 unpaid in October (arrears), emerald 4000, sapphire 350."""
    for period in ("2026-08", "2026-09", "2026-10"):
        load_bills(period, [
            october_bill("2501000001", "13951000001", mobile="1000", data="0", period=period,
                         paid="800" if period == "2026-10" else None),
            october_bill("2502000001", "13962000002", mobile="4000", data="0", period=period),
            october_bill("2503000001", "13952000003", mobile="350", data="0", period=period),
        ])
    return club


def test_member_list_is_scoped_filtered_and_exported(club, page_client_for):
    manager = page_client_for("nj_manager1")
    page = manager.get("/club/members/")
    assert page.status_code == 200
    body = page.content.decode()
    assert club.members["diamond"].member_no in body and club.members["emerald"].member_no not in body

    staff = page_client_for("js_club")
    body = staff.get("/club/members/", {"level": club.levels["EMERALD"].pk}).content.decode()
    assert club.members["emerald"].member_no in body and club.members["diamond"].member_no not in body
    body = staff.get("/club/members/", {"q": "13951000001"}).content.decode()
    assert club.members["diamond"].member_no in body and club.members["sapphire"].member_no not in body
    body = staff.get("/club/members/", {"unit": club.members["emerald"].customer.org_unit_id}).content.decode()
    assert club.members["emerald"].member_no in body and club.members["diamond"].member_no not in body

    header, rows = _sheet(staff.get("/club/members/", {"export": "xlsx"}))
    assert "会员编号" in header or "Member number" in header
    assert sorted(r[0] for r in rows) == sorted(m.member_no for m in club.members.values())
    # Club staff may not see personal data: numbers are masked in the export too.
    assert "139****0001" in [cell for row in rows for cell in row]


def test_member_page_shows_data_history_and_masks_for_readers_without_personal_rights(province, club, page_client_for):
    member = club.members["diamond"]
    member.preferences = {"hobbies": "高尔夫", "contact_time": "工作日晚上", "care_wishes": "生日送花"}
    member.save()

    own = page_client_for("nj_manager1").get(f"/club/members/{member.pk}/")
    assert own.status_code == 200
    body = own.content.decode()
    assert "13951000001" in body and "高尔夫" in body and "工作日晚上" in body and "生日送花" in body
    assert club.cards["diamond"].card_no in body and 'id="level-history"' in body

    staff = page_client_for("js_club").get(f"/club/members/{member.pk}/").content.decode()
    assert "13951000001" not in staff and "139****0001" in staff

    assert page_client_for("sz_manager1").get(f"/club/members/{member.pk}/").status_code == 404
    assert page_client_for("norole").get(f"/club/members/{member.pk}/").status_code == 403


def test_members_are_admitted_through_the_form_and_reviewed(province, club, customers, page_client_for):
    client = page_client_for("js_club")
    assert client.get("/club/members/new/").status_code == 200
    response = client.post("/club/members/new/", {
        "customer": customers["nj_m2"].code, "name": "陈申请", "level": club.levels["SAPPHIRE"].pk, "msisdn": "13951000077",
        "statement_channel": "sms", "hobbies": "钓鱼",
    })
    assert response.status_code == 302
    member = ClubMember.objects.get(name="陈申请")
    assert member.status == MemberStatus.APPLIED and member.preferences == {"hobbies": "钓鱼"}

    review = client.get("/club/review/")
    assert review.status_code == 200 and member.member_no in review.content.decode()
    assert client.get("/club/review/", {"export": "xlsx"})["Content-Type"].startswith(XLSX)
    assert client.post(f"/club/members/{member.pk}/reject/", {"reason": ""}).status_code == 200  # reason required
    member.refresh_from_db()
    assert member.status == MemberStatus.APPLIED
    assert client.post(f"/club/members/{member.pk}/approve/", {"note": "符合条件"}).status_code == 302
    member.refresh_from_db()
    assert (member.status, member.joined_on) == (MemberStatus.ACTIVE, timezone.localdate())

    bad = client.post("/club/members/new/", {"customer": "NOPE", "name": "x", "level": club.levels["SAPPHIRE"].pk,
                                             "statement_channel": "sms"})
    assert bad.status_code == 200 and not ClubMember.objects.filter(name="x").exists()


def test_review_page_needs_the_reviewers_permission(club, page_client_for):
    assert page_client_for("nj_manager1").get("/club/review/").status_code == 403
    assert page_client_for("nj_manager1").get("/club/levels/runs/").status_code == 403


def test_member_data_is_changed_with_audit(province, club, page_client_for):
    member = club.members["diamond"]
    client = page_client_for("nj_manager1")
    assert client.get(f"/club/members/{member.pk}/edit/").status_code == 200
    response = client.post(f"/club/members/{member.pk}/edit/", {
        "name": "张丽", "msisdn": "13951000001", "phone": "13951000099", "email": "zl@example.com",
        "statement_channel": "email", "contact_time": "上午", "reason": "客户来电更新",
    })
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.phone, member.statement_channel, member.preferences["contact_time"]) == ("13951000099", "email", "上午")
    entry = AuditEntry.objects.get(action="club.member_update")
    assert entry.before["phone"] == "13951000001" and entry.after["phone"] == "13951000099"
    assert entry.reason == "客户来电更新"

    bad = client.post(f"/club/members/{member.pk}/edit/", {"name": "张丽", "email": "not-an-email", "statement_channel": "sms"})
    assert bad.status_code == 200
    member.refresh_from_db()
    assert member.email == "zl@example.com"
    assert page_client_for("sz_manager1").get(f"/club/members/{member.pk}/edit/").status_code == 404


def test_level_pages_and_level_edit(province, club, page_client_for):
    client = page_client_for("js_club")
    assert client.get("/club/levels/").status_code == 200
    rules = client.get("/club/levels/rules/")
    assert rules.status_code == 200 and "钻石卡" in rules.content.decode()
    level = club.levels["SAPPHIRE"]
    response = client.post(f"/club/levels/{level.pk}/edit/", {
        "name": "蓝宝卡", "roaming": "province", "min_monthly_paid": "350", "keep_monthly_paid": "280",
        "min_tenure_months": "6", "review_months": "3", "card_fee": "0", "is_active": "on", "reason": "调整标准",
    })
    assert response.status_code == 302
    level.refresh_from_db()
    assert str(level.min_monthly_paid) == "350.00"
    wrong = client.post(f"/club/levels/{level.pk}/edit/", {
        "name": "蓝宝卡", "roaming": "province", "min_monthly_paid": "350", "keep_monthly_paid": "400",
        "min_tenure_months": "6", "review_months": "3", "card_fee": "0", "is_active": "on",
    })
    assert wrong.status_code == 200
    level.refresh_from_db()
    assert str(level.keep_monthly_paid) == "280.00"
    assert page_client_for("nj_manager1").get(f"/club/levels/{level.pk}/edit/").status_code == 403


def test_level_run_page_runs_a_month_and_lists_its_changes(province, billed, page_client_for):
    client = page_client_for("js_club")
    assert client.get("/club/levels/runs/").status_code == 200
    response = client.post("/club/levels/runs/", {"period": "2026-10"})
    assert response.status_code == 302 and "kind=auto" in response["Location"]
    changes = client.get(response["Location"])
    body = changes.content.decode()
    assert billed.members["emerald"].member_no in body and billed.members["sapphire"].member_no not in body
    _header, rows = _sheet(client.get("/club/levels/changes/", {"kind": "auto", "period": "2026-10", "export": "xlsx"}))
    assert len(rows) == 2
    no_bills = client.post("/club/levels/runs/", {"period": "2026-01"})
    assert no_bills.status_code == 200 and MemberLevelChange.objects.filter(kind=LevelChangeKind.AUTO).count() == 2


def test_manual_level_change_page_needs_a_reason(province, club, page_client_for):
    member = club.members["diamond"]
    client = page_client_for("js_club")
    assert client.post(f"/club/members/{member.pk}/level/", {"level": club.levels["EMERALD"].pk, "reason": ""}).status_code == 200
    member.refresh_from_db()
    assert member.level.code == "DIAMOND"
    done = client.post(f"/club/members/{member.pk}/level/", {"level": club.levels["EMERALD"].pk, "reason": "特批降级"})
    assert done.status_code == 302
    member.refresh_from_db()
    assert member.level.code == "EMERALD"


def test_inspection_page_runs_and_lists_results(province, billed, page_client_for):
    ClubMember.objects.update(joined_on=datetime.date(2020, 1, 1))
    client = page_client_for("js_club")
    assert client.get("/club/inspections/").status_code == 200
    response = client.post("/club/inspections/")
    assert response.status_code == 302
    listing = client.get(response["Location"])
    assert listing.status_code == 200
    assert MemberLevelChange.objects.filter(kind=LevelChangeKind.INSPECTION).count() == 3
    assert page_client_for("nj_manager1").post("/club/inspections/").status_code == 403


def test_arrears_list_marks_and_dunning_is_handled(province, billed, page_client_for):
    staff = page_client_for("js_club")
    listing = staff.get("/club/arrears/")
    body = listing.content.decode()
    diamond = billed.members["diamond"]
    assert listing.status_code == 200 and diamond.member_no in body and billed.members["emerald"].member_no not in body
    header, rows = _sheet(staff.get("/club/arrears/", {"export": "xlsx"}))
    assert [r[0] for r in rows] == [diamond.member_no] and "200.00" in [str(c) for c in rows[0]]

    assert staff.post(f"/club/members/{diamond.pk}/dunning/", {"note": "请客户经理联系"}).status_code == 302
    record = MemberDunning.objects.get(member=diamond)
    assert (record.state, str(record.arrears), record.months) == (DunningState.MARKED, "200.00", 1)

    manager = page_client_for("nj_manager1")
    assert manager.get("/club/dunning/").status_code == 200
    assert manager.post(f"/club/dunning/{record.pk}/handle/", {"result": "promised"}).status_code == 200  # date needed
    promised = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
    assert manager.post(f"/club/dunning/{record.pk}/handle/", {"result": "promised", "promised_on": promised,
                                                               "note": "下周缴清"}).status_code == 302
    record.refresh_from_db()
    assert (record.state, record.result, record.handled_by) == (DunningState.HANDLED, "promised", province.user("nj_manager1"))
    assert page_client_for("sz_manager1").get(f"/club/dunning/{record.pk}/handle/").status_code == 404


def test_member_page_opens_the_arrears_process_case(province, billed, service_people, page_client_for):
    from kams.service.models import Case

    diamond = billed.members["diamond"]
    staff = page_client_for("js_club")
    page = staff.get(f"/club/members/{diamond.pk}/").content.decode()
    assert "/service/cases/new/?process=arrears" in page  # the service domain's own prefilled page
    staff.post(f"/club/members/{diamond.pk}/dunning/", {"note": "", "open_case": "on"})
    record = MemberDunning.objects.get(member=diamond)
    case = Case.objects.get(process_key="arrears", customer=diamond.customer)
    assert record.case == case and case.data["billed_amount"] == 200.0
    page = staff.get(f"/club/members/{diamond.pk}/").content.decode()
    assert case.number in page


def test_at_risk_page_gives_the_reasons(province, billed, page_client_for):
    levels.levels_evaluate(actor=None, period="2026-10")  # the diamond member (1000 a month) is downgraded
    client = page_client_for("nj_director")
    page = client.get("/club/at-risk/")
    assert page.status_code == 200
    header, rows = _sheet(client.get("/club/at-risk/", {"export": "xlsx"}))
    assert [r[0] for r in rows] == [billed.members["diamond"].member_no]
    assert page_client_for("sz_manager1").get("/club/at-risk/", {"export": "xlsx"}).status_code == 200
    _h, sz_rows = _sheet(page_client_for("sz_manager1").get("/club/at-risk/", {"export": "xlsx"}))
    assert sz_rows == []


def test_members_at_risk_selector_finds_each_reason(province, club, club_accounts):
    from kams.club.member_selectors import members_at_risk, risk_reasons

    rows = []
    for period, diamond, emerald in (("2026-07", 1000, 1000), ("2026-08", 1000, 1000), ("2026-09", 1000, 1000),
                                     ("2026-10", 1000, 600)):
        rows = [october_bill("2501000001", "13951000001", mobile=str(diamond), data="0", period=period),
                october_bill("2502000001", "13962000002", mobile=str(emerald), data="0", period=period),
                october_bill("2503000001", "13952000003", mobile="350", data="0", period=period)]
        load_bills(period, rows)
    sapphire = club.members["sapphire"]
    ClubMember.objects.filter(pk=sapphire.pk).update(status=MemberStatus.SUSPENDED)
    MemberLevelChange.objects.create(member=sapphire, kind=LevelChangeKind.INSPECTION, old_level=sapphire.level,
                                     new_level=sapphire.level, old_status="active", new_status="suspended")

    found = {m.pk: m for m in members_at_risk(province.user("js_director"))}
    assert set(found) == {club.members["emerald"].pk, sapphire.pk}
    assert found[club.members["emerald"].pk].risk_bill_drop  # 600 against 1000: down 40 %
    assert not found[club.members["emerald"].pk].risk_arrears
    with translation.override("en"):
        assert risk_reasons(found[sapphire.pk]) == ["Suspended by the annual inspection"]
    assert list(members_at_risk(province.user("nj_manager1"))) == []


def test_menu_shows_the_club_pages_by_permission(club, page_client_for):
    staff = page_client_for("js_club").get("/club/members/").content.decode()
    assert "/club/review/" in staff and "/club/inspections/" in staff and "/club/at-risk/" in staff
    manager = page_client_for("nj_manager1").get("/club/members/").content.decode()
    assert "/club/at-risk/" in manager and "/club/review/" not in manager


def test_every_page_renders_for_club_staff(province, billed, page_client_for):
    client = page_client_for("js_club")
    member = billed.members["diamond"]
    member_create(actor=province.user("js_club"), customer=member.customer, name="申请人",
                  level=ClubLevel.objects.get(code="SAPPHIRE"), admit=False)
    for url in ("/club/members/", "/club/members/new/", f"/club/members/{member.pk}/", f"/club/members/{member.pk}/edit/",
                f"/club/members/{member.pk}/level/", f"/club/members/{member.pk}/dunning/", "/club/review/",
                "/club/levels/", "/club/levels/rules/", f"/club/levels/{member.level_id}/edit/", "/club/levels/runs/",
                "/club/levels/changes/", "/club/inspections/", "/club/arrears/", "/club/dunning/", "/club/at-risk/"):
        assert client.get(url).status_code == 200, url
