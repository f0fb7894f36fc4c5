"""The member's portal session. It lives in the Django session under its own key (beside a
staff login, if the same browser has one) and holds the member and the card logged in
with, a hash of the member's password (changing the password ends the other sessions) and
when it was last used (idle expiry)."""

from __future__ import annotations

import functools
import time
from typing import Any, Callable
from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import url_has_allowed_host_and_scheme

from kams.club.models import Card, ClubMember
from kams.portal.services import usable_card
from kams.system.parameters import param

SESSION_KEY = "kams_portal"


def _session_hash(member: ClubMember) -> str:
    return salted_hmac("kams.portal.session", f"{member.pk}:{member.portal_password}", algorithm="sha256").hexdigest()


def portal_login(request, card: Card, method: str) -> None:
    """``method``: "password" or "code" (a member who came in with a code may set a new
    password without the old one)."""
    request.session.cycle_key()  # no session fixation
    request.session[SESSION_KEY] = {
        "member": card.member_id, "card": card.card_no, "hash": _session_hash(card.member),
        "seen": int(time.time()), "method": method,
    }


def portal_logout(request) -> None:
    request.session.pop(SESSION_KEY, None)
    request.session.cycle_key()


def refresh_hash(request, member: ClubMember) -> None:
    data = dict(request.session.get(SESSION_KEY) or {})
    if data:
        data["hash"] = _session_hash(member)
        data["method"] = "password"
        request.session[SESSION_KEY] = data


def login_method(request) -> str:
    return (request.session.get(SESSION_KEY) or {}).get("method", "")


def current(request) -> Card | None:
    """The card of the logged-in member, or None (and the session's portal part is dropped)
    when there is none, it was idle too long, the card or member can no longer be used or
    the password changed since."""
    data = request.session.get(SESSION_KEY)
    if not isinstance(data, dict):
        return None
    now = int(time.time())
    card = None
    if now - int(data.get("seen", 0)) <= param("portal.idle_minutes") * 60:
        card = usable_card(str(data.get("card", "")))
    if card is None or card.member_id != data.get("member") or not constant_time_compare(
        str(data.get("hash", "")), _session_hash(card.member)
    ):
        request.session.pop(SESSION_KEY, None)
        return None
    if now - int(data.get("seen", 0)) > 30:  # write the session at most every half minute
        data["seen"] = now
        request.session[SESSION_KEY] = data
    return card


def safe_next(request, default: str = "") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/m/") and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default or reverse("portal:home")


def member_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Only for a logged-in member: ``request.member`` and ``request.portal_card`` are set.
    Otherwise to the login page (and back here after). A member without a password yet is
    sent to set one first. Pages are never cached (personal data, the back button after
    logging out)."""

    @functools.wraps(view)
    def wrapper(request, *args: Any, **kwargs: Any):
        card = current(request)
        if card is None:
            target = reverse("portal:login")
            if request.method == "GET":
                target += "?" + urlencode({"next": request.get_full_path()})
            return redirect(target)
        request.member = card.member
        request.portal_card = card
        if not card.member.portal_password and view.__name__ not in ("password_view", "logout_view"):
            return redirect("portal:password")
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    return wrapper
