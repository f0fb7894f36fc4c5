"""TMF639 Resource Inventory Management v4 over the resource items (kams.resourceapi.tmf639)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from kams.audit.models import AuditEntry
from kams.org.enums import RoleCode
from kams.org.testing import make_staff
from kams.resources.enums import ItemState, ResourceKind
from kams.resources.models import ResourceItem

pytestmark = pytest.mark.django_db

BASE = "/tmf-api/resourceInventoryManagement/v4/"
RESOURCES = BASE + "resource"
LOGICAL = BASE + "logicalResource"
PHYSICAL = BASE + "physicalResource"
MERGE_PATCH = "application/merge-patch+json"


@pytest.fixture
def items(channels) -> dict[str, ResourceItem]:
    u, a = channels.units, channels.agents
    return {
        "nj_number": ResourceItem.objects.create(kind=ResourceKind.NUMBER, serial="13912340001", org_unit=u["NJ-XJK"]),
        "nj_picked": ResourceItem.objects.create(kind=ResourceKind.NUMBER, serial="13912340002", org_unit=u["NJ-XJK"],
                                                 agent=a["nj_a1"], state=ItemState.PICKED_UP),
        "nj_sim": ResourceItem.objects.create(kind=ResourceKind.SIM, serial="89860012345678901234", org_unit=u["NJ-HX"]),
        "nj_void": ResourceItem.objects.create(kind=ResourceKind.HANDSET, serial="356938035643809", model="Nokia 6300",
                                               org_unit=u["NJ-SCB"], state=ItemState.VOID),
        "sz_number": ResourceItem.objects.create(kind=ResourceKind.NUMBER, serial="13812340001", org_unit=u["SZ-SCB"]),
        "sz_entered": ResourceItem.objects.create(kind=ResourceKind.NUMBER, serial="13812340002", org_unit=u["SZ-SCB"],
                                                  agent=a["sz_a1"], state=ItemState.ENTERED),
    }


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def manager(channels) -> APIClient:
    return client_for(channels.user("js_channel"))


@pytest.fixture
def sz_reader(channels) -> APIClient:
    staff = make_staff("sz_finance", channels.units["SZ-SCB"], (RoleCode.FINANCE,), name="苏州财务")
    return client_for(staff.user)


@pytest.fixture
def sz_worker(channels) -> APIClient:
    """A Suzhou unit-scoped reader given every resource item permission."""
    from django.contrib.auth.models import Permission

    staff = make_staff("sz_stock", channels.units["SZ-SCB"], (RoleCode.FINANCE,), name="苏州库管")
    staff.user.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="resources", codename__endswith="_resourceitem"))
    return client_for(staff.user)


def characteristic(resource: dict) -> dict:
    return {entry["name"]: entry["value"] for entry in resource["resourceCharacteristic"]}


def assert_error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert {"code", "reason", "message", "status"} <= set(body)
    assert str(body["status"]) == str(status)
    return body


# --- reads ----------------------------------------------------------------------------------------


def test_list_maps_items_to_tmf_resources(items, manager):
    response = manager.get(RESOURCES, {"limit": 100})
    assert response.status_code == 200
    rows = {row["name"]: row for row in response.json()}
    assert set(rows) == {item.serial for item in items.values()}
    assert response["X-Total-Count"] == "6" and response["X-Result-Count"] == "6"

    number = rows["13912340001"]
    assert number["@type"] == "LogicalResource" and number["@baseType"] == "Resource"
    assert number["id"] == str(items["nj_number"].pk)
    assert number["href"].endswith(f"{RESOURCES}/{items['nj_number'].pk}")
    assert number["value"] == "13912340001" and "serialNumber" not in number
    assert (number["resourceStatus"], number["usageState"], number["administrativeState"],
            number["operationalState"]) == ("available", "idle", "unlocked", "enable")
    assert number["resourceSpecification"]["id"] == "number"
    assert number["place"] == {"id": "NJ-XJK", "name": "新街口营销部", "role": "holder", "@referredType": "OrgUnit"}
    assert number["relatedParty"] == []

    picked = rows["13912340002"]
    assert (picked["resourceStatus"], picked["usageState"]) == ("reserved", "active")
    assert picked["relatedParty"][0]["id"] == "A32010001" and picked["relatedParty"][0]["role"] == "holder"
    assert characteristic(picked)["holderAgent"] == "A32010001"

    handset = rows["356938035643809"]
    assert handset["@type"] == "PhysicalResource" and handset["serialNumber"] == "356938035643809"
    assert "value" not in handset
    assert (handset["resourceStatus"], handset["administrativeState"], handset["operationalState"]) == (
        "suspended", "locked", "disable")
    chars = characteristic(handset)
    assert chars["kind"] == "handset" and chars["handsetModel"] == "Nokia 6300" and chars["holderUnit"] == "NJ-SCB"
    assert chars["network"] == "gsm" and chars["business"] == "mobile" and chars["state"] == "void"
    assert rows["13812340002"]["usageState"] == "busy"


def test_logical_and_physical_collections_split_by_kind(items, manager):
    logical = {row["name"] for row in manager.get(LOGICAL).json()}
    physical = {row["name"] for row in manager.get(PHYSICAL).json()}
    assert logical == {"13912340001", "13912340002", "13812340001", "13812340002"}
    assert physical == {"89860012345678901234", "356938035643809"}
    sim = items["nj_sim"]
    detail = manager.get(f"{PHYSICAL}/{sim.pk}")
    assert detail.status_code == 200 and detail.json()["href"].endswith(f"{PHYSICAL}/{sim.pk}")
    assert manager.get(f"{LOGICAL}/{sim.pk}").status_code == 404


def test_detail_and_unknown_id(items, manager):
    item = items["nj_number"]
    response = manager.get(f"{RESOURCES}/{item.pk}")
    assert response.status_code == 200 and response.json()["name"] == item.serial
    assert_error(manager.get(f"{RESOURCES}/907d9939-c640-438a-8461-a6bd53924214"), 404)
    assert_error(manager.get(f"{RESOURCES}/999999"), 404)


def test_filters(items, manager):
    def names(params):
        response = manager.get(RESOURCES, params)
        assert response.status_code == 200, response.content
        return {row["name"] for row in response.json()}

    assert names({"name": "13912340001"}) == {"13912340001"}
    assert names({"resourceStatus": "reserved"}) == {"13912340002", "13812340002"}
    assert names({"resourceStatus": "available", "category": "sim"}) == {"89860012345678901234"}
    assert names({"administrativeState": "locked"}) == {"356938035643809"}
    assert names({"usageState": "idle,busy", "place.id": "SZ-SCB"}) == {"13812340001", "13812340002"}
    assert names({"relatedParty.id": "A32010001"}) == {"13912340002"}
    assert names({"resourceSpecification.id": "handset"}) == {"356938035643809"}
    since = (timezone.now() - datetime.timedelta(hours=1)).isoformat()
    assert len(names({"startOperatingDate.gte": since})) == 6
    assert names({"sort": "-name", "limit": 1}) == {"89860012345678901234"}
    body = assert_error(manager.get(RESOURCES, {"resourceStatus": "retired"}), 400)
    assert "retired" in body["message"]
    assert_error(manager.get(RESOURCES, {"colour": "red"}), 400)


def test_fields_selection_keeps_identity_and_name(items, manager):
    rows = manager.get(RESOURCES, {"fields": "href"}).json()
    assert rows and all(set(row) == {"id", "href", "@type", "name"} for row in rows)
    rows = manager.get(RESOURCES, {"fields": "resourceStatus,place"}).json()
    assert all(set(row) == {"id", "href", "@type", "name", "resourceStatus", "place"} for row in rows)


def test_paging_headers(items, manager):
    response = manager.get(RESOURCES, {"offset": 2, "limit": 3, "sort": "name"})
    assert response["X-Total-Count"] == "6" and response["X-Result-Count"] == "3"
    assert [row["name"] for row in response.json()] == ["13912340001", "13912340002", "356938035643809"]
    empty = manager.get(RESOURCES, {"offset": 50})
    assert empty.json() == [] and empty["X-Result-Count"] == "0"
    assert_error(manager.get(RESOURCES, {"limit": "many"}), 400)


def test_reads_are_scoped(items, sz_reader, channels):
    rows = sz_reader.get(RESOURCES).json()
    assert {row["name"] for row in rows} == {"13812340001", "13812340002"}
    assert_error(sz_reader.get(f"{RESOURCES}/{items['nj_number'].pk}"), 404)
    assert sz_reader.get(f"{RESOURCES}/{items['sz_number'].pk}").status_code == 200
    nj = client_for(channels.user("nj_finance"))
    assert {row["name"] for row in nj.get(LOGICAL).json()} == {"13912340001", "13912340002"}


def test_reading_needs_the_permission(items, api_client_for):
    assert_error(api_client_for("norole").get(RESOURCES), 403)
    assert api_client_for(None).get(RESOURCES).status_code in (401, 403)


# --- POST -----------------------------------------------------------------------------------------


def test_post_creates_an_item_in_stock(channels, manager):
    body = {
        "name": "13912349999", "@type": "LogicalResource",
        "resourceSpecification": {"id": "number"}, "place": {"id": "NJ-XJK"},
        "resourceCharacteristic": [{"name": "network", "value": "cdma"}, {"name": "business", "value": "data"}],
    }
    response = manager.post(RESOURCES, body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    item = ResourceItem.objects.get(kind="number", serial="13912349999")
    assert response["Location"] == data["href"] and data["id"] == str(item.pk)
    assert (item.state, item.org_unit.code, item.network, item.business, item.agent) == (
        ItemState.IN_STOCK, "NJ-XJK", "cdma", "data", None)
    assert data["resourceStatus"] == "available"
    entry = AuditEntry.objects.get(action="resources.item_create", target_id=str(item.pk))
    assert entry.after["serial"] == "13912349999"

    duplicate = manager.post(LOGICAL, {"name": "13912349999", "place": {"id": "NJ-SCB"}}, format="json")
    assert assert_error(duplicate, 409)["code"] == "resources.duplicate"
    assert ResourceItem.objects.filter(serial="13912349999").count() == 1


def test_post_on_physical_resource_with_characteristics(channels, manager):
    body = {"name": "356938035643810", "resourceCharacteristic": [
        {"name": "kind", "value": "handset"}, {"name": "handsetModel", "value": "Moto V3"},
        {"name": "holderUnit", "value": "SZ-SCB"}]}
    response = manager.post(PHYSICAL, body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["href"].endswith(f"{PHYSICAL}/{response.json()['id']}")
    item = ResourceItem.objects.get(serial="356938035643810")
    assert (item.kind, item.model, item.org_unit.code) == ("handset", "Moto V3", "SZ-SCB")


@pytest.mark.parametrize("body, attribute", [
    ({"place": {"id": "NJ-XJK"}, "resourceSpecification": {"id": "number"}}, "name"),
    ({"name": "13912349999", "resourceSpecification": {"id": "number"}}, "place"),
    ({"name": "13912349999", "place": {"id": "NOWHERE"}, "resourceSpecification": {"id": "number"}}, "place"),
    ({"name": "13912349999", "place": {"id": "NJ-XJK"}}, "resourceSpecification"),
    ({"name": "13912349999", "place": {"id": "NJ-XJK"}, "resourceSpecification": {"id": "router"}},
     "resourceSpecification"),
    ({"name": "13912349999", "place": {"id": "NJ-XJK"}, "resourceSpecification": {"id": "number"},
      "colour": "red"}, "colour"),
    ({"name": "13912349999", "place": {"id": "NJ-XJK"}, "resourceSpecification": {"id": "number"},
      "resourceCharacteristic": [{"name": "speed", "value": 1}]}, "resourceCharacteristic"),
])
def test_post_bad_input_is_400_and_creates_nothing(channels, manager, body, attribute):
    body_ = assert_error(manager.post(RESOURCES, body, format="json"), 400)
    assert attribute in body_["message"]
    assert not ResourceItem.objects.exists()


def test_post_domain_checks(channels, manager):
    wrong = manager.post(RESOURCES, {"name": "12ab", "place": {"id": "NJ-XJK"},
                                     "resourceSpecification": {"id": "number"}}, format="json")
    assert assert_error(wrong, 400)["code"] == "kams.invalid_input"
    sim_on_logical = manager.post(LOGICAL, {"name": "89860012345678901299", "place": {"id": "NJ-XJK"},
                                            "resourceSpecification": {"id": "sim"}}, format="json")
    assert_error(sim_on_logical, 400)
    assert not ResourceItem.objects.exists()


def test_post_needs_permission_and_scope(channels, sz_reader, sz_worker):
    body = {"name": "13912349999", "place": {"id": "NJ-XJK"}, "resourceSpecification": {"id": "number"}}
    assert_error(sz_reader.post(RESOURCES, body, format="json"), 403)
    # A unit-scoped worker may only stock units of their own scope.
    assert_error(sz_worker.post(RESOURCES, body, format="json"), 404)
    assert not ResourceItem.objects.exists()
    body["place"] = {"id": "SZ-SCB"}
    assert sz_worker.post(RESOURCES, body, format="json").status_code == 201


# --- PATCH ----------------------------------------------------------------------------------------


def test_patch_locks_and_unlocks(items, manager):
    item = items["nj_number"]
    url = f"{RESOURCES}/{item.pk}"
    response = manager.patch(url, {"administrativeState": "locked"}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["administrativeState"], response.json()["resourceStatus"]) == ("locked", "suspended")
    item.refresh_from_db()
    assert item.state == ItemState.VOID
    assert AuditEntry.objects.filter(action="resources.item_void", target_id=str(item.pk)).exists()

    response = manager.generic("PATCH", url, '{"administrativeState": "unlocked"}', content_type=MERGE_PATCH)
    assert response.status_code == 200 and response.json()["resourceStatus"] == "available"
    item.refresh_from_db()
    assert item.state == ItemState.IN_STOCK
    # Sending back what the resource already holds is not a change.
    same = manager.patch(url, {"name": item.serial, "place": {"id": "NJ-XJK"}, "administrativeState": "unlocked"},
                         format="json")
    assert same.status_code == 200


def test_patch_refusals(items, manager):
    picked = items["nj_picked"]
    body = assert_error(manager.patch(f"{RESOURCES}/{picked.pk}", {"administrativeState": "locked"}, format="json"),
                        400)
    assert body["code"] == "resources.state_refused" and "Picked up" in body["message"]
    picked.refresh_from_db()
    assert picked.state == ItemState.PICKED_UP
    number = items["nj_number"]
    assert_error(manager.patch(f"{RESOURCES}/{number.pk}", {"administrativeState": "shutdown"}, format="json"), 400)
    assert_error(manager.patch(f"{RESOURCES}/{number.pk}", {"name": "13900000000"}, format="json"), 400)
    assert_error(manager.patch(f"{RESOURCES}/{number.pk}", {"place": {"id": "NJ-HX"}}, format="json"), 400)
    assert_error(manager.patch(f"{RESOURCES}/{number.pk}", {"usageState": "busy"}, format="json"), 400)
    number.refresh_from_db()
    assert (number.serial, number.org_unit.code, number.state) == ("13912340001", "NJ-XJK", ItemState.IN_STOCK)
    assert_error(manager.put(f"{RESOURCES}/{number.pk}", {"name": "x"}, format="json"), 405)


def test_patch_is_scoped_and_needs_permission(items, sz_reader, sz_worker):
    lock = {"administrativeState": "locked"}
    assert_error(sz_reader.patch(f"{RESOURCES}/{items['sz_number'].pk}", lock, format="json"), 403)
    assert_error(sz_worker.patch(f"{RESOURCES}/{items['nj_number'].pk}", lock, format="json"), 404)
    assert sz_worker.patch(f"{RESOURCES}/{items['sz_number'].pk}", lock, format="json").status_code == 200
    items["nj_number"].refresh_from_db()
    assert items["nj_number"].state == ItemState.IN_STOCK


# --- DELETE ---------------------------------------------------------------------------------------


def test_delete_only_an_item_never_moved(items, manager):
    created = manager.post(RESOURCES, {"name": "13912348888", "place": {"id": "NJ-XJK"},
                                       "resourceSpecification": {"id": "number"}}, format="json").json()
    response = manager.delete(f"{RESOURCES}/{created['id']}")
    assert response.status_code == 204
    assert not ResourceItem.objects.filter(serial="13912348888").exists()
    assert AuditEntry.objects.filter(action="resources.item_delete", target_id=created["id"]).exists()

    picked = items["nj_picked"]
    assert assert_error(manager.delete(f"{RESOURCES}/{picked.pk}"), 409)["code"] == "resources.not_deletable"
    # Voided and restored: it has a history now.
    number = items["nj_number"]
    manager.patch(f"{RESOURCES}/{number.pk}", {"administrativeState": "locked"}, format="json")
    manager.patch(f"{RESOURCES}/{number.pk}", {"administrativeState": "unlocked"}, format="json")
    assert_error(manager.delete(f"{RESOURCES}/{number.pk}"), 409)
    assert ResourceItem.objects.filter(pk__in=[picked.pk, number.pk]).count() == 2


def test_delete_is_scoped(items, sz_reader, sz_worker):
    assert_error(sz_reader.delete(f"{RESOURCES}/{items['sz_number'].pk}"), 403)
    assert_error(sz_worker.delete(f"{RESOURCES}/{items['nj_number'].pk}"), 404)
    assert ResourceItem.objects.filter(pk=items["nj_number"].pk).exists()


# --- schema ---------------------------------------------------------------------------------------


def test_openapi_schema_documents_tmf639(channels):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]
    assert "/tmf-api/resourceInventoryManagement/v4/resource/{id}" in paths
    assert set(paths["/tmf-api/resourceInventoryManagement/v4/logicalResource/{id}"]) >= {"get", "patch", "delete"}
