"""Reads of the service domain: work queues, the live board, on-time statistics, a case's
SLA state. They read work items (indexed rows), never the workflow blobs."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from kams.org.scoping import scope_for
from kams.service.enums import CaseStatus, ItemStatus, SlaState
from kams.service.models import Case, WorkItem
from kams.system.parameters import param


def due_soon_limit(now: datetime.datetime) -> datetime.datetime:
    return now + datetime.timedelta(hours=param("service.due_soon_hours"))


def sla_state(item: WorkItem, now: datetime.datetime | None = None) -> str:
    now = now or timezone.now()
    if item.status == ItemStatus.DONE:
        return SlaState.LATE if item.late else SlaState.ON_TIME
    if item.deadline < now:
        return SlaState.LATE
    if item.deadline < due_soon_limit(now) or (item.warned_at is not None):
        return SlaState.DUE_SOON
    return SlaState.ON_TIME


def my_work(user: Any) -> QuerySet[WorkItem]:
    """待办: steps assigned to me, and unassigned steps of my roles in my scope."""
    staff = getattr(user, "staff", None)
    base = WorkItem.objects.filter(status=ItemStatus.OPEN).select_related("case", "case__customer", "assignee", "org_unit")
    if staff is None:
        return base.none()
    roles = list(staff.roles.values_list("code", flat=True))
    scope = scope_for(user)
    pool = Q(assignee__isnull=True, role__in=roles)
    if not scope.unrestricted:
        pool &= _under(scope.prefixes)
    return base.filter(Q(assignee=staff) | pool).order_by("deadline", "pk")


def _under(prefixes: tuple[str, ...]) -> Q:
    q = Q(pk__in=[])
    for prefix in prefixes:
        q |= Q(org_unit__path__startswith=prefix)
    return q


def case_visible(user: Any, **lookup: Any) -> Case:
    """A case in the reader's scope, or one where the reader holds a step (a maintenance
    engineer sees the fault they are fixing, whoever the customer's manager is)."""
    from django.http import Http404

    staff = getattr(user, "staff", None)
    visible = Case.objects.visible_to(user)
    if staff is not None:
        visible = Case.objects.filter(Q(pk__in=visible.values("pk")) | Q(work_items__assignee=staff)).distinct()
    case = visible.filter(**lookup).select_related("definition", "customer", "org_unit", "owner", "parent").first()
    if case is None:
        raise Http404
    return case


def board(user: Any, *, now: datetime.datetime | None = None, unit_path: str = "") -> dict[str, list[dict]]:
    """The live board (SVC-13): open steps by unit and by person — open, due soon, late,
    escalated — in one aggregate query each."""
    now = now or timezone.now()
    soon = due_soon_limit(now)
    items = WorkItem.objects.visible_to(user).filter(status=ItemStatus.OPEN)
    if unit_path:
        items = items.filter(org_unit__path__startswith=unit_path)
    measures = {
        "open": Count("pk"),
        "due_soon": Count("pk", filter=Q(deadline__gte=now, deadline__lt=soon)),
        "late": Count("pk", filter=Q(deadline__lt=now)),
        "escalated": Count("pk", filter=Q(escalation_level__gt=0)),
    }
    by_unit = list(
        items.values("org_unit_id", "org_unit__name", "org_unit__path").annotate(**measures).order_by("org_unit__path")
    )
    by_person = list(
        items.values("assignee_id", "assignee__name", "assignee__org_unit__name").annotate(**measures)
        .order_by("-late", "-due_soon", "assignee__name")
    )
    totals = items.aggregate(**measures)
    return {"by_unit": by_unit, "by_person": by_person, "totals": totals, "now": now}


def on_time_stats(
    user: Any, *, since: datetime.date | None = None, process: str = "", unit_path: str = ""
) -> dict[str, list[dict]]:
    """准时率: completed steps per process, unit, person and month, with the share on time."""
    items = WorkItem.objects.visible_to(user).filter(status=ItemStatus.DONE)
    if since:
        items = items.filter(completed_at__date__gte=since)
    if process:
        items = items.filter(process_key=process)
    if unit_path:
        items = items.filter(org_unit__path__startswith=unit_path)
    measures = {"done": Count("pk"), "on_time": Count("pk", filter=Q(late=False))}

    def rated(rows):
        for row in rows:
            row["rate"] = round(100.0 * row["on_time"] / row["done"], 1) if row["done"] else None
        return rows

    return {
        "by_month": rated(list(items.annotate(month=TruncMonth("completed_at")).values("month").annotate(**measures).order_by("month"))),
        "by_process": rated(list(items.values("process_key", "case__definition__name").annotate(**measures).order_by("process_key"))),
        "by_unit": rated(list(items.values("org_unit__name", "org_unit__path").annotate(**measures).order_by("org_unit__path"))),
        "by_person": rated(list(items.values("completed_by__name", "completed_by__org_unit__name").annotate(**measures).order_by("-done"))),
        "totals": rated([items.aggregate(**measures)])[0],
    }


def open_cases_of_customer(customer: Any, user: Any) -> list[dict]:
    """For the customer 360 page: open cases and the state of their current steps."""
    now = timezone.now()
    cases = list(
        Case.objects.visible_to(user).filter(customer=customer, status=CaseStatus.OPEN)
        .select_related("definition").order_by("-opened_at")[:20]
    )
    items: dict[int, list[WorkItem]] = {}
    for item in WorkItem.objects.filter(case__in=cases, status=ItemStatus.OPEN).select_related("assignee"):
        items.setdefault(item.case_id, []).append(item)
    rows = []
    for case in cases:
        steps = items.get(case.pk, [])
        states = [sla_state(i, now) for i in steps]
        worst = SlaState.LATE if SlaState.LATE in states else SlaState.DUE_SOON if SlaState.DUE_SOON in states else SlaState.ON_TIME
        rows.append({"case": case, "steps": steps, "sla": worst})
    return rows
