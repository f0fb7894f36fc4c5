"""CUS-08 services: initial grades by rule, manual grades with a reason, permission and
scope, standards with history, both logs written, the log append-only."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from kams.audit.models import AuditEntry
from kams.credit import services
from kams.credit.enums import CreditGrade, CreditSource
from kams.credit.errors import CreditLogIsAppendOnly, CreditReasonRequired, InvalidCreditStandard
from kams.credit.models import AccountCredit, CreditChange, CreditStandard, InitialGradeRule
from kams.org.enums import RoleCode
from kams.org.testing import make_staff

pytestmark = pytest.mark.django_db


def _state():
    return (
        list(AccountCredit.objects.order_by("pk").values_list("account_id", "grade", "limit", "source", "reason")),
        CreditChange.objects.count(),
        AuditEntry.objects.filter(action__startswith="credit.").count(),
    )


def test_initial_grade_follows_the_rules_and_is_given_once(province, credit_setup):
    bank = services.credit_initial_assign(account=credit_setup["nj"])
    person = services.credit_initial_assign(account=credit_setup["vip"])
    again = services.credit_initial_assign(account=credit_setup["nj"])

    assert (bank.grade, bank.limit, bank.source) == (CreditGrade.RED, Decimal("50000.00"), CreditSource.INITIAL)
    assert (person.grade, person.limit) == (CreditGrade.GREY, Decimal("10000.00"))
    assert again.pk == bank.pk
    change = CreditChange.objects.get(account=credit_setup["nj"])
    assert (change.old_grade, change.new_grade, change.assessor_name) == ("", CreditGrade.RED, "system")
    assert change.basis["rule"] == 10 and "A类、B类" in change.reason
    assert CreditChange.objects.count() == 2


def test_initial_rules_are_tried_by_priority_and_fall_back_to_grey(province, credit_setup):
    admin = province.user("js_director")
    services.initial_rule_save(actor=admin, priority=5, customer_type="high_end", max_level_rank=3, grade=CreditGrade.RED, note="银卡以上")
    InitialGradeRule.objects.filter(priority=100).update(is_active=False)

    assert services.credit_initial_assign(account=credit_setup["vip"]).grade == CreditGrade.RED
    services.initial_rule_save(actor=admin, rule=InitialGradeRule.objects.get(priority=10), is_active=False)
    assert services.credit_initial_assign(account=credit_setup["nj"]).grade == CreditGrade.GREY  # no rule matches
    assert AuditEntry.objects.filter(action="credit.initial_rule_save").count() == 2


def test_batch_gives_every_ungraded_account_its_grade_once(province, credit_setup):
    assert services.credits_initial_assign_all() == 4
    assert services.credits_initial_assign_all() == 0
    grades = dict(AccountCredit.objects.values_list("account__account_no", "grade"))
    assert grades == {"2501000001": "red", "2501000002": "red", "2502000001": "red", "2501000003": "grey"}
    assert CreditChange.objects.filter(source=CreditSource.INITIAL).count() == 4


def test_manual_grade_without_reason_is_refused_and_changes_nothing(province, graded):
    before = _state()

    with pytest.raises(CreditReasonRequired) as refused:
        services.credit_set(actor=province.user("nj_director"), account=graded["nj"], grade=CreditGrade.BLACK, reason="  ")

    assert "reason" in refused.value.text and refused.value.code == "credit.reason_required"
    assert _state() == before


def test_manual_grade_writes_both_logs_with_the_assessor(province, graded):
    credit = services.credit_set(
        actor=province.user("nj_director"), account=graded["nj"], grade=CreditGrade.GREY,
        limit=Decimal("20000"), reason="近期经营困难，暂降为灰名单",
    )

    assert (credit.grade, credit.limit, credit.limit_is_custom, credit.source) == ("grey", Decimal("20000"), True, "manual")
    assert credit.assessed_by == province.staff["nj_director"]
    change = CreditChange.objects.filter(account=graded["nj"]).first()
    assert (change.old_grade, change.new_grade, change.old_limit, change.new_limit) == (
        "red", "grey", Decimal("50000.00"), Decimal("20000.00")
    )
    assert change.assessor_name.startswith("李明华") and change.assessor_staff == province.staff["nj_director"]
    entry = AuditEntry.objects.get(action="credit.set")
    assert entry.before["grade"] == "red" and entry.after["grade"] == "grey"
    assert entry.reason == "近期经营困难，暂降为灰名单" and entry.actor_staff == province.staff["nj_director"]


def test_manual_grade_without_limit_takes_the_standard_limit(province, graded):
    credit = services.credit_set(actor=province.user("nj_director"), account=graded["nj"], grade="black", reason="恶意欠费")
    assert (credit.limit, credit.limit_is_custom) == (Decimal("0.00"), False)


def test_club_staff_may_not_set_a_grade(province, graded):
    club = make_staff("club1", province.units["JS-JKB"], (RoleCode.CLUB_STAFF,), name="俱乐部小王")
    before = _state()

    assert club.user.has_perm("credit.view_accountcredit")
    with pytest.raises(PermissionDenied):
        services.credit_set(actor=club.user, account=graded["nj"], grade="black", reason="试试")
    assert _state() == before


def test_a_grade_outside_the_scope_looks_missing(province, graded):
    before = _state()
    with pytest.raises(Http404):
        services.credit_set(actor=province.user("sz_director"), account=graded["nj"], grade="black", reason="x")
    assert _state() == before


def test_manual_grade_for_an_ungraded_account(province, credit_setup):
    credit = services.credit_set(actor=province.user("nj_director"), account=credit_setup["nj"], grade="grey", reason="开户前评定")
    assert credit.grade == "grey" and CreditChange.objects.get().old_grade == ""


def test_standard_limit_change_moves_accounts_without_a_custom_limit(province, graded):
    services.credit_set(actor=province.user("nj_director"), account=graded["nj2"], grade="red", limit=Decimal("80000"), reason="总部担保")
    red = CreditStandard.objects.get(grade="red")

    services.credit_standard_save(actor=province.user("js_director"), standard=red, credit_limit=Decimal("60000"), reason="年度调整")

    limits = dict(AccountCredit.objects.values_list("account__account_no", "limit"))
    assert limits["2501000001"] == Decimal("60000.00") and limits["2502000001"] == Decimal("60000.00")
    assert limits["2501000002"] == Decimal("80000.00")  # set by hand: kept
    moved = CreditChange.objects.filter(source=CreditSource.STANDARD)
    assert moved.count() == 2 and {c.new_limit for c in moved} == {Decimal("60000.00")}
    entry = AuditEntry.objects.get(action="credit.standard_save")
    assert entry.before["credit_limit"] == "50000.00" and entry.after["credit_limit"] == "60000.00"
    assert entry.after["accounts_moved"] == 2 and entry.reason == "年度调整"


@pytest.mark.parametrize(
    "grade, values, field",
    [
        ("grey", {"credit_limit": Decimal("90000")}, "credit_limit"),  # above red
        ("red", {"min_arrears_months": 2}, "grade"),  # red has no thresholds
        ("black", {"window_months": 0}, "window_months"),
    ],
)
def test_bad_standards_are_refused_and_change_nothing(province, grade, values, field):
    from kams.credit.reference_data import ensure_reference_data_now

    ensure_reference_data_now()
    standard = CreditStandard.objects.get(grade=grade)
    before = list(CreditStandard.objects.order_by("pk").values())

    with pytest.raises(InvalidCreditStandard) as refused:
        services.credit_standard_save(actor=province.user("js_director"), standard=standard, **values)

    assert refused.value.text.startswith(field)
    assert list(CreditStandard.objects.order_by("pk").values()) == before
    assert not AuditEntry.objects.filter(action="credit.standard_save").exists()


def test_standards_need_their_permission(province):
    from kams.credit.reference_data import ensure_reference_data_now

    ensure_reference_data_now()
    with pytest.raises(PermissionDenied):
        services.credit_standard_save(
            actor=province.user("nj_director"), standard=CreditStandard.objects.get(grade="red"), credit_limit=Decimal("1")
        )


def test_the_credit_log_is_append_only(province, graded):
    change = CreditChange.objects.first()
    with pytest.raises(CreditLogIsAppendOnly):
        CreditChange.objects.filter(pk=change.pk).update(reason="改写")
    with pytest.raises(CreditLogIsAppendOnly):
        change.save()
    with pytest.raises(CreditLogIsAppendOnly):
        change.delete()
    from django.db import DatabaseError, connection, transaction

    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE credit_creditchange SET reason = 'x'")
