"""The club's scheduled work: expiry warnings, monthly statements, the points command."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from kams.club import ledger
from kams.club import redemption as redeeming
from kams.club.enums import ChannelKind, PointsCategory
from kams.club.jobs import expiry_warnings, monthly_statements
from kams.club.models import PointsAccount, PointsRun
from kams.club.testing import give_points, load_bills, october_bill
from kams.notify.models import Message


def _lot_expiring_in(member, days: int, points: int):
    """A lot whose last day is ``days`` from today (set directly: the expiry rule works in years)."""
    from kams.club.models import PointsLot

    with transaction.atomic():
        entry = ledger.credit(member=member, points=points, category=PointsCategory.SURVEY, reason="调查")
    PointsLot.objects.filter(pk=entry.lot_id).update(expires_on=timezone.localdate() + datetime.timedelta(days=days))


def test_expiring_points_are_warned_once_by_sms_call_list_and_manager(province, club):
    from kams.org.models import Staff

    Staff.objects.filter(user__username="nj_manager1").update(mobile="13800000001")
    _lot_expiring_in(club.members["diamond"], 10, 800)
    _lot_expiring_in(club.members["emerald"], 200, 800)  # not yet
    _lot_expiring_in(club.members["sapphire"], 5, 20)  # below the minimum worth a warning
    with transaction.atomic():
        expiry_warnings()
    with transaction.atomic():
        expiry_warnings()  # the next day's run sends nothing twice
    messages = Message.objects.filter(purpose__startswith="club.points_expiry")
    assert sorted(messages.values_list("channel", "recipient")) == [
        ("sms", "13800000001"), ("sms", "13951000001"), ("voice", "13951000001")]
    assert "800" in messages.get(channel="sms", recipient="13951000001").body


def test_monthly_statements_go_once_to_members_who_redeemed(club, fee10):
    give_points(club.members["diamond"], 3000)
    redeeming.redeem(actor=None, card_no=club.card_no("diamond"), item="FEE10", quantity=2,
                     channel_kind=ChannelKind.PORTAL, idempotency_key="s-1")
    month = timezone.localdate().replace(day=1)
    assert monthly_statements(period=month) == 1
    monthly_statements(period=month)
    statement = Message.objects.get(purpose="club.monthly_statement")
    assert statement.recipient == "13951000001" and "2000" in statement.body and "1000" in statement.body


@pytest.mark.django_db(transaction=True)
def test_the_points_command_runs_a_month_and_checks_the_ledger(club, club_accounts):
    load_bills("2026-10", [october_bill("2501000001", "13951000001")])
    out = StringIO()
    call_command("points", "run", "--period", "2026-10", stdout=out)
    assert "1 members credited" in out.getvalue()
    assert PointsRun.objects.get(period=datetime.date(2026, 10, 1)).members == 1
    assert PointsAccount.objects.get(pk=club.members["diamond"].pk).balance == 1150
    check = StringIO()
    call_command("points", "check", stdout=check)
    assert "every account reconciles" in check.getvalue()
    with pytest.raises(CommandError):
        call_command("points", "run", "--period", "2026-13", stdout=StringIO())


def test_the_statements_page_lists_and_exports_the_month(page_client_for, club, fee10):
    give_points(club.members["diamond"], 3000)
    redeeming.redeem(actor=None, card_no=club.card_no("diamond"), item="FEE10", quantity=1,
                     channel_kind=ChannelKind.PORTAL, idempotency_key="s-2")
    month = timezone.localdate().strftime("%Y-%m")
    client = page_client_for("js_club")
    page = client.get(f"/club/redemption/statements/?month={month}")
    assert page.status_code == 200 and club.members["diamond"].member_no in page.content.decode()
    assert client.get(f"/club/redemption/statements/?month={month}&export=xlsx")["Content-Type"].startswith(
        "application/vnd.openxmlformats")
    other = page_client_for("sz_manager1").get(f"/club/redemption/statements/?month={month}")
    assert club.members["diamond"].member_no not in other.content.decode()
