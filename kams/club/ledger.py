"""The points ledger (积分帐): the only code that writes points.

Invariants, asserted by the tests (``tests/test_ledger_properties.py``):

* the sum of an account's entries equals its ``balance``, which never goes below zero
  (database check);
* the sum of the ``remaining`` points of an account's lots equals its balance; no lot goes
  below zero or above its points (database check);
* spending takes the earliest-expiring lots first and never a lot past its expiry date;
* expiry takes only what is left of a lot (``remaining``), never points already spent, and
  each lot expires once (unique constraint).

Every function here runs inside the caller's transaction and locks the account row first
(``SELECT … FOR UPDATE``), so two spendings of one account are serialised and the second
sees the first's balance. These functions check no permission: the services that call them
(redemption, adjustments, activities, partner exchange) check permission and scope and
write the audit log.
"""

from __future__ import annotations

import calendar
import datetime
from typing import Any, Iterable

from django.db import connection, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kams.club.enums import ExpiryMode, PointsCategory, PointsKind
from kams.club.errors import InsufficientPoints
from kams.club.models import ClubMember, ExpiryRule, PointsAccount, PointsEntry, PointsLot, PointsLotUse
from kams.core.errors import InvalidInput


def month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return datetime.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def expiry_rule_for(day: datetime.date) -> ExpiryRule | None:
    return ExpiryRule.objects.filter(valid_from__lte=day).order_by("-valid_from").first()


def expiry_date(earned_on: datetime.date, rule: ExpiryRule | None = None) -> datetime.date:
    """积分有效期: the last day points earned on ``earned_on`` may be spent."""
    rule = rule or expiry_rule_for(earned_on)
    if rule is None:  # no rule from headquarters yet: two years to the end of the month
        return month_end(add_months(earned_on, 24))
    if rule.mode == ExpiryMode.YEARS:
        return datetime.date(earned_on.year + rule.length, 12, 31)
    return month_end(add_months(earned_on, rule.length))


def _positive(points: Any) -> int:
    if isinstance(points, bool) or not isinstance(points, int) or points <= 0:
        raise InvalidInput(_("points: give a whole number of points greater than zero."))
    return points


def _locked_account(member: ClubMember | int) -> PointsAccount:
    member_id = member if isinstance(member, int) else member.pk
    account = PointsAccount.objects.select_for_update().filter(pk=member_id).first()
    if account is None:  # members made before their account (bulk loads): open it now
        account, _created = PointsAccount.objects.get_or_create(member_id=member_id)
        account = PointsAccount.objects.select_for_update().get(pk=member_id)
    return account


def _existing(member_id: int, reference: str) -> PointsEntry | None:
    if not reference:
        return None
    return PointsEntry.objects.filter(account_id=member_id, reference=reference).first()


def credit(
    *, member: ClubMember, points: int, category: str, actor: Any = None, reason: str = "", reference: str = "",
    earned_on: datetime.date | None = None, approver: Any = None, kind: str = PointsKind.EARN,
) -> PointsEntry:
    """Add ``points`` as a new lot expiring by the expiry rule of ``earned_on`` (today).
    The same ``reference`` again returns the first entry and credits nothing."""
    _positive(points)
    if category not in PointsCategory.values:
        raise InvalidInput(_("category: unknown points category %(category)s.") % {"category": category})
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ledger.credit must run inside the caller's transaction")
    account = _locked_account(member)
    found = _existing(account.pk, reference)
    if found is not None:
        return found
    earned_on = earned_on or timezone.localdate()
    lot = PointsLot.objects.create(account=account, points=points, remaining=points, category=category,
                                   earned_on=earned_on, expires_on=expiry_date(earned_on))
    entry = PointsEntry.objects.create(
        account=account, kind=kind, category=category, points=points, lot=lot, reference=reference,
        reason=reason[:300], actor=_user(actor), approver=_user(approver),
    )
    PointsAccount.objects.filter(pk=account.pk).update(balance=F("balance") + points, earned=F("earned") + points)
    return entry


def debit(
    *, member: ClubMember, points: int, category: str, actor: Any = None, reason: str = "", reference: str = "",
    kind: str = PointsKind.SPEND, redemption: Any = None, approver: Any = None, card_no: str = "",
) -> PointsEntry:
    """Take ``points`` from the earliest-expiring valid lots. Fewer points than asked:
    ``InsufficientPoints`` and nothing changes."""
    _positive(points)
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ledger.debit must run inside the caller's transaction")
    account = _locked_account(member)
    found = _existing(account.pk, reference)
    if found is not None:
        return found
    today = timezone.localdate()
    expire_due(today=today, accounts=[account.pk])  # lots past their date are not spendable
    account.refresh_from_db(fields=["balance"])
    if account.balance < points:
        raise InsufficientPoints(card_no=card_no or _card_no(account.pk), balance=account.balance, points=points)
    entry = PointsEntry.objects.create(
        account=account, kind=kind, category=category, points=-points, reference=reference, reason=reason[:300],
        actor=_user(actor), approver=_user(approver), redemption=redemption,
    )
    need, uses = points, []
    lots = PointsLot.objects.select_for_update().filter(account=account, remaining__gt=0).order_by("expires_on", "id")
    for lot in lots.only("id", "remaining").iterator(chunk_size=200):
        take = min(need, lot.remaining)
        PointsLot.objects.filter(pk=lot.pk).update(remaining=F("remaining") - take)
        uses.append(PointsLotUse(entry=entry, lot_id=lot.pk, points=take))
        need -= take
        if need == 0:
            break
    if need:  # the lots do not hold the balance: the ledger is broken, refuse
        raise RuntimeError(f"points account {account.pk}: lots hold less than the balance")
    PointsLotUse.objects.bulk_create(uses)
    spent = points if kind == PointsKind.SPEND else 0
    changed = PointsAccount.objects.filter(pk=account.pk, balance__gte=points).update(
        balance=F("balance") - points, spent=F("spent") + spent
    )
    if changed != 1:
        raise InsufficientPoints(card_no=card_no or _card_no(account.pk), balance=account.balance, points=points)
    return entry


def restore(*, entry: PointsEntry, kind: str = PointsKind.REVERSE, category: str = PointsCategory.REDEMPTION,
            actor: Any = None, reason: str = "", redemption: Any = None, grace_days: int = 30) -> PointsEntry:
    """Give back what ``entry`` took, to the same lots while they are valid; points of lots
    that have expired since go into a new lot valid ``grace_days`` more."""
    account = _locked_account(entry.account_id)
    today = timezone.localdate()
    points = -entry.points
    restored = PointsEntry.objects.create(
        account=account, kind=kind, category=category, points=points, reason=reason[:300], actor=_user(actor),
        redemption=redemption,
    )
    late = 0
    for use in entry.lot_uses.select_related("lot"):
        if use.lot.expires_on >= today:
            PointsLot.objects.filter(pk=use.lot_id).update(remaining=F("remaining") + use.points)
        else:
            late += use.points
    if late:
        PointsLot.objects.create(account=account, points=late, remaining=late, category=category, earned_on=today,
                                 expires_on=today + datetime.timedelta(days=grace_days))
    spent = points if entry.kind == PointsKind.SPEND else 0
    PointsAccount.objects.filter(pk=account.pk).update(balance=F("balance") + points, spent=F("spent") - spent)
    return restored


def expire_due(*, today: datetime.date | None = None, accounts: Iterable[int] | None = None) -> int:
    """积分清零: every lot whose last day is before ``today`` loses what is left of it, in three
    set-based statements: one expiry entry per lot, the balances, the lots. Returns the
    number of lots expired. Runs inside the caller's transaction or its own."""
    today = today or timezone.localdate()
    with transaction.atomic():
        due = PointsLot.objects.filter(expires_on__lt=today, remaining__gt=0)
        if accounts is not None:
            due = due.filter(account_id__in=list(accounts))
        # Lock the accounts first, in the order spending does, so a redemption and the
        # expiry of the same account never interleave.
        account_ids = list(
            PointsAccount.objects.select_for_update().filter(pk__in=due.values("account_id")).order_by("pk")
            .values_list("pk", flat=True)
        )
        if not account_ids:
            return 0
        lot_t, entry_t, account_t = PointsLot._meta.db_table, PointsEntry._meta.db_table, PointsAccount._meta.db_table
        where, params = _due_where(today, account_ids if accounts is not None else None)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {entry_t} (account_id, kind, category, points, lot_id, reference, reason, created_at) "
                f"SELECT account_id, %s, %s, -remaining, id, '', '', %s FROM {lot_t} WHERE {where}",
                [PointsKind.EXPIRE, PointsCategory.EXPIRY, timezone.now(), *params],
            )
            expired = cursor.rowcount
            cursor.execute(
                f"UPDATE {account_t} SET balance = balance - d.total, expired = expired + d.total "
                f"FROM (SELECT account_id, SUM(remaining) AS total FROM {lot_t} WHERE {where} GROUP BY account_id) d "
                f"WHERE {account_t}.member_id = d.account_id",
                params,
            )
            cursor.execute(f"UPDATE {lot_t} SET remaining = 0 WHERE {where}", params)
        return expired


def _due_where(today: datetime.date, account_ids: list[int] | None) -> tuple[str, list[Any]]:
    where, params = "expires_on < %s AND remaining > 0", [today]
    if account_ids is not None:
        where += f" AND account_id IN ({', '.join(['%s'] * len(account_ids))})"
        params += account_ids
    return where, params


def expiring(*, within_days: int, today: datetime.date | None = None):
    """Per account, the points that expire in the next ``within_days`` days (积分到期预警)."""
    today = today or timezone.localdate()
    return (
        PointsLot.objects.filter(remaining__gt=0, expires_on__gte=today,
                                 expires_on__lte=today + datetime.timedelta(days=within_days))
        .values("account_id").annotate(points=Sum("remaining"))
    )


def _card_no(member_id: int) -> str:
    from kams.club.models import Card

    return Card.objects.filter(member_id=member_id).order_by("-id").values_list("card_no", flat=True).first() or ""


def _user(actor: Any) -> Any:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) and actor.pk else None
