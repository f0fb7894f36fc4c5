"""Writing the audit log. Services call ``audit_record`` inside their own transaction, so an
entry exists exactly when the change it describes was committed."""

import datetime
import decimal
import uuid
from typing import Any, Iterable

from django.db import models, transaction

from kams.audit import context
from kams.audit.models import AuditEntry


def json_value(value: Any) -> Any:
    """A value as it should stand in the log: JSON, readable, stable."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [json_value(v) for v in value]
    return str(value)


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The named fields of ``instance`` for a before/after pair. Foreign keys are logged as
    their text, many-to-many fields as the sorted texts of their members."""
    data: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        if field.many_to_many:
            value = sorted(str(o) for o in getattr(instance, name).all()) if instance.pk else []
        elif field.is_relation:
            value = getattr(instance, name)
        else:
            value = getattr(instance, field.attname)
        data[name] = json_value(value)
    return data


def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    before: dict | None = None,
    after: dict | None = None,
    org_unit: Any = None,
    reason: str = "",
    target_repr: str | None = None,
) -> AuditEntry:
    """Append one entry. ``org_unit`` defaults to the target's unit, then the actor's."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run inside the service's transaction")
    staff = getattr(actor, "staff", None) if actor is not None and actor.is_authenticated else None
    if org_unit is None and target is not None:
        org_unit = _unit_of(target)
    if org_unit is None and staff is not None:
        org_unit = staff.org_unit
    ctx = context.current()
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=_actor_name(actor, staff),
        actor_staff=staff,
        org_unit=org_unit,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=(target_repr if target_repr is not None else str(target or ""))[:200],
        before=json_value(before) if before is not None else None,
        after=json_value(after) if after is not None else None,
        reason=reason[:500],
        ip=ctx.ip,
        request_id=ctx.request_id,
    )


def _actor_name(actor: Any, staff: Any) -> str:
    if staff is not None:
        return f"{staff.name} ({staff.employee_no})"
    if actor is not None and getattr(actor, "pk", None):
        return actor.get_username()
    return "system"


def _unit_of(target: models.Model) -> Any:
    from kams.org.models import OrgUnit
    from kams.org.scoping import UNSCOPED, scope_spec_of

    if isinstance(target, OrgUnit):
        return target
    try:
        spec = scope_spec_of(type(target))
    except Exception:
        return None
    if spec is UNSCOPED or not spec.org:
        return None
    obj: Any = target
    for part in spec.org.split("__"):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj
