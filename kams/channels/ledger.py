"""The agent account ledger (代理商帐户, CH-02): the only code that writes ledger accounts,
transactions and entries.

Invariants (asserted by ``tests/test_ledger.py``, property-based among others):

* the entries of every transaction add up to zero, so the balances of all accounts add up to
  zero;
* an account's ``balance`` equals the sum of its entries;
* deposit, prepayment and rebate never go below zero; the overdraft sub-account is zero or
  negative and never below minus the agent's credit line;
* a posting with a ``reference`` already used returns the first transaction, writing nothing.

The functions here run inside the caller's transaction and lock the accounts they touch
(``SELECT … FOR UPDATE``, in primary-key order, so two postings never deadlock). They check
no permission: the services that call them (payments, pickups, settlement payouts …) check
permission and scope and write the audit log.

Money from the agent's side: ``charge`` takes the prepayment first, then overdraft within the
credit line (透支); money paid to the agent (``credit``) repays the overdraft first and puts
the rest on the prepayment (or the sub-account asked for).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Iterable

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kams.channels.enums import HouseAccountKind, PayMethod, SubAccountKind, TransactionKind
from kams.channels.errors import CreditExceeded, InsufficientFunds, OverdraftNotOperable, UnbalancedTransaction
from kams.channels.models import Agent, LedgerAccount, LedgerEntry, LedgerTransaction
from kams.core.errors import InvalidInput

CENT = Decimal("0.01")


def money(value: Any, *, allow_zero: bool = False) -> Decimal:
    """A positive amount of yuan with at most two decimals, or a translated error."""
    try:
        amount = Decimal(str(value).strip())
    except Exception:  # noqa: BLE001 — decimal raises several kinds
        raise InvalidInput(_("amount: give an amount in yuan, such as 1200.00.")) from None
    if not amount.is_finite() or amount != amount.quantize(CENT):
        raise InvalidInput(_("amount: give an amount in yuan with at most two decimals."))
    if amount < 0 or (amount == 0 and not allow_zero):
        raise InvalidInput(_("amount: give an amount greater than zero."))
    return amount


def open_accounts(agent: Agent) -> dict[str, LedgerAccount]:
    """The agent's four sub-accounts, opened if missing (registration opens them)."""
    existing = {a.kind: a for a in LedgerAccount.objects.filter(agent=agent)}
    missing = [LedgerAccount(agent=agent, kind=k) for k in SubAccountKind.values if k not in existing]
    if missing:
        LedgerAccount.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {a.kind: a for a in LedgerAccount.objects.filter(agent=agent)}
    return existing


def house(kind: str) -> LedgerAccount:
    account = LedgerAccount.objects.filter(agent__isnull=True, kind=kind).first()
    if account is None:
        LedgerAccount.objects.bulk_create([LedgerAccount(kind=kind)], ignore_conflicts=True)
        account = LedgerAccount.objects.get(agent__isnull=True, kind=kind)
    return account


def _lock(agent: Agent | None) -> dict[str, LedgerAccount]:
    if agent is not None:
        open_accounts(agent)
    rows = LedgerAccount.objects.select_for_update().filter(agent=agent).order_by("pk") if agent else []
    return {a.kind: a for a in rows}


def post(
    *,
    kind: str,
    lines: Iterable[tuple[LedgerAccount, Decimal]],
    agent: Agent | None = None,
    counterparty: Agent | None = None,
    method: str = PayMethod.TRANSFER,
    reference: str | None = None,
    source: Any = None,
    memo: str = "",
    actor: Any = None,
) -> LedgerTransaction:
    """Write one transaction: its entries (which must add up to zero) and the new balances.
    The accounts must already be locked by the caller (``_lock``) when their balance was
    read to decide the amounts."""
    if reference:
        existing = LedgerTransaction.objects.filter(reference=reference).first()
        if existing is not None:
            return existing
    merged: dict[int, tuple[LedgerAccount, Decimal]] = {}
    for account, amount in lines:
        if amount:
            prior = merged.get(account.pk, (account, Decimal("0")))[1]
            merged[account.pk] = (account, prior + amount)
    lines = [(a, amt) for a, amt in merged.values() if amt]
    if sum((amt for _a, amt in lines), Decimal("0")) != 0 or not lines:
        raise UnbalancedTransaction()
    amount = sum((amt for _a, amt in lines if amt > 0), Decimal("0"))
    txn = LedgerTransaction.objects.create(
        kind=kind, agent=agent, counterparty=counterparty, amount=amount, method=method,
        reference=reference or None, memo=memo[:300],
        source_type=source._meta.label_lower if source is not None else "",
        source_id=str(source.pk) if source is not None else "",
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    # Lock every account touched (the agent's are already locked by the caller; the house
    # accounts come last), then write the new balances as exact decimals (SQLite would do
    # ``balance + amount`` in floating point).
    locked = {a.pk: a for a in LedgerAccount.objects.select_for_update().filter(pk__in=[a.pk for a, _amt in lines])
              .order_by("agent_id", "pk")}
    entries = []
    for account, amt in sorted(lines, key=lambda line: line[0].pk):
        new_balance = locked[account.pk].balance + amt
        LedgerAccount.objects.filter(pk=account.pk).update(balance=new_balance, updated_at=timezone.now())
        account.balance = new_balance
        entries.append(LedgerEntry(transaction=txn, account=account, amount=amt, balance_after=new_balance))
    LedgerEntry.objects.bulk_create(entries)
    return txn


def pay_in(
    agent: Agent, sub_account: str, amount: Decimal, *, reference: str | None = None, memo: str = "", actor: Any = None
) -> LedgerTransaction:
    """交费: cash into the deposit or the prepayment. Money paid into the prepayment repays an
    overdraft first."""
    if sub_account == SubAccountKind.OVERDRAFT:
        raise OverdraftNotOperable()
    if sub_account not in SubAccountKind.payable():
        raise InvalidInput(_("Payments go into the deposit or the prepayment sub-account."))
    accounts = _lock(agent)
    lines = _credit_lines(accounts, sub_account, amount)
    lines.append((house(HouseAccountKind.CASH), -amount))
    return post(kind=TransactionKind.PAYMENT, agent=agent, lines=lines, method=PayMethod.CASH, reference=reference,
                memo=memo, actor=actor)


def withdraw(
    agent: Agent, sub_account: str, amount: Decimal, *, reference: str | None = None, memo: str = "", actor: Any = None
) -> LedgerTransaction:
    """提取现金: cash out of the rebate or the prepayment, never beyond its balance."""
    if sub_account == SubAccountKind.OVERDRAFT:
        raise OverdraftNotOperable()
    if sub_account not in SubAccountKind.withdrawable():
        raise InvalidInput(_("Cash is drawn from the rebate or the prepayment sub-account."))
    accounts = _lock(agent)
    account = accounts[sub_account]
    if account.balance < amount:
        raise InsufficientFunds(account=account.get_kind_display(), balance=account.balance, amount=amount)
    return post(kind=TransactionKind.WITHDRAWAL, agent=agent, method=PayMethod.CASH, reference=reference, memo=memo,
                actor=actor, lines=[(account, -amount), (house(HouseAccountKind.CASH), amount)])


def _credit_lines(accounts: dict[str, LedgerAccount], sub_account: str, amount: Decimal) -> list:
    lines: list[tuple[LedgerAccount, Decimal]] = []
    rest = amount
    if sub_account == SubAccountKind.PREPAYMENT:
        owed = -accounts[SubAccountKind.OVERDRAFT].balance
        repay = min(owed, rest)
        if repay > 0:
            lines.append((accounts[SubAccountKind.OVERDRAFT], repay))
            rest -= repay
    if rest > 0:
        lines.append((accounts[sub_account], rest))
    return lines


def _charge_lines(agent: Agent, accounts: dict[str, LedgerAccount], amount: Decimal) -> list:
    prepayment, overdraft = accounts[SubAccountKind.PREPAYMENT], accounts[SubAccountKind.OVERDRAFT]
    available = max(agent.credit_line + overdraft.balance, Decimal("0"))
    if prepayment.balance + available < amount:
        raise CreditExceeded(prepayment=prepayment.balance, available=available, amount=amount)
    from_prepayment = min(prepayment.balance, amount)
    return [(prepayment, -from_prepayment), (overdraft, -(amount - from_prepayment))]


def charge(
    agent: Agent, amount: Decimal, *, kind: str, method: str, house_kind: str = HouseAccountKind.RESOURCE_SALES,
    reference: str | None = None, source: Any = None, memo: str = "", actor: Any = None,
) -> LedgerTransaction:
    """Money the agent pays us (a pickup fee): by ``transfer`` from its prepayment, then
    overdraft within its credit line, with the write-off history of the transaction; by
    ``cash`` across the counter (the agent's sub-accounts are not touched)."""
    if method == PayMethod.CASH:
        lines = [(house(HouseAccountKind.CASH), -amount)]
    else:
        agent = Agent.objects.get(pk=agent.pk)  # current credit line
        lines = _charge_lines(agent, _lock(agent), amount)
    lines.append((house(house_kind), amount))
    return post(kind=kind, agent=agent, lines=lines, method=method, reference=reference, source=source, memo=memo,
                actor=actor)


def credit(
    agent: Agent, amount: Decimal, *, kind: str, method: str, house_kind: str = HouseAccountKind.RESOURCE_SALES,
    sub_account: str = SubAccountKind.PREPAYMENT, reference: str | None = None, source: Any = None, memo: str = "",
    actor: Any = None,
) -> LedgerTransaction:
    """Money we pay the agent (a refund, a payout into the rebate): by ``transfer`` into its
    sub-account (the prepayment repays an overdraft first), or in ``cash``."""
    if method == PayMethod.CASH:
        lines = [(house(HouseAccountKind.CASH), amount)]
    else:
        lines = _credit_lines(_lock(agent), sub_account, amount)
    lines.append((house(house_kind), -amount))
    return post(kind=kind, agent=agent, lines=lines, method=method, reference=reference, source=source, memo=memo,
                actor=actor)


def recover(
    agent: Agent, amount: Decimal, *, house_kind: str = HouseAccountKind.COMMISSION, reference: str | None = None,
    source: Any = None, memo: str = "", actor: Any = None,
) -> LedgerTransaction:
    """补收: take back money paid out: from the rebate first, then the prepayment, then overdraft
    within the credit line."""
    agent = Agent.objects.get(pk=agent.pk)
    accounts = _lock(agent)
    rebate = accounts[SubAccountKind.REBATE]
    from_rebate = min(rebate.balance, amount)
    lines = [(rebate, -from_rebate)]
    if amount > from_rebate:
        lines += _charge_lines(agent, accounts, amount - from_rebate)
    lines.append((house(house_kind), amount))
    return post(kind=TransactionKind.RECOVERY, agent=agent, lines=lines, reference=reference, source=source,
                memo=memo, actor=actor)


def transfer(
    source_agent: Agent, target_agent: Agent, amount: Decimal, *, kind: str = TransactionKind.RESOURCE_TRANSFER,
    reference: str | None = None, source: Any = None, memo: str = "", actor: Any = None,
) -> LedgerTransaction:
    """资源调库 by transfer: the money moves from the target agent's account (prepayment, then
    overdraft) to the source agent's prepayment (repaying its overdraft first)."""
    target_agent = Agent.objects.get(pk=target_agent.pk)
    first, second = sorted([source_agent, target_agent], key=lambda a: a.pk)
    locked = {first.pk: _lock(first), second.pk: _lock(second)}
    lines = _charge_lines(target_agent, locked[target_agent.pk], amount)
    lines += _credit_lines(locked[source_agent.pk], SubAccountKind.PREPAYMENT, amount)
    return post(kind=kind, agent=source_agent, counterparty=target_agent, lines=lines, reference=reference,
                source=source, memo=memo, actor=actor)


def balances(agent: Agent) -> dict[str, Decimal]:
    return {a.kind: a.balance for a in LedgerAccount.objects.filter(agent=agent)}


def _cents(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)


def ledger_check(agent: Agent | None = None) -> list[str]:
    """Problems found: transactions that do not add up to zero, accounts whose balance is not
    the sum of their entries. Empty when the ledger is sound."""
    problems = []
    txns = LedgerTransaction.objects.all()
    accounts = LedgerAccount.objects.all()
    if agent is not None:
        txns = txns.filter(entries__account__agent=agent).distinct()
        accounts = accounts.filter(agent=agent)
    # SQLite sums decimals as floats: compare to the cent.
    totals = LedgerEntry.objects.filter(transaction__in=txns).values_list("transaction").annotate(total=Sum("amount"))
    problems += [f"transaction {pk} adds up to {total}" for pk, total in totals if _cents(total) != 0]
    sums = dict(LedgerEntry.objects.filter(account__in=accounts).values_list("account").annotate(total=Sum("amount")))
    for account in accounts:
        if _cents(sums.get(account.pk)) != account.balance:
            problems.append(f"account {account} balance {account.balance} != entries {sums.get(account.pk)}")
    if agent is None:
        total = _cents(LedgerAccount.objects.aggregate(total=Sum("balance"))["total"])
        if total != 0:
            problems.append(f"all balances add up to {total}")
    return problems
