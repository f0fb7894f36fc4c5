"""Reads of visits and care: who needs a visit (set-based), visit statistics, the care-pattern
library's effect figures. Everything a user reads goes through ``visible_to``."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import models
from django.db.models import (
    Avg,
    Count,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from kams.care.enums import REVISIT, ProposalState, Satisfaction
from kams.care.models import CareAction, CareProposal, CareRule, Gift, Visit, VisitPlan
from kams.customers.models import Customer
from kams.service.enums import CaseStatus, ItemStatus
from kams.service.models import Case, ProcessDefinition, WorkItem

SATISFACTION_FIELD = "satisfaction"


# --- Who needs a visit ---------------------------------------------------------------------------


def last_visit_at():
    """Subquery: when the customer's latest visit (a closed ``revisit`` case) ended."""
    return Subquery(
        Case.objects.filter(process_key=REVISIT, status=CaseStatus.CLOSED, customer=OuterRef("pk"))
        .order_by("-closed_at").values("closed_at")[:1],
        output_field=DateTimeField(),
    )


def plan_candidates(plan: VisitPlan, user: Any, *, now: datetime.datetime | None = None):
    """回访条件 → the customers of ``plan`` that ``user`` may see, with ``last_visit``: one query."""
    now = now or timezone.now()
    customers = (
        Customer.objects.visible_to(user).active()
        .filter(org_unit__path__startswith=plan.org_unit.path)
        .annotate(last_visit=last_visit_at())
    )
    if plan.region_id:
        customers = customers.filter(org_unit__path__startswith=plan.region.path)
    if plan.account_manager_id:
        customers = customers.filter(account_manager_id=plan.account_manager_id)
    if plan.customer_type:
        customers = customers.filter(customer_type=plan.customer_type)
    if plan.min_level_id:
        customers = customers.filter(level__category_id=plan.min_level.category_id, level__rank__lte=plan.min_level.rank)
    if plan.days_since_visit is not None:
        since = now - datetime.timedelta(days=plan.days_since_visit)
        customers = customers.filter(Q(last_visit__isnull=True) | Q(last_visit__lt=since))
    if plan.skip_open:
        open_visit = Case.objects.filter(process_key=REVISIT, status=CaseStatus.OPEN, customer=OuterRef("pk"))
        customers = customers.filter(~Exists(open_visit))
    return customers.select_related("org_unit", "account_manager", "level").order_by("org_unit__path", "code")


def plans_for(user: Any):
    return (
        VisitPlan.objects.visible_to(user).select_related("org_unit", "owner", "job")
        .annotate(
            visits_total=Count("visits", distinct=True),
            visits_done=Count("visits", filter=Q(visits__case__status=CaseStatus.CLOSED), distinct=True),
            visits_stopped=Count("visits", filter=Q(visits__case__status=CaseStatus.CANCELLED), distinct=True),
        )
        .order_by("-created_at", "-id")
    )


def execution_rate(total: int, done: int) -> float | None:
    """计划执行率: share of a plan's visits that are done."""
    return round(100.0 * done / total, 1) if total else None


def visits_for(user: Any):
    return Visit.objects.visible_to(user).select_related("case", "customer", "plan", "manager", "org_unit")


def quick_items_for(user: Any):
    """The open visit steps a person may complete: theirs, and unassigned ones of their roles in scope."""
    staff = getattr(user, "staff", None)
    if staff is None:
        return WorkItem.objects.none()
    roles = list(staff.roles.values_list("code", flat=True))
    return (
        WorkItem.objects.filter(process_key=REVISIT, status=ItemStatus.OPEN)
        .filter(Q(assignee=staff) | Q(assignee__isnull=True, role__in=roles, pk__in=WorkItem.objects.visible_to(user).values("pk")))
        .select_related("case", "case__customer", "case__definition").order_by("deadline", "pk")
    )


# --- Visit statistics --------------------------------------------------------------------------------


def satisfaction_labels() -> dict[str, str]:
    """Choice key → label of the satisfaction field of the active revisit process (any step)."""
    labels = {str(k): str(v) for k, v in Satisfaction.choices}
    definition = ProcessDefinition.objects.filter(key=REVISIT, is_active=True).only("steps").first()
    for step in (definition.steps if definition else []):
        for field in step.get("form", []):
            if field.get("name") == SATISFACTION_FIELD and field.get("choices"):
                labels.update({str(c[0]): str(c[1] if len(c) > 1 else c[0]) for c in field["choices"]})
    return labels


def visit_cases(user: Any, *, since: datetime.date | None = None, until: datetime.date | None = None,
                unit: Any = None, manager: Any = None, now: datetime.datetime | None = None):
    """Visits (``revisit`` cases) in scope, annotated with due, manager, lateness and result."""
    now = now or timezone.now()
    cases = Case.objects.visible_to(user).filter(process_key=REVISIT)
    if since:
        cases = cases.filter(opened_at__date__gte=since)
    if until:
        cases = cases.filter(opened_at__date__lte=until)
    if unit is not None:
        cases = cases.filter(org_unit__path__startswith=unit.path)
    cases = cases.annotate(
        due=Coalesce("care_visit__due_at", "due_at"),
        visitor=Coalesce("care_visit__manager", "owner"),
        result=KeyTextTransform(SATISFACTION_FIELD, "data"),
    )
    if manager is not None:
        cases = cases.filter(visitor=manager.pk)
    return cases.annotate(
        is_late=models.Case(
            When(Q(status=CaseStatus.CLOSED, closed_at__gt=F("due")) | Q(status=CaseStatus.OPEN, due__lt=now), then=Value(1)),
            default=Value(0), output_field=IntegerField(),
        )
    )


def _totals(rows) -> dict:
    return rows.aggregate(
        planned=Count("pk"),
        done=Count("pk", filter=Q(status=CaseStatus.CLOSED)),
        stopped=Count("pk", filter=Q(status=CaseStatus.CANCELLED)),
        open=Count("pk", filter=Q(status=CaseStatus.OPEN)),
        late=Sum("is_late"),
    )


def _grouped(cases, key, label_of) -> list[dict]:
    rows = (
        cases.order_by().values(key)
        .annotate(
            planned=Count("pk"), done=Count("pk", filter=Q(status=CaseStatus.CLOSED)),
            stopped=Count("pk", filter=Q(status=CaseStatus.CANCELLED)), late=Sum("is_late"),
        ).order_by(key)
    )
    return [
        {"key": row[key], "label": label_of(row[key]), "planned": row["planned"], "done": row["done"],
         "stopped": row["stopped"], "late": row["late"] or 0, "rate": execution_rate(row["planned"], row["done"])}
        for row in rows
    ]


def visit_statistics(user: Any, **filters: Any) -> dict:
    """回访统计: volume, done and late per month, unit and manager; results; plan execution."""
    from kams.org.models import OrgUnit, Staff

    cases = visit_cases(user, **filters)
    by_month = _grouped(
        cases.annotate(month=TruncMonth("opened_at")), "month",
        lambda m: timezone.localtime(m).strftime("%Y-%m") if isinstance(m, datetime.datetime) else str(m or "")[:7],
    )
    units = {u.pk: u.name for u in OrgUnit.objects.filter(pk__in=cases.values("org_unit"))}
    by_unit = _grouped(cases, "org_unit", lambda pk: units.get(pk, "—"))
    people = {s.pk: s.name for s in Staff.objects.filter(pk__in=[r for r in cases.order_by().values_list("visitor", flat=True).distinct() if r])}
    by_manager = _grouped(cases, "visitor", lambda pk: people.get(pk, _("(unassigned)")))
    labels = satisfaction_labels()
    results = cases.filter(status=CaseStatus.CLOSED).order_by().values("result").annotate(n=Count("pk")).order_by("-n")
    satisfaction = [{"key": r["result"] or "", "label": labels.get(r["result"] or "", r["result"] or _("(none)")), "count": r["n"]} for r in results]
    totals = _totals(cases)
    totals["late"] = totals["late"] or 0
    totals["rate"] = execution_rate(totals["planned"], totals["done"])
    plans = [
        {"id": p.pk, "name": p.name, "state": p.get_state_display(), "due_on": p.due_on.isoformat(),
         "total": p.visits_total, "done": p.visits_done, "stopped": p.visits_stopped,
         "rate": execution_rate(p.visits_total, p.visits_done)}
        for p in plans_for(user).exclude(state="draft")[:50]
    ]
    return {"totals": totals, "by_month": by_month, "by_unit": by_unit, "by_manager": by_manager,
            "satisfaction": satisfaction, "plans": plans}


# --- Care ----------------------------------------------------------------------------------------


def proposals_for(user: Any):
    return CareProposal.objects.visible_to(user).select_related("rule", "customer", "contact", "manager", "gift", "org_unit")


def actions_for(user: Any):
    return CareAction.objects.visible_to(user).select_related("customer", "contact", "rule", "gift", "manager", "stock_unit", "survey")


def care_effect_by_rule(user: Any) -> list[dict]:
    """关怀模式库: each rule with what it proposed, what was done and how it was received (in scope)."""
    proposals = CareProposal.objects.visible_to(user)
    actions = CareAction.objects.visible_to(user)
    p_rows = {
        r["rule"]: r for r in proposals.order_by().values("rule").annotate(
            total=Count("pk"), accepted=Count("pk", filter=Q(state=ProposalState.ACCEPTED)),
            dismissed=Count("pk", filter=Q(state=ProposalState.DISMISSED)),
            expired=Count("pk", filter=Q(state=ProposalState.EXPIRED)),
        )
    }
    a_rows = {
        r["rule"]: r for r in actions.order_by().values("rule").annotate(
            actions=Count("pk"), gifts=Coalesce(Sum("gift_quantity"), 0), surveys=Count("survey"), score=Avg("survey__score"),
        )
    }
    result = []
    for rule in CareRule.objects.select_related("gift", "min_level").order_by("kind", "name"):
        p, a = p_rows.get(rule.pk, {}), a_rows.get(rule.pk, {})
        result.append({
            "rule": rule, "proposals": p.get("total", 0), "accepted": p.get("accepted", 0),
            "dismissed": p.get("dismissed", 0), "expired": p.get("expired", 0), "actions": a.get("actions", 0),
            "gifts": a.get("gifts", 0), "surveys": a.get("surveys", 0),
            "score": round(a["score"], 2) if a.get("score") is not None else None,
            "acceptance": execution_rate(p.get("total", 0), p.get("accepted", 0)),
        })
    return result


def care_effect_by_gift(user: Any) -> list[dict]:
    rows = (
        CareAction.objects.visible_to(user).filter(gift__isnull=False).order_by().values("gift")
        .annotate(actions=Count("pk"), quantity=Sum("gift_quantity"), surveys=Count("survey"), score=Avg("survey__score"))
    )
    gifts = {g.pk: g for g in Gift.objects.all()}
    return [
        {"gift": gifts[r["gift"]], "actions": r["actions"], "quantity": r["quantity"] or 0, "surveys": r["surveys"],
         "score": round(r["score"], 2) if r["score"] is not None else None}
        for r in rows if r["gift"] in gifts
    ]
