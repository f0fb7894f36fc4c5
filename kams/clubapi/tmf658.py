"""TMF658 Loyalty Management v4 over the loyalty club (CLUB-01, CLUB-09 … CLUB-11), under the
specification's basePath ``/tmf-api/loyalty/v4/``.

* ``loyaltyProgramMember`` — a ``ClubMember``; ``id`` is the member number. ``name`` and
  ``status`` (KAMS's member status: applied, active, suspended, rejected, cancelled — the
  specification leaves it free-form) are the member's; ``ValidFor`` (so spelt in the
  specification) starts on the day the member joined. Extension attributes: ``characteristic``
  (level, its name and roaming scope, the live card's number, state and validity, the points
  balance), ``relatedParty`` (the customer, a TMF629 reference), ``loyaltyAccount`` and
  ``loyaltyBalance`` (references).
* ``loyaltyAccount`` — the member's ``PointsAccount``, with the member's number as its id;
  extension attributes ``loyaltyProgramMember``, ``loyaltyBalance`` and ``characteristic``
  (points earned, redeemed and expired so far).
* ``loyaltyBalance`` — one per account, same id: ``quantity`` (unit ``points``) is what can
  be spent today — the points of lots that have not expired — and ``validFor`` ends on the
  last day any of them can be spent; extension ``balanceByExpiry`` splits it by expiry date.
* ``loyaltyRule`` — one version of a points rule (积分标准, ``PointsRule``; ``id`` is the
  version's own id): ``commonName`` the name, ``policyName`` the rule code shared by its
  versions, ``description`` the note, ``keywords`` the points category, ``usage`` a sentence
  of what it computes; extensions ``version``, ``status`` (``active``/``retired``),
  ``validFor`` (``valid_from``/``valid_to``) and ``characteristic`` (category, business,
  rate, amount, minYears, maxYears, level, issuer). ``POST`` adds a rule (version 1), ``PATCH``
  on the version in force retires it and answers with the new version (another id): rules are
  never edited in place (``kams.club.rules``).

Reads pass the caller's data scope: club staff see the province's members, an account
manager their own customers' members, and the rest answers 404. Members, accounts and
balances are written by the club's own processes, not through this API (``POST``, ``PATCH``
and ``DELETE`` answer 405); nothing is deleted. ``docs/club-api.md`` has the mapping.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.reverse import reverse

from kams.club import rules as services
from kams.club.enums import CardState, Issuer
from kams.club.models import Card, ClubLevel, ClubMember, PointsAccount, PointsLot, PointsRule
from kams.customers.tmf import CustomerDomainViewSet, TMFAttribute, TMFWriteMixin
from kams.tmf.serializers import TMFModelSerializer

NAMESPACE = "tmf658"
POINTS = "points"
READ_ONLY_METHODS = ["get", "head", "options"]


def _request(field: serializers.Field) -> Request | None:
    return field.context.get("request")


def _url(resource: str, pk: Any, field: serializers.Field) -> str:
    return reverse(f"{NAMESPACE}:{resource}-detail", kwargs={"id": pk}, request=_request(field))


def _datetime(value: datetime.date | datetime.datetime | None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, datetime.datetime):
        value = timezone.make_aware(datetime.datetime.combine(value, datetime.time.min))
    return timezone.localtime(value).isoformat()


def _end_of(day: datetime.date | None) -> str | None:
    """The last moment of ``day`` (a rule or points valid *to* a day are valid all of it)."""
    if day is None:
        return None
    return timezone.localtime(
        timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59, 59)))
    ).isoformat()


def _ref(resource: str, referred: str, pk: str, field: serializers.Field, **extra: Any) -> dict:
    return {"id": pk, "href": _url(resource, pk, field), **extra, "@referredType": referred}


def _characteristic(name: str, value: Any, value_type: str = "string") -> dict:
    return {"name": name, "valueType": value_type, "value": value}


REF_SCHEMA = {
    "type": "object",
    "properties": {"id": {"type": "string"}, "href": {"type": "string"}, "name": {"type": "string"},
                   "@referredType": {"type": "string"}},
}
REFS_SCHEMA = {"type": "array", "items": REF_SCHEMA}
TIME_PERIOD_SCHEMA = {
    "type": "object",
    "properties": {"startDateTime": {"type": "string", "format": "date-time"},
                   "endDateTime": {"type": "string", "format": "date-time"}},
}
CHARACTERISTIC_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {"name": {"type": "string"}, "valueType": {"type": "string"}, "value": {}},
        "required": ["name", "value"],
    },
}
MONEY_SCHEMA = {"type": "object", "properties": {"unit": {"type": "string"}, "value": {"type": "number"}}}
BY_EXPIRY_SCHEMA = {"type": "array", "items": {"type": "object", "properties": {
    "quantity": MONEY_SCHEMA, "validFor": TIME_PERIOD_SCHEMA}}}


class NumberIdMixin:
    """``id`` (and the detail address) is the member number rather than the primary key."""

    id_source = "member_no"

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()  # type: ignore[misc]
        if "id" in fields:
            fields["id"] = serializers.CharField(source=self.id_source, read_only=True)
        return fields


# --- loyaltyProgramMember -------------------------------------------------------------------------


def live_card(member: ClubMember) -> Card | None:
    cards = getattr(member, "live_cards", None)
    if cards is None:
        cards = list(member.cards.exclude(state__in=[CardState.REPLACED, CardState.CANCELLED]))
    return cards[0] if cards else None


def balance_of(member: ClubMember) -> int:
    try:
        return member.points.balance
    except PointsAccount.DoesNotExist:
        return 0


@extend_schema_field(TIME_PERIOD_SCHEMA)
class MemberValidForField(TMFAttribute):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, member: ClubMember) -> dict:
        return {"startDateTime": _datetime(member.joined_on)} if member.joined_on else {}


@extend_schema_field(CHARACTERISTIC_SCHEMA)
class MemberCharacteristicField(TMFAttribute):
    """Level, card and points of a member (TMF658 has no attributes for them)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, member: ClubMember) -> list[dict]:
        card = live_card(member)
        return [
            _characteristic("level", member.level.code),
            _characteristic("levelName", member.level.name),
            _characteristic("roamingScope", member.level.roaming),
            _characteristic("cardNumber", card.card_no if card else None),
            _characteristic("cardState", card.state if card else None),
            _characteristic("cardValidUntil", card.valid_until.isoformat() if card and card.valid_until else None,
                            "date"),
            _characteristic("points", balance_of(member), "integer"),
        ]


@extend_schema_field(REFS_SCHEMA)
class MemberPartyField(TMFAttribute):
    """``relatedParty``: the key account the member belongs to (TMF629 customer)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, member: ClubMember) -> list[dict]:
        customer = member.customer
        return [{
            "id": str(customer.pk), "href": reverse("tmf629:customer-detail", kwargs={"pk": customer.pk},
                                                    request=_request(self)),
            "name": customer.name, "role": "customer", "@referredType": "Customer",
        }]


@extend_schema_field(REF_SCHEMA)
class AccountRefField(TMFAttribute):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, member: ClubMember) -> dict:
        return _ref("loyaltyAccount", "LoyaltyAccount", member.member_no, self)


@extend_schema_field(REFS_SCHEMA)
class BalanceRefsField(TMFAttribute):
    """The member's balances (one: the points) as references."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, instance: ClubMember | PointsAccount) -> list[dict]:
        member_no = instance.member_no if isinstance(instance, ClubMember) else instance.member.member_no
        return [_ref("loyaltyBalance", "LoyaltyBalance", member_no, self)]


class TMFLoyaltyProgramMemberSerializer(NumberIdMixin, TMFModelSerializer):
    name = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    ValidFor = MemberValidForField()
    characteristic = MemberCharacteristicField()
    relatedParty = MemberPartyField()
    loyaltyAccount = AccountRefField()
    loyaltyBalance = BalanceRefsField()

    class Meta:
        model = ClubMember
        fields = ["name", "status", "ValidFor", "characteristic", "relatedParty", "loyaltyAccount", "loyaltyBalance"]
        tmf_type = "LoyaltyProgramMember"


class TMFLoyaltyProgramMemberViewSet(CustomerDomainViewSet):
    """TMF658 ``loyaltyProgramMember``: the club members in the caller's scope (read only)."""

    queryset = ClubMember.objects.select_related("level", "customer", "points").prefetch_related(
        Prefetch("cards", queryset=Card.objects.exclude(state__in=[CardState.REPLACED, CardState.CANCELLED]),
                 to_attr="live_cards")
    )
    serializer_class = TMFLoyaltyProgramMemberSerializer
    tmf_type = "LoyaltyProgramMember"
    lookup_field = "member_no"
    lookup_url_kwarg = "id"
    http_method_names = READ_ONLY_METHODS
    tmf_filter_fields = {
        "id": "member_no", "name": "name", "status": "status", "ValidFor.startDateTime": "joined_on",
        "level": "level__code", "cardNumber": "cards__card_no",
    }


# --- loyaltyAccount -------------------------------------------------------------------------------


class AccountIdentity:
    """Accounts and balances carry their member's number as id and in their address."""

    resource = ""
    id_source = "member.member_no"

    def get_href(self, account: PointsAccount) -> str:
        return reverse(f"{NAMESPACE}:{self.resource}-detail", kwargs={"id": account.member.member_no},
                       request=self.context.get("request"))  # type: ignore[attr-defined]


@extend_schema_field(REF_SCHEMA)
class MemberRefField(TMFAttribute):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, account: PointsAccount) -> dict:
        member = account.member
        return _ref("loyaltyProgramMember", "LoyaltyProgramMember", member.member_no, self, name=member.name)


@extend_schema_field(CHARACTERISTIC_SCHEMA)
class AccountCharacteristicField(TMFAttribute):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, account: PointsAccount) -> list[dict]:
        return [
            _characteristic("balance", account.balance, "integer"),
            _characteristic("earned", account.earned, "integer"),
            _characteristic("redeemed", account.spent, "integer"),
            _characteristic("expired", account.expired, "integer"),
            _characteristic("updatedAt", _datetime(account.updated_at), "dateTime"),
        ]


class TMFLoyaltyAccountSerializer(AccountIdentity, NumberIdMixin, TMFModelSerializer):
    resource = "loyaltyAccount"
    loyaltyProgramMember = MemberRefField()
    loyaltyBalance = BalanceRefsField()
    characteristic = AccountCharacteristicField()

    class Meta:
        model = PointsAccount
        fields = ["loyaltyProgramMember", "loyaltyBalance", "characteristic"]
        tmf_type = "LoyaltyAccount"


class TMFLoyaltyAccountViewSet(CustomerDomainViewSet):
    """TMF658 ``loyaltyAccount``: the points accounts of the members in scope (read only)."""

    queryset = PointsAccount.objects.select_related("member").order_by("member__member_no")
    serializer_class = TMFLoyaltyAccountSerializer
    tmf_type = "LoyaltyAccount"
    lookup_field = "member__member_no"
    lookup_url_kwarg = "id"
    http_method_names = READ_ONLY_METHODS
    tmf_filter_fields = {"id": "member__member_no", "loyaltyProgramMember.id": "member__member_no"}


# --- loyaltyBalance -------------------------------------------------------------------------------


def spendable_lots(account: PointsAccount, today: datetime.date) -> list[PointsLot]:
    lots = getattr(account, "open_lots", None)
    if lots is None:
        lots = list(account.lots.filter(remaining__gt=0).order_by("expires_on", "id"))
    return [lot for lot in lots if lot.expires_on >= today]


@extend_schema_field(MONEY_SCHEMA)
class QuantityField(TMFAttribute):
    """What can be spent today: the points of lots not yet past their last day."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, account: PointsAccount) -> dict:
        lots = spendable_lots(account, timezone.localdate())
        return {"unit": POINTS, "value": sum(lot.remaining for lot in lots)}


@extend_schema_field(TIME_PERIOD_SCHEMA)
class BalanceValidForField(TMFAttribute):
    """From the member's admission to the last day any of the points can be spent."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, account: PointsAccount) -> dict:
        period = {}
        if account.member.joined_on:
            period["startDateTime"] = _datetime(account.member.joined_on)
        lots = spendable_lots(account, timezone.localdate())
        if lots:
            period["endDateTime"] = _end_of(max(lot.expires_on for lot in lots))
        return period


@extend_schema_field(BY_EXPIRY_SCHEMA)
class BalanceByExpiryField(TMFAttribute):
    """The balance split by the day its points expire (积分有效期), earliest first."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, account: PointsAccount) -> list[dict]:
        by_day: dict[datetime.date, list[PointsLot]] = defaultdict(list)
        for lot in spendable_lots(account, timezone.localdate()):
            by_day[lot.expires_on].append(lot)
        return [
            {"quantity": {"unit": POINTS, "value": sum(lot.remaining for lot in lots)},
             "validFor": {"startDateTime": _datetime(min(lot.earned_on for lot in lots)), "endDateTime": _end_of(day)}}
            for day, lots in sorted(by_day.items())
        ]


class TMFLoyaltyBalanceSerializer(AccountIdentity, NumberIdMixin, TMFModelSerializer):
    resource = "loyaltyBalance"
    loyaltyProgramMember = MemberRefField()
    quantity = QuantityField()
    validFor = BalanceValidForField()
    balanceByExpiry = BalanceByExpiryField()

    class Meta:
        model = PointsAccount
        fields = ["loyaltyProgramMember", "quantity", "validFor", "balanceByExpiry"]
        tmf_type = "LoyaltyBalance"


class TMFLoyaltyBalanceViewSet(CustomerDomainViewSet):
    """TMF658 ``loyaltyBalance``: the points balance of each member account in scope (read only)."""

    queryset = PointsAccount.objects.select_related("member").prefetch_related(
        Prefetch("lots", queryset=PointsLot.objects.filter(remaining__gt=0).order_by("expires_on", "id"),
                 to_attr="open_lots")
    ).order_by("member__member_no")
    serializer_class = TMFLoyaltyBalanceSerializer
    tmf_type = "LoyaltyBalance"
    lookup_field = "member__member_no"
    lookup_url_kwarg = "id"
    http_method_names = READ_ONLY_METHODS
    # quantity.value filters on the booked balance, which may still hold points expired
    # today until the nightly expiry has run.
    tmf_filter_fields = {"id": "member__member_no", "loyaltyProgramMember.id": "member__member_no",
                         "quantity.value": "balance"}


# --- loyaltyRule ----------------------------------------------------------------------------------


def _invalid(attribute: str, message: str) -> serializers.ValidationError:
    return serializers.ValidationError({attribute: [message]})


def _start_date(value: Any, attribute: str) -> datetime.date:
    """A TMF date-time (or date) → the local date a version starts."""
    text = str(value).strip() if isinstance(value, str) else ""
    parsed = parse_datetime(text) if "T" in text else None
    if parsed is not None:
        if timezone.is_aware(parsed):
            parsed = timezone.localtime(parsed)
        return parsed.date()
    try:
        day = parse_date(text)
    except ValueError:
        day = None
    if day is None:
        raise _invalid(attribute, _("“%(value)s” is not a date-time.") % {"value": value})
    return day


@extend_schema_field(TIME_PERIOD_SCHEMA)
class RuleValidForField(TMFAttribute):
    """``validFor`` of a version: from ``valid_from`` to the end of ``valid_to``. Written:
    ``startDateTime`` is when the (new) version starts; the end is set by the next version."""

    def to_representation(self, rule: PointsRule) -> dict:
        period = {"startDateTime": _datetime(rule.valid_from)}
        if rule.valid_to:
            period["endDateTime"] = _end_of(rule.valid_to)
        return period

    def to_internal_value(self, data: Any) -> dict:
        if not isinstance(data, dict):
            raise _invalid(self.field_name, _("Expected an object."))
        if data.get("endDateTime"):
            raise _invalid(self.field_name, _("endDateTime: a version ends when its next version starts."))
        if data.get("startDateTime") in (None, ""):
            return {}
        return {"_valid_from": _start_date(data["startDateTime"], self.field_name)}


RULE_CHARACTERISTICS = {  # TMF name → PointsRule field
    "category": "category", "business": "business", "rate": "rate", "amount": "amount", "minYears": "min_years",
    "maxYears": "max_years", "level": "level", "issuer": "issuer",
}


@extend_schema_field(CHARACTERISTIC_SCHEMA)
class RuleCharacteristicField(TMFAttribute):
    """What a rule computes. Written by name; names not sent keep their values (PATCH)."""

    def to_representation(self, rule: PointsRule) -> list[dict]:
        return [
            _characteristic("category", rule.category),
            _characteristic("business", rule.business or None),
            _characteristic("rate", float(rule.rate), "number"),
            _characteristic("amount", rule.amount, "integer"),
            _characteristic("minYears", rule.min_years, "integer"),
            _characteristic("maxYears", rule.max_years, "integer"),
            _characteristic("level", rule.level.code if rule.level_id else None),
            _characteristic("issuer", rule.issuer),
        ]

    def to_internal_value(self, data: Any) -> dict:
        if not isinstance(data, list):
            raise _invalid(self.field_name, _("Expected an array."))
        values: dict[str, Any] = {}
        for item in data:
            if not isinstance(item, dict) or "name" not in item or "value" not in item:
                raise _invalid(self.field_name, _("Each characteristic needs a name and a value."))
            name, value = item["name"], item["value"]
            if name not in RULE_CHARACTERISTICS:
                raise _invalid(self.field_name, _("Unknown characteristic %(name)s; known: %(names)s.")
                               % {"name": name, "names": ", ".join(RULE_CHARACTERISTICS)})
            if name == "level":
                if value in (None, ""):
                    value = None
                else:
                    value = ClubLevel.objects.filter(code=str(value)).first()
                    if value is None:
                        raise _invalid(self.field_name, _("level: one of %(codes)s, or null for every level.")
                                       % {"codes": ", ".join(ClubLevel.objects.values_list("code", flat=True))})
            elif name == "business" and value is None:
                value = ""
            values[RULE_CHARACTERISTICS[name]] = value
        return values


class TMFLoyaltyRuleSerializer(TMFWriteMixin, TMFModelSerializer):
    commonName = serializers.CharField(source="name", max_length=80, required=False)
    policyName = serializers.CharField(source="code", max_length=40, required=False)
    description = serializers.CharField(source="note", max_length=200, required=False, allow_blank=True)
    keywords = serializers.CharField(source="category", read_only=True)
    usage = serializers.SerializerMethodField()
    hasSubRules = serializers.SerializerMethodField()
    isCNF = serializers.SerializerMethodField()
    isMandatoryEvaluation = serializers.SerializerMethodField()
    version = serializers.IntegerField(read_only=True)
    status = serializers.CharField(source="state", read_only=True)
    validFor = RuleValidForField()
    characteristic = RuleCharacteristicField()

    class Meta:
        model = PointsRule
        fields = ["commonName", "policyName", "description", "keywords", "usage", "hasSubRules", "isCNF",
                  "isMandatoryEvaluation", "version", "status", "validFor", "characteristic"]
        tmf_type = "LoyaltyRule"

    def get_usage(self, rule: PointsRule) -> str:
        return rule_usage(rule)

    def get_hasSubRules(self, rule: PointsRule) -> bool:
        return False

    def get_isCNF(self, rule: PointsRule) -> bool:
        return True

    def get_isMandatoryEvaluation(self, rule: PointsRule) -> bool:
        return True  # the monthly run applies every version in force

    def validate(self, attrs: dict) -> dict:
        if self.instance is None:
            missing = [name for name, key in (("commonName", "name"), ("policyName", "code")) if not attrs.get(key)]
            if "category" not in attrs:
                missing.append("characteristic.category")
            if missing:
                raise serializers.ValidationError({name: [_("This field is required.")] for name in missing})
        else:
            if "code" in attrs and attrs["code"].strip().upper() != self.instance.code:
                raise _invalid("policyName", _("A rule's code stays the same across its versions."))
            if "issuer" in attrs and attrs["issuer"] != self.instance.issuer:
                raise _invalid("characteristic", _("issuer: a rule's issuer stays the same across its versions."))
        return attrs


def rule_usage(rule: PointsRule) -> str:
    """One sentence of what a version computes, for people reading the rule list."""
    level = rule.level.name if rule.level_id else _("every level")
    rate, amount = f"{rule.rate.normalize():f}", rule.amount
    if rule.business:
        return _("%(rate)s points per yuan of %(business)s paid (%(level)s)") % {
            "rate": rate, "business": rule.business, "level": level}
    if rule.category in services.PENALTY_CATEGORIES:
        return _("takes %(rate)s of the month's consumption points (%(level)s)") % {"rate": rate, "level": level}
    if amount:
        return _("%(amount)s points (%(level)s)") % {"amount": amount, "level": level}
    return _("%(rate)s points per unit (%(level)s)") % {"rate": rate, "level": level}


class TMFLoyaltyRuleViewSet(CustomerDomainViewSet):
    """TMF658 ``loyaltyRule``: the points rule versions (reference data: every reader sees
    them); ``POST`` adds a rule, ``PATCH`` makes the next version."""

    queryset = PointsRule.objects.select_related("level").order_by("code", "version")
    serializer_class = TMFLoyaltyRuleSerializer
    tmf_type = "LoyaltyRule"
    http_method_names = ["get", "post", "patch", "head", "options"]
    tmf_filter_fields = {
        "commonName": "name", "policyName": "code", "keywords": "category", "status": "state", "version": "version",
        "validFor.startDateTime": "valid_from", "validFor.endDateTime": "valid_to",
    }

    def perform_create(self, serializer: TMFLoyaltyRuleSerializer) -> PointsRule:
        values = dict(serializer.validated_data)
        return services.points_rule_add(
            actor=self.request.user, code=values.pop("code"), name=values.pop("name"),
            category=values.pop("category"), valid_from=values.pop("_valid_from", None),
            issuer=values.pop("issuer", Issuer.PROVINCE), **values,
        )

    def perform_update(self, serializer: TMFLoyaltyRuleSerializer) -> PointsRule:
        values = dict(serializer.validated_data)
        values.pop("code", None)
        values.pop("issuer", None)
        valid_from = values.pop("_valid_from", None)
        new = services.points_rule_revise(actor=self.request.user, rule=serializer.instance, valid_from=valid_from,
                                          **values)
        return self.get_queryset().get(pk=new.pk)
