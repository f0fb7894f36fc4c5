"""CUS-08 automatic re-grading from imported bills: set-based, idempotent, every change in
the credit log, recent manual grades kept."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from kams.audit.models import AuditEntry
from kams.credit import services
from kams.credit.enums import CreditSource
from kams.credit.models import AccountCredit, CreditChange, CreditRun
from kams.credit.regrade import credit_regrade_run
from kams.credit.selectors import grade_suggest
from kams.credit.tests.conftest import PERIODS, bill, load_bills
from kams.system.services import parameter_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def billed(province, graded, tmp_path):
    """nj owes three months; nj2 paid two months late; vip and sz pay on time (vip's November
    bill is unpaid but not yet due). sz was just put on the grey list by hand."""
    for period in PERIODS:
        month = int(period[-2:])
        load_bills(tmp_path, period, [
            bill(period, "2501000001", "12000.00", paid="0"),
            bill(period, "2501000002", "3000.00", paid_on=f"2026-{month + 1:02d}-{25 if month < 10 else 10}"),
            bill(period, "2502000001", "800.00", paid_on=f"2026-{month + 1:02d}-05"),
            bill(period, "2501000003", "500.00", paid_on=f"2026-{month + 1:02d}-01"),
        ])
    load_bills(tmp_path, "2026-11", [bill("2026-11", "2501000003", "500.00", paid="0")])
    services.credit_set(actor=province.user("sz_director"), account=graded["sz"], grade="grey", reason="客户经营异常，人工观察")
    return graded


def _grades():
    return dict(AccountCredit.objects.values_list("account__account_no", "grade"))


def test_regrading_judges_payment_history_and_arrears(province, billed):
    run = credit_regrade_run(actor=province.user("js_director"))

    assert _grades() == {"2501000001": "black", "2501000002": "grey", "2502000001": "grey", "2501000003": "red"}
    assert (run.evaluated, run.to_black, run.to_grey, run.to_red, run.kept_manual) == (4, 1, 1, 1, 1)
    assert f"{run.period:%Y-%m}" == "2026-11"
    black = CreditChange.objects.get(run=run, account=billed["nj"])
    assert (black.old_grade, black.new_grade, black.source) == ("red", "black", CreditSource.AUTOMATIC)
    assert black.new_limit == Decimal("0.00") and "3" in black.reason
    assert black.basis["black"]["arrears_months"] == 3 and black.basis["black"]["arrears_amount"] == "36000.00"
    assert black.assessor_name.startswith("王建国")
    late = CreditChange.objects.get(run=run, account=billed["nj2"])
    assert late.basis["grey"]["late_payments"] == 2
    nj = AccountCredit.objects.get(account=billed["nj"])
    assert (nj.limit, nj.source, nj.assessed_by) == (Decimal("0.00"), "automatic", province.staff["js_director"])
    entry = AuditEntry.objects.get(action="credit.regrade")
    assert entry.after["to_black"] == 1 and entry.after["kept_manual"] == 1
    assert grade_suggest(billed["nj"])[0] == "black"


def test_regrading_twice_changes_nothing_the_second_time(province, billed):
    credit_regrade_run()
    count = CreditChange.objects.count()
    before = list(AccountCredit.objects.order_by("pk").values("grade", "limit", "changed_at"))

    second = credit_regrade_run()

    assert (second.to_black, second.to_grey, second.to_red, second.initial) == (0, 0, 0, 0)
    assert CreditChange.objects.count() == count
    assert list(AccountCredit.objects.order_by("pk").values("grade", "limit", "changed_at")) == before


def test_a_recent_manual_grade_is_kept_until_the_hold_ends(province, billed):
    credit_regrade_run()
    assert _grades()["2502000001"] == "grey"

    parameter_set(actor=province.user("admin"), key="credit.manual_hold_days", value=0)
    run = credit_regrade_run()

    assert _grades()["2502000001"] == "red" and run.to_red == 1 and run.kept_manual == 0


def test_regrading_gives_new_accounts_their_initial_grade_first(province, credit_setup):
    run = credit_regrade_run()

    assert run.initial == 4 and run.period is None
    assert CreditChange.objects.filter(run=run, source=CreditSource.INITIAL).count() == 4


def test_standards_changed_change_the_outcome(province, billed):
    from kams.credit.models import CreditStandard

    services.credit_standard_save(
        actor=province.user("js_director"), standard=CreditStandard.objects.get(grade="black"), min_arrears_months=4,
        min_arrears_amount=None,
    )
    credit_regrade_run()

    assert _grades()["2501000001"] == "grey"  # 3 months owed: grey (≥ 1), no longer black


@pytest.mark.django_db(transaction=True)
def test_regrading_runs_as_a_job_from_the_page(province, billed, page_client_for):
    response = page_client_for("js_director").post("/credit/regrade/")
    assert response.status_code == 302

    call_command("worker", "--batch")

    from kams.system.models import JobRun

    job = JobRun.objects.get(name="credit.regrade")
    assert job.state == "succeeded", job.error
    assert job.result["to_black"] == 1
    assert CreditRun.objects.get().job_id == job.pk
    assert page_client_for("nj_director").post("/credit/regrade/").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_regrading_command_for_schedulers(province, billed):
    out = io.StringIO()
    call_command("credit_regrade", stdout=out)

    assert "1 to black" in out.getvalue()
    call_command("credit_regrade", stdout=out)
    assert "0 to red, 0 to grey, 0 to black" in out.getvalue()
