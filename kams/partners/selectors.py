"""Reads of the club's partners, every one scoped to the reader (ORG-03)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, Iterable

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from kams.club.enums import RedemptionState
from kams.club.models import Card, ClubMember
from kams.partners.enums import CouponState, Direction, LineKind
from kams.partners.models import (
    Appraisal,
    Coupon,
    CouponBatch,
    ExchangeImport,
    Partner,
    PartnerActivity,
    PartnerAgreement,
    PartnerExchange,
    PartnerOutlet,
    PartnerService,
    SettlementLine,
    SettlementStatement,
)

ZERO = Decimal("0")


def partners_for(user: Any) -> QuerySet[Partner]:
    return Partner.objects.visible_to(user).select_related("org_unit", "channel")


def agreements_for(user: Any) -> QuerySet[PartnerAgreement]:
    return PartnerAgreement.objects.visible_to(user).select_related("partner", "approved_by")


def activities_for(user: Any) -> QuerySet[PartnerActivity]:
    return PartnerActivity.objects.visible_to(user).select_related("partner").prefetch_related("levels")


def outlets_for(user: Any) -> QuerySet[PartnerOutlet]:
    return PartnerOutlet.objects.visible_to(user).select_related("partner")


def services_for(user: Any) -> QuerySet[PartnerService]:
    return PartnerService.objects.visible_to(user).select_related("partner", "item")


def batches_for(user: Any) -> QuerySet[CouponBatch]:
    """Coupon batches with their counts per state (one grouped query)."""
    return (CouponBatch.objects.visible_to(user).select_related("partner", "activity")
            .annotate(issued=Count("coupons", filter=Q(coupons__state__in=[CouponState.ISSUED, CouponState.REDEEMED])),
                      redeemed=Count("coupons", filter=Q(coupons__state=CouponState.REDEEMED)),
                      void=Count("coupons", filter=Q(coupons__state=CouponState.VOID)))
            .order_by("-created_at", "-pk"))


def coupons_for(user: Any) -> QuerySet[Coupon]:
    return Coupon.objects.visible_to(user).select_related("batch__partner", "member", "outlet")


def exchanges_for(user: Any) -> QuerySet[PartnerExchange]:
    return PartnerExchange.objects.visible_to(user).select_related("partner", "member", "card", "agreement", "redemption")


def effective(queryset: QuerySet[PartnerExchange]) -> QuerySet[PartnerExchange]:
    """Exchanges that count: an outbound one whose redemption was reversed does not."""
    return queryset.exclude(redemption__state=RedemptionState.REVERSED)


def imports_for(user: Any) -> QuerySet[ExchangeImport]:
    return ExchangeImport.objects.visible_to(user).select_related("partner", "created_by")


def statements_for(user: Any) -> QuerySet[SettlementStatement]:
    """Statements with the net of their adjustment lines."""
    adjustments = Q(lines__kind=LineKind.ADJUSTMENT)
    return (SettlementStatement.objects.visible_to(user).select_related("partner", "confirmed_by", "computed_by")
            .annotate(adj_receivable=Coalesce(Sum("lines__value", filter=adjustments & Q(lines__direction=Direction.INBOUND)), ZERO),
                      adj_payable=Coalesce(Sum("lines__value", filter=adjustments & Q(lines__direction=Direction.OUTBOUND)), ZERO))
            .order_by("-period", "partner__name", "pk"))


def statement_lines(statement: SettlementStatement) -> QuerySet[SettlementLine]:
    return statement.lines.select_related("agreement", "created_by").order_by("kind", "created_at", "direction", "pk")


def appraisals_for(user: Any) -> QuerySet[Appraisal]:
    return Appraisal.objects.visible_to(user).select_related("partner", "appraised_by")


def members_by_numbers(user: Any, numbers: Iterable[str]) -> tuple[list[ClubMember], list[str]]:
    """Members named by member or card number, in the reader's scope; and the numbers not found.
    Two queries whatever the count."""
    wanted = [n.strip() for n in numbers if n and n.strip()]
    by_member = {m.member_no: m for m in ClubMember.objects.visible_to(user).filter(member_no__in=wanted)}
    by_card = {c.card_no: c.member for c in Card.objects.visible_to(user).select_related("member")
               .filter(card_no__in=[n for n in wanted if n not in by_member])}
    found, missing = [], []
    for number in wanted:
        member = by_member.get(number) or by_card.get(number)
        if member is not None:
            found.append(member)
        else:
            missing.append(number)
    return found, missing


def partner_summary(partner: Partner) -> dict:
    """Exchange totals of one partner by direction (all time), for its page."""
    rows = (effective(PartnerExchange.objects.filter(partner=partner)).values("direction")
            .annotate(points=Sum("points"), amount=Sum("amount"), members=Count("member", distinct=True), n=Count("id")))
    summary = {d: {"points": 0, "amount": ZERO, "members": 0, "n": 0} for d in Direction.values}
    for r in rows:
        summary[r["direction"]] = {"points": r["points"] or 0, "amount": r["amount"] or ZERO, "members": r["members"],
                                   "n": r["n"]}
    return summary


def exchange_statistics(user: Any, *, since: datetime.date | None = None, until: datetime.date | None = None,
                        partner: Partner | None = None, direction: str = "") -> dict:
    """外部合作伙伴积分消费与积分互换统计 (13.9): points, amounts and members by partner, month
    and direction — grouped queries over the scoped exchanges, reversed redemptions left out."""
    queryset = effective(PartnerExchange.objects.visible_to(user))
    if since:
        queryset = queryset.filter(period__gte=since.replace(day=1))
    if until:
        queryset = queryset.filter(period__lte=until)
    if partner is not None:
        queryset = queryset.filter(partner=partner)
    if direction in Direction.values:
        queryset = queryset.filter(direction=direction)
    measures = {"points": Coalesce(Sum("points"), 0), "amount": Coalesce(Sum("amount"), ZERO),
                "members": Count("member", distinct=True), "exchanges": Count("id")}
    labels = dict(Direction.choices)
    rows = [
        {**r, "direction_label": labels.get(r["direction"], r["direction"])}
        for r in queryset.values("period", "partner_id", "partner__name", "direction").annotate(**measures)
        .order_by("period", "partner__name", "direction")
    ]
    by_month: dict[datetime.date, dict] = {}
    for r in queryset.values("period", "direction").annotate(**measures).order_by("period"):
        month = by_month.setdefault(r["period"], {"period": r["period"], "inbound": 0, "outbound": 0,
                                                  "inbound_amount": ZERO, "outbound_amount": ZERO})
        month[r["direction"]] = r["points"]
        month[f"{r['direction']}_amount"] = r["amount"]
    by_partner: dict[str, dict] = {}
    for r in queryset.values("partner__name", "direction").annotate(**measures).order_by("partner__name"):
        p = by_partner.setdefault(r["partner__name"], {"partner": r["partner__name"], "inbound": 0, "outbound": 0,
                                                       "inbound_amount": ZERO, "outbound_amount": ZERO,
                                                       "inbound_members": 0, "outbound_members": 0})
        p[r["direction"]] = r["points"]
        p[f"{r['direction']}_amount"] = r["amount"]
        p[f"{r['direction']}_members"] = r["members"]
    totals = {d: {"points": 0, "amount": ZERO, "members": 0, "exchanges": 0} for d in Direction.values}
    for r in queryset.values("direction").annotate(**measures):
        totals[r["direction"]] = {k: r[k] for k in ("points", "amount", "members", "exchanges")}
    return {"rows": rows, "by_month": list(by_month.values()), "by_partner": list(by_partner.values()), "totals": totals}
