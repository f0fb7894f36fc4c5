"""The club's service information of the demo province (CLUB-05, CLUB-06, CLUB-20, CLUB-23),
made through the services of ``kams.clubinfo`` once the members exist:

* service standards for the three levels, the service catalogue (airport VIP lounge, green
  channel at the counter, birthday care, health check …) and outlets in every city;
* in the cities with the most members, an activity of the month before last and one of last
  month (registered, attended — the points credited through the ledger —, rated and closed
  with their cost), and one still open for registration; a province-wide diamond gala last
  month;
* member consultations (10018, the club website, the desk) answered and rated, and
  personal-care services (with a gift from the care stock where a stock holds one);
* announcements to members and internal notices (one pinned, one expired, one scheduled);
* the service-effect evaluation of the last two months, with last month's complaints entered
  by hand.

Past work is replayed at its own dates (``_at`` moves the clock the services read), so the
registrations, the points and the audit log carry the dates they would have had.
"""

from __future__ import annotations

import datetime
from contextlib import contextmanager
from decimal import Decimal
from typing import TYPE_CHECKING, Iterator
from unittest import mock

from django.contrib.auth import get_user_model
from django.db.models.functions import Substr
from django.utils import timezone

from kams.club.enums import MemberStatus
from kams.club.models import ClubMember
from kams.clubinfo import services
from kams.clubinfo.models import EvaluationIndicator
from kams.clubinfo.reference_data import ensure_reference_data_now
from kams.org.enums import UnitKind
from kams.org.models import OrgUnit

if TYPE_CHECKING:
    from kams.demo.generator import DemoContext

STANDARDS = {
    # level: (service item, standard, commitment, response within hours)
    "DIAMOND": [
        ("专属客户经理", "配备专属客户经理，7×24 小时受理业务与咨询", "2 小时内回电", 2),
        ("故障处理", "通信故障优先抢修，专人跟踪至恢复", "4 小时内到场", 4),
        ("机场贵宾厅", "全国主要机场联通贵宾厅，每年 6 次，可携 1 名随行", "提前 24 小时预约", 24),
        ("积分兑换", "积分兑换享 8 折，专属礼品目录", "", None),
    ],
    "EMERALD": [
        ("客户经理服务", "指定客户经理，工作日 8:30–18:00 受理", "4 小时内回电", 4),
        ("营业厅绿色通道", "各营业厅 VIP 窗口优先办理，免排队", "", None),
        ("生日关怀", "生日当月赠送生日礼品与祝福短信", "", None),
        ("积分兑换", "积分兑换享 9 折", "", None),
    ],
    "SAPPHIRE": [
        ("10018 专席", "拨打 10018 俱乐部专席，优先接入人工", "1 小时内答复", 1),
        ("营业厅优先", "营业厅凭卡优先叫号", "", None),
        ("积分兑换", "积分按目录兑换话费、通话时长与礼品", "", None),
    ],
}
SERVICES = [
    # code, name, kind, description, levels (empty: all), times a year, provided by
    ("lounge", "机场贵宾厅", "lounge", "全国主要机场联通贵宾厅候机，含茶点与快速安检通道", ["DIAMOND", "EMERALD"], 6, "机场贵宾服务公司"),
    ("green", "营业厅绿色通道", "green_channel", "凭会员卡在营业厅 VIP 窗口优先办理", [], None, ""),
    ("birthday", "生日关怀", "birthday", "生日当月送蛋糕或鲜花，客户经理电话祝福", ["DIAMOND", "EMERALD"], 1, ""),
    ("health", "年度健康体检", "health", "合作医院高端体检套餐一次", ["DIAMOND"], 1, "江苏省人民医院体检中心"),
    ("rail", "高铁商务座升舱", "travel", "高铁二等座升舱商务座", ["DIAMOND"], 4, "商旅合作伙伴"),
    ("manager", "专属客户经理", "manager", "7×24 小时专属客户经理", ["DIAMOND"], None, ""),
    ("repair", "故障优先抢修", "repair", "通信故障优先派单、专人跟踪", ["DIAMOND", "EMERALD"], None, ""),
    ("hotline", "10018 俱乐部专席", "other", "10018 俱乐部专席优先接入人工", [], None, ""),
]
ACTIVITIES = [
    # name, kind, place, budget, capacity, points, levels
    ("{city}会员高尔夫邀请赛", "sports", "{city}国际高尔夫俱乐部", "36000", 40, 300, ["DIAMOND", "EMERALD"]),
    ("{city}会员读书沙龙", "salon", "{city}先锋书店", "6000", 60, 100, []),
    ("{city}亲子运动会", "family", "{city}奥林匹克体育中心", "18000", 80, 150, []),
    ("{city}中秋联谊会", "festival", "{city}金陵饭店宴会厅", "24000", 100, 200, []),
    ("{city}健康养生讲座", "health", "{city}人民医院报告厅", "5000", 50, 80, []),
    ("{city}太湖环湖骑行", "sports", "{city}环湖绿道", "8000", 40, 120, []),
]
COMMENTS = ["组织得很好", "场地不错，希望多办", "时间安排稍紧", "讲解专业，收获很大", "服务周到", "交通不太方便", ""]
QUESTIONS = [
    ("积分什么时候清零？", "积分自产生当年起第三年年底清零，清零前一个月短信提醒。"),
    ("机场贵宾厅怎么预约？", "请提前 24 小时拨打 10018 俱乐部专席或通过俱乐部网站预约。"),
    ("会员卡丢了怎么办？", "请拨打 10018 挂失，携带身份证到营业厅补卡。"),
    ("积分能兑换哪些礼品？", "可兑换话费、通话时长、视频会员与实物礼品，详见积分兑换目录。"),
    ("怎样才能升级为钻石卡？", "近三个月月均缴费达到 3000 元且在网满两年，月度评定时自动升级。"),
    ("生日礼品什么时候送？", "生日当月由客户经理联系配送。"),
    ("俱乐部活动怎么报名？", "可在会员网站报名，或联系客户经理代为报名。"),
]
SATISFACTION = ["very_satisfied", "satisfied", "satisfied", "satisfied", "neutral", "dissatisfied"]
CARE = [
    ("birthday", "生日当天电话祝福并送上生日蛋糕", "cake"),
    ("festival", "春节前上门拜年，送上新春茶礼", "tea"),
    ("hospital", "会员住院，客户经理前往探望并送果篮", "fruit"),
    ("anniversary", "入会五周年，寄送纪念卡", None),
    ("wedding", "会员子女婚礼，送上鲜花与贺卡", "flowers"),
]


@contextmanager
def _at(moment: datetime.datetime) -> Iterator[None]:
    """Run the services as if it were ``moment`` (their timestamps and 'today')."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def _month_before(first: datetime.date) -> datetime.date:
    return (first - datetime.timedelta(days=1)).replace(day=1)


def _moment(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _short(city: OrgUnit) -> str:
    return city.name.replace("分公司", "")


class InfoBuilder:
    def __init__(self, ctx: DemoContext) -> None:
        User = get_user_model()
        self.ctx = ctx
        self.rnd = ctx.random
        self.club = User.objects.get(username="js_club")
        self.director = User.objects.get(username="js_director")
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.this_month = self.today.replace(day=1)
        self.last_month = _month_before(self.this_month)
        self.month_before = _month_before(self.last_month)
        self.cities = list(OrgUnit.objects.filter(kind=UnitKind.CITY, is_active=True).order_by("path"))
        self.count = 0

    # --- members -----------------------------------------------------------------------------------------

    def members_by_city(self) -> dict[int, list[ClubMember]]:
        by_path = {c.path: c.pk for c in self.cities}
        length = len(self.cities[0].path) if self.cities else 0
        rows = (ClubMember.objects.filter(status=MemberStatus.ACTIVE).select_related("customer__org_unit", "level")
                .annotate(city_path=Substr("customer__org_unit__path", 1, length)).order_by("member_no"))
        found: dict[int, list[ClubMember]] = {c.pk: [] for c in self.cities}
        for member in rows.iterator(chunk_size=2000):
            if member.city_path in by_path:
                found[by_path[member.city_path]].append(member)
        return found

    # --- service information -------------------------------------------------------------------------------

    def service_information(self) -> dict[str, object]:
        from kams.club.models import ClubLevel

        levels = {lv.code: lv for lv in ClubLevel.objects.all()}
        for code, items in STANDARDS.items():
            for order, (item, content, commitment, hours) in enumerate(items, start=1):
                services.standard_save(actor=self.club, level=levels[code], item=item, content=content,
                                       commitment=commitment, response_hours=hours, sort_order=order)
                self.count += 1
        catalogue = {}
        for code, name, kind, description, entitled, times, provider in SERVICES:
            catalogue[code] = services.service_content_save(
                actor=self.club, code=code, name=name, kind=kind, description=description, levels=entitled,
                times_per_year=times, provider=provider)
            self.count += 1
        for index, city in enumerate(self.cities):
            short = _short(city)
            offered = [catalogue["green"], catalogue["hotline"], catalogue["birthday"], catalogue["repair"]]
            if index % 3 == 0:
                offered.append(catalogue["lounge"])
            services.outlet_save(
                actor=self.club, name=f"{short}俱乐部服务中心", city=city, address=f"{short}市{self.ctx.faker.street_address()}",
                phone=f"0{self.rnd.randint(510, 527)}-{self.rnd.randint(80000000, 89999999)}", hours="周一至周日 8:30-18:00",
                services=offered, levels=[])
            services.outlet_save(
                actor=self.club, name=f"{short}中心营业厅 VIP 专区", city=city,
                address=f"{short}市{self.ctx.faker.street_address()}", phone="10018", hours="周一至周五 9:00-17:30",
                services=[catalogue["green"]], levels=["DIAMOND", "EMERALD"])
            self.count += 2
        return catalogue

    # --- activities ----------------------------------------------------------------------------------------

    def _eligible(self, members: list[ClubMember], levels: list[str]) -> list[ClubMember]:
        return [m for m in members if not levels or m.level.code in levels]

    def past_activity(self, *, unit: OrgUnit, members: list[ClubMember], template: tuple, day: datetime.date,
                      name: str | None = None) -> None:
        title, kind, place, budget, capacity, points, levels = template
        short = _short(unit) if unit.kind == UnitKind.CITY else "全省"
        starts = _moment(day, 14)
        eligible = self._eligible(members, levels)
        if not eligible:
            return
        with _at(starts - datetime.timedelta(days=20)):
            activity = services.activity_save(
                actor=self.club, name=name or title.format(city=short), kind=kind, org_unit=unit,
                place=place.format(city=short), starts_at=starts, ends_at=starts + datetime.timedelta(hours=4),
                capacity=capacity, points_reward=points, budget=Decimal(budget), levels=levels,
                description="会员专属活动，名额有限，先报先得。")
            services.activity_open(actor=self.club, activity=activity)
        chosen = self.rnd.sample(eligible, min(capacity, max(1, len(eligible) * 2 // 3)))
        for n, member in enumerate(chosen):
            with _at(starts - datetime.timedelta(days=14 - n % 12, hours=n % 7)):
                if n % 3 == 0:
                    services.activity_register_member(member=member, activity=activity)
                else:
                    services.activity_register(actor=self.club, activity=activity, member=member)
        came = [m for m in chosen if self.rnd.random() < 0.85] or chosen[:1]
        with _at(starts + datetime.timedelta(hours=1)):
            services.activity_attendance_confirm(actor=self.club, activity=activity, members=came)
        registrations = {r.member_id: r for r in activity.registrations.all()}
        with _at(starts + datetime.timedelta(days=1)):
            for member in came:
                if self.rnd.random() < 0.7:
                    services.activity_feedback_record(
                        actor=self.club, registration=registrations[member.pk],
                        score=self.rnd.choice([5, 5, 5, 4, 4, 4, 4, 3, 3, 2]), comment=self.rnd.choice(COMMENTS))
        cost = (Decimal(budget) * Decimal(str(self.rnd.uniform(0.82, 1.03)))).quantize(Decimal("0.01"))
        with _at(starts + datetime.timedelta(days=3)):
            services.activity_close(actor=self.club, activity=activity, cost=cost,
                                    summary=f"报名 {len(chosen)} 人，到场 {len(came)} 人，会员反响良好。")
        self.count += 1 + len(chosen)

    def open_activity(self, *, unit: OrgUnit, members: list[ClubMember], template: tuple, day: datetime.date) -> None:
        title, kind, place, budget, capacity, points, levels = template
        short = _short(unit)
        starts = _moment(day, 9, 30)
        activity = services.activity_save(
            actor=self.club, name=title.format(city=short), kind=kind, org_unit=unit, place=place.format(city=short),
            starts_at=starts, ends_at=starts + datetime.timedelta(hours=5),
            registration_deadline=starts - datetime.timedelta(days=2), capacity=capacity, points_reward=points,
            budget=Decimal(budget), levels=levels, description="欢迎会员携家人参加。")
        services.activity_open(actor=self.club, activity=activity)
        eligible = self._eligible(members, levels)
        for n, member in enumerate(self.rnd.sample(eligible, min(len(eligible) // 3, capacity // 2))):
            if n % 2:
                services.activity_register_member(member=member, activity=activity)
            else:
                services.activity_register(actor=self.club, activity=activity, member=member)
        self.count += 1

    def activities(self, by_city: dict[int, list[ClubMember]]) -> None:
        big = sorted((c for c in self.cities if len(by_city[c.pk]) >= 3), key=lambda c: -len(by_city[c.pk]))
        big = big[: 3 + self.ctx.factor]
        for index, city in enumerate(big):
            members = by_city[city.pk]
            templates = self.rnd.sample(ACTIVITIES, 3)
            self.past_activity(unit=city, members=members, template=templates[0],
                               day=self.month_before + datetime.timedelta(days=8 + index))
            self.past_activity(unit=city, members=members, template=templates[1],
                               day=self.last_month + datetime.timedelta(days=10 + index))
            self.open_activity(unit=city, members=members, template=templates[2],
                               day=self.today + datetime.timedelta(days=12 + index))
        province = OrgUnit.objects.filter(kind=UnitKind.PROVINCE).order_by("path").first()
        everyone = [m for city in self.cities for m in by_city[city.pk]]
        if province is not None and everyone:
            gala = ("全省钻石会员年会", "festival", "南京国际会议大酒店", "120000", 120, 500, ["DIAMOND"])
            self.past_activity(unit=province, members=everyone, template=gala,
                               day=self.last_month + datetime.timedelta(days=20), name="全省钻石会员年会")

    # --- consultations and care ------------------------------------------------------------------------------

    def desk(self, by_city: dict[int, list[ClubMember]]) -> None:
        from kams.care.models import Gift
        from kams.care.services import stock_unit_for

        gifts = {g.code: g for g in Gift.objects.filter(is_active=True)}
        channels = ["10018", "10018", "web", "hall", "manager"]
        start = self.month_before
        span = (self.today - start).days or 1
        for city in self.cities:
            members = by_city[city.pk]
            if not members:
                continue
            for _n in range(min(len(members), self.rnd.randint(2, 4))):
                member = self.rnd.choice(members)
                question, answer = self.rnd.choice(QUESTIONS)
                day = start + datetime.timedelta(days=self.rnd.randrange(span))
                asked = _moment(day, self.rnd.randint(9, 19), self.rnd.randint(0, 59))
                with _at(asked + datetime.timedelta(minutes=10)):
                    services.member_consultation_record(
                        actor=self.club, member=member, channel=self.rnd.choice(channels), question=question,
                        answer=answer, satisfaction=self.rnd.choice(SATISFACTION), asked_at=asked)
                self.count += 1
            for _n in range(min(len(members), self.rnd.randint(1, 3))):
                member = self.rnd.choice(members)
                occasion, content, gift_code = self.rnd.choice(CARE)
                day = start + datetime.timedelta(days=self.rnd.randrange(span))
                gift = gifts.get(gift_code) if gift_code else None
                if gift is not None and stock_unit_for(self.club, gift, 1) is None:
                    gift = None  # no stock of it anywhere: the care goes without the gift
                with _at(_moment(day, 15)):
                    services.member_care_record(actor=self.club, member=member, occasion=occasion, content=content,
                                                happened_on=day, gift=gift, gift_quantity=1)
                self.count += 1

    # --- announcements ----------------------------------------------------------------------------------------

    def announcements(self, big_cities: list[OrgUnit]) -> None:
        now = self.now
        day = datetime.timedelta(days=1)
        rows = [
            ("春节期间俱乐部服务安排", "春节期间各俱乐部服务中心正常营业，10018 俱乐部专席 24 小时服务。", "members", None, [],
             now - 20 * day, None, True),
            ("钻石卡会员机场贵宾厅服务升级", "即日起钻石卡会员每年可免费使用机场贵宾厅 6 次，并可携带 1 名随行人员。", "members", None,
             ["DIAMOND"], now - 12 * day, now + 90 * day, False),
            ("积分兑换目录新品上架", "新增视频会员月卡、商务拉杆箱等兑换礼品，欢迎选购。", "members", None, [], now - 5 * day, None, False),
            ("国庆服务安排", "国庆期间营业时间调整为 9:00-17:00。", "members", None, [], now - 60 * day, now - 40 * day, False),
            ("俱乐部服务效果评估结果通报", "上月各地市俱乐部服务效果评估已完成，请各地市对照指标改进。", "staff", None, [],
             now - 3 * day, None, True),
            ("会员活动组织规范（试行）", "活动须提前报批预算，活动结束三日内提交总结与费用。", "staff", None, [], now - 30 * day, None, False),
            ("系统升级维护通知", "本周六 0:00-6:00 系统升级，期间暂停积分兑换。", "staff", None, [], now + 2 * day, now + 6 * day, False),
        ]
        for city in big_cities[:3]:
            short = _short(city)
            rows.append((f"{short}：本周会员活动分工", f"{short}本周活动由大客户中心牵头，客户经理负责邀约本人名下会员。", "staff",
                         city, [], now - 2 * day, now + 10 * day, False))
            rows.append((f"{short}俱乐部服务中心服务时间调整", "服务中心周末营业时间调整为 9:00-17:00。", "members", city, [],
                         now - 4 * day, None, False))
        for title, body, audience, unit, levels, publish_at, expire_at, pinned in rows:
            services.announcement_save(actor=self.club, title=title, body=body, audience=audience, org_unit=unit,
                                       levels=levels, publish_at=publish_at, expire_at=expire_at, pinned=pinned)
            self.count += 1

    # --- evaluation ----------------------------------------------------------------------------------------------

    def evaluation(self) -> None:
        ensure_reference_data_now()
        month_before_end = self.last_month - datetime.timedelta(days=1)
        last_month_end = self.this_month - datetime.timedelta(days=1)
        services.evaluation_run(actor=self.director, period_start=self.month_before, period_end=month_before_end)
        evaluations = services.evaluation_run(actor=self.director, period_start=self.last_month, period_end=last_month_end)
        complaints = EvaluationIndicator.objects.filter(code="complaints", is_active=True).first()
        if complaints is not None:
            for evaluation in evaluations:
                services.evaluation_value_set(actor=self.director, evaluation=evaluation, indicator=complaints,
                                              value=Decimal(self.rnd.choice(["0", "0", "0.5", "1", "1.5", "3"])),
                                              note="据投诉台账录入")
        self.count += 2 * len(evaluations)

    def build(self) -> int:
        if not self.cities:
            return 0
        by_city = self.members_by_city()
        self.service_information()
        self.activities(by_city)
        self.desk(by_city)
        big = sorted(self.cities, key=lambda c: -len(by_city[c.pk]))
        self.announcements(big)
        self.evaluation()
        return self.count


def build(ctx: DemoContext) -> int:
    """Service information, activities, consultations, care, announcements and the evaluation."""
    return InfoBuilder(ctx).build()

