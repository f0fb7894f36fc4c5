"""TMF621 Trouble Ticket Management v4 (INT-02): the customer-service systems' way into the
service processes.

A trouble ticket *is* a KAMS case (``Case``): its ``id`` is the case number, and creating a
ticket opens a case through ``kams.service.services.case_open`` as the calling API user
(permission ``service.add_case``, the caller's data scope, the audit log):

* ``ticketType`` chooses the process: ``complaint`` (投诉), ``suggestion`` (建议) and
  ``consultation`` (咨询) their own; ``fault`` (故障) the level-1 or level-2 fault process by
  ``severity`` (``level1``/一级/``Critical`` or ``level2``/二级/``Major``/``High``; any other
  severity of a fault is refused, a fault's level decides its time limits); any other type
  (``device``, ``connectivity`` …) is a general service request that staff classify.
  ``ticketType`` and ``severity`` are kept as sent and shown back as sent.
* the process's opening form is filled from the ticket: ``description``, ``severity``,
  ``channel``, the contact among ``relatedParty``, the time received. A required field that
  cannot be derived is a 400 naming it.
* the customer is the ``relatedParty`` with role ``customer`` (``id`` = KAMS customer id, or
  the customer number in ``id`` or ``name``); one outside the caller's scope reads as
  unknown (400 naming ``relatedParty``, as the customer domain's TMF APIs answer).
* an ``Idempotency-Key`` header — else the ``externalId`` — makes a retried ``POST`` of the
  same caller answer with the ticket the first one created.

Reads show the case: ``status`` (open, no step done → ``acknowledged``; open → ``inProgress``;
closed → ``resolved`` when a resolution was recorded, else ``closed``; cancelled →
``cancelled``) and its ``statusChangeHistory`` from the case history, ``expectedResolutionDate``
(the process's resolution limit through the SLA calendar), ``note`` (the case notes),
``relatedParty`` (customer, responsible manager, contact) and ``relatedEntity`` (the case,
its parent and child cases, its contract).

``PATCH`` adds notes (notes already there are kept; they cannot be edited or removed) and
cancels (``status: cancelled`` with ``statusChangeReason``); other changes are a 400, since
the running process owns the case. Nothing is deleted (``DELETE`` is 405).

``fields=`` returns exactly the named attributes (TMF630; the kit checks it), unlike the
toolkit's other APIs, which keep ``id``, ``href`` and ``@type``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.reverse import reverse

from kams.customers.models import Contract, Customer
from kams.customers.tmf import CustomerDomainViewSet, TMFAttribute, TMFWriteMixin
from kams.org.scoping import KamsModelPermissions
from kams.service import services
from kams.service.enums import CaseSource, CaseStatus, EventKind, ItemStatus
from kams.service.forms_spec import label_of
from kams.service.models import Case, CaseEvent, ProcessDefinition, WorkItem
from kams.tmf.errors import InvalidQuery
from kams.tmf.fields import FIELDS_QUERY_PARAM
from kams.tmf.serializers import TMFModelSerializer

TICKET_TYPE = "TroubleTicket"
IDEMPOTENCY_HEADER = "Idempotency-Key"

# --- Ticket type and severity → process ---------------------------------------------------------

COMPLAINT, SUGGESTION, CONSULTATION = "complaint", "suggestion", "consultation"
FAULT_LEVEL1, FAULT_LEVEL2, SERVICE_REQUEST = "fault_level1", "fault_level2", "service_request"
TICKET_PROCESSES = (COMPLAINT, FAULT_LEVEL1, FAULT_LEVEL2, SUGGESTION, CONSULTATION, SERVICE_REQUEST)

# ticketType (lower case) → process; "fault" is decided by severity; anything else is a request.
TYPE_PROCESS = {
    "complaint": COMPLAINT, "投诉": COMPLAINT,
    "suggestion": SUGGESTION, "建议": SUGGESTION,
    "consultation": CONSULTATION, "咨询": CONSULTATION,
}
FAULT_TYPES = frozenset({"fault", "故障"})
LEVEL1_WORDS = ("level1", "一级", "Critical")
LEVEL2_WORDS = ("level2", "二级", "Major", "High")
FAULT_SEVERITY = {**{w.lower(): FAULT_LEVEL1 for w in LEVEL1_WORDS}, **{w.lower(): FAULT_LEVEL2 for w in LEVEL2_WORDS}}

# Cases opened inside KAMS carry no TMF words: these stand in for them.
PROCESS_TICKET_TYPE = {
    COMPLAINT: "complaint", SUGGESTION: "suggestion", CONSULTATION: "consultation",
    FAULT_LEVEL1: "fault", FAULT_LEVEL2: "fault", SERVICE_REQUEST: "request",
}
PROCESS_SEVERITY = {FAULT_LEVEL1: "level1", FAULT_LEVEL2: "level2"}
DEFAULT_SEVERITY = "normal"
PRIORITY = {FAULT_LEVEL1: "Critical", FAULT_LEVEL2: "High", COMPLAINT: "Medium"}
SEVERITY_PRIORITY = {"critical": "Critical", "major": "High", "high": "High", "minor": "Medium", "medium": "Medium", "low": "Low"}

# Where the TMF words live in the case data (keys with "_" are kept by case_open as given).
K_TYPE, K_SEVERITY, K_DESCRIPTION = "_tmf_ticket_type", "_tmf_severity", "_tmf_description"
K_CHANNEL, K_PARTIES, K_ENTITIES, K_REQUESTED = "_tmf_channel", "_tmf_parties", "_tmf_entities", "_tmf_requested_resolution"

# --- Opening forms: which TMF attribute fills which field ----------------------------------------

DESCRIPTION_FIELDS = frozenset({
    "description", "content", "detail", "details", "complaint_content", "fault_description", "symptom",
    "question", "suggestion", "suggestion_content", "request", "request_content", "problem", "summary",
})
SEVERITY_FIELDS = frozenset({"severity", "level", "fault_level", "complaint_level", "urgency", "grade"})
CHANNEL_FIELDS = frozenset({"channel", "source", "received_via", "intake_channel", "complaint_channel", "reported_via"})
CONTACT_FIELDS = frozenset({"complainant", "contact", "contact_name", "reporter", "caller", "applicant", "requester", "consultant"})
RECEIVED_FIELDS = frozenset({"received_at", "reported_at", "occurred_at", "fault_time", "complaint_time", "opened_at", "accepted_at"})
TITLE_FIELDS = frozenset({"title", "subject", "topic"})
# The number (telephone, circuit, account) a complaint or request is about: the id of the
# service, product or resource named in relatedEntity, else the customer's telephone.
NUMBER_FIELDS = frozenset({"complaint_number", "service_number", "phone_number", "circuit_number", "access_number", "line_number"})
AFFECTED_FIELDS = frozenset({"affected_services", "affected_service", "circuits", "services"})
# The kind of business concerned: the choice named by a related entity, else "other".
BUSINESS_FIELDS = frozenset({"business_type", "service_type", "product_type"})
CONTACT_ROLES = frozenset({"contact", "complainant", "reporter", "caller", "originator", "requester", "applicant"})
# A closed case "resolved" its ticket when one of these carries the outcome.
RESOLUTION_FIELDS = (
    "resolution", "result", "solution", "handling_result", "fault_cause", "repair_result", "reply", "reply_content",
    "answer", "feedback", "outcome", "conclusion",
)

STATUSES = ("acknowledged", "rejected", "pending", "held", "inProgress", "cancelled", "closed", "resolved")


# --- Helpers ------------------------------------------------------------------------------------


def _request(field: serializers.Field) -> Request | None:
    return field.context.get("request")


def _datetime(value: datetime.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def _invalid(attribute: str, message: str) -> serializers.ValidationError:
    return serializers.ValidationError({attribute: [message]})


def _text(value: Any, attribute: str, *, limit: int, required: bool = True) -> str:
    if value is None or not isinstance(value, str):
        raise _invalid(attribute, _("Expected a text."))
    text = value.strip()
    if required and not text:
        raise _invalid(attribute, _("This field may not be blank."))
    if len(text) > limit:
        raise _invalid(attribute, _("At most %(limit)s characters.") % {"limit": limit})
    return text


def process_for(ticket_type: str, severity: str) -> str:
    """The process a ticket of this type and severity opens (see the module docstring)."""
    kind = ticket_type.strip().lower()
    if kind in FAULT_TYPES:
        process = FAULT_SEVERITY.get(severity.strip().lower())
        if process is None:
            raise _invalid(
                "severity",
                _("A fault's severity must be one of %(words)s.") % {"words": ", ".join((*LEVEL1_WORDS, *LEVEL2_WORDS))},
            )
        return process
    return TYPE_PROCESS.get(kind, SERVICE_REQUEST)


def ticket_type_of(case: Case) -> str:
    return case.data.get(K_TYPE) or PROCESS_TICKET_TYPE.get(case.process_key, case.process_key)


def severity_of(case: Case) -> str:
    if K_SEVERITY in case.data:
        return case.data[K_SEVERITY]
    return PROCESS_SEVERITY.get(case.process_key) or str(case.data.get("severity") or DEFAULT_SEVERITY)


def description_of(case: Case) -> str:
    if K_DESCRIPTION in case.data:
        return case.data[K_DESCRIPTION]
    for name in sorted(DESCRIPTION_FIELDS):
        if case.data.get(name):
            return str(case.data[name])
    return case.title


def priority_of(case: Case) -> str:
    if case.process_key in PRIORITY:
        return PRIORITY[case.process_key]
    return SEVERITY_PRIORITY.get(severity_of(case).lower(), "Medium")


def resolution_recorded(data: Mapping[str, Any]) -> bool:
    return any(data.get(name) not in (None, "", False) for name in RESOLUTION_FIELDS)


def status_of(case: Case) -> str:
    if case.status == CaseStatus.CANCELLED:
        return "cancelled"
    if case.status == CaseStatus.CLOSED:
        return "resolved" if resolution_recorded(case.data) else "closed"
    return "inProgress" if getattr(case, "has_done_step", False) else "acknowledged"


def status_history(case: Case) -> list[dict]:
    """The ticket's status changes, read from the case history."""
    changes: list[dict] = []

    def add(status: str, at: datetime.datetime, reason: str = "") -> None:
        change = {"status": status, "changeDate": _datetime(at)}
        if reason:
            change["changeReason"] = reason
        changes.append(change)

    seen_step = False
    for event in case.events.all():
        if event.kind == EventKind.OPENED:
            add("acknowledged", event.at)
        elif event.kind == EventKind.COMPLETED and not seen_step:
            seen_step = True
            add("inProgress", event.at, event.step_name)
        elif event.kind == EventKind.CLOSED:
            add("resolved" if resolution_recorded(case.data) else "closed", event.at)
        elif event.kind == EventKind.CANCELLED:
            add("cancelled", event.at, event.text)
    return changes


def _customer_ref(customer: Customer, field: serializers.Field) -> dict:
    return {
        "id": str(customer.pk),
        "href": reverse("tmf629:customer-detail", kwargs={"pk": customer.pk}, request=_request(field)),
        "name": customer.name,
        "role": "customer",
        "@referredType": "Customer",
    }


def _case_ref(case: Case, role: str, field: serializers.Field) -> dict:
    request = _request(field)
    if case.process_key in TICKET_PROCESSES:
        href = reverse("tmf621:troubleTicket-detail", kwargs={"id": case.number}, request=request)
        referred = TICKET_TYPE
    else:
        href = reverse("service:case", kwargs={"number": case.number}, request=request)
        referred = "Case"
    return {"id": case.number, "href": href, "name": case.title, "role": role, "@referredType": referred}


# --- Attributes ---------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.STR)
class DescriptionField(TMFAttribute):
    def to_representation(self, case: Case) -> str:
        return description_of(case)

    def to_internal_value(self, data: Any) -> dict:
        return {"_description": _text(data, self.field_name, limit=4000)}


@extend_schema_field(OpenApiTypes.STR)
class TicketTypeField(TMFAttribute):
    """``ticketType``: kept as sent; it chooses the process (see the module docstring)."""

    def to_representation(self, case: Case) -> str:
        return ticket_type_of(case)

    def to_internal_value(self, data: Any) -> dict:
        return {"_ticket_type": _text(data, self.field_name, limit=60)}


@extend_schema_field(OpenApiTypes.STR)
class SeverityField(TMFAttribute):
    """``severity``: kept as sent; for a fault it chooses level 1 or level 2."""

    def to_representation(self, case: Case) -> str:
        return severity_of(case)

    def to_internal_value(self, data: Any) -> dict:
        return {"_severity": _text(data, self.field_name, limit=60)}


@extend_schema_field({"type": "string", "enum": list(STATUSES)})
class StatusField(TMFAttribute):
    """``status``: read from the case; written only to cancel (with ``statusChangeReason``)."""

    def to_representation(self, case: Case) -> str:
        return status_of(case)

    def to_internal_value(self, data: Any) -> dict:
        if self.root.instance is None:
            # A new ticket's status is the server's (acknowledged): what a client sends is
            # ignored, as older kits send any word here (TMF621 R18 kit: "nanana").
            return {}
        if data not in STATUSES:
            raise _invalid(self.field_name, _("Must be one of %(values)s.") % {"values": ", ".join(STATUSES)})
        return {"_status": data}


STATUS_CHANGE_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "status": {"type": "string"}, "changeDate": {"type": "string", "format": "date-time"},
            "changeReason": {"type": "string"},
        },
    },
}


@extend_schema_field(STATUS_CHANGE_SCHEMA)
class StatusHistoryField(TMFAttribute):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, case: Case) -> list[dict]:
        return status_history(case)


@extend_schema_field({"type": "string", "format": "date-time", "nullable": True})
class StatusChangeDateField(TMFAttribute):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, case: Case) -> str | None:
        history = status_history(case)
        return history[-1]["changeDate"] if history else None


@extend_schema_field(OpenApiTypes.STR)
class StatusChangeReasonField(TMFAttribute):
    """``statusChangeReason``: the reason of the last change (a cancellation's reason);
    written together with ``status: cancelled``."""

    def to_representation(self, case: Case) -> str:
        history = status_history(case)
        return history[-1].get("changeReason", "") if history else ""

    def to_internal_value(self, data: Any) -> dict:
        return {"_reason": _text(data, self.field_name, limit=500, required=False)}


@extend_schema_field({"type": "string", "format": "date-time", "nullable": True})
class RequestedResolutionField(TMFAttribute):
    """``requestedResolutionDate``: the date the customer asks for, kept with the case."""

    def to_representation(self, case: Case) -> str | None:
        return case.data.get(K_REQUESTED)

    def to_internal_value(self, data: Any) -> dict:
        text = str(data or "").strip()
        parsed = parse_datetime(text) if "T" in text else None
        if parsed is None:
            try:
                day = parse_date(text)
            except ValueError:
                day = None
            if day is None:
                raise _invalid(self.field_name, _("“%(value)s” is not a date-time.") % {"value": data})
            parsed = datetime.datetime.combine(day, datetime.time.min)
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed)
        return {"_requested": _datetime(parsed)}


CHANNEL_SCHEMA = {
    "type": "object",
    "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "@referredType": {"type": "string"}},
}


def _source_for(channel: Mapping) -> str:
    """The KAMS intake channel (受理渠道) a TMF channel names, by code or label; else
    "other system"."""
    for raw in (channel.get("id"), channel.get("name")):
        word = str(raw or "").strip().lower()
        for value, label in CaseSource.choices:
            if word and word in (value.lower(), str(label).lower()):
                return value
    return CaseSource.SYSTEM


@extend_schema_field(CHANNEL_SCHEMA)
class ChannelField(TMFAttribute):
    """``channel``: where the ticket came in (kept as sent); a KAMS intake channel code such
    as ``10018`` or ``web`` also sets the case's channel."""

    def to_representation(self, case: Case) -> dict:
        given = case.data.get(K_CHANNEL)
        if given:
            return given
        return {"id": case.source, "name": case.get_source_display()}

    def to_internal_value(self, data: Any) -> dict:
        if not isinstance(data, dict):
            raise _invalid(self.field_name, _("Expected an object."))
        channel = {k: str(v)[:100] for k, v in data.items() if k in ("id", "name", "@referredType") and v not in (None, "")}
        if not channel.get("id") and not channel.get("name"):
            raise _invalid(self.field_name, _("Give the channel's id or name."))
        return {"_channel": channel}


NOTE_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "id": {"type": "string"}, "author": {"type": "string"}, "date": {"type": "string", "format": "date-time"},
            "text": {"type": "string"},
        },
        "required": ["text"],
    },
}


@extend_schema_field(NOTE_SCHEMA)
class NoteField(TMFAttribute):
    """``note``: the case notes (处理记录). Written as a list of objects with ``text``; a note
    whose ``id`` is already there is kept as it is (notes are never edited nor removed)."""

    def to_representation(self, case: Case) -> list[dict]:
        return [
            {
                "id": str(event.pk), "author": event.actor.name if event.actor else "", "date": _datetime(event.at),
                "text": event.text,
            }
            for event in case.events.all()
            if event.kind == EventKind.NOTE
        ]

    def to_internal_value(self, data: Any) -> dict:
        if not isinstance(data, list):
            raise _invalid(self.field_name, _("Expected a list of notes, each an object with a text."))
        existing = {note["id"]: note["text"] for note in self.to_representation(self.root.instance)} if self.root.instance else {}
        new = []
        for index, note in enumerate(data):
            if not isinstance(note, dict) or not isinstance(note.get("text"), str) or not note["text"].strip():
                raise _invalid(self.field_name, _("[%(index)s] A note is an object with a text.") % {"index": index})
            text = note["text"].strip()
            if len(text) > 500:
                raise _invalid(self.field_name, _("[%(index)s] A note has at most 500 characters.") % {"index": index})
            note_id = str(note.get("id", ""))
            if note_id in existing:
                if existing[note_id] != text:
                    raise _invalid(self.field_name, _("[%(index)s] A note cannot be changed; add a new one.") % {"index": index})
                continue
            new.append(text)
        return {"_notes": new}


REF_LIST_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "id": {"type": "string"}, "href": {"type": "string"}, "name": {"type": "string"}, "role": {"type": "string"},
            "@referredType": {"type": "string"},
        },
    },
}


def _refs(data: Any, attribute: str) -> list[dict]:
    if not isinstance(data, list) or not all(isinstance(ref, dict) for ref in data):
        raise _invalid(attribute, _("Expected a list of objects."))
    return [{k: v for k, v in ref.items() if isinstance(v, (str, int)) and k in REF_KEYS} for ref in data]


REF_KEYS = ("id", "href", "name", "role", "@referredType", "@type")


@extend_schema_field(REF_LIST_SCHEMA)
class RelatedPartyField(TMFAttribute):
    """``relatedParty``: the customer (role ``customer``: KAMS customer id, or its customer
    number as ``id`` or ``name``), the responsible manager and the contact (role
    ``contact``, ``complainant``, ``reporter`` …); other parties are kept as sent."""

    def to_representation(self, case: Case) -> list[dict]:
        parties = []
        if case.customer_id:
            parties.append(_customer_ref(case.customer, self))
        if case.owner_id:
            parties.append({"id": case.owner.employee_no, "name": case.owner.name, "role": "accountManager", "@referredType": "Individual"})
        parties.extend(case.data.get(K_PARTIES, []))
        return parties

    def to_internal_value(self, data: Any) -> dict:
        refs = _refs(data, self.field_name)
        customers = [ref for ref in refs if str(ref.get("role", "")).lower() == "customer"]
        if len(customers) > 1:
            raise _invalid(self.field_name, _("Name one customer."))
        values: dict[str, Any] = {"_parties": [ref for ref in refs if ref not in customers]}
        if customers:
            values["_customer"] = self._customer(customers[0])
        return values

    def _customer(self, ref: Mapping) -> Customer:
        visible = Customer.objects.visible_to(_request(self).user)
        key = str(ref.get("id", "")).strip()
        customer = None
        if key.isascii() and key.isdigit():
            customer = visible.filter(pk=int(key)).first()
        for code in (key, str(ref.get("name", "")).strip()):
            if customer is None and code:
                customer = visible.filter(code=code).first()
        if customer is None:
            raise _invalid(self.field_name, _("No customer “%(id)s”.") % {"id": key or ref.get("name", "")})
        return customer


@extend_schema_field(REF_LIST_SCHEMA)
class RelatedEntityField(TMFAttribute):
    """``relatedEntity``: the case itself, the case it was opened from, the cases opened from
    it and its contract. Written: an ``Agreement`` (TMF651 id) links the contract; other
    entities are kept as sent."""

    def to_representation(self, case: Case) -> list[dict]:
        request = _request(self)
        entities = [
            {
                "id": case.number,
                "href": reverse("service:case", kwargs={"number": case.number}, request=request),
                "name": case.definition.display_name(),
                "role": "case",
                "@referredType": "Case",
            }
        ]
        if case.parent_id:
            entities.append(_case_ref(case.parent, "parentCase", self))
        entities.extend(_case_ref(child, "childCase", self) for child in case.children.all())
        contract_id = case.data.get("contract_id")
        if contract_id:
            title = Contract.objects.filter(pk=contract_id).values_list("title", flat=True).first()
            if title is not None:
                entities.append({
                    "id": str(contract_id),
                    "href": reverse("tmf651:agreement-detail", kwargs={"pk": contract_id}, request=request),
                    "name": title,
                    "role": "contract",
                    "@referredType": "Agreement",
                })
        entities.extend(case.data.get(K_ENTITIES, []))
        return entities

    def to_internal_value(self, data: Any) -> dict:
        refs = _refs(data, self.field_name)
        agreements = [ref for ref in refs if ref.get("@referredType") == "Agreement"]
        values: dict[str, Any] = {"_entities": [ref for ref in refs if ref not in agreements]}
        if len(agreements) > 1:
            raise _invalid(self.field_name, _("Name one agreement."))
        if agreements:
            key = str(agreements[0].get("id", "")).strip()
            contract = None
            if key.isascii() and key.isdigit():
                contract = Contract.objects.visible_to(_request(self).user).filter(pk=int(key)).first()
            if contract is None:
                raise _invalid(self.field_name, _("No agreement “%(id)s”.") % {"id": key})
            values["_contract"] = contract
        return values


# --- Serializer ----------------------------------------------------------------------------------


class TroubleTicketSerializer(TMFWriteMixin, TMFModelSerializer):
    """A TMF621 TroubleTicket: one complaint, fault, suggestion, consultation or service
    request case. Attributes a ticket cannot take are a 400 naming them."""

    name = serializers.CharField(source="title", max_length=200, required=False)
    description = DescriptionField(required=True)
    ticketType = TicketTypeField(required=True)
    severity = SeverityField(required=True)
    priority = serializers.SerializerMethodField()
    status = StatusField()
    statusChangeDate = StatusChangeDateField()
    statusChangeReason = StatusChangeReasonField()
    statusChangeHistory = StatusHistoryField()
    creationDate = serializers.DateTimeField(source="opened_at", read_only=True)
    lastUpdate = serializers.SerializerMethodField()
    expectedResolutionDate = serializers.DateTimeField(source="due_at", read_only=True, allow_null=True)
    requestedResolutionDate = RequestedResolutionField()
    resolutionDate = serializers.SerializerMethodField()
    externalId = serializers.CharField(source="external_id", max_length=100, required=False, allow_blank=True)
    channel = ChannelField()
    note = NoteField()
    relatedParty = RelatedPartyField()
    relatedEntity = RelatedEntityField()

    class Meta:
        model = Case
        fields = [
            "name", "description", "ticketType", "severity", "priority", "status", "statusChangeDate",
            "statusChangeReason", "statusChangeHistory", "creationDate", "lastUpdate", "expectedResolutionDate",
            "requestedResolutionDate", "resolutionDate", "externalId", "channel", "note", "relatedParty",
            "relatedEntity",
        ]
        tmf_type = TICKET_TYPE

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        if "id" in fields:
            fields["id"] = serializers.CharField(source="number", read_only=True)
        named = _named_fields(self)
        if named is not None:
            fields = {name: field for name, field in fields.items() if name in named}
        return fields

    def get_priority(self, case: Case) -> str:
        return priority_of(case)

    @extend_schema_field({"type": "string", "format": "date-time"})
    def get_lastUpdate(self, case: Case) -> str | None:
        return _datetime(getattr(case, "last_event_at", None) or case.opened_at)

    @extend_schema_field({"type": "string", "format": "date-time", "nullable": True})
    def get_resolutionDate(self, case: Case) -> str | None:
        return _datetime(case.closed_at) if case.status == CaseStatus.CLOSED else None

    def validate(self, attrs: dict) -> dict:
        if self.instance is None:
            attrs.pop("_status", None)  # the server sets a new ticket's status (see TroubleTicketViewSet.create)
            attrs.pop("_reason", None)
            attrs["_process"] = process_for(attrs["_ticket_type"], attrs["_severity"])
            return attrs
        return self._validate_change(attrs)

    def _validate_change(self, attrs: dict) -> dict:
        """PATCH: notes and cancelling; anything else only when it does not change."""
        case = self.instance
        current = {
            "title": case.title, "_description": description_of(case), "_ticket_type": ticket_type_of(case),
            "_severity": severity_of(case), "external_id": case.external_id,
        }
        names = {
            "title": "name", "_description": "description", "_ticket_type": "ticketType", "_severity": "severity",
            "external_id": "externalId",
        }
        refused = {
            names[key]: [_("This attribute is fixed once the ticket is open; add a note instead.")]
            for key, value in attrs.items()
            if key in current and value != current[key]
        }
        for key, attribute in (("_channel", "channel"), ("_requested", "requestedResolutionDate"), ("_parties", "relatedParty"),
                               ("_customer", "relatedParty"), ("_entities", "relatedEntity"), ("_contract", "relatedEntity")):
            if key in attrs:
                refused[attribute] = [_("This attribute is fixed once the ticket is open; add a note instead.")]
        status = attrs.get("_status")
        if status is not None and status != status_of(case):
            if status != "cancelled":
                refused["status"] = [_("A ticket can only be cancelled; its other states follow the case's steps.")]
            elif not attrs.get("_reason"):
                refused["statusChangeReason"] = [_("Say why the ticket is cancelled.")]
        elif status is not None:
            attrs.pop("_status")
        if refused:
            raise serializers.ValidationError(refused)
        return attrs


def _named_fields(serializer: serializers.Serializer) -> frozenset[str] | None:
    """``fields=`` names exactly the attributes returned (top-level resource, reads only)."""
    if not serializer._is_top_level():  # type: ignore[attr-defined]
        return None
    request = serializer.context.get("request")
    if request is None or request.method not in ("GET", "HEAD"):
        return None
    raw = request.query_params.get(FIELDS_QUERY_PARAM)
    if not raw:
        return None
    return frozenset(part.strip().split(".", 1)[0] for part in raw.split(",") if part.strip())


# --- Opening a case from a ticket ----------------------------------------------------------------


def _choice_for(field: dict, words: Iterable[str]) -> str | None:
    """The choice of a choice field that one of ``words`` names (by value or label)."""
    for word in words:
        wanted = str(word).strip().lower()
        for choice in field["choices"]:
            if wanted and wanted in (str(part).strip().lower() for part in choice):
                return str(choice[0])
    return None


def _severity_words(process: str, severity: str) -> list[str]:
    if process == FAULT_LEVEL1:
        return [severity, *LEVEL1_WORDS]
    if process == FAULT_LEVEL2:
        return [severity, *LEVEL2_WORDS]
    return [severity]


def opening_data(definition: ProcessDefinition, values: Mapping[str, Any], *, now: datetime.datetime) -> dict[str, Any]:
    """The opening form of the process filled from the ticket; a required field that cannot
    be derived is a 400 naming it and the TMF attribute that would fill it."""
    process, severity = values["_process"], values["_severity"]
    process_name = definition.display_name()
    contact = next(
        (ref for ref in values.get("_parties", []) if str(ref.get("role", "")).lower() in CONTACT_ROLES), None
    )
    channel = values.get("_channel") or {}
    customer = values.get("_customer")
    entities = [ref for ref in values.get("_entities", []) if ref.get("id") or ref.get("name")]
    data: dict[str, Any] = {}
    missing: dict[str, list[str]] = {}
    for field in definition.start_form:
        name, kind = field["name"], field["type"]
        candidate: Any = None
        hint = ""
        if name in DESCRIPTION_FIELDS:
            candidate, hint = values["_description"], "description"
        elif name in SEVERITY_FIELDS:
            candidate, hint = severity, "severity"
            if kind == "choice":
                candidate = _choice_for(field, _severity_words(process, severity))
        elif name in CHANNEL_FIELDS:
            hint = "channel"
            words = [channel.get("id"), channel.get("name"), _source_for(channel), CaseSource.SYSTEM]
            candidate = _choice_for(field, words) if kind == "choice" else (channel.get("name") or channel.get("id"))
        elif name in CONTACT_FIELDS:
            # The contact who called, else the customer itself (a customer's complaint).
            candidate = (contact or {}).get("name") or (customer.name if customer is not None else None)
            hint = "relatedParty (role contact)"
        elif name in NUMBER_FIELDS:
            hint = "relatedEntity"
            numbers = [str(ref["id"]) for ref in entities if ref.get("id")]
            candidate = numbers[0] if numbers else getattr(customer, "phone", "")
        elif name in AFFECTED_FIELDS:
            candidate = ", ".join(str(ref.get("name") or ref.get("id")) for ref in entities)
        elif name in BUSINESS_FIELDS and kind == "choice":
            words = [str(ref.get(key)) for ref in entities for key in ("name", "id", "@referredType") if ref.get(key)]
            candidate = _choice_for(field, [*words, values["_ticket_type"]]) or _choice_for(field, ["other"])
            hint = "relatedEntity"
        elif name in RECEIVED_FIELDS and kind in ("datetime", "date"):
            candidate = timezone.localtime(now).isoformat() if kind == "datetime" else timezone.localdate(now).isoformat()
        elif name in TITLE_FIELDS:
            candidate, hint = values.get("title") or values["_description"][:60], "name"
        elif kind == "choice" and name in ("ticket_type", "request_type", "category", "kind"):
            candidate, hint = _choice_for(field, [values["_ticket_type"]]), "ticketType"
        if candidate not in (None, ""):
            if kind == "text" and isinstance(candidate, str) and len(candidate) > 300:
                candidate = candidate[:300]  # the full description stays with the ticket
            data[name] = candidate
        elif field.get("required", False) or (kind == "bool" and field.get("required", True)):
            params = {"process": process_name, "field": label_of(field), "attribute": hint}
            if hint:
                message = _("The %(process)s process needs “%(field)s”, which comes from %(attribute)s.") % params
            else:
                message = _("The %(process)s process needs “%(field)s”, which a trouble ticket cannot give.") % params
            missing.setdefault(hint.split(" ")[0] or name, []).append(message)
    if missing:
        raise serializers.ValidationError(missing)
    return data


def ticket_open(*, actor: Any, values: dict[str, Any], idempotency_key: str | None) -> Case:
    """Open the case of a new ticket, with its notes, in one transaction."""
    process = values["_process"]
    definition = services.active_definition(process)
    customer = values.get("_customer")
    if customer is None and definition.customer_required:
        raise _invalid(
            "relatedParty",
            _("A %(process)s ticket needs the customer: a relatedParty with role customer.")
            % {"process": definition.display_name()},
        )
    now = timezone.now()
    data = opening_data(definition, values, now=now)
    data.update({K_TYPE: values["_ticket_type"], K_SEVERITY: values["_severity"], K_DESCRIPTION: values["_description"]})
    for key, stored in (("_channel", K_CHANNEL), ("_parties", K_PARTIES), ("_entities", K_ENTITIES), ("_requested", K_REQUESTED)):
        if values.get(key):
            data[stored] = values[key]
    if values.get("_contract") is not None:
        data["contract_id"] = values["_contract"].pk
    title = values.get("title") or values["_description"].splitlines()[0][:60]
    with transaction.atomic():
        case = services.case_open(
            actor=actor, process=process, title=title, data=data, customer=customer,
            source=_source_for(values.get("_channel") or {}), external_id=values.get("external_id", ""),
            idempotency_key=idempotency_key, now=now,
        )
        if case.opened_at != now:
            return case  # a retry: the first request opened the case and wrote its notes
        for text in values.get("_notes", []):
            services.case_note(actor=actor, case=case, text=text)
    return case


def ticket_change(*, actor: Any, case: Case, values: dict[str, Any]) -> Case:
    """PATCH: the new notes, then the cancellation, together or not at all."""
    with transaction.atomic():
        for text in values.get("_notes", []):
            services.case_note(actor=actor, case=case, text=text)
        if values.get("_status") == "cancelled":
            services.case_cancel(actor=actor, case=case, reason=values["_reason"])
    return case


# --- Filters --------------------------------------------------------------------------------------


def _word_filter(key: str, defaults: Mapping[str, str]):
    """A filter on ``ticketType``/``severity``: the word sent with the ticket, else the word
    a case opened inside KAMS stands for."""

    def apply(queryset: QuerySet, values: list[str]) -> QuerySet:
        given = Q(**{f"data__{key}__in": values})
        derived = ~Q(**{"data__has_key": key}) & Q(process_key__in=[p for p, word in defaults.items() if word in values])
        return queryset.filter(given | derived)

    return apply


def _severity_filter(queryset: QuerySet, values: list[str]) -> QuerySet:
    defaults = {process: PROCESS_SEVERITY.get(process, DEFAULT_SEVERITY) for process in TICKET_PROCESSES}
    return _word_filter(K_SEVERITY, defaults)(queryset, values)


def _status_filter(queryset: QuerySet, values: list[str]) -> QuerySet:
    unknown = [value for value in values if value not in STATUSES]
    if unknown:
        raise InvalidQuery(
            _("“%(value)s” is not a valid value for “status”. Values: %(allowed)s.")
            % {"value": unknown[0], "allowed": ", ".join(STATUSES)}
        )
    q = Q(pk__in=[])
    if "acknowledged" in values:
        q |= Q(status=CaseStatus.OPEN, has_done_step=False)
    if "inProgress" in values:
        q |= Q(status=CaseStatus.OPEN, has_done_step=True)
    if "cancelled" in values:
        q |= Q(status=CaseStatus.CANCELLED)
    wanted_closed = {"resolved", "closed"} & set(values)
    if wanted_closed:
        closed = queryset.filter(status=CaseStatus.CLOSED).values_list("pk", "data")
        keep = [pk for pk, data in closed if ("resolved" if resolution_recorded(data) else "closed") in wanted_closed]
        q |= Q(pk__in=keep)
    return queryset.filter(q)


# --- Views ---------------------------------------------------------------------------------------


class TroubleTicketPermissions(KamsModelPermissions):
    """Reading needs ``view_case``, opening ``add_case``; a ``PATCH`` adds notes (the
    service checks ``view_case``) or cancels (the service checks ``cancel_case``)."""

    perms_map = {**KamsModelPermissions.perms_map, "PATCH": ["%(app_label)s.view_%(model_name)s"]}


TICKET_QUERYSET = (
    Case.objects.filter(process_key__in=TICKET_PROCESSES)
    .select_related("definition", "customer", "owner", "parent")
    .prefetch_related(Prefetch("events", queryset=CaseEvent.objects.select_related("actor")), "children")
)


@extend_schema_view(
    create=extend_schema(
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER, OpenApiTypes.STR, OpenApiParameter.HEADER,
                description="A retried POST with the same key (per caller) answers with the ticket the first one created.",
            )
        ]
    ),
    retrieve=extend_schema(parameters=[OpenApiParameter("id", OpenApiTypes.STR, OpenApiParameter.PATH, description="The case number")]),
    partial_update=extend_schema(parameters=[OpenApiParameter("id", OpenApiTypes.STR, OpenApiParameter.PATH, description="The case number")]),
)
class TroubleTicketViewSet(CustomerDomainViewSet):
    """TMF621 ``troubleTicket``: the complaint, fault, suggestion, consultation and service
    request cases in the caller's scope (see the module docstring)."""

    queryset = TICKET_QUERYSET
    serializer_class = TroubleTicketSerializer
    permission_classes = [TroubleTicketPermissions]
    lookup_field = "number"
    lookup_url_kwarg = "id"
    tmf_type = TICKET_TYPE
    tmf_filter_fields = {
        "id": "number",
        "name": "title",
        "externalId": "external_id",
        "creationDate": "opened_at",
        "expectedResolutionDate": "due_at",
        "resolutionDate": "closed_at",
        "relatedParty.id": "customer",
    }
    tmf_derived_filters = {
        "ticketType": _word_filter(K_TYPE, PROCESS_TICKET_TYPE),
        "severity": _severity_filter,
        "status": _status_filter,
    }

    def get_queryset(self) -> QuerySet:
        done = WorkItem.objects.filter(case=OuterRef("pk"), status=ItemStatus.DONE)
        last = CaseEvent.objects.filter(case=OuterRef("pk")).order_by("-at").values("at")[:1]
        return super().get_queryset().annotate(has_done_step=Exists(done), last_event_at=Subquery(last))

    def idempotency_key(self, values: Mapping[str, Any]) -> str | None:
        """Per caller: the ``Idempotency-Key`` header, else the ticket's ``externalId``."""
        header = (self.request.headers.get(IDEMPOTENCY_HEADER) or "").strip()
        if header:
            return f"tmf621:{self.request.user.pk}:key:{header[:150]}"
        if values.get("external_id"):
            return f"tmf621:{self.request.user.pk}:ext:{values['external_id']}"
        return None

    def perform_create(self, serializer: TroubleTicketSerializer) -> Case:
        values = dict(serializer.validated_data)
        case = ticket_open(actor=self.request.user, values=values, idempotency_key=self.idempotency_key(values))
        return self.reloaded(case)

    def perform_update(self, serializer: TroubleTicketSerializer) -> Case:
        case = ticket_change(actor=self.request.user, case=serializer.instance, values=dict(serializer.validated_data))
        return self.reloaded(case)

