"""Test support for the customer domain, reused by later domains' tests."""

from decimal import Decimal

import pytest

from kams.customers import services
from kams.customers.enums import CertificateType, CustomerType
from kams.customers.reference_data import ensure_reference_data_now


def make_customer(province, *, actor="js_director", manager="nj_manager1", unit="NJ", name="南京银行股份有限公司", **fields):
    """A customer created through the real service by ``actor``."""
    defaults = {
        "customer_type": CustomerType.GROUP,
        "certificate_type": CertificateType.CREDIT_CODE,
        "expected_monthly_revenue": Decimal("45000"),
    }
    defaults.update(fields)
    return services.customer_create(
        actor=province.user(actor),
        name=name,
        org_unit=province.units[unit],
        account_manager=province.staff[manager] if manager else None,
        **defaults,
    )


@pytest.fixture
def customers(province):
    """One customer per place that scoping tests care about."""
    ensure_reference_data_now()  # a transactional test before this one may have flushed it
    return {
        "nj_m1": make_customer(province, name="南京银行股份有限公司", certificate_no="91320100134791002P"),
        "nj_m2": make_customer(province, name="南京钢铁集团有限公司", manager="nj_manager2", certificate_no="91320100134791003Q"),
        "zj": make_customer(province, name="镇江港务集团", manager=None, unit="ZJ-D01", certificate_no="91321100141381004R"),
        "sz": make_customer(province, name="苏州工业园区某科技有限公司", manager="sz_manager1", unit="SZ", certificate_no="91320594MA1MK2QH5S"),
    }
