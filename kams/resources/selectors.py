"""Reads of resources, always inside the reader's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from kams.org.models import OrgUnit
from kams.resources.enums import ItemState, ResourceKind
from kams.resources.models import (
    AgentTransfer,
    FeeAdjustment,
    FlowRule,
    Movement,
    PickupLine,
    PickupOrder,
    ResourceItem,
    StockNode,
)


def items_for(user: Any):
    return ResourceItem.objects.visible_to(user).select_related("org_unit", "agent")


def orders_for(user: Any):
    return PickupOrder.objects.visible_to(user).select_related("agent", "org_unit", "created_by", "transaction")


def lines_for(user: Any):
    return PickupLine.objects.visible_to(user).select_related("item", "agent", "order", "agent_transfer")


def movements_for(user: Any):
    return Movement.objects.visible_to(user).select_related("from_unit", "to_unit", "from_agent", "to_agent", "order",
                                                            "actor")


def transfers_for(user: Any):
    return AgentTransfer.objects.visible_to(user).select_related("source_agent", "target_agent", "org_unit")


def adjustments_for(user: Any):
    return FeeAdjustment.objects.visible_to(user).select_related("agent", "org_unit", "order")


def nodes_for(user: Any):
    return StockNode.objects.visible_to(user).select_related("org_unit", "parent__org_unit")


def rules_for(user: Any):
    return FlowRule.objects.visible_to(user).select_related("from_node__org_unit", "to_node__org_unit")


def stock_overview(user: Any) -> dict:
    """Counts per unit, kind and state (one grouped query) and a chart of items per unit."""
    rows = (items_for(user).order_by().values("org_unit", "kind", "state").annotate(n=Count("id")))
    states = list(ItemState.choices)
    kinds = dict(ResourceKind.choices)
    table: dict[tuple[int, str], dict[str, int]] = {}
    for r in rows:
        table.setdefault((r["org_unit"], r["kind"]), {})[r["state"]] = r["n"]
    units = {u.pk: u for u in OrgUnit.objects.filter(pk__in={k[0] for k in table})}
    lines = []
    for (unit_id, kind), counts in sorted(table.items(), key=lambda kv: (units[kv[0][0]].path, kv[0][1])):
        lines.append({"unit": units[unit_id], "kind": kind, "kind_label": kinds.get(kind, kind),
                      "counts": [counts.get(s, 0) for s, _l in states], "total": sum(counts.values())})
    chart_units = sorted({u for u, _k in table}, key=lambda pk: units[pk].path)
    chart = {
        "units": [units[pk].name for pk in chart_units],
        "series": [{"name": str(label), "data": [table.get((pk, kind), {}).get(ItemState.IN_STOCK, 0)
                                                  for pk in chart_units]}
                   for kind, label in ResourceKind.choices],
    }
    return {"lines": lines, "states": states, "chart": chart}
