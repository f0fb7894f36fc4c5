"""The loyalty club (CLUB-12, CLUB-14): the monthly points run and real-time redemption, each
against the bare-SQL floor of the same work.

Builds ``--members`` club members (default 1,000,000 on PostgreSQL, 100,000 on SQLite), set-based
(``COPY`` and INSERT … SELECT, not through the services): ten members with distinct numbers per
group customer, one paying account per customer, member ids in shuffled customer order (members
join over the years), levels 10 % diamond / 30 % emerald / 60 % sapphire, 3 % suspended,
network_since spread over 0–15 years (1 % empty: the run falls back to joined_on), a collected
card each, an empty points account each (as ``member_create`` opens it); and one month of bills
(the month before this one), one per member's number: mobile, data and local fees for all, VoIP,
long distance, leased line and internet for some; 85 % paid on time, 8 % paid in full but late,
5 % partly paid (arrears), 2 % unpaid. The levels and the default rules of headquarters come from
the club's reference data.

* The monthly run. KAMS is ``points_run(period=…)``: per chunk of ``--chunk-size`` member ids
  (default: the ``club.run_chunk_size`` parameter) one transaction with one INSERT … SELECT per
  rule version (7 consumption rules, tenure, on-time payment, unpaid and late penalties), the
  lots, the balances and the chunk's marker; then the run's totals. The floor is the same
  inserts in bare SQL in one transaction, written by hand over all members at once: one
  INSERT … SELECT per rule (the same join of members and bills), the net points per member
  into a temporary table, the lots and the balances from it; no chunks, no markers, no
  totals (its late penalty skips members with an unpaid penalty by the unique index on the
  run's entries: account, period, rule). A second floor aggregates the bills once per member into a temporary table (every
  fee's paid share, whether late, unpaid, on time) and writes each rule's entries from it.
  The entries per category, the lots and the balances (sum and a per-member checksum) are
  compared. Also timed: the same period again (a finished run: must change nothing) and a
  run interrupted after half its chunks (``stop_after``) and resumed, whose end state must
  equal the uninterrupted run's.

  Reset before every run (untimed): the ledger tables are emptied — ``TRUNCATE`` on PostgreSQL
  (the append-only trigger refuses row DELETEs, not TRUNCATE; nothing in KAMS is changed), a
  plain ``DELETE`` on SQLite (whose trigger refuses only UPDATE) — and the empty accounts are
  inserted again, so every run starts from the same state: accounts open, no points. The
  planner's statistics of the ledger tables are those of a ledger with a month in it (the
  build writes one month with the floor and analyses, untimed; TRUNCATE keeps statistics),
  as in production after the first months. ``--cold-stats`` adds one KAMS run with those
  statistics removed, as on a ledger never analysed with rows in it (the first run after
  going live): see bench/README.md for what it shows — it is slow, keep the size small.

* Redemption. ``--redemptions`` FEE10 redemptions (1,000 points each, catalogue item created
  here) by ``--clients`` threads (default 8, each with its own connection, opened before the
  clock starts and closed at the end), KAMS through ``redeem(actor=None, card_no=…,
  channel=<a POS channel>, …)`` — card and item checks, redemption row, ``ledger.debit``
  (account lock, expiry check, entry, lots earliest expiry first, lot uses, balance), audit
  entry, SMS statement queued — first spread over ``--cards`` cards, then all on one card
  (every client waits for the same account row lock). The floor does the minimal writes as
  bare SQL transactions by as many threads: card and account row locked in one SELECT, the
  redemption, the spend entry, the lots read and updated, the lot uses, the balance. KAMS
  and the floor get their own, identically credited cards (an old lot of 700 points expiring
  next year, the month's run lot, a lot of 5,000 points), credited set-based in SQL. Prints
  throughput, latency p50 and p99, and afterwards ``ledger_check()`` over all accounts.
  SQLite serialises writers (IMMEDIATE transactions queue for up to 20 s): each case is run
  again with one client there, and the count of "database is locked" errors is printed.

The threads share one Python process: KAMS's Python work does not run in parallel (GIL), so a
deployment with several worker processes can go further than the figure here.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import os
import statistics
import threading
import time
from collections import Counter
from decimal import Decimal
from typing import Any, Callable

from common import bulk_insert, header, line, org_units, setup, timed, vendor

TODAY = datetime.date.today()
PERIOD = (TODAY.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)  # the month that ended last
PER_CUSTOMER = 10
PRICE = 1000  # FEE10


def _pg() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def _pad8(expr: str) -> str:
    return f"lpad(CAST({expr} AS TEXT), 8, '0')" if _pg() else f"printf('%%08d', {expr})"


def _plus_days(date_sql: str, days: str) -> str:
    """A date (SQL, e.g. ``%s``) plus a whole number of days (SQL)."""
    return f"(CAST({date_sql} AS DATE) + CAST({days} AS INTEGER))" if _pg() else f"date({date_sql}, ({days}) || ' days')"


def _ts(value: datetime.datetime) -> Any:
    from django.db import connection

    return connection.ops.adapt_datetimefield_value(value)


def _drop_pg_database() -> None:
    """Start from no database at all: the club's levels and rules come from its data migration
    (a ``flush`` would remove them, and the service app's post_migrate sync fails after one)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return
    import dj_database_url
    import psycopg

    conf = dj_database_url.parse(url)
    params = {k: v for k, v in {"host": conf["HOST"], "port": conf["PORT"], "user": conf["USER"], "password": conf["PASSWORD"]}.items() if v}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{conf["NAME"]}" WITH (FORCE)')


def _vacuum(*tables: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"VACUUM ANALYZE {', '.join(tables)}" if tables else "VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")


# --- The data ---------------------------------------------------------------------------------


def build(members: int) -> dict[str, Any]:
    from django.db import connection, transaction
    from django.utils import timezone

    from kams.billing.models import BillImport, ImportState
    from kams.club.models import ClubLevel
    from kams.club.reference_data import ensure_reference_data_now
    from kams.customers.enums import CustomerStatus, CustomerType
    from kams.customers.models import Customer

    started = time.perf_counter()
    districts = org_units()
    ensure_reference_data_now()
    levels = dict(ClubLevel.objects.values_list("code", "pk"))
    customers = -(-members // PER_CUSTOMER)
    bulk_insert(
        Customer,
        (
            {"code": f"K{n:08d}", "name": f"俱乐部客户{n}", "customer_type": CustomerType.GROUP, "status": CustomerStatus.CURRENT,
             "org_unit_id": districts[n % len(districts)], "expected_monthly_revenue": Decimal("20000"),
             "joined_on": TODAY - datetime.timedelta(days=(n * 37) % 5000)}
            for n in range(customers)
        ),
    )
    now = _ts(timezone.now())
    due = (PERIOD + datetime.timedelta(days=32)).replace(day=20)  # the 20th of the next month
    valid_until = TODAY.replace(year=TODAY.year + 3)
    digits = " UNION ALL ".join(f"SELECT {k} AS k" for k in range(PER_CUSTOMER))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO customers_payingaccount (customer_id, account_no, name, status, payment_method, bank_name, bank_account, "
            "cancelled_with_customer, created_at, updated_at) SELECT id, code, name, 'active', 'bank', '', '', %s, %s, %s "
            "FROM customers_customer",
            [False, now, now],
        )
        cursor.execute("SELECT MIN(id) FROM customers_customer")
        low = cursor.fetchone()[0]
        # x: the member's serial; h: a hash of it (a bijection on 32 bits) giving the shuffled
        # order of the ids and the member's level, status and time on the network.
        cursor.execute(
            "INSERT INTO club_clubmember (member_no, customer_id, name, msisdn, certificate_no, phone, email, birthday, address, "
            "level_id, status, joined_on, network_since, inspected_on, preferences, statement_channel, auto_redeem_item_id, "
            "portal_password, created_at, updated_at) "
            f"SELECT 'JS' || {_pad8('x')}, cid, '会员' || CAST(x AS VARCHAR(12)), '139' || {_pad8('x')}, '', '139' || {_pad8('x')}, "
            "'', NULL, '', CASE WHEN h %% 10 = 0 THEN %s WHEN h %% 10 < 4 THEN %s ELSE %s END, "
            "CASE WHEN (h / 10) %% 100 < 97 THEN 'active' ELSE 'suspended' END, "
            f"{_plus_days('%s', '-((h / 1000) %% 5475) / 2')}, "
            f"CASE WHEN (h / 10) %% 100 = 50 THEN NULL ELSE {_plus_days('%s', '-((h / 1000) %% 5475)')} END, "
            "NULL, '{}', 'sms', NULL, '', %s, %s "
            f"FROM (SELECT c.id AS cid, (c.id - {int(low)}) * {PER_CUSTOMER} + d.k AS x, "
            f"(((c.id - {int(low)}) * {PER_CUSTOMER} + d.k) * 2654435761) %% 4294967296 AS h "
            f"FROM customers_customer c CROSS JOIN ({digits}) d) s WHERE x < %s ORDER BY h",
            [levels["DIAMOND"], levels["EMERALD"], levels["SAPPHIRE"], TODAY, TODAY, now, now, members],
        )
        batch = BillImport.objects.create(period=PERIOD, file_name="bench", sha256="-", state=ImportState.IMPORTED)
        # Fees in cents from a hash of the member id; cls: 0–84 on time, 85–92 late, 93–97 partly
        # paid (20–80 %), 98–99 unpaid.
        cursor.execute(
            "INSERT INTO billing_billsummary (period, customer_id, account_id, msisdn, fee_mobile, fee_data, fee_voip, "
            "fee_long_distance, fee_local, fee_leased_line, fee_internet, total, paid, arrears, due_on, paid_on, batch_id) "
            "SELECT %s, customer_id, account_id, msisdn, mob / 100.0, dat / 100.0, voip / 100.0, ld / 100.0, loc / 100.0, "
            "leased / 100.0, net / 100.0, tot / 100.0, paid / 100.0, (tot - paid) / 100.0, %s, "
            f"CASE WHEN cls < 85 THEN {_plus_days('%s', '-((hb / 29) %% 15)')} "
            f"WHEN cls < 93 THEN {_plus_days('%s', '1 + (hb / 31) %% 30')} "
            f"WHEN cls < 98 THEN {_plus_days('%s', '-2')} END, %s "
            "FROM (SELECT t.*, CASE WHEN cls < 93 THEN tot WHEN cls < 98 THEN tot * pct / 100 ELSE 0 END AS paid FROM "
            "(SELECT f.*, mob + dat + voip + ld + loc + leased + net AS tot FROM "
            "(SELECT m.customer_id, a.id AS account_id, m.msisdn, hb, 3000 + hb %% 150000 AS mob, (hb / 150000) %% 60000 AS dat, "
            "CASE WHEN (hb / 7) %% 10 = 0 THEN (hb / 70) %% 10000 ELSE 0 END AS voip, "
            "CASE WHEN (hb / 11) %% 10 < 3 THEN (hb / 110) %% 20000 ELSE 0 END AS ld, (hb / 13) %% 15000 AS loc, "
            "CASE WHEN (hb / 17) %% 50 = 0 THEN 50000 + (hb / 850) %% 450000 ELSE 0 END AS leased, "
            "CASE WHEN (hb / 19) %% 20 = 0 THEN 10000 + (hb / 380) %% 90000 ELSE 0 END AS net, "
            "(hb / 23) %% 100 AS cls, 20 + (hb / 2300) %% 61 AS pct "
            "FROM (SELECT id, customer_id, msisdn, (id * 2246822519) %% 4294967296 AS hb FROM club_clubmember) m "
            "JOIN customers_payingaccount a ON a.customer_id = m.customer_id) f) t) p",
            [PERIOD, due, due, due, due, batch.pk],
        )
        cursor.execute(
            "INSERT INTO club_card (card_no, member_id, level_id, state, blank_serial, replaces_id, applied_at, issued_at, "
            "collected_at, lost_at, closed_at, valid_until, note) "
            f"SELECT '86' || {_pad8('id')}, id, level_id, 'collected', '', NULL, %s, %s, %s, NULL, NULL, %s, '' FROM club_clubmember",
            [now, now, now, valid_until],
        )
    open_accounts()
    _vacuum()
    # The planner's statistics of the ledger as in production, where it holds earlier months:
    # one month written (by the floor), analysed; the resets keep these statistics.
    floor_sql(one_pass=True)
    _vacuum()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*), SUM(CASE WHEN status = 'active' THEN 1 ELSE 0 END) FROM club_clubmember")
        count, active = cursor.fetchone()
        cursor.execute(
            "SELECT COUNT(*), SUM(total), SUM(CASE WHEN paid_on > due_on THEN 1 ELSE 0 END), SUM(CASE WHEN arrears > 0 THEN 1 ELSE 0 END) "
            "FROM billing_billsummary WHERE period = %s",
            [PERIOD],
        )
        bills, total, late, owing = cursor.fetchone()
    print(
        f"database: {connection.vendor}; {customers:,} customers, {count:,} members ({active:,} active) with cards; "
        f"{bills:,} bills of {PERIOD:%Y-%m} ({Decimal(total):,.0f} yuan; {late:,} paid late, {owing:,} with arrears); "
        f"built in {time.perf_counter() - started:.0f} s"
    )
    return {"members": count, "active": active, "bills": bills}


def open_accounts() -> None:
    """An empty points account per member, as ``member_create`` opens it."""
    from django.db import connection
    from django.utils import timezone

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO club_pointsaccount (member_id, balance, earned, spent, expired, updated_at) "
            "SELECT id, 0, 0, 0, 0, %s FROM club_clubmember",
            [_ts(timezone.now())],
        )


# --- The monthly run: reset, KAMS, floors, result -------------------------------------------------


def ledger_tables() -> list[str]:
    from kams.club.models import (
        PointsAccount,
        PointsAdjustment,
        PointsEntry,
        PointsLot,
        PointsLotUse,
        PointsRun,
        PointsRunChunk,
    )

    # Children first (SQLite deletes row by row with foreign keys on).
    return [m._meta.db_table for m in (PointsLotUse, PointsAdjustment, PointsEntry, PointsLot, PointsRunChunk, PointsRun, PointsAccount)]


def reset_ledger(cold: bool = False) -> None:
    """No points at all: empty ledger tables, an empty account per member. The planner keeps
    the statistics taken in ``build`` (PostgreSQL keeps them through TRUNCATE and estimates
    the size from the table's pages); ``cold`` removes them, as on a ledger never analysed
    with rows in it (the first run after going live)."""
    from django.db import connection, transaction

    tables = ledger_tables()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # TRUNCATE fires no row trigger: the append-only trigger stays as it is.
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
            if cold:
                regclasses = ", ".join(f"'{t}'::regclass" for t in tables)
                cursor.execute(f"DELETE FROM pg_statistic WHERE starelid IN ({regclasses})")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")
            if cold:
                names = ", ".join(f"'{t}'" for t in tables)
                cursor.execute(f"DELETE FROM sqlite_stat1 WHERE tbl IN ({names})")
        open_accounts()
    if connection.vendor == "postgresql":
        _vacuum("club_pointsaccount")


def run_kams(chunk_size: int | None, clock: ChunkClock | None = None, stop_after: int | None = None) -> Any:
    from kams.club.run import points_run

    return points_run(period=PERIOD, chunk_size=chunk_size, progress=clock, stop_after=stop_after)


class ChunkClock:
    """The ``progress`` of a run: the seconds of each chunk."""

    def __init__(self) -> None:
        self.seconds: list[float] = []
        self.last = time.perf_counter()

    def set_total(self, total: int) -> None:
        self.last = time.perf_counter()

    def advance(self, n: int = 1, message: str = "") -> None:
        now = time.perf_counter()
        if n:
            self.seconds.append(now - self.last)
        self.last = now


def ledger_result() -> tuple:
    """What a run leaves: per category (count, points) of the period's entries, the lots
    (count, points, remaining), the accounts (sum of balances, of earned, a per-member checksum)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT category, COUNT(*), SUM(points) FROM club_pointsentry WHERE period = %s AND run_id IS NOT NULL "
            "GROUP BY category ORDER BY category",
            [PERIOD],
        )
        categories = tuple((c, int(n), int(p)) for c, n, p in cursor.fetchall())
        cursor.execute("SELECT COUNT(*), COALESCE(SUM(points), 0), COALESCE(SUM(remaining), 0) FROM club_pointslot")
        lots = tuple(int(v) for v in cursor.fetchone())
        cursor.execute(
            "SELECT COALESCE(SUM(balance), 0), COALESCE(SUM(earned), 0), COALESCE(SUM(CAST(member_id AS BIGINT) * balance), 0) "
            "FROM club_pointsaccount"
        )
        accounts = tuple(int(v) for v in cursor.fetchone())
    return categories, lots, accounts


def _fmt(result: tuple) -> str:
    categories, lots, accounts = result
    parts = ", ".join(f"{c} {p:,}" for c, _n, p in categories)
    return f"{sum(n for _c, n, _p in categories):,} entries ({parts}); {lots[0]:,} lots; balances {accounts[0]:,}"


def floor_sql(chunk_size: Any = None, one_pass: bool = False) -> tuple:
    """The run's inserts in bare SQL, one transaction over all members. ``one_pass``: the bills
    aggregated once per member first, each rule's entries from that aggregate."""
    from django.db import connection, transaction
    from django.utils import timezone

    from kams.billing.models import FEE_FIELDS
    from kams.club.ledger import expiry_date, expiry_rule_for, month_end
    from kams.club.run import rules_in_force

    rules = rules_in_force(PERIOD)
    end = month_end(PERIOD)
    expiry = expiry_rule_for(end)
    expires_on = expiry_date(end, expiry)
    pg = connection.vendor == "postgresql"
    now = _ts(timezone.now())
    temp = "CREATE TEMP TABLE {} ON COMMIT DROP AS " if pg else "CREATE TEMP TABLE {} AS "

    def floor(expr: str) -> str:
        return f"CAST(FLOOR({expr}) AS BIGINT)" if pg else f"CAST({expr} AS INTEGER)"

    def months(expr: str) -> str:
        if pg:
            return f"(CAST(EXTRACT(YEAR FROM {expr}) AS INTEGER) * 12 + CAST(EXTRACT(MONTH FROM {expr}) AS INTEGER))"
        return f"(CAST(strftime('%%Y', {expr}) AS INTEGER) * 12 + CAST(strftime('%%m', {expr}) AS INTEGER))"

    join = ("JOIN billing_billsummary b ON b.customer_id = m.customer_id AND b.period = %s "
            "AND (m.msisdn = '' OR b.msisdn = m.msisdn)")
    share = "CASE WHEN b.total > 0 THEN b.{fee} * (CASE WHEN b.paid >= b.total THEN 1 ELSE b.paid * 1.0 / b.total END) ELSE 0 END"
    late_bill = "b.paid_on IS NOT NULL AND b.due_on IS NOT NULL AND b.paid_on > b.due_on"
    not_on_time = "CASE WHEN b.paid >= b.total AND b.paid_on IS NOT NULL AND (b.due_on IS NULL OR b.paid_on <= b.due_on) THEN 0 ELSE 1 END"
    entry = ("INSERT INTO club_pointsentry (account_id, kind, category, points, period, rule_id, run_id, reference, reason, "
             "created_at) ")
    penalties = ("late_penalty", "unpaid_penalty")
    ordered = sorted(rules, key=lambda r: (r.category in penalties, r.category != "unpaid_penalty", r.pk))
    unpaid_rules = [r.pk for r in rules if r.category == "unpaid_penalty"]
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "INSERT INTO club_pointsrun (period, state, chunk_size, chunks_total, rules, expiry_rule_id, totals, members, "
            "job_id, started_by_id, started_at, finished_at) VALUES (%s, 'done', 0, 0, '[]', %s, '{}', 0, NULL, NULL, %s, %s) "
            "RETURNING id",
            [PERIOD, expiry.pk if expiry else None, now, now],
        )
        run = cur.fetchone()[0]
        cur.execute(
            "INSERT INTO club_pointsaccount (member_id, balance, earned, spent, expired, updated_at) "
            "SELECT m.id, 0, 0, 0, 0, %s FROM club_clubmember m "
            "WHERE NOT EXISTS (SELECT 1 FROM club_pointsaccount a WHERE a.member_id = m.id)",
            [now],
        )
        if one_pass:
            fees = sorted({r.business for r in rules if r.category == "consumption" and r.business in FEE_FIELDS})
            sums = "".join(f"SUM({share.format(fee=fee)}) AS c_{fee}, " for fee in fees)
            cur.execute(
                temp.format("bench_agg") + f"SELECT m.id, m.level_id, {sums}SUM({not_on_time}) AS not_on_time, "
                "SUM(b.total) AS total, MAX(CASE WHEN b.arrears > 0 THEN 1 ELSE 0 END) AS unpaid, "
                f"MAX(CASE WHEN {late_bill} THEN 1 ELSE 0 END) AS late "
                f"FROM club_clubmember m {join} WHERE m.status = 'active' GROUP BY m.id, m.level_id",
                [PERIOD],
            )
            if pg:  # a temporary table has no statistics until analysed
                cur.execute("ANALYZE bench_agg")
        for rule in ordered:
            level = f" AND m.level_id = {int(rule.level_id)}" if rule.level_id else ""
            kind = "penalty" if rule.category in penalties else "earn"
            head, tail = [kind, rule.category], [PERIOD, rule.pk, run, now]
            if rule.category == "consumption":
                if rule.business not in FEE_FIELDS:
                    continue
                if one_pass:
                    points = floor(f"m.c_{rule.business} * %s")
                    sql = (f"{entry} SELECT m.id, %s, %s, {points}, %s, %s, %s, '', '', %s FROM bench_agg m "
                           f"WHERE {points} > 0{level}")
                    params = [*head, rule.rate, *tail, rule.rate]
                else:
                    points = floor(f"SUM({share.format(fee=rule.business)}) * %s")
                    sql = (f"{entry} SELECT m.id, %s, %s, {points}, %s, %s, %s, '', '', %s FROM club_clubmember m {join} "
                           f"WHERE m.status = 'active'{level} GROUP BY m.id HAVING {points} > 0")
                    params = [*head, rule.rate, *tail, PERIOD, rule.rate]
            elif rule.category == "tenure":
                years = f"(({end.year * 12 + end.month} - {months('COALESCE(m.network_since, m.joined_on)')}) / 12)"
                sql = (f"{entry} SELECT id, %s, %s, %s * CASE WHEN {rule.max_years} > 0 AND years > {rule.max_years} "
                       f"THEN {rule.max_years} ELSE years END, %s, %s, %s, '', '', %s "
                       f"FROM (SELECT m.id, {years} AS years FROM club_clubmember m WHERE m.status = 'active'{level} "
                       "AND COALESCE(m.network_since, m.joined_on) IS NOT NULL) t WHERE years >= %s AND years > 0")
                params = [*head, rule.amount, *tail, rule.min_years]
            elif rule.category == "punctuality":
                if one_pass:
                    sql = (f"{entry} SELECT m.id, %s, %s, %s, %s, %s, %s, '', '', %s FROM bench_agg m "
                           f"WHERE m.not_on_time = 0 AND m.total > 0{level}")
                    params = [*head, rule.amount, *tail]
                else:
                    sql = (f"{entry} SELECT m.id, %s, %s, %s, %s, %s, %s, '', '', %s FROM club_clubmember m {join} "
                           f"WHERE m.status = 'active'{level} GROUP BY m.id HAVING SUM({not_on_time}) = 0 AND SUM(b.total) > 0")
                    params = [*head, rule.amount, *tail, PERIOD]
            elif rule.category == "promotion":
                if rule.amount <= 0:
                    continue
                source = "bench_agg m WHERE 1 = 1" if one_pass else (
                    "club_clubmember m WHERE m.status = 'active' AND EXISTS (SELECT 1 FROM billing_billsummary b "
                    "WHERE b.customer_id = m.customer_id AND b.period = %s AND (m.msisdn = '' OR b.msisdn = m.msisdn))")
                sql = f"{entry} SELECT m.id, %s, %s, %s, %s, %s, %s, '', '', %s FROM {source}{level}"
                params = [*head, rule.amount, *tail] + ([] if one_pass else [PERIOD])
            elif rule.category in penalties:
                unpaid = rule.category == "unpaid_penalty"
                taken = floor("SUM(e.points) * %s")
                # Not after an unpaid penalty of the run: looked up by the unique index on
                # (account, period, rule) of the run's entries.
                other = "" if unpaid or not unpaid_rules else (
                    " AND NOT EXISTS (SELECT 1 FROM club_pointsentry p WHERE p.account_id = e.account_id AND p.period = %s "
                    f"AND p.rule_id IN ({', '.join(str(int(pk)) for pk in unpaid_rules)}) AND p.run_id IS NOT NULL)")
                late_params = [] if other == "" else [PERIOD]
                if one_pass:
                    sql = (f"{entry} SELECT e.account_id, %s, %s, -{taken}, %s, %s, %s, '', '', %s FROM club_pointsentry e "
                           f"JOIN bench_agg m ON m.id = e.account_id WHERE e.run_id = %s AND e.category = 'consumption' "
                           f"AND m.{'unpaid' if unpaid else 'late'} = 1{level}{other} GROUP BY e.account_id HAVING {taken} > 0")
                    params = [*head, rule.rate, *tail, run, *late_params, rule.rate]
                else:
                    bad = "b.arrears > 0" if unpaid else late_bill
                    sql = (f"{entry} SELECT e.account_id, %s, %s, -{taken}, %s, %s, %s, '', '', %s FROM club_pointsentry e "
                           "JOIN club_clubmember m ON m.id = e.account_id WHERE e.run_id = %s AND e.category = 'consumption' "
                           f"AND m.status = 'active'{level}{other} AND EXISTS (SELECT 1 FROM billing_billsummary b "
                           f"WHERE b.customer_id = m.customer_id AND b.period = %s AND (m.msisdn = '' OR b.msisdn = m.msisdn) "
                           f"AND {bad}) GROUP BY e.account_id HAVING {taken} > 0")
                    params = [*head, rule.rate, *tail, run, *late_params, PERIOD, rule.rate]
            else:
                continue
            cur.execute(sql, params)
        cur.execute(
            temp.format("bench_net") + "SELECT account_id, SUM(points) AS net FROM club_pointsentry WHERE run_id = %s "
            "GROUP BY account_id HAVING SUM(points) > 0",
            [run],
        )
        if pg:
            cur.execute("ANALYZE bench_net")
        cur.execute(
            "INSERT INTO club_pointslot (account_id, points, remaining, category, earned_on, expires_on, run_id, created_at) "
            "SELECT account_id, net, net, 'consumption', %s, %s, %s, %s FROM bench_net",
            [end, expires_on, run, now],
        )
        cur.execute(
            "UPDATE club_pointsaccount SET balance = balance + d.net, earned = earned + d.net, updated_at = %s "
            "FROM bench_net d WHERE club_pointsaccount.member_id = d.account_id",
            [now],
        )
        if not pg:
            cur.execute("DROP TABLE bench_net")
            if one_pass:
                cur.execute("DROP TABLE bench_agg")
    return ()


# --- Redemption -------------------------------------------------------------------------------------


class Cards:
    """Active members with a collected card, handed out once each and credited set-based."""

    def __init__(self, needed: int) -> None:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT m.id, c.card_no FROM club_clubmember m JOIN club_card c ON c.member_id = m.id "
                "WHERE m.status = 'active' AND c.state = 'collected' ORDER BY m.id LIMIT %s",
                [needed],
            )
            self.free = cursor.fetchall()
        self.next = 0

    def take(self, count: int, points: int) -> list[str]:
        """``count`` cards whose accounts get a lot of 700 points expiring at the end of next
        year and one of ``points`` expiring the year after (with their entries and balances),
        beside the month's run lot."""
        from django.db import connection, transaction
        from django.utils import timezone

        if self.next + count > len(self.free):
            raise SystemExit(f"not enough active members with cards: {len(self.free) - self.next} left, {count} needed")
        chosen = self.free[self.next : self.next + count]
        self.next += count
        now = _ts(timezone.now())
        old = (datetime.date(TODAY.year - 1, 6, 30), datetime.date(TODAY.year + 1, 12, 31), 700)
        new = (TODAY, datetime.date(TODAY.year + 2, 12, 31), points)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE bench_pick (member_id integer PRIMARY KEY)")
            cursor.executemany("INSERT INTO bench_pick VALUES (%s)", [(pk,) for pk, _card in chosen])
            cursor.execute("SELECT COALESCE(MAX(id), 0) FROM club_pointslot")
            before = cursor.fetchone()[0]
            for earned_on, expires_on, lot_points in (old, new):
                cursor.execute(
                    "INSERT INTO club_pointslot (account_id, points, remaining, category, earned_on, expires_on, run_id, created_at) "
                    "SELECT member_id, %s, %s, 'activity', %s, %s, NULL, %s FROM bench_pick ORDER BY member_id",
                    [lot_points, lot_points, earned_on, expires_on, now],
                )
            cursor.execute(
                "INSERT INTO club_pointsentry (account_id, kind, category, points, period, rule_id, run_id, lot_id, redemption_id, "
                "reference, reason, actor_id, approver_id, created_at) SELECT account_id, 'earn', 'activity', points, NULL, NULL, "
                "NULL, id, NULL, '', 'bench', NULL, NULL, %s FROM club_pointslot WHERE id > %s",
                [now, before],
            )
            cursor.execute(
                "UPDATE club_pointsaccount SET balance = balance + %s, earned = earned + %s "
                "WHERE member_id IN (SELECT member_id FROM bench_pick)",
                [old[2] + new[2], old[2] + new[2]],
            )
            cursor.execute("DROP TABLE bench_pick")
        return [card for _pk, card in chosen]


def redemption_setup() -> tuple[Any, Any]:
    from kams.club.models import RedemptionChannel, RedemptionItem
    from kams.org.models import OrgUnit

    item = RedemptionItem.objects.create(code="FEE10", name="10 元话费", kind="fee", points=PRICE, face_value=Decimal("10"),
                                         unit_cost=Decimal("10"))
    channel = RedemptionChannel.objects.create(
        code="POS-BENCH-001", name="基准测试 POS", kind="pos", org_unit=OrgUnit.objects.order_by("path").first(),
        token_hash=hashlib.sha256(b"bench").hexdigest(), token_hint="ench",
    )
    return item, channel


def kams_redeem(channel: Any) -> Callable[[str, str], None]:
    from kams.club.redemption import redeem

    def call(card_no: str, key: str) -> None:
        _redemption, created = redeem(actor=None, card_no=card_no, item="FEE10", quantity=1, channel_kind="pos",
                                      channel=channel, idempotency_key=key)
        if not created:
            raise RuntimeError("key seen before")

    return call


def floor_redeem(item: Any, channel: Any) -> Callable[[str, str], None]:
    """The minimal writes of one redemption, in bare SQL."""
    from django.db import connection, transaction
    from django.utils import timezone

    pg = vendor() == "postgresql"
    lock = " FOR UPDATE OF a" if pg else ""
    lots_lock = " FOR UPDATE" if pg else ""
    cost = item.unit_cost if pg else str(item.unit_cost)

    def call(card_no: str, key: str) -> None:
        now = _ts(timezone.now())
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(
                "SELECT a.member_id, c.id, a.balance FROM club_card c JOIN club_pointsaccount a ON a.member_id = c.member_id "
                f"WHERE c.card_no = %s{lock}",
                [card_no],
            )
            member, card, balance = cur.fetchone()
            if balance < PRICE:
                raise RuntimeError("insufficient points")
            cur.execute(
                "INSERT INTO club_redemption (member_id, card_id, item_id, quantity, points, cost, channel_kind, channel_id, source, "
                "idempotency_key, location, operator_id, period, state, reversed_at, reversal_reason, statement_sent, created_at) "
                "VALUES (%s, %s, %s, 1, %s, %s, 'pos', %s, %s, %s, '', NULL, NULL, 'done', NULL, '', %s, %s) RETURNING id",
                [member, card, item.pk, PRICE, cost, channel.pk, channel.code, key, False, now],
            )
            redemption = cur.fetchone()[0]
            cur.execute(
                "INSERT INTO club_pointsentry (account_id, kind, category, points, period, rule_id, run_id, lot_id, redemption_id, "
                "reference, reason, actor_id, approver_id, created_at) "
                "VALUES (%s, 'spend', 'redemption', %s, NULL, NULL, NULL, NULL, %s, '', 'FEE10 × 1', NULL, NULL, %s) RETURNING id",
                [member, -PRICE, redemption, now],
            )
            entry = cur.fetchone()[0]
            cur.execute(
                f"SELECT id, remaining FROM club_pointslot WHERE account_id = %s AND remaining > 0 ORDER BY expires_on, id{lots_lock}",
                [member],
            )
            need, uses = PRICE, []
            for lot, remaining in cur.fetchall():
                take = min(need, remaining)
                uses.append((entry, lot, take))
                need -= take
                if not need:
                    break
            for _entry, lot, take in uses:
                cur.execute("UPDATE club_pointslot SET remaining = remaining - %s WHERE id = %s", [take, lot])
            cur.execute(
                f"INSERT INTO club_pointslotuse (entry_id, lot_id, points) VALUES {', '.join(['(%s, %s, %s)'] * len(uses))}",
                [v for use in uses for v in use],
            )
            cur.execute("UPDATE club_pointsaccount SET balance = balance - %s, spent = spent + %s WHERE member_id = %s",
                        [PRICE, PRICE, member])

    return call


def clients(call: Callable[[str, str], None], jobs: list[tuple[str, str]], count: int) -> dict[str, Any]:
    """``count`` threads, each with its own connection, share ``jobs`` (client t takes every
    count-th); the clock runs from when all are connected until the last is done."""
    from django.db import connection, connections

    ready = threading.Barrier(count + 1)
    results: list[tuple[list[float], Counter]] = [([], Counter()) for _ in range(count)]

    def client(t: int) -> None:
        latencies, errors = results[t]
        try:
            with connection.cursor() as cursor:  # connect before the clock starts
                cursor.execute("SELECT 1")
            ready.wait()
            for card_no, key in jobs[t::count]:
                start = time.perf_counter()
                try:
                    call(card_no, key)
                except Exception as exc:  # counted and printed: a finding of the run
                    errors[f"{type(exc).__name__}: {(str(exc).splitlines() or [''])[0][:70]}"] += 1
                    continue
                latencies.append((time.perf_counter() - start) * 1000)
        except threading.BrokenBarrierError:
            pass
        except Exception as exc:
            errors[f"{type(exc).__name__}: {exc}"] += 1
            ready.abort()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=client, args=(t,)) for t in range(count)]
    for thread in threads:
        thread.start()
    ready.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - start
    latencies = [ms for lat, _errors in results for ms in lat]
    errors = sum((e for _lat, e in results), Counter())
    return {
        "wall": wall, "done": len(latencies), "errors": errors, "rate": len(latencies) / wall if wall else 0.0,
        "p50": statistics.median(latencies) if latencies else float("nan"),
        "p99": statistics.quantiles(latencies, n=100)[98] if len(latencies) >= 2 else float("nan"),
    }


def redemption_header(title: str) -> None:
    print(f"{title:<46}{'KAMS/s':>9}{'floor/s':>9}{'ratio':>8}{'p50 ms':>16}{'p99 ms':>16}")


def redemption_line(case: str, kams: dict, floor: dict) -> None:
    ratio = floor["rate"] / kams["rate"] if kams["rate"] else float("nan")
    print(f"{case:<46}{kams['rate']:>9.0f}{floor['rate']:>9.0f}{ratio:>8.1f}"
          f"{kams['p50']:>8.1f} /{floor['p50']:>6.1f}{kams['p99']:>8.1f} /{floor['p99']:>6.1f}")
    for who, result in (("KAMS", kams), ("floor", floor)):
        if result["errors"]:
            failed = "; ".join(f"{n} × {text}" for text, n in result["errors"].most_common(3))
            print(f"{'':46}{who}: {result['done']:,} done, {sum(result['errors'].values()):,} failed ({failed})")


def redemptions(args: argparse.Namespace) -> None:
    from django.db import connection

    from kams.club.selectors import ledger_check

    item, channel = redemption_setup()
    per_card = -(-args.redemptions // args.cards)
    # Enough cards for KAMS and floor, spread and single, and the one-client runs on SQLite.
    pool = Cards(8 * args.cards + 8)
    print(f"\nredemption of FEE10 ({PRICE:,} points) on {vendor()}: {args.redemptions:,} by {args.clients} clients, "
          f"spread over {args.cards:,} cards ({per_card} each), then all on one card")
    redemption_header("case")

    def case(label: str, count: int, single: bool, n_clients: int, tag: str) -> tuple[dict, dict]:
        out = []
        for who, make in (("kams", lambda: kams_redeem(channel)), ("floor", lambda: floor_redeem(item, channel))):
            if single:
                cards = pool.take(1, count * PRICE + PRICE)
            else:
                cards = pool.take(args.cards, per_card * PRICE + PRICE)
            if connection.vendor == "postgresql":
                _vacuum("club_pointsaccount", "club_pointslot", "club_pointsentry", "club_redemption")
            jobs = [(cards[i % len(cards)], f"{tag}-{who}-{i}") for i in range(count)]
            out.append(clients(make(), jobs, n_clients))
        redemption_line(label, *out)
        return out[0], out[1]

    for single in (False, True):
        label = "all on one card" if single else f"spread over {args.cards:,} cards"
        kams_r, floor_r = case(f"{label}, {args.clients} clients", args.redemptions, single, args.clients, f"{'one' if single else 'many'}{args.clients}")
        locked = sum(n for text, n in (kams_r["errors"] + floor_r["errors"]).items() if "locked" in text)
        if connection.vendor == "sqlite" and args.clients > 1:
            # SQLite has one writer at a time: the same case with one client, for comparison
            # (and as the figure to use when clients got "database is locked").
            print(f"{'':46}SQLite: {locked:,} 'database is locked' errors with {args.clients} clients")
            case(f"{label}, 1 client", args.redemptions, single, 1, f"{'one' if single else 'many'}1")

    start = time.perf_counter()
    wrong = ledger_check()
    seconds = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*), COALESCE(SUM(points), 0) FROM club_redemption")
        count, points = cursor.fetchone()
        cursor.execute("SELECT COUNT(*) FROM club_pointsaccount")
        accounts = cursor.fetchone()[0]
    print(f"ledger check over {accounts:,} accounts (entries = balance = lots' remaining): "
          f"{'reconciles' if not wrong else f'{len(wrong):,} accounts DIFFER, e.g. {wrong[:3]}'} "
          f"({count:,} redemptions, {points:,} points; checked in {seconds:.1f} s)")


# --- Main ---------------------------------------------------------------------------------------


def monthly_run(args: argparse.Namespace, built: dict) -> None:
    from django.db import connection

    from kams.club.models import PointsRun
    from kams.system.parameters import param

    chunk = args.chunk_size or param("club.run_chunk_size")
    with connection.cursor() as cursor:
        cursor.execute("SELECT MAX(id) FROM club_clubmember")
        chunks = cursor.fetchone()[0] // chunk + 1
    print(f"\nmonthly points run {PERIOD:%Y-%m}: {built['members']:,} members ({built['active']:,} active), {built['bills']:,} bills "
          f"on {vendor()}, {chunks} chunks of {chunk:,} (median of {args.repeat})")
    header("case")

    def measure(fn: Callable[[], Any]) -> tuple[float, tuple, list[float]]:
        samples, result = [], ()
        for _ in range(args.repeat):
            seconds, _value = timed(fn, reset_ledger)
            samples.append(seconds)
            result = ledger_result()
        return statistics.median(samples), result, samples

    clocks: list[ChunkClock] = []

    def kams() -> Any:
        clocks.append(ChunkClock())
        return run_kams(args.chunk_size, clocks[-1])

    kams_s, kams_result, kams_samples = measure(kams)
    # The same period again: the run is done, nothing may change.
    again_s, again = timed(lambda: run_kams(args.chunk_size))
    again_result = ledger_result()
    floor_s, floor_result, _ = measure(floor_sql)
    one_s, one_result, _ = measure(lambda: floor_sql(one_pass=True))
    same = "equal" if kams_result == floor_result else "DIFFER"
    line("first run of the month", kams_s, floor_s, f"totals {same}: {_fmt(kams_result)}")
    if kams_result != floor_result:
        print(f"{'':46}KAMS  {kams_result}\n{'':46}floor {floor_result}")
    line("  floor with the bills aggregated once", kams_s, one_s, f"totals {'equal' if one_result == kams_result else 'DIFFER'}")
    if one_result != kams_result:
        print(f"{'':46}one pass {one_result}")
    per_chunk = clocks[len(clocks) // 2].seconds[:-1]  # the last chunk is a partial one
    if len(per_chunk) >= 4:
        k = max(1, min(5, len(per_chunk) // 4))
        print(f"{'':46}KAMS samples {', '.join(f'{s:.1f}' for s in kams_samples)} s; a chunk takes "
              f"{statistics.median(per_chunk[:k]):.2f} s (first {k}) … {statistics.median(per_chunk[-k:]):.2f} s (last {k})")
    print(f"{'same period again (run done: nothing to do)':<46}{again_s:>9.3f}{'':>17}  "
          f"state {again.state}; ledger {'unchanged' if again_result == kams_result else 'CHANGED'}")

    # Interrupted after half the chunks, then resumed.
    reset_ledger()
    stop = max(1, chunks // 2)
    first_s, first = timed(lambda: run_kams(args.chunk_size, stop_after=stop))
    state = first.state
    rest_s, rest = timed(lambda: run_kams(args.chunk_size))
    resumed = ledger_result()
    runs = PointsRun.objects.count()
    print(f"{f'interrupted after {stop} chunks, resumed':<46}{first_s + rest_s:>9.2f}{'':>17}  "
          f"{first_s:.2f} s ({state}) + {rest_s:.2f} s ({rest.state}); end state "
          f"{'equals' if resumed == kams_result else 'DIFFERS from'} the uninterrupted run's; {runs} run row")

    if args.cold_stats:
        reset_ledger(cold=True)
        clock = ChunkClock()
        cold_s, _run = timed(lambda: run_kams(args.chunk_size, clock))
        full = clock.seconds[:-1] or clock.seconds
        k = max(1, min(5, len(full) // 4))
        print(f"{'first run, ledger statistics removed':<46}{cold_s:>9.2f}{'':>17}  end state "
              f"{'equals' if ledger_result() == kams_result else 'DIFFERS from'} the run's above; a chunk takes "
              f"{statistics.median(full[:k]):.2f} s (first {k}) … {statistics.median(full[-k:]):.2f} s (last {k})")

    if args.profile:
        import cProfile

        reset_ledger()
        cProfile.runctx("run_kams(chunk_size)", globals(), {"run_kams": run_kams, "chunk_size": args.chunk_size}, args.profile)
        print(f"profile of the run saved to {args.profile}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    pg = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
    parser.add_argument("--members", type=int, default=1_000_000 if pg else 100_000, help="club members (and bills)")
    parser.add_argument("--chunk-size", type=int, default=None, help="members per chunk of the run (default: the parameter)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of the month by KAMS and by each floor; the median is printed")
    parser.add_argument("--redemptions", type=int, default=4000, help="redemptions per case (KAMS and floor each)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent client threads")
    parser.add_argument("--cards", type=int, default=2000, help="cards the spread case redeems on")
    parser.add_argument("--part", choices=("all", "run", "redeem"), default="all")
    parser.add_argument("--cold-stats", action="store_true",
                        help="also time one KAMS run with the ledger's planner statistics removed (never analysed)")
    parser.add_argument("--profile", metavar="FILE", help="also run KAMS's monthly run under cProfile and save the stats")
    args = parser.parse_args()

    _drop_pg_database()
    setup("club")
    built = build(args.members)
    if args.part in ("all", "run"):
        monthly_run(args, built)
    elif args.part == "redeem":
        reset_ledger()
        run_kams(args.chunk_size)  # the members' run lots, as after a month
    if args.part in ("all", "redeem"):
        redemptions(args)


if __name__ == "__main__":
    main()
