"""会员级别管理 (CLUB-02): level definitions and rules, the qualification review (会员资格审核),
the monthly upgrade/downgrade (会员升降级处理), manual changes (会员级别修改) and the annual
inspection (会员年检).

The rule. A member's figure for a level is the average monthly paid bill over that level's
``review_months`` months up to the judged billed month (a month without bills counts as zero):
the bills of the member's number, or of the whole customer when the member has no number.
Tenure is counted in months from ``network_since`` (else the customer's ``joined_on``).

* ``pick_level``: the highest level whose ``min_monthly_paid`` and ``min_tenure_months`` the
  member reaches — admission and upgrade.
* ``judge``: upgrade to ``pick_level`` when it is higher than the current level; otherwise,
  below the current level's ``keep_monthly_paid``, downgrade to the highest lower level whose
  keep threshold is still reached (else the lowest level).
* The annual inspection keeps every member who still keeps some level and suspends the others.

``paid_averages`` gives the figures of any number of members with ONE aggregate query over
the bills; the batch functions then decide in memory and write set-based (``bulk_create`` of
the change records, one UPDATE per target level). The monthly run changes a member at most
once per period (``club_auto_level_once``): running a period again changes nothing.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Iterable

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kams.audit.services import audit_record, snapshot
from kams.club.enums import LevelChangeKind, MemberStatus
from kams.club.ledger import add_months
from kams.club.models import ClubLevel, ClubMember, LevelRun, MemberLevelChange
from kams.core.errors import Conflict, InvalidInput, KamsError
from kams.org.scoping import require_in_scope, require_perm

CHUNK = 2000
CENT = Decimal("0.01")
LEVEL_FIELDS = ("name", "roaming", "min_monthly_paid", "keep_monthly_paid", "min_tenure_months", "review_months",
                "card_fee", "description", "is_active")
MEMBER_ROW = ("pk", "customer_id", "msisdn", "level_id", "network_since", "customer__joined_on")


class NoBills(KamsError):
    code = "club.no_bills"
    status = 409
    message = gettext_lazy("No bills of %(period)s have been imported: levels are judged on imported bills only.")


class NotApplied(KamsError):
    code = "club.not_applied"
    status = 409
    message = gettext_lazy("This member is %(status)s, not awaiting the qualification review.")


# --- Periods and figures -----------------------------------------------------------------------------


def parse_period(value: Any) -> datetime.date:
    """A month given as ``YYYY-MM`` (or a date): its first day. Only a month that has ended."""
    if isinstance(value, datetime.date):
        month = value.replace(day=1)
    else:
        try:
            month = datetime.datetime.strptime(str(value).strip(), "%Y-%m").date()
        except ValueError:
            raise InvalidInput(_("period: give the month as YYYY-MM, e.g. 2026-10.")) from None
    if month >= timezone.localdate().replace(day=1):
        raise InvalidInput(_("period: only a month that has ended can be judged."))
    return month


def latest_billed_period() -> datetime.date | None:
    from kams.billing.selectors import latest_period

    return latest_period()


def months_between(start: datetime.date | None, period: datetime.date) -> int:
    """Whole months on the network from ``start`` to the judged month."""
    if start is None:
        return 0
    return max(0, (period.year - start.year) * 12 + period.month - start.month)


@dataclass(frozen=True)
class MemberRow:
    """What the batch rules need of a member (read with ``values_list(*MEMBER_ROW)``)."""

    pk: int
    customer_id: int
    msisdn: str
    level_id: int
    network_since: datetime.date | None
    customer_joined_on: datetime.date | None

    def tenure(self, period: datetime.date) -> int:
        return months_between(self.network_since or self.customer_joined_on, period)


def member_rows(queryset: QuerySet) -> list[MemberRow]:
    return [MemberRow(*row) for row in queryset.values_list(*MEMBER_ROW).iterator(chunk_size=CHUNK)]


def paid_averages(members: QuerySet, rows: Iterable[MemberRow], *, period: datetime.date,
                  windows: Iterable[int]) -> dict[int, dict[int, Decimal]]:
    """member id → {months: average monthly paid over that many months up to ``period``},
    for every member of ``rows`` (``members`` is the same set as a queryset, used inside the
    one aggregate query so that no id list travels to the database)."""
    windows = sorted({max(1, int(w)) for w in windows}) or [1]
    start = add_months(period, -(windows[-1] - 1))
    rows = list(rows)
    bills = (
        _bills_model().objects.filter(period__gte=start, period__lte=period)
        .filter(Q(customer__in=members.filter(msisdn="").values("customer_id"))
                | Q(msisdn__in=members.exclude(msisdn="").values("msisdn")))
        .values("customer_id", "msisdn")
        .annotate(**{f"w{m}": Sum("paid", filter=Q(period__gte=add_months(period, -(m - 1)))) for m in windows})
        .order_by()
    )
    by_customer: dict[int, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    by_number: dict[tuple[int, str], dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for bill in bills.iterator(chunk_size=CHUNK):
        for m in windows:
            amount = _money(bill[f"w{m}"])
            by_customer[bill["customer_id"]][m] += amount
            if bill["msisdn"]:
                by_number[(bill["customer_id"], bill["msisdn"])][m] += amount
    result = {}
    for row in rows:
        sums = by_number.get((row.customer_id, row.msisdn), {}) if row.msisdn else by_customer.get(row.customer_id, {})
        result[row.pk] = {m: (sums.get(m, Decimal("0")) / m).quantize(CENT) for m in windows}
    return result


def _bills_model():
    from kams.billing.models import BillSummary

    return BillSummary


def _money(value: Any) -> Decimal:
    # SQLite sums decimals as floating point.
    return Decimal(str(value or 0)).quantize(CENT)


def level_table(*, active_only: bool = True) -> list[ClubLevel]:
    levels = ClubLevel.objects.order_by("rank")
    return list(levels.filter(is_active=True) if active_only else levels)


def windows_of(levels: Iterable[ClubLevel]) -> set[int]:
    return {level.review_months for level in levels} or {3}


def qualifies(level: ClubLevel, averages: dict[int, Decimal], tenure: int) -> bool:
    """Admission and upgrade: the level's minimum average and tenure are reached."""
    return averages.get(level.review_months, Decimal("0")) >= level.min_monthly_paid and tenure >= level.min_tenure_months


def keeps(level: ClubLevel, averages: dict[int, Decimal]) -> bool:
    """A member keeps ``level`` while the average stays at or above its keep threshold."""
    return averages.get(level.review_months, Decimal("0")) >= level.keep_monthly_paid


def pick_level(levels: list[ClubLevel], averages: dict[int, Decimal], tenure: int) -> ClubLevel | None:
    """The highest level (``levels`` ordered by rank) the member qualifies for."""
    return next((level for level in levels if qualifies(level, averages, tenure)), None)


def judge(levels: list[ClubLevel], current: ClubLevel, averages: dict[int, Decimal], tenure: int) -> ClubLevel | None:
    """The level the monthly run moves a member at ``current`` to, or None to stay."""
    best = pick_level(levels, averages, tenure)
    if best is not None and best.rank < current.rank:
        return best
    if current.is_active and keeps(current, averages):
        return None
    below = [level for level in levels if level.rank > current.rank]
    if not below:
        return None  # the lowest level: the annual inspection decides
    return next((level for level in below if keeps(level, averages)), below[-1])


# --- Level definitions (级别定义维护, 级别规则管理) -------------------------------------------------------


@transaction.atomic
def level_update(*, actor: Any, level: ClubLevel, reason: str = "", **values: Any) -> ClubLevel:
    """Change a level's definition and rules (thresholds, tenure, months reviewed …)."""
    require_perm(actor, "club.change_clublevel")
    unknown = set(values) - set(LEVEL_FIELDS)
    if unknown:
        raise InvalidInput(_("Unknown level fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    level = ClubLevel.objects.select_for_update().get(pk=level.pk)
    before = snapshot(level, LEVEL_FIELDS)
    for name, value in values.items():
        setattr(level, name, value)
    _check_level(level)
    level.save()
    after = snapshot(level, LEVEL_FIELDS)
    changed = {k: v for k, v in after.items() if before[k] != v}
    if changed:
        audit_record(actor=actor, action="club.level_update", target=level,
                     before={k: before[k] for k in changed}, after=changed, reason=reason)
    return level


def _check_level(level: ClubLevel) -> None:
    if not (level.name or "").strip():
        raise InvalidInput(_("name: a level needs a name."))
    for field in ("min_monthly_paid", "keep_monthly_paid", "card_fee"):
        value = getattr(level, field)
        if value is None or Decimal(value) < 0:
            raise InvalidInput(_("%(field)s: give an amount of zero or more.") % {"field": field})
    if Decimal(level.keep_monthly_paid) > Decimal(level.min_monthly_paid):
        raise InvalidInput(_("keep_monthly_paid: the amount to keep a level cannot be above the amount to reach it."))
    if not 1 <= int(level.review_months or 0) <= 24:
        raise InvalidInput(_("review_months: between 1 and 24 months are reviewed."))
    if int(level.min_tenure_months) < 0:
        raise InvalidInput(_("min_tenure_months: give zero or more months."))
    # A higher level must ask more than a lower one, or the rule could not tell them apart.
    if not level.is_active:
        return
    others = ClubLevel.objects.filter(is_active=True).exclude(pk=level.pk)
    higher = others.filter(rank__lt=level.rank, min_monthly_paid__lte=level.min_monthly_paid).first()
    if higher is not None:
        raise InvalidInput(_("min_monthly_paid: %(level)s must ask less than %(other)s.")
                           % {"level": level.name, "other": higher.name})
    lower = others.filter(rank__gt=level.rank, min_monthly_paid__gte=level.min_monthly_paid).first()
    if lower is not None:
        raise InvalidInput(_("min_monthly_paid: %(level)s must ask more than %(other)s.")
                           % {"level": level.name, "other": lower.name})


# --- Qualification review (会员资格审核) -------------------------------------------------------------


@dataclass(frozen=True)
class ReviewFigures:
    """What the reviewer sees of an applicant, judged on the latest billed month."""

    period: datetime.date | None
    level: ClubLevel
    average: Decimal
    tenure: int
    meets_paid: bool
    meets_tenure: bool
    suggested: ClubLevel | None


def review_figures(members: list[ClubMember], *, period: datetime.date | None = None) -> dict[int, ReviewFigures]:
    """The figures of each applicant against its level's rules: one aggregate query for all."""
    if not members:
        return {}
    period = period or latest_billed_period()
    levels = level_table()
    queryset = ClubMember.objects.filter(pk__in=[m.pk for m in members])
    rows = member_rows(queryset)
    windows = windows_of([*levels, *(m.level for m in members)])
    averages = paid_averages(queryset, rows, period=period, windows=windows) if period else {}
    result = {}
    by_pk = {m.pk: m for m in members}
    for row in rows:
        member = by_pk[row.pk]
        tenure = row.tenure(period or timezone.localdate())
        figures = averages.get(row.pk, {m: Decimal("0") for m in windows})
        level = member.level
        result[row.pk] = ReviewFigures(
            period=period, level=level, average=figures.get(level.review_months, Decimal("0")), tenure=tenure,
            meets_paid=figures.get(level.review_months, Decimal("0")) >= level.min_monthly_paid,
            meets_tenure=tenure >= level.min_tenure_months, suggested=pick_level(levels, figures, tenure),
        )
    return result


def _locked_member(actor: Any, member: ClubMember, perm: str) -> ClubMember:
    require_perm(actor, perm)
    member = ClubMember.objects.select_for_update().select_related("customer__org_unit", "level").get(pk=member.pk)
    require_in_scope(actor, member)
    return member


@transaction.atomic
def member_approve(*, actor: Any, member: ClubMember, level: ClubLevel | None = None, note: str = "") -> ClubMember:
    """Admit an applicant (→ active, member since today), at its level or at ``level``."""
    member = _locked_member(actor, member, "club.review_clubmember")
    if member.status != MemberStatus.APPLIED:
        raise NotApplied(status=member.get_status_display())
    old_level = member.level
    member.level = level or member.level
    member.status, member.joined_on = MemberStatus.ACTIVE, timezone.localdate()
    member.save(update_fields=["level", "status", "joined_on", "updated_at"])
    MemberLevelChange.objects.create(
        member=member, kind=LevelChangeKind.ADMISSION, old_level=old_level, new_level=member.level,
        old_status=MemberStatus.APPLIED, new_status=MemberStatus.ACTIVE, reason=note.strip()[:300], decided_by=actor,
    )
    audit_record(actor=actor, action="club.member_approve", target=member,
                 before={"status": MemberStatus.APPLIED, "level": str(old_level)},
                 after={"status": member.status, "level": str(member.level)}, reason=note,
                 org_unit=member.customer.org_unit)
    return member


@transaction.atomic
def member_reject(*, actor: Any, member: ClubMember, reason: str) -> ClubMember:
    """Refuse an applicant, saying why."""
    member = _locked_member(actor, member, "club.review_clubmember")
    if not (reason or "").strip():
        raise InvalidInput(_("reason: say why the application is rejected."))
    if member.status != MemberStatus.APPLIED:
        raise NotApplied(status=member.get_status_display())
    member.status = MemberStatus.REJECTED
    member.save(update_fields=["status", "updated_at"])
    MemberLevelChange.objects.create(
        member=member, kind=LevelChangeKind.ADMISSION, old_level=member.level, new_level=member.level,
        old_status=MemberStatus.APPLIED, new_status=MemberStatus.REJECTED, reason=reason.strip()[:300],
        decided_by=actor,
    )
    audit_record(actor=actor, action="club.member_reject", target=member, before={"status": MemberStatus.APPLIED},
                 after={"status": member.status}, reason=reason, org_unit=member.customer.org_unit)
    return member


# --- Manual change (会员级别修改) --------------------------------------------------------------------


@transaction.atomic
def member_level_change(*, actor: Any, member: ClubMember, level: ClubLevel, reason: str,
                        status: str | None = None) -> ClubMember:
    """Set a member's level by hand, with a reason; ``status`` may reinstate a suspended
    member (active) or suspend an active one."""
    member = _locked_member(actor, member, "club.review_clubmember")
    if not (reason or "").strip():
        raise InvalidInput(_("reason: say why the level is changed by hand."))
    if member.status not in (MemberStatus.ACTIVE, MemberStatus.SUSPENDED):
        raise Conflict(_("Only an active or suspended member's level can be changed; this member is %(status)s.")
                       % {"status": member.get_status_display()})
    if status not in (None, "", MemberStatus.ACTIVE, MemberStatus.SUSPENDED):
        raise InvalidInput(_("status: a member can only be made active or suspended here."))
    new_status = status or member.status
    if level.pk == member.level_id and new_status == member.status:
        raise InvalidInput(_("level: the member is at this level already."))
    old_level, old_status = member.level, member.status
    member.level, member.status = level, new_status
    member.save(update_fields=["level", "status", "updated_at"])
    MemberLevelChange.objects.create(
        member=member, kind=LevelChangeKind.MANUAL, old_level=old_level, new_level=level, old_status=old_status,
        new_status=new_status, reason=reason.strip()[:300], decided_by=actor,
    )
    audit_record(actor=actor, action="club.member_level_change", target=member,
                 before={"level": str(old_level), "status": old_status},
                 after={"level": str(level), "status": new_status}, reason=reason, org_unit=member.customer.org_unit)
    return member


# --- Runs: the monthly upgrade/downgrade and the annual inspection --------------------------------------


def _run_row(kind: str, period: datetime.date, actor: Any) -> LevelRun:
    """The run row of ``kind`` and ``period``, locked: two runs of one period take turns."""
    for _attempt in range(3):
        run = LevelRun.objects.select_for_update().filter(kind=kind, period=period).first()
        if run is not None:
            return run
        try:
            with transaction.atomic():
                return LevelRun.objects.create(kind=kind, period=period, started_by=_user(actor))
        except IntegrityError:  # another run created it meanwhile: lock that one
            continue
    raise Conflict()


def _user(actor: Any) -> Any:
    return actor if actor is not None and getattr(actor, "pk", None) else None


def _update_levels(targets: dict[int, list[int]], now: datetime.datetime) -> None:
    for level_id, ids in targets.items():
        for start in range(0, len(ids), CHUNK):
            ClubMember.objects.filter(pk__in=ids[start:start + CHUNK]).update(level_id=level_id, updated_at=now)


def levels_evaluate(*, actor: Any, period: Any, progress: Any = None) -> LevelRun:
    """会员升降级处理: judge every active member on the bills up to ``period`` (a billed
    month) and move those whose level changes. ``actor`` None is the scheduled run."""
    if actor is not None:
        require_perm(actor, "club.review_clubmember")
    period = parse_period(period)
    if not _bills_model().objects.filter(period=period).exists():
        raise NoBills(period=f"{period:%Y-%m}")
    levels = level_table()
    by_pk = {level.pk: level for level in level_table(active_only=False)}
    now = timezone.now()
    with transaction.atomic():
        run = _run_row(LevelChangeKind.AUTO, period, actor)
        done = set(MemberLevelChange.objects.filter(kind=LevelChangeKind.AUTO, period=period)
                   .values_list("member_id", flat=True))
        active = ClubMember.objects.filter(status=MemberStatus.ACTIVE)
        rows = member_rows(active)
        averages = paid_averages(active, rows, period=period, windows=windows_of(by_pk.values())) if levels else {}
        changes, targets = [], defaultdict(list)
        upgrades = downgrades = 0
        for row in rows if levels else []:  # without active levels there is nothing to judge against
            if row.pk in done:
                continue
            current = by_pk[row.level_id]
            target = judge(levels, current, averages[row.pk], row.tenure(period))
            if target is None or target.pk == current.pk:
                continue
            up = target.rank < current.rank
            upgrades, downgrades = upgrades + up, downgrades + (not up)
            average = averages[row.pk].get(target.review_months if up else current.review_months)
            changes.append(MemberLevelChange(
                member_id=row.pk, kind=LevelChangeKind.AUTO, old_level=current, new_level=target,
                old_status=MemberStatus.ACTIVE, new_status=MemberStatus.ACTIVE, period=period, avg_paid=average,
                reason=(_("Upgrade: average monthly paid %(avg)s reaches %(min)s") % {"avg": average, "min": target.min_monthly_paid}
                        if up else
                        _("Downgrade: average monthly paid %(avg)s is below %(keep)s") % {"avg": average, "keep": current.keep_monthly_paid}),
                decided_by=_user(actor),
            ))
            targets[target.pk].append(row.pk)
        MemberLevelChange.objects.bulk_create(changes, batch_size=CHUNK)
        _update_levels(targets, now)
        run.evaluated, run.runs = len(rows), run.runs + 1
        run.upgrades, run.downgrades = run.upgrades + upgrades, run.downgrades + downgrades
        run.finished_at = now
        run.save(update_fields=["evaluated", "runs", "upgrades", "downgrades", "finished_at"])
        audit_record(actor=_user(actor), action="club.levels_evaluate", target=run,
                     after={"period": f"{period:%Y-%m}", "evaluated": len(rows), "upgrades": upgrades,
                            "downgrades": downgrades})
    if progress is not None:
        progress.set_total(len(rows))
        progress.advance(len(rows), message=f"{period:%Y-%m}")
    return run


def inspection_due(today: datetime.date) -> Q:
    """年检 is due a year after the last inspection, or, never inspected, a year after joining."""
    cutoff = add_months(today, -12)
    return Q(inspected_on__lte=cutoff) | (Q(inspected_on__isnull=True) & (Q(joined_on__isnull=True) | Q(joined_on__lte=cutoff)))


def members_inspect(*, actor: Any, period: Any = None, today: datetime.date | None = None) -> LevelRun:
    """会员年检: every active member whose inspection is due is judged on the bills up to
    ``period`` (default: the latest billed month). Who still keeps some level keeps its level;
    who keeps none is suspended. Each inspected member gets a change record."""
    if actor is not None:
        require_perm(actor, "club.inspect_clubmember")
    today = today or timezone.localdate()
    period = parse_period(period) if period else latest_billed_period()
    if period is None or not _bills_model().objects.filter(period=period).exists():
        raise NoBills(period=f"{period:%Y-%m}" if period else "—")
    levels = level_table()
    by_pk = {level.pk: level for level in level_table(active_only=False)}
    now = timezone.now()
    with transaction.atomic():
        run = _run_row(LevelChangeKind.INSPECTION, today, actor)
        due = ClubMember.objects.filter(status=MemberStatus.ACTIVE).filter(inspection_due(today))
        rows = member_rows(due)
        averages = paid_averages(due, rows, period=period, windows=windows_of(by_pk.values())) if rows else {}
        kept, suspended, changes = [], [], []
        for row in rows:
            current = by_pk[row.level_id]
            figures = averages[row.pk]
            average = figures.get(current.review_months)
            keeping = any(keeps(level, figures) for level in levels)
            (kept if keeping else suspended).append(row.pk)
            changes.append(MemberLevelChange(
                member_id=row.pk, kind=LevelChangeKind.INSPECTION, old_level=current, new_level=current,
                old_status=MemberStatus.ACTIVE,
                new_status=MemberStatus.ACTIVE if keeping else MemberStatus.SUSPENDED, period=today, avg_paid=average,
                reason=(_("Inspection passed: average monthly paid %(avg)s") % {"avg": average} if keeping else
                        _("Inspection failed: average monthly paid %(avg)s keeps no level") % {"avg": average}),
                decided_by=_user(actor),
            ))
        MemberLevelChange.objects.bulk_create(changes, batch_size=CHUNK)
        for start in range(0, len(kept), CHUNK):
            ClubMember.objects.filter(pk__in=kept[start:start + CHUNK]).update(inspected_on=today, updated_at=now)
        for start in range(0, len(suspended), CHUNK):
            ClubMember.objects.filter(pk__in=suspended[start:start + CHUNK]).update(
                status=MemberStatus.SUSPENDED, inspected_on=today, updated_at=now)
        run.evaluated, run.runs = run.evaluated + len(rows), run.runs + 1
        run.kept, run.suspended = run.kept + len(kept), run.suspended + len(suspended)
        run.finished_at = now
        run.save(update_fields=["evaluated", "runs", "kept", "suspended", "finished_at"])
        audit_record(actor=_user(actor), action="club.members_inspect", target=run,
                     after={"period": f"{period:%Y-%m}", "inspected": len(rows), "kept": len(kept),
                            "suspended": len(suspended)})
    return run
