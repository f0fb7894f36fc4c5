"""Test support that every domain reuses: a small province, people in each role, API
clients, and ``assert_scoped`` — the parametrised proof that an endpoint keeps to ORG-03.

Loaded as a pytest plugin by the root ``conftest.py``, so any test may ask for the
``province`` fixture and ``api_client_for`` / ``page_client_for``.

    def test_customers_are_scoped(province, api_client_for):
        assert_scoped(
            api_client_for,
            list_url="/api/v1/customers/",
            detail_url=lambda c: f"/api/v1/customers/{c.pk}/",
            objects={"nj": nj_customer, "sz": sz_customer},
            expected={"nj_manager1": {"nj"}, "nj_director": {"nj"}, "js_director": {"nj", "sz"}},
        )
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import pytest
from django.contrib.auth import get_user_model

from kams.org.builtin_roles import ensure_builtin_roles_now
from kams.org.enums import RoleCode, UnitKind
from kams.org.models import OrgUnit, Role, Staff
from kams.org.services import sync_login_rights

TEST_PASSWORD = "Test-pass-2026"


@dataclass
class Province:
    """A small Jiangsu: HQ → JS → NJ (centre, two teams, two districts), SZ (centre, team,
    district), ZJ (one district), with the demo's named people."""

    units: dict[str, OrgUnit] = field(default_factory=dict)
    staff: dict[str, Staff] = field(default_factory=dict)

    def user(self, username: str):
        return self.staff[username].user


def make_staff(
    username: str, unit: OrgUnit, roles: tuple[str, ...] = (), *, name: str | None = None, employee_no: str | None = None
) -> Staff:
    """A person with a login, an operator ID and roles, their groups in step with the roles."""
    User = get_user_model()
    user = User.objects.create_user(username=username, password=TEST_PASSWORD, first_name=name or username)
    staff = Staff.objects.create(
        user=user,
        employee_no=employee_no or f"T{user.pk:05d}",
        name=name or username,
        org_unit=unit,
    )
    staff.roles.set(Role.objects.filter(code__in=roles))
    sync_login_rights(staff)
    return staff


def build_province() -> Province:
    ensure_builtin_roles_now()  # a transactional test before this one may have flushed them
    p = Province()
    hq = OrgUnit.objects.add_root(dict(code="HQ", name="总部", kind=UnitKind.HQ))
    js = OrgUnit.objects.add_child(hq, dict(code="JS", name="江苏省公司", kind=UnitKind.PROVINCE))
    u = p.units
    u.update(HQ=hq, JS=js)
    u["JS-JKB"] = OrgUnit.objects.add_child(js, dict(code="JS-JKB", name="集团客户部", kind=UnitKind.DEPARTMENT))
    u["JS-IT"] = OrgUnit.objects.add_child(js, dict(code="JS-IT", name="信息技术部", kind=UnitKind.DEPARTMENT))
    for city, name in (("NJ", "南京分公司"), ("SZ", "苏州分公司"), ("ZJ", "镇江分公司")):
        u[city] = OrgUnit.objects.add_child(js, dict(code=city, name=name, kind=UnitKind.CITY))
        u[f"{city}-DKH"] = OrgUnit.objects.add_child(u[city], dict(code=f"{city}-DKH", name=f"{name}大客户中心", kind=UnitKind.DEPARTMENT))
        u[f"{city}-DKH-T1"] = OrgUnit.objects.add_child(u[f"{city}-DKH"], dict(code=f"{city}-DKH-T1", name="客户经理一组", kind=UnitKind.TEAM))
        u[f"{city}-D01"] = OrgUnit.objects.add_child(u[city], dict(code=f"{city}-D01", name=f"{city}一区", kind=UnitKind.DISTRICT))
    u["NJ-D02"] = OrgUnit.objects.add_child(u["NJ"], dict(code="NJ-D02", name="NJ二区", kind=UnitKind.DISTRICT))

    s = p.staff
    s["admin"] = make_staff("admin", u["JS-IT"], (RoleCode.SYSADMIN,), name="系统管理员")
    s["js_director"] = make_staff("js_director", u["JS-JKB"], (RoleCode.PROVINCE_DIRECTOR,), name="王建国")
    s["nj_director"] = make_staff("nj_director", u["NJ-DKH"], (RoleCode.DIRECTOR,), name="李明华")
    s["nj_manager1"] = make_staff("nj_manager1", u["NJ-DKH-T1"], (RoleCode.ACCOUNT_MANAGER,), name="张晓燕")
    s["nj_manager2"] = make_staff("nj_manager2", u["NJ-DKH-T1"], (RoleCode.ACCOUNT_MANAGER,), name="陈志强")
    s["sz_manager1"] = make_staff("sz_manager1", u["SZ-DKH-T1"], (RoleCode.ACCOUNT_MANAGER,), name="周婷")
    s["sz_director"] = make_staff("sz_director", u["SZ-DKH"], (RoleCode.DIRECTOR,), name="孙伟")
    s["nj_district_manager"] = make_staff("nj_district_manager", u["NJ-D01"], (RoleCode.ACCOUNT_MANAGER,), name="吴军")
    s["norole"] = make_staff("norole", u["NJ-DKH"], (), name="无角色")
    # 区县群组权限: the Nanjing director also oversees a Zhenjiang district.
    s["nj_director"].extra_units.add(u["ZJ-D01"])
    return p


@pytest.fixture
def province(db) -> Province:
    return build_province()


@pytest.fixture
def api_client_for(province) -> Callable[[str | None], Any]:
    """``api_client_for("nj_director")`` → a DRF client authenticated as that person;
    ``api_client_for(None)`` → an anonymous one."""
    from rest_framework.test import APIClient

    def make(username: str | None):
        client = APIClient()
        if username:
            client.force_authenticate(province.user(username))
        return client

    return make


@pytest.fixture
def page_client_for(province) -> Callable[[str], Any]:
    """``page_client_for("nj_director")`` → a Django test client logged in by session."""
    from django.test import Client

    def make(username: str):
        client = Client()
        client.force_login(province.user(username))
        return client

    return make


def result_rows(response) -> list[dict]:
    data = response.json()
    return data["results"] if isinstance(data, dict) and "results" in data else data


def assert_scoped(
    client_for: Callable[[str], Any],
    *,
    list_url: str,
    detail_url: Callable[[Any], str],
    objects: dict[str, Any],
    expected: dict[str, set[str]],
    id_of: Callable[[dict], Any] = lambda row: row["id"],
    list_params: dict | None = None,
) -> None:
    """For each user in ``expected``: the list holds exactly the expected ones of
    ``objects`` (other rows may exist, but none of the unexpected ``objects``), each expected
    detail answers 200 and every other one 404 — never 403, so nothing leaks. ``list_params``
    replaces the default ``page_size=500`` (TMF lists page with ``limit``)."""
    for username, visible in expected.items():
        client = client_for(username)
        response = client.get(list_url, {"page_size": 500} if list_params is None else list_params)
        assert response.status_code == 200, (username, response.status_code, response.content[:300])
        listed = {str(id_of(row)) for row in result_rows(response)}
        for key, obj in objects.items():
            should_see = key in visible
            assert (str(obj.pk) in listed) == should_see, f"{username} list {'lacks' if should_see else 'shows'} {key}"
            status = client.get(detail_url(obj)).status_code
            assert status == (200 if should_see else 404), f"{username} detail of {key}: {status}"
