"""Reads of points and redemptions, shared by pages, the staff API, the channel API and the
requests that arrive through headquarters from other provinces (CLUB-18, CLUB-21)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from kams.club.enums import RedemptionState
from kams.club.models import Card, ClubMember, PointsAccount, PointsEntry, PointsLot, Redemption
from kams.system.parameters import param


def mask_name(name: str) -> str:
    """张丽 → 张*; 欧阳修 → 欧**: what a POS or a partner may show."""
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def expiring_points(member_id: int, *, days: int | None = None, today: datetime.date | None = None) -> tuple[int, Any]:
    """Points of valid lots that expire in the next ``days`` days, and the first such date."""
    today = today or timezone.localdate()
    days = param("club.expiry_warning_days") if days is None else days
    lots = PointsLot.objects.filter(account_id=member_id, remaining__gt=0, expires_on__gte=today,
                                    expires_on__lte=today + datetime.timedelta(days=days))
    figures = lots.aggregate(points=Sum("remaining"))
    first = lots.order_by("expires_on").values_list("expires_on", flat=True).first()
    return figures["points"] or 0, first


def member_summary(card: Card, *, masked: bool = False) -> dict[str, Any]:
    """会员积分查询: what a desk, a POS, the portal or another province sees of a card."""
    member = card.member
    balance = PointsAccount.objects.filter(pk=member.pk).values_list("balance", flat=True).first() or 0
    expiring, expires_on = expiring_points(member.pk)
    return {
        "card_no": card.card_no,
        "card_state": card.state,
        "member_no": member.member_no,
        "name": mask_name(member.name) if masked else member.name,
        "level": member.level.code,
        "level_name": member.level.name,
        "roaming": member.level.roaming,
        "status": member.status,
        "points_balance": balance,
        "expiring_points": expiring,
        "expiring_on": expires_on,
    }


def member_statement(member: ClubMember, month: datetime.date) -> dict[str, Any]:
    """月度积分帐单: the month's entries by category, its redemptions, and the balances."""
    start = month.replace(day=1)
    end = (start + datetime.timedelta(days=32)).replace(day=1)
    tz = timezone.get_current_timezone()
    lo = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    hi = datetime.datetime.combine(end, datetime.time.min, tzinfo=tz)
    entries = PointsEntry.objects.filter(account_id=member.pk)
    opening = entries.filter(created_at__lt=lo).aggregate(s=Sum("points"))["s"] or 0
    month_entries = entries.filter(created_at__gte=lo, created_at__lt=hi)
    by_category = list(month_entries.values("kind", "category").annotate(points=Sum("points")).order_by("kind", "category"))
    redemptions = list(
        Redemption.objects.filter(member=member, created_at__gte=lo, created_at__lt=hi)
        .select_related("item").order_by("created_at")
    )
    change = month_entries.aggregate(s=Sum("points"))["s"] or 0
    return {"month": start, "opening": opening, "closing": opening + change, "by_category": by_category,
            "redemptions": redemptions}


def redemption_totals(queryset) -> dict[str, Any]:
    done = queryset.filter(state=RedemptionState.DONE)
    figures = done.aggregate(count=Count("id"), points=Sum("points"), cost=Sum("cost"))
    figures["reversed"] = queryset.filter(state=RedemptionState.REVERSED).count()
    return figures


def ledger_check(member_ids: list[int] | None = None) -> list[dict[str, Any]]:
    """Accounts whose balance differs from the sum of their entries or of their lots'
    remaining points: the ledger's reconciliation (should always be empty)."""
    accounts = PointsAccount.objects.all()
    if member_ids is not None:
        accounts = accounts.filter(pk__in=member_ids)
    entries = dict(PointsEntry.objects.filter(account__in=accounts).values_list("account_id").annotate(s=Sum("points")).order_by())
    lots = dict(PointsLot.objects.filter(account__in=accounts).values_list("account_id").annotate(s=Sum("remaining")).order_by())
    wrong = []
    for pk, balance in accounts.values_list("pk", "balance"):
        if balance != (entries.get(pk) or 0) or balance != (lots.get(pk) or 0):
            wrong.append({"member": pk, "balance": balance, "entries": entries.get(pk) or 0, "lots": lots.get(pk) or 0})
    return wrong


def members_with_points(user: Any) -> Any:
    return ClubMember.objects.visible_to(user).filter(~Q(points__balance=0))
