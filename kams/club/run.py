"""积分计算 (CLUB-12): the monthly points run of one period, from the imported bills.

For each chunk of members (by id: chunk ``c`` holds ids ``[c × size, (c + 1) × size)``) one
transaction does, set-based:

1. open missing points accounts;
2. one ``INSERT … SELECT`` per rule version in force in the period: consumption points per
   business from the paid share of each fee column (通信消费积分), tenure and on-time payment
   rewards and promotions (for members billed in the period), and the late or unpaid penalty (a share of the month's consumption
   points, so a month never nets below zero; an unpaid bill takes precedence over a late one);
3. one lot per member with the month's net points, expiring by the expiry rule;
4. the balances, from the chunk's entries;
5. the chunk's marker.

Either all of a chunk is written or none of it. Entries are unique per account, period and
rule version, lots per account and run, markers per run and chunk: running the period again
changes nothing, and a run interrupted half way resumes at the first chunk without a marker
and ends exactly as an uninterrupted run. The rule versions and expiry rule are fixed when
the run starts and stored with it.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kams.billing.models import FEE_FIELDS, BillSummary
from kams.club.enums import PENALTIES, MemberStatus, PointsCategory, PointsKind, RunState
from kams.club.ledger import expiry_date, expiry_rule_for, month_end
from kams.club.models import ClubMember, PointsAccount, PointsEntry, PointsLot, PointsRule, PointsRun, PointsRunChunk
from kams.core.errors import InvalidInput
from kams.system.parameters import param


def parse_period(text: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(text.strip(), "%Y-%m").date()
    except (ValueError, AttributeError):
        raise InvalidInput(_("period: give the month as YYYY-MM, e.g. 2026-10.")) from None


def rules_in_force(period: datetime.date) -> list[PointsRule]:
    """The rule versions that apply to ``period``: those in force on its first day (versions
    start on the first day of a month, so one version of each rule applies to a month)."""
    return list(
        PointsRule.objects.filter(valid_from__lte=period).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=period))
        .order_by("category", "code", "version")
    )


def points_run(*, period: datetime.date, actor: Any = None, progress: Any = None, job: Any = None,
               stop_after: int | None = None, chunk_size: int | None = None) -> PointsRun:
    """Run (or resume) the month ``period``. ``stop_after`` chunks simulates an interruption
    (tests and the crash benchmark)."""
    period = period.replace(day=1)
    if period >= timezone.localdate().replace(day=1):
        raise InvalidInput(_("period: only a month that has ended can be calculated."))
    if actor is not None:
        from kams.org.scoping import require_perm

        require_perm(actor, "club.add_pointsrun")
    run = _start(period, actor, job, chunk_size)
    if run.state == RunState.DONE:
        return run
    top = ClubMember.objects.aggregate(top=Max("pk"))["top"] or 0
    run.chunks_total = top // run.chunk_size + 1
    PointsRun.objects.filter(pk=run.pk).update(chunks_total=run.chunks_total, state=RunState.RUNNING)
    done = set(run.chunks.values_list("chunk", flat=True))
    rules = list(PointsRule.objects.filter(pk__in=[r["id"] for r in run.rules]))
    expires_on = expiry_date(month_end(period), run.expiry_rule)
    if progress is not None:
        progress.set_total(run.chunks_total)
        progress.advance(len(done), message=f"{period:%Y-%m}")
    processed = 0
    for chunk in range(run.chunks_total):
        if chunk in done:
            continue
        if stop_after is not None and processed >= stop_after:
            PointsRun.objects.filter(pk=run.pk).update(state=RunState.INTERRUPTED)
            run.refresh_from_db()
            return run
        try:
            _chunk(run, chunk, rules, expires_on)
        except IntegrityError:
            # Another process did this chunk meanwhile: its markers say so.
            if not PointsRunChunk.objects.filter(run=run, chunk=chunk).exists():
                raise
        processed += 1
        if progress is not None:
            progress.advance(1, message=f"{period:%Y-%m} chunk {chunk + 1}/{run.chunks_total}")
    _finish(run)
    run.refresh_from_db()
    return run


def _start(period: datetime.date, actor: Any, job: Any, chunk_size: int | None) -> PointsRun:
    with transaction.atomic():
        run = PointsRun.objects.select_for_update().filter(period=period).first()
        if run is not None:
            return run
        rules = rules_in_force(period)
        expiry_rule = expiry_rule_for(month_end(period))
        try:
            with transaction.atomic():
                run = PointsRun.objects.create(
                    period=period, chunk_size=chunk_size or param("club.run_chunk_size"),
                    rules=[{"id": r.pk, "code": r.code, "version": r.version, "category": r.category} for r in rules],
                    expiry_rule=expiry_rule, started_by=actor if getattr(actor, "pk", None) else None, job=job,
                )
        except IntegrityError:  # started by someone else at the same moment
            run = PointsRun.objects.get(period=period)
        if actor is not None and getattr(actor, "pk", None):
            from kams.audit.services import audit_record

            audit_record(actor=actor, action="club.points_run", target=run,
                         after={"period": f"{period:%Y-%m}", "rules": run.rules}, target_repr=f"{period:%Y-%m}")
        return run


def _finish(run: PointsRun) -> None:
    totals = dict(
        PointsEntry.objects.filter(run=run).values_list("category").annotate(points=Sum("points")).order_by()
    )
    members = PointsEntry.objects.filter(run=run).values("account_id").distinct().count()
    PointsRun.objects.filter(pk=run.pk).update(state=RunState.DONE, finished_at=timezone.now(), totals=totals,
                                               members=members)


# --- The SQL of one chunk ------------------------------------------------------------------------


def _months(expr: str) -> str:
    """Months since year 0 of a date expression, on either database."""
    if connection.vendor == "postgresql":
        return f"(CAST(EXTRACT(YEAR FROM {expr}) AS INTEGER) * 12 + CAST(EXTRACT(MONTH FROM {expr}) AS INTEGER))"
    return f"(CAST(strftime('%%Y', {expr}) AS INTEGER) * 12 + CAST(strftime('%%m', {expr}) AS INTEGER))"


def _floor(expr: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(FLOOR({expr}) AS BIGINT)"
    return f"CAST({expr} AS INTEGER)"


def _chunk(run: PointsRun, chunk: int, rules: list[PointsRule], expires_on: datetime.date) -> None:
    lo, hi = chunk * run.chunk_size, (chunk + 1) * run.chunk_size
    m_t, a_t, e_t, l_t, b_t = (ClubMember._meta.db_table, PointsAccount._meta.db_table, PointsEntry._meta.db_table,
                               PointsLot._meta.db_table, BillSummary._meta.db_table)
    now, period, end = timezone.now(), run.period, month_end(run.period)
    members = f"m.id >= {int(lo)} AND m.id < {int(hi)} AND m.status = %s"
    bills = "b.customer_id = m.customer_id AND b.period = %s AND (m.msisdn = '' OR b.msisdn = m.msisdn)"
    insert = (f"INSERT INTO {e_t} (account_id, kind, category, points, period, rule_id, run_id, reference, reason, "
              f"created_at) ")
    ordered = sorted(rules, key=lambda r: (r.category in PENALTIES, r.category != PointsCategory.UNPAID_PENALTY, r.pk))
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {a_t} (member_id, balance, earned, spent, expired, updated_at) "
            f"SELECT m.id, 0, 0, 0, 0, %s FROM {m_t} m WHERE m.id >= {int(lo)} AND m.id < {int(hi)} "
            f"AND NOT EXISTS (SELECT 1 FROM {a_t} a WHERE a.member_id = m.id)",
            [now],
        )
        entries = 0
        for rule in ordered:
            level = f" AND m.level_id = {int(rule.level_id)}" if rule.level_id else ""
            head = [PointsKind.PENALTY if rule.category in PENALTIES else PointsKind.EARN, rule.category]
            tail = [period, rule.pk, run.pk, now]
            if rule.category == PointsCategory.CONSUMPTION:
                if rule.business not in FEE_FIELDS:
                    continue
                paid = (f"SUM(CASE WHEN b.total > 0 THEN b.{rule.business} * "
                        f"(CASE WHEN b.paid >= b.total THEN 1 ELSE b.paid * 1.0 / b.total END) ELSE 0 END)")
                points = _floor(f"{paid} * %s")
                sql = (f"{insert} SELECT m.id, %s, %s, {points}, %s, %s, %s, '', '', %s FROM {m_t} m "
                       f"JOIN {b_t} b ON {bills} WHERE {members}{level} GROUP BY m.id HAVING {points} > 0")
                params = [*head, rule.rate, *tail, period, MemberStatus.ACTIVE, rule.rate]
            elif rule.category == PointsCategory.TENURE:
                since = "COALESCE(m.network_since, m.joined_on)"
                years = f"(({end.year * 12 + end.month} - {_months(since)}) / 12)"
                capped = f"(CASE WHEN {rule.max_years} > 0 AND {years} > {rule.max_years} THEN {rule.max_years} ELSE {years} END)"
                sql = (f"{insert} SELECT m.id, %s, %s, %s * {capped}, %s, %s, %s, '', '', %s FROM {m_t} m "
                       f"WHERE {members}{level} AND {since} IS NOT NULL AND {years} >= %s AND {years} > 0 "
                       f"AND EXISTS (SELECT 1 FROM {b_t} b WHERE {bills})")
                params = [*head, rule.amount, *tail, MemberStatus.ACTIVE, rule.min_years, period]
            elif rule.category == PointsCategory.PUNCTUALITY:
                on_time = ("CASE WHEN b.paid >= b.total AND b.paid_on IS NOT NULL "
                           "AND (b.due_on IS NULL OR b.paid_on <= b.due_on) THEN 0 ELSE 1 END")
                sql = (f"{insert} SELECT m.id, %s, %s, %s, %s, %s, %s, '', '', %s FROM {m_t} m "
                       f"JOIN {b_t} b ON {bills} WHERE {members}{level} GROUP BY m.id "
                       f"HAVING SUM({on_time}) = 0 AND SUM(b.total) > 0")
                params = [*head, rule.amount, *tail, period, MemberStatus.ACTIVE]
            elif rule.category == PointsCategory.PROMOTION:
                if rule.amount <= 0:
                    continue
                sql = (f"{insert} SELECT m.id, %s, %s, %s, %s, %s, %s, '', '', %s FROM {m_t} m "
                       f"WHERE {members}{level} AND EXISTS (SELECT 1 FROM {b_t} b WHERE {bills})")
                params = [*head, rule.amount, *tail, MemberStatus.ACTIVE, period]
            elif rule.category in PENALTIES:
                if rule.category == PointsCategory.UNPAID_PENALTY:
                    bad = "b.arrears > 0"
                    other = ""
                else:
                    bad = "b.paid_on IS NOT NULL AND b.due_on IS NOT NULL AND b.paid_on > b.due_on"
                    other = (f" AND NOT EXISTS (SELECT 1 FROM {e_t} p WHERE p.account_id = e.account_id "
                             f"AND p.run_id = e.run_id AND p.category = '{PointsCategory.UNPAID_PENALTY}')")
                share = _floor("SUM(e.points) * %s")
                sql = (f"{insert} SELECT e.account_id, %s, %s, -{share}, %s, %s, %s, '', '', %s FROM {e_t} e "
                       f"JOIN {m_t} m ON m.id = e.account_id "
                       f"WHERE e.run_id = %s AND e.category = '{PointsCategory.CONSUMPTION}' AND {members}{level}{other} "
                       f"AND EXISTS (SELECT 1 FROM {b_t} b WHERE {bills} AND {bad}) "
                       f"GROUP BY e.account_id HAVING {share} > 0")
                params = [*head, rule.rate, *tail, run.pk, MemberStatus.ACTIVE, period, rule.rate]
            else:
                continue
            cur.execute(sql, params)
            entries += max(cur.rowcount, 0)
        chunk_entries = f"e.run_id = %s AND e.account_id >= {int(lo)} AND e.account_id < {int(hi)}"
        cur.execute(
            f"INSERT INTO {l_t} (account_id, points, remaining, category, earned_on, expires_on, run_id, created_at) "
            f"SELECT e.account_id, SUM(e.points), SUM(e.points), %s, %s, %s, %s, %s FROM {e_t} e WHERE {chunk_entries} "
            f"GROUP BY e.account_id HAVING SUM(e.points) > 0",
            [PointsCategory.CONSUMPTION, end, expires_on, run.pk, now, run.pk],
        )
        cur.execute(
            f"UPDATE {a_t} SET balance = balance + d.net, earned = earned + d.net, updated_at = %s "
            f"FROM (SELECT e.account_id, SUM(e.points) AS net FROM {e_t} e WHERE {chunk_entries} "
            f"GROUP BY e.account_id HAVING SUM(e.points) > 0) d WHERE {a_t}.member_id = d.account_id",
            [now, run.pk],
        )
        PointsRunChunk.objects.create(run=run, chunk=chunk, entries=entries)


def run_report(run: PointsRun) -> dict[str, Any]:
    """积分计算报告 of a period: points and members per category and per level."""
    by_category = list(
        PointsEntry.objects.filter(run=run).values("category").annotate(points=Sum("points"))
        .order_by("category")
    )
    by_level = list(
        PointsEntry.objects.filter(run=run).values("account__member__level__name", "account__member__level__rank")
        .annotate(points=Sum("points")).order_by("account__member__level__rank")
    )
    members = PointsEntry.objects.filter(run=run).values("account_id").distinct().count()
    return {"by_category": by_category, "by_level": by_level, "members": members}
