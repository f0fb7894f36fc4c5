"""Writes of the organisation domain (ORG-01, ORG-02, ORG-04).

Each function checks the actor's permission and scope, runs in one transaction and writes
the audit log. Views and the API call these; nothing else writes org tables.
"""

from typing import Any, Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from kams.audit.services import audit_record, snapshot
from kams.core.errors import Conflict, InvalidInput
from kams.org.enums import ALLOWED_CHILDREN, DataScope, RoleCode, UnitKind
from kams.org.errors import (
    OrgUnitHasMembers,
    RoleInUse,
    RoleTooWide,
    UnitKindNotAllowed,
)
from kams.org.models import OrgUnit, Role, Staff
from kams.org.scoping import require_in_scope, require_perm, scope_for

UNIT_FIELDS = ("code", "name", "kind", "is_active")
STAFF_FIELDS = ("employee_no", "name", "org_unit", "mobile", "email", "is_active", "roles", "extra_units")
ROLE_FIELDS = ("code", "name", "description", "data_scope")

User = get_user_model()


# --- Org units ------------------------------------------------------------------------------


@transaction.atomic
def org_unit_create(
    *, actor: Any, parent: OrgUnit | None, code: str, name: str, kind: str
) -> OrgUnit:
    """Add a unit under ``parent`` (``None`` adds a root: headquarters or a province)."""
    require_perm(actor, "org.add_orgunit")
    if parent is None:
        if not scope_for(actor).unrestricted:
            raise PermissionDenied
        if kind not in (UnitKind.HQ, UnitKind.PROVINCE):
            raise UnitKindNotAllowed(parent=_("top level"), kind=UnitKind(kind).label)
    else:
        require_in_scope(actor, parent)
        if kind not in ALLOWED_CHILDREN[parent.kind]:
            raise UnitKindNotAllowed(parent=parent.get_kind_display(), kind=UnitKind(kind).label)
    if OrgUnit.objects.filter(code=code).exists():
        raise Conflict(_("An org unit with code %(code)s already exists.") % {"code": code})
    fields = {"code": code, "name": name, "kind": kind}
    unit = OrgUnit.objects.add_child(parent, fields) if parent else OrgUnit.objects.add_root(fields)
    audit_record(actor=actor, action="org.unit_create", target=unit, after=snapshot(unit, UNIT_FIELDS))
    return unit


@transaction.atomic
def org_unit_update(*, actor: Any, unit: OrgUnit, name: str, is_active: bool) -> OrgUnit:
    require_perm(actor, "org.change_orgunit")
    require_in_scope(actor, unit)
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    before = snapshot(unit, UNIT_FIELDS)
    if not is_active and unit.is_active:
        has_staff = Staff.objects.filter(org_unit__path__startswith=unit.path, is_active=True).exists()
        if has_staff:
            raise OrgUnitHasMembers()
    unit.name = name
    unit.is_active = is_active
    unit.save(update_fields=["name", "is_active", "updated_at"])
    audit_record(
        actor=actor, action="org.unit_update", target=unit, before=before, after=snapshot(unit, UNIT_FIELDS)
    )
    return unit


# --- Roles and their permission sets (ORG-04) ------------------------------------------------


def _permissions_from_labels(labels: Iterable[str]) -> list[Permission]:
    wanted = set(labels)
    if not wanted:
        return []
    condition = Q(pk__in=[])
    for label in wanted:
        app_label, _sep, codename = label.partition(".")
        if not codename:
            raise InvalidInput(_("Unknown permission %(perm)s.") % {"perm": label})
        condition |= Q(content_type__app_label=app_label, codename=codename)
    found = list(Permission.objects.filter(condition).select_related("content_type"))
    missing = wanted - {f"{p.content_type.app_label}.{p.codename}" for p in found}
    if missing:
        raise InvalidInput(_("Unknown permission %(perm)s.") % {"perm": ", ".join(sorted(missing))})
    return found


def permission_labels(group: Group) -> list[str]:
    return sorted(
        f"{app}.{code}" for app, code in group.permissions.values_list("content_type__app_label", "codename")
    )


@transaction.atomic
def role_create(
    *, actor: Any, code: str, name: str, data_scope: str, description: str = "", permissions: Iterable[str] = ()
) -> Role:
    require_perm(actor, "org.add_role")
    if Role.objects.filter(code=code).exists() or Group.objects.filter(name=f"role:{code}").exists():
        raise Conflict(_("A role with code %(code)s already exists.") % {"code": code})
    perms = _permissions_from_labels(permissions)
    group = Group.objects.create(name=f"role:{code}")
    group.permissions.set(perms)
    role = Role.objects.create(code=code, name=name, data_scope=data_scope, description=description, group=group)
    audit_record(
        actor=actor,
        action="org.role_create",
        target=role,
        after={**snapshot(role, ROLE_FIELDS), "permissions": permission_labels(group)},
    )
    return role


@transaction.atomic
def role_update(
    *,
    actor: Any,
    role: Role,
    name: str,
    data_scope: str,
    description: str = "",
    permissions: Iterable[str] | None = None,
) -> Role:
    """Change a role, and its permission set when ``permissions`` is given."""
    require_perm(actor, "org.change_role")
    role = Role.objects.select_for_update().select_related("group").get(pk=role.pk)
    before = {**snapshot(role, ROLE_FIELDS), "permissions": permission_labels(role.group)}
    perms = _permissions_from_labels(permissions) if permissions is not None else None
    role.name, role.data_scope, role.description = name, data_scope, description
    role.save(update_fields=["name", "data_scope", "description"])
    if perms is not None:
        role.group.permissions.set(perms)
    after = {**snapshot(role, ROLE_FIELDS), "permissions": permission_labels(role.group)}
    audit_record(actor=actor, action="org.role_update", target=role, before=before, after=after)
    return role


@transaction.atomic
def role_delete(*, actor: Any, role: Role) -> None:
    require_perm(actor, "org.delete_role")
    if role.is_system:
        raise RoleInUse(_("Built-in roles cannot be deleted."))
    if role.staff.exists():
        raise RoleInUse()
    before = {**snapshot(role, ROLE_FIELDS), "permissions": permission_labels(role.group)}
    group = role.group
    audit_record(actor=actor, action="org.role_delete", target=role, before=before)
    role.delete()
    group.delete()


# --- Staff (ORG-02) ----------------------------------------------------------------------------


def _check_grantable(actor: Any, roles: Iterable[Role]) -> None:
    """Nobody hands out a role that sees further than they do themselves."""
    scope = scope_for(actor)
    if scope.unrestricted:
        return
    own = DataScope.rank(scope.label) if scope.label in DataScope.values else -1
    for role in roles:
        if DataScope.rank(role.data_scope) > own:
            raise RoleTooWide(role=role.name)


def sync_login_rights(staff: Staff) -> None:
    """Keep the login's groups (its permissions) and admin-site access in step with the
    roles. Caller holds the transaction."""
    roles = list(staff.roles.all())
    user = staff.user
    user.groups.set([r.group_id for r in roles])
    is_admin = any(r.code == RoleCode.SYSADMIN for r in roles)
    if user.is_staff != is_admin:
        user.is_staff = is_admin
        user.save(update_fields=["is_staff"])


def _clean_password(password: str, user: Any) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages)) from None


@transaction.atomic
def staff_create(
    *,
    actor: Any,
    username: str,
    employee_no: str,
    name: str,
    org_unit: OrgUnit,
    roles: Iterable[Role] = (),
    extra_units: Iterable[OrgUnit] = (),
    mobile: str = "",
    email: str = "",
    password: str | None = None,
) -> Staff:
    """Register a person with a login and an operator ID (工号)."""
    require_perm(actor, "org.add_staff")
    require_in_scope(actor, org_unit)
    roles, extra_units = list(roles), list(extra_units)
    _check_grantable(actor, roles)
    for unit in extra_units:
        require_in_scope(actor, unit)
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict(_("The login name %(name)s is taken.") % {"name": username})
    if Staff.objects.filter(employee_no=employee_no).exists():
        raise Conflict(_("The operator ID %(no)s is taken.") % {"no": employee_no})
    user = User(username=username, email=email, first_name=name[:150])
    if password:
        _clean_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    try:
        user.save()
        staff = Staff.objects.create(
            user=user, employee_no=employee_no, name=name, org_unit=org_unit, mobile=mobile, email=email
        )
    except IntegrityError:
        raise Conflict() from None
    staff.roles.set(roles)
    staff.extra_units.set(extra_units)
    sync_login_rights(staff)
    audit_record(actor=actor, action="org.staff_create", target=staff, after=snapshot(staff, STAFF_FIELDS))
    return staff


@transaction.atomic
def staff_update(
    *,
    actor: Any,
    staff: Staff,
    name: str,
    org_unit: OrgUnit,
    roles: Iterable[Role],
    extra_units: Iterable[OrgUnit] = (),
    mobile: str = "",
    email: str = "",
    is_active: bool = True,
    reason: str = "",
) -> Staff:
    """Change a person's details, unit, roles and district group."""
    require_perm(actor, "org.change_staff")
    require_in_scope(actor, staff)
    require_in_scope(actor, org_unit)
    staff = Staff.objects.select_for_update().select_related("user").get(pk=staff.pk)
    roles, extra_units = list(roles), list(extra_units)
    added_roles = set(roles) - set(staff.roles.all())
    _check_grantable(actor, added_roles)
    for unit in set(extra_units) - set(staff.extra_units.all()):
        require_in_scope(actor, unit)
    if staff.user_id == getattr(actor, "pk", None) and not is_active:
        raise InvalidInput(_("You cannot deactivate yourself."))
    before = snapshot(staff, STAFF_FIELDS)
    staff.name, staff.org_unit, staff.mobile, staff.email, staff.is_active = (
        name,
        org_unit,
        mobile,
        email,
        is_active,
    )
    staff.save()
    staff.roles.set(roles)
    staff.extra_units.set(extra_units)
    sync_login_rights(staff)
    user = staff.user
    user.is_active = is_active
    user.email = email
    user.first_name = name[:150]
    user.save(update_fields=["is_active", "email", "first_name"])
    audit_record(
        actor=actor,
        action="org.staff_update",
        target=staff,
        before=before,
        after=snapshot(staff, STAFF_FIELDS),
        reason=reason,
    )
    return staff


@transaction.atomic
def staff_set_password(*, actor: Any, staff: Staff, password: str) -> None:
    """An administrator sets someone's password (the person changes it on first use)."""
    require_perm(actor, "org.change_staff")
    require_in_scope(actor, staff)
    user = staff.user
    _clean_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(actor=actor, action="org.staff_password_set", target=staff)

