"""Effects of completing a step (a user task's ``action`` property).

A process file names an action; completing the step runs it inside the same transaction, so
if the action refuses (a customer out of scope, a level that does not exist) the step is not
completed and the case does not move. Domains register more with ``register_action``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable

from django.utils.translation import gettext as _

from kams.core.errors import InvalidInput


@dataclass
class ActionContext:
    case: Any
    values: dict[str, Any]  # the step's submitted form
    actor: Any
    step: dict[str, Any]  # the step's properties (``spawn`` …)


_registry: dict[str, Callable[[ActionContext], str]] = {}


def register_action(name: str, function: Callable[[ActionContext], str]) -> None:
    _registry[name] = function


def action_names() -> set[str]:
    return set(_registry)


def action_run(name: str, context: ActionContext) -> str:
    """Run an action; it returns a line for the case history."""
    return _registry[name](context)


def _customer(context: ActionContext) -> Any:
    if context.case.customer_id is None:
        raise InvalidInput(_("This step acts on the case's customer, and the case has none."))
    return context.case.customer


def _start_data(case: Any, key: str) -> dict[str, Any]:
    """What a follow-up case starts with: the first case's data where the names match, and
    for required fields it cannot know, the first case's title (text), the first choice,
    "no" or now — its first step's owner completes them."""
    import datetime

    from kams.service.services import active_definition

    data = dict(case.data)
    for field in active_definition(key).start_form:
        if field["name"] in data or not field.get("required", False):
            continue
        data[field["name"]] = {
            "text": case.title, "textarea": case.data.get("description") or case.title, "bool": False, "int": 0,
            "decimal": 0, "date": datetime.date.today().isoformat(), "datetime": datetime.datetime.now().isoformat(),
        }.get(field["type"]) if field["type"] != "choice" else field["choices"][0][0]
    return data


def _open_follow_up(context: ActionContext, key: str, customer: Any) -> str:
    from kams.service.services import case_open

    child = case_open(
        actor=context.actor, process=key, customer=customer, org_unit=context.case.org_unit,
        title=context.case.title, source=context.case.source, parent=context.case,
        data=_start_data(context.case, key), as_step=True,
    )
    return _("Opened case %(number)s (%(process)s).") % {"number": child.number, "process": child.definition.display_name()}


def _spawn_case(context: ActionContext) -> str:
    return _open_follow_up(context, context.step.get("spawn", ""), context.case.customer)


def _classify_case(context: ActionContext) -> str:
    """分类: a request from customer service becomes a case of the process staff chose."""
    from kams.customers.models import Customer
    from kams.org.scoping import require_in_scope

    category = str(context.values.get("category", ""))
    if category == "other":
        return _("Handled in this case.")
    customer = context.case.customer
    code = str(context.values.get("customer_code") or "").strip()
    if customer is None and code:
        customer = Customer.objects.filter(code=code).first()
        if customer is None:
            raise InvalidInput(_("customer_code: there is no customer %(code)s.") % {"code": code})
        require_in_scope(context.actor, customer)
        context.case.customer = customer
        context.case.owner = customer.account_manager
    return _open_follow_up(context, category, customer)


def _customer_arrears(context: ActionContext) -> str:
    from kams.service.models import ArrearsRecord

    amount = Decimal(str(context.values.get("arrears_amount", context.case.data.get("arrears_amount", 0))))
    if amount <= 0:
        raise InvalidInput(_("arrears_amount: the arrears must be more than zero."))
    record = ArrearsRecord.objects.create(
        customer=_customer(context), case=context.case, amount=amount,
        period=str(context.case.data.get("period", ""))[:7], note=str(context.values.get("note", ""))[:300],
        recorded_by=getattr(context.actor, "staff", None),
    )
    return _("Arrears of %(amount)s yuan written to the customer.") % {"amount": record.amount}


def _credit_regrade(context: ActionContext) -> str:
    from django.db import transaction

    from kams.credit.tasks import credit_regrade_task
    from kams.system.models import JobRun

    _customer(context)
    run = JobRun.objects.create(name="credit.regrade", label=_("Credit re-grading"), started_by=context.actor)
    actor_id = context.actor.pk
    transaction.on_commit(lambda: credit_regrade_task.enqueue(job_run_id=run.pk, actor_id=actor_id))
    return _("Credit re-grading queued (job %(id)s).") % {"id": run.pk}


def _level_apply(context: ActionContext) -> str:
    from django.db.models import Case, When

    from kams.customers.models import Level
    from kams.customers.services import customer_level_set

    code = str(context.values.get("new_level") or context.case.data.get("new_level") or "").strip()
    customer = _customer(context)
    candidates = Level.objects.filter(code=code)
    if customer.level_id:  # codes are unique within a category: prefer the customer's own
        candidates = candidates.order_by(Case(When(category_id=customer.level.category_id, then=0), default=1), "pk")
    level = candidates.first()
    if level is None:
        raise InvalidInput(_("new_level: there is no level with code %(code)s.") % {"code": code})
    customer_level_set(actor=context.actor, customer=customer, level=level, reason=_("Case %(number)s") % {"number": context.case.number})
    return _("Level set to %(level)s.") % {"level": level}


def _customer_cancel(context: ActionContext) -> str:
    from kams.customers.services import customer_cancel

    reason = str(context.values.get("reason") or context.case.data.get("reason") or context.case.title)
    customer_cancel(actor=context.actor, customer=_customer(context), reason=f"{context.case.number}: {reason}")
    return _("Customer cancelled (off the network).")


def _customer_admit(context: ActionContext) -> str:
    from django.utils import timezone

    from kams.audit.services import audit_record, snapshot
    from kams.customers.enums import CustomerStatus
    from kams.customers.models import Customer
    from kams.customers.selectors import level_suggest
    from kams.org.scoping import require_in_scope, require_perm

    require_perm(context.actor, "customers.change_customer")
    require_in_scope(context.actor, _customer(context))
    customer = Customer.objects.select_for_update().get(pk=context.case.customer_id)
    if customer.status == CustomerStatus.CURRENT:
        return _("The customer already is a current key account.")
    if customer.status != CustomerStatus.POTENTIAL:
        raise InvalidInput(_("Only a potential customer can be admitted; this one is %(status)s.") % {"status": customer.get_status_display()})
    before = snapshot(customer, ("status", "level", "joined_on"))
    customer.status = CustomerStatus.CURRENT
    customer.joined_on = customer.joined_on or timezone.localdate()
    customer.level = customer.level or level_suggest(customer)
    customer.save(update_fields=["status", "joined_on", "level", "updated_at"])
    audit_record(
        actor=context.actor, action="customers.admit", target=customer, before=before,
        after=snapshot(customer, ("status", "level", "joined_on")), reason=context.case.number,
    )
    return _("Customer admitted as a current key account.")


def _approver(context: ActionContext, perm: str) -> Any:
    """The person whose approval in this case allows ``perm``: the actor if they hold it,
    else the latest approver (director, province director, company leader) of the case."""
    from kams.core.errors import InvalidInput as Refused

    if context.actor.has_perm(perm):
        return context.actor
    for item in context.case.work_items.filter(
        status="done", role__in=("company_leader", "province_director", "director"), completed_by__isnull=False
    ).select_related("completed_by__user").order_by("-completed_at"):
        if item.completed_by.user.has_perm(perm):
            return item.completed_by.user
    raise Refused(_("Nobody who approved this case may do this; a director must approve it first."))


def _contract_sign(context: ActionContext) -> str:
    import datetime

    from kams.customers.enums import ContractState
    from kams.customers.models import Contract
    from kams.customers.services import contract_move, contract_update

    contract_id = context.values.get("contract_id") or context.case.data.get("contract_id")
    contract = Contract.objects.filter(pk=contract_id, customer_id=context.case.customer_id).first() if contract_id else None
    if contract is None:
        raise InvalidInput(_("contract_id: name a contract of this customer."))
    if contract.signed_on is None:
        contract = contract_update(actor=context.actor, contract=contract, signed_on=datetime.date.today())
    if contract.state == ContractState.DRAFT:
        contract = contract_move(actor=context.actor, contract=contract, to=ContractState.APPROVING)
    if contract.state == ContractState.APPROVING:
        # The process carried the approval: whoever approved it (director, leader) puts it in force.
        contract_move(actor=_approver(context, "customers.approve_contract"), contract=contract, to=ContractState.ACTIVE)
    return _("Contract %(code)s signed and in force.") % {"code": contract.contract_no}


def _notify_customer(context: ActionContext) -> str:
    from kams.notify.services import notify

    customer = _customer(context)
    contact = customer.contacts.exclude(mobile="").order_by("-is_primary", "pk").first()
    text = str(context.values.get("message") or "").strip()
    if not text:
        raise InvalidInput(_("message: write the text to send to the customer."))
    if contact is None:
        raise InvalidInput(_("The customer has no contact with a mobile number to send to."))
    notify(
        channel="sms", recipient=contact.mobile, recipient_name=contact.name, body=text, purpose="service.case",
        idempotency_key=f"case:{context.case.pk}:{context.step.get('id')}:{context.case.revision}",
        org_unit=context.case.org_unit, target=context.case,
    )
    return _("SMS sent to %(name)s.") % {"name": contact.name}


for _name, _function in {
    "spawn_case": _spawn_case,
    "classify_case": _classify_case,
    "customer_arrears": _customer_arrears,
    "credit_regrade": _credit_regrade,
    "level_apply": _level_apply,
    "customer_cancel": _customer_cancel,
    "customer_admit": _customer_admit,
    "contract_sign": _contract_sign,
    "notify_customer": _notify_customer,
}.items():
    register_action(_name, _function)
