"""渠道分布统计与报表 (CH-17): distribution statistics of the agents, each one aggregate query
over the reader's scope (``visible_to``), filtered by month range and org unit subtree.

Every report returns ``{"columns": [(key, label)], "rows": [dict], "chart": {...}}`` so that
one page template, one Excel export and one API endpoint serve them all."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable

from django.db.models import Count, F, Sum
from django.db.models.functions import Substr, TruncMonth
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kams.billing.models import BillSummary
from kams.channels.enums import AgentLevel, AgentStatus, SubAccountKind
from kams.channels.models import Agent, AgentSubscriber, LedgerAccount
from kams.channelstats.indicators import next_month
from kams.customers.enums import Business
from kams.org.enums import UnitKind
from kams.org.models import OrgUnit

CENT = Decimal("0.01")


def _money(value: Any) -> Decimal:
    return Decimal(value or 0).quantize(CENT)


GROUPS = {
    "city": gettext_lazy("City"),
    "unit": gettext_lazy("Marketing department"),
    "level": gettext_lazy("Channel level"),
    "type": gettext_lazy("Agent type"),
}


@dataclass
class Filters:
    since: datetime.date | None = None
    until: datetime.date | None = None
    unit: OrgUnit | None = None
    group: str = "city"


def _group_values(queryset, prefix: str, group: str):
    """Annotate ``g`` (the group key) on a queryset whose agent is at ``prefix``; return it
    with a function turning a key into its label."""
    if group == "level":
        labels = dict(AgentLevel.choices)
        return queryset.annotate(g=F(f"{prefix}level")), lambda k: str(labels.get(k, k or "—"))
    if group == "type":
        return queryset.annotate(g=F(f"{prefix}agent_type__name")), lambda k: k or "—"
    if group == "unit":
        return queryset.annotate(g=F(f"{prefix}org_unit__name")), lambda k: k or "—"
    cities = {c.path: c.name for c in OrgUnit.objects.filter(kind=UnitKind.CITY)}
    length = len(next(iter(cities))) if cities else OrgUnit.steplen * 3
    return (queryset.annotate(g=Substr(f"{prefix}org_unit__path", 1, length)),
            lambda k: cities.get(k, _("Outside the cities")))


def _scoped(queryset, user, prefix: str, filters: Filters):
    queryset = queryset.visible_to(user)
    if filters.unit is not None:
        queryset = queryset.filter(**{f"{prefix}org_unit__path__startswith": filters.unit.path})
    return queryset


def agents_report(user, filters: Filters) -> dict:
    """Agents by status per city / marketing department / level / type."""
    queryset, label = _group_values(_scoped(Agent.objects.all(), user, "", filters), "", filters.group)
    table: dict[Any, dict] = defaultdict(lambda: {s: 0 for s in AgentStatus.values})
    for row in queryset.order_by().values("g", "status").annotate(n=Count("pk")):
        table[row["g"]][row["status"]] = row["n"]
    rows = [{"group": label(k), **v, "total": sum(v.values())} for k, v in table.items()]
    rows.sort(key=lambda r: (-r["total"], r["group"]))
    columns = [("group", GROUPS.get(filters.group)), *[(s, label_) for s, label_ in AgentStatus.choices],
               ("total", gettext_lazy("Total"))]
    chart = {"kind": "bar", "labels": [r["group"] for r in rows],
             "series": [{"name": str(lbl), "data": [r[s] for r in rows]} for s, lbl in AgentStatus.choices]}
    return {"columns": columns, "rows": rows, "chart": chart}


def _months(queryset, field: str, filters: Filters):
    if filters.since:
        queryset = queryset.filter(**{f"{field}__gte": filters.since})
    if filters.until:
        queryset = queryset.filter(**{f"{field}__lt": next_month(filters.until)})
    return queryset


def subscribers_report(user, filters: Filters) -> dict:
    """New subscribers of the agents per month by business."""
    queryset = _months(_scoped(AgentSubscriber.objects.all(), user, "agent__", filters), "activated_on", filters)
    table: dict[Any, dict] = defaultdict(lambda: {b: 0 for b in Business.values})
    for row in queryset.order_by().annotate(m=TruncMonth("activated_on")).values("m", "business").annotate(n=Count("pk")):
        table[row["m"]][row["business"]] = row["n"]
    used = [b for b, _l in Business.choices if any(v[b] for v in table.values())]
    rows = [{"month": f"{m:%Y-%m}", **{b: v[b] for b in used}, "total": sum(v.values())} for m, v in sorted(table.items())]
    labels = dict(Business.choices)
    columns = [("month", gettext_lazy("Month")), *[(b, labels[b]) for b in used], ("total", gettext_lazy("Total"))]
    chart = {"kind": "bar", "labels": [r["month"] for r in rows],
             "series": [{"name": str(labels[b]), "data": [r[b] for r in rows]} for b in used]}
    return {"columns": columns, "rows": rows, "chart": chart}


def revenue_report(user, filters: Filters) -> dict:
    """What the agents' subscribers were billed and paid per month (bills joined by number)."""
    subscribers = _scoped(AgentSubscriber.objects.all(), user, "agent__", filters)
    bills = _months(BillSummary.objects.filter(msisdn__in=subscribers.values("msisdn")), "period", filters)
    rows = [{"month": f"{r['period']:%Y-%m}", "numbers": r["numbers"], "total": _money(r["total"]),
             "paid": _money(r["paid"]), "arrears": _money(r["arrears"])}
            for r in bills.order_by().values("period").annotate(
                numbers=Count("msisdn", distinct=True), total=Sum("total"), paid=Sum("paid"), arrears=Sum("arrears"),
            ).order_by("period")]
    columns = [("month", gettext_lazy("Month")), ("numbers", gettext_lazy("Numbers billed")),
               ("total", gettext_lazy("Billed (yuan)")), ("paid", gettext_lazy("Paid (yuan)")),
               ("arrears", gettext_lazy("Arrears (yuan)"))]
    chart = {"kind": "bar", "labels": [r["month"] for r in rows],
             "series": [{"name": _("Billed (yuan)"), "data": [float(r["total"]) for r in rows]},
                        {"name": _("Paid (yuan)"), "data": [float(r["paid"]) for r in rows]}]}
    return {"columns": columns, "rows": rows, "chart": chart}


def balances_report(user, filters: Filters) -> dict:
    """Account balances of the agents by sub-account, per city / department / level / type."""
    accounts = _scoped(LedgerAccount.objects.filter(agent__isnull=False), user, "agent__", filters)
    queryset, label = _group_values(accounts, "agent__", filters.group)
    table: dict[Any, dict] = defaultdict(lambda: {k: Decimal("0.00") for k in SubAccountKind.values})
    for row in queryset.order_by().values("g", "kind").annotate(b=Sum("balance")):
        if row["kind"] in SubAccountKind.values:
            table[row["g"]][row["kind"]] = _money(row["b"])
    rows = [{"group": label(k), **v} for k, v in table.items()]
    rows.sort(key=lambda r: r["group"])
    columns = [("group", GROUPS.get(filters.group)), *SubAccountKind.choices]
    chart = {"kind": "bar", "labels": [r["group"] for r in rows],
             "series": [{"name": str(lbl), "data": [float(r[k]) for r in rows]} for k, lbl in SubAccountKind.choices]}
    return {"columns": columns, "rows": rows, "chart": chart}


def _local_months(queryset, field: str, filters: Filters):
    if filters.since:
        queryset = queryset.filter(**{f"{field}__date__gte": filters.since})
    if filters.until:
        queryset = queryset.filter(**{f"{field}__date__lt": next_month(filters.until)})
    return queryset


def commission_report(user, filters: Filters) -> dict:
    """Commission paid to the agents per month, from the account ledger: settlement payouts
    (结算返利) and supplements (补发) less recoveries (补收)."""
    from kams.channels.enums import TransactionKind
    from kams.channels.models import LedgerTransaction

    kinds = (TransactionKind.PAYOUT, TransactionKind.SUPPLEMENT, TransactionKind.RECOVERY)
    queryset = _local_months(_scoped(LedgerTransaction.objects.filter(kind__in=kinds), user, "agent__", filters),
                             "created_at", filters)
    table: dict[Any, dict] = defaultdict(lambda: {k: Decimal("0.00") for k in kinds})
    for row in queryset.order_by().annotate(m=TruncMonth("created_at")).values("m", "kind").annotate(a=Sum("amount")):
        table[f"{row['m']:%Y-%m}"][row["kind"]] = _money(row["a"])
    rows = [{"month": m, **v, "net": v[kinds[0]] + v[kinds[1]] - v[kinds[2]]} for m, v in sorted(table.items())]
    labels = dict(TransactionKind.choices)
    columns = [("month", gettext_lazy("Month")), *[(k, labels[k]) for k in kinds],
               ("net", gettext_lazy("Net commission paid (yuan)"))]
    chart = {"kind": "bar", "labels": [r["month"] for r in rows],
             "series": [{"name": _("Net commission paid (yuan)"), "data": [float(r["net"]) for r in rows]}]}
    return {"columns": columns, "rows": rows, "chart": chart}


def pickups_report(user, filters: Filters) -> dict:
    """Resource pickups of the agents per month by kind (领取, not cancelled): orders, items, fees."""
    from kams.resources.enums import PickupStatus, ResourceKind
    from kams.resources.models import PickupOrder

    queryset = _local_months(_scoped(PickupOrder.objects.filter(status=PickupStatus.ACTIVE), user, "", filters),
                             "created_at", filters)
    rows = []
    labels = dict(ResourceKind.choices)
    for row in queryset.order_by().annotate(m=TruncMonth("created_at")).values("m", "kind").annotate(
            orders=Count("pk"), items=Sum("count"), fees=Sum("amount")).order_by("m", "kind"):
        rows.append({"month": f"{row['m']:%Y-%m}", "kind": str(labels.get(row["kind"], row["kind"])),
                     "orders": row["orders"], "items": row["items"] or 0, "fees": _money(row["fees"])})
    columns = [("month", gettext_lazy("Month")), ("kind", gettext_lazy("Kind")), ("orders", gettext_lazy("Orders")),
               ("items", gettext_lazy("Items")), ("fees", gettext_lazy("Fees (yuan)"))]
    months = sorted({r["month"] for r in rows})
    chart = {"kind": "bar", "labels": months, "series": [
        {"name": str(label), "data": [sum(r["items"] for r in rows if r["month"] == m and r["kind"] == str(label))
                                      for m in months]}
        for label in labels.values()]}
    return {"columns": columns, "rows": rows, "chart": chart}


def _pickups_exist() -> bool:
    try:
        from kams.resources import models as resource_models
    except ImportError:  # pragma: no cover
        return False
    return hasattr(resource_models, "PickupOrder")


@dataclass(frozen=True)
class Report:
    slug: str
    title: Any
    build: Callable[[Any, Filters], dict]
    grouped: bool = False
    monthly: bool = False


REPORTS = {r.slug: r for r in [
    Report("agents", gettext_lazy("Agents by status"), agents_report, grouped=True),
    Report("subscribers", gettext_lazy("New subscribers per month by business"), subscribers_report, monthly=True),
    Report("revenue", gettext_lazy("Revenue of the agents' subscribers"), revenue_report, monthly=True),
    Report("balances", gettext_lazy("Agent account balances by sub-account"), balances_report, grouped=True),
    Report("commission", gettext_lazy("Commission paid per month"), commission_report, monthly=True),
    *([Report("pickups", gettext_lazy("Resource pickups per month"), pickups_report, monthly=True)]
      if _pickups_exist() else []),
]}
