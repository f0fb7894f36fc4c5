"""The points ledger's invariants (CLUB-09 … CLUB-13), by example and by property."""

import datetime

import pytest
from django.db import DatabaseError, transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kams.club import ledger
from kams.club.enums import PointsCategory, PointsKind
from kams.club.errors import InsufficientPoints
from kams.club.models import PointsAccount, PointsEntry, PointsLot
from kams.core.errors import InvalidInput

TODAY = datetime.date.today()


def assert_ledger_consistent(member):
    """Σ entries = balance = Σ remaining of the lots; no lot below zero or above its points."""
    account = PointsAccount.objects.get(pk=member.pk)
    entries = PointsEntry.objects.filter(account=account).aggregate(s=Sum("points"))["s"] or 0
    remaining = PointsLot.objects.filter(account=account).aggregate(s=Sum("remaining"))["s"] or 0
    assert account.balance == entries == remaining
    assert account.balance >= 0
    assert not PointsLot.objects.filter(account=account, remaining__lt=0).exists()
    for lot in PointsLot.objects.filter(account=account):
        assert 0 <= lot.remaining <= lot.points


def credit(member, points, earned_on=None, reference=""):
    with transaction.atomic():
        return ledger.credit(member=member, points=points, category=PointsCategory.ACTIVITY, earned_on=earned_on,
                             reference=reference)


def debit(member, points):
    with transaction.atomic():
        return ledger.debit(member=member, points=points, category=PointsCategory.REDEMPTION)


def test_spending_takes_the_earliest_expiring_lots_first(club):
    member = club.members["diamond"]
    late = credit(member, 500, earned_on=TODAY)  # expires end of the year after next
    early = credit(member, 300, earned_on=TODAY.replace(year=TODAY.year - 2))  # expires this year-end
    spend = debit(member, 400)
    uses = {u.lot_id: u.points for u in spend.lot_uses.all()}
    assert uses == {early.lot_id: 300, late.lot_id: 100}
    assert PointsLot.objects.get(pk=early.lot_id).remaining == 0
    assert PointsLot.objects.get(pk=late.lot_id).remaining == 400
    assert_ledger_consistent(member)


def test_spending_more_than_the_balance_changes_nothing(club):
    member = club.members["diamond"]
    credit(member, 100)
    before = PointsEntry.objects.count()
    with pytest.raises(InsufficientPoints) as caught:
        debit(member, 101)
    assert caught.value.status == 409 and caught.value.code == "insufficient_points"
    assert PointsEntry.objects.count() == before
    assert PointsAccount.objects.get(pk=member.pk).balance == 100


@pytest.mark.parametrize("points", [0, -5, 1.5, "10", True])
def test_points_must_be_a_positive_whole_number(club, points):
    with pytest.raises(InvalidInput):
        credit(club.members["diamond"], points)
    assert not PointsEntry.objects.exists()


def test_a_reference_credits_once(club):
    member = club.members["diamond"]
    first = credit(member, 200, reference="activity:1:1")
    again = credit(member, 200, reference="activity:1:1")
    assert again.pk == first.pk
    assert PointsAccount.objects.get(pk=member.pk).balance == 200


def test_expiry_takes_only_what_is_left_and_each_lot_once(club):
    member = club.members["diamond"]
    old = credit(member, 1000, earned_on=datetime.date(2020, 5, 1))  # expired at the end of 2022
    fresh = credit(member, 200)
    # Spending first expires the old lot, so it cannot be spent.
    with pytest.raises(InsufficientPoints):
        debit(member, 300)
    assert PointsAccount.objects.get(pk=member.pk).balance == 1200  # the failed spending rolled back the expiry too
    expired = ledger.expire_due()
    assert expired == 1
    assert ledger.expire_due() == 0
    account = PointsAccount.objects.get(pk=member.pk)
    assert (account.balance, account.expired) == (200, 1000)
    entry = PointsEntry.objects.get(lot_id=old.lot_id, kind=PointsKind.EXPIRE)
    assert entry.points == -1000
    assert PointsLot.objects.get(pk=fresh.lot_id).remaining == 200
    assert_ledger_consistent(member)


def test_expiry_never_takes_spent_points(club):
    member = club.members["diamond"]
    lot = credit(member, 1000, earned_on=TODAY.replace(year=TODAY.year - 2)).lot  # expires this year-end
    debit(member, 700)
    ledger.expire_due(today=datetime.date(TODAY.year + 1, 1, 1))
    assert PointsEntry.objects.get(lot=lot, kind=PointsKind.EXPIRE).points == -300
    assert_ledger_consistent(member)


def test_the_ledger_refuses_updates(club):
    entry = credit(club.members["diamond"], 10)
    with pytest.raises(DatabaseError), transaction.atomic():
        PointsEntry.objects.filter(pk=entry.pk).update(points=1000)


def test_the_balance_cannot_go_below_zero_in_the_database(club):
    credit(club.members["diamond"], 10)
    with pytest.raises(DatabaseError), transaction.atomic():
        PointsAccount.objects.filter(pk=club.members["diamond"].pk).update(balance=-1)


operations = st.lists(
    st.one_of(
        st.tuples(st.just("credit"), st.integers(1, 5000), st.integers(-40, 0)),  # points, months ago earned
        st.tuples(st.just("debit"), st.integers(1, 6000), st.just(0)),
        st.tuples(st.just("expire"), st.just(0), st.integers(0, 30)),  # months ahead
    ),
    min_size=1, max_size=25,
)


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_any_sequence_of_operations_keeps_the_ledger_consistent(club, ops):
    member = club.members["emerald"]
    for op, points, months in ops:
        if op == "credit":
            credit(member, points, earned_on=ledger.add_months(TODAY, months))
        elif op == "debit":
            balance = PointsAccount.objects.get(pk=member.pk).balance
            try:
                debit(member, points)
            except InsufficientPoints:
                assert PointsAccount.objects.get(pk=member.pk).balance <= balance
        else:
            ledger.expire_due(today=ledger.add_months(TODAY, months))
        assert_ledger_consistent(member)
    # Every point of every lot is accounted for exactly once: still there, spent, or expired.
    for lot in PointsLot.objects.filter(account_id=member.pk):
        spent = sum(u.points for u in lot.uses.all())
        expired = -sum(PointsEntry.objects.filter(lot=lot, kind=PointsKind.EXPIRE).values_list("points", flat=True))
        assert lot.points == lot.remaining + spent + expired
