"""The arithmetic of the service-effect evaluation (俱乐部服务效果评估, 8.1/8.2).

``computed_values`` reads, per city and period, what the data says (set-based: one grouped
query per measure, grouped by the city part of the org-unit path):

* ``participation_rate`` — members who attended at least one activity starting in the
  period, per 100 active members of the city;
* ``feedback_score`` — the average feedback score (1–5) given for those activities;
* ``consultation_satisfaction`` — the share (%) of rated member consultations asked in the
  period whose answer was rated satisfied or very satisfied;
* ``redemptions_per_100`` — redemptions made in the period (not reversed) per 100 active members;
* ``care_per_100`` — personal-care services given in the period per 100 active members.

A member belongs to the city of their customer. Active members are counted as they are now.

Each indicator's value reaches its target to an *achievement* of 0–100 (capped: beating the
target earns no more than meeting it): ``100 × value / target`` when higher is better,
``100 × target / value`` when lower is better. The *score* is the weighted mean of the
achievements of the indicators that have a value.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import Iterable

from django.db.models import Avg, Count, Q
from django.db.models.functions import Substr
from django.utils import timezone

from kams.clubinfo.enums import Direction, IndicatorSource, RegistrationState

HUNDRED = Decimal("100")
CENT = Decimal("0.01")
COMPUTED = [s for s in IndicatorSource.values if s != IndicatorSource.MANUAL]


def q2(value: Decimal | float | int | None) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(CENT)


def achievement(value: Decimal | None, target: Decimal, direction: str) -> Decimal | None:
    """How far ``value`` reaches ``target``, 0–100."""
    if value is None:
        return None
    value, target = Decimal(value), Decimal(target)
    if direction == Direction.LOWER:
        if value <= 0 or value <= target:
            return HUNDRED.quantize(CENT)
        return q2(max(Decimal(0), HUNDRED * target / value))
    if target <= 0 or value >= target:
        return HUNDRED.quantize(CENT)
    return q2(max(Decimal(0), HUNDRED * value / target))


def weighted_score(pairs: Iterable[tuple[Decimal, Decimal | None]]) -> Decimal | None:
    """The weighted mean of (weight, achievement) pairs that have an achievement."""
    total = weights = Decimal(0)
    for weight, value in pairs:
        if value is None or not weight:
            continue
        total += Decimal(weight) * Decimal(value)
        weights += Decimal(weight)
    return q2(total / weights) if weights else None


def _window(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    until = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return since, until


def _by_city(queryset, path_field: str, length: int, paths: list[str], **aggregates) -> dict[str, dict]:
    rows = (
        queryset.annotate(city_path=Substr(path_field, 1, length)).filter(city_path__in=paths)
        .order_by().values("city_path").annotate(**aggregates)
    )
    return {row["city_path"]: row for row in rows}


def computed_values(units: list, start: datetime.date, end: datetime.date) -> dict[int, dict[str, Decimal | None]]:
    """{unit id: {source: value}} for every computed source."""
    from kams.club.enums import MemberStatus, RedemptionState
    from kams.club.models import ClubMember, Redemption
    from kams.clubinfo.models import ActivityRegistration, MemberCare, MemberConsultation
    from kams.support.enums import AnswerSatisfaction

    since, until = _window(start, end)
    result: dict[int, dict[str, Decimal | None]] = {}
    by_length: dict[int, list] = defaultdict(list)
    for unit in units:
        by_length[len(unit.path)].append(unit)
    good = [AnswerSatisfaction.VERY_SATISFIED, AnswerSatisfaction.SATISFIED]
    for length, group in by_length.items():
        paths = [u.path for u in group]
        members = _by_city(ClubMember.objects.filter(status=MemberStatus.ACTIVE), "customer__org_unit__path", length,
                           paths, n=Count("pk"))
        in_period = ActivityRegistration.objects.filter(activity__starts_at__gte=since, activity__starts_at__lt=until)
        attended = _by_city(in_period.filter(state=RegistrationState.ATTENDED), "member__customer__org_unit__path",
                            length, paths, n=Count("member", distinct=True))
        feedback = _by_city(in_period.filter(feedback_score__isnull=False), "member__customer__org_unit__path", length,
                            paths, avg=Avg("feedback_score"))
        consultations = _by_city(
            MemberConsultation.objects.filter(consultation__asked_at__gte=since, consultation__asked_at__lt=until)
            .exclude(consultation__answer_satisfaction=""),
            "member__customer__org_unit__path", length, paths,
            rated=Count("pk"), good=Count("pk", filter=Q(consultation__answer_satisfaction__in=good)),
        )
        redemptions = _by_city(
            Redemption.objects.filter(created_at__gte=since, created_at__lt=until, state=RedemptionState.DONE),
            "member__customer__org_unit__path", length, paths, n=Count("pk"),
        )
        care = _by_city(MemberCare.objects.filter(happened_on__gte=start, happened_on__lte=end),
                        "member__customer__org_unit__path", length, paths, n=Count("pk"))
        for unit in group:
            n = members.get(unit.path, {}).get("n", 0)
            rated = consultations.get(unit.path, {}).get("rated", 0)
            avg = feedback.get(unit.path, {}).get("avg")

            def per_100(rows: dict) -> Decimal | None:
                return q2(HUNDRED * rows.get(unit.path, {}).get("n", 0) / n) if n else None  # noqa: B023

            result[unit.pk] = {
                IndicatorSource.PARTICIPATION: per_100(attended),
                IndicatorSource.FEEDBACK: q2(avg) if avg is not None else None,
                IndicatorSource.CONSULTATION: (
                    q2(HUNDRED * consultations[unit.path]["good"] / rated) if rated else None
                ),
                IndicatorSource.REDEMPTIONS: per_100(redemptions),
                IndicatorSource.CARE: per_100(care),
            }
    return result
