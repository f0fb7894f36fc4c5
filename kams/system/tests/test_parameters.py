"""ORG-06: typed parameters, validated, with history, read through one accessor."""

import pytest
from django.core.exceptions import PermissionDenied

from kams.audit.models import AuditEntry
from kams.core.errors import InvalidInput
from kams.system.models import ParameterChange, SystemParameter
from kams.system.parameters import param
from kams.system.services import parameter_set

pytestmark = pytest.mark.django_db


def test_param_is_the_default_until_changed(province):
    assert param("security.login_failure_limit") == 5

    value = parameter_set(actor=province.user("admin"), key="security.login_failure_limit", value="3", reason="等保要求")

    assert value == 3 and param("security.login_failure_limit") == 3
    change = ParameterChange.objects.get()
    assert (change.old_value, change.new_value, change.reason) == (5, 3, "等保要求")
    entry = AuditEntry.objects.get(action="system.parameter_set")
    assert entry.before == {"security.login_failure_limit": 5} and entry.after == {"security.login_failure_limit": 3}


@pytest.mark.parametrize(
    "key,value",
    [
        ("security.login_failure_limit", "abc"),
        ("security.login_failure_limit", "0"),
        ("security.login_failure_limit", "21"),
        ("security.login_failure_limit", 2.5),
        ("security.admins_require_second_factor", "maybe"),
        ("no.such.parameter", "1"),
    ],
)
def test_parameter_set_bad_value_changes_nothing(province, key, value):
    with pytest.raises(InvalidInput):
        parameter_set(actor=province.user("admin"), key=key, value=value)

    assert not SystemParameter.objects.exists()
    assert not ParameterChange.objects.exists()
    assert not AuditEntry.objects.filter(action="system.parameter_set").exists()


def test_parameter_set_needs_permission(province):
    with pytest.raises(PermissionDenied):
        parameter_set(actor=province.user("js_director"), key="ui.page_size", value=50)

    assert param("ui.page_size") == 25


def test_parameter_set_to_the_same_value_records_nothing(province):
    parameter_set(actor=province.user("admin"), key="ui.page_size", value=25)

    assert not ParameterChange.objects.exists()


def test_parameters_page_edit_and_history(province, page_client_for):
    client = page_client_for("admin")

    bad = client.post("/system/parameters/ui.page_size/", {"value": "5", "reason": "试试"})
    assert bad.status_code == 200 and param("ui.page_size") == 25

    ok = client.post("/system/parameters/ui.page_size/", {"value": "50", "reason": "每页更多"})
    assert ok.status_code == 302 and param("ui.page_size") == 50
    page = client.get("/system/parameters/").content.decode()
    assert "每页更多" in page


def test_parameters_api_lists_and_patches(province, api_client_for):
    client = api_client_for("admin")

    rows = {r["key"]: r for r in client.get("/api/v1/system/parameters/").json()}
    assert rows["security.session_idle_minutes"]["value"] == 480

    response = client.patch(
        "/api/v1/system/parameters/security.session_idle_minutes/", {"value": 60, "reason": "缩短"}, format="json"
    )
    assert response.status_code == 200 and response.json()["value"] == 60

    bad = client.patch("/api/v1/system/parameters/security.session_idle_minutes/", {"value": 1}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "kams.invalid_input"
    assert param("security.session_idle_minutes") == 60


def test_parameters_api_is_forbidden_without_permission(province, api_client_for):
    assert api_client_for("nj_manager1").get("/api/v1/system/parameters/").status_code == 403


def test_page_size_parameter_drives_list_paging(province, page_client_for):
    client = page_client_for("admin")
    parameter_set(actor=province.user("admin"), key="ui.page_size", value=10)

    page = client.get("/org/staff/").context["page_obj"]

    assert page.paginator.per_page == 10
