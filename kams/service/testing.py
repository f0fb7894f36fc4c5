"""Test support for service processes: the people who take steps besides managers and directors."""

from pathlib import Path

import pytest

from kams.org.testing import make_staff

FIXTURES = Path(__file__).parent / "tests" / "fixtures"


@pytest.fixture
def service_people(province):
    u, s = province.units, province.staff
    s["nj_maint"] = make_staff("nj_maint", u["NJ"], ("maintenance",), name="赵维护")
    s["nj_maint"].mobile = "13900000001"
    s["nj_maint"].save()
    s["nj_tech"] = make_staff("nj_tech", u["NJ-DKH"], ("technician",), name="钱技术")
    s["nj_finance"] = make_staff("nj_finance", u["NJ"], ("finance",), name="孙财务")
    s["js_leader"] = make_staff("js_leader", u["JS"], ("company_leader",), name="周领导")
    s["js_leader"].mobile = "13900000009"
    s["js_leader"].save()
    s["nj_director"].mobile = "13900000002"
    s["nj_director"].save()
    s["nj_manager1"].mobile = "13900000003"
    s["nj_manager1"].save()
    return province
