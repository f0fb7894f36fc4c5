"""Test support for the club, reused by the club's apps (cards, partners, portal …).

``club`` gives the test province a club staff member (``js_club``, province club staff at
the group-customer department), the reference levels and rules, and three members with
collected cards: a diamond member of the Nanjing bank (nj_manager1's customer), an emerald
member in Suzhou and a sapphire member of the Zhenjiang port.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

import pytest

from kams.org.enums import RoleCode
from kams.org.testing import make_staff


@dataclass
class Club:
    levels: dict[str, Any] = field(default_factory=dict)
    members: dict[str, Any] = field(default_factory=dict)
    cards: dict[str, Any] = field(default_factory=dict)

    def card_no(self, key: str) -> str:
        return self.cards[key].card_no


def make_member(province, customer, *, level="DIAMOND", name="张丽", actor="js_club", card=True, **fields):
    """An admitted member of ``customer`` with a collected card, through the real services."""
    from kams.club import members
    from kams.club.models import ClubLevel

    user = province.user(actor)
    member = members.member_create(actor=user, customer=customer, name=name, level=ClubLevel.objects.get(code=level),
                                   network_since=fields.pop("network_since", datetime.date(2015, 3, 1)), **fields)
    if card:
        c = members.card_apply(actor=user, member=member)
        c = members.card_move(actor=user, card=c, action="issue")
        members.card_move(actor=user, card=c, action="collect")
    return member


@pytest.fixture
def club(province, customers) -> Club:
    from kams.club.models import Card, ClubLevel
    from kams.club.reference_data import ensure_reference_data_now

    ensure_reference_data_now()  # a transactional test before this one may have flushed it
    province.staff["js_club"] = make_staff("js_club", province.units["JS-JKB"], (RoleCode.CLUB_STAFF,), name="刘俱乐")
    c = Club(levels={lv.code: lv for lv in ClubLevel.objects.all()})
    c.members["diamond"] = make_member(province, customers["nj_m1"], level="DIAMOND", name="张丽", msisdn="13951000001",
                                       phone="13951000001", email="zhangli@example.com")
    c.members["emerald"] = make_member(province, customers["sz"], level="EMERALD", name="周强", msisdn="13962000002",
                                       phone="13962000002")
    c.members["sapphire"] = make_member(province, customers["zj"], level="SAPPHIRE", name="钱进", msisdn="13952000003",
                                        phone="13952000003")
    for key, member in c.members.items():
        c.cards[key] = Card.objects.get(member=member)
    return c


def october_bill(account_no: str, msisdn: str, *, mobile: str = "800", data: str = "200", paid: str | None = None,
                 paid_on: str = "2026-11-10", period: str = "2026-10") -> dict:
    """A month's bill of one number, due on the 20th of the next month."""
    year, month = (int(p) for p in period.split("-"))
    due = datetime.date(year + month // 12, month % 12 + 1, 20)
    total = str(sum(int(x) for x in (mobile, data)))
    zero = {c: "0" for c in ("voip", "long_distance", "local", "internet", "leased_line")}
    return {"period": period, "account_no": account_no, "msisdn": msisdn, "mobile": mobile, "data": data, **zero,
            "total": total, "paid": total if paid is None else paid, "due_on": due.isoformat(), "paid_on": paid_on}


def load_bills(period: str, rows: list[dict]) -> None:
    """Load a month of bills through the billing import's own validate-and-load."""
    from kams.billing.importer import sample_csv
    from kams.billing.services import bill_import_now

    bill_import_now(period=datetime.date.fromisoformat(period + "-01"), content=sample_csv(rows), file_name=f"{period}.csv")


@pytest.fixture
def club_accounts(club, customers):
    """A paying account per member's customer: 2501000001 (Nanjing bank), 2502000001 (Suzhou),
    2503000001 (Zhenjiang port)."""
    from kams.customers.models import PayingAccount

    return {
        "diamond": PayingAccount.objects.create(customer=customers["nj_m1"], account_no="2501000001", name="南京银行总行"),
        "emerald": PayingAccount.objects.create(customer=customers["sz"], account_no="2502000001", name="苏州科技"),
        "sapphire": PayingAccount.objects.create(customer=customers["zj"], account_no="2503000001", name="镇江港务"),
    }


def give_points(member, points: int, *, earned_on=None, reference: str = "") -> None:
    """Credit ``points`` as an activity reward (tests that need a balance)."""
    from django.db import transaction

    from kams.club import ledger

    with transaction.atomic():
        ledger.credit(member=member, points=points, category="activity", earned_on=earned_on, reference=reference,
                      reason="test")
