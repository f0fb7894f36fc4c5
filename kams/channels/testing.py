"""Test support for the channels: marketing departments, channel managers and registered
agents with open accounts. Loaded as a pytest plugin by the root ``conftest.py``.

    def test_pickup(channels):
        agent = channels.agents["nj_a1"]          # 南京新街口 agent, credit line 5,000 yuan
        manager = channels.user("js_channel")     # channel manager of the province
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from kams.channels import ledger
from kams.channels.enums import AgentLevel, AgentStatus
from kams.channels.models import Agent, AgentAuthorisation, AgentType
from kams.customers.enums import Business
from kams.org.enums import RoleCode, UnitKind
from kams.org.models import OrgUnit
from kams.org.testing import Province, make_staff


@dataclass
class Channels:
    province: Province
    units: dict[str, OrgUnit] = field(default_factory=dict)
    agents: dict[str, Agent] = field(default_factory=dict)

    def user(self, username: str):
        return self.province.user(username)


def make_agent(code: str, name: str, unit: OrgUnit, *, level: str = AgentLevel.CITY, credit_line: str = "0",
               businesses: tuple[str, ...] = (Business.MOBILE, Business.DATA), manager=None,
               agent_type: AgentType | None = None) -> Agent:
    """A registered agent with its four sub-accounts, authorised to sell ``businesses``."""
    agent = Agent.objects.create(
        code=code, name=name, org_unit=unit, level=level, status=AgentStatus.REGISTERED,
        credit_line=Decimal(credit_line), manager=manager, agent_type=agent_type,
    )
    ledger.open_accounts(agent)
    AgentAuthorisation.objects.bulk_create(
        [AgentAuthorisation(agent=agent, business=b, can_sell=True, can_serve=False) for b in businesses]
    )
    return agent


def build_channels(province: Province) -> Channels:
    c = Channels(province=province)
    u = province.units
    # 市场部: a first-level department per city with marketing departments under it.
    c.units["NJ-SCB"] = OrgUnit.objects.add_child(u["NJ"], dict(code="NJ-SCB", name="南京市场部", kind=UnitKind.DEPARTMENT))
    c.units["NJ-XJK"] = OrgUnit.objects.add_child(c.units["NJ-SCB"], dict(code="NJ-XJK", name="新街口营销部", kind=UnitKind.DEPARTMENT))
    c.units["NJ-HX"] = OrgUnit.objects.add_child(c.units["NJ-SCB"], dict(code="NJ-HX", name="河西营销部", kind=UnitKind.DEPARTMENT))
    c.units["NJ-SCB2"] = OrgUnit.objects.add_child(u["NJ"], dict(code="NJ-SCB2", name="南京江北市场部", kind=UnitKind.DEPARTMENT))
    c.units["SZ-SCB"] = OrgUnit.objects.add_child(u["SZ"], dict(code="SZ-SCB", name="苏州市场部", kind=UnitKind.DEPARTMENT))
    s = province.staff
    s["js_channel"] = make_staff("js_channel", u["JS-JKB"], (RoleCode.CHANNEL_MANAGER,), name="渠道经理赵刚")
    s["js_finance"] = make_staff("js_finance", u["JS-JKB"], (RoleCode.FINANCE,), name="财务钱敏")
    s["nj_finance"] = make_staff("nj_finance", c.units["NJ-SCB"], (RoleCode.FINANCE,), name="南京财务孔丽")
    shop = AgentType.objects.get_or_create(code="shop", defaults={"name": "专营店"})[0]
    outlet = AgentType.objects.get_or_create(code="outlet", defaults={"name": "合作营业厅"})[0]
    c.agents["nj_a1"] = make_agent("A32010001", "南京新街口通信器材店", c.units["NJ-XJK"], credit_line="5000", agent_type=shop)
    c.agents["nj_a2"] = make_agent("A32010002", "南京河西手机连锁", c.units["NJ-HX"], credit_line="0", agent_type=outlet)
    c.agents["nj_a3"] = make_agent("A32010003", "江北通讯", c.units["NJ-SCB2"], agent_type=shop)
    c.agents["sz_a1"] = make_agent("A32050001", "苏州观前通信", c.units["SZ-SCB"], level=AgentLevel.PROVINCIAL,
                                   credit_line="20000", agent_type=shop)
    c.agents["national"] = make_agent("A00000001", "全国连锁通信集团", c.units["NJ-SCB"], level=AgentLevel.NATIONAL,
                                      credit_line="100000")
    return c


@pytest.fixture
def channels(province) -> Channels:
    return build_channels(province)
