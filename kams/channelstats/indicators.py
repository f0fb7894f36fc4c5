"""The indicator registry of channel evaluation (考核指标, CH-10).

Each indicator is one SQL expression over the agents: a correlated aggregate over the agent's
subscribers (``channels.AgentSubscriber``), their bills of the month (``billing.BillSummary``
joined by number and period) or the hand-entered values (``ManualScore``). An evaluation run
writes every agent's value of one indicator with one ``INSERT … SELECT`` (``insert_values``).

Definitions (month = ``[start, end)``):

- products 业务产品: distinct business/package pairs among the subscribers activated in the month;
- new_users 新发展用户数: subscribers activated in the month;
- active_users 在网用户数: subscribers activated before the end of the month and not gone by then;
- volume 业务量: what the agent's subscribers were billed for the month (yuan);
- revenue 业务收入: what of it they paid (yuan);
- arpu ARPU: billed total / numbers billed in the month;
- arpu_uplift ARPU 拉动: the agent's subscribers' ARPU of the month minus their ARPU of the month
  before (0 when nothing was billed the month before);
- churn 客户流失数: subscribers that left in the month;
- churn_rate 流失率 (%): those that left / those active at the start of the month × 100;
- satisfaction 服务满意度, other 其他指标: the value entered for the agent and month (0 if none);
- arrears 欠费金额: arrears of the month's bills; arrears_rate 欠费率 (%): arrears / billed × 100;
- late_payments 缴费不及时: bills paid after their due date or not paid with arrears.

``higher_is_better`` only matters for rank scoring; linear scoring reads the direction from
the model's floor and target (a target below the floor means lower is better).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable

from django.db import connection
from django.db.models import (
    CharField,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Concat, NullIf
from django.utils.translation import gettext_lazy as _

from kams.billing.models import BillSummary
from kams.channels.enums import SubscriberStatus
from kams.channels.models import AgentSubscriber
from kams.channelstats.enums import ManualKind

DEC = DecimalField(max_digits=18, decimal_places=4)
ZERO = Value(Decimal("0"), output_field=DEC)


@dataclass(frozen=True)
class Indicator:
    code: str
    label: Any
    unit: Any
    higher_is_better: bool
    expression: Callable[[datetime.date, datetime.date], Any]
    decimals: int = 2


def next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def previous_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def _value(subquery: QuerySet) -> Any:
    return Coalesce(Subquery(subquery, output_field=DEC), ZERO, output_field=DEC)


def _subs(**filters: Any) -> QuerySet:
    return AgentSubscriber.objects.filter(agent=OuterRef("pk"), **filters).order_by().values("agent")


def _count(queryset: QuerySet, expression: Any = None) -> Any:
    return _value(queryset.annotate(v=Cast(expression or Count("pk"), DEC)).values("v"))


def _bills(start: datetime.date, end: datetime.date, **filters: Any) -> QuerySet:
    numbers = AgentSubscriber.objects.filter(agent=OuterRef(OuterRef("pk")), activated_on__lt=end).values("msisdn")
    return BillSummary.objects.filter(period=start, msisdn__in=numbers, **filters).order_by().values("period")


def _float(expression: Any) -> Any:
    return Cast(expression, FloatField())


def _ratio(numerator: Any, denominator: Any, factor: int = 1) -> Any:
    return ExpressionWrapper(_float(numerator) * factor / NullIf(denominator, 0), output_field=DEC)


def products(start, end):
    kinds = Concat("business", Value(":"), "package", output_field=CharField())
    return _count(_subs(activated_on__gte=start, activated_on__lt=end), Count(kinds, distinct=True))


def new_users(start, end):
    return _count(_subs(activated_on__gte=start, activated_on__lt=end))


def active_users(start, end):
    alive = Q(status=SubscriberStatus.ACTIVE) | Q(cancelled_on__gte=end)
    return _count(_subs(activated_on__lt=end).filter(alive))


def _bill_sum(column: str):
    def expression(start, end):
        return _value(_bills(start, end).annotate(v=Sum(column)).values("v"))

    return expression


def _arpu(start, end):
    return Subquery(_bills(start, end).annotate(v=_ratio(Sum("total"), Count("msisdn", distinct=True))).values("v"),
                    output_field=DEC)


def arpu(start, end):
    return Coalesce(_arpu(start, end), ZERO, output_field=DEC)


def arpu_uplift(start, end):
    before = previous_month(start)
    return Coalesce(ExpressionWrapper(arpu(start, end) - _arpu(before, start), output_field=DEC), ZERO,
                    output_field=DEC)


def churn(start, end):
    return _count(_subs(status=SubscriberStatus.CANCELLED, cancelled_on__gte=start, cancelled_on__lt=end))


def churn_rate(start, end):
    left = Subquery(_subs(status=SubscriberStatus.CANCELLED, cancelled_on__gte=start, cancelled_on__lt=end)
                    .annotate(v=Count("pk")).values("v"), output_field=IntegerField())
    alive = Q(status=SubscriberStatus.ACTIVE) | Q(cancelled_on__gte=start)
    at_start = Subquery(_subs(activated_on__lt=start).filter(alive).annotate(v=Count("pk")).values("v"),
                        output_field=IntegerField())
    return Coalesce(_ratio(Coalesce(left, 0), at_start, 100), ZERO, output_field=DEC)


def arrears_rate(start, end):
    return _value(_bills(start, end).annotate(v=_ratio(Sum("arrears"), Sum("total"), 100)).values("v"))


def late_payments(start, end):
    late = Q(paid_on__gt=F("due_on")) | Q(paid_on__isnull=True, arrears__gt=0)
    return _count(_bills(start, end).filter(late))


def _manual(kind: str):
    def expression(start, end):
        from kams.channelstats.models import ManualScore

        rows = ManualScore.objects.filter(agent=OuterRef("pk"), period=start, kind=kind).values("value")[:1]
        return _value(rows)

    return expression


_ALL = [
    Indicator("products", _("Products sold"), _("kinds"), True, products, 0),
    Indicator("new_users", _("New subscribers"), _("subscribers"), True, new_users, 0),
    Indicator("active_users", _("Active subscribers"), _("subscribers"), True, active_users, 0),
    Indicator("volume", _("Business volume (billed)"), _("yuan"), True, _bill_sum("total")),
    Indicator("revenue", _("Revenue (paid)"), _("yuan"), True, _bill_sum("paid")),
    Indicator("arpu", _("ARPU"), _("yuan"), True, arpu),
    Indicator("arpu_uplift", _("ARPU uplift"), _("yuan"), True, arpu_uplift),
    Indicator("churn", _("Subscribers lost"), _("subscribers"), False, churn, 0),
    Indicator("churn_rate", _("Churn rate"), "%", False, churn_rate),
    Indicator("satisfaction", _("Service satisfaction"), _("points"), True, _manual(ManualKind.SATISFACTION)),
    Indicator("arrears", _("Arrears"), _("yuan"), False, _bill_sum("arrears")),
    Indicator("arrears_rate", _("Arrears rate"), "%", False, arrears_rate),
    Indicator("late_payments", _("Late payments"), _("bills"), False, late_payments, 0),
    Indicator("other", _("Other indicator"), "", True, _manual(ManualKind.OTHER)),
]
INDICATORS: dict[str, Indicator] = {i.code: i for i in _ALL}


def indicator_choices() -> list[tuple[str, Any]]:
    return [(i.code, i.label) for i in _ALL]


def insert_values(*, run_id: int, agents: QuerySet, indicator: Indicator, start: datetime.date) -> int:
    """``INSERT INTO channelstats_indicatorvalue (run, agent, indicator, value) SELECT …``:
    every agent's value of one indicator in one statement. Returns the rows written."""
    from kams.channelstats.models import IndicatorValue

    end = next_month(start)
    rows = agents.order_by().annotate(
        c_run=Value(run_id, output_field=IntegerField()),
        c_agent=F("pk"),
        c_indicator=Value(indicator.code, output_field=CharField()),
        c_value=indicator.expression(start, end),
    ).values_list("c_run", "c_agent", "c_indicator", "c_value")
    sql, params = rows.query.sql_with_params()
    table = connection.ops.quote_name(IndicatorValue._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (run_id, agent_id, indicator, value) {sql}", params)
        return cursor.rowcount
