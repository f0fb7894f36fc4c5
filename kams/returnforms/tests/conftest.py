"""Fixtures of the return-form tests: numbers picked up by the channels' agents, created
directly (the stock services are another domain's)."""

import pytest
from django.utils import timezone

from kams.resources.enums import ItemState, ResourceKind
from kams.resources.models import ResourceItem
from kams.system.services import parameter_set

NJ_A1 = [f"139000000{i:02d}" for i in range(1, 11)]  # picked up by nj_a1
NJ_A2 = ["13900000100"]  # picked up by nj_a2
IN_STOCK = ["13900000200"]  # still at the department
SZ_A1 = ["13950000001", "13950000002"]  # picked up by sz_a1


def _items(serials, unit, agent, state=ItemState.PICKED_UP):
    ResourceItem.objects.bulk_create([
        ResourceItem(kind=ResourceKind.NUMBER, serial=s, org_unit=unit, agent=agent, state=state) for s in serials
    ])


@pytest.fixture
def returns(channels):
    u, a = channels.units, channels.agents
    _items(NJ_A1, u["NJ-XJK"], a["nj_a1"])
    _items(NJ_A2, u["NJ-HX"], a["nj_a2"])
    _items(IN_STOCK, u["NJ-XJK"], None, ItemState.IN_STOCK)
    _items(SZ_A1, u["SZ-SCB"], a["sz_a1"])
    ResourceItem.objects.update(state_changed_at=timezone.now() - timezone.timedelta(days=10))
    return channels


@pytest.fixture
def switch(province):
    """``switch(False)``: return-form handover off (``channels.return_handover``)."""

    def set_switch(value: bool) -> None:
        parameter_set(actor=province.user("admin"), key="channels.return_handover", value=value)

    return set_switch


def state_of(serial: str) -> str:
    return ResourceItem.objects.get(kind=ResourceKind.NUMBER, serial=serial).state


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read messages in English: pin the language (pages fall back to
    LANGUAGE_CODE; service errors are translated when read)."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
