"""Test support of the terminals: handsets held by agents, a model with subsidy levels.

    imei = make_imei("35123456000001")          # 14 digits + the Luhn check digit
    item = make_handset(imei, channels.agents["nj_a1"])
"""

from __future__ import annotations

from kams.resources.enums import ItemState, ResourceKind
from kams.resources.models import ResourceItem


def luhn_digit(body: str) -> str:
    """The check digit that makes ``body`` + digit pass the Luhn test."""
    total = 0
    for index, char in enumerate(reversed(body)):
        n = int(char)
        if index % 2 == 0:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return str((10 - total % 10) % 10)


def make_imei(body: str) -> str:
    assert len(body) == 14 and body.isdigit()
    return body + luhn_digit(body)


def make_handset(imei: str, agent, model: str = "6610") -> ResourceItem:
    """A handset picked up by ``agent`` (held at the agent's marketing department)."""
    return ResourceItem.objects.create(kind=ResourceKind.HANDSET, serial=imei, model=model, org_unit=agent.org_unit,
                                       agent=agent, state=ItemState.PICKED_UP)
