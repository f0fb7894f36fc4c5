"""The member portal's pages: logged-in only, the member's own data only, redemption through
the portal channel, data changes, automatic-redemption choice, announcements, activities."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from kams.audit.models import AuditEntry
from kams.club.models import ClubMember, PointsAccount, PointsEntry, Redemption
from kams.club.redemption import redeem
from kams.club.testing import give_points
from kams.notify.models import Message
from kams.portal.tests.conftest import last_code

pytestmark = pytest.mark.django_db

PAGES = ["/m/", "/m/points/", "/m/points/expiring/", "/m/redeem/", "/m/redeem/FEE10/", "/m/redemptions/",
         "/m/statements/2026/11/", "/m/auto/", "/m/me/", "/m/me/phone/", "/m/news/", "/m/activities/", "/m/password/"]


def _key(response) -> str:
    return re.search(r'name="key" value="([^"]+)"', response.content.decode()).group(1)


def test_pages_redirect_to_login_when_logged_out(club, catalogue, client):
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/m/login/?next="), url
    assert client.post("/m/activities/1/register/").status_code == 302
    assert client.get("/m/redemptions/1/").status_code == 302


def test_pages_render_for_the_member_on_a_phone(club, catalogue, logged_in):
    give_points(club.members["diamond"], 3000)
    client = logged_in("diamond")
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert '<meta name="viewport" content="width=device-width, initial-scale=1' in html, url
        assert "no-store" in response.get("Cache-Control", ""), url
        assert 'id="portal-tabs"' in html, url


def test_login_pages_have_the_viewport_and_language_switch(client):
    html = client.get("/m/login/").content.decode()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1' in html
    assert 'action="/i18n/setlang/"' in html
    assert "cdn" not in html.lower()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/m/login/"})
    assert response["Location"] == "/m/login/"
    assert "Member login" in client.get("/m/login/").content.decode()


def test_home_shows_name_level_card_balance_and_expiring_points(club, logged_in):
    from kams.club.models import PointsLot

    member = club.members["diamond"]
    today = timezone.localdate()
    give_points(member, 1200)
    give_points(member, 300, reference="soon")
    soon = today + datetime.timedelta(days=10)
    PointsLot.objects.filter(account_id=member.pk, points=300).update(expires_on=soon)
    client = logged_in("diamond")
    html = client.get("/m/").content.decode()
    assert "张丽" in html and club.levels["DIAMOND"].name in html and club.card_no("diamond") in html
    assert 'class="member-card level-DIAMOND' in html
    assert re.search(r'id="balance">1,?500<', html)
    assert today.strftime("%Y-%m-%d") in html
    assert f"300 points expire in the next 30 days (first on {soon:%Y-%m-%d})" in html
    lots = client.get("/m/points/expiring/").content.decode()
    rows = re.findall(r"<tr class=\"([^\"]*)\"><td>(\d{4}-\d\d-\d\d)", lots)
    assert rows[0] == ("table-warning", soon.strftime("%Y-%m-%d")) and rows[1][0] == ""
    assert re.search(r"<th class=\"text-end\">1,?500</th>", lots)


def test_points_history_is_paged_with_category_labels(club, logged_in):
    member = club.members["emerald"]
    for i in range(25):
        give_points(member, 10 + i, reference=f"test-{i}")
    client = logged_in("emerald")
    first = client.get("/m/points/").content.decode()
    assert first.count('class="entry-category"') == 20
    assert "Club activity reward" in first
    second = client.get("/m/points/?page=2").content.decode()
    assert second.count('class="entry-category"') == 5


def test_redeem_through_the_portal_deducts_once_when_the_form_is_sent_twice(club, catalogue, logged_in):
    member = club.members["diamond"]
    give_points(member, 5000)
    client = logged_in("diamond")
    form = client.get("/m/redeem/FEE10/")
    assert form.status_code == 200
    key = _key(form)
    assert key != _key(client.get("/m/redeem/FEE10/"))  # every form gets its own key
    first = client.post("/m/redeem/FEE10/", {"key": key, "quantity": "2"})
    second = client.post("/m/redeem/FEE10/", {"key": key, "quantity": "2"})
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    redemption = Redemption.objects.get(member=member)
    assert (redemption.channel_kind, redemption.quantity, redemption.points) == ("portal", 2, 2000)
    assert redemption.operator is None
    assert PointsAccount.objects.get(pk=member.pk).balance == 3000
    assert PointsEntry.objects.filter(account_id=member.pk, kind="spend").count() == 1
    receipt = client.get(second["Location"]).content.decode()
    assert "already made" in receipt and "10元话费" in receipt
    # The level's own price: the diamond rule makes BOOK cost 400.
    book = client.get("/m/redeem/BOOK/").content.decode()
    assert re.search(r'id="price">400<', book)


def test_insufficient_points_is_shown_and_nothing_is_deducted(club, catalogue, logged_in):
    member = club.members["emerald"]
    give_points(member, 500)
    client = logged_in("emerald")
    key = _key(client.get("/m/redeem/FEE10/"))
    response = client.post("/m/redeem/FEE10/", {"key": key, "quantity": "1"})
    assert response.status_code == 409
    assert "You have 500 points; this needs 1000. Nothing was deducted." in response.content.decode()
    assert not Redemption.objects.exists()
    assert PointsAccount.objects.get(pk=member.pk).balance == 500
    # Bad input: nothing happens either.
    response = client.post("/m/redeem/FEE10/", {"key": key, "quantity": "0"})
    assert response.status_code == 400 and not Redemption.objects.exists()
    response = client.post("/m/redeem/FEE10/", {"key": "guessed", "quantity": "1"})
    assert response.status_code == 400 and not Redemption.objects.exists()


def test_items_not_allowed_for_the_level_are_hidden(club, catalogue, logged_in):
    client = logged_in("sapphire")
    html = client.get("/m/redeem/").content.decode()
    assert "item-FEE10" in html and "item-UMBRELLA" not in html
    assert client.get("/m/redeem/UMBRELLA/").status_code == 404
    assert client.get("/m/redeem/NOSUCH/").status_code == 404
    assert "item-UMBRELLA" in logged_in("diamond").get("/m/redeem/?kind=goods").content.decode()


def test_a_member_sees_only_their_own_data(club, catalogue, logged_in):
    diamond, emerald = club.members["diamond"], club.members["emerald"]
    give_points(diamond, 2000)
    give_points(emerald, 4000)
    other, _created = redeem(actor=None, member=emerald, item="MIN100", quantity=1, channel_kind="portal",
                             idempotency_key="portal-emerald-key-000000000001")
    client = logged_in("diamond")
    assert client.get(f"/m/redemptions/{other.pk}/").status_code == 404
    # The member comes from the session only: a member id in the address changes nothing.
    html = client.get(f"/m/?member={emerald.pk}").content.decode()
    assert "张丽" in html and "周强" not in html and "4,000" not in html
    assert "100分钟国内通话" not in client.get("/m/redemptions/").content.decode()
    points = client.get(f"/m/points/?member={emerald.pk}").content.decode()
    assert points.count('class="entry-category"') == 1
    # Someone else's key from another member's form cannot be replayed as one's own.
    response = client.post("/m/redeem/MIN100/", {"key": "portal-emerald-key-000000000001", "quantity": "1"})
    assert response.status_code == 409
    assert Redemption.objects.filter(member=diamond).count() == 0


def test_redemption_history_and_monthly_statement(club, catalogue, logged_in):
    member = club.members["diamond"]
    give_points(member, 3000)
    client = logged_in("diamond")
    client.post("/m/redeem/BOOK/", {"key": _key(client.get("/m/redeem/BOOK/")), "quantity": "1"})
    today = timezone.localdate()
    history = client.get("/m/redemptions/").content.decode()
    assert "电子书月卡" in history
    assert f'/m/statements/{today.year}/{today.month}/' in history
    statement = client.get(f"/m/statements/{today.year}/{today.month}/").content.decode()
    assert re.search(r'id="opening">0<', statement) and re.search(r'id="closing">2,?600<', statement)
    assert "电子书月卡" in statement and "Redemption" in statement
    last_year = client.get(f"/m/statements/{today.year - 1}/{today.month}/").content.decode()
    assert "No redemptions this month." in last_year
    assert client.get("/m/statements/2026/13/").status_code == 404


def test_my_data_change_is_audited(club, logged_in):
    member = club.members["emerald"]
    client = logged_in("emerald")
    response = client.post("/m/me/", {"email": "zhouqiang@example.com", "address": "苏州工业园区星湖街 1 号",
                                      "statement_channel": "email", "hobbies": "高尔夫", "contact_time": "evening",
                                      "care_wishes": ""})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.email == "zhouqiang@example.com" and member.statement_channel == "email"
    assert member.preferences == {"hobbies": "高尔夫", "contact_time": "evening"}
    entry = AuditEntry.objects.get(action="portal.member_change")
    assert entry.actor is None and entry.target_id == str(member.pk)
    assert entry.after["member"] == member.member_no and entry.after["email"] == "zhouqiang@example.com"
    assert entry.before["email"] == "" and entry.before["statement_channel"] == "sms"

    # Bad input: a clear message, nothing changes, nothing is logged.
    response = client.post("/m/me/", {"email": "", "address": "x", "statement_channel": "email"})
    assert response.status_code == 400 and "need an e-mail address" in response.content.decode()
    response = client.post("/m/me/", {"email": "not-an-address", "address": "", "statement_channel": "sms"})
    assert response.status_code == 400
    member.refresh_from_db()
    assert member.email == "zhouqiang@example.com" and member.address == "苏州工业园区星湖街 1 号"
    assert AuditEntry.objects.filter(action="portal.member_change").count() == 1


def test_staff_preferences_are_kept(club, logged_in):
    member = club.members["diamond"]
    ClubMember.objects.filter(pk=member.pk).update(preferences={"diet": "素食"})
    client = logged_in("diamond")
    client.post("/m/me/", {"email": member.email, "address": "", "statement_channel": "sms", "hobbies": "书法"})
    member.refresh_from_db()
    assert member.preferences == {"diet": "素食", "hobbies": "书法"}


def test_phone_change_needs_a_code_sent_to_the_new_number(club, logged_in):
    member = club.members["sapphire"]
    client = logged_in("sapphire")
    response = client.post("/m/me/phone/", {"phone": "12345", "action": "send"})
    assert response.status_code == 400 and not Message.objects.exists()
    response = client.post("/m/me/phone/", {"phone": "13800001111", "action": "send"})
    assert response.status_code == 200 and "138****1111" in response.content.decode()
    assert Message.objects.get(purpose="club.portal_otp").recipient == "13800001111"
    code = last_code("13800001111")
    wrong = "000000" if code != "000000" else "111111"
    response = client.post("/m/me/phone/", {"code": wrong, "action": "confirm"})
    assert response.status_code == 400
    member.refresh_from_db()
    assert member.phone == "13952000003"
    response = client.post("/m/me/phone/", {"code": code, "action": "confirm"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.phone == "13800001111"
    entry = AuditEntry.objects.get(action="portal.member_change")
    assert entry.actor is None and entry.before == {"phone": "13952000003"}
    assert entry.after == {"member": member.member_no, "phone": "13800001111"}
    # The code is used up.
    assert client.post("/m/me/phone/", {"code": code, "action": "confirm"}).status_code == 400


def test_automatic_redemption_choice(club, catalogue, logged_in):
    member = club.members["diamond"]
    client = logged_in("diamond")
    html = client.get("/m/auto/").content.decode()
    assert 'value="FEE10"' in html and 'value="MIN100"' in html and 'value="UMBRELLA"' not in html
    assert client.post("/m/auto/", {"item": "MIN100"}).status_code == 302
    member.refresh_from_db()
    assert member.auto_redeem_item.code == "MIN100"
    entry = AuditEntry.objects.get(action="portal.auto_redeem_choose")
    assert entry.actor is None and entry.before == {"auto_redeem_item": None}
    assert entry.after == {"member": member.member_no, "auto_redeem_item": "MIN100"}
    # Goods cannot be pre-selected; nothing changes.
    response = client.post("/m/auto/", {"item": "UMBRELLA"})
    assert response.status_code == 400 and "cannot be chosen" in response.content.decode()
    member.refresh_from_db()
    assert member.auto_redeem_item.code == "MIN100"
    assert client.post("/m/auto/", {"item": ""}).status_code == 302
    member.refresh_from_db()
    assert member.auto_redeem_item is None
    assert AuditEntry.objects.filter(action="portal.auto_redeem_choose").count() == 2


def test_announcements_and_activity_registration(club, province, logged_in):
    from kams.clubinfo.models import Activity, ActivityRegistration, Announcement

    now = timezone.now()
    Announcement.objects.create(title="春节服务安排", body="营业厅春节期间照常营业。", audience="members",
                                publish_at=now - datetime.timedelta(hours=1))
    Announcement.objects.create(title="内部通知", body="员工会议", audience="staff",
                                publish_at=now - datetime.timedelta(hours=1))
    activity = Activity.objects.create(name="会员高尔夫邀请赛", kind="sports", org_unit=province.units["NJ"],
                                       place="钟山高尔夫球场", starts_at=now + datetime.timedelta(days=10),
                                       ends_at=now + datetime.timedelta(days=10, hours=4), capacity=20, state="open")
    other_city = Activity.objects.create(name="苏州茶会", kind="salon", org_unit=province.units["SZ"], place="苏州",
                                         starts_at=now + datetime.timedelta(days=5),
                                         ends_at=now + datetime.timedelta(days=5, hours=2), capacity=20, state="open")
    client = logged_in("diamond")
    news = client.get("/m/news/").content.decode()
    assert "春节服务安排" in news and "内部通知" not in news
    assert "春节服务安排" in client.get("/m/").content.decode()
    page = client.get("/m/activities/").content.decode()
    assert "会员高尔夫邀请赛" in page and "苏州茶会" not in page
    assert client.post(f"/m/activities/{other_city.pk}/register/").status_code == 404
    response = client.post(f"/m/activities/{activity.pk}/register/")
    assert response.status_code == 302
    registration = ActivityRegistration.objects.get(activity=activity)
    assert registration.member == club.members["diamond"] and registration.channel == "portal"
    page = client.get("/m/activities/").content.decode()
    assert 'id="activity-' not in page.split('id="my-registrations"')[0]
    assert "会员高尔夫邀请赛" in page.split('id="my-registrations"')[1]
    # Registering again: the activity is no longer open to this member.
    assert client.post(f"/m/activities/{activity.pk}/register/").status_code == 404
    assert ActivityRegistration.objects.filter(activity=activity).count() == 1
