"""The channels as the province channel manager works them in the browser (issue 6): find an
agent, pick up numbers for it paid from its account, read the statement, hand over and enter a
return form for one of those numbers, open last month's settlement run and reward the agent's
bill; a pickup beyond the credit line shows the Chinese error and changes nothing."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kams.channels.enums import SubAccountKind
from kams.channels.models import AgentSubscriber, LedgerAccount
from kams.channels.services import account_payment
from kams.resources import services as resources
from kams.resources.enums import FlowOperation, ItemState, ResourceKind
from kams.resources.models import PickupOrder, ResourceItem
from kams.returnforms.models import FormEntry, Handover
from kams.settlement.enums import AdjustmentKind
from kams.settlement.models import AgentBill
from kams.settlement.run import settle
from kams.settlement.testing import Bills, one_scheme_setup
from tests.browser.helpers import watch_requests

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NUMBERS = ("13900000001", "13900000100")  # 100 numbers at 新街口营销部, 50 yuan each
SIMS = ("8986010000000000001", "8986010000000001000")  # 1,000 SIM cards there, 10 yuan each
SETTLED_NUMBER = "13800000001"  # nj_a1's subscriber of last month, in the settlement run


def _stock(channels):
    """The stock flow 南京市场部 → 新街口营销部 with numbers and SIM cards at 新街口 and their fees."""
    manager = channels.user("js_channel")
    parent = resources.node_add(actor=manager, unit=channels.units["NJ-SCB"])
    node = resources.node_add(actor=manager, unit=channels.units["NJ-XJK"], parent=parent)
    resources.rule_add(actor=manager, from_node=parent, to_node=node, operation=FlowOperation.OUT)
    since = timezone.localdate() - datetime.timedelta(days=30)
    resources.price_add(actor=manager, kind=ResourceKind.NUMBER, network="gsm", business="mobile", price="50.00",
                        valid_from=since)
    resources.price_add(actor=manager, kind=ResourceKind.SIM, network="gsm", business="mobile", price="10.00",
                        valid_from=since)
    resources.stock_in(actor=manager, unit=channels.units["NJ-XJK"],
                       sel=resources.selection(ResourceKind.NUMBER, *NUMBERS))
    resources.stock_in(actor=manager, unit=channels.units["NJ-XJK"], sel=resources.selection(ResourceKind.SIM, *SIMS))


def _settled_month(channels, customers):
    """Last month settled for 南京市场部: nj_a1 brought in one subscriber who paid 35 yuan, and
    the scheme pays 50 yuan for each such subscriber."""
    setup = one_scheme_setup(channels, Bills(customers["nj_m1"]), msisdn=SETTLED_NUMBER, name="手机新用户佣金",
                             composite_name="标准结算方案")
    manager, period = setup["cm"], setup["period"]
    return settle(actor=manager, period=period, unit=channels.units["NJ-SCB"])


def _balances(agent) -> dict[str, Decimal]:
    return dict(LedgerAccount.objects.filter(agent=agent).values_list("kind", "balance"))


def test_channel_manager_story(login, channels, customers, live_server, page):
    failed = watch_requests(page)
    agent = channels.agents["nj_a1"]  # 南京新街口通信器材店, credit line 5,000 yuan
    _stock(channels)
    run = _settled_month(channels, customers)
    account_payment(actor=channels.user("js_channel"), agent=agent, sub_account=SubAccountKind.PREPAYMENT,
                    amount="300", memo="预存")
    url = live_server.url

    login(page, "js_channel")

    # The agent list, narrowed to one agent, and its detail page.
    page.goto(f"{url}/channels/")
    expect(page.locator("#list-table tbody tr")).to_have_count(len(channels.agents))
    page.fill("#id_q", "新街口")
    page.select_option("#id_level", agent.level)
    page.click(".filter-form button[type=submit]")
    expect(page.locator("#list-table tbody tr")).to_have_count(1)
    page.click(f"#list-table tbody >> text={agent.code}")
    expect(page).to_have_url(f"{url}/channels/{agent.pk}/")
    expect(page.locator("h1")).to_contain_text("南京新街口通信器材店")
    expect(page.locator("#agent-accounts")).to_contain_text("300.00")

    # Ten numbers picked up, paid from the account: 300 yuan prepayment, then 200 yuan overdraft.
    page.goto(f"{url}/resources/pickups/")
    page.click("#pickup-new")
    page.select_option("#id_agent", str(agent.pk))
    page.select_option("#id_unit", str(channels.units["NJ-XJK"].pk))
    page.select_option("#id_kind", ResourceKind.NUMBER)
    page.fill("#id_first", "13900000001")
    page.fill("#id_last", "13900000010")
    page.select_option("#id_method", "transfer")
    page.fill("#id_note", "月初领号")
    page.click("#submit")
    order = PickupOrder.objects.get()
    expect(page).to_have_url(f"{url}/resources/pickups/{order.pk}/")
    expect(page.locator("#order-count")).to_have_text("10")
    expect(page.locator("#order-amount")).to_have_text("500.00")
    expect(page.locator("#lines tbody tr")).to_have_count(10)
    page.goto(f"{url}/resources/pickups/")
    expect(page.locator("#list-table tbody")).to_contain_text(order.order_no)
    page.goto(f"{url}/channels/{agent.pk}/")
    page.click(f"a[href='/channels/{agent.pk}/statement/']")
    balances = page.locator("#statement-balances")
    expect(balances.locator("tr[data-kind=prepayment] td").last).to_have_text("0.00")
    expect(balances.locator("tr[data-kind=overdraft] td").last).to_have_text("-200.00")
    expect(page.locator("#statement-entries")).to_contain_text(order.order_no)
    expect(page.locator("#statement-entries")).to_contain_text("资源领取")
    assert _balances(agent)[SubAccountKind.OVERDRAFT] == Decimal("-200.00")

    # Refused: 600 SIM cards cost 6,000 yuan, more than the 4,800 yuan left within the credit line.
    before = _balances(agent)
    page.goto(f"{url}/resources/pickups/new/")
    page.select_option("#id_agent", str(agent.pk))
    page.select_option("#id_unit", str(channels.units["NJ-XJK"].pk))
    page.select_option("#id_kind", ResourceKind.SIM)
    page.fill("#id_first", SIMS[0])
    page.fill("#id_last", "8986010000000000600")
    page.select_option("#id_method", "transfer")
    page.click("#submit")
    expect(page.locator("#form-errors")).to_contain_text("信用额度内剩余可透支金额（4800.00 元）不足 6000.00 元")
    expect(page).to_have_url(f"{url}/resources/pickups/new/")
    assert PickupOrder.objects.count() == 1
    assert _balances(agent) == before
    assert ResourceItem.objects.filter(kind=ResourceKind.SIM, state=ItemState.IN_STOCK).count() == 1000

    # A return form for the first number: handed over (the switch is on by default), then entered.
    page.goto(f"{url}/channels/returns/")
    expect(page.locator("#switch-notice")).to_contain_text("返单交接已开启")
    page.click("#handover-create")
    page.select_option("#id_agent", str(agent.pk))
    page.fill("#id_numbers", "13900000001 王小明")
    page.click("#submit")
    handover = Handover.objects.get()
    expect(page).to_have_url(f"{url}/channels/returns/{handover.pk}/")
    expect(page.locator("#handover-lines")).to_contain_text("王小明")
    page.goto(f"{url}/channels/returns/entries/")
    page.click("#entry-create")
    page.select_option("#id_agent", str(agent.pk))
    page.fill("#id_msisdn", "13900000001")
    page.fill("#id_subscriber_name", "王小明")
    page.fill("#id_certificate_no", "320102199001010011")
    page.fill("#id_package", "4G畅享58")
    # The activation date comes up as today (an ISO date the browser's date input keeps).
    expect(page.locator("#id_activated_on")).to_have_value(timezone.localdate().isoformat())
    page.click("#submit")
    expect(page).to_have_url(f"{url}/channels/returns/entries/")
    expect(page.locator("#list-table tbody")).to_contain_text("王小明")
    entry = FormEntry.objects.get()
    assert entry.handover == handover and entry.reference_at == handover.handed_at
    assert AgentSubscriber.objects.filter(agent=agent, msisdn="13900000001").exists()
    page.goto(f"{url}/channels/{agent.pk}/")
    expect(page.locator("#subscriber-count")).to_have_text("2 / 2")  # with last month's settled subscriber

    # Last month's settlement run, the agent's bill and an extra reward on it.
    page.goto(f"{url}/channels/settlement/")
    page.click(f"#list-table tbody a[href='/channels/settlement/runs/{run.pk}/']")
    expect(page.locator("#run-total")).to_have_text("50.00")
    expect(page.locator("#without-scheme")).to_contain_text("A00000001")  # the national agent has no scheme
    bill = AgentBill.objects.get(run=run, agent=agent)
    page.click(f"#run-bills a[href='/channels/settlement/bills/{bill.pk}/']")
    expect(page.locator("#bill-amount")).to_have_text("50.00")
    expect(page.locator("#bill-lines")).to_contain_text(SETTLED_NUMBER)
    page.click("#adjust")
    page.select_option("#id_kind", AdjustmentKind.REWARD)
    page.fill("#id_amount", "20")
    page.fill("#id_reason", "当月发展量第一")
    page.click("#submit")
    expect(page).to_have_url(f"{url}/channels/settlement/bills/{bill.pk}/")
    expect(page.locator("#bill-adjustments")).to_have_text("20.00")
    expect(page.locator("#bill-net")).to_have_text("70.00")
    expect(page.locator("#bill-adjustment-lines")).to_contain_text("当月发展量第一")
    bill.refresh_from_db()
    assert (bill.adjustments, bill.net) == (Decimal("20.00"), Decimal("70.00"))
    assert failed == [], failed

