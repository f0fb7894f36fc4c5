"""Reads of the mobile terminal domain, always inside the reader's scope."""

from __future__ import annotations

import datetime
from typing import Any

from django.apps import apps
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth

from kams.terminals.enums import AnomalyKind, AnomalyStatus
from kams.terminals.models import Anomaly, HandsetModel, ObservationImport, SubsidisedSale, SubsidyLevel


def models_for(user: Any) -> QuerySet[HandsetModel]:
    return HandsetModel.objects.visible_to(user)


def levels_for(user: Any) -> QuerySet[SubsidyLevel]:
    return SubsidyLevel.objects.visible_to(user).select_related("handset_model")


def sales_for(user: Any) -> QuerySet[SubsidisedSale]:
    return SubsidisedSale.objects.visible_to(user).select_related("agent", "org_unit", "handset_model", "level", "item")


def imports_for(user: Any) -> QuerySet[ObservationImport]:
    return ObservationImport.objects.visible_to(user).select_related("created_by")


def anomalies_for(user: Any) -> QuerySet[Anomaly]:
    return Anomaly.objects.visible_to(user).select_related("sale", "agent", "org_unit", "batch", "reviewed_by")


def handset_path(user: Any, sale: SubsidisedSale) -> list[dict]:
    """The way of the handset: stock → agent pickup → sale → subscriber. The moves come from
    the resource movement ledger (``resources.Movement``); the sale closes the path."""
    steps: list[dict] = []
    try:
        movement = apps.get_model("resources", "Movement")
    except LookupError:  # pragma: no cover - the ledger predates this app in every release
        movement = None
    if movement is not None:
        for move in (movement.objects.filter(item_id=sale.item_id)
                     .select_related("from_unit", "to_unit", "from_agent", "to_agent").order_by("at", "pk")):
            steps.append({
                "at": move.at, "what": move.get_kind_display(),
                "where": " → ".join(x for x in (
                    str(move.from_agent or move.from_unit or ""), str(move.to_agent or move.to_unit or "")) if x),
            })
    steps.append({"at": sale.created_at, "what": str(SubsidisedSale._meta.verbose_name),
                  "where": f"{sale.agent} → {sale.msisdn}"})
    return steps


def _period(period: Any) -> tuple[datetime.date, datetime.date]:
    """A month (any date in it) or a (first, last) pair of dates."""
    if isinstance(period, (tuple, list)):
        return period[0], period[1]
    first = period.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return first, following - datetime.timedelta(days=1)


def anomalies_by_agent(period: Any, *, user: Any = None) -> list[dict]:
    """窜机窜卡 flags per agent first seen in ``period`` (a month given by any of its dates, or
    a pair of dates), dismissed flags left out — for the agents' evaluation. ``user`` limits
    the count to their scope; without it, every agent counts. Rows: agent_id, agent_code,
    agent_name, handset_moved, sim_moved, confirmed, total; most flags first."""
    first, last = _period(period)
    queryset = Anomaly.objects.visible_to(user) if user is not None else Anomaly.objects.all()
    rows = (
        queryset.filter(first_seen__range=(first, last)).exclude(status=AnomalyStatus.DISMISSED)
        .values("agent_id", "agent__code", "agent__name")
        .annotate(
            handset_moved=Count("pk", filter=Q(kind=AnomalyKind.HANDSET_MOVED)),
            sim_moved=Count("pk", filter=Q(kind=AnomalyKind.SIM_MOVED)),
            confirmed=Count("pk", filter=Q(status=AnomalyStatus.CONFIRMED)),
            total=Count("pk"),
        ).order_by("-total", "agent__code")
    )
    return [{"agent_id": r["agent_id"], "agent_code": r["agent__code"], "agent_name": r["agent__name"],
             "handset_moved": r["handset_moved"], "sim_moved": r["sim_moved"], "confirmed": r["confirmed"],
             "total": r["total"]} for r in rows]


def anomaly_chart(user: Any, *, months: int = 12, today: datetime.date) -> dict:
    """Flags per month by kind over the last ``months`` months, and per agent (top 15)."""
    start = today.replace(day=1)
    for _step in range(months - 1):
        start = (start - datetime.timedelta(days=1)).replace(day=1)
    scoped = anomalies_for(user).filter(first_seen__gte=start).exclude(status=AnomalyStatus.DISMISSED)
    labels, cursor = [], start
    while cursor <= today:
        labels.append(f"{cursor:%Y-%m}")
        cursor = (cursor + datetime.timedelta(days=32)).replace(day=1)
    per_kind = {kind: [0] * len(labels) for kind in AnomalyKind.values}
    for row in scoped.annotate(month=TruncMonth("first_seen")).values("month", "kind").annotate(n=Count("pk")):
        key = f"{row['month']:%Y-%m}"
        if key in labels:
            per_kind[row["kind"]][labels.index(key)] = row["n"]
    agents = anomalies_by_agent((start, today), user=user)[:15]
    return {
        "months": labels,
        "series": [{"name": str(AnomalyKind(kind).label), "data": data} for kind, data in per_kind.items()],
        "agents": [a["agent_name"] for a in agents],
        "agent_series": [
            {"name": str(AnomalyKind.HANDSET_MOVED.label), "data": [a["handset_moved"] for a in agents]},
            {"name": str(AnomalyKind.SIM_MOVED.label), "data": [a["sim_moved"] for a in agents]},
        ],
        "table": agents,
    }
