"""INT-01 / CUS-10 / INT-06: billing files validated whole, loaded atomically, replaced
idempotently, reconciled; bills and arrears read within scope."""

import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from kams.audit.models import AuditEntry
from kams.billing import services
from kams.billing.errors import BadPeriod, UnsupportedFile
from kams.billing.importer import sample_csv
from kams.billing.models import BillImport, BillSummary, ImportState
from kams.customers import services as customer_services
from kams.customers.selectors import average_monthly_revenue, level_suggest
from kams.org.testing import assert_scoped

PERIOD = "2026-10"


def _fees(mobile="100.00", data="50.50", **more):
    row = {"mobile": mobile, "data": data, "voip": "0", "long_distance": "0", "local": "0", "leased_line": "0", "internet": "0"}
    row.update(more)
    return row


def _row(account_no, msisdn="", period=PERIOD, paid=None, **fees):
    row = {"period": period, "account_no": account_no, "msisdn": msisdn, **_fees(**fees)}
    total = sum(Decimal(row[c]) for c in ("mobile", "data", "voip", "long_distance", "local", "leased_line", "internet"))
    row["total"] = f"{total:.2f}"
    row["paid"] = paid if paid is not None else row["total"]
    row["due_on"] = "2026-11-15"
    return row


@pytest.fixture
def accounts(province, customers):
    actor = province.user("js_director")
    return {
        "nj": customer_services.account_add(actor=actor, customer=customers["nj_m1"], account_no="2500000001", name="南京银行"),
        "nj2": customer_services.account_add(actor=actor, customer=customers["nj_m2"], account_no="2500000002", name="南钢"),
        "sz": customer_services.account_add(actor=actor, customer=customers["sz"], account_no="2500000003", name="苏州"),
    }


def _upload(content: bytes, name="bills.csv"):
    return SimpleUploadedFile(name, content, content_type="text/csv")


def _import(province, content: bytes, *, period=PERIOD, name="bills.csv"):
    batch = services.bill_import_create(actor=province.user("js_director"), upload=_upload(content, name), period=period)
    call_command("worker", "--batch")
    batch.refresh_from_db()
    return batch


GOOD = [
    _row("2500000001", "13900000001", mobile="1200.00", data="300.00"),
    _row("2500000001", "13900000002", mobile="800.00", data="0", paid="500.00"),
    _row("2500000001", "", leased_line="20000.00", mobile="0", data="0"),
    _row("2500000002", "13900000003", mobile="99.90", data="0.10"),
    _row("2500000003", "13900000004", mobile="5000.00", data="1000.00", paid="0"),
]


@pytest.mark.django_db(transaction=True)
def test_clean_file_is_loaded_reconciled_and_audited(province, customers, accounts):
    batch = _import(province, sample_csv(GOOD))

    assert batch.state == ImportState.IMPORTED, batch.errors
    assert BillSummary.objects.count() == 5
    assert batch.total == Decimal("28400.00") and batch.paid == Decimal("22100.00")
    recon = batch.reconciliation
    assert recon["matches"] is True
    assert recon["control"]["rows"] == 5 and recon["kams"] == recon["file"]
    assert recon["top_customers"][0]["name"] == "南京银行股份有限公司"
    nj = BillSummary.objects.get(msisdn="13900000002")
    assert (nj.arrears, nj.customer) == (Decimal("300.00"), customers["nj_m1"])
    assert batch.job.state == "succeeded" and batch.job.percent == 100
    assert AuditEntry.objects.filter(action="billing.import_load").count() == 1


@pytest.mark.django_db(transaction=True)
def test_reimporting_a_period_replaces_it_idempotently(province, customers, accounts):
    first = _import(province, sample_csv(GOOD))
    second = _import(province, sample_csv(GOOD[:2]))
    third = _import(province, sample_csv(GOOD[:2]))

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.superseded and second.superseded and not third.superseded
    assert BillSummary.objects.count() == 2
    assert set(BillSummary.objects.values_list("batch", flat=True)) == {third.pk}


@pytest.mark.django_db(transaction=True)
def test_file_with_bad_rows_is_refused_whole_with_every_problem(province, customers, accounts):
    before = _import(province, sample_csv(GOOD))
    bad = [
        GOOD[0],
        _row("9999999999", "13900000009"),  # unknown account
        {**_row("2500000001", "13900000010"), "total": "1.00"},  # total is not the sum of fees
        _row("2500000001", "13900000001"),  # duplicate of GOOD[0]
        {**_row("2500000002", "139-0000"), "mobile": "-5"},  # bad number and negative fee
        _row("2500000002", "13900000011", period="2026-09"),  # wrong period
        {**_row("2500000002", "13900000012"), "due_on": "2026-13-01"},
    ]

    batch = _import(province, sample_csv(bad, control=False))

    assert batch.state == ImportState.REJECTED
    problems = {(e["line"], e["column"]) for e in batch.errors}
    assert problems == {
        (3, "account_no"), (4, "total"), (5, "msisdn"), (6, "msisdn"), (6, "mobile"), (7, "period"), (8, "due_on"),
    }
    assert all(e["reason"] for e in batch.errors)
    # Nothing of the earlier import of the period was touched.
    assert set(BillSummary.objects.values_list("batch", flat=True)) == {before.pk}
    assert BillSummary.objects.count() == 5


@pytest.mark.django_db(transaction=True)
def test_control_totals_that_disagree_refuse_the_file(province, customers, accounts):
    content = sample_csv(GOOD).replace(b"TOTAL,5,", b"TOTAL,6,")

    batch = _import(province, content)

    assert batch.state == ImportState.REJECTED
    assert batch.errors == [{"line": 7, "column": "TOTAL", "reason": batch.errors[0]["reason"]}]
    assert not BillSummary.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_header_problems_are_reported(province, customers, accounts):
    batch = _import(province, b"period,account_no,mobile,bogus\n2026-10,2500000001,1,2\n")

    assert batch.state == ImportState.REJECTED
    columns = {e["column"] for e in batch.errors}
    assert {"bogus", "total", "paid", "data"} <= columns


@pytest.mark.django_db(transaction=True)
def test_excel_file_is_imported_like_csv(province, customers, accounts):
    from openpyxl import Workbook

    from kams.billing.importer import COLUMNS

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(COLUMNS)
    for row in GOOD[:3]:
        sheet.append([row.get(c, "") for c in COLUMNS])
    buffer = BytesIO()
    workbook.save(buffer)

    batch = _import(province, buffer.getvalue(), name="bills.xlsx")

    assert batch.state == ImportState.IMPORTED, batch.errors
    assert BillSummary.objects.count() == 3


@pytest.mark.django_db
def test_bad_period_and_file_type_are_refused(province):
    with pytest.raises(BadPeriod):
        services.bill_import_create(actor=province.user("js_director"), upload=_upload(b"x"), period="2026-13")
    with pytest.raises(BadPeriod):
        services.bill_import_create(actor=province.user("js_director"), upload=_upload(b"x"), period="2999-01")
    with pytest.raises(UnsupportedFile):
        services.bill_import_create(actor=province.user("js_director"), upload=_upload(b"x", "bills.pdf"), period=PERIOD)
    assert not BillImport.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_levels_follow_billed_revenue(province, customers, accounts):
    customer = customers["nj_m1"]
    assert level_suggest(customer).code == "B"  # from the expected revenue of 45,000

    _import(province, sample_csv([_row("2500000001", "", leased_line="150000.00", mobile="0", data="0")]))

    assert average_monthly_revenue(customer) == Decimal("150000.00")
    assert level_suggest(customer).code == "A"


@pytest.mark.django_db(transaction=True)
def test_bills_and_arrears_are_scoped(province, customers, accounts, api_client_for, page_client_for):
    _import(province, sample_csv(GOOD))
    nj_bill = BillSummary.objects.get(msisdn="13900000001")
    sz_bill = BillSummary.objects.get(msisdn="13900000004")

    assert_scoped(
        api_client_for,
        list_url="/api/v1/billing/bills/",
        detail_url=lambda b: f"/api/v1/billing/bills/{b.pk}/",
        objects={"nj": nj_bill, "sz": sz_bill},
        expected={"nj_manager1": {"nj"}, "nj_director": {"nj"}, "sz_director": {"sz"}, "js_director": {"nj", "sz"}},
    )
    arrears = api_client_for("nj_director").get("/api/v1/billing/arrears/").json()["results"]
    assert [(r["customer__name"], r["arrears"]) for r in arrears] == [("南京银行股份有限公司", "300.00")]
    page = page_client_for("js_director").get("/billing/arrears/").content.decode()
    assert "苏州工业园区某科技有限公司" in page and "6000.00" in page


@pytest.mark.django_db
def test_import_pages_need_permission_and_show_the_form(province, page_client_for):
    assert page_client_for("nj_director").get("/billing/imports/").status_code == 403
    page = page_client_for("js_director").get("/billing/imports/").content.decode()
    assert 'id="import-form"' in page


@pytest.mark.django_db(transaction=True)
def test_import_through_the_page_and_api(province, customers, accounts, page_client_for, api_client_for):
    client = page_client_for("js_director")
    response = client.post("/billing/imports/", {"period": PERIOD, "file": _upload(sample_csv(GOOD))})
    batch = BillImport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/billing/imports/{batch.pk}/"
    call_command("worker", "--batch")
    detail = client.get(f"/billing/imports/{batch.pk}/").content.decode()
    assert 'id="reconciliation-ok"' in detail

    api = api_client_for("js_director").post("/api/v1/billing/imports/", {"period": PERIOD, "file": _upload(sample_csv(GOOD[:1]))}, format="multipart")
    assert api.status_code == 201 and api.json()["state"] == "validating"
    assert api_client_for("nj_director").post("/api/v1/billing/imports/", {"period": PERIOD, "file": _upload(b"x")}, format="multipart").status_code == 403


def test_sample_file_in_the_repository_has_the_documented_header():
    from pathlib import Path

    from kams.billing.importer import COLUMNS

    sample = Path(__file__).resolve().parents[1] / "samples" / "bills-sample.csv"
    lines = sample.read_text(encoding="utf-8").splitlines()
    assert lines[0].split(",") == COLUMNS and lines[-1].startswith("TOTAL,")
    assert datetime.date.fromisoformat(lines[1].split(",")[0] + "-01")


@pytest.mark.django_db
def test_import_now_loads_a_clean_file_and_refuses_a_bad_one(province, customers, accounts):
    from kams.billing.errors import BillFileInvalid

    batch = services.bill_import_now(period=datetime.date(2026, 10, 1), content=sample_csv(GOOD), file_name="now.csv")
    assert batch.state == ImportState.IMPORTED and BillSummary.objects.count() == 5

    with pytest.raises(BillFileInvalid):
        services.bill_import_now(period=datetime.date(2026, 10, 1), content=sample_csv([_row("9999")]), file_name="bad.csv")
    assert BillSummary.objects.count() == 5
