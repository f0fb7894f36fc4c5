"""CUS-08 pages: the credit list with statistics and exports, the credit log, setting a grade,
the standards, the CSV feed and the customer 360 section."""

import csv
import io

import pytest
from openpyxl import load_workbook

from kams.credit.enums import CreditGrade
from kams.credit.models import AccountCredit, CreditChange, CreditStandard, InitialGradeRule
from kams.credit.services import credit_set

pytestmark = pytest.mark.django_db


def test_credit_list_shows_grades_counts_and_chart_within_scope(province, graded, page_client_for):
    page = page_client_for("nj_director").get("/credit/").content.decode()

    assert "南京银行股份有限公司" in page and "苏州工业园区" not in page
    assert 'class="badge text-bg-danger"' in page and 'id="chart-grades-by-city"' in page
    assert 'id="count-red">2<' in page and 'id="count-grey">1<' in page
    assert "南京分公司" in page  # the city of the chart
    assert 'id="run-regrade"' not in page  # the province runs the re-grading
    filtered = page_client_for("js_director").get("/credit/", {"grade": "grey"}).content.decode()
    assert "刘先生" in filtered and "南京银行股份有限公司" not in filtered and 'id="run-regrade"' in filtered
    assert "苏州科技" not in page_client_for("nj_manager1").get("/credit/").content.decode()


def test_credit_list_exports_to_excel_as_text(province, graded, page_client_for):
    response = page_client_for("js_director").get("/credit/", {"export": "xlsx"})

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    grade_column = [str(row[4]) for row in rows]
    assert len(rows) == 5 and grade_column.count(str(CreditGrade.RED.label)) == 3
    assert not any("<span" in str(c) for row in rows for c in row)


def test_ungraded_accounts_get_their_initial_grade_from_the_list(province, credit_setup, page_client_for):
    page = page_client_for("js_director").get("/credit/").content.decode()
    assert 'id="ungraded"' in page and 'id="assign-initial"' in page

    response = page_client_for("js_director").post("/credit/initial/")

    assert response.status_code == 302 and AccountCredit.objects.count() == 4
    assert page_client_for("nj_director").post("/credit/initial/").status_code == 403


def test_set_grade_page_refuses_without_reason_then_saves(province, graded, page_client_for):
    client = page_client_for("nj_director")
    url = f"/credit/accounts/{graded['nj'].pk}/grade/"
    assert "credit-current" in client.get(url).content.decode()

    refused = client.post(url, {"grade": "black", "limit": "", "reason": ""})
    assert refused.status_code == 200 and 'id="form-errors"' in refused.content.decode()
    assert AccountCredit.objects.get(account=graded["nj"]).grade == "red"

    saved = client.post(url, {"grade": "black", "limit": "", "reason": "恶意欠费"})
    assert saved.status_code == 302 and saved.url.endswith("#section-credit")
    assert AccountCredit.objects.get(account=graded["nj"]).grade == "black"
    assert page_client_for("sz_director").get(url).status_code == 404
    assert page_client_for("nj_manager1").get(url).status_code == 403


def test_credit_log_page_searches_and_counts(province, graded, page_client_for):
    credit_set(actor=province.user("nj_director"), account=graded["nj"], grade="grey", reason="观察")
    client = page_client_for("js_director")

    page = client.get("/credit/changes/", {"assessor": "李明华"}).content.decode()
    assert "观察" in page and page.count("<tr>") == 2  # header + the one change
    assert 'id="chart-sources"' in page and "credit-by-city" in page
    by_customer = client.get("/credit/changes/", {"q": "南钢"}).content.decode()
    assert "2501000002" in by_customer and "2501000001" not in by_customer
    assert "2502000001" not in page_client_for("nj_director").get("/credit/changes/").content.decode()
    export = client.get("/credit/changes/", {"export": "xlsx"})
    assert export.status_code == 200


def test_standards_page_and_editing(province, graded, page_client_for):
    client = page_client_for("js_director")
    page = client.get("/credit/standards/").content.decode()
    assert 'id="standards"' in page and 'id="edit-grey"' in page and "A类、B类集团客户" in page

    bad = client.post("/credit/standards/grey/edit/", {"credit_limit": "99999", "window_months": "6"})
    assert bad.status_code == 200 and CreditStandard.objects.get(grade="grey").credit_limit == 10000

    saved = client.post(
        "/credit/standards/grey/edit/",
        {"credit_limit": "15000", "window_months": "6", "min_arrears_months": "1", "min_late_payments": "3", "reason": "调整"},
    )
    assert saved.status_code == 302 and CreditStandard.objects.get(grade="grey").min_late_payments == 3
    assert "调整" in client.get("/credit/standards/").content.decode()  # in the history
    red = client.get("/credit/standards/red/edit/").content.decode()
    assert "min_arrears_months" not in red

    rule = client.post("/credit/rules/new/", {"priority": "50", "customer_type": "key_individual", "grade": "red", "is_active": "on"})
    assert rule.status_code == 302 and InitialGradeRule.objects.filter(priority=50).exists()
    assert page_client_for("nj_director").get("/credit/standards/grey/edit/").status_code == 403
    assert page_client_for("nj_manager1").get("/credit/standards/").status_code == 200


def test_csv_feed_for_credit_control(province, graded, page_client_for):
    response = page_client_for("js_director").get("/credit/export.csv")

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8"))))
    assert rows[0] == ["account_no", "grade", "limit", "assessed_at", "changed_at"]
    assert sorted(r[:3] for r in rows[1:]) == [
        ["2501000001", "red", "50000.00"], ["2501000002", "red", "50000.00"],
        ["2501000003", "grey", "10000.00"], ["2502000001", "red", "50000.00"],
    ]
    later = page_client_for("js_director").get("/credit/export.csv", {"changed_since": "2099-01-01"})
    assert len(b"".join(later.streaming_content).decode().splitlines()) == 1
    assert page_client_for("js_director").get("/credit/export.csv", {"changed_since": "soon"}).status_code == 400


def test_customer_360_has_a_credit_section(province, graded, customers, page_client_for):
    credit_set(actor=province.user("nj_director"), account=graded["nj"], grade="grey", reason="经营波动")
    page = page_client_for("nj_director").get(f"/customers/{customers['nj_m1'].pk}/").content.decode()

    assert 'id="section-credit"' in page and 'id="credit-table"' in page
    assert "2501000001" in page and "经营波动" in page and f"/credit/accounts/{graded['nj'].pk}/grade/" in page
    api = page_client_for("nj_manager1").get(f"/api/v1/customers/customers/{customers['nj_m1'].pk}/overview/").json()
    item = api["sections"]["credit"]["data"]["items"][0]
    assert (item["grade"], item["limit"], item["set_url"]) == ("grey", "10000.00", None)
    assert item["last_change"]["assessor"].startswith("李明华")
    assert CreditChange.objects.filter(account=graded["nj"]).count() == 2
