"""Writes of billing data: importing a period's bills (INT-01, CUS-10, INT-06).

``bill_import_create`` stores the file and queues the job; ``bill_import_run`` (run by
``kams worker``) validates every row first and, only if all are good, replaces the period's
bills in one transaction and reconciles the result against the file's own totals. Running
it again on the same import gives the same result; an interrupted run leaves nothing.
"""

from __future__ import annotations

import datetime
import hashlib
import itertools
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from kams.audit.services import audit_record
from kams.billing.errors import BadPeriod, UnsupportedFile
from kams.billing.importer import Scan, read_rows
from kams.billing.models import FEE_FIELDS, BillImport, BillSummary, ImportState
from kams.customers.models import PayingAccount
from kams.org.scoping import require_perm
from kams.system.jobs import job_run
from kams.system.models import JobRun
from kams.system.parameters import param

CHUNK = 5000
INSERT_COLUMNS = ("period", "customer_id", "account_id", "msisdn", *FEE_FIELDS, "total", "paid", "arrears", "due_on", "paid_on", "batch_id")


def parse_period(value: str) -> datetime.date:
    try:
        period = datetime.datetime.strptime(value.strip(), "%Y-%m").date()
    except (AttributeError, ValueError):
        raise BadPeriod(value=value) from None
    if period > datetime.date.today():
        raise BadPeriod(value=value)
    return period


@transaction.atomic
def bill_import_create(*, actor: Any, upload: Any, period: str) -> BillImport:
    """Store an uploaded billing file for ``period`` and queue its import."""
    require_perm(actor, "billing.add_billimport")
    month = parse_period(period)
    suffix = Path(upload.name).suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise UnsupportedFile()
    if upload.size > param("billing.import_max_mb") * 1024 * 1024:
        raise UnsupportedFile(_("file: the file is larger than %(limit)s MB.") % {"limit": param("billing.import_max_mb")})
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    job = JobRun.objects.create(name="billing.import", label=_("Billing import %(period)s") % {"period": f"{month:%Y-%m}"}, started_by=actor)
    batch = BillImport(period=month, file_name=upload.name[:200], sha256=digest.hexdigest(), created_by=actor, job=job)
    batch.file.save(upload.name, upload, save=False)
    batch.save()
    job.params = {"import": batch.pk, "period": f"{month:%Y-%m}", "file": batch.file_name}
    job.save(update_fields=["params"])
    audit_record(actor=actor, action="billing.import_create", target=batch, after={"period": f"{month:%Y-%m}", "file": batch.file_name, "sha256": batch.sha256})
    transaction.on_commit(lambda: _enqueue(batch.pk))
    return batch


def _enqueue(batch_id: int) -> None:
    from kams.billing.tasks import bill_import_task

    bill_import_task.enqueue(batch_id=batch_id)


def bill_import_run(*, batch_id: int, echo: bool = False) -> BillImport:
    """Validate, then load. Called outside any transaction (the job's progress must be
    visible while it runs)."""
    batch = BillImport.objects.get(pk=batch_id)
    path = Path(batch.file.path)
    accounts = dict(PayingAccount.objects.values_list("account_no", "pk"))
    with job_run("billing.import", run=batch.job, echo=echo, total=0) as job:
        scan = Scan()
        job.advance(0, _("validating"))
        for _row in read_rows(path, period=batch.period, accounts=accounts, scan=scan):
            if scan.rows % CHUNK == 0:
                job.advance(0, _("validated %(n)s rows") % {"n": scan.rows})
        if scan.error_count:
            batch.state = ImportState.REJECTED
            batch.errors = [e.as_dict() for e in scan.errors]
            batch.error_count = scan.error_count
            batch.row_count = scan.rows
            batch.save(update_fields=["state", "errors", "error_count", "row_count"])
            job.run.message = _("rejected: %(n)s problems") % {"n": scan.error_count}
            job.run.result = {"state": batch.state, "errors": scan.error_count}
            return batch
        job.set_total(scan.rows)
        bill_import_load(batch, path, accounts, scan, progress=job)
        job.run.result = {"state": batch.state, "rows": batch.row_count, "total": str(batch.total)}
    return batch


@transaction.atomic
def bill_import_load(batch: BillImport, path: Path, accounts: dict[str, int], scan: Scan, progress: Any = None) -> None:
    """Replace the period's bills with the file's rows and reconcile. Precondition: the
    file was validated (``scan`` has no errors). ``progress`` is a job's progress, if any."""
    customer_of = dict(PayingAccount.objects.values_list("pk", "customer_id"))
    BillSummary.objects.filter(period=batch.period).delete()
    BillImport.objects.filter(period=batch.period, state=ImportState.IMPORTED).exclude(pk=batch.pk).update(superseded=True)
    # The rows go in with the driver's batch call (COPY on PostgreSQL, executemany on
    # SQLite), a chunk at a time: building a model instance per row and bulk_create's
    # per-value preparation cost several times the database's own work.
    table = connection.ops.quote_name(BillSummary._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in INSERT_COLUMNS)
    zero = Decimal("0")

    def values() -> Iterator[tuple]:
        for row in read_rows(path, period=batch.period, accounts=accounts):
            account_id = accounts[row.account_no]
            yield (
                batch.period, customer_of[account_id], account_id, row.msisdn, *(row.fees[f] for f in FEE_FIELDS),
                row.total, row.paid, max(row.total - row.paid, zero), row.due_on, row.paid_on, batch.pk,
            )

    insert = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(INSERT_COLUMNS))})"
    rows = values()
    with connection.cursor() as cursor:
        copy = connection.vendor == "postgresql" and hasattr(cursor.cursor, "copy")  # psycopg 3
        while chunk := list(itertools.islice(rows, CHUNK)):
            if copy:
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as stream:
                    for row in chunk:
                        stream.write_row(row)
            else:
                cursor.executemany(insert, chunk)
            if progress is not None:
                progress.advance(len(chunk))
    stored = BillSummary.objects.filter(period=batch.period).aggregate(rows=Count("id"), total=Sum("total"), paid=Sum("paid"))
    batch.state = ImportState.IMPORTED
    batch.row_count = scan.rows
    batch.total = scan.total
    batch.paid = scan.paid
    batch.errors, batch.error_count = [], 0
    batch.reconciliation = reconciliation(batch, scan, stored)
    batch.save()
    audit_record(
        actor=batch.created_by,
        action="billing.import_load",
        target=batch,
        after={"period": f"{batch.period:%Y-%m}", "rows": batch.row_count, "total": str(batch.total), "paid": str(batch.paid)},
    )


def reconciliation(batch: BillImport, scan: Scan, stored: dict) -> dict:
    """INT-06 parallel run: the file's own control totals, the sums of its rows and what
    KAMS now holds for the period, side by side, plus the biggest customers' totals for
    spot checks against the old system."""
    top = (
        BillSummary.objects.filter(period=batch.period)
        .values("customer__code", "customer__name")
        .annotate(total=Sum("total"), paid=Sum("paid"), arrears=Sum("arrears"), rows=Count("id"))
        .order_by("-total")[:20]
    )
    by_business = BillSummary.objects.filter(period=batch.period).aggregate(**{f: Sum(f) for f in FEE_FIELDS})
    def figures(rows: Any, total: Any, paid: Any) -> dict:
        cent = Decimal("0.01")
        return {"rows": int(rows), "total": str(Decimal(total or 0).quantize(cent)), "paid": str(Decimal(paid or 0).quantize(cent))}

    file_rows = figures(scan.rows, scan.total, scan.paid)
    in_kams = figures(stored["rows"], stored["total"], stored["paid"])
    control = figures(scan.control["rows"], scan.control["total"], scan.control["paid"]) if scan.control else None
    return {
        "control": scan.control,
        "file": file_rows,
        "kams": in_kams,
        "matches": file_rows == in_kams and (control is None or control == file_rows),
        "by_business": {k: str(v or Decimal("0")) for k, v in by_business.items()},
        "top_customers": [
            {"code": r["customer__code"], "name": r["customer__name"], "rows": r["rows"], "total": str(r["total"]), "paid": str(r["paid"]), "arrears": str(r["arrears"])}
            for r in top
        ],
    }


def bill_import_now(*, period: datetime.date, content: bytes, file_name: str, actor: Any = None) -> BillImport:
    """Validate and load a billing file at once, without the job queue: for loaders that
    run in a transaction of their own (the demo, tests, one-off migrations of history).
    Raises ``BillFileInvalid`` with the problems when the file does not validate."""
    import tempfile

    from django.core.files.base import ContentFile

    from kams.billing.errors import BillFileInvalid

    batch = BillImport(period=period, file_name=file_name[:200], sha256=hashlib.sha256(content).hexdigest(), created_by=actor)
    batch.file.save(file_name, ContentFile(content), save=False)
    batch.save()
    accounts = dict(PayingAccount.objects.values_list("account_no", "pk"))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(file_name).name
        path.write_bytes(content)
        scan = Scan()
        for _row in read_rows(path, period=period, accounts=accounts, scan=scan):
            pass
        if scan.error_count:
            raise BillFileInvalid(count=scan.error_count, first=scan.errors[0].as_dict())
        bill_import_load(batch, path, accounts, scan)
    return batch
