"""Writes of the customer domain (CUS-01, CUS-02, CUS-05, CUS-14).

Each function checks permission and scope, runs in one transaction and writes the audit log
with before/after values: that log *is* the change history of CUS-06.
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Any, Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kams.audit.services import audit_record, snapshot
from kams.core.errors import Conflict, InvalidInput
from kams.customers.enums import (
    CONTRACT_MOVES,
    AccountStatus,
    ApprovalLevel,
    AttributeKind,
    ContractState,
    CustomerStatus,
    CustomerType,
    PreferenceKind,
    PreferenceState,
)
from kams.customers.errors import (
    ApprovalLevelTooLow,
    AttachmentTooLarge,
    ContractMoveNotAllowed,
    ContractNotEditable,
    CustomerNotEditable,
    DuplicateCertificate,
    IllegalLifecycleStep,
    InvalidExtraAttribute,
    OwnRequest,
    PreferenceNotAllowed,
    ReasonRequired,
)
from kams.customers.models import (
    CareRecord,
    Contact,
    Contract,
    ContractAttachment,
    Customer,
    ExtraAttribute,
    Level,
    LevelCategory,
    Member,
    PayingAccount,
    Preference,
    Relation,
)
from kams.customers.selectors import level_suggest, name_initials
from kams.org.models import OrgUnit, Staff
from kams.org.scoping import require_in_scope, require_perm, scope_for
from kams.system.models import JobRun

CUSTOMER_FIELDS = (
    "name", "customer_type", "status", "industry", "org_unit", "account_manager", "level",
    "certificate_type", "certificate_no", "address", "postcode", "phone", "email", "businesses",
    "employee_count", "expected_monthly_revenue", "joined_on", "internal_environment",
    "related_companies", "engineering_projects", "occupied_resources", "service_notes", "extra",
)
EDITABLE_FIELDS = tuple(f for f in CUSTOMER_FIELDS if f not in ("status", "level", "extra"))
ACCOUNT_FIELDS = ("account_no", "name", "status", "payment_method", "bank_name", "bank_account", "opened_on", "cancelled_on")
CONTACT_FIELDS = ("name", "role", "title", "department", "mobile", "email", "birthday", "notes", "is_primary")
MEMBER_FIELDS = ("msisdn", "name", "account", "business", "is_active", "joined_on")


# --- Customers --------------------------------------------------------------------------------


def _check_assignment(actor: Any, org_unit: OrgUnit, manager: Staff | None) -> Staff | None:
    """The region and the manager must lie in the actor's scope; an own-records role (an
    account manager) creates and keeps customers for themself only."""
    require_in_scope(actor, org_unit)
    scope = scope_for(actor)
    if scope.own_only:
        own = Staff.objects.get(pk=scope.staff_id)
        if manager is not None and manager.pk != own.pk:
            raise InvalidInput(_("account_manager: you can only manage your own customers."))
        return own
    if manager is not None:
        require_in_scope(actor, manager)
        if not manager.org_unit.path.startswith(org_unit.scope_anchor().path):
            raise InvalidInput(_("account_manager: the account manager works outside the customer's region."))
    return manager


def _check_certificate(certificate_type: str, certificate_no: str, *, exclude_pk: Any = None) -> None:
    if not certificate_no:
        return
    clash = (
        Customer.objects.active()
        .filter(certificate_type=certificate_type, certificate_no=certificate_no)
        .exclude(pk=exclude_pk)
        .first()
    )
    if clash is not None:
        raise DuplicateCertificate(other=f"{clash.code} {clash.name}")


def extra_values_clean(values: dict[str, Any] | None, *, current: dict | None = None) -> dict[str, Any]:
    """Validate extra attribute values against their definitions; returns the JSON to store.
    Unknown codes, wrong types, choices outside the list and missing required values are
    refused with the attribute's label in the message."""
    result = dict(current or {})
    values = values or {}
    definitions = {d.code: d for d in ExtraAttribute.objects.filter(is_active=True)}
    for code in values:
        if code not in definitions:
            raise InvalidExtraAttribute(field=code, problem=_("no such extra attribute"))
    for code, definition in definitions.items():
        if code not in values:
            if definition.required and result.get(code) in (None, ""):
                raise InvalidExtraAttribute(field=definition.label, problem=_("this attribute is required"))
            continue
        raw = values[code]
        if raw in (None, ""):
            if definition.required:
                raise InvalidExtraAttribute(field=definition.label, problem=_("this attribute is required"))
            result.pop(code, None)
            continue
        result[code] = _typed_extra(definition, raw)
    return result


def _typed_extra(definition: ExtraAttribute, raw: Any) -> Any:
    try:
        if definition.kind == AttributeKind.NUMBER:
            if isinstance(raw, bool):
                raise ValueError
            number = float(str(raw).strip())
            return int(number) if number.is_integer() else number
        if definition.kind == AttributeKind.DATE:
            return (raw if isinstance(raw, datetime.date) else datetime.date.fromisoformat(str(raw).strip())).isoformat()
        if definition.kind == AttributeKind.CHOICE:
            if str(raw) not in definition.choices:
                raise ValueError
            return str(raw)
        return str(raw).strip()[:500]
    except (TypeError, ValueError):
        raise InvalidExtraAttribute(
            field=definition.label, problem=_("“%(value)s” is not a valid %(kind)s") % {"value": raw, "kind": definition.get_kind_display()}
        ) from None


def _provisional_code() -> str:
    """Held only until the row has its id (see ``customer_create``)."""
    return f"new-{uuid.uuid4().hex[:20]}"


@transaction.atomic
def customer_create(
    *,
    actor: Any,
    name: str,
    customer_type: str,
    org_unit: OrgUnit,
    status: str = CustomerStatus.CURRENT,
    account_manager: Staff | None = None,
    extra: dict | None = None,
    **fields: Any,
) -> Customer:
    """增加客户: register a key account; the system suggests its level and sets it."""
    require_perm(actor, "customers.add_customer")
    if status == CustomerStatus.HISTORICAL:
        raise IllegalLifecycleStep(status=CustomerStatus(status).label, step=_("created"))
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(_("Unknown fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    manager = _check_assignment(actor, org_unit, account_manager)
    _check_certificate(fields.get("certificate_type", ""), fields.get("certificate_no", ""))
    customer = Customer(
        code=_provisional_code(),
        name=name.strip(),
        name_initials=name_initials(name),
        customer_type=customer_type,
        status=status,
        org_unit=org_unit,
        account_manager=manager,
        extra=extra_values_clean(extra),
        **fields,
    )
    try:
        customer.save()
    except IntegrityError:
        raise Conflict() from None
    # The running number is the row's own id: unique without a counter to lock.
    customer.code = f"{settings.KAMS_PROVINCE_CODE}{customer.pk:08d}"
    customer.level = level_suggest(customer)
    customer.save(update_fields=["code", "level"])
    audit_record(actor=actor, action="customers.create", target=customer, after=snapshot(customer, CUSTOMER_FIELDS))
    return customer


def _editable(customer: Customer) -> Customer:
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    if locked.status == CustomerStatus.HISTORICAL:
        raise CustomerNotEditable()
    return locked


@transaction.atomic
def customer_update(
    *, actor: Any, customer: Customer, changes: dict[str, Any], extra: dict | None = None, reason: str = ""
) -> tuple[Customer, Level | None]:
    """修改客户资料: apply ``changes`` (standard fields) and ``extra`` values.

    Returns the customer and the level the system now suggests (CUS-05); applying a
    different level is a separate, reasoned step (``customer_level_set``)."""
    require_perm(actor, "customers.change_customer")
    require_in_scope(actor, customer)
    customer = _editable(customer)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(_("Unknown fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    before = snapshot(customer, CUSTOMER_FIELDS)
    org_unit = changes.get("org_unit", customer.org_unit)
    manager = changes.get("account_manager", customer.account_manager)
    if "org_unit" in changes or "account_manager" in changes:
        if scope_for(actor).own_only and manager != customer.account_manager:
            raise InvalidInput(_("account_manager: only a director can hand a customer to another manager."))
        changes["account_manager"] = _check_assignment(actor, org_unit, manager)
    _check_certificate(
        changes.get("certificate_type", customer.certificate_type),
        changes.get("certificate_no", customer.certificate_no),
        exclude_pk=customer.pk,
    )
    for field, value in changes.items():
        setattr(customer, field, value)
    if "name" in changes:
        customer.name = customer.name.strip()
        customer.name_initials = name_initials(customer.name)
    if extra is not None:
        customer.extra = extra_values_clean(extra, current=customer.extra)
    customer.save()
    after = snapshot(customer, CUSTOMER_FIELDS)
    if after != before:
        audit_record(actor=actor, action="customers.update", target=customer, before=before, after=after, reason=reason)
    suggestion = level_suggest(customer)
    return customer, suggestion


@transaction.atomic
def customer_level_set(*, actor: Any, customer: Customer, level: Level | None, reason: str) -> Customer:
    """Change a customer's level by hand, with a reason."""
    require_perm(actor, "customers.change_customer")
    require_in_scope(actor, customer)
    if not reason.strip():
        raise ReasonRequired()
    customer = _editable(customer)
    before = snapshot(customer, ("level",))
    customer.level = level
    customer.save(update_fields=["level", "updated_at"])
    audit_record(
        actor=actor, action="customers.level_set", target=customer, before=before,
        after=snapshot(customer, ("level",)), reason=reason,
    )
    return customer


@transaction.atomic
def customer_cancel(*, actor: Any, customer: Customer, reason: str) -> Customer:
    """注销客户: the customer loses key-account status and becomes historical; its active
    accounts are cancelled with it."""
    require_perm(actor, "customers.cancel_customer")
    require_in_scope(actor, customer)
    if not reason.strip():
        raise ReasonRequired()
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if customer.status == CustomerStatus.HISTORICAL:
        raise IllegalLifecycleStep(status=customer.get_status_display(), step=_("cancelled"))
    before = snapshot(customer, ("status",))
    today = timezone.localdate()
    accounts = list(customer.accounts.select_for_update().filter(status=AccountStatus.ACTIVE))
    PayingAccount.objects.filter(pk__in=[a.pk for a in accounts]).update(
        status=AccountStatus.CANCELLED, cancelled_on=today, cancelled_with_customer=True, updated_at=timezone.now()
    )
    customer.status = CustomerStatus.HISTORICAL
    customer.cancelled_at = timezone.now()
    customer.save(update_fields=["status", "cancelled_at", "updated_at"])
    audit_record(
        actor=actor,
        action="customers.cancel",
        target=customer,
        before={**before, "accounts": [a.account_no for a in accounts]},
        after={**snapshot(customer, ("status",)), "accounts": []},
        reason=reason,
    )
    return customer


@transaction.atomic
def customer_restore(*, actor: Any, customer: Customer, reason: str) -> Customer:
    """恢复客户: a cancelled customer regains its status; the accounts cancelled with it
    are reopened."""
    require_perm(actor, "customers.cancel_customer")
    require_in_scope(actor, customer)
    if not reason.strip():
        raise ReasonRequired()
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if customer.status != CustomerStatus.HISTORICAL:
        raise IllegalLifecycleStep(status=customer.get_status_display(), step=_("restored"))
    _check_certificate(customer.certificate_type, customer.certificate_no, exclude_pk=customer.pk)
    reopened = list(customer.accounts.filter(cancelled_with_customer=True).values_list("account_no", flat=True))
    customer.accounts.filter(cancelled_with_customer=True).update(
        status=AccountStatus.ACTIVE, cancelled_on=None, cancelled_with_customer=False, updated_at=timezone.now()
    )
    customer.status = CustomerStatus.CURRENT
    customer.cancelled_at = None
    customer.save(update_fields=["status", "cancelled_at", "updated_at"])
    audit_record(
        actor=actor,
        action="customers.restore",
        target=customer,
        before={"status": CustomerStatus.HISTORICAL, "accounts": []},
        after={"status": CustomerStatus.CURRENT, "accounts": reopened},
        reason=reason,
    )
    return customer


# --- Accounts, contacts, members, relations (CUS-02, CUS-14) ----------------------------------


def _child_write(actor: Any, customer: Customer, perm: str) -> Customer:
    require_perm(actor, perm)
    require_in_scope(actor, customer)
    return _editable(customer)


def _save_child(instance, *, actor: Any, action: str, fields: Iterable[str], before: dict | None, reason: str = ""):
    try:
        instance.full_clean(exclude=["customer"])
    except ValidationError as exc:
        text = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
        duplicate = any(e.code == "unique" for errors in exc.error_dict.values() for e in errors)
        raise (Conflict if duplicate else InvalidInput)(text) from None
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        raise Conflict() from None
    if fields:  # callers that pass no fields write their own audit entry
        after = snapshot(instance, fields)
        if before != after:
            audit_record(actor=actor, action=action, target=instance, before=before, after=after, reason=reason)
    return instance


@transaction.atomic
def account_add(*, actor: Any, customer: Customer, **values: Any) -> PayingAccount:
    customer = _child_write(actor, customer, "customers.add_payingaccount")
    account = PayingAccount(customer=customer, **values)
    account = _save_child(account, actor=actor, action="customers.account_add", fields=ACCOUNT_FIELDS, before=None)
    if account.status == AccountStatus.ACTIVE:
        # 初始信用等级 (CUS-08): a new account is graded by rule before it is activated.
        from kams.credit.services import credit_initial_assign

        credit_initial_assign(account=account)
    return account


@transaction.atomic
def account_update(*, actor: Any, account: PayingAccount, reason: str = "", **values: Any) -> PayingAccount:
    _child_write(actor, account.customer, "customers.change_payingaccount")
    account = PayingAccount.objects.select_for_update().get(pk=account.pk)
    before = snapshot(account, ACCOUNT_FIELDS)
    for field, value in values.items():
        if field not in ACCOUNT_FIELDS or field in ("status", "cancelled_on", "account_no"):
            raise InvalidInput(_("Unknown fields: %(fields)s.") % {"fields": field})
        setattr(account, field, value)
    return _save_child(account, actor=actor, action="customers.account_update", fields=ACCOUNT_FIELDS, before=before, reason=reason)


@transaction.atomic
def account_cancel(*, actor: Any, account: PayingAccount, reason: str) -> PayingAccount:
    _child_write(actor, account.customer, "customers.change_payingaccount")
    if not reason.strip():
        raise ReasonRequired()
    account = PayingAccount.objects.select_for_update().get(pk=account.pk)
    if account.status == AccountStatus.CANCELLED:
        raise IllegalLifecycleStep(status=account.get_status_display(), step=_("cancelled"))
    before = snapshot(account, ACCOUNT_FIELDS)
    account.status = AccountStatus.CANCELLED
    account.cancelled_on = timezone.localdate()
    return _save_child(account, actor=actor, action="customers.account_cancel", fields=ACCOUNT_FIELDS, before=before, reason=reason)


@transaction.atomic
def contact_add(*, actor: Any, customer: Customer, **values: Any) -> Contact:
    customer = _child_write(actor, customer, "customers.add_contact")
    contact = Contact(customer=customer, **values)
    return _save_child(contact, actor=actor, action="customers.contact_add", fields=CONTACT_FIELDS, before=None)


@transaction.atomic
def contact_update(*, actor: Any, contact: Contact, **values: Any) -> Contact:
    _child_write(actor, contact.customer, "customers.change_contact")
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    before = snapshot(contact, CONTACT_FIELDS)
    for field, value in values.items():
        if field not in CONTACT_FIELDS:
            raise InvalidInput(_("Unknown fields: %(fields)s.") % {"fields": field})
        setattr(contact, field, value)
    return _save_child(contact, actor=actor, action="customers.contact_update", fields=CONTACT_FIELDS, before=before)


@transaction.atomic
def contact_remove(*, actor: Any, contact: Contact, reason: str = "") -> None:
    _child_write(actor, contact.customer, "customers.delete_contact")
    before = snapshot(contact, CONTACT_FIELDS)
    audit_record(actor=actor, action="customers.contact_remove", target=contact, before=before, reason=reason)
    contact.delete()


@transaction.atomic
def member_add(*, actor: Any, customer: Customer, **values: Any) -> Member:
    customer = _child_write(actor, customer, "customers.add_member")
    account = values.get("account")
    if account is not None and account.customer_id != customer.pk:
        raise InvalidInput(_("account: the account belongs to another customer."))
    if Member.objects.filter(msisdn=values.get("msisdn"), is_active=True).exists():
        raise Conflict(_("msisdn: the number %(no)s is already an active member.") % {"no": values.get("msisdn")})
    member = Member(customer=customer, **values)
    return _save_child(member, actor=actor, action="customers.member_add", fields=MEMBER_FIELDS, before=None)


@transaction.atomic
def member_leave(*, actor: Any, member: Member, reason: str = "") -> Member:
    _child_write(actor, member.customer, "customers.change_member")
    member = Member.objects.select_for_update().get(pk=member.pk)
    before = snapshot(member, MEMBER_FIELDS)
    member.is_active = False
    return _save_child(member, actor=actor, action="customers.member_leave", fields=MEMBER_FIELDS, before=before, reason=reason)


@transaction.atomic
def relation_add(*, actor: Any, customer: Customer, other: Customer, kind: str, note: str = "") -> Relation:
    customer = _child_write(actor, customer, "customers.change_customer")
    require_in_scope(actor, other)
    if other.pk == customer.pk:
        raise InvalidInput(_("other: a customer cannot be related to itself."))
    if Relation.objects.filter(customer=customer, other=other, kind=kind).exists():
        raise Conflict(_("This relation is already recorded."))
    relation = Relation.objects.create(customer=customer, other=other, kind=kind, note=note)
    audit_record(
        actor=actor, action="customers.relation_add", target=customer,
        after={"relation": relation.get_kind_display(), "other": f"{other.code} {other.name}", "note": note},
    )
    return relation


@transaction.atomic
def relation_remove(*, actor: Any, relation: Relation) -> None:
    customer = _child_write(actor, relation.customer, "customers.change_customer")
    audit_record(
        actor=actor, action="customers.relation_remove", target=customer,
        before={"relation": relation.get_kind_display(), "other": f"{relation.other.code} {relation.other.name}"},
    )
    relation.delete()


# --- Extra attribute definitions ----------------------------------------------------------------

ATTRIBUTE_FIELDS = ("code", "label", "kind", "choices", "required", "order", "is_active")


@transaction.atomic
def extra_attribute_save(*, actor: Any, attribute: ExtraAttribute | None = None, **values: Any) -> ExtraAttribute:
    """Define or change an extra attribute. A choice attribute needs its choices; the code
    and kind of an attribute in use are fixed."""
    require_perm(actor, "customers.add_extraattribute" if attribute is None else "customers.change_extraattribute")
    if values.get("kind") == AttributeKind.CHOICE and not values.get("choices"):
        raise InvalidInput(_("choices: a choice attribute needs at least one choice."))
    if attribute is None:
        if ExtraAttribute.objects.filter(code=values.get("code")).exists():
            raise Conflict(_("An extra attribute with code %(code)s already exists.") % {"code": values.get("code")})
        attribute, before = ExtraAttribute(**values), None
    else:
        attribute = ExtraAttribute.objects.select_for_update().get(pk=attribute.pk)
        before = snapshot(attribute, ATTRIBUTE_FIELDS)
        in_use = Customer.objects.filter(extra__has_key=attribute.code).exists()
        for field in ("code", "kind"):
            if field in values and values[field] != getattr(attribute, field) and in_use:
                raise InvalidInput(_("%(field)s: the attribute is in use and cannot change it.") % {"field": field})
        for field, value in values.items():
            setattr(attribute, field, value)
    attribute.save()
    audit_record(
        actor=actor, action="customers.attribute_save", target=attribute,
        before=before, after=snapshot(attribute, ATTRIBUTE_FIELDS),
    )
    return attribute


# --- Contracts (CUS-09) -------------------------------------------------------------------------

CONTRACT_FIELDS = (
    "contract_no", "title", "contract_type", "state", "value", "signed_on", "valid_from", "valid_to", "terms", "accounts",
)


def _contract_accounts(customer: Customer, accounts: Iterable[PayingAccount]) -> list[PayingAccount]:
    accounts = list(accounts)
    if any(a.customer_id != customer.pk for a in accounts):
        raise InvalidInput(_("accounts: every account must belong to the contract's customer."))
    return accounts


def _check_period(valid_from: datetime.date, valid_to: datetime.date) -> None:
    if valid_to < valid_from:
        raise InvalidInput(_("valid_to: the contract cannot end before it starts."))


@transaction.atomic
def contract_create(
    *, actor: Any, customer: Customer, accounts: Iterable[PayingAccount] = (), **values: Any
) -> Contract:
    """签订合同: a new contract starts as a draft."""
    customer = _child_write(actor, customer, "customers.add_contract")
    unknown = set(values) - set(CONTRACT_FIELDS) | ({"state"} & set(values))
    if unknown:
        raise InvalidInput(_("Unknown fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    _check_period(values["valid_from"], values["valid_to"])
    linked = _contract_accounts(customer, accounts)
    contract = Contract(customer=customer, **values)
    _save_child(contract, actor=actor, action="customers.contract_create", fields=(), before=None)
    contract.accounts.set(linked)
    audit_record(actor=actor, action="customers.contract_create", target=contract, after=snapshot(contract, CONTRACT_FIELDS))
    return contract


@transaction.atomic
def contract_update(
    *, actor: Any, contract: Contract, accounts: Iterable[PayingAccount] | None = None, reason: str = "", **values: Any
) -> Contract:
    _child_write(actor, contract.customer, "customers.change_contract")
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if contract.state not in (ContractState.DRAFT, ContractState.APPROVING):
        raise ContractNotEditable()
    unknown = set(values) - set(CONTRACT_FIELDS) | ({"state", "accounts"} & set(values))
    if unknown:
        raise InvalidInput(_("Unknown fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    before = snapshot(contract, CONTRACT_FIELDS)
    for field, value in values.items():
        setattr(contract, field, value)
    _check_period(contract.valid_from, contract.valid_to)
    _save_child(contract, actor=actor, action="customers.contract_update", fields=(), before=None)
    if accounts is not None:
        contract.accounts.set(_contract_accounts(contract.customer, accounts))
    after = snapshot(contract, CONTRACT_FIELDS)
    if after != before:
        audit_record(actor=actor, action="customers.contract_update", target=contract, before=before, after=after, reason=reason)
    return contract


@transaction.atomic
def contract_move(*, actor: Any, contract: Contract, to: str, reason: str = "") -> Contract:
    """Move a contract along its state graph. Putting it in force needs the approve
    permission and a signing date; terminating needs a reason."""
    _child_write(actor, contract.customer, "customers.change_contract")
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if to not in CONTRACT_MOVES.get(contract.state, ()):
        raise ContractMoveNotAllowed(state=contract.get_state_display(), target=ContractState(to).label if to in ContractState.values else to)
    if to == ContractState.ACTIVE:
        require_perm(actor, "customers.approve_contract")
        if contract.signed_on is None:
            raise InvalidInput(_("signed_on: a contract comes into force only once it is signed."))
    if to == ContractState.TERMINATED and not reason.strip():
        raise ReasonRequired()
    before = snapshot(contract, ("state",))
    contract.state = to
    contract.save(update_fields=["state", "updated_at"])
    audit_record(
        actor=actor, action="customers.contract_move", target=contract, before=before,
        after=snapshot(contract, ("state",)), reason=reason,
    )
    return contract


@transaction.atomic
def contract_attach(*, actor: Any, contract: Contract, upload: Any) -> ContractAttachment:
    """Store a file with the contract (any state: a signed copy arrives after signing)."""
    import hashlib

    from kams.system.parameters import param

    _child_write(actor, contract.customer, "customers.change_contract")
    limit_mb = param("customers.contract_attachment_max_mb")
    if upload.size > limit_mb * 1024 * 1024:
        raise AttachmentTooLarge(limit=limit_mb)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    staff = getattr(actor, "staff", None)
    attachment = ContractAttachment(
        contract=contract, name=upload.name[:200], size=upload.size, sha256=digest.hexdigest(), uploaded_by=staff
    )
    attachment.file.save(upload.name, upload, save=False)
    attachment.save()
    audit_record(
        actor=actor, action="customers.contract_attach", target=contract,
        after={"file": attachment.name, "size": attachment.size, "sha256": attachment.sha256},
    )
    return attachment


@transaction.atomic
def contracts_expire(*, today: datetime.date | None = None) -> int:
    """Daily job: contracts in force whose period has ended become expired. One UPDATE,
    one audit entry naming them; running it twice changes nothing the second time."""
    today = today or timezone.localdate()
    due = Contract.objects.filter(state=ContractState.ACTIVE, valid_to__lt=today)
    numbers = list(due.values_list("contract_no", flat=True)[:1000])
    count = due.update(state=ContractState.EXPIRED, updated_at=timezone.now())
    if count:
        audit_record(
            actor=None, action="customers.contracts_expire", target_repr=f"{count}",
            after={"expired": count, "contracts": numbers},
        )
    return count


@transaction.atomic
def levels_evaluate_request(*, actor: Any) -> JobRun:
    """Queue the level evaluation for ``kams worker``; its progress shows on the jobs page."""
    require_perm(actor, "customers.add_levelevaluation")
    run = JobRun.objects.create(name="customers.levels_evaluate", label=_("Customer level evaluation"), started_by=actor)
    audit_record(actor=actor, action="customers.levels_evaluate_request", target=run)

    def enqueue() -> None:
        from kams.customers.tasks import levels_evaluate_task

        levels_evaluate_task.enqueue(job_run_id=run.pk, actor_id=actor.pk)

    transaction.on_commit(enqueue)
    return run


# --- Preferential policies (CUS-12) and training/feedback (CUS-13) -------------------------------

PREFERENCE_FIELDS = ("title", "business", "kind", "value", "monthly_value", "valid_from", "valid_to", "accounts", "state", "approval_level")
LEVEL_ORDER = [ApprovalLevel.DISTRICT, ApprovalLevel.CITY, ApprovalLevel.PROVINCE]


def preference_approval_level(kind: str, value: Decimal, monthly_value: Decimal) -> str:
    """The smallest level whose limits (system parameters) cover the discount."""
    from kams.system.parameters import param

    for level in (ApprovalLevel.DISTRICT, ApprovalLevel.CITY):
        percent_limit = param(f"customers.preference_limit_{level}_percent")
        amount_limit = param(f"customers.preference_limit_{level}_amount")
        rate_ok = kind != PreferenceKind.PERCENT or value <= percent_limit
        if rate_ok and monthly_value <= amount_limit and (kind != PreferenceKind.AMOUNT or value <= amount_limit):
            return level
    return ApprovalLevel.PROVINCE


def _actor_level(actor: Any) -> str:
    """The approval level of a person: their unit's place in the hierarchy."""
    scope = scope_for(actor)
    if scope.unrestricted:
        return ApprovalLevel.PROVINCE
    staff = Staff.objects.select_related("org_unit").get(pk=scope.staff_id)
    kind = staff.org_unit.scope_anchor().kind
    return {"district": ApprovalLevel.DISTRICT, "city": ApprovalLevel.CITY}.get(kind, ApprovalLevel.PROVINCE)


@transaction.atomic
def preference_create(
    *, actor: Any, customer: Customer, accounts: Iterable[PayingAccount] = (), **values: Any
) -> Preference:
    customer = _child_write(actor, customer, "customers.add_preference")
    if values["valid_to"] < values["valid_from"]:
        raise InvalidInput(_("valid_to: the policy cannot end before it starts."))
    if values["kind"] == PreferenceKind.PERCENT and values["value"] > 100:
        raise InvalidInput(_("value: a discount rate is at most 100%."))
    linked = _contract_accounts(customer, accounts)
    preference = Preference(customer=customer, requested_by=actor, **values)
    _save_child(preference, actor=actor, action="customers.preference_create", fields=(), before=None)
    preference.accounts.set(linked)
    audit_record(actor=actor, action="customers.preference_create", target=preference, after=snapshot(preference, PREFERENCE_FIELDS))
    return preference


@transaction.atomic
def preference_submit(*, actor: Any, preference: Preference) -> Preference:
    """Send a draft for approval; the level that must approve it is fixed now."""
    _child_write(actor, preference.customer, "customers.add_preference")
    preference = Preference.objects.select_for_update().get(pk=preference.pk)
    if preference.state != PreferenceState.DRAFT:
        raise PreferenceNotAllowed(state=preference.get_state_display(), step=_("submitted"))
    before = snapshot(preference, ("state", "approval_level"))
    preference.approval_level = preference_approval_level(preference.kind, preference.value, preference.monthly_value)
    preference.state = PreferenceState.PENDING
    preference.save(update_fields=["approval_level", "state", "updated_at"])
    audit_record(
        actor=actor, action="customers.preference_submit", target=preference,
        before=before, after=snapshot(preference, ("state", "approval_level")),
    )
    return preference


@transaction.atomic
def preference_decide(*, actor: Any, preference: Preference, approve: bool, note: str = "") -> Preference:
    """Approve or reject a pending policy. The approver's unit must sit at the required
    level or above, the customer must be in their scope, and nobody approves their own request."""
    require_perm(actor, "customers.approve_preference")
    require_in_scope(actor, preference.customer)
    preference = Preference.objects.select_for_update().get(pk=preference.pk)
    if preference.state != PreferenceState.PENDING:
        raise PreferenceNotAllowed(state=preference.get_state_display(), step=_("decided"))
    if preference.requested_by_id == actor.pk:
        raise OwnRequest()
    if LEVEL_ORDER.index(_actor_level(actor)) < LEVEL_ORDER.index(preference.approval_level):
        raise ApprovalLevelTooLow(level=ApprovalLevel(preference.approval_level).label)
    if not approve and not note.strip():
        raise ReasonRequired()
    before = snapshot(preference, ("state",))
    preference.state = PreferenceState.APPROVED if approve else PreferenceState.REJECTED
    preference.decided_by, preference.decided_at, preference.decision_note = actor, timezone.now(), note
    preference.save(update_fields=["state", "decided_by", "decided_at", "decision_note", "updated_at"])
    audit_record(
        actor=actor, action="customers.preference_approve" if approve else "customers.preference_reject",
        target=preference, before=before, after=snapshot(preference, ("state",)), reason=note,
    )
    return preference


@transaction.atomic
def preference_withdraw(*, actor: Any, preference: Preference, reason: str = "") -> Preference:
    _child_write(actor, preference.customer, "customers.add_preference")
    preference = Preference.objects.select_for_update().get(pk=preference.pk)
    if preference.state not in (PreferenceState.DRAFT, PreferenceState.PENDING):
        raise PreferenceNotAllowed(state=preference.get_state_display(), step=_("withdrawn"))
    before = snapshot(preference, ("state",))
    preference.state = PreferenceState.WITHDRAWN
    preference.save(update_fields=["state", "updated_at"])
    audit_record(actor=actor, action="customers.preference_withdraw", target=preference, before=before, after=snapshot(preference, ("state",)), reason=reason)
    return preference


CARE_FIELDS = ("kind", "title", "happened_on", "attendees", "content", "outcome", "satisfaction")


@transaction.atomic
def care_record_add(*, actor: Any, customer: Customer, **values: Any) -> CareRecord:
    """Record a training given to the customer or feedback received from it (CUS-13)."""
    customer = _child_write(actor, customer, "customers.add_carerecord")
    record = CareRecord(customer=customer, recorded_by=getattr(actor, "staff", None), **values)
    return _save_child(record, actor=actor, action="customers.care_record_add", fields=CARE_FIELDS, before=None)


# --- Level configuration (CUS-07) ------------------------------------------------------------

LEVEL_FIELDS = ("code", "name", "rank", "min_monthly_revenue", "min_tenure_months", "service_standard", "tariff_notes")


@transaction.atomic
def level_category_save(*, actor: Any, category: LevelCategory | None = None, **values: Any) -> LevelCategory:
    """Add or change a level category (客户类别) and the customer types it covers."""
    require_perm(actor, "customers.change_level")
    unknown_types = set(values.get("customer_types", [])) - set(CustomerType.values)
    if unknown_types:
        raise InvalidInput(_("customer_types: unknown customer type %(types)s.") % {"types": ", ".join(sorted(unknown_types))})
    # A customer type belongs to one category, or its level would be ambiguous.
    overlap = [
        c for c in LevelCategory.objects.exclude(pk=getattr(category, "pk", None))
        if set(c.customer_types) & set(values.get("customer_types", []))
    ]
    if overlap:
        raise InvalidInput(
            _("customer_types: %(category)s already covers some of these customer types.") % {"category": overlap[0].name}
        )
    before = snapshot(category, ("code", "name", "customer_types")) if category else None
    if category is None:
        if LevelCategory.objects.filter(code=values.get("code")).exists():
            raise Conflict(_("A level category with code %(code)s already exists.") % {"code": values.get("code")})
        category = LevelCategory(**values)
    else:
        category = LevelCategory.objects.select_for_update().get(pk=category.pk)
        for field, value in values.items():
            setattr(category, field, value)
    category.save()
    audit_record(actor=actor, action="customers.level_category_save", target=category, before=before, after=snapshot(category, ("code", "name", "customer_types")))
    return category


@transaction.atomic
def level_save(*, actor: Any, category: LevelCategory, level: Level | None = None, **values: Any) -> Level:
    """Add or change a level: its rank, thresholds and entitlements. Ranks are unique within
    a category; a higher level (smaller rank) must not ask less than a lower one."""
    require_perm(actor, "customers.change_level")
    if level is not None:
        level = Level.objects.select_for_update().get(pk=level.pk)
        before = snapshot(level, LEVEL_FIELDS)
        for field, value in values.items():
            setattr(level, field, value)
    else:
        before = None
        level = Level(category=category, **values)
    others = Level.objects.filter(category=category).exclude(pk=level.pk)
    if others.filter(rank=level.rank).exists():
        raise Conflict(_("rank: another level of this category has rank %(rank)s.") % {"rank": level.rank})
    if others.filter(code=level.code).exists():
        raise Conflict(_("code: another level of this category has code %(code)s.") % {"code": level.code})
    higher = others.filter(rank__lt=level.rank, min_monthly_revenue__lt=level.min_monthly_revenue).first()
    lower = others.filter(rank__gt=level.rank, min_monthly_revenue__gt=level.min_monthly_revenue).first()
    if higher or lower:
        raise InvalidInput(
            _("min_monthly_revenue: a higher level cannot ask less revenue than a lower one (see %(other)s).")
            % {"other": (higher or lower).name}
        )
    level.save()
    audit_record(actor=actor, action="customers.level_save", target=level, before=before, after=snapshot(level, LEVEL_FIELDS))
    return level


def contracts_expiry_warn(*, today: datetime.date | None = None) -> int:
    """Daily: tell each contract's account manager, by e-mail and SMS, that it ends within
    the warning window (CUS-09, INT-04). One message per contract, channel and end date:
    running it every day warns once."""
    from kams.customers.selectors import contracts_expiring
    from kams.notify.services import notify
    from kams.system.parameters import param

    today = today or timezone.localdate()
    days = param("customers.contract_expiry_warning_days")
    due = contracts_expiring(None, within_days=days, today=today, unscoped=True).select_related(
        "customer__account_manager", "customer__org_unit"
    )
    sent = 0
    for contract in due:
        manager = contract.customer.account_manager
        if manager is None:
            continue
        text = _("Contract %(no)s “%(title)s” of %(customer)s ends on %(date)s.") % {
            "no": contract.contract_no, "title": contract.title, "customer": contract.customer.name,
            "date": contract.valid_to.isoformat(),
        }
        for channel, address in (("email", manager.email), ("sms", manager.mobile)):
            if not address:
                continue
            _message, created = notify(
                channel=channel, recipient=address, recipient_name=manager.name, subject=_("Contract ending soon"),
                body=text, purpose="contract_expiry", org_unit=contract.customer.org_unit, owner=manager, target=contract,
                idempotency_key=f"contract-expiry:{contract.pk}:{contract.valid_to:%Y%m%d}:{channel}",
            )
            sent += created
    return sent
