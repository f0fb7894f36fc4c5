"""CUS-08 through the REST API: scoped reads, manual grades, standards, the export feed."""

import datetime

import pytest
from django.utils import timezone

from kams.credit.models import AccountCredit, CreditChange
from kams.org.enums import RoleCode
from kams.org.testing import assert_scoped, make_staff, result_rows

pytestmark = pytest.mark.django_db


def test_account_credit_is_scoped(province, graded, api_client_for):
    # ``norole`` holds no view permission: 403 on the list, so it is checked apart.
    assert_scoped(
        api_client_for,
        list_url="/api/v1/credit/accounts/",
        detail_url=lambda a: f"/api/v1/credit/accounts/{a.pk}/",
        objects={"nj": graded["nj"], "nj2": graded["nj2"], "sz": graded["sz"]},
        expected={"nj_manager1": {"nj"}, "nj_director": {"nj", "nj2"}, "sz_manager1": {"sz"}, "js_director": {"nj", "nj2", "sz"}},
        id_of=lambda row: row["account"],
    )
    assert api_client_for("norole").get("/api/v1/credit/accounts/").status_code == 403


def test_credit_log_is_scoped(province, graded, api_client_for):
    changes = {key: CreditChange.objects.get(account=graded[key]) for key in ("nj", "sz")}
    assert_scoped(
        api_client_for,
        list_url="/api/v1/credit/changes/",
        detail_url=lambda c: f"/api/v1/credit/changes/{c.pk}/",
        objects=changes,
        expected={"nj_manager1": {"nj"}, "sz_director": {"sz"}, "js_director": {"nj", "sz"}},
    )


def test_grade_by_api_needs_a_reason_and_changes_nothing_without(province, graded, api_client_for):
    client = api_client_for("nj_director")
    url = f"/api/v1/credit/accounts/{graded['nj'].pk}/grade/"

    refused = client.post(url, {"grade": "black"}, format="json")

    assert refused.status_code == 400 and refused.json()["code"] == "credit.reason_required"
    assert "reason" in refused.json()["message"]
    assert AccountCredit.objects.get(account=graded["nj"]).grade == "red" and CreditChange.objects.count() == 4

    done = client.post(url, {"grade": "black", "reason": "连续欠费三个月"}, format="json")
    assert done.status_code == 200, done.content
    assert (done.json()["grade"], done.json()["limit"], done.json()["source"]) == ("black", "0.00", "manual")

    bad = client.post(url, {"grade": "purple", "reason": "x"}, format="json")
    assert bad.status_code == 400 and "grade" in bad.json()["fields"]


@pytest.mark.parametrize(
    "username, status",
    [("nj_director", 200), ("js_director", 200), ("sz_director", 404), ("nj_manager1", 403), ("club", 403), (None, 401)],
)
def test_grade_by_api_permission_and_scope(province, graded, api_client_for, username, status):
    if username == "club":
        province.staff["club"] = make_staff("club", province.units["JS-JKB"], (RoleCode.CLUB_STAFF,))
    response = api_client_for(username).post(
        f"/api/v1/credit/accounts/{graded['nj'].pk}/grade/", {"grade": "grey", "reason": "核查"}, format="json"
    )
    assert response.status_code == status, response.content
    assert AccountCredit.objects.get(account=graded["nj"]).grade == ("grey" if status == 200 else "red")


def test_standards_read_and_edit(province, graded, api_client_for):
    rows = result_rows(api_client_for("nj_manager1").get("/api/v1/credit/standards/"))
    assert [r["grade"] for r in rows] == ["black", "grey", "red"]

    assert api_client_for("nj_director").patch("/api/v1/credit/standards/grey/", {"credit_limit": "12000"}, format="json").status_code == 403
    response = api_client_for("js_director").patch(
        "/api/v1/credit/standards/grey/", {"credit_limit": "12000", "min_late_payments": 3, "reason": "年度调整"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["credit_limit"] == "12000.00" and response.json()["min_late_payments"] == 3
    assert AccountCredit.objects.get(account=graded["vip"]).limit == 12000

    bad = api_client_for("js_director").patch("/api/v1/credit/standards/red/", {"min_arrears_months": 1}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "credit.invalid_standard"


def test_initial_rules_by_api(province, api_client_for):
    from kams.credit.reference_data import ensure_reference_data_now

    ensure_reference_data_now()
    client = api_client_for("js_director")
    created = client.post("/api/v1/credit/initial-rules/", {"priority": 40, "customer_type": "group", "max_level_rank": 3, "grade": "red"}, format="json")
    assert created.status_code == 201, created.content
    clash = client.post("/api/v1/credit/initial-rules/", {"priority": 40, "grade": "grey"}, format="json")
    assert clash.status_code == 409
    assert api_client_for("nj_director").post("/api/v1/credit/initial-rules/", {"priority": 41, "grade": "grey"}, format="json").status_code == 403


def test_export_feed_for_credit_control(province, graded, api_client_for):
    client = api_client_for("js_director")
    everything = client.get("/api/v1/credit/export/", {"page_size": 500}).json()
    assert everything["count"] == 4
    row = next(r for r in everything["results"] if r["account_no"] == "2501000001")
    assert set(row) == {"account_no", "grade", "limit", "assessed_at", "changed_at"}
    assert (row["grade"], row["limit"]) == ("red", "50000.00")

    mark = timezone.now()
    AccountCredit.objects.filter(account=graded["vip"]).update(changed_at=mark - datetime.timedelta(days=1))
    from kams.credit.services import credit_set

    credit_set(actor=province.user("nj_director"), account=graded["nj"], grade="black", reason="欠费停机")
    since = (mark - datetime.timedelta(seconds=1)).isoformat()
    changed = client.get("/api/v1/credit/export/", {"changed_since": since}).json()["results"]
    assert "2501000001" in [r["account_no"] for r in changed] and "2501000003" not in [r["account_no"] for r in changed]
    assert [r for r in changed if r["account_no"] == "2501000001"][0]["grade"] == "black"

    nj_only = result_rows(api_client_for("nj_manager1").get("/api/v1/credit/export/"))
    assert [r["account_no"] for r in nj_only] == ["2501000003", "2501000001"]  # oldest change first
    assert client.get("/api/v1/credit/export/", {"changed_since": "yesterday"}).status_code == 400
