"""积分成本预测 (CLUB-17 b): the points a scheme would have issued on the last N months of
imported bills, next to what the current rules issued, and what they would cost.

The scheme's points come from ONE aggregate SQL statement over the bills of the months and the
active members in the reader's scope. It follows the monthly run (``kams.club.run``), per member
and month:

* consumption points per business: the paid share of each fee column (all of it when the bill
  is paid, else paid ÷ total) × the rule's rate, rounded down;
* the tenure reward: points × whole years on the network (capped), from its first year;
* the on-time payment reward when every bill of the month is paid in full by its due date;
* a promotion's points when the member has a bill that month;
* the unpaid penalty (a share of the month's consumption points when a bill is in arrears),
  else the late penalty (when a bill was paid after its due date).

Each rule is computed twice in the same statement: with its current values and with the
scheme's, so the forecast also shows what the current rules give on the same data (a check
of the forecast against the runs). The points the current rules issued are the ledger entries
of the monthly runs of those months.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection
from django.db.models import Sum

from kams.billing.models import FEE_FIELDS, BillSummary
from kams.club.enums import MemberStatus, PointsCategory, RunState
from kams.club.models import ClubMember, PointsRule, PointsRun
from kams.club.run import rules_in_force

CENT = Decimal("0.01")
# What a scheme may change, per rule category.
CHANGEABLE = {
    PointsCategory.CONSUMPTION: ("rate",),
    PointsCategory.TENURE: ("amount", "min_years", "max_years"),
    PointsCategory.PUNCTUALITY: ("amount",),
    PointsCategory.PROMOTION: ("amount",),
    PointsCategory.LATE_PENALTY: ("rate",),
    PointsCategory.UNPAID_PENALTY: ("rate",),
}


@dataclass(frozen=True)
class RuleValues:
    """One rule as the forecast computes it (the current version, or the scheme's change of it)."""

    code: str
    name: str
    category: str
    business: str
    rate: Decimal
    amount: int
    min_years: int
    max_years: int
    level_id: int | None

    def values(self) -> dict[str, Any]:
        return {"rate": str(self.rate), "amount": self.amount, "min_years": self.min_years, "max_years": self.max_years}


def current_rules(period: datetime.date) -> list[RuleValues]:
    """The newest version of each rule in force in ``period`` that the monthly run computes."""
    newest: dict[str, PointsRule] = {}
    for rule in rules_in_force(period):
        if rule.category in CHANGEABLE and (rule.code not in newest or rule.version > newest[rule.code].version):
            newest[rule.code] = rule
    return [
        RuleValues(code=r.code, name=r.name, category=r.category, business=r.business, rate=Decimal(r.rate),
                   amount=int(r.amount), min_years=int(r.min_years), max_years=int(r.max_years), level_id=r.level_id)
        for r in sorted(newest.values(), key=lambda r: (r.category, r.code))
    ]


def apply_scheme(rules: list[RuleValues], changes: dict[str, dict]) -> list[RuleValues]:
    """The rules with the scheme's changes (already validated by the service)."""
    out = []
    for rule in rules:
        change = changes.get(rule.code) or {}
        values: dict[str, Any] = {}
        if "rate" in change:
            values["rate"] = Decimal(str(change["rate"]))
        for key in ("amount", "min_years", "max_years"):
            if key in change:
                values[key] = int(change[key])
        out.append(replace(rule, **values))
    return out


# --- The statement -------------------------------------------------------------------------------


def _months(expr: str) -> str:
    """Months since year 0 of a date expression, on either database (as the monthly run)."""
    if connection.vendor == "postgresql":
        return f"(CAST(EXTRACT(YEAR FROM {expr}) AS INTEGER) * 12 + CAST(EXTRACT(MONTH FROM {expr}) AS INTEGER))"
    return f"(CAST(strftime('%%Y', {expr}) AS INTEGER) * 12 + CAST(strftime('%%m', {expr}) AS INTEGER))"


def _floor(expr: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(FLOOR({expr}) AS BIGINT)"
    return f"CAST({expr} AS INTEGER)"


def _num(value: Decimal) -> str:
    """A validated decimal as an SQL literal (never text from a user: Decimal → digits)."""
    return format(Decimal(value).normalize(), "f") if Decimal(value) else "0"


def _level(rule: RuleValues) -> str:
    return f" AND level_id = {int(rule.level_id)}" if rule.level_id else ""


def _earning(rule: RuleValues) -> str | None:
    """The points of one member-month under ``rule`` (columns of ``mm``), or None for penalties."""
    level = _level(rule)
    if rule.category == PointsCategory.CONSUMPTION:
        if rule.business not in FEE_FIELDS:
            return "0"
        return f"CASE WHEN bills > 0{level} THEN {_floor(f'paid_{rule.business} * {_num(rule.rate)}')} ELSE 0 END"
    if rule.category == PointsCategory.TENURE:
        capped = f"(CASE WHEN {rule.max_years} > 0 AND years > {rule.max_years} THEN {rule.max_years} ELSE years END)"
        return (f"CASE WHEN years IS NOT NULL AND years >= {rule.min_years} AND years > 0{level} "
                f"THEN {rule.amount} * {capped} ELSE 0 END")
    if rule.category == PointsCategory.PUNCTUALITY:
        return f"CASE WHEN bills > 0 AND not_on_time = 0 AND billed > 0{level} THEN {rule.amount} ELSE 0 END"
    if rule.category == PointsCategory.PROMOTION:
        return f"CASE WHEN {rule.amount} > 0 AND bills > 0{level} THEN {rule.amount} ELSE 0 END"
    return None


def forecast_statement(current: list[RuleValues], scheme: list[RuleValues], periods: list[datetime.date],
                       members_sql: str, members_params: tuple) -> tuple[str, list[Any], list[str]]:
    """The statement, its parameters and its column names after ``period``, ``members`` and
    ``billed_members``: ``c<i>``/``s<i>`` the points of rule ``i`` with its current and its
    scheme values."""
    m_t, b_t = ClubMember._meta.db_table, BillSummary._meta.db_table
    on_time = ("b.paid >= b.total AND b.paid_on IS NOT NULL AND (b.due_on IS NULL OR b.paid_on <= b.due_on)")
    share = "(CASE WHEN b.paid >= b.total THEN 1 ELSE b.paid * 1.0 / b.total END)"
    paid_columns = ", ".join(
        f"SUM(CASE WHEN b.total > 0 THEN b.{fee} * {share} ELSE 0 END) AS paid_{fee}" for fee in FEE_FIELDS
    )
    since = "COALESCE(m.network_since, m.joined_on)"
    variants = (("c", current), ("s", scheme))
    earn_cols, unpaid_cols, late_exprs, names = [], [], [], []
    for prefix, rules in variants:
        for i, rule in enumerate(rules):
            expr = _earning(rule)
            if expr is not None:
                earn_cols.append(f"{expr} AS {prefix}{i}")
    cons = {
        prefix: " + ".join(f"{prefix}{i}" for i, r in enumerate(rules) if r.category == PointsCategory.CONSUMPTION) or "0"
        for prefix, rules in variants
    }
    for prefix, rules in variants:
        unpaid = [i for i, r in enumerate(rules) if r.category == PointsCategory.UNPAID_PENALTY]
        for i in unpaid:
            rule = rules[i]
            unpaid_cols.append(f"CASE WHEN unpaid_bills > 0{_level(rule)} THEN -{_floor(f'({cons[prefix]}) * {_num(rule.rate)}')} "
                               f"ELSE 0 END AS {prefix}{i}")
        none_unpaid = " + ".join(f"{prefix}{i}" for i in unpaid) or "0"
        for i, rule in enumerate(rules):
            if rule.category == PointsCategory.LATE_PENALTY:
                late_exprs.append((f"{prefix}{i}", f"CASE WHEN late_bills > 0 AND ({none_unpaid}) = 0{_level(rule)} "
                                                   f"THEN -{_floor(f'({cons[prefix]}) * {_num(rule.rate)}')} ELSE 0 END"))
    for prefix, rules in variants:
        names += [f"{prefix}{i}" for i in range(len(rules))]
    late_names = {name for name, _expr in late_exprs}
    sums = [f"SUM({name}) AS {name}" for name in names if name not in late_names]
    sums += [f"SUM({expr}) AS {name}" for name, expr in late_exprs]
    ordered = [name for name in names if name not in late_names] + [name for name, _expr in late_exprs]
    holes = ", ".join(["%s"] * len(periods))
    sql = f"""
WITH months AS (
  SELECT DISTINCT b0.period AS period FROM {b_t} b0 WHERE b0.period IN ({holes})
),
mm AS (
  SELECT m.id AS member_id, m.level_id AS level_id, mo.period AS period,
         ({_months('mo.period')} - {_months(since)}) / 12 AS years,
         COUNT(b.id) AS bills, {paid_columns},
         SUM(CASE WHEN b.id IS NULL THEN 0 WHEN {on_time} THEN 0 ELSE 1 END) AS not_on_time,
         COALESCE(SUM(b.total), 0) AS billed,
         SUM(CASE WHEN b.arrears > 0 THEN 1 ELSE 0 END) AS unpaid_bills,
         SUM(CASE WHEN b.paid_on IS NOT NULL AND b.due_on IS NOT NULL AND b.paid_on > b.due_on THEN 1 ELSE 0 END)
             AS late_bills
  FROM {m_t} m CROSS JOIN months mo
  LEFT JOIN {b_t} b ON b.customer_id = m.customer_id AND b.period = mo.period
                   AND (m.msisdn = '' OR b.msisdn = m.msisdn)
  WHERE m.status = %s AND m.id IN ({members_sql})
  GROUP BY m.id, m.level_id, mo.period, m.network_since, m.joined_on
),
pts AS (
  SELECT period, member_id, level_id, bills, unpaid_bills, late_bills{''.join(', ' + c for c in earn_cols)}
  FROM mm
),
pen AS (
  SELECT pts.*{''.join(', ' + c for c in unpaid_cols)} FROM pts
)
SELECT period, COUNT(*) AS members, SUM(CASE WHEN bills > 0 THEN 1 ELSE 0 END) AS billed_members,
       {', '.join(sums) or '0 AS nothing'}
FROM pen GROUP BY period ORDER BY period"""
    params = [*periods, MemberStatus.ACTIVE, *members_params]
    return sql, params, ordered


def scheme_points(*, current: list[RuleValues], scheme: list[RuleValues], periods: list[datetime.date],
                  members: Any) -> dict[str, dict]:
    """Per month (YYYY-MM): members, billed members, and per rule code the points with the
    current values and with the scheme's. ``members``: a queryset of the members in scope."""
    members_sql, members_params = members.order_by().values("pk").query.sql_with_params()
    sql, params, names = forecast_statement(current, scheme, periods, members_sql, members_params)
    out: dict[str, dict] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            period, member_count, billed, *values = row
            key = period[:7] if isinstance(period, str) else f"{period:%Y-%m}"
            by_name = dict(zip(names, (int(v or 0) for v in values)))
            out[key] = {
                "members": int(member_count or 0), "billed_members": int(billed or 0),
                "current": {r.code: by_name.get(f"c{i}", 0) for i, r in enumerate(current)},
                "scheme": {r.code: by_name.get(f"s{i}", 0) for i, r in enumerate(scheme)},
            }
    return out


def issued_points(*, periods: list[datetime.date], entries: Any) -> tuple[dict[str, dict[str, int]], set[str]]:
    """What the monthly runs of ``periods`` issued, per month and category (``entries``: the
    ledger entries in scope), and the months that have a finished run."""
    runs = {f"{p:%Y-%m}" for p in PointsRun.objects.filter(period__in=periods, state=RunState.DONE)
            .values_list("period", flat=True)}
    out: dict[str, dict[str, int]] = {}
    for row in (entries.filter(run__period__in=periods).order_by().values("run__period", "category")
                .annotate(points=Sum("points"))):
        out.setdefault(f"{row['run__period']:%Y-%m}", {})[row["category"]] = int(row["points"] or 0)
    return out, runs


def cost_of(points: int, rate: Decimal, per_point: Decimal) -> Decimal:
    return (Decimal(points) * rate * per_point).quantize(CENT, rounding=ROUND_HALF_UP)


def figures(*, current: list[RuleValues], scheme: list[RuleValues], computed: dict[str, dict],
            issued: dict[str, dict[str, int]], run_months: set[str], months: list[str], rate: Decimal,
            per_point: Decimal) -> dict[str, Any]:
    """The stored figures of a forecast: per month the points issued (the runs; a month without
    a finished run: the current rules recomputed), the current rules recomputed, the scheme's
    points, by category and rule, and the expected cost of each."""
    categories = {r.code: r.category for r in current}
    rows, totals = [], {"issued": 0, "current": 0, "scheme": 0}
    for month in months:
        got = computed.get(month, {"members": 0, "billed_members": 0, "current": {}, "scheme": {}})
        by_cat: dict[str, dict[str, int]] = {"current": {}, "scheme": {}}
        for variant in ("current", "scheme"):
            for code, points in got[variant].items():
                cat = categories[code]
                by_cat[variant][cat] = by_cat[variant].get(cat, 0) + points
        has_run = month in run_months
        actual = issued.get(month, {}) if has_run else by_cat["current"]
        row = {
            "month": month, "members": got["members"], "billed_members": got["billed_members"], "has_run": has_run,
            "issued": sum(actual.values()), "issued_by_category": actual,
            "current": sum(got["current"].values()), "current_by_category": by_cat["current"],
            "scheme": sum(got["scheme"].values()), "scheme_by_category": by_cat["scheme"],
            "scheme_by_rule": got["scheme"], "current_by_rule": got["current"],
        }
        row["difference"] = row["scheme"] - row["issued"]
        row["issued_cost"] = str(cost_of(row["issued"], rate, per_point))
        row["scheme_cost"] = str(cost_of(row["scheme"], rate, per_point))
        row["difference_cost"] = str(Decimal(row["scheme_cost"]) - Decimal(row["issued_cost"]))
        for key in totals:
            totals[key] += row[key]
        rows.append(row)
    issued_cost, scheme_cost = cost_of(totals["issued"], rate, per_point), cost_of(totals["scheme"], rate, per_point)
    change = (Decimal(totals["scheme"] - totals["issued"]) * 100 / totals["issued"]).quantize(CENT) if totals["issued"] else None
    by_rule = []
    for cur, new in zip(current, scheme):
        by_rule.append({
            "code": cur.code, "name": cur.name, "category": cur.category, "current": cur.values(), "scheme": new.values(),
            "changed": cur.values() != new.values(),
            "current_points": sum(computed.get(m, {}).get("current", {}).get(cur.code, 0) for m in months),
            "scheme_points": sum(computed.get(m, {}).get("scheme", {}).get(cur.code, 0) for m in months),
        })
    return {
        "months": rows, "by_rule": by_rule,
        "totals": {**totals, "difference": totals["scheme"] - totals["issued"], "issued_cost": str(issued_cost),
                   "scheme_cost": str(scheme_cost), "difference_cost": str(scheme_cost - issued_cost),
                   "change_pct": str(change) if change is not None else None},
    }

