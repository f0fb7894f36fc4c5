"""Reads of credit management, always scoped to the asking user (CUS-08)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import Substr

from kams.credit.enums import CreditGrade
from kams.credit.grading import history_annotations, judged_window, pick_grade, standard_table
from kams.credit.models import AccountCredit, CreditChange
from kams.org.models import OrgUnit


def credits_for(user: Any) -> QuerySet[AccountCredit]:
    return AccountCredit.objects.visible_to(user).select_related(
        "account", "account__customer", "account__customer__org_unit", "assessed_by"
    )


def changes_for(user: Any) -> QuerySet[CreditChange]:
    return CreditChange.objects.visible_to(user).select_related(
        "account", "account__customer", "account__customer__org_unit", "run"
    )


def credit_export(user: Any, *, changed_since: datetime.datetime | None = None) -> QuerySet[AccountCredit]:
    """What the billing system's credit control reads (docs/formats/credit-export.md): the
    grades and limits in scope, oldest change first, optionally only those changed since."""
    rows = AccountCredit.objects.visible_to(user).select_related("account")
    if changed_since is not None:
        rows = rows.filter(changed_at__gte=changed_since)
    return rows.order_by("changed_at", "pk")


def grade_counts(queryset: QuerySet, *, grade_field: str = "grade") -> dict[str, int]:
    counts = {grade: 0 for grade in CreditGrade.values}
    for row in queryset.order_by().values(grade_field).annotate(n=Count("pk")):
        counts[row[grade_field]] = row["n"]
    return counts


def grades_by_city(queryset: QuerySet, *, grade_field: str = "grade") -> dict:
    """Counts of ``queryset`` (credits or log rows, already scoped and filtered) by grade per
    city — the unit at depth 3 of the tree (HQ → province → city) — for a stacked chart."""
    city_len = OrgUnit.steplen * 3
    rows = list(
        queryset.order_by()
        .annotate(city=Substr("account__customer__org_unit__path", 1, city_len))
        .values("city", grade_field)
        .annotate(n=Count("pk"))
    )
    cities = sorted({row["city"] for row in rows})
    names = dict(OrgUnit.objects.filter(path__in=cities).values_list("path", "name"))
    table = {grade: [0] * len(cities) for grade in CreditGrade.values}
    for row in rows:
        table[row[grade_field]][cities.index(row["city"])] = row["n"]
    return {
        "labels": [names.get(city, city) for city in cities],
        "series": [{"grade": grade, "name": str(label), "values": table[grade]} for grade, label in CreditGrade.choices],
    }


def grade_suggest(account: Any) -> tuple[str, list[str]] | None:
    """What the automatic re-grading would give this account now, and why; None without
    bills in the judged window."""
    from kams.billing.models import BillSummary
    from kams.billing.selectors import latest_periods

    standards = standard_table()
    periods = latest_periods(judged_window(standards))
    annotations = history_annotations(standards, periods)
    if not periods or not annotations:
        return None
    bills = BillSummary.objects.filter(account=account, period__gte=periods[-1])
    if not bills.exists():
        return None
    row = bills.aggregate(**annotations)
    grade, reasons, _basis = pick_grade(standards, row)
    return grade, reasons
