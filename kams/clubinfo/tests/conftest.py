"""Fixtures of the club service-information tests: the club (three members), the default
evaluation indicators and a gift in the Nanjing stock."""

from decimal import Decimal

import pytest


@pytest.fixture
def info(province, club):
    from kams.clubinfo.reference_data import ensure_reference_data_now

    ensure_reference_data_now()  # a transactional test before this one may have flushed them
    return club


@pytest.fixture
def cake(province):
    """Three birthday cakes in the Nanjing city stock."""
    from kams.care.services import gift_save, stock_in

    gift = gift_save(actor=province.user("js_director"), code="cake", name="生日蛋糕", unit_label="个",
                     reference_cost=Decimal("120.00"))
    stock_in(actor=province.user("nj_director"), gift=gift, org_unit=province.units["NJ"], quantity=3,
             unit_cost=Decimal("100"))
    return gift
