"""Default service classes (SVC-14) and quality indicators (SVC-09), editable afterwards.

``ensure_reference_data`` takes model classes so that the data migration passes its
historical models and running code (tests after a flush, the demo) the real ones. What is
already there, perhaps edited, is left alone.
"""

from decimal import Decimal

# line type, class, availability %, response minutes, repair hours, activation working days, description
SERVICE_CLASSES = [
    ("private_line", "A", "99.99", 15, "4", 10, "A类专线：金融、政府等关键业务，双路由保护，7×24小时驻点响应"),
    ("private_line", "B", "99.9", 30, "8", 15, "B类专线：大中型企业，单路由，7×24小时响应"),
    ("private_line", "C", "99.5", 60, "24", 20, "C类专线：中小企业，工作时间优先处理"),
    ("wlan", "B", "99.9", 30, "8", 7, "WLAN 按B类保障"),
    ("broadband", "B", "99.5", 30, "8", 5, "宽带按B类保障"),
]

# code, name, applies to ("" every kind), weight, maximum score, order
INDICATORS = [
    ("satisfaction", "客户满意度", "", "30", 100, 10),
    ("timeliness", "响应及时率", "", "25", 100, 20),
    ("complaints", "投诉处理质量", "", "20", 100, 30),
    ("visits", "走访与回访完成率", "account_manager", "15", 100, 40),
    ("compliance", "业务规范执行", "", "10", 100, 50),
]


def ensure_reference_data(ServiceClass, QualityIndicator) -> None:
    for line_type, code, pct, response, repair, activation, description in SERVICE_CLASSES:
        ServiceClass.objects.get_or_create(
            line_type=line_type, code=code,
            defaults={
                "availability_pct": Decimal(pct), "response_minutes": response, "repair_hours": Decimal(repair),
                "activation_days": activation, "description": description,
            },
        )
    if not QualityIndicator.objects.exists():
        for code, name, kind, weight, max_score, order in INDICATORS:
            QualityIndicator.objects.create(
                code=code, name=name, subject_kind=kind, weight=Decimal(weight), max_score=max_score, order=order
            )


def ensure_reference_data_now() -> None:
    from kams.support.models import QualityIndicator, ServiceClass

    ensure_reference_data(ServiceClass, QualityIndicator)
