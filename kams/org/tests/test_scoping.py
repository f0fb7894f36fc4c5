"""ORG-03: who sees what, proved on the staff and audit endpoints and pages."""

import pytest
from django.db import transaction

from kams.audit.services import audit_record
from kams.org.models import Staff
from kams.org.scoping import EMPTY_SCOPE, scope_for
from kams.org.testing import assert_scoped

pytestmark = pytest.mark.django_db


def test_scope_for_account_manager_is_own_records_in_city(province):
    scope = scope_for(province.user("nj_manager1"))

    assert scope.own_only is True
    assert scope.prefixes == (province.units["NJ"].path,)
    assert scope.staff_id == province.staff["nj_manager1"].pk


def test_scope_for_director_is_city_subtree_plus_district_group(province):
    scope = scope_for(province.user("nj_director"))

    assert scope.own_only is False
    assert set(scope.prefixes) == {province.units["NJ"].path, province.units["ZJ-D01"].path}


def test_scope_for_province_director_is_the_province(province):
    scope = scope_for(province.user("js_director"))

    assert scope.prefixes == (province.units["JS"].path,)
    assert not scope.unrestricted


def test_scope_for_person_without_roles_is_empty(province):
    assert scope_for(province.user("norole")) == EMPTY_SCOPE


def test_scope_for_inactive_staff_is_empty(province):
    Staff.objects.filter(pk=province.staff["nj_director"].pk).update(is_active=False)

    assert scope_for(province.user("nj_director")) == EMPTY_SCOPE


def test_scope_for_superuser_is_unrestricted(django_user_model):
    root = django_user_model.objects.create_superuser("root", password="x")

    assert scope_for(root).unrestricted


def test_staff_api_is_scoped(province, api_client_for):
    s = province.staff
    assert_scoped(
        api_client_for,
        list_url="/api/v1/org/staff/",
        detail_url=lambda obj: f"/api/v1/org/staff/{obj.pk}/",
        objects={"nj_manager2": s["nj_manager2"], "sz_manager1": s["sz_manager1"], "js_director": s["js_director"]},
        expected={
            "nj_director": {"nj_manager2"},
            "nj_manager1": {"nj_manager2"},  # staff records have no owner: colleagues of the city
            "sz_director": {"sz_manager1"},
            "js_director": {"nj_manager2", "sz_manager1", "js_director"},
            "admin": {"nj_manager2", "sz_manager1", "js_director"},
        },
    )


def _entry(actor, unit, action):
    with transaction.atomic():
        return audit_record(actor=actor, action=action, org_unit=unit, target_repr=action)


def test_audit_api_is_scoped_to_own_unit_and_own_records(province, api_client_for):
    u, p = province.units, province
    entries = {
        "nj_mine": _entry(p.user("nj_manager1"), u["NJ-DKH-T1"], "test.nj_mine"),
        "nj_colleague": _entry(p.user("nj_manager2"), u["NJ-DKH-T1"], "test.nj_colleague"),
        "zj_district": _entry(p.user("admin"), u["ZJ-D01"], "test.zj"),
        "sz": _entry(p.user("sz_manager1"), u["SZ-DKH-T1"], "test.sz"),
        "province": _entry(p.user("js_director"), u["JS-JKB"], "test.province"),
    }
    assert_scoped(
        api_client_for,
        list_url="/api/v1/audit/entries/",
        detail_url=lambda obj: f"/api/v1/audit/entries/{obj.pk}/",
        objects=entries,
        expected={
            "nj_manager1": {"nj_mine"},
            "nj_director": {"nj_mine", "nj_colleague", "zj_district"},
            "sz_director": {"sz"},
            "js_director": set(entries),
        },
    )


def test_staff_page_list_detail_and_export_are_scoped(province, page_client_for):
    client = page_client_for("nj_director")
    sz = province.staff["sz_manager1"]

    listing = client.get("/org/staff/").content.decode()
    assert "陈志强" in listing and "周婷" not in listing
    assert client.get(f"/org/staff/{sz.pk}/").status_code == 404
    assert client.get(f"/org/staff/{province.staff['nj_manager2'].pk}/").status_code == 200

    export = client.get("/org/staff/", {"export": "xlsx"})
    from io import BytesIO

    from openpyxl import load_workbook

    rows = list(load_workbook(BytesIO(b"".join(export.streaming_content))).active.iter_rows(values_only=True))
    names = {row[1] for row in rows[1:]}
    assert "陈志强" in names and "周婷" not in names
    assert len(rows) - 1 == Staff.objects.filter(org_unit__path__startswith=province.units["NJ"].path).count()


def test_filter_by_unit_outside_scope_is_rejected_not_widened(province, page_client_for):
    client = page_client_for("nj_director")

    body = client.get("/org/staff/", {"unit": province.units["SZ"].pk}).content.decode()

    assert "周婷" not in body


@pytest.mark.parametrize(
    "username,expected",
    [(None, 403), ("norole", 403), ("nj_manager1", 200)],
)
def test_staff_api_requires_login_and_view_permission(province, api_client_for, username, expected):
    response = api_client_for(username).get("/api/v1/org/staff/")

    assert response.status_code in ((401, 403) if expected == 403 and username is None else (expected,))
    if expected != 200:
        assert set(response.json()) >= {"code", "reason", "message", "status"}
