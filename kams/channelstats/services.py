"""Writes of channel evaluation (CH-10): evaluation models (versioned), manual indicator
values, evaluation runs and exports for headquarters. Each checks permission and scope, runs
in one transaction and writes the audit log; bad input raises a domain error and changes nothing.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Iterable

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from kams.audit.services import audit_record
from kams.channels.enums import AgentStatus
from kams.channels.models import Agent
from kams.channelstats.enums import ExportFormat, ManualKind, ScoringMethod
from kams.channelstats.errors import BadPeriod, ModelInvalid, ModelNotFound, UnknownIndicator, WeightsNot100
from kams.channelstats.indicators import INDICATORS, insert_values
from kams.channelstats.models import (
    EvaluationExport,
    EvaluationModel,
    EvaluationResult,
    EvaluationRun,
    IndicatorValue,
    ManualScore,
    ModelIndicator,
)
from kams.core.errors import InvalidInput
from kams.org.enums import UnitKind
from kams.org.models import OrgUnit
from kams.org.scoping import require_in_scope, require_perm

CENT = Decimal("0.01")
HUNDRED = Decimal("100")
EXPORT_COLUMNS = ("province_code", "period", "agent_code", "agent_name", "level")
"""The fixed leading columns of a headquarters export; the model's indicator codes follow in
the model's order, then ``score`` and ``rank``."""


def parse_period(value: Any) -> datetime.date:
    """``"2026-03"``, ``"2026-03-01"`` or a date → the first day of that month."""
    if isinstance(value, datetime.date):
        return value.replace(day=1)
    text = str(value or "").strip()
    try:
        return datetime.date.fromisoformat(text + "-01" if len(text) == 7 else text).replace(day=1)
    except ValueError:
        raise BadPeriod() from None


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _check(actor: Any, perm: str) -> None:
    """``actor=None`` is the system (a scheduled job or the management command)."""
    if actor is not None:
        require_perm(actor, perm)


def _decimal(value: Any, field: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise InvalidInput(_("%(field)s: give a number.") % {"field": field}) from None
    if not number.is_finite():
        raise InvalidInput(_("%(field)s: give a number.") % {"field": field})
    return number


# --- Models -------------------------------------------------------------------------------------------


def validate_items(items: Iterable[dict]) -> list[dict]:
    """Check a model's indicators: known, once each, weights > 0 adding up to 100, a linear
    indicator's floor and target different. Returns them cleaned."""
    cleaned: list[dict] = []
    seen: set[str] = set()
    for item in items:
        code = str(item.get("indicator", "")).strip()
        if code not in INDICATORS:
            raise UnknownIndicator(indicator=code or "—")
        if code in seen:
            raise ModelInvalid(_("The indicator %(indicator)s is listed twice.") % {"indicator": INDICATORS[code].label})
        seen.add(code)
        weight = _decimal(item.get("weight", ""), _("weight"))
        if weight <= 0 or weight != weight.quantize(CENT):
            raise ModelInvalid(_("The weight of %(indicator)s must be a positive number with at most two decimals.")
                               % {"indicator": INDICATORS[code].label})
        method = item.get("method") or ScoringMethod.LINEAR
        if method not in ScoringMethod.values:
            raise ModelInvalid(_("Unknown scoring method: %(method)s.") % {"method": method})
        floor = _decimal(item.get("floor", 0) or 0, _("floor"))
        target = _decimal(item.get("target", 0) or 0, _("target"))
        if method == ScoringMethod.LINEAR and floor == target:
            raise ModelInvalid(_("The floor and the target of %(indicator)s must differ.")
                               % {"indicator": INDICATORS[code].label})
        cleaned.append({"indicator": code, "weight": weight, "method": method, "floor": floor, "target": target})
    if not cleaned:
        raise ModelInvalid(_("An evaluation model needs at least one indicator."))
    total = sum(i["weight"] for i in cleaned)
    if total != HUNDRED:
        raise WeightsNot100(total=total)
    return cleaned


def model_save(*, actor: Any, code: str, name: str, items: Iterable[dict], description: str = "") -> EvaluationModel:
    """Save a model: a new code starts at version 1, an existing code gets the next version
    (earlier versions and their runs stay as they were)."""
    _check(actor, "channelstats.add_evaluationmodel")
    code = (code or "").strip()
    name = (name or "").strip()
    if not code or not code.replace("-", "").replace("_", "").isalnum() or len(code) > 30:
        raise ModelInvalid(_("code: letters, digits, '-' and '_' only, at most 30."))
    if not name:
        raise ModelInvalid(_("name: required."))
    cleaned = validate_items(items)
    with transaction.atomic():
        latest = (EvaluationModel.objects.select_for_update().filter(code=code)
                  .aggregate(v=Max("version"))["v"]) or 0
        EvaluationModel.objects.filter(code=code, is_active=True).update(is_active=False)
        model = EvaluationModel.objects.create(code=code, version=latest + 1, name=name[:80], description=description,
                                               created_by=_user(actor))
        ModelIndicator.objects.bulk_create([ModelIndicator(model=model, position=n, **item)
                                            for n, item in enumerate(cleaned)])
        audit_record(actor=_user(actor), action="channelstats.model_save", target=model,
                     after={"code": code, "version": model.version, "items": [
                         {**i, "weight": str(i["weight"]), "floor": str(i["floor"]), "target": str(i["target"])}
                         for i in cleaned]})
    return model


def model_current(code: str, version: int | None = None) -> EvaluationModel:
    """The active version of a model code (or the given version)."""
    models = EvaluationModel.objects.filter(code=code)
    model = models.filter(version=version).first() if version else models.filter(is_active=True).first()
    if model is None:
        raise ModelNotFound(code=code)
    return model


# --- Manual values ---------------------------------------------------------------------------------------


def manual_score_save(*, actor: Any, agent: Agent, period: Any, kind: str, value: Any, note: str = "") -> ManualScore:
    """Enter (or correct) an agent's satisfaction or other indicator value for a month."""
    _check(actor, "channelstats.add_manualscore")
    if actor is not None:
        require_in_scope(actor, agent)
    if kind not in ManualKind.values:
        raise InvalidInput(_("kind: unknown kind %(kind)s.") % {"kind": kind})
    month = parse_period(period)
    number = _decimal(value, _("value"))
    if abs(number) >= Decimal("1e13"):
        raise InvalidInput(_("%(field)s: the number is too large.") % {"field": _("value")})
    with transaction.atomic():
        before = ManualScore.objects.filter(agent=agent, period=month, kind=kind).values("value", "note").first()
        score, _created = ManualScore.objects.update_or_create(
            agent=agent, period=month, kind=kind,
            defaults={"value": number.quantize(Decimal("0.0001")), "note": (note or "")[:200], "entered_by": _user(actor)},
        )
        audit_record(actor=_user(actor), action="channelstats.manual_score", target=score,
                     before={k: str(v) for k, v in before.items()} if before else None,
                     after={"value": str(score.value), "note": score.note, "period": f"{month:%Y-%m}", "kind": kind})
    return score


# --- Runs ------------------------------------------------------------------------------------------------


def _quantize(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def linear_score(value: Decimal, floor: Decimal, target: Decimal) -> Decimal:
    """0 points at the floor, 100 at the target, straight in between, clamped to 0–100 (a
    target below the floor scores lower values higher)."""
    ratio = (value - floor) / (target - floor)
    return _quantize(max(Decimal(0), min(Decimal(1), ratio)) * HUNDRED)


def competition_ranks(values: dict[int, Decimal], *, descending: bool = True) -> dict[int, int]:
    """Rank 1 for the best; ties share a rank and the next rank skips (1, 2, 2, 4)."""
    ordered = sorted(values.items(), key=lambda kv: (-kv[1] if descending else kv[1], kv[0]))
    ranks: dict[int, int] = {}
    previous = None
    for position, (key, value) in enumerate(ordered, start=1):
        if previous is None or value != previous[1]:
            previous = (position, value)
        ranks[key] = previous[0]
    return ranks


def rank_score(rank: int, count: int) -> Decimal:
    """100 points for the first, 0 for the last, evenly in between."""
    if count <= 1:
        return HUNDRED
    return _quantize(HUNDRED * (count - rank) / (count - 1))


def _city_of(path: str, cities: list[OrgUnit]) -> OrgUnit | None:
    return next((c for c in cities if path.startswith(c.path)), None)


def _agents_of(unit: OrgUnit, period: datetime.date):
    """The agents evaluated: registered ones of the subtree, and those deregistered during or
    after the month."""
    return Agent.objects.filter(org_unit__path__startswith=unit.path).filter(
        Q(status=AgentStatus.REGISTERED)
        | Q(status=AgentStatus.DEREGISTERED, deregistered_on__gte=period)
    )


def default_unit() -> OrgUnit:
    unit = OrgUnit.objects.filter(kind=UnitKind.PROVINCE).order_by("path").first()
    if unit is None:
        raise InvalidInput(_("There is no province unit."))
    return unit


def evaluation_run(*, actor: Any, model: EvaluationModel, period: Any, org_unit: OrgUnit | None = None) -> EvaluationRun:
    """Evaluate every agent of ``org_unit``'s subtree for a month with ``model``: one
    ``INSERT … SELECT`` per indicator, then the points, weighted scores and ranks. Running the
    same model version, month and unit again replaces that run's rows in one transaction,
    so the results are the same for the same data."""
    _check(actor, "channelstats.run_evaluation")
    month = parse_period(period)
    if month > timezone.localdate().replace(day=1):
        raise BadPeriod(_("The month %(month)s has not begun yet.") % {"month": f"{month:%Y-%m}"})
    unit = org_unit or default_unit()
    if actor is not None:
        require_in_scope(actor, unit)
    items = list(model.items.all())
    if not items:
        raise ModelInvalid(_("An evaluation model needs at least one indicator."))
    with transaction.atomic():
        run, created = EvaluationRun.objects.select_for_update().get_or_create(
            model=model, period=month, org_unit=unit,
            defaults={"computed_at": timezone.now(), "computed_by": _user(actor)},
        )
        if not created:
            EvaluationResult.objects.filter(run=run).delete()
            IndicatorValue.objects.filter(run=run).delete()
        agents = _agents_of(unit, month)
        for item in items:
            insert_values(run_id=run.pk, agents=agents, indicator=INDICATORS[item.indicator], start=month)
        count = _score(run, items, month)
        run.agent_count = count
        run.computed_at = timezone.now()
        run.computed_by = _user(actor)
        run.times_run = 1 if created else run.times_run + 1
        run.save(update_fields=["agent_count", "computed_at", "computed_by", "times_run"])
        audit_record(actor=_user(actor), action="channelstats.run", target=run, org_unit=unit,
                     after={"model": model.code, "version": model.version, "period": f"{month:%Y-%m}",
                            "agents": count, "rerun": not created})
    return run


def _score(run: EvaluationRun, items: list[ModelIndicator], month: datetime.date) -> int:
    """Points per indicator value, the weighted score per agent and the three rankings."""
    values = list(IndicatorValue.objects.filter(run=run).select_related("agent__org_unit"))
    by_indicator: dict[str, dict[int, IndicatorValue]] = defaultdict(dict)
    agents: dict[int, Agent] = {}
    for v in values:
        by_indicator[v.indicator][v.agent_id] = v
        agents[v.agent_id] = v.agent
    totals: dict[int, Decimal] = {a: Decimal(0) for a in agents}
    for item in items:
        rows = by_indicator.get(item.indicator, {})
        if item.method == ScoringMethod.RANK:
            ranks = competition_ranks({a: v.value for a, v in rows.items()},
                                      descending=INDICATORS[item.indicator].higher_is_better)
            for agent_id, v in rows.items():
                v.score = rank_score(ranks[agent_id], len(rows))
        else:
            for v in rows.values():
                v.score = linear_score(v.value, item.floor, item.target)
        for agent_id, v in rows.items():
            totals[agent_id] += item.weight * v.score / HUNDRED
    IndicatorValue.objects.bulk_update(values, ["score"], batch_size=500)
    totals = {a: _quantize(t) for a, t in totals.items()}
    overall = competition_ranks(totals)
    cities = list(OrgUnit.objects.filter(kind=UnitKind.CITY))
    city_of = {a: _city_of(agent.org_unit.path, cities) for a, agent in agents.items()}
    in_level: dict[int, int] = {}
    in_city: dict[int, int] = {}
    for key_of, target in ((lambda a: agents[a].level, in_level), (lambda a: city_of[a] and city_of[a].pk, in_city)):
        groups: dict[Any, dict[int, Decimal]] = defaultdict(dict)
        for a, total in totals.items():
            groups[key_of(a)][a] = total
        for group in groups.values():
            target.update(competition_ranks(group))
    EvaluationResult.objects.bulk_create([
        EvaluationResult(run=run, agent_id=a, period=month, level=agents[a].level, city=city_of[a], score=totals[a],
                         rank=overall[a], rank_in_level=in_level[a], rank_in_city=in_city[a])
        for a in sorted(totals)
    ], batch_size=500)
    return len(totals)


# --- Exports to headquarters -------------------------------------------------------------------------------


def province_code(run: EvaluationRun) -> str:
    unit = run.org_unit.ancestor_of_kind(UnitKind.PROVINCE) or OrgUnit.objects.filter(kind=UnitKind.PROVINCE).first()
    return unit.code if unit else run.org_unit.code


def export_rows(run: EvaluationRun, results) -> tuple[list[str], list[list[Any]]]:
    """The fixed layout: province_code, period, agent_code, agent_name, level, one column per
    indicator of the model (its value), score, rank — ordered by rank then agent code."""
    codes = [i.indicator for i in run.model.items.all()]
    header = [*EXPORT_COLUMNS, *codes, "score", "rank"]
    values: dict[tuple[int, str], Decimal] = {
        (v["agent_id"], v["indicator"]): v["value"]
        for v in IndicatorValue.objects.filter(run=run).values("agent_id", "indicator", "value")
    }
    province = province_code(run)
    rows = []
    for r in results.select_related("agent").order_by("rank", "agent__code"):
        rows.append([province, f"{run.period:%Y-%m}", r.agent.code, r.agent.name, r.level,
                     *[values.get((r.agent_id, c), Decimal(0)).normalize() for c in codes], r.score, r.rank])
    return header, rows


def _plain(value: Any) -> Any:
    return format(value, "f") if isinstance(value, Decimal) else value


def render_export(header: list[str], rows: list[list[Any]], fmt: str) -> bytes:
    if fmt == ExportFormat.JSON:
        return json.dumps([dict(zip(header, map(_plain, row))) for row in rows], ensure_ascii=False,
                          indent=1).encode("utf-8")
    if fmt == ExportFormat.CSV:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([[_plain(v) for v in row] for row in rows])
        return out.getvalue().encode("utf-8-sig")
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "evaluation"
    sheet.append(header)
    for row in rows:
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def export_run(*, actor: Any, run: EvaluationRun, fmt: str) -> EvaluationExport:
    """Write the run's results (as far as the actor sees them) in the headquarters layout,
    keep the file and record who exported it, when, and its SHA-256."""
    _check(actor, "channelstats.run_evaluation")
    if actor is not None:
        require_in_scope(actor, run)
    if fmt not in ExportFormat.values:
        raise InvalidInput(_("format: unknown format %(format)s.") % {"format": fmt})
    results = EvaluationResult.objects.filter(run=run)
    if actor is not None:
        results = results.visible_to(actor)
    header, rows = export_rows(run, results)
    content = render_export(header, rows, fmt)
    digest = hashlib.sha256(content).hexdigest()
    name = f"channel-evaluation-{province_code(run)}-{run.period:%Y%m}-{run.model.code}-v{run.model.version}.{fmt}"
    with transaction.atomic():
        export = EvaluationExport(run=run, format=fmt, file_name=name, sha256=digest, row_count=len(rows),
                                  created_by=_user(actor))
        export.file.save(name, ContentFile(content), save=False)
        export.save()
        audit_record(actor=_user(actor), action="channelstats.export", target=export, org_unit=run.org_unit,
                     after={"run": run.pk, "format": fmt, "sha256": digest, "rows": len(rows)})
    return export


# --- Notification of managers ------------------------------------------------------------------------------


def evaluation_notify(*, actor: Any, run: EvaluationRun, count: int = 3) -> int:
    """Send the best and the worst ``count`` agents of a run to the channel managers (the
    staff with the channel manager role and the managers of the run's agents) by SMS and
    e-mail through the outbox (汇总、考核结果 … 及时地发给业务管理人员的手持终端). Once per
    recipient, channel and computation of the run. Returns the messages queued."""
    from kams.notify.services import notify
    from kams.org.enums import RoleCode
    from kams.org.models import Staff

    _check(actor, "channelstats.run_evaluation")
    if actor is not None:
        require_in_scope(actor, run)
    if count < 1:
        raise InvalidInput(_("count: at least 1."))
    results = list(EvaluationResult.objects.filter(run=run).select_related("agent").order_by("rank", "agent__code"))
    if not results:
        raise InvalidInput(_("The run has no results to send."))
    best = results[:count]
    worst = results[-count:][::-1] if len(results) > count else []

    def names(rows):
        return ", ".join(f"{r.agent.name} {r.score}" for r in rows)

    body = _("Channel evaluation %(month)s (%(model)s): best %(best)s.") % {
        "month": f"{run.period:%Y-%m}", "model": run.model.name, "best": names(best)}
    if worst:
        body += " " + _("Lowest %(worst)s.") % {"worst": names(worst)}
    managers = Staff.objects.filter(is_active=True).filter(
        Q(roles__code=RoleCode.CHANNEL_MANAGER) | Q(pk__in=[r.agent.manager_id for r in results if r.agent.manager_id])
    ).distinct().select_related("org_unit")
    sent = 0
    with transaction.atomic():
        for manager in managers:
            for channel, address in (("sms", manager.mobile), ("email", manager.email)):
                if address:
                    _message, created = notify(
                        channel=channel, recipient=address, recipient_name=manager.name, body=body,
                        subject=_("Channel evaluation results"), purpose="channel_evaluation",
                        org_unit=manager.org_unit, owner=manager, target=run,
                        idempotency_key=f"channelstats.run:{run.pk}:{run.times_run}:{manager.pk}:{channel}",
                    )
                    sent += created
        audit_record(actor=_user(actor), action="channelstats.notify", target=run, org_unit=run.org_unit,
                     after={"messages": sent})
    return sent


def manual_scores_import(*, actor: Any, content: bytes) -> int:
    """Import satisfaction or other indicator values from a CSV file (UTF-8, header
    ``agent_code,period,kind,value[,note]``). Every line is checked first; one bad line
    rejects the file and nothing is written. Returns the values written."""
    _check(actor, "channelstats.add_manualscore")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(_("The file is not UTF-8 text.")) from None
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or not {"agent_code", "period", "kind", "value"} <= set(reader.fieldnames):
        raise InvalidInput(_("The file needs the columns agent_code, period, kind and value."))
    lines = list(reader)
    if not lines:
        raise InvalidInput(_("The file has no lines."))
    agents = Agent.objects.filter(code__in={(row.get("agent_code") or "").strip() for row in lines})
    if actor is not None:
        agents = agents.visible_to(actor)
    by_code = {a.code: a for a in agents}
    parsed: dict[tuple[int, datetime.date, str], tuple[Decimal, str]] = {}
    for number, row in enumerate(lines, start=2):
        agent = by_code.get((row.get("agent_code") or "").strip())
        kind = (row.get("kind") or "").strip()
        try:
            if agent is None:
                raise InvalidInput(_("unknown agent %(code)s.") % {"code": row.get("agent_code") or "—"})
            if kind not in ManualKind.values:
                raise InvalidInput(_("kind: unknown kind %(kind)s.") % {"kind": kind or "—"})
            month = parse_period(row.get("period"))
            value = _decimal(row.get("value") or "", _("value"))
            if abs(value) >= Decimal("1e13"):
                raise InvalidInput(_("%(field)s: the number is too large.") % {"field": _("value")})
        except InvalidInput as exc:
            raise InvalidInput(_("Line %(line)s: %(error)s") % {"line": number, "error": exc.text}) from None
        parsed[(agent.pk, month, kind)] = (value.quantize(Decimal("0.0001")), (row.get("note") or "")[:200])
    with transaction.atomic():
        existing = {(s.agent_id, s.period, s.kind): s for s in ManualScore.objects.select_for_update().filter(
            agent_id__in={k[0] for k in parsed}, period__in={k[1] for k in parsed})}
        new, changed = [], []
        for key, (value, note) in parsed.items():
            score = existing.get(key)
            if score is None:
                new.append(ManualScore(agent_id=key[0], period=key[1], kind=key[2], value=value, note=note,
                                       entered_by=_user(actor)))
            else:
                score.value, score.note, score.entered_by = value, note, _user(actor)
                changed.append(score)
        ManualScore.objects.bulk_create(new, batch_size=500)
        ManualScore.objects.bulk_update(changed, ["value", "note", "entered_by"], batch_size=500)
        audit_record(actor=_user(actor), action="channelstats.manual_import", target=None,
                     target_repr="manual indicator values", after={"new": len(new), "changed": len(changed)})
    return len(parsed)
