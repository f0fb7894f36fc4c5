"""The member portal's reads. Every one takes the logged-in member and reads only that
member's rows: the portal has no other scope."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from kams.club.enums import PointsKind, RedemptionState
from kams.club.models import Card, ClubMember, PointsAccount, PointsEntry, PointsLot, Redemption
from kams.club.selectors import expiring_points, member_statement
from kams.system.parameters import param


def balance(member: ClubMember) -> int:
    return PointsAccount.objects.filter(pk=member.pk).values_list("balance", flat=True).first() or 0


def home(member: ClubMember, card: Card) -> dict[str, Any]:
    days = param("club.expiry_warning_days")
    expiring, first = expiring_points(member.pk, days=days)
    return {
        "balance": balance(member), "expiring": expiring, "expiring_first": first, "expiry_days": days,
        "today": timezone.localdate(), "card": card,
        "recent": list(entries(member).select_related("redemption__item")[:5]),
    }


def entries(member: ClubMember) -> QuerySet[PointsEntry]:
    """积分流水 of the member, newest first."""
    return PointsEntry.objects.filter(account_id=member.pk).order_by("-created_at", "-id")


def open_lots(member: ClubMember) -> QuerySet[PointsLot]:
    """The member's lots that still hold points and have not expired, earliest expiry first."""
    return PointsLot.objects.filter(account_id=member.pk, remaining__gt=0,
                                    expires_on__gte=timezone.localdate()).order_by("expires_on", "id")


def redemptions(member: ClubMember) -> QuerySet[Redemption]:
    return Redemption.objects.filter(member=member).select_related("item").order_by("-created_at", "-id")


def months(member: ClubMember, limit: int = 24) -> list[dict[str, Any]]:
    """Per month (newest first): points added, points taken, redemptions made — the list a
    member opens monthly statements from."""
    tz = timezone.get_current_timezone()
    rows: dict[datetime.date, dict[str, Any]] = {}
    figures = (
        entries(member).order_by().annotate(m=TruncMonth("created_at", tzinfo=tz)).values("m", "kind")
        .annotate(points=Sum("points"))
    )
    for row in figures:
        month = _month(row["m"])
        slot = rows.setdefault(month, {"month": month, "added": 0, "taken": 0, "redeemed": 0, "redemptions": 0})
        if row["points"] >= 0:
            slot["added"] += row["points"]
        else:
            slot["taken"] += -row["points"]
        if row["kind"] == PointsKind.SPEND:
            slot["redeemed"] += -row["points"]
    done = (
        Redemption.objects.filter(member=member, state=RedemptionState.DONE).order_by()
        .annotate(m=TruncMonth("created_at", tzinfo=tz)).values("m").annotate(n=Count("id"))
    )
    for row in done:
        month = _month(row["m"])
        rows.setdefault(month, {"month": month, "added": 0, "taken": 0, "redeemed": 0, "redemptions": 0})
        rows[month]["redemptions"] = row["n"]
    return sorted(rows.values(), key=lambda r: r["month"], reverse=True)[:limit]


def _month(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.date().replace(day=1)
    return value.replace(day=1)


def statement(member: ClubMember, month: datetime.date) -> dict[str, Any]:
    """月度帐单 of one month (the club's own statement)."""
    return member_statement(member, month)
