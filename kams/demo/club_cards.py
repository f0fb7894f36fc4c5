"""The card stock of the demo province and member cards issued from it (CLUB-07, CLUB-08),
through the services of ``kams.cards``:

* blanks of every level taken into stock at the province (one range per level, ``JSD…`` for
  diamond, ``JSE…`` emerald, ``JSS…`` sapphire), then distributed to every city — enough for
  the city's applied cards and a stock for the months ahead;
* a few transfers between cities, returns to the province, voids of damaged blanks;
* one stocktake in Nanjing that finds two diamond blanks short (and one in another city that
  agrees with the book);
* every applied card of a member issued from the stock of the member's city, set-based.

Members (``ClubMember``) and their cards must exist before this step.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.utils import timezone

from kams.cards import services
from kams.cards.models import BlankMove, BlankRange, Stocktake
from kams.club.enums import CardState
from kams.club.models import Card, ClubLevel
from kams.org.enums import RoleCode, UnitKind
from kams.org.models import OrgUnit, Staff

if TYPE_CHECKING:
    from kams.demo.generator import DemoContext

PREFIX = {"DIAMOND": "JSD", "EMERALD": "JSE", "SAPPHIRE": "JSS"}
# Blanks a city keeps beyond its applied cards, per level, for size "small".
CITY_STOCK = {"DIAMOND": 60, "EMERALD": 150, "SAPPHIRE": 300}
VOID_REASONS = ["芯片损坏", "印刷错位", "运输途中折损", "磁条失效"]


def _club_user(province: OrgUnit):
    staff = (Staff.objects.filter(user__username="js_club").first()
             or Staff.objects.filter(roles__code=RoleCode.CLUB_STAFF, org_unit__path__startswith=province.path,
                                     is_active=True).order_by("pk").first())
    if staff is None:
        return None
    return get_user_model().objects.select_related("staff").get(pk=staff.user_id)


def build(ctx: DemoContext) -> int:
    province = OrgUnit.objects.filter(kind=UnitKind.PROVINCE).order_by("path").first()
    if province is None:
        return 0
    actor = _club_user(province)
    if actor is None:
        return 0
    rnd, factor = ctx.random, ctx.factor
    levels = {lv.code: lv for lv in ClubLevel.objects.all() if lv.code in PREFIX}
    cities = list(OrgUnit.objects.filter(kind=UnitKind.CITY, path__startswith=province.path).order_by("path"))
    if not levels or not cities:
        return 0
    before = BlankRange.objects.count() + BlankMove.objects.count() + Stocktake.objects.count()

    # What every city needs: its applied cards by level, and a stock for the months ahead.
    applied = list(Card.objects.filter(state=CardState.APPLIED, member__customer__org_unit__path__startswith=province.path)
                   .values_list("pk", "level__code", "member__customer__org_unit__path"))
    need: dict[tuple[int, str], list[int]] = defaultdict(list)
    for pk, code, path in applied:
        city = next((c for c in cities if path.startswith(c.path)), None)
        if city is not None and code in levels:
            need[(city.pk, code)].append(pk)
    allot = {(c.pk, code): len(need[(c.pk, code)]) + int(CITY_STOCK[code] * factor * rnd.uniform(0.7, 1.3))
             for c in cities for code in levels}

    # 会员卡入库: one range per level at the province, a reserve of a fifth kept there.
    year = timezone.localdate().year
    for code, level in levels.items():
        total = sum(allot[(c.pk, code)] for c in cities)
        total += total // 5
        first = year * 1_000_000 + 1
        existing = BlankRange.objects.filter(prefix=PREFIX[code], width=10).order_by("-last").values_list("last", flat=True).first()
        if existing:
            first = existing + 1
        services.blanks_stock_in(actor=actor, level=level, first=f"{PREFIX[code]}{first:010d}",
                                 last=f"{PREFIX[code]}{first + total - 1:010d}", unit=province,
                                 note=f"{year}年第一批会员卡入库")
    # 会员卡发放 to every city.
    for city in cities:
        for code, level in levels.items():
            services.blanks_distribute(actor=actor, from_unit=province, to_unit=city, level=level,
                                       count=allot[(city.pk, code)], note=f"{city.name}季度用卡")
    # Issue the applied cards from their city's stock, before the stock moves on.
    for city in cities:
        pks = [pk for code in levels for pk in need[(city.pk, code)]]
        if pks:
            services.cards_issue_batch(actor=actor, unit=city, cards=list(Card.objects.filter(pk__in=pks)))
    # 会员卡调节 between cities, 退回 to the province, 作废 of damaged blanks.
    for _n in range(min(3, len(cities) - 1)):
        source, target = rnd.sample(cities, 2)
        code = rnd.choice(list(levels))
        count = min(rnd.randint(10, 30), services.in_stock_by_level(source).get(levels[code].pk, 0))
        if count > 0:
            services.blanks_transfer(actor=actor, from_unit=source, to_unit=target, level=levels[code], count=count,
                                     note=f"{target.name}临时缺卡")
    for city in rnd.sample(cities, min(2, len(cities))):
        count = min(rnd.randint(5, 20), services.in_stock_by_level(city).get(levels["SAPPHIRE"].pk, 0) if "SAPPHIRE" in levels else 0)
        if count > 0:
            services.blanks_return(actor=actor, from_unit=city, level=levels["SAPPHIRE"], count=count, note="用卡计划调整退回")
    for city in rnd.sample(cities, min(3, len(cities))):
        lowest = (BlankRange.objects.filter(org_unit=city, state="in_stock").order_by("prefix", "width", "first").first())
        if lowest is not None:
            last = min(lowest.last, lowest.first + rnd.randint(0, 3))
            services.blanks_void(actor=actor, unit=city, first=lowest.first_serial,
                                 last=f"{lowest.prefix}{last:0{lowest.width}d}", reason=rnd.choice(VOID_REASONS))
    # 会员卡盘存: Nanjing finds two diamond blanks short; another city agrees with the book.
    counted = [next((c for c in cities if c.code == "NJ"), cities[0])]
    counted += [c for c in cities if c not in counted][:1]
    for index, city in enumerate(counted):
        book = services.in_stock_by_level(city)
        counts = {code: book.get(level.pk, 0) for code, level in levels.items()}
        if index == 0 and counts.get("DIAMOND", 0) >= 2:
            counts["DIAMOND"] -= 2
        services.stocktake_record(actor=actor, unit=city, counts=counts,
                                  note="季度会员卡盘点" + ("，钻石卡空白卡短少2张待查" if index == 0 else ""))
    return BlankRange.objects.count() + BlankMove.objects.count() + Stocktake.objects.count() - before
