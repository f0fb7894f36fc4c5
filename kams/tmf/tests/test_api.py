"""The TMF toolkit end to end, over a test-only TMF resource on ``OrgUnit``."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from kams.org.models import OrgUnit

pytestmark = [pytest.mark.django_db, pytest.mark.urls("kams.tmf.tests.urls")]

BASE = "/tmf-api/testManagement/v4/unit"
READ_ONLY = "/tmf-api/testManagement/v4/readOnlyUnit"
JSON = "application/json"
MERGE_PATCH = "application/merge-patch+json"
ERROR_KEYS = {"code", "reason", "message", "status"}


def _at(month: int) -> datetime.datetime:
    return datetime.datetime(2024, month, 1, tzinfo=datetime.UTC)


@pytest.fixture
def units() -> dict[str, OrgUnit]:
    """P1 ⊃ {C1, C2} and P2, created on the first of months 1, 2, 3 and 4 (UTC)."""
    p1 = OrgUnit.objects.add_root(dict(code="P1", name="Guangdong", kind="province"))
    c1 = OrgUnit.objects.add_child(p1, dict(code="C1", name="Guangzhou", kind="city"))
    p1.refresh_from_db()  # treebeard keeps the child count on the parent row
    c2 = OrgUnit.objects.add_child(p1, dict(code="C2", name="Shenzhen", kind="city", is_active=False))
    p2 = OrgUnit.objects.add_root(dict(code="P2", name="Hunan", kind="province"))
    for month, unit in enumerate([p1, c1, c2, p2], start=1):
        OrgUnit.objects.filter(pk=unit.pk).update(created_at=_at(month))
    return {unit.code: OrgUnit.objects.get(pk=unit.pk) for unit in (p1, c1, c2, p2)}


@pytest.fixture
def api(client: Client, django_user_model) -> Client:
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "pw"))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _codes(response) -> list[str]:
    return [item["code"] for item in response.json()]


def _assert_error(response, status: int, code: str) -> dict:
    body = response.json()
    assert response.status_code == status
    assert set(body) == ERROR_KEYS
    assert body["status"] == str(status)
    assert body["code"] == code
    return body


# --- paging ----------------------------------------------------------------------------------


def test_list_is_a_bare_array_with_count_headers(api, units):
    response = api.get(BASE)
    assert response.status_code == 200
    assert _codes(response) == ["P1", "C1", "C2", "P2"]
    assert response["X-Total-Count"] == "4"
    assert response["X-Result-Count"] == "4"


def test_offset_and_limit_select_a_page(api, units):
    response = api.get(BASE, {"offset": 1, "limit": 2})
    assert _codes(response) == ["C1", "C2"]
    assert response["X-Total-Count"] == "4"
    assert response["X-Result-Count"] == "2"


def test_offset_past_the_end_gives_an_empty_page(api, units):
    response = api.get(BASE, {"offset": 10})
    assert response.json() == []
    assert response["X-Total-Count"] == "4"
    assert response["X-Result-Count"] == "0"


def test_limit_zero_gives_only_the_count(api, units):
    response = api.get(BASE, {"limit": 0})
    assert response.json() == []
    assert response["X-Total-Count"] == "4"


@pytest.mark.parametrize("limit", ["abc", "-1", "1001", "2.5"])
def test_bad_limit_is_a_400_error_body(api, units, limit):
    body = _assert_error(api.get(BASE, {"limit": limit}), 400, "invalid_query")
    assert body["reason"] == "Invalid query parameter"
    assert body["message"] == f"“limit” must be a whole number from 0 to 1000, not “{limit}”."


def test_bad_offset_is_a_400_error_body(api, units):
    body = _assert_error(api.get(BASE, {"offset": "x"}), 400, "invalid_query")
    assert body["message"] == "“offset” must be a whole number of 0 or more, not “x”."


# --- representation and fields= ------------------------------------------------------------


def test_resource_carries_id_href_and_type(api, units):
    p1 = units["P1"]
    response = api.get(f"{BASE}/{p1.pk}")
    assert response.status_code == 200
    assert response.json() == {
        "id": str(p1.pk),
        "href": f"http://testserver/tmf-api/testManagement/v4/unit/{p1.pk}",
        "code": "P1",
        "name": "Guangdong",
        "kind": "province",
        "isActive": True,
        "creationDate": "2024-01-01T08:00:00+08:00",
        "@baseType": "Entity",
        "@type": "OrganizationUnit",
    }
    assert list(response.json())[:2] == ["id", "href"]


def test_every_listed_resource_has_id_href_and_type(api, units):
    for item in api.get(BASE).json():
        assert item["href"] == f"http://testserver{BASE}/{item['id']}"
        assert item["@type"] == "OrganizationUnit"


def test_type_defaults_to_the_model_name(api, units):
    response = api.get(f"{READ_ONLY}/{units['P1'].pk}")
    assert response.json()["@type"] == "OrgUnit"
    assert response.json()["href"] == f"http://testserver{READ_ONLY}/{units['P1'].pk}"


def test_fields_selects_attributes_and_keeps_identity(api, units):
    response = api.get(BASE, {"fields": "name,kind,noSuchAttribute", "limit": 1})
    p1 = units["P1"]
    assert response.json() == [
        {
            "id": str(p1.pk),
            "href": f"http://testserver{BASE}/{p1.pk}",
            "name": "Guangdong",
            "kind": "province",
            "@type": "OrganizationUnit",
        }
    ]


def test_fields_applies_to_a_detail_too(api, units):
    response = api.get(f"{BASE}/{units['C1'].pk}", {"fields": "code"})
    assert list(response.json()) == ["id", "href", "code", "@type"]


# --- filtering and sorting -----------------------------------------------------------------


def test_exact_filter(api, units):
    response = api.get(BASE, {"kind": "city"})
    assert _codes(response) == ["C1", "C2"]
    assert response["X-Total-Count"] == "2"


def test_comma_separated_values_are_alternatives(api, units):
    assert _codes(api.get(BASE, {"code": "P2,C2"})) == ["C2", "P2"]


def test_boolean_filter_parses_json_booleans(api, units):
    assert _codes(api.get(BASE, {"isActive": "false"})) == ["C2"]


def test_filters_on_different_attributes_combine_with_and(api, units):
    assert _codes(api.get(BASE, {"kind": "city", "isActive": "true"})) == ["C1"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("creationDate.gt=2024-02-01T00:00:00Z", ["C2", "P2"]),
        ("creationDate.gte=2024-02-01T00:00:00Z", ["C1", "C2", "P2"]),
        ("creationDate.lt=2024-02-01T00:00:00Z", ["P1"]),
        ("creationDate.lte=2024-02-01T00:00:00Z", ["P1", "C1"]),
        ("creationDate.gte=2024-02-01T00:00:00Z&creationDate.lt=2024-04-01T00:00:00Z", ["C1", "C2"]),
        # An unencoded "+08:00" arrives as " 08:00" and is still read as an offset.
        ("creationDate.gte=2024-03-01T08:00:00+08:00", ["C2", "P2"]),
        # A bare date is midnight in the server's time zone (Asia/Shanghai, UTC+8).
        ("creationDate.lt=2024-03-01", ["P1", "C1"]),
    ],
)
def test_datetime_comparisons(api, units, query, expected):
    assert _codes(api.get(f"{BASE}?{query}")) == expected


def test_bad_date_value_is_a_400(api, units):
    body = _assert_error(api.get(BASE, {"creationDate.gt": "yesterday"}), 400, "invalid_query")
    assert body["message"] == "“yesterday” is not a valid value for “creationDate”."


def test_bad_boolean_value_is_a_400(api, units):
    body = _assert_error(api.get(BASE, {"isActive": "maybe"}), 400, "invalid_query")
    assert body["message"] == "“maybe” is not a valid value for “isActive”."


def test_comparison_on_a_text_attribute_is_a_400(api, units):
    body = _assert_error(api.get(BASE, {"name.gt": "H"}), 400, "invalid_query")
    assert body["message"] == "“name” cannot be compared with “.gt”."


def test_unknown_query_parameter_is_a_400_not_ignored(api, units):
    body = _assert_error(api.get(BASE, {"stauts": "active"}), 400, "invalid_query")
    assert body["message"] == (
        "Unknown query parameter “stauts”. "
        "Filterable attributes: code, creationDate, id, isActive, kind, name."
    )


def test_id_is_always_filterable(api, units):
    ids = f"{units['C1'].pk},{units['P2'].pk}"
    assert _codes(api.get(BASE, {"id": ids})) == ["C1", "P2"]


def test_filters_do_not_apply_to_a_detail(api, units):
    assert api.get(f"{BASE}/{units['P1'].pk}", {"kind": "city"}).status_code == 200


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("-creationDate", ["P2", "C2", "C1", "P1"]),
        ("name", ["P1", "C1", "P2", "C2"]),
        ("kind,-code", ["C2", "C1", "P2", "P1"]),
    ],
)
def test_sort(api, units, sort, expected):
    assert _codes(api.get(BASE, {"sort": sort})) == expected


def test_sort_by_an_undeclared_attribute_is_a_400(api, units):
    body = _assert_error(api.get(BASE, {"sort": "updatedAt"}), 400, "invalid_query")
    assert body["message"] == (
        "Cannot sort by “updatedAt”. Sortable attributes: code, creationDate, id, isActive, kind, name."
    )


# --- writes --------------------------------------------------------------------------------


def test_create_answers_201_with_location(api, units):
    response = api.post(BASE, {"code": "P3", "name": "Sichuan", "kind": "province"}, content_type=JSON)
    created = OrgUnit.objects.get(code="P3")
    assert response.status_code == 201
    assert response["Location"] == f"http://testserver{BASE}/{created.pk}"
    assert response.json()["href"] == response["Location"]
    assert response.json()["id"] == str(created.pk)
    assert created.name == "Sichuan"


def test_create_with_invalid_input_is_a_400_error_body(api, units):
    response = api.post(BASE, {"code": "P1", "name": "Again", "kind": "planet"}, content_type=JSON)
    assert response.status_code == 400
    assert ERROR_KEYS <= set(response.json())
    assert set(response.json()["fields"]) == {"code", "kind"}
    assert OrgUnit.objects.count() == 4


@pytest.mark.parametrize("content_type", [MERGE_PATCH, JSON])
def test_patch_changes_only_the_attributes_sent(api, units, content_type):
    c1 = units["C1"]
    response = api.patch(f"{BASE}/{c1.pk}", {"name": "Canton", "isActive": False}, content_type=content_type)
    assert response.status_code == 200
    assert response.json()["name"] == "Canton"
    assert response.json()["isActive"] is False
    assert response.json()["code"] == "C1"
    c1.refresh_from_db()
    assert (c1.code, c1.name, c1.kind, c1.is_active) == ("C1", "Canton", "city", False)


def test_patch_with_null_for_a_required_attribute_is_a_400(api, units):
    response = api.patch(f"{BASE}/{units['C1'].pk}", {"name": None}, content_type=MERGE_PATCH)
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"name"}


def test_json_patch_is_not_supported(api, units):
    response = api.patch(
        f"{BASE}/{units['C1'].pk}",
        [{"op": "replace", "path": "/name", "value": "x"}],
        content_type="application/json-patch+json",
    )
    _assert_error(response, 415, "unsupported_media_type")


def test_put_is_not_allowed(api, units):
    response = api.put(f"{BASE}/{units['C1'].pk}", {"name": "x"}, content_type=JSON)
    body = _assert_error(response, 405, "method_not_allowed")
    assert body["message"] == 'Method "PUT" not allowed.'
    assert "PUT" not in response["Allow"]


def test_delete_answers_204(api, units):
    response = api.delete(f"{BASE}/{units['P2'].pk}")
    assert response.status_code == 204
    assert response.content == b""
    assert not OrgUnit.objects.filter(code="P2").exists()


@pytest.mark.parametrize("method", ["post", "patch", "delete"])
def test_writes_not_routed_through_a_service_are_refused(api, units, method):
    p1 = units["P1"]
    path = READ_ONLY if method == "post" else f"{READ_ONLY}/{p1.pk}"
    body = {"code": "P9", "name": "x", "kind": "province"}
    response = getattr(api, method)(path, body, content_type=JSON)
    _assert_error(response, 405, "method_not_allowed")
    p1.refresh_from_db()
    assert (OrgUnit.objects.count(), p1.name) == (4, "Guangdong")


# --- errors and scope ----------------------------------------------------------------------


def test_missing_resource_is_a_404_error_body(api, units):
    _assert_error(api.get(f"{BASE}/999999"), 404, "not_found")


def test_reads_are_scoped_to_the_caller(client, django_user_model, units):
    """A user with the view permission but no staff record has an empty data scope."""
    user = django_user_model.objects.create_user("nobody", "nobody@example.com", "pw")
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="org", codename="view_orgunit")
    )
    client.force_login(user)

    response = client.get(BASE)
    assert response.status_code == 200
    assert response.json() == []
    assert response["X-Total-Count"] == "0"
    assert response["X-Result-Count"] == "0"
    _assert_error(client.get(f"{BASE}/{units['P1'].pk}"), 404, "not_found")
