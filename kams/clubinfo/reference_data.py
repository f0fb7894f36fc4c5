"""The default evaluation indicators (俱乐部服务效果评估指标): five computed from the data and
one entered by hand. ``ensure_reference_data`` takes the model class so that the data
migration passes its historical model and running code (tests after a flush, the demo) the
real one. Existing indicators are left as administrators changed them."""

from decimal import Decimal

# code, name, unit, weight, target, direction, source, order, description
INDICATORS = [
    ("participation", "活动参与率", "%", Decimal("25"), Decimal("20"), "higher", "participation_rate", 10,
     "期内参加过俱乐部活动的会员占有效会员的比例"),
    ("feedback", "活动满意度", "分", Decimal("20"), Decimal("4.5"), "higher", "feedback_score", 20,
     "参加者对期内活动的平均评分（1–5 分）"),
    ("consultation", "咨询答复满意率", "%", Decimal("25"), Decimal("90"), "higher", "consultation_satisfaction", 30,
     "已评价的会员咨询中满意与非常满意的比例"),
    ("redemptions", "每百名会员积分兑换次数", "次/百人", Decimal("15"), Decimal("30"), "higher", "redemptions_per_100", 40,
     "期内积分兑换笔数（不含冲正）除以有效会员数乘以 100"),
    ("care", "每百名会员人情服务次数", "次/百人", Decimal("15"), Decimal("50"), "higher", "care_per_100", 50,
     "期内会员人情服务次数除以有效会员数乘以 100"),
    ("complaints", "每百名会员投诉次数", "次/百人", Decimal("10"), Decimal("1"), "lower", "manual", 60,
     "由俱乐部按期录入：期内会员投诉次数除以有效会员数乘以 100"),
]


def ensure_reference_data(EvaluationIndicator) -> None:
    for code, name, unit, weight, target, direction, source, order, description in INDICATORS:
        EvaluationIndicator.objects.get_or_create(code=code, defaults=dict(
            name=name, unit_label=unit, weight=weight, target=target, direction=direction, source=source,
            sort_order=order, description=description,
        ))


def ensure_reference_data_now() -> None:
    from kams.clubinfo.models import EvaluationIndicator

    ensure_reference_data(EvaluationIndicator)
