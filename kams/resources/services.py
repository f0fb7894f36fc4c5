"""Writes of resources: base configuration (CH-06), stock in and the stock flow between units
(RES-02), agents' pickups, cancellations, returns, transfers and fee adjustments (CH-07).

Every function checks permission and scope, runs in one transaction and writes the audit log.
Operations on many items are set-based, never a statement per item:

* the items an operation takes are first *marked* with the operation's id
  (``UPDATE … SET last_operation = <op> WHERE kind = … AND serial BETWEEN … AND state = …``,
  or ``serial IN (…)`` in chunks of 5,000 for a file); if fewer rows were marked than asked
  for, the operation is refused (and the transaction rolled back: nothing changed);
* the marked items are then moved with one ``UPDATE … WHERE last_operation = <op>``;
* the movement ledger gets one row per item with one ``INSERT … SELECT`` from the marked items.

Money goes through ``kams.channels.ledger`` only (charge, credit, transfer), inside the same
transaction: a refused charge leaves no ledger entry and no stock movement.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable

from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kams.audit.services import audit_record
from kams.channels import ledger
from kams.channels.enums import AgentStatus, PayMethod, TransactionKind
from kams.channels.errors import AgentNotActive, NotAuthorised
from kams.channels.models import Agent, AgentAuthorisation
from kams.core.errors import InvalidInput
from kams.core.tables import table_rows
from kams.org.models import OrgUnit
from kams.org.scoping import require_in_scope, require_perm
from kams.resources.enums import (
    FlowOperation,
    ItemState,
    LineStatus,
    MoveKind,
    Network,
    PickupMode,
    PickupStatus,
    ResourceKind,
)
from kams.resources.errors import (
    BadRange,
    BadSerial,
    FlowNotAllowed,
    ItemsNotAvailable,
    MixedUnits,
    NoParentNode,
    NoPrice,
    NotAStockNode,
    NothingToAdjust,
    OrderCancelled,
    OrderNotCancellable,
    PickupLimitExceeded,
    PickupNotAllowed,
    RangeTooLarge,
    SerialsExist,
    SettledRefused,
    StockLimitExceeded,
)
from kams.resources.models import (
    AgentTransfer,
    FeeAdjustment,
    FlowRule,
    Movement,
    PickupLimit,
    PickupLine,
    PickupOrder,
    ResourceItem,
    ResourcePrice,
    StockNode,
)

BATCH = 5000
MAX_ITEMS = 200_000
SERIAL_LENGTHS = {ResourceKind.NUMBER: (11,), ResourceKind.SIM: (19, 20), ResourceKind.HANDSET: (15,)}
SERIAL_RULES = {
    ResourceKind.NUMBER: gettext_lazy("11 digits"), ResourceKind.SIM: gettext_lazy("ICCID, 19 or 20 digits"),
    ResourceKind.HANDSET: gettext_lazy("IMEI, 15 digits"),
}
DIGITS = re.compile(r"^\d+$")


# --- Selections of items ------------------------------------------------------------------------


def check_serial(kind: str, serial: str) -> str:
    serial = (serial or "").strip()
    if kind not in SERIAL_LENGTHS:
        raise InvalidInput(_("kind: choose number, sim or handset."))
    if not DIGITS.match(serial) or len(serial) not in SERIAL_LENGTHS[kind]:
        raise BadSerial(serial=serial or "—", kind=ResourceKind(kind).label, rule=str(SERIAL_RULES[kind]))
    return serial


@dataclass
class Selection:
    """Items of one kind named by a range (``first``–``last``) or a list of serials."""

    kind: str
    first: str = ""
    last: str = ""
    serials: list[str] = field(default_factory=list)

    @property
    def mode(self) -> str:
        return PickupMode.FILE if self.serials else PickupMode.RANGE

    @property
    def count(self) -> int:
        if self.serials:
            return len(self.serials)
        return int(self.last) - int(self.first) + 1

    def filters(self) -> Iterable[Q]:
        """One condition per statement: the range, or the list in chunks of 5,000."""
        if self.serials:
            for i in range(0, len(self.serials), BATCH):
                yield Q(kind=self.kind, serial__in=self.serials[i:i + BATCH])
        else:
            yield Q(kind=self.kind, serial__gte=self.first, serial__lte=self.last, serial_length=len(self.first))

    def queryset(self, q: Q):
        return ResourceItem.objects.alias(serial_length=Length("serial")).filter(q)

    def all_serials(self) -> Iterable[str]:
        if self.serials:
            yield from self.serials
        else:
            width = len(self.first)
            for n in range(int(self.first), int(self.last) + 1):
                yield str(n).zfill(width)

    @property
    def text(self) -> str:
        if self.serials:
            return _("%(count)s serials from a file") % {"count": len(self.serials)}
        return self.first if self.first == self.last else f"{self.first}–{self.last}"


def selection(kind: str, first: str = "", last: str = "", serials: Iterable[str] | None = None) -> Selection:
    """A checked selection: a valid range (only ``first``: one item) or a list without
    duplicates; refuses more than ``MAX_ITEMS``."""
    if kind not in SERIAL_LENGTHS:
        raise InvalidInput(_("kind: choose number, sim or handset."))
    if serials:
        cleaned = [check_serial(kind, s) for s in serials if (s or "").strip()]
        unique = list(dict.fromkeys(cleaned))
        if len(unique) != len(cleaned):
            raise InvalidInput(_("The list names %(n)s serials more than once.") % {"n": len(cleaned) - len(unique)})
        if len(unique) > MAX_ITEMS:
            raise RangeTooLarge(count=len(unique), limit=MAX_ITEMS)
        return Selection(kind, serials=unique)
    if not (first or "").strip():
        raise InvalidInput(_("Give a range of serials or a file."))
    first = check_serial(kind, first)
    last = check_serial(kind, last) if (last or "").strip() else first
    if len(first) != len(last) or int(last) < int(first):
        raise BadRange(first=first, last=last)
    sel = Selection(kind, first=first, last=last)
    if sel.count > MAX_ITEMS:
        raise RangeTooLarge(count=sel.count, limit=MAX_ITEMS)
    return sel


def read_serial_file(upload: Any) -> list[str]:
    """The serials of an uploaded CSV or XLSX file: the first column, a header row skipped."""
    try:
        values = [cells[0] for _line, cells in table_rows(upload.read(), getattr(upload, "name", "") or "")
                  if cells]
    except InvalidInput:
        raise InvalidInput(_("file: not a readable Excel file.")) from None
    values = [v.strip() for v in values if v and v.strip()]
    if values and not DIGITS.match(values[0]):
        values = values[1:]  # header
    if not values:
        raise InvalidInput(_("file: no serials found in the first column."))
    return values


def _new_operation() -> uuid.UUID:
    return uuid.uuid4()


def _mark(sel: Selection, op: uuid.UUID, condition: str, **conditions: Any) -> int:
    """Mark the selected items meeting ``conditions`` with ``op``; refuse unless all were."""
    marked = 0
    for q in sel.filters():
        marked += sel.queryset(q).filter(**conditions).update(last_operation=op)
    if marked != sel.count:
        raise ItemsNotAvailable(missing=sel.count - marked, count=sel.count, condition=condition,
                                detail=_describe(sel, conditions))
    return marked


def _describe(sel: Selection, conditions: dict) -> str:
    """Why items did not qualify: counts by state and holder (error path only)."""
    labels = dict(ItemState.choices)
    counts: dict[tuple, int] = {}
    found = 0
    for q in sel.filters():
        for row in (sel.queryset(q).exclude(**conditions).values("state", "org_unit__name", "agent__code", "settled")
                    .annotate(n=Count("id"))):
            key = (row["state"], row["org_unit__name"], row["agent__code"], row["settled"])
            counts[key] = counts.get(key, 0) + row["n"]
        found += sel.queryset(q).count()
    parts = []
    if found < sel.count:
        parts.append(_("%(n)s not on record") % {"n": sel.count - found})
    for (state, unit, agent, settled), n in sorted(counts.items(), key=lambda kv: -kv[1])[:5]:
        where = f"{unit}" + (f" / {agent}" if agent else "")
        text = _("%(n)s %(state)s at %(where)s") % {"n": n, "state": labels.get(state, state), "where": where}
        if settled:
            text += " " + _("(settled)")
        parts.append(text)
    return _(", ").join(parts) or _("changed meanwhile")


def _record_moves(op: uuid.UUID, kind: str, *, actor: Any, from_unit: OrgUnit | None | str = "same",
                  from_agent: Agent | None | str = None, order: PickupOrder | None = None, reference: str = "") -> int:
    """One movement row per item marked with ``op`` (after it moved): one INSERT … SELECT.
    ``from_unit="same"``: the item's unit did not change; ``from_agent="same"``: likewise."""
    items, moves = ResourceItem._meta.db_table, Movement._meta.db_table
    op_value = Movement._meta.get_field("operation").get_db_prep_value(op, connection)
    at = Movement._meta.get_field("at").get_db_prep_value(timezone.now(), connection)
    params: list[Any] = [op_value, kind]
    if from_unit == "same":
        from_unit_sql = "org_unit_id"
    else:
        from_unit_sql = "%s"
        params.append(from_unit.pk if from_unit else None)
    if from_agent == "same":
        from_agent_sql = "agent_id"
    else:
        from_agent_sql = "%s"
        params.append(from_agent.pk if from_agent else None)
    params += [order.pk if order else None, reference[:60], actor.pk if getattr(actor, "pk", None) else None, at,
               Movement._meta.get_field("operation").get_db_prep_value(op, connection)]
    sql = (
        f"INSERT INTO {moves} (operation, kind, item_id, item_kind, serial, from_unit_id, to_unit_id, from_agent_id, "
        f"to_agent_id, order_id, reference, actor_id, at) "
        f"SELECT %s, %s, id, kind, serial, {from_unit_sql}, org_unit_id, {from_agent_sql}, agent_id, %s, %s, %s, %s "
        f"FROM {items} WHERE last_operation = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _marked(op: uuid.UUID):
    return ResourceItem.objects.filter(last_operation=op)


# --- Base configuration (CH-06) -----------------------------------------------------------------


def price_add(*, actor: Any, kind: str, network: str, business: str, price: Any, valid_from, valid_to=None,
              ) -> ResourcePrice:
    """A new pickup fee per item of a kind/network/business, in force from ``valid_from``."""
    require_perm(actor, "resources.add_resourceprice")
    amount = ledger.money(price, allow_zero=True)
    if valid_to and valid_to < valid_from:
        raise InvalidInput(_("valid_to: the end may not be before the start."))
    with transaction.atomic():
        if ResourcePrice.objects.filter(kind=kind, network=network, business=business, valid_from=valid_from).exists():
            raise InvalidInput(_("valid_from: a price of this kind, network and business already starts on this day."))
        obj = ResourcePrice.objects.create(kind=kind, network=network, business=business, price=amount,
                                           valid_from=valid_from, valid_to=valid_to)
        audit_record(actor=actor, action="resources.price_add", target=obj,
                     after={"kind": kind, "network": network, "business": business, "price": str(amount),
                            "valid_from": str(valid_from)})
    return obj


def price_on(kind: str, network: str, business: str, day) -> Decimal | None:
    """The fee in force on ``day``: the latest start on or before it, not ended before it."""
    row = (ResourcePrice.objects.filter(kind=kind, network=network, business=business, valid_from__lte=day)
           .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day)).order_by("-valid_from").first())
    return row.price if row else None


def limit_set(*, actor: Any, kind: str, max_items: int) -> PickupLimit:
    """领取限额: the most items of a kind per pickup (0: no limit)."""
    require_perm(actor, "resources.change_pickuplimit")
    if kind not in SERIAL_LENGTHS or max_items is None or int(max_items) < 0:
        raise InvalidInput(_("Give a kind and a limit of zero or more."))
    with transaction.atomic():
        obj, _created = PickupLimit.objects.update_or_create(kind=kind, defaults={"max_items": int(max_items)})
        audit_record(actor=actor, action="resources.limit_set", target=obj, after={"kind": kind, "max_items": max_items})
    return obj


def node_add(*, actor: Any, unit: OrgUnit, parent: StockNode | None = None) -> StockNode:
    """A unit joins the stock flow, under ``parent`` (where its returns go)."""
    require_perm(actor, "resources.add_stocknode")
    require_in_scope(actor, unit)
    with transaction.atomic():
        if StockNode.objects.filter(org_unit=unit).exists():
            raise InvalidInput(_("unit: %(unit)s is already in the stock flow.") % {"unit": unit.name})
        obj = StockNode.objects.create(org_unit=unit, parent=parent)
        audit_record(actor=actor, action="resources.node_add", target=obj,
                     after={"unit": unit.code, "parent": parent.org_unit.code if parent else None})
    return obj


def rule_add(*, actor: Any, from_node: StockNode, to_node: StockNode, operation: str, kind: str = "") -> FlowRule:
    """库存流程规则: allow ``operation`` of ``kind`` (empty: every kind) from one node to another."""
    require_perm(actor, "resources.add_flowrule")
    require_in_scope(actor, from_node.org_unit)
    if from_node.pk == to_node.pk:
        raise InvalidInput(_("to_node: a rule goes from one node to another."))
    if operation not in FlowOperation.values:
        raise InvalidInput(_("operation: choose stock out or transfer."))
    with transaction.atomic():
        obj, created = FlowRule.objects.get_or_create(from_node=from_node, to_node=to_node, operation=operation,
                                                      kind=kind or "", defaults={"is_active": True})
        if not created and not obj.is_active:
            FlowRule.objects.filter(pk=obj.pk).update(is_active=True)
        audit_record(actor=actor, action="resources.rule_add", target=obj,
                     after={"from": from_node.org_unit.code, "to": to_node.org_unit.code, "operation": operation,
                            "kind": kind})
    return obj


def rule_delete(*, actor: Any, rule: FlowRule) -> None:
    require_perm(actor, "resources.delete_flowrule")
    require_in_scope(actor, rule.from_node.org_unit)
    with transaction.atomic():
        audit_record(actor=actor, action="resources.rule_delete", target=rule,
                     before={"from": rule.from_node.org_unit.code, "to": rule.to_node.org_unit.code,
                             "operation": rule.operation, "kind": rule.kind})
        rule.delete()


# --- Stock in and the flow between units (RES-02) ---------------------------------------------------------


def _node(unit: OrgUnit) -> StockNode:
    node = StockNode.objects.filter(org_unit=unit, is_active=True).select_related("parent__org_unit").first()
    if node is None:
        raise NotAStockNode(unit=unit.name)
    return node


@dataclass
class StockResult:
    operation: uuid.UUID
    kind: str
    count: int
    unit: OrgUnit
    to_unit: OrgUnit | None = None


LOW_DIGITS = 12


def _bulk_items(sel: Selection, op: uuid.UUID, **fields: Any) -> None:
    """Items of a file: bulk_create in batches of 5,000."""
    now = timezone.now()
    batch: list[ResourceItem] = []
    for serial in sel.serials:
        batch.append(ResourceItem(kind=sel.kind, serial=serial, network=fields["network"], business=fields["business"],
                                  model=fields["model"][:60], org_unit=fields["unit"], last_operation=op,
                                  state_changed_at=now, created_at=now))
        if len(batch) == BATCH:
            ResourceItem.objects.bulk_create(batch, batch_size=BATCH)
            batch = []
    if batch:
        ResourceItem.objects.bulk_create(batch, batch_size=BATCH)


def _insert_range(sel: Selection, op: uuid.UUID, **fields: Any) -> None:
    """Items of a range: one INSERT … SELECT over a generated sequence per run of serials
    sharing their leading digits (at most two runs: the last 12 digits vary, 200,000 at most).
    Serials are text: ICCIDs of 20 digits do not fit a 64-bit integer."""
    width = len(sel.first)
    low = min(LOW_DIGITS, width)
    items = ResourceItem._meta.db_table
    now = _prep(ResourceItem, "state_changed_at", timezone.now())
    columns = ("kind, serial, network, business, model, state, org_unit_id, agent_id, settled, last_operation, "
               "state_changed_at, created_at")
    common = [sel.kind]
    tail = [fields["network"], fields["business"], fields["model"][:60], ItemState.IN_STOCK, fields["unit"].pk, False,
            _prep(ResourceItem, "last_operation", op), now, now]
    current, last = int(sel.first), int(sel.last)
    with connection.cursor() as cursor:
        while current <= last:
            text = str(current).zfill(width)
            prefix, start = text[:width - low], int(text[width - low:])
            n = min(last - current, 10 ** low - 1 - start)
            if connection.vendor == "postgresql":
                sql = (f"INSERT INTO {items} ({columns}) SELECT %s, %s || lpad((%s + n)::text, {low}, '0'), "
                       f"%s, %s, %s, %s, %s, NULL, %s, %s, %s, %s FROM generate_series(0, %s) AS n")
                params = [*common, prefix, start, *tail, n]
            else:
                zeros = "0" * low
                sql = (f"WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < %s) "
                       f"INSERT INTO {items} ({columns}) SELECT %s, %s || substr('{zeros}' || (%s + n), -{low}), "
                       f"%s, %s, %s, %s, %s, NULL, %s, %s, %s, %s FROM seq")
                params = [n, *common, prefix, start, *tail]
            cursor.execute(sql, params)
            current += n + 1


def stock_in(*, actor: Any, unit: OrgUnit, sel: Selection, network: str = Network.GSM, business: str = "mobile",
             model: str = "", note: str = "") -> StockResult:
    """入库: new items into the stock of a node, by range or file. Refuses serials already on
    record (any state); bulk_create in batches of 5,000 and one INSERT … SELECT of movements."""
    require_perm(actor, "resources.stock_in_resources")
    require_in_scope(actor, unit)
    if network not in Network.values:
        raise InvalidInput(_("network: choose GSM or CDMA."))
    op = _new_operation()
    with transaction.atomic():
        _node(unit)
        existing, example = 0, ""
        for q in sel.filters():
            qs = sel.queryset(q)
            n = qs.count()
            if n and not example:
                example = qs.values_list("serial", flat=True).first()
            existing += n
        if existing:
            raise SerialsExist(count=existing, example=example)
        if sel.serials:
            _bulk_items(sel, op, unit=unit, network=network, business=business, model=model)
        else:
            _insert_range(sel, op, unit=unit, network=network, business=business, model=model)
        _record_moves(op, MoveKind.STOCK_IN, actor=actor, from_unit=None, reference=note)
        audit_record(actor=actor, action="resources.stock_in", target=unit, org_unit=unit, reason=note,
                     after={"kind": sel.kind, "serials": sel.text, "count": sel.count, "network": network,
                            "business": business, "operation": str(op)})
    return StockResult(op, sel.kind, sel.count, unit)


def stock_move(*, actor: Any, operation: str, from_unit: OrgUnit, sel: Selection, to_unit: OrgUnit | None = None,
               note: str = "") -> StockResult:
    """出库 (``out``), 调库 (``transfer``) along an allowed flow rule, or 回退 (``return``) to the
    parent node. Every item must be in stock at ``from_unit``."""
    require_perm(actor, "resources.move_stock")
    require_in_scope(actor, from_unit)
    op = _new_operation()
    with transaction.atomic():
        source = _node(from_unit)
        if operation == MoveKind.RETURN:
            if source.parent is None:
                raise NoParentNode(unit=from_unit.name)
            to_unit = source.parent.org_unit
        else:
            if operation not in FlowOperation.values or to_unit is None:
                raise InvalidInput(_("Choose the operation and the unit to move the stock to."))
            target = _node(to_unit)
            allowed = FlowRule.objects.filter(from_node=source, to_node=target, operation=operation, is_active=True)
            if not allowed.filter(Q(kind="") | Q(kind=sel.kind)).exists():
                raise FlowNotAllowed(operation=FlowOperation(operation).label, kind=ResourceKind(sel.kind).label,
                                     source=from_unit.name, target=to_unit.name)
        _mark(sel, op, _("in stock at %(unit)s") % {"unit": from_unit.name}, state=ItemState.IN_STOCK,
              org_unit=from_unit, agent__isnull=True)
        _marked(op).update(org_unit=to_unit, state_changed_at=timezone.now())
        _record_moves(op, operation, actor=actor, from_unit=from_unit, reference=note)
        audit_record(actor=actor, action=f"resources.stock_{operation}", target=from_unit, org_unit=from_unit,
                     reason=note, after={"kind": sel.kind, "serials": sel.text, "count": sel.count,
                                         "to": to_unit.code, "operation": str(op)})
    return StockResult(op, sel.kind, sel.count, from_unit, to_unit)


# --- Agent pickups (CH-07) --------------------------------------------------------------------


def _may_pick_up(agent: Agent, unit: OrgUnit) -> bool:
    from kams.channels.selectors import may_pick_up

    return may_pick_up(agent, unit)


def _check_agent(agent: Agent, unit: OrgUnit, businesses: Iterable[str]) -> None:
    """Registered, authorised to sell every business, allowed to pick up from ``unit``."""
    if agent.status != AgentStatus.REGISTERED:
        raise AgentNotActive(agent=str(agent))
    allowed = set(AgentAuthorisation.objects.filter(agent=agent, can_sell=True).values_list("business", flat=True))
    from kams.customers.enums import Business

    for business in businesses:
        if business not in allowed:
            raise NotAuthorised(agent=str(agent), authority=_("sell"), business=Business(business).label)
    if not _may_pick_up(agent, unit):
        from kams.system.parameters import param

        raise PickupNotAllowed(agent=str(agent), unit=unit.name, scope=param("channels.pickup_scope"))


def _check_stock_limits(agent: Agent, by_business: dict[str, int]) -> None:
    """Agent.stock_limit over all items held; AgentAuthorisation.stock_limit per business (0: none)."""
    held = dict(ResourceItem.objects.filter(agent=agent, state=ItemState.PICKED_UP).values_list("business")
                .annotate(n=Count("id")))
    total_new = sum(by_business.values())
    if agent.stock_limit and sum(held.values()) + total_new > agent.stock_limit:
        raise StockLimitExceeded(agent=str(agent), held=sum(held.values()), business="", limit=agent.stock_limit,
                                 count=total_new)
    limits = dict(AgentAuthorisation.objects.filter(agent=agent, business__in=list(by_business))
                  .values_list("business", "stock_limit"))
    for business, n in by_business.items():
        limit = limits.get(business) or 0
        if limit and held.get(business, 0) + n > limit:
            raise StockLimitExceeded(agent=str(agent), held=held.get(business, 0), business=f" ({business})",
                                     limit=limit, count=n)


def _provisional_order_no() -> str:
    """Held only until the order has its id (see ``_order_no``)."""
    return f"new-{uuid.uuid4().hex[:18]}"


def _order_no(order: PickupOrder) -> str:
    """领用单号: LY + the day + the row's own id (at least five digits), unique without a counter
    to lock, as the handover (交接单) and case numbers are. A "largest number of the day + 1" read
    locks nothing on PostgreSQL before the day's first order exists, so two concurrent pickups
    drew the same number."""
    return f"LY{timezone.localtime(order.created_at):%Y%m%d}{order.pk:05d}"


def _check_method(method: str) -> None:
    if method not in PayMethod.values:
        raise InvalidInput(_("method: choose cash or account transfer."))


def pickup_create(*, actor: Any, agent: Agent, unit: OrgUnit, sel: Selection, method: str = PayMethod.TRANSFER,
                  note: str = "") -> PickupOrder:
    """领用: one agent takes items from one marketing department's stock and pays the fee
    (price × count) in cash or from its account (prepayment, then overdraft within the credit
    line). One transaction: a refusal leaves no order, no ledger entry and no movement."""
    require_perm(actor, "resources.add_pickuporder")
    require_in_scope(actor, unit)
    _check_method(method)
    limit = PickupLimit.objects.filter(kind=sel.kind).values_list("max_items", flat=True).first() or 0
    if limit and sel.count > limit:
        raise PickupLimitExceeded(limit=limit, kind=ResourceKind(sel.kind).label, count=sel.count)
    op = _new_operation()
    with transaction.atomic():
        agent = Agent.objects.select_for_update().get(pk=agent.pk)
        if agent.status != AgentStatus.REGISTERED:
            raise AgentNotActive(agent=str(agent))
        _mark(sel, op, _("in stock at %(unit)s") % {"unit": unit.name}, state=ItemState.IN_STOCK, org_unit=unit,
              agent__isnull=True)
        groups = list(_marked(op).values("network", "business").annotate(n=Count("id")))
        _check_agent(agent, unit, {g["business"] for g in groups})
        by_business: dict[str, int] = {}
        for g in groups:
            by_business[g["business"]] = by_business.get(g["business"], 0) + g["n"]
        _check_stock_limits(agent, by_business)
        today = timezone.localdate()
        prices: dict[tuple[str, str], Decimal] = {}
        for g in groups:
            price = price_on(sel.kind, g["network"], g["business"], today)
            if price is None:
                raise NoPrice(kind=ResourceKind(sel.kind).label, network=g["network"], business=g["business"],
                              date=today)
            prices[(g["network"], g["business"])] = price
        amount = sum((prices[(g["network"], g["business"])] * g["n"] for g in groups), Decimal("0"))
        order = PickupOrder.objects.create(
            order_no=_provisional_order_no(), agent=agent, org_unit=unit, kind=sel.kind, mode=sel.mode,
            first_serial=sel.first, last_serial=sel.last, count=sel.count, amount=amount, method=method, note=note[:300],
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        order.order_no = _order_no(order)
        order.save(update_fields=["order_no"])
        if amount > 0:
            txn = ledger.charge(agent, amount, kind=TransactionKind.PICKUP, method=method,
                                reference=f"pickup:{order.order_no}", source=order, actor=actor,
                                memo=_("Pickup %(order)s: %(count)s items") % {"order": order.order_no, "count": sel.count})
            PickupOrder.objects.filter(pk=order.pk).update(transaction=txn)
            order.transaction = txn
        _marked(op).update(state=ItemState.PICKED_UP, agent=agent, state_changed_at=timezone.now())
        _insert_lines(op, prices, order=order, agent=agent, unit=unit)
        _record_moves(op, MoveKind.PICKUP, actor=actor, from_agent=None, order=order, reference=order.order_no)
        audit_record(actor=actor, action="resources.pickup", target=order, org_unit=unit, reason=note,
                     after={"order": order.order_no, "agent": agent.code, "kind": sel.kind, "serials": sel.text,
                            "count": sel.count, "amount": str(amount), "method": method})
    return order


def _prep(model, name: str, value: Any) -> Any:
    return model._meta.get_field(name).get_db_prep_value(value, connection)


def _insert_lines(op: uuid.UUID, prices: dict[tuple[str, str], Decimal], *, order: PickupOrder, agent: Agent,
                  unit: OrgUnit) -> None:
    """One fee line per marked item: one INSERT … SELECT per price (network and business)."""
    lines, items = PickupLine._meta.db_table, ResourceItem._meta.db_table
    sql = (
        f"INSERT INTO {lines} (order_id, agent_transfer_id, item_id, agent_id, org_unit_id, fee, original_fee, status, "
        f"closed_at) SELECT %s, NULL, id, %s, %s, %s, %s, %s, NULL FROM {items} "
        f"WHERE last_operation = %s AND network = %s AND business = %s"
    )
    with connection.cursor() as cursor:
        for (network, business), price in prices.items():
            fee = _prep(PickupLine, "fee", price)
            cursor.execute(sql, [order.pk, agent.pk, unit.pk, fee, fee, LineStatus.HELD,
                                 _prep(ResourceItem, "last_operation", op), network, business])


def _copy_lines(op: uuid.UUID, *, source: Agent, target: Agent, transfer: AgentTransfer, closed_at) -> None:
    """The target's fee lines: copies of the source's lines just closed as transferred."""
    lines, items = PickupLine._meta.db_table, ResourceItem._meta.db_table
    sql = (
        f"INSERT INTO {lines} (order_id, agent_transfer_id, item_id, agent_id, org_unit_id, fee, original_fee, status, "
        f"closed_at) SELECT NULL, %s, item_id, %s, org_unit_id, fee, fee, %s, NULL FROM {lines} "
        f"WHERE agent_id = %s AND status = %s AND closed_at = %s "
        f"AND item_id IN (SELECT id FROM {items} WHERE last_operation = %s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [transfer.pk, target.pk, LineStatus.HELD, source.pk, LineStatus.TRANSFERRED,
                             _prep(PickupLine, "closed_at", closed_at), _prep(ResourceItem, "last_operation", op)])


def _held_lines(op: uuid.UUID):
    return PickupLine.objects.filter(status=LineStatus.HELD, item__last_operation=op)


def pickup_cancel(*, actor: Any, order: PickupOrder, settled: bool = False, method: str = PayMethod.TRANSFER,
                  reason: str = "") -> PickupOrder:
    """领取取消: the whole order back into stock, only while every item is still picked up by
    the agent; the fees refunded. ``settled`` says which data the user queried: settled
    items are never cancelled."""
    require_perm(actor, "resources.cancel_pickuporder")
    require_in_scope(actor, order)
    _check_method(method)
    op = _new_operation()
    with transaction.atomic():
        order = PickupOrder.objects.select_for_update().get(pk=order.pk)
        if order.status == PickupStatus.CANCELLED:
            raise OrderCancelled(order=order.order_no)
        held = PickupLine.objects.filter(order=order, status=LineStatus.HELD)
        n_settled = held.filter(item__settled=True).count()
        if settled or n_settled:
            raise SettledRefused(count=n_settled or order.count)
        marked = ResourceItem.objects.filter(pk__in=held.values("item_id"), state=ItemState.PICKED_UP,
                                             agent=order.agent_id).update(last_operation=op)
        if marked != order.count:
            raise OrderNotCancellable(order=order.order_no, missing=order.count - marked, count=order.count)
        refund = held.aggregate(total=Sum("fee"))["total"] or Decimal("0")
        refund = Decimal(refund).quantize(Decimal("0.01"))
        if refund > 0:
            ledger.credit(order.agent, refund, kind=TransactionKind.PICKUP_REFUND, method=method,
                          reference=f"pickup-cancel:{order.order_no}", source=order, actor=actor,
                          memo=_("Pickup %(order)s cancelled") % {"order": order.order_no})
        now = timezone.now()
        _marked(op).update(state=ItemState.IN_STOCK, agent=None, state_changed_at=now)
        held.update(status=LineStatus.CANCELLED, closed_at=now)
        _record_moves(op, MoveKind.CANCEL, actor=actor, from_agent=order.agent, order=order, reference=order.order_no)
        PickupOrder.objects.filter(pk=order.pk).update(status=PickupStatus.CANCELLED, cancelled_at=now)
        order.refresh_from_db()
        audit_record(actor=actor, action="resources.pickup_cancel", target=order, org_unit=order.org_unit,
                     reason=reason, before={"status": PickupStatus.ACTIVE},
                     after={"status": PickupStatus.CANCELLED, "refund": str(refund), "method": method})
    return order


@dataclass
class AgentResult:
    operation: uuid.UUID
    count: int
    amount: Decimal
    agent: Agent
    transaction: Any = None


def _take_from_agent(sel: Selection, op: uuid.UUID, agent: Agent) -> None:
    _mark(sel, op, _("picked up by %(agent)s") % {"agent": agent.code}, state=ItemState.PICKED_UP, agent=agent)
    n_settled = _marked(op).filter(settled=True).count()
    if n_settled:
        raise SettledRefused(count=n_settled)


def resources_return(*, actor: Any, agent: Agent, sel: Selection, method: str = PayMethod.TRANSFER,
                     reason: str = "") -> AgentResult:
    """资源回退: single items (or a list) back from the agent into the stock they came from,
    whatever their order; each item's current fee refunded."""
    require_perm(actor, "resources.return_resources")
    require_in_scope(actor, agent)
    _check_method(method)
    op = _new_operation()
    with transaction.atomic():
        _take_from_agent(sel, op, agent)
        lines = _held_lines(op).filter(agent=agent)
        refund = Decimal(lines.aggregate(total=Sum("fee"))["total"] or 0).quantize(Decimal("0.01"))
        txn = None
        if refund > 0:
            txn = ledger.credit(agent, refund, kind=TransactionKind.PICKUP_REFUND, method=method,
                                reference=f"return:{op}", actor=actor,
                                memo=_("%(count)s items returned") % {"count": sel.count})
        now = timezone.now()
        lines.update(status=LineStatus.RETURNED, closed_at=now)
        _marked(op).update(state=ItemState.IN_STOCK, agent=None, state_changed_at=now)
        _record_moves(op, MoveKind.AGENT_RETURN, actor=actor, from_agent=agent, reference=reason)
        audit_record(actor=actor, action="resources.return", target=agent, reason=reason,
                     after={"kind": sel.kind, "serials": sel.text, "count": sel.count, "refund": str(refund),
                            "method": method, "operation": str(op)})
    return AgentResult(op, sel.count, refund, agent, txn)


def resources_transfer(*, actor: Any, source: Agent, target: Agent, sel: Selection, method: str = PayMethod.TRANSFER,
                       note: str = "") -> AgentTransfer:
    """资源调库: items from one agent to another. The target must be registered, authorised for
    the items' business and allowed to pick up from their unit; it pays the source the items'
    fees (cash, or from its account into the source's)."""
    require_perm(actor, "resources.transfer_resources")
    require_in_scope(actor, source)
    require_in_scope(actor, target)
    _check_method(method)
    if source.pk == target.pk:
        raise InvalidInput(_("target: choose another agent."))
    op = _new_operation()
    with transaction.atomic():
        _take_from_agent(sel, op, source)
        units = list(_marked(op).values_list("org_unit", flat=True).distinct().order_by())
        if len(units) != 1:
            raise MixedUnits(count=len(units))
        unit = OrgUnit.objects.get(pk=units[0])
        by_business = dict(_marked(op).values_list("business").annotate(n=Count("id")).order_by())
        target = Agent.objects.get(pk=target.pk)
        _check_agent(target, unit, by_business)
        _check_stock_limits(target, by_business)
        lines = _held_lines(op).filter(agent=source)
        amount = Decimal(lines.aggregate(total=Sum("fee"))["total"] or 0).quantize(Decimal("0.01"))
        obj = AgentTransfer.objects.create(source_agent=source, target_agent=target, org_unit=unit, count=sel.count,
                                           amount=amount, method=method, note=note[:300],
                                           created_by=actor if getattr(actor, "pk", None) else None)
        if amount > 0 and method == PayMethod.TRANSFER:
            txn = ledger.transfer(source, target, amount, reference=f"agent-transfer:{obj.pk}", source=obj, actor=actor,
                                  memo=_("%(count)s items to %(agent)s") % {"count": sel.count, "agent": target.code})
            AgentTransfer.objects.filter(pk=obj.pk).update(transaction=txn)
            obj.transaction = txn
        now = timezone.now()
        lines.update(status=LineStatus.TRANSFERRED, closed_at=now)
        _marked(op).update(agent=target, state_changed_at=now)
        _copy_lines(op, source=source, target=target, transfer=obj, closed_at=now)
        _record_moves(op, MoveKind.AGENT_TRANSFER, actor=actor, from_agent=source, reference=f"T{obj.pk}")
        audit_record(actor=actor, action="resources.agent_transfer", target=obj, org_unit=unit, reason=note,
                     after={"from": source.code, "to": target.code, "serials": sel.text, "count": sel.count,
                            "amount": str(amount), "method": method})
    return obj


def fee_adjust(*, actor: Any, agent: Agent, new_fee: Any, method: str = PayMethod.TRANSFER,
               sel: Selection | None = None, order: PickupOrder | None = None, reason: str = "") -> FeeAdjustment:
    """领用费用调整: set the fee of the agent's unsettled held items (of an order, or named) to
    ``new_fee`` (zero allowed); settled items are left out. Fees are never deleted; the
    difference is refunded or charged (cash, or through the account)."""
    require_perm(actor, "resources.adjust_fees")
    require_in_scope(actor, agent)
    _check_method(method)
    fee = ledger.money(new_fee, allow_zero=True)
    if (sel is None) == (order is None):
        raise InvalidInput(_("Choose a pickup order or the items whose fee to adjust."))
    op = _new_operation()
    with transaction.atomic():
        if order is not None:
            require_in_scope(actor, order)
            lines = PickupLine.objects.filter(order=order, agent=agent, status=LineStatus.HELD,
                                              item__state=ItemState.PICKED_UP)
        else:
            for q in sel.filters():
                sel.queryset(q).filter(agent=agent, state=ItemState.PICKED_UP).update(last_operation=op)
            lines = _held_lines(op).filter(agent=agent)
        lines = lines.filter(item__settled=False)
        totals = lines.aggregate(n=Count("id"), total=Sum("fee"))
        if not totals["n"]:
            raise NothingToAdjust()
        old_total = Decimal(totals["total"] or 0).quantize(Decimal("0.01"))
        new_total = fee * totals["n"]
        unit_id = lines.values_list("org_unit", flat=True).first()
        adj = FeeAdjustment.objects.create(agent=agent, org_unit_id=unit_id, order=order, count=totals["n"],
                                           new_fee=fee, old_total=old_total, new_total=new_total, method=method,
                                           reason=reason[:300], created_by=actor if getattr(actor, "pk", None) else None)
        diff = new_total - old_total
        txn = None
        memo = _("Fee adjustment of %(count)s items") % {"count": totals["n"]}
        if diff < 0:
            txn = ledger.credit(agent, -diff, kind=TransactionKind.FEE_ADJUSTMENT, method=method,
                                reference=f"fee-adjust:{adj.pk}", source=adj, actor=actor, memo=memo)
        elif diff > 0:
            txn = ledger.charge(agent, diff, kind=TransactionKind.FEE_ADJUSTMENT, method=method,
                                reference=f"fee-adjust:{adj.pk}", source=adj, actor=actor, memo=memo)
        if txn is not None:
            FeeAdjustment.objects.filter(pk=adj.pk).update(transaction=txn)
            adj.transaction = txn
        lines.update(fee=fee)
        audit_record(actor=actor, action="resources.fee_adjust", target=adj, org_unit=adj.org_unit, reason=reason,
                     before={"total": str(old_total)}, after={"total": str(new_total), "count": totals["n"],
                                                              "fee": str(fee), "method": method})
    return adj
