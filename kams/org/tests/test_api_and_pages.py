import pytest

from kams.audit.models import AuditEntry
from kams.org.models import Role, Staff

pytestmark = pytest.mark.django_db


def test_api_staff_create_returns_201_and_is_audited(province, api_client_for):
    response = api_client_for("nj_director").post(
        "/api/v1/org/staff/",
        {
            "username": "api_new",
            "employee_no": "NJ7001",
            "name": "接口新人",
            "org_unit": province.units["NJ-DKH-T1"].pk,
            "roles": ["account_manager"],
            "mobile": "13812345678",
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["roles"] == ["account_manager"]
    assert AuditEntry.objects.filter(action="org.staff_create", target_id=str(response.json()["id"])).exists()


def test_api_staff_create_bad_input_is_400_with_error_body_and_changes_nothing(province, api_client_for):
    count = Staff.objects.count()

    response = api_client_for("nj_director").post(
        "/api/v1/org/staff/",
        {"username": "x", "employee_no": "NJ7002", "name": "坏", "org_unit": 999999, "mobile": "123"},
        format="json",
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and body["status"] == "400"
    assert set(body["fields"]) == {"username", "org_unit", "mobile"}
    assert Staff.objects.count() == count


def test_api_staff_create_in_other_city_is_404(province, api_client_for):
    response = api_client_for("nj_director").post(
        "/api/v1/org/staff/",
        {"username": "sz_x", "employee_no": "SZ7001", "name": "越权", "org_unit": province.units["SZ"].pk},
        format="json",
    )

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert not Staff.objects.filter(employee_no="SZ7001").exists()


def test_api_staff_patch_updates_only_given_fields(province, api_client_for):
    staff = province.staff["nj_manager2"]

    response = api_client_for("nj_director").patch(
        f"/api/v1/org/staff/{staff.pk}/", {"mobile": "13700000000"}, format="json"
    )

    assert response.status_code == 200, response.content
    staff.refresh_from_db()
    assert staff.mobile == "13700000000" and staff.name == "陈志强"
    assert list(staff.roles.values_list("code", flat=True)) == ["account_manager"]


def test_api_role_patch_changes_permission_set(province, api_client_for):
    role = Role.objects.get(code="customer_rep")

    response = api_client_for("admin").patch(
        f"/api/v1/org/roles/{role.pk}/", {"permissions": ["org.view_orgunit"]}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["permissions"] == ["org.view_orgunit"]


def test_api_role_patch_needs_change_role_permission(province, api_client_for):
    role = Role.objects.get(code="customer_rep")

    response = api_client_for("js_director").patch(f"/api/v1/org/roles/{role.pk}/", {"name": "x"}, format="json")

    assert response.status_code == 403
    role.refresh_from_db()
    assert role.name == "客户代表"


def test_api_units_lists_the_scope_in_tree_order(province, api_client_for):
    rows = api_client_for("sz_director").get("/api/v1/org/units/", {"page_size": 100}).json()["results"]

    assert [r["code"] for r in rows] == ["SZ", "SZ-DKH", "SZ-DKH-T1", "SZ-D01"]


def test_tree_page_shows_scope(province, page_client_for):
    body = page_client_for("nj_director").get("/org/").content.decode()

    assert "南京分公司" in body
    assert "ZJ一区" in body  # district group (区县群组权限)
    assert "苏州分公司" not in body


def test_staff_create_page_creates_and_redirects(province, page_client_for):
    client = page_client_for("nj_director")
    role = Role.objects.get(code="account_manager")

    response = client.post(
        "/org/staff/new/",
        {
            "username": "page_new",
            "employee_no": "NJ8001",
            "name": "页面新人",
            "org_unit": province.units["NJ-DKH-T1"].pk,
            "roles": [role.pk],
            "password": "Good-pass-2026",
        },
    )

    staff = Staff.objects.get(employee_no="NJ8001")
    assert response.status_code == 302 and response["Location"] == f"/org/staff/{staff.pk}/"
    detail = client.get(response["Location"]).content.decode()
    assert "页面新人" in detail and "org.staff_create" in detail


def test_staff_create_page_shows_service_error_and_keeps_form(province, page_client_for):
    client = page_client_for("nj_director")

    response = client.post(
        "/org/staff/new/",
        {"username": "nj_manager1", "employee_no": "NJ8002", "name": "重复", "org_unit": province.units["NJ-DKH"].pk},
    )

    assert response.status_code == 200
    assert "nj_manager1" in response.content.decode()
    assert not Staff.objects.filter(employee_no="NJ8002").exists()


def test_role_edit_page_saves_permissions(province, page_client_for):
    role = Role.objects.get(code="finance")

    response = page_client_for("admin").post(
        f"/org/roles/{role.pk}/edit/",
        {"name": "财务人员", "description": "", "data_scope": "unit", "permissions": ["org.view_orgunit", "audit.view_auditentry"]},
    )

    assert response.status_code == 302
    assert sorted(role.group.permissions.values_list("codename", flat=True)) == ["view_auditentry", "view_orgunit"]


def test_role_pages_are_forbidden_without_permission(province, page_client_for):
    role = Role.objects.get(code="finance")

    assert page_client_for("nj_director").get(f"/org/roles/{role.pk}/edit/").status_code == 403


def test_staff_password_page_sets_password_with_policy_and_audit(province, page_client_for):
    staff = province.staff["nj_manager2"]
    client = page_client_for("nj_director")

    weak = client.post(f"/org/staff/{staff.pk}/password/", {"password": "12345678", "password2": "12345678"})
    staff.user.refresh_from_db()
    assert weak.status_code == 200 and not staff.user.check_password("12345678")

    ok = client.post(f"/org/staff/{staff.pk}/password/", {"password": "Reset-pass-2026", "password2": "Reset-pass-2026"})
    staff.user.refresh_from_db()
    assert ok.status_code == 302 and staff.user.check_password("Reset-pass-2026")
    assert AuditEntry.objects.filter(action="org.staff_password_set", target_id=str(staff.pk)).count() == 1


def test_staff_password_page_for_other_city_is_404(province, page_client_for):
    sz = province.staff["sz_manager1"]

    response = page_client_for("nj_director").post(
        f"/org/staff/{sz.pk}/password/", {"password": "Reset-pass-2026", "password2": "Reset-pass-2026"}
    )

    assert response.status_code == 404
