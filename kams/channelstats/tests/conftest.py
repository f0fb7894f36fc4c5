"""A small hand-made dataset for channel evaluation: three agents evaluated for March 2025
(nj_a1 新街口, nj_a2 河西, sz_a1 苏州); nj_a3 and the national agent were deregistered before."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from kams.billing.models import BillImport, BillSummary, ImportState
from kams.channels.enums import AgentStatus, SubscriberStatus
from kams.channels.models import Agent, AgentSubscriber
from kams.customers.models import PayingAccount

MARCH = datetime.date(2025, 3, 1)
FEB = datetime.date(2025, 2, 1)
D = datetime.date


@dataclass
class EvalData:
    channels: object
    account: PayingAccount

    def user(self, name):
        return self.channels.user(name)

    @property
    def agents(self):
        return self.channels.agents


def add_sub(agent, msisdn, activated, *, cancelled=None, business="mobile", package=""):
    return AgentSubscriber.objects.create(
        agent=agent, msisdn=msisdn, business=business, package=package, activated_on=activated,
        reference_at=timezone.make_aware(datetime.datetime.combine(activated, datetime.time(12))),
        status=SubscriberStatus.CANCELLED if cancelled else SubscriberStatus.ACTIVE, cancelled_on=cancelled,
    )


def add_bills(account, period, rows):
    batch = BillImport.objects.create(period=period, file="billing/x.csv", file_name=f"{period:%Y-%m}.csv", sha256="0" * 64,
                                      state=ImportState.IMPORTED)
    BillSummary.objects.bulk_create([
        BillSummary(period=period, customer=account.customer, account=account, msisdn=msisdn, total=Decimal(total),
                    fee_mobile=Decimal(total), paid=Decimal(paid), arrears=Decimal(total) - Decimal(paid),
                    due_on=period.replace(day=28) + datetime.timedelta(days=5),
                    paid_on=paid_on, batch=batch)
        for msisdn, total, paid, paid_on in rows
    ])
    return batch


@pytest.fixture
def evaldata(channels, customers):
    a = channels.agents
    Agent.objects.filter(pk__in=[a["nj_a3"].pk, a["national"].pk]).update(
        status=AgentStatus.DEREGISTERED, deregistered_on=D(2025, 1, 1))
    add_sub(a["nj_a1"], "13900000001", D(2025, 1, 10))
    add_sub(a["nj_a1"], "13900000002", D(2025, 3, 5), package="P1")
    add_sub(a["nj_a1"], "13900000003", D(2025, 3, 6), package="P2")
    add_sub(a["nj_a1"], "13900000004", D(2025, 2, 1), cancelled=D(2025, 3, 20))
    for n in range(1, 6):
        add_sub(a["nj_a2"], f"1390000010{n}", D(2025, 3, n if n < 5 else 31))
    add_sub(a["sz_a1"], "13900000201", D(2024, 12, 1))
    add_sub(a["sz_a1"], "13900000202", D(2024, 12, 2), cancelled=D(2025, 2, 15))
    add_sub(a["sz_a1"], "13900000203", D(2025, 3, 15))
    account = PayingAccount.objects.create(customer=customers["nj_m1"], account_no="2599000001", name="测试帐户")
    add_bills(account, MARCH, [
        ("13900000001", "100", "100", D(2025, 4, 1)),
        ("13900000002", "50", "30", None),
        ("13900000101", "40", "40", D(2025, 4, 1)),
        ("13900000201", "300", "250", D(2025, 4, 30)),
        ("13900000203", "60", "60", D(2025, 4, 2)),
        ("13800000000", "999", "999", D(2025, 4, 1)),
    ])
    add_bills(account, FEB, [("13900000001", "80", "80", D(2025, 3, 1))])
    return EvalData(channels=channels, account=account)


SIMPLE_ITEMS = [
    {"indicator": "new_users", "weight": "40", "method": "linear", "floor": "0", "target": "4"},
    {"indicator": "revenue", "weight": "30", "method": "linear", "floor": "0", "target": "200"},
    {"indicator": "churn_rate", "weight": "30", "method": "rank"},
]


@pytest.fixture
def simple_model(evaldata):
    from kams.channelstats.services import model_save

    return model_save(actor=evaldata.user("js_channel"), code="basic", name="基本考核", items=SIMPLE_ITEMS)
