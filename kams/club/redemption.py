"""积分消费 (CLUB-14 … CLUB-16, CLUB-18): real-time redemption from every channel, reversal,
automatic monthly redemption and statements.

A redemption is idempotent per source (the channel system, or the channel kind for staff and
portal) and key: the same key again returns the first redemption and deducts nothing, even
when both requests arrive at once (the unique index makes the second wait for the first and
then find it). The points are taken by ``ledger.debit`` in the same transaction as the
redemption row: either both are written or neither.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kams.audit.services import audit_record
from kams.club import ledger
from kams.club.enums import ChannelKind, MemberStatus, PointsCategory, PointsKind, RedemptionState, StatementChannel
from kams.club.errors import (
    AlreadyReversed,
    CardNotUsable,
    IdempotencyKeyReused,
    ItemNotForLevel,
    MonthlyLimitReached,
    UnknownCard,
    UnknownItem,
)
from kams.club.members import USABLE_CARD_STATES
from kams.club.models import (
    Card,
    ClubLevel,
    ClubMember,
    PointsEntry,
    Redemption,
    RedemptionChannel,
    RedemptionItem,
    RedemptionRule,
)
from kams.core.errors import InvalidInput
from kams.org.scoping import require_in_scope, require_perm
from kams.system.parameters import param


def item_price(item: RedemptionItem, level: ClubLevel) -> int | None:
    """The points ``item`` costs a member of ``level``; None when the level may not have it."""
    rule = RedemptionRule.objects.filter(item=item, level=level).first()
    if rule is None:
        return item.points
    if not rule.allowed:
        return None
    return rule.points or item.points


def item_on_offer(code: str, today: datetime.date | None = None) -> RedemptionItem:
    today = today or timezone.localdate()
    item = (
        RedemptionItem.objects.filter(code=code, is_active=True)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today), Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .first()
    )
    if item is None:
        raise UnknownItem(item=code)
    return item


def _quantity(quantity: Any) -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise InvalidInput(_("quantity: give a whole number of at least 1."))
    if quantity > 1000:
        raise InvalidInput(_("quantity: at most 1000 at a time."))
    return quantity


def usable_card(card_no: str) -> Card:
    card = Card.objects.select_related("member__level", "member__customer__org_unit").filter(card_no=card_no).first()
    if card is None:
        raise UnknownCard(card_no=card_no)
    if card.state not in USABLE_CARD_STATES:
        raise CardNotUsable(card_no=card_no, state=card.get_state_display())
    if card.member.status != MemberStatus.ACTIVE:
        raise CardNotUsable(card_no=card_no, state=card.member.get_status_display())
    return card


def redeem(
    *, actor: Any, item: str, quantity: int, channel_kind: str, idempotency_key: str, card_no: str = "",
    member: ClubMember | None = None, channel: RedemptionChannel | None = None, location: str = "",
) -> tuple[Redemption, bool]:
    """Redeem ``quantity`` × ``item`` for the holder of ``card_no`` (or ``member``). Returns the
    redemption and whether it was made now (False: the key was seen before)."""
    key = (idempotency_key or "").strip()
    if not key:
        raise InvalidInput(_("idempotency_key: every redemption needs an idempotency key."))
    if len(key) > 80:
        raise InvalidInput(_("idempotency_key: at most 80 characters."))
    if channel_kind not in ChannelKind.values:
        raise InvalidInput(_("channel: unknown channel %(channel)s.") % {"channel": channel_kind})
    quantity = _quantity(quantity)
    source = channel.code if channel is not None else channel_kind
    seen = _seen(source, key, card_no, member, item, quantity)
    if seen is not None:
        return seen, False
    if member is None:
        card = usable_card(card_no)
        member = card.member
    else:
        card = member.cards.filter(state__in=USABLE_CARD_STATES).first()
        if member.status != MemberStatus.ACTIVE:
            raise CardNotUsable(card_no=card.card_no if card else member.member_no, state=member.get_status_display())
    if channel is None and channel_kind in (ChannelKind.STAFF,):
        require_perm(actor, "club.add_redemption")
        require_in_scope(actor, member)
    offer = item_on_offer(item)
    price = item_price(offer, member.level)
    if price is None:
        raise ItemNotForLevel(item=offer.name, level=member.level.name)
    _check_monthly_limit(member, offer)
    points = price * quantity
    try:
        with transaction.atomic():
            redemption = Redemption.objects.create(
                member=member, card=card, item=offer, quantity=quantity, points=points,
                cost=(offer.unit_cost * quantity).quantize(Decimal("0.01")), channel_kind=channel_kind, channel=channel,
                source=source, idempotency_key=key, location=location[:80], operator=ledger._user(actor),
            )
            ledger.debit(member=member, points=points, category=PointsCategory.REDEMPTION, actor=actor,
                         redemption=redemption, card_no=card.card_no if card else "",
                         reason=f"{offer.code} × {quantity}")
            audit_record(
                actor=actor, action="club.redeem", target=redemption,
                after={"card_no": card.card_no if card else "", "item": offer.code, "quantity": quantity,
                       "points": points, "channel": source, "key": key},
                org_unit=member.customer.org_unit, target_repr=f"{member.member_no} {offer.code} × {quantity}",
            )
            _statement(redemption)
            if channel is not None:
                RedemptionChannel.objects.filter(pk=channel.pk).update(last_used_at=timezone.now())
    except IntegrityError:
        seen = _seen(source, key, card_no, member, item, quantity)
        if seen is None:
            raise
        return seen, False
    return redemption, True


def _seen(source: str, key: str, card_no: str, member: Any, item: str, quantity: int) -> Redemption | None:
    found = Redemption.objects.select_related("item", "card", "member").filter(source=source, idempotency_key=key).first()
    if found is None:
        return None
    same = found.item.code == item and found.quantity == quantity and (
        (card_no and found.card and found.card.card_no == card_no) or (member is not None and found.member_id == member.pk)
    )
    if not same:
        raise IdempotencyKeyReused(key=key)
    return found


def _check_monthly_limit(member: ClubMember, item: RedemptionItem) -> None:
    rule = RedemptionRule.objects.filter(item=item, level=member.level).first()
    if rule is None or not rule.monthly_limit:
        return
    month = timezone.localdate().replace(day=1)
    done = Redemption.objects.filter(member=member, item=item, state=RedemptionState.DONE,
                                     created_at__date__gte=month).aggregate(n=Sum("quantity"))["n"] or 0
    if done >= rule.monthly_limit:
        raise MonthlyLimitReached(item=item.name, limit=rule.monthly_limit)


@transaction.atomic
def redemption_reverse(*, actor: Any, redemption: Redemption, reason: str) -> Redemption:
    """冲正: give the points back (to their lots while valid) and mark the redemption reversed."""
    require_perm(actor, "club.reverse_redemption")
    redemption = Redemption.objects.select_for_update().select_related("member__customer__org_unit").get(pk=redemption.pk)
    require_in_scope(actor, redemption.member)
    if not (reason or "").strip():
        raise InvalidInput(_("reason: say why the redemption is reversed."))
    if redemption.state == RedemptionState.REVERSED:
        raise AlreadyReversed()
    spend = PointsEntry.objects.get(redemption=redemption, kind=PointsKind.SPEND)
    ledger.restore(entry=spend, actor=actor, reason=reason, redemption=redemption,
                   grace_days=param("club.reversal_grace_days"))
    redemption.state = RedemptionState.REVERSED
    redemption.reversed_at = timezone.now()
    redemption.reversal_reason = reason.strip()[:300]
    redemption.save(update_fields=["state", "reversed_at", "reversal_reason"])
    audit_record(actor=actor, action="club.redemption_reverse", target=redemption,
                 before={"state": RedemptionState.DONE}, after={"state": redemption.state, "points": redemption.points},
                 reason=reason, org_unit=redemption.member.customer.org_unit)
    return redemption


def _statement(redemption: Redemption) -> None:
    """单次消费帐单: an SMS or e-mail right after the redemption (the bill line comes with the
    monthly statement)."""
    from kams.notify.services import notify

    member = redemption.member
    channel = member.statement_channel
    recipient = member.phone if channel == StatementChannel.SMS else member.email if channel == StatementChannel.EMAIL else ""
    if not recipient:
        return
    balance = member.points.__class__.objects.filter(pk=member.pk).values_list("balance", flat=True).first()
    body = _("Dear %(name)s, you redeemed %(points)s points for %(item)s × %(quantity)s on %(date)s; "
             "%(balance)s points remain.") % {
        "name": member.name, "points": redemption.points, "item": redemption.item.name,
        "quantity": redemption.quantity, "date": timezone.localtime(redemption.created_at).strftime("%Y-%m-%d %H:%M"),
        "balance": balance,
    }
    notify(channel=channel, recipient=recipient, body=body, subject=_("Points redemption"),
           purpose="club.redemption_statement", idempotency_key=f"club-redemption:{redemption.pk}",
           recipient_name=member.name, org_unit=member.customer.org_unit, target=redemption)
    Redemption.objects.filter(pk=redemption.pk).update(statement_sent=True)


def auto_redeem(*, period: datetime.date, chunk: int = 5000) -> int:
    """积分消费自动处理 (CLUB-16): every active member who pre-selected an item and holds
    enough points redeems it once for ``period``, set-based: per chunk one INSERT of the
    redemptions, one of the spend entries, one of the lot uses (earliest expiry first,
    by a running sum), one UPDATE of the lots and one of the balances. Running it again
    for the same period redeems nothing twice (unique member + period)."""
    period = period.replace(day=1)
    today = timezone.localdate()
    done = 0
    last = 0
    while True:
        with transaction.atomic():
            ids = list(
                ClubMember.objects.filter(pk__gt=last, status=MemberStatus.ACTIVE, auto_redeem_item__isnull=False,
                                          auto_redeem_item__is_active=True, auto_redeem_item__auto_redeemable=True)
                .order_by("pk").values_list("pk", flat=True)[:chunk]
            )
            if not ids:
                return done
            last = ids[-1]
            ledger.expire_due(today=today, accounts=ids)
            done += _auto_chunk(ids, period)


def _auto_chunk(member_ids: list[int], period: datetime.date) -> int:
    from kams.club.models import PointsAccount, PointsLot, PointsLotUse

    # Lock the accounts in primary-key order, as spending does.
    list(PointsAccount.objects.select_for_update().filter(pk__in=member_ids).order_by("pk").values_list("pk", flat=True))
    r_t, m_t, i_t, rule_t = (Redemption._meta.db_table, ClubMember._meta.db_table, RedemptionItem._meta.db_table,
                             RedemptionRule._meta.db_table)
    a_t, e_t, l_t, u_t, c_t = (PointsAccount._meta.db_table, PointsEntry._meta.db_table, PointsLot._meta.db_table,
                               PointsLotUse._meta.db_table, Card._meta.db_table)
    ids = ", ".join(str(int(i)) for i in member_ids)
    now = timezone.now()
    price = "COALESCE(rr.points, it.points)"
    with connection.cursor() as cur:
        cur.execute(
            f"""INSERT INTO {r_t} (member_id, card_id, item_id, quantity, points, cost, channel_kind, channel_id, source,
                    idempotency_key, location, operator_id, period, state, reversed_at, reversal_reason, statement_sent,
                    created_at)
                SELECT m.id, (SELECT MAX(c.id) FROM {c_t} c WHERE c.member_id = m.id AND c.state IN ('issued', 'collected')),
                    it.id, 1, {price}, it.unit_cost, %s, NULL, %s, %s || CAST(m.id AS VARCHAR(20)), '', NULL, %s, %s,
                    NULL, '', FALSE, %s
                FROM {m_t} m JOIN {i_t} it ON it.id = m.auto_redeem_item_id
                JOIN {a_t} a ON a.member_id = m.id
                LEFT JOIN {rule_t} rr ON rr.item_id = it.id AND rr.level_id = m.level_id
                WHERE m.id IN ({ids}) AND (rr.id IS NULL OR rr.allowed) AND a.balance >= {price}
                  AND NOT EXISTS (SELECT 1 FROM {r_t} x WHERE x.member_id = m.id AND x.period = %s AND x.channel_kind = %s)""",
            [ChannelKind.AUTO, ChannelKind.AUTO, f"auto:{period:%Y-%m}:", period, RedemptionState.DONE, now, period,
             ChannelKind.AUTO],
        )
        made = cur.rowcount
        if not made:
            return 0
        new = f"r.period = %s AND r.channel_kind = %s AND r.member_id IN ({ids}) AND r.created_at = %s"
        new_params = [period, ChannelKind.AUTO, now]
        cur.execute(
            f"""INSERT INTO {e_t} (account_id, kind, category, points, period, redemption_id, reference, reason, created_at)
                SELECT r.member_id, %s, %s, -r.points, r.period, r.id, '', %s, %s FROM {r_t} r WHERE {new}""",
            [PointsKind.SPEND, PointsCategory.REDEMPTION, "auto", now, *new_params],
        )
        # Lot by lot, earliest expiry first: a lot gives min(remaining, what is still needed
        # after the lots before it).
        takes = f"""SELECT l.id AS lot_id, e.id AS entry_id,
                    MIN(l.remaining, MAX(0, r.points - (SUM(l.remaining) OVER w - l.remaining))) AS take
                FROM {l_t} l JOIN {r_t} r ON r.member_id = l.account_id AND {new}
                JOIN {e_t} e ON e.redemption_id = r.id AND e.kind = %s
                WHERE l.remaining > 0
                WINDOW w AS (PARTITION BY l.account_id ORDER BY l.expires_on, l.id
                             ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"""
        if connection.vendor == "postgresql":
            takes = takes.replace("MIN(l.remaining, MAX(0,", "LEAST(l.remaining, GREATEST(0,")
        take_params = [*new_params, PointsKind.SPEND]
        cur.execute(
            f"INSERT INTO {u_t} (entry_id, lot_id, points) SELECT t.entry_id, t.lot_id, t.take FROM ({takes}) t WHERE t.take > 0",
            take_params,
        )
        cur.execute(
            f"""UPDATE {l_t} SET remaining = remaining - u.points
                FROM (SELECT lu.lot_id, lu.points FROM {u_t} lu JOIN {e_t} e ON e.id = lu.entry_id
                      JOIN {r_t} r ON r.id = e.redemption_id WHERE {new}) u
                WHERE {l_t}.id = u.lot_id""",
            new_params,
        )
        cur.execute(
            f"""UPDATE {a_t} SET balance = balance - d.points, spent = spent + d.points
                FROM (SELECT r.member_id, r.points FROM {r_t} r WHERE {new}) d
                WHERE {a_t}.member_id = d.member_id""",
            new_params,
        )
    return made
