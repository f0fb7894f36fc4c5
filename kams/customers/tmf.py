"""TM Forum Open APIs over the customer domain (the TMF part of CUS-01, CUS-02, CUS-09).

* TMF629 Customer Management — ``customer``: a KAMS ``Customer``;
* TMF632 Party Management — ``organization`` (group customers) and ``individual``
  (individual high-end and key customers): the same ``Customer`` rows seen as parties;
* TMF666 Account Management — ``billingAccount``: a ``PayingAccount``;
* TMF651 Agreement Management — ``agreement``: a ``Contract``.

In KAMS a key account *is* its party: one ``Customer`` row holds both the organisation or
person and its customer role. So ``customer/42`` and ``organization/42`` (or
``individual/42``) are two views of one record and share the id; a customer's
``engagedParty`` always names that party. ``docs/tmf-mapping.md`` maps every attribute.

Reads pass the toolkit's ``ScopeFilterBackend`` (ORG-03: out of scope is 404); certificate
and phone numbers are masked unless the reader holds ``customers.view_personal_data``
(NFR-02); every write goes through ``kams.customers.services`` (permission, scope, rules,
audit). Nothing is deleted through these APIs: KAMS cancels customers, accounts and
contracts with a reason instead, so ``DELETE`` answers 405.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Callable, Iterable, Mapping
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.filters import BaseFilterBackend
from rest_framework.request import Request
from rest_framework.reverse import reverse

from kams.core.errors import Conflict, InvalidInput
from kams.core.masking import mask_certificate, mask_phone
from kams.customers import services
from kams.customers.enums import (
    AccountStatus,
    CertificateType,
    ContractState,
    ContractType,
    CustomerStatus,
    CustomerType,
    PaymentMethod,
)
from kams.customers.models import Contract, Customer, ExtraAttribute, Industry, PayingAccount
from kams.org.models import OrgUnit, Staff
from kams.org.scoping import scope_for
from kams.tmf.errors import InvalidQuery
from kams.tmf.serializers import TMFModelSerializer
from kams.tmf.views import TMFModelViewSet

INDIVIDUAL_TYPES = (CustomerType.HIGH_END, CustomerType.KEY_INDIVIDUAL)
ORGANIZATION, INDIVIDUAL = "Organization", "Individual"
WRITE_IGNORED = frozenset({"id", "href", "@type", "@baseType", "@schemaLocation"})

# Status vocabularies (docs/tmf-mapping.md explains the choices).
CUSTOMER_STATUS = {
    CustomerStatus.POTENTIAL: "Initialized",
    CustomerStatus.CURRENT: "Approved",
    CustomerStatus.HISTORICAL: "Closed",
}
ORGANIZATION_STATUS = {  # TMF632 OrganizationStateType
    CustomerStatus.POTENTIAL: "initialized",
    CustomerStatus.CURRENT: "validated",
    CustomerStatus.HISTORICAL: "closed",
}
INDIVIDUAL_STATUS = {  # TMF632 IndividualStateType has no "closed": a cancelled account is not deceased
    CustomerStatus.POTENTIAL: "initialized",
    CustomerStatus.CURRENT: "validated",
}
ACCOUNT_STATE = {AccountStatus.ACTIVE: "Active", AccountStatus.CANCELLED: "Closed"}
AGREEMENT_STATUS = {
    ContractState.DRAFT: "draft",
    ContractState.APPROVING: "inApproval",
    ContractState.ACTIVE: "active",
    ContractState.EXPIRED: "expired",
    ContractState.TERMINATED: "terminated",
}


# --- Chinese personal names ----------------------------------------------------------------------

# 复姓: two-character family names. The common ones of the 百家姓; a two-character name that
# starts with one of them (欧阳修 → 欧阳 + 修) keeps both characters as the family name.
COMPOUND_SURNAMES = frozenset(
    """
    欧阳 太史 端木 上官 司马 东方 独孤 南宫 万俟 闻人 夏侯 诸葛 尉迟 公羊 赫连 澹台 皇甫 宗政 濮阳
    公冶 太叔 申屠 公孙 慕容 仲孙 钟离 长孙 宇文 司徒 鲜于 司空 闾丘 子车 亓官 司寇 巫马 公西 颛孙
    壤驷 公良 漆雕 乐正 宰父 谷梁 拓跋 夹谷 轩辕 令狐 段干 百里 呼延 东郭 南门 羊舌 微生 梁丘 左丘
    东门 西门 第五 南荣 东里 即墨 达奚 褚师 单于 完颜 纳兰 爱新觉罗
    """.split()
)
NAME_DOTS = ("·", "•", "・", "‧")  # 间隔号 of transliterated names: 买买提·艾力, 约翰·史密斯


def _is_cjk(text: str) -> bool:
    return bool(text) and all("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in text)


def split_name(name: str) -> tuple[str, str]:
    """A person's name → ``(given name, family name)``.

    张三 → (三, 张); 欧阳修 → (修, 欧阳) (复姓); 买买提·艾力 → (买买提, 艾力) (given name first,
    as such names are written); "Jane Lamborgizzia" → (Jane, Lamborgizzia); a single Latin
    word is taken as the family name. ``join_name`` is the inverse.
    """
    name = " ".join(name.split())
    for dot in NAME_DOTS:
        if dot in name:
            given, _sep, family = name.rpartition(dot)
            return given.strip(), family.strip()
    if " " in name:
        given, _sep, family = name.rpartition(" ")
        return given, family
    if _is_cjk(name):
        for length in (4, 2):
            if len(name) > length and name[:length] in COMPOUND_SURNAMES:
                return name[length:], name[:length]
        return name[1:], name[:1]
    return "", name


def join_name(given: str, family: str) -> str:
    """``(given, family)`` → the name KAMS stores: 张 + 三 → 张三; Jane + Lamborgizzia →
    "Jane Lamborgizzia"; a transliterated given name in Chinese characters keeps its 间隔号."""
    given, family = given.strip(), family.strip()
    if not given or not family:
        return given or family
    if _is_cjk(given) and _is_cjk(family):
        # 约翰 + 史密斯 would read as one Chinese name; a long given name is a transliteration.
        return f"{family}{given}" if len(given) <= 2 else f"{given}·{family}"
    return f"{given} {family}"


# --- Helpers ------------------------------------------------------------------------------------


def _request(field: serializers.Field) -> Request | None:
    return field.context.get("request")


def _personal_data_visible(field: serializers.Field) -> bool:
    request = _request(field)
    return bool(request and request.user.has_perm("customers.view_personal_data"))


def _url(name: str, pk: Any, field: serializers.Field) -> str:
    return reverse(name, kwargs={"pk": pk}, request=_request(field))


def _party_type(customer: Customer) -> str:
    return ORGANIZATION if customer.customer_type == CustomerType.GROUP else INDIVIDUAL


def party_ref(customer: Customer, field: serializers.Field, *, role: str | None = None) -> dict:
    """A TMF ``RelatedParty`` naming the party of ``customer`` (TMF632)."""
    kind = _party_type(customer)
    ref = {
        "id": str(customer.pk),
        "href": _url("tmf632:organization-detail" if kind == ORGANIZATION else "tmf632:individual-detail", customer.pk, field),
        "name": customer.name,
    }
    if role:
        ref["role"] = role
    ref["@referredType"] = kind
    return ref


def _datetime(value: datetime.date | datetime.datetime | None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, datetime.datetime):
        value = timezone.make_aware(datetime.datetime.combine(value, datetime.time.min))
    return timezone.localtime(value).isoformat()


def _date(value: Any, attribute: str) -> datetime.date | None:
    """A TMF date-time (or plain date) → the local date KAMS keeps."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    parsed_dt = parse_datetime(text) if "T" in text else None
    if parsed_dt is not None:
        if timezone.is_aware(parsed_dt):
            parsed_dt = timezone.localtime(parsed_dt)
        return parsed_dt.date()
    try:
        parsed = parse_date(text)
    except ValueError:
        parsed = None
    if parsed is None:
        raise serializers.ValidationError({attribute: [_("“%(value)s” is not a date-time.") % {"value": value}]})
    return parsed


def _object(value: Any, attribute: str) -> dict:
    if not isinstance(value, dict):
        raise serializers.ValidationError({attribute: [_("Expected an object.")]})
    return value


def _array(value: Any, attribute: str) -> list:
    if not isinstance(value, list):
        raise serializers.ValidationError({attribute: [_("Expected an array.")]})
    return value


def _visible_customer(request: Request, ref: Mapping, attribute: str, *, types: Iterable[str]) -> Customer:
    """The customer a TMF reference names, if the caller may see it; else a 400 naming the
    attribute (out of scope and missing read the same)."""
    referred = ref.get("@referredType")
    if referred is not None and referred not in types:
        raise serializers.ValidationError(
            {attribute: [_("@referredType must be one of %(types)s.") % {"types": ", ".join(types)}]}
        )
    raw = str(ref.get("id", "")).strip()
    customer = None
    if raw.isascii() and raw.isdigit():
        customer = Customer.objects.visible_to(request.user).filter(pk=int(raw)).first()
    if customer is None:
        raise serializers.ValidationError({attribute: [_("No party with id “%(id)s”.") % {"id": raw}]})
    if referred in (ORGANIZATION, INDIVIDUAL) and referred != _party_type(customer):
        raise serializers.ValidationError(
            {attribute: [_("Party %(id)s is not an %(type)s.") % {"id": raw, "type": referred}]}
        )
    return customer


def _default_region(user: Any) -> OrgUnit | None:
    """Where a customer created through the TMF API belongs when no ``region`` is given:
    the creator's own city, district or province."""
    scope = scope_for(user)
    if scope.staff_id is None:
        return None
    staff = Staff.objects.select_related("org_unit").get(pk=scope.staff_id)
    return staff.org_unit.scope_anchor()


# --- Attributes ---------------------------------------------------------------------------------


class TMFAttribute(serializers.Field):
    """A TMF attribute made of (and, when writable, parsed into) model columns: it reads the
    whole instance and writes a dict of column values that is merged into the validated data."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("source", "*")
        if not kwargs.get("read_only"):
            kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    @property
    def instance(self) -> Any:
        return getattr(self.root, "instance", None)

    def validate_empty_values(self, data: Any) -> tuple[bool, Any]:
        # null is a value each attribute judges itself (merge-patch: null clears), never one
        # to merge into the validated data as it stands.
        if data is None and not self.read_only:
            return False, None
        return super().validate_empty_values(data)


CONTACT_MEDIUM_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "mediumType": {"type": "string", "enum": ["phone", "email", "postalAddress"]},
            "preferred": {"type": "boolean"},
            "characteristic": {"type": "object"},
        },
    },
}


@extend_schema_field(CONTACT_MEDIUM_SCHEMA)
class ContactMediumField(TMFAttribute):
    """``contactMedium``: phone (masked), e-mail and postal address of the customer.

    Written as a whole (merge-patch replaces arrays): a medium left out is cleared. A masked
    phone number sent back unchanged keeps the stored number."""

    def to_representation(self, customer: Customer) -> list[dict]:
        media = []
        if customer.phone:
            phone = customer.phone if _personal_data_visible(self) else mask_phone(customer.phone)
            media.append({"mediumType": "phone", "preferred": True, "characteristic": {"phoneNumber": phone}})
        if customer.email:
            media.append({"mediumType": "email", "characteristic": {"emailAddress": customer.email}})
        if customer.address or customer.postcode:
            media.append(
                {
                    "mediumType": "postalAddress",
                    "characteristic": {"street1": customer.address, "postCode": customer.postcode, "country": "CN"},
                }
            )
        return media

    def to_internal_value(self, data: Any) -> dict:
        values = {"phone": "", "email": "", "address": "", "postcode": ""}
        for index, medium in enumerate(_array(data, self.field_name)):
            medium = _object(medium, self.field_name)
            kind = medium.get("mediumType")
            characteristic = _object(medium.get("characteristic") or {}, self.field_name)
            if kind in ("phone", "mobile"):
                values["phone"] = self._phone(str(characteristic.get("phoneNumber") or "").strip())
            elif kind == "email":
                values["email"] = str(characteristic.get("emailAddress") or "").strip()
            elif kind == "postalAddress":
                values["address"] = str(characteristic.get("street1") or "").strip()
                values["postcode"] = str(characteristic.get("postCode") or "").strip()
            else:
                raise serializers.ValidationError(
                    {self.field_name: [_("[%(index)s] mediumType must be phone, email or postalAddress.") % {"index": index}]}
                )
        if values["email"]:
            try:
                serializers.EmailField().run_validation(values["email"])
            except serializers.ValidationError as exc:
                raise serializers.ValidationError({self.field_name: exc.detail}) from None
        if values["postcode"] and not (values["postcode"].isdigit() and len(values["postcode"]) == 6):
            raise serializers.ValidationError({self.field_name: [_("postCode must be six digits.")]})
        return values

    def _phone(self, value: str) -> str:
        current = getattr(self.instance, "phone", "")
        if "*" in value:
            if current and value == mask_phone(current):
                return current  # the masked number read earlier, sent back unchanged
            raise serializers.ValidationError({self.field_name: [_("phoneNumber: a masked number cannot be stored.")]})
        if value and not all(ch.isdigit() or ch in "-+ " for ch in value):
            raise serializers.ValidationError({self.field_name: [_("phoneNumber: digits only.")]})
        return value


IDENTIFICATION_SCHEMA = {
    "type": "array",
    "maxItems": 1,
    "items": {
        "type": "object",
        "properties": {
            "identificationType": {"type": "string", "enum": list(CertificateType.values)},
            "identificationId": {"type": "string"},
        },
    },
}


@extend_schema_field(IDENTIFICATION_SCHEMA)
class IdentificationField(TMFAttribute):
    """``organizationIdentification`` / ``individualIdentification``: the certificate (证件)
    of the customer, masked unless the reader may see personal data. KAMS keeps one."""

    def to_representation(self, customer: Customer) -> list[dict]:
        if not customer.certificate_no:
            return []
        number = customer.certificate_no if _personal_data_visible(self) else mask_certificate(customer.certificate_no)
        return [{"identificationType": customer.certificate_type, "identificationId": number}]

    def to_internal_value(self, data: Any) -> dict:
        items = _array(data, self.field_name)
        if not items:
            return {"certificate_type": "", "certificate_no": ""}
        if len(items) > 1:
            raise serializers.ValidationError({self.field_name: [_("KAMS keeps one identification per party.")]})
        item = _object(items[0], self.field_name)
        kind = str(item.get("identificationType") or "")
        if kind not in CertificateType.values:
            raise serializers.ValidationError(
                {self.field_name: [_("identificationType must be one of %(types)s.") % {"types": ", ".join(CertificateType.values)}]}
            )
        number = str(item.get("identificationId") or "").strip()
        current = self.instance
        if "*" in number:
            if current is not None and current.certificate_no and number == mask_certificate(current.certificate_no):
                number = current.certificate_no
            else:
                raise serializers.ValidationError({self.field_name: [_("identificationId: a masked number cannot be stored.")]})
        if not number or len(number) > 32 or not number.isalnum():
            raise serializers.ValidationError({self.field_name: [_("identificationId: 1 to 32 letters and digits.")]})
        return {"certificate_type": kind, "certificate_no": number.upper()}


STATUS_SCHEMA = {"type": "string"}


@extend_schema_field(STATUS_SCHEMA)
class MappedStatusField(TMFAttribute):
    """A read-only status shown in the TMF vocabulary of ``mapping``."""

    def __init__(self, mapping: Mapping[str, str], column: str = "status", **kwargs: Any) -> None:
        self.mapping, self.column = mapping, column
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, instance: Any) -> str | None:
        return self.mapping.get(getattr(instance, self.column))


TIME_PERIOD_SCHEMA = {
    "type": "object",
    "properties": {"startDateTime": {"type": "string", "format": "date-time"}, "endDateTime": {"type": "string", "format": "date-time"}},
}


@extend_schema_field(TIME_PERIOD_SCHEMA)
class CustomerValidForField(TMFAttribute):
    """``validFor``: customer since (``joined_on``) until cancelled (``cancelled_at``, read-only)."""

    def to_representation(self, customer: Customer) -> dict:
        period = {"startDateTime": _datetime(customer.joined_on)}
        if customer.cancelled_at:
            period["endDateTime"] = _datetime(customer.cancelled_at)
        return period

    def to_internal_value(self, data: Any) -> dict:
        data = _object(data, self.field_name)
        if data.get("endDateTime") and (self.instance is None or _datetime(self.instance.cancelled_at) != data["endDateTime"]):
            raise serializers.ValidationError(
                {self.field_name: [_("endDateTime: a customer ends by being cancelled in KAMS, with a reason.")]}
            )
        return {"joined_on": _date(data.get("startDateTime"), self.field_name)}


REF_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "href": {"type": "string"},
        "name": {"type": "string"},
        "@referredType": {"type": "string"},
    },
    "required": ["id"],
}


@extend_schema_field(REF_SCHEMA)
class EngagedPartyField(TMFAttribute):
    """``engagedParty`` of a customer: its own party (TMF632), which has the customer's id.

    On creation ``@referredType`` says what the new party is (Organization → group customer,
    Individual → individual key customer); the party is created with the customer. An ``id``
    that names a party KAMS already holds is a conflict, since every KAMS party is exactly
    one customer; any other id is the client's own reference and is not kept."""

    def to_representation(self, customer: Customer) -> dict:
        return party_ref(customer, self)

    def to_internal_value(self, data: Any) -> dict:
        data = _object(data, self.field_name)
        referred = data.get("@referredType")
        if referred not in (ORGANIZATION, INDIVIDUAL):
            raise serializers.ValidationError({self.field_name: [_("@referredType must be Organization or Individual.")]})
        current = self.instance
        if current is not None:
            if str(data.get("id", current.pk)) != str(current.pk) or referred != _party_type(current):
                raise serializers.ValidationError(
                    {self.field_name: [_("A customer's party cannot change: it is the customer's own record.")]}
                )
            return {}
        return {"_party_id": str(data.get("id", "")).strip(), "_party_type": referred}


CHARACTERISTIC_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {"name": {"type": "string"}, "valueType": {"type": "string"}, "value": {}},
        "required": ["name", "value"],
    },
}


@extend_schema_field(CHARACTERISTIC_SCHEMA)
class CustomerCharacteristicField(TMFAttribute):
    """``characteristic``: customer number, type, level, industry, region and the
    administrator-defined extra attributes (by their code).

    Writable by name: ``customerType``, ``industry`` (code), ``region`` (org unit code) and
    every active extra attribute; entries not sent keep their values. ``customerNumber`` and
    ``level`` are set by KAMS (sending the current value back is accepted)."""

    READ_ONLY = ("customerNumber", "level")

    def to_representation(self, customer: Customer) -> list[dict]:
        items = [
            {"name": "customerNumber", "valueType": "string", "value": customer.code},
            {"name": "customerType", "valueType": "string", "value": customer.customer_type},
            {"name": "level", "valueType": "string", "value": customer.level.name if customer.level else None},
            {"name": "industry", "valueType": "string", "value": customer.industry.code if customer.industry else None},
            {"name": "region", "valueType": "string", "value": customer.org_unit.code},
        ]
        for code, value in sorted((customer.extra or {}).items()):
            kind = "number" if isinstance(value, (int, float)) else "string"
            items.append({"name": code, "valueType": kind, "value": value})
        return items

    def to_internal_value(self, data: Any) -> dict:
        current = {item["name"]: item["value"] for item in self.to_representation(self.instance)} if self.instance else {}
        extra_codes = set(ExtraAttribute.objects.filter(is_active=True).values_list("code", flat=True))
        values: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        for item in _array(data, self.field_name):
            item = _object(item, self.field_name)
            name, value = item.get("name"), item.get("value")
            if name in self.READ_ONLY:
                if current.get(name) != value:
                    raise serializers.ValidationError({self.field_name: [_("%(name)s is set by KAMS.") % {"name": name}]})
            elif name == "customerType":
                if value not in CustomerType.values:
                    raise serializers.ValidationError(
                        {self.field_name: [_("customerType must be one of %(types)s.") % {"types": ", ".join(CustomerType.values)}]}
                    )
                values["customer_type"] = value
            elif name == "industry":
                industry = Industry.objects.filter(code=value).first() if value else None
                if value and industry is None:
                    raise serializers.ValidationError({self.field_name: [_("No industry “%(code)s”.") % {"code": value}]})
                values["industry"] = industry
            elif name == "region":
                unit = OrgUnit.objects.filter(code=value).first()
                if unit is None:
                    raise serializers.ValidationError({self.field_name: [_("No region “%(code)s”.") % {"code": value}]})
                values["org_unit"] = unit
            elif name in extra_codes:
                extra[name] = value
            else:
                raise serializers.ValidationError({self.field_name: [_("Unknown characteristic “%(name)s”.") % {"name": name}]})
        if extra:
            values["extra"] = extra
        return values


REF_LIST_SCHEMA = {"type": "array", "items": REF_SCHEMA}


@extend_schema_field(REF_LIST_SCHEMA)
class AccountRefsField(TMFAttribute):
    """``account``: the customer's paying accounts as TMF666 billing account references."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, customer: Customer) -> list[dict]:
        return [
            {
                "id": str(account.pk),
                "href": _url("tmf666:billingAccount-detail", account.pk, self),
                "name": account.name,
                "@referredType": "BillingAccount",
            }
            for account in customer.accounts.all()
        ]


@extend_schema_field(REF_LIST_SCHEMA)
class AgreementRefsField(TMFAttribute):
    """``agreement``: the customer's contracts as TMF651 agreement references."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, customer: Customer) -> list[dict]:
        return [
            {
                "id": str(contract.pk),
                "href": _url("tmf651:agreement-detail", contract.pk, self),
                "name": contract.title,
                "@referredType": "Agreement",
            }
            for contract in customer.contracts.all()
        ]


@extend_schema_field(OpenApiTypes.STR)
class NamePartField(TMFAttribute):
    """``givenName`` / ``familyName`` of an individual, split from the one name KAMS keeps."""

    def __init__(self, part: int, **kwargs: Any) -> None:
        self.part = part
        super().__init__(**kwargs)

    def to_representation(self, customer: Customer) -> str:
        return split_name(customer.name)[self.part]

    def to_internal_value(self, data: Any) -> dict:
        if not isinstance(data, str) or not data.strip():
            raise serializers.ValidationError({self.field_name: [_("This field may not be blank.")]})
        return {("_given_name", "_family_name")[self.part]: data.strip()}


@extend_schema_field(OpenApiTypes.STR)
class PartyNameField(TMFAttribute):
    """``tradingName`` / ``name`` of an organisation: both are the customer's name."""

    def to_representation(self, customer: Customer) -> str:
        return customer.name

    def to_internal_value(self, data: Any) -> dict:
        if not isinstance(data, str) or not data.strip():
            raise serializers.ValidationError({self.field_name: [_("This field may not be blank.")]})
        if len(data.strip()) > 120:
            raise serializers.ValidationError({self.field_name: [_("At most 120 characters.")]})
        return {f"_{self.field_name}": data.strip()}


class TMFWriteMixin:
    """Writes name only attributes the resource can take: anything else is a 400 naming it,
    never silently dropped. ``id``, ``href`` and the ``@`` attributes are ignored."""

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, dict):
            raise serializers.ValidationError({"non_field_errors": [_("Expected a JSON object.")]})
        fields: Any = self.fields  # type: ignore[attr-defined]
        writable = {name for name, field in fields.items() if not field.read_only}
        refused = sorted(set(data) - writable - WRITE_IGNORED)
        if refused:
            raise serializers.ValidationError({name: [_("This attribute cannot be written.")] for name in refused})
        return super().to_internal_value(data)  # type: ignore[misc]


# --- TMF629 customer ---------------------------------------------------------------------------


class TMFCustomerSerializer(TMFWriteMixin, TMFModelSerializer):
    name = serializers.CharField(max_length=120)
    status = MappedStatusField(CUSTOMER_STATUS)
    engagedParty = EngagedPartyField(required=True)
    account = AccountRefsField()
    agreement = AgreementRefsField()
    contactMedium = ContactMediumField()
    characteristic = CustomerCharacteristicField()
    validFor = CustomerValidForField()

    class Meta:
        model = Customer
        fields = ["name", "status", "engagedParty", "account", "agreement", "contactMedium", "characteristic", "validFor"]
        tmf_type = "Customer"

    def validate(self, attrs: dict) -> dict:
        party_type = attrs.pop("_party_type", None)
        if party_type is not None:
            wanted = attrs.get("customer_type")
            if wanted is None:
                attrs["customer_type"] = CustomerType.GROUP if party_type == ORGANIZATION else CustomerType.KEY_INDIVIDUAL
            elif (wanted == CustomerType.GROUP) != (party_type == ORGANIZATION):
                raise serializers.ValidationError(
                    {"characteristic": [_("customerType %(type)s does not fit an %(party)s.") % {"type": wanted, "party": party_type}]}
                )
        elif self.instance is not None and "customer_type" in attrs:
            if (attrs["customer_type"] == CustomerType.GROUP) != (self.instance.customer_type == CustomerType.GROUP):
                raise serializers.ValidationError(
                    {"characteristic": [_("customerType: an organisation cannot become an individual or back.")]}
                )
        return attrs


CUSTOMER_QUERYSET = Customer.objects.select_related("org_unit", "industry", "level")


def _status_filter(column: str, mapping: Mapping[str, str]) -> Callable[[QuerySet, list[str]], QuerySet]:
    """A filter on a status shown in a TMF vocabulary: the TMF values back to KAMS codes."""
    reverse_map = {tmf.lower(): code for code, tmf in mapping.items()}

    def apply(queryset: QuerySet, values: list[str]) -> QuerySet:
        codes = []
        for value in values:
            if value.lower() not in reverse_map:
                raise InvalidQuery(
                    _("“%(value)s” is not a valid value for “status”. Values: %(allowed)s.")
                    % {"value": value, "allowed": ", ".join(mapping.values())}
                )
            codes.append(reverse_map[value.lower()])
        return queryset.filter(**{f"{column}__in": codes})

    return apply


def _name_part_filter(part: int) -> Callable[[QuerySet, list[str]], QuerySet]:
    """A filter on ``givenName``/``familyName``: narrowed in SQL by substring, decided by
    the same split the representation uses."""

    def apply(queryset: QuerySet, values: list[str]) -> QuerySet:
        candidates = queryset.filter(reduce(or_, (Q(name__contains=v) for v in values)))
        keep = [pk for pk, name in candidates.values_list("pk", "name") if split_name(name)[part] in values]
        return queryset.filter(pk__in=keep)

    return apply


class TMFDerivedFilterBackend(BaseFilterBackend):
    """Filters on attributes that are not a column as such (a mapped status, a name part):
    the view's ``tmf_derived_filters`` maps the parameter to a function of the queryset and
    the requested values (comma-separated values mean any of them)."""

    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        if getattr(view, "detail", False):
            return queryset
        for param, apply in getattr(view, "tmf_derived_filters", {}).items():
            for raw in request.query_params.getlist(param):
                values = [value.strip() for value in raw.split(",") if value.strip()]
                if values:
                    queryset = apply(queryset, values)
        return queryset

    def get_schema_operation_parameters(self, view: Any) -> list[dict]:
        return [
            {
                "name": param,
                "required": False,
                "in": "query",
                "description": "Equal to the value, or to any of comma-separated values",
                "schema": {"type": "string"},
            }
            for param in sorted(getattr(view, "tmf_derived_filters", {}))
        ]


class CustomerDomainViewSet(TMFModelViewSet):
    """The toolkit's viewset plus the derived-attribute filters. Nothing is deleted through
    the TMF APIs (KAMS cancels with a reason), so ``DELETE`` stays 405."""

    filter_backends = [*TMFModelViewSet.filter_backends, TMFDerivedFilterBackend]
    http_method_names = ["get", "post", "patch", "head", "options"]
    tmf_derived_filters: dict[str, Callable[[QuerySet, list[str]], QuerySet]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.tmf_extra_params = tuple(cls.tmf_derived_filters)

    def check_permissions(self, request: Request) -> None:
        # 405 for a method no resource here offers, before the model permissions would
        # answer 403 for lacking a delete permission nobody has.
        if request.method.lower() not in self.http_method_names:
            raise MethodNotAllowed(request.method)
        super().check_permissions(request)

    def reloaded(self, instance: Any) -> Any:
        return self.get_queryset().get(pk=instance.pk)


def _create_customer(viewset: CustomerDomainViewSet, values: dict, *, status: str) -> Customer:
    user = viewset.request.user
    org_unit = values.pop("org_unit", None) or _default_region(user)
    if org_unit is None:
        raise InvalidInput(_("characteristic: say the customer's region (an org unit code)."))
    extra = values.pop("extra", None)
    customer = services.customer_create(
        actor=user,
        name=values.pop("name"),
        customer_type=values.pop("customer_type"),
        org_unit=org_unit,
        status=status,
        extra=extra,
        **values,
    )
    return viewset.reloaded(customer)


def _update_customer(viewset: CustomerDomainViewSet, customer: Customer, values: dict) -> Customer:
    extra = values.pop("extra", None)
    customer, _suggestion = services.customer_update(actor=viewset.request.user, customer=customer, changes=values, extra=extra)
    return viewset.reloaded(customer)


class TMFCustomerViewSet(CustomerDomainViewSet):
    """TMF629 ``customer``: the key accounts in the caller's scope."""

    queryset = CUSTOMER_QUERYSET.prefetch_related("accounts", "contracts")
    serializer_class = TMFCustomerSerializer
    tmf_type = "Customer"
    tmf_filter_fields = {"name": "name", "validFor.startDateTime": "joined_on"}
    tmf_derived_filters = {"status": _status_filter("status", CUSTOMER_STATUS)}

    def perform_create(self, serializer: TMFCustomerSerializer) -> Customer:
        values = dict(serializer.validated_data)
        party_id = values.pop("_party_id", "")
        if party_id.isascii() and party_id.isdigit():
            existing = Customer.objects.visible_to(self.request.user).filter(pk=int(party_id)).first()
            if existing is not None:
                raise Conflict(
                    _("engagedParty: party %(id)s already is customer %(id)s (%(name)s); change it with PATCH.")
                    % {"id": existing.pk, "name": existing.name}
                )
        return _create_customer(self, values, status=CustomerStatus.CURRENT)

    def perform_update(self, serializer: TMFCustomerSerializer) -> Customer:
        return _update_customer(self, serializer.instance, dict(serializer.validated_data))


# --- TMF632 organization and individual ----------------------------------------------------------


class TMFOrganizationSerializer(TMFWriteMixin, TMFModelSerializer):
    name = PartyNameField()
    tradingName = PartyNameField(required=True)
    isLegalEntity = serializers.SerializerMethodField()
    organizationType = serializers.SerializerMethodField()
    status = MappedStatusField(ORGANIZATION_STATUS)
    contactMedium = ContactMediumField()
    organizationIdentification = IdentificationField()

    class Meta:
        model = Customer
        fields = [
            "name", "tradingName", "isLegalEntity", "organizationType", "status", "contactMedium",
            "organizationIdentification",
        ]
        tmf_type = ORGANIZATION

    def get_isLegalEntity(self, customer: Customer) -> bool:
        return True

    def get_organizationType(self, customer: Customer) -> str:
        return str(CustomerType(customer.customer_type).label)

    def validate(self, attrs: dict) -> dict:
        names = {attrs.pop("_name", None), attrs.pop("_tradingName", None)} - {None}
        if len(names) > 1:
            raise serializers.ValidationError({"tradingName": [_("name and tradingName are one name in KAMS.")]})
        if names:
            attrs["name"] = names.pop()
        elif self.instance is None:
            raise serializers.ValidationError({"tradingName": [_("This field is required.")]})
        return attrs


class TMFIndividualSerializer(TMFWriteMixin, TMFModelSerializer):
    givenName = NamePartField(0, required=True)
    familyName = NamePartField(1, required=True)
    fullName = serializers.CharField(source="name", read_only=True)
    status = MappedStatusField(INDIVIDUAL_STATUS)
    contactMedium = ContactMediumField()
    individualIdentification = IdentificationField()

    class Meta:
        model = Customer
        fields = ["givenName", "familyName", "fullName", "status", "contactMedium", "individualIdentification"]
        tmf_type = INDIVIDUAL

    def validate(self, attrs: dict) -> dict:
        given, family = attrs.pop("_given_name", None), attrs.pop("_family_name", None)
        if given is not None or family is not None:
            current_given, current_family = split_name(self.instance.name) if self.instance else ("", "")
            name = join_name(given if given is not None else current_given, family if family is not None else current_family)
            if len(name) > 120:
                raise serializers.ValidationError({"givenName": [_("The full name has at most 120 characters.")]})
            attrs["name"] = name
        return attrs


class TMFOrganizationViewSet(CustomerDomainViewSet):
    """TMF632 ``organization``: group customers (集团客户) as parties. A party created here is
    a potential customer (潜在客户) of the creator's region."""

    queryset = CUSTOMER_QUERYSET.filter(customer_type=CustomerType.GROUP)
    serializer_class = TMFOrganizationSerializer
    tmf_type = ORGANIZATION
    tmf_filter_fields = {"name": "name", "tradingName": "name"}
    tmf_derived_filters = {"status": _status_filter("status", ORGANIZATION_STATUS)}

    def perform_create(self, serializer: TMFOrganizationSerializer) -> Customer:
        values = {**serializer.validated_data, "customer_type": CustomerType.GROUP}
        return _create_customer(self, values, status=CustomerStatus.POTENTIAL)

    def perform_update(self, serializer: TMFOrganizationSerializer) -> Customer:
        return _update_customer(self, serializer.instance, dict(serializer.validated_data))


class TMFIndividualViewSet(CustomerDomainViewSet):
    """TMF632 ``individual``: individual high-end and key customers as parties. A party
    created here is a potential individual key customer of the creator's region."""

    queryset = CUSTOMER_QUERYSET.filter(customer_type__in=INDIVIDUAL_TYPES)
    serializer_class = TMFIndividualSerializer
    tmf_type = INDIVIDUAL
    tmf_filter_fields = {"fullName": "name"}
    tmf_derived_filters = {
        "givenName": _name_part_filter(0),
        "familyName": _name_part_filter(1),
        "status": _status_filter("status", INDIVIDUAL_STATUS),
    }

    def perform_create(self, serializer: TMFIndividualSerializer) -> Customer:
        values = {**serializer.validated_data, "customer_type": CustomerType.KEY_INDIVIDUAL}
        return _create_customer(self, values, status=CustomerStatus.POTENTIAL)

    def perform_update(self, serializer: TMFIndividualSerializer) -> Customer:
        return _update_customer(self, serializer.instance, dict(serializer.validated_data))


# --- TMF666 billingAccount -----------------------------------------------------------------------


RELATED_PARTY_SCHEMA = {"type": "array", "items": {**REF_SCHEMA, "properties": {**REF_SCHEMA["properties"], "role": {"type": "string"}}}}


@extend_schema_field(RELATED_PARTY_SCHEMA)
class OwnerPartyField(TMFAttribute):
    """``relatedParty``/``engagedParty`` of an account or contract: the customer that owns it,
    as its party (TMF632) and, for accounts, as its customer (TMF629). On creation one entry
    must name a party (or customer) the caller may see; afterwards the owner is fixed."""

    def __init__(self, *, with_customer: bool, **kwargs: Any) -> None:
        self.with_customer = with_customer
        super().__init__(**kwargs)

    def to_representation(self, instance: PayingAccount | Contract) -> list[dict]:
        customer = instance.customer
        refs = [party_ref(customer, self, role="owner")]
        if self.with_customer:
            refs.append(
                {
                    "id": str(customer.pk),
                    "href": _url("tmf629:customer-detail", customer.pk, self),
                    "name": customer.name,
                    "role": "customer",
                    "@referredType": "Customer",
                }
            )
        return refs

    def to_internal_value(self, data: Any) -> dict:
        refs = [_object(ref, self.field_name) for ref in _array(data, self.field_name)]
        if not refs:
            raise serializers.ValidationError({self.field_name: [_("Name the owning party.")]})
        request = _request(self)
        owners = {
            _visible_customer(request, ref, self.field_name, types=(ORGANIZATION, INDIVIDUAL, "Customer")).pk for ref in refs
        }
        if len(owners) > 1:
            raise serializers.ValidationError({self.field_name: [_("All entries must name the same customer.")]})
        owner = owners.pop()
        current = self.instance
        if current is not None:
            if owner != current.customer_id:
                raise serializers.ValidationError({self.field_name: [_("The owner cannot change.")]})
            return {}
        return {"customer": Customer.objects.get(pk=owner)}


@extend_schema_field(REF_SCHEMA)
class PaymentMethodField(TMFAttribute):
    """``defaultPaymentMethod``: cash, bank collection (托收) or prepaid, by id."""

    def to_representation(self, account: PayingAccount) -> dict:
        return {
            "id": account.payment_method,
            "name": str(PaymentMethod(account.payment_method).label),
            "@referredType": "PaymentMethod",
        }

    def to_internal_value(self, data: Any) -> dict:
        method = _object(data, self.field_name).get("id")
        if method not in PaymentMethod.values:
            raise serializers.ValidationError(
                {self.field_name: [_("id must be one of %(methods)s.") % {"methods": ", ".join(PaymentMethod.values)}]}
            )
        return {"payment_method": method}


class TMFBillingAccountSerializer(TMFWriteMixin, TMFModelSerializer):
    name = serializers.CharField(max_length=120)
    description = serializers.CharField(source="account_no", read_only=True)
    accountType = serializers.SerializerMethodField()
    state = MappedStatusField(ACCOUNT_STATE)
    lastModified = serializers.DateTimeField(source="updated_at", read_only=True)
    relatedParty = OwnerPartyField(with_customer=True, required=True)
    defaultPaymentMethod = PaymentMethodField()

    class Meta:
        model = PayingAccount
        fields = ["name", "description", "accountType", "state", "lastModified", "relatedParty", "defaultPaymentMethod"]
        tmf_type = "BillingAccount"

    def get_accountType(self, account: PayingAccount) -> str:
        return "organization" if account.customer.customer_type == CustomerType.GROUP else "individual"


def _account_number() -> str:
    """A paying account opened through TMF666 gets a number of its own series."""
    return f"TMF{timezone.localdate():%y%m%d}{secrets.token_hex(4).upper()}"


class TMFBillingAccountViewSet(CustomerDomainViewSet):
    """TMF666 ``billingAccount``: the paying accounts (付费帐户) of the customers in scope."""

    queryset = PayingAccount.objects.select_related("customer")
    serializer_class = TMFBillingAccountSerializer
    tmf_type = "BillingAccount"
    tmf_filter_fields = {"name": "name", "relatedParty.id": "customer", "lastModified": "updated_at"}
    tmf_derived_filters = {"state": _status_filter("status", ACCOUNT_STATE)}

    def perform_create(self, serializer: TMFBillingAccountSerializer) -> PayingAccount:
        values = dict(serializer.validated_data)
        customer = values.pop("customer")
        account = services.account_add(
            actor=self.request.user, customer=customer, account_no=_account_number(), opened_on=timezone.localdate(), **values
        )
        return self.reloaded(account)

    def perform_update(self, serializer: TMFBillingAccountSerializer) -> PayingAccount:
        account = services.account_update(actor=self.request.user, account=serializer.instance, **serializer.validated_data)
        return self.reloaded(account)


# --- TMF651 agreement -----------------------------------------------------------------------------


@extend_schema_field(TIME_PERIOD_SCHEMA)
class AgreementPeriodField(TMFAttribute):
    """``agreementPeriod``: valid from / to (dates in KAMS)."""

    def to_representation(self, contract: Contract) -> dict:
        return {"startDateTime": _datetime(contract.valid_from), "endDateTime": _datetime(contract.valid_to)}

    def to_internal_value(self, data: Any) -> dict:
        data = _object(data, self.field_name)
        values = {}
        for tmf, column in (("startDateTime", "valid_from"), ("endDateTime", "valid_to")):
            if tmf in data:
                values[column] = _date(data[tmf], self.field_name)
                if values[column] is None:
                    raise serializers.ValidationError({self.field_name: [_("%(name)s is required.") % {"name": tmf}]})
            elif self.instance is None:
                raise serializers.ValidationError({self.field_name: [_("%(name)s is required.") % {"name": tmf}]})
        return values


AGREEMENT_ITEM_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "termOrCondition": {
                "type": "array",
                "items": {"type": "object", "properties": {"id": {"type": "string"}, "description": {"type": "string"}}},
            }
        },
    },
}


@extend_schema_field(AGREEMENT_ITEM_SCHEMA)
class AgreementItemField(TMFAttribute):
    """``agreementItem``: one item whose term-or-condition holds the contract's terms."""

    def to_representation(self, contract: Contract) -> list[dict]:
        terms = [{"id": "1", "description": contract.terms}] if contract.terms else []
        return [{"termOrCondition": terms}]

    def to_internal_value(self, data: Any) -> dict:
        descriptions = []
        for item in _array(data, self.field_name):
            for term in _array(_object(item, self.field_name).get("termOrCondition") or [], self.field_name):
                text = str(_object(term, self.field_name).get("description") or "").strip()
                if text:
                    descriptions.append(text)
        return {"terms": "\n\n".join(descriptions)}


@extend_schema_field(CHARACTERISTIC_SCHEMA)
class AgreementCharacteristicField(TMFAttribute):
    """``characteristic``: ``contractNumber`` (set on creation only; generated when absent)
    and ``value`` (the contract value in yuan)."""

    def to_representation(self, contract: Contract) -> list[dict]:
        return [
            {"name": "contractNumber", "valueType": "string", "value": contract.contract_no},
            {"name": "value", "valueType": "number", "value": str(contract.value)},
        ]

    def to_internal_value(self, data: Any) -> dict:
        values: dict[str, Any] = {}
        for item in _array(data, self.field_name):
            item = _object(item, self.field_name)
            name, value = item.get("name"), item.get("value")
            if name == "contractNumber":
                number = str(value or "")
                if self.instance is not None:
                    if number != self.instance.contract_no:
                        raise serializers.ValidationError({self.field_name: [_("contractNumber cannot change.")]})
                    continue
                try:
                    values["contract_no"] = serializers.RegexField(r"^[A-Za-z0-9-]{3,40}$").run_validation(number)
                except serializers.ValidationError:
                    raise serializers.ValidationError(
                        {self.field_name: [_("contractNumber: 3 to 40 letters, digits and hyphens.")]}
                    ) from None
            elif name == "value":
                try:
                    values["value"] = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0).run_validation(value)
                except serializers.ValidationError:
                    raise serializers.ValidationError({self.field_name: [_("value: an amount of 0 or more.")]}) from None
            else:
                raise serializers.ValidationError({self.field_name: [_("Unknown characteristic “%(name)s”.") % {"name": name}]})
        return values


@extend_schema_field(OpenApiTypes.STR)
class AgreementTypeField(TMFAttribute):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="contract_type", **kwargs)

    def to_representation(self, value: str) -> str:
        return value

    def to_internal_value(self, data: Any) -> str:
        if data not in ContractType.values:
            raise serializers.ValidationError(_("Must be one of %(types)s.") % {"types": ", ".join(ContractType.values)})
        return data


@extend_schema_field({"type": "string", "format": "date-time", "nullable": True})
class InitialDateField(TMFAttribute):
    """``initialDate``: the signing date (签订日期); null until signed."""

    def to_representation(self, contract: Contract) -> str | None:
        return _datetime(contract.signed_on)

    def to_internal_value(self, data: Any) -> dict:
        return {"signed_on": _date(data, self.field_name)}


class TMFAgreementSerializer(TMFWriteMixin, TMFModelSerializer):
    name = serializers.CharField(source="title", max_length=200)
    agreementType = AgreementTypeField(required=True)
    status = MappedStatusField(AGREEMENT_STATUS, column="state")
    initialDate = InitialDateField()
    agreementPeriod = AgreementPeriodField(required=True)
    engagedParty = OwnerPartyField(with_customer=False, required=True)
    agreementItem = AgreementItemField(required=True)
    characteristic = AgreementCharacteristicField()

    class Meta:
        model = Contract
        fields = [
            "name", "agreementType", "status", "initialDate", "agreementPeriod", "engagedParty", "agreementItem",
            "characteristic",
        ]
        tmf_type = "Agreement"


def _contract_number() -> str:
    return f"TMF-{timezone.localdate():%Y%m%d}-{secrets.token_hex(3).upper()}"


class TMFAgreementViewSet(CustomerDomainViewSet):
    """TMF651 ``agreement``: the contracts (客户合同) of the customers in scope. A new
    agreement is a draft; it comes into force through KAMS's approval, not through PATCH."""

    queryset = Contract.objects.select_related("customer")
    serializer_class = TMFAgreementSerializer
    tmf_type = "Agreement"
    tmf_filter_fields = {
        "name": "title",
        "agreementType": "contract_type",
        "engagedParty.id": "customer",
        "agreementPeriod.startDateTime": "valid_from",
        "agreementPeriod.endDateTime": "valid_to",
    }
    tmf_derived_filters = {"status": _status_filter("state", AGREEMENT_STATUS)}

    def perform_create(self, serializer: TMFAgreementSerializer) -> Contract:
        values = dict(serializer.validated_data)
        customer = values.pop("customer")
        values.setdefault("contract_no", _contract_number())
        values.setdefault("value", 0)
        contract = services.contract_create(actor=self.request.user, customer=customer, **values)
        return self.reloaded(contract)

    def perform_update(self, serializer: TMFAgreementSerializer) -> Contract:
        contract = services.contract_update(actor=self.request.user, contract=serializer.instance, **serializer.validated_data)
        return self.reloaded(contract)
