"""Demo data for the channels (issue 6): agent types and agents of every level in three
cities, their authorisations and accounts, number/SIM/handset stock at the city channel
departments, pickups in every state, and return forms handed over and entered so that the
agents have subscribers. The billing system then delivers the three settled months again
with the new subscribers' numbers (a re-delivered file supersedes the month's earlier one, as in
production), the months are settled on those bills, and a billing correction of the oldest
month is re-settled for one agent: adjusting lines, recovered from its rebate.

Everything goes through the domain services (actor: the ``admin`` superuser), so the ledger,
the movements and the audit log agree. Dates lie in the past through a mocked clock, the way
``kams.demo.club`` does it.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterator
from decimal import Decimal
from typing import TYPE_CHECKING
from unittest import mock

from django.contrib.auth import get_user_model
from django.utils import timezone

from kams.billing.importer import FEE_COLUMNS, sample_csv
from kams.billing.models import BillSummary
from kams.billing.services import bill_import_now
from kams.channels import ledger
from kams.channels.enums import AgentCategory, AgentLevel, AgentStatus, PayMethod, SubAccountKind
from kams.channels.models import Agent, AgentSubscriber
from kams.channels.services import (
    account_payment,
    agent_create,
    agent_deregister,
    agent_register,
    agent_type_save,
    authorisation_set,
)
from kams.channelstats.services import evaluation_run, model_save
from kams.customers.enums import Business, PaymentMethod
from kams.customers.services import account_add
from kams.demo.customers import id_card_check_digit
from kams.org.enums import RoleCode
from kams.org.models import Staff
from kams.resources.enums import FlowOperation, Network, PickupStatus, ResourceKind
from kams.resources.models import PickupOrder
from kams.resources.services import (
    fee_adjust,
    node_add,
    pickup_cancel,
    pickup_create,
    price_add,
    resources_return,
    resources_transfer,
    rule_add,
    selection,
    stock_in,
    stock_move,
)
from kams.returnforms.services import EntryRow, form_entry_create, handover_create
from kams.settlement.enums import AdjustmentKind, RunKind, SchemeKind
from kams.settlement.run import settle
from kams.settlement.services import adjust_bill, assign_scheme, pay_bill, save_composite, save_scheme
from kams.settlement.variables import ensure_variables
from kams.terminals.enums import SubsidyKind
from kams.terminals.services import (
    ObservationRow,
    handset_model_save,
    observations_import,
    subsidised_sale_record,
    subsidy_level_set,
)

if TYPE_CHECKING:
    from kams.demo.generator import DemoContext

# City code → (number prefix (7 digits), ICCID prefix (15 digits)) of its stock.
CITIES = {"NJ": ("1785100", "898600225100"), "SZ": ("1785120", "898600225120"), "WX": ("1785150", "898600225150")}

AGENT_TYPES = [
    ("zmd", "专营店", AgentCategory.AGENT),
    ("hzyyt", "合作营业厅", AgentCategory.AGENT),
    ("sjls", "手机连锁", AgentCategory.DISTRIBUTOR),
    ("shd", "社会代销点", AgentCategory.AGENT),
]

# (city, level, type, name); the first agent of the list is national, two provincial.
AGENTS = [
    ("NJ", AgentLevel.NATIONAL, "sjls", "苏宁通讯连锁"),
    ("NJ", AgentLevel.PROVINCIAL, "sjls", "江苏天音通信"),
    ("SZ", AgentLevel.PROVINCIAL, "sjls", "苏州爱施德通讯"),
    ("NJ", AgentLevel.CITY, "zmd", "新街口移动专营店"),
    ("NJ", AgentLevel.CITY, "hzyyt", "河西合作营业厅"),
    ("NJ", AgentLevel.CITY, "shd", "江宁东山代销点"),
    ("NJ", AgentLevel.CITY, "zmd", "鼓楼湖南路专营店"),
    ("SZ", AgentLevel.CITY, "zmd", "观前街专营店"),
    ("SZ", AgentLevel.CITY, "hzyyt", "园区湖东合作营业厅"),
    ("SZ", AgentLevel.CITY, "shd", "昆山玉山代销点"),
    ("WX", AgentLevel.CITY, "zmd", "崇安寺专营店"),
    ("WX", AgentLevel.CITY, "hzyyt", "滨湖合作营业厅"),
    ("WX", AgentLevel.CITY, "sjls", "无锡中恒通讯"),
    ("WX", AgentLevel.CITY, "shd", "江阴澄江代销点"),
]

NUMBERS_PER_CITY = 400  # per size factor
HANDSET_TAC = "86012345"  # type allocation code of the demo handset model


@contextlib.contextmanager
def _at(moment: datetime.datetime) -> Iterator[None]:
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def luhn_digit(body: str) -> str:
    """The check digit of an IMEI (ISO/IEC 7812 Luhn over the first 14 digits)."""
    total = 0
    for index, char in enumerate(reversed(body)):
        digit = int(char) * (2 if index % 2 == 0 else 1)
        total += digit - 9 if digit > 9 else digit
    return str((10 - total % 10) % 10)


def _id_card(ctx: DemoContext, region: str) -> str:
    birthday = datetime.date(1960, 1, 1) + datetime.timedelta(days=ctx.random.randint(0, 40 * 365))
    first17 = f"{region}{birthday:%Y%m%d}{ctx.random.randint(0, 999):03d}"
    return first17 + id_card_check_digit(first17)


REGIONS = {"NJ": "320102", "SZ": "320508", "WX": "320213"}


def _periods(today: datetime.date, count: int = 3) -> list[datetime.date]:
    first = today.replace(day=1)
    periods = []
    for _n in range(count):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
        periods.append(first)
    return list(reversed(periods))


PACKAGE_FEES = {"4G畅享58": Decimal("58"), "4G畅享88": Decimal("88"), "5G智享128": Decimal("128")}
CENT = Decimal("0.01")


def _existing_rows(period: datetime.date) -> list[dict]:
    """The month's bills as they were imported, in the import format (the re-delivered file
    keeps them unchanged)."""
    rows = []
    for bill in BillSummary.objects.filter(period=period).select_related("account").order_by("pk"):
        row = {"period": f"{period:%Y-%m}", "account_no": bill.account.account_no, "msisdn": bill.msisdn,
               "total": f"{bill.total:.2f}", "paid": f"{bill.paid:.2f}",
               "due_on": bill.due_on.isoformat() if bill.due_on else "",
               "paid_on": bill.paid_on.isoformat() if bill.paid_on else ""}
        row.update({column: f"{getattr(bill, field):.2f}" for column, field in FEE_COLUMNS.items()})
        rows.append(row)
    return rows


def _subscriber_row(ctx: DemoContext, period: datetime.date, account_no: str, subscriber: AgentSubscriber) -> dict:
    """One month's bill of an agent's subscriber: the package fee and some usage for mobile
    numbers, data traffic for data numbers; about one in twelve does not pay."""
    fees = dict.fromkeys(FEE_COLUMNS, Decimal("0"))
    if subscriber.business == Business.DATA:
        fees["data"] = Decimal(ctx.random.randint(2000, 6000)) / 100
    else:
        fees["mobile"] = PACKAGE_FEES.get(subscriber.package, Decimal("58"))
        fees["data"] = Decimal(ctx.random.randint(0, 3000)) / 100
        fees["long_distance"] = Decimal(ctx.random.randint(0, 800)) / 100
    total = sum(fees.values(), Decimal("0")).quantize(CENT)
    unpaid = ctx.random.random() < 0.08
    due = period.replace(day=28) + datetime.timedelta(days=18)
    row = {"period": f"{period:%Y-%m}", "account_no": account_no, "msisdn": subscriber.msisdn,
           "total": f"{total:.2f}", "paid": "0.00" if unpaid else f"{total:.2f}", "due_on": due.isoformat(),
           "paid_on": "" if unpaid else (due - datetime.timedelta(days=ctx.random.randint(1, 15))).isoformat()}
    row.update({column: f"{value:.2f}" for column, value in fees.items()})
    return row


def _bill_subscribers(ctx: DemoContext, admin, now: datetime.datetime) -> dict[datetime.date, list[dict]]:
    """Paying accounts for the agents' new subscribers (opened by the billing system, here
    through the customers service), then the three settled months delivered again by the
    billing system with their numbers, through the real billing import. Returns each month's
    rows as imported (the correction below starts from them)."""
    subscribers = list(AgentSubscriber.objects.select_related("customer").order_by("activated_on", "msisdn"))
    account_of: dict[int, str] = {}
    for subscriber in subscribers:
        with _at(timezone.make_aware(datetime.datetime.combine(subscriber.activated_on, datetime.time(18)))):
            account = account_add(actor=admin, customer=subscriber.customer, account_no=f"QD{subscriber.msisdn}",
                                   name=subscriber.customer.name, payment_method=PaymentMethod.CASH,
                                   opened_on=subscriber.activated_on)
        account_of[subscriber.pk] = account.account_no
    delivered = {}
    for period in _periods(timezone.localdate(now)):
        rows = _existing_rows(period)
        rows += [_subscriber_row(ctx, period, account_of[s.pk], s) for s in subscribers
                 if s.activated_on <= (period + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)]
        bill_import_now(period=period, content=sample_csv(rows), file_name=f"demo-bills-{period:%Y-%m}-v2.csv",
                        actor=admin)
        delivered[period] = rows
    return delivered


def _resettle(ctx: DemoContext, admin, agent: Agent, rows: list[dict], now: datetime.datetime) -> int:
    """重结算: the billing system corrects the oldest settled month (two of ``agent``'s new
    subscribers' bank payments bounced), the corrected file is imported, the agent is settled
    again (adjusting lines against the paid bill, which stays as it was) and the difference is
    recovered from its rebate."""
    period = _periods(timezone.localdate(now))[0]
    end = (period + datetime.timedelta(days=32)).replace(day=1)
    paid = {row["msisdn"] for row in rows if row["paid"] != "0.00"}
    bounced = [msisdn for msisdn in AgentSubscriber.objects.filter(
        agent=agent, activated_on__gte=period, activated_on__lt=end, business=Business.MOBILE)
        .order_by("reference_at", "msisdn").values_list("msisdn", flat=True) if msisdn in paid][:2]
    corrected = [dict(row, paid="0.00", paid_on="") if row["msisdn"] in bounced else row for row in rows]
    with _at(now - datetime.timedelta(days=3)):
        bill_import_now(period=period, content=sample_csv(corrected),
                        file_name=f"demo-bills-{period:%Y-%m}-corrected.csv", actor=admin)
    with _at(now - datetime.timedelta(days=2)):
        run = settle(actor=admin, period=period, kind=RunKind.SPECIAL, agent=agent)
        bill = run.bills.get()
        pay_bill(actor=admin, bill=bill)
    return 2 + bill.lines.count()


def _settle(ctx: DemoContext, admin, agents: list[Agent], now: datetime.datetime) -> int:
    """Schemes, assignments (the last agent deliberately without one) and three settled months:
    extraction and a unified run per city channel department, rewards and fines, and the payout
    of the first two months into the rebate."""
    ensure_variables()  # installed by migration; a flush (transactional tests) removes them
    periods = _periods(timezone.localdate(now))
    made = 0
    with _at(timezone.make_aware(datetime.datetime.combine(periods[0] - datetime.timedelta(days=20),
                                                           datetime.time(10)))):
        commission = save_scheme(
            actor=admin, code="mob-new", name="新入网手机用户佣金", business=Business.MOBILE, kind=SchemeKind.COMMISSION,
            condition="paid >= 20", steps=[{"from": 1, "amount": "40"}, {"from": 21, "amount": "50"},
                                              {"from": 41, "amount": "60"}], note="阶梯佣金：按当月新发展且缴费满 20 元的用户数")
        basic = save_scheme(
            actor=admin, code="mob-basic", name="手机用户基础佣金", business=Business.MOBILE, kind=SchemeKind.COMMISSION,
            steps=[{"from": 1, "amount": "30"}], note="保底方案")
        share = save_scheme(
            actor=admin, code="data-share", name="数据业务收入分成", business=Business.DATA,
            kind=SchemeKind.REVENUE_SHARE, base="fee_data", rate=Decimal("8"), months=12, note="数据业务分成 8%，12 个月")
        standard = save_composite(actor=admin, code="std", name="标准代理商结算方案",
                                  schemes=[commission.scheme, share.scheme])
        fallback = save_composite(actor=admin, code="basic", name="保底结算方案", schemes=[basic.scheme])
        made += 5
        for index, agent in enumerate(agents[:-1]):
            until = periods[1] if index % 5 == 4 else None  # the primary ends: the fallback settles the last month
            assign_scheme(actor=admin, agent=agent, primary=standard, fallback=fallback if index % 2 == 0 else None,
                          valid_until=until if index % 2 == 0 else None)
            made += 1
    for month_no, period in enumerate(periods):
        next_month = (period + datetime.timedelta(days=32)).replace(day=1)
        moment = min(timezone.make_aware(datetime.datetime.combine(next_month + datetime.timedelta(days=4),
                                                                   datetime.time(9))), now)
        with _at(moment):
            bills = []
            for city in CITIES:
                run = settle(actor=admin, period=period, kind=RunKind.UNIFIED, unit=ctx.units[f"{city}-QD"])
                bills.extend(run.bills.order_by("agent__code"))
                made += 1
            made += len(bills)
            if bills:
                adjust_bill(actor=admin, bill=bills[0], kind=AdjustmentKind.REWARD, amount="200",
                            reason="当月发展量第一，额外奖励")
                adjust_bill(actor=admin, bill=bills[-1], kind=AdjustmentKind.FINE, amount="50",
                            reason="返单资料不全，罚款")
                made += 2
            if month_no < 2:
                for bill in bills:
                    bill.refresh_from_db()
                    pay_bill(actor=admin, bill=bill)
    return made


def _evaluate(ctx: DemoContext, admin, now: datetime.datetime) -> int:
    """One evaluation model (渠道考核) run over the province for the last three months."""
    items = [
        {"indicator": "new_users", "weight": "40", "method": "linear", "floor": "0", "target": "10"},
        {"indicator": "active_users", "weight": "30", "method": "linear", "floor": "0", "target": "30"},
        {"indicator": "products", "weight": "10", "method": "linear", "floor": "0", "target": "2"},
        {"indicator": "churn_rate", "weight": "20", "method": "rank"},
    ]
    made = 0
    periods = _periods(timezone.localdate(now))
    with _at(timezone.make_aware(datetime.datetime.combine(periods[0], datetime.time(9)))):
        model = model_save(actor=admin, code="qd-monthly", name="代理商月度考核", items=items,
                           description="新增用户、在网用户、销售产品种类与流失率")
        made += 1
    for period in periods:
        next_month = (period + datetime.timedelta(days=32)).replace(day=1)
        moment = min(timezone.make_aware(datetime.datetime.combine(next_month + datetime.timedelta(days=6),
                                                                   datetime.time(9))), now)
        with _at(moment):
            evaluation_run(actor=admin, model=model, period=f"{period:%Y-%m}", org_unit=ctx.units["JS"])
            made += 1
    return made


def _terminals(ctx: DemoContext, admin, agent: Agent, numbers: list[str], *, imeis: list[str],
               now: datetime.datetime) -> int:
    """A subsidised handset model, four handsets sold with the agent's new numbers, and the
    network's observations: one handset turns up with another number (窜机), one number in
    another handset (窜卡)."""
    sold = list(AgentSubscriber.objects.filter(agent=agent, msisdn__in=numbers).order_by("activated_on", "msisdn")
                .values_list("msisdn", "activated_on")[:4])
    if len(sold) < 4:
        return 0
    with _at(now - datetime.timedelta(days=115)):
        handset = handset_model_save(actor=admin, brand="华为", model="Mate 60", list_price="5999.00")
        subsidy_level_set(actor=admin, handset_model=handset, business=Business.MOBILE, kind=SubsidyKind.AMOUNT,
                          value="1500.00", valid_from=timezone.localdate(), note="合约机补贴，24 个月承诺")
        subsidy_level_set(actor=admin, handset_model=handset, business=Business.MOBILE, package="5G智享128",
                          kind=SubsidyKind.PERCENT, value="30", valid_from=timezone.localdate(), note="高套餐补贴")
    made = 3
    for (msisdn, activated_on), imei in zip(sold, imeis):
        with _at(timezone.make_aware(datetime.datetime.combine(activated_on, datetime.time(15)))):
            subsidised_sale_record(actor=admin, imei=imei, msisdn=msisdn, business=Business.MOBILE,
                                   commitment_months=24, handset_model=handset, sold_on=activated_on)
            made += 1
    seen = timezone.localdate(now) - datetime.timedelta(days=3)
    stranger_imei = "35693803" + "123456"
    rows = [ObservationRow(imei, msisdn, seen) for (msisdn, _day), imei in zip(sold[:2], imeis)]
    rows.append(ObservationRow(imeis[2], "13912345678", seen))  # 窜机: the subsidised handset with another number
    rows.append(ObservationRow(stranger_imei + luhn_digit(stranger_imei), sold[3][0], seen))  # 窜卡
    batch = observations_import(actor=admin, rows=rows, file_name="网络侧终端观测.csv")
    return made + batch.rows + batch.flags_created


def build(ctx: DemoContext) -> int:
    admin = get_user_model().objects.get(username="admin")
    now = timezone.now()
    start = now - datetime.timedelta(days=110)
    made = 0
    n_numbers = NUMBERS_PER_CITY * ctx.factor

    with _at(start - datetime.timedelta(days=10)):
        types = {code: agent_type_save(actor=admin, code=code, name=name, category=category)
                 for code, name, category in AGENT_TYPES}
        made += len(types)
        day = timezone.localdate()
        for kind, business, price in ((ResourceKind.NUMBER, Business.MOBILE, "50.00"),
                                      (ResourceKind.NUMBER, Business.DATA, "30.00"),
                                      (ResourceKind.SIM, Business.MOBILE, "10.00"),
                                      (ResourceKind.HANDSET, Business.MOBILE, "1200.00")):
            price_add(actor=admin, kind=kind, network=Network.GSM, business=business, price=price, valid_from=day)
            made += 1

        # Agents: applied, reviewed and registered, authorised, paid in.
        managers = {code: Staff.objects.filter(org_unit=ctx.units[f"{code}-QD"],
                                               roles__code=RoleCode.AGENT_OPERATOR).first() for code in CITIES}
        agents: list[Agent] = []
        for seq, (city, level, type_code, name) in enumerate(AGENTS, start=1):
            credit = {AgentLevel.NATIONAL: 100000, AgentLevel.PROVINCIAL: 20000}.get(level, 5000 if seq % 3 else 0)
            agent = agent_create(
                actor=admin, code=f"{city}DL{seq:03d}", name=name, org_unit=ctx.units[f"{city}-QD"],
                level=level, agent_type=types[type_code], category=types[type_code].category,
                manager=managers[city], contact=ctx.faker.name(), phone=f"139{ctx.random.randint(0, 99999999):08d}",
                address=ctx.faker.street_address(), credit_line=credit, stock_limit=0,
                business_scope="代理移动业务销售与服务",
            )
            agent = agent_register(actor=admin, agent=agent, note="资质审核通过")
            authorisation_set(actor=admin, agent=agent, business=Business.MOBILE, can_sell=True, can_serve=seq % 2 == 0)
            if seq % 3 != 2:
                authorisation_set(actor=admin, agent=agent, business=Business.DATA, can_sell=True)
            deposit = {AgentLevel.NATIONAL: 50000, AgentLevel.PROVINCIAL: 20000}.get(level, 5000)
            account_payment(actor=admin, agent=agent, sub_account=SubAccountKind.DEPOSIT, amount=deposit, memo="保证金")
            if seq % 4 != 1 or level != AgentLevel.CITY or not credit:
                account_payment(actor=admin, agent=agent, sub_account=SubAccountKind.PREPAYMENT,
                                amount=ctx.random.choice((5000, 8000, 10000)) * (3 if level != AgentLevel.CITY else 1),
                                memo="预存")
            agents.append(agent)
        made += len(agents) * 4
        # One applicant still under review, one agent that left.
        agent_create(actor=admin, code="SZDL900", name="相城新申请代销点", org_unit=ctx.units["SZ-QD"],
                     agent_type=types["shd"], manager=managers["SZ"], business_scope="代理移动业务销售")
        gone = agent_create(actor=admin, code="WXDL901", name="锡山停业代销点", org_unit=ctx.units["WX-QD"],
                            agent_type=types["shd"], manager=managers["WX"])
        agent_register(actor=admin, agent=gone, note="资质审核通过")
        made += 2

        # The stock flow: the province channel department above the cities' channel departments.
        root = node_add(actor=admin, unit=ctx.units["JS-QD"])
        for city in CITIES:
            node = node_add(actor=admin, unit=ctx.units[f"{city}-QD"], parent=root)
            rule_add(actor=admin, from_node=root, to_node=node, operation=FlowOperation.OUT)
        made += 1 + 2 * len(CITIES)
        # Handsets come in at the province and go out to the cities; numbers and SIMs at the cities.
        all_imeis = {city: [body + luhn_digit(body) for body in
                            (f"{HANDSET_TAC}{position}{n:05d}" for n in range(20))]
                     for position, city in enumerate(CITIES)}
        stock_in(actor=admin, unit=ctx.units["JS-QD"], business=Business.MOBILE, model="华为 Mate 60",
                 note="定制终端入库", sel=selection(ResourceKind.HANDSET, serials=sum(all_imeis.values(), [])))
        for city, (number_prefix, iccid_prefix) in CITIES.items():
            unit = ctx.units[f"{city}-QD"]
            half = n_numbers // 2
            stock_in(actor=admin, unit=unit, sel=selection(ResourceKind.NUMBER, f"{number_prefix}0000",
                                                           f"{number_prefix}{half - 1:04d}"),
                     business=Business.MOBILE, note="号段入库")
            stock_in(actor=admin, unit=unit, sel=selection(ResourceKind.NUMBER, f"{number_prefix}{half:04d}",
                                                           f"{number_prefix}{n_numbers - 1:04d}"),
                     business=Business.DATA, note="数据号段入库")
            stock_in(actor=admin, unit=unit, sel=selection(ResourceKind.SIM, f"{iccid_prefix}0000000",
                                                           f"{iccid_prefix}{n_numbers - 1:07d}"),
                     business=Business.MOBILE, note="空白卡入库")
            stock_move(actor=admin, operation=FlowOperation.OUT, from_unit=ctx.units["JS-QD"], to_unit=unit,
                       sel=selection(ResourceKind.HANDSET, serials=all_imeis[city]), note="终端下发")
            made += 2 * n_numbers + len(all_imeis[city])

    # Pickups: each agent takes a block of mobile numbers, and of data numbers when authorised.
    by_city: dict[str, list[Agent]] = {}
    for agent in agents:
        by_city.setdefault(agent.org_unit.code.split("-")[0], []).append(agent)
    picked: dict[int, list[str]] = {}
    data_picked: dict[int, list[str]] = {}
    orders: list[PickupOrder] = []
    with _at(start):
        for city, city_agents in by_city.items():
            number_prefix = CITIES[city][0]
            unit = ctx.units[f"{city}-QD"]
            block = (n_numbers // 2) // (len(city_agents) + 1)
            for index, agent in enumerate(city_agents):
                first, last = index * block, (index + 1) * block - 1
                method = PayMethod.CASH if index % 3 == 2 else PayMethod.TRANSFER
                order = pickup_create(actor=admin, agent=agent, unit=unit, method=method, note="月初领号",
                                      sel=selection(ResourceKind.NUMBER, f"{number_prefix}{first:04d}",
                                                    f"{number_prefix}{last:04d}"))
                orders.append(order)
                picked[agent.pk] = [f"{number_prefix}{n:04d}" for n in range(first, last + 1)]
                if agent.authorisations.filter(business=Business.DATA).exists():
                    base = n_numbers // 2 + index * 10
                    data_picked[agent.pk] = [f"{number_prefix}{n:04d}" for n in range(base, base + 5)]
                    orders.append(pickup_create(actor=admin, agent=agent, unit=unit, method=method, note="数据号领用",
                                                sel=selection(ResourceKind.NUMBER, f"{number_prefix}{base:04d}",
                                                              f"{number_prefix}{base + 4:04d}")))
            # Every agent of the city takes SIM cards, the first one handsets (overdraft if need be).
            iccid_prefix = CITIES[city][1]
            for index, agent in enumerate(city_agents):
                orders.append(pickup_create(actor=admin, agent=agent, unit=unit, note="领卡",
                                            sel=selection(ResourceKind.SIM, f"{iccid_prefix}{index * 20:07d}",
                                                          f"{iccid_prefix}{index * 20 + 19:07d}")))
        made += len(orders)

    # Cancelled, returned, transferred and fee-adjusted pickups.
    with _at(start + datetime.timedelta(days=2)):
        nj = by_city["NJ"]
        number_prefix = CITIES["NJ"][0]
        spare = n_numbers // 2 - 10
        wrong = pickup_create(actor=admin, agent=nj[2], unit=ctx.units["NJ-QD"], note="误领",
                              sel=selection(ResourceKind.NUMBER, f"{number_prefix}{spare:04d}",
                                            f"{number_prefix}{spare + 4:04d}"))
        pickup_cancel(actor=admin, order=wrong, reason="领错号段")
        returned = picked[nj[3].pk][-3:]
        resources_return(actor=admin, agent=nj[3], sel=selection(ResourceKind.NUMBER, serials=returned),
                         reason="号码质量问题回退")
        picked[nj[3].pk] = picked[nj[3].pk][:-3]
        moved = picked[nj[4].pk][-5:]
        resources_transfer(actor=admin, source=nj[4], target=nj[5], sel=selection(ResourceKind.NUMBER, serials=moved),
                           note="代理商间调剂")
        picked[nj[4].pk] = picked[nj[4].pk][:-5]
        picked[nj[5].pk] = picked[nj[5].pk] + moved
        handset_order = pickup_create(
            actor=admin, agent=nj[0], unit=ctx.units["NJ-QD"], method=PayMethod.TRANSFER, note="定制终端领用",
            sel=selection(ResourceKind.HANDSET, serials=[body + luhn_digit(body) for body in
                                                         (f"{HANDSET_TAC}0{n:05d}" for n in range(10))]))
        fee_adjust(actor=admin, agent=nj[0], new_fee="1000.00", order=handset_order, reason="终端促销降价")
        made += 5

    # The agent that left gave its money back before deregistering.
    with _at(start + datetime.timedelta(days=20)):
        agent_deregister(actor=admin, agent=gone, reason="停止经营")
        made += 1

    # Return forms: most numbers are handed over in small batches every twelve days and entered.
    entries = 0
    for agent in agents:
        numbers = picked[agent.pk]
        keep_open = max(2, len(numbers) // 6)  # still with the agent
        data = data_picked.get(agent.pk, [])[:3]  # data cards, handed over in the second batch
        numbers = numbers[:3] + data + numbers[3: len(numbers) - keep_open]
        weeks = [numbers[i:i + 3] for i in range(0, len(numbers), 3)]
        city = agent.org_unit.code.split("-")[0]
        for week_no, batch in enumerate(weeks):
            handed = start + datetime.timedelta(days=7 + week_no * 12, hours=ctx.random.randint(1, 8))
            if handed >= now - datetime.timedelta(days=1):
                break
            with _at(handed):
                names = {number: ctx.faker.name() for number in batch}
                handover_create(actor=admin, agent=agent, lines=list(names.items()), note="返单交接")
                made += 1
                enter = batch if week_no % 4 != 3 else batch[:2]  # a few forms wait for entry
                for number in enter:
                    form_entry_create(actor=admin, agent=agent, row=EntryRow(
                        msisdn=number, subscriber_name=names[number], activated_on=timezone.localdate(),
                        certificate_no=_id_card(ctx, REGIONS[city]), contact_phone=number,
                        package=("数据流量卡30G" if number in data else
                                 ctx.random.choice(("4G畅享58", "4G畅享88", "5G智享128"))),
                        business=Business.DATA if number in data else Business.MOBILE,
                    ))
                    entries += 1
    made += entries

    delivered = _bill_subscribers(ctx, admin, now)
    made += sum(len(rows) for rows in delivered.values())
    made += _settle(ctx, admin, agents, now)
    made += _resettle(ctx, admin, nj[0], delivered[min(delivered)], now)
    made += _evaluate(ctx, admin, now)
    made += _terminals(ctx, admin, nj[0], picked[nj[0].pk], imeis=[
        body + luhn_digit(body) for body in (f"{HANDSET_TAC}0{n:05d}" for n in range(10))], now=now)

    problems = ledger.ledger_check()
    if problems:
        raise RuntimeError(f"channel ledger unsound after the demo: {problems[:5]}")
    assert AgentSubscriber.objects.count() == entries
    assert PickupOrder.objects.filter(status=PickupStatus.CANCELLED).exists()
    assert Agent.objects.filter(status=AgentStatus.APPLIED).exists()
    return made
