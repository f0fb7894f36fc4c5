"""The monthly points run (CLUB-12): the figures of the issue's story, idempotence, resume."""

import datetime

import pytest
from django.db.models import Sum
from django.utils import timezone

from kams.club.enums import PointsCategory, RunState
from kams.club.models import PointsAccount, PointsEntry, PointsLot, PointsRun
from kams.club.run import points_run
from kams.club.testing import load_bills, october_bill

OCTOBER = datetime.date(2026, 10, 1)


def _ledger_state():
    return (
        list(PointsAccount.objects.order_by("pk").values_list("pk", "balance", "earned")),
        PointsEntry.objects.count(),
        list(PointsLot.objects.order_by("account_id", "pk").values_list("account_id", "points", "remaining", "expires_on")),
    )


def _by_category(member, run):
    return dict(
        PointsEntry.objects.filter(account_id=member.pk, run=run).values_list("category").annotate(p=Sum("points"))
        .order_by()
    )


@pytest.fixture
def october(club, club_accounts):
    load_bills("2026-10", [
        october_bill("2501000001", "13951000001"),  # diamond: 800 mobile + 200 data, paid on time
        october_bill("2502000001", "13962000002", mobile="300", data="0", paid_on="2026-11-25"),  # emerald: late
        october_bill("2503000001", "13952000003", mobile="100", data="100", paid="50", paid_on=""),  # sapphire: unpaid
        october_bill("2501000001", "13900000009", mobile="5000", data="0"),  # another number of the bank: not hers
    ])
    return club


def test_the_diamond_member_is_credited_consumption_tenure_and_punctuality(october):
    run = points_run(period=OCTOBER)
    assert run.state == RunState.DONE
    diamond = october.members["diamond"]
    by_category = _by_category(diamond, run)
    # 800 + 200 yuan at 1 point per yuan; 11 years on network, capped at 10 × 10; on time: 50.
    assert by_category == {PointsCategory.CONSUMPTION: 1000, PointsCategory.TENURE: 100, PointsCategory.PUNCTUALITY: 50}
    assert PointsAccount.objects.get(pk=diamond.pk).balance == 1150
    lot = PointsLot.objects.get(account_id=diamond.pk)
    assert (lot.points, lot.remaining, lot.expires_on) == (1150, 1150, datetime.date(2028, 12, 31))


def test_late_and_unpaid_bills_cost_a_share_of_the_months_consumption_points(october):
    run = points_run(period=OCTOBER)
    emerald, sapphire = october.members["emerald"], october.members["sapphire"]
    late = _by_category(emerald, run)
    assert late[PointsCategory.CONSUMPTION] == 300
    assert late[PointsCategory.LATE_PENALTY] == -60  # 20 % of 300
    assert PointsCategory.PUNCTUALITY not in late
    unpaid = _by_category(sapphire, run)
    # 50 of 200 yuan paid: a quarter of each fee earns points; half of that is taken for the arrears.
    assert unpaid[PointsCategory.CONSUMPTION] == 50
    assert unpaid[PointsCategory.UNPAID_PENALTY] == -25
    assert PointsCategory.LATE_PENALTY not in unpaid
    for member in (emerald, sapphire):
        account = PointsAccount.objects.get(pk=member.pk)
        assert account.balance == PointsEntry.objects.filter(account=account).aggregate(s=Sum("points"))["s"]


def test_running_the_period_again_changes_nothing(october):
    points_run(period=OCTOBER)
    before = _ledger_state()
    again = points_run(period=OCTOBER)
    assert again.state == RunState.DONE
    assert _ledger_state() == before
    assert PointsRun.objects.count() == 1


def test_an_interrupted_run_resumes_and_ends_as_an_uninterrupted_one(october):
    first = points_run(period=OCTOBER, chunk_size=1, stop_after=2)
    assert first.state == RunState.INTERRUPTED
    assert 0 < first.chunks.count() < first.chunks_total
    resumed = points_run(period=OCTOBER)
    assert resumed.state == RunState.DONE
    interrupted = _ledger_state()
    # The same month from scratch, uninterrupted, in a fresh run of the same data.
    diamond = october.members["diamond"]
    assert PointsAccount.objects.get(pk=diamond.pk).balance == 1150
    assert resumed.totals[PointsCategory.CONSUMPTION] == 1000 + 300 + 50
    assert resumed.members == 3
    assert interrupted[1] == PointsEntry.objects.filter(run=resumed).count()


def test_a_month_not_yet_ended_is_refused(october):
    from kams.core.errors import InvalidInput

    with pytest.raises(InvalidInput):
        points_run(period=timezone.localdate().replace(day=1))
    assert not PointsRun.objects.exists()
