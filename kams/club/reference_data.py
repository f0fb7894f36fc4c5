"""The club's reference data: the three levels of CLUB-01, the default points rules of
headquarters (CLUB-09/10) and the default expiry rule (CLUB-11).

``ensure_reference_data`` takes model classes so that the data migration passes its
historical models and running code (tests after a flush, the demo) the real ones. Existing
rows are left as administrators changed them.
"""

import datetime
from decimal import Decimal

LEVELS = [
    # code, name, rank, roaming, min avg paid, keep avg paid, min tenure months, card fee, benefits
    ("DIAMOND", "钻石卡", 1, "national", Decimal("3000"), Decimal("2400"), 24, Decimal("0"),
     "全国漫游认证；机场贵宾厅；专属客户经理 7×24 服务；积分兑换 8 折起"),
    ("EMERALD", "翡翠卡", 2, "national", Decimal("1000"), Decimal("800"), 12, Decimal("0"),
     "全国漫游认证；营业厅绿色通道；生日关怀；积分兑换 9 折"),
    ("SAPPHIRE", "蓝宝卡", 3, "province", Decimal("300"), Decimal("240"), 6, Decimal("0"),
     "省内服务认证；营业厅优先办理；积分兑换"),
]
RULES_FROM = datetime.date(2020, 1, 1)
# code, name, category, business fee column, rate, amount, min years, max years
RULES = [
    ("CONS-MOBILE", "移动通信消费积分", "consumption", "fee_mobile", Decimal("1"), 0, 0, 0),
    ("CONS-DATA", "数据业务消费积分", "consumption", "fee_data", Decimal("1"), 0, 0, 0),
    ("CONS-VOIP", "IP 电话消费积分", "consumption", "fee_voip", Decimal("1"), 0, 0, 0),
    ("CONS-LD", "长途消费积分", "consumption", "fee_long_distance", Decimal("1"), 0, 0, 0),
    ("CONS-LOCAL", "本地通话消费积分", "consumption", "fee_local", Decimal("1"), 0, 0, 0),
    ("CONS-LEASED", "租线业务消费积分", "consumption", "fee_leased_line", Decimal("0.5"), 0, 0, 0),
    ("CONS-NET", "互联网业务消费积分", "consumption", "fee_internet", Decimal("0.5"), 0, 0, 0),
    ("TENURE", "在网时长奖励积分（每满一年每月）", "tenure", "", Decimal("0"), 10, 1, 10),
    ("PUNCTUAL", "按时缴费奖励积分", "punctuality", "", Decimal("0"), 50, 0, 0),
    ("LATE", "迟交费用扣罚（当月消费积分比例）", "late_penalty", "", Decimal("0.2"), 0, 0, 0),
    ("UNPAID", "欠交费用扣罚（当月消费积分比例）", "unpaid_penalty", "", Decimal("0.5"), 0, 0, 0),
]


def ensure_reference_data(ClubLevel, PointsRule, ExpiryRule) -> None:
    for code, name, rank, roaming, min_paid, keep_paid, tenure, fee, benefits in LEVELS:
        ClubLevel.objects.get_or_create(code=code, defaults=dict(
            name=name, rank=rank, roaming=roaming, min_monthly_paid=min_paid, keep_monthly_paid=keep_paid,
            min_tenure_months=tenure, card_fee=fee, description=benefits,
        ))
    for code, name, category, business, rate, amount, min_years, max_years in RULES:
        if not PointsRule.objects.filter(code=code).exists():
            PointsRule.objects.create(
                code=code, version=1, name=name, category=category, business=business, rate=rate, amount=amount,
                min_years=min_years, max_years=max_years, valid_from=RULES_FROM, issuer="hq",
            )
    if not ExpiryRule.objects.exists():
        ExpiryRule.objects.create(name="积分有效期：积分产生当年起第三年年底清零", mode="years", length=2,
                                  valid_from=RULES_FROM, issuer="hq")


def ensure_reference_data_now() -> None:
    from kams.club.models import ClubLevel, ExpiryRule, PointsRule

    ensure_reference_data(ClubLevel, PointsRule, ExpiryRule)
