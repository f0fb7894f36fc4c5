"""Personal data in the audit log (NFR-02). The log keeps whole values, so whoever reads it
sees them masked exactly as on the records themselves, unless their role may see them.

Domains register which fields of which targets are personal, from their ``AppConfig.ready``:

    register_personal_fields("customers.customer", {"certificate_no": mask_certificate, "phone": mask_phone},
                             permission="customers.view_personal_data")

Every reader of entries (pages, exports, API, history sections) passes them through
``for_reader(entries, user)``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Callable, Iterable

Masker = Callable[[str], str]


@dataclass(frozen=True)
class PersonalFields:
    fields: dict[str, Masker]
    permission: str
    target_repr: Masker | None = None


_registry: dict[str, PersonalFields] = {}


def register_personal_fields(
    target_type: str, fields: dict[str, Masker], *, permission: str, target_repr: Masker | None = None
) -> None:
    _registry[target_type] = PersonalFields(fields=fields, permission=permission, target_repr=target_repr)


def _mask_values(values: Any, fields: dict[str, Masker]) -> Any:
    if not isinstance(values, dict):
        return values
    return {
        key: fields[key](value) if key in fields and isinstance(value, str) and value else value
        for key, value in values.items()
    }


def for_reader(entries: Iterable[Any], user: Any) -> list[Any]:
    """Copies of ``entries`` with personal values masked where ``user`` may not see them.
    (Copies: an audit entry itself is never changed.)"""
    allowed: dict[str, bool] = {}
    result = []
    for entry in entries:
        spec = _registry.get(entry.target_type)
        if spec is None:
            result.append(entry)
            continue
        if spec.permission not in allowed:
            allowed[spec.permission] = user.has_perm(spec.permission)
        if allowed[spec.permission]:
            result.append(entry)
            continue
        shown = copy.copy(entry)
        shown.before = _mask_values(entry.before, spec.fields)
        shown.after = _mask_values(entry.after, spec.fields)
        if spec.target_repr is not None:
            shown.target_repr = spec.target_repr(entry.target_repr)
        result.append(shown)
    return result
