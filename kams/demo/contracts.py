"""Contracts of the demo's group customers (CUS-09): most in force, some ending within the
warning window, a few expired, drafts and contracts in approval — bulk-inserted."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from kams.customers.enums import ContractState, ContractType, CustomerStatus, CustomerType
from kams.customers.models import Contract, Customer, PayingAccount

if TYPE_CHECKING:
    from kams.demo.generator import DemoContext

TITLES = {
    ContractType.SERVICE: "综合通信业务服务协议",
    ContractType.FRAMEWORK: "战略合作框架协议",
    ContractType.LEASED_LINE: "数字电路专线租用合同",
    ContractType.PROJECT: "信息化工程建设合同",
    ContractType.DISCOUNT: "集团业务优惠协议",
}


def build_contracts(ctx: DemoContext) -> int:
    rnd = ctx.random
    today = timezone.localdate()
    groups = list(
        Customer.objects.filter(customer_type=CustomerType.GROUP, status=CustomerStatus.CURRENT)
        .order_by("pk")
        .values_list("pk", "code", "expected_monthly_revenue")
    )
    accounts: dict[int, list[int]] = {}
    for pk, customer_id in PayingAccount.objects.filter(customer_id__in=[g[0] for g in groups]).values_list("pk", "customer_id"):
        accounts.setdefault(customer_id, []).append(pk)
    contracts, links = [], []
    for pk, code, revenue in groups:
        if rnd.random() > 0.65:
            continue
        for number in range(rnd.choice((1, 1, 2))):
            kind = rnd.choice(list(ContractType))
            roll = rnd.random()
            if roll < 0.12:  # ends within the warning window
                valid_to = today + datetime.timedelta(days=rnd.randint(5, 55))
            elif roll < 0.20:
                valid_to = today - datetime.timedelta(days=rnd.randint(10, 300))
            else:
                valid_to = today + datetime.timedelta(days=rnd.randint(90, 900))
            valid_from = valid_to - datetime.timedelta(days=365 * rnd.choice((1, 2, 3)))
            state = ContractState.EXPIRED if valid_to < today else ContractState.ACTIVE
            if state == ContractState.ACTIVE and rnd.random() < 0.06:
                state = rnd.choice((ContractState.DRAFT, ContractState.APPROVING))
            months = max(1, (valid_to - valid_from).days // 30)
            value = (Decimal(revenue or 1000) * months * Decimal(str(rnd.uniform(0.2, 0.6)))).quantize(Decimal("100"))
            contracts.append(
                Contract(
                    customer_id=pk,
                    contract_no=f"HT-{code}-{number + 1}",
                    title=TITLES[kind],
                    contract_type=kind,
                    state=state,
                    value=value,
                    signed_on=None if state in (ContractState.DRAFT, ContractState.APPROVING) else valid_from,
                    valid_from=valid_from,
                    valid_to=valid_to,
                    terms="一、服务内容与标准\n二、资费与结算方式\n三、双方权利义务\n四、违约责任\n五、争议解决",
                )
            )
    Contract.objects.bulk_create(contracts, batch_size=500)
    created = dict(Contract.objects.filter(contract_no__startswith="HT-JS").values_list("contract_no", "pk"))
    Link = Contract.accounts.through
    for contract in contracts:
        account_ids = accounts.get(contract.customer_id, [])[:2]
        links += [Link(contract_id=created[contract.contract_no], payingaccount_id=a) for a in account_ids]
    Link.objects.bulk_create(links, batch_size=1000)
    return len(contracts)
