"""Reads of member cards and the card stock, always inside the reader's scope."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import F, QuerySet, Sum

from kams.cards.enums import BlankState
from kams.cards.models import BlankMove, BlankRange, Stocktake
from kams.cards.services import STOCK_UNIT_KINDS, Serials
from kams.club.members import TRANSITIONS
from kams.club.models import Card, ClubLevel
from kams.org.enums import UnitKind
from kams.org.models import OrgUnit

COUNT = Sum(F("last") - F("first") + 1)


def cards_for(user: Any) -> QuerySet[Card]:
    return Card.objects.visible_to(user).select_related("member__customer__org_unit", "level", "replaces")


def card_actions(card: Card) -> list[str]:
    """The moves of the state graph open from the card's state, in graph order."""
    return [action for action, (sources, _target, _stamp) in TRANSITIONS.items() if card.state in sources]


def ranges_for(user: Any) -> QuerySet[BlankRange]:
    return BlankRange.objects.visible_to(user).select_related("level", "org_unit", "card")


def moves_for(user: Any) -> QuerySet[BlankMove]:
    return BlankMove.objects.visible_to(user).select_related("level", "org_unit", "counterpart", "card")


def stocktakes_for(user: Any) -> QuerySet[Stocktake]:
    return Stocktake.objects.visible_to(user).select_related("org_unit")


def stock_units(user: Any) -> QuerySet[OrgUnit]:
    """The units in scope that may hold card stock (province, cities, districts)."""
    return OrgUnit.objects.visible_to(user).filter(kind__in=STOCK_UNIT_KINDS).order_by("path")


def default_issue_unit(user: Any, card: Card) -> OrgUnit | None:
    """Where a card is issued from unless chosen: the issuer's city, else the member's city,
    else the province — the first of them in the issuer's scope."""
    candidates = []
    staff = getattr(user, "staff", None)
    if staff is not None:
        candidates.append(staff.org_unit.ancestor_of_kind(UnitKind.CITY))
    member_unit = card.member.customer.org_unit
    candidates += [member_unit.ancestor_of_kind(UnitKind.CITY), member_unit.ancestor_of_kind(UnitKind.PROVINCE)]
    visible = set(stock_units(user).filter(pk__in=[c.pk for c in candidates if c]).values_list("pk", flat=True))
    return next((c for c in candidates if c is not None and c.pk in visible), None)


def stock_counts(user: Any) -> list[dict]:
    """Blanks per holding unit, level and state in scope: one grouped query."""
    return list(
        BlankRange.objects.visible_to(user).values("org_unit", "level", "state").annotate(n=COUNT)
        .order_by("org_unit", "level", "state")
    )


def stock_by_unit(user: Any) -> dict:
    """The stock page: per holding unit a table levels × states, and the in-stock count per
    city (its districts included) and level for the chart."""
    levels = list(ClubLevel.objects.order_by("rank"))
    counts = stock_counts(user)
    unit_ids = {row["org_unit"] for row in counts}
    units = {u.pk: u for u in OrgUnit.objects.filter(pk__in=unit_ids)}
    states = [s for s, _label in BlankState.choices]
    grid: dict[int, dict[int, dict[str, int]]] = defaultdict(lambda: defaultdict(lambda: dict.fromkeys(states, 0)))
    for row in counts:
        grid[row["org_unit"]][row["level"]][row["state"]] = int(row["n"])
    tables = []
    for unit in sorted(units.values(), key=lambda u: u.path):
        rows = []
        for level in levels:
            cells = grid[unit.pk].get(level.pk)
            if cells is None:
                continue
            rows.append({"level": level, "counts": [cells[s] for s in states], "total": sum(cells.values())})
        totals = [sum(r["counts"][i] for r in rows) for i in range(len(states))]
        tables.append({"unit": unit, "rows": rows, "totals": totals, "total": sum(totals),
                       "in_stock": totals[states.index(BlankState.IN_STOCK)]})
    # The chart: in stock per city, the city's districts added in.
    cities = list(stock_units(user).filter(kind=UnitKind.CITY))
    chart_units = [u for u in stock_units(user).filter(kind=UnitKind.PROVINCE)] + cities
    series = {level.pk: [0] * len(chart_units) for level in levels}
    for row in counts:
        if row["state"] != BlankState.IN_STOCK:
            continue
        unit = units[row["org_unit"]]
        for index, target in enumerate(chart_units):
            exact = target.kind == UnitKind.PROVINCE
            if (unit.pk == target.pk) if exact else unit.path.startswith(target.path):
                series[row["level"]][index] += int(row["n"])
                break
    chart = {
        "units": [u.name for u in chart_units],
        "series": [{"name": level.name, "data": series[level.pk]} for level in levels],
    }
    return {"states": BlankState.choices, "tables": tables, "chart": chart, "levels": levels}


def blank_status(user: Any, serials: Serials) -> tuple[list[BlankRange], int]:
    """状态查询: the segments in scope that hold any of ``serials``, and how many of the
    serials the reader finds nowhere (not on record, or held outside their scope)."""
    segments = list(
        ranges_for(user).filter(prefix=serials.prefix, width=serials.width, first__lte=serials.last,
                                last__gte=serials.first).order_by("first")[:500]
    )
    found = sum(min(s.last, serials.last) - max(s.first, serials.first) + 1 for s in segments)
    return segments, serials.count - found
