"""Logging in to the member portal: one-time SMS codes, passwords, lockout, cards that cannot
be used, sessions bound to the member."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from kams.audit.models import AuditEntry
from kams.club import members as club_members
from kams.club.models import ClubMember
from kams.notify.models import Message
from kams.portal.models import PortalCode, PortalGuard
from kams.portal.tests.conftest import PASSWORD, english_client, last_code, login_code, login_password, set_password

pytestmark = pytest.mark.django_db

GENERIC = "The card number or password is wrong, or the card cannot be used."


def _error(response) -> str:
    match = re.search(r'id="login-error"[^>]*>([^<]*)<', response.content.decode())
    return match.group(1).strip() if match else ""


def test_first_login_by_code_then_set_password(club, en_client):
    member, card_no = club.members["diamond"], club.card_no("diamond")
    assert member.portal_password == ""
    # No password yet: the password login refuses, with the usual words.
    assert _error(login_password(en_client, card_no)) == GENERIC

    response = login_code(en_client, card_no, member.phone)
    assert response.status_code == 302 and response["Location"] == "/m/password/"
    # Until a password is set every page leads to the password page.
    assert en_client.get("/m/points/")["Location"] == "/m/password/"

    for weak in ("12345678", "short1", "1234567890123"):
        response = en_client.post("/m/password/", {"password": weak, "password2": weak})
        assert response.status_code == 400
        assert "at least 8 characters and not only digits" in response.content.decode()
    member.refresh_from_db()
    assert member.portal_password == ""

    response = en_client.post("/m/password/", {"password": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/m/"
    member.refresh_from_db()
    assert member.portal_password.startswith(("md5$", "pbkdf2", "argon2", "bcrypt")) and PASSWORD not in member.portal_password
    entry = AuditEntry.objects.get(action="portal.password_set")
    assert entry.actor is None and entry.after["member"] == member.member_no and entry.after["first_password"] is True
    assert en_client.get("/m/").status_code == 200

    en_client.post("/m/logout/")
    assert en_client.get("/m/").status_code == 302
    other = english_client()
    response = login_password(other, card_no)
    assert response.status_code == 302 and response["Location"] == "/m/"
    assert "张丽" in other.get("/m/").content.decode()


def test_code_is_hashed_expires_and_allows_five_tries(club, en_client):
    member, card_no = club.members["emerald"], club.card_no("emerald")
    en_client.post("/m/login/code/", {"card_no": card_no, "action": "send"})
    code = last_code(member.phone)
    row = PortalCode.objects.get(member=member)
    assert code not in (row.code_hash, row.salt) and len(row.code_hash) == 64
    assert row.expires_at - row.created_at == datetime.timedelta(minutes=5)
    message = Message.objects.get(purpose="club.portal_otp")
    assert message.channel == "sms" and message.recipient == member.phone

    # At most one code a minute per card.
    again = en_client.post("/m/login/code/", {"card_no": card_no, "action": "send"})
    assert again.status_code == 429 and "less than a minute ago" in again.content.decode()
    assert Message.objects.filter(purpose="club.portal_otp").count() == 1

    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        response = en_client.post("/m/login/code/", {"card_no": card_no, "action": "verify", "code": wrong})
        assert "code is wrong" in _error(response)
    PortalGuard.objects.all().update(locked_until=None)  # the card lock is tested elsewhere
    # Five wrong tries used the code up: the right one no longer works.
    response = en_client.post("/m/login/code/", {"card_no": card_no, "action": "verify", "code": code})
    assert "code is wrong" in _error(response)
    assert en_client.get("/m/").status_code == 302

    # A new code (a minute later) that has expired does not work either.
    PortalGuard.objects.all().update(last_code_at=timezone.now() - datetime.timedelta(minutes=2), failures=0,
                                     locked_until=None)
    en_client.post("/m/login/code/", {"card_no": card_no, "action": "send"})
    code = last_code(member.phone)
    PortalCode.objects.filter(used_at__isnull=True).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = en_client.post("/m/login/code/", {"card_no": card_no, "action": "verify", "code": code})
    assert _error(response) == "The card number or code is wrong, or the code has expired."


def test_code_for_unknown_card_answers_the_same_and_sends_nothing(club, en_client):
    known = en_client.post("/m/login/code/", {"card_no": club.card_no("sapphire"), "action": "send"})
    unknown = en_client.post("/m/login/code/", {"card_no": "8699999999", "action": "send"})
    assert known.status_code == unknown.status_code == 200
    text = "If the card number is registered, a code was sent"
    assert text in known.content.decode() and text in unknown.content.decode()
    assert Message.objects.filter(purpose="club.portal_otp").count() == 1
    # The unknown card number is held to one request a minute too.
    assert en_client.post("/m/login/code/", {"card_no": "8699999999", "action": "send"}).status_code == 429


def test_wrong_password_and_unknown_card_get_the_same_message(club, en_client):
    set_password(club.members["diamond"])
    wrong = login_password(en_client, club.card_no("diamond"), "Wrong-pass-1")
    unknown = login_password(en_client, "8600009999", PASSWORD)
    assert wrong.status_code == unknown.status_code == 400
    assert _error(wrong) == _error(unknown) == GENERIC
    assert en_client.get("/m/").status_code == 302


def test_lockout_after_repeated_failures(club, en_client):
    set_password(club.members["diamond"])
    card_no = club.card_no("diamond")
    for _ in range(5):
        assert login_password(en_client, card_no, "Wrong-pass-1").status_code == 400
    # Locked: even the right password is refused now.
    response = login_password(en_client, card_no)
    assert response.status_code == 429 and "Too many failed attempts" in _error(response)
    assert en_client.get("/m/").status_code == 302
    # The code login is locked as well.
    assert en_client.post("/m/login/code/", {"card_no": card_no, "action": "send"}).status_code == 429
    # Another card is not affected.
    set_password(club.members["emerald"])
    assert login_password(english_client(), club.card_no("emerald")).status_code == 302
    # An unknown card number locks the same way: locking tells nothing about which cards exist.
    for _ in range(5):
        login_password(en_client, "8600009999", "Wrong-pass-1")
    assert login_password(en_client, "8600009999", "Wrong-pass-1").status_code == 429
    # When the lock has run out the member gets in.
    PortalGuard.objects.filter(key=f"card:{card_no}").update(locked_until=timezone.now() - datetime.timedelta(seconds=1))
    assert login_password(en_client, card_no).status_code == 302


def test_lost_card_cannot_log_in_and_ends_the_session(club, province, en_client):
    member, card = club.members["sapphire"], club.cards["sapphire"]
    set_password(member)
    assert login_password(en_client, card.card_no).status_code == 302
    assert en_client.get("/m/").status_code == 200

    club_members.card_move(actor=province.user("js_club"), card=card, action="report_lost")
    response = en_client.get("/m/")
    assert response.status_code == 302 and response["Location"].startswith("/m/login/")
    fresh = english_client()
    response = login_password(fresh, card.card_no)
    assert response.status_code == 400 and _error(response) == GENERIC
    fresh.post("/m/login/code/", {"card_no": card.card_no, "action": "send"})
    assert not Message.objects.filter(purpose="club.portal_otp").exists()


def test_cancelled_member_cannot_log_in(club, en_client):
    member = club.members["emerald"]
    set_password(member)
    ClubMember.objects.filter(pk=member.pk).update(status="suspended")
    assert _error(login_password(en_client, club.card_no("emerald"))) == GENERIC


def test_password_change_needs_the_current_one_and_ends_other_sessions(club, logged_in):
    first, second = logged_in("diamond"), english_client()
    assert login_password(second, club.card_no("diamond")).status_code == 302
    response = first.post("/m/password/", {"current": "Wrong-pass-1", "password": "New-pass-2026",
                                           "password2": "New-pass-2026"})
    assert response.status_code == 400 and "current password is wrong" in response.content.decode()
    response = first.post("/m/password/", {"current": PASSWORD, "password": "New-pass-2026",
                                           "password2": "New-pass-2026"})
    assert response.status_code == 302
    assert first.get("/m/").status_code == 200  # this session goes on
    assert second.get("/m/").status_code == 302  # the other one ends
    assert login_password(english_client(), club.card_no("diamond"), "New-pass-2026").status_code == 302


def test_logout_needs_post_and_csrf_is_enforced(club):
    set_password(club.members["diamond"])
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/m/login/", {"card_no": club.card_no("diamond"), "password": PASSWORD})
    assert response.status_code == 403
    page = strict.get("/m/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    response = strict.post("/m/login/", {"card_no": club.card_no("diamond"), "password": PASSWORD,
                                         "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert strict.get("/m/logout/").status_code == 405
    assert strict.post("/m/logout/").status_code == 403  # no token: still logged in
    assert strict.get("/m/").status_code == 200


def test_next_only_within_the_portal(club, en_client):
    set_password(club.members["diamond"])
    response = en_client.post("/m/login/?next=https://evil.example/", {"card_no": club.card_no("diamond"),
                                                                       "password": PASSWORD})
    assert response["Location"] == "/m/"
    en_client.post("/m/logout/")
    response = en_client.post("/m/login/", {"card_no": club.card_no("diamond"), "password": PASSWORD,
                                            "next": "/m/points/"})
    assert response["Location"] == "/m/points/"


def test_idle_session_expires(club, logged_in):
    client = logged_in("diamond")
    session = client.session
    data = dict(session["kams_portal"])
    data["seen"] -= 31 * 60
    session["kams_portal"] = data
    session.save()
    assert client.get("/m/").status_code == 302


def test_demo_step_gives_the_first_members_the_demo_password(club, en_client):
    from kams.demo import club_portal

    assert club_portal.build(None) == 3
    passwords = {m.portal_password for m in ClubMember.objects.all()}
    assert len(passwords) == 1 and "kams-demo" not in passwords.pop()
    assert login_password(en_client, club.card_no("emerald"), "kams-demo").status_code == 302
