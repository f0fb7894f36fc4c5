"""A fault as people handle it in the browser: the manager completes the first step, the
diagram shows where the case stands, the director's board counts the late step."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kams.org.testing import make_staff
from kams.service import services
from kams.service.models import WorkItem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_step_form_diagram_and_board(login, service_people, customers, live_server, page):
    """A level-1 fault: the customer representative takes it, the diagram marks the step,
    the director's board shows yesterday's fault as late and drills down to it."""
    failed = []
    page.on("response", lambda response: failed.append(response.url) if response.status >= 400 else None)
    p = service_people
    make_staff("nj_rep", p.units["NJ-DKH"], ("customer_rep",), name="客户代表小刘")
    data = {"fault_description": "专线中断", "occurred_at": "2026-11-24 02:10"}
    case = services.case_open(actor=p.user("nj_director"), process="fault_level1", customer=customers["nj_m1"],
                              title="银行专线中断", data=data)
    late = services.case_open(actor=p.user("nj_director"), process="fault_level1", customer=customers["nj_m1"],
                              title="昨天的故障", data=data, now=timezone.now() - datetime.timedelta(days=1))

    login(page, "nj_rep")
    page.goto(f"{live_server.url}/service/")
    expect(page.locator("#my-steps")).to_contain_text(case.number)
    page.click(f"#my-steps >> text={case.number}")
    expect(page.locator("#bpmn-canvas")).to_have_attribute("data-rendered", "yes")
    expect(page.locator("#bpmn-canvas .step-current")).to_have_count(1)
    page.click("#complete-accept")  # required fields empty: the browser refuses to send
    assert WorkItem.objects.get(case=case, step="accept").status == "open"
    page.fill("input[name$='-fault_location']", "新街口营业部 MSTP 电路")
    page.fill("textarea[name$='-fault_impact']", "网点业务中断")
    page.click("#complete-accept")
    expect(page.locator("#step-report")).to_be_visible()
    expect(page.locator("#case-history")).to_contain_text("向有关部门发出一级故障申请书")
    expect(page.locator("#bpmn-canvas .step-done")).to_have_count(1)

    page.context.clear_cookies()
    login(page, "nj_director")
    page.goto(f"{live_server.url}/service/board/")
    expect(page.locator("#late-total")).to_have_text("1")
    page.click("#late-total")
    expect(page.locator("#list-table tbody")).to_contain_text(late.number)
    assert failed == [], failed
