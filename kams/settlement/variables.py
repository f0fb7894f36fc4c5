"""The settlement variable registry (结算变量, CH-12): each variable's type and its SQL over an
extraction row (alias ``x``) are owned by the code; the database rows
(:class:`~kams.settlement.models.SettlementVariable`) hold only where a variable may be used."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

NUM, BOOL, STR, DATE = "number", "bool", "string", "date"


@dataclass(frozen=True)
class Variable:
    name: str
    type: str
    sql: str
    label: object


def _fee(name: str, label) -> Variable:
    return Variable(name, NUM, f"x.{name}", label)


REGISTRY: dict[str, Variable] = {v.name: v for v in [
    _fee("fee_mobile", _("Mobile fee of the period")),
    _fee("fee_data", _("Data fee of the period")),
    _fee("fee_voip", _("VoIP fee of the period")),
    _fee("fee_long_distance", _("Long distance fee of the period")),
    _fee("fee_local", _("Local call fee of the period")),
    _fee("fee_leased_line", _("Leased line fee of the period")),
    _fee("fee_internet", _("Internet fee of the period")),
    Variable("fee_voice", NUM, "(x.fee_mobile + x.fee_local + x.fee_long_distance)",
             _("Voice fees (mobile + local + long distance)")),  # 费用组合
    Variable("total", NUM, "x.total", _("Total billed in the period")),
    Variable("paid", NUM, "x.paid", _("Paid of the period's bill")),
    Variable("arrears", NUM, "x.arrears", _("Arrears of the period's bill")),
    Variable("activation_date", DATE, "x.activated_on", _("Activation date")),  # 入网日期
    Variable("months_on_network", NUM, "x.months_on_network",
             _("Months on the network (the activation month is month 1)")),  # 入网月数
    Variable("is_new", BOOL, "x.is_new", _("Activated in the period")),
    Variable("left_in_period", BOOL, "x.left_in_period", _("Left the network in the period")),
    Variable("package", STR, "x.package", _("Package")),  # 结算套餐
    Variable("business", STR, "x.business", _("Business type")),
    Variable("agent_type", STR, "x.agent_type", _("Agent type code")),  # 代理商类型
    Variable("agent_level", STR, "x.agent_level", _("Agent level")),
]}


def ensure_variables(model=None) -> int:
    """A scope row (enabled everywhere) for every variable of the registry that has none:
    installed by migration 0002, and again by the demo after a test has flushed the database.
    Idempotent; returns how many rows were added."""
    if model is None:
        from kams.settlement.models import SettlementVariable as model
    existing = set(model.objects.values_list("name", flat=True))
    missing = [model(name=name) for name in REGISTRY if name not in existing]
    model.objects.bulk_create(missing, ignore_conflicts=True)
    return len(missing)
