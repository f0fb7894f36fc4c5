"""Default credit standards and initial grade rules (editable afterwards on the standards page).

``ensure_reference_data`` takes model classes so that the data migration passes its
historical models and running code (tests after a flush, the demo) the real ones. What is
already there, perhaps edited, is left alone.
"""

from decimal import Decimal

# grade, credit limit, window, arrears months ≥, overdue arrears ≥, late payments ≥, description
STANDARDS = [
    ("red", "50000", 6, None, None, None, "近6个月按期缴费、无欠费：信用度好，按红名单额度进行信用控制"),
    ("grey", "10000", 6, 1, None, 2, "近6个月有1个月逾期欠费，或2次以上逾期缴费：信用度一般"),
    ("black", "0", 6, 3, "100000", None, "近6个月有3个月以上逾期欠费，或逾期欠费达10万元：信用度差，停止信用透支"),
]

# priority, customer type ("" any), level rank at most (None any), grade, note
INITIAL_RULES = [
    (10, "group", 2, "red", "A类、B类集团客户开通前定为红名单"),
    (20, "high_end", 1, "red", "钻石级个人高端客户开通前定为红名单"),
    (30, "key_individual", 1, "red", "钻石级个人重点客户开通前定为红名单"),
    (100, "", None, "grey", "其他新客户开通前定为灰名单"),
]


def ensure_reference_data(CreditStandard, InitialGradeRule) -> None:
    for grade, limit, window, months, amount, late, description in STANDARDS:
        CreditStandard.objects.get_or_create(
            grade=grade,
            defaults={
                "credit_limit": Decimal(limit), "window_months": window, "min_arrears_months": months,
                "min_arrears_amount": Decimal(amount) if amount else None, "min_late_payments": late,
                "description": description,
            },
        )
    if not InitialGradeRule.objects.exists():
        for priority, customer_type, rank, grade, note in INITIAL_RULES:
            InitialGradeRule.objects.create(
                priority=priority, customer_type=customer_type, max_level_rank=rank, grade=grade, note=note
            )


def ensure_reference_data_now() -> None:
    from kams.credit.models import CreditStandard, InitialGradeRule

    ensure_reference_data(CreditStandard, InitialGradeRule)
