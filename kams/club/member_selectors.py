"""Reads of club members and levels (CLUB-01 … CLUB-04), always scoped: a member is seen by
whoever sees its customer (``customer__org_unit``; account managers their own customers').

Lists that need figures from the bills (arrears, members at risk) get them as annotations
of one query, so they page and export like any other list.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from kams.club.enums import DunningState, LevelChangeKind, MemberStatus
from kams.club.ledger import add_months
from kams.club.members import PREFERENCE_KEYS
from kams.club.models import (
    ClubMember,
    LevelRun,
    MemberDunning,
    MemberLevelChange,
    PointsAccount,
    PointsEntry,
    Redemption,
)
from kams.core.masking import mask_certificate, mask_phone

MONEY = DecimalField(max_digits=14, decimal_places=2)
PREFERENCE_LABELS = {"hobbies": _("Hobbies"), "contact_time": _("Preferred contact time"),
                     "care_wishes": _("Personal-care wishes")}
RISK_LABELS = {
    "risk_arrears": _("Customer in arrears"),
    "risk_suspended": _("Suspended by the annual inspection"),
    "risk_downgraded": _("Downgraded in the last level run"),
    "risk_bill_drop": _("Bills fell by more than 30%"),
}


def personal_visible(user: Any) -> bool:
    return bool(user and user.has_perm("customers.view_personal_data"))


def masked(member: ClubMember, user: Any, *, visible: bool | None = None) -> ClubMember:
    """The member with number, mobile and certificate masked unless ``user`` may see them
    (only the loaded object changes; it is never saved)."""
    if visible if visible is not None else personal_visible(user):
        return member
    member.msisdn, member.phone = mask_phone(member.msisdn), mask_phone(member.phone)
    member.certificate_no = mask_certificate(member.certificate_no)
    return member


def members_for(user: Any) -> QuerySet[ClubMember]:
    return ClubMember.objects.visible_to(user).select_related(
        "customer__org_unit", "customer__account_manager", "level"
    )


def member_visible(user: Any, pk: Any) -> ClubMember:
    """One member in scope, or 404."""
    return members_for(user).get_visible(user, pk=pk)


def preferences_shown(member: ClubMember) -> list[tuple[Any, str]]:
    """个性化资料 as labelled fields: the known ones in order, then any others."""
    prefs = member.preferences if isinstance(member.preferences, dict) else {}
    shown = [(PREFERENCE_LABELS[key], prefs.get(key, "")) for key in PREFERENCE_KEYS]
    shown += [(key, str(value)) for key, value in prefs.items() if key not in PREFERENCE_KEYS]
    return shown


def member_detail(user: Any, member: ClubMember) -> dict:
    """Everything the member page shows besides the member itself."""
    from kams.club.dunning import customer_arrears
    from kams.club.levels import review_figures

    return {
        "preferences": preferences_shown(member),
        "level_changes": list(member.level_changes.select_related("old_level", "new_level", "decided_by")[:50]),
        "cards": list(member.cards.select_related("level").order_by("-applied_at", "-id")),
        "account": PointsAccount.objects.filter(member=member).first(),
        "entries": list(PointsEntry.objects.filter(account_id=member.pk).select_related("actor")[:10]),
        "redemptions": list(Redemption.objects.filter(member=member).select_related("item")[:10]),
        "arrears": customer_arrears(member.customer_id),
        "dunnings": list(member.dunnings.select_related("case", "marked_by", "handled_by")[:10]),
        "figures": review_figures([member]).get(member.pk),
    }


def applicants_for(user: Any) -> QuerySet[ClubMember]:
    """会员资格审核: members awaiting the review, oldest application first."""
    return members_for(user).filter(status=MemberStatus.APPLIED).order_by("created_at", "pk")


def level_changes_for(user: Any) -> QuerySet[MemberLevelChange]:
    return MemberLevelChange.objects.visible_to(user).select_related(
        "member__customer__org_unit", "old_level", "new_level", "decided_by"
    )


def level_runs(kind: str) -> QuerySet[LevelRun]:
    return LevelRun.objects.filter(kind=kind).select_related("started_by")


# --- Arrears and dunning (CLUB-03) ---------------------------------------------------------------


def _bills():
    from kams.billing.models import BillSummary

    return BillSummary.objects.order_by()  # no default ordering inside GROUP BY subqueries


def _owed(aggregate) -> Subquery:
    rows = _bills().filter(customer=OuterRef("customer_id"), arrears__gt=0).values("customer").annotate(v=aggregate)
    return Subquery(rows.values("v")[:1])


def members_in_arrears(user: Any) -> QuerySet[ClubMember]:
    """查询欠费催欠会员: active and suspended members in scope whose customer owes money, with
    the amount, months owed, oldest month owed and the open dunning, if any."""
    return (
        members_for(user).filter(status__in=[MemberStatus.ACTIVE, MemberStatus.SUSPENDED])
        .annotate(
            arrears=_owed(Sum("arrears")),
            months_owed=_owed(Count("period", distinct=True)),
            oldest_owed=_owed(Min("period")),
            open_dunning=Subquery(MemberDunning.objects.filter(member=OuterRef("pk"), state=DunningState.MARKED)
                                  .values("pk")[:1]),
        )
        .filter(arrears__gt=0)
    )


def dunnings_for(user: Any) -> QuerySet[MemberDunning]:
    return MemberDunning.objects.visible_to(user).select_related(
        "member__customer__org_unit", "member__customer__account_manager", "member__level", "case", "marked_by",
        "handled_by",
    )


# --- Members at risk (CLUB-04) -------------------------------------------------------------------


def _paid(start: datetime.date, end: datetime.date):
    """The member's paid bills from ``start`` to ``end``: its number's, or its customer's."""
    window = _bills().filter(customer=OuterRef("customer_id"), period__gte=start, period__lte=end)
    whole = window.values("customer").annotate(v=Sum("paid")).values("v")[:1]
    number = window.filter(msisdn=OuterRef("msisdn")).values("customer").annotate(v=Sum("paid")).values("v")[:1]
    return Coalesce(
        Case(When(msisdn="", then=Subquery(whole)), default=Subquery(number), output_field=MONEY),
        Value(Decimal("0")), output_field=MONEY,
    )


def members_at_risk(user: Any) -> QuerySet[ClubMember]:
    """会员挽留预警: active and suspended members in scope with at least one reason to fear
    that they leave, each reason a boolean annotation (see ``RISK_LABELS``):

    * ``risk_arrears`` — the customer owes money;
    * ``risk_suspended`` — suspended by the annual inspection;
    * ``risk_downgraded`` — downgraded by the latest monthly level run;
    * ``risk_bill_drop`` — paid in the latest billed month more than 30 % below the average
      of the three months before.
    """
    from kams.billing.selectors import latest_period

    latest = latest_period()
    last_run = MemberLevelChange.objects.filter(kind=LevelChangeKind.AUTO).aggregate(p=Max("period"))["p"]
    false = Value(False, output_field=BooleanField())
    queryset = members_for(user).filter(status__in=[MemberStatus.ACTIVE, MemberStatus.SUSPENDED]).annotate(
        risk_arrears=Exists(_bills().filter(customer=OuterRef("customer_id"), arrears__gt=0)),
        risk_suspended=Case(
            When(Q(status=MemberStatus.SUSPENDED) & Exists(MemberLevelChange.objects.filter(
                member=OuterRef("pk"), kind=LevelChangeKind.INSPECTION, new_status=MemberStatus.SUSPENDED)),
                then=Value(True)),
            default=false, output_field=BooleanField(),
        ),
        risk_downgraded=Exists(MemberLevelChange.objects.filter(
            member=OuterRef("pk"), kind=LevelChangeKind.AUTO, period=last_run,
            new_level__rank__gt=F("old_level__rank"))) if last_run else false,
    )
    if latest is None:
        queryset = queryset.annotate(paid_last=Value(Decimal("0"), output_field=MONEY),
                                     paid_before=Value(Decimal("0"), output_field=MONEY), risk_bill_drop=false)
    else:
        queryset = queryset.annotate(
            paid_last=_paid(latest, latest), paid_before=_paid(add_months(latest, -3), add_months(latest, -1)),
        ).annotate(risk_bill_drop=Case(
            When(Q(paid_before__gt=0) & Q(paid_last__lt=ExpressionWrapper(
                F("paid_before") * Value(Decimal("0.7")) / Value(Decimal("3")), output_field=MONEY)), then=Value(True)),
            default=false, output_field=BooleanField(),
        ))
    return queryset.filter(Q(risk_arrears=True) | Q(risk_suspended=True) | Q(risk_downgraded=True)
                           | Q(risk_bill_drop=True))


def risk_reasons(member: Any) -> list[str]:
    """The labels of the reasons ``members_at_risk`` found for one of its rows."""
    return [str(label) for name, label in RISK_LABELS.items() if getattr(member, name, False)]
