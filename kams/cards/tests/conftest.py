"""Fixtures of the card tests: blanks of every level taken into stock at the province."""

import pytest

from kams.cards import services

RANGES = {"DIAMOND": ("JS2026000001", "JS2026005000"), "EMERALD": ("JE2026000001", "JE2026005000"),
          "SAPPHIRE": ("JB2026000001", "JB2026005000")}


@pytest.fixture
def stock(province, club):
    """5,000 blanks per level at the province (JS), 1,000 diamond blanks distributed to Nanjing."""
    user = province.user("js_club")
    for code, (first, last) in RANGES.items():
        services.blanks_stock_in(actor=user, level=club.levels[code], first=first, last=last, note="首批")
    services.blanks_distribute(actor=user, from_unit=province.units["JS"], to_unit=province.units["NJ"],
                               first="JS2026000001", last="JS2026001000")
    return club
