"""The grading rules themselves, as pure functions over figures (CUS-08).

``history_annotations`` builds, for every standard with thresholds, the aggregates its
thresholds judge over its own window of latest billed months — so one aggregate query over
the bills yields everything the re-grading of all accounts needs. ``pick_grade`` applies the
standards to one account's figures, worst grade first; ``pick_initial_grade`` applies the
initial rules to a customer that has no bills yet.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, Iterable, Mapping

from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kams.credit.enums import GRADES_WORST_FIRST, CreditGrade

FIGURES = ("arrears_months", "arrears_amount", "late_payments")


def standard_table() -> dict[str, Any]:
    from kams.credit.models import CreditStandard

    return {s.grade: s for s in CreditStandard.objects.all()}


def limit_for(standards: Mapping[str, Any], grade: str) -> Decimal:
    standard = standards.get(grade)
    return standard.credit_limit if standard is not None else Decimal("0")


def judged_window(standards: Mapping[str, Any]) -> int:
    """The widest window any standard with thresholds looks at (at least one month)."""
    return max([s.window_months for s in standards.values() if s.has_thresholds()] or [1])


def history_annotations(standards: Mapping[str, Any], periods: list[datetime.date], today: datetime.date | None = None) -> dict:
    """Aggregates over ``BillSummary`` rows, named ``<grade>__<figure>``. ``periods`` are the
    latest billed months, newest first. A month is in arrears when something of it is still
    owed after its due date (no due date: owed at once); a payment is late when it was made
    after the due date."""
    today = today or timezone.localdate()
    overdue = Q(arrears__gt=0) & (Q(due_on__isnull=True) | Q(due_on__lt=today))
    late = Q(paid_on__isnull=False, due_on__isnull=False, paid_on__gt=F("due_on"))
    annotations: dict[str, Any] = {}
    for grade, standard in standards.items():
        if not standard.has_thresholds() or not periods:
            continue
        window = Q(period__gte=periods[min(standard.window_months, len(periods)) - 1])
        annotations[f"{grade}__arrears_months"] = Count("period", distinct=True, filter=window & overdue)
        annotations[f"{grade}__arrears_amount"] = Sum("arrears", filter=window & overdue)
        annotations[f"{grade}__late_payments"] = Count("period", distinct=True, filter=window & late)
    return annotations


def figures_of(row: Mapping[str, Any], grade: str) -> dict[str, Any]:
    return {
        "arrears_months": row.get(f"{grade}__arrears_months") or 0,
        "arrears_amount": Decimal(row.get(f"{grade}__arrears_amount") or 0).quantize(Decimal("0.01")),
        "late_payments": row.get(f"{grade}__late_payments") or 0,
    }


def thresholds_met(standard: Any, figures: Mapping[str, Any]) -> list[str]:
    """The thresholds of ``standard`` that ``figures`` reach, as readable sentences."""
    met = []
    if standard.min_arrears_months is not None and figures["arrears_months"] >= standard.min_arrears_months:
        met.append(
            _("%(n)s months in arrears in the latest %(window)s months (standard: %(min)s)")
            % {"n": figures["arrears_months"], "window": standard.window_months, "min": standard.min_arrears_months}
        )
    if standard.min_arrears_amount is not None and figures["arrears_amount"] >= standard.min_arrears_amount:
        met.append(
            _("%(amount)s yuan overdue (standard: %(min)s)")
            % {"amount": figures["arrears_amount"], "min": standard.min_arrears_amount}
        )
    if standard.min_late_payments is not None and figures["late_payments"] >= standard.min_late_payments:
        met.append(
            _("%(n)s late payments in the latest %(window)s months (standard: %(min)s)")
            % {"n": figures["late_payments"], "window": standard.window_months, "min": standard.min_late_payments}
        )
    return met


def pick_grade(standards: Mapping[str, Any], row: Mapping[str, Any]) -> tuple[str, list[str], dict]:
    """(grade, reasons, basis): the worst grade whose standard the account meets, else red."""
    basis: dict[str, Any] = {}
    for grade in GRADES_WORST_FIRST:
        standard = standards.get(grade)
        if standard is None or not standard.has_thresholds():
            continue
        figures = figures_of(row, grade)
        basis[grade] = {k: str(v) if isinstance(v, Decimal) else v for k, v in figures.items()}
        met = thresholds_met(standard, figures)
        if met:
            return grade, met, basis
    return CreditGrade.RED, [_("no arrears or late payments reaching a standard")], basis


def pick_initial_grade(rules: Iterable[Any], customer_type: str, level_rank: int | None) -> tuple[str, Any]:
    """(grade, rule): the first matching active rule; grey when none matches."""
    for rule in rules:
        if rule.matches(customer_type, level_rank):
            return rule.grade, rule
    return CreditGrade.GREY, None
