"""Writes of credit management (CUS-08).

Each function checks permission and scope, runs in one transaction, changes the account's
credit and appends to both logs: the audit log (ORG-05, with before/after) and the credit
log ``CreditChange`` (信用度日志, with the assessor). The automatic re-grading is in
``kams.credit.regrade``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kams.audit.services import audit_record, snapshot
from kams.core.errors import Conflict, InvalidInput
from kams.credit.enums import GRADES_BEST_FIRST, CreditGrade, CreditSource
from kams.credit.errors import AccountNotGradable, CreditReasonRequired, InvalidCreditLimit, InvalidCreditStandard
from kams.credit.grading import limit_for, pick_initial_grade, standard_table
from kams.credit.models import AccountCredit, CreditChange, CreditRun, CreditStandard, InitialGradeRule
from kams.customers.enums import AccountStatus
from kams.customers.models import PayingAccount
from kams.org.scoping import require_in_scope, require_perm
from kams.system.models import JobRun

CREDIT_FIELDS = ("grade", "limit", "limit_is_custom", "source", "reason")
STANDARD_FIELDS = (
    "credit_limit", "window_months", "min_arrears_months", "min_arrears_amount", "min_late_payments", "description",
)
RULE_FIELDS = ("priority", "customer_type", "max_level_rank", "grade", "note", "is_active")
CHUNK = 2000
CENT = Decimal("0.01")


def _money(value: Any) -> Any:
    return Decimal(value).quantize(CENT) if value is not None else None


def assessor_of(actor: Any) -> tuple[Any, Any, str]:
    """(user, staff, name) of whoever assesses: a person, or the system."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None, None, "system"
    staff = getattr(actor, "staff", None)
    if staff is not None:
        return actor, staff, f"{staff.name} ({staff.employee_no})"[:100]
    return actor, None, actor.get_username()[:100]


def credit_log_entry(
    *, account_id: int, old: AccountCredit | None, grade: str, limit: Decimal, source: str, reason: str,
    actor: Any, at: Any, run: CreditRun | None = None, basis: dict | None = None,
) -> CreditChange:
    """An unsaved credit log row (callers save it or bulk-insert many), naming the assessor."""
    user, staff, name = assessor_of(actor)
    return CreditChange(
        account_id=account_id,
        old_grade=old.grade if old else "",
        new_grade=grade,
        old_limit=old.limit if old else None,
        new_limit=limit,
        source=source,
        reason=reason[:500],
        basis=basis or {},
        assessor=user,
        assessor_staff=staff,
        assessor_name=name,
        at=at,
        run=run,
    )


# --- Initial grades ------------------------------------------------------------------------------


@transaction.atomic
def credit_initial_assign(*, account: PayingAccount, actor: Any = None) -> AccountCredit:
    """初始信用等级: give an account without a grade the grade of the first initial rule its
    customer matches, and that grade's limit. An account that already has a grade keeps it
    (safe to call twice). With an ``actor``, their permission and scope are checked; without,
    the system assigns (e.g. when an account is opened)."""
    if actor is not None:
        require_perm(actor, "credit.change_accountcredit")
        require_in_scope(actor, account)
    account = PayingAccount.objects.select_for_update(of=("self",)).select_related("customer__level").get(pk=account.pk)
    existing = AccountCredit.objects.filter(account=account).first()
    if existing is not None:
        return existing
    if account.status != AccountStatus.ACTIVE:
        raise AccountNotGradable()
    customer = account.customer
    grade, rule = pick_initial_grade(
        InitialGradeRule.objects.filter(is_active=True), customer.customer_type, customer.level.rank if customer.level else None
    )
    now = timezone.now()
    _user, staff, name = assessor_of(actor)
    reason = _initial_reason(rule)
    credit = AccountCredit.objects.create(
        account=account, grade=grade, limit=limit_for(standard_table(), grade), source=CreditSource.INITIAL,
        reason=reason, assessed_at=now, assessed_by=staff, assessor_name=name, changed_at=now,
    )
    credit_log_entry(
        account_id=account.pk, old=None, grade=grade, limit=credit.limit, source=CreditSource.INITIAL, reason=reason,
        actor=actor, at=now, basis=_rule_basis(rule),
    ).save()
    audit_record(actor=actor, action="credit.initial_assign", target=credit, after=snapshot(credit, CREDIT_FIELDS))
    return credit


def _initial_reason(rule: InitialGradeRule | None) -> str:
    if rule is None:
        return _("No initial rule matched: grey list.")
    return _("Initial rule %(priority)s: %(note)s") % {"priority": rule.priority, "note": rule.note or rule.get_grade_display()}


def _rule_basis(rule: InitialGradeRule | None) -> dict:
    if rule is None:
        return {"rule": None}
    return {"rule": rule.priority, "customer_type": rule.customer_type, "max_level_rank": rule.max_level_rank}


def credits_initial_assign_all(*, actor: Any = None, run: CreditRun | None = None) -> int:
    """Set-based: every active account without a grade gets its initial grade — one query
    for the accounts, the rules in memory, bulk inserts. Runs in the caller's transaction
    (the re-grading's) or its own; the caller writes the summary audit entry."""
    with transaction.atomic():
        rules = list(InitialGradeRule.objects.filter(is_active=True))
        standards = standard_table()
        now = timezone.now()
        _user, staff, name = assessor_of(actor)
        ungraded = PayingAccount.objects.filter(status=AccountStatus.ACTIVE, credit__isnull=True).values_list(
            "pk", "customer__customer_type", "customer__level__rank"
        )
        credits: list[AccountCredit] = []
        changes: list[CreditChange] = []
        for pk, customer_type, rank in ungraded.iterator(chunk_size=CHUNK):
            grade, rule = pick_initial_grade(rules, customer_type, rank)
            reason = _initial_reason(rule)
            limit = limit_for(standards, grade)
            credits.append(
                AccountCredit(
                    account_id=pk, grade=grade, limit=limit, source=CreditSource.INITIAL, reason=reason,
                    assessed_at=now, assessed_by=staff, assessor_name=name, changed_at=now,
                )
            )
            changes.append(
                credit_log_entry(account_id=pk, old=None, grade=grade, limit=limit, source=CreditSource.INITIAL, reason=reason,
                     actor=actor, at=now, run=run, basis=_rule_basis(rule))
            )
        AccountCredit.objects.bulk_create(credits, batch_size=CHUNK)
        CreditChange.objects.bulk_create(changes, batch_size=CHUNK)
    return len(credits)


@transaction.atomic
def credits_initial_assign_request(*, actor: Any) -> int:
    """The page's "give initial grades" button: the batch above, audited as one entry."""
    require_perm(actor, "credit.add_creditrun")
    count = credits_initial_assign_all(actor=actor)
    audit_record(actor=actor, action="credit.initial_assign_all", target_repr=str(count), after={"accounts": count})
    return count


# --- Manual grades -------------------------------------------------------------------------------


@transaction.atomic
def credit_set(
    *, actor: Any, account: PayingAccount, grade: str, reason: str, limit: Decimal | None = None
) -> AccountCredit:
    """人工设定与变更信用度: set an account's grade (and, optionally, a limit other than the
    grade's standard limit) by hand, with a reason. The grade is then kept from the automatic
    re-grading for ``credit.manual_hold_days`` days."""
    require_perm(actor, "credit.change_accountcredit")
    require_in_scope(actor, account)
    if grade not in CreditGrade.values:
        raise InvalidInput(_("grade: “%(value)s” is not a credit grade.") % {"value": grade})
    if not (reason or "").strip():
        raise CreditReasonRequired()
    if limit is not None and limit < 0:
        raise InvalidCreditLimit(problem=_("a credit limit cannot be negative"))
    limit = _money(limit)
    account = PayingAccount.objects.select_for_update().get(pk=account.pk)
    if account.status != AccountStatus.ACTIVE:
        raise AccountNotGradable()
    credit = AccountCredit.objects.select_for_update().filter(account=account).first()
    old = AccountCredit(**{f: getattr(credit, f) for f in CREDIT_FIELDS}) if credit else None
    before = snapshot(credit, CREDIT_FIELDS) if credit else None
    now = timezone.now()
    _user, staff, name = assessor_of(actor)
    new_limit = limit if limit is not None else limit_for(standard_table(), grade)
    if credit is None:
        credit = AccountCredit(account=account)
    changed = old is None or (old.grade, old.limit) != (grade, new_limit)
    credit.grade, credit.limit, credit.limit_is_custom = grade, new_limit, limit is not None
    credit.source, credit.reason = CreditSource.MANUAL, reason.strip()[:500]
    credit.assessed_at, credit.assessed_by, credit.assessor_name = now, staff, name
    if changed or credit.changed_at is None:
        credit.changed_at = now
    credit.save()
    credit_log_entry(
        account_id=account.pk, old=old, grade=grade, limit=new_limit, source=CreditSource.MANUAL,
        reason=credit.reason, actor=actor, at=now,
    ).save()
    audit_record(
        actor=actor, action="credit.set", target=credit, before=before, after=snapshot(credit, CREDIT_FIELDS),
        reason=credit.reason,
    )
    return credit


# --- Standards and initial rules ----------------------------------------------------------------


def _check_standard(standard: CreditStandard) -> None:
    if standard.credit_limit is None or standard.credit_limit < 0:
        raise InvalidCreditStandard(field="credit_limit", problem=_("a credit limit cannot be negative"))
    if not 1 <= (standard.window_months or 0) <= 24:
        raise InvalidCreditStandard(field="window_months", problem=_("judge between 1 and 24 months"))
    if standard.grade == CreditGrade.RED and standard.has_thresholds():
        raise InvalidCreditStandard(
            field="grade", problem=_("the red list is for accounts that meet no other standard: it has no thresholds")
        )
    if standard.min_arrears_amount is not None and standard.min_arrears_amount <= 0:
        raise InvalidCreditStandard(field="min_arrears_amount", problem=_("the amount must be above zero"))
    others = {s.grade: s.credit_limit for s in CreditStandard.objects.exclude(pk=standard.pk)}
    others[standard.grade] = standard.credit_limit
    ordered = [others[g] for g in GRADES_BEST_FIRST if g in others]
    if any(better < worse for better, worse in zip(ordered, ordered[1:])):
        raise InvalidCreditStandard(
            field="credit_limit", problem=_("a better grade cannot have a lower credit limit than a worse one")
        )


@transaction.atomic
def credit_standard_save(*, actor: Any, standard: CreditStandard, reason: str = "", **values: Any) -> CreditStandard:
    """修改信用评级标准: change a grade's limit, thresholds or description. Accounts of the
    grade whose limit was not set by hand get the new limit at once, each change logged."""
    require_perm(actor, "credit.change_creditstandard")
    unknown = set(values) - set(STANDARD_FIELDS)
    if unknown:
        raise InvalidInput(_("Unknown fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    standard = CreditStandard.objects.select_for_update().get(pk=standard.pk)
    before = snapshot(standard, STANDARD_FIELDS)
    old_limit = standard.credit_limit
    for field, value in values.items():
        setattr(standard, field, _money(value) if field in ("credit_limit", "min_arrears_amount") else value)
    _check_standard(standard)
    after = snapshot(standard, STANDARD_FIELDS)
    if after == before:
        return standard
    standard.updated_by = actor
    standard.save()
    moved = 0
    if standard.credit_limit != old_limit:
        moved = _follow_standard_limit(actor=actor, standard=standard, reason=reason)
    audit_record(
        actor=actor, action="credit.standard_save", target=standard, before=before,
        after={**after, "accounts_moved": moved}, reason=reason,
    )
    return standard


def _follow_standard_limit(*, actor: Any, standard: CreditStandard, reason: str) -> int:
    """The accounts of the standard's grade without a custom limit take its new limit."""
    now = timezone.now()
    affected = AccountCredit.objects.select_for_update().filter(grade=standard.grade, limit_is_custom=False).exclude(
        limit=standard.credit_limit
    )
    rows = list(affected.values_list("pk", "account_id", "limit"))
    text = reason or _("The credit limit of the %(grade)s was changed.") % {"grade": standard.get_grade_display()}
    CreditChange.objects.bulk_create(
        [
            credit_log_entry(account_id=account_id, old=AccountCredit(grade=standard.grade, limit=limit), grade=standard.grade,
                 limit=standard.credit_limit, source=CreditSource.STANDARD, reason=text, actor=actor, at=now)
            for _pk, account_id, limit in rows
        ],
        batch_size=CHUNK,
    )
    ids = [pk for pk, _account, _limit in rows]
    for start in range(0, len(ids), CHUNK):
        AccountCredit.objects.filter(pk__in=ids[start : start + CHUNK]).update(limit=standard.credit_limit, changed_at=now)
    return len(ids)


@transaction.atomic
def initial_rule_save(*, actor: Any, rule: InitialGradeRule | None = None, **values: Any) -> InitialGradeRule:
    """Add or change an initial grade rule (用于业务开通前确定初始信用等级)."""
    require_perm(actor, "credit.change_initialgraderule")
    unknown = set(values) - set(RULE_FIELDS)
    if unknown:
        raise InvalidInput(_("Unknown fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    if values.get("grade", rule.grade if rule else None) not in CreditGrade.values:
        raise InvalidInput(_("grade: choose a credit grade."))
    before = snapshot(rule, RULE_FIELDS) if rule else None
    rule = InitialGradeRule.objects.select_for_update().get(pk=rule.pk) if rule else InitialGradeRule()
    for field, value in values.items():
        setattr(rule, field, value)
    rule.customer_type = rule.customer_type or ""
    try:
        with transaction.atomic():
            rule.save()
    except IntegrityError:
        raise Conflict(_("priority: another rule has this priority.")) from None
    audit_record(
        actor=actor, action="credit.initial_rule_save", target=rule, before=before, after=snapshot(rule, RULE_FIELDS),
        target_repr=str(rule),
    )
    return rule


# --- Re-grading ----------------------------------------------------------------------------------


@transaction.atomic
def credit_regrade_request(*, actor: Any) -> JobRun:
    """Queue the automatic re-grading for ``kams worker``; its progress shows on the jobs page."""
    require_perm(actor, "credit.add_creditrun")
    run = JobRun.objects.create(name="credit.regrade", label=_("Credit re-grading"), started_by=actor)
    audit_record(actor=actor, action="credit.regrade_request", target=run)

    def enqueue() -> None:
        from kams.credit.tasks import credit_regrade_task

        credit_regrade_task.enqueue(job_run_id=run.pk, actor_id=actor.pk)

    transaction.on_commit(enqueue)
    return run

