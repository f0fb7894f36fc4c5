"""Fixtures of the terminal tests: a handset model with subsidy levels and three subsidised
sales (two by a Nanjing agent, one by a Suzhou agent)."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.utils import timezone

from kams.customers.enums import Business
from kams.terminals import services
from kams.terminals.enums import SubsidyKind
from kams.terminals.models import HandsetModel, SubsidisedSale
from kams.terminals.testing import make_handset, make_imei

IMEI = {name: make_imei(body) for name, body in {
    "h1": "35000000000001", "h2": "35000000000002", "h3": "35000000000003", "h4": "35000000000004",
    "other": "86000000000009", "stranger": "86000000000010",
}.items()}


@dataclass
class World:
    channels: object
    today: datetime.date
    model: HandsetModel
    sales: dict[str, SubsidisedSale] = field(default_factory=dict)

    def user(self, name):
        return self.channels.user(name)


@pytest.fixture
def world(channels):
    manager = channels.user("js_channel")
    today = timezone.localdate()
    model = services.handset_model_save(actor=manager, brand="Nokia", model="6610", list_price="2000.00")
    services.subsidy_level_set(actor=manager, handset_model=model, business=Business.MOBILE, kind=SubsidyKind.AMOUNT,
                               value="600", valid_from=today - datetime.timedelta(days=400))
    w = World(channels=channels, today=today, model=model)
    a1, sz = channels.agents["nj_a1"], channels.agents["sz_a1"]
    for name, agent in (("h1", a1), ("h2", a1), ("h3", sz), ("h4", a1)):
        make_handset(IMEI[name], agent)
    sold_on = today - datetime.timedelta(days=30)
    for name, msisdn in (("h1", "13900000001"), ("h2", "13900000002"), ("h3", "13900000003")):
        w.sales[name] = services.subsidised_sale_record(actor=manager, imei=IMEI[name], msisdn=msisdn,
                                                        business=Business.MOBILE, commitment_months=24, sold_on=sold_on)
    assert w.sales["h1"].subsidy_amount == Decimal("600.00")
    return w


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read messages in English: pin the language (pages fall back to
    LANGUAGE_CODE; service errors are translated when read)."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
