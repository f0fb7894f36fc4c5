"""Test helpers for settlement: subscribers and bills written directly."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from kams.billing.models import BillImport, BillSummary, ImportState
from kams.channels.enums import SubscriberStatus
from kams.channels.models import AgentSubscriber
from kams.customers.enums import Business


def last_period() -> datetime.date:
    return (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def months_before(period: datetime.date, months: int, day: int = 5) -> datetime.date:
    index = period.year * 12 + period.month - 1 - months
    return datetime.date(index // 12, index % 12 + 1, day)


def add_subscriber(agent, msisdn: str, activated_on: datetime.date, *, business: str = Business.MOBILE,
                   package: str = "", status: str = SubscriberStatus.ACTIVE, cancelled_on=None, hour: int = 10):
    return AgentSubscriber.objects.create(
        agent=agent, msisdn=msisdn, business=business, package=package, activated_on=activated_on,
        reference_at=timezone.make_aware(datetime.datetime.combine(activated_on, datetime.time(hour))),
        status=status, cancelled_on=cancelled_on)


class Bills:
    """Bills of one customer's paying account (BillSummary rows need a customer, an account and
    an import batch)."""

    def __init__(self, customer) -> None:
        from kams.customers.models import PayingAccount

        self.customer = customer
        self.account = PayingAccount.objects.create(customer=customer, account_no="9900000001", name=customer.name)
        self.batches: dict = {}

    def batch(self, period):
        if period not in self.batches:
            self.batches[period] = BillImport.objects.create(
                period=period, file="billing/test.csv", file_name="test.csv", sha256="0" * 64,
                state=ImportState.IMPORTED, total=Decimal("0"), paid=Decimal("0"))
        return self.batches[period]

    def add(self, period, msisdn: str, **fees) -> BillSummary:
        fees = {k: Decimal(str(v)) for k, v in fees.items()}
        total = sum((v for k, v in fees.items() if k.startswith("fee_")), Decimal("0"))
        fees.setdefault("total", total)
        fees.setdefault("paid", fees["total"])
        fees.setdefault("arrears", fees["total"] - fees["paid"])
        return BillSummary.objects.create(period=period, customer=self.customer, account=self.account, msisdn=msisdn,
                                          batch=self.batch(period), **fees)


def one_scheme_setup(channels, bills: Bills, *, msisdn: str = "13900000001", name: str = "Mobile",
                     composite_name: str = "Standard") -> dict:
    """nj_a1 settled by a commission of 50 yuan per new mobile subscriber who paid 30 or more
    (scheme ``mob``, composite ``std``), with one such subscriber (35 yuan) last month."""
    from kams.settlement import services
    from kams.settlement.enums import SchemeKind
    from kams.settlement.variables import ensure_variables

    ensure_variables()  # installed by migration; a transactional test's flush removes them
    cm, period, a1 = channels.user("js_channel"), last_period(), channels.agents["nj_a1"]
    version = services.save_scheme(actor=cm, code="mob", name=name, business="mobile", kind=SchemeKind.COMMISSION,
                                   condition="paid >= 30", steps=[{"from": 1, "amount": "50"}])
    composite = services.save_composite(actor=cm, code="std", name=composite_name, schemes=[version.scheme])
    services.assign_scheme(actor=cm, agent=a1, primary=composite)
    add_subscriber(a1, msisdn, period.replace(day=3))
    bills.add(period, msisdn, fee_mobile=35)
    return {"cm": cm, "period": period, "version": version, "composite": composite}
