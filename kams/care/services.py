"""Writes of visits (客户回访, SVC-07) and customer care (客户关怀, SVC-08).

Every function checks permission and scope, runs in one transaction and writes the audit
log. A visit is a ``revisit`` case of ``kams.service``: it is opened, handed over, cancelled
and completed only through that app's services. Gift stock only moves through conditional
updates (``UPDATE … WHERE quantity >= n``), so two people issuing the last gift cannot both
succeed, and every move appends a ledger row.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, Callable

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kams.audit.services import audit_record, snapshot
from kams.care.enums import (
    REVISIT,
    SATISFACTION_ZH,
    CareKind,
    MoveKind,
    PlanState,
    ProposalState,
    RuleKind,
    Satisfaction,
)
from kams.care.errors import (
    OutOfStock,
    PlanEmpty,
    PlanNotDraft,
    ProposalDecided,
    QuickResultUnsupported,
    VisitNotOpen,
)
from kams.care.models import (
    CareAction,
    CareProposal,
    CareRule,
    CareSurvey,
    Gift,
    GiftMove,
    GiftStock,
    Visit,
    VisitPlan,
)
from kams.care.selectors import SATISFACTION_FIELD, plan_candidates
from kams.core.errors import Conflict, InvalidInput
from kams.org.models import OrgUnit, Staff
from kams.org.scoping import require_in_scope, require_perm, scope_for
from kams.service import services as service
from kams.service.enums import CaseSource, CaseStatus, ItemStatus
from kams.service.models import WorkItem
from kams.system.models import JobRun
from kams.system.parameters import param

PLAN_FIELDS = (
    "name", "purpose", "method", "org_unit", "owner", "state", "due_on", "days_since_visit", "min_level", "region",
    "account_manager", "customer_type", "skip_open",
)
RULE_FIELDS = (
    "name", "kind", "festival_month", "festival_day", "festival_date", "days_ahead", "min_level", "customer_type",
    "action_text", "gift", "gift_quantity", "is_active",
)
GIFT_FIELDS = ("code", "name", "unit_label", "reference_cost", "is_active", "note")
CENT = Decimal("0.01")


def _staff(actor: Any) -> Staff | None:
    return getattr(actor, "staff", None) if actor is not None and getattr(actor, "is_authenticated", False) else None


def _own_only(actor: Any) -> bool:
    return scope_for(actor).own_only


def _end_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59)))


# --- Visit plans ---------------------------------------------------------------------------------


@transaction.atomic
def visit_plan_save(*, actor: Any, plan: VisitPlan | None = None, **values: Any) -> VisitPlan:
    """制定回访计划: a new plan (draft) or changes to a draft. An account manager's plan covers
    only their own customers; a director's plan covers the unit it is made for."""
    require_perm(actor, "care.change_visitplan" if plan else "care.add_visitplan")
    staff = _staff(actor)
    if plan is not None:
        require_in_scope(actor, plan)
        plan = VisitPlan.objects.select_for_update().get(pk=plan.pk)
        if plan.state != PlanState.DRAFT:
            raise PlanNotDraft(state=plan.get_state_display())
        before = snapshot(plan, PLAN_FIELDS)
    else:
        plan = VisitPlan(owner=staff, created_by=actor if getattr(actor, "pk", None) else None)
        before = None
    for name, value in values.items():
        if name not in PLAN_FIELDS or name in ("state", "owner"):
            raise InvalidInput(_("%(field)s: cannot be set here.") % {"field": name})
        setattr(plan, name, value)
    if not (plan.name or "").strip():
        raise InvalidInput(_("name: give the plan a name."))
    if plan.org_unit_id is None:
        if staff is None:
            raise InvalidInput(_("org_unit: say which unit the plan is for."))
        plan.org_unit = staff.org_unit.scope_anchor()
    if not scope_for(actor).covers_unit(plan.org_unit):
        raise InvalidInput(_("org_unit: %(unit)s is outside your scope.") % {"unit": plan.org_unit})
    if plan.region_id and not plan.region.path.startswith(plan.org_unit.path):
        raise InvalidInput(_("region: %(unit)s is not under the plan's unit.") % {"unit": plan.region})
    if _own_only(actor):
        plan.account_manager = staff  # 客户经理自己制定: only their own customers
    elif plan.account_manager_id:
        require_in_scope(actor, plan.account_manager)
    if plan.due_on is None or plan.due_on < timezone.localdate():
        raise InvalidInput(_("due_on: the visits cannot be due in the past."))
    plan.save()
    audit_record(
        actor=actor, action="care.visit_plan_save", target=plan, before=before, after=snapshot(plan, PLAN_FIELDS),
    )
    return plan


@transaction.atomic
def visit_plan_cancel(*, actor: Any, plan: VisitPlan, reason: str) -> VisitPlan:
    """Drop a draft plan. Visits of an approved plan are stopped one by one instead."""
    require_perm(actor, "care.change_visitplan")
    require_in_scope(actor, plan)
    plan = VisitPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.state != PlanState.DRAFT:
        raise PlanNotDraft(state=plan.get_state_display())
    if not reason.strip():
        raise InvalidInput(_("reason: say why the plan is cancelled."))
    plan.state, plan.cancel_reason = PlanState.CANCELLED, reason.strip()[:300]
    plan.save(update_fields=["state", "cancel_reason"])
    audit_record(actor=actor, action="care.visit_plan_cancel", target=plan, before={"state": PlanState.DRAFT},
                 after={"state": plan.state}, reason=reason)
    return plan


@transaction.atomic
def visit_plan_approve(*, actor: Any, plan: VisitPlan, now: datetime.datetime | None = None) -> VisitPlan:
    """审批回访计划: fix the customers the conditions find now and open a visit (a ``revisit``
    case) for each. Small plans open them at once; larger ones in a background job."""
    require_perm(actor, "care.approve_visitplan")
    require_in_scope(actor, plan)
    plan = VisitPlan.objects.select_for_update(of=("self",)).select_related("org_unit", "region", "min_level").get(pk=plan.pk)
    if plan.state != PlanState.DRAFT:
        raise PlanNotDraft(state=plan.get_state_display())
    require_perm(actor, "service.add_case")
    service.active_definition(REVISIT)  # fail now, not in the job, when there is no visit process
    now = now or timezone.now()
    ids = list(plan_candidates(plan, actor, now=now).values_list("pk", flat=True))
    if not ids:
        raise PlanEmpty()
    plan.state, plan.approved_by, plan.approved_at, plan.customer_count = PlanState.RUNNING, actor, now, len(ids)
    if len(ids) <= param("care.plan_inline_limit"):
        for customer_id in ids:
            _visit_open(actor=actor, plan=plan, customer_id=customer_id, now=now)
        plan.state = PlanState.ACTIVE
    else:
        plan.job = JobRun.objects.create(
            name="care.visit_plan", label=_("Visit plan %(name)s") % {"name": plan.name}, started_by=actor,
            params={"plan": plan.pk, "customers": ids}, progress_total=len(ids),
        )
        job_id = plan.job.pk

        def enqueue() -> None:
            from kams.care.tasks import visit_plan_task

            visit_plan_task.enqueue(job_run_id=job_id)

        transaction.on_commit(enqueue)
    plan.save(update_fields=["state", "approved_by", "approved_at", "customer_count", "job"])
    audit_record(actor=actor, action="care.visit_plan_approve", target=plan, before={"state": PlanState.DRAFT},
                 after={"state": plan.state, "customers": len(ids), "job": plan.job_id})
    return plan


def _start_data(plan: VisitPlan) -> dict[str, Any]:
    """The revisit process's opening form filled from the plan: purpose, method, due date."""
    definition = service.active_definition(REVISIT)
    data: dict[str, Any] = {}
    for field in definition.start_form:
        name, kind = field["name"], field["type"]
        choices = [str(c[0]) for c in field.get("choices", [])]
        if kind == "choice":
            if plan.method in choices:
                data[name] = plan.method
            elif field.get("required") and choices:
                data[name] = choices[0]
        elif kind in ("text", "textarea"):
            text = plan.purpose if ("purpose" in name or "content" in name or kind == "textarea") and plan.purpose else plan.name
            data[name] = text[:300] if kind == "text" else text
        elif kind == "date":
            data[name] = plan.due_on.isoformat()
        elif kind == "datetime":
            data[name] = _end_of_day(plan.due_on).isoformat()
        elif kind == "bool" and field.get("required", True):
            data[name] = False
    return data


def _visit_open(*, actor: Any, plan: VisitPlan, customer_id: int, now: datetime.datetime) -> Visit:
    """One visit of a plan; safe to call again for the same customer (idempotency key)."""
    from kams.customers.models import Customer

    existing = Visit.objects.filter(plan=plan, customer_id=customer_id).first()
    if existing is not None:
        return existing
    customer = Customer.objects.select_related("org_unit", "account_manager").get(pk=customer_id)
    case = service.case_open(
        actor=actor, process=REVISIT, title=_("Visit: %(plan)s") % {"plan": plan.name}, data=_start_data(plan),
        customer=customer, source=CaseSource.CENTER, idempotency_key=f"care.visit:{plan.pk}:{customer_id}", now=now,
    )
    visit, _created = Visit.objects.get_or_create(
        case=case,
        defaults={"plan": plan, "customer": customer, "org_unit": customer.org_unit, "manager": customer.account_manager,
                  "due_at": _end_of_day(plan.due_on)},
    )
    return visit


def visit_plan_execute(*, job: JobRun, progress: Any = None) -> dict:
    """The background half of approving a large plan: one visit per customer, each in its own
    transaction, so a failure leaves the plan resumable (run the job again)."""
    plan = VisitPlan.objects.select_related("org_unit", "approved_by").get(pk=job.params["plan"])
    actor = plan.approved_by
    opened = 0
    for customer_id in job.params["customers"]:
        with transaction.atomic():
            _visit_open(actor=actor, plan=plan, customer_id=customer_id, now=plan.approved_at or timezone.now())
        opened += 1
        if progress is not None:
            progress.advance(1)
    with transaction.atomic():
        VisitPlan.objects.filter(pk=plan.pk, state=PlanState.RUNNING).update(state=PlanState.ACTIVE)
    return {"plan": plan.pk, "visits": opened}


# --- Visit tasks: stop, reassign, postpone -----------------------------------------------------------


def _visit_locked(actor: Any, visit: Visit) -> Visit:
    require_perm(actor, "care.change_visit")
    require_in_scope(actor, visit)
    visit = Visit.objects.select_for_update(of=("self",)).select_related("case", "customer").get(pk=visit.pk)
    if visit.case.status != CaseStatus.OPEN:
        raise VisitNotOpen()
    return visit


@transaction.atomic
def visit_stop(*, actor: Any, visit: Visit, reason: str) -> Visit:
    """终止回访: cancel the visit's case with a reason."""
    visit = _visit_locked(actor, visit)
    service.case_cancel(actor=actor, case=visit.case, reason=reason)
    audit_record(actor=actor, action="care.visit_stop", target=visit, after={"case": visit.case.number}, reason=reason)
    visit.case.refresh_from_db()
    return visit


@transaction.atomic
def visit_reassign(*, actor: Any, visit: Visit, to: Staff, reason: str) -> Visit:
    """换人: the open steps of the visit go to another account manager."""
    visit = _visit_locked(actor, visit)
    require_in_scope(actor, to)
    before = visit.manager.name if visit.manager else ""
    for item in WorkItem.objects.filter(case=visit.case, status=ItemStatus.OPEN):
        service.workitem_handover(actor=actor, item=item, to=to, reason=reason)
    visit.manager = to
    visit.save(update_fields=["manager"])
    audit_record(actor=actor, action="care.visit_reassign", target=visit, before={"manager": before},
                 after={"manager": to.name}, reason=reason)
    return visit


@transaction.atomic
def visit_postpone(*, actor: Any, visit: Visit, due_on: datetime.date, reason: str) -> Visit:
    """延期: the appointment moved; the visit is due later (noted in the case's log)."""
    visit = _visit_locked(actor, visit)
    if not reason.strip():
        raise InvalidInput(_("reason: say why the visit is postponed."))
    due_at = _end_of_day(due_on)
    if visit.due_at and due_at <= visit.due_at:
        raise InvalidInput(_("due_on: the new date must be after the current one."))
    before = visit.due_at
    visit.due_at, visit.postponements = due_at, visit.postponements + 1
    visit.save(update_fields=["due_at", "postponements"])
    service.case_note(actor=actor, case=visit.case, text=_("Visit postponed to %(date)s: %(reason)s") % {
        "date": due_on.isoformat(), "reason": reason.strip()})
    audit_record(actor=actor, action="care.visit_postpone", target=visit, before={"due_at": before},
                 after={"due_at": due_at}, reason=reason)
    return visit


# --- Quick result entry ------------------------------------------------------------------------------


# What each one-click answer is called in a process's own choices (keys, then Chinese labels).
_SYNONYMS = {
    Satisfaction.SATISFIED: (("satisfied",), ("满意",)),
    Satisfaction.BASIC: (("basic", "basically_satisfied", "neutral", "ok"), ("基本满意", "一般")),
    Satisfaction.DISSATISFIED: (("dissatisfied", "unsatisfied"), ("不满意",)),
}


def _choice_for(field: dict, satisfaction: str) -> str:
    """The process's choice for 满意 / 基本满意 / 不满意: by key, then by label, then by
    position (best first, worst last, the middle one for 基本满意)."""
    choices = [[str(x) for x in c] for c in field["choices"]]
    keys = [c[0] for c in choices]
    names, labels = _SYNONYMS[Satisfaction(satisfaction)]
    for name in names:
        if name in keys:
            return name
    for label in labels:
        for c in choices:
            if len(c) > 1 and c[1] == label:
                return c[0]
    if satisfaction == Satisfaction.SATISFIED:
        return keys[0]
    if satisfaction == Satisfaction.DISSATISFIED or len(keys) < 3:
        return keys[-1]
    return keys[len(keys) // 2]


def quick_values(form: list[dict], *, satisfaction: str | None = None, note: str = "",
                 when: datetime.datetime | None = None, step: str = "", fallback: str = "") -> dict[str, Any]:
    """The values of a visit step from one click: the satisfaction (or the appointment time)
    and a short note; other fields take their natural defaults. A step needing more than
    that is refused (it is done on its own page)."""
    values: dict[str, Any] = {}
    sat = next((f for f in form if f["name"] == SATISFACTION_FIELD and f["type"] == "choice"), None)
    if satisfaction is not None:
        if satisfaction not in Satisfaction.values:
            raise InvalidInput(_("satisfaction: choose one of %(choices)s.") % {"choices": ", ".join(Satisfaction.values)})
        if sat is None:
            raise QuickResultUnsupported(step=step)
        values[sat["name"]] = _choice_for(sat, satisfaction)
    elif sat is not None:
        raise InvalidInput(_("satisfaction: choose the customer's satisfaction."))
    when = when or timezone.now()
    text_fields = [f for f in form if f["type"] in ("text", "textarea") and f is not sat]
    preferred = [f for f in text_fields if any(k in f["name"] for k in ("note", "record", "result", "summary", "content", "remark", "plan"))]
    note_field = (preferred or text_fields or [None])[0]
    for field in form:
        name, kind, required = field["name"], field["type"], field.get("required", False)
        if name in values:
            continue
        if field is note_field:
            text = note.strip() or (SATISFACTION_ZH[Satisfaction(satisfaction)] if satisfaction else fallback)
            if text or required:
                values[name] = text or "—"
        elif kind == "datetime":
            values[name] = when.isoformat()
        elif kind == "date":
            values[name] = timezone.localtime(when).date().isoformat() if timezone.is_aware(when) else when.date().isoformat()
        elif kind == "bool":
            if field.get("required", True):
                values[name] = False
        elif kind == "choice" and required:
            values[name] = str(field["choices"][0][0])
        elif required:
            raise QuickResultUnsupported(step=step)
    return values


def step_form_of(item: WorkItem) -> list[dict]:
    """The form of a work item's step, as its process version declares it."""
    for step in item.case.definition.steps:
        if step["id"] == item.step:
            return step.get("form", [])
    return []


@transaction.atomic
def visit_result_quick(*, actor: Any, item: WorkItem, satisfaction: str | None = None, note: str = "",
                       when: datetime.datetime | None = None) -> Any:
    """回访结果录入 with one click: complete the visit step with the satisfaction (or the
    appointment time) and a note. The step's own checks (role, assignee, scope) apply."""
    require_perm(actor, "care.change_visit")
    item = WorkItem.objects.select_related("case__definition").get(pk=item.pk)
    if item.process_key != REVISIT:
        raise InvalidInput(_("This step is not a visit."))
    values = quick_values(step_form_of(item), satisfaction=satisfaction, note=note, when=when, step=item.step_name,
                          fallback=item.case.title)
    if item.assignee_id is None:
        service.workitem_claim(actor=actor, item=item)
    return service.workitem_complete(actor=actor, item=item, values=values)


# --- Gifts and stock --------------------------------------------------------------------------------


@transaction.atomic
def gift_save(*, actor: Any, gift: Gift | None = None, **values: Any) -> Gift:
    """礼品目录: add or change a gift."""
    require_perm(actor, "care.change_gift" if gift else "care.add_gift")
    before = snapshot(gift, GIFT_FIELDS) if gift else None
    gift = gift or Gift()
    for name, value in values.items():
        if name not in GIFT_FIELDS:
            raise InvalidInput(_("%(field)s: cannot be set here.") % {"field": name})
        setattr(gift, name, value)
    if not gift.code or not (gift.name or "").strip():
        raise InvalidInput(_("code, name: a gift needs both."))
    if Gift.objects.filter(code=gift.code).exclude(pk=gift.pk).exists():
        raise InvalidInput(_("code: %(code)s is taken.") % {"code": gift.code})
    gift.save()
    audit_record(actor=actor, action="care.gift_save", target=gift, before=before, after=snapshot(gift, GIFT_FIELDS))
    return gift


def _move(*, gift: Gift, unit: OrgUnit, kind: str, quantity: int, balance: int, actor: Any, unit_cost: Any = None,
          counterpart: OrgUnit | None = None, action: CareAction | None = None, note: str = "") -> GiftMove:
    staff = _staff(actor)
    return GiftMove.objects.create(
        gift=gift, org_unit=unit, kind=kind, quantity=quantity, balance_after=balance, unit_cost=unit_cost,
        counterpart=counterpart, action=action, note=note[:300], actor=staff,
        actor_name=staff.name if staff else (actor.get_username() if getattr(actor, "pk", None) else "system"),
        at=timezone.now(),
    )


def _put(gift: Gift, unit: OrgUnit, quantity: int, cost: Decimal) -> GiftStock:
    stock, _created = GiftStock.objects.get_or_create(gift=gift, org_unit=unit)
    GiftStock.objects.filter(pk=stock.pk).update(quantity=F("quantity") + quantity, value=F("value") + cost)
    stock.refresh_from_db()
    return stock


def stock_take(gift: Gift, unit: OrgUnit, quantity: int) -> tuple[GiftStock, Decimal]:
    """Take ``quantity`` out of a unit's stock with one conditional UPDATE … WHERE quantity >= n.
    Refuses (OutOfStock, nothing changed) when fewer are left. Returns the stock and the unit
    cost taken (the stock's average). Caller is inside a transaction."""
    taken = GiftStock.objects.filter(gift=gift, org_unit=unit, quantity__gte=quantity).update(
        quantity=F("quantity") - quantity
    )
    if taken != 1:
        available = GiftStock.objects.filter(gift=gift, org_unit=unit).values_list("quantity", flat=True).first() or 0
        raise OutOfStock(available=available, gift=gift.name, unit=unit.name, asked=quantity)
    # The UPDATE holds the row lock until commit: the value is adjusted without a race.
    stock = GiftStock.objects.select_for_update().get(gift=gift, org_unit=unit)
    before = stock.quantity + quantity
    unit_cost = (stock.value / before).quantize(CENT) if before else Decimal("0")
    value = Decimal("0") if stock.quantity == 0 else max(Decimal("0"), stock.value - unit_cost * quantity)
    GiftStock.objects.filter(pk=stock.pk).update(value=value)
    stock.value = value
    return stock, unit_cost


def _positive(quantity: Any) -> int:
    try:
        quantity = int(quantity)
    except (TypeError, ValueError):
        raise InvalidInput(_("quantity: enter a whole number.")) from None
    if quantity <= 0:
        raise InvalidInput(_("quantity: must be at least 1."))
    return quantity


@transaction.atomic
def stock_in(*, actor: Any, gift: Gift, org_unit: OrgUnit, quantity: int, unit_cost: Decimal, note: str = "") -> GiftMove:
    """礼品入库: gifts received into a unit's stock, at a cost."""
    require_perm(actor, "care.add_giftstock")
    require_in_scope(actor, org_unit)
    quantity = _positive(quantity)
    unit_cost = Decimal(unit_cost if unit_cost is not None else gift.reference_cost).quantize(CENT)
    if unit_cost < 0:
        raise InvalidInput(_("unit_cost: cannot be negative."))
    if not gift.is_active:
        raise InvalidInput(_("gift: %(gift)s is no longer in the catalogue.") % {"gift": gift.name})
    stock = _put(gift, org_unit, quantity, unit_cost * quantity)
    move = _move(gift=gift, unit=org_unit, kind=MoveKind.STOCK_IN, quantity=quantity, balance=stock.quantity,
                 unit_cost=unit_cost, actor=actor, note=note)
    audit_record(actor=actor, action="care.stock_in", target=stock, org_unit=org_unit,
                 after={"gift": gift.code, "quantity": quantity, "unit_cost": unit_cost, "balance": stock.quantity}, reason=note)
    return move


@transaction.atomic
def stock_transfer(*, actor: Any, gift: Gift, from_unit: OrgUnit, to_unit: OrgUnit, quantity: int, note: str = "") -> GiftMove:
    """礼品调库: move stock from one unit to another (both in the actor's scope)."""
    require_perm(actor, "care.transfer_giftstock")
    require_in_scope(actor, from_unit)
    require_in_scope(actor, to_unit)
    quantity = _positive(quantity)
    if from_unit.pk == to_unit.pk:
        raise InvalidInput(_("to_unit: choose another unit."))
    source, unit_cost = stock_take(gift, from_unit, quantity)
    target = _put(gift, to_unit, quantity, unit_cost * quantity)
    _move(gift=gift, unit=from_unit, kind=MoveKind.TRANSFER_OUT, quantity=-quantity, balance=source.quantity,
          unit_cost=unit_cost, counterpart=to_unit, actor=actor, note=note)
    move = _move(gift=gift, unit=to_unit, kind=MoveKind.TRANSFER_IN, quantity=quantity, balance=target.quantity,
                 unit_cost=unit_cost, counterpart=from_unit, actor=actor, note=note)
    audit_record(actor=actor, action="care.stock_transfer", target=source, org_unit=from_unit,
                 after={"gift": gift.code, "quantity": quantity, "to": to_unit.name}, reason=note)
    return move


def stock_unit_for(actor: Any, gift: Gift, quantity: int) -> OrgUnit | None:
    """Where a gift is issued from: the nearest unit at or above the giver's unit that has
    enough in stock, else any unit in scope that has."""
    stocks = list(GiftStock.objects.visible_to(actor).filter(gift=gift, quantity__gte=quantity).select_related("org_unit"))
    if not stocks:
        return None
    staff = _staff(actor)
    if staff is not None:
        above = [s for s in stocks if staff.org_unit.path.startswith(s.org_unit.path)]
        if above:
            return max(above, key=lambda s: len(s.org_unit.path)).org_unit
    return max(stocks, key=lambda s: s.quantity).org_unit


# --- Care ---------------------------------------------------------------------------------------------


@transaction.atomic
def care_rule_save(*, actor: Any, rule: CareRule | None = None, **values: Any) -> CareRule:
    """关怀规则: add or change a rule of the care-pattern library."""
    require_perm(actor, "care.change_carerule" if rule else "care.add_carerule")
    before = snapshot(rule, RULE_FIELDS) if rule else None
    rule = rule or CareRule()
    for name, value in values.items():
        if name not in RULE_FIELDS:
            raise InvalidInput(_("%(field)s: cannot be set here.") % {"field": name})
        setattr(rule, name, value)
    if not (rule.name or "").strip() or not (rule.action_text or "").strip():
        raise InvalidInput(_("name, action_text: a rule needs a name and a proposed action."))
    if rule.kind not in RuleKind.values:
        raise InvalidInput(_("kind: choose an occasion."))
    if rule.kind == RuleKind.FESTIVAL:
        fixed = rule.festival_month and rule.festival_day
        if bool(fixed) == bool(rule.festival_date):
            raise InvalidInput(_("festival: give either a month and day every year, or this year's date."))
        if fixed:
            try:
                datetime.date(2024, rule.festival_month, rule.festival_day)
            except ValueError:
                raise InvalidInput(_("festival_day: there is no such day in that month.")) from None
    else:
        rule.festival_month = rule.festival_day = rule.festival_date = None
    if rule.days_ahead is None or not 0 <= rule.days_ahead <= 60:
        raise InvalidInput(_("days_ahead: between 0 and 60 days."))
    if rule.gift_id and (rule.gift_quantity or 0) < 1:
        raise InvalidInput(_("gift_quantity: at least 1."))
    rule.save()
    audit_record(actor=actor, action="care.rule_save", target=rule, before=before, after=snapshot(rule, RULE_FIELDS))
    return rule


@transaction.atomic
def care_action_record(
    *, actor: Any, customer: Any, kind: str, content: str, happened_on: datetime.date | None = None,
    contact: Any = None, gift: Gift | None = None, gift_quantity: int = 0, stock_unit: OrgUnit | None = None,
    rule: CareRule | None = None,
) -> CareAction:
    """关怀记录: record care given; a gift is issued from stock (出库, 减库存) in the same transaction."""
    require_perm(actor, "care.add_careaction")
    require_in_scope(actor, customer)
    if kind not in CareKind.values:
        raise InvalidInput(_("kind: choose how the customer was cared for."))
    if not (content or "").strip():
        raise InvalidInput(_("content: say what was done."))
    if contact is not None and contact.customer_id != customer.pk:
        raise InvalidInput(_("contact: not a contact of this customer."))
    happened_on = happened_on or timezone.localdate()
    if happened_on > timezone.localdate():
        raise InvalidInput(_("happened_on: care given cannot be in the future."))
    quantity = _positive(gift_quantity) if gift is not None else 0
    if gift is not None:
        if stock_unit is None:
            stock_unit = stock_unit_for(actor, gift, quantity)
            if stock_unit is None:
                raise OutOfStock(available=0, gift=gift.name, unit=_("your units"), asked=quantity)
        else:
            require_in_scope(actor, stock_unit)
    action = CareAction.objects.create(
        customer=customer, contact=contact, rule=rule, kind=kind, happened_on=happened_on, content=content.strip()[:500],
        gift=gift, gift_quantity=quantity, stock_unit=stock_unit if gift else None, org_unit=customer.org_unit,
        manager=_staff(actor) or customer.account_manager,
    )
    if gift is not None:
        stock, unit_cost = stock_take(gift, stock_unit, quantity)
        _move(gift=gift, unit=stock_unit, kind=MoveKind.ISSUE, quantity=-quantity, balance=stock.quantity,
              unit_cost=unit_cost, action=action, actor=actor, note=customer.name)
    audit_record(actor=actor, action="care.action_record", target=action, org_unit=customer.org_unit,
                 after={"customer": customer.name, "kind": kind, "gift": gift.code if gift else None, "quantity": quantity,
                        "from": stock_unit.name if gift else None})
    return action


def _proposal_locked(actor: Any, proposal: CareProposal) -> CareProposal:
    require_perm(actor, "care.change_careproposal")
    require_in_scope(actor, proposal)
    proposal = CareProposal.objects.select_for_update(of=("self",)).select_related("customer", "contact", "rule", "gift").get(pk=proposal.pk)
    if proposal.state not in (ProposalState.PROPOSED, ProposalState.EXPIRED):
        raise ProposalDecided(state=proposal.get_state_display())
    return proposal


@transaction.atomic
def care_proposal_accept(
    *, actor: Any, proposal: CareProposal, content: str = "", kind: str | None = None, gift: Gift | None = None,
    gift_quantity: int | None = None, happened_on: datetime.date | None = None, stock_unit: OrgUnit | None = None,
    use_proposed_gift: bool = True,
) -> CareAction:
    """采纳关怀建议: the care is given as proposed (or changed); a care record, gift issued."""
    proposal = _proposal_locked(actor, proposal)
    if gift is None and use_proposed_gift:
        gift = proposal.gift
    quantity = gift_quantity if gift_quantity is not None else (proposal.gift_quantity or 1)
    action = care_action_record(
        actor=actor, customer=proposal.customer, contact=proposal.contact, rule=proposal.rule,
        kind=kind or (CareKind.GIFT if gift else CareKind.GREETING),
        content=content.strip() or f"{proposal.occasion}: {proposal.action_text}", happened_on=happened_on,
        gift=gift, gift_quantity=quantity if gift else 0, stock_unit=stock_unit,
    )
    before = proposal.state
    proposal.state, proposal.action = ProposalState.ACCEPTED, action
    proposal.decided_by, proposal.decided_at = _staff(actor), timezone.now()
    proposal.save(update_fields=["state", "action", "decided_by", "decided_at"])
    audit_record(actor=actor, action="care.proposal_accept", target=proposal, before={"state": before},
                 after={"state": proposal.state, "action": action.pk})
    return action


@transaction.atomic
def care_proposal_dismiss(*, actor: Any, proposal: CareProposal, reason: str) -> CareProposal:
    """不采纳: the manager gives no care for this occasion, with a reason."""
    proposal = _proposal_locked(actor, proposal)
    if not reason.strip():
        raise InvalidInput(_("reason: say why the proposal is dismissed."))
    before = proposal.state
    proposal.state, proposal.dismiss_reason = ProposalState.DISMISSED, reason.strip()[:300]
    proposal.decided_by, proposal.decided_at = _staff(actor), timezone.now()
    proposal.save(update_fields=["state", "dismiss_reason", "decided_by", "decided_at"])
    audit_record(actor=actor, action="care.proposal_dismiss", target=proposal, before={"state": before},
                 after={"state": proposal.state}, reason=reason)
    return proposal


@transaction.atomic
def care_survey_record(*, actor: Any, action: CareAction, score: int, comment: str = "") -> CareSurvey:
    """关怀效果调查: the customer's score (1–5) of the care given; once per care record."""
    require_perm(actor, "care.add_caresurvey")
    require_in_scope(actor, action)
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise InvalidInput(_("score: from 1 (poor) to 5 (excellent)."))
    try:
        with transaction.atomic():
            survey = CareSurvey.objects.create(
                action=action, score=score, comment=(comment or "").strip()[:500], surveyed_by=_staff(actor),
                surveyed_at=timezone.now(),
            )
    except IntegrityError:
        raise Conflict(_("This care record has its survey already.")) from None
    audit_record(actor=actor, action="care.survey_record", target=action, after={"score": score, "comment": survey.comment})
    return survey


# --- The daily care job ---------------------------------------------------------------------------------


def _occasions(rule: CareRule, today: datetime.date) -> list[datetime.date]:
    return [today + datetime.timedelta(days=n) for n in range(rule.days_ahead + 1)]


def _same_day(field: str, day: datetime.date) -> Any:
    """``field`` falls on the month and day of ``day`` (29 February counts on the 28th in other years)."""
    from django.db.models import Q

    condition = Q(**{f"{field}__month": day.month, f"{field}__day": day.day})
    if day.month == 2 and day.day == 28 and not _leap(day.year):
        condition |= Q(**{f"{field}__month": 2, f"{field}__day": 29})
    return condition


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _festival_dates(rule: CareRule, today: datetime.date, until: datetime.date) -> list[datetime.date]:
    if rule.festival_date:
        return [rule.festival_date] if today <= rule.festival_date <= until else []
    found = []
    for year in (today.year, today.year + 1):
        try:
            day = datetime.date(year, rule.festival_month, rule.festival_day)
        except ValueError:
            continue
        if today <= day <= until:
            found.append(day)
    return found


def _rule_targets(rule: CareRule, today: datetime.date) -> list[tuple[str, Any, Any, datetime.date, str]]:
    """(key, customer, contact, occasion date, occasion text) the rule finds for the window."""
    from kams.customers.enums import ContractState, CustomerStatus
    from kams.customers.models import Contact, Contract, Customer

    customers = Customer.objects.filter(status=CustomerStatus.CURRENT)
    if rule.customer_type:
        customers = customers.filter(customer_type=rule.customer_type)
    if rule.min_level_id:
        customers = customers.filter(level__category_id=rule.min_level.category_id, level__rank__lte=rule.min_level.rank)
    days = _occasions(rule, today)
    targets = []
    if rule.kind == RuleKind.FESTIVAL:
        for day in _festival_dates(rule, today, days[-1]):
            for customer in customers.select_related("org_unit", "account_manager"):
                targets.append((f"{rule.pk}:{customer.pk}:0:{day:%Y%m%d}", customer, None, day, rule.name))
        return targets
    for day in days:
        if rule.kind == RuleKind.BIRTHDAY:
            rows = Contact.objects.filter(_same_day("birthday", day), customer__in=customers).select_related(
                "customer__org_unit", "customer__account_manager")
            for contact in rows:
                text = _("Birthday of %(name)s (%(title)s)") % {"name": contact.name, "title": contact.title or contact.get_role_display()}
                targets.append((f"{rule.pk}:{contact.customer_id}:p{contact.pk}:{day:%Y%m%d}", contact.customer, contact, day, text))
        elif rule.kind == RuleKind.CONTRACT_ANNIVERSARY:
            rows = Contract.objects.filter(
                _same_day("signed_on", day), signed_on__year__lt=day.year, state=ContractState.ACTIVE, customer__in=customers,
            ).select_related("customer__org_unit", "customer__account_manager")
            for contract in rows:
                text = _("%(years)s years since contract %(no)s was signed") % {
                    "years": day.year - contract.signed_on.year, "no": contract.contract_no}
                targets.append((f"{rule.pk}:{contract.customer_id}:k{contract.pk}:{day:%Y%m%d}", contract.customer, None, day, text))
        elif rule.kind == RuleKind.CUSTOMER_ANNIVERSARY:
            rows = customers.filter(_same_day("joined_on", day), joined_on__year__lt=day.year).select_related(
                "org_unit", "account_manager")
            for customer in rows:
                text = _("%(years)s years as our customer") % {"years": day.year - customer.joined_on.year}
                targets.append((f"{rule.pk}:{customer.pk}:0:{day:%Y%m%d}", customer, None, day, text))
    return targets


def care_proposals_generate(*, today: datetime.date | None = None, progress: Callable[[int], None] | None = None) -> dict:
    """Daily (自动提醒): every active rule proposes care for the occasions in its window; once
    per (rule, customer/contact, date), so running it twice proposes nothing new. Each
    account manager gets one reminder a day for their new proposals; proposals whose occasion
    is long past expire."""
    from kams.notify.services import notify

    today = today or timezone.localdate()
    created: list[CareProposal] = []
    for rule in CareRule.objects.filter(is_active=True).select_related("gift", "min_level"):
        targets = _rule_targets(rule, today)
        with transaction.atomic():
            for start in range(0, len(targets), 1000):
                chunk = targets[start:start + 1000]
                known = set(CareProposal.objects.filter(key__in=[t[0] for t in chunk]).values_list("key", flat=True))
                rows = [
                    CareProposal(
                        key=key, rule=rule, customer=customer, contact=contact, occasion=text[:200], occasion_on=day,
                        org_unit=customer.org_unit, manager=customer.account_manager, action_text=rule.action_text,
                        gift=rule.gift, gift_quantity=rule.gift_quantity if rule.gift_id else 0,
                    )
                    for key, customer, contact, day, text in chunk if key not in known
                ]
                CareProposal.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
                created.extend(rows)
        if progress is not None:
            progress(1)
    expired = CareProposal.objects.filter(
        state=ProposalState.PROPOSED, occasion_on__lt=today - datetime.timedelta(days=param("care.proposal_expiry_days"))
    ).update(state=ProposalState.EXPIRED)
    per_manager: dict[int, list[CareProposal]] = {}
    for proposal in created:
        if proposal.manager_id:
            per_manager.setdefault(proposal.manager_id, []).append(proposal)
    reminded = 0
    for manager in Staff.objects.filter(pk__in=per_manager, is_active=True).select_related("org_unit"):
        items = per_manager[manager.pk]
        body = _("%(n)s new care proposals, the first on %(date)s: %(first)s. See 客户关怀 › 关怀建议.") % {
            "n": len(items), "date": min(p.occasion_on for p in items).isoformat(),
            "first": f"{items[0].customer.name} · {items[0].occasion}",
        }
        for channel, address in (("sms", manager.mobile), ("email", manager.email)):
            if address:
                _message, sent = notify(
                    channel=channel, recipient=address, recipient_name=manager.name, subject=_("Customer care reminders"),
                    body=body, purpose="care_proposals", org_unit=manager.org_unit, owner=manager,
                    idempotency_key=f"care.proposals:{manager.pk}:{today:%Y%m%d}:{channel}",
                )
                reminded += sent
    return {"proposals": len(created), "expired": expired, "reminders": reminded}
