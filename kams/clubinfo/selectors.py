"""Reads of the club's service information, activities, evaluation and announcements.

Staff reads are scoped (ORG-03). Two kinds of record are read more widely than their unit:

* an activity organised by the province (or any unit above the reader's) is seen by the staff
  below it, who register their members for it; it is changed only by staff whose scope covers
  its unit;
* an announcement for the whole province (no unit) or for a unit above the reader's is seen
  by every reader below it.

The member portal calls ``member_announcements``, ``member_activities_open``,
``member_registrations`` and the service-information reads ``member_standards``,
``member_services`` and ``member_outlets``: they take the member, not a staff user.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from kams.club.models import ClubMember
from kams.clubinfo.enums import ActivityState, Audience, IndicatorSource, RegistrationState
from kams.clubinfo.models import (
    Activity,
    ActivityRegistration,
    Announcement,
    Evaluation,
    EvaluationIndicator,
    EvaluationValue,
    MemberCare,
    MemberConsultation,
    MemberGift,
    ServiceContent,
    ServiceOutlet,
    ServiceStandard,
)
from kams.org.models import OrgUnit
from kams.org.scoping import scope_for


def _ancestor_paths(path: str) -> list[str]:
    """The paths of a unit and every unit above it (materialised-path prefixes)."""
    step = OrgUnit.steplen
    return [path[:n] for n in range(step, len(path) + 1, step)]


def _above_scope(user: Any, field: str) -> Q:
    """Rows whose unit lies at or above one of the user's scope units (read down the tree)."""
    scope = scope_for(user)
    if scope.unrestricted:
        return Q()
    paths = sorted({p for prefix in scope.prefixes for p in _ancestor_paths(prefix)})
    return Q(**{f"{field}__path__in": paths}) if paths else Q(pk__in=[])


def _levels_match(model: type, level_id: int) -> Q:
    """No levels named (every level) or ``level_id`` among them."""
    through = model.levels.through
    own = through.objects.filter(**{f"{model._meta.model_name}_id": OuterRef("pk")})
    return ~Exists(own) | Exists(own.filter(clublevel_id=level_id))


# --- Staff reads ---------------------------------------------------------------------------------------


def member_lookup(user: Any, text: str) -> ClubMember | None:
    """A member in the user's scope by member number or card number."""
    text = (text or "").strip()
    if not text:
        return None
    return (
        ClubMember.objects.visible_to(user).filter(Q(member_no__iexact=text) | Q(cards__card_no=text))
        .select_related("customer__org_unit", "level").distinct().first()
    )


def unit_in_scope(user: Any, unit: OrgUnit) -> bool:
    return scope_for(user).covers_unit(unit)


def announcement_in_scope(user: Any, announcement: Announcement) -> bool:
    """May the user change the announcement: its unit is in scope, or (for the whole province)
    the user's scope covers the province."""
    from kams.org.enums import UnitKind

    scope = scope_for(user)
    if announcement.org_unit_id:
        return scope.covers_unit(announcement.org_unit)
    if scope.unrestricted:
        return True
    staff = getattr(user, "staff", None)
    province = staff.org_unit.ancestor_of_kind(UnitKind.PROVINCE) if staff else None
    return province is not None and scope.covers_unit(province)


def activities_for(user: Any) -> QuerySet[Activity]:
    """Activities of the user's units and of the units above them."""
    scope = scope_for(user)
    condition = scope.q(Activity.scope_spec) | _above_scope(user, "org_unit")
    return Activity.objects.filter(condition).select_related("org_unit")


def activity_in_scope(user: Any, activity: Activity) -> bool:
    """May the user run the activity (change it, see every registration, confirm attendance)?"""
    return scope_for(user).covers_unit(activity.org_unit)


def registrations_for(user: Any) -> QuerySet[ActivityRegistration]:
    return ActivityRegistration.objects.visible_to(user).select_related("activity", "member__level",
                                                                          "member__customer")


def activity_registrations(user: Any, activity: Activity) -> QuerySet[ActivityRegistration]:
    """The registrations of an activity the user may see: all of them for those who run it,
    otherwise those of the members in the user's scope."""
    base = ActivityRegistration.objects.filter(activity=activity).select_related("member__level", "member__customer")
    if activity_in_scope(user, activity):
        return base.order_by("member__member_no")
    return base.filter(scope_for(user).q(ActivityRegistration.scope_spec)).order_by("member__member_no")


def activity_figures(activity: Activity) -> dict[str, Any]:
    """活动总结 figures: registered, attended, participation, feedback, budget and cost."""
    rows = ActivityRegistration.objects.filter(activity=activity).aggregate(
        registered=Count("pk", filter=~Q(state=RegistrationState.CANCELLED)),
        attended=Count("pk", filter=Q(state=RegistrationState.ATTENDED)),
        absent=Count("pk", filter=Q(state=RegistrationState.ABSENT)),
        feedback=Count("feedback_score"),
        score=Avg("feedback_score"),
    )
    registered, attended = rows["registered"], rows["attended"]
    return {
        **rows,
        "score": round(rows["score"], 2) if rows["score"] is not None else None,
        "participation": round(100 * attended / registered, 1) if registered else None,
        "points": attended * activity.points_reward,
        "cost_per_participant": (activity.cost / attended).quantize(Decimal("0.01")) if activity.cost is not None and attended else None,
    }


def gifts_for(user: Any) -> QuerySet[MemberGift]:
    return MemberGift.objects.visible_to(user).select_related("member", "gift", "stock_unit", "issued_by")


def care_for(user: Any) -> QuerySet[MemberCare]:
    return MemberCare.objects.visible_to(user).select_related("member", "gift__gift", "handler")


def consultations_for(user: Any) -> QuerySet[MemberConsultation]:
    return MemberConsultation.objects.visible_to(user).select_related("member", "consultation__answered_by")


def announcements_for(user: Any) -> QuerySet[Announcement]:
    """Every announcement the user may read (both audiences, any time): those of the user's
    units and below, and those for the units above (the province's)."""
    scope = scope_for(user)
    if scope.unrestricted:
        return Announcement.objects.select_related("org_unit", "author")
    condition = Q(org_unit__isnull=True) | scope.q(Announcement.scope_spec) | _above_scope(user, "org_unit")
    if not scope.prefixes:
        condition = Q(pk__in=[])
    return Announcement.objects.filter(condition).select_related("org_unit", "author")


def _current(queryset: QuerySet[Announcement], now: datetime.datetime) -> QuerySet[Announcement]:
    return queryset.filter(Q(expire_at__isnull=True) | Q(expire_at__gt=now), withdrawn_at__isnull=True,
                           publish_at__lte=now)


def notice_board(user: Any, *, now: datetime.datetime | None = None) -> QuerySet[Announcement]:
    """内部信息发布: the internal announcements in force for the user's units, pinned first."""
    now = now or timezone.now()
    return _current(announcements_for(user).filter(audience=Audience.STAFF), now).order_by("-pinned", "-publish_at", "-id")


def evaluation_periods(user: Any) -> list[tuple[datetime.date, datetime.date]]:
    rows = (Evaluation.objects.visible_to(user).order_by("-period_end", "-period_start")
            .values_list("period_start", "period_end").distinct())
    return list(dict.fromkeys(rows))


def evaluation_table(user: Any, period_start: datetime.date, period_end: datetime.date) -> dict[str, Any]:
    """The evaluations of one period the user may see: per city its values, score, rank and the
    score of its previous evaluation; the indicators as columns."""
    indicators = list(EvaluationIndicator.objects.filter(is_active=True))
    evaluations = list(
        Evaluation.objects.visible_to(user).filter(period_start=period_start, period_end=period_end)
        .select_related("org_unit").order_by(F("rank").asc(nulls_last=True), "org_unit__path")
    )
    values: dict[int, dict[int, EvaluationValue]] = {}
    for value in EvaluationValue.objects.filter(evaluation__in=evaluations):
        values.setdefault(value.evaluation_id, {})[value.indicator_id] = value
    previous: dict[int, Evaluation] = {}
    for row in (Evaluation.objects.filter(org_unit__in=[e.org_unit_id for e in evaluations], period_end__lt=period_start)
                .order_by("org_unit_id", "-period_end")):
        previous.setdefault(row.org_unit_id, row)
    rows = []
    for evaluation in evaluations:
        before = previous.get(evaluation.org_unit_id)
        change = (evaluation.score - before.score) if before and before.score is not None and evaluation.score is not None else None
        rows.append({
            "evaluation": evaluation,
            "cells": [values.get(evaluation.pk, {}).get(i.pk) for i in indicators],
            "previous": before,
            "change": change,
        })
    return {"indicators": indicators, "rows": rows}


def manual_indicators() -> QuerySet[EvaluationIndicator]:
    return EvaluationIndicator.objects.filter(is_active=True, source=IndicatorSource.MANUAL)


# --- Member-facing reads (the member portal) ----------------------------------------------------------------


def _member_unit_path(member: ClubMember) -> str:
    return member.customer.org_unit.path


def member_announcements(member: ClubMember, *, now: datetime.datetime | None = None) -> QuerySet[Announcement]:
    """会员服务公告 a member may see now: to members, for the member's city (or above it, or the
    whole province), for the member's level (or every level), published and not expired or
    withdrawn; pinned first, newest first."""
    now = now or timezone.now()
    return (
        _current(Announcement.objects.filter(audience=Audience.MEMBERS), now)
        .filter(Q(org_unit__isnull=True) | Q(org_unit__path__in=_ancestor_paths(_member_unit_path(member))))
        .filter(_levels_match(Announcement, member.level_id))
        .order_by("-pinned", "-publish_at", "-id")
    )


def member_activities_open(member: ClubMember, *, now: datetime.datetime | None = None) -> QuerySet[Activity]:
    """Activities the member may register for now: open, registration not closed, places left,
    organised by the member's city or a unit above it, for the member's level, and not
    registered for already."""
    now = now or timezone.now()
    taken = ActivityRegistration.objects.filter(activity=OuterRef("pk"), member=member).exclude(
        state=RegistrationState.CANCELLED)
    return (
        Activity.objects.filter(state=ActivityState.OPEN, registered__lt=F("capacity"),
                                org_unit__path__in=_ancestor_paths(_member_unit_path(member)))
        .filter(Q(registration_deadline__isnull=True, ends_at__gte=now) | Q(registration_deadline__gte=now))
        .filter(_levels_match(Activity, member.level_id))
        .exclude(Exists(taken))
        .select_related("org_unit").order_by("starts_at", "id")
    )


def member_registrations(member: ClubMember) -> QuerySet[ActivityRegistration]:
    """The member's own registrations, newest activity first."""
    return ActivityRegistration.objects.filter(member=member).select_related("activity").order_by("-activity__starts_at")


def member_standards(member: ClubMember) -> QuerySet[ServiceStandard]:
    """服务标准查询: the standards of the member's level."""
    return ServiceStandard.objects.filter(level_id=member.level_id, is_active=True)


def member_services(member: ClubMember) -> QuerySet[ServiceContent]:
    """服务信息查询: the services the member's level is entitled to."""
    return ServiceContent.objects.filter(is_active=True).filter(_levels_match(ServiceContent, member.level_id))


def member_outlets(member: ClubMember) -> QuerySet[ServiceOutlet]:
    """The open outlets serving the member's level, those of the member's city first."""
    city = member.customer.org_unit
    paths = _ancestor_paths(city.path)
    return (
        ServiceOutlet.objects.filter(is_active=True).filter(_levels_match(ServiceOutlet, member.level_id))
        .select_related("city").annotate(home=Exists(OrgUnit.objects.filter(pk=OuterRef("city_id"), path__in=paths)))
        .order_by("-home", "city__path", "name")
    )
