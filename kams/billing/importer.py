"""Reading and checking billing files (INT-01). The format is documented in
``docs/formats/billing-import.md``; ``kams/billing/samples/bills-2026-10.csv`` is an example.

A file is read twice, streaming: the first pass validates every row and reports every bad
one (line, column, reason) without writing anything; only a clean file is read again and
loaded, in one transaction, replacing the period (``kams.billing.services``).
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Iterator

from django.utils.translation import gettext as _

from kams.billing.models import FEE_FIELDS

# File column → model field. The file names the lines of business without the fee_ prefix.
FEE_COLUMNS = {name.removeprefix("fee_"): name for name in FEE_FIELDS}
COLUMNS = ["period", "account_no", "msisdn", *FEE_COLUMNS, "total", "paid", "due_on", "paid_on"]
REQUIRED = {"period", "account_no", *FEE_COLUMNS, "total", "paid"}
TRAILER = "TOTAL"
MAX_REPORTED_ERRORS = 500
CENT = Decimal("0.01")
NUMBER = re.compile(r"^\d{5,20}$")


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    reason: str

    def as_dict(self) -> dict:
        return {"line": self.line, "column": self.column, "reason": self.reason}


@dataclass
class Row:
    line: int
    account_no: str
    msisdn: str
    fees: dict[str, Decimal]
    total: Decimal
    paid: Decimal
    due_on: datetime.date | None
    paid_on: datetime.date | None


@dataclass
class Scan:
    """What the validating pass found."""

    rows: int = 0
    total: Decimal = Decimal("0")
    paid: Decimal = Decimal("0")
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    control: dict[str, Any] | None = None

    def add_error(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(error)


def _cells(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells as text) of a CSV (UTF-8, with or without BOM; GBK accepted) or
    of the first sheet of an .xlsx file."""
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            for number, values in enumerate(workbook.worksheets[0].iter_rows(values_only=True), start=1):
                yield number, [_xlsx_text(v) for v in values]
        finally:
            workbook.close()
        return
    raw = path.read_bytes()[:4096]
    encoding = "utf-8-sig"
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        encoding = "gb18030"  # files saved by Excel on Chinese Windows
    with path.open(encoding=encoding, newline="") as handle:
        for number, values in enumerate(csv.reader(handle), start=1):
            yield number, [v.strip() for v in values]


def _xlsx_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        return format(Decimal(str(value)), "f")
    return str(value).strip()


def _money(value: str) -> Decimal:
    amount = Decimal(value.replace(",", ""))
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(CENT):
        raise InvalidOperation
    return amount


def _date(value: str) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def read_rows(path: Path, *, period: datetime.date, accounts: dict[str, Any], scan: Scan | None = None) -> Iterator[Row]:
    """Yield the good rows; record every problem in ``scan``. ``accounts`` maps account
    numbers known to KAMS to anything (their ids)."""
    scan = scan if scan is not None else Scan()
    header: list[str] | None = None
    seen: set[tuple[str, str]] = set()
    expected_period = f"{period:%Y-%m}"
    for line, cells in _cells(path):
        if not any(cells):
            continue
        if header is None:
            header = [c.lower() for c in cells]
            missing = [c for c in COLUMNS if c in REQUIRED and c not in header]
            unknown = [c for c in header if c not in COLUMNS]
            for column in missing:
                scan.add_error(RowError(line, column, _("the column is missing from the header")))
            for column in unknown:
                scan.add_error(RowError(line, column, _("unknown column")))
            if missing or unknown:
                return
            continue
        if cells[0].upper() == TRAILER:
            scan.control = _trailer(line, cells, scan)
            continue
        if scan.control is not None:
            scan.add_error(RowError(line, "", _("rows after the TOTAL line")))
            continue
        row = _row(line, dict(zip(header, cells + [""] * (len(header) - len(cells)))), expected_period, accounts, seen, scan)
        if row is not None:
            scan.rows += 1
            scan.total += row.total
            scan.paid += row.paid
            yield row
    if header is None:
        scan.add_error(RowError(1, "", _("the file is empty")))
    elif scan.control is not None:
        _check_control(scan)


def _row(line: int, values: dict[str, str], period: str, accounts: dict[str, Any], seen: set, scan: Scan) -> Row | None:
    errors_before = scan.error_count
    if values["period"] != period:
        scan.add_error(RowError(line, "period", _("“%(value)s” is not the imported period %(period)s") % {"value": values["period"], "period": period}))
    account_no = values["account_no"]
    if not account_no:
        scan.add_error(RowError(line, "account_no", _("the account number is missing")))
    elif account_no not in accounts:
        scan.add_error(RowError(line, "account_no", _("no paying account %(no)s in KAMS") % {"no": account_no}))
    msisdn = values.get("msisdn", "")
    if msisdn and not NUMBER.match(msisdn):
        scan.add_error(RowError(line, "msisdn", _("“%(value)s” is not a phone number") % {"value": msisdn}))
    if (account_no, msisdn) in seen:
        scan.add_error(RowError(line, "msisdn", _("the same account and number appear twice in the file")))
    seen.add((account_no, msisdn))
    amounts: dict[str, Decimal] = {}
    for column in (*FEE_COLUMNS, "total", "paid"):
        text = values.get(column, "") or "0"
        try:
            amounts[column] = _money(text)
        except (InvalidOperation, ValueError):
            scan.add_error(RowError(line, column, _("“%(value)s” is not an amount in yuan (≥ 0, at most 2 decimals)") % {"value": text}))
    if all(c in amounts for c in (*FEE_COLUMNS, "total")):
        fee_sum = sum((amounts[c] for c in FEE_COLUMNS), Decimal("0"))
        if fee_sum != amounts["total"]:
            scan.add_error(RowError(line, "total", _("the total %(total)s is not the sum of the fees %(sum)s") % {"total": amounts["total"], "sum": fee_sum}))
    dates: dict[str, datetime.date | None] = {}
    for column in ("due_on", "paid_on"):
        try:
            dates[column] = _date(values.get(column, ""))
        except ValueError:
            scan.add_error(RowError(line, column, _("“%(value)s” is not a date (YYYY-MM-DD)") % {"value": values.get(column)}))
    if scan.error_count > errors_before:
        return None
    return Row(
        line=line,
        account_no=account_no,
        msisdn=msisdn,
        fees={FEE_COLUMNS[c]: amounts[c] for c in FEE_COLUMNS},
        total=amounts["total"],
        paid=amounts["paid"],
        due_on=dates["due_on"],
        paid_on=dates["paid_on"],
    )


def _trailer(line: int, cells: list[str], scan: Scan) -> dict[str, Any] | None:
    """``TOTAL,<rows>,<total billed>,<total paid>``: the file's own control totals."""
    try:
        return {"line": line, "rows": int(cells[1]), "total": str(_money(cells[2])), "paid": str(_money(cells[3]))}
    except (IndexError, ValueError, InvalidOperation):
        scan.add_error(RowError(line, TRAILER, _("the TOTAL line must read TOTAL,<rows>,<total billed>,<total paid>")))
        return None


def _check_control(scan: Scan) -> None:
    control = scan.control
    if scan.error_count:
        return  # totals of a file with bad rows say nothing
    for key, counted in (("rows", scan.rows), ("total", scan.total), ("paid", scan.paid)):
        stated = control[key] if key == "rows" else Decimal(control[key])
        if stated != counted:
            scan.add_error(
                RowError(control["line"], TRAILER, _("the file says %(key)s = %(stated)s but its rows add up to %(counted)s") % {"key": key, "stated": stated, "counted": counted})
            )


def sample_csv(rows: list[dict[str, Any]], *, control: bool = True) -> bytes:
    """Write a billing file in the import format (used by tests, the demo and the sample)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    total = paid = Decimal("0")
    for row in rows:
        writer.writerow([row.get(c, "") for c in COLUMNS])
        total += Decimal(str(row.get("total", 0)))
        paid += Decimal(str(row.get("paid", 0)))
    if control:
        writer.writerow([TRAILER, len(rows), f"{total:.2f}", f"{paid:.2f}"])
    return out.getvalue().encode("utf-8")
