"""Writes of the club's partners (俱乐部合作伙伴管理, CLUB-19).

Every function checks permission and scope (404 out of scope), runs in one transaction and
writes the audit log; bad input raises a translated ``KamsError`` and changes nothing.
Points move only through ``kams.club.ledger`` (``credit`` for partner consumption); our
points spent at a partner are the club's redemptions of the partner's catalogue items,
which ``outbound_collect`` copies into ``PartnerExchange`` rows.

Agreements: a draft is approved by the province director; approved agreements (in force or
expired) never overlap for one partner, so a day has at most one agreement, and the exchanges
of a day are valued under it even when the partner reports them after it ended.
"""

from __future__ import annotations

import datetime
import re
import secrets
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from kams.audit.services import audit_record, snapshot
from kams.club import ledger
from kams.club.enums import ChannelKind, ItemKind, MemberStatus, PointsCategory, RedemptionState
from kams.club.members import USABLE_CARD_STATES
from kams.club.models import Card, ClubMember, PointsAccount, Redemption, RedemptionChannel, RedemptionItem
from kams.club.redemption import usable_card
from kams.core.errors import InvalidInput
from kams.core.tables import table_rows
from kams.org.enums import UnitKind
from kams.org.models import OrgUnit
from kams.org.scoping import require_in_scope, require_perm, scope_for
from kams.partners.enums import (
    AgreementState,
    CouponState,
    Direction,
    ExchangeSource,
    LineKind,
    PartnerStatus,
    PeriodKind,
    StatementState,
)
from kams.partners.errors import (
    AgreementNotActive,
    AgreementNotDraft,
    AgreementOverlaps,
    CouponNotUsable,
    CouponsShort,
    NoAgreementInForce,
    NoPointsEarned,
    PartnerNotActive,
    StatementNotConfirmable,
    TransactionReused,
    UnknownCoupon,
)
from kams.partners.models import (
    Appraisal,
    AppraisalIndicator,
    AppraisalScore,
    Coupon,
    CouponBatch,
    ExchangeImport,
    Partner,
    PartnerActivity,
    PartnerAgreement,
    PartnerExchange,
    PartnerOutlet,
    PartnerService,
    SettlementLine,
    SettlementStatement,
)

CENT = Decimal("0.01")
HUNDRED = Decimal("100")
MAX_AMOUNT = Decimal("1000000")
MAX_BATCH = 100_000
MAX_IMPORT_ROWS = 10_000
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read out at the counter
TXN_RE = re.compile(r"^[A-Za-z0-9._:/-]{1,50}$")
APPROVED = (AgreementState.ACTIVE, AgreementState.EXPIRED)


# --- Helpers ----------------------------------------------------------------------------------


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def month_bounds(period: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The aware start of ``period``'s month and of the next, in local time."""
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(month_start(period), datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(next_month(period), datetime.time.min, tzinfo=tz)
    return start, end


def _clean(obj: Any, exclude: Iterable[str] = ()) -> None:
    """Model validation as one translated error: "field: message; field: message"."""
    try:
        obj.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        parts = []
        for name, messages in exc.message_dict.items():
            label = name if name != "__all__" else ""
            parts.append(f"{label}: {' '.join(messages)}" if label else " ".join(messages))
        raise InvalidInput("; ".join(parts)) from None


def _unknown_fields(fields: dict, allowed: Iterable[str]) -> None:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise InvalidInput(_("Unknown fields: %(fields)s.") % {"fields": ", ".join(unknown)})


def _locked(model: type, obj: Any) -> Any:
    return model.objects.select_for_update().get(pk=obj.pk)


def _require_unit_in_scope(actor: Any, unit: OrgUnit) -> None:
    if unit.kind not in (UnitKind.PROVINCE, UnitKind.CITY):
        raise InvalidInput(_("unit: choose a city, or the province for a province-wide partner."))
    if not scope_for(actor).covers_unit(unit):
        raise InvalidInput(_("unit: %(unit)s is outside your scope.") % {"unit": unit.name})


def agreement_in_force(partner: Partner, day: datetime.date) -> PartnerAgreement | None:
    """The approved agreement of ``partner`` covering ``day`` (at most one: approval refuses overlaps)."""
    return (PartnerAgreement.objects.filter(partner=partner, state__in=APPROVED, valid_from__lte=day, valid_to__gte=day)
            .order_by("-valid_from").first())


def _agreement_on(agreements: list[PartnerAgreement], day: datetime.date) -> PartnerAgreement | None:
    return next((a for a in agreements if a.valid_from <= day <= a.valid_to), None)


def _approved_agreements(partner_ids: Iterable[int]) -> dict[int, list[PartnerAgreement]]:
    found: dict[int, list[PartnerAgreement]] = {}
    for agreement in PartnerAgreement.objects.filter(partner_id__in=list(partner_ids), state__in=APPROVED):
        found.setdefault(agreement.partner_id, []).append(agreement)
    return found


def points_for(amount: Decimal, agreement: PartnerAgreement) -> int:
    """Our points for ``amount`` yuan spent at the partner, rounded down to whole points."""
    return int((amount * agreement.inbound_points_per_yuan).to_integral_value(rounding=ROUND_DOWN))


def _amount(value: Any, *, field: str = "amount") -> Decimal:
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError, TypeError):
        amount = None
    if amount is None or not amount.is_finite() or amount <= 0 or amount > MAX_AMOUNT or amount != amount.quantize(CENT):
        raise InvalidInput(_("%(field)s: give the amount spent in yuan, greater than zero and at most %(max)s, "
                             "with at most two decimals.") % {"field": field, "max": MAX_AMOUNT})
    return amount


def _transaction_id(value: Any) -> str:
    text = str(value or "").strip()
    if not TXN_RE.match(text):
        raise InvalidInput(_("transaction_id: give the partner's transaction id, 1–50 letters, digits or . _ : / -."))
    return text


def _occurred_at(value: Any) -> datetime.datetime:
    now = timezone.now()
    if value in (None, ""):
        return now
    when = value
    if isinstance(value, str):
        when = parse_datetime(value.strip())
        if when is None and parse_date(value.strip()) is not None:
            when = datetime.datetime.combine(parse_date(value.strip()), datetime.time(12, 0))
    if isinstance(when, datetime.date) and not isinstance(when, datetime.datetime):
        when = datetime.datetime.combine(when, datetime.time(12, 0))
    if not isinstance(when, datetime.datetime):
        raise InvalidInput(_("occurred_at: give the date and time of the consumption (YYYY-MM-DD HH:MM)."))
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    if when > now + datetime.timedelta(minutes=10):
        raise InvalidInput(_("occurred_at: the consumption cannot lie in the future."))
    return when


def _user(actor: Any) -> Any:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) and actor.pk else None


def _reference(partner: Partner, transaction_id: str) -> str:
    return f"partner:{partner.code}:{transaction_id}"


# --- Partners -----------------------------------------------------------------------------------

PARTNER_FIELDS = ("code", "name", "industry", "org_unit", "status", "cooperation_since", "contact_name",
                  "contact_phone", "email", "address", "description", "channel")


@transaction.atomic
def partner_save(*, actor: Any, partner: Partner | None = None, **fields: Any) -> Partner:
    """合作伙伴基本资料: a new partner, or changes to one. The code is fixed once given (every
    exchange reference carries it); the partner system is a channel of kind partner."""
    _unknown_fields(fields, PARTNER_FIELDS)
    if partner is None:
        require_perm(actor, "partners.add_partner")
        partner, before = Partner(), None
    else:
        require_perm(actor, "partners.change_partner")
        partner = _locked(Partner, partner)
        require_in_scope(actor, partner)
        before = snapshot(partner, PARTNER_FIELDS)
        if "code" in fields and (fields["code"] or "").strip().upper() != partner.code:
            raise InvalidInput(_("code: the code of a partner cannot be changed."))
    if "code" in fields:
        fields["code"] = (fields["code"] or "").strip().upper()
    unit = fields.get("org_unit", partner.org_unit if partner.pk else None)
    if unit is None:
        raise InvalidInput(_("unit: choose a city, or the province for a province-wide partner."))
    if "org_unit" in fields:
        _require_unit_in_scope(actor, unit)
    channel = fields.get("channel")
    if channel is not None:
        if channel.kind != ChannelKind.PARTNER:
            raise InvalidInput(_("channel: %(channel)s is not a partner system.") % {"channel": channel.name})
        if Partner.objects.filter(channel=channel).exclude(pk=partner.pk).exists():
            raise InvalidInput(_("channel: %(channel)s already belongs to another partner.") % {"channel": channel.name})
    for name, value in fields.items():
        setattr(partner, name, value.strip() if isinstance(value, str) else value)
    _clean(partner)
    partner.save()
    audit_record(actor=actor, action="partners.partner_create" if before is None else "partners.partner_change",
                 target=partner, before=before, after=snapshot(partner, PARTNER_FIELDS))
    return partner


# --- Agreements ---------------------------------------------------------------------------------

AGREEMENT_FIELDS = ("number", "title", "signed_on", "valid_from", "valid_to", "terms", "outbound_points_per_yuan",
                    "inbound_points_per_yuan", "settlement_price")


@transaction.atomic
def agreement_save(*, actor: Any, agreement: PartnerAgreement | None = None, partner: Partner | None = None,
                   **fields: Any) -> PartnerAgreement:
    """合同/协议 entered or changed while a draft: period, terms, the two exchange rates and
    the settlement price per point."""
    _unknown_fields(fields, AGREEMENT_FIELDS)
    if agreement is None:
        require_perm(actor, "partners.add_partneragreement")
        if partner is None:
            raise InvalidInput(_("partner: choose the partner of the agreement."))
        require_in_scope(actor, partner)
        agreement, before = PartnerAgreement(partner=partner, created_by=actor), None
    else:
        require_perm(actor, "partners.change_partneragreement")
        agreement = _locked(PartnerAgreement, agreement)
        require_in_scope(actor, agreement)
        if agreement.state != AgreementState.DRAFT:
            raise AgreementNotDraft(state=agreement.get_state_display())
        before = snapshot(agreement, AGREEMENT_FIELDS)
    for name, value in fields.items():
        setattr(agreement, name, value.strip() if isinstance(value, str) else value)
    _clean(agreement, exclude=["partner", "created_by"])
    agreement.save()
    audit_record(actor=actor, action="partners.agreement_create" if before is None else "partners.agreement_change",
                 target=agreement, before=before, after=snapshot(agreement, AGREEMENT_FIELDS))
    return agreement


@transaction.atomic
def agreement_approve(*, actor: Any, agreement: PartnerAgreement) -> PartnerAgreement:
    """审批: the draft comes into force, unless another approved agreement of the partner
    covers one of its days. The partner's row is locked so two approvals run in turn."""
    require_perm(actor, "partners.approve_partneragreement")
    agreement = _locked(PartnerAgreement, agreement)
    require_in_scope(actor, agreement)
    if agreement.state != AgreementState.DRAFT:
        raise AgreementNotDraft(state=agreement.get_state_display())
    _locked(Partner, agreement.partner)
    clash = (PartnerAgreement.objects.filter(partner_id=agreement.partner_id, state__in=APPROVED,
                                             valid_from__lte=agreement.valid_to, valid_to__gte=agreement.valid_from)
             .exclude(pk=agreement.pk).first())
    if clash is not None:
        raise AgreementOverlaps(number=clash.number, start=clash.valid_from, end=clash.valid_to)
    today = timezone.localdate()
    agreement.state = AgreementState.ACTIVE if agreement.valid_to >= today else AgreementState.EXPIRED
    agreement.approved_by, agreement.approved_at = actor, timezone.now()
    agreement.save(update_fields=["state", "approved_by", "approved_at"])
    audit_record(actor=actor, action="partners.agreement_approve", target=agreement,
                 before={"state": AgreementState.DRAFT}, after={"state": agreement.state})
    return agreement


@transaction.atomic
def agreement_end(*, actor: Any, agreement: PartnerAgreement, reason: str, last_day: datetime.date | None = None
                  ) -> PartnerAgreement:
    """终止: an agreement in force ends after ``last_day`` (today when not given); the days
    before stay under it."""
    require_perm(actor, "partners.change_partneragreement")
    agreement = _locked(PartnerAgreement, agreement)
    require_in_scope(actor, agreement)
    if agreement.state != AgreementState.ACTIVE:
        raise AgreementNotActive(state=agreement.get_state_display())
    if not (reason or "").strip():
        raise InvalidInput(_("reason: say why the agreement ends."))
    today = timezone.localdate()
    last_day = last_day or today
    if not agreement.valid_from <= last_day <= agreement.valid_to:
        raise InvalidInput(_("last_day: give a day from %(start)s to %(end)s.") % {
            "start": agreement.valid_from, "end": agreement.valid_to})
    before = {"state": agreement.state, "valid_to": agreement.valid_to}
    agreement.valid_to = last_day
    agreement.state = AgreementState.EXPIRED if last_day < today else AgreementState.ACTIVE
    agreement.ended_reason = reason.strip()[:300]
    agreement.save(update_fields=["valid_to", "state", "ended_reason"])
    audit_record(actor=actor, action="partners.agreement_end", target=agreement, before=before,
                 after={"state": agreement.state, "valid_to": agreement.valid_to}, reason=reason)
    return agreement


@transaction.atomic
def agreements_expire_due(today: datetime.date | None = None) -> int:
    """Daily: agreements in force whose last day has passed expire (one UPDATE; an audit entry each)."""
    today = today or timezone.localdate()
    due = list(PartnerAgreement.objects.select_for_update().filter(state=AgreementState.ACTIVE, valid_to__lt=today))
    PartnerAgreement.objects.filter(pk__in=[a.pk for a in due]).update(state=AgreementState.EXPIRED)
    for agreement in due:
        audit_record(actor=None, action="partners.agreement_expire", target=agreement,
                     before={"state": AgreementState.ACTIVE}, after={"state": AgreementState.EXPIRED})
    return len(due)


# --- Activities, outlets, services ------------------------------------------------------------------

ACTIVITY_FIELDS = ("name", "benefit", "description", "starts_on", "ends_on", "levels", "is_cancelled")
OUTLET_FIELDS = ("name", "city", "address", "phone", "opening_hours", "accepts_points", "accepts_coupons", "is_active")


@transaction.atomic
def activity_save(*, actor: Any, activity: PartnerActivity | None = None, partner: Partner | None = None,
                  **fields: Any) -> PartnerActivity:
    """合作伙伴活动 planned or changed (cancelling is ``is_cancelled=True``)."""
    _unknown_fields(fields, ACTIVITY_FIELDS)
    levels = fields.pop("levels", None)
    if activity is None:
        require_perm(actor, "partners.add_partneractivity")
        if partner is None:
            raise InvalidInput(_("partner: choose the partner of the activity."))
        require_in_scope(actor, partner)
        activity, before = PartnerActivity(partner=partner, created_by=actor), None
    else:
        require_perm(actor, "partners.change_partneractivity")
        activity = _locked(PartnerActivity, activity)
        require_in_scope(actor, activity)
        before = snapshot(activity, ACTIVITY_FIELDS)
    for name, value in fields.items():
        setattr(activity, name, value.strip() if isinstance(value, str) else value)
    _clean(activity, exclude=["partner", "created_by"])
    activity.save()
    if levels is not None:
        activity.levels.set(levels)
    audit_record(actor=actor, action="partners.activity_create" if before is None else "partners.activity_change",
                 target=activity, before=before, after=snapshot(activity, ACTIVITY_FIELDS))
    return activity


@transaction.atomic
def outlet_save(*, actor: Any, outlet: PartnerOutlet | None = None, partner: Partner | None = None,
                **fields: Any) -> PartnerOutlet:
    """合作伙伴网点 added or changed (closing one is ``is_active=False``)."""
    _unknown_fields(fields, OUTLET_FIELDS)
    if outlet is None:
        require_perm(actor, "partners.add_partneroutlet")
        if partner is None:
            raise InvalidInput(_("partner: choose the partner of the outlet."))
        require_in_scope(actor, partner)
        outlet, before = PartnerOutlet(partner=partner), None
    else:
        require_perm(actor, "partners.change_partneroutlet")
        outlet = _locked(PartnerOutlet, outlet)
        require_in_scope(actor, outlet)
        before = snapshot(outlet, OUTLET_FIELDS)
    for name, value in fields.items():
        setattr(outlet, name, value.strip() if isinstance(value, str) else value)
    _clean(outlet, exclude=["partner"])
    outlet.save()
    audit_record(actor=actor, action="partners.outlet_create" if before is None else "partners.outlet_change",
                 target=outlet, before=before, after=snapshot(outlet, OUTLET_FIELDS))
    return outlet


@transaction.atomic
def partner_service_link(*, actor: Any, partner: Partner, item: RedemptionItem, note: str = "") -> PartnerService:
    """Link a catalogue item of kind partner to the partner whose goods it buys: its
    redemptions are then our points spent at the partner (outbound exchanges)."""
    require_perm(actor, "partners.add_partnerservice")
    require_in_scope(actor, partner)
    if item.kind != ItemKind.PARTNER:
        raise InvalidInput(_("item: %(item)s is not a partner service item.") % {"item": item})
    if PartnerService.objects.filter(item=item).exists():
        raise InvalidInput(_("item: %(item)s is already linked to a partner.") % {"item": item})
    service = PartnerService.objects.create(partner=partner, item=item, note=(note or "").strip()[:200])
    audit_record(actor=actor, action="partners.service_link", target=service,
                 after={"partner": partner.code, "item": item.code})
    return service


# --- Coupons ------------------------------------------------------------------------------------


def _codes(prefix: str, count: int) -> list[str]:
    codes: set[str] = set()
    while len(codes) < count:
        codes.add(prefix + "".join(secrets.choice(CODE_ALPHABET) for _i in range(10)))
    return list(codes)


@transaction.atomic
def coupon_batch_create(*, actor: Any, partner: Partner, name: str, benefit: str, quantity: int,
                        valid_from: datetime.date, valid_to: datetime.date, face_value: Decimal = Decimal("0"),
                        prefix: str = "", activity: PartnerActivity | None = None) -> CouponBatch:
    """优惠券: a batch of ``quantity`` random codes, generated in memory and inserted with
    ``bulk_create`` (set-based); a clash with an existing code (one in 10¹⁵) draws again."""
    require_perm(actor, "partners.add_couponbatch")
    require_in_scope(actor, partner)
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= MAX_BATCH:
        raise InvalidInput(_("quantity: give a whole number from 1 to %(max)s.") % {"max": MAX_BATCH})
    prefix = (prefix or partner.code.replace("-", "")[:4]).strip().upper()
    if not re.match(r"^[A-Z0-9]{1,6}$", prefix):
        raise InvalidInput(_("prefix: 1–6 capital letters or digits."))
    if activity is not None and activity.partner_id != partner.pk:
        raise InvalidInput(_("activity: the activity is not one of this partner's."))
    batch = CouponBatch(partner=partner, activity=activity, name=(name or "").strip(), benefit=(benefit or "").strip(),
                        face_value=face_value if face_value is not None else Decimal("0"), prefix=prefix,
                        quantity=quantity, valid_from=valid_from, valid_to=valid_to, created_by=actor)
    _clean(batch, exclude=["partner", "activity", "created_by"])
    batch.save()
    for attempt in range(3):
        try:
            with transaction.atomic():
                Coupon.objects.bulk_create((Coupon(batch=batch, code=code) for code in _codes(prefix, quantity)),
                                           batch_size=5000)
            break
        except IntegrityError:
            if attempt == 2:
                raise
    audit_record(actor=actor, action="partners.coupon_batch_create", target=batch,
                 after={"name": batch.name, "quantity": quantity, "valid_from": valid_from, "valid_to": valid_to})
    return batch


@transaction.atomic
def coupons_issue(*, actor: Any, batch: CouponBatch, members: list[ClubMember]) -> list[Coupon]:
    """发放: one coupon of the batch to each of ``members`` (active, in the actor's scope),
    the lowest unissued codes first, written with one ``bulk_update``. Too few left: nothing
    is issued."""
    require_perm(actor, "partners.change_coupon")
    require_in_scope(actor, batch)
    if not members:
        raise InvalidInput(_("members: name at least one member."))
    if batch.valid_to < timezone.localdate():
        raise InvalidInput(_("The coupons of this batch expired on %(date)s.") % {"date": batch.valid_to})
    ids = [m.pk for m in members]
    if len(set(ids)) != len(ids):
        raise InvalidInput(_("members: a member is named twice."))
    usable = set(ClubMember.objects.visible_to(actor).filter(pk__in=ids, status=MemberStatus.ACTIVE)
                 .values_list("pk", flat=True))
    refused = [m.member_no for m in members if m.pk not in usable]
    if refused:
        raise InvalidInput(_("members: %(numbers)s are not active members in your scope.") % {"numbers": ", ".join(refused[:10])})
    coupons = list(Coupon.objects.select_for_update().filter(batch=batch, state=CouponState.AVAILABLE).order_by("pk")[:len(ids)])
    if len(coupons) < len(ids):
        raise CouponsShort(available=len(coupons), asked=len(ids))
    now = timezone.now()
    for coupon, member_id in zip(coupons, ids):
        coupon.member_id, coupon.state, coupon.issued_at, coupon.issued_by = member_id, CouponState.ISSUED, now, actor
    Coupon.objects.bulk_update(coupons, ["member", "state", "issued_at", "issued_by"], batch_size=2000)
    audit_record(actor=actor, action="partners.coupons_issue", target=batch,
                 after={"issued": len(coupons), "codes": [c.code for c in coupons[:20]]})
    return coupons


@transaction.atomic
def coupon_redeem(*, partner: Partner, code: str, actor: Any = None, channel: RedemptionChannel | None = None,
                  outlet: PartnerOutlet | None = None) -> Coupon:
    """核销: the partner takes an issued coupon, once. Staff need ``redeem_coupon`` and the
    partner in scope; a partner system is authenticated by its channel. The conditional
    UPDATE (issued → redeemed) makes a second use fail even when both arrive at once."""
    if channel is None:
        require_perm(actor, "partners.redeem_coupon")
        require_in_scope(actor, partner)
    code = (code or "").strip().upper()
    coupon = Coupon.objects.select_related("batch").filter(code=code, batch__partner=partner).first()
    if coupon is None:
        raise UnknownCoupon(code=code or "—")
    if outlet is not None and (outlet.partner_id != partner.pk or not outlet.accepts_coupons or not outlet.is_active):
        raise InvalidInput(_("outlet: %(outlet)s does not take this partner's coupons.") % {"outlet": outlet.name})
    today = timezone.localdate()
    if coupon.state == CouponState.ISSUED and not coupon.batch.valid_from <= today <= coupon.batch.valid_to:
        raise CouponNotUsable(code=code, state=_("valid from %(start)s to %(end)s") % {
            "start": coupon.batch.valid_from, "end": coupon.batch.valid_to})
    via = channel.code if channel is not None else "staff"
    done = Coupon.objects.filter(pk=coupon.pk, state=CouponState.ISSUED).update(
        state=CouponState.REDEEMED, redeemed_at=timezone.now(), outlet=outlet, redeemed_via=via)
    coupon.refresh_from_db()
    if not done:
        raise CouponNotUsable(code=code, state=coupon.get_state_display())
    audit_record(actor=actor, action="partners.coupon_redeem", target=coupon,
                 before={"state": CouponState.ISSUED}, after={"state": coupon.state, "via": via,
                                                              "outlet": outlet.name if outlet else ""})
    return coupon


@transaction.atomic
def coupon_void(*, actor: Any, coupon: Coupon, reason: str) -> Coupon:
    """作废: a coupon not yet redeemed can no longer be used."""
    require_perm(actor, "partners.change_coupon")
    coupon = _locked(Coupon, coupon)
    require_in_scope(actor, coupon)
    if not (reason or "").strip():
        raise InvalidInput(_("reason: say why the coupon is void."))
    if coupon.state not in (CouponState.AVAILABLE, CouponState.ISSUED):
        raise CouponNotUsable(code=coupon.code, state=coupon.get_state_display())
    before = coupon.state
    coupon.state, coupon.void_reason = CouponState.VOID, reason.strip()[:300]
    coupon.save(update_fields=["state", "void_reason"])
    audit_record(actor=actor, action="partners.coupon_void", target=coupon, before={"state": before},
                 after={"state": coupon.state}, reason=reason)
    return coupon


# --- Points exchange: inbound ---------------------------------------------------------------------


def _seen_inbound(partner: Partner, transaction_id: str, card_no: str, amount: Decimal) -> PartnerExchange | None:
    found = (PartnerExchange.objects.select_related("card", "member").filter(
        partner=partner, direction=Direction.INBOUND, external_id=transaction_id).first())
    if found is None:
        return None
    if (found.card.card_no if found.card else "") != card_no or found.amount != amount:
        raise TransactionReused(transaction_id=transaction_id)
    return found


@transaction.atomic
def exchange_inbound(*, partner: Partner, card_no: str, amount: Any, transaction_id: Any, occurred_at: Any = None,
                     actor: Any = None, channel: RedemptionChannel | None = None) -> tuple[PartnerExchange, bool]:
    """合作伙伴处的消费积分换取联通积分: a member spent ``amount`` yuan at the partner; the
    agreement in force on that day turns it into points, credited to the member's account
    (category partner, reference ``partner:<code>:<transaction id>``). Idempotent by the
    partner's transaction id: the same report again returns the first exchange (created
    False) and credits nothing; the same id with another card or amount is refused.

    Called by the partner system through its channel (``channel`` given: the API
    authenticated it) or by club staff (``actor`` with ``add_partnerexchange``)."""
    if channel is None:
        require_perm(actor, "partners.add_partnerexchange")
        require_in_scope(actor, partner)
    txn = _transaction_id(transaction_id)
    amount = _amount(amount)
    card_no = str(card_no or "").strip()
    seen = _seen_inbound(partner, txn, card_no, amount)
    if seen is not None:
        return seen, False
    if not card_no:
        raise InvalidInput(_("card_no: give the member's card number."))
    when = _occurred_at(occurred_at)
    if partner.status != PartnerStatus.ACTIVE:
        raise PartnerNotActive(partner=partner.name, status=partner.get_status_display())
    day = timezone.localtime(when).date()
    agreement = agreement_in_force(partner, day)
    if agreement is None:
        raise NoAgreementInForce(partner=partner.name, date=day)
    card = usable_card(card_no)
    points = points_for(amount, agreement)
    if points <= 0:
        raise NoPointsEarned(amount=amount, rate=agreement.inbound_points_per_yuan.normalize())
    try:
        with transaction.atomic():
            entry = ledger.credit(member=card.member, points=points, category=PointsCategory.PARTNER, actor=actor,
                                  reason=f"{partner.name} {amount}", reference=_reference(partner, txn), earned_on=day)
            balance = PointsAccount.objects.filter(pk=card.member_id).values_list("balance", flat=True).first()
            exchange = PartnerExchange.objects.create(
                direction=Direction.INBOUND, partner=partner, member=card.member, card=card, points=points,
                amount=amount, agreement=agreement, external_id=txn, occurred_at=when, period=month_start(day),
                source=ExchangeSource.API if channel is not None else ExchangeSource.STAFF, entry=entry,
                balance_after=balance, created_by=_user(actor),
            )
            audit_record(actor=actor, action="partners.exchange_inbound", target=exchange, org_unit=partner.org_unit,
                         after={"card_no": card_no, "amount": amount, "points": points, "transaction_id": txn,
                                "agreement": agreement.number},
                         reason=f"channel {channel.code}" if channel is not None else "")
            if channel is not None:
                RedemptionChannel.objects.filter(pk=channel.pk).update(last_used_at=timezone.now())
    except IntegrityError:
        seen = _seen_inbound(partner, txn, card_no, amount)
        if seen is None:
            raise
        return seen, False
    return exchange, True


# The monthly file: its columns, in English or Chinese.
IMPORT_COLUMNS = {
    "card_no": ("card_no", "card", "卡号", "会员卡号"),
    "amount": ("amount", "金额", "消费金额"),
    "transaction_id": ("transaction_id", "txn", "交易流水号", "流水号"),
    "occurred_at": ("occurred_at", "date", "消费时间", "交易时间", "消费日期"),
}


@dataclass
class _Row:
    line: int
    card_no: str
    amount: Decimal
    txn: str
    when: datetime.datetime
    card: Any = None
    agreement: Any = None
    points: int = 0


def _header(cells: list[str]) -> dict[str, int]:
    names = [c.strip().lower() for c in cells]
    found: dict[str, int] = {}
    for column, aliases in IMPORT_COLUMNS.items():
        for alias in aliases:
            if alias.lower() in names:
                found[column] = names.index(alias.lower())
                break
    missing = [c for c in ("card_no", "amount", "transaction_id") if c not in found]
    if missing:
        raise InvalidInput(_("The first line must name the columns card_no, amount, transaction_id (and occurred_at); "
                             "missing: %(columns)s.") % {"columns": ", ".join(missing)})
    return found


def exchanges_import(*, actor: Any, partner: Partner, content: bytes, file_name: str) -> ExchangeImport:
    """合作伙伴月度消费文件 (CSV or Excel: card_no, amount, transaction_id, occurred_at).

    Every row is validated first — its fields, then set-based: one query for the cards, one
    for the transaction ids already recorded, one for the agreements — and every bad row is
    reported with its line. Then all valid rows are credited in ONE transaction: the ledger
    credits one account at a time (a lot and an entry, under the account's row lock), so
    ``ledger.credit`` is called in a loop inside that transaction (acceptable for a partner's
    monthly file, at most 10,000 rows); the exchange rows are inserted with one
    ``bulk_create``. Rows whose transaction id was recorded before are counted, not credited
    again; a file with no valid row credits nothing but is kept with its errors."""
    require_perm(actor, "partners.add_exchangeimport")
    require_in_scope(actor, partner)
    if partner.status != PartnerStatus.ACTIVE:
        raise PartnerNotActive(partner=partner.name, status=partner.get_status_display())
    errors: list[dict] = []

    def bad(line: int, column: str, reason: str) -> None:
        errors.append({"line": line, "column": column, "reason": reason})

    cells = table_rows(content, file_name)
    first = next(cells, None)
    if first is None:
        raise InvalidInput(_("The file is empty."))
    header = _header(first[1])
    rows: list[_Row] = []
    seen_in_file: dict[str, int] = {}
    count = 0
    for line, values in cells:
        if not any(values):
            continue
        count += 1
        if count > MAX_IMPORT_ROWS:
            raise InvalidInput(_("The file has more than %(max)s rows: split it.") % {"max": MAX_IMPORT_ROWS})

        def value(column: str) -> str:
            index = header.get(column)
            return values[index].strip() if index is not None and index < len(values) else ""

        try:
            txn = _transaction_id(value("transaction_id"))
            if txn in seen_in_file:
                raise InvalidInput(_("transaction_id: also on line %(line)s.") % {"line": seen_in_file[txn]})
            seen_in_file[txn] = line
            amount = _amount(value("amount"))
            when = _occurred_at(value("occurred_at"))
            card_no = value("card_no")
            if not card_no:
                raise InvalidInput(_("card_no: give the member's card number."))
        except InvalidInput as exc:
            column = exc.text.split(":", 1)[0] if ":" in exc.text else ""
            bad(line, column, exc.text)
            continue
        rows.append(_Row(line=line, card_no=card_no, amount=amount, txn=txn, when=when))
    # Set-based checks: cards, transactions already recorded, agreements.
    cards = {c.card_no: c for c in Card.objects.visible_to(actor).select_related("member")
             .filter(card_no__in={r.card_no for r in rows})}
    recorded = set(PartnerExchange.objects.filter(partner=partner, direction=Direction.INBOUND,
                                                  external_id__in=[r.txn for r in rows])
                   .values_list("external_id", flat=True))
    agreements = _approved_agreements([partner.pk]).get(partner.pk, [])
    valid: list[_Row] = []
    duplicates = 0
    for row in rows:
        if row.txn in recorded:
            duplicates += 1
            continue
        card = cards.get(row.card_no)
        if card is None:
            bad(row.line, "card_no", _("There is no card %(card_no)s.") % {"card_no": row.card_no})
            continue
        if card.state not in USABLE_CARD_STATES or card.member.status != MemberStatus.ACTIVE:
            bad(row.line, "card_no", _("Card %(card_no)s is %(state)s and cannot be used.") % {
                "card_no": row.card_no, "state": card.get_state_display() if card.state not in USABLE_CARD_STATES
                else card.member.get_status_display()})
            continue
        day = timezone.localtime(row.when).date()
        agreement = _agreement_on(agreements, day)
        if agreement is None:
            bad(row.line, "occurred_at", _("%(partner)s has no agreement in force on %(date)s.") % {
                "partner": partner.name, "date": day})
            continue
        row.card, row.agreement, row.points = card, agreement, points_for(row.amount, agreement)
        if row.points <= 0:
            bad(row.line, "amount", _("A spend of %(amount)s yuan earns no points at %(rate)s points per yuan.") % {
                "amount": row.amount, "rate": agreement.inbound_points_per_yuan.normalize()})
            continue
        valid.append(row)
    errors.sort(key=lambda e: e["line"])
    with transaction.atomic():
        record = ExchangeImport.objects.create(
            partner=partner, file_name=(file_name or "")[-200:], rows=count, credited=len(valid), duplicates=duplicates,
            rejected=len(errors), points=sum(r.points for r in valid), amount=sum((r.amount for r in valid), Decimal("0")),
            errors=errors[:1000], created_by=actor,
        )
        exchanges = []
        for row in valid:
            day = timezone.localtime(row.when).date()
            entry = ledger.credit(member=row.card.member, points=row.points, category=PointsCategory.PARTNER, actor=actor,
                                  reason=f"{partner.name} {row.amount}", reference=_reference(partner, row.txn),
                                  earned_on=day)
            exchanges.append(PartnerExchange(
                direction=Direction.INBOUND, partner=partner, member=row.card.member, card=row.card, points=row.points,
                amount=row.amount, agreement=row.agreement, external_id=row.txn, occurred_at=row.when,
                period=month_start(day), source=ExchangeSource.IMPORT, entry=entry, import_file=record, created_by=actor,
            ))
        PartnerExchange.objects.bulk_create(exchanges, batch_size=2000)
        audit_record(actor=actor, action="partners.exchanges_import", target=record, org_unit=partner.org_unit,
                     after={"rows": count, "credited": len(valid), "duplicates": duplicates, "rejected": len(errors),
                            "points": record.points, "amount": record.amount})
    return record


# --- Points exchange: outbound ---------------------------------------------------------------------


def outbound_collect(*, partner: Partner | None = None, period: datetime.date | None = None) -> int:
    """在合作伙伴处使用联通积分消费: the redemptions (not reversed) of the partners' catalogue
    items become outbound exchanges — one read and one ``bulk_create``; a redemption is
    recorded once (its exchange is unique). Without ``period``: this month and the last.
    The partner's value is the item's face value, or the points at the agreement's rate."""
    with transaction.atomic():
        queryset = Redemption.objects.filter(item__partner_service__isnull=False, state=RedemptionState.DONE,
                                             partner_exchange__isnull=True)
        if partner is not None:
            queryset = queryset.filter(item__partner_service__partner=partner)
        if period is not None:
            start, end = month_bounds(period)
            queryset = queryset.filter(created_at__gte=start, created_at__lt=end)
        else:
            start, _end = month_bounds(month_start(timezone.localdate()) - datetime.timedelta(days=1))
            queryset = queryset.filter(created_at__gte=start)
        rows = list(queryset.values("pk", "member_id", "card_id", "points", "quantity", "created_at", "item__face_value",
                                    "item__partner_service__partner_id"))
        if not rows:
            return 0
        agreements = _approved_agreements({r["item__partner_service__partner_id"] for r in rows})
        exchanges = []
        for r in rows:
            partner_id = r["item__partner_service__partner_id"]
            day = timezone.localtime(r["created_at"]).date()
            agreement = _agreement_on(agreements.get(partner_id, []), day)
            amount = (r["item__face_value"] or Decimal("0")) * r["quantity"]
            if not amount and agreement is not None:
                amount = (Decimal(r["points"]) / agreement.outbound_points_per_yuan).quantize(CENT, rounding=ROUND_HALF_UP)
            exchanges.append(PartnerExchange(
                direction=Direction.OUTBOUND, partner_id=partner_id, member_id=r["member_id"], card_id=r["card_id"],
                points=r["points"], amount=amount, agreement=agreement, external_id=f"redemption:{r['pk']}",
                occurred_at=r["created_at"], period=month_start(day), source=ExchangeSource.REDEMPTION,
                redemption_id=r["pk"],
            ))
        PartnerExchange.objects.bulk_create(exchanges, batch_size=2000, ignore_conflicts=True)
        return len(exchanges)


# --- Settlement (11.7) ------------------------------------------------------------------------------


def _value(points: int, price: Decimal) -> Decimal:
    return (Decimal(points) * price).quantize(CENT, rounding=ROUND_HALF_UP)


def settlement_figures(partner: Partner, period: datetime.date) -> dict[tuple[str, int | None], dict]:
    """Per (direction, agreement): exchanges, members, points, amount and value of the month —
    reversed redemptions left out. One grouped query."""
    rows = (PartnerExchange.objects.filter(partner=partner, period=month_start(period))
            .exclude(redemption__state=RedemptionState.REVERSED)
            .values("direction", "agreement_id")
            .annotate(exchanges=Count("id"), members=Count("member", distinct=True), points=Sum("points"),
                      amount=Sum("amount"))
            .order_by("direction", "agreement_id"))
    prices = dict(PartnerAgreement.objects.filter(partner=partner).values_list("pk", "settlement_price"))
    figures = {}
    for r in rows:
        price = prices.get(r["agreement_id"], Decimal("0"))
        figures[(r["direction"], r["agreement_id"])] = {
            "exchanges": r["exchanges"], "members": r["members"], "points": int(r["points"] or 0),
            "amount": r["amount"] or Decimal("0"), "price": price, "value": _value(int(r["points"] or 0), price),
        }
    return figures


def _totals(lines: Iterable[SettlementLine]) -> dict:
    t = {"inbound_points": 0, "outbound_points": 0, "receivable": Decimal("0"), "payable": Decimal("0")}
    for line in lines:
        if line.direction == Direction.INBOUND:
            t["inbound_points"] += line.points
            t["receivable"] += line.value
        else:
            t["outbound_points"] += line.points
            t["payable"] += line.value
    t["net"] = t["receivable"] - t["payable"]
    return t


@transaction.atomic
def settlement_compute(*, actor: Any, partner: Partner, period: datetime.date) -> SettlementStatement:
    """俱乐部合作伙伴结算 of one partner and month: the month's redemptions at the partner are
    recorded as exchanges, then the exchanges are summed per direction and agreement and
    valued at the agreement's settlement price. A draft statement is rewritten; a confirmed
    or paid one never is: the differences from its lines become adjustment lines."""
    require_perm(actor, "partners.add_settlementstatement")
    require_in_scope(actor, partner)
    if not isinstance(period, datetime.date):
        raise InvalidInput(_("period: give the month to settle."))
    period = month_start(period)
    if period > month_start(timezone.localdate()):
        raise InvalidInput(_("period: %(month)s has not begun.") % {"month": f"{period:%Y-%m}"})
    _locked(Partner, partner)
    outbound_collect(partner=partner, period=period)
    figures = settlement_figures(partner, period)
    statement, created = SettlementStatement.objects.get_or_create(partner=partner, period=period)
    statement = _locked(SettlementStatement, statement)
    now = timezone.now()
    if statement.state == StatementState.DRAFT:
        statement.lines.all().delete()
        lines = SettlementLine.objects.bulk_create([
            SettlementLine(statement=statement, kind=LineKind.COMPUTED, direction=direction, agreement_id=agreement_id,
                           created_by=actor, **f)
            for (direction, agreement_id), f in figures.items()
        ])
        for name, value in _totals(lines).items():
            setattr(statement, name, value)
        statement.computed_at, statement.computed_by = now, actor
        statement.save()
        audit_record(actor=actor, action="partners.settlement_compute", target=statement,
                     after={"lines": len(lines), "receivable": statement.receivable, "payable": statement.payable,
                            "net": statement.net})
        return statement
    # Fixed: compare with everything on the statement so far, add the differences.
    so_far: dict[tuple[str, int | None], dict] = {}
    for line in statement.lines.all():
        s = so_far.setdefault((line.direction, line.agreement_id), {"exchanges": 0, "points": 0, "amount": Decimal("0"),
                                                                    "value": Decimal("0"), "price": line.price})
        s["exchanges"] += line.exchanges
        s["points"] += line.points
        s["amount"] += line.amount
        s["value"] += line.value
    adjustments = []
    for key in sorted(set(figures) | set(so_far), key=lambda k: (k[0], k[1] or 0)):
        new = figures.get(key, {"exchanges": 0, "points": 0, "amount": Decimal("0"), "value": Decimal("0")})
        old = so_far.get(key, {"exchanges": 0, "points": 0, "amount": Decimal("0"), "value": Decimal("0")})
        if new["points"] == old["points"] and new["amount"] == old["amount"] and new["value"] == old["value"]:
            continue
        price = figures.get(key, so_far.get(key, {})).get("price", Decimal("0"))
        adjustments.append(SettlementLine(
            statement=statement, kind=LineKind.ADJUSTMENT, direction=key[0], agreement_id=key[1],
            exchanges=new["exchanges"] - old["exchanges"], members=0, points=new["points"] - old["points"],
            amount=new["amount"] - old["amount"], price=price, value=new["value"] - old["value"], created_by=actor,
            note=_("Recomputed on %(date)s after the statement was %(state)s.") % {
                "date": timezone.localdate(), "state": statement.get_state_display()},
        ))
    SettlementLine.objects.bulk_create(adjustments)
    audit_record(actor=actor, action="partners.settlement_adjust", target=statement,
                 after={"adjustment_lines": len(adjustments),
                        "adjustment_net": _totals(adjustments)["net"] if adjustments else Decimal("0")})
    return statement


def settlement_run(*, actor: Any, period: datetime.date) -> list[SettlementStatement]:
    """The month's statements of every partner in scope that had an approved agreement or an
    exchange in the month — each in its own transaction."""
    require_perm(actor, "partners.add_settlementstatement")
    period = month_start(period)
    end = next_month(period) - datetime.timedelta(days=1)
    partners = (Partner.objects.visible_to(actor)
                .filter(agreements__state__in=APPROVED, agreements__valid_from__lte=end, agreements__valid_to__gte=period)
                .distinct()
                | Partner.objects.visible_to(actor).filter(exchanges__period=period).distinct())
    return [settlement_compute(actor=actor, partner=p, period=period) for p in partners.distinct().order_by("name")]


@transaction.atomic
def settlement_confirm(*, actor: Any, statement: SettlementStatement) -> SettlementStatement:
    """财务确认: the statement's figures are fixed from now on."""
    require_perm(actor, "partners.confirm_settlementstatement")
    statement = _locked(SettlementStatement, statement)
    require_in_scope(actor, statement)
    if statement.state != StatementState.DRAFT or statement.computed_at is None:
        raise StatementNotConfirmable(state=statement.get_state_display(), action=_("confirmed"))
    statement.state, statement.confirmed_at, statement.confirmed_by = StatementState.CONFIRMED, timezone.now(), actor
    statement.save(update_fields=["state", "confirmed_at", "confirmed_by"])
    audit_record(actor=actor, action="partners.settlement_confirm", target=statement,
                 before={"state": StatementState.DRAFT}, after={"state": statement.state, "net": statement.net})
    return statement


@transaction.atomic
def settlement_pay(*, actor: Any, statement: SettlementStatement, payment_ref: str) -> SettlementStatement:
    """结清: the payment of a confirmed statement is recorded with its reference."""
    require_perm(actor, "partners.pay_settlementstatement")
    statement = _locked(SettlementStatement, statement)
    require_in_scope(actor, statement)
    if statement.state != StatementState.CONFIRMED:
        raise StatementNotConfirmable(state=statement.get_state_display(), action=_("paid"))
    if not (payment_ref or "").strip():
        raise InvalidInput(_("payment_ref: give the reference of the payment or invoice."))
    statement.state, statement.paid_at, statement.paid_by = StatementState.PAID, timezone.now(), actor
    statement.payment_ref = payment_ref.strip()[:60]
    statement.save(update_fields=["state", "paid_at", "paid_by", "payment_ref"])
    audit_record(actor=actor, action="partners.settlement_pay", target=statement,
                 before={"state": StatementState.CONFIRMED}, after={"state": statement.state, "payment_ref": statement.payment_ref})
    return statement


# --- Appraisal (11.6) -------------------------------------------------------------------------------

INDICATOR_FIELDS = ("code", "name", "weight", "max_score", "description", "order", "is_active")


@transaction.atomic
def indicator_save(*, actor: Any, indicator: AppraisalIndicator | None = None, **fields: Any) -> AppraisalIndicator:
    """考核指标 added or changed."""
    _unknown_fields(fields, INDICATOR_FIELDS)
    if indicator is None:
        require_perm(actor, "partners.add_appraisalindicator")
        indicator, before = AppraisalIndicator(), None
    else:
        require_perm(actor, "partners.change_appraisalindicator")
        indicator = _locked(AppraisalIndicator, indicator)
        before = snapshot(indicator, INDICATOR_FIELDS)
    if "code" in fields:
        fields["code"] = (fields["code"] or "").strip().upper()
    for name, value in fields.items():
        setattr(indicator, name, value.strip() if isinstance(value, str) else value)
    _clean(indicator)
    indicator.save()
    audit_record(actor=actor, action="partners.indicator_create" if before is None else "partners.indicator_change",
                 target=indicator, before=before, after=snapshot(indicator, INDICATOR_FIELDS))
    return indicator


def period_start(kind: str, day: datetime.date) -> datetime.date:
    if kind == PeriodKind.YEAR:
        return day.replace(month=1, day=1)
    if kind == PeriodKind.QUARTER:
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    if kind == PeriodKind.MONTH:
        return day.replace(day=1)
    raise InvalidInput(_("period_kind: choose month, quarter or year."))


def weighted_total(scores: list[tuple[AppraisalIndicator, Decimal]]) -> Decimal:
    """The total (0–100): each score as a share of its full marks, weighted."""
    weights = sum((i.weight for i, _s in scores), Decimal("0"))
    if not weights:
        return Decimal("0.00")
    total = sum((i.weight * score / i.max_score * HUNDRED for i, score in scores), Decimal("0")) / weights
    return total.quantize(CENT, rounding=ROUND_HALF_UP)


def _rerank(period_kind: str, period: datetime.date) -> None:
    """Competition ranking (1, 2, 2, 4) of the period's appraisals by total, one bulk_update."""
    appraisals = list(Appraisal.objects.filter(period_kind=period_kind, period=period).order_by("-total", "pk"))
    previous, rank = None, 0
    for position, appraisal in enumerate(appraisals, start=1):
        if appraisal.total != previous:
            rank, previous = position, appraisal.total
        appraisal.rank = rank
    Appraisal.objects.bulk_update(appraisals, ["rank"])


@transaction.atomic
def appraisal_save(*, actor: Any, partner: Partner, period_kind: str, period: datetime.date,
                   scores: dict[Any, Any], comment: str = "") -> Appraisal:
    """俱乐部合作伙伴考核: the partner's scores on every indicator in use for the period; the
    total is their weighted mean (as shares of full marks, 0–100), and the partners of the
    period are ranked again. Appraising a partner again for the period replaces its scores."""
    require_perm(actor, "partners.add_appraisal")
    require_in_scope(actor, partner)
    if not isinstance(period, datetime.date):
        raise InvalidInput(_("period: give a day of the period appraised."))
    period = period_start(period_kind, period)
    indicators = list(AppraisalIndicator.objects.filter(is_active=True))
    if not indicators:
        raise InvalidInput(_("There are no appraisal indicators in use: add them first."))
    by_key = {}
    for key, value in scores.items():
        code = key.code if isinstance(key, AppraisalIndicator) else str(key).strip().upper()
        by_key[code] = value
    pairs, problems = [], []
    for indicator in indicators:
        raw = by_key.pop(indicator.code, None)
        try:
            score = Decimal(str(raw)) if raw not in (None, "") else None
        except InvalidOperation:
            score = None
        if score is None or not score.is_finite() or not Decimal("0") <= score <= indicator.max_score:
            problems.append(_("%(indicator)s: give a score from 0 to %(max)s.") % {
                "indicator": indicator.name, "max": indicator.max_score.normalize()})
            continue
        pairs.append((indicator, score.quantize(CENT)))
    if by_key:
        problems.append(_("Unknown indicators: %(codes)s.") % {"codes": ", ".join(sorted(by_key))})
    if problems:
        raise InvalidInput("; ".join(problems))
    appraisal = Appraisal.objects.select_for_update().filter(partner=partner, period_kind=period_kind, period=period).first()
    before = None
    if appraisal is None:
        appraisal = Appraisal(partner=partner, period_kind=period_kind, period=period)
    else:
        require_perm(actor, "partners.change_appraisal")
        before = {"total": appraisal.total, "scores": {s.indicator.code: s.score for s in appraisal.scores.select_related("indicator")}}
    appraisal.total = weighted_total(pairs)
    appraisal.comment = (comment or "").strip()
    appraisal.appraised_by = actor
    appraisal.save()
    appraisal.scores.all().delete()
    AppraisalScore.objects.bulk_create([AppraisalScore(appraisal=appraisal, indicator=i, score=s) for i, s in pairs])
    _rerank(period_kind, period)
    appraisal.refresh_from_db()
    audit_record(actor=actor, action="partners.appraisal_save", target=appraisal, before=before,
                 after={"total": appraisal.total, "rank": appraisal.rank, "scores": {i.code: s for i, s in pairs}})
    return appraisal
