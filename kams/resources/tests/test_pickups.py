"""Agents' pickups (CH-07): hand-checked money, limits, refusals that change nothing,
cancellation, returns, transfers between agents and fee adjustments."""

import re
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.http import Http404
from django.utils import timezone

from kams.channels import ledger
from kams.channels.enums import PayMethod, SubAccountKind, TransactionKind
from kams.channels.errors import CreditExceeded, NotAuthorised
from kams.channels.models import AgentAuthorisation, LedgerTransaction
from kams.resources import services
from kams.resources.enums import ItemState, LineStatus, MoveKind, PickupStatus
from kams.resources.errors import (
    ItemsNotAvailable,
    NothingToAdjust,
    OrderNotCancellable,
    PickupLimitExceeded,
    PickupNotAllowed,
    SettledRefused,
    StockLimitExceeded,
)
from kams.resources.models import Movement, PickupLimit, PickupLine, PickupOrder, ResourceItem
from kams.resources.tests.conftest import sims
from kams.system.models import SystemParameter

D = Decimal


def _pickup(stock, first, last, agent="nj_a1", method=PayMethod.TRANSFER):
    return services.pickup_create(actor=stock.user("js_channel"), agent=stock.agent(agent), unit=stock.unit("NJ-XJK"),
                                  sel=sims(first, last), method=method)


def _nothing_changed(agent):
    assert not PickupOrder.objects.exists()
    assert not LedgerTransaction.objects.filter(kind=TransactionKind.PICKUP).exists()
    assert not Movement.objects.filter(kind=MoveKind.PICKUP).exists()
    assert not ResourceItem.objects.filter(agent=agent).exists()
    assert ResourceItem.objects.filter(kind="sim", state=ItemState.IN_STOCK).count() == 1100


def test_pickup_500_sims_from_prepayment_then_overdraft(stock):
    agent = stock.agent("nj_a1")  # credit line 5,000
    ledger.pay_in(agent, SubAccountKind.PREPAYMENT, D("3000.00"))
    order = _pickup(stock, 1, 500)
    # 500 × 10.00 = 5,000.00: 3,000 from the prepayment, 2,000 overdraft within the 5,000 line.
    assert order.amount == D("5000.00") and order.count == 500
    assert re.fullmatch(r"LY" + timezone.localdate().strftime("%Y%m%d") + r"\d{5,}", order.order_no)
    balances = ledger.balances(agent)
    assert balances[SubAccountKind.PREPAYMENT] == D("0.00")
    assert balances[SubAccountKind.OVERDRAFT] == D("-2000.00")
    assert order.transaction.reference == f"pickup:{order.order_no}" and order.transaction.amount == D("5000.00")
    items = ResourceItem.objects.filter(agent=agent)
    assert items.count() == 500 and set(items.values_list("state", flat=True)) == {ItemState.PICKED_UP}
    assert PickupLine.objects.filter(order=order, fee=D("10.00"), status=LineStatus.HELD).count() == 500
    moves = Movement.objects.filter(order=order, kind=MoveKind.PICKUP)
    assert moves.count() == 500 and moves.filter(to_agent=agent, actor=stock.user("js_channel")).count() == 500
    assert ledger.ledger_check() == []


def test_pickup_beyond_credit_changes_nothing(stock):
    agent = stock.agent("nj_a1")
    with pytest.raises(CreditExceeded):
        _pickup(stock, 1, 501)  # 5,010 > 0 prepayment + 5,000 credit line
    _nothing_changed(agent)
    assert ledger.balances(agent)[SubAccountKind.OVERDRAFT] == D("0.00")
    assert ledger.ledger_check() == []


def test_pickup_limit_and_stock_limits(stock):
    agent = stock.agent("nj_a1")
    PickupLimit.objects.create(kind="sim", max_items=100)
    with pytest.raises(PickupLimitExceeded):
        _pickup(stock, 1, 101)
    type(agent).objects.filter(pk=agent.pk).update(stock_limit=150)
    _pickup(stock, 1, 100)
    with pytest.raises(StockLimitExceeded):
        _pickup(stock, 101, 151)  # holds 100, 51 more > 150
    type(agent).objects.filter(pk=agent.pk).update(stock_limit=0)
    AgentAuthorisation.objects.filter(agent=agent, business="mobile").update(stock_limit=120)
    with pytest.raises(StockLimitExceeded):
        _pickup(stock, 101, 121)
    _pickup(stock, 101, 120)
    assert ResourceItem.objects.filter(agent=agent).count() == 120
    assert ledger.ledger_check() == []


def test_pickup_refusals(stock):
    agent = stock.agent("nj_a1")
    AgentAuthorisation.objects.filter(agent=agent, business="mobile").update(can_sell=False)
    with pytest.raises(NotAuthorised):
        _pickup(stock, 1, 10)
    AgentAuthorisation.objects.filter(agent=agent, business="mobile").update(can_sell=True)
    with pytest.raises(PickupNotAllowed):  # a Suzhou agent at a Nanjing department
        _pickup(stock, 1, 10, agent="sz_a1")
    with pytest.raises(ItemsNotAvailable) as exc:  # 1,001 … 1,010 are not on record
        _pickup(stock, 995, 1010)
    assert exc.value.params["missing"] == 10 and exc.value.params["count"] == 16
    _nothing_changed(agent)


def test_cash_pickup_leaves_the_sub_accounts(stock):
    agent = stock.agent("nj_a1")
    order = _pickup(stock, 1, 20, method=PayMethod.CASH)
    assert order.amount == D("200.00") and order.transaction.method == PayMethod.CASH
    assert all(v == 0 for v in ledger.balances(agent).values())
    assert ledger.ledger_check() == []


def test_cancel_refunds_and_returns_everything(stock):
    agent = stock.agent("nj_a1")
    order = _pickup(stock, 1, 300)  # 3,000 overdraft
    services.pickup_cancel(actor=stock.user("js_channel"), order=order, reason="错领")
    order.refresh_from_db()
    assert order.status == PickupStatus.CANCELLED
    assert ledger.balances(agent)[SubAccountKind.OVERDRAFT] == D("0.00")
    assert not ResourceItem.objects.filter(agent=agent).exists()
    assert PickupLine.objects.filter(order=order, status=LineStatus.CANCELLED).count() == 300
    assert Movement.objects.filter(order=order, kind=MoveKind.CANCEL, from_agent=agent).count() == 300
    assert ledger.ledger_check() == []


def test_cancel_of_a_partly_returned_order_is_refused(stock):
    agent = stock.agent("nj_a1")
    order = _pickup(stock, 1, 100)
    services.resources_return(actor=stock.user("js_channel"), agent=agent, sel=sims(5, 7))
    assert ledger.balances(agent)[SubAccountKind.OVERDRAFT] == D("-970.00")  # 3 × 10 refunded
    with pytest.raises(OrderNotCancellable) as exc:
        services.pickup_cancel(actor=stock.user("js_channel"), order=order)
    assert (exc.value.params["missing"], exc.value.params["count"]) == (3, 100)
    assert ResourceItem.objects.filter(agent=agent).count() == 97
    assert ledger.ledger_check() == []


def test_settled_items_are_not_cancelled(stock):
    order = _pickup(stock, 1, 10)
    with pytest.raises(SettledRefused):
        services.pickup_cancel(actor=stock.user("js_channel"), order=order, settled=True)
    ResourceItem.objects.filter(serial=sims(1, 1).first).update(settled=True)
    with pytest.raises(SettledRefused):
        services.pickup_cancel(actor=stock.user("js_channel"), order=order, settled=False)
    assert PickupOrder.objects.get(pk=order.pk).status == PickupStatus.ACTIVE
    assert ledger.ledger_check() == []


def test_transfer_between_agents(stock):
    manager = stock.user("js_channel")
    source, target = stock.agent("nj_a1"), stock.agent("nj_a2")  # nj_a2 at NJ-HX, credit 0
    _pickup(stock, 1, 50)  # 500 overdraft for nj_a1
    # Pickup scope "own": nj_a2 may not pick up at NJ-XJK, so it may not take these items.
    with pytest.raises(PickupNotAllowed):
        services.resources_transfer(actor=manager, source=source, target=target, sel=sims(1, 10))
    SystemParameter.objects.create(key="channels.pickup_scope", value="first_level")
    AgentAuthorisation.objects.filter(agent=target, business="mobile").update(can_sell=False)
    with pytest.raises(NotAuthorised):
        services.resources_transfer(actor=manager, source=source, target=target, sel=sims(1, 10))
    assert ResourceItem.objects.filter(agent=source).count() == 50
    AgentAuthorisation.objects.filter(agent=target, business="mobile").update(can_sell=True)
    with pytest.raises(CreditExceeded):  # nj_a2 has neither prepayment nor credit
        services.resources_transfer(actor=manager, source=source, target=target, sel=sims(1, 10))
    ledger.pay_in(target, SubAccountKind.PREPAYMENT, D("1000.00"))
    moved = services.resources_transfer(actor=manager, source=source, target=target, sel=sims(1, 10))
    assert moved.amount == D("100.00") and moved.count == 10
    assert ledger.balances(target)[SubAccountKind.PREPAYMENT] == D("900.00")
    assert ledger.balances(source)[SubAccountKind.OVERDRAFT] == D("-400.00")
    assert ResourceItem.objects.filter(agent=target, state=ItemState.PICKED_UP).count() == 10
    assert PickupLine.objects.filter(agent=target, status=LineStatus.HELD, fee=D("10.00")).count() == 10
    assert PickupLine.objects.filter(agent=source, status=LineStatus.TRANSFERRED).count() == 10
    assert Movement.objects.filter(kind=MoveKind.AGENT_TRANSFER, from_agent=source, to_agent=target).count() == 10
    # Cash: no ledger entry at all.
    before = LedgerTransaction.objects.count()
    services.resources_transfer(actor=manager, source=source, target=target, sel=sims(11, 12), method=PayMethod.CASH)
    assert LedgerTransaction.objects.count() == before
    assert ledger.ledger_check() == []


def test_fee_adjustment_to_zero_refunds_and_leaves_settled_items(stock):
    agent = stock.agent("nj_a1")
    order = _pickup(stock, 1, 100)  # 1,000 overdraft
    ResourceItem.objects.filter(serial__in=[sims(1, 1).first, sims(2, 2).first]).update(settled=True)
    adj = services.fee_adjust(actor=stock.user("js_channel"), agent=agent, new_fee="0", order=order, reason="促销")
    assert (adj.count, adj.old_total, adj.new_total) == (98, D("980.00"), D("0.00"))
    assert ledger.balances(agent)[SubAccountKind.OVERDRAFT] == D("-20.00")
    assert adj.transaction.kind == TransactionKind.FEE_ADJUSTMENT
    lines = PickupLine.objects.filter(order=order)
    assert lines.count() == 100  # never deleted
    assert lines.filter(fee=D("0.00")).count() == 98 and lines.filter(fee=D("10.00"), item__settled=True).count() == 2
    assert lines.filter(original_fee=D("10.00")).count() == 100
    # Raise some back: the difference is charged.
    services.fee_adjust(actor=stock.user("js_channel"), agent=agent, new_fee="12.50", sel=sims(3, 4))
    assert ledger.balances(agent)[SubAccountKind.OVERDRAFT] == D("-45.00")
    with pytest.raises(NothingToAdjust):  # only settled items named
        services.fee_adjust(actor=stock.user("js_channel"), agent=agent, new_fee="1", sel=sims(1, 2))
    assert ledger.ledger_check() == []


def test_returned_items_are_refunded_at_their_adjusted_fee(stock):
    agent = stock.agent("nj_a1")
    _pickup(stock, 1, 10)
    services.fee_adjust(actor=stock.user("js_channel"), agent=agent, new_fee="4.00", sel=sims(1, 5))
    result = services.resources_return(actor=stock.user("js_channel"), agent=agent, sel=sims(4, 6))
    assert result.amount == D("18.00")  # 4 + 4 + 10
    assert ResourceItem.objects.filter(agent=agent).count() == 7
    assert ResourceItem.objects.get(serial=sims(5, 5).first).state == ItemState.IN_STOCK
    assert ledger.ledger_check() == []


def test_scope_and_permission(stock):
    order = _pickup(stock, 1, 5)
    with pytest.raises(Http404):
        PickupOrder.objects.get_visible(stock.user("sz_director"), pk=order.pk)
    assert PickupOrder.objects.get_visible(stock.user("nj_director"), pk=order.pk) == order
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.pickup_cancel(actor=stock.user("js_director"), order=order)  # reads only


def test_pickup_of_5000_items_is_set_based(stock, django_assert_max_num_queries):
    manager = stock.user("js_channel")
    agent = stock.agent("national")  # NJ-SCB, credit 100,000
    services.stock_in(actor=manager, unit=stock.unit("NJ-SCB"),
                      sel=services.selection("sim", "8986020000000000001", "8986020000000005000"))
    sel = services.selection("sim", "8986020000000000001", "8986020000000005000")
    with django_assert_max_num_queries(40):
        order = services.pickup_create(actor=manager, agent=agent, unit=stock.unit("NJ-SCB"), sel=sel)
    assert order.count == 5000 and order.amount == D("50000.00")
    assert Movement.objects.filter(order=order).count() == 5000
    with django_assert_max_num_queries(40):
        services.pickup_cancel(actor=manager, order=order)
    assert ledger.ledger_check() == []


# --- Order numbers (领用单号) ---------------------------------------------------------------------


def test_pickup_orders_of_one_day_get_distinct_numbers_from_their_ids(stock):
    first, second = _pickup(stock, 1, 10), _pickup(stock, 11, 20)
    day = timezone.localdate().strftime("%Y%m%d")
    assert first.order_no == f"LY{day}{first.pk:05d}" and second.order_no == f"LY{day}{second.pk:05d}"
    assert first.order_no != second.order_no
    assert list(PickupOrder.objects.order_by("pk").values_list("order_no", flat=True)) == [first.order_no,
                                                                                          second.order_no]
    assert second.transaction.reference == f"pickup:{second.order_no}"
    assert set(Movement.objects.filter(order=second).values_list("reference", flat=True)) == {second.order_no}


needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent sessions need PostgreSQL")


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_pickups_of_one_day_both_succeed_with_distinct_numbers(stock):
    # Two agents, two departments: neither waits for the other's agent lock, so both number
    # their orders while the day has no order yet.
    manager = stock.user("js_channel")
    calls = [
        lambda: services.pickup_create(actor=manager, agent=stock.agent("nj_a1"), unit=stock.unit("NJ-XJK"),
                                       sel=sims(1, 10)),
        lambda: services.pickup_create(actor=manager, agent=stock.agent("sz_a1"), unit=stock.unit("SZ-SCB"),
                                       sel=services.selection("sim", "8986050000000000001", "8986050000000000010")),
    ]
    results, barrier = [None, None], threading.Barrier(2)

    def work(i: int) -> None:
        try:
            barrier.wait()
            results[i] = calls[i]()
        except Exception as exc:  # noqa: BLE001  (collected and asserted below)
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(isinstance(r, PickupOrder) for r in results), results
    numbers = sorted(PickupOrder.objects.values_list("order_no", flat=True))
    day = timezone.localdate().strftime("%Y%m%d")
    assert numbers == sorted(f"LY{day}{r.pk:05d}" for r in results) and len(set(numbers)) == 2
    assert ResourceItem.objects.filter(state=ItemState.PICKED_UP).count() == 20
    assert ledger.ledger_check() == []
