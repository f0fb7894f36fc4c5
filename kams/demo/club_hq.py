"""Headquarters' requests of the demo province (CLUB-21): members roaming in other provinces
authenticated through headquarters (a few with a wrong certificate number, sapphire members
refused outside the province), then their points queries, redemptions, data changes and
service requests, spread over the last three months. Made through ``kams.clubapi.hq`` itself
(the signature is the web endpoint's business and is not involved here). Assumes the club's
members exist; members sampled without a certificate number on file get one.
"""

from __future__ import annotations

import datetime
import json
from typing import TYPE_CHECKING

from django.utils import timezone

from kams.club.enums import MemberStatus
from kams.club.members import USABLE_CARD_STATES
from kams.club.models import Card, ClubMember, PointsAccount, RedemptionItem
from kams.club.redemption import item_price
from kams.clubapi import hq
from kams.clubapi.models import HqRequest

if TYPE_CHECKING:
    from kams.demo.generator import DemoContext

# Provinces members travel to (GB/T 2260 codes): Beijing, Shanghai, Guangdong, Zhejiang,
# Shandong, Sichuan, Hubei, Fujian.
VISITED = ["11", "31", "44", "33", "37", "51", "42", "35"]
PLACES = {"11": "北京王府井营业厅", "31": "上海南京东路营业厅", "44": "广州天河营业厅", "33": "杭州武林营业厅",
          "37": "济南泉城路营业厅", "51": "成都春熙路营业厅", "42": "武汉江汉路营业厅", "35": "福州东街口营业厅"}
SERVICE_REQUESTS = [
    ("vip_lounge", "在机场贵宾厅出示会员卡未获认可，请核查会员权益"),
    ("roaming_fee", "对漫游期间的通话费用有疑问，请回电说明"),
    ("card_reissue", "会员卡在外地遗失，申请回省后补办新卡"),
    ("statement", "请将本月积分消费帐单改寄电子邮件"),
]


def build(ctx: DemoContext) -> int:
    members = list(
        ClubMember.objects.filter(status=MemberStatus.ACTIVE, cards__state__in=USABLE_CARD_STATES)
        .select_related("level").order_by("pk").distinct()
    )
    if not members:
        return 0
    chosen = ctx.random.sample(members, min(len(members), 40 * ctx.factor))
    _certificates(ctx, chosen)
    cards = dict(
        Card.objects.filter(member__in=chosen, state__in=USABLE_CARD_STATES).values_list("member_id", "card_no")
    )
    items = list(RedemptionItem.objects.filter(is_active=True).order_by("points"))
    home = hq.home_province_code()
    made = 0
    serial = 0
    now = timezone.now()

    def send(body: dict, at: datetime.datetime) -> HqRequest:
        nonlocal made, serial
        serial += 1
        body = {"requestId": f"HQ{timezone.localtime(at):%Y%m%d}{serial:06d}", **body}
        record, created = hq.hq_request_receive(body=json.dumps(body, ensure_ascii=False).encode(), now=at)
        made += created
        return record

    for member in sorted(chosen, key=lambda m: m.pk):
        card_no = cards.get(member.pk)
        if not card_no:
            continue
        at = now - datetime.timedelta(days=ctx.random.randint(0, 89), minutes=ctx.random.randint(0, 600))
        visited = home if ctx.random.random() < 0.15 else ctx.random.choice(VISITED)
        base = {"visitedProvince": visited, "cardNo": card_no}
        tail = member.certificate_no[-6:]
        if ctx.random.random() < 0.1:  # a mistyped certificate number first
            send({**base, "kind": "authenticate", "certificateTail": "000000" if tail != "000000" else "111111"}, at)
            at += datetime.timedelta(minutes=1)
        auth = send({**base, "kind": "authenticate", "certificateTail": tail}, at)
        if auth.status != "done":
            continue
        for _step in range(ctx.random.choice((1, 1, 2))):
            at += datetime.timedelta(minutes=ctx.random.randint(1, 8))
            business = {**base, "authRequestId": auth.request_id}
            roll = ctx.random.random()
            if roll < 0.45:
                send({**business, "kind": "points_query"}, at)
            elif roll < 0.7 and items:
                balance = PointsAccount.objects.filter(pk=member.pk).values_list("balance", flat=True).first() or 0
                affordable = [i for i in items if (item_price(i, member.level) or balance + 1) <= balance]
                item = ctx.random.choice(affordable or items)  # now and then one too dear: refused
                send({**business, "kind": "redemption",
                      "payload": {"item": item.code, "quantity": 1, "location": PLACES.get(visited, "")}}, at)
            elif roll < 0.85:
                send({**business, "kind": "data_change", "payload": {"email": ctx.faker.email()}}, at)
            else:
                kind, text = ctx.random.choice(SERVICE_REQUESTS)
                send({**business, "kind": "service_request", "payload": {"description": text, "requestType": kind}}, at)
    return made


def _certificates(ctx: DemoContext, members: list[ClubMember]) -> None:
    missing = [m for m in members if len((m.certificate_no or "").strip()) < 6]
    for member in missing:
        member.certificate_no = ctx.faker.ssn()
    ClubMember.objects.bulk_update(missing, ["certificate_no"], batch_size=500)
