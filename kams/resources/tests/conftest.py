"""Fixtures of the resource tests: a stock flow in Nanjing and Suzhou, prices, and stock at
the 新街口 marketing department (NJ-XJK) where agent nj_a1 (credit line 5,000) picks up."""

import datetime
from dataclasses import dataclass, field

import pytest
from django.utils import timezone

from kams.resources import services
from kams.resources.enums import FlowOperation, ResourceKind
from kams.resources.models import ResourceItem, StockNode

SIMS = ("8986010000000000001", "8986010000000001000")  # 1,000 ICCIDs at NJ-XJK
NUMBERS = ("13900000001", "13900000100")  # 100 numbers at NJ-XJK
SZ_SIMS = ("8986050000000000001", "8986050000000000100")  # 100 ICCIDs at SZ-SCB


@dataclass
class Stock:
    channels: object
    nodes: dict = field(default_factory=dict)

    @property
    def province(self):
        return self.channels.province

    def user(self, name):
        return self.channels.user(name)

    def agent(self, code):
        return self.channels.agents[code]

    def unit(self, code):
        return self.channels.units.get(code) or self.channels.province.units[code]


def sims(first: int, last: int) -> services.Selection:
    """ICCIDs 8986010000000000001 + (first-1) … of the NJ-XJK stock."""
    return services.selection(ResourceKind.SIM, f"898601{first:013d}", f"898601{last:013d}")


@pytest.fixture
def stock(channels):
    s = Stock(channels)
    manager = channels.user("js_channel")
    nj = s.unit("NJ")
    s.nodes["NJ"] = services.node_add(actor=manager, unit=nj)
    s.nodes["NJ-SCB"] = services.node_add(actor=manager, unit=s.unit("NJ-SCB"), parent=s.nodes["NJ"])
    s.nodes["NJ-XJK"] = services.node_add(actor=manager, unit=s.unit("NJ-XJK"), parent=s.nodes["NJ-SCB"])
    s.nodes["NJ-HX"] = services.node_add(actor=manager, unit=s.unit("NJ-HX"), parent=s.nodes["NJ-SCB"])
    s.nodes["SZ-SCB"] = services.node_add(actor=manager, unit=s.unit("SZ-SCB"))
    services.rule_add(actor=manager, from_node=s.nodes["NJ"], to_node=s.nodes["NJ-SCB"], operation=FlowOperation.OUT)
    services.rule_add(actor=manager, from_node=s.nodes["NJ-SCB"], to_node=s.nodes["NJ-XJK"],
                      operation=FlowOperation.OUT)
    services.rule_add(actor=manager, from_node=s.nodes["NJ-XJK"], to_node=s.nodes["NJ-HX"],
                      operation=FlowOperation.TRANSFER, kind=ResourceKind.SIM)
    since = timezone.localdate() - datetime.timedelta(days=30)
    services.price_add(actor=manager, kind="sim", network="gsm", business="mobile", price="10.00", valid_from=since)
    services.price_add(actor=manager, kind="number", network="gsm", business="mobile", price="50.00",
                       valid_from=since)
    services.stock_in(actor=manager, unit=s.unit("NJ-XJK"), sel=services.selection("sim", *SIMS))
    services.stock_in(actor=manager, unit=s.unit("NJ-XJK"), sel=services.selection("number", *NUMBERS))
    services.stock_in(actor=manager, unit=s.unit("SZ-SCB"), sel=services.selection("sim", *SZ_SIMS))
    assert ResourceItem.objects.count() == 1200
    assert StockNode.objects.count() == 5
    return s
