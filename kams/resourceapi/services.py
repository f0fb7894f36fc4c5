"""Writes of the resource inventory interface (TMF639): add an item to a unit's stock, lock
(void) or unlock it, delete a mistaken one.

Each function checks the permission and the caller's data scope, runs in one transaction,
records an audit entry and, on bad input, raises a domain error having changed nothing.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _

from kams.audit.models import AuditEntry
from kams.audit.services import audit_record, snapshot
from kams.core.errors import InvalidInput
from kams.customers.enums import Business
from kams.org.models import OrgUnit
from kams.org.scoping import require_in_scope, require_perm
from kams.resourceapi.errors import ResourceDuplicate, ResourceNotDeletable, ResourceStateRefused
from kams.resources.enums import ItemState, Network, ResourceKind
from kams.resources.models import ResourceItem

AUDITED = ("kind", "serial", "network", "business", "model", "state", "org_unit", "agent", "settled")
CREATE_ACTION = "resources.item_create"
# An item whose state changed within this long of its creation was never moved.
SAME_MOMENT = datetime.timedelta(seconds=2)
# The serial rules of the resource stock (kams.resources): 11-digit numbers, ICCIDs of 19 or 20
# digits, 15-digit IMEIs.
SERIAL_PATTERNS = {
    ResourceKind.NUMBER: re.compile(r"^\d{11}$"),
    ResourceKind.SIM: re.compile(r"^\d{19,20}$"),
    ResourceKind.HANDSET: re.compile(r"^\d{15}$"),
}


def resource_item_create(
    *, actor: Any, kind: str, serial: str, org_unit: OrgUnit, network: str = Network.GSM,
    business: str = Business.MOBILE, model: str = "",
) -> ResourceItem:
    """One item put into ``org_unit``'s stock (state in stock, held by no agent)."""
    require_perm(actor, "resources.add_resourceitem")
    require_in_scope(actor, org_unit)
    serial = (serial or "").strip()
    model = (model or "").strip()
    if kind not in ResourceKind.values:
        raise InvalidInput(_("Unknown resource kind “%(kind)s”; one of %(kinds)s.")
                           % {"kind": kind, "kinds": ", ".join(ResourceKind.values)})
    if not SERIAL_PATTERNS[kind].match(serial):
        raise InvalidInput(_("“%(serial)s” is not a valid %(kind)s serial.")
                           % {"serial": serial, "kind": ResourceKind(kind).label})
    if network not in Network.values:
        raise InvalidInput(_("Unknown network “%(network)s”; one of %(networks)s.")
                           % {"network": network, "networks": ", ".join(Network.values)})
    if business not in Business.values:
        raise InvalidInput(_("Unknown business “%(business)s”; one of %(values)s.")
                           % {"business": business, "values": ", ".join(Business.values)})
    if model and kind != ResourceKind.HANDSET:
        raise InvalidInput(_("Only a handset has a handset model."))
    if len(model) > ResourceItem._meta.get_field("model").max_length:
        raise InvalidInput(_("The handset model is too long."))
    with transaction.atomic():
        if ResourceItem.objects.filter(kind=kind, serial=serial).exists():
            raise ResourceDuplicate(kind=ResourceKind(kind).label, serial=serial)
        try:
            with transaction.atomic():
                item = ResourceItem.objects.create(
                    kind=kind, serial=serial, network=network, business=business, model=model,
                    state=ItemState.IN_STOCK, org_unit=org_unit,
                )
        except IntegrityError:  # added by someone else meanwhile
            raise ResourceDuplicate(kind=ResourceKind(kind).label, serial=serial) from None
        audit_record(actor=actor, action=CREATE_ACTION, target=item, after=snapshot(item, AUDITED))
    return item


def resource_item_lock(*, actor: Any, item: ResourceItem, reason: str = "") -> ResourceItem:
    """``administrativeState`` locked: an item in stock is made void (作废). Locking a void
    item changes nothing; an item out with an agent or used by a subscriber is refused."""
    return _set_state(actor, item, ItemState.VOID, reason)


def resource_item_unlock(*, actor: Any, item: ResourceItem, reason: str = "") -> ResourceItem:
    """``administrativeState`` unlocked: a void item held by no agent and not settled goes
    back into its unit's stock. Unlocking an item that is not void changes nothing."""
    return _set_state(actor, item, ItemState.IN_STOCK, reason)


def _set_state(actor: Any, item: ResourceItem, target: str, reason: str) -> ResourceItem:
    require_perm(actor, "resources.change_resourceitem")
    require_in_scope(actor, item)
    with transaction.atomic():
        current = ResourceItem.objects.select_for_update().get(pk=item.pk)
        if target == ItemState.VOID:
            if current.state == ItemState.VOID:
                return current
            if current.state != ItemState.IN_STOCK or current.agent_id is not None:
                raise ResourceStateRefused(
                    _("Only an item in stock can be locked (voided); %(item)s is “%(state)s”.")
                    % {"item": str(current), "state": current.get_state_display()}
                )
        else:
            if current.state != ItemState.VOID:
                return current
            if current.agent_id is not None or current.settled:
                raise ResourceStateRefused(
                    _("%(item)s cannot be unlocked: it is held by an agent or already settled.")
                    % {"item": str(current)}
                )
        before = snapshot(current, AUDITED)
        current.state = target
        current.state_changed_at = timezone.now()
        current.save(update_fields=["state", "state_changed_at"])
        audit_record(
            actor=actor, action="resources.item_void" if target == ItemState.VOID else "resources.item_restore",
            target=current, before=before, after=snapshot(current, AUDITED), reason=reason,
        )
    return current


def resource_item_delete(*, actor: Any, item: ResourceItem) -> None:
    """Delete an item put into stock by mistake: only while it is in stock, held by no
    agent, not settled and never moved (no state change, no audited operation on it but its
    creation, no record referring to it). Anything else answers 409: such an item has a
    history that must stay, and is locked (voided) instead."""
    require_perm(actor, "resources.delete_resourceitem")
    require_in_scope(actor, item)
    with transaction.atomic():
        current = ResourceItem.objects.select_for_update().get(pk=item.pk)
        moved = AuditEntry.objects.filter(
            target_type=ResourceItem._meta.label_lower, target_id=str(current.pk)
        ).exclude(action=CREATE_ACTION).exists()
        if (
            current.state != ItemState.IN_STOCK or current.agent_id is not None or current.settled or moved
            or current.state_changed_at - current.created_at > SAME_MOMENT
        ):
            raise ResourceNotDeletable(item=str(current))
        before = snapshot(current, AUDITED)
        audit_record(actor=actor, action="resources.item_delete", target=current, before=before)
        try:
            with transaction.atomic():
                current.delete()
        except (ProtectedError, RestrictedError):  # a pickup, transfer or subscriber refers to it
            raise ResourceNotDeletable(item=str(current)) from None
