"""Reference data of the customer domain: the 19 industries of seed 004 (市场信息管理) and
default level categories and levels (editable afterwards).

``ensure_reference_data`` takes model classes so that the data migration passes its
historical models and running code (tests after a flush, the demo) the real ones.
"""

from decimal import Decimal

INDUSTRIES = [
    ("agriculture", "农林牧渔"), ("food", "食品饮料"), ("textile", "轻工纺织"), ("health", "医药卫生"),
    ("chemical", "化学工业"), ("building", "建筑材料"), ("mining", "采掘冶金"), ("machinery", "机电工业"),
    ("automotive", "汽车工业"), ("appliance", "家用电器"), ("energy", "能源石化"), ("it", "信息产业"),
    ("transport", "交通运输"), ("retail", "商业餐饮"), ("finance", "金融保险"), ("realestate", "房地产业"),
    ("tourism", "旅游产业"), ("environment", "环保行业"), ("education", "科教文体"),
]

# category code, name, customer types, [(level code, name, rank, min monthly revenue, min tenure, service standard)]
LEVELS = [
    ("group", "集团客户级别", ["group"], [
        ("A", "A类（战略级）", 1, "100000", 0, "专属客户经理团队；7×24小时服务；一级故障30分钟响应"),
        ("B", "B类（重要级）", 2, "30000", 0, "专属客户经理；一级故障1小时响应"),
        ("C", "C类（一般级）", 3, "5000", 0, "客户经理负责制；故障2小时响应"),
        ("D", "D类（潜力级）", 4, "0", 0, "片区客户经理服务"),
    ]),
    ("individual", "个人客户级别", ["high_end", "key_individual"], [
        ("diamond", "钻石级", 1, "1000", 24, "专属客户经理；机场贵宾厅；优先受理"),
        ("gold", "金卡级", 2, "500", 12, "客户经理服务；优先受理"),
        ("silver", "银卡级", 3, "200", 0, "绿色通道受理"),
        ("standard", "普通级", 4, "0", 0, "标准服务"),
    ]),
]



def ensure_reference_data(Industry, LevelCategory, Level) -> None:
    """Create what is missing; values already there (perhaps edited) are left alone."""
    for order, (code, name) in enumerate(INDUSTRIES, start=1):
        Industry.objects.get_or_create(code=code, defaults={"name": name, "order": order})
    for code, name, types, levels in LEVELS:
        category, _created = LevelCategory.objects.get_or_create(code=code, defaults={"name": name, "customer_types": types})
        for level_code, level_name, rank, revenue, tenure, standard in levels:
            Level.objects.get_or_create(
                category=category,
                code=level_code,
                defaults={
                    "name": level_name,
                    "rank": rank,
                    "min_monthly_revenue": Decimal(revenue),
                    "min_tenure_months": tenure,
                    "service_standard": standard,
                },
            )


def ensure_reference_data_now() -> None:
    from kams.customers.models import Industry, Level, LevelCategory

    ensure_reference_data(Industry, LevelCategory, Level)
