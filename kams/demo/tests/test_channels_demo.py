"""The channels demo (issue 6): checked by the one test that loads the demo (``test_demo.py``),
so the suite builds the province once."""

import datetime

from django.utils import timezone

from kams.billing.models import BillSummary
from kams.channels import ledger
from kams.channels.enums import AgentLevel, AgentStatus, TransactionKind
from kams.channels.models import Agent, AgentSubscriber
from kams.demo.channels import luhn_digit
from kams.resources.enums import PickupStatus
from kams.resources.models import PickupOrder
from kams.returnforms.models import FormEntry, Handover
from kams.settlement.enums import BillState, LineKind, RunKind
from kams.settlement.models import AgentBill, BillLine
from kams.settlement.services import agents_without_scheme


def check_channels_demo(counts: dict) -> None:
    assert counts["channels"] > 1000
    registered = Agent.objects.filter(status=AgentStatus.REGISTERED)
    assert set(registered.values_list("level", flat=True)) == set(AgentLevel.values)
    assert {a.org_unit.code for a in registered.select_related("org_unit")} == {"NJ-QD", "SZ-QD", "WX-QD"}
    assert Agent.objects.filter(status=AgentStatus.APPLIED).exists()
    assert Agent.objects.filter(status=AgentStatus.DEREGISTERED).exists()

    # Pickups open and cancelled; return forms handed over and entered into subscribers.
    assert PickupOrder.objects.filter(status=PickupStatus.ACTIVE).count() >= 20
    assert PickupOrder.objects.filter(status=PickupStatus.CANCELLED).count() == 1
    assert Handover.objects.count() >= 50
    entries = FormEntry.objects.count()
    assert entries >= 200 and AgentSubscriber.objects.count() == entries

    # Three settled months, the first two paid; the agent without a scheme is listed.
    first = timezone.localdate().replace(day=1)
    periods = []
    for _n in range(3):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
        periods.append(first)
    assert set(AgentBill.objects.values_list("period", flat=True)) == set(periods)
    assert AgentBill.objects.filter(state=BillState.PAID, period__in=periods[1:]).exists()
    assert not AgentBill.objects.filter(period=periods[0], state=BillState.PAID).exists()
    without = agents_without_scheme(list(registered), periods[0])
    assert [a.code for a in without] == ["WXDL014"]

    # The agents' subscribers are billed: commission on paying new subscribers, data revenue share.
    assert BillSummary.objects.filter(msisdn__in=AgentSubscriber.objects.values("msisdn")).count() >= entries
    lines = BillLine.objects.filter(bill__run__kind=RunKind.UNIFIED)
    assert lines.filter(scheme__code="mob-new", amount__gt=0).exists()
    assert lines.filter(scheme__code="data-share", amount__gt=0).exists()
    unpaid = BillSummary.objects.filter(period=periods[1], paid__lt=20).values("msisdn")
    assert not lines.filter(scheme__code="mob-new", bill__period=periods[1], msisdn__in=unpaid).exists()

    # A billing correction of the oldest month, re-settled for one agent: adjusting lines against
    # the paid bill (left as it was), the difference recovered from the rebate.
    again = AgentBill.objects.get(original__isnull=False)
    assert again.period == periods[2] and again.agent.code == "NJDL001" and again.state == BillState.PAID
    adjusting = again.lines.filter(kind=LineKind.ADJUST)
    assert adjusting.count() >= 2 and all(line.amount < 0 for line in adjusting)
    assert again.amount == sum(line.amount for line in adjusting) < 0
    assert again.transaction.kind == TransactionKind.RECOVERY
    assert again.original.state == BillState.PAID and again.original.lines.filter(kind=LineKind.ADJUST).count() == 0
    bounced = BillSummary.objects.filter(msisdn__in=adjusting.values("msisdn"), period=periods[2], paid=0)
    assert bounced.count() == 2  # the two bounced payments of the corrected file

    assert ledger.ledger_check() == []


def test_imei_check_digit():
    assert luhn_digit("49015420323751") == "8"  # the textbook IMEI 490154203237518
