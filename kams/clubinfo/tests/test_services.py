"""The services of the club's service information: each write, its failure paths (nothing
changes), permission and scope."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from kams.audit.models import AuditEntry
from kams.care.errors import OutOfStock
from kams.care.models import CareAction, GiftMove, GiftStock
from kams.club.models import PointsAccount, PointsEntry
from kams.club.testing import make_member
from kams.clubinfo import selectors, services
from kams.clubinfo.enums import ActivityState, RegistrationState
from kams.clubinfo.errors import ActivityFull, ActivityNotOpen, AlreadyRegistered, NotInvited
from kams.clubinfo.errors import ActivityState as ActivityStateRefused
from kams.clubinfo.errors import RegistrationState as RegistrationStateRefused
from kams.clubinfo.models import (
    Activity,
    ActivityRegistration,
    Announcement,
    MemberCare,
    MemberConsultation,
    MemberGift,
    ServiceOutlet,
    ServiceStandard,
)
from kams.clubinfo.testing import make_activity
from kams.core.errors import InvalidInput, KamsError
from kams.support.models import Consultation


def grant(province, username, *codenames):
    user = province.user(username)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="clubinfo", codename__in=codenames))
    for cache in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(cache, None)
    return user


# --- Service information ----------------------------------------------------------------------------------


def test_standard_save_refuses_a_second_standard_for_the_same_item_and_bad_input(province, info):
    club = province.user("js_club")
    standard = services.standard_save(actor=club, level=info.levels["DIAMOND"], item="客户经理响应",
                                      content="7×24 小时专属客户经理", commitment="2 小时内回电", response_hours=2)
    assert standard.pk and standard.response_hours == 2
    with pytest.raises(InvalidInput):
        services.standard_save(actor=club, level=info.levels["DIAMOND"], item="客户经理响应", content="重复")
    with pytest.raises(InvalidInput):
        services.standard_save(actor=club, level=info.levels["EMERALD"], item="客户经理响应", content="  ")
    with pytest.raises(InvalidInput):
        services.standard_save(actor=club, level=info.levels["EMERALD"], item="x", content="y", response_hours=0)
    with pytest.raises(PermissionDenied):
        services.standard_save(actor=province.user("nj_manager1"), level=info.levels["EMERALD"], item="x", content="y")
    assert ServiceStandard.objects.count() == 1
    assert AuditEntry.objects.filter(action="clubinfo.standard_save").count() == 1
    assert list(selectors.member_standards(info.members["diamond"])) == [standard]
    assert not selectors.member_standards(info.members["emerald"]).exists()


def test_service_content_levels_decide_what_a_member_is_entitled_to(province, info):
    club = province.user("js_club")
    lounge = services.service_content_save(actor=club, code="lounge", name="机场贵宾厅", kind="lounge",
                                           levels=["DIAMOND", "EMERALD"], times_per_year=6)
    counter = services.service_content_save(actor=club, code="green", name="营业厅绿色通道", kind="green_channel")
    assert set(selectors.member_services(info.members["diamond"])) == {lounge, counter}
    assert list(selectors.member_services(info.members["sapphire"])) == [counter]
    with pytest.raises(InvalidInput):
        services.service_content_save(actor=club, code="lounge", name="重复", kind="lounge")
    with pytest.raises(InvalidInput):
        services.service_content_save(actor=club, code="x", name="x", kind="spa")
    with pytest.raises(InvalidInput):
        services.service_content_save(actor=club, code="y", name="y", kind="other", levels=["GOLD"])
    assert lounge.levels.count() == 2


def test_outlet_needs_a_city_in_scope(province, info):
    club = province.user("js_club")
    outlet = services.outlet_save(actor=club, name="新街口俱乐部服务中心", city=province.units["NJ"], address="中山路 1 号",
                                  hours="8:30-18:00", levels=["DIAMOND"])
    services.outlet_save(actor=club, name="观前街服务中心", city=province.units["SZ"], address="观前街 8 号")
    with pytest.raises(InvalidInput):
        services.outlet_save(actor=club, name="x", city=province.units["NJ-DKH"], address="y")
    with pytest.raises(InvalidInput):
        services.outlet_save(actor=club, name="x", city=province.units["NJ"], address="")
    with pytest.raises(PermissionDenied):
        services.outlet_save(actor=province.user("nj_director"), name="x", city=province.units["NJ"], address="y")
    sz = grant(province, "sz_director", "add_serviceoutlet", "change_serviceoutlet")
    with pytest.raises(InvalidInput):
        services.outlet_save(actor=sz, name="x", city=province.units["NJ"], address="y")
    with pytest.raises(Http404):
        services.outlet_save(actor=sz, outlet=outlet, name="改名")
    outlet.refresh_from_db()
    assert outlet.name == "新街口俱乐部服务中心" and ServiceOutlet.objects.count() == 2
    # A Nanjing diamond member sees the Nanjing outlet first; a sapphire member not the diamond-only one.
    assert [o.name for o in selectors.member_outlets(info.members["diamond"])] == ["新街口俱乐部服务中心", "观前街服务中心"]
    assert [o.name for o in selectors.member_outlets(info.members["sapphire"])] == ["观前街服务中心"]


# --- Gifts, care, consultations -------------------------------------------------------------------------------


def test_gift_issue_takes_the_gifts_out_of_the_care_stock_and_refuses_beyond_it(province, info, cake):
    club = province.user("js_club")
    member = info.members["diamond"]
    record = services.member_gift_issue(actor=club, member=member, gift=cake, quantity=2, occasion="生日",
                                        stock_unit=province.units["NJ"])
    stock = GiftStock.objects.get(gift=cake, org_unit=province.units["NJ"])
    assert stock.quantity == 1
    move = GiftMove.objects.get(kind="issue")
    assert move.quantity == -2 and move.action_id == record.care_action_id and move.balance_after == 1
    assert record.care_action.customer_id == member.customer_id and record.stock_unit == province.units["NJ"]
    assert AuditEntry.objects.filter(action="clubinfo.gift_issue", target_id=str(record.pk)).exists()

    with pytest.raises(OutOfStock):
        services.member_gift_issue(actor=club, member=member, gift=cake, quantity=2, occasion="节日",
                                   stock_unit=province.units["NJ"])
    with pytest.raises(InvalidInput):
        services.member_gift_issue(actor=club, member=member, gift=cake, quantity=0, occasion="节日")
    with pytest.raises(InvalidInput):
        services.member_gift_issue(actor=club, member=member, gift=cake, quantity=1, occasion=" ")
    stock.refresh_from_db()
    assert stock.quantity == 1
    assert MemberGift.objects.count() == 1 and CareAction.objects.count() == 1 and GiftMove.objects.filter(kind="issue").count() == 1


def test_gift_issue_keeps_to_scope(province, info, cake):
    with pytest.raises(Http404):
        services.member_gift_issue(actor=province.user("sz_manager1"), member=info.members["diamond"], gift=cake,
                                   quantity=1, occasion="生日")
    with pytest.raises(PermissionDenied):
        services.member_gift_issue(actor=province.user("norole"), member=info.members["diamond"], gift=cake,
                                   quantity=1, occasion="生日")
    assert GiftStock.objects.get(gift=cake, org_unit=province.units["NJ"]).quantity == 3
    assert not MemberGift.objects.exists()


def test_care_record_with_a_gift_issues_it_and_bad_input_changes_nothing(province, info, cake):
    manager = province.user("nj_manager1")
    member = info.members["diamond"]
    care = services.member_care_record(actor=manager, member=member, occasion="hospital", content="住院探望，送果篮与慰问",
                                       gift=cake, gift_quantity=1)
    assert care.gift.quantity == 1 and care.handler == province.staff["nj_manager1"]
    assert GiftStock.objects.get(gift=cake, org_unit=province.units["NJ"]).quantity == 2
    with pytest.raises(InvalidInput):
        services.member_care_record(actor=manager, member=member, occasion="birthday", content="生日",
                                    happened_on=timezone.localdate() + datetime.timedelta(days=1), gift=cake)
    with pytest.raises(InvalidInput):
        services.member_care_record(actor=manager, member=member, occasion="party", content="x")
    with pytest.raises(OutOfStock):
        services.member_care_record(actor=manager, member=member, occasion="birthday", content="生日", gift=cake,
                                    gift_quantity=5)
    assert MemberCare.objects.count() == 1 and MemberGift.objects.count() == 1
    assert GiftStock.objects.get(gift=cake, org_unit=province.units["NJ"]).quantity == 2
    assert list(selectors.care_for(province.user("nj_manager2"))) == []
    assert list(selectors.care_for(province.user("nj_director"))) == [care]


def test_consultation_is_a_support_consultation_linked_to_the_member(province, info):
    member = info.members["emerald"]
    link = services.member_consultation_record(actor=province.user("js_club"), member=member, channel="10018",
                                               question="积分什么时候清零？", answer="积分有效期至第三年年底。",
                                               satisfaction="satisfied")
    consultation = link.consultation
    assert consultation.customer_id == member.customer_id and consultation.topic == "club"
    assert consultation.caller_name == "周强" and consultation.answer_satisfaction == "satisfied"
    services.member_consultation_answer(actor=province.user("sz_manager1"), link=link, answer="已短信告知清零日期。",
                                        satisfaction="very_satisfied")
    consultation.refresh_from_db()
    assert consultation.answer == "已短信告知清零日期。" and consultation.answered_by == province.staff["sz_manager1"]
    with pytest.raises(KamsError):
        services.member_consultation_record(actor=province.user("js_club"), member=member, channel="fax", question="?")
    with pytest.raises(Http404):
        services.member_consultation_record(actor=province.user("nj_manager1"), member=member, channel="10018",
                                            question="?")
    with pytest.raises(Http404):
        services.member_consultation_answer(actor=province.user("nj_director"), link=link, answer="x")
    assert Consultation.objects.count() == 1 and MemberConsultation.objects.count() == 1


# --- Activities ----------------------------------------------------------------------------------------------------


def test_activity_plan_refuses_bad_input(province, info):
    club = province.user("js_club")
    now = timezone.now()
    base = dict(name="读书沙龙", kind="salon", org_unit=province.units["NJ"], place="先锋书店", starts_at=now,
                ends_at=now + datetime.timedelta(hours=2), capacity=20, points_reward=50, budget=Decimal("3000"))
    for change in ({"ends_at": now - datetime.timedelta(hours=1)}, {"capacity": 0}, {"org_unit": province.units["NJ-DKH"]},
                   {"kind": "karaoke"}, {"budget": Decimal("-1")}, {"place": ""}, {"points_reward": -5},
                   {"registration_deadline": now + datetime.timedelta(days=1)}):
        with pytest.raises(InvalidInput):
            services.activity_save(actor=club, **{**base, **change})
    with pytest.raises(PermissionDenied):
        services.activity_save(actor=province.user("nj_director"), **base)
    assert not Activity.objects.exists()
    activity = services.activity_save(actor=club, **base)
    assert activity.state == ActivityState.PLANNED


def test_registration_keeps_to_the_capacity(province, info):
    activity = make_activity(province, unit="JS", capacity=1)
    club = province.user("js_club")
    services.activity_register(actor=club, activity=activity, member=info.members["diamond"])
    with pytest.raises(ActivityFull):
        services.activity_register(actor=club, activity=activity, member=info.members["emerald"])
    activity.refresh_from_db()
    assert activity.registered == 1 and ActivityRegistration.objects.count() == 1
    assert not selectors.member_activities_open(info.members["sapphire"]).exists()  # full


def test_registration_keeps_to_the_city_and_the_levels_invited(province, info, customers):
    activity = make_activity(province, unit="NJ", levels=["DIAMOND"])
    club = province.user("js_club")
    with pytest.raises(NotInvited):
        services.activity_register(actor=club, activity=activity, member=info.members["emerald"])  # Suzhou member
    nj_sapphire = make_member(province, customers["nj_m2"], level="SAPPHIRE", name="孙悦")
    with pytest.raises(NotInvited):
        services.activity_register(actor=club, activity=activity, member=nj_sapphire)
    services.activity_register(actor=club, activity=activity, member=info.members["diamond"])
    with pytest.raises(AlreadyRegistered):
        services.activity_register(actor=club, activity=activity, member=info.members["diamond"])
    activity.refresh_from_db()
    assert activity.registered == 1


def test_registration_closes_at_the_deadline_and_is_only_for_open_activities(province, info):
    club = province.user("js_club")
    planned = make_activity(province, open_it=False)
    with pytest.raises(ActivityNotOpen):
        services.activity_register(actor=club, activity=planned, member=info.members["diamond"])
    late = make_activity(province, name="晚了", registration_deadline=timezone.now() - datetime.timedelta(minutes=5))
    with pytest.raises(ActivityNotOpen):
        services.activity_register(actor=club, activity=late, member=info.members["diamond"])
    assert not ActivityRegistration.objects.exists()


def test_cancelled_registration_frees_the_place_and_may_be_made_again(province, info):
    activity = make_activity(province, capacity=1)
    manager = province.user("nj_manager1")
    registration = services.activity_register(actor=manager, activity=activity, member=info.members["diamond"])
    services.activity_unregister(actor=manager, registration=registration, reason="出差")
    activity.refresh_from_db()
    assert activity.registered == 0
    again = services.activity_register(actor=manager, activity=activity, member=info.members["diamond"])
    activity.refresh_from_db()
    assert again.pk == registration.pk and again.state == RegistrationState.REGISTERED and activity.registered == 1
    with pytest.raises(Http404):  # another manager's member
        services.activity_unregister(actor=province.user("nj_manager2"), registration=again)


def test_attendance_credits_the_points_once(province, info):
    activity = make_activity(province, unit="JS", points=100)
    club = province.user("js_club")
    diamond, emerald = info.members["diamond"], info.members["emerald"]
    for member in (diamond, emerald):
        services.activity_register(actor=club, activity=activity, member=member)
    assert services.activity_attendance_confirm(actor=club, activity=activity, members=[diamond]) == 1
    assert services.activity_attendance_confirm(actor=club, activity=activity, members=[diamond, emerald]) == 1
    assert services.activity_attendance_confirm(actor=club, activity=activity, members=[diamond.pk, emerald.pk]) == 0
    for member in (diamond, emerald):
        assert PointsAccount.objects.get(member=member).balance == 100
        entries = PointsEntry.objects.filter(account_id=member.pk, reference=f"activity:{activity.pk}:{member.pk}")
        assert entries.count() == 1 and entries.get().category == "activity"
        registration = ActivityRegistration.objects.get(activity=activity, member=member)
        assert registration.state == RegistrationState.ATTENDED and registration.points == 100
    with pytest.raises(InvalidInput):
        services.activity_attendance_confirm(actor=club, activity=activity, members=[info.members["sapphire"]])
    with pytest.raises(InvalidInput):
        services.activity_attendance_confirm(actor=club, activity=activity, members=[])
    with pytest.raises(PermissionDenied):
        services.activity_attendance_confirm(actor=province.user("nj_director"), activity=activity, members=[diamond])
    assert PointsEntry.objects.filter(category="activity").count() == 2


def test_attendance_waits_for_the_start(province, info):
    club = province.user("js_club")
    activity = make_activity(province, starts_at=timezone.now() + datetime.timedelta(days=3))
    services.activity_register(actor=club, activity=activity, member=info.members["diamond"])
    with pytest.raises(InvalidInput):
        services.activity_attendance_confirm(actor=club, activity=activity, members=[info.members["diamond"]])
    with pytest.raises(InvalidInput):
        services.activity_close(actor=club, activity=activity, cost="100", summary="未举办")
    assert not PointsEntry.objects.filter(category="activity").exists()


def test_feedback_and_closing_summary(province, info, customers):
    club = province.user("js_club")
    activity = make_activity(province, unit="NJ", points=0, budget=Decimal("5000"))
    other = make_member(province, customers["nj_m2"], level="EMERALD", name="孙悦")
    first = services.activity_register(actor=club, activity=activity, member=info.members["diamond"])
    second = services.activity_register(actor=club, activity=activity, member=other)
    with pytest.raises(RegistrationStateRefused):
        services.activity_feedback_record(actor=club, registration=first, score=5)
    services.activity_attendance_confirm(actor=club, activity=activity, members=[info.members["diamond"]])
    assert not PointsEntry.objects.exists()  # no reward: nothing credited
    for bad in (0, 6, "x"):
        with pytest.raises(InvalidInput):
            services.activity_feedback_record(actor=club, registration=first, score=bad)
    services.activity_feedback_record(actor=province.user("nj_manager1"), registration=first, score=4, comment="组织很好")
    with pytest.raises(InvalidInput):
        services.activity_close(actor=club, activity=activity, cost="-1", summary="x")
    with pytest.raises(InvalidInput):
        services.activity_close(actor=club, activity=activity, cost="4200", summary=" ")
    closed = services.activity_close(actor=club, activity=activity, cost="4200.50", summary="到场 1 人，反响良好")
    assert closed.state == ActivityState.CLOSED and closed.cost == Decimal("4200.50")
    second.refresh_from_db()
    assert second.state == RegistrationState.ABSENT
    figures = selectors.activity_figures(closed)
    assert figures["registered"] == 2 and figures["attended"] == 1 and figures["participation"] == 50.0
    assert figures["score"] == 4 and figures["cost_per_participant"] == Decimal("4200.50")
    with pytest.raises(ActivityStateRefused):
        services.activity_save(actor=club, activity=closed, name="改名")
    with pytest.raises(ActivityStateRefused):
        services.activity_close(actor=club, activity=closed, cost="1", summary="again")


def test_cancelling_an_activity_cancels_its_registrations(province, info):
    club = province.user("js_club")
    activity = make_activity(province)
    services.activity_register(actor=club, activity=activity, member=info.members["diamond"])
    with pytest.raises(InvalidInput):
        services.activity_cancel(actor=club, activity=activity, reason="")
    cancelled = services.activity_cancel(actor=club, activity=activity, reason="暴雨")
    assert cancelled.state == ActivityState.CANCELLED and cancelled.registered == 0
    assert ActivityRegistration.objects.get().state == RegistrationState.CANCELLED
    with pytest.raises(ActivityStateRefused):
        services.activity_open(actor=club, activity=cancelled)


def test_suzhou_staff_neither_see_nor_change_a_nanjing_activity(province, info):
    nanjing = make_activity(province, unit="NJ")
    province_wide = make_activity(province, unit="JS", name="全省会员年会")
    sz_director = grant(province, "sz_director", "change_activity")
    assert set(selectors.activities_for(sz_director)) == {province_wide}
    assert set(selectors.activities_for(province.user("nj_manager1"))) == {nanjing, province_wide}
    with pytest.raises(Http404):
        services.activity_save(actor=sz_director, activity=nanjing, name="改名")
    with pytest.raises(Http404):
        services.activity_register(actor=province.user("sz_manager1"), activity=nanjing, member=info.members["emerald"])
    with pytest.raises(Http404):  # the province's activity is read, not run, by a city
        services.activity_attendance_confirm(actor=sz_director, activity=province_wide, members=[info.members["emerald"]])
    # A Suzhou manager registers his member for the province's activity.
    registration = services.activity_register(actor=province.user("sz_manager1"), activity=province_wide,
                                              member=info.members["emerald"])
    assert registration.registered_by == province.staff["sz_manager1"]
    nanjing.refresh_from_db()
    assert nanjing.name == "紫金山高尔夫邀请赛" and nanjing.registered == 0


# --- The member portal -------------------------------------------------------------------------------------------


def test_member_registers_himself_on_the_portal(province, info):
    member = info.members["emerald"]
    mine = make_activity(province, unit="JS", name="全省会员年会")
    make_activity(province, unit="NJ", name="南京专场")
    make_activity(province, unit="JS", name="钻石专场", levels=["DIAMOND"])
    make_activity(province, unit="JS", name="未发布", open_it=False)
    assert [a.name for a in selectors.member_activities_open(member)] == ["全省会员年会"]
    registration = services.activity_register_member(member=member, activity=mine)
    assert registration.channel == "portal" and registration.registered_by is None
    entry = AuditEntry.objects.get(action="clubinfo.activity_register", target_id=str(registration.pk))
    assert entry.actor is None and entry.after["member"] == member.member_no
    assert not selectors.member_activities_open(member).exists()
    assert [r.activity for r in selectors.member_registrations(member)] == [mine]
    services.activity_unregister_member(member=member, activity=mine)
    assert [a.name for a in selectors.member_activities_open(member)] == ["全省会员年会"]
    services.activity_register_member(member=member, activity=mine)
    services.activity_attendance_confirm(actor=province.user("js_club"), activity=mine, members=[member])
    services.activity_feedback_member(member=member, activity=mine, score=5, comment="很棒")
    assert ActivityRegistration.objects.get(member=member).feedback_score == 5
    with pytest.raises(InvalidInput):
        services.activity_feedback_member(member=info.members["diamond"], activity=mine, score=5)


# --- Announcements -------------------------------------------------------------------------------------------------


def _announce(province, title, *, audience="members", unit=None, levels=None, actor="js_club", **values):
    values.setdefault("publish_at", timezone.now() - datetime.timedelta(hours=1))
    return services.announcement_save(actor=province.user(actor), title=title, body=f"{title}的内容", audience=audience,
                                      org_unit=province.units[unit] if unit else None, levels=levels, **values)


def test_member_announcements_follow_audience_place_level_and_time(province, info):
    now = timezone.now()
    everyone = _announce(province, "春节服务安排", pinned=True)
    nanjing = _announce(province, "南京网点装修", unit="NJ")
    diamond_only = _announce(province, "钻石卡机场贵宾厅升级", levels=["DIAMOND"])
    district = _announce(province, "镇江一区专场", unit="ZJ-D01")
    _announce(province, "内部：年会筹备", audience="staff")
    _announce(province, "尚未发布", publish_at=now + datetime.timedelta(days=1))
    _announce(province, "已过期", publish_at=now - datetime.timedelta(days=10), expire_at=now - datetime.timedelta(days=1))
    withdrawn = _announce(province, "已撤回")
    services.announcement_withdraw(actor=province.user("js_club"), announcement=withdrawn, reason="内容有误")

    assert list(selectors.member_announcements(info.members["diamond"])) == [everyone, diamond_only, nanjing]
    assert list(selectors.member_announcements(info.members["emerald"])) == [everyone]
    assert list(selectors.member_announcements(info.members["sapphire"])) == [everyone, district]


def test_staff_read_internal_notices_of_their_units_and_above(province, info):
    province_wide = _announce(province, "全省：系统升级通知", audience="staff")
    nanjing = _announce(province, "南京：周例会", audience="staff", unit="NJ")
    suzhou = _announce(province, "苏州：培训", audience="staff", unit="SZ")
    _announce(province, "会员公告", audience="members")
    assert set(selectors.notice_board(province.user("sz_manager1"))) == {province_wide, suzhou}
    assert set(selectors.notice_board(province.user("nj_district_manager"))) == {province_wide, nanjing}
    assert set(selectors.notice_board(province.user("js_club"))) == {province_wide, nanjing, suzhou}
    assert nanjing not in selectors.announcements_for(province.user("sz_director"))


def test_announcement_bad_input_and_authority(province, info):
    now = timezone.now()
    with pytest.raises(InvalidInput):
        _announce(province, "x", publish_at=now, expire_at=now - datetime.timedelta(hours=1))
    with pytest.raises(InvalidInput):
        _announce(province, "x", audience="everybody")
    with pytest.raises(InvalidInput):
        _announce(province, " ")
    with pytest.raises(PermissionDenied):
        _announce(province, "x", actor="nj_director")
    sz = grant(province, "sz_director", "add_announcement", "change_announcement")
    with pytest.raises(InvalidInput):  # a city may not speak for the whole province
        services.announcement_save(actor=sz, title="x", body="y", audience="staff")
    with pytest.raises(InvalidInput):
        services.announcement_save(actor=sz, title="x", body="y", audience="staff", org_unit=province.units["NJ"])
    own = services.announcement_save(actor=sz, title="苏州：培训", body="周五", audience="staff", org_unit=province.units["SZ"])
    assert own.author == province.staff["sz_director"]
    assert Announcement.objects.count() == 1
    services.announcement_withdraw(actor=sz, announcement=own, reason="取消")
    with pytest.raises(KamsError):
        services.announcement_save(actor=sz, announcement=own, title="再改")
