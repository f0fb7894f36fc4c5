"""Twelve months of bills for the demo's key accounts (CUS-10), loaded through the real
billing import: for each month a billing file is written in the import format, validated
and loaded exactly as one uploaded by the group-customer department would be.

A group customer's bill is spread over its member numbers by line of business, with an
account-level leased-line charge for the big ones; individuals are billed on their account.
Most bills are paid on time; a few customers fall behind in the latest months, so the
arrears query has something to show.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING

from kams.billing.importer import sample_csv
from kams.billing.services import bill_import_now
from kams.customers.enums import AccountStatus, CustomerStatus, CustomerType
from kams.customers.models import Customer, Member, PayingAccount

if TYPE_CHECKING:
    from kams.demo.generator import DemoContext

MONTHS = 12
CENT = Decimal("0.01")
GROUP_MIX = [("mobile", 0.45), ("data", 0.25), ("long_distance", 0.05), ("local", 0.05), ("internet", 0.10), ("voip", 0.10)]
INDIVIDUAL_MIX = [("mobile", 0.70), ("data", 0.25), ("long_distance", 0.05)]


def _months(today: datetime.date) -> list[datetime.date]:
    first = today.replace(day=1)
    months = []
    for _n in range(MONTHS):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
        months.append(first)
    return list(reversed(months))


def _split(amount: Decimal, mix: list[tuple[str, float]]) -> dict[str, str]:
    fees = {name: (amount * Decimal(str(share))).quantize(CENT) for name, share in mix}
    first = mix[0][0]
    fees[first] += amount - sum(fees.values())  # the cents lost to rounding
    return {name: f"{value:.2f}" for name, value in fees.items()}


def build_bills(ctx: DemoContext) -> int:
    rnd = ctx.random
    # Current customers, and some potential ones already billed as ordinary subscribers:
    # the collection rules (CUS-03) find those among them that qualify as key accounts.
    customers = [
        row
        for row in Customer.objects.values_list("pk", "customer_type", "expected_monthly_revenue", "status").order_by("pk")
        if row[3] != CustomerStatus.POTENTIAL or rnd.random() < 0.4
    ]
    accounts = defaultdict(list)
    for account_no, customer_id in PayingAccount.objects.filter(status=AccountStatus.ACTIVE).values_list("account_no", "customer_id"):
        accounts[customer_id].append(account_no)
    members = defaultdict(list)
    for msisdn, customer_id, account_no in Member.objects.filter(is_active=True).values_list("msisdn", "customer_id", "account__account_no"):
        members[customer_id].append((msisdn, account_no))
    # A few customers stop paying in the last one to three months.
    late = {pk: rnd.randint(1, 3) for pk, *_rest in customers if rnd.random() < 0.06}
    months = _months(datetime.date.today())
    loaded = 0
    for index, period in enumerate(months):
        months_left = len(months) - index
        rows = []
        for pk, kind, expected, status in customers:
            if status == CustomerStatus.HISTORICAL or not accounts.get(pk):
                continue
            revenue = (expected or Decimal("100")) * Decimal(str(rnd.uniform(0.85, 1.15)))
            unpaid = pk in late and months_left <= late[pk]
            due = period.replace(day=28) + datetime.timedelta(days=18)
            if kind == CustomerType.GROUP and members.get(pk):
                numbers = members[pk]
                leased = revenue * Decimal("0.3") if revenue > 50000 else Decimal("0")
                per_number = (revenue - leased) / len(numbers)
                for msisdn, account_no in numbers:
                    amount = (per_number * Decimal(str(rnd.uniform(0.5, 1.5)))).quantize(CENT)
                    rows.append(_row(period, account_no or accounts[pk][0], msisdn, _split(amount, GROUP_MIX), amount, unpaid, due))
                if leased:
                    amount = leased.quantize(CENT)
                    rows.append(_row(period, accounts[pk][0], "", {"leased_line": f"{amount:.2f}"}, amount, unpaid, due))
            else:
                amount = revenue.quantize(CENT)
                rows.append(_row(period, accounts[pk][0], "", _split(amount, INDIVIDUAL_MIX), amount, unpaid, due))
        loaded += bill_import_now(period=period, content=sample_csv(rows), file_name=f"demo-bills-{period:%Y-%m}.csv").row_count
    return loaded


def _row(period, account_no, msisdn, fees, amount, unpaid, due) -> dict:
    row = {"period": f"{period:%Y-%m}", "account_no": account_no, "msisdn": msisdn, "total": f"{amount:.2f}"}
    for name in ("mobile", "data", "voip", "long_distance", "local", "leased_line", "internet"):
        row[name] = fees.get(name, "0")
    row["paid"] = "0.00" if unpaid else row["total"]
    row["due_on"] = due.isoformat()
    row["paid_on"] = "" if unpaid else (due - datetime.timedelta(days=5)).isoformat()
    return row


def collect_and_find_duplicates(ctx: DemoContext) -> int:
    """The group-customer department's definitions of a key account, the candidates they
    find in the bills, and the duplicate pairs waiting for review."""
    from kams.collection.models import AdmissionRule
    from kams.collection.services import candidates_generate, duplicates_find

    AdmissionRule.objects.create(
        name="集团客户月均收入≥5000元", customer_type=CustomerType.GROUP, min_monthly_revenue=Decimal("5000"), months=3,
        min_members=5, note="省公司集团客户部2026年标准",
    )
    AdmissionRule.objects.create(
        name="个人高端客户ARPU≥300元", customer_type=CustomerType.HIGH_END, min_monthly_revenue=Decimal("300"), months=3,
    )
    candidates = candidates_generate()
    duplicates_find()
    return candidates["candidates"]


def grade_credit(ctx: DemoContext) -> int:
    """Initial credit grades by rule, then the re-grading from a year of payments (CUS-08)."""
    from kams.credit.regrade import credit_regrade_run

    run = credit_regrade_run()
    return run.initial + run.changed


def evaluate_levels(ctx: DemoContext) -> int:
    """The monthly level evaluation, run once over the year of bills, as it would have been."""
    from kams.customers.levels import levels_evaluate

    evaluation = levels_evaluate()
    return evaluation.upgrades + evaluation.downgrades
