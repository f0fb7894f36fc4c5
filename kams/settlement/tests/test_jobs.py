"""Settlement runs from the web page (CH-15): checked at once, queued as a job, settled by the
worker with its progress; bad input queues nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from kams.audit.models import AuditEntry
from kams.core.errors import InvalidInput
from kams.settlement.enums import RunKind
from kams.settlement.errors import NoScheme
from kams.settlement.jobs import settlement_run_start
from kams.settlement.models import AgentBill, Extraction, SettlementRun
from kams.settlement.testing import add_subscriber, one_scheme_setup
from kams.system.models import JobRun, JobState

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(channels, bills):
    """nj_a1 settled by a commission of 50 yuan per new mobile subscriber who paid 30 or more;
    one such subscriber last month."""
    return one_scheme_setup(channels, bills)


def nj_channel(channels):
    """A Nanjing channel manager: the settlement work of a channel manager, seeing Nanjing only."""
    from django.contrib.auth.models import Group, Permission

    from kams.org.builtin_roles import SETTLEMENT_WORK
    from kams.org.models import Role
    from kams.org.testing import make_staff

    group = Group.objects.create(name="role:nj_settlement")
    for code in SETTLEMENT_WORK:
        app_label, codename = code.split(".")
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    Role.objects.create(code="nj_settlement", name="南京结算", data_scope="unit", group=group)
    return make_staff("nj_channel", channels.units["NJ-SCB"], ("nj_settlement",), name="南京渠道经理").user


def nothing_queued() -> bool:
    return not (JobRun.objects.exists() or SettlementRun.objects.exists() or Extraction.objects.exists()
                or AuditEntry.objects.filter(action__in=["settlement.run_request", "settlement.run",
                                                         "settlement.extract"]).exists())


@pytest.mark.django_db(transaction=True)
def test_run_queued_from_the_page_is_settled_by_the_worker(client, channels, setup):
    client.force_login(setup["cm"])
    month = f"{setup['period']:%Y-%m}"

    response = client.post(reverse("settlement:run_create"),
                           {"period": month, "kind": "unified", "unit": channels.units["NJ-SCB"].pk}, follow=True)

    job = JobRun.objects.get()
    assert (job.name, job.state, job.started_by_id) == ("settlement.run", JobState.QUEUED, setup["cm"].pk)
    assert job.params == {"period": month, "kind": "unified", "agent": None, "unit": "NJ-SCB", "extraction": None}
    assert response.redirect_chain == [(reverse("settlement:runs"), 302)]
    page = response.content.decode()
    assert "The settlement run is queued" in page and 'id="run-jobs"' in page and 'hx-trigger="every 2s"' in page
    assert not SettlementRun.objects.exists()
    request = AuditEntry.objects.get(action="settlement.run_request")
    assert request.actor_id == setup["cm"].pk

    call_command("worker", "--batch")

    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED, job.error
    run = SettlementRun.objects.get()
    assert (run.job_id, run.kind, run.period, run.org_unit_id) == (job.pk, RunKind.UNIFIED, setup["period"],
                                                                 channels.units["NJ-SCB"].pk)
    assert [(b.agent.code, b.amount) for b in AgentBill.objects.filter(run=run)] == [("A32010001", Decimal("50.00"))]
    assert sorted(row["code"] for row in run.without_scheme) == ["A00000001", "A32010002"]
    assert job.result == {"run": run.number, "total": "50.00", "bills": 1, "settlement_run": run.pk,
                          "url": reverse("settlement:run", args=[run.pk])}
    assert (job.progress_done, job.progress_total, job.percent) == (1, 1, 100)
    page = client.get(reverse("settlement:runs")).content.decode()
    assert f'href="{reverse("settlement:run", args=[run.pk])}"' in page and 'hx-trigger' not in page
    assert AuditEntry.objects.filter(action="settlement.run", actor=setup["cm"]).count() == 1


@pytest.mark.django_db(transaction=True)
def test_single_run_with_an_extraction_is_settled_by_the_worker(channels, setup):
    from kams.settlement.run import extract

    extraction = extract(actor=setup["cm"], period=setup["period"], agent=channels.agents["nj_a1"])

    job = settlement_run_start(actor=setup["cm"], kind=RunKind.SINGLE, period=setup["period"],
                               agent=channels.agents["nj_a1"], extraction=extraction)
    call_command("worker", "--batch")

    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED, job.error
    run = SettlementRun.objects.get()
    assert (run.extraction_id, run.agent_id, run.job_id) == (extraction.pk, channels.agents["nj_a1"].pk, job.pk)
    assert run.bills.get().amount == Decimal("50.00")
    assert Extraction.objects.count() == 1  # the given extraction, none made by the run


@pytest.mark.parametrize("case,words", [
    ("no_scheme", "Agent A00000001 has no settlement scheme"),
    ("unended", "only a month that has ended can be settled"),
])
def test_bad_run_is_refused_on_the_page_and_nothing_is_queued(client, channels, setup, case, words,
                                                             django_capture_on_commit_callbacks):
    client.force_login(setup["cm"])
    data = {
        "no_scheme": {"period": f"{setup['period']:%Y-%m}", "kind": "single", "agent": channels.agents["national"].pk},
        "unended": {"period": f"{timezone.localdate():%Y-%m}", "kind": "unified", "unit": channels.units["NJ-SCB"].pk},
    }[case]
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("settlement:run_create"), data)

    assert response.status_code == 200
    assert words in response.content.decode()
    assert callbacks == [] and nothing_queued()


def test_out_of_scope_unit_is_refused_for_a_city_user_and_nothing_is_queued(client, channels, setup,
                                                                            django_capture_on_commit_callbacks):
    user = nj_channel(channels)
    client.force_login(user)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("settlement:run_create"), {
            "period": f"{setup['period']:%Y-%m}", "kind": "unified", "unit": channels.units["SZ-SCB"].pk})
        with pytest.raises(Http404):
            settlement_run_start(actor=user, kind=RunKind.UNIFIED, period=setup["period"],
                                 unit=channels.units["SZ-SCB"])

    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert callbacks == [] and nothing_queued()


def test_city_user_queues_a_run_of_their_own_unit(channels, setup, django_capture_on_commit_callbacks):
    user = nj_channel(channels)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = settlement_run_start(actor=user, kind=RunKind.UNIFIED, period=setup["period"],
                                   unit=channels.units["NJ-XJK"])

    assert len(callbacks) == 1
    assert (job.state, job.params["unit"]) == (JobState.QUEUED, "NJ-XJK")
    assert AuditEntry.objects.get(action="settlement.run_request").actor_id == user.pk


@pytest.mark.parametrize("case", ["no permission", "no target", "single without agent", "foreign extraction",
                                  "extraction of another month", "unknown kind"])
def test_service_refuses_before_queueing(channels, setup, case, django_capture_on_commit_callbacks):
    from django.core.exceptions import PermissionDenied

    from kams.settlement.run import extract

    period = setup["period"]
    extraction = None
    if case in ("foreign extraction", "extraction of another month"):
        extraction = extract(actor=None, period=period if case == "foreign extraction" else
                             (period - datetime.timedelta(days=1)).replace(day=1),
                             agent=channels.agents["nj_a2"])
    args = {"actor": setup["cm"], "kind": RunKind.UNIFIED, "period": period, "unit": channels.units["NJ-SCB"]}
    expected: type[Exception] = InvalidInput
    if case == "no permission":
        args["actor"], expected = channels.user("js_finance"), PermissionDenied
    elif case == "no target":
        args["unit"] = None
    elif case == "single without agent":
        args["kind"] = RunKind.SINGLE
    elif case == "unknown kind":
        args["kind"] = "monthly"
    else:
        args.update(kind=RunKind.SINGLE, unit=None, agent=channels.agents["nj_a1"], extraction=extraction)
    extractions = Extraction.objects.count()

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(expected):
        settlement_run_start(**args)

    assert callbacks == [] and not JobRun.objects.exists() and not SettlementRun.objects.exists()
    assert Extraction.objects.count() == extractions
    assert not AuditEntry.objects.filter(action__in=["settlement.run_request", "settlement.run"]).exists()


def test_settle_refuses_an_unended_month_too(channels, setup):
    from kams.settlement.run import settle

    with pytest.raises(InvalidInput):
        settle(actor=setup["cm"], period=timezone.localdate(), kind=RunKind.SINGLE, agent=channels.agents["nj_a1"])

    assert not SettlementRun.objects.exists() and not Extraction.objects.exists()


def test_real_time_settlement_may_settle_the_month_under_way(channels, setup, bills):
    """实时结算: this month's new subscriber is paid at once; no other kind settles this month,
    and no kind a month to come."""
    from kams.settlement.run import settle

    this_month, a1 = timezone.localdate().replace(day=1), channels.agents["nj_a1"]
    add_subscriber(a1, "13900000002", this_month)
    bills.add(this_month, "13900000002", fee_mobile=40)
    next_month = (this_month + datetime.timedelta(days=32)).replace(day=1)
    with pytest.raises(InvalidInput):
        settle(actor=setup["cm"], period=next_month, kind=RunKind.REALTIME, agent=a1)
    run = settle(actor=setup["cm"], period=this_month, kind=RunKind.REALTIME, agent=a1)
    assert run.kind == RunKind.REALTIME and run.total == Decimal("50.00")


def test_agent_without_scheme_refused_by_the_service(channels, setup):
    with pytest.raises(NoScheme):
        settlement_run_start(actor=setup["cm"], kind=RunKind.SINGLE, period=setup["period"],
                             agent=channels.agents["national"])

    assert nothing_queued()
