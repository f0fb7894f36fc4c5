"""The REST API under /api/v1/club/info/: scope, permission, bad input and the writes."""

import datetime

import pytest
from django.utils import timezone

from kams.care.models import GiftStock
from kams.club.models import PointsEntry
from kams.clubinfo import services
from kams.clubinfo.models import Activity, Announcement, MemberConsultation, ServiceStandard
from kams.clubinfo.testing import make_activity
from kams.org.testing import assert_scoped, result_rows

BASE = "/api/v1/club/info"


def test_activities_are_scoped_and_read_down_from_the_province(province, info, api_client_for):
    objects = {
        "nj": make_activity(province, unit="NJ", name="南京"),
        "sz": make_activity(province, unit="SZ", name="苏州"),
        "js": make_activity(province, unit="JS", name="全省"),
    }
    assert_scoped(
        api_client_for, list_url=f"{BASE}/activities/", detail_url=lambda a: f"{BASE}/activities/{a.pk}/",
        objects=objects,
        expected={"nj_manager1": {"nj", "js"}, "sz_director": {"sz", "js"}, "js_club": {"nj", "sz", "js"},
                  "nj_district_manager": {"nj", "js"}},
    )
    assert api_client_for("norole").get(f"{BASE}/activities/").status_code == 403


def test_activity_lifecycle_through_the_api(province, info, api_client_for):
    club = api_client_for("js_club")
    now = timezone.now()
    payload = {"name": "会员健康讲座", "kind": "health", "org_unit": province.units["JS"].pk, "place": "省人民医院报告厅",
               "starts_at": (now - datetime.timedelta(hours=1)).isoformat(), "ends_at": (now + datetime.timedelta(hours=2)).isoformat(),
               "capacity": 2, "points_reward": 80, "budget": "3000.00", "levels": ["DIAMOND", "EMERALD"]}
    bad = club.post(f"{BASE}/activities/", {**payload, "capacity": 0}, format="json")
    assert bad.status_code == 400
    assert api_client_for("nj_director").post(f"{BASE}/activities/", payload, format="json").status_code == 403
    created = club.post(f"{BASE}/activities/", payload, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["state"] == "planned" and sorted(created.json()["levels"]) == ["DIAMOND", "EMERALD"]
    assert club.post(f"{BASE}/activities/{pk}/open/").json()["state"] == "open"

    manager = api_client_for("nj_manager1")
    registered = manager.post(f"{BASE}/activities/{pk}/register/", {"member": info.members["diamond"].pk}, format="json")
    assert registered.status_code == 201 and registered.json()["state"] == "registered"
    refused = club.post(f"{BASE}/activities/{pk}/register/", {"member": info.members["sapphire"].pk}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "clubinfo.not_invited"
    assert manager.post(f"{BASE}/activities/{pk}/register/", {"member": info.members["emerald"].pk},
                        format="json").status_code == 404  # not the manager's member

    for _ in range(2):
        attended = club.post(f"{BASE}/activities/{pk}/attendance/", {"members": [info.members["diamond"].pk]}, format="json")
        assert attended.status_code == 200
    assert PointsEntry.objects.filter(reference=f"activity:{pk}:{info.members['diamond'].pk}").count() == 1
    registration = registered.json()["id"]
    assert manager.post(f"{BASE}/registrations/{registration}/feedback/", {"score": 9}, format="json").status_code == 400
    assert manager.post(f"{BASE}/registrations/{registration}/feedback/", {"score": 4}, format="json").json()["feedback_score"] == 4
    figures = club.get(f"{BASE}/activities/{pk}/figures/").json()
    assert figures["attended"] == 1 and figures["points"] == 80 and figures["score"] == 4
    assert [r["member_no"] for r in result_rows(club.get(f"{BASE}/activities/{pk}/registrations/"))] == [info.members["diamond"].member_no]
    closed = club.post(f"{BASE}/activities/{pk}/close/", {"cost": "2800.00", "summary": "讲座顺利"}, format="json")
    assert closed.status_code == 200 and closed.json()["state"] == "closed"


def test_member_services_through_the_api(province, info, cake, api_client_for):
    manager = api_client_for("nj_manager1")
    consultation = manager.post(f"{BASE}/consultations/", {"member": info.members["diamond"].pk, "channel": "web",
                                                           "question": "怎么预约体检？"}, format="json")
    assert consultation.status_code == 201 and consultation.json()["channel"] == "web"
    answered = manager.post(f"{BASE}/consultations/{consultation.json()['id']}/answer/",
                            {"answer": "拨打 10018 预约", "satisfaction": "satisfied"}, format="json")
    assert answered.json()["satisfaction"] == "satisfied"
    assert manager.post(f"{BASE}/consultations/", {"member": info.members["diamond"].pk, "channel": "pigeon",
                                                   "question": "?"}, format="json").status_code == 400
    assert MemberConsultation.objects.count() == 1
    assert [r["id"] for r in result_rows(api_client_for("sz_manager1").get(f"{BASE}/consultations/"))] == []

    gift = manager.post(f"{BASE}/gifts/", {"member": info.members["diamond"].pk, "gift": cake.pk, "quantity": 2,
                                           "occasion": "生日", "stock_unit": province.units["NJ"].pk}, format="json")
    assert gift.status_code == 201
    too_many = manager.post(f"{BASE}/gifts/", {"member": info.members["diamond"].pk, "gift": cake.pk, "quantity": 2,
                                               "occasion": "节日", "stock_unit": province.units["NJ"].pk}, format="json")
    assert too_many.status_code == 409 and too_many.json()["code"] == "care.out_of_stock"
    assert GiftStock.objects.get(gift=cake, org_unit=province.units["NJ"]).quantity == 1
    care = manager.post(f"{BASE}/care/", {"member": info.members["diamond"].pk, "occasion": "festival",
                                          "content": "中秋送月饼"}, format="json")
    assert care.status_code == 201 and care.json()["gift"] is None


def test_service_information_through_the_api(province, info, api_client_for):
    club = api_client_for("js_club")
    created = club.post(f"{BASE}/standards/", {"level": "DIAMOND", "item": "专属客户经理", "content": "7×24 小时",
                                               "response_hours": 2}, format="json")
    assert created.status_code == 201
    duplicate = club.post(f"{BASE}/standards/", {"level": "DIAMOND", "item": "专属客户经理", "content": "x"}, format="json")
    assert duplicate.status_code == 400 and ServiceStandard.objects.count() == 1
    changed = club.patch(f"{BASE}/standards/{created.json()['id']}/", {"commitment": "2 小时内回电"}, format="json")
    assert changed.json()["commitment"] == "2 小时内回电"
    assert api_client_for("nj_manager1").post(f"{BASE}/standards/", {"level": "DIAMOND", "item": "y", "content": "z"},
                                              format="json").status_code == 403
    content = club.post(f"{BASE}/services/", {"code": "lounge", "name": "机场贵宾厅", "kind": "lounge", "levels": ["DIAMOND"]},
                        format="json")
    assert content.status_code == 201
    outlet = club.post(f"{BASE}/outlets/", {"name": "观前街服务中心", "city": province.units["SZ"].pk, "address": "观前街 8 号",
                                            "services": [content.json()["id"]]}, format="json")
    assert outlet.status_code == 201
    rows = result_rows(api_client_for("nj_manager1").get(f"{BASE}/outlets/"))
    assert [r["name"] for r in rows] == ["观前街服务中心"]  # outlets are published: every reader sees them
    assert [r["code"] for r in result_rows(club.get(f"{BASE}/services/", {"level": "SAPPHIRE"}))] == []
    assert [r["code"] for r in result_rows(club.get(f"{BASE}/services/", {"level": "DIAMOND"}))] == ["lounge"]


def test_announcements_through_the_api(province, info, api_client_for):
    club = api_client_for("js_club")
    created = club.post(f"{BASE}/announcements/", {"title": "南京：安全检查", "body": "周三下午", "audience": "staff",
                                                   "org_unit": province.units["NJ"].pk}, format="json")
    assert created.status_code == 201
    pk = created.json()["id"]
    bad = club.post(f"{BASE}/announcements/", {"title": "x", "body": "y", "audience": "staff",
                                               "publish_at": timezone.now().isoformat(),
                                               "expire_at": (timezone.now() - datetime.timedelta(days=1)).isoformat()},
                    format="json")
    assert bad.status_code == 400 and Announcement.objects.count() == 1
    assert [r["id"] for r in result_rows(api_client_for("nj_manager1").get(f"{BASE}/announcements/board/"))] == [pk]
    assert result_rows(api_client_for("sz_manager1").get(f"{BASE}/announcements/board/")) == []
    assert api_client_for("sz_manager1").get(f"{BASE}/announcements/{pk}/").status_code == 404
    assert api_client_for("nj_manager1").post(f"{BASE}/announcements/{pk}/withdraw/", {"reason": "x"},
                                              format="json").status_code == 403
    withdrawn = club.post(f"{BASE}/announcements/{pk}/withdraw/", {"reason": "已结束"}, format="json")
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn_at"]
    assert result_rows(api_client_for("nj_manager1").get(f"{BASE}/announcements/board/")) == []


def test_evaluation_through_the_api(province, info, api_client_for):
    director = api_client_for("js_director")
    today = timezone.localdate()
    start = (today - datetime.timedelta(days=30)).isoformat()
    run = director.post(f"{BASE}/evaluations/run/", {"period_start": start, "period_end": today.isoformat()}, format="json")
    assert run.status_code == 201 and {r["org_unit_name"] for r in run.json()} == {"南京分公司", "苏州分公司", "镇江分公司"}
    assert api_client_for("nj_director").post(f"{BASE}/evaluations/run/", {"period_start": start, "period_end": today.isoformat()},
                                              format="json").status_code == 403
    assert director.post(f"{BASE}/evaluations/run/", {"period_start": today.isoformat(), "period_end": start},
                         format="json").status_code == 400
    nj = next(r for r in run.json() if r["org_unit_name"] == "南京分公司")
    from kams.clubinfo.models import EvaluationIndicator

    complaints = EvaluationIndicator.objects.get(code="complaints").pk
    valued = director.post(f"{BASE}/evaluations/{nj['id']}/value/", {"indicator": complaints, "value": "0"}, format="json")
    assert valued.status_code == 200
    assert next(v for v in valued.json()["values"] if v["indicator_code"] == "complaints")["achievement"] == "100.00"
    ranking = director.get(f"{BASE}/evaluations/ranking/", {"start": start, "end": today.isoformat()}).json()
    assert [r["rank"] for r in ranking] == sorted(r["rank"] for r in ranking)
    assert "complaints" in ranking[0]["values"]
    nj_rows = result_rows(api_client_for("nj_director").get(f"{BASE}/evaluations/"))
    assert [r["org_unit_name"] for r in nj_rows] == ["南京分公司"]


@pytest.mark.parametrize("url", ["standards", "services", "outlets", "registrations", "consultations", "care", "gifts",
                                 "indicators", "evaluations", "announcements"])
def test_lists_answer_the_readers(province, info, api_client_for, url):
    assert api_client_for("nj_manager1").get(f"{BASE}/{url}/").status_code == 200
    assert api_client_for("norole").get(f"{BASE}/{url}/").status_code == 403


def test_portal_registration_is_visible_to_the_desk(province, info, api_client_for):
    activity = make_activity(province, unit="SZ")
    services.activity_register_member(member=info.members["emerald"], activity=activity)
    rows = result_rows(api_client_for("sz_manager1").get(f"{BASE}/registrations/", {"activity": activity.pk}))
    assert [(r["member_no"], r["channel"]) for r in rows] == [(info.members["emerald"].member_no, "portal")]
    assert Activity.objects.get(pk=activity.pk).registered == 1
