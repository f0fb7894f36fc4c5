"""Fixtures of the credit tests: accounts of customers in Nanjing and Suzhou, and bills loaded
through the billing import's own validate-and-load functions."""

import datetime
from decimal import Decimal

import pytest

from kams.billing.importer import sample_csv
from kams.credit.reference_data import ensure_reference_data_now
from kams.customers.enums import CertificateType, CustomerType
from kams.customers.models import PayingAccount
from kams.customers.testing import make_customer

PERIODS = ("2026-08", "2026-09", "2026-10")


def load_bills(tmp_path, period: str, rows: list[dict]) -> None:
    """Load a month of bills through the billing import's own validate-and-load."""
    from kams.billing.services import bill_import_now

    bill_import_now(period=datetime.date.fromisoformat(period + "-01"), content=sample_csv(rows), file_name=f"{period}.csv")


def bill(period: str, account_no: str, amount: str, *, paid: str | None = None, paid_on: str = "") -> dict:
    """A month's bill due on the 20th of the next month."""
    year, month = (int(p) for p in period.split("-"))
    due = datetime.date(year + month // 12, month % 12 + 1, 20)
    zero = {c: "0" for c in ("mobile", "data", "voip", "long_distance", "local", "internet")}
    return {
        "period": period, "account_no": account_no, **zero, "leased_line": amount, "total": amount,
        "paid": amount if paid is None else paid, "due_on": due.isoformat(), "paid_on": paid_on,
    }


@pytest.fixture
def credit_setup(province, customers):
    """Accounts: "nj" of 南京银行 (group, level B: red by rule), "nj2" of 南钢 (group B, red),
    "sz" of the Suzhou company (group B, red), "vip" of a Nanjing high-end individual on the
    silver level (grey by rule)."""
    ensure_reference_data_now()  # a transactional test before this one may have flushed it
    vip = make_customer(
        province, name="刘先生", customer_type=CustomerType.HIGH_END, certificate_type=CertificateType.ID_CARD,
        certificate_no="320102198001011234", expected_monthly_revenue=Decimal("300"),
    )
    customers["vip"] = vip

    # Made directly, not through ``account_add``, so that they start without a grade
    # whether or not opening an account grades it at once.
    def add(customer, account_no, name):
        return PayingAccount.objects.create(customer=customer, account_no=account_no, name=name)

    return {
        "nj": add(customers["nj_m1"], "2501000001", "南京银行总行"),
        "nj2": add(customers["nj_m2"], "2501000002", "南钢股份"),
        "sz": add(customers["sz"], "2502000001", "苏州科技"),
        "vip": add(vip, "2501000003", "刘先生"),
    }


@pytest.fixture
def graded(credit_setup):
    from kams.credit.services import credits_initial_assign_all

    credits_initial_assign_all()
    return credit_setup
