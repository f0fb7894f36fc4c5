"""全国性及跨省业务受理 — the home province's half of CLUB-21 (HQ-02).

A member roaming in another province is served there; the visited province sends the request
to headquarters, which records it and relays it here, to the member's home province. This
module answers it:

1. ``authenticate`` (会员认证): the card number and the last six characters of the member's
   certificate number (证件号码后六位; a final ``X`` in either case). The answer says whether
   the member is authenticated, the level and its roaming scope. A card valid only in its
   province (蓝宝卡, roaming scope ``province``) is refused when the visited province is not
   this one. After five wrong certificate numbers for one card within an hour the card is
   refused for the rest of that hour, so the six characters cannot be guessed.
2. a business request (业务受理) that names a successful authentication of the same card in
   the last 30 minutes (``authRequestId``): ``points_query`` (balance, points expiring soon,
   recent redemptions), ``redemption`` (through ``kams.club.redemption.redeem`` with the
   request id as its idempotency key: deducted once whatever happens), ``data_change``
   (notice mobile, e-mail, postal address; audited) and ``service_request`` (opens a case of
   the ``service_request`` process for the club staff, as a request from the 10018 hotline).

Every request with a request id is recorded (``HqRequest``) with its answer; the same id again
answers the recorded answer and does nothing more; the same id with another body is a 409.
Business refusals (insufficient points, item not for the level …) are answers too: status
``refused`` with the refusal's code. The request comes signed (``kams.clubapi.signing``); this
module trusts its caller to have checked the signature and runs with no user (``actor=None``).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from typing import Any, Callable

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kams.audit.services import audit_record
from kams.club import ledger
from kams.club.enums import ChannelKind, MemberStatus, Roaming
from kams.club.members import USABLE_CARD_STATES
from kams.club.models import Card, ClubMember, PointsAccount, PointsLot, Redemption
from kams.clubapi.enums import BUSINESS_KINDS, HqKind, HqStatus
from kams.clubapi.errors import HqRequestIdReused
from kams.clubapi.models import HqRequest
from kams.core.errors import InvalidInput, KamsError
from kams.org.enums import UnitKind
from kams.org.models import OrgUnit
from kams.system.parameters import param

AUTH_VALID_MINUTES = 30
MAX_FAILED_ATTEMPTS = 5
FAILED_WINDOW = datetime.timedelta(hours=1)
REQUEST_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
PHONE = re.compile(r"^\+?[0-9][0-9 -]{4,19}$")
RECENT_REDEMPTIONS = 10


class Refused(KamsError):
    """A business refusal decided here (the code says which); answered, not an error."""

    status = 200

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


@dataclass
class Outcome:
    result: dict[str, Any]
    status: str = HqStatus.DONE
    code: str = ""
    message: str = ""


# --- Receiving ------------------------------------------------------------------------------------


def body_digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def parse_body(body: bytes) -> dict[str, Any]:
    """The request as a JSON object with a usable ``requestId``; else ``InvalidInput`` (400,
    nothing recorded: without an id there is nothing to answer again)."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise InvalidInput(_("The body must be a JSON object.")) from None
    if not isinstance(data, dict):
        raise InvalidInput(_("The body must be a JSON object."))
    request_id = data.get("requestId")
    if not isinstance(request_id, str) or not REQUEST_ID.match(request_id):
        raise InvalidInput(_("requestId: give headquarters' id of the request (letters, digits, . _ : -; at most 64)."))
    return data


def hq_request_receive(*, body: bytes, now: datetime.datetime | None = None) -> tuple[HqRequest, bool]:
    """Answer one request of headquarters (its signature already checked). Returns the
    record and whether it was processed now (False: the request id was answered before)."""
    data = parse_body(body)
    digest = body_digest(body)
    found = _recorded(data["requestId"], digest)
    if found is not None:
        return found, False
    try:
        with transaction.atomic():
            return _process(data, digest, now or timezone.now()), True
    except IntegrityError:
        # The same request arrived twice at once: the first one's answer is the answer.
        found = _recorded(data["requestId"], digest)
        if found is None:
            raise
        return found, False


def _recorded(request_id: str, digest: str) -> HqRequest | None:
    found = HqRequest.objects.filter(request_id=request_id).first()
    if found is not None and found.body_sha256 != digest:
        raise HqRequestIdReused(request_id=request_id)
    return found


def _process(data: dict[str, Any], digest: str, now: datetime.datetime) -> HqRequest:
    kind = data.get("kind")
    # Inserted first: the unique request id makes a concurrent copy wait here, then fail.
    hq = HqRequest.objects.create(
        request_id=data["requestId"], kind=str(kind or "")[:16],
        visited_province=str(data.get("visitedProvince") or "")[:10], card_no=str(data.get("cardNo") or "")[:20],
        payload=data, body_sha256=digest, status=HqStatus.INVALID, received_at=now, org_unit=home_unit(),
    )
    try:
        with transaction.atomic():  # a refusal leaves nothing of the business behind
            handler = HANDLERS.get(kind) if isinstance(kind, str) else None
            if handler is None:
                raise InvalidInput(_("kind: one of %(kinds)s.") % {"kinds": ", ".join(HqKind.values)})
            _check_common(data)
            outcome = handler(hq, data, now)
    except InvalidInput as exc:
        outcome = Outcome({}, HqStatus.INVALID, exc.code, exc.text)
    except KamsError as exc:
        outcome = Outcome({}, HqStatus.REFUSED, exc.code, exc.text)
    hq.status, hq.result, hq.error_code = outcome.status, outcome.result, outcome.code
    hq.message = outcome.message[:300]
    hq.answered_at = timezone.now()
    hq.save()
    return hq


def _check_common(data: dict[str, Any]) -> None:
    province = data.get("visitedProvince")
    if not isinstance(province, str) or not province.strip() or len(province) > 10:
        raise InvalidInput(
            _("visitedProvince: give the code of the province serving the member (at most 10 characters).")
        )
    card_no = data.get("cardNo")
    if not isinstance(card_no, str) or not card_no.strip() or len(card_no) > 20:
        raise InvalidInput(_("cardNo: give the member's card number."))


def home_unit() -> OrgUnit:
    """The province this system serves: requests about unknown cards belong to it."""
    unit = OrgUnit.objects.filter(kind=UnitKind.PROVINCE).order_by("path").first()
    return unit or OrgUnit.objects.order_by("path").first()


def home_province_code() -> str:
    """This province's code: the one member card numbers start with."""
    return str(param("club.card_prefix"))


def answer_body(hq: HqRequest) -> dict[str, Any]:
    """What headquarters gets back, now and for every repetition of the request."""
    return {
        "requestId": hq.request_id,
        "kind": hq.kind,
        "status": hq.status,
        "code": hq.error_code,
        "message": hq.message,
        "result": hq.result,
        "receivedAt": timezone.localtime(hq.received_at).isoformat(),
        "answeredAt": timezone.localtime(hq.answered_at).isoformat() if hq.answered_at else None,
    }


def answer_status(hq: HqRequest) -> int:
    return 400 if hq.status == HqStatus.INVALID else 200


# --- 会员认证 -------------------------------------------------------------------------------------


def _authenticate(hq: HqRequest, data: dict[str, Any], now: datetime.datetime) -> Outcome:
    tail = data.get("certificateTail")
    if not isinstance(tail, str) or not re.fullmatch(r"[0-9A-Za-z]{6}", tail.strip()):
        raise InvalidInput(_("certificateTail: give the last six characters of the member's certificate number."))
    card = Card.objects.select_related("member__level", "member__customer__org_unit").filter(card_no=hq.card_no).first()
    if card is None:
        return _no(hq, "unknown_card", _("There is no card %(card_no)s in this province.") % {"card_no": hq.card_no})
    member = card.member
    hq.member, hq.org_unit = member, member.customer.org_unit
    if _failed_attempts(hq.card_no, now) >= MAX_FAILED_ATTEMPTS:
        return _no(hq, "too_many_attempts",
                   _("Too many wrong certificate numbers for this card: try again in an hour."))
    if card.state not in USABLE_CARD_STATES:
        return _no(hq, "card_not_usable", _("Card %(card_no)s is %(state)s and cannot be used.")
                   % {"card_no": card.card_no, "state": card.get_state_display()})
    if member.status != MemberStatus.ACTIVE:
        return _no(hq, "member_not_active", _("The member is %(status)s.") % {"status": member.get_status_display()})
    on_file = (member.certificate_no or "").strip().upper()[-6:]
    if len(on_file) < 6 or not hmac.compare_digest(on_file.encode(), tail.strip().upper().encode()):
        return _no(hq, "credential_mismatch", _("The certificate number does not match the member's."))
    roaming = hq.visited_province.strip() != home_province_code()
    if roaming and member.level.roaming == Roaming.PROVINCE:
        return _no(hq, "roaming_not_allowed",
                   _("A %(level)s is valid only in its home province: it cannot be served in another province.")
                   % {"level": member.level.name}, level=member.level)
    return Outcome({
        "authenticated": True, "memberNo": member.member_no, "name": member.name, "level": member.level.code,
        "levelName": member.level.name, "roamingScope": member.level.roaming, "roaming": roaming,
        "cardValidUntil": card.valid_until.isoformat() if card.valid_until else None,
        "validMinutes": AUTH_VALID_MINUTES,
    })


def _no(hq: HqRequest, code: str, message: str, *, level: Any = None) -> Outcome:
    result: dict[str, Any] = {"authenticated": False, "reason": code}
    if level is not None:
        result.update({"level": level.code, "levelName": level.name, "roamingScope": level.roaming})
    return Outcome(result, HqStatus.REFUSED, code, message)


def _failed_attempts(card_no: str, now: datetime.datetime) -> int:
    return HqRequest.objects.filter(card_no=card_no, kind=HqKind.AUTHENTICATE, error_code="credential_mismatch",
                                    received_at__gte=now - FAILED_WINDOW).count()


# --- 业务受理 -------------------------------------------------------------------------------------


def _authenticated_member(hq: HqRequest, data: dict[str, Any], now: datetime.datetime) -> ClubMember:
    """The member of a business request: the card must have been authenticated through
    headquarters in the last ``AUTH_VALID_MINUTES`` minutes."""
    auth_id = data.get("authRequestId")
    if not isinstance(auth_id, str) or not auth_id.strip():
        raise InvalidInput(_("authRequestId: give the request id of the member's authentication."))
    auth = (
        HqRequest.objects.select_related("member__level", "member__customer__org_unit")
        .filter(request_id=auth_id, kind=HqKind.AUTHENTICATE).first()
    )
    if auth is not None and auth.member is not None:
        hq.member, hq.org_unit = auth.member, auth.member.customer.org_unit
    if (auth is None or auth.status != HqStatus.DONE or auth.card_no != hq.card_no
            or auth.received_at < now - datetime.timedelta(minutes=AUTH_VALID_MINUTES)):
        raise Refused("not_authenticated", _("The card was not authenticated through headquarters in the last "
                                             "%(minutes)s minutes: authenticate the member first.")
                      % {"minutes": AUTH_VALID_MINUTES})
    hq.auth_request = auth
    return auth.member


def _payload(data: dict[str, Any]) -> dict[str, Any]:
    payload = data.get("payload", {})
    if not isinstance(payload, dict):
        raise InvalidInput(_("payload: give the business data as a JSON object."))
    return payload


def _points_query(hq: HqRequest, data: dict[str, Any], now: datetime.datetime) -> Outcome:
    member = _authenticated_member(hq, data, now)
    today = timezone.localdate(now)
    ledger.expire_due(today=today, accounts=[member.pk])  # points past their date are not a balance
    account = PointsAccount.objects.filter(pk=member.pk).first()
    within = today + datetime.timedelta(days=param("club.expiry_warning_days"))
    expiring = (
        PointsLot.objects.filter(account_id=member.pk, remaining__gt=0, expires_on__gte=today, expires_on__lte=within)
        .values("expires_on").annotate(points=Sum("remaining")).order_by("expires_on")
    )
    recent = Redemption.objects.filter(member=member).select_related("item").order_by("-created_at", "-id")
    recent = recent[:RECENT_REDEMPTIONS]
    return Outcome({
        "memberNo": member.member_no,
        "balance": account.balance if account else 0,
        "earned": account.earned if account else 0,
        "redeemed": account.spent if account else 0,
        "expiring": [{"expiresOn": row["expires_on"].isoformat(), "points": row["points"]} for row in expiring],
        "expiringWithinDays": param("club.expiry_warning_days"),
        "recentRedemptions": [
            {"at": timezone.localtime(r.created_at).isoformat(), "item": r.item.code, "itemName": r.item.name,
             "quantity": r.quantity, "points": r.points, "channel": r.channel_kind, "location": r.location,
             "state": r.state}
            for r in recent
        ],
    })


def _redemption(hq: HqRequest, data: dict[str, Any], now: datetime.datetime) -> Outcome:
    from kams.club.redemption import redeem

    member = _authenticated_member(hq, data, now)
    payload = _payload(data)
    item = payload.get("item")
    if not isinstance(item, str) or not item.strip():
        raise InvalidInput(_("payload.item: give the code of the redemption item."))
    location = payload.get("location", "")
    if not isinstance(location, str):
        raise InvalidInput(_("payload.location: give the place as text."))
    redemption, _created = redeem(
        actor=None, member=member, item=item.strip(), quantity=payload.get("quantity", 1), channel_kind=ChannelKind.HQ,
        idempotency_key=hq.request_id, location=f"{hq.visited_province} {location.strip()}".strip()[:80],
    )
    balance = PointsAccount.objects.filter(pk=member.pk).values_list("balance", flat=True).first() or 0
    return Outcome({
        "redemptionId": redemption.pk, "item": redemption.item.code, "itemName": redemption.item.name,
        "quantity": redemption.quantity, "points": redemption.points, "balance": balance,
    })


DATA_FIELDS = {"phone": 20, "email": 254, "address": 200}


def _data_change(hq: HqRequest, data: dict[str, Any], now: datetime.datetime) -> Outcome:
    """会员资料修改 at headquarters' request: the notice mobile, e-mail and postal address."""
    member = _authenticated_member(hq, data, now)
    payload = _payload(data)
    unknown = sorted(set(payload) - set(DATA_FIELDS))
    if unknown:
        raise InvalidInput(_("payload: only %(fields)s can be changed this way, not %(unknown)s.")
                           % {"fields": ", ".join(DATA_FIELDS), "unknown": ", ".join(unknown)})
    values = {}
    for name, limit in DATA_FIELDS.items():
        if name not in payload:
            continue
        value = payload[name]
        if not isinstance(value, str) or len(value.strip()) > limit:
            raise InvalidInput(_("payload.%(field)s: give a text of at most %(limit)s characters.")
                               % {"field": name, "limit": limit})
        values[name] = value.strip()
    if not values:
        raise InvalidInput(_("payload: give at least one of %(fields)s.") % {"fields": ", ".join(DATA_FIELDS)})
    if values.get("phone") and not PHONE.match(values["phone"]):
        raise InvalidInput(_("payload.phone: digits only (a leading + and spaces or dashes allowed)."))
    if values.get("email"):
        try:
            validate_email(values["email"])
        except ValidationError:
            raise InvalidInput(_("payload.email: not an e-mail address.")) from None
    # Written here rather than through ``kams.club.members.member_update``, which wants a staff
    # user holding ``club.change_clubmember``: headquarters' signed request has no user. The
    # fields are the three contact fields only, checked above, and the change is audited alike.
    member = ClubMember.objects.select_for_update().select_related("customer__org_unit").get(pk=member.pk)
    changed = [name for name, value in values.items() if getattr(member, name) != value]
    if changed:
        before = {name: getattr(member, name) for name in changed}
        for name in changed:
            setattr(member, name, values[name])
        member.save(update_fields=[*changed, "updated_at"])
        audit_record(
            actor=None, action="clubapi.hq_data_change", target=member, before=before,
            after={name: values[name] for name in changed}, org_unit=member.customer.org_unit,
            reason=_("Requested through headquarters from province %(province)s (request %(request_id)s).")
            % {"province": hq.visited_province, "request_id": hq.request_id},
        )
    return Outcome({"memberNo": member.member_no, "changed": changed})


def _service_request(hq: HqRequest, data: dict[str, Any], now: datetime.datetime) -> Outcome:
    """Any other business: a case of the ``service_request`` process that club staff take up."""
    from kams.service.enums import CaseSource
    from kams.service.services import case_open

    member = _authenticated_member(hq, data, now)
    payload = _payload(data)
    description = payload.get("description")
    if not isinstance(description, str) or not description.strip() or len(description) > 2000:
        raise InvalidInput(_("payload.description: say what the member asks for (at most 2000 characters)."))
    request_type = payload.get("requestType", "")
    if not isinstance(request_type, str) or len(request_type) > 60:
        raise InvalidInput(_("payload.requestType: a text of at most 60 characters."))
    # The signed request of headquarters is the authority here, as a completed step is for a
    # case it opens: hence ``as_step`` (no user, no permission of one).
    case = case_open(
        actor=None, process="service_request", as_step=True, customer=member.customer,
        title=_("Headquarters: %(name)s (%(member_no)s) served in province %(province)s")
        % {"name": member.name, "member_no": member.member_no, "province": hq.visited_province},
        data={"description": description.strip(), "request_type": request_type.strip() or "hq"},
        source=CaseSource.HOTLINE_10018, external_id=hq.request_id, idempotency_key=f"hq:{hq.request_id}", now=now,
    )
    hq.case = case
    return Outcome({"memberNo": member.member_no, "caseNumber": case.number,
                    "dueAt": timezone.localtime(case.due_at).isoformat() if case.due_at else None})


HANDLERS: dict[str, Callable[[HqRequest, dict[str, Any], datetime.datetime], Outcome]] = {
    HqKind.AUTHENTICATE: _authenticate,
    HqKind.POINTS_QUERY: _points_query,
    HqKind.REDEMPTION: _redemption,
    HqKind.DATA_CHANGE: _data_change,
    HqKind.SERVICE_REQUEST: _service_request,
}
assert set(HANDLERS) == {HqKind.AUTHENTICATE, *BUSINESS_KINDS}
