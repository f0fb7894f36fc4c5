"""TMF639 Resource Inventory Management v4 over the channel resources (资源: 号码、卡、手机),
under the specification's basePath ``/tmf-api/resourceInventoryManagement/v4/``.

One ``ResourceItem`` is one TMF resource; ``id`` is its primary key, ``name`` its serial
(MSISDN, ICCID or IMEI). Numbers are ``LogicalResource`` (``value`` = the number), SIM cards
and handsets ``PhysicalResource`` (``serialNumber``); ``@baseType`` is ``Resource``.
``resource`` serves all of them, ``logicalResource`` the numbers only and
``physicalResource`` the SIM cards and handsets only; an item's ``href`` is its address in
the collection it was read from.

State mapping (KAMS ``state`` → TMF; the v4 enumerations have no "in use" or "retired"
value, so the closest ones are taken):

============  ==============  ==========  ===================  ================
state         resourceStatus  usageState  administrativeState  operationalState
============  ==============  ==========  ===================  ================
in_stock      available       idle        unlocked             enable
picked_up     reserved        active      unlocked             enable
handed_over   reserved        active      unlocked             enable
entered       reserved        busy        unlocked             enable
void          suspended       idle        locked               disable
============  ==============  ==========  ===================  ================

Other attributes: ``category`` and ``resourceSpecification`` (``id`` number/sim/handset)
name the kind; ``startOperatingDate`` is when the item entered the inventory; ``place`` is
the org unit holding it (``id`` the unit code, role ``holder``); ``relatedParty`` the agent
holding it (``id`` the agent code, role ``holder``), empty while in stock;
``resourceCharacteristic`` carries kind, network, business, handsetModel, holderUnit,
holderAgent, state (KAMS's own) and settled.

Writes (``kams.resourceapi.services``: permission, scope, audit):

* ``POST`` puts an item into a unit's stock: ``name`` (the serial), the kind (from
  ``resourceSpecification.id`` or the ``kind`` characteristic; on ``logicalResource`` it is
  always number), the unit (``place.id`` or the ``holderUnit`` characteristic: a unit code
  in the caller's scope) and optionally ``network``, ``business``, ``handsetModel``
  characteristics. 201; a serial already held answers 409.
* ``PATCH`` changes ``administrativeState`` only: ``locked`` voids an item in stock,
  ``unlocked`` returns a void item (held by no agent, not settled) to stock; anything else
  the item's life does not allow, or any other attribute with a new value, is a 400.
* ``DELETE`` removes an item put into stock by mistake — in stock and never moved — else 409.

Reads pass the caller's data scope (a Suzhou reader gets 404 for a Nanjing item). ``name``
is always returned, also under ``fields=`` (the TMF639 conformance kit requires it of every
resource, as ``id`` and ``href``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kams.customers.enums import Business
from kams.customers.tmf import CustomerDomainViewSet, TMFAttribute, TMFWriteMixin
from kams.org.models import OrgUnit
from kams.resourceapi import services
from kams.resources.enums import ItemState, Network, ResourceKind
from kams.resources.models import ResourceItem
from kams.tmf.errors import InvalidQuery
from kams.tmf.serializers import TMFModelSerializer

NAMESPACE = "tmf639"
LOGICAL, PHYSICAL, RESOURCE = "LogicalResource", "PhysicalResource", "Resource"
PHYSICAL_KINDS = (ResourceKind.SIM, ResourceKind.HANDSET)
HOLDER = "holder"

# state → (resourceStatus, usageState, administrativeState, operationalState)
STATE_MAP: dict[str, tuple[str, str, str, str]] = {
    ItemState.IN_STOCK: ("available", "idle", "unlocked", "enable"),
    ItemState.PICKED_UP: ("reserved", "active", "unlocked", "enable"),
    ItemState.HANDED_OVER: ("reserved", "active", "unlocked", "enable"),
    ItemState.ENTERED: ("reserved", "busy", "unlocked", "enable"),
    ItemState.VOID: ("suspended", "idle", "locked", "disable"),
}
STATE_ATTRIBUTES = ("resourceStatus", "usageState", "administrativeState", "operationalState")
ENUMS = {  # the specification's enumerations
    "resourceStatus": ["standby", "alarm", "available", "reserved", "unknown", "suspended"],
    "usageState": ["idle", "active", "busy"],
    "administrativeState": ["locked", "unlocked", "shutdown"],
    "operationalState": ["enable", "disable"],
}
# characteristic name → internal key (written on POST)
WRITABLE_CHARACTERISTICS = {
    "kind": "kind", "network": "network", "business": "business", "handsetModel": "model", "holderUnit": "_unit",
}
READ_ONLY_CHARACTERISTICS = ("holderAgent", "state", "settled")


def tmf_type_of(item: ResourceItem) -> str:
    return LOGICAL if item.kind == ResourceKind.NUMBER else PHYSICAL


def _datetime(value: datetime.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def _invalid(attribute: str, message: str) -> serializers.ValidationError:
    return serializers.ValidationError({attribute: [message]})


def _characteristic(name: str, value: Any, value_type: str = "string") -> dict:
    return {"name": name, "valueType": value_type, "value": value}


def _unit_by_code(code: Any, attribute: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(code=str(code).strip()).first() if code not in (None, "") else None
    if unit is None:
        raise _invalid(attribute, _("No org unit with the code “%(code)s”.") % {"code": code})
    return unit


STATE_SCHEMAS = {name: {"type": "string", "enum": values} for name, values in ENUMS.items()}
REF_SCHEMA = {
    "type": "object",
    "properties": {"id": {"type": "string"}, "href": {"type": "string"}, "name": {"type": "string"},
                   "@referredType": {"type": "string"}},
}
PLACE_SCHEMA = {
    "type": "object",
    "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "role": {"type": "string"},
                   "@referredType": {"type": "string"}},
}
PARTIES_SCHEMA = {"type": "array", "items": {**PLACE_SCHEMA}}
CHARACTERISTIC_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {"name": {"type": "string"}, "valueType": {"type": "string"}, "value": {}},
        "required": ["name", "value"],
    },
}


class StateField(TMFAttribute):
    """One of the four TMF state attributes, derived from the item's state. Only
    ``administrativeState`` is writable (``locked``/``unlocked``)."""

    def __init__(self, attribute: str, **kwargs: Any) -> None:
        self.attribute = attribute
        self.position = STATE_ATTRIBUTES.index(attribute)
        if attribute != "administrativeState":
            kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, item: ResourceItem) -> str:
        return STATE_MAP[item.state][self.position]

    def to_internal_value(self, data: Any) -> dict:
        if data not in ENUMS[self.attribute]:
            raise _invalid(self.field_name, _("One of %(values)s.") % {"values": ", ".join(ENUMS[self.attribute])})
        if data == "shutdown":
            raise _invalid(self.field_name, _("“shutdown” is not used for resource items: lock or unlock them."))
        return {"_admin_state": data}


@extend_schema_field(STATE_SCHEMAS["resourceStatus"])
class ResourceStatusField(StateField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__("resourceStatus", **kwargs)


@extend_schema_field(STATE_SCHEMAS["usageState"])
class UsageStateField(StateField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__("usageState", **kwargs)


@extend_schema_field(STATE_SCHEMAS["administrativeState"])
class AdministrativeStateField(StateField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__("administrativeState", **kwargs)


@extend_schema_field(STATE_SCHEMAS["operationalState"])
class OperationalStateField(StateField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__("operationalState", **kwargs)


@extend_schema_field(REF_SCHEMA)
class SpecificationField(TMFAttribute):
    """``resourceSpecification``: the kind (number, sim, handset)."""

    def to_representation(self, item: ResourceItem) -> dict:
        return {"id": item.kind, "name": str(ResourceKind(item.kind).label), "@referredType": "ResourceSpecification"}

    def to_internal_value(self, data: Any) -> dict:
        if not isinstance(data, dict) or data.get("id") not in ResourceKind.values:
            raise _invalid(self.field_name, _("Name the kind in “id”: one of %(kinds)s.")
                           % {"kinds": ", ".join(ResourceKind.values)})
        return {"kind": data["id"]}


@extend_schema_field(PLACE_SCHEMA)
class PlaceField(TMFAttribute):
    """``place``: the org unit holding the item (its code as ``id``)."""

    def to_representation(self, item: ResourceItem) -> dict:
        unit = item.org_unit
        return {"id": unit.code, "name": unit.name, "role": HOLDER, "@referredType": "OrgUnit"}

    def to_internal_value(self, data: Any) -> dict:
        if not isinstance(data, dict) or not data.get("id"):
            raise _invalid(self.field_name, _("Name the holding unit's code in “id”."))
        return {"org_unit": _unit_by_code(data["id"], self.field_name)}


@extend_schema_field(PARTIES_SCHEMA)
class HolderPartyField(TMFAttribute):
    """``relatedParty``: the agent holding the item (role ``holder``); empty while in stock."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, item: ResourceItem) -> list[dict]:
        if item.agent is None:
            return []
        return [{"id": item.agent.code, "name": item.agent.name, "role": HOLDER, "@referredType": "Agent"}]


@extend_schema_field(CHARACTERISTIC_SCHEMA)
class ResourceCharacteristicField(TMFAttribute):
    """Kind, network, business, handset model, holding unit and agent, KAMS state."""

    def to_representation(self, item: ResourceItem) -> list[dict]:
        return [
            _characteristic("kind", item.kind),
            _characteristic("network", item.network),
            _characteristic("business", item.business),
            _characteristic("handsetModel", item.model or None),
            _characteristic("holderUnit", item.org_unit.code),
            _characteristic("holderAgent", item.agent.code if item.agent else None),
            _characteristic("state", item.state),
            _characteristic("settled", item.settled, "boolean"),
        ]

    def to_internal_value(self, data: Any) -> dict:
        if not isinstance(data, list):
            raise _invalid(self.field_name, _("Expected an array."))
        values: dict[str, Any] = {}
        for entry in data:
            if not isinstance(entry, dict) or "name" not in entry or "value" not in entry:
                raise _invalid(self.field_name, _("Each characteristic needs a name and a value."))
            name, value = entry["name"], entry["value"]
            if name in READ_ONLY_CHARACTERISTICS:
                continue  # derived, echoed back by clients that send a resource as read
            if name not in WRITABLE_CHARACTERISTICS:
                raise _invalid(self.field_name, _("Unknown characteristic %(name)s; known: %(names)s.")
                               % {"name": name, "names": ", ".join(WRITABLE_CHARACTERISTICS)})
            key = WRITABLE_CHARACTERISTICS[name]
            if key == "_unit":
                values["org_unit"] = _unit_by_code(value, self.field_name)
            else:
                values[key] = "" if value is None else str(value)
        return values


class TMFResourceSerializer(TMFWriteMixin, TMFModelSerializer):
    name = serializers.CharField(source="serial", max_length=24, required=False)
    description = serializers.SerializerMethodField()
    category = serializers.CharField(source="kind", read_only=True)
    value = serializers.SerializerMethodField()
    serialNumber = serializers.SerializerMethodField()
    startOperatingDate = serializers.SerializerMethodField()
    resourceStatus = ResourceStatusField()
    usageState = UsageStateField()
    administrativeState = AdministrativeStateField()
    operationalState = OperationalStateField()
    resourceSpecification = SpecificationField()
    place = PlaceField()
    relatedParty = HolderPartyField()
    resourceCharacteristic = ResourceCharacteristicField()

    class Meta:
        model = ResourceItem
        fields = [
            "name", "description", "category", "value", "serialNumber", "startOperatingDate", "resourceStatus",
            "usageState", "administrativeState", "operationalState", "resourceSpecification", "place",
            "relatedParty", "resourceCharacteristic",
        ]
        tmf_base_type = RESOURCE

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        if "name" not in fields and self._is_top_level():
            # Kept under fields= selection like id and href (see the module docstring).
            fields = {"name": serializers.CharField(source="serial", read_only=True), **fields}
        return fields

    def get_tmf_type(self, item: ResourceItem) -> str:
        return tmf_type_of(item)

    def get_description(self, item: ResourceItem) -> str:
        return str(item)

    def get_value(self, item: ResourceItem) -> str | None:
        return item.serial if item.kind == ResourceKind.NUMBER else None

    def get_serialNumber(self, item: ResourceItem) -> str | None:
        return item.serial if item.kind != ResourceKind.NUMBER else None

    def get_startOperatingDate(self, item: ResourceItem) -> str | None:
        return _datetime(item.created_at)

    def to_representation(self, item: ResourceItem) -> dict:
        data = super().to_representation(item)
        # A number has a value, a SIM card or handset a serial number, never both.
        for attribute in ("value", "serialNumber"):
            if attribute in data and data[attribute] is None:
                del data[attribute]
        return data

    def validate(self, attrs: dict) -> dict:
        if self.instance is None:
            if not attrs.get("serial"):
                raise _invalid("name", _("This field is required: the number, ICCID or IMEI."))
            if "_admin_state" in attrs:
                raise _invalid("administrativeState", _("A new item is always put into stock unlocked."))
            return attrs
        changed = sorted(
            key for key, value in attrs.items()
            if key != "_admin_state" and getattr(self.instance, key) != value
        )
        if changed:
            names = {"serial": "name", "kind": "resourceSpecification", "org_unit": "place"}
            raise serializers.ValidationError({
                names.get(key, "resourceCharacteristic"): [
                    _("Only administrativeState can be changed here; items move between units and agents "
                      "through the resource operations.")
                ]
                for key in changed
            })
        return attrs


# --- Viewsets ----------------------------------------------------------------------------------------


def _state_filter(attribute: str) -> Callable[[QuerySet, list[str]], QuerySet]:
    """A filter on one of the derived state attributes: the TMF values back to item states."""
    position = STATE_ATTRIBUTES.index(attribute)

    def apply(queryset: QuerySet, values: list[str]) -> QuerySet:
        states = []
        for value in values:
            if value not in ENUMS[attribute]:
                raise InvalidQuery(
                    _("“%(value)s” is not a valid value for “%(attribute)s”. Values: %(allowed)s.")
                    % {"value": value, "attribute": attribute, "allowed": ", ".join(ENUMS[attribute])}
                )
            states += [state for state, mapped in STATE_MAP.items() if mapped[position] == value]
        return queryset.filter(state__in=states)

    return apply


class TMFResourceViewSet(CustomerDomainViewSet):
    """TMF639 ``resource``: every resource item in the caller's scope."""

    kinds: tuple[str, ...] = tuple(ResourceKind.values)
    queryset = ResourceItem.objects.select_related("org_unit", "agent")
    serializer_class = TMFResourceSerializer
    tmf_type = RESOURCE
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    tmf_filter_fields = {
        "name": "serial", "value": "serial", "serialNumber": "serial", "category": "kind",
        "resourceSpecification.id": "kind", "place.id": "org_unit__code", "relatedParty.id": "agent__code",
        "startOperatingDate": "created_at",
    }
    tmf_derived_filters: Mapping[str, Callable[[QuerySet, list[str]], QuerySet]] = {
        attribute: _state_filter(attribute) for attribute in STATE_ATTRIBUTES
    }

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().filter(kind__in=self.kinds)

    def perform_create(self, serializer: TMFResourceSerializer) -> ResourceItem:
        values = dict(serializer.validated_data)
        kind = values.get("kind") or (self.kinds[0] if len(self.kinds) == 1 else None)
        if kind is None:
            raise _invalid("resourceSpecification", _("Name the kind in resourceSpecification.id: one of %(kinds)s.")
                           % {"kinds": ", ".join(self.kinds)})
        if kind not in self.kinds:
            raise _invalid("resourceSpecification", _("This collection holds only %(kinds)s.")
                           % {"kinds": ", ".join(self.kinds)})
        if values.get("org_unit") is None:
            raise _invalid("place", _("Name the unit whose stock the item goes into (place.id, a unit code)."))
        item = services.resource_item_create(
            actor=self.request.user, kind=kind, serial=values["serial"], org_unit=values["org_unit"],
            network=values.get("network") or Network.GSM, business=values.get("business") or Business.MOBILE,
            model=values.get("model", ""),
        )
        return self.get_queryset().get(pk=item.pk)

    def perform_update(self, serializer: TMFResourceSerializer) -> ResourceItem:
        item = serializer.instance
        wanted = serializer.validated_data.get("_admin_state")
        if wanted == "locked":
            item = services.resource_item_lock(actor=self.request.user, item=item)
        elif wanted == "unlocked":
            item = services.resource_item_unlock(actor=self.request.user, item=item)
        return self.get_queryset().get(pk=item.pk)

    def perform_destroy(self, instance: ResourceItem) -> None:
        services.resource_item_delete(actor=self.request.user, item=instance)


class TMFLogicalResourceViewSet(TMFResourceViewSet):
    """TMF639 ``logicalResource``: the numbers (MSISDN) in the caller's scope."""

    kinds = (ResourceKind.NUMBER,)
    tmf_type = LOGICAL


class TMFPhysicalResourceViewSet(TMFResourceViewSet):
    """TMF639 ``physicalResource``: the SIM cards and handsets in the caller's scope."""

    kinds = PHYSICAL_KINDS
    tmf_type = PHYSICAL
