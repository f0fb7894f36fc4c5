"""Writes of the channels (渠道管理): agent records (CH-01), registration and deregistration,
authorisations, channel levels (CH-04), the acceptance process (CH-05) and agent account
payments and withdrawals (CH-02).

Every function checks permission and scope (404 out of scope), runs in one transaction and
writes the audit log; bad input raises a translated ``KamsError`` and changes nothing. Money
moves only through ``kams.channels.ledger``.

The acceptance process: ``agent_create`` opens a case of the BPMN process
``agent_qualification`` for the application (linked by its idempotency key
``channels-agent-<id>``). The agent is registered when its case reached the step
"register" (``agents_register_qualified``, run daily) or when a reviewer with the
``register_agent`` permission approves the application with a review note (``agent_register``).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kams.audit.services import audit_record, snapshot
from kams.channels import ledger
from kams.channels.enums import AgentCategory, AgentLevel, AgentStatus, LevelChangeKind, SubAccountKind
from kams.channels.errors import AgentHoldsMoney, AgentHoldsResources, AgentWrongStatus
from kams.channels.models import Agent, AgentAuthorisation, AgentLevelChange, AgentType, LedgerTransaction
from kams.core.errors import InvalidInput
from kams.customers.enums import Business
from kams.org.enums import UnitKind
from kams.org.models import OrgUnit, Staff
from kams.org.scoping import require_in_scope, require_perm, scope_for

QUALIFICATION_PROCESS = "agent_qualification"
AGENT_FIELDS = (
    "code", "name", "category", "agent_type", "level", "status", "org_unit", "manager", "legal_person", "licence_no",
    "contact", "phone", "address", "bank_name", "bank_account", "credit_line", "stock_limit", "credit_score",
    "registered_on", "deregistered_on", "note",
)
EDITABLE = (
    "name", "category", "agent_type", "org_unit", "manager", "legal_person", "licence_no", "contact", "phone",
    "address", "bank_name", "bank_account", "credit_line", "stock_limit", "credit_score", "note",
)
TEXT_LIMITS = {"name": 120, "legal_person": 40, "licence_no": 40, "contact": 40, "phone": 20, "address": 200,
               "bank_name": 60, "bank_account": 40}


def case_key(agent: Agent) -> str:
    return f"channels-agent-{agent.pk}"


def agent_case(agent: Agent):
    """The qualification case of the agent's application, if one was opened."""
    from kams.service.models import Case

    return Case.objects.filter(idempotency_key=case_key(agent)).first()


def _int(name: str, value: Any, *, maximum: int | None = None) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise InvalidInput(_("%(field)s: give a whole number.") % {"field": name}) from None
    if number < 0 or (maximum is not None and number > maximum):
        raise InvalidInput(_("%(field)s: give a number from 0 to %(max)s.") % {"field": name, "max": maximum or "…"})
    return number


def _clean(actor: Any, data: dict[str, Any]) -> dict[str, Any]:
    """Check and normalise agent fields; unknown names are refused."""
    unknown = set(data) - set(EDITABLE) - {"code", "level"}
    if unknown:
        raise InvalidInput(_("Unknown fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    clean: dict[str, Any] = {}
    for name, value in data.items():
        if name in TEXT_LIMITS or name in ("code", "note"):
            value = (value or "").strip()
            limit = TEXT_LIMITS.get(name, 20 if name == "code" else 5000)
            if len(value) > limit:
                raise InvalidInput(_("%(field)s: at most %(max)s characters.") % {"field": name, "max": limit})
        if name == "name" and not value:
            raise InvalidInput(_("name: give the agent's name."))
        if name == "category" and value not in AgentCategory.values:
            raise InvalidInput(_("category: choose agent or distributor."))
        if name == "level" and value not in AgentLevel.values:
            raise InvalidInput(_("level: choose national, provincial or city."))
        if name == "agent_type" and value is not None:
            if not isinstance(value, AgentType):
                value = AgentType.objects.filter(pk=value).first()
            if value is None or not value.is_active:
                raise InvalidInput(_("agent_type: choose an active agent type."))
        if name == "org_unit":
            if not isinstance(value, OrgUnit):
                value = OrgUnit.objects.filter(pk=value).first()
            if value is None or value.kind != UnitKind.DEPARTMENT:
                raise InvalidInput(_("org_unit: choose the agent's marketing department."))
            if not scope_for(actor).covers_unit(value):
                raise InvalidInput(_("org_unit: %(unit)s is outside your scope.") % {"unit": value})
        if name == "manager" and value is not None:
            if not isinstance(value, Staff):
                value = Staff.objects.filter(pk=value).first()
            if value is None or not value.is_active:
                raise InvalidInput(_("manager: choose an active staff member."))
        if name == "credit_line":
            value = ledger.money(value, allow_zero=True)
        if name == "stock_limit":
            value = _int(name, value)
        if name == "credit_score":
            value = _int(name, value, maximum=100)
        clean[name] = value
    return clean


def _agent_locked(agent: Agent) -> Agent:
    return Agent.objects.select_for_update(of=("self",)).select_related("org_unit", "manager").get(pk=agent.pk)


# --- Agents ---------------------------------------------------------------------------------------


def agent_create(*, actor: Any, code: str, name: str, org_unit: Any, business_scope: str = "", **fields: Any) -> Agent:
    """代理商申请: record an applicant (status applied) and open its qualification case."""
    require_perm(actor, "channels.add_agent")
    data = _clean(actor, {"code": code, "name": name, "org_unit": org_unit, **fields})
    if not data["code"]:
        raise InvalidInput(_("code: give the agent code."))
    with transaction.atomic():
        if Agent.objects.filter(code=data["code"]).exists():
            raise InvalidInput(_("code: agent %(code)s already exists.") % {"code": data["code"]})
        agent = Agent.objects.create(status=AgentStatus.APPLIED, **data)
        case = _open_case(actor, agent, business_scope)
        audit_record(actor=actor, action="channels.agent_create", target=agent, org_unit=agent.org_unit,
                     after={**snapshot(agent, AGENT_FIELDS), "case": case.number if case else ""})
    return agent


def _open_case(actor: Any, agent: Agent, business_scope: str):
    from kams.service.services import case_open

    level = {AgentLevel.PROVINCIAL: "province"}.get(agent.level, agent.level)
    return case_open(
        actor=actor, process=QUALIFICATION_PROCESS, org_unit=agent.org_unit, owner=agent.manager,
        title=_("Agent application: %(agent)s") % {"agent": agent},
        data={"agent_name": agent.name, "applied_level": level,
              "business_scope": (business_scope or "").strip() or _("Sell on behalf of the operator"),
              "_agent_id": agent.pk, "_agent_code": agent.code},
        external_id=agent.code, idempotency_key=case_key(agent),
    )


def agent_update(*, actor: Any, agent: Agent, **fields: Any) -> Agent:
    """Change an agent's record (not its code, status or level: those have their own services)."""
    require_perm(actor, "channels.change_agent")
    require_in_scope(actor, agent)
    fields.pop("code", None)
    if "level" in fields:
        raise InvalidInput(_("level: change the level with a level change and its reason."))
    data = _clean(actor, fields)
    with transaction.atomic():
        agent = _agent_locked(agent)
        before = snapshot(agent, AGENT_FIELDS)
        for name, value in data.items():
            setattr(agent, name, value)
        agent.save()
        audit_record(actor=actor, action="channels.agent_update", target=agent, org_unit=agent.org_unit,
                     before=before, after=snapshot(agent, AGENT_FIELDS))
    return agent


def agent_register(*, actor: Any, agent: Agent, note: str) -> Agent:
    """注册 (CH-05): approve a reviewed application: the agent is registered, its four
    sub-accounts opened and its level recorded. Needs ``register_agent`` and a review note."""
    require_perm(actor, "channels.register_agent")
    require_in_scope(actor, agent)
    note = (note or "").strip()
    if not note:
        raise InvalidInput(_("note: say what the review of the application found."))
    from kams.service.enums import CaseStatus

    case = agent_case(agent)
    status = Agent.objects.filter(pk=agent.pk).values_list("status", flat=True).get()  # not the caller's copy
    if status == AgentStatus.APPLIED and case is not None and _case_rejected(case):
        raise AgentWrongStatus(agent=agent, status=_("refused by its qualification case %(case)s") % {"case": case.number})
    with transaction.atomic():
        agent = _register(actor, agent, note)
        if case is not None and case.status == CaseStatus.OPEN:
            # Registered by a decision outside the process: its case ends here, with the reason.
            from kams.service.services import case_cancel

            case_cancel(actor=actor, case=case, permission="channels.register_agent",
                        reason=_("Registered directly by the channel manager: %(note)s") % {"note": note})
    return agent


def agent_approve(*, actor: Any, agent: Agent, note: str) -> Agent:
    """A reviewer approves the application (CH-05): the same as ``agent_register``; the
    completion of the qualification case registers through ``agents_register_qualified``."""
    return agent_register(actor=actor, agent=agent, note=note)


def _register(actor: Any, agent: Agent, note: str) -> Agent:
    with transaction.atomic():
        agent = _agent_locked(agent)
        if agent.status == AgentStatus.REGISTERED:
            raise AgentWrongStatus(agent=agent, status=agent.get_status_display())
        before = snapshot(agent, AGENT_FIELDS)
        ledger.open_accounts(agent)
        agent.status, agent.registered_on, agent.deregistered_on = AgentStatus.REGISTERED, timezone.localdate(), None
        agent.save(update_fields=["status", "registered_on", "deregistered_on", "updated_at"])
        AgentLevelChange.objects.create(
            agent=agent, from_level="", to_level=agent.level, kind=LevelChangeKind.REGISTRATION,
            credit_score=agent.credit_score, reason=note[:300], changed_by=_user(actor),
        )
        audit_record(actor=actor, action="channels.agent_register", target=agent, org_unit=agent.org_unit,
                     before=before, after=snapshot(agent, AGENT_FIELDS), reason=note)
    return agent


def _user(actor: Any):
    return actor if getattr(actor, "pk", None) else None


def _case_done_steps(case) -> set[str]:
    from kams.service.enums import ItemStatus

    return set(case.work_items.filter(status=ItemStatus.DONE).values_list("step", flat=True))


def _case_rejected(case) -> bool:
    from kams.service.enums import CaseStatus

    if case.status == CaseStatus.CANCELLED:
        return True
    return case.status == CaseStatus.CLOSED and "register" not in _case_done_steps(case)


def agents_register_qualified(*, actor: Any = None) -> int:
    """The completion of the acceptance process: applied agents whose qualification case was
    closed after its step "register" are registered (the periodic job runs this daily)."""
    from kams.service.enums import CaseStatus, ItemStatus
    from kams.service.models import Case, WorkItem

    keys = Case.objects.filter(
        process_key=QUALIFICATION_PROCESS, status=CaseStatus.CLOSED, idempotency_key__startswith="channels-agent-",
        pk__in=WorkItem.objects.filter(step="register", status=ItemStatus.DONE).values("case_id"),
    ).values_list("idempotency_key", "number")
    ids = {int(key.rsplit("-", 1)[1]): number for key, number in keys}
    count = 0
    for agent in Agent.objects.filter(pk__in=ids, status=AgentStatus.APPLIED):
        _register(actor, agent, _("Qualification case %(case)s completed.") % {"case": ids[agent.pk]})
        count += 1
    return count


def _holdings(agent: Agent) -> list[str]:
    held = []
    for kind, balance in sorted(ledger.balances(agent).items()):
        if balance != 0:
            held.append(f"{SubAccountKind(kind).label} {balance}")
    return held


def agent_deregister(*, actor: Any, agent: Agent, reason: str) -> Agent:
    """注销: refused while the agent holds money with us or owes overdraft, or holds picked-up
    resource items."""
    from kams.resources.models import ResourceItem

    require_perm(actor, "channels.register_agent")
    require_in_scope(actor, agent)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("reason: say why the agent is deregistered."))
    with transaction.atomic():
        agent = _agent_locked(agent)
        if agent.status != AgentStatus.REGISTERED:
            raise AgentWrongStatus(agent=agent, status=agent.get_status_display())
        held = _holdings(agent)
        if held:
            raise AgentHoldsMoney(agent=agent, accounts="; ".join(str(h) for h in held))
        items = ResourceItem.objects.filter(agent=agent, state="picked_up").count()
        if items:
            raise AgentHoldsResources(agent=agent, count=items)
        before = snapshot(agent, AGENT_FIELDS)
        agent.status, agent.deregistered_on = AgentStatus.DEREGISTERED, timezone.localdate()
        agent.save(update_fields=["status", "deregistered_on", "updated_at"])
        audit_record(actor=actor, action="channels.agent_deregister", target=agent, org_unit=agent.org_unit,
                     before=before, after=snapshot(agent, AGENT_FIELDS), reason=reason)
    return agent


# --- Authorisations --------------------------------------------------------------------------------


def authorisation_set(*, actor: Any, agent: Agent, business: str, can_sell: bool = True, can_serve: bool = False,
                      stock_limit: Any = 0) -> AgentAuthorisation:
    """Grant or change what an agent may do for one line of business (代销售/代服务) and the
    stock of it it may hold (0: the agent's own limit)."""
    require_in_scope(actor, agent)
    if business not in Business.values:
        raise InvalidInput(_("business: unknown line of business %(value)s.") % {"value": business})
    if not can_sell and not can_serve:
        raise InvalidInput(_("Grant selling, serving or both; revoke the authorisation to take both away."))
    limit = _int("stock_limit", stock_limit)
    with transaction.atomic():
        agent = _agent_locked(agent)
        if agent.status == AgentStatus.DEREGISTERED:
            raise AgentWrongStatus(agent=agent, status=agent.get_status_display())
        existing = AgentAuthorisation.objects.select_for_update().filter(agent=agent, business=business).first()
        require_perm(actor, "channels.change_agentauthorisation" if existing else "channels.add_agentauthorisation")
        fields = ("business", "can_sell", "can_serve", "stock_limit")
        before = snapshot(existing, fields) if existing else None
        auth = existing or AgentAuthorisation(agent=agent, business=business)
        auth.can_sell, auth.can_serve, auth.stock_limit = bool(can_sell), bool(can_serve), limit
        auth.save()
        audit_record(actor=actor, action="channels.authorisation_" + ("change" if existing else "grant"), target=agent,
                     org_unit=agent.org_unit, before=before, after=snapshot(auth, fields))
    return auth


def authorisation_revoke(*, actor: Any, agent: Agent, business: str, reason: str = "") -> None:
    require_perm(actor, "channels.delete_agentauthorisation")
    require_in_scope(actor, agent)
    with transaction.atomic():
        auth = AgentAuthorisation.objects.select_for_update().filter(agent=agent, business=business).first()
        if auth is None:
            raise InvalidInput(_("business: the agent holds no authorisation for %(value)s.") % {"value": business})
        before = snapshot(auth, ("business", "can_sell", "can_serve", "stock_limit"))
        auth.delete()
        audit_record(actor=actor, action="channels.authorisation_revoke", target=agent, org_unit=agent.org_unit,
                     before=before, reason=reason)


# --- Levels ------------------------------------------------------------------------------------------


def level_change(*, actor: Any, agent: Agent, level: str, reason: str) -> AgentLevelChange:
    """渠道级别变更 by hand, with its reason."""
    require_perm(actor, "channels.grade_agent")
    require_in_scope(actor, agent)
    reason = (reason or "").strip()
    if level not in AgentLevel.values:
        raise InvalidInput(_("level: choose national, provincial or city."))
    if not reason:
        raise InvalidInput(_("reason: say why the level changes."))
    with transaction.atomic():
        agent = _agent_locked(agent)
        if agent.level == level:
            raise InvalidInput(_("level: the agent already has this level."))
        change = AgentLevelChange.objects.create(
            agent=agent, from_level=agent.level, to_level=level, kind=LevelChangeKind.MANUAL,
            credit_score=agent.credit_score, reason=reason[:300], changed_by=_user(actor),
        )
        before = {"level": agent.level}
        agent.level = level
        agent.save(update_fields=["level", "updated_at"])
        audit_record(actor=actor, action="channels.level_change", target=agent, org_unit=agent.org_unit,
                     before=before, after={"level": level}, reason=reason)
    return change


# --- Agent types -----------------------------------------------------------------------------------


def agent_type_save(*, actor: Any, agent_type: AgentType | None = None, code: str = "", name: str = "",
                    category: str = AgentCategory.AGENT, is_active: bool = True) -> AgentType:
    require_perm(actor, "channels.change_agenttype" if agent_type else "channels.add_agenttype")
    name = (name or "").strip()
    if not name or len(name) > 60:
        raise InvalidInput(_("name: give the type a name of at most 60 characters."))
    if category not in AgentCategory.values:
        raise InvalidInput(_("category: choose agent or distributor."))
    fields = ("code", "name", "category", "is_active")
    with transaction.atomic():
        before = snapshot(agent_type, fields) if agent_type else None
        if agent_type is None:
            code = (code or "").strip()
            if not code or AgentType.objects.filter(code=code).exists():
                raise InvalidInput(_("code: give a new, unused code."))
            agent_type = AgentType(code=code)
        agent_type.name, agent_type.category, agent_type.is_active = name, category, bool(is_active)
        agent_type.save()
        audit_record(actor=actor, action="channels.agent_type_save", target=agent_type, before=before,
                     after=snapshot(agent_type, fields))
    return agent_type


# --- Agent accounts (CH-02) ------------------------------------------------------------------------


def _money_in_scope(actor: Any, agent: Agent) -> None:
    require_perm(actor, "channels.add_ledgertransaction")
    require_in_scope(actor, agent)


def _check_registered(agent: Agent) -> None:
    if agent.status != AgentStatus.REGISTERED:
        raise AgentWrongStatus(agent=agent, status=agent.get_status_display())


def _key(value: Any) -> str | None:
    key = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    if key and len(key) > 80:
        raise InvalidInput(_("idempotency_key: at most 80 characters."))
    return key or None


def account_payment(*, actor: Any, agent: Agent, sub_account: str, amount: Any, memo: str = "",
                    idempotency_key: str | None = None) -> LedgerTransaction:
    """交费: cash paid into the deposit or the prepayment (the prepayment repays an overdraft first)."""
    _money_in_scope(actor, agent)
    amount = ledger.money(amount)
    key = _key(idempotency_key)
    with transaction.atomic():
        if key and (done := LedgerTransaction.objects.filter(reference=key).first()) is not None:
            return done
        agent = _agent_locked(agent)
        _check_registered(agent)
        before = {k: str(v) for k, v in ledger.balances(agent).items()}
        txn = ledger.pay_in(agent, sub_account, amount, reference=key, memo=(memo or "").strip(), actor=actor)
        audit_record(actor=actor, action="channels.account_payment", target=agent, org_unit=agent.org_unit,
                     before=before, after={"transaction": txn.pk, "sub_account": sub_account, "amount": str(amount),
                                           **{k: str(v) for k, v in ledger.balances(agent).items()}})
    return txn


def account_withdrawal(*, actor: Any, agent: Agent, sub_account: str, amount: Any, memo: str = "",
                       idempotency_key: str | None = None) -> LedgerTransaction:
    """提现: cash drawn from the rebate or the prepayment, never beyond its balance."""
    _money_in_scope(actor, agent)
    amount = ledger.money(amount)
    key = _key(idempotency_key)
    with transaction.atomic():
        if key and (done := LedgerTransaction.objects.filter(reference=key).first()) is not None:
            return done
        agent = _agent_locked(agent)
        if agent.status == AgentStatus.APPLIED:
            raise AgentWrongStatus(agent=agent, status=agent.get_status_display())
        before = {k: str(v) for k, v in ledger.balances(agent).items()}
        txn = ledger.withdraw(agent, sub_account, amount, reference=key, memo=(memo or "").strip(), actor=actor)
        audit_record(actor=actor, action="channels.account_withdrawal", target=agent, org_unit=agent.org_unit,
                     before=before, after={"transaction": txn.pk, "sub_account": sub_account, "amount": str(amount),
                                           **{k: str(v) for k, v in ledger.balances(agent).items()}})
    return txn

