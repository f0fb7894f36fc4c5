"""Import of one month's billing file (INT-01) against the bare-SQL floor of the same work.

Builds customers with five paying accounts each and a billing file of ``--rows`` rows (one
period, the documented CSV format with its TOTAL control line), then times:

* KAMS: ``bill_import_run`` as the worker runs it — the validating pass over every row,
  then ``bill_import_load`` (one transaction: delete the period, ``bulk_create`` in
  chunks, reconciliation aggregates, audit), with its job progress;
* the floor: the same rows into the same table after the same delete, in one transaction,
  with no validation, then the same reconciliation aggregates. On PostgreSQL, ``COPY`` of
  the file into a temporary table and one INSERT … SELECT joining the accounts (and, for
  reference, the file parsed with the csv module and the rows COPYed into the table); on
  SQLite, the file parsed with the csv module and one ``executemany`` INSERT.

Before each timed run the period is emptied (untimed), so every run starts alike.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import random
import time
from pathlib import Path

from common import analyze, bulk_insert, header, line, org_units, setup, timed, vendor

PERIOD = datetime.date(2026, 10, 1)
ACCOUNTS_PER_CUSTOMER = 5


def write_csv(path: Path, accounts: list[str], rows: int, seed: int = 15) -> None:
    """The billing file: ``rows`` numbers spread evenly over the accounts."""
    from kams.billing.importer import COLUMNS, TRAILER

    rnd = random.Random(seed)
    per_account = -(-rows // len(accounts))
    due = (PERIOD.replace(day=28) + datetime.timedelta(days=18)).isoformat()
    paid_day = (PERIOD.replace(day=28) + datetime.timedelta(days=13)).isoformat()
    period = f"{PERIOD:%Y-%m}"

    def yuan(cents: int) -> str:
        return f"{cents // 100}.{cents % 100:02d}"

    total_cents = paid_cents = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)  # period, account_no, msisdn, 7 fees, total, paid, due_on, paid_on
        for n in range(rows):
            account = accounts[n // per_account]
            mobile, data, local = rnd.randint(1000, 30000), rnd.randint(0, 20000), rnd.randint(0, 3000)
            voip = rnd.randint(0, 500) if n % 7 == 0 else 0
            total = mobile + data + local + voip
            unpaid = n % 20 == 0
            writer.writerow(
                [period, account, f"{13_800_000_000 + n}", yuan(mobile), yuan(data), yuan(voip), "0.00", yuan(local), "0.00", "0.00",
                 yuan(total), "0.00" if unpaid else yuan(total), due, "" if unpaid else paid_day]
            )
            total_cents += total
            paid_cents += 0 if unpaid else total
        writer.writerow([TRAILER, rows, yuan(total_cents), yuan(paid_cents)])


def build(rows: int, work: Path) -> tuple[Path, int]:
    from django.conf import settings
    from django.db import connection

    from kams.customers.enums import CustomerStatus, CustomerType
    from kams.customers.models import Customer, PayingAccount

    districts = org_units()
    accounts_needed = max(1, rows // 20)
    customers = -(-accounts_needed // ACCOUNTS_PER_CUSTOMER)
    today = datetime.date.today()
    bulk_insert(
        Customer,
        (
            {"code": f"B{n:08d}", "name": f"客户{n}", "customer_type": CustomerType.GROUP, "status": CustomerStatus.CURRENT,
             "org_unit_id": districts[n % len(districts)], "joined_on": today - datetime.timedelta(days=n % 5000)}
            for n in range(customers)
        ),
    )
    ids = list(Customer.objects.order_by("pk").values_list("pk", flat=True))
    bulk_insert(
        PayingAccount,
        ({"customer_id": pk, "account_no": f"{pk * 10 + k:012d}", "name": f"帐户{pk}-{k}"} for pk in ids for k in range(ACCOUNTS_PER_CUSTOMER)),
    )
    analyze()
    accounts = list(PayingAccount.objects.order_by("account_no").values_list("account_no", flat=True))[:accounts_needed]
    path = Path(settings.MEDIA_ROOT) / "billing" / "imports" / "bench" / f"bills-{PERIOD:%Y-%m}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    write_csv(path, accounts, rows)
    print(
        f"database: {connection.vendor}; {len(ids)} customers, {PayingAccount.objects.count()} accounts "
        f"({len(accounts)} billed); file {path.stat().st_size / 1e6:.0f} MB, {rows} rows, written in {time.perf_counter() - start:.1f} s"
    )
    return path, len(accounts)


def new_batch(path: Path):
    from django.conf import settings

    from kams.billing.models import BillImport
    from kams.system.models import JobRun

    job = JobRun.objects.create(name="billing.import", label=f"bench {PERIOD:%Y-%m}")
    return BillImport.objects.create(
        period=PERIOD, file=str(path.relative_to(settings.MEDIA_ROOT)), file_name=path.name, sha256="-", job=job
    )


def empty_period() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM billing_billsummary")
    if connection.vendor == "postgresql":  # outside a transaction: reclaim the deleted rows
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE billing_billsummary")


# --- KAMS ------------------------------------------------------------------------------------

def run_kams(path: Path) -> dict:
    from kams.billing import services
    from kams.billing.models import ImportState

    marks: dict[str, float] = {}
    load, reconcile = services.bill_import_load, services.reconciliation

    def timed_load(*args, **kwargs):
        marks["load"] = time.perf_counter()
        return load(*args, **kwargs)

    def timed_reconciliation(*args, **kwargs):
        marks["reconcile"] = time.perf_counter()
        try:
            return reconcile(*args, **kwargs)
        finally:
            marks["reconciled"] = time.perf_counter()

    batch = new_batch(path)
    services.bill_import_load, services.reconciliation = timed_load, timed_reconciliation
    try:
        start = time.perf_counter()
        batch = services.bill_import_run(batch_id=batch.pk)
        end = time.perf_counter()
    finally:
        services.bill_import_load, services.reconciliation = load, reconcile
    assert batch.state == ImportState.IMPORTED and batch.reconciliation["matches"], (batch.state, batch.errors[:3])
    return {
        "validate": marks["load"] - start,
        "insert": marks["reconcile"] - marks["load"],
        "reconcile": marks["reconciled"] - marks["reconcile"],
        "rows": batch.row_count,
        "total": batch.total,
        "end": end - start,
    }


# --- The floor ---------------------------------------------------------------------------------

COLUMNS = ("period, customer_id, account_id, msisdn, fee_mobile, fee_data, fee_voip, fee_long_distance, fee_local, "
           "fee_leased_line, fee_internet, total, paid, arrears, due_on, paid_on, batch_id")


def reconcile_sql(cursor, period: str) -> tuple:
    """The reconciliation's three aggregates (rows and sums; by line of business; top 20
    customers), as KAMS computes them."""
    cursor.execute("SELECT COUNT(*), SUM(total), SUM(paid) FROM billing_billsummary WHERE period = %s", [period])
    stored = cursor.fetchone()
    cursor.execute(
        "SELECT SUM(fee_mobile), SUM(fee_data), SUM(fee_voip), SUM(fee_long_distance), SUM(fee_local), SUM(fee_leased_line), "
        "SUM(fee_internet) FROM billing_billsummary WHERE period = %s", [period]
    )
    cursor.fetchone()
    cursor.execute(
        "SELECT c.code, c.name, SUM(b.total) AS t, SUM(b.paid), SUM(b.arrears), COUNT(b.id) FROM billing_billsummary b "
        "JOIN customers_customer c ON c.id = b.customer_id WHERE b.period = %s GROUP BY c.code, c.name ORDER BY t DESC LIMIT 20",
        [period],
    )
    cursor.fetchall()
    return stored


def floor_pg_staged(path: Path) -> tuple:
    from django.db import connection, transaction

    batch = new_batch(path)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM billing_billsummary WHERE period = %s", [PERIOD])
        cursor.execute(
            "CREATE TEMP TABLE bill_file (period text, account_no text, msisdn text, mobile numeric, data numeric, voip numeric, "
            "long_distance numeric, local numeric, leased_line numeric, internet numeric, total numeric, paid numeric, due_on text, "
            "paid_on text) ON COMMIT DROP"
        )
        # The TOTAL line has too few cells for the table's columns: leave it out of the stream.
        with path.open("rb") as handle, cursor.cursor.copy("COPY bill_file FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
            size = path.stat().st_size
            handle.seek(max(0, size - 4096))
            tail = handle.read()
            left = size - len(tail) + tail.rfind(b"\nTOTAL,") + 1
            handle.seek(0)
            while left > 0 and (chunk := handle.read(min(1 << 20, left))):
                copy.write(chunk)
                left -= len(chunk)
        cursor.execute(
            f"INSERT INTO billing_billsummary ({COLUMNS}) SELECT %s, a.customer_id, a.id, f.msisdn, f.mobile, f.data, f.voip, "
            "f.long_distance, f.local, f.leased_line, f.internet, f.total, f.paid, GREATEST(f.total - f.paid, 0), "
            "NULLIF(f.due_on, '')::date, NULLIF(f.paid_on, '')::date, %s "
            "FROM bill_file f JOIN customers_payingaccount a ON a.account_no = f.account_no",
            [PERIOD, batch.pk],
        )
        return reconcile_sql(cursor, PERIOD)


def _parsed(path: Path, accounts: dict[str, tuple[int, int]], batch_id: int, period: str, sqlite: bool):
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        for r in reader:
            if r[0] == "TOTAL":
                break
            account_id, customer_id = accounts[r[1]]
            if sqlite:  # arrears is computed by the INSERT
                yield (period, customer_id, account_id, r[2], *r[3:12], r[10], r[11], r[12] or None, r[13] or None, batch_id)
            else:
                yield (period, customer_id, account_id, r[2], *r[3:12], None, r[12] or None, r[13] or None, batch_id)


def floor_parsed(path: Path) -> tuple:
    """csv module + account lookup in a dict + executemany (SQLite) or COPY rows (PostgreSQL)."""
    from django.db import connection, transaction

    batch = new_batch(path)
    period = PERIOD.isoformat()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT account_no, id, customer_id FROM customers_payingaccount")
        accounts = {no: (pk, customer) for no, pk, customer in cursor.fetchall()}
        cursor.execute("DELETE FROM billing_billsummary WHERE period = %s", [period])
        rows = _parsed(path, accounts, batch.pk, period, connection.vendor == "sqlite")
        if connection.vendor == "sqlite":
            cursor.cursor.executemany(
                f"INSERT INTO billing_billsummary ({COLUMNS}) VALUES ({', '.join(['?'] * 13)}, MAX(? - ?, 0), ?, ?, ?)", rows
            )
        else:
            # arrears is not in the file: COPY the rows, then one UPDATE would double the
            # writes; compute it here from the two strings instead.
            with cursor.cursor.copy(f"COPY billing_billsummary ({COLUMNS}) FROM STDIN") as copy:
                for row in rows:
                    total, paid = row[11], row[12]
                    arrears = "0" if paid == total else _minus(total, paid)
                    copy.write_row((*row[:13], arrears, *row[14:]))
        return reconcile_sql(cursor, period)


def _minus(total: str, paid: str) -> str:
    from decimal import Decimal

    return str(max(Decimal(total) - Decimal(paid), Decimal(0)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1, help="timed runs of each; the best is printed")
    parser.add_argument("--profile", metavar="FILE", help="also run KAMS once under cProfile and save the stats")
    args = parser.parse_args()

    work = setup("billing")
    path, _accounts = build(args.rows, work)
    pg = vendor() == "postgresql"

    floors = {"floor: csv + executemany" if not pg else "floor: csv + COPY rows": floor_parsed}
    if pg:
        floors = {"floor: COPY file + INSERT…SELECT": floor_pg_staged, **floors}
    floor_times: dict[str, float] = {}
    for name, fn in floors.items():
        best = None
        for _ in range(args.repeat):
            seconds, stored = timed(lambda: fn(path), empty_period)
            assert int(stored[0]) == args.rows, stored
            best = seconds if best is None else min(best, seconds)
        floor_times[name] = best
    kams = None
    for _ in range(args.repeat):
        empty_period()
        phases = run_kams(path)
        kams = phases if kams is None or phases["end"] < kams["end"] else kams
    assert kams["rows"] == args.rows

    floor_name = min(floor_times, key=floor_times.get)
    floor = floor_times[floor_name]
    print(f"\nbill import, {args.rows:,} rows, one period (best of {args.repeat}); ratio = KAMS / {floor_name.removeprefix('floor: ')}")
    header("case")
    line("import (validate + load + reconcile)", kams["end"], floor, f"{args.rows / kams['end']:,.0f} rows/s vs {args.rows / floor:,.0f} rows/s")
    print(f"{'  of which validating pass':<46}{kams['validate']:>9.2f}")
    print(f"{'  of which delete + second read + insert':<46}{kams['insert']:>9.2f}")
    print(f"{'  of which reconciliation aggregates':<46}{kams['reconcile']:>9.2f}")
    rest = kams["end"] - kams["validate"] - kams["insert"] - kams["reconcile"]
    print(f"{'  of which audit + commit (deferred FK checks)':<46}{rest:>9.2f}")
    for name, seconds in floor_times.items():
        print(f"{name:<46}{'':>9}{seconds:>9.2f}{'':>8}  {args.rows / seconds:,.0f} rows/s")

    if args.profile:
        import cProfile

        empty_period()
        cProfile.runctx("run_kams(path)", globals(), {"run_kams": run_kams, "path": path}, args.profile)
        print(f"profile saved to {args.profile}")


if __name__ == "__main__":
    main()
