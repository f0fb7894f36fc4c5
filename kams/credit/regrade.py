"""Automatic re-grading (信用度评定) from payment history and arrears (CUS-08).

Like the monthly level evaluation: accounts without a grade first get their initial grade;
then one aggregate query over the bills of the judged window gives every billed account's
figures, ``pick_grade`` applies the standards in memory, and a handful of set-based writes
follow (one UPDATE per target grade, bulk-inserted log rows). Running it twice changes
nothing the second time. A grade set by hand within ``credit.manual_hold_days`` is left alone.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kams.audit.services import audit_record
from kams.credit.enums import CreditGrade, CreditSource
from kams.credit.grading import history_annotations, judged_window, limit_for, pick_grade, standard_table
from kams.credit.models import AccountCredit, CreditChange, CreditRun
from kams.credit.services import assessor_of, credit_log_entry, credits_initial_assign_all
from kams.customers.enums import AccountStatus

CHUNK = 2000


def credit_regrade_run(*, actor: Any = None, progress: Any = None, job: Any = None) -> CreditRun:
    from kams.billing.models import BillSummary
    from kams.billing.selectors import latest_periods
    from kams.system.parameters import param

    with transaction.atomic():
        run = CreditRun.objects.create(created_by=actor if getattr(actor, "pk", None) else None, job=job)
        run.initial = credits_initial_assign_all(actor=actor, run=run)
        standards = standard_table()
        periods = latest_periods(judged_window(standards))
        moved: dict[str, list[int]] = defaultdict(list)
        if periods:
            run.period = periods[0]
            moved, run.evaluated, run.kept_manual = _regrade(
                actor=actor, run=run, standards=standards, periods=periods, hold_days=param("credit.manual_hold_days"),
                bills=BillSummary.objects, progress=progress,
            )
        run.to_red, run.to_grey, run.to_black = (len(moved[g]) for g in (CreditGrade.RED, CreditGrade.GREY, CreditGrade.BLACK))
        run.save()
        audit_record(
            actor=actor,
            action="credit.regrade",
            target=run,
            after={
                "period": f"{run.period:%Y-%m}" if run.period else None, "evaluated": run.evaluated,
                "initial": run.initial, "to_red": run.to_red, "to_grey": run.to_grey, "to_black": run.to_black,
                "kept_manual": run.kept_manual,
                "accounts": sorted(pk for ids in moved.values() for pk in ids)[:500],
            },
            target_repr=f"{run.pk}",
        )
    return run


def _regrade(*, actor, run, standards, periods, hold_days, bills, progress) -> tuple[dict[str, list[int]], int, int]:
    now = timezone.now()
    hold_from = now - datetime.timedelta(days=hold_days)
    annotations = history_annotations(standards, periods)
    if not annotations:  # no standard has thresholds: nothing to judge
        return defaultdict(list), 0, 0
    rows = (
        bills.filter(period__gte=periods[-1], account__status=AccountStatus.ACTIVE)
        .values("account")
        .annotate(**annotations)
        .order_by()
    )
    current = {
        account_id: (grade, limit, source, assessed_at)
        for account_id, grade, limit, source, assessed_at in AccountCredit.objects.filter(
            account__status=AccountStatus.ACTIVE
        ).values_list("account_id", "grade", "limit", "source", "assessed_at").iterator(chunk_size=CHUNK)
    }
    moved: dict[str, list[int]] = defaultdict(list)
    changes: list[CreditChange] = []
    evaluated = kept = 0
    for index, row in enumerate(rows.iterator(chunk_size=CHUNK), start=1):
        account_id = row["account"]
        if account_id not in current:
            continue
        evaluated += 1
        grade, limit, source, assessed_at = current[account_id]
        target, reasons, basis = pick_grade(standards, row)
        if target == grade:
            continue
        if source == CreditSource.MANUAL and assessed_at >= hold_from:
            kept += 1
            continue
        changes.append(
            credit_log_entry(
                account_id=account_id, old=AccountCredit(grade=grade, limit=limit), grade=target,
                limit=limit_for(standards, target), source=CreditSource.AUTOMATIC, reason="; ".join(reasons),
                actor=actor, at=now, run=run, basis={**basis, "period": f"{periods[0]:%Y-%m}"},
            )
        )
        moved[target].append(account_id)
        if progress is not None and index % CHUNK == 0:
            progress.advance(CHUNK)
    CreditChange.objects.bulk_create(changes, batch_size=CHUNK)
    _user, staff, name = assessor_of(actor)
    # The figures behind each change are in its log row; the account keeps a short pointer.
    reason = _("Automatic re-grading #%(run)s") % {"run": run.pk}
    for target, ids in moved.items():
        for start in range(0, len(ids), CHUNK):
            AccountCredit.objects.filter(account_id__in=ids[start : start + CHUNK]).update(
                grade=target, limit=limit_for(standards, target), limit_is_custom=False, source=CreditSource.AUTOMATIC,
                reason=reason, assessed_at=now, assessed_by=staff, assessor_name=name, changed_at=now,
            )
    return moved, evaluated, kept
