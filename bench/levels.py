"""The monthly level evaluation (CUS-07) against the bare-SQL floor of the same work.

Builds ``--customers`` customers (group, high-end and key individual; a few historical),
one paying account each and three months of bills each, then times two cases, each from
the same starting state (reset untimed before every run):

* first evaluation: no customer has a level yet, so every current customer changes;
* monthly re-evaluation: levels are as the rule gives them except for one customer in ten.

KAMS is ``levels_evaluate()`` (changes applied at once: the default parameter). The floor
does the same work in SQL in one transaction: the evaluation row, one aggregate of the
average monthly revenue per current customer over the latest billed months with the target
level computed by a CASE over the level table (in ``pick_level``'s order) into a temporary
table, one INSERT … SELECT of the change records, one UPDATE … FROM of the customers, and
the counts of evaluated customers, upgrades and downgrades. Both results are compared.
"""

from __future__ import annotations

import argparse
import datetime
import random
from decimal import Decimal

from common import analyze, bulk_insert, header, line, org_units, setup, timed, vendor

PERIODS = [datetime.date(2026, 8, 1), datetime.date(2026, 9, 1), datetime.date(2026, 10, 1)]


def build(count: int) -> None:
    from django.db import connection

    from kams.billing.models import BillImport, ImportState
    from kams.customers.enums import CustomerStatus, CustomerType
    from kams.customers.models import Customer, PayingAccount

    rnd = random.Random(15)
    districts = org_units()
    today = datetime.date.today()

    def customer(n: int) -> dict:
        kind = rnd.choices([CustomerType.GROUP, CustomerType.HIGH_END, CustomerType.KEY_INDIVIDUAL], weights=[40, 35, 25])[0]
        # Revenue spread over every threshold of the level table (log-uniform).
        low, high = (500, 300_000) if kind == CustomerType.GROUP else (50, 3_000)
        revenue = Decimal(str(round(low * (high / low) ** rnd.random(), 2)))
        return {
            "code": f"L{n:08d}", "name": f"客户{n}", "customer_type": kind,
            "status": CustomerStatus.HISTORICAL if rnd.random() < 0.03 else CustomerStatus.CURRENT,
            "org_unit_id": districts[n % len(districts)], "expected_monthly_revenue": revenue,
            "joined_on": today - datetime.timedelta(days=rnd.randint(0, 15 * 365)),
        }

    bulk_insert(Customer, (customer(n) for n in range(count)))
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO customers_payingaccount (customer_id, account_no, name, status, payment_method, bank_name, bank_account, "
            "cancelled_with_customer, created_at, updated_at) SELECT id, code, name, 'active', 'bank', '', '', %s, "
            "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM customers_customer",
            [False],
        )
        for index, period in enumerate(PERIODS):
            batch = BillImport.objects.create(period=period, file_name="bench", sha256="-", state=ImportState.IMPORTED)
            # The month's bill: the expected revenue × a factor in [0.85, 1.15] drawn from the id.
            amount = f"ROUND(c.expected_monthly_revenue * (85 + (c.id * 37 + {index * 11}) %% 31) / 100.0, 2)"
            cursor.execute(
                "INSERT INTO billing_billsummary (period, customer_id, account_id, msisdn, fee_mobile, fee_data, fee_voip, "
                "fee_long_distance, fee_local, fee_leased_line, fee_internet, total, paid, arrears, due_on, paid_on, batch_id) "
                f"SELECT %s, c.id, a.id, '', {amount}, 0, 0, 0, 0, 0, 0, {amount}, {amount}, 0, NULL, NULL, %s "
                "FROM customers_customer c JOIN customers_payingaccount a ON a.customer_id = c.id",
                [period, batch.pk],
            )
    analyze()
    print(
        f"database: {connection.vendor}; {Customer.objects.count()} customers "
        f"({Customer.objects.filter(status=CustomerStatus.CURRENT).count()} current), "
        f"{PayingAccount.objects.count()} accounts, {count * len(PERIODS)} bills over {len(PERIODS)} months"
    )


# --- Resetting to the starting state of a case -------------------------------------------------

def clear_evaluations() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM customers_levelchange")
        cursor.execute("DELETE FROM customers_levelevaluation")


def reset_first() -> None:
    """No customer has a level."""
    from django.db import connection

    clear_evaluations()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE customers_customer SET level_id = NULL")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE customers_customer")


def reset_monthly(correct: dict[int, int | None]) -> None:
    """Levels as the rule gives them (``correct``), but one customer in ten has none."""
    from django.db import connection

    clear_evaluations()
    by_level: dict[int | None, list[int]] = {}
    for pk, level in correct.items():
        by_level.setdefault(None if pk % 10 == 0 else level, []).append(pk)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE customers_customer SET level_id = NULL")
        for level, ids in by_level.items():
            if level is not None:
                for start in range(0, len(ids), 5000):
                    chunk = ids[start : start + 5000]
                    cursor.execute(f"UPDATE customers_customer SET level_id = %s WHERE id IN ({', '.join(['%s'] * len(chunk))})", [level, *chunk])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE customers_customer")


def levels_now() -> dict[int, int | None]:
    from kams.customers.models import Customer

    return dict(Customer.objects.values_list("pk", "level_id"))


# --- KAMS and the floor ----------------------------------------------------------------------

def run_kams() -> tuple:
    from kams.customers.levels import levels_evaluate

    evaluation = levels_evaluate()
    return evaluation.evaluated, evaluation.upgrades, evaluation.downgrades


def floor_sql() -> tuple:
    """The same evaluation, set-based in SQL."""
    from django.db import connection, transaction
    from django.utils import timezone

    from kams.customers.levels import level_table
    from kams.system.parameters import param

    months = param("billing.revenue_months")
    today = timezone.localdate()
    now = timezone.now()
    pg = connection.vendor == "postgresql"
    levels = level_table()
    whens, params = [], []
    for level in levels:  # pick_level's order: the first level that qualifies
        types = list(level.category.customer_types)
        whens.append(f"WHEN c.customer_type IN ({', '.join(['%s'] * len(types))}) AND r.revenue >= %s AND {{tenure}} >= %s THEN %s")
        # SQLite would compare a Decimal (bound as text) with a number as text: bind a float.
        params += [*types, level.min_monthly_revenue if pg else float(level.min_monthly_revenue), level.min_tenure_months, level.pk]
    rank_case = "CASE {col} " + " ".join(f"WHEN {level.pk} THEN {level.rank}" for level in levels) + " ELSE 99 END"
    if pg:
        tenure = f"GREATEST(0, {today.year * 12 + today.month} - (EXTRACT(YEAR FROM c.joined_on)::int * 12 + EXTRACT(MONTH FROM c.joined_on)::int))"
        temp = "CREATE TEMP TABLE level_target ON COMMIT DROP AS "
        differs = "IS DISTINCT FROM"
    else:
        tenure = f"MAX(0, {today.year * 12 + today.month} - (CAST(substr(c.joined_on, 1, 4) AS INTEGER) * 12 + CAST(substr(c.joined_on, 6, 2) AS INTEGER)))"
        temp = "CREATE TEMP TABLE level_target AS "
        differs = "IS NOT"
    tenure = f"COALESCE({tenure}, 0)"
    target_case = "CASE " + " ".join(w.format(tenure=tenure) for w in whens) + " END"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT period FROM billing_billsummary ORDER BY period DESC LIMIT %s", [months])
        periods = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "INSERT INTO customers_levelevaluation (period, months, needs_approval, evaluated, upgrades, downgrades, created_at) "
            "VALUES (%s, %s, %s, 0, 0, 0, %s) RETURNING id",
            [periods[0], months, False, now],
        )
        evaluation = cursor.fetchone()[0]
        in_periods = ", ".join(["%s"] * len(periods))
        cursor.execute(
            temp
            + f"SELECT c.id AS customer_id, c.level_id AS old_level_id, {target_case} AS new_level_id, r.revenue, {tenure} AS tenure "
            "FROM (SELECT b.customer_id, ROUND(SUM(b.total) * 1.0 / COUNT(DISTINCT b.period), 2) AS revenue FROM billing_billsummary b "
            f"JOIN customers_customer k ON k.id = b.customer_id WHERE b.period IN ({in_periods}) AND k.status = %s "
            "GROUP BY b.customer_id) r JOIN customers_customer c ON c.id = r.customer_id",
            [*params, *periods, "current"],
        )
        cursor.execute(
            "INSERT INTO customers_levelchange (customer_id, old_level_id, new_level_id, revenue, tenure_months, state, evaluation_id, "
            "reason, decided_at, created_at) SELECT customer_id, old_level_id, new_level_id, revenue, tenure, 'applied', %s, '', %s, %s "
            f"FROM level_target WHERE new_level_id {differs} old_level_id AND customer_id NOT IN "
            "(SELECT customer_id FROM customers_levelchange WHERE state = 'proposed')",
            [evaluation, now, now],
        )
        cursor.execute(
            "UPDATE customers_customer SET level_id = x.new_level_id, updated_at = %s FROM customers_levelchange x "
            "WHERE x.evaluation_id = %s AND x.customer_id = customers_customer.id",
            [now, evaluation],
        )
        new_rank, old_rank = rank_case.format(col="new_level_id"), rank_case.format(col="old_level_id")
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM level_target), COALESCE(SUM(CASE WHEN {new_rank} < {old_rank} THEN 1 ELSE 0 END), 0), "
            f"COALESCE(SUM(CASE WHEN {new_rank} > {old_rank} THEN 1 ELSE 0 END), 0) FROM customers_levelchange WHERE evaluation_id = %s",
            [evaluation],
        )
        counts = tuple(int(v) for v in cursor.fetchone())
        cursor.execute("UPDATE customers_levelevaluation SET evaluated = %s, upgrades = %s, downgrades = %s WHERE id = %s", [*counts, evaluation])
        if not pg:
            cursor.execute("DROP TABLE level_target")
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each; the median is printed")
    parser.add_argument("--profile", metavar="FILE", help="also run KAMS's first evaluation under cProfile and save the stats")
    args = parser.parse_args()

    import statistics

    setup("levels")
    build(args.customers)

    def measure(fn, reset) -> tuple[float, tuple, dict]:
        samples, result = [], None
        for _ in range(args.repeat):
            seconds, result = timed(fn, reset)
            samples.append(seconds)
        return statistics.median(samples), result, levels_now()

    print(f"\nlevel evaluation, {args.customers:,} customers × {len(PERIODS)} months of bills on {vendor()} (median of {args.repeat})")
    header("case")
    kams_s, kams_counts, kams_levels = measure(run_kams, reset_first)
    floor_s, floor_counts, floor_levels = measure(floor_sql, reset_first)
    mismatches = sum(kams_levels[pk] != floor_levels[pk] for pk in kams_levels)
    line("first evaluation (every customer changes)", kams_s, floor_s, f"evaluated/up/down {kams_counts} vs {floor_counts}; {mismatches} levels differ")

    correct = kams_levels
    reset_monthly_ = lambda: reset_monthly(correct)  # noqa: E731
    kams_s, kams_counts, kams_levels = measure(run_kams, reset_monthly_)
    floor_s, floor_counts, floor_levels = measure(floor_sql, reset_monthly_)
    mismatches = sum(kams_levels[pk] != floor_levels[pk] for pk in kams_levels)
    line("monthly re-evaluation (1 in 10 changes)", kams_s, floor_s, f"evaluated/up/down {kams_counts} vs {floor_counts}; {mismatches} levels differ")

    if args.profile:
        import cProfile

        reset_first()
        cProfile.runctx("run_kams()", globals(), {"run_kams": run_kams}, args.profile)
        print(f"profile saved to {args.profile}")


if __name__ == "__main__":
    main()
