"""Settlement configuration and bill writes (CH-12, CH-13, CH-16). Each function checks
permission and scope, runs in one transaction and writes the audit log."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kams.audit.services import audit_record
from kams.channels import ledger
from kams.channels.enums import HouseAccountKind, PayMethod, SubAccountKind, TransactionKind
from kams.core.errors import InvalidInput
from kams.customers.enums import Business
from kams.org.models import OrgUnit
from kams.org.scoping import require_in_scope, require_perm
from kams.settlement.enums import AdjustmentKind, BillState, SchemeKind
from kams.settlement.errors import BillNotPaid, BillPaid, ExpressionError
from kams.settlement.expressions import compile_condition, compile_number
from kams.settlement.models import (
    AgentBill,
    AgentScheme,
    BillAdjustment,
    BusinessScheme,
    CompositeScheme,
    SchemeVersion,
    SettlementVariable,
)
from kams.settlement.variables import REGISTRY


def variable_checker(business: str, units: list[OrgUnit]):
    """``allowed(name)`` for a scheme of ``business`` restricted to ``units`` (none: everywhere):
    a variable may be used when enabled, its business types include ``business`` and the scheme's
    units all lie within the variable's units."""
    rows = {v.name: v for v in SettlementVariable.objects.prefetch_related("units")}

    def allowed(name: str) -> str | None:
        row = rows.get(name)
        if row is None or not row.enabled:
            return _("the variable “%(name)s” is not enabled for settlement.") % {"name": name}
        if row.businesses and business not in row.businesses:
            return _("the variable “%(name)s” is not authorised for this business type.") % {"name": name}
        var_units = list(row.units.all())
        if var_units:
            inside = units and all(any(u.path.startswith(v.path) for v in var_units) for u in units)
            if not inside:
                return _("the variable “%(name)s” is authorised only for %(units)s.") % {
                    "name": name, "units": ", ".join(u.name for u in var_units)}
        return None

    return allowed


@transaction.atomic
def set_variable_scope(*, actor: Any, variable: SettlementVariable, enabled: bool, businesses: list[str],
                       units: list[OrgUnit]) -> SettlementVariable:
    require_perm(actor, "settlement.change_settlementvariable")
    if variable.name not in REGISTRY:
        raise InvalidInput(_("variable: unknown variable."))
    wrong = [b for b in businesses if b not in Business.values]
    if wrong:
        raise InvalidInput(_("business types: unknown business type %(value)s.") % {"value": ", ".join(wrong)})
    before = {"enabled": variable.enabled, "businesses": variable.businesses,
              "units": sorted(variable.units.values_list("code", flat=True))}
    variable.enabled, variable.businesses = enabled, sorted(set(businesses))
    variable.save()
    variable.units.set(units)
    audit_record(actor=actor, action="settlement.variable_scope", target=variable, before=before,
                 after={"enabled": enabled, "businesses": variable.businesses, "units": sorted(u.code for u in units)})
    return variable


def _steps(kind: str, steps: Any) -> list[dict]:
    if kind != SchemeKind.COMMISSION:
        return []
    if not isinstance(steps, list) or not steps:
        raise InvalidInput(_("steps: give at least one step, e.g. from subscriber 1: 50.00 yuan."))
    clean = []
    for step in steps:
        try:
            start = int(step["from"])
            amount = ledger.money(step["amount"], allow_zero=True)
        except (KeyError, TypeError, ValueError):
            raise InvalidInput(_("steps: each step needs a starting rank and an amount.")) from None
        if start < 1:
            raise InvalidInput(_("steps: ranks start at 1."))
        clean.append({"from": start, "amount": f"{amount.quantize(Decimal('0.01'))}"})
    clean.sort(key=lambda s: s["from"])
    if clean[0]["from"] != 1 or len({s["from"] for s in clean}) != len(clean):
        raise InvalidInput(_("steps: the first step starts at subscriber 1 and no two steps start at the same rank."))
    return clean


@transaction.atomic
def save_scheme(
    *, actor: Any, code: str, name: str, business: str, kind: str, condition: str = "", base: str = "",
    rate: Decimal | None = None, months: int | None = None, steps: Any = None, units: list[OrgUnit] = (),
    agent_types: list = (), note: str = "",
) -> SchemeVersion:
    """Save a business scheme: a new scheme (version 1) or a new version of an existing one.
    Expressions are parsed and checked first; any error leaves nothing saved."""
    require_perm(actor, "settlement.add_businessscheme")
    code = (code or "").strip()
    if not code or not (name or "").strip():
        raise InvalidInput(_("code and name: both are required."))
    if business not in Business.values:
        raise InvalidInput(_("business: choose a business type."))
    if kind not in SchemeKind.values:
        raise InvalidInput(_("kind: choose commission or revenue share."))
    units = list(units)
    for unit in units:
        require_in_scope(actor, unit)
    allowed = variable_checker(business, units)
    compile_condition(condition, field=_("condition"), allowed=allowed)
    if kind == SchemeKind.REVENUE_SHARE:
        compile_number(base, field=_("base"), allowed=allowed)
        if rate is None or not (Decimal("0") < Decimal(rate) <= Decimal("100")):
            raise InvalidInput(_("rate: give a percentage between 0 and 100."))
        if not months or int(months) < 1:
            raise InvalidInput(_("months: give the number of months shared, at least 1."))
    else:
        base, rate, months = "", None, None
    clean_steps = _steps(kind, steps)
    scheme = BusinessScheme.objects.select_for_update().filter(code=code).first()
    if scheme is None:
        scheme = BusinessScheme.objects.create(code=code, name=name.strip(), business=business)
    elif scheme.business != business:
        raise InvalidInput(_("business: scheme %(code)s is a scheme for %(business)s.") % {
            "code": code, "business": scheme.get_business_display()})
    else:
        scheme.name = name.strip()
        scheme.save(update_fields=["name"])
    number = (scheme.versions.aggregate(top=Max("version"))["top"] or 0) + 1
    version = SchemeVersion.objects.create(
        scheme=scheme, version=number, kind=kind, condition=condition.strip(), base=(base or "").strip(), rate=rate,
        months=months, steps=clean_steps, note=note, created_by=actor if getattr(actor, "pk", None) else None)
    version.units.set(units)
    version.agent_types.set(list(agent_types))
    audit_record(actor=actor, action="settlement.scheme_version", target=scheme,
                 after={"version": number, "kind": kind, "condition": version.condition, "base": version.base,
                        "rate": str(rate) if rate is not None else None, "months": months, "steps": clean_steps})
    return version


@transaction.atomic
def save_composite(*, actor: Any, code: str, name: str, schemes: list[BusinessScheme],
                   composite: CompositeScheme | None = None) -> CompositeScheme:
    """综合结算方案: refused when two business schemes share a business type."""
    perm = "settlement.change_compositescheme" if composite else "settlement.add_compositescheme"
    require_perm(actor, perm)
    seen: dict[str, BusinessScheme] = {}
    for scheme in schemes:
        if scheme.business in seen:
            raise InvalidInput(_("business schemes: %(a)s and %(b)s are both for %(business)s; choose one scheme per "
                                 "business type.") % {"a": seen[scheme.business].code, "b": scheme.code,
                                                      "business": scheme.get_business_display()})
        seen[scheme.business] = scheme
    if not schemes:
        raise InvalidInput(_("business schemes: choose at least one."))
    if not (code or "").strip() or not (name or "").strip():
        raise InvalidInput(_("code and name: both are required."))
    before = None
    if composite is None:
        if CompositeScheme.objects.filter(code=code.strip()).exists():
            raise InvalidInput(_("code: a composite scheme %(code)s exists already.") % {"code": code})
        composite = CompositeScheme.objects.create(code=code.strip(), name=name.strip())
    else:
        before = {"name": composite.name, "schemes": sorted(composite.schemes.values_list("code", flat=True))}
        composite.name = name.strip()
        composite.save(update_fields=["name"])
    composite.schemes.set(schemes)
    audit_record(actor=actor, action="settlement.composite", target=composite, before=before,
                 after={"name": composite.name, "schemes": sorted(s.code for s in schemes)})
    return composite


@transaction.atomic
def assign_scheme(*, actor: Any, agent, primary: CompositeScheme, fallback: CompositeScheme | None = None,
                  valid_from: datetime.date | None = None, valid_until: datetime.date | None = None) -> AgentScheme:
    require_perm(actor, "settlement.change_agentscheme")
    require_in_scope(actor, agent)
    if valid_from and valid_until and valid_until < valid_from:
        raise InvalidInput(_("valid until: the end of the validity comes before its start."))
    row = AgentScheme.objects.select_for_update().filter(agent=agent).first()
    before = None
    if row is None:
        row = AgentScheme(agent=agent)
    else:
        before = {"primary": row.primary.code, "fallback": row.fallback.code if row.fallback else None,
                  "valid_from": str(row.valid_from or ""), "valid_until": str(row.valid_until or "")}
    row.primary, row.fallback, row.valid_from, row.valid_until = primary, fallback, valid_from, valid_until
    row.save()
    audit_record(actor=actor, action="settlement.agent_scheme", target=agent, before=before,
                 after={"primary": primary.code, "fallback": fallback.code if fallback else None,
                        "valid_from": str(valid_from or ""), "valid_until": str(valid_until or "")})
    return row


def _locked_bill(actor: Any, bill: AgentBill, perm: str) -> AgentBill:
    require_perm(actor, perm)
    require_in_scope(actor, bill.agent)
    return AgentBill.objects.select_for_update().select_related("agent").get(pk=bill.pk)


@transaction.atomic
def adjust_bill(*, actor: Any, bill: AgentBill, kind: str, amount: Any, reason: str) -> BillAdjustment:
    """返利调整 before the payout: an extra reward (额外奖励) or a fine (罚款)."""
    bill = _locked_bill(actor, bill, "settlement.change_agentbill")
    if bill.state == BillState.PAID:
        raise BillPaid()
    if kind not in (AdjustmentKind.REWARD, AdjustmentKind.FINE):
        raise InvalidInput(_("kind: choose an extra reward or a fine."))
    value = ledger.money(amount)
    if not (reason or "").strip():
        raise InvalidInput(_("reason: give a reason."))
    signed = value if kind == AdjustmentKind.REWARD else -value
    line = BillAdjustment.objects.create(bill=bill, kind=kind, amount=signed, reason=reason.strip(), created_by=actor)
    before = {"adjustments": str(bill.adjustments)}
    bill.adjustments += signed
    bill.save(update_fields=["adjustments"])
    audit_record(actor=actor, action=f"settlement.bill_{kind}", target=bill, before=before,
                 after={"adjustments": str(bill.adjustments), "amount": str(signed)}, reason=reason)
    return line


def _post(bill: AgentBill, amount: Decimal, *, reference: str, supplement: bool, actor: Any, memo: str):
    if amount > 0:
        return ledger.credit(
            bill.agent, amount, kind=TransactionKind.SUPPLEMENT if supplement else TransactionKind.PAYOUT,
            method=PayMethod.TRANSFER, house_kind=HouseAccountKind.COMMISSION, sub_account=SubAccountKind.REBATE,
            reference=reference, source=bill, memo=memo, actor=actor)
    if amount < 0:
        return ledger.recover(bill.agent, -amount, house_kind=HouseAccountKind.COMMISSION, reference=reference,
                              source=bill, memo=memo, actor=actor)
    return None


@transaction.atomic
def pay_bill(*, actor: Any, bill: AgentBill) -> AgentBill:
    """分销结算返利: the net amount into the rebate sub-account (a negative net is recovered). A
    re-settlement bill of a paid bill pays its difference as a supplementary payment (补发) or a
    recovery (补收). The bill is then paid and immutable."""
    bill = _locked_bill(actor, bill, "settlement.pay_agentbill")
    if bill.state == BillState.PAID:
        raise BillPaid()
    supplement = bill.original_id is not None and AgentBill.objects.filter(
        agent=bill.agent, period=bill.period, state=BillState.PAID).exists()
    txn = _post(bill, bill.net, reference=f"payout:{bill.pk}", supplement=supplement, actor=actor,
                memo=_("Settlement %(period)s") % {"period": f"{bill.period:%Y-%m}"})
    bill.state, bill.paid_at, bill.paid_by, bill.transaction = BillState.PAID, timezone.now(), actor, txn
    bill.save(update_fields=["state", "paid_at", "paid_by", "transaction"])
    audit_record(actor=actor, action="settlement.bill_payout", target=bill, before={"state": BillState.OPEN},
                 after={"state": BillState.PAID, "net": str(bill.net), "transaction": txn.pk if txn else None})
    return bill


@transaction.atomic
def supplement_or_recover(*, actor: Any, bill: AgentBill, kind: str, amount: Any, reason: str) -> BillAdjustment:
    """补发(收)款维护: after the payout, a supplementary payment or a recovery, recorded as its own
    line and ledger transaction."""
    bill = _locked_bill(actor, bill, "settlement.pay_agentbill")
    if bill.state != BillState.PAID:
        raise BillNotPaid()
    if kind not in (AdjustmentKind.SUPPLEMENT, AdjustmentKind.RECOVERY):
        raise InvalidInput(_("kind: choose a supplementary payment or a recovery."))
    value = ledger.money(amount)
    if not (reason or "").strip():
        raise InvalidInput(_("reason: give a reason."))
    signed = value if kind == AdjustmentKind.SUPPLEMENT else -value
    line = BillAdjustment.objects.create(bill=bill, kind=kind, amount=signed, reason=reason.strip(), created_by=actor)
    txn = _post(bill, signed, reference=f"settlement-adj:{line.pk}", supplement=True, actor=actor, memo=reason[:300])
    line.transaction = txn
    line.save(update_fields=["transaction"])
    audit_record(actor=actor, action=f"settlement.bill_{kind}", target=bill, after={"amount": str(signed)},
                 reason=reason)
    return line


def agents_without_scheme(agents, period: datetime.date) -> list:
    schemes = {s.agent_id: s for s in AgentScheme.objects.filter(agent__in=agents).select_related("primary", "fallback")}
    return [a for a in agents if a.pk not in schemes or schemes[a.pk].composite_for(period) is None]


__all__ = ["ExpressionError", "adjust_bill", "agents_without_scheme", "assign_scheme", "pay_bill", "save_composite",
           "save_scheme", "set_variable_scope", "supplement_or_recover", "variable_checker"]
