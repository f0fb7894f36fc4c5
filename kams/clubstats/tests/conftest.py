"""The known data set of the statistics tests, made through the club's own services.

October 2026 bills and the monthly run (see kams/club/tests/test_run.py for the figures):

* diamond (Nanjing bank, NJ): 800 mobile + 200 data paid on time → consumption 1,000, tenure 100
  (11 years on the network, capped at 10 × 10), on time 50 = 1,150;
* emerald (Suzhou, SZ): 300 mobile paid late → consumption 300, tenure 100, late −60 = 340;
* sapphire (Zhenjiang port, ZJ-D01): 200 billed, 50 paid → consumption 50, tenure 100, unpaid −25 = 125.

Then: diamond is credited 2,000 activity points earned on 2026-09-15 and redeems FEE10 × 2 (2,000
points, cost 19.00) at the staff desk; emerald is credited 1,000 earned on 2026-11-02 and redeems
FEE10 × 1 on the portal, which club staff reverse; sapphire redeems MUG × 1 (100 points, 12.00).
Balances: diamond 1,150, emerald 1,340, sapphire 25.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest

OCTOBER = datetime.date(2026, 10, 1)


@dataclass
class World:
    club: Any
    province: Any
    redemptions: dict[str, Any] = field(default_factory=dict)

    def member(self, key: str):
        return self.club.members[key]

    def user(self, username: str):
        return self.province.user(username)


@pytest.fixture
def items(club):
    from kams.club.models import RedemptionItem

    return {
        "FEE10": RedemptionItem.objects.create(code="FEE10", name="10元话费", kind="fee", points=1000,
                                               face_value=Decimal("10"), unit_cost=Decimal("9.50")),
        "MUG": RedemptionItem.objects.create(code="MUG", name="俱乐部马克杯", kind="goods", points=100,
                                             face_value=Decimal("20"), unit_cost=Decimal("12.00")),
    }


@pytest.fixture
def october_run(club, club_accounts):
    from kams.club.run import points_run
    from kams.club.testing import load_bills, october_bill

    load_bills("2026-10", [
        october_bill("2501000001", "13951000001"),
        october_bill("2502000001", "13962000002", mobile="300", data="0", paid_on="2026-11-25"),
        october_bill("2503000001", "13952000003", mobile="100", data="100", paid="50", paid_on=""),
        october_bill("2501000001", "13900000009", mobile="5000", data="0"),  # not the member's number
    ])
    return points_run(period=OCTOBER)


@pytest.fixture
def world(province, club, items, october_run) -> World:
    from kams.club.redemption import redeem, redemption_reverse
    from kams.club.testing import give_points

    w = World(club=club, province=province)
    staff = province.user("js_club")
    give_points(club.members["diamond"], 2000, earned_on=datetime.date(2026, 9, 15))
    give_points(club.members["emerald"], 1000, earned_on=datetime.date(2026, 11, 2))
    w.redemptions["diamond"], _ = redeem(actor=staff, item="FEE10", quantity=2, channel_kind="staff",
                                         idempotency_key="t-1", member=club.members["diamond"])
    w.redemptions["emerald"], _ = redeem(actor=None, item="FEE10", quantity=1, channel_kind="portal",
                                         idempotency_key="t-2", member=club.members["emerald"])
    w.redemptions["sapphire"], _ = redeem(actor=staff, item="MUG", quantity=1, channel_kind="staff",
                                          idempotency_key="t-3", member=club.members["sapphire"])
    redemption_reverse(actor=staff, redemption=w.redemptions["emerald"], reason="客户取消")
    return w


@pytest.fixture
def finance(province):
    """A finance clerk at the province's finance department (unit scope: the province)."""
    from kams.org.enums import RoleCode
    from kams.org.testing import make_staff

    province.staff["js_finance"] = make_staff("js_finance", province.units["JS"], (RoleCode.FINANCE,), name="钱会计")
    return province.staff["js_finance"]
