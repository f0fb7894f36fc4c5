"""ORG-01/02/04 writes: each checks permission and scope, is atomic and audited."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from kams.audit.models import AuditEntry
from kams.core.errors import Conflict, InvalidInput
from kams.org import services
from kams.org.enums import RoleCode, UnitKind
from kams.org.errors import OrgUnitHasMembers, RoleTooWide, UnitKindNotAllowed
from kams.org.models import OrgUnit, Role, Staff

pytestmark = pytest.mark.django_db


def _role(code):
    return Role.objects.get(code=code)


def test_staff_create_by_director_in_own_city_is_recorded(province):
    director = province.user("nj_director")

    staff = services.staff_create(
        actor=director,
        username="nj_new",
        employee_no="NJ9001",
        name="钱多多",
        org_unit=province.units["NJ-DKH-T1"],
        roles=[_role(RoleCode.ACCOUNT_MANAGER)],
        password="Strong-pass-42",
    )

    assert staff.user.check_password("Strong-pass-42")
    assert list(staff.user.groups.values_list("name", flat=True)) == ["role:account_manager"]
    entry = AuditEntry.objects.get(action="org.staff_create", target_id=str(staff.pk))
    assert entry.actor_staff == province.staff["nj_director"]
    assert entry.org_unit == province.units["NJ-DKH-T1"]
    assert entry.after["employee_no"] == "NJ9001"
    assert entry.after["roles"] == ["客户经理"]


def test_staff_create_in_other_city_is_not_found_and_changes_nothing(province):
    before = (Staff.objects.count(), AuditEntry.objects.count())

    with pytest.raises(Http404):
        services.staff_create(
            actor=province.user("nj_director"),
            username="sneaky",
            employee_no="SZ9001",
            name="某人",
            org_unit=province.units["SZ-DKH"],
        )

    assert (Staff.objects.count(), AuditEntry.objects.count()) == before


def test_staff_create_with_wider_role_than_own_is_refused(province):
    with pytest.raises(RoleTooWide):
        services.staff_create(
            actor=province.user("nj_director"),
            username="wide",
            employee_no="NJ9002",
            name="某人",
            org_unit=province.units["NJ-DKH"],
            roles=[_role(RoleCode.SYSADMIN)],
        )

    assert not Staff.objects.filter(employee_no="NJ9002").exists()


def test_staff_create_without_permission_is_refused(province):
    with pytest.raises(PermissionDenied):
        services.staff_create(
            actor=province.user("nj_manager1"),
            username="x1",
            employee_no="NJ9003",
            name="某人",
            org_unit=province.units["NJ-DKH"],
        )


@pytest.mark.parametrize("field,value", [("username", "NJ_MANAGER1"), ("employee_no", None)])
def test_staff_create_duplicate_is_a_conflict(province, field, value):
    existing = province.staff["nj_manager1"]
    kwargs = {"username": "fresh", "employee_no": "NJ9004"}
    kwargs[field] = value or existing.employee_no

    with pytest.raises(Conflict):
        services.staff_create(
            actor=province.user("admin"), name="某人", org_unit=province.units["NJ-DKH"], **kwargs
        )

    assert not Staff.objects.filter(name="某人").exists()


def test_staff_create_with_weak_password_is_refused(province):
    with pytest.raises(InvalidInput) as info:
        services.staff_create(
            actor=province.user("admin"),
            username="weak",
            employee_no="NJ9005",
            name="某人",
            org_unit=province.units["NJ-DKH"],
            password="12345678",
        )

    assert "password" in info.value.text.lower() or "密码" in info.value.text
    assert not Staff.objects.filter(employee_no="NJ9005").exists()


def test_staff_update_changes_roles_and_groups_with_before_after(province):
    staff = province.staff["nj_manager2"]

    services.staff_update(
        actor=province.user("nj_director"),
        staff=staff,
        name=staff.name,
        org_unit=province.units["NJ-D01"],
        roles=[_role(RoleCode.CUSTOMER_REP)],
        mobile="13900000000",
        reason="轮岗",
    )

    staff.refresh_from_db()
    assert staff.org_unit == province.units["NJ-D01"]
    assert list(staff.user.groups.values_list("name", flat=True)) == ["role:customer_rep"]
    entry = AuditEntry.objects.get(action="org.staff_update")
    assert entry.before["roles"] == ["客户经理"] and entry.after["roles"] == ["客户代表"]
    assert entry.before["mobile"] == "" and entry.after["mobile"] == "13900000000"
    assert entry.reason == "轮岗"


def test_staff_update_deactivation_blocks_login(province, client):
    services.staff_update(
        actor=province.user("admin"),
        staff=province.staff["nj_manager2"],
        name="陈志强",
        org_unit=province.units["NJ-DKH-T1"],
        roles=[],
        is_active=False,
    )

    response = client.post("/accounts/login/", {"username": "nj_manager2", "password": "Test-pass-2026"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_role_permission_edit_gives_holders_the_permission(province):
    manager = province.staff["nj_manager1"]
    role = _role(RoleCode.ACCOUNT_MANAGER)
    assert not manager.user.has_perm("system.view_jobrun")

    services.role_update(
        actor=province.user("admin"),
        role=role,
        name=role.name,
        data_scope=role.data_scope,
        permissions=[*services.permission_labels(role.group), "system.view_jobrun"],
    )

    from django.contrib.auth import get_user_model

    fresh = get_user_model().objects.get(pk=manager.user.pk)  # permission cache is per object
    assert fresh.has_perm("system.view_jobrun")
    entry = AuditEntry.objects.get(action="org.role_update")
    assert "system.view_jobrun" not in entry.before["permissions"]
    assert "system.view_jobrun" in entry.after["permissions"]


def test_role_update_with_unknown_permission_changes_nothing(province):
    role = _role(RoleCode.ACCOUNT_MANAGER)
    before = services.permission_labels(role.group)

    with pytest.raises(InvalidInput):
        services.role_update(
            actor=province.user("admin"),
            role=role,
            name="改名",
            data_scope=role.data_scope,
            permissions=["org.fly_to_moon"],
        )

    role.refresh_from_db()
    assert role.name == "客户经理" and services.permission_labels(role.group) == before


def test_org_unit_create_checks_kind_and_scope(province):
    admin = province.user("admin")
    unit = services.org_unit_create(
        actor=admin, parent=province.units["NJ"], code="NJ-D09", name="六合区", kind=UnitKind.DISTRICT
    )
    assert OrgUnit.objects.get_parent(unit) == province.units["NJ"]
    assert OrgUnit.objects.subtree_of(province.units["JS"]).filter(pk=unit.pk).exists()

    with pytest.raises(UnitKindNotAllowed):
        services.org_unit_create(
            actor=admin, parent=province.units["NJ-D01"], code="X1", name="错", kind=UnitKind.CITY
        )
    with pytest.raises(Conflict):
        services.org_unit_create(actor=admin, parent=province.units["NJ"], code="NJ-D09", name="重", kind="district")


def test_org_unit_deactivation_with_active_staff_is_refused(province):
    with pytest.raises(OrgUnitHasMembers):
        services.org_unit_update(actor=province.user("admin"), unit=province.units["NJ"], name="南京", is_active=False)

    province.units["NJ"].refresh_from_db()
    assert province.units["NJ"].is_active is True


def test_subtree_is_one_query(province, django_assert_num_queries):
    with django_assert_num_queries(1):
        codes = set(OrgUnit.objects.subtree_of(province.units["NJ"]).values_list("code", flat=True))

    assert codes == {"NJ", "NJ-DKH", "NJ-DKH-T1", "NJ-D01", "NJ-D02"}
