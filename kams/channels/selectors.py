"""Reads of the channels, all scoped to the reader, and the pickup rule (CH-03, ORG-06).

``may_pick_up(agent, unit)`` answers whether an agent may pick up resources from a marketing
department's stock under the system parameter ``channels.pickup_scope``:

* ``own``: the agents of that department (and of the departments under it);
* ``first_level``: every agent under the same first-level marketing department (the highest
  department above the unit below its city);
* ``city``: every agent of the same city.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from kams.channels.enums import AgentStatus, PickupScope, SubAccountKind, SubscriberStatus
from kams.channels.models import (
    Agent,
    AgentAuthorisation,
    AgentLevelChange,
    AgentSubscriber,
    AgentType,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
)
from kams.org.enums import UnitKind
from kams.org.models import OrgUnit
from kams.system.parameters import param

ZERO = Decimal("0.00")


# --- Scoped querysets --------------------------------------------------------------------------------


def agents_for(user: Any):
    return Agent.objects.visible_to(user).select_related("org_unit", "manager", "agent_type")


def agent_types():
    return AgentType.objects.annotate(agent_count=Count("agents")).order_by("code")


def authorisations_of(agent: Agent):
    return AgentAuthorisation.objects.filter(agent=agent).order_by("business")


def level_changes_of(agent: Agent):
    return AgentLevelChange.objects.filter(agent=agent).select_related("changed_by")


def transactions_for(user: Any):
    return LedgerTransaction.objects.visible_to(user).select_related("agent", "counterparty", "created_by")


def accounts_of(agent: Agent) -> list[LedgerAccount]:
    order = {k: i for i, k in enumerate(SubAccountKind.values)}
    return sorted(LedgerAccount.objects.filter(agent=agent), key=lambda a: order.get(a.kind, 9))


def subscriber_counts(agent: Agent) -> dict[str, int]:
    return AgentSubscriber.objects.filter(agent=agent).aggregate(
        total=Count("pk"), active=Count("pk", filter=Q(status=SubscriberStatus.ACTIVE)))


# --- Statements --------------------------------------------------------------------------------------


@dataclass
class AccountStatement:
    kind: str
    label: str
    opening: Decimal
    closing: Decimal
    credits: Decimal = ZERO
    debits: Decimal = ZERO


@dataclass
class Statement:
    agent: Agent
    start: datetime.date
    end: datetime.date
    accounts: list[AccountStatement] = field(default_factory=list)
    entries: list[LedgerEntry] = field(default_factory=list)


def _local_start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def statement(agent: Agent, start: datetime.date, end: datetime.date) -> Statement:
    """The agent's entries from ``start`` to ``end`` (local days, both included) with the
    opening and closing balance of each sub-account (from the entries' ``balance_after``)."""
    since, until = _local_start(start), _local_start(end + datetime.timedelta(days=1))
    result = Statement(agent=agent, start=start, end=end)
    entries = list(
        LedgerEntry.objects.filter(account__agent=agent, created_at__gte=since, created_at__lt=until)
        .select_related("transaction", "account", "transaction__created_by").order_by("pk")
    )
    result.entries = entries
    for account in accounts_of(agent):
        before = (LedgerEntry.objects.filter(account=account, created_at__lt=since).order_by("-pk")
                  .values_list("balance_after", flat=True).first())
        opening = before if before is not None else ZERO
        mine = [e for e in entries if e.account_id == account.pk]
        closing = mine[-1].balance_after if mine else opening
        result.accounts.append(AccountStatement(
            kind=account.kind, label=account.get_kind_display(), opening=opening, closing=closing,
            credits=sum((e.amount for e in mine if e.amount > 0), ZERO),
            debits=sum((-e.amount for e in mine if e.amount < 0), ZERO),
        ))
    return result


# --- Pickup scope (CH-03) ----------------------------------------------------------------------------


def city_of(unit: OrgUnit) -> OrgUnit | None:
    return unit.ancestor_of_kind(UnitKind.CITY)


def first_level_department(unit: OrgUnit) -> OrgUnit:
    """The highest department above ``unit`` (or the unit itself) that lies below its city
    (below its nearest geographic unit when it has no city)."""
    anchor = city_of(unit) or unit.scope_anchor()
    chain = [*OrgUnit.objects.get_ancestors(unit), unit] if unit.depth > 1 else [unit]
    departments = [u for u in chain if u.kind == UnitKind.DEPARTMENT and u.depth > anchor.depth
                   and u.path.startswith(anchor.path)]
    return min(departments, key=lambda u: u.depth) if departments else unit


def pickup_area(unit: OrgUnit, scope: str | None = None) -> OrgUnit:
    """The unit whose subtree's agents may pick up from ``unit``'s stock."""
    scope = scope or param("channels.pickup_scope")
    if scope == PickupScope.CITY:
        return city_of(unit) or unit.scope_anchor()
    if scope == PickupScope.FIRST_LEVEL:
        return first_level_department(unit)
    return unit


def agents_allowed_to_pick_up_from(unit: OrgUnit, scope: str | None = None):
    """The registered agents that may pick up from the stock of marketing department ``unit``."""
    area = pickup_area(unit, scope)
    return Agent.objects.filter(status=AgentStatus.REGISTERED, org_unit__path__startswith=area.path)


def may_pick_up(agent: Agent, unit: OrgUnit, scope: str | None = None) -> bool:
    if agent.status != AgentStatus.REGISTERED:
        return False
    area = pickup_area(unit, scope)
    return agent.org_unit.path.startswith(area.path)
