"""The demo province (ARCHITECTURE §7), built once by ``kams demo`` and checked whole."""

import time

import pytest
from django.core.management import call_command
from django.db import transaction

from kams.audit.models import AuditEntry
from kams.billing.models import BillImport, BillSummary
from kams.customers.models import Customer, LevelEvaluation
from kams.customers.selectors import level_suggest
from kams.demo.generator import DEMO_LOGINS, DEMO_PASSWORD, DemoContext, build_org_tree, build_staff, load_demo
from kams.demo.tests.test_channels_demo import check_channels_demo
from kams.demo.tests.test_demo_customers import check_key_account_base
from kams.org.enums import RoleCode, UnitKind
from kams.org.models import OrgUnit, Role, Staff
from kams.system.models import JobRun, JobState


@pytest.mark.django_db(transaction=True)
def test_demo_command_builds_the_whole_province(client, capsys):
    started = time.perf_counter()
    call_command("demo", "--no-serve")
    seconds = time.perf_counter() - started

    out = capsys.readouterr().out
    assert "http://127.0.0.1:8000/" in out and "nj_manager1" in out and "kams-demo" in out
    run = JobRun.objects.get(name="demo.load")
    assert run.state == JobState.SUCCEEDED
    counts = run.result
    print(f"\nkams demo --size small: {seconds:.1f} s, {counts}")

    # Organisation and people
    assert OrgUnit.objects.filter(kind=UnitKind.CITY).count() == 13
    assert OrgUnit.objects.filter(kind=UnitKind.DISTRICT).count() >= 50
    assert set(Role.objects.filter(staff__isnull=False).values_list("code", flat=True)) == set(RoleCode.values)
    assert counts["staff"] + 1 == Staff.objects.count()  # one more hired in "first operations"
    for login in DEMO_LOGINS:
        response = client.post("/accounts/login/", {"username": login.username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, login.username
        client.post("/accounts/logout/")
    assert AuditEntry.objects.filter(action__in=["org.staff_update", "org.staff_create", "system.parameter_set"]).count() == 5

    # Key accounts
    check_key_account_base(counts)

    # A year of bills, loaded through the billing import and reconciled
    # (the channels step re-delivers three months with the agents' subscribers: those supersede)
    imports = BillImport.objects.filter(state="imported", superseded=False)
    assert imports.count() == 12 and all(b.reconciliation["matches"] for b in imports)
    assert BillImport.objects.filter(state="imported", superseded=True).count() == 4
    assert BillSummary.objects.count() == sum(b.row_count for b in imports)
    assert BillSummary.objects.filter(batch__file_name__startswith="demo-bills").count() == BillSummary.objects.count()
    assert BillSummary.objects.filter(arrears__gt=0).values("customer").distinct().count() >= 20

    # Contracts, some of them ending within the warning window
    from kams.customers.models import Contract
    from kams.customers.selectors import contracts_expiring

    assert Contract.objects.count() == counts["contracts"] >= 300
    assert contracts_expiring(Staff.objects.get(user__username="js_director").user).count() >= 20

    # Candidates to admit and duplicates to review (CUS-03, CUS-04)
    from kams.collection.models import Candidate, DuplicatePair

    assert counts["collection"] == Candidate.objects.count() >= 10
    assert DuplicatePair.objects.count() >= 10

    # Levels agree with the rule after the monthly evaluation
    assert LevelEvaluation.objects.count() == 1
    for customer in Customer.objects.order_by("pk")[::37]:
        assert customer.level == level_suggest(customer), customer.code

    # Channels: agents, stock, return forms, three settled months (issue 6)
    check_channels_demo(counts)


@pytest.mark.django_db
def test_demo_is_not_loaded_into_a_database_with_data():
    OrgUnit.objects.add_root({"code": "X", "name": "已有数据", "kind": UnitKind.HQ})

    with pytest.raises(RuntimeError):
        load_demo(size="small")


@pytest.mark.django_db
def test_demo_sizes_scale_the_staff():
    counts = {}
    for size in ("small", "medium"):
        savepoint = transaction.savepoint()
        ctx = DemoContext(size=size)
        build_org_tree(ctx)
        counts[size] = build_staff(ctx)
        transaction.savepoint_rollback(savepoint)

    assert counts["medium"] > 2 * counts["small"]
