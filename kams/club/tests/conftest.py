"""Fixtures of the club's ledger and redemption tests: the catalogue item FEE10."""

from decimal import Decimal

import pytest


@pytest.fixture
def fee10(club):
    """10 yuan of phone credit for 1,000 points (the issue's catalogue item)."""
    from kams.club.models import RedemptionItem

    return RedemptionItem.objects.create(code="FEE10", name="10元话费", kind="fee", points=1000,
                                         face_value=Decimal("10"), unit_cost=Decimal("9.50"), auto_redeemable=True)
