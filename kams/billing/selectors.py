"""Reads of billing data, scoped: monthly summaries per customer (CUS-10), arrears, and the
average monthly revenue that levels and admission rules judge (CUS-07, CUS-03)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, QuerySet, Sum

from kams.billing.models import FEE_FIELDS, BillImport, BillSummary


def bills_for(user: Any) -> QuerySet[BillSummary]:
    return BillSummary.objects.visible_to(user)


def monthly_totals(customer: Any, *, months: int = 12) -> list[dict]:
    """Per billed month, newest first: the customer's fees by business, total, paid and
    arrears, summed over its accounts and members (a group customer's bill is the sum of
    its members')."""
    rows = (
        BillSummary.objects.filter(customer=customer)
        .values("period")
        .annotate(
            total=Sum("total"), paid=Sum("paid"), arrears=Sum("arrears"), numbers=Count("msisdn", distinct=True),
            **{f: Sum(f) for f in FEE_FIELDS},
        )
        .order_by("-period")[:months]
    )
    amounts = ("total", "paid", "arrears", *FEE_FIELDS)
    return [{**row, **{k: money(row[k]) for k in amounts}} for row in rows]


def money(value: Any) -> Decimal:
    """A sum of money as yuan and fen. (SQLite sums decimals as floating point.)"""
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def latest_periods(months: int) -> list[datetime.date]:
    """The latest ``months`` billed months of the province: the window revenue is judged on."""
    return list(BillSummary.objects.values_list("period", flat=True).distinct().order_by("-period")[:months])


def average_monthly_revenue(customer: Any, *, months: int) -> Decimal | None:
    """The customer's billed total over the window of the latest ``months`` billed months,
    divided by the months in it that bill the customer; None when none do. The monthly level
    evaluation judges every customer by the same figure."""
    row = BillSummary.objects.filter(customer=customer, period__in=latest_periods(months)).aggregate(
        total=Sum("total"), n=Count("period", distinct=True)
    )
    if not row["n"]:
        return None
    return (row["total"] / row["n"]).quantize(Decimal("0.01"))


def arrears_by_customer(user: Any) -> QuerySet:
    """Customers in scope that owe money: amount, months owed, oldest month owed."""
    from django.db.models import Min

    return (
        bills_for(user)
        .filter(arrears__gt=0)
        .values("customer", "customer__code", "customer__name", "customer__org_unit__name", "customer__account_manager__name")
        .annotate(arrears=Sum("arrears"), months=Count("period", distinct=True), oldest=Min("period"), latest=Max("period"))
        .order_by("-arrears")
    )


def latest_period() -> datetime.date | None:
    return BillImport.objects.filter(state="imported", superseded=False).aggregate(p=Max("period"))["p"]

