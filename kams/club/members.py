"""Writes of members and cards (会员管理, 会员卡管理; CLUB-01, CLUB-02, CLUB-07).

Every function checks permission and scope, runs in one transaction and writes the audit log.
A card moves only along ``TRANSITIONS``; a replacement is a new card that ``replaces`` the
lost one, whose state becomes ``replaced``.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kams.audit.services import audit_record, snapshot
from kams.club.enums import CardState, LevelChangeKind, MemberStatus
from kams.club.errors import CardTransitionRefused
from kams.club.models import Card, ClubLevel, ClubMember, MemberLevelChange, PointsAccount
from kams.core.errors import Conflict, InvalidInput
from kams.org.scoping import require_in_scope, require_perm
from kams.system.parameters import param

MEMBER_FIELDS = ("name", "msisdn", "certificate_no", "phone", "email", "birthday", "address", "network_since",
                 "preferences", "statement_channel")

# action: (states it may start from, state it leads to, timestamp field)
TRANSITIONS: dict[str, tuple[set[str], str, str]] = {
    "issue": ({CardState.APPLIED}, CardState.ISSUED, "issued_at"),
    "collect": ({CardState.ISSUED}, CardState.COLLECTED, "collected_at"),
    "report_lost": ({CardState.ISSUED, CardState.COLLECTED}, CardState.LOST, "lost_at"),
    "unlock": ({CardState.LOST}, CardState.COLLECTED, ""),
    "replace": ({CardState.LOST, CardState.COLLECTED, CardState.ISSUED}, CardState.REPLACED, "closed_at"),
    "cancel": ({CardState.APPLIED, CardState.ISSUED, CardState.COLLECTED, CardState.LOST}, CardState.CANCELLED, "closed_at"),
}
ACTION_LABELS = {
    "issue": gettext_lazy("issued"), "collect": gettext_lazy("collected"), "report_lost": gettext_lazy("reported lost"),
    "unlock": gettext_lazy("unlocked"), "replace": gettext_lazy("replaced"), "cancel": gettext_lazy("cancelled"),
}
USABLE_CARD_STATES = {CardState.ISSUED, CardState.COLLECTED}


def _next_number(prefix: str, model: type, field: str) -> str:
    """The next eight-digit serial after the highest number with this prefix."""
    top = model.objects.filter(**{f"{field}__startswith": prefix}).aggregate(top=Max(field))["top"]
    serial = int(top[len(prefix):]) + 1 if top and top[len(prefix):].isdigit() else 1
    return f"{prefix}{serial:08d}"


@transaction.atomic
def member_create(
    *, actor: Any, customer: Any, name: str, level: ClubLevel, admit: bool = True, reason: str = "", **fields: Any
) -> ClubMember:
    """入会: a member of ``customer`` at ``level`` with an empty points account. ``admit``
    admits at once (the reviewer is the actor); otherwise the member waits for the
    qualification review (会员资格审核)."""
    require_perm(actor, "club.add_clubmember")
    require_in_scope(actor, customer)
    if admit:
        require_perm(actor, "club.review_clubmember")
    if not (name or "").strip():
        raise InvalidInput(_("name: a member needs a name."))
    unknown = set(fields) - set(MEMBER_FIELDS) - {"joined_on"}
    if unknown:
        raise InvalidInput(_("Unknown member fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    status = MemberStatus.ACTIVE if admit else MemberStatus.APPLIED
    for _attempt in range(5):
        try:
            with transaction.atomic():
                member = ClubMember.objects.create(
                    member_no=_next_number(param("club.member_prefix"), ClubMember, "member_no"), customer=customer,
                    name=name.strip(), level=level, status=status,
                    joined_on=fields.pop("joined_on", None) or (timezone.localdate() if admit else None), **fields,
                )
            break
        except IntegrityError:  # two admissions took the same number: take the next
            continue
    else:
        raise Conflict()
    PointsAccount.objects.create(member=member)
    MemberLevelChange.objects.create(member=member, kind=LevelChangeKind.ADMISSION, new_level=level,
                                     new_status=status, reason=reason, decided_by=actor if admit else None)
    audit_record(actor=actor, action="club.member_create", target=member,
                 after=snapshot(member, ("member_no", "name", "level", "status", "customer")), reason=reason,
                 org_unit=customer.org_unit)
    return member


@transaction.atomic
def card_apply(*, actor: Any, member: ClubMember, note: str = "") -> Card:
    """会员卡申请: a new card at the member's level, numbered with the province code."""
    require_perm(actor, "club.add_card")
    require_in_scope(actor, member)
    if member.status != MemberStatus.ACTIVE:
        raise Conflict(_("Only an active member can apply for a card; this member is %(status)s.")
                       % {"status": member.get_status_display()})
    if Card.objects.filter(member=member).exclude(state__in=[CardState.REPLACED, CardState.CANCELLED]).exists():
        raise Conflict(_("This member already holds a card: report it lost and replace it, or cancel it first."))
    card = _card_new(member, note=note)
    audit_record(actor=actor, action="club.card_apply", target=card, after={"card_no": card.card_no},
                 org_unit=member.customer.org_unit)
    return card


def _card_new(member: ClubMember, *, note: str = "", replaces: Card | None = None) -> Card:
    prefix = param("club.card_prefix")
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Card.objects.create(card_no=_next_number(prefix, Card, "card_no"), member=member,
                                           level=member.level, note=note, replaces=replaces)
        except IntegrityError:
            continue
    raise Conflict()


@transaction.atomic
def card_move(*, actor: Any, card: Card, action: str, reason: str = "", blank_serial: str = "") -> Card:
    """One move of the card state graph: issue, collect, report_lost, unlock, replace, cancel.
    ``replace`` returns the new card (issued at once), the old one becomes ``replaced``."""
    if action not in TRANSITIONS:
        raise InvalidInput(_("action: unknown card action %(action)s.") % {"action": action})
    require_perm(actor, "club.change_card")
    card = Card.objects.select_for_update().select_related("member__customer__org_unit").get(pk=card.pk)
    require_in_scope(actor, card.member)
    sources, target, stamp = TRANSITIONS[action]
    if card.state not in sources:
        raise CardTransitionRefused(state=card.get_state_display(), action=ACTION_LABELS[action])
    if action in ("replace", "cancel") and not (reason or "").strip():
        raise InvalidInput(_("reason: say why the card is %(action)s.") % {"action": ACTION_LABELS[action]})
    now = timezone.now()
    before = card.state
    card.state = target
    if stamp:
        setattr(card, stamp, now)
    if action == "issue":
        card.blank_serial = blank_serial
        card.valid_until = (now + datetime.timedelta(days=365 * param("club.card_valid_years"))).date()
    card.save()
    result = card
    if action == "replace":
        result = _card_new(card.member, note=reason, replaces=card)
        result.state, result.issued_at = CardState.ISSUED, now
        result.blank_serial = blank_serial
        result.valid_until = card.valid_until
        result.save()
    audit_record(actor=actor, action=f"club.card_{action}", target=card, before={"state": before},
                 after={"state": card.state, **({"new_card": result.card_no} if result is not card else {})},
                 reason=reason, org_unit=card.member.customer.org_unit)
    return result


# --- 会员资料修改 (members part) -------------------------------------------------------------------

PREFERENCE_KEYS = ("hobbies", "contact_time", "care_wishes")  # 个性化资料: 爱好, 方便联系时间, 个人关怀意愿


@transaction.atomic
def member_update(*, actor: Any, member: ClubMember, reason: str = "", **fields: Any) -> ClubMember:
    """会员资料修改: change a member's base data and personal data (``preferences``: hobbies,
    preferred contact time, personal-care wishes); the log keeps before and after."""
    from django.core.exceptions import ValidationError

    require_perm(actor, "club.change_clubmember")
    member = ClubMember.objects.select_for_update().select_related("customer__org_unit").get(pk=member.pk)
    require_in_scope(actor, member)
    unknown = set(fields) - set(MEMBER_FIELDS)
    if unknown:
        raise InvalidInput(_("Unknown member fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
        if not fields["name"]:
            raise InvalidInput(_("name: a member needs a name."))
    if "preferences" in fields:
        prefs = fields["preferences"] or {}
        if not isinstance(prefs, dict) or not all(isinstance(v, str) for v in prefs.values()):
            raise InvalidInput(_("preferences: give the personal data as text fields."))
        fields["preferences"] = {k: v.strip() for k, v in prefs.items() if v and v.strip()}
    for name in ("msisdn", "certificate_no", "phone", "email", "address"):
        if name in fields:
            fields[name] = (fields[name] or "").strip()
    changed = [name for name, value in fields.items() if getattr(member, name) != value]
    if not changed:
        return member
    before = snapshot(member, changed)
    for name in changed:
        setattr(member, name, fields[name])
    try:
        member.full_clean(exclude=["customer", "level", "auto_redeem_item", "member_no"], validate_unique=False)
    except ValidationError as exc:
        raise InvalidInput("; ".join(f"{field}: {' '.join(errors)}" for field, errors in exc.message_dict.items())) from None
    member.save()
    audit_record(actor=actor, action="club.member_update", target=member, before=before,
                 after=snapshot(member, changed), reason=reason, org_unit=member.customer.org_unit)
    return member
