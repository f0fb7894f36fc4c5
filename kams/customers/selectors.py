"""Reads of the customer domain, always scoped to the asking user."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from pypinyin import Style, lazy_pinyin

from kams.customers.enums import CustomerStatus
from kams.customers.models import Customer, Level


def name_initials(name: str) -> str:
    """拼音首字母: "南京银行" → "njyh", so a manager finds a customer by typing initials.
    Latin letters and digits are kept as they are."""
    parts = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default")
    return "".join(p for p in "".join(parts).lower() if p.isalnum())[:120]


def customers_for(user: Any) -> QuerySet[Customer]:
    return Customer.objects.visible_to(user).select_related("org_unit", "account_manager", "industry", "level")


def customer_get(user: Any, pk: Any) -> Customer:
    return customers_for(user).get_visible(user, pk=pk)


def search(queryset: QuerySet[Customer], text: str) -> QuerySet[Customer]:
    """One box for name (Chinese or pinyin initials), customer number, certificate number,
    phone, account number and member number."""
    text = text.strip()
    if not text:
        return queryset
    condition = (
        Q(name__icontains=text)
        | Q(code__iexact=text)
        | Q(certificate_no__iexact=text)
        | Q(phone=text)
        | Q(accounts__account_no=text)
        | Q(members__msisdn=text)
    )
    if text.isascii() and text.isalpha():
        condition |= Q(name_initials__startswith=text.lower())
    ids = queryset.filter(condition).values("pk")
    return queryset.filter(pk__in=ids)


def tenure_months(customer: Customer, today: datetime.date | None = None) -> int:
    if customer.joined_on is None:
        return 0
    today = today or timezone.localdate()
    return max(0, (today.year - customer.joined_on.year) * 12 + today.month - customer.joined_on.month)


def average_monthly_revenue(customer: Customer) -> Decimal:
    """The revenue a level is judged on: the average billed total of the latest months
    (system parameter ``billing.revenue_months``); for a customer without imported bills,
    the expected monthly revenue recorded with it."""
    from kams.billing.selectors import average_monthly_revenue as billed_average
    from kams.system.parameters import param

    if customer.pk is not None:
        billed = billed_average(customer, months=param("billing.revenue_months"))
        if billed is not None:
            return billed
    return customer.expected_monthly_revenue or Decimal("0")


def level_suggest(customer: Customer) -> Level | None:
    """The highest level of the customer's category whose revenue and tenure thresholds
    the customer meets (CUS-05, CUS-07); None when no category covers its type."""
    from kams.customers.levels import level_table, pick_level

    return pick_level(level_table(), customer.customer_type, average_monthly_revenue(customer), tenure_months(customer))


def counts_by_status(user: Any) -> dict[str, int]:
    rows = Customer.objects.visible_to(user).values("status").annotate(n=Count("id"))
    counts = {status: 0 for status in CustomerStatus.values}
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def contracts_for(user: Any):
    from kams.customers.models import Contract

    return Contract.objects.visible_to(user).select_related("customer", "customer__org_unit")


def contracts_expiring(
    user: Any, *, within_days: int | None = None, today: datetime.date | None = None, unscoped: bool = False
):
    """Contracts in force that end within the warning window (CUS-09 expiry warnings).
    ``unscoped`` is for the daily warning job, which works for the whole province."""
    from kams.customers.enums import ContractState
    from kams.customers.models import Contract
    from kams.system.parameters import param

    today = today or timezone.localdate()
    days = within_days if within_days is not None else param("customers.contract_expiry_warning_days")
    contracts = Contract.objects.all() if unscoped else contracts_for(user)
    return contracts.filter(
        state=ContractState.ACTIVE, valid_to__gte=today, valid_to__lte=today + datetime.timedelta(days=days)
    )
