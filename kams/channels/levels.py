"""Periodic re-grading of channel levels (定期重新审定渠道级别, CH-04).

For a month, every registered agent is judged on the months ``channels.regrade_months``
up to it: the subscribers it brought in (``AgentSubscriber`` rows still active whose
commission reference time lies in those months) and the paid revenue of all its numbers
(``billing.BillSummary.paid`` of those months), both read in one aggregate query, and on
its credit score. The level is the highest whose thresholds (system parameters) both
figures reach, city level when the credit score is below ``channels.regrade_min_credit``.

``regrade(period, apply=False)`` proposes; with ``apply=True`` the changes are written in
bulk (one ``AgentLevelChange`` per agent whose level changes, one UPDATE per new level, one
audit entry for the run). Re-running a month changes nothing: the agents already graded
for it are skipped, and the others already stand at their proposed level.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import DecimalField, F, Func, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from kams.audit.services import audit_record
from kams.channels.enums import AgentLevel, AgentStatus, LevelChangeKind, SubscriberStatus
from kams.channels.models import Agent, AgentLevelChange, AgentSubscriber
from kams.core.errors import InvalidInput
from kams.org.scoping import require_perm
from kams.system.parameters import param

CENT = Decimal("0.01")
RANK = {AgentLevel.CITY: 0, AgentLevel.PROVINCIAL: 1, AgentLevel.NATIONAL: 2}


@dataclass
class Proposal:
    agent: Agent
    subscribers: int
    revenue: Decimal
    credit_score: int
    from_level: str
    to_level: str

    @property
    def changes(self) -> bool:
        return self.from_level != self.to_level

    @property
    def direction(self) -> str:
        if not self.changes:
            return ""
        return "up" if RANK[self.to_level] > RANK[self.from_level] else "down"

    def get_from_level_display(self) -> str:
        return str(AgentLevel(self.from_level).label)

    def get_to_level_display(self) -> str:
        return str(AgentLevel(self.to_level).label)


@dataclass
class RegradeResult:
    period: datetime.date
    months: int
    evaluated: int
    proposals: list[Proposal]
    applied: bool = False
    skipped: int = 0

    @property
    def changes(self) -> list[Proposal]:
        return [p for p in self.proposals if p.changes]

    @property
    def upgrades(self) -> int:
        return sum(1 for p in self.proposals if p.direction == "up")

    @property
    def downgrades(self) -> int:
        return sum(1 for p in self.proposals if p.direction == "down")


def parse_period(value: Any) -> datetime.date:
    if isinstance(value, datetime.date):
        return value.replace(day=1)
    try:
        return datetime.datetime.strptime(str(value).strip(), "%Y-%m").date()
    except ValueError:
        raise InvalidInput(_("period: give a month as YYYY-MM.")) from None


def last_month() -> datetime.date:
    return (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _tag(period: datetime.date) -> str:
    return f"[{period:%Y-%m}]"


def target_level(subscribers: int, revenue: Decimal, credit_score: int, thresholds: dict[str, Any]) -> str:
    if credit_score < thresholds["min_credit"]:
        return AgentLevel.CITY
    if subscribers >= thresholds["national_subs"] and revenue >= thresholds["national_revenue"]:
        return AgentLevel.NATIONAL
    if subscribers >= thresholds["provincial_subs"] and revenue >= thresholds["provincial_revenue"]:
        return AgentLevel.PROVINCIAL
    return AgentLevel.CITY


def thresholds() -> dict[str, Any]:
    return {
        "months": int(param("channels.regrade_months")),
        "national_subs": int(param("channels.national_min_subscribers")),
        "national_revenue": Decimal(str(param("channels.national_min_revenue"))),
        "provincial_subs": int(param("channels.provincial_min_subscribers")),
        "provincial_revenue": Decimal(str(param("channels.provincial_min_revenue"))),
        "min_credit": int(param("channels.regrade_min_credit")),
    }


def performance(agents, period: datetime.date, months: int):
    """``agents`` annotated with ``new_subscribers`` and ``paid_revenue`` of the ``months``
    up to ``period``: one query with two correlated aggregates."""
    from kams.billing.models import BillSummary

    start, end = _add_months(period, 1 - months), _add_months(period, 1)
    tz = timezone.get_current_timezone()
    start_at = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    end_at = datetime.datetime.combine(end, datetime.time.min, tzinfo=tz)
    subscribers = (
        AgentSubscriber.objects.filter(agent=OuterRef("pk"), status=SubscriberStatus.ACTIVE, reference_at__gte=start_at,
                                       reference_at__lt=end_at)
        .order_by().values(n=Func(F("pk"), function="COUNT"))
    )
    numbers = AgentSubscriber.objects.filter(agent=OuterRef(OuterRef("pk")), reference_at__lt=end_at).values("msisdn")
    revenue = (
        BillSummary.objects.filter(period__gte=start, period__lt=end, msisdn__in=Subquery(numbers))
        .exclude(msisdn="").order_by().values(paid_sum=Func(F("paid"), function="SUM"))
    )
    return agents.annotate(
        new_subscribers=Coalesce(Subquery(subscribers, output_field=IntegerField()), Value(0)),
        paid_revenue=Coalesce(Subquery(revenue, output_field=DecimalField(max_digits=16, decimal_places=2)),
                              Value(Decimal("0")), output_field=DecimalField(max_digits=16, decimal_places=2)),
    )


def regrade(*, period: Any, actor: Any = None, apply: bool = False) -> RegradeResult:
    """Judge every registered agent (those of the actor's scope when an actor is given) on
    the months up to ``period``; with ``apply`` write the changes."""
    if apply and actor is not None:
        require_perm(actor, "channels.grade_agent")
    period = parse_period(period)
    if period > timezone.localdate().replace(day=1):
        raise InvalidInput(_("period: the month %(period)s has not begun.") % {"period": f"{period:%Y-%m}"})
    limits = thresholds()
    agents = Agent.objects.filter(status=AgentStatus.REGISTERED)
    if actor is not None:
        agents = agents.visible_to(actor)
    graded = set(AgentLevelChange.objects.filter(kind=LevelChangeKind.REGRADE, reason__startswith=_tag(period))
                 .values_list("agent_id", flat=True))
    with transaction.atomic():
        if apply:
            agents = agents.select_for_update(of=("self",))
        rows = list(performance(agents.select_related("org_unit"), period, limits["months"]).order_by("code"))
        proposals = []
        for agent in rows:
            revenue = Decimal(str(agent.paid_revenue or 0)).quantize(CENT)
            to_level = target_level(agent.new_subscribers, revenue, agent.credit_score, limits)
            if agent.pk in graded:
                to_level = agent.level
            proposals.append(Proposal(agent, agent.new_subscribers, revenue, agent.credit_score, agent.level, to_level))
        result = RegradeResult(period=period, months=limits["months"], evaluated=len(rows), proposals=proposals,
                               skipped=len(graded))
        if apply:
            _apply(result, actor)
    return result


def _reason(period: datetime.date, p: Proposal, months: int) -> str:
    return (_tag(period) + " " + _("%(months)s months: %(subscribers)s subscribers brought in, %(revenue)s yuan paid, "
                                   "credit score %(credit)s.")
            % {"months": months, "subscribers": p.subscribers, "revenue": p.revenue, "credit": p.credit_score})[:300]


def _apply(result: RegradeResult, actor: Any) -> None:
    changes = result.changes
    result.applied = True
    if not changes:
        return
    user = actor if getattr(actor, "pk", None) else None
    AgentLevelChange.objects.bulk_create([
        AgentLevelChange(agent=p.agent, from_level=p.from_level, to_level=p.to_level, kind=LevelChangeKind.REGRADE,
                         performance_score=min(p.revenue / 1000, Decimal("99999.99")).quantize(CENT),
                         credit_score=p.credit_score, reason=_reason(result.period, p, result.months), changed_by=user)
        for p in changes
    ])
    by_level: dict[str, list[int]] = {}
    for p in changes:
        by_level.setdefault(p.to_level, []).append(p.agent.pk)
    now = timezone.now()
    for level, ids in by_level.items():
        Agent.objects.filter(pk__in=ids).update(level=level, updated_at=now)
    audit_record(
        actor=actor, action="channels.regrade", target=None, target_repr=_("Channel re-grading %(period)s")
        % {"period": f"{result.period:%Y-%m}"},
        after={"period": f"{result.period:%Y-%m}", "evaluated": result.evaluated,
               "changes": {p.agent.code: [p.from_level, p.to_level] for p in changes}},
    )
