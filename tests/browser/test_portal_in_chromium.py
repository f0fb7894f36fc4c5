"""The member portal on a phone (390×844): a member logs in with a password, sees the
balance on the card and redeems phone credit."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth.hashers import make_password
from playwright.sync_api import expect

from kams.club.models import ClubMember, PointsAccount, Redemption, RedemptionItem
from kams.club.testing import give_points
from tests.browser.helpers import watch_requests

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_logs_in_on_a_phone_and_redeems(club, live_server, phone):
    failed = watch_requests(phone)
    member = club.members["diamond"]
    ClubMember.objects.filter(pk=member.pk).update(portal_password=make_password("Garden-2026"))
    give_points(member, 5000)
    RedemptionItem.objects.create(code="FEE10", name="10元话费", kind="fee", points=1000, face_value=Decimal("10"),
                                  unit_cost=Decimal("9.50"))

    phone.goto(f"{live_server.url}/m/")
    expect(phone).to_have_url(re.compile(r"/m/login/\?next="))
    phone.fill("#id_card_no", club.card_no("diamond"))
    phone.fill("#id_password", "Garden-2026")
    phone.click("#login-submit")
    expect(phone).to_have_url(f"{live_server.url}/m/")
    expect(phone.locator("#member-name")).to_have_text("张丽")
    expect(phone.locator("#balance")).to_have_text(re.compile(r"^5,?000$"))
    # Made for the phone: nothing wider than the screen, the tab bar at the bottom.
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    tabs = phone.locator("#portal-tabs").bounding_box()
    assert tabs is not None and tabs["y"] + tabs["height"] >= 844 - 2

    phone.click("#portal-tabs a[href='/m/redeem/']")
    phone.click("#item-FEE10")
    expect(phone.locator("#item-name")).to_have_text("10元话费")
    phone.click("#redeem-submit")
    expect(phone.locator("#receipt")).to_be_visible()
    expect(phone.locator("#balance")).to_have_text(re.compile(r"^4,?000$"))
    redemption = Redemption.objects.get(member=member)
    assert (redemption.channel_kind, redemption.points) == ("portal", 1000)
    assert PointsAccount.objects.get(pk=member.pk).balance == 4000
    assert failed == [], failed
