"""The member portal's writes: logging in (password or one-time SMS code), the member's own
password, data and automatic-redemption choice, and redemption through the portal channel.

Members have no Django user: every change is audited with ``actor=None`` and the member in
``after``. Failed logins are counted per card number (and per client address) in
``PortalGuard`` in their own transaction, so a failure is recorded even though the login
is refused; the same words answer an unknown card, a wrong password and a card that cannot
be used.
"""

from __future__ import annotations

import datetime
import math
import re
import secrets
from typing import Any

from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from kams.audit.services import audit_record
from kams.club.enums import ChannelKind, ItemKind, MemberStatus, StatementChannel
from kams.club.errors import ItemNotForLevel
from kams.club.members import USABLE_CARD_STATES
from kams.club.models import Card, ClubMember, Redemption, RedemptionItem
from kams.club.redemption import item_on_offer, item_price, redeem
from kams.core.errors import InvalidInput
from kams.portal.errors import (
    CodeFailed,
    CodeTooSoon,
    LockedOut,
    LoginFailed,
    NotAutoRedeemable,
    WeakPassword,
    WrongCode,
)
from kams.portal.models import CodePurpose, PortalCode, PortalGuard
from kams.system.parameters import param

CODE_TTL = datetime.timedelta(minutes=5)
CODE_MAX_ATTEMPTS = 5
CODE_INTERVAL = datetime.timedelta(minutes=1)
AUTO_KINDS = (ItemKind.FEE, ItemKind.MINUTES)
CONTACT_TIMES = ("morning", "afternoon", "evening", "any")
MOBILE = re.compile(r"^1[3-9]\d{9}$")
KEY = re.compile(r"^portal-[A-Za-z0-9_-]{16,72}$")
_dummy_hash: str | None = None


def normalize_card_no(card_no: Any) -> str:
    return re.sub(r"\s+", "", str(card_no or ""))[:20]


def usable_card(card_no: str) -> Card | None:
    """The card if it may log in: issued or collected, of an active member."""
    if not card_no:
        return None
    return (
        Card.objects.select_related("member__level", "member__customer__org_unit")
        .filter(card_no=card_no, state__in=USABLE_CARD_STATES, member__status=MemberStatus.ACTIVE).first()
    )


# --- Guard: failures per card number and per address ------------------------------------------


def _keys(card_no: str, ip: str) -> list[str]:
    keys = [f"card:{card_no}"]
    if ip:
        keys.append(f"ip:{ip}"[:80])
    return keys


def _limit(key: str) -> int:
    return param("portal.login_failure_limit") if key.startswith("card:") else param("portal.ip_failure_limit")


def _guard_check(keys: list[str]) -> None:
    now = timezone.now()
    until = (
        PortalGuard.objects.filter(key__in=keys, locked_until__gt=now)
        .order_by("-locked_until").values_list("locked_until", flat=True).first()
    )
    if until is not None:
        raise LockedOut(minutes=max(1, math.ceil((until - now).total_seconds() / 60)))


def _guard_fail(keys: list[str]) -> None:
    """Count a failure, in its own transaction (it must stay when the login is refused)."""
    now = timezone.now()
    window = datetime.timedelta(minutes=param("portal.lockout_minutes"))
    with transaction.atomic():
        for key in sorted(keys):
            guard, _created = PortalGuard.objects.select_for_update().get_or_create(key=key)
            if guard.last_failure_at is None or now - guard.last_failure_at > window:
                guard.failures = 0  # old failures are forgotten
            guard.failures += 1
            guard.last_failure_at = now
            if guard.failures >= _limit(key):
                guard.locked_until = now + window
                guard.failures = 0
            guard.save(update_fields=["failures", "last_failure_at", "locked_until"])


def _guard_reset(card_no: str) -> None:
    PortalGuard.objects.filter(key=f"card:{card_no}").update(failures=0, locked_until=None)


# --- Passwords ------------------------------------------------------------------------------------


def _dummy() -> str:
    """A real hash to check against when there is no member, so both answers take as long."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = make_password(secrets.token_urlsafe(12))
    return _dummy_hash


def check_password_rules(password: str) -> None:
    if not isinstance(password, str) or len(password) < 8 or password.isdigit() or len(password) > 128:
        raise WeakPassword()


def login_with_password(*, card_no: str, password: str, ip: str = "") -> Card:
    """The card of a member whose password matches; ``LoginFailed`` otherwise."""
    card_no = normalize_card_no(card_no)
    keys = _keys(card_no, ip)
    _guard_check(keys)
    card = usable_card(card_no)
    encoded = card.member.portal_password if card is not None else ""
    member = card.member if card is not None else None

    def upgrade(raw: str) -> None:  # a hash made with an older hasher is replaced
        ClubMember.objects.filter(pk=member.pk).update(portal_password=make_password(raw))

    matches = check_password(password or "", encoded or _dummy(), setter=upgrade if encoded else None)
    if not (matches and encoded):
        _guard_fail(keys)
        raise LoginFailed()
    _guard_reset(card_no)
    return card


@transaction.atomic
def password_set(*, member: ClubMember, password: str, current: str | None = None) -> ClubMember:
    """Set the member's own password. ``current`` is checked unless it is None (the member
    has just logged in with a one-time code)."""
    member = ClubMember.objects.select_for_update().get(pk=member.pk)
    if current is not None and not (member.portal_password and check_password(current, member.portal_password)):
        raise InvalidInput(_("The current password is wrong."))
    check_password_rules(password)
    first = not member.portal_password
    member.portal_password = make_password(password)
    member.save(update_fields=["portal_password", "updated_at"])
    audit_record(actor=None, action="portal.password_set", target=member, target_repr=str(member),
                 after={"member": member.member_no, "first_password": first})
    return member


# --- One-time codes -------------------------------------------------------------------------------


def _hash(salt: str, code: str) -> str:
    return salted_hmac("kams.portal.code", f"{salt}:{code}", algorithm="sha256").hexdigest()


def _issue(member: ClubMember, card_no: str, purpose: str, phone: str) -> PortalCode:
    from kams.notify.services import notify

    now = timezone.now()
    code = f"{secrets.randbelow(10 ** 6):06d}"
    salt = secrets.token_hex(16)
    with transaction.atomic():
        # Only the newest code of a purpose counts; codes gone for a day are dropped.
        PortalCode.objects.filter(member=member, purpose=purpose, used_at__isnull=True, expires_at__gt=now).update(
            expires_at=now)
        PortalCode.objects.filter(expires_at__lt=now - datetime.timedelta(days=1)).delete()
        row = PortalCode.objects.create(member=member, card_no=card_no, purpose=purpose, phone=phone, salt=salt,
                                        code_hash=_hash(salt, code), created_at=now, expires_at=now + CODE_TTL)
        if purpose == CodePurpose.LOGIN:
            body = _("Your club login code is %(code)s. It is valid for 5 minutes. Never tell it to anyone.")
        else:
            body = _("Your code to confirm this mobile number for the club is %(code)s. It is valid for 5 minutes.")
        notify(channel="sms", recipient=phone, body=body % {"code": code}, purpose="club.portal_otp",
               idempotency_key=f"portal-otp:{row.pk}", recipient_name=member.name,
               org_unit=member.customer.org_unit)
    return row


def _take(row: PortalCode | None, code: str) -> bool:
    """Whether ``code`` matches ``row`` (locked); a wrong one uses up a try."""
    if row is None or row.attempts >= CODE_MAX_ATTEMPTS:
        return False
    if constant_time_compare(row.code_hash, _hash(row.salt, str(code or "").strip())):
        row.used_at = timezone.now()
        row.save(update_fields=["used_at"])
        return True
    row.attempts += 1
    row.save(update_fields=["attempts"])
    return False


def _open_code(member: ClubMember, purpose: str, **filters: Any) -> PortalCode | None:
    return (
        PortalCode.objects.select_for_update()
        .filter(member=member, purpose=purpose, used_at__isnull=True, expires_at__gt=timezone.now(), **filters)
        .order_by("-created_at", "-id").first()
    )


def login_code_send(*, card_no: str, ip: str = "") -> None:
    """Send a login code to the mobile of the card's member. Says nothing about whether the
    card exists: an unknown card, a card that cannot be used or a member without a mobile
    number get the same answer, and every card number may ask once a minute."""
    card_no = normalize_card_no(card_no)
    if not card_no:
        raise InvalidInput(_("Enter your card number."))
    _guard_check(_keys(card_no, ip))
    now = timezone.now()
    with transaction.atomic():
        guard, _created = PortalGuard.objects.select_for_update().get_or_create(key=f"card:{card_no}")
        if guard.last_code_at is not None and now - guard.last_code_at < CODE_INTERVAL:
            raise CodeTooSoon()
        guard.last_code_at = now
        guard.save(update_fields=["last_code_at"])
    card = usable_card(card_no)
    if card is None or not card.member.phone:
        return
    _issue(card.member, card_no, CodePurpose.LOGIN, card.member.phone)


def login_with_code(*, card_no: str, code: str, ip: str = "") -> Card:
    card_no = normalize_card_no(card_no)
    keys = _keys(card_no, ip)
    _guard_check(keys)
    card = usable_card(card_no)
    ok = False
    if card is not None:
        with transaction.atomic():
            ok = _take(_open_code(card.member, CodePurpose.LOGIN, card_no=card_no), code)
    if not ok:
        _guard_fail(keys)
        raise CodeFailed()
    _guard_reset(card_no)
    return card


def phone_code_send(*, member: ClubMember, card_no: str, phone: str) -> PortalCode:
    """Send a code to the new mobile number; the change is made when the code comes back."""
    phone = re.sub(r"[\s-]+", "", phone or "")
    if not MOBILE.match(phone):
        raise InvalidInput(_("Enter an 11-digit mobile number."))
    if phone == member.phone:
        raise InvalidInput(_("This is already your mobile number."))
    last = (
        PortalCode.objects.filter(member=member, purpose=CodePurpose.PHONE)
        .order_by("-created_at").values_list("created_at", flat=True).first()
    )
    if last is not None and timezone.now() - last < CODE_INTERVAL:
        raise CodeTooSoon()
    return _issue(member, card_no, CodePurpose.PHONE, phone)


def phone_change_confirm(*, member: ClubMember, code: str) -> ClubMember:
    with transaction.atomic():  # a wrong code uses up a try even though the change is refused
        row = _open_code(member, CodePurpose.PHONE)
        ok = _take(row, code)
    if not ok:
        raise WrongCode()
    with transaction.atomic():
        member = ClubMember.objects.select_for_update().get(pk=member.pk)
        old = member.phone
        member.phone = row.phone
        member.save(update_fields=["phone", "updated_at"])
        audit_record(actor=None, action="portal.member_change", target=member, target_repr=str(member),
                     before={"phone": old}, after={"member": member.member_no, "phone": member.phone})
    return member


# --- The member's data ----------------------------------------------------------------------------


@transaction.atomic
def member_data_change(*, member: ClubMember, email: str, address: str, statement_channel: str,
                       preferences: dict[str, str]) -> ClubMember:
    """会员资料修改 by the member: e-mail, address, how statements come and the personal data
    (hobbies, preferred contact time, care wishes; other keys staff keep stay as they are)."""
    member = ClubMember.objects.select_for_update().get(pk=member.pk)
    email = (email or "").strip()
    address = (address or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise InvalidInput(_("e-mail: enter a valid e-mail address.")) from None
    if len(email) > 254:
        raise InvalidInput(_("e-mail: enter a valid e-mail address."))
    if len(address) > 200:
        raise InvalidInput(_("address: at most 200 characters."))
    if statement_channel not in StatementChannel.values:
        raise InvalidInput(_("statements: choose how statements are sent."))
    if statement_channel == StatementChannel.EMAIL and not email:
        raise InvalidInput(_("statements: statements by e-mail need an e-mail address."))
    if statement_channel == StatementChannel.SMS and not member.phone:
        raise InvalidInput(_("statements: statements by SMS need a mobile number."))
    prefs = dict(member.preferences or {})
    for name, limit in (("hobbies", 200), ("care_wishes", 300)):
        value = str(preferences.get(name) or "").strip()
        if len(value) > limit:
            raise InvalidInput(_("%(field)s: at most %(limit)s characters.") % {"field": name, "limit": limit})
        prefs[name] = value
    contact_time = str(preferences.get("contact_time") or "").strip()
    if contact_time and contact_time not in CONTACT_TIMES:
        raise InvalidInput(_("contact_time: choose a time of day."))
    prefs["contact_time"] = contact_time
    prefs = {k: v for k, v in prefs.items() if v not in ("", None)}
    new = {"email": email, "address": address, "statement_channel": statement_channel, "preferences": prefs}
    old = {name: getattr(member, name) for name in new}
    changed = [name for name in new if new[name] != old[name]]
    if not changed:
        return member
    for name in changed:
        setattr(member, name, new[name])
    member.save(update_fields=[*changed, "updated_at"])
    audit_record(actor=None, action="portal.member_change", target=member, target_repr=str(member),
                 before={name: old[name] for name in changed},
                 after={"member": member.member_no, **{name: new[name] for name in changed}})
    return member


# --- Automatic redemption pre-selection (CLUB-16) -------------------------------------------------


def _on_offer(today: datetime.date | None = None):
    today = today or timezone.localdate()
    return RedemptionItem.objects.filter(is_active=True).filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=today), Q(valid_to__isnull=True) | Q(valid_to__gte=today))


def catalogue(member: ClubMember) -> list[tuple[RedemptionItem, int]]:
    """The items on offer that the member's level may have, with their price for it."""
    rows = []
    for item in _on_offer():
        price = item_price(item, member.level)
        if price is not None:
            rows.append((item, price))
    return rows


def auto_redeem_choices(member: ClubMember) -> list[tuple[RedemptionItem, int]]:
    return [(item, price) for item, price in catalogue(member) if item.kind in AUTO_KINDS and item.auto_redeemable]


@transaction.atomic
def auto_redeem_choose(*, member: ClubMember, item_code: str) -> ClubMember:
    """预约积分消费: the item redeemed for the member by the monthly job, or none."""
    item = None
    if item_code:
        item = item_on_offer(item_code)
        if item.kind not in AUTO_KINDS or not item.auto_redeemable:
            raise NotAutoRedeemable(item=item.name)
        if item_price(item, member.level) is None:
            raise ItemNotForLevel(item=item.name, level=member.level.name)
    member = ClubMember.objects.select_for_update(of=("self",)).select_related("auto_redeem_item").get(pk=member.pk)
    old = member.auto_redeem_item.code if member.auto_redeem_item else None
    new = item.code if item else None
    if old == new:
        return member
    member.auto_redeem_item = item
    member.save(update_fields=["auto_redeem_item", "updated_at"])
    audit_record(actor=None, action="portal.auto_redeem_choose", target=member, target_repr=str(member),
                 before={"auto_redeem_item": old}, after={"member": member.member_no, "auto_redeem_item": new})
    return member


# --- Redemption through the portal (CLUB-14) ------------------------------------------------------


def new_redeem_key() -> str:
    """The idempotency key put into the confirmation form when it is shown."""
    return f"portal-{secrets.token_urlsafe(24)}"


def portal_redeem(*, member: ClubMember, item_code: str, quantity: Any, key: str) -> tuple[Redemption, bool]:
    """Redeem through the portal channel; the same form sent twice redeems once."""
    if not KEY.match(key or ""):
        raise InvalidInput(_("The form has expired. Open the item again."))
    try:
        quantity = int(str(quantity).strip())
    except (TypeError, ValueError):
        raise InvalidInput(_("quantity: give a whole number of at least 1.")) from None
    return redeem(actor=None, member=member, item=item_code, quantity=quantity, channel_kind=ChannelKind.PORTAL,
                  idempotency_key=key)
