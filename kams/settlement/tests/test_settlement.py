"""Settlement on hand-computed examples (CH-11 … CH-16)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from kams.billing.models import BillSummary
from kams.channels import ledger
from kams.channels.enums import SubAccountKind, TransactionKind
from kams.channels.models import LedgerTransaction
from kams.core.errors import InvalidInput
from kams.settlement import services
from kams.settlement.enums import AdjustmentKind, BillState, LineKind, RunKind, SchemeKind
from kams.settlement.errors import BillPaid, NoScheme
from kams.settlement.models import AgentBill, BillLine, BusinessScheme, SchemeVersion, SettlementVariable
from kams.settlement.run import extract, settle
from kams.settlement.testing import add_subscriber, last_period, months_before

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def period():
    return last_period()


@pytest.fixture
def cm(channels):
    return channels.user("js_channel")


@pytest.fixture
def commission(cm):
    """50 yuan per new mobile subscriber whose first-month paid fee ≥ 30; from the 11th, 60."""
    return services.save_scheme(
        actor=cm, code="mob-comm", name="Mobile commission", business="mobile", kind=SchemeKind.COMMISSION,
        condition="paid >= 30", steps=[{"from": 1, "amount": "50"}, {"from": 11, "amount": "60.00"}])


@pytest.fixture
def share(cm):
    """8 % of fee_mobile + fee_data for 12 months (data business)."""
    return services.save_scheme(
        actor=cm, code="data-share", name="Data revenue share", business="data", kind=SchemeKind.REVENUE_SHARE,
        base="fee_mobile + fee_data", rate=D("8"), months=12)


@pytest.fixture
def a1_setup(channels, bills, period, cm, commission):
    """nj_a1: 12 qualifying new subscribers, one new paying 29 (no), one old paying 100 (no)."""
    a1 = channels.agents["nj_a1"]
    for i in range(12):
        day = period.replace(day=1 + i)
        add_subscriber(a1, f"1390000{i:04d}", day)
        bills.add(period, f"1390000{i:04d}", fee_mobile=30)
    add_subscriber(a1, "13900009998", period.replace(day=20))
    bills.add(period, "13900009998", fee_mobile=29)
    add_subscriber(a1, "13900009999", months_before(period, 5))
    bills.add(period, "13900009999", fee_mobile=100)
    composite = services.save_composite(actor=cm, code="std", name="Standard", schemes=[commission.scheme])
    services.assign_scheme(actor=cm, agent=a1, primary=composite)
    return composite


def line_amounts(bill, kind=LineKind.NORMAL):
    return {(line.msisdn, line.amount) for line in bill.lines.filter(kind=kind)}


def test_commission_with_steps_unified_run(channels, a1_setup, bills, period, cm):
    a2 = channels.agents["nj_a2"]
    add_subscriber(a2, "13800000001", period.replace(day=3))
    bills.add(period, "13800000001", fee_mobile=40, paid=35)
    services.assign_scheme(actor=cm, agent=a2, primary=a1_setup)
    run = settle(actor=cm, period=period, kind=RunKind.UNIFIED, unit=channels.units["NJ-SCB"])
    bills_by_agent = {b.agent.code: b for b in run.bills.all()}
    assert set(bills_by_agent) == {"A32010001", "A32010002"}
    a1_bill = bills_by_agent["A32010001"]
    assert a1_bill.amount == D("620.00")  # 10 × 50 + 2 × 60
    lines = list(a1_bill.lines.order_by("rank"))
    assert [line.amount for line in lines] == [D("50")] * 10 + [D("60")] * 2
    assert lines[0].msisdn == "13900000000" and lines[-1].rank == 12
    assert bills_by_agent["A32010002"].amount == D("50.00")
    assert run.total == D("670.00")
    assert a1_bill.versions == [{"id": a1_setup.schemes.get().versions.get().pk, "scheme": "mob-comm", "version": 1}]
    # The national agent under NJ-SCB has no scheme: listed, not settled.
    assert [a["code"] for a in run.without_scheme] == ["A00000001"]
    assert run.extraction.row_count == 15


def test_revenue_share_for_twelve_months(channels, bills, period, cm, share):
    a2 = channels.agents["nj_a2"]
    add_subscriber(a2, "13700000001", months_before(period, 3), business="data")
    bills.add(period, "13700000001", fee_mobile=100, fee_data=25)  # 8 % of 125 = 10.00
    add_subscriber(a2, "13700000002", months_before(period, 11), business="data")
    bills.add(period, "13700000002", fee_mobile=50)  # month 12: 4.00
    add_subscriber(a2, "13700000003", months_before(period, 12), business="data")
    bills.add(period, "13700000003", fee_mobile=500)  # month 13: nothing
    add_subscriber(a2, "13700000004", months_before(period, 1), business="mobile")
    bills.add(period, "13700000004", fee_mobile=500)  # another business: nothing
    composite = services.save_composite(actor=cm, code="data", name="Data", schemes=[share.scheme])
    services.assign_scheme(actor=cm, agent=a2, primary=composite)
    run = settle(actor=cm, period=period, kind=RunKind.SINGLE, agent=a2)
    bill = run.bills.get()
    assert line_amounts(bill) == {("13700000001", D("10.00")), ("13700000002", D("4.00"))}
    assert {line.base for line in bill.lines.all()} == {D("125.00"), D("50.00")}
    assert bill.amount == D("14.00")


def test_revenue_share_base_with_condition_and_string(channels, bills, period, cm):
    """A base with its own string literal and a condition on the agent type: the parameters of
    the compiled SQL line up."""
    version = services.save_scheme(
        actor=cm, code="vip", name="VIP share", business="data", kind=SchemeKind.REVENUE_SHARE,
        base='package == "vip" ? (fee_mobile + fee_data) * 2 : fee_data', rate=D("10"), months=3,
        condition='agent_type in ["outlet"] && package != "test"')
    composite = services.save_composite(actor=cm, code="vip", name="VIP", schemes=[version.scheme])
    a2 = channels.agents["nj_a2"]  # an outlet
    services.assign_scheme(actor=cm, agent=a2, primary=composite)
    add_subscriber(a2, "13600000001", months_before(period, 1), business="data", package="vip")
    bills.add(period, "13600000001", fee_mobile=10, fee_data=15)  # 10 % of (25 × 2) = 5.00
    add_subscriber(a2, "13600000002", months_before(period, 2), business="data", package="basic")
    bills.add(period, "13600000002", fee_mobile=10, fee_data=33.3)  # 10 % of 33.30 = 3.33
    add_subscriber(a2, "13600000003", months_before(period, 0), business="data", package="test")
    bills.add(period, "13600000003", fee_data=100)  # excluded by the condition
    bill = settle(actor=cm, period=period, kind=RunKind.SINGLE, agent=a2).bills.get()
    assert line_amounts(bill) == {("13600000001", D("5.00")), ("13600000002", D("3.33"))}
    assert bill.amount == D("8.33")


def test_fallback_after_primary_validity(channels, a1_setup, bills, period, cm, share):
    a1 = channels.agents["nj_a1"]
    add_subscriber(a1, "13700000009", months_before(period, 2), business="data")
    bills.add(period, "13700000009", fee_data=50)  # 4.00
    fallback = services.save_composite(actor=cm, code="fb", name="Fallback", schemes=[share.scheme])
    services.assign_scheme(actor=cm, agent=a1, primary=a1_setup, fallback=fallback,
                           valid_until=period - datetime.timedelta(days=1))
    bill = settle(actor=cm, period=period, kind=RunKind.SINGLE, agent=a1).bills.get()
    assert bill.composite == fallback and bill.amount == D("4.00")
    services.assign_scheme(actor=cm, agent=a1, primary=a1_setup, fallback=fallback, valid_until=period)
    bill = settle(actor=cm, period=period, kind=RunKind.SINGLE, agent=a1).bills.get()
    assert bill.composite == a1_setup


def test_agent_without_scheme_refused(channels, period, cm):
    with pytest.raises(NoScheme):
        settle(actor=cm, period=period, kind=RunKind.SINGLE, agent=channels.agents["national"])
    assert not AgentBill.objects.exists()


def test_reward_fine_payout_and_ledger(channels, a1_setup, period, cm):
    a1 = channels.agents["nj_a1"]
    bill = settle(actor=cm, period=period, kind=RunKind.SINGLE, agent=a1).bills.get()
    services.adjust_bill(actor=cm, bill=bill, kind=AdjustmentKind.REWARD, amount="30", reason="Top seller")
    services.adjust_bill(actor=cm, bill=bill, kind=AdjustmentKind.FINE, amount="50", reason="Late forms")
    bill.refresh_from_db()
    assert bill.net == D("600.00")
    with pytest.raises(PermissionDenied):  # the channel manager does not pay out
        services.pay_bill(actor=cm, bill=bill)
    services.pay_bill(actor=channels.user("js_finance"), bill=bill)
    bill.refresh_from_db()
    assert bill.state == BillState.PAID and bill.transaction.kind == TransactionKind.PAYOUT
    assert ledger.balances(a1)[SubAccountKind.REBATE] == D("600.00")
    assert ledger.ledger_check() == []
    with pytest.raises(BillPaid):
        services.adjust_bill(actor=cm, bill=bill, kind=AdjustmentKind.REWARD, amount="1", reason="x")
    with pytest.raises(BillPaid):
        services.pay_bill(actor=channels.user("js_finance"), bill=bill)
    services.supplement_or_recover(actor=channels.user("js_finance"), bill=bill, kind=AdjustmentKind.RECOVERY,
                                   amount="25", reason="Duplicate reward")
    assert ledger.balances(a1)[SubAccountKind.REBATE] == D("575.00")
    assert ledger.ledger_check() == []


def test_resettlement_after_bill_correction(channels, a1_setup, period, cm):
    a1, finance = channels.agents["nj_a1"], channels.user("js_finance")
    first = settle(actor=cm, period=period, kind=RunKind.SINGLE, agent=a1).bills.get()
    services.pay_bill(actor=finance, bill=first)
    # Billing correction: the first subscriber paid 20, not 30; it no longer qualifies, the 11th
    # moves down to step 1 (60 → 50), the 12th stays at 60.
    BillSummary.objects.filter(msisdn="13900000000").update(paid=D("20"))
    second = settle(actor=cm, period=period, kind=RunKind.SINGLE, agent=a1).bills.get()
    assert second.original == first
    adjusting = {(line.msisdn, line.amount, line.original.msisdn) for line in second.lines.filter(kind=LineKind.ADJUST)}
    assert adjusting == {("13900000000", D("-50.00"), "13900000000"), ("13900000010", D("-10.00"), "13900000010")}
    assert second.amount == D("-60.00")
    first.refresh_from_db()
    assert first.amount == D("620.00") and first.lines.filter(kind=LineKind.NORMAL).count() == 12  # untouched
    services.pay_bill(actor=finance, bill=second)
    second.refresh_from_db()
    assert second.transaction.kind == TransactionKind.RECOVERY
    assert ledger.balances(a1)[SubAccountKind.REBATE] == D("560.00")
    # Correction back: a third settlement pays the 60 again as a supplementary payment.
    BillSummary.objects.filter(msisdn="13900000000").update(paid=D("30"))
    third = settle(actor=cm, period=period, kind=RunKind.SINGLE, agent=a1).bills.get()
    assert third.amount == D("60.00")
    services.pay_bill(actor=finance, bill=third)
    third.refresh_from_db()
    assert third.transaction.kind == TransactionKind.SUPPLEMENT
    assert ledger.balances(a1)[SubAccountKind.REBATE] == D("620.00")
    assert ledger.ledger_check() == []
    assert LedgerTransaction.objects.filter(agent=a1).count() == 3


def test_same_inputs_same_result(channels, a1_setup, period, cm):
    a1 = channels.agents["nj_a1"]
    extraction = extract(actor=cm, period=period, agent=a1)
    first = settle(actor=cm, period=period, kind=RunKind.SINGLE, agent=a1, extraction=extraction).bills.get()
    again = settle(actor=cm, period=period, kind=RunKind.SINGLE, agent=a1, extraction=extraction).bills.get()
    assert line_amounts(again, LineKind.RECALC) == line_amounts(first)
    assert again.versions == first.versions
    assert again.amount == 0 and not again.lines.filter(kind=LineKind.ADJUST).exists()


def test_extraction_must_cover_the_target(channels, a1_setup, period, cm):
    extraction = extract(actor=cm, period=period, agent=channels.agents["nj_a2"])
    with pytest.raises(InvalidInput):
        settle(actor=cm, period=period, kind=RunKind.SINGLE, agent=channels.agents["nj_a1"], extraction=extraction)
    unit_extraction = extract(actor=cm, period=period, unit=channels.units["NJ-SCB"])
    assert unit_extraction.number == 2 and unit_extraction.row_count == 14
    bill = settle(actor=cm, period=period, kind=RunKind.SINGLE, agent=channels.agents["nj_a1"],
                  extraction=unit_extraction).bills.get()
    assert bill.amount == D("620.00")


def test_scheme_versions(cm, commission):
    new = services.save_scheme(actor=cm, code="mob-comm", name="Mobile commission", business="mobile",
                               kind=SchemeKind.COMMISSION, condition="paid >= 40", steps=[{"from": 1, "amount": "45"}])
    assert new.version == 2 and commission.scheme.current == new
    assert SchemeVersion.objects.get(pk=commission.pk).condition == "paid >= 30"


@pytest.mark.parametrize("condition,needle", [
    ("paid >= ", "syntax error at line 1"),
    ("bonus > 3", "unknown variable “bonus”"),
    ("paid > \"30\"", "cannot be compared"),
    ("paid + 1", "a bool is needed"),
])
def test_bad_expression_saves_nothing(cm, condition, needle):
    with pytest.raises(InvalidInput) as err:
        services.save_scheme(actor=cm, code="bad", name="Bad", business="mobile", kind=SchemeKind.COMMISSION,
                             condition=condition, steps=[{"from": 1, "amount": "50"}])
    assert needle in err.value.text
    assert not BusinessScheme.objects.exists()


def test_variable_outside_its_scope(channels, cm):
    package = SettlementVariable.objects.get(name="package")
    services.set_variable_scope(actor=cm, variable=package, enabled=True, businesses=["data"], units=[])
    with pytest.raises(InvalidInput) as err:
        services.save_scheme(actor=cm, code="pk", name="P", business="mobile", kind=SchemeKind.COMMISSION,
                             condition='package == "gold"', steps=[{"from": 1, "amount": "50"}])
    assert "package" in err.value.text
    services.set_variable_scope(actor=cm, variable=package, enabled=True, businesses=[],
                                units=[channels.units["NJ-SCB"]])
    with pytest.raises(InvalidInput):  # a scheme for everywhere may not use a Nanjing-only variable
        services.save_scheme(actor=cm, code="pk", name="P", business="mobile", kind=SchemeKind.COMMISSION,
                             condition='package == "gold"', steps=[{"from": 1, "amount": "50"}])
    version = services.save_scheme(actor=cm, code="pk", name="P", business="mobile", kind=SchemeKind.COMMISSION,
                                   condition='package == "gold"', steps=[{"from": 1, "amount": "50"}],
                                   units=[channels.units["NJ-XJK"]])
    assert version.version == 1
    assert BusinessScheme.objects.count() == 1


def test_composite_one_scheme_per_business(cm, commission):
    other = services.save_scheme(actor=cm, code="mob-2", name="Other", business="mobile", kind=SchemeKind.COMMISSION,
                                 steps=[{"from": 1, "amount": "10"}])
    with pytest.raises(InvalidInput):
        services.save_composite(actor=cm, code="two", name="Two", schemes=[commission.scheme, other.scheme])


def test_scheme_scope_units_and_condition_with_package(channels, bills, period, cm):
    a1, a3 = channels.agents["nj_a1"], channels.agents["nj_a3"]
    version = services.save_scheme(
        actor=cm, code="gold", name="Gold", business="mobile", kind=SchemeKind.COMMISSION,
        condition='package in ["gold", "platinum"] && is_new', steps=[{"from": 1, "amount": "20"}],
        units=[channels.units["NJ-SCB"]])
    composite = services.save_composite(actor=cm, code="g", name="G", schemes=[version.scheme])
    for agent, n in ((a1, "1"), (a3, "3")):
        services.assign_scheme(actor=cm, agent=agent, primary=composite)
        add_subscriber(agent, f"1360000000{n}", period.replace(day=2), package="gold")
        add_subscriber(agent, f"1360000001{n}", period.replace(day=2), package="silver")
    assert settle(actor=cm, period=period, kind=RunKind.SINGLE, agent=a1).bills.get().amount == D("20.00")
    assert settle(actor=cm, period=period, kind=RunKind.SINGLE, agent=a3).bills.get().amount == D("0.00")


def test_permissions_and_scope(channels, period):
    finance, sz = channels.user("js_finance"), channels.user("sz_director")
    with pytest.raises(PermissionDenied):
        services.save_scheme(actor=finance, code="x", name="X", business="mobile", kind=SchemeKind.COMMISSION,
                             steps=[{"from": 1, "amount": "1"}])
    with pytest.raises(PermissionDenied):
        settle(actor=sz, period=period, kind=RunKind.SINGLE, agent=channels.agents["nj_a1"])
    assert BillLine.objects.count() == 0


def test_settled_numbers_are_marked_settled_pickups(channels, a1_setup, period, cm):
    """CH-07: a number that earned its agent a settlement line is a settled pickup; a number
    without a line (paid 29, below the condition), or another agent's, is not."""
    from kams.resources.enums import ItemState, ResourceKind
    from kams.resources.models import ResourceItem

    a1, unit = channels.agents["nj_a1"], channels.units["NJ-XJK"]
    ResourceItem.objects.bulk_create([
        ResourceItem(kind=ResourceKind.NUMBER, serial=serial, org_unit=unit, agent=agent, state=ItemState.ENTERED)
        for serial, agent in (("13900000000", a1), ("13900009998", a1), ("13900000001", channels.agents["nj_a2"]))
    ])
    settle(actor=cm, period=period, kind=RunKind.SINGLE, agent=a1)
    settled = dict(ResourceItem.objects.values_list("serial", "settled"))
    assert settled == {"13900000000": True, "13900009998": False, "13900000001": False}
