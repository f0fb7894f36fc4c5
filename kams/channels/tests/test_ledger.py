"""The agent account ledger (CH-02): double entries adding up to zero, balances in step,
overdraft within the credit line, the overdraft sub-account never operated directly."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kams.channels import ledger
from kams.channels.enums import HouseAccountKind, PayMethod, SubAccountKind, TransactionKind
from kams.channels.errors import CreditExceeded, InsufficientFunds, OverdraftNotOperable
from kams.channels.models import LedgerAccount, LedgerEntry, LedgerTransaction
from kams.core.errors import InvalidInput

D = Decimal


def _balances(agent):
    return {k: str(v) for k, v in ledger.balances(agent).items()}


@pytest.mark.django_db
def test_payment_then_pickup_on_overdraft_then_payment_repays_overdraft_first(channels):
    agent = channels.agents["nj_a1"]  # credit line 5,000
    with transaction.atomic():
        ledger.pay_in(agent, SubAccountKind.PREPAYMENT, D("3000.00"))
        ledger.pay_in(agent, SubAccountKind.DEPOSIT, D("10000.00"))
        pickup = ledger.charge(agent, D("5000.00"), kind=TransactionKind.PICKUP, method=PayMethod.TRANSFER)
    assert _balances(agent) == {"deposit": "10000.00", "prepayment": "0.00", "rebate": "0.00", "overdraft": "-2000.00"}
    assert sorted((e.account.kind, e.amount) for e in pickup.entries.all()) == [
        ("overdraft", D("-2000.00")), ("prepayment", D("-3000.00")), ("resource_sales", D("5000.00"))]
    with transaction.atomic():
        ledger.pay_in(agent, SubAccountKind.PREPAYMENT, D("2500.00"))
    assert _balances(agent)["overdraft"] == "0.00" and _balances(agent)["prepayment"] == "500.00"
    assert ledger.ledger_check() == []


@pytest.mark.django_db
def test_pickup_beyond_credit_is_refused_and_writes_nothing(channels):
    agent = channels.agents["nj_a1"]
    with transaction.atomic():
        ledger.pay_in(agent, SubAccountKind.PREPAYMENT, D("1000.00"))
    count = LedgerEntry.objects.count()
    with pytest.raises(CreditExceeded), transaction.atomic():
        ledger.charge(agent, D("6000.01"), kind=TransactionKind.PICKUP, method=PayMethod.TRANSFER)
    assert LedgerEntry.objects.count() == count
    assert _balances(agent)["prepayment"] == "1000.00"


@pytest.mark.django_db
def test_overdraft_cannot_be_operated_directly_and_withdrawal_is_bounded(channels):
    agent = channels.agents["nj_a1"]
    with pytest.raises(OverdraftNotOperable), transaction.atomic():
        ledger.pay_in(agent, SubAccountKind.OVERDRAFT, D("100"))
    with pytest.raises(OverdraftNotOperable), transaction.atomic():
        ledger.withdraw(agent, SubAccountKind.OVERDRAFT, D("100"))
    with pytest.raises(InvalidInput), transaction.atomic():
        ledger.withdraw(agent, SubAccountKind.DEPOSIT, D("100"))
    with pytest.raises(InsufficientFunds), transaction.atomic():
        ledger.withdraw(agent, SubAccountKind.REBATE, D("0.01"))
    assert not LedgerTransaction.objects.exists()


@pytest.mark.django_db
def test_transfer_moves_money_from_target_to_source(channels):
    source, target = channels.agents["nj_a2"], channels.agents["nj_a1"]
    with transaction.atomic():
        ledger.pay_in(target, SubAccountKind.PREPAYMENT, D("300"))
        ledger.transfer(source, target, D("800"))
    assert _balances(target)["prepayment"] == "0.00" and _balances(target)["overdraft"] == "-500.00"
    assert _balances(source)["prepayment"] == "800.00"
    assert ledger.ledger_check() == []


@pytest.mark.django_db
def test_payout_recovery_and_idempotent_reference(channels):
    agent = channels.agents["nj_a1"]
    with transaction.atomic():
        first = ledger.credit(agent, D("1200"), kind=TransactionKind.PAYOUT, method=PayMethod.TRANSFER,
                              house_kind=HouseAccountKind.COMMISSION, sub_account=SubAccountKind.REBATE,
                              reference="payout:2026-10:A32010001")
        again = ledger.credit(agent, D("1200"), kind=TransactionKind.PAYOUT, method=PayMethod.TRANSFER,
                              house_kind=HouseAccountKind.COMMISSION, sub_account=SubAccountKind.REBATE,
                              reference="payout:2026-10:A32010001")
    assert first.pk == again.pk and _balances(agent)["rebate"] == "1200.00"
    with transaction.atomic():
        ledger.recover(agent, D("1500"))  # 1,200 from the rebate, 300 on overdraft
    assert _balances(agent)["rebate"] == "0.00" and _balances(agent)["overdraft"] == "-300.00"
    assert ledger.ledger_check() == []


@pytest.mark.django_db
def test_entries_are_append_only_and_balances_checked_by_the_database(channels):
    agent = channels.agents["nj_a1"]
    with transaction.atomic():
        ledger.pay_in(agent, SubAccountKind.PREPAYMENT, D("10"))
    entry = LedgerEntry.objects.first()
    with pytest.raises(Exception), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=D("99"))
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerAccount.objects.filter(agent=agent, kind=SubAccountKind.PREPAYMENT).update(balance=D("-1"))
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerAccount.objects.filter(agent=agent, kind=SubAccountKind.OVERDRAFT).update(balance=D("1"))
    if connection.vendor == "postgresql":
        with pytest.raises(Exception), transaction.atomic():
            LedgerEntry.objects.filter(pk=entry.pk).delete()


@pytest.mark.parametrize("raw", ["", "abc", "-5", "0", "1.001", "NaN", "Infinity"])
def test_money_refuses_bad_amounts(raw):
    with pytest.raises(InvalidInput):
        ledger.money(raw)


OPS = st.lists(
    st.tuples(
        st.sampled_from(["pay_prepayment", "pay_deposit", "withdraw_prepayment", "withdraw_rebate", "charge", "payout",
                         "recover", "transfer", "refund"]),
        st.integers(min_value=1, max_value=400_000).map(lambda cents: D(cents) / 100),
    ),
    max_size=25,
)


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_ledger_invariants_hold_for_any_sequence(channels, ops):
    """Whatever happens, refused or not: entries add up to zero per transaction, balances
    equal their entries and all balances add up to zero; no sub-account below zero and no
    overdraft beyond the credit line."""
    a, b = channels.agents["nj_a1"], channels.agents["nj_a2"]
    for op, amount in ops:
        try:
            with transaction.atomic():
                if op == "pay_prepayment":
                    ledger.pay_in(a, SubAccountKind.PREPAYMENT, amount)
                elif op == "pay_deposit":
                    ledger.pay_in(a, SubAccountKind.DEPOSIT, amount)
                elif op == "withdraw_prepayment":
                    ledger.withdraw(a, SubAccountKind.PREPAYMENT, amount)
                elif op == "withdraw_rebate":
                    ledger.withdraw(a, SubAccountKind.REBATE, amount)
                elif op == "charge":
                    ledger.charge(a, amount, kind=TransactionKind.PICKUP, method=PayMethod.TRANSFER)
                elif op == "payout":
                    ledger.credit(a, amount, kind=TransactionKind.PAYOUT, method=PayMethod.TRANSFER,
                                  house_kind=HouseAccountKind.COMMISSION, sub_account=SubAccountKind.REBATE)
                elif op == "recover":
                    ledger.recover(a, amount)
                elif op == "transfer":
                    ledger.transfer(b, a, amount)
                else:
                    ledger.credit(a, amount, kind=TransactionKind.PICKUP_REFUND, method=PayMethod.TRANSFER)
        except (CreditExceeded, InsufficientFunds):
            pass
        assert ledger.ledger_check() == []
        bal = ledger.balances(a)
        assert bal["overdraft"] >= -a.credit_line
        assert min(bal["deposit"], bal["prepayment"], bal["rebate"]) >= 0
