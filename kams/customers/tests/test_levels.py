"""CUS-07: the monthly level evaluation is set-based, idempotent, applies or proposes as
configured, and every change is recorded."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from kams.audit.models import AuditEntry
from kams.billing.importer import sample_csv
from kams.customers import services
from kams.customers.levels import level_changes_decide, levels_evaluate
from kams.customers.models import LevelChange, LevelChangeState
from kams.customers.selectors import level_suggest
from kams.system.services import parameter_set

pytestmark = pytest.mark.django_db


def _bills(tmp_path, period, rows):
    """Load a month of bills through the billing import's own validate-and-load."""
    import datetime

    from kams.billing.services import bill_import_now

    bill_import_now(period=datetime.date.fromisoformat(period + "-01"), content=sample_csv(rows), file_name=f"{period}.csv")


def _row(period, account_no, amount):
    zero = {c: "0" for c in ("mobile", "data", "voip", "long_distance", "local", "internet")}
    return {"period": period, "account_no": account_no, **zero, "leased_line": amount, "total": amount, "paid": amount}


@pytest.fixture
def billed(province, customers, tmp_path):
    actor = province.user("js_director")
    services.account_add(actor=actor, customer=customers["nj_m1"], account_no="2501", name="a")  # level B by expectation
    services.account_add(actor=actor, customer=customers["nj_m2"], account_no="2502", name="b")  # level B by expectation
    for period in ("2026-08", "2026-09", "2026-10"):
        _bills(tmp_path, period, [_row(period, "2501", "150000.00"), _row(period, "2502", "3000.00")])
    return customers


def test_evaluation_applies_upgrades_and_downgrades_and_records_them(province, billed):
    evaluation = levels_evaluate(actor=province.user("js_director"))

    billed["nj_m1"].refresh_from_db()
    billed["nj_m2"].refresh_from_db()
    assert (billed["nj_m1"].level.code, billed["nj_m2"].level.code) == ("A", "D")
    assert (evaluation.evaluated, evaluation.upgrades, evaluation.downgrades) == (2, 1, 1)
    changes = {c.customer_id: c for c in LevelChange.objects.all()}
    assert changes[billed["nj_m1"].pk].revenue == Decimal("150000.00")
    assert changes[billed["nj_m1"].pk].state == LevelChangeState.APPLIED
    assert AuditEntry.objects.get(action="customers.levels_evaluate").after["upgrades"] == 1
    assert level_suggest(billed["nj_m1"]) == billed["nj_m1"].level


def test_evaluation_twice_changes_nothing_the_second_time(province, billed):
    levels_evaluate()
    second = levels_evaluate()

    assert (second.upgrades, second.downgrades) == (0, 0)
    assert LevelChange.objects.count() == 2


def test_evaluation_with_approval_proposes_then_director_decides(province, billed):
    parameter_set(actor=province.user("admin"), key="customers.level_changes_need_approval", value=True)
    levels_evaluate()
    billed["nj_m1"].refresh_from_db()
    assert billed["nj_m1"].level.code == "B"  # proposed only
    up = LevelChange.objects.get(customer=billed["nj_m1"])
    down = LevelChange.objects.get(customer=billed["nj_m2"])

    again = levels_evaluate()  # pending proposals are not proposed twice
    assert LevelChange.objects.count() == 2 and again.upgrades == 0

    assert level_changes_decide(actor=province.user("js_director"), changes=[up], approve=True) == 1
    assert level_changes_decide(actor=province.user("js_director"), changes=[down], approve=False, reason="客户申请保级") == 1
    billed["nj_m1"].refresh_from_db()
    billed["nj_m2"].refresh_from_db()
    assert billed["nj_m1"].level.code == "A" and billed["nj_m2"].level.code == "B"
    down.refresh_from_db()
    assert down.state == LevelChangeState.REJECTED and down.reason == "客户申请保级"


def test_deciding_needs_permission(province, billed):
    from django.core.exceptions import PermissionDenied

    parameter_set(actor=province.user("admin"), key="customers.level_changes_need_approval", value=True)
    levels_evaluate()

    with pytest.raises(PermissionDenied):
        level_changes_decide(actor=province.user("nj_manager1"), changes=LevelChange.objects.all(), approve=True)
    assert LevelChange.objects.filter(state=LevelChangeState.PROPOSED).count() == 2


def test_levels_page_decides_within_scope(province, billed, page_client_for):
    parameter_set(actor=province.user("admin"), key="customers.level_changes_need_approval", value=True)
    levels_evaluate()
    client = page_client_for("js_director")
    page = client.get("/customers/levels/").content.decode()
    assert "南京银行股份有限公司" in page and 'id="approve"' in page

    ids = list(LevelChange.objects.values_list("pk", flat=True))
    client.post("/customers/levels/decide/", {"change": ids, "decision": "approve"})

    assert LevelChange.objects.filter(state=LevelChangeState.APPLIED).count() == 2
    assert page_client_for("sz_director").get("/customers/levels/").content.decode().count("南京银行") == 0


@pytest.mark.django_db(transaction=True)
def test_evaluation_runs_as_a_job_from_the_page(province, billed, page_client_for):
    page_client_for("js_director").post("/customers/levels/evaluate/")

    call_command("worker", "--batch")

    from kams.system.models import JobRun

    run = JobRun.objects.get(name="customers.levels_evaluate")
    assert run.state == "succeeded" and run.result["upgrades"] == 1


def test_level_configuration_keeps_the_order_of_thresholds(province, customers):
    from kams.core.errors import Conflict, InvalidInput
    from kams.customers.models import Level, LevelCategory

    group = LevelCategory.objects.get(code="group")
    level_b = Level.objects.get(category=group, code="B")
    admin = province.user("js_director")

    with pytest.raises(InvalidInput):
        services.level_save(actor=admin, category=group, level=level_b, min_monthly_revenue=Decimal("200000"))
    with pytest.raises(Conflict):
        services.level_save(actor=admin, category=group, code="E", name="E类", rank=1, min_monthly_revenue=Decimal("0"), min_tenure_months=0)
    services.level_save(actor=admin, category=group, level=level_b, min_monthly_revenue=Decimal("40000"), service_standard="专属客户经理；一级故障45分钟响应")

    level_b.refresh_from_db()
    assert level_b.min_monthly_revenue == Decimal("40000") and "45分钟" in level_b.service_standard
    assert AuditEntry.objects.filter(action="customers.level_save").count() == 1
    customers["nj_m1"].refresh_from_db()
    assert level_suggest(customers["nj_m1"]).code == "B"  # 45,000 expected ≥ 40,000


def test_level_configuration_pages(province, page_client_for):
    from kams.customers.models import Level, LevelCategory

    client = page_client_for("js_director")
    page = client.get("/customers/levels/config/").content.decode()
    assert "集团客户级别" in page and "钻石级" in page
    category = LevelCategory.objects.get(code="individual")
    response = client.post(
        f"/customers/levels/categories/{category.pk}/new/",
        {"code": "platinum", "name": "白金级", "rank": "5", "min_monthly_revenue": "0", "min_tenure_months": "0"},
    )
    assert response.status_code == 302 and Level.objects.get(code="platinum").rank == 5
    too_cheap = client.post(
        f"/customers/levels/categories/{category.pk}/new/",
        {"code": "vip1", "name": "顶级", "rank": "0", "min_monthly_revenue": "10", "min_tenure_months": "0"},
    )
    assert too_cheap.status_code == 200 and not Level.objects.filter(code="vip1").exists()
    assert page_client_for("nj_manager1").get(f"/customers/levels/categories/{category.pk}/new/").status_code == 403
    overlap = client.post("/customers/levels/categories/new/", {"code": "vip", "name": "VIP", "customer_types": ["group"]})
    assert overlap.status_code == 200 and not LevelCategory.objects.filter(code="vip").exists()
