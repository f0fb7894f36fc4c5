"""The demo step builds the club's service information on top of existing members."""

from django.utils import timezone

from kams.club.models import PointsEntry
from kams.clubinfo import selectors
from kams.clubinfo.enums import ActivityState
from kams.clubinfo.models import (
    Activity,
    Announcement,
    Evaluation,
    MemberCare,
    MemberConsultation,
    ServiceOutlet,
    ServiceStandard,
)


def test_demo_builds_service_information_activities_and_an_evaluation(province, info, customers):
    from kams.club.testing import make_member
    from kams.demo.club_info import build
    from kams.demo.generator import DemoContext

    for n, level in enumerate(["DIAMOND", "EMERALD", "SAPPHIRE", "EMERALD"]):
        make_member(province, customers["nj_m2"], level=level, name=f"南京会员{n}", card=False)
    created = build(DemoContext(size="small"))

    assert created > 0
    assert ServiceStandard.objects.filter(level__code="DIAMOND").count() == 4
    assert ServiceOutlet.objects.filter(city__code="ZJ").count() == 2
    nanjing = Activity.objects.filter(org_unit__code="NJ")
    assert nanjing.filter(state=ActivityState.CLOSED).count() == 2 and nanjing.filter(state=ActivityState.OPEN).count() == 1
    closed = nanjing.filter(state=ActivityState.CLOSED).first()
    assert closed.cost is not None and closed.starts_at < timezone.now()
    attended = closed.registrations.filter(state="attended")
    assert attended.exists()
    assert PointsEntry.objects.filter(reference__startswith=f"activity:{closed.pk}:").count() == attended.count()
    assert MemberConsultation.objects.exists() and MemberCare.objects.exists()
    assert selectors.member_announcements(info.members["diamond"]).filter(title="钻石卡会员机场贵宾厅服务升级").exists()
    assert not selectors.member_announcements(info.members["emerald"]).filter(title="钻石卡会员机场贵宾厅服务升级").exists()
    assert Announcement.objects.filter(audience="staff", pinned=True).exists()
    last = Evaluation.objects.order_by("-period_end").first()
    assert Evaluation.objects.filter(period_end=last.period_end).count() == 3
    assert Evaluation.objects.filter(period_end=last.period_end, rank=1).exists()
    assert Evaluation.objects.values("period_start").distinct().count() == 2
