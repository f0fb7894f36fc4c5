"""Writes of the card stock (会员卡资源管理, CLUB-08) and of member cards issued from it (CLUB-07).

Every function checks permission and scope, runs in one transaction, appends ledger lines
and writes the audit log. Stock is stored as serial ranges (see ``kams.cards.models``):

* an operation first locks the rows of the units whose stock it changes (source and target),
  so two operations on one unit's stock run one after the other;
* ``_take_range``/``_take_count`` find the segments that hold the asked serials, refuse
  unless every one is held by the source unit in the expected state, and split the segments
  at the two ends; the operation then moves the segments in between with one UPDATE;
* ``_coalesce`` merges the moved run with equal neighbours, so the table stays compact.

A move of blanks names either a range of serials (``first``/``last``) or a ``count`` of one
level, which takes the lowest serials in stock.
"""

from __future__ import annotations

import datetime
import re
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterable

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kams.audit.services import audit_record
from kams.cards.enums import CORRECTABLE_STATES, BlankMoveKind, BlankState
from kams.cards.errors import (
    BadRange,
    BadSerial,
    BlanksNotHeld,
    MixedLevels,
    NotAStockUnit,
    OutOfBlanks,
    RangeOverlaps,
    RangeTooLarge,
)
from kams.cards.models import BlankMove, BlankRange, Stocktake, StocktakeLine, format_serial
from kams.club.enums import CardState
from kams.club.members import TRANSITIONS, card_move
from kams.club.models import Card, ClubLevel
from kams.core.errors import Conflict, InvalidInput
from kams.org.enums import UnitKind
from kams.org.models import OrgUnit
from kams.org.scoping import require_in_scope, require_perm
from kams.system.parameters import param

SERIAL_RE = re.compile(r"^([A-Z]{0,12})(\d{1,18})$")
MAX_RANGE = 1_000_000
STOCK_UNIT_KINDS = (UnitKind.PROVINCE, UnitKind.CITY, UnitKind.DISTRICT)
ISSUE_ACTIONS = ("issue", "replace")


@dataclass(frozen=True)
class Serials:
    """A run of serials: ``prefix`` letters, then a ``width``-digit number from ``first`` to ``last``."""

    prefix: str
    width: int
    first: int
    last: int

    @property
    def count(self) -> int:
        return self.last - self.first + 1

    @property
    def first_serial(self) -> str:
        return format_serial(self.prefix, self.width, self.first)

    @property
    def last_serial(self) -> str:
        return format_serial(self.prefix, self.width, self.last)

    @property
    def text(self) -> str:
        return self.first_serial if self.first == self.last else f"{self.first_serial}–{self.last_serial}"


def parse_serial(text: str) -> tuple[str, int, int]:
    """``"JS2026000001"`` → ``("JS", 10, 2026000001)``."""
    cleaned = (text or "").strip().upper()
    match = SERIAL_RE.match(cleaned)
    if not match:
        raise BadSerial(serial=cleaned or "—")
    return match.group(1), len(match.group(2)), int(match.group(2))


def parse_range(first: str, last: str = "") -> Serials:
    """The serials from ``first`` to ``last`` (only ``first``: that one serial)."""
    prefix, width, start = parse_serial(first)
    if not (last or "").strip():
        return Serials(prefix, width, start, start)
    prefix2, width2, end = parse_serial(last)
    if (prefix2, width2) != (prefix, width) or end < start:
        raise BadRange(first=first.strip().upper(), last=last.strip().upper())
    serials = Serials(prefix, width, start, end)
    if serials.count > MAX_RANGE:
        raise RangeTooLarge(count=serials.count, limit=MAX_RANGE)
    return serials


def is_stock_unit(unit: OrgUnit) -> bool:
    return unit.kind in STOCK_UNIT_KINDS


def upper_stock_unit(unit: OrgUnit) -> OrgUnit | None:
    """Where a unit returns blanks to (退回): the nearest province, city or district above it."""
    return OrgUnit.objects.get_ancestors(unit).filter(kind__in=STOCK_UNIT_KINDS).order_by("-depth").first()


# --- The range machinery ------------------------------------------------------------------------------


def _check_holder(unit: OrgUnit) -> None:
    if not is_stock_unit(unit):
        raise NotAStockUnit(unit=unit.name)


def _lock_units(*units: OrgUnit) -> None:
    """Serialise the operations on these units' stock (rows locked in a fixed order: no deadlock)."""
    ids = sorted({u.pk for u in units})
    list(OrgUnit.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))


def _describe(counts: Counter) -> str:
    """``Counter({(unit_id, state): n, (None, None): n})`` → "120 in stock at 南京分公司, 3 not on record"."""
    names = dict(OrgUnit.objects.filter(pk__in=[k[0] for k in counts if k[0]]).values_list("pk", "name"))
    labels = dict(BlankState.choices)
    parts = []
    for (unit_id, state), n in sorted(counts.items(), key=lambda kv: -kv[1]):
        if unit_id is None:
            parts.append(_("%(n)s not on record") % {"n": n})
        elif isinstance(state, ClubLevel):
            parts.append(_("%(n)s are %(level)s blanks") % {"n": n, "level": state.name})
        else:
            parts.append(_("%(n)s %(state)s at %(unit)s") % {"n": n, "state": labels.get(state, state), "unit": names.get(unit_id, "?")})
    return _(", ").join(parts[:5])


def _clone(segment: BlankRange, first: int, last: int) -> BlankRange:
    return BlankRange(level_id=segment.level_id, prefix=segment.prefix, width=segment.width, first=first, last=last,
                      state=segment.state, org_unit_id=segment.org_unit_id)


def _split_ends(segments: list[BlankRange], first: int, last: int) -> None:
    """Cut the first and last segment so that ``segments`` hold exactly ``first``…``last``."""
    head, tail = segments[0], segments[-1]
    rest: list[BlankRange] = []
    if head.first < first:
        rest.append(_clone(head, head.first, first - 1))
        head.first = first
    if tail.last > last:
        rest.append(_clone(tail, last + 1, tail.last))
        tail.last = last
    if rest:
        BlankRange.objects.bulk_create(rest)
        for segment in {head.pk: head, tail.pk: tail}.values():
            BlankRange.objects.filter(pk=segment.pk).update(first=segment.first, last=segment.last)


def _take_range(unit: OrgUnit, serials: Serials, *, states: Iterable[str], level: ClubLevel | None = None,
                state_label: str = "") -> list[BlankRange]:
    """The segments holding exactly ``serials``, split at the ends. Refuses (nothing changed)
    unless every serial is held by ``unit`` in one of ``states`` (and of ``level``, if given).
    Caller holds the unit lock."""
    states = set(states)
    segments = list(BlankRange.objects.filter(prefix=serials.prefix, width=serials.width, first__lte=serials.last,
                                              last__gte=serials.first).order_by("first"))
    problems: Counter = Counter()
    held = 0
    for s in segments:
        overlap = min(s.last, serials.last) - max(s.first, serials.first) + 1
        held += overlap
        if s.org_unit_id != unit.pk or s.state not in states:
            problems[(s.org_unit_id, s.state)] += overlap
        elif level is not None and s.level_id != level.pk:
            problems[(s.org_unit_id, s.level)] += overlap
    if held < serials.count:
        problems[(None, None)] += serials.count - held
    if problems:
        raise BlanksNotHeld(first=serials.first_serial, last=serials.last_serial, unit=unit.name,
                            state=state_label or BlankState(next(iter(states))).label, detail=_describe(problems))
    if level is None and len({s.level_id for s in segments}) > 1:
        raise MixedLevels(first=serials.first_serial, last=serials.last_serial)
    _split_ends(segments, serials.first, serials.last)
    return segments


def _take_count(unit: OrgUnit, level: ClubLevel, count: int) -> list[BlankRange]:
    """The lowest ``count`` serials of ``level`` in stock at ``unit``, the last segment split.
    Caller holds the unit lock."""
    segments: list[BlankRange] = []
    total = 0
    for s in (BlankRange.objects.filter(org_unit=unit, level=level, state=BlankState.IN_STOCK)
              .order_by("prefix", "width", "first").iterator(chunk_size=200)):
        segments.append(s)
        total += s.count
        if total >= count:
            break
    if total < count:
        raise OutOfBlanks(unit=unit.name, available=total, level=level.name, asked=count)
    tail = segments[-1]
    if total > count:
        _split_ends([tail], tail.first, tail.last - (total - count))
    return segments


def _runs(segments: list[BlankRange], *, by_state: bool = False) -> list[dict]:
    """Consecutive segments (same prefix, width, level, and state if asked) joined into runs."""
    runs: list[dict] = []
    for s in sorted(segments, key=lambda x: (x.prefix, x.width, x.first)):
        key = (s.prefix, s.width, s.level_id, s.state if by_state else "")
        if runs and runs[-1]["key"] == key and runs[-1]["last"] + 1 == s.first:
            runs[-1]["last"] = s.last
        else:
            runs.append({"key": key, "prefix": s.prefix, "width": s.width, "first": s.first, "last": s.last,
                         "level_id": s.level_id, "state": s.state})
    return runs


def _coalesce(runs: list[dict]) -> None:
    """Merge each run's segments with equal neighbours (same unit, level and state, no card)."""
    for run in runs:
        segments = list(BlankRange.objects.filter(prefix=run["prefix"], width=run["width"], first__lte=run["last"] + 1,
                                                  last__gte=run["first"] - 1).order_by("first"))
        kept: list[BlankRange] = []
        dropped: list[int] = []
        changed: dict[int, BlankRange] = {}
        for s in segments:
            prev = kept[-1] if kept else None
            if (prev is not None and prev.last + 1 == s.first and prev.card_id is None and s.card_id is None
                    and (prev.org_unit_id, prev.level_id, prev.state) == (s.org_unit_id, s.level_id, s.state)):
                prev.last = s.last
                changed[prev.pk] = prev
                dropped.append(s.pk)
            else:
                kept.append(s)
        if dropped:
            BlankRange.objects.filter(pk__in=dropped).delete()
            for s in changed.values():
                BlankRange.objects.filter(pk=s.pk).update(last=s.last)


def _actor_name(actor: Any) -> str:
    staff = getattr(actor, "staff", None) if actor is not None and getattr(actor, "is_authenticated", False) else None
    if staff is not None:
        return staff.name
    return actor.get_username() if getattr(actor, "pk", None) else "system"


def _ledger(lines: list[dict], *, kind: str, actor: Any, reason: str = "") -> list[BlankMove]:
    operation, at, name = uuid.uuid4().hex, timezone.now(), _actor_name(actor)
    return BlankMove.objects.bulk_create([
        BlankMove(operation=operation, kind=kind, actor=actor if getattr(actor, "pk", None) else None, actor_name=name,
                  reason=(reason or "")[:300], at=at, **line)
        for line in lines
    ])


def _line(run: dict, *, unit: OrgUnit, quantity: int, state_to: str, state_from: str = "",
          counterpart: OrgUnit | None = None, card: Card | None = None) -> dict:
    return {"level_id": run["level_id"], "prefix": run["prefix"], "width": run["width"], "first": run["first"],
            "last": run["last"], "org_unit": unit, "counterpart": counterpart, "quantity": quantity,
            "state_from": state_from, "state_to": state_to, "card": card}


def _run_text(runs: list[dict]) -> str:
    return ", ".join(
        Serials(r["prefix"], r["width"], r["first"], r["last"]).text for r in runs[:10]
    ) + (" …" if len(runs) > 10 else "")


def _count(value: Any) -> int:
    try:
        count = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(_("count: enter a whole number.")) from None
    if count <= 0:
        raise InvalidInput(_("count: must be at least 1."))
    return count


def _selection(level: ClubLevel | None, first: str, last: str, count: Any) -> tuple[Serials | None, int | None]:
    """A move names a range of serials or a count of one level, not both."""
    has_range = bool((first or "").strip() or (last or "").strip())
    if count not in (None, "") and has_range:
        raise InvalidInput(_("Give either a range of serials or a count, not both."))
    if count not in (None, ""):
        number = _count(count)
        if level is None:
            raise InvalidInput(_("level: choose the card level of the blanks to move."))
        return None, number
    if not (first or "").strip():
        raise InvalidInput(_("first: give the first serial of the range, or a count."))
    return parse_range(first, last), None


# --- Stock operations -----------------------------------------------------------------------------------


@transaction.atomic
def blanks_stock_in(*, actor: Any, level: ClubLevel, first: str, last: str, unit: OrgUnit | None = None,
                    note: str = "") -> list[BlankMove]:
    """会员卡入库: blanks of one level received at the province, a range of new serials."""
    require_perm(actor, "cards.stock_in_blankrange")
    if unit is None:
        staff = getattr(actor, "staff", None)
        unit = staff.org_unit.ancestor_of_kind(UnitKind.PROVINCE) if staff is not None else None
        if unit is None:
            raise InvalidInput(_("unit: choose the province that receives the blanks."))
    require_in_scope(actor, unit)
    if unit.kind != UnitKind.PROVINCE:
        raise InvalidInput(_("unit: blanks are taken into stock at the province; %(unit)s is not one.") % {"unit": unit.name})
    if level is None:
        raise InvalidInput(_("level: choose the card level of the blanks."))
    serials = parse_range(first, last)
    _lock_units(unit)
    existing = list(BlankRange.objects.filter(prefix=serials.prefix, width=serials.width, first__lte=serials.last,
                                              last__gte=serials.first).order_by("first")[:3])
    if existing:
        raise RangeOverlaps(first=serials.first_serial, last=serials.last_serial,
                            existing=", ".join(s.serials for s in existing))
    segment = BlankRange(level=level, prefix=serials.prefix, width=serials.width, first=serials.first,
                         last=serials.last, state=BlankState.IN_STOCK, org_unit=unit)
    segment.save()
    runs = _runs([segment])
    _coalesce(runs)
    lines = _ledger([_line(runs[0], unit=unit, quantity=serials.count, state_to=BlankState.IN_STOCK)],
                    kind=BlankMoveKind.STOCK_IN, actor=actor, reason=note)
    audit_record(actor=actor, action="cards.blanks_stock_in", target=None, target_repr=serials.text, org_unit=unit,
                 after={"level": level.code, "serials": serials.text, "count": serials.count}, reason=note)
    return lines


def _move_blanks(*, actor: Any, kind: str, from_unit: OrgUnit, to_unit: OrgUnit, level: ClubLevel | None,
                 first: str, last: str, count: Any, note: str) -> list[BlankMove]:
    """Blanks in stock at ``from_unit`` go to ``to_unit`` (still in stock). Caller checked scope."""
    _check_holder(from_unit)
    _check_holder(to_unit)
    if from_unit.pk == to_unit.pk:
        raise InvalidInput(_("to_unit: choose another unit."))
    serials, number = _selection(level, first, last, count)
    _lock_units(from_unit, to_unit)
    if serials is not None:
        segments = _take_range(from_unit, serials, states=[BlankState.IN_STOCK], level=level)
    else:
        segments = _take_count(from_unit, level, number)
    BlankRange.objects.filter(pk__in=[s.pk for s in segments]).update(org_unit=to_unit, updated_at=timezone.now())
    runs = _runs(segments)
    _coalesce(runs)
    lines = []
    for run in runs:
        n = run["last"] - run["first"] + 1
        lines.append(_line(run, unit=from_unit, quantity=-n, state_from=BlankState.IN_STOCK, state_to=BlankState.IN_STOCK,
                           counterpart=to_unit))
        lines.append(_line(run, unit=to_unit, quantity=n, state_from=BlankState.IN_STOCK, state_to=BlankState.IN_STOCK,
                           counterpart=from_unit))
    moved = sum(s.count for s in segments)
    written = _ledger(lines, kind=kind, actor=actor, reason=note)
    audit_record(actor=actor, action=f"cards.blanks_{kind}", target=None, target_repr=_run_text(runs), org_unit=from_unit,
                 after={"to": to_unit.name, "count": moved, "serials": _run_text(runs),
                        "level": ClubLevel.objects.get(pk=runs[0]["level_id"]).code}, reason=note)
    return written


@transaction.atomic
def blanks_distribute(*, actor: Any, from_unit: OrgUnit, to_unit: OrgUnit, level: ClubLevel | None = None,
                      first: str = "", last: str = "", count: Any = None, note: str = "") -> list[BlankMove]:
    """会员卡发放: blanks handed down from a unit's stock to a unit below it (province → city)."""
    require_perm(actor, "cards.distribute_blankrange")
    require_in_scope(actor, from_unit)
    if not to_unit.path.startswith(from_unit.path) or to_unit.pk == from_unit.pk:
        raise InvalidInput(_("to_unit: blanks are distributed to a unit below %(unit)s; use a transfer otherwise.")
                           % {"unit": from_unit.name})
    return _move_blanks(actor=actor, kind=BlankMoveKind.DISTRIBUTE, from_unit=from_unit, to_unit=to_unit, level=level,
                        first=first, last=last, count=count, note=note)


@transaction.atomic
def blanks_transfer(*, actor: Any, from_unit: OrgUnit, to_unit: OrgUnit, level: ClubLevel | None = None,
                    first: str = "", last: str = "", count: Any = None, note: str = "") -> list[BlankMove]:
    """会员卡调节: blanks moved between two units, both in the actor's scope."""
    require_perm(actor, "cards.distribute_blankrange")
    require_in_scope(actor, from_unit)
    require_in_scope(actor, to_unit)
    return _move_blanks(actor=actor, kind=BlankMoveKind.TRANSFER, from_unit=from_unit, to_unit=to_unit, level=level,
                        first=first, last=last, count=count, note=note)


@transaction.atomic
def blanks_return(*, actor: Any, from_unit: OrgUnit, level: ClubLevel | None = None, first: str = "", last: str = "",
                  count: Any = None, note: str = "") -> list[BlankMove]:
    """会员卡退回: blanks given back to the unit above (city → province); only the giving unit
    needs to be in the actor's scope."""
    require_perm(actor, "cards.distribute_blankrange")
    require_in_scope(actor, from_unit)
    to_unit = upper_stock_unit(from_unit)
    if to_unit is None:
        raise InvalidInput(_("from_unit: %(unit)s has no unit above it to return blanks to.") % {"unit": from_unit.name})
    return _move_blanks(actor=actor, kind=BlankMoveKind.RETURN, from_unit=from_unit, to_unit=to_unit, level=level,
                        first=first, last=last, count=count, note=note)


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("reason: say why."))
    return reason


@transaction.atomic
def blanks_void(*, actor: Any, unit: OrgUnit, first: str, last: str = "", reason: str) -> list[BlankMove]:
    """会员卡作废: damaged blanks in a unit's stock taken out of use, with the reason."""
    require_perm(actor, "cards.void_blankrange")
    require_in_scope(actor, unit)
    _check_holder(unit)
    reason = _reason(reason)
    serials = parse_range(first, last)
    _lock_units(unit)
    segments = _take_range(unit, serials, states=[BlankState.IN_STOCK])
    BlankRange.objects.filter(pk__in=[s.pk for s in segments]).update(state=BlankState.VOID, updated_at=timezone.now())
    for s in segments:
        s.state = BlankState.VOID
    runs = _runs(segments)
    _coalesce(runs)
    written = _ledger([_line(r, unit=unit, quantity=-(r["last"] - r["first"] + 1), state_from=BlankState.IN_STOCK,
                             state_to=BlankState.VOID) for r in runs], kind=BlankMoveKind.VOID, actor=actor, reason=reason)
    audit_record(actor=actor, action="cards.blanks_void", target=None, target_repr=serials.text, org_unit=unit,
                 after={"serials": serials.text, "count": serials.count}, reason=reason)
    return written


@transaction.atomic
def blanks_correct(*, actor: Any, first: str, last: str = "", state: str, reason: str,
                   unit: OrgUnit | None = None) -> list[BlankMove]:
    """会员卡状态修改: set the state of blanks (in stock, voided, missing) at the unit that holds
    them, with the reason — e.g. serials found missing at a stocktake. Used blanks belong to a
    card and are not corrected here."""
    require_perm(actor, "cards.correct_blankrange")
    if state not in CORRECTABLE_STATES:
        raise InvalidInput(_("state: choose in stock, voided or missing."))
    reason = _reason(reason)
    serials = parse_range(first, last)
    if unit is None:
        holder = (BlankRange.objects.filter(prefix=serials.prefix, width=serials.width, first__lte=serials.last,
                                            last__gte=serials.first).order_by("first").values_list("org_unit", flat=True).first())
        if holder is None:
            raise BlanksNotHeld(first=serials.first_serial, last=serials.last_serial, unit="—", state=_("on record"),
                                detail=_describe(Counter({(None, None): serials.count})))
        unit = OrgUnit.objects.get(pk=holder)
    require_in_scope(actor, unit)
    _lock_units(unit)
    segments = _take_range(unit, serials, states=CORRECTABLE_STATES, state_label=_("held (not used for a card)"))
    changing = [s for s in segments if s.state != state]
    if not changing:
        raise Conflict(_("The blanks %(serials)s are already %(state)s.") % {"serials": serials.text,
                                                                           "state": BlankState(state).label})
    runs = _runs(changing, by_state=True)
    BlankRange.objects.filter(pk__in=[s.pk for s in changing]).update(state=state, updated_at=timezone.now())
    lines = []
    for run in runs:
        n = run["last"] - run["first"] + 1
        delta = n if state == BlankState.IN_STOCK else (-n if run["state"] == BlankState.IN_STOCK else 0)
        lines.append(_line(run, unit=unit, quantity=delta, state_from=run["state"], state_to=state))
    for s in changing:
        s.state = state
    _coalesce(_runs(segments))
    written = _ledger(lines, kind=BlankMoveKind.CORRECT, actor=actor, reason=reason)
    audit_record(actor=actor, action="cards.blanks_correct", target=None, target_repr=serials.text, org_unit=unit,
                 before={"states": sorted({r["state"] for r in runs})}, after={"state": state, "serials": serials.text,
                                                                            "count": sum(s.count for s in changing)},
                 reason=reason)
    return written


def in_stock_by_level(unit: OrgUnit) -> dict[int, int]:
    """Blanks in stock held by ``unit`` itself, per level id (the book of a stocktake)."""
    rows = (BlankRange.objects.filter(org_unit=unit, state=BlankState.IN_STOCK).values("level")
            .annotate(n=Sum(F("last") - F("first") + 1)).values_list("level", "n"))
    return {level: int(n) for level, n in rows}


@transaction.atomic
def stocktake_record(*, actor: Any, unit: OrgUnit, counts: dict[Any, Any], note: str = "",
                     counted_on: Any = None) -> Stocktake:
    """会员卡盘存: the blanks counted at ``unit`` per level (``{level or level code: count}``)
    against the book; the differences are kept with the stocktake. Nothing in stock changes."""
    require_perm(actor, "cards.add_stocktake")
    require_in_scope(actor, unit)
    _check_holder(unit)
    levels = {lv.code: lv for lv in ClubLevel.objects.all()}
    counted: dict[ClubLevel, int] = {}
    for key, value in (counts or {}).items():
        level = key if isinstance(key, ClubLevel) else levels.get(str(key))
        if level is None:
            raise InvalidInput(_("level: there is no card level %(level)s.") % {"level": key})
        if value in (None, ""):
            continue
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise InvalidInput(_("counted: enter a whole number for %(level)s.") % {"level": level.name}) from None
        if number < 0:
            raise InvalidInput(_("counted: a count cannot be negative (%(level)s).") % {"level": level.name})
        counted[level] = number
    if not counted:
        raise InvalidInput(_("counted: enter the count of at least one card level."))
    _lock_units(unit)
    book = in_stock_by_level(unit)
    stocktake = Stocktake.objects.create(
        org_unit=unit, counted_on=counted_on or timezone.localdate(), note=(note or "")[:300],
        actor=actor if getattr(actor, "pk", None) else None, actor_name=_actor_name(actor),
    )
    lines = [StocktakeLine(stocktake=stocktake, level=level, counted=n, book=book.get(level.pk, 0),
                           difference=n - book.get(level.pk, 0)) for level, n in sorted(counted.items(), key=lambda kv: kv[0].rank)]
    StocktakeLine.objects.bulk_create(lines)
    stocktake.difference = sum(line.difference for line in lines)
    stocktake.lines_off = sum(1 for line in lines if line.difference)
    stocktake.save(update_fields=["difference", "lines_off"])
    audit_record(actor=actor, action="cards.stocktake", target=stocktake, org_unit=unit, reason=note,
                 after={line.level.code: {"counted": line.counted, "book": line.book, "difference": line.difference}
                        for line in lines})
    return stocktake


# --- Member cards issued from stock ---------------------------------------------------------------------


@transaction.atomic
def card_issue_from_stock(*, actor: Any, card: Card, unit: OrgUnit, serial: str = "", action: str = "issue",
                          reason: str = "") -> Card:
    """会员卡发卡/补发: take one blank of the card's level (for a replacement: the member's
    level) from the stock of ``unit`` — ``serial``, or the lowest in stock — mark it used for
    the card and move the card (``issue``, or ``replace``, which returns the new card).
    No blank in stock: ``OutOfBlanks``, nothing changed."""
    if action not in ISSUE_ACTIONS:
        raise InvalidInput(_("action: a blank is taken from stock to issue or to replace a card."))
    require_perm(actor, "club.change_card")
    card = Card.objects.select_related("member__level", "level", "member__customer").get(pk=card.pk)
    require_in_scope(actor, card.member)
    require_in_scope(actor, unit)
    _check_holder(unit)
    level = card.level if action == "issue" else card.member.level
    _lock_units(unit)
    if (serial or "").strip():
        serials = parse_range(serial)
    else:
        lowest = (BlankRange.objects.filter(org_unit=unit, level=level, state=BlankState.IN_STOCK)
                  .order_by("prefix", "width", "first").first())
        if lowest is None:
            raise OutOfBlanks(unit=unit.name, available=0, level=level.name, asked=1)
        serials = Serials(lowest.prefix, lowest.width, lowest.first, lowest.first)
    segments = _take_range(unit, serials, states=[BlankState.IN_STOCK], level=level)
    result = card_move(actor=actor, card=card, action=action, reason=reason, blank_serial=serials.first_serial)
    blank = segments[0]
    BlankRange.objects.filter(pk=blank.pk).update(state=BlankState.USED, card=result, updated_at=timezone.now())
    run = _runs([blank])[0]
    _ledger([_line(run, unit=unit, quantity=-1, state_from=BlankState.IN_STOCK, state_to=BlankState.USED, card=result)],
            kind=BlankMoveKind.ISSUE, actor=actor, reason=result.card_no)
    audit_record(actor=actor, action="cards.blank_use", target=result, org_unit=card.member.customer.org_unit,
                 after={"blank": serials.first_serial, "from": unit.name})
    return result


@transaction.atomic
def cards_issue_batch(*, actor: Any, unit: OrgUnit, cards: Iterable[Card]) -> int:
    """批量发卡: the applied ``cards`` issued together from ``unit``'s stock, each on the
    lowest blank of its level, set-based (a few statements per level, whatever the number of
    cards). Refuses, nothing changed, when a card is not applied or not in the actor's scope,
    or when a level runs short. Returns the number of cards issued."""
    require_perm(actor, "club.change_card")
    require_in_scope(actor, unit)
    _check_holder(unit)
    wanted = {c.pk for c in cards}
    if not wanted:
        return 0
    batch = list(Card.objects.visible_to(actor).select_for_update().filter(pk__in=wanted, state=CardState.APPLIED)
                 .order_by("pk"))
    if len(batch) != len(wanted):
        raise Conflict(_("%(n)s of the cards are not awaiting issue in your scope; none was issued.")
                       % {"n": len(wanted) - len(batch)})
    _lock_units(unit)
    _sources, target, stamp = TRANSITIONS["issue"]
    now = timezone.now()
    valid_until = (now + datetime.timedelta(days=365 * param("club.card_valid_years"))).date()
    levels = {lv.pk: lv for lv in ClubLevel.objects.filter(pk__in={c.level_id for c in batch})}
    used: list[BlankRange] = []
    lines: list[dict] = []
    for level_id in sorted(levels):
        group = [c for c in batch if c.level_id == level_id]
        segments = _take_count(unit, levels[level_id], len(group))
        numbers = ((s.prefix, s.width, n) for s in segments for n in range(s.first, s.last + 1))
        BlankRange.objects.filter(pk__in=[s.pk for s in segments]).delete()
        for card, (prefix, width, number) in zip(group, numbers):
            card.state, card.blank_serial, card.valid_until = target, format_serial(prefix, width, number), valid_until
            setattr(card, stamp, now)
            used.append(BlankRange(level_id=level_id, prefix=prefix, width=width, first=number, last=number,
                                   state=BlankState.USED, org_unit=unit, card=card))
            lines.append(_line({"level_id": level_id, "prefix": prefix, "width": width, "first": number, "last": number},
                               unit=unit, quantity=-1, state_from=BlankState.IN_STOCK, state_to=BlankState.USED, card=card))
    Card.objects.bulk_update(batch, ["state", stamp, "blank_serial", "valid_until"], batch_size=1000)
    BlankRange.objects.bulk_create(used, batch_size=1000)
    operation, name = uuid.uuid4().hex, _actor_name(actor)
    BlankMove.objects.bulk_create([
        BlankMove(operation=operation, kind=BlankMoveKind.ISSUE, actor=actor if getattr(actor, "pk", None) else None,
                  actor_name=name, reason=line["card"].card_no, at=now, **line)
        for line in lines
    ], batch_size=1000)
    audit_record(actor=actor, action="cards.card_issue_batch", target=None, org_unit=unit,
                 target_repr=_("%(n)s member cards") % {"n": len(batch)},
                 after={"count": len(batch), "cards": [c.card_no for c in batch[:50]]})
    return len(batch)
