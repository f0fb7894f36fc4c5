"""The partners' demo step builds its data through the services on a province with members."""

import time

from kams.org.enums import RoleCode
from kams.org.testing import make_staff


def test_demo_builds_partners_exchanges_and_a_settled_month(club, province):
    from kams.club.models import PointsEntry
    from kams.demo.club_partners import build
    from kams.demo.generator import DemoContext
    from kams.partners.enums import Direction, StatementState
    from kams.partners.models import Coupon, Partner, PartnerExchange, SettlementStatement

    make_staff("demo_finance", province.units["JS-JKB"], (RoleCode.FINANCE,), name="财务")
    started = time.monotonic()
    assert build(DemoContext(size="small")) > 0
    assert time.monotonic() - started < 60
    assert Partner.objects.count() == 7
    inbound = PartnerExchange.objects.filter(direction=Direction.INBOUND)
    assert inbound.count() > 50
    # Every inbound exchange is one ledger credit with its own reference.
    references = set(inbound.values_list("entry__reference", flat=True))
    assert len(references) == inbound.count() and PointsEntry.objects.filter(reference__startswith="partner:").count() == len(references)
    settled = SettlementStatement.objects.exclude(state=StatementState.DRAFT)
    assert settled.count() == 7 and settled.filter(state=StatementState.PAID).count() == 6
    assert Coupon.objects.filter(state="redeemed").exists()
