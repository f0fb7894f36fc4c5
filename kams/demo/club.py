"""The club of the demo province: cards for the members, a year of points and redemptions.

The past year is replayed at its own dates (``_at`` moves the clock the services read), so
the ledger, the statements and the statistics look as they would after a year of use: on
the 1st of every month the real monthly run credits the previous month's bills; during the
month members redeem at the desk, on the portal and at a POS; a few redemptions are
reversed and a few adjustments approved. Points carried over from the previous system
(历史积分迁移) are the opening lots, some of them old enough to have expired.

Card 8600000001 is the first diamond member in Nanjing (member JS00000001), topped up to at
least 50,000 points; FEE10 is 10 yuan of phone credit for 1,000 points; the POS channel
``POS-NJ-DEMO`` answers to the token ``DEMO_CHANNEL_TOKEN`` (printed by ``kams demo``).
"""

from __future__ import annotations

import datetime
from contextlib import contextmanager
from decimal import Decimal
from typing import TYPE_CHECKING, Iterator
from unittest import mock

from django.db import transaction
from django.utils import timezone

from kams.club import ledger
from kams.club.enums import CardState, ChannelKind, Issuer, ItemKind, MemberStatus, PointsCategory
from kams.club.errors import InsufficientPoints, MonthlyLimitReached
from kams.club.models import Card, ClubLevel, ClubMember, PointsAccount, RedemptionItem
from kams.org.models import OrgUnit, Staff
from kams.system.parameters import param

if TYPE_CHECKING:
    from kams.demo.generator import DemoContext

DEMO_CHANNEL_CODE = "POS-NJ-DEMO"
DEMO_CHANNEL_TOKEN = "kams-demo-pos-0001"  # demo only: real tokens are random and shown once
CATALOGUE = [
    # code, name, kind, points, face value, cost, minutes, auto
    ("FEE10", "10元话费", ItemKind.FEE, 1000, "10", "9.50", 0, True),
    ("FEE50", "50元话费", ItemKind.FEE, 4800, "50", "47.50", 0, True),
    ("MIN100", "100分钟国内通话", ItemKind.MINUTES, 800, "10", "3.00", 100, True),
    ("VIDEO", "视频会员月卡", ItemKind.CONTENT, 1500, "20", "12.00", 0, False),
    ("POWER", "联通定制充电宝", ItemKind.GOODS, 3000, "59", "38.00", 0, False),
    ("CASE", "商务拉杆箱", ItemKind.GOODS, 20000, "399", "260.00", 0, False),
    ("LOUNGE", "机场贵宾厅单次", ItemKind.PARTNER, 5000, "200", "120.00", 0, False),
]


@contextmanager
def _at(moment: datetime.datetime) -> Iterator[None]:
    """Run the services as if it were ``moment`` (their timestamps and 'today')."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def _months(today: datetime.date, count: int = 12) -> list[datetime.date]:
    first, months = today.replace(day=1), []
    for _n in range(count):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
        months.append(first)
    return list(reversed(months))


def apply_cards(ctx: DemoContext) -> int:
    """A card (applied) for every active member without one, numbered in member order, so
    the first member gets 8600000001; the card step issues them from the stock."""
    prefix = param("club.card_prefix")
    members = list(
        ClubMember.objects.filter(status=MemberStatus.ACTIVE).exclude(cards__isnull=False)
        .order_by("member_no").values_list("pk", "level_id")
    )
    start = Card.objects.filter(card_no__startswith=prefix).count() + 1
    cards = [Card(card_no=f"{prefix}{start + n:08d}", member_id=pk, level_id=level, state=CardState.APPLIED)
             for n, (pk, level) in enumerate(members)]
    Card.objects.bulk_create(cards, batch_size=1000)
    # Whatever the stock could not issue is issued now and collected, so that every member
    # of the demo can redeem.
    return len(cards)


def _collect_remaining(now: datetime.datetime) -> None:
    Card.objects.filter(state=CardState.APPLIED).update(state=CardState.ISSUED, issued_at=now)
    Card.objects.filter(state=CardState.ISSUED).update(
        state=CardState.COLLECTED, collected_at=now, valid_until=(now + datetime.timedelta(days=3 * 365)).date()
    )


def build_points(ctx: DemoContext) -> int:
    from kams.club import points as services
    from kams.club import redemption as redeeming
    from kams.club.run import points_run

    rnd = ctx.random
    now = timezone.now()
    hq = Staff.objects.select_related("user").get(user__username="admin").user
    club = Staff.objects.select_related("user").get(user__username="js_club").user
    director = Staff.objects.select_related("user").get(user__username="js_director").user
    _collect_remaining(now - datetime.timedelta(days=400))
    items = {}
    for code, name, kind, points, face, cost, minutes, auto in CATALOGUE:
        items[code] = RedemptionItem.objects.filter(code=code).first() or services.item_save(
            actor=hq, code=code, name=name, kind=kind, points=points, face_value=Decimal(face), unit_cost=Decimal(cost),
            minutes=minutes, auto_redeemable=auto, issuer=Issuer.HQ,
            description=f"{name}（{points} 积分）",
        )
    levels = {lv.code: lv for lv in ClubLevel.objects.all()}
    services.redemption_rule_save(actor=hq, item=items["LOUNGE"], level=levels["SAPPHIRE"], allowed=False)
    services.redemption_rule_save(actor=hq, item=items["CASE"], level=levels["DIAMOND"], points=16000, monthly_limit=1)
    channel, _token = services.channel_create(actor=club, code=DEMO_CHANNEL_CODE, name="南京新街口营业厅 POS",
                                              kind=ChannelKind.POS, org_unit=OrgUnit.objects.get(code="NJ"),
                                              token=DEMO_CHANNEL_TOKEN)
    members = list(ClubMember.objects.filter(status=MemberStatus.ACTIVE).select_related("level").order_by("member_no"))
    PointsAccount.objects.bulk_create([PointsAccount(member_id=m.pk) for m in members], ignore_conflicts=True)
    months = _months(timezone.localdate())
    # Points carried over from the previous system: old lots (some expired by now).
    opening = timezone.make_aware(datetime.datetime.combine(months[0] - datetime.timedelta(days=1), datetime.time(9)))
    with _at(opening):
        with transaction.atomic():
            for m in members:
                points = {1: 8000, 2: 3000, 3: 1000}.get(m.level.rank, 1000) * rnd.randint(1, 4)
                earned = datetime.date(opening.year - rnd.choice((1, 3)), 6, 30)
                ledger.credit(member=m, points=points, category=PointsCategory.ADJUSTMENT, earned_on=earned,
                              reference=f"migration:{m.pk}", reason="历史积分迁移", actor=hq)
    redemptions = 0
    cards = dict(Card.objects.filter(state__in=[CardState.ISSUED, CardState.COLLECTED]).values_list("member_id", "card_no"))
    managers = dict(ClubMember.objects.filter(customer__account_manager__isnull=False)
                    .values_list("pk", "customer__account_manager__user_id"))
    from django.contrib.auth import get_user_model

    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=set(managers.values()))}
    for period in months:
        run_at = timezone.make_aware(datetime.datetime.combine(
            (period + datetime.timedelta(days=32)).replace(day=1), datetime.time(4, 10)))
        if run_at >= now:
            break
        with _at(run_at):
            points_run(period=period)
            ledger.expire_due()
        # Redemptions during the following month.
        month_end = min(now - datetime.timedelta(hours=1), run_at + datetime.timedelta(days=27))
        for m in rnd.sample(members, k=max(3, len(members) // 25)):
            if m.pk not in cards:
                continue
            moment = run_at + (month_end - run_at) * rnd.random()
            code = rnd.choice(("FEE10", "FEE10", "FEE50", "MIN100", "VIDEO", "POWER", "LOUNGE", "CASE"))
            kind = rnd.choice((ChannelKind.STAFF, ChannelKind.PORTAL, ChannelKind.POS, ChannelKind.POS))
            actor = users.get(managers.get(m.pk)) if kind == ChannelKind.STAFF else None
            if kind == ChannelKind.STAFF and actor is None:
                kind = ChannelKind.PORTAL
            with _at(moment):
                try:
                    redemption, _created = redeeming.redeem(
                        actor=actor, card_no=cards[m.pk], item=code, quantity=1, channel_kind=kind,
                        channel=channel if kind == ChannelKind.POS else None,
                        idempotency_key=f"demo-{period:%Y%m}-{m.pk}", location="新街口营业厅" if kind == ChannelKind.POS else "",
                    )
                    redemptions += 1
                except (InsufficientPoints, MonthlyLimitReached):
                    continue
                except Exception as exc:  # items a level may not have
                    if getattr(exc, "code", "") != "item_not_for_level":
                        raise
                    continue
            if rnd.random() < 0.03:
                with _at(moment + datetime.timedelta(hours=3)):
                    redeeming.redemption_reverse(actor=club, redemption=redemption, reason="客户反映话费未到账，冲正后重新办理")
    # Adjustments: requested by the club, approved by the province director.
    with _at(now - datetime.timedelta(days=3)):
        for m in rnd.sample(members, k=min(6, len(members))):
            adjustment = services.adjustment_request(actor=club, member=m, points=rnd.choice((200, 500, -100)),
                                                     reason=rnd.choice(("俱乐部活动积分补录", "投诉补偿", "重复累计冲减")))
            if rnd.random() < 0.7:
                try:
                    services.adjustment_decide(actor=director, adjustment=adjustment, approve=True)
                except InsufficientPoints:
                    continue
    # The story's card: the first diamond member holds at least 50,000 points.
    first = Card.objects.select_related("member").filter(card_no=f"{param('club.card_prefix')}00000001").first()
    if first is not None:
        balance = PointsAccount.objects.get(pk=first.member_id).balance
        if balance < 52_000:
            with transaction.atomic():
                ledger.credit(member=first.member, points=52_000 - balance + rnd.randint(0, 3000),
                              category=PointsCategory.ADJUSTMENT, reference="migration:topup", reason="历史积分迁移（补录）",
                              actor=hq, approver=director)
    # Members who pre-selected an automatic monthly redemption (CLUB-16).
    chosen = [m.pk for m in rnd.sample(members, k=max(1, len(members) // 20))]
    ClubMember.objects.filter(pk__in=chosen).update(auto_redeem_item=items["MIN100"])
    from kams.club.jobs import expiry_warnings

    expiry_warnings()
    return redemptions
