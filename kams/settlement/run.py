"""Extraction and settlement runs (CH-14, CH-15), set-based.

``extract`` copies, in one ``INSERT … SELECT``, the subscribers of one agent or of a marketing
department subtree (commission reference time before the end of the period, active or left
during the period) with the sums of their bills of the period into an extraction (numbered per
period).

``settle`` settles the agents of an extraction in chunks of agents, one transaction per chunk:
one agent bill per agent with a scheme, then one ``INSERT … SELECT`` per business scheme
version over all the chunk's subscribers (the scheme's condition and formula compiled from CEL
to SQL), then, for re-settlement bills (an agent already settled for the period), adjusting
lines = the new amount minus what the earlier bills hold per subscriber and scheme, never
touching the earlier bills. The scheme versions used are recorded on every agent bill.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kams.audit.services import audit_record
from kams.billing.models import BillSummary
from kams.channels.enums import AgentStatus, SubscriberStatus
from kams.channels.models import Agent, AgentSubscriber, AgentType
from kams.core.errors import InvalidInput
from kams.org.models import OrgUnit
from kams.org.scoping import require_in_scope, require_perm
from kams.resources.enums import ResourceKind
from kams.resources.models import ResourceItem
from kams.settlement.enums import LineKind, RunKind, RunState, SchemeKind
from kams.settlement.errors import NoScheme
from kams.settlement.expressions import compile_condition, compile_number
from kams.settlement.models import (
    AgentBill,
    AgentScheme,
    BillLine,
    Extraction,
    ExtractionRow,
    SchemeVersion,
    SettlementRun,
)

FEES = ["fee_mobile", "fee_data", "fee_voip", "fee_long_distance", "fee_local", "fee_leased_line", "fee_internet",
        "total", "paid", "arrears"]


def parse_period(text: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(text.strip(), "%Y-%m").date()
    except (ValueError, AttributeError):
        raise InvalidInput(_("period: give the month as YYYY-MM, e.g. 2026-10.")) from None


def month_end(period: datetime.date) -> datetime.date:
    return period.replace(day=calendar.monthrange(period.year, period.month)[1])


def _months(expr: str) -> str:
    if connection.vendor == "postgresql":
        return f"(CAST(EXTRACT(YEAR FROM {expr}) AS INTEGER) * 12 + CAST(EXTRACT(MONTH FROM {expr}) AS INTEGER))"
    return f"(CAST(strftime('%%Y', {expr}) AS INTEGER) * 12 + CAST(strftime('%%m', {expr}) AS INTEGER))"


def _refresh_statistics() -> None:
    """PostgreSQL plans the chunks' INSERT … SELECT from the tables' statistics; analysed while
    nearly empty (a new deployment, before autovacuum) it picks a nested loop that re-sums the
    earlier lines for every recalculated line of a re-settlement (minutes per chunk instead of
    seconds, measured by bench/settlement.py). ANALYZE samples a bounded number of rows, so it
    costs about a second whatever the size; it runs after the extraction is written."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE settlement_extractionrow, settlement_billline, settlement_agentbill")


def _agents(agent: Agent | None, unit: OrgUnit | None):
    qs = Agent.objects.filter(status=AgentStatus.REGISTERED)
    if agent is not None:
        return qs.filter(pk=agent.pk)
    return qs.filter(org_unit__path__startswith=unit.path)


def _target(actor: Any, agent: Agent | None, unit: OrgUnit | None) -> None:
    if (agent is None) == (unit is None):
        raise InvalidInput(_("scope: choose one agent or one marketing department."))
    if actor is not None:
        require_in_scope(actor, agent if agent is not None else unit)


def _create_numbered(model, among: dict, **values: Any):
    """Create ``model`` with the next ``number`` among the rows matching ``among``. Two
    concurrent creations may read the same highest number: the unique constraint refuses the
    second, which tries again (in a savepoint) once the first has committed."""
    for attempt in range(10):
        top = model.objects.filter(**among).aggregate(top=Max("number"))["top"] or 0
        try:
            with transaction.atomic():
                return model.objects.create(number=top + 1, **values)
        except IntegrityError:
            if attempt == 9:
                raise
    raise AssertionError("unreachable")


def extract(*, actor: Any, period: datetime.date, agent: Agent | None = None, unit: OrgUnit | None = None) -> Extraction:
    """用户信息提取 for the billing ``period`` (its first day)."""
    period = period.replace(day=1)
    if actor is not None:
        require_perm(actor, "settlement.add_extraction")
    _target(actor, agent, unit)
    end = month_end(period)
    end_at = timezone.make_aware(datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time()))
    with transaction.atomic():
        extraction = _create_numbered(
            Extraction, {"period": period}, period=period, agent=agent,
            org_unit=unit if unit is not None else agent.org_unit,
            created_by=actor if getattr(actor, "pk", None) else None)
        t = {m.__name__: m._meta.db_table for m in (ExtractionRow, AgentSubscriber, Agent, AgentType, OrgUnit,
                                                     BillSummary)}
        true, false = ("TRUE", "FALSE") if connection.vendor == "postgresql" else ("1", "0")
        fee_cols = ", ".join(FEES)
        fee_sums = ", ".join(f"SUM({f}) AS {f}" for f in FEES)
        fee_vals = ", ".join(f"COALESCE(b.{f}, 0)" for f in FEES)
        where_target = "a.id = %s" if agent is not None else "u.path LIKE %s"
        sql = (
            f"INSERT INTO {t['ExtractionRow']} (extraction_id, agent_id, subscriber_id, org_unit_id_copy, agent_type, "
            f"agent_level, msisdn, business, package, activated_on, reference_at, status, months_on_network, is_new, "
            f"left_in_period, {fee_cols}) "
            f"SELECT %s, s.agent_id, s.id, a.org_unit_id, COALESCE(ty.code, ''), a.level, s.msisdn, s.business, "
            f"s.package, s.activated_on, s.reference_at, s.status, "
            f"{period.year * 12 + period.month} - {_months('s.activated_on')} + 1, "
            f"CASE WHEN s.activated_on >= %s AND s.activated_on <= %s THEN {true} ELSE {false} END, "
            f"CASE WHEN s.cancelled_on IS NOT NULL AND s.cancelled_on <= %s THEN {true} ELSE {false} END, "
            f"{fee_vals} "
            f"FROM {t['AgentSubscriber']} s JOIN {t['Agent']} a ON a.id = s.agent_id "
            f"JOIN {t['OrgUnit']} u ON u.id = a.org_unit_id LEFT JOIN {t['AgentType']} ty ON ty.id = a.agent_type_id "
            f"LEFT JOIN (SELECT msisdn, {fee_sums} FROM {t['BillSummary']} WHERE period = %s GROUP BY msisdn) b "
            f"ON b.msisdn = s.msisdn "
            f"WHERE a.status = %s AND {where_target} AND s.reference_at < %s "
            f"AND (s.status = %s OR (s.cancelled_on IS NOT NULL AND s.cancelled_on >= %s))"
        )
        params = [extraction.pk, period, end, end, period, AgentStatus.REGISTERED,
                  agent.pk if agent is not None else unit.path + "%", end_at, SubscriberStatus.ACTIVE, period]
        with connection.cursor() as cur:
            cur.execute(sql, params)
        extraction.row_count = ExtractionRow.objects.filter(extraction=extraction).count()
        extraction.save(update_fields=["row_count"])
        if actor is not None and getattr(actor, "pk", None):
            audit_record(actor=actor, action="settlement.extract", target=extraction,
                         after={"period": f"{period:%Y-%m}", "number": extraction.number,
                                "agent": agent.code if agent else None, "unit": unit.code if unit else None,
                                "rows": extraction.row_count})
    return extraction


# --- runs ----------------------------------------------------------------------------------------


def _current_versions(composites) -> dict[int, list[SchemeVersion]]:
    out: dict[int, list[SchemeVersion]] = {}
    for composite in composites:
        versions = []
        for scheme in composite.schemes.all():
            version = (SchemeVersion.objects.filter(scheme=scheme).order_by("-version")
                       .select_related("scheme").prefetch_related("units", "agent_types").first())
            if version is not None:
                versions.append(version)
        out[composite.pk] = versions
    return out


@dataclass(frozen=True)
class SettlePlan:
    """What ``settle`` would settle, once every check has passed (nothing written yet)."""

    period: datetime.date
    agents: list[Agent]
    composite_of: dict[int, Any]
    without: list[Agent]


def settle_plan(
    *, actor: Any, period: datetime.date, kind: str = RunKind.UNIFIED, agent: Agent | None = None,
    unit: OrgUnit | None = None, extraction: Extraction | None = None,
) -> SettlePlan:
    """Every refusal of ``settle``, without writing anything: the web page checks a run with it
    before queueing it, so bad input is refused at once (and the worker checks again)."""
    period = period.replace(day=1)
    if kind not in RunKind.values:
        raise InvalidInput(_("kind: choose unified, single, special or real-time."))
    if actor is not None:
        require_perm(actor, "settlement.add_settlementrun")
        if extraction is None:  # the run extracts first
            require_perm(actor, "settlement.add_extraction")
    _target(actor, agent, unit)
    this_month = timezone.localdate().replace(day=1)
    if period > this_month or (period == this_month and kind != RunKind.REALTIME):
        # 实时结算 settles the month under way (its later unified run adjusts what it paid).
        raise InvalidInput(_("period: only a month that has ended can be settled (real-time settlement: "
                             "also the current month)."))
    if kind == RunKind.SINGLE and agent is None:
        raise InvalidInput(_("agent: a single-agent settlement needs an agent."))
    agents = list(_agents(agent, unit).order_by("pk"))
    if agent is not None and not agents:
        raise InvalidInput(_("agent: only a registered agent can be settled."))
    schemes = {s.agent_id: s for s in AgentScheme.objects.filter(agent__in=agents).select_related("primary", "fallback")}
    composite_of = {a.pk: schemes[a.pk].composite_for(period) if a.pk in schemes else None for a in agents}
    without = [a for a in agents if composite_of[a.pk] is None]
    if agent is not None and without:
        raise NoScheme(agent=agent.code, period=f"{period:%Y-%m}")
    if extraction is not None and extraction.period != period:
        raise InvalidInput(_("extraction: the extraction is of another period."))
    if extraction is not None and not _covers(extraction, agent, unit):
        raise InvalidInput(_("extraction: the extraction does not cover the agents to settle."))
    return SettlePlan(period=period, agents=agents, composite_of=composite_of, without=without)


def settle(
    *, actor: Any, period: datetime.date, kind: str = RunKind.UNIFIED, agent: Agent | None = None,
    unit: OrgUnit | None = None, extraction: Extraction | None = None, progress: Any = None, job: Any = None,
    chunk_size: int = 50,
) -> SettlementRun:
    """统一结算 (a marketing department) or 单个分销商结算 (one agent); re-settlement when an agent
    already has a bill for the period."""
    plan = settle_plan(actor=actor, period=period, kind=kind, agent=agent, unit=unit, extraction=extraction)
    period, agents, composite_of, without = plan.period, plan.agents, plan.composite_of, plan.without
    if extraction is None:
        extraction = extract(actor=actor, period=period, agent=agent, unit=unit)
    settled = [a for a in agents if composite_of[a.pk] is not None]
    versions = _current_versions({c for c in composite_of.values() if c is not None})
    compiled = {v.pk: _compile(v) for vs in versions.values() for v in vs}
    with transaction.atomic():
        run = _create_numbered(
            SettlementRun, {}, kind=kind, period=period, extraction=extraction, agent=agent,
            org_unit=unit if unit is not None else agent.org_unit, job=job,
            without_scheme=[{"id": a.pk, "code": a.code, "name": a.name} for a in without],
            created_by=actor if getattr(actor, "pk", None) else None)
        if actor is not None and getattr(actor, "pk", None):
            audit_record(actor=actor, action="settlement.run", target=run,
                         after={"period": f"{period:%Y-%m}", "kind": kind, "extraction": extraction.pk,
                                "without_scheme": [a.code for a in without]})
    _refresh_statistics()
    chunks = [settled[i:i + chunk_size] for i in range(0, len(settled), chunk_size)]
    if progress is not None:
        progress.set_total(len(chunks))
    for number, chunk in enumerate(chunks, 1):
        _chunk(run, chunk, composite_of, versions, compiled)
        if progress is not None:
            progress.advance(1, message=f"{period:%Y-%m} {number}/{len(chunks)}")
    total = AgentBill.objects.filter(run=run).aggregate(total=Sum("amount"))["total"] or Decimal("0")
    SettlementRun.objects.filter(pk=run.pk).update(state=RunState.DONE, finished_at=timezone.now(),
                                                   total=Decimal(str(total)).quantize(Decimal("0.01")))
    run.refresh_from_db()
    return run


def _covers(extraction: Extraction, agent: Agent | None, unit: OrgUnit | None) -> bool:
    """Whether the extraction holds every subscriber of the target (otherwise a re-settlement
    would reverse what is missing)."""
    if extraction.agent_id is not None:
        return agent is not None and agent.pk == extraction.agent_id
    path = unit.path if unit is not None else agent.org_unit.path
    return path.startswith(extraction.org_unit.path)


def _compile(version: SchemeVersion) -> dict:
    """The version's SQL (it was validated when saved; compiled again, without the scope check,
    so a later change of a variable's scope does not change a recorded version's meaning)."""
    cond = compile_condition(version.condition, field="condition")
    out = {"cond": cond, "base": None}
    if version.kind == SchemeKind.REVENUE_SHARE:
        out["base"] = compile_number(version.base, field="base")
    return out


def _scope_sql(version: SchemeVersion) -> tuple[str, list]:
    sql, params = " AND x.business = %s", [version.scheme.business]
    units = list(version.units.all())
    if units:
        ids = list(OrgUnit.objects.filter(
            _or([Q(path__startswith=u.path) for u in units])).values_list("pk", flat=True))
        sql += f" AND x.org_unit_id_copy IN ({', '.join(str(int(i)) for i in ids)})"
    types = [t.code for t in version.agent_types.all()]
    if types:
        sql += f" AND x.agent_type IN ({', '.join(['%s'] * len(types))})"
        params += types
    return sql, params


def _or(qs: list[Q]) -> Q:
    out = qs[0]
    for q in qs[1:]:
        out |= q
    return out


def _chunk(run: SettlementRun, chunk: list[Agent], composite_of: dict, versions: dict, compiled: dict) -> None:
    t_line, t_bill, t_row = BillLine._meta.db_table, AgentBill._meta.db_table, ExtractionRow._meta.db_table
    t_item = ResourceItem._meta.db_table
    ids = [a.pk for a in chunk]
    in_chunk = ", ".join(str(int(i)) for i in ids)
    with transaction.atomic():
        # Lock the chunk's agents: a concurrent run of the same agents waits, then sees these bills.
        list(Agent.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))
        prior = dict(AgentBill.objects.filter(agent_id__in=ids, period=run.period).exclude(run=run)
                     .values_list("agent_id").annotate(last=Max("pk")))
        AgentBill.objects.bulk_create([
            AgentBill(run=run, agent=a, period=run.period, composite=composite_of[a.pk], original_id=prior.get(a.pk),
                      versions=[{"id": v.pk, "scheme": v.scheme.code, "version": v.version}
                                for v in versions[composite_of[a.pk].pk]])
            for a in chunk
        ])
        by_version: dict[int, list[int]] = {}
        version_obj = {}
        for a in chunk:
            for v in versions[composite_of[a.pk].pk]:
                by_version.setdefault(v.pk, []).append(a.pk)
                version_obj[v.pk] = v
        kind_sql = (f"CASE WHEN bl.original_id IS NULL THEN '{LineKind.NORMAL}' ELSE '{LineKind.RECALC}' END")
        head = (f"INSERT INTO {t_line} (bill_id, kind, msisdn, scheme_id, version_id, row_id, rank, base, amount, "
                f"original_id) ")
        join = f"FROM {t_row} x JOIN {t_bill} bl ON bl.agent_id = x.agent_id AND bl.run_id = {int(run.pk)} "
        with connection.cursor() as cur:
            for vid, agent_ids in sorted(by_version.items()):
                version, sql_parts = version_obj[vid], compiled[vid]
                scope, scope_params = _scope_sql(version)
                cond = sql_parts["cond"]
                where = (f"WHERE x.extraction_id = {int(run.extraction_id)} "
                         f"AND x.agent_id IN ({', '.join(str(int(i)) for i in agent_ids)}){scope} AND ({cond.sql})")
                if version.kind == SchemeKind.COMMISSION:
                    steps = sorted(version.steps, key=lambda s: -int(s["from"]))
                    amount = "CASE " + " ".join(
                        f"WHEN q.rn >= {int(s['from'])} THEN {Decimal(s['amount']):f}" for s in steps) + " ELSE 0 END"
                    sql = (f"{head} SELECT q.bill_id, q.kind, q.msisdn, {int(version.scheme_id)}, {int(vid)}, q.id, "
                           f"q.rn, 0, {amount}, NULL FROM (SELECT x.id, x.msisdn, bl.id AS bill_id, {kind_sql} AS kind, "
                           f"ROW_NUMBER() OVER (PARTITION BY x.agent_id ORDER BY x.reference_at, x.msisdn, x.id) AS rn "
                           f"{join}{where} AND x.is_new = %s) q")
                    params = [*scope_params, *cond.params, True]
                else:
                    base = sql_parts["base"]
                    value = f"COALESCE({base.sql}, 0)"
                    share = f"ROUND(CAST({value} * {Decimal(version.rate):f} / 100 AS NUMERIC), 2)"
                    sql = (f"{head} SELECT bl.id, {kind_sql}, x.msisdn, {int(version.scheme_id)}, {int(vid)}, x.id, "
                           f"NULL, ROUND(CAST({value} AS NUMERIC), 2), {share}, NULL "
                           f"{join}{where} AND x.months_on_network >= 1 AND x.months_on_network <= "
                           f"{int(version.months)} AND {share} <> 0")
                    params = [*base.params, *base.params, *scope_params, *cond.params, *base.params]
                cur.execute(sql, params)
            prior_sql = (f"(SELECT bp.agent_id, l.msisdn, l.scheme_id, SUM(l.amount) AS amount, MIN(l.id) AS original_id "
                         f"FROM {t_line} l JOIN {t_bill} bp ON bp.id = l.bill_id WHERE bp.period = %s "
                         f"AND bp.run_id <> {int(run.pk)} AND bp.agent_id IN ({in_chunk}) "
                         f"AND l.kind IN ('{LineKind.NORMAL}', '{LineKind.ADJUST}') "
                         f"GROUP BY bp.agent_id, l.msisdn, l.scheme_id) p")
            cur.execute(
                f"{head} SELECT r.bill_id, '{LineKind.ADJUST}', r.msisdn, r.scheme_id, r.version_id, r.row_id, r.rank, "
                f"r.base, ROUND(CAST(r.amount - COALESCE(p.amount, 0) AS NUMERIC), 2), p.original_id "
                f"FROM {t_line} r JOIN {t_bill} bl ON bl.id = r.bill_id LEFT JOIN {prior_sql} "
                f"ON p.agent_id = bl.agent_id AND p.msisdn = r.msisdn AND p.scheme_id = r.scheme_id "
                f"WHERE bl.run_id = {int(run.pk)} AND bl.agent_id IN ({in_chunk}) AND r.kind = '{LineKind.RECALC}' "
                f"AND ROUND(CAST(r.amount - COALESCE(p.amount, 0) AS NUMERIC), 2) <> 0",
                [run.period])
            cur.execute(
                f"{head} SELECT bl.id, '{LineKind.ADJUST}', p.msisdn, p.scheme_id, NULL, NULL, NULL, 0, "
                f"ROUND(CAST(-p.amount AS NUMERIC), 2), p.original_id FROM {t_bill} bl JOIN {prior_sql} "
                f"ON p.agent_id = bl.agent_id WHERE bl.run_id = {int(run.pk)} AND bl.original_id IS NOT NULL "
                f"AND bl.agent_id IN ({in_chunk}) AND ROUND(CAST(p.amount AS NUMERIC), 2) <> 0 AND NOT EXISTS "
                f"(SELECT 1 FROM {t_line} r WHERE r.bill_id = bl.id AND r.kind = '{LineKind.RECALC}' "
                f"AND r.msisdn = p.msisdn AND r.scheme_id = p.scheme_id)",
                [run.period])
            cur.execute(
                f"UPDATE {t_bill} SET amount = COALESCE((SELECT ROUND(CAST(SUM(l.amount) AS NUMERIC), 2) "
                f"FROM {t_line} l WHERE l.bill_id = {t_bill}.id AND l.kind IN ('{LineKind.NORMAL}', "
                f"'{LineKind.ADJUST}')), 0) WHERE run_id = {int(run.pk)} AND agent_id IN ({in_chunk})")
            # The numbers settled here are settled pickups (CH-07): no fee adjustment, no return.
            true = "TRUE" if connection.vendor == "postgresql" else "1"
            cur.execute(
                f"UPDATE {t_item} SET settled = {true} WHERE kind = %s AND settled <> {true} "
                f"AND agent_id IN ({in_chunk}) AND serial IN (SELECT l.msisdn FROM {t_line} l JOIN {t_bill} bl "
                f"ON bl.id = l.bill_id WHERE bl.run_id = {int(run.pk)} AND bl.agent_id IN ({in_chunk}))",
                [ResourceKind.NUMBER])


def settle_with_progress(*, label: str = "", params: dict | None = None, actor: Any = None, echo: bool = False,
                         job_run_row: Any = None, **kwargs) -> SettlementRun:
    """``settle`` with its progress recorded as a job run (the jobs page): a new one, or
    ``job_run_row``, the one queued by ``settlement_run_start``. A job row must be visible to
    other sessions, so inside an outer transaction (tests) the run goes without one."""
    from django.urls import reverse

    from kams.system.jobs import job_run

    if connection.in_atomic_block and job_run_row is None:
        return settle(actor=actor, **kwargs)
    with job_run("settlement.run", label=label, params=params, echo=echo, run=job_run_row,
                 actor=actor if getattr(actor, "pk", None) else None) as job:
        run = settle(actor=actor, progress=job, job=job.run, **kwargs)
        job.run.result = {"run": run.number, "total": str(run.total), "bills": run.bills.count(),
                          "settlement_run": run.pk, "url": reverse("settlement:run", args=[run.pk])}
    return run
