"""Writes of points rules, expiry rules, adjustments, the catalogue and channels (CLUB-10,
CLUB-11, CLUB-13, CLUB-14, CLUB-15, HQ-03).

Rules are versioned: a change retires the version in force (its ``valid_to`` becomes the day
before the new one starts) and adds the next version, so every period is computed with the
versions that were in force then (the monthly run stores which). Headquarters' rules
(``issuer = hq``) are changed only by holders of ``club.issue_hq_rule``; a province adds its
own rules beside them.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kams.audit.services import audit_record, snapshot
from kams.club import ledger
from kams.club.enums import PENALTIES, AdjustmentState, ExpiryMode, Issuer, PointsCategory, PointsKind, RuleState
from kams.club.errors import AdjustmentDecided, SelfApproval
from kams.club.models import (
    ClubLevel,
    ClubMember,
    ExpiryRule,
    PointsAdjustment,
    PointsRule,
    RedemptionChannel,
    RedemptionItem,
    RedemptionRule,
)
from kams.core.errors import Conflict, InvalidInput
from kams.org.scoping import require_in_scope, require_perm

RULE_FIELDS = ("name", "category", "business", "rate", "amount", "min_years", "max_years", "level", "note")
RULE_CATEGORIES = (*PENALTIES, PointsCategory.CONSUMPTION, PointsCategory.TENURE, PointsCategory.PUNCTUALITY,
                   PointsCategory.PROMOTION)
ITEM_FIELDS = ("name", "kind", "points", "face_value", "unit_cost", "minutes", "description", "auto_redeemable",
               "is_active", "valid_from", "valid_to")


def _require_issuer(actor: Any, issuer: str) -> None:
    if issuer == Issuer.HQ:
        require_perm(actor, "club.issue_hq_rule")
    elif issuer != Issuer.PROVINCE:
        raise InvalidInput(_("issuer: unknown issuer %(issuer)s.") % {"issuer": issuer})


def _decimal(value: Any, field: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidInput(_("%(field)s: give a number.") % {"field": field}) from None
    if not number.is_finite() or number < 0:
        raise InvalidInput(_("%(field)s: give a number of at least 0.") % {"field": field})
    return number


def _penalty_clash(category: str, valid_from: datetime.date, exclude_code: str = "") -> None:
    """At most one penalty rule of each kind in force: so a month never nets below zero."""
    if category not in PENALTIES:
        return
    clash = PointsRule.objects.filter(category=category).exclude(code=exclude_code).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from)
    )
    if clash.exists():
        raise Conflict(_("Another %(category)s rule is in force: change that rule instead of adding one.")
                       % {"category": PointsCategory(category).label})


def rule_create(*, actor: Any, code: str, valid_from: datetime.date, issuer: str = Issuer.PROVINCE,
                valid_to: datetime.date | None = None, **values: Any) -> PointsRule:
    """积分标准增加: version 1 of a new rule, from the first day of a month (``kams.club.rules``).
    At most one penalty rule of each kind is in force, so a month never nets below zero."""
    from kams.club import rules

    with transaction.atomic():
        if values.get("category") in PENALTIES:
            _penalty_clash(values["category"], valid_from)
        rule = rules.points_rule_add(actor=actor, code=code, valid_from=valid_from, issuer=issuer,
                                     **{k: v for k, v in values.items() if k in RULE_FIELDS})
        if valid_to is not None:
            rule = rule_retire(actor=actor, rule=rule, valid_to=valid_to, reason=_("Valid for a limited period."))
        return rule


def rule_change(*, actor: Any, rule: PointsRule, valid_from: datetime.date, reason: str, **changes: Any) -> PointsRule:
    """积分标准修改: the version in force ends the day before ``valid_from`` (the first day of a
    month) and the next version starts (``kams.club.rules``). A period already calculated keeps
    the versions it used."""
    from kams.club import rules

    if not (reason or "").strip():
        raise InvalidInput(_("reason: say why the rule changes."))
    current = PointsRule.objects.filter(code=rule.code).order_by("-version").first()
    return rules.points_rule_revise(actor=actor, rule=current, valid_from=valid_from, reason=reason,
                                    **{k: v for k, v in changes.items() if k in RULE_FIELDS})


@transaction.atomic
def rule_retire(*, actor: Any, rule: PointsRule, valid_to: datetime.date, reason: str) -> PointsRule:
    """积分标准作废: the rule no longer applies after ``valid_to``."""
    require_perm(actor, "club.change_pointsrule")
    current = PointsRule.objects.select_for_update().filter(code=rule.code).order_by("-version").first()
    _require_issuer(actor, current.issuer)
    if not (reason or "").strip():
        raise InvalidInput(_("reason: say why the rule is retired."))
    if valid_to < current.valid_from:
        raise InvalidInput(_("valid_to: the end is before the start."))
    PointsRule.objects.filter(pk=current.pk).update(valid_to=valid_to, state=RuleState.RETIRED)
    current.refresh_from_db()
    audit_record(actor=actor, action="club.rule_retire", target=current, after={"valid_to": valid_to}, reason=reason)
    return current


@transaction.atomic
def expiry_rule_create(*, actor: Any, name: str, mode: str, length: int, valid_from: datetime.date) -> ExpiryRule:
    """积分有效期规则 from headquarters: lots earned from ``valid_from`` on expire by it."""
    require_perm(actor, "club.add_expiryrule")
    require_perm(actor, "club.issue_hq_rule")
    if mode not in ExpiryMode.values:
        raise InvalidInput(_("mode: choose months or years."))
    if isinstance(length, bool) or not isinstance(length, int) or not 1 <= length <= 120:
        raise InvalidInput(_("length: give a whole number between 1 and 120."))
    if not (name or "").strip():
        raise InvalidInput(_("name: a rule needs a name."))
    if ExpiryRule.objects.filter(valid_from=valid_from).exists():
        raise Conflict(_("An expiry rule already starts on %(date)s.") % {"date": valid_from.isoformat()})
    rule = ExpiryRule.objects.create(name=name.strip(), mode=mode, length=length, valid_from=valid_from,
                                     issuer=Issuer.HQ, created_by=actor)
    audit_record(actor=actor, action="club.expiry_rule_create", target=rule,
                 after=snapshot(rule, ("name", "mode", "length", "valid_from")))
    return rule


# --- Adjustments (积分调整) ---------------------------------------------------------------------------


@transaction.atomic
def adjustment_request(*, actor: Any, member: ClubMember, points: int, reason: str) -> PointsAdjustment:
    """A manual adjustment (+ or −) with its reason, waiting for another person's approval."""
    require_perm(actor, "club.add_pointsadjustment")
    require_in_scope(actor, member)
    if isinstance(points, bool) or not isinstance(points, int) or points == 0:
        raise InvalidInput(_("points: give a whole number of points other than zero."))
    if abs(points) > 1_000_000:
        raise InvalidInput(_("points: at most 1,000,000 points at a time."))
    if not (reason or "").strip():
        raise InvalidInput(_("reason: every adjustment needs a reason."))
    adjustment = PointsAdjustment.objects.create(member=member, points=points, reason=reason.strip()[:300],
                                                 requested_by=actor)
    audit_record(actor=actor, action="club.adjustment_request", target=adjustment,
                 after={"member": member.member_no, "points": points}, reason=reason,
                 org_unit=member.customer.org_unit)
    return adjustment


@transaction.atomic
def adjustment_decide(*, actor: Any, adjustment: PointsAdjustment, approve: bool, note: str = "") -> PointsAdjustment:
    """Approve (the entry is written now, by the requester, approved by the actor) or reject."""
    require_perm(actor, "club.approve_pointsadjustment")
    adjustment = PointsAdjustment.objects.select_for_update().select_related("member__customer__org_unit").get(
        pk=adjustment.pk)
    require_in_scope(actor, adjustment.member)
    if adjustment.state != AdjustmentState.REQUESTED:
        raise AdjustmentDecided(state=adjustment.get_state_display())
    if adjustment.requested_by_id == actor.pk:
        raise SelfApproval()
    if not approve and not (note or "").strip():
        raise InvalidInput(_("note: say why the adjustment is rejected."))
    if approve:
        common = dict(member=adjustment.member, category=PointsCategory.ADJUSTMENT, actor=adjustment.requested_by,
                      approver=actor, reason=adjustment.reason, reference=f"adjustment:{adjustment.pk}",
                      kind=PointsKind.ADJUST)
        if adjustment.points > 0:
            adjustment.entry = ledger.credit(points=adjustment.points, **common)
        else:
            adjustment.entry = ledger.debit(points=-adjustment.points, **common)
    adjustment.state = AdjustmentState.APPROVED if approve else AdjustmentState.REJECTED
    adjustment.decided_by, adjustment.decided_at, adjustment.decision_note = actor, timezone.now(), note.strip()[:300]
    adjustment.save()
    audit_record(actor=actor, action="club.adjustment_" + ("approve" if approve else "reject"), target=adjustment,
                 before={"state": AdjustmentState.REQUESTED}, after={"state": adjustment.state, "points": adjustment.points},
                 reason=note or adjustment.reason, org_unit=adjustment.member.customer.org_unit)
    return adjustment


# --- Catalogue and redemption rules (积分消费规则) --------------------------------------------------------


@transaction.atomic
def item_save(*, actor: Any, code: str, issuer: str = Issuer.HQ, item: RedemptionItem | None = None,
              **values: Any) -> RedemptionItem:
    require_perm(actor, "club.change_redemptionitem" if item else "club.add_redemptionitem")
    _require_issuer(actor, item.issuer if item else issuer)
    values = {k: v for k, v in values.items() if k in ITEM_FIELDS}
    points = values.get("points", item.points if item else None)
    if isinstance(points, bool) or not isinstance(points, int) or points < 1:
        raise InvalidInput(_("points: an item costs a whole number of points, at least 1."))
    for money in ("face_value", "unit_cost"):
        if money in values:
            values[money] = _decimal(values[money], money)
    if values.get("valid_from") and values.get("valid_to") and values["valid_to"] < values["valid_from"]:
        raise InvalidInput(_("valid_to: the end is before the start."))
    if item is None:
        code = (code or "").strip().upper()
        if not code or RedemptionItem.objects.filter(code=code).exists():
            raise InvalidInput(_("code: give a code no other item has."))
        if not (values.get("name") or "").strip():
            raise InvalidInput(_("name: an item needs a name."))
        item = RedemptionItem.objects.create(code=code, issuer=issuer, **values)
        audit_record(actor=actor, action="club.item_create", target=item, after=snapshot(item, ("code", *ITEM_FIELDS)))
        return item
    before = snapshot(item, ITEM_FIELDS)
    for field, value in values.items():
        setattr(item, field, value)
    item.save()
    audit_record(actor=actor, action="club.item_change", target=item, before=before, after=snapshot(item, ITEM_FIELDS))
    return item


@transaction.atomic
def redemption_rule_save(*, actor: Any, item: RedemptionItem, level: ClubLevel, allowed: bool = True,
                         points: int | None = None, monthly_limit: int | None = None,
                         issuer: str = Issuer.HQ) -> RedemptionRule:
    """积分等级与积分消费规则的关联: allowed or not, price and monthly limit per level."""
    require_perm(actor, "club.change_redemptionrule")
    _require_issuer(actor, issuer)
    for name, value in (("points", points), ("monthly_limit", monthly_limit)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise InvalidInput(_("%(field)s: give a whole number of at least 1, or nothing.") % {"field": name})
    rule, created = RedemptionRule.objects.select_for_update().get_or_create(
        item=item, level=level, defaults=dict(allowed=allowed, points=points, monthly_limit=monthly_limit, issuer=issuer))
    before = None if created else snapshot(rule, ("allowed", "points", "monthly_limit"))
    if not created:
        rule.allowed, rule.points, rule.monthly_limit, rule.issuer = allowed, points, monthly_limit, issuer
        rule.save()
    audit_record(actor=actor, action="club.redemption_rule_save", target=rule, before=before,
                 after=snapshot(rule, ("allowed", "points", "monthly_limit")), target_repr=f"{item.code} / {level.name}")
    return rule


# --- Channels of the channel API ---------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def channel_create(*, actor: Any, code: str, name: str, kind: str, org_unit: Any,
                   token: str | None = None) -> tuple[RedemptionChannel, str]:
    """A POS, terminal or partner system with a new API token. The token is shown once and
    only its SHA-256 is kept."""
    from kams.club.enums import ChannelKind

    require_perm(actor, "club.add_redemptionchannel")
    from kams.org.scoping import scope_for

    if not scope_for(actor).covers_unit(org_unit):
        raise InvalidInput(_("org_unit: choose a unit in your scope."))
    if kind not in (ChannelKind.POS, ChannelKind.TERMINAL, ChannelKind.PARTNER, ChannelKind.SMS):
        raise InvalidInput(_("kind: a channel system is a POS, a terminal, a partner system or an SMS gateway."))
    code = (code or "").strip()
    if not code or RedemptionChannel.objects.filter(code=code).exists():
        raise InvalidInput(_("code: give a code no other channel has."))
    token = token or secrets.token_urlsafe(32)
    channel = RedemptionChannel.objects.create(code=code, name=(name or code).strip(), kind=kind, org_unit=org_unit,
                                               token_hash=token_hash(token), token_hint=token[-4:])
    audit_record(actor=actor, action="club.channel_create", target=channel, after={"code": code, "kind": kind})
    return channel, token


@transaction.atomic
def channel_rotate(*, actor: Any, channel: RedemptionChannel) -> tuple[RedemptionChannel, str]:
    require_perm(actor, "club.change_redemptionchannel")
    require_in_scope(actor, channel)
    token = secrets.token_urlsafe(32)
    RedemptionChannel.objects.filter(pk=channel.pk).update(token_hash=token_hash(token), token_hint=token[-4:])
    channel.refresh_from_db()
    audit_record(actor=actor, action="club.channel_rotate", target=channel, after={"token_hint": channel.token_hint})
    return channel, token


@transaction.atomic
def channel_set_active(*, actor: Any, channel: RedemptionChannel, active: bool) -> RedemptionChannel:
    require_perm(actor, "club.change_redemptionchannel")
    require_in_scope(actor, channel)
    RedemptionChannel.objects.filter(pk=channel.pk).update(is_active=active)
    channel.refresh_from_db()
    audit_record(actor=actor, action="club.channel_" + ("enable" if active else "disable"), target=channel,
                 after={"is_active": active})
    return channel
