"""The club's scheduled work: the monthly run and automatic redemption, the daily expiry and
its warnings (CLUB-11, CLUB-12, CLUB-16). Each is safe to run twice."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kams.audit.services import audit_record
from kams.club import ledger
from kams.club.enums import MemberStatus
from kams.club.models import ClubMember, PointsLot
from kams.system.models import JobRun
from kams.system.parameters import param


def last_month(today: datetime.date | None = None) -> datetime.date:
    today = today or timezone.localdate()
    return (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


@transaction.atomic
def points_run_start(*, actor: Any, period: datetime.date) -> JobRun:
    """Queue the monthly run of ``period`` for ``kams worker``; progress on the jobs page."""
    from kams.org.scoping import require_perm

    require_perm(actor, "club.add_pointsrun")
    run = JobRun.objects.create(name="club.points_run", label=_("Points run %(period)s") % {"period": f"{period:%Y-%m}"},
                                params={"period": f"{period:%Y-%m}"}, started_by=actor)
    audit_record(actor=actor, action="club.points_run_request", target=run, after={"period": f"{period:%Y-%m}"})

    def enqueue() -> None:
        from kams.club.tasks import points_run_task

        points_run_task.enqueue(job_run_id=run.pk, period=f"{period:%Y-%m}", actor_id=actor.pk)

    transaction.on_commit(enqueue)
    return run


def expiry_warnings(*, today: datetime.date | None = None) -> int:
    """积分有效期预警: members whose points expire within ``club.expiry_warning_days`` get an SMS
    (or, without a mobile, their account manager a message with the voice-call list): one
    message per member and expiry date, whatever the number of runs."""
    from kams.notify.services import notify_many

    today = today or timezone.localdate()
    days, minimum = param("club.expiry_warning_days"), param("club.expiry_warning_min_points")
    rows = (
        PointsLot.objects.filter(remaining__gt=0, expires_on__gte=today, expires_on__lte=today + datetime.timedelta(days=days),
                                 account__member__status=MemberStatus.ACTIVE)
        .values("account_id", "expires_on").annotate(points=Sum("remaining")).filter(points__gte=minimum)
        .order_by("account_id", "expires_on")
    )
    members = {
        m.pk: m for m in ClubMember.objects.filter(pk__in={r["account_id"] for r in rows})
        .select_related("level", "customer__org_unit", "customer__account_manager")
    }
    messages = []
    for row in rows:
        member = members[row["account_id"]]
        text = _("Dear %(name)s, %(points)s of your club points expire on %(date)s. Redeem them at the club web site, "
                 "10018 or any service outlet.") % {"name": member.name, "points": row["points"],
                                                    "date": row["expires_on"].isoformat()}
        key = f"club-expiry:{member.pk}:{row['expires_on']:%Y-%m-%d}"
        common = dict(body=text, purpose="club.points_expiry", org_unit=member.customer.org_unit, recipient_name=member.name)
        if member.phone:
            messages.append(dict(channel="sms", recipient=member.phone, idempotency_key=key, **common))
        if member.phone and member.level.rank == 1:  # diamond members are also called (语音通知)
            messages.append(dict(channel="voice", recipient=member.phone, idempotency_key=key + ":voice", **common))
        manager = member.customer.account_manager
        if manager is not None and manager.mobile and member.level.rank <= 2:  # 客户经理通知
            messages.append(dict(
                channel="sms", recipient=manager.mobile, idempotency_key=key + ":manager", purpose="club.points_expiry_manager",
                body=_("Please remind %(name)s (member %(member)s): %(points)s points expire on %(date)s.")
                % {"name": member.name, "member": member.member_no, "points": row["points"],
                   "date": row["expires_on"].isoformat()},
                org_unit=member.customer.org_unit, recipient_name=manager.name,
            ))
    return notify_many(messages) if messages else 0


def expire_today() -> int:
    return ledger.expire_due()


def _month_bounds(period: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_current_timezone()
    start = period.replace(day=1)
    end = (start + datetime.timedelta(days=32)).replace(day=1)
    return (datetime.datetime.combine(start, datetime.time.min, tzinfo=tz),
            datetime.datetime.combine(end, datetime.time.min, tzinfo=tz))


def statement_rows(period: datetime.date):
    """Per member, the month's redemptions (count, points) and the closing balance: the lines of
    the monthly statement (月度消费帐单) and of the bill."""
    from django.db.models import Count

    from kams.club.enums import RedemptionState
    from kams.club.models import Redemption

    lo, hi = _month_bounds(period)
    return (
        Redemption.objects.filter(created_at__gte=lo, created_at__lt=hi, state=RedemptionState.DONE)
        .values("member_id", "member__member_no", "member__name", "member__msisdn", "member__phone", "member__email",
                "member__statement_channel", "member__points__balance", "member__customer__org_unit_id")
        .annotate(count=Count("id"), points=Sum("points")).order_by("member__member_no")
    )


def monthly_statements(*, period: datetime.date) -> int:
    """月度积分消费帐单 by SMS or e-mail, once per member and month (members who chose the bill
    get their line through ``statement_rows`` in the billing export)."""
    from kams.club.enums import StatementChannel
    from kams.notify.services import notify_many
    from kams.org.models import OrgUnit

    messages = []
    for row in statement_rows(period):
        channel = row["member__statement_channel"]
        recipient = row["member__phone"] if channel == StatementChannel.SMS else (
            row["member__email"] if channel == StatementChannel.EMAIL else "")
        if not recipient:
            continue
        body = _("Dear %(name)s, in %(month)s you redeemed %(points)s points in %(count)s redemptions; "
                 "%(balance)s points remain.") % {"name": row["member__name"], "month": f"{period:%Y-%m}",
                                                  "points": row["points"], "count": row["count"],
                                                  "balance": row["member__points__balance"]}
        messages.append(dict(channel=channel, recipient=recipient, body=body, subject=_("Monthly points statement"),
                             purpose="club.monthly_statement", org_unit=OrgUnit(pk=row["member__customer__org_unit_id"]),
                             recipient_name=row["member__name"],
                             idempotency_key=f"club-statement:{row['member_id']}:{period:%Y-%m}"))
    with transaction.atomic():
        return notify_many(messages) if messages else 0
