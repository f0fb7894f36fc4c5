"""CLUB-02: level definitions, the qualification review, the monthly upgrade/downgrade (set-based,
idempotent, a fixed number of queries), manual changes and the annual inspection."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kams.audit.models import AuditEntry
from kams.club import levels
from kams.club.enums import LevelChangeKind, MemberStatus
from kams.club.members import member_create
from kams.club.models import ClubLevel, ClubMember, LevelRun, MemberLevelChange
from kams.club.testing import load_bills, october_bill
from kams.core.errors import InvalidInput

MONTHS = ("2026-07", "2026-08", "2026-09", "2026-10")
OCTOBER = datetime.date(2026, 10, 1)


def bill(account_no, msisdn, amount, period):
    return october_bill(account_no, msisdn, mobile=str(amount), data="0", period=period)


def load(monthly: dict[tuple[str, str], int], months=MONTHS):
    """The same bill every month: {(account, number): yuan paid}."""
    for period in months:
        load_bills(period, [bill(account, number, amount, period) for (account, number), amount in monthly.items()])


def level_of(member):
    return ClubMember.objects.select_related("level").get(pk=member.pk).level.code


@pytest.fixture
def billed(club, club_accounts):
    """Diamond member pays 1000 a month (keeps emerald only), emerald pays 4000 (diamond),
    sapphire pays 350 (stays)."""
    load({("2501000001", "13951000001"): 1000, ("2502000001", "13962000002"): 4000,
          ("2503000001", "13952000003"): 350})
    return club


def test_evaluation_upgrades_and_downgrades_and_records_them(province, billed):
    run = levels.levels_evaluate(actor=province.user("js_club"), period="2026-10")

    assert level_of(billed.members["diamond"]) == "EMERALD"
    assert level_of(billed.members["emerald"]) == "DIAMOND"
    assert level_of(billed.members["sapphire"]) == "SAPPHIRE"
    assert (run.period, run.evaluated, run.upgrades, run.downgrades, run.runs) == (OCTOBER, 3, 1, 1, 1)
    down = MemberLevelChange.objects.get(member=billed.members["diamond"], kind=LevelChangeKind.AUTO)
    assert (down.old_level.code, down.new_level.code, down.period, down.avg_paid) == ("DIAMOND", "EMERALD", OCTOBER, Decimal("1000.00"))
    up = MemberLevelChange.objects.get(member=billed.members["emerald"], kind=LevelChangeKind.AUTO)
    assert (up.new_level.code, up.avg_paid, up.decided_by) == ("DIAMOND", Decimal("4000.00"), province.user("js_club"))
    assert AuditEntry.objects.get(action="club.levels_evaluate").after["upgrades"] == 1


def test_evaluation_of_the_same_period_again_changes_nothing(province, billed):
    levels.levels_evaluate(actor=None, period="2026-10")
    # Even with other bills the period's decisions stand: a member moves once per period.
    load({("2501000001", "13951000001"): 5000, ("2502000001", "13962000002"): 100,
          ("2503000001", "13952000003"): 350}, months=("2026-10",))
    again = levels.levels_evaluate(actor=None, period=datetime.date(2026, 10, 1))

    assert MemberLevelChange.objects.filter(kind=LevelChangeKind.AUTO).count() == 2
    assert (again.runs, again.upgrades, again.downgrades) == (2, 1, 1)
    assert level_of(billed.members["diamond"]) == "EMERALD" and level_of(billed.members["emerald"]) == "DIAMOND"
    assert LevelRun.objects.filter(kind=LevelChangeKind.AUTO).count() == 1


def test_evaluation_needs_the_periods_bills_and_the_reviewers_permission(province, billed):
    with pytest.raises(levels.NoBills):
        levels.levels_evaluate(actor=province.user("js_club"), period="2026-06")
    with pytest.raises(InvalidInput):
        levels.levels_evaluate(actor=province.user("js_club"), period="2026-13")
    with pytest.raises(InvalidInput):  # the current month has not ended
        levels.levels_evaluate(actor=province.user("js_club"), period=timezone.localdate())
    with pytest.raises(PermissionDenied):
        levels.levels_evaluate(actor=province.user("nj_manager1"), period="2026-10")
    assert not MemberLevelChange.objects.filter(kind=LevelChangeKind.AUTO).exists()
    assert level_of(billed.members["diamond"]) == "DIAMOND"


def test_a_member_without_a_number_is_judged_on_the_whole_customers_bills(province, club, club_accounts, customers):
    member = member_create(actor=province.user("js_club"), customer=customers["nj_m2"], name="王总",
                           level=ClubLevel.objects.get(code="SAPPHIRE"), network_since=datetime.date(2010, 1, 1))
    from kams.customers.models import PayingAccount

    PayingAccount.objects.create(customer=customers["nj_m2"], account_no="2504000001", name="南钢")
    load({("2504000001", "13800000001"): 700, ("2504000001", "13800000002"): 600,
          ("2501000001", "13951000001"): 3000, ("2502000001", "13962000002"): 1000,
          ("2503000001", "13952000003"): 300})
    levels.levels_evaluate(actor=None, period="2026-10")

    assert level_of(member) == "EMERALD"  # 1300 a month over both numbers
    assert MemberLevelChange.objects.get(member=member, kind=LevelChangeKind.AUTO).avg_paid == Decimal("1300.00")


def test_upgrade_needs_the_levels_tenure(province, billed):
    ClubMember.objects.filter(pk=billed.members["emerald"].pk).update(network_since=datetime.date(2025, 6, 1))
    levels.levels_evaluate(actor=None, period="2026-10")

    assert level_of(billed.members["emerald"]) == "EMERALD"  # 16 months: too new for diamond (24)


def test_evaluation_queries_do_not_grow_with_the_number_of_members(province, club, club_accounts, customers):
    js_club = province.user("js_club")
    monthly = {("2501000001", "13951000001"): 1000, ("2502000001", "13962000002"): 4000,
               ("2503000001", "13952000003"): 350}
    extra = []
    for n in range(20):
        number = f"1390000{n:04d}"
        code = "SAPPHIRE" if n % 2 else "DIAMOND"
        extra.append((number, code))
        monthly[("2501000001", number)] = 4000 if code == "SAPPHIRE" else 500
    load(monthly)

    with CaptureQueriesContext(connection) as small:  # 3 members: one up (diamond), one down (emerald)
        first = levels.levels_evaluate(actor=js_club, period="2026-09")
    for number, code in extra:
        member_create(actor=js_club, customer=customers["nj_m1"], name=f"会员{number[-2:]}",
                      level=ClubLevel.objects.get(code=code), msisdn=number, network_since=datetime.date(2015, 1, 1))
    with CaptureQueriesContext(connection) as large:  # 23 members: ten up (diamond), ten down (sapphire)
        second = levels.levels_evaluate(actor=js_club, period="2026-10")

    assert (first.upgrades, first.downgrades, second.upgrades, second.downgrades) == (1, 1, 10, 10)
    assert len(large.captured_queries) == len(small.captured_queries)
    assert len(small.captured_queries) <= 20


@pytest.mark.django_db(transaction=True)  # the command records a job run outside any transaction
def test_command_runs_the_evaluation_of_a_period(province, billed, capsys):
    call_command("club_levels", "--period", "2026-10")

    assert "1 upgrades, 1 downgrades" in capsys.readouterr().out
    assert level_of(billed.members["emerald"]) == "DIAMOND"


def test_the_monthly_job_judges_the_latest_billed_month(province, billed):
    from kams.club.tasks_members import club_levels_run

    result = club_levels_run()
    assert result == {"period": "2026-10", "evaluated": 3, "upgrades": 1, "downgrades": 1}
    assert club_levels_run()["upgrades"] == 1  # the period's totals; nothing changed again
    assert MemberLevelChange.objects.filter(kind=LevelChangeKind.AUTO).count() == 2


# --- Qualification review ---------------------------------------------------------------------------------


@pytest.fixture
def applicant(province, club, club_accounts, customers):
    load({("2501000001", "13951000009"): 1200})
    return member_create(actor=province.user("js_club"), customer=customers["nj_m1"], name="赵申请",
                         level=ClubLevel.objects.get(code="EMERALD"), admit=False, msisdn="13951000009",
                         network_since=datetime.date(2020, 5, 1))


def test_review_figures_judge_the_applicant_against_its_levels_rules(applicant):
    figures = levels.review_figures([applicant])[applicant.pk]

    assert (figures.period, figures.average, figures.tenure) == (OCTOBER, Decimal("1200.00"), 77)
    assert figures.meets_paid and figures.meets_tenure and figures.suggested.code == "EMERALD"


def test_approval_admits_the_applicant_today(province, applicant):
    member = levels.member_approve(actor=province.user("js_club"), member=applicant, note="资料齐全")

    assert (member.status, member.joined_on) == (MemberStatus.ACTIVE, timezone.localdate())
    change = member.level_changes.filter(new_status=MemberStatus.ACTIVE).get()
    assert (change.kind, change.old_status, change.reason) == (LevelChangeKind.ADMISSION, MemberStatus.APPLIED, "资料齐全")
    with pytest.raises(levels.NotApplied):
        levels.member_approve(actor=province.user("js_club"), member=applicant)


def test_rejection_needs_a_reason_and_a_reviewer(province, applicant):
    with pytest.raises(InvalidInput):
        levels.member_reject(actor=province.user("js_club"), member=applicant, reason=" ")
    with pytest.raises(PermissionDenied):
        levels.member_reject(actor=province.user("nj_manager1"), member=applicant, reason="不符合")
    applicant.refresh_from_db()
    assert applicant.status == MemberStatus.APPLIED

    levels.member_reject(actor=province.user("js_club"), member=applicant, reason="月均消费不足")
    applicant.refresh_from_db()
    assert applicant.status == MemberStatus.REJECTED
    assert applicant.level_changes.get(new_status=MemberStatus.REJECTED).reason == "月均消费不足"


# --- Manual change and level definitions ---------------------------------------------------------------------


def test_manual_change_needs_a_reason_and_is_recorded(province, club):
    member, emerald = club.members["diamond"], ClubLevel.objects.get(code="EMERALD")
    with pytest.raises(InvalidInput):
        levels.member_level_change(actor=province.user("js_club"), member=member, level=emerald, reason="")
    assert level_of(member) == "DIAMOND" and not MemberLevelChange.objects.filter(kind=LevelChangeKind.MANUAL).exists()

    levels.member_level_change(actor=province.user("js_club"), member=member, level=emerald, reason="客户投诉核实后调整")

    change = MemberLevelChange.objects.get(kind=LevelChangeKind.MANUAL)
    assert (change.old_level.code, change.new_level.code, change.reason) == ("DIAMOND", "EMERALD", "客户投诉核实后调整")
    assert level_of(member) == "EMERALD"
    assert AuditEntry.objects.get(action="club.member_level_change").reason == "客户投诉核实后调整"


def test_manual_change_of_another_citys_member_is_not_found(province, club):
    from django.http import Http404

    with pytest.raises((Http404, PermissionDenied)):
        levels.member_level_change(actor=province.user("sz_manager1"), member=club.members["diamond"],
                                   level=ClubLevel.objects.get(code="SAPPHIRE"), reason="x")
    assert level_of(club.members["diamond"]) == "DIAMOND"


def test_level_thresholds_are_edited_with_audit_and_checked(province, club):
    diamond = ClubLevel.objects.get(code="DIAMOND")
    levels.level_update(actor=province.user("js_club"), level=diamond, min_monthly_paid=Decimal("3500"),
                        keep_monthly_paid=Decimal("2800"), reason="2027年标准")
    diamond.refresh_from_db()
    assert (diamond.min_monthly_paid, diamond.keep_monthly_paid) == (Decimal("3500"), Decimal("2800"))
    entry = AuditEntry.objects.get(action="club.level_update")
    assert entry.after == {"min_monthly_paid": "3500", "keep_monthly_paid": "2800"} and entry.reason == "2027年标准"

    for bad in ({"keep_monthly_paid": Decimal("4000")}, {"min_monthly_paid": Decimal("900")}, {"review_months": 0}):
        with pytest.raises(InvalidInput):
            levels.level_update(actor=province.user("js_club"), level=diamond, **bad)
    with pytest.raises(PermissionDenied):
        levels.level_update(actor=province.user("nj_manager1"), level=diamond, min_monthly_paid=Decimal("1"))
    diamond.refresh_from_db()
    assert (diamond.min_monthly_paid, diamond.review_months) == (Decimal("3500"), 3)


# --- Annual inspection ---------------------------------------------------------------------------------------


def test_inspection_keeps_who_qualifies_and_suspends_the_rest(province, club, club_accounts):
    today = timezone.localdate()
    ClubMember.objects.update(joined_on=datetime.date(2020, 1, 1))
    ClubMember.objects.filter(pk=club.members["sapphire"].pk).update(inspected_on=today - datetime.timedelta(days=30))
    load({("2501000001", "13951000001"): 1000, ("2502000001", "13962000002"): 100,
          ("2503000001", "13952000003"): 0})

    run = levels.members_inspect(actor=province.user("js_club"))

    diamond, emerald, sapphire = (ClubMember.objects.get(pk=club.members[k].pk) for k in ("diamond", "emerald", "sapphire"))
    assert (diamond.status, diamond.level.code, diamond.inspected_on) == (MemberStatus.ACTIVE, "DIAMOND", today)
    assert (emerald.status, emerald.inspected_on) == (MemberStatus.SUSPENDED, today)
    assert (sapphire.status, sapphire.inspected_on) == (MemberStatus.ACTIVE, today - datetime.timedelta(days=30))
    assert (run.kind, run.period, run.evaluated, run.kept, run.suspended) == (LevelChangeKind.INSPECTION, today, 2, 1, 1)
    rows = MemberLevelChange.objects.filter(kind=LevelChangeKind.INSPECTION)
    assert sorted(rows.values_list("new_status", flat=True)) == [MemberStatus.ACTIVE, MemberStatus.SUSPENDED]

    again = levels.members_inspect(actor=province.user("js_club"))
    assert (again.evaluated, again.runs) == (2, 2) and rows.count() == 2  # nobody is due any more


def test_inspection_skips_members_of_less_than_a_year_and_needs_permission(province, club, club_accounts):
    load({("2501000001", "13951000001"): 0})
    with pytest.raises(PermissionDenied):
        levels.members_inspect(actor=province.user("nj_manager1"))
    run = levels.members_inspect(actor=province.user("js_club"))  # all joined today

    assert run.evaluated == 0 and not ClubMember.objects.filter(status=MemberStatus.SUSPENDED).exists()
