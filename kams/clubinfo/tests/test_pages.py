"""The pages render for the roles that use them, keep to scope and permission, export to
Excel, and their forms reach the services."""

import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from kams.care.models import GiftStock
from kams.club.models import PointsAccount
from kams.clubinfo import services
from kams.clubinfo.models import Activity, ActivityRegistration, Announcement, Evaluation, MemberGift
from kams.clubinfo.testing import make_activity

LISTS = [
    "/club/info/standards/", "/club/info/services/", "/club/info/outlets/", "/club/info/activities/",
    "/club/info/activities/registrations/", "/club/info/consultations/", "/club/info/care/", "/club/info/gifts/",
    "/club/info/evaluation/indicators/", "/club/info/announcements/",
]
OTHER_PAGES = ["/club/info/evaluation/", "/club/info/board/"]
WORK_FORMS = ["/club/info/consultations/new/", "/club/info/care/new/", "/club/info/gifts/new/"]
ADMIN_FORMS = [
    "/club/info/standards/new/", "/club/info/services/new/", "/club/info/outlets/new/", "/club/info/activities/new/",
    "/club/info/evaluation/run/", "/club/info/evaluation/indicators/new/", "/club/info/announcements/new/",
]


@pytest.fixture
def world(province, info, cake):
    club = province.user("js_club")
    standard = services.standard_save(actor=club, level=info.levels["DIAMOND"], item="机场贵宾厅", content="每年 6 次")
    content = services.service_content_save(actor=club, code="lounge", name="机场贵宾厅", kind="lounge", levels=["DIAMOND"])
    outlet = services.outlet_save(actor=club, name="新街口俱乐部服务中心", city=province.units["NJ"], address="中山路 1 号",
                                  services=[content])
    nanjing = make_activity(province, unit="NJ", name="南京读书沙龙")
    suzhou = make_activity(province, unit="SZ", name="苏州园林雅集")
    registration = services.activity_register(actor=club, activity=nanjing, member=info.members["diamond"])
    services.member_consultation_record(actor=club, member=info.members["diamond"], channel="10018", question="贵宾厅怎么预约？")
    services.member_care_record(actor=club, member=info.members["diamond"], occasion="birthday", content="生日问候")
    services.member_gift_issue(actor=club, member=info.members["diamond"], gift=cake, quantity=1, occasion="生日")
    notice = services.announcement_save(actor=club, title="南京：周例会", body="周一 9 点", audience="staff",
                                        org_unit=province.units["NJ"], publish_at=timezone.now() - datetime.timedelta(hours=1))
    today = timezone.localdate()
    evaluations = services.evaluation_run(actor=club, period_start=today - datetime.timedelta(days=30), period_end=today)
    return {"standard": standard, "content": content, "outlet": outlet, "nanjing": nanjing, "suzhou": suzhou,
            "registration": registration, "notice": notice, "evaluations": evaluations}


@pytest.mark.parametrize("username", ["js_club", "js_director", "nj_director", "nj_manager1"])
def test_pages_render_for_the_roles_that_use_them(world, page_client_for, username):
    client = page_client_for(username)
    admin = username in ("js_club", "js_director")
    for url in LISTS + OTHER_PAGES + WORK_FORMS:
        response = client.get(url)
        assert response.status_code == 200, (username, url, response.status_code)
    for url in ADMIN_FORMS:
        assert client.get(url).status_code == (200 if admin else 403), (username, url)
    detail = client.get(f"/club/info/activities/{world['nanjing'].pk}/")
    assert detail.status_code == 200 and "南京读书沙龙" in detail.content.decode()
    assert client.get(f"/club/info/activities/{world['nanjing'].pk}/register/").status_code == 200
    assert client.get(f"/club/info/announcements/{world['notice'].pk}/").status_code == 200
    assert client.get(f"/club/info/activities/{world['nanjing'].pk}/edit/").status_code == (200 if admin else 403)


def test_menu_lists_the_club_pages(world, page_client_for):
    home = page_client_for("nj_manager1").get("/").content.decode()
    for url in ("/club/info/activities/", "/club/info/board/", "/club/info/evaluation/", "/club/info/consultations/"):
        assert url in home


def test_pages_refuse_people_without_the_permission(world, page_client_for):
    client = page_client_for("norole")
    for url in LISTS + OTHER_PAGES + WORK_FORMS:
        assert client.get(url).status_code == 403, url


def test_pages_keep_to_scope(world, page_client_for):
    sz = page_client_for("sz_manager1")
    assert sz.get(f"/club/info/activities/{world['nanjing'].pk}/").status_code == 404
    assert sz.get(f"/club/info/activities/{world['nanjing'].pk}/register/").status_code == 404
    assert sz.get(f"/club/info/announcements/{world['notice'].pk}/").status_code == 404
    assert sz.get(f"/club/info/registrations/{world['registration'].pk}/feedback/").status_code == 404
    listing = sz.get("/club/info/activities/").content.decode()
    assert "苏州园林雅集" in listing and "南京读书沙龙" not in listing
    assert "南京：周例会" not in sz.get("/club/info/board/").content.decode()
    assert "南京：周例会" in page_client_for("nj_manager1").get("/club/info/board/").content.decode()
    consultations = sz.get("/club/info/consultations/").content.decode()
    assert "贵宾厅怎么预约" not in consultations


def test_lists_export_to_excel(world, page_client_for):
    client = page_client_for("js_club")
    for url, expected in (("/club/info/activities/", "南京读书沙龙"), ("/club/info/outlets/", "新街口俱乐部服务中心"),
                          ("/club/info/gifts/", "生日蛋糕"), ("/club/info/evaluation/", "南京分公司"),
                          ("/club/info/activities/registrations/", "张丽")):
        response = client.get(url, {"export": "xlsx"})
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("application/vnd.openxmlformats"), url
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        cells = {str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None}
        assert expected in cells, (url, cells)


def test_activity_forms_register_confirm_attendance_and_close(world, page_client_for, info):
    client = page_client_for("js_club")
    activity = world["nanjing"]
    response = client.post(f"/club/info/activities/{activity.pk}/register/", {"member": "nobody"})
    assert response.status_code == 200 and "member" in response.content.decode()
    response = client.post(f"/club/info/activities/{activity.pk}/register/", {"member": info.cards["diamond"].card_no})
    assert response.status_code == 200  # already registered: the error is shown, nothing changes
    assert ActivityRegistration.objects.filter(activity=activity).count() == 1
    response = client.post(f"/club/info/activities/{activity.pk}/attendance/", {"members": [info.members["diamond"].pk]})
    assert response.status_code == 302
    assert PointsAccount.objects.get(member=info.members["diamond"]).balance == 100
    response = client.post(f"/club/info/registrations/{world['registration'].pk}/feedback/", {"score": "5", "comment": "好"})
    assert response.status_code == 302
    response = client.post(f"/club/info/activities/{activity.pk}/close/", {"cost": "1800", "summary": "圆满结束"})
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.state == "closed" and activity.cost == Decimal("1800")
    assert "圆满结束" in client.get(f"/club/info/activities/{activity.pk}/").content.decode()


def test_new_activity_and_open_through_the_pages(world, page_client_for, province):
    client = page_client_for("js_club")
    start = timezone.localtime() + datetime.timedelta(days=7)
    data = {"name": "亲子运动会", "kind": "family", "org_unit": province.units["SZ"].pk, "place": "苏州奥体中心",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"), "ends_at": (start + datetime.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
            "capacity": "40", "points_reward": "200", "budget": "12000", "levels": [], "description": ""}
    response = client.post("/club/info/activities/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    activity = Activity.objects.get(name="亲子运动会")
    assert client.post(f"/club/info/activities/{activity.pk}/open/").status_code == 302
    activity.refresh_from_db()
    assert activity.state == "open"
    bad = client.post("/club/info/activities/new/", {**data, "name": "倒着的", "ends_at": data["starts_at"],
                                                    "starts_at": (start + datetime.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")})
    assert bad.status_code == 200 and not Activity.objects.filter(name="倒着的").exists()


def test_gift_form_refuses_beyond_stock_and_changes_nothing(world, page_client_for, info, cake, province):
    client = page_client_for("nj_director")
    response = client.post("/club/info/gifts/new/", {"member": info.members["diamond"].member_no, "gift": cake.pk,
                                                     "quantity": "5", "occasion": "节日", "stock_unit": province.units["NJ"].pk})
    assert response.status_code == 200 and "form-errors" in response.content.decode()
    assert GiftStock.objects.get(gift=cake, org_unit=province.units["NJ"]).quantity == 2
    response = client.post("/club/info/gifts/new/", {"member": info.members["diamond"].member_no, "gift": cake.pk,
                                                     "quantity": "2", "occasion": "节日", "stock_unit": province.units["NJ"].pk})
    assert response.status_code == 302
    assert MemberGift.objects.count() == 2
    assert GiftStock.objects.get(gift=cake, org_unit=province.units["NJ"]).quantity == 0


def test_announcement_and_evaluation_forms(world, page_client_for, province):
    client = page_client_for("js_director")
    response = client.post("/club/info/announcements/new/", {
        "title": "国庆服务安排", "audience": "members", "org_unit": "", "publish_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "expire_at": "", "body": "10 月 1 日至 7 日网点正常营业", "levels": []})
    assert response.status_code == 302
    announcement = Announcement.objects.get(title="国庆服务安排")
    assert announcement.org_unit is None and announcement.author == province.staff["js_director"]
    assert client.post(f"/club/info/announcements/{announcement.pk}/withdraw/", {"reason": "重复"}).status_code == 302
    announcement.refresh_from_db()
    assert announcement.withdrawn_at is not None

    evaluation = Evaluation.objects.get(org_unit=province.units["NJ"])
    from kams.clubinfo.models import EvaluationIndicator

    complaints = EvaluationIndicator.objects.get(code="complaints")
    response = client.post(f"/club/info/evaluation/{evaluation.pk}/value/", {"indicator": complaints.pk, "value": "0.5", "note": ""})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "evaluation-table" in page and "evaluation-chart" in page and "0.50" in page
