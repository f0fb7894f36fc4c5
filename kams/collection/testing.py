"""Test support for collection and merge: bills loaded through the billing import's own
functions, potential customers that earn (or do not earn) admission."""

from __future__ import annotations

import datetime
from decimal import Decimal

from kams.customers import services as customer_services
from kams.customers.enums import CertificateType, CustomerStatus, CustomerType
from kams.customers.testing import make_customer

PERIODS = ("2026-08", "2026-09", "2026-10")


def load_bills(tmp_path, period: str, rows: list[dict]) -> None:
    """Load a month of bills through the billing import's own validate-and-load."""
    from kams.billing.importer import sample_csv
    from kams.billing.services import bill_import_now

    bill_import_now(period=datetime.date.fromisoformat(period + "-01"), content=sample_csv(rows), file_name=f"{period}.csv")


def bill_row(period: str, account_no: str, amount: str, msisdn: str = "") -> dict:
    zero = {c: "0" for c in ("mobile", "data", "voip", "long_distance", "local", "internet")}
    row = {"period": period, "account_no": account_no, **zero, "leased_line": amount, "total": amount, "paid": amount}
    if msisdn:
        row["msisdn"] = msisdn
    return row


def make_potential(province, name: str, *, unit="NJ", manager=None, certificate_no="", **fields):
    defaults = {
        "customer_type": CustomerType.GROUP,
        "certificate_type": CertificateType.CREDIT_CODE if certificate_no else "",
        "expected_monthly_revenue": None,
    }
    defaults.update(fields)
    return make_customer(
        province, name=name, unit=unit, manager=manager, status=CustomerStatus.POTENTIAL,
        certificate_no=certificate_no, **defaults,
    )


def bill_customer(province, tmp_path_rows: dict, customer, account_no: str, amounts) -> None:
    """Open an account for ``customer`` and queue its monthly amounts into ``tmp_path_rows``
    (period → rows), loaded together by ``load_all``."""
    customer_services.account_add(actor=province.user("js_director"), customer=customer, account_no=account_no, name=account_no)
    for period, amount in zip(PERIODS, amounts):
        tmp_path_rows.setdefault(period, []).append(bill_row(period, account_no, str(Decimal(amount))))


def load_all(tmp_path, rows_by_period: dict) -> None:
    for period in PERIODS:
        load_bills(tmp_path, period, rows_by_period.get(period, []))
