"""Reads of the club statistics (俱乐部统计分析, CLUB-22) and of the points cost (积分成本, CLUB-17),
always scoped to the asking user: club staff see the province, a director his unit, an account
manager the members of his customers (``visible_to`` of each model).

One function per statistic, ``<name>_statistics(user, filters) -> dict[str, list[dict]]``: named
tables of plain rows (text, whole numbers, ``Decimal`` money), used by the pages, the Excel
exports and the API alike. Every table is one aggregate query (GROUP BY in the database), so
the number of queries of a statistic does not grow with the data.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Mapping

from django.db.models import Count, DateField, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, Substr, TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from kams.billing.models import BillSummary
from kams.club.enums import CardState, ChannelKind, ItemKind, MemberStatus, PointsCategory, PointsKind, RedemptionState
from kams.club.ledger import add_months
from kams.club.models import Card, ClubLevel, ClubMember, MemberLevelChange, PointsAccount, PointsEntry, Redemption
from kams.clubstats.enums import RateSource
from kams.core.errors import InvalidInput
from kams.org.enums import UnitKind
from kams.org.models import OrgUnit
from kams.org.scoping import scope_for
from kams.system.parameters import param

MAX_MONTHS = 120
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# Kinds of ledger entries that issue points (penalties and adjustments net them); spending,
# reversals and expiry are not issuance.
ISSUING_KINDS = (PointsKind.EARN, PointsKind.PENALTY, PointsKind.ADJUST)
BALANCE_BANDS = ((0, 0), (1, 999), (1000, 4999), (5000, 19999), (20000, None))
NETWORK_YEARS = (1, 3, 5, 10)  # 在网时长: < 1, 1–3, 3–5, 5–10, ≥ 10 years
MEMBER_YEARS = (1, 2, 3, 5)  # years in the club


# --- Filters -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatFilters:
    """Months ``since`` … ``until`` (first days, both included), a city (its districts
    included) and a level."""

    since: datetime.date
    until: datetime.date
    city: OrgUnit | None = None
    level: ClubLevel | None = None

    @property
    def end(self) -> datetime.date:
        """The first day after the last month."""
        return add_months(self.until, 1)

    @property
    def start_at(self) -> datetime.datetime:
        return _local_midnight(self.since)

    @property
    def end_at(self) -> datetime.datetime:
        return _local_midnight(self.end)

    def months(self) -> list[str]:
        out, month = [], self.since
        while month <= self.until:
            out.append(f"{month:%Y-%m}")
            month = add_months(month, 1)
        return out

    def query(self) -> dict[str, str]:
        """The filters as the query string of the pages and the API."""
        data = {"from": f"{self.since:%Y-%m}", "to": f"{self.until:%Y-%m}"}
        if self.city is not None:
            data["city"] = self.city.code
        if self.level is not None:
            data["level"] = self.level.code
        return data


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def parse_month(raw: Any, name: str) -> datetime.date | None:
    text = str(raw or "").strip()
    if not text:
        return None
    try:
        return datetime.datetime.strptime(text[:7], "%Y-%m").date()
    except ValueError:
        raise InvalidInput(_("%(field)s: give the month as YYYY-MM, e.g. 2026-10.") % {"field": name}) from None


def parse_filters(params: Mapping[str, Any], *, today: datetime.date | None = None) -> StatFilters:
    """The filters of a page or API request (``from``, ``to``: YYYY-MM; ``city``: code or id of
    a city; ``level``: level code). Default: the twelve months up to this one. Bad input:
    ``InvalidInput`` with a translated message."""
    today = today or timezone.localdate()
    until = parse_month(params.get("to"), "to") or today.replace(day=1)
    since = parse_month(params.get("from"), "from") or add_months(until, -11)
    if since > until:
        raise InvalidInput(_("from: the first month must not be after the last month."))
    if (until.year - since.year) * 12 + until.month - since.month >= MAX_MONTHS:
        raise InvalidInput(_("from: at most %(months)s months at a time.") % {"months": MAX_MONTHS})
    city = None
    raw_city = str(params.get("city") or "").strip()
    if raw_city:
        lookup = Q(code=raw_city) | Q(pk=int(raw_city)) if raw_city.isdigit() else Q(code=raw_city)
        city = OrgUnit.objects.filter(lookup, kind=UnitKind.CITY).first()
        if city is None:
            raise InvalidInput(_("city: there is no city %(city)s.") % {"city": raw_city})
    level = None
    raw_level = str(params.get("level") or "").strip()
    if raw_level:
        level = ClubLevel.objects.filter(code=raw_level.upper()).first()
        if level is None:
            raise InvalidInput(_("level: there is no level %(level)s.") % {"level": raw_level})
    return StatFilters(since=since, until=until, city=city, level=level)


def cities_for(user: Any) -> list[OrgUnit]:
    """The cities a user's figures can come from (for the city filter): those inside the scope
    and those the scope lies inside (a district's director sees his city)."""
    scope = scope_for(user)
    cities = list(OrgUnit.objects.filter(kind=UnitKind.CITY).order_by("path"))
    if scope.unrestricted:
        return cities
    return [c for c in cities if any(c.path.startswith(p) or p.startswith(c.path) for p in scope.prefixes)]


def _narrowed(queryset: QuerySet, f: StatFilters, member: str, level: str | None = None) -> QuerySet:
    """``queryset`` kept to the city and level of ``f``; ``member`` is the path to the member."""
    if f.city is not None:
        queryset = queryset.filter(**{f"{member}customer__org_unit__path__startswith": f.city.path})
    if f.level is not None:
        queryset = queryset.filter(**{level or f"{member}level": f.level})
    return queryset


# --- Small helpers -------------------------------------------------------------------------------


def _month_of(field: str) -> TruncMonth:
    """The month (its first day, in local time) of a date or date-time column."""
    return TruncMonth(field, output_field=DateField())


# The day points were earned for: the billed month of the monthly run, the earning date of a
# credited lot, else the day of the entry.
EARNED_DAY = Coalesce("period", "lot__earned_on", TruncDate("created_at"), output_field=DateField())


def month_key(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value[:7]
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{value:%Y-%m}"


def _money(value: Any) -> Decimal:
    return Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP)


def _ratio(part: Any, whole: Any, places: str = "0.01", scale: int = 1) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part or 0) * scale / Decimal(whole)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _int(value: Any) -> int:
    return int(value or 0)


def levels() -> list[ClubLevel]:
    return list(ClubLevel.objects.order_by("rank"))


def _city_of(path_field: str) -> Substr:
    """The city (depth 3: headquarters → province → city) of a unit path column."""
    return Substr(path_field, 1, OrgUnit.steplen * 3)


def _city_names(paths: set[str]) -> dict[str, str]:
    return dict(OrgUnit.objects.filter(path__in=paths).values_list("path", "name")) if paths else {}


def _redemption_totals() -> dict[str, Any]:
    return {"redemptions": Count("pk"), "quantity": Sum("quantity"), "points": Sum("points"), "cost": Sum("cost")}


def _redemption_row(row: dict) -> dict:
    return {"redemptions": _int(row["redemptions"]), "quantity": _int(row["quantity"]), "points": _int(row["points"]),
            "cost": _money(row["cost"])}


def _done_redemptions(user: Any, f: StatFilters) -> QuerySet:
    return _narrowed(Redemption.objects.visible_to(user), f, "member__").filter(
        state=RedemptionState.DONE, created_at__gte=f.start_at, created_at__lt=f.end_at
    ).order_by()


def _member_bills(user: Any, f: StatFilters) -> QuerySet:
    """Bills of the months of ``f`` that earn points for an active member (the member's number,
    or every number of the customer when the member has none) — each bill once."""
    earning = ClubMember.objects.filter(customer=OuterRef("customer"), status=MemberStatus.ACTIVE).filter(
        Q(msisdn="") | Q(msisdn=OuterRef("msisdn"))
    )
    if f.level is not None:
        earning = earning.filter(level=f.level)
    bills = BillSummary.objects.visible_to(user).filter(period__gte=f.since, period__lt=f.end).filter(Exists(earning))
    if f.city is not None:
        bills = bills.filter(customer__org_unit__path__startswith=f.city.path)
    return bills.order_by()


def _by_month(rows: list[dict], months: list[str], empty: dict) -> list[dict]:
    """One row per month of the range, months without data filled with ``empty``."""
    found = {r["month"]: r for r in rows}
    return [found.get(m) or {"month": m, **empty} for m in months]


# --- 13.1 会员积分情况分析 ------------------------------------------------------------------------


def points_statistics(user: Any, f: StatFilters) -> dict[str, list[dict]]:
    """Points issued per month and category, balances per level (with their distribution in
    bands), points expired per month and level."""
    entries = _narrowed(PointsEntry.objects.visible_to(user), f, "account__member__").order_by()
    labels = dict(PointsCategory.choices)
    earned = [
        {"month": month_key(r["month"]), "category": r["category"], "category_label": str(labels.get(r["category"], r["category"])),
         "points": _int(r["points"]), "members": _int(r["members"])}
        for r in entries.filter(kind__in=ISSUING_KINDS).annotate(day=EARNED_DAY).filter(day__gte=f.since, day__lt=f.end)
        .annotate(month=_month_of("day")).values("month", "category")
        .annotate(points=Sum("points"), members=Count("account", distinct=True)).order_by("month", "category")
    ]
    bands = {
        f"band_{i}": Count("pk", filter=Q(balance__gte=lo) & (Q(balance__lte=hi) if hi is not None else Q()))
        for i, (lo, hi) in enumerate(BALANCE_BANDS)
    }
    accounts = _narrowed(PointsAccount.objects.visible_to(user), f, "member__").order_by()
    balances = []
    for r in (accounts.values("member__level__code", "member__level__name", "member__level__rank")
              .annotate(members=Count("pk"), sum_balance=Sum("balance"), sum_earned=Sum("earned"),
                        sum_spent=Sum("spent"), sum_expired=Sum("expired"), **bands).order_by("member__level__rank")):
        balances.append({
            "level": r["member__level__code"], "level_name": r["member__level__name"], "members": r["members"],
            "balance": _int(r["sum_balance"]), "average": int(_ratio(r["sum_balance"], r["members"], "1") or 0),
            "earned": _int(r["sum_earned"]), "spent": _int(r["sum_spent"]), "expired": _int(r["sum_expired"]),
            **{key: _int(r[key]) for key in bands},
        })
    expired = [
        {"month": month_key(r["month"]), "level": r["account__member__level__code"],
         "level_name": r["account__member__level__name"], "points": -_int(r["points"]), "lots": r["lots"]}
        for r in entries.filter(kind=PointsKind.EXPIRE, created_at__gte=f.start_at, created_at__lt=f.end_at)
        .annotate(month=_month_of("created_at"))
        .values("month", "account__member__level__code", "account__member__level__name", "account__member__level__rank")
        .annotate(points=Sum("points"), lots=Count("pk")).order_by("month", "account__member__level__rank")
    ]
    return {"earned": earned, "balances": balances, "expired": expired}


# --- 13.2 积分消费情况分析 ------------------------------------------------------------------------


def redemption_statistics(user: Any, f: StatFilters) -> dict[str, list[dict]]:
    """Redemptions (reversed ones excluded) per month, item kind and channel, and the items
    redeemed most."""
    done = _done_redemptions(user, f)
    totals = _redemption_totals()
    empty = {"redemptions": 0, "quantity": 0, "points": 0, "cost": ZERO}
    by_month = _by_month(
        [{"month": month_key(r["month"]), **_redemption_row(r)}
         for r in done.annotate(month=_month_of("created_at")).values("month").annotate(**totals).order_by("month")],
        f.months(), empty,
    )
    kinds, channels = dict(ItemKind.choices), dict(ChannelKind.choices)
    by_kind = [
        {"kind": r["item__kind"], "kind_label": str(kinds.get(r["item__kind"], r["item__kind"])), **_redemption_row(r)}
        for r in done.values("item__kind").annotate(**totals).order_by("-points", "item__kind")
    ]
    by_channel = [
        {"channel": r["channel_kind"], "channel_label": str(channels.get(r["channel_kind"], r["channel_kind"])),
         **_redemption_row(r)}
        for r in done.values("channel_kind").annotate(**totals).order_by("-points", "channel_kind")
    ]
    top_items = [
        {"item": r["item__code"], "item_name": r["item__name"], "kind_label": str(kinds.get(r["item__kind"], "")),
         **_redemption_row(r)}
        for r in done.values("item__code", "item__name", "item__kind").annotate(**totals)
        .order_by("-redemptions", "-points", "item__code")[:10]
    ]
    return {"by_month": by_month, "by_kind": by_kind, "by_channel": by_channel, "top_items": top_items}


# --- 13.3 会员消费行为分析 ------------------------------------------------------------------------


def consumption_statistics(user: Any, f: StatFilters) -> dict[str, list[dict]]:
    """Per month and level: the active members billed, what they paid (their bills), the points
    the monthly run gave them for those bills, and points per yuan paid."""
    member_q = Q(customer__club_members__status=MemberStatus.ACTIVE) & (
        Q(customer__club_members__msisdn="") | Q(msisdn=F("customer__club_members__msisdn"))
    )
    if f.level is not None:
        member_q &= Q(customer__club_members__level=f.level)
    bills = BillSummary.objects.visible_to(user).filter(period__gte=f.since, period__lt=f.end)
    if f.city is not None:
        bills = bills.filter(customer__org_unit__path__startswith=f.city.path)
    paid = {
        (month_key(r["period"]), r["level"]): r
        for r in bills.filter(member_q).order_by().values("period", level=F("customer__club_members__level"))
        .annotate(members=Count("customer__club_members", distinct=True), billed=Sum("total"), paid=Sum("paid"))
    }
    entries = _narrowed(PointsEntry.objects.visible_to(user), f, "account__member__").order_by()
    points = {
        (month_key(r["month"]), r["level"]): _int(r["points"])
        for r in entries.filter(run__period__gte=f.since, run__period__lt=f.end)
        .values(month=F("run__period"), level=F("account__member__level")).annotate(points=Sum("points"))
    }
    names = {lv.pk: lv for lv in levels()}
    rows = []
    for month, level_id in sorted(set(paid) | set(points), key=lambda k: (k[0], names[k[1]].rank if k[1] in names else 0)):
        bill = paid.get((month, level_id), {})
        members, amount, issued = _int(bill.get("members")), _money(bill.get("paid")), points.get((month, level_id), 0)
        level = names.get(level_id)
        rows.append({
            "month": month, "level": level.code if level else "", "level_name": level.name if level else "",
            "members": members, "billed": _money(bill.get("billed")), "paid": amount,
            "average_paid": _money(_ratio(amount, members)) if members else ZERO, "points": issued,
            "points_per_yuan": _ratio(issued, amount),
        })
    return {"by_month_level": rows}


# --- 13.4 会员分布情况分析 ------------------------------------------------------------------------


def distribution_statistics(user: Any, f: StatFilters) -> dict[str, list[dict]]:
    """Active members per city and level (now), members joining and leaving per month."""
    members = _narrowed(ClubMember.objects.visible_to(user), f, "").order_by()
    level_list = levels()
    counts = list(
        members.filter(status=MemberStatus.ACTIVE).annotate(city=_city_of("customer__org_unit__path"))
        .values("city", "level").annotate(n=Count("pk"))
    )
    names = _city_names({r["city"] for r in counts})
    by_city: dict[str, dict] = {}
    for r in counts:
        row = by_city.setdefault(r["city"], {"city_name": names.get(r["city"], r["city"]), "total": 0,
                                             **{f"level_{lv.code}": 0 for lv in level_list}})
        code = next((lv.code for lv in level_list if lv.pk == r["level"]), "")
        row[f"level_{code}"] = row.get(f"level_{code}", 0) + r["n"]
        row["total"] += r["n"]
    by_city_rows = [by_city[k] for k in sorted(by_city)]
    joins = {
        month_key(r["month"]): r["n"]
        for r in members.filter(joined_on__gte=f.since, joined_on__lt=f.end).annotate(month=_month_of("joined_on"))
        .values("month").annotate(n=Count("pk"))
    }
    changes = _narrowed(MemberLevelChange.objects.visible_to(user), f, "member__").order_by()
    leaves = {
        month_key(r["month"]): r["n"]
        for r in changes.filter(new_status__in=[MemberStatus.SUSPENDED, MemberStatus.CANCELLED],
                                created_at__gte=f.start_at, created_at__lt=f.end_at)
        .exclude(old_status=F("new_status")).annotate(month=_month_of("created_at")).values("month")
        .annotate(n=Count("member", distinct=True))
    }
    movement = [{"month": m, "joined": joins.get(m, 0), "left": leaves.get(m, 0), "net": joins.get(m, 0) - leaves.get(m, 0)}
                for m in f.months()]
    return {"by_city": by_city_rows, "movement": movement}


# --- 13.8 会员卡统计分析 --------------------------------------------------------------------------


def cards_statistics(user: Any, f: StatFilters) -> dict[str, list[dict]]:
    """Cards per level and state (now), cards issued per month and level."""
    cards = _narrowed(Card.objects.visible_to(user), f, "member__", level="level").order_by()
    level_list = levels()
    by_level = {lv.pk: {"level": lv.code, "level_name": lv.name, "total": 0, **{f"state_{s}": 0 for s in CardState.values}}
                for lv in level_list}
    for r in cards.values("level", "state").annotate(n=Count("pk")):
        row = by_level.get(r["level"])
        if row is not None:
            row[f"state_{r['state']}"] += r["n"]
            row["total"] += r["n"]
    issued: dict[str, dict] = {}
    for r in (cards.filter(issued_at__gte=f.start_at, issued_at__lt=f.end_at).annotate(month=_month_of("issued_at"))
              .values("month", "level").annotate(n=Count("pk"))):
        row = issued.setdefault(month_key(r["month"]), {"total": 0, **{f"level_{lv.code}": 0 for lv in level_list}})
        code = next((lv.code for lv in level_list if lv.pk == r["level"]), "")
        row[f"level_{code}"] = row.get(f"level_{code}", 0) + r["n"]
        row["total"] += r["n"]
    empty = {"total": 0, **{f"level_{lv.code}": 0 for lv in level_list}}
    return {
        "by_level_state": [row for row in by_level.values() if row["total"]],
        "issued": [{"month": m, **issued.get(m, empty)} for m in f.months()],
    }


# --- 13.7 会员信息统计分析 ------------------------------------------------------------------------


def _year_bands(field: str, years: tuple[int, ...], today: datetime.date) -> dict[str, Count]:
    """Count filters of members by whole years since ``field``: below the first bound, between
    bounds, at or above the last, unknown."""
    def years_ago(n: int) -> datetime.date:
        return add_months(today, -12 * n)

    bands = {f"band_{0}": Count("pk", filter=Q(**{f"{field}__gt": years_ago(years[0])}))}
    for i, (lo, hi) in enumerate(zip(years, years[1:]), start=1):
        bands[f"band_{i}"] = Count("pk", filter=Q(**{f"{field}__lte": years_ago(lo), f"{field}__gt": years_ago(hi)}))
    bands[f"band_{len(years)}"] = Count("pk", filter=Q(**{f"{field}__lte": years_ago(years[-1])}))
    bands["unknown"] = Count("pk", filter=Q(**{f"{field}__isnull": True}))
    return bands


def members_statistics(user: Any, f: StatFilters, *, today: datetime.date | None = None) -> dict[str, list[dict]]:
    """Members per status and level; active members per level by years on the network and by
    years in the club."""
    today = today or timezone.localdate()
    members = _narrowed(ClubMember.objects.visible_to(user), f, "").order_by()
    level_list = levels()
    statuses = dict(MemberStatus.choices)
    by_status = {s: {"status": s, "status_label": str(statuses[s]), "total": 0, **{f"level_{lv.code}": 0 for lv in level_list}}
                 for s in MemberStatus.values}
    codes = {lv.pk: lv.code for lv in level_list}
    for r in members.values("status", "level").annotate(n=Count("pk")):
        row = by_status[r["status"]]
        row[f"level_{codes.get(r['level'], '')}"] = row.get(f"level_{codes.get(r['level'], '')}", 0) + r["n"]
        row["total"] += r["n"]
    active = members.filter(status=MemberStatus.ACTIVE)

    def banded(field: str, years: tuple[int, ...]) -> list[dict]:
        rows = []
        for r in (active.values("level__code", "level__name", "level__rank")
                  .annotate(members=Count("pk"), **_year_bands(field, years, today)).order_by("level__rank")):
            rows.append({"level": r["level__code"], "level_name": r["level__name"], "members": r["members"],
                         **{k: r[k] for k in r if k.startswith("band_") or k == "unknown"}})
        return rows

    return {
        "by_status": [row for row in by_status.values() if row["total"]],
        "network_tenure": banded("network_since", NETWORK_YEARS),
        "club_tenure": banded("joined_on", MEMBER_YEARS),
    }


# --- CLUB-17 积分成本: rates from history ----------------------------------------------------------


def history_window(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The last 12 months: this month and the eleven before it (first day, first day after)."""
    this_month = (today or timezone.localdate()).replace(day=1)
    return add_months(this_month, -11), add_months(this_month, 1)


def cost_per_point(user: Any, f: StatFilters | None = None, *, today: datetime.date | None = None) -> dict[str, Any]:
    """积分成本单价: the cost of the redemptions of the last 12 months (reversed ones excluded)
    per point redeemed, in the user's scope; without redemptions the parameter
    ``club.point_value_yuan``."""
    since, end = history_window(today)
    done = Redemption.objects.visible_to(user).filter(
        state=RedemptionState.DONE, created_at__gte=_local_midnight(since), created_at__lt=_local_midnight(end)
    )
    if f is not None:
        done = _narrowed(done, f, "member__")
    totals = done.order_by().aggregate(cost=Sum("cost"), points=Sum("points"))
    window = f"{since:%Y-%m} – {add_months(end, -1):%Y-%m}"
    if totals["points"]:
        value = (Decimal(totals["cost"] or 0) / Decimal(totals["points"])).quantize(Decimal("0.000001"))
        return {"value": value, "source": RateSource.HISTORY, "window": window, "cost": _money(totals["cost"]),
                "points": _int(totals["points"])}
    return {"value": Decimal(param("club.point_value_yuan")), "source": RateSource.PARAMETER, "window": window,
            "cost": ZERO, "points": 0}


def redemption_rate(user: Any, *, today: datetime.date | None = None) -> dict[str, Any]:
    """积分兑换率: the points redeemed in the last 12 months (reversed ones excluded) as a share
    of the points issued in them, in the user's scope, at most 1; without issued points 1 (all
    points assumed redeemed: the prudent figure)."""
    since, end = history_window(today)
    start_at, end_at = _local_midnight(since), _local_midnight(end)
    redeemed = Redemption.objects.visible_to(user).filter(
        state=RedemptionState.DONE, created_at__gte=start_at, created_at__lt=end_at
    ).order_by().aggregate(points=Sum("points"))["points"] or 0
    issued = PointsEntry.objects.visible_to(user).filter(kind=PointsKind.EARN).annotate(day=EARNED_DAY).filter(
        day__gte=since, day__lt=end
    ).order_by().aggregate(points=Sum("points"))["points"] or 0
    window = f"{since:%Y-%m} – {add_months(end, -1):%Y-%m}"
    if issued <= 0:
        return {"value": Decimal("1"), "source": RateSource.ASSUMED, "window": window, "redeemed": redeemed, "issued": 0}
    value = min(Decimal("1"), (Decimal(redeemed) / Decimal(issued)).quantize(Decimal("0.0001")))
    return {"value": value, "source": RateSource.HISTORY, "window": window, "redeemed": redeemed, "issued": issued}


# --- CLUB-17 a) 积分消费成本核算 -------------------------------------------------------------------


def cost_statistics(user: Any, f: StatFilters, *, today: datetime.date | None = None) -> dict[str, list[dict]]:
    """Cost of redemptions per month, item kind, city and in detail (month × item × city);
    reversals apart (in the month they were reversed); the points liability: the outstanding
    points valued at the cost per point."""
    done = _done_redemptions(user, f)
    totals = _redemption_totals()
    empty = {"redemptions": 0, "quantity": 0, "points": 0, "cost": ZERO}
    by_month = _by_month(
        [{"month": month_key(r["month"]), **_redemption_row(r)}
         for r in done.annotate(month=_month_of("created_at")).values("month").annotate(**totals).order_by("month")],
        f.months(), empty,
    )
    kinds = dict(ItemKind.choices)
    by_kind = [
        {"kind": r["item__kind"], "kind_label": str(kinds.get(r["item__kind"], r["item__kind"])), **_redemption_row(r)}
        for r in done.values("item__kind").annotate(**totals).order_by("-cost", "item__kind")
    ]
    city = _city_of("member__customer__org_unit__path")
    city_rows = list(done.annotate(city=city).values("city").annotate(**totals).order_by("city"))
    detail_rows = list(
        done.annotate(month=_month_of("created_at"), city=city)
        .values("month", "item__kind", "item__code", "item__name", "city").annotate(**totals)
        .order_by("month", "item__kind", "item__code", "city")
    )
    names = _city_names({r["city"] for r in city_rows} | {r["city"] for r in detail_rows})
    by_city = [{"city_name": names.get(r["city"], r["city"]), **_redemption_row(r)} for r in city_rows]
    detail = [
        {"month": month_key(r["month"]), "kind_label": str(kinds.get(r["item__kind"], r["item__kind"])),
         "item": r["item__code"], "item_name": r["item__name"], "city_name": names.get(r["city"], r["city"]),
         **_redemption_row(r)}
        for r in detail_rows
    ]
    reversed_ = _narrowed(Redemption.objects.visible_to(user), f, "member__").filter(
        state=RedemptionState.REVERSED, reversed_at__gte=f.start_at, reversed_at__lt=f.end_at
    ).order_by()
    reversals = [
        {"month": month_key(r["month"]), **_redemption_row(r)}
        for r in reversed_.annotate(month=_month_of("reversed_at")).values("month").annotate(**totals).order_by("month")
    ]
    return {"by_month": by_month, "by_kind": by_kind, "by_city": by_city, "detail": detail, "reversals": reversals,
            "liability": [points_liability(user, f, today=today)]}


def points_liability(user: Any, f: StatFilters, *, today: datetime.date | None = None) -> dict[str, Any]:
    """积分负债: the points members hold now, valued at the cost per point."""
    accounts = _narrowed(PointsAccount.objects.visible_to(user), f, "member__").order_by()
    held = accounts.aggregate(points=Sum("balance"), members=Count("pk", filter=Q(balance__gt=0)))
    rate = cost_per_point(user, f, today=today)
    points = _int(held["points"])
    return {
        "points": points, "members": _int(held["members"]), "cost_per_point": rate["value"],
        "source": rate["source"], "source_label": str(RateSource(rate["source"]).label), "window": rate["window"],
        "liability": _money(Decimal(points) * rate["value"]),
    }


# --- CLUB-17 c) 积分成本分析 -----------------------------------------------------------------------


def cost_analysis_statistics(user: Any, f: StatFilters) -> dict[str, list[dict]]:
    """Cost of redemptions per member by level (the level's active members now), and per month
    the cost against what the members paid (their bills)."""
    done = _done_redemptions(user, f)
    level_list = levels()
    spent = {
        r["member__level"]: r
        for r in done.values("member__level").annotate(redeemers=Count("member", distinct=True), **_redemption_totals())
    }
    members = {
        r["level"]: r["n"]
        for r in _narrowed(ClubMember.objects.visible_to(user), f, "").filter(status=MemberStatus.ACTIVE).order_by()
        .values("level").annotate(n=Count("pk"))
    }
    by_level = []
    for lv in level_list:
        if f.level is not None and lv.pk != f.level.pk:
            continue
        row = spent.get(lv.pk)
        cost = _money(row["cost"]) if row else ZERO
        count = members.get(lv.pk, 0)
        redeemers = row["redeemers"] if row else 0
        by_level.append({
            "level": lv.code, "level_name": lv.name, "members": count, "redeemers": redeemers,
            "points": _int(row["points"]) if row else 0, "cost": cost,
            "cost_per_member": _money(_ratio(cost, count)) if count else None,
            "cost_per_redeemer": _money(_ratio(cost, redeemers)) if redeemers else None,
        })
    costs = {
        month_key(r["month"]): r
        for r in done.annotate(month=_month_of("created_at")).values("month").annotate(**_redemption_totals())
    }
    paid = {month_key(r["period"]): r for r in _member_bills(user, f).values("period").annotate(paid=Sum("paid"), billed=Sum("total"))}
    by_month = []
    for month in f.months():
        cost = _money(costs[month]["cost"]) if month in costs else ZERO
        amount = _money(paid[month]["paid"]) if month in paid else ZERO
        by_month.append({
            "month": month, "points": _int(costs[month]["points"]) if month in costs else 0, "cost": cost,
            "billed": _money(paid[month]["billed"]) if month in paid else ZERO, "paid": amount,
            "cost_ratio": _ratio(cost, amount, "0.01", 100),
        })
    return {"by_level": by_level, "by_month": by_month}


STATISTICS = {
    "points": points_statistics,
    "redemption": redemption_statistics,
    "consumption": consumption_statistics,
    "distribution": distribution_statistics,
    "cards": cards_statistics,
    "members": members_statistics,
    "cost": cost_statistics,
    "cost_analysis": cost_analysis_statistics,
}
