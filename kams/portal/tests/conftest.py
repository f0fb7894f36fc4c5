"""Fixtures of the member portal's tests: a catalogue, a client in English and login helpers
that read the one-time code from the notification outbox, as a member reads the SMS."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.test import Client

PASSWORD = "Garden-2026"


@pytest.fixture
def catalogue(club):
    """FEE10 (phone credit, auto), MIN100 (free minutes, auto), UMBRELLA (goods, not for
    sapphire members), BOOK (content, cheaper for diamond members)."""
    from kams.club.models import RedemptionItem, RedemptionRule

    items = {
        "FEE10": RedemptionItem.objects.create(code="FEE10", name="10元话费", kind="fee", points=1000,
                                               face_value=Decimal("10"), unit_cost=Decimal("9.50"), auto_redeemable=True),
        "MIN100": RedemptionItem.objects.create(code="MIN100", name="100分钟国内通话", kind="minutes", points=800,
                                                minutes=100, unit_cost=Decimal("3"), auto_redeemable=True),
        "UMBRELLA": RedemptionItem.objects.create(code="UMBRELLA", name="俱乐部雨伞", kind="goods", points=1500,
                                                  unit_cost=Decimal("25")),
        "BOOK": RedemptionItem.objects.create(code="BOOK", name="电子书月卡", kind="content", points=600),
    }
    RedemptionRule.objects.create(item=items["UMBRELLA"], level=club.levels["SAPPHIRE"], allowed=False)
    RedemptionRule.objects.create(item=items["BOOK"], level=club.levels["DIAMOND"], points=400)
    return items


def english_client() -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def en_client() -> Client:
    return english_client()


def set_password(member, password: str = PASSWORD) -> None:
    from kams.club.models import ClubMember

    ClubMember.objects.filter(pk=member.pk).update(portal_password=make_password(password))
    member.refresh_from_db()


def last_code(phone: str) -> str:
    from kams.notify.models import Message

    message = Message.objects.filter(purpose="club.portal_otp", recipient=phone).order_by("-id").first()
    assert message is not None, f"no code was sent to {phone}"
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def login_password(client: Client, card_no: str, password: str = PASSWORD):
    return client.post("/m/login/", {"card_no": card_no, "password": password})


def login_code(client: Client, card_no: str, phone: str):
    sent = client.post("/m/login/code/", {"card_no": card_no, "action": "send"})
    assert sent.status_code == 200
    return client.post("/m/login/code/", {"card_no": card_no, "action": "verify", "code": last_code(phone)})


@pytest.fixture
def logged_in(club):
    """A client logged in as a member with a password: ``logged_in("diamond")``."""

    def make(key: str = "diamond") -> Client:
        client = english_client()
        set_password(club.members[key])
        response = login_password(client, club.card_no(key))
        assert response.status_code == 302, response.content.decode()[:500]
        return client

    return make
