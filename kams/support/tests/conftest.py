"""Fixtures of the service-support tests: reference data, customers with contacts and lines in
Nanjing and Suzhou, and small test processes standing in for the fault and acceptance ones."""

import datetime

import pytest
from django.utils import timezone

from kams.customers import services as customer_services
from kams.service import services as service_services
from kams.service.testing import FIXTURES
from kams.support import services
from kams.support.models import ServiceClass
from kams.support.reference_data import ensure_reference_data_now

MINI = (FIXTURES / "mini.bpmn").read_text()


def process_xml(key: str, channel: str) -> bytes:
    """The engine's small test process under another key and channel."""
    xml = MINI.replace('id="mini"', f'id="{key}"').replace('value="red"', f'value="{channel}"')
    return xml.encode()


def at(hour: int, minute: int = 0, day: int = 24) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2026, 11, day, hour, minute))


@pytest.fixture
def support(service_people, customers):
    """People, customers (with primary contacts), classes and one line per customer."""
    ensure_reference_data_now()
    p = service_people
    js = p.user("js_director")
    for key, name, mobile in (("nj_m1", "王行长", "13800000001"), ("nj_m2", "钱处长", "13800000002"), ("sz", "孙经理", "13800000003")):
        customer_services.contact_add(actor=js, customer=customers[key], name=name, mobile=mobile, is_primary=True)
    a = ServiceClass.objects.get(line_type="private_line", code="A")
    b = ServiceClass.objects.get(line_type="private_line", code="B")
    lines = {
        "nj_m1": services.line_add(actor=js, customer=customers["nj_m1"], line_no="NJ-DL-0001", line_type="private_line",
                                   service_class=a, bandwidth_mbps=100, a_end="南京银行总行机房", z_end="南京银行河西数据中心",
                                   network_element="NJ-OTN-01", status="active"),
        "nj_m2": services.line_add(actor=js, customer=customers["nj_m2"], line_no="NJ-DL-0002", line_type="private_line",
                                   service_class=b, bandwidth_mbps=50, a_end="南钢总部", network_element="NJ-OTN-02", status="active"),
        "sz": services.line_add(actor=js, customer=customers["sz"], line_no="SZ-DL-0001", line_type="private_line",
                                service_class=b, bandwidth_mbps=20, a_end="苏州园区", network_element="NJ-OTN-01", status="active"),
    }
    return {"people": p, "customers": customers, "lines": lines, "class_a": a, "class_b": b}


@pytest.fixture
def fault_process(service_people):
    return service_services.definition_upload(actor=service_people.user("admin"), xml=process_xml("fault_level1", "red"), note="test")


@pytest.fixture
def green_process(service_people):
    return service_services.definition_upload(actor=service_people.user("admin"), xml=process_xml("green_test", "green"), note="test")


@pytest.fixture
def template(support):
    return services.template_create(
        actor=support["people"].user("js_director"), number="FA-ZX-01", name="金融专线双路由方案",
        valid_from=datetime.date(2026, 1, 1), valid_until=None, customer_types=["group"], content="双路由 MSTP 专线，A类保障",
        equipment_notes="客户侧 PTN 设备两台", engineering_notes="光缆双路由敷设",
    )
