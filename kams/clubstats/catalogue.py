"""What each statistic shows: its title, permission, tables (columns) and charts. The figures
come from ``kams.clubstats.selectors``; pages, Excel exports and the API read this catalogue.

A chart is a plain dict that ``clubstats/_charts.html`` turns into an ECharts option:
``{"id", "title", "categories", "series": [{"name", "type", "data", "stack", "axis"}], "axes"}``
or, for a pie, ``{"id", "title", "pie": [{"name", "value"}]}``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from kams.club.enums import CardState
from kams.clubstats import selectors
from kams.clubstats.errors import UnknownStatistic

STATS_PERM = "clubstats.view_clubstatistics"
COST_PERM = "clubstats.view_pointscost"


@dataclass(frozen=True)
class Column:
    key: str
    label: Any
    kind: str = "text"  # text, int, money, ratio, percent

    @property
    def numeric(self) -> bool:
        return self.kind != "text"


@dataclass(frozen=True)
class Table:
    key: str
    title: Any
    columns: list[Column] | Callable[[list], list[Column]]
    note: Any = ""

    def columns_for(self, level_list: list) -> list[Column]:
        return self.columns(level_list) if callable(self.columns) else self.columns


@dataclass(frozen=True)
class Statistic:
    name: str
    title: Any
    description: Any
    perm: str
    compute: Callable[..., dict[str, list[dict]]]
    tables: list[Table]
    charts: Callable[[dict, list], list[dict]] = field(default=lambda data, level_list: [])
    icon: str = "bi-bar-chart"


# --- Columns -------------------------------------------------------------------------------------

MONTH = Column("month", _lazy("Month"))
LEVEL = Column("level_name", _lazy("Level"))
REDEEMED = [
    Column("redemptions", _lazy("Redemptions"), "int"), Column("quantity", _lazy("Quantity"), "int"),
    Column("points", _lazy("Points"), "int"), Column("cost", _lazy("Cost (yuan)"), "money"),
]
BAND_LABELS = ["0", "1–999", "1,000–4,999", "5,000–19,999", "≥ 20,000"]


def _level_columns(level_list: list) -> list[Column]:
    return [Column(f"level_{lv.code}", lv.name, "int") for lv in level_list]


def _year_columns(bounds: tuple[int, ...]) -> list[Column]:
    """Columns of the year bands, labelled in the language of the request (call at run time)."""
    columns = [Column("band_0", _("Under %(n)s years") % {"n": bounds[0]}, "int")]
    for i, (lo, hi) in enumerate(zip(bounds, bounds[1:]), start=1):
        columns.append(Column(f"band_{i}", _("%(lo)s–%(hi)s years") % {"lo": lo, "hi": hi}, "int"))
    columns.append(Column(f"band_{len(bounds)}", _("%(n)s years or more") % {"n": bounds[-1]}, "int"))
    columns.append(Column("unknown", _lazy("Unknown"), "int"))
    return columns


# --- Chart helpers -------------------------------------------------------------------------------


def _num(value: Any) -> float | int:
    if value is None:
        return 0
    return value if isinstance(value, int) else float(value)


def _pivot(rows: list[dict], row_key: str, col_key: str, value: str, label_key: str | None = None):
    """(categories, {series label: values}) of long rows."""
    categories = sorted({r[row_key] for r in rows})
    series: dict[str, list] = {}
    for r in rows:
        name = str(r[label_key or col_key])
        series.setdefault(name, [0] * len(categories))[categories.index(r[row_key])] += _num(r[value])
    return categories, series


def _stacked(chart_id: str, title: str, categories: list, series: dict[str, list], kind: str = "bar",
             stack: bool = True, axis: str = "") -> dict:
    return {"id": chart_id, "title": title, "categories": categories, "axes": [axis],
            "series": [{"name": name, "type": kind, "data": data, "stack": "all" if stack else ""}
                       for name, data in series.items()]}


def _pie(chart_id: str, title: str, rows: list[dict], label: str, value: str) -> dict:
    return {"id": chart_id, "title": title, "pie": [{"name": str(r[label]), "value": _num(r[value])} for r in rows]}


# --- Charts per statistic ------------------------------------------------------------------------


def _points_charts(data: dict, level_list: list) -> list[dict]:
    months, series = _pivot(data["earned"], "month", "category", "points", "category_label")
    balances = data["balances"]
    bands = {label: [r[f"band_{i}"] for r in balances] for i, label in enumerate(BAND_LABELS)}
    exp_months, exp_series = _pivot(data["expired"], "month", "level", "points", "level_name")
    return [
        _stacked("chart-earned", _("Points issued per month by category"), months, series, axis=_("Points")),
        _stacked("chart-balances", _("Members by balance band and level"), [r["level_name"] for r in balances], bands,
                 axis=_("Number of members")),
        _stacked("chart-expired", _("Points expired per month"), exp_months, exp_series, axis=_("Points")),
    ]


def _redemption_charts(data: dict, level_list: list) -> list[dict]:
    rows = data["by_month"]
    return [
        {"id": "chart-redemption-month", "title": _("Points redeemed and their cost per month"),
         "categories": [r["month"] for r in rows], "axes": [_("Points"), _("Yuan")],
         "series": [{"name": _("Points"), "type": "bar", "data": [r["points"] for r in rows]},
                    {"name": _("Cost (yuan)"), "type": "line", "axis": 1, "data": [_num(r["cost"]) for r in rows]}]},
        _pie("chart-redemption-kind", _("Points by item kind"), data["by_kind"], "kind_label", "points"),
        _pie("chart-redemption-channel", _("Points by channel"), data["by_channel"], "channel_label", "points"),
    ]


def _consumption_charts(data: dict, level_list: list) -> list[dict]:
    rows = data["by_month_level"]
    months, paid = _pivot(rows, "month", "level", "paid", "level_name")
    _m, points = _pivot(rows, "month", "level", "points", "level_name")
    series = [{"name": f"{name} · {_('Paid (yuan)')}", "type": "bar", "data": values} for name, values in paid.items()]
    series += [{"name": f"{name} · {_('Points')}", "type": "line", "axis": 1, "data": points.get(name, [])}
               for name in points]
    return [{"id": "chart-consumption", "title": _("Paid bills and points issued per month by level"),
             "categories": months, "axes": [_("Yuan"), _("Points")], "series": series}]


def _distribution_charts(data: dict, level_list: list) -> list[dict]:
    cities = data["by_city"]
    by_level = {lv.name: [r.get(f"level_{lv.code}", 0) for r in cities] for lv in level_list}
    movement = data["movement"]
    return [
        _stacked("chart-cities", _("Active members by city and level"), [r["city_name"] for r in cities], by_level,
                 axis=_("Number of members")),
        {"id": "chart-movement", "title": _("Members joining and leaving per month"),
         "categories": [r["month"] for r in movement], "axes": [_("Number of members")],
         "series": [{"name": _("Joined"), "type": "bar", "data": [r["joined"] for r in movement]},
                    {"name": _("Left"), "type": "bar", "data": [r["left"] for r in movement]},
                    {"name": _("Net"), "type": "line", "data": [r["net"] for r in movement]}]},
    ]


def _cards_charts(data: dict, level_list: list) -> list[dict]:
    rows = data["by_level_state"]
    states = {str(label): [r[f"state_{s}"] for r in rows] for s, label in CardState.choices}
    issued = data["issued"]
    return [
        _stacked("chart-card-states", _("Cards by level and state"), [r["level_name"] for r in rows], states,
                 axis=_("Cards")),
        _stacked("chart-card-issued", _("Cards issued per month"), [r["month"] for r in issued],
                 {lv.name: [r.get(f"level_{lv.code}", 0) for r in issued] for lv in level_list}, axis=_("Cards")),
    ]


def _members_charts(data: dict, level_list: list) -> list[dict]:
    tenure = data["network_tenure"]
    labels = [str(c.label) for c in _year_columns(selectors.NETWORK_YEARS)]
    keys = [c.key for c in _year_columns(selectors.NETWORK_YEARS)]
    return [
        _pie("chart-status", _("Members by status"), data["by_status"], "status_label", "total"),
        _stacked("chart-tenure", _("Active members by years on the network"), [r["level_name"] for r in tenure],
                 {label: [r[key] for r in tenure] for label, key in zip(labels, keys)}, axis=_("Number of members")),
    ]


def _cost_charts(data: dict, level_list: list) -> list[dict]:
    rows = data["by_month"]
    return [
        {"id": "chart-cost-month", "title": _("Cost of redemptions per month"),
         "categories": [r["month"] for r in rows], "axes": [_("Yuan"), _("Points")],
         "series": [{"name": _("Cost (yuan)"), "type": "bar", "data": [_num(r["cost"]) for r in rows]},
                    {"name": _("Points"), "type": "line", "axis": 1, "data": [r["points"] for r in rows]}]},
        _pie("chart-cost-kind", _("Cost by item kind"), data["by_kind"], "kind_label", "cost"),
        _stacked("chart-cost-city", _("Cost by city"), [r["city_name"] for r in data["by_city"]],
                 {_("Cost (yuan)"): [_num(r["cost"]) for r in data["by_city"]]}, axis=_("Yuan")),
    ]


def _cost_analysis_charts(data: dict, level_list: list) -> list[dict]:
    levels_ = data["by_level"]
    months = data["by_month"]
    return [
        _stacked("chart-cost-member", _("Cost per member by level"), [r["level_name"] for r in levels_],
                 {_("Cost per member (yuan)"): [_num(r["cost_per_member"]) for r in levels_],
                  _("Cost per redeeming member (yuan)"): [_num(r["cost_per_redeemer"]) for r in levels_]},
                 stack=False, axis=_("Yuan")),
        {"id": "chart-cost-revenue", "title": _("Cost of redemptions against paid bills"),
         "categories": [r["month"] for r in months], "axes": [_("Yuan"), "%"],
         "series": [{"name": _("Paid (yuan)"), "type": "bar", "data": [_num(r["paid"]) for r in months]},
                    {"name": _("Cost (yuan)"), "type": "bar", "data": [_num(r["cost"]) for r in months]},
                    {"name": _("Cost ÷ paid, per cent"), "type": "line", "axis": 1,
                     "data": [_num(r["cost_ratio"]) for r in months]}]},
    ]


# --- The catalogue -------------------------------------------------------------------------------

STATISTICS: dict[str, Statistic] = {}


def _add(statistic: Statistic) -> None:
    STATISTICS[statistic.name] = statistic


_add(Statistic(
    "points", _lazy("Member points"), _lazy("Points issued per month and category, balances by level, points expired."),
    STATS_PERM, selectors.points_statistics, icon="bi-coin",
    tables=[
        Table("earned", _lazy("Points issued per month and category"), [
            MONTH, Column("category_label", _lazy("Category")), Column("points", _lazy("Points"), "int"),
            Column("members", _lazy("Number of members"), "int")]),
        Table("balances", _lazy("Balances by level"), [
            LEVEL, Column("members", _lazy("Number of members"), "int"), Column("balance", _lazy("Balance"), "int"),
            Column("average", _lazy("Average balance"), "int"), Column("earned", _lazy("Earned"), "int"),
            Column("spent", _lazy("Redeemed"), "int"), Column("expired", _lazy("Points expired"), "int"),
            *[Column(f"band_{i}", label, "int") for i, label in enumerate(BAND_LABELS)]],
            note=_lazy("Now; members per balance band.")),
        Table("expired", _lazy("Points expired per month"), [
            MONTH, LEVEL, Column("points", _lazy("Points"), "int"), Column("lots", _lazy("Lots"), "int")]),
    ],
    charts=_points_charts,
))
_add(Statistic(
    "redemption", _lazy("Redemption"), _lazy("Points and cost of redemptions per month, item kind and channel; top items."),
    STATS_PERM, selectors.redemption_statistics, icon="bi-bag",
    tables=[
        Table("by_month", _lazy("Per month"), [MONTH, *REDEEMED]),
        Table("by_kind", _lazy("Per item kind"), [Column("kind_label", _lazy("Item kind")), *REDEEMED]),
        Table("by_channel", _lazy("Per channel"), [Column("channel_label", _lazy("Channel")), *REDEEMED]),
        Table("top_items", _lazy("Items redeemed most"), [
            Column("item", _lazy("Code")), Column("item_name", _lazy("Item")), Column("kind_label", _lazy("Item kind")),
            *REDEEMED]),
    ],
    charts=_redemption_charts,
))
_add(Statistic(
    "consumption", _lazy("Consumption behaviour"),
    _lazy("What active members paid on their bills per month and level against the points they were issued."),
    STATS_PERM, selectors.consumption_statistics, icon="bi-receipt",
    tables=[
        Table("by_month_level", _lazy("Per month and level"), [
            MONTH, LEVEL, Column("members", _lazy("Members billed"), "int"), Column("billed", _lazy("Billed (yuan)"), "money"),
            Column("paid", _lazy("Paid (yuan)"), "money"), Column("average_paid", _lazy("Average paid (yuan)"), "money"),
            Column("points", _lazy("Points issued"), "int"), Column("points_per_yuan", _lazy("Points per yuan"), "ratio")]),
    ],
    charts=_consumption_charts,
))
_add(Statistic(
    "distribution", _lazy("Member distribution"), _lazy("Active members by city and level; members joining and leaving."),
    STATS_PERM, selectors.distribution_statistics, icon="bi-geo",
    tables=[
        Table("by_city", _lazy("Active members by city and level"),
              lambda lv: [Column("city_name", _lazy("City")), *_level_columns(lv), Column("total", _lazy("Total"), "int")],
              note=_lazy("Now.")),
        Table("movement", _lazy("Joining and leaving per month"), [
            MONTH, Column("joined", _lazy("Joined"), "int"), Column("left", _lazy("Left (suspended or cancelled)"), "int"),
            Column("net", _lazy("Net"), "int")]),
    ],
    charts=_distribution_charts,
))
_add(Statistic(
    "cards", _lazy("Member cards"), _lazy("Cards by level and state; cards issued per month."),
    STATS_PERM, selectors.cards_statistics, icon="bi-credit-card-2-front",
    tables=[
        Table("by_level_state", _lazy("Cards by level and state"),
              [LEVEL, *[Column(f"state_{s}", label, "int") for s, label in CardState.choices],
               Column("total", _lazy("Total"), "int")], note=_lazy("Now.")),
        Table("issued", _lazy("Cards issued per month"),
              lambda lv: [MONTH, *_level_columns(lv), Column("total", _lazy("Total"), "int")]),
    ],
    charts=_cards_charts,
))
_add(Statistic(
    "members", _lazy("Member information"), _lazy("Members by status and level; years on the network and in the club."),
    STATS_PERM, selectors.members_statistics, icon="bi-people",
    tables=[
        Table("by_status", _lazy("Members by status and level"),
              lambda lv: [Column("status_label", _lazy("Status")), *_level_columns(lv), Column("total", _lazy("Total"), "int")],
              note=_lazy("Now.")),
        Table("network_tenure", _lazy("Active members by years on the network"),
              lambda lv: [LEVEL, Column("members", _lazy("Number of members"), "int"), *_year_columns(selectors.NETWORK_YEARS)]),
        Table("club_tenure", _lazy("Active members by years in the club"),
              lambda lv: [LEVEL, Column("members", _lazy("Number of members"), "int"), *_year_columns(selectors.MEMBER_YEARS)]),
    ],
    charts=_members_charts,
))
_add(Statistic(
    "cost", _lazy("Redemption cost"),
    _lazy("The cost of redemptions per month, item kind, item and city, reversals apart, and the points liability."),
    COST_PERM, selectors.cost_statistics, icon="bi-cash-coin",
    tables=[
        Table("liability", _lazy("Points liability"), [
            Column("points", _lazy("Outstanding points"), "int"), Column("members", _lazy("Members holding points"), "int"),
            Column("cost_per_point", _lazy("Cost per point (yuan)"), "ratio"), Column("source_label", _lazy("Cost per point from")),
            Column("window", _lazy("Months")), Column("liability", _lazy("Liability (yuan)"), "money")],
            note=_lazy("Now: the points members hold, valued at the cost per point of the last 12 months.")),
        Table("by_month", _lazy("Per month"), [MONTH, *REDEEMED]),
        Table("by_kind", _lazy("Per item kind"), [Column("kind_label", _lazy("Item kind")), *REDEEMED]),
        Table("by_city", _lazy("Per city"), [Column("city_name", _lazy("City")), *REDEEMED]),
        Table("detail", _lazy("Per month, item and city"), [
            MONTH, Column("kind_label", _lazy("Item kind")), Column("item", _lazy("Code")), Column("item_name", _lazy("Item")),
            Column("city_name", _lazy("City")), *REDEEMED]),
        Table("reversals", _lazy("Reversals per month"), [MONTH, *REDEEMED],
              note=_lazy("Redemptions reversed in the month; they are not in the figures above.")),
    ],
    charts=_cost_charts,
))
_add(Statistic(
    "cost_analysis", _lazy("Points cost analysis"),
    _lazy("Cost of redemptions per member by level, and against what the members paid per month."),
    COST_PERM, selectors.cost_analysis_statistics, icon="bi-graph-up",
    tables=[
        Table("by_level", _lazy("Cost per member by level"), [
            LEVEL, Column("members", _lazy("Active club members"), "int"), Column("redeemers", _lazy("Members who redeemed"), "int"),
            Column("points", _lazy("Points"), "int"), Column("cost", _lazy("Cost (yuan)"), "money"),
            Column("cost_per_member", _lazy("Cost per member (yuan)"), "money"),
            Column("cost_per_redeemer", _lazy("Cost per redeeming member (yuan)"), "money")]),
        Table("by_month", _lazy("Cost against paid bills per month"), [
            MONTH, Column("points", _lazy("Points redeemed"), "int"), Column("cost", _lazy("Cost (yuan)"), "money"),
            Column("billed", _lazy("Billed (yuan)"), "money"), Column("paid", _lazy("Paid (yuan)"), "money"),
            Column("cost_ratio", _lazy("Cost ÷ paid, per cent"), "percent")]),
    ],
    charts=_cost_analysis_charts,
))

STATISTIC_PAGES = ("points", "redemption", "consumption", "distribution", "cards", "members")
COST_PAGES = ("cost", "cost_analysis")


def statistic(name: str) -> Statistic:
    try:
        return STATISTICS[name]
    except KeyError:
        raise UnknownStatistic(name=name) from None
