"""Channel settlement (CH-14, CH-15): the unified settlement of a city's agents, against the
bare-SQL floor of the same work.

Builds, set-based (``COPY`` / ``executemany`` / INSERT … SELECT, not through the services): the
demo org tree plus four marketing departments (市场部) under the city NJ; ``--agents`` registered
agents (default 500 on PostgreSQL, 100 on SQLite) spread over them, with their four ledger
sub-accounts; ``--subscribers`` agent subscribers (default 1,000,000 on PostgreSQL, 100,000 on
SQLite), one per number, 70 % mobile (packages M58 / M88 / M128) and 30 % data (D30 / D50),
activated over the last 24 months up to 20 days after the end of the period (those are not
settled yet), commission reference time 10:00 on the activation day, 1 % left the network in
the period and 1 % before it; one month of bills (the month that ended last), one per number,
with the customers, paying accounts and import batch they need (10 numbers per customer); 5 %
unpaid (arrears). Then, through the settlement services (``save_scheme``, ``save_composite``):
a commission for new mobile subscribers (condition ``package in ["M88", "M128"] || fee_mobile
>= 30``; steps 50.00 from the 1st, 60.00 from the 21st, 80.00 from the 41st qualifying
subscriber of the agent) and a revenue share of 8 % of ``fee_data`` in the first 12 months for
data subscribers with ``arrears == 0``, combined in one composite scheme assigned to every agent
(set-based INSERT: 500 ``assign_scheme`` calls would only add setup time).

* KAMS: ``settle_with_progress(kind="unified", unit=<the city>)`` exactly as ``kams settle
  --unit NJ --period YYYY-MM`` calls it (without echo): the extraction of the whole city
  (one INSERT … SELECT), then the run in chunks of 50 agents with its job progress. The
  extraction's share of the time is measured by wrapping ``kams.settlement.run.extract`` with
  a clock (in memory; nothing in KAMS is changed).
* The floor: the same rows in bare SQL in one transaction, written by hand: the extraction
  header and one INSERT … SELECT of its rows, the run header, the agent bills (INSERT …
  SELECT), one INSERT … SELECT per scheme for the user-level lines (same conditions and
  amounts; the steps by ``ROW_NUMBER()``), one UPDATE for the agent totals; no chunks, no job
  progress, no audit, no version lookups.

  Reset before every timed run (untimed): the extraction, run, bill and line tables are
  emptied (``TRUNCATE`` on PostgreSQL, ``DELETE`` on SQLite), so every run starts from the same
  state: nothing settled, the same extraction number 1. The planner's statistics of these
  tables are those of tables holding one settled month (the build settles once with the
  floor and analyses, untimed; TRUNCATE keeps statistics), as in production after the first
  months: with the statistics of empty tables, PostgreSQL joins the re-settlement's earlier
  lines by nested loops (see bench/README.md). The median of ``--repeat`` runs is
  printed; the number of user-level lines and the total of every agent are compared.
* Re-settlement: after the last KAMS run, 1 % of the period's bills change (mobile fee + 40,
  data fee + 10, untimed); ``settle_with_progress`` again (a new extraction and a run whose
  bills are re-settlement bills: recalculated lines and adjusting entries against the first
  run's lines). Timed once; prints the adjusting lines and checks, per agent, that the first
  bill plus the adjustments equals the recalculated amount.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import time
from decimal import Decimal
from typing import Any, Callable

from common import bulk_insert, org_units, setup, timed, vendor

TODAY = datetime.date.today()
PERIOD = (TODAY.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)  # the month that ended last
PERIOD_END = TODAY.replace(day=1) - datetime.timedelta(days=1)
PER_CUSTOMER = 10
DEPARTMENTS = 4
STEPS = [{"from": 1, "amount": "50.00"}, {"from": 21, "amount": "60.00"}, {"from": 41, "amount": "80.00"}]
COMMISSION_CONDITION = 'package in ["M88", "M128"] || fee_mobile >= 30'
SHARE_CONDITION = "arrears == 0"
SHARE_RATE, SHARE_MONTHS = Decimal("8"), 12


def _pg() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def _pad8(expr: str) -> str:
    return f"lpad(CAST({expr} AS TEXT), 8, '0')" if _pg() else f"printf('%%08d', {expr})"


def _plus_days(date_sql: str, days: str) -> str:
    return f"(CAST({date_sql} AS DATE) + CAST({days} AS INTEGER))" if _pg() else f"date({date_sql}, ({days}) || ' days')"


def _ts(value: datetime.datetime) -> Any:
    from django.db import connection

    return connection.ops.adapt_datetimefield_value(value)


def _drop_pg_database() -> None:
    """Start from no database: the settlement variables come from a data migration (a
    ``flush`` would remove them)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return
    import dj_database_url
    import psycopg

    conf = dj_database_url.parse(url)
    params = {k: v for k, v in {"host": conf["HOST"], "port": conf["PORT"], "user": conf["USER"],
                                "password": conf["PASSWORD"]}.items() if v}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{conf["NAME"]}" WITH (FORCE)')


def _vacuum() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def _t(model: Any) -> str:
    return model._meta.db_table


# --- The data ---------------------------------------------------------------------------------


def build(agents: int, subscribers: int) -> dict[str, Any]:  # noqa: C901 — one step after another
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from kams.billing.models import BillImport, BillSummary, ImportState
    from kams.channels.enums import SubAccountKind
    from kams.channels.models import Agent, AgentSubscriber, AgentType, LedgerAccount
    from kams.customers.enums import Business, CustomerStatus, CustomerType
    from kams.customers.models import Customer
    from kams.org.enums import UnitKind
    from kams.org.models import OrgUnit
    from kams.settlement import services
    from kams.settlement.enums import SchemeKind
    from kams.settlement.models import AgentScheme

    started = time.perf_counter()
    districts = org_units()
    city = OrgUnit.objects.get(code="NJ")
    departments = [OrgUnit.objects.add_child(city, {"code": f"NJ-SC{n}", "name": f"南京市场{n}部",
                                                     "kind": UnitKind.DEPARTMENT}) for n in range(1, DEPARTMENTS + 1)]
    shop = AgentType.objects.create(code="shop", name="专营店")
    bulk_insert(Agent, ({"code": f"AG{n:05d}", "name": f"代理商{n}", "category": "agent", "agent_type_id": shop.pk,
                         "level": "city", "status": "registered", "org_unit_id": departments[n % DEPARTMENTS].pk,
                         "credit_line": Decimal("0"), "stock_limit": 0, "credit_score": 80,
                         "registered_on": TODAY - datetime.timedelta(days=400)} for n in range(agents)))
    customers = -(-subscribers // PER_CUSTOMER)
    bulk_insert(Customer, ({"code": f"S{n:08d}", "name": f"结算客户{n}", "customer_type": CustomerType.GROUP,
                            "status": CustomerStatus.CURRENT, "org_unit_id": districts[n % len(districts)],
                            "expected_monthly_revenue": Decimal("5000"),
                            "joined_on": TODAY - datetime.timedelta(days=(n * 37) % 3000)} for n in range(customers)))
    now = _ts(timezone.now())
    kinds = " UNION ALL ".join(f"SELECT '{k}' AS kind" for k in SubAccountKind.values)
    digits = " UNION ALL ".join(f"SELECT {k} AS k" for k in range(PER_CUSTOMER))
    start = PERIOD_END + datetime.timedelta(days=20)  # the latest activation (after the period: not settled)
    due = (PERIOD + datetime.timedelta(days=32)).replace(day=20)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_t(LedgerAccount)} (agent_id, kind, balance, updated_at) "
            f"SELECT a.id, k.kind, 0, %s FROM {_t(Agent)} a CROSS JOIN ({kinds}) k", [now])
        cursor.execute(
            "INSERT INTO customers_payingaccount (customer_id, account_no, name, status, payment_method, bank_name, "
            "bank_account, cancelled_with_customer, created_at, updated_at) SELECT id, code, name, 'active', 'bank', "
            "'', '', %s, %s, %s FROM customers_customer", [False, now, now])
        cursor.execute("SELECT MIN(id) FROM customers_customer")
        low = cursor.fetchone()[0]
        cursor.execute(f"SELECT MIN(id) FROM {_t(Agent)}")
        low_agent = cursor.fetchone()[0]
        # x: the subscriber's serial; h: a hash of it (a bijection on 32 bits) giving the agent,
        # business, package, activation day and status.
        act = _plus_days("%s", "-((h / 1000) %% 750)")
        ref = "(CAST(act AS TIMESTAMP) + INTERVAL '2 hours')" if _pg() else "(act || ' 02:00:00')"
        cursor.execute(
            f"INSERT INTO {_t(AgentSubscriber)} (agent_id, msisdn, business, package, customer_id, member_id, "
            "activated_on, reference_at, status, cancelled_on, source_type, source_id, created_at) "
            f"SELECT {int(low_agent)} + (h / 7) %% {int(agents)}, '138' || {_pad8('x')}, "
            "CASE WHEN h %% 10 < 7 THEN 'mobile' ELSE 'data' END, "
            "CASE WHEN h %% 10 < 7 THEN (CASE (h / 10) %% 3 WHEN 0 THEN 'M58' WHEN 1 THEN 'M88' ELSE 'M128' END) "
            "ELSE (CASE (h / 10) %% 2 WHEN 0 THEN 'D30' ELSE 'D50' END) END, cid, NULL, act, "
            f"{ref}, CASE WHEN (h / 100000) %% 100 < 2 THEN 'cancelled' ELSE 'active' END, "
            "CASE WHEN (h / 100000) %% 100 = 0 THEN %s WHEN (h / 100000) %% 100 = 1 THEN %s END, 'bench', '', %s "
            f"FROM (SELECT cid, x, h, {act} AS act FROM "
            f"(SELECT c.id AS cid, (c.id - {int(low)}) * {PER_CUSTOMER} + d.k AS x, "
            f"(((c.id - {int(low)}) * {PER_CUSTOMER} + d.k) * 2654435761) %% 4294967296 AS h "
            f"FROM customers_customer c CROSS JOIN ({digits}) d) s0 WHERE x < %s) s ORDER BY act, x",
            [PERIOD + datetime.timedelta(days=14), PERIOD - datetime.timedelta(days=40), now, start, subscribers])
        batch = BillImport.objects.create(period=PERIOD, file_name="bench", sha256="-", state=ImportState.IMPORTED,
                                          total=Decimal("0"), paid=Decimal("0"))
        # Fees in cents from a hash of the subscriber id; 5 % unpaid.
        cursor.execute(
            f"INSERT INTO {_t(BillSummary)} (period, customer_id, account_id, msisdn, fee_mobile, fee_data, fee_voip, "
            "fee_long_distance, fee_local, fee_leased_line, fee_internet, total, paid, arrears, due_on, paid_on, "
            "batch_id) SELECT %s, customer_id, account_id, msisdn, mob / 100.0, dat / 100.0, 0, 0, loc / 100.0, 0, 0, "
            "(mob + dat + loc) / 100.0, CASE WHEN unpaid THEN 0 ELSE (mob + dat + loc) / 100.0 END, "
            "CASE WHEN unpaid THEN (mob + dat + loc) / 100.0 ELSE 0 END, %s, CASE WHEN unpaid THEN NULL ELSE %s END, %s "
            "FROM (SELECT s.customer_id, a.id AS account_id, s.msisdn, "
            "CASE WHEN s.business = 'mobile' THEN hb %% 15000 ELSE 0 END AS mob, "
            "CASE WHEN s.business = 'mobile' THEN (hb / 15000) %% 3000 ELSE 500 + (hb / 15000) %% 20000 END AS dat, "
            "(hb / 13) %% 2000 AS loc, (hb / 23) %% 100 < 5 AS unpaid "
            f"FROM (SELECT customer_id, msisdn, business, (id * 2246822519) %% 4294967296 AS hb "
            f"FROM {_t(AgentSubscriber)} WHERE activated_on <= %s) s "
            "JOIN customers_payingaccount a ON a.customer_id = s.customer_id) f",
            [PERIOD, due, due, batch.pk, PERIOD_END])
    # The schemes through the services, as the settlement pages save them.
    admin = get_user_model().objects.create_superuser(username="bench-settlement", password=None)
    mobile = services.save_scheme(actor=admin, code="MOB-NEW", name="新入网移动用户佣金", business=Business.MOBILE,
                                  kind=SchemeKind.COMMISSION, condition=COMMISSION_CONDITION, steps=STEPS)
    data = services.save_scheme(actor=admin, code="DATA-SHARE", name="数据业务话费分成", business=Business.DATA,
                                kind=SchemeKind.REVENUE_SHARE, condition=SHARE_CONDITION, base="fee_data",
                                rate=SHARE_RATE, months=SHARE_MONTHS)
    composite = services.save_composite(actor=admin, code="STD", name="标准综合结算方案",
                                        schemes=[mobile.scheme, data.scheme])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_t(AgentScheme)} (agent_id, primary_id, valid_from, valid_until, fallback_id, updated_at) "
            f"SELECT id, %s, NULL, NULL, NULL, %s FROM {_t(Agent)}", [composite.pk, now])
    _vacuum()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*), SUM(CASE WHEN business = 'mobile' THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN activated_on >= %s AND activated_on <= %s THEN 1 ELSE 0 END) FROM {_t(AgentSubscriber)}",
            [PERIOD, PERIOD_END])
        count, mobiles, new = cursor.fetchone()
        cursor.execute(f"SELECT COUNT(*), SUM(total) FROM {_t(BillSummary)} WHERE period = %s", [PERIOD])
        bills, total = cursor.fetchone()
    print(f"database: {connection.vendor}; {agents:,} agents in {DEPARTMENTS} marketing departments of {city.code}; "
          f"{count:,} subscribers ({mobiles:,} mobile, {new:,} activated in {PERIOD:%Y-%m}); {bills:,} bills "
          f"({Decimal(total):,.0f} yuan); built in {time.perf_counter() - started:.0f} s")
    return {"city": city, "composite": composite, "versions": {"mobile": mobile, "data": data}, "subscribers": count}


# --- Reset, KAMS, floor, result -------------------------------------------------------------------


def reset() -> None:
    """Nothing settled: no extraction, run, bill or line."""
    from django.db import connection, transaction

    from kams.settlement.models import AgentBill, BillAdjustment, BillLine, Extraction, ExtractionRow, SettlementRun

    tables = [_t(m) for m in (BillAdjustment, BillLine, AgentBill, SettlementRun, ExtractionRow, Extraction)]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)}")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")


class PhaseClock:
    """Wraps ``kams.settlement.run.extract`` (looked up by ``settle`` at call time) with a clock."""

    def __init__(self) -> None:
        from kams.settlement import run

        self.module, self.original, self.seconds = run, run.extract, []

        def extract(**kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return self.original(**kwargs)
            finally:
                self.seconds.append(time.perf_counter() - start)

        run.extract = extract


def run_kams(city: Any) -> Any:
    from kams.settlement.run import settle_with_progress

    return settle_with_progress(label=f"Settlement {PERIOD:%Y-%m}", echo=False,
                                params={"period": f"{PERIOD:%Y-%m}", "agent": None, "unit": city.code, "kind": "unified"},
                                period=PERIOD, kind="unified", agent=None, unit=city)


def floor_sql(built: dict) -> None:
    """The same rows in bare SQL, one transaction, no chunks."""
    from django.db import connection, transaction
    from django.utils import timezone

    from kams.billing.models import BillSummary
    from kams.channels.models import Agent, AgentSubscriber, AgentType
    from kams.org.models import OrgUnit
    from kams.settlement.models import AgentBill, AgentScheme, BillLine, Extraction, ExtractionRow, SettlementRun
    from kams.settlement.run import FEES

    city, composite, versions = built["city"], built["composite"], built["versions"]
    pg = connection.vendor == "postgresql"
    now = _ts(timezone.now())
    end_at = timezone.make_aware(datetime.datetime.combine(PERIOD_END + datetime.timedelta(days=1), datetime.time()))

    def months(expr: str) -> str:
        if pg:
            return f"(CAST(EXTRACT(YEAR FROM {expr}) AS INTEGER) * 12 + CAST(EXTRACT(MONTH FROM {expr}) AS INTEGER))"
        return f"(CAST(strftime('%%Y', {expr}) AS INTEGER) * 12 + CAST(strftime('%%m', {expr}) AS INTEGER))"

    mobile, data = versions["mobile"], versions["data"]
    stamp = [{"id": v.pk, "scheme": v.scheme.code, "version": v.version} for v in (mobile, data)]

    line = (f"INSERT INTO {_t(BillLine)} (bill_id, kind, msisdn, scheme_id, version_id, row_id, rank, base, amount, "
            "original_id) ")
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"INSERT INTO {_t(Extraction)} (period, number, org_unit_id, agent_id, row_count, created_at, "
                    "created_by_id) VALUES (%s, 1, %s, NULL, 0, %s, NULL) RETURNING id", [PERIOD, city.pk, now])
        extraction = cur.fetchone()[0]
        cur.execute(
            f"INSERT INTO {_t(ExtractionRow)} (extraction_id, agent_id, subscriber_id, org_unit_id_copy, agent_type, "
            f"agent_level, msisdn, business, package, activated_on, reference_at, status, months_on_network, is_new, "
            f"left_in_period, {', '.join(FEES)}) "
            f"SELECT %s, s.agent_id, s.id, a.org_unit_id, COALESCE(ty.code, ''), a.level, s.msisdn, s.business, "
            f"s.package, s.activated_on, s.reference_at, s.status, "
            f"{PERIOD.year * 12 + PERIOD.month} - {months('s.activated_on')} + 1, "
            "s.activated_on >= %s AND s.activated_on <= %s, s.cancelled_on IS NOT NULL AND s.cancelled_on <= %s, "
            f"{', '.join(f'COALESCE(b.{f}, 0)' for f in FEES)} "
            f"FROM {_t(AgentSubscriber)} s JOIN {_t(Agent)} a ON a.id = s.agent_id "
            f"JOIN {_t(OrgUnit)} u ON u.id = a.org_unit_id LEFT JOIN {_t(AgentType)} ty ON ty.id = a.agent_type_id "
            f"LEFT JOIN (SELECT msisdn, {', '.join(f'SUM({f}) AS {f}' for f in FEES)} FROM {_t(BillSummary)} "
            "WHERE period = %s GROUP BY msisdn) b ON b.msisdn = s.msisdn "
            "WHERE a.status = 'registered' AND u.path LIKE %s AND s.reference_at < %s "
            "AND (s.status = 'active' OR (s.cancelled_on IS NOT NULL AND s.cancelled_on >= %s))",
            [extraction, PERIOD, PERIOD_END, PERIOD_END, PERIOD, city.path + "%", end_at, PERIOD])
        cur.execute(f"SELECT COALESCE(MAX(number), 0) + 1 FROM {_t(SettlementRun)}")
        number = cur.fetchone()[0]
        cur.execute(
            f"INSERT INTO {_t(SettlementRun)} (number, kind, period, extraction_id, org_unit_id, agent_id, state, "
            "without_scheme, total, job_id, created_at, finished_at, created_by_id) "
            "VALUES (%s, 'unified', %s, %s, %s, NULL, 'done', '[]', 0, NULL, %s, %s, NULL) RETURNING id",
            [number, PERIOD, extraction, city.pk, now, now])
        run = cur.fetchone()[0]
        cur.execute(
            f"INSERT INTO {_t(AgentBill)} (run_id, agent_id, period, composite_id, versions, original_id, amount, "
            "adjustments, state, paid_at, paid_by_id, transaction_id) "
            f"SELECT %s, a.id, %s, sc.primary_id, %s, NULL, 0, 0, 'open', NULL, NULL, NULL FROM {_t(Agent)} a "
            f"JOIN {_t(OrgUnit)} u ON u.id = a.org_unit_id JOIN {_t(AgentScheme)} sc ON sc.agent_id = a.id "
            "WHERE a.status = 'registered' AND u.path LIKE %s AND sc.primary_id = %s",
            [run, PERIOD, json.dumps(stamp), city.path + "%", composite.pk])
        join = f"FROM {_t(ExtractionRow)} x JOIN {_t(AgentBill)} bl ON bl.agent_id = x.agent_id AND bl.run_id = %s "
        # The commission: the step of the subscriber's rank among the agent's qualifying new ones.
        cur.execute(
            f"{line} SELECT bill_id, 'normal', msisdn, %s, %s, id, rn, 0, CASE WHEN rn >= 41 THEN 80.00 "
            "WHEN rn >= 21 THEN 60.00 ELSE 50.00 END, NULL FROM (SELECT x.id, x.msisdn, bl.id AS bill_id, "
            "ROW_NUMBER() OVER (PARTITION BY x.agent_id ORDER BY x.reference_at, x.msisdn, x.id) AS rn "
            f"{join} WHERE x.extraction_id = %s AND x.business = 'mobile' AND x.is_new = %s "
            "AND (x.package IN ('M88', 'M128') OR x.fee_mobile >= 30)) q",
            [mobile.scheme_id, mobile.pk, run, extraction, True])
        # The revenue share: 8 % of the data fee in the first 12 months, bills paid.
        share = "ROUND(CAST(x.fee_data * 8.000 / 100 AS NUMERIC), 2)"
        cur.execute(
            f"{line} SELECT bl.id, 'normal', x.msisdn, %s, %s, x.id, NULL, ROUND(CAST(x.fee_data AS NUMERIC), 2), "
            f"{share}, NULL {join} WHERE x.extraction_id = %s AND x.business = 'data' AND x.arrears = 0 "
            f"AND x.months_on_network >= 1 AND x.months_on_network <= 12 AND {share} <> 0",
            [data.scheme_id, data.pk, run, extraction])
        cur.execute(
            f"UPDATE {_t(AgentBill)} SET amount = COALESCE((SELECT ROUND(CAST(SUM(l.amount) AS NUMERIC), 2) FROM {_t(BillLine)} l "
            f"WHERE l.bill_id = {_t(AgentBill)}.id), 0) WHERE run_id = %s", [run])


def result() -> tuple[int, dict[str, Decimal]]:
    """The user-level lines of the first run and every agent's total."""
    from django.db import connection

    from kams.channels.models import Agent
    from kams.settlement.models import AgentBill, BillLine, SettlementRun

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MIN(id) FROM {_t(SettlementRun)}")
        run = cursor.fetchone()[0]
        cursor.execute(f"SELECT COUNT(*) FROM {_t(BillLine)} l JOIN {_t(AgentBill)} b ON b.id = l.bill_id "
                       "WHERE b.run_id = %s", [run])
        lines = cursor.fetchone()[0]
        cursor.execute(f"SELECT a.code, b.amount FROM {_t(AgentBill)} b JOIN {_t(Agent)} a ON a.id = b.agent_id "
                       "WHERE b.run_id = %s", [run])
        totals = {code: Decimal(str(amount)).quantize(Decimal("0.01")) for code, amount in cursor.fetchall()}
    return lines, totals


def change_bills() -> int:
    """1 % of the period's bills change (a late correction of the billing data)."""
    from django.db import connection, transaction

    from kams.billing.models import BillSummary

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_t(BillSummary)} SET fee_mobile = fee_mobile + 40, fee_data = fee_data + 10, total = total + 50, "
            "paid = CASE WHEN arrears = 0 THEN paid + 50 ELSE paid END, "
            "arrears = CASE WHEN arrears = 0 THEN 0 ELSE arrears + 50 END WHERE period = %s AND id %% 100 = 7", [PERIOD])
        return cursor.rowcount


def resettlement_check(run: Any) -> tuple[int, Decimal, int, int]:
    """The re-settlement run's adjusting lines (count, sum) and, per agent, whether the first
    bill's amount plus the adjustments equals the recalculated amount (agents equal, agents)."""
    from django.db import connection

    from kams.settlement.models import AgentBill, BillLine

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*), COALESCE(SUM(l.amount), 0) FROM {_t(BillLine)} l "
                       f"JOIN {_t(AgentBill)} b ON b.id = l.bill_id WHERE b.run_id = %s AND l.kind = 'adjust'", [run.pk])
        count, total = cursor.fetchone()
        cursor.execute(
            f"SELECT b.agent_id, o.amount + b.amount, (SELECT COALESCE(SUM(l.amount), 0) FROM {_t(BillLine)} l "
            f"WHERE l.bill_id = b.id AND l.kind = 'recalc') FROM {_t(AgentBill)} b "
            f"JOIN {_t(AgentBill)} o ON o.id = b.original_id WHERE b.run_id = %s", [run.pk])
        rows = cursor.fetchall()
    equal = sum(1 for _a, settled, recalc in rows
                if Decimal(str(settled)).quantize(Decimal("0.01")) == Decimal(str(recalc)).quantize(Decimal("0.01")))
    return count, Decimal(str(total)).quantize(Decimal("0.01")), equal, len(rows)


# --- Main -----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    pg = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
    parser.add_argument("--subscribers", type=int, default=1_000_000 if pg else 100_000, help="agent subscribers")
    parser.add_argument("--agents", type=int, default=500 if pg else 100, help="registered agents")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of KAMS and floor each; the median is printed")
    parser.add_argument("--profile", metavar="FILE", help="also run KAMS once more under cProfile and save the stats")
    args = parser.parse_args()

    _drop_pg_database()
    setup("settlement")
    built = build(args.agents, args.subscribers)
    city = built["city"]
    # The planner's statistics as in production after the first months: one month settled (by
    # the floor), analysed; the resets (TRUNCATE) keep these statistics.
    floor_sql(built)
    _vacuum()
    clock = PhaseClock()

    def measure(fn: Callable[[], Any]) -> tuple[float, list[float], tuple]:
        samples = []
        for _ in range(args.repeat):
            seconds, _value = timed(fn, reset)
            samples.append(seconds)
        return statistics.median(samples), samples, result()

    floor_s, floor_samples, floor_result = measure(lambda: floor_sql(built))
    kams_s, kams_samples, kams_result = measure(lambda: run_kams(city))
    extract_s = statistics.median(clock.seconds)
    from kams.settlement.models import ExtractionRow, SettlementRun

    rows = ExtractionRow.objects.count()
    run = SettlementRun.objects.get()
    lines, totals = kams_result
    f_lines, f_totals = floor_result
    print(f"\nunified settlement {PERIOD:%Y-%m} of {city.code} on {vendor()}: {len(totals):,} agents, {rows:,} "
          f"subscribers extracted (median of {args.repeat}; reset between runs)")
    print(f"{'case':<44}{'KAMS s':>9}{'floor s':>9}{'ratio':>8}")
    print(f"{'extraction + unified run':<44}{kams_s:>9.2f}{floor_s:>9.2f}{kams_s / floor_s:>8.2f}  "
          f"KAMS {', '.join(f'{s:.2f}' for s in kams_samples)}; floor {', '.join(f'{s:.2f}' for s in floor_samples)}")
    print(f"{'  of which the extraction (KAMS)':<44}{extract_s:>9.2f}")
    print(f"{'':44}user-level lines {lines:,} / {f_lines:,}: {'equal' if lines == f_lines else 'DIFFER'}; "
          f"totals per agent {'equal' if totals == f_totals else 'DIFFER'}; run total {run.total:,}")
    if totals != f_totals:
        wrong = [code for code in sorted(set(totals) | set(f_totals)) if totals.get(code) != f_totals.get(code)]
        print(f"{'':44}{len(wrong)} agents differ, e.g. "
              + "; ".join(f"{c}: {totals.get(c)} / {f_totals.get(c)}" for c in wrong[:5]))

    changed = change_bills()
    again_s, again = timed(lambda: run_kams(city))
    count, adjust, equal, agents = resettlement_check(again)
    print(f"{f're-settlement after {changed:,} bills changed (1 %)':<44}{again_s:>9.2f}{'':>17}  "
          f"of which extraction {clock.seconds[-1]:.2f} s; {count:,} adjusting lines, {adjust:,} yuan; "
          f"first bill + adjustments = recalculated for {equal:,} of {agents:,} agents")

    if args.profile:
        import cProfile

        reset()
        cProfile.runctx("run_kams(city)", globals(), {"run_kams": run_kams, "city": city}, args.profile)
        print(f"profile of the run saved to {args.profile}")


if __name__ == "__main__":
    main()
