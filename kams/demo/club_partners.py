"""The club's partners in the demo province (CLUB-19), made through the real services of
``kams.partners`` after the members exist:

* seven partners — an airline and a hotel chain province-wide, a bookstore and a department
  store in Nanjing, a restaurant in Suzhou, a petrol company and a travel agency — with their
  outlets in the big cities, an approved agreement each (the hotel chain also an expired one
  before it) and the airline's, hotel chain's and petrol company's partner systems
  (channels with the demo tokens ``demo-<code>-token``);
* joint activities, coupon batches issued to members and partly redeemed;
* partner catalogue items (kind partner) linked to their partners, redeemed by members who
  hold enough points through the partners' systems (our points spent at the partner);
* six months of the partners' monthly files of member consumption, loaded through the real
  import (every row credited through ``ledger.credit`` with its unique reference);
* last month settled (confirmed by finance, most statements paid), this month a draft;
* the appraisal indicators and last quarter's appraisal of every partner, ranked.

Assumes ``ClubMember`` rows with usable cards (and the catalogue item FEE10); not wired into
the generator's steps here.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from kams.club.enums import CardState, MemberStatus
from kams.club.models import Card, PointsAccount, RedemptionItem
from kams.org.enums import RoleCode
from kams.org.models import OrgUnit, Staff
from kams.org.scoping import scope_for

if TYPE_CHECKING:
    from kams.demo.generator import DemoContext

# code, name, industry, unit code, contact, channel?, inbound points per yuan, outbound points per yuan, price per point
PARTNERS = [
    ("EASTAIR", "东方航空江苏分公司", "airline", "JS", "赵航", True, "0.2", 100, "0.0100"),
    ("JINJIANG", "锦江酒店集团", "hotel", "JS", "钱悦", True, "0.5", 100, "0.0090"),
    ("FENGHUANG", "凤凰国际书城", "bookstore", "NJ", "孙墨", False, "1", 80, "0.0110"),
    ("SINOPEC-JS", "中国石化江苏石油", "petrol", "JS", "李油", True, "0.1", 120, "0.0080"),
    ("XJK-DEPT", "新街口百货商店", "department_store", "NJ", "周百", False, "0.5", 100, "0.0100"),
    ("DEYUELOU", "苏州得月楼", "restaurant", "SZ", "吴味", False, "1", 100, "0.0100"),
    ("CYTS-JS", "中青旅江苏", "travel", "JS", "郑游", False, "0.2", 100, "0.0095"),
]
OUTLETS = {
    "EASTAIR": [("北京", "首都机场T2贵宾室"), ("上海", "虹桥机场T1贵宾室"), ("南京", "禄口机场T2贵宾室"),
                ("广州", "白云机场贵宾室"), ("深圳", "宝安机场贵宾室")],
    "JINJIANG": [("上海", "锦江饭店"), ("北京", "锦江富园大酒店"), ("南京", "锦江之星新街口店"), ("苏州", "锦江之星观前街店"),
                 ("杭州", "锦江之星西湖店"), ("无锡", "锦江之星中山路店")],
    "FENGHUANG": [("南京", "凤凰国际书城湖南路店"), ("南京", "新街口书城")],
    "SINOPEC-JS": [("南京", "中山北路加油站"), ("苏州", "干将路加油站"), ("无锡", "太湖大道加油站"), ("常州", "延陵路加油站"),
                   ("徐州", "淮海路加油站")],
    "XJK-DEPT": [("南京", "新街口百货总店")],
    "DEYUELOU": [("苏州", "得月楼观前店"), ("苏州", "得月楼金鸡湖店")],
    "CYTS-JS": [("南京", "中青旅鼓楼门店"), ("苏州", "中青旅园区门店"), ("上海", "中青旅人民广场门店")],
}
ACTIVITIES = {
    "EASTAIR": ("会员里程积分双倍月", "乘机消费积分翻倍，钻石卡会员免费使用贵宾室"),
    "JINJIANG": ("金秋住店礼", "住两晚减50元，翡翠卡以上会员延迟退房至14点"),
    "FENGHUANG": ("世界读书日", "购书满100元减20元"),
    "SINOPEC-JS": ("加油送积分", "每加油满300元再送10积分"),
    "XJK-DEPT": ("店庆会员日", "凭会员卡全场9折"),
    "DEYUELOU": ("苏帮菜品鉴宴", "会员订宴享8.8折"),
    "CYTS-JS": ("会员专线游", "华东五市游会员立减300元"),
}
# Partner catalogue items (our points spent at the partner): code, partner, name, points, face value.
ITEMS = [
    ("P-AIR-LOUNGE", "EASTAIR", "东航贵宾室单次使用", 3000, "30"),
    ("P-HOTEL-50", "JINJIANG", "锦江酒店50元住宿抵用券", 5000, "50"),
    ("P-PETROL-20", "SINOPEC-JS", "中石化20元加油券", 2400, "20"),
    ("P-BOOK-10", "FENGHUANG", "凤凰书城10元购书券", 800, "10"),
]
INDICATORS = [
    ("SERVICE", "服务质量", "3", "100", "会员投诉与神秘顾客检查"),
    ("VOLUME", "积分互换量", "2", "100", "按季度积分互换量与目标之比"),
    ("SATISFACTION", "会员满意度", "2", "100", "会员回访满意度"),
    ("COVERAGE", "网点覆盖", "1", "50", "可用网点数与城市覆盖"),
]


def _user(username: str = "", role: str = "", unit_prefix: str = "") -> Any:
    User = get_user_model()
    if username:
        found = User.objects.filter(username=username).first()
        if found is not None:
            return found
    staff = (Staff.objects.filter(roles__code=role, is_active=True, org_unit__path__startswith=unit_prefix)
             .select_related("user").order_by("pk").first())
    return staff.user if staff else User.objects.filter(is_superuser=True).order_by("pk").first()


def _months_back(today: datetime.date, n: int) -> datetime.date:
    month = today.replace(day=1)
    for _i in range(n):
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    return month


def build(ctx: DemoContext) -> int:
    from kams.club.points import channel_create
    from kams.club.redemption import redeem
    from kams.core.errors import KamsError
    from kams.partners import services

    province = OrgUnit.objects.get(code="JS")
    club = _user("js_club", RoleCode.CLUB_STAFF, province.path)
    director = _user("js_director", RoleCode.PROVINCE_DIRECTOR, province.path)
    finance = _user("", RoleCode.FINANCE, province.path)
    admin = _user("admin", RoleCode.SYSADMIN, province.path)
    rnd = ctx.random
    today = timezone.localdate()
    made = 0

    cards = list(Card.objects.filter(state__in=[CardState.ISSUED, CardState.COLLECTED], member__status=MemberStatus.ACTIVE,
                                     member__customer__org_unit__path__startswith=province.path)
                 .select_related("member").order_by("pk")[:5000])
    if not cards:
        return 0

    # Partners, channels, agreements, outlets, activities.
    partners = {}
    start = today.replace(month=1, day=1) - datetime.timedelta(days=366)
    for code, name, industry, unit, contact, with_channel, inbound, outbound, price in PARTNERS:
        channel = None
        if with_channel:
            channel, _token = channel_create(actor=admin, code=f"P-{code}"[:30], name=f"{name}积分系统", kind="partner",
                                             org_unit=province, token=f"demo-{code.lower()}-token")
        partner = services.partner_save(
            actor=club, code=code, name=name, industry=industry, org_unit=OrgUnit.objects.get(code=unit),
            contact_name=contact, contact_phone=f"025-8{rnd.randint(1000000, 9999999)}", channel=channel,
            cooperation_since=start - datetime.timedelta(days=rnd.randint(100, 1500)),
            address=f"{ctx.faker.city()}{ctx.faker.street_address()}", description=f"{name}与俱乐部的积分互换合作伙伴。",
        )
        partners[code] = partner
        if code == "JINJIANG":  # an earlier agreement that has expired
            old = services.agreement_save(
                actor=club, partner=partner, number=f"XY-{code}-{start.year - 2}", title=f"{name}积分互换协议（旧）",
                valid_from=start.replace(year=start.year - 2), valid_to=start - datetime.timedelta(days=1),
                outbound_points_per_yuan=120, inbound_points_per_yuan=Decimal("0.4"), settlement_price=Decimal("0.0085"),
                terms="双方会员积分按约定比例互换，按月结算。")
            services.agreement_approve(actor=director, agreement=old)
        agreement = services.agreement_save(
            actor=club, partner=partner, number=f"XY-{code}-{start.year}", title=f"{name}积分互换协议",
            signed_on=start - datetime.timedelta(days=20), valid_from=start, valid_to=today.replace(month=12, day=31)
            + datetime.timedelta(days=365), outbound_points_per_yuan=outbound, inbound_points_per_yuan=Decimal(inbound),
            settlement_price=Decimal(price),
            terms="一、联通俱乐部会员在合作伙伴处消费可按约定比例获得联通积分；二、会员可在合作伙伴网点使用联通积分；"
                  "三、双方按月对账结算，结算单经双方确认后付款。",
        )
        services.agreement_approve(actor=director, agreement=agreement)
        for city, outlet in OUTLETS[code]:
            services.outlet_save(actor=club, partner=partner, name=outlet, city=city,
                                 address=f"{city}{ctx.faker.street_address()}", phone=f"400-{rnd.randint(100, 999)}-{rnd.randint(1000, 9999)}",
                                 opening_hours="08:00-22:00" if industry != "petrol" else "24小时",
                                 accepts_coupons=industry in ("hotel", "restaurant", "department_store", "bookstore"))
        title, benefit = ACTIVITIES[code]
        activity_start = today - datetime.timedelta(days=rnd.randint(5, 40))
        services.activity_save(actor=club, partner=partner, name=title, benefit=benefit, starts_on=activity_start,
                               ends_on=activity_start + datetime.timedelta(days=60))
        made += 1

    # Partner catalogue items and the points spent there.
    for code, partner_code, name, points, face in ITEMS:
        item, _created = RedemptionItem.objects.get_or_create(
            code=code, defaults={"name": name, "kind": "partner", "points": points, "face_value": Decimal(face),
                                 "unit_cost": Decimal(face) * Decimal("0.8"), "description": f"在{partners[partner_code].name}使用"})
        services.partner_service_link(actor=club, partner=partners[partner_code], item=item)

    # Six months of monthly files of member consumption (loaded through the real import).
    rows_per_month = 12 * ctx.factor
    for back in range(6, -1, -1):
        month = _months_back(today, back)
        last_day = min(today, (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1))
        for code, partner in partners.items():
            lines = ["card_no,amount,transaction_id,occurred_at"]
            for n, card in enumerate(rnd.sample(cards, min(rows_per_month, len(cards))), start=1):
                day = month + datetime.timedelta(days=rnd.randint(0, (last_day - month).days))
                amount = Decimal(rnd.choice([180, 260, 480, 650, 880, 1200, 1680, 2400, 3600])) + Decimal(rnd.randint(0, 99)) / 100
                lines.append(f"{card.card_no},{amount},{code}-{month:%Y%m}-{n:05d},{day.isoformat()} {rnd.randint(8, 21):02d}:{rnd.randint(0, 59):02d}")
            services.exchanges_import(actor=club, partner=partner, content="\n".join(lines).encode(),
                                      file_name=f"{code}-{month:%Y-%m}.csv")
            made += 1

    # Our points spent at partners, through their systems.
    prices = {code: points for code, _p, _n, points, _f in ITEMS}
    channels = {code: partners[partner_code].channel for code, partner_code, *_rest in ITEMS}
    rich = {a.member_id: a.balance for a in PointsAccount.objects.filter(member_id__in=[c.member_id for c in cards],
                                                                         balance__gte=min(prices.values()))}
    spent = 0
    for card in cards:
        if spent >= 25 * ctx.factor:
            break
        balance = rich.get(card.member_id, 0)
        affordable = [code for code, points in prices.items() if points <= balance]
        if not affordable:
            continue
        code = rnd.choice(affordable)
        channel = channels[code]
        try:
            redeem(actor=club if channel is None else None, item=code, quantity=1,
                   channel_kind="partner" if channel is not None else "staff", idempotency_key=f"demo-{code}-{card.pk}",
                   card_no=card.card_no, channel=channel, location="合作伙伴网点")
        except KamsError:
            continue
        spent += 1
    services.outbound_collect()

    # Coupons: batches issued to members, some redeemed.
    members = list({c.member_id: c.member for c in rnd.sample(cards, min(30 * ctx.factor, len(cards)))}.values())
    for code, name, benefit, value in (("JINJIANG", "住两晚减50元券", "住两晚减50元", "50"),
                                       ("DEYUELOU", "订宴88折券", "订宴享8.8折", "0"),
                                       ("XJK-DEPT", "店庆满300减30券", "满300元减30元", "30")):
        batch = services.coupon_batch_create(actor=club, partner=partners[code], name=name, benefit=benefit,
                                             quantity=200 * ctx.factor, face_value=Decimal(value),
                                             valid_from=today - datetime.timedelta(days=30),
                                             valid_to=today + datetime.timedelta(days=90))
        issued = services.coupons_issue(actor=club, batch=batch, members=members[: max(1, len(members) * 2 // 3)])
        outlet = partners[code].outlets.filter(accepts_coupons=True).first()
        for coupon in issued[: max(1, len(issued) // 3)]:
            services.coupon_redeem(partner=partners[code], code=coupon.code, actor=club, outlet=outlet)
        made += 1

    # Last month settled: confirmed by finance, paid but one; this month a draft.
    last_month = _months_back(today, 1)
    statements = services.settlement_run(actor=club, period=last_month)
    accountants = [finance, *(s.user for s in Staff.objects.filter(roles__code=RoleCode.FINANCE, is_active=True)
                              .select_related("user").order_by("org_unit__path", "pk"))]
    for n, statement in enumerate(statements):
        # The finance person whose scope holds the partner's unit confirms and pays.
        accountant = next((u for u in accountants if scope_for(u).covers(statement)), None)
        if accountant is None:
            continue
        statement = services.settlement_confirm(actor=accountant, statement=statement)
        if n:
            services.settlement_pay(actor=accountant, statement=statement, payment_ref=f"PZ{last_month:%Y%m}{n:03d}")
    services.settlement_run(actor=club, period=today)
    made += len(statements)

    # Appraisal of last quarter.
    for code, name, weight, full, how in INDICATORS:
        services.indicator_save(actor=club, code=code, name=name, weight=Decimal(weight), max_score=Decimal(full),
                                description=how)
    quarter = services.period_start("quarter", _months_back(today, 3))
    for partner in partners.values():
        scores = {"SERVICE": rnd.randint(70, 98), "VOLUME": rnd.randint(55, 100), "SATISFACTION": rnd.randint(75, 99),
                  "COVERAGE": rnd.randint(20, 50)}
        services.appraisal_save(actor=club, partner=partner, period_kind="quarter", period=quarter, scores=scores,
                                comment="季度考核")
    return made
