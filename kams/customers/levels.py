"""Customer levels (CUS-07): the qualification rule and the monthly evaluation.

The rule: the highest level of the customer's category whose minimum average monthly
revenue and minimum tenure the customer reaches. ``pick_level`` is the rule itself;
``level_suggest`` (selectors) applies it to one customer, ``levels_evaluate`` to all of them
at once: one aggregate query over the bills, the rule in memory, and a handful of
set-based writes (one UPDATE per target level, bulk-inserted change records). Running it
twice for the same month changes nothing the second time.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import Any, Iterable

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from kams.audit.services import audit_record
from kams.customers.enums import CustomerStatus
from kams.customers.models import Customer, Level, LevelChange, LevelChangeState, LevelEvaluation

CHUNK = 2000


def level_table() -> list[Level]:
    return list(Level.objects.select_related("category").order_by("category__code", "rank"))


def pick_level(levels: Iterable[Level], customer_type: str, revenue: Decimal, tenure: int) -> Level | None:
    for level in levels:
        if customer_type in level.category.customer_types and revenue >= level.min_monthly_revenue and tenure >= level.min_tenure_months:
            return level
    return None


def months_between(start: datetime.date | None, today: datetime.date) -> int:
    if start is None:
        return 0
    return max(0, (today.year - start.year) * 12 + today.month - start.month)


def levels_evaluate(*, actor: Any = None, months: int | None = None, progress: Any = None) -> LevelEvaluation:
    """客户级别评定: judge every current customer with bills in the latest ``months`` billed
    months. Changes are applied at once or proposed for approval, as the system parameter
    ``customers.level_changes_need_approval`` says."""
    from kams.billing.models import BillSummary
    from kams.billing.selectors import latest_periods
    from kams.system.parameters import param

    months = months or param("billing.revenue_months")
    needs_approval = param("customers.level_changes_need_approval")
    periods = latest_periods(months)
    today = timezone.localdate()
    with transaction.atomic():
        evaluation = LevelEvaluation.objects.create(
            period=periods[0] if periods else today.replace(day=1), months=months, needs_approval=needs_approval, created_by=actor
        )
        if not periods:
            return evaluation
        revenue = {
            row["customer"]: row["total"] / row["n"]
            for row in BillSummary.objects.filter(period__in=periods, customer__status=CustomerStatus.CURRENT)
            .values("customer")
            .annotate(total=Sum("total"), n=Count("period", distinct=True))
        }
        levels = level_table()
        by_pk = {level.pk: level for level in levels}
        pending = set(
            LevelChange.objects.filter(state=LevelChangeState.PROPOSED).values_list("customer_id", flat=True)
        )
        targets: dict[int | None, list[int]] = defaultdict(list)
        changes: list[LevelChange] = []
        upgrades = downgrades = 0
        customers = Customer.objects.filter(pk__in=list(revenue)).values_list("pk", "customer_type", "joined_on", "level_id")
        for index, (pk, kind, joined_on, current) in enumerate(customers.iterator(chunk_size=CHUNK), start=1):
            tenure = months_between(joined_on, today)
            amount = revenue[pk].quantize(Decimal("0.01"))
            target = pick_level(levels, kind, amount, tenure)
            target_pk = target.pk if target else None
            if target_pk == current or pk in pending:
                continue
            old_rank = by_pk[current].rank if current in by_pk else 99
            new_rank = target.rank if target else 99
            upgrades += new_rank < old_rank
            downgrades += new_rank > old_rank
            changes.append(
                LevelChange(
                    customer_id=pk, old_level_id=current, new_level_id=target_pk, revenue=amount, tenure_months=tenure,
                    state=LevelChangeState.PROPOSED if needs_approval else LevelChangeState.APPLIED,
                    evaluation=evaluation, decided_at=None if needs_approval else timezone.now(),
                )
            )
            targets[target_pk].append(pk)
            if progress is not None and index % CHUNK == 0:
                progress.advance(CHUNK)
        LevelChange.objects.bulk_create(changes, batch_size=CHUNK)
        if not needs_approval:
            for target_pk, ids in targets.items():
                for start in range(0, len(ids), CHUNK):
                    Customer.objects.filter(pk__in=ids[start : start + CHUNK]).update(level_id=target_pk, updated_at=timezone.now())
        evaluation.evaluated = len(revenue)
        evaluation.upgrades, evaluation.downgrades = upgrades, downgrades
        evaluation.save(update_fields=["evaluated", "upgrades", "downgrades"])
        audit_record(
            actor=actor,
            action="customers.levels_evaluate",
            target=evaluation,
            after={
                "period": f"{evaluation.period:%Y-%m}", "months": months, "evaluated": evaluation.evaluated,
                "upgrades": upgrades, "downgrades": downgrades, "needs_approval": needs_approval,
            },
        )
    return evaluation


@transaction.atomic
def level_changes_decide(*, actor: Any, changes: Iterable[LevelChange], approve: bool, reason: str = "") -> int:
    """Approve (apply) or reject proposed level changes; each decision is recorded."""
    from kams.org.scoping import require_perm

    require_perm(actor, "customers.approve_levelchange")
    ids = [c.pk for c in changes]
    proposed = list(
        LevelChange.objects.visible_to(actor).select_for_update().filter(pk__in=ids, state=LevelChangeState.PROPOSED)
    )
    now = timezone.now()
    for change in proposed:
        change.state = LevelChangeState.APPLIED if approve else LevelChangeState.REJECTED
        change.decided_by, change.decided_at, change.reason = actor, now, reason
    LevelChange.objects.bulk_update(proposed, ["state", "decided_by", "decided_at", "reason"])
    if approve:
        by_target: dict[int | None, list[int]] = defaultdict(list)
        for change in proposed:
            by_target[change.new_level_id].append(change.customer_id)
        for target, customer_ids in by_target.items():
            Customer.objects.filter(pk__in=customer_ids).update(level_id=target, updated_at=now)
    audit_record(
        actor=actor,
        action="customers.level_changes_approve" if approve else "customers.level_changes_reject",
        after={"changes": len(proposed), "customers": [c.customer_id for c in proposed][:500]},
        reason=reason,
        target_repr=str(len(proposed)),
    )
    return len(proposed)
