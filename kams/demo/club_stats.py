"""Points cost management of the demo province (CLUB-17): one points scheme, 双倍数据业务积分
(the data-business consumption rate doubled), made by the province club staff through the
real service, and its forecast on the imported bills. The club statistics (CLUB-22) need no
data of their own: they are computed from the members, points, redemptions and bills.

Assumes the club members, the bills and the monthly points runs exist.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model

from kams.clubstats import services
from kams.clubstats.enums import ForecastState
from kams.clubstats.errors import NoBills
from kams.clubstats.models import PointsScheme

if TYPE_CHECKING:
    from kams.demo.generator import DemoContext

SCHEME = "双倍数据业务积分"


def build(ctx: DemoContext) -> int:
    """The scheme and its forecast (over the last twelve months of bills); returns the rows made."""
    from kams.club.models import PointsRule

    actor = get_user_model().objects.get(username="js_club")
    data_rule = PointsRule.objects.filter(code="CONS-DATA").order_by("-version").first()
    rate = (Decimal(data_rule.rate) if data_rule else Decimal("1")) * 2
    fields = {
        "description": "数据业务（流量）消费积分标准由每元 1 分提高到每元 2 分，鼓励集团客户使用移动数据业务；"
                       "预测按过去十二个月的账单计算将多发的积分与积分成本。",
        "rules": {"CONS-DATA": {"rate": str(rate)}},
        "redemption_rate": None,  # from the last twelve months
        "cost_per_point": None,
    }
    scheme = PointsScheme.objects.filter(name=SCHEME).first()
    scheme = services.scheme_save(actor=actor, scheme=scheme, **({"name": SCHEME} if scheme is None else {}), **fields)
    try:
        forecast = services.forecast_start(actor=actor, scheme=scheme, months=12)
    except NoBills:
        return 1
    if forecast.state != ForecastState.DONE:  # a big province: the job is queued; compute it now for the demo
        forecast = services.forecast_execute(forecast=forecast)
    return 2
