"""Agent accounts (CH-02): payments and withdrawals through the services (permission, scope,
idempotency, audit), bad input changing nothing, and statements with opening and closing
balances. The ledger stays sound after every test."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from kams.audit.models import AuditEntry
from kams.channels import ledger, selectors, services
from kams.channels.enums import AgentStatus, SubAccountKind, TransactionKind
from kams.channels.errors import AgentWrongStatus, InsufficientFunds, OverdraftNotOperable
from kams.channels.models import Agent, LedgerEntry, LedgerTransaction
from kams.core.errors import InvalidInput

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture(autouse=True)
def _ledger_sound():
    yield
    assert ledger.ledger_check() == []


def _balances(agent):
    return {k: str(v) for k, v in ledger.balances(agent).items()}


def test_payment_and_withdrawal_move_money_and_are_audited(channels):
    finance, agent = channels.user("nj_finance"), channels.agents["nj_a1"]
    txn = services.account_payment(actor=finance, agent=agent, sub_account="prepayment", amount="1200.50", memo="现金交费")
    assert txn.kind == TransactionKind.PAYMENT and txn.amount == D("1200.50") and txn.created_by == finance
    services.account_payment(actor=finance, agent=agent, sub_account="deposit", amount="5000")
    services.account_withdrawal(actor=finance, agent=agent, sub_account="prepayment", amount="200.50")
    assert _balances(agent) == {"deposit": "5000.00", "prepayment": "1000.00", "rebate": "0.00", "overdraft": "0.00"}
    entries = AuditEntry.objects.filter(target_id=str(agent.pk), action__startswith="channels.account_")
    assert sorted(entries.values_list("action", flat=True)) == [
        "channels.account_payment", "channels.account_payment", "channels.account_withdrawal"]
    last = entries.filter(action="channels.account_withdrawal").get()
    assert last.before["prepayment"] == "1200.50" and last.after["prepayment"] == "1000.00"


def test_idempotency_key_posts_once(channels):
    finance, agent = channels.user("nj_finance"), channels.agents["nj_a1"]
    first = services.account_payment(actor=finance, agent=agent, sub_account="prepayment", amount="100",
                                     idempotency_key="bank-20261124-001")
    again = services.account_payment(actor=finance, agent=agent, sub_account="prepayment", amount="100",
                                     idempotency_key="bank-20261124-001")
    assert first.pk == again.pk and _balances(agent)["prepayment"] == "100.00"
    assert LedgerTransaction.objects.filter(reference="bank-20261124-001").count() == 1


@pytest.mark.parametrize("service, sub_account, amount, error", [
    ("withdrawal", "overdraft", "10", OverdraftNotOperable),
    ("payment", "overdraft", "10", OverdraftNotOperable),
    ("withdrawal", "rebate", "0.01", InsufficientFunds),
    ("withdrawal", "prepayment", "300.01", InsufficientFunds),
    ("withdrawal", "deposit", "10", InvalidInput),
    ("payment", "rebate", "10", InvalidInput),
    ("payment", "prepayment", "abc", InvalidInput),
    ("payment", "prepayment", "-5", InvalidInput),
    ("payment", "prepayment", "1.234", InvalidInput),
    ("payment", "prepayment", "0", InvalidInput),
])
def test_bad_input_changes_nothing(channels, service, sub_account, amount, error):
    finance, agent = channels.user("nj_finance"), channels.agents["nj_a1"]
    services.account_payment(actor=finance, agent=agent, sub_account="prepayment", amount="300")
    before, entries, audits = _balances(agent), LedgerEntry.objects.count(), AuditEntry.objects.count()
    call = services.account_payment if service == "payment" else services.account_withdrawal
    with pytest.raises(error) as refused:
        call(actor=finance, agent=agent, sub_account=sub_account, amount=amount)
    assert refused.value.text
    assert _balances(agent) == before and LedgerEntry.objects.count() == entries
    assert AuditEntry.objects.count() == audits


def test_overdraft_error_says_so(channels):
    with pytest.raises(OverdraftNotOperable) as refused:
        services.account_withdrawal(actor=channels.user("nj_finance"), agent=channels.agents["nj_a1"],
                                    sub_account="overdraft", amount="10")
    assert refused.value.code == "channels.overdraft_not_operable" and refused.value.text


def test_permission_and_scope(channels, province):
    agent = channels.agents["sz_a1"]
    with pytest.raises(Http404):  # Nanjing finance, a Suzhou agent
        services.account_payment(actor=channels.user("nj_finance"), agent=agent, sub_account="prepayment", amount="1")
    with pytest.raises(PermissionDenied):
        services.account_payment(actor=province.user("js_director"), agent=agent, sub_account="prepayment", amount="1")
    services.account_payment(actor=channels.user("js_finance"), agent=agent, sub_account="prepayment", amount="1")
    assert _balances(agent)["prepayment"] == "1.00"


def test_payment_refused_for_an_applicant(channels):
    agent = channels.agents["nj_a2"]
    Agent.objects.filter(pk=agent.pk).update(status=AgentStatus.APPLIED)
    with pytest.raises(AgentWrongStatus):
        services.account_payment(actor=channels.user("nj_finance"), agent=agent, sub_account="deposit", amount="10")


def test_payment_into_prepayment_repays_the_overdraft_first(channels):
    from django.db import transaction

    from kams.channels.enums import PayMethod

    agent = channels.agents["nj_a1"]
    with transaction.atomic():
        ledger.charge(agent, D("700"), kind=TransactionKind.PICKUP, method=PayMethod.TRANSFER)
    services.account_payment(actor=channels.user("nj_finance"), agent=agent, sub_account="prepayment", amount="1000")
    assert _balances(agent)["overdraft"] == "0.00" and _balances(agent)["prepayment"] == "300.00"


def test_statement_opening_and_closing_balances(channels):
    finance, agent = channels.user("nj_finance"), channels.agents["nj_a1"]
    services.account_payment(actor=finance, agent=agent, sub_account="prepayment", amount="1000")
    services.account_payment(actor=finance, agent=agent, sub_account="deposit", amount="3000")
    # Move the first two postings to last month: they make the opening balance of this month.
    earlier = timezone.now() - datetime.timedelta(days=40)
    LedgerTransaction.objects.filter(agent=agent).update(created_at=earlier)
    ids = list(LedgerEntry.objects.filter(account__agent=agent).values_list("pk", flat=True))
    _move_entries(ids, earlier)
    services.account_withdrawal(actor=finance, agent=agent, sub_account="prepayment", amount="250")
    services.account_payment(actor=finance, agent=agent, sub_account="prepayment", amount="50")
    today = timezone.localdate()
    result = selectors.statement(agent, today - datetime.timedelta(days=10), today)
    by_kind = {a.kind: a for a in result.accounts}
    pre = by_kind[SubAccountKind.PREPAYMENT]
    assert (pre.opening, pre.debits, pre.credits, pre.closing) == (D("1000.00"), D("250.00"), D("50.00"), D("800.00"))
    dep = by_kind[SubAccountKind.DEPOSIT]
    assert (dep.opening, dep.closing) == (D("3000.00"), D("3000.00"))
    assert len(result.entries) == 2 and all(e.account.agent_id == agent.pk for e in result.entries)
    whole = selectors.statement(agent, today - datetime.timedelta(days=60), today)
    assert whole.accounts[1].opening == D("0.00") and len(whole.entries) == 4


def _move_entries(ids, when):
    """Entries are append-only (a trigger refuses UPDATE): re-date them in a test only."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER channels_ledgerentry_no_update")
        else:
            cursor.execute("SET session_replication_role = replica")  # triggers off for this session
        LedgerEntry.objects.filter(pk__in=ids).update(created_at=when)
        if connection.vendor == "sqlite":
            cursor.execute("CREATE TRIGGER channels_ledgerentry_no_update BEFORE UPDATE ON channels_ledgerentry "
                           "BEGIN SELECT RAISE(ABORT, 'agent account ledger is append-only'); END;")
        else:
            cursor.execute("SET session_replication_role = origin")
