"""Fixtures of the care tests: the small visit process, levels, gifts in stock, a care rule."""

from decimal import Decimal
from pathlib import Path

import pytest

from kams.service import services as service

REVISIT_XML = (Path(__file__).parent / "fixtures" / "revisit.bpmn").read_bytes()


@pytest.fixture
def revisit(service_people):
    """The test visit process (uploaded, so it is the active version whatever the package ships)."""
    return service.definition_upload(actor=service_people.user("admin"), xml=REVISIT_XML, note="care tests")


@pytest.fixture
def gift(province):
    from kams.care.services import gift_save

    return gift_save(actor=province.user("js_director"), code="cake", name="生日蛋糕", unit_label="个",
                     reference_cost=Decimal("120.00"))


@pytest.fixture
def nj_stock(province, gift):
    """Five cakes in the Nanjing city stock, two in Suzhou."""
    from kams.care.services import stock_in

    stock_in(actor=province.user("nj_director"), gift=gift, org_unit=province.units["NJ"], quantity=5, unit_cost=Decimal("100"))
    stock_in(actor=province.user("js_director"), gift=gift, org_unit=province.units["SZ"], quantity=2, unit_cost=Decimal("100"))
    return gift
