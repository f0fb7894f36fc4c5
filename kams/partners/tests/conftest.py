"""Fixtures of the partner tests: finance staff in the province and in Nanjing, three partners
(a province-wide airline with its partner system, a Nanjing hotel, a Suzhou bookstore),
approved agreements and the appraisal indicators."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from kams.org.enums import RoleCode
from kams.org.testing import make_staff

TOKEN = "air-partner-token-0123456789abcdef"


@dataclass
class World:
    partners: dict[str, Any] = field(default_factory=dict)
    agreements: dict[str, Any] = field(default_factory=dict)
    channel: Any = None
    token: str = TOKEN


def agreement(province, partner, *, number, valid_from, valid_to, inbound="0.1", outbound=100, price="0.0100",
              approve=True):
    from kams.partners import services

    a = services.agreement_save(actor=province.user("js_club"), partner=partner, number=number, title=f"{partner.name}积分互换协议",
                                valid_from=valid_from, valid_to=valid_to, outbound_points_per_yuan=outbound,
                                inbound_points_per_yuan=Decimal(inbound), settlement_price=Decimal(price))
    if approve:
        a = services.agreement_approve(actor=province.user("js_director"), agreement=a)
    return a


@pytest.fixture
def world(province, club) -> World:
    from kams.club.points import channel_create
    from kams.partners import services

    province.staff["js_finance"] = make_staff("js_finance", province.units["JS-JKB"], (RoleCode.FINANCE,), name="钱会计")
    province.staff["nj_finance"] = make_staff("nj_finance", province.units["NJ-DKH"], (RoleCode.FINANCE,), name="孙出纳")
    club_user = province.user("js_club")
    channel, _token = channel_create(actor=province.user("admin"), code="AIR-SYS", name="东方航空积分系统", kind="partner",
                                     org_unit=province.units["JS"], token=TOKEN)
    w = World(channel=channel)
    u = province.units
    w.partners["air"] = services.partner_save(actor=club_user, code="EASTAIR", name="东方航空", industry="airline",
                                              org_unit=u["JS"], channel=channel, contact_name="赵经理",
                                              cooperation_since=datetime.date(2020, 1, 1))
    w.partners["hotel"] = services.partner_save(actor=club_user, code="JINLING", name="金陵饭店", industry="hotel",
                                                org_unit=u["NJ"])
    w.partners["books"] = services.partner_save(actor=club_user, code="SZBOOK", name="苏州书城", industry="bookstore",
                                                org_unit=u["SZ"])
    today = timezone.localdate()
    start, end = today.replace(month=1, day=1) - datetime.timedelta(days=366), today + datetime.timedelta(days=365)
    w.agreements["air"] = agreement(province, w.partners["air"], number="XY-AIR-01", valid_from=start, valid_to=end)
    w.agreements["hotel"] = agreement(province, w.partners["hotel"], number="XY-HOTEL-01", valid_from=start, valid_to=end,
                                      inbound="0.5", price="0.0080")
    w.agreements["books"] = agreement(province, w.partners["books"], number="XY-BOOK-01", valid_from=start, valid_to=end)
    return w


@pytest.fixture
def indicators(province):
    from kams.partners import services

    admin = province.user("js_club")
    return [
        services.indicator_save(actor=admin, code="SERVICE", name="服务质量", weight=Decimal("2"), max_score=Decimal("100")),
        services.indicator_save(actor=admin, code="VOLUME", name="积分互换量", weight=Decimal("1"), max_score=Decimal("50")),
    ]


@pytest.fixture
def partner_item(world, province):
    """A partner catalogue item: a 20-yuan airline meal voucher for 2,000 points."""
    from kams.club.models import RedemptionItem
    from kams.partners import services

    item = RedemptionItem.objects.create(code="AIRMEAL", name="航空餐券20元", kind="partner", points=2000,
                                         face_value=Decimal("20"), unit_cost=Decimal("16"))
    services.partner_service_link(actor=province.user("js_club"), partner=world.partners["air"], item=item)
    return item
