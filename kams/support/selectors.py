"""Reads of service support, always scoped to the asking user."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Min, Q, QuerySet
from django.utils import timezone

from kams.support.enums import (
    SATISFIED_VALUES,
    AnswerSatisfaction,
    ConsultationChannel,
    ConsultationTopic,
    SubjectKind,
)
from kams.support.models import (
    Consultation,
    CustomerLine,
    CutoverImpact,
    CutoverNotice,
    LineFault,
    QualityAssessment,
    SolutionTemplate,
    TechnicalSolution,
)


def templates_for(*, customer_type: str = "", industry: Any = None, day: datetime.date | None = None,
                  current_only: bool = True) -> QuerySet[SolutionTemplate]:
    """按客户类型查询方案模型: templates meant for a customer type (those for every type too) and
    industry, valid on ``day``."""
    rows = SolutionTemplate.objects.prefetch_related("industries")
    if current_only:
        rows = rows.filter(is_current=True)
    if day is not None:
        rows = rows.filter(valid_from__lte=day).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
    if customer_type:
        # JSON "contains" is not on SQLite: filter the (small) template table in Python.
        ids = [t.pk for t in rows if not t.customer_types or customer_type in t.customer_types]
        rows = rows.filter(pk__in=ids)
    if industry is not None:
        rows = rows.filter(Q(industries=industry) | Q(industries__isnull=True)).distinct()
    return rows


def solutions_for(user: Any) -> QuerySet[TechnicalSolution]:
    return TechnicalSolution.objects.visible_to(user).select_related("customer", "template", "case", "owner")


# --- SVC-14: fault response against the class SLA -------------------------------------------------


@dataclass(frozen=True)
class FaultSla:
    fault: LineFault
    responded_at: datetime.datetime | None
    restored_at: datetime.datetime | None
    response_minutes: int | None  # taken, or running so far when not yet responded
    repair_hours: Decimal | None  # taken, or running so far when not yet restored
    response_limit: int
    repair_limit: Decimal
    response_breach: bool
    repair_breach: bool

    @property
    def breached(self) -> bool:
        return self.response_breach or self.repair_breach

    @property
    def open(self) -> bool:
        return self.restored_at is None


def faults_with_times(queryset: QuerySet[LineFault]) -> QuerySet[LineFault]:
    """Each fault with ``first_done``: when the first step of its case was completed (the
    response, unless recorded explicitly)."""
    return queryset.select_related("line", "line__customer", "line__service_class", "case").annotate(
        first_done=Min("case__work_items__completed_at")
    ).order_by("-reported_at", "-pk")


def fault_sla(fault: LineFault, now: datetime.datetime | None = None) -> FaultSla:
    """Response and repair of one fault measured against its line's class: response is the
    recorded time or the first completed step; restoration the recorded time or the closing
    of the case. A fault still waiting is measured up to ``now``, so a running breach shows."""
    now = now or timezone.now()
    cls = fault.line.service_class
    first_done = getattr(fault, "first_done", None)
    if first_done is None and not hasattr(fault, "first_done"):
        first_done = fault.case.work_items.aggregate(m=Min("completed_at"))["m"]
    responded = fault.responded_at or first_done
    restored = fault.restored_at or (fault.case.closed_at if fault.case.status == "closed" else None)
    response_span = (responded or now) - fault.reported_at
    repair_span = (restored or now) - fault.reported_at
    response_minutes = int(response_span.total_seconds() // 60)
    repair_hours = (Decimal(repair_span.total_seconds()) / 3600).quantize(Decimal("0.01"))
    return FaultSla(
        fault=fault, responded_at=responded, restored_at=restored,
        response_minutes=response_minutes, repair_hours=repair_hours,
        response_limit=cls.response_minutes, repair_limit=cls.repair_hours,
        response_breach=response_span > cls.response_limit,
        repair_breach=repair_span > cls.repair_limit,
    )


def faults_for(user: Any) -> QuerySet[LineFault]:
    return faults_with_times(LineFault.objects.visible_to(user))


def sla_breaches(user: Any, *, now: datetime.datetime | None = None, queryset: QuerySet[LineFault] | None = None) -> list[FaultSla]:
    """故障响应超标: every fault in scope whose response or repair exceeds (or, still running,
    has already exceeded) its class SLA."""
    rows = faults_with_times(queryset if queryset is not None else LineFault.objects.visible_to(user))
    return [s for s in (fault_sla(f, now) for f in rows) if s.breached]


def sla_summary(rows: list[FaultSla]) -> dict[str, Any]:
    """By class: faults, response breaches, repair breaches, rate within SLA."""
    table: dict[str, dict[str, Any]] = {}
    for row in rows:
        cls = row.fault.line.service_class
        entry = table.setdefault(str(cls), {"label": str(cls), "faults": 0, "response_breaches": 0, "repair_breaches": 0})
        entry["faults"] += 1
        entry["response_breaches"] += int(row.response_breach)
        entry["repair_breaches"] += int(row.repair_breach)
    for entry in table.values():
        ok = entry["faults"] - sum(1 for r in rows if str(r.fault.line.service_class) == entry["label"] and r.breached)
        entry["within_sla_pct"] = round(100 * ok / entry["faults"], 1) if entry["faults"] else None
    return {"classes": sorted(table.values(), key=lambda e: e["label"])}


def lines_for(user: Any) -> QuerySet[CustomerLine]:
    return CustomerLine.objects.visible_to(user).select_related("customer", "service_class")


# --- SVC-09: statistics ---------------------------------------------------------------------------


def quality_stats(queryset: QuerySet[QualityAssessment]) -> dict[str, Any]:
    """Average totals by subject kind and month (for the chart) and the ranking of subjects."""
    rows = list(queryset.order_by().values("period", "subject_kind").annotate(avg=Avg("total"), n=Count("pk")))
    periods = sorted({r["period"] for r in rows})
    kinds = [k for k in SubjectKind.values if any(r["subject_kind"] == k for r in rows)]
    labels = dict(SubjectKind.choices)
    series = []
    for kind in kinds:
        values = []
        for period in periods:
            match = next((r for r in rows if r["period"] == period and r["subject_kind"] == kind), None)
            values.append(round(float(match["avg"]), 2) if match else None)
        series.append({"name": str(labels[kind]), "values": values})
    ranking = list(
        queryset.order_by().values("subject_kind", "subject_name").annotate(avg=Avg("total"), n=Count("pk")).order_by("-avg", "subject_name")[:20]
    )
    for r in ranking:
        r["kind_label"] = str(labels.get(r["subject_kind"], r["subject_kind"]))
        r["avg"] = round(float(r["avg"]), 2)
    return {"labels": [f"{p:%Y-%m}" for p in periods], "series": series, "ranking": ranking}


# --- SVC-10: statistics ---------------------------------------------------------------------------


def consultation_stats(queryset: QuerySet[Consultation]) -> dict[str, Any]:
    """Volume by topic and by channel, and satisfaction with the answers."""
    base = queryset.order_by()
    topics = dict(ConsultationTopic.choices)
    channels = dict(ConsultationChannel.choices)
    satisfactions = dict(AnswerSatisfaction.choices)
    by_topic = {r["topic"]: r["n"] for r in base.values("topic").annotate(n=Count("pk"))}
    by_channel = {r["channel"]: r["n"] for r in base.values("channel").annotate(n=Count("pk"))}
    by_sat = {r["answer_satisfaction"]: r["n"] for r in base.exclude(answer_satisfaction="").values("answer_satisfaction").annotate(n=Count("pk"))}
    rated = sum(by_sat.values())
    satisfied = sum(by_sat.get(v, 0) for v in SATISFIED_VALUES)
    return {
        "total": sum(by_topic.values()),
        "answered": base.exclude(answer="").count(),
        "rated": rated,
        "satisfied_pct": round(100 * satisfied / rated, 1) if rated else None,
        "by_topic": {"labels": [str(topics[k]) for k in topics], "values": [by_topic.get(k, 0) for k in topics]},
        "by_channel": {"labels": [str(channels[k]) for k in channels], "values": [by_channel.get(k, 0) for k in channels]},
        "by_satisfaction": {"labels": [str(satisfactions[k]) for k in satisfactions], "values": [by_sat.get(k, 0) for k in satisfactions]},
    }


# --- SVC-11 ---------------------------------------------------------------------------------------


def notices_for(user: Any) -> QuerySet[CutoverNotice]:
    return CutoverNotice.objects.visible_to(user).select_related("org_unit", "created_by").annotate(
        impact_count=Count("impacts", distinct=True),
    )


def impacts_of(notice: CutoverNotice, user: Any) -> QuerySet[CutoverImpact]:
    return CutoverImpact.objects.visible_to(user).filter(notice=notice).select_related("customer", "customer__account_manager")
